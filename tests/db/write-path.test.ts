/**
 * The write path of issue 14: a post's counters and top-feed score live beside it in
 * social.post_stats (one narrow row per post, kept by triggers), reactions go through
 * social_private.add_reaction (one visibility decision), notifications of one recipient take the
 * single-row path and the unread counter is kept by row triggers. Proven here: counts exact after
 * every kind of write, also under concurrent writers (committed on real connections); post_stats
 * readable exactly where its post is and writable by nobody; the copies of the posts row follow
 * it; the top feeds follow the score at once.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { block, follow } from "../fixtures/graph.ts";
import { addMember, insertGroup } from "../fixtures/groups.ts";
import { committed } from "../helpers/committed.ts";
import { type TestDb, withDb } from "../helpers/db.ts";
import { settle } from "../helpers/effects.ts";

async function post(db: TestDb, author: string, visibility = "public", groupId: string | null = null) {
  await db.as(author);
  const [row] = await db.q<{ id: string }[]>`
    insert into social.posts (body, visibility, group_id) values ('hello', ${visibility}, ${groupId}) returning id`;
  return row!.id;
}

/** post_stats as stored, next to what counting the rows gives. */
async function statsAndTruth(db: TestDb, postId: string) {
  await db.asSuperuser();
  const [s] = await db.q<
    { reaction_count: number; reaction_counts: Record<string, number>; comment_count: number; hot_score: number }[]
  >`select reaction_count, reaction_counts, comment_count, hot_score from social.post_stats where post_id = ${postId}`;
  const [t] = await db.q<{ reactions: number; per_kind: Record<string, number>; comments: number; score: number }[]>`
    select (select count(*)::int from social.reactions where post_id = ${postId}) as reactions,
           coalesce((select jsonb_object_agg(kind, n) from (
             select kind::text, count(*)::int as n from social.reactions where post_id = ${postId} group by 1) k), '{}') as per_kind,
           (select count(*)::int from social.comments where post_id = ${postId} and deleted_at is null) as comments,
           social_private.post_hot_score(
             (select count(*)::int from social.reactions where post_id = ${postId}),
             (select count(*)::int from social.comments where post_id = ${postId} and deleted_at is null),
             (select created_at from social.posts where id = ${postId})) as score`;
  return { stats: s!, truth: t! };
}

function expectExact(x: Awaited<ReturnType<typeof statsAndTruth>>, label: string) {
  expect(x.stats.reaction_count, label).toBe(x.truth.reactions);
  expect(x.stats.reaction_counts, label).toEqual(x.truth.per_kind);
  expect(x.stats.comment_count, label).toBe(x.truth.comments);
  expect(x.stats.hot_score, label).toBeCloseTo(x.truth.score, 9);
}

describe("post_stats: counts beside the post", () => {
  it("deleting accounts takes a post with the reactions, comments and replies on it, counted in the same transaction", async () => {
    await withDb(async (db) => {
      const author = await db.createUser();
      const [a, b] = [await db.createUser(), await db.createUser()];
      const id = await post(db, author, "public");
      for (const who of [a, b]) {
        await db.as(who);
        await db.q`insert into social.reactions (post_id, kind) values (${id}, 'like')`;
        await db.q`insert into social.reactions (post_id, kind) values (${id}, 'fire')`;
      }
      await db.as(a);
      const [c] = await db.q<{ id: string }[]>`
        insert into social.comments (post_id, body) values (${id}, 'first') returning id`;
      await db.as(b);
      await db.q`insert into social.comments (post_id, parent_id, body) values (${id}, ${c!.id}, 'one')`;
      await db.q`insert into social.comments (post_id, parent_id, body) values (${id}, ${c!.id}, 'two')`;
      await db.asSuperuser();
      const [before] = await db.q`select reaction_count, comment_count from social.post_stats where post_id = ${id}`;
      expect(before).toEqual({ reaction_count: 4, comment_count: 3 });
      // the cascade deletes the reactions and comments after the post: their counter triggers must
      // leave the post's post_stats row (and the parent comment) alone
      await db.q`delete from auth.users where id in (${author}, ${a}, ${b})`;
      const [after] = await db.q<{ posts: number; stats: number; comments: number; reactions: number }[]>`
        select (select count(*)::int from social.posts where id = ${id}) as posts,
               (select count(*)::int from social.post_stats where post_id = ${id}) as stats,
               (select count(*)::int from social.comments where post_id = ${id}) as comments,
               (select count(*)::int from social.reactions where post_id = ${id}) as reactions`;
      expect(after).toEqual({ posts: 0, stats: 0, comments: 0, reactions: 0 });
    });
  });

  it("every post gets its row with the post, and the row follows the post's visibility and deletion", async () => {
    await withDb(async (db) => {
      const author = await db.createUser();
      const id = await post(db, author, "public");
      await db.asSuperuser();
      const [s] = await db.q`select author_id, group_id, visibility::text, deleted_at, reaction_count, comment_count,
        reaction_counts, created_at = (select created_at from social.posts where id = ${id}) as same_time
        from social.post_stats where post_id = ${id}`;
      expect(s).toEqual({
        author_id: author,
        group_id: null,
        visibility: "public",
        deleted_at: null,
        reaction_count: 0,
        comment_count: 0,
        reaction_counts: {},
        same_time: true,
      });
      await db.as(author);
      await db.q`update social.posts set visibility = 'followers' where id = ${id}`;
      await db.q`select social.delete_post(${id})`;
      await db.asSuperuser();
      const [after] = await db.q`
        select s.visibility::text, s.deleted_at = p.deleted_at as same_deleted
        from social.post_stats s join social.posts p on p.id = s.post_id where s.post_id = ${id}`;
      expect(after).toEqual({ visibility: "followers", same_deleted: true });
      // deleting the post row deletes its stats
      await db.q`delete from social.posts where id = ${id}`;
      expect(await db.q`select 1 from social.post_stats where post_id = ${id}`).toHaveLength(0);
    });
  });

  it("counts stay exact through reacts, unreacts, comments, replies and deletes", async () => {
    await withDb(async (db) => {
      const [author, a, b, c] = await db.createUsers(4);
      const id = await post(db, author!);
      expectExact(await statsAndTruth(db, id), "new post");
      for (const [who, kind] of [
        [a, "like"],
        [a, "fire"],
        [b, "like"],
        [c, "love"],
        [c, "like"],
      ] as const) {
        await db.as(who!);
        await db.q`select social.react(${id}, ${kind}::social.reaction_kind)`;
      }
      let x = await statsAndTruth(db, id);
      expectExact(x, "after reacting");
      expect(x.stats.reaction_counts).toEqual({ like: 3, fire: 1, love: 1 });
      await db.as(a!);
      await db.q`select social.unreact(${id}, 'like')`;
      await db.as(c!);
      await db.q`delete from social.reactions where post_id = ${id} and kind = 'love'`;
      x = await statsAndTruth(db, id);
      expectExact(x, "after unreacting");
      expect(x.stats.reaction_counts).toEqual({ like: 2, fire: 1 });

      await db.as(a!);
      const [top] = await db.q<{ id: string }[]>`
        insert into social.comments (post_id, body) values (${id}, 'top') returning id`;
      await db.as(b!);
      await db.q`insert into social.comments (post_id, parent_id, body) values (${id}, ${top!.id}, 'reply 1')`;
      await db.as(c!);
      const [lone] = await db.q<{ id: string }[]>`
        insert into social.comments (post_id, body) values (${id}, 'another') returning id`;
      await db.q`insert into social.comments (post_id, parent_id, body) values (${id}, ${top!.id}, 'reply 2')`;
      x = await statsAndTruth(db, id);
      expectExact(x, "after commenting");
      expect(x.stats.comment_count).toBe(4);
      // the top-level comment takes its two replies with it
      await db.as(a!);
      await db.q`select social.delete_comment(${top!.id})`;
      x = await statsAndTruth(db, id);
      expectExact(x, "after deleting a thread");
      expect(x.stats.comment_count).toBe(1);
      await db.as(c!);
      await db.q`select social.delete_comment(${lone!.id})`;
      x = await statsAndTruth(db, id);
      expectExact(x, "after deleting the last comment");
      expect(x.stats.comment_count).toBe(0);
    });
  });

  it("the top feeds follow a reaction at once, read from post_stats", async () => {
    await withDb(async (db) => {
      const [author, fan] = await db.createUsers(2);
      const older = await post(db, author!);
      await db.asSuperuser();
      await db.q`update social.posts set created_at = created_at - interval '2 hours' where id = ${older}`;
      const newer = await post(db, author!);
      const order = async () => {
        await db.as(fan!);
        return (await db.q<{ id: string }[]>`select id from social.profile_feed(${author!}, 'top')`).map((r) => r.id);
      };
      expect(await order()).toEqual([newer, older]);
      // a few reactions on the older post outweigh two hours of age (one hot score unit is 12.5 hours)
      for (const kind of ["like", "love", "fire", "strong", "celebrate", "laugh"]) {
        await db.as(fan!);
        await db.q`select social.react(${older}, ${kind}::social.reaction_kind)`;
      }
      expect(await order()).toEqual([older, newer]);
      await db.as(fan!);
      const [row] = await db.q<{ reaction_count: number; hot_score: number }[]>`
        select reaction_count, hot_score from social.get_post(${older})`;
      await db.asSuperuser();
      const [stored] = await db.q<
        { hot_score: number }[]
      >`select hot_score from social.post_stats where post_id = ${older}`;
      expect(row!.reaction_count).toBe(6);
      expect(row!.hot_score).toBe(stored!.hot_score);
    });
  });

  it("post_stats is readable exactly where its post is, and writable by nobody but the triggers", async () => {
    await withDb(async (db) => {
      const [author, follower, stranger, blocked, member, removed] = await db.createUsers(6);
      const privateAuthor = await db.createUser({ visibility: "private" });
      await follow(db, follower!, author!);
      await block(db, author!, blocked!);
      const group = await insertGroup(db, author!, { visibility: "secret" });
      await addMember(db, group, member!);
      await addMember(db, group, removed!);
      const pub = await post(db, author!, "public");
      const followersOnly = await post(db, author!, "followers");
      const mine = await post(db, author!, "private");
      const inGroup = await post(db, author!, "group", group);
      const ofPrivate = await post(db, privateAuthor, "public");
      await db.asSuperuser();
      await db.q`update social.group_members set status = 'banned' where group_id = ${group} and user_id = ${removed!}`;
      const all = [pub, followersOnly, mine, inGroup, ofPrivate];
      const seen = async (who: string | null) => {
        if (who === null) await db.asAnon();
        else await db.as(who);
        const rows = await db.q<{ post_id: string }[]>`
          select post_id from social.post_stats where post_id = any(${all}::uuid[])`;
        return new Set(rows.map((r) => r.post_id));
      };
      const expected: [string, string | null, string[]][] = [
        ["author", author!, [pub, followersOnly, mine, inGroup]],
        ["follower", follower!, [pub, followersOnly]],
        ["stranger", stranger!, [pub]],
        ["blocked", blocked!, []],
        ["member", member!, [pub, inGroup]],
        ["removed member", removed!, [pub]],
        ["anon", null, [pub]],
      ];
      for (const [label, who, ids] of expected) {
        expect(await seen(who), `as ${label}`).toEqual(new Set(ids));
      }
      // what each sees of post_stats is what they see of posts
      for (const [label, who] of expected.map(([l, w]) => [l, w] as const)) {
        if (who === null) await db.asAnon();
        else await db.as(who);
        const posts = await db.q<{ id: string }[]>`select id from social.posts where id = any(${all}::uuid[])`;
        expect(await seen(who), `as ${label}: same as posts`).toEqual(new Set(posts.map((p) => p.id)));
      }
      // nobody writes it: not the author, not anon
      for (const [label, who] of [
        ["author", author!],
        ["anon", null],
      ] as const) {
        for (const statement of [
          `update social.post_stats set reaction_count = 100 where post_id = '${pub}'`,
          `delete from social.post_stats where post_id = '${pub}'`,
          `insert into social.post_stats (post_id, author_id, visibility, created_at) values ('${randomUUID()}', '${author}', 'public', now())`,
        ]) {
          if (who === null) await db.asAnon();
          else await db.as(who);
          const err = await db.error((tx) => tx.unsafe(statement));
          expect(err.code, `as ${label}: ${statement}`).toBe("42501");
        }
      }
      await db.asSuperuser();
      expect(await db.q`select reaction_count from social.post_stats where post_id = ${pub}`).toEqual([
        { reaction_count: 0 },
      ]);
    });
  });
});

describe("reacting through social.react", () => {
  it("decides once and says why: added, already there, no such post, not a member, no kind", async () => {
    await withDb(async (db) => {
      const [author, fan, outsider] = await db.createUsers(3);
      const group = await insertGroup(db, author!, { visibility: "public" });
      const open = await post(db, author!);
      const hidden = await post(db, author!, "followers");
      const inGroup = await post(db, author!, "group", group);
      await db.as(fan!);
      expect(await db.q`select social.react(${open}, 'like') as r`).toEqual([{ r: true }]);
      expect(await db.q`select social.react(${open}, 'like') as r`).toEqual([{ r: false }]);
      let err = await db.error((tx) => tx`select social.react(${hidden}, 'like')`);
      expect([err.code, err.hint]).toEqual(["PT404", "post_not_found"]);
      err = await db.error((tx) => tx`select social.react(${randomUUID()}, 'like')`);
      expect([err.code, err.hint]).toEqual(["PT404", "post_not_found"]);
      // a public group's post is readable, but only members react
      await db.as(outsider!);
      err = await db.error((tx) => tx`select social.react(${inGroup}, 'like')`);
      expect([err.code, err.hint]).toEqual(["42501", "not_allowed"]);
      err = await db.error((tx) => tx`select social.react(${open}, null)`);
      expect([err.code, err.hint]).toEqual(["22023", "invalid_reaction"]);
      // a soft-deleted post is no post
      await db.as(author!);
      await db.q`select social.delete_post(${open})`;
      await db.as(outsider!);
      err = await db.error((tx) => tx`select social.react(${open}, 'fire')`);
      expect([err.code, err.hint]).toEqual(["PT404", "post_not_found"]);
      await db.asAnon();
      err = await db.error((tx) => tx`select social.react(${open}, 'fire')`);
      expect(err.code).toBe("42501");
      await db.asSuperuser();
      expect(
        await db.q`select user_id, kind::text from social.reactions where post_id = any(${[open, hidden, inGroup]}::uuid[])`,
      ).toEqual([{ user_id: fan!, kind: "like" }]);
    });
  });

  it("a blocked user cannot react, either way round", async () => {
    await withDb(async (db) => {
      const [author, blockedByAuthor, blocker] = await db.createUsers(3);
      const id = await post(db, author!);
      await block(db, author!, blockedByAuthor!);
      await block(db, blocker!, author!);
      for (const who of [blockedByAuthor!, blocker!]) {
        await db.as(who);
        const err = await db.error((tx) => tx`select social.react(${id}, 'like')`);
        expect([err.code, err.hint], who).toEqual(["PT404", "post_not_found"]);
      }
    });
  });
});

describe("unread notification counter", () => {
  it("grouped reactions count once; reading, new events and deletes keep it exact", async () => {
    await withDb(async (db) => {
      const [author, a, b, c] = await db.createUsers(4);
      const p1 = await post(db, author!);
      const p2 = await post(db, author!);
      const counter = async () => {
        await db.settle(); // the notifications the deferred-effects job sends after each write
        await db.asSuperuser();
        const [r] = await db.q<{ counter: number; unread: number }[]>`
          select coalesce((select unread_count from social.notification_counters where user_id = ${author!}), 0) as counter,
                 (select count(*)::int from social.notifications where recipient_id = ${author!} and read_at is null) as unread`;
        return r!;
      };
      // the author may hold notifications already (a first-post badge): count from there
      const { counter: base, unread: baseUnread } = await counter();
      expect(baseUnread).toBe(base);
      for (const who of [a!, b!, c!]) {
        await db.as(who);
        await db.q`select social.react(${p1}, 'like')`;
      }
      expect(await counter()).toEqual({ counter: base + 1, unread: base + 1 });
      await db.as(a!);
      await db.q`select social.react(${p2}, 'fire')`;
      await db.q`insert into social.comments (post_id, body) values (${p2}, 'nice')`;
      expect(await counter()).toEqual({ counter: base + 3, unread: base + 3 });
      await db.as(author!);
      await db.q`update social.notifications set read_at = now() where kind = 'reaction' and subject_id = ${p1}`;
      expect(await counter()).toEqual({ counter: base + 2, unread: base + 2 });
      // a read notification is final: the next reaction starts a new one
      await db.as(b!);
      await db.q`select social.react(${p1}, 'fire')`;
      expect(await counter()).toEqual({ counter: base + 3, unread: base + 3 });
      // deleting the post deletes its notifications, and the counter with them
      await db.asSuperuser();
      await db.q`delete from social.posts where id = ${p2}`;
      expect(await counter()).toEqual({ counter: base + 1, unread: base + 1 });
    });
  });
});

// ---- concurrent writers, committed for real ------------------------------------------------------

const WRITERS = 12;
const { pool, user, asUser } = committed({ connections: WRITERS + 2, tag: "write-path" });

describe("counters under concurrent writers", () => {
  it("reactions, unreactions and comments from many connections at once leave exact counts", async () => {
    const author = await user();
    const writers = await Promise.all(Array.from({ length: WRITERS }, () => user()));
    const [p] = await asUser(
      author,
      (tx) => tx<{ id: string }[]>`insert into social.posts (body) values ('busy') returning id`,
    );
    const id = p!.id;
    const kinds = ["like", "love", "fire"] as const;
    // the deferred-effects job, twice at once, while the writers write (its notifications and
    // activities take locks the writers' counters also take)
    let writing = true;
    const job = async () => {
      let runs = 0;
      while (writing || runs < 3) {
        await pool`select social_private.run_deferred_effects(20)`;
        runs++;
      }
      return runs;
    };
    const jobs = [job(), job()];
    // everyone at once: three kinds each, and a comment each
    await Promise.all(
      writers.flatMap((w, i) => [
        ...kinds.map((k) => asUser(w, (tx) => tx`select social.react(${id}, ${k}::social.reaction_kind)`)),
        asUser(w, (tx) => tx`insert into social.comments (post_id, body) values (${id}, ${`comment ${i}`})`),
      ]),
    );
    // then half of them take one kind back and delete their comment, again all at once
    await Promise.all(
      writers
        .slice(0, WRITERS / 2)
        .flatMap((w) => [
          asUser(w, (tx) => tx`select social.unreact(${id}, 'love')`),
          asUser(
            w,
            (tx) =>
              tx`select social.delete_comment(c.id) from social.comments c where c.post_id = ${id} and c.author_id = ${w}`,
          ),
        ]),
    );
    const [s] = await pool<
      { reaction_count: number; reaction_counts: Record<string, number>; comment_count: number }[]
    >`
      select reaction_count, reaction_counts, comment_count from social.post_stats where post_id = ${id}`;
    const [t] = await pool<{ reactions: number; comments: number }[]>`
      select (select count(*)::int from social.reactions where post_id = ${id}) as reactions,
             (select count(*)::int from social.comments where post_id = ${id} and deleted_at is null) as comments`;
    expect(t).toEqual({ reactions: WRITERS * 3 - WRITERS / 2, comments: WRITERS / 2 });
    expect(s).toEqual({
      reaction_count: t!.reactions,
      reaction_counts: { like: WRITERS, love: WRITERS / 2, fire: WRITERS },
      comment_count: t!.comments,
    });
    writing = false;
    await Promise.all(jobs);
    await settle();
    // the author's unread counter matches their unread notifications (grouped per post and kind)
    const [n] = await pool<{ counter: number; unread: number }[]>`
      select coalesce((select unread_count from social.notification_counters where user_id = ${author}), 0) as counter,
             (select count(*)::int from social.notifications where recipient_id = ${author} and read_at is null) as unread`;
    expect(n!.counter).toBe(n!.unread);
    // one reaction and one comment notification: the writers who took theirs back still count
    // in the grouped ones, which the job sent while the reactions and comments stood, or not
    const kindsNotified = await pool<{ kind: string }[]>`
      select kind::text from social.notifications
      where recipient_id = ${author} and kind in ('reaction', 'comment') order by kind`;
    expect(kindsNotified.map((k) => k.kind)).toEqual(["comment", "reaction"]);
    // each writer's activities: comment_created for the comments that stood when the job came
    // to them, reaction_given once per kind that stood
    const [a] = await pool<{ given: number; queued: number }[]>`
      select (select count(*)::int from social.activities
              where user_id = any (${writers}::uuid[]) and kind = 'reaction_given') as given,
             (select count(*)::int from social_private.deferred_effects where post_id = ${id}) as queued`;
    expect(a!.queued).toBe(0);
    expect(a!.given).toBeGreaterThanOrEqual(WRITERS * 3 - WRITERS / 2);
    expect(a!.given).toBeLessThanOrEqual(WRITERS * 3);
  }, 60_000);
});
