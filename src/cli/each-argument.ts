import { TscError } from "../errors.js";

/**
 * docker's way with several containers or images: each one is acted on by itself, one that fails is
 * reported on stderr while the others go on, and the command then exits 1. An error with `ignoreCode`
 * (rm -f's missing container) is no failure at all.
 */
export async function forEachArgument(
  args: readonly string[],
  act: (arg: string) => Promise<void> | void,
  options: { ignoreCode?: string } = {},
): Promise<void> {
  let failed = false;
  for (const arg of args) {
    try {
      await act(arg);
    } catch (error) {
      if (options.ignoreCode !== undefined && TscError.is(error) && error.code === options.ignoreCode)
        continue;
      // main.js imports this module's callers: loaded when needed, as runFailure does.
      const { reportError } = await import("./main.js");
      reportError(error);
      failed = true;
    }
  }
  if (failed) process.exitCode = 1;
}
