/**
 * The container's default seccomp filter: what Docker's default profile keeps from an unprivileged
 * container, as a list of denials (the helper's seccomp.c turns it into BPF for the architecture it is
 * built for). Docker's profile is an allow-list; this one denies the syscalls Docker documents as
 * blocked, opens each again for the capability that makes it legitimate (as Docker's profile does), and
 * answers clone3 with ENOSYS so that libc falls back to clone, whose namespace flags it can check.
 * Syscalls of another ABI (i386, x32) are refused outright. `--privileged` and
 * `--security-opt seccomp=unconfined` run without a filter.
 */

export interface SeccompPolicy {
  /** Answered EPERM. */
  deny: string[];
  /** Answered ENOSYS: "not here", so that callers fall back. */
  nosys: string[];
  /** clone with a CLONE_NEW* flag is answered EPERM. */
  cloneNamespaces: boolean;
  /** personality(2) values allowed; any other is EPERM. */
  personality: number[];
}

/** Never allowed, whatever the capabilities: obsolete, or kernel-wide state no container should touch. */
const ALWAYS = [
  "add_key",
  "create_module",
  "get_kernel_syms",
  "io_uring_enter",
  "io_uring_register",
  "io_uring_setup",
  "keyctl",
  "nfsservctl",
  "query_module",
  "request_key",
  "_sysctl",
  "sysfs",
  "uselib",
  "userfaultfd",
  "ustat",
  "vm86",
  "vm86old",
];

/** Allowed only with the capability that governs them. */
const BY_CAPABILITY: Record<string, string[]> = {
  CAP_SYS_ADMIN: [
    "bpf",
    "fanotify_init",
    "fsconfig",
    "fsmount",
    "fsopen",
    "fspick",
    "lookup_dcookie",
    "mount",
    "mount_setattr",
    "move_mount",
    "name_to_handle_at",
    "open_tree",
    "perf_event_open",
    "pivot_root",
    "quotactl",
    "quotactl_fd",
    "setdomainname",
    "sethostname",
    "setns",
    "swapoff",
    "swapon",
    "umount",
    "umount2",
    "unshare",
  ],
  CAP_SYS_BOOT: ["kexec_file_load", "kexec_load", "reboot"],
  CAP_SYS_MODULE: ["delete_module", "finit_module", "init_module"],
  CAP_SYS_PACCT: ["acct"],
  CAP_SYS_PTRACE: ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev"],
  CAP_SYS_RAWIO: ["ioperm", "iopl"],
  CAP_SYS_TIME: ["clock_adjtime", "clock_settime", "clock_settime64", "settimeofday", "stime"],
  CAP_SYS_NICE: ["get_mempolicy", "mbind", "move_pages", "set_mempolicy", "set_mempolicy_home_node"],
  CAP_SYSLOG: ["syslog"],
  CAP_DAC_READ_SEARCH: ["open_by_handle_at"],
  CAP_SYS_TTY_CONFIG: ["vhangup"],
};

/** Linux's default, its query, and the compatibility personalities programs commonly ask for. */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** Every syscall name the policy may name: the helper's seccomp.c knows each one's number. */
export const SECCOMP_SYSCALLS: readonly string[] = [
  ...ALWAYS,
  ...Object.values(BY_CAPABILITY).flat(),
  "clone3",
];

export function defaultSeccomp(capabilities: readonly string[]): SeccompPolicy {
  const held = new Set(capabilities);
  const deny = [...ALWAYS];
  for (const [capability, syscalls] of Object.entries(BY_CAPABILITY)) {
    if (!held.has(capability)) deny.push(...syscalls);
  }
  const admin = held.has("CAP_SYS_ADMIN");
  return {
    deny: deny.sort(),
    nosys: admin ? [] : ["clone3"],
    cloneNamespaces: !admin,
    personality: PERSONALITIES,
  };
}
