import type { Tree } from "./source.js";

export interface ProfileSelection {
  profiles: readonly string[];
  services: readonly string[];
}

// STUB (foundation): replaced by the profiles phase.
export function applyProfiles(tree: Tree, _selection: ProfileSelection): Tree {
  return tree;
}
