import type { FileContext } from "./index.js";
import type { Tree } from "./source.js";

// STUB (foundation): replaced by the include phase.
export function applyIncludes(tree: Tree, _ctx: FileContext): Tree {
  return tree;
}
