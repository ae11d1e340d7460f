import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stateRoot } from "../../src/common/root.js";
import { ContainerStore } from "../../src/runtime/container-store.js";
import {
  DEFAULT_PATH,
  createContainer,
  mergeCommand,
  mergeEnv,
  type ImageInfo,
} from "../../src/runtime/create.js";

const dir = mkdtempSync(join(tmpdir(), "tsc-create-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const layer = join(dir, "layer");
mkdirSync(join(layer, "etc"), { recursive: true });
writeFileSync(
  join(layer, "etc", "passwd"),
  "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
);
writeFileSync(join(layer, "etc", "group"), "root:x:0:\napp:x:1000:\n");

const image: ImageInfo = {
  id: "sha256:" + "b".repeat(64),
  config: {
    Env: ["PATH=/bin", "A=image"],
    Cmd: ["sh"],
    WorkingDir: "/srv",
    StopSignal: "SIGQUIT",
    Labels: { l: "1" },
  },
  layers: [layer],
};

describe("mergeCommand (docker's ENTRYPOINT/CMD rules)", () => {
  it.each<
    [ImageInfo["config"], string | undefined, string[] | undefined, { entrypoint: string[]; cmd: string[] }]
  >([
    [{ Cmd: ["sh"] }, undefined, undefined, { entrypoint: [], cmd: ["sh"] }],
    [{ Cmd: ["sh"] }, undefined, ["echo", "hi"], { entrypoint: [], cmd: ["echo", "hi"] }],
    [{ Entrypoint: ["/init"], Cmd: ["run"] }, undefined, undefined, { entrypoint: ["/init"], cmd: ["run"] }],
    [{ Entrypoint: ["/init"], Cmd: ["run"] }, undefined, ["x"], { entrypoint: ["/init"], cmd: ["x"] }],
    [{ Entrypoint: ["/init"], Cmd: ["run"] }, "/bin/echo", undefined, { entrypoint: ["/bin/echo"], cmd: [] }],
    [{ Entrypoint: ["/init"], Cmd: ["run"] }, "", ["ls"], { entrypoint: [], cmd: ["ls"] }],
  ])("%j with --entrypoint %j and args %j", (config, entrypoint, cmd, expected) => {
    expect(mergeCommand(config, entrypoint, cmd)).toEqual(expected);
  });
  it("no command at all is a config error", () => {
    expect(() => mergeCommand({}, undefined, [])).toThrow(
      expect.objectContaining({ code: "E_CONTAINER_CONFIG" }),
    );
  });
});

describe("mergeEnv", () => {
  it("overrides by key, copies bare keys from the caller, adds PATH when missing", () => {
    process.env.TSC_CREATE_TEST = "from-caller";
    expect(mergeEnv(["A=1", "B=2"], ["B=3", "TSC_CREATE_TEST", "UNSET_TSC_VAR", "C=x=y"])).toEqual([
      "A=1",
      "B=3",
      "TSC_CREATE_TEST=from-caller",
      "C=x=y",
      DEFAULT_PATH,
    ]);
    delete process.env.TSC_CREATE_TEST;
    expect(mergeEnv(["PATH=/bin"], [])).toEqual(["PATH=/bin"]);
  });
});

describe("createContainer", () => {
  const root = stateRoot(join(dir, "root"));
  it("records the image's defaults, the short id as hostname, and the cgroup parent", () => {
    const record = createContainer(root, image, { image: "busybox", env: ["A=run"], name: "c1" });
    expect(record).toMatchObject({
      name: "c1",
      imageId: image.id,
      imageRef: "busybox",
      layers: [layer],
      config: {
        cmd: ["sh"],
        entrypoint: [],
        env: ["PATH=/bin", "A=run"],
        workingDir: "/srv",
        stopSignal: "SIGQUIT",
        hostname: record.id.slice(0, 12),
        labels: { l: "1" },
      },
      hostConfig: { networkMode: "none", cgroupParent: "tscompose" },
    });
    expect(new ContainerStore(root).get("c1")).toEqual(record);
  });
  it("rejects a user the image does not have, and creates nothing", () => {
    expect(() => createContainer(root, image, { image: "busybox", user: "ghost", name: "c2" })).toThrow(
      expect.objectContaining({ code: "E_CONTAINER_CONFIG" }),
    );
    expect(() => new ContainerStore(root).get("c2")).toThrow();
  });
  it("takes the cgroup parent from TSCOMPOSE_CGROUP_PARENT", () => {
    process.env.TSCOMPOSE_CGROUP_PARENT = "elsewhere";
    try {
      expect(createContainer(root, image, { image: "busybox" }).hostConfig.cgroupParent).toBe("elsewhere");
    } finally {
      delete process.env.TSCOMPOSE_CGROUP_PARENT;
    }
  });
});
