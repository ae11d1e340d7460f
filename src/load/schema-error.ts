import type { ErrorObject } from "ajv";
import { TscError, type SourceLocation } from "../errors.js";
import { keyLocationOf, locationAtPath, locationOf } from "./source.js";
import { suggest } from "./suggest.js";

/**
 * Turns ajv's error list into the one error a user should see, the way compose-go's schema.go picks "the
 * most specific" one: the deepest instance path wins, so when `ports.0` fails every branch of its anyOf,
 * the branch that got furthest (an unknown key inside the long form) is reported, not the cascade.
 */

type Segment = string | number;

/** Keywords that only summarise their branches' errors. */
const SUMMARIES = new Set(["anyOf", "oneOf", "allOf", "if", "not"]);

/** Names of the service, network... maps' keys and of ulimits, in words. */
const PATTERN_WORDS: Record<string, string> = {
  "^[a-zA-Z0-9._-]+$": "letters, digits, '.', '_' and '-'",
  "^[a-z]+$": "lowercase letters",
};

/** The keys listed in a hint at most; past this the list is more noise than help. */
const MAX_LISTED_KEYS = 16;

interface Candidate {
  error: ErrorObject;
  path: Segment[];
  depth: number;
  where: SourceLocation | undefined;
}

/** The most specific of `errors` as a TscError located in `root` (the validated tree). */
export function schemaErrorFrom(errors: readonly ErrorObject[], root: unknown, file: string): TscError {
  const candidates = errors
    .filter((error) => !SUMMARIES.has(error.keyword))
    .map((error) => candidate(error, root));
  if (candidates.length === 0) {
    const first = errors[0];
    return new TscError(
      "E_LOAD_SCHEMA",
      `${file}: ${first?.message ?? "does not match the Compose Specification"}`,
      {
        where: locationOf(root),
      },
    );
  }
  const deepest = Math.max(...candidates.map((c) => c.depth));
  let best = candidates.filter((c) => c.depth === deepest);
  // A branch that passed its type check got further than one that failed it.
  const typed = best.filter((c) => c.error.keyword !== "type");
  if (typed.length > 0) best = typed;
  else return typeError(best, root);
  best.sort(byPosition);
  return describe(best[0]!, root);
}

function candidate(error: ErrorObject, root: unknown): Candidate {
  const path = segments(error.instancePath, root);
  if (error.keyword === "additionalProperties") {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    return { error, path, depth: path.length + 1, where: keyLocationOf(valueAt(root, path), key) };
  }
  // An empty value has no text of its own to point at: point at its key.
  const where =
    path.length > 0 && valueAt(root, path) === null
      ? keyLocationOf(valueAt(root, path.slice(0, -1)), path[path.length - 1]!)
      : locationAtPath(root, path);
  return { error, path, depth: path.length, where };
}

function byPosition(a: Candidate, b: Candidate): number {
  return (a.where?.line ?? 0) - (b.where?.line ?? 0) || (a.where?.column ?? 0) - (b.where?.column ?? 0);
}

/** Type errors of several branches at one node merge into "must be a X, Y or Z". */
function typeError(candidates: Candidate[], root: unknown): TscError {
  candidates.sort(byPosition);
  const first = candidates[0]!;
  const sameNode = candidates.filter((c) => c.error.instancePath === first.error.instancePath);
  const types: string[] = [];
  for (const c of sameNode) {
    const expected = (c.error.params as { type: string | string[] }).type;
    for (const type of String(expected).split(",")) if (!types.includes(type)) types.push(type);
  }
  const expected = listWords(types.map(typeWord), "or");
  return new TscError(
    "E_LOAD_SCHEMA",
    `${label(first.path)} must be ${expected}, got ${show(valueAt(root, first.path))}`,
    { where: first.where, hint: `write ${expected} for ${hintSubject(first.path)}` },
  );
}

function describe(c: Candidate, root: unknown): TscError {
  const { error, path, where } = c;
  const value = valueAt(root, path);
  const at = label(path);
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as {
    properties?: Record<string, unknown>;
    patternProperties?: Record<string, unknown>;
    description?: string;
  };
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {}).sort();
      const namePatterns = Object.keys(parent.patternProperties ?? {}).filter((p) => p !== "^x-");
      if (allowed.length === 0 && namePatterns.length > 0) {
        const pattern = namePatterns[0]!;
        const words = PATTERN_WORDS[pattern];
        return new TscError(
          "E_LOAD_SCHEMA",
          `${at} has an invalid name ${JSON.stringify(key)}: ${words ? `use only ${words}` : `names must match ${pattern}`}`,
          { where, hint: `rename ${JSON.stringify(key)} so that it matches ${pattern}` },
        );
      }
      const guess = suggest(key, allowed);
      const mean = guess ? ` (did you mean ${JSON.stringify(guess)}?)` : "";
      const extension = parent.patternProperties?.["^x-"]
        ? `, or rename it to "x-${key}" to keep it as an extension`
        : "";
      const listed = allowed.length <= MAX_LISTED_KEYS ? `; allowed here: ${allowed.join(", ")}` : "";
      return new TscError(
        "E_LOAD_UNKNOWN_KEY",
        `${at} additional property ${JSON.stringify(key)} is not allowed${mean}`,
        {
          where,
          hint: guess
            ? `rename ${JSON.stringify(key)} to ${JSON.stringify(guess)}`
            : `remove ${JSON.stringify(key)}${extension}${listed}`,
        },
      );
    }
    case "required": {
      const missing = String(params.missingProperty);
      return new TscError("E_LOAD_SCHEMA", `${at} must have the property ${JSON.stringify(missing)}`, {
        where,
        hint: `add \`${missing}:\` to ${hintSubject(path)}`,
      });
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const guess =
        typeof value === "string"
          ? suggest(value, (params.allowedValues as unknown[]).map(String))
          : undefined;
      return new TscError(
        "E_LOAD_SCHEMA",
        `${at} must be one of ${listWords(allowed, "or")}, got ${show(value)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ""}`,
        { where, hint: `use one of ${allowed.join(", ")}` },
      );
    }
    case "pattern": {
      const expected = parent.description ?? `a string matching ${String(params.pattern)}`;
      return new TscError("E_LOAD_SCHEMA", `${at} must be ${expected}, got ${show(value)}`, {
        where,
        hint: `write ${expected} for ${hintSubject(path)}`,
      });
    }
    case "uniqueItems": {
      const later = Math.max(Number(params.i), Number(params.j));
      const earlier = Math.min(Number(params.i), Number(params.j));
      return new TscError(
        "E_LOAD_SCHEMA",
        `${at} has duplicate items: ${label([...path, later])} repeats ${label([...path, earlier])}`,
        { where: locationAtPath(root, [...path, later]) ?? where, hint: "remove the repeated item" },
      );
    }
    default:
      return new TscError("E_LOAD_SCHEMA", `${at} ${error.message ?? "is not valid"}, got ${show(value)}`, {
        where,
        hint: `check ${hintSubject(path)} against the Compose Specification`,
      });
  }
}

/** ajv's JSON pointer as keys of the tree: numbers for list items, unescaped strings for map keys. */
function segments(pointer: string, root: unknown): Segment[] {
  if (pointer === "") return [];
  const out: Segment[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const segment: Segment = Array.isArray(node) ? Number(key) : key;
    out.push(segment);
    node =
      typeof node === "object" && node !== null ? (node as Record<Segment, unknown>)[segment] : undefined;
  }
  return out;
}

function valueAt(root: unknown, path: readonly Segment[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<Segment, unknown>)[key];
  }
  return node;
}

/** The dotted path compose prints (`services.web.ports.0`); the root is "(root)" as in compose. */
function label(path: readonly Segment[]): string {
  return path.length === 0 ? "(root)" : path.join(".");
}

function hintSubject(path: readonly Segment[]): string {
  return path.length === 0 ? "the top level" : `\`${label(path)}\``;
}

function typeWord(type: string): string {
  switch (type) {
    case "object":
      return "a mapping";
    case "array":
      return "a list";
    case "null":
      return "empty (null)";
    case "integer":
      return "an integer";
    default:
      return `a ${type}`;
  }
}

/** The offending value, short: scalars as written, containers by kind. */
function show(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

function listWords(words: readonly string[], last: string): string {
  if (words.length <= 1) return words[0] ?? "";
  return `${words.slice(0, -1).join(", ")} ${last} ${words[words.length - 1]}`;
}
