import type { ProjectLocation } from "./locate.js";
import { decode } from "./model-decode.js";
import { resolveServiceEnvironment, resolveServiceLabels, type EnvFileEntry } from "./model-environment.js";
import { FILE_OBJECT, MODEL, NETWORK, SERVICE, VOLUME, type Shape } from "./model-shape.js";
import { locationOf, type Tree } from "./source.js";

/**
 * The typed compose model: what the rest of tscompose reads, fully resolved (long syntax, absolute paths,
 * defaults, names) and readonly. Keys are the Compose Specification's own (snake_case), so the model is
 * also what `config` prints; model-shape.ts gives each key's type and position. Durations are Go-style
 * strings (`1m30s`, as compose prints them; duration.ts parses them), byte sizes are numbers, commands are word lists.
 */

type Mapping = Readonly<Record<string, string>>;
/** `null`: a variable declared without a value (and not set in the environment). */
type MappingWithEquals = Readonly<Record<string, string | null>>;

export interface Port {
  readonly name?: string;
  readonly mode?: string;
  readonly host_ip?: string;
  readonly target: number;
  /** A host port or range (`8080`, `8000-8010`); absent: the engine picks one. */
  readonly published?: string;
  readonly protocol?: string;
  readonly app_protocol?: string;
}

export interface VolumeMount {
  readonly type: "bind" | "volume" | "tmpfs" | "npipe" | "cluster" | "image";
  readonly source?: string;
  readonly target: string;
  readonly read_only?: boolean;
  readonly consistency?: string;
  readonly bind?: {
    readonly selinux?: string;
    readonly propagation?: string;
    readonly create_host_path?: boolean;
    readonly recursive?: string;
  };
  readonly volume?: { readonly labels?: Mapping; readonly nocopy?: boolean; readonly subpath?: string };
  readonly tmpfs?: { readonly size?: number; readonly mode?: number };
  readonly image?: { readonly subpath?: string };
}

export interface Dependency {
  readonly condition: "service_started" | "service_healthy" | "service_completed_successfully";
  readonly restart?: boolean;
  readonly required: boolean;
}

export interface ServiceNetwork {
  readonly aliases?: readonly string[];
  readonly driver_opts?: Mapping;
  readonly gw_priority?: number;
  readonly interface_name?: string;
  readonly ipv4_address?: string;
  readonly ipv6_address?: string;
  readonly link_local_ips?: readonly string[];
  readonly mac_address?: string;
  readonly priority?: number;
}

export interface Healthcheck {
  readonly test?: readonly string[];
  readonly timeout?: string;
  readonly interval?: string;
  readonly retries?: number;
  readonly start_period?: string;
  readonly start_interval?: string;
  readonly disable?: boolean;
}

export interface FileReference {
  readonly source: string;
  readonly target?: string;
  readonly uid?: string;
  readonly gid?: string;
  /** Permission bits (0o440), printed in octal. */
  readonly mode?: number;
}

export interface Build {
  readonly context: string;
  readonly dockerfile?: string;
  readonly dockerfile_inline?: string;
  readonly args?: MappingWithEquals;
  readonly ssh?: ReadonlyArray<{ readonly id: string; readonly path?: string }>;
  readonly labels?: Mapping;
  readonly cache_from?: readonly string[];
  readonly cache_to?: readonly string[];
  readonly no_cache?: boolean;
  readonly additional_contexts?: Mapping;
  readonly pull?: boolean;
  readonly extra_hosts?: readonly string[];
  readonly network?: string;
  readonly target?: string;
  readonly secrets?: readonly FileReference[];
  readonly shm_size?: number;
  readonly tags?: readonly string[];
  readonly platforms?: readonly string[];
  readonly privileged?: boolean;
  readonly [key: string]: unknown;
}

export interface EnvFile {
  readonly path: string;
  readonly required: boolean;
  readonly format?: string;
}

/** One service. Keys not listed here (x- extensions, rarely used ones) are kept as written. */
export interface Service {
  readonly profiles?: readonly string[];
  readonly annotations?: Mapping;
  readonly attach?: boolean;
  readonly build?: Build;
  readonly cap_add?: readonly string[];
  readonly cap_drop?: readonly string[];
  readonly cgroup_parent?: string;
  readonly cpus?: number;
  readonly cpu_shares?: number;
  readonly command?: readonly string[];
  readonly configs?: readonly FileReference[];
  readonly container_name?: string;
  readonly depends_on?: Readonly<Record<string, Dependency>>;
  readonly deploy?: Readonly<Record<string, unknown>> & { readonly replicas?: number };
  readonly devices?: ReadonlyArray<{
    readonly source: string;
    readonly target: string;
    readonly permissions: string;
  }>;
  readonly dns?: readonly string[];
  readonly dns_opt?: readonly string[];
  readonly dns_search?: readonly string[];
  readonly domainname?: string;
  readonly entrypoint?: readonly string[];
  readonly environment?: MappingWithEquals;
  readonly env_file?: readonly EnvFile[];
  readonly expose?: readonly string[];
  readonly external_links?: readonly string[];
  /** `host=ip` entries, sorted. */
  readonly extra_hosts?: readonly string[];
  readonly group_add?: readonly string[];
  readonly hostname?: string;
  readonly healthcheck?: Healthcheck;
  readonly image?: string;
  readonly init?: boolean;
  readonly ipc?: string;
  readonly labels?: Mapping;
  /** Files of labels, already merged into `labels`. */
  readonly label_file?: readonly string[];
  readonly links?: readonly string[];
  readonly logging?: { readonly driver?: string; readonly options?: Mapping };
  readonly mem_limit?: number;
  readonly mem_reservation?: number;
  readonly memswap_limit?: number;
  readonly mac_address?: string;
  readonly network_mode?: string;
  /** `null`: joined with no options. */
  readonly networks?: Readonly<Record<string, ServiceNetwork | null>>;
  readonly oom_score_adj?: number;
  readonly pid?: string;
  readonly pids_limit?: number;
  readonly platform?: string;
  readonly ports?: readonly Port[];
  readonly privileged?: boolean;
  readonly pull_policy?: string;
  readonly read_only?: boolean;
  readonly restart?: string;
  readonly scale?: number;
  readonly secrets?: readonly FileReference[];
  readonly security_opt?: readonly string[];
  readonly shm_size?: number;
  readonly stdin_open?: boolean;
  readonly stop_grace_period?: string;
  readonly stop_signal?: string;
  readonly sysctls?: Mapping;
  readonly tmpfs?: readonly string[];
  readonly tty?: boolean;
  readonly ulimits?: Readonly<
    Record<string, number | { readonly soft: number; readonly hard: number } | null>
  >;
  readonly user?: string;
  readonly userns_mode?: string;
  readonly uts?: string;
  readonly volumes?: readonly VolumeMount[];
  readonly volumes_from?: readonly string[];
  readonly working_dir?: string;
  readonly [key: string]: unknown;
}

export interface Network {
  readonly name?: string;
  readonly driver?: string;
  readonly driver_opts?: Mapping;
  readonly ipam?: {
    readonly driver?: string;
    readonly config?: ReadonlyArray<{
      readonly subnet?: string;
      readonly gateway?: string;
      readonly ip_range?: string;
      readonly aux_addresses?: Mapping;
    }>;
    readonly options?: Mapping;
  };
  readonly external?: boolean;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  readonly labels?: Mapping;
  readonly enable_ipv4?: boolean;
  readonly enable_ipv6?: boolean;
  readonly [key: string]: unknown;
}

export interface Volume {
  readonly name?: string;
  readonly driver?: string;
  readonly driver_opts?: Mapping;
  readonly external?: boolean;
  readonly labels?: Mapping;
  readonly [key: string]: unknown;
}

/** A top-level secret or config: from a file, an environment variable, inline content, or external. */
export interface FileObject {
  readonly name?: string;
  readonly file?: string;
  readonly environment?: string;
  readonly content?: string;
  readonly external?: boolean;
  readonly labels?: Mapping;
  readonly [key: string]: unknown;
}

export type Secret = FileObject;
export type Config = FileObject;

export interface Project {
  readonly name: string;
  /** The project directory: relative paths in the files were made absolute against it. */
  readonly workingDir: string;
  /** The compose files, in the order they were merged. */
  readonly composeFiles: readonly string[];
  /** The interpolation environment (.env files under the process environment). */
  readonly environment: Readonly<Record<string, string>>;
  readonly services: Readonly<Record<string, Service>>;
  readonly networks: Readonly<Record<string, Network>>;
  readonly volumes: Readonly<Record<string, Volume>>;
  readonly secrets: Readonly<Record<string, Secret>>;
  readonly configs: Readonly<Record<string, Config>>;
  readonly models: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Top-level `x-` keys. */
  readonly extensions: Readonly<Record<string, unknown>>;
}

/** Binds the normalized tree to the typed model (compose-go's ModelToProject + environment resolution). */
export function toProject(
  tree: Tree,
  context: { projectName: string; workingDir: string; location: ProjectLocation },
): Project {
  const environment = context.location.environment;
  const section = <T>(key: string, shape: Shape): Record<string, T> => {
    const value = tree[key];
    if (value === undefined || value === null) return {};
    const out: Record<string, T> = {};
    const entries = typeof value === "object" ? Object.entries(value as Tree) : [];
    for (const [name, item] of entries) {
      const decoded = decode(item ?? {}, shape, { path: [key, name], where: locationOf(value, name) });
      define(out, name, decoded as T);
    }
    return out;
  };

  const services: Record<string, Service> = {};
  const rawServices = (tree.services ?? {}) as Tree;
  for (const [name, decoded] of Object.entries(section<Record<string, unknown>>("services", SERVICE))) {
    define(services, name, resolveService(decoded, rawServices[name], environment));
  }
  const extensions: Record<string, unknown> = {};
  for (const key of Object.keys(tree).sort()) if (key.startsWith("x-")) define(extensions, key, tree[key]);

  return {
    name: context.projectName,
    workingDir: context.workingDir,
    composeFiles: context.location.configFiles.map((file) => file.path),
    environment,
    services,
    networks: section<Network>("networks", NETWORK),
    volumes: section<Volume>("volumes", VOLUME),
    secrets: section<Secret>("secrets", FILE_OBJECT),
    configs: section<Config>("configs", FILE_OBJECT),
    models: section("models", MODEL),
    extensions,
  };
}

/** Environment, env files and label files resolved; `scale` copied to `deploy.replicas` as compose does. */
function resolveService(
  service: Record<string, unknown>,
  raw: unknown,
  environment: Readonly<Record<string, string>>,
): Service {
  const out: Record<string, unknown> = { ...service };
  const rawEnvFiles = (raw as Tree | undefined)?.env_file;
  const envFiles: EnvFileEntry[] = ((out.env_file as EnvFile[] | undefined) ?? [])
    .filter((file) => typeof file.path === "string" && !file.path.includes("$"))
    .map((file, i) => ({ ...file, where: locationOf(rawEnvFiles, i) }));
  const resolved = resolveServiceEnvironment(
    out.environment as Readonly<Record<string, string | null>> | undefined,
    envFiles,
    environment,
  );
  if (resolved !== undefined) out.environment = resolved;
  const rawLabelFiles = (raw as Tree | undefined)?.label_file;
  const labelFiles: EnvFileEntry[] = ((out.label_file as string[] | undefined) ?? [])
    .filter((path) => !path.includes("$"))
    .map((path, i) => ({ path, required: true, where: locationOf(rawLabelFiles, i) }));
  const labels = resolveServiceLabels(out.labels as Readonly<Record<string, string>> | undefined, labelFiles);
  if (labels !== undefined) out.labels = labels;
  const deploy = out.deploy as Record<string, unknown> | undefined;
  if (typeof out.scale === "number" && deploy) out.deploy = { ...deploy, replicas: out.scale };
  return out as Service;
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
