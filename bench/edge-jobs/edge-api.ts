/** The edge's JSON API as the bench calls it: an API key of its own, errors thrown with the body. */
import type { EdgeWorker } from "../../test/helpers/edge.ts";

/** A JSON call to the edge (method, path, body); a status other than 2xx throws. */
export type EdgeCall = (method: string, path: string, body?: unknown) => Promise<EdgeAnswer>;

/** What the bench reads of the edge's answers (jobs, round-trip counts). */
export interface EdgeAnswer {
  id?: string;
  status?: string;
  progress?: { done: number; ok: number; failed: number };
  d1?: number;
}

/** Seeds an API key of every scope on `edge`; returns its headers and a caller. */
export async function edgeApi(
  edge: EdgeWorker,
): Promise<{ headers: Record<string, string>; call: EdgeCall }> {
  const headers = {
    "content-type": "application/json",
    authorization: `Bearer ${await edge.seedApiKey()}`,
  };
  const call: EdgeCall = async (method, path, body) => {
    const res = await fetch(`${edge.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as EdgeAnswer;
  };
  return { headers, call };
}
