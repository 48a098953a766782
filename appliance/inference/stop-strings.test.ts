import { describe, expect, it } from "vitest";
import { StopStringMatcher } from "./stop-strings.ts";

function run(stops: string[], chunks: string[]) {
  const matcher = new StopStringMatcher(stops);
  const out: string[] = [];
  for (const chunk of chunks) {
    out.push(matcher.push(chunk));
    if (matcher.stopped) break;
  }
  out.push(matcher.flush());
  return { out: out.filter(Boolean), text: matcher.text, stopped: matcher.stopped };
}

describe("StopStringMatcher", () => {
  it("cuts at a stop string split across chunks, holding back only its possible start", () => {
    const r = run([" girl"], ["there was a", " little", " gi", "rl named Lily"]);
    expect(r.text).toBe("there was a little");
    expect(r.out).toEqual(["there was a", " little"]);
    expect(r.stopped).toBe(true);
  });

  it("releases held-back text that turns out not to be a stop", () => {
    const r = run(["STOP"], ["go ST", "ART now"]);
    expect(r.out).toEqual(["go ", "START now"]);
    expect(r.stopped).toBe(false);
  });

  it("stops at the earliest of several stop strings", () => {
    expect(run(["b", "a"], ["xxabc"]).text).toBe("xx");
    expect(run(["\n\n", "."], ["One. Two\n\n"]).text).toBe("One");
  });

  it("flushes a partial match at the end and ignores empty stops", () => {
    expect(run(["END"], ["the EN"]).text).toBe("the EN");
    expect(run([""], ["abc"]).text).toBe("abc");
  });
});
