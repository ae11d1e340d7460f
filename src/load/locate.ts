import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { TscError, isErrno, type SourceLocation } from "../errors.js";
import { parseDotenvEntries } from "./dotenv.js";
import type { LoadOptions, LoadWarning } from "./options.js";
import { decideProjectName, projectNameFromTree } from "./project-name.js";
import type { Tree } from "./source.js";

/**
 * Where a project is and what it runs with, decided as docker compose does before any file is parsed
 * (docker/compose cmd/compose/compose.go `toProjectOptions`, compose-go cli/options.go): the compose files,
 * the project directory, the env files and the interpolation environment, the profiles and the project name.
 */

export interface ConfigFileRef {
  /** Absolute path; for stdin, `<projectDir>/-`. */
  path: string;
  /** Set when the file was read from stdin. */
  content?: string;
}

export interface ProjectLocation {
  configFiles: ConfigFileRef[];
  workingDir: string;
  /** The environment used for interpolation: .env files overlaid by the process environment. */
  environment: Record<string, string>;
  envFiles: string[];
  /** -p or COMPOSE_PROJECT_NAME, if given. */
  explicitName?: string;
  /** The project name, when the files' raw `name:` could be read (it also went into COMPOSE_PROJECT_NAME). */
  projectName?: string;
  profiles: string[];
  /** Warnings found while locating (several candidate files, unset variables in .env files…). */
  warnings: LoadWarning[];
}

export { normalizeProjectName, projectNameFromDirectory } from "./project-name.js";

/** Compose file names looked for, in order of preference. */
export const DEFAULT_FILE_NAMES = [
  "compose.yaml",
  "compose.yml",
  "docker-compose.yml",
  "docker-compose.yaml",
];
/** Override file names looked for next to the compose file found, in order of preference. */
export const OVERRIDE_FILE_NAMES = [
  "compose.override.yml",
  "compose.override.yaml",
  "docker-compose.override.yml",
  "docker-compose.override.yaml",
];

/** Runs compose's option pipeline: env files, COMPOSE_* from them, files, project directory, env again. */
export function locateProject(options: LoadOptions): ProjectLocation {
  const cwd = resolve(options.cwd ?? process.cwd());
  const warnings = new Warnings();
  const processEnv = stringEntries(options.env ?? process.env);
  const home = processEnv.HOME ?? homedir();
  const projectDir = options.projectDirectory
    ? resolve(cwd, expandUser(options.projectDirectory, home))
    : undefined;
  const files = options.files?.length ? [...options.files] : undefined;
  const explicitEnvFiles = (
    options.envFiles?.length ? [...options.envFiles] : fields(processEnv.COMPOSE_ENV_FILES, ",")
  ).map((file) => resolve(cwd, expandUser(file, home)));
  const envReader = new EnvFileReader(warnings);

  // Compose first reads the env files of the project directory it can tell without discovery, and exports
  // their COMPOSE_* keys as if they came from the shell: that is how COMPOSE_FILE in .env works.
  const earlyDir = projectDir ?? firstFileDir(files, cwd) ?? cwd;
  const early = envReader.read(envFilesFor(explicitEnvFiles, earlyDir, processEnv), processEnv);
  const osEnv: Record<string, string> = { ...processEnv };
  /** Where keys that came from an env file were set, to point a bad COMPOSE_PROJECT_NAME at its line. */
  const origins = new Map<string, SourceLocation>();
  for (const [key, value] of Object.entries(early.values)) {
    if (!key.startsWith("COMPOSE_") || Object.hasOwn(processEnv, key)) continue;
    osEnv[key] = value;
    const where = early.locations.get(key);
    if (where) origins.set(key, where);
  }
  osEnv.PWD ??= cwd;

  // The process environment always wins; env files only add keys it does not have.
  const environment: Record<string, string> = { ...osEnv };
  const addEnvFiles = (paths: string[]) => {
    const read = envReader.read(paths, environment);
    for (const [key, value] of Object.entries(read.values)) {
      if (Object.hasOwn(environment, key)) continue;
      environment[key] = value;
      const where = read.locations.get(key);
      if (where) origins.set(key, where);
    }
  };
  addEnvFiles(envFilesFor(explicitEnvFiles, earlyDir, osEnv));

  const paths = files ?? composeFileEnv(environment, cwd) ?? discover(projectDir ?? cwd, warnings);
  const workingDir = projectDir ?? firstFileDir(paths, cwd) ?? cwd;
  // The project directory may only be known now (discovery walked up, or COMPOSE_FILE): read its .env too.
  const envFiles = envFilesFor(explicitEnvFiles, workingDir, osEnv);
  addEnvFiles(envFiles);

  let stdin: string | undefined;
  const configFiles = paths.map((path): ConfigFileRef => {
    if (path !== "-") return { path: resolve(cwd, path) };
    stdin ??= options.stdin ?? readFileSync(0, "utf8");
    return { path: join(workingDir, "-"), content: stdin };
  });

  const profiles = options.profiles?.length
    ? [...options.profiles]
    : fields(environment.COMPOSE_PROFILES, ",").map((p) => p.trim());

  const location: ProjectLocation = {
    configFiles,
    workingDir,
    environment,
    envFiles,
    profiles: profiles.filter((p) => p !== ""),
    warnings: warnings.list,
  };
  const name = decideProjectName({
    flag: options.projectName,
    environment,
    origins,
    configFiles,
    workingDir,
    interpolate: options.interpolate !== false,
    warn: (warning) => warnings.add(warning),
  });
  if (name.explicit !== undefined) location.explicitName = name.explicit;
  if (name.name !== undefined) location.projectName = name.name;
  if (location.projectName !== undefined) environment.COMPOSE_PROJECT_NAME = location.projectName;
  return location;
}

/**
 * The project name: -p, else COMPOSE_PROJECT_NAME, else the top-level `name:` (normalized), else the
 * project directory's name (normalized). `locateProject` decides it from the raw files when it can; this
 * covers the rest from the merged tree.
 */
export function resolveProjectName(location: ProjectLocation, tree: Tree): string {
  return location.projectName ?? location.explicitName ?? projectNameFromTree(tree, location.workingDir);
}

/** `--env-file` / COMPOSE_ENV_FILES if given, else `<dir>/.env` when it exists and is not disabled. */
function envFilesFor(explicit: string[], dir: string, env: Record<string, string>): string[] {
  if (explicit.length > 0) return explicit;
  const disable = env.COMPOSE_DISABLE_ENV_FILE;
  if (disable !== undefined && parseGoBool(disable, "COMPOSE_DISABLE_ENV_FILE")) return [];
  const path = join(dir, ".env");
  try {
    return statSync(path).isDirectory() ? [] : [path];
  } catch {
    return [];
  }
}

/** Go's strconv.ParseBool, which compose uses for COMPOSE_DISABLE_ENV_FILE. */
function parseGoBool(value: string, name: string): boolean {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  throw new TscError("E_USAGE", `${name}=${JSON.stringify(value)} is not a boolean`, {
    hint: `set ${name} to true or false`,
  });
}

/** Reads env files in order with compose's lookup rules, remembering each file's text. */
class EnvFileReader {
  private readonly texts = new Map<string, string>();

  constructor(private readonly warnings: Warnings) {}

  read(paths: string[], current: Readonly<Record<string, string>>) {
    const values: Record<string, string> = {};
    const locations = new Map<string, SourceLocation>();
    for (const path of paths) {
      const parsed = parseDotenvEntries(this.text(path), path, {
        lookup: (key) => (Object.hasOwn(current, key) ? current[key] : undefined),
        into: values,
        onUnset: (name, where) =>
          this.warnings.add({
            message: `The ${JSON.stringify(name)} variable is not set. Defaulting to a blank string.`,
            where,
          }),
      });
      for (const [key, where] of parsed.locations) locations.set(key, where);
    }
    return { values, locations };
  }

  private text(path: string): string {
    let text = this.texts.get(path);
    if (text !== undefined) return text;
    try {
      if (statSync(path).isDirectory()) {
        throw new TscError("E_LOAD_READ", `${path} is a directory`, {
          hint: "--env-file and COMPOSE_ENV_FILES name files, not directories",
        });
      }
      text = readFileSync(path, "utf8");
    } catch (error) {
      if (TscError.is(error)) throw error;
      if (isErrno(error, "ENOENT")) {
        throw new TscError("E_LOAD_NOT_FOUND", `couldn't find env file: ${path}`, {
          hint: "check the path given with --env-file or COMPOSE_ENV_FILES (relative paths start at the current directory)",
        });
      }
      throw new TscError("E_LOAD_READ", `${path}: ${(error as Error).message}`, { cause: error });
    }
    this.texts.set(path, text);
    return text;
  }
}

/** COMPOSE_FILE split on COMPOSE_PATH_SEPARATOR (default `:`), each path relative to the current directory. */
function composeFileEnv(environment: Record<string, string>, cwd: string): string[] | undefined {
  const value = environment.COMPOSE_FILE;
  if (!value) return undefined;
  const separator = environment.COMPOSE_PATH_SEPARATOR || ":";
  return value
    .split(separator)
    .filter((file) => file !== "")
    .map((file) => {
      if (file === "-") return file;
      const path = resolve(cwd, file);
      try {
        statSync(path);
      } catch {
        throw new TscError("E_LOAD_NOT_FOUND", `COMPOSE_FILE names ${path}, which does not exist`, {
          hint: `fix COMPOSE_FILE=${JSON.stringify(value)} (paths separated by ${JSON.stringify(separator)}, relative to ${cwd})`,
        });
      }
      return path;
    });
}

/** Looks for a compose file in `start`, then in each parent directory; takes the override file beside it. */
function discover(start: string, warnings: Warnings): string[] {
  let dir = start;
  for (let depth = 0; depth < 4096; depth++) {
    const candidates = existing(DEFAULT_FILE_NAMES, dir);
    if (candidates.length > 0) {
      const winner = candidates[0]!;
      if (candidates.length > 1) {
        warnings.add({
          message: `Found multiple config files with supported names: ${candidates.join(", ")}`,
        });
        warnings.add({ message: `Using ${winner}` });
      }
      const overrides = existing(OVERRIDE_FILE_NAMES, dir);
      if (overrides.length > 1) {
        warnings.add({
          message: `Found multiple override files with supported names: ${overrides.join(", ")}`,
        });
        warnings.add({ message: `Using ${overrides[0]}` });
      }
      return overrides.length > 0 ? [winner, overrides[0]!] : [winner];
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new TscError("E_LOAD_NOT_FOUND", "no configuration file provided: not found", {
    hint: `create ${DEFAULT_FILE_NAMES[0]} in ${start} (${DEFAULT_FILE_NAMES.slice(1).join(", ")} are found too, here or in a parent directory), or name the file with -f`,
  });
}

function existing(names: readonly string[], dir: string): string[] {
  return names
    .map((name) => join(dir, name))
    .filter((path) => {
      try {
        statSync(path);
        return true;
      } catch {
        return false;
      }
    });
}

function firstFileDir(files: readonly string[] | undefined, cwd: string): string | undefined {
  const first = files?.find((file) => file !== "-");
  return first === undefined ? undefined : dirname(resolve(cwd, first));
}

/** Go's strings.FieldsFunc on one separator: no empty fields. */
function fields(value: string | undefined, separator: string): string[] {
  return (value ?? "").split(separator).filter((field) => field !== "");
}

function expandUser(path: string, home: string): string {
  if (path === "~") return home;
  return path.startsWith("~/") ? join(home, path.slice(2)) : path;
}

function stringEntries(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** Warnings in order, each reported once however many passes meet it. */
class Warnings {
  readonly list: LoadWarning[] = [];
  private readonly seen = new Set<string>();

  add(warning: LoadWarning): void {
    const key = `${warning.message}\0${warning.where?.file}:${warning.where?.line}:${warning.where?.column}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(warning);
  }
}
