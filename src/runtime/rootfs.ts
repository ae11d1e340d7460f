import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  readlinkSync,
  rmSync,
  type Stats,
} from "node:fs";
import { join } from "node:path";
import { isErrno } from "../errors.js";

/**
 * A container's root filesystem: the image's unpacked layer directories as overlay lower layers (shared by
 * every container of the image, never written) and the container's own upper and work directories, mounted
 * by the helper on `merged`. Also reads single files of the image's merged view without mounting it.
 */

export interface ContainerRootfs {
  /** Layer directories, bottom to top (overlay's lowerdir option lists them the other way round). */
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  mergedDir: string;
}

/** The rootfs directories of a container whose record lives in `containerDir`. */
export function rootfsPaths(containerDir: string, layers: readonly string[]): ContainerRootfs {
  return {
    lowerDirs: [...layers],
    upperDir: join(containerDir, "rootfs", "upper"),
    workDir: join(containerDir, "rootfs", "work"),
    mergedDir: join(containerDir, "rootfs", "merged"),
  };
}

/**
 * Creates the container's upper, work and mount-point directories. 0755 as docker's overlay2 diff dir: the
 * upper dir's mode is the container's `/` (0700 would shut every non-root user out); the container's own
 * directory (0700) keeps host users away.
 */
export function prepareRootfs(containerDir: string, layers: readonly string[]): ContainerRootfs {
  const rootfs = rootfsPaths(containerDir, layers);
  for (const dir of [rootfs.upperDir, rootfs.workDir, rootfs.mergedDir])
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  return rootfs;
}

/** Deletes the container's rw layer; the caller has made sure nothing is mounted on `merged` any more. */
export function removeRootfs(containerDir: string): void {
  rmSync(join(containerDir, "rootfs"), { recursive: true, force: true });
}

const MAX_SYMLINKS = 40;
const MAX_FILE_BYTES = 4 << 20;

/** An overlay whiteout: a character device 0/0 hides the same name in lower layers. */
function isWhiteout(stats: Stats): boolean {
  return stats.isCharacterDevice() && stats.rdev === 0;
}

type Lookup = { kind: "found"; path: string; stats: Stats } | { kind: "absent" };

/**
 * The top-most entry for `components` in the union of `layersTopFirst`, compared component by component
 * with lstat so that no host symlink is ever followed. A lower layer is hidden where an upper one has a
 * whiteout or a non-directory on the way.
 */
function lookup(layersTopFirst: readonly string[], components: readonly string[]): Lookup {
  for (const layer of layersTopFirst) {
    let path = layer;
    let stats: Stats | undefined;
    let missing = false;
    for (const [index, component] of components.entries()) {
      path = join(path, component);
      try {
        stats = lstatSync(path);
      } catch (error) {
        if (isErrno(error, "ENOENT")) {
          missing = true;
          break;
        }
        throw error;
      }
      if (isWhiteout(stats)) return { kind: "absent" };
      if (index < components.length - 1 && !stats.isDirectory()) return { kind: "absent" };
    }
    if (!missing && stats) return { kind: "found", path, stats };
  }
  return { kind: "absent" };
}

/**
 * Reads a regular file of the image's merged view, following symlinks inside the image (an absolute link
 * means the image's root, `..` stops at it). Undefined when absent, not a regular file, or over 4 MiB.
 * Overlay opaque directories (an xattr Node cannot read) are not honoured: a file deleted through one may
 * still be found in a lower layer.
 */
export function readImageFile(layers: readonly string[], path: string): string | undefined {
  const layersTopFirst = [...layers].reverse();
  const split = (text: string) => text.split("/").filter((c) => c !== "" && c !== ".");
  let pending = split(path);
  const resolved: string[] = [];
  let links = 0;
  for (let component = pending.shift(); component !== undefined; component = pending.shift()) {
    if (component === "..") {
      resolved.pop();
      continue;
    }
    const found = lookup(layersTopFirst, [...resolved, component]);
    if (found.kind === "absent") return undefined;
    if (found.stats.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) return undefined;
      const target = readlinkSync(found.path);
      if (target.startsWith("/")) resolved.length = 0;
      pending = [...split(target), ...pending];
      continue;
    }
    resolved.push(component);
    if (pending.length > 0) {
      if (!found.stats.isDirectory()) return undefined;
      continue;
    }
    if (!found.stats.isFile() || found.stats.size > MAX_FILE_BYTES) return undefined;
    return readRegularFile(found.path);
  }
  return undefined;
}

/** Opens with O_NOFOLLOW so a symlink swapped in since the lstat is refused, and reads at most 4 MiB. */
function readRegularFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if (isErrno(error, "ENOENT") || isErrno(error, "ELOOP")) return undefined;
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > MAX_FILE_BYTES) return undefined;
    const buffer = Buffer.alloc(stats.size);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
