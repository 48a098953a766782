import { createWriteStream, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse as parseCsv } from "csv-parse/sync";
import { UsageError } from "./config.ts";

/** Reads seed rows from a JSONL or CSV file (by extension); a bad line names its number. */
export function readRows(file: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (/\.csv$/i.test(file)) {
    try {
      return parseCsv(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<
        string,
        unknown
      >[];
    } catch (err) {
      throw new UsageError(`${file} is not valid CSV: ${(err as Error).message}`);
    }
  }
  return text.split(/\r?\n/).flatMap((line, index) => {
    if (!line.trim()) return [];
    try {
      const value = JSON.parse(line) as unknown;
      if (!value || typeof value !== "object" || Array.isArray(value))
        throw new Error("each line must be a JSON object");
      return [value as Record<string, unknown>];
    } catch (err) {
      throw new UsageError(`${file} line ${index + 1}: ${(err as Error).message}`);
    }
  });
}

/** Reads a JSON file, naming the file in errors. */
export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`cannot read ${file} as JSON: ${(err as Error).message}`);
  }
}

/** Writes a web stream to a file (or stdout for `-`). */
export async function writeStream(body: ReadableStream<Uint8Array>, out: string): Promise<void> {
  const source = Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
  await pipeline(source, out === "-" ? process.stdout : createWriteStream(out));
}

/** Prints JSON or a line of text. */
export function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}
