import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, useBusyboxCli } from "./container-helpers.js";

// A foreground `container run` attached to the container's monitor: stdin with -i, a pty with -t (driven
// here through util-linux `script`, which gives the CLI a real terminal), exit codes. Through the built
// binary, as root on the real kernel.
const cli = useBusyboxCli("attach");

// Registered after useBusyboxCli's, so it runs before that one's cleanup: --rm has left nothing.
afterEach(() => {
  expect(cli().ok(["container", "ls", "-aq"])).toBe("");
});

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `shell` (where `tscompose` is the CLI) on a fresh pty of 30 rows x 100 columns, `input` typed
 * `delayMs` after the start; resolves with what the terminal showed and the exit code.
 */
function onTerminal(shell: string, input = "", delayMs = 1500) {
  const script = `stty rows 30 cols 100; tscompose() { ${quote(CLI)} "$@"; }; ${shell}`;
  const child = spawn("script", ["-qfec", script, "/dev/null"], { env: cli().env });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  // `script` copies its stdin to the pty, and stops at its EOF: it stays open until the command is done.
  const typing = setTimeout(() => child.stdin.write(input), delayMs);
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise<{ status: number | null; output: string }>((resolve) => {
    child.on("close", (status) => {
      clearTimeout(typing);
      clearTimeout(killer);
      resolve({ status, output });
    });
  });
}

describe("container run: stdin with -i", () => {
  it("gives the container our stdin and returns its exit code", () => {
    const result = cli().run(
      ["container", "run", "-i", "--rm", "busybox", "sh", "-c", 'read x; echo "got $x"; exit 4'],
      { input: "hello\n" },
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("got hello\n");
    expect(result.status).toBe(4);
  });

  it("carries a megabyte through and closes the container's stdin at our EOF", () => {
    const input = "0123456789abcdef".repeat(65_536);
    const result = cli().run(["container", "run", "-i", "--rm", "busybox", "sh", "-c", "wc -c; echo done"], {
      input,
    });
    expect(result.stdout.split(/\s+/).filter(Boolean)).toEqual([String(input.length), "done"]);
    expect(result.status).toBe(0);
  });

  it("leaves the container's stdin empty without -i", () => {
    const result = cli().run(["container", "run", "--rm", "busybox", "cat"], { input: "not for you\n" });
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });

  it("shows every line of output written the moment the command starts, stdout and stderr apart", () => {
    const result = cli().run([
      "container",
      "run",
      "--rm",
      "busybox",
      "sh",
      "-c",
      "seq 1 3000; echo oops >&2; exit 9",
    ]);
    expect(result.stdout).toBe(Array.from({ length: 3000 }, (_, i) => `${i + 1}\n`).join(""));
    expect(result.stderr).toBe("oops\n");
    expect(result.status).toBe(9);
  });

  it("refuses -it when stdin is not a terminal, as docker does (exit 1, nothing created)", () => {
    const result = cli().run(["container", "run", "-it", "--rm", "busybox", "true"], { input: "" });
    expect(result.stderr).toContain("error: the input device is not a TTY");
    expect(result.status).toBe(1);
  });
});

describe("container run -it: a pty", () => {
  it("starts the command on a pty of our terminal's size and returns its exit code", async () => {
    const { status, output } = await onTerminal(
      "tscompose container run -it --rm busybox sh -c 'stty size; tty; exit 5'",
    );
    expect(output).toMatch(/30 100\r+\n\/dev\/pts\/\d+\r+\n/);
    expect(status).toBe(5);
  });

  it("puts our terminal in raw mode: Ctrl-C reaches the container as a byte", async () => {
    const { status, output } = await onTerminal(
      "tscompose container run -it --rm busybox sh -c 'stty raw -echo; dd bs=1 count=1 2>/dev/null | od -An -c'",
      "\x03",
    );
    expect(output).toMatch(/ 003/);
    expect(status).toBe(0);
  });

  it("shows the container's output unchanged, as docker's raw terminal does (no second carriage return)", async () => {
    const { status, output } = await onTerminal(
      "tscompose container run -it --rm busybox echo hi; echo after",
    );
    expect(output).toContain("hi\r\n");
    expect(output).not.toContain("\r\r\n");
    // Leaving raw mode gave the terminal its output processing back: the shell's "after\n" shows as "\r\n".
    expect(output).toMatch(/after\r\n$/);
    expect(status).toBe(0);
  });

  it("passes a resize of our terminal on to the container's pty", async () => {
    const { status, output } = await onTerminal(
      "(sleep 1.5; stty rows 40 cols 120 </dev/tty) & " +
        "tscompose container run -it --rm busybox sh -c " +
        "'trap \"stty size; exit 7\" WINCH; stty size; for i in $(seq 100); do sleep 0.1; done'",
    );
    expect(output).toMatch(/30 100\r+\n40 120\r+\n/);
    expect(status).toBe(7);
  });
});

describe("container run -it: detach keys", () => {
  it("ctrl-p ctrl-q detaches: the CLI exits 0 and the container goes on", async () => {
    const { status } = await onTerminal(
      "tscompose container run -it --name stays busybox sh -c 'echo up; sleep 30'",
      "\x10\x11",
    );
    expect(status).toBe(0);
    const [inspected] = JSON.parse(cli().ok(["container", "inspect", "stays"])) as {
      State: { Running: boolean };
    }[];
    expect(inspected?.State.Running).toBe(true);
    cli().ok(["container", "rm", "-f", "stays"]);
  });

  it("--detach-keys sets other keys, and a begun sequence that does not go on reaches the container", async () => {
    const { status, output } = await onTerminal(
      "tscompose container run -it --rm --detach-keys ctrl-x,y busybox sh -c " +
        "'stty raw -echo; dd bs=1 count=2 2>/dev/null | od -An -c'",
      "\x18a",
    );
    expect(output).toMatch(/030\s+a/);
    expect(status).toBe(0);
  });

  it("refuses keys that are not keys before it creates anything (docker's 125)", () => {
    const result = cli().run(["container", "run", "--detach-keys", "ctrl-1", "busybox", "true"]);
    expect(result.stderr).toContain('error: invalid --detach-keys "ctrl-1"');
    expect(result.status).toBe(125);
  });
});

describe("container exec -it: detach keys", () => {
  it("ctrl-p ctrl-q detaches the CLI (exit 0); the command goes on, its helper still its parent", async () => {
    const id = cli().ok(["container", "run", "-d", "busybox", "sleep", "60"]).trim();
    const { status, output } = await onTerminal(
      `tscompose container exec -it ${id} sh -c 'echo up; sleep 30'`,
      "\x10\x11",
    );
    expect(output).toContain("up");
    expect(status).toBe(0);
    expect(cli().ok(["container", "top", id])).toContain("sleep 30");
    cli().ok(["container", "rm", "-f", id]);
  });

  it("--detach-keys sets other keys, and a begun sequence that does not go on reaches the command", async () => {
    const id = cli().ok(["container", "run", "-d", "busybox", "sleep", "60"]).trim();
    const { status, output } = await onTerminal(
      `tscompose container exec -it --detach-keys ctrl-x,y ${id} sh -c ` +
        "'stty raw -echo; dd bs=1 count=2 2>/dev/null | od -An -c'",
      "\x18a",
    );
    expect(output).toMatch(/030\s+a/);
    expect(status).toBe(0);
    cli().ok(["container", "rm", "-f", id]);
  });
});
