import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { TscError, isErrno } from "../errors.js";
import type { BindMount, CreateOptions } from "../runtime/index.js";

/** docker run's flag values -> the runtime's CreateOptions; every rejection says which flag and why. */

export interface RunFlags {
  rm?: boolean;
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  detachKeys?: string;
  name?: string;
  env?: string[];
  envFile?: string[];
  volume?: string[];
  tmpfs?: string[];
  network?: string;
  hostname?: string;
  user?: string;
  workdir?: string;
  entrypoint?: string;
  init?: boolean;
  memory?: string;
  memorySwap?: string;
  cpus?: string;
  pidsLimit?: string;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  securityOpt?: string[];
  readOnly?: boolean;
  stopSignal?: string;
  stopTimeout?: string;
  label?: string[];
}

function usage(message: string, hint: string): TscError {
  return new TscError("E_USAGE", message, { hint });
}

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** docker's RAMInBytes: a number with an optional b/k/m/g/t suffix (binary units), e.g. 64m, 1.5g. */
export function parseBytes(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i.exec(value.trim());
  const unit = UNITS[(match?.[2] ?? "").toLowerCase()];
  if (!match || unit === undefined) {
    throw usage(`invalid ${flag} value ${JSON.stringify(value)}`, "use a size such as 512k, 64m or 1g");
  }
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes > Number.MAX_SAFE_INTEGER) {
    throw usage(`${flag} ${value} is too large`, "use a size below 8 pebibytes, such as 64m or 1g");
  }
  return bytes;
}

export function parseCpus(value: string): number {
  const cpus = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(cpus > 0)) {
    throw usage(
      `invalid --cpus value ${JSON.stringify(value)}`,
      "use a positive number of CPUs such as 0.5 or 2",
    );
  }
  return cpus;
}

export function parseInteger(flag: string, value: string): number {
  if (!/^-?\d+$/.test(value))
    throw usage(`invalid ${flag} value ${JSON.stringify(value)}`, "use a whole number");
  return Number(value);
}

/** -v /host:/ctr[:ro|rw]; only bind mounts of absolute host paths (named volumes come with the volume issue). */
export function parseVolume(value: string): BindMount {
  const parts = value.split(":");
  const [source = "", target = "", mode] = parts;
  if (parts.length < 2 || parts.length > 3 || !isAbsolute(source) || !isAbsolute(target)) {
    throw usage(`invalid volume ${JSON.stringify(value)}`, "use -v /absolute/host/path:/container/path[:ro]");
  }
  if (mode !== undefined && mode !== "ro" && mode !== "rw") {
    throw usage(
      `invalid volume mode ${JSON.stringify(mode)} in ${JSON.stringify(value)}`,
      "the mode is ro or rw",
    );
  }
  return { source, target, readOnly: mode === "ro" };
}

/** --tmpfs /path[:options] */
export function parseTmpfs(values: readonly string[]): Record<string, string> {
  const tmpfs: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(":");
    const target = colon === -1 ? value : value.slice(0, colon);
    if (!isAbsolute(target))
      throw usage(`invalid --tmpfs ${JSON.stringify(value)}`, "use --tmpfs /path[:options]");
    tmpfs[target] = colon === -1 ? "" : value.slice(colon + 1);
  }
  return tmpfs;
}

/** docker's env-file: KEY=VALUE lines taken literally, KEY alone copies the caller's value, # comments. */
export function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = isErrno(error, "ENOENT") ? "no such file" : String(error);
    throw usage(`cannot read --env-file ${path}: ${reason}`, "give the path of an existing env file");
  }
  const entries: string[] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.replace(/^\s+/, "").replace(/\r$/, "");
    if (line === "" || line.startsWith("#")) continue;
    const key = line.split("=")[0] ?? "";
    if (key === "" || /\s/.test(key)) {
      throw new TscError("E_LOAD_ENV_FILE", `invalid variable name ${JSON.stringify(key)} in ${path}`, {
        where: { file: path, line: index + 1, column: 1, lineText: raw },
        hint: "lines are KEY=VALUE, KEY, or # comments",
      });
    }
    entries.push(line);
  }
  return entries;
}

/** CAP_NET_ADMIN, net_admin and NET_ADMIN are the same capability; ALL stays ALL. */
export function normalizeCap(cap: string): string {
  const upper = cap.trim().toUpperCase();
  return upper === "ALL" || upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
}

/** docker's --security-opt: no-new-privileges[:true|false] and seccomp=unconfined. */
function parseSecurityOpts(values: readonly string[]): {
  noNewPrivileges: boolean;
  seccomp: "default" | "unconfined";
} {
  let noNewPrivileges = false;
  let seccomp: "default" | "unconfined" = "default";
  for (const value of values) {
    const [key, setting] = value.split(/[:=]/, 2);
    if (key === "seccomp" && setting === "unconfined") {
      seccomp = "unconfined";
      continue;
    }
    if (key === "seccomp") {
      throw usage(
        `unsupported --security-opt ${JSON.stringify(value)}: custom seccomp profiles are not supported yet`,
        "run with the default filter, or with --security-opt seccomp=unconfined",
      );
    }
    if (key !== "no-new-privileges" || (setting !== undefined && !["true", "false"].includes(setting))) {
      throw usage(
        `unsupported --security-opt ${JSON.stringify(value)}`,
        "tscompose supports no-new-privileges[:true|false] and seccomp=unconfined",
      );
    }
    noNewPrivileges = setting !== "false";
  }
  return { noNewPrivileges, seccomp };
}

export function parseLabels(values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    labels[eq === -1 ? value : value.slice(0, eq)] = eq === -1 ? "" : value.slice(eq + 1);
  }
  return labels;
}

export function createOptionsFromFlags(
  image: string,
  cmd: readonly string[],
  flags: RunFlags,
): CreateOptions {
  const network = flags.network ?? "none";
  if (network !== "none" && network !== "host") {
    throw usage(
      `unsupported --network ${JSON.stringify(network)}`,
      "this version supports --network none or host",
    );
  }
  const env = [...(flags.envFile ?? []).flatMap(readEnvFile), ...(flags.env ?? [])];
  const pidsLimit = flags.pidsLimit === undefined ? undefined : parseInteger("--pids-limit", flags.pidsLimit);
  return {
    image,
    name: flags.name,
    cmd: cmd.length > 0 ? [...cmd] : undefined,
    entrypoint: flags.entrypoint,
    env,
    user: flags.user,
    workingDir: flags.workdir,
    hostname: flags.hostname,
    tty: flags.tty ?? false,
    openStdin: flags.interactive ?? false,
    init: flags.init ?? false,
    readOnly: flags.readOnly ?? false,
    privileged: flags.privileged ?? false,
    network,
    binds: (flags.volume ?? []).map(parseVolume),
    tmpfs: parseTmpfs(flags.tmpfs ?? []),
    capAdd: (flags.capAdd ?? []).map(normalizeCap),
    capDrop: (flags.capDrop ?? []).map(normalizeCap),
    ...parseSecurityOpts(flags.securityOpt ?? []),
    // docker: --memory 0 is no limit.
    memory: flags.memory === undefined ? undefined : parseBytes("--memory", flags.memory) || undefined,
    memorySwap:
      flags.memorySwap === undefined
        ? undefined
        : flags.memorySwap === "-1"
          ? -1
          : parseBytes("--memory-swap", flags.memorySwap),
    cpus: flags.cpus === undefined ? undefined : parseCpus(flags.cpus),
    // docker: 0 and -1 both mean unlimited.
    pidsLimit: pidsLimit === undefined || pidsLimit <= 0 ? undefined : pidsLimit,
    autoRemove: flags.rm ?? false,
    stopSignal: flags.stopSignal,
    stopTimeout:
      flags.stopTimeout === undefined ? undefined : parseInteger("--stop-timeout", flags.stopTimeout),
    labels: parseLabels(flags.label ?? []),
  };
}
