import { execFileSync } from "node:child_process";
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeBusyboxRootfs, makeBusyboxTar } from "../helpers/busybox-image.js";

const work = mkdtempSync(join(tmpdir(), "tscompose-bbtest-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("busybox test image", () => {
  it("builds a rootfs whose applets run and whose users are root, nobody and app", () => {
    const dir = join(work, "rootfs");
    makeBusyboxRootfs(dir);
    expect(readlinkSync(join(dir, "bin/sh"))).toBe("/bin/busybox");
    expect(lstatSync(join(dir, "tmp")).mode & 0o7777).toBe(0o1777);
    expect(readFileSync(join(dir, "etc/passwd"), "utf8")).toContain("app:x:1000:1000:");
    expect(readFileSync(join(dir, "etc/group"), "utf8")).toContain("extra:x:1001:app");
    expect(execFileSync(join(dir, "bin/busybox"), ["echo", "hi"], { encoding: "utf8" })).toBe("hi\n");
  });

  it("tars it with numeric owners", () => {
    const path = join(work, "bb.tar");
    makeBusyboxTar(path);
    const listing = execFileSync("tar", ["--numeric-owner", "-tvf", path], { encoding: "utf8" });
    expect(listing).toMatch(/^-rwxr-xr-x 0\/0 .* \.\/bin\/busybox$/m);
    expect(listing).toMatch(/^lrwxrwxrwx 0\/0 .* \.\/bin\/sh -> \/bin\/busybox$/m);
    expect(listing).toMatch(/^drwxr-xr-x 1000\/1000 .* \.\/home\/app\/$/m);
  });
});
