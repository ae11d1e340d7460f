import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";

/** The repository root, the tscompose command (package.json's bin) and the bundle it runs. */
export const ROOT = join(import.meta.dirname, "../..");
export const CLI = join(ROOT, "bin/tscompose.cjs");
const BUNDLE = join(ROOT, "dist/tscompose.cjs");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const fresh = () => existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newestSource(join(ROOT, "src"));

/**
 * Builds dist/ and the bundle when a source file is newer than the bundle. Test files in other workers may ask at the
 * same time: a lock directory makes one of them build while the others wait (at most two minutes). The
 * emit goes on even when another part of the tree has a type error, as tests only need the JS.
 */
export async function buildCli(): Promise<string> {
  const lock = join(ROOT, "dist", ".test-build-lock");
  const deadline = Date.now() + 120_000;
  while (!fresh()) {
    mkdirSync(join(ROOT, "dist"), { recursive: true });
    try {
      mkdirSync(lock);
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      await execa("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT, reject: false });
      await execa("node", ["scripts/build-bundle.mjs"], { cwd: ROOT });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    if (!existsSync(BUNDLE)) throw new Error(`the build did not produce ${BUNDLE}`);
    break;
  }
  return CLI;
}
