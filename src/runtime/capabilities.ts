import { readFileSync } from "node:fs";
import { TscError } from "../errors.js";

/**
 * Capability names and Docker's rules for combining them (moby/moby daemon/pkg/oci/caps: TweakCapabilities):
 * the default 14, plus --cap-add, minus --cap-drop; ALL on either side; every capability for --privileged.
 */

/** Linux capabilities by number (include/uapi/linux/capability.h). */
export const CAPABILITIES: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
];

/** moby/moby daemon/pkg/oci/caps/defaults.go: CapEff 00000000a80425fb. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

export interface CapabilityOptions {
  privileged?: boolean;
  capAdd?: readonly string[];
  capDrop?: readonly string[];
}

/** The host's bounding set (root here lacks CAP_SYS_RESOURCE): a container cannot get more. */
export function hostCapabilityMask(status = readFileSync("/proc/self/status", "utf8")): bigint {
  const match = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  return match?.[1] ? BigInt(`0x${match[1]}`) : 0n;
}

/** "net_admin", "NET_ADMIN" and "CAP_NET_ADMIN" name the same capability; "ALL" stays "ALL". */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === "ALL") return upper;
  const full = upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
  if (!CAPABILITIES.includes(full)) {
    throw new TscError("E_CONTAINER_CONFIG", `unknown capability ${JSON.stringify(name)}`, {
      hint: `capabilities are ALL or one of ${CAPABILITIES.map((c) => c.slice(4)).join(", ")}`,
    });
  }
  return full;
}

function available(host: bigint): string[] {
  return CAPABILITIES.filter((_, bit) => (host >> BigInt(bit)) & 1n);
}

/** The container's capability set, sorted by number; a cap_add this host cannot grant is an error. */
export function containerCapabilities(options: CapabilityOptions, host = hostCapabilityMask()): string[] {
  const all = available(host);
  let caps: string[];
  if (options.privileged) caps = all;
  else {
    const add = (options.capAdd ?? []).map(normalizeCapability);
    const drop = (options.capDrop ?? []).map(normalizeCapability);
    if (add.includes("ALL")) caps = all.filter((c) => !drop.includes(c));
    else if (drop.includes("ALL")) caps = add;
    else caps = [...DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)), ...add];
    const missing = caps.filter((c) => !all.includes(c));
    if (missing.length > 0) {
      throw new TscError(
        "E_CONTAINER_CONFIG",
        `capability ${missing.map((c) => c.slice(4)).join(", ")} is not available on this host`,
        { hint: "this process's bounding set (CapBnd in /proc/self/status) lacks it; drop the --cap-add" },
      );
    }
  }
  return [...new Set(caps)].sort((a, b) => CAPABILITIES.indexOf(a) - CAPABILITIES.indexOf(b));
}

/** The sets as the kernel shows them: 16 hex digits, CapEff style. */
export function capabilityMask(names: readonly string[]): string {
  let mask = 0n;
  for (const name of names) {
    const bit = CAPABILITIES.indexOf(normalizeCapability(name));
    if (bit >= 0) mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, "0");
}
