/**
 * The Python client (`clients/python`) against a real appliance on the tiny model: its pytest
 * suite (every generated method called, errors as exceptions with the envelope's fields, a job
 * followed to its end, the async client), the example notebook executed headless with its
 * magics, and its generated module is exactly what the generator writes from both servers'
 * documents today, so it cannot drift from the API.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { GENERATED_FILE, generatedSource } from "../../clients/python/generate.ts";
import {
  type ApplianceProcess,
  ROOT,
  STORIES_MODEL,
  startAppliance,
} from "../helpers/appliance.ts";
import { PYTHON } from "../helpers/prerequisites.ts";
import { requirement } from "../helpers/requirement.ts";

const { describe, it } = requirement("python");
const notebook = requirement("notebook");
const TESTS = join("clients", "python", "tests");

/** Runs Debian's Python in the repository; resolves with its exit code and all its output. */
function runPython(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const proc = spawn(PYTHON, args, {
      cwd: ROOT,
      // No __pycache__ or .pytest_cache left in the checkout.
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    proc.stdout.on("data", (d) => (output += d));
    proc.stderr.on("data", (d) => (output += d));
    proc.on("error", reject);
    proc.on("exit", (code) => resolve({ code, output }));
  });
}

describe("the Python client", () => {
  const apiKey = "tnlp_python_client_test_key_0123456789";
  let appliance: ApplianceProcess;

  beforeAll(async () => {
    appliance = await startAppliance({
      args: ["--model", STORIES_MODEL],
      env: { TEXTNLP_API_KEY: apiKey },
    });
  });
  afterAll(async () => {
    await appliance?.stop();
    appliance?.cleanup();
  });

  /** pytest on `args` against the appliance; fails with pytest's output. */
  async function pytest(...args: string[]) {
    const run = await runPython(["-m", "pytest", "-q", "-p", "no:cacheprovider", ...args], {
      TEXTNLP_ENDPOINT: appliance.url,
      TEXTNLP_API_KEY: apiKey,
      TEXTNLP_TEST_MODEL: "stories260K",
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/\d+ passed/);
  }

  it("passes its pytest suite against the appliance", async () => {
    await pytest(TESTS, "--ignore", join(TESTS, "notebook"));
  }, 120_000);

  notebook.it(
    "runs the example notebook headless against the appliance",
    async () => {
      await pytest(join(TESTS, "notebook"));
    },
    120_000,
  );

  it("is generated from both servers' current documents", async () => {
    const committed = readFileSync(GENERATED_FILE, "utf8");
    // A plain equality: on a difference vitest prints the diff of the two texts.
    expect(await generatedSource(), "run npx tsx clients/python/generate.ts").toBe(committed);
  }, 60_000);
});
