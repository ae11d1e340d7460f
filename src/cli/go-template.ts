import { TscError } from "../errors.js";

/**
 * The part of Go's text/template that scripts give `docker inspect -f`: text with `{{.Field.Path}}` and
 * `{{json .Field.Path}}` actions (`{{.}}` and `{{json .}}` for the whole value). Values print as Go's
 * fmt prints them (`[a b]`, `map[k:v]`, `<no value>` for a missing field); anything else is refused with
 * what is supported, rather than printed wrong.
 */

const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g;
const PATH = /^\.(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?$/;

function unsupported(template: string, action: string): TscError {
  return new TscError("E_USAGE", `unsupported template action {{${action}}} in ${JSON.stringify(template)}`, {
    hint: "tscompose's -f understands {{.Field.Path}} and {{json .Field.Path}}; use --format json for the rest",
  });
}

function lookup(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".").filter(Boolean)) {
    if (current === null || typeof current !== "object" || !(key in current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** fmt's %v for JSON-shaped values. */
export function goFormat(value: unknown): string {
  if (value === undefined) return "<no value>";
  if (value === null) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goFormat).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${key}:${goFormat((value as Record<string, unknown>)[key])}`);
    return `map[${entries.join(" ")}]`;
  }
  return String(value);
}

/** Renders `template` against `value`; throws E_USAGE for an action outside the supported part. */
export function renderGoTemplate(template: string, value: unknown): string {
  return template.replace(ACTION, (_match, action: string) => {
    const json = /^json\s+(\S+)$/.exec(action);
    const path = json ? json[1] : action;
    if (path === undefined || !PATH.test(path)) throw unsupported(template, action);
    const found = lookup(value, path);
    return json ? JSON.stringify(found ?? null) : goFormat(found);
  });
}
