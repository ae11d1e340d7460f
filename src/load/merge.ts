import { TscError, type SourceLocation } from "../errors.js";
import { isMapping, locatedItems, locatedList, putLocated } from "./located.js";
import { MERGE_RULES, type MergeStep } from "./merge-rules.js";
import { YamlTag, copyLocations, locationOf, type Tree } from "./source.js";
import { formatPath, type TreePath } from "./tree-path.js";
import { enforceUnicity } from "./unicity.js";

/**
 * Merging of compose trees (the Compose Specification's 13-merge.md, compose-go override/merge.go): the
 * override's mappings merge key by key into the base's, sequences are appended, scalars replaced, and the
 * paths in merge-rules.ts have their own rules. Sequences whose entries have a key (ports, volumes…) keep
 * one entry per key (unicity.ts). `!reset` removes a value and `!override` replaces it without merging.
 * Inputs are never modified; every value keeps the source location it was read at.
 */

/** Returned by the walker for a value that a `!reset` removes. */
const REMOVED = Symbol("removed");

/** Merges `override` (a later -f file, or a later document of one file) into `base`. */
export function mergeTrees(base: Tree, override: Tree): Tree {
  return mergeMaps(settleTree(base, []), override, []);
}

/** Merges a service definition into the one it extends, with the same rules as -f files. */
export function mergeService(base: Tree, override: Tree, name: string): Tree {
  const path = ["services", name];
  return mergeMaps(settleTree(base, path), override, path);
}

/** Drops `!reset` values and unwraps `!override` ones once every file is merged. */
export function resetTags(tree: Tree): Tree {
  return settleTree(tree, []);
}

function settleTree(tree: Tree, path: TreePath): Tree {
  return settle(tree, path) as Tree;
}

/**
 * A value as it stands once nothing is merged into it: tags resolved at every depth (a `!reset` with no
 * base just disappears) and unique keys enforced. Returns the same object when nothing changes.
 */
function settle(value: unknown, path: TreePath): unknown {
  if (value instanceof YamlTag) return value.tag === "reset" ? REMOVED : settle(value.value, path);
  if (Array.isArray(value)) {
    let changed = false;
    const kept = [];
    for (const [i, item] of locatedItems(value).entries()) {
      const settled = settle(item.value, [...path, String(i)]);
      if (settled !== item.value) changed = true;
      if (settled !== REMOVED) kept.push({ value: settled, where: item.where });
    }
    return enforceUnicity(changed ? locatedList(kept, value) : value, path);
  }
  if (isMapping(value)) {
    let out: Tree | undefined;
    for (const [key, item] of Object.entries(value)) {
      const settled = settle(item, [...path, key]);
      if (settled === item) continue;
      out ??= shallowCopy(value);
      if (settled === REMOVED) delete out[key];
      else putLocated(out, key, settled, locationOf(value, key));
    }
    return out ?? value;
  }
  return value;
}

function mergeValue(
  base: unknown,
  override: unknown,
  path: TreePath,
  at: SourceLocation | undefined,
  baseAt: SourceLocation | undefined,
): unknown {
  if (override instanceof YamlTag) return override.tag === "reset" ? REMOVED : settle(override.value, path);
  if (base === undefined) return settle(override, path);
  const rule = MERGE_RULES.lookup(path);
  if (rule) {
    const merged = rule(base, override, step(path, at, baseAt));
    return Array.isArray(merged) ? enforceUnicity(merged, path) : merged;
  }
  // compose-go keeps the base when the override says null (`image:` with no value changes nothing).
  if (override === null) return base;
  if (isMapping(base)) {
    if (!isMapping(override)) throw mismatch(path, base, override, at);
    return mergeMaps(base, override, path);
  }
  if (Array.isArray(base)) {
    if (!Array.isArray(override)) throw mismatch(path, base, override, at);
    const appended = [...locatedItems(base), ...locatedItems(settle(override, path) as unknown[])];
    return enforceUnicity(locatedList(appended, base), path);
  }
  return settle(override, path);
}

function mergeMaps(base: Tree, override: Tree, path: TreePath): Tree {
  const out: Tree = {};
  // The merged mapping is located where the override wrote it; keys only the base has keep the base's.
  copyLocations(locationOf(override) ? override : base, out);
  for (const [key, value] of Object.entries(base)) putLocated(out, key, value, locationOf(base, key));
  for (const [key, value] of Object.entries(override)) {
    const at = locationOf(override, key);
    const has = Object.hasOwn(base, key);
    const baseAt = has ? locationOf(base, key) : undefined;
    const merged = mergeValue(has ? base[key] : undefined, value, [...path, key], at, baseAt);
    if (merged === REMOVED) delete out[key];
    else putLocated(out, key, merged, has && merged === base[key] ? baseAt : at);
  }
  return out;
}

function step(path: TreePath, at: SourceLocation | undefined, baseAt: SourceLocation | undefined): MergeStep {
  return {
    path,
    at,
    baseAt,
    mergeMaps,
    settle,
    fail: (message) => {
      throw new TscError("E_LOAD_MERGE", `cannot merge ${formatPath(path)}: ${message}`, {
        where: at,
        hint: "write this value in the form the Compose Specification gives for it, or tag it !override to replace the base value",
      });
    },
  };
}

function mismatch(
  path: TreePath,
  base: unknown,
  override: unknown,
  at: SourceLocation | undefined,
): TscError {
  return new TscError(
    "E_LOAD_MERGE",
    `cannot override ${formatPath(path)}: the base value is ${kind(base)}, this one is ${kind(override)}`,
    {
      where: at,
      hint: `write ${formatPath(path)} as ${kind(base)} here too, or tag it !override to replace the base value`,
    },
  );
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (isMapping(value)) return "a mapping";
  return `a ${typeof value === "object" ? "null" : typeof value}`;
}

function shallowCopy(value: Tree): Tree {
  const out: Tree = {};
  copyLocations(value, out);
  for (const [key, item] of Object.entries(value)) putLocated(out, key, item, locationOf(value, key));
  return out;
}
