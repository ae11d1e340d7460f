import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT, buildCli } from "../cli/build-cli.js";

/**
 * Every compose file of the awesome-compose corpus through the real CLI binary: `config -q` accepts it,
 * and `config` prints a canonical model that, loaded again, prints the same thing (a fixed point).
 */

const CORPUS = "/work/shared/corpus/awesome-compose";

const samples = readdirSync(CORPUS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => {
    const file = ["compose.yaml", "compose.yml"]
      .map((name) => join(CORPUS, entry.name, name))
      .find(existsSync);
    return { sample: entry.name, file: file ?? "" };
  })
  .filter(({ file }) => file !== "")
  .sort((a, b) => (a.sample < b.sample ? -1 : 1));

/** What a user of these samples sets in their shell (the samples' variables without defaults). */
const ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/home/user",
  PLEX_MEDIA_PATH: "/srv/media",
  PGADMIN_MAIL: "admin@example.com",
  PGADMIN_PW: "secret",
  POSTGRES_USER: "postgres",
  POSTGRES_PW: "pa$$word",
  POSTGRES_DB: "example",
  TIMEZONE: "Europe/Paris",
  VPN_SERVER_URL: "vpn.example.com",
};

const run = (args: string[], input?: string, env: Record<string, string> = ENV) =>
  execa(CLI, args, { env, extendEnv: false, reject: false, input, cwd: ROOT });

beforeAll(buildCli, 150_000);

describe("awesome-compose corpus", () => {
  it("has the 39 samples", () => {
    expect(samples).toHaveLength(39);
  });

  it.each(samples)("$sample passes config -q", async ({ file }) => {
    const result = await run(["-f", file, "config", "-q"]);
    expect(result.stderr.split("\n").filter((line) => line.startsWith("error"))).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("");
  });

  it.each(samples)("$sample prints a canonical model that reloads to itself", async ({ file, sample }) => {
    const first = await run(["-f", file, "config"]);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/^name: [a-z0-9][a-z0-9_-]*\nservices:\n/);
    const again = await run(["-f", "-", "--project-directory", join(CORPUS, sample), "config"], first.stdout);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    const json = await run(
      ["-f", "-", "--project-directory", join(CORPUS, sample), "config", "--format", "json"],
      first.stdout,
    );
    const fromJson = await run(
      ["-f", "-", "--project-directory", join(CORPUS, sample), "config"],
      json.stdout,
    );
    expect(fromJson.stdout).toBe(first.stdout);
  });

  it("fails like compose when plex's media path is not set: an empty bind source", async () => {
    const { PLEX_MEDIA_PATH: _unset, ...env } = ENV;
    const result = await run(["-f", join(CORPUS, "plex/compose.yaml"), "config", "-q"], undefined, env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("error: invalid spec: :/media/: empty section between colons");
    expect(result.stderr).toContain("plex/compose.yaml:10:9");
  });
});
