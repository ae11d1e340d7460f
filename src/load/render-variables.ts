import type { ComposeVariable } from "./interpolate.js";
import { byText } from "./model-decode.js";
import { emitJson } from "./render-json.js";
import { OrderedMap, type Node } from "./render-node.js";
import { emitYaml } from "./render-yaml.js";

/**
 * `config --variables`, as docker compose prints it: by default a table (Go's tabwriter: columns at least
 * 20 wide, 3 spaces of padding) with NAME, REQUIRED, DEFAULT VALUE and ALTERNATE VALUE; with `--format json`
 * or `yaml` a map from name to compose-go's template.Variable (JSON with four-space indentation, YAML with
 * the lower-cased field names of yaml.Marshal). Rows are sorted by name.
 */
export function renderVariables(variables: readonly ComposeVariable[], format?: "yaml" | "json"): string {
  const rows = [...variables].sort((a, b) => byText(a.name, b.name));
  if (format === "json" || format === "yaml") {
    const json = format === "json";
    const entries = rows.map((v): [string, Node] => [
      v.name,
      new OrderedMap([
        [json ? "Name" : "name", v.name],
        [json ? "DefaultValue" : "defaultvalue", v.defaultValue ?? ""],
        [json ? "PresenceValue" : "presencevalue", v.presenceValue ?? ""],
        [json ? "Required" : "required", v.required],
      ]),
    ]);
    const root = new OrderedMap(entries);
    // compose's JSON goes through an Encoder (trailing newline) and then Println.
    return json ? `${emitJson(root, { indent: "    ", escapeHtml: false })}\n\n` : emitYaml(root, 4);
  }
  return table([
    ["NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE"],
    ...rows.map((v) => [v.name, String(v.required), v.defaultValue ?? "", v.presenceValue ?? ""]),
  ]);
}

/** Go's text/tabwriter with minwidth 20, padding 3: every column but the last padded to a common width. */
function table(rows: readonly string[][]): string {
  const columns = Math.max(...rows.map((row) => row.length));
  const widths: number[] = [];
  for (let c = 0; c < columns - 1; c++) {
    widths[c] = Math.max(20, ...rows.map((row) => [...(row[c] ?? "")].length + 3));
  }
  return rows
    .map((row) =>
      row
        .map((cell, c) => (c < columns - 1 ? cell + " ".repeat((widths[c] ?? 0) - [...cell].length) : cell))
        .join(""),
    )
    .map((line) => `${line}\n`)
    .join("");
}
