import { isAbsolute, join } from "node:path";
import { isMapping, locatedItems, locatedList, putLocated } from "./located.js";
import { copyLocations, locationOf, type Tree } from "./source.js";

/**
 * Makes the relative paths of a service (or of a whole included project) absolute against the directory
 * of the file they were written in, before they join a model whose paths are relative to another
 * directory (compose-go paths/resolve.go, applied by extends.go and include.go). Works on the syntax as
 * written, short or long, since normalization comes later. Returns the input when nothing changes.
 */

/** Which directory a relative path starts from; `defaultContext` also fills a missing build context. */
export interface RebaseOptions {
  dir: string;
  /** Included projects get compose's default build context (`.`) before their paths are resolved. */
  defaultContext?: boolean;
}

const REMOTE_CONTEXT = ["https://", "http://", "git://", "ssh://", "github.com/", "git@"];

function absolute(path: string, dir: string): string {
  if (path === "" || isAbsolute(path) || path.startsWith("~")) return path;
  return join(dir, path);
}

function absoluteContext(path: string, dir: string): string {
  if (path.includes("://") || path.startsWith("service:")) return path;
  if (REMOTE_CONTEXT.some((prefix) => path.startsWith(prefix))) return path;
  return absolute(path, dir);
}

/** A copy of `map` with `key` set to `value` (same location), or `map` itself when the value is the same. */
function withKey(map: Tree, key: string, value: unknown): Tree {
  if (map[key] === value) return map;
  const out: Tree = {};
  copyLocations(map, out);
  for (const [k, v] of Object.entries(map)) putLocated(out, k, k === key ? value : v, locationOf(map, k));
  if (!Object.hasOwn(map, key)) putLocated(out, key, value, locationOf(map));
  return out;
}

function mapItems(list: unknown[], fn: (item: unknown) => unknown): unknown[] {
  const items = locatedItems(list).map((item) => ({ ...item, value: fn(item.value) }));
  return items.every((item, i) => item.value === list[i]) ? list : locatedList(items, list);
}

function mapValues(map: Tree, fn: (value: unknown) => unknown): Tree {
  let out = map;
  for (const [key, value] of Object.entries(map)) out = withKey(out, key, fn(value));
  return out;
}

/** `KEY=path` entries (build.additional_contexts, build.ssh as a list) or a map of KEY: path. */
function keyedPaths(value: unknown, fn: (path: string) => string): unknown {
  if (isMapping(value)) return mapValues(value, (v) => (typeof v === "string" ? fn(v) : v));
  if (!Array.isArray(value)) return value;
  return mapItems(value, (item) => {
    if (typeof item !== "string") return item;
    const eq = item.indexOf("=");
    return eq < 0 ? item : `${item.slice(0, eq + 1)}${fn(item.slice(eq + 1))}`;
  });
}

function rebaseBuild(build: unknown, options: RebaseOptions): unknown {
  const { dir } = options;
  if (typeof build === "string") return absoluteContext(build, dir);
  if (!isMapping(build)) return build;
  let out = build;
  if (typeof out.context === "string") out = withKey(out, "context", absoluteContext(out.context, dir));
  else if (out.context === undefined && options.defaultContext) out = withKey(out, "context", dir);
  if (out.additional_contexts !== undefined) {
    out = withKey(
      out,
      "additional_contexts",
      keyedPaths(out.additional_contexts, (p) => absoluteContext(p, dir)),
    );
  }
  if (out.ssh !== undefined)
    out = withKey(
      out,
      "ssh",
      keyedPaths(out.ssh, (p) => absolute(p, dir)),
    );
  return out;
}

function rebaseFileList(value: unknown, dir: string): unknown {
  if (typeof value === "string") return absolute(value, dir);
  if (!Array.isArray(value)) return value;
  return mapItems(value, (item) => {
    if (typeof item === "string") return absolute(item, dir);
    if (isMapping(item) && typeof item.path === "string")
      return withKey(item, "path", absolute(item.path, dir));
    return item;
  });
}

/** Bind sources: `./src:/target[:mode]` in the short syntax, `{type: bind, source}` in the long one. */
function rebaseVolume(volume: unknown, dir: string): unknown {
  if (typeof volume === "string") {
    const colon = volume.indexOf(":");
    if (colon < 0 || !volume.startsWith(".")) return volume;
    return `${absolute(volume.slice(0, colon), dir)}${volume.slice(colon)}`;
  }
  if (isMapping(volume) && volume.type === "bind" && typeof volume.source === "string") {
    return withKey(volume, "source", absolute(volume.source, dir));
  }
  return volume;
}

/** The service with its build context, env files, label files, bind mounts and watch paths made absolute. */
export function rebaseService(service: Tree, options: RebaseOptions): Tree {
  const { dir } = options;
  let out = service;
  if (out.build !== undefined) out = withKey(out, "build", rebaseBuild(out.build, options));
  if (out.env_file !== undefined) out = withKey(out, "env_file", rebaseFileList(out.env_file, dir));
  if (out.label_file !== undefined) out = withKey(out, "label_file", rebaseFileList(out.label_file, dir));
  if (Array.isArray(out.volumes))
    out = withKey(
      out,
      "volumes",
      mapItems(out.volumes, (v) => rebaseVolume(v, dir)),
    );
  const develop = out.develop;
  if (isMapping(develop) && Array.isArray(develop.watch)) {
    const watch = mapItems(develop.watch, (rule) =>
      isMapping(rule) && typeof rule.path === "string"
        ? withKey(rule, "path", absolute(rule.path, dir))
        : rule,
    );
    out = withKey(out, "develop", withKey(develop, "watch", watch));
  }
  return out;
}

/** Every service and resource of an included project, with its paths made absolute. */
export function rebaseProject(tree: Tree, options: RebaseOptions): Tree {
  const { dir } = options;
  let out = tree;
  const each = (key: string, fn: (entry: Tree) => Tree) => {
    const section = out[key];
    if (isMapping(section))
      out = withKey(
        out,
        key,
        mapValues(section, (v) => (isMapping(v) ? fn(v) : v)),
      );
  };
  each("services", (service) => rebaseService(service, options));
  for (const key of ["configs", "secrets"]) {
    each(key, (entry) =>
      typeof entry.file === "string" ? withKey(entry, "file", absolute(entry.file, dir)) : entry,
    );
  }
  each("volumes", (volume) => {
    const opts = volume.driver_opts;
    if (
      volume.driver !== "local" ||
      !isMapping(opts) ||
      opts.o !== "bind" ||
      typeof opts.device !== "string"
    ) {
      return volume;
    }
    return withKey(volume, "driver_opts", withKey(opts, "device", absolute(opts.device, dir)));
  });
  return out;
}
