/**
 * What the data lifecycle knows about the appliance's tables: which rows form one archivable
 * unit of each kind, how a row is identified (to delete exactly what an archive holds), and
 * which columns may carry a data subject's identifier.
 */

/** The kinds of data with their own hot window. */
export const dataKinds = ["generations", "usage", "audit"] as const;
export type DataKind = (typeof dataKinds)[number];

/** Tables whose rows go into archives, with the columns that identify a row. */
export const archivedTables = {
  jobs: ["id"],
  job_rows: ["job_id", "row_index"],
  samples: ["id"],
  usage_events: ["id"],
  audit_log: ["id"],
} as const satisfies Record<string, readonly string[]>;
export type ArchivedTable = keyof typeof archivedTables;

/**
 * Columns scanned for a subject identifier, per table. A match removes the row; a job whose
 * own parameters name the subject goes with all its rows and samples (foreign-key cascade).
 * Usage events hold no free text (tenant, key, model, counts), so they are not scanned.
 */
export const subjectColumns: Record<string, readonly string[]> = {
  jobs: ["params", "samplers", "error"],
  job_rows: ["variables"],
  samples: ["variables", "messages", "output", "error"],
  seed_rows: ["variables"],
  audit_log: ["actor_id", "target", "detail"],
};

/** One line of an archive: the table, the owning tenant, and the row exactly as stored. */
export interface ArchiveLine {
  table: ArchivedTable;
  tenant: string;
  row: Record<string, unknown>;
}
