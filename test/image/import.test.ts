import { execFileSync } from "node:child_process";
import {
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Digest } from "../../src/common/digest.js";
import { stateRoot, type StateRoot } from "../../src/common/root.js";
import { importImage, listImages, removeImage, resolveImage, tagImage } from "../../src/image/index.js";
import { importBusybox, makeBusyboxTar } from "../helpers/busybox-image.js";
import { tarOf } from "./tar-builder.js";

let work: string;
let tarPath: string;
let root: StateRoot;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "tscompose-import-"));
  tarPath = join(work, "busybox.tar");
  makeBusyboxTar(tarPath);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function freshRoot(name: string): StateRoot {
  return stateRoot(join(work, name));
}

describe("importImage", () => {
  it("imports the busybox tarball as a one-layer OCI image", async () => {
    root = freshRoot("one");
    const { id } = await importImage(root, createReadStream(tarPath), { reference: "busybox" });
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const image = await resolveImage(root, "busybox");
    expect(image.id).toBe(id);
    expect(image.reference).toBe("docker.io/library/busybox:latest");
    expect(image.layerDirs).toHaveLength(1);
    const layer = image.layerDirs[0] as string;
    expect(readlinkSync(join(layer, "bin/sh"))).toBe("/bin/busybox");
    expect(lstatSync(join(layer, "tmp")).mode & 0o7777).toBe(0o1777);
    expect(lstatSync(join(layer, "home/app")).uid).toBe(1000);
    expect(execFileSync(join(layer, "bin/busybox"), ["true"]).length).toBe(0);
    expect(image.image).toMatchObject({ os: "linux", architecture: "amd64", rootfs: { type: "layers" } });
    // The layer is the uncompressed tar as given: its DiffID is the tarball's sha256, its dir the ChainID.
    const diffId = sha256Digest(readFileSync(tarPath));
    expect(image.image.rootfs.diff_ids).toEqual([diffId]);
    expect(layer).toBe(root.layer(diffId.slice(7)));
    // The OCI layout: oci-layout, index.json naming the manifest, every blob where its digest says.
    expect(JSON.parse(readFileSync(join(root.images, "oci-layout"), "utf8"))).toEqual({
      imageLayoutVersion: "1.0.0",
    });
    const index = JSON.parse(readFileSync(join(root.images, "index.json"), "utf8"));
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0].annotations).toEqual({
      "io.containerd.image.name": "docker.io/library/busybox:latest",
      "org.opencontainers.image.ref.name": "latest",
    });
    for (const blob of readdirSync(join(root.blobs, "sha256")))
      expect(sha256Digest(readFileSync(join(root.blobs, "sha256", blob)))).toBe(`sha256:${blob}`);
    expect(readdirSync(root.ingest)).toEqual([]);
  });

  it("applies --change and -m, and reads gzip from a stream", async () => {
    const gz = execFileSync("gzip", ["-c", tarPath], { maxBuffer: 64 * 1024 * 1024 });
    const r = freshRoot("changes");
    const { id } = await importImage(r, Readable.from([gz]), {
      reference: "localhost:5000/tools/bb:v1",
      changes: [
        'CMD ["sh", "-c", "echo hi"]',
        "ENV A=1 B=two",
        "WORKDIR /tmp",
        "USER app",
        "ENTRYPOINT /bin/env",
      ],
      message: "from a test",
    });
    const image = await resolveImage(r, id);
    expect(image.config).toEqual({
      Cmd: ["sh", "-c", "echo hi"],
      Entrypoint: ["/bin/sh", "-c", "/bin/env"],
      Env: ["A=1", "B=two"],
      WorkingDir: "/tmp",
      User: "app",
    });
    expect(image.image.history?.[0]?.comment).toBe("from a test");
    expect(image.image.rootfs.diff_ids).toEqual([sha256Digest(readFileSync(tarPath))]);
    const manifest = JSON.parse(
      readFileSync(r.blob(JSON.parse(readFileSync(r.refs, "utf8")).images[id].manifest.digest), "utf8"),
    );
    expect(manifest.layers[0].mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
    expect(listImages(r)[0]?.repoTags).toEqual(["localhost:5000/tools/bb:v1"]);
  });

  it("unpacks a missing layer dir again from its blob", async () => {
    const r = freshRoot("lazy");
    await importBusybox(r, "bb");
    const first = await resolveImage(r, "bb");
    rmSync(first.layerDirs[0] as string, { recursive: true });
    const again = await resolveImage(r, "bb:latest");
    expect(readlinkSync(join(again.layerDirs[0] as string, "bin/ls"))).toBe("/bin/busybox");
  });

  it("says how to import an unknown image", async () => {
    await expect(resolveImage(freshRoot("empty"), "nothere:1")).rejects.toMatchObject({
      code: "E_IMAGE_NOT_FOUND",
      hint: expect.stringContaining("tscompose image import FILE nothere:1"),
    });
  });

  it("keeps nothing of a hostile tarball", async () => {
    const r = freshRoot("hostile");
    const archive = await tarOf([
      { name: "etc", type: "symlink", linkname: "/etc" },
      { name: "etc/evil", content: "x" },
    ]);
    await expect(importImage(r, Readable.from([archive]), { reference: "evil" })).rejects.toMatchObject({
      code: "E_IMAGE_LAYER",
    });
    expect(existsSync("/etc/evil")).toBe(false);
    expect(readdirSync(join(r.blobs, "sha256"))).toEqual([]);
    expect(readdirSync(r.layers)).toEqual([]);
    expect(listImages(r)).toEqual([]);
  });

  it("leaves the image a name pointed at dangling when the name moves, as docker does", async () => {
    const r = freshRoot("retag");
    const first = await importBusybox(r, "app");
    const second = await importBusybox(r, "app");
    expect(listImages(r).map((i) => [i.id, i.repoTags])).toEqual([
      [second, ["app:latest"]],
      [first, []],
    ]);
    expect((await resolveImage(r, first.slice(7, 15))).reference).toBe(first);
    expect(removeImage(r, first)).toEqual({ untagged: [], deleted: [first] });
  });

  it("untags one name of several, and deletes by id only when forced", async () => {
    const r = freshRoot("names");
    const id = await importBusybox(r, "one");
    expect(tagImage(r, "one", "two:2")).toBe(id);
    expect(tagImage(r, id.slice(7, 20), "three")).toBe(id);
    expect(listImages(r)[0]?.repoTags).toEqual(["one:latest", "three:latest", "two:2"]);
    expect(removeImage(r, "two:2")).toEqual({ untagged: ["two:2"], deleted: [] });
    expect(() => removeImage(r, id)).toThrow(
      expect.objectContaining({
        code: "E_IMAGE_IN_USE",
        message: expect.stringContaining("multiple repositories"),
      }),
    );
    expect(removeImage(r, id, { force: true })).toEqual({
      untagged: ["one:latest", "three:latest"],
      deleted: [id],
    });
    expect(() => tagImage(r, "one", "x")).toThrow(expect.objectContaining({ code: "E_IMAGE_NOT_FOUND" }));
  });

  it("refuses -f for an image a running container uses (docker's 'cannot be forced'), and keeps it", async () => {
    const r = freshRoot("running");
    const id = await importBusybox(r, "busy");
    mkdirSync(r.container("c0ffee"), { recursive: true });
    writeFileSync(join(r.container("c0ffee"), "config.json"), JSON.stringify({ id: "c0ffee", imageId: id }));
    expect(() => removeImage(r, id, { force: true, isRunning: (c) => c === "c0ffee" })).toThrow(
      expect.objectContaining({
        code: "E_IMAGE_IN_USE",
        message: expect.stringContaining(
          "(cannot be forced) - image is being used by running container c0ffee",
        ),
      }),
    );
    expect(listImages(r)[0]?.repoTags).toEqual(["busy:latest"]);
    expect(removeImage(r, id, { force: true, isRunning: () => false }).untagged).toEqual(["busy:latest"]);
  });

  it("lists and removes", async () => {
    const r = freshRoot("rm");
    const a = await importBusybox(r, "a");
    const b = await importBusybox(r, "b:1");
    expect(listImages(r).map((i) => i.repoTags)).toEqual([["b:1"], ["a:latest"]]);
    expect(removeImage(r, "a")).toEqual({ untagged: ["a:latest"], deleted: [a] });
    // b still has its blobs; a's own config and manifest are gone, the shared layer stays.
    const image = await resolveImage(r, "b:1");
    expect(existsSync(image.layerDirs[0] as string)).toBe(true);
    expect(removeImage(r, b.slice(7, 19))).toEqual({ untagged: ["b:1"], deleted: [b] });
    expect(readdirSync(join(r.blobs, "sha256"))).toEqual([]);
    expect(readdirSync(r.layers)).toEqual([]);
    expect(JSON.parse(readFileSync(join(r.images, "index.json"), "utf8")).manifests).toEqual([]);
  });
});
