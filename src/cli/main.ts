import { Command, CommanderError } from "commander";
import { TscError, exitCodeFor } from "../errors.js";
import { renderFrame } from "./frame.js";
import { registerComposeCommands } from "./compose.js";
import { registerContainerCommands } from "./container.js";
import { registerImageCommands } from "./image.js";

/** Builds the commander program; exported so tests can drive it in-process. */
export function buildProgram(): Command {
  const program = new Command("tscompose")
    .description("Run multi-container applications from compose.yaml on tscompose's own container engine")
    .version("0.1.0")
    .showSuggestionAfterError(true)
    .exitOverride();
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
