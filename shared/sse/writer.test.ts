/** The bytes every stream of the API is written as. */
import { describe, expect, it } from "vitest";
import { readSse } from "./reader.ts";
import { encodeSse, formatSse, SSE_DONE, sseStreamOf } from "./writer.ts";

describe("SSE writer", () => {
  it("writes one data line and a blank line: JSON for values, strings as they are", () => {
    expect(formatSse({ a: 1, b: "x" })).toBe('data: {"a":1,"b":"x"}\n\n');
    expect(formatSse(SSE_DONE)).toBe("data: [DONE]\n\n");
    expect(new TextDecoder().decode(encodeSse({ a: [1] }))).toBe('data: {"a":[1]}\n\n');
  });

  it("replays events then [DONE], which the reader reads back", async () => {
    const stream = sseStreamOf([{ n: 1 }, { n: 2 }]);
    expect(await new Response(stream).text()).toBe(
      'data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n',
    );
    const events = [];
    for await (const event of readSse(sseStreamOf([{ n: 1 }]))) events.push(event.data);
    expect(events).toEqual(['{"n":1}', "[DONE]"]);
  });
});
