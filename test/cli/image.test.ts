import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { humanSize } from "../../src/cli/image.js";
import { main } from "../../src/cli/main.js";
import { stateRoot } from "../../src/common/root.js";
import { makeBusyboxTar } from "../helpers/busybox-image.js";

let work: string;
let tarPath: string;
let counter = 0;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "tscompose-cli-image-"));
  tarPath = join(work, "busybox.tar");
  makeBusyboxTar(tarPath);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(() => {
  vi.stubEnv("TSCOMPOSE_ROOT", join(work, `root-${++counter}`));
  process.exitCode = undefined;
});

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    vi.mocked(process.stdout.write).mockRestore();
    vi.mocked(process.stderr.write).mockRestore();
    process.exitCode = undefined;
  }
}

const ID = /^sha256:[0-9a-f]{64}\n$/;

describe("tscompose image", () => {
  it("imports a tarball, lists it, and removes it as docker does", async () => {
    const imported = await run("image", "import", tarPath, "busybox");
    expect(imported).toMatchObject({ code: 0, stderr: "" });
    expect(imported.stdout).toMatch(ID);
    const id = imported.stdout.trim();
    const tagged = await run("image", "import", "-m", "again", tarPath, "localhost:5000/bb:v2");
    const id2 = tagged.stdout.trim();

    const ls = await run("image", "ls");
    const lines = ls.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(lines[1]).toMatch(
      new RegExp(`^localhost:5000/bb\\s+v2\\s+${id2.slice(7, 19)}\\s+.* ago\\s+\\d[\\d.]*MB$`),
    );
    expect(lines[2]).toMatch(new RegExp(`^busybox\\s+latest\\s+${id.slice(7, 19)}\\s+`));
    expect((await run("image", "ls", "-q")).stdout).toBe(`${id2.slice(7, 19)}\n${id.slice(7, 19)}\n`);
    expect((await run("image", "ls", "-q", "--no-trunc", "busybox")).stdout).toBe(`${id}\n`);
    const json = (await run("image", "ls", "--format", "json", "busybox:latest")).stdout.trim().split("\n");
    expect(json).toHaveLength(1);
    expect(JSON.parse(json[0] as string)).toMatchObject({
      Repository: "busybox",
      Tag: "latest",
      ID: id.slice(7, 19),
      CreatedSince: expect.stringMatching(/ago$/),
      CreatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/),
    });

    expect(await run("image", "rm", "busybox")).toMatchObject({
      code: 0,
      stdout: `Untagged: busybox:latest\nDeleted: ${id}\n`,
    });
    expect((await run("image", "rm", id2.slice(7, 13))).stdout).toBe(
      `Untagged: localhost:5000/bb:v2\nDeleted: ${id2}\n`,
    );
    expect((await run("image", "ls", "-q")).stdout).toBe("");
  });

  it("tags an image with another name", async () => {
    const id = (await run("image", "import", tarPath, "busybox")).stdout.trim();
    expect(await run("image", "tag", "busybox", "localhost/mine:1")).toMatchObject({ code: 0, stdout: "" });
    expect((await run("image", "ls", "-q", "--no-trunc", "localhost/mine")).stdout).toBe(`${id}\n`);
    expect((await run("image", "rm", "busybox")).stdout).toBe("Untagged: busybox:latest\n");
  });

  it("reads the tarball from stdin and applies --change", async () => {
    const gz = execFileSync("gzip", ["-c", tarPath], { maxBuffer: 64 * 1024 * 1024 });
    vi.spyOn(process, "stdin", "get").mockReturnValue(Readable.from([gz]) as unknown as typeof process.stdin);
    const result = await run("image", "import", "-c", 'CMD ["sh"]', "--change", "ENV A=1", "-", "sh-image:1");
    expect(result.stdout).toMatch(ID);
    const { resolveImage } = await import("../../src/image/index.js");
    const image = await resolveImage(stateRoot(), "sh-image:1");
    expect(image.config).toEqual({ Cmd: ["sh"], Env: ["A=1"] });
    expect(image.image.history?.[0]?.comment).toBe("Imported from -");
  });

  it("refuses to remove an image a container uses, unless forced (and then keeps its content)", async () => {
    const id = (await run("image", "import", tarPath, "used")).stdout.trim();
    const root = stateRoot();
    mkdirSync(root.container("c0ffee"), { recursive: true });
    writeFileSync(
      join(root.container("c0ffee"), "config.json"),
      JSON.stringify({ id: "c0ffee", imageId: id }),
    );
    const refused = await run("image", "rm", "used");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("container c0ffee is using its referenced image");
    expect(refused.stderr).toContain("hint:");
    expect(await run("image", "rm", "-f", "used")).toMatchObject({
      code: 0,
      stdout: "Untagged: used:latest\n",
    });
    const ls = await run("image", "ls");
    expect(ls.stdout.split("\n")[1]).toMatch(new RegExp(`^<none>\\s+<none>\\s+${id.slice(7, 19)}`));
    rmSync(root.container("c0ffee"), { recursive: true });
    expect((await run("image", "rm", id)).stdout).toBe(`Deleted: ${id}\n`);
  });

  it.each([
    [["image", "rm", "nothere"], "No such image: nothere", "tscompose image import FILE nothere"],
    [["image", "import", join(tmpdir(), "no-such.tar"), "x"], "cannot import", "root filesystem tarball"],
    [["image", "import", "https://example.com/x.tar", "x"], "URL", "pipe it"],
    [["image", "import", "-", "Bad:Name"], "invalid reference format", "busybox:1.36"],
    [["image", "import", "-c", "FROM scratch", "-", "x"], "not a valid change command", "--change takes"],
    [["image", "ls", "--format", "{{.ID}}"], "unsupported --format", "--format json"],
  ])("%j fails with a message and a hint", async (argv, message, hint) => {
    vi.spyOn(process, "stdin", "get").mockReturnValue(Readable.from([]) as unknown as typeof process.stdin);
    const result = await run(...argv);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(`hint: `);
    expect(result.stderr).toContain(hint);
  });

  it.each([
    [0, "0B"],
    [999, "999B"],
    [1234, "1.23kB"],
    [4_261_000, "4.26MB"],
    [123_456_789, "123MB"],
    [2_000_000_000, "2GB"],
  ])("humanSize(%d) = %s", (bytes, text) => {
    expect(humanSize(bytes)).toBe(text);
  });
});
