/**
 * Streaming: the upstream stream is opened and read until its first meaningful chunk before
 * the client sees anything, so a failure up to then can still be retried or fall back. After
 * that, the stream is relayed; it ends with `[DONE]` only if the provider's terminal event
 * arrived, and otherwise with an error event.
 */

import { ApiError } from "../../shared/api/errors.ts";
import type { ServedVersion } from "../../shared/api/model-headers.ts";
import type { Usage } from "../../shared/api/schemas/common.ts";
import { encodeSse, readSse, SSE_DONE, SSE_HEADERS } from "../../shared/sse/index.ts";
import { UpstreamError } from "../providers/errors.ts";
import type {
  ProviderConfig,
  ProviderCredentials,
  ResponseContext,
  SseEvent,
  StreamTranslator,
  Target,
  UpstreamCall,
} from "../providers/types.ts";
import { TARGET_HEADER } from "./deps.ts";
import { failure, sendUpstream, servedVersion, type UpstreamDeps } from "./upstream.ts";

/**
 * Hears how a relayed stream ended, with the usage the provider reported and, when it failed,
 * the code its error event carried (`client_cancelled` when the client went away).
 */
export type StreamEnd = (outcome: {
  ok: boolean;
  usage: Usage | undefined;
  error?: string;
}) => void;

/** What differs between streamed chat and streamed legacy completions. */
export interface StreamKind<C> {
  /** True for a chunk worth committing to (content, a tool call, a finish; not a bare role). */
  meaningful(chunk: C): boolean;
  /** The last chunk, carrying usage, when the client asked for `include_usage`. */
  usageChunk(ctx: ResponseContext, usage: Usage): unknown;
}

/** An upstream stream whose first chunks were read but not yet sent. */
export interface OpenedStream<C> {
  buffered: C[];
  /** The longest wait for the next event once streaming (the target's timeout). */
  idleTimeoutMs: number;
  /** Drops the upstream connection. */
  abort(): void;
  events: AsyncGenerator<SseEvent>;
  translator: StreamTranslator<C>;
  ctx: ResponseContext;
  provider: string;
  /** The local model version a site's appliance answered with. */
  served?: ServedVersion;
}

/** Translates one event, turning parse failures into stream failures. */
function translate<C>(opened: Pick<OpenedStream<C>, "translator" | "provider">, event: SseEvent) {
  try {
    return opened.translator.push(event);
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    throw new UpstreamError(opened.provider, "stream", "unreadable stream event", { cause: err });
  }
}

/** Sends `call` and reads its stream up to the first meaningful chunk. */
export async function openStream<C>(
  provider: ProviderConfig,
  call: UpstreamCall,
  credentials: ProviderCredentials,
  translator: StreamTranslator<C>,
  ctx: ResponseContext,
  kind: StreamKind<C>,
  timeoutMs: number,
  deps: UpstreamDeps,
): Promise<OpenedStream<C>> {
  const upstream = await sendUpstream(provider, call, credentials, timeoutMs, deps);
  const body = upstream.response.body;
  if (!body) {
    upstream.settle();
    throw new UpstreamError(provider.name, "stream", "the stream had no body");
  }
  const opened: OpenedStream<C> = {
    buffered: [],
    idleTimeoutMs: timeoutMs,
    abort: upstream.abort,
    events: provider.events ? provider.events(body) : readSse(body),
    translator,
    ctx,
    provider: provider.name,
    served: servedVersion(provider, upstream.response),
  };
  try {
    for (;;) {
      const next = await opened.events.next();
      if (next.done) break;
      const chunks = translate(opened, next.value);
      opened.buffered.push(...chunks);
      if (chunks.some((c) => kind.meaningful(c)) || opened.translator.complete) return opened;
    }
  } catch (err) {
    await opened.events.return(undefined);
    throw failure(provider.name, err, upstream.signal, timeoutMs);
  } finally {
    upstream.settle();
  }
  throw new UpstreamError(provider.name, "stream", "the stream ended before any output");
}

/** How long a stream that already sent its terminal event may take to end. */
const AFTER_TERMINAL_GRACE_MS = 1_000;

/** The code of the error event that ends a stream which did not complete. */
function streamErrorCode(err: unknown): string {
  if (
    err instanceof UpstreamError &&
    (err.failure === "stream" || err.failure === "timeout") &&
    err.code
  ) {
    return err.code;
  }
  return err === undefined ? "upstream_stream_incomplete" : "upstream_stream_interrupted";
}

/** The error event that ends a stream which did not complete. */
function errorEvent(err: unknown, provider: string): Uint8Array {
  const message =
    err instanceof UpstreamError
      ? `${provider}: ${err.message}`
      : `${provider}: the stream ended before its terminal event`;
  return encodeSse(new ApiError(502, message, { code: streamErrorCode(err) }).toEnvelope());
}

/** The next upstream event, or an `UpstreamError` when none comes within the idle timeout. */
async function nextEvent<C>(
  opened: OpenedStream<C>,
  waitMs: number,
): Promise<IteratorResult<SseEvent>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UpstreamError(opened.provider, "timeout", `no stream event within ${waitMs} ms`, {
            code: "upstream_stream_timeout",
          }),
        ),
      waitMs,
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
export function streamResponse<C>(
  opened: OpenedStream<C>,
  kind: StreamKind<C>,
  includeUsage: boolean,
  target: Target,
  onIncomplete: () => void = () => {},
  onEnd: StreamEnd = () => {},
): Response {
  const { ctx, translator } = opened;
  const pending = [...opened.buffered];
  let finished = false;
  const succeed = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    onEnd({ ok: true, usage: translator.usage });
    if (includeUsage && translator.usage) {
      controller.enqueue(encodeSse(kind.usageChunk(ctx, translator.usage)));
    }
    controller.enqueue(encodeSse(SSE_DONE));
    controller.close();
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Loop until something is enqueued: a pull that enqueues nothing is not called again.
      for (;;) {
        const chunk = pending.shift();
        if (chunk) return controller.enqueue(encodeSse(chunk));
        if (finished) return controller.close();
        // After the terminal event, only trailing events (usage) may still come: wait briefly.
        const waitMs = translator.complete
          ? Math.min(opened.idleTimeoutMs, AFTER_TERMINAL_GRACE_MS)
          : opened.idleTimeoutMs;
        try {
          const next = await nextEvent(opened, waitMs);
          if (!next.done) {
            pending.push(...translate(opened, next.value));
            continue;
          }
        } catch (err) {
          finished = true;
          // Drop the upstream connection: a stalled read then fails and releases it.
          opened.abort();
          if (translator.complete) return succeed(controller);
          onIncomplete();
          onEnd({ ok: false, usage: translator.usage, error: streamErrorCode(err) });
          controller.enqueue(errorEvent(err, opened.provider));
          return controller.close();
        }
        finished = true;
        if (translator.complete) return succeed(controller);
        onIncomplete();
        onEnd({ ok: false, usage: translator.usage, error: streamErrorCode(undefined) });
        controller.enqueue(errorEvent(undefined, opened.provider));
        return controller.close();
      }
    },
    async cancel() {
      // The client went away: stop reading and drop the upstream connection.
      onEnd({ ok: false, usage: translator.usage, error: "client_cancelled" });
      opened.abort();
      await opened.events.return(undefined).catch(() => {});
    },
  });
  return new Response(stream, {
    headers: { ...SSE_HEADERS, [TARGET_HEADER]: target.id },
  });
}
