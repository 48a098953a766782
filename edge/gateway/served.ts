/**
 * What the gateway hands back for one call: the response, and how the call ended. A plain
 * answer has ended when it is returned; a stream ends after its response went out, so the end
 * is a promise that the relay settles (with the usage the provider reported).
 */
import type { Usage } from "../../shared/api/schemas/common.ts";

/** How a served call ended. */
export interface ServedEnd {
  /** 200, or 502 for a stream that failed after its 200 went out. */
  status: number;
  /** The usage the provider reported, when it did. */
  usage: Usage | undefined;
  /** The target that answered (`provider/model`). */
  target: string;
  /** A site's local model version that answered, as its appliance named it. */
  targetVersion?: number;
  targetSha256?: string;
  /** Why a stream failed after its 200 went out (the code of its error event). */
  error?: string;
}

/** A response and the promise of how its call ended. */
export interface Served {
  response: Response;
  end: Promise<ServedEnd>;
}
