import { expect } from "vitest";

/** Sends a raw request and returns status, headers and parsed JSON (or null). */
export async function raw(url: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    headers: { "content-type": "application/json", ...(rest.headers as Record<string, string>) },
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return {
    status: res.status,
    headers: res.headers,
    body: body as { error?: Record<string, unknown> } & Record<string, unknown>,
  };
}

/** Asserts OpenAI's error envelope with the given status (and fields, when given). */
export function expectEnvelope(
  res: { status: number; body: unknown },
  status: number,
  fields: Record<string, unknown> = {},
): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({
    error: { message: expect.any(String), type: expect.any(String), ...fields },
  });
  const error = (res.body as { error: Record<string, unknown> }).error;
  expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
}
