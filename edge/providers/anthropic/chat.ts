/**
 * OpenAI chat ↔ Anthropic Messages: system and developer messages become `system`, tool calls
 * become `tool_use` blocks and tool results `tool_result` blocks in a user turn, stop reasons
 * and usage are renamed. Things Messages cannot do are 400s naming the capability.
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
import type { FinishReason } from "../../../shared/api/schemas/common.ts";
import { capabilityError } from "../errors.ts";
import { parseDataUri } from "../images.ts";
import { JSON_TOOL, jsonResponseTool } from "../json-tool.ts";
import type { ResponseContext, Target, UpstreamCall } from "../types.ts";

/** The forced tool for a JSON `response_format` as a Messages tool, or null for text. */
function jsonTool(req: ChatCompletionRequest): Block | null {
  const tool = jsonResponseTool(req, "anthropic");
  return tool && { name: tool.name, description: tool.description, input_schema: tool.schema };
}

/** Anthropic's stop reasons in OpenAI's terms. */
export function anthropicFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

type Block = Record<string, unknown>;

/** The image types Messages takes. */
const anthropicImageTypes = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

/**
 * A user message's content as Messages blocks: text blocks, and `image` blocks whose source is
 * the URL itself or the base64 bytes of a `data:` URI.
 */
function userBlocks(content: ChatMessage["content"]): Block[] {
  if (typeof content === "string" || content == null)
    return [{ type: "text", text: text(content) }];
  return content.map((part): Block => {
    if (part.type === "text") return { type: "text", text: part.text };
    const url = part.image_url.url;
    const bytes = parseDataUri(url);
    if (!bytes) return { type: "image", source: { type: "url", url } };
    if (!anthropicImageTypes.has(bytes.mimeType)) {
      throw capabilityError("anthropic", `images of type ${bytes.mimeType}`);
    }
    return {
      type: "image",
      source: { type: "base64", media_type: bytes.mimeType, data: bytes.data },
    };
  });
}
interface WireMessage {
  role: "user" | "assistant";
  content: Block[];
}

/** The Messages request for an OpenAI chat request. */
export function anthropicChatRequest(req: ChatCompletionRequest, target: Target): UpstreamCall {
  if ((req.n ?? 1) > 1) throw capabilityError("anthropic", "n > 1");
  if (req.logprobs) throw capabilityError("anthropic", "logprobs");
  const forced = jsonTool(req);
  const system: string[] = [];
  const messages: WireMessage[] = [];
  const add = (role: WireMessage["role"], blocks: Block[]) => {
    const last = messages.at(-1);
    // Messages wants alternating turns: consecutive same-role turns are merged.
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    if (m.role === "system" || m.role === "developer") system.push(text(m.content));
    else if (m.role === "user") add("user", userBlocks(m.content));
    else if (m.role === "tool") {
      add("user", [{ type: "tool_result", tool_use_id: m.tool_call_id, content: text(m.content) }]);
    } else {
      const blocks: Block[] = [];
      const said = text(m.content);
      if (said) blocks.push({ type: "text", text: said });
      for (const call of m.tool_calls ?? []) {
        blocks.push({
          type: "tool_use",
          id: call.id,
          name: call.function.name,
          input: parseToolArguments(call.function.arguments),
        });
      }
      add("assistant", blocks);
    }
  }
  const stop = typeof req.stop === "string" ? [req.stop] : req.stop;
  const choice = req.tool_choice;
  const body: Record<string, unknown> = {
    model: target.model,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? 4096,
    messages,
    ...(system.length > 0 ? { system: system.join("\n\n") } : {}),
    // OpenAI's temperature runs 0-2, Anthropic's 0-1.
    ...(req.temperature != null ? { temperature: Math.min(req.temperature, 1) } : {}),
    ...(req.top_p != null ? { top_p: req.top_p } : {}),
    ...(stop && stop.length > 0 ? { stop_sequences: stop } : {}),
    ...(req.stream ? { stream: true } : {}),
    ...(req.user ? { metadata: { user_id: req.user } } : {}),
  };
  if (forced) {
    body.tools = [forced];
    body.tool_choice = { type: "tool", name: JSON_TOOL };
  } else if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: "object", properties: {} },
    }));
    // With "none" the tools stay declared: earlier tool_use blocks in the history need them.
    if (choice === "none") body.tool_choice = { type: "none" };
    else if (choice === "required") body.tool_choice = { type: "any" };
    else if (typeof choice === "object" && choice) {
      body.tool_choice = { type: "tool", name: choice.function.name };
    }
    if (req.parallel_tool_calls === false) {
      body.tool_choice = {
        ...((body.tool_choice as object) ?? { type: "auto" }),
        disable_parallel_tool_use: true,
      };
    }
  }
  return {
    url: `${target.baseUrl}/v1/messages`,
    method: "POST",
    headers: { "x-api-key": target.apiKey, "anthropic-version": "2023-06-01" },
    body,
  };
}

interface WireResponse {
  content?: { type: string; text?: string; id?: string; name?: string; input?: unknown }[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

/** Anthropic's usage fields. */
export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Prompt tokens include cached ones, as OpenAI counts them. */
export function anthropicPromptTokens(usage: AnthropicUsage | undefined): number {
  return (
    (usage?.input_tokens ?? 0) +
    (usage?.cache_creation_input_tokens ?? 0) +
    (usage?.cache_read_input_tokens ?? 0)
  );
}

/** The OpenAI completion for a Messages response. */
export function anthropicChatResponse(raw: unknown, ctx: ResponseContext): ChatCompletion {
  const body = raw as WireResponse;
  const blocks = body.content ?? [];
  const json = blocks.find((b) => b.type === "tool_use" && b.name === JSON_TOOL);
  // JSON mode: the forced tool's input is the answer, as OpenAI would have sent it.
  const said = json
    ? [JSON.stringify(json.input ?? {})]
    : blocks.filter((b) => b.type === "text").map((b) => b.text ?? "");
  const toolCalls = blocks
    .filter((b) => b.type === "tool_use" && b.name !== JSON_TOOL)
    .map((b) => ({
      id: b.id ?? "",
      type: "function" as const,
      function: { name: b.name ?? "", arguments: JSON.stringify(b.input ?? {}) },
    }));
  return chatCompletion(
    ctx,
    [
      assistantChoice(
        0,
        said.length > 0 ? said.join("") : null,
        toolCalls,
        json && body.stop_reason === "tool_use" ? "stop" : anthropicFinishReason(body.stop_reason),
      ),
    ],
    usageOf(anthropicPromptTokens(body.usage), body.usage?.output_tokens ?? 0),
  );
}
