import { TscError, type SourceLocation } from "../errors.js";
import { formatDuration, parseDuration } from "./duration.js";
import type { Field, Shape } from "./model-shape.js";
import { splitShellWords } from "./shell-words.js";
import { locationOf } from "./source.js";

/**
 * Decodes a normalized tree into model values by shape, as compose-go's mapstructure hooks do: durations
 * and byte sizes parsed, command strings split into words, string lists, mappings with string values,
 * `host=ip` lists. A value that still holds a `${...}` reference (`config --no-interpolate`) is kept as
 * written. Unknown keys (x- extensions) are kept as they are.
 */

interface Site {
  path: readonly string[];
  where: SourceLocation | undefined;
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isTemplate = (value: unknown): boolean => typeof value === "string" && value.includes("$");

function typeError(site: Site, expected: string, value: unknown): TscError {
  return new TscError(
    "E_LOAD_TYPE",
    `${site.path.join(".")}: expected ${expected}, got ${JSON.stringify(value)}`,
    {
      where: site.where,
      hint: `write ${site.path.at(-1) ?? "the value"} as ${expected}`,
    },
  );
}

function child(container: unknown, key: string | number, site: Site): Site {
  return { path: [...site.path, String(key)], where: locationOf(container, key) ?? site.where };
}

const scalarText = (value: unknown): string => (typeof value === "string" ? value : String(value));

/** Decodes `value` by `shape`; undefined means "absent" (the field is left out of the model). */
export function decode(value: unknown, shape: Shape, site: Site): unknown {
  if (value === undefined) return undefined;
  if (!isTemplate(value)) return decodeValue(value, shape, site);
  try {
    return decodeValue(value, shape, site);
  } catch (error) {
    // An uninterpolated `${VAR}` (config --no-interpolate) cannot be typed yet: it is printed as written.
    if (TscError.is(error)) return value;
    throw error;
  }
}

function decodeValue(value: unknown, shape: Shape, site: Site): unknown {
  switch (shape.t) {
    case "any":
      return value;
    case "str":
      return value === null ? undefined : scalarText(value);
    case "int":
    case "float":
      return decodeNumber(value, shape.t, site);
    case "bool":
      if (value === null) return undefined;
      if (typeof value === "boolean") return value;
      if (value === "true" || value === "false") return value === "true";
      throw typeError(site, "a boolean", value);
    case "duration":
      if (value === null) return undefined;
      try {
        return formatDuration(parseDuration(scalarText(value)));
      } catch (error) {
        throw TscError.is(error) ? error.withLocation(site.where) : error;
      }
    case "bytes":
      return value === null ? undefined : parseBytes(value, site);
    case "command":
      return decodeCommand(value, site);
    case "strings":
    case "numberStrings":
      if (value === null) return undefined;
      return (Array.isArray(value) ? value : [value]).map((item) => scalarText(item));
    case "mapping":
    case "mappingEq":
      return decodeMapping(value, shape.t === "mappingEq", site);
    case "hosts":
      return decodeHosts(value, site);
    case "healthTest":
      if (typeof value === "string") return ["CMD-SHELL", value];
      return Array.isArray(value) ? value.map(scalarText) : undefined;
    case "ulimit":
      if (isMap(value)) {
        return {
          soft: decodeNumber(value.soft ?? 0, "int", site),
          hard: decodeNumber(value.hard ?? 0, "int", site),
        };
      }
      return value === null ? null : decodeNumber(value, "int", site);
    case "deviceCount":
      if (typeof value === "string" && value.toLowerCase() === "all") return -1;
      return decodeNumber(value, "int", site);
    case "fileMode":
      return decodeFileMode(value, site);
    case "envFile":
      if (typeof value === "string") return { path: value, required: true };
      return isMap(value)
        ? { ...value, required: value.required !== false && value.required !== "false" }
        : value;
    case "ssh":
      return decodeSsh(value);
    case "multiOptions":
      return decodeMultiOptions(value);
    case "list":
      if (value === null) return undefined;
      if (!Array.isArray(value)) throw typeError(site, "a list", value);
      return value.map((item, i) => decode(item, shape.of, child(value, i, site)) ?? null);
    case "map":
      return decodeMap(value, shape, site);
    case "struct":
      return decodeStruct(value, shape.fields, site);
  }
}

function decodeNumber(value: unknown, kind: "int" | "float", site: Site): number | undefined {
  if (value === null) return undefined;
  const number =
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : NaN;
  if (!Number.isFinite(number) || (kind === "int" && !Number.isInteger(number))) {
    throw typeError(site, kind === "int" ? "an integer" : "a number", value);
  }
  return number;
}

function decodeCommand(value: unknown, site: Site): readonly string[] | undefined {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map(scalarText);
  try {
    return splitShellWords(scalarText(value));
  } catch (error) {
    throw TscError.is(error) ? error.withLocation(site.where) : error;
  }
}

function decodeMapping(
  value: unknown,
  keepNull: boolean,
  site: Site,
): Record<string, string | null> | undefined {
  if (value === null) return undefined;
  const out: Record<string, string | null> = {};
  const set = (key: string, item: unknown) =>
    Object.defineProperty(out, key, {
      value: item === null || item === undefined ? (keepNull ? null : "") : scalarText(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  if (Array.isArray(value)) {
    for (const entry of value) {
      const text = scalarText(entry);
      const eq = text.indexOf("=");
      set(eq < 0 ? text : text.slice(0, eq), eq < 0 ? null : text.slice(eq + 1));
    }
    return out;
  }
  if (!isMap(value)) throw typeError(site, "a mapping or a list of KEY=VALUE", value);
  for (const [key, item] of Object.entries(value)) set(key, item);
  return out;
}

/** extra_hosts: `host=ip`, `host:ip` or `{host: ip | [ips]}` -> sorted `host=ip` (IPv6 brackets removed). */
function decodeHosts(value: unknown, site: Site): string[] | undefined {
  if (value === null) return undefined;
  const entries: Array<[string, string]> = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const text = scalarText(item);
      const sep = text.includes("=") ? "=" : ":";
      const at = text.indexOf(sep);
      if (at < 0) {
        throw new TscError("E_LOAD_TYPE", `invalid additional host, missing IP: ${text}`, {
          where: locationOf(value, i) ?? site.where,
          hint: "write extra hosts as host=ip",
        });
      }
      for (const ip of text.slice(at + 1).split(",")) entries.push([text.slice(0, at), ip]);
    });
  } else if (isMap(value)) {
    for (const [host, ips] of Object.entries(value)) {
      for (const ip of Array.isArray(ips) ? ips : [ips ?? ""]) entries.push([host, scalarText(ip)]);
    }
  } else {
    throw typeError(site, "a list or a mapping", value);
  }
  return entries
    .map(
      ([host, ip]) =>
        `${host}=${ip.length > 2 && ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip}`,
    )
    .sort(byText);
}

/**
 * An octal file mode. YAML 1.2 reads `0440` as the decimal 440 where compose (YAML 1.1) reads octal, so a
 * number written with a leading 0 in the source is read as octal, as compose does.
 */
function decodeFileMode(value: unknown, site: Site): number | undefined {
  if (value === null) return undefined;
  if (typeof value === "string") {
    if (!/^[0-7]+$/.test(value)) throw typeError(site, "an octal file mode such as 0440", value);
    return parseInt(value, 8);
  }
  if (typeof value !== "number" || !Number.isInteger(value)) throw typeError(site, "a file mode", value);
  const written = site.where?.lineText?.slice(site.where.column - 1).match(/^0[0-7]+\b/);
  return written && Number(written[0]) === value ? parseInt(written[0], 8) : value;
}

function decodeSsh(value: unknown): Array<{ id: string; path?: string }> | undefined {
  if (!isMap(value)) return Array.isArray(value) ? (value as Array<{ id: string }>) : undefined;
  return Object.entries(value)
    .map(([id, path]) => (path === null || path === undefined ? { id } : { id, path: scalarText(path) }))
    .sort((a, b) => byText(a.id, b.id));
}

function decodeMultiOptions(value: unknown): Record<string, string[]> | undefined {
  if (!isMap(value)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = (Array.isArray(item) ? item : [item]).map(scalarText);
  }
  return out;
}

function decodeMap(value: unknown, shape: Extract<Shape, { t: "map" }>, site: Site): unknown {
  if (value === null) return undefined;
  if (!isMap(value)) throw typeError(site, "a mapping", value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const decoded =
      item === null && shape.nullable ? null : decode(item ?? {}, shape.of, child(value, key, site));
    Object.defineProperty(out, key, {
      value: decoded ?? null,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function decodeStruct(
  value: unknown,
  fields: readonly Field[],
  site: Site,
): Record<string, unknown> | undefined {
  if (value === null) return undefined;
  if (!isMap(value)) throw typeError(site, "a mapping", value);
  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const field of fields) {
    known.add(field.key);
    const decoded = decode(value[field.key], field.shape, child(value, field.key, site));
    if (decoded === undefined) continue;
    // Go's zero values are indistinguishable from absent ones: left out so equal configs are equal models.
    if (field.shape.t === "struct" ? field.value && isEmpty(decoded) : !field.keep && isZero(decoded))
      continue;
    out[field.key] = decoded;
  }
  for (const key of Object.keys(value).sort(byText)) {
    if (!known.has(key)) {
      Object.defineProperty(out, key, {
        value: value[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return out;
}

const isEmpty = (value: unknown) => isMap(value) && Object.keys(value).length === 0;

function isZero(value: unknown): boolean {
  if (value === false || value === 0 || value === "" || isEmpty(value)) return true;
  return Array.isArray(value) && value.length === 0;
}

/** Byte sizes as docker's go-units RAMInBytes: `512`, `64m`, `1.5g`, `2GiB` (1024-based). */
export function parseBytes(value: unknown, site: Site): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  const text = scalarText(value);
  if (/^-?\d+$/.test(text)) return Number(text);
  const match = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  if (!match) throw typeError(site, "a byte size such as 512m or 2g", value);
  const power = match[2] ? "kmgtp".indexOf(match[2].toLowerCase()) + 1 : 0;
  return Math.trunc(parseFloat(match[1] ?? "0") * 1024 ** power);
}

/** Go's string order (byte-wise for ASCII, code-unit order otherwise). */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
