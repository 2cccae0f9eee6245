import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "./schema.ts";

/** Drizzle over either driver (postgres.js or PGlite): the queries are written once against it. */
export type DrizzleDatabase = PgDatabase<PgQueryResultHKT, typeof schema>;
