/**
 * Usage reports, read the same way by both halves (D1 or libSQL on the edge, better-sqlite3 on
 * the appliance): a tenant's metered calls (`usage_events`) summed by UTC day, requested model
 * and key. Drizzle only, no driver.
 */
import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { AnySqliteDb } from "../db/audit.ts";
import { usageEvents } from "../db/schema/index.ts";

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
  db: AnySqliteDb,
  tenantId: string,
  from: Date,
  to: Date,
): Promise<UsageSummary[]> {
  const day = sql<string>`strftime('%Y-%m-%d', ${usageEvents.createdAt} / 1000, 'unixepoch')`;
  const rows: UsageSummary[] = await db
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
  // Drivers differ in how they hand back aggregates (a bigint, a string): numbers from here on.
  return rows.map((r) => ({
    ...r,
    requests: Number(r.requests),
    errors: Number(r.errors),
    promptTokens: Number(r.promptTokens),
    completionTokens: Number(r.completionTokens),
    costUsd: r.costUsd === null ? null : Number(r.costUsd),
  }));
}

/** Calls and tokens of one key or one model over a report's days. */
export interface UsageTotal {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
}

/** A report's lines summed by `by` (a key id, a model), largest token count first. */
export function totalUsageBy(
  rows: readonly UsageSummary[],
  by: (row: UsageSummary) => string,
): { name: string; total: UsageTotal }[] {
  const totals = new Map<string, UsageTotal>();
  for (const row of rows) {
    const name = by(row);
    const total = totals.get(name) ?? {
      requests: 0,
      errors: 0,
      promptTokens: 0,
      completionTokens: 0,
    };
    total.requests += row.requests;
    total.errors += row.errors;
    total.promptTokens += row.promptTokens;
    total.completionTokens += row.completionTokens;
    totals.set(name, total);
  }
  const tokens = (t: UsageTotal) => t.promptTokens + t.completionTokens;
  return [...totals]
    .map(([name, total]) => ({ name, total }))
    .sort((a, b) => tokens(b.total) - tokens(a.total) || a.name.localeCompare(b.name));
}
