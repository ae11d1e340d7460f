import { readFileSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { execExitCode, execInContainer } from "../../src/runtime/helper.js";
import { buildExecSpec, type ExecInput } from "../../src/runtime/spec.js";
import { alive, HelperFixture, type TestContainer } from "./helper-fixture.js";

// `exec` into a running container: the same namespaces, cgroups and capabilities, the requested user,
// cwd and env, a pty on request, and the process's exit code back.

let fx: HelperFixture;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A process's parent, from /proc/<pid>/stat (the field after the parenthesised command). */
function parentOf(pid: string): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}
let box: TestContainer;

function execInput(overrides: Partial<ExecInput> = {}): ExecInput {
  return {
    pid: box.started.pid,
    cgroupJoinFiles: box.spec.cgroupJoinFiles,
    args: ["true"],
    env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
    user: { uid: 0, gid: 0, groups: [] },
    ...overrides,
  };
}

async function exec(overrides: Partial<ExecInput> = {}, input?: string) {
  return execInContainer(buildExecSpec(execInput(overrides)), { stdio: "pipe", input });
}

beforeAll(async () => {
  fx = new HelperFixture();
  box = await fx.run({ args: ["sleep", "60"] });
});

afterAll(async () => {
  process.kill(box.started.pid, "SIGKILL");
  await box.waitExit();
  expect(fx.leftoverMounts()).toEqual([]);
  await fx.cleanup();
});

describe("exec", () => {
  it("joins the container's pid, uts, net and mount namespaces", async () => {
    const result = await exec({
      args: [
        "sh",
        "-c",
        "for n in pid net mnt; do readlink /proc/self/ns/$n; done; hostname; cat /proc/1/cmdline",
      ],
    });
    const ns = ["pid", "net", "mnt"].map((n) => readlinkSync(`/proc/${box.started.pid}/ns/${n}`));
    expect(result.stdout.split("\n").slice(0, 3)).toEqual(ns);
    expect(result.stdout).toMatch(/^box$/m);
    expect(result.stdout).toContain("sleep\u000060");
    expect(result.exitCode).toBe(0);
  });

  it("joins the container's cgroups", async () => {
    const result = await exec({ args: ["sh", "-c", "cut -d: -f3 /proc/self/cgroup | sort -u; sleep 0.2"] });
    expect(result.stdout).toBe("/\n");
    for (const cg of box.cgroupDirs) {
      expect(readFileSync(`${cg}/cgroup.procs`, "utf8")).toContain(`${box.started.pid}\n`);
    }
  });

  it("keeps the helper itself out of the container's cgroups: only the process joins", async () => {
    const running = exec({ args: ["sleep", "1"] });
    const procs = () => readFileSync(`${box.cgroupDirs[0]}/cgroup.procs`, "utf8").trim().split("\n");
    for (let i = 0; i < 100 && procs().length < 2; i++) await sleep(10);
    const members = procs();
    expect(members).toHaveLength(2);
    for (const pid of members) expect(readlinkSync(`/proc/${pid}/exe`)).not.toMatch(/tscompose-helper/);
    const sleeper = members.find((pid) => pid !== String(box.started.pid)) ?? "";
    expect(readlinkSync(`/proc/${parentOf(sleeper)}/exe`)).toMatch(/tscompose-helper$/);
    expect((await running).exitCode).toBe(0);
  });

  it.each([
    [{}, "grep -E 'CapEff|NoNewPrivs' /proc/self/status", /CapEff:\s+00000000a80425fb\nNoNewPrivs:\s+0/],
    [{ noNewPrivileges: true }, "grep NoNewPrivs /proc/self/status", /NoNewPrivs:\s+1/],
    [{ capDrop: ["ALL"] }, "grep CapEff /proc/self/status", /CapEff:\s+0{16}/],
    [{ user: { uid: 1000, gid: 1000, groups: [1001] } }, "id -u; id -G", /^1000\n1000 1001$/m],
    [{ cwd: "/etc" }, "pwd", /^\/etc$/m],
    [{ env: ["PATH=/bin", "GREETING=hi"] }, "echo $GREETING", /^hi$/m],
  ])("%j: `%s`", async (overrides, script, pattern) => {
    const result = await exec({ args: ["sh", "-c", script], ...overrides });
    expect(result.stdout).toMatch(pattern);
    expect(result.exitCode).toBe(0);
  });

  it("passes stdin and returns the exit code", async () => {
    const result = await exec({ args: ["sh", "-c", "cat; exit 7"] }, "through stdin\n");
    expect(result.stdout).toBe("through stdin\n");
    expect(result.exitCode).toBe(7);
  });

  it("returns 128 + n for a process killed by signal n", async () => {
    const result = await exec({ args: ["sh", "-c", "kill -TERM $$"] });
    expect(result.exitCode).toBe(143);
  });

  it("gives a pty inside the container's devpts with a terminal", async () => {
    const result = await exec({ args: ["sh", "-c", "tty; stty size"], tty: true });
    expect(result.stdout).toMatch(/^\/dev\/pts\/\d+\r$/m);
    expect(result.exitCode).toBe(0);
  });

  it("detaches: resolves at once, the process keeps running in the container", async () => {
    const result = await exec({ args: ["sleep", "30"], detach: true });
    expect(result.exitCode).toBe(0);
    expect(alive(result.pid)).toBe(true);
    expect(readlinkSync(`/proc/${result.pid}/ns/pid`)).toBe(readlinkSync(`/proc/${box.started.pid}/ns/pid`));
    // Its parent is a helper that left us, outside the container's cgroups, and reaps it when it ends:
    // an orphan would wait for the host's init, and its zombie would keep the cgroup from being removed.
    const helper = parentOf(String(result.pid));
    expect(helper).not.toBe(process.pid);
    expect(readlinkSync(`/proc/${helper}/exe`)).toMatch(/tscompose-helper$/);
    for (const cg of box.cgroupDirs) {
      expect(readFileSync(`${cg}/cgroup.procs`, "utf8").split("\n")).not.toContain(String(helper));
    }
    process.kill(result.pid, "SIGKILL");
    for (let i = 0; i < 200 && alive(result.pid); i++) await sleep(10);
    expect(alive(result.pid)).toBe(false);
    for (let i = 0; i < 200 && alive(helper); i++) await sleep(10);
    expect(alive(helper)).toBe(false);
  });

  it.each([
    [["no-such-command"], 127, /exec `no-such-command`: executable file not found in \$PATH/],
    [["/etc/passwd"], 126, /exec `\/etc\/passwd`: Permission denied/],
  ])("%j cannot be run: exit %d", async (args, code, message) => {
    const error = await exec({ args }).catch((e: unknown) => e);
    expect(TscError.is(error) && error.code).toBe("E_RUNTIME_EXEC");
    expect((error as Error).message).toMatch(message);
    expect(execExitCode(error)).toBe(code);
  });

  it("reports a missing working directory as a setup error", async () => {
    const error = await exec({ cwd: "/no/such/dir" }).catch((e: unknown) => e);
    expect(TscError.is(error) && error.code).toBe("E_RUNTIME_HELPER");
    expect((error as Error).message).toBe("chdir `/no/such/dir`: No such file or directory");
  });

  it("reports a container that is gone", async () => {
    const error = await execInContainer(buildExecSpec(execInput({ pid: 999_999_999 })), {
      stdio: "pipe",
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("open `/proc/999999999/ns/cgroup`: No such file or directory");
  });
});
