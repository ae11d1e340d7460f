import {
  constants,
  lchownSync,
  lutimesSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import {
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  linkSync,
  chmodSync,
  openSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import tar from "tar-stream";
import { DigestStream, digestHex, verifyDigest } from "../../common/digest.js";
import { chainId } from "./chain-id.js";
import { LAYER_REMOVAL_PREFIX, LAYER_UNPACK_PREFIX, type StateRoot } from "../../common/root.js";
import { pidExists } from "../../common/pid-exists.js";
import { TscError, isErrno } from "../../errors.js";
import { LayerDir, isAtOrUnder, layerError, splitEntryPath } from "./beneath.js";
import { runLayerFixups, type Fixup } from "./fixups.js";

/**
 * Unpacks a layer archive (tar, gzip or zstd) into its own directory under layers/<chainid-hex>, the
 * overlay lowerdir every container of the image shares. Entries go into a fresh temp dir that is renamed
 * into place only when complete and verified, so a layer dir is either whole or absent. Hostile entries
 * (absolute, `..`, through a symlink, hard links leaving the layer, bad whiteouts) fail the unpack with
 * E_IMAGE_LAYER; the decompressed size is capped (gzip bombs) and the DiffID checked while streaming.
 */

export const DEFAULT_MAX_LAYER_BYTES = 16 * 1024 ** 3;
const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";
const AUFS_META = ".wh..wh.";
const AUFS_HARDLINKS = ".wh..wh.plnk";

export interface UnpackOptions {
  /** The layer's DiffID, when known (from the image config): checked against the uncompressed stream. */
  diffId?: string;
  /** ChainID of the layers below, undefined for the bottom layer. */
  parentChainId?: string;
  /** Cap on the uncompressed archive, in bytes. */
  maxBytes?: number;
}

export interface UnpackedLayer {
  diffId: string;
  chainId: string;
  dir: string;
  /** Bytes of regular-file content. */
  size: number;
}

class SizeCap extends Transform {
  private seen = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max)
      callback(
        new TscError(
          "E_IMAGE_LAYER",
          `the uncompressed layer is larger than the limit of ${this.max} bytes`,
          {
            hint: "the archive may be a decompression bomb; it was not unpacked",
          },
        ),
      );
    else callback(null, chunk);
  }
}

/** The decompressor for the archive's magic bytes (never trusting a media type); none for plain tar. */
function decompressorFor(head: Buffer): Transform | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return zlib.createGunzip();
  if (head.readUInt32LE(0) === 0xfd2fb528) {
    const zstd = (zlib as unknown as Record<string, unknown>).createZstdDecompress;
    if (typeof zstd !== "function")
      throw new TscError("E_IMAGE_LAYER", "zstd-compressed layers need Node.js 22.15 or later", {
        hint: "recompress the layer with gzip, or run tscompose on a newer Node.js",
      });
    return (zstd as () => Transform)();
  }
  return undefined;
}

interface Peeked {
  /** The first bytes (at least 4, zero-padded), for the magic number. */
  head: Buffer;
  /** Whether the source had no byte at all. */
  empty: boolean;
  /** The whole source, head included. */
  stream: Readable;
  /** Closes the source (e.g. the file it reads) if it has not ended: for a failure at any point. */
  close(): Promise<void>;
}

async function peek(source: AsyncIterable<Uint8Array>): Promise<Peeked> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let done = false;
  const close = async (): Promise<void> => {
    if (done) return;
    done = true;
    await iterator.return?.();
  };
  while (length < 4 && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else {
      head.push(Buffer.from(next.value));
      length += next.value.length;
    }
  }
  async function* whole(): AsyncGenerator<Buffer> {
    try {
      yield* head;
      while (!done) {
        const next = await iterator.next();
        if (next.done) done = true;
        else yield Buffer.from(next.value);
      }
    } finally {
      await close();
    }
  }
  return {
    head: Buffer.concat([...head, Buffer.alloc(4)]),
    empty: length === 0,
    stream: Readable.from(whole()),
    close,
  };
}

type Entry = tar.Extract extends AsyncIterable<infer Source> ? Source : never;

interface DirMeta {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

/** One unpack: the entry handlers and what they leave for the end (directory metadata, helper work). */
class Unpacker {
  readonly layer: LayerDir;
  readonly dirs = new Map<string, DirMeta>();
  readonly fixups = new Map<string, Fixup>();
  size = 0;

  constructor(dir: string) {
    this.layer = new LayerDir(dir);
  }

  async entry(entry: Entry): Promise<void> {
    const header = entry.header as Omit<tar.Header, "type" | "pax"> & {
      type: string | null;
      pax?: Record<string, string> | null;
    };
    const type = header.type;
    if (type === "pax-global-header") return void entry.resume();
    const parts = splitEntryPath(header.name);
    const name = parts.join("/");
    if (parts.includes(AUFS_HARDLINKS)) return void entry.resume();
    const base = parts[parts.length - 1] ?? "";
    if (base.startsWith(WHITEOUT)) {
      this.whiteout(parts, header.name);
      return void entry.resume();
    }
    if (parts.slice(0, -1).some((part) => part.startsWith(WHITEOUT)))
      throw layerError(header.name, "a whiteout name cannot be a directory");
    const meta: DirMeta = {
      mode: (header.mode ?? 0o644) & 0o7777,
      uid: Number(header.pax?.uid ?? header.uid ?? 0),
      gid: Number(header.pax?.gid ?? header.gid ?? 0),
      mtime: header.pax?.mtime ? new Date(Number(header.pax.mtime) * 1000) : (header.mtime ?? new Date(0)),
    };
    if (parts.length === 0) {
      if (type !== "directory") throw layerError(header.name, "the layer root must be a directory");
      this.dirs.set("", meta);
      return void entry.resume();
    }
    const path = this.layer.parents(parts, header.name);
    this.fixups.delete(name);
    const keptDirectory = this.layer.clear(parts, type === "directory");
    if (!keptDirectory) this.forget(name);
    switch (type) {
      case "file":
      case "contiguous-file":
        return this.file(entry, path, meta);
      case "directory":
        if (!keptDirectory) mkdirSync(path, { mode: 0o700 });
        this.layer.markDirectory(parts);
        this.dirs.set(name, meta);
        return void entry.resume();
      case "symlink":
        if (!header.linkname) throw layerError(header.name, "symbolic link without a target");
        // The target is stored, never followed: symlinks are only dangerous when something writes through them.
        symlinkSync(header.linkname, path);
        lchownSync(path, meta.uid, meta.gid);
        lutimesSync(path, meta.mtime, meta.mtime);
        return void entry.resume();
      case "link":
        this.hardLink(header.name, header.linkname ?? "", path);
        return void entry.resume();
      case "character-device":
      case "block-device":
      case "fifo":
        if (/[\n\r]/.test(name)) throw layerError(header.name, "a device name with a line break");
        this.fixups.set(name, {
          op: "node",
          type: type === "fifo" ? "p" : type === "block-device" ? "b" : "c",
          mode: meta.mode,
          major: header.devmajor ?? 0,
          minor: header.devminor ?? 0,
          uid: meta.uid,
          gid: meta.gid,
          mtime: meta.mtime.getTime() / 1000,
          path: name,
        });
        return void entry.resume();
      default:
        throw layerError(header.name, `unsupported entry type ${String(type ?? "unknown")}`);
    }
  }

  /**
   * Drops what was recorded for a path and everything under it, once an entry has replaced it: the
   * metadata of a directory that is gone must never be applied to whatever now stands at its path.
   */
  private forget(name: string): void {
    for (const dir of this.dirs.keys()) if (isAtOrUnder(dir, name)) this.dirs.delete(dir);
    for (const [key, fixup] of this.fixups) if (isAtOrUnder(fixup.path, name)) this.fixups.delete(key);
  }

  private async file(entry: Entry, path: string, meta: DirMeta): Promise<void> {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    // Synchronous calls: layers hold tens of thousands of small files, and a thread-pool round trip
    // per syscall doubles the unpack time.
    const fd = openSync(path, flags, 0o600);
    try {
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        for (let done = 0; done < chunk.length;) done += writeSync(fd, chunk, done);
        this.size += chunk.length;
      }
      // chown before chmod: chown clears the setuid and setgid bits.
      fchownSync(fd, meta.uid, meta.gid);
      fchmodSync(fd, meta.mode);
      futimesSync(fd, meta.mtime, meta.mtime);
    } finally {
      closeSync(fd);
    }
  }

  private hardLink(name: string, linkname: string, path: string): void {
    if (linkname === "") throw layerError(name, "hard link without a target");
    const subject = `${name} (hard link to ${linkname})`;
    const targetParts = splitEntryPath(linkname, subject);
    if (targetParts.length === 0) throw layerError(name, "hard link to the layer root");
    const target = this.layer.parents(targetParts, subject, false);
    const stats = this.layer.lstat(targetParts);
    if (stats === undefined)
      throw layerError(name, `hard link target ${JSON.stringify(linkname)} is not in this layer`);
    if (stats.isDirectory()) throw layerError(name, "hard link to a directory");
    // link(2) does not follow a symlink target; the target is in this layer's own directory.
    linkSync(target, path);
  }

  private whiteout(parts: string[], name: string): void {
    const base = parts[parts.length - 1] ?? "";
    const parent = parts.slice(0, -1);
    if (/[\n\r]/.test(name)) throw layerError(name, "a whiteout name with a line break");
    if (base === OPAQUE) {
      this.layer.directory(parent, name);
      this.fixups.set(`opaque:${parent.join("/")}`, { op: "opaque", path: parent.join("/") || "." });
      return;
    }
    if (base.startsWith(AUFS_META)) throw layerError(name, "unknown whiteout metadata file");
    const target = base.slice(WHITEOUT.length);
    if (target === "" || target === "." || target === "..")
      throw layerError(name, "a whiteout must name a file in its directory");
    this.layer.parents([...parent, target], name);
    const rel = [...parent, target].join("/");
    this.fixups.set(rel, { op: "whiteout", path: rel });
  }

  /** After the last entry: whiteout conflicts, helper work, then directory metadata deepest first. */
  async finish(): Promise<void> {
    for (const fixup of this.fixups.values()) {
      if (fixup.op !== "whiteout") continue;
      if (this.layer.lstatBeneath(fixup.path.split("/")) !== undefined)
        throw layerError(fixup.path, "the layer both deletes and creates this path");
    }
    await runLayerFixups(this.layer.dir, [...this.fixups.values()]);
    const implicit: DirMeta = { mode: 0o755, uid: 0, gid: 0, mtime: new Date(0) };
    const all = new Map<string, DirMeta>([
      ...[...this.layer.implicitDirs].map((d) => [d, implicit] as const),
    ]);
    for (const [dir, meta] of this.dirs) all.set(dir, meta);
    if (!all.has("")) all.set("", { ...implicit, mtime: new Date() });
    const ordered = [...all.keys()].sort(
      (a, b) => b.split("/").length - a.split("/").length || (a < b ? 1 : -1),
    );
    for (const dir of ordered) {
      const meta = all.get(dir) as DirMeta;
      const parts = dir === "" ? [] : dir.split("/");
      // A directory replaced by a later entry keeps that entry's own metadata; and nothing is applied
      // through a parent that a later entry turned into a symlink.
      const stats = this.layer.lstatBeneath(parts);
      if (stats === undefined || !stats.isDirectory()) continue;
      const path = this.layer.abs(parts);
      lchownSync(path, meta.uid, meta.gid);
      chmodSync(path, meta.mode);
      lutimesSync(path, meta.mtime, meta.mtime);
    }
  }
}

/** One entry; a name the file system cannot hold is the archive's fault, said without a 4 KB path dump. */
async function unpackEntry(unpacker: Unpacker, entry: Entry): Promise<void> {
  try {
    await unpacker.entry(entry);
  } catch (error) {
    if (!isErrno(error, "ENAMETOOLONG")) throw error;
    const name = entry.header.name;
    const shown = name.length > 100 ? `${name.slice(0, 100)}… (${name.length} characters)` : name;
    throw layerError(shown, "the name is too long for the file system (255 bytes a component, 4096 a path)");
  }
}

/**
 * Removes what killed unpacks and removals left under layers/: `.unpack-<pid>-*` temp dirs whose process
 * is gone, and `.remove-*` dirs (renamed aside only to be deleted).
 */
function sweepAbandoned(layers: string): void {
  for (const name of readdirSync(layers)) {
    const unpacker = name.startsWith(LAYER_UNPACK_PREFIX)
      ? Number(name.slice(LAYER_UNPACK_PREFIX.length).split("-")[0])
      : NaN;
    const abandoned =
      name.startsWith(LAYER_REMOVAL_PREFIX) ||
      (Number.isInteger(unpacker) && unpacker > 0 && !pidExists(unpacker));
    if (abandoned) rmSync(join(layers, name), { recursive: true, force: true });
  }
}

/**
 * Unpacks one layer from its archive stream and returns where it landed. If the layer dir already exists
 * (another unpack won the race), the existing one is kept and this one discarded.
 */
export async function unpackLayer(
  root: StateRoot,
  source: AsyncIterable<Uint8Array>,
  options: UnpackOptions = {},
): Promise<UnpackedLayer> {
  mkdirSync(root.layers, { recursive: true });
  sweepAbandoned(root.layers);
  const temp = mkdtempSync(join(root.layers, `${LAYER_UNPACK_PREFIX}${process.pid}-`));
  const unpacker = new Unpacker(temp);
  const hasher = new DigestStream();
  const extract = tar.extract();
  let input: Peeked | undefined;
  try {
    input = await peek(source);
    if (input.empty) {
      throw new TscError("E_IMAGE_LAYER", "the layer archive is empty (0 bytes)", {
        hint: "check the file or the pipe that feeds it: even an empty tar archive is 1024 bytes",
      });
    }
    const decompress = decompressorFor(input.head);
    const stages: NodeJS.ReadWriteStream[] = decompress ? [decompress] : [];
    const feeding = pipeline([
      input.stream,
      ...stages,
      new SizeCap(options.maxBytes ?? DEFAULT_MAX_LAYER_BYTES),
      hasher,
      extract,
    ]);
    feeding.catch(() => undefined);
    try {
      for await (const entry of extract) await unpackEntry(unpacker, entry);
    } catch (error) {
      extract.destroy();
      throw error;
    }
    await feeding;
    const diffId = hasher.digest;
    if (options.diffId !== undefined) verifyDigest("layer DiffID", options.diffId, diffId);
    await unpacker.finish();
    const id = chainId(options.parentChainId, diffId);
    const dir = root.layer(digestHex(id));
    try {
      renameSync(temp, dir);
    } catch (error) {
      if (!isErrno(error, "EEXIST") && !isErrno(error, "ENOTEMPTY")) throw error;
      rmSync(temp, { recursive: true, force: true });
    }
    return { diffId, chainId: id, dir, size: unpacker.size };
  } catch (error) {
    await input?.close();
    rmSync(temp, { recursive: true, force: true });
    if (TscError.is(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TscError("E_IMAGE_LAYER", `cannot unpack the layer: ${reason}`, {
      hint: "the layer archive is malformed or truncated; it was not unpacked",
      cause: error,
    });
  }
}
