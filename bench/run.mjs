#!/usr/bin/env node
// Runs every benchmark in bench/ (every *.mjs but this one), one after the other, each in its own process
// with the terminal as its output. `npm run bench` runs them all; `npm run bench -- load` runs the ones whose
// file name contains "load". Extra arguments after `--` are passed to each benchmark.
// Exits 1 if any benchmark failed, after running the rest.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const separator = process.argv.indexOf("--", 2);
const filters = process.argv.slice(2, separator === -1 ? undefined : separator);
const passed = separator === -1 ? [] : process.argv.slice(separator + 1);

const benches = readdirSync(dir)
  .filter((name) => name.endsWith(".mjs") && name !== self)
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

if (benches.length === 0) {
  console.error(`no benchmark in ${dir} matches ${filters.join(", ")}`);
  process.exit(1);
}

const failed = [];
for (const name of benches) {
  console.log(`\n## ${name}`);
  // One hour at most per benchmark: each bounds its own runs, this is the last guard.
  const result = spawnSync(process.execPath, [join(dir, name), ...passed], {
    stdio: "inherit",
    timeout: 3_600_000,
  });
  if (result.error || result.status !== 0)
    failed.push(`${name} (${result.error?.message ?? `exit ${result.status}`})`);
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(", ")}`);
  process.exitCode = 1;
}
