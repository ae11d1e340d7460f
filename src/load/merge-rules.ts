import type { SourceLocation } from "../errors.js";
import { isMapping, locatedItems, locatedList, putLocated, type Located } from "./located.js";
import { YamlTag, copyLocations, locationOf, type Tree } from "./source.js";
import { PathTable, type TreePath } from "./tree-path.js";

/**
 * The special cases of merging compose files, one row per path (compose-go override/merge.go
 * `mergeSpecials`). Every other path follows the generic rules in merge.ts: mappings merge key by key,
 * sequences append, scalars are replaced.
 */

/** What a rule may use from the walker. `base` is settled (no tags); `override` may still hold tags. */
export interface MergeStep {
  path: TreePath;
  /** Where the override value is (errors point here). */
  at: SourceLocation | undefined;
  /** Where the base value is. */
  baseAt: SourceLocation | undefined;
  mergeMaps(base: Tree, override: Tree, path: TreePath): Tree;
  /** Drops `!reset` values, unwraps `!override` ones and enforces unique keys below `path`. */
  settle(value: unknown, path: TreePath): unknown;
  fail(message: string): never;
}

export type MergeRule = (base: unknown, override: unknown, step: MergeStep) => unknown;

/** The override replaces the base as a whole (a command is one value, not a list to append to). */
const replace: MergeRule = (_base, override, step) => step.settle(override, step.path);

/** `KEY=value` lists and `KEY: value` maps, merged by key into a map; later values win. */
const mergeByKey: MergeRule = (base, override, step) => {
  if (override === null) return base;
  const out: Tree = {};
  copyLocations(isMapping(override) ? override : base, out);
  for (const [key, item] of keyedEntries(base, step.baseAt, step))
    putLocated(out, key, item.value, item.where);
  for (const [key, item] of keyedEntries(override, step.at, step)) {
    if (item.value instanceof YamlTag && item.value.tag === "reset") {
      delete out[key];
      continue;
    }
    putLocated(out, key, step.settle(item.value, [...step.path, key]), item.where);
  }
  return out;
};

function keyedEntries(value: unknown, where: SourceLocation | undefined, step: MergeStep) {
  const entries = new Map<string, Located>();
  if (value === null || value === undefined) return entries;
  if (isMapping(value)) {
    for (const [key, item] of Object.entries(value))
      entries.set(key, { value: item, where: locationOf(value, key) });
    return entries;
  }
  if (!Array.isArray(value)) {
    step.fail(`expected a mapping or a list of KEY=value, got ${describe(value)}`);
  }
  for (const item of locatedItems(step.settle(value, step.path) as unknown[])) {
    const text = typeof item.value === "string" ? item.value : String(item.value);
    const eq = text.indexOf("=");
    entries.set(eq < 0 ? text : text.slice(0, eq), {
      value: eq < 0 ? null : text.slice(eq + 1),
      where: item.where ?? where,
    });
  }
  return entries;
}

/** A string counts as a one-item list; both sides are appended (unique keys are enforced afterwards). */
const mergeToSequence: MergeRule = (base, override, step) =>
  locatedList([...sequence(base, step.baseAt), ...sequence(step.settle(override, step.path), step.at)], base);

/** Appended, except hosts the base already has word for word (compose-go `mergeExtraHosts`). */
const mergeExtraHosts: MergeRule = (base, override, step) => {
  const left = sequence(base, step.baseAt);
  const right = sequence(step.settle(override, step.path), step.at).filter(
    (item) => !left.some((known) => known.value === item.value),
  );
  return locatedList([...left, ...right], base);
};

function sequence(value: unknown, where: SourceLocation | undefined): Located[] {
  if (Array.isArray(value)) return locatedItems(value);
  if (isMapping(value)) {
    const items: Located[] = [];
    for (const [key, item] of Object.entries(value)) {
      const at = locationOf(value, key);
      if (item === null) items.push({ value: key, where: at });
      else if (Array.isArray(item))
        for (const one of item) items.push({ value: `${key}=${String(one)}`, where: at });
      else items.push({ value: `${key}=${String(item)}`, where: at });
    }
    return items.sort((a, b) => ((a.value as string) < (b.value as string) ? -1 : 1));
  }
  if (value === null || value === undefined) return [];
  return [{ value, where }];
}

/** A list of names becomes a map of name -> a copy of `defaults` (or null), then maps merge. */
function asNameMap(
  value: unknown,
  defaults: Tree | null,
  where: SourceLocation | undefined,
  step: MergeStep,
) {
  if (value === null || value === undefined) return {};
  if (isMapping(value)) return value;
  if (!Array.isArray(value)) step.fail(`expected a mapping or a list of names, got ${describe(value)}`);
  const out: Tree = {};
  for (const item of locatedItems(step.settle(value, step.path) as unknown[])) {
    let entry: Tree | null = null;
    if (defaults) {
      entry = {};
      for (const [key, v] of Object.entries(defaults)) putLocated(entry, key, v, item.where ?? where);
    }
    putLocated(out, String(item.value), entry, item.where ?? where);
  }
  return out;
}

const mergeDependsOn: MergeRule = (base, override, step) => {
  const defaults = { condition: "service_started", required: true };
  return step.mergeMaps(
    asNameMap(base, defaults, step.baseAt, step),
    asNameMap(override, defaults, step.at, step),
    step.path,
  );
};

const mergeNameMaps: MergeRule = (base, override, step) =>
  step.mergeMaps(
    asNameMap(base, null, step.baseAt, step),
    asNameMap(override, null, step.at, step),
    step.path,
  );

/** `build: ./dir` is `build: {context: ./dir}`. */
const mergeBuild: MergeRule = (base, override, step) => {
  if (override === null) return base;
  const toBuild = (value: unknown, where: SourceLocation | undefined): Tree => {
    if (isMapping(value)) return value;
    if (typeof value === "string") {
      const out: Tree = {};
      putLocated(out, "context", value, where);
      return out;
    }
    return step.fail(`build must be a path or a mapping, got ${describe(value)}`);
  };
  return step.mergeMaps(toBuild(base, step.baseAt), toBuild(override, step.at), step.path);
};

/** Options are merged only when both files use the same driver (or one of them names none). */
const mergeLogging: MergeRule = (base, override, step) => {
  if (override === null) return base;
  if (!isMapping(override)) return step.fail(`logging must be a mapping, got ${describe(override)}`);
  if (!isMapping(base)) return step.settle(override, step.path);
  const unwrap = (value: unknown) => (value instanceof YamlTag ? value.value : value);
  const sameDriver =
    !("driver" in base) || !("driver" in override) || unwrap(base.driver) === unwrap(override.driver);
  return sameDriver ? step.mergeMaps(base, override, step.path) : step.settle(override, step.path);
};

/**
 * IPAM pools are keyed by subnet: a pool of the override with a subnet the base has is merged into it,
 * others are appended. (compose-go drops base pools that no override pool matches, which its own comment
 * does not intend; we keep them.)
 */
const mergeIpamConfig: MergeRule = (base, override, step) => {
  if (override === null) return base;
  if (!Array.isArray(base) || !Array.isArray(override)) {
    return step.fail(`ipam.config must be a list, got ${describe(Array.isArray(base) ? override : base)}`);
  }
  const out = locatedItems(base);
  for (const item of locatedItems(step.settle(override, step.path) as unknown[])) {
    const subnet = isMapping(item.value) ? item.value.subnet : undefined;
    const at = out.findIndex(
      (known) => subnet !== undefined && isMapping(known.value) && known.value.subnet === subnet,
    );
    if (at < 0) out.push(item);
    else
      out[at] = {
        value: step.mergeMaps(out[at]!.value as Tree, item.value as Tree, step.path),
        where: item.where,
      };
  }
  return locatedList(out, base);
};

/** compose-go's `mergeSpecials`, row for row. */
export const MERGE_RULES = new PathTable<MergeRule>({
  "networks.*.ipam.config": mergeIpamConfig,
  "networks.*.labels": mergeByKey,
  "volumes.*.labels": mergeByKey,
  "services.*.annotations": mergeByKey,
  "services.*.build": mergeBuild,
  "services.*.build.args": mergeByKey,
  "services.*.build.additional_contexts": mergeByKey,
  "services.*.build.extra_hosts": mergeExtraHosts,
  "services.*.build.labels": mergeByKey,
  "services.*.command": replace,
  "services.*.depends_on": mergeDependsOn,
  "services.*.deploy.labels": mergeByKey,
  "services.*.dns": mergeToSequence,
  "services.*.dns_opt": mergeToSequence,
  "services.*.dns_search": mergeToSequence,
  "services.*.entrypoint": replace,
  "services.*.env_file": mergeToSequence,
  "services.*.label_file": mergeToSequence,
  "services.*.environment": mergeByKey,
  "services.*.extra_hosts": mergeExtraHosts,
  "services.*.healthcheck.test": replace,
  "services.*.labels": mergeByKey,
  "services.*.logging": mergeLogging,
  "services.*.models": mergeNameMaps,
  "services.*.networks": mergeNameMaps,
  "services.*.sysctls": mergeByKey,
  "services.*.tmpfs": mergeToSequence,
  // compose-go's mergeUlimit ends up returning the override: a limit is replaced, not merged.
  "services.*.ulimits.*": replace,
  // compose-go also has `services.*.volumes.*.volume.labels`; it never applies there (a volume entry that
  // shares a target replaces the base entry whole) and it cannot here either, so it has no row.
});

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (isMapping(value)) return "a mapping";
  return JSON.stringify(value) ?? String(value);
}
