import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { basename, dirname } from "node:path";
import type { Readable, Writable } from "node:stream";
import { helperBinary } from "../common/package-paths.js";
import { TscError } from "../errors.js";
import { encodeExecSpec, encodeSpec, type ContainerSpec, type ExecSpec } from "./spec.js";

/**
 * Drives the native helper (build/tscompose-helper): `run` starts a container under a detached monitor,
 * `exec` runs a process in a running one, and the monitor's attach socket carries stdin, output and pty
 * size. The helper answers with one status line: "started <pid> [<monitor pid>]" or
 * "error <setup|exec> <ERRNO> <message>"; docs/native-errors.md lists the messages.
 */

/** The command could not be run: docker's 127 when it is not there, 126 when it cannot be executed. */
export function execExitCode(error: unknown): number | undefined {
  if (!TscError.is(error) || error.code !== "E_RUNTIME_EXEC") return undefined;
  const cause = error.cause as { exitCode?: number } | undefined;
  return cause?.exitCode ?? 126;
}

const HINTS: Record<string, string> = {
  "exec:ENOENT": "check the command name and the image's PATH",
  "exec:EACCES": "the file is not executable by the container's user",
  "setup:EPERM": "a limit or privilege this host does not grant; see docs/native-errors.md",
  "setup:ENOENT": "a path the container needs is missing (image layer, bind source, working directory)",
};

/** Turns a helper status line into a TscError (E_RUNTIME_EXEC for the command, E_RUNTIME_HELPER else). */
export function helperError(line: string, stderr = ""): TscError {
  const match = /^error (setup|exec) (\S+) (.*)$/.exec(line.trim());
  if (!match) {
    const detail = (stderr.trim() || line.trim() || "no status").slice(0, 500);
    return new TscError("E_RUNTIME_HELPER", `the container helper failed: ${detail}`, {
      hint: "see docs/native-errors.md",
    });
  }
  const [, kind = "setup", errno = "", message = ""] = match;
  const cause = Object.assign(new Error(message), {
    code: errno,
    exitCode: kind === "exec" ? (errno === "ENOENT" ? 127 : 126) : undefined,
  });
  const hint = HINTS[`${kind}:${errno}`] ?? "see docs/native-errors.md";
  return new TscError(kind === "exec" ? "E_RUNTIME_EXEC" : "E_RUNTIME_HELPER", message, { hint, cause });
}

/** Resolves with the first status line the helper writes on `stream`, or rejects when it ends without one. */
function readStatusLine(child: ChildProcess, stream: Readable, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    const timer = setTimeout(() => {
      finish();
      reject(new TscError("E_RUNTIME_HELPER", `the container helper did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const newline = text.indexOf("\n");
      if (newline < 0) return;
      finish();
      resolve(text.slice(0, newline));
    };
    const onEnd = () => {
      finish();
      reject(helperError(text, stderr));
    };
    const finish = () => {
      clearTimeout(timer);
      stream.off("data", onData);
      stream.off("end", onEnd);
    };
    stream.on("data", onData);
    stream.on("end", onEnd);
    child.on("error", (error) => {
      finish();
      reject(
        new TscError("E_RUNTIME_HELPER", `cannot start the container helper: ${error.message}`, {
          cause: error,
        }),
      );
    });
  });
}

export interface Started {
  /** The container's PID 1 as the host sees it. */
  pid: number;
  /** The monitor: parent of PID 1, detached from us, alive until PID 1 has exited. */
  monitorPid: number;
}

/**
 * Starts a container: resolves once PID 1 is in its cgroups and its command has been exec'd (or, with
 * waitAttachSeconds, is waiting for the first attach client). Setup errors reject with a TscError.
 */
export async function runContainer(
  spec: ContainerSpec,
  options: { timeoutMs?: number } = {},
): Promise<Started> {
  const child = spawn(helperBinary(), ["run"], { stdio: ["pipe", "pipe", "pipe"] });
  child.stdin?.on("error", () => undefined);
  child.stdin?.end(encodeSpec(spec));
  try {
    const line = await readStatusLine(child, child.stdout as Readable, options.timeoutMs ?? 30_000);
    const match = /^started (\d+) (\d+)$/.exec(line);
    if (!match) throw helperError(line);
    return { pid: Number(match[1]), monitorPid: Number(match[2]) };
  } finally {
    // The monitor keeps these pipes until it drops the caller's stdio; we need nothing more from them.
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
}

export interface ExecOptions {
  /** "inherit": the caller's own stdin/stdout/stderr (the CLI's foreground exec); "pipe": captured. */
  stdio?: "inherit" | "pipe";
  /** Written to the process's stdin with "pipe". */
  input?: string | Buffer;
  timeoutMs?: number;
}

export interface ExecOutcome {
  /** The process's host pid. */
  pid: number;
  exitCode: number;
  /** The detach keys were typed: the helper stays with the process, which goes on. */
  detached?: boolean;
  /** Captured output with stdio "pipe", else empty. */
  stdout: string;
  stderr: string;
}

/**
 * Runs a process in a running container and waits for it (or, with spec.detach, only for its start).
 * A command that cannot be run rejects with E_RUNTIME_EXEC (execExitCode gives 126/127).
 */
export async function execInContainer(spec: ExecSpec, options: ExecOptions = {}): Promise<ExecOutcome> {
  const piped = options.stdio === "pipe";
  const child = spawn(helperBinary(), ["exec", "3", "4"], {
    stdio: [
      piped ? "pipe" : "inherit",
      piped ? "pipe" : "inherit",
      piped ? "pipe" : "inherit",
      "pipe",
      "pipe",
    ],
  });
  const exited = new Promise<number>((resolve) => {
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  let stdout = "";
  let stderr = "";
  if (piped) {
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(options.input ?? "");
  }
  const specPipe = child.stdio[3] as Writable;
  specPipe.on("error", () => undefined);
  specPipe.end(encodeExecSpec(spec));
  const status = child.stdio[4] as Readable;
  let line: string;
  try {
    line = await readStatusLine(child, status, options.timeoutMs ?? 30_000);
  } catch (error) {
    await exited;
    throw error;
  }
  const match = /^started (\d+)$/.exec(line);
  if (!match) {
    await exited;
    throw helperError(line, stderr);
  }
  // With detach keys, a second line says they were typed: the process goes on without us.
  const detached = new Promise<"detached">((resolve) => {
    let more = "";
    status.on("data", (chunk: Buffer) => {
      more += chunk.toString("utf8");
      if (more.includes("detached\n")) resolve("detached");
    });
    status.on("error", () => undefined);
  });
  const outcome = await Promise.race([exited, detached]);
  status.destroy();
  const pid = Number(match[1]);
  if (outcome === "detached") {
    // The helper outlives us as the process's parent: nothing of ours waits for it.
    child.unref();
    return { pid, exitCode: 0, detached: true, stdout, stderr };
  }
  return { pid, exitCode: outcome, stdout, stderr };
}

/** Frame types on the attach socket (src/runtime/native/attach.h). */
export const FRAME = { stdin: 0, stdout: 1, stderr: 2, resize: 3, closeStdin: 4, exit: 5 } as const;

function frame(type: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export interface AttachHandlers {
  stdout?: (data: Buffer) => void;
  stderr?: (data: Buffer) => void;
}

export interface Attachment {
  /** The container's exit code when it ended while attached; undefined when the monitor went away first. */
  exit: Promise<number | undefined>;
  write(data: string | Buffer): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
  detach(): void;
}

/** sun_path holds 107 bytes: a longer socket path is reached through an fd on its directory. */
function connectSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let dirFd: number | undefined;
    let target = path;
    if (Buffer.byteLength(path) > 107) {
      dirFd = openSync(dirname(path), "r");
      target = `/proc/self/fd/${dirFd}/${basename(path)}`;
    }
    const socket = createConnection(target);
    const done = () => {
      if (dirFd !== undefined) closeSync(dirFd);
      dirFd = undefined;
    };
    socket.once("connect", () => {
      done();
      resolve(socket);
    });
    socket.once("error", (error) => {
      done();
      reject(
        new TscError("E_RUNTIME_HELPER", `cannot attach to the container's monitor: ${error.message}`, {
          hint: "the container is not running (its monitor is gone)",
          cause: error,
        }),
      );
    });
  });
}

/** Attaches to a container's monitor: its output from now on, stdin, pty size, and its exit code. */
export async function attachContainer(socketPath: string, handlers: AttachHandlers): Promise<Attachment> {
  const socket = await connectSocket(socketPath);
  let pending: Buffer = Buffer.alloc(0);
  let exitCode: number | undefined;
  const exit = new Promise<number | undefined>((resolve) => {
    socket.on("close", () => resolve(exitCode));
  });
  socket.on("error", () => undefined);
  socket.on("data", (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      const length = pending.readUInt32BE(4);
      if (pending.length < 8 + length) break;
      const type = pending[0];
      const payload = pending.subarray(8, 8 + length);
      pending = pending.subarray(8 + length);
      if (type === FRAME.stdout) handlers.stdout?.(payload);
      else if (type === FRAME.stderr) handlers.stderr?.(payload);
      else if (type === FRAME.exit && payload.length >= 4) exitCode = payload.readInt32BE(0);
    }
  });
  const send = (data: Buffer) => {
    if (!socket.destroyed) socket.write(data);
  };
  return {
    exit,
    write: (data) => {
      const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
      for (let offset = 0; offset < bytes.length; offset += 65536) {
        send(frame(FRAME.stdin, bytes.subarray(offset, offset + 65536)));
      }
    },
    closeStdin: () => send(frame(FRAME.closeStdin, Buffer.alloc(0))),
    resize: (rows, cols) => {
      const size = Buffer.alloc(4);
      size.writeUInt16BE(rows, 0);
      size.writeUInt16BE(cols, 2);
      send(frame(FRAME.resize, size));
    },
    detach: () => socket.end(),
  };
}
