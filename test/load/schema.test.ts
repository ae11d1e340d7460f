import { createRequire } from "node:module";
import { join } from "node:path";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { TscError } from "../../src/errors.js";
import type { LoadWarning } from "../../src/load/options.js";
import { composeSchemaValidator, validateSchema } from "../../src/load/schema.js";
import { compileValidator, standaloneSource } from "../../src/load/schema-compile.js";
import { parseYaml, type Tree } from "../../src/load/source.js";
import { loadProject } from "../../src/load/index.js";
import { NEGATIVE, lines, service } from "./schema-error-rows.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/compose");
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

describe("through loadProject", () => {
  it("fails at the unknown key of the file on disk", () => {
    const dir = join(FIXTURES, "schema-unknown-key");
    let error: unknown;
    try {
      loadProject({ cwd: dir, env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(TscError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: "E_LOAD_UNKNOWN_KEY",
      message: 'services.web additional property "helthcheck" is not allowed (did you mean "healthcheck"?)',
      where: { file: join(dir, "compose.yaml"), line: 5, column: 5, lineText: "    helthcheck:" },
    });
  });

  it.each([true, false])("validates ${VAR} values with interpolation %s", (interpolate) => {
    const dir = join(FIXTURES, "schema-no-interpolate");
    const result = loadProject({ cwd: dir, env: {}, interpolate, normalize: false });
    expect(Object.keys(result.tree.services as object)).toEqual(["web"]);
  });
});
