/**
 * The advisory locks this package takes, as `(namespace, key)` pairs of the two-integer form of
 * pg_advisory_lock, so that they cannot collide with the single-bigint locks another application
 * on the same database may use. The namespace is "msgs" in ASCII.
 */
export const LOCK_NAMESPACE = 0x6d736773;

/** Held (session-scoped) while migrations run: replicas starting together apply them once. */
export const MIGRATION_LOCK = 1;

/**
 * Held (transaction-scoped) while a message's id is drawn and its row committed, so that ids
 * become visible in increasing order (see message-queries.ts).
 */
export const MESSAGE_ID_LOCK = 2;
