/** What the caller of loadProject says: the CLI's global flags plus the process environment. */
export interface LoadOptions {
  /** -f values in order; "-" reads `stdin`. Empty: COMPOSE_FILE, else discovery from `cwd` upwards. */
  files?: readonly string[];
  /** The text read from standard input when a file is "-". */
  stdin?: string;
  /** -p */
  projectName?: string;
  /** --project-directory */
  projectDirectory?: string;
  /** --env-file values in order. Empty: COMPOSE_ENV_FILES, else `.env` in the project directory. */
  envFiles?: readonly string[];
  /** --profile values. Empty: COMPOSE_PROFILES. */
  profiles?: readonly string[];
  /** Services named on the command line: only these and their dependencies are selected. */
  services?: readonly string[];
  /** The process environment (defaults to process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Defaults to process.cwd(). */
  cwd?: string;
  /** --no-interpolate turns this off. */
  interpolate?: boolean;
  /** --no-normalize turns this off. */
  normalize?: boolean;
}

/** A warning that does not stop the load; printed by the CLI as `WARN[0000] <message>` like docker compose. */
export interface LoadWarning {
  message: string;
  where?: import("../errors.js").SourceLocation;
  /** What the user may want to do about it, printed as `hint:` under the warning. */
  hint?: string;
}
