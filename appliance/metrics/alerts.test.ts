/**
 * The Prometheus alerting rules (alerts.yml): valid for promtool, each alert seen firing and
 * quiet on alerts.test.yml's synthetic series, and every metric that they, their tests and the
 * Grafana dashboard name is one the appliance exports.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { requirement } from "../../test/helpers/requirement.ts";
import { ApplianceMetrics } from "./metrics.ts";

const path = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const read = (name: string) => readFileSync(path(name), "utf8");
const RULES = "alerts.yml";
const RULE_TESTS = "alerts.test.yml";

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string }[];
}
const dashboard = () => JSON.parse(read("grafana-dashboard.json")) as { panels: Panel[] };

/** Metric names of the appliance's own and prom-client's default metrics, as a query names them. */
const METRIC_NAME = /\b(?:textnlp|process|nodejs)_[a-z_]+/g;

function promtool(...args: string[]) {
  const run = spawnSync("promtool", args, { encoding: "utf8", timeout: 120_000 });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The alerts of alerts.yml, by name. */
const alertNames = () => [...read(RULES).matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]);

/** How often each alert is expected to fire, and to stay quiet, in alerts.test.yml. */
function expectations(): Map<string, { fires: number; quiet: number }> {
  const seen = new Map<string, { fires: number; quiet: number }>();
  for (const block of read(RULE_TESTS)
    .split(/^\s*- eval_time: /m)
    .slice(1)) {
    const name = block.match(/^\s*alertname: (\w+)$/m)?.[1];
    if (!name) continue;
    const counts = seen.get(name) ?? { fires: 0, quiet: 0 };
    if (/^\s*exp_alerts: \[\]$/m.test(block)) counts.quiet++;
    else if (/^\s*- exp_labels:/m.test(block)) counts.fires++;
    seen.set(name, counts);
  }
  return seen;
}

requirement("promtool").describe("Prometheus alerting rules", () => {
  it("pass promtool check rules", () => {
    const { code, output } = promtool("check", "rules", path(RULES));
    expect(code, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${alertNames().length} rules found`);
  });

  it("fire, and stay quiet, as promtool test rules expects on synthetic series", () => {
    const { code, output } = promtool("test", "rules", path(RULE_TESTS));
    expect(code, output).toBe(0);
    expect(output).toContain("SUCCESS");
  });

  it("parse the Grafana dashboard's queries too (Grafana's $__ intervals filled in)", () => {
    const exprs = dashboard().panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    // Recording rules: promtool parses each expression; JSON is YAML, so no quoting to get wrong.
    const rules = exprs.map((expr, i) => ({
      record: `dashboard:query_${i}`,
      expr: expr.replaceAll("$__rate_interval", "5m").replaceAll("$__range", "6h"),
    }));
    const dir = mkdtempSync(join(tmpdir(), "textnlp-dashboard-"));
    const file = join(dir, "dashboard-rules.yml");
    writeFileSync(file, JSON.stringify({ groups: [{ name: "dashboard", rules }] }));
    const { code, output } = promtool("check", "rules", file);
    rmSync(dir, { recursive: true });
    expect(code, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});

describe("alerts and dashboard", () => {
  it("cover backups, the link, capacity, errors and disk, each tested firing and quiet", () => {
    const names = alertNames();
    expect(names).toEqual(
      expect.arrayContaining([
        "TextnlpBackupTooOld",
        "TextnlpBackupFailed",
        "TextnlpLinkDown",
        "TextnlpQueueSaturated",
        "TextnlpHighErrorRate",
        "TextnlpDiskLow",
      ]),
    );
    const tested = expectations();
    for (const name of names) {
      expect(tested.get(name)?.fires, `${name} fires`).toBeGreaterThan(0);
      expect(tested.get(name)?.quiet, `${name} stays quiet`).toBeGreaterThan(0);
    }
    expect([...tested.keys()].sort()).toEqual([...names].sort());
  });

  it("only name metrics the appliance exports", async () => {
    const exported = new Set(
      (await new ApplianceMetrics().registry.getMetricsAsJSON()).flatMap((m) =>
        m.type === ("histogram" as unknown)
          ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`]
          : [m.name],
      ),
    );
    const queried = {
      [RULES]: read(RULES).match(METRIC_NAME) ?? [],
      [RULE_TESTS]: read(RULE_TESTS).match(METRIC_NAME) ?? [],
      "grafana-dashboard.json": dashboard().panels.flatMap((p) =>
        (p.targets ?? []).flatMap((t) => t.expr.match(METRIC_NAME) ?? []),
      ),
    };
    for (const [file, names] of Object.entries(queried)) {
      expect(names.length, file).toBeGreaterThan(5);
      for (const name of names) expect(exported, `${file}: ${name}`).toContain(name);
    }
  });

  it("lay the dashboard's panels out on Grafana's 24-column grid, none on another", () => {
    const panels = dashboard().panels;
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const overlap = (a: Panel["gridPos"], b: Panel["gridPos"]) =>
      a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    for (const [i, p] of panels.entries()) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, p.title).toBe(refIds.length);
      for (const q of panels.slice(i + 1))
        expect(overlap(p.gridPos, q.gridPos), `${p.title} / ${q.title}`).toBe(false);
    }
  });
});
