import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  type Stats,
} from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { nodeCrypto, randomBytes } from "../../common/node-crypto.js";
import { digestHex, isDigest, sha256Digest, verifyDigest } from "../../common/digest.js";
import type { StateRoot } from "../../common/root.js";
import { atomicWriteFileSync } from "../../common/atomic-write.js";
import { pidExists } from "../../common/pid-exists.js";
import { TscError, isErrno } from "../../errors.js";

/**
 * The content store: blobs addressed by digest under images/blobs/sha256/<hex>, as containerd's local store
 * keeps them. An ingest writes to a temp file under images/ingest/ (named for the writing pid, so a crashed
 * writer's leftovers can be told apart and removed), checks size and digest, fsyncs, then renames into place:
 * a blob path either holds verified content or does not exist. Blobs never change once written.
 */

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface Expected {
  digest?: string;
  size?: number;
}

export interface IngestOptions {
  /** Refuse content larger than this many bytes (E_IMAGE_STORE). */
  maxSize?: number;
}

function storeError(action: string, error: unknown): TscError {
  if (TscError.is(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TscError("E_IMAGE_STORE", `${action}: ${reason}`, { cause: error });
}

export class BlobStore {
  constructor(readonly root: StateRoot) {}

  /** The path of a blob (which may not exist); the digest must be a valid sha256 digest. */
  path(digest: string): string {
    digestHex(digest);
    return this.root.blob(digest);
  }

  has(digest: string): boolean {
    return existsSync(this.path(digest));
  }

  stat(digest: string): Stats {
    return statSync(this.path(digest));
  }

  /** Every stored digest, sorted. */
  list(): string[] {
    let names: string[];
    try {
      names = readdirSync(join(this.root.blobs, "sha256"));
    } catch (error) {
      if (isErrno(error, "ENOENT")) return [];
      throw error;
    }
    return names
      .map((hex) => `sha256:${hex}`)
      .filter(isDigest)
      .sort();
  }

  /**
   * Streams content into the store and returns its digest and size. With an expected digest that is
   * already stored, nothing is read. On any failure (source error, wrong digest or size, over the cap) the
   * temp file is removed and nothing is stored.
   */
  async ingest(
    source: AsyncIterable<Uint8Array>,
    expected: Expected = {},
    options: IngestOptions = {},
  ): Promise<{ digest: string; size: number }> {
    if (expected.digest !== undefined && this.has(expected.digest)) {
      const size = this.stat(expected.digest).size;
      if (expected.size === undefined || expected.size === size) return { digest: expected.digest, size };
    }
    this.cleanIngest();
    mkdirSync(this.root.ingest, { recursive: true });
    const temp = join(this.root.ingest, `${process.pid}-${randomBytes(8).toString("hex")}.tmp`);
    const file = await open(temp, "wx", 0o644);
    let closed = false;
    try {
      const hash = nodeCrypto().createHash("sha256");
      let size = 0;
      for await (const chunk of source) {
        size += chunk.length;
        if (options.maxSize !== undefined && size > options.maxSize)
          throw new TscError("E_IMAGE_STORE", `content is larger than the limit of ${options.maxSize} bytes`);
        if (expected.size !== undefined && size > expected.size)
          throw new TscError("E_IMAGE_DIGEST", `content is larger than the expected ${expected.size} bytes`);
        hash.update(chunk);
        await file.write(chunk);
      }
      const digest = `sha256:${hash.digest("hex")}`;
      if (expected.size !== undefined && size !== expected.size)
        throw new TscError("E_IMAGE_DIGEST", `content has ${size} bytes, expected ${expected.size}`);
      if (expected.digest !== undefined) verifyDigest("blob", expected.digest, digest);
      await file.sync();
      await file.close();
      closed = true;
      this.commit(temp, digest);
      return { digest, size };
    } catch (error) {
      if (!closed) await file.close();
      rmSync(temp, { force: true });
      throw storeError("ingesting a blob", error);
    }
  }

  /** Stores small content (manifests, configs) at once. */
  put(data: string | Uint8Array): { digest: string; size: number } {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const digest = sha256Digest(bytes);
    if (!this.has(digest)) {
      mkdirSync(join(this.root.blobs, "sha256"), { recursive: true });
      atomicWriteFileSync(this.path(digest), bytes);
    }
    return { digest, size: bytes.length };
  }

  /** Reads a blob whole and checks it against its digest (for manifests and configs, which are small). */
  read(digest: string): Buffer {
    let data: Buffer;
    try {
      data = readFileSync(this.path(digest));
    } catch (error) {
      if (isErrno(error, "ENOENT"))
        throw new TscError("E_IMAGE_STORE", `blob ${digest} is missing from the image store`, {
          hint: "the store is damaged: remove the image with `tscompose image rm -f` and import it again",
        });
      throw storeError(`reading blob ${digest}`, error);
    }
    verifyDigest(`blob ${digest}`, digest, sha256Digest(data));
    return data;
  }

  readJson<T>(digest: string): T {
    return JSON.parse(this.read(digest).toString("utf8")) as T;
  }

  remove(digest: string): void {
    rmSync(this.path(digest), { force: true });
  }

  /** Removes temp files whose writer is gone (a crash or kill mid-ingest). */
  cleanIngest(): void {
    let names: string[];
    try {
      names = readdirSync(this.root.ingest);
    } catch (error) {
      if (isErrno(error, "ENOENT")) return;
      throw error;
    }
    for (const name of names) {
      const pid = Number(name.split("-")[0]);
      if (!Number.isInteger(pid) || pid <= 0 || !pidExists(pid))
        rmSync(join(this.root.ingest, name), { force: true });
    }
  }

  private commit(temp: string, digest: string): void {
    mkdirSync(join(this.root.blobs, "sha256"), { recursive: true });
    // Two writers of the same blob both rename identical, verified content: the last one wins harmlessly.
    renameSync(temp, this.path(digest));
  }
}
