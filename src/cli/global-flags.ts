import type { Command } from "commander";
import type { LoadOptions, LoadWarning } from "../load/index.js";
import { renderFrame } from "./frame.js";
import { collect } from "./repeatable.js";

/**
 * The compose commands and their global flags (`-f`, `-p`, `--project-directory`, `--env-file`,
 * `--profile`). The flags may come before the command (`tscompose -f a.yaml config`) or after it, as docker
 * compose's persistent flags; the COMPOSE_* variables they fall back to are read by the loader (locate.ts).
 */
export interface GlobalFlags {
  file?: string[];
  projectName?: string;
  projectDirectory?: string;
  envFile?: string[];
  profile?: string[];
}

/** Declares the global flags on `command` (the program, and each compose command). */
export function withGlobalFlags(command: Command): Command {
  return command
    .option("-f, --file <path>", "compose configuration file (repeatable, - for stdin)", collect)
    .option("-p, --project-name <name>", "project name")
    .option("--project-directory <dir>", "alternate working directory (default: the first file's directory)")
    .option("--env-file <path>", "alternate environment file (repeatable)", collect)
    .option("--profile <name>", "activate a profile (repeatable)", collect);
}

/** The global flags given before and after the command: lists concatenate, single values after win. */
export function globalFlags(program: Command, command: Command): GlobalFlags {
  const before = program.opts<GlobalFlags>();
  const after = command.opts<GlobalFlags>();
  const list = (a?: string[], b?: string[]) => (a || b ? [...(a ?? []), ...(b ?? [])] : undefined);
  return {
    file: list(before.file, after.file),
    projectName: after.projectName ?? before.projectName,
    projectDirectory: after.projectDirectory ?? before.projectDirectory,
    envFile: list(before.envFile, after.envFile),
    profile: list(before.profile, after.profile),
  };
}

export function loadOptions(flags: GlobalFlags): LoadOptions {
  return {
    files: flags.file,
    projectName: flags.projectName,
    projectDirectory: flags.projectDirectory,
    envFiles: flags.envFile,
    profiles: flags.profile,
    env: process.env,
  };
}

/** Load warnings on stderr as docker compose prints them (`WARN[0000] …`), with the source frame and hint. */
export function printWarnings(
  warnings: readonly LoadWarning[],
  write = (text: string) => process.stderr.write(text),
) {
  for (const warning of warnings) {
    const lines = [`WARN[0000] ${warning.message}`];
    if (warning.where) lines.push(renderFrame(warning.where));
    if (warning.hint) lines.push(`hint: ${warning.hint}`);
    write(lines.join("\n") + "\n");
  }
}
