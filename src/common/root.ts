import { join } from "node:path";

/**
 * The layout of TSCOMPOSE_ROOT: the only place that spells on-disk paths.
 * images/ is an OCI image layout, layers/ holds unpacked layer directories (overlay lowerdirs),
 * containers/<id>/ one container each, volumes/<name>/_data, networks/<name>.json.
 */
export interface StateRoot {
  readonly root: string;
  readonly images: string;
  readonly blobs: string;
  readonly ingest: string;
  readonly refs: string;
  readonly layers: string;
  readonly containers: string;
  readonly volumes: string;
  readonly networks: string;
  readonly socket: string;
  container(id: string): string;
  layer(chainIdHex: string): string;
  blob(digest: string): string;
}

export const DEFAULT_ROOT = "/var/lib/tscompose";

/** Under layers/: an unpack in progress (`.unpack-<pid>-…`), a layer renamed aside to be deleted. */
export const LAYER_UNPACK_PREFIX = ".unpack-";
export const LAYER_REMOVAL_PREFIX = ".remove-";

export function stateRoot(root: string = process.env.TSCOMPOSE_ROOT || DEFAULT_ROOT): StateRoot {
  const images = join(root, "images");
  const blobs = join(images, "blobs");
  const layers = join(root, "layers");
  const containers = join(root, "containers");
  return {
    root,
    images,
    blobs,
    ingest: join(images, "ingest"),
    refs: join(images, "refs.json"),
    layers,
    containers,
    volumes: join(root, "volumes"),
    networks: join(root, "networks"),
    socket: join(root, "tscomposed.sock"),
    container: (id) => join(containers, id),
    layer: (chainIdHex) => join(layers, chainIdHex),
    blob: (digest) => {
      const [algorithm, hex] = digest.split(":");
      return join(blobs, algorithm ?? "sha256", hex ?? "");
    },
  };
}
