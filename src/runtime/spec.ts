import { posix } from "node:path";
import { TscError } from "../errors.js";
import { containerCapabilities, type CapabilityOptions } from "./capabilities.js";
import { defaultSeccomp, type SeccompPolicy } from "./seccomp.js";
import {
  DEFAULT_DEVICES,
  DEFAULT_PATH,
  DEFAULT_SHM_BYTES,
  DEFAULT_SYMLINKS,
  MASKED_PATHS,
  READONLY_PATHS,
  defaultMounts,
  detectCgroupMountVersion,
  hostDevices,
  tmpfsMount,
} from "./spec-defaults.js";

export * from "./spec-defaults.js";
export { encodeExecSpec, encodeSpec } from "./spec-encode.js";

/**
 * ContainerSpec: everything the native helper executes, in the spirit of the OCI runtime spec's
 * config.json. All policy is decided here (Docker's defaults, moby/moby daemon/pkg/oci/defaults.go);
 * the helper only carries it out. The defaults live in spec-defaults.ts, the helper's wire form in
 * spec-encode.ts (both re-exported here).
 */

export interface SpecUser {
  uid: number;
  gid: number;
  /** Supplementary groups, numeric (resolved from the image's /etc/group by user.ts). */
  groups: number[];
}

export interface Rlimit {
  /** Docker's --ulimit names: nofile, nproc, core, memlock, stack, … */
  name: string;
  soft: number | "unlimited";
  hard: number | "unlimited";
}

export interface SpecProcess {
  args: string[];
  env: string[];
  cwd: string;
  /** Create cwd inside the root when missing (docker does for WORKDIR and -w). */
  createCwd: boolean;
  user: SpecUser;
  /** Capability names (CAP_…), the same in the bounding, permitted and effective sets. */
  capabilities: string[];
  noNewPrivileges: boolean;
  terminal: boolean;
  /** The pty's size before the command starts (docker's ConsoleSize); the kernel's 0x0 when absent. */
  consoleSize?: ConsoleSize;
  openStdin: boolean;
  init: boolean;
  rlimits: Rlimit[];
  /** The seccomp filter; none: unconfined. */
  seccomp?: SeccompPolicy;
}

export interface ConsoleSize {
  rows: number;
  cols: number;
}

export interface SpecMount {
  type: string;
  source: string;
  target: string;
  /** Mount flags by name (ro, nosuid, nodev, noexec, bind, rbind, strictatime, rprivate, …). */
  flags: string[];
  /** Filesystem options passed as mount data (size=…, mode=…). */
  data: string[];
}

export interface SpecDevice {
  path: string;
  type: "c" | "b";
  major: number;
  minor: number;
  mode: number;
}

export interface SpecSymlink {
  target: string;
  path: string;
}

/** "new": a fresh network namespace with only lo; "host": the host's; or a namespace file to join. */
export type SpecNetwork = "new" | "host" | { path: string };

export interface ContainerSpec {
  process: SpecProcess;
  hostname: string;
  network: SpecNetwork;
  root: {
    /** Image layer directories, bottom to top (encoded top first, as overlay stacks them). */
    lowerDirs: string[];
    upperDir: string;
    workDir: string;
    mergedDir: string;
    readOnly: boolean;
  };
  mounts: SpecMount[];
  devices: SpecDevice[];
  symlinks: SpecSymlink[];
  maskedPaths: string[];
  readonlyPaths: string[];
  /** Files PID 1 writes "0" into to join its cgroups before anything else (Cgroup.joinFiles). */
  cgroupJoinFiles: string[];
  /** A cgroup2 directory PID 1 is cloned straight into (CLONE_INTO_CGROUP; Cgroup.cloneIntoDir). */
  cloneIntoCgroup?: string;
  monitor: {
    logPath: string;
    /** Rotate when the log would grow past this; 0 = never. */
    logMaxBytes: number;
    /** Files kept, the live one included (docker's max-file). */
    logMaxFiles: number;
    exitStatusPath: string;
    attachSocket?: string;
    /** Hold the command until a client attached (at most this many seconds); 0 = don't wait. */
    waitAttachSeconds: number;
    /** A program the monitor becomes once PID 1 has ended and nobody is attached: the auto-remover. */
    onExit?: string[];
  };
}

export interface ExecSpec {
  /** The container's PID 1 as the host sees it: its namespaces are joined. */
  pid: number;
  cgroupJoinFiles: string[];
  cloneIntoCgroup?: string;
  process: Omit<SpecProcess, "init" | "rlimits" | "openStdin">;
  detach: boolean;
  /** Bytes that detach the caller from a terminal exec (the helper watches its stdin for them). */
  detachKeys: number[];
}

export interface BindInput {
  source: string;
  target: string;
  readOnly: boolean;
}

/** What buildSpec needs, already resolved: ids, directories, cgroup files. */
export interface SpecInput extends ConfinementOptions {
  args: string[];
  /** The container's env (image env merged with the user's); PATH, HOSTNAME, HOME, TERM are added if missing. */
  env: string[];
  cwd?: string;
  user: SpecUser & { home?: string };
  hostname: string;
  rootfs: { lowerDirs: string[]; upperDir: string; workDir: string; mergedDir: string };
  /** Generated /etc files (etc-files.ts), bind-mounted over the image's. */
  etc?: { hosts: string; hostname: string; resolvConf: string };
  cgroupJoinFiles: readonly string[];
  cloneIntoCgroup?: string;
  /** Which cgroup layout /sys/fs/cgroup has; detected when omitted. */
  cgroupVersion?: 1 | 2;
  network?: "none" | "host" | { path: string };
  readOnly?: boolean;
  noNewPrivileges?: boolean;
  init?: boolean;
  tty?: boolean;
  consoleSize?: ConsoleSize;
  openStdin?: boolean;
  /** docker --tmpfs: target -> "size=64m,mode=1777,exec" style options. */
  tmpfs?: Record<string, string>;
  binds?: readonly BindInput[];
  rlimits?: readonly Rlimit[];
  shmBytes?: number;
  logPath: string;
  exitStatusPath: string;
  attachSocket?: string;
  logMaxBytes?: number;
  logMaxFiles?: number;
  waitAttachSeconds?: number;
  onExit?: readonly string[];
}

function cleanTarget(target: string): string {
  if (!posix.isAbsolute(target)) {
    throw new TscError(
      "E_CONTAINER_CONFIG",
      `mount target ${JSON.stringify(target)} is not an absolute path`,
      {
        hint: "container paths start with /",
      },
    );
  }
  return posix.normalize(target).replace(/(.)\/+$/, "$1");
}

function envHas(env: readonly string[], name: string): boolean {
  return env.some((entry) => entry.startsWith(`${name}=`));
}

/** Docker's environment additions: PATH when the image has none, HOSTNAME, TERM with a tty, HOME. */
export function containerEnv(input: {
  env: readonly string[];
  hostname?: string;
  tty?: boolean;
  user: { home?: string };
}): string[] {
  const env: string[] = [];
  if (!envHas(input.env, "PATH")) env.push(`PATH=${DEFAULT_PATH}`);
  if (input.hostname !== undefined && !envHas(input.env, "HOSTNAME")) env.push(`HOSTNAME=${input.hostname}`);
  if (input.tty && !envHas(input.env, "TERM")) env.push("TERM=xterm");
  env.push(...input.env);
  if (!envHas(env, "HOME")) env.push(`HOME=${input.user.home ?? "/"}`);
  return env;
}

/** How a container's processes are confined: seccomp, on top of the capabilities (docker's --security-opt). */
export interface ConfinementOptions extends CapabilityOptions {
  seccomp?: "default" | "unconfined";
}

/** The capabilities, and the default seccomp filter unless privileged or unconfined (as docker). */
function processSecurity(input: ConfinementOptions): { capabilities: string[]; seccomp?: SeccompPolicy } {
  const capabilities = containerCapabilities(input);
  if (input.privileged || input.seccomp === "unconfined") return { capabilities };
  return { capabilities, seccomp: defaultSeccomp(capabilities) };
}

/** The container's spec from resolved inputs, with Docker's defaults. */
export function buildSpec(input: SpecInput): ContainerSpec {
  const privileged = input.privileged ?? false;
  const version = input.cgroupVersion ?? detectCgroupMountVersion();
  const mounts = defaultMounts({
    privileged,
    shmBytes: input.shmBytes ?? DEFAULT_SHM_BYTES,
    cgroupJoinFiles: input.cgroupJoinFiles,
    cgroupVersion: version,
  });
  const user: SpecMount[] = [];
  for (const bind of input.binds ?? []) {
    user.push({
      type: "bind",
      source: bind.source,
      target: cleanTarget(bind.target),
      flags: ["rbind", "rprivate", ...(bind.readOnly ? ["ro"] : [])],
      data: [],
    });
  }
  for (const target of Object.keys(input.tmpfs ?? {}).sort()) {
    user.push(tmpfsMount(cleanTarget(target), input.tmpfs?.[target] ?? ""));
  }
  // Parents before children, whatever order the user gave them in.
  user.sort((a, b) => a.target.split("/").length - b.target.split("/").length);
  const etc = input.etc;
  const etcMounts: SpecMount[] = etc
    ? [
        { source: etc.resolvConf, target: "/etc/resolv.conf" },
        { source: etc.hostname, target: "/etc/hostname" },
        { source: etc.hosts, target: "/etc/hosts" },
      ]
        .filter((m) => !user.some((u) => u.target === m.target))
        // docker: read-only with the root filesystem.
        .map((m) => ({
          type: "bind",
          ...m,
          flags: ["rbind", "rprivate", ...(input.readOnly ? ["ro"] : [])],
          data: [],
        }))
    : [];
  const network = input.network ?? "none";
  return {
    process: {
      args: [...input.args],
      env: containerEnv(input),
      cwd: input.cwd && input.cwd !== "" ? cleanTarget(input.cwd) : "/",
      createCwd: true,
      user: { uid: input.user.uid, gid: input.user.gid, groups: [...input.user.groups] },
      ...processSecurity(input),
      noNewPrivileges: input.noNewPrivileges ?? false,
      terminal: input.tty ?? false,
      ...(input.tty && input.consoleSize ? { consoleSize: { ...input.consoleSize } } : {}),
      openStdin: input.openStdin ?? false,
      init: input.init ?? false,
      rlimits: [...(input.rlimits ?? [])],
    },
    hostname: input.hostname,
    network: network === "none" ? "new" : network,
    root: { ...input.rootfs, lowerDirs: [...input.rootfs.lowerDirs], readOnly: input.readOnly ?? false },
    mounts: [...mounts, ...etcMounts, ...user],
    devices: privileged ? hostDevices() : [...DEFAULT_DEVICES],
    symlinks: [...DEFAULT_SYMLINKS],
    maskedPaths: privileged ? [] : [...MASKED_PATHS],
    readonlyPaths: privileged ? [] : [...READONLY_PATHS],
    cgroupJoinFiles: [...input.cgroupJoinFiles],
    ...(input.cloneIntoCgroup ? { cloneIntoCgroup: input.cloneIntoCgroup } : {}),
    monitor: {
      logPath: input.logPath,
      logMaxBytes: input.logMaxBytes ?? 0,
      logMaxFiles: input.logMaxFiles ?? 1,
      exitStatusPath: input.exitStatusPath,
      ...(input.attachSocket ? { attachSocket: input.attachSocket } : {}),
      waitAttachSeconds: input.waitAttachSeconds ?? 0,
      ...(input.onExit ? { onExit: [...input.onExit] } : {}),
    },
  };
}

export interface ExecInput extends ConfinementOptions {
  pid: number;
  cgroupJoinFiles: readonly string[];
  cloneIntoCgroup?: string;
  args: string[];
  /** The container's env with the exec's own; PATH, HOSTNAME, HOME and TERM are added as for the container. */
  env: string[];
  hostname?: string;
  cwd?: string;
  user: SpecUser & { home?: string };
  noNewPrivileges?: boolean;
  tty?: boolean;
  detach?: boolean;
  detachKeys?: readonly number[];
}

/** An exec into a running container, with the container's capabilities and no_new_privs. */
export function buildExecSpec(input: ExecInput): ExecSpec {
  return {
    pid: input.pid,
    cgroupJoinFiles: [...input.cgroupJoinFiles],
    ...(input.cloneIntoCgroup ? { cloneIntoCgroup: input.cloneIntoCgroup } : {}),
    process: {
      args: [...input.args],
      env: containerEnv(input),
      cwd: input.cwd && input.cwd !== "" ? cleanTarget(input.cwd) : "/",
      createCwd: false,
      user: { uid: input.user.uid, gid: input.user.gid, groups: [...input.user.groups] },
      ...processSecurity(input),
      noNewPrivileges: input.noNewPrivileges ?? false,
      terminal: input.tty ?? false,
    },
    detach: input.detach ?? false,
    detachKeys: input.tty ? [...(input.detachKeys ?? [])] : [],
  };
}
