import type { SourceLocation } from "../errors.js";
import { keyLocationOf, locationOf } from "./source.js";

/**
 * Reads the references a service makes (depends_on, networks, volumes, secrets…) from either the normalized
 * long forms or the raw short forms (`config --no-normalize`), each with the location of the entry that makes
 * it. The consistency, profiles and dependency-cycle phases share these readers so they agree on what a
 * reference is.
 */

export type ServiceTree = Record<string, unknown>;

/** One reference from a service to a named thing, located at the entry that makes it. */
export interface Reference {
  name: string;
  where: SourceLocation | undefined;
}

export interface DependencyReference extends Reference {
  condition: string;
  required: boolean;
}

export interface MountReference {
  type: string | undefined;
  source: string | undefined;
  target: string | undefined;
  /** The entry, and its `source` value when written in long syntax. */
  where: SourceLocation | undefined;
  sourceWhere: SourceLocation | undefined;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The services map of a tree (empty when absent or not a map). */
export function servicesOf(tree: Record<string, unknown>): Record<string, ServiceTree> {
  const services = tree.services;
  if (!isRecord(services)) return {};
  const out: Record<string, ServiceTree> = {};
  for (const [name, service] of Object.entries(services)) out[name] = isRecord(service) ? service : {};
  return out;
}

/** Where a service is defined (its key under `services:`), the fallback for every reference it makes. */
export function serviceLocation(tree: Record<string, unknown>, name: string): SourceLocation | undefined {
  return keyLocationOf(tree.services, name) ?? locationOf(tree.services);
}

/**
 * Where the key `field` of `map` is written, or undefined when it is not recorded (a phase added the key):
 * unlike keyLocationOf, never the map's own location, so callers can fall back to something more precise.
 */
export function fieldLocation(map: unknown, field: string): SourceLocation | undefined {
  const where = keyLocationOf(map, field);
  return where === locationOf(map) ? undefined : where;
}

/** Location of entry `key` of `container`, else of `service.<field>`, else `fallback`. */
function entryLocation(
  container: unknown,
  key: string | number,
  service: ServiceTree,
  field: string,
  fallback: SourceLocation | undefined,
): SourceLocation | undefined {
  return locationOf(container, key) ?? fieldLocation(service, field) ?? fallback;
}

/** The names listed under a key that is a list of names or a map keyed by name (networks, depends_on). */
function namedEntries(
  service: ServiceTree,
  field: string,
  fallback: SourceLocation | undefined,
): Array<{ name: string; value: unknown; where: SourceLocation | undefined }> {
  const value = service[field];
  if (Array.isArray(value)) {
    return value
      .map((item, index) => ({ item, index }))
      .filter(({ item }) => typeof item === "string")
      .map(({ item, index }) => ({
        name: item as string,
        value: undefined,
        where: entryLocation(value, index, service, field, fallback),
      }));
  }
  if (isRecord(value)) {
    return Object.entries(value).map(([name, entry]) => ({
      name,
      value: entry,
      where: keyLocationOf(value, name) ?? fieldLocation(service, field) ?? fallback,
    }));
  }
  return [];
}

/** depends_on in list form (every entry required, service_started) or map form. */
export function dependsOnRefs(service: ServiceTree, fallback?: SourceLocation): DependencyReference[] {
  return namedEntries(service, "depends_on", fallback).map(({ name, value, where }) => {
    const entry = isRecord(value) ? value : {};
    return {
      name,
      where,
      condition: typeof entry.condition === "string" ? entry.condition : "service_started",
      required: entry.required !== false && entry.required !== "false",
    };
  });
}

/** The networks a service joins (list or map form). */
export function networkRefs(service: ServiceTree, fallback?: SourceLocation): Reference[] {
  return namedEntries(service, "networks", fallback).map(({ name, where }) => ({ name, where }));
}

/** `links: [db, "db:alias"]`: the services linked to. */
export function linkRefs(service: ServiceTree, fallback?: SourceLocation): Reference[] {
  return namedEntries(service, "links", fallback).map(({ name, where }) => ({
    name: name.split(":")[0] ?? name,
    where,
  }));
}

/** `volumes_from: [svc, "svc:ro", "container:name"]`: the services (not containers) mounted from. */
export function volumesFromRefs(service: ServiceTree, fallback?: SourceLocation): Reference[] {
  return namedEntries(service, "volumes_from", fallback)
    .filter(({ name }) => !name.startsWith("container:"))
    .map(({ name, where }) => ({ name: name.split(":")[0] ?? name, where }));
}

/** `network_mode: service:x` names service x. */
export function networkModeServiceRef(
  service: ServiceTree,
  fallback?: SourceLocation,
): Reference | undefined {
  const mode = service.network_mode;
  if (typeof mode !== "string" || !mode.startsWith("service:")) return undefined;
  return { name: mode.slice("service:".length), where: locationOf(service, "network_mode") ?? fallback };
}

/** Secrets or configs a service (or a service's `build`) uses: short names or `{source}` entries. */
export function fileObjectRefs(
  service: ServiceTree,
  field: "secrets" | "configs",
  fallback?: SourceLocation,
): Reference[] {
  const list = service[field];
  if (!Array.isArray(list)) return [];
  const refs: Reference[] = [];
  list.forEach((item, index) => {
    const name = typeof item === "string" ? item : isRecord(item) ? item.source : undefined;
    if (typeof name !== "string") return;
    const where = isRecord(item) ? locationOf(item, "source") : undefined;
    refs.push({ name, where: where ?? entryLocation(list, index, service, field, fallback) });
  });
  return refs;
}

/** A volume entry in either form. Short syntax is `[source:]target[:mode]`; a source that is not a path is a named volume. */
export function mountRefs(service: ServiceTree, fallback?: SourceLocation): MountReference[] {
  const list = service.volumes;
  if (!Array.isArray(list)) return [];
  return list.map((item, index) => {
    const where = entryLocation(list, index, service, "volumes", fallback);
    if (typeof item === "string") return { ...parseShortVolume(item), where, sourceWhere: where };
    if (!isRecord(item)) {
      return {
        type: undefined,
        source: undefined,
        target: undefined,
        where,
        sourceWhere: where,
      };
    }
    return {
      type: typeof item.type === "string" ? item.type : undefined,
      source: typeof item.source === "string" ? item.source : undefined,
      target: typeof item.target === "string" ? item.target : undefined,
      where,
      sourceWhere: locationOf(item, "source") ?? where,
    };
  });
}

function parseShortVolume(spec: string): Omit<MountReference, "where" | "sourceWhere"> {
  const parts = spec.split(":");
  if (parts.length === 1) return { type: "volume", source: undefined, target: spec };
  const source = parts[0] ?? "";
  const isPath = /^[./~]/.test(source) || source.includes("/") || source.includes("$") || source === "";
  return { type: isPath ? "bind" : "volume", source, target: parts[1] };
}

/** `tmpfs: /run` or `tmpfs: [/run, "/tmp:size=64m"]`: the mount targets. */
export function tmpfsRefs(service: ServiceTree, fallback?: SourceLocation): Reference[] {
  const value = service.tmpfs;
  const list = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
  return list
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => typeof item === "string")
    .map(({ item, index }) => ({
      name: (item as string).split(":")[0] ?? (item as string),
      where: Array.isArray(value)
        ? entryLocation(value, index, service, "tmpfs", fallback)
        : (locationOf(service, "tmpfs") ?? fallback),
    }));
}

/** The names a top-level section (networks, volumes, secrets, configs) defines. */
export function definedNames(tree: Record<string, unknown>, section: string): Set<string> {
  const value = tree[section];
  return new Set(isRecord(value) ? Object.keys(value) : []);
}
