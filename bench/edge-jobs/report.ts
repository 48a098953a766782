/**
 * The bench's tables: samples/s of the job and of direct requests with the ratio and the goal
 * beside it (printed, never asserted), then where each run's wall time went (timeline.ts), the
 * D1 statements per sample, and for each concurrency that misses the goal, the job's extra time
 * taken apart.
 */
import { median, printTable } from "../lib.ts";
import type { Breakdown } from "./timeline.ts";

/** The goal: a job at >= 0.9x the direct rate at each concurrency. */
export const GOAL = 0.9;

/** What the run was. */
export interface Plan {
  samples: number;
  concurrencies: number[];
  queueBatch: number;
  /** D1 statements per sample (counted edge). */
  d1: { job: number; direct: number };
}

/** The tables: rates and ratios with the goal, then where the time went, as medians of rounds. */
export function report(results: Record<string, Breakdown[]>, plan: Plan): void {
  const { samples, concurrencies, queueBatch, d1 } = plan;
  const of = (key: string) => results[key] ?? [];
  const med = (key: string, pick: (b: Breakdown) => number) => median(of(key).map(pick));
  const rate = (key: string) => med(key, (b) => samples / b.seconds);
  console.log("\nsamples/s, medians of rounds (local emulator (Miniflare) figures)");
  printTable(
    concurrencies.map((c) => {
      const ratio = rate(`job@${c}`) / rate(`direct@${c}`);
      return {
        concurrency: String(c),
        "job samples/s": rate(`job@${c}`),
        "direct samples/s": rate(`direct@${c}`),
        "job/direct": ratio,
        goal: `>= ${GOAL}`,
        met: ratio >= GOAL ? "yes" : "NO",
      };
    }),
  );

  console.log(
    "\nwhere the time went (ms, medians of rounds): lead = start to the provider's first call; " +
      "idle/sample = provider slots idle per sample inside messages (the work between one " +
      "answer and that worker's next call); between msgs / deliveries = no call in flight; " +
      "tail = last answer to done seen",
  );
  const rowsOut: Record<string, string | number>[] = [];
  for (const c of concurrencies) {
    for (const path of ["job", "direct"]) {
      const key = `${path}@${c}`;
      rowsOut.push({
        concurrency: String(c),
        path,
        "wall s": med(key, (b) => b.seconds),
        lead: med(key, (b) => b.lead),
        "provider/call": med(key, (b) => b.providerPerCall),
        "idle/sample": med(key, (b) => b.idlePerSample),
        "between msgs": path === "job" ? med(key, (b) => b.betweenMessages) : "-",
        "between deliveries": path === "job" ? med(key, (b) => b.betweenDeliveries) : "-",
        tail: med(key, (b) => b.tail),
      });
    }
  }
  printTable(rowsOut);
  console.log(
    `D1 statements per sample (counted inside workerd, an edge of its own): job ` +
      `${d1.job.toFixed(2)}, direct request ${d1.direct.toFixed(2)}`,
  );

  for (const c of concurrencies) {
    const ratio = rate(`job@${c}`) / rate(`direct@${c}`);
    if (ratio >= GOAL) continue;
    const job = (pick: (b: Breakdown) => number) => med(`job@${c}`, pick);
    const dir = (pick: (b: Breakdown) => number) => med(`direct@${c}`, pick);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const messages = job((b) => b.messages);
    const deliveries = Math.ceil(messages / queueBatch);
    const per = (ms: number, n: number) => (n > 0 ? ` (${(ms / n).toFixed(0)} ms each)` : "");
    console.log(
      `\nconcurrency ${c}: job/direct ${ratio.toFixed(3)} < ${GOAL}. The job took ` +
        `${s(1000 * (job((b) => b.seconds) - dir((b) => b.seconds)))} more: lead ` +
        `${s(job((b) => b.lead) - dir((b) => b.lead))}; inside messages ` +
        `${s(job((b) => b.inside) - dir((b) => b.inside))} (idle per sample ` +
        `${job((b) => b.idlePerSample).toFixed(1)} ms vs ${dir((b) => b.idlePerSample).toFixed(1)} ` +
        `ms direct); between the messages of a delivery ${s(job((b) => b.betweenMessages))}` +
        `${per(
          job((b) => b.betweenMessages),
          messages - deliveries,
        )}; between deliveries ` +
        `${s(job((b) => b.betweenDeliveries))}${per(
          job((b) => b.betweenDeliveries),
          deliveries - 1,
        )}` +
        `; tail ${s(job((b) => b.tail) - dir((b) => b.tail))}.`,
    );
  }
}
