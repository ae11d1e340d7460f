import { basename, resolve } from "node:path";
import type { LoadOptions } from "./options.js";
import type { Tree } from "./source.js";

// STUB (foundation): replaced by the locate/env phase.

export interface ConfigFileRef {
  /** Absolute path; for stdin, `<projectDir>/-`... as compose does. */
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
  profiles: string[];
}

export function locateProject(options: LoadOptions): ProjectLocation {
  const cwd = options.cwd ?? process.cwd();
  const files = (options.files ?? ["compose.yaml"]).map((f) => ({ path: resolve(cwd, f) }));
  const environment: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined) environment[k] = v;
  return {
    configFiles: files,
    workingDir: options.projectDirectory ? resolve(cwd, options.projectDirectory) : cwd,
    environment,
    envFiles: [],
    explicitName: options.projectName,
    profiles: [...(options.profiles ?? [])],
  };
}

export function resolveProjectName(location: ProjectLocation, tree: Tree): string {
  if (location.explicitName) return location.explicitName;
  if (typeof tree.name === "string") return tree.name;
  return projectNameFromDirectory(location.workingDir);
}

export function projectNameFromDirectory(dir: string): string {
  return basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "");
}
