import { describe, expect, it } from "vitest";
import {
  runCli,
  STORIES_MODEL,
  startAppliance,
  TINY_RANDOM_MODEL,
  tempDataDir,
} from "../helpers/appliance.ts";
import { raw } from "../helpers/envelope.ts";

async function loadedModels(url: string): Promise<string[]> {
  const health = await raw(`${url}/health`);
  return ((health.body.load as { model: string }[]) ?? []).map((m) => m.model).sort();
}

async function ask(url: string, model: string) {
  const res = await raw(`${url}/v1/completions`, {
    method: "POST",
    json: { model, prompt: "Once", max_tokens: 2 },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe("model loading", () => {
  async function withTwoModels(budget: string, fn: (url: string) => Promise<void>) {
    const dir = tempDataDir();
    expect(
      (await runCli(["models", "import", TINY_RANDOM_MODEL, "--name", "rnd", "--data-dir", dir]))
        .code,
    ).toBe(0);
    const appliance = await startAppliance({
      dataDir: dir,
      args: ["--model", STORIES_MODEL],
      env: { TEXTNLP_MEMORY_BUDGET: budget },
    });
    try {
      await fn(appliance.url);
    } finally {
      await appliance.stop();
    }
  }

  it("loads on first use and unloads the least recently used model past the memory budget", async () => {
    await withTwoModels("1", async (url) => {
      expect(await loadedModels(url)).toEqual([]);
      await ask(url, "stories260K");
      expect(await loadedModels(url)).toEqual(["stories260K"]);
      await ask(url, "rnd");
      expect(await loadedModels(url)).toEqual(["rnd"]);
      await ask(url, "stories260K");
      expect(await loadedModels(url)).toEqual(["stories260K"]);
    });
  });

  it("keeps both models loaded when the budget allows", async () => {
    await withTwoModels(String(8 * 1024 ** 3), async (url) => {
      await ask(url, "stories260K");
      await ask(url, "rnd");
      expect(await loadedModels(url)).toEqual(["rnd", "stories260K"]);
    });
  });

  it("serves an alias as the model it names and lists it", async () => {
    const dir = tempDataDir();
    expect((await runCli(["models", "import", STORIES_MODEL, "--data-dir", dir])).code).toBe(0);
    expect(
      (await runCli(["models", "alias", "stories260K", "gpt-4o-mini", "--data-dir", dir])).code,
    ).toBe(0);
    const appliance = await startAppliance({ dataDir: dir });
    try {
      const res = await raw(`${appliance.url}/v1/completions`, {
        method: "POST",
        json: { model: "gpt-4o-mini", prompt: "Once", max_tokens: 2 },
      });
      expect(res.status).toBe(200);
      expect(res.body.model).toBe("stories260K");
      const models = await raw(`${appliance.url}/v1/models`);
      expect((models.body.data as { id: string }[]).map((m) => m.id).sort()).toEqual([
        "gpt-4o-mini",
        "stories260K",
      ]);
    } finally {
      await appliance.stop();
    }
  });
});
