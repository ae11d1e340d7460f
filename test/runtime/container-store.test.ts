import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stateRoot } from "../../src/common/root.js";
import {
  ContainerStore,
  isProcessAlive,
  processStartTicks,
  type ContainerRecord,
} from "../../src/runtime/container-store.js";

let dir: string;
let store: ContainerStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tsc-store-"));
  store = new ContainerStore(stateRoot(dir));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const base: Omit<ContainerRecord, "id" | "name" | "created"> = {
  imageId: "sha256:" + "a".repeat(64),
  imageRef: "busybox:latest",
  layers: ["/l1"],
  config: {
    image: "busybox",
    entrypoint: [],
    cmd: ["true"],
    env: [],
    workingDir: "/",
    user: "",
    hostname: "h",
    tty: false,
    openStdin: false,
    stopSignal: "SIGTERM",
    stopTimeout: 10,
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
    cgroupParent: "tscompose",
  },
};

describe("ContainerStore", () => {
  it("creates records with 64-hex ids and docker-style generated names", () => {
    const a = store.create(base);
    expect(a.id).toMatch(/^[0-9a-f]{64}$/);
    expect(a.name).toMatch(/^[a-z]+_[a-z]+\d?$/);
    expect(store.get(a.id)).toEqual(a);
    expect(store.list().map((r) => r.id)).toEqual([a.id]);
  });

  it("looks containers up by id, /name, name and unique id prefix", () => {
    const a = store.create(base, "web");
    for (const ref of [a.id, "web", "/web", a.id.slice(0, 12)]) expect(store.get(ref).id).toBe(a.id);
  });

  it.each([["nope"], ["0123"], ["/web2"]])("unknown %s is E_CONTAINER_NOT_FOUND", (ref) => {
    store.create(base, "web");
    expect(() => store.get(ref)).toThrow(expect.objectContaining({ code: "E_CONTAINER_NOT_FOUND" }));
  });

  it("an ambiguous prefix is reported as such", () => {
    const ids = Array.from({ length: 40 }, () => store.create(base).id);
    const prefix = ids.map((id) => id[0]).find((c, i, all) => all.indexOf(c) !== i) ?? "";
    expect(() => store.get(prefix)).toThrow(
      expect.objectContaining({ message: expect.stringContaining("multiple") }),
    );
  });

  it("names are unique until the holder is removed", () => {
    const a = store.create(base, "db");
    expect(() => store.create(base, "db")).toThrow(
      expect.objectContaining({ code: "E_CONTAINER_NAME_IN_USE", message: expect.stringContaining(a.id) }),
    );
    expect(store.list()).toHaveLength(1);
    store.remove(a);
    expect(store.create(base, "db").name).toBe("db");
  });

  it.each([["-bad"], ["a"], ["has space"], ["x/y"]])("rejects the name %j", (name) => {
    expect(() => store.create(base, name)).toThrow(expect.objectContaining({ code: "E_CONTAINER_CONFIG" }));
    expect(store.list()).toHaveLength(0);
  });

  it("reclaims a name whose holder's directory is gone", () => {
    store.create(base, "seed");
    writeFileSync(join(dir, "containers", ".names", "ghost"), "f".repeat(64));
    expect(store.create(base, "ghost").name).toBe("ghost");
  });

  it("derives created, running and exited from the start state and the exit file", async () => {
    const a = store.create(base);
    expect(store.state(a.id)).toMatchObject({ status: "created", running: false });
    const child = spawn("sleep", ["30"]);
    const pid = child.pid ?? 0;
    const ticks = processStartTicks(pid) ?? -1;
    store.writeStart(a.id, {
      monitorPid: pid,
      monitorStartTicks: ticks,
      pid,
      startedAt: "t0",
      restartCount: 0,
    });
    expect(store.state(a.id)).toMatchObject({ status: "running", running: true, pid });
    expect(isProcessAlive(pid, ticks + 1)).toBe(false);
    writeFileSync(store.exitStatusPath(a.id), JSON.stringify({ exitCode: 3, finishedAt: "t1" }));
    expect(store.state(a.id)).toMatchObject({ status: "exited", exitCode: 3, finishedAt: "t1" });
    writeFileSync(store.exitStatusPath(a.id), JSON.stringify({ signal: 9 }));
    expect(store.state(a.id)).toMatchObject({ status: "exited", exitCode: 137 });
    store.clearExit(a.id);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    // The monitor is gone and left no status: reported as exited with 255.
    expect(store.state(a.id)).toMatchObject({ status: "exited", exitCode: 255, running: false });
  });
});
