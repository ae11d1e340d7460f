/**
 * The shape of compose-go's typed model (types/types.go), as data: for each struct its fields in declaration
 * order with how each value is decoded (model.ts) and printed (render.ts). One table drives both, so the
 * model and `config`'s output cannot disagree on a key's type or position.
 */

export type Shape =
  | { t: "str" }
  | { t: "int" }
  | { t: "float" }
  | { t: "bool" }
  /** Kept as written (x- extensions, free-form values). */
  | { t: "any" }
  /** Go time.Duration: stored as its printed form (`1m30s`). */
  | { t: "duration" }
  /** compose UnitBytes: a byte count, printed as a quoted number. */
  | { t: "bytes" }
  /** ShellCommand: a string is split into words; printed even when empty. */
  | { t: "command" }
  /** StringList: a string becomes a one-item list. */
  | { t: "strings" }
  /** StringOrNumberList: items printed as strings. */
  | { t: "numberStrings" }
  /** Mapping, Labels, Options: string values, null -> "". */
  | { t: "mapping" }
  /** MappingWithEquals: string values, null kept (a variable without a value). */
  | { t: "mappingEq" }
  /** HostsList: `host=ip` entries, sorted. */
  | { t: "hosts" }
  /** HealthCheckTest: a string becomes `[CMD-SHELL, string]`. */
  | { t: "healthTest" }
  /** UlimitsConfig: a number, or {soft, hard}. */
  | { t: "ulimit" }
  /** DeviceCount: `all` is -1. */
  | { t: "deviceCount" }
  /** FileMode: an octal permission, printed as `"0440"`. */
  | { t: "fileMode" }
  /** EnvFile list entries. */
  | { t: "envFile" }
  /** SSHConfig: `{id: path}` -> `["id", "id: path"]` sorted by id. */
  | { t: "ssh" }
  /** MultiOptions: values are lists of strings. */
  | { t: "multiOptions" }
  | { t: "struct"; fields: readonly Field[] }
  | { t: "map"; of: Shape; nullable?: boolean }
  | { t: "list"; of: Shape };

export interface Field {
  key: string;
  shape: Shape;
  /** A Go pointer or non-omitempty field: printed whenever present, even as false, 0 or {}. */
  keep?: boolean;
  /** A Go struct held by value: omitted from YAML when empty, always printed in JSON (as {}). */
  value?: boolean;
  /** Printed in JSON as null when absent (ShellCommand's `json:"command"`). */
  jsonNull?: boolean;
}

const str: Shape = { t: "str" };
const int: Shape = { t: "int" };
const float: Shape = { t: "float" };
const bool: Shape = { t: "bool" };
const any: Shape = { t: "any" };
const duration: Shape = { t: "duration" };
const bytes: Shape = { t: "bytes" };
const strings: Shape = { t: "strings" };
const mapping: Shape = { t: "mapping" };
const mappingEq: Shape = { t: "mappingEq" };
const list = (of: Shape): Shape => ({ t: "list", of });
const map = (of: Shape, nullable = false): Shape => ({ t: "map", of, nullable });
const struct = (...fields: Array<Field | string>): Shape => ({
  t: "struct",
  fields: fields.map((f) => (typeof f === "string" ? { key: f, shape: str } : f)),
});
const f = (key: string, shape: Shape, flags: Omit<Field, "key" | "shape"> = {}): Field => ({
  key,
  shape,
  ...flags,
});

const fileReference = struct("source", "target", "uid", "gid", f("mode", { t: "fileMode" }, { keep: true }));

const ulimits = map({ t: "ulimit" }, true);

const deviceRequest = struct(
  f("capabilities", list(str)),
  "driver",
  f("count", { t: "deviceCount" }),
  f("device_ids", list(str)),
  f("options", mapping),
);

const hook = struct(
  f("command", { t: "command" }, { keep: true, jsonNull: true }),
  "image",
  "user",
  f("privileged", bool),
  "working_dir",
  f("environment", mappingEq),
  f("per_replica", bool),
);

const build = struct(
  "context",
  "dockerfile",
  "dockerfile_inline",
  f("entitlements", list(str)),
  f("args", mappingEq),
  "provenance",
  "sbom",
  f("ssh", { t: "ssh" }),
  f("labels", mapping),
  f("cache_from", strings),
  f("cache_to", strings),
  f("no_cache", bool),
  f("no_cache_filter", strings),
  f("additional_contexts", mapping),
  f("pull", bool),
  f("extra_hosts", { t: "hosts" }),
  "isolation",
  "network",
  "target",
  f("secrets", list(fileReference)),
  f("shm_size", bytes),
  f("tags", strings),
  f("ulimits", ulimits),
  f("platforms", strings),
  f("privileged", bool),
);

const throttle = struct("path", f("rate", bytes, { keep: true }));

const blkio = struct(
  f("weight", int),
  f("weight_device", list(struct("path", f("weight", int, { keep: true })))),
  f("device_read_bps", list(throttle)),
  f("device_read_iops", list(throttle)),
  f("device_write_bps", list(throttle)),
  f("device_write_iops", list(throttle)),
);

const updateConfig = struct(
  f("parallelism", int, { keep: true }),
  f("delay", duration),
  "failure_action",
  f("monitor", duration),
  f("max_failure_ratio", float),
  "order",
);

const resource = struct(
  f("cpus", float),
  f("memory", bytes),
  f("pids", int),
  f("devices", list(deviceRequest)),
  f(
    "generic_resources",
    list(struct(f("discrete_resource_spec", struct("kind", f("value", int, { keep: true }))))),
  ),
);

const deploy = struct(
  "mode",
  f("replicas", int, { keep: true }),
  f("labels", mapping),
  f("update_config", updateConfig),
  f("rollback_config", updateConfig),
  f("resources", struct(f("limits", resource), f("reservations", resource)), { value: true }),
  f(
    "restart_policy",
    struct(
      "condition",
      f("delay", duration, { keep: true }),
      f("max_attempts", int, { keep: true }),
      f("window", duration, { keep: true }),
    ),
  ),
  f(
    "placement",
    struct(
      f("constraints", list(str)),
      f("preferences", list(struct("spread"))),
      f("max_replicas_per_node", int),
    ),
    { value: true },
  ),
  "endpoint_mode",
);

const healthcheck = struct(
  f("test", { t: "healthTest" }),
  f("timeout", duration, { keep: true }),
  f("interval", duration, { keep: true }),
  f("retries", int, { keep: true }),
  f("start_period", duration, { keep: true }),
  f("start_interval", duration, { keep: true }),
  f("disable", bool),
);

const watch = struct(
  f("path", str, { keep: true }),
  f("action", str, { keep: true }),
  "target",
  f("exec", hook, { value: true }),
  f("include", list(str)),
  f("ignore", list(str)),
  f("initial_sync", bool),
);

const serviceNetwork = struct(
  f("aliases", list(str)),
  f("driver_opts", mapping),
  f("gw_priority", int),
  "interface_name",
  "ipv4_address",
  "ipv6_address",
  f("link_local_ips", list(str)),
  "mac_address",
  f("priority", int),
);

const port = struct("name", "mode", "host_ip", f("target", int), "published", "protocol", "app_protocol");

const volumeMount = struct(
  "type",
  "source",
  "target",
  f("read_only", bool),
  "consistency",
  f("bind", struct("selinux", "propagation", f("create_host_path", bool), "recursive")),
  f("volume", struct(f("labels", mapping), f("nocopy", bool), "subpath")),
  f("tmpfs", struct(f("size", bytes), f("mode", int))),
  f("image", struct("subpath")),
);

export const SERVICE: Shape = struct(
  f("profiles", list(str)),
  f("annotations", mapping),
  f("attach", bool, { keep: true }),
  f("build", build),
  f("develop", struct(f("watch", list(watch)))),
  f("blkio_config", blkio),
  f("cap_add", list(str)),
  f("cap_drop", list(str)),
  "cgroup_parent",
  "cgroup",
  f("cpu_count", int),
  f("cpu_percent", float),
  f("cpu_period", int),
  f("cpu_quota", int),
  f("cpu_rt_period", int),
  f("cpu_rt_runtime", int),
  f("cpus", float),
  "cpuset",
  f("cpu_shares", int),
  f("command", { t: "command" }, { keep: true, jsonNull: true }),
  f("configs", list(fileReference)),
  "container_name",
  f("credential_spec", struct("config", "file", "registry")),
  f("depends_on", map(struct("condition", f("restart", bool), f("required", bool, { keep: true })))),
  f("deploy", deploy),
  f("device_cgroup_rules", list(str)),
  f("devices", list(struct("source", "target", "permissions"))),
  f("dns", strings),
  f("dns_opt", list(str)),
  f("dns_search", strings),
  "dockerfile",
  "domainname",
  f("entrypoint", { t: "command" }, { keep: true, jsonNull: true }),
  f("provider", struct("type", f("options", { t: "multiOptions" }))),
  f("environment", mappingEq),
  f("env_file", list({ t: "envFile" })),
  f("expose", { t: "numberStrings" }),
  f("extends", struct("file", "service")),
  f("external_links", list(str)),
  f("extra_hosts", { t: "hosts" }),
  f("group_add", list(str)),
  f("gpus", list(deviceRequest)),
  "hostname",
  f("healthcheck", healthcheck),
  "image",
  f("init", bool, { keep: true }),
  "ipc",
  "isolation",
  f("labels", mapping),
  f("label_file", list(str)),
  f("links", list(str)),
  f("logging", struct("driver", f("options", mapping))),
  "log_driver",
  f("log_opt", mapping),
  f("mem_limit", bytes),
  f("mem_reservation", bytes),
  f("memswap_limit", bytes),
  f("mem_swappiness", bytes),
  "mac_address",
  f("models", map(struct("endpoint_var", "model_var"), true)),
  "net",
  "network_mode",
  f("networks", map(serviceNetwork, true)),
  f("oom_kill_disable", bool),
  f("oom_score_adj", int),
  "pid",
  f("pids_limit", int),
  "platform",
  f("ports", list(port)),
  f("privileged", bool),
  "pull_policy",
  f("read_only", bool),
  "restart",
  "runtime",
  f("scale", int, { keep: true }),
  f("secrets", list(fileReference)),
  f("security_opt", list(str)),
  f("shm_size", bytes),
  f("stdin_open", bool),
  f("stop_grace_period", duration, { keep: true }),
  "stop_signal",
  f("storage_opt", mapping),
  f("sysctls", mapping),
  f("tmpfs", strings),
  f("tty", bool),
  f("ulimits", ulimits),
  f("use_api_socket", bool),
  "user",
  "userns_mode",
  "uts",
  "volume_driver",
  f("volumes", list(volumeMount)),
  f("volumes_from", list(str)),
  "working_dir",
  f("pre_start", list(hook)),
  f("post_start", list(hook)),
  f("pre_stop", list(hook)),
);

const ipamPool = struct("subnet", "gateway", "ip_range", f("aux_addresses", mapping));

export const NETWORK: Shape = struct(
  "name",
  "driver",
  f("driver_opts", mapping),
  f("ipam", struct("driver", f("config", list(ipamPool)), f("options", mapping)), { value: true }),
  f("external", bool),
  f("internal", bool),
  f("attachable", bool),
  f("labels", mapping),
  f("enable_ipv4", bool, { keep: true }),
  f("enable_ipv6", bool, { keep: true }),
);

export const VOLUME: Shape = struct(
  "name",
  "driver",
  f("driver_opts", mapping),
  f("external", bool),
  f("labels", mapping),
);

/** Secrets and configs (FileObjectConfig); `content` is only printed for configs. */
export const FILE_OBJECT: Shape = struct(
  "name",
  "file",
  "environment",
  "content",
  f("external", bool),
  f("labels", mapping),
  "driver",
  f("driver_opts", mapping),
  "template_driver",
);

export const MODEL: Shape = struct("name", "model", f("context_size", int), f("runtime_flags", list(str)));

/** The project's top-level sections in compose's order (name first, x- extensions last). */
export const PROJECT_SECTIONS: ReadonlyArray<readonly [string, Shape]> = [
  ["services", map(SERVICE)],
  ["networks", map(NETWORK)],
  ["volumes", map(VOLUME)],
  ["secrets", map(FILE_OBJECT)],
  ["configs", map(FILE_OBJECT)],
  ["models", map(MODEL)],
];

export { any as ANY };
