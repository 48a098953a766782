/**
 * What Bedrock's Converse refuses in a request's body with a 400 ValidationException, in its
 * words: a conversation that does not start with a user turn or does not alternate, blocks with
 * no or several members, blank text, images in a format it does not read or bytes that are not
 * base64, tool blocks without `toolConfig`, a tool choice naming no tool, sampling out of range.
 */
import { bedrockContentBlockFields } from "./fields.ts";
import { isBase64 } from "./images.ts";

/** A Converse message as the fake reads it. */
export interface Message {
  role: string;
  content: Record<string, unknown>[];
}

const imageFormats = new Set(["png", "jpeg", "gif", "webp"]);

/** The first block Converse would refuse, if any. */
function blockError(messages: Message[], hasToolConfig: boolean): string | undefined {
  for (const [i, message] of messages.entries()) {
    if (!Array.isArray(message.content) || message.content.length === 0) {
      return `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`;
    }
    for (const [j, block] of message.content.entries()) {
      const where = `messages.${i}.content.${j}`;
      const members = Object.keys(block);
      const unknown = members.find((k) => !bedrockContentBlockFields.has(k));
      if (unknown) {
        return `Malformed input request: extraneous key [${unknown}] is not permitted at ${where}.`;
      }
      if (members.length !== 1) {
        return `${where}: a ContentBlock must hold exactly one member, not ${members.length}.`;
      }
      if ("text" in block && (typeof block.text !== "string" || !block.text.trim())) {
        return `The text field in the ContentBlock object at ${where} is blank. Add text to the text field, and try again.`;
      }
      const image = block.image as { format?: unknown; source?: { bytes?: unknown } } | undefined;
      if (image && !imageFormats.has(String(image.format))) {
        return `${where}.image.format: Member must satisfy enum value set: [png, jpeg, gif, webp]`;
      }
      if (image && !isBase64(image.source?.bytes)) {
        return `${where}.image.source.bytes: Invalid base64 encoding.`;
      }
      if (("toolUse" in block || "toolResult" in block) && !hasToolConfig) {
        return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
      }
    }
  }
  return undefined;
}

/** Converse's 400 for a body it would refuse, or undefined. */
export function conversationError(body: Record<string, unknown>): string | undefined {
  const messages = body.messages as Message[] | undefined;
  if (!Array.isArray(messages) || messages.length === 0) {
    return "1 validation error detected: Value at 'messages' failed to satisfy constraint: Member must not be null";
  }
  if (messages.some((m) => m.role !== "user" && m.role !== "assistant")) {
    return "messages: role must be user or assistant";
  }
  if (messages[0]?.role !== "user") {
    return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
  }
  if (messages.some((m, i) => i > 0 && messages[i - 1]?.role === m.role)) {
    return "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
  }
  const system = body.system as Record<string, unknown>[] | undefined;
  if (system?.some((s) => typeof s.text !== "string" || !s.text.trim())) {
    return "The text field in the SystemContentBlock object is blank.";
  }
  const toolConfig = body.toolConfig as
    | {
        tools?: { toolSpec?: { name?: string; inputSchema?: { json?: unknown } } }[];
        toolChoice?: Record<string, { name?: string }>;
      }
    | undefined;
  const blocks = blockError(messages, toolConfig !== undefined);
  if (blocks) return blocks;
  const config = (body.inferenceConfig ?? {}) as Record<string, unknown>;
  for (const [field, max] of [
    ["temperature", 1],
    ["topP", 1],
  ] as const) {
    const value = config[field];
    if (value !== undefined && (typeof value !== "number" || value < 0 || value > max)) {
      return `1 validation error detected: Value '${String(value)}' at 'inferenceConfig.${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`;
    }
  }
  if (
    config.maxTokens !== undefined &&
    !(Number.isInteger(config.maxTokens) && Number(config.maxTokens) >= 1)
  ) {
    return "1 validation error detected: Value at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1";
  }
  if (!toolConfig) return undefined;
  const names = (toolConfig.tools ?? []).map((t) => t.toolSpec?.name);
  if (
    names.length === 0 ||
    names.some((n) => !n) ||
    (toolConfig.tools ?? []).some((t) => !t.toolSpec?.inputSchema?.json)
  ) {
    return "toolConfig.tools: each tool needs a toolSpec with a name and an inputSchema.json.";
  }
  const choice = Object.entries(toolConfig.toolChoice ?? {});
  if (choice.length > 1 || choice.some(([kind]) => !["auto", "any", "tool"].includes(kind))) {
    return "toolConfig.toolChoice: must be exactly one of auto, any, tool.";
  }
  const named = toolConfig.toolChoice?.tool?.name;
  if (toolConfig.toolChoice?.tool && !names.includes(named)) {
    return `toolConfig.toolChoice.tool.name: tool '${named}' is not in toolConfig.tools.`;
  }
  return undefined;
}
