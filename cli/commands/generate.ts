import { createReadStream, existsSync } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import type { Command } from "commander";
import { z } from "zod";
import { TextNlpError } from "../../shared/sdk/index.ts";
import { GeneratedColumn, planColumns } from "../../shared/synth/columns.ts";
import { UsageError } from "../config.ts";
import { type Context, EXIT, exit, withClient } from "../context.ts";
import { readJson, readRows, writeStream } from "../io.ts";
import { type LocalJobSpec, openLocalState, runLocalJob, storedSeed } from "../local-job.ts";
import { followJob, ProgressDisplay } from "../progress.ts";
import { EXPORT_FORMATS } from "./jobs.ts";

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
    .option("-t, --template <name>", "template name (on the server)")
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
    .option("--format <format>", "jsonl, csv, chat or parquet (for -o)", "jsonl")
    .option("--no-wait", "submit and print the job id without following it")
    .option(
      "--local",
      "run the job engine here against any OpenAI-compatible endpoint (state beside --out)",
    )
    .option(
      "--template-file <file>",
      "with --local: the template as JSON {prompt, system?, output_schema?, params?, columns?}",
    )
    .option("--resume", "with --local: continue the run whose state is beside --out")
    .action(
      withClient(async (ctx: Context, flags: Record<string, string | boolean | undefined>) => {
        const model = (flags.model as string | undefined) ?? ctx.settings.model;
        if (!model) throw new UsageError("--model is required (or set model in the config file)");
        if (!flags.rows && flags.count === undefined)
          throw new UsageError("give --rows <file> or --count <n>");
        if (!EXPORT_FORMATS.includes(flags.format as string))
          throw new UsageError(
            `unknown --format ${flags.format} (use ${EXPORT_FORMATS.join(", ")})`,
          );
        if (flags.local && flags.format !== "jsonl")
          throw new UsageError("--local writes JSONL; export other formats from a server job");
        if (flags.local) return generateLocally(ctx, model, flags);
        if (!flags.template)
          throw new UsageError("--template is required (or --local with --template-file)");
        const job = await ctx.client.jobs.create({
          template: flags.template as string,
          template_version: int("template-version", flags.templateVersion as string | undefined),
          model,
          ...(flags.rows
            ? { seed_set: await uploadRows(ctx, flags.rows as string) }
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

async function generateLocally(
  ctx: Context,
  model: string,
  flags: Record<string, string | boolean | undefined>,
): Promise<void> {
  const out = flags.out as string | undefined;
  if (!out || out === "-")
    throw new UsageError("--local needs --out <file> (its state is kept beside it)");
  if (!flags.templateFile) throw new UsageError("--local needs --template-file <file>");
  const template = readJson(flags.templateFile as string) as LocalJobSpec["template"] & {
    output_schema?: Record<string, unknown>;
  };
  if (typeof template?.prompt !== "string")
    throw new UsageError(`${flags.templateFile} has no "prompt"`);
  const columns = checkLocalColumns(flags.templateFile as string, template);
  const resume = flags.resume === true;
  const spec: LocalJobSpec = {
    template: {
      system: template.system ?? null,
      prompt: template.prompt,
      outputSchema: template.output_schema ?? null,
      params: template.params ?? {},
      ...(columns ? { columns } : {}),
    },
    model,
    rows: flags.rows
      ? readRows(flags.rows as string)
      : Array.from({ length: int("count", flags.count as string) ?? 0 }, () => ({})),
    samplesPerRow: int("samples", flags.samples as string) ?? 1,
    samplers: flags.samplers
      ? (readJson(flags.samplers as string) as LocalJobSpec["samplers"])
      : {},
    concurrency:
      int("concurrency", flags.concurrency as string | undefined) ?? ctx.settings.concurrency ?? 4,
    seed:
      int("seed", flags.seed as string | undefined) ??
      (resume ? storedSeed(out) : undefined) ??
      Math.floor(Math.random() * 2 ** 31),
  };
  const db = openLocalState(out, spec, resume);
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  const display = new ProgressDisplay(ctx.json);
  const id = `local:${out}`;
  try {
    const result = await runLocalJob(ctx.client, spec, db, out, {
      signal: controller.signal,
      onProgress: (p) =>
        display.update({
          id,
          status: "running",
          total: p.total,
          done: p.done,
          failed: p.failed,
          rate: p.rate,
          etaSeconds: p.etaSeconds,
        }),
    });
    display.update({
      id,
      status: result.state,
      total: result.total,
      done: result.done,
      failed: result.failed,
      rate: result.rate,
      etaSeconds: 0,
    });
    display.stop();
    if (result.state !== "done")
      return exit(
        EXIT.jobUnfinished,
        `stopped at ${result.done}/${result.total}; continue with the same command and --resume`,
      );
    ctx.print(
      { out, ...result },
      `done, ${result.done} samples (${result.failed} failed) → ${out}`,
    );
  } finally {
    display.stop();
    db.close();
  }
}

/** Streams a rows file to the server as a seed set (any size up to the server's upload limit). */
async function uploadRows(ctx: Context, file: string): Promise<string> {
  if (!existsSync(file)) throw new UsageError(`cannot read ${file}: no such file`);
  const format = /\.csv$/i.test(file) ? "csv" : "jsonl";
  const body = Readable.toWeb(createReadStream(file)) as unknown as ReadableStream<Uint8Array>;
  try {
    return (await ctx.client.seedRows.upload(basename(file), body, format)).id;
  } catch (err) {
    if (err instanceof TextNlpError && err.code === "invalid_seed_rows")
      throw new UsageError(`${file}: ${err.message}`);
    throw err;
  }
}

/** A template file's generated columns, checked as the server checks them (a usage error names the problem). */
function checkLocalColumns(
  file: string,
  template: { prompt: string; system?: string | null; columns?: unknown },
) {
  if (template.columns === undefined) return undefined;
  const parsed = z.array(GeneratedColumn).min(1).safeParse(template.columns);
  if (!parsed.success)
    throw new UsageError(
      `${file}: columns: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
  try {
    planColumns(parsed.data, [
      ...(template.system ? [{ field: "system", source: template.system }] : []),
      { field: "prompt", source: template.prompt },
    ]);
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  return parsed.data;
}
