import { Option, type Command } from "commander";
import { globalFlags, loadOptions, withGlobalFlags } from "./global-flags.js";

export interface ConfigFlags {
  format?: "yaml" | "json";
  output?: string;
  quiet?: boolean;
  services?: boolean;
  volumes?: boolean;
  networks?: boolean;
  images?: boolean;
  profiles?: boolean;
  variables?: boolean;
  environment?: boolean;
  hash?: string;
  interpolate: boolean;
  normalize: boolean;
}

/**
 * `tscompose config`: docker compose's command of the same name (cmd/compose/config.go). Without a listing
 * flag it prints the canonical model; the listing flags are tried in compose's order (services, volumes,
 * networks, hash, profiles, images, variables, environment). `-q` runs everything and prints nothing.
 */
export function registerConfigCommand(program: Command): void {
  const command = withGlobalFlags(program.command("config"))
    .description("Parse, resolve and render the compose file in canonical format")
    .argument("[services...]", "only these services (and what they depend on)")
    .addOption(new Option("--format <format>", "format the output").choices(["yaml", "json"]))
    .option("-o, --output <file>", "save to file (default: stdout)")
    .option("-q, --quiet", "only validate the configuration, don't print anything")
    .option("--services", "print the service names, one per line")
    .option("--volumes", "print the volume names, one per line")
    .option("--networks", "print the network names, one per line")
    .option("--images", "print the image names, one per line")
    .option("--profiles", "print the profile names, one per line")
    .option("--variables", "print model variables and default values")
    .option("--environment", "print the environment used for interpolation")
    .option("--hash <services>", "print the service config hash, one per line (`*` for all)")
    .option("--no-interpolate", "don't interpolate environment variables")
    .option("--no-normalize", "don't normalize the compose model");
  command.action(async (services: string[], flags: ConfigFlags) => {
    const base = loadOptions(globalFlags(program, command));
    const out: string[] = [];
    // The loader (yaml, the schema validator) loads here, so the container commands start without it.
    const { runConfig } = await import("./config-run.js");
    runConfig(base, services, flags, (text) => out.push(text));
    if (!flags.quiet) process.stdout.write(out.join(""));
  });
}
