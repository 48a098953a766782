import type { Token } from "node-llama-cpp";
import { ApiError, invalidRequest } from "../../../shared/api/errors.ts";
import type { EmbeddingRequest } from "../../../shared/api/schemas/embeddings.ts";
import { provenanceOf } from "../../store/queries/models.ts";
import type { ModelLease } from "../loaded-model.ts";
import type { EmbeddingResult } from "./types.ts";

/** The inputs of an embedding request: texts or token arrays. */
function embeddingInputs(req: EmbeddingRequest): (string | Token[])[] {
  if (typeof req.input === "string") return [req.input];
  if (typeof req.input[0] === "number") return [req.input as Token[]];
  return req.input as (string | Token[])[];
}

/** Embeds each input on its own with the leased model, so a batch equals its texts alone. */
export async function runEmbedding(
  lease: ModelLease,
  req: EmbeddingRequest,
): Promise<EmbeddingResult> {
  const { loaded } = lease;
  const vectors: number[][] = [];
  let promptTokens = 0;
  for (const [index, input] of embeddingInputs(req).entries()) {
    const tokens = typeof input === "string" ? loaded.model.tokenize(input) : input;
    if (tokens.length > loaded.contextSize) {
      throw new ApiError(
        400,
        `input ${index} has ${tokens.length} tokens; this model embeds at most ${loaded.contextSize}.`,
        { param: "input", code: "context_length_exceeded" },
      );
    }
    promptTokens += tokens.length;
    const embedding = await loaded.withEmbedding((ctx) => ctx.getEmbeddingFor(input));
    vectors.push([...embedding.vector]);
  }
  const dims = vectors[0]?.length ?? 0;
  if (req.dimensions !== undefined && req.dimensions !== dims) {
    throw invalidRequest(
      `This model's embeddings have ${dims} dimensions; dimensions=${req.dimensions} is not available.`,
      "dimensions",
    );
  }
  return { model: lease.row.name, provenance: provenanceOf(lease.row), vectors, promptTokens };
}
