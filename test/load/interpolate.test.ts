import { describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import { collectVariables, formatPath, interpolateTree } from "../../src/load/interpolate.js";
import type { LoadWarning } from "../../src/load/options.js";
import { YamlTag, locationOf, parseYaml, type Tree } from "../../src/load/source.js";

const ENV: Record<string, string> = { IMAGE: "nginx", TAG: "1.25", EMPTY: "", PORT: "8080", USER: "app" };

function load(yaml: string, env: Record<string, string> = ENV) {
  const tree = parseYaml("compose.yaml", yaml).documents[0] as Tree;
  const warnings: LoadWarning[] = [];
  const out = interpolateTree(tree, env, (w) => warnings.push(w));
  return { tree: out, warnings };
}

function failure(yaml: string, env: Record<string, string> = ENV): TscError {
  try {
    load(yaml, env);
  } catch (error) {
    if (TscError.is(error)) return error;
    throw error;
  }
  throw new Error("expected the load to fail");
}

describe("interpolateTree: values", () => {
  // Each row: one `image:` value as written in YAML, and what it becomes.
  it.each([
    ["$IMAGE", "nginx"],
    ["${IMAGE}", "nginx"],
    ["${IMAGE}:${TAG}", "nginx:1.25"],
    ['"${IMAGE}:${TAG}"', "nginx:1.25"],
    ["'${IMAGE}'", "nginx"],
    ["${MISSING:-busybox}", "busybox"],
    ["${EMPTY:-busybox}", "busybox"],
    ["${EMPTY-busybox}", ""],
    ["${MISSING-busybox}", "busybox"],
    ["${IMAGE:+custom}", "custom"],
    ["${EMPTY:+custom}", ""],
    ["${EMPTY+custom}", "custom"],
    ["${MISSING+custom}", ""],
    ["${IMAGE:?needed}", "nginx"],
    ["${EMPTY?needed}", ""],
    ["${FOO:-${BAR:-x}_test}", "x_test"],
    ["${FOO:-${IMAGE}_test}", "nginx_test"],
    ["${FOO:-${BAR:-${TAG}}}", "1.25"],
    ["$$IMAGE", "$IMAGE"],
    ["$${IMAGE}", "${IMAGE}"],
    ["'price: 5$'", "price: 5$"],
    ["registry/${IMAGE}:${TAG:-latest}", "registry/nginx:1.25"],
  ])("image: %s -> %j", (yaml, expected) => {
    const { tree } = load(`services:\n  web:\n    image: ${yaml}\n`);
    expect((tree.services as Tree).web).toEqual({ image: expected });
  });

  it("interpolates every string at any depth, in lists, maps and x- extensions, and leaves keys alone", () => {
    const { tree } = load(
      [
        "x-common: &common",
        "  image: ${IMAGE}",
        "  labels: { tier: '${TAG}' }",
        "services:",
        "  ${IMAGE}:",
        "    <<: *common",
        "    command: [echo, $USER, '${PORT}']",
        "    environment:",
        "      ${PORT}: ${PORT}",
        "    env_list:",
        "      - USER=${USER}",
        "    ports:",
        '      - "${PORT}:80"',
        "    healthcheck:",
        "      retries: 3",
        "      disable: false",
        "volumes:",
        "  data:",
        "    driver_opts: { device: '/srv/${USER}' }",
      ].join("\n"),
    );
    expect(tree).toEqual({
      "x-common": { image: "nginx", labels: { tier: "1.25" } },
      services: {
        "${IMAGE}": {
          image: "nginx",
          labels: { tier: "1.25" },
          command: ["echo", "app", "8080"],
          environment: { "${PORT}": "8080" },
          env_list: ["USER=app"],
          ports: ["8080:80"],
          healthcheck: { retries: 3, disable: false },
        },
      },
      volumes: { data: { driver_opts: { device: "/srv/app" } } },
    });
  });

  it("works in place: the same containers, with their source locations", () => {
    const parsed = parseYaml("compose.yaml", "services:\n  web:\n    image: ${IMAGE}\n").documents[0] as Tree;
    const web = (parsed.services as Tree).web as Tree;
    const before = locationOf(web, "image");
    const out = interpolateTree(parsed, ENV, () => {});
    expect(out).toBe(parsed);
    expect((out.services as Tree).web).toBe(web);
    expect(web.image).toBe("nginx");
    expect(locationOf(web, "image")).toEqual(before);
  });

  it("interpolates inside !reset and !override values", () => {
    const { tree } = load(
      "services:\n  web:\n    image: !override ${IMAGE}\n    ports: !reset ['${PORT}:80']\n",
    );
    const web = (tree.services as Tree).web as Tree;
    expect(web.image).toBeInstanceOf(YamlTag);
    expect((web.image as YamlTag).value).toBe("nginx");
    expect((web.image as YamlTag).tag).toBe("override");
    expect((web.ports as YamlTag).value).toEqual(["8080:80"]);
  });

  it("leaves numbers, booleans and nulls as they are", () => {
    const { tree } = load("services:\n  web:\n    scale: 2\n    tty: true\n    init: null\n    cpus: 0.5\n");
    expect((tree.services as Tree).web).toEqual({ scale: 2, tty: true, init: null, cpus: 0.5 });
  });

  it("reads only own keys of the environment", () => {
    const { tree } = load("x-a: ${constructor}${toString}\n", {});
    expect(tree["x-a"]).toBe("");
  });
});

describe("interpolateTree: errors", () => {
  it.each([
    ["    image: ${", 3, 12, '"${"'],
    ["    image: nginx:${TAG", 3, 18, '"${TAG"'],
    ["    image: ${ IMAGE }", 3, 12, '"${ IMAGE }"'],
    ['    image: "a ${b c}"', 3, 15, '"${b c}"'],
    ["    command: [echo, '${x!}']", 3, 22, '"${x!}"'],
    ["    environment:\n      A: ${}", 4, 10, '"${}"'],
  ])("%j is E_LOAD_INTERPOLATION at %d:%d quoting %s", (line, row, column, quoted) => {
    const error = failure(`services:\n  web:\n${line}\n`);
    expect(error.code).toBe("E_LOAD_INTERPOLATION");
    expect(error.where).toMatchObject({ file: "compose.yaml", line: row, column });
    expect(error.message).toContain("invalid interpolation format for services.web.");
    expect(error.message).toContain(quoted);
    expect(error.hint).toContain("$$");
  });

  it.each([
    [
      "    image: ${NEEDED:?the image to run}",
      3,
      12,
      "required variable NEEDED is missing a value: the image to run",
    ],
    ["    image: ${NEEDED?}", 3, 12, "required variable NEEDED is missing a value"],
    [
      "    image: ${EMPTY:?must not be empty}",
      3,
      12,
      "required variable EMPTY is missing a value: must not be empty",
    ],
    [
      "    image: x-${MISSING:-${NEEDED:?inner}}",
      3,
      25,
      "required variable NEEDED is missing a value: inner",
    ],
    [
      "    environment:\n      - A=${NEEDED:?set A}",
      4,
      11,
      "required variable NEEDED is missing a value: set A",
    ],
    ["    image: ${TAG:+${NEEDED?because TAG is set}}", 3, 19, "required variable NEEDED"],
  ])("%j is E_LOAD_REQUIRED_VAR at %d:%d", (line, row, column, message) => {
    const error = failure(`services:\n  web:\n${line}\n`);
    expect(error.code).toBe("E_LOAD_REQUIRED_VAR");
    expect(error.where).toMatchObject({ file: "compose.yaml", line: row, column });
    expect(error.message).toContain(message);
    expect(error.message).toContain("services.web.");
    expect(error.hint).toMatch(/^set \w+ in the shell environment/);
  });

  it("names the path with list indices", () => {
    const error = failure("services:\n  web:\n    command:\n      - ok\n      - ${\n");
    expect(error.message).toContain("services.web.command[1]");
    expect(error.where).toMatchObject({ line: 5, column: 9, lineText: "      - ${" });
  });
});

describe("interpolateTree: unset variables", () => {
  it("warns once per reference, at the reference", () => {
    const { warnings } = load("services:\n  web:\n    image: ${NOPE}:$ALSO_NOPE\n    command: [$NOPE]\n");
    expect(warnings).toEqual([
      {
        message: 'The "NOPE" variable is not set. Defaulting to a blank string.',
        where: { file: "compose.yaml", line: 3, column: 12, lineText: "    image: ${NOPE}:$ALSO_NOPE" },
      },
      {
        message: 'The "ALSO_NOPE" variable is not set. Defaulting to a blank string.',
        where: { file: "compose.yaml", line: 3, column: 20, lineText: "    image: ${NOPE}:$ALSO_NOPE" },
      },
      {
        message: 'The "NOPE" variable is not set. Defaulting to a blank string.',
        where: { file: "compose.yaml", line: 4, column: 15, lineText: "    command: [$NOPE]" },
      },
    ]);
  });

  it.each([
    ["    image: ${A}-${A}", [12, 17]],
    ['    image: "${A}-${A}"', [13, 18]],
    ["    image: '$A $A'", [13, 16]],
    ['    image: "\\t${A}-${A}"', [15, 15]], // an escape before: the first occurrence
  ])("%s warns at each reference's own column %j", (line, columns) => {
    const { warnings } = load(`services:\n  web:\n${line}\n`, {});
    expect(warnings.map((w) => w.where?.column)).toEqual(columns);
  });

  it.each([
    ["    image: ${NOPE:-x}"],
    ["    image: ${NOPE-x}"],
    ["    image: ${NOPE:+x}"],
    ["    image: ${NOPE+x}"],
    ["    image: $${NOPE}"],
    ["    image: ${EMPTY}"],
  ])("%j does not warn", (line) => {
    expect(load(`services:\n  web:\n${line}\n`).warnings).toEqual([]);
  });

  it.each([
    ["      MYSQL_PASSWORD: pa$word", "word", true],
    ["      DB_PASS: ${secret}", "secret", false],
    ["      - MYSQL_ROOT_PASSWORD=abc$def", "def", true],
    ["      API_TOKEN: $tok", "tok", true],
    ["      PLAIN: abc$def", "def", true],
    ["      PLAIN: x $def", "def", false],
    ["      PLAIN: /srv/$def", "def", false],
    ["      PLAIN: $def", "def", false],
  ])("%j warns about %s; hint about $$: %s", (line, name, hinted) => {
    const { warnings } = load(`services:\n  web:\n    environment:\n${line}\n`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe(`The "${name}" variable is not set. Defaulting to a blank string.`);
    if (hinted) expect(warnings[0]!.hint).toContain(`"$$${name}"`);
    else expect(warnings[0]!.hint).toBeUndefined();
  });
});

describe("collectVariables", () => {
  it("lists every variable, sorted, with required, default and alternative values", () => {
    const tree = parseYaml(
      "compose.yaml",
      [
        "x-base: ${BASE:-base}",
        "services:",
        "  web:",
        "    image: ${IMAGE:?image to run}:${TAG:-latest}",
        "    environment:",
        "      - DEBUG=${DEBUG:+1}",
        "      - HOME=$HOME",
        "      - LITERAL=$$NOT_A_VAR",
        "    command: [echo, '${GREETING-hello ${NAME}}']",
        "    ports: !override ['${PORT}:80']",
      ].join("\n"),
    ).documents[0];
    expect(collectVariables(tree)).toEqual([
      { name: "BASE", required: false, defaultValue: "base" },
      { name: "DEBUG", required: false, presenceValue: "1" },
      { name: "GREETING", required: false, defaultValue: "hello ${NAME}" },
      { name: "HOME", required: false },
      { name: "IMAGE", required: true },
      { name: "NAME", required: false },
      { name: "PORT", required: false },
      { name: "TAG", required: false, defaultValue: "latest" },
    ]);
  });

  it("returns nothing for a tree without references", () => {
    expect(collectVariables({ services: { web: { image: "nginx", scale: 2 } } })).toEqual([]);
  });
});

describe("formatPath", () => {
  it.each([
    [["services", "web", "image"], "services.web.image"],
    [["services", "web", "command", 0], "services.web.command[0]"],
    [["services", "web", "ports", 1, "target"], "services.web.ports[1].target"],
    [[], ""],
  ])("%j -> %s", (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});
