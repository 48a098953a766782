/**
 * Enrollment: a one-time code from the edge's admin API is exchanged for a site credential,
 * stored in the appliance's database (never in the config file).
 */
import { Enrollment, type EnrollRequest, LINK_PATHS } from "../../shared/protocol/index.ts";
import type { Config } from "../config.ts";
import type { Db } from "../store/db.ts";
import { saveLinkCredential } from "../store/queries/link-credentials.ts";
import { edgeOrigin, edgeTransport, postJson } from "./transport.ts";

/** Exchanges `code` at `edgeUrl`; stores and returns the enrollment (without the secret). */
export async function enroll(
  db: Db,
  link: Config["link"],
  edgeUrl: string,
  code: string,
  name: string,
): Promise<{ edgeUrl: string; siteId: string; applianceId: string }> {
  const origin = edgeOrigin(edgeUrl);
  const request: EnrollRequest = { code, name };
  const res = await postJson(new URL(LINK_PATHS.enroll, origin), request, edgeTransport(link));
  if (res.status !== 201) {
    const message =
      (res.body as { error?: { message?: string } })?.error?.message ?? String(res.body);
    throw new Error(`the edge refused the enrollment (${res.status}): ${message}`);
  }
  const parsed = Enrollment.safeParse(res.body);
  if (!parsed.success) throw new Error("the edge's enrollment answer is not understood");
  const enrolled = {
    edgeUrl: origin.toString().replace(/\/$/, ""),
    siteId: parsed.data.site_id,
    applianceId: parsed.data.appliance_id,
  };
  saveLinkCredential(db, { ...enrolled, credential: parsed.data.credential });
  return enrolled;
}
