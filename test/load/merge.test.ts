import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { TscError } from "../../src/errors.js";
import { loadProject } from "../../src/load/index.js";
import { mergeService, mergeTrees, resetTags } from "../../src/load/merge.js";
import { locationAtPath, locationOf, parseYaml, type Tree } from "../../src/load/source.js";

const load = (file: string, text: string) => parseYaml(file, text).documents[0] as Tree;
const merge = (base: string, override: string) =>
  mergeTrees(mergeTrees({}, load("base.yaml", base)), load("override.yaml", override));
const svc = (body: string) => `services:\n  web:\n${body.replace(/^/gm, "    ")}\n`;

interface Row {
  name: string;
  base: string;
  override: string;
  expected: string;
}

/** One row per merge rule: base service body, override service body, expected service body. */
const serviceRows: Row[] = [
  // generic rules
  { name: "scalar is replaced", base: "image: a", override: "image: b", expected: "image: b" },
  { name: "null override keeps the base", base: "image: a", override: "image:", expected: "image: a" },
  { name: "new keys are added", base: "image: a", override: "user: root", expected: "image: a\nuser: root" },
  {
    name: "mappings merge recursively",
    base: "healthcheck: {interval: 1s, retries: 3}",
    override: "healthcheck: {retries: 5, timeout: 2s}",
    expected: "healthcheck: {interval: 1s, retries: 5, timeout: 2s}",
  },
  {
    name: "other sequences append",
    base: "security_opt: [a]",
    override: "security_opt: [b, a]",
    expected: "security_opt: [a, b, a]",
  },
  // override
  { name: "command overrides", base: "command: [a, b]", override: "command: [c]", expected: "command: [c]" },
  {
    name: "command string over list",
    base: "command: [a, b]",
    override: "command: echo hi",
    expected: "command: echo hi",
  },
  {
    name: "entrypoint overrides",
    base: "entrypoint: [a]",
    override: "entrypoint: [b]",
    expected: "entrypoint: [b]",
  },
  {
    name: "healthcheck.test overrides",
    base: "healthcheck: {test: [CMD, a], retries: 1}",
    override: "healthcheck: {test: [CMD, b]}",
    expected: "healthcheck: {test: [CMD, b], retries: 1}",
  },
  {
    name: "ulimits entries override",
    base: "ulimits: {nofile: {soft: 1, hard: 2}, nproc: 3, locks: {soft: 1, hard: 2}}",
    override: "ulimits: {nofile: {soft: 5}, locks: 9}",
    expected: "ulimits: {nofile: {soft: 5}, nproc: 3, locks: 9}",
  },
  // merge by key
  {
    name: "environment map over map",
    base: "environment: {A: '1', B: '2'}",
    override: "environment: {B: '3', C: '4'}",
    expected: "environment: {A: '1', B: '3', C: '4'}",
  },
  {
    name: "environment list over map",
    base: "environment: {A: '1', B: '2'}",
    override: "environment: [B=3, C, D=]",
    expected: "environment: {A: '1', B: '3', C: null, D: ''}",
  },
  {
    name: "environment map over list",
    base: "environment: [A=1, B=2=x]",
    override: "environment: {A: '9'}",
    expected: "environment: {A: '9', B: '2=x'}",
  },
  {
    name: "labels list over list",
    base: "labels: [a=1, b=2]",
    override: "labels: [b=3]",
    expected: "labels: {a: '1', b: '3'}",
  },
  {
    name: "annotations by key",
    base: "annotations: {a: '1'}",
    override: "annotations: [a=2, b=3]",
    expected: "annotations: {a: '2', b: '3'}",
  },
  {
    name: "sysctls by key",
    base: "sysctls: [net.core.somaxconn=1024]",
    override: "sysctls: {net.core.somaxconn: 2048, net.ipv4.tcp_syncookies: 0}",
    expected: "sysctls: {net.core.somaxconn: 2048, net.ipv4.tcp_syncookies: 0}",
  },
  {
    name: "build.args by key",
    base: "build: {context: ., args: [A=1, B=2]}",
    override: "build: {args: {B: '3'}}",
    expected: "build: {context: ., args: {A: '1', B: '3'}}",
  },
  {
    name: "build.labels and additional_contexts by key",
    base: "build: {context: ., labels: {a: '1'}, additional_contexts: [x=/a]}",
    override: "build: {labels: [a=2], additional_contexts: {y: /b}}",
    expected: "build: {context: ., labels: {a: '2'}, additional_contexts: {x: /a, y: /b}}",
  },
  {
    name: "deploy.labels by key",
    base: "deploy: {labels: [a=1], replicas: 1}",
    override: "deploy: {labels: {b: '2'}, replicas: 2}",
    expected: "deploy: {labels: {a: '1', b: '2'}, replicas: 2}",
  },
  // extra_hosts: appended, minus exact duplicates of the base
  {
    name: "extra_hosts sequence",
    base: "extra_hosts: [example.com=1.2.3.4]",
    override: "extra_hosts: [localhost=127.0.0.1, example.com=1.2.3.4, example.com=4.3.2.1]",
    expected: "extra_hosts: [example.com=1.2.3.4, localhost=127.0.0.1, example.com=4.3.2.1]",
  },
  {
    name: "extra_hosts mapping",
    base: "extra_hosts: {example.com: 1.2.3.4}",
    override: "extra_hosts: {localhost: 127.0.0.1, example.com: [1.2.3.4, 4.3.2.1]}",
    expected: "extra_hosts: [example.com=1.2.3.4, example.com=4.3.2.1, localhost=127.0.0.1]",
  },
  {
    name: "build.extra_hosts",
    base: "build: {context: ., extra_hosts: [a=1]}",
    override: "build: {extra_hosts: [a=1, b=2]}",
    expected: "build: {context: ., extra_hosts: [a=1, b=2]}",
  },
  // sequences that also accept a single string
  {
    name: "dns string and list",
    base: "dns: 1.1.1.1",
    override: "dns: [8.8.8.8, 1.1.1.1]",
    expected: "dns: [1.1.1.1, 8.8.8.8]",
  },
  {
    name: "dns_search and dns_opt",
    base: "dns_search: a.com\ndns_opt: [use-vc]",
    override: "dns_search: [b.com]\ndns_opt: [use-vc, rotate]",
    expected: "dns_search: [a.com, b.com]\ndns_opt: [use-vc, rotate]",
  },
  {
    name: "env_file strings",
    base: "env_file: foo.env",
    override: "env_file: bar.env",
    expected: "env_file: [foo.env, bar.env]",
  },
  {
    name: "env_file unique by path across forms",
    base: "env_file: [bar.env, foo.env]",
    override: "env_file: [{path: foo.env, required: false}]",
    expected: "env_file: [bar.env, {path: foo.env, required: false}]",
  },
  {
    name: "label_file appends",
    base: "label_file: a",
    override: "label_file: [b]",
    expected: "label_file: [a, b]",
  },
  {
    name: "tmpfs unique",
    base: "tmpfs: /run",
    override: "tmpfs: [/run, /tmp]",
    expected: "tmpfs: [/run, /tmp]",
  },
  // unique by key
  {
    name: "ports unique by ip+published+target+protocol",
    base: "ports: ['8080:80', '127.0.0.1:9090:90', '53:53/udp']",
    override: "ports: ['8080:80', '9090:90', '53:53', {target: 80, published: 8080, protocol: tcp}]",
    expected:
      "ports: [{target: 80, published: 8080, protocol: tcp}, '127.0.0.1:9090:90', '53:53/udp', '9090:90', '53:53']",
  },
  {
    name: "ports with ipv6 host and bare targets",
    base: "ports: ['[::1]:80:80', 3000]",
    override: "ports: ['[::1]:80:80/tcp', '3000']",
    expected: "ports: ['[::1]:80:80/tcp', '3000']",
  },
  {
    name: "volumes unique by target",
    base: "volumes: [foo:/work, {type: bind, source: ./b, target: /b}, /anon]",
    override: "volumes: [bar:/work:ro, c:/c, {type: volume, source: v, target: /anon}]",
    expected:
      "volumes: [bar:/work:ro, {type: bind, source: ./b, target: /b}, {type: volume, source: v, target: /anon}, c:/c]",
  },
  {
    name: "secrets unique by target",
    base: "secrets: [a, {source: b, target: /etc/b}]",
    override: "secrets: [{source: x, target: /run/secrets/a}, c, {source: y, target: /etc/b}]",
    expected: "secrets: [{source: x, target: /run/secrets/a}, {source: y, target: /etc/b}, c]",
  },
  {
    name: "configs unique by target",
    base: "configs: [a]",
    override: "configs: [{source: z, target: /a}, b]",
    expected: "configs: [{source: z, target: /a}, b]",
  },
  {
    name: "devices unique by container path",
    base: "devices: ['/dev/sda:/dev/sda', '/dev/sdb:/dev/sdb']",
    override: "devices: ['/dev/nvme0:/dev/sda', /dev/sdc]",
    expected: "devices: ['/dev/nvme0:/dev/sda', '/dev/sdb:/dev/sdb', /dev/sdc]",
  },
  {
    name: "expose unique",
    base: "expose: [80, '443']",
    override: "expose: ['80', 8080]",
    expected: "expose: ['80', '443', 8080]",
  },
  {
    name: "cap_add unique",
    base: "cap_add: [NET_ADMIN]",
    override: "cap_add: [NET_ADMIN, SYS_TIME]",
    expected: "cap_add: [NET_ADMIN, SYS_TIME]",
  },
  {
    name: "cap_drop unique",
    base: "cap_drop: [ALL]",
    override: "cap_drop: [ALL]",
    expected: "cap_drop: [ALL]",
  },
  {
    name: "links unique",
    base: "links: [db, cache:c]",
    override: "links: [db]",
    expected: "links: [db, cache:c]",
  },
  {
    name: "profiles unique",
    base: "profiles: [a]",
    override: "profiles: [b, a]",
    expected: "profiles: [a, b]",
  },
  // maps from lists
  {
    name: "depends_on list over map",
    base: "depends_on: {db: {condition: service_healthy}}",
    override: "depends_on: [db, cache]",
    expected:
      "depends_on: {db: {condition: service_started, required: true}, cache: {condition: service_started, required: true}}",
  },
  {
    name: "depends_on map over list",
    base: "depends_on: [db]",
    override: "depends_on: {db: {required: false}}",
    expected: "depends_on: {db: {condition: service_started, required: false}}",
  },
  {
    name: "networks list over map",
    base: "networks: {front: {aliases: [a]}}",
    override: "networks: [front, back]",
    expected: "networks: {front: {aliases: [a]}, back: null}",
  },
  {
    name: "network aliases unique",
    base: "networks: [front]",
    override: "networks: {front: {aliases: [b, b], link_local_ips: [fe80::1]}}",
    expected: "networks: {front: {aliases: [b], link_local_ips: ['fe80::1']}}",
  },
  {
    name: "models list",
    base: "models: [m1]",
    override: "models: {m2: {endpoint_var: U}}",
    expected: "models: {m1: null, m2: {endpoint_var: U}}",
  },
  // build
  {
    name: "build string over string",
    base: "build: ./a",
    override: "build: ./b",
    expected: "build: {context: ./b}",
  },
  {
    name: "build map over string",
    base: "build: ./a",
    override: "build: {dockerfile: D, tags: [x]}",
    expected: "build: {context: ./a, dockerfile: D, tags: [x]}",
  },
  {
    name: "build.tags unique, platforms append",
    base: "build: {context: ., tags: [x], platforms: [linux/amd64]}",
    override: "build: {tags: [x, y], platforms: [linux/amd64]}",
    expected: "build: {context: ., tags: [x, y], platforms: [linux/amd64, linux/amd64]}",
  },
  // logging
  {
    name: "logging same driver merges options",
    base: "logging: {driver: syslog, options: {a: '1'}}",
    override: "logging: {driver: syslog, options: {b: '2'}}",
    expected: "logging: {driver: syslog, options: {a: '1', b: '2'}}",
  },
  {
    name: "logging other driver replaces",
    base: "logging: {driver: local, options: {max-size: 10m}}",
    override: "logging: {driver: syslog, options: {b: '2'}}",
    expected: "logging: {driver: syslog, options: {b: '2'}}",
  },
  {
    name: "logging without driver merges",
    base: "logging: {options: {a: '1'}}",
    override: "logging: {driver: json-file, options: {b: '2'}}",
    expected: "logging: {driver: json-file, options: {a: '1', b: '2'}}",
  },
  // tags
  {
    name: "!reset removes the base value",
    base: "image: a\nports: ['80:80']\nenvironment: {FOO: bar, KEEP: x}",
    override: "ports: !reset []\nenvironment: {FOO: !reset null}",
    expected: "image: a\nenvironment: {KEEP: x}",
  },
  {
    name: "!reset of a list-form variable",
    base: "environment: [FOO=bar, KEEP=x]",
    override: "environment: {FOO: !reset}",
    expected: "environment: {KEEP: x}",
  },
  {
    name: "!override replaces instead of merging",
    base: "ports: ['8080:80']\nenvironment: {A: '1'}",
    override: "ports: !override ['8443:443']\nenvironment: !override [B=2]",
    expected: "ports: ['8443:443']\nenvironment: [B=2]",
  },
  {
    name: "!override with a new form",
    base: "build: {context: ., args: {A: '1'}}",
    override: "build: !override ./other",
    expected: "build: ./other",
  },
];

describe("mergeTrees: one row per rule", () => {
  it.each(serviceRows)("$name", ({ base, override, expected }) => {
    expect(merge(svc(base), svc(override))).toEqual(parse(svc(expected)));
  });
});

describe("mergeTrees: top-level rules", () => {
  it.each([
    {
      name: "network and volume labels by key",
      base: "networks: {n: {labels: [a=1]}}\nvolumes: {v: {labels: {a: '1'}}}",
      override: "networks: {n: {labels: {b: '2'}}}\nvolumes: {v: {labels: [a=2]}}",
      expected: "networks: {n: {labels: {a: '1', b: '2'}}}\nvolumes: {v: {labels: {a: '2'}}}",
    },
    {
      name: "ipam pools merge by subnet",
      base: "networks: {n: {ipam: {config: [{subnet: 10.0.0.0/16, gateway: 10.0.0.1}, {subnet: 10.1.0.0/16}], options: {a: '1'}}}}",
      override:
        "networks: {n: {ipam: {config: [{subnet: 10.0.0.0/16, ip_range: 10.0.5.0/24}, {subnet: 10.9.0.0/16}], options: {b: '2'}}}}",
      expected:
        "networks: {n: {ipam: {config: [{subnet: 10.0.0.0/16, gateway: 10.0.0.1, ip_range: 10.0.5.0/24}, {subnet: 10.1.0.0/16}, {subnet: 10.9.0.0/16}], options: {a: '1', b: '2'}}}}",
    },
    { name: "name is replaced", base: "name: a", override: "name: b", expected: "name: b" },
    {
      name: "x- extensions merge like any mapping",
      base: "x-common: {a: 1, l: [1]}",
      override: "x-common: {b: 2, l: [2]}",
      expected: "x-common: {a: 1, b: 2, l: [1, 2]}",
    },
    {
      name: "!reset removes a whole service",
      base: "services: {a: {image: a}, b: {image: b}}",
      override: "services: {b: !reset null}",
      expected: "services: {a: {image: a}}",
    },
    {
      name: "a later file may set a value again after a !reset",
      base: "services: {a: {image: a, command: x}}",
      override: "services: {a: {command: !reset null, user: !override root}}",
      expected: "services: {a: {image: a, user: root}}",
    },
  ])("$name", ({ base, override, expected }) => {
    expect(merge(base, override)).toEqual(parse(expected));
  });
});

describe("tags in a single file", () => {
  it("drops !reset keys and list items, unwraps !override", () => {
    const tree = load(
      "c.yaml",
      "services:\n  a:\n    image: !override x\n    command: !reset y\n    dns: [a, !reset b, c]\n",
    );
    expect(resetTags(tree)).toEqual({ services: { a: { image: "x", dns: ["a", "c"] } } });
    expect(mergeTrees({}, tree)).toEqual({ services: { a: { image: "x", dns: ["a", "c"] } } });
  });

  it("enforces unique keys within one file, as compose does after each file", () => {
    const tree = load(
      "c.yaml",
      "services:\n  a:\n    ports: ['80:80', '80:80']\n    environment: [A=1, A=2]\n",
    );
    expect(mergeTrees({}, tree)).toEqual({ services: { a: { ports: ["80:80"], environment: ["A=2"] } } });
  });
});

describe("merge errors", () => {
  it.each([
    { name: "mapping over list", base: "x-a: [1]", override: "x-a:\n  k: v\n", line: 2 },
    {
      name: "list over mapping",
      base: "services: {a: {deploy: {replicas: 1}}}",
      override: "services:\n  a:\n    deploy: [1]\n",
      line: 3,
    },
    { name: "scalar over mapping", base: "x-a: {k: v}", override: "x-a: text\n", line: 1 },
  ])("$name is E_LOAD_MERGE at the override", ({ base, override, line }) => {
    let caught: unknown;
    try {
      merge(base, override);
    } catch (error) {
      caught = error;
    }
    expect(TscError.is(caught)).toBe(true);
    const error = caught as TscError;
    expect(error.code).toBe("E_LOAD_MERGE");
    expect(error.where?.file).toBe("override.yaml");
    expect(error.where?.line).toBe(line);
    expect(error.hint).toMatch(/!override/);
  });
});

describe("source locations survive a merge", () => {
  const base =
    "services:\n  web:\n    image: a\n    ports:\n      - '80:80'\n    environment:\n      A: '1'\n";
  const override =
    "services:\n  web:\n    user: root\n    ports:\n      - '90:90'\n    environment:\n      - B=2\n    deploy:\n      replicas: 2\n";
  const merged = merge(base, override);

  it.each([
    { path: ["services", "web", "image"], file: "base.yaml", line: 3 },
    { path: ["services", "web", "user"], file: "override.yaml", line: 3 },
    { path: ["services", "web", "ports", 0], file: "base.yaml", line: 5 },
    { path: ["services", "web", "ports", 1], file: "override.yaml", line: 5 },
    { path: ["services", "web", "environment", "A"], file: "base.yaml", line: 7 },
    { path: ["services", "web", "environment", "B"], file: "override.yaml", line: 7 },
    { path: ["services", "web", "deploy", "replicas"], file: "override.yaml", line: 9 },
  ])("%j comes from its file and line", ({ path, file, line }) => {
    const where = locationAtPath(merged, path);
    expect(where?.file).toBe(file);
    expect(where?.line).toBe(line);
  });

  it("keeps the override's object untouched, with its own locations", () => {
    const deploy = (merged.services as Tree).web as Tree;
    expect(locationOf(deploy.deploy)?.file).toBe("override.yaml");
    expect(locationOf(deploy.deploy, "replicas")?.line).toBe(9);
  });

  it("does not modify its inputs", () => {
    const a = load("a.yaml", base);
    const b = load("b.yaml", override);
    const before = JSON.stringify([a, b]);
    mergeTrees(mergeTrees({}, a), b);
    expect(JSON.stringify([a, b])).toBe(before);
  });
});

describe("mergeService", () => {
  it("merges a service into the one it extends with the -f rules", () => {
    const base = load("b.yaml", "image: a\ncommand: [x]\nenvironment: [A=1]\nports: ['80:80']\n");
    const own = load("c.yaml", "command: [y]\nenvironment: {B: '2'}\nports: ['80:80', '81:81']\n");
    expect(mergeService(base, own, "web")).toEqual({
      image: "a",
      command: ["y"],
      environment: { A: "1", B: "2" },
      ports: ["80:80", "81:81"],
    });
  });
});

describe("compose.yaml + compose.override.yaml through loadProject", () => {
  const dir = fileURLToPath(new URL("../fixtures/compose/merge-files/", import.meta.url));
  const { tree } = loadProject({ cwd: dir, env: { HOME: "/home/test" }, normalize: false });

  it("merges the override file with the per-key rules", () => {
    expect(tree).toEqual({
      services: {
        web: {
          image: "nginx",
          command: ["nginx-debug"],
          environment: { A: "1", B: "2" },
          ports: ["8080:80", "8443:443"],
          volumes: ["other:/data"],
        },
      },
      volumes: { data: {}, other: {} },
    });
  });

  it("points values from the override file at that file", () => {
    const where = locationAtPath(tree, ["services", "web", "volumes", 0]);
    expect(where?.file).toBe(join(dir, "compose.override.yaml"));
    expect(where?.line).toBe(10);
    expect(locationAtPath(tree, ["services", "web", "image"])?.file).toBe(join(dir, "compose.yaml"));
  });
});
