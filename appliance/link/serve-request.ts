/**
 * Serves one request that came down the link by handing it to the appliance's own HTTP app
 * in-process: the same routes, queue, limits and engine as a local client, no copy. The answer
 * goes back as a response head, body chunks as they are produced, and an end.
 */
import { MODEL_SHA256_HEADER, MODEL_VERSION_HEADER } from "../../shared/api/model-headers.ts";
import type { Frame, FrameOf } from "../../shared/protocol/index.ts";

/** Answers a request as the HTTP app does (`app.fetch` with the link's trusted principal). */
export type ServeRequest = (request: Request) => Promise<Response>;

/**
 * Body pieces produced within this window go up as one chunk frame: a frame per token costs
 * the edge more than the token (measured by bench/link-overhead), a few ms of delay does not.
 */
const COALESCE_MS = 15;

/** Headers worth carrying back to the edge. */
const KEPT_HEADERS = [
  "content-type",
  "retry-after",
  "x-request-id",
  MODEL_VERSION_HEADER,
  MODEL_SHA256_HEADER,
];

/**
 * Runs `frame` through `serve`, sending frames with `send`. Aborting `signal` (a cancel frame, a
 * dropped link) cancels the generation the same way a local client going away does.
 */
export async function serveLinkRequest(
  frame: FrameOf<"request">,
  serve: ServeRequest,
  send: (frame: Frame) => void,
  signal: AbortSignal,
): Promise<void> {
  const { id } = frame;
  let seq = 0;
  const request = new Request(`http://link.internal${frame.path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      // The edge's attempt: the appliance's spans of this request join its trace.
      ...(frame.traceparent ? { traceparent: frame.traceparent } : {}),
    },
    body: JSON.stringify(frame.body),
    signal,
  });
  try {
    const res = await serve(request);
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = res.headers.get(name);
      if (value) headers[name] = value;
    }
    send({ type: "response", id, status: res.status, headers });
    if (res.body) {
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let pending = "";
      let timer: NodeJS.Timeout | undefined;
      const flush = () => {
        clearTimeout(timer);
        timer = undefined;
        if (pending && !signal.aborted) send({ type: "chunk", id, data: pending, seq: seq++ });
        pending = "";
      };
      const stop = () => void reader.cancel().catch(() => {});
      signal.addEventListener("abort", stop, { once: true });
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done || signal.aborted) break;
          pending += decoder.decode(value, { stream: true });
          timer ??= setTimeout(flush, COALESCE_MS);
        }
      } finally {
        signal.removeEventListener("abort", stop);
      }
      pending += decoder.decode();
      flush();
    }
    if (!signal.aborted) send({ type: "end", id, chunks: seq });
  } catch (err) {
    if (signal.aborted) return; // cancelled: nobody waits for an answer
    const message = err instanceof Error ? err.message : String(err);
    send({ type: "error", id, code: "appliance_error", message });
  }
}
