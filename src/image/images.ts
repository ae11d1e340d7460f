import { randomBytes } from "../common/node-crypto.js";
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { digestHex } from "../common/digest.js";
import { LAYER_REMOVAL_PREFIX, type StateRoot } from "../common/root.js";
import { TscError, isErrno } from "../errors.js";
import { referencedBlobs, setName } from "./import.js";
import { chainIds, containersUsing, findImage, readConfig, readManifest } from "./lookup.js";
import { parseReference } from "./reference.js";
import { BlobStore } from "./store/blobs.js";
import { RefStore, type ImageRecord, type Images } from "./store/refs.js";

/** `image ls` and `image rm`: docker's listing and its untag-then-delete rules. */

export interface ImageSummary {
  id: string;
  /** Familiar `repository:tag` names (`busybox:latest`); empty for a dangling image. */
  repoTags: string[];
  /** Canonical names (`docker.io/library/busybox:latest`). */
  names: string[];
  created: string;
  size: number;
  manifestDigest: string;
}

/** Every image, newest first (then by id), as `image ls` shows them. */
export function listImages(root: StateRoot): ImageSummary[] {
  const records = [...new RefStore(root).read().values()];
  return records
    .sort((a, b) => b.created.localeCompare(a.created) || a.id.localeCompare(b.id))
    .map((record) => ({
      id: record.id,
      repoTags: record.names.map((name) => parseReference(name).familiar),
      names: [...record.names],
      created: record.created,
      size: record.size,
      manifestDigest: record.manifest.digest,
    }));
}

/** docker image tag: gives image `source` (a name or id) the name `target` too; returns the image id. */
export function tagImage(root: StateRoot, source: string, target: string): string {
  const name = parseReference(target);
  if (name.digest !== undefined)
    throw new TscError("E_IMAGE_REFERENCE", `cannot tag with ${target}: a digest names content`, {
      hint: "give a name with an optional tag, e.g. app:1",
    });
  const refs = new RefStore(root);
  findImage(refs.read(), source);
  return refs.update((images) => {
    const { record } = findImage(images, source);
    setName(images, record.id, name.canonical);
    return record.id;
  });
}

export interface RemoveResult {
  /** Familiar names removed (`busybox:latest`), in order. */
  untagged: string[];
  /** Image ids deleted with their content. */
  deleted: string[];
}

function shortId(id: string): string {
  return digestHex(id).slice(0, 12);
}

function inUse(what: string, id: string, users: string[], forceable: boolean): TscError {
  const must = forceable ? "must force" : "must be forced";
  return new TscError(
    "E_IMAGE_IN_USE",
    `conflict: unable to remove ${what} (${must}) - container ${users[0]?.slice(0, 12)} is using its referenced image ${shortId(id)}`,
    {
      hint: "remove the container first (`tscompose container rm`), or pass -f to untag the image and keep its content",
    },
  );
}

/** Removes the layer dirs no remaining image uses: renamed aside first, so a half-removed dir never looks whole. */
function collectLayers(root: StateRoot, blobs: BlobStore, images: Images, removed: string[]): void {
  const used = new Set<string>();
  for (const record of images.values())
    for (const id of chainIds(readConfig(blobs, readManifest(blobs, record)))) used.add(id);
  for (const id of removed) {
    if (used.has(id)) continue;
    const aside = join(root.layers, `${LAYER_REMOVAL_PREFIX}${randomBytes(6).toString("hex")}`);
    try {
      renameSync(root.layer(digestHex(id)), aside);
    } catch (error) {
      if (isErrno(error, "ENOENT")) continue;
      throw error;
    }
    rmSync(aside, { recursive: true, force: true });
  }
}

/**
 * docker image rm: a name is untagged, and the image deleted with it when that was its last name; an id
 * deletes the image (with -f even if it has several names). An image a container uses is not deleted:
 * without -f that is an error, with -f its names go and its content stays; -f cannot remove an image a
 * running container uses (`isRunning` says which are).
 */
export function removeImage(
  root: StateRoot,
  input: string,
  options: { force?: boolean; isRunning?: (containerId: string) => boolean } = {},
): RemoveResult {
  const blobs = new BlobStore(root);
  const refs = new RefStore(root);
  const force = options.force === true;
  // Unknown images fail before the lock, so a mistyped rm leaves no store behind.
  findImage(refs.read(), input);
  return refs.update((images) => {
    const { record, name } = findImage(images, input);
    const users = containersUsing(root, record.id);
    const result: RemoveResult = { untagged: [], deleted: [] };
    const untag = (names: string[]): void => {
      record.names = record.names.filter((n) => !names.includes(n));
      result.untagged.push(...names.map((n) => parseReference(n).familiar));
    };
    if (name !== undefined && record.names.length > 1) {
      untag([name]);
      return result;
    }
    if (name === undefined && record.names.length > 1 && !force)
      throw new TscError(
        "E_IMAGE_IN_USE",
        `conflict: unable to delete ${shortId(record.id)} (must be forced) - image is referenced in multiple repositories`,
        { hint: "remove it by name, one name at a time, or pass -f to remove every name and the image" },
      );
    if (users.length > 0) {
      const running = users.find((id) => options.isRunning?.(id) === true);
      if (force && running !== undefined)
        throw new TscError(
          "E_IMAGE_IN_USE",
          `conflict: unable to delete ${shortId(record.id)} (cannot be forced) - image is being used by running container ${running.slice(0, 12)}`,
          { hint: "stop (or remove) that container first" },
        );
      if (!force)
        throw inUse(
          name === undefined ? shortId(record.id) : JSON.stringify(input),
          record.id,
          users,
          name !== undefined,
        );
      untag([...record.names]);
      return result;
    }
    untag([...record.names]);
    deleteImage(root, blobs, images, record);
    result.deleted.push(record.id);
    return result;
  });
}

function deleteImage(root: StateRoot, blobs: BlobStore, images: Images, record: ImageRecord): void {
  const manifest = readManifest(blobs, record);
  const layers = chainIds(readConfig(blobs, manifest));
  images.delete(record.id);
  const used = referencedBlobs(blobs, images);
  for (const digest of [
    record.manifest.digest,
    manifest.config.digest,
    ...manifest.layers.map((l) => l.digest),
  ])
    if (!used.has(digest)) blobs.remove(digest);
  collectLayers(root, blobs, images, layers);
}
