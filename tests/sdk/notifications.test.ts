/**
 * `client.notifications` against the live local API: what arrives (and what does not), grouping
 * while unread, the unread count, read state, preferences, paging; the Realtime payload mapping,
 * and live delivery through `subscribe` against the stack's Realtime server.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  createSupasocialClient,
  type NotificationEvent,
  NotificationListOptionsSchema,
  type SupasocialError,
  toNotificationEvent,
} from "../../client-sdk/src/index.ts";
import {
  eventually,
  join,
  type RealtimeUser,
  user as realtimeUser,
  sideStack,
  sleep,
  tcpProxy,
} from "../fixtures/realtime.ts";
import { expectError, session, signUp as signUpUser, uniqueName, unwrap } from "../fixtures/sdk.ts";
import { settle } from "../helpers/effects.ts";

/**
 * A fresh signed-in user with badge_earned notifications off: the default badges (first post,
 * joining a group ...) would add their own notifications to the inboxes asserted here
 * (tests/sdk/gamification.test.ts covers them).
 */
async function signUp(label: string) {
  const user = await signUpUser(label);
  unwrap(await user.client.notifications.setPreference("badge_earned", false));
  return user;
}

/** A Realtime test user (tests/fixtures/realtime.ts) with badge_earned notifications off, as signUp. */
async function user(label: string, options?: Parameters<typeof realtimeUser>[1]) {
  const created = await realtimeUser(label, options);
  const { error } = await created.supabase
    .schema("social")
    .rpc("set_notification_preference", { p_kind: "badge_earned", p_in_app: false });
  if (error) throw error;
  return created;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;

describe("notifications: payloads and input", () => {
  test("a Realtime broadcast payload becomes a NotificationEvent; anything else is null", () => {
    const actor = { id: randomUUID(), handle: "ana", display_name: "Ana", avatar_path: null };
    const row = {
      id: randomUUID(),
      recipient_id: randomUUID(),
      kind: "reaction",
      subject_id: randomUUID(),
      actor_ids: [actor.id],
      actor_count: 1,
      post_id: randomUUID(),
      comment_id: null,
      group_id: null,
      announcement_id: null,
      data: { reaction: "fire", excerpt: "PB!" },
      read_at: null,
      occurred_at: "2026-11-28T03:00:00.123456+00:00",
      created_at: "2026-11-28 03:00:00.1+00",
    };
    const event = toNotificationEvent({ notification: row, actor, unread_count: 3 });
    expect(event).toEqual({
      unreadCount: 3,
      notification: {
        id: row.id,
        kind: "reaction",
        subjectId: row.subject_id,
        actorIds: [actor.id],
        actorCount: 1,
        actors: [{ id: actor.id, handle: "ana", displayName: "Ana", avatarPath: null }],
        postId: row.post_id,
        commentId: null,
        groupId: null,
        announcementId: null,
        data: { reaction: "fire", excerpt: "PB!" },
        isRead: false,
        readAt: null,
        occurredAt: "2026-11-28T03:00:00.123456+00:00",
        createdAt: "2026-11-28T03:00:00.1+00:00",
      },
    });
    expect(toNotificationEvent(null)).toBeNull();
    expect(toNotificationEvent({ notification: { id: 1 } })).toBeNull();
    expect(toNotificationEvent("junk")).toBeNull();
  });

  test("options are validated before any request; signed out there is no inbox and no subscription", async () => {
    // a limit is a whole number from 1; above 50 the server gives pages of 50 (one page contract)
    expect(NotificationListOptionsSchema.safeParse({ limit: 0 }).success).toBe(false);
    expect(NotificationListOptionsSchema.safeParse({ limit: 2.5 }).success).toBe(false);
    expect(NotificationListOptionsSchema.safeParse({ limit: 51 }).success).toBe(true);
    expect(NotificationListOptionsSchema.safeParse({ unread: true }).success).toBe(false);
    const { client, restCalls } = session();
    expectError(await client.notifications.list({ cursor: "a b" }), "invalid_input", 400);
    expectError(await client.notifications.markRead("x"), "invalid_input", 400);
    expectError(await client.notifications.setPreference("likes" as never, false), "invalid_input", 400);
    expectError(await client.notifications.markAllRead({ before: "yesterday" }), "invalid_input", 400);
    expectError(await client.notifications.list(), "not_authenticated", 401);
    expectError(await client.notifications.unreadCount(), "not_authenticated", 401);
    expectError(await client.notifications.subscribe(() => {}), "not_authenticated", 401);
    expect(restCalls).toEqual([]);
  });
});

describe("notifications", () => {
  test("reactions to my post arrive grouped while unread, with the latest actor first; my own do not", async () => {
    const [ana, ben, cleo] = await Promise.all([signUp("ana"), signUp("ben"), signUp("cleo")]);
    const post = unwrap(await ana.client.posts.create({ body: "PB today" }));
    unwrap(await ana.client.reactions.add(post.id, "celebrate"));
    await settle(); // the deferred-effects job has run: own reactions still notify nobody
    expect(unwrap(await ana.client.notifications.unreadCount())).toBe(0);

    unwrap(await ben.client.reactions.add(post.id, "fire"));
    unwrap(await cleo.client.reactions.add(post.id, "strong"));
    await settle();
    const inbox = unwrap(await ana.client.notifications.list());
    expect(inbox.items).toHaveLength(1);
    const [n] = inbox.items;
    expect(n).toMatchObject({
      kind: "reaction",
      subjectId: post.id,
      postId: post.id,
      actorIds: [cleo.id, ben.id],
      actorCount: 2,
      isRead: false,
      readAt: null,
    });
    expect(n?.actors.map((a) => a.handle)).toEqual([cleo.handle, ben.handle]);
    expect(n?.occurredAt).toMatch(ISO);
    expect(unwrap(await ana.client.notifications.unreadCount())).toBe(1);
    // nobody else's inbox holds it
    expect(unwrap(await ben.client.notifications.list()).items).toEqual([]);
  });

  test("marking read lowers the count, and the next event starts a new notification", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const post = unwrap(await ana.client.posts.create({ body: "Thoughts?" }));
    unwrap(await ben.client.comments.create(post.id, { body: "Nice" }));
    await settle();
    const [comment] = unwrap(await ana.client.notifications.list()).items;
    expect(comment).toMatchObject({ kind: "comment", postId: post.id, actorIds: [ben.id] });
    expect(comment?.data).toMatchObject({ excerpt: "Nice" });

    const read = unwrap(await ana.client.notifications.markRead(comment!.id));
    expect(read.id).toBe(comment!.id);
    expect(read.readAt).toMatch(ISO);
    expect(unwrap(await ana.client.notifications.markRead(comment!.id)).id).toBe(comment!.id);
    expect(unwrap(await ana.client.notifications.unreadCount())).toBe(0);

    unwrap(await ben.client.comments.create(post.id, { body: "Again" }));
    await settle();
    const all = unwrap(await ana.client.notifications.list());
    expect(all.items.map((x) => [x.kind, x.isRead])).toEqual([
      ["comment", false],
      ["comment", true],
    ]);
    expect(unwrap(await ana.client.notifications.list({ unreadOnly: true })).items).toHaveLength(1);
  });

  test("an invite notifies the invitee and answering it takes the notification away", async () => {
    const [owner, invitee] = await Promise.all([signUp("owner"), signUp("invitee")]);
    const group = unwrap(
      await owner.client.groups.create({ name: uniqueName("Club"), kind: "club", joinPolicy: "invite" }),
    );
    const invite = unwrap(await owner.client.groups.invite(group.id, invitee.id));
    const [n] = unwrap(await invitee.client.notifications.list()).items;
    expect(n).toMatchObject({
      kind: "group_invite",
      groupId: group.id,
      actorIds: [owner.id],
      data: { invite_id: invite.id },
    });
    unwrap(await invitee.client.groups.acceptInvite(invite.id));
    expect(unwrap(await invitee.client.notifications.list()).items).toEqual([]);
    expect(unwrap(await invitee.client.notifications.unreadCount())).toBe(0);
  });

  test("a kind turned off stops arriving, and preferences list every kind", async () => {
    const [ana, ben] = await Promise.all([signUpUser("ana"), signUp("ben")]);
    const defaults = unwrap(await ana.client.notifications.preferences());
    expect(defaults.length).toBeGreaterThanOrEqual(11);
    expect(defaults.every((p) => p.inApp)).toBe(true);
    unwrap(await ana.client.notifications.setPreference("badge_earned", false)); // as signUp does

    expect(unwrap(await ana.client.notifications.setPreference("reaction", false))).toEqual({
      kind: "reaction",
      inApp: false,
    });
    expect(unwrap(await ana.client.notifications.preferences()).find((p) => p.kind === "reaction")?.inApp).toBe(false);
    const post = unwrap(await ana.client.posts.create({ body: "Quiet please" }));
    unwrap(await ben.client.reactions.add(post.id, "like"));
    unwrap(await ben.client.comments.create(post.id, { body: "Still talking" }));
    await settle();
    expect(unwrap(await ana.client.notifications.list()).items.map((n) => n.kind)).toEqual(["comment"]);
  });

  test("the inbox pages latest first with the server's cursor, and markAllRead stops at a point in time", async () => {
    const [ana, fan] = await Promise.all([signUp("ana"), signUp("fan")]);
    const posts = [];
    for (let i = 0; i < 3; i++) posts.push(unwrap(await ana.client.posts.create({ body: `post ${i}` })));
    for (const post of posts) unwrap(await fan.client.reactions.add(post.id, "like"));
    await settle();

    const page1 = unwrap(await ana.client.notifications.list({ limit: 2 }));
    expect(page1.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const page2 = unwrap(await ana.client.notifications.list({ limit: 2, cursor: page1.nextCursor }));
    expect(page2.nextCursor).toBeNull();
    const rows = [...page1.items, ...page2.items];
    expect(rows.map((n) => n.postId)).toEqual(posts.map((p) => p.id).reverse());
    expect(unwrap(await ana.client.notifications.unreadCount())).toBe(3);

    const seen = rows[0]!.occurredAt;
    unwrap(await fan.client.comments.create(posts[0]!.id, { body: "and a comment" }));
    await settle();
    expect(unwrap(await ana.client.notifications.markAllRead({ before: seen }))).toBe(3);
    expect(unwrap(await ana.client.notifications.list({ unreadOnly: true })).items.map((n) => n.kind)).toEqual([
      "comment",
    ]);
    expect(unwrap(await ana.client.notifications.markAllRead())).toBe(1);
    expect(unwrap(await ana.client.notifications.unreadCount())).toBe(0);
  });

  test("new followers merge into one notification while it is unread", async () => {
    const ana = await signUp("ana");
    const fans = await Promise.all([signUp("f1"), signUp("f2"), signUp("f3")]);
    for (const fan of fans) unwrap(await fan.client.graph.follow(ana.id));
    const inbox = unwrap(await ana.client.notifications.list());
    expect(inbox.items.map((n) => [n.kind, n.actorCount, n.actorIds])).toEqual([
      ["new_follower", 3, fans.map((f) => f.id).reverse()],
    ]);
  });

  test("marking someone else's notification is notification_not_found", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    unwrap(await ben.client.graph.follow(ana.id));
    const [n] = unwrap(await ana.client.notifications.list()).items;
    expect(n?.kind).toBe("new_follower");
    expectError(await ben.client.notifications.markRead(n!.id), "notification_not_found", 404);
    expectError(await ben.client.notifications.markRead(randomUUID()), "notification_not_found", 404);
  });
});

describe("notifications: live", () => {
  const sdk = (u: RealtimeUser) => createSupasocialClient(u.supabase);
  const postOf = async (u: RealtimeUser, body: string) => unwrap(await sdk(u).posts.create({ body }));

  test("subscribe resolves once joined; ana's reaction reaches ben's callback; cleo is refused at ben's topic", async () => {
    const [ana, ben, cleo] = await Promise.all([user("ana"), user("ben"), user("cleo")]);
    const benEvents: NotificationEvent[] = [];
    const cleoEvents: NotificationEvent[] = [];
    const sub = unwrap(await sdk(ben).notifications.subscribe((e) => benEvents.push(e)));
    expect(sub.channel.topic).toBe(`realtime:user:${ben.id}`);
    expect(sub.channel.state).toBe("joined");
    unwrap(await sdk(cleo).notifications.subscribe((e) => cleoEvents.push(e)));

    const post = await postOf(ben, "Tempo run");
    unwrap(await sdk(ana).reactions.add(post.id, "fire"));
    await settle(); // the deferred-effects job sends it (the local stack's runs by itself too)
    await eventually(() => expect(benEvents).toHaveLength(1));
    expect(benEvents[0]).toMatchObject({
      unreadCount: 1,
      notification: { kind: "reaction", postId: post.id, actorIds: [ana.id], isRead: false },
    });
    expect(benEvents[0]!.notification.actors.map((a) => a.id)).toEqual([ana.id]);

    // cleo cannot listen in on ben's topic
    const spy = await join(cleo.supabase.channel(`user:${ben.id}`, { config: { private: true } }));
    expect(spy.status).toBe("CHANNEL_ERROR");
    expect(spy.error?.message).toBe(
      `Unauthorized: You do not have permissions to read from this Channel topic: user:${ben.id}`,
    );
    await sleep(150);
    expect(cleoEvents).toEqual([]);
    await Promise.all([ben.supabase.removeAllChannels(), cleo.supabase.removeAllChannels()]);
  });

  test("unsubscribe stops the callbacks and removes the channel; subscribing again works", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    const events: string[] = [];
    const sub = unwrap(await sdk(ben).notifications.subscribe((e) => events.push(e.notification.kind)));
    await sub.unsubscribe();
    await sub.unsubscribe();
    expect(ben.supabase.getChannels()).toEqual([]);
    const post = await postOf(ben, "Hill repeats");
    unwrap(await sdk(ana).reactions.add(post.id, "strong"));
    await sleep(300);
    expect(events).toEqual([]);

    const again = unwrap(await sdk(ben).notifications.subscribe((e) => events.push(e.notification.kind)));
    unwrap(await sdk(ana).comments.create(post.id, { body: "Brutal" }));
    await eventually(() => expect(events).toEqual(["comment"]));
    await again.unsubscribe();
  });

  test("a React effect's cleanup before the join finishes leaves nothing behind, and the next mount works", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    const social = sdk(ben);
    const first: string[] = [];
    const second: string[] = [];
    // StrictMode: mount, cleanup, mount again, all before anything has joined
    const mount1 = social.notifications.subscribe((e) => first.push(e.notification.kind));
    const cleanup1 = mount1.unsubscribe();
    const mount2 = social.notifications.subscribe((e) => second.push(e.notification.kind));
    await cleanup1;
    const sub2 = unwrap(await mount2);
    expect(ben.supabase.getChannels()).toHaveLength(1);
    expect(sub2.channel.state).toBe("joined");
    const post = await postOf(ben, "Easy 10k");
    unwrap(await sdk(ana).reactions.add(post.id, "like"));
    await eventually(() => expect(second).toEqual(["reaction"]));
    expect(first).toEqual([]);
    await mount2.unsubscribe();
    expect(ben.supabase.getChannels()).toEqual([]);
  });

  test("two subscriptions share the channel and each ends on its own", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    const social = sdk(ben);
    const [a, b]: string[][] = [[], []];
    const subA = unwrap(await social.notifications.subscribe((e) => a.push(e.notification.kind)));
    const subB = unwrap(await social.notifications.subscribe((e) => b.push(e.notification.kind)));
    expect(subA.channel).toBe(subB.channel);
    const post = await postOf(ben, "Track session");
    unwrap(await sdk(ana).reactions.add(post.id, "fire"));
    await eventually(() => expect([a, b]).toEqual([["reaction"], ["reaction"]]));
    await subA.unsubscribe();
    expect(ben.supabase.getChannels()).toHaveLength(1);
    unwrap(await sdk(ana).comments.create(post.id, { body: "Splits?" }));
    await eventually(() => expect(b).toEqual(["reaction", "comment"]));
    expect(a).toEqual(["reaction"]);
    await subB.unsubscribe();
    expect(ben.supabase.getChannels()).toEqual([]);
  });

  test("a join Realtime refuses resolves with a typed realtime_error and leaves no channel", async () => {
    // a Realtime server that does not accept the project's tokens (another JWT secret)
    const side = await sideStack({ jwtSecret: "not-the-project-secret-not-the-project-secret" });
    try {
      const ben = await user("ben", { url: side.url });
      const onError: SupasocialError[] = [];
      const error = expectError(
        await sdk(ben).notifications.subscribe(() => {}, { onError: (e) => onError.push(e) }),
        "realtime_error",
        503,
      );
      expect(error.rawCode).toBe("JwtSignatureError");
      expect(error.message).toBe("JwtSignatureError: Failed to validate JWT signature");
      await eventually(() => expect(ben.supabase.getChannels()).toEqual([]));
      expect(onError).toEqual([]);
    } finally {
      await side.close();
    }
  });

  test("a dropped connection is reported through onError, and the subscription re-joins and keeps delivering", async () => {
    const proxy = await tcpProxy();
    try {
      const ben = await user("ben", { url: proxy.url, reconnectAfterMs: () => 100 });
      const ana = await user("ana");
      const errors: SupasocialError[] = [];
      const events: string[] = [];
      const sub = unwrap(
        await sdk(ben).notifications.subscribe((e) => events.push(e.notification.kind), {
          onError: (e) => errors.push(e),
        }),
      );
      proxy.dropAll();
      await eventually(() =>
        expect(errors.map((e) => [e.code, e.status, e.rawCode])).toEqual([["realtime_error", 503, "CHANNEL_ERROR"]]),
      );
      await eventually(() => expect(sub.channel.state).toBe("joined"));
      const post = await postOf(ben, "Back online");
      unwrap(await sdk(ana).reactions.add(post.id, "love"));
      await eventually(() => expect(events).toEqual(["reaction"]));
      await sub.unsubscribe();
    } finally {
      await proxy.close();
    }
  });

  test("a channel the server closes (access lost) is reported through onError", async () => {
    const [ben, cleo] = await Promise.all([user("ben"), user("cleo")]);
    const errors: SupasocialError[] = [];
    const sub = unwrap(await sdk(ben).notifications.subscribe(() => {}, { onError: (e) => errors.push(e) }));
    // the socket now speaks for cleo: ben's topic is no longer readable on it
    await ben.supabase.realtime.setAuth(cleo.token);
    await eventually(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toMatchObject({
      code: "realtime_error",
      status: 503,
      rawCode: "CLOSED",
      message: `You do not have permissions to read from this Channel topic: user:${ben.id}`,
    });
    await sub.unsubscribe();
    expect(ben.supabase.getChannels()).toEqual([]);
  });
});
