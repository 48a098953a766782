/**
 * Seed-set queries on any drizzle SQLite (D1 on the edge, better-sqlite3 on the appliance):
 * uploaded rows a job reads its variables from.
 */
import { and, asc, eq } from "drizzle-orm";
import { ApiError } from "../../api/errors.ts";
import type { AnySqliteDb } from "../../db/audit.ts";
import { type SeedSet, seedRows, seedSets } from "../../db/schema/index.ts";
import { ensureTenant } from "../../identity/tenants.ts";

export async function createSeedSet(
  db: AnySqliteDb,
  set: Omit<typeof seedSets.$inferInsert, "createdAt">,
  now: Date,
): Promise<void> {
  await ensureTenant(db, set.tenantId, now);
  await db.insert(seedSets).values({ ...set, createdAt: now });
}

/**
 * Appends rows to a seed set, `perStatement` rows per insert (D1 binds at most 100 values per
 * statement: three per row). A failed upload deletes the set, rows and all.
 */
export async function appendSeedRows(
  db: AnySqliteDb,
  setId: string,
  first: number,
  rows: Record<string, unknown>[],
  perStatement = 500,
): Promise<void> {
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    await db
      .insert(seedRows)
      .values(chunk.map((variables, i) => ({ setId, rowIndex: first + start + i, variables })));
  }
}

export async function finishSeedSet(
  db: AnySqliteDb,
  id: string,
  rowCount: number,
  columns: string[],
): Promise<SeedSet> {
  const [set]: SeedSet[] = await db
    .update(seedSets)
    .set({ rowCount, columns })
    .where(eq(seedSets.id, id))
    .returning();
  return set as SeedSet;
}

export async function deleteSeedSet(db: AnySqliteDb, id: string): Promise<void> {
  await db.delete(seedSets).where(eq(seedSets.id, id));
}

export async function getSeedSet(
  db: AnySqliteDb,
  tenantId: string,
  id: string,
): Promise<SeedSet | undefined> {
  const [set]: SeedSet[] = await db
    .select()
    .from(seedSets)
    .where(and(eq(seedSets.id, id), eq(seedSets.tenantId, tenantId)));
  return set;
}

export async function loadSeedRows(
  db: AnySqliteDb,
  id: string,
): Promise<Record<string, unknown>[]> {
  const rows: { variables: Record<string, unknown> }[] = await db
    .select({ variables: seedRows.variables })
    .from(seedRows)
    .where(eq(seedRows.setId, id))
    .orderBy(asc(seedRows.rowIndex));
  return rows.map((r) => r.variables);
}

/** A job's rows: inline, an uploaded seed set (404 if unknown), or empty rows for samplers only. */
export async function jobInputRows(
  db: AnySqliteDb,
  tenantId: string,
  body: { rows?: Record<string, unknown>[]; row_count?: number; seed_set?: string },
): Promise<Record<string, unknown>[]> {
  if (body.seed_set) {
    if (!(await getSeedSet(db, tenantId, body.seed_set))) {
      throw new ApiError(404, `No seed set '${body.seed_set}'.`, {
        param: "seed_set",
        code: "seed_set_not_found",
      });
    }
    return loadSeedRows(db, body.seed_set);
  }
  return body.rows ?? Array.from({ length: body.row_count ?? 0 }, () => ({}));
}
