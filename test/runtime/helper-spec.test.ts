import { describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import {
  capabilityMask,
  containerCapabilities,
  type CapabilityOptions,
} from "../../src/runtime/capabilities.js";
import { buildSpec, containerEnv, encodeSpec, tmpfsMount, type SpecInput } from "../../src/runtime/spec.js";

// The policy side, without a kernel: Docker's capability rules, --tmpfs options, env additions, and the
// wire form the helper reads.

const HOST = 0x1fffeffffffn; // this machine's CapBnd: everything but CAP_SYS_RESOURCE

describe("capabilities", () => {
  it.each<[CapabilityOptions, string]>([
    [{}, "00000000a80425fb"],
    [{ capAdd: ["NET_ADMIN"] }, "00000000a80435fb"],
    [{ capAdd: ["cap_net_admin", "net_admin"] }, "00000000a80435fb"],
    [{ capDrop: ["CHOWN", "kill"] }, "00000000a80425da"],
    [{ capDrop: ["ALL"], capAdd: ["CHOWN"] }, "0000000000000001"],
    [{ capAdd: ["ALL"], capDrop: ["SYS_ADMIN"] }, "000001fffedfffff"],
    [{ privileged: true }, "000001fffeffffff"],
  ])("%j -> %s", (options, mask) => {
    expect(capabilityMask(containerCapabilities(options, HOST))).toBe(mask);
  });

  it.each([
    [{ capAdd: ["FLY"] }, /unknown capability "FLY"/],
    [{ capAdd: ["SYS_RESOURCE"] }, /capability SYS_RESOURCE is not available on this host/],
  ])("%j is refused", (options, message) => {
    const error = (() => {
      try {
        return containerCapabilities(options, HOST);
      } catch (e) {
        return e;
      }
    })();
    expect(TscError.is(error) && error.code).toBe("E_CONTAINER_CONFIG");
    expect((error as Error).message).toMatch(message);
  });
});

describe("tmpfsMount", () => {
  it.each([
    ["", ["nodev", "noexec", "nosuid"], []],
    ["size=64m,mode=1777", ["nodev", "noexec", "nosuid"], ["size=64m", "mode=1777"]],
    ["exec,ro", ["nodev", "nosuid", "ro"], []],
  ])("%j", (options, flags, data) => {
    expect(tmpfsMount("/run", options)).toEqual({
      type: "tmpfs",
      source: "tmpfs",
      target: "/run",
      flags,
      data,
    });
  });

  it("refuses an unknown option", () => {
    expect(() => tmpfsMount("/run", "bogus")).toThrow(/invalid tmpfs option "bogus" for \/run/);
  });
});

describe("containerEnv", () => {
  it.each([
    [
      { env: [], hostname: "h", user: {} },
      ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=h", "HOME=/"],
    ],
    [
      { env: ["PATH=/x", "HOME=/root"], hostname: "h", tty: true, user: {} },
      ["HOSTNAME=h", "TERM=xterm", "PATH=/x", "HOME=/root"],
    ],
    [
      { env: ["A=1"], user: { home: "/home/app" } },
      ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=1", "HOME=/home/app"],
    ],
  ])("%j", (input, env) => {
    expect(containerEnv(input)).toEqual(env);
  });
});

const base: SpecInput = {
  args: ["sh"],
  env: [],
  user: { uid: 0, gid: 0, groups: [] },
  hostname: "h",
  rootfs: { lowerDirs: ["/l/bottom", "/l/top"], upperDir: "/c/u", workDir: "/c/w", mergedDir: "/c/m" },
  cgroupJoinFiles: ["/sys/fs/cgroup/pids/t/tasks", "/sys/fs/cgroup/memory/t/tasks"],
  cgroupVersion: 1,
  logPath: "/c/log",
  exitStatusPath: "/c/exit",
};

describe("buildSpec", () => {
  it("applies Docker's defaults", () => {
    const spec = buildSpec(base);
    expect(spec.maskedPaths).toContain("/proc/kcore");
    expect(spec.readonlyPaths).toContain("/proc/sys");
    expect(spec.network).toBe("new");
    expect(spec.mounts.map((m) => m.target)).toEqual([
      "/proc",
      "/dev",
      "/dev/pts",
      "/sys",
      "/sys/fs/cgroup",
      "/sys/fs/cgroup/memory",
      "/sys/fs/cgroup/pids",
      "/dev/mqueue",
      "/dev/shm",
    ]);
    expect(spec.mounts.find((m) => m.target === "/sys/fs/cgroup/pids")?.source).toBe("/sys/fs/cgroup/pids/t");
  });

  it("privileged: no masked or read-only paths, /sys writable", () => {
    const spec = buildSpec({ ...base, privileged: true });
    expect(spec.maskedPaths).toEqual([]);
    expect(spec.readonlyPaths).toEqual([]);
    expect(spec.mounts.find((m) => m.target === "/sys")?.flags).not.toContain("ro");
  });

  it("mounts binds and tmpfs parents first", () => {
    const spec = buildSpec({
      ...base,
      cgroupVersion: 2,
      tmpfs: { "/data/cache": "" },
      binds: [{ source: "/srv", target: "/data/", readOnly: true }],
    });
    expect(spec.mounts.slice(-2).map((m) => [m.target, m.flags.includes("ro")])).toEqual([
      ["/data", true],
      ["/data/cache", false],
    ]);
  });
});

describe("encodeSpec", () => {
  it("writes NUL-separated records, lower layers top first", () => {
    const fields = encodeSpec(buildSpec(base)).toString("utf8").split("\0");
    expect(fields[0]).toBe("tscompose-spec-1");
    expect(fields.at(-1)).toBe("");
    const lowers = fields.flatMap((f, i) => (f === "lower" ? [fields[i + 1]] : []));
    expect(lowers).toEqual(["/l/top", "/l/bottom"]);
    const caps = fields[fields.indexOf("caps") + 1];
    expect(caps).toBe("00000000a80425fb");
  });

  it("refuses a NUL inside a value", () => {
    expect(() => encodeSpec(buildSpec({ ...base, args: ["a\0b"] }))).toThrow(/contains a NUL byte/);
  });
});
