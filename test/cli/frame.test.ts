import { describe, expect, it } from "vitest";
import { renderFrame } from "../../src/cli/frame.js";
import { reportError } from "../../src/cli/main.js";
import { TscError } from "../../src/errors.js";

describe("error frames", () => {
  it("puts a caret under the column of the offending line", () => {
    const frame = renderFrame({ file: "compose.yaml", line: 12, column: 5, lineText: "    helthcheck:" });
    expect(frame).toBe(
      ["  --> compose.yaml:12:5", "    |", " 12 |     helthcheck:", "    |     ^"].join("\n"),
    );
  });

  it("reports a TscError with message, frame and hint, and exits 1", () => {
    let out = "";
    const code = reportError(
      new TscError("E_LOAD_UNKNOWN_KEY", "unknown key", {
        where: { file: "a.yaml", line: 1, column: 1, lineText: "x: 1" },
        hint: "remove it",
      }),
      (t) => (out += t),
    );
    expect(code).toBe(1);
    expect(out).toContain("error: unknown key\n  --> a.yaml:1:1");
    expect(out).toContain("hint: remove it");
  });
});
