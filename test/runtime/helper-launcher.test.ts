import { existsSync, mkdtempSync, readFileSync, rmSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateRoot, type StateRoot } from "../../src/common/root.js";
import { resolveImage } from "../../src/image/index.js";
import { createContainer, type ImageInfo } from "../../src/runtime/create.js";
import { attachSocketPath, helperLauncher } from "../../src/runtime/helper-launcher.js";
import { attachContainer } from "../../src/runtime/helper.js";
import {
  listContainers,
  removeContainer,
  stopContainer,
  waitContainer,
} from "../../src/runtime/lifecycle.js";
import { execInContainer, startContainer } from "../../src/runtime/start.js";
import { importBusybox } from "../helpers/busybox-image.js";
import { HelperFixture } from "./helper-fixture.js";

// The helper behind start.ts's Launcher contract: an imported busybox image, created, started, exec'd,
// stopped and removed through the runtime's own functions, leaving no mount, cgroup or process.

const PARENT = `tsc-helper-launcher-${process.pid}`;
let dir: string;
let root: StateRoot;
let image: ImageInfo;
let fx: HelperFixture;

beforeAll(async () => {
  fx = new HelperFixture();
  dir = mkdtempSync(join(tmpdir(), "tsc-launcher-"));
  root = stateRoot(join(dir, "root"));
  await importBusybox(root, "busybox:latest");
  image = await resolveImage(root, "busybox");
  process.env.TSCOMPOSE_CGROUP_PARENT = PARENT;
});

afterAll(async () => {
  // Containers a failed test left behind go first, so their cgroups can be removed.
  for (const c of listContainers(root, true)) await removeContainer(root, c.record.id, true);
  delete process.env.TSCOMPOSE_CGROUP_PARENT;
  expect(readFileSync("/proc/mounts", "utf8")).not.toContain(dir);
  for (const c of [
    "blkio",
    "cpu",
    "cpuacct",
    "cpuset",
    "devices",
    "freezer",
    "memory",
    "pids",
    "systemd",
    "unified",
  ]) {
    const path = join("/sys/fs/cgroup", c, PARENT);
    if (existsSync(path)) rmdirSync(path);
  }
  rmSync(dir, { recursive: true, force: true });
  await fx.cleanup();
});

describe("helperLauncher", () => {
  it("runs an image's command as its user, and removing it leaves nothing behind", async () => {
    const record = createContainer(root, image, {
      image: "busybox",
      cmd: ["sh", "-c", "id -u; echo $HOSTNAME; grep CapEff /proc/self/status"],
      user: "app",
      hostname: "web",
    });
    await startContainer(root, record.id, helperLauncher());
    const state = await waitContainer(root, record.id, 10_000);
    expect(state?.exitCode).toBe(0);
    const log = readFileSync(join(root.container(record.id), "container.log"), "utf8");
    expect(log).toMatch(/"log":"1000\\n"/);
    expect(log).toMatch(/"log":"web\\n"/);
    expect(log).toMatch(/"log":"CapEff:\\t0000000000000000\\n"/);
    await removeContainer(root, record.id, true);
    expect(existsSync(root.container(record.id))).toBe(false);
  });

  it("execs into a running container and stops a --init one at once", async () => {
    const record = createContainer(root, image, { image: "busybox", cmd: ["sleep", "60"], init: true });
    await startContainer(root, record.id, helperLauncher());
    const result = await execInContainer(root, record.id, { args: ["sh", "-c", "exit 3"] }, helperLauncher());
    expect(result.exitCode).toBe(3);
    const started = Date.now();
    const stopped = await stopContainer(root, record.id, 10);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(stopped.exitCode).toBe(143);
    await removeContainer(root, record.id, true);
  });

  it("holds a foreground container's command until the caller attached", async () => {
    const record = createContainer(root, image, {
      image: "busybox",
      cmd: ["sh", "-c", "echo first; cat"],
      openStdin: true,
    });
    await startContainer(root, record.id, helperLauncher({ waitAttachSeconds: 10 }));
    const out: Buffer[] = [];
    const attachment = await attachContainer(attachSocketPath(root.container(record.id)), {
      stdout: (d) => out.push(d),
    });
    attachment.write("second\n");
    attachment.closeStdin();
    expect(await attachment.exit).toBe(0);
    expect(Buffer.concat(out).toString()).toBe("first\nsecond\n");
    await removeContainer(root, record.id, true);
  });
});
