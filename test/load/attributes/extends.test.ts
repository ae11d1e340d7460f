import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { load, projectDir } from "./round-trip.js";

describe("extends", () => {
  it("merges the base service from the same file and from another file", () => {
    const dir = projectDir();
    writeFileSync(
      join(dir, "base.yaml"),
      "services:\n  common:\n    image: base\n    environment: {LEVEL: base, FROM: file}\n    ports: ['80']\n",
    );
    const { project } = load(
      `
services:
  local:
    image: local
    environment: {LEVEL: local}
  web:
    extends: local
    ports: ["8080:80"]
  api:
    extends:
      file: base.yaml
      service: common
    environment: {LEVEL: api}
`,
      { cwd: dir },
    );
    expect(project.services.web).toMatchObject({
      image: "local",
      environment: { LEVEL: "local" },
      ports: [{ mode: "ingress", target: 80, published: "8080", protocol: "tcp" }],
    });
    expect(project.services.api).toMatchObject({
      image: "base",
      environment: { LEVEL: "api", FROM: "file" },
      ports: [{ mode: "ingress", target: 80, protocol: "tcp" }],
    });
    expect(project.services.api?.extends).toBeUndefined();
  });
});
