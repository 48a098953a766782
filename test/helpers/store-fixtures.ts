import type { Store } from "../../appliance/store/db.ts";
import { ensureTenant } from "../../appliance/store/queries/tenants.ts";
import { templates, usageEvents } from "../../shared/db/schema/index.ts";
import { commitSample } from "../../shared/synth/store/job-store.ts";
import { insertJob, setJobStatus } from "../../shared/synth/store/jobs.ts";

/** Options of {@link seedJob}. */
export interface SeedJobOptions {
  id: string;
  tenant?: string;
  /** When it finished; null leaves it running. */
  finished: Date | null;
  /** One seed row and one ok sample per entry, all naming that person. */
  people: string[];
  output?: (email: string) => string;
}

/** Writes a job with its rows and samples straight into a store (no model needed). */
export async function seedJob(store: Store, opts: SeedJobOptions): Promise<void> {
  const tenantId = opts.tenant ?? "local";
  ensureTenant(store.db, tenantId);
  const template = store.db
    .insert(templates)
    .values({
      id: `tpl-${opts.id}`,
      tenantId,
      name: `t-${opts.id}`,
      version: 1,
      prompt: "Write to {{ email }}",
      variables: ["email"],
      params: {},
    })
    .returning()
    .get();
  await insertJob(
    store.db,
    {
      id: opts.id,
      tenantId,
      templateId: template.id,
      model: "tiny",
      params: {},
      samplers: {},
      rowCount: opts.people.length,
      samplesPerRow: 1,
      concurrency: 1,
      seed: 1,
    },
    opts.people.map((email) => ({ email })),
    new Date(0),
  );
  for (const [row, email] of opts.people.entries())
    await commitSample(store.db, opts.id, {
      status: "ok",
      attempts: 1,
      row,
      sample: 0,
      variables: { email },
      messages: [{ role: "user", content: `Write to ${email}` }],
      output: opts.output?.(email) ?? `Hello ${email}`,
      promptTokens: 3,
      completionTokens: 2,
    });
  if (opts.finished)
    await setJobStatus(store.db, opts.id, "done", {
      startedAt: opts.finished,
      finishedAt: opts.finished,
    });
  else await setJobStatus(store.db, opts.id, "running", { startedAt: new Date(0) });
}

/** Writes one metered request (`usage_events`) at the given time. */
export function seedUsageEvent(store: Store, id: string, createdAt: Date, latencyMs = 1): void {
  store.db
    .insert(usageEvents)
    .values({
      id,
      tenantId: "local",
      route: "chat",
      model: "tiny",
      latencyMs,
      status: 200,
      createdAt,
    })
    .run();
}
