import { DependencyGraph, dependenciesOf, type Dependency } from "../plan/index.js";
import type { Tree } from "./source.js";
import { dependsOnRefs, serviceLocation, servicesOf } from "./service-refs.js";

/**
 * Rejects a depends_on cycle (E_DEP_CYCLE, `alpha -> beta -> alpha`), located at the depends_on entry that
 * closes it. Runs after the consistency checks, so every required dependency names a defined service.
 */
export function checkDependencyCycle(tree: Tree): void {
  const services = servicesOf(tree);
  const input: Record<string, Dependency[]> = {};
  for (const [name, service] of Object.entries(services)) {
    const located = new Map(
      dependsOnRefs(service, serviceLocation(tree, name)).map((ref) => [ref.name, ref.where]),
    );
    input[name] = dependenciesOf(service.depends_on).map((dependency) => ({
      ...dependency,
      where: located.get(dependency.service),
    }));
  }
  new DependencyGraph(input).assertAcyclic();
}
