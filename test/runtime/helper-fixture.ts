import { execFileSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { makeBusyboxRootfs } from "../helpers/busybox-image.js";
import { runContainer, type Started } from "../../src/runtime/helper.js";
import { buildSpec, type ContainerSpec, type SpecInput } from "../../src/runtime/spec.js";

/**
 * Containers for the helper's tests: one busybox rootfs directory as the single lower layer, a fresh
 * container directory (upper, work, merged, /etc files, log, exit status, attach socket) and v1 pids and
 * memory cgroups per container. `cleanup` checks that nothing is left mounted and removes it all.
 */

export interface ExitStatus {
  exitCode: number;
  signal?: number;
  signalName?: string;
  finishedAt: string;
}

export interface LogRecord {
  log: string;
  stream: "stdout" | "stderr";
  time: string;
}

export interface TestContainer {
  dir: string;
  spec: ContainerSpec;
  started: Started;
  cgroupDirs: string[];
  waitExit(timeoutMs?: number): Promise<ExitStatus>;
  logs(): LogRecord[];
  stdout(): string;
}

const HIERARCHIES = ["memory", "pids"];

export class HelperFixture {
  readonly base: string;
  readonly rootfs: string;
  private count = 0;
  private readonly cgroups: string[] = [];

  constructor() {
    buildHelper();
    this.base = mkdtempSync(join(tmpdir(), "tsc-helper-"));
    this.rootfs = join(this.base, "rootfs");
    makeBusyboxRootfs(this.rootfs);
  }

  /** A container directory with everything buildSpec needs; overrides win. */
  input(overrides: Partial<SpecInput> = {}): { input: SpecInput; dir: string; cgroupDirs: string[] } {
    const dir = join(this.base, `c${++this.count}`);
    for (const sub of ["upper", "work", "merged"]) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, "hosts"), "127.0.0.1\tlocalhost\n");
    writeFileSync(join(dir, "hostname"), "box\n");
    writeFileSync(join(dir, "resolv.conf"), "");
    const cgroupDirs = HIERARCHIES.map(
      (h) => `/sys/fs/cgroup/${h}/tsc-helper-test-${process.pid}-${this.count}`,
    );
    for (const cg of cgroupDirs) {
      mkdirSync(cg);
      this.cgroups.push(cg);
    }
    const input: SpecInput = {
      args: ["true"],
      env: [],
      user: { uid: 0, gid: 0, groups: [] },
      hostname: "box",
      rootfs: {
        lowerDirs: [this.rootfs],
        upperDir: join(dir, "upper"),
        workDir: join(dir, "work"),
        mergedDir: join(dir, "merged"),
      },
      etc: {
        hosts: join(dir, "hosts"),
        hostname: join(dir, "hostname"),
        resolvConf: join(dir, "resolv.conf"),
      },
      cgroupJoinFiles: cgroupDirs.map((cg) => join(cg, "tasks")),
      cgroupVersion: 1,
      logPath: join(dir, "log.json"),
      exitStatusPath: join(dir, "exit.json"),
      attachSocket: join(dir, "attach.sock"),
      ...overrides,
    };
    return { input, dir, cgroupDirs };
  }

  async run(overrides: Partial<SpecInput> = {}): Promise<TestContainer> {
    const { input, dir, cgroupDirs } = this.input(overrides);
    const spec = buildSpec(input);
    const started = await runContainer(spec);
    return container(dir, spec, started, cgroupDirs);
  }

  /** Runs a shell script to completion and returns its exit status and stdout. */
  async script(
    script: string,
    overrides: Partial<SpecInput> = {},
  ): Promise<{ exit: ExitStatus; out: string }> {
    const c = await this.run({ args: ["sh", "-c", script], ...overrides });
    const exit = await c.waitExit();
    return { exit, out: c.stdout() };
  }

  /** Our mounts still in /proc/mounts (there should be none once containers are gone). */
  leftoverMounts(): string[] {
    return readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .filter((line) => line.includes(this.base));
  }

  async cleanup(): Promise<void> {
    for (const cg of this.cgroups) {
      for (let attempt = 0; attempt < 50 && existsSync(cg); attempt++) {
        try {
          rmdirSync(cg);
        } catch {
          await sleep(100);
        }
      }
    }
    rmSync(this.base, { recursive: true, force: true });
  }
}

const NATIVE = "src/runtime/native";
const BINARY = "build/tscompose-helper";

/** Rebuilds the helper when a source is newer; a lock file keeps two test workers from building at once. */
function buildHelper(): void {
  const lock = "build/.helper-test-build.lock";
  mkdirSync("build", { recursive: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      closeSync(openSync(lock, "wx"));
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} is held for over a minute`);
      execFileSync("sleep", ["0.2"]);
    }
  }
  try {
    const built = existsSync(BINARY) ? statSync(BINARY).mtimeMs : 0;
    const newest = Math.max(...readdirSync(NATIVE).map((f) => statSync(join(NATIVE, f)).mtimeMs));
    if (newest > built) execFileSync("node", ["scripts/build-native.mjs"], { stdio: "inherit" });
  } finally {
    rmSync(lock, { force: true });
  }
}

function container(dir: string, spec: ContainerSpec, started: Started, cgroupDirs: string[]): TestContainer {
  const logs = (): LogRecord[] => {
    const path = spec.monitor.logPath;
    if (!existsSync(path)) return [];
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as LogRecord);
  };
  return {
    dir,
    spec,
    started,
    cgroupDirs,
    logs,
    stdout: () =>
      logs()
        .filter((r) => r.stream === "stdout")
        .map((r) => r.log)
        .join(""),
    async waitExit(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      const path = spec.monitor.exitStatusPath;
      while (Date.now() < deadline) {
        if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as ExitStatus;
        await sleep(20);
      }
      throw new Error(`container in ${dir} did not exit within ${timeoutMs} ms`);
    },
  };
}

/** Whether a process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}
