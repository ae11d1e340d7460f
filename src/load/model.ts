import type { Tree } from "./source.js";
import type { ProjectLocation } from "./locate.js";

// STUB (foundation): replaced by the model phase.
export interface Project {
  name: string;
  workingDir: string;
  services: Record<string, Record<string, unknown>>;
  raw: Tree;
}

export function toProject(
  tree: Tree,
  context: { projectName: string; workingDir: string; location: ProjectLocation },
): Project {
  return {
    name: context.projectName,
    workingDir: context.workingDir,
    services: (tree.services ?? {}) as Record<string, Record<string, unknown>>,
    raw: tree,
  };
}
