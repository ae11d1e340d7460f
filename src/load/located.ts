import type { SourceLocation } from "../errors.js";
import { YamlTag, copyLocations, locationOf, setLocation, type Tree } from "./source.js";

/**
 * Small helpers for phases that rebuild maps and sequences: each value moves with the source location
 * recorded for it in its old container, so errors found later still point at the file it came from.
 */

/** A value and where it was written. */
export interface Located {
  value: unknown;
  where: SourceLocation | undefined;
}

/** A YAML mapping (not a sequence, not a `!reset`/`!override` wrapper). */
export function isMapping(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof YamlTag);
}

export function locatedItems(list: readonly unknown[]): Located[] {
  return list.map((value, i) => ({ value, where: locationOf(list, i) }));
}

/** A new sequence of `items`; the sequence itself is located like `like` when that has a location. */
export function locatedList(items: readonly Located[], like?: unknown): unknown[] {
  const out: unknown[] = [];
  copyLocations(like, out);
  items.forEach((item, i) => {
    out.push(item.value);
    setLocation(out, i, item.where);
  });
  return out;
}

/** Sets `map[key]` (safely for a key named `__proto__`) and records where the value came from. */
export function putLocated(map: Tree, key: string, value: unknown, where: SourceLocation | undefined): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  setLocation(map, key, where);
}

/** A deep copy with every container's locations, for values that must not be shared (extends bases). */
export function cloneLocated<T>(value: T): T {
  if (value instanceof YamlTag) return new YamlTag(value.tag, cloneLocated(value.value)) as T;
  if (Array.isArray(value)) {
    const out = value.map((item) => cloneLocated(item));
    copyLocations(value, out);
    return out as T;
  }
  if (isMapping(value)) {
    const out: Tree = {};
    copyLocations(value, out);
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, {
        value: cloneLocated(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out as T;
  }
  return value;
}
