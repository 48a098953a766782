/**
 * `POST /v1/seed-rows`, served by both halves from this one module: streams a JSONL or CSV file
 * of rows into a new seed set, in batches, with a byte limit checked as the body arrives; a
 * failed upload leaves nothing behind. Web streams only (CSV through csv-parse's web-stream
 * parser), so it runs in Node and in Workers alike.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { parse as parseCsv } from "csv-parse/stream";
import type { Context } from "hono";
import { createApiApp, errorResponse, toApiError } from "../../api/app.ts";
import { ApiError, invalidRequest } from "../../api/errors.ts";
import { uploadSeedRowsRoute } from "../../api/synth-routes.ts";
import { randomId } from "../../auth/api-keys.ts";
import { scopes } from "../../auth/scopes.ts";
import type { AnySqliteDb } from "../../db/audit.ts";
import { type IdentityEnv, requireScope } from "../../identity/principal.ts";
import { appendSeedRows, createSeedSet, deleteSeedSet, finishSeedSet } from "../store/seed-sets.ts";

/** The route path, exempt from the general body limit (it has its own). */
export const SEED_UPLOAD_PATH = "/v1/seed-rows";
const BATCH = 500;

/** What a half supplies. */
export interface SeedRowRouteDeps<E extends IdentityEnv> {
  db(c: Context<E>): AnySqliteDb | Promise<AnySqliteDb>;
  now(): number;
  /** The largest upload, in bytes. */
  limitBytes(c: Context<E>): number;
  /** Rows per insert statement (D1 binds at most 100 values a statement; default 500). */
  rowsPerStatement?: number;
}

/** Counts bytes through the stream and fails past `limit`, so a huge upload stops early. */
function limitBytes(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit)
          controller.error(
            new ApiError(413, `Seed upload is larger than ${limit} bytes.`, {
              code: "body_too_large",
            }),
          );
        else controller.enqueue(chunk);
      },
    }),
  );
}

/** JSON objects of a JSONL stream, one per non-empty line; a bad line is a 400 naming it. */
async function* jsonlRows(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<Record<string, unknown>> {
  const decoder = new TextDecoder();
  let buffer = "";
  let line = 0;
  const parseLine = (text: string) => {
    line++;
    if (!text.trim()) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw invalidRequest(
        `line ${line} is not valid JSON: ${(err as Error).message}`,
        "body",
        "invalid_seed_rows",
      );
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw invalidRequest(`line ${line} is not a JSON object`, "body", "invalid_seed_rows");
    }
    return value as Record<string, unknown>;
  };
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split(/\r?\n/);
    buffer = lines.pop() ?? "";
    for (const text of lines) {
      const row = parseLine(text);
      if (row) yield row;
    }
  }
  const row = parseLine(buffer + decoder.decode());
  if (row) yield row;
}

/** Records of a CSV stream (header row gives the names). */
async function* csvRows(body: ReadableStream<Uint8Array>): AsyncGenerator<Record<string, unknown>> {
  const records = body.pipeThrough(
    parseCsv({ columns: true, skip_empty_lines: true, bom: true }),
  ) as ReadableStream<Record<string, unknown>>;
  try {
    for await (const record of records as unknown as AsyncIterable<Record<string, unknown>>) {
      yield record;
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw invalidRequest(`not valid CSV: ${(err as Error).message}`, "body", "invalid_seed_rows");
  }
}

/** The route, on an app of its own for the half to mount with `app.route("/", …)`. */
export function seedRowRoutes<E extends IdentityEnv>(deps: SeedRowRouteDeps<E>): OpenAPIHono<E> {
  const app = createApiApp<E>();
  app.use(SEED_UPLOAD_PATH, requireScope(scopes.jobs));
  app.openapi(uploadSeedRowsRoute, async (c) => {
    const { name, format: asked } = c.req.valid("query");
    const type = c.req.header("content-type") ?? "";
    const format = asked ?? (/csv/i.test(type) ? "csv" : "jsonl");
    const body = c.req.raw.body;
    if (!body)
      throw invalidRequest("send the rows as the request body", "body", "invalid_seed_rows");
    const db = await deps.db(c);
    const now = new Date(deps.now());
    const id = randomId("seed_");
    const tenantId = c.get("principal").tenantId;
    await createSeedSet(db, { id, tenantId, name, format, rowCount: 0, columns: [] }, now);
    const columns = new Set<string>();
    let count = 0;
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      await appendSeedRows(db, id, count, batch, deps.rowsPerStatement);
      count += batch.length;
      batch = [];
    };
    try {
      const stream = limitBytes(body, deps.limitBytes(c));
      for await (const row of format === "csv" ? csvRows(stream) : jsonlRows(stream)) {
        for (const key of Object.keys(row)) columns.add(key);
        batch.push(row);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
    } catch (err) {
      // Nothing half-stored: a failed upload leaves no seed set behind.
      await deleteSeedSet(db, id);
      // The rest of the body may still be in flight: close the connection rather than let the
      // client reuse a socket the server stops reading.
      const res = errorResponse(toApiError(err));
      res.headers.set("connection", "close");
      return res as never;
    }
    if (count === 0) {
      await deleteSeedSet(db, id);
      throw invalidRequest("the upload holds no rows", "body", "invalid_seed_rows");
    }
    const set = await finishSeedSet(db, id, count, [...columns].sort());
    return c.json(
      {
        id,
        object: "seed_set" as const,
        name: set.name,
        format: set.format,
        rows: count,
        columns: set.columns,
        created_at: Math.floor(set.createdAt.getTime() / 1000),
      },
      201,
    );
  });
  return app;
}
