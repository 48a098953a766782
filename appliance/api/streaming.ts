import type { Context } from "hono";
import { stream as streamBody } from "hono/streaming";
import { toApiError } from "../../shared/api/app.ts";
import { AsyncQueue } from "../../shared/lib/async-queue.ts";
import { encodeSse, SSE_DONE } from "../../shared/sse/index.ts";
import type { GenerationOptions, GenerationResult } from "../inference/engine/index.ts";
import { provenanceOf, type ResolvedModel } from "../store/queries/models.ts";
import { servedBy } from "./served-by.ts";
import type { ApplianceEnv } from "./types.ts";

/** A piece of a streamed generation. */
export type StreamEvent =
  | { kind: "text"; choice: number; text: string }
  | { kind: "done"; result: GenerationResult };

/** Aborted when the client goes away or the request times out. */
export function requestSignal(
  c: Context<ApplianceEnv>,
  timeoutMs: number,
): { signal: AbortSignal; abort: () => void } {
  const controller = new AbortController();
  const signal = AbortSignal.any([
    c.req.raw.signal,
    controller.signal,
    AbortSignal.timeout(timeoutMs),
  ]);
  return {
    signal,
    abort: () => controller.abort(new DOMException("client disconnected", "AbortError")),
  };
}

/**
 * Streams a generation as SSE. Errors until the request holds a sequence (unknown model, bad
 * input, full queue) are thrown here and become ordinary HTTP errors; later ones become an error
 * event, and the stream then ends without `[DONE]` so no client mistakes it for a clean end.
 */
export async function streamGeneration(
  c: Context<ApplianceEnv>,
  timeoutMs: number,
  generate: (options: GenerationOptions) => Promise<GenerationResult>,
  format: {
    start: (model: string) => unknown[];
    text: (choice: number, text: string) => unknown;
    end: (result: GenerationResult) => unknown[];
  },
): Promise<Response> {
  const { signal, abort } = requestSignal(c, timeoutMs);
  const queue = new AsyncQueue<StreamEvent>();
  let started: (model: ResolvedModel) => void = () => {};
  const ready = new Promise<ResolvedModel>((resolve) => {
    started = resolve;
  });
  let completionTokens = 0;
  const generation = generate({
    signal,
    onTokens: (n) => {
      completionTokens += n;
    },
    onStart: (model) => started(model),
    onText: (choice, text) => {
      if (text) queue.push({ kind: "text", choice, text });
    },
  }).then(
    (result) => {
      queue.push({ kind: "done", result });
      queue.close();
    },
    (err) => {
      queue.fail(err);
      throw err;
    },
  );
  const model = await Promise.race([ready, generation.then(() => ready)]);
  servedBy(c, model.name, provenanceOf(model));
  let finish: () => void = () => {};
  c.set("streamDone", new Promise<void>((resolve) => (finish = resolve)));
  // The headers Hono's streamSSE sets; the events are written by the shared SSE writer.
  c.header("Transfer-Encoding", "chunked");
  c.header("Content-Type", "text/event-stream");
  c.header("Cache-Control", "no-cache");
  c.header("Connection", "keep-alive");
  return streamBody(c, async (stream) => {
    stream.onAbort(abort);
    // A client that goes away must also unblock a pending write (nobody reads the stream any more).
    const onClientGone = () => stream.abort();
    if (c.req.raw.signal.aborted) onClientGone();
    else c.req.raw.signal.addEventListener("abort", onClientGone, { once: true });
    try {
      for (const chunk of format.start(model.name)) await stream.write(encodeSse(chunk));
      for await (const event of queue) {
        if (event.kind === "text") {
          await stream.write(encodeSse(format.text(event.choice, event.text)));
        } else {
          c.set("usage", event.result.usage);
          for (const chunk of format.end(event.result)) await stream.write(encodeSse(chunk));
          await stream.write(encodeSse(SSE_DONE));
        }
      }
    } catch (err) {
      const clientGone = stream.aborted || c.req.raw.signal.aborted;
      c.set("streamStatus", clientGone ? 499 : toApiError(err).status);
      if (stream.aborted || signal.aborted) {
        c.set("cancelled", true);
        c.set("usage", {
          prompt_tokens: 0,
          completion_tokens: completionTokens,
          total_tokens: completionTokens,
        });
      }
      if (!stream.aborted) await stream.write(encodeSse(toApiError(err).toEnvelope()));
    } finally {
      c.req.raw.signal.removeEventListener("abort", onClientGone);
      abort();
      await generation.catch(() => undefined);
      finish();
    }
  });
}
