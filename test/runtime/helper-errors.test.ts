import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { execExitCode, runContainer } from "../../src/runtime/helper.js";
import { buildSpec, type SpecInput } from "../../src/runtime/spec.js";
import { HelperFixture } from "./helper-fixture.js";

// Setup failures come back as "syscall `object`: reason" (never a silent exit), and the layouts that
// stress the setup: 100+ lower layers, joined or host network namespaces.

let fx: HelperFixture;

beforeAll(() => {
  fx = new HelperFixture();
});

afterAll(async () => {
  expect(fx.leftoverMounts()).toEqual([]);
  await fx.cleanup();
});

async function failure(overrides: Partial<SpecInput>): Promise<TscError> {
  const { input } = fx.input(overrides);
  const error = await runContainer(buildSpec(input)).catch((e: unknown) => e);
  if (!TscError.is(error)) throw new Error(`expected a TscError, got ${String(error)}`);
  return error;
}

describe("setup errors", () => {
  it.each([
    [
      "a missing lower dir",
      () => ({ rootfs: { ...fx.input().input.rootfs, lowerDirs: [join(fx.base, "missing-layer")] } }),
      "E_RUNTIME_HELPER",
      /^fsconfig `lowerdir\+=\/.*\/missing-layer`: No such file or directory$/,
    ],
    [
      "a missing executable",
      () => ({ args: ["no-such-command"] }),
      "E_RUNTIME_EXEC",
      /^exec `no-such-command`: executable file not found in \$PATH$/,
    ],
    [
      "a file that is not executable",
      () => ({ args: ["/etc/passwd"] }),
      "E_RUNTIME_EXEC",
      /Permission denied$/,
    ],
    [
      "an rlimit above the host's hard limit",
      () => ({ rlimits: [{ name: "nofile", soft: 1024, hard: 10_000_000 }] }),
      "E_RUNTIME_HELPER",
      /^setrlimit `nofile` \(the hard limit here is \d+\): Operation not permitted$/,
    ],
    [
      "a bind source that does not exist",
      () => ({ binds: [{ source: join(fx.base, "nope"), target: "/data", readOnly: false }] }),
      "E_RUNTIME_HELPER",
      /^stat `\/.*\/nope`: No such file or directory$/,
    ],
    [
      "a network namespace that does not exist",
      () => ({ network: { path: "/run/netns/tsc-no-such-netns" } }),
      "E_RUNTIME_HELPER",
      /^open `\/run\/netns\/tsc-no-such-netns`: No such file or directory$/,
    ],
    [
      "a cgroup that does not exist",
      () => ({ cgroupJoinFiles: ["/sys/fs/cgroup/pids/tsc-no-such-cgroup/tasks"] }),
      "E_RUNTIME_HELPER",
      /^open `\/sys\/fs\/cgroup\/pids\/tsc-no-such-cgroup\/tasks`: No such file or directory$/,
    ],
  ])("%s", async (_name, overrides, code, message) => {
    const error = await failure(overrides());
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.hint).toBeTruthy();
  });

  it.each([
    [["no-such-command"], 127],
    [["/etc/passwd"], 126],
  ])("%j maps to docker's exit code %d", async (args, code) => {
    expect(execExitCode(await failure({ args }))).toBe(code);
  });
});

describe("layouts", () => {
  it("mounts 120 lower layers (an option string far over one page)", async () => {
    const layers: string[] = [];
    for (let i = 0; i < 120; i++) {
      const layer = join(fx.base, "layers", `layer-with-a-long-directory-name-${String(i).padStart(4, "0")}`);
      mkdirSync(join(layer, "stack"), { recursive: true });
      writeFileSync(join(layer, "stack", `l${i}`), "");
      writeFileSync(join(layer, "top"), `${i}\n`);
      layers.push(layer);
    }
    expect(layers.join(":").length).toBeGreaterThan(4096);
    const { input } = fx.input();
    const { exit, out } = await fx.script("ls /stack | wc -l; cat /top; ls /bin/busybox", {
      rootfs: { ...input.rootfs, lowerDirs: [fx.rootfs, ...layers] },
    });
    expect(out).toBe("120\n119\n/bin/busybox\n");
    expect(exit.exitCode).toBe(0);
  });

  it("shares the host's network with network host", async () => {
    const { out } = await fx.script("ls /sys/class/net", { network: "host" });
    const host = execFileSync("ls", ["/sys/class/net"], { encoding: "utf8" });
    expect(out).toBe(host);
  });

  it("joins a given network namespace", async () => {
    const name = `tsc-helper-test-${process.pid}`;
    execFileSync("ip", ["netns", "add", name]);
    try {
      execFileSync("ip", ["-n", name, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1"]);
      const { out } = await fx.script("ls /sys/class/net | tr '\\n' ' '", {
        network: { path: `/run/netns/${name}` },
      });
      expect(out).toBe("lo probe0 probe1 ");
    } finally {
      execFileSync("ip", ["netns", "del", name]);
    }
  });
});
