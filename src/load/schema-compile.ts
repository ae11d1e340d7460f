import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Options, ValidateFunction } from "ajv";
import { sha256Hex } from "../common/digest.js";
import { packagePath } from "../common/package-paths.js";
import { TscError } from "../errors.js";

/**
 * Getting a validator for schemas/compose-spec.json. Compiling it with ajv costs about 250 ms (plus 50 ms
 * to load ajv), which every `tscompose` command would pay; so `npm run build` writes ajv's standalone code
 * to build/compose-spec-validate.cjs (scripts/build-schema.mjs), which loads in about 15 ms. That file
 * records the digest of the schema it came from and is only used while it matches; otherwise (tests
 * without a build, an edited schema) the schema is compiled here.
 */

// allErrors: every branch of an anyOf keeps its errors, so the most specific one can be chosen;
// verbose: errors carry their schema (allowed keys, descriptions) for the messages.
const AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true };

const require = createRequire(packagePath("package.json"));

export type ValidatorOrigin = "precompiled" | "compiled";

export interface LoadedValidator {
  validate: ValidateFunction;
  origin: ValidatorOrigin;
}

function readSchemaText(): string {
  const path = packagePath("schemas", "compose-spec.json");
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new TscError("E_INTERNAL", `cannot read the compose schema at ${path}`, {
      cause: error,
      hint: "reinstall tscompose: the schemas/ folder is part of the package",
    });
  }
}

/** The precompiled validator when it was built from this very schema text, else a fresh compile. */
export function loadValidator(): LoadedValidator {
  const text = readSchemaText();
  const digest = sha256Hex(text);
  const precompiledPath = packagePath("build", "compose-spec-validate.cjs");
  if (existsSync(precompiledPath)) {
    const precompiled = require(precompiledPath) as ValidateFunction & {
      schemaDigest?: string;
    };
    if (precompiled.schemaDigest === digest) return { validate: precompiled, origin: "precompiled" };
  }
  return { validate: compile(text, false).validate, origin: "compiled" };
}

/** A fresh in-process compile of the schema, ignoring any precompiled validator (the slow path). */
export function compileValidator(): ValidateFunction {
  return compile(readSchemaText(), false).validate;
}

/**
 * The source of a CommonJS module exporting the validator (ajv standalone code) and the digest of the
 * schema it was compiled from. Used by scripts/build-schema.mjs.
 */
export function standaloneSource(): string {
  const text = readSchemaText();
  const { ajv, validate } = compile(text, true);
  const { default: standaloneCode } = require("ajv/dist/standalone") as {
    default: (ajv: unknown, validate: ValidateFunction) => string;
  };
  return `${standaloneCode(ajv, validate)}\nmodule.exports.schemaDigest = ${JSON.stringify(sha256Hex(text))};\n`;
}

function compile(text: string, source: boolean): { ajv: unknown; validate: ValidateFunction } {
  // Loaded on demand: a build that ships the precompiled validator never loads ajv's compiler.
  const { Ajv } = require("ajv") as typeof import("ajv");
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source } });
  return { ajv, validate: ajv.compile(JSON.parse(text) as object) };
}
