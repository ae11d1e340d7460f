import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelperFixture } from "./helper-fixture.js";

// The helper's isolation on the real kernel: a busybox rootfs as the only lower layer, Docker's defaults
// from buildSpec, and the container's own view checked from inside.

let fx: HelperFixture;

beforeAll(() => {
  fx = new HelperFixture();
});

afterAll(async () => {
  expect(fx.leftoverMounts()).toEqual([]);
  await fx.cleanup();
});

describe("a default container", () => {
  let out: string;
  let exitCode: number;

  beforeAll(async () => {
    // The host's root has this file; the container must not see it.
    writeFileSync(join(fx.base, "host-marker"), "x");
    const script = [
      "echo pid=$$",
      "echo host=$(hostname)",
      "echo links=$(ls /sys/class/net | tr '\\n' ' ')",
      `test -e ${join(fx.base, "host-marker")} && echo marker=seen || echo marker=unseen`,
      "grep -E '^(CapEff|CapBnd|CapPrm|NoNewPrivs):' /proc/self/status",
      "echo kcore=$(cat /proc/kcore 2>/dev/null | wc -c)",
      "echo keys=$(cat /proc/keys | wc -c)",
      "echo acpi=$(ls /proc/acpi | wc -l)",
      "echo sysrw=$( (echo 1 > /proc/sys/kernel/ns_last_pid) 2>&1 | grep -c 'Read-only')",
      "mount -t tmpfs none /mnt 2>/dev/null && echo mount=ok || echo mount=refused",
      "(echo x > /sys/kernel/uevent_helper) 2>/dev/null && echo sys=written || echo sys=refused",
      "hostname other 2>/dev/null && echo sethostname=ok || echo sethostname=refused",
      "echo devnull=$(stat -c %t:%T /dev/null)",
      "echo ptmx=$(readlink /dev/ptmx)",
      "echo shm=$(df -k /dev/shm | tail -1 | awk '{print $2}')",
      "echo cgroup=$(cut -d: -f3 /proc/self/cgroup | sort -u | tr '\\n' ' ')",
      "echo cgroupfs=$( (touch /sys/fs/cgroup/pids/x) 2>&1 | grep -c 'Read-only')",
      "echo etc=$(cat /etc/hostname)",
      "echo cwd=$(pwd)",
    ].join("; ");
    const result = await fx.script(script);
    out = result.out;
    exitCode = result.exit.exitCode;
  });

  it("exits 0", () => {
    expect(exitCode).toBe(0);
  });

  it.each([
    ["is PID 1 in its own pid namespace", /^pid=1$/m],
    ["has its own hostname", /^host=box$/m],
    ["has only lo with network none", /^links=lo$/m],
    ["cannot see the host's root", /^marker=unseen$/m],
    ["has Docker's default capabilities", /^CapEff:\s+00000000a80425fb$/m],
    ["has the same bounding set", /^CapBnd:\s+00000000a80425fb$/m],
    ["has no_new_privs off by default", /^NoNewPrivs:\s+0$/m],
    ["cannot read /proc/kcore (masked, or absent on this kernel)", /^kcore=0$/m],
    ["sees /proc/keys masked by /dev/null", /^keys=0$/m],
    ["sees /proc/acpi masked by an empty tmpfs", /^acpi=0$/m],
    ["has /proc/sys read-only", /^sysrw=1$/m],
    ["cannot mount", /^mount=refused$/m],
    ["cannot write /sys", /^sys=refused$/m],
    ["cannot set the hostname", /^sethostname=refused$/m],
    ["has a real /dev/null", /^devnull=1:3$/m],
    ["has /dev/ptmx pointing into its devpts", /^ptmx=pts\/ptmx$/m],
    ["has a 64 MiB /dev/shm", /^shm=65536$/m],
    ["sees its cgroups as the root of its cgroup namespace", /^cgroup=\/$/m],
    ["has /sys/fs/cgroup read-only", /^cgroupfs=1$/m],
    ["sees the generated /etc/hostname", /^etc=box$/m],
    ["starts in /", /^cwd=\/$/m],
  ])("%s", (_name, pattern) => {
    expect(out).toMatch(pattern);
  });
});

describe("options", () => {
  it.each([
    [{ noNewPrivileges: true }, "grep NoNewPrivs /proc/self/status", /NoNewPrivs:\s+1/],
    [{ noNewPrivileges: false }, "grep NoNewPrivs /proc/self/status", /NoNewPrivs:\s+0/],
    [{ capAdd: ["NET_ADMIN"] }, "grep CapEff /proc/self/status", /CapEff:\s+00000000a80435fb/],
    [{ capDrop: ["ALL"], capAdd: ["chown"] }, "grep CapEff /proc/self/status", /CapEff:\s+0000000000000001/],
    [
      { user: { uid: 1000, gid: 1000, groups: [1000, 1001] } },
      "id; grep CapEff /proc/self/status",
      /uid=1000\(app\) gid=1000\(app\) groups=1000\(app\),1001\(extra\)\nCapEff:\s+0{16}/,
    ],
    [{ readOnly: true }, "touch /x 2>&1; touch /tmp/y 2>&1; true", /Read-only file system/],
    [{ cwd: "/work/dir" }, "pwd", /^\/work\/dir$/m],
    [{ env: ["A=1", "PATH=/bin"] }, "echo $A $PATH $HOSTNAME $HOME", /^1 \/bin box \/$/m],
    [{ tmpfs: { "/scratch": "size=1m" } }, "df -k /scratch | tail -1", /\s1024\s/],
    [{ rlimits: [{ name: "nofile", soft: 1000, hard: 2000 }] }, "ulimit -n; ulimit -Hn", /^1000\n2000$/m],
    [
      { privileged: true },
      "grep CapEff /proc/self/status; echo keys=$(cat /proc/keys | wc -c)",
      /keys=[1-9]/,
    ],
  ])("%j runs `%s`", async (overrides, script, pattern) => {
    const { exit, out } = await fx.script(script, overrides);
    expect(out).toMatch(pattern);
    expect(exit.exitCode).toBe(0);
  });

  it("binds a host directory, read-only when asked", async () => {
    const shared = join(fx.base, "shared");
    mkdirSync(shared);
    writeFileSync(join(shared, "in"), "from host\n");
    const { out } = await fx.script("cat /data/in; echo out > /data/out; touch /ro/x 2>&1", {
      binds: [
        { source: shared, target: "/data", readOnly: false },
        { source: shared, target: "/ro", readOnly: true },
      ],
    });
    expect(out).toMatch(/^from host$/m);
    expect(out).toMatch(/Read-only file system/);
    expect(readFileSync(join(shared, "out"), "utf8")).toBe("out\n");
  });

  it("writes go to the container's upper dir, never to the shared lower layer", async () => {
    const a = await fx.run({ args: ["sh", "-c", "echo a > /etc/only-a"] });
    await a.waitExit();
    const b = await fx.script("cat /etc/only-a 2>&1 || echo absent");
    expect(readFileSync(join(a.dir, "upper/etc/only-a"), "utf8")).toBe("a\n");
    expect(b.out).toMatch(/absent/);
  });

  it("puts PID 1 (the whole process) in every cgroup before it runs", async () => {
    const c = await fx.run({ args: ["sleep", "5"] });
    for (const cg of c.cgroupDirs) {
      expect(readFileSync(join(cg, "cgroup.procs"), "utf8").split("\n")).toContain(String(c.started.pid));
    }
    expect(readlinkSync(`/proc/${c.started.pid}/ns/pid`)).not.toBe(readlinkSync("/proc/self/ns/pid"));
    process.kill(c.started.pid, "SIGKILL");
    expect((await c.waitExit()).signal).toBe(9);
  });
});
