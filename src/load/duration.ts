import { TscError } from "../errors.js";

/**
 * Durations as compose reads and prints them: parsed like Go's time.ParseDuration plus the `d` and `w`
 * units (xhit/go-str2duration), printed like Go's Duration.String (`1m30s`, `500ms`, `1h0m0s`).
 * Values are nanoseconds in a JS number: exact up to about 104 days, far beyond any compose timeout.
 */

const UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
  w: 604800e9,
};

/** `1m30s` -> 90e9. Throws E_LOAD_TYPE for text that is not a duration. */
export function parseDuration(text: string): number {
  const invalid = () =>
    new TscError("E_LOAD_TYPE", `invalid duration "${text}"`, {
      hint: "write a duration such as 10s, 1m30s or 500ms",
    });
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest[0] === "-") sign = -1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw invalid();
  let total = 0;
  const part = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/;
  while (rest !== "") {
    const match = part.exec(rest);
    if (!match || (match[1] === "" && (match[2] ?? "") === "")) throw invalid();
    const unit = UNITS[match[3] ?? ""];
    if (unit === undefined) throw invalid();
    const whole = match[1] === "" ? 0 : Number(match[1]);
    const fraction = match[2] ? Number(`0.${match[2]}`) : 0;
    total += whole * unit + Math.round(fraction * unit);
    rest = rest.slice(match[0].length);
  }
  return sign * total;
}

/** 90e9 -> `1m30s`, as Go's time.Duration.String. */
export function formatDuration(nanoseconds: number): string {
  const negative = nanoseconds < 0;
  let u = Math.round(Math.abs(nanoseconds));
  let out: string;
  if (u < 1e9) {
    if (u === 0) return "0s";
    if (u < 1e3) out = `${u}ns`;
    else if (u < 1e6) out = `${fraction(u, 3)}µs`;
    else out = `${fraction(u, 6)}ms`;
  } else {
    const seconds = fraction(u % 60e9, 9);
    u = Math.floor(u / 60e9);
    out = `${seconds}s`;
    if (u > 0) {
      out = `${u % 60}m${out}`;
      u = Math.floor(u / 60);
      if (u > 0) out = `${u}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}

/** `value / 10^digits` printed without trailing zeros (Go's fmtFrac + fmtInt). */
function fraction(value: number, digits: number): string {
  const scale = 10 ** digits;
  const whole = Math.floor(value / scale);
  const frac = String(value % scale)
    .padStart(digits, "0")
    .replace(/0+$/, "");
  return frac === "" ? String(whole) : `${whole}.${frac}`;
}
