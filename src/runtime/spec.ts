import { readdirSync, statSync, statfsSync } from "node:fs";
import { join, posix } from "node:path";
import { TscError } from "../errors.js";
import { capabilityMask, containerCapabilities, type CapabilityOptions } from "./capabilities.js";

/**
 * ContainerSpec: everything the native helper executes, in the spirit of the OCI runtime spec's
 * config.json. All policy is decided here (Docker's defaults, moby/moby daemon/pkg/oci/defaults.go);
 * the helper only carries it out. `encodeSpec` turns a spec into the helper's wire form (see
 * docs/native-errors.md): NUL-separated strings, a key then its fixed fields, so nothing needs escaping.
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
  openStdin: boolean;
  init: boolean;
  rlimits: Rlimit[];
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
  /** cgroup.procs files PID 1 is written to before it may run. */
  cgroupProcs: string[];
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
  };
}

export interface ExecSpec {
  /** The container's PID 1 as the host sees it: its namespaces are joined. */
  pid: number;
  cgroupProcs: string[];
  process: Omit<SpecProcess, "init" | "rlimits" | "openStdin">;
  detach: boolean;
}

/** moby/moby daemon/pkg/oci/defaults.go */
export const MASKED_PATHS: readonly string[] = [
  "/proc/acpi",
  "/proc/asound",
  "/proc/interrupts",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/sys/devices/virtual/powercap",
  "/sys/firmware",
];

export const READONLY_PATHS: readonly string[] = [
  "/proc/bus",
  "/proc/fs",
  "/proc/irq",
  "/proc/sys",
  "/proc/sysrq-trigger",
];

/** The implicit devices of every container (crun needed_devs[], runc's default list). */
export const DEFAULT_DEVICES: readonly SpecDevice[] = [
  { path: "/dev/null", type: "c", major: 1, minor: 3, mode: 0o666 },
  { path: "/dev/zero", type: "c", major: 1, minor: 5, mode: 0o666 },
  { path: "/dev/full", type: "c", major: 1, minor: 7, mode: 0o666 },
  { path: "/dev/random", type: "c", major: 1, minor: 8, mode: 0o666 },
  { path: "/dev/urandom", type: "c", major: 1, minor: 9, mode: 0o666 },
  { path: "/dev/tty", type: "c", major: 5, minor: 0, mode: 0o666 },
];

export const DEFAULT_SYMLINKS: readonly SpecSymlink[] = [
  { target: "/proc/self/fd", path: "/dev/fd" },
  { target: "/proc/self/fd/0", path: "/dev/stdin" },
  { target: "/proc/self/fd/1", path: "/dev/stdout" },
  { target: "/proc/self/fd/2", path: "/dev/stderr" },
  { target: "pts/ptmx", path: "/dev/ptmx" },
];

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** docker's DefaultShmSize */
export const DEFAULT_SHM_BYTES = 64 * 1024 * 1024;

export interface BindInput {
  source: string;
  target: string;
  readOnly: boolean;
}

/** What buildSpec needs, already resolved: ids, directories, cgroup files. */
export interface SpecInput extends CapabilityOptions {
  args: string[];
  /** The container's env (image env merged with the user's); PATH, HOSTNAME, HOME, TERM are added if missing. */
  env: string[];
  cwd?: string;
  user: SpecUser & { home?: string };
  hostname: string;
  rootfs: { lowerDirs: string[]; upperDir: string; workDir: string; mergedDir: string };
  /** Generated /etc files (etc-files.ts), bind-mounted over the image's. */
  etc?: { hosts: string; hostname: string; resolvConf: string };
  cgroupProcs: readonly string[];
  /** Which cgroup layout /sys/fs/cgroup has; detected when omitted. */
  cgroupVersion?: 1 | 2;
  network?: "none" | "host" | { path: string };
  readOnly?: boolean;
  noNewPrivileges?: boolean;
  init?: boolean;
  tty?: boolean;
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
}

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** 2 when /sys/fs/cgroup is a cgroup2 mount (most hosts), 1 for the v1 (or hybrid) layout. */
export function detectCgroupMountVersion(): 1 | 2 {
  try {
    return statfsSync("/sys/fs/cgroup").type === CGROUP2_SUPER_MAGIC ? 2 : 1;
  } catch {
    return 1;
  }
}

/**
 * /sys/fs/cgroup inside the container, read-only. v2: the cgroup namespace makes a cgroup2 mount show the
 * container's own cgroup as its root. v1: a tmpfs holding a bind of the container's own directory of each
 * hierarchy (as runc does), so nothing above it is visible.
 */
function cgroupMounts(procs: readonly string[], version: 1 | 2, privileged: boolean): SpecMount[] {
  const access = privileged ? [] : ["ro"];
  if (version === 2) {
    return [
      {
        type: "cgroup2",
        source: "cgroup",
        target: "/sys/fs/cgroup",
        flags: ["nosuid", "noexec", "nodev", ...access],
        data: [],
      },
    ];
  }
  const mounts: SpecMount[] = [
    {
      type: "tmpfs",
      source: "tmpfs",
      target: "/sys/fs/cgroup",
      flags: ["nosuid", "noexec", "nodev", "ro"],
      data: ["mode=755"],
    },
  ];
  const hierarchies = new Map<string, string>();
  for (const file of procs) {
    const match = /^\/sys\/fs\/cgroup\/([^/]+)(?:\/.*)?\/cgroup\.procs$/.exec(file);
    if (match?.[1]) hierarchies.set(match[1], posix.dirname(file));
  }
  for (const name of [...hierarchies.keys()].sort()) {
    mounts.push({
      type: "bind",
      source: hierarchies.get(name) ?? "",
      target: `/sys/fs/cgroup/${name}`,
      flags: ["rbind", "rprivate", "nosuid", "noexec", "nodev", ...access],
      data: [],
    });
  }
  return mounts;
}

const TMPFS_FLAGS = new Set([
  "ro",
  "nosuid",
  "nodev",
  "noexec",
  "strictatime",
  "noatime",
  "nodiratime",
  "relatime",
]);
const TMPFS_NEGATIONS: Record<string, string> = { rw: "ro", suid: "nosuid", dev: "nodev", exec: "noexec" };

/** docker --tmpfs: defaults noexec,nosuid,nodev, overridden by rw/exec/suid/dev; the rest is tmpfs data. */
export function tmpfsMount(target: string, options: string): SpecMount {
  const flags = new Set(["noexec", "nosuid", "nodev"]);
  const data: string[] = [];
  for (const option of options.split(",").filter((o) => o !== "")) {
    const negated = TMPFS_NEGATIONS[option];
    if (negated) flags.delete(negated);
    else if (TMPFS_FLAGS.has(option)) flags.add(option);
    else if (/^(size|mode|uid|gid|nr_inodes|nr_blocks|mpol)=[^,]+$/.test(option)) data.push(option);
    else {
      throw new TscError(
        "E_CONTAINER_CONFIG",
        `invalid tmpfs option ${JSON.stringify(option)} for ${target}`,
        {
          hint: "tmpfs options are rw, ro, exec, noexec, suid, nosuid, dev, nodev, size=…, mode=…, uid=…, gid=…",
        },
      );
    }
  }
  return { type: "tmpfs", source: "tmpfs", target, flags: [...flags].sort(), data };
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

/** Docker's default mounts, in mount order. */
export function defaultMounts(options: {
  privileged: boolean;
  shmBytes: number;
  cgroupProcs: readonly string[];
  cgroupVersion: 1 | 2;
}): SpecMount[] {
  const sysAccess = options.privileged ? [] : ["ro"];
  return [
    { type: "proc", source: "proc", target: "/proc", flags: ["nosuid", "noexec", "nodev"], data: [] },
    {
      type: "tmpfs",
      source: "tmpfs",
      target: "/dev",
      flags: ["nosuid", "strictatime"],
      data: ["mode=755", "size=65536k"],
    },
    {
      type: "devpts",
      source: "devpts",
      target: "/dev/pts",
      flags: ["nosuid", "noexec"],
      data: ["newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
    },
    // sysfs, not a bind of the host's /sys: we are real root, and a recursive bind would bring the
    // host's writable submounts (debugfs, securityfs) along.
    {
      type: "sysfs",
      source: "sysfs",
      target: "/sys",
      flags: ["nosuid", "noexec", "nodev", ...sysAccess],
      data: [],
    },
    ...cgroupMounts(options.cgroupProcs, options.cgroupVersion, options.privileged),
    {
      type: "mqueue",
      source: "mqueue",
      target: "/dev/mqueue",
      flags: ["nosuid", "noexec", "nodev"],
      data: [],
    },
    {
      type: "tmpfs",
      source: "shm",
      target: "/dev/shm",
      flags: ["nosuid", "noexec", "nodev"],
      data: ["mode=1777", `size=${options.shmBytes}`],
    },
  ];
}

/** Every character and block device directly under the host's /dev, for --privileged. */
function hostDevices(): SpecDevice[] {
  const devices: SpecDevice[] = [];
  for (const name of readdirSync("/dev").sort()) {
    let stats;
    try {
      stats = statSync(join("/dev", name));
    } catch {
      continue;
    }
    if (!stats.isCharacterDevice() && !stats.isBlockDevice()) continue;
    if (name === "console" || name === "ptmx" || name === "tty") continue;
    devices.push({
      path: `/dev/${name}`,
      type: stats.isCharacterDevice() ? "c" : "b",
      major: Math.floor(stats.rdev / 256) & 0xfff,
      minor: (stats.rdev & 0xff) | ((stats.rdev >> 12) & 0xfff00),
      mode: stats.mode & 0o777,
    });
  }
  const defaults = new Set(DEFAULT_DEVICES.map((d) => d.path));
  return [...DEFAULT_DEVICES, ...devices.filter((d) => !defaults.has(d.path))];
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

/** The container's spec from resolved inputs, with Docker's defaults. */
export function buildSpec(input: SpecInput): ContainerSpec {
  const privileged = input.privileged ?? false;
  const version = input.cgroupVersion ?? detectCgroupMountVersion();
  const mounts = defaultMounts({
    privileged,
    shmBytes: input.shmBytes ?? DEFAULT_SHM_BYTES,
    cgroupProcs: input.cgroupProcs,
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
        .map((m) => ({ type: "bind", ...m, flags: ["rbind", "rprivate"], data: [] }))
    : [];
  const network = input.network ?? "none";
  return {
    process: {
      args: [...input.args],
      env: containerEnv(input),
      cwd: input.cwd && input.cwd !== "" ? cleanTarget(input.cwd) : "/",
      createCwd: true,
      user: { uid: input.user.uid, gid: input.user.gid, groups: [...input.user.groups] },
      capabilities: containerCapabilities(input),
      noNewPrivileges: input.noNewPrivileges ?? false,
      terminal: input.tty ?? false,
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
    cgroupProcs: [...input.cgroupProcs],
    monitor: {
      logPath: input.logPath,
      logMaxBytes: input.logMaxBytes ?? 0,
      logMaxFiles: input.logMaxFiles ?? 1,
      exitStatusPath: input.exitStatusPath,
      ...(input.attachSocket ? { attachSocket: input.attachSocket } : {}),
      waitAttachSeconds: input.waitAttachSeconds ?? 0,
    },
  };
}

export interface ExecInput extends CapabilityOptions {
  pid: number;
  cgroupProcs: readonly string[];
  args: string[];
  /** The container's env with the exec's own; PATH, HOSTNAME, HOME and TERM are added as for the container. */
  env: string[];
  hostname?: string;
  cwd?: string;
  user: SpecUser & { home?: string };
  noNewPrivileges?: boolean;
  tty?: boolean;
  detach?: boolean;
}

/** An exec into a running container, with the container's capabilities and no_new_privs. */
export function buildExecSpec(input: ExecInput): ExecSpec {
  return {
    pid: input.pid,
    cgroupProcs: [...input.cgroupProcs],
    process: {
      args: [...input.args],
      env: containerEnv(input),
      cwd: input.cwd && input.cwd !== "" ? cleanTarget(input.cwd) : "/",
      createCwd: false,
      user: { uid: input.user.uid, gid: input.user.gid, groups: [...input.user.groups] },
      capabilities: containerCapabilities(input),
      noNewPrivileges: input.noNewPrivileges ?? false,
      terminal: input.tty ?? false,
    },
    detach: input.detach ?? false,
  };
}

const MAGIC = "tscompose-spec-1";

class Writer {
  readonly fields: string[] = [MAGIC];
  put(key: string, ...values: (string | number)[]): void {
    for (const value of [key, ...values]) {
      const text = String(value);
      if (text.includes("\0")) {
        throw new TscError("E_CONTAINER_CONFIG", `${key} value ${JSON.stringify(text)} contains a NUL byte`, {
          hint: "arguments, environment and paths cannot contain NUL",
        });
      }
      this.fields.push(text);
    }
  }
  flag(key: string, on: boolean): void {
    if (on) this.put(key);
  }
  buffer(): Buffer {
    return Buffer.from(this.fields.join("\0") + "\0", "utf8");
  }
}

function putProcess(w: Writer, process: ExecSpec["process"] & Partial<SpecProcess>): void {
  for (const arg of process.args) w.put("arg", arg);
  for (const entry of process.env) w.put("env", entry);
  w.put("cwd", process.cwd);
  w.flag("mkcwd", process.createCwd);
  w.put("user", process.user.uid, process.user.gid);
  for (const group of process.user.groups) w.put("group", group);
  w.put("caps", capabilityMask(process.capabilities));
  w.flag("nnp", process.noNewPrivileges);
  w.flag("terminal", process.terminal);
  w.flag("stdin", process.openStdin ?? false);
  w.flag("init", process.init ?? false);
  for (const r of process.rlimits ?? []) w.put("rlimit", r.name, r.soft, r.hard);
}

/** The helper's wire form of a container spec. */
export function encodeSpec(spec: ContainerSpec): Buffer {
  const w = new Writer();
  putProcess(w, spec.process);
  w.put("hostname", spec.hostname);
  if (spec.network === "host") w.put("hostnet");
  else if (spec.network !== "new") w.put("netns", spec.network.path);
  for (const file of spec.cgroupProcs) w.put("cgroup", file);
  for (const dir of [...spec.root.lowerDirs].reverse()) w.put("lower", dir);
  w.put("upper", spec.root.upperDir);
  w.put("work", spec.root.workDir);
  w.put("merged", spec.root.mergedDir);
  w.flag("rootro", spec.root.readOnly);
  for (const m of spec.mounts)
    w.put("mount", m.type, m.source, m.target, m.flags.join(","), m.data.join(","));
  for (const d of spec.devices) w.put("device", d.path, d.type, d.major, d.minor, d.mode.toString(8));
  for (const l of spec.symlinks) w.put("symlink", l.target, l.path);
  for (const path of spec.maskedPaths) w.put("mask", path);
  for (const path of spec.readonlyPaths) w.put("readonly", path);
  w.put("log", spec.monitor.logPath);
  w.put("logmax", spec.monitor.logMaxBytes);
  w.put("logfiles", spec.monitor.logMaxFiles);
  w.put("exitfile", spec.monitor.exitStatusPath);
  if (spec.monitor.attachSocket) w.put("socket", spec.monitor.attachSocket);
  if (spec.monitor.waitAttachSeconds > 0) w.put("waitattach", spec.monitor.waitAttachSeconds);
  return w.buffer();
}

/** The helper's wire form of an exec spec. */
export function encodeExecSpec(spec: ExecSpec): Buffer {
  const w = new Writer();
  putProcess(w, spec.process);
  w.put("pid", spec.pid);
  for (const file of spec.cgroupProcs) w.put("cgroup", file);
  w.flag("detach", spec.detach);
  return w.buffer();
}
