import { statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { TscError, type SourceLocation } from "../errors.js";
import type { FileContext } from "./index.js";
import { isMapping, locatedItems, locatedList, putLocated } from "./located.js";
import { rebaseProject } from "./relative-paths.js";
import { copyLocations, keyLocationOf, locationOf, type Tree } from "./source.js";

/**
 * Top-level `include` (the Compose Specification's 14-include.md, compose-go loader/include.go): each
 * entry is loaded as a project of its own (its own project directory, its own env files under the
 * including project's environment, its own includes and extends), its paths are made absolute against its
 * project directory, and its resources join the including file's. A resource defined twice, by the
 * including file and an include or by two includes, is a conflict unless both definitions are identical
 * (the same file included twice through two paths).
 */

const SECTIONS = ["services", "networks", "volumes", "secrets", "configs", "models"] as const;

interface IncludeSpec {
  paths: Array<{ path: string; where: SourceLocation | undefined }>;
  projectDirectory: string;
  envFiles: string[];
}

/** Where a resource was defined, for conflict messages. */
interface Origin {
  where: SourceLocation | undefined;
  file: string;
}

/** Loads every `include` entry of `tree` and adds its resources; `include` itself is dropped. */
export function applyIncludes(tree: Tree, ctx: FileContext): Tree {
  if (!Object.hasOwn(tree, "include")) return tree;
  const out: Tree = {};
  copyLocations(tree, out);
  for (const [key, value] of Object.entries(tree)) {
    if (key === "include") continue;
    putLocated(out, key, isMapping(value) && isSection(key) ? copyMap(value) : value, locationOf(tree, key));
  }
  const entries = tree.include;
  if (entries === null) return out;
  if (!Array.isArray(entries)) {
    throw new TscError("E_LOAD_INCLUDE", "include must be a list", {
      where: locationOf(tree, "include"),
      hint: "write `include:` followed by `- path/to/compose.yaml` entries",
    });
  }
  const origins = new Map<string, Origin>();
  for (const section of SECTIONS) {
    const own = out[section];
    if (!isMapping(own)) continue;
    for (const name of Object.keys(own))
      origins.set(`${section}.${name}`, { where: keyLocationOf(own, name), file: ctx.file });
  }
  for (const entry of locatedItems(entries)) {
    const spec = includeSpec(entry.value, entry.where, ctx);
    const loaded = ctx.loadInclude({
      files: spec.paths.map((p) => p.path),
      projectDirectory: spec.projectDirectory,
      // /dev/null stands for "no env file": without it the loader would fall back to COMPOSE_ENV_FILES.
      envFiles: spec.envFiles.length ? spec.envFiles : ["/dev/null"],
      env: ctx.environment,
      cwd: ctx.workingDir,
      interpolate: ctx.interpolate,
    });
    for (const warning of loaded.warnings) ctx.warn(warning);
    let imported = rebaseProject(loaded.tree, { dir: loaded.location.workingDir, defaultContext: true });
    imported = resolveEnvironment(imported, loaded.location.environment);
    importResources(imported, out, origins, spec.paths[0]!.path);
  }
  return out;
}

function isSection(key: string): boolean {
  return (SECTIONS as readonly string[]).includes(key);
}

function copyMap(map: Tree): Tree {
  const out: Tree = {};
  copyLocations(map, out);
  for (const [key, value] of Object.entries(map)) putLocated(out, key, value, locationOf(map, key));
  return out;
}

function includeSpec(entry: unknown, where: SourceLocation | undefined, ctx: FileContext): IncludeSpec {
  let rawPaths: Array<{ path: unknown; where: SourceLocation | undefined }> = [{ path: entry, where }];
  let projectDirectory: unknown;
  let envFiles: Array<{ path: unknown; where: SourceLocation | undefined }> | undefined;
  if (isMapping(entry)) {
    const path = entry.path;
    rawPaths = Array.isArray(path)
      ? locatedItems(path).map((item) => ({ path: item.value, where: item.where }))
      : [{ path, where: locationOf(entry, "path") }];
    projectDirectory = entry.project_directory;
    const env = entry.env_file;
    if (env !== undefined && env !== null) {
      envFiles = Array.isArray(env)
        ? locatedItems(env).map((item) => ({ path: item.value, where: item.where }))
        : [{ path: env, where: locationOf(entry, "env_file") }];
    }
  }
  if (rawPaths.length === 0 || rawPaths.some((p) => typeof p.path !== "string" || p.path === "")) {
    throw new TscError("E_LOAD_INCLUDE", "an include entry needs the path of a compose file", {
      where,
      hint: "write `- path/to/compose.yaml` or `- path: path/to/compose.yaml`",
    });
  }
  // compose-go resolves include paths, project_directory and env_file against the including project.
  const paths = rawPaths.map((p) => ({ path: resolve(ctx.workingDir, p.path as string), where: p.where }));
  for (const p of paths) requireFile(p.path, p.where, "compose file", ctx);
  checkCycle(paths[0]!, ctx);
  const dir =
    typeof projectDirectory === "string" && projectDirectory !== ""
      ? isAbsolute(projectDirectory)
        ? projectDirectory
        : join(ctx.workingDir, projectDirectory)
      : dirname(paths[0]!.path);
  const files: string[] = [];
  if (envFiles) {
    for (const file of envFiles) {
      if (typeof file.path !== "string" || file.path === "/dev/null") continue;
      const path = resolve(ctx.workingDir, file.path);
      requireFile(path, file.where, "env file", ctx);
      files.push(path);
    }
  } else if (isFile(join(dir, ".env"))) {
    files.push(join(dir, ".env"));
  }
  return { paths, projectDirectory: dir, envFiles: files };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function requireFile(path: string, where: SourceLocation | undefined, what: string, ctx: FileContext): void {
  if (isFile(path)) return;
  throw new TscError("E_LOAD_INCLUDE", `include: the ${what} ${path} does not exist`, {
    where,
    hint: `relative paths in include start at the project directory, ${ctx.workingDir}`,
  });
}

function checkCycle(main: { path: string; where: SourceLocation | undefined }, ctx: FileContext): void {
  if (!ctx.stack.includes(main.path)) return;
  const chain = [...ctx.stack, main.path].filter((file, i, all) => i === 0 || all[i - 1] !== file);
  const root = dirname(chain[0]!);
  throw new TscError(
    "E_LOAD_INCLUDE",
    `include cycle: ${chain.map((file) => relative(root, file) || file).join(" -> ")}`,
    { where: main.where, hint: "remove one of these includes" },
  );
}

/** `environment: [VAR]` takes VAR from the included project's own environment (compose-go ResolveEnvironment). */
function resolveEnvironment(tree: Tree, environment: Readonly<Record<string, string>>): Tree {
  const services = tree.services;
  if (!isMapping(services)) return tree;
  const resolved = copyMap(services);
  for (const [name, service] of Object.entries(services)) {
    if (!isMapping(service) || !Array.isArray(service.environment)) continue;
    const list = service.environment;
    const items = locatedItems(list).map((item) =>
      typeof item.value === "string" && !item.value.includes("=") && Object.hasOwn(environment, item.value)
        ? { ...item, value: `${item.value}=${environment[item.value]}` }
        : item,
    );
    if (items.every((item, i) => item.value === list[i])) continue;
    const copy = copyMap(service);
    putLocated(copy, "environment", locatedList(items, list), locationOf(service, "environment"));
    putLocated(resolved, name, copy, locationOf(services, name));
  }
  const out = copyMap(tree);
  putLocated(out, "services", resolved, locationOf(tree, "services"));
  return out;
}

function importResources(from: Tree, into: Tree, origins: Map<string, Origin>, file: string): void {
  for (const section of SECTIONS) {
    const source = from[section];
    if (!isMapping(source)) continue;
    const existing = into[section];
    const target: Tree = isMapping(existing) ? existing : {};
    if (target !== existing) {
      copyLocations(source, target);
      putLocated(into, section, target, locationOf(from, section));
    }
    for (const [name, definition] of Object.entries(source)) {
      const where = keyLocationOf(source, name);
      const key = `${section}.${name}`;
      const first = origins.get(key);
      if (first) {
        if (sameTree(target[name], definition)) continue;
        throw new TscError(
          "E_LOAD_INCLUDE_CONFLICT",
          `${key} is defined twice: in ${place(first)} and in the included ${place({ where, file })}`,
          {
            where: first.where ?? where,
            hint: `rename one of them, or keep a single definition of ${key}`,
          },
        );
      }
      origins.set(key, { where, file });
      putLocated(target, name, definition, locationOf(source, name));
    }
  }
}

function place(origin: Origin): string {
  return origin.where ? `${origin.where.file}:${origin.where.line}` : origin.file;
}

function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => sameTree(v, b[i]));
  if (isMapping(a) && isMapping(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameTree(a[k], b[k]))
    );
  }
  return false;
}
