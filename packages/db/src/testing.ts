/** @repo/db/testing: a real Postgres server for tests (see startTestPostgres). */
export { startTestPostgres, type TestPostgres } from "./testing/test-postgres.ts";
