import { createReadStream, statSync } from "node:fs";
import type { Command } from "commander";
import { stateRoot } from "../common/root.js";
import { TscError } from "../errors.js";
import {
  importImage,
  listImages,
  parseReference,
  removeImage,
  tagImage,
  type ImageSummary,
} from "../image/index.js";
import { getContainer } from "../runtime/index.js";
import { humanDuration } from "./container.js";
import { forEachArgument } from "./each-argument.js";
import { table } from "./output.js";
import { collect } from "./repeatable.js";

/** `tscompose image …`: docker's image import, ls and rm, with its names, flags and output. */

function out(text: string): void {
  process.stdout.write(text);
}

/** docker's units.HumanSizeWithPrecision(size, 3): decimal units, three significant digits. */
export function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < units.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${Number.parseFloat(size.toPrecision(3))}${units[unit]}`;
}

/** Go's time.Time String() form docker prints in CreatedAt: `2006-01-02 15:04:05 +0000 UTC`. */
function createdAt(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace("T", " ")} +0000 UTC`;
}

interface Row {
  repository: string;
  tag: string;
  image: ImageSummary;
}

function rowsOf(images: ImageSummary[]): Row[] {
  const rows: Row[] = [];
  for (const image of images) {
    if (image.repoTags.length === 0) rows.push({ repository: "<none>", tag: "<none>", image });
    for (const name of image.repoTags) {
      const ref = parseReference(name, { defaultTag: false });
      rows.push({ repository: ref.familiarName, tag: ref.tag ?? "<none>", image });
    }
  }
  return rows;
}

/** `image ls REPOSITORY[:TAG]`: rows of that repository (and tag, if given). */
function matches(row: Row, filter: string | undefined): boolean {
  if (filter === undefined) return true;
  const ref = parseReference(filter, { defaultTag: false });
  return row.repository === ref.familiarName && (ref.tag === undefined || ref.tag === row.tag);
}

interface LsFlags {
  quiet?: boolean;
  noTrunc?: boolean;
  format?: string;
  all?: boolean;
}

function listCommand(filter: string | undefined, flags: LsFlags): void {
  const now = Date.now();
  const rows = rowsOf(listImages(stateRoot())).filter((row) => matches(row, filter));
  const id = (image: ImageSummary): string => (flags.noTrunc ? image.id : image.id.slice(7, 19));
  if (flags.quiet) {
    out([...new Set(rows.map((row) => id(row.image)))].map((line) => `${line}\n`).join(""));
    return;
  }
  if (flags.format === "json") {
    for (const { repository, tag, image } of rows) {
      const size = humanSize(image.size);
      const line = {
        Containers: "N/A",
        CreatedAt: createdAt(image.created),
        CreatedSince: `${humanDuration(now - Date.parse(image.created))} ago`,
        Digest: "<none>",
        ID: id(image),
        Repository: repository,
        SharedSize: "N/A",
        Size: size,
        Tag: tag,
        UniqueSize: "N/A",
        VirtualSize: size,
      };
      out(`${JSON.stringify(line)}\n`);
    }
    return;
  }
  if (flags.format !== undefined && flags.format !== "table")
    throw new TscError("E_USAGE", `unsupported --format ${JSON.stringify(flags.format)}`, {
      hint: "use --format json (one JSON object per line) or --format table",
    });
  const lines = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]];
  for (const { repository, tag, image } of rows)
    lines.push([
      repository,
      tag,
      id(image),
      `${humanDuration(now - Date.parse(image.created))} ago`,
      humanSize(image.size),
    ]);
  out(table(lines));
}

async function importCommand(
  file: string,
  reference: string | undefined,
  flags: { change: string[]; message?: string },
): Promise<void> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file))
    throw new TscError("E_USAGE", `importing from a URL (${file}) is not supported`, {
      hint: "download the tarball first, or pipe it: curl -fsSL URL | tscompose image import - NAME",
    });
  let source: AsyncIterable<Uint8Array> = process.stdin;
  if (file !== "-") {
    try {
      if (!statSync(file).isFile()) throw new Error("not a regular file");
    } catch (error) {
      throw new TscError(
        "E_USAGE",
        `cannot import ${file}: ${error instanceof Error ? error.message : error}`,
        {
          hint: "give a root filesystem tarball (tar or tar.gz), or - to read one from stdin",
        },
      );
    }
    source = createReadStream(file);
  }
  const result = await importImage(stateRoot(), source, {
    reference,
    changes: flags.change,
    message: flags.message,
    sourceName: file,
  });
  out(`${result.id}\n`);
}

export function registerImageCommands(program: Command): void {
  const image = program.command("image").description("Manage images");
  image
    .command("import")
    .description("Import the contents of a root filesystem tarball to create an image")
    .argument("<file>", "tarball (tar, tar.gz), or - for stdin")
    .argument("[reference]", "name for the image, REPOSITORY[:TAG]")
    .option(
      "-c, --change <instruction>",
      "apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, USER…)",
      collect,
      [],
    )
    .option("-m, --message <message>", "commit message for the imported image")
    .action(importCommand);
  image
    .command("ls")
    .alias("list")
    .description("List images")
    .argument("[repository]", "only images of this REPOSITORY[:TAG]")
    .option("-a, --all", "show all images (there are no intermediate images: same as without)")
    .option("-q, --quiet", "only show image ids")
    .option("--no-trunc", "do not truncate output")
    .option("--format <format>", "json: one JSON object per line; table: the default")
    .action((filter: string | undefined, flags: LsFlags & { trunc?: boolean }) =>
      listCommand(filter, { ...flags, noTrunc: flags.trunc === false }),
    );
  image
    .command("tag")
    .description("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
    .argument("<source>", "SOURCE_IMAGE[:TAG] or image id")
    .argument("<target>", "TARGET_IMAGE[:TAG]")
    .action((source: string, target: string) => {
      tagImage(stateRoot(), source, target);
    });
  image
    .command("rm")
    .alias("remove")
    .alias("rmi")
    .description("Remove one or more images")
    .argument("<images...>")
    .option("-f, --force", "force removal of the image")
    .action(async (refs: string[], flags: { force?: boolean }) => {
      await forEachArgument(refs, (ref) => {
        const result = removeImage(stateRoot(), ref, {
          force: flags.force,
          isRunning: (id) => {
            try {
              return getContainer(stateRoot(), id).state.running;
            } catch {
              // A record being created or removed right now: not running.
              return false;
            }
          },
        });
        for (const name of result.untagged) out(`Untagged: ${name}\n`);
        for (const id of result.deleted) out(`Deleted: ${id}\n`);
      });
    });
}
