/**
 * Gamification, activities: who records which activities (users for themselves, the host app's
 * backend for anyone, Supasocial's own triggers), idempotent retries, immutability, the
 * activities Supasocial records itself, the rate limit, paging, and who reads or writes the
 * gamification tables (the owner reads theirs; nobody writes another's activities, points or
 * badges; the catalogs are read-only to users).
 */
import { describe, expect, it } from "vitest";
import { badgeCodes, balance, record, recordAsService, setUser, stats } from "../fixtures/gamification.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";

async function activityCount(db: TestDb, user: string, kind?: string): Promise<number> {
  await db.asSuperuser();
  const [row] = await db.q<{ n: number }[]>`
    select count(*)::int as n from social.activities where user_id = ${user} and (${kind ?? null}::text is null or kind = ${kind ?? null})`;
  return row!.n;
}

describe("activities: who records what", () => {
  it("a user records their own activity of a reportable kind; its day is the day in their time zone", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await setUser(db, ana, { timezone: "Pacific/Kiritimati" }); // UTC+14: usually another day than UTC
      const row = await record(db, ana, "workout_completed", { payload: { minutes: 45 }, value: 5.2 });
      expect(row).toMatchObject({ user_id: ana, kind: "workout_completed", duplicate: false });
      const [expected] = await db.q<{ day: string }[]>`
        select (now() at time zone 'Pacific/Kiritimati')::date::text as day`;
      expect(row.local_day).toBe(expected!.day);
      const [mine] = await db.q<{ payload: unknown; value: string }[]>`
        select payload, value::text from social.activities where id = ${row.id}`;
      expect(mine).toEqual({ payload: { minutes: 45 }, value: "5.2" });
    });
  });

  it("a user may not record a backend-only kind, for someone else, in the future, over 30 days back, in a group they are not in, or junk; nothing is written", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      await db.as(ben);
      const [group] = await db.q<{ id: string }[]>`select id from social.create_group('Ben runs', 'club')`;
      await db.as(ana);
      const before = await activityCount(db, ana);
      await db.as(ana);
      expect(await refused(db, (tx) => tx`select social.record_activity('event_attended')`)).toEqual([
        "42501",
        "kind_not_reportable",
      ]);
      expect(
        await refused(
          db,
          (tx) => tx`select social.record_activity('workout_completed', null, null, null, null, null, ${ben})`,
        ),
      ).toEqual(["42501", "not_allowed"]);
      expect(
        await refused(
          db,
          (tx) => tx`insert into social.activities (user_id, kind) values (${ben}, 'workout_completed')`,
        ),
      ).toEqual(["42501", undefined]);
      expect(
        await refused(db, (tx) => tx`select social.record_activity('workout_completed', now() + interval '1 hour')`),
      ).toEqual(["22023", "invalid_occurred_at"]);
      expect(
        await refused(db, (tx) => tx`select social.record_activity('workout_completed', now() - interval '31 days')`),
      ).toEqual(["22023", "invalid_occurred_at"]);
      expect(
        await refused(
          db,
          (tx) => tx`select social.record_activity('workout_completed', null, null, null, ${group!.id})`,
        ),
      ).toEqual(["42501", "not_group_member"]);
      expect(await refused(db, (tx) => tx`select social.record_activity('teleported')`)).toEqual([
        "22023",
        "invalid_activity_kind",
      ]);
      expect(
        await refused(db, (tx) => tx`select social.record_activity('workout_completed', null, null, '[1, 2]'::jsonb)`),
      ).toEqual(["22023", "invalid_payload"]);
      expect(
        await refused(db, (tx) => tx`select social.record_activity('weight_logged', null, 'NaN'::numeric)`),
      ).toEqual(["22023", "invalid_value"]);
      expect(
        await refused(
          db,
          (tx) => tx`select social.record_activity('workout_completed', null, null, null, null, ${"k".repeat(201)})`,
        ),
      ).toEqual(["22023", "invalid_idempotency_key"]);
      expect(await activityCount(db, ana)).toBe(before);
      expect(await stats(db, ana, "workout_completed")).toBeUndefined();
    });
  });

  it("the host app's backend (service role) records any kind for any user at any date", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const row = await recordAsService(db, ana, "event_attended", { at: "2025-06-01T10:00:00Z", key: "evt-1" });
      expect(row).toMatchObject({ user_id: ana, kind: "event_attended", local_day: "2025-06-01", duplicate: false });
      await db.asService();
      const [seen] = await db.q<
        { n: number }[]
      >`select count(*)::int as n from social.activities where user_id = ${ana}`;
      expect(seen!.n).toBeGreaterThanOrEqual(1);
      expect(
        await refused(
          db,
          (tx) =>
            tx`select social.record_activity('event_attended', null, null, null, null, null, '00000000-0000-0000-0000-00000000abcd')`,
        ),
      ).toEqual(["PT404", "profile_not_found"]);
    });
  });

  it("anon neither reads nor writes activities, statistics, points or badges", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await recordAsService(db, ana, "workout_completed");
      await db.asAnon();
      for (const table of [
        "activities",
        "activity_stats",
        "point_ledger",
        "point_balances",
        "redemptions",
        "streak_frozen_days",
      ]) {
        const [code] = await refused(db, (tx) => tx.unsafe(`select count(*) from social.${table}`));
        expect(code, `anon reads ${table}`).toBe("42501");
      }
      expect(
        await refused(db, (tx) => tx`insert into social.activities (user_id, kind) values (${ana}, 'check_in')`),
      ).toEqual(["42501", undefined]);
      expect(await refused(db, (tx) => tx`select social.record_activity('check_in')`)).toEqual(["42501", undefined]);
    });
  });

  it("a stranger reads nothing of another user's activities, statistics, points and streaks, and writes none of them", async () => {
    await withDb(async (db) => {
      const [ana, stranger] = await db.createUsers(2);
      await record(db, ana, "workout_completed");
      await record(db, ana, "weight_logged", { value: 80 });
      await db.as(stranger);
      for (const table of ["activities", "activity_stats", "point_ledger", "point_balances", "streak_frozen_days"]) {
        const rows = await db.q.unsafe(`select count(*)::int as n from social.${table} where user_id = $1`, [ana]);
        expect(rows[0]!.n, `stranger reads ${table}`).toBe(0);
      }
      const writes: [string, string][] = [
        [
          "activity_stats",
          `insert into social.activity_stats (user_id, kind, activity_count) values ('${ana}', 'check_in', 99)`,
        ],
        [
          "point_ledger",
          `insert into social.point_ledger (user_id, delta, reason) values ('${ana}', 1000, 'adjustment')`,
        ],
        ["point_balances", `update social.point_balances set balance = 0 where user_id = '${ana}'`],
        [
          "user_badges",
          `insert into social.user_badges (user_id, badge_id) select '${ana}', id from social.badges limit 1`,
        ],
        ["activities", `update social.activities set value = 1 where user_id = '${ana}'`],
        ["activities", `delete from social.activities where user_id = '${ana}'`],
      ];
      for (const [table, statement] of writes) {
        const result = await db.attempt((tx) => tx.unsafe(statement));
        const changed = result.ok ? result.value.count : 0;
        expect(result.ok ? "no error" : result.error.code, `stranger writes ${table}`).toBe("42501");
        expect(changed).toBe(0);
      }
      // the owner cannot write their own derived rows either
      await db.as(ana);
      for (const statement of [
        `update social.point_balances set balance = 1000000 where user_id = '${ana}'`,
        `insert into social.point_ledger (user_id, delta, reason) values ('${ana}', 1000, 'adjustment')`,
        `update social.activity_stats set activity_count = 100 where user_id = '${ana}'`,
        `insert into social.user_badges (user_id, badge_id) select '${ana}', id from social.badges where code = 'workouts_100'`,
        `update social.activities set value = 60 where user_id = '${ana}'`,
      ]) {
        const [code] = await refused(db, (tx) => tx.unsafe(statement));
        expect(code, statement).toBe("42501");
      }
      expect((await balance(db, ana)).balance).toBe(17); // 10 + 2 + first_workout's 5
    });
  });

  it("the catalogs are read by everyone and written by nobody but the service role", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await db.asAnon();
      const kinds = await db.q<{ code: string }[]>`select code from social.activity_kinds order by code`;
      expect(kinds.map((k) => k.code)).toEqual(
        expect.arrayContaining([
          "workout_completed",
          "nutrition_logged",
          "weight_logged",
          "post_created",
          "group_joined",
        ]),
      );
      const [badges] = await db.q<{ n: number }[]>`select count(*)::int as n from social.badges`;
      expect(badges!.n).toBeGreaterThanOrEqual(20);
      for (const who of ["anon", "user"] as const) {
        if (who === "anon") await db.asAnon();
        else await db.as(ana);
        for (const statement of [
          "insert into social.activity_kinds (code, name) values ('cheat', 'Cheat')",
          "update social.point_rules set points = 1000",
          "insert into social.badges (code, name, criterion, activity_kind) values ('cheat', 'Cheat', 'first', 'check_in')",
          "update social.rewards set cost = 1",
        ]) {
          const [code] = await refused(db, (tx) => tx.unsafe(statement));
          expect(code, `${who}: ${statement}`).toBe("42501");
        }
      }
      await db.as(ana);
      const rewards = await db.q<{ code: string }[]>`select code from social.rewards order by code`;
      expect(rewards.map((r) => r.code)).toContain("workout_streak_freeze");
      await db.asService();
      await db.q`insert into social.activity_kinds (code, name, user_reportable) values ('yoga_flow', 'Yoga', true)`;
      expect((await record(db, ana, "yoga_flow")).kind).toBe("yoga_flow");
    });
  });
});

describe("activities: idempotency and immutability", () => {
  it("retrying with the same key changes nothing: the first activity comes back, counted and paid once", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const first = await record(db, ana, "workout_completed", { key: "watch-123", payload: { km: 5 } });
      const again = await record(db, ana, "workout_completed", { key: "watch-123", payload: { km: 50 } });
      expect(again).toMatchObject({ id: first.id, duplicate: true });
      expect(again.badges).toEqual(first.badges);
      await db.as(ana);
      const plain = await db.q`
        insert into social.activities (kind, idempotency_key) values ('workout_completed', 'watch-123')
        on conflict (user_id, kind, idempotency_key) do nothing returning id`;
      expect(plain).toHaveLength(0);
      expect(await activityCount(db, ana, "workout_completed")).toBe(1);
      expect((await stats(db, ana, "workout_completed"))?.activity_count).toBe(1);
      expect(await balance(db, ana)).toEqual({ balance: 15, earned: 15, spent: 0 }); // 10 + first_workout's 5
      // a plain insert that repeats a key without `on conflict` is a conflict, and changes nothing
      await db.as(ana);
      expect(
        await refused(
          db,
          (tx) => tx`insert into social.activities (kind, idempotency_key) values ('workout_completed', 'watch-123')`,
        ),
      ).toEqual(["23505", undefined]);
      // the key is per kind: the same key for another kind is another activity
      expect((await record(db, ana, "nutrition_logged", { key: "watch-123" })).duplicate).toBe(false);
    });
  });

  it("activities are never changed; the service role deletes them and the statistics follow", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const a = await recordAsService(db, ana, "weight_logged", { at: "2026-01-01T08:00:00Z", value: 90 });
      await recordAsService(db, ana, "weight_logged", { at: "2026-02-01T08:00:00Z", value: 85 });
      expect(await stats(db, ana, "weight_logged")).toMatchObject({
        activity_count: 2,
        first_value: "90",
        min_value: "85",
      });
      await db.asService();
      expect(await refused(db, (tx) => tx`update social.activities set value = 70 where id = ${a.id}`)).toEqual([
        "42501",
        "immutable_activity",
      ]);
      await db.q`delete from social.activities where id = ${a.id}`;
      expect(await stats(db, ana, "weight_logged")).toMatchObject({
        activity_count: 1,
        first_value: "85",
        min_value: "85",
        latest_value: "85",
      });
      // the badges and points it helped earn stay (the ledger is append-only)
      expect(await badgeCodes(db, ana)).toEqual(["weight_down_1", "weight_down_5"]);
      expect((await balance(db, ana)).earned).toBe(2 + 2 + 10 + 50);
    });
  });

  it("deleting a group keeps the activities recorded in it", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await db.as(ana);
      const [group] = await db.q<{ id: string }[]>`select id from social.create_group('Ana lifts', 'club')`;
      const row = await record(db, ana, "workout_completed", { group: group!.id });
      await db.as(ana);
      await db.q`delete from social.groups where id = ${group!.id}`;
      await db.asSuperuser();
      const [kept] = await db.q<
        { group_id: string | null }[]
      >`select group_id from social.activities where id = ${row.id}`;
      expect(kept).toEqual({ group_id: null });
    });
  });
});

describe("activities Supasocial records", () => {
  it("a post, a comment, a reaction (once per post and kind), a join (once per group) and a popular post", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      await db.as(ana);
      const [post] = await db.q<
        { id: string }[]
      >`insert into social.posts (body) values ('Long run today') returning id`;
      await db.q`insert into social.posts (kind, body, data) values ('activity', 'Workout completed', '{}')`;
      const [group] = await db.q<{ id: string }[]>`select id from social.create_group('Ana runs', 'club')`;
      await db.as(ben);
      await db.q`insert into social.comments (post_id, body) values (${post!.id}, 'Nice')`;
      await db.q`select social.react(${post!.id}, 'fire')`;
      await db.q`select social.unreact(${post!.id}, 'fire')`;
      await db.q`select social.react(${post!.id}, 'fire')`;
      await db.q`select social.join_group(${group!.id})`;
      await db.q`select social.leave_group(${group!.id})`;
      await db.q`select social.join_group(${group!.id})`;
      await db.settle(); // comment_created and reaction_given, as the deferred-effects job records them

      expect(await activityCount(db, ana, "post_created")).toBe(1); // the automatic activity post is not counted
      expect(await activityCount(db, ana, "group_joined")).toBe(1); // the owner joins their own group
      expect(await activityCount(db, ben, "comment_created")).toBe(1);
      expect(await activityCount(db, ben, "reaction_given")).toBe(1);
      expect(await activityCount(db, ben, "group_joined")).toBe(1);
      expect(await activityCount(db, ana, "post_popular")).toBe(0);

      // ten reactions make the post popular, once
      const fans = await db.createUsers(5);
      for (const fan of fans) {
        await db.as(fan);
        await db.q`select social.react(${post!.id}, 'like')`;
        await db.q`select social.react(${post!.id}, 'love')`;
      }
      expect(await activityCount(db, ana, "post_popular")).toBe(1);
      await db.as(ben);
      await db.q`select social.react(${post!.id}, 'strong')`;
      expect(await activityCount(db, ana, "post_popular")).toBe(1);
      expect(await badgeCodes(db, ana)).toEqual(expect.arrayContaining(["club_joined", "first_post", "popular_post"]));
    });
  });

  it("reacting fast is limited by the reaction limit, never by the activity limit", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      // 12 posts by ana (written as the table owner: no post rate limit in the way)
      await db.asSuperuser();
      const posts = await db.q<{ id: string }[]>`
        insert into social.posts (author_id, body) select ${ana}, 'post ' || g from generate_series(1, 12) g
        returning id`;
      // 72 reactions by ben within a minute: above the 60 activities a user may record, below the
      // 120 reactions; each records its reaction_given activity
      await db.as(ben);
      for (const p of posts) {
        for (const kind of ["like", "love", "celebrate", "strong", "fire", "laugh"]) {
          await db.q`select social.react(${p.id}, ${kind})`;
        }
      }
      await db.settle();
      expect(await activityCount(db, ben, "reaction_given")).toBe(72);
    });
  });
});

describe("activities: rate limit and paging", () => {
  it("a user records at most 60 activities a minute (rate_limited, nothing written); the service role is not limited", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await db.as(ana);
      for (let i = 0; i < 60; i++) await db.q`select social.record_activity('check_in')`;
      expect(await refused(db, (tx) => tx`select social.record_activity('check_in')`)).toEqual([
        "PT429",
        "rate_limited",
      ]);
      expect(await activityCount(db, ana, "check_in")).toBe(60);
      for (let i = 0; i < 5; i++) await recordAsService(db, ana, "check_in");
      expect(await activityCount(db, ana, "check_in")).toBe(65);
    });
  });

  it("my activities page latest first with the server's cursor, optionally of one kind, and only mine", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      for (let d = 0; d < 5; d++)
        await recordAsService(db, ana, "workout_completed", { at: `2026-03-0${d + 1}T10:00:00Z` });
      await recordAsService(db, ana, "nutrition_logged", { at: "2026-03-03T12:00:00Z" });
      await recordAsService(db, ben, "workout_completed", { at: "2026-03-04T12:00:00Z" });
      await db.as(ana);
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 5; page++) {
        const rows: { local_day: string; next_cursor: string | null }[] = await db.q`
          select local_day::text, next_cursor from social.my_activities('workout_completed', ${cursor}, 2)`;
        seen.push(...rows.map((r) => r.local_day));
        cursor = rows[0]?.next_cursor ?? null;
        if (!cursor) break;
      }
      expect(seen).toEqual(["2026-03-05", "2026-03-04", "2026-03-03", "2026-03-02", "2026-03-01"]);
      const all = await db.q<{ kind: string }[]>`select kind from social.my_activities(null, null, 50)`;
      expect(all).toHaveLength(6);
      expect(await refused(db, (tx) => tx`select * from social.my_activities(null, 'junk')`)).toEqual([
        "22023",
        "invalid_cursor",
      ]);
    });
  });
});
