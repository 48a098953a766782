/**
 * Metering on a real appliance (tiny model, the official `openai` SDK as client): each
 * generating route, plain and streamed, and a job's samples land in `GET /v1/usage` with their
 * tokens, per key and model; a refused call counts as an error, as on the edge; another tenant
 * sees none of it; the rows survive a restart, the last ones written while stopping; the panel's
 * dashboard shows the same usage by key and by model. One appliance process (and one restart)
 * serves every case.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UsageRow } from "../../shared/api/schemas/admin.ts";
import { createClient } from "../../shared/sdk/index.ts";
import {
  type ApplianceProcess,
  runCli,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import { follow } from "../helpers/jobs.ts";
import { checkPanelPage, logInToPanel, PANEL_PASSWORD } from "../helpers/panel.ts";
import { requirement } from "../helpers/requirement.ts";

const MODEL = "stories260K";
const ALPHA_SECRET = "sk-usage-test-alpha-0123456789abcdef";
const hi = [{ role: "user" as const, content: "Once upon a time" }];

/** What a key's calls to MODEL should add up to. */
interface Expected {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
}

const add = (into: Expected, usage: { prompt_tokens?: number; completion_tokens?: number }) => {
  into.requests += 1;
  into.prompt_tokens += usage.prompt_tokens ?? 0;
  into.completion_tokens += usage.completion_tokens ?? 0;
};

/** The usage a stream reported in its last chunk (`include_usage`). */
async function streamedUsage(
  stream: AsyncIterable<{ usage?: { prompt_tokens: number; completion_tokens: number } | null }>,
) {
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
  expect(usage, "the stream's usage chunk").toBeDefined();
  return usage as { prompt_tokens: number; completion_tokens: number };
}

describe("usage metering on the appliance", () => {
  const dataDir = tempDataDir();
  let app: ApplianceProcess;
  const keys: Record<"alpha" | "beta" | "other" | "narrow", { id: string; secret: string }> =
    {} as never;
  const expected = {
    alpha: { requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0 },
    beta: { requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0 },
  };

  const start = () =>
    startAppliance({
      dataDir,
      args: ["--model", STORIES_MODEL],
      env: { TEXTNLP_API_KEY: ALPHA_SECRET, TEXTNLP_LIFECYCLE_ENABLED: "false" },
    });
  const openai = (key: keyof typeof keys) =>
    new OpenAI({ baseURL: `${app.url}/v1`, apiKey: keys[key].secret, maxRetries: 0 });
  const usage = async (key: keyof typeof keys) => {
    const res = await fetch(`${app.url}/v1/usage`, {
      headers: { authorization: `Bearer ${keys[key].secret}` },
    });
    return {
      status: res.status,
      rows: res.ok ? ((await res.json()) as { data: UsageRow[] }).data : [],
    };
  };
  /** The report's row of `key` for MODEL once it has `requests` calls (a stream's row lands as it ends). */
  const rowOnceCounted = async (key: "alpha" | "beta", requests: number) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const row = (await usage(key)).rows.find(
        (r) => r.model === MODEL && r.key_id === keys[key].id,
      );
      if ((row && row.requests >= requests) || Date.now() > deadline) return row;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const today = () => new Date().toISOString().slice(0, 10);
  const rowOf = (key: "alpha" | "beta") => ({
    day: today(),
    model: MODEL,
    key_id: keys[key].id,
    ...expected[key],
    cost_usd: null,
  });

  beforeAll(async () => {
    // The other tenant's key from the command line (the API makes keys in the caller's tenant
    // only); then the daemon, with alpha as its initial key, makes the rest through the API.
    const other = await runCli(
      ["keys", "create", "--tenant", "other", "--json", "--data-dir", dataDir],
      {},
    );
    expect(other.code, other.stderr).toBe(0);
    keys.other = JSON.parse(other.stdout);
    app = await start();
    const admin = (path: string, body?: unknown) =>
      fetch(`${app.url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${ALPHA_SECRET}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((res) => res.json() as Promise<Record<string, unknown>>);
    const listed = (await admin("/v1/admin/keys")).data as { id: string }[];
    keys.alpha = { id: listed[0]?.id ?? "", secret: ALPHA_SECRET };
    for (const [name, scopes] of [
      ["beta", ["*"]],
      ["narrow", ["inference"]],
    ] as const) {
      const made = await admin("/v1/admin/keys", { name, scopes });
      keys[name] = { id: String(made.id), secret: String(made.key) };
    }
    const user = await admin("/v1/admin/users", {
      username: "ada",
      password: PANEL_PASSWORD,
      role: "admin",
    });
    expect(user).toMatchObject({ username: "ada" });
  });
  afterAll(async () => {
    await app?.stop();
    app?.cleanup();
  });

  it("meters chat and completions (plain and streamed), embeddings and a refused call", async () => {
    const alpha = openai("alpha");
    const chat = await alpha.chat.completions.create({ model: MODEL, messages: hi, max_tokens: 6 });
    add(expected.alpha, chat.usage ?? {});
    add(
      expected.alpha,
      await streamedUsage(
        await alpha.chat.completions.create({
          model: MODEL,
          messages: hi,
          max_tokens: 6,
          stream: true,
          stream_options: { include_usage: true },
        }),
      ),
    );
    const text = await alpha.completions.create({ model: MODEL, prompt: "Lily", max_tokens: 5 });
    add(expected.alpha, text.usage ?? {});
    add(
      expected.alpha,
      await streamedUsage(
        await alpha.completions.create({
          model: MODEL,
          prompt: "Tom",
          max_tokens: 5,
          stream: true,
          stream_options: { include_usage: true },
        }),
      ),
    );
    // Refused as invalid: metered all the same, as an error without tokens (as the edge does).
    await expect(
      alpha.chat.completions.create({ model: MODEL, messages: hi, temperature: 5 }),
    ).rejects.toMatchObject({ status: 400 });
    expected.alpha.requests += 1;
    expected.alpha.errors += 1;
    const embedded = await openai("beta").embeddings.create({ model: MODEL, input: "a cat" });
    add(expected.beta, embedded.usage);
    expect(expected.alpha.completion_tokens).toBeGreaterThan(0);

    expect(await rowOnceCounted("alpha", expected.alpha.requests)).toEqual(rowOf("alpha"));
    expect(await rowOnceCounted("beta", expected.beta.requests)).toEqual(rowOf("beta"));
  });

  it("meters a job's samples as calls of the key that created it", async () => {
    const beta = createClient({ baseUrl: app.url, apiKey: keys.beta.secret });
    await beta.templates.create({ name: "usage-tale", prompt: "A story about {{ topic }}." });
    const created = await beta.jobs.create({
      template: "usage-tale",
      model: MODEL,
      rows: [{ topic: "a boat" }, { topic: "a dog" }],
      samples_per_row: 1,
      params: { max_tokens: 8 },
    });
    const job = await follow(beta, created.id);
    expect(job.status).toBe("done");
    const db = new Database(join(dataDir, "textnlp.sqlite"), { readonly: true });
    try {
      const sums = db
        .prepare(
          "SELECT count(*) AS n, sum(prompt_tokens) AS p, sum(completion_tokens) AS c FROM samples WHERE job_id = ?",
        )
        .get(job.id) as { n: number; p: number; c: number };
      expect(sums.n).toBe(2);
      expected.beta.requests += sums.n;
      expected.beta.prompt_tokens += sums.p;
      expected.beta.completion_tokens += sums.c;
    } finally {
      db.close();
    }
    expect(await rowOnceCounted("beta", expected.beta.requests)).toEqual(rowOf("beta"));
  });

  it("shows each tenant only its own usage, to keys with usage:read, and documents the route", async () => {
    expect(await usage("other")).toEqual({ status: 200, rows: [] });
    await openai("other").embeddings.create({ model: MODEL, input: "elsewhere" });
    // A stream the client leaves early: metered when it ends, as an error (499).
    const cut = await openai("other").chat.completions.create({
      model: MODEL,
      messages: hi,
      max_tokens: 2000,
      stream: true,
    });
    for await (const _chunk of cut) break;
    const deadline = Date.now() + 10_000;
    let others = (await usage("other")).rows;
    while (others[0]?.requests !== 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      others = (await usage("other")).rows;
    }
    expect(others.map((r) => [r.key_id, r.requests, r.errors])).toEqual([[keys.other.id, 2, 1]]);
    expect((await usage("narrow")).status).toBe(403);
    const local = (await usage("alpha")).rows;
    expect(local.map((r) => r.key_id).sort()).toEqual([keys.alpha.id, keys.beta.id].sort());

    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as {
      paths: Record<string, { get?: unknown }>;
    };
    expect(doc.paths["/v1/usage"]?.get).toBeDefined();
  });

  it("keeps every row across a restart, the last call's written while stopping", async () => {
    const chat = await openai("alpha").chat.completions.create({
      model: MODEL,
      messages: hi,
      max_tokens: 4,
    });
    add(expected.alpha, chat.usage ?? {});
    // Stopped at once: the row may still wait in memory, and must be written on the way out.
    expect(await app.stop()).toBe(0);
    app = await start();
    expect((await usage("alpha")).rows.find((r) => r.key_id === keys.alpha.id)).toEqual(
      rowOf("alpha"),
    );
    expect((await usage("beta")).rows.find((r) => r.key_id === keys.beta.id)).toEqual(
      rowOf("beta"),
    );
  });

  requirement("browser").it(
    "shows usage by key and by model on the panel's dashboard",
    async () => {
      let browser: BrowserSession | undefined;
      try {
        browser = await openBrowser("panel-usage");
        await logInToPanel(browser, app.url, "ada");
        const { page } = browser;
        const byKey = page.locator('table[data-usage="by-key"]');
        const keyRow = (id: string) => byKey.locator("tr", { hasText: id }).getByRole("cell");
        expect(await keyRow(keys.alpha.id).allTextContents()).toEqual(
          [
            expected.alpha.requests,
            expected.alpha.errors,
            expected.alpha.prompt_tokens,
            expected.alpha.completion_tokens,
          ].map(String),
        );
        expect(await keyRow(keys.beta.id).allTextContents()).toEqual(
          [
            expected.beta.requests,
            0,
            expected.beta.prompt_tokens,
            expected.beta.completion_tokens,
          ].map(String),
        );
        // Keys are named as their owners named them.
        expect(
          await byKey.locator("tr", { hasText: keys.beta.id }).locator("th").textContent(),
        ).toBe(`beta (${keys.beta.id})`);
        // Another tenant's key is not on this tenant's dashboard.
        expect(await byKey.getByText(keys.other.id).count()).toBe(0);
        const modelCells = page
          .locator('table[data-usage="by-model"]')
          .getByRole("row", { name: new RegExp(`^${MODEL}`) })
          .getByRole("cell");
        expect(await modelCells.allTextContents()).toEqual(
          [
            expected.alpha.requests + expected.beta.requests,
            expected.alpha.errors,
            expected.alpha.prompt_tokens + expected.beta.prompt_tokens,
            expected.alpha.completion_tokens + expected.beta.completion_tokens,
          ].map(String),
        );
        await checkPanelPage(browser, "dashboard-usage");
      } finally {
        await browser?.close();
      }
    },
  );
});
