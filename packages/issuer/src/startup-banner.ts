import type { IssuerClient, LocalIssuer } from "./local-issuer-types.ts";

/** What a developer needs to point the api and the client at this issuer. */
export function startupBanner(
  issuer: LocalIssuer,
  clients: readonly IssuerClient[],
  admin: boolean,
): string {
  const clientLines = clients.map(
    (client) =>
      `    ${client.clientId} / ${client.clientSecret}  scopes: ${client.scopes.join(" ") || "(none)"}`,
  );
  return [
    "==============================================================",
    " LOCAL ISSUER - NOT FOR PRODUCTION (development, demo, tests)",
    "==============================================================",
    `  listening   ${issuer.url}`,
    `  issuer      ${issuer.issuer}`,
    `  audience    ${issuer.audience}`,
    `  jwks uri    ${issuer.jwksUri}`,
    `  token url   ${issuer.tokenUrl}`,
    "  clients (id / secret):",
    ...clientLines,
    admin ? `  admin       ${issuer.url}/__admin/* (unauthenticated)` : "  admin       off",
  ].join("\n");
}
