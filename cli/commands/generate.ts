import type { Command } from "commander";
import { UsageError } from "../config.ts";
import { type Context, EXIT, exit, withClient } from "../context.ts";
import { readJson, readRows, writeStream } from "../io.ts";
import { followJob } from "../progress.ts";

const int = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number`);
  return n;
};

/** `textnlp generate`: submits a job, follows it with a progress bar, and exports the result. */
export function registerGenerateCommand(program: Command): void {
  program
    .command("generate")
    .description("generate a dataset from a template on the server, following its progress")
    .requiredOption("-t, --template <name>", "template name")
    .option("--template-version <n>", "template version (default: latest)")
    .option("-m, --model <model>", "model (default: from the config file)")
    .option("--rows <file>", "seed rows, JSONL or CSV")
    .option("--count <n>", "rows without variables (samplers only), when --rows is not given")
    .option("-n, --samples <n>", "samples per row", "1")
    .option("--samplers <file>", "JSON file: samplers by variable name")
    .option("--steps <file>", "JSON file: post-processing steps (dedup, filters, judge)")
    .option("-c, --concurrency <n>", "parallel requests")
    .option("--seed <n>", "seed (same seed, same dataset)")
    .option("-o, --out <file>", "write the dataset here when done (- for stdout)")
    .option("--format <format>", "jsonl, csv or chat", "jsonl")
    .option("--no-wait", "submit and print the job id without following it")
    .action(
      withClient(async (ctx: Context, flags: Record<string, string | boolean | undefined>) => {
        const model = (flags.model as string | undefined) ?? ctx.settings.model;
        if (!model) throw new UsageError("--model is required (or set model in the config file)");
        if (!flags.rows && flags.count === undefined)
          throw new UsageError("give --rows <file> or --count <n>");
        const job = await ctx.client.jobs.create({
          template: flags.template as string,
          template_version: int("template-version", flags.templateVersion as string | undefined),
          model,
          ...(flags.rows
            ? { rows: readRows(flags.rows as string) }
            : { row_count: int("count", flags.count as string) }),
          samples_per_row: int("samples", flags.samples as string),
          concurrency:
            int("concurrency", flags.concurrency as string | undefined) ?? ctx.settings.concurrency,
          seed: int("seed", flags.seed as string | undefined),
          samplers: flags.samplers
            ? (readJson(flags.samplers as string) as Record<string, never>)
            : undefined,
          steps: flags.steps ? (readJson(flags.steps as string) as never[]) : undefined,
        });
        if (flags.wait === false) return ctx.print(job, job.id);
        const controller = new AbortController();
        process.once("SIGINT", () => controller.abort());
        const final = await followJob(ctx.client, job.id, {
          json: ctx.json,
          signal: controller.signal,
        });
        if (final.status !== "done") {
          return exit(
            EXIT.jobUnfinished,
            `job ${final.id} ended ${final.status}${final.error ? `: ${final.error}` : ""} (resume it with 'textnlp jobs resume ${final.id}')`,
          );
        }
        if (flags.out)
          await writeStream(
            await ctx.client.datasets.export(final.id, { format: flags.format as "jsonl" }),
            flags.out as string,
          );
        ctx.print(
          final,
          `${final.id}: done, ${final.progress.ok} samples (${final.progress.failed} failed${final.progress.kept === null ? "" : `, ${final.progress.kept} kept`})${flags.out && flags.out !== "-" ? ` → ${flags.out}` : ""}`,
        );
      }),
    );
}
