import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { busyboxTarball, cgroupsUnder, makeCli, mountsUnder, type Cli } from "./container-helpers.js";

// The CLI on the cgroup v2 backend, end to end: this machine kind is a v1 hybrid, whose cgroup2 mount at
// /sys/fs/cgroup/unified (no controllers of its own) TSCOMPOSE_CGROUP_ROOT points tscompose at. Most users'
// machines are v2 only; the v1 backend is what the other container tests run.
const V2_ROOT = "/sys/fs/cgroup/unified";
const parent = `tscompose-test-v2-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), "tsc-v2-image-"));
let cli: Cli;

const containerDir = (id: string) => join(V2_ROOT, parent, id);
const statePid = (id: string) =>
  (JSON.parse(cli.ok(["container", "inspect", id])) as { State: { Pid: number } }[])[0]?.State.Pid ?? 0;

beforeAll(() => {
  if (!existsSync(join(V2_ROOT, "cgroup.procs")))
    throw new Error(`these tests need cgroup2 mounted at ${V2_ROOT}`);
  cli = makeCli(parent);
  cli.env.TSCOMPOSE_CGROUP_ROOT = V2_ROOT;
  cli.ok(["image", "import", busyboxTarball(work), "busybox"]);
});

afterAll(() => {
  const root = cli.root;
  cli.cleanup();
  expect(mountsUnder(root)).toEqual([]);
  const left = existsSync(join(V2_ROOT, parent))
    ? readdirSync(join(V2_ROOT, parent), { withFileTypes: true }).filter((e) => e.isDirectory())
    : [];
  if (existsSync(join(V2_ROOT, parent))) rmdirSync(join(V2_ROOT, parent));
  rmSync(work, { recursive: true, force: true });
  expect(left.map((e) => e.name)).toEqual([]);
});

describe("container commands on cgroup v2", () => {
  it("starts PID 1 in its own cgroup, exec joins it, stop and rm leave nothing", () => {
    const id = cli.ok(["container", "run", "-d", "busybox", "sleep", "60"]).trim();
    const pid = statePid(id);
    const membership = readFileSync(`/proc/${pid}/cgroup`, "utf8")
      .split("\n")
      .find((line) => line.startsWith("0::"));
    expect(membership).toBe(`0::/${parent}/${id}`);
    // Nothing in the v1 hierarchies: the container's cgroup is the v2 one only.
    expect(cgroupsUnder(parent)).toEqual([]);

    // Inside, /sys/fs/cgroup is the container's own cgroup2 (its cgroup namespace's root): PID 1 and
    // the exec'd shell are in it.
    const inside = cli.ok(["container", "exec", id, "sh", "-c", "cat /sys/fs/cgroup/cgroup.procs; echo $$"]);
    const [procs, self] = [inside.trim().split("\n").slice(0, -1), inside.trim().split("\n").at(-1)];
    expect(procs).toContain("1");
    expect(procs).toContain(self);
    expect(cli.ok(["container", "exec", id, "cat", "/proc/self/cgroup"])).toContain("0::/\n");
    expect(cli.ok(["container", "top", id])).toContain("sleep 60");

    cli.ok(["container", "stop", "-t", "1", id]);
    const [state] = JSON.parse(cli.ok(["container", "inspect", id])) as {
      State: { Status: string; ExitCode: number; OOMKilled: boolean };
    }[];
    expect(state?.State).toMatchObject({ Status: "exited", ExitCode: 137, OOMKilled: false });
    expect(existsSync(`/proc/${pid}`)).toBe(false);

    cli.ok(["container", "rm", id]);
    expect(existsSync(containerDir(id))).toBe(false);
  });

  it("rm -f kills every process in the cgroup, the exec'd ones too", () => {
    const id = cli.ok(["container", "run", "-d", "busybox", "sleep", "60"]).trim();
    cli.ok(["container", "exec", "-d", id, "sleep", "61"]);
    const pids = readFileSync(join(containerDir(id), "cgroup.procs"), "utf8")
      .trim()
      .split("\n");
    expect(pids).toHaveLength(2);
    cli.ok(["container", "rm", "-f", id]);
    expect(existsSync(containerDir(id))).toBe(false);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it("refuses a limit whose controller the tree lacks, with a hint, and leaves nothing behind", () => {
    expect(readFileSync(join(V2_ROOT, "cgroup.controllers"), "utf8")).not.toMatch(/\bmemory\b/);
    const result = cli.run(["container", "run", "--rm", "-m", "64m", "busybox", "true"]);
    expect(result.status).toBe(125);
    expect(result.stderr).toMatch(/error: cannot set a memory limit: no memory controller in /);
    expect(result.stderr).toMatch(/hint: enable the memory controller/);
    expect(cli.ok(["container", "ls", "-aq"])).toBe("");
    expect(
      readdirSync(join(V2_ROOT, parent), { withFileTypes: true }).filter((e) => e.isDirectory()),
    ).toEqual([]);
  });
});
