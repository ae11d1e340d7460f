import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { digestHex } from "../common/digest.js";
import type { StateRoot } from "../common/root.js";
import { TscError, isErrno } from "../errors.js";
import { parseReference, type ImageReference } from "./reference.js";
import type { BlobStore } from "./store/blobs.js";
import type { ImageRecord, Images } from "./store/refs.js";
import { chainId } from "./store/chain-id.js";
import { MEDIA_DOCKER_MANIFEST, MEDIA_MANIFEST, type ImageConfigFile, type Manifest } from "./oci.js";

/** Finding images by what users type (name, full id, id prefix), and what an image is made of. */

export interface Found {
  record: ImageRecord;
  /** The canonical name the input matched, when it matched a name rather than an id. */
  name?: string;
}

export function notFound(input: string): TscError {
  return new TscError("E_IMAGE_NOT_FOUND", `No such image: ${input}`, {
    hint: `import a root filesystem tarball as this image with \`tscompose image import FILE ${input}\`, or see \`tscompose image ls\``,
  });
}

/** docker's lookup order: full id, then name, then a unique id prefix. */
export function findImage(images: Images, input: string): Found {
  if (/^sha256:[0-9a-f]{64}$/.test(input)) {
    const record = images.get(input);
    if (record) return { record };
    throw notFound(input);
  }
  let ref: ImageReference | undefined;
  let refError: unknown;
  try {
    ref = parseReference(input);
  } catch (error) {
    refError = error;
  }
  if (ref) {
    const canonical = ref.canonical;
    for (const record of images.values())
      if (record.names.includes(canonical)) return { record, name: canonical };
    const digest = ref.digest;
    if (digest !== undefined) {
      const repo = ref.name;
      const record = [...images.values()].find(
        (r) =>
          r.manifest.digest === digest &&
          r.names.some((n) => n.startsWith(`${repo}:`) || n.startsWith(`${repo}@`)),
      );
      if (record) return { record };
    }
  }
  const prefix = input.startsWith("sha256:") ? input.slice("sha256:".length) : input;
  if (/^[0-9a-f]{1,64}$/.test(prefix)) {
    const matches = [...images.values()].filter((record) => digestHex(record.id).startsWith(prefix));
    if (matches.length === 1 && matches[0]) return { record: matches[0] };
    if (matches.length > 1)
      throw new TscError("E_IMAGE_REFERENCE", `image id prefix ${input} matches ${matches.length} images`, {
        hint: "give more digits of the image id (see `tscompose image ls --no-trunc`)",
      });
  }
  if (refError !== undefined && !/^(sha256:)?[0-9a-f]+$/.test(input)) throw refError;
  throw notFound(input);
}

export function readManifest(blobs: BlobStore, record: ImageRecord): Manifest {
  const manifest = blobs.readJson<Manifest>(record.manifest.digest);
  const type = manifest.mediaType ?? record.manifest.mediaType;
  if (manifest.schemaVersion !== 2 || (type !== MEDIA_MANIFEST && type !== MEDIA_DOCKER_MANIFEST))
    throw new TscError("E_IMAGE_STORE", `image ${record.id}: unsupported manifest ${String(type)}`);
  return manifest;
}

export function readConfig(blobs: BlobStore, manifest: Manifest): ImageConfigFile {
  const config = blobs.readJson<ImageConfigFile>(manifest.config.digest);
  if (config.rootfs?.diff_ids?.length !== manifest.layers.length)
    throw new TscError(
      "E_IMAGE_STORE",
      `image ${manifest.config.digest}: ${manifest.layers.length} layers but ${config.rootfs?.diff_ids?.length ?? 0} diff_ids`,
    );
  return config;
}

/** ChainIDs of the layers, bottom to top. */
export function chainIds(config: ImageConfigFile): string[] {
  const ids: string[] = [];
  for (const diffId of config.rootfs.diff_ids) ids.push(chainId(ids[ids.length - 1], diffId));
  return ids;
}

/** Ids of the containers (records under containers/<id>/config.json) made from image `id`, sorted. */
export function containersUsing(root: StateRoot, id: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root.containers);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return [];
    throw error;
  }
  const users: string[] = [];
  for (const entry of entries.sort()) {
    let record: { imageId?: unknown };
    try {
      record = JSON.parse(readFileSync(join(root.container(entry), "config.json"), "utf8")) as typeof record;
    } catch {
      // A directory without a readable config.json is a create or remove in progress, not a container.
      continue;
    }
    if (record.imageId === id) users.push(entry);
  }
  return users;
}
