/** Legacy text completions through the gateway (providers that still offer them). */

import { textCompletion } from "../../shared/api/openai-shapes.ts";
import type { Completion, CompletionRequest } from "../../shared/api/schemas/completions.ts";
import type { RoutePlan } from "../routing/plan.ts";
import type { GatewayDeps } from "./deps.ts";
import { type GenerationKind, serveGeneration } from "./generation.ts";
import type { StreamKind } from "./relay.ts";
import type { Served } from "./served.ts";

const completionStreamKind: StreamKind<Completion> = {
  meaningful: (chunk) => chunk.choices.some((c) => !!c.text || c.finish_reason !== null),
  usageChunk: (ctx, usage) => textCompletion(ctx, [], usage),
};

const completionKind: GenerationKind<CompletionRequest, Completion, Completion> = {
  idPrefix: "cmpl-",
  capability: "legacy completions (/v1/completions)",
  adapter: (provider) => provider.completions,
  streamKind: completionStreamKind,
};

/** Serves one legacy completion request along `plan`. */
export function createCompletion(
  req: CompletionRequest,
  plan: RoutePlan,
  deps: GatewayDeps,
): Promise<Served> {
  return serveGeneration(completionKind, req, plan, deps);
}
