import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import {
  locateProject,
  normalizeProjectName,
  projectNameFromDirectory,
  resolveProjectName,
} from "../../src/load/locate.js";
import type { LoadOptions } from "../../src/load/options.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/compose/", import.meta.url));
const fixture = (...parts: string[]) => join(FIXTURES, ...parts);

let temp: string;
beforeEach(() => {
  temp = mkdtempSync(join(tmpdir(), "tsc-locate-"));
});
afterEach(() => {
  rmSync(temp, { recursive: true, force: true });
});

/** Writes `files` (path -> content) under the temp dir. */
function tree(files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(temp, path)), { recursive: true });
    writeFileSync(join(temp, path), content);
  }
  return temp;
}

const SERVICE = "services:\n  web:\n    image: nginx\n";

/** locateProject with a clean environment (never the test runner's), from `cwd`. */
function locate(options: LoadOptions & { cwd: string }) {
  return locateProject({ ...options, env: { HOME: "/home/test", ...(options.env ?? {}) } });
}

function failure(options: LoadOptions & { cwd: string }): TscError {
  try {
    locate(options);
  } catch (error) {
    if (TscError.is(error)) return error;
    throw error;
  }
  throw new Error("expected locateProject to fail");
}

describe("file discovery", () => {
  it("finds compose.yaml and the override beside it, walking up from a subdirectory", () => {
    const location = locate({ cwd: fixture("locate-walk-up", "deep", "er") });
    expect(location.configFiles).toEqual([
      { path: fixture("locate-walk-up", "compose.yaml") },
      { path: fixture("locate-walk-up", "compose.override.yml") },
    ]);
    expect(location.workingDir).toBe(fixture("locate-walk-up"));
    expect(location.envFiles).toEqual([fixture("locate-walk-up", ".env")]);
    expect(location.environment).toMatchObject({ TAG: "1.25", GREETING: "hello world", SCALE: "2" });
    expect(location.warnings).toEqual([]);
  });

  it("prefers names in compose's order and warns when several exist", () => {
    const location = locate({ cwd: fixture("locate-multiple") });
    expect(location.configFiles.map((f) => f.path)).toEqual([
      fixture("locate-multiple", "compose.yaml"),
      fixture("locate-multiple", "compose.override.yaml"),
    ]);
    expect(location.warnings.map((w) => w.message)).toEqual([
      `Found multiple config files with supported names: ${fixture("locate-multiple", "compose.yaml")}, ${fixture("locate-multiple", "docker-compose.yml")}`,
      `Using ${fixture("locate-multiple", "compose.yaml")}`,
      `Found multiple override files with supported names: ${fixture("locate-multiple", "compose.override.yaml")}, ${fixture("locate-multiple", "docker-compose.override.yml")}`,
      `Using ${fixture("locate-multiple", "compose.override.yaml")}`,
    ]);
  });

  it.each([
    [["compose.yaml"], ["compose.yaml"]],
    [["compose.yml"], ["compose.yml"]],
    [["docker-compose.yml"], ["docker-compose.yml"]],
    [["docker-compose.yaml"], ["docker-compose.yaml"]],
    [["compose.yml", "docker-compose.yaml"], ["compose.yml"]],
    [["docker-compose.yaml", "docker-compose.yml"], ["docker-compose.yml"]],
    [
      ["compose.yaml", "compose.override.yaml"],
      ["compose.yaml", "compose.override.yaml"],
    ],
    [
      ["compose.yaml", "compose.override.yml"],
      ["compose.yaml", "compose.override.yml"],
    ],
    [
      ["docker-compose.yml", "docker-compose.override.yml"],
      ["docker-compose.yml", "docker-compose.override.yml"],
    ],
    // compose takes any override beside the file found, not only the "matching" one
    [
      ["docker-compose.yml", "compose.override.yaml"],
      ["docker-compose.yml", "compose.override.yaml"],
    ],
    [["compose.override.yaml", "sub/compose.yaml"], null],
  ])("%j -> %j", (present, expected) => {
    tree(Object.fromEntries(present.map((name) => [name, SERVICE])));
    if (expected === null) {
      expect(failure({ cwd: temp }).code).toBe("E_LOAD_NOT_FOUND");
      return;
    }
    expect(locate({ cwd: temp }).configFiles.map((f) => f.path)).toEqual(
      expected.map((name) => join(temp, name)),
    );
  });

  it("stops at the nearest directory with a compose file, overrides included", () => {
    tree({
      "compose.yaml": SERVICE,
      "compose.override.yaml": SERVICE,
      "a/compose.yml": SERVICE,
      "a/b/c/.keep": "",
    });
    const location = locate({ cwd: join(temp, "a", "b", "c") });
    expect(location.configFiles.map((f) => f.path)).toEqual([join(temp, "a", "compose.yml")]);
    expect(location.workingDir).toBe(join(temp, "a"));
  });

  it("starts discovery in --project-directory", () => {
    tree({ "proj/compose.yaml": SERVICE, "elsewhere/.keep": "" });
    const location = locate({ cwd: join(temp, "elsewhere"), projectDirectory: "../proj" });
    expect(location.configFiles.map((f) => f.path)).toEqual([join(temp, "proj", "compose.yaml")]);
    expect(location.workingDir).toBe(join(temp, "proj"));
  });

  it("fails with a hint when no file exists here or above", () => {
    tree({ "empty/.keep": "" });
    const error = failure({ cwd: join(temp, "empty") });
    expect(error.code).toBe("E_LOAD_NOT_FOUND");
    expect(error.message).toBe("no configuration file provided: not found");
    expect(error.hint).toContain(join(temp, "empty"));
    expect(error.hint).toContain("-f");
  });
});

describe("-f and COMPOSE_FILE", () => {
  it("takes -f files in order, relative to the current directory; the first one's directory is the project's", () => {
    tree({
      "app/base.yaml": SERVICE,
      "app/.env": "FROM_APP=1\n",
      "other/extra.yaml": SERVICE,
      ".env": "FROM_CWD=1\n",
    });
    const location = locate({ cwd: temp, files: ["app/base.yaml", "other/extra.yaml"] });
    expect(location.configFiles).toEqual([
      { path: join(temp, "app", "base.yaml") },
      { path: join(temp, "other", "extra.yaml") },
    ]);
    expect(location.workingDir).toBe(join(temp, "app"));
    expect(location.envFiles).toEqual([join(temp, "app", ".env")]);
    expect(location.environment.FROM_APP).toBe("1");
    expect(location.environment.FROM_CWD).toBeUndefined();
  });

  it("reads '-' from the given stdin text; its project directory is the current one", () => {
    const location = locate({ cwd: temp, files: ["-"], stdin: SERVICE });
    expect(location.configFiles).toEqual([{ path: join(temp, "-"), content: SERVICE }]);
    expect(location.workingDir).toBe(temp);
  });

  it("takes the project directory from the first file that is not stdin", () => {
    tree({ "sub/override.yaml": SERVICE });
    const location = locate({ cwd: temp, files: ["-", "sub/override.yaml"], stdin: SERVICE });
    expect(location.workingDir).toBe(join(temp, "sub"));
    expect(location.configFiles[0]).toEqual({ path: join(temp, "sub", "-"), content: SERVICE });
  });

  it("lets --project-directory win over the files' directory", () => {
    tree({ "a/compose.yaml": SERVICE, "p/.env": "IN_P=yes\n" });
    const location = locate({ cwd: temp, files: ["a/compose.yaml"], projectDirectory: "p" });
    expect(location.workingDir).toBe(join(temp, "p"));
    expect(location.environment.IN_P).toBe("yes");
  });

  it.each([
    ["a.yaml:b.yaml", undefined, ["a.yaml", "b.yaml"]],
    ["a.yaml", undefined, ["a.yaml"]],
    ["a.yaml;b.yaml", ";", ["a.yaml", "b.yaml"]],
    ["a.yaml,b.yaml", ",", ["a.yaml", "b.yaml"]],
    ["a.yaml:", undefined, ["a.yaml"]],
    ["sub/c.yaml:a.yaml", undefined, ["sub/c.yaml", "a.yaml"]],
  ])("COMPOSE_FILE=%s (separator %s) -> %j", (value, separator, expected) => {
    tree({ "a.yaml": SERVICE, "b.yaml": SERVICE, "sub/c.yaml": SERVICE });
    const env: Record<string, string> = { COMPOSE_FILE: value };
    if (separator) env.COMPOSE_PATH_SEPARATOR = separator;
    const location = locate({ cwd: temp, env });
    expect(location.configFiles.map((f) => f.path)).toEqual(expected.map((f) => join(temp, f)));
    expect(location.workingDir).toBe(dirname(join(temp, expected[0]!)));
  });

  it("prefers -f over COMPOSE_FILE", () => {
    tree({ "a.yaml": SERVICE, "b.yaml": SERVICE });
    const location = locate({ cwd: temp, files: ["b.yaml"], env: { COMPOSE_FILE: "a.yaml" } });
    expect(location.configFiles.map((f) => f.path)).toEqual([join(temp, "b.yaml")]);
  });

  it("rejects a COMPOSE_FILE entry that does not exist", () => {
    tree({ "a.yaml": SERVICE });
    const error = failure({ cwd: temp, env: { COMPOSE_FILE: "a.yaml:missing.yaml" } });
    expect(error.code).toBe("E_LOAD_NOT_FOUND");
    expect(error.message).toContain(join(temp, "missing.yaml"));
    expect(error.hint).toContain("COMPOSE_FILE");
  });

  it("honours COMPOSE_FILE, COMPOSE_PATH_SEPARATOR, COMPOSE_PROFILES and COMPOSE_PROJECT_NAME from .env", () => {
    const dir = fixture("locate-env-compose-file");
    const location = locate({ cwd: dir });
    expect(location.configFiles.map((f) => f.path)).toEqual([
      join(dir, "files", "base.yaml"),
      join(dir, "files", "extra.yaml"),
    ]);
    expect(location.workingDir).toBe(join(dir, "files"));
    expect(location.profiles).toEqual(["debug", "ops"]);
    expect(location.projectName).toBe("from_dotenv");
    expect(location.explicitName).toBe("from_dotenv");
    // The .env of the current directory was read before the project directory was known.
    expect(location.environment.BASE_IMAGE).toBe("alpine");
  });

  it("lets the shell's COMPOSE_* win over those in .env", () => {
    const dir = fixture("locate-env-compose-file");
    const location = locate({ cwd: dir, env: { COMPOSE_PROFILES: "web", COMPOSE_PROJECT_NAME: "shell" } });
    expect(location.profiles).toEqual(["web"]);
    expect(location.projectName).toBe("shell");
  });
});

describe("env files and the interpolation environment", () => {
  it("lets the process environment win over .env, and .env values see it", () => {
    tree({ "compose.yaml": SERVICE, ".env": "A=from-file\nB=${A}\nC=only-file\n" });
    const location = locate({ cwd: temp, env: { A: "from-shell" } });
    expect(location.environment).toMatchObject({ A: "from-shell", B: "from-shell", C: "only-file" });
  });

  it("treats names like constructor as ordinary keys", () => {
    tree({ "compose.yaml": SERVICE, ".env": "constructor=c\nTO=${toString}x\n" });
    const location = locate({ cwd: temp });
    expect(Object.hasOwn(location.environment, "constructor")).toBe(true);
    expect(location.environment.constructor).toBe("c");
    expect(location.environment.TO).toBe("x");
  });

  it("adds PWD when the environment lacks it, and COMPOSE_PROJECT_NAME once the name is known", () => {
    tree({ "compose.yaml": SERVICE });
    const location = locate({ cwd: temp });
    expect(location.environment.PWD).toBe(temp);
    expect(location.environment.COMPOSE_PROJECT_NAME).toBe(projectNameFromDirectory(temp));
  });

  it("reads --env-file files in order, later ones winning, instead of .env", () => {
    tree({
      "compose.yaml": SERVICE,
      ".env": "DEFAULT=1\n",
      "one.env": "A=1\nB=1\n",
      "two.env": "B=2\nC=${A}-${B}\n",
    });
    const location = locate({ cwd: temp, envFiles: ["one.env", "two.env"] });
    expect(location.envFiles).toEqual([join(temp, "one.env"), join(temp, "two.env")]);
    expect(location.environment).toMatchObject({ A: "1", B: "2", C: "1-2" });
    expect(location.environment.DEFAULT).toBeUndefined();
  });

  it("takes COMPOSE_ENV_FILES (comma-separated) when no --env-file is given", () => {
    tree({ "compose.yaml": SERVICE, "one.env": "A=1\n", "two.env": "A=2\n" });
    const location = locate({ cwd: temp, env: { COMPOSE_ENV_FILES: "one.env,,two.env" } });
    expect(location.envFiles).toEqual([join(temp, "one.env"), join(temp, "two.env")]);
    expect(location.environment.A).toBe("2");
    const flagged = locate({ cwd: temp, envFiles: ["one.env"], env: { COMPOSE_ENV_FILES: "two.env" } });
    expect(flagged.environment.A).toBe("1");
  });

  it("expands ~ in env file paths", () => {
    tree({ "compose.yaml": SERVICE, "home/my.env": "HOMED=1\n" });
    const location = locate({ cwd: temp, envFiles: ["~/my.env"], env: { HOME: join(temp, "home") } });
    expect(location.environment.HOMED).toBe("1");
  });

  it("fails on a missing explicit env file", () => {
    tree({ "compose.yaml": SERVICE });
    const error = failure({ cwd: temp, envFiles: ["nope.env"] });
    expect(error.code).toBe("E_LOAD_NOT_FOUND");
    expect(error.message).toBe(`couldn't find env file: ${join(temp, "nope.env")}`);
    expect(error.hint).toContain("--env-file");
  });

  it("fails on an explicit env file that is a directory, and skips a .env directory", () => {
    tree({ "compose.yaml": SERVICE, "dir.env/.keep": "", ".env/.keep": "" });
    expect(failure({ cwd: temp, envFiles: ["dir.env"] }).code).toBe("E_LOAD_READ");
    expect(locate({ cwd: temp }).envFiles).toEqual([]);
  });

  it("reports a malformed .env at its line", () => {
    tree({ "compose.yaml": SERVICE, ".env": "OK=1\nNOT OK\n" });
    const error = failure({ cwd: temp });
    expect(error.code).toBe("E_LOAD_ENV_FILE");
    expect(error.where).toMatchObject({ file: join(temp, ".env"), line: 2, column: 1, lineText: "NOT OK" });
  });

  it.each([
    ["true", false],
    ["1", false],
    ["TRUE", false],
    ["false", true],
    ["0", true],
  ])("COMPOSE_DISABLE_ENV_FILE=%s loads .env: %s", (value, loaded) => {
    tree({ "compose.yaml": SERVICE, ".env": "FROM_DOTENV=1\n" });
    const location = locate({ cwd: temp, env: { COMPOSE_DISABLE_ENV_FILE: value } });
    expect(location.environment.FROM_DOTENV).toBe(loaded ? "1" : undefined);
  });

  it("rejects a COMPOSE_DISABLE_ENV_FILE that is not a boolean", () => {
    tree({ "compose.yaml": SERVICE });
    const error = failure({ cwd: temp, env: { COMPOSE_DISABLE_ENV_FILE: "maybe" } });
    expect(error.code).toBe("E_USAGE");
  });

  it("reads the .env of the directory discovery found as well as the current one, the first read winning", () => {
    tree({
      "compose.yaml": SERVICE,
      ".env": "SHARED=parent\nPARENT_ONLY=1\n",
      "sub/.env": "SHARED=child\nCHILD_ONLY=1\n",
    });
    const location = locate({ cwd: join(temp, "sub") });
    expect(location.workingDir).toBe(temp);
    expect(location.envFiles).toEqual([join(temp, ".env")]);
    expect(location.environment).toMatchObject({ SHARED: "child", CHILD_ONLY: "1", PARENT_ONLY: "1" });
  });

  it("warns about unset variables used in .env, once", () => {
    tree({ "compose.yaml": SERVICE, ".env": "A=${NOT_SET}\n" });
    const location = locate({ cwd: temp });
    expect(location.warnings).toEqual([
      {
        message: 'The "NOT_SET" variable is not set. Defaulting to a blank string.',
        where: { file: join(temp, ".env"), line: 1, column: 3, lineText: "A=${NOT_SET}" },
      },
    ]);
  });
});

describe("profiles", () => {
  it.each([
    [["a", "b"], undefined, ["a", "b"]],
    [undefined, "a,b", ["a", "b"]],
    [undefined, " a , b ,", ["a", "b"]],
    [undefined, "", []],
    [undefined, undefined, []],
    [["x"], "a,b", ["x"]],
  ])("--profile %j with COMPOSE_PROFILES=%j -> %j", (flags, env, expected) => {
    tree({ "compose.yaml": SERVICE });
    const location = locate({
      cwd: temp,
      profiles: flags,
      env: env === undefined ? {} : { COMPOSE_PROFILES: env },
    });
    expect(location.profiles).toEqual(expected);
  });
});

describe("project name", () => {
  it.each([
    ["myapp", "myapp"],
    ["MyApp", "myapp"],
    ["my app", "myapp"],
    ["my.app.v2", "myappv2"],
    ["_leading", "leading"],
    ["--dash", "dash"],
    ["-_-x", "x"],
    ["42numbers", "42numbers"],
    ["a_b-c", "a_b-c"],
    ["ÀPP", "pp"],
    ["___", ""],
    ["", ""],
  ])("normalizeProjectName(%j) = %j", (input, expected) => {
    expect(normalizeProjectName(input)).toBe(expected);
  });

  // Each row: the directory name, -p, COMPOSE_PROJECT_NAME, `name:`, and the resulting name.
  it.each([
    ["dir", undefined, undefined, undefined, "dir"],
    ["My Project.v2", undefined, undefined, undefined, "myprojectv2"],
    ["dir", undefined, undefined, "from_yaml", "from_yaml"],
    ["dir", undefined, "from_env", "from_yaml", "from_env"],
    ["dir", "from_flag", "from_env", "from_yaml", "from_flag"],
    ["dir", "from_flag", undefined, undefined, "from_flag"],
    ["dir", undefined, "42from_env", undefined, "42from_env"],
    ["dir", undefined, "", "from_yaml", "from_yaml"],
    ["dir", "", "from_env", undefined, "from_env"],
    ["dir", undefined, undefined, "Mixed.Case", "mixedcase"],
    ["dir", undefined, undefined, "${YAML_NAME:-x}-app", "x-app"],
  ])("dir %j, -p %j, env %j, name: %j -> %j", (dir, flag, env, yamlName, expected) => {
    const project = join(temp, dir);
    tree({ [`${dir}/compose.yaml`]: (yamlName === undefined ? "" : `name: "${yamlName}"\n`) + SERVICE });
    const location = locate({
      cwd: project,
      projectName: flag,
      env: env === undefined ? {} : { COMPOSE_PROJECT_NAME: env },
    });
    expect(location.projectName).toBe(expected);
    expect(location.environment.COMPOSE_PROJECT_NAME).toBe(expected);
  });

  it.each([
    ["-p", "MY_PROJECT"],
    ["-p", "www.my.project"],
    ["-p", "-my_project"],
    ["-p", "_my_project"],
    ["-p", "my project"],
    ["env", "MY_PROJECT"],
    ["env", "-my_project"],
    ["env", "www.my.project"],
  ])("an invalid explicit name (%s %j) is E_LOAD_PROJECT_NAME in compose's words", (source, name) => {
    tree({ "compose.yaml": SERVICE });
    const options = source === "-p" ? { projectName: name } : { env: { COMPOSE_PROJECT_NAME: name } };
    const error = failure({ cwd: temp, ...options });
    expect(error.code).toBe("E_LOAD_PROJECT_NAME");
    expect(error.message).toBe(
      `invalid project name ${JSON.stringify(name)}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
    );
    const suggestion = normalizeProjectName(name);
    expect(error.hint).toContain(
      source === "-p" ? `use -p ${suggestion} ` : `use COMPOSE_PROJECT_NAME=${suggestion} `,
    );
  });

  it("points an invalid COMPOSE_PROJECT_NAME from .env at its line", () => {
    tree({ "compose.yaml": SERVICE, ".env": "# name\nCOMPOSE_PROJECT_NAME=Bad.Name\n" });
    const error = failure({ cwd: temp });
    expect(error.code).toBe("E_LOAD_PROJECT_NAME");
    expect(error.where).toMatchObject({
      file: join(temp, ".env"),
      line: 2,
      lineText: "COMPOSE_PROJECT_NAME=Bad.Name",
    });
  });

  it("normalizes a top-level name: as compose does, with a warning at the name", () => {
    const dir = fixture("locate-named");
    const location = locate({ cwd: dir });
    expect(location.projectName).toBe("shop_v2");
    expect(location.warnings).toEqual([
      {
        message: expect.stringContaining('project name "Shop_v2" is not valid'),
        where: { file: join(dir, "compose.yaml"), line: 1, column: 7, lineText: "name: ${APP:-Shop}_v2" },
      },
    ]);
    expect(locate({ cwd: dir, env: { APP: "store" } }).projectName).toBe("store_v2");
  });

  it("takes the name: of the last file that has one", () => {
    const dir = fixture("locate-named");
    const location = locate({ cwd: dir, files: ["compose.yaml", "override.yaml"] });
    expect(location.projectName).toBe("override-name");
  });

  it("reads name: from stdin and from later YAML documents", () => {
    const stdin = `name: first\n${SERVICE}---\nname: second\n`;
    expect(locate({ cwd: temp, files: ["-"], stdin }).projectName).toBe("second");
  });

  it.each([
    ['name: "!!!"\n', 1],
    ["name: ${EMPTY_NAME}\n", 1],
  ])("a name: that normalizes to nothing (%j) is an error at the name", (head, line) => {
    tree({ "compose.yaml": head + SERVICE });
    const error = failure({ cwd: temp });
    expect(error.code).toBe("E_LOAD_PROJECT_NAME");
    expect(error.message).toContain("project name must not be empty");
    expect(error.where).toMatchObject({ file: join(temp, "compose.yaml"), line });
    expect(error.hint).toContain("-p");
  });

  it("rejects a directory name that normalizes to nothing", () => {
    tree({ "___/compose.yaml": SERVICE });
    const error = failure({ cwd: join(temp, "___") });
    expect(error.code).toBe("E_LOAD_PROJECT_NAME");
    expect(error.message).toContain("project name must not be empty");
    expect(locate({ cwd: join(temp, "___"), projectName: "ok" }).projectName).toBe("ok");
  });

  it("leaves name: unresolved when interpolation is off", () => {
    tree({ "compose.yaml": "name: ${X:-app}\n" + SERVICE });
    expect(locate({ cwd: temp, interpolate: false }).projectName).toBe("x-app");
  });

  it("leaves name: to the loaded tree when its raw form cannot be interpolated", () => {
    tree({ "compose.yaml": "name: ${NEEDED:?}\n" + SERVICE });
    const location = locate({ cwd: temp });
    expect(location.projectName).toBeUndefined();
    expect(resolveProjectName(location, { name: "From.Tree" })).toBe("fromtree");
    expect(resolveProjectName(location, {})).toBe(projectNameFromDirectory(temp));
    expect(() => resolveProjectName(location, { name: "!!!" })).toThrow("project name must not be empty");
  });

  it("warns when the project directory is reached through a symlink", () => {
    tree({ "real/compose.yaml": SERVICE });
    symlinkSync(join(temp, "real"), join(temp, "link"));
    const location = locate({ cwd: join(temp, "link") });
    expect(location.projectName).toBe("link");
    expect(location.warnings.map((w) => w.message)).toEqual([
      'project has been loaded without an explicit name from a symlink. Using name "link"',
    ]);
  });
});

describe("loadProject end to end", () => {
  it("locates, reads .env, interpolates and casts a project", async () => {
    const { loadProject } = await import("../../src/load/index.js");
    // One file, so that the result does not depend on the merge phase.
    const result = loadProject({
      cwd: fixture("locate-walk-up", "deep", "er"),
      files: ["../../compose.yaml"],
      env: { USER_NAME: "ann", SCALE: "3" },
      normalize: false,
    });
    expect(result.location.projectName).toBe("locate-walk-up");
    expect((result.tree.services as Record<string, unknown>).web).toEqual({
      image: "nginx:1.25",
      scale: 3,
      environment: { GREETING: "hello ann", PROJECT: "locate-walk-up" },
    });
    expect(result.warnings).toEqual([]);
  });

  it("reports a missing required variable at its file, line and column", async () => {
    const { loadProject } = await import("../../src/load/index.js");
    tree({ "compose.yaml": "services:\n  web:\n    image: nginx:${TAG:?set TAG to the nginx version}\n" });
    let error: unknown;
    try {
      loadProject({ cwd: temp, env: {}, normalize: false });
    } catch (caught) {
      error = caught;
    }
    expect(TscError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: "E_LOAD_REQUIRED_VAR",
      where: { file: join(temp, "compose.yaml"), line: 3, column: 18 },
    });
    expect((error as TscError).message).toContain(
      "required variable TAG is missing a value: set TAG to the nginx version",
    );
  });

  it("interpolates ${COMPOSE_PROJECT_NAME} and warns about unset variables from stdin", async () => {
    const { loadProject } = await import("../../src/load/index.js");
    const stdin =
      "name: demo\nservices:\n  web:\n    image: nginx\n    container_name: ${COMPOSE_PROJECT_NAME}-web\n    command: [echo, $NOT_SET]\n";
    const result = loadProject({ cwd: temp, files: ["-"], stdin, env: {}, normalize: false });
    expect((result.tree.services as Record<string, Record<string, unknown>>).web).toMatchObject({
      container_name: "demo-web",
      command: ["echo", ""],
    });
    expect(result.warnings).toEqual([
      {
        message: 'The "NOT_SET" variable is not set. Defaulting to a blank string.',
        where: { file: join(temp, "-"), line: 6, column: 21, lineText: "    command: [echo, $NOT_SET]" },
      },
    ]);
  });

  it("skips interpolation and casts with interpolate: false", async () => {
    const { loadProject } = await import("../../src/load/index.js");
    const stdin = "services:\n  web:\n    image: ${IMAGE}\n    scale: ${SCALE}\n";
    const result = loadProject({
      cwd: temp,
      files: ["-"],
      stdin,
      env: {},
      interpolate: false,
      normalize: false,
    });
    expect((result.tree.services as Record<string, unknown>).web).toEqual({
      image: "${IMAGE}",
      scale: "${SCALE}",
    });
  });
});
