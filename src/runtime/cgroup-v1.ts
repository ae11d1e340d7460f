import { existsSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { TscError } from "../errors.js";
import type { CgroupBackend, CgroupLimits, CgroupStats } from "./cgroup.js";
import {
  CPU_PERIOD_US,
  killPid,
  makeCgroupDir,
  readCgroupFile,
  readKeyedFile,
  readNumberFile,
  readPids,
  removeCgroupDir,
  writeCgroupFile,
} from "./cgroup-fs.js";

/** The controllers a container joins; each is its own hierarchy (or shares one, e.g. cpu,cpuacct). */
const CONTROLLERS = ["blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids"] as const;
type Controller = (typeof CONTROLLERS)[number];

/**
 * Docker's (runc's) default device allow-list: mknod of anything, use of the standard character devices,
 * ptys and tun. Everything else, notably block devices and fuse, is denied.
 */
const DEFAULT_DEVICE_RULES = [
  "c *:* m",
  "b *:* m",
  "c 1:3 rwm",
  "c 1:5 rwm",
  "c 1:7 rwm",
  "c 1:8 rwm",
  "c 1:9 rwm",
  "c 5:0 rwm",
  "c 5:1 rwm",
  "c 5:2 rwm",
  "c 136:* rwm",
  "c 10:200 rwm",
];

interface Hierarchy {
  controllers: Controller[];
  /** Where the hierarchy is mounted. */
  mount: string;
  /** The cgroup under which `relative` is created (the mount, or our own cgroup there). */
  base: string;
  dir: string;
}

/** cgroup v1: one directory per mounted controller hierarchy, all with the same relative path. */
export class CgroupV1 implements CgroupBackend {
  readonly version = 1;
  private readonly hierarchies: Hierarchy[] = [];

  constructor(
    root: string,
    private readonly relative: readonly string[],
    self: ReadonlyMap<string, string> | undefined,
  ) {
    const byMount = new Map<string, Hierarchy>();
    for (const controller of CONTROLLERS) {
      const path = join(root, controller);
      if (!existsSync(path)) continue;
      // cpu and cpuacct are often one hierarchy reached through two symlinks.
      const mount = realpathSync(path);
      const known = byMount.get(mount);
      if (known) {
        known.controllers.push(controller);
        continue;
      }
      const base = join(mount, self?.get(controller) ?? "/");
      const hierarchy = { controllers: [controller], mount, base, dir: join(base, ...relative) };
      byMount.set(mount, hierarchy);
      this.hierarchies.push(hierarchy);
    }
  }

  get dirs(): string[] {
    return this.hierarchies.map((h) => h.dir);
  }

  create(): void {
    for (const hierarchy of this.hierarchies) {
      let path = hierarchy.base;
      for (const segment of this.relative) {
        path = join(path, segment);
        makeCgroupDir(path);
        // A new cpuset cgroup starts with no cpus or mems and refuses tasks (ENOSPC) until given some.
        if (hierarchy.controllers.includes("cpuset")) {
          for (const file of ["cpuset.cpus", "cpuset.mems"]) {
            if ((readCgroupFile(join(path, file)) ?? "").trim() !== "") continue;
            writeCgroupFile(join(path, file), (readCgroupFile(join(dirname(path), file)) ?? "").trim());
          }
        }
      }
    }
  }

  exists(): boolean {
    return this.hierarchies.some((h) => existsSync(h.dir));
  }

  controllers(): string[] {
    return this.hierarchies.flatMap((h) => h.controllers).sort();
  }

  private dirOf(controller: Controller): string | undefined {
    return this.hierarchies.find((h) => h.controllers.includes(controller))?.dir;
  }

  /** The directory of a controller a limit needs; a requested limit is never silently dropped. */
  private require(controller: Controller, what: string): string {
    const dir = this.dirOf(controller);
    if (dir) return dir;
    throw new TscError(
      "E_RUNTIME_CGROUP",
      `cannot set ${what}: the ${controller} cgroup controller is not mounted`,
      {
        hint: `mount the ${controller} hierarchy under the cgroup root or drop the limit`,
      },
    );
  }

  setLimits(limits: CgroupLimits): void {
    if (limits.memory !== undefined) {
      this.setMemory(this.require("memory", "a memory limit"), limits.memory, limits.memorySwap);
    }
    if (limits.cpus !== undefined) {
      const cpu = this.require("cpu", "a cpu quota");
      writeCgroupFile(join(cpu, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
      const quota = limits.cpus === -1 ? -1 : Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US));
      writeCgroupFile(join(cpu, "cpu.cfs_quota_us"), String(quota));
    }
    if (limits.pids !== undefined) {
      const pids = this.require("pids", "a pids limit");
      writeCgroupFile(join(pids, "pids.max"), limits.pids === -1 ? "max" : String(limits.pids));
    }
    // Without a devices hierarchy there is nothing to restrict, as on v2.
    const devices = this.dirOf("devices");
    if (limits.devices && devices) {
      if (limits.devices === "all") {
        writeCgroupFile(join(devices, "devices.allow"), "a");
      } else {
        writeCgroupFile(join(devices, "devices.deny"), "a");
        for (const rule of DEFAULT_DEVICE_RULES) writeCgroupFile(join(devices, "devices.allow"), rule);
      }
    }
  }

  /**
   * memory.limit_in_bytes must never exceed memory.memsw.limit_in_bytes, so the order of the two writes
   * depends on whether the memsw limit grows or shrinks. memsw is absent when swap accounting is off.
   */
  private setMemory(dir: string, memory: number, memorySwap: number | undefined): void {
    const limitFile = join(dir, "memory.limit_in_bytes");
    const memswFile = join(dir, "memory.memsw.limit_in_bytes");
    const limit = memory === -1 ? "-1" : String(memory);
    if (!existsSync(memswFile)) {
      writeCgroupFile(limitFile, limit);
      return;
    }
    const swap = memorySwap ?? (memory === -1 ? -1 : memory * 2);
    const current = readNumberFile(memswFile) ?? Number.MAX_VALUE;
    const swapValue = swap === -1 ? "-1" : String(swap);
    if (swap === -1 || swap >= current) {
      writeCgroupFile(memswFile, swapValue);
      writeCgroupFile(limitFile, limit);
    } else {
      writeCgroupFile(limitFile, limit);
      writeCgroupFile(memswFile, swapValue);
    }
  }

  procsFiles(): string[] {
    return this.hierarchies.map((h) => join(h.dir, "cgroup.procs"));
  }

  /**
   * `tasks`: a single-threaded process writing "0" there moves itself without the kernel's global
   * threadgroup lock, whose RCU grace period makes each cgroup.procs move wait 15-60 ms.
   */
  joinFiles(): string[] {
    return this.hierarchies.map((h) => join(h.dir, "tasks"));
  }

  /** CLONE_INTO_CGROUP takes a cgroup2 directory only. */
  cloneIntoDir(): undefined {
    return undefined;
  }

  pids(): number[] {
    const hierarchy = this.dirOf("pids") ?? this.hierarchies[0]?.dir;
    return hierarchy ? readPids(join(hierarchy, "cgroup.procs")) : [];
  }

  stats(): CgroupStats {
    const stats: CgroupStats = { pids: this.pids().length };
    const memory = this.dirOf("memory");
    if (memory) {
      stats.memoryUsage = readNumberFile(join(memory, "memory.usage_in_bytes"));
      stats.memoryLimit = readNumberFile(join(memory, "memory.limit_in_bytes"));
    }
    const cpuacct = this.dirOf("cpuacct");
    if (cpuacct) stats.cpuUsageNanos = readNumberFile(join(cpuacct, "cpuacct.usage"));
    const cpu = this.dirOf("cpu");
    if (cpu) stats.cpuThrottledPeriods = readKeyedFile(join(cpu, "cpu.stat")).get("nr_throttled");
    return stats;
  }

  oomKilled(): boolean {
    const memory = this.dirOf("memory");
    if (!memory) return false;
    const control = readKeyedFile(join(memory, "memory.oom_control"));
    return (control.get("oom_kill") ?? 0) > 0;
  }

  /**
   * Freeze, signal every task, thaw: a frozen cgroup cannot fork, so no child escapes between reading
   * cgroup.procs and the kill. Without a freezer hierarchy, repeat the sweep a bounded number of times.
   */
  async killAll(signal: NodeJS.Signals): Promise<void> {
    const freezer = this.dirOf("freezer");
    if (!freezer || !existsSync(freezer)) {
      for (let round = 0; round < 10; round++) {
        const pids = this.pids();
        if (pids.length === 0) return;
        for (const pid of pids) killPid(pid, signal);
        if (signal !== "SIGKILL") return;
        await sleep(10);
      }
      return;
    }
    const state = join(freezer, "freezer.state");
    writeCgroupFile(state, "FROZEN");
    try {
      // FREEZING turns into FROZEN once every task stopped; bounded to ~1 s, then signal anyway.
      for (let i = 0; i < 100 && readCgroupFile(state)?.trim() !== "FROZEN"; i++) await sleep(10);
      for (const pid of readPids(join(freezer, "cgroup.procs"))) killPid(pid, signal);
    } finally {
      writeCgroupFile(state, "THAWED");
    }
  }

  async remove(): Promise<void> {
    for (const hierarchy of this.hierarchies) await removeCgroupDir(hierarchy.dir);
  }
}
