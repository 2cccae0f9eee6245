const ESC = 0x1b;
const BEL = 0x07;
const C1_CSI = 0x9b;
const C1_OSC = 0x9d;
const C1_ST = 0x9c;

/** Where an escape sequence starting at some index ends, or why it does not. */
type SequenceEnd = number | "not_a_sequence" | "open_at_end";

/**
 * `text` as printable ASCII, in one pass: terminal control sequences (CSI such as `ESC [ 2 J`,
 * OSC such as `ESC ] 0 ; title BEL`) removed; each run of other whitespace (CR, LF, tabs, and
 * what JavaScript's `\s` counts as whitespace) made one space; every other character outside
 * 0x20-0x7e (a lone ESC included) shown as `?`; spaces at either end trimmed.
 *
 * `truncated`: `text` was cut from a longer text, so a sequence still open at its end is dropped
 * rather than shown (its remainder, and what it hid, lie beyond the cut).
 *
 * Linear in `text`: a sequence is scanned at most up to the next ESC, where it stops.
 */
export function printableAscii(text: string, truncated = false): string {
  let out = "";
  let inWhitespaceRun = false;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === ESC || code === C1_CSI || code === C1_OSC) {
      const end = sequenceEnd(text, i);
      if (typeof end === "number") {
        i = end;
        continue;
      }
      if (end === "open_at_end" && truncated) break;
    }
    if (code !== 0x20 && isWhitespace(text[i] ?? "")) {
      if (!inWhitespaceRun) out += " ";
      inWhitespaceRun = true;
    } else {
      out += code >= 0x20 && code <= 0x7e ? text[i] : "?";
      inWhitespaceRun = false;
    }
    i++;
  }
  return out.trim();
}

/** The index after the control sequence starting at `start` (ECMA-48 §5.4 CSI, §8.3.89 OSC). */
function sequenceEnd(text: string, start: number): SequenceEnd {
  const first = text.charCodeAt(start);
  if (first === C1_CSI) return csiEnd(text, start + 1);
  if (first === C1_OSC) return oscEnd(text, start + 1);
  if (start + 1 >= text.length) return "open_at_end";
  const second = text[start + 1];
  if (second === "[") return csiEnd(text, start + 2);
  if (second === "]") return oscEnd(text, start + 2);
  return "not_a_sequence";
}

/** Parameter bytes 0x30-0x3f, then intermediate bytes 0x20-0x2f, then one final byte 0x40-0x7e. */
function csiEnd(text: string, from: number): SequenceEnd {
  let i = from;
  while (i < text.length && inRange(text.charCodeAt(i), 0x30, 0x3f)) i++;
  while (i < text.length && inRange(text.charCodeAt(i), 0x20, 0x2f)) i++;
  if (i >= text.length) return "open_at_end";
  return inRange(text.charCodeAt(i), 0x40, 0x7e) ? i + 1 : "not_a_sequence";
}

/** Printable ASCII up to BEL or the string terminator (`ESC \` or 0x9c). */
function oscEnd(text: string, from: number): SequenceEnd {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === BEL || code === C1_ST) return i + 1;
    if (code === ESC) {
      if (i + 1 >= text.length) return "open_at_end";
      return text[i + 1] === "\\" ? i + 2 : "not_a_sequence";
    }
    if (!inRange(code, 0x20, 0x7e)) return "not_a_sequence";
  }
  return "open_at_end";
}

function inRange(code: number, low: number, high: number): boolean {
  return code >= low && code <= high;
}

// One character against a class without quantifiers: constant time.
const WHITESPACE = /^\s$/;

function isWhitespace(char: string): boolean {
  return WHITESPACE.test(char);
}
