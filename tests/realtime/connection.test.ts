/**
 * The life of a connection on the local Realtime server: a dropped socket re-joins (supabase-js
 * reconnects and re-joins by itself), a token refresh re-checks access and closes the channel
 * when access is lost, an expiring token closes it, idle sockets are closed, and a second join of
 * one topic replaces the first.
 */
import { describe, expect, test } from "vitest";
import {
  client,
  eventually,
  frames,
  inbox,
  rawSocket,
  sendFromDatabase,
  sideStack,
  sleep,
  tcpProxy,
  token,
  user,
} from "../fixtures/realtime.ts";
import { api } from "../helpers/api.ts";

describe("dropped connections", () => {
  test("a socket that drops re-joins its private channel and keeps receiving, once", async () => {
    const proxy = await tcpProxy();
    try {
      const ben = await user("ben", { url: proxy.url, reconnectAfterMs: () => 100 });
      const topic = `user:${ben.id}`;
      const statuses: string[] = [];
      const channel = ben.supabase.channel(topic, { config: { private: true } });
      const got = inbox(channel, "tick");
      channel.subscribe((status) => statuses.push(status));
      await eventually(() => expect(statuses).toEqual(["SUBSCRIBED"]));
      await sendFromDatabase(topic, "tick", { n: 1 });
      await eventually(() => expect(got).toHaveLength(1));

      proxy.dropAll();
      await eventually(() => expect(statuses).toEqual(["SUBSCRIBED", "CHANNEL_ERROR", "SUBSCRIBED"]));
      await sendFromDatabase(topic, "tick", { n: 2 });
      await eventually(() => expect(got.map((m) => (m.payload as { n: number }).n)).toEqual([1, 2]));
      await sleep(200);
      expect(got).toHaveLength(2);
      await ben.supabase.removeAllChannels();
    } finally {
      await proxy.close();
    }
  });
});

describe("access token refresh", () => {
  test("a refreshed token that keeps access keeps the channel", async () => {
    const ben = await user("ben");
    const topic = `user:${ben.id}`;
    const statuses: string[] = [];
    const channel = ben.supabase.channel(topic, { config: { private: true } });
    const got = inbox(channel, "tick");
    channel.subscribe((status) => statuses.push(status));
    await eventually(() => expect(statuses).toEqual(["SUBSCRIBED"]));
    await ben.supabase.realtime.setAuth(token({ sub: ben.id, exp: Math.floor(Date.now() / 1000) + 7200 }));
    await sleep(200);
    await sendFromDatabase(topic, "tick", { n: 1 });
    await eventually(() => expect(got).toHaveLength(1));
    expect(statuses).toEqual(["SUBSCRIBED"]);
    await ben.supabase.removeAllChannels();
  });

  test("a refreshed token that loses access closes the channel with Realtime's reason", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    const topic = `user:${ana.id}`;
    const statuses: string[] = [];
    const system: { status: string; message: string }[] = [];
    const channel = ana.supabase
      .channel(topic, { config: { private: true } })
      .on("system", {}, (payload) => system.push(payload));
    const got = inbox(channel, "tick");
    channel.subscribe((status) => statuses.push(status));
    await eventually(() => expect(statuses).toEqual(["SUBSCRIBED"]));

    // the socket now carries ben's identity: ana's topic is no longer readable
    await ana.supabase.realtime.setAuth(ben.token);
    await eventually(() => expect(statuses).toEqual(["SUBSCRIBED", "CLOSED"]));
    expect(system).toEqual([
      {
        extension: "system",
        status: "error",
        message: `You do not have permissions to read from this Channel topic: ${topic}`,
        channel: topic,
      },
    ]);
    await sendFromDatabase(topic, "tick", { n: 1 });
    await sleep(300);
    expect(got).toEqual([]);
    await ana.supabase.removeAllChannels();
  });

  test("an invalid refreshed token closes the channel too", async () => {
    const ben = await user("ben");
    const system: string[] = [];
    const statuses: string[] = [];
    const channel = ben.supabase
      .channel(`user:${ben.id}`, { config: { private: true } })
      .on("system", {}, (payload) => system.push(payload.message));
    channel.subscribe((status) => statuses.push(status));
    await eventually(() => expect(statuses).toEqual(["SUBSCRIBED"]));
    await ben.supabase.realtime.setAuth(token({ sub: ben.id }, "a-different-secret-a-different-secret"));
    await eventually(() => expect(statuses).toEqual(["SUBSCRIBED", "CLOSED"]));
    expect(system).toEqual(["Failed to validate JWT signature"]);
  });

  test("a token that expires closes the channel when it expires", async () => {
    const ben = await user("ben");
    const rt = client().realtime;
    rt.setAuth(token({ sub: ben.id, exp: Math.floor(Date.now() / 1000) + 3 }));
    const statuses: string[] = [];
    const system: string[] = [];
    const channel = rt
      .channel(`user:${ben.id}`, { config: { private: true } })
      .on("system", {}, (payload) => system.push(payload.message));
    channel.subscribe((status) => statuses.push(status));
    await eventually(() => expect(statuses).toEqual(["SUBSCRIBED"]));
    await eventually(() => expect(statuses).toEqual(["SUBSCRIBED", "CLOSED"]), 8_000);
    expect(system).toHaveLength(1);
    expect(system[0]).toMatch(/^Token has expired \d seconds ago$/);
    rt.disconnect();
  });
});

describe("sockets", () => {
  test("a socket that sends nothing (no heartbeat) is closed after the idle timeout", async () => {
    const side = await sideStack({ idleTimeoutMs: 400 });
    try {
      const opened = await rawSocket({ apikey: api().publishableKey, vsn: "2.0.0" }, side.url);
      const ws = opened.ws!;
      const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
      const started = Date.now();
      expect(await closed).toBe(1000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      await side.close();
    }
  });

  test("joining a topic again on one socket closes the earlier join", async () => {
    const opened = await rawSocket({ apikey: api().publishableKey, vsn: "2.0.0" });
    const ws = opened.ws!;
    const got = frames(ws);
    ws.send(JSON.stringify(["1", "1", "realtime:twice", "phx_join", {}]));
    await eventually(() => expect(got).toHaveLength(1));
    ws.send(JSON.stringify(["2", "2", "realtime:twice", "phx_join", {}]));
    await eventually(() => expect(got).toHaveLength(3));
    expect(got.slice(1)).toEqual([
      ["1", "1", "realtime:twice", "phx_close", {}],
      ["2", "2", "realtime:twice", "phx_reply", { status: "ok", response: { postgres_changes: [] } }],
    ]);
    ws.send(JSON.stringify(["2", "3", "realtime:twice", "phx_leave", {}]));
    await eventually(() => expect(got).toHaveLength(5));
    expect(got.slice(3)).toEqual([
      ["2", "3", "realtime:twice", "phx_reply", { status: "ok", response: {} }],
      ["2", "2", "realtime:twice", "phx_close", {}],
    ]);
    ws.close();
  });

  test("a frame the serializer cannot read closes the socket", async () => {
    const opened = await rawSocket({ apikey: api().publishableKey, vsn: "2.0.0" });
    const ws = opened.ws!;
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.send("{not json");
    expect(await closed).toBe(1003);
  });
});
