/**
 * A metered call as both halves write it (`usage_events`): the columns a caller may leave out
 * get the same values on either half, and every row gets its id here.
 */
import { randomId } from "../auth/api-keys.ts";
import type { usageEvents } from "../db/schema/index.ts";

/** A call to record. */
export type NewUsageEvent = Omit<typeof usageEvents.$inferInsert, "id">;

/** A call ready to insert, every column given. */
export type UsageEventRow = Required<NewUsageEvent> & { id: string };

/** Column defaults of a call to record (the columns a caller may leave out). */
const defaults = {
  keyId: null,
  target: null,
  targetVersion: null,
  targetSha256: null,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: null,
  cacheStatus: "none",
  guardrails: null,
} satisfies Partial<NewUsageEvent>;

/** `event` as a row: defaults filled in, a fresh id. */
export function usageEventRow(event: NewUsageEvent): UsageEventRow {
  return { ...defaults, ...event, id: randomId("use_") } as UsageEventRow;
}
