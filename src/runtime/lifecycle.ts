import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { StateRoot } from "../common/root.js";
import { TscError, isErrno } from "../errors.js";
import { Cgroup, type CgroupOptions } from "./cgroup.js";
import { ContainerStore, type ContainerRecord, type ContainerState } from "./container-store.js";
import { buildInspect, psOf, type ContainerInspect, type TopResult } from "./inspect.js";
import { streamLogs, type LogOptions, type LogSink } from "./logs.js";
import { removeRootfs, rootfsPaths } from "./rootfs.js";
import { normalizeSignal } from "./signals.js";

/**
 * What can be done to a container from its record alone, whoever started it: observe it (list, inspect,
 * top, logs, wait) and end it (kill, stop, remove). The container's PID 1 is signalled from the host; a
 * SIGKILL goes to its whole cgroup, so nothing it forked survives.
 */

export function cgroupOptions(record: ContainerRecord): CgroupOptions {
  return { parent: record.hostConfig.cgroupParent, root: record.hostConfig.cgroupRoot };
}

export function containerPaths(root: StateRoot, record: ContainerRecord) {
  const dir = root.container(record.id);
  return {
    dir,
    log: join(dir, "container.log"),
    hosts: join(dir, "hosts"),
    hostname: join(dir, "hostname"),
    resolvConf: join(dir, "resolv.conf"),
    rootfs: rootfsPaths(dir, record.layers),
  };
}

export function listContainers(
  root: StateRoot,
  all = false,
): { record: ContainerRecord; state: ContainerState }[] {
  const store = new ContainerStore(root);
  return store
    .list()
    .map((record) => ({ record, state: store.state(record.id) }))
    .filter((c) => all || c.state.running)
    .reverse();
}

export function getContainer(
  root: StateRoot,
  ref: string,
): { record: ContainerRecord; state: ContainerState } {
  const store = new ContainerStore(root);
  const record = store.get(ref);
  return { record, state: store.state(record.id) };
}

function notRunning(record: ContainerRecord): TscError {
  return new TscError("E_CONTAINER_STATE", `container ${record.name} is not running`, {
    hint: "start it with `container start` first",
  });
}

/** Polls the state until the container has exited; undefined when `timeoutMs` passes first. */
export async function waitContainer(
  root: StateRoot,
  ref: string,
  timeoutMs = Number.POSITIVE_INFINITY,
  signal?: AbortSignal,
): Promise<ContainerState | undefined> {
  const store = new ContainerStore(root);
  const record = store.get(ref);
  const deadline = Date.now() + timeoutMs;
  for (let state = store.state(record.id); ; state = store.state(record.id)) {
    if (!state.running) return state;
    if (Date.now() >= deadline || signal?.aborted) return undefined;
    await sleep(Math.min(20, Math.max(1, deadline - Date.now())));
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if (!isErrno(error, "ESRCH")) throw error;
  }
}

/** docker kill: a signal to PID 1; SIGKILL to every process of the cgroup. */
export async function killContainer(root: StateRoot, ref: string, signalName = "SIGKILL"): Promise<void> {
  const signal = normalizeSignal(signalName);
  const { record, state } = getContainer(root, ref);
  if (!state.running) throw notRunning(record);
  if (signal === "SIGKILL") await Cgroup.open(record.id, cgroupOptions(record)).killAll("SIGKILL");
  else signalPid(state.pid, signal);
}

async function killAndWait(root: StateRoot, record: ContainerRecord): Promise<ContainerState> {
  await Cgroup.open(record.id, cgroupOptions(record)).killAll("SIGKILL");
  const killed = await waitContainer(root, record.id, 10_000);
  if (!killed) {
    throw new TscError("E_CONTAINER_STATE", `container ${record.name} did not exit after SIGKILL`, {
      hint: "a process stuck in the kernel (uninterruptible sleep) cannot be killed; see `container top`",
    });
  }
  return killed;
}

/**
 * docker stop: the stop signal to PID 1, then SIGKILL to the whole cgroup after the grace period. A PID 1
 * without a handler ignores SIGTERM (the kernel shields a namespace's init), which is what --init is for.
 */
export async function stopContainer(
  root: StateRoot,
  ref: string,
  timeoutSeconds?: number,
): Promise<ContainerState> {
  const { record, state } = getContainer(root, ref);
  if (!state.running) return state;
  signalPid(state.pid, normalizeSignal(record.config.stopSignal));
  // docker: a negative timeout waits for as long as it takes.
  const seconds = timeoutSeconds ?? record.config.stopTimeout;
  const stopped = await waitContainer(
    root,
    record.id,
    seconds < 0 ? Number.POSITIVE_INFINITY : seconds * 1000,
  );
  return stopped ?? killAndWait(root, record);
}

/** Mount points left under the container's directory in our mount namespace, deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => (line.split(" ")[1] ?? "").replace(/\\040/g, " "))
    .filter((target) => target === dir || target.startsWith(`${dir}/`))
    .sort()
    .reverse();
}

/** docker rm: refuses a running container unless forced; leaves no process, mount, cgroup or file. */
export async function removeContainer(root: StateRoot, ref: string, force = false): Promise<void> {
  const { record, state } = getContainer(root, ref);
  if (state.running) {
    if (!force) {
      throw new TscError("E_CONTAINER_STATE", `cannot remove container ${record.name}: it is running`, {
        hint: "stop the container first, or use `container rm -f`",
      });
    }
    await killAndWait(root, record);
  }
  const paths = containerPaths(root, record);
  // The helper mounts inside the container's own mount namespace; anything here is a leftover of a crash.
  for (const target of mountsUnder(paths.dir)) execFileSync("umount", ["-l", target]);
  const cgroup = Cgroup.open(record.id, cgroupOptions(record));
  if (cgroup.exists()) {
    await cgroup.killAll("SIGKILL");
    await cgroup.remove();
  }
  removeRootfs(paths.dir);
  new ContainerStore(root).remove(record);
}

/**
 * docker's AutoRemove, run by the container's monitor once PID 1 has ended with nobody attached: removes
 * the container unless it is already gone, being restarted, or running again.
 */
export async function autoRemoveContainer(root: StateRoot, id: string): Promise<void> {
  let found: ReturnType<typeof getContainer>;
  try {
    found = getContainer(root, id);
  } catch (error) {
    if (TscError.is(error) && error.code === "E_CONTAINER_NOT_FOUND") return;
    throw error;
  }
  if (found.state.running || new ContainerStore(root).isRestarting(found.record.id)) return;
  await removeContainer(root, id);
}

export function inspectContainer(root: StateRoot, ref: string): ContainerInspect {
  const { record, state } = getContainer(root, ref);
  const cgroup = Cgroup.open(record.id, cgroupOptions(record));
  const oomKilled = state.status === "exited" && cgroup.exists() && cgroup.oomKilled();
  return buildInspect(record, state, containerPaths(root, record), oomKilled);
}

export async function topContainer(root: StateRoot, ref: string): Promise<TopResult> {
  const { record, state } = getContainer(root, ref);
  if (!state.running) throw notRunning(record);
  return psOf(Cgroup.open(record.id, cgroupOptions(record)).pids());
}

export async function containerLogs(
  root: StateRoot,
  ref: string,
  options: LogOptions,
  sink: LogSink,
): Promise<void> {
  const store = new ContainerStore(root);
  const record = store.get(ref);
  await streamLogs(containerPaths(root, record).log, options, sink, () => store.state(record.id).running);
}
