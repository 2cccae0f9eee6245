import { ConfigurationError } from "@repo/env";
import { isLoopbackHost } from "./loopback-address.ts";

/** What decides whether the local issuer may start. */
export interface StartExposure {
  /** ISSUER_HOST. */
  readonly host: string;
  /** NODE_ENV. */
  readonly nodeEnv: string | undefined;
  /** ISSUER_ALLOW_UNSAFE. */
  readonly allowUnsafe: boolean;
}

/** NODE_ENV as production code reads it; `Production` and padding count, a typo is no escape. */
export function isProductionEnv(nodeEnv: string | undefined): boolean {
  return nodeEnv?.trim().toLowerCase() === "production";
}

/**
 * Refuse to start where the local issuer would be trusted by something that matters: under
 * NODE_ENV=production, or listening on anything but loopback (localhost, 127.0.0.0/8, ::1),
 * where other machines could obtain tokens with every scope from its demo credentials. Only
 * ISSUER_ALLOW_UNSAFE=true lets it start there.
 * @throws ConfigurationError naming NODE_ENV or ISSUER_HOST.
 */
export function refuseUnsafeStart(exposure: StartExposure): void {
  if (exposure.allowUnsafe) return;
  if (isProductionEnv(exposure.nodeEnv)) {
    throw new ConfigurationError(
      "NODE_ENV",
      "is production, and the local issuer hands out tokens with every scope to its demo clients: it refuses to start (ISSUER_ALLOW_UNSAFE=true overrides, unsafe)",
    );
  }
  if (!isLoopbackHost(exposure.host)) {
    throw new ConfigurationError(
      "ISSUER_HOST",
      "expected a loopback address (localhost, 127.0.0.0/8 or ::1): elsewhere other machines can obtain tokens from the local issuer (ISSUER_ALLOW_UNSAFE=true overrides, unsafe)",
    );
  }
}
