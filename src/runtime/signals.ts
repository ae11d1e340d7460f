import { constants } from "node:os";
import { TscError } from "../errors.js";

/** Signal names as docker accepts them: SIGTERM, TERM, term or 15 are one signal. */
export function normalizeSignal(value: string | number): NodeJS.Signals {
  const text = String(value).trim().toUpperCase();
  const byNumber = /^\d+$/.test(text)
    ? Object.entries(constants.signals).find(([, number]) => number === Number(text))?.[0]
    : undefined;
  const name = byNumber ?? (text.startsWith("SIG") ? text : `SIG${text}`);
  if (!(name in constants.signals)) {
    throw new TscError("E_CONTAINER_CONFIG", `invalid signal ${JSON.stringify(String(value))}`, {
      hint: "use a signal name such as SIGTERM, TERM or KILL, or its number",
    });
  }
  return name as NodeJS.Signals;
}

export function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal];
}
