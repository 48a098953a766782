/**
 * Azure OpenAI: OpenAI's format on a resource of the customer's (`AZURE_BASE_URL`, e.g.
 * `https://my-resource.openai.azure.com`), each model a deployment named by the target
 * (`azure/<deployment>`), every call with an `api-version` (add `?api-version=…` to the base URL
 * to pin another) and an `api-key` header. The deployment fixes the model, so `model` is not
 * sent; deployments are not listed (the resource's model list says nothing of them).
 */
import type { Endpoint } from "../openai-compatible/endpoint.ts";
import { createOpenAiCompatibleProvider } from "../openai-compatible/index.ts";

/** The generally available API version used unless the base URL names one. */
export const AZURE_API_VERSION = "2024-10-21";

const azureEndpoint: Endpoint = ({ baseUrl, apiKey }, route, deployment = "") => {
  const base = new URL(baseUrl);
  const version = base.searchParams.get("api-version") ?? AZURE_API_VERSION;
  const root = `${base.origin}${base.pathname.replace(/\/+$/, "")}`;
  const path =
    route === "models"
      ? "/openai/models"
      : `/openai/deployments/${encodeURIComponent(deployment)}/${route}`;
  return {
    url: `${root}${path}?api-version=${encodeURIComponent(version)}`,
    headers: { "api-key": apiKey },
  };
};

const withoutModel = ({ model: _, ...body }: Record<string, unknown>) => body;

export const azure = createOpenAiCompatibleProvider({
  name: "azure",
  // No public default: every resource has its own host.
  defaultBaseUrl: "",
  endpoint: azureEndpoint,
  listsModels: false,
  chat: { body: withoutModel },
  embeddings: { body: withoutModel },
});
