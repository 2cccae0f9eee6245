/**
 * `pnpm --filter @repo/client keygen [--alg ES256] [--client-id my-client] [--scopes "a b"]`:
 * prints a new key pair for private_key_jwt, in `.env` syntax where it is a variable: the private
 * JWK for the client (AUTHACTION_CLIENT_PRIVATE_KEY, secret: printing it is this command's job),
 * the public JWK to register with the authorization server, and the ISSUER_CLIENTS entry that
 * registers it with the local issuer.
 */
import { parseArgs } from "node:util";
import { CLIENT_ASSERTION_ALGORITHMS, generateClientKeyPair } from "@repo/auth/client";
import { LOCAL_ISSUER_DEFAULTS } from "@repo/issuer/defaults";

const DEMO_SCOPES = "read:public read:secret read:messages write:messages";

const usage = `usage: keygen [--alg ${CLIENT_ASSERTION_ALGORITHMS.join("|")}] [--client-id id] [--scopes "a b"]`;

let values: { alg?: string; "client-id"?: string; scopes?: string };
try {
  ({ values } = parseArgs({
    options: {
      alg: { type: "string", default: "ES256" },
      "client-id": { type: "string", default: "my-client" },
      scopes: { type: "string", default: DEMO_SCOPES },
    },
  }));
} catch {
  console.error(usage);
  process.exit(2);
}
const algorithm = CLIENT_ASSERTION_ALGORITHMS.find((alg) => alg === values.alg);
const clientId = values["client-id"]?.trim() ?? "";
if (algorithm === undefined || clientId === "") {
  console.error(usage);
  process.exit(2);
}

const { privateJwk, publicJwk } = await generateClientKeyPair(algorithm);
const scopes = (values.scopes ?? "").split(/\s+/).filter((scope) => scope !== "");
const issuerClients = [{ clientId, publicJwk, scopes }];

console.log(
  [
    "# The client's private key: keep it secret (a secret store, or a file named by",
    "# AUTHACTION_CLIENT_PRIVATE_KEY_FILE); never commit it.",
    `AUTHACTION_CLIENT_ID=${clientId}`,
    "AUTHACTION_CLIENT_AUTH_METHOD=private_key_jwt",
    `AUTHACTION_CLIENT_PRIVATE_KEY='${JSON.stringify(privateJwk)}'`,
    "",
    "# The public key to register with the authorization server for this client:",
    JSON.stringify(publicJwk),
    "",
    `# The local issuer (${LOCAL_ISSUER_DEFAULTS.clientId} and the other demo clients are replaced):`,
    `ISSUER_CLIENTS='${JSON.stringify(issuerClients)}'`,
  ].join("\n"),
);
