import type { Command } from "commander";
import { stringify } from "yaml";
import { loadProject, type LoadOptions } from "../load/index.js";

/** Global compose flags, shared by every compose command. */
export interface GlobalFlags {
  file?: string[];
  projectName?: string;
  projectDirectory?: string;
  envFile?: string[];
  profile?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerComposeCommands(program: Command): void {
  program
    .option("-f, --file <path>", "compose configuration file (repeatable, - for stdin)", collect)
    .option("-p, --project-name <name>", "project name")
    .option("--project-directory <dir>", "alternate working directory (default: the first file's directory)")
    .option("--env-file <path>", "alternate environment file (repeatable)", collect)
    .option("--profile <name>", "activate a profile (repeatable)", collect);

  program
    .command("config")
    .description("Parse, resolve and render the compose file in canonical format")
    .action(() => {
      const result = loadProject(loadOptions(program.opts<GlobalFlags>()));
      process.stdout.write(stringify(result.project.raw));
    });
}

export function loadOptions(flags: GlobalFlags): LoadOptions {
  return {
    files: flags.file,
    projectName: flags.projectName,
    projectDirectory: flags.projectDirectory,
    envFiles: flags.envFile,
    profiles: flags.profile,
  };
}
