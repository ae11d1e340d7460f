import { spawn } from "node:child_process";
import type { Command } from "commander";
import { stateRoot } from "../common/root.js";
import { TscError } from "../errors.js";
import {
  containerLogs,
  createContainer,
  execInContainer,
  getContainer,
  killContainer,
  removeContainer,
  restartContainer,
  startContainer,
  waitContainer,
  type ContainerState,
  type ImageInfo,
  type Launcher,
} from "../runtime/index.js";
import { createOptionsFromFlags, parseInteger, type RunFlags } from "./container-flags.js";

/** The container commands that start processes: run, start, restart, exec. */

export interface RunDeps {
  launcher: () => Promise<Launcher>;
  resolveImage: (ref: string) => Promise<ImageInfo>;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * docker run's own failures: 125 when tscompose fails, 126 when the command cannot be invoked, 127 when it
 * does not exist. The message is printed the usual way first.
 */
export async function runFailure(error: unknown): Promise<number> {
  const { reportError } = await import("./main.js");
  reportError(error);
  if (TscError.is(error) && (error.code === "E_RUNTIME_EXEC" || error.code === "E_RUNTIME_HELPER")) {
    if (/No such file or directory|ENOENT|not found/i.test(error.message)) return 127;
    if (/Permission denied|EACCES|Exec format error|ENOEXEC|Is a directory/i.test(error.message)) return 126;
  }
  return 125;
}

function out(text: string): void {
  process.stdout.write(text);
}

/** Forwards the CLI's own SIGINT/SIGTERM/SIGHUP to the container while attached (docker's --sig-proxy). */
function proxySignals(id: string): () => void {
  const root = stateRoot();
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const handler = (signal: NodeJS.Signals) => void killContainer(root, id, signal).catch(() => undefined);
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

/** Streams the container's output until it exits and returns its final state. */
async function attachUntilExit(id: string): Promise<ContainerState> {
  const root = stateRoot();
  const release = proxySignals(id);
  try {
    await containerLogs(root, id, { follow: true }, { stdout: out, stderr: (t) => process.stderr.write(t) });
    return (await waitContainer(root, id)) ?? getContainer(root, id).state;
  } finally {
    release();
  }
}

/**
 * `run -d --rm`: nobody is attached when the container exits, so a detached `container rm --after-exit`
 * outlives this CLI to remove it then (docker's daemon does this job).
 */
function removeAfterExit(id: string): void {
  const entry = process.argv[1];
  if (!entry) return;
  const child = spawn(process.execPath, [entry, "container", "rm", "--after-exit", id], {
    detached: true,
    stdio: "ignore",
    env: process.env,
  });
  child.unref();
}

async function run(deps: RunDeps, image: string, cmd: string[], flags: RunFlags): Promise<number> {
  const root = stateRoot();
  let id: string | undefined;
  try {
    const options = createOptionsFromFlags(image, cmd, flags);
    id = createContainer(root, await deps.resolveImage(image), options).id;
    await startContainer(root, id, await deps.launcher());
  } catch (error) {
    if (id && flags.rm) await removeContainer(root, id, true).catch(() => undefined);
    return runFailure(error);
  }
  if (flags.detach) {
    if (flags.rm) removeAfterExit(id);
    out(`${id}\n`);
    return 0;
  }
  const state = await attachUntilExit(id);
  if (flags.rm) await removeContainer(root, id, true);
  return state.exitCode;
}

function registerRun(container: Command, deps: RunDeps): void {
  container
    .command("run")
    .description("Create and run a new container from an image")
    .argument("<image>", "image reference")
    .argument("[command...]", "command and arguments (replace the image's CMD)")
    .passThroughOptions()
    .option("--rm", "remove the container when it exits")
    .option("-d, --detach", "run in the background and print the container id")
    .option("-i, --interactive", "keep stdin open")
    .option("-t, --tty", "allocate a pseudo-terminal")
    .option("--name <name>", "container name")
    .option("-e, --env <KEY=VALUE>", "set an environment variable (repeatable)", collect)
    .option("--env-file <path>", "read environment variables from a file (repeatable)", collect)
    .option("-v, --volume <host:ctr[:ro]>", "bind mount a host path (repeatable)", collect)
    .option("--tmpfs <path[:opts]>", "mount a tmpfs (repeatable)", collect)
    .option("--network <mode>", "network mode: none or host", "none")
    .option("--hostname <name>", "container host name")
    .option("-u, --user <user[:group]>", "user name or uid, optionally with group or gid")
    .option("-w, --workdir <dir>", "working directory inside the container")
    .option("--entrypoint <cmd>", "override the image's ENTRYPOINT")
    .option("--init", "run an init as PID 1 that forwards signals and reaps zombies")
    .option("-m, --memory <bytes>", "memory limit (e.g. 64m)")
    .option("--memory-swap <bytes>", "memory plus swap limit (-1: unlimited)")
    .option("--cpus <n>", "number of CPUs")
    .option("--pids-limit <n>", "maximum number of processes (-1: unlimited)")
    .option("--cap-add <cap>", "add a Linux capability (repeatable)", collect)
    .option("--cap-drop <cap>", "drop a Linux capability (repeatable)", collect)
    .option("--privileged", "give the container every capability and device")
    .option("--security-opt <opt>", "security option: no-new-privileges (repeatable)", collect)
    .option("--read-only", "mount the container's root filesystem read-only")
    .option("--stop-signal <signal>", "signal that stops the container")
    .option("--stop-timeout <seconds>", "seconds to wait before SIGKILL on stop")
    .option("-l, --label <key=value>", "set a label (repeatable)", collect)
    .action(async (image: string, cmd: string[], flags: RunFlags) => {
      process.exitCode = await run(deps, image, cmd, flags);
    });
}

function registerStart(container: Command, deps: RunDeps): void {
  container
    .command("start")
    .description("Start stopped containers")
    .argument("<containers...>")
    .action(async (refs: string[]) => {
      for (const ref of refs) {
        await startContainer(stateRoot(), ref, await deps.launcher());
        out(`${ref}\n`);
      }
    });
  container
    .command("restart")
    .description("Restart containers")
    .argument("<containers...>")
    .option("-t, --time <seconds>", "seconds to wait before killing")
    .action(async (refs: string[], flags: { time?: string }) => {
      const timeout = flags.time === undefined ? undefined : parseInteger("--time", flags.time);
      for (const ref of refs) {
        await restartContainer(stateRoot(), ref, await deps.launcher(), timeout);
        out(`${ref}\n`);
      }
    });
}

interface ExecFlags {
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  user?: string;
  workdir?: string;
  env?: string[];
}

function registerExec(container: Command, deps: RunDeps): void {
  container
    .command("exec")
    .description("Run a command in a running container")
    .argument("<container>")
    .argument("<command...>")
    .passThroughOptions()
    .option("-i, --interactive", "keep stdin open")
    .option("-t, --tty", "allocate a pseudo-terminal")
    .option("-d, --detach", "run the command in the background")
    .option("-u, --user <user[:group]>", "user name or uid")
    .option("-w, --workdir <dir>", "working directory")
    .option("-e, --env <KEY=VALUE>", "set an environment variable (repeatable)", collect)
    .action(async (ref: string, command: string[], flags: ExecFlags) => {
      try {
        const result = await execInContainer(
          stateRoot(),
          ref,
          {
            args: command,
            user: flags.user,
            workingDir: flags.workdir,
            env: flags.env,
            tty: flags.tty ?? false,
            interactive: flags.interactive ?? false,
            detach: flags.detach ?? false,
          },
          await deps.launcher(),
        );
        process.exitCode = result.exitCode;
      } catch (error) {
        process.exitCode = await runFailure(error);
      }
    });
}

export function registerRunCommands(container: Command, deps: RunDeps): void {
  registerRun(container, deps);
  registerStart(container, deps);
  registerExec(container, deps);
}
