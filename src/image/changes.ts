import { TscError } from "../errors.js";
import type { ImageConfig } from "./oci.js";

/**
 * `--change` for `image import`: the Dockerfile instructions docker import accepts (CMD, ENTRYPOINT, ENV,
 * EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR), applied to an image config. CMD and ENTRYPOINT take
 * the JSON (exec) form or the shell form (`/bin/sh -c "<text>"`), as in a Dockerfile.
 */

function changeError(change: string, reason: string): TscError {
  return new TscError("E_USAGE", `--change ${JSON.stringify(change)}: ${reason}`, {
    hint: `--change takes one Dockerfile instruction: CMD ["sh"], ENTRYPOINT, ENV K=V, EXPOSE 80/tcp, LABEL K=V, STOPSIGNAL, USER, VOLUME, WORKDIR`,
  });
}

/** Splits `a "b c" d\ e` into words, with quotes and backslash escapes as a Dockerfile reads them. */
function words(change: string, text: string): string[] {
  const result: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\" && quote !== "'" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) result.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw changeError(change, "unterminated quote");
  if (inWord) result.push(word);
  return result;
}

function execOrShell(change: string, text: string): string[] {
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === "string")) return parsed as string[];
    if (text.trimEnd().endsWith("]"))
      throw changeError(change, "the exec form must be a JSON array of strings");
  }
  return ["/bin/sh", "-c", text];
}

/** KEY=VALUE pairs, or the legacy `KEY VALUE` form (one pair, the rest of the line). */
function pairs(change: string, text: string): [string, string][] {
  const first = words(change, text);
  if (first.length === 0) throw changeError(change, "needs KEY=VALUE");
  if (!first[0]?.includes("=")) {
    const space = text.search(/\s/);
    if (space === -1) throw changeError(change, "needs KEY=VALUE or KEY VALUE");
    return [[text.slice(0, space), words(change, text.slice(space)).join(" ")]];
  }
  return first.map((word) => {
    const eq = word.indexOf("=");
    if (eq <= 0) throw changeError(change, `${JSON.stringify(word)} is not KEY=VALUE`);
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
}

/** Applies one `--change` instruction to `config` (changed in place). */
export function applyChange(config: ImageConfig, change: string): void {
  const match = /^\s*(\S+)\s*(.*?)\s*$/s.exec(change);
  const instruction = match?.[1]?.toUpperCase() ?? "";
  const text = match?.[2] ?? "";
  if (text === "") throw changeError(change, `${instruction || "the instruction"} needs an argument`);
  switch (instruction) {
    case "CMD":
      config.Cmd = execOrShell(change, text);
      return;
    case "ENTRYPOINT":
      config.Entrypoint = execOrShell(change, text);
      return;
    case "ENV": {
      const env = config.Env ?? [];
      for (const [key, value] of pairs(change, text)) {
        const index = env.findIndex((entry) => entry.split("=")[0] === key);
        if (index === -1) env.push(`${key}=${value}`);
        else env[index] = `${key}=${value}`;
      }
      config.Env = env;
      return;
    }
    case "LABEL":
      config.Labels = { ...config.Labels, ...Object.fromEntries(pairs(change, text)) };
      return;
    case "EXPOSE":
      config.ExposedPorts = config.ExposedPorts ?? {};
      for (const port of words(change, text)) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(port)) throw changeError(change, `invalid port ${port}`);
        config.ExposedPorts[port.includes("/") ? port.toLowerCase() : `${port}/tcp`] = {};
      }
      return;
    case "VOLUME": {
      const paths =
        text.startsWith("[") && text.endsWith("]") ? execOrShell(change, text) : words(change, text);
      config.Volumes = config.Volumes ?? {};
      for (const path of paths) config.Volumes[path] = {};
      return;
    }
    case "USER":
      config.User = text;
      return;
    case "WORKDIR":
      config.WorkingDir = text;
      return;
    case "STOPSIGNAL":
      config.StopSignal = text;
      return;
    default:
      throw changeError(change, `${instruction} is not a valid change command`);
  }
}
