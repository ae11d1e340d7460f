import { spawn } from "node:child_process";
import { helperBinary } from "../../common/package-paths.js";
import { TscError } from "../../errors.js";

/**
 * What Node cannot do while unpacking a layer (mknod, setxattr) is done by the helper's `layer-fixups`
 * subcommand (src/runtime/native/layer-fixups.c). It reads one operation a line on stdin, each path
 * relative to the layer dir and resolved beneath it without following symlinks:
 *   w <path>                                            overlay whiteout (char device 0/0)
 *   o <dir>                                             opaque directory (trusted.overlay.opaque=y)
 *   n <c|b|p> <mode> <major> <minor> <uid> <gid> <mtime> <path>   device node or fifo (mode in octal)
 */

export type Fixup =
  | { op: "whiteout"; path: string }
  | { op: "opaque"; path: string }
  | {
      op: "node";
      type: "c" | "b" | "p";
      mode: number;
      major: number;
      minor: number;
      uid: number;
      gid: number;
      mtime: number;
      path: string;
    };

export function fixupLine(fixup: Fixup): string {
  switch (fixup.op) {
    case "whiteout":
      return `w ${fixup.path}`;
    case "opaque":
      return `o ${fixup.path}`;
    case "node": {
      const fields = [fixup.type, fixup.mode.toString(8), fixup.major, fixup.minor, fixup.uid, fixup.gid];
      return `n ${fields.join(" ")} ${Math.floor(fixup.mtime)} ${fixup.path}`;
    }
  }
}

/** Runs the helper's layer-fixups on `layerDir`; its error (syscall and path) becomes E_IMAGE_LAYER. */
export async function runLayerFixups(layerDir: string, fixups: readonly Fixup[]): Promise<void> {
  if (fixups.length === 0) return;
  const helper = helperBinary();
  const child = spawn(helper, ["layer-fixups", layerDir], { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  // A helper that exits early closes stdin under us: the exit status tells what happened.
  child.stdin.on("error", () => undefined);
  child.stdin.end(fixups.map((f) => fixupLine(f) + "\n").join(""));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => resolve(status));
  }).catch((error: unknown) => {
    throw new TscError("E_IMAGE_STORE", `cannot run the container helper ${helper}: ${String(error)}`, {
      hint: "build it with `npm run build:native` (or set TSCOMPOSE_HELPER to its path)",
      cause: error,
    });
  });
  if (code !== 0)
    throw new TscError(
      "E_IMAGE_LAYER",
      `whiteouts and special files of the layer: ${stderr.trim() || `exit ${code}`}`,
      {
        hint: "the layer archive is malformed or hostile; it was not unpacked",
      },
    );
}
