import { describe, expect, it } from "vitest";
import { TscError, type ErrorCode } from "../../src/errors.js";
import { checkConsistency } from "../../src/load/consistency.js";
import { parseYaml, type Tree } from "../../src/load/source.js";

const parse = (yaml: string) => parseYaml("compose.yaml", yaml).documents[0] as Tree;

function failure(yaml: string, normalized: boolean): TscError {
  try {
    checkConsistency(parse(yaml), { normalized });
  } catch (error) {
    if (TscError.is(error)) return error;
    throw error;
  }
  throw new Error("expected checkConsistency to fail");
}

interface Row {
  name: string;
  yaml: string;
  code: ErrorCode;
  message: string;
  /** line:column of the offending node. */
  at: string;
  hint?: string;
  /** The tree is in normalized long form (default: raw short forms, --no-normalize). */
  normalized?: boolean;
}

const rows: Row[] = [
  {
    name: "undefined network (list form) with did-you-mean",
    yaml: "services:\n  web:\n    image: nginx\n    networks: [front]\nnetworks:\n  frontend: {}\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "web" refers to undefined network front: invalid compose project',
    at: "4:16",
    hint: 'did you mean "frontend"?',
  },
  {
    name: "undefined network (map form, normalized)",
    yaml: "services:\n  web:\n    image: nginx\n    networks:\n      back: {}\nnetworks:\n  default: {}\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "web" refers to undefined network back: invalid compose project',
    at: "5:7",
    hint: 'define network "back" under the top-level `networks:` (defined: default)',
    normalized: true,
  },
  {
    name: "undefined named volume in short syntax",
    yaml: "services:\n  db:\n    image: postgres\n    volumes:\n      - dbdata:/var/lib/postgresql/data\nvolumes:\n  db-data: {}\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "db" refers to undefined volume dbdata: invalid compose project',
    at: "5:9",
    hint: 'did you mean "db-data"?',
  },
  {
    name: "undefined named volume in long syntax (at its source)",
    yaml: "services:\n  db:\n    image: postgres\n    volumes:\n      - type: volume\n        source: data\n        target: /data\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "db" refers to undefined volume data: invalid compose project',
    at: "6:17",
    normalized: true,
  },
  {
    name: "undefined secret (short)",
    yaml: "services:\n  web:\n    image: nginx\n    secrets: [token]\nsecrets:\n  tokens: {file: ./t}\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "web" refers to undefined secret token: invalid compose project',
    at: "4:15",
    hint: 'did you mean "tokens"?',
  },
  {
    name: "undefined config (long)",
    yaml: "services:\n  web:\n    image: nginx\n    configs:\n      - source: site\n        target: /etc/site\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "web" refers to undefined config site: invalid compose project',
    at: "5:17",
  },
  {
    name: "undefined build secret",
    yaml: "services:\n  web:\n    build:\n      context: .\n      secrets: [npmrc]\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "web" refers to undefined build secret npmrc: invalid compose project',
    at: "5:17",
  },
  {
    name: "depends_on an undefined service (list)",
    yaml: "services:\n  web:\n    image: nginx\n    depends_on: [bd]\n  db:\n    image: postgres\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "web" depends on undefined service "bd": invalid compose project',
    at: "4:18",
    hint: 'did you mean "db"?',
  },
  {
    name: "depends_on an undefined service (map, normalized)",
    yaml: "services:\n  web:\n    image: nginx\n    depends_on:\n      cache:\n        condition: service_started\n        required: true\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "web" depends on undefined service "cache": invalid compose project',
    at: "5:7",
    normalized: true,
  },
  {
    name: "links to an undefined service",
    yaml: "services:\n  web:\n    image: nginx\n    links: ['db:database']\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "web" links to undefined service "db": invalid compose project',
    at: "4:13",
  },
  {
    name: "volumes_from an undefined service",
    yaml: "services:\n  web:\n    image: nginx\n    volumes_from: ['data:ro']\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "web" mounts volumes from undefined service "data": invalid compose project',
    at: "4:20",
  },
  {
    name: "network_mode service:x with x undefined",
    yaml: "services:\n  web:\n    image: nginx\n    network_mode: service:vpn\n",
    code: "E_LOAD_UNDEFINED",
    message: "service \"vpn\" not found for network_mode 'service:vpn': invalid compose project",
    at: "4:19",
  },
  {
    name: "an extends left over that names no service",
    yaml: "services:\n  web:\n    image: nginx\n    extends: base\n",
    code: "E_LOAD_UNDEFINED",
    message: 'service "web" extends undefined service "base": invalid compose project',
    at: "4:14",
  },
  {
    name: "network_mode together with networks",
    yaml: "services:\n  web:\n    image: nginx\n    network_mode: host\n    networks: [default]\n",
    code: "E_LOAD_INVALID",
    message: "service web declares mutually exclusive `network_mode` and `networks`: invalid compose project",
    at: "5:5",
  },
  {
    name: "container_name with scale > 1",
    yaml: "services:\n  web:\n    image: nginx\n    container_name: web\n    scale: 3\n",
    code: "E_LOAD_INVALID",
    message:
      "services.web: can't set container_name and scale as container name must be unique: invalid compose project",
    at: "4:5",
  },
  {
    name: "container_name with deploy.replicas > 1",
    yaml: "services:\n  web:\n    image: nginx\n    container_name: web\n    deploy:\n      replicas: 2\n",
    code: "E_LOAD_INVALID",
    message:
      "services.web: can't set container_name and deploy.replicas as container name must be unique: invalid compose project",
    at: "4:5",
  },
  {
    name: "scale and deploy.replicas disagree",
    yaml: "services:\n  web:\n    image: nginx\n    scale: 2\n    deploy:\n      replicas: 3\n",
    code: "E_LOAD_INVALID",
    message:
      "services.web: can't set distinct values on 'scale' and 'deploy.replicas': invalid compose project",
    at: "4:5",
  },
  {
    name: "watch sync without target",
    yaml: "services:\n  web:\n    build: .\n    develop:\n      watch:\n        - path: ./src\n          action: sync\n",
    code: "E_LOAD_INVALID",
    message:
      "services.web.develop.watch: target is required for non-rebuild actions: invalid compose project",
    at: "7:11",
  },
  {
    name: "watch sync+exec without target",
    yaml: "services:\n  web:\n    build: .\n    develop:\n      watch:\n        - path: ./src\n          action: rebuild\n        - {path: ./lib, action: sync+exec, exec: {command: ls}}\n",
    code: "E_LOAD_INVALID",
    message:
      "services.web.develop.watch: target is required for non-rebuild actions: invalid compose project",
    at: "8:25",
  },
  {
    name: "two volumes on one target",
    yaml: "services:\n  web:\n    image: nginx\n    volumes:\n      - ./a:/data\n      - ./b:/data:ro\n",
    code: "E_LOAD_INVALID",
    message: "services.web.volumes[1]: target /data already mounted as services.web.volumes[0]",
    at: "6:9",
  },
  {
    name: "a tmpfs and a volume on one target",
    yaml: "services:\n  web:\n    image: nginx\n    tmpfs: /run\n    volumes:\n      - type: bind\n        source: ./run\n        target: /run\n",
    code: "E_LOAD_INVALID",
    message: "services.web.volumes[0]: target /run already mounted as services.web.tmpfs[0]",
    at: "6:9",
    normalized: true,
  },
  {
    name: "healthcheck test that does not start with CMD, CMD-SHELL or NONE",
    yaml: "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: [curl, -f, http://localhost]\n",
    code: "E_LOAD_INVALID",
    message: 'services.web.healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"',
    at: "5:14",
  },
  {
    name: "healthcheck disable with a test",
    yaml: "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: [CMD, true]\n      disable: true\n",
    code: "E_LOAD_INVALID",
    message: "services.web.healthcheck: test and disable can't be set at the same time",
    at: "6:7",
  },
  {
    name: "a service with neither image nor build",
    yaml: "services:\n  web:\n    command: echo hi\n",
    code: "E_LOAD_INVALID",
    message: 'service "web" has neither an image nor a build context specified: invalid compose project',
    at: "2:3",
  },
  {
    name: "dockerfile and dockerfile_inline together",
    yaml: "services:\n  web:\n    build:\n      context: .\n      dockerfile: Dockerfile\n      dockerfile_inline: FROM alpine\n",
    code: "E_LOAD_INVALID",
    message:
      'service "web" declares mutually exclusive dockerfile and dockerfile_inline: invalid compose project',
    at: "6:7",
  },
  {
    name: "a secret with neither file nor environment",
    yaml: "services:\n  web:\n    image: nginx\nsecrets:\n  token:\n    name: tok\n",
    code: "E_LOAD_INVALID",
    message: 'secret "token" must declare either `file` or `environment`: invalid compose project',
    at: "5:3",
  },
];

describe("checkConsistency rejects", () => {
  it.each(rows)("$name", ({ yaml, code, message, at, hint, normalized }) => {
    const error = failure(yaml, normalized ?? false);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(`${error.where?.line}:${error.where?.column}`).toBe(at);
    expect(error.where?.file).toBe("compose.yaml");
    expect(error.hint).toBeTruthy();
    if (hint) expect(error.hint).toContain(hint);
  });
});

describe("checkConsistency accepts", () => {
  it.each([
    {
      name: "every kind of reference when defined",
      yaml: `
services:
  web:
    image: nginx
    networks: [front, default]
    volumes: [data:/data, ./site:/site, /cache]
    secrets: [token]
    configs: [{source: site, target: /etc/site}]
    depends_on: [db]
    links: [db]
    volumes_from: [db, "container:other"]
    healthcheck: {test: curl -f http://localhost}
    develop:
      watch:
        - {path: ./src, action: rebuild}
        - {path: ./conf, action: restart}
        - {path: ./app, action: sync, target: /app}
  db:
    build: {context: ., secrets: [token]}
    network_mode: service:vpn
    healthcheck: {test: [NONE], disable: true}
  vpn:
    image: vpn
    container_name: vpn
    scale: 1
networks: {front: {}}
volumes: {data: {}}
secrets: {token: {environment: TOKEN}}
configs: {site: {file: ./site.conf}}
`,
    },
    {
      name: "an anonymous volume and a host path in long form",
      yaml: "services:\n  a:\n    image: x\n    volumes:\n      - {type: volume, target: /x}\n      - {type: bind, source: /h, target: /y}\n",
    },
    {
      name: "an external secret without file",
      yaml: "services:\n  a:\n    image: x\nsecrets:\n  s: {external: true}\n",
    },
    { name: "an empty file", yaml: "{}\n" },
  ])("$name", ({ yaml }) => {
    expect(() => checkConsistency(parse(yaml), { normalized: false })).not.toThrow();
  });

  it("checks services in name order, so the first error is stable", () => {
    const yaml =
      "services:\n  zeta:\n    image: x\n    networks: [nope]\n  alpha:\n    image: x\n    networks: [nada]\n";
    expect(failure(yaml, false).message).toContain('service "alpha"');
  });

  it("falls back to the service's location when a reference has none (a tree rebuilt by a phase)", () => {
    const tree = parse("services:\n  web:\n    image: nginx\n");
    ((tree.services as Tree).web as Tree).networks = { back: {} };
    const error = (() => {
      try {
        checkConsistency(tree, { normalized: true });
      } catch (e) {
        return e as TscError;
      }
      throw new Error("expected a failure");
    })();
    expect(error.code).toBe("E_LOAD_UNDEFINED");
    expect(`${error.where?.line}:${error.where?.column}`).toBe("2:3");
  });
});
