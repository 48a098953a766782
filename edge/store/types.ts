import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";

/**
 * The edge's database handle: drizzle on D1 by default, or on libSQL / Turso when configured.
 * Queries take this type, so they run unchanged on either driver (and, in Node tests, on a
 * libSQL `file:` database).
 */
// biome-ignore lint/suspicious/noExplicitAny: the run-result type differs per driver (D1Result, ResultSet) and no query reads it
export type EdgeDb = BaseSQLiteDatabase<"async", any>;
