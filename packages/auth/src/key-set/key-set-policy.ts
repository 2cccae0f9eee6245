/** How the key set is kept fresh and how much of a JWKS response it accepts. Durations in ms. */
export interface KeySetPolicy {
  /** After this age the set is refreshed in the background while still in use. Default 10 min. */
  readonly maxAgeMs: number;
  /** Minimum spacing of fetches, including those caused by an unknown `kid`. Default 5 s. */
  readonly cooldownMs: number;
  /** One fetch's timeout (headers and body). Default 5 s. */
  readonly timeoutMs: number;
  /** How long the last good set may be used while refreshes fail. Default 24 h. */
  readonly maxStaleMs: number;
  /** A JWKS response body over this many bytes is a failed fetch. Default 262 144 (256 KiB). */
  readonly maxBytes: number;
  /** A JWKS listing more keys than this is a failed fetch. Default 100. */
  readonly maxKeys: number;
}

/** Bounds and defaults of the policy, written once (options and environment variables read them). */
export const KEY_SET_POLICY_BOUNDS = {
  maxAgeMs: { min: 1, max: 7 * 24 * 3_600_000, default: 10 * 60_000 },
  cooldownMs: { min: 1, max: 3_600_000, default: 5_000 },
  timeoutMs: { min: 1, max: 120_000, default: 5_000 },
  maxStaleMs: { min: 1, max: 30 * 24 * 3_600_000, default: 24 * 60 * 60_000 },
  /** A JWKS of a few keys is a few KiB; 256 KiB leaves room for ~100 RSA-4096 keys with x5c. */
  maxBytes: { min: 1024, max: 16 * 1024 * 1024, default: 256 * 1024 },
  maxKeys: { min: 1, max: 10_000, default: 100 },
} as const;

export const DEFAULT_KEY_SET_POLICY: KeySetPolicy = {
  maxAgeMs: KEY_SET_POLICY_BOUNDS.maxAgeMs.default,
  cooldownMs: KEY_SET_POLICY_BOUNDS.cooldownMs.default,
  timeoutMs: KEY_SET_POLICY_BOUNDS.timeoutMs.default,
  maxStaleMs: KEY_SET_POLICY_BOUNDS.maxStaleMs.default,
  maxBytes: KEY_SET_POLICY_BOUNDS.maxBytes.default,
  maxKeys: KEY_SET_POLICY_BOUNDS.maxKeys.default,
};
