import type { DatabaseStatus } from "@repo/api-router";
import type { KeySetStatus } from "@repo/auth/server";

/** Why an instance is not ready, as the public `/readyz` says it: a class, never error text. */
export type NotReadyReason = "keys_unavailable" | "database_unavailable" | "shutting_down";

/** The longest error text the operator's readiness detail carries. */
const MAX_DETAIL_LENGTH = 500;

export interface Readiness {
  /** 200 when ready, 503 otherwise (what orchestrators and load balancers act on). */
  readonly status: 200 | 503;
  /**
   * The api port's answer: ready or not, and why as a class. The port is public, and error text
   * names internal hosts, ports and limits (`fetch failed (ECONNREFUSED)`, `JWKS response
   * exceeds 262144 bytes`): that goes to the logs and to the metrics listener only.
   */
  readonly public:
    | { readonly status: "ready" }
    | { readonly status: "not_ready"; readonly reason: NotReadyReason };
  /** The metrics listener's answer: the same, with what happened and the key set's state. */
  readonly detail: {
    readonly status: "ready" | "not_ready";
    readonly reason?: NotReadyReason;
    /** What happened, in words (the key set's own account, or "shutting down"). */
    readonly detail?: string;
    readonly keySet: {
      readonly state: KeySetStatus["state"];
      readonly keys: number;
      readonly consecutiveFailures: number;
      /** Why the last fetch failed; null once one succeeded. */
      readonly lastError: string | null;
    };
    /** Whether the database has answered since start, and if not what the last attempt saw. */
    readonly database?: { readonly ready: boolean; readonly lastError: string | null };
  };
}

/**
 * Whether the api is ready for traffic: not while shutting down, nor without signing keys, nor
 * before its database has answered once (a loss later does not count: see docs/operations.md).
 */
export function readinessOf(
  keySet: KeySetStatus,
  shuttingDown: boolean,
  database?: DatabaseStatus,
): Readiness {
  const state = {
    state: keySet.state,
    keys: keySet.keys,
    consecutiveFailures: keySet.consecutiveFailures,
    lastError: keySet.lastError === undefined ? null : bounded(keySet.lastError),
  };
  const databaseState =
    database === undefined
      ? {}
      : {
          database: {
            ready: database.ready,
            lastError: database.detail === undefined ? null : bounded(database.detail),
          },
        };
  const reason: NotReadyReason | undefined = shuttingDown
    ? "shutting_down"
    : !keySet.ready
      ? "keys_unavailable"
      : database !== undefined && !database.ready
        ? "database_unavailable"
        : undefined;
  if (reason === undefined) {
    return {
      status: 200,
      public: { status: "ready" },
      detail: { status: "ready", keySet: state, ...databaseState },
    };
  }
  const detail =
    reason === "shutting_down"
      ? "shutting down"
      : reason === "keys_unavailable"
        ? bounded(keySet.reason ?? `signing keys ${keySet.state}`)
        : bounded(database?.detail ?? "database not ready");
  return {
    status: 503,
    public: { status: "not_ready", reason },
    detail: { status: "not_ready", reason, detail, keySet: state, ...databaseState },
  };
}

function bounded(text: string): string {
  return text.length <= MAX_DETAIL_LENGTH ? text : `${text.slice(0, MAX_DETAIL_LENGTH)}…`;
}
