import { TscError, type SourceLocation } from "../errors.js";
import type { LoadWarning } from "./options.js";
import { YamlTag, locationOf, type Tree } from "./source.js";
import {
  InvalidTemplateError,
  MissingRequiredError,
  extractVariables,
  substitute,
  type TemplateVariable,
  type UnsetReference,
} from "./template.js";

/**
 * Interpolation of a compose tree (compose-go interpolation/interpolation.go): every string value, at any
 * depth and in `x-` extensions too, goes through `${VAR}` substitution; keys never do. Values are replaced in
 * their containers, so the source locations recorded for them still apply.
 */

/** Substitutes every string value of `tree` in place and returns it. */
export function interpolateTree(
  tree: Tree,
  environment: Readonly<Record<string, string>>,
  warn: (warning: LoadWarning) => void,
): Tree {
  const lookup = (name: string) => (Object.hasOwn(environment, name) ? environment[name] : undefined);
  // A container reachable twice (shared by a later phase) must not be substituted twice: `$$` would not survive.
  const seen = new WeakSet<object>();
  const walk = (container: Record<string, unknown> | unknown[], path: readonly (string | number)[]) => {
    if (seen.has(container)) return;
    seen.add(container);
    const keys: (string | number)[] = Array.isArray(container)
      ? container.map((_, i) => i)
      : Object.keys(container);
    for (const key of keys) {
      const slot = container as Record<string | number, unknown>;
      slot[key] = visit(slot[key], container, key, [...path, key]);
    }
  };
  const visit = (
    value: unknown,
    container: object,
    key: string | number,
    path: (string | number)[],
  ): unknown => {
    if (typeof value === "string") return interpolateString(value, container, key, path, lookup, warn);
    if (value instanceof YamlTag) {
      const inner = visit(value.value, container, key, path);
      return inner === value.value ? value : new YamlTag(value.tag, inner);
    }
    if (typeof value === "object" && value !== null) walk(value as Record<string, unknown> | unknown[], path);
    return value;
  };
  walk(tree, []);
  return tree;
}

function interpolateString(
  value: string,
  container: object,
  key: string | number,
  path: readonly (string | number)[],
  lookup: (name: string) => string | undefined,
  warn: (warning: LoadWarning) => void,
): string {
  if (!value.includes("$")) return value;
  const where = locationOf(container, key);
  const onUnset = (reference: UnsetReference) => {
    const text = reference.bare ? `$${reference.name}` : `\${${reference.name}`;
    const warning: LoadWarning = {
      message: `The ${JSON.stringify(reference.name)} variable is not set. Defaulting to a blank string.`,
      where: pointAt(where, text, reference.template === value ? reference.index : undefined),
    };
    if (reference.bare && looksLikeLiteralDollar(value, reference, path, container)) {
      warning.hint = `if "${text}" is part of a literal value such as a password, write "$${text}": $$ is a literal dollar sign`;
    }
    warn(warning);
  };
  try {
    return substitute(value, lookup, onUnset);
  } catch (error) {
    if (error instanceof InvalidTemplateError) {
      throw new TscError(
        "E_LOAD_INTERPOLATION",
        `invalid interpolation format for ${formatPath(path)}: ${JSON.stringify(error.expression)}`,
        {
          where: pointAt(where, error.expression),
          hint: "a reference is $VAR or ${VAR}, optionally ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt} or ${VAR+alt}; write $$ for a literal dollar sign",
        },
      );
    }
    if (error instanceof MissingRequiredError) {
      throw new TscError(
        "E_LOAD_REQUIRED_VAR",
        `${error.message} (${formatPath(path)}: ${JSON.stringify(error.expression)})`,
        {
          where: pointAt(where, error.expression),
          hint: `set ${error.variable} in the shell environment or in the project's .env file (or --env-file)`,
        },
      );
    }
    throw error;
  }
}

const SECRET_NAME = /pass|pwd|secret|token|key|credential|auth/i;

/**
 * Whether an unset `$NAME` more likely is a `$` inside a literal (a password) than a variable: the key (or
 * the `KEY=` of a list entry) names a secret, or the `$` sits inside one word right after a letter or digit.
 */
function looksLikeLiteralDollar(
  value: string,
  reference: UnsetReference,
  path: readonly (string | number)[],
  container: object,
): boolean {
  const key = path[path.length - 1];
  const name = typeof key === "string" ? key : Array.isArray(container) ? value.split("=")[0]! : "";
  if (SECRET_NAME.test(name)) return true;
  if (reference.template !== value) return false;
  const before = value[reference.index - 1];
  return before !== undefined && /[A-Za-z0-9!@#%^&*?~+]/.test(before) && !/\s/.test(value);
}

/**
 * `where` moved to the column of `text` on its line when the line shows it: at `index` in the value if the
 * scalar is written as is (plain, or quoted without escapes before it), else at its first occurrence.
 */
function pointAt(
  where: SourceLocation | undefined,
  text: string,
  index?: number,
): SourceLocation | undefined {
  if (!where?.lineText) return where;
  const start = where.column - 1;
  if (index !== undefined) {
    const quoted = where.lineText[start] === '"' || where.lineText[start] === "'" ? 1 : 0;
    const exact = start + quoted + index;
    if (where.lineText.startsWith(text, exact)) return { ...where, column: exact + 1 };
  }
  const at = where.lineText.indexOf(text, Math.max(0, start));
  return at < 0 ? where : { ...where, column: at + 1 };
}

/** `services.web.environment[0]`: the path as a user reads it. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`;
  return out;
}

/** A variable a compose tree references, for `config --variables`. */
export type ComposeVariable = TemplateVariable;

/**
 * Every variable referenced by the string values of `tree` (uninterpolated), sorted by name, as compose-go's
 * template.ExtractVariables finds them; when a name appears more than once the last reference wins.
 */
export function collectVariables(tree: unknown): ComposeVariable[] {
  const found = new Map<string, ComposeVariable>();
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      for (const variable of extractVariables(value)) found.set(variable.name, variable);
    } else if (value instanceof YamlTag) {
      visit(value.value);
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === "object" && value !== null) {
      Object.values(value).forEach(visit);
    }
  };
  visit(tree);
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
