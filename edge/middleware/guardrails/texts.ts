/**
 * The texts of a request that guards read and redaction rewrites: chat message contents
 * (strings and text parts), a legacy prompt (string or strings), embeddings input strings.
 */

/** One text in a request body, with where it sits and how to replace it. */
export interface TextSlot {
  text: string;
  /** The chat role it belongs to (absent for prompts and inputs). */
  role?: string;
  replace(text: string): void;
}

type Json = Record<string, unknown>;

function slotsOf(holder: Json, key: string, role?: string): TextSlot[] {
  const value = holder[key];
  if (typeof value === "string") {
    return [{ text: value, role, replace: (text) => (holder[key] = text) }];
  }
  if (!Array.isArray(value)) return [];
  const slots: TextSlot[] = [];
  value.forEach((item, i) => {
    if (typeof item === "string") {
      slots.push({ text: item, role, replace: (text) => (value[i] = text) });
    } else if (item && typeof item === "object" && typeof (item as Json).text === "string") {
      // A content part ({ type: "text", text }).
      slots.push(...slotsOf(item as Json, "text", role));
    }
  });
  return slots;
}

/** The texts of a body of `route` (a JSON object as the client sent it). */
export function textSlots(route: string, body: Json): TextSlot[] {
  if (route === "chat") {
    const messages = Array.isArray(body.messages) ? body.messages : [];
    return messages.flatMap((m) =>
      m && typeof m === "object"
        ? slotsOf(m as Json, "content", String((m as Json).role ?? ""))
        : [],
    );
  }
  if (route === "completions") return slotsOf(body, "prompt");
  if (route === "embeddings") return slotsOf(body, "input");
  return [];
}
