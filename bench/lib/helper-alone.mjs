// The native helper alone, for runtime-start.mjs's "tscompose helper alone" row: per run, a prepared
// container directory and cgroups (untimed), then `tscompose-helper run` on a spec from the compiled
// runtime's buildSpec, timed from the spawn until the container's exit status file appears, which is what
// `runc run` waits for in the runc row. Lives in bench/lib/ so bench/run.mjs does not run it on its own.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const CGROUP_ROOT = "/sys/fs/cgroup";
/** What the runtime's cgroup-v1.ts joins; only the mounted ones are used. */
const V1_CONTROLLERS = ["blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids"];
/** The container's `true` exits within milliseconds; this only bounds a broken run. */
const EXIT_WAIT_MS = 10_000;
const EXIT_POLLS = 50_000_000;

/** One directory per cgroup hierarchy to join: each mounted v1 controller once, or the v2 root. */
function hierarchies(version) {
  if (version === 2) return [CGROUP_ROOT];
  const seen = new Set();
  const roots = [];
  for (const controller of V1_CONTROLLERS) {
    const root = join(CGROUP_ROOT, controller);
    if (!existsSync(join(root, "cgroup.procs"))) continue;
    // cpu and cpuacct are one hierarchy behind two names on some hosts.
    const real = realpathSync(root);
    if (seen.has(real)) continue;
    seen.add(real);
    roots.push(root);
  }
  return roots;
}

/** A new cpuset cgroup has no cpus or mems and refuses tasks until it gets its parent's. */
function makeCgroup(dir, parent) {
  mkdirSync(dir);
  for (const file of ["cpuset.cpus", "cpuset.mems"]) {
    const from = join(parent, file);
    if (existsSync(from)) writeFileSync(join(dir, file), readFileSync(from, "utf8").trim());
  }
}

/** Removes a cgroup (and its children); a cgroup whose last task is still dying answers EBUSY a moment. */
async function removeCgroup(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeCgroup(join(dir, entry.name));
  }
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      if (error.code === "ENOENT") return;
      if (error.code !== "EBUSY" || attempt >= 100) throw error;
      await sleep(10);
    }
  }
}

/** Kills what is still in our cgroups: only processes the helper started for us end up there. */
function killCgroupTasks(dirs) {
  for (const dir of dirs) {
    let procs;
    try {
      procs = readFileSync(join(dir, "cgroup.procs"), "utf8");
    } catch {
      continue;
    }
    for (const pid of procs.split("\n").filter(Boolean)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // It exited meanwhile.
      }
    }
  }
}

function gone(pid) {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}

/** What buildSpec points at (as test/runtime/helper-fixture.ts lays it out), and the run's cgroups. */
function prepare(dir, roots, parentName, name) {
  for (const sub of ["upper", "work", "merged"]) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, "hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\tbench\n");
  writeFileSync(join(dir, "hostname"), "bench\n");
  writeFileSync(join(dir, "resolv.conf"), "");
  const cgroups = roots.map((root) => join(root, parentName, name));
  for (const cg of cgroups) makeCgroup(cg, join(cg, ".."));
  return cgroups;
}

/**
 * Times `runs` helper runs (after one warm-up) of `true` in the busybox `rootfs`, with scratch space in
 * `work`. Resolves with milliseconds per run, or { skipped } when the helper or dist/ is missing.
 */
export async function timeHelperRuns({ repo, rootfs, work, runs }) {
  const helper = join(repo, "build", "tscompose-helper");
  const specModule = join(repo, "dist", "runtime", "spec.js");
  if (!existsSync(helper)) return { skipped: "build/tscompose-helper missing: run `npm run build:native`" };
  if (!existsSync(specModule)) return { skipped: "dist/runtime/spec.js missing: run `npm run build:ts`" };
  // spec.js re-exports spec-encode.js's encoder and spec-defaults.js's cgroup detection.
  const { buildSpec, encodeSpec, detectCgroupMountVersion } = await import(specModule);
  const version = detectCgroupMountVersion();
  const roots = hierarchies(version);
  const parentName = `tscompose-bench-helper-${process.pid}`;
  const base = join(work, "helper");
  const samples = [];
  try {
    for (const root of roots) makeCgroup(join(root, parentName), root);
    for (let i = 0; i <= runs; i++) {
      const dir = join(base, `c${i}`);
      const cgroups = prepare(dir, roots, parentName, `c${i}`);
      let started;
      try {
        const spec = buildSpec({
          args: ["true"],
          env: [],
          user: { uid: 0, gid: 0, groups: [] },
          hostname: "bench",
          rootfs: {
            lowerDirs: [rootfs],
            upperDir: join(dir, "upper"),
            workDir: join(dir, "work"),
            mergedDir: join(dir, "merged"),
          },
          etc: {
            hosts: join(dir, "hosts"),
            hostname: join(dir, "hostname"),
            resolvConf: join(dir, "resolv.conf"),
          },
          cgroupJoinFiles: cgroups.map((cg) => join(cg, "cgroup.procs")),
          cgroupVersion: version,
          network: "none",
          logPath: join(dir, "log.json"),
          exitStatusPath: join(dir, "exit.json"),
          // As helper-launcher.ts does for every container, so the monitor does its usual work.
          attachSocket: join(dir, "attach.sock"),
        });
        const input = encodeSpec(spec);
        const exitPath = spec.monitor.exitStatusPath;

        const start = process.hrtime.bigint();
        const result = spawnSync(helper, ["run"], {
          input,
          encoding: "utf8",
          timeout: 20_000,
          killSignal: "SIGKILL",
        });
        const match = /^started (\d+) (\d+)\n/.exec(result.stdout ?? "");
        if (!match) {
          const why = result.error?.message ?? (result.stdout || result.stderr).trim();
          throw new Error(`helper run failed: ${why || `exit ${result.status}`}`);
        }
        started = { pid: Number(match[1]), monitorPid: Number(match[2]) };
        // A tight poll: any sleep here would be counted as start latency.
        let polls = 0;
        const deadline = Date.now() + EXIT_WAIT_MS;
        while (!existsSync(exitPath) && polls++ < EXIT_POLLS && Date.now() < deadline);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;

        if (!existsSync(exitPath)) throw new Error(`the container did not exit within ${EXIT_WAIT_MS} ms`);
        const exit = JSON.parse(readFileSync(exitPath, "utf8"));
        if (exit.exitCode !== 0) throw new Error(`the container's true exited ${exit.exitCode}`);
        if (i > 0) samples.push(ms);
      } finally {
        killCgroupTasks(cgroups);
        // The overlay went with the container's mount namespace; the monitor exits just after writing
        // exit.json, and no process of ours may outlive its run.
        for (let wait = 0; started && wait < 200 && !gone(started.monitorPid); wait++) await sleep(5);
        for (const cg of cgroups) await removeCgroup(cg);
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    for (const root of roots) await removeCgroup(join(root, parentName));
    rmSync(base, { recursive: true, force: true });
  }
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .filter((line) => line.includes(base));
  if (mounts.length > 0) throw new Error(`mounts left behind: ${mounts.join("; ")}`);
  return { samples };
}
