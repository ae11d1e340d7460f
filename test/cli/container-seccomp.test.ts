import { describe, expect, it } from "vitest";
import { useBusyboxCli } from "./container-helpers.js";

// The default seccomp filter, met by a container's processes (PID 1 and exec'd ones), through the built
// binary on the real kernel: what Docker's default profile refuses is refused, ordinary work is not.
const cli = useBusyboxCli("seccomp");
const run = (...args: string[]) => cli().run(["container", "run", "--rm", ...args]);
const seccompMode = (...flags: string[]) =>
  /^Seccomp:\s+(\d)/m.exec(run(...flags, "busybox", "cat", "/proc/self/status").stdout)?.[1];

describe("the default seccomp filter", () => {
  it("is on by default, off with --privileged or --security-opt seccomp=unconfined", () => {
    expect(seccompMode()).toBe("2");
    expect(seccompMode("--privileged")).toBe("0");
    expect(seccompMode("--security-opt", "seccomp=unconfined")).toBe("0");
  });

  it("refuses a new user namespace (unshare and clone's flags) even to a non-root user", () => {
    for (const user of ["0", "1000"]) {
      const result = run("-u", user, "busybox", "sh", "-c", "unshare -U true; echo rc=$?");
      expect(result.stdout).toBe("rc=1\n");
      expect(result.stderr).toMatch(/unshare\(0x10000000\): Operation not permitted/);
    }
    const unconfined = run("--security-opt", "seccomp=unconfined", "busybox", "unshare", "-U", "true");
    expect(unconfined.status).toBe(0);
  });

  it("leaves ordinary work alone: fork, pipes, files, signals, a shell's jobs", () => {
    const script =
      "seq 1 3 | wc -l; (sleep 0.1 &); wait; echo x > /tmp/f && cat /tmp/f; kill -0 $$ && echo alive";
    const result = run("busybox", "sh", "-c", script);
    expect(result.stdout).toBe("3\nx\nalive\n");
    expect(result.status).toBe(0);
  });

  it("gives a syscall back with its capability: unshare with --cap-add SYS_ADMIN", () => {
    const result = run("--cap-add", "SYS_ADMIN", "busybox", "unshare", "-m", "true");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("confines exec'd processes as PID 1 is", () => {
    const id = cli().ok(["container", "run", "-d", "busybox", "sleep", "30"]).trim();
    const result = cli().run([
      "container",
      "exec",
      id,
      "sh",
      "-c",
      "grep ^Seccomp: /proc/self/status; unshare -U true",
    ]);
    expect(result.stdout).toMatch(/^Seccomp:\s+2$/m);
    expect(result.stderr).toMatch(/Operation not permitted/);
    cli().ok(["container", "rm", "-f", id]);
  });
});
