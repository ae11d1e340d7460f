import { main, reportError } from "./main.js";

export { invokedCommand } from "./main.js";

/**
 * The process: tscompose with this process's arguments, its outcome as the exit code. It exits at once
 * rather than letting Node tear its environment down (4 ms a command): by then the command has finished
 * its work, and stdout and stderr, files and pipes on Linux, are written synchronously.
 */
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(reportError(error)),
);
