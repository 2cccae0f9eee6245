import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK & { kid: string };
}

/** The published RSA keys and which one signs; keys are kept oldest first. */
export class SigningKeyRing {
  readonly #keys: SigningKey[] = [];
  #signingKid = "";

  static async create(): Promise<SigningKeyRing> {
    const ring = new SigningKeyRing();
    await ring.add({ sign: true });
    return ring;
  }

  async add(options: { sign?: boolean } = {}): Promise<string> {
    const key = await generateSigningKey();
    this.#keys.push(key);
    if (options.sign === true || this.#signingKid === "") this.#signingKid = key.kid;
    return key.kid;
  }

  remove(kid: string): void {
    const index = this.#keys.findIndex((key) => key.kid === kid);
    if (index === -1) throw new Error(`no published key with kid "${kid}"`);
    if (this.#keys.length === 1) {
      throw new Error(`cannot remove "${kid}": it is the only key and signs every token`);
    }
    this.#keys.splice(index, 1);
    if (kid === this.#signingKid) this.#signingKid = this.#keys.at(-1)!.kid;
  }

  get(kid: string = this.#signingKid): SigningKey {
    const key = this.find(kid);
    if (key === undefined) throw new Error(`no published key with kid "${kid}"`);
    return key;
  }

  find(kid: string): SigningKey | undefined {
    return this.#keys.find((key) => key.kid === kid);
  }

  signing(): SigningKey {
    return this.get(this.#signingKid);
  }

  kids(): { published: string[]; signing: string } {
    return { published: this.#keys.map((key) => key.kid), signing: this.#signingKid };
  }

  jwks(): { keys: Array<JWK & { kid: string }> } {
    return { keys: this.#keys.map((key) => ({ ...key.publicJwk })) };
  }
}

async function generateSigningKey(): Promise<SigningKey> {
  // Extractable so tests can export the private key if they need a PEM or JWK of it.
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const { kty, n, e } = await exportJWK(publicKey);
  // RFC 7638 thumbprint: stable for the key's lifetime and unique per key without bookkeeping.
  const kid = await calculateJwkThumbprint({ kty, n, e });
  return { kid, privateKey, publicJwk: { kty, n, e, kid, alg: "RS256", use: "sig" } };
}
