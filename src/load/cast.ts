import { TscError } from "../errors.js";
import { formatPath } from "./interpolate.js";
import type { LoadWarning } from "./options.js";
import { YamlTag, locationOf, type Tree } from "./source.js";

/**
 * Typed casts after interpolation (compose-go loader/interpolate.go `interpolateTypeCastMapping`): a string
 * at one of these paths becomes the boolean or number the Compose model wants there, so that
 * `privileged: ${PRIV}` or `replicas: "${N:-1}"` load. `*` matches any key or list item, `[]` a list item.
 */

type Kind = "bool" | "int" | "float";

const SERVICE_CASTS: ReadonlyArray<readonly [string, Kind]> = [
  ["cpu_count", "int"],
  ["cpu_percent", "float"],
  ["cpu_period", "int"],
  ["cpu_quota", "int"],
  ["cpu_rt_period", "int"],
  ["cpu_rt_runtime", "int"],
  ["cpus", "float"],
  ["cpu_shares", "int"],
  ["init", "bool"],
  ["depends_on.*.required", "bool"],
  ["depends_on.*.restart", "bool"],
  ["deploy.replicas", "int"],
  ["deploy.update_config.parallelism", "int"],
  ["deploy.update_config.max_failure_ratio", "float"],
  ["deploy.rollback_config.parallelism", "int"],
  ["deploy.rollback_config.max_failure_ratio", "float"],
  ["deploy.restart_policy.max_attempts", "int"],
  ["deploy.placement.max_replicas_per_node", "int"],
  ["healthcheck.retries", "int"],
  ["healthcheck.disable", "bool"],
  ["oom_kill_disable", "bool"],
  ["oom_score_adj", "int"],
  ["pids_limit", "int"],
  ["ports.[].target", "int"],
  ["privileged", "bool"],
  ["read_only", "bool"],
  ["scale", "int"],
  ["stdin_open", "bool"],
  ["tty", "bool"],
  ["ulimits.*", "int"],
  ["ulimits.*.hard", "int"],
  ["ulimits.*.soft", "int"],
  ["volumes.[].read_only", "bool"],
  ["volumes.[].volume.nocopy", "bool"],
];

/** The whole table, as dotted path patterns (exported for tests and docs). */
export const CAST_PATHS: ReadonlyArray<readonly [string, Kind]> = [
  ...SERVICE_CASTS.map(([path, kind]) => [`services.*.${path}`, kind] as const),
  ...["external", "internal", "attachable", "enable_ipv4", "enable_ipv6"].map(
    (key) => [`networks.*.${key}`, "bool"] as const,
  ),
  ["volumes.*.external", "bool"],
  ["secrets.*.external", "bool"],
  ["configs.*.external", "bool"],
];

interface Node {
  children: Map<string, Node>;
  kind?: Kind;
}

const ROOT = buildTrie(CAST_PATHS);

function buildTrie(paths: ReadonlyArray<readonly [string, Kind]>): Node {
  const root: Node = { children: new Map() };
  for (const [path, kind] of paths) {
    let node = root;
    for (const part of path.split(".")) {
      let next = node.children.get(part);
      if (!next) {
        next = { children: new Map() };
        node.children.set(part, next);
      }
      node = next;
    }
    node.kind = kind;
  }
  return root;
}

/** Casts the strings at the table's paths in place; a string that is not a valid value is E_LOAD_TYPE. */
export function castTypes(tree: Tree, warn: (warning: LoadWarning) => void = () => {}): Tree {
  const walk = (container: object, nodes: Node[], path: (string | number)[]) => {
    const isList = Array.isArray(container);
    const slot = container as Record<string | number, unknown>;
    const keys: (string | number)[] = isList ? container.map((_, i) => i) : Object.keys(container);
    for (const key of keys) {
      const next: Node[] = [];
      for (const node of nodes) {
        const exact = isList ? node.children.get("[]") : node.children.get(key as string);
        const any = node.children.get("*");
        if (exact) next.push(exact);
        if (any) next.push(any);
      }
      if (next.length === 0) continue;
      slot[key] = visit(slot[key], container, key, next, [...path, key]);
    }
  };
  const visit = (
    value: unknown,
    container: object,
    key: string | number,
    nodes: Node[],
    path: (string | number)[],
  ): unknown => {
    if (typeof value === "string") {
      const kind = nodes.find((node) => node.kind !== undefined)?.kind;
      return kind ? cast(value, kind, container, key, path, warn) : value;
    }
    if (value instanceof YamlTag) {
      const inner = visit(value.value, container, key, nodes, path);
      return inner === value.value ? value : new YamlTag(value.tag, inner);
    }
    if (typeof value === "object" && value !== null) walk(value, nodes, path);
    return value;
  };
  walk(tree, [ROOT], []);
  return tree;
}

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT64_MAX = 2n ** 63n - 1n;

function cast(
  value: string,
  kind: Kind,
  container: object,
  key: string | number,
  path: (string | number)[],
  warn: (warning: LoadWarning) => void,
): boolean | number {
  const where = locationOf(container, key);
  if (kind === "bool") {
    const lower = value.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    // YAML 1.1 spellings: compose still takes them, with a warning.
    const yes = ["y", "yes", "on"].includes(lower);
    if (yes || ["n", "no", "off"].includes(lower)) {
      warn({
        message: `${JSON.stringify(value)} for boolean is not supported by YAML 1.2, please use \`${yes}\``,
        where,
      });
      return yes;
    }
    throw typeError(path, value, "a boolean", "use true or false", where);
  }
  if (kind === "int") {
    const big = INT.test(value) ? BigInt(value) : undefined;
    if (big === undefined || big > INT64_MAX || big < -INT64_MAX - 1n) {
      throw typeError(path, value, "an integer", "write a whole number such as 3", where);
    }
    return Number(big);
  }
  const number = FLOAT.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(number)) throw typeError(path, value, "a number", "write a number such as 0.5", where);
  return number;
}

function typeError(
  path: (string | number)[],
  value: string,
  expected: string,
  hint: string,
  where: ReturnType<typeof locationOf>,
): TscError {
  return new TscError(
    "E_LOAD_TYPE",
    `${formatPath(path)} must be ${expected}, got ${JSON.stringify(value)}`,
    { where, hint: `${hint} (when the value comes from a variable, check that variable)` },
  );
}
