/**
 * Template queries on any drizzle SQLite (D1 on the edge, better-sqlite3 on the appliance):
 * immutable numbered versions per (tenant, name).
 */
import { and, desc, eq, max } from "drizzle-orm";
import { randomId } from "../../auth/api-keys.ts";
import type { AnySqliteDb } from "../../db/audit.ts";
import { type TemplateRow, templates } from "../../db/schema/index.ts";
import { ensureTenant } from "../../identity/tenants.ts";

export type NewTemplate = Omit<typeof templates.$inferInsert, "id" | "version" | "createdAt">;

/** How often a version number taken by a concurrent writer is tried again. */
const VERSION_TRIES = 5;

const isUniqueViolation = (err: unknown) =>
  /UNIQUE constraint failed/i.test(
    `${(err as Error)?.message ?? ""} ${((err as { cause?: Error })?.cause as Error)?.message ?? ""}`,
  );

/**
 * Adds the next version of a template (1 for a new name). No transaction (D1 has none): the
 * unique (tenant, name, version) index refuses a number a concurrent writer took, and the next
 * one is tried.
 */
export async function createTemplateVersion(
  db: AnySqliteDb,
  input: NewTemplate,
  now: Date,
): Promise<TemplateRow> {
  await ensureTenant(db, input.tenantId, now);
  for (let attempt = 1; ; attempt++) {
    const [latest] = await db
      .select({ version: max(templates.version) })
      .from(templates)
      .where(and(eq(templates.tenantId, input.tenantId), eq(templates.name, input.name)));
    const version = (latest?.version ?? 0) + 1;
    try {
      const [row]: TemplateRow[] = await db
        .insert(templates)
        .values({ ...input, id: randomId("tpl_"), version, createdAt: now })
        .returning();
      return row as TemplateRow;
    } catch (err) {
      if (attempt >= VERSION_TRIES || !isUniqueViolation(err)) throw err;
    }
  }
}

/** A template version, or the latest when `version` is undefined. */
export async function getTemplate(
  db: AnySqliteDb,
  tenantId: string,
  name: string,
  version?: number,
): Promise<TemplateRow | undefined> {
  const where = [eq(templates.tenantId, tenantId), eq(templates.name, name)];
  if (version !== undefined) where.push(eq(templates.version, version));
  const [row]: TemplateRow[] = await db
    .select()
    .from(templates)
    .where(and(...where))
    .orderBy(desc(templates.version))
    .limit(1);
  return row;
}

export async function getTemplateById(
  db: AnySqliteDb,
  id: string,
): Promise<TemplateRow | undefined> {
  const [row]: TemplateRow[] = await db.select().from(templates).where(eq(templates.id, id));
  return row;
}

/** Every version of a template, newest first. */
export function listTemplateVersions(
  db: AnySqliteDb,
  tenantId: string,
  name: string,
): Promise<TemplateRow[]> {
  return db
    .select()
    .from(templates)
    .where(and(eq(templates.tenantId, tenantId), eq(templates.name, name)))
    .orderBy(desc(templates.version));
}

/** The latest version of each template of a tenant. */
export async function listLatestTemplates(
  db: AnySqliteDb,
  tenantId: string,
): Promise<TemplateRow[]> {
  const rows: TemplateRow[] = await db
    .select()
    .from(templates)
    .where(eq(templates.tenantId, tenantId))
    .orderBy(templates.name, desc(templates.version));
  const seen = new Set<string>();
  return rows.filter((row) => {
    if (seen.has(row.name)) return false;
    seen.add(row.name);
    return true;
  });
}
