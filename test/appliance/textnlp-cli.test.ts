import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApplianceProcess,
  runTextnlp,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";

describe("the textnlp command line against a real appliance", () => {
  let appliance: ApplianceProcess;
  let dir: string;
  let endpoint: string[];
  // No user config file from the machine running the tests.
  const env = { XDG_CONFIG_HOME: tempDataDir() };

  beforeAll(async () => {
    appliance = await startAppliance({ args: ["--model", STORIES_MODEL] });
    dir = tempDataDir();
    endpoint = ["--endpoint", appliance.url];
    writeFileSync(
      join(dir, "tpl.json"),
      JSON.stringify({
        name: "cli",
        prompt: "A story about {{ thing }}.",
        params: { max_tokens: 12 },
      }),
    );
    writeFileSync(join(dir, "rows.csv"), 'thing\na fox\n"a hat, red"\n');
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("pushes a template and previews it from CSV rows", async () => {
    const pushed = await runTextnlp(["templates", "push", join(dir, "tpl.json"), ...endpoint], {
      env,
    });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/cli version 1 \(variables: thing\)/);
    const preview = await runTextnlp(
      ["templates", "preview", "cli", "--rows", join(dir, "rows.csv"), "--json", ...endpoint],
      { env },
    );
    expect(
      JSON.parse(preview.stdout).map(
        (p: { messages: { content: string }[] }) => p.messages[0]?.content,
      ),
    ).toEqual(["A story about a fox.", "A story about a hat, red."]);
  });

  it("generates a dataset with progress on stderr (not a terminal) and writes it out", async () => {
    const out = join(dir, "out.jsonl");
    const res = await runTextnlp(
      [
        "generate",
        "-t",
        "cli",
        "-m",
        "stories260K",
        "--rows",
        join(dir, "rows.csv"),
        "-n",
        "3",
        "--seed",
        "5",
        "-o",
        out,
        ...endpoint,
      ],
      { env },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/job_\S+: done 6\/6 \(100%\)/);
    expect(res.stdout).toMatch(/done, 6 samples \(0 failed\)/);
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => `${l.row}:${l.sample}`)).toEqual([
      "0:0",
      "0:1",
      "0:2",
      "1:0",
      "1:1",
      "1:2",
    ]);
    expect(lines[3].variables).toEqual({ thing: "a hat, red" });

    const json = await runTextnlp(
      ["generate", "-t", "cli", "-m", "stories260K", "--count", "2", "--json", ...endpoint],
      { env },
    );
    const events = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      events.filter((e: Record<string, unknown>) => e.event === "progress").at(-1),
    ).toMatchObject({
      status: "done",
      done: 2,
      total: 2,
    });
    expect(events.at(-1)).toMatchObject({ object: "job", status: "done" });
  });

  it("exits 2 for usage errors and 1 when the server cannot be reached, with clear messages", async () => {
    const noModel = await runTextnlp(["generate", "-t", "cli", "--count", "1", ...endpoint], {
      env,
    });
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/--model is required/);
    const unknown = await runTextnlp(
      ["generate", "-t", "ghost", "-m", "stories260K", "--count", "1", ...endpoint],
      { env },
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/404 template_not_found No template 'ghost'/);
    writeFileSync(join(dir, "bad.jsonl"), '{"thing": "ok"}\nnot json\n');
    const badRows = await runTextnlp(
      ["generate", "-t", "cli", "-m", "stories260K", "--rows", join(dir, "bad.jsonl"), ...endpoint],
      { env },
    );
    expect(badRows.code).toBe(2);
    expect(badRows.stderr).toMatch(/bad\.jsonl: line 2 is not valid JSON/);
    const down = await runTextnlp(["jobs", "list", "--endpoint", "http://127.0.0.1:9"], { env });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the server/);
  });
});
