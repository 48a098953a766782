/**
 * WebSocket close codes the link uses (4000-4999 are the application's). An appliance reads
 * them to decide whether to reconnect: a refusal it cannot fix by retrying stops the link.
 */
export const CloseCode = {
  /** Ordinary shutdown of either side. */
  normal: 1000,
  /** The hello was missing, malformed or late. */
  badHello: 4000,
  /** The credential is unknown or the appliance was revoked: do not reconnect. */
  revoked: 4001,
  /** The protocol versions do not overlap: do not reconnect until upgraded. */
  protocolTooOld: 4002,
  /** Another connection of the same appliance replaced this one. */
  replaced: 4003,
  /** No heartbeat for too long. */
  heartbeatMissed: 4004,
} as const;

/** True for closes that retrying cannot fix. */
export function isFinalClose(code: number): boolean {
  return code === CloseCode.revoked || code === CloseCode.protocolTooOld;
}
