import { TscError } from "../errors.js";
import type { ContainerRecord, ContainerState } from "../runtime/index.js";

/**
 * docker ps --filter: KEY=VALUE, repeatable. Values of one key are alternatives, different keys must all
 * hold. A status or exited filter looks at stopped containers too, as docker's does.
 */

const KEYS = ["id", "name", "status", "label", "ancestor", "exited"] as const;
type Key = (typeof KEYS)[number];
const STATUSES = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];

export type ContainerFilters = Map<Key, string[]>;

function usage(message: string, hint: string): TscError {
  return new TscError("E_USAGE", message, { hint });
}

export function parseFilters(values: readonly string[]): ContainerFilters {
  const filters: ContainerFilters = new Map();
  for (const value of values) {
    const at = value.indexOf("=");
    const key = (at === -1 ? value : value.slice(0, at)) as Key;
    const wanted = at === -1 ? "" : value.slice(at + 1);
    if (!KEYS.includes(key) || at === -1) {
      throw usage(
        `invalid filter ${JSON.stringify(value)}`,
        `use KEY=VALUE with a key among ${KEYS.join(", ")}`,
      );
    }
    if (key === "status" && !STATUSES.includes(wanted)) {
      throw usage(`invalid filter 'status=${wanted}'`, `a status is one of ${STATUSES.join(", ")}`);
    }
    if (key === "exited" && !/^-?\d+$/.test(wanted)) {
      throw usage(`invalid filter 'exited=${wanted}'`, "exited takes an exit code, such as exited=0");
    }
    filters.set(key, [...(filters.get(key) ?? []), wanted]);
  }
  return filters;
}

/** Whether the filters ask for stopped containers without -a. */
export function filtersIncludeStopped(filters: ContainerFilters): boolean {
  return filters.has("status") || filters.has("exited");
}

function matchesOne(key: Key, wanted: string, record: ContainerRecord, state: ContainerState): boolean {
  switch (key) {
    case "id":
      return record.id.startsWith(wanted);
    case "name":
      // docker matches names as a regular expression; a pattern that is not one is taken literally.
      try {
        return new RegExp(wanted).test(record.name);
      } catch {
        return record.name.includes(wanted);
      }
    case "status":
      return state.status === wanted;
    case "exited":
      return state.status === "exited" && state.exitCode === Number(wanted);
    case "label": {
      const at = wanted.indexOf("=");
      const labels = record.config.labels;
      return at === -1 ? wanted in labels : labels[wanted.slice(0, at)] === wanted.slice(at + 1);
    }
    case "ancestor": {
      const untagged = (ref: string) => ref.replace(/:latest$/, "");
      return (
        untagged(record.imageRef) === untagged(wanted) ||
        record.imageId === wanted ||
        record.imageId.startsWith(`sha256:${wanted}`)
      );
    }
  }
}

export function matchesFilters(
  filters: ContainerFilters,
  record: ContainerRecord,
  state: ContainerState,
): boolean {
  for (const [key, values] of filters) {
    if (!values.some((wanted) => matchesOne(key, wanted, record, state))) return false;
  }
  return true;
}
