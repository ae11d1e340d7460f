import { readdirSync, statSync, statfsSync } from "node:fs";
import { join, posix } from "node:path";
import { TscError } from "../errors.js";
import type { SpecDevice, SpecMount, SpecSymlink } from "./spec.js";

/**
 * Docker's defaults for a container's filesystem, copied from moby/moby (daemon/pkg/oci/defaults.go,
 * daemon/oci_linux.go): mounts, devices, /dev symlinks, masked and read-only paths.
 */

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
function cgroupMounts(joinFiles: readonly string[], version: 1 | 2, privileged: boolean): SpecMount[] {
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
  for (const file of joinFiles) {
    const match = /^\/sys\/fs\/cgroup\/([^/]+)(?:\/.*)?\/(?:cgroup\.procs|tasks)$/.exec(file);
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

/** Docker's default mounts, in mount order. */
export function defaultMounts(options: {
  privileged: boolean;
  shmBytes: number;
  cgroupJoinFiles: readonly string[];
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
    ...cgroupMounts(options.cgroupJoinFiles, options.cgroupVersion, options.privileged),
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
export function hostDevices(): SpecDevice[] {
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
