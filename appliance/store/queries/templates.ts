import { and, desc, eq, max } from "drizzle-orm";
import { randomId } from "../../../shared/auth/api-keys.ts";
import { type TemplateRow, templates } from "../../../shared/db/schema/index.ts";
import type { Db } from "../db.ts";
import { ensureTenant } from "./tenants.ts";

export type NewTemplate = Omit<typeof templates.$inferInsert, "id" | "version" | "createdAt">;

/** Adds the next version of a template (1 for a new name), in one transaction. */
export function createTemplateVersion(db: Db, input: NewTemplate): TemplateRow {
  ensureTenant(db, input.tenantId);
  // Immediate: a deferred transaction that reads, then writes fails at once with
  // SQLITE_BUSY_SNAPSHOT (a 500) when another process, such as `backup now`, commits between.
  return db.transaction(
    (tx) => {
      const latest = tx
        .select({ version: max(templates.version) })
        .from(templates)
        .where(and(eq(templates.tenantId, input.tenantId), eq(templates.name, input.name)))
        .get();
      const version = (latest?.version ?? 0) + 1;
      return tx
        .insert(templates)
        .values({ ...input, id: randomId("tpl_"), version })
        .returning()
        .get();
    },
    { behavior: "immediate" },
  );
}

/** A template version, or the latest when `version` is undefined. */
export function getTemplate(
  db: Db,
  tenantId: string,
  name: string,
  version?: number,
): TemplateRow | undefined {
  const where = [eq(templates.tenantId, tenantId), eq(templates.name, name)];
  if (version !== undefined) where.push(eq(templates.version, version));
  return db
    .select()
    .from(templates)
    .where(and(...where))
    .orderBy(desc(templates.version))
    .get();
}

export function getTemplateById(db: Db, id: string): TemplateRow | undefined {
  return db.select().from(templates).where(eq(templates.id, id)).get();
}

/** Every version of a template, newest first. */
export function listTemplateVersions(db: Db, tenantId: string, name: string): TemplateRow[] {
  return db
    .select()
    .from(templates)
    .where(and(eq(templates.tenantId, tenantId), eq(templates.name, name)))
    .orderBy(desc(templates.version))
    .all();
}

/** The latest version of each template of a tenant. */
export function listLatestTemplates(db: Db, tenantId: string): TemplateRow[] {
  const rows = db
    .select()
    .from(templates)
    .where(eq(templates.tenantId, tenantId))
    .orderBy(templates.name, desc(templates.version))
    .all();
  const seen = new Set<string>();
  return rows.filter((row) => {
    if (seen.has(row.name)) return false;
    seen.add(row.name);
    return true;
  });
}
