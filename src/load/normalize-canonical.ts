import { TscError } from "../errors.js";
import { locationOf, type Tree } from "./source.js";
import { parsePortSpec } from "./normalize-ports.js";
import { parseVolumeSpec } from "./normalize-volumes.js";
import {
  at,
  invalidType,
  isMap,
  itemWhere,
  newList,
  newMap,
  put,
  ruleTable,
  type Rule,
  type Site,
} from "./normalize-walk.js";

/**
 * Short syntax -> compose-go's canonical long syntax (transform/canonical.go and its per-path transformers),
 * then the default values compose fills in (transform/defaults.go). Both run whether or not the model is
 * normalized: `config --no-normalize` still prints long syntax.
 */

/**
 * Still holds a `${VAR}` reference (`config --no-interpolate`): compose then keeps a short syntax it cannot
 * parse as written instead of failing.
 */
const isTemplate = (value: unknown) => typeof value === "string" && value.includes("$");

/** A string becomes a one-item list. */
const stringOrList: Rule = (value, site) =>
  typeof value === "string" ? newList([value], [site.where]) : value;

/** `[a, b]` -> `{a: null, b: null}` (service networks). */
const listToNullMap: Rule = (value, site) => {
  if (!Array.isArray(value)) return value;
  const out = newMap(site.where);
  value.forEach((item, i) => put(out, String(item), null, itemWhere(value, i, site.where)));
  return out;
};

/**
 * `["KEY=value", "BARE"]` -> `{KEY: value, BARE: bare}`: environment and build args keep a bare key as null
 * (its value comes from the environment later), labels and other mappings as "".
 */
function listToMap(bare: null | "", checkSpaces: boolean): Rule {
  return (value, site) => {
    if (!Array.isArray(value)) return value;
    const out = newMap(site.where);
    value.forEach((item, i) => {
      const where = itemWhere(value, i, site.where);
      const text = String(item);
      const eq = text.indexOf("=");
      const key = eq < 0 ? text : text.slice(0, eq);
      if (checkSpaces && /\s$/.test(key)) {
        throw new TscError("E_LOAD_TYPE", `environment variable ${key} is declared with a trailing space`, {
          where,
          hint: "remove the space before `=`",
        });
      }
      put(out, key, eq < 0 ? bare : text.slice(eq + 1), where);
    });
    return out;
  };
}

/** `["key=value"]` -> map; an entry without `=` is an error (build.additional_contexts). */
const keyValue: Rule = (value, site) => {
  if (!Array.isArray(value)) return value;
  value.forEach((item, i) => {
    if (!String(item).includes("=")) {
      throw new TscError(
        "E_LOAD_TYPE",
        `${site.path.join(".")}: invalid value ${String(item)}, expected key=value`,
        {
          where: itemWhere(value, i, site.where),
          hint: "write each entry as name=value",
        },
      );
    }
  });
  return listToMap("", false)(value, site);
};

const ports: Rule = (value, site) => {
  if (!Array.isArray(value)) throw invalidType(site, "a list", value);
  const items: unknown[] = [];
  const wheres: Array<ReturnType<typeof locationOf>> = [];
  value.forEach((entry, i) => {
    const where = itemWhere(value, i, site.where);
    if (typeof entry === "string" || typeof entry === "number") {
      let parsed;
      try {
        parsed = parsePortSpec(entry);
      } catch (error) {
        if (isTemplate(entry)) {
          items.push(entry);
          wheres.push(where);
          return;
        }
        throw at(error, where);
      }
      for (const port of parsed) {
        items.push(port);
        wheres.push(where);
      }
    } else if (isMap(entry)) {
      items.push(entry);
      wheres.push(where);
    } else {
      throw invalidType({ path: [...site.path, String(i)], where }, "a port string or mapping", entry);
    }
  });
  return newList(items, wheres);
};

const volumeMount: Rule = (value, site) => {
  if (typeof value !== "string") return value;
  try {
    return parseVolumeSpec(value);
  } catch (error) {
    if (isTemplate(value)) return value;
    throw at(error, site.where);
  }
};

/** `/dev/x[:/dev/y[:rwm]]` -> `{source, target, permissions}`. */
const deviceMapping: Rule = (value, site) => {
  if (typeof value !== "string") return value;
  const parts = value.split(":");
  if (parts.length > 3) {
    throw new TscError("E_LOAD_SHORT_SYNTAX", `confusing device mapping, please use long syntax: ${value}`, {
      where: site.where,
      hint: "write the device as {source, target, permissions}",
    });
  }
  const [source = "", target = source, permissions = "rwm"] = parts;
  return { source, target: target === "" ? source : target, permissions };
};

/** `name` -> `{source: name}` (service secrets and configs). */
const fileMount: Rule = (value) => (typeof value === "string" ? { source: value } : value);

const dependsOn: Rule = (value, site) => {
  if (Array.isArray(value)) {
    const out = newMap(site.where);
    value.forEach((name, i) =>
      put(
        out,
        String(name),
        { condition: "service_started", required: true },
        itemWhere(value, i, site.where),
      ),
    );
    return out;
  }
  if (!isMap(value)) throw invalidType(site, "a list or a mapping", value);
  for (const [name, entry] of Object.entries(value)) {
    if (!isMap(entry)) {
      throw invalidType({ path: [...site.path, name], where: locationOf(value, name) }, "a mapping", entry);
    }
    if (!("condition" in entry)) put(entry, "condition", "service_started");
    if (!("required" in entry)) put(entry, "required", true);
  }
  return value;
};

const envFile: Rule = (value, site) => {
  const list = typeof value === "string" ? newList([value], [site.where]) : value;
  if (!Array.isArray(list)) throw invalidType(site, "a string or a list", value);
  return newList(
    list.map((entry) => {
      if (typeof entry === "string") return { path: entry, required: true };
      if (isMap(entry) && !("required" in entry)) put(entry, "required", true);
      return entry;
    }),
    list.map((_, i) => itemWhere(list, i, site.where)),
  );
};

/** `[default, "id=path"]` -> `{default: null, id: path}` (build.ssh). */
const ssh: Rule = (value, site) => {
  if (!Array.isArray(value)) return value;
  const out = newMap(site.where);
  value.forEach((item, i) => {
    const where = itemWhere(value, i, site.where);
    const text = String(item);
    const eq = text.indexOf("=");
    if (eq < 0 && text !== "default") {
      throw new TscError("E_LOAD_TYPE", `invalid ssh key "${text}"`, {
        where,
        hint: "write `default` or `id=path/to/key`",
      });
    }
    put(out, eq < 0 ? text : text.slice(0, eq), eq < 0 ? null : text.slice(eq + 1), where);
  });
  return out;
};

/** `gpus: all` -> `[{count: all}]`. */
const gpus: Rule = (value, site) =>
  typeof value === "string" ? newList([{ count: "all" }], [site.where]) : value;

/** Top-level resources: `external: {name: x}` (deprecated) -> `name: x, external: true`. */
const maybeExternal: Rule = (value, site) => {
  if (!isMap(value) || !isMap(value.external)) return value;
  const externalName = value.external.name;
  put(value, "external", true);
  if (externalName !== undefined) {
    if (value.name !== undefined && value.name !== externalName) {
      throw new TscError(
        "E_LOAD_INVALID",
        `${site.path.join(".")}: name and external.name conflict; only use name`,
        {
          where: site.where,
          hint: "remove external.name and keep `name:` with `external: true`",
        },
      );
    }
    if (value.name === undefined) put(value, "name", externalName, locationOf(value, "external"));
  }
  return value;
};

/** A rule that applies `inner` to `value[key]` when the value is a map (for nested canonical forms). */
function within(rules: Readonly<Record<string, Rule>>): Rule {
  return (value, site) => {
    if (!isMap(value)) return value;
    for (const [key, rule] of Object.entries(rules)) {
      if (!(key in value)) continue;
      const child: Site = { path: [...site.path, key], where: locationOf(value, key) };
      const result = rule(value[key], child);
      if (result !== value[key]) put(value, key, result);
    }
    return value;
  };
}

const buildInner: Readonly<Record<string, Rule>> = {
  additional_contexts: keyValue,
  args: listToMap(null, false),
  labels: listToMap("", false),
  ssh,
};

const build: Rule = (value, site) => {
  if (typeof value === "string") {
    const out = newMap(site.where);
    put(out, "context", value, site.where);
    return out;
  }
  if (!isMap(value)) throw invalidType(site, "a string or a mapping", value);
  const result = within(buildInner)(value, site) as Tree;
  const secrets = result.secrets;
  if (Array.isArray(secrets)) {
    const wheres = secrets.map((_, i) => itemWhere(secrets, i, site.where));
    put(
      result,
      "secrets",
      newList(
        secrets.map((entry) => fileMount(entry, site)),
        wheres,
      ),
    );
  }
  return result;
};

const extendsRule: Rule = (value, site) => {
  if (typeof value !== "string") return value;
  const out = newMap(site.where);
  put(out, "service", value, site.where);
  return out;
};

/** compose-go transform.Canonical, plus the list -> map conversions compose does when decoding. */
export const CANONICAL = ruleTable({
  "services.*.build": build,
  "services.*.depends_on": dependsOn,
  "services.*.env_file": envFile,
  "services.*.label_file": stringOrList,
  "services.*.extends": extendsRule,
  "services.*.gpus": gpus,
  "services.*.networks": listToNullMap,
  "services.*.models": listToNullMap,
  "services.*.volumes.*": volumeMount,
  "services.*.dns": stringOrList,
  "services.*.devices.*": deviceMapping,
  "services.*.secrets.*": fileMount,
  "services.*.configs.*": fileMount,
  "services.*.ports": ports,
  "services.*.environment": listToMap(null, true),
  "services.*.labels": listToMap("", false),
  "services.*.annotations": listToMap("", false),
  "services.*.sysctls": listToMap("", false),
  "services.*.develop.watch.*.ignore": stringOrList,
  "services.*.develop.watch.*.include": stringOrList,
  "volumes.*": maybeExternal,
  "networks.*": maybeExternal,
  "secrets.*": maybeExternal,
  "configs.*": maybeExternal,
});

/** Sets `key` to `value` on a map that lacks it. */
function defaultKey(key: string, value: () => unknown): Rule {
  return (map) => {
    if (isMap(map) && !(key in map)) put(map, key, value());
    return map;
  };
}

const deviceRequest: Rule = (value) => {
  if (isMap(value) && !("count" in value) && !("device_ids" in value)) put(value, "count", "all");
  return value;
};

/** compose-go transform.SetDefaultValues. */
export const DEFAULTS = ruleTable({
  "services.*.build": defaultKey("context", () => "."),
  "services.*.secrets.*": (value) => {
    if (isMap(value) && !("target" in value)) put(value, "target", `/run/secrets/${String(value.source)}`);
    return value;
  },
  "services.*.ports.*": (value) => {
    if (!isMap(value)) return value;
    // compose-go's order: mode first, protocol after the rest.
    const out: Tree = {};
    put(out, "mode", "ingress");
    for (const [key, item] of Object.entries(value)) put(out, key, item, locationOf(value, key));
    if (!("protocol" in out)) put(out, "protocol", "tcp");
    return out;
  },
  "services.*.deploy.resources.reservations.devices.*": deviceRequest,
  "services.*.gpus.*": deviceRequest,
  "services.*.volumes.*.bind": defaultKey("create_host_path", () => true),
});
