/**
 * The HTTP side of the link: an appliance exchanges a one-time enrollment code for a site
 * credential at {@link LINK_PATHS.enroll}, then dials {@link LINK_PATHS.connect} with that
 * credential as bearer. The edge serves these shapes and the appliance parses them.
 */
import { z } from "zod";

/** Where the edge serves the link (outside `/v1`: the site credential, not an API key). */
export const LINK_PATHS = {
  enroll: "/link/v1/enroll",
  connect: "/link/v1/connect",
} as const;

/** `POST /link/v1/enroll` body: the code from the admin API and a name for the appliance. */
export const EnrollRequest = z.object({
  code: z.string().min(1).max(256),
  name: z.string().min(1).max(128).default("appliance"),
});
export type EnrollRequest = z.input<typeof EnrollRequest>;

/** The enrollment answer: the only time the site credential is sent (the edge keeps a hash). */
export const Enrollment = z.object({
  site_id: z.string().min(1),
  appliance_id: z.string().min(1),
  credential: z.string().min(1),
});
export type Enrollment = z.infer<typeof Enrollment>;
