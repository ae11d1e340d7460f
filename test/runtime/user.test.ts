import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  parseGroup,
  parsePasswd,
  resolveImageUser,
  resolveUser,
  type ResolvedUser,
} from "../../src/runtime/user.js";

const PASSWD = [
  "root:x:0:0:root:/root:/bin/sh",
  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
  "nobody:x:65534:65534:nobody:/nonexistent:/bin/false",
  "app:x:1000:1000:App User:/home/app:/bin/sh",
  "# a comment line",
  "broken:x:notanumber:1::/:",
  "dup:x:1000:5:second entry for uid 1000:/:/bin/sh",
  "",
].join("\n");

const GROUP = [
  "root:x:0:root",
  "daemon:x:1:",
  "wheel:x:10:root,app",
  "audio:x:29:app",
  "nogroup:x:65534:",
  "app:x:1000:",
  "audio2:x:29:app",
].join("\n");

const files = { passwd: PASSWD, group: GROUP };

describe("resolveUser (docker's rules against the image's files; the primary group is a supplementary one too)", () => {
  it.each<[string | undefined, ResolvedUser]>([
    [undefined, { uid: 0, gid: 0, groups: [0, 10], home: "/root", name: "root" }],
    ["", { uid: 0, gid: 0, groups: [0, 10], home: "/root", name: "root" }],
    ["root", { uid: 0, gid: 0, groups: [0, 10], home: "/root", name: "root" }],
    ["app", { uid: 1000, gid: 1000, groups: [1000, 10, 29], home: "/home/app", name: "app" }],
    ["1000", { uid: 1000, gid: 1000, groups: [1000, 10, 29], home: "/home/app", name: "app" }],
    ["nobody", { uid: 65534, gid: 65534, groups: [65534], home: "/nonexistent", name: "nobody" }],
    ["4242", { uid: 4242, gid: 0, groups: [0], home: "/" }],
    ["app:audio", { uid: 1000, gid: 29, groups: [29], home: "/home/app", name: "app" }],
    ["app:29", { uid: 1000, gid: 29, groups: [29], home: "/home/app", name: "app" }],
    ["1000:1000", { uid: 1000, gid: 1000, groups: [1000], home: "/home/app", name: "app" }],
    ["4242:4343", { uid: 4242, gid: 4343, groups: [4343], home: "/" }],
    ["daemon:nogroup", { uid: 1, gid: 65534, groups: [65534], home: "/usr/sbin", name: "daemon" }],
    ["app:", { uid: 1000, gid: 1000, groups: [1000, 10, 29], home: "/home/app", name: "app" }],
  ])("%j", (user, expected) => {
    expect(resolveUser(user, files)).toEqual(expected);
  });

  it.each([
    ["ghost", "unable to find user ghost: no matching entries in /etc/passwd"],
    ["app:ghosts", "unable to find group ghosts: no matching entries in /etc/group"],
    ["4242:ghosts", "unable to find group ghosts: no matching entries in /etc/group"],
    ["9999999999", "unable to find user 9999999999: no matching entries in /etc/passwd"],
    ["a b", 'user "a b" is not valid'],
  ])("rejects %j with E_CONTAINER_CONFIG", (user, message) => {
    expect(() => resolveUser(user, files)).toThrow(
      expect.objectContaining({ code: "E_CONTAINER_CONFIG", message }),
    );
  });

  it("an image without /etc/passwd still runs numeric users and root, as docker does", () => {
    expect(resolveUser("123:456", {})).toEqual({ uid: 123, gid: 456, groups: [456], home: "/" });
    expect(resolveUser(undefined, {})).toEqual({ uid: 0, gid: 0, groups: [0], home: "/" });
    expect(() => resolveUser("app", {})).toThrow(expect.objectContaining({ code: "E_CONTAINER_CONFIG" }));
  });

  it("parsers skip malformed lines", () => {
    expect(parsePasswd(PASSWD).map((p) => p.name)).toEqual(["root", "daemon", "nobody", "app", "dup"]);
    expect(parseGroup("x:y\nok:x:5:a,b\n:x:6:\n").map((g) => [g.name, g.gid, g.members])).toEqual([
      ["ok", 5, ["a", "b"]],
    ]);
  });
});

describe("resolveImageUser reads the files of the image's layers", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsc-user-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const layer = (name: string, entries: Record<string, string>) => {
    const path = join(dir, name);
    for (const [file, text] of Object.entries(entries)) {
      mkdirSync(join(path, file, ".."), { recursive: true });
      writeFileSync(join(path, file), text);
    }
    return path;
  };

  it("takes /etc/passwd from the top-most layer that has it", () => {
    const bottom = layer("l1", { "etc/passwd": PASSWD, "etc/group": GROUP });
    const top = layer("l2", { "etc/passwd": "app:x:2000:2000::/srv:/bin/sh\n" });
    expect(resolveImageUser("app", [bottom, top])).toEqual({
      uid: 2000,
      gid: 2000,
      groups: [2000, 10, 29],
      home: "/srv",
      name: "app",
    });
    expect(resolveImageUser("app", [bottom])).toMatchObject({ uid: 1000 });
  });
});
