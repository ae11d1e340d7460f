import { describe, expect, it } from "vitest";
import { load, projectDir } from "./round-trip.js";

describe("build", () => {
  it("turns a string into an absolute context with the default Dockerfile", () => {
    const dir = projectDir();
    const { project, yaml } = load("services:\n  web:\n    build: ./web\n", { cwd: dir });
    expect(project.services.web?.build).toEqual({ context: `${dir}/web`, dockerfile: "Dockerfile" });
    expect(yaml).toBe(`name: ${dir.split("/").pop()?.toLowerCase()}
services:
  web:
    build:
      context: ${dir}/web
      dockerfile: Dockerfile
    networks:
      default: null
networks:
  default:
    name: ${dir.split("/").pop()?.toLowerCase()}_default
`);
  });

  it("keeps the long syntax, resolves args and keeps remote contexts", () => {
    const { project } = load(
      `
services:
  web:
    build:
      context: https://github.com/docker/compose.git
      args: [VERSION=1, FROM_SHELL, NOT_SET]
      labels: {a: b}
      ssh: [default, "key=./id"]
      target: prod
      cache_from: [type=local]
      shm_size: 1g
      secrets: [token]
secrets:
  token: {environment: TOKEN}
`,
      { env: { FROM_SHELL: "shell", HOME: "/home/user" } },
    );
    expect(project.services.web?.build).toMatchObject({
      context: "https://github.com/docker/compose.git",
      dockerfile: "Dockerfile",
      args: { VERSION: "1", FROM_SHELL: "shell" },
      labels: { a: "b" },
      target: "prod",
      cache_from: ["type=local"],
      shm_size: 1073741824,
      secrets: [{ source: "token" }],
    });
    expect(project.services.web?.build?.ssh).toEqual([
      { id: "default" },
      { id: "key", path: expect.stringMatching(/\/id$/) },
    ]);
  });
});
