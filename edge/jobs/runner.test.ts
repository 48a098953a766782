/**
 * The edge's job runner: a job's keys not yet written, in batches, in key order; and a job
 * refused before anything is stored when the Worker has no jobs queue bound.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { JobRow } from "../../shared/db/schema/index.ts";
import { getJob } from "../../shared/synth/store/jobs.ts";
import { openStore } from "../store/db.ts";
import { startGateway } from "../test/gateway.ts";
import { jobBatches, queueJobRunner } from "./runner.ts";

describe("the edge's job runner", () => {
  it("batches only the keys not yet written, in key order", () => {
    const job = { id: "j", tenantId: "t", rowCount: 3, samplesPerRow: 2 } as JobRow;
    const batches = jobBatches(job, new Set(["0:1", "2:0"]), 3);
    expect(batches).toEqual([
      {
        jobId: "j",
        tenantId: "t",
        tasks: [
          [0, 0],
          [1, 0],
          [1, 1],
        ],
      },
      { jobId: "j", tenantId: "t", tasks: [[2, 1]] },
    ]);
    expect(jobBatches(job, new Set(["0:0", "0:1", "1:0", "1:1", "2:0", "2:1"]), 3)).toEqual([]);
    // A traced start's batches each carry its server span, the parent of their spans.
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const traced = jobBatches(job, new Set(), 4, traceparent);
    expect(traced.map((b) => [b.tasks.length, b.traceparent])).toEqual([
      [4, traceparent],
      [2, traceparent],
    ]);
    expect(batches.every((b) => !("traceparent" in b))).toBe(true);
  });

  it("refuses a job with 503 jobs_unavailable, storing nothing, without a JOBS_QUEUE binding", async () => {
    const { call } = startGateway({ bindings: { JOBS_QUEUE: undefined } });
    const template = await call("http://edge/v1/templates", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "no-queue", prompt: "Hi {{ name }}" }),
    });
    expect(template.status).toBe(201);
    const res = await call("http://edge/v1/jobs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ template: "no-queue", model: "openai/gpt-4o-mini", row_count: 2 }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "jobs_unavailable" } });
    const { n } = (await env.DB.prepare(
      "SELECT count(*) AS n FROM jobs WHERE tenant_id = 'tenant-test'",
    ).first<{ n: number }>()) ?? { n: -1 };
    expect(n).toBe(0);
  });

  it("tells a job's watchers on any isolate of each change its monitor hears of", async () => {
    const runner = queueJobRunner(
      env,
      async () => {
        throw new Error("not read");
      },
      10,
      Date.now,
    );
    let heard = 0;
    let next: () => void = () => {};
    const unsubscribe = runner.subscribe?.("job-watched", () => {
      heard++;
      next();
    });
    const change = () =>
      new Promise<void>((resolve) => {
        next = resolve;
      });
    // The first newline comes as the watcher connects.
    await change();
    const monitor = env.JOB_MONITOR?.get(env.JOB_MONITOR.idFromName("job-watched"));
    const second = change();
    await monitor?.progressed();
    await second;
    // Pause and cancel reach watchers the same way.
    const third = change();
    await runner.halt("job-watched");
    await third;
    expect(heard).toBe(3);
    unsubscribe?.();
  });

  it("post-processes at once a job resumed with every key written, though a pause cut its stage short", async () => {
    const id = "job-resumed-written";
    await env.DB.batch([
      env.DB.prepare(
        "INSERT OR IGNORE INTO tenants (id, name, created_at) VALUES ('tenant-resume', 'tenant-resume', 0)",
      ),
      env.DB.prepare(
        "INSERT INTO templates (id, tenant_id, name, version, prompt, variables, params, created_at) VALUES ('tpl-resume', 'tenant-resume', 'resume', 1, 'Hi', '[]', '{}', 0)",
      ),
      // Resumed: queued again, its two keys written before the pause.
      env.DB.prepare(
        "INSERT INTO jobs (id, tenant_id, template_id, model, params, samplers, steps, row_count, samples_per_row, concurrency, seed, status) VALUES (?, 'tenant-resume', 'tpl-resume', 'openai/gpt-4o-mini', '{}', '{}', '[{\"type\":\"dedup\",\"mode\":\"exact\"}]', 2, 1, 1, 1, 'queued')",
      ).bind(id),
      ...[0, 1].map((row) =>
        env.DB.prepare(
          "INSERT INTO samples (job_id, row_index, sample_index, status, variables, output, attempts, prompt_tokens, completion_tokens, created_at) VALUES (?, ?, 0, 'ok', '{}', 'same', 1, 1, 1, 0)",
        ).bind(id, row),
      ),
    ]);
    // The stage was queued just before the pause: within the period, it would not be again.
    const monitors = env.JOB_MONITOR as NonNullable<typeof env.JOB_MONITOR>;
    const monitor = monitors.get(monitors.idFromName(id));
    const before = Date.now() - 1;
    await runInDurableObject(monitor, (_, state) =>
      state.storage.put("postprocessQueuedAt", before),
    );
    const db = await openStore({ kind: "d1", d1: env.DB });
    const runner = queueJobRunner(env, async () => db, 10, Date.now);
    await runner.start((await getJob(db, id)) as JobRow);
    const queuedAt = await runInDurableObject(monitor, (_, state) =>
      state.storage.get<number>("postprocessQueuedAt"),
    );
    expect(queuedAt).toBeGreaterThan(before);
    // The stage runs on the real queue: duplicates dropped, the job done.
    for (let i = 0; i < 100 && (await getJob(db, id))?.status !== "done"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await getJob(db, id))?.status).toBe("done");
    const kept = await env.DB.prepare(
      "SELECT count(*) AS n FROM samples WHERE job_id = ? AND kept = 1",
    )
      .bind(id)
      .first<{ n: number }>();
    expect(kept?.n).toBe(1);
  });
});
