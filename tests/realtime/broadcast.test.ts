/**
 * Broadcast between clients on the local Realtime server, through supabase-js: `self` and `ack`,
 * write access on private channels, both serializer versions (1.0.0 JSON; 2.0.0 with binary
 * broadcast frames), and the HTTP broadcast API that sends without subscribing.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import {
  client,
  ensureTestPolicies,
  eventually,
  frames,
  inbox,
  joined,
  rawSocket,
  sendFromDatabase,
  sleep,
  testTopic,
  user,
} from "../fixtures/realtime.ts";
import { api } from "../helpers/api.ts";

beforeAll(ensureTestPolicies);

const room = () => `room-${randomUUID().slice(0, 8)}`;

describe("self and ack", () => {
  test("without `self` the sender does not hear its own broadcast; with it, it does", async () => {
    const topic = room();
    const [quiet, loud, listener] = [client(), client(), client()];
    const quietChannel = quiet.channel(topic);
    const quietGot = inbox(quietChannel);
    const loudChannel = loud.channel(topic, { config: { broadcast: { self: true } } });
    const loudGot = inbox(loudChannel);
    const listenerChannel = listener.channel(topic);
    const listenerGot = inbox(listenerChannel);
    await Promise.all([joined(quietChannel), joined(loudChannel), joined(listenerChannel)]);

    await quietChannel.send({ type: "broadcast", event: "say", payload: { from: "quiet" } });
    await loudChannel.send({ type: "broadcast", event: "say", payload: { from: "loud" } });
    await eventually(() => expect(listenerGot.map((m) => m.payload)).toEqual([{ from: "quiet" }, { from: "loud" }]));
    await eventually(() => expect(loudGot.map((m) => m.payload)).toEqual([{ from: "quiet" }, { from: "loud" }]));
    expect(quietGot.map((m) => m.payload)).toEqual([{ from: "loud" }]);
    await Promise.all([quiet, loud, listener].map((c) => c.removeAllChannels()));
  });

  test("with `ack` a send resolves when the server has taken it; a refused send is never acknowledged", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    // both read, only ana writes
    const topic = testTopic([ana.id, ben.id], [ana.id]);
    const config = { private: true, broadcast: { ack: true } };
    const anaChannel = ana.supabase.channel(topic, { config });
    const anaGot = inbox(anaChannel);
    const benChannel = ben.supabase.channel(topic, { config });
    const benGot = inbox(benChannel);
    await Promise.all([joined(anaChannel), joined(benChannel)]);

    expect(await anaChannel.send({ type: "broadcast", event: "say", payload: { n: 1 } })).toBe("ok");
    await eventually(() => expect(benGot.map((m) => m.payload)).toEqual([{ n: 1 }]));
    expect(await benChannel.send({ type: "broadcast", event: "say", payload: { n: 2 } }, { timeout: 1500 })).toBe(
      "timed out",
    );
    await sleep(200);
    expect(anaGot).toEqual([]);
    await Promise.all([ana.supabase.removeAllChannels(), ben.supabase.removeAllChannels()]);
  });

  test("without `ack` a send resolves at once, and a refused one still reaches nobody", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    const topic = testTopic([ana.id, ben.id], [ana.id]);
    const anaChannel = ana.supabase.channel(topic, { config: { private: true } });
    const anaGot = inbox(anaChannel);
    const benChannel = ben.supabase.channel(topic, { config: { private: true } });
    await Promise.all([joined(anaChannel), joined(benChannel)]);
    expect(await benChannel.send({ type: "broadcast", event: "say", payload: { n: 1 } })).toBe("ok");
    // ana writes after ben: her message arriving alone shows ben's was dropped, not late
    expect(await anaChannel.send({ type: "broadcast", event: "say", payload: { n: 2 } })).toBe("ok");
    const ben2 = inbox(benChannel);
    await eventually(() => expect(ben2.map((m) => m.payload)).toEqual([{ n: 2 }]));
    await sleep(200);
    expect(anaGot).toEqual([]);
    await Promise.all([ana.supabase.removeAllChannels(), ben.supabase.removeAllChannels()]);
  });

  test("the user topic takes no broadcast from clients: only the database sends on it", async () => {
    const ben = await user("ben");
    const topic = `user:${ben.id}`;
    const channel = ben.supabase.channel(topic, { config: { private: true, broadcast: { self: true, ack: true } } });
    const got = inbox(channel);
    await joined(channel);
    expect(
      await channel.send({ type: "broadcast", event: "notification", payload: { fake: true } }, { timeout: 1000 }),
    ).toBe("timed out");
    await sendFromDatabase(topic, "notification", { real: true });
    await eventually(() => expect(got.map((m) => m.payload)).toEqual([expect.objectContaining({ real: true })]));
    await ben.supabase.removeAllChannels();
  });
});

describe("serializer versions", () => {
  test("clients on 1.0.0 and 2.0.0 share a channel: broadcasts cross in both directions", async () => {
    const topic = room();
    const v1 = client({ vsn: "1.0.0" });
    const v2 = client({ vsn: "2.0.0" });
    const c1 = v1.channel(topic);
    const c2 = v2.channel(topic);
    const got1 = inbox(c1);
    const got2 = inbox(c2);
    await Promise.all([joined(c1), joined(c2)]);
    await c1.send({ type: "broadcast", event: "from-v1", payload: { text: "héllo 👋", list: [1, 2] } });
    await c2.send({ type: "broadcast", event: "from-v2", payload: { text: "ça va 🎉", nested: { a: null } } });
    await sendFromDatabase(topic, "from-db", { n: 3 }, false);
    await eventually(() =>
      expect(got2).toEqual([
        { event: "from-v1", payload: { text: "héllo 👋", list: [1, 2] } },
        { event: "from-db", payload: expect.objectContaining({ n: 3 }), meta: { id: expect.any(String) } },
      ]),
    );
    await eventually(() =>
      expect(got1).toEqual([
        { event: "from-v2", payload: { text: "ça va 🎉", nested: { a: null } } },
        { event: "from-db", payload: expect.objectContaining({ n: 3 }), meta: { id: expect.any(String) } },
      ]),
    );
    await Promise.all([v1.removeAllChannels(), v2.removeAllChannels()]);
  });

  test("a binary payload reaches 2.0.0 clients byte for byte and is not sent to 1.0.0 clients", async () => {
    const topic = room();
    const sender = client({ vsn: "2.0.0" });
    const v2 = client({ vsn: "2.0.0" });
    const v1 = client({ vsn: "1.0.0" });
    const cs = sender.channel(topic);
    const c2 = v2.channel(topic);
    const c1 = v1.channel(topic);
    const got2 = inbox(c2);
    const got1 = inbox(c1);
    await Promise.all([joined(cs), joined(c2), joined(c1)]);
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 128]);
    await cs.send({ type: "broadcast", event: "blob", payload: bytes.buffer });
    await cs.send({ type: "broadcast", event: "after", payload: { ok: true } });
    await eventually(() => expect(got2.map((m) => m.event)).toEqual(["blob", "after"]));
    expect(new Uint8Array(got2[0]!.payload as ArrayBuffer)).toEqual(bytes);
    await eventually(() => expect(got1.map((m) => m.event)).toEqual(["after"]));
    await Promise.all([sender, v1, v2].map((c) => c.removeAllChannels()));
  });

  test("on the wire: 2.0.0 gets arrays and binary broadcast frames, 1.0.0 gets objects", async () => {
    const topic = room();
    const key = api().publishableKey;
    const v2 = await rawSocket({ apikey: key, vsn: "2.0.0" });
    const v1 = await rawSocket({ apikey: key, vsn: "1.0.0" });
    const ws2 = v2.ws!;
    const ws1 = v1.ws!;
    const got2 = frames(ws2);
    const got1 = frames(ws1);
    ws2.send(JSON.stringify(["1", "1", `realtime:${topic}`, "phx_join", { config: {} }]));
    ws1.send(JSON.stringify({ join_ref: "1", ref: "1", topic: `realtime:${topic}`, event: "phx_join", payload: {} }));
    await eventually(() => expect(got2.length + got1.length).toBe(2));
    expect(got2[0]).toEqual([
      "1",
      "1",
      `realtime:${topic}`,
      "phx_reply",
      { status: "ok", response: { postgres_changes: [] } },
    ]);
    expect(got1[0]).toEqual({
      topic: `realtime:${topic}`,
      event: "phx_reply",
      payload: { status: "ok", response: { postgres_changes: [] } },
      ref: "1",
    });
    await sendFromDatabase(topic, "ping", { x: 1 }, false);
    await eventually(() => expect(got2.length + got1.length).toBe(4));
    const frame = got2[1] as Buffer;
    const t = Buffer.from(`realtime:${topic}`);
    // kind 4 (user broadcast), topic, event and metadata sizes, JSON encoding (1)
    expect([...frame.subarray(0, 3)]).toEqual([4, t.length, 4]);
    expect(frame[4]).toBe(1);
    expect(frame.subarray(5, 5 + t.length).toString()).toBe(`realtime:${topic}`);
    const meta = JSON.parse(frame.subarray(5 + t.length + 4, 5 + t.length + 4 + frame[3]!).toString());
    expect(JSON.parse(frame.subarray(5 + t.length + 4 + frame[3]!).toString())).toMatchObject({ x: 1, id: meta.id });
    expect(got1[1]).toEqual({
      topic: `realtime:${topic}`,
      event: "broadcast",
      payload: { event: "ping", payload: { x: 1, id: meta.id }, type: "broadcast", meta: { id: meta.id } },
      ref: null,
    });
    // heartbeats are answered on the `phoenix` topic
    ws2.send(JSON.stringify([null, "7", "phoenix", "heartbeat", {}]));
    await eventually(() =>
      expect(got2[2]).toEqual([null, "7", "phoenix", "phx_reply", { status: "ok", response: {} }]),
    );
    // a push on a topic the socket has not joined
    ws2.send(JSON.stringify(["9", "8", "realtime:elsewhere", "broadcast", { event: "x", payload: {} }]));
    await eventually(() =>
      expect(got2[3]).toEqual([
        "9",
        "8",
        "realtime:elsewhere",
        "phx_reply",
        { status: "error", response: { reason: "unmatched topic" } },
      ]),
    );
    ws1.close();
    ws2.close();
  });
});

describe("HTTP broadcast API", () => {
  test("httpSend reaches a public channel's subscribers without the sender joining", async () => {
    const topic = room();
    const listener = client();
    const channel = listener.channel(topic);
    const got = inbox(channel);
    await joined(channel);
    const sender = client();
    const outbound = sender.channel(topic);
    expect(await outbound.httpSend("hello", { via: "http" })).toEqual({ success: true });
    await eventually(() => expect(got).toEqual([{ event: "hello", payload: { via: "http" } }]));
    await Promise.all([listener.removeAllChannels(), sender.removeAllChannels()]);
  });

  test("a private httpSend needs write access: the writer's goes through, a reader's gets 403", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    const topic = testTopic([ana.id, ben.id], [ana.id]);
    const channel = ben.supabase.channel(topic, { config: { private: true } });
    const got = inbox(channel);
    await joined(channel);
    // ana has not joined: httpSend needs no channel, only her token
    await ana.supabase.realtime.setAuth();
    expect(await ana.supabase.channel(topic, { config: { private: true } }).httpSend("note", { from: "ana" })).toEqual({
      success: true,
    });
    await expect(channel.httpSend("note", { from: "ben" })).rejects.toThrow("Unauthorized");
    await eventually(() => expect(got).toEqual([{ event: "note", payload: { from: "ana" } }]));
    await sleep(150);
    expect(got).toHaveLength(1);
    await Promise.all([ana.supabase.removeAllChannels(), ben.supabase.removeAllChannels()]);
  });

  test("send() before joining goes through the batch endpoint", async () => {
    const topic = room();
    const listener = client();
    const channel = listener.channel(topic);
    const got = inbox(channel);
    await joined(channel);
    const sender = client();
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect(await sender.channel(topic).send({ type: "broadcast", event: "early", payload: { n: 1 } })).toBe("ok");
    } finally {
      console.warn = warn;
    }
    await eventually(() => expect(got).toEqual([{ event: "early", payload: { n: 1 } }]));
    await Promise.all([listener.removeAllChannels(), sender.removeAllChannels()]);
  });

  test("bad requests get Realtime's 4xx answers and broadcast nothing", async () => {
    const url = `${api().url}/realtime/v1/api/broadcast`;
    const key = api().publishableKey;
    const post = (path: string, body: string, headers: Record<string, string>) =>
      fetch(`${url}${path}`, { method: "POST", body, headers });
    const json = { "content-type": "application/json" };

    const noKey = await post("", JSON.stringify({ messages: [] }), json);
    expect([noKey.status, (await noKey.json()).message]).toEqual([401, "No API key found in request"]);
    const badToken = await post("", JSON.stringify({ messages: [] }), {
      ...json,
      apikey: key,
      authorization: "Bearer not.a.jwt",
    });
    expect([badToken.status, await badToken.json()]).toEqual([401, { message: "Unauthorized" }]);
    const invalid = await post(
      "",
      JSON.stringify({ messages: [{ topic: "t" }, { payload: { a: 1 } }, { topic: "t", event: "e", payload: {} }] }),
      { ...json, apikey: key },
    );
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual({
      errors: {
        messages: [
          { payload: ["can't be blank"], event: ["can't be blank"] },
          { topic: ["can't be blank"], event: ["can't be blank"] },
          {},
        ],
      },
    });
    const missing = await post("", "{}", { ...json, apikey: key });
    expect([missing.status, await missing.json()]).toEqual([422, { errors: { messages: ["can't be blank"] } }]);
    const text = await post("/room/events/e", "hi", { apikey: key, "content-type": "text/plain" });
    expect(text.status).toBe(415);
    const notJson = await post("/room/events/e", "{", { ...json, apikey: key });
    expect(notJson.status).toBe(400);
    const ok = await post("", JSON.stringify({ messages: [{ topic: room(), event: "e", payload: {} }] }), {
      ...json,
      apikey: key,
    });
    expect([ok.status, await ok.text()]).toEqual([202, ""]);
  });
});
