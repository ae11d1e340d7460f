import type { FileContext } from "./index.js";
import type { Tree } from "./source.js";

// STUB (foundation): replaced by the extends phase.
export function applyExtends(tree: Tree, _ctx: FileContext): Tree {
  return tree;
}
