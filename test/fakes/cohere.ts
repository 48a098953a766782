/**
 * Cohere's v2 API: `POST /v2/chat` plain and streamed (message-start … message-end with its
 * finish_reason; errors in a stream end with finish_reason `ERROR`), `POST /v2/embed`,
 * `GET /v1/models`; errors as `{"id","message"}`.
 */
import type { ServerResponse } from "node:http";
import { cohereChatFields, unknownField } from "./fields.ts";
import {
  contentText,
  countTokens,
  cutJsonAnswer,
  embeddingOf,
  fakeToolCall,
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

function sendError(res: ServerResponse, status: number, message: string, retryAfter = 1) {
  sendJson(res, status, { id: "fake-error-id", message }, retryHeaders(status, retryAfter));
}

interface Message {
  role: string;
  content?: unknown;
}

function handleEmbed(body: Record<string, unknown>, res: ServerResponse) {
  const texts = (body.texts ?? []) as string[];
  if (!Array.isArray(texts) || texts.length === 0)
    return sendError(res, 400, "invalid request: texts must not be empty");
  if (!body.input_type)
    return sendError(
      res,
      400,
      "invalid request: valid input_type must be provided with the provided model",
    );
  sendJson(res, 200, {
    id: "embed-fake",
    embeddings: { float: texts.map((t, i) => embeddingOf(t, i)) },
    texts,
    meta: {
      api_version: { version: "2" },
      billed_units: { input_tokens: countTokens(texts.join(" ")) },
    },
    response_type: "embeddings_by_type",
  });
}

/** A request handler speaking Cohere's v2 format, checking `Bearer <apiKey>`. */
export function cohereHandler(apiKey: string): FakeHandler {
  return async (req, res, count) => {
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return sendError(res, 401, "invalid api token");
    if (req.method === "GET" && req.path === "/v1/models") {
      return sendJson(res, 200, {
        models: [
          {
            name: "command-a-03-2025",
            endpoints: ["chat"],
            finetuned: false,
            context_length: 256000,
            features: ["tools"],
          },
          {
            name: "embed-v4.0",
            endpoints: ["embed"],
            finetuned: false,
            context_length: 128000,
            features: [],
          },
        ],
      });
    }
    if (req.method !== "POST" || (req.path !== "/v2/chat" && req.path !== "/v2/embed"))
      return sendError(res, 404, "not found");
    const body = req.body;
    const model = String(body.model ?? "");
    if (!model) return sendError(res, 400, "invalid request: model must be specified");
    const scenario = playScenario("cohere", model, count(model), (...e) => sendError(res, ...e));
    if (!scenario) return;
    if (req.path === "/v2/embed") return handleEmbed(body, res);

    const extra = unknownField(body, cohereChatFields);
    if (extra) {
      return sendError(
        res,
        400,
        `invalid request: unknown field: parameter '${extra}' is not a valid field`,
      );
    }
    const messages = (body.messages ?? []) as Message[];
    if (messages.some((m) => !["system", "user", "assistant", "tool"].includes(m.role))) {
      return sendError(res, 400, "invalid request: messages contain an unknown role");
    }
    const text = replyText("cohere", lastUserText(messages));
    const input = countTokens(messages.map((m) => contentText(m.content)).join(" "));
    const usage = {
      billed_units: { input_tokens: input, output_tokens: countTokens(text) },
      tokens: { input_tokens: input + 5, output_tokens: countTokens(text) },
    };
    const tool = scenario.tool;
    const toolCall = {
      id: "get_weather_fake1",
      type: "function",
      function: { name: fakeToolCall.name, arguments: JSON.stringify(fakeToolCall.arguments) },
    };
    const finish = tool ? "TOOL_CALL" : "COMPLETE";
    if (!body.stream) {
      if (scenario.kind === "cut") return cutJsonAnswer(res, '{"id":"');
      return sendJson(res, 200, {
        id: "chat-fake",
        finish_reason: finish,
        message: tool
          ? { role: "assistant", tool_plan: "I will look up the weather.", tool_calls: [toolCall] }
          : { role: "assistant", content: [{ type: "text", text }] },
        usage,
      });
    }
    startSse(res);
    const send = (type: string, data: Record<string, unknown>) =>
      writeSse(res, { type, ...data }, type);
    send("message-start", {
      id: "chat-fake",
      delta: {
        message: { role: "assistant", content: [], tool_plan: "", tool_calls: [], citations: [] },
      },
    });
    if (tool) {
      send("tool-call-start", {
        index: 0,
        delta: {
          message: {
            tool_calls: { ...toolCall, function: { name: toolCall.function.name, arguments: "" } },
          },
        },
      });
      send("tool-call-delta", {
        index: 0,
        delta: {
          message: { tool_calls: { function: { arguments: toolCall.function.arguments } } },
        },
      });
      send("tool-call-end", { index: 0 });
    } else {
      send("content-start", {
        index: 0,
        delta: { message: { content: { type: "text", text: "" } } },
      });
    }
    const finishes = streamPieces(
      res,
      scenario,
      tool ? [] : replyPieces(text),
      (piece) =>
        send("content-delta", { index: 0, delta: { message: { content: { text: piece } } } }),
      () => send("message-end", { delta: { finish_reason: "ERROR", usage } }),
    );
    if (!finishes) return;
    if (!tool) send("content-end", { index: 0 });
    send("message-end", { delta: { finish_reason: finish, usage } });
    res.end();
  };
}

/** Starts a fake Cohere API on loopback. */
export function startFakeCohere(apiKey: string): Promise<FakeServer> {
  return startFakeServer(cohereHandler(apiKey));
}
