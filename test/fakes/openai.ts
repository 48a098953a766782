/**
 * OpenAI's wire format (and Mistral's and AI21's, which differ in error shape, the fields they
 * take and usage on every stream's last chunk): chat completions plain and streamed,
 * embeddings, models.
 */
import type { ServerResponse } from "node:http";
import { ai21ChatErrors, ai21ErrorBody } from "./ai21.ts";
import { openAiChatFields, unknownField } from "./fields.ts";
import { isHttpUrl, isImageDataUri } from "./images.ts";
import { mistralChatErrors, mistralValidationBody } from "./mistral.ts";
import { handleCompletions } from "./openai-completions.ts";
import {
  contentText,
  countTokens,
  cutJsonAnswer,
  embeddingOf,
  fakeToolCall,
  inputFor,
  type JsonSchema,
  type LiveScenario,
  lastUserText,
  playScenario,
  replyPieces,
  replyText,
  retryHeaders,
  sendJson,
  startSse,
  streamPieces,
  writeSse,
} from "./scenario.ts";
import { type FakeHandler, type FakeServer, startFakeServer } from "./server.ts";

/** Which dialect of the OpenAI format to speak (Azure's is OpenAI's, behind its own paths). */
export type OpenAiFlavor = "openai" | "mistral" | "azure" | "ai21";

/** Flavors with their own request model, error shape and usage on every stream's last chunk. */
const strict = (flavor: OpenAiFlavor) => flavor === "mistral" || flavor === "ai21";

const errorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "invalid_request_error",
  404: "invalid_request_error",
  429: "rate_limit_exceeded",
  500: "server_error",
  503: "server_error",
};

function sendError(
  res: ServerResponse,
  flavor: OpenAiFlavor,
  status: number,
  message: string,
  retryAfter = 1,
) {
  const type = errorTypes[status] ?? "server_error";
  // Mistral's 422s are pydantic validation errors, their detail inside `message`.
  if (flavor === "ai21") {
    const detail =
      status === 422
        ? [{ type: "value_error", loc: ["body"], msg: message, input: null }]
        : message;
    return sendJson(res, status, ai21ErrorBody(detail), retryHeaders(status, retryAfter));
  }
  const body =
    flavor === "mistral" && status === 422
      ? mistralValidationBody([
          { type: "extra_forbidden", loc: ["body", "fake"], msg: message, input: null },
        ])
      : flavor === "mistral"
        ? { object: "error", message, type, param: null, code: String(status) }
        : {
            error: { message, type, param: null, code: status === 401 ? "invalid_api_key" : null },
          };
  sendJson(res, status, body, retryHeaders(status, retryAfter));
}

interface Message {
  role: string;
  content?: unknown;
}

/** OpenAI's 400 for the first image part it would refuse (not a URL nor a base64 image URI). */
function openAiImageError(messages: Message[]): string | undefined {
  for (const [i, message] of messages.entries()) {
    if (!Array.isArray(message.content)) continue;
    for (const [j, part] of (message.content as Record<string, unknown>[]).entries()) {
      if (part.type !== "image_url") continue;
      if (message.role !== "user") {
        return `Invalid 'messages[${i}]'. Image URLs are only allowed for messages with role 'user', but this message with role '${message.role}' contains an image URL.`;
      }
      const url = (part.image_url as { url?: unknown } | undefined)?.url;
      if (!isHttpUrl(url) && !isImageDataUri(url)) {
        return `Invalid 'messages[${i}].content[${j}].image_url.url'. Expected a valid URL or a base64-encoded data URL with an image MIME type.`;
      }
    }
  }
  return undefined;
}

function handleChat(
  flavor: OpenAiFlavor,
  body: Record<string, unknown>,
  res: ServerResponse,
  scenario: LiveScenario,
) {
  const model = String(body.model);
  const messages = (body.messages ?? []) as Message[];
  const extra = !strict(flavor) ? unknownField(body, openAiChatFields) : undefined;
  if (extra) return sendError(res, flavor, 400, `Unrecognized request argument supplied: ${extra}`);
  const badImage = !strict(flavor) ? openAiImageError(messages) : undefined;
  if (badImage) return sendError(res, flavor, 400, badImage);
  if (flavor === "mistral") {
    const errors = mistralChatErrors(body);
    if (errors.length > 0) return sendJson(res, 422, mistralValidationBody(errors));
  }
  if (flavor === "ai21") {
    const errors = ai21ChatErrors(body);
    if (errors.length > 0) return sendJson(res, 422, ai21ErrorBody(errors));
  }
  // Structured outputs (`json_schema`): JSON that fits the schema, as OpenAI's strict mode answers.
  const format = body.response_format as
    | { type?: string; json_schema?: { schema?: JsonSchema } }
    | undefined;
  const text =
    flavor === "openai" && format?.type === "json_schema"
      ? JSON.stringify(inputFor(format.json_schema?.schema ?? {}, lastUserText(messages)))
      : replyText(flavor, lastUserText(messages));
  const promptTokens = countTokens(messages.map((m) => contentText(m.content)).join(" "));
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: countTokens(text),
    total_tokens: promptTokens + countTokens(text),
  };
  const id = `chatcmpl-fake${Date.now()}`;
  const created = Math.floor(Date.now() / 1000);
  const tool = scenario.tool;
  const toolCall = {
    id: "call_fake1",
    type: "function" as const,
    function: { name: fakeToolCall.name, arguments: JSON.stringify(fakeToolCall.arguments) },
  };
  const finish = tool ? "tool_calls" : "stop";
  if (!body.stream) {
    if (scenario.kind === "cut") return cutJsonAnswer(res, '{"id":"');
    const message = strict(flavor)
      ? {
          role: "assistant",
          content: tool ? "" : text,
          tool_calls: tool ? [toolCall] : null,
          prefix: false,
        }
      : {
          role: "assistant",
          content: tool ? null : text,
          refusal: null,
          annotations: [],
          ...(tool ? { tool_calls: [toolCall] } : {}),
        };
    sendJson(res, 200, {
      id,
      object: "chat.completion",
      created,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
      usage,
      ...(!strict(flavor) ? { system_fingerprint: "fp_fake", service_tier: "default" } : {}),
    });
    return;
  }
  startSse(res);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null, extra = {}) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    ...(!strict(flavor) ? { system_fingerprint: "fp_fake" } : {}),
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...extra,
  });
  writeSse(res, chunk({ role: "assistant", content: "" }, null));
  const pieces = tool ? [] : replyPieces(text);
  if (tool) {
    writeSse(
      res,
      chunk(
        {
          tool_calls: [
            { index: 0, ...toolCall, function: { name: toolCall.function.name, arguments: "" } },
          ],
        },
        null,
      ),
    );
    writeSse(
      res,
      chunk(
        { tool_calls: [{ index: 0, function: { arguments: toolCall.function.arguments } }] },
        null,
      ),
    );
  }
  const finishes = streamPieces(
    res,
    scenario,
    pieces,
    (piece) => writeSse(res, chunk({ content: piece }, null)),
    () => {
      if (flavor === "mistral") {
        writeSse(res, chunk({ content: "" }, "error", { usage }));
        writeSse(res, "[DONE]");
      } else if (flavor === "ai21") {
        // AI21's stream breaks off with FastAPI's detail as the last event.
        writeSse(res, ai21ErrorBody("Internal server error"));
      } else {
        writeSse(res, {
          error: {
            message: "The server had an error while processing your request.",
            type: "server_error",
            param: null,
            code: null,
          },
        });
      }
    },
  );
  if (!finishes) return;
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)
    ?.include_usage;
  if (strict(flavor)) {
    writeSse(res, chunk({ content: "" }, finish, { usage }));
  } else {
    writeSse(res, chunk({}, finish));
    if (includeUsage)
      writeSse(res, { id, object: "chat.completion.chunk", created, model, choices: [], usage });
  }
  writeSse(res, "[DONE]");
  res.end();
}

function handleEmbeddings(
  flavor: OpenAiFlavor,
  body: Record<string, unknown>,
  res: ServerResponse,
) {
  const input = body.input;
  const texts =
    typeof input === "string"
      ? [input]
      : (input as unknown[]).map((t) => (typeof t === "string" ? t : JSON.stringify(t)));
  const vectors = texts.map((t, i) => embeddingOf(t, i));
  const tokens = countTokens(texts.join(" "));
  const wantsBase64 = body.encoding_format === "base64";
  sendJson(res, 200, {
    ...(flavor === "mistral" ? { id: "embd-fake" } : {}),
    object: "list",
    data: vectors.map((v, index) => ({
      object: "embedding",
      index,
      embedding: wantsBase64 ? Buffer.from(new Float32Array(v).buffer).toString("base64") : v,
    })),
    model: String(body.model),
    usage: {
      prompt_tokens: tokens,
      total_tokens: tokens,
      ...(flavor === "mistral" ? { completion_tokens: 0 } : {}),
    },
  });
}

const mistralCapabilities = {
  completion_chat: true,
  function_calling: true,
  reasoning: false,
  completion_fim: false,
  fine_tuning: false,
  vision: false,
  ocr: false,
  classification: false,
  moderation: false,
  audio: false,
  audio_transcription: false,
  audio_transcription_realtime: false,
  audio_speech: false,
  unified_resources: false,
};

/** A request handler speaking OpenAI's (or Mistral's, AI21's) format, checking `Bearer <apiKey>`. */
export function openAiHandler(flavor: OpenAiFlavor, apiKey: string): FakeHandler {
  return async (req, res, count) => {
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      const words =
        flavor === "ai21" ? "Forbidden: Bad or missing API token." : "Incorrect API key provided.";
      return sendError(res, flavor, 401, words);
    }
    if (req.method === "GET" && req.path === "/v1/models" && flavor !== "ai21") {
      const ids =
        flavor === "mistral"
          ? ["mistral-small-latest", "mistral-embed"]
          : ["gpt-4o-mini", "text-embedding-3-small"];
      return sendJson(res, 200, {
        object: "list",
        data: ids.map((id) =>
          flavor === "mistral"
            ? {
                id,
                object: "model",
                created: 1_700_000_000,
                owned_by: "mistralai",
                type: "base",
                max_context_length: 32768,
                internal: false,
                capabilities: mistralCapabilities,
              }
            : { id, object: "model", created: 1_700_000_000, owned_by: "system" },
        ),
      });
    }
    const model = String(req.body.model ?? "");
    const paths = [
      "/v1/chat/completions",
      ...(flavor !== "ai21" ? ["/v1/embeddings"] : []),
      ...(flavor === "openai" ? ["/v1/completions"] : []),
    ];
    if (req.method !== "POST" || !paths.includes(req.path)) {
      return sendError(res, flavor, 404, `Unknown route ${req.method} ${req.path}`);
    }
    if (!model) return sendError(res, flavor, 400, "you must provide a model parameter");
    const scenario = playScenario(flavor, model, count(model), (...e) =>
      sendError(res, flavor, ...e),
    );
    if (!scenario) return;
    if (req.path === "/v1/embeddings") return handleEmbeddings(flavor, req.body, res);
    if (req.path === "/v1/completions") return handleCompletions(req.body, res, scenario);
    handleChat(flavor, req.body, res, scenario);
  };
}

/** Starts a fake OpenAI (or Mistral) API on loopback. */
export function startFakeOpenAi(flavor: OpenAiFlavor, apiKey: string): Promise<FakeServer> {
  return startFakeServer(openAiHandler(flavor, apiKey));
}
