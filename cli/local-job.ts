/**
 * `textnlp generate --local`: the job engine runs in this process against any OpenAI-compatible
 * endpoint, with its state in a SQLite file beside the output, so `--resume` continues a killed
 * run generating only what is missing. The output file is written when the run completes.
 */
import { createHash } from "node:crypto";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { Ajv } from "ajv";
import Database from "better-sqlite3";
import type { TextNlpClient } from "../shared/sdk/index.ts";
import { columnValues, type GeneratedColumn, recordedColumns } from "../shared/synth/columns.ts";
import {
  type JobProgress,
  type JobStore,
  runJob,
  type SampleOutcome,
} from "../shared/synth/job-runner.ts";
import { createTemplateSampleGenerator, variablesOf } from "../shared/synth/sample-generator.ts";
import type { Sampler } from "../shared/synth/samplers.ts";
import type { TemplatePrompt } from "../shared/synth/template.ts";
import { UsageError } from "./config.ts";

/** Everything that defines a local run; a resumed run must match it exactly. */
export interface LocalJobSpec {
  template: TemplatePrompt & {
    outputSchema?: Record<string, unknown> | null;
    params?: Record<string, unknown>;
    columns?: GeneratedColumn[] | null;
  };
  model: string;
  rows: Record<string, unknown>[];
  samplesPerRow: number;
  samplers: Record<string, Sampler>;
  concurrency: number;
  seed: number;
}

const SCHEMA = `
  create table if not exists meta (key text primary key, value text not null);
  create table if not exists samples (
    row integer not null, sample integer not null, status text not null, variables text not null,
    output text, error text, attempts integer not null, completion_tokens integer not null default 0,
    primary key (row, sample)
  );
  create table if not exists sample_columns (
    row integer not null, sample integer not null, name text not null, value text not null,
    messages text not null, prompt_tokens integer not null, completion_tokens integer not null,
    primary key (row, sample, name)
  );`;

/** The state file of an output file. */
export const stateFileOf = (out: string) => `${out}.state.sqlite`;

/** Opens (or, unless resuming, creates) the state of a local run; refuses a mismatched resume. */
export function openLocalState(
  out: string,
  spec: LocalJobSpec,
  resume: boolean,
): Database.Database {
  const file = stateFileOf(out);
  const exists = existsSync(file);
  if (exists && !resume)
    throw new UsageError(`${file} holds an earlier run: add --resume to continue it, or delete it`);
  if (!exists && resume) throw new UsageError(`nothing to resume: ${file} does not exist`);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec(SCHEMA);
  // State files from before generated columns lack the samples.columns field.
  const fields = db.prepare("pragma table_info(samples)").all() as { name: string }[];
  if (!fields.some((f) => f.name === "columns"))
    db.exec("alter table samples add column columns text");
  const fingerprint = createHash("sha256").update(JSON.stringify(spec)).digest("hex");
  const stored = db.prepare("select value from meta where key = 'spec'").get() as
    | { value: string }
    | undefined;
  if (stored && stored.value !== fingerprint) {
    db.close();
    throw new UsageError(
      `${file} was made by a different template, model, rows or options; --resume needs the same ones`,
    );
  }
  db.prepare("insert or ignore into meta (key, value) values ('spec', ?)").run(fingerprint);
  db.prepare("insert or ignore into meta (key, value) values ('seed', ?)").run(String(spec.seed));
  return db;
}

/** The seed an earlier run of this output used, so `--resume` needs no `--seed`. */
export function storedSeed(out: string): number | undefined {
  const file = stateFileOf(out);
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare("select value from meta where key = 'seed'").get() as
      | { value: string }
      | undefined;
    return row ? Number(row.value) : undefined;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

/** Runs (or resumes) a local job and writes the JSONL output when it completes. */
export async function runLocalJob(
  client: TextNlpClient,
  spec: LocalJobSpec,
  db: Database.Database,
  out: string,
  options: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void },
): Promise<JobProgress & { state: "done" | "cancelled" }> {
  const insert = db.prepare(
    `insert or ignore into samples (row, sample, status, variables, output, columns, error, attempts, completion_tokens)
     values (@row, @sample, @status, @variables, @output, @columns, @error, @attempts, @completionTokens)`,
  );
  const dropColumns = db.prepare("delete from sample_columns where row = ? and sample = ?");
  // The sample and the removal of its saved columns land together, or neither does.
  const commit = db.transaction((o: SampleOutcome) => {
    insert.run({
      row: o.row,
      sample: o.sample,
      status: o.status,
      variables: JSON.stringify(o.variables),
      output: o.status === "ok" ? o.output : null,
      columns: o.status === "ok" && o.columns ? JSON.stringify(recordedColumns(o.columns)) : null,
      error: o.status === "failed" ? o.error : null,
      attempts: o.attempts,
      completionTokens: o.status === "ok" ? o.completionTokens : 0,
    });
    dropColumns.run(o.row, o.sample);
  });
  const saveColumn = db.prepare(
    `insert or ignore into sample_columns (row, sample, name, value, messages, prompt_tokens, completion_tokens)
     values (?, ?, ?, ?, ?, ?, ?)`,
  );
  const loadColumns = db.prepare("select * from sample_columns where row = ? and sample = ?");
  const store: JobStore = {
    committedKeys: () =>
      new Set(
        (
          db.prepare("select row, sample from samples").all() as { row: number; sample: number }[]
        ).map((r) => `${r.row}:${r.sample}`),
      ),
    commit: (o: SampleOutcome) => void commit(o),
    loadColumns: (task) =>
      Object.fromEntries(
        (loadColumns.all(task.row, task.sample) as Record<string, string & number>[]).map((r) => [
          r.name,
          {
            value: r.value,
            messages: JSON.parse(r.messages),
            promptTokens: r.prompt_tokens,
            completionTokens: r.completion_tokens,
          },
        ]),
      ),
    saveColumn: (task, name, c) =>
      void saveColumn.run(
        task.row,
        task.sample,
        name,
        c.value,
        JSON.stringify(c.messages),
        c.promptTokens,
        c.completionTokens,
      ),
  };
  const validate = spec.template.outputSchema
    ? new Ajv({ strict: false }).compile(spec.template.outputSchema)
    : undefined;
  const sampling = {
    rows: (row: number) => spec.rows[row] ?? {},
    samplers: spec.samplers,
    seed: spec.seed,
  };
  const generate = createTemplateSampleGenerator({
    ...sampling,
    template: spec.template,
    model: spec.model,
    params: (spec.template.params ?? {}) as { temperature?: number; max_tokens?: number },
    validateOutput: validate
      ? (value) => (validate(value) ? null : JSON.stringify(validate.errors))
      : undefined,
    complete: async (request) => {
      const res = await client.chat.create(request);
      return {
        text: res.choices[0]?.message.content ?? "",
        finishReason: res.choices[0]?.finish_reason ?? "stop",
        promptTokens: res.usage.prompt_tokens,
        completionTokens: res.usage.completion_tokens,
      };
    },
  });
  const result = await runJob(
    { rows: spec.rows.length, samplesPerRow: spec.samplesPerRow, concurrency: spec.concurrency },
    store,
    generate,
    {
      signal: options.signal,
      onProgress: options.onProgress,
      variablesFor: (task) => variablesOf(sampling, task),
    },
  );
  if (result.state === "done") {
    const rows = db.prepare("select * from samples order by row, sample").all() as Record<
      string,
      unknown
    >[];
    const lines = rows.map((r) =>
      JSON.stringify({
        row: r.row,
        sample: r.sample,
        status: r.status,
        variables: JSON.parse(r.variables as string),
        ...(r.columns ? { columns: columnValues(JSON.parse(r.columns as string)) } : {}),
        output: r.output,
        error: r.error,
      }),
    );
    // Written whole and renamed, so a reader never sees half a file.
    writeFileSync(`${out}.partial`, lines.length ? `${lines.join("\n")}\n` : "");
    renameSync(`${out}.partial`, out);
  }
  return { ...result.progress, state: result.state };
}
