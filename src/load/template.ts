/**
 * `${VAR}` substitution on one string, with compose-go's semantics (template/template.go): `$VAR`, `${VAR}`,
 * `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`, `${VAR:+a}`, `${VAR+a}`, nesting inside the word after the
 * operator, `$$` for a literal dollar. Names are `[_a-z][_a-z0-9]*`, case-insensitive; a `$` not followed by a
 * name, `{` or `$` stays literal; `${` that does not open a valid expression is an error.
 */

/** How a value is looked up: `undefined` means unset (which differs from the empty string). */
export type Lookup = (name: string) => string | undefined;

/** Called for each variable that is read but unset and has no default: compose warns about these. */
export type OnUnset = (reference: UnsetReference) => void;

export interface UnsetReference {
  name: string;
  /** `$NAME` (true) or `${NAME}` (false). */
  bare: boolean;
  /** The string the reference sits in, and where the `$` is in it. */
  template: string;
  index: number;
}

/** A `${` that does not open a valid expression. */
export class InvalidTemplateError extends Error {
  constructor(
    /** The string (at the nesting level where the problem is) and the offending `${...` text in it. */
    readonly template: string,
    readonly expression: string,
  ) {
    super(`invalid interpolation format: ${JSON.stringify(expression)}`);
    this.name = "InvalidTemplateError";
  }
}

/** `${VAR:?reason}` or `${VAR?reason}` with VAR missing. */
export class MissingRequiredError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
    readonly expression: string,
  ) {
    super(
      reason === ""
        ? `required variable ${variable} is missing a value`
        : `required variable ${variable} is missing a value: ${reason}`,
    );
    this.name = "MissingRequiredError";
  }
}

// compose-go's DefaultPattern; `[^\n]` stands for Go's `.` (which, unlike JS's, matches `\r`).
const SOURCE = String.raw`\$(?:(\$)|([_a-z][_a-z0-9]*)|\{(?:([_a-z][_a-z0-9]*(?::?[-+?]([^\n]*))?)\}|()))`;
const PATTERN_ALL = new RegExp(SOURCE, "gi");
const PATTERN_ONE = new RegExp(SOURCE, "i");

type Operator = ":?" | "?" | ":-" | "-" | ":+" | "+";
const OPERATORS: readonly Operator[] = [":?", "?", ":-", "-", ":+", "+"];

/** Substitutes every reference in `template`. Throws InvalidTemplateError or MissingRequiredError. */
export function substitute(template: string, lookup: Lookup, onUnset?: OnUnset): string {
  if (!template.includes("$")) return template;
  return template.replace(PATTERN_ALL, (match: string, ...rest: unknown[]) =>
    replaceOne(match, rest[rest.length - 2] as number, template, lookup, onUnset),
  );
}

/** One match of the pattern, as compose-go's DefaultReplacementAppliedFunc does it. */
function replaceOne(
  match: string,
  index: number,
  template: string,
  lookup: Lookup,
  onUnset: OnUnset | undefined,
): string {
  // The operator is chosen on the whole match, before it is cut at its first closing brace.
  const operator = firstOperator(match);
  let substring = match;
  let rest = "";
  const closing = firstBraceClosingIndex(match);
  if (closing > -1) {
    rest = match.slice(closing + 1);
    substring = match.slice(0, closing + 1);
  }
  const groups = PATTERN_ONE.exec(substring);
  if (groups?.[1]) return "$";
  const named = groups?.[2];
  const braced = groups?.[3];
  if (!named && !braced) throw new InvalidTemplateError(template, invalidExpression(template, index));
  if (braced) {
    const applied = applyOperator(operator, braced, substring, lookup, onUnset);
    if (applied !== undefined) return applied + substitute(rest, lookup, onUnset);
  }
  const name = (named ?? braced)!;
  const value = lookup(name);
  if (value === undefined) {
    onUnset?.({ name, bare: named !== undefined, template, index });
    return "";
  }
  return value;
}

/** The value of `${NAME<op>word}`, or undefined when `substitution` has no operator. */
function applyOperator(
  operator: Operator | undefined,
  substitution: string,
  expression: string,
  lookup: Lookup,
  onUnset: OnUnset | undefined,
): string | undefined {
  if (operator === undefined || !substitution.includes(operator)) return undefined;
  const at = substitution.indexOf(operator);
  const name = substitution.slice(0, at);
  const word = substitution.slice(at + operator.length);
  const value = lookup(name);
  switch (operator) {
    case ":-":
    case "-":
      if (value === undefined || (operator === ":-" && value === ""))
        return substitute(word, lookup, onUnset);
      return value;
    case ":+":
    case "+":
      if (value !== undefined && (operator === "+" || value !== "")) return substitute(word, lookup, onUnset);
      return value ?? "";
    case ":?":
    case "?":
      if (value === undefined || (operator === ":?" && value === "")) {
        throw new MissingRequiredError(name, substitute(word, lookup, onUnset), expression);
      }
      return value;
  }
}

/** The operator that occurs first in `text` (compose-go sorts the six by their first index). */
function firstOperator(text: string): Operator | undefined {
  let best: Operator | undefined;
  let bestIndex = Infinity;
  for (const operator of OPERATORS) {
    const at = text.indexOf(operator);
    if (at >= 0 && at < bestIndex) {
      best = operator;
      bestIndex = at;
    }
  }
  return best;
}

/** The index of the `}` that closes the first `{`; the character after each `{` is skipped, as compose-go does. */
export function firstBraceClosingIndex(text: string): number {
  let open = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "}") {
      open--;
      if (open === 0) return i;
    }
    if (text[i] === "{") {
      open++;
      i++;
    }
  }
  return -1;
}

/** The malformed `${...` text at `index`: up to the first `}` on that line, else to the end of the line. */
function invalidExpression(template: string, index: number): string {
  const tail = template.slice(index).split("\n")[0]!;
  const close = tail.indexOf("}");
  return close >= 0 ? tail.slice(0, close + 1) : tail;
}

/** A variable referenced by a template, for `config --variables` (compose-go template/variables.go). */
export interface TemplateVariable {
  name: string;
  required: boolean;
  defaultValue?: string;
  presenceValue?: string;
}

/** Every variable `template` references, in order, including those inside defaults and alternatives. */
export function extractVariables(template: string): TemplateVariable[] {
  const out: TemplateVariable[] = [];
  if (!template.includes("$")) return out;
  for (const groups of template.matchAll(PATTERN_ALL)) {
    if (groups[1]) continue;
    let body = groups[2] ?? groups[3] ?? "";
    if (groups[2] === undefined) {
      const whole = groups[0];
      const closing = firstBraceClosingIndex(whole);
      if (closing > 0) {
        body = whole.slice(2, closing);
        out.push(...extractVariables(whole.slice(closing + 1)));
      }
    }
    const end = body.search(/[^A-Za-z0-9_]/);
    const name = end > 0 ? body.slice(0, end) : body;
    if (name === "" || end === 0) continue;
    const variable: TemplateVariable = { name, required: false };
    const operatorText = end > 0 ? body.slice(end) : "";
    const operator = OPERATORS.find((op) => operatorText.startsWith(op));
    const word = operator ? operatorText.slice(operator.length) : "";
    if (operator === ":?" || operator === "?") variable.required = true;
    if ((operator === ":-" || operator === "-") && word !== "") variable.defaultValue = word;
    if ((operator === ":+" || operator === "+") && word !== "") variable.presenceValue = word;
    out.push(variable);
    if (variable.defaultValue) out.push(...extractVariables(variable.defaultValue));
    if (variable.presenceValue) out.push(...extractVariables(variable.presenceValue));
  }
  return out;
}
