import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { initialLinkState, type LinkState } from "../link/state.ts";
import { openStore, type Store } from "../store/db.ts";
import { saveLinkCredential } from "../store/queries/link-credentials.ts";
import { linkFigure } from "./dashboard-figures.ts";
import { linkText } from "./pages/dashboard.ts";

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const state = (patch: Partial<LinkState>): LinkState => ({
  ...initialLinkState("https://edge.example", NOW),
  ...patch,
});

/** The figure and its line for an appliance enrolled (or not) with `link` as its client's state. */
function shown(options: { enrolled: boolean; enabled?: boolean; live?: Partial<LinkState> }) {
  const store = openStore(":memory:");
  stores.push(store);
  if (options.enrolled)
    saveLinkCredential(store.db, {
      edgeUrl: "https://edge.example",
      siteId: "lab",
      applianceId: "app_1",
      credential: "secret-credential",
    });
  const config = loadConfig(
    { dataDir: "/srv/t" },
    { TEXTNLP_LINK_ENABLED: String(options.enabled ?? true) },
  );
  const link = options.live ? { state: state(options.live) } : null;
  const figure = linkFigure({ db: store.db, config, link });
  return { state: figure.state, text: linkText(figure, NOW) };
}

describe("the dashboard's link figure", () => {
  it("tells not enrolled, switched off and enrolled since the last start apart", () => {
    expect(shown({ enrolled: false })).toEqual({
      state: "not_enrolled",
      text: "not enrolled (local only)",
    });
    expect(shown({ enrolled: true, enabled: false }).state).toBe("disabled");
    expect(shown({ enrolled: true, enabled: false }).text).toMatch(/link\.enabled is false/);
    expect(shown({ enrolled: true }).state).toBe("not_started");
    expect(shown({ enrolled: true }).text).toMatch(/opens when the appliance restarts/);
  });

  it("shows a connected link with its edge, site, start and last heartbeat", () => {
    const live = {
      status: "connected" as const,
      connectedAt: NOW - 3_600_000,
      lastHeartbeatAt: NOW - 4000,
      rttMs: 12,
    };
    expect(shown({ enrolled: true, live })).toEqual({
      state: "connected",
      text: "connected to https://edge.example (site lab) since 2026-11-25 11:00:00 UTC, last heartbeat 4 s ago (12 ms)",
    });
  });

  it("shows a lost link with its last error and next try; a first dial as connecting", () => {
    const waiting = { status: "waiting" as const, lastError: "ECONNREFUSED", retryAt: NOW + 2000 };
    expect(shown({ enrolled: true, live: waiting })).toEqual({
      state: "disconnected",
      text: "disconnected from https://edge.example (site lab): ECONNREFUSED; next try 2026-11-25 12:00:02 UTC",
    });
    expect(shown({ enrolled: true, live: { status: "connecting" } }).state).toBe("connecting");
    expect(
      shown({ enrolled: true, live: { status: "connecting", reconnects: 2, lastError: "x" } })
        .state,
    ).toBe("disconnected");
    expect(
      shown({ enrolled: true, live: { status: "refused", lastError: "credential revoked" } }).text,
    ).toBe("refused by https://edge.example (site lab): credential revoked (not retrying)");
  });
});
