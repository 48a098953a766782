import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, isLoopback, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("defaults to loopback and fills nested defaults", () => {
    const config = loadConfig({}, {});
    expect(config.host).toBe("127.0.0.1");
    expect(config.port).toBe(8080);
    expect(config.inference.sequences).toBe(8);
    expect(config.inference.threads).toBeGreaterThan(0);
    expect(Object.isFrozen(config.inference)).toBe(true);
  });

  it("layers file < environment < flags", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "config.json");
    writeFileSync(
      file,
      JSON.stringify({ port: 1000, host: "127.0.0.2", inference: { sequences: 2, queueSize: 3 } }),
    );
    const config = loadConfig(
      { configFile: file, port: 3000 },
      { TEXTNLP_PORT: "2000", TEXTNLP_SEQUENCES: "4" },
    );
    expect(config.port).toBe(3000);
    expect(config.host).toBe("127.0.0.2");
    expect(config.inference.sequences).toBe(4);
    expect(config.inference.queueSize).toBe(3);
  });

  it("reads the lifecycle's hot windows; 0 keeps a kind forever", () => {
    expect(loadConfig({}, {}).lifecycle).toMatchObject({
      enabled: true,
      generationsDays: 90,
      usageDays: 90,
      auditDays: 365,
    });
    const config = loadConfig(
      {},
      { TEXTNLP_RETAIN_GENERATIONS_DAYS: "30", TEXTNLP_RETAIN_AUDIT_DAYS: "0" },
    );
    expect(config.lifecycle.generationsDays).toBe(30);
    expect(config.lifecycle.auditDays).toBe(0);
    expect(() => loadConfig({}, { TEXTNLP_RETAIN_USAGE_DAYS: "-1" })).toThrow(
      /lifecycle\.usageDays/,
    );
  });

  it("names the bad field", () => {
    expect(() => loadConfig({}, { TEXTNLP_PORT: "99999" })).toThrow(ConfigError);
    expect(() => loadConfig({}, { TEXTNLP_PORT: "99999" })).toThrow(/port/);
    expect(() => loadConfig({}, { TEXTNLP_GPU: "tpu" })).toThrow(/inference\.gpu/);
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ inference: { sequencez: 2 } }));
    expect(() => loadConfig({ configFile: join(dir, "bad.json") }, {})).toThrow(/inference/);
    writeFileSync(join(dir, "broken.json"), "{");
    expect(() => loadConfig({ configFile: join(dir, "broken.json") }, {})).toThrow(
      /not valid JSON/,
    );
  });

  it("knows loopback addresses", () => {
    expect(isLoopback("127.0.0.1")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("0.0.0.0")).toBe(false);
  });
});
