/** Legacy text completions through the gateway (providers that still offer them). */

import type { Completion, CompletionRequest } from "../../shared/api/schemas/completions.ts";
import { randomId } from "../../shared/auth/api-keys.ts";
import { capabilityError } from "../providers/errors.ts";
import { providers } from "../providers/registry.ts";
import type { ResponseContext } from "../providers/types.ts";
import { circuitKey, dispatch } from "../routing/dispatch.ts";
import type { RoutePlan } from "../routing/plan.ts";
import { type GatewayDeps, TARGET_HEADER } from "./deps.ts";
import { openStream, type StreamEnd, type StreamKind, streamResponse } from "./relay.ts";
import { readJson, sendUpstream } from "./upstream.ts";

const completionStreamKind: StreamKind<Completion> = {
  meaningful: (chunk) => chunk.choices.some((c) => !!c.text || c.finish_reason !== null),
  usageChunk: ({ id, created, model }, usage) => ({
    id,
    object: "text_completion",
    created,
    model,
    choices: [],
    usage,
  }),
};

/** Serves one legacy completion request along `plan`. */
export async function createCompletion(
  req: CompletionRequest,
  plan: RoutePlan,
  deps: GatewayDeps,
  onStreamEnd?: StreamEnd,
): Promise<Response> {
  const contextFor = (model: string): ResponseContext => ({
    id: `cmpl-${randomId()}`,
    created: Math.floor(deps.now() / 1000),
    model,
  });
  const adapterOf = (name: keyof typeof providers) => {
    const adapter = providers[name].completions;
    if (!adapter) throw capabilityError(name, "legacy completions (/v1/completions)");
    return adapter;
  };
  if (req.stream) {
    const { value, target } = await dispatch(
      plan,
      ({ target, timeoutMs }) => {
        const adapter = adapterOf(target.provider);
        const ctx = contextFor(target.id);
        const provider = providers[target.provider];
        const call = adapter.request(req, target);
        return openStream(
          provider,
          call,
          adapter.stream(ctx),
          ctx,
          completionStreamKind,
          timeoutMs,
          deps,
        );
      },
      deps,
    );
    const includeUsage = req.stream_options?.include_usage === true;
    return streamResponse(
      value,
      completionStreamKind,
      includeUsage,
      target,
      () => deps.breaker.failure(circuitKey(target), plan.breaker),
      onStreamEnd,
    );
  }
  const { value, target } = await dispatch(
    plan,
    async ({ target, timeoutMs }) => {
      const adapter = adapterOf(target.provider);
      const provider = providers[target.provider];
      const upstream = await sendUpstream(provider, adapter.request(req, target), timeoutMs, deps);
      return adapter.response(
        await readJson(provider.name, upstream, timeoutMs),
        contextFor(target.id),
      );
    },
    deps,
  );
  return Response.json(value, { headers: { [TARGET_HEADER]: target.id } });
}
