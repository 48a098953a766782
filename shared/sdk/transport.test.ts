/** Requests as the route definitions say: method, filled-in path, query and body. */
import { describe, expect, it } from "vitest";
import { createClient } from "./client.ts";

/** A client whose `fetch` records each request and answers `answer`. */
function recordingClient(answer: () => Response) {
  const requests: { method: string; url: string; body: string | null }[] = [];
  const client = createClient({
    baseUrl: "http://server/",
    apiKey: "tnlp_x",
    fetch: async (input, init) => {
      requests.push({
        method: init?.method ?? "GET",
        url: String(input),
        body: typeof init?.body === "string" ? init.body : null,
      });
      return answer();
    },
  });
  return { client, requests };
}

describe("the client's requests", () => {
  it("fill in path parameters (encoded), the query and the JSON body", async () => {
    const { client, requests } = recordingClient(() => Response.json({}));
    await client.admin.limits.setKey("key/1", { requests_per_minute: 5 });
    await client.usage({ from: "2024-01-01" });
    await client.review.submit("job 1", "t1", { reviewer: "ann", decision: "accept" });
    expect(requests).toEqual([
      {
        method: "PUT",
        url: "http://server/v1/admin/limits/keys/key%2F1",
        body: '{"requests_per_minute":5}',
      },
      { method: "GET", url: "http://server/v1/usage?from=2024-01-01", body: null },
      {
        method: "POST",
        url: "http://server/v1/datasets/job%201/review/tasks/t1",
        body: '{"reviewer":"ann","decision":"accept"}',
      },
    ]);
  });

  it("answer nothing for a 204 and throw the error envelope", async () => {
    const { client } = recordingClient(() => new Response(null, { status: 204 }));
    expect(await client.auth.logout("rt")).toBeUndefined();
    const failing = recordingClient(() =>
      Response.json({ error: { message: "No.", type: "invalid_request_error" } }, { status: 409 }),
    );
    await expect(failing.client.admin.users.delete("u1")).rejects.toMatchObject({
      status: 409,
      message: "No.",
    });
  });
});
