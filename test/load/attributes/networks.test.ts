import { describe, expect, it } from "vitest";
import { load } from "./round-trip.js";

describe("networks", () => {
  it("maps service networks, adds default only where used and names networks", () => {
    const { project, json } = load(`
name: nets
services:
  web:
    image: x
    networks:
      front:
        aliases: [www]
        ipv4_address: 10.5.0.5
      back:
  worker:
    image: x
    networks: [back]
  solo:
    image: x
  host:
    image: x
    network_mode: host
networks:
  front:
    driver: bridge
    ipam:
      config:
        - subnet: 10.5.0.0/16
  back:
    internal: true
  outside:
    external: true
    name: corp
`);
    expect(project.services.web?.networks).toEqual({
      front: { aliases: ["www"], ipv4_address: "10.5.0.5" },
      back: null,
    });
    expect(project.services.worker?.networks).toEqual({ back: null });
    expect(project.services.solo?.networks).toEqual({ default: null });
    expect(project.services.host?.networks).toBeUndefined();
    expect(project.networks).toEqual({
      front: { name: "nets_front", driver: "bridge", ipam: { config: [{ subnet: "10.5.0.0/16" }] } },
      back: { name: "nets_back", internal: true },
      outside: { name: "corp", external: true },
      default: { name: "nets_default" },
    });
    expect(JSON.parse(json).networks.back).toEqual({ name: "nets_back", ipam: {}, internal: true });
  });
});
