/**
 * `client.chat` against the live local API and its Realtime server: input checked before any
 * request, opening and listing conversations, sending with the SDK's key and safe retries
 * (the ack is the stored message), history, read state, edits and deletions, group
 * conversations, and live delivery, typing and presence to a second client; the removed member's
 * subscription ends at once; strangers are refused at the channel. Also supabase-js alone.
 */
import { randomUUID } from "node:crypto";
import { createClient } from "@supabase/supabase-js";
import { describe, expect, test } from "vitest";
import WebSocket from "ws";
import { type ChatMessage, toChatMessage, withChat } from "../../client-sdk/src/chat.ts";
import { createSupasocialClient, type Database } from "../../client-sdk/src/index.ts";
import { eventually, join, type RealtimeUser, sleep, user } from "../fixtures/realtime.ts";
import { expectError, session, signUp, unwrap } from "../fixtures/sdk.ts";
import { api } from "../helpers/api.ts";

const sdk = (u: RealtimeUser) => withChat(createSupasocialClient(u.supabase));

describe("chat: input and payloads", () => {
  test("bad input is refused before any request; signed out is not_authenticated", async () => {
    const { client, restCalls } = session();
    const id = randomUUID();
    expectError(await withChat(client).chat.openDirect("nope"), "invalid_input", 400);
    expectError(await withChat(client).chat.send("nope", { body: "hi" }), "invalid_input", 400);
    expectError(await withChat(client).chat.send(id, { body: "x".repeat(4001) }), "invalid_input", 400);
    expectError(await withChat(client).chat.send(id, { body: "hi", clientMessageId: "123" }), "invalid_input", 400);
    expectError(await withChat(client).chat.send(id, { body: "hi", extra: 1 } as never), "invalid_input", 400);
    expectError(
      await withChat(client).chat.send(id, { attachments: [{ path: "a.jpg", type: "image" } as never] }),
      "invalid_input",
      400,
    );
    expectError(await withChat(client).chat.send(id, { attachments: [{ id: "photo-1" }] }), "invalid_input", 400);
    expectError(await withChat(client).chat.send(id, { attachments: [{ id }, { id }] }), "invalid_input", 400);
    expectError(
      await withChat(client).chat.send(id, { attachments: Array.from({ length: 11 }, () => ({ id: randomUUID() })) }),
      "invalid_input",
      400,
    );
    expectError(await withChat(client).chat.history(id, { limit: 0 }), "invalid_input", 400);
    expectError(await withChat(client).chat.history(id, { before: id, after: id }), "invalid_input", 400);
    expectError(await withChat(client).chat.history(id, { cursor: "not a cursor!" }), "invalid_input", 400);
    expectError(await withChat(client).chat.createGroup({ title: " " }), "invalid_input", 400);
    expectError(await withChat(client).chat.update(id, { slowModeSeconds: 4000 }), "invalid_input", 400);
    expectError(
      await withChat(client).chat.setSettings({ allowMessagesFrom: "friends" as never }),
      "invalid_input",
      400,
    );
    expectError(await withChat(client).chat.mute(id, "tomorrow"), "invalid_input", 400);
    expect(restCalls).toEqual([]);
    expectError(await withChat(client).chat.list(), "not_authenticated", 401);
    expectError(await withChat(client).chat.unread(), "not_authenticated", 401);
    expectError(await withChat(client).chat.subscribe(id), "not_authenticated", 401);
  });

  test("withChat adds the chat namespace to a client, once; the core client has none", () => {
    const { client } = session();
    expect("chat" in client).toBe(false);
    const social = withChat(client);
    expect(social).toBe(client);
    const chat = social.chat;
    expect(typeof chat.send).toBe("function");
    expect(withChat(social).chat).toBe(chat);
    expect(typeof social.notifications.list).toBe("function");
  });

  test("a broadcast's message becomes a ChatMessage; anything else is null", () => {
    const photoId = randomUUID();
    const row = {
      id: randomUUID(),
      conversation_id: randomUUID(),
      seq: 3,
      sender_id: randomUUID(),
      sender: { id: randomUUID(), handle: "ana", display_name: "Ana", avatar_path: null },
      client_message_id: randomUUID(),
      kind: "text",
      body: "hi",
      attachments: [
        {
          id: photoId,
          bucket: "social-chat",
          path: "u/p.png",
          type: "image",
          mime_type: "image/png",
          width: 8,
          height: 6,
        },
      ],
      reply_to_id: null,
      reply_to: null,
      data: {},
      edit_count: 0,
      edited_at: null,
      deleted_at: null,
      created_at: "2026-11-28 02:00:00+00",
    };
    expect(toChatMessage(row)).toMatchObject({
      id: row.id,
      seq: 3,
      body: "hi",
      sender: { handle: "ana", displayName: "Ana" },
      attachments: [
        {
          id: photoId,
          bucket: "social-chat",
          path: "u/p.png",
          type: "image",
          mimeType: "image/png",
          width: 8,
          height: 6,
        },
      ],
      isDeleted: false,
      createdAt: "2026-11-28T02:00:00+00:00",
    });
    expect(toChatMessage({ ...row, body: null, deleted_at: "2026-11-29T00:00:00+00:00" })?.isDeleted).toBe(true);
    for (const junk of [null, "x", 1, {}, { id: row.id }]) expect(toChatMessage(junk)).toBeNull();
  });
});

describe("chat through the API", () => {
  test("a direct conversation end to end: open, send, list with unread, history, read, edit, delete", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const chat = unwrap(await withChat(ana.client).chat.openDirect(ben.id));
    expect(chat).toMatchObject({ kind: "direct", memberCount: 2, title: null });
    expect(unwrap(await withChat(ben.client).chat.openDirect(ana.id)).id).toBe(chat.id);

    const sent: ChatMessage[] = [];
    for (const body of ["one", "two", "three"])
      sent.push(unwrap(await withChat(ana.client).chat.send(chat.id, { body })));
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(sent[0]).toMatchObject({ conversationId: chat.id, senderId: ana.id, kind: "text", isDeleted: false });
    expect(sent[0]!.clientMessageId).toMatch(/^[0-9a-f-]{36}$/);

    const [listed] = unwrap(await withChat(ben.client).chat.list()).items;
    expect(listed).toMatchObject({ id: chat.id, unreadCount: 3, lastSeq: 3, lastMessage: { body: "three" } });
    expect(listed!.members.map((m) => m.id)).toEqual([ana.id]);
    expect(unwrap(await withChat(ben.client).chat.unread())).toEqual({ messages: 3, conversations: 1 });

    const page = unwrap(await withChat(ben.client).chat.history(chat.id, { limit: 2 }));
    expect(page.items.map((m) => m.body)).toEqual(["two", "three"]);
    expect(page.items[0]!.sender).toMatchObject({ id: ana.id, handle: ana.handle });
    const older = unwrap(await withChat(ben.client).chat.history(chat.id, { cursor: page.olderCursor, limit: 2 }));
    expect(older.items.map((m) => m.body)).toEqual(["one"]);
    expect(older.olderCursor).toBeNull();

    expect(unwrap(await withChat(ben.client).chat.markRead(chat.id, sent[1]!.id))).toEqual({
      lastReadSeq: 2,
      unreadCount: 1,
    });
    expect(unwrap(await withChat(ben.client).chat.markRead(chat.id))).toEqual({ lastReadSeq: 3, unreadCount: 0 });

    const edited = unwrap(await withChat(ana.client).chat.edit(sent[2]!.id, "three!"));
    expect(edited).toMatchObject({ body: "three!", editCount: 1 });
    expect(unwrap(await withChat(ben.client).chat.editHistory(sent[2]!.id)).map((v) => v.body)).toEqual(["three"]);
    expectError(await withChat(ben.client).chat.edit(sent[2]!.id, "mine"), "not_allowed", 403);
    expectError(await withChat(ben.client).chat.delete(sent[2]!.id), "not_allowed", 403);
    const gone = unwrap(await withChat(ana.client).chat.delete(sent[2]!.id));
    expect(gone).toMatchObject({ isDeleted: true, body: null });
    const receipts = unwrap(await withChat(ana.client).chat.receipts(sent[1]!.id));
    expect(receipts.map((r) => [r.user.id, r.read])).toEqual([[ben.id, true]]);
  });

  test("a retry with the same key is the same message, and the ack is the stored row", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const chat = unwrap(await withChat(ana.client).chat.openDirect(ben.id));
    const clientMessageId = randomUUID();
    const [a, b, c] = await Promise.all([
      withChat(ana.client).chat.send(chat.id, { body: "once", clientMessageId }),
      withChat(ana.client).chat.send(chat.id, { body: "once", clientMessageId }),
      withChat(ana.client).chat.send(chat.id, { body: "once", clientMessageId }),
    ]);
    expect(new Set([unwrap(a).id, unwrap(b).id, unwrap(c).id]).size).toBe(1);
    const page = unwrap(await withChat(ben.client).chat.history(chat.id));
    expect(page.items.map((m) => m.clientMessageId)).toEqual([clientMessageId]);
    expectError(
      await withChat(ana.client).chat.send(chat.id, { body: "other", clientMessageId }),
      "idempotency_conflict",
      409,
    );
  });

  test("send retries a lost connection with the same key, and gives up on errors a retry cannot cure", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const chat = unwrap(await withChat(ana.client).chat.openDirect(ben.id));
    // ana's session on a client whose first two answers to send_message are lost after the
    // request reached the server
    let calls = 0;
    const lossySupabase = createClient<Database>(api().url, api().publishableKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
      global: {
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          const target = input instanceof Request ? input.url : String(input);
          if (target.includes("/rpc/send_message") && ++calls <= 2) throw new TypeError("fetch failed");
          return response;
        },
      },
    });
    const { data: current } = await ana.supabase.auth.getSession();
    await lossySupabase.auth.setSession({
      access_token: current.session!.access_token,
      refresh_token: current.session!.refresh_token,
    });
    const lossy = withChat(createSupasocialClient(lossySupabase));
    const message = unwrap(await lossy.chat.send(chat.id, { body: "through the tunnel" }));
    expect(calls).toBe(3);
    const page = unwrap(await withChat(ben.client).chat.history(chat.id));
    expect(page.items.map((m) => [m.id, m.body])).toEqual([[message.id, "through the tunnel"]]);
    // a 4xx is not retried
    expectError(await lossy.chat.send(randomUUID(), { body: "nowhere" }), "conversation_not_found", 404);
    expect(calls).toBe(4);
  });

  test("group conversations: members, slow mode, rate limits and errors from the other side", async () => {
    const [ana, ben, cleo, dan] = await Promise.all([signUp("ana"), signUp("ben"), signUp("cleo"), signUp("dan")]);
    const group = unwrap(
      await withChat(ana.client).chat.createGroup({ title: "Long run", memberIds: [ben.id, cleo.id] }),
    );
    expect(group).toMatchObject({ kind: "group", title: "Long run", memberCount: 3 });
    const members = unwrap(await withChat(ben.client).chat.members(group.id));
    expect(members.items.map((m) => m.id).sort()).toEqual([ana.id, ben.id, cleo.id].sort());
    expectError(await withChat(ben.client).chat.addMembers(group.id, [dan.id]), "not_conversation_admin", 403);
    expect(unwrap(await withChat(ana.client).chat.addMembers(group.id, [dan.id]))).toBe(1);
    unwrap(await withChat(ana.client).chat.update(group.id, { slowModeSeconds: 60 }));
    unwrap(await withChat(ben.client).chat.send(group.id, { body: "first" }));
    expectError(await withChat(ben.client).chat.send(group.id, { body: "second" }), "slow_mode", 429);
    unwrap(await withChat(ana.client).chat.removeMember(group.id, cleo.id));
    expectError(await withChat(cleo.client).chat.history(group.id), "conversation_not_found", 404);
    expectError(
      await withChat(cleo.client).chat.send(group.id, { body: "still here?" }),
      "conversation_not_found",
      404,
    );
    unwrap(await withChat(dan.client).chat.removeMember(group.id, dan.id));
    expect(unwrap(await withChat(dan.client).chat.list()).items).toEqual([]);
    unwrap(await withChat(cleo.client).chat.setSettings({ allowMessagesFrom: "nobody" }));
    expectError(await withChat(dan.client).chat.openDirect(cleo.id), "messaging_not_allowed", 403);
    unwrap(await ben.client.graph.block(ana.id));
    expectError(await withChat(ben.client).chat.openDirect(ana.id), "blocked", 403);
  });
});

describe("chat live", () => {
  test("a message reaches the other member's onMessage; typing and presence arrive; strangers are refused", async () => {
    const [ana, ben, eve] = await Promise.all([user("ana"), user("ben"), user("eve")]);
    const chat = unwrap(await sdk(ana).chat.openDirect(ben.id));
    const got: ChatMessage[] = [];
    const typing: [string, boolean][] = [];
    const online: string[][] = [];
    const benSub = unwrap(
      await sdk(ben).chat.subscribe(chat.id, {
        onMessage: (m) => got.push(m),
        onTyping: (e) => typing.push([e.userId, e.typing]),
        onPresence: (e) => online.push(e.userIds.sort()),
      }),
    );
    expect(benSub.channel.topic).toBe(`realtime:chat:${chat.id}`);
    const anaSub = unwrap(await sdk(ana).chat.subscribe(chat.id));
    await eventually(() => expect(online.at(-1)).toEqual([ana.id, ben.id].sort()));

    const sent = unwrap(await sdk(ana).chat.send(chat.id, { body: "live!" }));
    await eventually(() => expect(got.map((m) => m.id)).toEqual([sent.id]));
    expect(got[0]).toMatchObject({ body: "live!", seq: 1, sender: { id: ana.id } });

    unwrap(await anaSub.typing());
    await eventually(() => expect(typing).toEqual([[ana.id, true]]));
    // typing again at once sends nothing; without another call it expires after 5 s
    unwrap(await sdk(ana).chat.typing(chat.id));
    await eventually(
      () =>
        expect(typing).toEqual([
          [ana.id, true],
          [ana.id, false],
        ]),
      8_000,
    );

    // eve is no member: the channel refuses her
    const spy = await join(eve.supabase.channel(`chat:${chat.id}`, { config: { private: true } }));
    expect(spy.status).toBe("CHANNEL_ERROR");
    expect(spy.error?.message).toBe(
      `Unauthorized: You do not have permissions to read from this Channel topic: chat:${chat.id}`,
    );
    expectError(await sdk(eve).chat.subscribe(chat.id), "conversation_not_found", 404);
    await anaSub.unsubscribe();
    await benSub.unsubscribe();
    await Promise.all([
      ana.supabase.removeAllChannels(),
      ben.supabase.removeAllChannels(),
      eve.supabase.removeAllChannels(),
    ]);
  }, 30_000);

  test("edits, deletions and reads arrive; a removed member's subscription ends at once", async () => {
    const [ana, ben, cleo] = await Promise.all([user("ana"), user("ben"), user("cleo")]);
    const group = unwrap(await sdk(ana).chat.createGroup({ title: "Crew", memberIds: [ben.id, cleo.id] }));
    const events: string[] = [];
    const closed: string[] = [];
    const cleoGot: string[] = [];
    const benSub = unwrap(
      await sdk(ben).chat.subscribe(group.id, {
        onUpdate: (m) => events.push(`update ${m.body}`),
        onDelete: (e) => events.push(`delete ${e.seq}`),
        onRead: (e) => events.push(`read ${e.userId === cleo.id ? "cleo" : e.userId} ${e.lastReadSeq}`),
      }),
    );
    unwrap(
      await sdk(cleo).chat.subscribe(group.id, {
        onMessage: (m) => cleoGot.push(m.body ?? ""),
        onClosed: (reason) => closed.push(reason),
      }),
    );
    const m = unwrap(await sdk(ana).chat.send(group.id, { body: "draft" }));
    await eventually(() => expect(cleoGot).toEqual(["draft"]));
    unwrap(await sdk(ana).chat.edit(m.id, "final"));
    unwrap(await sdk(cleo).chat.markRead(group.id));
    unwrap(await sdk(ana).chat.delete(m.id));
    await eventually(() => expect(events).toEqual(["update final", `read cleo ${m.seq}`, `delete ${m.seq}`]));

    unwrap(await sdk(ana).chat.removeMember(group.id, cleo.id));
    await eventually(() => expect(closed).toEqual(["removed"]));
    expect(cleo.supabase.getChannels()).toEqual([]);
    unwrap(await sdk(ana).chat.send(group.id, { body: "after cleo" }));
    await sleep(300);
    expect(cleoGot).toEqual(["draft"]);
    // and she cannot join again
    expectError(await sdk(cleo).chat.subscribe(group.id), "conversation_not_found", 404);
    await benSub.unsubscribe();
    await Promise.all([
      ana.supabase.removeAllChannels(),
      ben.supabase.removeAllChannels(),
      cleo.supabase.removeAllChannels(),
    ]);
  }, 30_000);

  test("a member someone blocked is left out of their live messages; the inbox hears new messages", async () => {
    const [ana, ben, cleo] = await Promise.all([user("ana"), user("ben"), user("cleo")]);
    const group = unwrap(await sdk(ana).chat.createGroup({ title: "Trio", memberIds: [ben.id, cleo.id] }));
    unwrap(await sdk(ben).graph.block(cleo.id));
    const benGot: string[] = [];
    const inbox: [string, number][] = [];
    const added: string[] = [];
    const benSub = unwrap(await sdk(ben).chat.subscribe(group.id, { onMessage: (m) => benGot.push(m.body ?? "") }));
    const benInbox = unwrap(
      await sdk(ben).chat.subscribeInbox({
        onMessage: (e) => inbox.push([e.message.body ?? "", e.unreadCount]),
        onConversation: (e) => added.push(`${e.change} ${e.conversationId}`),
      }),
    );
    unwrap(await sdk(cleo).chat.send(group.id, { body: "from cleo" }));
    unwrap(await sdk(ana).chat.send(group.id, { body: "from ana" }));
    await eventually(() => expect(benGot).toEqual(["from ana"]));
    // the announcement leaves cleo out in the database
    await eventually(() => expect(inbox.map(([body]) => body)).toEqual(["from ana"]));
    expect(inbox[0]![1]).toBeGreaterThan(0);
    const other = unwrap(await sdk(ana).chat.createGroup({ title: "Duo", memberIds: [ben.id] }));
    await eventually(() => expect(added).toEqual([`added ${other.id}`]));
    await benSub.unsubscribe();
    await benInbox.unsubscribe();
    await Promise.all([
      ana.supabase.removeAllChannels(),
      ben.supabase.removeAllChannels(),
      cleo.supabase.removeAllChannels(),
    ]);
  });

  test("with supabase-js alone: a private channel on chat:<id> hears message.new", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    const { data: conv } = await ana.supabase.schema("social").rpc("open_direct_conversation", { p_user_id: ben.id });
    const id = (conv as { id: string }).id;
    const heard: unknown[] = [];
    await ben.supabase.realtime.setAuth();
    const channel = ben.supabase
      .channel(`chat:${id}`, { config: { private: true } })
      .on("broadcast", { event: "message.new" }, ({ payload }) => heard.push(payload.message.body));
    expect((await join(channel)).status).toBe("SUBSCRIBED");
    const { error } = await ana.supabase
      .schema("social")
      .rpc("send_message", { p_conversation_id: id, p_client_message_id: randomUUID(), p_body: "plain js" });
    expect(error).toBeNull();
    await eventually(() => expect(heard).toEqual(["plain js"]));
    await ben.supabase.removeAllChannels();
  });
});
