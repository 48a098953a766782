export { GUARDRAILS_HEADER, guardrails } from "./guardrails.ts";
export { type GuardrailConfig, type GuardrailPolicy, parseGuardrails } from "./policy.ts";
