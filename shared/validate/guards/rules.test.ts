import { describe, expect, it } from "vitest";
import { checkRules, type DomainRule, valueAt } from "./rules.ts";

// A hand-written validator stands in for ajv (or any other): the rule only needs the verdict.
const isQaPair = (v: unknown) => {
  const ok =
    typeof v === "object" &&
    v !== null &&
    typeof (v as { question?: unknown }).question === "string";
  return ok ? { valid: true } : { valid: false, errors: ["/question must be string"] };
};

const rules: DomainRule[] = [
  { kind: "json_schema", validate: isQaPair },
  { kind: "required", fields: ["question", "answer", "meta.source"] },
  { kind: "regex", field: "question", pattern: "\\?$", name: "question_mark" },
  { kind: "regex", pattern: /lorem ipsum/i, mustMatch: false, name: "no_filler" },
  { kind: "range", field: "meta.difficulty", min: 1, max: 5 },
  { kind: "range", field: "answer", minLength: 1, maxLength: 20 },
];

describe("domain rules", () => {
  it("passes a sample that keeps every rule", () => {
    const sample =
      '{"question":"Why?","answer":"Because.","meta":{"source":"wiki","difficulty":3}}';
    expect(checkRules(sample, rules)).toEqual({ passed: true, violations: [] });
  });
  it("reports each broken rule with its field", () => {
    const sample = {
      question: "Tell me",
      answer: "Lorem ipsum dolor sit amet, consectetur",
      meta: { difficulty: 9 },
    };
    expect(checkRules(sample, rules).violations).toEqual([
      { rule: "required", field: "meta.source", message: "is required" },
      { rule: "question_mark", field: "question", message: "does not match /\\?$/" },
      { rule: "no_filler", field: undefined, message: "matches /lorem ipsum/i" },
      { rule: "range", field: "meta.difficulty", message: "is above 5" },
      { rule: "range", field: "answer", message: "is longer than 20" },
    ]);
  });
  it("passes the validator's errors through", () => {
    const r = checkRules(
      '{"question": 3, "answer": "x", "meta": {"source": "s", "difficulty": 1}}',
      rules,
    );
    expect(r.violations.filter((v) => v.rule === "json_schema")).toEqual([
      { rule: "json_schema", message: "/question must be string" },
    ]);
  });
  it("says when a text is not JSON for the rules that need fields", () => {
    const r = checkRules("plain text", rules);
    expect(r.passed).toBe(false);
    expect(r.violations.map((v) => v.rule)).toEqual([
      "json_schema",
      "required",
      "question_mark",
      "range",
      "range",
    ]);
    expect(r.violations[0].message).toMatch(/^not valid JSON/);
  });
  it("regex rules on whole texts need no JSON; a global RegExp gives the same answer twice", () => {
    const rule: DomainRule = { kind: "regex", pattern: /\d+/g };
    expect(checkRules("abc 12", [rule]).passed).toBe(true);
    expect(checkRules("abc 12", [rule]).passed).toBe(true);
    expect(checkRules("abc", [rule]).passed).toBe(false);
  });
  it("reads dotted paths, array indexes included", () => {
    expect(valueAt({ a: [{ b: 1 }] }, "a.0.b")).toBe(1);
    expect(valueAt({ a: 1 }, "a.b")).toBeUndefined();
  });
});
