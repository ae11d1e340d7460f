import { describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { parseReference } from "../../src/image/reference.js";

describe("parseReference", () => {
  it.each([
    ["busybox", "docker.io/library/busybox:latest", "busybox:latest"],
    ["busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"],
    ["library/busybox", "docker.io/library/busybox:latest", "busybox:latest"],
    ["docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"],
    ["index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"],
    ["user/app", "docker.io/user/app:latest", "user/app:latest"],
    ["user/app/sub:v1", "docker.io/user/app/sub:v1", "user/app/sub:v1"],
    ["localhost/app", "localhost/app:latest", "localhost/app:latest"],
    ["localhost:5000/app:v2", "localhost:5000/app:v2", "localhost:5000/app:v2"],
    [
      "registry.example.com/team/app",
      "registry.example.com/team/app:latest",
      "registry.example.com/team/app:latest",
    ],
    ["Registry.example.com/app", "Registry.example.com/app:latest", "Registry.example.com/app:latest"],
    ["Foo/bar", "Foo/bar:latest", "Foo/bar:latest"],
    ["host:443/a/b:c", "host:443/a/b:c", "host:443/a/b:c"],
    ["[::1]:5000/app", "[::1]:5000/app:latest", "[::1]:5000/app:latest"],
    ["a.b-c__d-e:Tag_1.x", "docker.io/library/a.b-c__d-e:Tag_1.x", "a.b-c__d-e:Tag_1.x"],
    [
      `busybox@sha256:${"a".repeat(64)}`,
      `docker.io/library/busybox@sha256:${"a".repeat(64)}`,
      `busybox@sha256:${"a".repeat(64)}`,
    ],
    [
      `busybox:1@sha256:${"b".repeat(64)}`,
      `docker.io/library/busybox:1@sha256:${"b".repeat(64)}`,
      `busybox:1@sha256:${"b".repeat(64)}`,
    ],
  ])("%s -> %s", (input, canonical, familiar) => {
    const ref = parseReference(input);
    expect(ref.canonical).toBe(canonical);
    expect(ref.familiar).toBe(familiar);
  });

  it("splits the parts", () => {
    expect(parseReference("localhost:5000/team/app:v1")).toMatchObject({
      domain: "localhost:5000",
      path: "team/app",
      name: "localhost:5000/team/app",
      tag: "v1",
      familiarName: "localhost:5000/team/app",
    });
  });

  it("adds no tag when asked not to, nor when a digest is given", () => {
    expect(parseReference("busybox", { defaultTag: false }).tag).toBeUndefined();
    expect(parseReference(`busybox@sha256:${"c".repeat(64)}`).tag).toBeUndefined();
  });

  it.each([
    ["", "empty reference"],
    ["Busybox", "must be lowercase"],
    ["docker.io/Library/busybox", "must be lowercase"],
    ["busybox:", "invalid tag"],
    ["busybox:-x", "invalid tag"],
    [`busybox:${"t".repeat(129)}`, "invalid tag"],
    ["busybox@sha256:abc", "invalid digest"],
    [`busybox@md5:${"a".repeat(32)}`, "unsupported digest"],
    [`busybox@sha256:${"A".repeat(64)}`, "unsupported digest"],
    ["a" + "b".repeat(63).replace(/b/g, "0"), "64-byte hexadecimal"],
    ["bus_ _box", "invalid repository name"],
    ["busybox/", "invalid repository name"],
    ["//busybox", "invalid"],
    ["-host.com/app", "invalid registry host"],
    ["app..x", "invalid repository name"],
    ["a___b", "invalid repository name"],
    [`x/${"a".repeat(260)}`, "more than 255"],
  ])("rejects %j (%s)", (input, reason) => {
    let error: unknown;
    try {
      parseReference(input);
    } catch (e) {
      error = e;
    }
    expect(TscError.is(error) && error.code).toBe("E_IMAGE_REFERENCE");
    expect((error as Error).message).toContain(reason);
  });
});
