import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, onTestFinished } from "vitest";
import { loadProject, renderProject, type LoadOptions, type Project } from "../../../src/load/index.js";

/** A fresh project directory, removed when the test ends. */
export function projectDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tsc-attr-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Loaded {
  project: Project;
  yaml: string;
  json: string;
}

/**
 * compose-go's loader/tests style: loads `yaml` (as stdin, from a temp project directory), lets the caller
 * assert on the model, then checks that the YAML and the JSON that `config` prints load back to the same
 * model (compose reads JSON files too, JSON being YAML).
 */
export function load(yaml: string, options: Omit<LoadOptions, "stdin" | "files"> = {}): Loaded {
  const cwd = options.cwd ?? projectDir();
  const base: LoadOptions = { env: { HOME: "/home/user" }, ...options, cwd };
  const project = loadProject({ ...base, files: ["-"], stdin: yaml }).project;
  const rendered = {
    yaml: escape(renderProject(project, "yaml")),
    json: escape(renderProject(project, "json")),
  };
  for (const text of [rendered.yaml, rendered.json]) {
    const again = loadProject({ ...base, files: ["-"], stdin: text }).project;
    expect(comparable(again)).toEqual(comparable(project));
  }
  return { project, ...rendered };
}

/** config writes `$` as `$$` so that its output interpolates back to the same values. */
const escape = (text: string) => text.replace(/\$/g, "$$$$");

/**
 * The model without what `config` does not print: file names, and env and label files (their content is
 * already in `environment` and `labels`, as compose's WithDiscardEnvFile).
 */
function comparable(project: Project): unknown {
  const services = Object.fromEntries(
    Object.entries(project.services).map(([name, service]) => [
      name,
      { ...service, env_file: undefined, label_file: undefined },
    ]),
  );
  return { ...project, composeFiles: [], services };
}
