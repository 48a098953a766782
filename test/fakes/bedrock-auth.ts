/**
 * How the Bedrock fake checks a caller, as AWS does: a SigV4 signature recomputed from the
 * request as received (the headers it names, the exact path and body) with the caller's secret
 * and compared, its scope (date, region, service `bedrock`) and its date (5 minutes of skew) checked,
 * temporary credentials' session token required; or a Bedrock API key as `Authorization: Bearer`.
 * Refusals are AWS's 403s with their exception types.
 */
import { AwsV4Signer } from "aws4fetch";
import type { FakeRequest } from "./server.ts";

/** Credentials the fake knows. */
export interface FakeAwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Who may call the fake, and the region its endpoint is in. */
export interface BedrockFakeAuth {
  region: string;
  credentials: FakeAwsCredentials[];
  apiKey: string;
}

/** A refusal: an exception type and AWS's words for it. */
export interface AuthRefusal {
  type: string;
  message: string;
}

const MAX_SKEW_MS = 5 * 60_000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** A header's value as one string (Node joins repeated ones; signatures cover them joined). */
const headerOf = (req: FakeRequest, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
};

/** `20260101T000000Z` → epoch ms (NaN when not that form). */
function amzDateMs(value: string | undefined): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0);
}

const invalidToken: AuthRefusal = {
  type: "UnrecognizedClientException",
  message: "The security token included in the request is invalid.",
};

/** Checks `req`'s credentials; undefined when they are good. */
export async function refusedAuth(
  req: FakeRequest,
  auth: BedrockFakeAuth,
  now = Date.now(),
): Promise<AuthRefusal | undefined> {
  const header = headerOf(req, "authorization");
  if (!header)
    return { type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" };
  if (header.startsWith("Bearer ")) {
    return header.slice("Bearer ".length) === auth.apiKey ? undefined : invalidToken;
  }
  const match = AUTHORIZATION.exec(header);
  if (!match) {
    return {
      type: "IncompleteSignatureException",
      message: `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${header.split(" ")[0]}`,
    };
  }
  const [, accessKeyId, day, region, service, signedHeaders = "", signature] = match;
  const credentials = auth.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!credentials) return invalidToken;
  if (
    credentials.sessionToken &&
    headerOf(req, "x-amz-security-token") !== credentials.sessionToken
  ) {
    return invalidToken;
  }
  if (service !== "bedrock") {
    return {
      type: "InvalidSignatureException",
      message: `Credential should be scoped to correct service: 'bedrock'.`,
    };
  }
  if (region !== auth.region) {
    return {
      type: "InvalidSignatureException",
      message: `Credential should be scoped to a valid region, not '${region}'.`,
    };
  }
  const names = signedHeaders.split(";");
  const amzDate = headerOf(req, "x-amz-date");
  const at = amzDateMs(amzDate);
  if (!names.includes("host") || !names.includes("x-amz-date") || Number.isNaN(at)) {
    return {
      type: "IncompleteSignatureException",
      message: "The request must sign host and x-amz-date, and carry x-amz-date.",
    };
  }
  if (Math.abs(now - at) > MAX_SKEW_MS || amzDate?.slice(0, 8) !== day) {
    return {
      type: "InvalidSignatureException",
      message: `Signature expired: ${amzDate} is now earlier than ${new Date(now - MAX_SKEW_MS).toISOString()} or later than ${new Date(now + MAX_SKEW_MS).toISOString()}.`,
    };
  }
  // The signature as AWS recomputes it: from what arrived, over the headers the caller named.
  const headers: Record<string, string> = {};
  for (const name of names) {
    if (name !== "host") headers[name] = headerOf(req, name) ?? "";
  }
  const expected = new AwsV4Signer({
    method: req.method,
    url: `http://${headerOf(req, "host")}${req.rawUrl}`,
    headers,
    body: req.rawBody,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    service,
    region,
    datetime: amzDate,
    allHeaders: true,
  });
  if ((await expected.signature()) !== signature) {
    return {
      type: "InvalidSignatureException",
      message:
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    };
  }
  return undefined;
}
