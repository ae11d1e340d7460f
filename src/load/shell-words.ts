import { TscError } from "../errors.js";

/**
 * Splits a command string into words as compose does for `command` and `entrypoint` (mattn/go-shellwords with
 * its defaults: no variable or backtick expansion). Quotes group words and are removed, a backslash escapes
 * the next character outside single quotes, and parsing stops at an unquoted `;`, `&`, `|`, `<` or `>` (the
 * rest of the line is dropped, as in compose). Unbalanced quotes are an error.
 */
export function splitShellWords(line: string): string[] {
  const args: string[] = [];
  let buf = "";
  let escaped = false;
  let single = false;
  let double = false;
  let backQuote = false;
  let dollarQuote = false;
  let started = false;

  for (const char of line) {
    if (escaped) {
      buf += char;
      escaped = false;
      started = true;
      continue;
    }
    if (char === "\\") {
      if (single) buf += char;
      else escaped = true;
      continue;
    }
    if (char === " " || char === "\t" || char === "\r" || char === "\n") {
      if (single || double || backQuote || dollarQuote) {
        buf += char;
      } else if (started) {
        args.push(buf);
        buf = "";
        started = false;
      }
      continue;
    }
    const quoted = single || double || backQuote || dollarQuote;
    if (char === "`" && !single && !double && !dollarQuote) {
      backQuote = !backQuote;
      continue;
    }
    if (char === ")" && !single && !double && !backQuote) {
      dollarQuote = !dollarQuote;
      continue;
    }
    if (char === "(" && !single && !double && !backQuote) {
      if (dollarQuote || !buf.endsWith("$")) throw invalid(line);
      dollarQuote = true;
      buf += char;
      continue;
    }
    if (char === '"' && !single && !dollarQuote) {
      if (double) started = true;
      double = !double;
      continue;
    }
    if (char === "'" && !double && !dollarQuote) {
      if (single) started = true;
      single = !single;
      continue;
    }
    if (";&|<>".includes(char) && !quoted) break;
    started = true;
    buf += char;
  }
  if (started) args.push(buf);
  if (escaped || single || double || backQuote || dollarQuote) throw invalid(line);
  return args;
}

function invalid(line: string): TscError {
  return new TscError("E_LOAD_TYPE", `invalid command line string: ${line}`, {
    hint: "balance the quotes, or write the command as a list of words",
  });
}
