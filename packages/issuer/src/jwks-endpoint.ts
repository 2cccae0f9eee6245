import type { ServerResponse } from "node:http";
import { sendJson } from "./json-response.ts";
import type { JwksMode } from "./local-issuer-types.ts";
import type { SigningKeyRing } from "./signing-key-ring.ts";

const JWKS_MODES: readonly JwksMode[] = ["ok", "error", "invalid-json", "empty", "hang"];

/** Serves the JWKS, or one of the failures a verifier must survive (outage, garbage, no keys, hang). */
export class JwksEndpoint {
  readonly #keyRing: SigningKeyRing;
  #mode: JwksMode = "ok";
  readonly #hung = new Set<ServerResponse>();

  constructor(keyRing: SigningKeyRing) {
    this.#keyRing = keyRing;
  }

  setMode(mode: JwksMode): void {
    if (!JWKS_MODES.includes(mode)) throw new RangeError(`unknown JWKS mode "${String(mode)}"`);
    this.#mode = mode;
    if (mode === "hang") return;
    // Requests left hanging now get their answer, as from a server that was only slow.
    for (const res of this.#hung) this.respond(res);
    this.#hung.clear();
  }

  respond(res: ServerResponse): void {
    switch (this.#mode) {
      case "ok":
        sendJson(res, 200, this.#keyRing.jwks());
        break;
      case "empty":
        sendJson(res, 200, { keys: [] });
        break;
      case "error":
        sendJson(res, 500, { error: "server_error", error_description: "JWKS unavailable" });
        break;
      case "invalid-json":
        res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
        res.end("<html>this is not JSON</html>");
        break;
      case "hang":
        // Left open on purpose; the server's close() destroys the socket.
        this.#hung.add(res);
        res.once("close", () => this.#hung.delete(res));
        break;
    }
  }
}
