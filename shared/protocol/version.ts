/**
 * Protocol versions of the hybrid link. Each side speaks its own version and the one before,
 * so a fleet upgrades one appliance at a time; anything older is refused with a message that
 * says what to upgrade.
 *
 * - 1: hello without `capacity` (taken as 1), no `heartbeat_ack` (no round-trip time).
 * - 2: hello carries `capacity`; the edge answers each heartbeat with `heartbeat_ack`; chunks
 *   are numbered (`seq`) and `end` says how many there were.
 * - 3: a request may carry the W3C `traceparent` of the edge's attempt, so the appliance's
 *   spans join the caller's trace (the edge sends it only on a link that agreed on 3).
 */

/** The version this code speaks. */
export const PROTOCOL_VERSION = 3;
/** The oldest version this code still accepts (its own and the one before). */
export const OLDEST_PROTOCOL_VERSION = PROTOCOL_VERSION - 1;

/** The version two peers use, or why they cannot talk. */
export type Negotiation = { ok: true; version: number } | { ok: false; reason: string };

/**
 * Agrees on a version with a peer that speaks `peer` (its newest). The lower of the two wins;
 * a peer older than {@link OLDEST_PROTOCOL_VERSION} is refused, and so is one this side is too
 * old for (it is then the one to upgrade: `own` and the version before are all it knows).
 */
export function negotiateVersion(peer: number, own = PROTOCOL_VERSION): Negotiation {
  if (!Number.isInteger(peer) || peer < 0) {
    return { ok: false, reason: `protocol version ${String(peer)} is not a version` };
  }
  const oldest = own - 1;
  if (peer < oldest) {
    return {
      ok: false,
      reason:
        `protocol version ${peer} is too old: this side speaks ${own} and ${oldest}; ` +
        "upgrade the peer",
    };
  }
  if (peer > own + 1) {
    return {
      ok: false,
      reason:
        `protocol version ${peer} is newer than this side knows (${own} and ${oldest}); ` +
        "upgrade this side",
    };
  }
  return { ok: true, version: Math.min(peer, own) };
}
