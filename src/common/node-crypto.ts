import { closeSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * node:crypto, loaded on first use. Loading it costs about 4 ms (fifteen internal modules), and most
 * commands, a container's start among them, hash nothing; the random bytes they need come from the
 * kernel below.
 */
let loaded: typeof import("node:crypto") | undefined;

export function nodeCrypto(): typeof import("node:crypto") {
  loaded ??= createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return loaded;
}

/** `count` random bytes from the kernel's CSPRNG, as crypto.randomBytes gets them. */
export function randomBytes(count: number): Buffer {
  const bytes = Buffer.alloc(count);
  const fd = openSync("/dev/urandom", "r");
  try {
    let filled = 0;
    while (filled < count) filled += readSync(fd, bytes, filled, count - filled, null);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** A random integer in [0, max); the modulo bias is below 2^-32 * max, nothing for the names it picks. */
export function randomBelow(max: number): number {
  return randomBytes(6).readUIntBE(0, 6) % max;
}
