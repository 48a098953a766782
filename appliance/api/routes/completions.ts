import type { OpenAPIHono } from "@hono/zod-openapi";
import { textCompletion } from "../../../shared/api/openai-shapes.ts";
import { completionsRoute } from "../../../shared/api/routes.ts";
import type { Usage } from "../../../shared/api/schemas/common.ts";
import type { Completion } from "../../../shared/api/schemas/completions.ts";
import { randomId } from "../../../shared/auth/api-keys.ts";
import type { GenerationOptions } from "../../inference/engine/index.ts";
import { tracedGeneration } from "../../tracing/spans.ts";
import { requireScope } from "../middleware/auth.ts";
import { servedBy } from "../served-by.ts";
import { requestSignal, streamGeneration } from "../streaming.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

/** Mounts `POST /v1/completions`. */
export function mountCompletionRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  { engine, config }: ApplianceServices,
): void {
  app.use(completionsRoute.path, requireScope("inference"));
  app.openapi(completionsRoute, async (c) => {
    const req = c.req.valid("json");
    // Queue wait, prompt processing and generation spans when the request is traced.
    const generate = tracedGeneration(c.get("trace"), (options: GenerationOptions) =>
      engine.complete(req, options),
    );
    const id = `cmpl-${randomId()}`;
    const created = Math.floor(Date.now() / 1000);
    const timeout = config.inference.requestTimeoutMs;
    const body = (model: string, choices: Completion["choices"], usage?: Usage) =>
      textCompletion({ id, created, model }, choices, usage);
    if (!req.stream) {
      const { signal } = requestSignal(c, timeout);
      const result = await generate({ signal });
      servedBy(c, result.model, result.provenance);
      c.set("usage", result.usage);
      return c.json(
        body(
          result.model,
          result.choices.map((choice, index) => ({
            index,
            text: choice.text,
            logprobs: null,
            finish_reason: choice.finishReason,
          })),
          result.usage,
        ),
        200,
      );
    }
    let model = req.model;
    return streamGeneration(c, timeout, generate, {
      start: (m) => {
        model = m;
        return [];
      },
      // Chunks carry a null finish reason until the last; the schema's type has no null.
      text: (index, text) =>
        body(model, [{ index, text, logprobs: null, finish_reason: null as never }]),
      end: (result) => [
        ...result.choices.map((choice, index) =>
          body(model, [{ index, text: "", logprobs: null, finish_reason: choice.finishReason }]),
        ),
        ...(req.stream_options?.include_usage ? [body(model, [], result.usage)] : []),
      ],
    }) as never;
  });
}
