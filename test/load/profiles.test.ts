import { describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { applyProfiles } from "../../src/load/profiles.js";
import { keyLocationOf, locationOf, parseYaml, type Tree } from "../../src/load/source.js";

const parse = (yaml: string) => parseYaml("compose.yaml", yaml).documents[0] as Tree;

// The Docker Compose documentation's profiles example, plus a service that always runs.
const STACK = `
services:
  web:
    image: web
  mock-backend:
    image: backend
    profiles: [dev]
    depends_on: [db]
  db:
    image: mysql
    profiles: [dev]
  phpmyadmin:
    image: phpmyadmin
    profiles: [debug]
    depends_on:
      db:
        condition: service_started
        required: true
  tracer:
    image: jaeger
    profiles: [debug, trace]
networks:
  unused: {}
`;

const names = (tree: Tree) => Object.keys(tree.services as Tree);

function failure(yaml: string, profiles: string[], services: string[] = []): TscError {
  try {
    applyProfiles(parse(yaml), { profiles, services });
  } catch (error) {
    if (TscError.is(error)) return error;
    throw error;
  }
  throw new Error("expected applyProfiles to fail");
}

describe("applyProfiles keeps", () => {
  it.each([
    { name: "services without profiles when none is active", profiles: [], services: [], kept: ["web"] },
    { name: "a profile's services", profiles: ["dev"], services: [], kept: ["web", "mock-backend", "db"] },
    {
      name: "a service with one of its profiles active",
      profiles: ["trace"],
      services: [],
      kept: ["web", "tracer"],
    },
    {
      name: "everything with *",
      profiles: ["*"],
      services: [],
      kept: ["web", "mock-backend", "db", "phpmyadmin", "tracer"],
    },
    {
      name: "a named service, its profile enabled with it, and its dependencies",
      profiles: [],
      services: ["mock-backend"],
      kept: ["mock-backend", "db"],
    },
    { name: "only the named services", profiles: ["dev"], services: ["web"], kept: ["web"] },
    {
      name: "a named service whose dependency's profile is active",
      profiles: ["dev"],
      services: ["phpmyadmin"],
      kept: ["db", "phpmyadmin"],
    },
  ])("$name", ({ profiles, services, kept }) => {
    expect(names(applyProfiles(parse(STACK), { profiles, services }))).toEqual(kept);
  });

  it("leaves top-level resources and the input tree alone", () => {
    const tree = parse(STACK);
    const out = applyProfiles(tree, { profiles: [], services: [] });
    expect(out.networks).toEqual({ unused: {} });
    expect(names(tree)).toHaveLength(5);
  });

  it("drops an optional dependency on a disabled service, keeping locations", () => {
    const yaml = `
services:
  web:
    image: web
    depends_on:
      db: {condition: service_started, required: true}
      metrics: {condition: service_started, required: false}
  db:
    image: db
  metrics:
    image: prom
    profiles: [monitoring]
`;
    const out = applyProfiles(parse(yaml), { profiles: [], services: [] });
    const web = (out.services as Tree).web as Tree;
    expect(Object.keys(web.depends_on as Tree)).toEqual(["db"]);
    expect(locationOf(web.depends_on, "db")?.line).toBe(6);
    expect(keyLocationOf(out.services, "web")?.line).toBe(3);
  });

  it("returns a tree without services unchanged", () => {
    const tree = parse("name: x\n");
    expect(applyProfiles(tree, { profiles: ["a"], services: [] })).toBe(tree);
  });
});

describe("applyProfiles rejects", () => {
  it("a required dependency disabled by a profile, naming the profile, at the depends_on entry", () => {
    const error = failure(STACK, ["debug"]);
    expect(error.code).toBe("E_LOAD_PROFILE");
    expect(error.message).toBe(
      'service "phpmyadmin" depends on "db", which is disabled: enable profile "dev" (--profile dev)',
    );
    expect(`${error.where?.line}:${error.where?.column}`).toBe("16:7");
    expect(error.hint).toContain("--profile dev");
  });

  it("naming a service does not enable its dependencies' profiles (as Docker Compose)", () => {
    const error = failure(STACK, [], ["phpmyadmin"]);
    expect(error.code).toBe("E_LOAD_PROFILE");
    expect(error.message).toContain('service "phpmyadmin" depends on "db"');
  });

  it("lists every profile that would enable the dependency", () => {
    const yaml =
      "services:\n  app:\n    image: a\n    depends_on: [trace]\n  trace:\n    image: t\n    profiles: [debug, trace]\n";
    expect(failure(yaml, []).message).toBe(
      'service "app" depends on "trace", which is disabled: enable one of the profiles "debug", "trace" (--profile debug or --profile trace)',
    );
  });

  it("an unknown service name, with did-you-mean", () => {
    const error = failure(STACK, [], ["wbe"]);
    expect(error.code).toBe("E_LOAD_NO_SERVICE");
    expect(error.message).toBe("no such service: wbe");
    expect(error.hint).toBe('did you mean "web"?');
  });
});
