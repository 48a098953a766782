/**
 * The headers with which an appliance names the exact local model that answered a call: its
 * version and the sha256 of its GGUF file. Clients may read them; the edge records them on the
 * usage row of a call a site answered.
 */
import type { ModelProvenance } from "../db/schema/index.ts";

export const MODEL_VERSION_HEADER = "x-textnlp-model-version";
export const MODEL_SHA256_HEADER = "x-textnlp-model-sha256";

/** What a usage row records of the model that answered. */
export interface ServedVersion {
  targetVersion: number;
  targetSha256: string;
}

/** The headers of a local model's answer. */
export function modelHeaders(served: ModelProvenance): Record<string, string> {
  if (served.version === null || served.sha256 === null) return {};
  return { [MODEL_VERSION_HEADER]: String(served.version), [MODEL_SHA256_HEADER]: served.sha256 };
}

/** The version an answer's headers name, when both are there and well formed. */
export function servedVersionOf(headers: Headers): ServedVersion | undefined {
  const version = Number(headers.get(MODEL_VERSION_HEADER));
  const sha256 = headers.get(MODEL_SHA256_HEADER) ?? "";
  if (!Number.isInteger(version) || version < 1 || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  return { targetVersion: version, targetSha256: sha256 };
}
