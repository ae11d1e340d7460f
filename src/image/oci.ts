import type { Descriptor } from "./store/blobs.js";

/** The OCI image documents the store keeps (opencontainers/image-spec: manifest.md, config.md, media-types.md). */

export const MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json";
export const MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar";
export const MEDIA_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const MEDIA_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
export const MEDIA_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/** The runtime part of an image config (`config` in config.md), with docker's additions. */
export interface ImageConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  OnBuild?: string[];
  Shell?: string[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfigFile {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ImageConfig;
  rootfs: { type: "layers"; diff_ids: string[] };
  history?: HistoryEntry[];
}

export interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** GOARCH for process.arch, as the config's `architecture` is spelled. */
export function ociArchitecture(arch: string = process.arch): { architecture: string; variant?: string } {
  switch (arch) {
    case "x64":
      return { architecture: "amd64" };
    case "ia32":
      return { architecture: "386" };
    case "arm64":
      return { architecture: "arm64", variant: "v8" };
    case "arm":
      return { architecture: "arm", variant: "v7" };
    case "ppc64":
      // Node reports little-endian POWER as ppc64; Linux distributions there are ppc64le.
      return { architecture: "ppc64le" };
    case "loong64":
    case "mips":
    case "mipsel":
    case "riscv64":
    case "s390x":
      return { architecture: arch === "mipsel" ? "mipsle" : arch };
    default:
      return { architecture: arch };
  }
}
