/**
 * Prices of calls: an alias target's own price, else the model catalogue's, for direct names
 * and alias targets alike; the customer's own appliances (`site:`) cost nothing unless priced;
 * a model nothing prices cannot be bounded.
 */
import { describe, expect, it } from "vitest";
import { readCatalogue } from "../providers/catalogue.ts";
import { parseRoutingPolicy } from "./policy.ts";
import { costOfCall, maxCostOf, withCataloguePrices } from "./price.ts";

const catalogue = readCatalogue({
  version: 1,
  pricesAsOf: "2026-12-01",
  models: {
    "openai/cheap": { capabilities: ["chat"], inputPerMillion: 1, outputPerMillion: 2 },
    "openai/dear": { capabilities: ["chat"], inputPerMillion: 10, outputPerMillion: 20 },
  },
});
const policy = withCataloguePrices(
  parseRoutingPolicy({
    aliases: {
      hybrid: { targets: [{ model: "site:plant-a/llama" }, { model: "openai/cheap" }] },
      own: { targets: [{ model: "openai/dear", inputPerMillion: 0.5, outputPerMillion: 0.5 }] },
      blind: { targets: [{ model: "openai/cheap" }, { model: "openai/unknown" }] },
    },
  }),
  catalogue,
);
const pricing = { policy, catalogue };
const estimate = { promptTokens: 1_000_000, maxTokens: 1_000_000 };
const usage = { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 };

describe("call prices", () => {
  it("price direct names from the catalogue, and leave unknown ones unbounded", () => {
    expect(maxCostOf(pricing, "openai/dear", estimate)).toBe(30);
    expect(costOfCall(pricing, "openai/cheap", "openai/cheap", usage)).toBe(3);
    expect(maxCostOf(pricing, "openai/unknown", estimate)).toBeNull();
    expect(costOfCall(pricing, "openai/unknown", "openai/unknown", usage)).toBeNull();
  });

  it("let an alias target's own price win, and reserve an alias's dearest target", () => {
    expect(maxCostOf(pricing, "own", estimate)).toBe(1);
    expect(costOfCall(pricing, "own", "openai/dear", usage)).toBe(1);
    expect(maxCostOf(pricing, "hybrid", estimate)).toBe(3);
    // One target nothing prices: the alias's cost cannot be bounded.
    expect(maxCostOf(pricing, "blind", estimate)).toBeNull();
  });

  it("count the customer's own appliances as free unless the policy prices them", () => {
    expect(maxCostOf(pricing, "site:plant-a/llama", estimate)).toBe(0);
    expect(costOfCall(pricing, "hybrid", "site:plant-a/llama", usage)).toBe(0);
  });
});
