/**
 * Streaming: the upstream stream is opened and read until its first meaningful chunk before
 * the client sees anything, so a failure up to then can still be retried or fall back. After
 * that, the stream is relayed; it ends with `[DONE]` only if the provider's terminal event
 * arrived, and otherwise with an error event.
 */
import { ApiError } from "../../shared/api/errors.ts";
import type { ChatCompletionChunk, ChatCompletionRequest } from "../../shared/api/schemas/chat.ts";
import { capabilityError, UpstreamError } from "../providers/errors.ts";
import { providers } from "../providers/registry.ts";
import { readSse } from "../providers/sse.ts";
import type { ResponseContext, SseEvent, StreamTranslator, Target } from "../providers/types.ts";
import type { PlannedTarget } from "../routing/plan.ts";
import { TARGET_HEADER } from "./deps.ts";
import { failure, sendUpstream, type UpstreamDeps } from "./upstream.ts";

/** An upstream stream whose first chunks were read but not yet sent. */
export interface OpenedStream {
  buffered: ChatCompletionChunk[];
  /** The longest wait for the next event once streaming (the target's timeout). */
  idleTimeoutMs: number;
  /** Drops the upstream connection. */
  abort(): void;
  events: AsyncGenerator<SseEvent>;
  translator: StreamTranslator;
  ctx: ResponseContext;
  provider: string;
}

/** True for a chunk that carries content, a tool call or a finish (not just the role). */
const meaningful = (chunk: ChatCompletionChunk) =>
  chunk.choices.some(
    (c) => !!c.delta.content || !!c.delta.tool_calls?.length || c.finish_reason !== null,
  );

/** Translates one event, turning parse failures into stream failures. */
function translate(opened: Pick<OpenedStream, "translator" | "provider">, event: SseEvent) {
  try {
    return opened.translator.push(event);
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    throw new UpstreamError(opened.provider, "stream", "unreadable stream event", { cause: err });
  }
}

/** Opens the stream of `planned` and reads it up to its first meaningful chunk. */
export async function openStream(
  req: ChatCompletionRequest,
  { target, timeoutMs }: PlannedTarget,
  ctx: ResponseContext,
  deps: UpstreamDeps,
): Promise<OpenedStream> {
  const provider = providers[target.provider];
  if (!provider.chat) throw capabilityError(provider.name, "chat completions");
  const upstream = await sendUpstream(
    provider,
    provider.chat.request(req, target),
    timeoutMs,
    deps,
  );
  const body = upstream.response.body;
  if (!body) {
    upstream.settle();
    throw new UpstreamError(provider.name, "stream", "the stream had no body");
  }
  const opened: OpenedStream = {
    buffered: [],
    idleTimeoutMs: timeoutMs,
    abort: upstream.abort,
    events: readSse(body),
    translator: provider.chat.stream(ctx),
    ctx,
    provider: provider.name,
  };
  try {
    for (;;) {
      const next = await opened.events.next();
      if (next.done) break;
      const chunks = translate(opened, next.value);
      opened.buffered.push(...chunks);
      if (chunks.some(meaningful) || opened.translator.complete) return opened;
    }
  } catch (err) {
    await opened.events.return(undefined);
    throw failure(provider.name, err, upstream.signal, timeoutMs);
  } finally {
    upstream.settle();
  }
  throw new UpstreamError(provider.name, "stream", "the stream ended before any output");
}

const encoder = new TextEncoder();
const sse = (data: unknown) =>
  encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);

/** The error event that ends a stream which did not complete. */
function errorEvent(err: unknown, provider: string): Uint8Array {
  const message =
    err instanceof UpstreamError
      ? `${provider}: ${err.message}`
      : `${provider}: the stream ended before its terminal event`;
  const code =
    err instanceof UpstreamError &&
    (err.failure === "stream" || err.failure === "timeout") &&
    err.code
      ? err.code
      : err === undefined
        ? "upstream_stream_incomplete"
        : "upstream_stream_interrupted";
  return sse(new ApiError(502, message, { code }).toEnvelope());
}

/** The next upstream event, or an `UpstreamError` when none comes within the idle timeout. */
async function nextEvent(opened: OpenedStream): Promise<IteratorResult<SseEvent>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UpstreamError(
            opened.provider,
            "timeout",
            `no stream event within ${opened.idleTimeoutMs} ms`,
            {
              code: "upstream_stream_timeout",
            },
          ),
        ),
      opened.idleTimeoutMs,
    );
  });
  try {
    return await Promise.race([opened.events.next(), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Relays an opened stream to the client as OpenAI SSE; `onIncomplete` hears of a stream that
 * failed after output was sent (too late to fall back, not too late for the circuit breaker).
 */
export function streamResponse(
  opened: OpenedStream,
  req: ChatCompletionRequest,
  target: Target,
  onIncomplete: () => void = () => {},
): Response {
  const { ctx, translator } = opened;
  const pending = [...opened.buffered];
  let finished = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Loop until something is enqueued: a pull that enqueues nothing is not called again.
      for (;;) {
        const chunk = pending.shift();
        if (chunk) return controller.enqueue(sse(chunk));
        if (finished) return controller.close();
        try {
          const next = await nextEvent(opened);
          if (!next.done) {
            pending.push(...translate(opened, next.value));
            continue;
          }
        } catch (err) {
          finished = true;
          onIncomplete();
          // Drop the upstream connection: a stalled read then fails and releases it.
          opened.abort();
          controller.enqueue(errorEvent(err, opened.provider));
          return controller.close();
        }
        finished = true;
        if (!translator.complete) {
          onIncomplete();
          controller.enqueue(errorEvent(undefined, opened.provider));
          return controller.close();
        }
        if (req.stream_options?.include_usage && translator.usage) {
          const { id, created, model } = ctx;
          controller.enqueue(
            sse({
              id,
              object: "chat.completion.chunk",
              created,
              model,
              choices: [],
              usage: translator.usage,
            }),
          );
        }
        controller.enqueue(sse("[DONE]"));
        return controller.close();
      }
    },
    async cancel() {
      // The client went away: stop reading and drop the upstream connection.
      opened.abort();
      await opened.events.return(undefined).catch(() => {});
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      [TARGET_HEADER]: target.id,
    },
  });
}
