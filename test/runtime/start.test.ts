import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { stateRoot, type StateRoot } from "../../src/common/root.js";
import { TscError } from "../../src/errors.js";
import { Cgroup } from "../../src/runtime/cgroup.js";
import { createContainer, type ImageInfo } from "../../src/runtime/create.js";
import { inspectContainer, removeContainer, waitContainer } from "../../src/runtime/lifecycle.js";
import {
  execInContainer,
  restartContainer,
  startContainer,
  type LaunchInput,
  type Launcher,
} from "../../src/runtime/start.js";

// startContainer's own work (cgroup, limits, rw layer, /etc files, user, records) on the real kernel. The
// launcher here runs the command on the host under a monitor shell that keeps the helper's contract
// (PID 1 joins the cgroup.procs files, the monitor writes the exit status file); namespaces are the
// helper's business and are tested through it.

const PARENT = `tscompose-test-start-${process.pid}`;
let dir: string;
let root: StateRoot;
let image: ImageInfo;
const monitors: ChildProcess[] = [];
const launched: LaunchInput[] = [];

const shellLauncher: Launcher = {
  async run(input) {
    launched.push(input);
    const joins = input.cgroupJoinFiles.map((f) => `echo $$ > ${f}`).join("; ");
    const args = [...input.record.config.entrypoint, ...input.record.config.cmd]
      .map((a) => `'${a}'`)
      .join(" ");
    const pidFile = join(input.dir, "pid");
    rmSync(pidFile, { force: true });
    const monitor = spawn(
      "sh",
      [
        "-c",
        `sh -c '${joins}; exec "$@"' sh ${args} & pid=$!; echo $pid > ${pidFile}; wait $pid; code=$?; ` +
          `echo "{\\"exitCode\\":$code}" > ${input.dir}/.x && mv ${input.dir}/.x ${input.exitStatusPath}`,
      ],
      { stdio: "ignore" },
    );
    monitors.push(monitor);
    // The shell creates the file before it writes the pid: wait for the number itself.
    const readPid = () => (existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : 0);
    for (let i = 0; i < 300 && !(readPid() > 0); i++) await sleep(10);
    const pid = readPid();
    // The helper reports ready only once PID 1 is in its cgroup; wait for the same here.
    const procs = input.cgroupJoinFiles[0] ?? "";
    for (let i = 0; i < 300 && !readFileSync(procs, "utf8").split("\n").includes(String(pid)); i++)
      await sleep(10);
    return { monitorPid: monitor.pid ?? 0, pid };
  },
  async exec(input) {
    return { exitCode: input.request.args.length };
  },
};

const failing: Launcher = {
  run: async () => {
    throw new TscError("E_RUNTIME_HELPER", "pivot_root `/x`: Invalid argument");
  },
  exec: async () => ({ exitCode: 0 }),
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tsc-start-"));
  root = stateRoot(join(dir, "root"));
  const layer = join(dir, "layer");
  mkdirSync(join(layer, "etc"), { recursive: true });
  writeFileSync(
    join(layer, "etc", "passwd"),
    "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
  );
  writeFileSync(join(layer, "etc", "group"), "root:x:0:\nwheel:x:10:app\napp:x:1000:\n");
  image = { id: "sha256:" + "c".repeat(64), config: { Cmd: ["sleep", "30"] }, layers: [layer] };
  process.env.TSCOMPOSE_CGROUP_PARENT = PARENT;
});

afterEach(async () => {
  delete process.env.TSCOMPOSE_CGROUP_PARENT;
  for (const m of monitors.splice(0)) if (m.exitCode === null && m.pid) process.kill(m.pid, "SIGKILL");
  for (const input of launched.splice(0)) {
    if (existsSync(join(input.dir, "config.json"))) await removeContainer(root, input.record.id, true);
  }
  rmSync(dir, { recursive: true, force: true });
});

afterAll(() => {
  for (const c of ["blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids"]) {
    const path = join("/sys/fs/cgroup", c, PARENT);
    if (existsSync(path)) rmdirSync(path);
  }
});

describe("startContainer", () => {
  it("creates the cgroup with the limits, the rw layer and /etc files, resolves the user, records the start", async () => {
    const record = createContainer(root, image, {
      image: "img",
      user: "app",
      hostname: "box",
      memory: 64 << 20,
      cpus: 0.5,
      pidsLimit: 50,
    });
    const state = await startContainer(root, record.id, shellLauncher);
    expect(state).toMatchObject({ status: "running", running: true, restartCount: 0 });
    const input = launched[0] as LaunchInput;
    expect(input.user).toEqual({ uid: 1000, gid: 1000, groups: [1000, 10], home: "/home/app", name: "app" });
    expect(readFileSync(input.etc.hostname, "utf8")).toBe("box\n");
    expect(readFileSync(input.etc.hosts, "utf8")).toContain("127.0.1.1\tbox");
    expect(readFileSync(input.etc.resolvConf, "utf8")).not.toMatch(/nameserver 127\./);
    for (const d of [input.rootfs.upperDir, input.rootfs.workDir, input.rootfs.mergedDir])
      expect(existsSync(d)).toBe(true);
    const cgroup = Cgroup.open(record.id, { parent: PARENT });
    expect(cgroup.pids()).toEqual([state.pid]);
    const file = (c: string, f: string) =>
      readFileSync(join("/sys/fs/cgroup", c, PARENT, record.id, f), "utf8").trim();
    expect(file("memory", "memory.limit_in_bytes")).toBe(String(64 << 20));
    expect(file("cpu", "cpu.cfs_quota_us")).toBe("50000");
    expect(file("pids", "pids.max")).toBe("50");
    expect(file("devices", "devices.list")).toContain("c 1:3 rwm");
    expect(inspectContainer(root, record.id).State.Pid).toBe(state.pid);
    // Starting a running container changes nothing.
    expect((await startContainer(root, record.id, shellLauncher)).pid).toBe(state.pid);
    expect(launched).toHaveLength(1);
  });

  it("a privileged container may use every device", async () => {
    const record = createContainer(root, image, { image: "img", privileged: true });
    await startContainer(root, record.id, shellLauncher);
    expect(readFileSync(join("/sys/fs/cgroup/devices", PARENT, record.id, "devices.list"), "utf8")).toBe(
      "a *:* rwm\n",
    );
  });

  it("restart runs it again in a fresh cgroup; a user's restart is no restart count (docker's)", async () => {
    const record = createContainer(
      root,
      { ...image, config: { Cmd: ["sh", "-c", "exit 4"] } },
      { image: "img" },
    );
    await startContainer(root, record.id, shellLauncher);
    expect((await waitContainer(root, record.id, 5000))?.exitCode).toBe(4);
    const again = await restartContainer(root, record.id, shellLauncher);
    expect(again.restartCount).toBe(0);
    expect((await waitContainer(root, record.id, 5000))?.exitCode).toBe(4);
  });

  it("a launcher failure leaves no cgroup and the container still created", async () => {
    const record = createContainer(root, image, { image: "img" });
    await expect(startContainer(root, record.id, failing)).rejects.toMatchObject({
      code: "E_RUNTIME_HELPER",
    });
    expect(Cgroup.open(record.id, { parent: PARENT }).exists()).toBe(false);
    expect(inspectContainer(root, record.id).State.Status).toBe("created");
  });

  it("exec needs a running container and a command", async () => {
    const record = createContainer(root, image, { image: "img" });
    await expect(execInContainer(root, record.id, { args: ["ls"] }, shellLauncher)).rejects.toMatchObject({
      code: "E_CONTAINER_STATE",
    });
    await startContainer(root, record.id, shellLauncher);
    await expect(execInContainer(root, record.id, { args: [] }, shellLauncher)).rejects.toMatchObject({
      code: "E_USAGE",
    });
    expect(await execInContainer(root, record.id, { args: ["a", "b"] }, shellLauncher)).toEqual({
      exitCode: 2,
    });
  });
});
