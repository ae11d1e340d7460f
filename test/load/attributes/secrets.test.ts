import { describe, expect, it } from "vitest";
import { load, projectDir } from "./round-trip.js";

describe("secrets and configs", () => {
  it("resolves files, default targets, octal modes and names", () => {
    const dir = projectDir();
    const { project, yaml } = load(
      `
name: sec
services:
  app:
    image: x
    secrets:
      - db
      - source: api
        target: api_key
        uid: "103"
        mode: 0440
    configs:
      - source: conf
        target: /etc/app.conf
        mode: "0644"
secrets:
  db: {file: ./db.txt}
  api: {environment: API_KEY}
configs:
  conf: {content: "port=80"}
`,
      { cwd: dir },
    );
    expect(project.services.app?.secrets).toEqual([
      { source: "db", target: "/run/secrets/db" },
      { source: "api", target: "api_key", uid: "103", mode: 0o440 },
    ]);
    expect(project.services.app?.configs).toEqual([{ source: "conf", target: "/etc/app.conf", mode: 0o644 }]);
    expect(project.secrets).toEqual({
      db: { name: "sec_db", file: `${dir}/db.txt` },
      api: { name: "sec_api", environment: "API_KEY" },
    });
    expect(project.configs.conf).toEqual({ name: "sec_conf", content: "port=80" });
    expect(yaml).toContain('        mode: "0440"\n');
    expect(yaml).toContain("    content: port=80\n");
  });
});
