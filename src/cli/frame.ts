import type { SourceLocation } from "../errors.js";

/**
 * Renders the offending source line with a caret under the column, like a compiler:
 *
 *   --> compose.yaml:4:5
 *    |
 *  4 |     helthcheck:
 *    |     ^
 */
export function renderFrame(where: SourceLocation): string {
  const header = `  --> ${where.file}:${where.line}:${where.column}`;
  if (where.lineText === undefined) return header;
  const number = String(where.line);
  const gutter = " ".repeat(number.length);
  const text = where.lineText.replace(/\t/g, " ");
  const caret = " ".repeat(Math.max(0, where.column - 1)) + "^";
  return [header, ` ${gutter} |`, ` ${number} | ${text}`, ` ${gutter} | ${caret}`].join("\n");
}
