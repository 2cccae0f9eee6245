import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { sanitizeServerText } from "../src/client.ts";

const SECRET = 's3cr3t/välue+that must"leak';

/** Every encoding a server might echo the secret in, each inside other text. */
const ECHOES: Record<string, string> = {
  verbatim: SECRET,
  "JSON-escaped": JSON.stringify(SECRET).slice(1, -1),
  "JSON-escaped, ASCII only": JSON.stringify(SECRET).slice(1, -1).replace("ä", "\\u00e4"),
  "JSON-escaped, slashes too": JSON.stringify(SECRET).slice(1, -1).replaceAll("/", "\\/"),
  "percent-encoded": encodeURIComponent(SECRET),
  "percent-encoded, lowercase hex": encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (h) =>
    h.toLowerCase(),
  ),
  "form-encoded": new URLSearchParams({ client_secret: SECRET }).toString(),
  "base64 of Basic id:secret": Buffer.from(`my-client:${SECRET}`).toString("base64"),
  "base64 of Basic, a one-byte longer id": Buffer.from(`my-client2:${SECRET}`).toString("base64"),
  "base64 of Basic, a two-byte longer id": Buffer.from(`my-client23:${SECRET}`).toString("base64"),
  "base64 of Basic, form-encoded parts (RFC 6749 §2.3.1)": Buffer.from(
    `my-client:${new URLSearchParams({ s: SECRET }).toString().slice(2)}`,
  ).toString("base64"),
  base64url: Buffer.from(`x:${SECRET}`).toString("base64url"),
  "split by an ANSI escape": `${SECRET.slice(0, 4)}\u001b[0m${SECRET.slice(4)}`,
};

describe("sanitizeServerText", () => {
  it("keeps printable ASCII and spaces, makes line breaks a space, removes escape sequences, marks the rest", () => {
    expect(sanitizeServerText("Client\r\n\tauthentication  failed\n")).toBe(
      "Client authentication  failed",
    );
    expect(sanitizeServerText("\u001b[2J\u001b]0;title\u0007gr\u00fc\u00df\u0000\u009b")).toBe(
      "gr????",
    );
    expect(sanitizeServerText("a\u001bb")).toBe("a?b");
  });

  it("truncates to maxLength", () => {
    const long = sanitizeServerText("y".repeat(500));
    expect(long).toHaveLength(200);
    expect(long.endsWith("...")).toBe(true);
    expect(sanitizeServerText("y".repeat(500), 20)).toHaveLength(20);
  });

  it.each(Object.entries(ECHOES))("redacts the secret %s", (_encoding, echo) => {
    const text = `before ${echo} after`;
    const clean = sanitizeServerText(text, 500, [SECRET]);
    expect(clean).toMatch(/^before .*\[redacted\].* after$/);
    expect(clean).not.toMatch(/that|must|s3cr3t/i);
    // What is left of a base64 echo is the client id's part and a few boundary characters.
    const left = clean.replace(/^before |\[redacted\]| after$/g, "");
    expect(left.length).toBeLessThanOrEqual(
      Buffer.from("my-client23:").toString("base64").length + 4,
    );
  });

  it("drops the user:password@ of URLs and leaves other text alone", () => {
    expect(sanitizeServerText("GET https://alice:pa55@api.example.com/x failed")).toBe(
      "GET https://api.example.com/x failed",
    );
    expect(sanitizeServerText("mail me@example.com", 200, ["unrelated-secret"])).toBe(
      "mail me@example.com",
    );
  });

  it.each(Object.entries(ECHOES))(
    "leaves no start of the secret %s where a long text is cut before sanitising",
    (_encoding, echo) => {
      const whole = sanitizeServerText(`before ${echo} after`, 500, [SECRET]);
      const outputs = new Set<string>();
      // Line breaks before the echo collapse to one space, so the cut of the raw text sweeps
      // across every offset of the echo while the output still starts with "before".
      for (let breaks = 0; breaks < 400; breaks++) {
        const text = `${"\n".repeat(breaks)}before ${echo} after${"\n".repeat(1000)}`;
        const clean = sanitizeServerText(text, 60, [SECRET]);
        expect(clean.endsWith("...")).toBe(true);
        // A cut never shows what the whole text does not.
        expect(whole.startsWith(clean.slice(0, -3))).toBe(true);
        outputs.add(clean);
      }
      expect(outputs).toContain("before...");
      expect(outputs).toContain(`${whole}...`);
    },
  );

  it("drops an escape sequence the cut left open instead of showing its start", () => {
    // "s3cr" + ESC [ 0 m + "3t": whole, the sequence goes and the secret is redacted; cut inside
    // the sequence, nothing of the secret's start may remain.
    for (let breaks = 0; breaks < 300; breaks++) {
      const text = `${"\n".repeat(breaks)}x s3cr\u001b[0;1;31m3t${"\n".repeat(1000)}`;
      const clean = sanitizeServerText(text, 40, ["s3cr3t"]);
      expect(clean).toMatch(/^(x( \[redacted\])?)?\.\.\.$/);
    }
    expect(sanitizeServerText("x s3cr\u001b[0;1;31m3t", 40, ["s3cr3t"])).toBe("x [redacted]");
  });

  it("removes CSI and OSC sequences (BEL or ST ended), and shows a lone or unfinished ESC as ?", () => {
    expect(sanitizeServerText("a\u001b[1;31mb\u009b2Kc\u001b]0;t\u001b\\d\u009d8;;x\u009ce")).toBe(
      "abcde",
    );
    expect(sanitizeServerText("a\u001b]0;never ended")).toBe("a?]0;never ended");
    expect(sanitizeServerText("a\u001b[1;31")).toBe("a?[1;31");
    expect(sanitizeServerText("a\n\u001b[0m\r\nb")).toBe("a b");
  });

  it.each([
    ["a.a.a...", "a.".repeat(32_000)],
    ["eyJ repeated", "eyJ".repeat(21_000)],
    ["base64url runs with dots", "QUJDREVGR0hJSktMTU5PUA.".repeat(2_800)],
    ["an endless CSI", `\u001b[${";?".repeat(32_000)}`],
    ["URL-like runs", "a://b:c".repeat(9_000)],
  ])("cuts a 64 KB text of %s to its bound and sanitises it in linear time", (_shape, text) => {
    const clean = sanitizeServerText(text, 200, [SECRET]);
    expect(clean.length).toBeLessThanOrEqual(200);
    expect(clean.endsWith("...")).toBe(true);
    expect(clean).toMatch(/^[\x20-\x7e]*$/);
  });
});
