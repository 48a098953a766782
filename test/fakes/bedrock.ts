/**
 * Amazon Bedrock's runtime: `POST /model/{modelId}/converse` (JSON) and `/converse-stream`
 * (AWS's binary event stream, `application/vnd.amazon.eventstream`: messageStart, content
 * block deltas, messageStop with the stop reason, then metadata with usage; exceptions as
 * `:message-type: exception` messages), every call signed with SigV4 or carrying a Bedrock API
 * key (bedrock-auth.ts), errors as `{"message"}` with the type in `x-amzn-ErrorType`, and
 * unknown fields refused with a 400 ValidationException.
 */
import type { ServerResponse } from "node:http";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { type BedrockFakeAuth, refusedAuth } from "./bedrock-auth.ts";
import { conversationError, type Message } from "./bedrock-checks.ts";
import { bedrockConverseFields, bedrockInferenceConfigFields, unknownField } from "./fields.ts";
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
  streamPieces,
} from "./scenario.ts";
import { type FakeHandler, type FakeServer, startFakeServer } from "./server.ts";

/** Bedrock's exception types by HTTP status. */
const exceptionTypes: Record<number, string> = {
  400: "ValidationException",
  401: "UnrecognizedClientException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

/** An error answer: `{"message"}`, the type in `x-amzn-ErrorType` as AWS's services write it. */
function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  retryAfter = 1,
  type = exceptionTypes[status] ??
    (status < 500 ? "ValidationException" : "InternalServerException"),
) {
  sendJson(
    res,
    status,
    { message },
    {
      ...retryHeaders(status, retryAfter),
      "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      "x-amzn-requestid": "fake-request-id",
    },
  );
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

const header = (value: string) => ({ type: "string" as const, value });

/**
 * One event-stream message. Bedrock pads each event's payload with a `p` field of varying
 * length (so sizes do not give the text away); readers must ignore it.
 */
function eventMessage(type: string, payload: Record<string, unknown>, exception = false) {
  const padded = exception
    ? payload
    : { ...payload, p: "abcdefghijklmnopqrstuvwxyzABCDEF".slice(0, 4 + (type.length % 24)) };
  return codec.encode({
    headers: exception
      ? {
          ":message-type": header("exception"),
          ":exception-type": header(type),
          ":content-type": header("application/json"),
        }
      : {
          ":message-type": header("event"),
          ":event-type": header(type),
          ":content-type": header("application/json"),
        },
    body: fromUtf8(JSON.stringify(padded)),
  });
}

/** A request handler speaking Bedrock's runtime API. */
export function bedrockHandler(auth: BedrockFakeAuth): FakeHandler {
  return async (req, res, count) => {
    const refusal = await refusedAuth(req, auth);
    if (refusal) return sendError(res, 403, refusal.message, 1, refusal.type);
    const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(req.path);
    if (req.method !== "POST" || !match) {
      return sendError(
        res,
        404,
        `Unknown operation ${req.method} ${req.path}`,
        1,
        "UnknownOperationException",
      );
    }
    const model = decodeURIComponent(match[1] ?? "");
    const stream = match[2] === "converse-stream";
    const body = req.body;
    const extra = unknownField(body, bedrockConverseFields);
    const extraConfig = unknownField(
      body.inferenceConfig as object | undefined,
      bedrockInferenceConfigFields,
    );
    if (extra || extraConfig) {
      return sendError(
        res,
        400,
        `Malformed input request: extraneous key [${extra ?? `inferenceConfig.${extraConfig}`}] is not permitted, please reformat your input and try again.`,
      );
    }
    const invalid = conversationError(body);
    if (invalid) return sendError(res, 400, invalid);
    const scenario = playScenario("bedrock", model, count(model), (...e) => sendError(res, ...e));
    if (!scenario) return;

    const messages = body.messages as Message[];
    const system = (body.system ?? []) as { text?: string }[];
    const text = replyText("bedrock", lastUserText(messages));
    const inputTokens = countTokens(
      [...system.map((s) => s.text), ...messages.map((m) => contentText(m.content))].join(" "),
    );
    const usage = {
      inputTokens,
      outputTokens: countTokens(text),
      totalTokens: inputTokens + countTokens(text),
    };
    // A forced tool (`toolChoice: {tool}`) is always called, with input fitting its schema.
    const toolConfig = body.toolConfig as
      | {
          tools: { toolSpec: { name: string; inputSchema: { json?: JsonSchema } } }[];
          toolChoice?: { tool?: { name: string } };
        }
      | undefined;
    const forcedName = toolConfig?.toolChoice?.tool?.name;
    const forced = toolConfig?.tools.find((t) => t.toolSpec.name === forcedName)?.toolSpec;
    const tool = scenario.tool || forced !== undefined;
    const toolUse = {
      toolUseId: "tooluse_fake01",
      name: forced?.name ?? fakeToolCall.name,
      input: forced ? inputFor(forced.inputSchema.json ?? {}, text) : fakeToolCall.arguments,
    };
    const stopReason = tool ? "tool_use" : "end_turn";
    const headers = { "x-amzn-requestid": "fake-request-id" };
    if (!stream) {
      if (scenario.kind === "cut") return cutJsonAnswer(res, '{"output":');
      return sendJson(
        res,
        200,
        {
          output: { message: { role: "assistant", content: tool ? [{ toolUse }] : [{ text }] } },
          stopReason,
          usage,
          metrics: { latencyMs: 1 },
        },
        headers,
      );
    }
    res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", ...headers });
    const send = (type: string, payload: Record<string, unknown>) =>
      res.write(eventMessage(type, payload));
    send("messageStart", { role: "assistant" });
    if (tool) {
      const { input, ...start } = toolUse;
      send("contentBlockStart", { contentBlockIndex: 0, start: { toolUse: start } });
      send("contentBlockDelta", {
        contentBlockIndex: 0,
        delta: { toolUse: { input: JSON.stringify(input) } },
      });
    }
    const finishes = streamPieces(
      res,
      scenario,
      tool ? [] : replyPieces(text),
      (piece) => send("contentBlockDelta", { contentBlockIndex: 0, delta: { text: piece } }),
      () =>
        res.write(
          eventMessage(
            "modelStreamErrorException",
            {
              message: "The model encountered an error while streaming.",
              originalStatusCode: 500,
              originalMessage: "internal error",
            },
            true,
          ),
        ),
    );
    if (!finishes) return;
    send("contentBlockStop", { contentBlockIndex: 0 });
    send("messageStop", { stopReason });
    send("metadata", { usage, metrics: { latencyMs: 1 } });
    if (scenario.kind !== "linger") res.end();
  };
}

/** Starts a fake Bedrock runtime on loopback. */
export function startFakeBedrock(auth: BedrockFakeAuth): Promise<FakeServer> {
  return startFakeServer(bedrockHandler(auth));
}
