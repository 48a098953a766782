import type { OpenAPIHono } from "@hono/zod-openapi";
import {
  assistantChoice,
  chatChunk,
  chatCompletion,
  choiceEndChunks,
  chunkChoice,
  type ResponseContext,
} from "../../../shared/api/openai-shapes.ts";
import { chatCompletionsRoute } from "../../../shared/api/routes.ts";
import { randomId } from "../../../shared/auth/api-keys.ts";
import { refuseImages } from "../../inference/chat-format.ts";
import type { GenerationOptions } from "../../inference/engine/index.ts";
import type { GeneratedToolCall } from "../../inference/tools.ts";
import { tracedGeneration } from "../../tracing/spans.ts";
import { requireScope } from "../middleware/auth.ts";
import { servedBy } from "../served-by.ts";
import { requestSignal, streamGeneration } from "../streaming.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

function toToolCall(call: GeneratedToolCall) {
  return {
    id: call.id,
    type: "function" as const,
    function: { name: call.name, arguments: call.arguments },
  };
}

/** Mounts `POST /v1/chat/completions`. */
export function mountChatRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  { engine, config }: ApplianceServices,
): void {
  app.use(chatCompletionsRoute.path, requireScope("inference"));
  app.openapi(chatCompletionsRoute, async (c) => {
    const req = c.req.valid("json");
    // Queue wait, prompt processing and generation spans when the request is traced.
    const generate = tracedGeneration(c.get("trace"), (options: GenerationOptions) =>
      engine.chat(req, options),
    );
    refuseImages(req.messages);
    const id = `chatcmpl-${randomId()}`;
    const created = Math.floor(Date.now() / 1000);
    const timeout = config.inference.requestTimeoutMs;
    const ctx = (model: string): ResponseContext => ({
      id,
      created,
      model,
      systemFingerprint: null,
    });
    if (!req.stream) {
      const { signal } = requestSignal(c, timeout);
      const result = await generate({ signal });
      servedBy(c, result.model, result.provenance);
      c.set("usage", result.usage);
      const choices = result.choices.map((choice, index) =>
        assistantChoice(
          index,
          choice.toolCalls && !choice.text ? null : choice.text,
          choice.toolCalls?.map(toToolCall),
          choice.finishReason,
          { refusal: null },
        ),
      );
      return c.json(chatCompletion(ctx(result.model), choices, result.usage), 200);
    }
    // With include_usage, every chunk but the last carries `usage: null`, as OpenAI's do.
    const usage = req.stream_options?.include_usage === true ? null : undefined;
    let model = req.model;
    return streamGeneration(c, timeout, generate, {
      start: (m) => {
        model = m;
        return Array.from({ length: req.n ?? 1 }, (_, index) =>
          chatChunk(ctx(model), [chunkChoice(index, { role: "assistant", content: "" })], usage),
        );
      },
      text: (index, text) => chatChunk(ctx(model), [chunkChoice(index, { content: text })], usage),
      end: (result) => [
        ...result.choices.flatMap((choice, index) =>
          choiceEndChunks(
            ctx(model),
            index,
            choice.toolCalls?.map(toToolCall),
            choice.finishReason,
            usage,
          ),
        ),
        ...(usage === null ? [chatChunk(ctx(model), [], result.usage)] : []),
      ],
    }) as never;
  });
}
