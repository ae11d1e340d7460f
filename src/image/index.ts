/**
 * The image stage: an OCI image layout under TSCOMPOSE_ROOT/images (blobs by digest, names in refs.json
 * mirrored to index.json) and layers unpacked once under TSCOMPOSE_ROOT/layers/<chainid>, shared by every
 * container as overlay lowerdirs. This file is the stage's only public surface.
 */
export { importImage, type ImportOptions, type ImportResult } from "./import.js";
export { listImages, removeImage, tagImage, type ImageSummary, type RemoveResult } from "./images.js";
export { resolveImage, type ResolvedImage } from "./resolve.js";
export { parseReference, type ImageReference } from "./reference.js";
export type { ImageConfig, ImageConfigFile, Manifest } from "./oci.js";
