/**
 * OpenAI chat ↔ Bedrock Converse (`POST /model/{modelId}/converse`, `/converse-stream`):
 * system and developer messages become `system` blocks, the rest alternating user and
 * assistant turns of content blocks (`text`, `image` bytes, `toolUse`, `toolResult` in a user
 * turn), sampling options `inferenceConfig`, tools `toolConfig`, and JSON mode a forced tool.
 * What Converse cannot do is a 400 naming the capability.
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
  ChatCompletionRequest,
  ChatMessage,
} from "../../../shared/api/schemas/chat.ts";
import type { FinishReason, Usage } from "../../../shared/api/schemas/common.ts";
import { capabilityError } from "../errors.ts";
import { parseDataUri } from "../images.ts";
import { JSON_TOOL, jsonResponseTool } from "../json-tool.ts";
import type { ResponseContext, Target, UpstreamCall } from "../types.ts";
import { bedrockRoot } from "./auth.ts";

type Block = Record<string, unknown>;

interface WireMessage {
  role: "user" | "assistant";
  content: Block[];
}

/** Converse's stop reasons in OpenAI's terms. */
export function bedrockFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "guardrail_intervened":
    case "content_filtered":
      return "content_filter";
    default:
      return "stop";
  }
}

/** Converse's token counts. */
export interface BedrockUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** Converse usage in OpenAI's terms: prompt tokens include cached ones, as OpenAI counts them. */
export function bedrockUsage(usage: BedrockUsage | undefined): Usage {
  return usageOf(
    (usage?.inputTokens ?? 0) +
      (usage?.cacheReadInputTokens ?? 0) +
      (usage?.cacheWriteInputTokens ?? 0),
    usage?.outputTokens ?? 0,
  );
}

/** Converse's image formats by media type. */
const imageFormats: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

/** A user message's content as Converse blocks: text, and images as bytes. */
function userBlocks(content: ChatMessage["content"]): Block[] {
  if (typeof content === "string" || content == null) return [{ text: text(content) }];
  return content.map((part): Block => {
    if (part.type === "text") return { text: part.text };
    const bytes = parseDataUri(part.image_url.url);
    // inlineImageUrls has turned every URL into bytes; one left means it was not run.
    if (!bytes) throw capabilityError("bedrock", "image URLs without fetching them");
    const format = imageFormats[bytes.mimeType];
    if (!format) throw capabilityError("bedrock", `images of type ${bytes.mimeType}`);
    return { image: { format, source: { bytes: bytes.data } } };
  });
}

/** The conversation as Converse's system blocks and alternating turns. */
function conversation(req: ChatCompletionRequest) {
  const system: Block[] = [];
  const messages: WireMessage[] = [];
  const add = (role: WireMessage["role"], blocks: Block[]) => {
    const last = messages.at(-1);
    // Converse wants alternating turns: consecutive same-role turns are merged.
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    if (m.role === "system" || m.role === "developer") {
      // A blank text block is a ValidationException.
      if (text(m.content)) system.push({ text: text(m.content) });
    } else if (m.role === "user") add("user", userBlocks(m.content));
    else if (m.role === "tool") {
      add("user", [
        { toolResult: { toolUseId: m.tool_call_id, content: [{ text: text(m.content) }] } },
      ]);
    } else {
      const blocks: Block[] = [];
      if (text(m.content)) blocks.push({ text: text(m.content) });
      for (const call of m.tool_calls ?? []) {
        blocks.push({
          toolUse: {
            toolUseId: call.id,
            name: call.function.name,
            input: parseToolArguments(call.function.arguments),
          },
        });
      }
      add("assistant", blocks);
    }
  }
  return { system, messages };
}

/** Whether the conversation holds tool calls or results (Converse then wants `toolConfig`). */
const usesTools = (messages: WireMessage[]) =>
  messages.some((m) => m.content.some((b) => "toolUse" in b || "toolResult" in b));

/** `toolConfig` for the request's tools and choice, or for JSON mode's forced tool. */
function toolConfig(req: ChatCompletionRequest, messages: WireMessage[]): Block | undefined {
  const forced = jsonResponseTool(req, "bedrock");
  const spec = (name: string, description: string | undefined, schema: unknown) => ({
    toolSpec: {
      name,
      ...(description ? { description } : {}),
      inputSchema: { json: schema ?? { type: "object", properties: {} } },
    },
  });
  if (forced) {
    return {
      tools: [spec(forced.name, forced.description, forced.schema)],
      toolChoice: { tool: { name: JSON_TOOL } },
    };
  }
  if (!req.tools?.length) return undefined;
  const choice = req.tool_choice;
  if (choice === "none") {
    // Converse has no "none": the tools are left out, unless the history needs them declared.
    if (usesTools(messages)) {
      throw capabilityError("bedrock", "tool_choice none with tool calls in the conversation");
    }
    return undefined;
  }
  return {
    tools: req.tools.map((t) =>
      spec(t.function.name, t.function.description, t.function.parameters),
    ),
    ...(choice === "required" ? { toolChoice: { any: {} } } : {}),
    ...(typeof choice === "object" && choice
      ? { toolChoice: { tool: { name: choice.function.name } } }
      : {}),
  };
}

/** The Converse (or ConverseStream) call for an OpenAI chat request. */
export function bedrockChatRequest(req: ChatCompletionRequest, target: Target): UpstreamCall {
  if ((req.n ?? 1) > 1) throw capabilityError("bedrock", "n > 1");
  if (req.logprobs) throw capabilityError("bedrock", "logprobs");
  const { system, messages } = conversation(req);
  const stop = typeof req.stop === "string" ? [req.stop] : req.stop;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  const inferenceConfig = {
    ...(maxTokens != null ? { maxTokens } : {}),
    // OpenAI's temperature runs 0-2, Converse's 0-1.
    ...(req.temperature != null ? { temperature: Math.min(req.temperature, 1) } : {}),
    ...(req.top_p != null ? { topP: req.top_p } : {}),
    ...(stop?.length ? { stopSequences: stop } : {}),
  };
  const tools = toolConfig(req, messages);
  const route = req.stream ? "converse-stream" : "converse";
  return {
    url: `${bedrockRoot(target.baseUrl)}/model/${encodeURIComponent(target.model)}/${route}`,
    method: "POST",
    // No key here: `authorize` signs the final call (or adds the API key).
    headers: {
      accept: req.stream ? "application/vnd.amazon.eventstream" : "application/json",
    },
    body: {
      messages,
      ...(system.length > 0 ? { system } : {}),
      ...(Object.keys(inferenceConfig).length > 0 ? { inferenceConfig } : {}),
      ...(tools ? { toolConfig: tools } : {}),
    },
  };
}

/** One content block of a Converse answer. */
interface OutputBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
}

/** The OpenAI completion for a Converse response. */
export function bedrockChatResponse(raw: unknown, ctx: ResponseContext): ChatCompletion {
  const body = raw as {
    output?: { message?: { content?: OutputBlock[] } };
    stopReason?: string;
    usage?: BedrockUsage;
  };
  const blocks = body.output?.message?.content ?? [];
  const json = blocks.find((b) => b.toolUse?.name === JSON_TOOL)?.toolUse;
  // JSON mode: the forced tool's input is the answer, as OpenAI would have sent it.
  const said = json
    ? [JSON.stringify(json.input ?? {})]
    : blocks.filter((b) => typeof b.text === "string").map((b) => b.text ?? "");
  const toolCalls = blocks
    .filter((b) => b.toolUse && b.toolUse.name !== JSON_TOOL)
    .map((b) => ({
      id: b.toolUse?.toolUseId ?? "",
      type: "function" as const,
      function: { name: b.toolUse?.name ?? "", arguments: JSON.stringify(b.toolUse?.input ?? {}) },
    }));
  const finish =
    json && body.stopReason === "tool_use" ? "stop" : bedrockFinishReason(body.stopReason);
  return chatCompletion(
    ctx,
    [assistantChoice(0, said.length > 0 ? said.join("") : null, toolCalls, finish)],
    bedrockUsage(body.usage),
  );
}
