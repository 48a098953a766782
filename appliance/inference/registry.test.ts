import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STORIES_MODEL, TINY_RANDOM_MODEL } from "../../test/helpers/models.ts";
import { openStore, type Store } from "../store/db.ts";
import { resolveModelName } from "../store/queries/models.ts";
import { ModelRegistry } from "./registry.ts";

const sha256Of = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("model registry versions", () => {
  let store: Store;
  let dir: string;
  let modelsDir: string;
  let registry: ModelRegistry;
  const stories = sha256Of(STORIES_MODEL);
  const random = sha256Of(TINY_RANDOM_MODEL);

  beforeEach(() => {
    store = openStore(":memory:");
    dir = mkdtempSync(join(tmpdir(), "textnlp-registry-"));
    modelsDir = join(dir, "models");
    registry = new ModelRegistry(store.db, modelsDir);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("imports a file whose sha256 is the one given (any case)", async () => {
    const row = await registry.import(STORIES_MODEL, {
      name: "llama",
      sha256: stories.toUpperCase(),
    });
    expect([row.name, row.currentVersion, row.sha256]).toEqual(["llama", 1, stories]);
    expect(existsSync(join(modelsDir, `${stories}.gguf`))).toBe(true);
  });

  it("refuses a wrong sha256 and leaves nothing behind", async () => {
    const wrong = "0".repeat(64);
    await expect(registry.import(STORIES_MODEL, { name: "llama", sha256: wrong })).rejects.toThrow(
      `sha256 mismatch: expected ${wrong}, the file has ${stories}`,
    );
    expect(existsSync(modelsDir)).toBe(false);
    expect(registry.list()).toEqual([]);

    // Beside an existing version: no new version, no file, the current one untouched.
    await registry.import(TINY_RANDOM_MODEL, { name: "llama" });
    await expect(registry.import(STORIES_MODEL, { name: "llama", sha256: random })).rejects.toThrow(
      /sha256 mismatch/,
    );
    expect(readdirSync(modelsDir)).toEqual([`${random}.gguf`]);
    expect(registry.versions("llama").map((v) => v.version)).toEqual([1]);
    expect(registry.get("llama")?.sha256).toBe(random);
  });

  it("refuses a --sha256 that is not a SHA-256", async () => {
    await expect(registry.import(STORIES_MODEL, { sha256: "abc" })).rejects.toThrow(
      /64 hexadecimal digits/,
    );
    expect(existsSync(modelsDir)).toBe(false);
  });

  it("adds a version per import, resolves name@N and follows the current one with aliases", async () => {
    await registry.import(TINY_RANDOM_MODEL, { name: "llama" });
    registry.alias("llama", "gpt-4o-mini");
    const second = await registry.import(STORIES_MODEL, { name: "llama" });
    expect(second.currentVersion).toBe(2);
    expect(registry.versions("llama").map((v) => [v.version, v.sha256])).toEqual([
      [2, stories],
      [1, random],
    ]);
    expect(registry.list()).toHaveLength(1);
    // Both files kept.
    expect(readdirSync(modelsDir).sort()).toEqual([`${random}.gguf`, `${stories}.gguf`].sort());

    expect(registry.get("llama")?.sha256).toBe(stories);
    expect(registry.get("gpt-4o-mini")?.sha256).toBe(stories);
    expect(registry.get("llama@1")).toMatchObject({ name: "llama@1", sha256: random });
    expect(registry.get("llama@2")).toMatchObject({ name: "llama@2", sha256: stories });
    expect(registry.get("gpt-4o-mini@1")?.sha256).toBe(random);
    expect(registry.get("llama@3")).toBeUndefined();
    expect(registry.get("llama@0")).toBeUndefined();

    // The same file again is one more version sharing the file.
    expect((await registry.import(STORIES_MODEL, { name: "llama" })).currentVersion).toBe(3);
    expect(readdirSync(modelsDir)).toHaveLength(2);
  });

  it("rolls back to the previous version, and refuses past the oldest", async () => {
    await registry.import(TINY_RANDOM_MODEL, { name: "llama" });
    await registry.import(STORIES_MODEL, { name: "llama" });
    registry.alias("llama", "gpt-4o-mini");
    expect(registry.rollback("llama")).toEqual({ from: 2, to: 1 });
    expect(registry.get("llama")?.sha256).toBe(random);
    expect(registry.get("gpt-4o-mini")?.sha256).toBe(random);
    expect(registry.get("llama@2")?.sha256).toBe(stories);
    expect(() => registry.rollback("llama")).toThrow(/llama@1 is the oldest version/);
    expect(() => registry.rollback("ghost")).toThrow(/no model named 'ghost'/);
    // A new import is current again, numbered after the newest.
    expect((await registry.import(STORIES_MODEL, { name: "llama" })).currentVersion).toBe(3);
  });

  it("prunes all but the newest N versions, never the current one, and their unused files", async () => {
    await registry.import(TINY_RANDOM_MODEL, { name: "llama" }); // 1
    await registry.import(STORIES_MODEL, { name: "llama" }); // 2
    await registry.import(TINY_RANDOM_MODEL, { name: "llama" }); // 3
    await registry.import(STORIES_MODEL, { name: "llama" }); // 4
    registry.rollback("llama"); // current: 3
    registry.rollback("llama"); // current: 2
    expect((await registry.prune("llama", 1)).map((v) => v.version)).toEqual([1, 3]);
    expect(registry.versions("llama").map((v) => v.version)).toEqual([4, 2]);
    expect(registry.get("llama")?.currentVersion).toBe(2);
    // The random file is no version's any more; the stories file is still used.
    expect(readdirSync(modelsDir)).toEqual([`${stories}.gguf`]);
    expect(await registry.prune("llama", 5)).toEqual([]);
    await expect(registry.prune("llama", 0)).rejects.toThrow(/at least 1/);
  });

  it("deletes a model with all its versions and their files", async () => {
    await registry.import(TINY_RANDOM_MODEL, { name: "llama" });
    await registry.import(STORIES_MODEL, { name: "llama" });
    await registry.import(STORIES_MODEL, { name: "other" });
    await registry.delete("llama");
    expect(registry.get("llama@1")).toBeUndefined();
    expect(readdirSync(modelsDir)).toEqual([`${stories}.gguf`]);
  });

  it("re-registers a file served in place as the same version, another path as a new one", async () => {
    await registry.registerInPlace(STORIES_MODEL, { name: "llama" });
    await registry.registerInPlace(STORIES_MODEL, { name: "llama" });
    expect(registry.versions("llama").map((v) => v.version)).toEqual([1]);
    await registry.registerInPlace(TINY_RANDOM_MODEL, { name: "llama" });
    expect(registry.get("llama")).toMatchObject({ currentVersion: 2, sha256: random });
    expect(existsSync(STORIES_MODEL)).toBe(true);
  });

  it("splits a name by weight; its aliases follow unless they split on their own; @N never splits", async () => {
    await registry.import(TINY_RANDOM_MODEL, { name: "llama" });
    await registry.import(STORIES_MODEL, { name: "llama" });
    registry.alias("llama", "gpt");
    registry.alias("llama", "own");
    registry.split("llama", [
      ["llama@1", 3],
      ["llama@2", 1],
    ]);
    registry.split("own", [
      ["gpt@1", 1],
      ["llama@2", 1],
    ]);
    const at = (name: string, random: number) => {
      const row = resolveModelName(store.db, name, () => random);
      return row && [row.name, row.version, row.sha256, row.ref];
    };
    // 3:1 — the first three quarters of [0, 1) draw version 1.
    expect(at("llama", 0.74)).toEqual(["llama@1", 1, random, "llama@1"]);
    expect(at("llama", 0.75)).toEqual(["llama@2", 2, stories, "llama@2"]);
    expect(at("gpt", 0.74)?.[0]).toBe("llama@1");
    expect(at("own", 0.49)?.[0]).toBe("llama@1");
    expect(at("own", 0.5)?.[0]).toBe("llama@2");
    expect(at("llama@2", 0)?.[0]).toBe("llama@2");
    expect(() =>
      registry.split("llama", [
        ["other@1", 1],
        ["llama@2", 1],
      ]),
    ).toThrow("'other@1' is not a version of llama");
    expect(() =>
      registry.split("llama", [
        ["llama@1", 1],
        ["llama@1", 2],
      ]),
    ).toThrow("llama@1 is named twice");
    expect(() =>
      registry.split("llama@1", [
        ["llama@1", 1],
        ["llama@2", 1],
      ]),
    ).toThrow("no model or alias named 'llama@1'");
    // Unsplit, the bare name is the current version again; an alias removed takes its split along.
    registry.unsplit("llama");
    expect(at("llama", 0)).toEqual(["llama", 2, stories, "llama@2"]);
    registry.unalias("own");
    expect(registry.splits()).toEqual([]);
  });
});
