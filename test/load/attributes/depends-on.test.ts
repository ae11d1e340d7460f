import { describe, expect, it } from "vitest";
import { load } from "./round-trip.js";

describe("depends_on", () => {
  it("reads the list and map forms and adds what links, volumes_from and network_mode imply", () => {
    const { project, yaml } = load(`
services:
  web:
    image: x
    depends_on:
      db:
        condition: service_healthy
      cache:
        condition: service_started
        restart: true
        required: false
    links: [db, "search:es"]
    volumes_from: [data]
  db:
    image: postgres
  cache:
    image: redis
  search:
    image: es
  data:
    image: busybox
  sidecar:
    image: x
    network_mode: service:web
    depends_on: [db]
`);
    expect(project.services.web?.depends_on).toEqual({
      db: { condition: "service_healthy", required: true },
      cache: { condition: "service_started", restart: true, required: false },
      search: { condition: "service_started", restart: true, required: true },
      data: { condition: "service_started", required: true },
    });
    expect(project.services.sidecar?.depends_on).toEqual({
      db: { condition: "service_started", required: true },
      web: { condition: "service_started", restart: true, required: true },
    });
    expect(yaml).toContain(`    depends_on:
      cache:
        condition: service_started
        restart: true
        required: false
      data:
        condition: service_started
        required: true
`);
  });
});
