/**
 * Parquet output for dataset exports, written with hyparquet-writer (pure JavaScript, no native
 * code, so it runs in Node and Workers). Rows are pulled one row group at a time and each group's
 * bytes are handed on as soon as it is encoded: memory stays bounded by a row group, not the
 * dataset, although a reader needs the whole file (the footer comes last).
 */
import { ByteWriter, parquetWriteRows } from "hyparquet-writer";

/** A column of the file: its Parquet type, and whether it may hold nulls. */
export interface ParquetColumn {
  name: string;
  type: "STRING" | "INT32" | "BOOLEAN";
  nullable: boolean;
}

/** Options of {@link writeParquet}. */
export interface WriteParquetOptions {
  columns: ParquetColumn[];
  rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>;
  /** Receives the file's bytes in order. */
  write: (chunk: Uint8Array) => Promise<void>;
  rowGroupSize?: number;
}

/**
 * A byte writer that hands its bytes on after each row group and at the end, then reuses its
 * buffer; `offset` (bytes written in total) keeps counting, so the footer's offsets stay right.
 */
class ChunkedWriter extends ByteWriter {
  /** Set when no row was written: the footer needs {@link patchEmptyRowGroups}. */
  empty = false;

  constructor(private readonly send: (chunk: Uint8Array) => Promise<void>) {
    super();
  }

  async flush(): Promise<void> {
    if (this.index === 0) return;
    const chunk = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    await this.send(chunk);
  }

  override finish(): Promise<void> {
    if (this.empty) patchEmptyRowGroups(new Uint8Array(this.buffer, 0, this.index));
    return this.flush();
  }
}

/**
 * hyparquet-writer 0.17 writes the empty `row_groups` list of a file without rows with element
 * type 0, which no other reader accepts (arrow-rs: "Expected list element type of Struct but got
 * Byte"). In the footer, `num_rows = 0` (field 3, i64: 0x16 0x00) is followed by the list header
 * of field 4 (0x19) and the list's size-and-type byte (0x00); the type must be STRUCT (0x0c).
 * Only `created_by` ("textnlp") follows, so the last occurrence is the one.
 */
function patchEmptyRowGroups(footer: Uint8Array): void {
  for (let i = footer.length - 4; i >= 0; i--) {
    if (
      footer[i] === 0x16 &&
      footer[i + 1] === 0 &&
      footer[i + 2] === 0x19 &&
      footer[i + 3] === 0
    ) {
      footer[i + 3] = 0x0c;
      return;
    }
  }
}

/** Writes rows as one Parquet file (snappy-compressed), chunk by chunk. */
export async function writeParquet(options: WriteParquetOptions): Promise<void> {
  const writer = new ChunkedWriter(options.write);
  writer.empty = true;
  async function* rows() {
    for await (const row of options.rows) {
      writer.empty = false;
      yield row;
    }
  }
  await parquetWriteRows({
    writer,
    columns: options.columns,
    rows: rows(),
    rowGroupSize: options.rowGroupSize ?? 1000,
    createdBy: "textnlp",
  });
}
