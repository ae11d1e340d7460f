#!/usr/bin/env node
// Start latency of a container that runs `true`, end to end and runtime alone, beside runc and docker:
//   tscompose  `tscompose container run --rm busybox true` (the CLI process included)
//   helper     the tscompose helper alone on a prepared spec (no CLI, no Node startup)
//   runc       `runc run` of the same busybox rootfs (Debian's runc)
//   docker     `docker run --rm --network none busybox true` against a dockerd started here, when possible
// Usage: node bench/runtime-start.mjs [--runs N]   (root; run `npm run build` first)
// Prints one row per contender: mean and p50 in milliseconds, or why it was skipped.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { timeHelperRuns } from "./lib/helper-alone.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// The command as a user runs it: the bin file itself, through its shebang.
const cli = join(repo, "bin", "tscompose.cjs");

function parseRuns(argv) {
  const index = argv.indexOf("--runs");
  const runs = index === -1 ? 20 : Number(argv[index + 1]);
  return Number.isInteger(runs) && runs > 0 ? runs : 20;
}

/** A busybox rootfs: the static binary, one symlink per applet, and passwd/group. */
function makeRootfs(dir) {
  const busybox = ["/bin/busybox", "/usr/bin/busybox"].find((p) => existsSync(p));
  if (!busybox) throw new Error("busybox not found: apt-get install -y busybox-static");
  mkdirSync(join(dir, "bin"), { recursive: true });
  copyFileSync(busybox, join(dir, "bin", "busybox"));
  chmodSync(join(dir, "bin", "busybox"), 0o755);
  const applets = execFileSync(busybox, ["--list-full"], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const applet of applets) {
    const path = join(dir, applet);
    if (existsSync(path)) continue;
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync("/bin/busybox", path);
  }
  for (const d of ["etc", "proc", "sys", "dev", "tmp", "root"]) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(
    join(dir, "etc", "passwd"),
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n",
  );
  writeFileSync(join(dir, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
  const p50 = sorted[Math.floor((sorted.length - 1) / 2)];
  return { mean, p50 };
}

/**
 * Runs `command` `runs` times (after one warm-up) and returns wall-clock milliseconds per run. A run that
 * takes over 20 s is killed and counted as hung (docker 20.10 here sometimes never returns from a `run
 * --rm` whose shim is idle), so one hang does not cost the whole bench.
 */
function time(runs, command, argsFor, options = {}) {
  const samples = [];
  let hung = 0;
  for (let i = 0; i <= runs; i++) {
    const args = typeof argsFor === "function" ? argsFor(i) : argsFor;
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 20_000,
      killSignal: "SIGKILL",
      ...options,
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.error?.code === "ETIMEDOUT" || result.signal === "SIGKILL") {
      hung++;
      if (hung > 3) throw new Error(`${command} hung ${hung} times`);
      continue;
    }
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(" ")} exited ${result.status}: ${result.stderr?.toString().trim()}`,
      );
    }
    if (i > 0) samples.push(ms);
  }
  return { samples, hung };
}

/** Processes whose command line names our work directory: what the bench's dockerd started (shims). */
function killLeftovers(work) {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (cmdline.includes(work)) {
      try {
        process.kill(Number(entry), "SIGKILL");
      } catch {
        // It exited meanwhile.
      }
    }
  }
}

function benchTscompose(runs, work, tarball) {
  if (!existsSync(join(repo, "dist", "tscompose.cjs")))
    return { skipped: "dist/ missing: run `npm run build`" };
  const env = {
    ...process.env,
    TSCOMPOSE_ROOT: join(work, "tscompose-root"),
    TSCOMPOSE_CGROUP_PARENT: "tscompose-bench",
  };
  const imported = spawnSync(cli, ["image", "import", tarball, "busybox"], {
    env,
    encoding: "utf8",
  });
  if (imported.status !== 0) return { skipped: `image import failed: ${imported.stderr.trim()}` };
  try {
    return time(runs, cli, ["container", "run", "--rm", "busybox", "true"], { env });
  } finally {
    for (const c of CONTROLLERS) spawnSync("rmdir", [`/sys/fs/cgroup/${c}/tscompose-bench`]);
  }
}

/** The helper alone (bench/lib/helper-alone.mjs): prepared specs, timed from spawn to the container's exit. */
async function benchHelper(runs, work, rootfs) {
  return timeHelperRuns({ repo, rootfs, work, runs });
}

function benchRunc(runs, work, rootfs) {
  if (spawnSync("runc", ["--version"]).status !== 0)
    return { skipped: "runc not installed (apt-get install runc)" };
  const bundle = join(work, "runc-bundle");
  mkdirSync(bundle);
  execFileSync("runc", ["spec", "--bundle", bundle]);
  const configPath = join(bundle, "config.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.root = { path: rootfs, readonly: true };
  config.process.terminal = false;
  config.process.args = ["true"];
  writeFileSync(configPath, JSON.stringify(config));
  const runcRoot = join(work, "runc-state");
  // runc needs a fresh id per run; `run` waits for the container and deletes it on exit.
  return time(runs, "runc", (i) => [
    "--root",
    runcRoot,
    "run",
    "--bundle",
    bundle,
    `bench-${process.pid}-${i}`,
  ]);
}

const CONTROLLERS = [
  "memory",
  "cpu",
  "cpuacct",
  "cpuset",
  "pids",
  "freezer",
  "devices",
  "blkio",
  "systemd",
  "unified",
];

async function benchDocker(runs, work, tarball) {
  if (spawnSync("dockerd", ["--version"]).status !== 0) {
    return { skipped: "dockerd not installed (apt-get install docker.io)" };
  }
  // dockerd makes a `docker` parent cgroup in each hierarchy; remove the ones it made here afterwards.
  const cgroupsBefore = CONTROLLERS.filter((c) => existsSync(`/sys/fs/cgroup/${c}/docker`));
  const sock = join(work, "docker.sock");
  const host = `unix://${sock}`;
  const daemon = spawn(
    "dockerd",
    [
      "--host",
      host,
      "--data-root",
      join(work, "docker-data"),
      "--exec-root",
      join(work, "docker-exec"),
      "--pidfile",
      join(work, "docker.pid"),
      "--bridge",
      "none",
      "--iptables=false",
      "--ip6tables=false",
      "--storage-driver",
      "overlay2",
    ],
    { stdio: ["ignore", "ignore", "pipe"], detached: false },
  );
  let log = "";
  daemon.stderr.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
  const docker = (args, options = {}) =>
    spawnSync("docker", ["--host", host, ...args], { encoding: "utf8", ...options });
  try {
    let ready = false;
    for (let i = 0; i < 150 && !ready && daemon.exitCode === null; i++) {
      await sleep(200);
      ready = docker(["version"]).status === 0;
    }
    if (!ready) return { skipped: `dockerd did not start: ${log.split("\n").slice(-3).join(" ").trim()}` };
    const imported = docker(["import", tarball, "busybox-bench"]);
    if (imported.status !== 0) return { skipped: `docker import failed: ${imported.stderr.trim()}` };
    const args = ["--host", host, "run", "--rm", "--network", "none", "busybox-bench", "true"];
    return time(runs, "docker", args);
  } finally {
    if (daemon.pid && daemon.exitCode === null) {
      daemon.kill("SIGTERM");
      for (let i = 0; i < 100 && daemon.exitCode === null; i++) await sleep(100);
      if (daemon.exitCode === null) daemon.kill("SIGKILL");
    }
    killLeftovers(work);
    for (const c of CONTROLLERS)
      if (!cgroupsBefore.includes(c)) spawnSync("rmdir", [`/sys/fs/cgroup/${c}/docker`]);
  }
}

export async function benchRuntimeStart(runs = 20) {
  const work = mkdtempSync(join(tmpdir(), "tsc-bench-start-"));
  const rows = [];
  try {
    const rootfs = join(work, "rootfs");
    makeRootfs(rootfs);
    const tarball = join(work, "busybox.tar");
    execFileSync("tar", ["-C", rootfs, "-cf", tarball, "."]);
    const contenders = [
      ["tscompose container run --rm busybox true", () => benchTscompose(runs, work, tarball)],
      ["tscompose helper alone", () => benchHelper(runs, work, rootfs)],
      ["runc run (same rootfs)", () => benchRunc(runs, work, rootfs)],
      ["docker run --rm busybox true", () => benchDocker(runs, work, tarball)],
    ];
    for (const [name, bench] of contenders) {
      try {
        rows.push({ name, ...(await bench()) });
      } catch (error) {
        rows.push({ name, skipped: `failed: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  } finally {
    spawnSync("umount", ["-R", join(work, "docker-exec")], { stdio: "ignore" });
    spawnSync("umount", ["-R", join(work, "docker-data")], { stdio: "ignore" });
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

export function formatRows(rows, runs) {
  const lines = [
    `start latency, ${runs} runs each (ms)`,
    `${"contender".padEnd(44)}${"mean".padStart(9)}${"p50".padStart(9)}`,
  ];
  for (const row of rows) {
    if (row.samples) {
      const { mean, p50 } = stats(row.samples);
      const note = row.hung ? `   (${row.hung} hung runs killed and left out)` : "";
      lines.push(`${row.name.padEnd(44)}${mean.toFixed(1).padStart(9)}${p50.toFixed(1).padStart(9)}${note}`);
    } else {
      lines.push(`${row.name.padEnd(44)}   skipped: ${row.skipped}`);
    }
  }
  return lines.join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const runs = parseRuns(process.argv);
  const rows = await benchRuntimeStart(runs);
  console.log(formatRows(rows, runs));
}
