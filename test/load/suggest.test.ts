import { describe, expect, it } from "vitest";
import { editDistance, suggest } from "../../src/load/suggest.js";

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["", "abc", 3],
    ["abc", "", 3],
    ["image", "image", 0],
    ["helthcheck", "healthcheck", 1],
    ["imgae", "image", 1],
    ["kitten", "sitting", 3],
    ["depend_on", "depends_on", 1],
    ["ab", "ba", 1],
    ["abc", "cba", 2],
  ])("%j -> %j is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe("suggest", () => {
  const serviceKeys = [
    "image",
    "healthcheck",
    "environment",
    "ports",
    "volumes",
    "depends_on",
    "ipc",
    "init",
  ];

  it.each([
    ["helthcheck", "healthcheck"],
    ["imgae", "image"],
    ["enviroment", "environment"],
    ["port", "ports"],
    ["volume", "volumes"],
    ["depend_on", "depends_on"],
    ["Image", "image"],
    ["HEALTHCHECK", "healthcheck"],
  ])("%j suggests %j", (word, expected) => {
    expect(suggest(word, serviceKeys)).toBe(expected);
  });

  it.each([["foo"], ["x-custom"], ["command"], ["networks"], ["zzz"]])("%j suggests nothing", (word) => {
    expect(suggest(word, serviceKeys)).toBeUndefined();
  });

  it("never suggests the word itself", () => {
    expect(suggest("image", ["image"])).toBeUndefined();
  });

  it("breaks ties alphabetically, whatever the order of the candidates", () => {
    expect(suggest("bat", ["cat", "bar"])).toBe("bar");
    expect(suggest("bat", ["bar", "cat"])).toBe("bar");
  });

  it("allows one edit per three characters", () => {
    expect(suggest("ab", ["xy"])).toBeUndefined();
    expect(suggest("ipx", ["ipc"])).toBe("ipc");
    expect(suggest("stop_grace", ["stop_grace_period"])).toBeUndefined();
    expect(suggest("stop_grace_perod", ["stop_grace_period"])).toBe("stop_grace_period");
  });
});
