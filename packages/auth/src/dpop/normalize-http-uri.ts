const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * An http(s) URI without query and fragment, in the form RFC 3986 §6.2.2-6.2.3 makes equal
 * spellings equal (RFC 9449 §4.3 compares `htu` so): scheme and host lower case, the default port
 * dropped, an empty path as `/`, dot segments removed, percent-encoded unreserved characters
 * decoded and other percent-encodings in upper case. Undefined for anything else.
 */
export function normalizeHttpUri(text: string): string | undefined {
  const url = URL.parse(text);
  if (url === null) return undefined;
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username !== "" || url.password !== "") return undefined;
  const path = url.pathname.replace(/%([0-9A-Fa-f]{2})/g, (encoded, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : encoded.toUpperCase();
  });
  return `${url.protocol}//${url.host}${path}`;
}
