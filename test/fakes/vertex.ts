/**
 * Vertex AI for Google's publisher models, with the token endpoint its service account uses:
 *
 * - `POST /token` takes Google's JWT bearer grant (a form: `grant_type`, `assertion`), checks
 *   the RS256 signature against the service account's public key, `iss`, `aud` (this endpoint
 *   or Google's own `https://oauth2.googleapis.com/token`), the cloud-platform scope and a
 *   lifetime of at most an hour, and answers `{access_token, expires_in, token_type}`, or
 *   Google's OAuth error (`{"error":"invalid_grant","error_description":…}`). Each exchange
 *   counts as `token-exchange` in `/__calls`. An `iat` ahead of this clock is accepted (the
 *   gateway's tests move its clock forward); an `exp` already past is not.
 * - `/v1{,beta1}/projects/<project>/locations/<location>/publishers/google/models/<model>:
 *   generateContent | streamGenerateContent?alt=sse | predict` needs a token this fake issued
 *   (401 otherwise), the account's project (403) and a known location; bodies, scenarios and
 *   errors are the Gemini fake's, but a content without `role` is refused, as Vertex does.
 *
 * The service account's key pair is made when the fake starts; its key file (JSON, `token_uri`
 * pointing here) is `keyFile`.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify } from "jose";
import { answerGenerateContent, sendGoogleError } from "./gemini.ts";
import { countTokens, embeddingOf, playScenario, sendJson } from "./scenario.ts";
import { type FakeRequest, type FakeServer, startFakeServer } from "./server.ts";

/** Google's token endpoint, the audience google-auth-library signs for whatever `token_uri` says. */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
/** The locations this fake serves. */
export const fakeVertexLocations = ["us-central1", "europe-west4", "global"];
/** The model name under which token exchanges are counted in `/__calls`. */
export const TOKEN_EXCHANGES = "token-exchange";
const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const TOKEN_TTL_S = 3599;

/** A running Vertex fake and the service account it trusts. */
export interface FakeVertex extends FakeServer {
  /** The service account's key file, as JSON text (what `VERTEX_API_KEY` holds). */
  keyFile: string;
  projectId: string;
}

const ROUTE =
  /^\/v1(?:beta1)?\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|predict)$/;

function oauthError(res: ServerResponse, status: number, error: string, description: string) {
  sendJson(res, status, { error, error_description: description });
}

/** Starts a fake Vertex AI (and token endpoint) on loopback, with a fresh service account. */
export async function startFakeVertex(projectId = "textnlp-fake"): Promise<FakeVertex> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const clientEmail = `edge-gateway@${projectId}.iam.gserviceaccount.com`;
  const keyId = randomBytes(20).toString("hex");
  /** Access tokens issued, with when they expire (this clock, ms). */
  const issued = new Map<string, number>();
  let tokenUrl = "";

  async function exchange(req: FakeRequest, res: ServerResponse) {
    const { grant_type, assertion } = req.body as Record<string, string | undefined>;
    if (grant_type !== JWT_BEARER) {
      return oauthError(res, 400, "unsupported_grant_type", `Invalid grant_type: ${grant_type}`);
    }
    if (!assertion) return oauthError(res, 400, "invalid_request", "Missing assertion.");
    let payload: Record<string, unknown>;
    try {
      const { kid } = decodeProtectedHeader(assertion);
      // Without a kid, Google tries each of the account's keys; with one, only that key.
      if (kid !== undefined && kid !== keyId) throw Object.assign(new Error(), { code: "kid" });
      ({ payload } = await jwtVerify(assertion, publicKey, {
        algorithms: ["RS256"],
        audience: [tokenUrl, GOOGLE_TOKEN_URL],
        requiredClaims: ["iss", "aud", "iat", "exp"],
      }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "kid" || code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
        return oauthError(res, 400, "invalid_grant", "Invalid JWT Signature.");
      }
      return oauthError(res, 400, "invalid_grant", `Invalid JWT: ${(err as Error).message}`);
    }
    if (payload.iss !== clientEmail) {
      return oauthError(res, 400, "invalid_grant", "Invalid grant: account not found");
    }
    if (payload.sub !== undefined && payload.sub !== clientEmail) {
      return oauthError(
        res,
        401,
        "unauthorized_client",
        "Client is unauthorized to retrieve access tokens using this method.",
      );
    }
    const scopes = String(payload.scope ?? "").split(" ");
    if (!scopes.includes(SCOPE)) {
      return oauthError(
        res,
        400,
        "invalid_scope",
        "Invalid OAuth scope or ID token audience provided.",
      );
    }
    if (Number(payload.exp) - Number(payload.iat) > 3600) {
      return oauthError(
        res,
        400,
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
      );
    }
    const token = `ya29.fake-${randomBytes(16).toString("base64url")}`;
    issued.set(token, Date.now() + TOKEN_TTL_S * 1000);
    sendJson(res, 200, { access_token: token, expires_in: TOKEN_TTL_S, token_type: "Bearer" });
  }

  const server = await startFakeServer(async (req, res, count) => {
    if (req.method === "POST" && req.path === "/token") {
      count(TOKEN_EXCHANGES);
      return exchange(req, res);
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    if ((issued.get(bearer) ?? 0) <= Date.now()) {
      return sendGoogleError(
        res,
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
      );
    }
    const route = ROUTE.exec(req.path);
    if (req.method !== "POST" || !route) return sendGoogleError(res, 404, `Not found: ${req.path}`);
    const [, project = "", location = "", rawModel = "", method] = route;
    const model = decodeURIComponent(rawModel);
    if (project !== projectId) {
      return sendGoogleError(
        res,
        403,
        `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/${project}/locations/${location}/publishers/google/models/${model}' (or it may not exist).`,
      );
    }
    if (!fakeVertexLocations.includes(location)) {
      return sendGoogleError(res, 400, `Unsupported location: ${location}.`);
    }
    const scenario = playScenario("vertex", model, count(model), (...e) =>
      sendGoogleError(res, ...e),
    );
    if (!scenario) return;
    if (method === "predict") return predict(req, res);
    answerGenerateContent(
      { provider: "vertex", roleRequired: true },
      req,
      res,
      model,
      method as "generateContent" | "streamGenerateContent",
      scenario,
    );
  });
  tokenUrl = `${server.url}/token`;
  const keyFile = JSON.stringify({
    type: "service_account",
    project_id: projectId,
    private_key_id: keyId,
    private_key: await exportPKCS8(privateKey),
    client_email: clientEmail,
    client_id: "100000000000000000001",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: tokenUrl,
    auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
    universe_domain: "googleapis.com",
  });
  return { ...server, keyFile, projectId };
}

/** Text embeddings (`text-embedding-*`, `gemini-embedding-*`): `instances[].content`. */
function predict(req: FakeRequest, res: ServerResponse) {
  const extra = Object.keys(req.body).find((k) => k !== "instances" && k !== "parameters");
  if (extra) {
    return sendGoogleError(
      res,
      400,
      `Invalid JSON payload received. Unknown name "${extra}": Cannot find field.`,
    );
  }
  const instances = req.body.instances as { content?: unknown }[] | undefined;
  if (!Array.isArray(instances) || instances.some((i) => typeof i?.content !== "string")) {
    return sendGoogleError(res, 400, "Invalid instances: each needs a string content.");
  }
  const texts = instances.map((i) => i.content as string);
  sendJson(res, 200, {
    predictions: texts.map((text, i) => ({
      embeddings: {
        values: embeddingOf(text, i),
        statistics: { token_count: countTokens(text), truncated: false },
      },
    })),
    metadata: { billableCharacterCount: texts.join("").length },
  });
}
