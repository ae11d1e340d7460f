import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CAPABILITIES } from "../../src/runtime/capabilities.js";
import { SECCOMP_SYSCALLS, defaultSeccomp } from "../../src/runtime/seccomp.js";

// The default filter's policy; test/cli/container-seccomp.test.ts checks what a container meets.

describe("defaultSeccomp", () => {
  it("denies Docker's blocked syscalls to a container with the default capabilities", () => {
    const policy = defaultSeccomp(DEFAULT_CAPABILITIES);
    for (const name of [
      "unshare",
      "setns",
      "mount",
      "umount2",
      "keyctl",
      "bpf",
      "userfaultfd",
      "io_uring_setup",
    ])
      expect(policy.deny).toContain(name);
    for (const name of ["process_vm_readv", "kexec_load", "init_module", "settimeofday", "open_by_handle_at"])
      expect(policy.deny).toContain(name);
    expect(policy.nosys).toEqual(["clone3"]);
    expect(policy.cloneNamespaces).toBe(true);
    expect(policy.personality).toEqual([0x0, 0x8, 0x20000, 0x20008, 0xffffffff]);
  });

  it("gives a syscall back with the capability that governs it, as Docker's profile does", () => {
    const admin = defaultSeccomp([...DEFAULT_CAPABILITIES, "CAP_SYS_ADMIN"]);
    for (const name of ["unshare", "setns", "mount", "bpf"]) expect(admin.deny).not.toContain(name);
    expect(admin.deny).toContain("keyctl");
    expect([admin.nosys, admin.cloneNamespaces]).toEqual([[], false]);
    const ptrace = defaultSeccomp([...DEFAULT_CAPABILITIES, "CAP_SYS_PTRACE"]);
    expect(ptrace.deny).not.toContain("process_vm_readv");
    expect(ptrace.deny).toContain("unshare");
  });

  it("names only syscalls the helper knows the numbers of", () => {
    const source = readFileSync(join(import.meta.dirname, "../../src/runtime/native/seccomp.c"), "utf8");
    for (const name of SECCOMP_SYSCALLS) expect(source).toContain(`{ "${name}", SYS_${name} }`);
  });
});
