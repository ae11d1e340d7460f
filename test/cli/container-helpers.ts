import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeEach, expect } from "vitest";
import { CLI } from "./build-cli.js";

/** The real binary, a temp TSCOMPOSE_ROOT per test and a cgroup parent per test file; checks for leftovers. */

export { CLI };
const CONTROLLERS = ["blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids"];

export interface Cli {
  root: string;
  cgroupParent: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], options?: { timeout?: number; input?: string }): SpawnSyncReturns<string>;
  /** Runs and returns stdout, failing with stderr when the exit code is not 0. */
  ok(args: string[]): string;
  start(args: string[]): ReturnType<typeof spawn>;
  cleanup(): void;
}

export function makeCli(cgroupParent: string): Cli {
  const root = mkdtempSync(join(tmpdir(), "tsc-ctr-"));
  const env = { ...process.env, TSCOMPOSE_ROOT: root, TSCOMPOSE_CGROUP_PARENT: cgroupParent };
  const cli: Cli = {
    root,
    cgroupParent,
    env,
    run: (args, options = {}) =>
      spawnSync(CLI, args, {
        env,
        encoding: "utf8",
        timeout: options.timeout ?? 30_000,
        input: options.input,
        // Whole logs of long-running containers.
        maxBuffer: 64 * 1024 * 1024,
      }),
    ok(args) {
      const result = cli.run(args);
      if (result.status !== 0) {
        throw new Error(`tscompose ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
      }
      return result.stdout;
    },
    start: (args) => spawn(CLI, args, { env, stdio: ["ignore", "pipe", "pipe"] }),
    cleanup() {
      const ids = cli.run(["container", "ls", "-aq"]).stdout.split("\n").filter(Boolean);
      for (const id of ids) cli.run(["container", "rm", "-f", id]);
      rmSync(root, { recursive: true, force: true });
    },
  };
  return cli;
}

/**
 * A busybox rootfs tarball from Debian's busybox-static (one symlink per applet, passwd and group with
 * root, nobody and app 1000:1000 in a supplementary group), built once per test file.
 */
export function busyboxTarball(dir: string): string {
  const rootfs = join(dir, "busybox-rootfs");
  const tarball = join(dir, "busybox.tar");
  if (existsSync(tarball)) return tarball;
  mkdirSync(join(rootfs, "bin"), { recursive: true });
  copyFileSync("/bin/busybox", join(rootfs, "bin", "busybox"));
  chmodSync(join(rootfs, "bin", "busybox"), 0o755);
  for (const applet of execFileSync("/bin/busybox", ["--list-full"], { encoding: "utf8" }).split("\n")) {
    const path = join(rootfs, applet);
    if (applet === "" || existsSync(path)) continue;
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync("/bin/busybox", path);
  }
  for (const d of ["etc", "proc", "sys", "dev", "tmp", "root", "home/app", "mnt"])
    mkdirSync(join(rootfs, d), { recursive: true });
  writeFileSync(
    join(rootfs, "etc", "passwd"),
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n",
  );
  writeFileSync(join(rootfs, "etc", "group"), "root:x:0:\nwheel:x:10:app\nnogroup:x:65534:\napp:x:1000:\n");
  execFileSync("tar", ["-C", rootfs, "-cf", tarball, "."]);
  return tarball;
}

/** Mount points under a directory, from the host's mount table. */
export function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((target) => target.startsWith(dir));
}

/** The container cgroup directories left under a parent, in every v1 hierarchy. */
export function cgroupsUnder(parent: string): string[] {
  return CONTROLLERS.flatMap((c) => {
    const dir = join("/sys/fs/cgroup", c, parent);
    return existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => join(dir, e.name))
      : [];
  });
}

export function removeCgroupParent(parent: string): void {
  for (const c of CONTROLLERS) {
    const dir = join("/sys/fs/cgroup", c, parent);
    if (existsSync(dir)) rmdirSync(dir);
  }
}

export function cgroupFile(parent: string, controller: string, id: string, file: string): string {
  return readFileSync(join("/sys/fs/cgroup", controller, parent, id, file), "utf8");
}

/**
 * For a test file: before each test a fresh CLI (its own root) with the busybox image imported, after it
 * no container, mount or cgroup left; call at the top level and use the returned getter in the tests.
 */
export function useBusyboxCli(name: string): () => Cli {
  const parent = `tscompose-test-${name}-${process.pid}`;
  const work = mkdtempSync(join(tmpdir(), `tsc-${name}-image-`));
  let current: Cli | undefined;
  beforeEach(() => {
    current = makeCli(parent);
    current.ok(["image", "import", busyboxTarball(work), "busybox"]);
  });
  afterEach(() => {
    if (!current) return;
    const root = current.root;
    current.cleanup();
    expect(mountsUnder(root)).toEqual([]);
    expect(cgroupsUnder(parent)).toEqual([]);
  });
  afterAll(() => {
    removeCgroupParent(parent);
    rmSync(work, { recursive: true, force: true });
  });
  return () => {
    if (!current) throw new Error("useBusyboxCli: the CLI exists only inside a test");
    return current;
  };
}
