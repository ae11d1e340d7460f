import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helperBinary } from "../../src/common/package-paths.js";
import { attachContainer } from "../../src/runtime/helper.js";
import { buildSpec, encodeSpec } from "../../src/runtime/spec.js";
import { alive, HelperFixture, type LogRecord } from "./helper-fixture.js";

// The monitor: logs, exit status, signals, the init, the attach socket, detaching from the caller.

let fx: HelperFixture;

beforeAll(() => {
  fx = new HelperFixture();
});

afterAll(async () => {
  expect(fx.leftoverMounts()).toEqual([]);
  await fx.cleanup();
});

function stream(records: LogRecord[], name: "stdout" | "stderr"): string[] {
  return records.filter((r) => r.stream === name).map((r) => r.log);
}

function status(pid: number): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, "utf8").split("\n")) {
    const [key, value] = line.split(":\t");
    if (key && value !== undefined) fields[key] = value.trim();
  }
  return fields;
}

describe("log file", () => {
  it("writes one docker json-file record per line, a partial last line without its newline", async () => {
    const c = await fx.run({ args: ["sh", "-c", "printf 'one\\ntwo'; printf 'err\\n' >&2"] });
    await c.waitExit();
    const records = c.logs();
    expect(stream(records, "stdout")).toEqual(["one\n", "two"]);
    expect(stream(records, "stderr")).toEqual(["err\n"]);
    for (const record of records) {
      expect(Object.keys(record)).toEqual(["log", "stream", "time"]);
      expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    }
  });

  it("splits a line longer than 16 KiB into partial records", async () => {
    const c = await fx.run({ args: ["sh", "-c", "head -c 20000 /dev/zero | tr '\\0' a; echo"] });
    await c.waitExit();
    expect(stream(c.logs(), "stdout").map((l) => l.length)).toEqual([16384, 3617]);
  });

  it("escapes like Go's encoding/json: controls, HTML characters, invalid UTF-8", async () => {
    const c = await fx.run({ args: ["sh", "-c", "printf '\\001\"\\\\<&>\\303\\251\\377\\n'"] });
    await c.waitExit();
    const raw = readFileSync(c.spec.monitor.logPath, "utf8");
    expect(raw).toContain('"log":"\\u0001\\"\\\\\\u003c\\u0026\\u003eé\\ufffd\\n"');
  });

  it("rotates at the size cap, keeping max-file files", async () => {
    const c = await fx.run({
      args: ["sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done"],
      logMaxBytes: 2000,
      logMaxFiles: 3,
    });
    await c.waitExit();
    const path = c.spec.monitor.logPath;
    expect([path, `${path}.1`, `${path}.2`].map((p) => existsSync(p))).toEqual([true, true, true]);
    expect(existsSync(`${path}.3`)).toBe(false);
    const lines = [`${path}.2`, `${path}.1`, path].flatMap((p) =>
      readFileSync(p, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => (JSON.parse(l) as LogRecord).log),
    );
    for (const p of [path, `${path}.1`, `${path}.2`]) expect(statSync(p).size).toBeLessThanOrEqual(2000);
    expect(lines.at(-1)).toBe("line 199\n");
    // The kept lines are the newest, in order, with no gap.
    const first = Number(/\d+/.exec(lines[0] ?? "")?.[0]);
    expect(lines).toEqual(lines.map((_, i) => `line ${first + i}\n`));
  });
});

describe("exit status", () => {
  it("records the exit code", async () => {
    const { exit } = await fx.script("exit 3");
    expect(exit).toEqual({ exitCode: 3, finishedAt: expect.stringMatching(/Z$/) as unknown });
  });

  it("records a signal as 128 + n with its name", async () => {
    const c = await fx.run({ args: ["sleep", "60"] });
    process.kill(c.started.pid, "SIGKILL");
    const exit = await c.waitExit();
    expect(exit).toMatchObject({ exitCode: 137, signal: 9, signalName: "SIGKILL" });
  });

  it("forwards a stop signal the monitor receives to PID 1", async () => {
    const c = await fx.run({ args: ["sh", "-c", "trap 'exit 5' TERM; while :; do sleep 0.05; done"] });
    await sleep(200);
    process.kill(c.started.monitorPid, "SIGTERM");
    expect((await c.waitExit()).exitCode).toBe(5);
  });
});

describe("detached monitor", () => {
  it("outlives the process that started it", async () => {
    const { input } = fx.input({ args: ["sleep", "60"] });
    const specFile = join(fx.base, "outlive.spec");
    writeFileSync(specFile, encodeSpec(buildSpec(input)));
    // The caller is a shell that exits as soon as the helper answers.
    const answer = execFileSync("sh", ["-c", `"$0" run < "$1"`, helperBinary(), specFile], {
      encoding: "utf8",
    });
    const [, pid, monitorPid] = /^started (\d+) (\d+)$/m.exec(answer)?.map(Number) ?? [];
    expect(pid && monitorPid).toBeTruthy();
    await sleep(100);
    expect(alive(pid ?? 0)).toBe(true);
    expect(alive(monitorPid ?? 0)).toBe(true);
    const stat = readFileSync(`/proc/${monitorPid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // Parent gone (reparented), its own session.
    expect(Number(stat[1])).not.toBe(process.pid);
    expect(Number(stat[3])).not.toBe(
      Number(readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ")[3]),
    );
    process.kill(pid ?? 0, "SIGKILL");
    for (let i = 0; i < 100 && alive(monitorPid ?? 0); i++) await sleep(20);
    expect(alive(monitorPid ?? 0)).toBe(false);
  });

  it("stays under 1 MiB of RSS while it watches a container", async () => {
    const c = await fx.run({
      args: ["sh", "-c", "i=0; while [ $i -lt 50 ]; do echo tick $i; i=$((i+1)); done; sleep 60"],
    });
    await sleep(300);
    const rss = Number(/(\d+) kB/.exec(status(c.started.monitorPid).VmRSS ?? "")?.[1]);
    console.log(`monitor VmRSS: ${rss} kB`);
    expect(rss).toBeLessThan(1024);
    process.kill(c.started.pid, "SIGKILL");
    await c.waitExit();
  });
});

describe("init", () => {
  it("forwards SIGTERM to the command, which then exits at once", async () => {
    const c = await fx.run({ args: ["sleep", "60"], init: true });
    expect(readFileSync(`/proc/${c.started.pid}/comm`, "utf8").trim()).toBe("tscompose-helpe");
    await sleep(100);
    process.kill(c.started.pid, "SIGTERM");
    expect(await c.waitExit(3000)).toMatchObject({ exitCode: 143 });
  });

  it("without init, a bare sleep as PID 1 ignores SIGTERM (the kernel drops it)", async () => {
    const c = await fx.run({ args: ["sleep", "60"] });
    process.kill(c.started.pid, "SIGTERM");
    await sleep(300);
    expect(alive(c.started.pid)).toBe(true);
    process.kill(c.started.pid, "SIGKILL");
    await c.waitExit();
  });

  it("reaps orphaned zombies and passes the command's exit code on", async () => {
    const { exit, out } = await fx.script(
      "(sleep 0.1 &); sleep 0.5; grep -l '^State:.Z' /proc/[0-9]*/status; echo checked; exit 9",
      { init: true },
    );
    expect(out).toBe("checked\n");
    expect(exit.exitCode).toBe(9);
  });
});

describe("attach socket", () => {
  it.each([false, true])(
    "carries stdin in and output out, and the exit code at the end (init %s)",
    async (init) => {
      const c = await fx.run({
        init,
        args: ["sh", "-c", "cat; echo done >&2; exit 4"],
        openStdin: true,
        waitAttachSeconds: 10,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const attachment = await attachContainer(c.spec.monitor.attachSocket ?? "", {
        stdout: (d) => out.push(d),
        stderr: (d) => err.push(d),
      });
      attachment.write("hello\n");
      attachment.closeStdin();
      expect(await attachment.exit).toBe(4);
      expect(Buffer.concat(out).toString()).toBe("hello\n");
      expect(Buffer.concat(err).toString()).toBe("done\n");
      expect((await c.waitExit()).exitCode).toBe(4);
    },
  );

  it("gives a pty with the window size a client sets", async () => {
    const c = await fx.run({
      args: ["sh", "-c", "read x; stty size; tty"],
      tty: true,
      openStdin: true,
      waitAttachSeconds: 10,
    });
    const out: Buffer[] = [];
    const attachment = await attachContainer(c.spec.monitor.attachSocket ?? "", {
      stdout: (d) => out.push(d),
    });
    attachment.resize(30, 100);
    attachment.write("go\n");
    expect(await attachment.exit).toBe(0);
    expect(Buffer.concat(out).toString()).toMatch(/30 100\r\n\/dev\/pts\/\d+\r\n/);
  });

  it("tells an attached client why the command could not be exec'd, as an error line, and exits 126", async () => {
    // One argument over the kernel's 128 KiB limit for a single string: the lookup finds `true`, execve fails.
    const c = await fx.run({ args: ["true", "x".repeat(200_000)], waitAttachSeconds: 10 });
    const err: Buffer[] = [];
    const attachment = await attachContainer(c.spec.monitor.attachSocket ?? "", {
      stderr: (d) => err.push(d),
    });
    expect(await attachment.exit).toBe(126);
    expect(Buffer.concat(err).toString()).toMatch(/^error: exec `\/bin\/true`: Argument list too long\n$/);
    await c.waitExit();
  });

  it("works with a socket path longer than sun_path", async () => {
    const deep = join(fx.base, "d".repeat(60), "e".repeat(60));
    mkdirSync(deep, { recursive: true });
    const socket = join(deep, "attach.sock");
    const c = await fx.run({
      args: ["sh", "-c", "echo via-long-path"],
      attachSocket: socket,
      waitAttachSeconds: 10,
    });
    const out: Buffer[] = [];
    const attachment = await attachContainer(socket, { stdout: (d) => out.push(d) });
    expect(await attachment.exit).toBe(0);
    expect(Buffer.concat(out).toString()).toBe("via-long-path\n");
    await c.waitExit();
    expect(existsSync(socket)).toBe(false);
  });
});
