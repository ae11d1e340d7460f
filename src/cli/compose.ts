import type { Command } from "commander";
import { registerConfigCommand } from "./config.js";
import { withGlobalFlags } from "./global-flags.js";

/** The compose commands (`config`, later up/down/ps…) and the global flags every one of them takes. */
export function registerComposeCommands(program: Command): void {
  withGlobalFlags(program);
  registerConfigCommand(program);
}
