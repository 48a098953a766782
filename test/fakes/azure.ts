/**
 * Azure OpenAI's wire format: OpenAI's bodies on `/openai/deployments/<deployment>/<route>`,
 * every call with an `api-version` query and an `api-key` header (a bearer token is not a key
 * here), Azure's own 401 and 404 bodies, and streams that open with a `prompt_filter_results`
 * chunk without choices, as Azure's content filter sends it.
 */
import type { ServerResponse } from "node:http";
import { openAiHandler } from "./openai.ts";
import { sendJson } from "./scenario.ts";
import { type FakeHandler, type FakeServer, startFakeServer } from "./server.ts";

const ROUTE = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

/** The chunk Azure streams first: the prompt's content-filter results, no choices. */
const promptFilterChunk = {
  choices: [],
  created: 0,
  id: "",
  model: "",
  object: "",
  prompt_filter_results: [
    {
      prompt_index: 0,
      content_filter_results: {
        hate: { filtered: false, severity: "safe" },
        self_harm: { filtered: false, severity: "safe" },
        sexual: { filtered: false, severity: "safe" },
        violence: { filtered: false, severity: "safe" },
      },
    },
  ],
};

/** Writes Azure's first chunk ahead of the first event of a stream `res` sends. */
function withPromptFilter(res: ServerResponse): ServerResponse {
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  let first = true;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    // Only a stream's writes are events (a JSON answer goes out with `end`).
    if (first && /^data:/.test(String(chunk))) {
      write(`data: ${JSON.stringify(promptFilterChunk)}\n\n`);
    }
    first = false;
    return write(chunk, ...rest);
  }) as ServerResponse["write"];
  return res;
}

/** A request handler speaking Azure OpenAI, checking `api-key: <apiKey>`. */
export function azureHandler(apiKey: string): FakeHandler {
  const openai = openAiHandler("azure", apiKey);
  return async (req, res, count) => {
    if (req.headers["api-key"] !== apiKey) {
      return sendJson(res, 401, {
        error: {
          code: "401",
          message:
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
        },
      });
    }
    const route = ROUTE.exec(req.path);
    if (req.method !== "POST" || !route || !req.query.get("api-version")) {
      return sendJson(res, 404, { error: { code: "404", message: "Resource not found" } });
    }
    const deployment = decodeURIComponent(route[1] ?? "");
    // The deployment is the model: a `model` in the body is ignored, as Azure ignores it.
    return openai(
      {
        ...req,
        path: `/v1/${route[2]}`,
        headers: { ...req.headers, authorization: `Bearer ${apiKey}` },
        body: { ...req.body, model: deployment },
      },
      withPromptFilter(res),
      count,
    );
  };
}

/** Starts a fake Azure OpenAI resource on loopback. */
export function startFakeAzure(apiKey: string): Promise<FakeServer> {
  return startFakeServer(azureHandler(apiKey));
}
