import { isIP } from "node:net";
import { TscError } from "../errors.js";

/** A port in compose's long syntax, as compose-go's ServicePortConfig after transform and defaults. */
export interface PortMapping {
  mode: "ingress";
  host_ip?: string;
  target: number;
  published?: string;
  protocol: string;
}

const PROTOCOLS = new Set(["tcp", "udp", "sctp"]);

/**
 * Parses one short-syntax port (`"127.0.0.1:8080:80/udp"`, `"8000-8002:80-82"`, `"80"`, `80`,
 * `"[::1]:8080:80"`) into long-syntax mappings, as docker's nat.ParsePortSpecs and compose-go's
 * ParsePortConfig do: one mapping per container port, ordered by the text `<port>/<proto>` (compose sorts
 * those keys as strings), and a host range with a single container port kept as one `published` range.
 */
export function parsePortSpec(spec: string | number): PortMapping[] {
  const raw = String(spec);
  const [ipPart, hostPart, containerPart] = splitParts(raw);
  const [protocol, containerPort] = splitProtocol(containerPart);
  const ip = hostIp(ipPart, raw);
  if (containerPort === "") {
    throw invalid(`no port specified: ${raw}<empty>`, "write the container port, e.g. `8080:80`");
  }
  const [start, end] = portRange(containerPort, `invalid containerPort: ${containerPort}`);
  const hostRange = hostPart === "" ? undefined : portRange(hostPart, `invalid hostPort: ${hostPart}`);
  if (hostRange && end - start !== hostRange[1] - hostRange[0] && end !== start) {
    throw invalid(
      `invalid ranges specified for container and host Ports: ${containerPort} and ${hostPart}`,
      "give host and container ranges of the same length, e.g. `8000-8002:80-82`",
    );
  }
  const proto = protocol.toLowerCase();
  if (!PROTOCOLS.has(proto)) {
    throw invalid(`invalid proto: ${protocol}`, "the protocol is one of tcp, udp or sctp");
  }
  const mappings: Array<{ key: string; mapping: PortMapping }> = [];
  for (let i = 0; i <= end - start; i++) {
    const target = start + i;
    let published: string | undefined;
    if (hostRange) {
      published = String(hostRange[0] + i);
      // A single container port with a host range: the engine picks one host port of the range.
      if (start === end && hostRange[0] !== hostRange[1]) published = `${published}-${hostRange[1]}`;
    }
    const mapping: PortMapping = { mode: "ingress", target, protocol: proto };
    if (ip !== "") mapping.host_ip = ip;
    if (published !== undefined) mapping.published = published;
    mappings.push({ key: `${target}/${proto}`, mapping: withOrder(mapping) });
  }
  return mappings.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((m) => m.mapping);
}

/** Rebuilds the mapping with compose's key order (mode, host_ip, target, published, protocol). */
function withOrder(mapping: PortMapping): PortMapping {
  const out: PortMapping = { mode: mapping.mode } as PortMapping;
  if (mapping.host_ip !== undefined) out.host_ip = mapping.host_ip;
  out.target = mapping.target;
  if (mapping.published !== undefined) out.published = mapping.published;
  out.protocol = mapping.protocol;
  return out;
}

/** `ip:host:container`, where the IP itself may contain colons (IPv6). */
function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(":");
  const n = parts.length;
  const container = parts[n - 1] ?? "";
  if (n === 1) return ["", "", container];
  if (n === 2) return ["", parts[0] ?? "", container];
  return [parts.slice(0, n - 2).join(":"), parts[n - 2] ?? "", container];
}

function splitProtocol(raw: string): [string, string] {
  const parts = raw.split("/");
  if (raw === "" || (parts[0] ?? "") === "") return ["", ""];
  if (parts.length === 1 || (parts[1] ?? "") === "") return ["tcp", parts[0] ?? ""];
  return [parts[1] ?? "", parts[0] ?? ""];
}

function hostIp(raw: string, spec: string): string {
  let ip = raw;
  if (ip.startsWith("[")) {
    if (!ip.endsWith("]")) throw invalid(`invalid IP address ${ip}`, `check the address in "${spec}"`);
    ip = ip.slice(1, -1);
  }
  if (ip !== "" && isIP(ip) === 0) {
    throw invalid(`invalid IP address: ${ip}`, "the host IP is an IPv4 address or a bracketed IPv6 one");
  }
  return ip;
}

function portRange(text: string, message: string): [number, number] {
  const parse = (part: string | undefined): number => {
    if (part === undefined || !/^\d+$/.test(part)) throw invalid(message, PORT_HINT);
    const port = Number(part);
    if (port > 65535) throw invalid(message, PORT_HINT);
    return port;
  };
  if (!text.includes("-")) {
    const port = parse(text);
    return [port, port];
  }
  const parts = text.split("-");
  const start = parse(parts[0]);
  const end = parse(parts[1]);
  if (end < start) throw invalid(`invalid range specified for port: ${text}`, "write the lower port first");
  return [start, end];
}

const PORT_HINT = "a port is a number from 0 to 65535, or a range such as 8000-8010";

function invalid(message: string, hint: string): TscError {
  return new TscError("E_LOAD_SHORT_SYNTAX", message, { hint });
}
