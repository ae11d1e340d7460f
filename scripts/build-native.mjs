// Compiles the container helper (src/runtime/native/*.c) into build/tscompose-helper.
// Runs from `npm ci` (prepare) so a clean clone has a working runtime.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { join } from "node:path";

const source = "src/runtime/native";
if (!existsSync(source)) process.exit(0);
const files = readdirSync(source)
  .filter((f) => f.endsWith(".c"))
  .map((f) => join(source, f));
if (files.length === 0) process.exit(0);
mkdirSync("build", { recursive: true });
const output = "build/tscompose-helper";
const flags = ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE", "-static-pie"];
const temp = `${output}.tmp`;
try {
  execFileSync("cc", [...flags, "-o", temp, ...files], { stdio: "inherit" });
} catch {
  // Some toolchains lack a static libc; a dynamic helper works as well.
  execFileSync("cc", [...flags.filter((f) => f !== "-static-pie"), "-o", temp, ...files], {
    stdio: "inherit",
  });
}
renameSync(temp, output);
