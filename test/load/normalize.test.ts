import { describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { normalizeTree, type NormalizeContext } from "../../src/load/normalize.js";
import { parsePortSpec } from "../../src/load/normalize-ports.js";
import { parseVolumeSpec } from "../../src/load/normalize-volumes.js";
import { keyLocationOf, locationOf, parseYaml, type Tree } from "../../src/load/source.js";

const ctx: NormalizeContext = {
  projectName: "demo",
  workingDir: "/srv/demo",
  environment: { HOME: "/home/me", FROM_ENV: "env-value" },
};

const parse = (yaml: string) => parseYaml("compose.yaml", yaml).documents[0] as Tree;
const normalize = (yaml: string, context: Partial<NormalizeContext> = {}) =>
  normalizeTree(parse(yaml), { ...ctx, ...context });
const service = (tree: Tree, name = "app") => (tree.services as Tree)[name] as Tree;

function failure(run: () => unknown): TscError {
  try {
    run();
  } catch (error) {
    if (TscError.is(error)) return error;
    throw error;
  }
  throw new Error("expected an error");
}

describe("port short syntax (docker's nat.ParsePortSpecs, compose-go ParsePortConfig)", () => {
  const port = (target: number, published?: string, host_ip?: string, protocol = "tcp") => ({
    mode: "ingress",
    ...(host_ip ? { host_ip } : {}),
    target,
    ...(published ? { published } : {}),
    protocol,
  });
  it.each([
    ["80", [port(80)]],
    [80, [port(80)]],
    ["8080:80", [port(80, "8080")]],
    ["127.0.0.1:8080:80/udp", [port(80, "8080", "127.0.0.1", "udp")]],
    ["127.0.0.1::80", [port(80, undefined, "127.0.0.1")]],
    ["80/SCTP", [port(80, undefined, undefined, "sctp")]],
    ["8000-8002:80-82", [port(80, "8000"), port(81, "8001"), port(82, "8002")]],
    ["3000-3002", [port(3000), port(3001), port(3002)]],
    ["8000-8010:80", [port(80, "8000-8010")]],
    ["[::1]:8080:80", [port(80, "8080", "::1")]],
    ["::1:8080:80", [port(80, "8080", "::1")]],
    ["9998-10001", [port(10000), port(10001), port(9998), port(9999)]],
  ])("%j", (spec, expected) => {
    expect(parsePortSpec(spec)).toEqual(expected);
  });

  it.each([
    ["", "no port specified"],
    ["abc", "invalid containerPort: abc"],
    ["70000", "invalid containerPort: 70000"],
    ["x:80:80", "invalid IP address: x"],
    ["80:80/ftp", "invalid proto: ftp"],
    ["8000-8001:80-82", "invalid ranges specified for container and host Ports: 80-82 and 8000-8001"],
    ["90-80", "invalid range specified for port: 90-80"],
  ])("rejects %j", (spec, message) => {
    const error = failure(() => parsePortSpec(spec));
    expect(error.code).toBe("E_LOAD_SHORT_SYNTAX");
    expect(error.message).toContain(message);
  });
});

describe("volume short syntax (compose-go format.ParseVolume)", () => {
  const bind = (source: string, target: string, extra: Tree = {}, bindOptions: Tree = {}) => ({
    type: "bind",
    source,
    target,
    ...extra,
    bind: { ...bindOptions, create_host_path: true },
  });
  it.each([
    ["/data", { type: "volume", target: "/data", volume: {} }],
    ["/d", { type: "volume", target: "/d" }],
    ["named:/data", { type: "volume", source: "named", target: "/data", volume: {} }],
    ["named:/data:ro", { type: "volume", source: "named", target: "/data", read_only: true, volume: {} }],
    ["named:/data:nocopy", { type: "volume", source: "named", target: "/data", volume: { nocopy: true } }],
    ["./src:/app", bind("./src", "/app")],
    ["/abs:/app:rw", bind("/abs", "/app")],
    ["~/cache:/cache:ro", bind("~/cache", "/cache", { read_only: true })],
    ["./x:/y:z", bind("./x", "/y", {}, { selinux: "z" })],
    ["./x:/y:ro,rshared", bind("./x", "/y", { read_only: true }, { propagation: "rshared" })],
    ["./x:/y/../z/", bind("./x", "/z")],
    ["${SRC}:/app", { type: "volume", source: "${SRC}", target: "/app", volume: {} }],
    ["${SRC:-./a}:/app", { type: "volume", source: "${SRC:-./a}", target: "/app", volume: {} }],
  ])("%s", (spec, expected) => {
    expect(parseVolumeSpec(spec)).toEqual(expected);
  });

  it.each([
    ["", "invalid empty volume spec"],
    [":/media/", "empty section between colons"],
    ["vol:/c:ro:x", "too many colons"],
  ])("rejects %j", (spec, message) => {
    const error = failure(() => parseVolumeSpec(spec));
    expect(error.code).toBe("E_LOAD_SHORT_SYNTAX");
    expect(error.message).toContain(message);
  });
});

describe("normalizeTree", () => {
  it("turns ports and volumes into long syntax with absolute bind sources", () => {
    const app = service(
      normalize(`
services:
  app:
    image: x
    ports: ["8080:80", {target: 443, published: "8443"}]
    volumes: ["./data:/data", "~/c:/c", {type: bind, source: ./long, target: /long}, {type: bind, source: ./b, target: /b, bind: {propagation: shared}}]
`),
    );
    expect(app.ports).toEqual([
      { mode: "ingress", target: 80, published: "8080", protocol: "tcp" },
      { mode: "ingress", target: 443, published: "8443", protocol: "tcp" },
    ]);
    expect(app.volumes).toEqual([
      { type: "bind", source: "/srv/demo/data", target: "/data", bind: { create_host_path: true } },
      { type: "bind", source: "/home/me/c", target: "/c", bind: { create_host_path: true } },
      { type: "bind", source: "/srv/demo/long", target: "/long" },
      {
        type: "bind",
        source: "/srv/demo/b",
        target: "/b",
        bind: { propagation: "shared", create_host_path: true },
      },
    ]);
  });

  it.each([
    ["build: .", { context: "/srv/demo", dockerfile: "Dockerfile" }],
    ["build: ./web/", { context: "/srv/demo/web", dockerfile: "Dockerfile" }],
    ["build: {dockerfile: Other}", { context: "/srv/demo", dockerfile: "Other" }],
    ["build: {dockerfile_inline: FROM x}", { context: "/srv/demo", dockerfile_inline: "FROM x" }],
    [
      "build: https://github.com/x/y.git",
      { context: "https://github.com/x/y.git", dockerfile: "Dockerfile" },
    ],
    [
      "build: {context: /abs, args: [A=1, FROM_ENV, UNSET]}",
      { context: "/abs", args: { A: "1", FROM_ENV: "env-value" }, dockerfile: "Dockerfile" },
    ],
  ])("build %s", (yaml, expected) => {
    expect(service(normalize(`services:\n  app:\n    ${yaml}\n`)).build).toEqual(expected);
  });

  it.each([
    ["environment: [A=1, B=, FROM_ENV, UNSET]", { A: "1", B: "", FROM_ENV: "env-value", UNSET: null }],
    ["environment: {A: 1, FROM_ENV: null, UNSET: null}", { A: 1, FROM_ENV: "env-value", UNSET: null }],
    ["environment: [A=b=c]", { A: "b=c" }],
  ])("%s", (yaml, expected) => {
    expect(service(normalize(`services:\n  app:\n    image: x\n    ${yaml}\n`)).environment).toEqual(
      expected,
    );
  });

  it("rejects an environment key with a trailing space", () => {
    const error = failure(() => normalize("services:\n  app:\n    image: x\n    environment: ['A =1']\n"));
    expect(error.message).toBe("environment variable A  is declared with a trailing space");
    expect(error.where?.line).toBe(4);
  });

  it.each([
    ["labels: [a=b, c]", "labels", { a: "b", c: "" }],
    ["env_file: .env", "env_file", [{ path: "/srv/demo/.env", required: true }]],
    [
      "env_file: [a.env, {path: /b.env, required: false}]",
      "env_file",
      [
        { path: "/srv/demo/a.env", required: true },
        { path: "/b.env", required: false },
      ],
    ],
    ["dns: 8.8.8.8", "dns", ["8.8.8.8"]],
    [
      "devices: [/dev/a, '/dev/b:/dev/c:r']",
      "devices",
      [
        { source: "/dev/a", target: "/dev/a", permissions: "rwm" },
        { source: "/dev/b", target: "/dev/c", permissions: "r" },
      ],
    ],
    ["secrets: [s]", "secrets", [{ source: "s", target: "/run/secrets/s" }]],
    ["gpus: all", "gpus", [{ count: "all" }]],
    ["pull_policy: if_not_present", "pull_policy", "missing"],
  ])("%s", (yaml, key, expected) => {
    expect(service(normalize(`services:\n  app:\n    image: x\n    ${yaml}\n`))[key]).toEqual(expected);
  });

  it.each([
    ["depends_on: [db]", { db: { condition: "service_started", required: true } }],
    [
      "depends_on: {db: {condition: service_healthy}}",
      { db: { condition: "service_healthy", required: true } },
    ],
    [
      "links: [db, 'cache:c']",
      {
        db: { condition: "service_started", restart: true, required: true },
        cache: { condition: "service_started", restart: true, required: true },
      },
    ],
    ["network_mode: service:db", { db: { condition: "service_started", restart: true, required: true } }],
    [
      "volumes_from: ['db:ro', 'container:other']",
      {
        db: { condition: "service_started", restart: false, required: true },
      },
    ],
    [
      "{depends_on: {db: {condition: service_healthy}}, links: [db]}",
      {
        db: { condition: "service_healthy", required: true },
      },
    ],
  ])("depends_on from %s", (yaml, expected) => {
    const text = yaml.startsWith("{") ? yaml.slice(1, -1).replace(/, links/, "\n    links") : yaml;
    expect(service(normalize(`services:\n  app:\n    image: x\n    ${text}\n`)).depends_on).toEqual(expected);
  });

  it("adds the default network to services without networks or network_mode", () => {
    const tree = normalize(`
services:
  app: {image: x}
  host: {image: x, network_mode: host}
  front: {image: x, networks: [front]}
networks:
  front:
`);
    expect(service(tree).networks).toEqual({ default: null });
    expect(service(tree, "host").networks).toBeUndefined();
    expect(service(tree, "front").networks).toEqual({ front: null });
    expect(tree.networks).toEqual({ front: { name: "demo_front" }, default: { name: "demo_default" } });
  });

  it.each([
    ["volumes", "data: {}", { data: { name: "demo_data" } }],
    ["volumes", "data: {name: mine}", { data: { name: "mine" } }],
    ["volumes", "data: {external: true}", { data: { external: true, name: "data" } }],
    ["networks", "net: {external: {name: legacy}}", { net: { external: true, name: "legacy" } }],
    ["secrets", "s: {file: ./s.txt}", { s: { file: "/srv/demo/s.txt", name: "demo_s" } }],
    ["configs", "c: {file: /etc/c}", { c: { file: "/etc/c", name: "demo_c" } }],
  ])("names %s %s", (section, yaml, expected) => {
    expect(
      normalize(`services:\n  app: {image: x, network_mode: host}\n${section}:\n  ${yaml}\n`)[section],
    ).toEqual(expected);
  });

  it("with normalize: false keeps long syntax and paths but adds nothing", () => {
    const tree = normalize(
      "services:\n  app:\n    build: .\n    ports: [80]\n    links: [db]\nvolumes:\n  v:\n",
      {
        normalize: false,
      },
    );
    expect(service(tree)).toEqual({
      build: { context: "/srv/demo" },
      ports: [{ mode: "ingress", target: 80, protocol: "tcp" }],
      links: ["db"],
    });
    expect(tree.volumes).toEqual({ v: null });
    expect(tree.name).toBeUndefined();
  });

  it("does not change its input and keeps source locations on rebuilt entries", () => {
    const input = parse(
      "services:\n  app:\n    image: x\n    depends_on: [db]\n    ports: ['8080:80']\n  db: {image: y}\n",
    );
    const before = JSON.stringify(input);
    const app = service(normalizeTree(input, ctx));
    expect(JSON.stringify(input)).toBe(before);
    expect(keyLocationOf(app.depends_on, "db")?.line).toBe(4);
    expect(locationOf(app.ports, 0)?.line).toBe(5);
  });

  it("points a bad short syntax at its line", () => {
    const error = failure(() =>
      normalize("services:\n  app:\n    image: x\n    ports:\n      - 'x:80:80'\n"),
    );
    expect(error.code).toBe("E_LOAD_SHORT_SYNTAX");
    expect(error.where).toMatchObject({ line: 5, column: 9 });
  });
});
