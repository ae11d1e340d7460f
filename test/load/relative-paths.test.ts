import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { rebaseProject, rebaseService } from "../../src/load/relative-paths.js";
import { locationOf, parseYaml, type Tree } from "../../src/load/source.js";

const load = (text: string) => parseYaml("base.yaml", text).documents[0] as Tree;

describe("rebaseService", () => {
  it.each([
    { name: "build string", service: "build: ./app", expected: "build: /b/app" },
    {
      name: "remote build context",
      service: "build: https://github.com/x/y.git",
      expected: "build: https://github.com/x/y.git",
    },
    {
      name: "build map, additional contexts and ssh",
      service:
        "build: {context: ., additional_contexts: [lib=../lib, img=docker-image://x], ssh: [default, key=./id]}",
      expected:
        "build: {context: /b, additional_contexts: [lib=/lib, img=docker-image://x], ssh: [default, key=/b/id]}",
    },
    { name: "env_file string", service: "env_file: a.env", expected: "env_file: /b/a.env" },
    {
      name: "env_file list and long form",
      service: "env_file: [a.env, {path: ../c.env, required: false}, /abs.env]",
      expected: "env_file: [/b/a.env, {path: /c.env, required: false}, /abs.env]",
    },
    { name: "label_file", service: "label_file: [l.txt]", expected: "label_file: [/b/l.txt]" },
    {
      name: "bind mounts only",
      service:
        "volumes: [./d:/d:ro, named:/n, /abs:/a, ~/h:/h, {type: bind, source: x, target: /x}, {type: volume, source: v, target: /v}]",
      expected:
        "volumes: [/b/d:/d:ro, named:/n, /abs:/a, ~/h:/h, {type: bind, source: /b/x, target: /x}, {type: volume, source: v, target: /v}]",
    },
    {
      name: "watch paths",
      service: "develop: {watch: [{path: ./src, action: sync, target: /app}]}",
      expected: "develop: {watch: [{path: /b/src, action: sync, target: /app}]}",
    },
    { name: "nothing to change", service: "image: x\ncommand: [a]", expected: "image: x\ncommand: [a]" },
  ])("$name", ({ service, expected }) => {
    expect(rebaseService(load(service), { dir: "/b" })).toEqual(parse(expected));
  });

  it("returns the same object when nothing changes, and keeps locations otherwise", () => {
    const same = load("image: x\n");
    expect(rebaseService(same, { dir: "/b" })).toBe(same);
    const changed = rebaseService(load("image: x\nenv_file:\n  - a.env\n"), { dir: "/b" });
    expect(locationOf(changed, "image")?.line).toBe(1);
    expect(locationOf(changed.env_file, 0)?.line).toBe(3);
  });

  it("fills a missing build context only when asked (include does, extends does not)", () => {
    expect(rebaseService(load("build: {dockerfile: D}"), { dir: "/b" })).toEqual({
      build: { dockerfile: "D" },
    });
    expect(rebaseService(load("build: {dockerfile: D}"), { dir: "/b", defaultContext: true })).toEqual({
      build: { dockerfile: "D", context: "/b" },
    });
  });
});

describe("rebaseProject", () => {
  it("rebases services, config and secret files and local bind volumes", () => {
    const tree = load(
      [
        "services: {a: {build: .}}",
        "configs: {c: {file: ./c.txt}, e: {external: true}}",
        "secrets: {s: {file: s.txt}, env: {environment: TOKEN}}",
        "volumes: {v: {driver: local, driver_opts: {o: bind, type: none, device: ./data}}, n: {driver_opts: {o: bind, device: ./x}}}",
      ].join("\n"),
    );
    expect(rebaseProject(tree, { dir: "/p" })).toEqual(
      parse(
        [
          "services: {a: {build: /p}}",
          "configs: {c: {file: /p/c.txt}, e: {external: true}}",
          "secrets: {s: {file: /p/s.txt}, env: {environment: TOKEN}}",
          "volumes: {v: {driver: local, driver_opts: {o: bind, type: none, device: /p/data}}, n: {driver_opts: {o: bind, device: ./x}}}",
        ].join("\n"),
      ),
    );
  });
});
