import type { Tree } from "./source.js";

// STUB (foundation): replaced by the consistency phase.
export function checkConsistency(_tree: Tree, _options: { normalized: boolean }): void {}
