import { describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { DEFAULT_DETACH_KEYS, EscapeProxy, parseDetachKeys } from "../../src/cli/detach-keys.js";

describe("parseDetachKeys", () => {
  it.each<[string, number[]]>([
    [DEFAULT_DETACH_KEYS, [0x10, 0x11]],
    ["ctrl-a,ctrl-z", [1, 26]],
    ["CTRL-P", [0x10]],
    ["ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", [0, 27, 28, 29, 30, 31]],
    ["ctrl-x,y", [0x18, 0x79]],
    ["q", [0x71]],
  ])("%s", (spec, bytes) => {
    expect(parseDetachKeys(spec)).toEqual(bytes);
  });

  it.each(["ctrl-1", "ctrl-", "alt-p", "ctrl-p,,ctrl-q", "pq"])("refuses %s", (spec) => {
    let error: unknown;
    try {
      parseDetachKeys(spec);
    } catch (caught) {
      error = caught;
    }
    expect(TscError.is(error) && error.code).toBe("E_USAGE");
  });
});

describe("EscapeProxy", () => {
  const feed = (proxy: EscapeProxy, text: string) => {
    const { forward, detach } = proxy.feed(Buffer.from(text, "latin1"));
    return [forward.toString("latin1"), detach];
  };

  it("passes ordinary input through", () => {
    expect(feed(new EscapeProxy([0x10, 0x11]), "ls -l\r")).toEqual(["ls -l\r", false]);
  });

  it("detaches on the whole sequence and keeps what came before it", () => {
    expect(feed(new EscapeProxy([0x10, 0x11]), "ab\x10\x11cd")).toEqual(["ab", true]);
  });

  it("holds a begun sequence across chunks, and sends it on when it does not go on", () => {
    const proxy = new EscapeProxy([0x10, 0x11]);
    expect(feed(proxy, "x\x10")).toEqual(["x", false]);
    expect(feed(proxy, "y")).toEqual(["\x10y", false]);
    expect(feed(proxy, "\x10")).toEqual(["", false]);
    expect(feed(proxy, "\x11")).toEqual(["", true]);
  });

  it("starts over on a repeated first key", () => {
    expect(feed(new EscapeProxy([0x10, 0x11]), "\x10\x10\x11")).toEqual(["\x10", true]);
  });
});
