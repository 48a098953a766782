import { and, asc, eq } from "drizzle-orm";
import { type SeedSet, seedRows, seedSets } from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";
import { ensureTenant } from "./tenants.ts";

export function createSeedSet(db: Db, set: Omit<typeof seedSets.$inferInsert, "createdAt">): void {
  ensureTenant(db, set.tenantId);
  db.insert(seedSets).values(set).run();
}

/** Appends rows to a seed set in one transaction. */
export function appendSeedRows(
  db: Db,
  setId: string,
  first: number,
  rows: Record<string, unknown>[],
): void {
  if (rows.length === 0) return;
  db.transaction((tx) => {
    tx.insert(seedRows)
      .values(rows.map((variables, i) => ({ setId, rowIndex: first + i, variables })))
      .run();
  });
}

export function finishSeedSet(db: Db, id: string, rowCount: number, columns: string[]): SeedSet {
  return db
    .update(seedSets)
    .set({ rowCount, columns })
    .where(eq(seedSets.id, id))
    .returning()
    .get();
}

export function deleteSeedSet(db: Db, id: string): void {
  db.delete(seedSets).where(eq(seedSets.id, id)).run();
}

export function getSeedSet(db: Db, tenantId: string, id: string): SeedSet | undefined {
  return db
    .select()
    .from(seedSets)
    .where(and(eq(seedSets.id, id), eq(seedSets.tenantId, tenantId)))
    .get();
}

export function loadSeedRows(db: Db, id: string): Record<string, unknown>[] {
  return db
    .select()
    .from(seedRows)
    .where(eq(seedRows.setId, id))
    .orderBy(asc(seedRows.rowIndex))
    .all()
    .map((r) => r.variables);
}
