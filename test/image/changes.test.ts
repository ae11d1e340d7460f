import { describe, expect, it } from "vitest";
import { applyChange } from "../../src/image/changes.js";
import type { ImageConfig } from "../../src/image/oci.js";

function apply(...changes: string[]): ImageConfig {
  const config: ImageConfig = {};
  for (const change of changes) applyChange(config, change);
  return config;
}

describe("--change", () => {
  it.each<[string[], ImageConfig]>([
    [['CMD ["sh"]'], { Cmd: ["sh"] }],
    [["CMD echo hello world"], { Cmd: ["/bin/sh", "-c", "echo hello world"] }],
    [["cmd [not json"], { Cmd: ["/bin/sh", "-c", "[not json"] }],
    [['ENTRYPOINT ["/bin/env", "-i"]'], { Entrypoint: ["/bin/env", "-i"] }],
    [["ENV A=1 B=two"], { Env: ["A=1", "B=two"] }],
    [['ENV A="x y" B=a\\ b'], { Env: ["A=x y", "B=a b"] }],
    [["ENV GREETING hello there"], { Env: ["GREETING=hello there"] }],
    [["ENV A=1", "ENV A=2 B=3"], { Env: ["A=2", "B=3"] }],
    [["LABEL a=b 'c d'=e"], { Labels: { a: "b", "c d": "e" } }],
    [["EXPOSE 80 53/UDP 8000-8001"], { ExposedPorts: { "80/tcp": {}, "53/udp": {}, "8000-8001/tcp": {} } }],
    [['VOLUME ["/data", "/logs"]'], { Volumes: { "/data": {}, "/logs": {} } }],
    [["VOLUME /data /cache"], { Volumes: { "/data": {}, "/cache": {} } }],
    [["USER app:extra"], { User: "app:extra" }],
    [["WORKDIR /srv/app"], { WorkingDir: "/srv/app" }],
    [["STOPSIGNAL SIGINT"], { StopSignal: "SIGINT" }],
  ])("%j", (changes, config) => {
    expect(apply(...changes)).toEqual(config);
  });

  it.each([
    ["FROM scratch", "not a valid change command"],
    ["RUN make", "not a valid change command"],
    ["CMD", "needs an argument"],
    ['CMD ["sh", 1]', "JSON array of strings"],
    ["ENV", "needs an argument"],
    ["ENV =x", "is not KEY=VALUE"],
    ["ENV A='unterminated", "unterminated quote"],
    ["EXPOSE http", "invalid port"],
  ])("rejects %j", (change, message) => {
    expect(() => apply(change)).toThrow(
      expect.objectContaining({ code: "E_USAGE", message: expect.stringContaining(message) }),
    );
  });
});
