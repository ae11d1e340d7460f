import type { LoadWarning } from "./options.js";
import type { Tree } from "./source.js";

// STUB (foundation): replaced by the interpolation phase.
export function interpolateTree(
  tree: Tree,
  _environment: Readonly<Record<string, string>>,
  _warn: (warning: LoadWarning) => void,
): Tree {
  return tree;
}

export function castTypes(tree: Tree): Tree {
  return tree;
}
