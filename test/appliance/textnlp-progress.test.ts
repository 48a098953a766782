import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ApplianceProcess,
  ROOT,
  runCli,
  runTextnlp,
  STORIES_MODEL,
  startAppliance,
  TINY_RANDOM_MODEL,
  tempDataDir,
} from "../helpers/appliance.ts";
import { raw } from "../helpers/envelope.ts";
import { requirement } from "../helpers/requirement.ts";

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Starts `textnlp <args>` in a pseudo-terminal 120 columns wide; `screen` is what it showed. */
function startInTerminal(args: string[], env: Record<string, string>) {
  const command = `stty cols 120 rows 40; exec ${[process.execPath, join(ROOT, "bin/textnlp.js"), ...args].map(quote).join(" ")}`;
  const proc = spawn("script", ["-qfec", command, "/dev/null"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const run = {
    screen: "",
    exited: new Promise<number | null>((resolve, reject) => {
      proc.on("error", reject);
      proc.on("exit", (code) => resolve(code));
    }),
  };
  proc.stdout.on("data", (d) => (run.screen += d));
  return run;
}

async function runInTerminal(args: string[], env: Record<string, string>) {
  const run = startInTerminal(args, env);
  const code = await run.exited;
  return { code, screen: run.screen };
}

/** The frames cli-progress drew: it moves to column 1 (CSI 1G) and redraws the whole bar. */
function frames(screen: string): { percent: number; done: number; total: number }[] {
  return screen
    .split("\x1b[1G")
    .slice(1)
    .map((frame) => {
      const match = /(\d+)% \| (\d+)\/(\d+) samples/.exec(frame);
      if (!match) throw new Error(`not a progress frame: ${JSON.stringify(frame)}`);
      return { percent: Number(match[1]), done: Number(match[2]), total: Number(match[3]) };
    });
}

function expectBar(screen: string, total: number) {
  const drawn = frames(screen);
  expect(drawn.length, screen).toBeGreaterThan(2);
  // It renders the bar itself (filled and empty cells), and hides the cursor while it does.
  expect(screen).toContain("\x1b[?25l");
  expect(screen).toMatch(/█+░+ \d+%/);
  expect(drawn.at(-1)).toEqual({ percent: 100, done: total, total });
  expect(screen).toMatch(/█{10,} 100% \| \d+\/\d+ samples/);
  const percents = drawn.map((f) => f.percent);
  expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  expect(new Set(percents).size).toBeGreaterThan(2);
  // No line-by-line progress on a terminal.
  expect(screen).not.toMatch(/job_\S+: running/);
}

// util-linux `script` (Debian's bsdutils) gives a command a real pseudo-terminal.
requirement("pty").describe("textnlp progress in a pseudo-terminal", () => {
  let appliance: ApplianceProcess;
  let dir: string;
  const env = { XDG_CONFIG_HOME: tempDataDir() };
  let endpoint: string[];

  beforeAll(async () => {
    // tiny-random never ends early: the watched job below takes as long as its tokens say.
    const dataDir = tempDataDir();
    const imported = await runCli(["models", "import", TINY_RANDOM_MODEL, "--data-dir", dataDir]);
    expect(imported.code, imported.stderr).toBe(0);
    appliance = await startAppliance({ dataDir, args: ["--model", STORIES_MODEL] });
    endpoint = ["--endpoint", appliance.url];
    dir = tempDataDir();
    writeFileSync(
      join(dir, "tpl.json"),
      JSON.stringify({
        name: "bar",
        prompt: "A story about {{ thing }}.",
        params: { max_tokens: 24 },
      }),
    );
    writeFileSync(
      join(dir, "samplers.json"),
      JSON.stringify({ thing: { type: "list", values: ["a fox", "a cup", "a hill"] } }),
    );
    writeFileSync(
      join(dir, "slow.json"),
      JSON.stringify({
        name: "slow-bar",
        prompt: "A story about {{ thing }}.",
        params: { max_tokens: 160 },
      }),
    );
    for (const file of ["tpl.json", "slow.json"]) {
      const pushed = await runTextnlp(["templates", "push", join(dir, file), ...endpoint], { env });
      expect(pushed.code, pushed.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  const job = ["-t", "bar", "-m", "stories260K", "--count", "12", "-c", "1"];
  // 12 samples of exactly 160 tokens (tiny-random never ends early): long enough for the bar to
  // redraw between samples on any machine.
  const slow = ["-t", "slow-bar", "-m", "tiny-random", "--count", "12", "-c", "1"];
  const samplers = () => ["--samplers", join(dir, "samplers.json")];

  it("`generate` draws a bar that updates in place up to 100%", async () => {
    const { code, screen } = await runInTerminal(
      ["generate", ...slow, ...samplers(), ...endpoint],
      env,
    );
    expect(code, screen).toBe(0);
    expectBar(screen, 12);
    expect(screen).toMatch(/done, 12 samples \(0 failed\)/);
  });

  it("`jobs watch` draws the same bar for a job submitted before", async () => {
    // The watched job waits in the queue behind a long one until the watch is seen drawing,
    // so the watch sees it from 0%, whatever the machine's speed.
    const submit = async (count: number) => {
      const res = await runTextnlp(
        ["generate", ...slow.map((a) => (a === "12" ? String(count) : a)), ...samplers()].concat([
          "--no-wait",
          "--json",
          ...endpoint,
        ]),
        { env },
      );
      expect(res.code, res.stderr).toBe(0);
      return (JSON.parse(res.stdout) as { id: string }).id;
    };
    const blocker = await submit(500);
    const id = await submit(12);
    const watch = startInTerminal(["jobs", "watch", id, ...endpoint], env);
    for (let i = 0; i < 2400 && !/0\/12 samples/.test(watch.screen); i++)
      await new Promise((r) => setTimeout(r, 50));
    const cancelled = await raw(`${appliance.url}/v1/jobs/${blocker}/cancel`, { method: "POST" });
    expect(cancelled.body).toMatchObject({ status: "cancelled" });
    const code = await watch.exited;
    expect(code, watch.screen).toBe(0);
    expectBar(watch.screen, 12);
    expect(watch.screen).toMatch(/0% \| 0\/12 samples/);
    expect((await raw(`${appliance.url}/v1/jobs/${id}`)).body).toMatchObject({ status: "done" });
  });

  it("without a terminal prints plain progress lines, no bar or control codes", async () => {
    const res = await runTextnlp(["generate", ...job, ...samplers(), ...endpoint], { env });
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stderr.trim().split("\n");
    for (const line of lines)
      expect(line).toMatch(/^job_\S+: (queued|running|done) \d+\/12 \(\d+%\) /);
    expect(lines.at(-1)).toMatch(/: done 12\/12 \(100%\) /);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(res.stderr).not.toMatch(/[\r\x1b█░]/);
  });
});
