import { readFileSync, statfsSync } from "node:fs";
import { TscError } from "../errors.js";
import { CPU_PERIOD_US, writeCgroupFile } from "./cgroup-fs.js";
import { CgroupV1 } from "./cgroup-v1.js";
import { CgroupV2 } from "./cgroup-v2.js";

/**
 * One facade over the two cgroup layouts. A container's cgroup is `<parent>/<id>` under each hierarchy
 * (v1: one per controller, /sys/fs/cgroup/<controller>/…; v2: the unified tree). Lifecycle: `Cgroup.create`
 * makes the directories, `setLimits` writes memory/cpu/pids (and v1 device) policy, the container's process
 * is cloned into `cloneIntoDir()` (v2) or joins by writing "0" into every `joinFiles()` entry (v1),
 * `stats`/`oomKilled` observe it, `killAll` ends every process in it and `remove` deletes the directories
 * once they are empty. `Cgroup.open` addresses an
 * existing one (a later CLI call) without creating anything.
 */

export type CgroupVersion = 1 | 2;

export const DEFAULT_CGROUP_ROOT = "/sys/fs/cgroup";
export const DEFAULT_CGROUP_PARENT = "tscompose";
export { CPU_PERIOD_US };

const CGROUP2_SUPER_MAGIC = 0x63677270;

export interface CgroupLimits {
  /** Memory limit in bytes (docker --memory). */
  memory?: number;
  /** Memory plus swap in bytes (docker --memory-swap); defaults to twice `memory` as docker does; -1 = unlimited. */
  memorySwap?: number;
  /** CPU quota in CPUs (docker --cpus): quota = cpus × period, period 100 ms. */
  cpus?: number;
  /** Maximum number of tasks (docker --pids-limit). */
  pids?: number;
  /**
   * Device access (v1 devices controller): docker's default allow-list, or every device for privileged
   * containers. v2 enforces devices with an eBPF program, which tscompose does not load.
   */
  devices?: "default" | "all";
}

export interface CgroupStats {
  /** Bytes charged to the cgroup; undefined when the memory controller is absent. */
  memoryUsage?: number;
  memoryLimit?: number;
  /** Tasks in the cgroup. */
  pids: number;
  /** CPU time used, in nanoseconds; undefined when no hierarchy accounts it. */
  cpuUsageNanos?: number;
  /** Periods in which the cpu quota throttled the cgroup. */
  cpuThrottledPeriods?: number;
}

export interface CgroupOptions {
  /** Where the cgroup filesystem is mounted (default /sys/fs/cgroup). */
  root?: string;
  /** Force a backend instead of detecting it from `root`. */
  version?: CgroupVersion;
  /** Relative path of the parent cgroup in each hierarchy (default "tscompose"). */
  parent?: string;
  /** Nest under the calling process's own cgroup in each hierarchy instead of under the hierarchy root. */
  underSelf?: boolean;
}

/** What a backend does; the facade adds validation and the shared defaults. */
export interface CgroupBackend {
  readonly version: CgroupVersion;
  /** The container's cgroup directories, one per hierarchy. */
  readonly dirs: readonly string[];
  create(): void;
  exists(): boolean;
  controllers(): string[];
  setLimits(limits: CgroupLimits): void;
  procsFiles(): string[];
  joinFiles(): string[];
  cloneIntoDir(): string | undefined;
  pids(): number[];
  stats(): CgroupStats;
  oomKilled(): boolean;
  killAll(signal: NodeJS.Signals): Promise<void>;
  remove(): Promise<void>;
}

/** v2 when `root` is itself a cgroup2 mount (the unified hierarchy); v1 (per-controller mounts) otherwise. */
export function detectCgroupVersion(root: string = DEFAULT_CGROUP_ROOT): CgroupVersion {
  return statfsSync(root).type === CGROUP2_SUPER_MAGIC ? 2 : 1;
}

/**
 * The calling process's cgroup path per hierarchy, from /proc/self/cgroup: v1 lines are keyed by each
 * controller name (`4:memory:/a` → memory: /a), the v2 line (`0::/b`) by the empty string.
 */
export function selfCgroupPaths(file = "/proc/self/cgroup"): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, controllers = "", path = "/"] = match;
    if (controllers === "") paths.set("", path);
    for (const name of controllers.split(",")) if (name) paths.set(name.replace(/^name=/, ""), path);
  }
  return paths;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/;

function checkRelative(what: string, value: string): string[] {
  // An id is one path segment; a parent may be several.
  const segments = what === "id" ? [value] : value.split("/").filter((s) => s !== "");
  for (const segment of segments) {
    if (!SEGMENT.test(segment) || segment === "." || segment === "..") {
      throw new TscError("E_CONTAINER_CONFIG", `cgroup ${what} ${JSON.stringify(value)} is not valid`, {
        hint: "use letters, digits, '_', '.', '-' and '/' between relative path segments",
      });
    }
  }
  return segments;
}

export class Cgroup {
  private constructor(
    readonly id: string,
    private readonly backend: CgroupBackend,
  ) {}

  /** The container's cgroup, created (with its parents) in every hierarchy. */
  static create(id: string, options: CgroupOptions = {}): Cgroup {
    const cgroup = Cgroup.open(id, options);
    cgroup.backend.create();
    return cgroup;
  }

  /** Addresses the container's cgroup without creating it. */
  static open(id: string, options: CgroupOptions = {}): Cgroup {
    const root = options.root ?? DEFAULT_CGROUP_ROOT;
    const version = options.version ?? detectCgroupVersion(root);
    const relative = [
      ...checkRelative("parent", options.parent ?? DEFAULT_CGROUP_PARENT),
      ...checkRelative("id", id),
    ];
    const self = options.underSelf ? selfCgroupPaths() : undefined;
    const backend = version === 2 ? new CgroupV2(root, relative, self) : new CgroupV1(root, relative, self);
    return new Cgroup(id, backend);
  }

  get version(): CgroupVersion {
    return this.backend.version;
  }

  get dirs(): readonly string[] {
    return this.backend.dirs;
  }

  exists(): boolean {
    return this.backend.exists();
  }

  /** Controllers that can limit this cgroup (v1: mounted hierarchies; v2: enabled in the parent). */
  controllers(): string[] {
    return this.backend.controllers();
  }

  setLimits(limits: CgroupLimits): void {
    for (const [name, value] of Object.entries(limits)) {
      if (typeof value === "number" && !(Number.isFinite(value) && (value > 0 || value === -1))) {
        throw new TscError("E_CONTAINER_CONFIG", `cgroup limit ${name}=${value} is not valid`, {
          hint: "limits are positive numbers",
        });
      }
    }
    this.backend.setLimits(limits);
  }

  /** The cgroup.procs files a process must be written into to join this cgroup in every hierarchy. */
  procsFiles(): string[] {
    return this.backend.procsFiles();
  }

  /** What a process writes "0" into to move itself here, as the helper's container and exec processes do. */
  joinFiles(): string[] {
    return this.backend.joinFiles();
  }

  /** v2: the directory a new process is cloned straight into (CLONE_INTO_CGROUP), so nothing has to move. */
  cloneIntoDir(): string | undefined {
    return this.backend.cloneIntoDir();
  }

  /** Moves a running process into this cgroup through cgroup.procs (tests; the runtime's processes join themselves). */
  join(pid: number): void {
    for (const file of this.backend.procsFiles()) writeCgroupFile(file, String(pid));
  }

  /** Pids of the processes in this cgroup (host pid namespace), sorted. */
  pids(): number[] {
    return this.backend.pids();
  }

  stats(): CgroupStats {
    return this.backend.stats();
  }

  /** Whether the kernel's OOM killer has killed a process of this cgroup. */
  oomKilled(): boolean {
    return this.backend.oomKilled();
  }

  /** Sends `signal` to every process of the cgroup, so none can fork away from it meanwhile. */
  async killAll(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    // Nothing to signal in a cgroup that is gone (never created, or removed by an earlier rm).
    if (this.backend.exists()) await this.backend.killAll(signal);
  }

  /** Removes the container's directories (not the shared parent); waits a bounded time for exiting tasks. */
  remove(): Promise<void> {
    return this.backend.remove();
  }
}
