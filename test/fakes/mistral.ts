/**
 * What Mistral's chat endpoint refuses, as its pydantic models do: any field it does not know,
 * at the top level or inside a message, is a 422 `extra_forbidden`, and a role it does not know
 * is a 422 `union_tag_invalid`. The field lists are those of `@mistralai/mistralai`'s
 * `ChatCompletionRequest` and message types.
 */

import { isHttpUrl, isImageDataUri } from "./images.ts";

/** One pydantic validation error, as Mistral's 422 body lists them. */
export interface MistralValidationError {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

const requestFields = new Set([
  "model",
  "temperature",
  "top_p",
  "max_tokens",
  "stream",
  "stop",
  "random_seed",
  "metadata",
  "messages",
  "response_format",
  "tools",
  "tool_choice",
  "presence_penalty",
  "frequency_penalty",
  "n",
  "prediction",
  "parallel_tool_calls",
  "reasoning_effort",
  "prompt_mode",
  "guardrails",
  "prompt_cache_key",
  "service_tier",
  "safe_prompt",
]);

const messageFields: Record<string, Set<string>> = {
  system: new Set(["role", "content"]),
  user: new Set(["role", "content"]),
  assistant: new Set(["role", "content", "tool_calls", "prefix"]),
  tool: new Set(["role", "content", "tool_call_id", "name"]),
};

const contentPartTypes = new Set(["text", "image_url", "document_url", "reference", "thinking"]);

/** The 422 errors Mistral would answer for this chat body (empty when it would accept it). */
export function mistralChatErrors(body: Record<string, unknown>): MistralValidationError[] {
  const errors: MistralValidationError[] = [];
  const extra = (loc: (string | number)[], input: unknown) =>
    errors.push({ type: "extra_forbidden", loc, msg: "Extra inputs are not permitted", input });
  for (const [key, value] of Object.entries(body)) {
    if (!requestFields.has(key)) extra(["body", key], value);
  }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const [i, raw] of messages.entries()) {
    const message = (raw ?? {}) as Record<string, unknown>;
    const role = String(message.role);
    const fields = messageFields[role];
    if (!fields) {
      errors.push({
        type: "union_tag_invalid",
        loc: ["body", "messages", i],
        msg: `Input tag '${role}' found using 'role' does not match any of the expected tags: 'system', 'user', 'assistant', 'tool'`,
        input: message,
      });
      continue;
    }
    for (const [key, value] of Object.entries(message)) {
      if (!fields.has(key)) extra(["body", "messages", i, role, key], value);
    }
    if (!Array.isArray(message.content)) continue;
    for (const [j, part] of (message.content as Record<string, unknown>[]).entries()) {
      const image = part?.image_url as { url?: unknown } | string | undefined;
      const imageUrl = typeof image === "string" ? image : image?.url;
      if (part?.type === "image_url" && !isHttpUrl(imageUrl) && !isImageDataUri(imageUrl)) {
        errors.push({
          type: "value_error",
          loc: ["body", "messages", i, role, "content", j, "image_url"],
          msg: "Value error, image_url must be a URL or a base64 data URI",
          input: image,
        });
      }
      if (!contentPartTypes.has(String(part?.type))) {
        errors.push({
          type: "union_tag_invalid",
          loc: ["body", "messages", i, role, "content", j],
          msg: `Input tag '${String(part?.type)}' found using 'type' does not match any of the expected tags`,
          input: part,
        });
      }
    }
  }
  return errors;
}

/** Mistral's 422 body for validation errors. */
export function mistralValidationBody(errors: MistralValidationError[]) {
  return {
    object: "error",
    message: { detail: errors },
    type: "invalid_request_error",
    param: null,
    code: null,
  };
}
