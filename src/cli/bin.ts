import { main, reportError } from "./main.js";

export { invokedCommand } from "./main.js";

/**
 * Ends the process with `code`. At once when stdout and stderr hold nothing unwritten, rather than letting
 * Node tear its environment down (4 ms a command); otherwise (a socket, as a Node parent's pipes are,
 * is written asynchronously) Node exits by itself once they are flushed.
 */
function exit(code: number): void {
  process.exitCode = code;
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
}

/** The process: tscompose with this process's arguments, its outcome as the exit code. */
main(process.argv.slice(2)).then(exit, (error: unknown) => exit(reportError(error)));
