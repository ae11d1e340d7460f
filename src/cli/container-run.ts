import { spawnSync } from "node:child_process";
import type { Command } from "commander";
import { stateRoot } from "../common/root.js";
import { TscError } from "../errors.js";
import {
  attachToContainer,
  autoRemoveContainer,
  createContainer,
  execExitCode,
  execInContainer,
  getContainer,
  killContainer,
  removeContainer,
  restartContainer,
  startContainer,
  waitContainer,
  type Attachment,
  type HelperLauncherOptions,
  type ImageInfo,
  type Launcher,
} from "../runtime/index.js";
import { createOptionsFromFlags, parseInteger, type RunFlags } from "./container-flags.js";
import { forEachArgument } from "./each-argument.js";
import { DEFAULT_DETACH_KEYS, EscapeProxy, parseDetachKeys } from "./detach-keys.js";
import { collect } from "./repeatable.js";

/** The container commands that start processes: run, start, restart, exec. */

export interface RunDeps {
  launcher: (options?: HelperLauncherOptions) => Promise<Launcher>;
  resolveImage: (ref: string) => Promise<ImageInfo>;
}

/**
 * docker run's own failures: 126 when the command cannot be invoked, 127 when it does not exist (the
 * helper's exec step says which), 125 for everything else tscompose fails at, a missing bind source or
 * working directory included. The message is printed the usual way first.
 */
export async function runFailure(error: unknown): Promise<number> {
  const { reportError } = await import("./main.js");
  reportError(error);
  return execExitCode(error) ?? 125;
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

/** How long a foreground run's command waits for the CLI to attach before it starts anyway. */
const ATTACH_WAIT_SECONDS = 10;

/** A foreground run holds its command until we are attached, on a pty of our terminal's size. */
function foregroundLaunch(flags: RunFlags): HelperLauncherOptions {
  const { rows, columns } = process.stdout;
  const sized = flags.tty && process.stdout.isTTY && rows > 0 && columns > 0;
  return {
    waitAttachSeconds: ATTACH_WAIT_SECONDS,
    ...(sized ? { consoleSize: { rows, cols: columns } } : {}),
  };
}

/** Our terminal's size, sent to the container's pty now and whenever the terminal is resized. */
function followTerminalSize(attachment: Attachment): () => void {
  const send = () => {
    if (process.stdout.rows && process.stdout.columns)
      attachment.resize(process.stdout.rows, process.stdout.columns);
  };
  send();
  process.stdout.on("resize", send);
  return () => process.stdout.off("resize", send);
}

/**
 * Our terminal raw, as docker's (cfmakeraw): Node's raw mode keeps output processing, whose ONLCR would
 * turn the container pty's "\r\n" into "\r\r\n". Node has no tcsetattr, so stty clears it; leaving raw
 * mode restores the terminal's settings from before, output processing included.
 */
function makeRaw(stdin: NodeJS.ReadStream): void {
  stdin.setRawMode(true);
  spawnSync("stty", ["-opost"], { stdio: ["inherit", "ignore", "ignore"] });
}

/**
 * Our stdin to the container's (docker run -i), until it ends or the detach keys are typed; with -t on a
 * terminal, raw, so that keys such as Ctrl-C reach the container's pty as bytes rather than signalling us.
 */
function forwardStdin(
  attachment: Attachment,
  raw: boolean,
  detachKeys: readonly number[],
  onDetach: () => void,
): () => void {
  const stdin = process.stdin;
  const proxy = new EscapeProxy(detachKeys);
  if (raw) makeRaw(stdin);
  const onData = (data: Buffer) => {
    const { forward, detach } = proxy.feed(data);
    if (forward.length > 0) attachment.write(forward);
    if (detach) onDetach();
  };
  const onEnd = () => attachment.closeStdin();
  stdin.on("data", onData);
  stdin.once("end", onEnd);
  return () => {
    stdin.off("data", onData);
    stdin.off("end", onEnd);
    if (raw) stdin.setRawMode(false);
    stdin.destroy();
  };
}

/**
 * The foreground part of `run`: attached to the container's monitor from before its command starts (so
 * no output is missed), its output on ours, our stdin on its with -i, our terminal's size on its pty
 * with -t. Resolves with the exit code, which the monitor sends the moment the command has ended, or
 * with "detached" when the detach keys were typed (the container goes on).
 */
async function attachUntilExit(
  id: string,
  flags: RunFlags,
  detachKeys: readonly number[],
): Promise<number | "detached"> {
  const root = stateRoot();
  const attachment = await attachToContainer(root, id, {
    stdout: (data) => process.stdout.write(data),
    stderr: (data) => process.stderr.write(data),
  });
  let detached: () => void = () => undefined;
  const detach = new Promise<"detached">((resolve) => (detached = () => resolve("detached")));
  const releases = [proxySignals(id)];
  if (flags.tty && process.stdout.isTTY) releases.push(followTerminalSize(attachment));
  if (flags.interactive) {
    const raw = Boolean(flags.tty) && process.stdin.isTTY;
    releases.push(forwardStdin(attachment, raw, detachKeys, detached));
  }
  try {
    const outcome = await Promise.race([attachment.exit, detach]);
    if (outcome === "detached") {
      attachment.detach();
      return outcome;
    }
    if (outcome !== undefined) return outcome;
    // The monitor went away without a word: its exit status file says what happened.
    return ((await waitContainer(root, id, 5_000)) ?? getContainer(root, id).state).exitCode;
  } finally {
    for (const release of releases) release();
  }
}

async function run(deps: RunDeps, image: string, cmd: string[], flags: RunFlags): Promise<number> {
  if (flags.tty && flags.interactive && !flags.detach && !process.stdin.isTTY) {
    // docker's own check, with docker's exit code 1: a pty fed from our stdin needs a terminal there.
    const { reportError } = await import("./main.js");
    reportError(
      new TscError("E_USAGE", "the input device is not a TTY", {
        hint: "drop -t to pipe input into the container, or run the command from a terminal",
      }),
    );
    return 1;
  }
  const root = stateRoot();
  let id: string | undefined;
  let detachKeys: number[];
  try {
    detachKeys = parseDetachKeys(flags.detachKeys || DEFAULT_DETACH_KEYS);
    const options = createOptionsFromFlags(image, cmd, flags);
    id = createContainer(root, await deps.resolveImage(image), options).id;
    const launcher = await deps.launcher(flags.detach ? {} : foregroundLaunch(flags));
    await startContainer(root, id, launcher);
  } catch (error) {
    if (id && flags.rm) await removeContainer(root, id, true).catch(() => undefined);
    return runFailure(error);
  }
  // With --rm, a container nobody is attached to when it ends (-d, detached, or a killed CLI) is removed
  // by its monitor (docker's daemon does this).
  if (flags.detach) {
    out(`${id}\n`);
    return 0;
  }
  const outcome = await attachUntilExit(id, flags, detachKeys);
  if (outcome === "detached") return 0;
  // As the monitor's remover does: not a container that is being restarted, or runs again.
  if (flags.rm) await autoRemoveContainer(root, id);
  return outcome;
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
    .option("--detach-keys <keys>", `keys that detach from the container (default ${DEFAULT_DETACH_KEYS})`)
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
      await forEachArgument(refs, async (ref) => {
        await startContainer(stateRoot(), ref, await deps.launcher());
        out(`${ref}\n`);
      });
    });
  container
    .command("restart")
    .description("Restart containers")
    .argument("<containers...>")
    .option("-t, --time <seconds>", "seconds to wait before killing")
    .action(async (refs: string[], flags: { time?: string }) => {
      const timeout = flags.time === undefined ? undefined : parseInteger("--time", flags.time);
      await forEachArgument(refs, async (ref) => {
        await restartContainer(stateRoot(), ref, await deps.launcher(), timeout);
        out(`${ref}\n`);
      });
    });
}

interface ExecFlags {
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  detachKeys?: string;
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
    .option("--detach-keys <keys>", `keys that detach from the command (default ${DEFAULT_DETACH_KEYS})`)
    .option("-u, --user <user[:group]>", "user name or uid")
    .option("-w, --workdir <dir>", "working directory")
    .option("-e, --env <KEY=VALUE>", "set an environment variable (repeatable)", collect)
    .action(async (ref: string, command: string[], flags: ExecFlags) => {
      try {
        const detachKeys = parseDetachKeys(flags.detachKeys || DEFAULT_DETACH_KEYS);
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
            detachKeys,
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
