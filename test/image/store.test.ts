import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Digest } from "../../src/common/digest.js";
import { stateRoot, type StateRoot } from "../../src/common/root.js";
import { BlobStore } from "../../src/image/store/blobs.js";
import { RefStore } from "../../src/image/store/refs.js";

let work: string;
let counter = 0;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "tscompose-store-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function freshRoot(): StateRoot {
  return stateRoot(join(work, `root-${++counter}`));
}

const content = Buffer.from("hello blob ".repeat(1000));
const digest = sha256Digest(content);

function chunks(data: Buffer, size = 997): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

async function* failingHalfway(): AsyncGenerator<Buffer> {
  yield content.subarray(0, 100);
  throw new Error("connection reset");
}

/** A pid that is certainly not running: a child that has exited and been reaped. */
function deadPid(): number {
  return spawnSync("true").pid as number;
}

describe("blob store", () => {
  it("ingests a stream under its digest, through a temp file that is gone afterwards", async () => {
    const root = freshRoot();
    const blobs = new BlobStore(root);
    expect(await blobs.ingest(Readable.from(chunks(content)), { digest, size: content.length })).toEqual({
      digest,
      size: content.length,
    });
    expect(readFileSync(blobs.path(digest))).toEqual(content);
    expect(readdirSync(root.ingest)).toEqual([]);
    expect(blobs.list()).toEqual([digest]);
  });

  it.each([
    ["a wrong digest", { digest: sha256Digest("something else") }, "E_IMAGE_DIGEST"],
    ["a wrong size", { size: content.length - 1 }, "E_IMAGE_DIGEST"],
    ["a larger size than announced", { size: content.length + 1 }, "E_IMAGE_DIGEST"],
  ])("rejects %s and keeps nothing", async (_name, expected, code) => {
    const root = freshRoot();
    const blobs = new BlobStore(root);
    await expect(blobs.ingest(Readable.from(chunks(content)), expected)).rejects.toMatchObject({ code });
    expect(blobs.list()).toEqual([]);
    expect(readdirSync(root.ingest)).toEqual([]);
  });

  it("enforces a size cap", async () => {
    const root = freshRoot();
    const blobs = new BlobStore(root);
    await expect(blobs.ingest(Readable.from(chunks(content)), {}, { maxSize: 100 })).rejects.toMatchObject({
      code: "E_IMAGE_STORE",
    });
    expect(readdirSync(root.ingest)).toEqual([]);
  });

  it("cleans the temp file when the source fails, and a new ingest then succeeds", async () => {
    const root = freshRoot();
    const blobs = new BlobStore(root);
    await expect(blobs.ingest(failingHalfway(), { digest })).rejects.toMatchObject({
      code: "E_IMAGE_STORE",
      message: expect.stringContaining("connection reset"),
    });
    expect(readdirSync(root.ingest)).toEqual([]);
    expect(blobs.has(digest)).toBe(false);
    await blobs.ingest(Readable.from([content]), { digest });
    expect(blobs.has(digest)).toBe(true);
  });

  it("removes the leftovers of a writer that died, and only those", async () => {
    const root = freshRoot();
    const blobs = new BlobStore(root);
    mkdirSync(root.ingest, { recursive: true });
    const dead = join(root.ingest, `${deadPid()}-0123456789abcdef.tmp`);
    const live = join(root.ingest, `${process.pid}-fedcba9876543210.tmp`);
    writeFileSync(dead, "half");
    writeFileSync(live, "in progress");
    await blobs.ingest(Readable.from([content]));
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it("lets concurrent ingests of the same blob all succeed with one copy", async () => {
    const root = freshRoot();
    const blobs = new BlobStore(root);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => blobs.ingest(Readable.from(chunks(content, 113)))),
    );
    expect(new Set(results.map((r) => r.digest))).toEqual(new Set([digest]));
    expect(blobs.list()).toEqual([digest]);
    expect(readdirSync(root.ingest)).toEqual([]);
    expect(readFileSync(blobs.path(digest))).toEqual(content);
  });

  it("does not read a source for a blob it already has", async () => {
    const blobs = new BlobStore(freshRoot());
    blobs.put(content);
    let read = false;
    async function* source(): AsyncGenerator<Buffer> {
      read = true;
      yield content;
    }
    expect(await blobs.ingest(source(), { digest })).toEqual({ digest, size: content.length });
    expect(read).toBe(false);
  });

  it("verifies content when reading it back", () => {
    const blobs = new BlobStore(freshRoot());
    const { digest: d } = blobs.put('{"a":1}');
    expect(blobs.readJson(d)).toEqual({ a: 1 });
    writeFileSync(blobs.path(d), '{"a":2}');
    expect(() => blobs.read(d)).toThrow(expect.objectContaining({ code: "E_IMAGE_DIGEST" }));
    expect(() => blobs.read(sha256Digest("absent"))).toThrow(
      expect.objectContaining({ code: "E_IMAGE_STORE" }),
    );
    expect(() => blobs.path("sha256:../../etc")).toThrow(expect.objectContaining({ code: "E_IMAGE_DIGEST" }));
  });
});

describe("ref store", () => {
  const manifest = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest, size: 10 };

  it("writes records and index.json together, and takes over a lock whose holder died", () => {
    const root = freshRoot();
    const refs = new RefStore(root);
    mkdirSync(root.images, { recursive: true });
    writeFileSync(join(root.images, "refs.lock"), String(deadPid()));
    refs.update((images) => {
      images.set("sha256:" + "1".repeat(64), {
        id: "sha256:" + "1".repeat(64),
        manifest,
        names: ["docker.io/library/b:1", "docker.io/library/a:latest"],
        created: "2026-01-01T00:00:00.000Z",
        size: 1,
      });
    });
    expect(existsSync(join(root.images, "refs.lock"))).toBe(false);
    expect(refs.byName("docker.io/library/a:latest")?.names).toEqual([
      "docker.io/library/a:latest",
      "docker.io/library/b:1",
    ]);
    const index = JSON.parse(readFileSync(join(root.images, "index.json"), "utf8"));
    expect(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations)).toEqual([
      {
        "io.containerd.image.name": "docker.io/library/a:latest",
        "org.opencontainers.image.ref.name": "latest",
      },
      { "io.containerd.image.name": "docker.io/library/b:1", "org.opencontainers.image.ref.name": "1" },
    ]);
    expect(JSON.parse(readFileSync(join(root.images, "oci-layout"), "utf8"))).toEqual({
      imageLayoutVersion: "1.0.0",
    });
  });

  it("waits for a live holder of the lock, and gives up after its wait", () => {
    const root = freshRoot();
    mkdirSync(root.images, { recursive: true });
    const lock = join(root.images, "refs.lock");
    writeFileSync(lock, String(process.pid));
    expect(() => new RefStore(root, 200).update(() => undefined)).toThrow(
      expect.objectContaining({ code: "E_IMAGE_STORE", message: expect.stringContaining("locked") }),
    );
    // Another process releases it while this one waits.
    const releaser = spawn("sh", ["-c", `sleep 0.3; rm -f ${lock}`], { stdio: "ignore" });
    const started = Date.now();
    new RefStore(root).update(() => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(releaser.pid).toBeGreaterThan(0);
    expect(existsSync(lock)).toBe(false);
  });
});
