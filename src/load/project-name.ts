import { readFileSync, realpathSync } from "node:fs";
import { basename, resolve } from "node:path";
import { isMap, isScalar, parseAllDocuments } from "yaml";
import { TscError, type SourceLocation } from "../errors.js";
import type { LoadWarning } from "./options.js";
import { locationOf, parseYaml, type Tree } from "./source.js";
import { substitute } from "./template.js";

/**
 * The project name, with compose-go's rules (cli/options.go `withNamePrecedenceLoad`, loader/loader.go
 * `projectName`): -p, else COMPOSE_PROJECT_NAME, both of which must already be valid; else the top-level
 * `name:` of the files, interpolated and normalized; else the project directory's name, normalized.
 */

const NAME_RULE =
  "must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number";

/** compose-go's NormalizeProjectName: lowercase, keep [a-z0-9_-], no leading `_` or `-`. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "")
    .replace(/^[_-]+/, "");
}

/** The project name a directory gives when nothing else names the project. */
export function projectNameFromDirectory(dir: string): string {
  return normalizeProjectName(basename(resolve(dir)));
}

export interface NameInputs {
  /** -p */
  flag: string | undefined;
  environment: Readonly<Record<string, string>>;
  /** Where env-file keys were set, to point at a bad COMPOSE_PROJECT_NAME line. */
  origins: ReadonlyMap<string, SourceLocation>;
  configFiles: ReadonlyArray<{ path: string; content?: string }>;
  workingDir: string;
  interpolate: boolean;
  warn: (warning: LoadWarning) => void;
}

/**
 * Decides the name before the files are loaded, as compose does, so that `${COMPOSE_PROJECT_NAME}` can
 * interpolate to it. `name` is undefined only when the raw `name:` cannot be interpolated (the load of the
 * file reports why); `explicit` is set for -p and COMPOSE_PROJECT_NAME.
 */
export function decideProjectName(inputs: NameInputs): { name?: string; explicit?: string } {
  const explicit = explicitName(inputs.flag, inputs.environment, inputs.origins);
  if (explicit !== undefined) return { name: explicit, explicit };
  const raw = inputs.configFiles.map(readRawName).filter((name): name is RawName => name !== undefined);
  const named = raw[raw.length - 1];
  if (!named) return { name: directoryName(inputs.workingDir, inputs.warn) };
  let value = named.value;
  if (inputs.interpolate) {
    try {
      value = substitute(named.value, (key) =>
        Object.hasOwn(inputs.environment, key) ? inputs.environment[key] : undefined,
      );
    } catch {
      return {};
    }
  }
  const normalized = normalizeProjectName(value);
  if (normalized === "") throw emptyName(nameLocation(named), value);
  if (normalized !== value) {
    // compose-go normalizes a `name:` silently; we keep its result but say so.
    inputs.warn({
      message: `project name ${JSON.stringify(value)} is not valid (${NAME_RULE}); using ${JSON.stringify(normalized)}`,
      where: nameLocation(named),
    });
  }
  return { name: normalized };
}

/** The name from a loaded tree's `name:` or the directory, when it could not be decided beforehand. */
export function projectNameFromTree(tree: Tree, workingDir: string): string {
  if (typeof tree.name === "string" && tree.name !== "") {
    const normalized = normalizeProjectName(tree.name);
    if (normalized === "") throw emptyName(locationOf(tree, "name"), tree.name);
    return normalized;
  }
  return directoryName(workingDir, () => {});
}

function explicitName(
  flag: string | undefined,
  environment: Readonly<Record<string, string>>,
  origins: ReadonlyMap<string, SourceLocation>,
): string | undefined {
  if (flag) {
    if (normalizeProjectName(flag) !== flag) throw invalidName(flag, "-p", undefined);
    return flag;
  }
  const fromEnv = environment.COMPOSE_PROJECT_NAME;
  if (fromEnv) {
    if (normalizeProjectName(fromEnv) !== fromEnv) {
      throw invalidName(fromEnv, "COMPOSE_PROJECT_NAME", origins.get("COMPOSE_PROJECT_NAME"));
    }
    return fromEnv;
  }
  return undefined;
}

function invalidName(name: string, source: string, where: SourceLocation | undefined): TscError {
  const suggestion = normalizeProjectName(name);
  return new TscError("E_LOAD_PROJECT_NAME", `invalid project name ${JSON.stringify(name)}: ${NAME_RULE}`, {
    where,
    hint: `use ${source === "-p" ? "-p " : `${source}=`}${suggestion || "myapp"} instead: lowercase letters, digits, "-" and "_", starting with a letter or digit`,
  });
}

function emptyName(where: SourceLocation | undefined, raw: string | undefined): TscError {
  const what = raw ? ` (${JSON.stringify(raw)} has no letter or digit to keep)` : "";
  return new TscError("E_LOAD_PROJECT_NAME", `project name must not be empty${what}`, {
    where,
    hint: 'name the project with -p NAME, COMPOSE_PROJECT_NAME or a top-level `name:` such as "myapp"',
  });
}

function directoryName(workingDir: string, warn: (warning: LoadWarning) => void): string {
  const name = basename(workingDir);
  const normalized = normalizeProjectName(name);
  if (normalized === "") throw emptyName(undefined, name);
  try {
    if (basename(realpathSync(workingDir)) !== name) {
      warn({
        message: `project has been loaded without an explicit name from a symlink. Using name ${JSON.stringify(name)}`,
      });
    }
  } catch {
    // A project directory that does not exist has no symlink to warn about.
  }
  return normalized;
}

/** The top-level `name:` of a compose file as written, before interpolation. */
interface RawName {
  file: string;
  text: string;
  /** Index of the document among the file's non-empty documents (as source.ts numbers them). */
  document: number;
  value: string;
}

/**
 * A compose file's raw top-level `name:` (the last one across its documents), read in a pass of its own as
 * compose-go does. Unreadable or malformed files give undefined: the real parse reports those.
 */
function readRawName(ref: { path: string; content?: string }): RawName | undefined {
  let text = ref.content;
  if (text === undefined) {
    try {
      text = readFileSync(ref.path, "utf8");
    } catch {
      return undefined;
    }
  }
  // Most files have no `name:` key at all (`container_name:` does not count): skip the second parse.
  if (!/\bname["']?\s*:/.test(text)) return undefined;
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const docs = parseAllDocuments(source, { version: "1.2" });
  const list = Array.isArray(docs) ? docs : [];
  const kept = list.filter((doc) => doc.contents !== null || list.length === 1);
  let found: RawName | undefined;
  kept.forEach((doc, document) => {
    if (doc.errors.length > 0 || !isMap(doc.contents)) return;
    for (const pair of doc.contents.items) {
      if (!isScalar(pair.key) || pair.key.value !== "name") continue;
      if (isScalar(pair.value) && typeof pair.value.value === "string" && pair.value.value !== "") {
        found = { file: ref.path, text, document, value: pair.value.value };
      }
    }
  });
  return found;
}

function nameLocation(named: RawName): SourceLocation | undefined {
  try {
    return locationOf(parseYaml(named.file, named.text).documents[named.document], "name");
  } catch {
    return undefined;
  }
}
