/** Bedrock keys, regions and signatures, without a server. */
import { describe, expect, it } from "vitest";
import { UpstreamError } from "../errors.ts";
import type { OutgoingCall } from "../types.ts";
import { authorizeBedrock, bedrockRegion, bedrockRoot, parseBedrockKey } from "./auth.ts";

describe("a Bedrock key", () => {
  it("is AWS credentials with or without a session token, or an API key", () => {
    expect(parseBedrockKey("AKIAEXAMPLE000000001:sec/ret+key")).toEqual({
      kind: "sigv4",
      accessKeyId: "AKIAEXAMPLE000000001",
      secretAccessKey: "sec/ret+key",
    });
    expect(parseBedrockKey("ASIAEXAMPLE000000001:secret:to/ken==")).toMatchObject({
      kind: "sigv4",
      sessionToken: "to/ken==",
    });
    expect(parseBedrockKey(" ABSKQmVkcm9jaw== ")).toEqual({
      kind: "bearer",
      token: "ABSKQmVkcm9jaw==",
    });
  });

  it("in any other form is refused with the forms it may take, never echoed", () => {
    for (const key of ["", "AKIAEXAMPLE000000001:", ":secret", "a:b:c:d", "akia:secret", "a b"]) {
      let caught: unknown;
      try {
        parseBedrockKey(key);
      } catch (err) {
        caught = err;
      }
      expect(caught, key).toBeInstanceOf(UpstreamError);
      expect((caught as UpstreamError).status, key).toBe(401);
      expect((caught as Error).message, key).toMatch(/ACCESS_KEY_ID:SECRET_ACCESS_KEY/);
      if (key.length > 3) expect((caught as Error).message, key).not.toContain(key);
    }
  });
});

describe("the region and root of a base URL", () => {
  it("comes from ?region=, else from a bedrock-runtime host", () => {
    expect(bedrockRegion("https://bedrock-runtime.eu-central-1.amazonaws.com")).toBe(
      "eu-central-1",
    );
    expect(bedrockRegion("https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com")).toBe(
      "us-gov-west-1",
    );
    expect(
      bedrockRegion("https://vpce-0a1b-c2d3.bedrock-runtime.ap-southeast-2.vpce.amazonaws.com"),
    ).toBe("ap-southeast-2");
    expect(bedrockRegion("http://127.0.0.1:8080?region=us-west-2")).toBe("us-west-2");
    expect(bedrockRegion("https://proxy.example.com/bedrock")).toBeUndefined();
    expect(bedrockRoot("http://127.0.0.1:8080/x/?region=us-west-2")).toBe(
      "http://127.0.0.1:8080/x",
    );
  });
});

describe("authorizeBedrock", () => {
  const call: OutgoingCall = {
    url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/m%3A0/converse",
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: '{"messages":[]}',
  };
  const credentials = {
    baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
    apiKey: "AKIAEXAMPLE000000001:secret",
  };
  const at = Date.UTC(2026, 0, 2, 3, 4, 5);

  it("signs for the endpoint's region and service, dated by the clock, over the body", async () => {
    const signed = await authorizeBedrock(call, credentials, at);
    expect(signed["x-amz-date"]).toBe("20260102T030405Z");
    expect(signed.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE000000001\/20260102\/us-east-1\/bedrock\/aws4_request, SignedHeaders=accept;host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(await authorizeBedrock(call, credentials, at)).toEqual(signed);
    const otherBody = await authorizeBedrock(
      { ...call, body: '{"messages":[1]}' },
      credentials,
      at,
    );
    expect(otherBody.authorization).not.toBe(signed.authorization);
  });

  it("adds the session token, or only a bearer for an API key, and needs a region to sign", async () => {
    const session = await authorizeBedrock(
      call,
      { ...credentials, apiKey: "ASIAEXAMPLE000000001:secret:token" },
      at,
    );
    expect(session["x-amz-security-token"]).toBe("token");
    expect(session.authorization).toContain("x-amz-security-token");
    expect(await authorizeBedrock(call, { ...credentials, apiKey: "ABSKkey" }, at)).toEqual({
      authorization: "Bearer ABSKkey",
    });
    await expect(
      authorizeBedrock(call, { ...credentials, baseUrl: "https://proxy.example.com" }, at),
    ).rejects.toThrow(/add \?region=<region>/);
  });
});
