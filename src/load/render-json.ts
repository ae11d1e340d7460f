import { Num, OrderedMap, type Node } from "./render-node.js";

/**
 * Writes a document as Go's encoding/json does: json.MarshalIndent(v, "", "  ") by default (two-space
 * indentation, `{}` and `[]` for empty containers), json.Marshal's compact form with `compact`; strings with
 * Go's (1.22+) escapes (`<`, `>`, `&`, U+2028 and U+2029 as \u sequences).
 */
export function emitJson(root: Node, options: JsonOptions = {}): string {
  const quote = options.escapeHtml === false ? quotePlain : quoteHtml;
  return write(root, options.compact ? null : "", options.indent ?? "  ", quote);
}

export interface JsonOptions {
  /** json.Marshal's form: no spaces, no line breaks. */
  compact?: boolean;
  /** Indentation per level (MarshalIndent's `indent`), two spaces by default. */
  indent?: string;
  /** false: `<`, `>` and `&` as themselves (an Encoder with SetEscapeHTML(false)). */
  escapeHtml?: boolean;
}

/** `pad` is the current indentation, null in compact form. */
function write(value: Node, pad: string | null, step: string, quote: (text: string) => string): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Num) return value.json;
  if (typeof value === "string") return quote(value);
  const inner = pad === null ? null : pad + step;
  const open = (items: string[], start: string, end: string) =>
    inner === null
      ? `${start}${items.join(",")}${end}`
      : `${start}\n${items.map((i) => inner + i).join(",\n")}\n${pad}${end}`;
  if (value instanceof OrderedMap) {
    if (value.entries.length === 0) return "{}";
    const colon = inner === null ? ":" : ": ";
    return open(
      value.entries.map(([key, item]) => `${quote(key)}${colon}${write(item, inner, step, quote)}`),
      "{",
      "}",
    );
  }
  const list = value as readonly Node[];
  if (list.length === 0) return "[]";
  return open(
    list.map((item) => write(item, inner, step, quote)),
    "[",
    "]",
  );
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

const HTML = new Set(["<", ">", "&"]);

const quoteHtml = (text: string) => quote(text, true);
const quotePlain = (text: string) => quote(text, false);

function quote(text: string, html: boolean): string {
  let out = '"';
  for (const c of text) {
    const escape = html || !HTML.has(c) ? ESCAPES[c] : undefined;
    if (escape) out += escape;
    else if (c < " ") out += `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return `${out}"`;
}
