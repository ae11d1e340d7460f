import { execFileSync } from "node:child_process";
import {
  chmodSync,
  createReadStream,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { stateRoot, type StateRoot } from "../../src/common/root.js";
import { importImage } from "../../src/image/index.js";

/**
 * A busybox image for tests, built from Debian's busybox-static (`apt-get install -y busybox-static`):
 * /bin/busybox plus one absolute symlink per applet, the usual top-level directories and /etc files,
 * and three users — root, nobody, and app (1000:1000, supplementary group extra 1001).
 * Stable names and signatures: the runtime's tests use them too.
 */

export const BUSYBOX = "/bin/busybox";

const PASSWD = [
  "root:x:0:0:root:/root:/bin/sh",
  "app:x:1000:1000:app:/home/app:/bin/sh",
  "nobody:x:65534:65534:nobody:/nonexistent:/bin/false",
].join("\n");

const GROUP = ["root:x:0:", "app:x:1000:", "extra:x:1001:app", "nogroup:x:65534:"].join("\n");

const HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

/** Writes a busybox root filesystem into `dir` (created if missing; should be empty). */
export function makeBusyboxRootfs(dir: string): void {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: apt-get install -y busybox-static`);
  const dirs: [string, number][] = [
    ["bin", 0o755],
    ["sbin", 0o755],
    ["usr/bin", 0o755],
    ["usr/sbin", 0o755],
    ["etc", 0o755],
    ["root", 0o700],
    ["home/app", 0o755],
    ["var/log", 0o755],
    ["var/run", 0o755],
    ["tmp", 0o1777],
    ["proc", 0o555],
    ["sys", 0o555],
    ["dev", 0o755],
    ["run", 0o755],
    ["mnt", 0o755],
  ];
  for (const [path, mode] of dirs) {
    mkdirSync(join(dir, path), { recursive: true });
    // chmod after mkdir: the umask would otherwise clear the sticky and group/other bits.
    chmodSync(join(dir, path), mode);
  }
  copyFileSync(BUSYBOX, join(dir, "bin/busybox"));
  chmodSync(join(dir, "bin/busybox"), 0o755);
  const applets = execFileSync(BUSYBOX, ["--list-full"], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && line !== "bin/busybox");
  for (const applet of applets) {
    const path = join(dir, applet);
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) symlinkSync("/bin/busybox", path);
  }
  writeFileSync(join(dir, "etc/passwd"), PASSWD + "\n", { mode: 0o644 });
  writeFileSync(join(dir, "etc/group"), GROUP + "\n", { mode: 0o644 });
  writeFileSync(join(dir, "etc/hosts"), HOSTS, { mode: 0o644 });
  writeFileSync(join(dir, "etc/hostname"), "busybox\n", { mode: 0o644 });
  writeFileSync(join(dir, "etc/resolv.conf"), "", { mode: 0o644 });
  writeFileSync(join(dir, "etc/shadow"), "root:*:19000:0:99999:7:::\n", { mode: 0o640 });
  execFileSync("chown", ["1000:1000", join(dir, "home/app")]);
}

/** Writes the busybox rootfs as a plain tar (numeric owners, `./`-prefixed names, as `tar -C dir -c .` makes). */
export function makeBusyboxTar(path: string): void {
  const work = mkdtempSync(join(tmpdir(), "tscompose-busybox-"));
  try {
    makeBusyboxRootfs(work);
    mkdirSync(dirname(path), { recursive: true });
    execFileSync("tar", ["--numeric-owner", "--sort=name", "-C", work, "-cf", path, "."]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Imports the busybox tarball into a TSCOMPOSE_ROOT (a path or a StateRoot) as `ref`, the way
 * `tscompose image import` does, and returns the image id (`sha256:…`).
 */
export async function importBusybox(root: StateRoot | string, ref = "busybox:latest"): Promise<string> {
  const state = typeof root === "string" ? stateRoot(root) : root;
  const work = mkdtempSync(join(tmpdir(), "tscompose-busybox-"));
  try {
    const tar = join(work, "busybox.tar");
    makeBusyboxTar(tar);
    const result = await importImage(state, createReadStream(tar), { reference: ref, sourceName: tar });
    return result.id;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
