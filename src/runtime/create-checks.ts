import { availableParallelism } from "node:os";
import { posix } from "node:path";
import { TscError } from "../errors.js";
import type { CreateOptions } from "./create.js";

/**
 * What docker refuses when a container is created, refused the same way (E_CONTAINER_CONFIG, exit 125)
 * before anything exists: mounts that cannot work, limits below what a process can start in, more CPUs
 * than the machine has, environment entries without a name.
 */

/** docker's minimum --memory: below it the container cannot even start its first process. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

/** Files under /proc a bind may cover (runc's checkProcMount: what lxcfs provides), and nothing else. */
const PROC_BIND_ALLOWED = new Set([
  "/proc/cpuinfo",
  "/proc/diskstats",
  "/proc/meminfo",
  "/proc/stat",
  "/proc/swaps",
  "/proc/uptime",
  "/proc/loadavg",
  "/proc/slabinfo",
  "/proc/net/dev",
  "/proc/sys/kernel/ns_last_pid",
]);

function invalid(message: string, hint: string): TscError {
  return new TscError("E_CONTAINER_CONFIG", message, { hint });
}

function checkMounts(options: CreateOptions): void {
  const targets = [
    ...(options.binds ?? []).map((bind) => ({ target: bind.target, bind: true })),
    ...Object.keys(options.tmpfs ?? {}).map((target) => ({ target, bind: false })),
  ];
  const seen = new Set<string>();
  for (const { target, bind } of targets) {
    const clean = posix.normalize(target).replace(/(.)\/+$/, "$1");
    if (clean === "/") {
      throw invalid("a mount's destination can't be '/'", "mount into a directory of the container instead");
    }
    if (seen.has(clean)) {
      throw invalid(`duplicate mount point: ${clean}`, "give each mount its own destination");
    }
    seen.add(clean);
    const underProc = clean === "/proc" || clean.startsWith("/proc/");
    if (underProc && !(bind && PROC_BIND_ALLOWED.has(clean))) {
      throw invalid(
        `${clean} cannot be mounted: /proc is the container's own`,
        "only lxcfs-style binds of single /proc files (cpuinfo, meminfo, stat, uptime...) are allowed",
      );
    }
  }
}

function checkLimits(options: CreateOptions): void {
  const { memory, memorySwap, cpus } = options;
  if (memory !== undefined && memory !== -1 && memory < MIN_MEMORY_BYTES) {
    throw invalid("the minimum memory limit allowed is 6MB", "give --memory 6m or more");
  }
  if (memorySwap !== undefined && memorySwap !== -1) {
    if (memory === undefined || memory === -1) {
      throw invalid(
        "a memory-swap limit needs a memory limit",
        "set --memory as well, or drop --memory-swap",
      );
    }
    if (memorySwap < memory) {
      throw invalid(
        "the memory-swap limit must be at least the memory limit (it counts memory plus swap)",
        "give --memory-swap at least --memory, or -1 for unlimited swap",
      );
    }
  }
  if (cpus !== undefined && cpus !== -1) {
    const available = availableParallelism();
    if (!(cpus >= 0.01 && cpus <= available)) {
      throw invalid(
        `--cpus ${cpus}: the range is 0.01 to ${available.toFixed(2)}, as this machine has ${available} CPUs`,
        `give --cpus between 0.01 and ${available}`,
      );
    }
  }
}

function checkEnv(options: CreateOptions): void {
  for (const entry of options.env ?? []) {
    const key = entry.split("=")[0] ?? "";
    if (key === "") {
      throw invalid(
        `invalid environment variable: ${JSON.stringify(entry)}`,
        "write -e NAME=value or -e NAME",
      );
    }
  }
}

export function checkCreateOptions(options: CreateOptions): void {
  if (
    options.workingDir !== undefined &&
    options.workingDir !== "" &&
    !posix.isAbsolute(options.workingDir)
  ) {
    throw invalid(
      `the working directory ${JSON.stringify(options.workingDir)} is invalid: it needs to be an absolute path`,
      "give -w an absolute path inside the container, such as /app",
    );
  }
  checkMounts(options);
  checkLimits(options);
  checkEnv(options);
}
