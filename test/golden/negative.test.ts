import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { loadProject, type LoadOptions } from "../../src/load/index.js";
import { CLI, buildCli } from "../cli/build-cli.js";

/**
 * The negative golden set: every directory under test/golden/negative/ is a project that must fail.
 * - `args.txt` (optional): the CLI arguments, one per line; default `-f compose.yaml config`.
 * - `expected.txt`: `code: <E_…>` and `exit: <n>`, a blank line, then the exact stderr of
 *   `bin/tscompose.cjs <args>` run in the case directory, with that directory's path removed.
 * The code (and the line of the frame) is checked in-process through loadProject, the stderr and exit code
 * through the built CLI. `UPDATE_GOLDEN=1 npx vitest run test/golden/negative.test.ts` rewrites the
 * expected files from what the code does now: review the diff before committing it.
 */

const CASES = fileURLToPath(new URL("./negative/", import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === "1";

interface Expected {
  code: string;
  exit: number;
  stderr: string;
}

const cases = readdirSync(CASES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function argsOf(dir: string): string[] {
  const file = join(dir, "args.txt");
  if (!existsSync(file)) return ["-f", "compose.yaml", "config"];
  return readFileSync(file, "utf8").split("\n").filter(Boolean);
}

function parseExpected(text: string): Expected {
  const [header = "", ...rest] = text.split("\n\n");
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, "m").exec(header)?.[1] ?? "";
  return { code: field("code"), exit: Number(field("exit")), stderr: rest.join("\n\n") };
}

const formatExpected = (e: Expected) => `code: ${e.code}\nexit: ${e.exit}\n\n${e.stderr}`;

/** The environment of a user with nothing set: no COMPOSE_* or other variables leak in from the test run. */
const cleanEnv = (dir: string) => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir });

/** Paths under the case directory print relative to it, so the expected files do not depend on the checkout. */
const relative = (text: string, dir: string) => text.split(`${dir}/`).join("").split(dir).join(".");

/** The CLI's global flags as LoadOptions, for the in-process check (the subset the cases use). */
function loadOptionsOf(args: readonly string[], dir: string): LoadOptions {
  const options: LoadOptions & { files: string[]; profiles: string[]; envFiles: string[] } = {
    files: [],
    profiles: [],
    envFiles: [],
    cwd: dir,
    env: cleanEnv(dir),
  };
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1] ?? "";
    switch (args[i]) {
      case "-f":
        options.files.push(value);
        break;
      case "-p":
        options.projectName = value;
        break;
      case "--profile":
        options.profiles.push(value);
        break;
      case "--env-file":
        options.envFiles.push(value);
        break;
      case "--project-directory":
        options.projectDirectory = value;
        break;
      default:
        continue;
    }
    i++;
  }
  return options;
}

function codeOf(options: LoadOptions): string {
  try {
    loadProject(options);
  } catch (error) {
    return TscError.is(error) ? error.code : `not a TscError: ${String(error)}`;
  }
  return "(no error)";
}

beforeAll(buildCli, 150_000);

describe("negative golden set", () => {
  it("has at least 25 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)("%s", (name) => {
    const dir = join(CASES, name);
    const args = argsOf(dir);
    const run = spawnSync(CLI, args, {
      cwd: dir,
      env: cleanEnv(dir),
      encoding: "utf8",
      timeout: 20_000,
    });
    const actual: Expected = {
      code: codeOf(loadOptionsOf(args, dir)),
      exit: run.status ?? -1,
      stderr: relative(run.stderr, dir),
    };
    const file = join(dir, "expected.txt");
    if (UPDATE) writeFileSync(file, formatExpected(actual));
    const expected = parseExpected(readFileSync(file, "utf8"));
    expect(formatExpected(actual)).toBe(formatExpected(expected));
    expect(expected.code).toMatch(/^E_[A-Z_]+$/);
    expect(expected.exit).toBeGreaterThan(0);
  });
});
