import { createReadStream, existsSync } from "node:fs";
import { digestHex } from "../common/digest.js";
import type { StateRoot } from "../common/root.js";
import { TscError } from "../errors.js";
import { chainIds, findImage, readConfig, readManifest } from "./lookup.js";
import type { ImageConfig, ImageConfigFile } from "./oci.js";
import { BlobStore } from "./store/blobs.js";
import { RefStore } from "./store/refs.js";

/** What the runtime needs to make a container from an image. */
export interface ResolvedImage {
  /** The image id (config digest). */
  id: string;
  /** The canonical name the reference matched (`docker.io/library/busybox:latest`), or the id. */
  reference: string;
  /** The config's runtime part: Env, Cmd, Entrypoint, WorkingDir, User, StopSignal, Labels… */
  config: ImageConfig;
  /** The whole OCI image config (architecture, os, rootfs, history). */
  image: ImageConfigFile;
  /** Unpacked layer directories, bottom to top: the overlay lowerdirs (reversed for lowerdir=). */
  layerDirs: string[];
  /** The same as layerDirs, under the name the runtime's ImageInfo uses. */
  layers: string[];
}

/**
 * Finds an image by name or id and makes sure its layers are unpacked (a missing layer dir is unpacked
 * from its blob, checked against its DiffID). E_IMAGE_NOT_FOUND, with a hint, for an unknown image.
 */
export async function resolveImage(root: StateRoot, ref: string): Promise<ResolvedImage> {
  const blobs = new BlobStore(root);
  const { record, name } = findImage(new RefStore(root).read(), ref);
  const manifest = readManifest(blobs, record);
  const image = readConfig(blobs, manifest);
  const chains = chainIds(image);
  const layerDirs: string[] = [];
  for (const [index, chain] of chains.entries()) {
    const dir = root.layer(digestHex(chain));
    if (!existsSync(dir)) {
      const blob = manifest.layers[index];
      const diffId = image.rootfs.diff_ids[index];
      if (blob === undefined || diffId === undefined)
        throw new TscError(
          "E_IMAGE_STORE",
          `image ${record.id}: layer ${index} is missing from its manifest`,
        );
      if (!blobs.has(blob.digest))
        throw new TscError("E_IMAGE_STORE", `image ${record.id}: layer blob ${blob.digest} is missing`, {
          hint: "the store is damaged: remove the image with `tscompose image rm -f` and import it again",
        });
      // Loaded when a layer is unpacked: a `container run` of an unpacked image never pays for tar and zlib.
      const { unpackLayer } = await import("./store/unpack.js");
      const unpacked = await unpackLayer(root, createReadStream(blobs.path(blob.digest)), {
        diffId,
        parentChainId: chains[index - 1],
      });
      if (unpacked.chainId !== chain)
        throw new TscError("E_INTERNAL", `layer ${index} unpacked as ${unpacked.chainId}`);
    }
    layerDirs.push(dir);
  }
  return {
    id: record.id,
    reference: name ?? record.id,
    config: image.config ?? {},
    image,
    layerDirs,
    layers: layerDirs,
  };
}
