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

// A reader that went away (`| head`) is no crash: what we would still print is dropped, and the command
// finishes its work (a foreground `run --rm` still removes its container); `logs -f` stops following.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

/** The process: tscompose with this process's arguments, its outcome as the exit code. */
main(process.argv.slice(2)).then(exit, (error: unknown) => exit(reportError(error)));
