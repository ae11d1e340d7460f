/**
 * The one error type of tscompose. Every failure that reaches the user is a TscError with a stable code
 * from ERROR_CODES; its category decides the exit code (and, later, the API status).
 */

export type ErrorCategory = "input" | "usage" | "not-found" | "conflict" | "system" | "internal";

/** Where in the user's input an error comes from. `lineText` is the whole offending line, for the frame. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  lineText?: string;
}

interface CodeInfo {
  category: ErrorCategory;
  summary: string;
}

/** Every code tscompose can report; docs/errors.md has an example of each. */
export const ERROR_CODES = {
  E_USAGE: { category: "usage", summary: "the command line is not valid" },
  E_INTERNAL: { category: "internal", summary: "a bug in tscompose" },
  E_LOAD_NOT_FOUND: { category: "not-found", summary: "no compose file was found" },
  E_LOAD_READ: { category: "system", summary: "a compose or env file could not be read" },
  E_LOAD_YAML: { category: "input", summary: "the YAML is malformed" },
  E_LOAD_YAML_ALIAS: { category: "input", summary: "too many alias expansions (alias bomb)" },
  E_LOAD_PROJECT_NAME: { category: "input", summary: "the project name is not valid" },
  E_LOAD_ENV_FILE: { category: "input", summary: "an env file is malformed" },
  E_LOAD_INTERPOLATION: { category: "input", summary: "a ${...} expression is malformed" },
  E_LOAD_REQUIRED_VAR: { category: "input", summary: "a required variable (${VAR:?err}) is missing" },
  E_LOAD_TYPE: { category: "input", summary: "a value has the wrong type" },
  E_LOAD_SCHEMA: { category: "input", summary: "the compose file does not match the Compose Specification" },
  E_LOAD_UNKNOWN_KEY: { category: "input", summary: "a key is not part of the Compose Specification" },
  E_LOAD_SHORT_SYNTAX: {
    category: "input",
    summary: "a short-syntax port, volume or device cannot be parsed",
  },
  E_LOAD_MERGE: { category: "input", summary: "compose files cannot be merged" },
  E_LOAD_EXTENDS: { category: "input", summary: "a service extends something that cannot be resolved" },
  E_LOAD_EXTENDS_CYCLE: { category: "input", summary: "services extend each other in a cycle" },
  E_LOAD_INCLUDE: { category: "input", summary: "an include cannot be loaded" },
  E_LOAD_INCLUDE_CONFLICT: { category: "conflict", summary: "an included resource conflicts with another" },
  E_LOAD_UNDEFINED: {
    category: "input",
    summary: "a reference to an undefined service, network, volume, secret or config",
  },
  E_LOAD_INVALID: { category: "input", summary: "the compose model is inconsistent" },
  E_LOAD_PROFILE: { category: "input", summary: "a required service is disabled by a profile" },
  E_LOAD_NO_SERVICE: { category: "not-found", summary: "no such service" },
  E_DEP_CYCLE: { category: "input", summary: "depends_on forms a cycle" },
  E_IMAGE_NOT_FOUND: { category: "not-found", summary: "no such image" },
  E_IMAGE_REFERENCE: { category: "input", summary: "an image reference is malformed" },
  E_IMAGE_DIGEST: { category: "input", summary: "content does not match its digest" },
  E_IMAGE_LAYER: { category: "input", summary: "a layer archive is malformed or hostile" },
  E_IMAGE_IN_USE: { category: "conflict", summary: "the image is used by a container" },
  E_IMAGE_STORE: { category: "system", summary: "the image store failed" },
  E_CONTAINER_NOT_FOUND: { category: "not-found", summary: "no such container" },
  E_CONTAINER_NAME_IN_USE: { category: "conflict", summary: "the container name is taken" },
  E_CONTAINER_STATE: { category: "conflict", summary: "the container is not in a state that allows this" },
  E_CONTAINER_CONFIG: { category: "input", summary: "the container configuration is not valid" },
  E_CONTAINER_STORE: { category: "system", summary: "the container store failed" },
  E_RUNTIME_HELPER: { category: "system", summary: "the container helper failed to set up the container" },
  E_RUNTIME_EXEC: { category: "system", summary: "the command could not be executed in the container" },
  E_RUNTIME_CGROUP: { category: "system", summary: "a cgroup operation failed" },
  E_RUNTIME_MOUNT: { category: "system", summary: "a mount could not be set up" },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface TscErrorOptions {
  where?: SourceLocation;
  hint?: string;
  cause?: unknown;
}

const brand = Symbol.for("tscompose.TscError");

export class TscError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly where?: SourceLocation;
  readonly hint?: string;
  readonly [brand] = true;

  constructor(code: ErrorCode, message: string, options: TscErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TscError";
    this.code = code;
    this.category = ERROR_CODES[code].category;
    if (options.where) this.where = options.where;
    if (options.hint) this.hint = options.hint;
  }

  /** Works across two loaded copies of the module, like undici's brand check. */
  static is(value: unknown): value is TscError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }

  /** The same error with a location attached, if it has none yet (location is added once, at the boundary). */
  withLocation(where: SourceLocation | undefined): TscError {
    if (this.where || !where) return this;
    return new TscError(this.code, this.message, { where, hint: this.hint, cause: this.cause });
  }
}

/** The process exit code for an error, as docker compose uses them: 2 for usage, 1 for the rest. */
export function exitCodeFor(error: TscError): number {
  return error.category === "usage" ? 2 : 1;
}

export function isErrno(error: unknown, code: string): error is NodeJS.ErrnoException {
  return typeof error === "object" && error !== null && (error as NodeJS.ErrnoException).code === code;
}
