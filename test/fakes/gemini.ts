/**
 * Google's Gemini API (generativelanguage v1beta, and v1 that @google/genai 3 calls): `models/{m}:generateContent`,
 * `:streamGenerateContent?alt=sse` (a stream is complete when a candidate carries its
 * finishReason), `:batchEmbedContents`, `GET /v1beta/models`; errors as
 * `{"error":{"code","message","status"}}`.
 */
import type { ServerResponse } from "node:http";
import { geminiGenerationConfigFields, geminiRequestFields, unknownField } from "./fields.ts";
import { isBase64 } from "./images.ts";
import {
  contentText,
  countTokens,
  cutJsonAnswer,
  embeddingOf,
  fakeToolCall,
  type LiveScenario,
  playScenario,
  replyPieces,
  replyText,
  retryHeaders,
  sendJson,
  startSse,
  streamPieces,
  writeSse,
} from "./scenario.ts";
import { type FakeHandler, type FakeRequest, type FakeServer, startFakeServer } from "./server.ts";

const statusNames: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** Google's error body, `{"error":{"code","message","status"}}`. */
export function googleErrorBody(status: number, message: string) {
  return { error: { code: status, message, status: statusNames[status] ?? "UNKNOWN" } };
}

/** Answers with Google's error body (and `Retry-After` on 429 / 503). */
export function sendGoogleError(
  res: ServerResponse,
  status: number,
  message: string,
  retryAfter = 1,
) {
  sendJson(res, status, googleErrorBody(status, message), retryHeaders(status, retryAfter));
}

interface Content {
  role?: string;
  parts?: { text?: string }[];
}

const partsText = (c: Content | undefined) => contentText(c?.parts ?? []);

const partFields = new Set([
  "text",
  "inlineData",
  "fileData",
  "functionCall",
  "functionResponse",
  "thought",
  "thoughtSignature",
]);

/** Gemini's 400 for the first part it would refuse: an unknown field, or bytes not base64. */
function partError(contents: Content[]): string | undefined {
  for (const [i, content] of contents.entries()) {
    for (const [j, raw] of (content.parts ?? []).entries()) {
      const part = raw as Record<string, unknown>;
      const where = `'contents[${i}].parts[${j}]'`;
      const extra = Object.keys(part).find((k) => !partFields.has(k));
      if (extra) {
        return `Invalid JSON payload received. Unknown name "${extra}" at ${where}: Cannot find field.`;
      }
      const inline = part.inlineData as { mimeType?: unknown; data?: unknown } | undefined;
      if (inline && (typeof inline.mimeType !== "string" || !isBase64(inline.data))) {
        return `Invalid value at ${where.slice(0, -1)}.inline_data.data' (TYPE_BYTES), Base64 decoding failed`;
      }
    }
  }
  return undefined;
}

/** How a `generateContent`-format API (Gemini's, Vertex AI's) differs. */
export interface GenerateContentRules {
  /** The provider in replies and error messages (`Hello from <provider>!`). */
  provider: string;
  /** Vertex AI refuses a content without a `role`; the Gemini API takes it as the user's. */
  roleRequired: boolean;
}

/**
 * Answers a `generateContent` or `streamGenerateContent` call for `model`, whose scenario is
 * already decided: Gemini's 400s for unknown fields, bad parts and roles, then the answer.
 */
export function answerGenerateContent(
  rules: GenerateContentRules,
  req: FakeRequest,
  res: ServerResponse,
  model: string,
  method: "generateContent" | "streamGenerateContent",
  scenario: LiveScenario,
) {
  const body = req.body;
  const extra = unknownField(body, geminiRequestFields);
  const extraConfig = unknownField(
    body.generationConfig as object | undefined,
    geminiGenerationConfigFields,
  );
  if (extra || extraConfig) {
    const where = extra ? "" : " at 'generation_config'";
    return sendGoogleError(
      res,
      400,
      `Invalid JSON payload received. Unknown name "${extra ?? extraConfig}"${where}: Cannot find field.`,
    );
  }
  const contents = (body.contents ?? []) as Content[];
  const badPart = partError(contents);
  if (badPart) return sendGoogleError(res, 400, badPart);
  const validRole = (role: string | undefined) =>
    role === "user" || role === "model" || (role === undefined && !rules.roleRequired);
  if (contents.some((c) => !validRole(c.role))) {
    return sendGoogleError(res, 400, "Please use a valid role: user, model.");
  }
  const lastUser = partsText([...contents].reverse().find((c) => c.role === "user" || !c.role));
  const text = replyText(rules.provider, lastUser);
  const prompt = countTokens(
    [partsText(body.systemInstruction as Content), ...contents.map(partsText)].join(" "),
  );
  const usageMetadata = {
    promptTokenCount: prompt,
    candidatesTokenCount: countTokens(text),
    totalTokenCount: prompt + countTokens(text),
  };
  const tool = scenario.tool;
  const toolPart = { functionCall: { name: fakeToolCall.name, args: fakeToolCall.arguments } };
  const response = (parts: unknown[], finishReason?: string) => ({
    candidates: [
      { content: { parts, role: "model" }, index: 0, ...(finishReason ? { finishReason } : {}) },
    ],
    usageMetadata,
    modelVersion: model,
    responseId: "fake-response-id",
  });
  if (method === "generateContent") {
    if (scenario.kind === "cut") return cutJsonAnswer(res, '{"candidates":');
    return sendJson(res, 200, response(tool ? [toolPart] : [{ text }], "STOP"));
  }
  if (req.query.get("alt") !== "sse") {
    return sendGoogleError(res, 400, "this fake only streams with alt=sse");
  }
  startSse(res);
  if (tool) {
    writeSse(res, response([toolPart], "STOP"));
    return void res.end();
  }
  const finishes = streamPieces(
    res,
    scenario,
    replyPieces(text),
    (piece, last) => writeSse(res, response([{ text: piece }], last ? "STOP" : undefined)),
    () => writeSse(res, googleErrorBody(500, "An internal error has occurred.")),
  );
  if (finishes && scenario.kind !== "linger") res.end();
}

/** A request handler speaking Gemini's format; the key comes in `x-goog-api-key` or `?key=`. */
export function geminiHandler(apiKey: string): FakeHandler {
  const rules = { provider: "gemini", roleRequired: false };
  return async (req, res, count) => {
    const key = req.headers["x-goog-api-key"] ?? req.query.get("key");
    if (key !== apiKey)
      return sendGoogleError(res, 400, "API key not valid. Please pass a valid API key.");
    if (req.method === "GET" && /^\/v1(beta)?\/models$/.test(req.path)) {
      return sendJson(res, 200, {
        models: [
          {
            name: "models/gemini-2.5-flash",
            displayName: "Gemini 2.5 Flash",
            supportedGenerationMethods: ["generateContent"],
          },
          {
            name: "models/gemini-embedding-001",
            displayName: "Gemini Embedding",
            supportedGenerationMethods: ["embedContent"],
          },
        ],
      });
    }
    const match =
      /^\/v1(?:beta)?\/models\/([^:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(
        req.path,
      );
    if (req.method !== "POST" || !match) return sendGoogleError(res, 404, `Not found: ${req.path}`);
    const [, model = "", method] = match;
    const scenario = playScenario("gemini", model, count(model), (...e) =>
      sendGoogleError(res, ...e),
    );
    if (!scenario) return;
    if (method === "batchEmbedContents") {
      const requests = (req.body.requests ?? []) as { content?: Content }[];
      return sendJson(res, 200, {
        embeddings: requests.map((r, i) => ({ values: embeddingOf(partsText(r.content), i) })),
      });
    }
    answerGenerateContent(
      rules,
      req,
      res,
      model,
      method as "generateContent" | "streamGenerateContent",
      scenario,
    );
  };
}

/** Starts a fake Gemini API on loopback. */
export function startFakeGemini(apiKey: string): Promise<FakeServer> {
  return startFakeServer(geminiHandler(apiKey));
}
