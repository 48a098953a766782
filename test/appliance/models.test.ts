import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  runCli,
  STORIES_MODEL,
  startAppliance,
  TINY_RANDOM_MODEL,
  tempDataDir,
} from "../helpers/appliance.ts";
import { raw } from "../helpers/envelope.ts";
import { parseExposition, total } from "../helpers/prometheus.ts";

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

describe("model versions", () => {
  const sha256Of = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

  /** The greedy completion a model name gives, and the name the answer reports. */
  async function complete(url: string, model: string) {
    const res = await raw(`${url}/v1/completions`, {
      method: "POST",
      json: { model, prompt: "Once upon a time", max_tokens: 8, temperature: 0 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const choices = res.body.choices as { text: string }[];
    return { model: res.body.model, text: choices[0]?.text };
  }

  it("refuses a wrong --sha256 leaving nothing, then serves name@N, the current version and rollback", async () => {
    const dir = tempDataDir();
    const args = ["--data-dir", dir];
    const random = sha256Of(TINY_RANDOM_MODEL);
    const stories = sha256Of(STORIES_MODEL);

    const refused = await runCli([
      "models",
      "import",
      STORIES_MODEL,
      "--name",
      "llama",
      "--sha256",
      random,
      ...args,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `sha256 mismatch: expected ${random}, the file has ${stories}`,
    );
    expect(existsSync(join(dir, "models"))).toBe(false);
    expect(JSON.parse((await runCli(["models", "list", "--json", ...args])).stdout)).toEqual([]);

    for (const [file, sha256] of [
      [TINY_RANDOM_MODEL, random],
      [STORIES_MODEL, stories],
    ] as const) {
      const run = await runCli([
        "models",
        "import",
        file,
        "--name",
        "llama",
        "--sha256",
        sha256,
        ...args,
      ]);
      expect(run.code, run.stderr).toBe(0);
    }
    expect((await runCli(["models", "alias", "llama", "gpt-4o-mini", ...args])).code).toBe(0);
    const list = JSON.parse((await runCli(["models", "list", "--json", ...args])).stdout) as {
      name: string;
      version: number;
      current: string;
      sha256: string;
    }[];
    expect(list.map((v) => [v.name, v.version, v.current, v.sha256])).toEqual([
      ["llama", 2, "*", stories],
      ["llama", 1, "", random],
    ]);

    const appliance = await startAppliance({ dataDir: dir });
    try {
      // With two versions, each is listed besides the bare name (one version lists only the name).
      const models = await raw(`${appliance.url}/v1/models`);
      expect((models.body.data as { id: string }[]).map((m) => m.id).sort()).toEqual([
        "gpt-4o-mini",
        "llama",
        "llama@1",
        "llama@2",
      ]);
      expect((await raw(`${appliance.url}/v1/models/llama@1`)).body.id).toBe("llama@1");
      expect((await raw(`${appliance.url}/v1/models/gpt-4o-mini@1`)).status).toBe(200);
      expect((await raw(`${appliance.url}/v1/models/llama@3`)).status).toBe(404);

      const v1 = await complete(appliance.url, "llama@1");
      const v2 = await complete(appliance.url, "llama@2");
      expect([v1.model, v2.model]).toEqual(["llama@1", "llama@2"]);
      expect(v1.text).not.toBe(v2.text);
      // The bare name and the alias answer as the current version (2)...
      expect((await complete(appliance.url, "llama")).text).toBe(v2.text);
      expect((await complete(appliance.url, "gpt-4o-mini")).text).toBe(v2.text);
      expect(
        (
          await raw(`${appliance.url}/v1/completions`, {
            method: "POST",
            json: { model: "llama@3", prompt: "Once", max_tokens: 2 },
          })
        ).status,
      ).toBe(404);

      // ...and as version 1 once rolled back, with the daemon running.
      const back = await runCli(["models", "rollback", "llama", ...args]);
      expect(back.stdout).toBe("llama: current version 1 (was 2)\n");
      expect((await complete(appliance.url, "llama")).text).toBe(v1.text);
      expect((await complete(appliance.url, "gpt-4o-mini")).text).toBe(v1.text);
      expect((await runCli(["models", "rollback", "llama", ...args])).stderr).toMatch(
        /llama@1 is the oldest version/,
      );
    } finally {
      await appliance.stop();
    }

    // Prune keeps the newest N and the current one; a file no version uses is removed.
    expect((await runCli(["models", "prune", "llama", "--keep", "1", ...args])).stdout).toBe(
      "llama: nothing to prune\n",
    );
    expect(
      (await runCli(["models", "import", STORIES_MODEL, "--name", "llama", ...args])).code,
    ).toBe(0);
    const pruned = await runCli(["models", "prune", "llama", "--keep", "1", ...args]);
    expect(pruned.stdout).toBe(
      `removed llama@1 (sha256 ${random.slice(0, 12)})\nremoved llama@2 (sha256 ${stories.slice(0, 12)})\n`,
    );
    expect(readdirSync(join(dir, "models"))).toEqual([`${stories}.gguf`]);
  }, 120_000);

  it("splits an alias 90/10 between two versions within a binomial bound; one copy per version; metrics and usage rows per version", async () => {
    const dir = tempDataDir();
    const args = ["--data-dir", dir];
    const sha = [sha256Of(TINY_RANDOM_MODEL), sha256Of(STORIES_MODEL)];
    for (const file of [TINY_RANDOM_MODEL, STORIES_MODEL])
      expect((await runCli(["models", "import", file, "--name", "llama", ...args])).code).toBe(0);
    expect((await runCli(["models", "alias", "llama", "ab", ...args])).code).toBe(0);
    const split = (...shares: string[]) => runCli(["models", "split", "ab", ...shares, ...args]);
    expect((await split("llama@1=90", "llama@3=10")).stderr).toContain("llama has no version 3");
    expect((await split("llama@1=90")).stderr).toContain("at least two versions");
    expect((await split("llama@1=90", "llama@2=0")).stderr).toContain("at least 1, not 0");
    const made = await split("llama@1=90", "llama@2=10");
    expect(made.stdout).toBe("ab → llama@1 90.0%, llama@2 10.0%\n");
    const list = JSON.parse((await runCli(["models", "list", "--json", ...args])).stdout) as {
      version: number;
      split: string;
    }[];
    expect(list.map((v) => [v.version, v.split])).toEqual([
      [2, "ab 10%"],
      [1, "ab 90%"],
    ]);

    const appliance = await startAppliance({ dataDir: dir });
    const served: Record<string, number> = {};
    try {
      const ask = async (model: string) => {
        const res = await raw(`${appliance.url}/v1/completions`, {
          method: "POST",
          json: { model, prompt: "Once", max_tokens: 1 },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return res.body.model as string;
      };
      const requests = 1000;
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next++ < requests) {
            const model = await ask("ab");
            served[model] = (served[model] ?? 0) + 1;
          }
        }),
      );
      expect(Object.keys(served).sort()).toEqual(["llama@1", "llama@2"]);
      // Binomial(1000, 0.1): mean 100, sd 9.5; 4.5 sd either side fails a fair draw about once
      // in 150,000 runs.
      const sd = Math.sqrt(requests * 0.1 * 0.9);
      expect(Math.abs((served["llama@2"] as number) - 100)).toBeLessThanOrEqual(4.5 * sd);

      // The bare name (no split of its own) is the current version, llama@2, and shares its copy.
      expect(await ask("llama")).toBe("llama");
      expect(await ask("llama@2")).toBe("llama@2");
      expect(await loadedModels(appliance.url)).toEqual(["llama", "llama@1"]);

      const samples = parseExposition(await (await fetch(`${appliance.url}/metrics`)).text());
      const count = (version: string) =>
        total(samples, "textnlp_http_request_duration_seconds_count", [
          'route="/v1/completions"',
          'model="llama"',
          `version="${version}"`,
          'status="200"',
        ]);
      expect([count("1"), count("2")]).toEqual([served["llama@1"], (served["llama@2"] ?? 0) + 2]);
      for (const version of ["1", "2"])
        expect(
          total(samples, "textnlp_tokens_generated_total", [
            'model="llama"',
            `version="${version}"`,
          ]),
        ).toBeGreaterThan(0);

      // /health names a copy by what it is now: after a rollback, version 1 is the bare name.
      expect((await runCli(["models", "rollback", "llama", ...args])).code).toBe(0);
      expect(await loadedModels(appliance.url)).toEqual(["llama", "llama@2"]);
    } finally {
      await appliance.stop();
    }

    // Usage rows name the version that answered and its file.
    const db = new Database(join(dir, "textnlp.sqlite"), { readonly: true });
    try {
      const rows = db
        .prepare(
          "select target, target_version as version, target_sha256 as sha, count(*) as n from usage_events group by 1, 2, 3 order by 1",
        )
        .all();
      expect(rows).toEqual([
        { target: "llama", version: 2, sha: sha[1], n: 1 },
        { target: "llama@1", version: 1, sha: sha[0], n: served["llama@1"] },
        { target: "llama@2", version: 2, sha: sha[1], n: (served["llama@2"] ?? 0) + 1 },
      ]);
    } finally {
      db.close();
    }

    // A version a split sends traffic to is never pruned (1 is current now, 2 the newest); once
    // the split ends, both go when a third version comes.
    expect((await runCli(["models", "prune", "llama", "--keep", "1", ...args])).stdout).toBe(
      "llama: nothing to prune\n",
    );
    expect((await split("--off")).stdout).toBe("ab: no split (current version)\n");
    const third = await runCli(["models", "import", STORIES_MODEL, "--name", "llama", ...args]);
    expect(third.code).toBe(0);
    expect((await runCli(["models", "prune", "llama", "--keep", "1", ...args])).stdout).toMatch(
      /^removed llama@1 .*\nremoved llama@2 /,
    );
  }, 180_000);
});
