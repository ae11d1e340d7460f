import { describe, expect, it } from "vitest";
import { closestName } from "../../src/load/closest-name.js";

describe("closestName", () => {
  it.each([
    { name: "a transposition", ref: "bd", defined: ["db", "web"], expected: "db" },
    { name: "a typo", ref: "frontned", defined: ["frontend", "backend"], expected: "frontend" },
    { name: "a shortened name", ref: "front", defined: ["frontend", "default"], expected: "frontend" },
    { name: "a longer name", ref: "db-data", defined: ["db", "cache"], expected: undefined },
    { name: "an extended name", ref: "dbdata-volume", defined: ["dbdata"], expected: "dbdata" },
    { name: "nothing close", ref: "db", defined: ["web", "cache"], expected: undefined },
    { name: "the same name is no suggestion", ref: "web", defined: ["web"], expected: undefined },
    { name: "ties go to the first by name", ref: "ab", defined: ["ac", "aa"], expected: "aa" },
    { name: "no candidates", ref: "web", defined: [], expected: undefined },
  ])("$name", ({ ref, defined, expected }) => {
    expect(closestName(ref, defined)).toBe(expected);
  });
});
