import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApplianceProcess,
  ROOT,
  runTextnlp,
  STORIES_MODEL,
  startAppliance,
  tempDataDir,
} from "../helpers/appliance.ts";

/** Reads the state file of a run that may be going on (empty before its tables exist). */
function read<T>(stateFile: string, sql: string): T[] {
  if (!existsSync(stateFile)) return [];
  const db = new Database(stateFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } catch {
    return [];
  } finally {
    db.close();
  }
}
const committed = (stateFile: string) =>
  read<{ n: number }>(stateFile, "select count(*) as n from samples")[0]?.n ?? 0;
type SavedColumn = { row: number; sample: number; name: string; value: string };
/** Columns saved for samples not committed yet: the run is between a sample's columns. */
const pendingColumns = (stateFile: string) =>
  read<SavedColumn>(
    stateFile,
    `select c.row, c.sample, c.name, c.value from sample_columns c where not exists
     (select 1 from samples s where s.row = c.row and s.sample = c.sample)`,
  );

describe("textnlp generate --local --resume", () => {
  let appliance: ApplianceProcess;
  let dir: string;
  const env = { XDG_CONFIG_HOME: tempDataDir() };

  beforeAll(async () => {
    appliance = await startAppliance({ args: ["--model", STORIES_MODEL] });
    dir = tempDataDir();
    writeFileSync(
      join(dir, "tpl.json"),
      JSON.stringify({
        prompt: "{{ columns.title }}: a story about {{ thing }}.",
        params: { max_tokens: 16 },
        columns: [{ name: "title", prompt: "A title for {{ thing }}:", params: { max_tokens: 6 } }],
      }),
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
    let savedAtKill: SavedColumn[] = [];
    // Kill points: between a sample's columns, then after 11 and 19 committed samples.
    const killPoints = [
      () => {
        savedAtKill = pendingColumns(state);
        return savedAtKill.length > 0;
      },
      () => committed(state) >= 11,
      () => committed(state) >= 19,
    ];
    for (const reached of killPoints) {
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
      for (let i = 0; i < 1200 && !reached() && proc.exitCode === null; i++)
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
      .map(
        (l) =>
          JSON.parse(l) as {
            row: number;
            sample: number;
            status: string;
            columns: { title: string };
          },
      );
    const expected = Array.from({ length: 5 }, (_, r) =>
      Array.from({ length: 6 }, (_, s) => `${r}:${s}`),
    ).flat();
    expect(lines.map((l) => `${l.row}:${l.sample}`)).toEqual(expected);
    expect(lines.every((l) => l.status === "ok" && typeof l.columns.title === "string")).toBe(true);
    // The column saved before the first kill was kept, not generated again; none is left over.
    expect(savedAtKill.length).toBeGreaterThan(0);
    for (const saved of savedAtKill) {
      const line = lines.find((l) => l.row === saved.row && l.sample === saved.sample);
      expect(line?.columns.title).toBe(saved.value);
    }
    expect(read(state, "select * from sample_columns")).toEqual([]);
  });

  it("refuses a template file whose columns form a cycle, naming it", async () => {
    writeFileSync(
      join(dir, "loop.json"),
      JSON.stringify({
        prompt: "{{ columns.a }}",
        columns: [
          { name: "a", prompt: "{{ columns.b }}" },
          { name: "b", prompt: "{{ columns.a }}" },
        ],
      }),
    );
    const res = await runTextnlp(
      [
        "generate",
        "--local",
        "--template-file",
        join(dir, "loop.json"),
        "-m",
        "stories260K",
      ].concat(["--count", "1", "-o", join(dir, "loop.jsonl"), "--endpoint", appliance.url]),
      { env },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/loop\.json: columns form a cycle: a → b → a/);
  });
});
