import { lstatSync, mkdirSync } from "node:fs";
import type { StateRoot } from "../common/root.js";
import { TscError } from "../errors.js";
import { Cgroup, type CgroupVersion } from "./cgroup.js";
import {
  ContainerStore,
  processStartTicks,
  type BindMount,
  type ContainerRecord,
  type ContainerState,
} from "./container-store.js";
import { mergeEnv } from "./create.js";
import { writeEtcFiles, type EtcFiles } from "./etc-files.js";
import { execExitCode } from "./helper.js";
import { cgroupOptions, containerPaths, getContainer, stopContainer } from "./lifecycle.js";
import { prepareRootfs, type ContainerRootfs } from "./rootfs.js";
import { resolveImageUser, type ResolvedUser } from "./user.js";

/**
 * Starting a container and running commands in it. The process work is the launcher's (the native
 * helper: namespaces, mounts, capabilities, the monitor); this file prepares what it needs (a fresh cgroup
 * with the limits, the rw layer, the generated /etc files, the user) and records the start.
 */

/** Everything the launcher needs to set up and start the container's PID 1 under a monitor. */
export interface LaunchInput {
  record: ContainerRecord;
  user: ResolvedUser;
  rootfs: ContainerRootfs;
  etc: EtcFiles;
  /** The container's cgroup directories, and the files PID 1 joins them through (Cgroup.joinFiles). */
  cgroupDirs: readonly string[];
  cgroupJoinFiles: readonly string[];
  /** v2: the cgroup directory PID 1 is cloned into instead (Cgroup.cloneIntoDir). */
  cloneIntoCgroup?: string;
  /** Which cgroup filesystem the container's /sys/fs/cgroup shows. */
  cgroupVersion: CgroupVersion;
  logPath: string;
  exitStatusPath: string;
  dir: string;
}

/** The monitor (parent of PID 1, outliving the caller) and PID 1, once PID 1 is about to exec. */
export interface Launched {
  monitorPid: number;
  pid: number;
}

export interface ExecRequest {
  args: string[];
  user?: string;
  workingDir?: string;
  env?: string[];
  tty?: boolean;
  interactive?: boolean;
  detach?: boolean;
  /** With tty and interactive: the bytes that, typed, detach the caller and leave the process running. */
  detachKeys?: number[];
}

export interface ExecInput {
  record: ContainerRecord;
  /** The container's PID 1 (host pid): its namespaces are joined. */
  pid: number;
  user: ResolvedUser;
  cgroupJoinFiles: readonly string[];
  cloneIntoCgroup?: string;
  env: string[];
  request: ExecRequest;
}

export interface ExecResult {
  exitCode: number;
  /** The detach keys were typed: the process goes on. */
  detached?: boolean;
}

/**
 * The process side of the runtime; the native helper implements it (src/runtime/helper.ts). Contract:
 * - `run` resolves once PID 1 is in its cgroup (cloned into `cloneIntoCgroup`, or joined through every
 *   `cgroupJoinFiles` file by writing "0" there) and is about to exec, with the monitor's pid (detached
 *   from the caller, parent of PID 1) and PID 1's host pid; a setup failure rejects with a TscError
 *   (E_RUNTIME_EXEC naming ENOENT/EACCES when the command cannot be run: the CLI maps those to 127/126).
 * - The monitor appends one JSON object per output line to `logPath`: `{"time": RFC 3339, "stream":
 *   "stdout"|"stderr", "log": "text\n"}` (docker's json-file; a partial line has no newline), and
 *   when PID 1 ends writes `exitStatusPath` atomically: `{"exitCode": n, "signal"?: n, "finishedAt"?: …}`
 *   (exitCode 128+n when killed by signal n).
 * - `exec` joins PID 1's namespaces and the cgroup, applies the container's capabilities and
 *   no_new_privs, runs the command as the resolved user and resolves with its exit code.
 */
export interface Launcher {
  run(input: LaunchInput): Promise<Launched>;
  exec(input: ExecInput): Promise<ExecResult>;
}

/** docker's -v: a host directory that does not exist yet is created (root, 0755) when the container starts. */
function createMissingBindSources(binds: readonly BindMount[]): void {
  for (const bind of binds) {
    // lstat: a dangling symlink is there, and left to the helper's stat to report.
    try {
      lstatSync(bind.source);
    } catch {
      mkdirSync(bind.source, { recursive: true, mode: 0o755 });
    }
  }
}

/** Starts a created or exited container; a running one is left as it is, as docker start does. */
export async function startContainer(
  root: StateRoot,
  ref: string,
  launcher: Launcher,
): Promise<ContainerState> {
  const store = new ContainerStore(root);
  const { record, state: before } = getContainer(root, ref);
  if (before.running) return before;
  const paths = containerPaths(root, record);
  const options = cgroupOptions(record);
  const stale = Cgroup.open(record.id, options);
  // A previous run's cgroup holds its OOM counter (and maybe stragglers): start from a fresh one.
  if (stale.exists()) {
    await stale.killAll("SIGKILL");
    await stale.remove();
  }
  const cgroup = Cgroup.create(record.id, options);
  let launched: Launched;
  try {
    const host = record.hostConfig;
    cgroup.setLimits({
      memory: host.memory,
      memorySwap: host.memorySwap,
      cpus: host.cpus,
      pids: host.pidsLimit,
      devices: host.privileged ? "all" : "default",
    });
    const user = resolveImageUser(record.config.user, record.layers);
    createMissingBindSources(host.binds);
    store.clearExit(record.id);
    launched = await launcher.run({
      record,
      user,
      rootfs: prepareRootfs(paths.dir, record.layers),
      etc: writeEtcFiles(paths.dir, record.config.hostname, host.networkMode),
      cgroupDirs: cgroup.dirs,
      cgroupJoinFiles: cgroup.joinFiles(),
      cloneIntoCgroup: cgroup.cloneIntoDir(),
      cgroupVersion: cgroup.version,
      logPath: paths.log,
      exitStatusPath: store.exitStatusPath(record.id),
      dir: paths.dir,
    });
  } catch (error) {
    await cgroup.killAll("SIGKILL").catch(() => undefined);
    await cgroup.remove().catch(() => undefined);
    store.writeStartError(record.id, {
      exitCode: execExitCode(error) ?? 125,
      error: error instanceof Error ? error.message : String(error),
      at: new Date().toISOString(),
    });
    throw error;
  }
  store.writeStart(record.id, {
    monitorPid: launched.monitorPid,
    monitorStartTicks: processStartTicks(launched.monitorPid) ?? 0,
    pid: launched.pid,
    startedAt: new Date().toISOString(),
    // docker counts the restarts of a restart policy only, not a user's start or restart.
    restartCount: before.restartCount,
  });
  return store.state(record.id);
}

export async function restartContainer(
  root: StateRoot,
  ref: string,
  launcher: Launcher,
  timeoutSeconds?: number,
): Promise<ContainerState> {
  const { record } = getContainer(root, ref);
  const store = new ContainerStore(root);
  // An --rm container ends here only to start again: its monitor's auto-remover must leave it.
  store.markRestarting(record.id, true);
  try {
    await stopContainer(root, ref, timeoutSeconds);
    return await startContainer(root, ref, launcher);
  } finally {
    store.markRestarting(record.id, false);
  }
}

/** Runs a command in a running container: its namespaces and cgroup, its capabilities and no_new_privs. */
export async function execInContainer(
  root: StateRoot,
  ref: string,
  request: ExecRequest,
  launcher: Launcher,
): Promise<ExecResult> {
  const { record, state } = getContainer(root, ref);
  if (!state.running) {
    throw new TscError("E_CONTAINER_STATE", `container ${record.name} is not running`, {
      hint: "start it with `container start` first",
    });
  }
  if (request.args.length === 0) {
    throw new TscError("E_USAGE", "exec needs a command", {
      hint: "container exec CONTAINER COMMAND [ARG...]",
    });
  }
  const cgroup = Cgroup.open(record.id, cgroupOptions(record));
  return launcher.exec({
    record,
    pid: state.pid,
    user: resolveImageUser(request.user ?? record.config.user, record.layers),
    cgroupJoinFiles: cgroup.joinFiles(),
    cloneIntoCgroup: cgroup.cloneIntoDir(),
    env: mergeEnv(record.config.env, request.env ?? []),
    request,
  });
}
