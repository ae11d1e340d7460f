/**
 * The runtime's public surface: container records (create, list, inspect, remove) and their processes
 * (start, exec, stop, kill, wait, top, logs). One helper process per running container is its monitor;
 * everything here works from the records on disk, so any later process (CLI, daemon) can pick it up.
 */
export {
  Cgroup,
  detectCgroupVersion,
  type CgroupLimits,
  type CgroupOptions,
  type CgroupStats,
} from "./cgroup.js";
export type { BindMount, ContainerRecord, ContainerState, ContainerStatus } from "./container-store.js";
export { createContainer, mergeCommand, mergeEnv, type CreateOptions, type ImageInfo } from "./create.js";
export type { ContainerInspect, TopResult } from "./inspect.js";
export {
  autoRemoveContainer,
  containerLogs,
  getContainer,
  inspectContainer,
  killContainer,
  listContainers,
  removeContainer,
  stopContainer,
  topContainer,
  waitContainer,
} from "./lifecycle.js";
export type { LogOptions, LogSink } from "./logs.js";
export { attachToContainer, helperLauncher, type HelperLauncherOptions } from "./helper-launcher.js";
export { execExitCode, type AttachHandlers, type Attachment } from "./helper.js";
export { normalizeSignal } from "./signals.js";
export { resolveImageUser, resolveUser, type ResolvedUser } from "./user.js";
export {
  execInContainer,
  restartContainer,
  startContainer,
  type ExecInput,
  type ExecRequest,
  type ExecResult,
  type LaunchInput,
  type Launched,
  type Launcher,
} from "./start.js";
