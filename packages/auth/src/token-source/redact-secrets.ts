import { Buffer } from "node:buffer";

const REDACTED = "[redacted]";

// A base64 fragment this short would match unrelated text and shred messages for little gain.
const MIN_BASE64_CORE = 6;

/**
 * Every way a server may echo `secret` back: verbatim; JSON-escaped (also with `\/` and `\uXXXX`
 * for non-ASCII, as some encoders write); percent-encoded (RFC 3986) and form-encoded
 * (application/x-www-form-urlencoded, spaces as `+`); and base64/base64url, as inside an HTTP
 * Basic credential (RFC 7617), which holds `client_id:client_secret` with both form-encoded
 * (RFC 6749 §2.3.1). The secret's position inside such a credential is unknown, so its base64 is
 * taken at each of the three byte alignments, keeping the characters that depend on the secret
 * alone.
 */
export function secretSpellings(secret: string): string[] {
  if (secret === "") return [];
  const json = JSON.stringify(secret).slice(1, -1);
  const jsonAscii = json.replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  const percent = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const textual = [secret, json, jsonAscii, json.replaceAll("/", "\\/"), percent, form];
  const base64 = [secret, form].flatMap(base64Cores);
  return [...new Set([...textual, ...base64])].filter((spelling) => spelling !== "");
}

/** The base64 and base64url characters determined by `text` alone, at each byte alignment. */
function base64Cores(text: string): string[] {
  const bytes = Buffer.from(text, "utf8");
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    // Character j holds bits [6j, 6j + 6); keep those inside the secret's bits.
    const start = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    const core = encoded.slice(start, end);
    if (core.length >= MIN_BASE64_CORE) {
      cores.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
    }
  }
  return cores;
}

// RFC 3986 §3.2.1: userinfo (`user:password@`) after the `://` of any URL within the text. The
// scheme is not matched: a pattern for it restarts at every letter of text such as `a.a.a...`
// and scans to the end each time (quadratic). A match starts only at `://` and its one class run
// stops at the next `/`, so runs never overlap.
const URL_USERINFO = /:\/\/[^\s/?#@]*@/g;

/**
 * Replace every spelling of each secret (see `secretSpellings`) with `[redacted]`, matching
 * without regard to case (percent-encoding's hex digits may come in either case; redacting more
 * never leaks), and drop the userinfo of every URL. Literal alternatives and one class run, so
 * linear in `text` (times the spellings' length); callers bound `text` first.
 */
export function redactSecrets(text: string, spellings: readonly string[]): string {
  const withoutUserinfo = text.replace(URL_USERINFO, "://");
  if (spellings.length === 0) return withoutUserinfo;
  // Longest first, so a spelling containing another is replaced whole.
  const alternatives = [...spellings]
    .sort((a, b) => b.length - a.length)
    .map((spelling) => spelling.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return withoutUserinfo.replace(new RegExp(alternatives.join("|"), "gi"), REDACTED);
}
