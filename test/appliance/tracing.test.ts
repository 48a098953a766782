/**
 * Tracing on a real appliance (tiny model, the official `openai` SDK as client), exported to a
 * loopback OTLP receiver: a request is a server span under the caller's `traceparent`, with its
 * generation's queue wait, prompt processing and generation as children; a stream the client
 * leaves is marked cancelled on the request and on the phase it was in; an unknown model fails
 * the queue wait with its code; a job created by a traced request runs in its trace, each model
 * call a span with its phases. The batch delay is a minute, so every span here reaches the
 * receiver only through the flush at SIGTERM: nothing is lost on a stop. No export may hold the
 * prompt, a completion or the API key. The link's trace (edge, frame, appliance) is in
 * test/link/link.test.ts.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../shared/sdk/index.ts";
import { type ExportedSpan, exportedTrace, OTLP, startOtlpReceiver } from "../fakes/otlp.ts";
import type { FakeServer } from "../fakes/server.ts";
import { type ApplianceProcess, STORIES_MODEL, startAppliance } from "../helpers/appliance.ts";
import { follow } from "../helpers/jobs.ts";

const SECRET = "sk-tracing-test-0123456789abcdef";
const MARKER = `planted-prompt-${crypto.randomUUID()}`;
const CALLER_SPAN = "00f067aa0ba902b7";
const messages = [{ role: "user" as const, content: `Once upon a time ${MARKER}` }];

function freshTrace() {
  const id = crypto.randomUUID().replaceAll("-", "");
  return { id, headers: { traceparent: `00-${id}-${CALLER_SPAN}-01` } };
}

/** The one span named `name`. */
function one(spans: ExportedSpan[], name: string): ExportedSpan {
  const matching = spans.filter((span) => span.name === name);
  expect(matching, name).toHaveLength(1);
  return matching[0] as ExportedSpan;
}

describe("tracing on the appliance", () => {
  let otlp: FakeServer;
  let app: ApplianceProcess;
  let client: OpenAI;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    app = await startAppliance({
      args: ["--model", STORIES_MODEL],
      env: {
        TEXTNLP_API_KEY: SECRET,
        TEXTNLP_BACKUP_ENABLED: "false",
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_BSP_SCHEDULE_DELAY: "60000",
      },
    });
    client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: SECRET, maxRetries: 0 });
  });

  afterAll(async () => {
    await app?.stop("SIGKILL");
    app?.cleanup();
    await otlp?.close();
  });

  it("traces generations under the caller's context, flushed at stop", async () => {
    const plain = freshTrace();
    const answer = await client.chat.completions.create(
      { model: "stories260K", messages, max_tokens: 24 },
      { headers: plain.headers },
    );
    const completion = answer.choices[0]?.message.content ?? "";
    expect(completion.length).toBeGreaterThan(8);

    const left = freshTrace();
    const stream = await client.completions.create(
      {
        model: "stories260K",
        prompt: `Once upon a time ${MARKER}`,
        max_tokens: 1500,
        stream: true,
      },
      { headers: left.headers },
    );
    for await (const chunk of stream) {
      if (chunk.choices[0]?.text) break; // leaves the stream: the client goes away
    }

    const unknown = freshTrace();
    await expect(
      client.chat.completions.create(
        { model: "no-such-model", messages, max_tokens: 4 },
        { headers: unknown.headers },
      ),
    ).rejects.toMatchObject({ status: 404 });

    // A job created by a traced request: its run, and each sample's model call, in that trace.
    const sdk = createClient({ baseUrl: app.url, apiKey: SECRET });
    await sdk.templates.create({ name: "traced-tale", prompt: `A story about {{ topic }}.` });
    const jobTrace = freshTrace();
    const created = await fetch(`${app.url}/v1/jobs`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${SECRET}`,
        "content-type": "application/json",
        ...jobTrace.headers,
      },
      body: JSON.stringify({
        template: "traced-tale",
        model: "stories260K",
        rows: [{ topic: `a boat ${MARKER}` }, { topic: "a dog" }],
        samples_per_row: 1,
        params: { max_tokens: 8 },
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const job = await follow(sdk, ((await created.json()) as { id: string }).id);
    expect(job.status).toBe("done");

    // Nothing before the stop (the batch waits a minute); everything after it.
    expect((await exportedTrace(otlp.url, plain.id)).spans).toEqual([]);
    expect(await app.stop("SIGTERM")).toBe(0);
    const traces = await Promise.all(
      [plain, left, unknown, jobTrace].map(({ id }) => exportedTrace(otlp.url, id)),
    );
    const exported = traces.flatMap((t) => t.bodies).join("\n");
    for (const secret of [MARKER, SECRET, completion]) expect(exported).not.toContain(secret);
    const [plainSpans, leftSpans, unknownSpans, jobSpans] = traces.map(
      (t) => t.spans,
    ) as ExportedSpan[][];

    const server = one(plainSpans as ExportedSpan[], "POST /v1/chat/completions");
    expect(server).toMatchObject({
      service: "textnlp-appliance",
      kind: OTLP.SERVER,
      parentSpanId: CALLER_SPAN,
    });
    expect(server.attributes).toMatchObject({
      "http.route": "/v1/chat/completions",
      "http.response.status_code": 200,
      "textnlp.via": "http",
      "gen_ai.request.model": "stories260K",
      "gen_ai.usage.output_tokens": answer.usage?.completion_tokens,
    });
    const phases = ["queue wait", "prompt processing", "generation"].map((name) =>
      one(plainSpans as ExportedSpan[], name),
    );
    for (const phase of phases) {
      expect(phase.parentSpanId).toBe(server.spanId);
      expect(phase.status?.code).not.toBe(OTLP.STATUS_ERROR);
    }
    expect(phases[1]?.attributes["textnlp.prompt.evaluated_tokens"]).toBeGreaterThan(0);
    expect(phases[2]?.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": answer.usage?.prompt_tokens,
      "gen_ai.usage.output_tokens": answer.usage?.completion_tokens,
    });

    // The stream the client left: cancelled, on the request and on the generation phase.
    const cancelled = one(leftSpans as ExportedSpan[], "POST /v1/completions");
    expect(cancelled.status?.code).toBe(OTLP.STATUS_ERROR);
    expect(cancelled.attributes["error.type"]).toBe("cancelled");
    const generation = one(leftSpans as ExportedSpan[], "generation");
    expect(generation.attributes["error.type"]).toBe("cancelled");
    expect(generation.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);

    // An unknown model: a 404 (not a server error), its queue wait failed with the code.
    const refused = one(unknownSpans as ExportedSpan[], "POST /v1/chat/completions");
    expect(refused.attributes["http.response.status_code"]).toBe(404);
    expect(refused.status?.code).not.toBe(OTLP.STATUS_ERROR);
    expect(one(unknownSpans as ExportedSpan[], "queue wait").attributes["error.type"]).toBe(
      "model_not_found",
    );

    // The job: created under the caller, run under the creating request, two model calls.
    const spansOfJob = jobSpans as ExportedSpan[];
    const creation = one(spansOfJob, "POST /v1/jobs");
    expect(creation.parentSpanId).toBe(CALLER_SPAN);
    const run = one(spansOfJob, "job run");
    expect(run.parentSpanId).toBe(creation.spanId);
    expect(run.attributes).toMatchObject({ "textnlp.job.id": job.id, "textnlp.job.done": 2 });
    const calls = spansOfJob.filter((span) => span.name === "model call");
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.parentSpanId).toBe(run.spanId);
      const phases = spansOfJob.filter((span) => span.parentSpanId === call.spanId);
      expect(phases.map((span) => span.name).sort()).toEqual([
        "generation",
        "prompt processing",
        "queue wait",
      ]);
    }
  });
});
