/**
 * OpenAI chat ↔ Gemini `generateContent`: system and developer messages become
 * `systemInstruction`, assistant turns are role `model`, tool calls are `functionCall` parts and
 * tool results `functionResponse` parts, sampling options go to `generationConfig`.
 */

import {
  assistantChoice,
  chatCompletion,
  parseToolArguments,
  messageText as text,
  usageOf,
} from "../../../shared/api/openai-shapes.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatMessage,
} from "../../../shared/api/schemas/chat.ts";
import type { FinishReason, Usage } from "../../../shared/api/schemas/common.ts";
import { capabilityError } from "../errors.ts";
import { type ImageFetcher, inlineImageUrls, parseDataUri } from "../images.ts";
import type { ResponseContext, Target, UpstreamCall } from "../types.ts";

/** Gemini's finish reasons in OpenAI's terms. */
export function geminiFinishReason(reason: string, hasToolCall: boolean): FinishReason {
  if (hasToolCall) return "tool_calls";
  if (reason === "MAX_TOKENS") return "length";
  if (["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"].includes(reason)) {
    return "content_filter";
  }
  return "stop";
}

/** Gemini's usage fields. */
export interface GeminiUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
}

/** Gemini usage in OpenAI's terms (thinking tokens count as completion). */
export function geminiUsage(usage: GeminiUsage | undefined): Usage {
  return usageOf(
    usage?.promptTokenCount ?? 0,
    (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
  );
}

/**
 * Gemini takes images as bytes (`inlineData`): each `http(s)` image URL is fetched (guarded)
 * and replaced by a `data:` URI before the request is mapped (the shared helper's work).
 */
export async function geminiResolveImages(
  req: ChatCompletionRequest,
  fetchImage: ImageFetcher,
): Promise<ChatCompletionRequest> {
  return inlineImageUrls(req, fetchImage);
}

/** A user message's parts: text, and images as `inlineData` (bytes from a `data:` URI). */
function userParts(content: ChatMessage["content"], provider: string): Record<string, unknown>[] {
  if (typeof content === "string" || content == null) return [{ text: text(content) }];
  return content.map((part) => {
    if (part.type === "text") return { text: part.text };
    const bytes = parseDataUri(part.image_url.url);
    // geminiResolveImages has turned every URL into bytes; one left means it was not run.
    if (!bytes) throw capabilityError(provider, "image URLs without fetching them");
    return { inlineData: { mimeType: bytes.mimeType, data: bytes.data } };
  });
}

/** The `generateContent` body for an OpenAI chat request (`provider` names who refuses what). */
export function geminiChatBody(
  req: ChatCompletionRequest,
  provider: string,
): Record<string, unknown> {
  if (req.logprobs) throw capabilityError(provider, "logprobs");
  const system: string[] = [];
  const contents: { role: "user" | "model"; parts: Record<string, unknown>[] }[] = [];
  const toolNames = new Map<string, string>();
  const add = (role: "user" | "model", parts: Record<string, unknown>[]) => {
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const m of req.messages) {
    if (m.role === "system" || m.role === "developer") system.push(text(m.content));
    else if (m.role === "user") add("user", userParts(m.content, provider));
    else if (m.role === "tool") {
      const name = toolNames.get(m.tool_call_id) ?? m.tool_call_id;
      add("user", [{ functionResponse: { name, response: { content: text(m.content) } } }]);
    } else {
      const parts: Record<string, unknown>[] = [];
      if (text(m.content)) parts.push({ text: text(m.content) });
      for (const call of m.tool_calls ?? []) {
        toolNames.set(call.id, call.function.name);
        parts.push({
          functionCall: {
            name: call.function.name,
            args: parseToolArguments(call.function.arguments),
          },
        });
      }
      add("model", parts);
    }
  }
  const stop = typeof req.stop === "string" ? [req.stop] : req.stop;
  const format = req.response_format;
  const generationConfig = {
    ...(req.temperature != null ? { temperature: req.temperature } : {}),
    ...(req.top_p != null ? { topP: req.top_p } : {}),
    ...(req.max_completion_tokens || req.max_tokens
      ? { maxOutputTokens: req.max_completion_tokens ?? req.max_tokens }
      : {}),
    ...(stop?.length ? { stopSequences: stop } : {}),
    ...(req.n && req.n > 1 ? { candidateCount: req.n } : {}),
    ...(req.seed != null ? { seed: req.seed } : {}),
    ...(req.presence_penalty != null ? { presencePenalty: req.presence_penalty } : {}),
    ...(req.frequency_penalty != null ? { frequencyPenalty: req.frequency_penalty } : {}),
    ...(format && format.type !== "text" ? { responseMimeType: "application/json" } : {}),
    ...(format?.type === "json_schema" && format.json_schema.schema
      ? { responseJsonSchema: format.json_schema.schema }
      : {}),
  };
  const choice = req.tool_choice;
  const body: Record<string, unknown> = {
    contents,
    ...(system.length > 0 ? { systemInstruction: { parts: [{ text: system.join("\n\n") }] } } : {}),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
  };
  if (req.tools?.length) {
    body.tools = [
      {
        functionDeclarations: req.tools.map((t) => ({
          name: t.function.name,
          ...(t.function.description ? { description: t.function.description } : {}),
          ...(t.function.parameters ? { parameters: t.function.parameters } : {}),
        })),
      },
    ];
    if (choice) {
      const mode = choice === "none" ? "NONE" : choice === "auto" ? "AUTO" : "ANY";
      body.toolConfig = {
        functionCallingConfig: {
          mode,
          ...(typeof choice === "object" ? { allowedFunctionNames: [choice.function.name] } : {}),
        },
      };
    }
  }
  return body;
}

/** The method a chat call asks for: a whole answer, or server-sent events. */
export type GeminiMethod = "generateContent" | "streamGenerateContent?alt=sse";

/** Where a `generateContent`-format call for `target` goes, and the headers it carries. */
export type GeminiEndpoint = (
  target: Target,
  method: GeminiMethod,
) => { url: string; headers: Record<string, string> };

/** The chat request map of a provider speaking `generateContent` at `endpoint`. */
export function createGeminiChatRequest(provider: string, endpoint: GeminiEndpoint) {
  return (req: ChatCompletionRequest, target: Target): UpstreamCall => {
    const body = geminiChatBody(req, provider);
    const method = req.stream ? "streamGenerateContent?alt=sse" : "generateContent";
    return { ...endpoint(target, method), method: "POST", body };
  };
}

/** One Gemini candidate. */
export interface GeminiCandidate {
  index?: number;
  finishReason?: string;
  content?: {
    parts?: {
      text?: string;
      thought?: boolean;
      functionCall?: { id?: string; name?: string; args?: unknown };
    }[];
  };
}

/** The OpenAI view of one candidate's parts: text and tool calls. */
export function candidateParts(candidate: GeminiCandidate, callPrefix: string) {
  const parts = candidate.content?.parts ?? [];
  const said = parts.filter((p) => typeof p.text === "string" && !p.thought).map((p) => p.text);
  const toolCalls: NonNullable<ChatCompletion["choices"][number]["message"]["tool_calls"]> = parts
    .filter((p) => p.functionCall)
    .map((p, i) => ({
      id: p.functionCall?.id ?? `${callPrefix}_${i}`,
      type: "function" as const,
      function: {
        name: p.functionCall?.name ?? "",
        arguments: JSON.stringify(p.functionCall?.args ?? {}),
      },
    }));
  return { text: said.length > 0 ? said.join("") : null, toolCalls };
}

/** The OpenAI completion for a `generateContent` response. */
export function geminiChatResponse(raw: unknown, ctx: ResponseContext): ChatCompletion {
  const body = raw as {
    candidates?: GeminiCandidate[];
    usageMetadata?: GeminiUsage;
    promptFeedback?: { blockReason?: string };
  };
  const candidates = body.candidates ?? [];
  const choices: ChatCompletion["choices"] = candidates.map((candidate, i) => {
    const { text: said, toolCalls } = candidateParts(candidate, `call_${i}`);
    const reason = geminiFinishReason(candidate.finishReason ?? "STOP", toolCalls.length > 0);
    return assistantChoice(candidate.index ?? i, said, toolCalls, reason);
  });
  if (choices.length === 0 && body.promptFeedback?.blockReason) {
    choices.push(assistantChoice(0, null, [], "content_filter"));
  }
  return chatCompletion(ctx, choices, geminiUsage(body.usageMetadata));
}

/** Chunk choices of one streamed Gemini response (a candidate with finishReason ends it). */
export function candidateChunks(
  candidates: GeminiCandidate[],
  ctx: ResponseContext,
  toolCounter: { next: number },
) {
  const choices: ChatCompletionChunk["choices"] = [];
  for (const [i, candidate] of candidates.entries()) {
    const { text: said, toolCalls } = candidateParts(candidate, `call_${ctx.id}`);
    const tool_calls = toolCalls.map((call) => ({ index: toolCounter.next++, ...call }));
    choices.push({
      index: candidate.index ?? i,
      delta: {
        ...(said !== null ? { content: said } : {}),
        ...(tool_calls.length ? { tool_calls } : {}),
      },
      finish_reason: candidate.finishReason
        ? geminiFinishReason(candidate.finishReason, toolCounter.next > 0)
        : null,
    });
  }
  return choices;
}
