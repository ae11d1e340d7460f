import { execFileSync } from "node:child_process";
import {
  createReadStream,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Digest } from "../../src/common/digest.js";
import { stateRoot, type StateRoot } from "../../src/common/root.js";
import { TscError } from "../../src/errors.js";
import { chainId } from "../../src/image/store/chain-id.js";
import { unpackLayer, type UnpackedLayer } from "../../src/image/store/unpack.js";
import { ensureFixupsHelper } from "./fixups-helper.js";
import { tarOf, tgzOf, type TarEntry } from "./tar-builder.js";

let work: string;
let sentinel: string;
let counter = 0;
let restoreHelper: () => void;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "tscompose-unpack-"));
  restoreHelper = ensureFixupsHelper(work);
  sentinel = join(work, "sentinel");
  mkdirSync(sentinel);
});
afterAll(() => {
  restoreHelper();
  rmSync(work, { recursive: true, force: true });
});

function freshRoot(): StateRoot {
  return stateRoot(join(work, `root-${++counter}`));
}

async function unpack(root: StateRoot, archive: Buffer, options = {}): Promise<UnpackedLayer> {
  return unpackLayer(root, Readable.from([archive]), options);
}

async function failure(promise: Promise<unknown>): Promise<TscError> {
  try {
    await promise;
  } catch (error) {
    if (TscError.is(error)) return error;
    throw error;
  }
  throw new Error("expected the unpack to fail");
}

describe("hostile layers", () => {
  const cases: [string, () => TarEntry[]][] = [
    ["a `..` name", () => [{ name: "../evil", content: "x" }]],
    ["a `..` in the middle", () => [{ name: "a/../../evil", content: "x" }]],
    ["an absolute name", () => [{ name: `${sentinel}/evil`, content: "x" }]],
    [
      "a file through an absolute symlink",
      () => [
        { name: "link", type: "symlink", linkname: sentinel },
        { name: "link/pwned", content: "x" },
      ],
    ],
    [
      "a directory through an absolute symlink",
      () => [
        { name: "link", type: "symlink", linkname: sentinel },
        { name: "link/sub/", type: "directory" },
      ],
    ],
    [
      "a file through a relative symlink climbing out",
      () => [
        { name: "up", type: "symlink", linkname: `../../../../../../../..${sentinel}` },
        { name: "up/pwned", content: "x" },
      ],
    ],
    [
      "a file through a symlink chain",
      () => [
        { name: "a", type: "symlink", linkname: "b" },
        { name: "b", type: "symlink", linkname: sentinel },
        { name: "a/pwned", content: "x" },
      ],
    ],
    ["a hard link to an absolute path", () => [{ name: "hl", type: "link", linkname: "/etc/passwd" }]],
    ["a hard link climbing out", () => [{ name: "hl", type: "link", linkname: "../../../../etc/passwd" }]],
    [
      "a hard link through a symlink",
      () => [
        { name: "s", type: "symlink", linkname: "/etc" },
        { name: "hl", type: "link", linkname: "s/passwd" },
      ],
    ],
    ["a hard link to a path not in the layer", () => [{ name: "hl", type: "link", linkname: "etc/passwd" }]],
    ["a whiteout of `..`", () => [{ name: "sub/.wh...", content: "" }]],
    ["a whiteout of nothing", () => [{ name: ".wh.", content: "" }]],
    ["an unknown whiteout meta file", () => [{ name: ".wh..wh.evil", content: "" }]],
    [
      "a whiteout through a symlink",
      () => [
        { name: "s", type: "symlink", linkname: sentinel },
        { name: "s/.wh.x", content: "" },
      ],
    ],
    [
      "an opaque marker through a symlink",
      () => [
        { name: "s", type: "symlink", linkname: sentinel },
        { name: "s/.wh..wh..opq", content: "" },
      ],
    ],
    [
      "a device node through a symlink",
      () => [
        { name: "s", type: "symlink", linkname: sentinel },
        { name: "s/null", type: "character-device", devmajor: 1, devminor: 3 },
      ],
    ],
    [
      "a whiteout of a path the layer creates",
      () => [
        { name: "x", content: "here" },
        { name: ".wh.x", content: "" },
      ],
    ],
  ];

  it.each(cases)("rejects %s, writes nothing outside and leaves no layer dir", async (_name, entries) => {
    const root = freshRoot();
    for (const archive of [await tarOf(entries()), await tgzOf(entries())]) {
      const error = await failure(unpack(root, archive));
      expect(error.code).toBe("E_IMAGE_LAYER");
      expect(readdirSync(sentinel)).toEqual([]);
      expect(readdirSync(root.layers)).toEqual([]);
    }
    expect(readFileSync("/etc/passwd", "utf8")).toContain("root:");
  });

  it("caps the decompressed size (gzip bomb)", async () => {
    const root = freshRoot();
    const bomb = await tgzOf([{ name: "zeros", content: Buffer.alloc(8 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const error = await failure(unpack(root, bomb, { maxBytes: 1024 * 1024 }));
    expect(error.code).toBe("E_IMAGE_LAYER");
    expect(error.message).toContain("larger than the limit");
    expect(readdirSync(root.layers)).toEqual([]);
  });

  it("unpacks zstd where Node.js has it, and says what is missing where it has not", async () => {
    const root = freshRoot();
    const archive = await tarOf([{ name: "z", content: "zstd" }]);
    const zst = execFileSync("zstd", ["-q", "-c"], { input: archive });
    if (typeof (zlib as Record<string, unknown>).createZstdDecompress === "function") {
      const layer = await unpack(root, zst);
      expect(layer.diffId).toBe(sha256Digest(archive));
    } else {
      const error = await failure(unpack(root, zst));
      expect([error.code, error.message]).toEqual([
        "E_IMAGE_LAYER",
        "zstd-compressed layers need Node.js 22.15 or later",
      ]);
      expect(readdirSync(root.layers)).toEqual([]);
    }
  });

  it("closes the file it reads when it gives up early", async () => {
    const root = freshRoot();
    const file = join(work, `hostile-${counter}.tar`);
    const big = await tarOf([
      { name: "../evil", content: "x" },
      { name: "filler", content: Buffer.alloc(1024 * 1024) },
    ]);
    writeFileSync(file, big);
    const stream = createReadStream(file, { highWaterMark: 1024 });
    expect((await failure(unpackLayer(root, stream))).code).toBe("E_IMAGE_LAYER");
    expect(stream.destroyed).toBe(true);
  });

  it.each([
    ["a component", `${"b".repeat(300)}/f`],
    ["a path", `${"d".repeat(200)}/`.repeat(25) + "f"],
  ])("rejects a name too long for the file system (%s), without dumping it whole", async (_what, name) => {
    const root = freshRoot();
    const error = await failure(unpack(root, await tarOf([{ name, content: "x" }])));
    expect(error.code).toBe("E_IMAGE_LAYER");
    expect(error.message).toMatch(/the name is too long for the file system/);
    expect(error.message.length).toBeLessThan(400);
    expect(readdirSync(root.layers)).toEqual([]);
  });

  it("rejects an empty (0-byte) archive: a forgotten pipe, not an empty layer", async () => {
    const root = freshRoot();
    const error = await failure(unpack(root, Buffer.alloc(0)));
    expect([error.code, error.message]).toEqual(["E_IMAGE_LAYER", "the layer archive is empty (0 bytes)"]);
    expect(readdirSync(root.layers)).toEqual([]);
  });

  it("clears what killed unpacks and removals left, and nothing of a live one", async () => {
    const root = freshRoot();
    mkdirSync(join(root.layers, ".unpack-999999999-dead", "usr"), { recursive: true });
    mkdirSync(join(root.layers, `.unpack-${process.pid}-live`));
    mkdirSync(join(root.layers, ".remove-abc123", "etc"), { recursive: true });
    const layer = await unpack(root, await tarOf([{ name: "a", content: "a" }]));
    expect(readdirSync(root.layers).sort()).toEqual(
      [`.unpack-${process.pid}-live`, layer.dir.split("/").at(-1)].sort(),
    );
  });

  it("rejects a wrong DiffID and keeps nothing", async () => {
    const root = freshRoot();
    const archive = await tarOf([{ name: "a", content: "a" }]);
    const error = await failure(unpack(root, archive, { diffId: sha256Digest("other") }));
    expect(error.code).toBe("E_IMAGE_DIGEST");
    expect(readdirSync(root.layers)).toEqual([]);
  });

  it("rejects garbage and truncated archives", async () => {
    const root = freshRoot();
    const archive = await tgzOf([{ name: "a", content: "a".repeat(5000) }]);
    expect((await failure(unpack(root, archive.subarray(0, archive.length - 20)))).code).toBe(
      "E_IMAGE_LAYER",
    );
    expect((await failure(unpack(root, Buffer.from("not a tar at all".repeat(64))))).code).toBe(
      "E_IMAGE_LAYER",
    );
    expect(readdirSync(root.layers)).toEqual([]);
  });

  describe("a parent replaced by a symlink after entries beneath it were recorded", () => {
    // The directory metadata and whiteouts recorded for a/... belong to the directory a later entry
    // removed; applying them at the end would reach through the new symlink to the host.
    const canary = () => join(work, "canary");
    const climb = () => `${"../".repeat(12)}${canary().slice(1)}`;
    const cases: [string, () => TarEntry[]][] = [
      [
        "a directory's mode, owner and time, through an absolute symlink",
        () => [
          { name: "a/", type: "directory" },
          { name: "a/target/", type: "directory", mode: 0o4777, uid: 4242, gid: 4242, mtime: new Date(1000) },
          { name: "a", type: "symlink", linkname: canary() },
        ],
      ],
      [
        "a directory's mode, owner and time, through a relative symlink",
        () => [
          { name: "a/", type: "directory" },
          { name: "a/target/", type: "directory", mode: 0o700, uid: 31337, gid: 31337 },
          { name: "a", type: "symlink", linkname: climb() },
        ],
      ],
      [
        "an implicit directory's defaults",
        () => [
          { name: "a/target/f", content: "x" },
          { name: "a", type: "symlink", linkname: canary() },
        ],
      ],
      [
        "a whiteout (no error that would tell what exists there)",
        () => [
          { name: "a/", type: "directory" },
          { name: "a/.wh.victim", content: "" },
          { name: "a", type: "symlink", linkname: canary() },
        ],
      ],
    ];

    it.each(cases)("leaves the host alone: %s", async (_name, entries) => {
      rmSync(canary(), { recursive: true, force: true });
      mkdirSync(join(canary(), "target"), { recursive: true, mode: 0o755 });
      writeFileSync(join(canary(), "victim"), "still here");
      const before = statSync(join(canary(), "target"));
      const layer = await unpack(freshRoot(), await tarOf(entries()));
      const after = statSync(join(canary(), "target"));
      expect([after.mode, after.uid, after.gid, after.mtimeMs]).toEqual([
        before.mode,
        before.uid,
        before.gid,
        before.mtimeMs,
      ]);
      expect(readFileSync(join(canary(), "victim"), "utf8")).toBe("still here");
      expect(readlinkSync(join(layer.dir, "a"))).toMatch(/canary$/);
    });
  });

  it("replaces a symlink by a later file of the same name instead of writing through it", async () => {
    const root = freshRoot();
    const layer = await unpack(
      root,
      await tarOf([
        { name: "f", type: "symlink", linkname: `${sentinel}/f` },
        { name: "f", content: "inside" },
      ]),
    );
    expect(readdirSync(sentinel)).toEqual([]);
    expect(lstatSync(join(layer.dir, "f")).isFile()).toBe(true);
    expect(readFileSync(join(layer.dir, "f"), "utf8")).toBe("inside");
  });

  it("keeps a symlink in one layer from redirecting the next layer's writes", async () => {
    const root = freshRoot();
    const lower = await unpack(root, await tarOf([{ name: "evil", type: "symlink", linkname: sentinel }]));
    const upper = await unpack(root, await tarOf([{ name: "evil/pwned", content: "x" }]), {
      parentChainId: lower.chainId,
    });
    expect(readdirSync(sentinel)).toEqual([]);
    expect(readlinkSync(join(lower.dir, "evil"))).toBe(sentinel);
    expect(lstatSync(join(upper.dir, "evil")).isDirectory()).toBe(true);
    expect(readFileSync(join(upper.dir, "evil/pwned"), "utf8")).toBe("x");
    expect(upper.chainId).toBe(chainId(lower.diffId, upper.diffId));
    expect(upper.dir).toBe(root.layer(upper.chainId.slice(7)));
  });
});

describe("layer contents", () => {
  it("lets two unpacks of the same layer race: both get the one directory", async () => {
    const root = freshRoot();
    const archive = await tarOf(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, content: `${i}` })));
    const [a, b] = await Promise.all([unpack(root, archive), unpack(root, archive)]);
    expect(a?.dir).toBe(b?.dir);
    expect(readdirSync(root.layers)).toEqual([a?.chainId.slice(7)]);
    expect(readdirSync(a?.dir as string)).toHaveLength(50);
  });

  it("keeps modes, owners, times, setuid bits, hard links, devices and fifos", async () => {
    const root = freshRoot();
    const mtime = new Date(1_600_000_000_000);
    const layer = await unpack(
      root,
      await tarOf([
        { name: "./", type: "directory", mode: 0o755 },
        { name: "./bin/", type: "directory", mode: 0o711, uid: 3, gid: 4, mtime },
        { name: "./bin/su", content: "#!", mode: 0o4755, uid: 0, gid: 0, mtime },
        { name: "./bin/sg", content: "#!", mode: 0o2755, uid: 5, gid: 6 },
        { name: "./bin/su-again", type: "link", linkname: "./bin/su" },
        { name: "./bin/abs", type: "symlink", linkname: "/bin/su", uid: 7, gid: 8 },
        { name: "./dev/null", type: "character-device", devmajor: 1, devminor: 3, mode: 0o666 },
        { name: "./dev/sda", type: "block-device", devmajor: 8, devminor: 0, mode: 0o660, gid: 6 },
        { name: "./run/pipe", type: "fifo", mode: 0o600, uid: 1000 },
        { name: "deep/er/file", content: "implicit parents" },
      ]),
    );
    const st = (p: string) => lstatSync(join(layer.dir, p));
    expect(st("bin").mode & 0o7777).toBe(0o711);
    expect([st("bin").uid, st("bin").gid, st("bin").mtimeMs]).toEqual([3, 4, mtime.getTime()]);
    expect(st("bin/su").mode & 0o7777).toBe(0o4755);
    expect(st("bin/su").mtimeMs).toBe(mtime.getTime());
    expect(st("bin/sg").mode & 0o7777).toBe(0o2755);
    expect([st("bin/sg").uid, st("bin/sg").gid]).toEqual([5, 6]);
    expect(st("bin/su-again").ino).toBe(st("bin/su").ino);
    expect([st("bin/abs").uid, st("bin/abs").gid]).toEqual([7, 8]);
    expect(st("dev/null").isCharacterDevice()).toBe(true);
    expect(st("dev/null").rdev).toBe(statSync("/dev/null").rdev);
    expect(st("dev/null").mode & 0o7777).toBe(0o666);
    expect(st("dev/sda").isBlockDevice()).toBe(true);
    expect(st("run/pipe").isFIFO()).toBe(true);
    expect(st("run/pipe").uid).toBe(1000);
    expect(st("deep/er").mode & 0o7777).toBe(0o755);
    expect(layer.size).toBe(4 + "implicit parents".length);
  });

  it("turns whiteouts and opaque dirs into overlay form, and an overlay of the two layers hides them", async () => {
    const root = freshRoot();
    const lower = await unpack(
      root,
      await tarOf([
        { name: "a/keep", content: "keep" },
        { name: "a/gone", content: "gone" },
        { name: "dir/old", content: "old" },
        { name: "top", content: "top" },
      ]),
    );
    const upper = await unpack(
      root,
      await tgzOf([
        { name: "a/.wh.gone", content: "" },
        { name: "dir/.wh..wh..opq", content: "" },
        { name: "dir/new", content: "new" },
        { name: ".wh.top", content: "" },
      ]),
      { parentChainId: lower.chainId },
    );
    const whiteout = lstatSync(join(upper.dir, "a/gone"));
    expect(whiteout.isCharacterDevice() && whiteout.rdev).toBe(0);
    expect(lstatSync(join(upper.dir, "top")).isCharacterDevice()).toBe(true);
    const xattr = execFileSync("getfattr", [
      "--only-values",
      "-n",
      "trusted.overlay.opaque",
      join(upper.dir, "dir"),
    ]);
    expect(xattr.toString()).toBe("y");
    expect(readdirSync(upper.dir).sort()).toEqual(["a", "dir", "top"]);

    const merged = join(work, `merged-${counter}`);
    mkdirSync(merged);
    execFileSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${upper.dir}:${lower.dir}`, merged]);
    try {
      expect(readdirSync(merged).sort()).toEqual(["a", "dir"]);
      expect(readdirSync(join(merged, "a"))).toEqual(["keep"]);
      expect(readdirSync(join(merged, "dir"))).toEqual(["new"]);
    } finally {
      execFileSync("umount", [merged]);
    }
    expect(readFileSync("/proc/mounts", "utf8")).not.toContain(merged);
  });
});
