import type { Command } from "commander";
import type { Job } from "../../shared/api/schemas/synth.ts";
import { type Context, EXIT, exit, withClient } from "../context.ts";
import { writeStream } from "../io.ts";
import { followJob } from "../progress.ts";

/** The formats `datasets export` and `generate -o` write. */
export const EXPORT_FORMATS = ["jsonl", "csv", "chat", "parquet"];

const line = (job: Job) =>
  `${job.id}\t${job.status}\t${job.progress.done}/${job.total}\t${job.template.name}@${job.template.version}\t${job.model}`;

/** `textnlp jobs list|show|watch|pause|cancel|resume` and `textnlp datasets export|list|delete`. */
export function registerJobCommands(program: Command): void {
  const jobs = program.command("jobs").description("batch generation jobs");
  jobs
    .command("list")
    .description("recent jobs")
    .action(
      withClient(async (ctx: Context) => {
        const { data } = await ctx.client.jobs.list();
        ctx.print(data, data.map(line).join("\n") || "(none)");
      }),
    );
  jobs
    .command("show")
    .argument("<id>")
    .description("a job and its progress")
    .action(
      withClient(async (ctx: Context, id: string) => {
        const job = await ctx.client.jobs.get(id);
        ctx.print(
          job,
          `${line(job)}\nfailed ${job.progress.failed}, tokens ${job.progress.completion_tokens}${job.error ? `\nerror: ${job.error}` : ""}`,
        );
      }),
    );
  jobs
    .command("watch")
    .argument("<id>")
    .description("follow a job until it ends")
    .action(
      withClient(async (ctx: Context, id: string) => {
        const final = await followJob(ctx.client, id, { json: ctx.json });
        ctx.print(final, line(final));
        if (final.status !== "done") process.exitCode = EXIT.jobUnfinished;
      }),
    );
  jobs
    .command("cancel")
    .argument("<id>")
    .description("cancel a job (committed samples stay)")
    .action(
      withClient(async (ctx: Context, id: string) => {
        const job = await ctx.client.jobs.cancel(id);
        ctx.print(job, line(job));
      }),
    );
  jobs
    .command("pause")
    .argument("<id>")
    .description("pause a job (resume continues it)")
    .action(
      withClient(async (ctx: Context, id: string) => {
        const job = await ctx.client.jobs.pause(id);
        ctx.print(job, line(job));
      }),
    );
  jobs
    .command("resume")
    .argument("<id>")
    .description("resume a paused, cancelled or failed job")
    .action(
      withClient(async (ctx: Context, id: string) => {
        const job = await ctx.client.jobs.resume(id);
        ctx.print(job, line(job));
      }),
    );

  const datasets = program
    .command("datasets")
    .description("datasets (the results of finished jobs)");
  datasets.command("list").action(
    withClient(async (ctx: Context) => {
      const { data } = await ctx.client.datasets.list();
      ctx.print(
        data,
        data
          .map(
            (d) => `${d.id}\t${d.kept}/${d.samples} kept\t${d.template.name}@${d.template.version}`,
          )
          .join("\n") || "(none)",
      );
    }),
  );
  datasets
    .command("export")
    .argument("<id>")
    .option("--format <format>", "jsonl, csv, chat or parquet", "jsonl")
    .option("--all", "every generated sample, not only those post-processing kept")
    .option("-o, --out <file>", "output file (- for stdout)", "-")
    .action(
      withClient(
        async (ctx: Context, id: string, flags: { format: string; all?: boolean; out: string }) => {
          if (!EXPORT_FORMATS.includes(flags.format))
            return exit(
              EXIT.usage,
              `unknown --format ${flags.format} (use ${EXPORT_FORMATS.join(", ")})`,
            );
          if (flags.format === "parquet" && flags.out === "-" && process.stdout.isTTY)
            return exit(EXIT.usage, "Parquet is binary: give -o <file> (or redirect stdout)");
          await writeStream(
            await ctx.client.datasets.export(id, {
              format: flags.format as "jsonl",
              include: flags.all ? "all" : "kept",
            }),
            flags.out,
          );
        },
      ),
    );
  datasets
    .command("delete")
    .argument("<id>")
    .action(
      withClient(async (ctx: Context, id: string) => {
        ctx.print(await ctx.client.datasets.delete(id), `deleted ${id}`);
      }),
    );
}
