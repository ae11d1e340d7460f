/**
 * The ordered document `config` prints, between the model and the text: maps keep the order render.ts
 * gives them (JS objects would move integer-like keys first), and numbers carry their Go spelling for YAML
 * and for JSON, which differ for floats.
 */

export type Node = null | boolean | string | Num | readonly Node[] | OrderedMap;

export class OrderedMap {
  constructor(readonly entries: ReadonlyArray<readonly [string, Node]>) {}
}

/** A number as Go prints it in YAML (`strconv.FormatFloat(f, 'g', -1)`) and in JSON (encoding/json). */
export class Num {
  constructor(
    readonly yaml: string,
    readonly json: string,
  ) {}

  static int(value: number): Num {
    const text = String(value);
    return new Num(text, text);
  }

  static float(value: number): Num {
    return new Num(goFloatG(value), goFloatJson(value));
  }
}

/** Go's %g with the shortest precision: exponent form below 1e-4 and from 1e6 on. */
function goFloatG(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf";
  if (value === 0) return "0";
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 6) return goExponent(value.toExponential());
  return String(value);
}

/** encoding/json: plain decimal, exponent form (`1e-7`, `1e+21`) below 1e-6 or from 1e21 on. */
function goFloatJson(value: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return value.toExponential();
  return String(value);
}

/** `1e+6` -> `1e+06` (Go writes at least two exponent digits). */
function goExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}
