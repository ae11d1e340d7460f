import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { CLI, ROOT, buildCli } from "./build-cli.js";

/**
 * `tscompose config` through the real binary: the golden outputs of test/golden/config/<case>/ (compose.yaml
 * in, expected.yaml and expected.json out, `<DIR>` standing for the case's directory), then each flag.
 */

const GOLDEN = join(ROOT, "test/golden/config");
const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/home/user" };

function run(args: string[], options: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
  return execa(CLI, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...ENV, ...options.env },
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    input: options.input,
  });
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tsc-config-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

beforeAll(buildCli, 150_000);

describe("golden config output", () => {
  const cases = readdirSync(GOLDEN).sort();
  const flags = (name: string) => (name === "no-normalize" ? ["--no-normalize"] : []);

  it.each(
    cases.flatMap((name) => [
      { name, format: "yaml" },
      { name, format: "json" },
    ]),
  )("$name ($format)", async ({ name, format }) => {
    const dir = join(GOLDEN, name);
    const result = await run(["-f", join(dir, "compose.yaml"), "config", "--format", format, ...flags(name)]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const expected = readFileSync(join(dir, `expected.${format}`), "utf8");
    expect(result.stdout.replaceAll(dir, "<DIR>")).toBe(expected);
  });
});

const STACK = `
services:
  web:
    image: nginx
    ports: ["\${PORT:-8080}:80"]
    depends_on: [api]
    volumes: [static:/srv]
  api:
    build: ./api
    environment: ["SECRET=\${API_SECRET:?set API_SECRET}"]
    networks: [back]
  debug:
    image: busybox
    profiles: [debug, tools]
volumes:
  static:
  unused:
networks:
  back:
`;

describe("config flags", () => {
  const env = { API_SECRET: "s3cr3t" };

  it.each([
    ["--services", "api\nweb\n"],
    ["--volumes", "static\nunused\n"],
    ["--networks", "back\ndefault\n"],
    ["--profiles", "debug\ntools\n"],
  ])("%s lists names, sorted", async (flag, expected) => {
    const dir = project({ "compose.yaml": STACK });
    const result = await run(["config", flag], { cwd: dir, env });
    expect(result.stdout).toBe(expected);
    expect(result.exitCode).toBe(0);
  });

  it("--images names built services <project>-<service>", async () => {
    const dir = project({ "compose.yaml": STACK });
    const result = await run(["-p", "shop", "config", "--images"], { cwd: dir, env });
    expect(result.stdout).toBe("shop-api\nnginx\n");
  });

  it("--variables prints compose's table, JSON and YAML", async () => {
    const dir = project({ "compose.yaml": STACK });
    const table = await run(["config", "--variables"], { cwd: dir });
    expect(table.stdout).toBe(
      [
        "NAME                REQUIRED            DEFAULT VALUE       ALTERNATE VALUE",
        "API_SECRET          true                                    ",
        "PORT                false               8080                ",
        "",
      ].join("\n"),
    );
    const json = await run(["config", "--variables", "--format", "json"], { cwd: dir });
    expect(JSON.parse(json.stdout).PORT).toEqual({
      Name: "PORT",
      DefaultValue: "8080",
      PresenceValue: "",
      Required: false,
    });
    expect(json.stdout).toContain('{\n    "API_SECRET": {\n        "Name": "API_SECRET",');
    const yaml = await run(["config", "--variables", "--format", "yaml"], { cwd: dir });
    expect(yaml.stdout).toContain(
      'PORT:\n    name: PORT\n    defaultvalue: "8080"\n    presencevalue: ""\n    required: false\n',
    );
  });

  it("--environment prints the interpolation environment with the env files", async () => {
    const dir = project({ "compose.yaml": STACK, "custom.env": "FROM_FILE=yes\nAPI_SECRET=from-file\n" });
    const result = await run(["--env-file", "custom.env", "config", "--environment"], { cwd: dir, env });
    const lines = result.stdout.split("\n").slice(0, -1);
    expect(lines).toContain("FROM_FILE=yes");
    expect(lines).toContain("API_SECRET=s3cr3t");
    expect(lines).toEqual([...lines].sort());
  });

  it("--hash prints one stable hash per service, selected or all", async () => {
    const dir = project({ "compose.yaml": STACK });
    const all = await run(["config", "--hash", "*"], { cwd: dir, env });
    expect(all.stdout).toMatch(/^api [0-9a-f]{64}\nweb [0-9a-f]{64}\n$/);
    const web = await run(["config", "--hash", "web"], { cwd: dir, env });
    expect(all.stdout).toContain(web.stdout);
    const scaled = project({ "compose.yaml": STACK.replace("image: nginx", "image: nginx\n    scale: 3") });
    expect((await run(["config", "--hash", "web"], { cwd: scaled, env })).stdout).toBe(web.stdout);
    const changed = project({ "compose.yaml": STACK.replace("image: nginx", "image: nginx:2") });
    expect((await run(["config", "--hash", "web"], { cwd: changed, env })).stdout).not.toBe(web.stdout);
    const missing = await run(["config", "--hash", "nope"], { cwd: dir, env });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("error: no such service: nope");
  });

  it("-o writes the output atomically and prints nothing; -q prints nothing", async () => {
    const dir = project({ "compose.yaml": STACK });
    const plain = await run(["config"], { cwd: dir, env });
    const written = await run(["config", "-o", "out.yaml"], { cwd: dir, env });
    expect(written.stdout).toBe("");
    expect(readFileSync(join(dir, "out.yaml"), "utf8")).toBe(plain.stdout);
    expect(readdirSync(dir).filter((name) => name.includes(".tmp"))).toEqual([]);
    const quiet = await run(["config", "-q"], { cwd: dir, env });
    expect([quiet.stdout, quiet.exitCode]).toEqual(["", 0]);
  });

  it("SERVICE arguments select services and their dependencies", async () => {
    const dir = project({ "compose.yaml": STACK });
    const result = await run(["config", "api"], { cwd: dir, env });
    expect(result.stdout).toContain("  api:\n");
    expect(result.stdout).not.toContain("  web:\n");
  });

  it("--no-interpolate keeps the expressions and prints compose's raw model with sorted keys", async () => {
    const dir = project({ "compose.yaml": STACK });
    const result = await run(["config", "--no-interpolate"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("    ports:\n      - ${PORT:-8080}:80\n");
    expect(result.stdout).toContain("      SECRET: ${API_SECRET:?set API_SECRET}\n");
    expect(result.stdout.indexOf("\nnetworks:")).toBeLessThan(result.stdout.indexOf("\nservices:"));
  });

  it("reads the file from stdin with -f - and takes global flags after the command", async () => {
    const dir = project({});
    const result = await run(["config", "-f", "-", "--project-name", "piped", "--services"], {
      cwd: dir,
      input: "services:\n  only: {image: x}\n",
    });
    expect(result.stdout).toBe("only\n");
    const named = await run(["config", "-f", "-"], {
      cwd: dir,
      input: "services:\n  only: {image: x}\n",
      env: { COMPOSE_PROJECT_NAME: "fromenv" },
    });
    expect(named.stdout).toMatch(/^name: fromenv\n/);
  });

  it("honours COMPOSE_FILE and COMPOSE_PROFILES", async () => {
    const dir = project({ "other.yaml": STACK });
    const result = await run(["config", "--services"], {
      cwd: dir,
      env: { ...env, COMPOSE_FILE: "other.yaml", COMPOSE_PROFILES: "tools" },
    });
    expect(result.stdout).toBe("api\ndebug\nweb\n");
  });

  it("prints load warnings on stderr as compose does", async () => {
    const dir = project({
      "compose.yaml": "services:\n  app:\n    image: x\n    environment: [A=$UNSET_VAR]\n",
    });
    const result = await run(["config", "-q"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      'WARN[0000] The "UNSET_VAR" variable is not set. Defaulting to a blank string.',
    );
  });

  it("exits 1 on an error in the file, with the source frame", async () => {
    const dir = project({ "compose.yaml": "services:\n  app:\n    image: x\n    ports: ['80:80/ftp']\n" });
    const result = await run(["config"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("error: invalid proto: ftp");
    expect(result.stderr).toContain("compose.yaml:4:13");
  });

  it.each([[["config", "--format", "xml"]], [["config", "--bogus"]], [["config", "--hash"]]])(
    "exits 2 on a usage error: %j",
    async (args) => {
      const dir = project({ "compose.yaml": STACK });
      const result = await run(args, { cwd: dir, env });
      expect(result.exitCode).toBe(2);
    },
  );
});
