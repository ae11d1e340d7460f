import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeSchemaValidator, validateSchema } from "../../src/load/schema.js";
import { parseYaml, type Tree } from "../../src/load/source.js";

/** What the schema accepts: the corpus, every key of the specification, every long and short syntax. */

const CORPUS = "/work/shared/corpus/awesome-compose";
const FIXTURES = join(import.meta.dirname, "../fixtures/compose");
const SCHEMA = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../schemas/compose-spec.json"), "utf8"),
) as { definitions: Record<string, { properties: Record<string, unknown> }>; properties: object };

function load(yaml: string): Tree {
  return (parseYaml("compose.yaml", yaml).documents[0] ?? {}) as Tree;
}

const lines = (...text: string[]) => text.join("\n") + "\n";
const service = (...body: string[]) => lines("services:", "  web:", "    image: nginx", ...body);

function corpusFiles(): string[] {
  if (!existsSync(CORPUS)) return [];
  return readdirSync(CORPUS)
    .flatMap((dir) => ["compose.yaml", "compose.yml"].map((name) => join(CORPUS, dir, name)))
    .filter((path) => existsSync(path))
    .sort();
}

describe("the awesome-compose corpus", () => {
  const files = corpusFiles();

  it("is there", () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it.each(files)("%s parses and validates", (path) => {
    for (const document of parseYaml(path, readFileSync(path, "utf8")).documents) {
      expect(() => validateSchema(document as Tree, path)).not.toThrow();
    }
  });

  it("validation time of the largest file (printed, not asserted)", () => {
    const largest = [...files].sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const tree = parseYaml(largest, readFileSync(largest, "utf8")).documents[0] as Tree;
    validateSchema(tree, largest);
    const rounds = 200;
    const start = performance.now();
    for (let i = 0; i < rounds; i++) validateSchema(tree, largest);
    const each = (performance.now() - start) / rounds;
    console.log(
      `schema: validating ${largest} (${statSync(largest).size} bytes) takes ${(each * 1000).toFixed(0)} µs ` +
        `(validator ${composeSchemaValidator().origin})`,
    );
  });
});

describe("the kitchen-sink fixture", () => {
  const path = join(FIXTURES, "schema-kitchen-sink/compose.yaml");
  const tree = parseYaml(path, readFileSync(path, "utf8")).documents[0] as Tree;

  it("validates", () => {
    expect(() => validateSchema(tree, path)).not.toThrow();
  });

  it("uses every service key and every top-level key of the schema", () => {
    const services = tree.services as Record<string, Tree>;
    const used = new Set(Object.values(services).flatMap((s) => Object.keys(s)));
    const unused = Object.keys(SCHEMA.definitions.service!.properties).filter((key) => !used.has(key));
    expect(unused).toEqual([]);
    const topUnused = Object.keys(SCHEMA.properties).filter((key) => key !== "version" && !(key in tree));
    expect(topUnused).toEqual([]);
  });
});

const POSITIVE: Array<[string, string]> = [
  [
    "ports as number, string and long form",
    service(
      "    ports:",
      "      - 80",
      '      - "8080:80/udp"',
      '      - "127.0.0.1:9000-9010:9000-9010"',
      "      - target: 443",
      '        published: "8443"',
      "        protocol: tcp",
      "        x-note: ok",
    ),
  ],
  [
    "volumes short and long",
    service(
      "    volumes:",
      "      - ./data:/data:ro",
      "      - type: volume",
      "        source: db",
      "        target: /db",
      "        volume: { nocopy: true, subpath: a }",
      "      - { type: tmpfs, target: /t, tmpfs: { size: 10m, mode: 0755 } }",
      "      - { type: bind, source: ., target: /src, bind: { create_host_path: true, selinux: Z } }",
    ),
  ],
  ["depends_on as a list", service("    depends_on: [db, cache]")],
  [
    "depends_on as a map",
    service(
      "    depends_on:",
      "      db: { condition: service_started, required: false, restart: true }",
      "      job: { condition: service_completed_successfully }",
    ),
  ],
  ["environment and labels as lists", service("    environment: [A=1, B]", "    labels: [com.example=1]")],
  [
    "environment and labels as maps",
    service("    environment: { A: 1, B: null, C: true, D: text }", "    labels: { com.example: '1' }"),
  ],
  ["build as a string", service("    build: ./app")],
  [
    "build as a mapping",
    service("    build:", "      context: .", "      args: [A=1]", "      secrets: [s]", "      x-custom: 1"),
  ],
  [
    "healthcheck with a string test",
    service(
      "    healthcheck:",
      "      test: curl -f http://localhost",
      "      interval: 30s",
      "      retries: 3",
    ),
  ],
  [
    "healthcheck with a list test",
    service("    healthcheck:", "      test: [CMD-SHELL, exit 0]", "      start_period: 1m30s"),
  ],
  ["healthcheck disabled", service("    healthcheck:", "      disable: true")],
  [
    "logging",
    service("    logging:", "      driver: json-file", "      options: { max-size: 10m, max-file: 3 }"),
  ],
  [
    "ulimits as numbers and pairs",
    service("    ulimits:", "      nproc: 65535", "      nofile: { soft: 1, hard: 2 }"),
  ],
  [
    "every watch action",
    service(
      "    develop:",
      "      watch:",
      ...["sync", "rebuild", "sync+restart", "restart"].map(
        (a) => `        - { path: ./${a}, action: ${a}, target: /x }`,
      ),
      "        - { path: ., action: sync+exec, target: /x, exec: { command: [reload] } }",
    ),
  ],
  [
    "watch ignore and include as string or list",
    service(
      "    develop:",
      "      watch:",
      "        - { path: ., action: rebuild, ignore: node_modules/, include: ['*.go'] }",
    ),
  ],
  ["develop empty", service("    develop:")],
  [
    "deploy",
    service(
      "    deploy:",
      "      replicas: 2",
      "      resources:",
      "        limits: { cpus: '0.5', memory: 1g, pids: 10 }",
      "        reservations: { memory: 10m, devices: [{ capabilities: [gpu] }] }",
      "      restart_policy: { condition: any, max_attempts: 2 }",
      "      placement: { constraints: [a==b] }",
    ),
  ],
  ["deploy empty", service("    deploy:")],
  ["extends as a string", service("    extends: base")],
  ["extends as a mapping", service("    extends: { service: base, file: base.yaml }")],
  ["profiles", service("    profiles: [debug]")],
  [
    "secrets and configs short and long",
    service(
      "    secrets: [a, { source: b, target: /b, mode: 0400 }]",
      "    configs: [c, { source: d, uid: '1' }]",
    ),
  ],
  [
    "top-level secrets and configs",
    lines(
      "secrets:",
      "  a: { file: ./a }",
      "  b: { environment: B }",
      "  c: { external: true }",
      "configs:",
      "  d: { content: hello }",
      "  e: { external: { name: e } }",
    ),
  ],
  [
    "service networks as list, map and null entries",
    service(
      "    networks: [front]",
      "  other:",
      "    image: x",
      "    networks:",
      "      back:",
      "      front: { aliases: [a] }",
    ),
  ],
  ["top-level networks and volumes as null", lines("networks:", "  front:", "volumes:", "  data:")],
  [
    "include as strings and mappings",
    lines(
      "include:",
      "  - a.yaml",
      "  - path: b.yaml",
      "  - { path: [c.yaml, d.yaml], env_file: [c.env], project_directory: c }",
    ),
  ],
  [
    "x- extensions at every level",
    lines(
      "x-top: { any: [thing] }",
      "services:",
      "  web:",
      "    image: x",
      "    x-svc: 1",
      "    deploy: { x-d: 1, resources: { x-r: 1, limits: { x-l: 1 } } }",
      "    build: { context: ., x-b: 1 }",
      "networks:",
      "  n: { x-n: 1 }",
      "volumes:",
      "  v: { x-v: 1 }",
    ),
  ],
  [
    "command and entrypoint as null, string and list",
    service("    command: null", "    entrypoint: /bin/sh -c"),
  ],
  ["command as a list", service("    command: [echo, hi]", "    entrypoint: [/init]")],
  [
    "env_file as string, list and objects",
    service(
      "    env_file: [a.env, { path: b.env, required: false }]",
      "  other:",
      "    image: x",
      "    env_file: c.env",
    ),
  ],
  [
    "gpus all and list",
    service("    gpus: all", "  other:", "    image: x", "    gpus: [{ driver: nvidia, count: 2 }]"),
  ],
  [
    "extra_hosts list and map",
    service(
      "    extra_hosts: ['a:1.2.3.4']",
      "  other:",
      "    image: x",
      "    extra_hosts: { a: 1.2.3.4, b: [1.2.3.5, '::1'] }",
    ),
  ],
  [
    "restart values",
    service(
      "    restart: on-failure:3",
      "  b: { image: x, restart: 'no' }",
      "  c: { image: x, restart: always }",
      "  d: { image: x, restart: unless-stopped }",
    ),
  ],
  [
    "uninterpolated values (--no-interpolate)",
    service(
      "    privileged: ${PRIV}",
      "    restart: ${RESTART:-no}",
      "    container_name: ${NAME}",
      "    cpus: ${CPUS}",
      "    healthcheck:",
      "      interval: ${INTERVAL}",
      "      retries: ${RETRIES}",
      "    ports: [{ target: '${PORT}', published: '${PUB}' }]",
      "    deploy: { replicas: '${N}' }",
      "    pull_policy: ${POLICY}",
    ),
  ],
  [
    "!reset and !override values",
    service(
      "    ports: !reset []",
      "    environment: !override { A: 1 }",
      "    build: !reset null",
      "    volumes: [!override ./a:/a]",
    ),
  ],
  ["version as a string and as a number", lines("version: '3.8'", "services: {}")],
  [
    "models top-level and per service",
    lines("models:", "  m: { model: ai/x }", "services:", "  web:", "    image: x", "    models: [m]"),
  ],
  ["an empty file", ""],
];

describe("valid syntaxes", () => {
  it.each(POSITIVE)("%s", (_name, yaml) => {
    expect(() => validateSchema(load(yaml), "compose.yaml")).not.toThrow();
  });
});
