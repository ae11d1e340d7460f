import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statfsSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, busyboxTarball, useBusyboxCli } from "./container-helpers.js";

// What a differential run against docker found different, each now as docker does it (or refused with
// docker's exit code and a clearer message). Through the built binary, as root on the real kernel.
const cli = useBusyboxCli("parity");
const host = mkdtempSync(join(tmpdir(), "tsc-parity-host-"));
afterAll(() => rmSync(host, { recursive: true, force: true }));

type Inspect = { State: { Status: string; ExitCode: number; Error: string }; RestartCount: number };
const inspect = (ref: string) => (JSON.parse(cli().ok(["container", "inspect", ref])) as Inspect[])[0];
const run = (...args: string[]) => cli().run(["container", "run", "--rm", ...args]);

describe("refused at create, with docker's 125 and nothing left behind", () => {
  it.each<[string, string[], RegExp]>([
    [
      "a missing --env-file (not taken by Node as its own)",
      ["--env-file", "/nonexistent.env"],
      /cannot read --env-file/,
    ],
    ["a bind onto /proc", ["-v", `${host}:/proc`], /\/proc cannot be mounted/],
    ["a tmpfs on /proc", ["--tmpfs", "/proc"], /\/proc cannot be mounted/],
    ["a bind onto /", ["-v", `${host}:/`], /destination can't be '\/'/],
    [
      "a relative working directory",
      ["-w", "rel"],
      /the working directory "rel" is invalid: it needs to be an absolute path/,
    ],
    ["two mounts on one path", ["-v", `${host}:/data`, "--tmpfs", "/data"], /duplicate mount point: \/data/],
    ["a memory limit no process starts in", ["--memory", "1k"], /minimum memory limit allowed is 6MB/],
    ["memory-swap below memory", ["--memory", "20m", "--memory-swap", "10m"], /at least the memory limit/],
    ["more CPUs than the machine has", ["--cpus", "1000"], /--cpus 1000: the range is 0.01 to/],
    ["an environment entry without a name", ["-e", "=x"], /invalid environment variable: "=x"/],
    [
      "a memory size beyond 64 bits",
      ["--memory", "99999999999999999999"],
      /--memory 99999999999999999999 is too large/,
    ],
    ["a name too long to reserve", ["--name", "n".repeat(300)], /the container name is 300 characters long/],
  ])("%s", (_name, flags, message) => {
    const result = run(...flags, "busybox", "true");
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.status).toBe(125);
    expect(cli().ok(["container", "ls", "-aq"])).toBe("");
  });
});

describe("starting", () => {
  it("creates a missing -v host directory, as docker's -v does", () => {
    const source = join(host, "made", "here");
    const result = run("-v", `${source}:/data`, "busybox", "sh", "-c", "echo hi > /data/f");
    expect(result.status).toBe(0);
    expect(readFileSync(join(source, "f"), "utf8")).toBe("hi\n");
  });

  it("keeps a failed start's exit code and message in inspect", () => {
    const result = cli().run(["container", "run", "--name", "failed", "busybox", "no-such-command"]);
    expect(result.status).toBe(127);
    const state = inspect("failed")?.State;
    expect(state?.Status).toBe("created");
    expect(state?.ExitCode).toBe(127);
    expect(state?.Error).toMatch(/executable file not found/);
    cli().ok(["container", "rm", "failed"]);
  });

  it("--memory 0 is no limit, as docker's", () => {
    expect(run("--memory", "0", "busybox", "true").status).toBe(0);
  });

  it("stop -t -1 waits for as long as the stop signal takes", () => {
    const script = 'trap "sleep 1; exit 3" TERM; while true; do sleep 0.1; done';
    cli().ok(["container", "run", "-d", "--name", "patient", "busybox", "sh", "-c", script]);
    cli().ok(["container", "stop", "-t", "-1", "patient"]);
    expect(inspect("patient")?.State.ExitCode).toBe(3);
    cli().ok(["container", "rm", "patient"]);
  });

  it("a restart by the user leaves RestartCount at 0 (docker counts restart policies only)", () => {
    cli().ok(["container", "run", "-d", "--name", "again", "busybox", "sleep", "30"]);
    cli().ok(["container", "restart", "-t", "0", "again"]);
    expect(inspect("again")?.RestartCount).toBe(0);
    cli().ok(["container", "rm", "-f", "again"]);
  });
});

describe("--rm, when nobody is attached at the end", () => {
  /** inspect's exit code once the container is gone (1), or while it is still there after 5 s (0). */
  const waitGone = async (name: string) => {
    for (let i = 0; i < 100 && cli().run(["container", "inspect", name]).status === 0; i++) await sleep(50);
    return cli().run(["container", "inspect", name]).status;
  };

  it("a restart keeps the container, and its end afterwards removes it", async () => {
    cli().ok(["container", "run", "-d", "--rm", "--name", "again", "busybox", "sleep", "1"]);
    cli().ok(["container", "restart", "-t", "0", "again"]);
    await sleep(300);
    expect(inspect("again")?.State.Status).toBe("running");
    expect(await waitGone("again")).toBe(1);
  });

  it("a foreground run whose CLI was killed is removed when the container ends", async () => {
    const child = cli().start(["container", "run", "--rm", "--name", "orphaned", "busybox", "sleep", "1"]);
    await sleep(500);
    child.kill("SIGKILL");
    expect(await waitGone("orphaned")).toBe(1);
  });

  it("a foreground run --rm leaves a container that is restarted under it alone", async () => {
    const child = cli().start(["container", "run", "--rm", "--name", "fore", "busybox", "sleep", "20"]);
    const status = () => cli().run(["container", "inspect", "-f", "{{.State.Status}}", "fore"]).stdout.trim();
    for (let i = 0; i < 100 && status() !== "running"; i++) await sleep(50);
    expect(cli().run(["container", "restart", "-t", "1", "fore"]).status).toBe(0);
    await new Promise((resolve) => child.once("close", resolve));
    expect(inspect("fore")?.State.Status).toBe("running");
    cli().ok(["container", "rm", "-f", "fore"]);
  });

  it("a reader that goes away (| head) neither crashes the CLI nor keeps the container", async () => {
    const pipeline = `${CLI} container run --rm --name piped busybox seq 1 100000 | head -3`;
    const result = spawnSync("sh", ["-c", pipeline], { env: cli().env, encoding: "utf8", timeout: 30_000 });
    expect(result.stdout).toBe("1\n2\n3\n");
    expect(result.stderr).toBe("");
    expect(await waitGone("piped")).toBe(1);
  });

  it("run -d --rm leaves no process of ours waiting beside the container", () => {
    const id = cli().ok(["container", "run", "-d", "--rm", "busybox", "sleep", "30"]).trim();
    const waiting = readdirSync("/proc")
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(id);
        } catch {
          return false;
        }
      });
    expect(waiting).toEqual([]);
    cli().ok(["container", "rm", "-f", id]);
  });
});

describe("leftovers of killed removals", () => {
  it("a container directory without its record is swept once it has been still for a minute", () => {
    const stale = join(cli().root, "containers", "a".repeat(64));
    const fresh = join(cli().root, "containers", "b".repeat(64));
    for (const dir of [stale, fresh]) mkdirSync(join(dir, "rootfs"), { recursive: true });
    const old = new Date(Date.now() - 120_000);
    utimesSync(stale, old, old);
    expect(cli().ok(["container", "ls", "-aq"])).toBe("");
    expect([existsSync(stale), existsSync(fresh)]).toEqual([false, true]);
    rmSync(fresh, { recursive: true });
  });
});

/**
 * Runs `body` with TSCOMPOSE_ROOT on a tmpfs of 8 MiB (the busybox image imported there), then removes
 * what it left and unmounts.
 */
function onSmallDisk(name: string, body: (disk: string) => void): void {
  const disk = join(host, name);
  mkdirSync(disk);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", `tsc-parity-${name}`, disk]);
  const env = cli().env;
  const before = env.TSCOMPOSE_ROOT;
  try {
    env.TSCOMPOSE_ROOT = join(disk, "root");
    cli().ok(["image", "import", busyboxTarball(host), "busybox"]);
    body(disk);
  } finally {
    for (const id of cli().run(["container", "ls", "-aq"]).stdout.split("\n").filter(Boolean))
      cli().run(["container", "rm", "-f", id]);
    env.TSCOMPOSE_ROOT = before;
    execFileSync("umount", [disk]);
  }
}

describe("a full disk", () => {
  it("fails a create with a clear error, and leaves the name free for the next try", () => {
    onSmallDisk("small", (disk) => {
      const filler = join(disk, "filler");
      const free = statfsSync(disk).bavail * statfsSync(disk).bsize;
      try {
        writeFileSync(filler, Buffer.alloc(free));
      } catch {
        // Full before the last byte: as intended.
      }
      const failed = cli().run(["container", "run", "--rm", "--name", "wanted", "busybox", "true"]);
      expect(failed.status).toBe(125);
      expect(failed.stderr).toMatch(/error: cannot write the container's record: ENOSPC/);
      expect(failed.stderr).not.toMatch(/internal error/);
      rmSync(filler);
      expect(cli().run(["container", "run", "--rm", "--name", "wanted", "busybox", "true"]).status).toBe(0);
    });
  });

  it("that fills up while the container runs still keeps its exit code (its space was taken at the start)", () => {
    onSmallDisk("fills", (disk) => {
      // About 60 bytes of log a line: the log fills the disk long before the 3,000,000th.
      const script = "yes x | head -n 3000000 > /dev/stdout; exit 7";
      const id = cli().ok(["container", "run", "-d", "busybox", "sh", "-c", script]).trim();
      expect(cli().run(["container", "wait", id], { timeout: 60_000 }).stdout).toBe("7\n");
      expect(inspect(id)?.State.ExitCode).toBe(7);
      expect(statfsSync(disk).bavail).toBe(0);
      cli().ok(["container", "rm", id]);
    });
  });
});

describe("a monitor that dies", () => {
  it("takes its container along, which then reads as exited 255 with the reason", async () => {
    const id = cli().ok(["container", "run", "-d", "busybox", "sleep", "30"]).trim();
    const { monitorPid, pid } = JSON.parse(
      readFileSync(join(cli().root, "containers", id, "state.json"), "utf8"),
    ) as { monitorPid: number; pid: number };
    process.kill(monitorPid, "SIGKILL");
    const alive = () => {
      try {
        return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await sleep(20);
    expect(alive()).toBe(false);
    const state = inspect(id)?.State;
    expect(state?.Status).toBe("exited");
    expect(state?.ExitCode).toBe(255);
    expect(state?.Error).toMatch(/monitor ended without writing an exit status/);
    cli().ok(["container", "rm", id]);
  });
});

describe("what the container sees", () => {
  it("lists its primary group among its groups", () => {
    expect(run("busybox", "id").stdout).toBe("uid=0(root) gid=0(root) groups=0(root)\n");
    expect(run("-u", "app", "busybox", "id").stdout).toBe(
      "uid=1000(app) gid=1000(app) groups=10(wheel),1000(app)\n",
    );
    expect(run("-u", "0:4242", "busybox", "id", "-G").stdout).toBe("4242\n");
  });

  it("has the host's hostname with the host's network", () => {
    expect(run("--network", "host", "busybox", "hostname").stdout).toBe(`${hostname()}\n`);
  });

  it("--read-only makes /etc/hosts, /etc/hostname and /etc/resolv.conf read-only too", () => {
    const script =
      "for f in hosts hostname resolv.conf; do echo x >> /etc/$f && echo $f writable; done; true";
    const result = run("--read-only", "busybox", "sh", "-c", script);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/Read-only file system/);
  });

  it("an :ro bind is read-only all the way down, its submounts included", () => {
    const source = join(host, "ro");
    mkdirSync(join(source, "sub"), { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tsc-parity", join(source, "sub")]);
    try {
      writeFileSync(join(source, "sub", "f"), "orig");
      const result = run("-v", `${source}:/x:ro`, "busybox", "sh", "-c", "echo pwned > /x/sub/f");
      expect(result.stderr).toMatch(/Read-only file system/);
      expect(readFileSync(join(source, "sub", "f"), "utf8")).toBe("orig");
    } finally {
      execFileSync("umount", [join(source, "sub")]);
    }
  });
});

describe("commands on several containers", () => {
  it("act on each one, report the missing ones and exit 1", () => {
    cli().ok(["container", "run", "--name", "one", "busybox", "true"]);
    cli().ok(["container", "run", "--name", "two", "busybox", "true"]);
    const inspected = cli().run(["container", "inspect", "one", "nosuch"]);
    expect(inspected.status).toBe(1);
    expect((JSON.parse(inspected.stdout) as unknown[]).length).toBe(1);
    expect(inspected.stderr).toMatch(/no such container: nosuch/);
    const removed = cli().run(["container", "rm", "one", "nosuch", "two"]);
    expect(removed.stdout).toBe("one\ntwo\n");
    expect(removed.status).toBe(1);
    expect(cli().ok(["container", "ls", "-aq"])).toBe("");
  });

  it("inspect -f prints the template once per container", () => {
    cli().run(["container", "run", "--name", "three", "busybox", "sh", "-c", "exit 3"]);
    cli().ok(["container", "run", "--name", "zero", "busybox", "true"]);
    const result = cli().run([
      "container",
      "inspect",
      "-f",
      "{{.Name}} {{.State.ExitCode}}",
      "three",
      "zero",
    ]);
    expect(result.stdout).toBe("/three 3\n/zero 0\n");
    const refused = cli().run(["container", "inspect", "-f", "{{range .Mounts}}{{end}}", "three"]);
    expect(refused.stderr).toMatch(/unsupported template action \{\{range \.Mounts\}\}/);
    expect(refused.stdout).toBe("");
    cli().ok(["container", "rm", "three", "zero"]);
  });

  it("rm -f of a container that does not exist succeeds, as docker's", () => {
    expect(cli().run(["container", "rm", "-f", "nosuch"]).status).toBe(0);
  });
});

describe("container ls", () => {
  it("--filter as docker ps: alternatives of one key, all keys, stopped ones for status and exited", () => {
    cli().ok(["container", "run", "-d", "--name", "web-1", "-l", "tier=front", "busybox", "sleep", "30"]);
    cli().run(["container", "run", "--name", "job-1", "-l", "tier=back", "busybox", "sh", "-c", "exit 3"]);
    cli().ok(["container", "run", "--name", "job-2", "busybox", "true"]);
    const names = (...filters: string[]) =>
      cli()
        .ok(["container", "ls", "--format", "json", ...filters.flatMap((f) => ["--filter", f])])
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { Names: string }).Names)
        .sort();
    expect(names()).toEqual(["web-1"]);
    expect(names("status=exited")).toEqual(["job-1", "job-2"]);
    expect(names("exited=3")).toEqual(["job-1"]);
    expect(names("status=exited", "status=running")).toEqual(["job-1", "job-2", "web-1"]);
    expect(names("status=exited", "label=tier=back")).toEqual(["job-1"]);
    expect(names("label=tier")).toEqual(["web-1"]);
    expect(cli().ok(["container", "ls", "-a", "-f", "name=^job-", "-q"]).trim().split("\n")).toHaveLength(2);
    expect(
      cli().ok(["container", "ls", "-a", "-f", "ancestor=busybox:latest", "-q"]).trim().split("\n"),
    ).toHaveLength(3);
    const bad = cli().run(["container", "ls", "--filter", "colour=red"]);
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/invalid filter "colour=red"/)]);
    for (const name of ["web-1", "job-1", "job-2"]) cli().ok(["container", "rm", "-f", name]);
  });

  it("--no-trunc shows whole ids; --format json has docker ps's fields", () => {
    const id = cli().ok(["container", "run", "-d", "-l", "a=1", "busybox", "sleep", "30"]).trim();
    expect(cli().ok(["container", "ls", "-q", "--no-trunc"])).toBe(`${id}\n`);
    const line = JSON.parse(cli().ok(["container", "ls", "--format", "json"])) as Record<string, string>;
    expect(Object.keys(line).sort()).toEqual([
      "Command",
      "CreatedAt",
      "ID",
      "Image",
      "Labels",
      "LocalVolumes",
      "Mounts",
      "Names",
      "Networks",
      "Ports",
      "RunningFor",
      "Size",
      "State",
      "Status",
    ]);
    expect(line.CreatedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
    expect([line.Labels, line.Networks, line.RunningFor]).toEqual(["a=1", "none", "Less than a second ago"]);
    cli().ok(["container", "rm", "-f", id]);
  });
});

describe("logs", () => {
  it("reads a log of 200,000 lines, whole and with --tail, a chunk at a time", () => {
    cli().ok(["container", "run", "--name", "long", "busybox", "seq", "1", "200000"]);
    expect(cli().ok(["container", "logs", "--tail", "2", "long"])).toBe("199999\n200000\n");
    const all = cli().ok(["container", "logs", "long"]);
    expect(all.length).toBe(Array.from({ length: 200_000 }, (_, i) => `${i + 1}\n`).join("").length);
    expect(all.endsWith("199999\n200000\n")).toBe(true);
    cli().ok(["container", "rm", "long"]);
  });

  it("-f stops once its reader has gone", () => {
    const id = cli().ok(["container", "run", "-d", "busybox", "sh", "-c", "seq 1 50000; sleep 30"]).trim();
    const pipeline = `${CLI} container logs -f ${id} | head -2`;
    const result = spawnSync("sh", ["-c", pipeline], { env: cli().env, encoding: "utf8", timeout: 20_000 });
    expect([result.status, result.stdout, result.stderr]).toEqual([0, "1\n2\n", ""]);
    cli().ok(["container", "rm", "-f", id]);
  });

  it("-t prints nine fraction digits, so the times sort as text; a negative --tail is every line", () => {
    cli().ok(["container", "run", "--name", "talk", "busybox", "seq", "1", "50"]);
    const lines = cli().ok(["container", "logs", "-t", "talk"]).trim().split("\n");
    expect(lines).toHaveLength(50);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \d+$/);
    expect(cli().ok(["container", "logs", "--tail", "-1", "talk"]).trim().split("\n")).toHaveLength(50);
    cli().ok(["container", "rm", "talk"]);
  });
});
