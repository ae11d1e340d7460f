import { TscError } from "../errors.js";

/**
 * Image references as docker parses them (distribution/reference: ParseNormalizedNamed + TagNameOnly):
 * `busybox` is `docker.io/library/busybox:latest`; the first path part is a registry host only if it has a
 * `.` or `:`, is `localhost`, or has upper case; repository paths are lower case.
 */

export const DEFAULT_DOMAIN = "docker.io";
export const DEFAULT_TAG = "latest";
const LEGACY_DOMAIN = "index.docker.io";
const OFFICIAL_PREFIX = "library/";
const NAME_MAX = 255;

const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = new RegExp(`^${HOST}(?::[0-9]+)?$`);
const PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;

export interface ImageReference {
  /** Registry host (and port): `docker.io`, `localhost:5000`. */
  domain: string;
  /** Repository path inside the registry: `library/busybox`. */
  path: string;
  /** domain/path: `docker.io/library/busybox`. */
  name: string;
  tag?: string;
  digest?: string;
  /** The full form, the store's key: `docker.io/library/busybox:latest`. */
  canonical: string;
  /** The short name docker shows: `busybox`, `localhost:5000/app`. */
  familiarName: string;
  /** familiarName with tag and digest: `busybox:latest`. */
  familiar: string;
}

function invalid(input: string, reason: string): TscError {
  return new TscError("E_IMAGE_REFERENCE", `invalid reference format ${JSON.stringify(input)}: ${reason}`, {
    hint: "an image reference looks like [registry[:port]/]repository[:tag][@sha256:digest], e.g. busybox:1.36",
  });
}

function splitDomain(name: string): [domain: string, path: string] {
  const slash = name.indexOf("/");
  const first = name.slice(0, slash);
  let domain: string;
  let path: string;
  if (slash === -1 || (!/[.:]/.test(first) && first !== "localhost" && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    path = name;
  } else {
    domain = first;
    path = name.slice(slash + 1);
  }
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes("/")) path = OFFICIAL_PREFIX + path;
  return [domain, path];
}

/** Parses a reference; with `defaultTag` (the default) a reference with neither tag nor digest gets `latest`. */
export function parseReference(input: string, options: { defaultTag?: boolean } = {}): ImageReference {
  if (input === "") throw invalid(input, "empty reference");
  if (IDENTIFIER.test(input))
    throw invalid(input, "cannot specify 64-byte hexadecimal strings as a repository name");
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(input, `invalid digest ${JSON.stringify(digest)}`);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest))
      throw invalid(
        input,
        `unsupported digest ${JSON.stringify(digest)} (only sha256 with 64 lowercase hex)`,
      );
  }
  let tag: string | undefined;
  // A tag follows the last colon only if no slash comes after it (a colon before a slash is a port).
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(input, `invalid tag ${JSON.stringify(tag)}`);
  }
  const [domain, path] = splitDomain(rest);
  if (path.toLowerCase() !== path) throw invalid(input, `repository name (${path}) must be lowercase`);
  if (!DOMAIN.test(domain)) throw invalid(input, `invalid registry host ${JSON.stringify(domain)}`);
  if (!PATH.test(path)) throw invalid(input, `invalid repository name ${JSON.stringify(path)}`);
  const name = `${domain}/${path}`;
  if (name.length > NAME_MAX)
    throw invalid(input, `repository name must not be more than ${NAME_MAX} characters`);
  if (tag === undefined && digest === undefined && options.defaultTag !== false) tag = DEFAULT_TAG;
  return build(domain, path, tag, digest);
}

function build(
  domain: string,
  path: string,
  tag: string | undefined,
  digest: string | undefined,
): ImageReference {
  const name = `${domain}/${path}`;
  const suffix = (tag === undefined ? "" : `:${tag}`) + (digest === undefined ? "" : `@${digest}`);
  let familiarName = name;
  if (domain === DEFAULT_DOMAIN) {
    familiarName = path;
    const rest = path.slice(OFFICIAL_PREFIX.length);
    if (path.startsWith(OFFICIAL_PREFIX) && !rest.includes("/")) familiarName = rest;
  }
  const ref: ImageReference = {
    domain,
    path,
    name,
    canonical: name + suffix,
    familiarName,
    familiar: familiarName + suffix,
  };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** Whether `input` parses as a reference (without throwing). */
export function isReference(input: string): boolean {
  try {
    parseReference(input);
    return true;
  } catch {
    return false;
  }
}
