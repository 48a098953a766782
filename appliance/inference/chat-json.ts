import type { ChatCompletionRequest } from "../../shared/api/schemas/chat.ts";
import type { Engine, GenerationOptions } from "./engine/index.ts";

/**
 * Asks a model for JSON that follows `schema` (grammar-enforced, validated and re-sampled by the
 * engine) and returns it parsed: what LLM-as-judge steps and metrics build on.
 */
export async function chatForJson(
  engine: Pick<Engine, "chat">,
  request: Omit<ChatCompletionRequest, "response_format" | "stream">,
  schema: Record<string, unknown>,
  options: GenerationOptions,
): Promise<unknown> {
  const result = await engine.chat(
    {
      ...request,
      response_format: { type: "json_schema", json_schema: { name: "verdict", schema } },
    },
    options,
  );
  return JSON.parse(result.choices[0]?.text ?? "null") as unknown;
}
