import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import {
  runCli,
  STORIES_MODEL,
  startAppliance,
  TINY_RANDOM_MODEL,
  tempDataDir,
} from "../helpers/appliance.ts";
import { expectEnvelope, raw } from "../helpers/envelope.ts";

const json = <T>(text: string) => JSON.parse(text) as T;

describe("textnlp-appliance command line", () => {
  it("imports, lists, defaults and deletes models; refuses an invalid GGUF leaving nothing behind", async () => {
    const dir = tempDataDir();
    const args = ["--data-dir", dir];
    const imported = await runCli(["models", "import", STORIES_MODEL, ...args]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(
      /imported stories260K@1 \(llama, \d+ parameters, sha256 270cba1bd510/,
    );
    expect(
      (await runCli(["models", "import", TINY_RANDOM_MODEL, "--name", "rnd", ...args])).code,
    ).toBe(0);

    const list = json<
      {
        name: string;
        default: string;
        sha256: string;
        architecture: string;
        context: number;
        quantization: string;
        managed: boolean;
        path: string;
      }[]
    >((await runCli(["models", "list", "--json", ...args])).stdout);
    expect(list.map((m) => [m.name, m.default, m.architecture, m.quantization])).toEqual([
      ["rnd", "", "llama", "MOSTLY_F16"],
      ["stories260K", "*", "llama", "F32"],
    ]);
    const stories = list.find((m) => m.name === "stories260K");
    expect(stories?.sha256).toBe(
      "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d",
    );
    expect(stories?.context).toBe(2048);
    expect(stories?.managed).toBe(true);
    expect(stories?.path).toBe(join(dir, "models", `${stories?.sha256}.gguf`));

    // A bad file: a header that is not GGUF, and a truncated GGUF.
    const bad = join(dir, "bad.gguf");
    writeFileSync(bad, "not a model at all");
    const refused = await runCli(["models", "import", bad, ...args]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not a valid GGUF model/);
    const truncated = join(dir, "truncated.gguf");
    writeFileSync(
      truncated,
      (await import("node:fs")).readFileSync(STORIES_MODEL).subarray(0, 4096),
    );
    expect((await runCli(["models", "import", truncated, ...args])).code).toBe(1);
    const files = readdirSync(join(dir, "models"));
    expect(files.sort()).toEqual(list.map((m) => m.path.split("/").pop()).sort());
    expect(
      json<unknown[]>((await runCli(["models", "list", "--json", ...args])).stdout),
    ).toHaveLength(2);
    // Importing a known name again adds a version and keeps the file (the same one here).
    expect((await runCli(["models", "import", STORIES_MODEL, ...args])).stdout).toMatch(
      /^imported stories260K@2 \(.*\), now the current version$/m,
    );
    expect(readdirSync(join(dir, "models")).sort()).toEqual(files.sort());

    expect((await runCli(["models", "alias", "rnd", "gpt-4o-mini", ...args])).code).toBe(0);
    expect((await runCli(["models", "alias", "ghost", "x", ...args])).stderr).toMatch(
      /no model named 'ghost'/,
    );
    expect((await runCli(["models", "alias", "rnd", "stories260K", ...args])).stderr).toMatch(
      /already a model name/,
    );
    const aliased = json<{ name: string; aliases: string }[]>(
      (await runCli(["models", "list", "--json", ...args])).stdout,
    );
    expect(aliased.find((m) => m.name === "rnd")?.aliases).toBe("gpt-4o-mini");
    expect((await runCli(["models", "unalias", "gpt-4o-mini", ...args])).code).toBe(0);
    expect((await runCli(["models", "unalias", "gpt-4o-mini", ...args])).code).toBe(1);
    expect((await runCli(["models", "default", "rnd", ...args])).code).toBe(0);
    const after = json<{ name: string; default: string }[]>(
      (await runCli(["models", "list", "--json", ...args])).stdout,
    );
    expect(after.filter((m) => m.default === "*").map((m) => m.name)).toEqual(["rnd"]);
    expect((await runCli(["models", "default", "ghost", ...args])).code).toBe(1);

    expect((await runCli(["models", "delete", "stories260K", ...args])).code).toBe(0);
    expect(existsSync(stories?.path as string)).toBe(false);
    expect((await runCli(["models", "delete", "stories260K", ...args])).stderr).toMatch(
      /no model named/,
    );
  }, 180_000); // ~17 command runs: slow when the two cores are shared

  it("creates a key shown once, lists it without its secret, and revokes it", async () => {
    const dir = tempDataDir();
    const args = ["--data-dir", dir];
    const created = json<{ id: string; secret: string; scopes: string[] }>(
      (
        await runCli([
          "keys",
          "create",
          "--name",
          "ci",
          "--scopes",
          "inference,models:read",
          "--json",
          ...args,
        ])
      ).stdout,
    );
    expect(created.secret).toMatch(/^tnlp_[A-Za-z0-9_-]{40,}$/);
    const listed = (await runCli(["keys", "list", "--json", ...args])).stdout;
    expect(listed).not.toContain(created.secret);
    expect(json<{ id: string; scopes: string }[]>(listed)).toMatchObject([
      { id: created.id, scopes: "inference,models:read" },
    ]);

    const appliance = await startAppliance({ dataDir: dir, args: ["--model", STORIES_MODEL] });
    try {
      const client = new OpenAI({
        baseURL: `${appliance.url}/v1`,
        apiKey: created.secret,
        maxRetries: 0,
      });
      expect((await client.models.list()).data).toHaveLength(1);
      // A scoped key cannot reach routes outside its scopes.
      const limited = json<{ secret: string }>(
        (await runCli(["keys", "create", "--scopes", "models:read", "--json", ...args])).stdout,
      );
      const refused = await raw(`${appliance.url}/v1/embeddings`, {
        method: "POST",
        headers: { authorization: `Bearer ${limited.secret}` },
        json: { model: "stories260K", input: "x" },
      });
      expectEnvelope(refused, 403, { code: "insufficient_scope" });
      expect((await runCli(["keys", "revoke", created.id, ...args])).code).toBe(0);
      await expect(client.models.list()).rejects.toMatchObject({ status: 401 });
      expect((await runCli(["keys", "revoke", created.id, ...args])).code).toBe(1);
    } finally {
      await appliance.stop();
    }
  });

  it("creates admin users with scrypt hashes and refuses short passwords and duplicates", async () => {
    const dir = tempDataDir();
    const args = ["--data-dir", dir];
    const ok = await runCli(["users", "create", "alice", "--admin", "--password-stdin", ...args], {
      input: "correct horse battery\n",
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(
      (await runCli(["users", "create", "bob", "--password-stdin", ...args], { input: "short\n" }))
        .code,
    ).toBe(2);
    expect(
      (
        await runCli(["users", "create", "alice", "--password-stdin", ...args], {
          input: "another long password\n",
        })
      ).stderr,
    ).toMatch(/already exists/);
    const users = json<{ username: string; role: string }[]>(
      (await runCli(["users", "list", "--json", ...args])).stdout,
    );
    expect(users).toMatchObject([{ username: "alice", role: "admin" }]);
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(join(dir, "textnlp.sqlite"), { readonly: true });
    const row = db.prepare("select password_hash from users where username = 'alice'").get() as {
      password_hash: string;
    };
    db.close();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.password_hash).not.toContain("correct horse");
  });

  it("names a bad configuration field and exits 2", async () => {
    const dir = tempDataDir();
    const res = await runCli(["serve", "--data-dir", dir], { env: { TEXTNLP_SEQUENCES: "zero" } });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/invalid configuration: inference\.sequences/);
  });
});

describe("with no model configured", () => {
  it("generates, registers and serves the demo model, and says it is a demo", async () => {
    const appliance = await startAppliance();
    try {
      expect(
        appliance.logs.some(
          (l) => /DEMO model/.test(String(l.msg)) && /models import/.test(String(l.msg)),
        ),
      ).toBe(true);
      const client = new OpenAI({ baseURL: `${appliance.url}/v1`, apiKey: "open", maxRetries: 0 });
      expect((await client.models.list()).data.map((m) => m.id)).toEqual(["demo-tiny-random"]);
      const res = await client.chat.completions.create({
        model: "demo-tiny-random",
        messages: [{ role: "user", content: "hello" }],
        max_tokens: 5,
      });
      // Random weights may sample end-of-text early; never more than asked.
      expect(res.usage?.completion_tokens).toBeGreaterThan(0);
      expect(res.usage?.completion_tokens).toBeLessThanOrEqual(5);
      // Request logs are JSON lines carrying the request id a client sent.
      await fetch(`${appliance.url}/health`, { headers: { "x-request-id": "trace-me-123" } });
      await new Promise((r) => setTimeout(r, 100));
      expect(appliance.logs.find((l) => l.reqId === "trace-me-123")).toMatchObject({
        path: "/health",
        status: 200,
      });
    } finally {
      await appliance.stop();
      appliance.cleanup();
    }
  });
});
