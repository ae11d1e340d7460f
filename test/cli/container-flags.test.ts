import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  createOptionsFromFlags,
  normalizeCap,
  parseBytes,
  parseCpus,
  parseVolume,
  readEnvFile,
} from "../../src/cli/container-flags.js";
import { humanDuration, statusText } from "../../src/cli/container.js";
import { normalizeSignal } from "../../src/runtime/signals.js";

const dir = mkdtempSync(join(tmpdir(), "tsc-flags-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("docker run flag values", () => {
  it.each([
    ["64m", 64 * 1024 ** 2],
    ["512k", 512 * 1024],
    ["1g", 1024 ** 3],
    ["1.5G", 1.5 * 1024 ** 3],
    ["100", 100],
    ["64mb", 64 * 1024 ** 2],
  ])("--memory %s = %i bytes", (value, bytes) => {
    expect(parseBytes("--memory", value)).toBe(bytes);
  });
  it.each(["", "abc", "-5m", "12x"])("--memory %j is a usage error", (value) => {
    expect(() => parseBytes("--memory", value)).toThrow(expect.objectContaining({ code: "E_USAGE" }));
  });
  it.each([
    ["0.5", 0.5],
    ["2", 2],
    [".25", 0.25],
  ])("--cpus %s", (value, cpus) => expect(parseCpus(value)).toBe(cpus));
  it.each(["0", "-1", "x"])("--cpus %j is rejected", (value) => {
    expect(() => parseCpus(value)).toThrow(expect.objectContaining({ code: "E_USAGE" }));
  });
  it.each([
    ["/a:/b", { source: "/a", target: "/b", readOnly: false }],
    ["/a:/b:ro", { source: "/a", target: "/b", readOnly: true }],
    ["/a:/b:rw", { source: "/a", target: "/b", readOnly: false }],
  ])("-v %s", (value, bind) => expect(parseVolume(value)).toEqual(bind));
  it.each(["a:/b", "/a", "/a:b", "/a:/b:xx", "/a:/b:ro:z"])("-v %j is rejected", (value) => {
    expect(() => parseVolume(value)).toThrow(expect.objectContaining({ code: "E_USAGE" }));
  });
  it.each([
    ["net_admin", "CAP_NET_ADMIN"],
    ["CAP_SYS_ADMIN", "CAP_SYS_ADMIN"],
    ["all", "ALL"],
  ])("capability %s -> %s", (cap, normal) => expect(normalizeCap(cap)).toBe(normal));
  it.each([
    ["TERM", "SIGTERM"],
    ["sigkill", "SIGKILL"],
    ["15", "SIGTERM"],
    ["SIGUSR1", "SIGUSR1"],
  ])("signal %s -> %s", (value, name) => expect(normalizeSignal(value)).toBe(name));
  it("an unknown signal is a config error", () => {
    expect(() => normalizeSignal("SIGNOPE")).toThrow(expect.objectContaining({ code: "E_CONTAINER_CONFIG" }));
  });
});

describe("--env-file", () => {
  it("reads KEY=VALUE lines literally, KEY alone, and skips comments", () => {
    const file = join(dir, "env");
    writeFileSync(file, '# comment\nA=1\n\n  B=two words\nC="quoted"\nD\n');
    expect(readEnvFile(file)).toEqual(["A=1", "B=two words", 'C="quoted"', "D"]);
  });
  it("reports a bad line with its location", () => {
    const file = join(dir, "bad");
    writeFileSync(file, "A=1\nBAD KEY=2\n");
    expect(() => readEnvFile(file)).toThrow(
      expect.objectContaining({ code: "E_LOAD_ENV_FILE", where: expect.objectContaining({ line: 2 }) }),
    );
  });
});

describe("createOptionsFromFlags", () => {
  it("maps every flag", () => {
    const envFile = join(dir, "e2");
    writeFileSync(envFile, "FROM_FILE=1\n");
    const options = createOptionsFromFlags("busybox", ["sh", "-c", "exit 3"], {
      rm: true,
      name: "x",
      env: ["A=1"],
      envFile: [envFile],
      volume: ["/tmp:/data:ro"],
      tmpfs: ["/run:size=1m", "/cache"],
      network: "host",
      memory: "64m",
      cpus: "0.5",
      pidsLimit: "20",
      capAdd: ["net_admin"],
      capDrop: ["chown"],
      securityOpt: ["no-new-privileges"],
      readOnly: true,
      init: true,
      label: ["a=b", "c"],
    });
    expect(options).toMatchObject({
      image: "busybox",
      cmd: ["sh", "-c", "exit 3"],
      name: "x",
      env: ["FROM_FILE=1", "A=1"],
      binds: [{ source: "/tmp", target: "/data", readOnly: true }],
      tmpfs: { "/run": "size=1m", "/cache": "" },
      network: "host",
      memory: 64 << 20,
      cpus: 0.5,
      pidsLimit: 20,
      capAdd: ["CAP_NET_ADMIN"],
      capDrop: ["CAP_CHOWN"],
      noNewPrivileges: true,
      seccomp: "default",
      readOnly: true,
      init: true,
      autoRemove: true,
      labels: { a: "b", c: "" },
    });
  });
  it("--security-opt seccomp=unconfined turns the filter off", () => {
    expect(
      createOptionsFromFlags("busybox", [], { securityOpt: ["seccomp=unconfined", "no-new-privileges"] }),
    ).toMatchObject({ seccomp: "unconfined", noNewPrivileges: true });
  });
  it.each([
    [{ network: "bridge" }, "unsupported --network"],
    [{ securityOpt: ["seccomp=/etc/profile.json"] }, "custom seccomp profiles are not supported yet"],
    [{ securityOpt: ["apparmor=unconfined"] }, "unsupported --security-opt"],
    [{ pidsLimit: "lots" }, "invalid --pids-limit"],
  ])("%j is a usage error", (flags, message) => {
    expect(() => createOptionsFromFlags("busybox", [], flags)).toThrow(
      expect.objectContaining({ code: "E_USAGE", message: expect.stringContaining(message) }),
    );
  });
  it("--pids-limit 0 and -1 mean unlimited, as in docker", () => {
    expect(createOptionsFromFlags("b", [], { pidsLimit: "0" }).pidsLimit).toBeUndefined();
    expect(createOptionsFromFlags("b", [], { pidsLimit: "-1" }).pidsLimit).toBeUndefined();
  });
});

describe("ls status text", () => {
  const now = Date.parse("2026-01-01T00:10:00Z");
  it.each([
    [{ status: "created", running: false, pid: 0, exitCode: 0, restartCount: 0 }, "Created"],
    [
      {
        status: "running",
        running: true,
        pid: 5,
        exitCode: 0,
        restartCount: 0,
        startedAt: "2026-01-01T00:09:55Z",
      },
      "Up 5 seconds",
    ],
    [
      {
        status: "exited",
        running: false,
        pid: 0,
        exitCode: 137,
        restartCount: 0,
        startedAt: "2026-01-01T00:00:00Z",
        finishedAt: "2026-01-01T00:07:00Z",
      },
      "Exited (137) 3 minutes ago",
    ],
  ] as const)("%j", (state, text) => {
    expect(statusText(state, now)).toBe(text);
  });
  it.each([
    [500, "Less than a second"],
    [61_000, "About a minute"],
    [119_000, "About a minute"],
    [120_000, "2 minutes"],
    [3_599_000, "59 minutes"],
    [3_600_000, "About an hour"],
    [5_400_000, "2 hours"],
    [5 * 86_400_000, "5 days"],
    [20 * 86_400_000, "2 weeks"],
    [90 * 86_400_000, "3 months"],
    [1000 * 86_400_000, "2 years"],
  ])("humanDuration(%i)", (ms, text) => expect(humanDuration(ms)).toBe(text));
});
