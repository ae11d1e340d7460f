import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../../src/common/package-paths.js";

/**
 * The helper binary for the layer tests: build/tscompose-helper when it has been built with the
 * layer-fixups subcommand; otherwise layer-fixups.c compiled here behind a two-line dispatcher (the same
 * call main.c makes) into `dir`, so these tests do not wait for the rest of the helper. Returns a function
 * that puts TSCOMPOSE_HELPER back.
 */
export function ensureFixupsHelper(dir: string): () => void {
  const before = process.env.TSCOMPOSE_HELPER;
  const restore = (): void => {
    if (before === undefined) delete process.env.TSCOMPOSE_HELPER;
    else process.env.TSCOMPOSE_HELPER = before;
  };
  const built = before || packagePath("build", "tscompose-helper");
  if (existsSync(built)) {
    try {
      execFileSync(built, ["layer-fixups", tmpdir()], { input: "" });
      return restore;
    } catch {
      // A build without layer-fixups (the rest of the helper is not there yet): use the standalone one.
    }
  }
  const main = join(dir, "main.c");
  writeFileSync(
    main,
    '#include <string.h>\n#include "layer-fixups.h"\n' +
      "int main(int argc, char **argv) {\n" +
      '  if (argc > 1 && strcmp(argv[1], "layer-fixups") == 0) return layer_fixups_main(argc, argv);\n' +
      "  return 2;\n}\n",
  );
  const output = join(dir, "tscompose-helper");
  const native = join(process.cwd(), "src/runtime/native");
  execFileSync("cc", [
    "-std=gnu11",
    "-O2",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-D_GNU_SOURCE",
    `-I${native}`,
    "-o",
    output,
    main,
    join(native, "layer-fixups.c"),
  ]);
  process.env.TSCOMPOSE_HELPER = output;
  return restore;
}
