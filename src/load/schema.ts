import type { LoadWarning } from "./options.js";
import { YamlTag, copyLocations, keyLocationOf, type Tree } from "./source.js";
import { loadValidator, type LoadedValidator } from "./schema-compile.js";
import { schemaErrorFrom } from "./schema-error.js";

/**
 * Validation of one compose file against our Compose Specification schema (schemas/compose-spec.json), after
 * interpolation and typed casts, as compose-go does in schema.Validate. Only the most specific ajv error is
 * reported, located at file:line:col (see schema-error.ts).
 */

let cached: LoadedValidator | undefined;

/** The schema validator, loaded (or compiled) on first use and kept for the life of the process. */
export function composeSchemaValidator(): LoadedValidator {
  cached ??= loadValidator();
  return cached;
}

const VERSION_OBSOLETE =
  "the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion";

/**
 * Validates one prepared compose file tree. `file` names the file in messages; `warn` receives the
 * obsolete-`version` warning. Throws E_LOAD_UNKNOWN_KEY or E_LOAD_SCHEMA at the offending node.
 */
export function validateSchema(tree: Tree, file: string, warn?: (warning: LoadWarning) => void): void {
  if (warn && Object.hasOwn(tree, "version")) {
    warn({
      message: `${file}: ${VERSION_OBSOLETE}`,
      where: keyLocationOf(tree, "version"),
      hint: "delete the `version:` line; the Compose Specification does not use it",
    });
  }
  const subject = withoutTags(tree);
  const { validate } = composeSchemaValidator();
  if (validate(subject)) return;
  throw schemaErrorFrom(validate.errors ?? [], subject, file);
}

/**
 * The tree as the schema should see it: `!override` values replaced by what they hold, `!reset` entries of
 * a mapping dropped (the merge phase removes them anyway). Containers on the way to a tag are copied with
 * their locations; a tree without tags is returned as is.
 */
function withoutTags(value: unknown): unknown {
  if (value instanceof YamlTag) return withoutTags(value.value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const stripped = withoutTags(item);
      if (stripped !== item) {
        copy ??= copied(value, [...value]);
        copy[index] = stripped;
      }
    });
    return copy ?? value;
  }
  if (typeof value === "object" && value !== null) {
    const map = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(map)) {
      if (item instanceof YamlTag && item.tag === "reset") {
        copy ??= copied(map, { ...map });
        delete copy[key];
        continue;
      }
      const stripped = withoutTags(item);
      if (stripped !== item) {
        copy ??= copied(map, { ...map });
        copy[key] = stripped;
      }
    }
    return copy ?? value;
  }
  return value;
}

function copied<T extends object>(from: object, to: T): T {
  copyLocations(from, to);
  return to;
}
