import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { parseDotenv, parseDotenvEntries } from "../../src/load/dotenv.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/env/${name}`, import.meta.url));
const readFixture = (name: string, lookup?: Record<string, string>) =>
  parseDotenv(readFileSync(fixture(name), "utf8"), fixture(name), {
    lookup: lookup ? (key) => lookup[key] : undefined,
  });

function failure(text: string): TscError {
  try {
    parseDotenv(text, "test.env");
  } catch (error) {
    if (TscError.is(error)) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe("parseDotenv: one line", () => {
  it.each([
    // unquoted
    ["FOO=bar", "FOO", "bar"],
    ["FOO =bar", "FOO", "bar"],
    ["FOO= bar", "FOO", "bar"],
    ["FOO = bar", "FOO", "bar"],
    ["FOO=bar ", "FOO", "bar"],
    ["FOO=bar\t", "FOO", "bar"],
    ["FOO=foobar=", "FOO", "foobar="],
    ["FOO=a b  c", "FOO", "a b  c"],
    ["FOO.BAR=foobar", "FOO.BAR", "foobar"],
    ["FOO-BAR=x", "FOO-BAR", "x"],
    ["a[1]=c", "a[1]", "c"],
    ["árvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ", "árvíztűrő-TÜKÖRFÚRÓGÉP", "ÁRVÍZTŰRŐ"],
    ["lower=case", "lower", "case"],
    ["FOO=a\\tb", "FOO", "a\\tb"],
    ["FOO=", "FOO", ""],
    ["FOO=\n", "FOO", ""],
    // leading whitespace
    [" KEY =value", "KEY", "value"],
    ["   KEY=value", "KEY", "value"],
    ["\tKEY=value", "KEY", "value"],
    // yaml style
    ["OPTION_A: 1", "OPTION_A", "1"],
    ["OPTION_A: Foo=bar", "OPTION_A", "Foo=bar"],
    ["OPTION_A=1:B", "OPTION_A", "1:B"],
    // export
    ["export OPTION_A=2", "OPTION_A", "2"],
    ["export OPTION_B='\\n'", "OPTION_B", "\\n"],
    ["export exportFoo=2", "exportFoo", "2"],
    ["exportFOO=2", "exportFOO", "2"],
    ["export_FOO =2", "export_FOO", "2"],
    ["export.FOO= 2", "export.FOO", "2"],
    ["export\tOPTION_A=2", "OPTION_A", "2"],
    ["  export OPTION_A=2", "OPTION_A", "2"],
    ['export OPTION_A="export A"', "OPTION_A", "export A"],
    // comments
    ["FOO=bar # this is foo", "FOO", "bar"],
    ["FOO=bar #this is foo", "FOO", "bar"],
    ["FOO=bar #", "FOO", "bar"],
    ["FOO=123#not-an-inline-comment", "FOO", "123#not-an-inline-comment"],
    ["FOO=bar\t# a tab is not a space", "FOO", "bar\t# a tab is not a space"],
    ['FOO="bar#baz"', "FOO", "bar#baz"],
    ['FOO="bar#baz"#', "FOO", "bar#baz"],
    ['FOO="bar#baz" # comment', "FOO", "bar#baz"],
    ["FOO='bar#baz' # comment", "FOO", "bar#baz"],
    ['FOO="bar#baz#bang" # comment', "FOO", "bar#baz#bang"],
    ['FOO="ba#r"', "FOO", "ba#r"],
    ["FOO='ba#r'", "FOO", "ba#r"],
    ["# a comment\nFOO=after", "FOO", "after"],
    ["\t # indented comment\nFOO=after", "FOO", "after"],
    // double quotes: escapes
    ['FOO="bar"', "FOO", "bar"],
    ['FOO="escaped\\"bar"', "FOO", 'escaped"bar'],
    ['FOO="\\"quoted\\""', "FOO", '"quoted"'],
    ["FOO=\"'d'\"", "FOO", "'d'"],
    ['FOO="bar\\nbaz"', "FOO", "bar\nbaz"],
    ['FOO="a\\tb"', "FOO", "a\tb"],
    ['KEY="Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z"', "KEY", "Z\x07Z\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ"],
    ['FOO="bar\\n\\ b\\az"', "FOO", "bar\n\\ b\x07z"],
    ['FOO="bar\\\\\\n\\ b\\az"', "FOO", "bar\\\n\\ b\x07z"],
    ['FOO="bar\\\\r\\ b\\az"', "FOO", "bar\\r\\ b\x07z"],
    ['FOO="bar\\nbaz\\\\"', "FOO", "bar\nbaz\\"],
    ['KEY="\\0123"', "KEY", "S"],
    ['KEY="\\0"', "KEY", "\\0"],
    ['KEY="\\012"', "KEY", "\\012"],
    ['KEY="\\0777"', "KEY", "\\0777"],
    ['KEY="\\x07"', "KEY", "\\x07"],
    ['KEY="\\u12e4"', "KEY", "\\u12e4"],
    ['KEY="\\U00101234"', "KEY", "\\U00101234"],
    ['KEY="\\c"', "KEY", "\\c"],
    ['FOO="foo\\$BAR"', "FOO", "foo$BAR"],
    ['FOO="foo\\${BAR}"', "FOO", "foo${BAR}"],
    ['FOO="a\nb"', "FOO", "a\nb"],
    ['TEST_URLS="tcp://a:3333\ntcp://b:443"', "TEST_URLS", "tcp://a:3333\ntcp://b:443"],
    // single quotes: literal but for an escaped quote
    ["FOO='bar'", "FOO", "bar"],
    ["FOO='a\\nb'", "FOO", "a\\nb"],
    ["FOO='$HOME'", "FOO", "$HOME"],
    ["FOO='Let\\'s go!'", "FOO", "Let's go!"],
    ["FOO='a\nb'", "FOO", "a\nb"],
    ["FOO='\"x\"'", "FOO", '"x"'],
    // quotes only count at the start of the value
    ['FOO=a"b"', "FOO", 'a"b"'],
    ["FOO=it's", "FOO", "it's"],
    ['FOO = "spaced"   ', "FOO", "spaced"],
    ['FOO="a" # comment\nBAR=2', "BAR", "2"],
    ['FOO="a" # comment\nBAR=2', "FOO", "a"],
    ["FOO=a\\\\b", "FOO", "a\\\\b"],
    ['FOO=${NOPE:-"x"}', "FOO", '"x"'],
    ['FOO="${NOPE:-x y}"', "FOO", "x y"],
    ["FOO='${NOPE:-x}'", "FOO", "${NOPE:-x}"],
    ["FOO=a # b # c", "FOO", "a"],
    ["FOO=#start", "FOO", "#start"],
    ["FOO= #start", "FOO", "#start"],
    // the empty key compose-go accepts
    ['="value"', "", "value"],
    // BOM and CRLF
    ["\ufeffBOM=yes", "BOM", "yes"],
    ["WIN=crlf\r\n", "WIN", "crlf"],
  ])("%j sets %s to %j", (text, key, value) => {
    const parsed = parseDotenv(text, "test.env");
    expect(Object.keys(parsed)).toContain(key);
    expect(parsed[key]).toBe(value);
  });

  it.each([["\n"], ["\r\n"], ["\t\t "], ["# Comment"], ["\t # comment"], [""], ["\ufeff"]])(
    "%j sets nothing",
    (text) => {
      expect(parseDotenv(text, "test.env")).toEqual({});
    },
  );
});

describe("parseDotenv: substitution", () => {
  const lookup = (env: Record<string, string>) => (key: string) => env[key];
  it.each([
    ["FOO=test\nBAR=$FOO", {}, { FOO: "test", BAR: "test" }],
    ["FOO=test\nBAR=${FOO}bar", {}, { FOO: "test", BAR: "testbar" }],
    ["BAR=$FOO", {}, { BAR: "" }],
    ['FOO=test\nBAR="quote $FOO"', {}, { FOO: "test", BAR: "quote test" }],
    ["BAR='quote $FOO'", {}, { BAR: "quote $FOO" }],
    ['FOO=test\nBAR="foo\\${FOO} ${FOO}"', {}, { FOO: "test", BAR: "foo${FOO} test" }],
    ["FOO=$$bar", {}, { FOO: "$bar" }],
    ["TEST=$ME", { ME: "YES" }, { TEST: "YES" }],
    // the lookup (the shell) wins over keys of the file when substituting, not over the keys themselves
    ["FOO=foo\nBAR=${FOO}", { FOO: "zot" }, { FOO: "foo", BAR: "zot" }],
    ["A=1\nB=${A}\nC=$B\nD=${A}_${B}", { A: "5" }, { A: "1", B: "5", C: "5", D: "5_5" }],
    ["A=${A:-1}\nB=${A}", { A: "5" }, { A: "5", B: "5" }],
    ["A=${A:-1}\nB=${A}", {}, { A: "1", B: "1" }],
    ["A=${UNSET:-x}\nB=${A:+alt}", {}, { A: "x", B: "alt" }],
    ["URL=http://${HOST:-localhost}:${PORT-80}/", {}, { URL: "http://localhost:80/" }],
    // a bare key takes its value from the lookup, or from an earlier key, or is dropped
    [
      "foo=bar\nFROM_SHELL\nbar=baz",
      { FROM_SHELL: "shell" },
      { foo: "bar", FROM_SHELL: "shell", bar: "baz" },
    ],
    ["NOT_FOUND\n", {}, {}],
    ["NOT_FOUND", {}, {}],
    ["A=1\nA\n", {}, { A: "1" }],
    ["EMPTY_IN_SHELL\n", { EMPTY_IN_SHELL: "" }, { EMPTY_IN_SHELL: "" }],
  ])("%j with %j -> %j", (text, env, expected) => {
    expect(parseDotenv(text, "test.env", { lookup: lookup(env) })).toEqual(expected);
  });

  it("continues from keys of earlier files", () => {
    const values = parseDotenv('ENV_HOSTNAME=localhost\nENV_MY_URL="http://${ENV_HOSTNAME}"\n', "base.env");
    const merged = parseDotenv(
      'ENV_HOSTNAME=dev.example.com\nENV_MY_URL="http://${ENV_HOSTNAME}"\n',
      "o.env",
      {
        into: { ...values },
      },
    );
    expect(merged).toEqual({ ENV_HOSTNAME: "dev.example.com", ENV_MY_URL: "http://dev.example.com" });
    const shell = { ENV_HOSTNAME: "host.local" };
    const withShell = parseDotenv('ENV_MY_URL="http://${ENV_HOSTNAME}"\n', "o.env", {
      lookup: (k) => shell[k as keyof typeof shell],
      into: { ENV_HOSTNAME: "localhost" },
    });
    expect(withShell.ENV_MY_URL).toBe("http://host.local");
  });

  it("reports unset variables with their location", () => {
    const unset: string[] = [];
    parseDotenv("A=1\nB=${NOPE}\n", "u.env", {
      onUnset: (name, where) => unset.push(`${name}@${where.line}`),
    });
    expect(unset).toEqual(["NOPE@2"]);
  });

  it.each([
    ["A=${", "E_LOAD_INTERPOLATION", 1],
    ['A=1\nB="${ B}"', "E_LOAD_INTERPOLATION", 2],
    ["A=1\n\nB=${NEEDED:?please set it}", "E_LOAD_REQUIRED_VAR", 3],
  ])("%j fails with %s on line %d", (text, code, line) => {
    const error = failure(text);
    expect(error.code).toBe(code);
    expect(error.where?.line).toBe(line);
    expect(error.hint).toBeTruthy();
  });
});

describe("parseDotenv: errors point at file:line:col", () => {
  it.each([
    ["lol$wut", 1, 4, 'unexpected character "$" in variable name "lol$wut"'],
    ["%!(EXTRA string)=foo", 1, 1, 'unexpected character "%"'],
    ["GOOD=1\nBAD LINE\n", 2, 1, 'key cannot contain a space: "BAD LINE"'],
    ["GOOD=1\nBAD KEY=1\n", 2, 1, "key cannot contain a space"],
    ["A=1\n  B@=2", 2, 4, 'unexpected character "@"'],
    ['KEY="', 1, 5, "unterminated quoted value"],
    ['KEY="value', 1, 5, "unterminated quoted value"],
    ['KEY="value\\"', 1, 5, "unterminated quoted value"],
    ["KEY=\"value'", 1, 5, "unterminated quoted value"],
    ["KEY='", 1, 5, "unterminated quoted value"],
    ["KEY='value", 1, 5, "unterminated quoted value"],
    ["KEY='value\\'", 1, 5, "unterminated quoted value"],
    ["KEY='value\"", 1, 5, "unterminated quoted value"],
    ['A=1\nB = "open\nmore', 2, 5, "unterminated quoted value"],
  ])("%j -> line %d col %d: %s", (text, line, column, message) => {
    const error = failure(text);
    expect(error.code).toBe("E_LOAD_ENV_FILE");
    expect(error.where).toMatchObject({ file: "test.env", line, column });
    expect(error.message).toContain(message);
    expect(error.hint).toBeTruthy();
  });
});

describe("parseDotenv: fixture files", () => {
  it("plain.env", () => {
    expect(readFixture("plain.env")).toEqual({
      ALPHA: "1",
      BETA: "2",
      GAMMA: "3",
      DELTA: "4",
      EPSILON: "5",
      "789": "digits",
      ZETA: "",
      ETA: "",
      THETA: "some words",
    });
  });

  it("bom.env starts with a BOM that is skipped", () => {
    expect(readFileSync(fixture("bom.env")).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(readFixture("bom.env")).toEqual({ ALPHA: "1", BETA: "2", GAMMA: "3" });
  });

  it("quoted.env", () => {
    expect(readFixture("quoted.env")).toEqual({
      SINGLE: "1",
      SINGLE_EMPTY: "",
      SINGLE_ESCAPE: "\\n",
      DOUBLE: "2",
      DOUBLE_EMPTY: "",
      DOUBLE_NEWLINE: "\n",
      WITH_COMMENT: "say 'hi'",
      MULTI: "line one\nline two\nline three",
      APOSTROPHE: "It's fine",
      LAST: "the end",
    });
  });

  it("exported.env", () => {
    expect(readFixture("exported.env")).toEqual({
      EXP_A: "2",
      EXP_B: "\\n",
      EXP_C: "3",
      EXP_D: "4",
      exportEXP_E: "5",
    });
  });

  it("substitutions.env", () => {
    expect(readFixture("substitutions.env")).toEqual({
      BASE: "1",
      COPY: "1",
      BARE: "1",
      JOINED: "1_1",
      MISSING: "",
      DEFAULTED: "fallback",
    });
    expect(readFixture("substitutions.env", { BASE: "9" })).toMatchObject({
      BASE: "1",
      COPY: "9",
      JOINED: "9_9",
    });
  });

  it("special.env", () => {
    expect(readFixture("special.env")).toEqual({
      "DOTTED.NAME": "dots",
      UNDER_SCORE: "underscores",
      "DASHED-NAME": "dashes",
      "ARRAY[0]": "brackets",
    });
  });

  it("inherited.env", () => {
    expect(readFixture("inherited.env", { INHERITED_FROM_SHELL: "from shell" })).toEqual({
      first: "one",
      INHERITED_FROM_SHELL: "from shell",
      second: "two",
    });
  });

  it("crlf.env", () => {
    expect(readFixture("crlf.env", { BARE_KEY: "b" })).toEqual({ WIN: "crlf", QUOTED: "q", BARE_KEY: "b" });
  });

  it("yaml-style.env", () => {
    expect(readFixture("yaml-style.env")).toEqual({ COLON: "yaml style", COLON_EQ: "a=b", EQ_COLON: "1:B" });
  });

  it.each([
    ["invalid-space.env", 7, 1, "key cannot contain a space"],
    ["invalid-char.env", 2, 4, "unexpected character"],
    ["invalid-unterminated.env", 2, 6, "unterminated quoted value"],
  ])("%s fails at line %d col %d", (name, line, column, message) => {
    let error: unknown;
    try {
      readFixture(name);
    } catch (caught) {
      error = caught;
    }
    expect(TscError.is(error)).toBe(true);
    const tsc = error as TscError;
    expect(tsc.code).toBe("E_LOAD_ENV_FILE");
    expect(tsc.where).toMatchObject({ file: fixture(name), line, column });
    expect(tsc.where?.lineText).toBe(readFileSync(fixture(name), "utf8").split("\n")[line - 1]);
    expect(tsc.message).toContain(message);
  });

  it("remembers where each key was set", () => {
    const { locations } = parseDotenvEntries("A=1\n\n  B=2\nA=3\n", "loc.env");
    expect(locations.get("A")).toMatchObject({ line: 4, column: 1, lineText: "A=3" });
    expect(locations.get("B")).toMatchObject({ line: 3, column: 3 });
  });

  it("parses a thousand lines", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `KEY${i}=VALUE${i}`).join("\n");
    const parsed = parseDotenv(text, "big.env");
    expect(Object.keys(parsed)).toHaveLength(1000);
    expect(parsed.KEY999).toBe("VALUE999");
  });
});
