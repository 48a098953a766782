/**
 * JSON mode for providers without one (Anthropic Messages, Bedrock Converse): a JSON
 * `response_format` becomes a tool the model is forced to call, whose input schema is the one
 * asked for and whose input is the answer, sent back to the client as the message's content.
 */
import type { ChatCompletionRequest } from "../../shared/api/schemas/chat.ts";
import { capabilityError } from "./errors.ts";

/** The forced tool's name; a tool call by this name is the answer, not a tool call. */
export const JSON_TOOL = "textnlp_json_response";

/** The forced tool, in no provider's shape yet. */
export interface JsonTool {
  name: typeof JSON_TOOL;
  description: string;
  /** The JSON schema the answer must fit (an object's). */
  schema: Record<string, unknown>;
}

/**
 * The forced tool for a JSON `response_format`, or null for text. Refused (400 naming
 * `provider`) next to tools of the caller's, which could then never be called, and for a schema
 * whose root is not an object (a tool's input is an object).
 */
export function jsonResponseTool(req: ChatCompletionRequest, provider: string): JsonTool | null {
  const format = req.response_format;
  if (!format || format.type === "text") return null;
  if (req.tools && req.tools.length > 0) {
    throw capabilityError(provider, "response_format together with tools");
  }
  const schema = format.type === "json_schema" ? format.json_schema.schema : undefined;
  if (schema && schema.type !== "object") {
    throw capabilityError(provider, "a JSON schema whose root is not an object");
  }
  const description =
    format.type === "json_schema"
      ? (format.json_schema.description ?? `Answer with ${format.json_schema.name}.`)
      : "Answer with a JSON object.";
  return { name: JSON_TOOL, description, schema: schema ?? { type: "object" } };
}
