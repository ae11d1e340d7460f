import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prepareRootfs, readImageFile, removeRootfs, rootfsPaths } from "../../src/runtime/rootfs.js";

const dir = mkdtempSync(join(tmpdir(), "tsc-rootfs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Entry = string | { link: string } | "whiteout" | "dir";
let serial = 0;

/** A layer directory in overlay form: files, symlinks, directories and whiteouts (char 0/0, made with mknod). */
function layer(entries: Record<string, Entry>): string {
  const root = join(dir, `layer${++serial}`);
  mkdirSync(root);
  for (const [path, entry] of Object.entries(entries)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    if (entry === "whiteout") execFileSync("mknod", [full, "c", "0", "0"]);
    else if (entry === "dir") mkdirSync(full, { recursive: true });
    else if (typeof entry === "string") writeFileSync(full, entry);
    else symlinkSync(entry.link, full);
  }
  return root;
}

describe("readImageFile: one file of the image's merged view, without mounting it", () => {
  const base = layer({ "etc/passwd": "base\n", "etc/group": "g\n", "etc/os": "debian\n", "data/x": "x\n" });

  it.each<[string, Record<string, Entry>[], string | undefined]>([
    ["the bottom layer's file", [], "base\n"],
    ["an upper layer replaces it", [{ "etc/passwd": "upper\n" }], "upper\n"],
    ["a whiteout hides it", [{ "etc/passwd": "whiteout" }], undefined],
    ["a whiteout of the directory hides it", [{ etc: "whiteout" }], undefined],
    ["a file in place of the directory hides it", [{ etc: "not a dir" }], undefined],
    [
      "a re-created directory above a whiteout shows only its own files",
      [{ etc: "whiteout" }, { "etc/os": "mine" }],
      undefined,
    ],
    ["a symlink inside the image is followed in the image", [{ "etc/passwd": { link: "/data/x" } }], "x\n"],
    ["a relative symlink is followed", [{ "etc/passwd": { link: "../data/x" } }], "x\n"],
    ["`..` stops at the image root", [{ "etc/passwd": { link: "../../../../../data/x" } }], "x\n"],
    [
      "an absolute link to a host-only file is not found",
      [{ "etc/passwd": { link: "/proc/self/environ" } }],
      undefined,
    ],
    [
      "a directory symlink resolves inside the image",
      [{ etc: { link: "/data" }, "data/passwd": "via dir link\n" }],
      "via dir link\n",
    ],
    ["a symlink loop gives up", [{ "etc/passwd": { link: "/etc/passwd" } }], undefined],
    ["a directory is not a file", [{ "etc/passwd": "dir" }], undefined],
  ])("%s", (_name, uppers, expected) => {
    const layers = [base, ...uppers.map(layer)];
    expect(readImageFile(layers, "/etc/passwd")).toBe(expected);
  });

  it("never reads the host's file through an image symlink to a host path", () => {
    const top = layer({ etc: { link: "/etc" } });
    // In the image, /etc -> /etc is a loop; on the host it would have been the host's /etc/passwd.
    expect(readImageFile([top], "/etc/passwd")).toBeUndefined();
    const hostile = layer({ etc: { link: `${dir}/../../../etc` } });
    expect(readImageFile([hostile], "/etc/hostname")).toBeUndefined();
  });
});

describe("container rootfs directories", () => {
  it("prepare creates upper, work and merged; remove deletes them", () => {
    const container = join(dir, "container");
    const rootfs = prepareRootfs(container, ["/l1", "/l2"]);
    expect(rootfs).toEqual(rootfsPaths(container, ["/l1", "/l2"]));
    expect(rootfs.lowerDirs).toEqual(["/l1", "/l2"]);
    for (const path of [rootfs.upperDir, rootfs.workDir, rootfs.mergedDir]) {
      expect(statSync(path).mode & 0o777).toBe(0o755);
    }
    removeRootfs(container);
    expect(existsSync(rootfs.upperDir)).toBe(false);
  });
});
