import { TscError, type SourceLocation } from "../errors.js";

/**
 * The depends_on graph of a project, as compose-go's graph package: one vertex per service, an edge from a
 * service to each service it depends on. It finds cycles (reported with their path) and walks the services
 * in dependency order ("up": dependencies first, for start) or in reverse ("down": dependents first, for stop)
 * with a bound on how many visits run at once. Pure: no I/O, deterministic (names are sorted everywhere).
 */

/** When a dependent may start: once the dependency started, is healthy, or exited with status 0. */
export type DependencyCondition = "service_started" | "service_healthy" | "service_completed_successfully";

/** One depends_on entry: the service depended on and compose's long-syntax attributes. */
export interface Dependency {
  service: string;
  condition: DependencyCondition;
  /** false: the dependent starts even if this service is absent or fails to start. */
  required: boolean;
  /** Restart the dependent when this service is updated. */
  restart: boolean;
  /** The depends_on entry in the user's file, when known (for the cycle error). */
  where?: SourceLocation;
}

export type WalkDirection = "up" | "down";

export interface WalkOptions {
  /** "up" (default) visits a service after all its dependencies; "down" after all its dependents. */
  direction?: WalkDirection;
  /** Most visits in flight at once; 0 or absent for no limit. */
  concurrency?: number;
}

const CONDITIONS: readonly string[] = [
  "service_started",
  "service_healthy",
  "service_completed_successfully",
];

/**
 * Reads a service's depends_on in the normalized map form (`{db: {condition, required, restart}}`) or the
 * short list form (`[db]`: started, required).
 */
export function dependenciesOf(dependsOn: unknown): Dependency[] {
  if (Array.isArray(dependsOn)) {
    return dependsOn
      .filter((name): name is string => typeof name === "string")
      .map((service) => ({ service, condition: "service_started", required: true, restart: false }));
  }
  if (typeof dependsOn !== "object" || dependsOn === null) return [];
  return Object.entries(dependsOn as Record<string, unknown>).map(([service, value]) => {
    const entry = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
    const condition = CONDITIONS.includes(String(entry.condition))
      ? (entry.condition as DependencyCondition)
      : "service_started";
    return {
      service,
      condition,
      required: entry.required !== false && entry.required !== "false",
      restart: entry.restart === true || entry.restart === "true",
    };
  });
}

export class DependencyGraph {
  /** Service names, sorted. */
  readonly services: readonly string[];
  private readonly edges = new Map<string, readonly Dependency[]>();
  private readonly reverse = new Map<string, string[]>();

  /**
   * `services` maps each service to its dependencies. Dependencies on services that are not in the map are
   * left out: the consistency and profiles phases have already rejected the required ones, and an optional
   * dependency on an absent service does not order anything.
   */
  constructor(services: Readonly<Record<string, readonly Dependency[]>>) {
    this.services = Object.keys(services).sort();
    for (const name of this.services) this.reverse.set(name, []);
    for (const name of this.services) {
      const dependencies = (services[name] ?? [])
        .filter((dependency) => this.reverse.has(dependency.service))
        .sort((a, b) => compare(a.service, b.service));
      this.edges.set(name, dependencies);
      for (const dependency of dependencies) this.reverse.get(dependency.service)?.push(name);
    }
    for (const dependents of this.reverse.values()) dependents.sort(compare);
  }

  /** Builds the graph from a services map whose entries carry `depends_on` (the model's shape). */
  static fromServices(services: Readonly<Record<string, { depends_on?: unknown }>>): DependencyGraph {
    const input: Record<string, Dependency[]> = {};
    for (const [name, service] of Object.entries(services)) input[name] = dependenciesOf(service.depends_on);
    return new DependencyGraph(input);
  }

  /** What `service` depends on, sorted by name. */
  dependencies(service: string): readonly Dependency[] {
    return this.edges.get(service) ?? [];
  }

  /** The services that depend on `service`, sorted. */
  dependents(service: string): readonly string[] {
    return this.reverse.get(service) ?? [];
  }

  /** `service` and everything it depends on, directly or not, sorted. */
  withDependencies(service: string): string[] {
    const seen = new Set<string>();
    const stack = [service];
    while (stack.length > 0) {
      const name = stack.pop() as string;
      if (seen.has(name) || !this.edges.has(name)) continue;
      seen.add(name);
      for (const dependency of this.dependencies(name)) stack.push(dependency.service);
    }
    return [...seen].sort(compare);
  }

  /**
   * The first cycle found, as a path that starts and ends with the same service (`[a, b, a]`), else undefined.
   * Vertices and edges are visited in name order so the same file always reports the same cycle.
   */
  findCycle(): string[] | undefined {
    const cleared = new Set<string>();
    const search = (path: string[]): string[] | undefined => {
      const current = path[path.length - 1] as string;
      for (const { service } of this.dependencies(current)) {
        const index = path.indexOf(service);
        if (index >= 0) return [...path.slice(index), service];
        if (cleared.has(service)) continue;
        const cycle = search([...path, service]);
        if (cycle) return cycle;
      }
      // Nothing reachable from here closes a cycle; later searches need not enter it again.
      cleared.add(current);
      return undefined;
    };
    for (const name of this.services) {
      if (cleared.has(name)) continue;
      const cycle = search([name]);
      if (cycle) return cycle;
    }
    return undefined;
  }

  /** The edge that closes `cycle` (from its second-to-last service to its last). */
  closingEdge(cycle: readonly string[]): Dependency | undefined {
    const from = cycle[cycle.length - 2];
    const to = cycle[cycle.length - 1];
    return from === undefined ? undefined : this.dependencies(from).find((d) => d.service === to);
  }

  /** Throws E_DEP_CYCLE, located at the depends_on entry that closes the cycle, if there is one. */
  assertAcyclic(): void {
    const cycle = this.findCycle();
    if (!cycle) return;
    const closing = this.closingEdge(cycle);
    const from = cycle[cycle.length - 2] ?? "";
    const to = cycle[cycle.length - 1] ?? "";
    const hint =
      cycle.length === 2
        ? `a service cannot depend on itself: remove "${to}" from the depends_on of "${from}"`
        : `services cannot wait for each other in a circle: remove one of these depends_on entries (e.g. "${to}" from the depends_on of "${from}")`;
    throw new TscError("E_DEP_CYCLE", `dependency cycle detected: ${cycle.join(" -> ")}`, {
      where: closing?.where,
      hint,
    });
  }

  /**
   * Every service in walk order: "up" puts each service after its dependencies, "down" after its dependents.
   * Among services that are ready at the same time, names sort. Throws E_DEP_CYCLE on a cycle.
   */
  order(direction: WalkDirection = "up"): string[] {
    this.assertAcyclic();
    const waiting = this.waitCounts(direction);
    const ready = this.services.filter((name) => waiting.get(name) === 0);
    const out: string[] = [];
    while (ready.length > 0) {
      const name = ready.shift() as string;
      out.push(name);
      for (const next of this.unblocks(name, direction)) {
        const left = (waiting.get(next) ?? 0) - 1;
        waiting.set(next, left);
        if (left === 0) insertSorted(ready, next);
      }
    }
    return out;
  }

  /** How many visits each service waits for before it may be visited. */
  waitCounts(direction: WalkDirection): Map<string, number> {
    const counts = new Map<string, number>();
    for (const name of this.services) {
      counts.set(name, direction === "up" ? this.dependencies(name).length : this.dependents(name).length);
    }
    return counts;
  }

  /** The services that wait, among others, for `service` to be visited. */
  unblocks(service: string, direction: WalkDirection): readonly string[] {
    return direction === "up" ? this.dependents(service) : this.dependencies(service).map((d) => d.service);
  }
}

/**
 * Visits every service of `graph` in dependency order, running independent services concurrently (at most
 * `concurrency` at once). A service is visited only after all the services it waits for have been visited
 * successfully. On the first failure no new visit starts; the walk waits for the visits in flight and rejects
 * with that failure. Rejects with E_DEP_CYCLE, before visiting anything, if the graph has a cycle.
 */
export function walk(
  graph: DependencyGraph,
  visit: (service: string) => Promise<void>,
  options: WalkOptions = {},
): Promise<void> {
  const direction = options.direction ?? "up";
  const limit = options.concurrency && options.concurrency > 0 ? options.concurrency : Infinity;
  return new Promise<void>((resolve, reject) => {
    try {
      graph.assertAcyclic();
    } catch (error) {
      reject(error);
      return;
    }
    const waiting = graph.waitCounts(direction);
    const ready = graph.services.filter((name) => waiting.get(name) === 0);
    let running = 0;
    let visited = 0;
    let failure: { error: unknown } | undefined;

    const finished = (name: string) => {
      visited++;
      for (const next of graph.unblocks(name, direction)) {
        const left = (waiting.get(next) ?? 0) - 1;
        waiting.set(next, left);
        if (left === 0) insertSorted(ready, next);
      }
    };
    const schedule = () => {
      while (!failure && ready.length > 0 && running < limit) {
        const name = ready.shift() as string;
        running++;
        Promise.resolve()
          .then(() => visit(name))
          .then(
            () => {
              running--;
              finished(name);
              schedule();
            },
            (error: unknown) => {
              running--;
              failure ??= { error };
              schedule();
            },
          );
      }
      if (running > 0) return;
      if (failure) reject(failure.error);
      else if (visited === graph.services.length) resolve();
    };
    schedule();
  });
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function insertSorted(list: string[], name: string): void {
  const index = list.findIndex((other) => compare(other, name) > 0);
  if (index === -1) list.push(name);
  else list.splice(index, 0, name);
}
