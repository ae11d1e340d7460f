import { createReadStream, readSync, openSync, closeSync } from "node:fs";
import type { StateRoot } from "../common/root.js";
import { TscError } from "../errors.js";
import { applyChange } from "./changes.js";
import { readManifest } from "./lookup.js";
import {
  MEDIA_CONFIG,
  MEDIA_LAYER,
  MEDIA_LAYER_GZIP,
  MEDIA_LAYER_ZSTD,
  MEDIA_MANIFEST,
  ociArchitecture,
  type ImageConfig,
  type ImageConfigFile,
  type Manifest,
} from "./oci.js";
import { parseReference, type ImageReference } from "./reference.js";
import { BlobStore } from "./store/blobs.js";
import { RefStore, type Images } from "./store/refs.js";

/** `image import` (docker import): a root filesystem tarball becomes a one-layer image. */

export interface ImportOptions {
  /** The name to give the image (`busybox`, `app:1`); none leaves it untagged (`<none>`). */
  reference?: string;
  /** Dockerfile instructions applied to the config (`CMD ["sh"]`, `ENV A=b`…). */
  changes?: string[];
  /** The history comment (`-m`); docker's default is "Imported from <source>". */
  message?: string;
  /** What was imported, for the default comment: a path, or `-` for stdin. */
  sourceName?: string;
  /** Cap on the uncompressed archive, in bytes. */
  maxBytes?: number;
}

export interface ImportResult {
  id: string;
  reference?: ImageReference;
}

function layerMediaType(path: string): string {
  const fd = openSync(path, "r");
  const head = Buffer.alloc(4);
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return MEDIA_LAYER_GZIP;
  if (head.readUInt32LE(0) === 0xfd2fb528) return MEDIA_LAYER_ZSTD;
  return MEDIA_LAYER;
}

/** Digests of every blob the images use (manifests, configs, layers). */
export function referencedBlobs(blobs: BlobStore, images: Images, except?: string): Set<string> {
  const used = new Set<string>();
  for (const record of images.values()) {
    if (record.id === except) continue;
    used.add(record.manifest.digest);
    const manifest = readManifest(blobs, record);
    used.add(manifest.config.digest);
    for (const layer of manifest.layers) used.add(layer.digest);
  }
  return used;
}

/** Points `name` at image `id` (creating its record), leaving the image it named before dangling. */
export function setName(images: Images, id: string, name: string | undefined): void {
  if (name === undefined) return;
  for (const record of images.values())
    if (record.id !== id && record.names.includes(name))
      record.names = record.names.filter((n) => n !== name);
  const record = images.get(id);
  if (record && !record.names.includes(name)) record.names = [...record.names, name].sort();
}

export async function importImage(
  root: StateRoot,
  source: AsyncIterable<Uint8Array>,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const reference = options.reference === undefined ? undefined : parseReference(options.reference);
  if (reference?.digest !== undefined)
    throw new TscError("E_IMAGE_REFERENCE", `cannot import as ${options.reference}: a digest names content`, {
      hint: "give a name with an optional tag, e.g. app:1",
    });
  const runtime: ImageConfig = {};
  for (const change of options.changes ?? []) applyChange(runtime, change);
  const blobs = new BlobStore(root);
  const refs = new RefStore(root);
  const layerBlob = await blobs.ingest(source);
  let unpacked;
  try {
    // Loaded on demand, as in resolve.ts: the unpacker (tar, zlib) costs every command that loads it.
    const { unpackLayer } = await import("./store/unpack.js");
    unpacked = await unpackLayer(root, createReadStream(blobs.path(layerBlob.digest)), {
      maxBytes: options.maxBytes,
    });
  } catch (error) {
    refs.update((images) => {
      if (!referencedBlobs(blobs, images).has(layerBlob.digest)) blobs.remove(layerBlob.digest);
    });
    throw error;
  }
  const created = new Date().toISOString();
  const config: ImageConfigFile = {
    created,
    ...ociArchitecture(),
    os: "linux",
    config: runtime,
    rootfs: { type: "layers", diff_ids: [unpacked.diffId] },
    history: [{ created, comment: options.message || `Imported from ${options.sourceName ?? "-"}` }],
  };
  const configBlob = blobs.put(JSON.stringify(config));
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_MANIFEST,
    config: { mediaType: MEDIA_CONFIG, ...configBlob },
    layers: [{ mediaType: layerMediaType(blobs.path(layerBlob.digest)), ...layerBlob }],
  };
  const manifestBlob = blobs.put(JSON.stringify(manifest));
  const id = configBlob.digest;
  refs.update((images) => {
    // An `image rm` between ingest and here may have collected a blob this image shares with the removed one.
    for (const digest of [layerBlob.digest, configBlob.digest, manifestBlob.digest])
      if (!blobs.has(digest))
        throw new TscError("E_IMAGE_STORE", `blob ${digest} was removed while importing`, {
          hint: "an image was removed at the same time; run the import again",
        });
    if (!images.has(id))
      images.set(id, {
        id,
        manifest: { mediaType: MEDIA_MANIFEST, ...manifestBlob },
        names: [],
        created,
        size: unpacked.size,
      });
    setName(images, id, reference?.canonical);
  });
  const result: ImportResult = { id };
  if (reference) result.reference = reference;
  return result;
}
