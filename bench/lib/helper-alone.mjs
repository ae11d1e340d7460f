// The native helper alone, for runtime-start.mjs's "tscompose helper alone" row: per run, a prepared
// container directory and cgroups (untimed), then `tscompose-helper run` on a spec from the compiled
// runtime's buildSpec, timed from the spawn until the container's exit status file appears, which is what
// `runc run` waits for in the runc row. Lives in bench/lib/ so bench/run.mjs does not run it on its own.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, rmdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The container's `true` exits within milliseconds; this only bounds a broken run. */
const EXIT_WAIT_MS = 10_000;
const EXIT_POLLS = 50_000_000;

function gone(pid) {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}

/** Removes the runs' parent cgroup in every hierarchy (the runtime's Cgroup removes only its own). */
function removeParent(dirs) {
  for (const dir of dirs) {
    try {
      rmdirSync(dirname(dir));
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
    }
  }
}

/**
 * Times `runs` helper runs (after one warm-up) of `true` in the busybox `rootfs`, with scratch space in
 * `work`. Resolves with milliseconds per run, or { skipped } when the helper or dist/ is missing.
 */
export async function timeHelperRuns({ repo, rootfs, work, runs }) {
  const helper = join(repo, "build", "tscompose-helper");
  const specModule = join(repo, "dist", "runtime", "spec.js");
  const runtime = (name) => import(join(repo, "dist", "runtime", `${name}.js`));
  if (!existsSync(helper)) return { skipped: "build/tscompose-helper missing: run `npm run build:native`" };
  if (!existsSync(specModule)) return { skipped: "dist/runtime/spec.js missing: run `npm run build:ts`" };
  // The runtime's own pieces lay out the container and its cgroups, as a container start does; spec.js
  // re-exports spec-encode.js's encoder.
  const { buildSpec, encodeSpec } = await runtime("spec");
  const { Cgroup } = await runtime("cgroup");
  const { prepareRootfs } = await runtime("rootfs");
  const { writeEtcFiles } = await runtime("etc-files");
  const parent = `tscompose-bench-helper-${process.pid}`;
  const base = join(work, "helper");
  const samples = [];
  let dirs = [];
  try {
    for (let i = 0; i <= runs; i++) {
      const dir = join(base, `c${i}`);
      const cgroup = Cgroup.create(`c${i}`, { parent });
      dirs = cgroup.dirs;
      let started;
      try {
        const spec = buildSpec({
          args: ["true"],
          env: [],
          user: { uid: 0, gid: 0, groups: [] },
          hostname: "bench",
          rootfs: prepareRootfs(dir, [rootfs]),
          etc: writeEtcFiles(dir, "bench", "none"),
          cgroupJoinFiles: cgroup.joinFiles(),
          cgroupVersion: cgroup.version,
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
        await cgroup.killAll("SIGKILL");
        // The overlay went with the container's mount namespace; the monitor exits just after writing
        // exit.json, and no process of ours may outlive its run.
        for (let wait = 0; started && wait < 200 && !gone(started.monitorPid); wait++) await sleep(5);
        await cgroup.remove();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    removeParent(dirs);
    rmSync(base, { recursive: true, force: true });
  }
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .filter((line) => line.includes(base));
  if (mounts.length > 0) throw new Error(`mounts left behind: ${mounts.join("; ")}`);
  return { samples };
}
