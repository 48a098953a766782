import { tableFromIPC } from "apache-arrow";
import { readParquet } from "parquet-wasm";
import { describe, expect, it } from "vitest";
import { type ParquetColumn, writeParquet } from "./parquet.ts";

const columns: ParquetColumn[] = [
  { name: "row", type: "INT32", nullable: false },
  { name: "kept", type: "BOOLEAN", nullable: true },
  { name: "topic", type: "STRING", nullable: true },
  { name: "output", type: "STRING", nullable: true },
];

/** Reads a Parquet file with another implementation (arrow-rs compiled to WebAssembly). */
function readBack(bytes: Uint8Array): Record<string, unknown>[] {
  const table = tableFromIPC(readParquet(bytes).intoIPCStream());
  return table.toArray().map((row) => ({ ...row.toJSON() }));
}

async function write(rows: Record<string, unknown>[], rowGroupSize?: number) {
  const chunks: Uint8Array[] = [];
  async function* source() {
    yield* rows;
  }
  await writeParquet({
    columns,
    rows: source(),
    rowGroupSize,
    write: async (chunk) => {
      chunks.push(chunk);
    },
  });
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return { bytes, chunks: chunks.length };
}

describe("writeParquet", () => {
  it("writes rows that another reader gives back equal, unicode and nulls included", async () => {
    const rows = Array.from({ length: 7 }, (_, i) => ({
      row: i,
      kept: i % 3 === 0 ? null : i % 2 === 0,
      topic:
        i === 4
          ? null
          : ["naïve café", "日本語のテキスト", "emoji 🐸🚀", 'a "quoted", comma\nline', ""][i % 5],
      output: i === 5 ? null : `out ${i} — ✓`,
    }));
    // Row groups of 3: the file goes out in several chunks, each handed on as it is made.
    const { bytes, chunks } = await write(rows, 3);
    expect(chunks).toBeGreaterThan(2);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("PAR1");
    expect(readBack(bytes)).toEqual(rows);
  });

  it("writes a valid empty file", async () => {
    const { bytes } = await write([]);
    expect(readBack(bytes)).toEqual([]);
    const table = tableFromIPC(readParquet(bytes).intoIPCStream());
    expect(table.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
      ["row", "Int32", false],
      ["kept", "Bool", true],
      ["topic", "Utf8", true],
      ["output", "Utf8", true],
    ]);
  });
});
