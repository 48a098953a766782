/**
 * What Mistral's chat endpoint refuses, as its pydantic models do (./pydantic.ts). The field
 * lists are those of `@mistralai/mistralai`'s `ChatCompletionRequest` and message types.
 */

import { type ChatRules, chatValidationErrors, type ValidationError } from "./pydantic.ts";

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

const mistralRules: ChatRules = {
  requestFields,
  messageFields,
  contentParts: new Set(["text", "image_url", "document_url", "reference", "thinking"]),
};

/** The 422 errors Mistral would answer for this chat body (empty when it would accept it). */
export const mistralChatErrors = (body: Record<string, unknown>) =>
  chatValidationErrors(mistralRules, body);

/** Mistral's 422 body for validation errors. */
export function mistralValidationBody(errors: ValidationError[]) {
  return {
    object: "error",
    message: { detail: errors },
    type: "invalid_request_error",
    param: null,
    code: null,
  };
}
