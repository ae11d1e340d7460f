/** The plan stage's public surface. For now: the depends_on graph (cycles, walk order). */
export {
  DependencyGraph,
  dependenciesOf,
  walk,
  type Dependency,
  type DependencyCondition,
  type WalkDirection,
  type WalkOptions,
} from "./graph.js";
export { serviceConfigHash } from "./config-hash.js";
