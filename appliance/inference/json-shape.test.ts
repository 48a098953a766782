import { describe, expect, it } from "vitest";
import { JsonScanner, minimalJson } from "./json-shape.ts";

describe("minimalJson", () => {
  it("writes every declared property with its smallest value", () => {
    const schema = {
      type: "object",
      properties: {
        name: { type: "string" },
        code: { type: "string", minLength: 2 },
        mood: { enum: ["happy", "sad", "angry"] },
        pet: {
          type: "object",
          properties: { age: { type: "integer", minimum: 3 }, ok: { type: "boolean" } },
        },
        tags: { type: "array", items: { enum: ["red", "green"] } },
        two: { type: "array", items: { type: "number" }, minItems: 2 },
        either: { anyOf: [{ type: "string", minLength: 9 }, { type: "null" }] },
        fixed: { const: "x" },
      },
    };
    const minimal = minimalJson(schema);
    expect(JSON.parse(minimal?.text ?? "")).toEqual({
      name: "",
      code: "aa",
      mood: "sad",
      pet: { age: 3, ok: true },
      tags: [],
      two: [0, 0],
      either: null,
      fixed: "x",
    });
    expect(minimal?.parts).toContain('{"age":3,"ok":true}');
    expect(minimal?.parts).not.toContain(minimal?.text);
    // An array item the model may start, though none is required.
    expect(minimal?.parts).toContain('"red"');
  });

  it("is {} for json_object, follows $defs, and gives up on recursion", () => {
    expect(minimalJson(undefined)).toEqual({ text: "{}", parts: [] });
    const withDefs = {
      type: "object",
      properties: { a: { $ref: "#/$defs/a" } },
      $defs: { a: { type: "integer" } },
    };
    expect(minimalJson(withDefs)?.text).toBe('{"a":0}');
    const recursive = {
      type: "object",
      properties: { next: { $ref: "#" } },
    };
    expect(minimalJson(recursive)).toBeUndefined();
  });
});

describe("JsonScanner", () => {
  it("tracks strings (with escapes) and open containers across chunks", () => {
    const scanner = new JsonScanner();
    scanner.push('{ "a');
    expect([scanner.inString, scanner.depth]).toEqual([true, 1]);
    scanner.push('\\"}"');
    expect([scanner.inString, scanner.depth]).toEqual([false, 1]);
    scanner.push(': [1, {"b": "]"');
    expect([scanner.inString, scanner.depth, scanner.closed]).toEqual([false, 3, false]);
    expect(scanner.container).toBe("{");
    scanner.push("}");
    expect(scanner.container).toBe("[");
    scanner.push("]}");
    expect(scanner.container).toBeUndefined();
    expect(scanner.closed).toBe(true);
  });

  it("a bare string or number is a value too", () => {
    const scanner = new JsonScanner();
    expect(scanner.closed).toBe(false);
    scanner.push('"hi');
    expect(scanner.closed).toBe(false);
    scanner.push('"');
    expect(scanner.closed).toBe(true);
  });
});
