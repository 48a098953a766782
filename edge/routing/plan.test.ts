/**
 * Route planning against the model catalogue: an alias skips targets that lack what the request
 * needs, keeps those the catalogue does not know, and is a 400 `unsupported_capability` naming
 * each target's gap only when none is left; a direct name is held to the same rule.
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../shared/api/errors.ts";
import { readCatalogue } from "../providers/catalogue.ts";
import { planRoute } from "./plan.ts";
import { parseRoutingPolicy } from "./policy.ts";

const catalogue = readCatalogue({
  version: 1,
  pricesAsOf: "2026-12-01",
  models: {
    "openai/seer": { capabilities: ["chat", "vision", "json"] },
    "cohere/texter": { capabilities: ["chat", "tools"] },
  },
});
const policy = parseRoutingPolicy({
  aliases: {
    smart: { targets: [{ model: "cohere/texter" }, { model: "openai/seer" }] },
    blind: { targets: [{ model: "cohere/texter" }] },
    mixed: { targets: [{ model: "cohere/texter" }, { model: "openai/unknown-to-catalogue" }] },
  },
});
const creds = {
  openai: { baseUrl: "http://openai.test", apiKey: "k" },
  cohere: { baseUrl: "http://cohere.test", apiKey: "k" },
};
const plan = (model: string, ...capabilities: ("vision" | "json" | "tools")[]) =>
  planRoute(model, policy, creds, () => 0, { needs: { capabilities, catalogue } });
const ids = (model: string, ...capabilities: ("vision" | "json" | "tools")[]) =>
  plan(model, ...capabilities).targets.map((t) => t.target.id);
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    return err as ApiError;
  }
  throw new Error("expected a refusal");
};

describe("planRoute with capability needs", () => {
  it("keeps every target when nothing special is needed", () => {
    expect(ids("smart")).toEqual(["cohere/texter", "openai/seer"]);
  });

  it("skips the targets that lack a need, in order", () => {
    expect(ids("smart", "vision")).toEqual(["openai/seer"]);
    expect(ids("smart", "tools")).toEqual(["cohere/texter"]);
  });

  it("keeps targets the catalogue does not know: nothing says they cannot", () => {
    expect(ids("mixed", "vision")).toEqual(["openai/unknown-to-catalogue"]);
  });

  it("refuses with 400 unsupported_capability naming each gap when none is left", () => {
    const err = refusal(() => plan("smart", "vision", "tools"));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.code).toBe("unsupported_capability");
    expect(err.message).toContain("'cohere/texter' has no vision");
    expect(err.message).toContain("'openai/seer' has no tools");
  });

  it("holds direct names to the same rule", () => {
    expect(ids("openai/seer", "vision")).toEqual(["openai/seer"]);
    expect(refusal(() => plan("cohere/texter", "json")).code).toBe("unsupported_capability");
    expect(refusal(() => plan("blind", "vision")).message).toContain("'blind' cannot serve");
  });
});
