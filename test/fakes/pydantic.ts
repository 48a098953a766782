/**
 * What a chat endpoint built on pydantic models refuses (Mistral's, AI21's): any field it does
 * not know, at the top level or inside a message, is a 422 `extra_forbidden`; a role it does not
 * know is a 422 `union_tag_invalid`; content is either a string or a list of known part types.
 */
import { isHttpUrl, isImageDataUri } from "./images.ts";

/** One pydantic validation error, as a FastAPI 422 body lists them. */
export interface ValidationError {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

/** The fields one API's chat models take. */
export interface ChatRules {
  requestFields: ReadonlySet<string>;
  /** Per role, the message fields it takes. */
  messageFields: Readonly<Record<string, ReadonlySet<string>>>;
  /** The content part types taken, or `"string"` when content must be a string. */
  contentParts: ReadonlySet<string> | "string";
}

function partErrors(
  rules: ChatRules,
  content: unknown,
  loc: (string | number)[],
): ValidationError[] {
  if (content == null || typeof content === "string") return [];
  if (rules.contentParts === "string") {
    return [{ type: "string_type", loc, msg: "Input should be a valid string", input: content }];
  }
  if (!Array.isArray(content)) return [];
  const errors: ValidationError[] = [];
  for (const [j, part] of (content as Record<string, unknown>[]).entries()) {
    const image = part?.image_url as { url?: unknown } | string | undefined;
    const imageUrl = typeof image === "string" ? image : image?.url;
    if (part?.type === "image_url" && !isHttpUrl(imageUrl) && !isImageDataUri(imageUrl)) {
      errors.push({
        type: "value_error",
        loc: [...loc, j, "image_url"],
        msg: "Value error, image_url must be a URL or a base64 data URI",
        input: image,
      });
    }
    if (!rules.contentParts.has(String(part?.type))) {
      errors.push({
        type: "union_tag_invalid",
        loc: [...loc, j],
        msg: `Input tag '${String(part?.type)}' found using 'type' does not match any of the expected tags`,
        input: part,
      });
    }
  }
  return errors;
}

/** The 422 errors such an API would answer for this chat body (empty when it would accept it). */
export function chatValidationErrors(
  rules: ChatRules,
  body: Record<string, unknown>,
): ValidationError[] {
  const errors: ValidationError[] = [];
  const extra = (loc: (string | number)[], input: unknown) =>
    errors.push({ type: "extra_forbidden", loc, msg: "Extra inputs are not permitted", input });
  for (const [key, value] of Object.entries(body)) {
    if (!rules.requestFields.has(key)) extra(["body", key], value);
  }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const roles = Object.keys(rules.messageFields);
  for (const [i, raw] of messages.entries()) {
    const message = (raw ?? {}) as Record<string, unknown>;
    const role = String(message.role);
    const fields = rules.messageFields[role];
    if (!fields) {
      errors.push({
        type: "union_tag_invalid",
        loc: ["body", "messages", i],
        msg: `Input tag '${role}' found using 'role' does not match any of the expected tags: ${roles.map((r) => `'${r}'`).join(", ")}`,
        input: message,
      });
      continue;
    }
    for (const [key, value] of Object.entries(message)) {
      if (!fields.has(key)) extra(["body", "messages", i, role, key], value);
    }
    errors.push(...partErrors(rules, message.content, ["body", "messages", i, role, "content"]));
  }
  return errors;
}
