/** Opens the edge's database: D1 (the default), or libSQL / Turso when `LIBSQL_URL` is set. */
import { drizzle as drizzleD1 } from "drizzle-orm/d1";
import type { EdgeDb } from "./types.ts";

/** Which database the edge uses (from edge/env.ts). */
export type DatabaseConfig =
  | { kind: "d1"; d1: D1Database }
  | { kind: "libsql"; url: string; authToken: string | undefined };

const opened = new WeakMap<DatabaseConfig, Promise<EdgeDb>>();

/** The drizzle handle for `config`, opened once per configuration. */
export function openStore(config: DatabaseConfig): Promise<EdgeDb> {
  let db = opened.get(config);
  if (!db) {
    db =
      config.kind === "d1"
        ? Promise.resolve(drizzleD1(config.d1))
        : openLibsql(config.url, config.authToken);
    opened.set(config, db);
  }
  return db;
}

async function openLibsql(url: string, authToken: string | undefined): Promise<EdgeDb> {
  // Loaded only when configured: the HTTP client of libSQL / Turso, made for Workers.
  const [{ createClient }, { drizzle }] = await Promise.all([
    import("@libsql/client/web"),
    import("drizzle-orm/libsql/web"),
  ]);
  return drizzle(createClient({ url, authToken }));
}
