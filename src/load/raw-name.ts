import { readFileSync } from "node:fs";
import { isMap, isScalar, parseAllDocuments } from "yaml";

/** The top-level `name:` of a compose file as written, before interpolation. */
export interface RawName {
  file: string;
  text: string;
  /** Index of the document among the file's non-empty documents (as source.ts numbers them). */
  document: number;
  value: string;
}

/**
 * Reads a compose file's raw top-level `name:` (the last one across its documents), as compose-go does in a
 * pass of its own before loading: the name must be known early because `${COMPOSE_PROJECT_NAME}` interpolates
 * to it. Unreadable or malformed files give undefined; the real parse reports those.
 */
export function readRawName(ref: { path: string; content?: string }): RawName | undefined {
  let text = ref.content;
  if (text === undefined) {
    try {
      text = readFileSync(ref.path, "utf8");
    } catch {
      return undefined;
    }
  }
  if (!text.includes("name")) return undefined;
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const docs = parseAllDocuments(source, { version: "1.2" });
  const list = Array.isArray(docs) ? docs : [];
  const kept = list.filter((doc) => doc.contents !== null || list.length === 1);
  let found: RawName | undefined;
  kept.forEach((doc, document) => {
    if (doc.errors.length > 0 || !isMap(doc.contents)) return;
    for (const pair of doc.contents.items) {
      if (!isScalar(pair.key) || pair.key.value !== "name") continue;
      if (isScalar(pair.value) && typeof pair.value.value === "string" && pair.value.value !== "") {
        found = { file: ref.path, text, document, value: pair.value.value };
      }
    }
  });
  return found;
}
