import type { Project, Service } from "./model.js";
import { byText } from "./model-decode.js";
import { PROJECT_SECTIONS, SERVICE, type Field, type Shape } from "./model-shape.js";
import { emitJson } from "./render-json.js";
import { Num, OrderedMap, type Node } from "./render-node.js";
import { emitYaml } from "./render-yaml.js";

/**
 * `config` output: the model in Docker Compose's canonical shape. In YAML, keys come in compose-go's struct
 * order (types/types.go, see model-shape.ts) with x- extensions after them, map keys sorted, and empty values
 * left out as Go's `omitempty` does; in JSON, compose's JSON rules apply (top-level keys sorted, no
 * extensions below the top, `command`/`entrypoint` always present, structs held by value always present).
 * Service env and label files are not printed: their content is already in `environment` and `labels`
 * (compose's WithDiscardEnvFile).
 */

export type RenderFormat = "yaml" | "json";

type Mode = RenderFormat;

export function renderProject(project: Project, format: RenderFormat): string {
  const sections: Array<[string, Node]> = [];
  for (const [key, shape] of PROJECT_SECTIONS) {
    const value = sectionValue(project, key);
    const node = value === undefined ? new OrderedMap([]) : toNode(value, shape, format);
    if (key === "services" || (node instanceof OrderedMap && node.entries.length > 0))
      sections.push([key, node]);
  }
  const extensions = Object.keys(project.extensions)
    .sort(byText)
    .map((key): [string, Node] => [key, anyNode(project.extensions[key])]);
  if (format === "json") {
    const all: Array<[string, Node]> = [["name", project.name], ...sections, ...extensions];
    return emitJson(new OrderedMap(all.sort(([a], [b]) => byText(a, b))));
  }
  return emitYaml(new OrderedMap([["name", project.name], ...sections, ...extensions]));
}

/**
 * An unnormalized or uninterpolated tree (`config --no-interpolate`), printed as compose prints its raw
 * model: every map's keys sorted.
 */
export function renderTree(tree: unknown, format: RenderFormat): string {
  const node = anyNode(tree);
  return format === "json" ? emitJson(node) : emitYaml(node);
}

/** One service as compact JSON in compose-go's field order, as Go's json.Marshal writes it (for hashes). */
export function renderServiceJson(service: Service): string {
  return emitJson(toNode(service, SERVICE, "json"), { compact: true });
}

function sectionValue(project: Project, key: string): Readonly<Record<string, unknown>> | undefined {
  switch (key) {
    case "services":
      return mapValues(project.services, (service) => omit(service, ["env_file", "label_file"]));
    case "secrets":
      return mapValues(project.secrets, (secret) => omit(secret, ["content"]));
    case "configs":
      return mapValues(project.configs, (config) =>
        config.environment ? omit(config, ["content"]) : config,
      );
    default:
      return (project as unknown as Record<string, Readonly<Record<string, unknown>> | undefined>)[key];
  }
}

function mapValues<T>(
  record: Readonly<Record<string, T>>,
  fn: (value: T) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    Object.defineProperty(out, key, {
      value: fn(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function omit(value: object, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!keys.includes(key))
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true });
  }
  return out;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const text = (value: unknown): string => (typeof value === "string" ? value : String(value));

/** A model value as a document node, by shape; undefined when there is nothing to print. */
function toNode(value: unknown, shape: Shape, mode: Mode): Node {
  if (value === null) return null;
  // A value still holding `${VAR}` (config --no-interpolate) is printed as written.
  if (
    typeof value === "string" &&
    !["str", "duration", "fileMode"].includes(shape.t) &&
    value.includes("$")
  ) {
    return value;
  }
  switch (shape.t) {
    case "str":
    case "duration":
      return text(value);
    case "int":
    case "deviceCount":
      return typeof value === "number" ? Num.int(value) : text(value);
    case "float":
      return typeof value === "number" ? Num.float(value) : text(value);
    case "bool":
      return value === true;
    case "bytes":
      return text(value);
    case "fileMode":
      return typeof value === "number" ? `0${value.toString(8)}` : text(value);
    case "command":
    case "strings":
    case "numberStrings":
    case "hosts":
    case "healthTest":
      return (value as readonly unknown[]).map(text);
    case "mapping":
    case "mappingEq":
    case "multiOptions":
    case "any":
      return anyNode(value);
    case "ulimit":
      return isRecord(value)
        ? new OrderedMap([
            ["soft", Num.int(Number(value.soft))],
            ["hard", Num.int(Number(value.hard))],
          ])
        : Num.int(Number(value));
    case "envFile": {
      // Docker Compose v2 prints a required env file as its path, an optional one as {path, required}.
      const file = value as { path: string; required: boolean };
      return file.required
        ? file.path
        : new OrderedMap([
            ["path", file.path],
            ["required", false],
          ]);
    }
    case "ssh":
      // compose prints `id: path`, which its own loader rejects; `id=path` reads back the same.
      return (value as Array<{ id: string; path?: string }>).map((key) =>
        key.path === undefined ? key.id : `${key.id}=${key.path}`,
      );
    case "list":
      return (value as readonly unknown[]).map((item) => toNode(item, shape.of, mode));
    case "map":
      return new OrderedMap(
        Object.keys(value as object)
          .sort(byText)
          .map((key): [string, Node] => {
            const item = (value as Record<string, unknown>)[key];
            if (item === null && shape.nullable) return [key, null];
            return [key, toNode(item ?? {}, shape.of, mode)];
          }),
      );
    case "struct":
      return structNode(value as Record<string, unknown>, shape.fields, mode);
  }
}

function structNode(value: Record<string, unknown>, fields: readonly Field[], mode: Mode): OrderedMap {
  const entries: Array<[string, Node]> = [];
  const known = new Set<string>();
  for (const field of fields) {
    known.add(field.key);
    const item = value[field.key];
    if (item === undefined) {
      if (mode === "json" && field.jsonNull) entries.push([field.key, null]);
      else if (mode === "json" && field.value && field.shape.t === "struct") {
        entries.push([field.key, structNode({}, field.shape.fields, mode)]);
      }
      continue;
    }
    const node = toNode(item, field.shape, mode);
    if (field.shape.t === "struct") {
      const empty = node instanceof OrderedMap && node.entries.length === 0;
      if (field.value && empty && mode === "yaml") continue;
    } else if (!field.keep && isZero(node)) {
      continue;
    }
    entries.push([field.key, node]);
  }
  if (mode === "yaml") {
    for (const key of Object.keys(value).sort(byText)) {
      if (!known.has(key)) entries.push([key, anyNode(value[key])]);
    }
  }
  return new OrderedMap(entries);
}

/** Go's omitempty: false, 0, "", and empty lists and maps are left out. */
function isZero(node: Node): boolean {
  if (node === null || node === false || node === "") return true;
  if (node instanceof Num) return node.json === "0";
  if (node instanceof OrderedMap) return node.entries.length === 0;
  return Array.isArray(node) && node.length === 0;
}

/** A value without a shape (extensions, raw trees): maps with sorted keys, as Go prints map[string]any. */
function anyNode(value: unknown): Node {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isInteger(value) ? Num.int(value) : Num.float(value);
  if (Array.isArray(value)) return value.map(anyNode);
  if (isRecord(value)) {
    return new OrderedMap(
      Object.keys(value)
        .sort(byText)
        .map((key): [string, Node] => [key, anyNode(value[key])]),
    );
  }
  return text(value);
}
