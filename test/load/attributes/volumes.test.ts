import { describe, expect, it } from "vitest";
import { load, projectDir } from "./round-trip.js";

describe("volumes", () => {
  it("makes binds absolute, names volumes after the project and keeps tmpfs options", () => {
    const dir = projectDir();
    const { project, yaml } = load(
      `
name: vols
services:
  db:
    image: postgres
    volumes:
      - data:/var/lib/postgresql/data
      - ./init:/docker-entrypoint-initdb.d:ro
      - ~/.cache:/cache:z
      - /anonymous
      - type: tmpfs
        target: /run
        tmpfs: {size: 64m, mode: 1777}
      - type: volume
        source: data
        target: /copy
        volume: {nocopy: true, subpath: sub}
volumes:
  data:
    labels: [tier=db]
  shared:
    external: true
`,
      { cwd: dir },
    );
    expect(project.services.db?.volumes).toEqual([
      { type: "volume", source: "data", target: "/var/lib/postgresql/data", volume: {} },
      {
        type: "bind",
        source: `${dir}/init`,
        target: "/docker-entrypoint-initdb.d",
        read_only: true,
        bind: { create_host_path: true },
      },
      {
        type: "bind",
        source: "/home/user/.cache",
        target: "/cache",
        bind: { selinux: "z", create_host_path: true },
      },
      { type: "volume", target: "/anonymous", volume: {} },
      { type: "tmpfs", target: "/run", tmpfs: { size: 67108864, mode: 1777 } },
      { type: "volume", source: "data", target: "/copy", volume: { nocopy: true, subpath: "sub" } },
    ]);
    expect(project.volumes).toEqual({
      data: { name: "vols_data", labels: { tier: "db" } },
      shared: { name: "shared", external: true },
    });
    expect(yaml).toContain(`        tmpfs:
          size: "67108864"
          mode: 1777
`);
  });
});
