/**
 * The guards of `textnlp validate` (PII, prompt injection, toxicity lexicon) over line files,
 * computed by `runValidation`, the same code `POST /v1/validate` runs.
 */
import type { CountryCode } from "libphonenumber-js/max";
import type { PiiType } from "../../shared/validate/guards/pii/types.ts";
import { runValidation, type ValidationInput } from "../../shared/validate/run.ts";
import type { MetricReport } from "./reference-metrics.ts";

/** Options of the guards, as their flags give them. */
export interface GuardOptions {
  pii?: { types?: PiiType[]; defaultCountry?: CountryCode; mask?: boolean };
  injection?: { flagThreshold?: number; blockThreshold?: number };
  toxicity?: { threshold?: number };
}

/**
 * One guard over the lines. Without `--json` it prints a summary, each line's verdict with
 * `sentence`, or, for `pii --mask`, the masked lines themselves (a filter for files).
 */
export function guardReport(
  guard: "pii" | "injection" | "toxicity",
  texts: readonly string[],
  options: GuardOptions,
  sentence: boolean,
): MetricReport {
  const input: ValidationInput = { metrics: [guard], hypotheses: texts, ...options };
  const { results, aggregate } = runValidation(input);
  const figures = aggregate[guard] as Record<string, unknown>;
  const perLine = results.map((r) => r[guard] as Record<string, unknown>);
  const json: Record<string, unknown> = { name: guard, count: texts.length, ...figures };
  if (sentence || (guard === "pii" && options.pii?.mask)) json.sentences = perLine;
  let text: string;
  if (guard === "pii") {
    const byType = Object.entries(figures.hits_by_type as Record<string, number>)
      .map(([type, n]) => `${type} ${n}`)
      .join(", ");
    text = `texts with PII = ${figures.texts_with_pii} of ${texts.length}${byType ? ` (${byType})` : ""}`;
    if (options.pii?.mask) text = perLine.map((r) => r.masked as string).join("\n");
    else if (sentence)
      text = perLine
        .map((r) =>
          (r.hits as { type: string; value: string }[])
            .map((h) => `${h.type}:${h.value}`)
            .join("\t"),
        )
        .join("\n");
  } else if (guard === "injection") {
    text = `flagged = ${figures.flagged} blocked = ${figures.blocked} of ${texts.length} (mean score ${(figures.mean_score as number).toFixed(4)})`;
    if (sentence)
      text = perLine.map((r) => `${r.verdict}\t${(r.score as number).toFixed(4)}`).join("\n");
  } else {
    text = `flagged = ${figures.flagged} of ${texts.length} at ${figures.threshold} (mean score ${(figures.mean_score as number).toFixed(4)})`;
    if (sentence)
      text = perLine
        .map((r) => `${r.flagged ? "flag" : "ok"}\t${(r.score as number).toFixed(4)}`)
        .join("\n");
  }
  return { json, text };
}
