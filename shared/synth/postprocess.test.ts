import { describe, expect, it } from "vitest";
import { type Candidate, PostStep, postprocess } from "./postprocess.ts";

const candidates = (outputs: string[]): Candidate[] =>
  outputs.map((output, i) => ({ key: `${i}:0`, output, variables: { i } }));

describe("postprocess", () => {
  it("applies steps in order to the samples still kept and says who dropped what", async () => {
    const steps = [
      PostStep.parse({ type: "dedup", mode: "exact" }),
      PostStep.parse({ type: "filter", min_length: 5, regex: "^[A-Z]" }),
      PostStep.parse({ type: "judge", template: "judge", threshold: 0.5 }),
    ];
    const decisions = await postprocess(
      candidates(["Hello there", "hello THERE", "Hi", "lowercase text", "Good one", "Bad one"]),
      steps,
      {
        judge: async (c) => (c.output.startsWith("Bad") ? 0.2 : 0.9),
      },
    );
    expect(decisions.map((d) => [d.kept, d.step, d.type])).toEqual([
      [true, null, null],
      [false, 0, "dedup"],
      [false, 1, "filter"],
      [false, 1, "filter"],
      [true, null, null],
      [false, 2, "judge"],
    ]);
    expect(decisions[1]?.reason).toBe("exact duplicate of 0:0");
    expect(decisions[2]?.reason).toBe("length 2 < 5");
    expect(decisions[3]?.reason).toMatch(/does not match/);
    expect(decisions[5]).toMatchObject({
      reason: "judge score 0.2 < 0.5",
      scores: { judge2: 0.2 },
    });
    expect(decisions[4]?.scores).toEqual({ judge2: 0.9 });
  });

  it("deduplicates within each group only (a comparison job's models)", async () => {
    const grouped = ["same", "same", "same", "other"].map((output, i) => ({
      key: `0:${i}`,
      output,
      variables: {},
      group: i % 2 === 0 ? "llama@1" : "llama@2",
    }));
    const decisions = await postprocess(grouped, [
      PostStep.parse({ type: "dedup", mode: "exact" }),
    ]);
    // 0:2 repeats 0:0 in its own group; 0:1 repeats 0:0 too, but of another model.
    expect(decisions.map((d) => d.kept)).toEqual([true, true, false, true]);
    expect(decisions[2]?.reason).toBe("exact duplicate of 0:0");
  });

  it("filters JSON validity through the given validator and metrics with bounds", async () => {
    const decisions = await postprocess(
      candidates(['{"a":1}', '{"a":"x"}', "not json", "the the the the"]),
      [PostStep.parse({ type: "filter", json: true })],
      {
        validateJson: (v) =>
          typeof (v as { a: unknown }).a === "number" ? null : "a must be a number",
      },
    );
    expect(decisions.map((d) => d.reason)).toEqual([
      null,
      "JSON does not match the schema: a must be a number",
      "not valid JSON",
      "not valid JSON",
    ]);
    const byMetric = await postprocess(candidates(["the the the the", "a b c d"]), [
      PostStep.parse({ type: "filter", metric: { name: "repetition", max: 0.5 } }),
    ]);
    expect(byMetric.map((d) => d.kept)).toEqual([false, true]);
    expect(byMetric[0]?.scores.repetition).toBeCloseTo(0.75);
  });

  it("drops a sample the judge cannot score, with the reason, and goes on", async () => {
    const decisions = await postprocess(
      candidates(["one", "two"]),
      [PostStep.parse({ type: "judge", template: "j", threshold: 1 })],
      {
        judge: async (c) => {
          if (c.output === "one") throw new Error("no numeric score");
          return 3;
        },
      },
    );
    expect(decisions.map((d) => [d.kept, d.reason])).toEqual([
      [false, "judge failed: no numeric score"],
      [true, null],
    ]);
  });
});
