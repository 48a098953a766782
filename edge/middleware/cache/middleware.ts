/**
 * The response cache, as middleware in front of an inference route. Deterministic requests
 * (temperature 0 or a seed; embeddings always) are looked up in Workers KV under a key of the
 * tenant and the normalised request; a hit is answered without calling any provider, as JSON
 * or replayed as a stream. A miss is stored once it is known complete: a 200 JSON answer, or a
 * stream that ended with `[DONE]` after its provider's terminal event. Errors, streams cut or
 * cancelled, and requests that opt out are never stored. `x-textnlp-cache` on the response
 * says hit, miss or bypass; the meter records the same.
 */

import type { Context, MiddlewareHandler } from "hono";
import {
  assembleChat,
  assembleCompletion,
  replayChat,
  replayCompletion,
} from "../../../shared/api/openai-shapes.ts";
import type { ChatCompletion, ChatCompletionChunk } from "../../../shared/api/schemas/chat.ts";
import type { Usage } from "../../../shared/api/schemas/common.ts";
import type { Completion } from "../../../shared/api/schemas/completions.ts";
import { createSseDecoder, SSE_DONE, SSE_HEADERS, sseStreamOf } from "../../../shared/sse/index.ts";
import { type EdgeEnv, settings } from "../../env.ts";
import { TARGET_HEADER } from "../../gateway/deps.ts";
import type { CallEnd } from "../../inference/call-record.ts";
import { setAnswerHeaders } from "../../lib/headers.ts";
import type { CachedAnswer } from "./answers.ts";
import { CACHE_HEADER, type CacheDirective, readDirective } from "./directive.ts";
import { cacheKey, isDeterministic } from "./key.ts";

/** Options of {@link responseCache}. */
export interface ResponseCacheOptions {
  now?: () => number;
}

/** A hit called no provider: it spent no tokens (its body still shows the original usage). */
const NO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The response a hit is answered with. */
function replay(entry: CachedAnswer, body: Record<string, unknown>, now: number): Response {
  const headers: Record<string, string> = {
    [CACHE_HEADER]: "hit",
    age: String(Math.max(0, Math.floor((now - entry.storedAt) / 1000))),
    ...(entry.target ? { [TARGET_HEADER]: entry.target } : {}),
  };
  if (!body.stream || entry.route === "embeddings") return Response.json(entry.body, { headers });
  const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
  const chunks =
    entry.route === "chat"
      ? replayChat(entry.body as unknown as ChatCompletion, includeUsage)
      : replayCompletion(entry.body as unknown as Completion, includeUsage);
  return new Response(sseStreamOf(chunks), { headers: { ...headers, ...SSE_HEADERS } });
}

/**
 * Passes a streamed answer through to the client while collecting its chunks; once the call
 * ended, gives the assembled answer if the stream ended with `[DONE]`, or null if it was cut
 * or cancelled.
 */
function recordStream(
  c: Context<EdgeEnv>,
  route: CachedAnswer["route"],
): (end: CallEnd) => Promise<Record<string, unknown> | null> {
  const source = c.res.body;
  if (!source || route === "embeddings") return async () => null;
  const reader = source.getReader();
  const chunks: unknown[] = [];
  let done = false;
  const decoder = createSseDecoder((event) => {
    if (event.data === SSE_DONE) done = true;
    else {
      const chunk = JSON.parse(event.data) as { choices?: unknown };
      // Answer chunks only: an error event has no choices (and means no [DONE] follows).
      if (Array.isArray(chunk.choices)) chunks.push(chunk);
    }
  });
  let settle: (complete: boolean) => void = () => {};
  const ended = new Promise<boolean>((resolve) => (settle = resolve));
  c.res = new Response(
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await reader.read();
          if (next.done) {
            decoder.end();
            settle(done);
            return controller.close();
          }
          decoder.push(next.value);
          controller.enqueue(next.value);
        } catch (err) {
          settle(false);
          controller.error(err);
        }
      },
      async cancel(reason) {
        settle(false);
        await reader.cancel(reason);
      },
    }),
    c.res,
  );
  return async (end) => {
    // The relay reports the provider's usage (also when the client did not ask for it).
    if (!(await ended) || end.status !== 200 || !end.usage) return null;
    return route === "chat"
      ? assembleChat(chunks as ChatCompletionChunk[], end.usage)
      : assembleCompletion(chunks as Completion[], end.usage);
  };
}

/** Stores `answer` (when there is one) under `key` for the directive's TTL. */
async function store(
  kv: KVNamespace,
  key: string,
  directive: CacheDirective,
  entry: Omit<CachedAnswer, "body">,
  body: Record<string, unknown> | null,
): Promise<void> {
  if (!body) return;
  const value: CachedAnswer = { ...entry, body };
  await kv.put(key, JSON.stringify(value), { expirationTtl: directive.ttlSeconds });
}

/** The cache step of the inference routes; off (status `none`) when no KV namespace is bound. */
export function responseCache({
  now = Date.now,
}: ResponseCacheOptions = {}): MiddlewareHandler<EdgeEnv> {
  return async function responseCacheHandler(c, next) {
    const config = settings(c).cache;
    if (!config) return next();
    const call = c.get("call");
    const { route, request } = c.get("inference");
    // The parsed request (after any redaction): the route has accepted it already.
    const body = request as unknown as Record<string, unknown>;
    const directive = readDirective(c.req.raw.headers, config);
    if (!isDeterministic(route, body) || (!directive.read && !directive.write)) {
      call.cacheStatus = "bypass";
      await next();
      setAnswerHeaders(c, { [CACHE_HEADER]: "bypass" });
      return;
    }
    const key = await cacheKey(c.get("principal").tenantId, route, body);
    if (directive.read) {
      const entry = await config.kv.get<CachedAnswer>(key, "json");
      if (entry && entry.route === route) {
        call.cacheStatus = "hit";
        call.end({ status: 200, usage: NO_USAGE, target: entry.target });
        return replay(entry, body, now());
      }
    }
    call.cacheStatus = "miss";
    await next();
    setAnswerHeaders(c, { [CACHE_HEADER]: "miss" });
    // Only complete successes are stored: never an error, never a partial answer.
    if (!directive.write || c.res.status !== 200) return;
    const entry = { route, target: c.res.headers.get(TARGET_HEADER), storedAt: now() };
    let answer: (end: CallEnd) => Promise<Record<string, unknown> | null>;
    if (c.res.headers.get("content-type")?.startsWith("text/event-stream")) {
      answer = recordStream(c, route);
    } else {
      const json = c.res.clone().json<Record<string, unknown>>();
      answer = () => json;
    }
    call.subscribe("caching", async (end) =>
      store(config.kv, key, directive, entry, await answer(end)),
    );
  };
}
