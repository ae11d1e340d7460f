import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildCli, ROOT } from "./build-cli.js";

// bin/tscompose.cjs's code cache learns each command's functions on its first success. Each test works on
// its own copy of the bin and the bundle, so the repository's cache is never touched.

let install: string;
let stateRoot: string;

function learnt(): string[] {
  const file = readFileSync(join(install, "dist/tscompose.cjs.cache"));
  return (JSON.parse(file.subarray(0, file.indexOf(10)).toString()) as { commands: string[] }).commands;
}

function cacheSize(): number {
  return statSync(join(install, "dist/tscompose.cjs.cache")).size;
}

const tscompose = (...args: string[]) =>
  execa(join(install, "bin/tscompose.cjs"), args, {
    reject: false,
    env: { TSCOMPOSE_ROOT: stateRoot },
  });

beforeAll(async () => {
  await buildCli();
});

beforeEach(() => {
  install = mkdtempSync(join(tmpdir(), "tscompose-cache-"));
  stateRoot = join(install, "state");
  mkdirSync(join(install, "bin"));
  mkdirSync(join(install, "dist"));
  copyFileSync(join(ROOT, "bin/tscompose.cjs"), join(install, "bin/tscompose.cjs"));
  chmodSync(join(install, "bin/tscompose.cjs"), 0o755);
  copyFileSync(join(ROOT, "dist/tscompose.cjs"), join(install, "dist/tscompose.cjs"));
  // The cache as the build writes it (scripts/build-bundle.mjs), whatever the repository's has learnt.
  execFileSync(process.execPath, [
    "-e",
    `const { cacheFile, compileBundle, encodeCache } = require(${JSON.stringify(join(install, "bin/tscompose.cjs"))});
     require("node:fs").writeFileSync(cacheFile, encodeCache([], compileBundle().createCachedData()));`,
  ]);
});

afterEach(() => {
  chmodSync(join(install, "dist"), 0o755);
  rmSync(install, { recursive: true, force: true });
});

describe("the CLI's code cache", () => {
  it("learns a command on its first success, once, and each new set of options", async () => {
    expect(learnt()).toEqual([]);
    const before = cacheSize();

    expect((await tscompose("image", "ls")).exitCode).toBe(0);
    expect(learnt()).toEqual(["image ls"]);
    const afterLs = cacheSize();
    expect(afterLs).toBeGreaterThan(before);

    const mtime = statSync(join(install, "dist/tscompose.cjs.cache")).mtimeMs;
    expect((await tscompose("image", "ls")).exitCode).toBe(0);
    expect(statSync(join(install, "dist/tscompose.cjs.cache")).mtimeMs).toBe(mtime);

    expect((await tscompose("image", "ls", "-q")).exitCode).toBe(0);
    expect(learnt()).toEqual(["image ls", "image ls --quiet"]);
  });

  it("does not learn from a failed command", async () => {
    const failed = await tscompose("container", "inspect", "no-such-container");
    expect(failed.exitCode).not.toBe(0);
    expect(learnt()).not.toContain("container inspect");
  });

  it("rewrites a damaged cache and still runs the command", async () => {
    writeFileSync(join(install, "dist/tscompose.cjs.cache"), "not a cache\n\u0000\u0001");
    const listed = await tscompose("image", "ls");
    expect(listed.exitCode).toBe(0);
    expect(listed.stderr).toBe("");
    expect(learnt()).toEqual(["image ls"]);
    expect((await tscompose("image", "ls")).exitCode).toBe(0);
  });

  it("runs from a read-only install without complaint", async () => {
    chmodSync(join(install, "dist"), 0o555);
    // Root ignores directory permissions; a read-only bind of the install is what a user would have.
    await execa("mount", ["--bind", "-o", "ro", join(install, "dist"), join(install, "dist")]);
    try {
      const listed = await tscompose("image", "ls");
      expect(listed.exitCode).toBe(0);
      expect(listed.stderr).toBe("");
      expect(learnt()).toEqual([]);
    } finally {
      await execa("umount", [join(install, "dist")]);
    }
  });
});
