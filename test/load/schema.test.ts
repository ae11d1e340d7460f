import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import type { LoadWarning } from "../../src/load/options.js";
import { composeSchemaValidator, validateSchema } from "../../src/load/schema.js";
import { compileValidator, standaloneSource } from "../../src/load/schema-compile.js";
import { parseYaml, type Tree } from "../../src/load/source.js";

const CORPUS = "/work/shared/corpus/awesome-compose";
const FIXTURES = join(import.meta.dirname, "../fixtures/compose");
const SCHEMA = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../schemas/compose-spec.json"), "utf8"),
) as { definitions: Record<string, { properties: Record<string, unknown> }>; properties: object };

function load(yaml: string, file = "compose.yaml"): Tree {
  return parseYaml(file, yaml).documents[0] as Tree;
}

function failure(yaml: string): TscError {
  try {
    validateSchema(load(yaml), "compose.yaml");
  } catch (error) {
    if (TscError.is(error)) return error;
    throw error;
  }
  throw new Error("expected the schema to reject:\n" + yaml);
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

interface NegativeRow {
  name: string;
  yaml: string;
  code: "E_LOAD_SCHEMA" | "E_LOAD_UNKNOWN_KEY";
  line: number;
  column: number;
  message: string;
}

const NEGATIVE: NegativeRow[] = [
  {
    name: "unknown top-level key",
    yaml: lines("servces:", "  web:", "    image: nginx"),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 1,
    column: 1,
    message: '(root) additional property "servces" is not allowed (did you mean "services"?)',
  },
  {
    name: "unknown service key with did-you-mean",
    yaml: service("    helthcheck:", "      test: [CMD, true]"),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 4,
    column: 5,
    message: 'services.web additional property "helthcheck" is not allowed (did you mean "healthcheck"?)',
  },
  {
    name: "unknown service key without a close match",
    yaml: service("    colour: blue"),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 4,
    column: 5,
    message: 'services.web additional property "colour" is not allowed',
  },
  {
    name: "ports item of the wrong type",
    yaml: service("    ports:", '      - "8080:80"', "      - true"),
    code: "E_LOAD_SCHEMA",
    line: 6,
    column: 9,
    message: "services.web.ports.1 must be a number, a string or a mapping, got true",
  },
  {
    name: "ports not a list",
    yaml: service('    ports: "8080:80"'),
    code: "E_LOAD_SCHEMA",
    line: 4,
    column: 12,
    message: 'services.web.ports must be a list, got "8080:80"',
  },
  {
    name: "unknown key in the long port syntax",
    yaml: service("    ports:", "      - target: 80", "        publised: 8080"),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 6,
    column: 9,
    message: 'services.web.ports.0 additional property "publised" is not allowed (did you mean "published"?)',
  },
  {
    name: "duplicate ports",
    yaml: service("    ports:", '      - "80:80"', '      - "80:80"'),
    code: "E_LOAD_SCHEMA",
    line: 6,
    column: 9,
    message: "services.web.ports has duplicate items: services.web.ports.1 repeats services.web.ports.0",
  },
  {
    name: "environment of the wrong type",
    yaml: service("    environment: 5"),
    code: "E_LOAD_SCHEMA",
    line: 4,
    column: 18,
    message: "services.web.environment must be a mapping or a list, got 5",
  },
  {
    name: "environment list item that is not a string",
    yaml: service("    environment:", "      - A=1", "      - [B, 2]"),
    code: "E_LOAD_SCHEMA",
    line: 6,
    column: 9,
    message: "services.web.environment.1 must be a string, got a list",
  },
  {
    name: "environment map value that is a mapping",
    yaml: service("    environment:", "      A:", "        nested: 1"),
    code: "E_LOAD_SCHEMA",
    line: 6,
    column: 9,
    message:
      "services.web.environment.A must be a string, a number, a boolean or empty (null), got a mapping",
  },
  {
    name: "healthcheck.retries of the wrong type",
    yaml: service("    healthcheck:", "      retries: [3]"),
    code: "E_LOAD_SCHEMA",
    line: 5,
    column: 16,
    message: "services.web.healthcheck.retries must be a number or a string, got a list",
  },
  {
    name: "healthcheck interval that is not a duration",
    yaml: service("    healthcheck:", "      interval: 10 seconds"),
    code: "E_LOAD_SCHEMA",
    line: 5,
    column: 17,
    message:
      'services.web.healthcheck.interval must be a duration such as "30s", "1m30s" or "1h", got "10 seconds"',
  },
  {
    name: "bad depends_on condition",
    yaml: service("    depends_on:", "      db:", "        condition: service_healty"),
    code: "E_LOAD_SCHEMA",
    line: 6,
    column: 20,
    message:
      'services.web.depends_on.db.condition must be one of "service_started", "service_healthy" or ' +
      '"service_completed_successfully", got "service_healty" (did you mean "service_healthy"?)',
  },
  {
    name: "depends_on entry without condition",
    yaml: service("    depends_on:", "      db:", "        required: false"),
    code: "E_LOAD_SCHEMA",
    line: 6,
    column: 9,
    message: 'services.web.depends_on.db must have the property "condition"',
  },
  {
    name: "depends_on as a string",
    yaml: service("    depends_on: db"),
    code: "E_LOAD_SCHEMA",
    line: 4,
    column: 17,
    message: 'services.web.depends_on must be a list or a mapping, got "db"',
  },
  {
    name: "bad watch action",
    yaml: service("    develop:", "      watch:", "        - path: ./src", "          action: synk"),
    code: "E_LOAD_SCHEMA",
    line: 7,
    column: 19,
    message:
      'services.web.develop.watch.0.action must be one of "rebuild", "restart", "sync", "sync+restart" or ' +
      '"sync+exec", got "synk" (did you mean "sync"?)',
  },
  {
    name: "watch rule without path",
    yaml: service("    develop:", "      watch:", "        - action: rebuild"),
    code: "E_LOAD_SCHEMA",
    line: 6,
    column: 11,
    message: 'services.web.develop.watch.0 must have the property "path"',
  },
  {
    name: "unknown key in a watch rule",
    yaml: service(
      "    develop:",
      "      watch:",
      "        - path: .",
      "          action: sync",
      "          initial-sync: true",
    ),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 8,
    column: 11,
    message:
      'services.web.develop.watch.0 additional property "initial-sync" is not allowed (did you mean "initial_sync"?)',
  },
  {
    name: "invalid restart value",
    yaml: service("    restart: sometimes"),
    code: "E_LOAD_SCHEMA",
    line: 4,
    column: 14,
    message:
      'services.web.restart must be one of "no", always, unless-stopped or on-failure[:max-retries], got "sometimes"',
  },
  {
    name: "unknown key inside deploy.resources",
    yaml: service("    deploy:", "      resources:", "        limit:", "          memory: 1g"),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 6,
    column: 9,
    message:
      'services.web.deploy.resources additional property "limit" is not allowed (did you mean "limits"?)',
  },
  {
    name: "unknown key inside deploy.resources.limits",
    yaml: service("    deploy:", "      resources:", "        limits:", "          memry: 1g"),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 7,
    column: 11,
    message:
      'services.web.deploy.resources.limits additional property "memry" is not allowed (did you mean "memory"?)',
  },
  {
    name: "device reservation without capabilities",
    yaml: service(
      "    deploy:",
      "      resources:",
      "        reservations:",
      "          devices:",
      "            - driver: nvidia",
    ),
    code: "E_LOAD_SCHEMA",
    line: 8,
    column: 15,
    message: 'services.web.deploy.resources.reservations.devices.0 must have the property "capabilities"',
  },
  {
    name: "volume long syntax with an unknown type",
    yaml: service("    volumes:", "      - type: bnd", "        source: .", "        target: /app"),
    code: "E_LOAD_SCHEMA",
    line: 5,
    column: 15,
    message:
      'services.web.volumes.0.type must be one of "bind", "volume", "tmpfs", "cluster", "npipe" or "image", ' +
      'got "bnd" (did you mean "bind"?)',
  },
  {
    name: "volume long syntax without type",
    yaml: service("    volumes:", "      - source: .", "        target: /app"),
    code: "E_LOAD_SCHEMA",
    line: 5,
    column: 9,
    message: 'services.web.volumes.0 must have the property "type"',
  },
  {
    name: "service volumes as a mapping",
    yaml: service("    volumes:", "      data: /data"),
    code: "E_LOAD_SCHEMA",
    line: 5,
    column: 7,
    message: "services.web.volumes must be a list, got a mapping",
  },
  {
    name: "invalid service name",
    yaml: lines("services:", "  web app:", "    image: nginx"),
    code: "E_LOAD_SCHEMA",
    line: 2,
    column: 3,
    message: `services has an invalid name "web app": use only letters, digits, '.', '_' and '-'`,
  },
  {
    name: "service that is empty",
    yaml: lines("services:", "  web:"),
    code: "E_LOAD_SCHEMA",
    line: 2,
    column: 3,
    message: "services.web must be a mapping, got an empty value",
  },
  {
    name: "unknown key in a top-level network",
    yaml: lines("services: {}", "networks:", "  front:", "    drver: bridge"),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 4,
    column: 5,
    message: 'networks.front additional property "drver" is not allowed (did you mean "driver"?)',
  },
  {
    name: "unknown key in external of a volume",
    yaml: lines("services: {}", "volumes:", "  data:", "    external:", "      nme: data"),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 5,
    column: 7,
    message: 'volumes.data.external additional property "nme" is not allowed (did you mean "name"?)',
  },
  {
    name: "secret long syntax with a typo",
    yaml: service("    secrets:", "      - source: token", "        tagret: /run/token"),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 6,
    column: 9,
    message: 'services.web.secrets.0 additional property "tagret" is not allowed (did you mean "target"?)',
  },
  {
    name: "build object with a typo",
    yaml: service("    build:", "      context: .", "      dockerfil: Dockerfile"),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 6,
    column: 7,
    message: 'services.web.build additional property "dockerfil" is not allowed (did you mean "dockerfile"?)',
  },
  {
    name: "ulimit without hard",
    yaml: service("    ulimits:", "      nofile:", "        soft: 1024"),
    code: "E_LOAD_SCHEMA",
    line: 6,
    column: 9,
    message: 'services.web.ulimits.nofile must have the property "hard"',
  },
  {
    name: "extends without service",
    yaml: service("    extends:", "      file: base.yaml"),
    code: "E_LOAD_SCHEMA",
    line: 5,
    column: 7,
    message: 'services.web.extends must have the property "service"',
  },
  {
    name: "logging with an unknown key",
    yaml: service("    logging:", "      driver: json-file", "      option: {}"),
    code: "E_LOAD_UNKNOWN_KEY",
    line: 6,
    column: 7,
    message: 'services.web.logging additional property "option" is not allowed (did you mean "options"?)',
  },
  {
    name: "cgroup outside its enum",
    yaml: service("    cgroup: hosts"),
    code: "E_LOAD_SCHEMA",
    line: 4,
    column: 13,
    message: 'services.web.cgroup must be one of "host" or "private", got "hosts" (did you mean "host"?)',
  },
  {
    name: "command as a mapping",
    yaml: service("    command:", "      run: x"),
    code: "E_LOAD_SCHEMA",
    line: 5,
    column: 7,
    message: "services.web.command must be empty (null), a string or a list, got a mapping",
  },
  {
    name: "include entry without path",
    yaml: lines("include:", "  - env_file: a.env", "services: {}"),
    code: "E_LOAD_SCHEMA",
    line: 2,
    column: 5,
    message: 'include.0 must have the property "path"',
  },
  {
    name: "oom_score_adj out of range",
    yaml: service("    oom_score_adj: 2000"),
    code: "E_LOAD_SCHEMA",
    line: 4,
    column: 20,
    message: "services.web.oom_score_adj must be <= 1000, got 2000",
  },
  {
    name: "ulimit name that is not lowercase letters",
    yaml: service("    ulimits:", "      NOFILE: 1024"),
    code: "E_LOAD_SCHEMA",
    line: 5,
    column: 7,
    message: 'services.web.ulimits has an invalid name "NOFILE": use only lowercase letters',
  },
  {
    name: "!override value still validated",
    yaml: service("    environment: !override [1]"),
    code: "E_LOAD_SCHEMA",
    line: 4,
    column: 29,
    message: "services.web.environment.0 must be a string, got 1",
  },
];

describe("schema errors", () => {
  it.each(NEGATIVE)("$name: $code at $line:$column", (row) => {
    const error = failure(row.yaml);
    expect(error.message).toBe(row.message);
    expect(error.code).toBe(row.code);
    expect(error.where).toMatchObject({ file: "compose.yaml", line: row.line, column: row.column });
    expect(error.where?.lineText).toBe(row.yaml.split("\n")[row.line - 1]);
    expect(error.hint).toBeTruthy();
  });

  it("hints at the rename for a typo and at x- for an unknown key", () => {
    expect(failure(service("    imgae: nginx")).hint).toBe('rename "imgae" to "image"');
    expect(failure(service("    colour: blue")).hint).toBe(
      'remove "colour", or rename it to "x-colour" to keep it as an extension',
    );
    expect(failure(service("    logging:", "      drive: syslog")).hint).toBe('rename "drive" to "driver"');
    expect(failure(service("    logging:", "      level: 3")).hint).toBe(
      'remove "level", or rename it to "x-level" to keep it as an extension; allowed here: driver, options',
    );
  });

  it("reports one error, not the cascade of every anyOf branch", () => {
    // ports.0 fails the number branch, the string branch and (by the unknown key) the mapping branch;
    // depends_on fails the list branch and (by the enum) the mapping branch; both should yield one line.
    const ports = failure(service("    ports:", "      - target: 80", "        protocl: tcp"));
    expect(ports.message).toBe(
      'services.web.ports.0 additional property "protocl" is not allowed (did you mean "protocol"?)',
    );
    expect(ports.message.split("\n")).toHaveLength(1);
    const validate = composeSchemaValidator().validate;
    validate(load(service("    ports:", "      - target: 80", "        protocl: tcp")));
    expect(validate.errors!.length).toBeGreaterThan(2);
  });

  it("picks the deepest error when several parts of the file are wrong", () => {
    const error = failure(
      lines(
        "servces: {}",
        "services:",
        "  web:",
        "    image: nginx",
        "    deploy:",
        "      resources:",
        "        limits:",
        "          cpus: [1]",
      ),
    );
    expect(error.message).toBe(
      "services.web.deploy.resources.limits.cpus must be a number or a string, got a list",
    );
    expect(error.where).toMatchObject({ line: 8, column: 17 });
  });

  it("reports the first in the file among equally deep errors", () => {
    const error = failure(service("    foo: 1", "    bar: 2"));
    expect(error.message).toContain('"foo"');
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
    expect(() => validateSchema(load(yaml) ?? {}, "compose.yaml")).not.toThrow();
  });
});

describe("the version attribute", () => {
  it("warns that it is obsolete, at the key, without failing", () => {
    const warnings: LoadWarning[] = [];
    validateSchema(load(lines("services: {}", "version: '3.8'")), "/p/compose.yaml", (w) => warnings.push(w));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe(
      "/p/compose.yaml: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion",
    );
    expect(warnings[0]!.where).toMatchObject({ line: 2, column: 1 });
  });

  it("says nothing when there is none", () => {
    const warnings: LoadWarning[] = [];
    validateSchema(load(lines("services: {}")), "compose.yaml", (w) => warnings.push(w));
    expect(warnings).toEqual([]);
  });
});

describe("tagged values", () => {
  it("leaves the tree it was given untouched", () => {
    const tree = load(service("    ports: !reset []"));
    validateSchema(tree, "compose.yaml");
    expect((tree.services as Record<string, Tree>).web!.ports).toMatchObject({ tag: "reset" });
  });

  it("locates errors inside an !override value", () => {
    const error = failure(service("    ports: !override", "      - target: 80", "        publsh: 1"));
    expect(error.code).toBe("E_LOAD_UNKNOWN_KEY");
    expect(error.where).toMatchObject({ line: 6, column: 9 });
  });
});

describe("the compiled validator", () => {
  const require = createRequire(import.meta.url);

  function fromSource(source: string): ValidateFunction {
    const module = { exports: {} as unknown };
    new Function("module", "exports", "require", source)(module, module.exports, require);
    return module.exports as ValidateFunction;
  }

  it("compile time of the schema (printed, not asserted)", () => {
    let start = performance.now();
    compileValidator();
    const compiled = performance.now() - start;
    const source = standaloneSource();
    start = performance.now();
    fromSource(source);
    const evaluated = performance.now() - start;
    console.log(
      `schema: compiling with ajv takes ${compiled.toFixed(0)} ms; evaluating the precompiled standalone code ` +
        `(${source.length} bytes) takes ${evaluated.toFixed(0)} ms; this run validates with the ` +
        `${composeSchemaValidator().origin} validator`,
    );
  });

  it("the standalone code reports the same errors as the schema compiled in-process", () => {
    const standalone = fromSource(standaloneSource());
    expect((standalone as unknown as { schemaDigest: string }).schemaDigest).toMatch(/^[0-9a-f]{64}$/);
    const validate = compileValidator();
    const summary = (v: ValidateFunction) => (v.errors ?? []).map((e) => `${e.keyword} ${e.instancePath}`);
    for (const row of NEGATIVE) {
      const tree = load(row.yaml);
      expect(standalone(tree)).toBe(validate(tree));
      expect(summary(standalone)).toEqual(summary(validate));
    }
  });
});
