import { nodeCrypto } from "../common/node-crypto.js";
import { renderServiceJson, type Service } from "../load/index.js";

/**
 * The hash of a service's effective configuration, as docker compose's ServiceHash (the
 * `com.docker.compose.config-hash` label and `config --hash`): sha256 of the service's JSON in compose-go's
 * field order, leaving out what does not change a container: build, pull_policy, scale, deploy.replicas,
 * depends_on and profiles, and the env and label files (already merged into environment and labels). A container whose label differs from this hash is recreated.
 */
export function serviceConfigHash(service: Service): string {
  const effective: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(service)) {
    if (IGNORED.has(key)) continue;
    if (key === "deploy" && typeof value === "object" && value !== null) {
      const { replicas: _replicas, ...deploy } = value as Record<string, unknown>;
      effective[key] = deploy;
    } else {
      effective[key] = value;
    }
  }
  return nodeCrypto()
    .createHash("sha256")
    .update(renderServiceJson(effective as Service))
    .digest("hex");
}

const IGNORED = new Set([
  "build",
  "pull_policy",
  "scale",
  "depends_on",
  "profiles",
  "env_file",
  "label_file",
]);
