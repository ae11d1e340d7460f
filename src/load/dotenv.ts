import { TscError, type SourceLocation } from "../errors.js";
import {
  InvalidTemplateError,
  MissingRequiredError,
  substitute,
  type Lookup,
  type OnUnset,
} from "./template.js";

/**
 * The `.env` grammar of compose-go (dotenv/parser.go): `KEY=VALUE` or `KEY: VALUE`, an optional `export `
 * prefix, `#` comments (inline only after a space in unquoted values), single quotes literal, double quotes
 * with escapes, quoted values spanning lines, `${VAR}` substitution in unquoted and double-quoted values (the
 * lookup first, then keys defined earlier), and a bare `KEY` that takes its value from the lookup or is dropped.
 * Two deliberate differences: a bare `KEY` on the last line without a line break is a bare key (compose-go
 * stores its name as the value of an empty key), and any whitespace inside a key is an error (not only ' ').
 */

export interface DotenvOptions {
  /** Values that win over earlier keys of the file when substituting (compose passes the process env). */
  lookup?: Lookup;
  /** Called for each variable that a value references but that is set nowhere. */
  onUnset?: (name: string, where: SourceLocation) => void;
  /** Keys already read from earlier files: substitution sees them, and the result extends them. */
  into?: Record<string, string>;
}

export interface DotenvEntries {
  values: Record<string, string>;
  /** Where each key was (last) set, for errors about a value that came from an env file. */
  locations: Map<string, SourceLocation>;
}

/** Parses the text of one env file. `file` names it in locations and messages. */
export function parseDotenv(text: string, file: string, options: DotenvOptions = {}): Record<string, string> {
  return parseDotenvEntries(text, file, options).values;
}

/** Like parseDotenv, also returning where each key was set. */
export function parseDotenvEntries(text: string, file: string, options: DotenvOptions = {}): DotenvEntries {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return new Parser(source, file, options).parse();
}

// Go RE2's \s, not JS's wider one.
const EXPORT = /^export[\t\n\f\r ]+/;

/** Go's unicode.IsSpace. */
function isUnicodeSpace(c: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/.test(c);
}

/** compose-go's isSpace: whitespace but not a line break. */
function isSpace(c: string): boolean {
  return c !== "\n" && isUnicodeSpace(c);
}

function isKeyChar(c: string): boolean {
  return /^[_.\-[\]\p{L}\p{N}]$/u.test(c);
}

class Parser {
  private readonly values: Record<string, string>;
  private readonly locations = new Map<string, SourceLocation>();
  private readonly lines: string[];
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly src: string,
    private readonly file: string,
    private readonly options: DotenvOptions,
  ) {
    this.values = options.into ?? {};
    this.lines = src.split("\n");
    for (let i = 0; i < src.length; i++) if (src[i] === "\n") this.lineStarts.push(i + 1);
  }

  parse(): DotenvEntries {
    let pos = 0;
    for (;;) {
      pos = this.statementStart(pos);
      if (pos >= this.src.length) break;
      pos = this.statement(pos);
    }
    return { values: this.values, locations: this.locations };
  }

  /** Skips blank space and comment lines; returns the offset of the next statement. */
  private statementStart(from: number): number {
    let pos = from;
    while (pos < this.src.length) {
      const c = this.src[pos]!;
      if (isUnicodeSpace(c)) {
        pos++;
      } else if (c === "#") {
        const end = this.src.indexOf("\n", pos);
        pos = end === -1 ? this.src.length : end;
      } else {
        break;
      }
    }
    return pos;
  }

  /** One `KEY=VALUE` (or bare `KEY`) statement starting at `start`; returns where the next one may start. */
  private statement(start: number): number {
    let pos = start;
    const exported = EXPORT.exec(this.src.slice(pos, pos + 64));
    if (exported) {
      pos += "export".length;
      while (pos < this.src.length && isSpace(this.src[pos]!)) pos++;
    }
    const keyStart = pos;
    let separator = "";
    for (; pos < this.src.length; pos++) {
      const c = this.src[pos]!;
      if (isSpace(c)) continue;
      if (c === "=" || c === ":" || c === "\n") {
        separator = c;
        break;
      }
      if (isKeyChar(c)) continue;
      const line = this.src.slice(keyStart).split("\n")[0]!;
      throw this.error(
        pos,
        `unexpected character ${JSON.stringify(c)} in variable name ${JSON.stringify(line)}`,
        "a line is KEY=VALUE; names use letters, digits, '_', '.', '-', '[' and ']' (quote values with special characters)",
      );
    }
    const key = this.src.slice(keyStart, pos).replace(/[\s\u0085]+$/u, "");
    if (/[\s\u0085\u00a0]/u.test(key)) {
      throw this.error(
        keyStart,
        `key cannot contain a space: ${JSON.stringify(key)}`,
        "remove the space from the name, or put a '#' in front of a line that is not a variable",
      );
    }
    // A bare KEY (a line break or the end of the file right after the name) inherits from the lookup.
    if (separator === "\n" || separator === "") {
      const value =
        this.options.lookup?.(key) ?? (Object.hasOwn(this.values, key) ? this.values[key] : undefined);
      if (value !== undefined) this.set(key, value, keyStart);
      return pos + 1;
    }
    pos++;
    while (pos < this.src.length && isSpace(this.src[pos]!)) pos++;
    return this.value(key, keyStart, pos);
  }

  private value(key: string, keyStart: number, start: number): number {
    const quote = this.src[start];
    if (quote !== '"' && quote !== "'") {
      const lineEnd = this.src.indexOf("\n", start);
      const end = lineEnd === -1 ? this.src.length : lineEnd;
      let raw = this.src.slice(start, end);
      const comment = raw.indexOf(" #");
      if (comment >= 0) raw = raw.slice(0, comment);
      raw = raw.replace(/[\s\u0085]+$/u, "");
      this.set(key, this.expand(raw, start), keyStart);
      return end + 1;
    }
    let chars = "";
    let escaped = false;
    for (let i = start + 1; i < this.src.length; i++) {
      const c = this.src[i]!;
      if (c !== quote) {
        if (!escaped && c === "\\") {
          escaped = true;
          continue;
        }
        if (escaped) {
          escaped = false;
          chars += "\\";
        }
        chars += c;
        continue;
      }
      if (escaped) {
        escaped = false;
        chars += c;
        continue;
      }
      const value = quote === '"' ? this.expand(expandEscapes(chars), start) : chars;
      this.set(key, value, keyStart);
      return i + 1;
    }
    throw this.error(
      start,
      `unterminated quoted value ${this.src.slice(start).split("\n")[0]}`,
      `close the value with a matching ${quote === '"' ? "double" : "single"} quote`,
    );
  }

  /** `${VAR}` substitution: the lookup first, then keys defined earlier in the files. */
  private expand(value: string, at: number): string {
    const lookup: Lookup = (name) =>
      this.options.lookup?.(name) ?? (Object.hasOwn(this.values, name) ? this.values[name] : undefined);
    const where = this.location(at);
    const onUnset: OnUnset | undefined = this.options.onUnset
      ? (reference) => this.options.onUnset!(reference.name, where)
      : undefined;
    try {
      return substitute(value, lookup, onUnset);
    } catch (error) {
      if (error instanceof InvalidTemplateError) {
        throw new TscError(
          "E_LOAD_INTERPOLATION",
          `${this.file}: line ${where.line}: invalid interpolation format ${JSON.stringify(error.expression)}`,
          { where, hint: "write $$ (or \\$ in double quotes) for a literal dollar sign" },
        );
      }
      if (error instanceof MissingRequiredError) {
        throw new TscError("E_LOAD_REQUIRED_VAR", `${this.file}: line ${where.line}: ${error.message}`, {
          where,
          hint: `set ${error.variable} in the environment or earlier in this file`,
        });
      }
      throw error;
    }
  }

  private set(key: string, value: string, at: number): void {
    this.values[key] = value;
    this.locations.set(key, this.location(at));
  }

  private location(offset: number): SourceLocation {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    const lineText = (this.lines[low] ?? "").replace(/\r$/, "");
    return { file: this.file, line: low + 1, column: offset - this.lineStarts[low]! + 1, lineText };
  }

  private error(offset: number, message: string, hint: string): TscError {
    const where = this.location(offset);
    return new TscError("E_LOAD_ENV_FILE", `${this.file}: line ${where.line}: ${message}`, { where, hint });
  }
}

const ESCAPE = /\\(?:[abcfnrtv$"\\]|0\d{0,3})/g;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  c: "\\c",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  '"': '"',
  "\\": "\\",
};

/**
 * The escapes of a double-quoted value: `\n \t \r \a \b \f \v \\ \"`, XSI octal `\0ooo`, and `\$` which
 * becomes `$$` so that substitution keeps a literal dollar. Anything else stays as written.
 */
function expandEscapes(text: string): string {
  return text.replace(ESCAPE, (match) => {
    const c = match[1]!;
    if (c === "$") return "$$";
    if (c === "0") {
      // Go's UnquoteChar wants exactly three octal digits after the backslash, at most \377.
      const digits = match.slice(2);
      if (!/^[0-7]{3}$/.test(digits)) return match;
      const code = parseInt(digits, 8);
      return code > 0o377 ? match : String.fromCharCode(code);
    }
    return SIMPLE_ESCAPES[c] ?? match;
  });
}
