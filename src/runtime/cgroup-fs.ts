import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { TscError, isErrno } from "../errors.js";

/** The cfs period tscompose uses for --cpus, as docker does: 100 ms. */
export const CPU_PERIOD_US = 100_000;

/** Small file helpers shared by the cgroup backends: every failure becomes E_RUNTIME_CGROUP naming the file. */

export function cgroupError(action: string, path: string, error: unknown): TscError {
  const reason = error instanceof Error ? error.message : String(error);
  return new TscError("E_RUNTIME_CGROUP", `${action} ${path}: ${reason}`, {
    cause: error,
    hint: "tscompose must run as root with the cgroup filesystem mounted read-write at /sys/fs/cgroup",
  });
}

export function writeCgroupFile(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch (error) {
    throw cgroupError("write", path, error);
  }
}

/** The file's text, or undefined when it does not exist (a controller file the kernel does not offer). */
export function readCgroupFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw cgroupError("read", path, error);
  }
}

/** `key value` lines (cpu.stat, memory.events, memory.oom_control) as a map of numbers. */
export function readKeyedFile(path: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of (readCgroupFile(path) ?? "").split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) result.set(key, Number(value));
  }
  return result;
}

export function readNumberFile(path: string): number | undefined {
  const text = readCgroupFile(path)?.trim();
  return text && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** The pids listed in a cgroup.procs file, sorted. */
export function readPids(procsFile: string): number[] {
  return (readCgroupFile(procsFile) ?? "")
    .split("\n")
    .filter((line) => /^\d+$/.test(line))
    .map(Number)
    .sort((a, b) => a - b);
}

/** mkdir that reports whether it created the directory (so callers initialise only new ones). */
export function makeCgroupDir(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (error) {
    if (isErrno(error, "EEXIST")) return false;
    throw cgroupError("mkdir", path, error);
  }
}

/**
 * rmdir with bounded retries: the kernel refuses (EBUSY) while exiting tasks still count as members,
 * which lasts a few milliseconds after the last SIGKILL.
 */
export async function removeCgroupDir(path: string, attempts = 100, delayMs = 20): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      rmdirSync(path);
      return;
    } catch (error) {
      if (isErrno(error, "ENOENT")) return;
      if (!isErrno(error, "EBUSY") || attempt >= attempts) throw cgroupError("rmdir", path, error);
    }
    await sleep(delayMs);
  }
}

export function killPid(pid: number, signal: NodeJS.Signals | number): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    // The task may have exited between reading cgroup.procs and the kill.
    if (!isErrno(error, "ESRCH")) throw cgroupError("kill", String(pid), error);
  }
}
