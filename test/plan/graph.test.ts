import { describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { DependencyGraph, dependenciesOf, walk, type Dependency } from "../../src/plan/index.js";

/** A graph from `{a: "b c"}` (a depends on b and c, started). */
function graph(spec: Record<string, string>): DependencyGraph {
  const input: Record<string, Dependency[]> = {};
  for (const [name, deps] of Object.entries(spec)) {
    input[name] = deps
      .split(" ")
      .filter(Boolean)
      .map((service) => ({ service, condition: "service_started", required: true, restart: false }));
  }
  return new DependencyGraph(input);
}

describe("dependenciesOf", () => {
  it.each([
    { name: "list form", input: ["db"], expected: [["db", "service_started", true, false]] },
    {
      name: "map form with every attribute",
      input: { db: { condition: "service_healthy", required: false, restart: true } },
      expected: [["db", "service_healthy", false, true]],
    },
    {
      name: "map form with defaults",
      input: { job: { condition: "service_completed_successfully" }, cache: null },
      expected: [
        ["job", "service_completed_successfully", true, false],
        ["cache", "service_started", true, false],
      ],
    },
    { name: "absent", input: undefined, expected: [] },
  ])("$name", ({ input, expected }) => {
    expect(dependenciesOf(input).map((d) => [d.service, d.condition, d.required, d.restart])).toEqual(
      expected,
    );
  });
});

describe("findCycle", () => {
  it.each([
    { name: "no dependencies", spec: { a: "", b: "" }, cycle: undefined },
    { name: "a chain", spec: { a: "b", b: "c", c: "" }, cycle: undefined },
    { name: "a diamond", spec: { a: "b c", b: "d", c: "d", d: "" }, cycle: undefined },
    { name: "a service on itself", spec: { a: "a" }, cycle: "a -> a" },
    { name: "two services", spec: { b: "a", a: "b" }, cycle: "a -> b -> a" },
    {
      name: "three services",
      spec: { gamma: "alpha", alpha: "beta", beta: "gamma" },
      cycle: "alpha -> beta -> gamma -> alpha",
    },
    { name: "a cycle behind an entry", spec: { a: "b", b: "c", c: "d", d: "b" }, cycle: "b -> c -> d -> b" },
    {
      name: "the first of two cycles by name",
      spec: { x: "y", y: "x", b: "c", c: "b" },
      cycle: "b -> c -> b",
    },
    { name: "a dependency outside the graph is ignored", spec: { a: "ghost" }, cycle: undefined },
  ] as Array<{ name: string; spec: Record<string, string>; cycle: string | undefined }>)(
    "$name",
    ({ spec, cycle }) => {
      expect(graph(spec).findCycle()?.join(" -> ")).toBe(cycle);
    },
  );

  it("stays fast on a wide DAG with shared dependencies (no path explosion)", () => {
    const spec: Record<string, string> = {};
    for (let layer = 0; layer < 30; layer++) {
      for (let i = 0; i < 3; i++)
        spec[`s${layer}_${i}`] = layer === 29 ? "" : `s${layer + 1}_0 s${layer + 1}_1 s${layer + 1}_2`;
    }
    expect(graph(spec).findCycle()).toBeUndefined();
  });

  it("reports E_DEP_CYCLE at the depends_on entry that closes the cycle", () => {
    const where = { file: "compose.yaml", line: 9, column: 7 };
    const g = new DependencyGraph({
      alpha: [{ service: "beta", condition: "service_started", required: true, restart: false }],
      beta: [{ service: "alpha", condition: "service_healthy", required: true, restart: false, where }],
    });
    let error: unknown;
    try {
      g.assertAcyclic();
    } catch (e) {
      error = e;
    }
    expect(TscError.is(error)).toBe(true);
    const tsc = error as TscError;
    expect(tsc.code).toBe("E_DEP_CYCLE");
    expect(tsc.message).toBe("dependency cycle detected: alpha -> beta -> alpha");
    expect(tsc.where).toEqual(where);
    expect(tsc.hint).toContain('"alpha" from the depends_on of "beta"');
  });
});

describe("order", () => {
  const spec = { web: "api", api: "db cache", worker: "db", db: "", cache: "" };
  it.each([
    { direction: "up" as const, expected: ["cache", "db", "api", "web", "worker"] },
    { direction: "down" as const, expected: ["web", "api", "cache", "worker", "db"] },
  ])("$direction", ({ direction, expected }) => {
    expect(graph(spec).order(direction)).toEqual(expected);
  });

  it("rejects a cycle", () => {
    expect(() => graph({ a: "b", b: "a" }).order()).toThrow(/dependency cycle detected: a -> b -> a/);
  });

  it("knows dependents and transitive dependencies", () => {
    const g = graph(spec);
    expect(g.dependents("db")).toEqual(["api", "worker"]);
    expect(g.withDependencies("web")).toEqual(["api", "cache", "db", "web"]);
  });
});

/** Runs a walk whose visits each take one tick, recording starts, ends and the most in flight. */
async function trace(g: DependencyGraph, options: Parameters<typeof walk>[2], fail?: string) {
  const events: string[] = [];
  let inFlight = 0;
  let most = 0;
  const result = walk(
    g,
    async (name) => {
      events.push(`+${name}`);
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      events.push(`-${name}`);
      if (name === fail) throw new Error(`${name} failed`);
    },
    options,
  ).then(
    () => "ok",
    (error: Error) => error.message,
  );
  return { outcome: await result, events, most };
}

describe("walk", () => {
  const spec = { web: "api", api: "db cache", worker: "db", db: "", cache: "" };

  it.each([
    { direction: "up" as const, concurrency: 1, starts: ["cache", "db", "api", "web", "worker"], most: 1 },
    { direction: "down" as const, concurrency: 1, starts: ["web", "api", "cache", "worker", "db"], most: 1 },
    { direction: "up" as const, concurrency: 0, starts: ["cache", "db", "api", "worker", "web"], most: 2 },
    { direction: "down" as const, concurrency: 2, starts: ["web", "worker", "api", "cache", "db"], most: 2 },
  ])("$direction with concurrency $concurrency", async ({ direction, concurrency, starts, most }) => {
    const g = graph(spec);
    const run = await trace(g, { direction, concurrency });
    expect(run.outcome).toBe("ok");
    expect(run.events.filter((e) => e.startsWith("+")).map((e) => e.slice(1))).toEqual(starts);
    expect(run.most).toBe(most);
    // Every service starts only after what it waits for has finished.
    for (const name of g.services) {
      const start = run.events.indexOf(`+${name}`);
      const waitsFor = direction === "up" ? g.dependencies(name).map((d) => d.service) : g.dependents(name);
      for (const other of waitsFor) expect(run.events.indexOf(`-${other}`)).toBeLessThan(start);
    }
  });

  it("stops starting visits after a failure, lets the ones in flight finish, and rejects with it", async () => {
    const run = await trace(graph({ a: "c", b: "", c: "" }), { concurrency: 0 }, "b");
    expect(run.outcome).toBe("b failed");
    expect(run.events).toEqual(["+b", "+c", "-b", "-c"]);
  });

  it("rejects a cycle before visiting anything", async () => {
    const run = await trace(graph({ a: "b", b: "a", c: "" }), {});
    expect(run.outcome).toBe("dependency cycle detected: a -> b -> a");
    expect(run.events).toEqual([]);
  });

  it("resolves at once on an empty graph", async () => {
    expect((await trace(graph({}), {})).outcome).toBe("ok");
  });

  it("builds from the model's services (depends_on in map form)", () => {
    const g = DependencyGraph.fromServices({
      web: { depends_on: { db: { condition: "service_healthy", required: true } } },
      db: {},
    });
    expect(g.order("up")).toEqual(["db", "web"]);
    expect(g.dependencies("web")[0]?.condition).toBe("service_healthy");
  });
});
