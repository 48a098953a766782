import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, STORIES_MODEL } from "../helpers/models.ts";

describe("test fixtures", () => {
  it("the committed model is the one its README names, byte for byte", () => {
    const readme = readFileSync(join(ROOT, "test/fixtures/models/README.md"), "utf8");
    const row = /\| `stories260K\.gguf` \| ([\d,]+) \| `([0-9a-f]{64})` \|/.exec(readme);
    const bytes = readFileSync(STORIES_MODEL);
    expect(bytes.length).toBe(Number(row?.[1]?.replaceAll(",", "")));
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(row?.[2]);
  });

  it("no other weights are committed", () => {
    const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
      .split("\0")
      .filter((f) => /\.(gguf|bin|safetensors|pt|onnx)$/.test(f));
    expect(tracked).toEqual(["test/fixtures/models/stories260K.gguf"]);
  });
});
