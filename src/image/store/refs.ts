import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { atomicWriteJsonSync } from "../../common/atomic-write.js";
import { pidExists } from "../../common/pid-exists.js";
import type { StateRoot } from "../../common/root.js";
import { TscError, isErrno } from "../../errors.js";
import type { Descriptor } from "./blobs.js";

/**
 * Names: the image records (id = config digest -> manifest descriptor, names, created, size) in
 * images/refs.json, written atomically under a lock file, with the OCI layout's index.json rewritten from
 * them after every change so that images/ stays a valid OCI image layout. A name points at one image; an
 * image whose last name moves elsewhere stays as a dangling image (`<none>`), as in docker.
 */

export const MEDIA_INDEX = "application/vnd.oci.image.index.v1+json";
const NAME_ANNOTATION = "io.containerd.image.name";
const TAG_ANNOTATION = "org.opencontainers.image.ref.name";
const LOCK_WAIT_MS = 10_000;
const LOCK_STEP_MS = 20;

export interface ImageRecord {
  /** The image id: the config blob's digest. */
  id: string;
  manifest: Descriptor;
  /** Canonical references (`docker.io/library/busybox:latest`), sorted. */
  names: string[];
  /** When the image was stored (ISO 8601). */
  created: string;
  /** Bytes of file content in its layers, for `image ls`. */
  size: number;
}

interface RefsFile {
  images: Record<string, ImageRecord>;
}

export type Images = Map<string, ImageRecord>;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function holderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lock, "utf8"));
  } catch (error) {
    if (isErrno(error, "ENOENT")) return false;
    throw error;
  }
  // An empty file is a holder between create and write: alive unless it has been empty for long.
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - statSync(lock).mtimeMs < 1000;
  return pidExists(pid);
}

export class RefStore {
  private readonly file: string;
  private readonly lockFile: string;

  /** `lockWaitMs`: how long to wait for another process's lock before giving up. */
  constructor(
    readonly root: StateRoot,
    private readonly lockWaitMs = LOCK_WAIT_MS,
  ) {
    this.file = root.refs;
    this.lockFile = join(root.images, "refs.lock");
  }

  /** The current records, keyed by image id. */
  read(): Images {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if (isErrno(error, "ENOENT")) return new Map();
      throw error;
    }
    const parsed = JSON.parse(text) as RefsFile;
    return new Map(Object.entries(parsed.images));
  }

  /** The image a canonical reference names, if any. */
  byName(canonical: string): ImageRecord | undefined {
    return [...this.read().values()].find((image) => image.names.includes(canonical));
  }

  /**
   * Runs `change` on the records under the store's lock and writes the result (refs.json, then index.json).
   * `change` may also do other store work that must not interleave (blob removal); it must be quick.
   */
  update<T>(change: (images: Images) => T): T {
    this.lock();
    try {
      const images = this.read();
      const result = change(images);
      this.write(images);
      return result;
    } finally {
      rmSync(this.lockFile, { force: true });
    }
  }

  private write(images: Images): void {
    const sorted = [...images.values()].sort((a, b) => a.id.localeCompare(b.id));
    const record: RefsFile = {
      images: Object.fromEntries(
        sorted.map((image) => [image.id, { ...image, names: [...image.names].sort() }]),
      ),
    };
    atomicWriteJsonSync(this.file, record);
    const layout = join(this.root.images, "oci-layout");
    if (!existsSync(layout)) atomicWriteJsonSync(layout, { imageLayoutVersion: "1.0.0" });
    const manifests: Descriptor[] = [];
    for (const image of sorted) {
      if (image.names.length === 0) manifests.push({ ...image.manifest });
      for (const name of [...image.names].sort()) {
        const tag = name.includes("@") ? undefined : name.slice(name.lastIndexOf(":") + 1);
        const annotations: Record<string, string> = { [NAME_ANNOTATION]: name };
        if (tag !== undefined) annotations[TAG_ANNOTATION] = tag;
        manifests.push({ ...image.manifest, annotations });
      }
    }
    atomicWriteJsonSync(join(this.root.images, "index.json"), {
      schemaVersion: 2,
      mediaType: MEDIA_INDEX,
      manifests,
    });
  }

  private lock(): void {
    const deadline = Date.now() + this.lockWaitMs;
    while (true) {
      try {
        const fd = openSync(this.lockFile, "wx", 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return;
      } catch (error) {
        if (isErrno(error, "ENOENT")) {
          atomicWriteJsonSync(join(this.root.images, "oci-layout"), { imageLayoutVersion: "1.0.0" });
          continue;
        }
        if (!isErrno(error, "EEXIST")) throw error;
      }
      if (!holderAlive(this.lockFile)) {
        rmSync(this.lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new TscError("E_IMAGE_STORE", `the image store is locked (${this.lockFile})`, {
          hint: "another tscompose command is changing images; retry when it has finished",
        });
      sleepSync(LOCK_STEP_MS);
    }
  }
}
