/** Usage events: one row per metered call, summed by day, model and key for reports. */
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { randomId } from "../../shared/auth/api-keys.ts";
import { usageEvents } from "../../shared/db/schema/index.ts";
import type { EdgeDb } from "./types.ts";

/** A call to record. */
export type NewUsageEvent = Omit<typeof usageEvents.$inferInsert, "id">;

export async function recordUsage(db: EdgeDb, event: NewUsageEvent): Promise<void> {
  await db.insert(usageEvents).values({ id: randomId("use_"), ...event });
}

/** One line of a usage report. */
export interface UsageSummary {
  day: string;
  model: string;
  keyId: string | null;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
}

/** A tenant's usage in [from, to), by UTC day, requested model and key. */
export async function summarizeUsage(
  db: EdgeDb,
  tenantId: string,
  from: Date,
  to: Date,
): Promise<UsageSummary[]> {
  const day = sql<string>`strftime('%Y-%m-%d', ${usageEvents.createdAt} / 1000, 'unixepoch')`;
  return db
    .select({
      day,
      model: usageEvents.model,
      keyId: usageEvents.keyId,
      requests: sql<number>`count(*)`,
      errors: sql<number>`sum(case when ${usageEvents.status} >= 400 then 1 else 0 end)`,
      promptTokens: sql<number>`sum(${usageEvents.promptTokens})`,
      completionTokens: sql<number>`sum(${usageEvents.completionTokens})`,
      costUsd: sql<number | null>`sum(${usageEvents.costUsd})`,
    })
    .from(usageEvents)
    .where(
      and(
        eq(usageEvents.tenantId, tenantId),
        gte(usageEvents.createdAt, from),
        lt(usageEvents.createdAt, to),
      ),
    )
    .groupBy(day, usageEvents.model, usageEvents.keyId)
    .orderBy(day, usageEvents.model);
}
