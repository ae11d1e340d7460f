import { realpathSync } from "node:fs";
import { posix } from "node:path";
import { isMap, put, ruleTable, type Rule, type RuleTable } from "./normalize-walk.js";

/**
 * Relative paths made absolute against the project directory, as compose-go's paths.ResolveRelativePaths:
 * `~` expands to the home directory; absolute paths are kept as written; joined paths are cleaned the way
 * Go's filepath.Join cleans them (no `.`/`..` segments, no trailing slash).
 */

/** Go's filepath.Join for two parts: joined, then cleaned. */
export function joinPath(base: string, path: string): string {
  return cleanPath(posix.join(base, path));
}

/** Go's path.Clean. */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const normalized = posix.normalize(path);
  return normalized.length > 1 && normalized.endsWith("/") ? normalized.slice(0, -1) : normalized;
}

/** `~` and `~/x` -> under the home directory (compose-go's ExpandUser: only a leading `~`). */
export function expandUser(path: string, home: string): string {
  return path.startsWith("~") ? joinPath(home, path.slice(1)) : path;
}

/** Still holds an uninterpolated reference (`config --no-interpolate`): left as written. */
function isTemplate(path: string): boolean {
  return path.includes("${") || /\$[A-Za-z_]/.test(path);
}

export function pathResolvers(workingDir: string, home: string): RuleTable {
  const absPath = (value: unknown): unknown => {
    if (typeof value !== "string" || value === "" || isTemplate(value)) return value;
    const expanded = expandUser(value, home);
    return expanded.startsWith("/") ? expanded : joinPath(workingDir, expanded);
  };
  const maybeUnixPath = absPath;
  const absContextPath: Rule = (value) => {
    if (typeof value !== "string") return value;
    if (value.includes("://") || value.startsWith("service:") || isRemoteContext(value)) return value;
    return absPath(value);
  };
  const absSymbolicLink: Rule = (value) => {
    const abs = absPath(value);
    if (typeof abs !== "string") return abs;
    try {
      return realpathSync(abs);
    } catch {
      // compose-go keeps the path when it does not exist (yet).
      return abs;
    }
  };
  const absVolumeMount: Rule = (value) => {
    if (!isMap(value) || value.type !== "bind" || typeof value.source !== "string") return value;
    put(value, "source", maybeUnixPath(value.source));
    return value;
  };
  const volumeDriverOpts: Rule = (value) => {
    if (!isMap(value) || value.driver !== "local" || !isMap(value.driver_opts)) return value;
    const opts = value.driver_opts;
    if (opts.o === "bind" && "device" in opts) put(opts, "device", maybeUnixPath(opts.device));
    return value;
  };
  return ruleTable({
    "services.*.build.context": absContextPath,
    "services.*.build.additional_contexts.*": absContextPath,
    "services.*.build.ssh.*": maybeUnixPath,
    "services.*.env_file.*.path": absPath,
    "services.*.label_file.*": absPath,
    "services.*.extends.file": absPath,
    "services.*.develop.watch.*.path": absSymbolicLink,
    "services.*.volumes.*": absVolumeMount,
    "configs.*.file": maybeUnixPath,
    "secrets.*.file": maybeUnixPath,
    "volumes.*": volumeDriverOpts,
  });
}

/** Git references and HTTP(S) URLs are build contexts that are not local paths (buildkit's rule). */
function isRemoteContext(context: string): boolean {
  return ["https://", "http://", "git://", "ssh://", "github.com/", "git@"].some((prefix) =>
    context.startsWith(prefix),
  );
}
