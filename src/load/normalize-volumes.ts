import { posix } from "node:path";
import { TscError } from "../errors.js";

/** A service mount in compose's long syntax, as compose-go's format.ParseVolume builds it. */
export interface VolumeMount {
  type: "bind" | "volume";
  source?: string;
  target: string;
  read_only?: boolean;
  bind?: { selinux?: string; propagation?: string; create_host_path?: boolean };
  volume?: { nocopy?: boolean };
}

const PROPAGATIONS = new Set(["rprivate", "private", "rshared", "shared", "rslave", "slave"]);
const SELINUX = new Set(["z", "Z"]);

/**
 * Parses a short-syntax mount: `/data` (anonymous volume), `name:/data[:opts]` (named volume),
 * `./dir:/data[:opts]` or `/abs:/data` or `~/x:/data` (bind). Options are `ro`, `rw`, `nocopy`, the
 * propagations and the SELinux labels `z`/`Z`; compose ignores unknown options and so do we. A colon inside
 * `${...}` does not split (compose-go keeps uninterpolated references whole). A bind made from the short
 * syntax creates its missing host path, as docker-compose v1 did.
 */
export function parseVolumeSpec(spec: string): VolumeMount {
  if (spec.length === 0) throw invalid("invalid empty volume spec", spec);
  // compose-go returns such short specs early, as a bare volume target without the `volume` options.
  if (spec.length <= 2) return { type: "volume", target: spec };

  const fields: string[] = [];
  let buffer = "";
  let depth = 0;
  for (let i = 0; i <= spec.length; i++) {
    const char = i < spec.length ? spec[i] : undefined;
    if (char === "$" && spec[i + 1] === "{") {
      depth++;
      buffer += char;
      continue;
    }
    if (char === "}" && depth > 0) {
      depth--;
      buffer += char;
      continue;
    }
    if ((char === ":" || char === undefined) && depth === 0) {
      if (char === ":" && isWindowsDrive(buffer)) {
        buffer += char;
        continue;
      }
      if (buffer === "") throw invalid(`invalid spec: ${spec}: empty section between colons`, spec);
      fields.push(buffer);
      buffer = "";
      continue;
    }
    buffer += char;
  }
  if (fields.length > 3) throw invalid(`invalid spec: ${spec}: too many colons`, spec);

  const [first = "", second, options] = fields;
  const mount: Partial<VolumeMount> =
    second === undefined ? { target: first } : { source: first, target: second };
  const parsed = withType(mount);
  for (const option of options?.split(",") ?? []) {
    if (option === "ro") parsed.read_only = true;
    else if (option === "rw") delete parsed.read_only;
    else if (option === "nocopy") parsed.volume = { nocopy: true };
    else if (PROPAGATIONS.has(option)) parsed.bind = { ...parsed.bind, propagation: option };
    else if (SELINUX.has(option)) parsed.bind = { ...parsed.bind, selinux: option };
  }
  return ordered(parsed);
}

function withType(mount: Partial<VolumeMount>): VolumeMount {
  const target = mount.target === undefined || mount.target === "" ? "" : posix.normalize(mount.target);
  const cleaned = target.length > 1 ? target.replace(/\/$/, "") : target;
  if (mount.source !== undefined && isFilePath(mount.source)) {
    return { type: "bind", source: mount.source, target: cleaned, bind: { create_host_path: true } };
  }
  const out: VolumeMount = { type: "volume", target: cleaned, volume: {} };
  if (mount.source !== undefined) out.source = mount.source;
  return out;
}

/** compose-go's key order: type, source, target, read_only, bind, volume. */
function ordered(mount: VolumeMount): VolumeMount {
  const out: VolumeMount = { type: mount.type } as VolumeMount;
  if (mount.source !== undefined) out.source = mount.source;
  out.target = mount.target;
  if (mount.read_only) out.read_only = true;
  if (mount.type === "bind") out.bind = { ...mount.bind, create_host_path: true };
  else if (mount.bind) out.bind = mount.bind;
  if (mount.volume) out.volume = mount.volume;
  return out;
}

/** Sources starting with `.`, `/` or `~` (or a Windows drive / pipe) are host paths, the rest volume names. */
export function isFilePath(source: string): boolean {
  if (source === "") return false;
  if (source[0] === "." || source[0] === "/" || source[0] === "~") return true;
  if (source.startsWith("\\\\")) return true;
  return /^[A-Za-z]:/.test(source);
}

function isWindowsDrive(buffer: string): boolean {
  return buffer.length === 1 && /\p{L}/u.test(buffer);
}

function invalid(message: string, spec: string): TscError {
  return new TscError("E_LOAD_SHORT_SYNTAX", message, {
    hint: `write the mount as SOURCE:TARGET[:OPTIONS] or in the long syntax (got "${spec}")`,
  });
}
