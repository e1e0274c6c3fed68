/**
 * Deferred effects (supabase/migrations/20261128003050_deferred_effects.sql): a reaction or a
 * comment queues its notification and activity instead of writing them in its own transaction,
 * and social_private.run_deferred_effects applies the queue afterwards, under the rules of that
 * moment. Proven here: nothing of the effects inside the write, all of them after the job; a
 * reaction taken back, a comment deleted, a block, a mute, a kind turned off or an account
 * deleted in between leaves no trace; clients can neither read nor write the queue nor run the
 * job; bad input changes nothing; a failing effect stays queued with its error while the rest of
 * its batch is applied, is retried later and is given up after 8 attempts; the local stack's
 * runner (scripts/lib/jobs.ts) applies the queue by itself and stops cleanly.
 * (The job under concurrent writers: tests/db/write-path.test.ts.)
 */
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { startJobs } from "../../scripts/lib/jobs.ts";
import { committed } from "../helpers/committed.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";
import { settle } from "../helpers/effects.ts";
import { eventually } from "../helpers/eventually.ts";

async function post(db: TestDb, author: string, body = "tempo run") {
  await db.as(author);
  const [row] = await db.q<{ id: string }[]>`insert into social.posts (body) values (${body}) returning id`;
  return row!.id;
}

async function comment(db: TestDb, author: string, postId: string, body: string) {
  await db.as(author);
  const [row] = await db.q<{ id: string }[]>`
    insert into social.comments (post_id, body) values (${postId}, ${body}) returning id`;
  return row!.id;
}

/** The recipient's reaction and comment notifications, as [kind, actors]. */
async function engagement(db: TestDb, recipient: string) {
  await db.asSuperuser();
  const rows = await db.q<{ kind: string; actor_ids: string[] }[]>`
    select kind::text, actor_ids from social.notifications
    where recipient_id = ${recipient} and kind in ('reaction', 'comment', 'reply') order by kind`;
  return rows.map((r) => [r.kind, r.actor_ids]);
}

async function activities(db: TestDb, userId: string) {
  await db.asSuperuser();
  const rows = await db.q<{ kind: string }[]>`
    select kind from social.activities
    where user_id = ${userId} and kind in ('reaction_given', 'comment_created') order by kind`;
  return rows.map((r) => r.kind);
}

async function queued(db: TestDb, actor: string) {
  await db.asSuperuser();
  const rows = await db.q<{ source: string }[]>`
    select source from social_private.deferred_effects where actor_id = ${actor} order by id`;
  return rows.map((r) => r.source);
}

describe("deferred effects", () => {
  it("a reaction and a comment queue their notifications and activities; the job applies them and empties the queue", async () => {
    await withDb(async (db) => {
      const [ana, bo] = await db.createUsers(2);
      const p = await post(db, ana!);
      await db.as(bo!);
      await db.q`select social.react(${p}, 'fire')`;
      await comment(db, bo!, p, "nice pace");
      // the write itself: counters at once, the effects queued
      expect(await queued(db, bo!)).toEqual(["reaction", "comment"]);
      expect(await engagement(db, ana!)).toEqual([]);
      expect(await activities(db, bo!)).toEqual([]);
      const [stats] = await db.q`select reaction_count, comment_count from social.post_stats where post_id = ${p}`;
      expect(stats).toEqual({ reaction_count: 1, comment_count: 1 });

      await db.settle();
      expect(await engagement(db, ana!)).toEqual([
        ["comment", [bo]],
        ["reaction", [bo]],
      ]);
      expect(await activities(db, bo!)).toEqual(["comment_created", "reaction_given"]);
      expect(await queued(db, bo!)).toEqual([]);
      // the author's own reaction and comment queue effects too, and notify nobody
      await db.as(ana!);
      await db.q`select social.react(${p}, 'like')`;
      await comment(db, ana!, p, "thanks");
      await db.settle();
      expect(await engagement(db, ana!)).toEqual([
        ["comment", [bo]],
        ["reaction", [bo]],
      ]);
      expect(await activities(db, ana!)).toEqual(["comment_created", "reaction_given"]);
    });
  });

  it("a reaction taken back or a comment deleted before the job's turn causes nothing", async () => {
    await withDb(async (db) => {
      const [ana, bo] = await db.createUsers(2);
      const p = await post(db, ana!);
      await db.as(bo!);
      await db.q`select social.react(${p}, 'fire')`;
      await db.q`select social.unreact(${p}, 'fire')`;
      const c = await comment(db, bo!, p, "oops, wrong thread");
      await db.as(bo!);
      await db.q`select social.delete_comment(${c})`;
      expect(await queued(db, bo!)).toEqual(["reaction", "comment"]);
      await db.settle();
      expect(await engagement(db, ana!)).toEqual([]);
      expect(await activities(db, bo!)).toEqual([]);
      expect(await queued(db, bo!)).toEqual([]);
      // given again, it counts: the job applies what stands when it comes
      await db.as(bo!);
      await db.q`select social.react(${p}, 'fire')`;
      await db.settle();
      expect(await engagement(db, ana!)).toEqual([["reaction", [bo]]]);
      expect(await activities(db, bo!)).toEqual(["reaction_given"]);
    });
  });

  it("a block, a mute or a kind turned off between the write and the job is honoured", async () => {
    await withDb(async (db) => {
      const [ana, troll, quiet, talker, fan] = await db.createUsers(5);
      const p = await post(db, ana!);
      await db.as(troll!);
      await db.q`select social.react(${p}, 'laugh')`;
      await comment(db, troll!, p, "troll words");
      await db.as(quiet!);
      await db.q`select social.react(${p}, 'like')`;
      await comment(db, talker!, p, "a comment ana turned off");
      // now, before the job: ana blocks the troll, mutes quiet and turns comment notifications off
      await db.as(ana!);
      await db.q`select social.block(${troll})`;
      await db.q`select social.mute(${quiet})`;
      await db.q`select social.set_notification_preference('comment', false)`;
      await db.settle();
      expect(await engagement(db, ana!)).toEqual([]);
      // a fan, whom none of it concerns, still notifies her
      await db.as(fan!);
      await db.q`select social.react(${p}, 'strong')`;
      await db.settle();
      expect(await engagement(db, ana!)).toEqual([["reaction", [fan]]]);
      // and the excerpt never names the troll
      const [n] = await db.q`select data from social.notifications where recipient_id = ${ana} and kind = 'reaction'`;
      expect(JSON.stringify(n)).not.toContain("troll words");
    });
  });

  it("an account deleted before the job's turn takes its queued reactions and comments with it, and causes nothing", async () => {
    await withDb(async (db) => {
      const [ana, bo] = await db.createUsers(2);
      const p = await post(db, ana!);
      await db.as(bo!);
      await db.q`select social.react(${p}, 'fire')`;
      await comment(db, bo!, p, "see you");
      await db.asSuperuser();
      await db.q`delete from auth.users where id = ${bo}`;
      await db.settle(); // fails the test if an effect failed
      expect(await engagement(db, ana!)).toEqual([]);
      const [stats] = await db.q`select reaction_count, comment_count from social.post_stats where post_id = ${p}`;
      expect(stats).toEqual({ reaction_count: 0, comment_count: 0 });
    });
  });

  it("clients can neither read nor write the queue nor run the job; the service role may run it", async () => {
    await withDb(async (db) => {
      const [ana, bo] = await db.createUsers(2);
      const p = await post(db, ana!);
      await db.as(bo!);
      await db.q`select social.react(${p}, 'fire')`;
      for (const as of [() => db.as(bo!), () => db.as(ana!), () => db.asAnon()]) {
        await as();
        expect((await db.error((tx) => tx`select * from social_private.deferred_effects`)).code).toBe("42501");
        expect(
          (
            await db.error(
              (tx) => tx`insert into social_private.deferred_effects (source, post_id, actor_id, reaction, occurred_at)
                         values ('reaction', ${p}, ${ana}, 'like', now())`,
            )
          ).code,
        ).toBe("42501");
        expect((await db.error((tx) => tx`delete from social_private.deferred_effects`)).code).toBe("42501");
        expect((await db.error((tx) => tx`select social_private.run_deferred_effects()`)).code).toBe("42501");
        expect((await db.error((tx) => tx`select social_private.apply_deferred_effects_singly('{}')`)).code).toBe(
          "42501",
        );
      }
      await db.asService();
      const [{ n }] = await db.q<{ n: number }[]>`select social_private.run_deferred_effects(1) as n`;
      expect(n).toBe(1);
    });
  });

  it("bad input to the job is invalid_input and takes nothing", async () => {
    await withDb(async (db) => {
      const [ana, bo] = await db.createUsers(2);
      const p = await post(db, ana!);
      await db.as(bo!);
      await db.q`select social.react(${p}, 'fire')`;
      await db.asSuperuser();
      for (const [limit, wait] of [
        [0, false],
        [-1, false],
        [10001, false],
        [null, false],
        [10, null],
      ] as const) {
        expect(
          await refused(
            db,
            (tx) => tx`select social_private.run_deferred_effects(${limit}::integer, ${wait}::boolean)`,
          ),
          `${limit}, ${wait}`,
        ).toEqual(["22023", "invalid_input"]);
      }
      expect(await queued(db, bo!)).toEqual(["reaction"]);
    });
  });

  it("a failing effect stays queued with its error while the rest of its batch is applied; retried later, given up after 8 attempts", async () => {
    await withDb(async (db) => {
      const [ana, bo, cy] = await db.createUsers(3);
      const p = await post(db, ana!);
      const c = await comment(db, bo!, p, "real comment");
      await db.as(cy!);
      await db.q`select social.react(${p}, 'fire')`;
      // an effect that cannot apply: its actor has no profile (the activity's foreign key fails)
      await db.asSuperuser();
      const ghost = randomUUID();
      const [bad] = await db.q<{ id: string }[]>`
        insert into social_private.deferred_effects (source, post_id, actor_id, comment_id, occurred_at)
        values ('comment', ${p}, ${ghost}, ${c}, now()) returning id`;
      const [{ n }] = await db.q<{ n: number }[]>`select social_private.run_deferred_effects(10000) as n`;
      expect(n).toBeGreaterThanOrEqual(3);
      // the others of the batch went through
      expect(await activities(db, bo!)).toEqual(["comment_created"]);
      expect(await activities(db, cy!)).toEqual(["reaction_given"]);
      expect(await queued(db, bo!)).toEqual([]);
      expect(await queued(db, cy!)).toEqual([]);
      const row = async () => {
        const [r] = await db.q<{ attempts: number; last_error: string; later: boolean; given_up: boolean }[]>`
          select attempts, last_error, run_after > now() as later, run_after = 'infinity' as given_up
          from social_private.deferred_effects where id = ${bad!.id}`;
        return r!;
      };
      expect(await row()).toMatchObject({ attempts: 1, later: true, given_up: false });
      expect((await row()).last_error).toMatch(/^23503: /);
      // not due yet: the next run leaves it
      await db.q`select social_private.run_deferred_effects(10000)`;
      expect((await row()).attempts).toBe(1);
      // due again after its last attempt but one: given up, kept for an operator
      await db.q`update social_private.deferred_effects set attempts = 7, run_after = now() - interval '1 second' where id = ${bad!.id}`;
      await db.q`select social_private.run_deferred_effects(10000)`;
      expect(await row()).toMatchObject({ attempts: 8, later: true, given_up: true });
    });
  });
});

// ---- the local stack's runner (scripts/lib/jobs.ts), on committed data ---------------------------

const { pool, user, asUser } = committed({ connections: 10, tag: "deferred" });

describe("the local stack's job runner", () => {
  it("applies what reactions and comments queue by itself, and stops cleanly", async () => {
    const [ana, bo] = [await user(), await user()];
    const [p] = await asUser(ana, (tx) => tx`insert into social.posts (body) values ('by itself') returning id`);
    await asUser(bo, (tx) => tx`select social.react(${p!.id}, 'fire')`);
    await asUser(bo, (tx) => tx`insert into social.comments (post_id, body) values (${p!.id}, 'on my own')`);
    const runners = async () => {
      const [{ n }] = await pool<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where application_name = 'supasocial-jobs'`;
      return n;
    };
    const before = await runners(); // the stack's own, in the suite that has one
    // no explicit run: the runner (and the stack's, where there is one) applies them
    const jobs = startJobs({ dbUrl: inject("dbUrl") });
    let stopped = false;
    try {
      await eventually(async () => {
        const rows = await pool<{ kind: string }[]>`
          select kind::text from social.notifications where recipient_id = ${ana} and kind in ('reaction', 'comment')
          order by kind`;
        expect(rows.map((r) => r.kind)).toEqual(["comment", "reaction"]);
      }, 10_000);
      const [{ n }] = await pool<{ n: number }[]>`
        select count(*)::int as n from social_private.deferred_effects where actor_id = ${bo}`;
      expect(n).toBe(0);
      expect(await runners()).toBe(before + 1);
      await jobs.stop();
      stopped = true;
      // its connection is closed
      await eventually(async () => expect(await runners()).toBe(before));
    } finally {
      if (!stopped) await jobs.stop();
    }
  }, 30_000);
});

describe("the job beside writers and readers", () => {
  it("two job runs, four writers and the author marking all read at once never deadlock; the counter stays exact", async () => {
    const author = await user();
    const writers = [await user(), await user(), await user(), await user()];
    const posts: string[] = [];
    for (let i = 0; i < 6; i++) {
      const [p] = await asUser(
        author,
        (tx) => tx`insert into social.posts (body) values (${`busy ${i}`}) returning id`,
      );
      posts.push(p!.id);
    }
    const kinds = ["like", "love", "fire", "strong", "laugh", "celebrate"];
    const errors: string[] = [];
    let stop = false;
    // within the rate limits (120 reactions and 30 comments a minute per writer)
    const writer = async (w: string, offset: number) => {
      for (let i = 0; i < 36 && !stop; i++) {
        const p = posts[(i + offset) % posts.length]!;
        try {
          if (i % 6 === 5) await asUser(w, (tx) => tx`insert into social.comments (post_id, body) values (${p}, 'c')`);
          else
            await asUser(w, (tx) => tx`select social.react(${p}, ${kinds[(i + offset) % 6]!}::social.reaction_kind)`);
        } catch (error) {
          errors.push(`writer: ${(error as Error).message}`);
        }
      }
    };
    const job = async () => {
      while (!stop) {
        try {
          await pool`select social_private.run_deferred_effects(20)`;
        } catch (error) {
          errors.push(`job: ${(error as Error).message}`);
        }
      }
    };
    const reader = async () => {
      while (!stop) {
        try {
          await asUser(author, (tx) => tx`select social.mark_all_notifications_read()`);
          await asUser(author, (tx) => tx`update social.notifications set read_at = now() where read_at is null`);
        } catch (error) {
          errors.push(`reader: ${(error as Error).message}`);
        }
      }
    };
    const background = [job(), job(), reader()];
    await Promise.all(writers.map((w, i) => writer(w, i)));
    stop = true;
    await Promise.all(background);
    await settle();
    expect(errors).toEqual([]);
    const [n] = await pool<{ counter: number; unread: number; failed: number }[]>`
      select coalesce((select unread_count from social.notification_counters where user_id = ${author}), 0) as counter,
             (select count(*)::int from social.notifications where recipient_id = ${author} and read_at is null) as unread,
             (select count(*)::int from social_private.deferred_effects where actor_id = any (${writers}::uuid[])) as failed`;
    expect(n!.counter).toBe(n!.unread);
    expect(n!.failed).toBe(0);
    // every reaction and comment that stands has its activity, once
    const [a] = await pool<{ given: number; written: number }[]>`
      select (select count(*)::int from social.activities
              where user_id = any (${writers}::uuid[]) and kind in ('reaction_given', 'comment_created')) as given,
             (select count(*)::int from social.reactions where user_id = any (${writers}::uuid[]))
             + (select count(*)::int from social.comments where author_id = any (${writers}::uuid[])) as written`;
    expect(a!.written).toBeGreaterThan(20);
    expect(a!.given).toBe(a!.written);
  }, 60_000);
});

/**
 * A deletion that takes notifications (a post or comment deleted, a block, a hard delete) meets
 * the job notifying the same user about the same thing: the job holds the user's counter (taken
 * first for the whole batch) and wants the notification row; the deletion must not hold that row
 * while it waits for the counter. Played step by step: the job's side holds the counter, the
 * deletion starts, then the job's side upserts the notification.
 */
describe("deletions beside the job", () => {
  const waitingForLock = (pid: number) =>
    eventually(async () => {
      const [row] = await pool<{ waiting: boolean }[]>`
        select wait_event_type = 'Lock' as waiting from pg_stat_activity where pid = ${pid}`;
      expect(row?.waiting, "the deletion waits for a lock").toBe(true);
    });

  type Case = {
    name: string;
    /** the notification the job upserts again: a reaction's or a comment's */
    via: "reaction" | "comment";
    remove: (ctx: {
      author: string;
      fan: string;
      post: string;
      comment: string;
      group: string | null;
    }) => (sql: postgres.ReservedSql) => postgres.PendingQuery<postgres.Row[]>;
    as: "author" | "fan" | "superuser";
    /** the post is in a group that the author, the fan and the late one joined */
    inGroup?: boolean;
  };
  const cases: Case[] = [
    {
      name: "the author deletes the post",
      via: "reaction",
      as: "author",
      remove: (c) => (tx) => tx`select social.delete_post(${c.post})`,
    },
    {
      name: "the post is hard-deleted",
      via: "reaction",
      as: "superuser",
      remove: (c) => (tx) => tx`delete from social.posts where id = ${c.post}`,
    },
    {
      name: "the author blocks the fan",
      via: "reaction",
      as: "author",
      remove: (c) => (tx) => tx`select social.block(${c.fan})`,
    },
    {
      name: "the fan deletes their comment",
      via: "comment",
      as: "fan",
      remove: (c) => (tx) => tx`select social.delete_comment(${c.comment})`,
    },
    {
      name: "the author leaves the group of the post",
      via: "reaction",
      as: "author",
      inGroup: true,
      remove: (c) => (tx) => tx`select social.leave_group(${c.group})`,
    },
    {
      name: "the group of the post is hard-deleted",
      via: "comment",
      as: "superuser",
      inGroup: true,
      remove: (c) => (tx) => tx`delete from social.groups where id = ${c.group}`,
    },
  ];
  for (const c of cases) {
    it(`${c.name} while the job notifies the author about it: no deadlock, the counter stays exact`, async () => {
      const [author, fan, late] = [await user(), await user(), await user()];
      let group: string | null = null;
      if (c.inGroup) {
        const [g] = await asUser(await user(), (tx) => tx`select id from social.create_group(p_name => 'Going soon')`);
        group = g!.id as string;
        for (const u of [author, fan, late]) await asUser(u, (tx) => tx`select social.join_group(${group})`);
      }
      const [p] = await asUser(
        author,
        (tx) => tx`insert into social.posts (body, group_id, visibility)
                   values ('going soon', ${group}, ${group ? "group" : "public"}) returning id`,
      );
      const post = p!.id as string;
      await asUser(fan, (tx) => tx`select social.react(${post}, 'fire')`);
      const [cm] = await asUser(
        fan,
        (tx) => tx`insert into social.comments (post_id, body) values (${post}, 'hi') returning id`,
      );
      const [lateComment] = await asUser(
        late,
        (tx) => tx`insert into social.comments (post_id, body) values (${post}, 'me too') returning id`,
      );
      await pool`delete from social_private.deferred_effects where actor_id = ${late}`;
      await settle();
      const ctx = { author, fan, post, comment: cm!.id as string, group };
      const job = await pool.reserve();
      const deleter = await pool.reserve();
      try {
        await job`begin`;
        await job`select social_private.lock_notification_counters(array[${author}]::uuid[])`;
        const [{ pid }] = await deleter<{ pid: number }[]>`select pg_backend_pid() as pid`;
        const deleting = (async () => {
          await deleter`begin`;
          if (c.as !== "superuser") {
            const who = c.as === "author" ? author : fan;
            await deleter`select set_config('request.jwt.claims', ${JSON.stringify({ sub: who, role: "authenticated" })}, true)`;
            await deleter.unsafe("set local role authenticated");
          }
          await c.remove(ctx)(deleter);
          await deleter`commit`;
        })().then(
          () => "ok",
          async (error: Error) => {
            await deleter`rollback`;
            return error.message;
          },
        );
        await waitingForLock(pid);
        const notified =
          c.via === "reaction"
            ? job`select social_private.notify_reaction(${post}, ${late}, 'love')`
            : job`select social_private.notify_comment(${lateComment!.id})`;
        const jobResult = await notified.then(
          async () => {
            await job`commit`;
            return "ok";
          },
          async (error: Error) => {
            await job`rollback`;
            return error.message;
          },
        );
        expect([jobResult, await deleting]).toEqual(["ok", "ok"]);
      } finally {
        await job`rollback`.catch(() => {});
        await deleter`rollback`.catch(() => {});
        job.release();
        deleter.release();
        // its owner is deleted after the file, and an owner's account cannot go before the group
        if (group) await pool`delete from social.groups where id = ${group}`;
      }
      const [n] = await pool<{ counter: number; unread: number }[]>`
        select coalesce((select unread_count from social.notification_counters where user_id = ${author}), 0) as counter,
               (select count(*)::int from social.notifications where recipient_id = ${author} and read_at is null) as unread`;
      expect(n!.counter).toBe(n!.unread);
    }, 30_000);
  }
});
