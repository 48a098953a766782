/**
 * The bench's tables: every row beside Portkey's plain configuration measured in the same round,
 * the `req/s ours/portkey` summary with the goals printed beside the figures (targets,
 * not asserts), and the storage round trips per request.
 */
import { median, printTable } from "../lib.ts";
import type { Sample } from "./load.ts";
import type { RoundTrips } from "./round-trips.ts";

/** A timed row: `upstream` false for the hello-world ceiling, which calls none. */
export interface Row {
  key: string;
  label: string;
  upstream: boolean;
}

const ms = (v: number) => v.toFixed(2);

/**
 * Prints the tables. `samples[`${key}@${c}`]` holds one sample per round for every row and for
 * `direct` and `portkey`; added latency is a round's p50 minus that round's direct p50.
 */
export function report(
  rows: Row[],
  concurrencies: number[],
  samples: Record<string, Sample[]>,
  trips: Record<string, RoundTrips | undefined>,
): void {
  const of = (key: string, c: number) => samples[`${key}@${c}`] ?? [];
  const rps = (key: string, c: number) => median(of(key, c).map((s) => s.rps));
  const added = (key: string, c: number) => {
    const direct = of("direct", c);
    return median(of(key, c).map((s, i) => s.p50 - (direct[i] as Sample).p50));
  };
  const main: Record<string, string | number>[] = [];
  for (const row of [
    { key: "direct", label: "direct to the fake upstream", upstream: true },
    ...rows,
  ]) {
    for (const c of concurrencies) {
      const isDirect = row.key === "direct";
      main.push({
        configuration: row.label,
        concurrency: String(c),
        "req/s": rps(row.key, c),
        "Portkey req/s": rps("portkey", c),
        ratio: isDirect ? "-" : rps(row.key, c) / rps("portkey", c),
        "p50 ms": median(of(row.key, c).map((s) => s.p50)),
        "added p50 ms ours / Portkey":
          isDirect || !row.upstream ? "-" : `${ms(added(row.key, c))} / ${ms(added("portkey", c))}`,
      });
    }
  }
  printTable(main);

  console.log("");
  const goals: Record<string, string | number>[] = [];
  const targets: [string, number][] = [
    ["A", 1.5],
    ["B", 1.0],
  ];
  for (const [key, target] of targets) {
    const row = rows.find((r) => r.key === key);
    if (!row) continue;
    for (const c of concurrencies) {
      const ratio = rps(key, c) / rps("portkey", c);
      goals.push({
        configuration: row.label,
        concurrency: String(c),
        "req/s ours/portkey": ratio,
        "added p50 ours/portkey": added(key, c) / added("portkey", c),
        target: `>= ${target.toFixed(1)}x`,
        goal: ratio >= target ? "met" : "NOT met",
      });
    }
  }
  printTable(goals);
  if (concurrencies.includes(1) && rows.some((r) => r.key === "pass-through")) {
    const over = added("A", 1) - added("pass-through", 1);
    console.log(
      `A adds ${ms(over)} ms of p50 over the pass-through proxy at concurrency 1 ` +
        `(target <= 0.30 ms): ${over <= 0.3 ? "met" : "NOT met"}`,
    );
  }
  console.log(
    "Goals (issue 14): A >= 1.5x Portkey's req/s at concurrency 1 and 64; A's added p50 within " +
      "0.3 ms of the pass-through proxy's at 1; B >= 1.0x Portkey. Targets, not asserts.",
  );

  console.log("");
  printTable(
    rows
      .filter((r) => r.key in trips)
      .map((r) => {
        const t = trips[r.key];
        return {
          configuration: r.label,
          "D1 / request": t ? t.d1 : "-",
          "KV / request": t ? t.kv : "-",
          "Durable Object calls / request": t ? t.durableObject : "-",
        };
      }),
  );
  console.log(
    "Round trips counted inside workerd on wrapped bindings (bench/workers/counted-edge.ts, the " +
      "counters of edge/test/round-trips.ts) in a separate, untimed instance; warm isolate.",
  );
}
