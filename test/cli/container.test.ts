import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { cgroupFile, cgroupsUnder, mountsUnder, useBusyboxCli } from "./container-helpers.js";

// End to end through the built binary (`npm run build` first), as root on the real kernel.
const cli = useBusyboxCli("cli");

type Inspect = {
  Id: string;
  State: { Status: string; Running: boolean; Pid: number; ExitCode: number; OOMKilled: boolean };
  GraphDriver: { Data: { LowerDir: string; UpperDir: string } };
  Config: { Hostname: string };
};

function inspect(ref: string): Inspect {
  return (JSON.parse(cli().ok(["container", "inspect", ref])) as Inspect[])[0] as Inspect;
}

function runIn(...command: string[]) {
  return cli().run(["container", "run", "--rm", ...command]);
}

describe("container run: what the container sees", () => {
  it.each<[string, string[], string]>([
    ["runs echo", ["busybox", "echo", "hello"], "hello\n"],
    ["is PID 1", ["busybox", "sh", "-c", "echo $$"], "1\n"],
    ["has its own hostname", ["--hostname", "box", "busybox", "hostname"], "box\n"],
    ["has only lo with --network none", ["--network", "none", "busybox", "ls", "/sys/class/net"], "lo\n"],
    [
      "cannot see the host's root",
      ["busybox", "sh", "-c", "test -e /work/main/package.json && echo host || echo own"],
      "own\n",
    ],
    [
      "has docker's default capabilities",
      ["busybox", "sh", "-c", "grep CapEff /proc/self/status"],
      "CapEff:\t00000000a80425fb\n",
    ],
    [
      "has NoNewPrivs 0 by default",
      ["busybox", "sh", "-c", "grep NoNewPrivs /proc/self/status"],
      "NoNewPrivs:\t0\n",
    ],
    [
      "has NoNewPrivs 1 with --security-opt no-new-privileges",
      ["--security-opt", "no-new-privileges", "busybox", "sh", "-c", "grep NoNewPrivs /proc/self/status"],
      "NoNewPrivs:\t1\n",
    ],
    // This kernel has no /proc/kcore; where it exists it must read as empty (masked by /dev/null).
    [
      "sees /proc/kcore masked",
      ["busybox", "sh", "-c", "if [ -e /proc/kcore ]; then wc -c < /proc/kcore; else echo 0; fi"],
      "0\n",
    ],
    ["sees /proc/keys masked", ["busybox", "sh", "-c", "wc -c < /proc/keys"], "0\n"],
    ["runs as the image's user with -u", ["-u", "app", "busybox", "id", "-u"], "1000\n"],
    ["gets -e and -w", ["-e", "X=42", "-w", "/tmp", "busybox", "sh", "-c", 'echo "$X $(pwd)"'], "42 /tmp\n"],
  ])("%s", (_name, args, expected) => {
    const result = runIn(...args);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(expected);
    expect(result.status).toBe(0);
  });

  it.each<[string, string]>([
    ["/proc/sys is read-only", "echo 1 > /proc/sys/kernel/ns_last_pid"],
    ["mount is refused", "mount -t tmpfs none /mnt"],
    ["/sys writes are refused", "echo x > /sys/kernel/uevent_helper"],
    ["sethostname is refused", "hostname other"],
  ])("%s", (_name, script) => {
    const result = runIn("busybox", "sh", "-c", `${script} && echo allowed || echo refused`);
    expect(result.stdout).toBe("refused\n");
  });
});

describe("container run: exit codes as docker", () => {
  it.each<[string, string[], number]>([
    ["the container's own code", ["busybox", "sh", "-c", "exit 3"], 3],
    // PID 1 of a pid namespace ignores signals sent from inside it (docker too), so the shell runs under --init.
    ["killed by a signal is 128+n", ["--init", "busybox", "sh", "-c", "kill -KILL $$"], 137],
    ["a missing command is 127", ["busybox", "/no/such/binary"], 127],
    ["a non-executable command is 126", ["busybox", "/etc/passwd"], 126],
    ["a missing image is 125", ["no-such-image:latest", "true"], 125],
    ["an unknown user is 125", ["-u", "ghost", "busybox", "true"], 125],
  ])("%s", (_name, args, code) => {
    expect(runIn(...args).status).toBe(code);
  });
});

describe("container lifecycle", () => {
  it("run -d returns at once and the container keeps running after the CLI exits", () => {
    const started = Date.now();
    const id = cli().ok(["container", "run", "-d", "busybox", "sleep", "30"]).trim();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const state = inspect(id).State;
    expect(state).toMatchObject({ Status: "running", Running: true });
    expect(readFileSync(`/proc/${state.Pid}/cmdline`, "utf8")).toBe("sleep\x0030\x00");
    expect(cli().ok(["container", "ls", "-q"]).trim()).toBe(id.slice(0, 12));
    expect(cli().ok(["container", "top", id])).toContain("sleep 30");
  });

  it("run -d --rm removes the container once it exits, after the CLI is gone", async () => {
    const id = cli().ok(["container", "run", "-d", "--rm", "busybox", "sleep", "1"]).trim();
    expect(cli().ok(["container", "ls", "-q"]).trim()).toBe(id.slice(0, 12));
    let left = id;
    for (let i = 0; i < 100 && left !== ""; i++) {
      await sleep(100);
      left = cli().ok(["container", "ls", "-aq"]).trim();
    }
    expect(left).toBe("");
  });

  it("logs -f follows the output until the container exits", async () => {
    const id = cli()
      .ok([
        "container",
        "run",
        "-d",
        "busybox",
        "sh",
        "-c",
        "for i in 1 2 3; do echo line$i; sleep 0.3; done",
      ])
      .trim();
    const result = cli().run(["container", "logs", "-f", id]);
    expect(result.stdout).toBe("line1\nline2\nline3\n");
    expect(cli().ok(["container", "logs", "--tail", "1", id])).toBe("line3\n");
    expect(cli().ok(["container", "wait", id])).toBe("0\n");
  });

  it("stop ends a sleep PID 1 only after the grace period, with SIGKILL", () => {
    const id = cli().ok(["container", "run", "-d", "busybox", "sleep", "30"]).trim();
    const started = Date.now();
    cli().ok(["container", "stop", "-t", "1", id]);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(6000);
    expect(inspect(id).State).toMatchObject({ Status: "exited", ExitCode: 137 });
  });

  it("stop ends an --init container at once with the stop signal", () => {
    const id = cli().ok(["container", "run", "-d", "--init", "busybox", "sleep", "30"]).trim();
    const started = Date.now();
    cli().ok(["container", "stop", "-t", "10", id]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(inspect(id).State).toMatchObject({ Status: "exited", ExitCode: 143 });
  });

  it("kill -s and the exit code of a killed container", () => {
    // Under --init: a bare PID 1 without a USR1 handler never receives USR1 (the kernel drops it, as in docker).
    const id = cli().ok(["container", "run", "-d", "--init", "busybox", "sleep", "30"]).trim();
    cli().ok(["container", "kill", id]);
    expect(cli().ok(["container", "wait", id])).toBe("137\n");
    cli().ok(["container", "start", id]);
    expect(inspect(id).State.Running).toBe(true);
    cli().ok(["container", "kill", "-s", "USR1", id]);
    expect(cli().ok(["container", "wait", id])).toBe("138\n");
  });

  it("rm leaves no mount, cgroup or process behind; rm of a running container needs -f", () => {
    const id = cli().ok(["container", "run", "-d", "--name", "victim", "busybox", "sleep", "30"]).trim();
    const pid = inspect(id).State.Pid;
    expect(cgroupsUnder(cli().cgroupParent).length).toBeGreaterThan(0);
    const refused = cli().run(["container", "rm", "victim"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("container rm -f");
    cli().ok(["container", "rm", "-f", "victim"]);
    expect(() => readFileSync(`/proc/${pid}/stat`)).toThrow();
    expect(cgroupsUnder(cli().cgroupParent)).toEqual([]);
    expect(mountsUnder(cli().root)).toEqual([]);
    expect(cli().ok(["container", "ls", "-aq"])).toBe("");
  });

  it("names are unique and --rm removes the container after it exits", () => {
    cli().ok(["container", "run", "-d", "--name", "one", "busybox", "sleep", "30"]);
    const clash = cli().run(["container", "run", "--name", "one", "busybox", "true"]);
    expect(clash.status).toBe(125);
    expect(clash.stderr).toContain("already in use");
    cli().ok(["container", "run", "--rm", "--name", "gone", "busybox", "true"]);
    expect(cli().run(["container", "inspect", "gone"]).status).toBe(1);
  });
});

describe("two containers from one image", () => {
  it("share the lower layers and don't see each other's writes", () => {
    const a = cli().ok(["container", "run", "-d", "busybox", "sh", "-c", "echo a > /mine; sleep 30"]).trim();
    const b = cli().ok(["container", "run", "-d", "busybox", "sleep", "30"]).trim();
    const [ia, ib] = [inspect(a), inspect(b)];
    expect(ia.GraphDriver.Data.LowerDir).toBe(ib.GraphDriver.Data.LowerDir);
    expect(ia.GraphDriver.Data.UpperDir).not.toBe(ib.GraphDriver.Data.UpperDir);
    expect(cli().run(["container", "exec", b, "cat", "/mine"]).status).not.toBe(0);
    expect(cli().ok(["container", "exec", a, "cat", "/mine"])).toBe("a\n");
  });
});

describe("resource limits", () => {
  it("--memory kills a process that exceeds it and inspect shows OOMKilled", () => {
    const id = cli().ok(["container", "run", "-d", "--memory", "32m", "busybox", "tail", "/dev/zero"]).trim();
    expect(cli().ok(["container", "wait", id])).toBe("137\n");
    expect(inspect(id).State.OOMKilled).toBe(true);
  });

  it("--pids-limit stops a fork bomb", () => {
    const script = "for i in $(seq 1 100); do sleep 10 & done 2>/dev/null; echo done";
    const result = runIn("--pids-limit", "20", "busybox", "sh", "-c", script);
    // The shell cannot fork past the limit: it fails before its loop finishes.
    expect(result.stdout).not.toContain("done");
    expect(result.status).not.toBe(0);
  });

  it("--cpus throttles a busy loop (cpu.stat nr_throttled)", async () => {
    const id = cli()
      .ok(["container", "run", "-d", "--cpus", "0.1", "busybox", "sh", "-c", "while :; do :; done"])
      .trim();
    let throttled = 0;
    for (let i = 0; i < 50 && throttled === 0; i++) {
      await sleep(100);
      throttled = Number(
        /nr_throttled (\d+)/.exec(cgroupFile(cli().cgroupParent, "cpu", id, "cpu.stat"))?.[1] ?? 0,
      );
    }
    expect(throttled).toBeGreaterThan(0);
    expect(cgroupFile(cli().cgroupParent, "cpu", id, "cpu.cfs_quota_us").trim()).toBe("10000");
  });
});
