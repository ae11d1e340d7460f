import { TscError } from "../errors.js";

/**
 * docker's detach keys: a key sequence in an attached stdin that detaches the CLI and leaves the container
 * running. `--detach-keys` is comma-separated keys, each one character or `ctrl-<key>` with key one of
 * a-z @ [ \ ] ^ _; the default is ctrl-p,ctrl-q.
 */

export const DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";

const CTRL_SYMBOLS: Record<string, number> = { "@": 0, "[": 27, "\\": 28, "]": 29, "^": 30, _: 31 };

function keyByte(key: string): number | undefined {
  if (key.length === 1) return key.charCodeAt(0);
  const ctrl = /^ctrl-(.)$/i.exec(key)?.[1];
  if (ctrl === undefined) return undefined;
  if (/^[a-z]$/i.test(ctrl)) return ctrl.toLowerCase().charCodeAt(0) - 96;
  return CTRL_SYMBOLS[ctrl];
}

/** The bytes of a --detach-keys value; E_USAGE naming the key that is not one. */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(",").map((key) => {
    const byte = keyByte(key);
    if (byte === undefined) {
      throw new TscError("E_USAGE", `invalid --detach-keys ${JSON.stringify(spec)}: ${JSON.stringify(key)}`, {
        hint: "give keys such as ctrl-p,ctrl-q: one character or ctrl- and one of a-z @ [ \\ ] ^ _",
      });
    }
    return byte;
  });
}

/**
 * Watches stdin for the sequence: bytes that may begin it are held back until the next byte shows whether
 * they do (and then pass on if not), so what the container gets is exactly what was typed, minus a detach.
 */
export class EscapeProxy {
  private held = 0;

  constructor(private readonly sequence: readonly number[]) {}

  /** What to send on for this chunk, and whether the sequence has now been typed whole. */
  feed(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.sequence[this.held]) {
        this.held++;
        if (this.held === this.sequence.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      out.push(...this.sequence.slice(0, this.held));
      this.held = 0;
      if (byte === this.sequence[0]) this.held = 1;
      else out.push(byte);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
