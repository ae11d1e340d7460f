import type { Tree } from "./source.js";

// STUB (foundation): replaced by the schema phase.
export function validateSchema(_tree: Tree, _file: string): void {}
