/**
 * The defined name closest to a misspelled one, for "did you mean" hints on references (a network called
 * `frontend` referenced as `front-end`). Returns undefined when nothing is close enough to be a likely typo.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  // Sorted so that ties resolve the same way on every run.
  for (const candidate of [...candidates].sort()) {
    if (candidate === name) continue;
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  // A third of the longer name, at least one edit: `db` -> `dbs` is a typo, `db` -> `web` is not.
  const allowed = Math.max(1, Math.floor(Math.max(name.length, best.length) / 3));
  if (bestDistance <= allowed) return best;
  // A shortened name (`front` for `frontend`) is as likely as a typo.
  const lower = name.toLowerCase();
  return [...candidates]
    .sort()
    .find(
      (c) =>
        Math.min(c.length, name.length) >= 3 &&
        (c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase())),
    );
}

/** Edit distance where swapping two neighbours counts as one edit (`bd` -> `db`), as typos go. */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let distance = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, (before[j - 2] ?? 0) + 1);
      }
      current.push(distance);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
