import { existsSync } from "node:fs";
import { join } from "node:path";
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

/** Controllers tscompose enables down the tree so the container's cgroup can be limited. */
const WANTED = ["cpu", "memory", "pids"];

function words(text: string | undefined): string[] {
  return (text ?? "").split(/\s+/).filter((w) => w !== "");
}

/** cgroup v2: one directory in the unified hierarchy. */
export class CgroupV2 implements CgroupBackend {
  readonly version = 2;
  private readonly base: string;
  private readonly dir: string;

  constructor(
    root: string,
    private readonly relative: readonly string[],
    self: ReadonlyMap<string, string> | undefined,
  ) {
    this.base = join(root, self?.get("") ?? "/");
    this.dir = join(this.base, ...relative);
  }

  get dirs(): string[] {
    return [this.dir];
  }

  /**
   * Each ancestor must delegate the controllers in cgroup.subtree_control before its child can use
   * them; only those the ancestor itself has (cgroup.controllers) can be enabled.
   */
  create(): void {
    let path = this.base;
    for (const segment of this.relative) {
      const available = words(readCgroupFile(join(path, "cgroup.controllers")));
      const enabled = words(readCgroupFile(join(path, "cgroup.subtree_control")));
      const missing = WANTED.filter((c) => available.includes(c) && !enabled.includes(c));
      if (missing.length > 0) {
        writeCgroupFile(join(path, "cgroup.subtree_control"), missing.map((c) => `+${c}`).join(" "));
      }
      path = join(path, segment);
      makeCgroupDir(path);
    }
  }

  exists(): boolean {
    return existsSync(this.dir);
  }

  controllers(): string[] {
    return words(readCgroupFile(join(this.dir, "cgroup.controllers"))).sort();
  }

  private require(controller: string, what: string): void {
    if (this.controllers().includes(controller)) return;
    throw new TscError("E_RUNTIME_CGROUP", `cannot set ${what}: no ${controller} controller in ${this.dir}`, {
      hint: `enable the ${controller} controller for this cgroup tree (cgroup.subtree_control) or drop the limit`,
    });
  }

  setLimits(limits: CgroupLimits): void {
    if (limits.memory !== undefined) {
      this.require("memory", "a memory limit");
      const memory = limits.memory;
      writeCgroupFile(join(this.dir, "memory.max"), memory === -1 ? "max" : String(memory));
      // v2 limits swap alone; docker's --memory-swap is memory plus swap, twice --memory by default.
      const swapFile = join(this.dir, "memory.swap.max");
      if (existsSync(swapFile)) {
        const total = limits.memorySwap ?? (memory === -1 ? -1 : memory * 2);
        writeCgroupFile(swapFile, total === -1 ? "max" : String(Math.max(0, total - memory)));
      }
    }
    if (limits.cpus !== undefined) {
      this.require("cpu", "a cpu quota");
      const quota =
        limits.cpus === -1 ? "max" : String(Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US)));
      writeCgroupFile(join(this.dir, "cpu.max"), `${quota} ${CPU_PERIOD_US}`);
    }
    if (limits.pids !== undefined) {
      this.require("pids", "a pids limit");
      writeCgroupFile(join(this.dir, "pids.max"), limits.pids === -1 ? "max" : String(limits.pids));
    }
    // limits.devices: v2 device control is an eBPF program attached to the cgroup, not a file; not applied.
  }

  procsFiles(): string[] {
    return [join(this.dir, "cgroup.procs")];
  }

  /**
   * Nothing to join: a new process is cloned into the cgroup (cloneIntoDir), as moving one through
   * cgroup.procs waits for the kernel's threadgroup lock (cgroup.threads takes threads only in threaded
   * cgroups).
   */
  joinFiles(): string[] {
    return [];
  }

  cloneIntoDir(): string {
    return this.dir;
  }

  pids(): number[] {
    return readPids(join(this.dir, "cgroup.procs"));
  }

  stats(): CgroupStats {
    const stats: CgroupStats = { pids: this.pids().length };
    stats.memoryUsage = readNumberFile(join(this.dir, "memory.current"));
    stats.memoryLimit = readNumberFile(join(this.dir, "memory.max"));
    const cpu = readKeyedFile(join(this.dir, "cpu.stat"));
    const usage = cpu.get("usage_usec");
    if (usage !== undefined) stats.cpuUsageNanos = usage * 1000;
    stats.cpuThrottledPeriods = cpu.get("nr_throttled");
    return stats;
  }

  oomKilled(): boolean {
    return (readKeyedFile(join(this.dir, "memory.events")).get("oom_kill") ?? 0) > 0;
  }

  /** cgroup.kill (5.14+) SIGKILLs the whole subtree atomically; other signals go pid by pid while frozen. */
  async killAll(signal: NodeJS.Signals): Promise<void> {
    const kill = join(this.dir, "cgroup.kill");
    if (signal === "SIGKILL" && existsSync(kill)) {
      writeCgroupFile(kill, "1");
      return;
    }
    const freeze = join(this.dir, "cgroup.freeze");
    const canFreeze = existsSync(freeze);
    if (canFreeze) writeCgroupFile(freeze, "1");
    try {
      for (let i = 0; canFreeze && i < 100; i++) {
        if (readKeyedFile(join(this.dir, "cgroup.events")).get("frozen") === 1) break;
        await sleep(10);
      }
      for (const pid of this.pids()) killPid(pid, signal);
    } finally {
      if (canFreeze) writeCgroupFile(freeze, "0");
    }
  }

  async remove(): Promise<void> {
    await removeCgroupDir(this.dir);
  }
}
