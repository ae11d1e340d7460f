import { main, reportError } from "./main.js";

/** The process: tscompose with this process's arguments, its outcome as the exit code. */
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportError(error);
  },
);
