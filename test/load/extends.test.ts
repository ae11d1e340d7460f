import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { loadProject } from "../../src/load/index.js";
import { locationAtPath, type Tree } from "../../src/load/source.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/compose/", import.meta.url));

let temp: string;
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), "tsc-extends-"));
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

/** The merged tree (before normalization) of the project in `dir`. */
function load(dir: string): Tree {
  return loadProject({ cwd: dir, env: { HOME: "/home/test" }, normalize: false }).tree;
}
const services = (tree: Tree) => tree.services as Record<string, Tree>;

function failure(fn: () => unknown): TscError {
  try {
    fn();
  } catch (error) {
    if (TscError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a TscError");
}

describe("extends in the same file", () => {
  const dir = join(FIXTURES, "extends-same-file");
  const tree = load(dir);

  it.each([
    {
      name: "string form, merged with the -f rules",
      service: "common",
      expected: {
        image: "busybox",
        user: "root",
        environment: { TZ: "utc", PORT: "8080" },
        ports: ["8080:80"],
        command: ["echo", "common"],
      },
    },
    {
      name: "recursive, mapping form, ports unique",
      service: "cli",
      expected: {
        image: "busybox",
        user: "root",
        environment: { TZ: "utc", PORT: "8080" },
        ports: ["8080:80", "9090:90"],
        command: ["echo", "cli"],
      },
    },
    {
      name: "!reset and !override over the base",
      service: "quiet",
      expected: { image: "busybox", user: "nobody", environment: { TZ: "utc", PORT: "80" } },
    },
    {
      name: "the base itself is unchanged",
      service: "base",
      expected: {
        image: "busybox",
        user: "root",
        environment: { TZ: "utc", PORT: "80" },
        ports: ["8080:80"],
      },
    },
  ])("$name", ({ service, expected }) => {
    expect(services(tree)[service]).toEqual(expected);
  });

  it("keeps locations: inherited keys point at the base, own keys at the service", () => {
    expect(locationAtPath(tree, ["services", "cli", "image"])?.line).toBe(3);
    expect(locationAtPath(tree, ["services", "cli", "command"])?.line).toBe(17);
    expect(locationAtPath(tree, ["services", "cli", "environment", "PORT"])?.line).toBe(13);
  });
});

describe("extends another file", () => {
  const dir = join(FIXTURES, "extends-other-file");

  it("merges recursively across files and makes the base's paths absolute against its own file", () => {
    const web = services(load(dir)).web;
    expect(web).toEqual({
      image: "busybox",
      build: join(dir, "common/app"),
      env_file: [join(dir, "shared/root.env"), join(dir, "common/app.env")],
      environment: { MODE: "web", ROOT: "1" },
      volumes: [
        `${join(dir, "common/data")}:/data`,
        "named:/named",
        { type: "bind", source: join(dir, "logs"), target: "/logs" },
      ],
    });
  });

  it("reports where an inherited value was written", () => {
    const where = locationAtPath(load(dir), ["services", "web", "image"]);
    expect(where?.file).toBe(join(dir, "shared/root.yaml"));
    expect(where?.line).toBe(3);
  });
});

interface ErrorRow {
  name: string;
  files: Record<string, string>;
  dir?: string;
  hint?: RegExp;
  code: string;
  message: RegExp;
  line: number;
}

describe("extends errors", () => {
  it.each<ErrorRow>([
    {
      name: "cycle in one file names the chain",
      files: { "compose.yaml": "" },
      dir: join(FIXTURES, "extends-cycle"),
      code: "E_LOAD_EXTENDS_CYCLE",
      message: /a -> b -> c -> a/,
      line: 9,
    },
    {
      name: "a service extending itself",
      files: { "compose.yaml": "services:\n  a:\n    image: x\n    extends: a\n" },
      code: "E_LOAD_EXTENDS_CYCLE",
      message: /a -> a/,
      line: 4,
    },
    {
      name: "cycle across files",
      files: {
        "compose.yaml": "services:\n  a:\n    extends: {file: other.yaml, service: b}\n",
        "other.yaml":
          "services:\n  b:\n    image: x\n    extends:\n      file: compose.yaml\n      service: a\n",
      },
      code: "E_LOAD_EXTENDS_CYCLE",
      message: /a -> b \(other\.yaml\) -> a/,
      line: 6,
    },
    {
      name: "unknown service",
      files: { "compose.yaml": "services:\n  web:\n    image: x\n  cli:\n    extends: wbe\n" },
      code: "E_LOAD_EXTENDS",
      message: /"cli" extends "wbe", which is not defined/,
      line: 5,
      hint: /did you mean "web"\? \(services defined there: cli, web\)/,
    },
    {
      name: "unknown file",
      files: {
        "compose.yaml": "services:\n  cli:\n    extends:\n      service: web\n      file: nope.yaml\n",
      },
      code: "E_LOAD_EXTENDS",
      message: /nope\.yaml, which does not exist/,
      line: 5,
    },
    {
      name: "unknown service in another file",
      files: {
        "compose.yaml": "services:\n  cli:\n    extends:\n      file: base.yaml\n      service: web\n",
        "base.yaml": "services:\n  api:\n    image: x\n",
      },
      code: "E_LOAD_EXTENDS",
      message: /"web", which is not defined in .*base\.yaml/,
      line: 5,
      hint: /api/,
    },
  ])("$name", ({ files, dir, code, message, line, hint }) => {
    const error = failure(() => load(dir ?? write(files)));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.where?.line).toBe(line);
    if (hint) expect(error.hint).toMatch(hint);
  });
});
