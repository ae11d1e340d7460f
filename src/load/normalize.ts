import type { Tree } from "./source.js";

export interface NormalizeContext {
  projectName: string;
  workingDir: string;
  environment: Readonly<Record<string, string>>;
}

// STUB (foundation): replaced by the normalize phase.
export function normalizeTree(tree: Tree, _ctx: NormalizeContext): Tree {
  return tree;
}
