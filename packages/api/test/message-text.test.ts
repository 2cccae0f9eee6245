import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_LENGTH, messageText } from "../src/messages/message-text.ts";

// The characters refused in a message: C0 controls but tab and line feed, DEL, C1 controls, and the
// bidirectional formatting characters.
const FORBIDDEN = [
  ...Array.from({ length: 0x20 }, (_, c) => c).filter((c) => c !== 0x09 && c !== 0x0a),
  ...Array.from({ length: 0xa0 - 0x7f }, (_, i) => 0x7f + i),
  0x061c,
  0x200e,
  0x200f,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
].map((c) => String.fromCharCode(c));

const allowedChar = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 1 })
  .filter((c) => ![...c].some((u) => FORBIDDEN.includes(u)));

describe("messageText", () => {
  it("refuses every forbidden character anywhere inside the text", () => {
    for (const char of FORBIDDEN) {
      expect(
        messageText.safeParse(`a${char}b`).success,
        `U+${char.charCodeAt(0).toString(16)}`,
      ).toBe(false);
    }
  });

  it("accepts text of any other characters, tab and line feed included", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(allowedChar, fc.constantFrom("\t", "\n")), { maxLength: 60 }),
        (chars) => {
          const text = `x${chars.join("")}x`;
          fc.pre(text.length <= MAX_MESSAGE_LENGTH);
          expect(messageText.safeParse(text)).toEqual({ success: true, data: text });
        },
      ),
    );
  });

  it("refuses random text holding one forbidden character", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.constantFrom(...FORBIDDEN),
        fc.string({ maxLength: 40 }),
        (before, char, after) => {
          expect(messageText.safeParse(`x${before}${char}${after}x`).success).toBe(false);
        },
      ),
    );
  });
});
