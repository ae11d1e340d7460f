import { homedir } from "node:os";
import type { SourceLocation } from "../errors.js";
import { keyLocationOf, locationOf, type Tree } from "./source.js";
import { CANONICAL, DEFAULTS } from "./normalize-canonical.js";
import { cleanPath, pathResolvers } from "./normalize-paths.js";
import { applyRules, cloneTree, isMap, newMap, put } from "./normalize-walk.js";

export interface NormalizeContext {
  projectName: string;
  workingDir: string;
  /** The interpolation environment: bare `environment` keys and build args take their values from it. */
  environment: Readonly<Record<string, string>>;
  /**
   * false for `config --no-normalize`: short syntax still becomes long syntax and paths still become
   * absolute (compose does both while loading), but no default network, implicit depends_on or names.
   */
  normalize?: boolean;
}

/**
 * The normalize phase, in compose-go's order: canonical long syntax (transform.Canonical), default values
 * (transform.SetDefaultValues), absolute paths (paths.ResolveRelativePaths), variables for bare environment
 * keys (ResolveEnvironment), then loader.Normalize: the implicit `default` network, depends_on implied by
 * links / volumes_from / `service:` namespaces, build defaults, and resources named `<project>_<key>`.
 * The input tree is not changed; the result keeps the source location of every entry it was built from.
 */
export function normalizeTree(tree: Tree, ctx: NormalizeContext): Tree {
  const out = cloneTree(tree);
  const environment = ctx.environment;
  applyRules(out, CANONICAL);
  applyRules(out, DEFAULTS);
  applyRules(out, pathResolvers(ctx.workingDir, environment.HOME ?? homedir()));
  for (const service of services(out)) resolveMapping(service.environment, environment, true);
  if (ctx.normalize === false) return out;

  normalizeNetworks(out);
  for (const service of services(out)) normalizeService(service, environment);
  nameResources(out, ctx.projectName);
  put(out, "name", ctx.projectName, locationOf(out, "name"));
  return out;
}

function services(tree: Tree): Tree[] {
  return isMap(tree.services) ? Object.values(tree.services).filter(isMap) : [];
}

/** Null values take the environment's value; without one they stay null (`keep`) or are dropped. */
function resolveMapping(
  mapping: unknown,
  environment: Readonly<Record<string, string>>,
  keep: boolean,
): void {
  if (!isMap(mapping)) return;
  for (const [key, value] of Object.entries(mapping)) {
    if (value !== null && value !== undefined) continue;
    if (Object.hasOwn(environment, key)) put(mapping, key, environment[key]);
    else if (!keep) delete mapping[key];
  }
}

/** Services without network_mode or networks join `default`, which then exists at the top level. */
function normalizeNetworks(tree: Tree): void {
  let usesDefault = false;
  for (const service of services(tree)) {
    if ("provider" in service || "network_mode" in service) continue;
    const networks = service.networks;
    if (!isMap(networks) || Object.keys(networks).length === 0) {
      const out = newMap(locationOf(service, "networks"));
      put(out, "default", null);
      put(service, "networks", out);
      usesDefault = true;
    } else if ("default" in networks) {
      usesDefault = true;
    }
  }
  if (!usesDefault) return;
  if (!isMap(tree.networks)) put(tree, "networks", newMap(locationOf(tree, "networks")));
  const networks = tree.networks as Tree;
  if (!("default" in networks)) put(networks, "default", null);
}

interface ImplicitDependency {
  name: string;
  restart: boolean;
  where: SourceLocation | undefined;
}

function normalizeService(service: Tree, environment: Readonly<Record<string, string>>): void {
  if (service.pull_policy === "if_not_present") put(service, "pull_policy", "missing");

  const build = service.build;
  if (isMap(build)) {
    if (build.context === undefined || build.context === null) put(build, "context", ".");
    if (build.dockerfile === undefined && build.dockerfile_inline === undefined)
      put(build, "dockerfile", "Dockerfile");
    resolveMapping(build.args, environment, false);
  }

  const implicit = implicitDependencies(service);
  if (implicit.length > 0) {
    if (!isMap(service.depends_on)) put(service, "depends_on", newMap(implicit[0]?.where));
    const dependsOn = service.depends_on as Tree;
    for (const { name, restart, where } of implicit) {
      if (name in dependsOn) continue;
      put(dependsOn, name, { condition: "service_started", restart, required: true }, where);
    }
  }

  if (Array.isArray(service.volumes)) {
    for (const mount of service.volumes) {
      if (isMap(mount) && typeof mount.target === "string" && mount.target !== "") {
        put(mount, "target", cleanPath(mount.target));
      }
    }
  }

  // A pre_start hook without its own image runs the service's image (compose-spec #647).
  if (Array.isArray(service.pre_start) && typeof service.image === "string" && service.image !== "") {
    for (const hook of service.pre_start)
      if (isMap(hook) && !("image" in hook)) put(hook, "image", service.image);
  }
}

/** depends_on implied by links (`db:alias`), `service:x` namespaces, and volumes_from (not `container:`). */
function implicitDependencies(service: Tree): ImplicitDependency[] {
  const found: ImplicitDependency[] = [];
  const links = service.links;
  if (Array.isArray(links)) {
    links.forEach((link, i) => {
      const parts = String(link).split(":");
      const name = parts.length === 2 ? (parts[0] ?? "") : String(link);
      found.push({ name, restart: true, where: locationOf(links, i) });
    });
  }
  for (const namespace of ["network_mode", "ipc", "pid", "uts", "cgroup"]) {
    const ref = service[namespace];
    if (typeof ref === "string" && ref.startsWith("service:")) {
      found.push({
        name: ref.slice("service:".length),
        restart: true,
        where: locationOf(service, namespace),
      });
    }
  }
  const volumesFrom = service.volumes_from;
  if (Array.isArray(volumesFrom)) {
    volumesFrom.forEach((entry, i) => {
      const text = String(entry);
      if (text.startsWith("container:")) return;
      found.push({ name: text.split(":")[0] ?? text, restart: false, where: locationOf(volumesFrom, i) });
    });
  }
  return found;
}

/** Networks, volumes, secrets and configs without `name:` are named `<project>_<key>` (external: `<key>`). */
function nameResources(tree: Tree, projectName: string): void {
  for (const section of ["networks", "volumes", "configs", "secrets"]) {
    const resources = tree[section];
    if (!isMap(resources)) continue;
    for (const [key, value] of Object.entries(resources)) {
      const resource = isMap(value) ? value : newMap(keyLocationOf(resources, key));
      if (resource.name === undefined || resource.name === null) {
        const external = resource.external === true || resource.external === "true";
        put(resource, "name", external ? key : `${projectName}_${key}`);
      }
      if (resource !== value) put(resources, key, resource);
    }
  }
}
