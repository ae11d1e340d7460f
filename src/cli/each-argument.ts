import { TscError } from "../errors.js";

/**
 * docker's way with several containers: each one is acted on by itself, one that fails is reported on
 * stderr while the others go on, and the command then exits 1. With `ignoreMissing` (rm -f), a container
 * that does not exist is no failure at all.
 */
export async function forEachContainer(
  refs: readonly string[],
  act: (ref: string) => Promise<void> | void,
  options: { ignoreMissing?: boolean } = {},
): Promise<void> {
  let failed = false;
  for (const ref of refs) {
    try {
      await act(ref);
    } catch (error) {
      if (options.ignoreMissing && TscError.is(error) && error.code === "E_CONTAINER_NOT_FOUND") continue;
      // main.js imports this module's callers: loaded when needed, as runFailure does.
      const { reportError } = await import("./main.js");
      reportError(error);
      failed = true;
    }
  }
  if (failed) process.exitCode = 1;
}
