/**
 * The `textnlp` command line against the edge, as against an appliance: a template pushed, a
 * job generated from CSV rows through the edge's jobs queue (Miniflare, real D1 and Queues, the
 * OpenAI fake behind it), followed with progress to the end and exported (from R2).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTextnlp, tempDataDir } from "../helpers/appliance.ts";
import type { EdgeWorker } from "../helpers/edge.ts";
import { startEdgeWithJobs } from "../helpers/jobs.ts";

describe("the textnlp command line against the edge", () => {
  let edge: EdgeWorker;
  let close: () => Promise<void>;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ({ edge, close } = await startEdgeWithJobs({}, {}));
    dir = tempDataDir();
    env = {
      // No user config file from the machine running the tests.
      XDG_CONFIG_HOME: tempDataDir(),
      TEXTNLP_API_KEY: await edge.seedApiKey({ scopes: ["templates", "jobs", "datasets"] }),
    };
    writeFileSync(
      join(dir, "tpl.json"),
      JSON.stringify({
        name: "story",
        prompt: "A story about {{ topic }}.",
        params: { max_tokens: 8 },
      }),
    );
    writeFileSync(join(dir, "topics.csv"), 'topic\na fox\n"a hat, red"\n');
  });
  afterAll(() => close?.());

  it("pushes a template, generates from CSV rows with progress, and writes the dataset", async () => {
    const endpoint = ["--endpoint", edge.url];
    const pushed = await runTextnlp(["templates", "push", join(dir, "tpl.json"), ...endpoint], {
      env,
    });
    expect(pushed.code, pushed.stderr).toBe(0);
    const out = join(dir, "out.jsonl");
    const args = ["generate", "-t", "story", "-m", "openai/gpt-4o-mini-cli", "--rows"];
    const res = await runTextnlp(
      [...args, join(dir, "topics.csv"), "-n", "3", "-o", out, ...endpoint],
      { env },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/job_\S+: done 6\/6 \(100%\)/);
    expect(res.stdout).toMatch(/done, 6 samples \(0 failed\)/);
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { row: number; sample: number; output: string });
    expect(lines.map((l) => `${l.row}:${l.sample}`)).toEqual([
      "0:0",
      "0:1",
      "0:2",
      "1:0",
      "1:1",
      "1:2",
    ]);
    expect(lines[3]?.output).toBe("Hello from openai! You said: A story about a hat, red.");
  });
});
