import { describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { CAST_PATHS, castTypes } from "../../src/load/cast.js";
import type { LoadWarning } from "../../src/load/options.js";
import { stringify } from "yaml";
import { YamlTag, parseYaml, type Tree } from "../../src/load/source.js";

function cast(yaml: string) {
  const tree = parseYaml("compose.yaml", yaml).documents[0] as Tree;
  const warnings: LoadWarning[] = [];
  castTypes(tree, (w) => warnings.push(w));
  return { tree, warnings };
}

/** YAML with the string `value` at the dotted `path` (`*` becomes the key `any`, `[]` a one-item list). */
function yamlAt(path: string, value: string): string {
  const build = (parts: string[]): unknown => {
    if (parts.length === 0) return value;
    const [part, ...rest] = parts as [string, ...string[]];
    if (part === "[]") return [build(rest)];
    return { [part === "*" ? "any" : part]: build(rest) };
  };
  return stringify(build(path.split(".")));
}

function valueAt(tree: unknown, path: string): unknown {
  let node = tree;
  for (const part of path.split(".")) {
    const record = node as Record<string, unknown>;
    node = part === "[]" ? (node as unknown[])[0] : record[part === "*" ? "any" : part];
  }
  return node;
}

describe("castTypes: the table", () => {
  const sample = { bool: ["true", true], int: ["42", 42], float: ["0.5", 0.5] } as const;
  it.each(CAST_PATHS.map(([path, kind]) => [path, kind] as const))("%s is cast to %s", (path, kind) => {
    const [text, expected] = sample[kind];
    const { tree } = cast(yamlAt(path, text));
    expect(valueAt(tree, path)).toBe(expected);
  });

  it("covers the paths compose-go casts", () => {
    const paths = CAST_PATHS.map(([path]) => path);
    for (const expected of [
      "services.*.ports.[].target",
      "services.*.privileged",
      "services.*.read_only",
      "services.*.tty",
      "services.*.stdin_open",
      "services.*.init",
      "services.*.scale",
      "services.*.cpu_count",
      "services.*.healthcheck.retries",
      "services.*.deploy.replicas",
      "services.*.ulimits.*",
      "services.*.ulimits.*.soft",
      "networks.*.external",
      "volumes.*.external",
    ]) {
      expect(paths).toContain(expected);
    }
  });
});

describe("castTypes: values", () => {
  it.each([
    // booleans
    ["privileged", '"true"', true],
    ["privileged", '"false"', false],
    ["privileged", '"TRUE"', true],
    ["privileged", '"False"', false],
    ["tty", '"yes"', true],
    ["tty", '"Y"', true],
    ["tty", '"on"', true],
    ["tty", '"no"', false],
    ["tty", '"n"', false],
    ["tty", '"OFF"', false],
    ["init", "true", true],
    // integers
    ["scale", '"3"', 3],
    ["scale", '"+3"', 3],
    ["scale", '"007"', 7],
    ["scale", "3", 3],
    ["oom_score_adj", '"-500"', -500],
    ["pids_limit", '"-1"', -1],
    ["cpu_shares", '"9007199254740991"', 9007199254740991],
    // floats
    ["cpus", '"1.5"', 1.5],
    ["cpus", '"2"', 2],
    ["cpus", '".5"', 0.5],
    ["cpus", '"1e1"', 10],
    ["cpu_percent", '"-0.25"', -0.25],
  ])("services.web.%s: %s -> %j", (key, text, expected) => {
    const { tree } = cast(`services:\n  web:\n    ${key}: ${text}\n`);
    expect(((tree.services as Tree).web as Tree)[key]).toBe(expected);
  });

  it("warns about YAML 1.1 booleans, at the value", () => {
    const { warnings } = cast('services:\n  web:\n    tty: "yes"\n    privileged: "off"\n');
    expect(warnings).toEqual([
      {
        message: '"yes" for boolean is not supported by YAML 1.2, please use `true`',
        where: { file: "compose.yaml", line: 3, column: 10, lineText: '    tty: "yes"' },
      },
      {
        message: '"off" for boolean is not supported by YAML 1.2, please use `false`',
        where: { file: "compose.yaml", line: 4, column: 17, lineText: '    privileged: "off"' },
      },
    ]);
  });

  it("casts the long-syntax port target but leaves published a string", () => {
    const { tree } = cast(
      'services:\n  web:\n    ports:\n      - target: "80"\n        published: "8080"\n      - "81:81"\n',
    );
    expect(((tree.services as Tree).web as Tree).ports).toEqual([{ target: 80, published: "8080" }, "81:81"]);
  });

  it("casts ulimits in both forms and depends_on flags", () => {
    const { tree } = cast(
      [
        "services:",
        "  web:",
        "    ulimits:",
        '      nproc: "65535"',
        '      nofile: { soft: "20000", hard: "40000" }',
        "    depends_on:",
        '      db: { condition: service_started, required: "false", restart: "true" }',
        "    volumes:",
        '      - { type: volume, source: d, target: /d, read_only: "true", volume: { nocopy: "true" } }',
      ].join("\n"),
    );
    expect((tree.services as Tree).web).toEqual({
      ulimits: { nproc: 65535, nofile: { soft: 20000, hard: 40000 } },
      depends_on: { db: { condition: "service_started", required: false, restart: true } },
      volumes: [{ type: "volume", source: "d", target: "/d", read_only: true, volume: { nocopy: true } }],
    });
  });

  it("leaves strings outside the table alone, including look-alikes elsewhere", () => {
    const yaml =
      'x-tty: "true"\nservices:\n  web:\n    image: "123"\n    labels: { privileged: "true" }\n    build: { privileged: "true" }\n';
    const { tree } = cast(yaml);
    expect(tree).toEqual({
      "x-tty": "true",
      services: { web: { image: "123", labels: { privileged: "true" }, build: { privileged: "true" } } },
    });
  });

  it("casts through !override and !reset tags", () => {
    const { tree } = cast(
      'services:\n  web:\n    scale: !override "2"\n    ports: !reset [{ target: "80" }]\n',
    );
    const web = (tree.services as Tree).web as Tree;
    expect(web.scale).toEqual(new YamlTag("override", 2));
    expect(web.ports).toEqual(new YamlTag("reset", [{ target: 80 }]));
  });
});

describe("castTypes: errors", () => {
  it.each([
    ["privileged", '"maybe"', 'services.web.privileged must be a boolean, got "maybe"', 17],
    ["privileged", '""', 'services.web.privileged must be a boolean, got ""', 17],
    ["scale", '"two"', 'services.web.scale must be an integer, got "two"', 12],
    ["scale", '"1.5"', 'services.web.scale must be an integer, got "1.5"', 12],
    ["scale", '"1_000"', "must be an integer", 12],
    ["scale", '" 3"', "must be an integer", 12],
    ["pids_limit", '"9223372036854775808"', "must be an integer", 17],
    ["cpus", '"lots"', 'services.web.cpus must be a number, got "lots"', 11],
    ["cpus", '"1e999"', "must be a number", 11],
    ["cpus", '"NaN"', "must be a number", 11],
  ])("%s: %s is E_LOAD_TYPE", (key, text, message, column) => {
    let error: unknown;
    try {
      cast(`services:\n  web:\n    ${key}: ${text}\n`);
    } catch (caught) {
      error = caught;
    }
    expect(TscError.is(error)).toBe(true);
    const tsc = error as TscError;
    expect(tsc.code).toBe("E_LOAD_TYPE");
    expect(tsc.message).toContain(message);
    expect(tsc.where).toMatchObject({ file: "compose.yaml", line: 3, column });
    expect(tsc.hint).toBeTruthy();
  });

  it("names list items in the path", () => {
    expect(() => cast('services:\n  web:\n    ports:\n      - target: "http"\n')).toThrow(
      'services.web.ports[0].target must be an integer, got "http"',
    );
  });
});
