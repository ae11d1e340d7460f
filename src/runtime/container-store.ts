import { randomBytes } from "../common/node-crypto.js";
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { atomicWriteJsonSync } from "../common/atomic-write.js";
import type { StateRoot } from "../common/root.js";
import { TscError, isErrno } from "../errors.js";
import { CONTAINER_NAME, randomContainerName } from "./names.js";

/**
 * Container records under TSCOMPOSE_ROOT/containers/<id>/: `config.json` (what the container is, written
 * atomically at create and never changed by a start), `state.json` (the last start: monitor pid and start
 * time), and the helper's exit status file (how the last run ended). The status is derived from those: a
 * record with no start is "created", a live monitor without an exit file "running", else "exited".
 * Names are reserved by exclusive creation of containers/.names/<name>, so two processes can't take one.
 */

const MAX_NAME_LENGTH = 255;

export interface BindMount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** docker inspect's Config, in our terms. */
export interface ContainerConfig {
  image: string;
  /** The command as run: entrypoint + cmd after docker's merge rules. */
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
  hostname: string;
  tty: boolean;
  openStdin: boolean;
  stopSignal: string;
  /** Seconds `stop` waits before SIGKILL when not given one. */
  stopTimeout: number;
  labels: Record<string, string>;
}

/** docker inspect's HostConfig. */
export interface HostConfig {
  autoRemove: boolean;
  init: boolean;
  readOnly: boolean;
  privileged: boolean;
  networkMode: "none" | "host";
  binds: BindMount[];
  tmpfs: Record<string, string>;
  capAdd: string[];
  capDrop: string[];
  noNewPrivileges: boolean;
  /** Absent in records from before seccomp: those run with the default filter too. */
  seccomp?: "default" | "unconfined";
  memory?: number;
  memorySwap?: number;
  cpus?: number;
  pidsLimit?: number;
  cgroupParent: string;
  /**
   * Where the cgroup filesystem is mounted when not /sys/fs/cgroup (TSCOMPOSE_CGROUP_ROOT): a test on a
   * hybrid host runs the v2 backend on its /sys/fs/cgroup/unified this way.
   */
  cgroupRoot?: string;
}

export interface ContainerRecord {
  id: string;
  name: string;
  imageId: string;
  imageRef: string;
  created: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** The image's unpacked layer directories, bottom to top, pinned at create. */
  layers: string[];
}

/** Written by the runtime when the helper reports the container started. */
export interface StartState {
  /** The monitor (helper) process: parent of the container's PID 1. */
  monitorPid: number;
  /** The monitor's start time in clock ticks (/proc/<pid>/stat field 22), so a reused pid is not mistaken for it. */
  monitorStartTicks: number;
  /** The container's PID 1 as seen from the host. */
  pid: number;
  startedAt: string;
  restartCount: number;
}

/** How the container's PID 1 ended, from the helper's exit status file. */
export interface ExitStatus {
  exitCode: number;
  signal?: number;
  finishedAt: string;
}

export type ContainerStatus = "created" | "running" | "exited";

export interface ContainerState {
  status: ContainerStatus;
  running: boolean;
  pid: number;
  exitCode: number;
  startedAt?: string;
  finishedAt?: string;
  restartCount: number;
  /** Why the last start failed (docker inspect's State.Error), with exitCode the code it failed with. */
  error?: string;
}

/** A start that failed before the command ran: docker keeps its exit code and message in the state. */
export interface StartError {
  exitCode: number;
  error: string;
  at: string;
}

export const EXIT_STATUS_FILE = "exit.json";
const START_ERROR_FILE = "start-error.json";
const RESTARTING_FILE = "restarting";
const ABANDONED_AFTER_MS = 60_000;

const ID = /^[0-9a-f]{64}$/;

/** The start time of a process in clock ticks, or undefined when it does not exist. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (comm) may contain spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch (error) {
    if (isErrno(error, "ENOENT") || isErrno(error, "ESRCH")) return undefined;
    throw error;
  }
}

/** Whether the process is alive and is the one recorded (not a zombie, not a reused pid). */
export function isProcessAlive(pid: number, startTicks: number): boolean {
  if (pid <= 0 || processStartTicks(pid) !== startTicks) return false;
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

export class ContainerStore {
  private readonly namesDir: string;

  constructor(readonly root: StateRoot) {
    this.namesDir = join(root.containers, ".names");
  }

  dir(id: string): string {
    return this.root.container(id);
  }

  /** A new container id: 64 hex digits, as docker's. */
  static newId(): string {
    return randomBytes(32).toString("hex");
  }

  /** Reserves the name (or a generated one), creates the container's directory and writes config.json. */
  create(
    record: Omit<ContainerRecord, "id" | "name" | "created">,
    name?: string,
    id = ContainerStore.newId(),
  ): ContainerRecord {
    mkdirSync(this.namesDir, { recursive: true });
    mkdirSync(this.dir(id), { recursive: true, mode: 0o700 });
    try {
      const full: ContainerRecord = {
        id,
        name: this.reserve(id, name),
        created: new Date().toISOString(),
        ...record,
      };
      atomicWriteJsonSync(join(this.dir(id), "config.json"), full);
      return full;
    } catch (error) {
      rmSync(this.dir(id), { recursive: true, force: true });
      if (TscError.is(error) || !(error instanceof Error)) throw error;
      throw new TscError("E_CONTAINER_STORE", `cannot write the container's record: ${error.message}`, {
        hint: "ENOSPC: free space where TSCOMPOSE_ROOT is; otherwise check that it is writable",
        cause: error,
      });
    }
  }

  private reserve(id: string, name: string | undefined): string {
    let chosen = name;
    if (chosen !== undefined) {
      chosen = chosen.replace(/^\//, "");
      if (!CONTAINER_NAME.test(chosen)) {
        throw new TscError("E_CONTAINER_CONFIG", `invalid container name ${JSON.stringify(name)}`, {
          hint: "names match [a-zA-Z0-9][a-zA-Z0-9_.-]+",
        });
      }
      // A name is reserved as a file of that name: a file system's limit on one.
      if (chosen.length > MAX_NAME_LENGTH) {
        throw new TscError(
          "E_CONTAINER_CONFIG",
          `the container name is ${chosen.length} characters long; the limit is ${MAX_NAME_LENGTH}`,
          { hint: "choose a shorter --name" },
        );
      }
      if (!this.reserveName(chosen, id)) {
        const holder = this.readNameFile(chosen) ?? "";
        throw new TscError(
          "E_CONTAINER_NAME_IN_USE",
          `the container name "/${chosen}" is already in use by container ${holder}`,
          { hint: "remove (or rename) that container to reuse the name, or choose another --name" },
        );
      }
    } else {
      for (let attempt = 0; ; attempt++) {
        chosen = randomContainerName(attempt);
        if (this.reserveName(chosen, id)) break;
        if (attempt > 50) throw new TscError("E_INTERNAL", "could not generate a free container name");
      }
    }
    return chosen;
  }

  private readNameFile(name: string): string | undefined {
    try {
      return readFileSync(join(this.namesDir, name), "utf8").trim();
    } catch (error) {
      if (isErrno(error, "ENOENT")) return undefined;
      throw error;
    }
  }

  /**
   * Exclusive create of the name file, whole at once: written under a temporary name, then hard-linked to
   * the name (link fails if the name exists). A name whose holder's directory is gone (a crash between the
   * two steps of a remove), or whose file holds no id (a crash of an older version mid-write), is
   * reclaimed; the directory is made before the reservation, so a create in progress is never mistaken
   * for a stale one.
   */
  private reserveName(name: string, id: string): boolean {
    const temp = join(this.namesDir, `.${id}.tmp`);
    writeFileSync(temp, id);
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          linkSync(temp, join(this.namesDir, name));
          return true;
        } catch (error) {
          if (!isErrno(error, "EEXIST")) throw error;
        }
        const holder = this.readNameFile(name);
        if (holder === undefined) continue;
        if (ID.test(holder) && existsSync(this.dir(holder))) return false;
        rmSync(join(this.namesDir, name), { force: true });
      }
      return false;
    } finally {
      rmSync(temp, { force: true });
    }
  }

  /** Every container, oldest first. */
  list(): ContainerRecord[] {
    let entries: string[];
    try {
      entries = readdirSync(this.root.containers);
    } catch (error) {
      if (isErrno(error, "ENOENT")) return [];
      throw error;
    }
    const records: ContainerRecord[] = [];
    for (const entry of entries) {
      if (!ID.test(entry)) continue;
      const record = this.read(entry);
      if (record) records.push(record);
      else this.sweepIfAbandoned(entry);
    }
    return records.sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
  }

  /**
   * A directory without config.json is a create in progress (milliseconds), or what a remove killed
   * half-way, or a start racing a remove, left: no container, nothing mounted (a remove unmounts before
   * it deletes the record). One untouched for a minute is deleted.
   */
  private sweepIfAbandoned(id: string): void {
    try {
      const start = this.readStart(id);
      // A start that raced a remove may have left a monitor running: that one is not ours to delete.
      if (start && isProcessAlive(start.monitorPid, start.monitorStartTicks)) return;
      if (Date.now() - statSync(this.dir(id)).mtimeMs > ABANDONED_AFTER_MS) {
        rmSync(this.dir(id), { recursive: true, force: true });
      }
    } catch {
      // Gone meanwhile, or not ours to remove: the next list tries again.
    }
  }

  private read(id: string): ContainerRecord | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir(id), "config.json"), "utf8")) as ContainerRecord;
    } catch (error) {
      // A directory without config.json is a create in progress (or a remove half done): not a container.
      if (isErrno(error, "ENOENT")) return undefined;
      throw error;
    }
  }

  /** Finds a container by full id, name, or unique id prefix (docker's order). */
  get(ref: string): ContainerRecord {
    const wanted = ref.replace(/^\//, "");
    if (ID.test(wanted)) {
      const record = this.read(wanted);
      if (record) return record;
    }
    const byName = CONTAINER_NAME.test(wanted) ? this.readNameFile(wanted) : undefined;
    if (byName && ID.test(byName)) {
      const record = this.read(byName);
      if (record) return record;
    }
    if (/^[0-9a-f]+$/.test(wanted)) {
      const matches = this.list().filter((r) => r.id.startsWith(wanted));
      if (matches.length === 1 && matches[0]) return matches[0];
      if (matches.length > 1) {
        throw new TscError("E_CONTAINER_NOT_FOUND", `multiple containers match the id prefix ${wanted}`, {
          hint: "give more characters of the id, or the name",
        });
      }
    }
    throw new TscError("E_CONTAINER_NOT_FOUND", `no such container: ${ref}`, {
      hint: "`tscompose container ls -a` lists the containers",
    });
  }

  readStart(id: string): StartState | undefined {
    return readJson<StartState>(join(this.dir(id), "state.json"));
  }

  writeStart(id: string, state: StartState): void {
    atomicWriteJsonSync(join(this.dir(id), "state.json"), state);
    rmSync(join(this.dir(id), START_ERROR_FILE), { force: true });
  }

  /** restart's mark, from before its stop until its start: the auto-remover leaves such a container be. */
  markRestarting(id: string, restarting: boolean): void {
    const path = join(this.dir(id), RESTARTING_FILE);
    if (restarting) writeFileSync(path, "");
    else rmSync(path, { force: true });
  }

  isRestarting(id: string): boolean {
    return existsSync(join(this.dir(id), RESTARTING_FILE));
  }

  writeStartError(id: string, failure: StartError): void {
    atomicWriteJsonSync(join(this.dir(id), START_ERROR_FILE), failure);
  }

  readStartError(id: string): StartError | undefined {
    return readJson<StartError>(join(this.dir(id), START_ERROR_FILE));
  }

  exitStatusPath(id: string): string {
    return join(this.dir(id), EXIT_STATUS_FILE);
  }

  /** The helper's record of how PID 1 ended; finishedAt falls back to the file's mtime. */
  readExit(id: string): ExitStatus | undefined {
    const path = this.exitStatusPath(id);
    const raw = readJson<Record<string, unknown>>(path);
    if (!raw) return undefined;
    const signal = typeof raw.signal === "number" && raw.signal > 0 ? raw.signal : undefined;
    const code =
      typeof raw.exitCode === "number" ? raw.exitCode : typeof raw.code === "number" ? raw.code : undefined;
    const exitCode = code ?? (signal !== undefined ? 128 + signal : 255);
    let finishedAt = typeof raw.finishedAt === "string" ? raw.finishedAt : undefined;
    if (!finishedAt) {
      try {
        finishedAt = statSync(path).mtime.toISOString();
      } catch {
        finishedAt = new Date().toISOString();
      }
    }
    return signal === undefined ? { exitCode, finishedAt } : { exitCode, signal, finishedAt };
  }

  /** Forgets the previous run before a new start. */
  clearExit(id: string): void {
    rmSync(this.exitStatusPath(id), { force: true });
  }

  state(id: string): ContainerState {
    const start = this.readStart(id);
    const failed = this.readStartError(id);
    const failure = failed ? { exitCode: failed.exitCode, error: failed.error } : {};
    if (!start)
      return { status: "created", running: false, pid: 0, exitCode: 0, restartCount: 0, ...failure };
    // The monitor writes the exit status, then exits: liveness first, so a monitor that has just gone is
    // never taken for one that died without a word.
    const alive = isProcessAlive(start.monitorPid, start.monitorStartTicks);
    const exit = this.readExit(id);
    if (!exit && alive) {
      return {
        status: "running",
        running: true,
        pid: start.pid,
        exitCode: 0,
        startedAt: start.startedAt,
        restartCount: start.restartCount,
      };
    }
    // A monitor that died without writing a status (SIGKILLed, host crash) counts as exit 255, as docker's "dead".
    return {
      status: "exited",
      running: false,
      pid: 0,
      exitCode: exit?.exitCode ?? 255,
      startedAt: start.startedAt,
      finishedAt: exit?.finishedAt ?? start.startedAt,
      restartCount: start.restartCount,
      // PID 1 dies with its monitor (PR_SET_PDEATHSIG), so a monitor gone without a status took it along.
      ...(exit ? {} : { error: "the container's monitor ended without writing an exit status (killed?)" }),
      // A restart that failed: its failure, not the previous run's end, is the container's last word.
      ...(failed && failed.at >= (exit?.finishedAt ?? start.startedAt) ? failure : {}),
    };
  }

  /** Deletes the record and releases the name; the caller has stopped and unmounted everything. */
  remove(record: ContainerRecord): void {
    // config.json first: a half-removed directory is then ignored by list() and its name reclaimable.
    rmSync(join(this.dir(record.id), "config.json"), { force: true });
    if (this.readNameFile(record.name) === record.id) {
      try {
        unlinkSync(join(this.namesDir, record.name));
      } catch (error) {
        if (!isErrno(error, "ENOENT")) throw error;
      }
    }
    rmSync(this.dir(record.id), { recursive: true, force: true });
  }
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (error) {
    if (isErrno(error, "ENOENT") || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
