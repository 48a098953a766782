/** Reading Prometheus' text exposition in tests, strictly (a bad line fails the test). */
import { expect } from "vitest";

/**
 * Samples of a Prometheus text exposition (Prometheus parses values like Go's ParseFloat, so
 * NaN and Inf in any case), keyed `name{labels}`; throws on any bad line.
 */
export function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  const sample =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?|[Nn]a[Nn]|[+-][Ii]nf)$/;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") {
        expect(["counter", "gauge", "histogram", "summary", "untyped"]).toContain(meta[3]);
        types.set(meta[2] as string, meta[3] as string);
      }
      continue;
    }
    const m = sample.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    const base = (m[1] as string).replace(/_(bucket|sum|count|total)$/, "");
    if (!types.has(m[1] as string) && !types.has(base))
      throw new Error(`sample without TYPE: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ""}`, Number(m[3]));
  }
  return samples;
}

/** Sum of the samples of `name` whose labels include every `label="value"` given. */
export function total(samples: Map<string, number>, name: string, labels: string[] = []): number {
  let sum = 0;
  for (const [key, value] of samples) {
    const at = key.indexOf("{");
    const keyName = at < 0 ? key : key.slice(0, at);
    if (keyName === name && labels.every((l) => key.includes(l))) sum += value;
  }
  return sum;
}
