/**
 * Notifications: every kind from the event that makes it, grouping into one unread notification
 * per (recipient, kind, subject), preferences, blocks, mutes, self-actions, reading and marking
 * read, the unread counter, paging, the Realtime broadcast per notification and the RLS on
 * realtime.messages that lets a user receive only their own `user:<id>` topic.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { requestFollow } from "../fixtures/graph.ts";
import { refused, type TestDb, type Tx, withDb as withTestDb } from "../helpers/db.ts";
import { asRole } from "../helpers/labels.ts";

/**
 * Each test in a rolled-back transaction with the badges switched off: the default badges (first
 * post, joining a club ...) would add badge_earned notifications and broadcasts to the inboxes
 * asserted here. tests/db/gamification-badges.test.ts covers those.
 */
function withDb<T>(fn: (db: TestDb) => Promise<T>): Promise<T> {
  return withTestDb(async (db) => {
    await db.q`update social.badges set active = false`;
    return fn(db);
  });
}

interface Note {
  id: string;
  recipient_id: string;
  kind: string;
  subject_id: string;
  actor_ids: string[];
  actor_count: number;
  post_id: string | null;
  comment_id: string | null;
  group_id: string | null;
  announcement_id: string | null;
  data: Record<string, unknown>;
  read_at: Date | null;
  occurred_at: Date;
}

interface Message {
  topic: string;
  event: string;
  extension: string;
  private: boolean;
  payload: {
    notification: Note;
    actor: { id: string; handle: string } | null;
    unread_count: number;
  };
}

const handle = () => `u${randomUUID().replace(/-/g, "").slice(0, 12)}`;

/** A user with a known handle (for mentions). */
async function user(
  db: TestDb,
  visibility: "public" | "followers" | "private" = "public",
): Promise<{ id: string; handle: string }> {
  const h = handle();
  return { id: await db.createUser({ handle: h, visibility }), handle: h };
}

/** The inbox of `who`, newest first, read as the table owner (leaves the session as superuser). */
async function inbox(db: TestDb, who: string): Promise<Note[]> {
  await db.asSuperuser();
  return db.q<Note[]>`
    select * from social.notifications where recipient_id = ${who} order by occurred_at desc, created_at desc, id`;
}

/** Broadcasts queued for `who`'s topic, in order. */
async function messages(db: TestDb, who: string): Promise<Message[]> {
  await db.asSuperuser();
  return db.q<Message[]>`
    select topic, event, extension, private, payload from realtime.messages
    where topic = ${`user:${who}`}
    order by inserted_at, (payload #>> '{notification,occurred_at}')::timestamptz`;
}

async function unread(db: TestDb, who: string): Promise<number> {
  await db.as(who);
  const [row] = await db.q<{ n: number }[]>`select social.unread_notification_count() as n`;
  return row!.n;
}

/** The counter must always equal the unread rows. */
async function expectCounterTrue(db: TestDb, who: string): Promise<void> {
  await db.asSuperuser();
  const [row] = await db.q<{ counter: number; actual: number }[]>`
    select coalesce((select unread_count from social.notification_counters where user_id = ${who}), 0) as counter,
           (select count(*)::int from social.notifications where recipient_id = ${who} and read_at is null) as actual`;
  expect(row!.counter).toBe(row!.actual);
}

async function post(db: TestDb, author: string, body: string, opts: { group?: string; visibility?: string } = {}) {
  await db.as(author);
  const [row] = await db.q<{ id: string }[]>`
    insert into social.posts (group_id, body, visibility)
    values (${opts.group ?? null}, ${body}, ${opts.visibility ?? (opts.group ? "group" : "public")})
    returning id`;
  return row!.id;
}

async function comment(db: TestDb, author: string, postId: string, body: string, parent: string | null = null) {
  await db.as(author);
  const [row] = await db.q<{ id: string }[]>`
    insert into social.comments (post_id, parent_id, body) values (${postId}, ${parent}, ${body}) returning id`;
  await db.settle(); // its notifications, as the deferred-effects job sends them after the commit
  return row!.id;
}

async function react(db: TestDb, who: string, postId: string, kind = "like") {
  await db.as(who);
  await db.q`select social.react(${postId}, ${kind})`;
  await db.settle();
}

interface Club {
  group: string;
  owner: string;
  admin: string;
  moderator: string;
  member: string;
}

async function club(db: TestDb, joinPolicy = "request"): Promise<Club> {
  const [owner, admin, moderator, member] = (await db.createUsers(4)) as [string, string, string, string];
  await db.as(owner);
  const [g] = await db.q<{ id: string }[]>`
    select id from social.create_group('Night riders', 'club', 'private', ${joinPolicy})`;
  await db.asSuperuser();
  await db.q`
    insert into social.group_members (group_id, user_id, role, status) values
      (${g!.id}, ${admin}, 'admin', 'active'),
      (${g!.id}, ${moderator}, 'moderator', 'active'),
      (${g!.id}, ${member}, 'member', 'active')`;
  return { group: g!.id, owner, admin, moderator, member };
}

describe("follow notifications", () => {
  it("a new follower notifies the followee (never the follower) and is broadcast on the followee's topic", async () => {
    await withDb(async (db) => {
      const [ana, bo] = (await db.createUsers(2)) as [string, string];
      await requestFollow(db, bo, ana);
      const [n, ...rest] = await inbox(db, ana);
      expect(rest).toEqual([]);
      expect(n).toMatchObject({
        kind: "new_follower",
        subject_id: ana,
        actor_ids: [bo],
        actor_count: 1,
        read_at: null,
      });
      expect(await inbox(db, bo)).toEqual([]);

      const sent = await messages(db, ana);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        topic: `user:${ana}`,
        event: "notification",
        extension: "broadcast",
        private: true,
      });
      expect(sent[0]!.payload.notification).toMatchObject({ id: n!.id, kind: "new_follower", recipient_id: ana });
      expect(sent[0]!.payload.actor!.id).toBe(bo);
      expect(sent[0]!.payload.unread_count).toBe(1);
      expect(await messages(db, bo)).toEqual([]);
      expect(await unread(db, ana)).toBe(1);
    });
  });

  it("new followers merge into one unread notification: latest 5 actors first, every follower counted once", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const fans = await db.createUsers(7);
      for (const f of fans) await requestFollow(db, f, ana);
      // unfollowing and following again does not count twice
      await db.as(fans[6]!);
      await db.q`select social.unfollow(${ana})`;
      await requestFollow(db, fans[6]!, ana);
      const notes = await inbox(db, ana);
      expect(notes).toHaveLength(1);
      expect(notes[0]!.actor_count).toBe(7);
      expect(notes[0]!.actor_ids).toEqual([fans[6], fans[5], fans[4], fans[3], fans[2]]);
      expect(await unread(db, ana)).toBe(1);
      // every event is broadcast (the grouped row each time), with the unread count
      const sent = await messages(db, ana);
      expect(sent).toHaveLength(8);
      expect(sent.every((m) => m.payload.notification.id === notes[0]!.id && m.payload.unread_count === 1)).toBe(true);
      expect(sent.at(-1)!.payload.notification.actor_count).toBe(7);
    });
  });

  it("once read, the next follower starts a new notification", async () => {
    await withDb(async (db) => {
      const [ana, bo, cy] = (await db.createUsers(3)) as [string, string, string];
      await requestFollow(db, bo, ana);
      await db.as(ana);
      await db.q`select social.mark_all_notifications_read()`;
      await requestFollow(db, cy, ana);
      const notes = await inbox(db, ana);
      expect(notes.map((n) => [n.actor_ids, n.read_at === null])).toEqual([
        [[cy], true],
        [[bo], false],
      ]);
      expect(await unread(db, ana)).toBe(1);
    });
  });

  it("a request to a private profile notifies it; accepting notifies the requester and clears the request", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser({ visibility: "private" });
      const bo = await db.createUser();
      await requestFollow(db, bo, ana);
      expect((await inbox(db, ana)).map((n) => [n.kind, n.subject_id, n.actor_ids])).toEqual([
        ["follow_request", bo, [bo]],
      ]);
      await db.as(ana);
      await db.q`select social.accept_follow_request(${bo})`;
      expect(await inbox(db, ana)).toEqual([]);
      expect(await unread(db, ana)).toBe(0);
      expect((await inbox(db, bo)).map((n) => [n.kind, n.subject_id, n.actor_ids])).toEqual([
        ["follow_accepted", ana, [ana]],
      ]);
    });
  });

  it("requests from several users stay separate (each needs an answer)", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser({ visibility: "private" });
      const [bo, cy] = (await db.createUsers(2)) as [string, string];
      await requestFollow(db, bo, ana);
      await requestFollow(db, cy, ana);
      expect((await inbox(db, ana)).map((n) => n.kind)).toEqual(["follow_request", "follow_request"]);
      expect(await unread(db, ana)).toBe(2);
    });
  });

  it("a withdrawn or declined request takes its notification with it", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser({ visibility: "private" });
      const [bo, cy] = (await db.createUsers(2)) as [string, string];
      await requestFollow(db, bo, ana);
      await requestFollow(db, cy, ana);
      await db.as(bo);
      await db.q`select social.unfollow(${ana})`;
      await db.as(ana);
      await db.q`select social.decline_follow_request(${cy})`;
      expect(await inbox(db, ana)).toEqual([]);
      await expectCounterTrue(db, ana);
    });
  });
});

describe("post notifications", () => {
  it("reactions notify the author, grouped per post; a user's several reactions count once; own reactions never", async () => {
    await withDb(async (db) => {
      const [ana, bo, cy] = (await db.createUsers(3)) as [string, string, string];
      const p1 = await post(db, ana, "morning run");
      const p2 = await post(db, ana, "evening run");
      await react(db, bo, p1, "like");
      await react(db, bo, p1, "fire");
      await react(db, cy, p1, "strong");
      await react(db, ana, p1, "love");
      await react(db, cy, p2, "like");
      const notes = await inbox(db, ana);
      const onP1 = notes.find((n) => n.subject_id === p1)!;
      expect(onP1).toMatchObject({ kind: "reaction", post_id: p1, actor_ids: [cy, bo], actor_count: 2 });
      expect(onP1.data).toMatchObject({ reaction: "strong", excerpt: "morning run" });
      expect(notes.filter((n) => n.subject_id === p2).map((n) => n.actor_ids)).toEqual([[cy]]);
      expect(notes).toHaveLength(2);
      expect(await unread(db, ana)).toBe(2);
    });
  });

  it("reactions of a muted user are silent; their comments still arrive", async () => {
    await withDb(async (db) => {
      const [ana, bo] = (await db.createUsers(2)) as [string, string];
      await db.as(ana);
      await db.q`select social.mute(${bo})`;
      const p = await post(db, ana, "quiet please");
      await react(db, bo, p);
      expect(await inbox(db, ana)).toEqual([]);
      expect(await messages(db, ana)).toEqual([]);
      await comment(db, bo, p, "hello");
      expect((await inbox(db, ana)).map((n) => n.kind)).toEqual(["comment"]);
    });
  });

  it("comments notify the post's author grouped per post; replies notify the parent's author grouped per comment", async () => {
    await withDb(async (db) => {
      const [ana, bo, cy] = (await db.createUsers(3)) as [string, string, string];
      const p = await post(db, ana, "race report");
      const c1 = await comment(db, bo, p, "well done");
      const r1 = await comment(db, cy, p, "agreed", c1);
      let notes = await inbox(db, ana);
      expect(notes.map((n) => [n.kind, n.subject_id, n.actor_ids, n.actor_count])).toEqual([
        ["comment", p, [cy, bo], 2],
      ]);
      expect(notes[0]!.data).toMatchObject({ comment_id: r1, parent_id: c1, excerpt: "agreed" });
      notes = await inbox(db, bo);
      expect(notes.map((n) => [n.kind, n.subject_id, n.comment_id, n.post_id, n.actor_ids])).toEqual([
        ["reply", c1, c1, p, [cy]],
      ]);
      // the post's author replying: the parent's author hears of it (grouped), the author does not
      await comment(db, ana, p, "thanks!", c1);
      expect((await inbox(db, bo)).map((n) => [n.kind, n.actor_ids, n.actor_count])).toEqual([["reply", [ana, cy], 2]]);
      expect((await inbox(db, ana)).map((n) => n.actor_count)).toEqual([2]);
      expect(await inbox(db, cy)).toEqual([]);
    });
  });

  it("commenting on your own post or replying to your own comment notifies nobody", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const p = await post(db, ana, "notes to self");
      const c = await comment(db, ana, p, "first");
      await comment(db, ana, p, "second", c);
      expect(await inbox(db, ana)).toEqual([]);
      expect(await messages(db, ana)).toEqual([]);
    });
  });

  it("a mention in a post notifies the mentioned user; removing it from the text withdraws it", async () => {
    await withDb(async (db) => {
      const ana = await user(db);
      const bo = await user(db);
      const p = await post(db, ana.id, `great pace @${bo.handle}!`);
      const [n] = await inbox(db, bo.id);
      expect(n).toMatchObject({ kind: "mention", subject_id: p, post_id: p, comment_id: null, actor_ids: [ana.id] });
      expect(n!.data).toMatchObject({ excerpt: `great pace @${bo.handle}!` });
      await db.as(ana.id);
      await db.q`update social.posts set body = 'great pace!' where id = ${p}`;
      expect(await inbox(db, bo.id)).toEqual([]);
      await expectCounterTrue(db, bo.id);
    });
  });

  it("a user who cannot see the post is not notified of a mention in it", async () => {
    await withDb(async (db) => {
      const ana = await user(db);
      const bo = await user(db);
      const cy = await user(db);
      await requestFollow(db, cy.id, ana.id);
      await post(db, ana.id, `followers only @${bo.handle} @${cy.handle}`, { visibility: "followers" });
      await post(db, ana.id, `just me @${cy.handle}`, { visibility: "private" });
      expect(await inbox(db, bo.id)).toEqual([]);
      expect((await inbox(db, cy.id)).map((n) => n.kind)).toEqual(["mention"]);
      // in a group: only its members hear of a mention
      const c = await club(db);
      await db.asSuperuser();
      await db.q`insert into social.group_members (group_id, user_id) values (${c.group}, ${ana.id})`;
      await post(db, ana.id, `members only @${bo.handle}`, { group: c.group });
      expect(await inbox(db, bo.id)).toEqual([]);
    });
  });

  it("a mention in a reply to the mentioned user's own comment notifies once, as the reply", async () => {
    await withDb(async (db) => {
      const ana = await user(db);
      const bo = await user(db);
      const cy = await user(db);
      const p = await post(db, ana.id, "trail day");
      const c1 = await comment(db, bo.id, p, "count me in");
      const r = await comment(db, cy.id, p, `@${bo.handle} me too, and @${ana.handle}`, c1);
      expect((await inbox(db, bo.id)).map((n) => n.kind)).toEqual(["reply"]);
      expect((await inbox(db, ana.id)).map((n) => n.kind)).toEqual(["comment"]);
      // a third user mentioned in the comment gets a mention about the comment
      const dee = await user(db);
      await db.as(cy.id);
      await db.q`update social.comments set body = ${`and @${dee.handle}`} where id = ${r}`;
      expect((await inbox(db, dee.id)).map((n) => [n.kind, n.subject_id, n.comment_id])).toEqual([["mention", r, r]]);
    });
  });

  it("deleting a post or a comment takes the notifications about it, and the unread count follows", async () => {
    await withDb(async (db) => {
      const ana = await user(db);
      const bo = await user(db);
      const p = await post(db, ana.id, "short lived");
      await react(db, bo.id, p);
      const c = await comment(db, ana.id, p, `ping @${bo.handle}`);
      expect((await inbox(db, bo.id)).map((n) => n.kind)).toEqual(["mention"]);
      await db.as(ana.id);
      await db.q`select social.delete_comment(${c})`;
      expect(await inbox(db, bo.id)).toEqual([]);
      expect(await unread(db, ana.id)).toBe(1);
      await db.as(ana.id);
      await db.q`select social.delete_post(${p})`;
      expect(await inbox(db, ana.id)).toEqual([]);
      expect(await unread(db, ana.id)).toBe(0);
      await expectCounterTrue(db, ana.id);
    });
  });
});

describe("group notifications", () => {
  it("a join request notifies the group's staff (not its members), merging requests per group", async () => {
    await withDb(async (db) => {
      const c = await club(db, "request");
      const [x, y] = (await db.createUsers(2)) as [string, string];
      for (const u of [x, y]) {
        await db.as(u);
        await db.q`select social.join_group(${c.group})`;
      }
      for (const staff of [c.owner, c.admin, c.moderator]) {
        expect(
          (await inbox(db, staff)).map((n) => [n.kind, n.subject_id, n.group_id, n.actor_ids, n.actor_count]),
          asRole(c, staff),
        ).toEqual([["join_request", c.group, c.group, [y, x], 2]]);
      }
      expect(await inbox(db, c.member)).toEqual([]);
    });
  });

  it("an answered request leaves the staff's unread notification; the last one takes it", async () => {
    await withDb(async (db) => {
      const c = await club(db, "request");
      const [x, y] = (await db.createUsers(2)) as [string, string];
      for (const u of [x, y]) {
        await db.as(u);
        await db.q`select social.join_group(${c.group})`;
      }
      await db.as(c.moderator);
      await db.q`select social.approve_join_request(${c.group}, ${x})`;
      for (const staff of [c.owner, c.admin, c.moderator]) {
        expect(
          (await inbox(db, staff)).map((n) => [n.kind, n.actor_ids, n.actor_count]),
          asRole(c, staff),
        ).toEqual([["join_request", [y], 1]]);
      }
      await db.as(c.admin);
      await db.q`select social.decline_join_request(${c.group}, ${y})`;
      for (const staff of [c.owner, c.admin, c.moderator]) {
        expect(await inbox(db, staff), asRole(c, staff)).toEqual([]);
        await expectCounterTrue(db, staff);
      }
    });
  });

  it("approval notifies the requester with the approver as actor; joining through an invite is no approval", async () => {
    await withDb(async (db) => {
      const c = await club(db, "request");
      const [x, y] = (await db.createUsers(2)) as [string, string];
      await db.as(x);
      await db.q`select social.join_group(${c.group})`;
      await db.as(c.moderator);
      await db.q`select social.approve_join_request(${c.group}, ${x})`;
      expect((await inbox(db, x)).map((n) => [n.kind, n.subject_id, n.actor_ids])).toEqual([
        ["join_approved", c.group, [c.moderator]],
      ]);
      // y asks, then accepts an invite: the invite lets them in, nobody approved
      await db.as(y);
      await db.q`select social.join_group(${c.group})`;
      await db.as(c.owner);
      const [inv] = await db.q<{ id: string }[]>`select id from social.invite_to_group(${c.group}, ${y})`;
      await db.as(y);
      await db.q`select social.accept_group_invite(${inv!.id})`;
      expect((await inbox(db, y)).map((n) => n.kind)).toEqual([]);
    });
  });

  it("an invite notifies the invitee; declining or revoking it takes the notification", async () => {
    await withDb(async (db) => {
      const c = await club(db, "invite");
      const [x, y] = (await db.createUsers(2)) as [string, string];
      await db.as(c.admin);
      const [a] = await db.q<{ id: string }[]>`select id from social.invite_to_group(${c.group}, ${x})`;
      const [b] = await db.q<{ id: string }[]>`select id from social.invite_to_group(${c.group}, ${y})`;
      const [n] = await inbox(db, x);
      expect(n).toMatchObject({ kind: "group_invite", subject_id: c.group, group_id: c.group, actor_ids: [c.admin] });
      expect(n!.data).toEqual({ invite_id: a!.id });
      await db.as(x);
      await db.q`select social.decline_group_invite(${a!.id})`;
      expect(await inbox(db, x)).toEqual([]);
      await db.as(c.admin);
      await db.q`select social.revoke_group_invite(${b!.id})`;
      expect(await inbox(db, y)).toEqual([]);
      await expectCounterTrue(db, y);
      // a link invite notifies nobody
      await db.as(c.owner);
      await db.q`select social.create_group_invite_link(${c.group})`;
      await db.asSuperuser();
      const [count] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.notifications where kind = 'group_invite' and group_id = ${c.group}`;
      expect(count!.n).toBe(0);
    });
  });

  it("an announcement notifies every active member but its author; pending and banned users get nothing", async () => {
    await withDb(async (db) => {
      const c = await club(db, "request");
      const [pending, banned] = (await db.createUsers(2)) as [string, string];
      await db.as(pending);
      await db.q`select social.join_group(${c.group})`;
      await db.as(c.owner);
      await db.q`select social.ban_group_member(${c.group}, ${banned})`;
      await db.as(c.admin);
      const [a] = await db.q<{ id: string }[]>`
        select id from social.create_announcement(${c.group}, 'Ride tonight', 'Meet at 8', true)`;
      for (const who of [c.owner, c.moderator, c.member]) {
        const notes = (await inbox(db, who)).filter((n) => n.kind === "announcement");
        expect(
          notes.map((n) => [n.subject_id, n.announcement_id, n.group_id, n.actor_ids]),
          asRole(c, who),
        ).toEqual([[a!.id, a!.id, c.group, [c.admin]]]);
        expect(notes[0]!.data, asRole(c, who)).toMatchObject({
          title: "Ride tonight",
          excerpt: "Meet at 8",
          pinned: true,
        });
      }
      for (const who of [c.admin, pending, banned]) {
        expect(
          (await inbox(db, who)).filter((n) => n.kind === "announcement"),
          asRole({ ...c, pending, banned }, who),
        ).toEqual([]);
      }
      // deleting the announcement takes its notifications
      await db.as(c.admin);
      await db.q`delete from social.announcements where id = ${a!.id}`;
      expect((await inbox(db, c.member)).filter((n) => n.kind === "announcement")).toEqual([]);
      await expectCounterTrue(db, c.member);
    });
  });
});

describe("preferences", () => {
  it("a user who turns a kind off gets none of it; other kinds and other users are unaffected; on again resumes", async () => {
    await withDb(async (db) => {
      const [ana, bo, cy, dee] = (await db.createUsers(4)) as [string, string, string, string];
      await db.as(ana);
      const [pref] = await db.q<{ user_id: string; kind: string; in_app: boolean }[]>`
        select * from social.set_notification_preference('new_follower', false)`;
      expect(pref).toMatchObject({ user_id: ana, kind: "new_follower", in_app: false });
      await requestFollow(db, bo, ana);
      await requestFollow(db, ana, cy); // cy keeps the default
      const p = await post(db, ana, "still hear reactions");
      await react(db, bo, p);
      expect((await inbox(db, ana)).map((n) => n.kind)).toEqual(["reaction"]);
      expect((await inbox(db, cy)).map((n) => n.kind)).toEqual(["new_follower"]);
      await db.as(ana);
      await db.q`select social.set_notification_preference('new_follower', true)`;
      await requestFollow(db, dee, ana);
      expect((await inbox(db, ana)).map((n) => [n.kind, n.actor_ids]).sort()).toEqual(
        [
          ["new_follower", [dee]],
          ["reaction", [bo]],
        ].sort(),
      );
    });
  });

  it("every kind is listed with its setting, on by default", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await db.as(ana);
      await db.q`select social.set_notification_preference('reaction', false)`;
      await db.q`select social.set_notification_preference('reaction', false)`;
      const prefs = await db.q<
        { kind: string; in_app: boolean }[]
      >`select * from social.get_notification_preferences()`;
      expect(prefs.map((p) => p.kind)).toEqual([
        "follow_request",
        "follow_accepted",
        "new_follower",
        "reaction",
        "comment",
        "reply",
        "mention",
        "announcement",
        "group_invite",
        "join_request",
        "join_approved",
        "streak_reminder",
        "badge_earned",
        "event_invite",
        "event_updated",
        "event_cancelled",
        "event_promoted",
      ]);
      expect(prefs.filter((p) => !p.in_app).map((p) => p.kind)).toEqual(["reaction"]);
      expect(await refused(db, (tx) => tx`select social.set_notification_preference('reaction', null)`)).toEqual([
        "22023",
        "invalid_preference",
      ]);
    });
  });

  it("preferences are private to their user: others cannot read, write or remove them", async () => {
    await withDb(async (db) => {
      const [ana, bo] = (await db.createUsers(2)) as [string, string];
      await db.as(ana);
      await db.q`select social.set_notification_preference('mention', false)`;
      await db.as(bo);
      expect(await db.q`select * from social.notification_preferences`).toEqual([]);
      const upd = await db.q`update social.notification_preferences set in_app = true where user_id = ${ana}`;
      expect(upd.count).toBe(0);
      const del = await db.q`delete from social.notification_preferences where user_id = ${ana}`;
      expect(del.count).toBe(0);
      const [code] = await refused(
        db,
        (tx) => tx`insert into social.notification_preferences (user_id, kind, in_app) values (${ana}, 'reply', false)`,
      );
      expect(code).toBe("42501");
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select * from social.notification_preferences`))[0]).toBe("42501");
      await db.as(ana);
      expect((await db.q`select kind from social.notification_preferences`).map((r) => r.kind)).toEqual(["mention"]);
    });
  });
});

describe("blocks", () => {
  it("nothing is notified across a block, in either direction", async () => {
    await withDb(async (db) => {
      const c = await club(db, "request");
      const [x, y] = (await db.createUsers(2)) as [string, string];
      // the member blocked the admin: no announcement from the admin for them
      await db.as(c.member);
      await db.q`select social.block(${c.admin})`;
      await db.as(c.admin);
      await db.q`select social.create_announcement(${c.group}, 'Hello all')`;
      expect((await inbox(db, c.member)).filter((n) => n.kind === "announcement")).toEqual([]);
      expect((await inbox(db, c.moderator)).filter((n) => n.kind === "announcement")).toHaveLength(1);
      // the moderator blocked x: x's request reaches the other staff only
      await db.as(c.moderator);
      await db.q`select social.block(${x})`;
      await db.as(x);
      await db.q`select social.join_group(${c.group})`;
      expect((await inbox(db, c.moderator)).filter((n) => n.kind === "join_request")).toEqual([]);
      expect((await inbox(db, c.owner)).filter((n) => n.kind === "join_request")).toHaveLength(1);
      // y blocked the owner: y's own request does not reach the owner either
      await db.as(y);
      await db.q`select social.block(${c.admin})`;
      await db.q`select social.join_group(${c.group})`;
      const adminRequests = (await inbox(db, c.admin)).filter((n) => n.kind === "join_request");
      expect(adminRequests.map((n) => n.actor_ids)).toEqual([[x]]);
    });
  });

  it("a block removes the blocked user's notifications, and takes them out of grouped ones", async () => {
    await withDb(async (db) => {
      const [ana, bo, cy] = (await db.createUsers(3)) as [string, string, string];
      const p1 = await post(db, ana, "one");
      const p2 = await post(db, ana, "two");
      await react(db, bo, p1);
      await react(db, bo, p2);
      await react(db, cy, p2);
      await db.as(bo);
      await db.q`select social.follow(${ana})`;
      // ana's notification to bo (follow back) goes too when bo blocks ana
      await requestFollow(db, ana, bo);
      await db.as(ana);
      await db.q`select social.block(${bo})`;
      const notes = await inbox(db, ana);
      expect(notes.map((n) => [n.kind, n.subject_id, n.actor_ids, n.actor_count])).toEqual([["reaction", p2, [cy], 1]]);
      expect(await inbox(db, bo)).toEqual([]);
      await expectCounterTrue(db, ana);
      await expectCounterTrue(db, bo);
    });
  });
});

describe("the inbox", () => {
  it("the recipient marks one read (idempotent); the unread count follows; others' notifications are not found", async () => {
    await withDb(async (db) => {
      const [ana, bo, cy] = (await db.createUsers(3)) as [string, string, string];
      await requestFollow(db, bo, ana);
      await requestFollow(db, bo, cy);
      const [n] = await inbox(db, ana);
      expect(await unread(db, ana)).toBe(1);
      await db.as(ana);
      const [marked] = await db.q<Note[]>`select * from social.mark_notification_read(${n!.id})`;
      expect(marked!.read_at).toBeInstanceOf(Date);
      const [again] = await db.q<Note[]>`select * from social.mark_notification_read(${n!.id})`;
      expect(again!.read_at).toEqual(marked!.read_at);
      expect(await unread(db, ana)).toBe(0);
      await db.as(cy);
      expect(await refused(db, (tx) => tx`select social.mark_notification_read(${n!.id})`)).toEqual([
        "PT404",
        "notification_not_found",
      ]);
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select social.mark_notification_read(${n!.id})`))[0]).toBe("42501");
      expect(await unread(db, cy)).toBe(1);
    });
  });

  it("mark all read, or only up to what the user has seen", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const fans = await db.createUsers(3);
      const p = await post(db, ana, "p");
      await requestFollow(db, fans[0]!, ana);
      await react(db, fans[1]!, p);
      await comment(db, fans[2]!, p, "c");
      // spread the events in time (one transaction has one now())
      await db.asSuperuser();
      await db.q`update social.notifications set occurred_at = now() - interval '1 hour' where recipient_id = ${ana} and kind = 'new_follower'`;
      await db.q`update social.notifications set occurred_at = now() - interval '30 minutes' where recipient_id = ${ana} and kind = 'reaction'`;
      await db.as(ana);
      const [one] = await db.q<{ n: number }[]>`
        select social.mark_all_notifications_read(now() - interval '20 minutes') as n`;
      expect(one!.n).toBe(2);
      expect((await inbox(db, ana)).filter((n) => n.read_at === null).map((n) => n.kind)).toEqual(["comment"]);
      expect(await unread(db, ana)).toBe(1);
      await db.as(ana);
      const [rest] = await db.q<{ n: number }[]>`select social.mark_all_notifications_read() as n`;
      expect(rest!.n).toBe(1);
      expect(await unread(db, ana)).toBe(0);
      await expectCounterTrue(db, ana);
    });
  });

  it("a read notification stays read, and only read_at is writable by the recipient", async () => {
    await withDb(async (db) => {
      const [ana, bo] = (await db.createUsers(2)) as [string, string];
      await requestFollow(db, bo, ana);
      const [n] = await inbox(db, ana);
      await db.as(ana);
      // a backdated read_at is stamped now()
      await db.q`update social.notifications set read_at = '2000-01-01' where id = ${n!.id}`;
      const [row] = await inbox(db, ana);
      expect(row!.read_at!.getFullYear()).toBeGreaterThan(2000);
      await db.as(ana);
      expect(await refused(db, (tx) => tx`update social.notifications set read_at = null where id = ${n!.id}`)).toEqual(
        ["22023", "invalid_transition"],
      );
      for (const stmt of [
        (tx: Tx) => tx`update social.notifications set actor_count = 99 where id = ${n!.id}`,
        (tx: Tx) => tx`delete from social.notifications where id = ${n!.id}`,
        (tx: Tx) =>
          tx`insert into social.notifications (recipient_id, kind, subject_id) values (${ana}, 'mention', ${ana})`,
        (tx: Tx) => tx`update social.notification_counters set unread_count = 0`,
      ]) {
        expect((await refused(db, stmt))[0]).toBe("42501");
      }
      expect(await unread(db, ana)).toBe(0);
    });
  });

  it("only the recipient reads their notifications and counter; strangers see nothing, anon is refused", async () => {
    await withDb(async (db) => {
      const [ana, bo, stranger] = (await db.createUsers(3)) as [string, string, string];
      await requestFollow(db, bo, ana);
      await db.as(ana);
      expect(await db.q`select id from social.notifications`).toHaveLength(1);
      expect(await db.q`select * from social.notification_counters`).toHaveLength(1);
      for (const who of [bo, stranger]) {
        await db.as(who);
        expect(
          await db.q`select id from social.notifications where recipient_id = ${ana}`,
          asRole({ bo, stranger }, who),
        ).toEqual([]);
        expect(
          await db.q`select * from social.notification_counters where user_id = ${ana}`,
          asRole({ bo, stranger }, who),
        ).toEqual([]);
        expect(await db.q`select * from social.list_notifications()`, asRole({ bo, stranger }, who)).toEqual([]);
        const upd = await db.q`update social.notifications set read_at = now() where recipient_id = ${ana}`;
        expect(upd.count, asRole({ bo, stranger }, who)).toBe(0);
      }
      expect(await unread(db, ana)).toBe(1);
      await db.asAnon();
      for (const stmt of [
        (tx: Tx) => tx`select id from social.notifications`,
        (tx: Tx) => tx`select * from social.notification_counters`,
        (tx: Tx) => tx`select * from social.list_notifications()`,
        (tx: Tx) => tx`select social.unread_notification_count()`,
      ]) {
        expect((await refused(db, stmt))[0]).toBe("42501");
      }
    });
  });

  it("lists newest first with actor summaries in order, keyset-paged, optionally unread only", async () => {
    await withDb(async (db) => {
      const ana = await user(db);
      const bo = await user(db);
      const cy = await user(db);
      const p = await post(db, ana.id, "p");
      await react(db, bo.id, p);
      await react(db, cy.id, p);
      await requestFollow(db, bo.id, ana.id);
      await comment(db, cy.id, p, "hi");
      await db.asSuperuser();
      await db.q`update social.notifications set occurred_at = now() - interval '3 minutes' where recipient_id = ${ana.id} and kind = 'reaction'`;
      await db.q`update social.notifications set occurred_at = now() - interval '2 minutes' where recipient_id = ${ana.id} and kind = 'new_follower'`;
      await db.as(ana.id);
      type Row = Note & { actors: { id: string; handle: string }[]; next_cursor: string | null };
      const page1 = await db.q<Row[]>`select * from social.list_notifications(null, 2)`;
      expect(page1.map((r) => r.kind)).toEqual(["comment", "new_follower"]);
      expect(page1[0]!.next_cursor).toBeTruthy();
      const page2 = await db.q<Row[]>`select * from social.list_notifications(${page1[0]!.next_cursor}, 2)`;
      expect(page2.map((r) => r.kind)).toEqual(["reaction"]);
      expect(page2[0]!.next_cursor).toBeNull();
      expect(page2[0]!.actors.map((a) => a.handle)).toEqual([cy.handle, bo.handle]);
      expect(page2[0]!.actor_count).toBe(2);

      await db.q`select social.mark_notification_read(${page1[0]!.id})`;
      const unreadOnly = await db.q<Row[]>`select * from social.list_notifications(null, 20, true)`;
      expect(unreadOnly.map((r) => r.kind)).toEqual(["new_follower", "reaction"]);
      expect(await refused(db, (tx) => tx`select * from social.list_notifications('nope')`)).toEqual([
        "22023",
        "invalid_cursor",
      ]);
    });
  });

  it("the unread counter always equals the unread rows across grouping, reads, withdrawals and deletes", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser({ visibility: "private" });
      const users = (await db.createUsers(4)) as [string, string, string, string];
      for (const u of users) await requestFollow(db, u, ana);
      await expectCounterTrue(db, ana);
      expect(await unread(db, ana)).toBe(4);
      await db.as(ana);
      await db.q`select social.accept_follow_request(${users[0]})`;
      await db.q`select social.accept_follow_request(${users[1]})`;
      await db.q`select social.decline_follow_request(${users[2]})`;
      await expectCounterTrue(db, ana);
      const p = await post(db, ana, "followers see this");
      for (const u of [users[0], users[1]]) {
        await react(db, u, p);
        await comment(db, u, p, "c");
      }
      await expectCounterTrue(db, ana);
      expect(await unread(db, ana)).toBe(3); // users[3]'s request, the reactions, the comments
      const reaction = (await inbox(db, ana)).find((n) => n.kind === "reaction")!;
      await db.as(ana);
      await db.q`select social.mark_notification_read(${reaction.id})`;
      await db.q`select social.block(${users[0]})`;
      await expectCounterTrue(db, ana);
      expect(await unread(db, ana)).toBe(2);
      await db.as(ana);
      await db.q`select social.delete_post(${p})`;
      await expectCounterTrue(db, ana);
      expect(await unread(db, ana)).toBe(1);
    });
  });
});

describe("realtime", () => {
  it("a user receives broadcasts on their own user topic only", async () => {
    await withDb(async (db) => {
      const [ana, bo, cy] = (await db.createUsers(3)) as [string, string, string];
      await requestFollow(db, cy, ana);
      await requestFollow(db, cy, bo);
      const countAs = async (who: string | null, topic: string | null) => {
        if (who) await db.as(who);
        else await db.asAnon();
        await db.q`select set_config('realtime.topic', ${topic ?? ""}, true)`;
        const [row] = await db.q<{ own: number; all: number }[]>`
          select count(*) filter (where topic = ${`user:${ana}`})::int as own, count(*)::int as all
          from realtime.messages`;
        return row!;
      };
      // joining their own topic: ana sees her message and nothing of anyone else's
      expect(await countAs(ana, `user:${ana}`)).toEqual({ own: 1, all: 1 });
      // joining someone else's topic, or none: nothing
      expect(await countAs(ana, `user:${bo}`)).toEqual({ own: 0, all: 0 });
      expect(await countAs(ana, null)).toEqual({ own: 0, all: 0 });
      expect(await countAs(cy, `user:${ana}`)).toEqual({ own: 0, all: 0 });
      expect(await countAs(bo, `user:${bo}`)).toEqual({ own: 0, all: 1 });
      await db.asAnon();
      const anon = await db.attempt(async (tx) => {
        await tx`select set_config('realtime.topic', ${`user:${ana}`}, true)`;
        return tx<{ n: number }[]>`select count(*)::int as n from realtime.messages`;
      });
      expect(anon.ok ? anon.value[0]!.n : 0).toBe(0);
    });
  });

  it("clients cannot send on a user topic, not even their own", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await db.as(ana);
      const [code] = await refused(
        db,
        (tx) => tx`insert into realtime.messages (topic, extension, event, payload, private)
                   values (${`user:${ana}`}, 'broadcast', 'notification', '{}', true)`,
      );
      expect(code).toBe("42501");
      // realtime.send swallows the refusal (a warning), and nothing is queued
      await db.q`select realtime.send('{"x":1}', 'notification', ${`user:${ana}`}, true)`;
      expect(await messages(db, ana)).toEqual([]);
    });
  });
});
