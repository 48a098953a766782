/**
 * `gateway-overhead --tracing A|B`: what observability costs the edge. Beside configuration A (or
 * B) as it is, the same configuration with an OTLP exporter configured
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` at ./otlp-sink.ts, which answers at once and keeps nothing) and
 * the request log on (`REQUEST_LOG=all`; its lines are read and dropped), timed in the same
 * interleaved rounds. The table gives each round's throughput on/off (median over rounds), the
 * cost that makes, and the run-to-run spread of the off row, with issue 19's goal beside them.
 */
import { PassThrough, type Readable } from "node:stream";
import { median, printTable, quietBrokenPipes, startChild, waitForOutput } from "../lib.ts";
import type { EdgeConfiguration } from "./configurations.ts";
import type { Sample } from "./load.ts";
import type { Row } from "./report.ts";

/** The cost tracing may have with an exporter configured (issue 19). */
const GOAL = 0.03;

/** A line per request on workerd's stdout would drown the tables: read and dropped. */
function dropRequestLog(stdout: Readable, stderr: Readable): void {
  stdout.resume();
  quietBrokenPipes(new PassThrough(), stderr);
}

/** `base` with tracing exported to the bench's sink and the request log on. */
export function tracedConfiguration(base: EdgeConfiguration): EdgeConfiguration {
  return {
    ...base,
    id: `${base.id}+obs`,
    label: `${base.id} + tracing (OTLP) + request log`,
    bindings: { ...base.bindings, REQUEST_LOG: "all" },
    options: { ...base.options, handleRuntimeStdio: dropRequestLog },
    exportsTraces: true,
  };
}

/** Starts the sink in its own process; resolves its base URL. */
export async function startOtlpSink(lifetimeS: number) {
  const sink = startChild(process.execPath, ["--import", "tsx", "bench/gateway/otlp-sink.ts"], {
    lifetimeS,
  });
  const url = (await waitForOutput(sink, /^otlp\s+(http:\/\/\S+)/m))[1] as string;
  return {
    url,
    /** How many exports it received so far. */
    posts: async () => Number(await (await fetch(`${url}/__posts`)).text()),
    stop: () => sink.stop(),
  };
}

/**
 * Prints the on/off table for `off` (the configuration as it is) and `on` (traced), and how many
 * exports the sink received (`posts`: one per request the traced edge answered).
 */
export function reportTracing(
  off: Row,
  on: Row,
  concurrencies: number[],
  samples: Record<string, Sample[]>,
  posts: number,
): void {
  const rps = (key: string, c: number) => (samples[`${key}@${c}`] ?? []).map((s) => s.rps);
  const percent = (v: number) => `${(v * 100).toFixed(1)} %`;
  printTable(
    concurrencies.map((c) => {
      const offs = rps(off.key, c);
      const ons = rps(on.key, c);
      // Paired by round: both ran in it, one after the other.
      const ratio = median(ons.map((r, i) => r / (offs[i] as number)));
      return {
        configuration: on.label,
        concurrency: String(c),
        "off req/s": median(offs),
        "on req/s": median(ons),
        "on/off": ratio,
        cost: percent(1 - ratio),
        "off spread (max-min)/median": percent(
          (Math.max(...offs) - Math.min(...offs)) / median(offs),
        ),
        goal: 1 - ratio <= GOAL ? "met" : "NOT met",
      };
    }),
  );
  console.log(
    `The OTLP sink received ${posts} exports (each isolate batches its requests' spans; ` +
      "none means the traced row exported nothing).",
  );
  console.log(
    `Goal (issue 19): <= ${GOAL * 100}% throughput cost with an exporter configured (on/off >= ` +
      `${1 - GOAL}); off, within the run-to-run spread printed. Targets, not asserts.`,
  );
}
