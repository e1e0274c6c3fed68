/**
 * The chat topic `chat:<conversation_id>` on the local Realtime server, through supabase-js alone
 * (no SDK): members join, hear the database's message.new in sending order and each other's
 * typing broadcasts and presence; strangers are refused; a removed member hears member.removed
 * naming them, and the next token refresh closes their channel in Realtime's words (what closes
 * it on Supabase Realtime too).
 */
import { randomUUID } from "node:crypto";
import type { SupabaseClient } from "@supabase/supabase-js";
import { describe, expect, test } from "vitest";
import { eventually, inbox, join, joined, sleep, token, user } from "../fixtures/realtime.ts";

async function rpc<T>(supabase: SupabaseClient, name: string, args: Record<string, unknown>): Promise<T> {
  const { data, error } = await supabase.schema("social").rpc(name, args);
  if (error) throw new Error(`${name}: ${error.message}`);
  return data as T;
}

const send = (supabase: SupabaseClient, conversation: string, body: string) =>
  rpc(supabase, "send_message", { p_conversation_id: conversation, p_client_message_id: randomUUID(), p_body: body });

describe("chat:<conversation_id>", () => {
  test("members hear the database's messages in order and each other's typing; strangers are refused", async () => {
    const [ana, ben, eve] = await Promise.all([user("ana"), user("ben"), user("eve")]);
    const conv = await rpc<{ id: string }>(ana.supabase, "create_group_conversation", {
      p_title: "Relay",
      p_member_ids: [ben.id],
    });
    const topic = `chat:${conv.id}`;
    const benChannel = ben.supabase.channel(topic, { config: { private: true } });
    const benHears = inbox(benChannel);
    await joined(benChannel);
    const anaChannel = await joined(ana.supabase.channel(topic, { config: { private: true } }));

    for (const body of ["one", "two", "three"]) await send(ana.supabase, conv.id, body);
    await eventually(() =>
      expect(
        benHears
          .filter((m) => m.event === "message.new")
          .map((m) => (m.payload as { message: { body: string } }).message.body),
      ).toEqual(["one", "two", "three"]),
    );
    expect(
      await anaChannel.send({ type: "broadcast", event: "typing", payload: { user_id: ana.id, typing: true } }),
    ).toBe("ok");
    await eventually(() =>
      expect(benHears.filter((m) => m.event === "typing").map((m) => m.payload)).toEqual([
        { user_id: ana.id, typing: true },
      ]),
    );

    const spy = await join(eve.supabase.channel(topic, { config: { private: true } }));
    expect(spy.status).toBe("CHANNEL_ERROR");
    expect(spy.error?.message).toBe(
      `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`,
    );
    await Promise.all([
      ana.supabase.removeAllChannels(),
      ben.supabase.removeAllChannels(),
      eve.supabase.removeAllChannels(),
    ]);
  });

  test("members see who is online with presence", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    const conv = await rpc<{ id: string }>(ana.supabase, "open_direct_conversation", { p_user_id: ben.id });
    const topic = `chat:${conv.id}`;
    const anaChannel = ana.supabase.channel(topic, { config: { private: true, presence: { key: ana.id } } });
    const seen: string[][] = [];
    anaChannel.on("presence", { event: "sync" }, () => seen.push(Object.keys(anaChannel.presenceState()).sort()));
    await joined(anaChannel);
    const benChannel = ben.supabase.channel(topic, { config: { private: true, presence: { key: ben.id } } });
    benChannel.on("presence", { event: "sync" }, () => {});
    await joined(benChannel);
    expect(await anaChannel.track({ online: true })).toBe("ok");
    expect(await benChannel.track({ online: true })).toBe("ok");
    await eventually(() => expect(seen.at(-1)).toEqual([ana.id, ben.id].sort()));
    await Promise.all([ana.supabase.removeAllChannels(), ben.supabase.removeAllChannels()]);
  });

  test("a removed member hears member.removed; their next token refresh closes the channel", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    const conv = await rpc<{ id: string }>(ana.supabase, "create_group_conversation", {
      p_title: "Trial",
      p_member_ids: [ben.id],
    });
    const topic = `chat:${conv.id}`;
    const statuses: string[] = [];
    const system: { message: string }[] = [];
    const channel = ben.supabase.channel(topic, { config: { private: true } }).on("system", {}, (p) => system.push(p));
    const heard = inbox(channel);
    channel.subscribe((status) => statuses.push(status));
    await eventually(() => expect(statuses).toEqual(["SUBSCRIBED"]));

    await rpc(ana.supabase, "remove_conversation_member", { p_conversation_id: conv.id, p_user_id: ben.id });
    await eventually(() =>
      expect(
        heard.filter((m) => m.event === "member.removed").map((m) => (m.payload as { user_id: string }).user_id),
      ).toEqual([ben.id]),
    );
    // the same user with a fresh token: Realtime checks again and closes the channel
    await ben.supabase.realtime.setAuth(token({ sub: ben.id }));
    await eventually(() => expect(statuses).toEqual(["SUBSCRIBED", "CLOSED"]));
    expect(system.map((s) => s.message)).toEqual([
      `You do not have permissions to read from this Channel topic: ${topic}`,
    ]);
    const before = heard.length;
    await send(ana.supabase, conv.id, "after ben");
    await sleep(300);
    expect(heard).toHaveLength(before);
    // and joining again is refused
    const again = await join(ben.supabase.channel(topic, { config: { private: true } }));
    expect(again.status).toBe("CHANNEL_ERROR");
    await Promise.all([ana.supabase.removeAllChannels(), ben.supabase.removeAllChannels()]);
  });
});
