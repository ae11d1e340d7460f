import { readFileSync, statSync } from "node:fs";
import { TscError, isErrno, type SourceLocation } from "../errors.js";
import { parseDotenv } from "./dotenv.js";

/**
 * A service's environment and labels as its containers get them. Environment, as compose-go's WithServicesEnvironmentResolved: keys
 * without a value take the project environment's value; then each env_file is read (a missing required
 * file is an error, a missing optional one is skipped), its values substituted from the project environment
 * first and the service's own environment next; keys written in `environment` win over env files. Labels, as
 * WithServicesLabelsResolved: label files in order (each may use the values of the earlier ones), under the
 * service's own `labels`; a missing label file is an error.
 */

export interface EnvFileEntry {
  path: string;
  required: boolean;
  format?: string;
  where?: SourceLocation;
}

export function resolveServiceEnvironment(
  environment: Readonly<Record<string, string | null>> | undefined,
  envFiles: readonly EnvFileEntry[],
  projectEnvironment: Readonly<Record<string, string>>,
): Record<string, string | null> | undefined {
  const own: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(environment ?? {})) {
    own[key] = value ?? (Object.hasOwn(projectEnvironment, key) ? (projectEnvironment[key] as string) : null);
  }
  if (envFiles.length === 0) return environment === undefined ? undefined : own;

  const fromFiles: Record<string, string> = {};
  for (const [key, value] of Object.entries(own)) if (value !== null) fromFiles[key] = value;
  const lookup = (name: string): string | undefined => {
    if (Object.hasOwn(projectEnvironment, name)) return projectEnvironment[name];
    const value = own[name];
    return value === null ? undefined : value;
  };
  for (const file of envFiles) readEnvFile(file, fromFiles, lookup);
  return { ...fromFiles, ...own };
}

export function resolveServiceLabels(
  labels: Readonly<Record<string, string>> | undefined,
  labelFiles: readonly EnvFileEntry[],
): Record<string, string> | undefined {
  if (labelFiles.length === 0) return labels === undefined ? undefined : { ...labels };
  const fromFiles: Record<string, string> = {};
  for (const file of labelFiles) readEnvFile(file, fromFiles, (name) => fromFiles[name], "label");
  return { ...fromFiles, ...labels };
}

/** Reads one env (or label) file into `into`; values from later files override earlier ones. */
function readEnvFile(
  file: EnvFileEntry,
  into: Record<string, string>,
  lookup: (name: string) => string | undefined,
  kind: "env" | "label" = "env",
): void {
  let text: string;
  try {
    if (!statSync(file.path).isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
    text = readFileSync(file.path, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT") && !file.required) return;
    if (isErrno(error, "ENOENT")) {
      throw new TscError("E_LOAD_NOT_FOUND", `${kind} file ${file.path} not found`, {
        where: file.where,
        hint: "create the file, or mark it optional with `required: false`",
      });
    }
    throw new TscError("E_LOAD_READ", `${kind} file ${file.path}: ${(error as Error).message}`, {
      where: file.where,
      cause: error,
    });
  }
  Object.assign(into, parseDotenv(text, file.path, { lookup }));
}
