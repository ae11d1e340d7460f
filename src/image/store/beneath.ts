import { lstatSync, mkdirSync, rmSync, unlinkSync, type Stats } from "node:fs";
import { join } from "node:path";
import { TscError, isErrno } from "../../errors.js";

/**
 * Paths inside a layer directory being unpacked, never resolved through a symlink: every parent component
 * is lstat'ed and must be a real directory (missing ones are created as directories). The directory is a
 * fresh 0700 temp dir that only this unpack writes to, so nothing can swap a component between the check
 * and the use; the checks stop the archive itself from planting a symlink and then writing through it.
 */

export function layerError(path: string, reason: string): TscError {
  return new TscError("E_IMAGE_LAYER", `layer entry ${JSON.stringify(path)}: ${reason}`, {
    hint: "the layer archive is malformed or hostile; it was not unpacked and nothing was written outside it",
  });
}

/**
 * Splits an archive path into components, dropping `.` and empty ones (`./a//b/` is `a/b`). Absolute paths
 * and `..` are rejected rather than rewritten: a well-formed layer never has them, and refusing is the
 * behaviour that cannot be talked into writing somewhere unexpected.
 */
export function splitEntryPath(name: string, subject = name): string[] {
  const what = subject === name ? "" : `${JSON.stringify(name)}: `;
  if (name.startsWith("/")) throw layerError(subject, `${what}absolute paths are not allowed in a layer`);
  const parts = name.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw layerError(subject, `${what}\`..\` is not allowed in a layer path`);
  if (parts.some((part) => part.includes("\0"))) throw layerError(subject, `${what}NUL in a path`);
  return parts;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  }
}

/** Whether relative path `path` is `dir` itself or inside it. */
export function isAtOrUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

function kind(stats: Stats): string {
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isFile()) return "a regular file";
  return "not a directory";
}

export class LayerDir {
  /** Relative directories already checked to be real directories; cleared when any directory is removed. */
  private readonly checked = new Set<string>([""]);
  /** Directories this unpack created without an entry of their own (docker gives them 0755 root:root). */
  readonly implicitDirs = new Set<string>();

  constructor(readonly dir: string) {}

  abs(parts: readonly string[]): string {
    return join(this.dir, ...parts);
  }

  /**
   * Makes sure every parent of `parts` is a real directory beneath the layer dir, creating missing ones
   * (`create` false: they must exist). Returns the absolute path of the entry. `subject` names the
   * archive entry in errors.
   */
  parents(parts: readonly string[], subject: string, create = true): string {
    this.walk(parts, parts.length - 1, create, subject);
    return this.abs(parts);
  }

  /** Like parents, for `parts` itself too: the directory an opaque marker applies to. */
  directory(parts: readonly string[], subject: string): string {
    this.walk(parts, parts.length, true, subject);
    return this.abs(parts);
  }

  private walk(parts: readonly string[], count: number, create: boolean, subject: string): void {
    for (let i = 1; i <= count; i++) {
      const rel = parts.slice(0, i).join("/");
      if (this.checked.has(rel)) continue;
      const path = this.abs(parts.slice(0, i));
      const stats = lstatOrUndefined(path);
      if (stats === undefined) {
        if (!create) throw layerError(subject, `${rel} does not exist in this layer`);
        mkdirSync(path, { mode: 0o755 });
        this.implicitDirs.add(rel);
      } else if (!stats.isDirectory()) {
        throw layerError(
          subject,
          `${rel} is ${kind(stats)}, not a directory: writing through it could escape the layer`,
        );
      }
      this.checked.add(rel);
    }
  }

  /** lstat of an entry whose parents were checked; undefined if it does not exist. */
  lstat(parts: readonly string[]): Stats | undefined {
    return lstatOrUndefined(this.abs(parts));
  }

  /**
   * lstat of an entry reached through real directories only, for paths recorded earlier in the unpack:
   * a later entry may have replaced a parent with a symlink. Undefined when the entry does not exist as
   * such beneath the layer dir, whatever lies behind the symlink.
   */
  lstatBeneath(parts: readonly string[]): Stats | undefined {
    for (let i = 1; i < parts.length; i++) {
      const stats = lstatOrUndefined(this.abs(parts.slice(0, i)));
      if (stats === undefined || !stats.isDirectory()) return undefined;
    }
    return lstatOrUndefined(this.abs(parts));
  }

  /**
   * Clears the way for a new entry: unlinks whatever is there (never following it), except a directory
   * when the new entry is a directory too (tar semantics: its contents stay). Returns true if a directory
   * was kept.
   */
  clear(parts: readonly string[], forDirectory: boolean): boolean {
    const path = this.abs(parts);
    const stats = lstatOrUndefined(path);
    if (stats === undefined) return false;
    if (stats.isDirectory()) {
      if (forDirectory) return true;
      // rmSync never follows symlinks while recursing.
      rmSync(path, { recursive: true, force: true });
      this.checked.clear();
      this.checked.add("");
      const rel = parts.join("/");
      for (const dir of this.implicitDirs) if (isAtOrUnder(dir, rel)) this.implicitDirs.delete(dir);
      return false;
    }
    unlinkSync(path);
    return false;
  }

  /** Records that `parts` is a directory created by an entry (not implicit any more). */
  markDirectory(parts: readonly string[]): void {
    const rel = parts.join("/");
    this.implicitDirs.delete(rel);
    this.checked.add(rel);
  }
}
