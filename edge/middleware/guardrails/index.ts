export { GUARDRAILS_HEADER, type GuardrailsOptions, guardrails } from "./guardrails.ts";
export { type GuardrailConfig, type GuardrailPolicy, parseGuardrails } from "./policy.ts";
