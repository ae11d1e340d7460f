import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { TscError, isErrno } from "../errors.js";
import type { LoadOptions, LoadWarning } from "./options.js";
import { parseYaml, locationOf, type Tree } from "./source.js";
import { locateProject, resolveProjectName, type ProjectLocation } from "./locate.js";
import { interpolateTree } from "./interpolate.js";
import { castTypes } from "./cast.js";
import { validateSchema } from "./schema.js";
import { applyIncludes } from "./include.js";
import { applyExtends } from "./extends.js";
import { mergeTrees, resetTags } from "./merge.js";
import { normalizeTree } from "./normalize.js";
import { applyProfiles } from "./profiles.js";
import { checkConsistency } from "./consistency.js";
import { checkDependencyCycle } from "./dependency-cycle.js";
import { toProject, type Project } from "./model.js";

export type { LoadOptions, LoadWarning } from "./options.js";
export type * from "./model.js";
export { parseDotenv } from "./dotenv.js";
export { projectNameFromDirectory } from "./locate.js";
export { collectVariables, type ComposeVariable } from "./interpolate.js";
export { renderProject, renderServiceJson, renderTree, type RenderFormat } from "./render.js";
export { renderVariables } from "./render-variables.js";

export interface LoadResult {
  project: Project;
  /** The tree before normalization, for `config --no-normalize`. */
  tree: Tree;
  /** The tree the model was built from (normalized, profiles applied), for `config --no-interpolate`. */
  normalized: Tree;
  location: ProjectLocation;
  warnings: LoadWarning[];
}

/** A project loaded up to its merged tree: what `include` takes from a sub-project (compose-go skips
 * normalization and the consistency checks of included projects). */
export interface LoadedTree {
  tree: Tree;
  location: ProjectLocation;
  warnings: LoadWarning[];
}

/** The context a per-file phase needs. */
export interface FileContext {
  file: string;
  workingDir: string;
  environment: Readonly<Record<string, string>>;
  interpolate: boolean;
  warn: (warning: LoadWarning) => void;
  /** Reads and prepares (parse, interpolate, casts, validate, extends) another file, for `extends.file`. */
  loadFile: (path: string) => Tree;
  /** Loads a whole sub-project up to its merged tree, for `include`. */
  loadInclude: (options: LoadOptions) => LoadedTree;
  /** Files already on the include/extends stack, to reject cycles. */
  stack: readonly string[];
}

/**
 * Loads compose files into one normalized Project, in compose-go's phase order (docs/load-phases.md):
 * locate -> env -> per file (parse, interpolate, casts, schema, include, extends) -> merge -> normalize
 * -> consistency -> profiles -> model.
 */
export function loadProject(options: LoadOptions = {}): LoadResult {
  return loadWithStack(options, []);
}

function loadWithStack(options: LoadOptions, stack: readonly string[]): LoadResult {
  const { tree, location, warnings } = loadTree(options, stack);
  const projectName = resolveProjectName(location, tree);
  let normalized = normalizeTree(tree, {
    projectName,
    workingDir: location.workingDir,
    environment: location.environment,
    normalize: options.normalize !== false,
  });
  checkConsistency(normalized, { normalized: options.normalize !== false });
  checkDependencyCycle(normalized);
  normalized = applyProfiles(normalized, {
    profiles: location.profiles,
    services: options.services ?? [],
  });
  const project = toProject(normalized, { projectName, workingDir: location.workingDir, location });
  return { project, tree, normalized, location, warnings };
}

function loadTree(options: LoadOptions, stack: readonly string[]): LoadedTree {
  const warnings: LoadWarning[] = [];
  const warn = (warning: LoadWarning) => warnings.push(warning);
  const location = locateProject(options);
  warnings.push(...location.warnings);
  const interpolate = options.interpolate !== false;
  const cache = new Map<string, Tree>();

  const context = (file: string, fileStack: readonly string[]): FileContext => ({
    file,
    workingDir: location.workingDir,
    environment: location.environment,
    interpolate,
    warn,
    loadFile: (path) => {
      const cached = cache.get(path);
      if (cached) return cached;
      const docs = readDocuments(path, undefined).map((doc) =>
        prepare(doc, context(path, [...fileStack, path])),
      );
      const tree = docs.reduce((acc, doc) => mergeTrees(acc, doc), {} as Tree);
      cache.set(path, tree);
      return tree;
    },
    loadInclude: (includeOptions) => loadTree(includeOptions, [...fileStack, file]),
    stack: fileStack,
  });

  const prepare = (document: unknown, ctx: FileContext): Tree => {
    let tree = asTree(document, ctx.file);
    if (ctx.interpolate) tree = interpolateTree(tree, ctx.environment, ctx.warn);
    if (ctx.interpolate) tree = castTypes(tree, ctx.warn);
    validateSchema(tree, ctx.file, ctx.warn);
    return tree;
  };

  let merged: Tree = {};
  for (const ref of location.configFiles) {
    for (const document of readDocuments(ref.path, ref.content)) {
      const ctx = context(ref.path, [...stack, ref.path]);
      let tree = prepare(document, ctx);
      tree = applyIncludes(tree, ctx);
      tree = applyExtends(tree, ctx);
      merged = mergeTrees(merged, tree);
    }
  }
  return { tree: resetTags(merged), location, warnings };
}

function readDocuments(path: string, content: string | undefined): unknown[] {
  let text = content;
  if (text === undefined) {
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if (isErrno(error, "ENOENT")) {
        throw new TscError("E_LOAD_NOT_FOUND", `${path}: no such file`, {
          hint: `check the path given with -f or COMPOSE_FILE (relative paths start at ${dirname(path)})`,
        });
      }
      throw new TscError("E_LOAD_READ", `${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  return parseYaml(path, text).documents;
}

function asTree(document: unknown, file: string): Tree {
  if (document === null || document === undefined) return {};
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new TscError("E_LOAD_SCHEMA", `${file}: a compose file must be a mapping at the top level`, {
      where: locationOf(document) ?? { file, line: 1, column: 1 },
      hint: "start the file with keys such as `services:`",
    });
  }
  return document as Tree;
}
