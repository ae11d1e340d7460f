import { TscError, type SourceLocation } from "../errors.js";
import { keyLocationOf, locationOf } from "./source.js";
import { fieldLocation, isRecord, mountRefs, tmpfsRefs, type ServiceTree } from "./service-refs.js";

/** compose-go's errdefs.ErrInvalid text, which ends consistency messages so users can search for it. */
export const INVALID = "invalid compose project";

/** One service as a rule sees it: its name, its tree, and where it is defined (the fallback location). */
export interface RuleContext {
  name: string;
  service: ServiceTree;
  where: SourceLocation | undefined;
}

export type ServiceRule = (context: RuleContext) => void;

const invalid = (message: string, where: SourceLocation | undefined, hint: string) =>
  new TscError("E_LOAD_INVALID", message, { where, hint });

/** Where `service.<key>` is written, else where the service is. */
const at = (context: RuleContext, key: string) => fieldLocation(context.service, key) ?? context.where;

const isTrue = (value: unknown) => value === true || value === "true";

function imageOrBuild({ name, service, where }: RuleContext): void {
  if (service.image !== undefined || service.build !== undefined || service.provider !== undefined) return;
  throw invalid(
    `service "${name}" has neither an image nor a build context specified: ${INVALID}`,
    where,
    `add \`image: <name>\` or \`build: <directory>\` to service "${name}"`,
  );
}

function dockerfileExclusive(context: RuleContext): void {
  const build = context.service.build;
  if (!isRecord(build) || build.dockerfile === undefined || build.dockerfile_inline === undefined) return;
  throw invalid(
    `service "${context.name}" declares mutually exclusive dockerfile and dockerfile_inline: ${INVALID}`,
    keyLocationOf(build, "dockerfile_inline") ?? at(context, "build"),
    "keep either `dockerfile` (a file in the context) or `dockerfile_inline` (the Dockerfile's text)",
  );
}

function networkModeExclusive(context: RuleContext): void {
  const { name, service } = context;
  const networks = service.networks;
  const count = Array.isArray(networks)
    ? networks.length
    : isRecord(networks)
      ? Object.keys(networks).length
      : 0;
  if (typeof service.network_mode !== "string" || service.network_mode === "" || count === 0) return;
  throw invalid(
    `service ${name} declares mutually exclusive \`network_mode\` and \`networks\`: ${INVALID}`,
    at(context, "networks"),
    `network_mode "${service.network_mode}" replaces the service's own network stack: remove \`networks:\` or \`network_mode:\``,
  );
}

function healthcheckTest(context: RuleContext): void {
  const healthcheck = context.service.healthcheck;
  if (!isRecord(healthcheck)) return;
  const test = healthcheck.test;
  const prefix = `services.${context.name}.healthcheck`;
  if (Array.isArray(test) && test.length > 0 && !["NONE", "CMD", "CMD-SHELL"].includes(String(test[0]))) {
    throw invalid(
      `${prefix}.test must start either by "CMD", "CMD-SHELL" or "NONE"`,
      locationOf(test, 0) ?? at(context, "healthcheck"),
      `write ["CMD", "program", "arg"…] to run a program, ["CMD-SHELL", "command"] (or a plain string) for a shell command`,
    );
  }
  const disablesTest = Array.isArray(test) && test.length === 1 && test[0] === "NONE";
  if (isTrue(healthcheck.disable) && test !== undefined && !disablesTest) {
    throw invalid(
      `${prefix}: test and disable can't be set at the same time`,
      keyLocationOf(healthcheck, "disable") ?? at(context, "healthcheck"),
      "remove `disable: true` to run the test, or remove `test:` to disable the image's healthcheck",
    );
  }
}

const asCount = (value: unknown): number | undefined => {
  const count = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof count === "number" && Number.isFinite(count) ? count : undefined;
};

function scaleAndContainerName(context: RuleContext): void {
  const { name, service } = context;
  const deploy = isRecord(service.deploy) ? service.deploy : {};
  const scale = asCount(service.scale);
  const replicas = asCount(deploy.replicas);
  if (scale !== undefined && replicas !== undefined && scale !== replicas) {
    throw invalid(
      `services.${name}: can't set distinct values on 'scale' and 'deploy.replicas': ${INVALID}`,
      at(context, "scale"),
      "set the number of replicas once, with `scale` or with `deploy.replicas`",
    );
  }
  const count = scale ?? replicas ?? 1;
  if (count <= 1 || service.container_name === undefined) return;
  const attribute = scale !== undefined ? "scale" : "deploy.replicas";
  throw invalid(
    `services.${name}: can't set container_name and ${attribute} as container name must be unique: ${INVALID}`,
    at(context, "container_name"),
    `remove \`container_name\` (replicas are named <project>-${name}-<n>) or run a single replica`,
  );
}

/** Watch actions that copy files into the container, and so need to know where. */
const ACTIONS_WITH_TARGET = new Set(["sync", "sync+restart", "sync+exec"]);

function watchTargets(context: RuleContext): void {
  const develop = context.service.develop;
  const watch = isRecord(develop) ? develop.watch : undefined;
  if (!Array.isArray(watch)) return;
  watch.forEach((entry, index) => {
    if (!isRecord(entry) || !ACTIONS_WITH_TARGET.has(String(entry.action))) return;
    if (typeof entry.target === "string" && entry.target !== "") return;
    throw invalid(
      `services.${context.name}.develop.watch: target is required for non-rebuild actions: ${INVALID}`,
      keyLocationOf(entry, "action") ?? locationOf(watch, index) ?? at(context, "develop"),
      `add \`target: /path/in/container\` to this watch entry: it is where action ${String(entry.action)} copies the changed files`,
    );
  });
}

/** One path in the container can be mounted once: tmpfs first, then volumes, as compose-go reports them. */
function uniqueMountTargets(context: RuleContext): void {
  const { name, service, where } = context;
  const mounted = new Map<string, string>();
  const claim = (target: string, label: string, location: SourceLocation | undefined) => {
    const previous = mounted.get(target);
    if (previous !== undefined) {
      throw invalid(
        `${label}: target ${target} already mounted as ${previous}`,
        location,
        "mount each path in the container once: remove one of the two entries or change its target",
      );
    }
    mounted.set(target, label);
  };
  tmpfsRefs(service, where).forEach((ref, index) =>
    claim(ref.name, `services.${name}.tmpfs[${index}]`, ref.where),
  );
  mountRefs(service, where).forEach((mount, index) => {
    if (mount.target !== undefined) claim(mount.target, `services.${name}.volumes[${index}]`, mount.where);
  });
}

/** The per-service rules, in compose-go's order. */
export const SERVICE_RULES: readonly ServiceRule[] = [
  imageOrBuild,
  dockerfileExclusive,
  networkModeExclusive,
  healthcheckTest,
  scaleAndContainerName,
  watchTargets,
  uniqueMountTargets,
];
