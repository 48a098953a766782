import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApplianceProcess,
  modelsMissing,
  ROOT,
  runTextnlp,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";

function committed(stateFile: string): number {
  if (!existsSync(stateFile)) return 0;
  const db = new Database(stateFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("select count(*) as n from samples").get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

describe.skipIf(modelsMissing)("textnlp generate --local --resume", () => {
  let appliance: ApplianceProcess;
  let dir: string;
  const env = { XDG_CONFIG_HOME: tempDataDir() };

  beforeAll(async () => {
    appliance = await startAppliance({ args: ["--model", STORIES_MODEL] });
    dir = tempDataDir();
    writeFileSync(
      join(dir, "tpl.json"),
      JSON.stringify({ prompt: "A story about {{ thing }}.", params: { max_tokens: 20 } }),
    );
    writeFileSync(
      join(dir, "rows.jsonl"),
      ["a fox", "a cup", "a hill", "a bee", "a ship"]
        .map((thing) => JSON.stringify({ thing }))
        .join("\n"),
    );
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  it("killed with kill -9 at several points and resumed, ends with exactly every key once", async () => {
    const out = join(dir, "local.jsonl");
    const state = `${out}.state.sqlite`;
    const args = [
      "generate",
      "--local",
      "--template-file",
      join(dir, "tpl.json"),
      "-m",
      "stories260K",
      "--rows",
      join(dir, "rows.jsonl"),
      "-n",
      "6",
      "-c",
      "2",
      "-o",
      out,
      "--endpoint",
      appliance.url,
    ];
    let first = true;
    for (const target of [3, 11, 19]) {
      const proc = spawn(
        process.execPath,
        [join(ROOT, "bin/textnlp.js"), ...args, ...(first ? ["--seed", "9"] : ["--resume"])],
        {
          cwd: ROOT,
          env: { ...process.env, ...env },
          stdio: "ignore",
        },
      );
      first = false;
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      for (let i = 0; i < 1200 && committed(state) < target && proc.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 25));
      proc.kill("SIGKILL");
      await exited;
      expect(existsSync(out)).toBe(false);
    }
    // A plain re-run refuses to overwrite the state; --resume finishes it.
    const refused = await runTextnlp(args, { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/add --resume/);
    const mismatch = await runTextnlp([...args.map((a) => (a === "6" ? "5" : a)), "--resume"], {
      env,
    });
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/different template, model, rows or options/);
    const finished = await runTextnlp([...args, "--resume"], { env });
    expect(finished.code, finished.stderr).toBe(0);
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { row: number; sample: number; status: string });
    const expected = Array.from({ length: 5 }, (_, r) =>
      Array.from({ length: 6 }, (_, s) => `${r}:${s}`),
    ).flat();
    expect(lines.map((l) => `${l.row}:${l.sample}`)).toEqual(expected);
    expect(lines.every((l) => l.status === "ok")).toBe(true);
  });
});
