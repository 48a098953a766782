/**
 * Mistral on the OpenAI-compatible base: `random_seed` instead of `seed`, no `developer` role,
 * no logprobs, usage always on the last chunk, and `finish_reason: "error"` for in-band failures.
 */
import { capabilityError } from "../errors.ts";
import { createOpenAiCompatibleProvider } from "../openai-compatible/index.ts";

export const mistral = createOpenAiCompatibleProvider({
  name: "mistral",
  defaultBaseUrl: "https://api.mistral.ai",
  chat: {
    streamOptions: false,
    body(body, req) {
      if (req.logprobs) throw capabilityError("mistral", "logprobs");
      const {
        seed,
        max_completion_tokens,
        user: _user,
        logprobs: _l,
        top_logprobs: _t,
        ...rest
      } = body;
      const messages = req.messages.map((m) =>
        m.role === "developer" ? { ...m, role: "system" } : m,
      );
      return {
        ...rest,
        messages,
        ...(seed !== undefined && seed !== null ? { random_seed: seed } : {}),
        ...(max_completion_tokens ? { max_tokens: max_completion_tokens } : {}),
      };
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
