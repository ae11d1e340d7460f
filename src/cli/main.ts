import { Command, CommanderError } from "commander";
import { TscError, exitCodeFor } from "../errors.js";
import { renderFrame } from "./frame.js";
import { registerComposeCommands } from "./compose.js";
import { registerContainerCommands } from "./container.js";
import { registerImageCommands } from "./image.js";

let invoked: string | undefined;

/**
 * The command whose action ran, with the options given to it ("container run --rm"): the code paths
 * bin/tscompose.cjs's code cache learns one by one.
 */
export function invokedCommand(): string | undefined {
  return invoked;
}

function commandKey(command: Command): string {
  const words: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) words.unshift(at.name());
  const given = command.options
    .filter((option) => command.getOptionValueSource(option.attributeName()) === "cli")
    .map((option) => option.long ?? option.short ?? "")
    .sort();
  return [...words, ...given].join(" ");
}

/** Builds the commander program; exported so tests can drive it in-process. */
export function buildProgram(): Command {
  const program = new Command("tscompose")
    .description("Run multi-container applications from compose.yaml on tscompose's own container engine")
    .version("0.1.0")
    .showSuggestionAfterError(true)
    .exitOverride()
    .hook("preAction", (_program, action) => {
      invoked = commandKey(action);
    });
  registerComposeCommands(program);
  registerContainerCommands(program);
  registerImageCommands(program);
  return program;
}

/** The one catch: TscError -> `error: <message>`, the source frame, the hint, and the exit code. */
export function reportError(
  error: unknown,
  write: (text: string) => void = (t) => process.stderr.write(t),
): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : 2;
  }
  if (TscError.is(error)) {
    const lines = [`error: ${error.message}`];
    if (error.where) lines.push(renderFrame(error.where));
    if (error.hint) lines.push(`hint: ${error.hint}`);
    write(lines.join("\n") + "\n");
    if (error.category === "internal")
      write("this is a bug in tscompose; please report it with the command you ran\n");
    return exitCodeFor(error);
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`error: internal error (this is a bug in tscompose; please report it)\n${detail}\n`);
  return 1;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}
