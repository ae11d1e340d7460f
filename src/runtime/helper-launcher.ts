import { join } from "node:path";
import { packagePath } from "../common/package-paths.js";
import type { StateRoot } from "../common/root.js";
import {
  attachContainer,
  execInContainer,
  runContainer,
  type AttachHandlers,
  type Attachment,
} from "./helper.js";
import { getContainer } from "./lifecycle.js";
import { buildExecSpec, buildSpec, type ConsoleSize } from "./spec.js";
import type { Launcher } from "./start.js";

/**
 * The Launcher (start.ts's contract) on the native helper: a container record, its prepared rootfs,
 * cgroup and /etc files become a ContainerSpec with Docker's defaults, run under a detached monitor.
 */

/**
 * docker's AutoRemove: the command the monitor becomes when the container has ended with nobody attached
 * (run -d --rm, or a foreground run whose CLI detached or was killed): this package's CLI, removing it.
 * `--` ends Node's own options (nodejs/node#54232).
 */
function autoRemover(id: string): string[] {
  return [process.execPath, "--", packagePath("bin", "tscompose.cjs"), "container", "rm", "--after-exit", id];
}

/** The monitor's attach socket in a container's directory. */
export function attachSocketPath(containerDir: string): string {
  return join(containerDir, "attach.sock");
}

/**
 * Attaches to a running container's monitor: its output from now on, stdin, pty size and its exit code.
 * A container started with waitAttachSeconds holds its command until this first attach.
 */
export async function attachToContainer(
  root: StateRoot,
  ref: string,
  handlers: AttachHandlers,
): Promise<Attachment> {
  const { record } = getContainer(root, ref);
  return attachContainer(attachSocketPath(root.container(record.id)), handlers);
}

export interface HelperLauncherOptions {
  /** Hold the command until a client attached (a foreground `run`), at most this many seconds. */
  waitAttachSeconds?: number;
  /** The pty's size when the command starts (the attached terminal's), with tty. */
  consoleSize?: ConsoleSize;
  /** Log rotation (docker's max-size / max-file); none by default, as docker's json-file. */
  logMaxBytes?: number;
  logMaxFiles?: number;
}

export function helperLauncher(options: HelperLauncherOptions = {}): Launcher {
  return {
    async run(input) {
      const { config, hostConfig: host } = input.record;
      const spec = buildSpec({
        args: [...config.entrypoint, ...config.cmd],
        env: config.env,
        cwd: config.workingDir || "/",
        user: input.user,
        hostname: config.hostname,
        rootfs: input.rootfs,
        etc: input.etc,
        cgroupJoinFiles: input.cgroupJoinFiles,
        cloneIntoCgroup: input.cloneIntoCgroup,
        cgroupVersion: input.cgroupVersion,
        network: host.networkMode,
        readOnly: host.readOnly,
        privileged: host.privileged,
        capAdd: host.capAdd,
        capDrop: host.capDrop,
        noNewPrivileges: host.noNewPrivileges,
        seccomp: host.seccomp ?? "default",
        init: host.init,
        tty: config.tty,
        consoleSize: options.consoleSize,
        openStdin: config.openStdin,
        tmpfs: host.tmpfs,
        binds: host.binds,
        logPath: input.logPath,
        exitStatusPath: input.exitStatusPath,
        attachSocket: attachSocketPath(input.dir),
        waitAttachSeconds: options.waitAttachSeconds ?? 0,
        ...(host.autoRemove ? { onExit: autoRemover(input.record.id) } : {}),
        logMaxBytes: options.logMaxBytes ?? 0,
        logMaxFiles: options.logMaxFiles ?? 1,
      });
      return runContainer(spec);
    },
    async exec(input) {
      const host = input.record.hostConfig;
      const spec = buildExecSpec({
        pid: input.pid,
        cgroupJoinFiles: input.cgroupJoinFiles,
        cloneIntoCgroup: input.cloneIntoCgroup,
        args: input.request.args,
        env: input.env,
        hostname: input.record.config.hostname,
        cwd: input.request.workingDir || input.record.config.workingDir || "/",
        user: input.user,
        privileged: host.privileged,
        capAdd: host.capAdd,
        capDrop: host.capDrop,
        noNewPrivileges: host.noNewPrivileges,
        seccomp: host.seccomp ?? "default",
        tty: input.request.tty ?? false,
        detach: input.request.detach ?? false,
        detachKeys: input.request.interactive ? input.request.detachKeys : undefined,
      });
      const outcome = await execInContainer(spec, { stdio: "inherit" });
      return outcome.detached ? { exitCode: 0, detached: true } : { exitCode: outcome.exitCode };
    },
  };
}
