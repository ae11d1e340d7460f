import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TscError } from "../errors.js";

/**
 * Files of the tscompose package itself (schemas/, build/): found by walking up from this module to our
 * package.json, so the same code works from src/ (tests), from dist/ and from the one-file CLI bundle,
 * whatever their depth.
 */

let root: string | undefined;

export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && /"name":\s*"tscompose"/.test(readFileSync(manifest, "utf8"))) {
      root = dir;
      return dir;
    }
    dir = dirname(dir);
  }
  throw new TscError("E_INTERNAL", "cannot find the tscompose package root", {
    hint: "reinstall tscompose: its package.json is missing",
  });
}

export function packagePath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}

/** The native helper: TSCOMPOSE_HELPER when set (tests build their own), else build/tscompose-helper. */
export function helperBinary(): string {
  const path = process.env.TSCOMPOSE_HELPER || packagePath("build", "tscompose-helper");
  if (!existsSync(path)) {
    throw new TscError("E_RUNTIME_HELPER", `the container helper ${path} is missing`, {
      hint: "build it with `npm run build:native` (needs a C compiler)",
    });
  }
  return path;
}
