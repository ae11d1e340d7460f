import { describe, expect, it } from "vitest";
import {
  InvalidTemplateError,
  MissingRequiredError,
  extractVariables,
  substitute,
  type UnsetReference,
} from "../../src/load/template.js";

// The environment of compose-go's template_test.go, plus a few of our own.
const env: Record<string, string> = {
  FOO: "first",
  BAR: "",
  JSON: '{"json":2}',
  lower: "small",
  A: "value",
};
const lookup = (name: string) => (Object.hasOwn(env, name) ? env[name] : undefined);

function run(template: string) {
  const unset: string[] = [];
  const result = substitute(template, lookup, (ref) => unset.push(ref.name));
  return { result, unset };
}

describe("substitute", () => {
  it.each([
    // plain text and literal dollars
    ["foo", "foo"],
    ["", ""],
    ["a $ string", "a $ string"],
    ["^REGEX$", "^REGEX$"],
    ["$}", "$}"],
    ["$", "$"],
    ["$1", "$1"],
    ["$-x", "$-x"],
    ["100$", "100$"],
    // escapes
    ["$$", "$"],
    ["$${foo}", "${foo}"],
    ["$$FOO", "$FOO"],
    ["$$$FOO", "$first"],
    ["$$$$", "$$"],
    // bare and braced names
    ["$FOO", "first"],
    ["${FOO}", "first"],
    ["This $FOO var", "This first var"],
    ["This ${FOO} var", "This first var"],
    ["$FOO-bar", "first-bar"],
    ["$FOO.bar", "first.bar"],
    ["${FOO}bar", "firstbar"],
    ["$FOObar", ""],
    ["$lower", "small"],
    ["${lower}", "small"],
    ["$FOO$FOO", "firstfirst"],
    ["pre${FOO}mid${FOO}post", "prefirstmidfirstpost"],
    ["This ${missing} var", "This  var"],
    ["This ${BAR} var", "This  var"],
    // :- and -
    ["ok ${missing:-def}", "ok def"],
    ["ok ${missing-def}", "ok def"],
    ["ok ${BAR:-def}", "ok def"],
    ["ok ${BAR-def}", "ok "],
    ["ok ${FOO:-def}", "ok first"],
    ["ok ${FOO-def}", "ok first"],
    ["ok ${BAR:-/non:-alphanumeric}", "ok /non:-alphanumeric"],
    ["${missing:-}", ""],
    ["${missing:-a b c}", "a b c"],
    ["${missing:-a:b}", "a:b"],
    // :+ and +
    ["ok ${UNSET_VAR:+presence_value}", "ok "],
    ["ok ${UNSET_VAR+presence_value}", "ok "],
    ["ok ${FOO:+presence_value}", "ok presence_value"],
    ["ok ${FOO+presence_value}", "ok presence_value"],
    ["ok ${BAR+presence_value}", "ok presence_value"],
    ["ok ${BAR:+presence_value}", "ok "],
    // ? and :? with a value
    ["ok ${FOO:?err}", "ok first"],
    ["ok ${FOO?err}", "ok first"],
    ["ok ${BAR?err}", "ok "],
    // nesting
    ["${FOO:-${BAR:-x}_test}", "first"],
    ["${missing:-${BAR:-x}_test}", "x_test"],
    ["${missing:-${missing2:-${FOO}}}", "first"],
    ["ok ${UNSET_VAR-$FOO}", "ok first"],
    ["ok ${UNSET_VAR-${FOO}}", "ok first"],
    ["ok ${UNSET_VAR-${FOO} ${FOO}}", "ok first first"],
    ["ok ${BAR:-$FOO}", "ok first"],
    ["ok ${BAR:-${FOO}}", "ok first"],
    ["ok ${BAR:-${FOO} ${FOO}}", "ok first first"],
    ["ok ${BAR+$FOO}", "ok first"],
    ["ok ${BAR+$FOO ${FOO:+second}}", "ok first second"],
    ["${A:+${A},}B", "value,B"],
    ["${missing:+${missing},}B", "B"],
    ["${missing:-$$}", "$"],
    // text after the expression, including braces, is kept
    ["${FOO:-a}}", "first}"],
    ["${missing:-a}b}", "ab}"],
    ["${missing:-x} and ${FOO}", "x and first"],
    ["${missing-x} $$B}", "x $B}"],
    ["ok ${SUBDOMAIN:-redis}.${FOO:?}", "ok redis.first"],
    // braces inside defaults
    ['ok ${missing:-{"json":1}}', 'ok {"json":1}'],
    ['ok ${missing-{"json":1}}', 'ok {"json":1}'],
    ['ok ${JSON:-{"json":1}}', 'ok {"json":2}'],
    ['ok ${JSON-{"json":1}}', 'ok {"json":2}'],
    // compose-go TestInterpolationExternalInterference: operators in the surrounding text do not matter
    ["-ok ${BAR:-defaultValue}", "-ok defaultValue"],
    ["+ok ${UNSET:-${BAR-defaultValue}}", "+ok "],
    ["-ok ${FOO:-defaultValue}", "-ok first"],
    [":-ok ${UNSET-defaultValue}", ":-ok defaultValue"],
    [":-ok ${BAR-defaultValue}", ":-ok "],
    [":?ok ${BAR-defaultValue}", ":?ok "],
    [":?ok ${BAR:-defaultValue}", ":?ok defaultValue"],
    [":+ok ${BAR:-defaultValue}", ":+ok defaultValue"],
    ["+ok ${BAR-defaultValue}", "+ok "],
    ["?ok ${BAR:-defaultValue}", "?ok defaultValue"],
    // the first operator after the name decides (TestPrecedence)
    ["${UNSET_VAR-myerror?msg}", "myerror?msg"],
    ["${FOO?bar-baz}", "first"],
    ["${BAR:-default_value_for_empty_var}", "default_value_for_empty_var"],
    ["${UNSET_VAR-default_value_for_unset_var}", "default_value_for_unset_var"],
    ["${missing-a:-b}", "a:-b"],
    ["${missing:-a-b}", "a-b"],
    ["$FOO{x}", "first{x}"],
    ["${FOO}}", "first}"],
    ["{$FOO}", "{first}"],
    ["$_", ""],
    ["${_under:-u}", "u"],
    ["${FOO:-}", "first"],
    ["${missing:-$$FOO}", "$FOO"],
    ["${missing:-${FOO:+${FOO}!}}", "first!"],
    ["a$$b$$c", "a$b$c"],
    // multi-line values: each line on its own
    ["line1 ${FOO}\nline2 ${missing:-d}", "line1 first\nline2 d"],
  ])("%j -> %j", (template, expected) => {
    expect(run(template).result).toBe(expected);
  });

  it.each([
    ["${", "${"],
    ["${}", "${}"],
    ["${ }", "${ }"],
    ["${ foo}", "${ foo}"],
    ["${foo }", "${foo }"],
    ["${foo!}", "${foo!}"],
    ["${1abc}", "${1abc}"],
    ["ok ${FOO", "${FOO"],
    ["${FOO:-x", "${FOO:-x"],
    ["a ${b c} d", "${b c}"],
  ])("%j is an invalid template (expression %j)", (template, expression) => {
    let error: unknown;
    try {
      substitute(template, lookup);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidTemplateError);
    expect((error as InvalidTemplateError).expression).toBe(expression);
  });

  it("reports an invalid template nested in a default at its own level", () => {
    expect(() => substitute("${missing:-${BAR}", lookup)).toThrow(InvalidTemplateError);
    try {
      substitute("${missing:-${BAR}", lookup);
    } catch (error) {
      expect((error as InvalidTemplateError).template).toBe("${BAR");
    }
  });

  it.each([
    ["not ok ${UNSET_VAR:?Mandatory Variable Unset}", "UNSET_VAR", "Mandatory Variable Unset"],
    ["not ok ${BAR:?Mandatory Variable Empty}", "BAR", "Mandatory Variable Empty"],
    ["not ok ${UNSET_VAR:?}", "UNSET_VAR", ""],
    ["not ok ${UNSET_VAR?Mandatory Variable Unset}", "UNSET_VAR", "Mandatory Variable Unset"],
    ["not ok ${UNSET_VAR?}", "UNSET_VAR", ""],
    ["${UNSET_VAR?bar-baz}", "UNSET_VAR", "bar-baz"],
    ["not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}", "UNSET_VAR", "Mandatory Variable first"],
    ["not ok ${UNSET_VAR?Mandatory Variable ${FOO}}", "UNSET_VAR", "Mandatory Variable first"],
    ["${missing:-${NEEDED:?set it}}", "NEEDED", "set it"],
    ["${FOO:+${NEEDED?x}}", "NEEDED", "x"],
  ])("%j requires %s (%j)", (template, variable, reason) => {
    let error: unknown;
    try {
      substitute(template, lookup);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MissingRequiredError);
    const missing = error as MissingRequiredError;
    expect(missing.variable).toBe(variable);
    expect(missing.reason).toBe(reason);
    expect(missing.message).toBe(
      reason
        ? `required variable ${variable} is missing a value: ${reason}`
        : `required variable ${variable} is missing a value`,
    );
  });

  it.each([
    ["$missing", ["missing"]],
    ["${missing}", ["missing"]],
    ["${BAR}", []],
    ["${missing:-x}", []],
    ["${missing-x}", []],
    ["${missing:+x}", []],
    ["${missing+x}", []],
    // a lazy default is only read when used (TestLazyDefaultDoesNotWarn / WarnsWhenUsed)
    ["${A:+${A},}B", []],
    ["${missing:+${other},}B", []],
    ["${missing:-${other}}", ["other"]],
    ["${A?${other}}", []],
    ["$a $b ${c}", ["a", "b", "c"]],
    ["$$notavar", []],
  ])("%j warns about %j", (template, expected) => {
    expect(run(template).unset).toEqual(expected);
  });

  it("tells bare references from braced ones and where they are", () => {
    const refs: UnsetReference[] = [];
    substitute("pa$word and ${other}", lookup, (ref) => refs.push(ref));
    expect(refs).toEqual([
      { name: "word", bare: true, template: "pa$word and ${other}", index: 2 },
      { name: "other", bare: false, template: "pa$word and ${other}", index: 12 },
    ]);
  });
});

describe("extractVariables", () => {
  it.each([
    ["foo", []],
    ["$bar", [{ name: "bar", required: false }]],
    ["$bar_1", [{ name: "bar_1", required: false }]],
    ["${bar}", [{ name: "bar", required: false }]],
    ["${bar?:foo}", [{ name: "bar", required: true }]],
    ["${bar_1?:foo}", [{ name: "bar_1", required: true }]],
    ["${bar?foo}", [{ name: "bar", required: true }]],
    ["${bar:?foo}", [{ name: "bar", required: true }]],
    ["${bar:-foo}", [{ name: "bar", required: false, defaultValue: "foo" }]],
    ["${bar-foo}", [{ name: "bar", required: false, defaultValue: "foo" }]],
    ["${bar:+foo}", [{ name: "bar", required: false, presenceValue: "foo" }]],
    ["${bar+foo}", [{ name: "bar", required: false, presenceValue: "foo" }]],
    ["${bar:-}", [{ name: "bar", required: false }]],
    ["$$escaped", []],
    ["${", []],
    [
      "$docker:${project:-cli}",
      [
        { name: "docker", required: false },
        { name: "project", required: false, defaultValue: "cli" },
      ],
    ],
    [
      "${SUBDOMAIN:-redis}.${ROOTDOMAIN:?}",
      [
        { name: "ROOTDOMAIN", required: true },
        { name: "SUBDOMAIN", required: false, defaultValue: "redis" },
      ],
    ],
    [
      "${SUBDOMAIN:-$ROOTDOMAIN}",
      [
        { name: "SUBDOMAIN", required: false, defaultValue: "$ROOTDOMAIN" },
        { name: "ROOTDOMAIN", required: false },
      ],
    ],
    [
      "${A:-${B:-x}_test}",
      [
        { name: "A", required: false, defaultValue: "${B:-x}_test" },
        { name: "B", required: false, defaultValue: "x" },
      ],
    ],
  ])("%j -> %j", (template, expected) => {
    const sorted = [...extractVariables(template)].sort((a, b) => a.name.localeCompare(b.name));
    expect(sorted).toEqual([...expected].sort((a, b) => a.name.localeCompare(b.name)));
  });
});
