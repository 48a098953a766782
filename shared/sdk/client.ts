/**
 * The typed TextNLP client: every route of the appliance (and the OpenAI-compatible routes of the
 * edge), with streaming helpers. Only `fetch` and web streams, so it runs in Node, browsers and
 * Workers; pass your own `fetch` (a service binding, a test server) when needed.
 */
import type { z } from "zod";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
} from "../api/schemas/chat.ts";
import type { EmbeddingList, EmbeddingRequest } from "../api/schemas/embeddings.ts";
import type { ModelList } from "../api/schemas/models.ts";
import type {
  ReviewAssignRequest,
  ReviewAssignResponse,
  ReviewImportResponse,
  ReviewSummaryResponse,
  ReviewTask,
  ReviewTaskList,
  ReviewTaskQuery,
  ReviewVerdictBody,
} from "../api/schemas/review.ts";
import type {
  Dataset,
  ExportQuery,
  Job,
  JobCreate,
  SampleList,
  SampleQuery,
  SeedSetSchema,
  Template,
  TemplateCreate,
  TemplatePreview,
  TemplatePreviewRequest,
} from "../api/schemas/synth.ts";
import type {
  ValidateRequest,
  ValidateResponse,
  ValidationRun,
  ValidationRunList,
} from "../api/schemas/validate.ts";
import { errorFromResponse } from "./errors.ts";
import { sseJson } from "./sse.ts";

/** Options of {@link createClient}. */
export interface TextNlpClientOptions {
  /** The server's root URL (`http://127.0.0.1:8080`), without `/v1`. */
  baseUrl: string;
  apiKey?: string;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

type List<T> = { object: "list"; data: T[] };
type Input<T extends z.ZodType> = z.input<T>;

/** Creates a client bound to one server. */
export function createClient(options: TextNlpClientOptions) {
  const doFetch =
    options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const root = options.baseUrl.replace(/\/+$/, "");

  async function send(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await doFetch(`${root}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }
  /** POSTs a body that is not JSON (JSONL, CSV), as text or a byte stream. */
  async function upload(
    path: string,
    body: string | ReadableStream<Uint8Array>,
    contentType: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers, "content-type": contentType };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    const res = await doFetch(`${root}${path}`, {
      method: "POST",
      headers,
      body,
      // Streams need half-duplex in Node's fetch.
      ...(typeof body === "string" ? {} : { duplex: "half" }),
    } as RequestInit);
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> =>
    (await (await send(method, path, body)).json()) as T;
  const query = (params: Record<string, string | number | boolean | undefined>) => {
    const entries = Object.entries(params).filter(([, v]) => v !== undefined) as [
      string,
      string | number | boolean,
    ][];
    return entries.length
      ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)]))}`
      : "";
  };
  const id = encodeURIComponent;

  return {
    models: {
      list: () => json<ModelList>("GET", "/v1/models"),
    },
    chat: {
      /** A chat completion (non-streaming). */
      create: (body: Omit<ChatCompletionRequest, "stream">) =>
        json<ChatCompletion>("POST", "/v1/chat/completions", { ...body, stream: false }),
      /** A streamed chat completion: chunks until `[DONE]`; an in-band error is thrown. */
      async *stream(
        body: Omit<ChatCompletionRequest, "stream">,
        signal?: AbortSignal,
      ): AsyncGenerator<ChatCompletionChunk> {
        const res = await send("POST", "/v1/chat/completions", { ...body, stream: true }, signal);
        yield* sseJson<ChatCompletionChunk>(res.body as ReadableStream<Uint8Array>, signal);
      },
    },
    embeddings: {
      create: (body: EmbeddingRequest) => json<EmbeddingList>("POST", "/v1/embeddings", body),
    },
    templates: {
      create: (body: Input<typeof TemplateCreate>) => json<Template>("POST", "/v1/templates", body),
      list: () => json<List<Template>>("GET", "/v1/templates"),
      versions: (name: string) => json<List<Template>>("GET", `/v1/templates/${id(name)}/versions`),
      preview: (name: string, body: Input<typeof TemplatePreviewRequest> = {}) =>
        json<z.infer<typeof TemplatePreview>>("POST", `/v1/templates/${id(name)}/preview`, body),
    },
    jobs: {
      create: (body: Input<typeof JobCreate>) => json<Job>("POST", "/v1/jobs", body),
      list: () => json<List<Job>>("GET", "/v1/jobs"),
      get: (jobId: string) => json<Job>("GET", `/v1/jobs/${id(jobId)}`),
      cancel: (jobId: string) => json<Job>("POST", `/v1/jobs/${id(jobId)}/cancel`),
      resume: (jobId: string) => json<Job>("POST", `/v1/jobs/${id(jobId)}/resume`),
      pause: (jobId: string) => json<Job>("POST", `/v1/jobs/${id(jobId)}/pause`),
      samples: (jobId: string, params: Partial<z.infer<typeof SampleQuery>> = {}) =>
        json<z.infer<typeof SampleList>>("GET", `/v1/jobs/${id(jobId)}/samples${query(params)}`),
      /** Progress snapshots as they happen, ending with the job's final state. */
      async *watch(jobId: string, signal?: AbortSignal): AsyncGenerator<Job> {
        const res = await send("GET", `/v1/jobs/${id(jobId)}/events`, undefined, signal);
        yield* sseJson<Job>(res.body as ReadableStream<Uint8Array>, signal);
      },
    },
    seedRows: {
      /** Uploads seed rows (JSONL or CSV text, or a byte stream) as a seed set for jobs. */
      upload: async (
        name: string,
        body: string | ReadableStream<Uint8Array>,
        format: "jsonl" | "csv" = "jsonl",
      ) => {
        const res = await upload(
          `/v1/seed-rows${query({ name, format })}`,
          body,
          format === "csv" ? "text/csv" : "application/x-ndjson",
        );
        return (await res.json()) as z.infer<typeof SeedSetSchema>;
      },
    },
    datasets: {
      list: () => json<List<z.infer<typeof Dataset>>>("GET", "/v1/datasets"),
      samples: (datasetId: string, params: Partial<z.infer<typeof SampleQuery>> = {}) =>
        json<z.infer<typeof SampleList>>(
          "GET",
          `/v1/datasets/${id(datasetId)}/samples${query(params)}`,
        ),
      /** The export as a byte stream (write it to a file as it comes). */
      export: async (
        datasetId: string,
        params: Partial<z.infer<typeof ExportQuery>> = {},
        signal?: AbortSignal,
      ) =>
        (
          await send(
            "GET",
            `/v1/datasets/${id(datasetId)}/export${query(params)}`,
            undefined,
            signal,
          )
        ).body as ReadableStream<Uint8Array>,
      delete: (datasetId: string) =>
        json<{ id: string; deleted: true }>("DELETE", `/v1/datasets/${id(datasetId)}`),
    },
    validation: {
      /** Scores texts, or a dataset (recording the run): `POST /v1/validate`. */
      run: (body: Input<typeof ValidateRequest>) =>
        json<ValidateResponse>("POST", "/v1/validate", body),
      /** A dataset's recorded runs, newest first. */
      runs: (datasetId: string) =>
        json<z.infer<typeof ValidationRunList>>("GET", `/v1/datasets/${id(datasetId)}/validations`),
      /** One recorded run with each sample's figures. */
      get: (datasetId: string, runId: string) =>
        json<ValidationRun>("GET", `/v1/datasets/${id(datasetId)}/validations/${id(runId)}`),
    },
    /** The human review queue of a dataset. */
    review: {
      /** Assigns samples to reviewers (appliance users); the first call sets the rubric. */
      assign: (datasetId: string, body: Input<typeof ReviewAssignRequest>) =>
        json<z.infer<typeof ReviewAssignResponse>>(
          "POST",
          `/v1/datasets/${id(datasetId)}/review/assign`,
          body,
        ),
      tasks: (datasetId: string, params: Partial<z.infer<typeof ReviewTaskQuery>> = {}) =>
        json<z.infer<typeof ReviewTaskList>>(
          "GET",
          `/v1/datasets/${id(datasetId)}/review/tasks${query(params)}`,
        ),
      /** A reviewer's verdict: accept, reject or edit, with rubric ratings. */
      submit: (datasetId: string, taskId: string, body: ReviewVerdictBody) =>
        json<ReviewTask>("POST", `/v1/datasets/${id(datasetId)}/review/tasks/${id(taskId)}`, body),
      summary: (datasetId: string) =>
        json<ReviewSummaryResponse>("GET", `/v1/datasets/${id(datasetId)}/review/summary`),
      /** Every task as JSONL text. */
      export: async (datasetId: string) =>
        (await send("GET", `/v1/datasets/${id(datasetId)}/review/export`)).text(),
      /** Imports JSONL (as exported, or written offline); all lines or none. */
      import: async (datasetId: string, jsonl: string) => {
        const res = await upload(
          `/v1/datasets/${id(datasetId)}/review/import`,
          jsonl,
          "application/x-ndjson",
        );
        return (await res.json()) as z.infer<typeof ReviewImportResponse>;
      },
    },
  };
}

/** The client type, for annotations. */
export type TextNlpClient = ReturnType<typeof createClient>;
