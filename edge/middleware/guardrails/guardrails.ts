/**
 * Guardrails in front of the inference routes, with the shared detectors
 * (`shared/validate/guards`): PII (flag / redact / block) and prompt-injection heuristics
 * (flag / block). What was found is reported by type only, never by value: in the
 * `x-textnlp-guardrails` response header and in the request's usage row. Redaction makes a new
 * parsed request that everything after this step (the cache key, the provider) reads instead.
 */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../../shared/api/errors.ts";
import { detectInjection } from "../../../shared/validate/guards/injection.ts";
import { detectPii, maskPii } from "../../../shared/validate/guards/pii/detect.ts";
import { type EdgeEnv, settings } from "../../env.ts";
import type { Inference } from "../../inference/request.ts";
import { setAnswerHeaders } from "../../lib/headers.ts";
import { type GuardrailPolicy, guardsOff, policyFor } from "./policy.ts";
import { type TextSlot, textSlots } from "./texts.ts";

/** The response header listing what the guards found (`pii:email`, `injection:role_play`, …). */
export const GUARDRAILS_HEADER = "x-textnlp-guardrails";

/** Roles whose text may carry an injection: what users and tools bring, not the developer's own prompt. */
const UNTRUSTED_ROLES = new Set(["user", "tool", "function"]);

const sorted = (items: Iterable<string>) => [...new Set(items)].sort();

/** What a guard found, and the error that blocks the request when its policy says so. */
interface Verdict {
  findings: string[];
  blocked?: ApiError;
}

/** Runs the PII guard over `slots` (masking them for `redact`). */
function guardPii(policy: GuardrailPolicy["pii"], slots: TextSlot[]): Verdict {
  const options = policy.types ? { types: policy.types } : {};
  const types = new Set<string>();
  for (const slot of slots) {
    if (policy.action === "redact") {
      const masked = maskPii(slot.text, options);
      if (masked.hits.length === 0) continue;
      slot.replace(masked.text);
      for (const hit of masked.hits) types.add(hit.type);
    } else {
      for (const hit of detectPii(slot.text, options)) types.add(hit.type);
    }
  }
  const found = sorted(types);
  return {
    findings: found.map((t) => (policy.action === "redact" ? `pii:${t}:redacted` : `pii:${t}`)),
    blocked:
      policy.action === "block" && found.length > 0
        ? new ApiError(
            400,
            `Blocked by the PII guardrail: the request contains ${found.join(", ")}.`,
            {
              code: "guardrail_pii",
            },
          )
        : undefined,
  };
}

/** Runs the injection guard over the untrusted slots; finds the signal families (by text). */
function guardInjection(policy: GuardrailPolicy["injection"], slots: TextSlot[]): Verdict {
  const categories = new Set<string>();
  let blocking = false;
  for (const slot of slots) {
    if (slot.role !== undefined && !UNTRUSTED_ROLES.has(slot.role)) continue;
    const result = detectInjection(slot.text, policy);
    if (result.verdict === "allow") continue;
    for (const reason of result.reasons) categories.add(reason.category);
    if (result.verdict === "block") blocking = true;
  }
  const found = sorted(categories);
  return {
    findings: found.map((c) => `injection:${c}`),
    blocked:
      policy.action === "block" && blocking
        ? new ApiError(400, `Blocked by the prompt-injection guardrail (${found.join(", ")}).`, {
            code: "guardrail_prompt_injection",
          })
        : undefined,
  };
}

/** The guardrail step of the inference routes; does nothing while the tenant's guards are off. */
export function guardrails(): MiddlewareHandler<EdgeEnv> {
  return async function guardrailsHandler(c, next) {
    const policy = policyFor(settings(c).guardrails, c.get("principal").tenantId);
    if (guardsOff(policy)) return next();
    const inference = c.get("inference");
    // Redaction writes into a copy: the parsed request as read stays as it was.
    const request =
      policy.pii.action === "redact" ? structuredClone(inference.request) : inference.request;
    const slots = textSlots(inference.route, request as unknown as Record<string, unknown>);
    // Recorded as they are found, so a blocked request's usage row names its guard too.
    const findings = c.get("call").guardFindings;
    for (const verdict of [
      policy.injection.action === "off" ? null : guardInjection(policy.injection, slots),
      policy.pii.action === "off" ? null : guardPii(policy.pii, slots),
    ]) {
      if (!verdict) continue;
      findings.push(...verdict.findings);
      if (verdict.blocked) throw verdict.blocked;
    }
    if (findings.some((f) => f.endsWith(":redacted"))) {
      c.set("inference", { ...inference, request } as Inference);
    }
    await next();
    if (findings.length > 0) setAnswerHeaders(c, { [GUARDRAILS_HEADER]: findings.join(", ") });
  };
}
