import { hostname } from "node:os";
import type { StateRoot } from "../common/root.js";
import { TscError } from "../errors.js";
import { checkCreateOptions } from "./create-checks.js";
import { ContainerStore, type BindMount, type ContainerRecord } from "./container-store.js";
import { normalizeSignal } from "./signals.js";
import { resolveImageUser } from "./user.js";

/** A container record from an image and docker run's options, with docker's merge rules. */

export const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const DEFAULT_CGROUP_PARENT = "tscompose";
const DEFAULT_STOP_TIMEOUT = 10;

/** The parts of an image a container is made from (the image store's resolveImage gives them). */
export interface ImageInfo {
  id: string;
  /** OCI image config: Env, Cmd, Entrypoint, WorkingDir, User, StopSignal, Labels. */
  config: {
    Env?: string[];
    Cmd?: string[];
    Entrypoint?: string[];
    WorkingDir?: string;
    User?: string;
    StopSignal?: string;
    Labels?: Record<string, string>;
  };
  /** Unpacked layer directories, bottom to top. */
  layers: string[];
}

export interface CreateOptions {
  image: string;
  name?: string;
  /** Arguments after the image: replace the image's CMD. */
  cmd?: string[];
  /** --entrypoint: replaces the image's ENTRYPOINT and resets its CMD ("" = none). */
  entrypoint?: string;
  /** KEY=VALUE, or KEY to copy the caller's value. */
  env?: string[];
  user?: string;
  workingDir?: string;
  hostname?: string;
  tty?: boolean;
  openStdin?: boolean;
  init?: boolean;
  readOnly?: boolean;
  privileged?: boolean;
  network?: "none" | "host";
  binds?: BindMount[];
  tmpfs?: Record<string, string>;
  capAdd?: string[];
  capDrop?: string[];
  noNewPrivileges?: boolean;
  /** docker's --security-opt seccomp=unconfined; the default filter otherwise. */
  seccomp?: "default" | "unconfined";
  memory?: number;
  memorySwap?: number;
  cpus?: number;
  pidsLimit?: number;
  autoRemove?: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  labels?: Record<string, string>;
}

/** Image env, then the overrides by key; a bare KEY copies the caller's value (or drops the key). */
export function mergeEnv(imageEnv: readonly string[], overrides: readonly string[]): string[] {
  const env = new Map<string, string>();
  const keyOf = (entry: string) => entry.split("=")[0] ?? entry;
  for (const entry of imageEnv) env.set(keyOf(entry), entry);
  for (const entry of overrides) {
    const key = keyOf(entry);
    const inherited = process.env[key];
    if (entry.includes("=")) env.set(key, entry);
    else if (inherited !== undefined) env.set(key, `${key}=${inherited}`);
    else env.delete(key);
  }
  if (!env.has("PATH")) env.set("PATH", DEFAULT_PATH);
  return [...env.values()];
}

/** docker's rules: --entrypoint resets the image's CMD; arguments replace CMD; something must remain. */
export function mergeCommand(
  image: ImageInfo["config"],
  entrypoint: string | undefined,
  cmd: readonly string[] | undefined,
): { entrypoint: string[]; cmd: string[] } {
  const ep = entrypoint !== undefined ? (entrypoint === "" ? [] : [entrypoint]) : (image.Entrypoint ?? []);
  const args = cmd && cmd.length > 0 ? [...cmd] : entrypoint !== undefined ? [] : (image.Cmd ?? []);
  if (ep.length === 0 && args.length === 0) {
    throw new TscError("E_CONTAINER_CONFIG", "no command specified", {
      hint: "give a command after the image, or use an image with a CMD or ENTRYPOINT",
    });
  }
  return { entrypoint: ep, cmd: args };
}

export function createContainer(root: StateRoot, image: ImageInfo, options: CreateOptions): ContainerRecord {
  checkCreateOptions(options);
  const config = image.config;
  const command = mergeCommand(config, options.entrypoint, options.cmd);
  const user = options.user ?? config.User ?? "";
  // Fail at create, not at start, for a user the image does not know.
  resolveImageUser(user, image.layers);
  const store = new ContainerStore(root);
  const id = ContainerStore.newId();
  return store.create(
    {
      imageId: image.id,
      imageRef: options.image,
      layers: image.layers,
      config: {
        image: options.image,
        ...command,
        env: mergeEnv(config.Env ?? [], options.env ?? []),
        workingDir: options.workingDir ?? (config.WorkingDir || "/"),
        user,
        // docker's default hostname: the short id, or the host's own with the host's network.
        hostname: options.hostname || (options.network === "host" ? hostname() : id.slice(0, 12)),
        tty: options.tty ?? false,
        openStdin: options.openStdin ?? false,
        stopSignal: normalizeSignal(options.stopSignal ?? config.StopSignal ?? "SIGTERM"),
        stopTimeout: options.stopTimeout ?? DEFAULT_STOP_TIMEOUT,
        labels: { ...(config.Labels ?? {}), ...(options.labels ?? {}) },
      },
      hostConfig: {
        autoRemove: options.autoRemove ?? false,
        init: options.init ?? false,
        readOnly: options.readOnly ?? false,
        privileged: options.privileged ?? false,
        networkMode: options.network ?? "none",
        binds: options.binds ?? [],
        tmpfs: options.tmpfs ?? {},
        capAdd: options.capAdd ?? [],
        capDrop: options.capDrop ?? [],
        noNewPrivileges: options.noNewPrivileges ?? false,
        seccomp: options.seccomp ?? "default",
        memory: options.memory,
        memorySwap: options.memorySwap,
        cpus: options.cpus,
        pidsLimit: options.pidsLimit,
        cgroupParent: process.env.TSCOMPOSE_CGROUP_PARENT || DEFAULT_CGROUP_PARENT,
        cgroupRoot: process.env.TSCOMPOSE_CGROUP_ROOT || undefined,
      },
    },
    options.name,
    id,
  );
}
