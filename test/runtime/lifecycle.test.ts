import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { stateRoot, type StateRoot } from "../../src/common/root.js";
import { Cgroup } from "../../src/runtime/cgroup.js";
import {
  ContainerStore,
  processStartTicks,
  type ContainerRecord,
} from "../../src/runtime/container-store.js";
import {
  containerLogs,
  getContainer,
  inspectContainer,
  killContainer,
  listContainers,
  removeContainer,
  stopContainer,
  topContainer,
  waitContainer,
} from "../../src/runtime/lifecycle.js";

// The lifecycle works from records alone. Here a small shell plays the helper's monitor role by its
// contract: it is the parent of the container's PID 1 (which joins the container's cgroup itself), waits
// for it, and writes the exit status file atomically. Everything else is the real kernel.

const PARENT = `tscompose-test-lifecycle-${process.pid}`;
let dir: string;
let root: StateRoot;
let store: ContainerStore;
const monitors = new Set<ChildProcess>();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tsc-life-"));
  root = stateRoot(dir);
  store = new ContainerStore(root);
});

afterEach(async () => {
  for (const record of store.list()) await removeContainer(root, record.id, true);
  for (const m of monitors) if (m.exitCode === null && m.pid) process.kill(m.pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

afterAll(() => {
  for (const c of ["blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids"]) {
    const path = join("/sys/fs/cgroup", c, PARENT);
    if (existsSync(path)) rmdirSync(path);
    expect(existsSync(path)).toBe(false);
  }
});

function createRecord(name?: string, stopTimeout = 10): ContainerRecord {
  return store.create(
    {
      imageId: "sha256:" + "0".repeat(64),
      imageRef: "busybox",
      layers: ["/nonexistent-layer"],
      config: {
        image: "busybox",
        entrypoint: [],
        cmd: ["sleep", "30"],
        env: [],
        workingDir: "/",
        user: "",
        hostname: "h",
        tty: false,
        openStdin: false,
        stopSignal: "SIGTERM",
        stopTimeout,
        labels: {},
      },
      hostConfig: {
        autoRemove: false,
        init: false,
        readOnly: false,
        privileged: false,
        networkMode: "none",
        binds: [],
        tmpfs: {},
        capAdd: [],
        capDrop: [],
        noNewPrivileges: false,
        cgroupParent: PARENT,
      },
    },
    name,
  );
}

/** Starts `script` as the container's PID 1 under a monitor shell and records the start as the runtime does. */
async function startWith(record: ContainerRecord, script: string): Promise<number> {
  const cgroup = Cgroup.create(record.id, { parent: PARENT });
  const joins = cgroup
    .procsFiles()
    .map((f) => `echo $$ > ${f}`)
    .join("; ");
  const cdir = root.container(record.id);
  const monitor = spawn(
    "sh",
    [
      "-c",
      `sh -c '${joins}; ${script}' >> ${cdir}/out 2>&1 & pid=$!; echo $pid > ${cdir}/pid; wait $pid; code=$?; ` +
        `echo "{\\"exitCode\\":$code}" > ${cdir}/.exit.tmp && mv ${cdir}/.exit.tmp ${store.exitStatusPath(record.id)}`,
    ],
    { stdio: "ignore" },
  );
  monitors.add(monitor);
  let pid = 0;
  for (let i = 0; i < 200 && !pid; i++) {
    await sleep(10);
    pid = existsSync(`${cdir}/pid`) ? Number(readFileSync(`${cdir}/pid`, "utf8")) : 0;
  }
  for (let i = 0; i < 200 && !cgroup.pids().includes(pid); i++) await sleep(10);
  const monitorPid = monitor.pid ?? 0;
  store.writeStart(record.id, {
    monitorPid,
    monitorStartTicks: processStartTicks(monitorPid) ?? 0,
    pid,
    startedAt: new Date().toISOString(),
    restartCount: 0,
  });
  return pid;
}

describe("lifecycle from the records", () => {
  it("lists, inspects and tops a running container", async () => {
    const record = createRecord("web");
    const pid = await startWith(record, "exec sleep 30");
    expect(listContainers(root).map((c) => c.record.name)).toEqual(["web"]);
    expect(listContainers(root, true)).toHaveLength(1);
    const info = inspectContainer(root, "web");
    expect(info.State).toMatchObject({ Status: "running", Running: true, Pid: pid, OOMKilled: false });
    expect(info.Name).toBe("/web");
    expect(info.Path).toBe("sleep");
    expect(info.Args).toEqual(["30"]);
    const top = await topContainer(root, "web");
    expect(top.processes.map((p) => p[1])).toEqual([String(pid)]);
    expect(top.processes[0]?.[7]).toBe("sleep 30");
  });

  it("a created container is listed only with --all and cannot be killed", async () => {
    createRecord("idle");
    expect(listContainers(root)).toEqual([]);
    expect(listContainers(root, true)[0]?.state.status).toBe("created");
    await expect(killContainer(root, "idle")).rejects.toMatchObject({ code: "E_CONTAINER_STATE" });
    await expect(topContainer(root, "idle")).rejects.toMatchObject({ code: "E_CONTAINER_STATE" });
  });

  it("stop sends the stop signal and a handler-less process exits with 143", async () => {
    const record = createRecord();
    await startWith(record, "exec sleep 30");
    const started = Date.now();
    const state = await stopContainer(root, record.id, 5);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(state).toMatchObject({ status: "exited", exitCode: 143, running: false });
  });

  it("stop falls back to SIGKILL of the whole cgroup after the grace period", async () => {
    const record = createRecord();
    await startWith(record, `trap "" TERM; sleep 30 & sleep 30 & wait`);
    const started = Date.now();
    const state = await stopContainer(root, record.id, 1);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(4000);
    expect(state.exitCode).toBe(137);
    expect(Cgroup.open(record.id, { parent: PARENT }).pids()).toEqual([]);
  });

  it.each([
    ["SIGKILL", 137],
    ["USR1", 138],
    ["15", 143],
  ])("kill -s %s ends with %i", async (signal, code) => {
    const record = createRecord();
    await startWith(record, "exec sleep 30");
    await killContainer(root, record.id, signal);
    expect((await waitContainer(root, record.id, 5000))?.exitCode).toBe(code);
  });

  it("wait gives up after its timeout while the container runs", async () => {
    const record = createRecord();
    await startWith(record, "exec sleep 30");
    expect(await waitContainer(root, record.id, 100)).toBeUndefined();
  });

  it("rm refuses a running container, rm -f kills it and leaves no cgroup, process, file or name", async () => {
    const record = createRecord("victim");
    const pid = await startWith(record, "sleep 30 & exec sleep 30");
    await expect(removeContainer(root, "victim")).rejects.toMatchObject({ code: "E_CONTAINER_STATE" });
    const cgroup = Cgroup.open(record.id, { parent: PARENT });
    expect(cgroup.pids()).toHaveLength(2);
    await removeContainer(root, "victim", true);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(cgroup.exists()).toBe(false);
    expect(existsSync(root.container(record.id))).toBe(false);
    expect(() => getContainer(root, "victim")).toThrow(
      expect.objectContaining({ code: "E_CONTAINER_NOT_FOUND" }),
    );
    expect(createRecord("victim").name).toBe("victim");
  });

  it("an exited container's inspect shows its exit code and finish time", async () => {
    const record = createRecord();
    await startWith(record, "sleep 0.3; exit 3");
    await waitContainer(root, record.id, 5000);
    const info = inspectContainer(root, record.id);
    expect(info.State).toMatchObject({
      Status: "exited",
      ExitCode: 3,
      Running: false,
      Pid: 0,
      OOMKilled: false,
    });
    expect(Date.parse(info.State.FinishedAt)).toBeGreaterThanOrEqual(Date.parse(info.State.StartedAt));
  });

  it("OOMKilled is true when the cgroup's memory limit killed PID 1", async () => {
    const record = createRecord();
    Cgroup.create(record.id, { parent: PARENT }).setLimits({ memory: 16 << 20 });
    await startWith(record, "exec tail /dev/zero");
    expect((await waitContainer(root, record.id, 10_000))?.exitCode).toBe(137);
    expect(inspectContainer(root, record.id).State.OOMKilled).toBe(true);
  });

  it("logs reads the container's JSON-lines log", async () => {
    const record = createRecord();
    writeFileSync(
      join(root.container(record.id), "container.log"),
      [
        '{"time":"2026-01-01T00:00:00Z","stream":"stdout","log":"a\\n"}',
        '{"time":"2026-01-01T00:00:01Z","stream":"stderr","log":"b\\n"}',
        "",
      ].join("\n"),
    );
    const seen: string[] = [];
    await containerLogs(
      root,
      record.id,
      {},
      { stdout: (t) => seen.push(`out ${t}`), stderr: (t) => seen.push(`err ${t}`) },
    );
    expect(seen).toEqual(["out a\n", "err b\n"]);
  });
});
