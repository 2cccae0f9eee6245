/**
 * Scopes granted by a token. OAuth 2.0 (RFC 8693 §4.2, RFC 9068 §2.2.3) puts them in `scope` as a
 * space-separated string, which is what AuthAction sends; some issuers use a `scp` array (Azure,
 * Okta) or a `permissions` array (Auth0 RBAC), so those are read as well when present.
 */
export function scopesFromClaims(claims: {
  scope?: unknown;
  scp?: unknown;
  permissions?: unknown;
}): string[] {
  const scopes = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === "string") {
      for (const s of value.split(" ")) if (s !== "") scopes.add(s);
    } else if (Array.isArray(value)) {
      for (const s of value) if (typeof s === "string" && s !== "") scopes.add(s);
    }
  };
  add(claims.scope);
  add(claims.scp);
  add(claims.permissions);
  return [...scopes];
}

/** The scopes of `required` that `granted` lacks (empty when every one is granted). */
export function missingScopes(
  granted: readonly string[],
  required: readonly string[],
): readonly string[] {
  return required.filter((scope) => !granted.includes(scope));
}
