import { isMapping, locatedItems, locatedList, type Located } from "./located.js";
import { PathTable, type TreePath } from "./tree-path.js";

/**
 * Sequences whose entries are unique by a key (compose-go override/uncity.go `EnforceUnicity`): when two
 * entries share a key, the later one replaces the earlier one in the earlier one's position. Keys are
 * computed the same way for the short and the long syntax, because compose compares them again once
 * both are in canonical form (ports `8080:80` and `{target: 80, published: 8080}` are the same port).
 */

type Indexer = (entry: unknown) => string;

const text = (value: unknown): string =>
  typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);

/** `KEY=value` and `KEY` are both indexed by KEY; any other string by itself. */
const keyValue: Indexer = (entry) => {
  const value = text(entry);
  const eq = value.indexOf("=");
  return eq < 0 ? value : value.slice(0, eq);
};

/** Volumes and devices: the target inside the container (`src:target[:mode]`, or `target` alone). */
const mountTarget: Indexer = (entry) => {
  if (isMapping(entry)) return "target" in entry ? text(entry.target) : text(entry);
  const parts = text(entry).split(":");
  return parts.length === 1 ? parts[0]! : parts[1]!;
};

/** Secrets and configs: the target, which defaults to `<dir>/<source>`. */
const fileMountTarget =
  (dir: string): Indexer =>
  (entry) => {
    if (isMapping(entry)) return "target" in entry ? text(entry.target) : `${dir}/${text(entry.source)}`;
    return `${dir}/${text(entry)}`;
  };

const envFilePath: Indexer = (entry) => (isMapping(entry) ? text(entry.path) : text(entry));

const exposed: Indexer = (entry) => text(typeof entry === "number" ? String(entry) : entry);

/** host ip (default 0.0.0.0), published port, target port and protocol (default tcp). */
const portKey: Indexer = (entry) => {
  let ip = "";
  let published = "";
  let target: string;
  let protocol = "tcp";
  if (isMapping(entry)) {
    ip = entry.host_ip === undefined ? "" : text(entry.host_ip);
    published = entry.published === undefined ? "" : String(entry.published as string | number);
    target = String(entry.target as string | number);
    if (entry.protocol !== undefined) protocol = text(entry.protocol);
  } else {
    let spec = typeof entry === "number" ? String(entry) : text(entry);
    const slash = spec.lastIndexOf("/");
    if (slash >= 0) {
      protocol = spec.slice(slash + 1);
      spec = spec.slice(0, slash);
    }
    const parts = spec.split(":");
    target = parts[parts.length - 1]!;
    if (parts.length >= 2) published = parts[parts.length - 2]!;
    if (parts.length >= 3) ip = parts.slice(0, -2).join(":");
  }
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  return `${ip || "0.0.0.0"}|${published}|${target}/${protocol}`;
};

/** compose-go's `unique` table, row for row. */
const UNIQUE_KEYS = new PathTable<Indexer>({
  "networks.*.labels": keyValue,
  "networks.*.ipam.options": keyValue,
  "services.*.annotations": keyValue,
  "services.*.build.args": keyValue,
  "services.*.build.additional_contexts": keyValue,
  "services.*.build.platform": keyValue,
  "services.*.build.tags": keyValue,
  "services.*.build.labels": keyValue,
  "services.*.cap_add": keyValue,
  "services.*.cap_drop": keyValue,
  "services.*.configs": fileMountTarget(""),
  "services.*.deploy.labels": keyValue,
  "services.*.devices": mountTarget,
  "services.*.dns": keyValue,
  "services.*.dns_opt": keyValue,
  "services.*.dns_search": keyValue,
  "services.*.environment": keyValue,
  "services.*.env_file": envFilePath,
  "services.*.expose": exposed,
  "services.*.labels": keyValue,
  "services.*.links": keyValue,
  "services.*.networks.*.aliases": keyValue,
  "services.*.networks.*.link_local_ips": keyValue,
  "services.*.ports": portKey,
  "services.*.profiles": keyValue,
  "services.*.secrets": fileMountTarget("/run/secrets"),
  "services.*.sysctls": keyValue,
  "services.*.tmpfs": keyValue,
  "services.*.volumes": mountTarget,
});

/** Drops entries of a sequence that a later entry with the same key replaces; returns `list` if none. */
export function enforceUnicity(list: unknown[], path: TreePath): unknown[] {
  const indexer = UNIQUE_KEYS.lookup(path);
  if (!indexer) return list;
  const out: Located[] = [];
  const positions = new Map<string, number>();
  for (const item of locatedItems(list)) {
    const key = indexer(item.value);
    const at = positions.get(key);
    if (at === undefined) {
      positions.set(key, out.length);
      out.push(item);
    } else {
      out[at] = item;
    }
  }
  if (out.length === list.length && out.every((item, i) => item.value === list[i])) return list;
  return locatedList(out, list);
}
