import type { OpenAPIHono } from "@hono/zod-openapi";
import { chatCompletionsRoute } from "../../../shared/api/routes.ts";
import type { ChatCompletion, ChatCompletionChunk } from "../../../shared/api/schemas/chat.ts";
import { randomId } from "../../../shared/auth/api-keys.ts";
import type { GeneratedToolCall } from "../../inference/tools.ts";
import { requireScope } from "../middleware/auth.ts";
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
    const id = `chatcmpl-${randomId()}`;
    const created = Math.floor(Date.now() / 1000);
    const timeout = config.inference.requestTimeoutMs;
    if (!req.stream) {
      const { signal } = requestSignal(c, timeout);
      const result = await engine.chat(req, { signal });
      c.set("model", result.model);
      c.set("usage", result.usage);
      const body: ChatCompletion = {
        id,
        object: "chat.completion",
        created,
        model: result.model,
        system_fingerprint: null,
        choices: result.choices.map((choice, index) => ({
          index,
          message: {
            role: "assistant",
            content: choice.toolCalls && !choice.text ? null : choice.text,
            refusal: null,
            ...(choice.toolCalls ? { tool_calls: choice.toolCalls.map(toToolCall) } : {}),
          },
          logprobs: null,
          finish_reason: choice.finishReason,
        })),
        usage: result.usage,
      };
      return c.json(body, 200);
    }
    const chunk = (
      model: string,
      choices: ChatCompletionChunk["choices"],
      usage?: ChatCompletionChunk["usage"],
    ) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      system_fingerprint: null,
      choices,
      ...(usage !== undefined ? { usage } : {}),
    });
    const includeUsage = req.stream_options?.include_usage === true;
    let model = req.model;
    return streamGeneration(c, timeout, (options) => engine.chat(req, options), {
      start: (m) => {
        model = m;
        return Array.from({ length: req.n ?? 1 }, (_, index) =>
          chunk(
            model,
            [
              {
                index,
                delta: { role: "assistant", content: "" },
                logprobs: null,
                finish_reason: null,
              },
            ],
            includeUsage ? null : undefined,
          ),
        );
      },
      text: (index, text) =>
        chunk(
          model,
          [{ index, delta: { content: text }, logprobs: null, finish_reason: null }],
          includeUsage ? null : undefined,
        ),
      end: (result) => [
        ...result.choices.flatMap((choice, index) => [
          ...(choice.toolCalls
            ? [
                chunk(
                  model,
                  [
                    {
                      index,
                      delta: {
                        tool_calls: choice.toolCalls.map((call, i) => ({
                          index: i,
                          ...toToolCall(call),
                        })),
                      },
                      logprobs: null,
                      finish_reason: null,
                    },
                  ],
                  includeUsage ? null : undefined,
                ),
              ]
            : []),
          chunk(
            model,
            [{ index, delta: {}, logprobs: null, finish_reason: choice.finishReason }],
            includeUsage ? null : undefined,
          ),
        ]),
        ...(includeUsage ? [chunk(model, [], result.usage)] : []),
      ],
    }) as never;
  });
}
