/** OpenAI embeddings ↔ Cohere `POST /v2/embed` (floats; texts only). */
import type { EmbeddingRequest } from "../../../shared/api/schemas/embeddings.ts";
import { capabilityError } from "../errors.ts";
import type { EmbeddingsAdapter, Target } from "../types.ts";

export const cohereEmbeddings: EmbeddingsAdapter = {
  request(req: EmbeddingRequest, target: Target) {
    const texts = typeof req.input === "string" ? [req.input] : req.input;
    if (texts.some((t) => typeof t !== "string")) {
      throw capabilityError("cohere", "token-array embedding input");
    }
    return {
      url: `${target.baseUrl}/v2/embed`,
      method: "POST",
      headers: { authorization: `Bearer ${target.apiKey}` },
      body: {
        model: target.model,
        texts,
        // OpenAI has no input type; documents is the neutral choice for stored vectors.
        input_type: "search_document",
        embedding_types: ["float"],
        ...(req.dimensions ? { output_dimension: req.dimensions } : {}),
      },
    };
  },
  response(raw: unknown) {
    const body = raw as {
      embeddings?: { float?: number[][] };
      meta?: { billed_units?: { input_tokens?: number } };
    };
    return {
      vectors: body.embeddings?.float ?? [],
      promptTokens: body.meta?.billed_units?.input_tokens ?? 0,
    };
  },
};
