/**
 * The guardrail policy (configuration, `GUARDRAILS`): what to do on PII (off, flag, redact,
 * block) and on prompt-injection signals (off, flag, block), for the whole deployment, with
 * optional per-tenant overrides. Off by default: a deployment turns guards on deliberately.
 */
import { z } from "zod";
import { PII_TYPES } from "../../../shared/validate/guards/pii/types.ts";
import { parseJsonConfig } from "../../lib/json-config.ts";

const PiiPolicy = z.object({
  /** flag: report the types found; redact: mask them before the prompt goes upstream; block: 400. */
  action: z.enum(["off", "flag", "redact", "block"]).default("off"),
  /** The PII types guarded (default: all the detector knows). */
  types: z.array(z.enum(PII_TYPES)).min(1).optional(),
});

const InjectionPolicy = z.object({
  /** flag: report signals at or above `flagThreshold`; block: also 400 at `blockThreshold`. */
  action: z.enum(["off", "flag", "block"]).default("off"),
  flagThreshold: z.number().min(0).max(1).default(0.5),
  blockThreshold: z.number().min(0).max(1).default(0.8),
});

const GuardrailPolicy = z.object({
  pii: PiiPolicy.default({ action: "off" }),
  injection: InjectionPolicy.default({ action: "off", flagThreshold: 0.5, blockThreshold: 0.8 }),
});
/** The guards that apply to one request. */
export type GuardrailPolicy = z.infer<typeof GuardrailPolicy>;

const GuardrailConfig = GuardrailPolicy.extend({
  /** Per tenant id: a policy whose `pii` / `injection` replace the deployment's. */
  tenants: z
    .record(
      z.string(),
      z.object({ pii: PiiPolicy.optional(), injection: InjectionPolicy.optional() }),
    )
    .default({}),
});
/** The deployment's guardrail configuration. */
export type GuardrailConfig = z.infer<typeof GuardrailConfig>;

/** Parses `GUARDRAILS` (JSON text or an object); throws naming the bad field. */
export function parseGuardrails(raw: unknown): GuardrailConfig {
  return parseJsonConfig("GUARDRAILS", GuardrailConfig, raw);
}

/** The policy for one tenant: the deployment's, with the tenant's overrides. */
export function policyFor(config: GuardrailConfig, tenantId: string): GuardrailPolicy {
  const own = config.tenants[tenantId];
  return { pii: own?.pii ?? config.pii, injection: own?.injection ?? config.injection };
}

/** True when no guard is on (the middleware then does nothing at all). */
export const guardsOff = (policy: GuardrailPolicy) =>
  policy.pii.action === "off" && policy.injection.action === "off";
