/**
 * Anthropic's Messages API: `POST /v1/messages` plain and streamed (message_start …
 * message_delta with stop_reason, message_stop), `GET /v1/models`, errors as
 * `{"type":"error","error":{…}}`, in-band `event: error` in streams. No embeddings.
 */
import type { ServerResponse } from "node:http";
import { anthropicMessageFields, unknownField } from "./fields.ts";
import { isBase64, isHttpUrl } from "./images.ts";
import {
  contentText,
  countTokens,
  cutJsonAnswer,
  fakeToolCall,
  inputFor,
  type JsonSchema,
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

const errorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

function sendError(res: ServerResponse, status: number, message: string, retryAfter = 1) {
  sendJson(
    res,
    status,
    {
      type: "error",
      error: { type: errorTypes[status] ?? "api_error", message },
      request_id: "req_fake",
    },
    { ...retryHeaders(status, retryAfter), "request-id": "req_fake" },
  );
}

interface Message {
  role: string;
  content: unknown;
}

const imageTypes = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/** Messages' 400 for the first content block it would refuse (empty text, a bad image source). */
function blockError(messages: Message[]): string | undefined {
  for (const [i, message] of messages.entries()) {
    if (!Array.isArray(message.content)) continue;
    for (const [j, raw] of (message.content as Record<string, unknown>[]).entries()) {
      const where = `messages.${i}.content.${j}`;
      if (raw.type === "text" && !raw.text)
        return `${where}: text content blocks must be non-empty`;
      if (raw.type !== "image") continue;
      const source = (raw.source ?? {}) as Record<string, unknown>;
      if (source.type === "url") {
        if (!isHttpUrl(source.url)) return `${where}.image.source.url: Input should be a valid URL`;
      } else if (source.type === "base64") {
        if (!imageTypes.includes(String(source.media_type))) {
          return `${where}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
        }
        if (!isBase64(source.data))
          return `${where}.image.source.base64: The image was not valid base64`;
      } else {
        return `${where}.image.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`;
      }
    }
  }
  return undefined;
}

/** A request handler speaking Anthropic's format; accepts `x-api-key` or `Authorization: Bearer`. */
export function anthropicHandler(apiKey: string): FakeHandler {
  return async (req, res, count) => {
    const key = req.headers["x-api-key"] ?? req.headers.authorization?.replace(/^Bearer /, "");
    if (key !== apiKey) return sendError(res, 401, "invalid x-api-key");
    if (!req.headers["anthropic-version"])
      return sendError(res, 400, "anthropic-version: header is required");
    if (req.method === "GET" && req.path === "/v1/models") {
      return sendJson(res, 200, {
        data: [
          {
            type: "model",
            id: "claude-sonnet-4-5",
            display_name: "Claude Sonnet 4.5",
            created_at: "2025-09-29T00:00:00Z",
          },
        ],
        has_more: false,
        first_id: "claude-sonnet-4-5",
        last_id: "claude-sonnet-4-5",
      });
    }
    if (req.method !== "POST" || req.path !== "/v1/messages")
      return sendError(res, 404, "Not found");
    const body = req.body;
    const model = String(body.model ?? "");
    if (!model) return sendError(res, 400, "model: Field required");
    const extra = unknownField(body, anthropicMessageFields);
    if (extra) return sendError(res, 400, `${extra}: Extra inputs are not permitted`);
    if (typeof body.max_tokens !== "number")
      return sendError(res, 400, "max_tokens: Field required");
    const messages = (body.messages ?? []) as Message[];
    if (messages.some((m) => m.role !== "user" && m.role !== "assistant")) {
      return sendError(res, 400, "messages: roles must be user or assistant");
    }
    const badBlock = blockError(messages);
    if (badBlock) return sendError(res, 400, badBlock);
    if (typeof body.temperature === "number" && (body.temperature < 0 || body.temperature > 1)) {
      return sendError(res, 400, "temperature: range: 0..1");
    }
    const scenario = playScenario("anthropic", model, count(model), (...e) => sendError(res, ...e));
    if (!scenario) return;

    const text = replyText("anthropic", lastUserText(messages));
    const inputTokens = countTokens(
      [contentText(body.system), ...messages.map((m) => contentText(m.content))].join(" "),
    );
    const outputTokens = countTokens(text);
    // A forced tool (`tool_choice: {type: "tool"}`) is always called, with input fitting its schema.
    const choice = body.tool_choice as { type?: string; name?: string } | undefined;
    const tools = (body.tools ?? []) as { name: string; input_schema?: JsonSchema }[];
    const forced = choice?.type === "tool" ? tools.find((t) => t.name === choice.name) : undefined;
    if (choice?.type === "tool" && !forced) {
      return sendError(res, 400, `tool_choice: tool '${choice.name}' not found in tools`);
    }
    const tool = scenario.tool || forced !== undefined;
    const id = "msg_fake01";
    const stopReason = tool ? "tool_use" : "end_turn";
    const toolBlock = {
      type: "tool_use",
      id: "toolu_fake1",
      name: forced?.name ?? fakeToolCall.name,
      input: forced ? inputFor(forced.input_schema ?? {}, text) : fakeToolCall.arguments,
    };
    if (!body.stream) {
      if (scenario.kind === "cut") return cutJsonAnswer(res, '{"id":"msg');
      return sendJson(res, 200, {
        id,
        type: "message",
        role: "assistant",
        model,
        content: tool ? [toolBlock] : [{ type: "text", text }],
        stop_reason: stopReason,
        stop_sequence: null,
        usage: {
          input_tokens: inputTokens,
          output_tokens: outputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      });
    }
    startSse(res);
    const send = (type: string, data: Record<string, unknown>) =>
      writeSse(res, { type, ...data }, type);
    send("message_start", {
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: 1 },
      },
    });
    if (tool) {
      send("content_block_start", { index: 0, content_block: { ...toolBlock, input: {} } });
      send("content_block_delta", {
        index: 0,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(toolBlock.input) },
      });
    } else {
      send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    }
    send("ping", {});
    const finishes = streamPieces(
      res,
      scenario,
      tool ? [] : replyPieces(text),
      (piece) =>
        send("content_block_delta", { index: 0, delta: { type: "text_delta", text: piece } }),
      () => send("error", { error: { type: "overloaded_error", message: "Overloaded" } }),
    );
    if (!finishes) return;
    send("content_block_stop", { index: 0 });
    send("message_delta", {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    });
    send("message_stop", {});
    res.end();
  };
}

/** Starts a fake Anthropic API on loopback. */
export function startFakeAnthropic(apiKey: string): Promise<FakeServer> {
  return startFakeServer(anthropicHandler(apiKey));
}
