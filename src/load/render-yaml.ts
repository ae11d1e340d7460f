import { Num, OrderedMap, type Node } from "./render-node.js";

/**
 * Writes a document the way docker compose does (go yaml v3/v4 with SetIndent(2), no line folding): block
 * mappings and sequences, sequences indented under their key, `{}`/`[]` for empty containers, and each
 * string in the style the Go encoder picks: double quotes for text that would read back as another type
 * (`"8080"`, `"true"`, `"yes"`, `""`), a literal block for multi-line text, single quotes when a plain
 * scalar is not allowed (`'*.log'`, `'a: b'`), plain otherwise.
 */
export function emitYaml(root: Node, step = 2): string {
  const lines: string[] = [];
  new Writer(lines, step).value(root, 0, null);
  return lines.join("\n") + "\n";
}

class Writer {
  constructor(
    private readonly lines: string[],
    /** Indentation per nesting level (SetIndent); a sequence item's content is 2 past its dash. */
    private readonly step: number,
  ) {}

  /**
   * Writes `value`; `lead` is the text that starts its first line (a dash, with its indentation), or null
   * when the value starts on a line of its own. `indent` is the column where nested entries of `value` start.
   */
  value(value: Node, indent: number, lead: string | null): void {
    const pad = " ".repeat(indent);
    const sharesLead = lead !== null && lead.endsWith("-");
    if (value instanceof OrderedMap && value.entries.length > 0) {
      value.entries.forEach(([key, item], i) => {
        const keyText = `${scalar(key)}:`;
        // The first entry of a map in a sequence item shares the dash's line.
        this.entry(i === 0 && sharesLead ? `${lead} ${keyText}` : `${pad}${keyText}`, item, indent);
      });
      return;
    }
    if (Array.isArray(value) && value.length > 0) {
      (value as readonly Node[]).forEach((item, i) => {
        this.value(item, indent + 2, i === 0 && sharesLead ? `${lead} -` : `${pad}-`);
      });
      return;
    }
    const text = inline(value, indent, this.step);
    this.lines.push(lead === null ? text : `${lead} ${text}`);
  }

  /** One `key: value` entry whose key text (with its indentation) is `head`. */
  private entry(head: string, item: Node, indent: number): void {
    const nested =
      (item instanceof OrderedMap && item.entries.length > 0) || (Array.isArray(item) && item.length > 0);
    if (nested) {
      this.lines.push(head);
      this.value(item, indent + this.step, null);
    } else {
      this.lines.push(`${head} ${inline(item, indent + this.step, this.step)}`);
    }
  }
}

/**
 * A scalar or an empty container on the current line; a literal block continues on the next lines, at
 * `column` (two past the key or the dash that introduces it).
 */
function inline(value: Node, column: number, step: number): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Num) return value.yaml;
  if (value instanceof OrderedMap) return "{}";
  if (Array.isArray(value)) return "[]";
  const text = value as string;
  if (text.includes("\n") && analyze(text).blockAllowed) return literal(text, column, step);
  return scalar(text);
}

function literal(text: string, column: number, step: number): string {
  const pad = " ".repeat(column);
  let header = "|";
  // libyaml states the indentation when the text itself starts with a space or a line break.
  if (text.startsWith(" ") || text.startsWith("\n")) header += String(step);
  if (!text.endsWith("\n")) header += "-";
  else if (text === "\n" || text.endsWith("\n\n")) header += "+";
  const body = (text.endsWith("\n") ? text.slice(0, -1) : text)
    .split("\n")
    .map((line) => (line === "" ? "" : pad + line));
  return [header, ...body].join("\n");
}

/** A one-line string scalar (or key) in the style go yaml picks. */
function scalar(text: string): string {
  if (resolvesToOtherType(text)) return doubleQuoted(text);
  const analysis = analyze(text);
  if (analysis.blockPlain && text !== "") return text;
  if (analysis.singleQuoted) return `'${text.replace(/'/g, "''")}'`;
  return doubleQuoted(text);
}

interface Analysis {
  blockPlain: boolean;
  singleQuoted: boolean;
  blockAllowed: boolean;
}

const isBreak = (c: string) => c === "\n" || c === "\r" || c === "\u0085" || c === "\u2028" || c === "\u2029";
const isBlank = (c: string | undefined) => c === " " || c === "\t";

function isPrintable(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    code === 0x85 ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) ||
    code >= 0x10000
  );
}

/** libyaml's yaml_emitter_analyze_scalar, reduced to the block context compose output uses. */
function analyze(text: string): Analysis {
  if (text === "") return { blockPlain: false, singleQuoted: true, blockAllowed: false };
  const chars = [...text];
  let blockIndicators = text.startsWith("---") || text.startsWith("...");
  let special = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  chars.forEach((c, i) => {
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || isBlank(next) || isBreak(next);
    const first = i === 0;
    const last = i === chars.length - 1;
    if (first) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) blockIndicators = true;
      if ((c === "?" || c === ":") && followedByWhitespace) blockIndicators = true;
      if (c === "-" && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ":" && followedByWhitespace) blockIndicators = true;
      if (c === "#" && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === " ") {
      if (first) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (first) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c) || isBreak(c);
  });
  let blockPlain = true;
  let singleQuoted = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) blockPlain = singleQuoted = false;
  if (spaceBreak || special) blockPlain = singleQuoted = blockAllowed = false;
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { blockPlain, singleQuoted, blockAllowed };
}

const NULLS = new Set(["~", "null", "Null", "NULL"]);
const BOOLS = new Set(["true", "True", "TRUE", "false", "False", "FALSE"]);
const OLD_BOOLS = new Set([
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "on",
  "On",
  "ON",
  "off",
  "Off",
  "OFF",
]);
const SPECIAL_FLOATS = /^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/;
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP =
  /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]| +)\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d*)?(?: *(?:Z|[-+]\d{1,2}(?::\d{2})?))?)?$/;

/** Whether go yaml would read the plain text back as something other than a string (so it quotes it). */
function resolvesToOtherType(text: string): boolean {
  if (text === "" || NULLS.has(text) || BOOLS.has(text) || OLD_BOOLS.has(text) || text === "<<") return true;
  if (SPECIAL_FLOATS.test(text) || BASE60.test(text) || TIMESTAMP.test(text)) return true;
  if (!/^[-+.0-9]/.test(text)) return false;
  const plain = text.replace(/_/g, "");
  return GO_INT.test(plain) || YAML_FLOAT.test(plain);
}

const ESCAPES: Readonly<Record<string, string>> = {
  "\0": "\\0",
  "\x07": "\\a",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\v": "\\v",
  "\f": "\\f",
  "\r": "\\r",
  "\x1b": "\\e",
  '"': '\\"',
  "\\": "\\\\",
  "\u0085": "\\N",
  "\u00a0": "\\_",
  "\u2028": "\\L",
  "\u2029": "\\P",
};

function doubleQuoted(text: string): string {
  let out = '"';
  for (const c of text) {
    const escape = ESCAPES[c];
    if (escape) out += escape;
    else if (!isPrintable(c) || c === "\ufeff") out += hexEscape(c.codePointAt(0) ?? 0);
    else out += c;
  }
  return `${out}"`;
}

function hexEscape(code: number): string {
  if (code <= 0xff) return `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
  if (code <= 0xffff) return `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return `\\U${code.toString(16).toUpperCase().padStart(8, "0")}`;
}
