/**
 * Mistral on the OpenAI-compatible base. Mistral refuses any field it does not know with a 422
 * (`extra_forbidden`), so the chat body is built from the fields it takes, not by removing the
 * ones it does not: `random_seed` instead of `seed`, `max_tokens` for `max_completion_tokens`,
 * no `developer` role, no `name` outside tool messages, no `stream_options` (usage always comes
 * on the last chunk), no `user`, no logprobs; `finish_reason: "error"` for in-band failures.
 */
import type { ChatMessage } from "../../../shared/api/schemas/chat.ts";
import { capabilityError } from "../errors.ts";
import { createOpenAiCompatibleProvider } from "../openai-compatible/index.ts";

/** OpenAI chat fields Mistral takes under the same name and meaning. */
const sentAsIs = [
  "model",
  "temperature",
  "top_p",
  "max_tokens",
  "n",
  "stop",
  "stream",
  "presence_penalty",
  "frequency_penalty",
  "response_format",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
] as const;

/** A message as Mistral takes it: its role set, `name` only on tool messages. */
function mistralMessage(message: ChatMessage): Record<string, unknown> {
  if (message.role === "tool") return message;
  const { name: _name, ...rest } = message;
  return message.role === "developer" ? { ...rest, role: "system" } : rest;
}

export const mistral = createOpenAiCompatibleProvider({
  name: "mistral",
  defaultBaseUrl: "https://api.mistral.ai",
  chat: {
    streamOptions: false,
    body(body, req) {
      if (req.logprobs) throw capabilityError("mistral", "logprobs");
      const out: Record<string, unknown> = {};
      for (const key of sentAsIs) if (body[key] != null) out[key] = body[key];
      out.messages = req.messages.map(mistralMessage);
      if (req.seed != null) out.random_seed = req.seed;
      if (req.max_completion_tokens != null) out.max_tokens = req.max_completion_tokens;
      return out;
    },
    finishReason: (reason) => (reason === "model_length" ? "length" : reason),
  },
  embeddings: {
    body(body, req) {
      if (typeof req.input !== "string" && typeof req.input[0] !== "string") {
        throw capabilityError("mistral", "token-array embedding input");
      }
      const { dimensions, user: _user, ...rest } = body;
      return { ...rest, ...(dimensions ? { output_dimension: dimensions } : {}) };
    },
  },
});
