/**
 * Chat completions through the gateway: plan → dispatch → the provider's adapter, plain JSON
 * or an SSE stream re-encoded as OpenAI chunks ending in `[DONE]`.
 */

import type { ChatCompletionChunk, ChatCompletionRequest } from "../../shared/api/schemas/chat.ts";
import { randomId } from "../../shared/auth/api-keys.ts";
import { capabilityError, UpstreamError } from "../providers/errors.ts";
import { providers } from "../providers/registry.ts";
import type { ResponseContext } from "../providers/types.ts";
import { circuitKey, dispatch } from "../routing/dispatch.ts";
import type { RoutePlan } from "../routing/plan.ts";
import { type GatewayDeps, TARGET_HEADER } from "./deps.ts";
import { openStream, type StreamEnd, type StreamKind, streamResponse } from "./relay.ts";
import { readJson, sendUpstream } from "./upstream.ts";

/** Chat chunks for the relay. */
export const chatStreamKind: StreamKind<ChatCompletionChunk> = {
  meaningful: (chunk) =>
    chunk.choices.some(
      (c) => !!c.delta.content || !!c.delta.tool_calls?.length || c.finish_reason !== null,
    ),
  usageChunk: ({ id, created, model }, usage) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices: [],
    usage,
  }),
};

/** Serves one chat completion request along `plan`. */
export async function createChatCompletion(
  req: ChatCompletionRequest,
  plan: RoutePlan,
  deps: GatewayDeps,
  onStreamEnd?: StreamEnd,
): Promise<Response> {
  const contextFor = (model: string): ResponseContext => ({
    id: `chatcmpl-${randomId()}`,
    created: Math.floor(deps.now() / 1000),
    model,
  });
  if (req.stream) {
    const { value, target } = await dispatch(
      plan,
      ({ target, timeoutMs }) => {
        const provider = providers[target.provider];
        if (!provider.chat) throw capabilityError(provider.name, "chat completions");
        const ctx = contextFor(target.id);
        const call = provider.chat.request(req, target);
        return openStream(
          provider,
          call,
          provider.chat.stream(ctx),
          ctx,
          chatStreamKind,
          timeoutMs,
          deps,
        );
      },
      deps,
    );
    const includeUsage = req.stream_options?.include_usage === true;
    return streamResponse(
      value,
      chatStreamKind,
      includeUsage,
      target,
      () => deps.breaker.failure(circuitKey(target), plan.breaker),
      onStreamEnd,
    );
  }
  const { value, target } = await dispatch(
    plan,
    async ({ target, timeoutMs }) => {
      const provider = providers[target.provider];
      if (!provider.chat) throw capabilityError(provider.name, "chat completions");
      const call = provider.chat.request(req, target);
      const upstream = await sendUpstream(provider, call, timeoutMs, deps);
      const body = await readJson(provider.name, upstream, timeoutMs);
      try {
        return provider.chat.response(body, contextFor(target.id));
      } catch (err) {
        if (err instanceof UpstreamError) throw err;
        throw new UpstreamError(provider.name, "network", "unreadable answer", { cause: err });
      }
    },
    deps,
  );
  return Response.json(value, { headers: { [TARGET_HEADER]: target.id } });
}
