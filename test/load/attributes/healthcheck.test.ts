import { describe, expect, it } from "vitest";
import { load } from "./round-trip.js";

describe("healthcheck", () => {
  it.each([
    ["test: curl -f http://localhost", { test: ["CMD-SHELL", "curl -f http://localhost"] }],
    ["test: [CMD, pg_isready]", { test: ["CMD", "pg_isready"] }],
    [
      "{test: [CMD-SHELL, x], interval: 90s, timeout: 1500ms, retries: 3, start_period: 1m, start_interval: 2s}",
      {
        test: ["CMD-SHELL", "x"],
        interval: "1m30s",
        timeout: "1.5s",
        retries: 3,
        start_period: "1m0s",
        start_interval: "2s",
      },
    ],
    ["disable: true", { disable: true }],
  ])("%s", (healthcheck, expected) => {
    const text = healthcheck.startsWith("{") ? healthcheck : `{${healthcheck}}`;
    const { project } = load(`services:\n  db:\n    image: x\n    healthcheck: ${text}\n`);
    expect(project.services.db?.healthcheck).toEqual(expected);
  });

  it("prints durations the way Go does, in compose's field order", () => {
    const { yaml } = load(
      "services:\n  db:\n    image: x\n    healthcheck: {interval: 1h, timeout: 10s, test: [NONE]}\n",
    );
    expect(yaml).toContain(`    healthcheck:
      test:
        - NONE
      timeout: 10s
      interval: 1h0m0s
`);
  });
});
