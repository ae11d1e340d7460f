import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode } from "../../src/errors.js";

const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

/** `### CODE` sections of docs/errors.md and the category each states. */
const sections = new Map(
  [...doc.matchAll(/^### (E_[A-Z_]+)\n\nCategory: ([a-z-]+)\./gm)].map((m) => [
    m[1] as string,
    m[2] as string,
  ]),
);

describe("docs/errors.md", () => {
  it.each(Object.keys(ERROR_CODES) as ErrorCode[])(
    "documents %s with its category and an example",
    (code) => {
      expect(sections.get(code)).toBe(ERROR_CODES[code].category);
      const body = doc.split(`### ${code}\n`)[1]?.split("\n### ")[0] ?? "";
      expect(body).toMatch(/^ {4}error: /m);
    },
  );

  it("documents no code that src/errors.ts does not define", () => {
    expect([...sections.keys()].filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });
});
