import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  DigestStream,
  digestHex,
  digestOf,
  isDigest,
  sha256Digest,
  verifyDigest,
} from "../../src/common/digest.js";
import { TscError } from "../../src/errors.js";

const EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const ABC = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return TscError.is(error) ? error.code : "not a TscError";
  }
  return undefined;
}

describe("digest", () => {
  it.each([
    ["", EMPTY],
    ["abc", ABC],
  ])("sha256 of %j", (input, digest) => {
    expect(sha256Digest(input)).toBe(digest);
    expect(sha256Digest(Buffer.from(input))).toBe(digest);
  });

  it("hashes streams, in one go and passing through", async () => {
    expect(await digestOf(Readable.from([Buffer.from("a"), Buffer.from("bc")]))).toEqual({
      digest: ABC,
      size: 3,
    });
    const hasher = new DigestStream();
    const seen: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        seen.push(chunk);
        cb();
      },
    });
    await pipeline(Readable.from([Buffer.from("ab"), Buffer.from("c")]), hasher, sink);
    expect(hasher.digest).toBe(ABC);
    expect(hasher.size).toBe(3);
    expect(Buffer.concat(seen).toString()).toBe("abc");
  });

  it.each([
    [ABC, true],
    [ABC.toUpperCase(), false],
    ["sha256:abc", false],
    [`sha512:${"a".repeat(64)}`, false],
    [ABC.slice("sha256:".length), false],
  ])("isDigest(%j) = %s", (value, valid) => {
    expect(isDigest(value)).toBe(valid);
    expect(codeOf(() => digestHex(value))).toBe(valid ? undefined : "E_IMAGE_DIGEST");
  });

  it("verifies", () => {
    expect(codeOf(() => verifyDigest("blob", ABC, ABC))).toBeUndefined();
    expect(codeOf(() => verifyDigest("blob", ABC, EMPTY))).toBe("E_IMAGE_DIGEST");
  });
});
