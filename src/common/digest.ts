import type { Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { TscError } from "../errors.js";
import { nodeCrypto } from "./node-crypto.js";

/** Content digests (`sha256:<64 hex>`), as the OCI image spec's descriptors carry them; sha256 only. */

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function sha256Hex(data: string | Uint8Array): string {
  return nodeCrypto().createHash("sha256").update(data).digest("hex");
}

export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${sha256Hex(data)}`;
}

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/** The hex part of a valid digest; anything else (other algorithms, upper case, short) is E_IMAGE_DIGEST. */
export function digestHex(digest: string): string {
  if (!isDigest(digest))
    throw new TscError("E_IMAGE_DIGEST", `invalid digest ${JSON.stringify(digest)}`, {
      hint: "a digest is sha256: followed by 64 lowercase hex digits",
    });
  return digest.slice("sha256:".length);
}

/** Throws E_IMAGE_DIGEST when `actual` differs from `expected`; `what` names the content in the message. */
export function verifyDigest(what: string, expected: string, actual: string): void {
  if (expected !== actual)
    throw new TscError("E_IMAGE_DIGEST", `${what}: digest mismatch: expected ${expected}, got ${actual}`, {
      hint: "the content is corrupt or was tampered with; fetch or import it again",
    });
}

/** A pass-through stream that hashes and counts what flows through it; read `digest`/`size` after the end. */
export class DigestStream extends Transform {
  private readonly hash: Hash = nodeCrypto().createHash("sha256");
  private result: string | undefined;
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.result = `sha256:${this.hash.digest("hex")}`;
    callback();
  }

  /** The digest of everything that passed; only once the stream has flushed. */
  get digest(): string {
    if (this.result === undefined) throw new TscError("E_INTERNAL", "digest read before the stream ended");
    return this.result;
  }
}

/** The digest and size of a whole stream. */
export async function digestOf(stream: AsyncIterable<Uint8Array>): Promise<{ digest: string; size: number }> {
  const hash = nodeCrypto().createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}
