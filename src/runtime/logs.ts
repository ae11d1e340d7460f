import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { TscError } from "../errors.js";

/**
 * Reads a container's JSON-lines log (one object per line: time, stream, text), as the monitor writes it:
 * the rotated files first (`<log>.N` … `<log>.1`), then the live one; with `follow`, polls for appended
 * lines (and a rotation) until the container has exited.
 */

export interface LogEntry {
  time: string;
  stream: "stdout" | "stderr";
  /** The text with its newline, if the line was complete. */
  text: string;
}

export interface LogOptions {
  follow?: boolean;
  /** Only the last N lines ("all" or undefined: every line). */
  tail?: number;
  timestamps?: boolean;
  /** RFC 3339 time, unix seconds, or a duration back from now (`10m`, `1h30m`, `42s`). */
  since?: string;
  signal?: AbortSignal;
}

export interface LogSink {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Accepts docker's json-file fields (`log` with its newline) and a `text` + `partial` form. */
export function parseLogLine(line: string): LogEntry | undefined {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const stream = raw.stream === "stderr" ? "stderr" : "stdout";
  const time = typeof raw.time === "string" ? raw.time : "";
  if (typeof raw.log === "string") return { time, stream, text: raw.log };
  if (typeof raw.text === "string")
    return { time, stream, text: raw.partial === true ? raw.text : `${raw.text}\n` };
  return undefined;
}

const DURATION = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/;

/** `--since` as epoch milliseconds. */
export function parseSince(value: string, now = Date.now()): number {
  const duration = DURATION.exec(value);
  if (value !== "" && duration && duration.slice(1).some((part) => part !== undefined)) {
    const [h = "0", m = "0", s = "0"] = duration.slice(1).map((part) => part ?? "0");
    return now - (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  }
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new TscError("E_USAGE", `invalid --since value ${JSON.stringify(value)}`, {
      hint: "use an RFC 3339 time (2026-01-02T15:04:05Z), unix seconds, or a duration such as 10m",
    });
  }
  return time;
}

function readFrom(path: string, offset: number): { data: Buffer; size: number } {
  if (!existsSync(path)) return { data: Buffer.alloc(0), size: 0 };
  const fd = openSync(path, "r");
  try {
    const size = statSync(path).size;
    const start = size < offset ? 0 : offset;
    const data = Buffer.alloc(size - start);
    let read = 0;
    while (read < data.length) {
      const n = readSync(fd, data, read, data.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    return { data: data.subarray(0, read), size: start + read };
  } finally {
    closeSync(fd);
  }
}

function rotatedFiles(path: string): string[] {
  const files: string[] = [];
  for (let n = 1; n <= 100 && existsSync(`${path}.${n}`); n++) files.unshift(`${path}.${n}`);
  return files;
}

export async function streamLogs(
  path: string,
  options: LogOptions,
  sink: LogSink,
  isRunning: () => boolean,
): Promise<void> {
  const since = options.since === undefined ? undefined : parseSince(options.since);
  const emit = (entry: LogEntry) => {
    if (since !== undefined && Date.parse(entry.time) < since) return;
    const text = options.timestamps ? `${entry.time} ${entry.text}` : entry.text;
    if (entry.stream === "stderr") sink.stderr(text);
    else sink.stdout(text);
  };
  const entriesOf = (text: string) =>
    text
      .split("\n")
      .map(parseLogLine)
      .filter((entry): entry is LogEntry => entry !== undefined);

  let history: LogEntry[] = [];
  for (const file of rotatedFiles(path)) history.push(...entriesOf(readFrom(file, 0).data.toString("utf8")));
  const first = readFrom(path, 0);
  let text = first.data.toString("utf8");
  let offset = first.size - Buffer.byteLength(text.slice(text.lastIndexOf("\n") + 1));
  history.push(...entriesOf(text.slice(0, text.lastIndexOf("\n") + 1)));
  if (options.tail !== undefined) history = options.tail <= 0 ? [] : history.slice(-options.tail);
  history.forEach(emit);
  if (!options.follow) return;

  // Poll until the container is gone, then drain what it wrote last.
  for (let running = isRunning(); !options.signal?.aborted; running = isRunning()) {
    const next = readFrom(path, offset);
    text = next.data.toString("utf8");
    const complete = text.lastIndexOf("\n") + 1;
    entriesOf(text.slice(0, complete)).forEach(emit);
    offset = next.size - Buffer.byteLength(text.slice(complete));
    if (!running) return;
    await sleep(50);
  }
}
