/**
 * Paths into a compose tree and tables of rules keyed by path pattern (compose-go tree.Path): a pattern
 * such as `services.*.ports` matches a path of the same length where `*` stands for any one segment.
 * Paths are arrays of segments, so a service named `my.app` is still one segment.
 */

export type TreePath = readonly string[];

/** Rules looked up by the path of the value they apply to. */
export class PathTable<T> {
  private readonly rows: Array<{ pattern: readonly string[]; rule: T }>;

  constructor(rows: Readonly<Record<string, T>>) {
    this.rows = Object.entries(rows).map(([pattern, rule]) => ({ pattern: pattern.split("."), rule }));
  }

  /** The rule whose pattern matches `path`, if any (patterns in one table never overlap). */
  lookup(path: TreePath): T | undefined {
    for (const row of this.rows) {
      if (matches(path, row.pattern)) return row.rule;
    }
    return undefined;
  }
}

export function matches(path: TreePath, pattern: readonly string[]): boolean {
  if (path.length !== pattern.length) return false;
  return pattern.every((segment, i) => segment === "*" || segment === path[i]);
}

/** `services.web.ports` for messages. */
export function formatPath(path: TreePath): string {
  return path.join(".");
}
