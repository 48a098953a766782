/** The Vertex AI key file and the API base a configured URL gives, as pure functions. */
import { describe, expect, it } from "vitest";
import { UpstreamError } from "../errors.ts";
import { parseServiceAccount, vertexBaseUrl } from "./service-account.ts";

describe("vertexBaseUrl", () => {
  it("puts Google's host in the location's region, us-central1 unless ?location= names one", () => {
    expect(vertexBaseUrl("https://aiplatform.googleapis.com", "p1")).toBe(
      "https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1",
    );
    expect(vertexBaseUrl("https://aiplatform.googleapis.com?location=europe-west4", "p1")).toBe(
      "https://europe-west4-aiplatform.googleapis.com/v1/projects/p1/locations/europe-west4",
    );
    // The global location is served by the global host.
    expect(vertexBaseUrl("https://aiplatform.googleapis.com?location=global", "p1")).toBe(
      "https://aiplatform.googleapis.com/v1/projects/p1/locations/global",
    );
  });

  it("keeps any other host and path prefix, and a full base URL as it is", () => {
    expect(vertexBaseUrl("http://127.0.0.1:9000/proxy?location=asia-northeast1", "p1")).toBe(
      "http://127.0.0.1:9000/proxy/v1/projects/p1/locations/asia-northeast1",
    );
    const full =
      "https://europe-west4-aiplatform.googleapis.com/v1/projects/other/locations/europe-west4";
    expect(vertexBaseUrl(full, "p1")).toBe(full);
    expect(vertexBaseUrl(`${full}/`, "p1")).toBe(full);
  });
});

describe("parseServiceAccount", () => {
  const key = {
    type: "service_account",
    project_id: "p1",
    private_key_id: "k1",
    private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    client_email: "sa@p1.iam.gserviceaccount.com",
    token_uri: "https://oauth2.googleapis.com/token",
  };
  const refusal = (text: string) => {
    try {
      parseServiceAccount(text);
    } catch (err) {
      return err as UpstreamError;
    }
    throw new Error("accepted");
  };

  it("reads a key file's fields", () => {
    expect(parseServiceAccount(JSON.stringify(key))).toMatchObject({
      project_id: "p1",
      private_key_id: "k1",
    });
  });

  it.each([
    ["{", "it is not JSON"],
    [JSON.stringify({ ...key, client_email: undefined }), "client_email: missing"],
    [JSON.stringify({ ...key, token_uri: "oauth2" }), "token_uri: not an http(s) URL"],
    [JSON.stringify({ ...key, private_key: "hunter2" }), "private_key: not a PEM private key"],
    [JSON.stringify({ ...key, type: "authorized_user" }), "type: not service_account"],
  ])("refuses %s as an upstream auth failure saying why", (text, why) => {
    const err = refusal(text);
    expect(err).toBeInstanceOf(UpstreamError);
    expect([err.provider, err.failure, err.status]).toEqual(["vertex", "status", 401]);
    expect(err.message).toContain(why);
  });
});
