/**
 * Which appliance of a site serves a request: an online one that has the model and was not
 * tried for it yet, the least loaded for its capacity, ties to the one chosen longest ago.
 */
import type { LinkLoad, LinkModel } from "../../shared/protocol/index.ts";

/** What the choice reads of one appliance's link. */
export interface Candidate {
  applianceId: string;
  online: boolean;
  models: readonly LinkModel[];
  capacity: number;
  /** The load it last reported (in its heartbeat). */
  load: LinkLoad;
  /** Requests of the edge on it now. */
  inFlight: number;
  /** Epoch ms it was last chosen (0: never). */
  lastChosen: number;
}

/** The appliance `model` goes to, among `candidates` not in `tried`; null when none can. */
export function chooseAppliance<C extends Candidate>(
  candidates: Iterable<C>,
  model: string,
  tried: readonly string[],
): C | null {
  let best: { candidate: C; score: number } | null = null;
  for (const candidate of candidates) {
    if (!candidate.online || tried.includes(candidate.applianceId)) continue;
    if (!candidate.models.some((m) => m.id === model)) continue;
    // Reported load lags behind (heartbeats): the edge's own in-flight count keeps up.
    const reported = candidate.load.active + candidate.load.queued;
    const score = Math.max(reported, candidate.inFlight) / candidate.capacity;
    if (
      !best ||
      score < best.score ||
      (score === best.score && candidate.lastChosen < best.candidate.lastChosen)
    ) {
      best = { candidate, score };
    }
  }
  return best?.candidate ?? null;
}
