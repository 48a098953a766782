/**
 * Where a run's wall time goes, seen from the provider: the OpenAI fake records when each call
 * arrived and when its answer left, and the run's calls are split into the job's queue messages
 * and deliveries by the row each prompt names. Identical fixed-latency calls make every moment
 * the provider is not busy with `c` calls the gateway's (or the job engine's) own time.
 */
import type { ServerResponse } from "node:http";
import { fakeKeys } from "../../test/fakes/index.ts";
import { openAiHandler } from "../../test/fakes/openai.ts";
import { lastUserText, latencyOf } from "../../test/fakes/scenario.ts";
import { startFakeServer } from "../../test/fakes/server.ts";

/** One provider call: the row its prompt names, and when it arrived and was answered (ms). */
export interface Call {
  row: number;
  start: number;
  end: number;
}

/** The prompt's row marker: a template starting `Sample {{ n }}:` renders `Sample 17:`. */
const rowMarker = /^Sample (\d+):/;

/** The OpenAI fake (fixed latency steered by the model name), recording every chat call. */
export async function startRecordingProvider(
  lifetimeMs: number,
): Promise<{ url: string; timeline(): Call[]; reset(): void; close(): Promise<void> }> {
  const handle = openAiHandler("openai", fakeKeys.openai);
  let calls: Call[] = [];
  const server = await startFakeServer(
    (req, res: ServerResponse, count) => {
      const model = String(req.body.model ?? "");
      const messages = (req.body.messages ?? []) as { role: string; content?: unknown }[];
      const row = Number(rowMarker.exec(lastUserText(messages))?.[1] ?? -1);
      // The server waited the model's latency before handing the call over: it arrived that early.
      const start = performance.now() - latencyOf(model);
      const into = calls;
      res.once("finish", () => into.push({ row, start, end: performance.now() }));
      return handle(req, res, count);
    },
    { lifetimeMs },
  );
  return {
    url: server.url,
    timeline: () => calls,
    reset() {
      calls = [];
    },
    close: () => server.close(),
  };
}

/** A run's wall time, taken apart (all in ms, except `seconds`). */
export interface Breakdown {
  seconds: number;
  /** From the start (the job's POST) to the provider's first call. */
  lead: number;
  /** From the provider's last answer to the end (the job seen `done`). */
  tail: number;
  /** Wall time inside queue messages (the direct run: from first call to last answer). */
  inside: number;
  /**
   * Provider slots left idle inside messages, per sample: the time between one answer and the
   * next call of the same worker (the gateway's or engine's own work per sample).
   */
  idlePerSample: number;
  /** Mean time a call spent at the provider (its fixed latency and the fake's answer). */
  providerPerCall: number;
  /** No call in flight between consecutive messages of one delivery (the consumer's own). */
  betweenMessages: number;
  /** No call in flight between the last message of a delivery and the next delivery's first. */
  betweenDeliveries: number;
  messages: number;
}

/**
 * Takes a run apart. `batchSize` keys per message (JOB_BATCH_SIZE), `queueBatch` messages per
 * delivery, rows in key order (one sample per row); a direct run is one message of every row.
 */
export function breakdown(
  calls: Call[],
  run: { start: number; end: number; concurrency: number; batchSize: number; queueBatch: number },
): Breakdown {
  const messages = new Map<number, Call[]>();
  for (const call of calls) {
    const index = Math.floor(call.row / run.batchSize);
    const group = messages.get(index);
    if (group) group.push(call);
    else messages.set(index, [call]);
  }
  const ordered = [...messages.entries()].sort(([a], [b]) => a - b);
  let inside = 0;
  let idle = 0;
  let betweenMessages = 0;
  let betweenDeliveries = 0;
  let previous: { index: number; end: number } | undefined;
  for (const [index, group] of ordered) {
    const first = Math.min(...group.map((c) => c.start));
    const last = Math.max(...group.map((c) => c.end));
    const busy = group.reduce((sum, c) => sum + (c.end - c.start), 0);
    inside += last - first;
    idle += Math.min(run.concurrency, group.length) * (last - first) - busy;
    if (previous) {
      const gap = Math.max(0, first - previous.end);
      const sameDelivery =
        Math.floor(index / run.queueBatch) === Math.floor(previous.index / run.queueBatch);
      if (sameDelivery) betweenMessages += gap;
      else betweenDeliveries += gap;
    }
    previous = { index, end: last };
  }
  const firstCall = Math.min(...calls.map((c) => c.start));
  const lastAnswer = Math.max(...calls.map((c) => c.end));
  return {
    seconds: (run.end - run.start) / 1000,
    lead: firstCall - run.start,
    tail: run.end - lastAnswer,
    inside,
    idlePerSample: idle / calls.length,
    providerPerCall: calls.reduce((sum, c) => sum + (c.end - c.start), 0) / calls.length,
    betweenMessages,
    betweenDeliveries,
    messages: ordered.length,
  };
}
