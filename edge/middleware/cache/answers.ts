/**
 * A cached answer is the complete (non-streamed) response body. A streamed miss is assembled
 * into that form from the chunks the client was sent; a hit asked for as a stream is replayed
 * from it as OpenAI chunks (role, content, tool calls, finish reason, optional usage, `[DONE]`).
 * One form for both means a streamed answer serves a plain request and the other way round.
 * Assembly and replay are the shared OpenAI shapes' (shared/api/openai-shapes.ts).
 */
import type { CachedRoute } from "./key.ts";

/** What the cache stores for one request. */
export interface CachedAnswer {
  route: CachedRoute;
  /** The response body as first sent (ChatCompletion, Completion or EmbeddingList). */
  body: Record<string, unknown>;
  /** The target that answered (`provider/model`). */
  target: string | null;
  /** When it was stored (ms since the epoch), for the `age` header. */
  storedAt: number;
}
