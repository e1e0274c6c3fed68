/**
 * Gamification, badges: every criterion type (count, count per period, per group and in a given
 * group, streak, metric down, up and reached, first, all of), idempotent awards, only listening
 * and active definitions, what an award does (bonus points, notification, Realtime toast,
 * milestone post; automatic activity posts), backfill, progress, who sees a user's badges, and
 * what an admin may define.
 */
import { describe, expect, it } from "vitest";
import { badgeCodes, balance, onlyBadges, record, recordAsService, setUser } from "../fixtures/gamification.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";

const W = "workout_completed";

async function days(db: TestDb, user: string, kind: string, list: string[], opts: { group?: string } = {}) {
  for (const d of list) await recordAsService(db, user, kind, { at: `${d}T12:00:00Z`, group: opts.group });
}

/** A badge defined by the service role (as an admin in Studio would); returns its id. */
async function defineBadge(db: TestDb, values: Record<string, unknown>): Promise<string> {
  await db.asService();
  const columns = Object.keys(values);
  const [row] = await db.q<{ id: string }[]>`
    insert into social.badges ${db.q(values as never, columns as never)} returning id`;
  return row!.id;
}

async function group(db: TestDb, owner: string, members: string[] = []): Promise<string> {
  await db.as(owner);
  const [g] = await db.q<{ id: string }[]>`select id from social.create_group(${`G ${owner.slice(0, 6)}`}, 'club')`;
  for (const m of members) {
    await db.as(m);
    await db.q`select social.join_group(${g!.id})`;
  }
  return g!.id;
}

describe("badges: every criterion", () => {
  it("count: the 10th workout earns workouts_10, not the 9th", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await onlyBadges(db, ["workouts_10"]);
      for (let i = 0; i < 9; i++) await recordAsService(db, ana, W, { at: `2026-02-${10 + i}T12:00:00Z` });
      expect(await badgeCodes(db, ana)).toEqual([]);
      const tenth = await recordAsService(db, ana, W, { at: "2026-02-25T12:00:00Z" });
      expect(tenth.badges.map((b) => b.code)).toEqual(["workouts_10"]);
      expect(await badgeCodes(db, ana)).toEqual(["workouts_10"]);
    });
  });

  it("count within a period: five workouts in one week of the user's calendar, not across two", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      await onlyBadges(db, ["weekly_warrior"]);
      // 2026-03-02 is a Monday
      await days(db, ana, W, ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]);
      await days(db, ana, W, ["2026-03-09"]);
      expect(await badgeCodes(db, ana)).toEqual([]);
      await days(db, ana, W, ["2026-03-08"]); // Sunday: the 5th of the first week, though recorded late
      expect(await badgeCodes(db, ana)).toEqual(["weekly_warrior"]);
      // Sunday 23:30 UTC is Monday in Tokyo: for ben the five fall into two weeks
      await setUser(db, ben, { timezone: "Asia/Tokyo" });
      await days(db, ben, W, ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]);
      await recordAsService(db, ben, W, { at: "2026-03-08T23:30:00Z" });
      expect(await badgeCodes(db, ben)).toEqual([]);
    });
  });

  it("count within one group (any group), and within a given group", async () => {
    await withDb(async (db) => {
      const [ana, owner] = await db.createUsers(2);
      await onlyBadges(db, ["group_regular"]);
      const [g1, g2] = [await group(db, owner, [ana]), await group(db, owner, [ana])];
      const g1Badge = await defineBadge(db, {
        code: "g1_three",
        name: "Three in G1",
        criterion: "count",
        activity_kind: W,
        threshold: 3,
        group_id: g1,
      });
      await db.as(ana);
      for (let i = 0; i < 9; i++) {
        await db.q`insert into social.posts (group_id, body, visibility) values (${i % 2 ? g1 : g2}, ${`post ${i}`}, 'group')`;
      }
      expect(await badgeCodes(db, ana)).toEqual([]); // 9 posts, but in two groups
      await db.asSuperuser();
      await db.q`delete from social_private.rate_limit_counters where user_id = ${ana}`;
      await db.as(ana);
      for (let i = 0; i < 6; i++) {
        await db.q`insert into social.posts (group_id, body, visibility) values (${g2}, ${`more ${i}`}, 'group')`;
      }
      expect(await badgeCodes(db, ana)).toEqual(["group_regular"]); // the 10th in g2
      // the group's own badge counts only its workouts
      await recordAsService(db, ana, W, { group: g2 });
      await recordAsService(db, ana, W, { group: g2 });
      await recordAsService(db, ana, W, { group: g1 });
      await recordAsService(db, ana, W, { group: g1 });
      await recordAsService(db, ana, W);
      expect(await badgeCodes(db, ana)).toEqual(["group_regular"]);
      const earned = await recordAsService(db, ana, W, { group: g1 });
      expect(earned.badges.map((b) => b.code)).toEqual(["g1_three"]);
      await db.asSuperuser();
      const [award] = await db.q<{ group_id: string }[]>`
        select group_id from social.user_badges where user_id = ${ana} and badge_id = ${g1Badge}`;
      expect(award).toEqual({ group_id: g1 });
    });
  });

  it("streak: three days in a row, also when a back-dated day completes them", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      await onlyBadges(db, ["streak_3", "streak_7"]);
      await days(db, ana, W, ["2026-03-01", "2026-03-02"]);
      expect(await badgeCodes(db, ana)).toEqual([]);
      await days(db, ana, W, ["2026-03-03"]);
      expect(await badgeCodes(db, ana)).toEqual(["streak_3"]);
      await days(db, ben, W, ["2026-03-01", "2026-03-03"]);
      expect(await badgeCodes(db, ben)).toEqual([]);
      await days(db, ben, W, ["2026-03-02"]);
      expect(await badgeCodes(db, ben)).toEqual(["streak_3"]);
    });
  });

  it("metric: a weight moving down by 1 and 5 from the first weigh-in; a value going up by or reaching a threshold", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await onlyBadges(db, ["weight_down_1", "weight_down_5"]);
      await defineBadge(db, {
        code: "bench_up_10",
        name: "+10 kg bench",
        criterion: "metric",
        activity_kind: "weight_logged",
        threshold: 10,
        direction: "increase",
      });
      await defineBadge(db, {
        code: "run_10k",
        name: "10 km run",
        criterion: "metric",
        activity_kind: W,
        threshold: 10,
        direction: "reach",
      });
      await recordAsService(db, ana, "weight_logged", { at: "2026-01-01T08:00:00Z", value: 90 });
      await recordAsService(db, ana, "weight_logged", { at: "2026-01-08T08:00:00Z", value: 89.5 });
      expect(await badgeCodes(db, ana)).toEqual([]);
      await recordAsService(db, ana, "weight_logged", { at: "2026-01-15T08:00:00Z", value: 88.9 });
      expect(await badgeCodes(db, ana)).toEqual(["weight_down_1"]);
      await recordAsService(db, ana, "weight_logged", { at: "2026-02-15T08:00:00Z", value: 84.9 });
      expect(await badgeCodes(db, ana)).toEqual(["weight_down_1", "weight_down_5"]);
      await recordAsService(db, ana, "weight_logged", { at: "2026-03-15T08:00:00Z", value: 100 });
      expect(await badgeCodes(db, ana)).toEqual(["bench_up_10", "weight_down_1", "weight_down_5"]);
      await recordAsService(db, ana, W, { value: 9.9 });
      expect(await badgeCodes(db, ana)).not.toContain("run_10k");
      await recordAsService(db, ana, W, { value: 10 });
      expect(await badgeCodes(db, ana)).toContain("run_10k");
    });
  });

  it("first: the first post; all of: Trailblazer once the first post, workout and club are all earned, in any order", async () => {
    await withDb(async (db) => {
      const [ana, owner] = await db.createUsers(2);
      await onlyBadges(db, ["first_post", "first_workout", "club_joined", "trailblazer"]);
      await db.as(ana);
      await db.q`insert into social.posts (body) values ('hello')`;
      expect(await badgeCodes(db, ana)).toEqual(["first_post"]);
      const g = await group(db, owner);
      await db.as(ana);
      await db.q`select social.join_group(${g})`;
      expect(await badgeCodes(db, ana)).toEqual(["club_joined", "first_post"]);
      const workout = await record(db, ana, W);
      expect(workout.badges.map((b) => b.code).sort()).toEqual(["first_workout", "trailblazer"]);
      expect(await badgeCodes(db, ana)).toEqual(["club_joined", "first_post", "first_workout", "trailblazer"]);
    });
  });
});

describe("badges: awarding", () => {
  it("a badge is awarded once: further activities add no award, no notification and no points", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await onlyBadges(db, ["first_workout"]);
      await recordAsService(db, ana, W);
      const after = await balance(db, ana);
      await recordAsService(db, ana, W);
      await recordAsService(db, ana, W);
      await db.asSuperuser();
      const [row] = await db.q<{ awards: number; notes: number; bonus: number }[]>`
        select (select count(*)::int from social.user_badges where user_id = ${ana}) as awards,
               (select count(*)::int from social.notifications where recipient_id = ${ana} and kind = 'badge_earned') as notes,
               (select count(*)::int from social.point_ledger where user_id = ${ana} and reason = 'badge') as bonus`;
      expect(row).toEqual({ awards: 1, notes: 1, bonus: 1 });
      expect((await balance(db, ana)).earned).toBe(after.earned + 20);
    });
  });

  it("only active definitions that listen to the activity's kind are awarded", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await onlyBadges(db, ["first_workout", "nutrition_streak_7"]);
      await db.asService();
      await db.q`update social.badges set active = false where code = 'first_workout'`;
      await defineBadge(db, {
        code: "first_meal",
        name: "First meal",
        criterion: "first",
        activity_kind: "nutrition_logged",
      });
      await recordAsService(db, ana, W);
      expect(await badgeCodes(db, ana)).toEqual([]);
      await recordAsService(db, ana, "nutrition_logged");
      expect(await badgeCodes(db, ana)).toEqual(["first_meal"]);
    });
  });

  it("an award brings its bonus points, a badge_earned notification and a Realtime toast on user:<id>", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await onlyBadges(db, ["first_workout"]);
      const activity = await record(db, ana, W);
      await db.asSuperuser();
      const notes = await db.q<
        { subject_id: string; actor_count: number; data: { badge: { code: string; tier: string } } }[]
      >`
        select subject_id, actor_count, data from social.notifications where recipient_id = ${ana} and kind = 'badge_earned'`;
      expect(notes).toHaveLength(1);
      expect(notes[0]!.data.badge).toMatchObject({ code: "first_workout", tier: "bronze", name: "First workout" });
      const toasts = await db.q<{ private: boolean; payload: { badge: { code: string }; activity_id: string } }[]>`
        select private, payload from realtime.messages where topic = ${`user:${ana}`} and event = 'badge_earned'`;
      expect(toasts).toEqual([
        {
          private: true,
          payload: expect.objectContaining({
            badge: expect.objectContaining({ code: "first_workout" }),
            activity_id: activity.id,
          }),
        },
      ]);
      const ledger = await db.q<{ delta: number; reason: string }[]>`
        select delta, reason::text from social.point_ledger where user_id = ${ana} order by id`;
      expect(ledger).toEqual([
        { delta: 5, reason: "badge" },
        { delta: 10, reason: "activity" },
      ]);
      // only ana receives her toast (RLS on realtime.messages)
      const stranger = await db.createUser();
      for (const [who, n] of [
        [ana, 1],
        [stranger, 0],
      ] as const) {
        await db.as(who);
        await db.q`select set_config('realtime.topic', ${`user:${ana}`}, true)`;
        const [seen] = await db.q<{ n: number }[]>`
          select count(*)::int as n from realtime.messages where event = 'badge_earned'`;
        expect(seen!.n, who === ana ? "ana" : "stranger").toBe(n);
      }
    });
  });

  it("a milestone post only when the user's settings allow it, in the group of the activity that earned it", async () => {
    await withDb(async (db) => {
      const [ana, ben, owner] = await db.createUsers(3);
      await onlyBadges(db, ["first_workout"]);
      const g = await group(db, owner, [ben]);
      await setUser(db, ben, { settings: { gamification: { milestone_posts: true } } });
      await recordAsService(db, ana, W);
      await recordAsService(db, ben, W, { group: g });
      await db.asSuperuser();
      const posts = await db.q<
        { author_id: string; kind: string; group_id: string | null; visibility: string; ref_type: string }[]
      >`
        select author_id, kind::text, group_id, visibility::text, ref_type from social.posts
        where author_id in (${ana}, ${ben}) and kind = 'milestone'`;
      expect(posts).toEqual([
        { author_id: ben, kind: "milestone", group_id: g, visibility: "group", ref_type: "badge" },
      ]);
    });
  });

  it("an activity of an auto-posting kind becomes a post when the user's settings allow it; over the post limit the post is skipped, not the activity", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      await onlyBadges(db, []);
      await setUser(db, ana, { settings: { gamification: { activity_posts: true, post_visibility: "public" } } });
      await record(db, ana, W, { payload: { km: 5 } });
      await record(db, ben, W);
      await record(db, ana, "nutrition_logged"); // not an auto-posting kind
      await db.asSuperuser();
      const posts = await db.q<
        { author_id: string; body: string; visibility: string; data: { activity: { kind: string } } }[]
      >`
        select author_id, body, visibility::text, data from social.posts where kind = 'activity' and author_id in (${ana}, ${ben})`;
      expect(posts).toEqual([
        {
          author_id: ana,
          body: "Workout completed",
          visibility: "public",
          data: { activity: expect.objectContaining({ kind: W, payload: { km: 5 } }) },
        },
      ]);
      // ana writes 10 posts (the limit per minute); her next workout is recorded without a post
      await db.as(ana);
      for (let i = 1; i < 10; i++) await db.q`insert into social.posts (body) values (${`p${i}`})`;
      const next = await record(db, ana, W);
      expect(next.duplicate).toBe(false);
      await db.asSuperuser();
      const [n] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.posts where kind = 'activity' and author_id = ${ana}`;
      expect(n!.n).toBe(1);
    });
  });

  it("an admin grants a badge by inserting a row: points, notification and toast follow; users cannot", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await db.as(ana);
      expect(
        (
          await refused(
            db,
            (tx) =>
              tx`insert into social.user_badges (user_id, badge_id) select ${ana}, id from social.badges where code = 'workouts_100'`,
          )
        )[0],
      ).toBe("42501");
      await db.asService();
      await db.q`insert into social.user_badges (user_id, badge_id) select ${ana}, id from social.badges where code = 'workouts_100'`;
      expect(await badgeCodes(db, ana)).toEqual(["workouts_100"]);
      expect((await balance(db, ana)).earned).toBe(100);
      await db.asSuperuser();
      const [n] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.notifications where recipient_id = ${ana} and kind = 'badge_earned'`;
      expect(n!.n).toBe(1);
    });
  });
});

describe("badges: definitions changed and awards removed, without a backfill", () => {
  it("a badge added, or its threshold lowered, is earned with the user's next activity of its kind", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await onlyBadges(db, []);
      for (let i = 1; i <= 3; i++) await recordAsService(db, ana, W, { at: `2026-03-0${i}T12:00:00Z` });
      await defineBadge(db, { code: "later_three", name: "Three", criterion: "count", activity_kind: W, threshold: 3 });
      await defineBadge(db, { code: "later_ten", name: "Ten", criterion: "count", activity_kind: W, threshold: 10 });
      expect(await badgeCodes(db, ana)).toEqual([]); // nothing ran for ana yet
      await recordAsService(db, ana, W, { at: "2026-03-04T12:00:00Z" });
      expect(await badgeCodes(db, ana)).toEqual(["later_three"]);
      await recordAsService(db, ana, W, { at: "2026-03-05T12:00:00Z" });
      expect(await badgeCodes(db, ana)).toEqual(["later_three"]);
      await db.asService();
      await db.q`update social.badges set threshold = 6 where code = 'later_ten'`;
      await recordAsService(db, ana, W, { at: "2026-03-06T12:00:00Z" });
      expect(await badgeCodes(db, ana)).toEqual(["later_ten", "later_three"]);
    });
  });

  it("an award taken back is earned again by the next qualifying activity; a retired badge is not", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await onlyBadges(db, ["first_workout", "workouts_10"]);
      await recordAsService(db, ana, W, { at: "2026-03-01T12:00:00Z" });
      expect(await badgeCodes(db, ana)).toEqual(["first_workout"]);
      await db.asService();
      await db.q`delete from social.user_badges where user_id = ${ana}`;
      expect(await badgeCodes(db, ana)).toEqual([]);
      await recordAsService(db, ana, W, { at: "2026-03-02T12:00:00Z" });
      expect(await badgeCodes(db, ana)).toEqual(["first_workout"]);
      await db.asService();
      await db.q`delete from social.user_badges where user_id = ${ana}`;
      await db.q`update social.badges set active = false where code = 'first_workout'`;
      await recordAsService(db, ana, W, { at: "2026-03-03T12:00:00Z" });
      expect(await badgeCodes(db, ana)).toEqual([]);
    });
  });

  it("a badge granted before any activity of its kind is not awarded again by the first one", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await onlyBadges(db, ["first_workout"]);
      await db.asService();
      await db.q`insert into social.user_badges (user_id, badge_id) select ${ana}, id from social.badges where code = 'first_workout'`;
      const first = await recordAsService(db, ana, W);
      expect(first.badges).toEqual([]);
      await recordAsService(db, ana, W);
      await db.asSuperuser();
      const [row] = await db.q<{ awards: number; notes: number }[]>`
        select (select count(*)::int from social.user_badges where user_id = ${ana}) as awards,
               (select count(*)::int from social.notifications where recipient_id = ${ana} and kind = 'badge_earned') as notes`;
      expect(row).toEqual({ awards: 1, notes: 1 });
    });
  });
});

describe("badges: backfill", () => {
  it("a badge added later is awarded to everyone who already qualifies, quietly, with its points", async () => {
    await withDb(async (db) => {
      const [ana, ben, cleo] = await db.createUsers(3);
      await onlyBadges(db, []);
      // kinds of this test's own, so that only its users have such activities
      await db.asService();
      await db.q`
        insert into social.activity_kinds (code, name, tracks_streak) values ('bf_lift', 'Lift', true), ('bf_scale', 'Scale', false)`;
      for (let i = 0; i < 3; i++) await recordAsService(db, ana, "bf_lift", { at: `2026-03-0${i + 1}T12:00:00Z` });
      await recordAsService(db, ben, "bf_lift", { at: "2026-03-01T12:00:00Z" });
      await recordAsService(db, cleo, "bf_scale", { at: "2026-03-01T12:00:00Z", value: 70 });
      await recordAsService(db, cleo, "bf_scale", { at: "2026-03-09T12:00:00Z", value: 67 });
      const defs = [
        { code: "three_lifts", name: "Three", criterion: "count", activity_kind: "bf_lift", threshold: 3, points: 7 },
        { code: "three_in_a_row", name: "Row", criterion: "streak", activity_kind: "bf_lift", threshold: 3 },
        {
          code: "three_in_a_week",
          name: "Week",
          criterion: "count",
          activity_kind: "bf_lift",
          threshold: 3,
          period: "week",
        },
        {
          code: "down_3",
          name: "Down 3",
          criterion: "metric",
          activity_kind: "bf_scale",
          threshold: 3,
          direction: "decrease",
        },
        { code: "any_lift", name: "Any", criterion: "first", activity_kind: "bf_lift" },
      ];
      const awarded: Record<string, number> = {};
      for (const def of defs) {
        await defineBadge(db, def);
        await db.asService();
        const [row] = await db.q<{ n: number }[]>`select social.backfill_badge(${def.code}) as n`;
        awarded[def.code] = row!.n;
      }
      // 2026-03-01 is a Sunday: ana's three days fall into two weeks
      expect(awarded).toEqual({ three_lifts: 1, three_in_a_row: 1, three_in_a_week: 0, down_3: 1, any_lift: 2 });
      expect(await badgeCodes(db, ana)).toEqual(["any_lift", "three_in_a_row", "three_lifts"]);
      expect(await badgeCodes(db, ben)).toEqual(["any_lift"]);
      expect(await badgeCodes(db, cleo)).toEqual(["down_3"]);
      expect((await balance(db, ana)).earned).toBe(7); // the kinds have no point rule: the bonus only
      await db.asSuperuser();
      const [quiet] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.notifications where recipient_id in (${ana}, ${ben}, ${cleo}) and kind = 'badge_earned'`;
      expect(quiet!.n).toBe(0);
      // running it again awards nothing more
      await db.asService();
      const [again] = await db.q<{ n: number }[]>`select social.backfill_badge('any_lift') as n`;
      expect(again!.n).toBe(0);
    });
  });

  it("backfill covers per-group and all-of badges, notifies when asked, and is for the service role only", async () => {
    await withDb(async (db) => {
      const [ana, owner] = await db.createUsers(2);
      await onlyBadges(db, []);
      const g = await group(db, owner, [ana]);
      for (let i = 0; i < 2; i++) await recordAsService(db, ana, W, { group: g });
      await defineBadge(db, {
        code: "two_here",
        name: "Two",
        criterion: "count",
        activity_kind: W,
        threshold: 2,
        per_group: true,
      });
      await defineBadge(db, { code: "joined_here", name: "Joined", criterion: "first", activity_kind: "group_joined" });
      await defineBadge(db, {
        code: "both",
        name: "Both",
        criterion: "all_of",
        required_badges: ["two_here", "joined_here"],
      });
      await db.as(ana);
      expect((await refused(db, (tx) => tx`select social.backfill_badge('two_here')`))[0]).toBe("42501");
      await db.asService();
      await db.q`select social.backfill_badge('two_here', true)`;
      await db.q`select social.backfill_badge('joined_here', true)`;
      expect(await badgeCodes(db, ana)).toEqual(["both", "joined_here", "two_here"]);
      await db.asSuperuser();
      const notes = await db.q<{ code: string }[]>`
        select data #>> '{badge,code}' as code from social.notifications
        where recipient_id = ${ana} and kind = 'badge_earned' order by code`;
      expect(notes.map((n) => n.code)).toEqual(["both", "joined_here", "two_here"]);
      expect(await refused(db, (tx) => tx`select social.backfill_badge('nope')`)).toEqual(["PT404", "badge_not_found"]);
    });
  });
});

describe("badges: progress and who sees them", () => {
  it("progress toward each badge: 7 of 10 workouts, a live streak, kilos lost, badges of a set", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      for (let d = 7; d >= 1; d--) await recordAsService(db, ana, W, { at: new Date(Date.now() - d * 86_400_000) });
      await recordAsService(db, ana, "weight_logged", { at: "2026-01-01T08:00:00Z", value: 90 });
      await recordAsService(db, ana, "weight_logged", { at: "2026-02-01T08:00:00Z", value: 87.5 });
      await db.as(ana);
      const rows = await db.q<{ code: string; progress: string; target: string; earned_at: Date | null }[]>`
        select code, progress::text, target::text, earned_at from social.my_badge_progress()`;
      const by = (code: string) => rows.find((r) => r.code === code)!;
      expect(by("workouts_10")).toMatchObject({ progress: "7", target: "10", earned_at: null });
      expect(by("first_workout")).toMatchObject({ progress: "1", target: "1" });
      expect(by("first_workout").earned_at).toBeInstanceOf(Date);
      expect(by("streak_7")).toMatchObject({ progress: "7", target: "7" });
      expect(by("streak_30")).toMatchObject({ progress: "7", target: "30", earned_at: null });
      expect(by("weight_down_5")).toMatchObject({ progress: "2.5", target: "5", earned_at: null });
      expect(by("trailblazer")).toMatchObject({ progress: "1", target: "3", earned_at: null });
      expect(by("event_enthusiast")).toMatchObject({ progress: "0", target: "10" });
    });
  });

  it("a user's badges are seen by whoever may see their profile details: never a stranger of a private profile, never across a block", async () => {
    await withDb(async (db) => {
      const [pub, priv, follower, stranger, blocked] = await db.createUsers(5);
      await setUser(db, priv, {});
      await db.asSuperuser();
      await db.q`update social.profiles set visibility = 'private' where id = ${priv}`;
      for (const user of [pub, priv]) await recordAsService(db, user, W);
      await db.as(follower);
      await db.q`select social.follow(${priv})`;
      await db.as(priv);
      await db.q`select social.accept_follow_request(${follower})`;
      await db.as(pub);
      await db.q`select social.block(${blocked})`;
      const cases: [string, string | null, string, number][] = [
        ["owner", priv, priv, 1],
        ["approved follower", follower, priv, 1],
        ["stranger", stranger, priv, 0],
        ["anon", null, priv, 0],
        ["stranger", stranger, pub, 1],
        ["anon", null, pub, 1],
        ["blocked", blocked, pub, 0],
      ];
      for (const [label, viewer, owner, n] of cases) {
        if (viewer) await db.as(viewer);
        else await db.asAnon();
        const [row] = await db.q<{ table: number; list: number; total: number }[]>`
          select (select count(*)::int from social.user_badges where user_id = ${owner}) as table,
                 (select count(*)::int from social.profile_badges(${owner})) as list,
                 (social.badge_summary(${owner}) ->> 'total')::int as total`;
        expect(row, `${label} looking at ${owner === pub ? "the public" : "the private"} profile`).toEqual({
          table: n,
          list: n,
          total: n,
        });
      }
      await db.as(stranger);
      const [summary] = await db.q<{ s: { by_tier: Record<string, number>; latest: { code: string }[] } }[]>`
        select social.badge_summary(${pub}) as s`;
      expect(summary!.s.by_tier).toEqual({ bronze: 1, silver: 0, gold: 0, platinum: 0 });
      expect(summary!.s.latest.map((b) => b.code)).toEqual(["first_workout"]);
    });
  });
});

describe("badges: definitions", () => {
  it("an admin's definition must say a complete criterion; users define nothing", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const bad: [Record<string, unknown>, string, string | undefined][] = [
        [{ code: "no_threshold", name: "x", criterion: "count", activity_kind: W }, "23514", undefined],
        [{ code: "no_kind", name: "x", criterion: "first" }, "23514", undefined],
        [
          { code: "no_direction", name: "x", criterion: "metric", activity_kind: "weight_logged", threshold: 2 },
          "23514",
          undefined,
        ],
        [
          { code: "period_streak", name: "x", criterion: "streak", activity_kind: W, threshold: 3, period: "week" },
          "23514",
          undefined,
        ],
        [
          { code: "streakless", name: "x", criterion: "streak", activity_kind: "weight_logged", threshold: 3 },
          "22023",
          "invalid_badge",
        ],
        [
          { code: "ghost_set", name: "x", criterion: "all_of", required_badges: ["first_post", "nope"] },
          "22023",
          "invalid_badge",
        ],
        [{ code: "Bad Code", name: "x", criterion: "first", activity_kind: W }, "23514", undefined],
        [{ code: "unknown_kind", name: "x", criterion: "first", activity_kind: "teleported" }, "23503", undefined],
      ];
      for (const [values, code, hint] of bad) {
        await db.asService();
        const columns = Object.keys(values);
        expect(
          await refused(db, (tx) => tx`insert into social.badges ${tx(values as never, columns as never)}`),
          String(values.code),
        ).toEqual([code, hint]);
      }
      await db.as(ana);
      expect(
        (
          await refused(
            db,
            (tx) =>
              tx`insert into social.badges (code, name, criterion, activity_kind) values ('mine', 'Mine', 'first', ${W})`,
          )
        )[0],
      ).toBe("42501");
    });
  });
});
