import { suggest } from "./suggest.js";

/**
 * The defined name closest to a referenced one, for "did you mean" hints on references (a network called
 * `frontend` referenced as `frontned` or `front`): a plausible typo (suggest.ts), else a defined name that
 * the reference shortens or extends, since names like `front`/`frontend` or `db`/`db-data` are a common slip.
 * Returns undefined when nothing is close enough.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates].filter((candidate) => candidate !== name).sort();
  const typo = suggest(name, list);
  if (typo !== undefined) return typo;
  const lower = name.toLowerCase();
  return list.find((candidate) => {
    const other = candidate.toLowerCase();
    return Math.min(other.length, lower.length) >= 3 && (other.startsWith(lower) || lower.startsWith(other));
  });
}
