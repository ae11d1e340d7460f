import { TscError, type SourceLocation } from "../errors.js";
import { closestName } from "./closest-name.js";
import { keyLocationOf, locationOf, type Tree } from "./source.js";
import {
  definedNames,
  fieldLocation,
  dependsOnRefs,
  fileObjectRefs,
  isRecord,
  linkRefs,
  mountRefs,
  networkModeServiceRef,
  networkRefs,
  serviceLocation,
  servicesOf,
  volumesFromRefs,
  type Reference,
  type ServiceTree,
} from "./service-refs.js";
import { INVALID, SERVICE_RULES, type RuleContext } from "./service-rules.js";

/**
 * The semantic checks that the schema cannot express, as compose-go's loader/validate.go `checkConsistency`:
 * references to undefined services, networks, volumes, secrets and configs, and keys that exclude each other.
 * Services are checked in name order so the first error is the same on every run. Works on the normalized tree
 * and on the raw one (`--no-normalize`): the readers in service-refs.ts take short and long syntaxes alike, so
 * `normalized` changes nothing today; it stays so the pipeline says which form it passes.
 */
export function checkConsistency(tree: Tree, _options: { normalized: boolean }): void {
  const services = servicesOf(tree);
  const names = Object.keys(services).sort();
  const defined = {
    services: new Set(names),
    networks: definedNames(tree, "networks").add("default"),
    volumes: definedNames(tree, "volumes"),
    secrets: definedNames(tree, "secrets"),
    configs: definedNames(tree, "configs"),
  };
  for (const name of names) {
    const service = services[name] ?? {};
    const context: RuleContext = { name, service, where: serviceLocation(tree, name) };
    checkReferences(context, defined);
    for (const rule of SERVICE_RULES) rule(context);
  }
  checkSecretSources(tree);
}

type Defined = Record<"services" | "networks" | "volumes" | "secrets" | "configs", Set<string>>;

function checkReferences(context: RuleContext, defined: Defined): void {
  const { name, service, where } = context;
  for (const ref of networkRefs(service, where)) {
    requireDefined(ref, defined.networks, `service "${name}" refers to undefined network ${ref.name}`, {
      kind: "network",
      section: "networks",
    });
  }
  for (const mount of mountRefs(service, where)) {
    if (mount.type !== "volume" || !mount.source) continue;
    const ref = { name: mount.source, where: mount.sourceWhere };
    requireDefined(ref, defined.volumes, `service "${name}" refers to undefined volume ${mount.source}`, {
      kind: "volume",
      section: "volumes",
    });
  }
  const build = isRecord(service.build) ? service.build : {};
  for (const ref of fileObjectRefs(build, "secrets", fieldLocation(service, "build") ?? where)) {
    requireDefined(ref, defined.secrets, `service "${name}" refers to undefined build secret ${ref.name}`, {
      kind: "secret",
      section: "secrets",
    });
  }
  for (const field of ["configs", "secrets"] as const) {
    const kind = field.slice(0, -1);
    for (const ref of fileObjectRefs(service, field, where)) {
      requireDefined(ref, defined[field], `service "${name}" refers to undefined ${kind} ${ref.name}`, {
        kind,
        section: field,
      });
    }
  }
  checkServiceReferences(context, defined.services);
}

/** Every way a service names another service: links, volumes_from, network_mode, extends, depends_on. */
function checkServiceReferences(context: RuleContext, services: Set<string>): void {
  const { name, service, where } = context;
  const serviceRef = { kind: "service", section: "services" };
  for (const ref of linkRefs(service, where)) {
    requireDefined(ref, services, `service "${name}" links to undefined service "${ref.name}"`, serviceRef);
  }
  for (const ref of volumesFromRefs(service, where)) {
    const message = `service "${name}" mounts volumes from undefined service "${ref.name}"`;
    requireDefined(ref, services, message, serviceRef);
  }
  const mode = networkModeServiceRef(service, where);
  if (mode) {
    const message = `service "${mode.name}" not found for network_mode 'service:${mode.name}'`;
    requireDefined(mode, services, message, serviceRef);
  }
  const extendsRef = leftoverExtends(service, where);
  if (extendsRef) {
    const message = `service "${name}" extends undefined service "${extendsRef.name}"`;
    requireDefined(extendsRef, services, message, serviceRef);
  }
  for (const ref of dependsOnRefs(service, where)) {
    const message = `service "${name}" depends on undefined service "${ref.name}"`;
    requireDefined(ref, services, message, serviceRef);
  }
}

/** An `extends` the extends phase left in place: only a same-file reference can be checked here. */
function leftoverExtends(service: ServiceTree, fallback: SourceLocation | undefined): Reference | undefined {
  const value = service.extends;
  if (typeof value === "string") return { name: value, where: locationOf(service, "extends") ?? fallback };
  if (!isRecord(value) || value.file !== undefined || typeof value.service !== "string") return undefined;
  return { name: value.service, where: locationOf(value, "service") ?? fallback };
}

function requireDefined(
  ref: Reference,
  defined: Set<string>,
  message: string,
  what: { kind: string; section: string },
): void {
  if (defined.has(ref.name)) return;
  const suggestion = closestName(ref.name, defined);
  const define = `define ${what.kind} "${ref.name}" under the top-level \`${what.section}:\``;
  const known = [...defined].sort();
  const hint = suggestion
    ? `did you mean "${suggestion}"? otherwise ${define}`
    : known.length > 0
      ? `${define} (defined: ${known.join(", ")})`
      : define;
  throw new TscError("E_LOAD_UNDEFINED", `${message}: ${INVALID}`, { where: ref.where, hint });
}

/** A secret that is not external must say where its content comes from (compose-go's last check). */
function checkSecretSources(tree: Tree): void {
  const secrets = tree.secrets;
  if (!isRecord(secrets)) return;
  for (const name of Object.keys(secrets).sort()) {
    const secret = secrets[name];
    if (!isRecord(secret)) continue;
    const external = secret.external;
    if (external === true || external === "true" || isRecord(external)) continue;
    if (secret.file !== undefined || secret.environment !== undefined) continue;
    throw new TscError(
      "E_LOAD_INVALID",
      `secret "${name}" must declare either \`file\` or \`environment\`: ${INVALID}`,
      {
        where: keyLocationOf(secrets, name),
        hint: "add `file: ./path` or `environment: VAR` to the secret, or `external: true` if it already exists",
      },
    );
  }
}
