import { Option, type Command } from "commander";
import { stateRoot } from "../common/root.js";
import { TscError } from "../errors.js";
import {
  autoRemoveContainer,
  containerLogs,
  helperLauncher,
  inspectContainer,
  killContainer,
  listContainers,
  normalizeSignal,
  removeContainer,
  stopContainer,
  topContainer,
  waitContainer,
  type ContainerInspect,
  type ContainerRecord,
  type ContainerState,
} from "../runtime/index.js";
import { resolveImage } from "../image/index.js";
import { parseInteger } from "./container-flags.js";
import { filtersIncludeStopped, matchesFilters, parseFilters } from "./container-filter.js";
import { forEachArgument } from "./each-argument.js";
import { renderGoTemplate } from "./go-template.js";
import { table } from "./output.js";
import { collect } from "./repeatable.js";
import { registerRunCommands } from "./container-run.js";

/** `tscompose container …`: docker's container commands, flags and exit codes, on the in-process runtime. */

/** Aborted once stdout's reader has gone (EPIPE): a follow has nobody left to follow for. */
function outputGone(): AbortSignal {
  const gone = new AbortController();
  process.stdout.once("error", () => gone.abort());
  return gone.signal;
}

function out(text: string): void {
  process.stdout.write(text);
}

/** docker's HumanDuration (go-units): minutes truncated, hours rounded, then days, weeks, months, years. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return "Less than a second";
  if (s === 1) return "1 second";
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return "About a minute";
  if (m < 60) return `${m} minutes`;
  const h = Math.floor(ms / 3_600_000 + 0.5);
  if (h === 1) return "About an hour";
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

export function statusText(state: ContainerState, now = Date.now()): string {
  if (state.status === "created") return "Created";
  if (state.running) return `Up ${humanDuration(now - Date.parse(state.startedAt ?? ""))}`;
  return `Exited (${state.exitCode}) ${humanDuration(now - Date.parse(state.finishedAt ?? ""))} ago`;
}

function commandText(record: ContainerRecord, truncate = true): string {
  const text = [...record.config.entrypoint, ...record.config.cmd].join(" ");
  return JSON.stringify(truncate && text.length > 20 ? `${text.slice(0, 19)}…` : text);
}

/** docker ps's CREATED and RunningFor: "2 minutes ago". */
function createdAgo(record: ContainerRecord): string {
  return `${humanDuration(Date.now() - Date.parse(record.created))} ago`;
}

/** Go's time.Time String(), as docker ps prints CreatedAt: 2026-12-01 20:10:08 +0000 UTC. */
function goTimeText(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace("T", " ")} +0000 UTC`;
}

function registerLifecycle(container: Command): void {
  container
    .command("stop")
    .description("Stop running containers (stop signal, then SIGKILL after the grace period)")
    .argument("<containers...>")
    .option("-t, --time <seconds>", "seconds to wait before killing")
    .action(async (refs: string[], flags: { time?: string }) => {
      const timeout = flags.time === undefined ? undefined : parseInteger("--time", flags.time);
      await forEachArgument(refs, async (ref) => {
        await stopContainer(stateRoot(), ref, timeout);
        out(`${ref}\n`);
      });
    });
  container
    .command("kill")
    .description("Send a signal (default SIGKILL) to running containers")
    .argument("<containers...>")
    .option("-s, --signal <signal>", "signal to send", "SIGKILL")
    .action(async (refs: string[], flags: { signal: string }) => {
      normalizeSignal(flags.signal);
      await forEachArgument(refs, async (ref) => {
        await killContainer(stateRoot(), ref, flags.signal);
        out(`${ref}\n`);
      });
    });
  container
    .command("rm")
    .description("Remove containers")
    .argument("<containers...>")
    .option("-f, --force", "kill and remove running containers")
    // What an --rm container's monitor becomes once the container has ended with nobody attached.
    .addOption(new Option("--after-exit", "remove it as --rm does, unless restarted or gone").hideHelp())
    .action(async (refs: string[], flags: { force?: boolean; afterExit?: boolean }) => {
      // docker: rm -f of a container that does not exist is no error.
      await forEachArgument(
        refs,
        async (ref) => {
          if (flags.afterExit) return autoRemoveContainer(stateRoot(), ref);
          await removeContainer(stateRoot(), ref, flags.force ?? false);
          out(`${ref}\n`);
        },
        flags.force ? { ignoreCode: "E_CONTAINER_NOT_FOUND" } : {},
      );
    });
  container
    .command("wait")
    .description("Block until containers stop, then print their exit codes")
    .argument("<containers...>")
    .action(async (refs: string[]) => {
      await forEachArgument(refs, async (ref) => {
        out(`${(await waitContainer(stateRoot(), ref))?.exitCode ?? 255}\n`);
      });
    });
}

function registerObservers(container: Command): void {
  container
    .command("ls")
    .alias("ps")
    .description("List containers")
    .option("-a, --all", "show all containers (default: running only)")
    .option("-q, --quiet", "only display ids")
    .option("-f, --filter <key=value>", "name, id, status, label, ancestor or exited (repeatable)", collect)
    .option("--no-trunc", "show whole ids and commands")
    .option("--format <format>", "json: one JSON object per line")
    .action(
      (flags: { all?: boolean; quiet?: boolean; format?: string; filter?: string[]; trunc: boolean }) => {
        const filters = parseFilters(flags.filter ?? []);
        const containers = listContainers(
          stateRoot(),
          flags.all === true || filtersIncludeStopped(filters),
        ).filter(({ record, state }) => matchesFilters(filters, record, state));
        const idText = (id: string) => (flags.trunc ? id.slice(0, 12) : id);
        if (flags.quiet) {
          out(containers.map((c) => `${idText(c.record.id)}\n`).join(""));
          return;
        }
        if (flags.format === "json") {
          for (const { record, state } of containers) {
            const line = {
              Command: commandText(record, flags.trunc),
              CreatedAt: goTimeText(record.created),
              ID: idText(record.id),
              Image: record.imageRef,
              Labels: Object.entries(record.config.labels)
                .map(([key, value]) => `${key}=${value}`)
                .join(","),
              LocalVolumes: "0",
              Mounts: record.hostConfig.binds.map((bind) => bind.source).join(","),
              Names: record.name,
              Networks: record.hostConfig.networkMode,
              Ports: "",
              RunningFor: createdAgo(record),
              Size: "0B",
              State: state.status,
              Status: statusText(state),
            };
            out(`${JSON.stringify(line)}\n`);
          }
          return;
        }
        if (flags.format !== undefined) {
          throw new TscError("E_USAGE", `unsupported --format ${JSON.stringify(flags.format)}`, {
            hint: "use --format json",
          });
        }
        const rows = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"]];
        for (const { record, state } of containers) {
          rows.push([
            idText(record.id),
            record.imageRef,
            commandText(record, flags.trunc),
            createdAgo(record),
            statusText(state),
            record.name,
          ]);
        }
        out(table(rows));
      },
    );
  container
    .command("inspect")
    .description("Show low-level information on containers (JSON)")
    .argument("<containers...>")
    .option("-f, --format <template>", "a Go template such as '{{.State.ExitCode}}' (one line each), or json")
    .action(async (refs: string[], flags: { format?: string }) => {
      const template = flags.format === "json" ? undefined : flags.format;
      // An action outside what -f supports fails before anything is looked up.
      if (template !== undefined) renderGoTemplate(template, {});
      // docker: the ones found are printed, the others are errors.
      const found: ContainerInspect[] = [];
      await forEachArgument(refs, (ref) => {
        found.push(inspectContainer(stateRoot(), ref));
      });
      if (template === undefined) out(`${JSON.stringify(found, null, 4)}\n`);
      else for (const inspected of found) out(`${renderGoTemplate(template, inspected)}\n`);
    });
  container
    .command("top")
    .description("Show the processes of a running container")
    .argument("<container>")
    .action(async (ref: string) => {
      const top = await topContainer(stateRoot(), ref);
      out(table([top.titles, ...top.processes]));
    });
  container
    .command("logs")
    .description("Show a container's output")
    .argument("<container>")
    .option("-f, --follow", "follow the output until the container exits")
    .option("-n, --tail <n>", 'number of lines from the end ("all" for every line)')
    .option("-t, --timestamps", "show timestamps")
    .option("--since <time>", "only lines since a time (RFC 3339, unix seconds, or a duration such as 10m)")
    .option("--until <time>", "only lines before a time (the same forms)")
    .action(
      async (
        ref: string,
        flags: { follow?: boolean; tail?: string; timestamps?: boolean; since?: string; until?: string },
      ) => {
        // docker: a negative --tail is every line, as "all" is.
        const count =
          flags.tail === undefined || flags.tail === "all" ? undefined : parseInteger("--tail", flags.tail);
        const tail = count !== undefined && count < 0 ? undefined : count;
        await containerLogs(
          stateRoot(),
          ref,
          {
            follow: flags.follow,
            tail,
            timestamps: flags.timestamps,
            since: flags.since,
            until: flags.until,
            signal: outputGone(),
          },
          { stdout: out, stderr: (t) => process.stderr.write(t) },
        );
      },
    );
}

export function registerContainerCommands(program: Command): void {
  // Options after the image (or container) belong to the container's command, not to tscompose.
  program.enablePositionalOptions();
  const container = program.command("container").description("Manage containers").enablePositionalOptions();
  registerLifecycle(container);
  registerObservers(container);
  registerRunCommands(container, {
    launcher: async (options) => helperLauncher(options),
    resolveImage: (ref) => resolveImage(stateRoot(), ref),
  });
}
