import {
  LineCounter,
  parseAllDocuments,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  isPair,
  type Node,
  type Document,
} from "yaml";
import { TscError, type SourceLocation } from "../errors.js";

/**
 * Reads YAML into plain JS trees (YAML 1.2 core schema: an unquoted `22:22` is a string) while keeping the
 * source location of every map, sequence, key and value. Locations live in a WeakMap keyed by the container
 * object, so later phases can keep working on plain objects and still point errors at file:line:col.
 */

/** A `!reset` or `!override` tagged value, resolved by the merge phase. */
export class YamlTag {
  constructor(
    readonly tag: "reset" | "override",
    readonly value: unknown,
  ) {}
}

export type Tree = Record<string, unknown>;

interface NodeLocations {
  self: SourceLocation;
  keys: Map<string | number, SourceLocation>;
  values: Map<string | number, SourceLocation>;
}

const locations = new WeakMap<object, NodeLocations>();

/** Most aliases a file may expand: far above any real compose file, far below a billion-laughs blow-up. */
const MAX_ALIAS_EXPANSIONS = 10_000;
const MAX_NODES = 1_000_000;

/** The location of `container[key]`'s value, else of the container itself. */
export function locationOf(container: unknown, key?: string | number): SourceLocation | undefined {
  if (typeof container !== "object" || container === null) return undefined;
  const info = locations.get(container);
  if (!info) return undefined;
  if (key === undefined) return info.self;
  return info.values.get(key) ?? info.keys.get(key) ?? info.self;
}

/** The location of the key `key` in a map (where an unknown-key error should point). */
export function keyLocationOf(container: unknown, key: string | number): SourceLocation | undefined {
  if (typeof container !== "object" || container === null) return undefined;
  const info = locations.get(container);
  return info?.keys.get(key) ?? info?.values.get(key) ?? info?.self;
}

/** Walks `path` from `root` and returns the location of the deepest node that has one. */
export function locationAtPath(
  root: unknown,
  path: readonly (string | number)[],
): SourceLocation | undefined {
  let node: unknown = root;
  let best = locationOf(root);
  for (const key of path) {
    if (typeof node !== "object" || node === null) break;
    best = locationOf(node, key) ?? best;
    node = (node as Record<string | number, unknown>)[key];
  }
  return best;
}

/** Gives `to` the locations recorded for `from` (for phases that rebuild a map or sequence). */
export function copyLocations(from: unknown, to: unknown): void {
  if (typeof from !== "object" || from === null || typeof to !== "object" || to === null || from === to)
    return;
  const info = locations.get(from);
  if (info && !locations.has(to)) {
    locations.set(to, { self: info.self, keys: new Map(info.keys), values: new Map(info.values) });
  }
}

/** Records the location of one entry of a container (used when a phase moves a value to a new key). */
export function setLocation(
  container: object,
  key: string | number,
  where: SourceLocation | undefined,
): void {
  if (!where) return;
  let info = locations.get(container);
  if (!info) {
    info = { self: where, keys: new Map(), values: new Map() };
    locations.set(container, info);
  }
  info.values.set(key, where);
  if (!info.keys.has(key)) info.keys.set(key, where);
}

export interface ParsedFile {
  file: string;
  /** One tree per YAML document; compose treats later documents as overrides of earlier ones. */
  documents: unknown[];
}

/** Parses the text of one YAML file. `file` is only used for locations and messages. */
export function parseYaml(file: string, text: string): ParsedFile {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lineCounter = new LineCounter();
  const lines = source.split(/\r?\n/);
  const docs = parseAllDocuments(source, {
    version: "1.2",
    merge: true,
    uniqueKeys: true,
    lineCounter,
    prettyErrors: false,
  });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [docs as unknown as Document.Parsed];
  const at = (offset: number): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col, lineText: lines[pos.line - 1] ?? "" };
  };
  for (const doc of list) {
    const first = doc.errors[0];
    if (first) {
      const message = first.message.split("\n")[0] ?? first.message;
      throw new TscError("E_LOAD_YAML", `${file}: malformed YAML: ${message}`, {
        where: at(first.pos[0]),
        hint: "fix the YAML syntax at this position (indentation, a missing ':' or an unclosed quote are common causes)",
      });
    }
  }
  const documents = list
    .filter((doc) => doc.contents !== null || list.length === 1)
    .map((doc) => new Walker(doc, at).walk(doc.contents as Node | null, []));
  return { file, documents };
}

class Walker {
  private aliasExpansions = 0;
  private nodes = 0;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly at: (offset: number) => SourceLocation,
  ) {}

  walk(node: Node | null, active: Node[]): unknown {
    if (node === null || node === undefined) return null;
    if (++this.nodes > MAX_NODES) this.bomb(node);
    if (isAlias(node)) {
      if (++this.aliasExpansions > MAX_ALIAS_EXPANSIONS) this.bomb(node);
      const target = node.resolve(this.doc);
      if (!target) {
        throw new TscError("E_LOAD_YAML", `unknown alias *${node.source}`, {
          where: this.at(node.range?.[0] ?? 0),
          hint: "define the anchor (&name) before using it",
        });
      }
      if (active.includes(target as Node)) {
        throw new TscError("E_LOAD_YAML", `alias *${node.source} refers to a node that contains it`, {
          where: this.at(node.range?.[0] ?? 0),
        });
      }
      return this.walk(target as Node, [...active, target as Node]);
    }
    const value = this.walkPlain(node, active);
    const tag = node.tag;
    if (tag === "!reset" || tag === "!override")
      return new YamlTag(tag.slice(1) as "reset" | "override", value);
    return value;
  }

  private walkPlain(node: Node, active: Node[]): unknown {
    if (isScalar(node)) return node.value;
    if (isSeq(node)) {
      const out: unknown[] = [];
      const info = this.record(out, node);
      node.items.forEach((item, index) => {
        out.push(this.walk(item as Node, active));
        const where = this.at((item as Node | null)?.range?.[0] ?? node.range?.[0] ?? 0);
        info.values.set(index, where);
        info.keys.set(index, where);
      });
      return out;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const info = this.record(out, node);
      const merged: Array<Record<string, unknown>> = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        if (isScalar(keyNode) && typeof keyNode.value === "symbol") {
          const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
          for (const source of sources) {
            const resolved = this.walk(source as Node, active);
            if (resolved && typeof resolved === "object" && !Array.isArray(resolved)) {
              merged.push(resolved as Record<string, unknown>);
            } else {
              throw new TscError("E_LOAD_YAML", "a merge key (<<) needs a mapping or a list of mappings", {
                where: this.at((source as Node | null)?.range?.[0] ?? keyNode.range?.[0] ?? 0),
              });
            }
          }
          continue;
        }
        const key = this.keyString(keyNode, active);
        out[key] = this.walk(pair.value as Node | null, active);
        info.keys.set(key, this.at(keyNode?.range?.[0] ?? 0));
        info.values.set(key, this.at((pair.value as Node | null)?.range?.[0] ?? keyNode?.range?.[0] ?? 0));
      }
      // Explicit keys win over merged ones; earlier merge sources win over later ones (YAML merge key spec).
      for (const source of merged) {
        const sourceInfo = locations.get(source);
        for (const [key, value] of Object.entries(source)) {
          if (key in out) continue;
          out[key] = value;
          const where = sourceInfo?.values.get(key);
          if (where) info.values.set(key, where);
          const keyWhere = sourceInfo?.keys.get(key);
          if (keyWhere) info.keys.set(key, keyWhere);
        }
      }
      return out;
    }
    return null;
  }

  private keyString(keyNode: Node | null, active: Node[]): string {
    if (keyNode === null) return "";
    const value = this.walk(keyNode, active);
    if (value === null) return "null";
    if (typeof value === "object") {
      throw new TscError("E_LOAD_YAML", "a mapping key must be a scalar", {
        where: this.at(keyNode.range?.[0] ?? 0),
      });
    }
    return String(value);
  }

  private record(out: object, node: Node): NodeLocations {
    const info: NodeLocations = { self: this.at(node.range?.[0] ?? 0), keys: new Map(), values: new Map() };
    locations.set(out, info);
    return info;
  }

  private bomb(node: Node): never {
    throw new TscError("E_LOAD_YAML_ALIAS", "the YAML expands to too many nodes through aliases", {
      where: this.at(node.range?.[0] ?? 0),
      hint: `a compose file may expand at most ${MAX_ALIAS_EXPANSIONS} aliases; this looks like an alias bomb`,
    });
  }
}
