/** Embeddings through the gateway: floats from any provider, encoded as the client asked. */
import type { EmbeddingList, EmbeddingRequest } from "../../shared/api/schemas/embeddings.ts";
import { capabilityError, UpstreamError } from "../providers/errors.ts";
import { providers } from "../providers/registry.ts";
import { dispatch } from "../routing/dispatch.ts";
import type { RoutePlan } from "../routing/plan.ts";
import { type GatewayDeps, TARGET_HEADER } from "./deps.ts";
import type { Served } from "./served.ts";
import { readJson, sendUpstream } from "./upstream.ts";

/** Little-endian float32 bytes in base64, as OpenAI's `encoding_format: "base64"`. */
export function encodeBase64Floats(vector: number[]): string {
  const bytes = new Uint8Array(new Float32Array(vector).buffer);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Serves one embeddings request along `plan`. */
export async function createEmbeddings(
  req: EmbeddingRequest,
  plan: RoutePlan,
  deps: GatewayDeps,
): Promise<Served> {
  const { value, target } = await dispatch(
    plan,
    async ({ target, timeoutMs }) => {
      const provider = providers[target.provider];
      if (!provider.embeddings) throw capabilityError(provider.name, "embeddings");
      const call = provider.embeddings.request(req, target);
      const upstream = await sendUpstream(provider, call, target, timeoutMs, deps);
      const result = provider.embeddings.response(
        await readJson(provider.name, upstream, timeoutMs),
      );
      if (result.vectors.length === 0) {
        throw new UpstreamError(provider.name, "network", "the answer held no embeddings");
      }
      return result;
    },
    deps,
  );
  const base64 = req.encoding_format === "base64";
  const body: EmbeddingList = {
    object: "list",
    data: value.vectors.map((vector, index) => ({
      object: "embedding",
      index,
      embedding: base64 ? encodeBase64Floats(vector) : vector,
    })),
    model: target.id,
    usage: { prompt_tokens: value.promptTokens, total_tokens: value.promptTokens },
  };
  const usage = {
    prompt_tokens: value.promptTokens,
    completion_tokens: 0,
    total_tokens: value.promptTokens,
  };
  return {
    response: Response.json(body, { headers: { [TARGET_HEADER]: target.id } }),
    end: Promise.resolve({ status: 200, usage, target: target.id }),
  };
}
