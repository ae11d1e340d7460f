import { describe, expect, it } from "vitest";
import { load } from "./round-trip.js";

const STACK = `
services:
  web:
    image: web
  debug:
    image: busybox
    profiles: [debug]
    depends_on: [web]
`;

describe("profiles", () => {
  it("leaves out services of inactive profiles", () => {
    expect(Object.keys(load(STACK).project.services)).toEqual(["web"]);
  });

  it("keeps them when their profile is active, with profiles printed first", () => {
    const { project, yaml } = load(STACK, { profiles: ["debug"] });
    expect(Object.keys(project.services).sort()).toEqual(["debug", "web"]);
    expect(project.services.debug?.profiles).toEqual(["debug"]);
    expect(yaml).toContain("  debug:\n    profiles:\n      - debug\n    depends_on:\n");
  });
});
