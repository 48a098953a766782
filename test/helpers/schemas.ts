/** A JSON schema with nesting, enums, an integer, a boolean and an array: structured-output tests. */
export const personSchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    mood: { enum: ["happy", "sad", "angry"] },
    pet: {
      type: "object",
      properties: {
        kind: { enum: ["cat", "dog", "bird"] },
        age: { type: "integer" },
        friendly: { type: "boolean" },
      },
      required: ["kind", "age", "friendly"],
      additionalProperties: false,
    },
    tags: { type: "array", items: { enum: ["red", "green", "blue"] } },
  },
  required: ["name", "mood", "pet", "tags"],
  additionalProperties: false,
} as const;
