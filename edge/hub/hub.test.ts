import { env } from "cloudflare:workers";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { ApiError } from "../../shared/api/errors.ts";
import {
  collect,
  type GatewayOptions,
  gatewayClient,
  seedApiKey,
  startGateway as start,
} from "../test/gateway.ts";
import {
  answerWith,
  chunkEvent,
  connected,
  type PlayedAppliance,
  playAppliance,
  streamWords,
} from "../test/link-appliance.ts";
import { type Candidate, chooseAppliance } from "./choice.ts";

/**
 * The gateway, retrying without waiting: a site's 503 is retried after its Retry-After (1 s) as
 * any target's would be, which these tests need not sit through.
 */
const startGateway = (options: GatewayOptions = {}) =>
  start({ ...options, deps: { sleep: async () => {}, ...options.deps } });
type Gateway = ReturnType<typeof startGateway>;
const json = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** Creates a site and enrolls `n` appliances; returns their ids and credentials. */
async function siteWith(gw: Gateway, site: string, n: number) {
  expect((await gw.call("http://edge/v1/admin/sites", json({ id: site }))).status).toBe(201);
  const enrolled: { id: string; credential: string }[] = [];
  for (let i = 0; i < n; i++) {
    const issued = await gw.call(`http://edge/v1/admin/sites/${site}/enrollment-codes`, json({}));
    const { code } = (await issued.json()) as { code: string };
    const res = await gw.callRaw("http://edge/link/v1/enroll", json({ code, name: `box-${i}` }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      appliance_id: string;
      credential: string;
      site_id: string;
    };
    expect(body.site_id).toBe(site);
    enrolled.push({ id: body.appliance_id, credential: body.credential });
  }
  return enrolled;
}

/** A plain chat request for `model` through the gateway. */
const ask = (gw: Gateway, model: string) =>
  gw.client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });

async function link(gw: Gateway, who: { id: string; credential: string }, extra = {}) {
  const played = connected(
    await playAppliance(gw.callRaw, { credential: who.credential, applianceId: who.id, ...extra }),
  );
  await played.waitFor("welcome");
  return played;
}

async function siteStatus(gw: Gateway, site: string) {
  const res = await gw.call("http://edge/v1/admin/sites");
  expect(res.status).toBe(200);
  const { data } = (await res.json()) as {
    data: {
      id: string;
      owned: boolean;
      appliances: { id: string; status: string; models: { id: string }[]; load: unknown }[];
    }[];
  };
  const found = data.find((s) => s.id === site);
  if (!found) throw new Error(`site ${site} not listed`);
  return found;
}

describe("the choice of an appliance", () => {
  const box = (applianceId: string, extra: Partial<Candidate> = {}): Candidate => ({
    applianceId,
    online: true,
    models: [{ id: "tiny", contextSize: 512 }],
    capacity: 1,
    load: { active: 0, queued: 0 },
    inFlight: 0,
    lastChosen: 0,
    ...extra,
  });
  const pick = (boxes: Candidate[], tried: string[] = []) =>
    chooseAppliance(boxes, "tiny", tried)?.applianceId ?? null;

  it("takes the least loaded for its capacity, by reported load or the edge's own count", () => {
    const reported = box("a", { load: { active: 1, queued: 1 }, capacity: 4 });
    expect(pick([box("b", { inFlight: 1 }), reported])).toBe("a");
    expect(pick([box("b", { inFlight: 1, capacity: 2 }), box("c", { inFlight: 1 })])).toBe("b");
    // The edge's in-flight count beats a heartbeat that has not caught up yet.
    expect(pick([box("b", { inFlight: 3, capacity: 4 }), reported])).toBe("a");
    expect(pick([box("b", { inFlight: 1, capacity: 4 }), reported])).toBe("b");
  });

  it("breaks ties by the one chosen longest ago; skips offline, tried and model-less ones", () => {
    expect(pick([box("a", { lastChosen: 20 }), box("b", { lastChosen: 10 })])).toBe("b");
    expect(pick([box("a", { online: false }), box("b", { inFlight: 5 })])).toBe("b");
    expect(pick([box("a"), box("b", { inFlight: 5 })], ["a"])).toBe("b");
    expect(pick([box("a", { models: [{ id: "huge", contextSize: 512 }] })])).toBeNull();
    expect(pick([box("a")], ["a"])).toBeNull();
  });
});

describe("sites admin and enrollment", () => {
  it("creates sites, enrolls once per code, refuses spent and expired codes", async () => {
    let now = Date.now();
    const gw = startGateway({ deps: { now: () => now } });
    await siteWith(gw, "plant-z", 0);
    const taken = await gw.call("http://edge/v1/admin/sites", json({ id: "plant-z" }));
    expect(taken.status).toBe(409);
    const bad = await gw.call("http://edge/v1/admin/sites", json({ id: "Bad Name" }));
    expect(bad.status).toBe(400);

    const issue = async () =>
      (
        (await (
          await gw.call("http://edge/v1/admin/sites/plant-z/enrollment-codes", json({}))
        ).json()) as { code: string }
      ).code;
    const code = await issue();
    const first = await gw.callRaw("http://edge/link/v1/enroll", json({ code }));
    expect(first.status).toBe(201);
    const again = await gw.callRaw("http://edge/link/v1/enroll", json({ code }));
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe(
      "invalid_enrollment_code",
    );
    const late = await issue();
    now += 3601_000;
    expect((await gw.callRaw("http://edge/link/v1/enroll", json({ code: late }))).status).toBe(401);
  });

  it("keeps sites to their tenant; sharing gives use, not administration", async () => {
    const gw = startGateway();
    await siteWith(gw, "plant-b", 0);
    const other = await seedApiKey(["*"], "tenant-other");
    const asOther = (url: string, init?: RequestInit) =>
      gw.callRaw(url, {
        ...init,
        headers: { ...init?.headers, authorization: `Bearer ${other.secret}` },
      });
    const codeAsOther = await asOther(
      "http://edge/v1/admin/sites/plant-b/enrollment-codes",
      json({}),
    );
    expect(codeAsOther.status).toBe(404);
    const shared = await gw.call(
      "http://edge/v1/admin/sites/plant-b/shares",
      json({ tenant_id: "tenant-other" }),
    );
    expect(shared.status).toBe(201);
    const list = (await (await asOther("http://edge/v1/admin/sites")).json()) as {
      data: { id: string; owned: boolean }[];
    };
    // A shared site is named by its owner tenant and its name: the other tenant's own names
    // stay free.
    expect(list.data).toEqual([
      expect.objectContaining({ id: "tenant-test.plant-b", owned: false }),
    ]);
    const askAsOther = async (model: string) =>
      (
        await asOther(
          "http://edge/v1/chat/completions",
          json({ model, messages: [{ role: "user", content: "hi" }] }),
        )
      ).status;
    // Found (no appliance: 503) by its shared name; by its bare name, looked up in the other
    // tenant, it is not found.
    expect(await askAsOther("site:tenant-test.plant-b/tiny")).toBe(503);
    expect(await askAsOther("site:plant-b/tiny")).toBe(404);
    const stillNo = await asOther("http://edge/v1/admin/sites/plant-b/enrollment-codes", json({}));
    expect(stillNo.status).toBe(404);
    const narrow = await seedApiKey(["inference"], "tenant-test");
    const denied = await gw.callRaw("http://edge/v1/admin/sites", {
      headers: { authorization: `Bearer ${narrow.secret}` },
    });
    expect(denied.status).toBe(403);
  });

  it("scopes site ids by tenant: each may have its own plant-s; another's is a 404 like none", async () => {
    const gw = startGateway();
    await siteWith(gw, "plant-s", 0);
    await siteWith(gw, "plant-t", 0);
    const other = await seedApiKey(["*"], "tenant-scoped-other");
    const asOther = (url: string, body?: unknown) =>
      gw.callRaw(url, {
        method: body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${other.secret}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const created = await asOther("http://edge/v1/admin/sites", { id: "plant-s" });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: "plant-s", tenant_id: "tenant-scoped-other" });
    expect((await asOther("http://edge/v1/admin/sites", { id: "plant-s" })).status).toBe(409);

    const errorOf = async (res: Response) => {
      expect(res.status).toBe(404);
      const { error } = (await res.json()) as { error: { message: string } };
      return { ...error, message: error.message.replace(/'[^']*'/, "'…'") };
    };
    for (const path of ["enrollment-codes", "shares"]) {
      const body = path === "shares" ? { tenant_id: "tenant-scoped-other" } : {};
      const theirs = await asOther(`http://edge/v1/admin/sites/plant-t/${path}`, body);
      const nobodys = await asOther(`http://edge/v1/admin/sites/plant-none/${path}`, body);
      expect(await errorOf(theirs)).toEqual(await errorOf(nobodys));
    }
    const list = (await (await asOther("http://edge/v1/admin/sites")).json()) as {
      data: { id: string; owned: boolean }[];
    };
    expect(list.data.map((site) => [site.id, site.owned])).toEqual([["plant-s", true]]);
  });
});

describe("the link", () => {
  it("refuses unknown credentials and a hello of another appliance", async () => {
    const gw = startGateway();
    const [a] = await siteWith(gw, "plant-c", 1);
    const refused = await playAppliance(gw.callRaw, { credential: "tnls_nope", applianceId: "x" });
    expect(refused).toMatchObject({ refused: 401 });
    const impostor = connected(
      await playAppliance(gw.callRaw, { credential: a.credential, applianceId: "someone-else" }),
    );
    expect(await impostor.closed).toBe(4000);
    expect(impostor.received[0]).toMatchObject({ type: "error", code: "wrong_appliance" });
  });

  it("accepts its version and the one before; refuses an older one on both ends", async () => {
    const gw = startGateway();
    const [a, b, c] = await siteWith(gw, "plant-d", 3);
    const current = await link(gw, a);
    expect(current.received[0]).toMatchObject({ type: "welcome", protocol: 3 });
    const previous = await link(gw, b, { protocol: 2 });
    expect(previous.received[0]).toMatchObject({ type: "welcome", protocol: 2 });
    current.heartbeat();
    previous.heartbeat();
    await current.waitFor("heartbeat_ack");
    await previous.waitFor("heartbeat_ack");
    const tooOld = connected(
      await playAppliance(gw.callRaw, { credential: c.credential, applianceId: c.id, protocol: 1 }),
    );
    expect(await tooOld.closed).toBe(4002);
    expect(tooOld.received[0]).toMatchObject({ type: "error", code: "protocol_version" });
    const site = await siteStatus(gw, "plant-d");
    const statuses = Object.fromEntries(site.appliances.map((x) => [x.id, x.status]));
    expect(statuses).toEqual({ [a.id]: "online", [b.id]: "online", [c.id]: "offline" });
  });

  it("sends the attempt's trace context down a protocol-3 link only", async () => {
    const gw = startGateway({
      bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: inject("otlp").url, OTEL_BSP_SCHEDULE_DELAY: "0" },
    });
    const [a, b] = await siteWith(gw, "plant-trace", 2);
    const current = await link(gw, a);
    const previous = await link(gw, b, { protocol: 2 });
    const traceId = crypto.randomUUID().replaceAll("-", "");
    const headers = { traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
    // Load ties go to the appliance idle longest: two calls reach both.
    for (let i = 0; i < 2; i++) {
      await gw.client.chat.completions.create(
        { model: "site:plant-trace/tiny", messages: [{ role: "user", content: "hi" }] },
        { headers },
      );
    }
    await gw.settled();
    const [sent] = current.received.filter((f) => f.type === "request");
    const [old] = previous.received.filter((f) => f.type === "request");
    // The caller's trace, under the edge's attempt span.
    const carried = sent?.type === "request" ? (sent.traceparent ?? "") : "";
    expect(carried).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(carried).not.toBe(headers.traceparent);
    expect(old).toBeDefined();
    expect(old).not.toHaveProperty("traceparent");
  });

  it("answers malformed frames with an error and keeps the link", async () => {
    const gw = startGateway();
    const [a] = await siteWith(gw, "plant-e", 1);
    const played = await link(gw, a);
    played.send("{not json");
    played.send(JSON.stringify({ type: "teleport" }));
    await played.waitFor("error", (f) => f.message.includes("teleport"));
    played.heartbeat();
    await played.waitFor("heartbeat_ack");
  });
});

describe("requests over the link", () => {
  it("serves plain and streamed answers from site models, listed in /v1/models", async () => {
    const gw = startGateway();
    const [a] = await siteWith(gw, "plant-f", 1);
    await link(gw, a, { models: [{ id: "tiny", contextSize: 512 }] });
    const models = await gw.client.models.list();
    expect(models.data.map((m) => m.id)).toContain("site:plant-f/tiny");

    const plain = await ask(gw, "site:plant-f/tiny");
    expect(plain.choices[0].message.content).toBe("Hello world");
    expect(plain.model).toBe("site:plant-f/tiny");
    const streamed = await collect(
      await gw.client.chat.completions.create({
        model: "site:plant-f/tiny",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      }),
    );
    expect(streamed).toMatchObject({ text: "Hello world", finishes: ["stop"], error: undefined });
    await gw.settled();

    // A model no appliance has, and a site of nobody's: errors, not hangs.
    await expect(ask(gw, "site:plant-f/huge")).rejects.toMatchObject({ status: 503 });
    await expect(ask(gw, "site:nowhere/tiny")).rejects.toMatchObject({ status: 404 });
  });

  it("restores the order of numbered chunks, whatever order they arrive in", async () => {
    const gw = startGateway();
    const [a] = await siteWith(gw, "plant-o", 1);
    const played = await link(gw, a);
    played.answer = (req, link) => {
      const events = ["Once", " upon", " a time"].map((w) => chunkEvent(req.id, w));
      events.push(chunkEvent(req.id, "", "stop"), "data: [DONE]\n\n");
      // Everything backwards: the end, then the chunks last first, then the head.
      link.send({ type: "end", id: req.id, chunks: events.length });
      for (let seq = events.length - 1; seq >= 0; seq--) {
        link.send({ type: "chunk", id: req.id, data: events[seq] as string, seq });
      }
      link.send({ type: "response", id: req.id, status: 200, headers: {} });
    };
    const out = await collect(
      await gw.client.chat.completions.create({
        model: "site:plant-o/tiny",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      }),
    );
    expect(out).toMatchObject({ text: "Once upon a time", finishes: ["stop"], error: undefined });
    await gw.settled();
  });

  it("spreads concurrent requests by load", async () => {
    const gw = startGateway();
    const [a, b] = await siteWith(gw, "plant-g", 2);
    const held: (() => void)[] = [];
    const slow = (link: PlayedAppliance) => (req: Parameters<PlayedAppliance["answer"]>[0]) =>
      new Promise<void>((resolve) => {
        held.push(() => {
          void answerWith([link.id])(req, link);
          resolve();
        });
      });
    const pa = await link(gw, a, { capacity: 2 });
    const pb = await link(gw, b, { capacity: 2 });
    pa.answer = slow(pa);
    pb.answer = slow(pb);
    const asks = Array.from({ length: 4 }, () => ask(gw, "site:plant-g/tiny"));
    // Wait until all four arrived, then let them answer.
    await pa.waitFor("request", () => pa.received.length + pb.received.length >= 6);
    await Promise.race([pb.waitFor("request", () => pa.received.length + pb.received.length >= 6)]);
    while (held.length < 4) await new Promise((r) => setTimeout(r, 10));
    for (const go of held) go();
    const answers = (await Promise.all(asks)).map((r) => r.choices[0].message.content);
    expect(answers.filter((x) => x === a.id)).toHaveLength(2);
    expect(answers.filter((x) => x === b.id)).toHaveLength(2);
  });

  it("sends cancel down the link when the client goes away", async () => {
    const gw = startGateway();
    const [a] = await siteWith(gw, "plant-h", 1);
    const played = await link(gw, a);
    played.answer = (req, link) => {
      streamWords(link, req.id, ["once"]);
      // ... and never more: the client must give up.
    };
    const controller = new AbortController();
    const stream = await gw.client.chat.completions.create(
      { model: "site:plant-h/tiny", messages: [{ role: "user", content: "hi" }], stream: true },
      { signal: controller.signal },
    );
    for await (const chunk of stream) {
      expect(chunk.choices[0]?.delta.content).toBe("once");
      controller.abort();
    }
    const request = await played.waitFor("request");
    const cancel = await played.waitFor("cancel");
    expect(cancel.id).toBe(request.id);
  });

  it("fails over when a link drops before any output, else ends with an error event", async () => {
    const gw = startGateway();
    const [a, b] = await siteWith(gw, "plant-i", 2);
    const pa = await link(gw, a);
    const pb = await link(gw, b);
    // Whoever gets the first request drops the link without answering.
    const dropper = (_req: unknown, link: PlayedAppliance) => link.close();
    pa.answer = dropper;
    pb.answer = dropper;
    const first = gw.client.chat.completions.create({
      model: "site:plant-i/tiny",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    await Promise.race([pa.waitFor("request"), pb.waitFor("request")]);
    const survivor = pa.received.some((f) => f.type === "request") ? pb : pa;
    survivor.answer = answerWith(["saved"]);
    const out = await collect(await first);
    expect(String(out.error ?? "")).toBe("");
    expect(out.text).toBe("saved");

    // Mid-answer: the survivor sends output, then drops: the client gets an error, not [DONE].
    survivor.answer = (req, link) => {
      streamWords(link, req.id, ["half"]);
      setTimeout(() => link.close(), 20);
    };
    const cut = await collect(
      await gw.client.chat.completions.create({
        model: "site:plant-i/tiny",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      }),
    );
    expect(cut.text).toBe("half");
    expect(cut.error).toBeInstanceOf(OpenAI.APIError);
    expect(String(cut.error)).toMatch(/dropped mid-answer/);
    await gw.settled();
  });

  it("sends a request elsewhere when an appliance answers 429 or 503 before any output", async () => {
    const gw = startGateway();
    const [a, b] = await siteWith(gw, "plant-m", 2);
    const pa = await link(gw, a);
    const pb = await link(gw, b);
    const busy = (req: Parameters<PlayedAppliance["answer"]>[0], link: PlayedAppliance) => {
      link.send({ type: "response", id: req.id, status: 503, headers: {} });
      link.chunk(req.id, '{"error":{"message":"shutting down","code":"shutting_down"}}');
      link.end(req.id);
    };
    pa.answer = busy;
    pb.answer = answerWith(["from b"]);
    for (let i = 0; i < 2; i++) {
      const res = await ask(gw, "site:plant-m/tiny");
      expect(res.choices[0]?.message.content).toBe("from b");
    }
    // With nowhere else to go, the 503 reaches the client.
    pb.answer = busy;
    await expect(ask(gw, "site:plant-m/tiny")).rejects.toMatchObject({ status: 503 });
  });

  it("marks a silent appliance offline and stops choosing it", async () => {
    const gw = startGateway({ bindings: { LINK_HEARTBEAT_MS: "100" } });
    const [a] = await siteWith(gw, "plant-j", 1);
    const played = await link(gw, a);
    expect(await played.closed).toBe(4004);
    const site = await siteStatus(gw, "plant-j");
    expect(site.appliances[0].status).toBe("offline");
    await expect(ask(gw, "site:plant-j/tiny")).rejects.toMatchObject({ status: 503 });
  });

  it("revokes an appliance: its link closes and it cannot dial in again", async () => {
    const gw = startGateway();
    const [a] = await siteWith(gw, "plant-k", 1);
    const played = await link(gw, a);
    played.heartbeat({ active: 1, queued: 2 });
    await played.waitFor("heartbeat_ack");
    const before = await siteStatus(gw, "plant-k");
    expect(before.appliances[0]).toMatchObject({
      status: "online",
      models: [{ id: "tiny", contextSize: 512 }],
      load: { active: 1, queued: 2, in_flight: 0 },
    });
    const res = await gw.call(`http://edge/v1/admin/sites/plant-k/appliances/${a.id}`, {
      method: "DELETE",
    });
    expect(res.status).toBe(200);
    expect(await played.closed).toBe(4001);
    const again = await playAppliance(gw.callRaw, { credential: a.credential, applianceId: a.id });
    expect(again).toMatchObject({ refused: 401 });
    expect((await siteStatus(gw, "plant-k")).appliances[0].status).toBe("revoked");
    // The owner's audit log has the site's administration, and no secrets.
    const audit = (await (await gw.call("http://edge/v1/admin/audit")).json()) as {
      data: { action: string; target: string }[];
    };
    const siteActions = audit.data.filter(
      (e) => e.target === "site:plant-k" || e.target === `appliance:${a.id}`,
    );
    expect(siteActions.map((e) => e.action).sort()).toEqual([
      "appliance.revoke",
      "site.create",
      "site.enrollment_code",
    ]);
    expect(JSON.stringify(audit)).not.toContain(a.credential);
  });
});

describe("a site as a routing target", () => {
  const hybrid = {
    aliases: {
      hybrid: {
        strategy: "fallback",
        targets: [{ model: "site:plant-a/llama" }, { model: "openai/gpt-4o-mini" }],
      },
    },
  };
  const askHybrid = (client: Gateway["client"]) =>
    client.chat.completions
      .create({ model: "hybrid", messages: [{ role: "user", content: "hi" }] })
      .withResponse();

  it("falls back from a site with no appliance to the provider, and back once one connects", async () => {
    const waits: number[] = [];
    const gw = startGateway({ policy: hybrid, deps: { sleep: async (ms) => void waits.push(ms) } });
    const [a] = await siteWith(gw, "plant-a", 1);

    const away = await askHybrid(gw.client);
    expect(away.response.headers.get("x-textnlp-target")).toBe("openai/gpt-4o-mini");
    expect(away.data.choices[0]?.message.content).toBe("Hello from openai! You said: hi");
    // The policy's retries apply to the site as to any target: its 503 was retried first.
    expect(waits.length).toBeGreaterThan(0);

    const played = await link(gw, a, { models: [{ id: "llama", contextSize: 512 }] });
    played.answer = answerWith(["from ", "the plant"]);
    const home = await askHybrid(gw.client);
    expect(home.response.headers.get("x-textnlp-target")).toBe("site:plant-a/llama");
    expect(home.data.choices[0]?.message.content).toBe("from the plant");
    expect((await played.waitFor("request")).body.model).toBe("llama");

    // The tenant check holds through an alias: another tenant's `plant-a` is not this site.
    const other = await seedApiKey(["*"], "tenant-hybrid-other");
    const asOther = gatewayClient(other.secret, gw.callRaw);
    const elsewhere = await askHybrid(asOther);
    expect(elsewhere.response.headers.get("x-textnlp-target")).toBe("openai/gpt-4o-mini");
    await expect(
      asOther.chat.completions.create({
        model: "site:plant-a/llama",
        messages: [{ role: "user", content: "hi" }],
      }),
    ).rejects.toMatchObject({ status: 404 });
    // Its own `plant-a` is another site, with another hub: no appliance there (503).
    expect(
      (
        await gw.callRaw("http://edge/v1/admin/sites", {
          ...json({ id: "plant-a" }),
          headers: { "content-type": "application/json", authorization: `Bearer ${other.secret}` },
        })
      ).status,
    ).toBe(201);
    await expect(
      asOther.chat.completions.create({
        model: "site:plant-a/llama",
        messages: [{ role: "user", content: "hi" }],
      }),
    ).rejects.toMatchObject({ status: 503 });

    // The appliance is killed: the alias falls back again.
    played.close();
    await played.closed;
    const killed = await askHybrid(gw.client);
    expect(killed.response.headers.get("x-textnlp-target")).toBe("openai/gpt-4o-mini");
    expect(killed.data.choices[0]?.message.content).toBe("Hello from openai! You said: hi");
  });
});

describe("the hub's errors: ApiError's envelope, with the gateway's statuses and types", () => {
  const chat = (model: string, stream = false) =>
    json({ model, messages: [{ role: "user", content: "hi" }], stream });
  const errorOf = async (res: Response) => ((await res.json()) as { error: unknown }).error;
  /** The hub of the harness tenant's site `name` (named after the site's internal id). */
  const hubOf = async (name: string) => {
    const row = await env.DB.prepare(
      "SELECT id FROM sites WHERE tenant_id = 'tenant-test' AND name = ?",
    )
      .bind(name)
      .first<{ id: string }>();
    return env.SITE_HUB.get(env.SITE_HUB.idFromName(row?.id ?? name));
  };

  it("answers 503 server_error, with Retry-After, when no appliance is connected", async () => {
    const gw = startGateway();
    await siteWith(gw, "plant-p", 1);
    const res = await gw.call("http://edge/v1/chat/completions", chat("site:plant-p/tiny"));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await errorOf(res)).toMatchObject({
      type: "server_error",
      code: "site_unavailable",
    });
    const direct = await (await hubOf("plant-p")).fetch(
      "https://site-hub.internal/v1/chat/completions",
      json({ model: "tiny" }),
    );
    expect(direct.status).toBe(503);
    expect(direct.headers.get("retry-after")).toBe("1");
    expect(await direct.json()).toEqual(
      new ApiError(503, "no appliance of this site serving 'tiny' is online", {
        code: "site_unavailable",
      }).toEnvelope(),
    );
  });

  it("answers an appliance that disconnects mid-request, before and after output", async () => {
    const gw = startGateway();
    const [a] = await siteWith(gw, "plant-q", 1);
    const first = await link(gw, a);
    // Before any output, and no other appliance to send it to.
    first.answer = (_req, played) => played.close();
    const before = await gw.call("http://edge/v1/chat/completions", chat("site:plant-q/tiny"));
    expect(before.status).toBe(503);
    expect(await errorOf(before)).toMatchObject({
      type: "server_error",
      code: "site_unavailable",
    });

    // After output: the hub ends the stream with ApiError's 502 envelope as an event, never
    // [DONE]; the gateway relays it as its own upstream stream error, keeping the message.
    const halfThenDrop = (
      req: Parameters<PlayedAppliance["answer"]>[0],
      played: PlayedAppliance,
    ) => {
      streamWords(played, req.id, ["half"]);
      setTimeout(() => played.close(), 20);
    };
    (await link(gw, a)).answer = halfThenDrop;
    const direct = await (await hubOf("plant-q")).fetch(
      "https://site-hub.internal/v1/chat/completions",
      json({ model: "tiny", stream: true }),
    );
    expect(direct.status).toBe(200);
    const events = (await direct.text()).trim().split("\n\n");
    expect(events).not.toContain("data: [DONE]");
    expect(JSON.parse(String(events.at(-1)).replace(/^data: /, ""))).toEqual(
      new ApiError(502, `the link to appliance ${a.id} dropped mid-answer`, {
        code: "link_lost",
      }).toEnvelope(),
    );
    (await link(gw, a)).answer = halfThenDrop;
    const relayed = await gw.call(
      "http://edge/v1/chat/completions",
      chat("site:plant-q/tiny", true),
    );
    const last = String((await relayed.text()).trim().split("\n\n").at(-1));
    await gw.settled();
    expect(JSON.parse(last.replace(/^data: /, ""))).toMatchObject({
      error: { type: "server_error", message: expect.stringMatching(/dropped mid-answer/) },
    });
  });

  it("answers an unknown site, and a path the hub does not serve, as not found", async () => {
    const gw = startGateway();
    const res = await gw.call("http://edge/v1/chat/completions", chat("site:nowhere/tiny"));
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({
      type: "invalid_request_error",
      code: "model_not_found",
    });
    const direct = await (await hubOf("nowhere")).fetch("https://site-hub.internal/v1/embeddings");
    expect(direct.status).toBe(404);
    expect(await errorOf(direct)).toMatchObject({
      type: "invalid_request_error",
      code: "route_not_found",
    });
  });
});
