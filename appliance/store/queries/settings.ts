import { eq } from "drizzle-orm";
import { type SettingRow, settings } from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";

/** Every stored runtime setting. */
export function listSettingRows(db: Db): SettingRow[] {
  return db.select().from(settings).all();
}

/**
 * Applies a change in one transaction: a value sets the key, `null` removes it (back to the
 * configuration's value).
 */
export function writeSettings(
  db: Db,
  changes: Record<string, unknown>,
  { by, now = new Date() }: { by: string | null; now?: Date },
): void {
  db.transaction((tx) => {
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (value === null) {
        tx.delete(settings).where(eq(settings.key, key)).run();
        continue;
      }
      const row = { key, value, updatedAt: now, updatedBy: by };
      tx.insert(settings).values(row).onConflictDoUpdate({ target: settings.key, set: row }).run();
    }
  });
}
