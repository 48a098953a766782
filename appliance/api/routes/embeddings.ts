import type { OpenAPIHono } from "@hono/zod-openapi";
import { embeddingsRoute } from "../../../shared/api/routes.ts";
import { requireScope } from "../middleware/auth.ts";
import { servedBy } from "../served-by.ts";
import type { ApplianceEnv, ApplianceServices } from "../types.ts";

/** Little-endian float32 bytes as base64, the way OpenAI encodes `encoding_format: base64`. */
function toBase64Float32(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

/** Mounts `POST /v1/embeddings`. */
export function mountEmbeddingRoutes(
  app: OpenAPIHono<ApplianceEnv>,
  { engine }: ApplianceServices,
): void {
  app.use(embeddingsRoute.path, requireScope("inference"));
  app.openapi(embeddingsRoute, async (c) => {
    const req = c.req.valid("json");
    const { model, provenance, vectors, promptTokens } = await engine.embed(req);
    servedBy(c, model, provenance);
    c.set("usage", {
      prompt_tokens: promptTokens,
      completion_tokens: 0,
      total_tokens: promptTokens,
    });
    const base64 = req.encoding_format === "base64";
    return c.json(
      {
        object: "list" as const,
        data: vectors.map((vector, index) => ({
          object: "embedding" as const,
          index,
          embedding: base64 ? toBase64Float32(vector) : vector,
        })),
        model,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      },
      200,
    );
  });
}
