import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/load/duration.js";
import { emitJson } from "../../src/load/render-json.js";
import { Num, OrderedMap } from "../../src/load/render-node.js";
import { emitYaml } from "../../src/load/render-yaml.js";
import { splitShellWords } from "../../src/load/shell-words.js";

const yamlOf = (value: string) => emitYaml(new OrderedMap([["k", value]]));

describe("YAML scalars as go yaml writes them", () => {
  it.each([
    ["plain", "k: plain\n"],
    ["hello world", "k: hello world\n"],
    ["8080", 'k: "8080"\n'],
    ["1.5", 'k: "1.5"\n'],
    ["0x1F", 'k: "0x1F"\n'],
    ["1e3", 'k: "1e3"\n'],
    ["true", 'k: "true"\n'],
    ["yes", 'k: "yes"\n'],
    ["Off", 'k: "Off"\n'],
    ["null", 'k: "null"\n'],
    ["~", 'k: "~"\n'],
    ["", 'k: ""\n'],
    ["1:30", 'k: "1:30"\n'],
    ["2024-05-18", 'k: "2024-05-18"\n'],
    ["1000:1000", "k: 1000:1000\n"],
    ["02:42:ac:11:65:43", "k: 02:42:ac:11:65:43\n"],
    ["*.log", "k: '*.log'\n"],
    ["a: b", "k: 'a: b'\n"],
    ["a #b", "k: 'a #b'\n"],
    ["a#b", "k: a#b\n"],
    ["- x", "k: '- x'\n"],
    [" lead", "k: ' lead'\n"],
    ["trail ", "k: 'trail '\n"],
    ["it's", "k: it's\n"],
    ["'quoted'", "k: '''quoted'''\n"],
    ["a\tb", 'k: "a\\tb"\n'],
    ["line\n", "k: |\n  line\n"],
    ["one\ntwo", "k: |-\n  one\n  two\n"],
    ["keep\n\n", "k: |+\n  keep\n\n"],
    [" indented\nx", "k: |2-\n   indented\n  x\n"],
    ["trailing space \nx", 'k: "trailing space \\nx"\n'],
  ])("%j", (value, expected) => {
    expect(yamlOf(value)).toBe(expected);
  });

  it("indents sequences under their key and maps in sequence items after the dash", () => {
    const doc = new OrderedMap([
      [
        "ports",
        [
          new OrderedMap([
            ["target", Num.int(80)],
            ["nested", new OrderedMap([["a", "b"]])],
          ]),
        ],
      ],
      ["empty", new OrderedMap([])],
      ["none", []],
      ["nothing", null],
      ["flag", false],
    ]);
    expect(emitYaml(doc)).toBe(
      "ports:\n  - target: 80\n    nested:\n      a: b\nempty: {}\nnone: []\nnothing: null\nflag: false\n",
    );
  });
});

describe("numbers", () => {
  it.each([
    [0.5, "0.5", "0.5"],
    [2, "2", "2"],
    [1e6, "1e+06", "1000000"],
    [0.00001, "1e-05", "0.00001"],
    [1e-7, "1e-07", "1e-7"],
  ])("%d", (value, yaml, json) => {
    expect([Num.float(value).yaml, Num.float(value).json]).toEqual([yaml, json]);
  });
});

describe("JSON as encoding/json writes it", () => {
  it("indents with two spaces, escapes HTML characters and writes empty containers inline", () => {
    const doc = new OrderedMap([
      ["s", "<a & b>\u2028"],
      ["l", ["x"]],
      ["m", new OrderedMap([])],
      ["e", []],
    ]);
    expect(emitJson(doc)).toBe(
      '{\n  "s": "\\u003ca \\u0026 b\\u003e\\u2028",\n  "l": [\n    "x"\n  ],\n  "m": {},\n  "e": []\n}',
    );
    expect(emitJson(doc, { compact: true })).toBe(
      '{"s":"\\u003ca \\u0026 b\\u003e\\u2028","l":["x"],"m":{},"e":[]}',
    );
  });
});

describe("durations (Go time.Duration + d/w units)", () => {
  it.each([
    ["10s", "10s"],
    ["90s", "1m30s"],
    ["1h", "1h0m0s"],
    ["1500ms", "1.5s"],
    ["500ms", "500ms"],
    ["1.5h", "1h30m0s"],
    ["2d", "48h0m0s"],
    ["1w", "168h0m0s"],
    ["1m30s", "1m30s"],
    ["100us", "100µs"],
    ["0", "0s"],
  ])("%s -> %s", (text, printed) => {
    expect(formatDuration(parseDuration(text))).toBe(printed);
  });

  it.each(["", "10", "1x", "s", "1.s5"])("rejects %j", (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });
});

describe("command strings (go-shellwords)", () => {
  it.each([
    ["npm start", ["npm", "start"]],
    ['sh -c "echo hello world"', ["sh", "-c", "echo hello world"]],
    ['echo \'a b\' "c\\"d"', ["echo", "a b", 'c"d']],
    ['redis-server --save ""', ["redis-server", "--save", ""]],
    ["a\\ b c", ["a b", "c"]],
    ["echo a && echo b", ["echo", "a"]],
    ["  spaced   out  ", ["spaced", "out"]],
  ])("%s", (line, words) => {
    expect(splitShellWords(line)).toEqual(words);
  });

  it.each(['echo "open', "echo 'open", "echo (x)"])("rejects %s", (line) => {
    expect(() => splitShellWords(line)).toThrow(/invalid command line string/);
  });
});
