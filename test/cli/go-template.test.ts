import { describe, expect, it } from "vitest";
import { goFormat, renderGoTemplate } from "../../src/cli/go-template.js";

const inspected = {
  Id: "abc",
  State: { Status: "exited", ExitCode: 3, Running: false, Error: "" },
  Config: { Env: ["A=1", "B=2"], Labels: { z: "1", a: "2" }, Entrypoint: null },
};

describe("inspect -f templates (the part of Go's text/template scripts use)", () => {
  it.each<[string, string]>([
    ["{{.State.ExitCode}}", "3"],
    ["{{ .State.Status }} {{.State.Running}}", "exited false"],
    ["id={{.Id}}!", "id=abc!"],
    ["{{.Config.Env}}", "[A=1 B=2]"],
    ["{{.Config.Labels}}", "map[a:2 z:1]"],
    ["{{.Config.Entrypoint}}", "<nil>"],
    ["{{.No.Such}}", "<no value>"],
    ["{{json .Config.Labels}}", '{"z":"1","a":"2"}'],
    ["{{json .State.Error}}", '""'],
    ["{{json .}}", JSON.stringify(inspected)],
    ["no actions", "no actions"],
  ])("%s", (template, expected) => {
    expect(renderGoTemplate(template, inspected)).toBe(expected);
  });

  it.each(["{{range .Config.Env}}{{.}}{{end}}", "{{.State.ExitCode | printf}}", "{{index .Config.Env 0}}"])(
    "refuses %s with what it supports",
    (template) => {
      expect(() => renderGoTemplate(template, inspected)).toThrow(
        expect.objectContaining({ code: "E_USAGE", hint: expect.stringContaining("{{json .Field.Path}}") }),
      );
    },
  );

  it("formats values as Go's fmt does", () => {
    expect([goFormat(true), goFormat(1.5), goFormat([]), goFormat({})]).toEqual([
      "true",
      "1.5",
      "[]",
      "map[]",
    ]);
  });
});
