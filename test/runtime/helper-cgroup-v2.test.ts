import { existsSync, readFileSync, rmdirSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { Cgroup } from "../../src/runtime/cgroup.js";
import { execInContainer, runContainer } from "../../src/runtime/helper.js";
import { buildExecSpec, buildSpec } from "../../src/runtime/spec.js";
import { HelperFixture, type TestContainer } from "./helper-fixture.js";

// cgroup v2: PID 1 and exec'd processes are cloned straight into the container's cgroup (clone3 with
// CLONE_INTO_CGROUP) rather than moved there, on the real cgroup2 mount this machine kind has.
const V2_ROOT = "/sys/fs/cgroup/unified";
const PARENT = `tscompose-test-into-${process.pid}`;

let fx: HelperFixture;
let cgroup: Cgroup;
let box: TestContainer;

beforeAll(async () => {
  if (!existsSync(`${V2_ROOT}/cgroup.procs`))
    throw new Error(`these tests need cgroup2 mounted at ${V2_ROOT}`);
  fx = new HelperFixture();
  cgroup = Cgroup.create("box", { root: V2_ROOT, version: 2, parent: PARENT });
  box = await fx.run({ args: ["sleep", "60"], cgroupJoinFiles: [], cloneIntoCgroup: cgroup.cloneIntoDir() });
});

afterAll(async () => {
  await cgroup.killAll("SIGKILL");
  await box.waitExit();
  await cgroup.remove();
  rmdirSync(dirname(cgroup.dirs[0] ?? ""));
  expect(fx.leftoverMounts()).toEqual([]);
  await fx.cleanup();
});

describe("clone into a cgroup2 directory", () => {
  it("starts PID 1 in the container's cgroup", () => {
    const line = readFileSync(`/proc/${box.started.pid}/cgroup`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("0::"));
    expect(line).toBe(`0::/${PARENT}/box`);
    expect(cgroup.pids()).toEqual([box.started.pid]);
  });

  it("starts an exec'd process there too (the container's cgroup namespace shows it at its root)", async () => {
    const spec = buildExecSpec({
      pid: box.started.pid,
      cgroupJoinFiles: [],
      cloneIntoCgroup: cgroup.cloneIntoDir(),
      args: ["sh", "-c", "grep '^0::' /proc/self/cgroup"],
      env: ["PATH=/bin"],
      user: { uid: 0, gid: 0, groups: [] },
    });
    const outcome = await execInContainer(spec, { stdio: "pipe" });
    expect(outcome.stdout).toBe("0::/\n");
    expect(outcome.exitCode).toBe(0);
  });

  it("reports a directory that is not there as the helper's setup error", async () => {
    const { input } = fx.input({ cgroupJoinFiles: [], cloneIntoCgroup: `${V2_ROOT}/tsc-no-such-cgroup` });
    const error = await runContainer(buildSpec(input)).catch((e: unknown) => e);
    expect(TscError.is(error) && error.message).toBe(
      `open \`${V2_ROOT}/tsc-no-such-cgroup\`: No such file or directory`,
    );
  });
});
