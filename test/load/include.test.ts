import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { loadProject, type LoadWarning } from "../../src/load/index.js";
import { locationAtPath, type Tree } from "../../src/load/source.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/compose/", import.meta.url));

let temp: string;
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), "tsc-include-"));
});
afterEach(() => {
  rmSync(temp, { recursive: true, force: true });
});

function write(files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(temp, path)), { recursive: true });
    writeFileSync(join(temp, path), content);
  }
  return temp;
}

function load(dir: string, env: Record<string, string> = {}): { tree: Tree; warnings: LoadWarning[] } {
  const result = loadProject({ cwd: dir, env: { HOME: "/home/test", ...env }, normalize: false });
  return { tree: result.tree, warnings: result.warnings };
}
const section = (tree: Tree, key: string) => tree[key] as Record<string, Tree>;

function failure(fn: () => unknown): TscError {
  try {
    fn();
  } catch (error) {
    if (TscError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a TscError");
}

describe("include", () => {
  const dir = join(FIXTURES, "include-basic");

  it("adds the resources of each included project, with paths absolute against its own directory", () => {
    const { tree } = load(dir);
    expect(tree.include).toBeUndefined();
    expect(Object.keys(section(tree, "services")).sort()).toEqual(["api", "web", "worker"]);
    expect(section(tree, "services").api).toEqual({
      image: "api:sub",
      build: join(dir, "sub"),
      env_file: join(dir, "sub/api.env"),
      volumes: [`${join(dir, "sub/data")}:/data`],
      environment: ["FROM_ENV=from-sub-env"],
    });
    expect(section(tree, "networks")).toEqual({ backend: {} });
    expect(section(tree, "secrets").token).toEqual({ file: join(dir, "other/token.txt") });
  });

  it("uses the include's env_file and project_directory", () => {
    expect(section(load(dir).tree, "services").worker).toEqual({ image: "worker:custom" });
  });

  it("lets the including project's environment win over the include's .env", () => {
    expect(section(load(dir, { TAG: "parent" }).tree, "services").api!.image).toBe("api:parent");
  });

  it("keeps the source location of included definitions", () => {
    const where = locationAtPath(load(dir).tree, ["services", "api", "image"]);
    expect(where?.file).toBe(join(dir, "sub/compose.yaml"));
    expect(where?.line).toBe(3);
  });

  it("includes recursively, each level relative to its own directory", () => {
    const nested = join(FIXTURES, "include-nested");
    const services = section(load(nested).tree, "services");
    expect(Object.keys(services).sort()).toEqual(["deep", "middle", "top"]);
    expect(services.middle!.volumes).toEqual([`${join(nested, "a/m")}:/m`]);
    expect(services.deep).toEqual({
      image: "busybox",
      volumes: [`${join(nested, "a/b/d")}:/d`],
      build: { dockerfile: "Dockerfile.deep", context: join(nested, "a/b") },
    });
  });

  it("accepts the same definition reached through two includes", () => {
    const root = write({
      "compose.yaml": "include: [a/compose.yaml, b/compose.yaml]\n",
      "a/compose.yaml": "include: [../common/compose.yaml]\nservices:\n  a:\n    image: a\n",
      "b/compose.yaml": "include: [../common/compose.yaml]\nservices:\n  b:\n    image: b\n",
      "common/compose.yaml": "services:\n  db:\n    image: postgres\n    volumes: ['./init:/init']\n",
    });
    const services = section(load(root).tree, "services");
    expect(Object.keys(services).sort()).toEqual(["a", "b", "db"]);
    expect(services.db!.volumes).toEqual([`${join(root, "common/init")}:/init`]);
  });

  it("accepts path as a list of files merged together", () => {
    const root = write({
      "compose.yaml": "include:\n  - path: [sub/compose.yaml, sub/override.yaml]\n",
      "sub/compose.yaml": "services:\n  s:\n    image: a\n    environment: {A: '1'}\n",
      "sub/override.yaml": "services:\n  s:\n    environment: [B=2]\n",
    });
    expect(section(load(root).tree, "services").s).toEqual({ image: "a", environment: { A: "1", B: "2" } });
  });
});

interface ErrorRow {
  name: string;
  files: Record<string, string>;
  code: string;
  message: RegExp;
  line: number;
}

describe("include errors", () => {
  it.each<ErrorRow>([
    {
      name: "a service defined by the project and an include",
      files: {
        "compose.yaml": "include:\n  - sub/compose.yaml\nservices:\n  web:\n    image: mine\n",
        "sub/compose.yaml": "services:\n  web:\n    image: theirs\n",
      },
      code: "E_LOAD_INCLUDE_CONFLICT",
      message:
        /services\.web is defined twice: in .*compose\.yaml:4 and in the included .*sub\/compose\.yaml:2/,
      line: 4,
    },
    {
      name: "a network defined by two includes",
      files: {
        "compose.yaml": "include:\n  - a.yaml\n  - b.yaml\n",
        "a.yaml": "networks:\n  net:\n    driver: bridge\n",
        "b.yaml": "networks:\n  net:\n    driver: overlay\n",
      },
      code: "E_LOAD_INCLUDE_CONFLICT",
      message: /networks\.net is defined twice: in .*a\.yaml:2 and in the included .*b\.yaml:2/,
      line: 2,
    },
    {
      name: "a missing file",
      files: { "compose.yaml": "services:\n  a:\n    image: a\ninclude:\n  - path: nope/compose.yaml\n" },
      code: "E_LOAD_INCLUDE",
      message: /nope\/compose\.yaml does not exist/,
      line: 5,
    },
    {
      name: "a missing env_file",
      files: {
        "compose.yaml": "include:\n  - path: sub.yaml\n    env_file:\n      - missing.env\n",
        "sub.yaml": "services:\n  a:\n    image: a\n",
      },
      code: "E_LOAD_INCLUDE",
      message: /env file .*missing\.env does not exist/,
      line: 4,
    },
    {
      name: "a cycle",
      files: {
        "compose.yaml": "include:\n  - a/compose.yaml\n",
        "a/compose.yaml": "include:\n  - ../b/compose.yaml\n",
        "b/compose.yaml": "include:\n  - ../a/compose.yaml\n",
      },
      code: "E_LOAD_INCLUDE",
      message: /include cycle: compose\.yaml -> a\/compose\.yaml -> b\/compose\.yaml -> a\/compose\.yaml/,
      line: 2,
    },
  ])("$name", ({ files, code, message, line }) => {
    const error = failure(() => load(write(files)));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.where?.line).toBe(line);
    expect(error.hint).toBeTruthy();
  });
});
