import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApplianceProcess,
  runCli,
  startAppliance,
  TINY_RANDOM_MODEL,
  tempDataDir,
} from "../helpers/appliance.ts";
import { raw } from "../helpers/envelope.ts";
import { parseExposition, total } from "../helpers/prometheus.ts";

describe("GET /metrics", () => {
  let appliance: ApplianceProcess;
  let all: string;
  let scrapeOnly: string;
  const dataDir = tempDataDir();

  beforeAll(async () => {
    const key = async (scopes: string) => {
      const out = await runCli([
        "keys",
        "create",
        "--scopes",
        scopes,
        "--json",
        "--data-dir",
        dataDir,
      ]);
      return (JSON.parse(out.stdout) as { secret: string }).secret;
    };
    all = await key("*");
    scrapeOnly = await key("metrics");
    appliance = await startAppliance({
      dataDir,
      args: ["--model", TINY_RANDOM_MODEL],
      // One sequence and a queue of one, so capacity refusals are easy to force; no scheduled
      // backup (one at a half hour would come before "the first backup" the test takes).
      env: { TEXTNLP_SEQUENCES: "1", TEXTNLP_QUEUE_SIZE: "1", TEXTNLP_BACKUP_ENABLED: "false" },
    });
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  const scrape = async (secret = scrapeOnly) => {
    const res = await fetch(`${appliance.url}/metrics`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  };
  const chat = (maxTokens: number, stream = false) =>
    raw(`${appliance.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${all}` },
      json: {
        model: "tiny-random",
        messages: [{ role: "user", content: "Count to ten." }],
        max_tokens: maxTokens,
        seed: 7,
        stream,
      },
    });

  it("needs a key with the metrics scope once keys exist; that key can do nothing else", async () => {
    expect((await fetch(`${appliance.url}/metrics`)).status).toBe(401);
    expect((await chat(1)).status).toBe(200);
    const denied = await raw(`${appliance.url}/v1/models`, {
      headers: { authorization: `Bearer ${scrapeOnly}` },
    });
    expect(denied.status).toBe(403);
    const samples = await scrape(all);
    expect(total(samples, "process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(total(samples, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("moves the token, latency and first-token counters by exactly the traffic sent", async () => {
    const before = await scrape();
    const route = 'route="/v1/chat/completions"';
    let completionTokens = 0;
    for (let i = 0; i < 3; i++) {
      const res = await chat(5, i === 2);
      expect(res.status).toBe(200);
      if (i < 2)
        completionTokens += (res.body.usage as { completion_tokens: number }).completion_tokens;
    }
    expect(completionTokens).toBe(10);
    const after = await scrape();
    const delta = (name: string, labels: string[] = []) =>
      total(after, name, labels) - total(before, name, labels);
    expect(delta("textnlp_tokens_generated_total", ['priority="interactive"'])).toBe(15);
    expect(delta("textnlp_http_request_duration_seconds_count", [route, 'status="200"'])).toBe(3);
    expect(delta("textnlp_time_to_first_token_seconds_count")).toBe(3);
    expect(delta("textnlp_generation_tokens_per_second_count")).toBe(3);
    expect(delta("textnlp_requests_rejected_total")).toBe(0);
    expect(total(after, "textnlp_sequences", ['model="tiny-random"'])).toBe(1);
  });

  it("shows the busy sequence and the queue, and counts every 429 exactly", async () => {
    const before = await scrape();
    const long = chat(1500);
    let busy = before;
    for (let i = 0; i < 200; i++) {
      busy = await scrape();
      if (total(busy, "textnlp_active_sequences") === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(total(busy, "textnlp_active_sequences")).toBe(1);
    const queued = chat(1);
    for (let i = 0; i < 200; i++) {
      busy = await scrape();
      if (total(busy, "textnlp_queue_depth") === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(total(busy, "textnlp_queue_depth")).toBe(1);
    const refused = await Promise.all([chat(1), chat(1), chat(1), chat(1, true)]);
    expect(refused.map((r) => r.status)).toEqual([429, 429, 429, 429]);
    expect((await long).status).toBe(200);
    expect((await queued).status).toBe(200);
    const after = await scrape();
    expect(
      total(after, "textnlp_requests_rejected_total", ['status="429"']) -
        total(before, "textnlp_requests_rejected_total", ['status="429"']),
    ).toBe(4);
    expect(total(after, "textnlp_queue_depth")).toBe(0);
    expect(total(after, "textnlp_active_sequences")).toBe(0);
  });

  it("reports backup age and the last result, both absent before the first backup", async () => {
    const before = await scrape();
    expect(before.has("textnlp_backup_last_success")).toBe(false);
    expect(before.has("textnlp_backup_age_seconds")).toBe(false);
    const backup = await runCli(["backup", "now", "--data-dir", dataDir]);
    expect(backup.code, backup.stderr).toBe(0);
    const samples = await scrape();
    expect(samples.get("textnlp_backup_last_success")).toBe(1);
    const age = samples.get("textnlp_backup_age_seconds") as number;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
  });

  it("reports the free space of the data and backup directories, and a link not enabled", async () => {
    const samples = await scrape();
    for (const dir of ["data", "backups"]) {
      const avail = samples.get(`textnlp_filesystem_avail_bytes{dir="${dir}"}`);
      const size = samples.get(`textnlp_filesystem_size_bytes{dir="${dir}"}`) as number;
      expect(avail, dir).toBeGreaterThan(0);
      expect(avail, dir).toBeLessThanOrEqual(size);
    }
    // Not enrolled: the link-down alert must not apply.
    expect(samples.get("textnlp_link_enabled")).toBe(0);
  });
});
