import { sha256Digest } from "../../common/digest.js";

/** A layer's ChainID (OCI image spec): its DiffID over its parent's ChainID; it names the unpacked layer dir. */
export function chainId(parent: string | undefined, diffId: string): string {
  return parent === undefined ? diffId : sha256Digest(`${parent} ${diffId}`);
}
