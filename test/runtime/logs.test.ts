import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { parseLogLine, parseSince, streamLogs, type LogOptions } from "../../src/runtime/logs.js";

const dir = mkdtempSync(join(tmpdir(), "tsc-logs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (time: string, stream: string, text: string) =>
  JSON.stringify({ time, stream, log: text }) + "\n";

async function collect(path: string, options: LogOptions, isRunning = () => false) {
  const chunks: string[] = [];
  await streamLogs(
    path,
    options,
    { stdout: (t) => chunks.push(`1:${t}`), stderr: (t) => chunks.push(`2:${t}`) },
    isRunning,
  );
  return chunks;
}

describe("parseLogLine", () => {
  it.each([
    ['{"time":"t","stream":"stdout","log":"a\\n"}', { time: "t", stream: "stdout", text: "a\n" }],
    ['{"time":"t","stream":"stderr","text":"b"}', { time: "t", stream: "stderr", text: "b\n" }],
    [
      '{"time":"t","stream":"stdout","text":"partial","partial":true}',
      { time: "t", stream: "stdout", text: "partial" },
    ],
    ["not json", undefined],
    ['{"time":"t"}', undefined],
  ])("%s", (text, expected) => {
    expect(parseLogLine(text)).toEqual(expected);
  });
});

describe("parseSince", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");
  it.each([
    ["10m", now - 600_000],
    ["1h30m", now - 5_400_000],
    ["42s", now - 42_000],
    ["1767268800", 1767268800_000],
    ["2026-01-01T11:00:00Z", now - 3_600_000],
  ])("%s", (value, expected) => {
    expect(parseSince(value, now)).toBe(expected);
  });
  it("rejects nonsense", () => {
    expect(() => parseSince("yesterday-ish", now)).toThrow(expect.objectContaining({ code: "E_USAGE" }));
  });
});

describe("streamLogs", () => {
  const path = join(dir, "container.log");
  writeFileSync(`${path}.1`, line("2026-01-01T00:00:00.000000001Z", "stdout", "old\n"));
  writeFileSync(
    path,
    line("2026-01-01T00:00:01Z", "stdout", "one\n") +
      line("2026-01-01T00:00:02Z", "stderr", "two\n") +
      line("2026-01-01T00:00:03Z", "stdout", "three\n") +
      '{"time":"2026-01-01T00:00:04Z","stream":"stdout","log":"half',
  );

  it.each<[string, LogOptions, string[]]>([
    [
      "everything, rotated file first, incomplete line held back",
      {},
      ["1:old\n", "1:one\n", "2:two\n", "1:three\n"],
    ],
    ["tail 2", { tail: 2 }, ["2:two\n", "1:three\n"]],
    ["tail 0", { tail: 0 }, []],
    ["since", { since: "2026-01-01T00:00:02Z" }, ["2:two\n", "1:three\n"]],
    ["until", { until: "2026-01-01T00:00:02Z" }, ["1:old\n", "1:one\n", "2:two\n"]],
    ["since and until", { since: "2026-01-01T00:00:02Z", until: "1767225602" }, ["2:two\n"]],
    ["timestamps", { tail: 1, timestamps: true }, ["1:2026-01-01T00:00:03.000000000Z three\n"]],
  ])("%s", async (_name, options, expected) => {
    expect(await collect(path, options)).toEqual(expected);
  });

  it("follow stops once --until has passed, the container still running", async () => {
    const live = join(dir, "until.log");
    writeFileSync(live, line(new Date().toISOString(), "stdout", "now\n"));
    const until = new Date(Date.now() + 300).toISOString();
    expect(await collect(live, { follow: true, until }, () => true)).toEqual(["1:now\n"]);
  });

  it("follow prints appended lines until the container exits", async () => {
    const live = join(dir, "live.log");
    writeFileSync(live, line("t", "stdout", "first\n"));
    let running = true;
    const result = collect(live, { follow: true }, () => running);
    await sleep(120);
    appendFileSync(live, line("t", "stdout", "second\n") + '{"time":"t","stream":"stderr",');
    await sleep(120);
    appendFileSync(live, '"log":"third\\n"}\n');
    running = false;
    expect(await result).toEqual(["1:first\n", "1:second\n", "2:third\n"]);
  });
});
