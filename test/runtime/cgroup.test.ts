import { spawn, type ChildProcess } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  Cgroup,
  detectCgroupVersion,
  selfCgroupPaths,
  type CgroupOptions,
  type CgroupVersion,
} from "../../src/runtime/cgroup.js";

// A parent of our own, so parallel test files never race on (or remove) the real "tscompose" parent.
const PARENT = `tscompose-test-cgroup-${process.pid}`;
const V1_ROOT = "/sys/fs/cgroup";
const V2_ROOT = "/sys/fs/cgroup/unified";

interface Backend {
  name: string;
  version: CgroupVersion;
  options: CgroupOptions;
  /** Controllers the container cgroup will have, known before creating it (test names depend on it). */
  has: (controller: string) => boolean;
}

function v2Available(controller: string): boolean {
  const text = existsSync(join(V2_ROOT, "cgroup.controllers"))
    ? readFileSync(join(V2_ROOT, "cgroup.controllers"), "utf8")
    : "";
  return text.split(/\s+/).includes(controller);
}

const BACKENDS: Backend[] = [
  {
    name: "v1 under the hierarchy roots",
    version: 1,
    options: { root: V1_ROOT, version: 1, parent: PARENT },
    has: (c) => existsSync(join(V1_ROOT, c)),
  },
  {
    name: "v1 under our own cgroups",
    version: 1,
    options: { root: V1_ROOT, version: 1, parent: PARENT, underSelf: true },
    has: (c) => existsSync(join(V1_ROOT, c)),
  },
  {
    name: "v2 on the cgroup2 mount at /sys/fs/cgroup/unified",
    version: 2,
    options: { root: V2_ROOT, version: 2, parent: PARENT },
    has: v2Available,
  },
];

const children = new Set<ChildProcess>();
const created: Cgroup[] = [];
let serial = 0;

function newCgroup(backend: Backend): Cgroup {
  const cgroup = Cgroup.create(`c${process.pid}-${++serial}`, backend.options);
  created.push(cgroup);
  return cgroup;
}

/** A shell that waits for one line on stdin (so the test can move it into a cgroup first), then runs `script`. */
function gatedShell(script: string): {
  child: ChildProcess;
  go: () => void;
  exited: Promise<NodeJS.Signals | number>;
} {
  const child = spawn("sh", ["-c", `read _ || exit 100\n${script}`], { stdio: ["pipe", "ignore", "ignore"] });
  children.add(child);
  const exited = new Promise<NodeJS.Signals | number>((resolve) =>
    child.on("exit", (code, signal) => {
      children.delete(child);
      resolve(signal ?? code ?? -1);
    }),
  );
  return { child, go: () => child.stdin?.write("go\n"), exited };
}

async function until(check: () => boolean, ms = 5000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(20)) if (check()) return true;
  return check();
}

function cgroupLineOf(pid: number, key: string): string | undefined {
  return readFileSync(`/proc/${pid}/cgroup`, "utf8")
    .split("\n")
    .find((line) => line.split(":")[1]?.split(",").includes(key));
}

afterEach(async () => {
  for (const child of children) if (child.pid) process.kill(child.pid, "SIGKILL");
  for (const cgroup of created.splice(0)) {
    await cgroup.killAll("SIGKILL");
    await cgroup.remove();
  }
});

afterAll(() => {
  // Remove our parent from every hierarchy and check nothing of ours is left anywhere.
  const self = selfCgroupPaths();
  const bases = [
    ...readdirSync(V1_ROOT)
      .filter((c) => c !== "unified" && c !== "systemd")
      .flatMap((c) => [join(V1_ROOT, c), join(V1_ROOT, c, self.get(c) ?? "/")]),
    V2_ROOT,
  ];
  for (const base of new Set(bases)) {
    if (existsSync(join(base, PARENT))) rmdirSync(join(base, PARENT));
    expect(existsSync(join(base, PARENT))).toBe(false);
  }
});

describe("detectCgroupVersion", () => {
  it.each([
    [V1_ROOT, 1],
    [V2_ROOT, 2],
  ])("%s is v%i", (root, version) => {
    expect(detectCgroupVersion(root)).toBe(version);
  });
});

describe("selfCgroupPaths", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsc-cgroup-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.each([
    [
      "4:memory:/a/b\n0::/\n",
      [
        ["memory", "/a/b"],
        ["", "/"],
      ],
    ],
    [
      "2:cpu,cpuacct:/x\n9:name=systemd:/init.scope\n",
      [
        ["cpu", "/x"],
        ["cpuacct", "/x"],
        ["systemd", "/init.scope"],
      ],
    ],
    ["0::/user.slice/u.service\n", [["", "/user.slice/u.service"]]],
  ])("parses %j", (text, expected) => {
    const file = join(dir, "cgroup");
    writeFileSync(file, text);
    expect([...selfCgroupPaths(file)]).toEqual(expected);
  });
});

describe("Cgroup ids and parents are validated", () => {
  it.each(["../escape", "a/b", ".", "", "x y"])("rejects id %j", (id) => {
    expect(() => Cgroup.open(id, { root: V1_ROOT, version: 1 })).toThrow(
      expect.objectContaining({ code: "E_CONTAINER_CONFIG" }),
    );
  });
  it.each(["../up", "a/../b", "/abs/../x"])("rejects parent %j", (parent) => {
    expect(() => Cgroup.open("ok", { root: V1_ROOT, version: 1, parent })).toThrow(
      expect.objectContaining({ code: "E_CONTAINER_CONFIG" }),
    );
  });
});

describe.each(BACKENDS)("cgroup conformance: $name", (backend) => {
  it("create makes the directories, open addresses them, remove deletes them", async () => {
    const cgroup = newCgroup(backend);
    expect(cgroup.version).toBe(backend.version);
    expect(cgroup.dirs.length).toBeGreaterThan(0);
    for (const dir of cgroup.dirs) expect(existsSync(dir)).toBe(true);
    const again = Cgroup.open(cgroup.id, backend.options);
    expect(again.dirs).toEqual(cgroup.dirs);
    expect(again.exists()).toBe(true);
    await again.remove();
    for (const dir of cgroup.dirs) expect(existsSync(dir)).toBe(false);
    expect(cgroup.exists()).toBe(false);
    await cgroup.remove();
  });

  it("nests under the calling process's own cgroup only when asked", () => {
    const cgroup = newCgroup(backend);
    const self = selfCgroupPaths();
    const expectedBase =
      backend.version === 2
        ? join(V2_ROOT, backend.options.underSelf ? (self.get("") ?? "/") : "/")
        : join(V1_ROOT, "memory", backend.options.underSelf ? (self.get("memory") ?? "/") : "/");
    const dir = backend.version === 2 ? cgroup.dirs[0] : cgroup.dirs.find((d) => d.includes("/memory/"));
    expect(dir).toBe(join(expectedBase, PARENT, cgroup.id));
  });

  it("join moves a process into every hierarchy and pids/stats see it", async () => {
    const cgroup = newCgroup(backend);
    const { child, go, exited } = gatedShell("exec sleep 30");
    const pid = child.pid ?? 0;
    cgroup.join(pid);
    go();
    expect(cgroup.pids()).toEqual([pid]);
    expect(cgroup.stats().pids).toBe(1);
    const key = backend.version === 2 ? "" : "memory";
    const line = cgroupLineOf(pid, key);
    expect(line?.endsWith(`/${PARENT}/${cgroup.id}`)).toBe(true);
    await cgroup.killAll("SIGKILL");
    expect(await exited).toBe("SIGKILL");
  });

  it("v1: joinFiles (tasks) are what a process writes 0 into to move itself; v2: cloneIntoDir", async () => {
    const cgroup = newCgroup(backend);
    const files = cgroup.joinFiles();
    if (backend.version === 2) {
      // Nothing moves on v2: the helper clones the process into the directory (CLONE_INTO_CGROUP).
      expect(files).toEqual([]);
      expect(cgroup.cloneIntoDir()).toBe(cgroup.dirs[0]);
      return;
    }
    expect(cgroup.cloneIntoDir()).toBeUndefined();
    // `tasks`, which skips the kernel's global threadgroup lock for a thread moving itself.
    expect(files).toEqual(cgroup.dirs.map((dir) => join(dir, "tasks")));
    const script = `for f in ${files.join(" ")}; do echo 0 > "$f" || exit 99; done; exec sleep 30`;
    const { child, go, exited } = gatedShell(script);
    go();
    expect(await until(() => cgroup.pids().includes(child.pid ?? 0))).toBe(true);
    await cgroup.killAll("SIGKILL");
    expect(await exited).toBe("SIGKILL");
  });

  it("killAll SIGKILL ends the process and every child it forked, then remove succeeds", async () => {
    const cgroup = newCgroup(backend);
    const { child, go, exited } = gatedShell("sleep 30 & sleep 30 & sleep 30 & wait");
    cgroup.join(child.pid ?? 0);
    go();
    expect(await until(() => cgroup.pids().length === 4)).toBe(true);
    await cgroup.killAll("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(await until(() => cgroup.pids().length === 0)).toBe(true);
    await cgroup.remove();
    for (const dir of cgroup.dirs) expect(existsSync(dir)).toBe(false);
  });

  it("killAll with SIGTERM delivers that signal", async () => {
    const cgroup = newCgroup(backend);
    const { child, go, exited } = gatedShell("exec sleep 30");
    cgroup.join(child.pid ?? 0);
    go();
    await cgroup.killAll("SIGTERM");
    expect(await exited).toBe("SIGTERM");
  });

  const memory = backend.has("memory");
  it(`memory limit and OOM kill${memory ? "" : " (rejected: no memory controller in this hierarchy)"}`, async () => {
    const cgroup = newCgroup(backend);
    if (!memory) {
      expect(() => cgroup.setLimits({ memory: 32 << 20 })).toThrow(
        expect.objectContaining({ code: "E_RUNTIME_CGROUP" }),
      );
      return;
    }
    cgroup.setLimits({ memory: 32 << 20 });
    expect(cgroup.stats().memoryLimit).toBe(32 << 20);
    expect(cgroup.oomKilled()).toBe(false);
    // tail buffers /dev/zero looking for a newline that never comes: it grows until the OOM killer ends it.
    const { child, go, exited } = gatedShell("exec tail /dev/zero");
    cgroup.join(child.pid ?? 0);
    go();
    expect(await exited).toBe("SIGKILL");
    expect(cgroup.oomKilled()).toBe(true);
    expect(cgroup.stats().memoryUsage).toBeGreaterThanOrEqual(0);
  });

  const cpu = backend.has("cpu");
  it(`cpu quota throttles a busy process${cpu ? "" : " (rejected: no cpu controller in this hierarchy)"}`, async () => {
    const cgroup = newCgroup(backend);
    if (!cpu) {
      expect(() => cgroup.setLimits({ cpus: 0.5 })).toThrow(
        expect.objectContaining({ code: "E_RUNTIME_CGROUP" }),
      );
      return;
    }
    cgroup.setLimits({ cpus: 0.1 });
    const { child, go } = gatedShell("while :; do :; done");
    cgroup.join(child.pid ?? 0);
    go();
    expect(await until(() => (cgroup.stats().cpuThrottledPeriods ?? 0) > 0, 3000)).toBe(true);
    expect(cgroup.stats().cpuUsageNanos).toBeGreaterThan(0);
    await cgroup.killAll("SIGKILL");
  });

  const pids = backend.has("pids");
  it(`pids limit stops a fork loop${pids ? "" : " (rejected: no pids controller in this hierarchy)"}`, async () => {
    const cgroup = newCgroup(backend);
    if (!pids) {
      expect(() => cgroup.setLimits({ pids: 4 })).toThrow(
        expect.objectContaining({ code: "E_RUNTIME_CGROUP" }),
      );
      return;
    }
    cgroup.setLimits({ pids: 4 });
    const { child, go, exited } = gatedShell(
      "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 30 & done 2>/dev/null; wait",
    );
    cgroup.join(child.pid ?? 0);
    go();
    // The shell plus three sleeps fill the limit; the fourth fork fails and dash gives up with status 2.
    expect(await exited).toBe(2);
    expect(cgroup.pids().length).toBe(3);
    await cgroup.killAll("SIGKILL");
    expect(await until(() => cgroup.pids().length === 0)).toBe(true);
  });

  it("the cgroup.procs of every directory is empty after killAll and remove leaves nothing", async () => {
    const cgroup = newCgroup(backend);
    const { child, go, exited } = gatedShell("exec sleep 30");
    cgroup.join(child.pid ?? 0);
    go();
    await cgroup.killAll("SIGKILL");
    await exited;
    await cgroup.remove();
    for (const dir of cgroup.dirs) expect(existsSync(dir)).toBe(false);
  });
});

describe("v1 specifics", () => {
  const backend = BACKENDS[0] as Backend;
  it("a new cpuset cgroup gets its parent's cpus and mems so it can take tasks", () => {
    const cgroup = newCgroup(backend);
    const dir = cgroup.dirs.find((d) => d.includes("/cpuset/")) ?? "";
    for (const file of ["cpuset.cpus", "cpuset.mems"]) {
      expect(readFileSync(join(dir, file), "utf8").trim()).toBe(
        readFileSync(join(V1_ROOT, "cpuset", file), "utf8").trim(),
      );
    }
  });

  it.each([
    [{ memory: 64 << 20 }, String(64 << 20), String(128 << 20)],
    [{ memory: 64 << 20, memorySwap: 64 << 20 }, String(64 << 20), String(64 << 20)],
    [{ memory: 64 << 20, memorySwap: -1 }, String(64 << 20), "9223372036854771712"],
  ])("memory %j writes limit %s and memsw %s", (limits, limit, memsw) => {
    const cgroup = newCgroup(backend);
    cgroup.setLimits(limits);
    const dir = cgroup.dirs.find((d) => d.includes("/memory/")) ?? "";
    expect(readFileSync(join(dir, "memory.limit_in_bytes"), "utf8").trim()).toBe(limit);
    expect(readFileSync(join(dir, "memory.memsw.limit_in_bytes"), "utf8").trim()).toBe(memsw);
  });

  it("shrinking and growing the memory limit keeps memory <= memsw in either order", () => {
    const cgroup = newCgroup(backend);
    cgroup.setLimits({ memory: 256 << 20 });
    cgroup.setLimits({ memory: 32 << 20 });
    cgroup.setLimits({ memory: 512 << 20 });
    const dir = cgroup.dirs.find((d) => d.includes("/memory/")) ?? "";
    expect(readFileSync(join(dir, "memory.memsw.limit_in_bytes"), "utf8").trim()).toBe(String(1024 << 20));
  });

  it.each([
    [0.5, "50000"],
    [1.5, "150000"],
    [2, "200000"],
  ])("cpus %s writes cfs quota %s over a 100000 period", (cpus, quota) => {
    const cgroup = newCgroup(backend);
    cgroup.setLimits({ cpus });
    const dir = cgroup.dirs.find((d) => d.includes("/cpu/")) ?? "";
    expect(readFileSync(join(dir, "cpu.cfs_quota_us"), "utf8").trim()).toBe(quota);
    expect(readFileSync(join(dir, "cpu.cfs_period_us"), "utf8").trim()).toBe("100000");
  });

  it("the default device policy allows the standard devices and denies block devices", () => {
    const cgroup = newCgroup(backend);
    cgroup.setLimits({ devices: "default" });
    const dir = cgroup.dirs.find((d) => d.includes("/devices/")) ?? "";
    const list = readFileSync(join(dir, "devices.list"), "utf8").split("\n");
    expect(list).toContain("c 1:3 rwm");
    expect(list).toContain("c 136:* rwm");
    expect(list).toContain("b *:* m");
    expect(list).not.toContain("a *:* rwm");
  });

  it.each([[{ memory: 0 }], [{ cpus: -3 }], [{ pids: Number.NaN }]])("rejects limit %j", (limits) => {
    const cgroup = newCgroup(backend);
    expect(() => cgroup.setLimits(limits)).toThrow(expect.objectContaining({ code: "E_CONTAINER_CONFIG" }));
  });
});

describe("a cgroup that does not exist", () => {
  it.each(BACKENDS)("$name: killAll and remove are no-ops, pids is empty", async (backend) => {
    const cgroup = Cgroup.open(`never-${process.pid}`, backend.options);
    expect(cgroup.exists()).toBe(false);
    await cgroup.killAll("SIGKILL");
    await cgroup.remove();
    expect(cgroup.pids()).toEqual([]);
  });
});
