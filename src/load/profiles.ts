import { TscError } from "../errors.js";
import { closestName } from "./closest-name.js";
import { copyLocations, locationOf, setLocation, type Tree } from "./source.js";
import { dependsOnRefs, isRecord, serviceLocation, servicesOf, type ServiceTree } from "./service-refs.js";

export interface ProfileSelection {
  /** --profile values, else COMPOSE_PROFILES; `*` enables every profile. */
  profiles: readonly string[];
  /** Services named on the command line; empty for all. */
  services: readonly string[];
}

/**
 * Keeps the services the selection enables, as compose-go's WithProfiles, WithServicesEnabled and
 * WithSelectedServices do in turn:
 * - a service without `profiles` is always enabled; one with profiles when one of them is active;
 * - naming a service activates its profiles (but not those of its dependencies, as Docker Compose);
 * - an enabled service that requires a disabled one is an error that names the profile to enable; an
 *   optional (`required: false`) dependency on a disabled service is dropped;
 * - with services named, only they and what they depend on remain.
 * Disabled services leave the model; networks, volumes, secrets and configs stay, as in `docker compose config`.
 */
export function applyProfiles(tree: Tree, selection: ProfileSelection): Tree {
  const services = servicesOf(tree);
  if (!isRecord(tree.services)) return tree;
  const active = new Set(selection.profiles);
  for (const name of selection.services) {
    const service = services[name];
    if (!service) throw noSuchService(name, Object.keys(services));
    if (!isEnabled(service, active)) profilesOf(service).forEach((profile) => active.add(profile));
  }
  const enabled = new Set(Object.keys(services).filter((name) => isEnabled(services[name] ?? {}, active)));

  const kept: Record<string, ServiceTree> = {};
  for (const name of [...enabled].sort()) {
    kept[name] = withoutDisabledDependencies(tree, name, services[name] ?? {}, services, enabled);
  }
  const selected = selection.services.length > 0 ? closure(selection.services, kept) : enabled;

  const out: Record<string, unknown> = {};
  for (const name of Object.keys(services)) {
    if (selected.has(name)) out[name] = kept[name];
  }
  copyLocations(tree.services, out);
  const result: Tree = { ...tree, services: out };
  copyLocations(tree, result);
  return result;
}

function profilesOf(service: ServiceTree): string[] {
  const profiles = service.profiles;
  return Array.isArray(profiles) ? profiles.filter((p): p is string => typeof p === "string") : [];
}

function isEnabled(service: ServiceTree, active: ReadonlySet<string>): boolean {
  const profiles = profilesOf(service);
  return profiles.length === 0 || active.has("*") || profiles.some((profile) => active.has(profile));
}

/** The service without its optional dependencies on disabled services; a required one is an error. */
function withoutDisabledDependencies(
  tree: Tree,
  name: string,
  service: ServiceTree,
  services: Record<string, ServiceTree>,
  enabled: ReadonlySet<string>,
): ServiceTree {
  const dropped: string[] = [];
  const refs = dependsOnRefs(service, serviceLocation(tree, name));
  for (const ref of refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const dependency = services[ref.name];
    if (!dependency || enabled.has(ref.name)) continue;
    if (!ref.required) {
      dropped.push(ref.name);
      continue;
    }
    const profiles = profilesOf(dependency);
    const flags = profiles.map((profile) => `--profile ${profile}`).join(" or ");
    const which =
      profiles.length === 1
        ? `profile "${profiles[0]}"`
        : `one of the profiles ${profiles.map((p) => `"${p}"`).join(", ")}`;
    throw new TscError(
      "E_LOAD_PROFILE",
      `service "${name}" depends on "${ref.name}", which is disabled: enable ${which} (${flags})`,
      {
        where: ref.where,
        hint: `activate it with ${flags} or COMPOSE_PROFILES, or mark the dependency \`required: false\``,
      },
    );
  }
  if (dropped.length === 0) return service;
  const copy = { ...service, depends_on: withoutEntries(service.depends_on, dropped) };
  copyLocations(service, copy);
  return copy;
}

/** depends_on (list or map) without the entries for `names`, keeping the other entries' locations. */
function withoutEntries(dependsOn: unknown, names: readonly string[]): unknown {
  if (Array.isArray(dependsOn)) {
    const kept: unknown[] = [];
    dependsOn.forEach((entry, index) => {
      if (names.includes(String(entry))) return;
      setLocation(kept, kept.length, locationOf(dependsOn, index));
      kept.push(entry);
    });
    return kept;
  }
  const kept = Object.fromEntries(
    Object.entries(dependsOn as object).filter(([key]) => !names.includes(key)),
  );
  copyLocations(dependsOn, kept);
  return kept;
}

/** The named services and, transitively, the services they depend on. */
function closure(names: readonly string[], services: Record<string, ServiceTree>): Set<string> {
  const seen = new Set<string>();
  const stack = [...names];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    const service = services[name];
    if (seen.has(name) || !service) continue;
    seen.add(name);
    for (const ref of dependsOnRefs(service)) stack.push(ref.name);
  }
  return seen;
}

function noSuchService(name: string, known: string[]): TscError {
  const suggestion = closestName(name, known);
  return new TscError("E_LOAD_NO_SERVICE", `no such service: ${name}`, {
    hint: suggestion
      ? `did you mean "${suggestion}"?`
      : `the services are: ${[...known].sort().join(", ") || "(none)"}`,
  });
}
