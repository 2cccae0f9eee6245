import type { AuthErrorCode } from "@repo/auth/server";
import { Counter, type Registry } from "prom-client";

/** Refused requests by reason; returns the function to call once per refusal. */
export function refusalMetrics(registry: Registry): (reason: AuthErrorCode) => void {
  const refusals = new Counter({
    name: "auth_refusals_total",
    help: "Requests refused by the auth layer, by reason (the AuthError code, e.g. expired, bad_signature, missing_token)",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  return (reason) => refusals.inc({ reason });
}
