/**
 * How a Bedrock call is authorised: AWS credentials (`ACCESS_KEY_ID:SECRET_ACCESS_KEY`, with
 * `:SESSION_TOKEN` for temporary ones) sign each call with SigV4 (service `bedrock`, the region
 * of the endpoint), or a Bedrock API key (one token, no colons) goes as `Authorization: Bearer`.
 */
import { AwsClient } from "aws4fetch";
import { UpstreamError } from "../errors.ts";
import type { OutgoingCall, ProviderCredentials } from "../types.ts";

/** A Bedrock key, read. */
export type BedrockKey =
  | { kind: "bearer"; token: string }
  | { kind: "sigv4"; accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** The key's expected forms, for the error naming a key in none of them (never the key). */
const KEY_FORMS =
  "the Bedrock key must be ACCESS_KEY_ID:SECRET_ACCESS_KEY, ACCESS_KEY_ID:SECRET_ACCESS_KEY:SESSION_TOKEN or a Bedrock API key";

/**
 * Credentials that cannot sign, as the failed attempt they cause (a 502 `upstream_auth_failed`
 * to the client, as a key the provider refused would be), at first use rather than start-up.
 */
function credentialsError(message: string, code: string): UpstreamError {
  return new UpstreamError("bedrock", "status", message, { status: 401, code });
}

const keyError = (why: string) => credentialsError(`${why}: ${KEY_FORMS}`, "InvalidKeyFormat");

/** Reads a key, or throws an {@link UpstreamError} saying which forms it may take. */
export function parseBedrockKey(raw: string): BedrockKey {
  const key = raw.trim();
  if (!key || /\s/.test(key)) throw keyError("the key is empty or contains whitespace");
  const parts = key.split(":");
  if (parts.length === 1) return { kind: "bearer", token: key };
  const [accessKeyId = "", secretAccessKey = "", sessionToken] = parts;
  if (parts.length > 3 || parts.some((p) => p === "")) {
    throw keyError(`the key has ${parts.length} colon-separated parts, some empty or too many`);
  }
  if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId)) {
    throw keyError("the access key id is not 16 to 128 upper-case letters and digits");
  }
  return { kind: "sigv4", accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** Where a base URL's calls go: its origin and path, without the `?region=` it may carry. */
export function bedrockRoot(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * The AWS region of a base URL: its `?region=`, else the region in a `bedrock-runtime` host
 * (`bedrock-runtime.<region>.amazonaws.com`, the FIPS and VPC endpoint names too); undefined
 * when neither says.
 */
export function bedrockRegion(baseUrl: string): string | undefined {
  const url = new URL(baseUrl);
  const named = url.searchParams.get("region");
  if (named) return named;
  return /(?:^|\.)bedrock-runtime(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\./.exec(url.hostname)?.[1];
}

/**
 * The headers that authorise `call`: `Authorization: Bearer` for an API key; for AWS
 * credentials a SigV4 signature (`Authorization`, `x-amz-date`, `x-amz-security-token`) over
 * the method, URL, headers and body as they go out, dated by `now`.
 */
export async function authorizeBedrock(
  call: OutgoingCall,
  credentials: ProviderCredentials,
  now: number,
): Promise<Record<string, string>> {
  const key = parseBedrockKey(credentials.apiKey);
  if (key.kind === "bearer") return { authorization: `Bearer ${key.token}` };
  const region = bedrockRegion(credentials.baseUrl);
  if (!region) {
    throw credentialsError(
      `no AWS region to sign for in ${new URL(credentials.baseUrl).host}: add ?region=<region> to the base URL`,
      "MissingRegion",
    );
  }
  const client = new AwsClient({ ...key, service: "bedrock", region, retries: 0 });
  const datetime = new Date(now).toISOString().replace(/[:-]|\.\d{3}/g, "");
  const signed = await client.sign(call.url, {
    method: call.method,
    headers: call.headers,
    body: call.body,
    aws: { datetime },
  });
  const added: Record<string, string> = {};
  for (const name of ["authorization", "x-amz-date", "x-amz-security-token"]) {
    const value = signed.headers.get(name);
    if (value) added[name] = value;
  }
  return added;
}
