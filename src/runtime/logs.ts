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
  /** The same forms: only lines before it; a follow stops once it has passed. */
  until?: string;
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

/** `--since` (or `--until`, named by `flag`) as epoch milliseconds. */
export function parseSince(value: string, now = Date.now(), flag = "--since"): number {
  const duration = DURATION.exec(value);
  if (value !== "" && duration && duration.slice(1).some((part) => part !== undefined)) {
    const [h = "0", m = "0", s = "0"] = duration.slice(1).map((part) => part ?? "0");
    return now - (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  }
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new TscError("E_USAGE", `invalid ${flag} value ${JSON.stringify(value)}`, {
      hint: "use an RFC 3339 time (2026-01-02T15:04:05Z), unix seconds, or a duration such as 10m",
    });
  }
  return time;
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * Calls `line` with each complete line of `path` from byte `offset` on (from 0 when the file is now
 * shorter: it was rotated), a chunk at a time so that a log of any size costs one chunk of memory.
 * Returns the offset just after the last complete line: where the next read starts.
 */
function eachLine(path: string, offset: number, line: (text: string) => void): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, "r");
  try {
    let position = statSync(path).size < offset ? 0 : offset;
    let pending = Buffer.alloc(0);
    const chunk = Buffer.alloc(CHUNK_BYTES);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, position + pending.length);
      if (n === 0) return position;
      const data = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let from = 0;
      for (let newline = data.indexOf(10); newline !== -1; newline = data.indexOf(10, from)) {
        line(data.toString("utf8", from, newline));
        from = newline + 1;
      }
      position += from;
      pending = Buffer.from(data.subarray(from));
    }
  } finally {
    closeSync(fd);
  }
}

/** The last `size` items pushed, in order, in fixed memory. */
class LastEntries {
  private readonly items: LogEntry[] = [];
  private next = 0;
  constructor(private readonly size: number) {}
  push(entry: LogEntry): void {
    if (this.size <= 0) return;
    if (this.items.length < this.size) this.items.push(entry);
    else this.items[this.next] = entry;
    this.next = (this.next + 1) % this.size;
  }
  ordered(): LogEntry[] {
    return this.items.length < this.size
      ? this.items
      : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}

function rotatedFiles(path: string): string[] {
  const files: string[] = [];
  for (let n = 1; n <= 100 && existsSync(`${path}.${n}`); n++) files.unshift(`${path}.${n}`);
  return files;
}

/**
 * A log line's time with all nine fraction digits, as docker's `logs -t` prints it (RFC3339NanoFixed): the
 * log file keeps RFC 3339 with trailing zeros dropped, and times of one width sort as text.
 */
export function fixedNanoTime(time: string): string {
  const match = /^([^.Z]+)(?:\.(\d{1,9}))?Z$/.exec(time);
  if (!match) return time;
  return `${match[1]}.${(match[2] ?? "").padEnd(9, "0")}Z`;
}

export async function streamLogs(
  path: string,
  options: LogOptions,
  sink: LogSink,
  isRunning: () => boolean,
): Promise<void> {
  const since = options.since === undefined ? undefined : parseSince(options.since);
  const until = options.until === undefined ? undefined : parseSince(options.until, Date.now(), "--until");
  const emit = (entry: LogEntry) => {
    if (since !== undefined && Date.parse(entry.time) < since) return;
    if (until !== undefined && Date.parse(entry.time) > until) return;
    const text = options.timestamps ? `${fixedNanoTime(entry.time)} ${entry.text}` : entry.text;
    if (entry.stream === "stderr") sink.stderr(text);
    else sink.stdout(text);
  };
  const parsed = (use: (entry: LogEntry) => void) => (line: string) => {
    const entry = parseLogLine(line);
    if (entry !== undefined) use(entry);
  };
  // Rotated files first, oldest first, then the live one: every line, or the last `tail` of them.
  const last = options.tail === undefined ? undefined : new LastEntries(options.tail);
  const take = parsed(last ? (entry) => last.push(entry) : emit);
  for (const file of rotatedFiles(path)) eachLine(file, 0, take);
  let offset = eachLine(path, 0, take);
  last?.ordered().forEach(emit);
  if (!options.follow) return;

  // Poll until the container is gone, then drain what it wrote last.
  for (let running = isRunning(); !options.signal?.aborted; running = isRunning()) {
    offset = eachLine(path, offset, parsed(emit));
    if (!running || (until !== undefined && Date.now() > until)) return;
    await sleep(50);
  }
}
