import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isErrno } from "../errors.js";

/**
 * The container's generated /etc/hosts, /etc/hostname and /etc/resolv.conf, written into its directory
 * and bind-mounted by the helper (as docker does), so the image's own files are never modified.
 */

export interface EtcFiles {
  hosts: string;
  hostname: string;
  resolvConf: string;
}

/** Name servers on 127.0.0.0/8 mean nothing inside a network namespace: docker drops them too. */
function containerResolvConf(host: string, networkMode: "none" | "host"): string {
  if (networkMode === "host") return host;
  const lines = host.split("\n").filter((line) => !/^\s*nameserver\s+(127\.|::1\b)/.test(line));
  return lines.join("\n").replace(/\n*$/, "\n");
}

export function writeEtcFiles(
  containerDir: string,
  hostname: string,
  networkMode: "none" | "host",
  hostResolvConf = "/etc/resolv.conf",
): EtcFiles {
  const files: EtcFiles = {
    hosts: join(containerDir, "hosts"),
    hostname: join(containerDir, "hostname"),
    resolvConf: join(containerDir, "resolv.conf"),
  };
  let resolv = "";
  try {
    resolv = readFileSync(hostResolvConf, "utf8");
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
  const hosts =
    networkMode === "host"
      ? readHostFile("/etc/hosts")
      : [
          "127.0.0.1\tlocalhost",
          "::1\tlocalhost ip6-localhost ip6-loopback",
          "fe00::0\tip6-localnet",
          "ff00::0\tip6-mcastprefix",
          "ff02::1\tip6-allnodes",
          "ff02::2\tip6-allrouters",
          `127.0.1.1\t${hostname}`,
          "",
        ].join("\n");
  // Derived files, rewritten at every start while the container is stopped: no record to keep whole.
  writeFileSync(files.hosts, hosts);
  writeFileSync(files.hostname, `${hostname}\n`);
  writeFileSync(files.resolvConf, containerResolvConf(resolv, networkMode));
  return files;
}

function readHostFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return "";
    throw error;
  }
}
