/**
 * Chat completions through the gateway: plan → dispatch → the provider's adapter, plain JSON
 * or an SSE stream re-encoded as OpenAI chunks ending in `[DONE]`.
 */

import { chatChunk } from "../../shared/api/openai-shapes.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
} from "../../shared/api/schemas/chat.ts";
import type { RoutePlan } from "../routing/plan.ts";
import type { GatewayDeps } from "./deps.ts";
import { type GenerationKind, serveGeneration } from "./generation.ts";
import type { StreamKind } from "./relay.ts";
import type { Served } from "./served.ts";

/** Chat chunks for the relay. */
export const chatStreamKind: StreamKind<ChatCompletionChunk> = {
  meaningful: (chunk) =>
    chunk.choices.some(
      (c) => !!c.delta.content || !!c.delta.tool_calls?.length || c.finish_reason !== null,
    ),
  usageChunk: (ctx, usage) => chatChunk(ctx, [], usage),
};

const chatKind: GenerationKind<ChatCompletionRequest, ChatCompletion, ChatCompletionChunk> = {
  idPrefix: "chatcmpl-",
  capability: "chat completions",
  adapter: (provider) => provider.chat,
  streamKind: chatStreamKind,
};

/** Serves one chat completion request along `plan`. */
export function createChatCompletion(
  req: ChatCompletionRequest,
  plan: RoutePlan,
  deps: GatewayDeps,
): Promise<Served> {
  return serveGeneration(chatKind, req, plan, deps);
}
