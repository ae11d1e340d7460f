import { describe, expect, it } from "vitest";
import { load } from "./round-trip.js";

describe("ports", () => {
  it("expands short syntax, ranges and IPv6 hosts and keeps long syntax", () => {
    const { project, yaml } = load(`
services:
  web:
    image: nginx
    ports:
      - 80
      - "127.0.0.1:8080:80/udp"
      - "9000-9001:90-91"
      - "[::1]:5000:5000"
      - target: 443
        published: "8443"
        host_ip: 0.0.0.0
        app_protocol: https
`);
    expect(project.services.web?.ports).toEqual([
      { mode: "ingress", target: 80, protocol: "tcp" },
      { mode: "ingress", host_ip: "127.0.0.1", target: 80, published: "8080", protocol: "udp" },
      { mode: "ingress", target: 90, published: "9000", protocol: "tcp" },
      { mode: "ingress", target: 91, published: "9001", protocol: "tcp" },
      { mode: "ingress", host_ip: "::1", target: 5000, published: "5000", protocol: "tcp" },
      {
        mode: "ingress",
        host_ip: "0.0.0.0",
        target: 443,
        published: "8443",
        protocol: "tcp",
        app_protocol: "https",
      },
    ]);
    expect(yaml).toContain(`      - mode: ingress
        host_ip: 127.0.0.1
        target: 80
        published: "8080"
        protocol: udp
`);
  });
});
