import { atomicWriteFileSync } from "../common/atomic-write.js";
import { TscError } from "../errors.js";
import {
  collectVariables,
  loadProject,
  renderProject,
  renderTree,
  renderVariables,
  type LoadOptions,
  type LoadResult,
  type Project,
} from "../load/index.js";
import { serviceConfigHash } from "../plan/index.js";
import type { ConfigFlags } from "./config.js";
import { printWarnings } from "./global-flags.js";

/**
 * What `tscompose config` does once its flags are parsed: the loader and the renderers, loaded only by
 * the commands that read compose files.
 */

type Write = (text: string) => void;

function load(options: LoadOptions): LoadResult {
  const result = loadProject(options);
  printWarnings(result.warnings);
  return result;
}

export function runConfig(base: LoadOptions, services: string[], flags: ConfigFlags, write: Write): void {
  const options: LoadOptions = { ...base, interpolate: flags.interpolate, normalize: flags.normalize };
  const lines = (items: Iterable<string>) => {
    for (const item of items) write(`${item}\n`);
  };
  if (flags.services) return lines(sorted(Object.keys(load(options).project.services)));
  if (flags.volumes) return lines(sorted(Object.keys(load(options).project.volumes)));
  if (flags.networks) return lines(sorted(Object.keys(load(options).project.networks)));
  if (flags.hash !== undefined) return lines(hashes(load(options).project, flags.hash));
  if (flags.profiles) return lines(profiles(load({ ...options, services })));
  if (flags.images) return lines(images(load({ ...options, services }).project));
  if (flags.variables) return write(variables(base, services, flags.format));
  if (flags.environment) {
    const environment = load({ ...options, services }).location.environment;
    return lines(sorted(Object.entries(environment).map(([key, value]) => `${key}=${value}`)));
  }
  write(renderConfig(options, services, flags));
}

function renderConfig(options: LoadOptions, services: string[], flags: ConfigFlags): string {
  const format = flags.format ?? "yaml";
  let content: string;
  if (flags.interpolate) {
    // What compose prints reloads to the same model: a literal `$` is written `$$`.
    content = renderProject(load({ ...options, services }).project, format).replace(/\$/g, "$$$$");
  } else {
    if (services.length > 0) {
      printWarnings([
        {
          message:
            "service filtering is not applied when --no-interpolate is set, the full model will be rendered",
        },
      ]);
    }
    content = renderTree(load(options).normalized, format);
  }
  if (flags.output !== undefined && !flags.quiet) {
    if (content.length > 0) atomicWriteFileSync(flags.output, content);
    return "";
  }
  return content;
}

function hashes(project: Project, selection: string): string[] {
  const names = selection === "*" ? Object.keys(project.services) : selection.split(",");
  return sorted(names).map((name) => {
    const service = project.services[name];
    if (!service) {
      throw new TscError("E_LOAD_NO_SERVICE", `no such service: ${name}`, {
        hint: `the services are: ${sorted(Object.keys(project.services)).join(", ")}`,
      });
    }
    return `${name} ${serviceConfigHash(service)}`;
  });
}

/** Every profile named by any service, enabled or not. */
function profiles(result: LoadResult): string[] {
  const found = new Set<string>();
  const services = result.tree.services;
  if (typeof services === "object" && services !== null) {
    for (const service of Object.values(services as Record<string, { profiles?: unknown }>)) {
      if (Array.isArray(service?.profiles)) service.profiles.forEach((p) => found.add(String(p)));
    }
  }
  return sorted(found);
}

/** The image of each service: its own, or `<project>-<service>` for a built one; then pre_start hook images. */
function images(project: Project): string[] {
  const out: string[] = [];
  for (const name of sorted(Object.keys(project.services))) {
    const service = project.services[name] ?? {};
    const image = service.image ?? `${project.name}-${name}`;
    out.push(image);
    const hooks = Array.isArray(service.pre_start) ? (service.pre_start as Array<{ image?: string }>) : [];
    for (const hook of hooks) if (hook.image && hook.image !== image) out.push(hook.image);
  }
  return out;
}

/** The variables of the uninterpolated model, as a table (default), JSON or YAML. */
function variables(base: LoadOptions, services: string[], format: "yaml" | "json" | undefined): string {
  if (services.length > 0) {
    printWarnings([
      {
        message:
          "service filtering is not applied when --variables is set, variables from the full model will be rendered",
      },
    ]);
  }
  return renderVariables(
    collectVariables(load({ ...base, interpolate: false, normalize: false }).tree),
    format,
  );
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
