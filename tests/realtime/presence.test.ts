/**
 * Presence on the local Realtime server through supabase-js: state for late joiners, join and
 * leave diffs to every member (the tracker included), updates, leaving by untrack, by leaving the
 * channel and by losing the socket; on private channels, read and write checked by RLS; and
 * Realtime's per-client limit on presence messages.
 */
import { randomUUID } from "node:crypto";
import type { RealtimeChannel } from "@supabase/supabase-js";
import { beforeAll, describe, expect, test } from "vitest";
import { client, ensureTestPolicies, eventually, join, joined, testTopic, user } from "../fixtures/realtime.ts";

beforeAll(ensureTestPolicies);

interface Seen {
  event: "join" | "leave";
  key: string;
  presences: Record<string, unknown>[];
}

/** Record join/leave events (presence_ref removed) of a channel; bind before subscribing. */
function watch(channel: RealtimeChannel): Seen[] {
  const seen: Seen[] = [];
  const strip = (list: { presence_ref: string }[]) => list.map(({ presence_ref: _ref, ...rest }) => rest);
  channel
    .on("presence", { event: "join" }, ({ key, newPresences }) =>
      seen.push({ event: "join", key, presences: strip(newPresences) }),
    )
    .on("presence", { event: "leave" }, ({ key, leftPresences }) =>
      seen.push({ event: "leave", key, presences: strip(leftPresences) }),
    );
  return seen;
}

/** presence state as key -> payloads (presence_ref removed) */
function state(channel: RealtimeChannel) {
  return Object.fromEntries(
    Object.entries(channel.presenceState()).map(([key, list]) => [
      key,
      list.map(({ presence_ref: _ref, ...rest }) => rest),
    ]),
  );
}

const room = () => `presence-${randomUUID().slice(0, 8)}`;

describe("presence with two clients", () => {
  test("each sees the other track, untrack and leave", async () => {
    const topic = room();
    const [a, b] = [client(), client()];
    const ca = a.channel(topic, { config: { presence: { key: "ana" } } });
    const cb = b.channel(topic, { config: { presence: { key: "ben" } } });
    const seenA = watch(ca);
    const seenB = watch(cb);
    await Promise.all([joined(ca), joined(cb)]);

    expect(await ca.track({ status: "online" })).toBe("ok");
    await eventually(() => expect(state(cb)).toEqual({ ana: [{ status: "online" }] }));
    expect(seenB).toEqual([{ event: "join", key: "ana", presences: [{ status: "online" }] }]);
    // the tracker hears its own join too
    await eventually(() => expect(seenA).toEqual([{ event: "join", key: "ana", presences: [{ status: "online" }] }]));

    expect(await cb.track({ status: "away" })).toBe("ok");
    await eventually(() => expect(state(ca)).toEqual({ ana: [{ status: "online" }], ben: [{ status: "away" }] }));

    expect(await ca.untrack()).toBe("ok");
    await eventually(() => expect(state(cb)).toEqual({ ben: [{ status: "away" }] }));
    expect(seenB.at(-1)).toEqual({ event: "leave", key: "ana", presences: [{ status: "online" }] });

    await b.removeChannel(cb);
    await eventually(() => expect(state(ca)).toEqual({}));
    expect(seenA.at(-1)).toEqual({ event: "leave", key: "ben", presences: [{ status: "away" }] });
    await a.removeAllChannels();
  });

  test("tracking again replaces the payload: the new one joins, the old one leaves", async () => {
    const topic = room();
    const [a, b] = [client(), client()];
    const ca = a.channel(topic, { config: { presence: { key: "ana" } } });
    const cb = b.channel(topic, { config: { presence: { key: "ben" } } });
    const seenB = watch(cb);
    await Promise.all([joined(ca), joined(cb)]);
    await ca.track({ typing: false });
    await eventually(() => expect(state(cb)).toEqual({ ana: [{ typing: false }] }));
    await ca.track({ typing: true });
    await eventually(() => expect(state(cb)).toEqual({ ana: [{ typing: true }] }));
    expect(seenB).toEqual([
      { event: "join", key: "ana", presences: [{ typing: false }] },
      { event: "join", key: "ana", presences: [{ typing: true }] },
      { event: "leave", key: "ana", presences: [{ typing: false }] },
    ]);
    await Promise.all([a.removeAllChannels(), b.removeAllChannels()]);
  });
});

describe("presence with three clients", () => {
  test("a late joiner gets the state; every diff reaches all three; a lost socket leaves", async () => {
    const topic = room();
    const [a, b, c] = [client(), client(), client()];
    const ca = a.channel(topic, { config: { presence: { key: "ana" } } });
    const cb = b.channel(topic, { config: { presence: { key: "ben" } } });
    const seenA = watch(ca);
    const seenB = watch(cb);
    await Promise.all([joined(ca), joined(cb)]);
    await ca.track({ n: 1 });
    await cb.track({ n: 2 });
    await eventually(() => expect(state(ca)).toEqual({ ana: [{ n: 1 }], ben: [{ n: 2 }] }));

    const cc = c.channel(topic, { config: { presence: { key: "cleo" } } });
    const seenC = watch(cc);
    await joined(cc);
    await eventually(() => expect(state(cc)).toEqual({ ana: [{ n: 1 }], ben: [{ n: 2 }] }));
    await cc.track({ n: 3 });
    const all = { ana: [{ n: 1 }], ben: [{ n: 2 }], cleo: [{ n: 3 }] };
    for (const [who, channel] of [
      ["ana", ca],
      ["ben", cb],
      ["cleo", cc],
    ] as const) {
      await eventually(() => expect(state(channel), `as ${who}`).toEqual(all));
    }
    expect(seenC.filter((s) => s.event === "join").map((s) => s.key)).toEqual(["ana", "ben", "cleo"]);

    // cleo's connection goes away without leaving: the server drops her presence
    c.realtime.disconnect();
    for (const [who, seen, channel] of [
      ["ana", seenA, ca],
      ["ben", seenB, cb],
    ] as const) {
      await eventually(() => expect(state(channel), `as ${who}`).toEqual({ ana: [{ n: 1 }], ben: [{ n: 2 }] }));
      expect(seen.at(-1), `as ${who}`).toEqual({ event: "leave", key: "cleo", presences: [{ n: 3 }] });
    }
    await Promise.all([a.removeAllChannels(), b.removeAllChannels()]);
  });

  test("members without a key each get their own", async () => {
    const topic = room();
    const clients = [client(), client(), client()];
    const channels = clients.map((x) => x.channel(topic, { config: { presence: { enabled: true } } }));
    await Promise.all(channels.map(joined));
    await Promise.all(channels.map((ch, i) => ch.track({ i })));
    await eventually(() => {
      const keys = Object.keys(channels[0]!.presenceState());
      expect(keys).toHaveLength(3);
      expect(new Set(keys).size).toBe(3);
    });
    await Promise.all(clients.map((x) => x.removeAllChannels()));
  });
});

describe("presence on private channels", () => {
  test("readers see presence, writers track, a reader who may not write cannot, strangers cannot join", async () => {
    const [ana, ben, cleo] = await Promise.all([user("ana"), user("ben"), user("cleo")]);
    const topic = testTopic([ana.id, ben.id], [ana.id]);
    const config = (key: string) => ({ private: true, presence: { key, enabled: true } });
    const ca = ana.supabase.channel(topic, { config: config("ana") });
    const cb = ben.supabase.channel(topic, { config: config("ben") });
    await Promise.all([joined(ca), joined(cb)]);
    expect(await ca.track({ who: "ana" })).toBe("ok");
    await eventually(() => expect(state(cb)).toEqual({ ana: [{ who: "ana" }] }));
    expect(await cb.track({ who: "ben" })).toBe("error");
    expect(state(ca)).toEqual({ ana: [{ who: "ana" }] });
    const stranger = await join(cleo.supabase.channel(topic, { config: config("cleo") }));
    expect(stranger.status).toBe("CHANNEL_ERROR");
    await Promise.all([ana.supabase.removeAllChannels(), ben.supabase.removeAllChannels()]);
    await cleo.supabase.removeAllChannels();
  });
});

describe("presence after a broadcast", () => {
  test("a writer who broadcast first may still track (one write check covers both)", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    const topic = testTopic([ana.id, ben.id], [ana.id]);
    const ca = ana.supabase.channel(topic, { config: { private: true, broadcast: { ack: true } } });
    const cb = ben.supabase.channel(topic, { config: { private: true, presence: { key: "ben", enabled: true } } });
    await Promise.all([joined(ca), joined(cb)]);
    expect(await ca.send({ type: "broadcast", event: "hello", payload: {} })).toBe("ok");
    expect(await ca.track({ who: "ana" })).toBe("ok");
    await eventually(() => expect(Object.values(state(cb)).flat()).toEqual([{ who: "ana" }]));
    await Promise.all([ana.supabase.removeAllChannels(), ben.supabase.removeAllChannels()]);
  });
});

describe("limits", () => {
  test("a client sending more than 5 presence messages in 30 s has its channel shut down", async () => {
    const topic = room();
    const a = client();
    const system: { status: string; message: string }[] = [];
    const statuses: string[] = [];
    const ca = a.channel(topic).on("system", {}, (payload) => system.push(payload));
    await new Promise<void>((resolve) =>
      ca.subscribe((status) => {
        statuses.push(status);
        if (status === "SUBSCRIBED") resolve();
      }),
    );
    for (let i = 0; i < 5; i++) expect(await ca.track({ i }), `track ${i}`).toBe("ok");
    void ca.track({ i: 5 }, { timeout: 1000 });
    await eventually(() => expect(statuses).toContain("CLOSED"));
    expect(system).toEqual([
      expect.objectContaining({ status: "error", message: "Client presence rate limit exceeded", channel: topic }),
    ]);
    await a.removeAllChannels();
  });
});
