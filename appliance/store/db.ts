import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "../../shared/db/schema/index.ts";

export type Db = BetterSQLite3Database<typeof schema>;

/** The migrations drizzle-kit wrote into `shared/db/migrations` (shared with the edge's D1). */
export const migrationsFolder = fileURLToPath(
  new URL("../../shared/db/migrations", import.meta.url),
);

/** The database file inside a data directory. */
export const databasePath = (dataDir: string) => join(dataDir, "textnlp.sqlite");

/** An open store: the drizzle handle and the driver underneath (for backups, pragmas, close). */
export interface Store {
  db: Db;
  sqlite: Database.Database;
  close(): void;
}

/**
 * Opens (creating if needed) the appliance database in WAL mode and applies pending migrations.
 * `:memory:` is accepted for tests.
 */
export function openStore(file: string): Store {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  let closed = false;
  return {
    db,
    sqlite,
    close() {
      if (closed) return;
      closed = true;
      sqlite.close();
    },
  };
}
