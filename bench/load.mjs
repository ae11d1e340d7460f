#!/usr/bin/env node
// Load time of the largest compose file of ../shared/corpus, two ways:
//   in-process  loadProject() from dist/ on that file, after a warm-up: mean, p50, p95 (and the first call)
//   CLI         `tscompose -f FILE config -q` from process start to exit, beside `docker compose` and
//               `docker-compose` when they are installed (their config needs no daemon)
// Usage: node bench/load.mjs [--iterations N] [--runs N] [--corpus DIR]   (run `npm run build` first)
// The targets: well under 100 ms in-process; a small CLI start-up.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(repo, "bin", "tscompose.cjs");

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  if (index === -1) return fallback;
  const value = process.argv[index + 1];
  return value === undefined ? fallback : value;
}

function count(name, fallback) {
  const value = Number(option(name, fallback));
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Every compose-looking YAML file under `dir` (bounded depth: the corpus is a few levels deep). */
function composeFiles(dir, depth = 0) {
  if (depth > 6) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith(".")) out.push(...composeFiles(path, depth + 1));
    else if (entry.isFile() && /compose[^/]*\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
  return { mean, p50: at(0.5), p95: at(0.95), n: sorted.length };
}

const ms = (x) => `${x.toFixed(2)} ms`;
const row = (label, s) =>
  console.log(
    `${label.padEnd(34)} mean ${ms(s.mean).padStart(10)}  p50 ${ms(s.p50).padStart(10)}  p95 ${ms(s.p95).padStart(10)}  (n=${s.n})`,
  );

async function inProcess(file, iterations) {
  const { loadProject } = await import(pathToFileURL(join(repo, "dist", "load", "index.js")).href);
  const options = { files: [file], cwd: dirname(file), env: { PATH: process.env.PATH ?? "" } };
  const first = performance.now();
  loadProject(options);
  const firstMs = performance.now() - first;
  for (let i = 0; i < Math.min(20, iterations); i++) loadProject(options);
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    loadProject(options);
    samples.push(performance.now() - start);
  }
  console.log(`${"loadProject, first call".padEnd(34)} ${ms(firstMs)}`);
  row("loadProject, warm", stats(samples));
}

/** Times `command args` from spawn to exit, `runs` times; undefined (with the reason printed) if it fails. */
function timeCommand(label, command, args, cwd, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 30_000 });
    const elapsed = performance.now() - start;
    if (result.error || result.status !== 0) {
      const reason =
        result.error?.message ?? (result.stderr.trim().split("\n")[0] || `exit ${result.status}`);
      return { failed: reason };
    }
    samples.push(elapsed);
  }
  row(label, stats(samples));
  return { samples };
}

async function main() {
  const corpus = resolve(option("--corpus", join(repo, "..", "shared", "corpus")));
  if (!existsSync(cli)) {
    console.error(`${cli} is missing: run npm run build first`);
    process.exitCode = 1;
    return;
  }
  const files = existsSync(corpus) ? composeFiles(corpus) : [];
  if (files.length === 0) {
    console.error(`no compose files under ${corpus}`);
    process.exitCode = 1;
    return;
  }
  const file = files.sort((a, b) => statSync(b).size - statSync(a).size || a.localeCompare(b))[0];
  const iterations = count("--iterations", 500);
  const runs = count("--runs", 15);
  console.log(`load: ${file} (${statSync(file).size} bytes, largest of ${files.length} corpus files)`);
  await inProcess(file, iterations);

  const cwd = dirname(file);
  const node = process.execPath;
  let ours = timeCommand("tscompose config -q", cli, ["-f", file, "config", "-q"], cwd, runs);
  if (ours.failed) {
    // Until `config -q` lands, time the full `config` (output discarded by the pipe) and say so.
    console.log(`tscompose config -q: ${ours.failed}; timing \`config\` instead`);
    ours = timeCommand("tscompose config", cli, ["-f", file, "config"], cwd, runs);
    if (ours.failed) console.log(`tscompose config: failed: ${ours.failed}`);
  }
  // Without NODE_EXTRA_CA_CERTS, as the bin's shebang starts Node: the floor under our own figure.
  timeCommand(
    "node -e '' (Node start-up alone)",
    "env",
    ["-u", "NODE_EXTRA_CA_CERTS", node, "-e", ""],
    cwd,
    runs,
  );
  const peers = [
    ["docker compose config -q", "docker", ["compose", "-f", file, "config", "-q"]],
    ["docker-compose config -q", "docker-compose", ["-f", file, "config", "-q"]],
  ];
  for (const [label, command, args] of peers) {
    const result = timeCommand(label, command, args, cwd, runs);
    if (result.failed) console.log(`${label}: skipped (${result.failed})`);
  }
}

await main();
