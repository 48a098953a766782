import type { Context } from "hono";
import { modelHeaders } from "../../shared/api/model-headers.ts";
import type { ModelProvenance } from "../../shared/db/schema/index.ts";
import type { ApplianceEnv } from "./types.ts";

/**
 * Notes the model that answered a generating call, under the name it answered as: for the usage
 * row and the per-version metrics, and in the answer's headers (version and sha256).
 */
export function servedBy(c: Context<ApplianceEnv>, model: string, served: ModelProvenance): void {
  c.set("model", model);
  c.set("provenance", served);
  for (const [name, value] of Object.entries(modelHeaders(served))) c.header(name, value);
}
