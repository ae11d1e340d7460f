import { describe, expect, it } from "vitest";
import type { Service } from "../../src/load/index.js";
import { serviceConfigHash } from "../../src/plan/index.js";

describe("serviceConfigHash", () => {
  it("matches docker compose's ServiceHash (vector from docker/compose pkg/compose/convergence_test.go)", () => {
    const service: Service = { networks: { a: { priority: 10 }, b: { priority: 100 } } };
    expect(serviceConfigHash(service)).toBe(
      "8dbce408396f8986266bc5deba0c09cfebac63c95c2238e405c7bee5f1bd84b8",
    );
  });

  const base: Service = { image: "nginx", networks: { default: null } };

  it.each<[string, Service]>([
    ["build", { ...base, build: { context: "/src", dockerfile: "Dockerfile" } }],
    ["pull_policy", { ...base, pull_policy: "always" }],
    ["scale", { ...base, scale: 3 }],
    ["depends_on", { ...base, depends_on: { db: { condition: "service_started", required: true } } }],
    ["profiles", { ...base, profiles: ["debug"] }],
    ["env_file", { ...base, env_file: [{ path: "/x.env", required: true }] }],
  ])("ignores %s", (_key, service) => {
    expect(serviceConfigHash(service)).toBe(serviceConfigHash(base));
  });

  it("ignores deploy.replicas but not the rest of deploy", () => {
    const deployed: Service = { ...base, deploy: { restart_policy: { condition: "any" } } };
    expect(serviceConfigHash({ ...deployed, deploy: { ...deployed.deploy, replicas: 4 } })).toBe(
      serviceConfigHash(deployed),
    );
    expect(serviceConfigHash(deployed)).not.toBe(serviceConfigHash(base));
  });

  it.each<[string, Service]>([
    ["image", { ...base, image: "nginx:2" }],
    ["environment", { ...base, environment: { A: "1" } }],
    ["command", { ...base, command: ["run"] }],
  ])("changes with %s", (_key, service) => {
    expect(serviceConfigHash(service)).not.toBe(serviceConfigHash(base));
  });
});
