import type { SourceLocation } from "../errors.js";
import { TscError } from "../errors.js";
import { copyLocations, locationOf, setLocation, type Tree } from "./source.js";

/**
 * The machinery of the normalize phase: tables of rules keyed by path pattern (compose-go's tree.Path, where
 * `*` stands for any one map key or list index), a walk that applies the first matching rule and otherwise
 * descends, and helpers that rebuild maps and lists while keeping the source location of every entry.
 */

/** Where a rule is applied: the path of the value and its source location. */
export interface Site {
  path: readonly string[];
  where: SourceLocation | undefined;
}

/** A rule gets the value at its path and returns its replacement (or the value itself, changed in place). */
export type Rule = (value: unknown, site: Site) => unknown;

export type RuleTable = ReadonlyArray<readonly [pattern: readonly string[], rule: Rule]>;

/** `{"services.*.ports": rule}` -> a table (patterns split once). */
export function ruleTable(rows: Readonly<Record<string, Rule>>): RuleTable {
  return Object.entries(rows).map(([pattern, rule]) => [pattern.split("."), rule] as const);
}

function lookup(table: RuleTable, path: readonly string[]): Rule | undefined {
  for (const [pattern, rule] of table) {
    if (pattern.length === path.length && pattern.every((part, i) => part === "*" || part === path[i])) {
      return rule;
    }
  }
  return undefined;
}

/** Whether some pattern of the table starts with `path` (so the walk must go deeper). */
function reaches(table: RuleTable, path: readonly string[]): boolean {
  return table.some(
    ([pattern]) =>
      pattern.length > path.length && path.every((part, i) => pattern[i] === "*" || pattern[i] === part),
  );
}

/** Applies `table` to `root` (changed in place; rules replace values through their containers). */
export function applyRules(root: Tree, table: RuleTable): void {
  const visit = (container: Record<string | number, unknown>, key: string | number, path: string[]) => {
    const value = container[key];
    const rule = lookup(table, path);
    if (rule) {
      const where = locationOf(container, key);
      const result = rule(value, { path, where });
      if (result !== value) {
        copyLocations(value, result);
        container[key] = result;
      }
      return;
    }
    if (!reaches(table, path)) return;
    descend(value, path);
  };
  const descend = (value: unknown, path: string[]) => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++)
        visit(value as unknown as Record<number, unknown>, i, [...path, String(i)]);
    } else if (isMap(value)) {
      for (const key of Object.keys(value)) visit(value, key, [...path, key]);
    }
  };
  descend(root, []);
}

export function isMap(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A deep copy keeping every container's recorded locations. */
export function cloneTree<T>(value: T): T {
  if (Array.isArray(value)) {
    const out = value.map((item) => cloneTree(item));
    copyLocations(value, out);
    return out as T;
  }
  if (isMap(value) && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Tree = {};
    copyLocations(value, out);
    for (const [key, item] of Object.entries(value)) put(out, key, cloneTree(item));
    return out as T;
  }
  return value;
}

/** Sets `map[key]` (a key named `__proto__` stays a plain key) and records where it came from. */
export function put(map: Tree, key: string, value: unknown, where?: SourceLocation): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  if (where) setLocation(map, key, where);
}

/** A new map located like `like` (for a rule that turns a list or a string into a map). */
export function newMap(where: SourceLocation | undefined): Tree {
  const out: Tree = {};
  if (where) {
    // setLocation records the container itself on first use; a throwaway key does that without a real entry.
    setLocation(out, "", where);
  }
  return out;
}

/** A new list whose item i is located at `wheres[i]`. */
export function newList(
  items: readonly unknown[],
  wheres: ReadonlyArray<SourceLocation | undefined>,
): unknown[] {
  const out = [...items];
  out.forEach((_, i) => {
    const where = wheres[i];
    if (where) setLocation(out, i, where);
  });
  return out;
}

/** The location of item `index` of `list`, else `fallback`. */
export function itemWhere(list: unknown, index: number, fallback: SourceLocation | undefined) {
  return locationOf(list, index) ?? fallback;
}

/** An E_LOAD_SHORT_SYNTAX error (or another loader error) pointed at `where`. */
export function at(error: unknown, where: SourceLocation | undefined): unknown {
  return TscError.is(error) ? error.withLocation(where) : error;
}

export function invalidType(site: Site, expected: string, value: unknown): TscError {
  const got = Array.isArray(value) ? "a list" : value === null ? "null" : `a ${typeof value}`;
  return new TscError("E_LOAD_TYPE", `${site.path.join(".")} must be ${expected}, not ${got}`, {
    where: site.where,
    hint: `write ${site.path.at(-1) ?? "the value"} as ${expected}`,
  });
}
