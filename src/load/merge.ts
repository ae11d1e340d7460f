import type { Tree } from "./source.js";

// STUB (foundation): replaced by the merge phase.
export function mergeTrees(base: Tree, override: Tree): Tree {
  return { ...base, ...override };
}

/** Drops `!reset` values and unwraps `!override` ones once every file is merged. */
export function resetTags(tree: Tree): Tree {
  return tree;
}
