/** Header names the gateway and a site's hub agree on. */
export const HUB_HEADERS = {
  applianceId: "x-textnlp-appliance",
  /** The heartbeat interval for a new link, in ms. */
  heartbeatMs: "x-textnlp-heartbeat-ms",
  /** The gateway's id of a request, to cancel it by. */
  requestId: "x-textnlp-link-request",
  /** Epoch ms after which a request is cancelled. */
  deadline: "x-textnlp-deadline",
  /** The appliance that answered (for tests and logs). */
  servedBy: "x-textnlp-appliance",
} as const;
