/**
 * The Vertex AI key: a Google service account's key file (JSON), as the Cloud console downloads
 * it, and the API base its calls go to (the key's project, a location).
 */
import { z } from "zod";
import { UpstreamError } from "../errors.ts";

/** The fields of a service-account key file the edge uses. */
export interface ServiceAccount {
  project_id: string;
  private_key_id: string;
  /** PKCS #8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  private_key: string;
  client_email: string;
  /** Where the signed assertion is exchanged for an access token. */
  token_uri: string;
}

/** A field the key file must have, saying plainly when it has not. */
const field = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "missing" : "not a string") })
    .min(1, "empty");

const KeyFile = z.object({
  // Other credential types (authorized_user, external_account) need other flows.
  type: z.literal("service_account", "not service_account").optional(),
  project_id: field(),
  private_key_id: field(),
  private_key: field().includes("PRIVATE KEY", "not a PEM private key"),
  client_email: field(),
  token_uri: field().pipe(z.url({ protocol: /^https?$/, error: "not an http(s) URL" })),
});

/**
 * The service account in `apiKey`. A key that is not one (not JSON, a field missing) is the
 * gateway's own key being unusable: an {@link UpstreamError} reported as an upstream auth
 * failure (502 `upstream_auth_failed`), like a key the provider refused.
 */
export function parseServiceAccount(apiKey: string): ServiceAccount {
  let json: unknown;
  try {
    json = JSON.parse(apiKey);
  } catch {
    throw keyError("it is not JSON (VERTEX_API_KEY holds the key file's contents)");
  }
  const parsed = KeyFile.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const field = issue?.path.join(".") || "the key";
    throw keyError(`${field}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** The error for an unusable key file, saying why. */
export function keyError(why: string, cause?: unknown): UpstreamError {
  return new UpstreamError("vertex", "status", `the service-account key file is unusable: ${why}`, {
    status: 401,
    code: "invalid_service_account_key",
    cause,
  });
}

/** The location used unless the base URL names one. */
export const DEFAULT_LOCATION = "us-central1";

/** Google's global host: a regional location has a host of its own, `<location>-<host>`. */
const GOOGLE_HOST = "aiplatform.googleapis.com";

/**
 * The API base (`…/v1/projects/<project>/locations/<location>`) for a configured base URL:
 * - a URL whose path already names `/projects/<p>/locations/<l>` is used as it is;
 * - any other is a root to which the key's project and a location are added: the location is
 *   `?location=` on the URL, or {@link DEFAULT_LOCATION}; on Google's own host
 *   (`https://aiplatform.googleapis.com`, the default) a regional location moves the call to
 *   that region's host, `https://<location>-aiplatform.googleapis.com`, as Google requires.
 */
export function vertexBaseUrl(baseUrl: string, projectId: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, "");
  if (/\/projects\/[^/]+\/locations\/[^/]+$/.test(path)) return `${url.origin}${path}`;
  const location = url.searchParams.get("location") || DEFAULT_LOCATION;
  const host =
    url.host === GOOGLE_HOST && location !== "global" ? `${location}-${GOOGLE_HOST}` : url.host;
  const resource = `projects/${encodeURIComponent(projectId)}/locations/${encodeURIComponent(location)}`;
  return `${url.protocol}//${host}${path}/v1/${resource}`;
}
