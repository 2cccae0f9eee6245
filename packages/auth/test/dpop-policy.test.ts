import { beforeAll, describe, expect, it } from "vitest";
import { createDpopSigner, type DpopSigner } from "../src/client.ts";
import {
  type AccessToken,
  type AuthErrorCode,
  type AuthorizationCredential,
  createDpopPolicy,
  type DpopMode,
  DpopNonces,
  type DpopRequest,
  isAuthError,
} from "../src/server.ts";
import { ManualClock } from "../src/testing.ts";

// The DPoP policy's verdict for every mode, scheme, binding and proof (RFC 9449 §7.1, §7.2), with
// proofs signed by the real client signer. A token here is what the verifier produced: the policy
// only reads its `jkt`, and its `sub` and client for the logs.

const URL_ = "https://api.example.com/trpc/protected";
const RAW_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

let signer: DpopSigner;
let bound: AccessToken;
let unbound: AccessToken;

function accessToken(jkt: string | undefined): AccessToken {
  return {
    sub: "demo-client@clients",
    clientId: "demo-client",
    scopes: [],
    expiresAt: new Date(Date.now() + 3_600_000),
    issuer: "https://issuer.example.com",
    audience: ["https://api.example.com"],
    jkt,
    claims: {},
  };
}

beforeAll(async () => {
  signer = await createDpopSigner();
  bound = accessToken(await signer.thumbprint());
  unbound = accessToken(undefined);
});

function request(proofs: readonly string[] | undefined, method = "GET"): DpopRequest {
  return { proofs, method, acceptedHtus: () => [URL_] };
}

const proof = () => signer.proofFor("GET", URL_, RAW_TOKEN);

/** The AuthError code `check` refuses with, or "accepted". */
async function verdict(
  mode: DpopMode,
  scheme: AuthorizationCredential["scheme"],
  token: AccessToken,
  withProof: boolean,
): Promise<AuthErrorCode | "accepted"> {
  const policy = createDpopPolicy({ mode, clock: new ManualClock() });
  const proofs = withProof ? [await proof()] : undefined;
  try {
    await policy.check({ scheme, token: RAW_TOKEN }, token, request(proofs));
    return "accepted";
  } catch (error) {
    if (!isAuthError(error)) throw error;
    return error.code;
  }
}

describe("DpopPolicy.check: modes × schemes × bound/unbound × proof", () => {
  it.each([
    // allowed: Bearer for unbound tokens, DPoP with a proof for bound ones.
    ["allowed", "bearer", "unbound", false, "accepted"],
    ["allowed", "bearer", "unbound", true, "invalid_request"],
    ["allowed", "bearer", "bound", false, "wrong_binding"],
    ["allowed", "bearer", "bound", true, "invalid_request"],
    ["allowed", "dpop", "unbound", false, "invalid_dpop_proof"],
    ["allowed", "dpop", "unbound", true, "wrong_binding"],
    ["allowed", "dpop", "bound", false, "invalid_dpop_proof"],
    ["allowed", "dpop", "bound", true, "accepted"],
    // required: the Bearer scheme never.
    ["required", "bearer", "unbound", false, "dpop_required"],
    ["required", "bearer", "unbound", true, "dpop_required"],
    ["required", "bearer", "bound", false, "dpop_required"],
    ["required", "bearer", "bound", true, "dpop_required"],
    ["required", "dpop", "unbound", false, "invalid_dpop_proof"],
    ["required", "dpop", "unbound", true, "wrong_binding"],
    ["required", "dpop", "bound", false, "invalid_dpop_proof"],
    ["required", "dpop", "bound", true, "accepted"],
    // disabled: unbound Bearer tokens only; a DPoP header is not looked at.
    ["disabled", "bearer", "unbound", false, "accepted"],
    ["disabled", "bearer", "unbound", true, "accepted"],
    ["disabled", "bearer", "bound", false, "wrong_binding"],
    ["disabled", "bearer", "bound", true, "wrong_binding"],
  ] as const)(
    "%s, %s scheme, %s token, proof %s: %s",
    async (mode, scheme, binding, withProof, expected) => {
      const token = binding === "bound" ? bound : unbound;
      expect(await verdict(mode, scheme, token, withProof)).toBe(expected);
    },
  );

  it("names the scheme the request used on its refusals, and the caller once the token verified", async () => {
    const policy = createDpopPolicy({ clock: new ManualClock() });
    const asBearer = policy.check(
      { scheme: "bearer", token: RAW_TOKEN },
      bound,
      request(undefined),
    );
    await expect(asBearer).rejects.toMatchObject({
      code: "wrong_binding",
      scheme: "bearer",
      subject: "demo-client@clients",
      clientId: "demo-client",
      message: "A DPoP-bound token must be sent with the DPoP scheme and a proof",
    });
    const noProof = policy.check({ scheme: "dpop", token: RAW_TOKEN }, bound, request(undefined));
    await expect(noProof).rejects.toMatchObject({ code: "invalid_dpop_proof", scheme: "dpop" });
  });

  it("refuses a proof by another key than the token's cnf.jkt", async () => {
    const other = await createDpopSigner();
    const policy = createDpopPolicy({ clock: new ManualClock() });
    const proofs = [await other.proofFor("GET", URL_, RAW_TOKEN)];
    await expect(
      policy.check({ scheme: "dpop", token: RAW_TOKEN }, bound, request(proofs)),
    ).rejects.toMatchObject({
      code: "wrong_binding",
      scheme: "dpop",
      message: "Token is bound to another key than the DPoP proof's",
    });
  });

  it("spends a proof's jti: the same proof a second time is a replay", async () => {
    const policy = createDpopPolicy({ clock: new ManualClock() });
    const proofs = [await proof()];
    const credential = { scheme: "dpop", token: RAW_TOKEN } as const;
    await policy.check(credential, bound, request(proofs));
    await expect(policy.check(credential, bound, request(proofs))).rejects.toMatchObject({
      code: "invalid_dpop_proof",
      message: "DPoP proof jti was used before",
    });
  });

  it("with nonces, challenges a proof without one with the current nonce, and accepts the retry", async () => {
    const clock = new ManualClock();
    const nonces = new DpopNonces({ now: () => clock.now() });
    const policy = createDpopPolicy({ clock, nonces });
    const credential = { scheme: "dpop", token: RAW_TOKEN } as const;
    const first = await policy
      .check(credential, bound, request([await proof()]))
      .catch((error: unknown) => error);
    expect(first).toMatchObject({ code: "use_dpop_nonce", dpopNonce: nonces.current() });

    const retrying = await createDpopSigner();
    const retryToken = accessToken(await retrying.thumbprint());
    retrying.rememberNonce(URL_, new Headers({ "dpop-nonce": nonces.current() }));
    const retry = [await retrying.proofFor("GET", URL_, RAW_TOKEN)];
    await expect(policy.check(credential, retryToken, request(retry))).resolves.toBeUndefined();
  });
});

describe("DpopPolicy.acceptsAsBearer: the verified-token cache's synchronous path", () => {
  it.each([
    ["allowed", "unbound", false, true],
    ["allowed", "unbound", true, false],
    ["allowed", "bound", false, false],
    ["required", "unbound", false, false],
    ["required", "bound", false, false],
    ["disabled", "unbound", false, true],
    ["disabled", "unbound", true, true],
    ["disabled", "bound", false, false],
  ] as const)("%s, %s token, DPoP header %s: %s", (mode, binding, hasProof, expected) => {
    const policy = createDpopPolicy({ mode });
    expect(policy.acceptsAsBearer(binding === "bound" ? bound : unbound, hasProof)).toBe(expected);
  });
});

describe("DpopPolicy.credential: the scheme per mode", () => {
  it("reads the DPoP scheme in any case unless DPoP is disabled", () => {
    for (const mode of ["allowed", "required"] as const) {
      const policy = createDpopPolicy({ mode });
      expect(policy.credential("dPoP abc")).toEqual({ scheme: "dpop", token: "abc" });
      expect(policy.credential("bearer abc")).toEqual({ scheme: "bearer", token: "abc" });
    }
    const disabled = createDpopPolicy({ mode: "disabled" });
    expect(() => disabled.credential("DPoP abc")).toThrow("Authorization scheme must be Bearer");
    expect(disabled.credential("Bearer abc")).toEqual({ scheme: "bearer", token: "abc" });
  });
});

describe("createDpopPolicy options", () => {
  it("defaults to allowed with every asymmetric algorithm", () => {
    const policy = createDpopPolicy();
    expect(policy.mode).toBe("allowed");
    expect(policy.algorithms).toContain("ES256");
    expect(policy.algorithms).not.toContain("HS256");
    expect(policy.nonces).toBeUndefined();
  });

  it.each([
    [{ mode: "optional" as DpopMode }, /mode must be one of allowed, required, disabled/],
    [{ algorithms: ["HS256"] as never }, /algorithms must be asymmetric/],
    [{ algorithms: [] }, /algorithms must be asymmetric/],
  ])("refuses %j with a TypeError", (options, message) => {
    expect(() => createDpopPolicy(options)).toThrow(TypeError);
    expect(() => createDpopPolicy(options)).toThrow(message);
  });
});
