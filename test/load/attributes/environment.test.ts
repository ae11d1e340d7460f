import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TscError } from "../../../src/errors.js";
import { loadProject } from "../../../src/load/index.js";
import { load, projectDir } from "./round-trip.js";

describe("environment", () => {
  it("takes bare keys from the environment, keeps unset ones null, and merges env files under it", () => {
    const dir = projectDir();
    writeFileSync(join(dir, "app.env"), "FROM_FILE=file\nOVERRIDDEN=file\nREF=${SHELL_VAR}\n");
    const { project, yaml } = load(
      `
services:
  app:
    image: x
    env_file: [app.env, {path: missing.env, required: false}]
    environment:
      - PLAIN=1
      - SHELL_VAR
      - UNSET
      - OVERRIDDEN=service
      - DOLLAR=a$$b
`,
      { cwd: dir, env: { SHELL_VAR: "shell" } },
    );
    expect(project.services.app?.environment).toEqual({
      FROM_FILE: "file",
      REF: "shell",
      PLAIN: "1",
      SHELL_VAR: "shell",
      UNSET: null,
      OVERRIDDEN: "service",
      DOLLAR: "a$b",
    });
    expect(project.services.app?.env_file).toEqual([
      { path: join(dir, "app.env"), required: true },
      { path: join(dir, "missing.env"), required: false },
    ]);
    expect(yaml).toContain("      UNSET: null\n");
    expect(yaml).not.toContain("env_file");
  });

  it("fails on a missing required env file, at its entry", () => {
    const dir = projectDir();
    let error: unknown;
    try {
      loadProject({
        cwd: dir,
        env: {},
        files: ["-"],
        stdin: "services:\n  app:\n    image: x\n    env_file: [nope.env]\n",
      });
    } catch (caught) {
      error = caught;
    }
    expect(TscError.is(error)).toBe(true);
    expect((error as TscError).message).toBe(`env file ${join(dir, "nope.env")} not found`);
    expect((error as TscError).where?.line).toBe(4);
  });

  it("merges label files under the service's labels", () => {
    const dir = projectDir();
    writeFileSync(join(dir, "a.labels"), "tier=file\nteam=core\n");
    writeFileSync(join(dir, "b.labels"), "owner=${team}-ops\n");
    const { project, yaml } = load(
      "services:\n  app:\n    image: x\n    label_file: [a.labels, b.labels]\n    labels: [tier=service]\n",
      { cwd: dir },
    );
    expect(project.services.app?.labels).toEqual({ team: "core", owner: "core-ops", tier: "service" });
    expect(yaml).toContain("    labels:\n      owner: core-ops\n      team: core\n      tier: service\n");
    expect(yaml).not.toContain("label_file");
  });
});
