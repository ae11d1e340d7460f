import { TscError } from "../errors.js";
import { readImageFile } from "./rootfs.js";

/**
 * Resolves a container's `user` (`name`, `uid`, `name:group`, `uid:gid`, as docker accepts) against the
 * image's own /etc/passwd and /etc/group. Never NSS: a host lookup would give host ids, and loading NSS
 * modules from an image root runs the image's code as root (CVE-2019-14271).
 */

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: the primary one, and those listing the user in /etc/group unless a group was given. */
  groups: number[];
  /** Home directory from /etc/passwd ("/" when unknown), for HOME. */
  home: string;
  /** The passwd entry's name, when one matched. */
  name?: string;
}

export interface AccountFiles {
  passwd?: string;
  group?: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2 ** 31 - 1;

function parseId(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const id = Number(text);
  return id <= MAX_ID ? id : undefined;
}

/** passwd lines: name:password:uid:gid:gecos:home:shell; malformed lines are skipped, as libc does. */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(":");
    if (fields.length < 4 || fields[0] === "" || fields[0]?.startsWith("#")) continue;
    const uid = parseId(fields[2] ?? "");
    const gid = parseId(fields[3] ?? "");
    if (uid === undefined || gid === undefined) continue;
    entries.push({ name: fields[0] ?? "", uid, gid, home: fields[5] || "/" });
  }
  return entries;
}

/** group lines: name:password:gid:member,member. */
export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(":");
    if (fields.length < 3 || fields[0] === "" || fields[0]?.startsWith("#")) continue;
    const gid = parseId(fields[2] ?? "");
    if (gid === undefined) continue;
    const members = (fields[3] ?? "").split(",").filter((m) => m !== "");
    entries.push({ name: fields[0] ?? "", gid, members });
  }
  return entries;
}

function notFound(kind: "user" | "group", name: string, file: string): TscError {
  return new TscError(
    "E_CONTAINER_CONFIG",
    `unable to find ${kind} ${name}: no matching entries in ${file}`,
    {
      hint: `use a ${kind} that exists in the image's ${file}, or a numeric id`,
    },
  );
}

/**
 * docker's rules (moby/sys user.GetExecUser): an empty user is uid 0; a name must exist in passwd; a
 * numeric uid may be absent (then gid 0); an explicit group sets the gid only (a numeric one may be absent)
 * and suppresses supplementary groups; otherwise the groups listing the matched name are added.
 */
export function resolveUser(user: string | undefined, files: AccountFiles): ResolvedUser {
  const spec = (user ?? "").trim();
  const colon = spec.indexOf(":");
  const userPart = colon === -1 ? spec : spec.slice(0, colon);
  const groupPart = colon === -1 ? undefined : spec.slice(colon + 1);
  const passwd = parsePasswd(files.passwd ?? "");
  const groups = parseGroup(files.group ?? "");

  const result: ResolvedUser = { uid: 0, gid: 0, groups: [], home: "/" };
  const wantedUid = userPart === "" ? 0 : parseId(userPart);
  if (userPart !== "" && wantedUid === undefined && !/^[^\s:]+$/.test(userPart)) {
    throw new TscError("E_CONTAINER_CONFIG", `user ${JSON.stringify(user)} is not valid`, {
      hint: "use name, uid, name:group or uid:gid",
    });
  }
  const entry = passwd.find((p) => p.name === userPart || (wantedUid !== undefined && p.uid === wantedUid));
  if (entry) {
    Object.assign(result, { uid: entry.uid, gid: entry.gid, home: entry.home, name: entry.name });
  } else if (wantedUid !== undefined) {
    result.uid = wantedUid;
  } else {
    throw notFound("user", userPart, "/etc/passwd");
  }

  if (groupPart !== undefined && groupPart !== "") {
    const wantedGid = parseId(groupPart);
    const group = groups.find(
      (g) => g.name === groupPart || (wantedGid !== undefined && g.gid === wantedGid),
    );
    if (group) result.gid = group.gid;
    else if (wantedGid !== undefined) result.gid = wantedGid;
    else throw notFound("group", groupPart, "/etc/group");
  } else if (result.name !== undefined) {
    const name = result.name;
    result.groups = groups.filter((g) => g.members.includes(name)).map((g) => g.gid);
  }
  // docker (containerd's additional gids) lists the primary group among the supplementary ones too.
  result.groups = [...new Set([result.gid, ...result.groups])];
  return result;
}

/** resolveUser against the /etc/passwd and /etc/group of an image's layers (bottom to top). */
export function resolveImageUser(user: string | undefined, layers: readonly string[]): ResolvedUser {
  return resolveUser(user, {
    passwd: readImageFile(layers, "/etc/passwd"),
    group: readImageFile(layers, "/etc/group"),
  });
}
