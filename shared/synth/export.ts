/**
 * Dataset exports: JSONL (every field), chat fine-tuning JSONL (messages), and the flat formats,
 * CSV and Parquet, which share one record per sample: key, status, each variable, each generated
 * column, the output, the reason it was dropped or failed, and the model (name, version, sha256)
 * that produced it. Samples are read a page at a time,
 * so an export of any size streams in bounded memory.
 */
import { stringify } from "csv-stringify/sync";
import type { AnySqliteDb } from "../db/audit.ts";
import type { SampleRow, TemplateRow } from "../db/schema/index.ts";
import { columnValues, planColumns } from "./columns.ts";
import { type ParquetColumn, writeParquet } from "./parquet.ts";
import { listSamples, sampleVariableNames } from "./store/jobs.ts";

export type ExportFormat = "jsonl" | "chat" | "csv" | "parquet";

/** Content type and file extension of each format. */
export const exportFormats: Record<ExportFormat, { contentType: string; extension: string }> = {
  jsonl: { contentType: "application/x-ndjson; charset=utf-8", extension: "jsonl" },
  chat: { contentType: "application/x-ndjson; charset=utf-8", extension: "jsonl" },
  csv: { contentType: "text/csv; charset=utf-8", extension: "csv" },
  parquet: { contentType: "application/vnd.apache.parquet", extension: "parquet" },
};

/** Which samples an export holds. */
export type SampleFilter = { status?: "ok"; kept?: boolean };

const PAGE = 1000;

async function* samplesOf(db: AnySqliteDb, jobId: string, filter: SampleFilter) {
  for (let offset = 0; ; offset += PAGE) {
    const page = await listSamples(db, jobId, { ...filter, offset, limit: PAGE });
    yield* page;
    if (page.length < PAGE) return;
  }
}

/** The JSON value of an output when it is JSON, else undefined. */
function parsed(output: string | null): unknown {
  if (output === null) return undefined;
  try {
    return JSON.parse(output);
  } catch {
    return undefined;
  }
}

/** One exported line of a sample (JSONL or chat). */
function exportLine(format: "jsonl" | "chat", sample: SampleRow): string {
  if (format === "chat") {
    const messages = [
      ...(sample.messages ?? []),
      { role: "assistant", content: sample.output ?? "" },
    ];
    return `${JSON.stringify({ messages })}\n`;
  }
  return `${JSON.stringify({
    row: sample.rowIndex,
    sample: sample.sampleIndex,
    status: sample.status,
    variant: sample.variant,
    kept: sample.kept,
    variables: sample.variables,
    ...(sample.columns ? { columns: columnValues(sample.columns) } : {}),
    output: sample.output,
    ...(parsed(sample.output) !== undefined ? { data: parsed(sample.output) } : {}),
    decision: sample.decision ?? null,
    error: sample.error,
    model: sample.model,
    model_version: sample.modelVersion,
    model_sha256: sample.modelSha256,
  })}\n`;
}

type FlatValue = string | number | boolean | null;

/** The fields of the flat formats: every variable of the job and every generated column. */
async function flatColumns(
  db: AnySqliteDb,
  jobId: string,
  template: TemplateRow,
): Promise<ParquetColumn[]> {
  const text = (name: string): ParquetColumn => ({ name, type: "STRING", nullable: true });
  return [
    { name: "row", type: "INT32", nullable: false },
    { name: "sample", type: "INT32", nullable: false },
    { name: "status", type: "STRING", nullable: false },
    { name: "kept", type: "BOOLEAN", nullable: true },
    ...(await sampleVariableNames(db, jobId)).map(text),
    ...planColumns(template.columns ?? []).map((name) => text(`columns.${name}`)),
    text("output"),
    text("reason"),
    text("model"),
    { name: "model_version", type: "INT32", nullable: true },
    text("model_sha256"),
  ];
}

/** A sample as a flat record; a variable that is not a string is written as JSON. */
function flatRecord(sample: SampleRow, columns: ParquetColumn[]): Record<string, FlatValue> {
  const record: Record<string, FlatValue> = {
    row: sample.rowIndex,
    sample: sample.sampleIndex,
    status: sample.status,
    kept: sample.kept,
    output: sample.output,
    reason: sample.decision?.reason ?? sample.error,
    model: sample.model,
    model_version: sample.modelVersion,
    model_sha256: sample.modelSha256,
  };
  for (const { name } of columns) {
    if (name in record) continue;
    if (name.startsWith("columns.")) {
      record[name] = sample.columns?.[name.slice("columns.".length)]?.value ?? null;
    } else {
      const value = sample.variables[name];
      record[name] =
        value === undefined || value === null
          ? null
          : typeof value === "string"
            ? value
            : JSON.stringify(value);
    }
  }
  return record;
}

/** Writes a job's samples in a format, chunk by chunk. */
export async function writeExport(
  db: AnySqliteDb,
  job: { id: string; template: TemplateRow },
  format: ExportFormat,
  filter: SampleFilter,
  write: (chunk: string | Uint8Array) => Promise<unknown>,
): Promise<void> {
  if (format === "jsonl" || format === "chat") {
    for await (const sample of samplesOf(db, job.id, filter))
      await write(exportLine(format, sample));
    return;
  }
  const columns = await flatColumns(db, job.id, job.template);
  const records = async function* () {
    for await (const sample of samplesOf(db, job.id, filter)) yield flatRecord(sample, columns);
  };
  if (format === "parquet") {
    await writeParquet({ columns, rows: records(), write: (chunk) => write(chunk).then(() => {}) });
    return;
  }
  await write(stringify([columns.map((c) => c.name)]));
  for await (const record of records())
    await write(
      stringify([columns.map((c) => record[c.name] ?? "")], {
        cast: { boolean: (value) => String(value) },
      }),
    );
}
