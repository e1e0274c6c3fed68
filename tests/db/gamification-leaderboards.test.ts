/**
 * Gamification, leaderboards: the opt-in rule, the group owner's switch and metric, fair ties,
 * keyset paging, my rank, periods in a stated time zone, every metric and scope, blocks, bad
 * input, and snapshots of finished periods.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { recordAsService, setUser } from "../fixtures/gamification.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";

const W = "workout_completed";
/** A Wednesday: its week runs from Monday 2026-03-02 to Monday 2026-03-09 (UTC). */
const AT = "2026-03-04T12:00:00Z";

interface Entry {
  rank: number;
  user_id: string;
  score: number;
  is_me: boolean;
  next_cursor: string | null;
}

interface Board {
  scope?: string;
  id?: string | null;
  period?: string;
  metric?: string | null;
  tz?: string | null;
  kind?: string | null;
  at?: string | null;
}

async function board(
  db: TestDb,
  viewer: string,
  b: Board = {},
  cursor: string | null = null,
  limit = 50,
): Promise<Entry[]> {
  await db.as(viewer);
  const rows = await db.q<Entry[]>`
    select rank::int, user_id, score::int, is_me, next_cursor
    from social.leaderboard(${b.scope ?? "global"}, ${b.id ?? null}, ${b.period ?? "week"}, ${b.metric ?? null},
                            ${b.tz ?? null}, ${b.kind ?? null}, ${b.at === undefined ? AT : b.at}, ${cursor}, ${limit})`;
  return rows;
}

async function myRank(db: TestDb, viewer: string, b: Board = {}) {
  await db.as(viewer);
  const [row] = await db.q<{ rank: number | null; score: number; ranked: number; opted_in: boolean }[]>`
    select rank::int, score::int, ranked, opted_in
    from social.my_leaderboard_rank(${b.scope ?? "global"}, ${b.id ?? null}, ${b.period ?? "week"}, ${b.metric ?? null},
                                    ${b.tz ?? null}, ${b.kind ?? null}, ${b.at === undefined ? AT : b.at})`;
  return row!;
}

/** Points for `user` at `at` (an admin adjustment counts as earned). */
async function points(db: TestDb, user: string, delta: number, at = AT): Promise<void> {
  await db.asService();
  await db.q`insert into social.point_ledger (user_id, delta, reason, occurred_at) values (${user}, ${delta}, 'adjustment', ${at})`;
}

/** Users in a city of their own (so other tests' users never share the board), opted in. */
async function cityUsers(
  db: TestDb,
  n: number,
  opts: { optIn?: boolean } = {},
): Promise<{ city: string; users: string[] }> {
  const city = `Testville ${randomUUID().slice(0, 8)}`;
  const users = await db.createUsers(n);
  for (const user of users) await setUser(db, user, { city, optIn: opts.optIn ?? true });
  return { city, users };
}

const ids = (entries: Entry[]) => entries.map((e) => e.user_id);
/** Order rows by their first (or second) cell as Postgres orders uuids (byte-wise). */
const byFirst = (a: unknown[], b: unknown[]) => (String(a[0]) < String(b[0]) ? -1 : 1);
const bySecond = (a: unknown[], b: unknown[]) => (String(a[1]) < String(b[1]) ? -1 : 1);

describe("leaderboards: who appears", () => {
  it("only users who opted in appear; opting out takes a user off; a viewer not opted in sees the board but has no rank", async () => {
    await withDb(async (db) => {
      const { city, users } = await cityUsers(db, 3);
      const [ana, ben, cleo] = users as [string, string, string];
      await setUser(db, cleo, { optIn: false });
      await points(db, ana, 30);
      await points(db, ben, 20);
      await points(db, cleo, 50);
      expect(ids(await board(db, cleo, { scope: "city", id: city }))).toEqual([ana, ben]);
      expect(await myRank(db, cleo, { scope: "city", id: city })).toEqual({
        rank: null,
        score: 0,
        ranked: 2,
        opted_in: false,
      });
      expect(await myRank(db, ben, { scope: "city", id: city })).toEqual({
        rank: 2,
        score: 20,
        ranked: 2,
        opted_in: true,
      });
      await db.as(ana);
      await db.q`select social.update_my_profile('{"leaderboard_opt_in": false}')`;
      expect(ids(await board(db, cleo, { scope: "city", id: city }))).toEqual([ben]);
      expect((await myRank(db, ben, { scope: "city", id: city })).rank).toBe(1);
    });
  });

  it("new profiles are not opted in: users opt in themselves", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await db.asSuperuser();
      const [row] = await db.q<
        { opt: boolean }[]
      >`select leaderboard_opt_in as opt from social.profiles where id = ${ana}`;
      expect(row!.opt).toBe(false);
    });
  });

  it("users with nothing in the period are not ranked", async () => {
    await withDb(async (db) => {
      const { city, users } = await cityUsers(db, 2);
      await points(db, users[0]!, 10);
      await points(db, users[1]!, 10, "2026-02-20T12:00:00Z"); // the week before
      expect(ids(await board(db, users[1]!, { scope: "city", id: city }))).toEqual([users[0]]);
      expect(await myRank(db, users[1]!, { scope: "city", id: city })).toMatchObject({ rank: null, ranked: 1 });
    });
  });

  it("a block hides each user from the other's board, both ways", async () => {
    await withDb(async (db) => {
      const { city, users } = await cityUsers(db, 3);
      const [ana, ben, cleo] = users as [string, string, string];
      for (const user of users) await points(db, user, 10);
      await db.as(ana);
      await db.q`select social.block(${ben})`;
      expect(ids(await board(db, ana, { scope: "city", id: city })).sort()).toEqual([ana, cleo].sort());
      expect(ids(await board(db, ben, { scope: "city", id: city })).sort()).toEqual([ben, cleo].sort());
      expect(ids(await board(db, cleo, { scope: "city", id: city }))).toHaveLength(3);
    });
  });
});

describe("leaderboards: ranking and paging", () => {
  it("equal scores share a rank (1, 2, 2, 4, 4, 6); my rank counts the users above me", async () => {
    await withDb(async (db) => {
      const { city, users } = await cityUsers(db, 6);
      const scores = [60, 40, 40, 20, 20, 10];
      for (const [i, user] of users.entries()) await points(db, user, scores[i]!);
      const entries = await board(db, users[0]!, { scope: "city", id: city });
      expect(entries.map((e) => [e.rank, e.score])).toEqual([
        [1, 60],
        [2, 40],
        [2, 40],
        [4, 20],
        [4, 20],
        [6, 10],
      ]);
      // within a score, by user id
      expect(ids(entries.slice(1, 3))).toEqual([users[1]!, users[2]!].sort());
      expect(entries.filter((e) => e.is_me).map((e) => e.user_id)).toEqual([users[0]]);
      for (const [i, user] of users.entries()) {
        expect((await myRank(db, user, { scope: "city", id: city })).rank, `user ${i}`).toBe([1, 2, 2, 4, 4, 6][i]);
      }
    });
  });

  it("pages of 2 walk the whole board in order, with no repeats and no gaps, and keep their ranks", async () => {
    await withDb(async (db) => {
      const { city, users } = await cityUsers(db, 7);
      const scores = [50, 40, 40, 40, 30, 20, 20];
      for (const [i, user] of users.entries()) await points(db, user, scores[i]!);
      const all = await board(db, users[0]!, { scope: "city", id: city });
      const walked: Entry[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const rows = await board(db, users[0]!, { scope: "city", id: city }, cursor, 2);
        walked.push(...rows);
        cursor = rows[0]?.next_cursor ?? null;
        if (!cursor) break;
      }
      expect(walked.map((e) => [e.rank, e.user_id, e.score])).toEqual(all.map((e) => [e.rank, e.user_id, e.score]));
      expect(walked).toHaveLength(7);
      expect(all.at(-1)!.next_cursor).toBeNull();
      await db.as(users[0]!);
      expect(
        await refused(
          db,
          (tx) =>
            tx`select * from social.leaderboard('city', ${city}, 'week', null, null, null, null, 'bm90LWEtY3Vyc29y')`,
        ),
      ).toEqual(["22023", "invalid_cursor"]);
    });
  });
});

describe("leaderboards: periods, metrics and scopes", () => {
  it("weeks start on Monday in the stated time zone", async () => {
    await withDb(async (db) => {
      const { city, users } = await cityUsers(db, 1);
      // Sunday 23:30 UTC is Monday 08:30 in Tokyo
      await points(db, users[0]!, 10, "2026-03-01T23:30:00Z");
      const utc = await board(db, users[0]!, { scope: "city", id: city });
      const tokyo = await board(db, users[0]!, { scope: "city", id: city, tz: "Asia/Tokyo" });
      expect(utc).toEqual([]);
      expect(tokyo.map((e) => e.score)).toEqual([10]);
      await db.as(users[0]!);
      const [bounds] = await db.q<{ period_start: Date; period_end: Date }[]>`
        select period_start, period_end from social.my_leaderboard_rank('city', ${city}, 'week', null, 'Asia/Tokyo', null, ${AT})`;
      expect(bounds!.period_start.toISOString()).toBe("2026-03-01T15:00:00.000Z");
      expect(bounds!.period_end.toISOString()).toBe("2026-03-08T15:00:00.000Z");
    });
  });

  it("points earned count (spending does not lower them); activities count, optionally of one kind; month and all time", async () => {
    await withDb(async (db) => {
      const { city, users } = await cityUsers(db, 2);
      const [ana, ben] = users as [string, string];
      await db.asSuperuser();
      await db.q`update social.badges set active = false`;
      for (const at of ["2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z", "2026-02-10T10:00:00Z"]) {
        await recordAsService(db, ana, W, { at });
      }
      await recordAsService(db, ben, "nutrition_logged", { at: "2026-03-03T10:00:00Z" });
      await recordAsService(db, ben, "nutrition_logged", { at: "2026-03-04T10:00:00Z" });
      await recordAsService(db, ben, "nutrition_logged", { at: "2026-03-05T10:00:00Z" });
      const scope = { scope: "city", id: city };
      const pairs = (entries: Entry[]) => entries.map((e) => [e.user_id, e.score]);
      expect(pairs(await board(db, ana, scope))).toEqual([
        [ana, 20],
        [ben, 15],
      ]);
      expect(pairs(await board(db, ana, { ...scope, metric: "activities" }))).toEqual([
        [ben, 3],
        [ana, 2],
      ]);
      expect(pairs(await board(db, ana, { ...scope, metric: "activities", kind: W }))).toEqual([[ana, 2]]);
      expect(pairs(await board(db, ana, { ...scope, period: "month" }))).toEqual([
        [ana, 20],
        [ben, 15],
      ]);
      expect(pairs(await board(db, ana, { ...scope, period: "all_time" }))).toEqual([
        [ana, 30],
        [ben, 15],
      ]);
      expect(pairs(await board(db, ana, { ...scope, period: "all_time", metric: "activities" }))).toEqual(
        [
          [ana, 3],
          [ben, 3],
        ].sort(byFirst),
      );
      // spending lowers the balance, not the rank
      await db.as(ana);
      await db.q`select social.redeem_reward((select id from social.rewards where code = 'check_in_streak_freeze'))`;
      expect(pairs(await board(db, ana, { ...scope, period: "all_time" }))).toEqual([
        [ana, 30],
        [ben, 15],
      ]);
    });
  });

  it("the streak metric ranks the live current streak, of one kind or the best of all", async () => {
    await withDb(async (db) => {
      const { city, users } = await cityUsers(db, 3);
      const [ana, ben, cleo] = users as [string, string, string];
      const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
      for (const d of [3, 2, 1]) await recordAsService(db, ana, W, { at: daysAgo(d) });
      for (const d of [2, 1, 0]) await recordAsService(db, ben, W, { at: daysAgo(d) });
      await recordAsService(db, ben, "nutrition_logged", { at: daysAgo(0) });
      for (const d of [6, 5, 4, 3, 2]) await recordAsService(db, cleo, "check_in", { at: daysAgo(d) }); // broken: 2 days ago
      const scope = { scope: "city", id: city, metric: "streak", at: null };
      expect((await board(db, ana, scope)).map((e) => [e.user_id, e.score])).toEqual(
        [
          [ana, 3],
          [ben, 3],
        ].sort(byFirst),
      );
      expect((await board(db, ana, { ...scope, kind: "nutrition_logged" })).map((e) => [e.user_id, e.score])).toEqual([
        [ben, 1],
      ]);
    });
  });

  it("city boards match the city case-insensitively; interest boards rank users with the interest", async () => {
    await withDb(async (db) => {
      const { city, users } = await cityUsers(db, 2);
      const [ana, ben] = users as [string, string];
      const other = await db.createUser();
      const interest = `climbing-${randomUUID().slice(0, 6)}`;
      await setUser(db, other, { city: "Elsewhere", optIn: true, interests: [interest] });
      await setUser(db, ana, { interests: ["running", interest] });
      for (const user of [ana, ben, other]) await points(db, user, 10);
      expect(ids(await board(db, other, { scope: "city", id: city.toUpperCase() })).sort()).toEqual([ana, ben].sort());
      expect(ids(await board(db, ben, { scope: "interest", id: interest })).sort()).toEqual([ana, other].sort());
    });
  });
});

describe("leaderboards: groups", () => {
  async function coachingGroup(db: TestDb) {
    const [trainer, ana, ben, outsider] = await db.createUsers(4);
    await db.as(trainer!);
    const [g] = await db.q<{ id: string }[]>`select id from social.create_group('Ana and Ben coached', 'coaching')`;
    for (const trainee of [ana!, ben!]) {
      await db.as(trainer!);
      const [invite] = await db.q<{ id: string }[]>`select id from social.invite_to_group(${g!.id}, ${trainee})`;
      await db.as(trainee);
      await db.q`select social.accept_group_invite(${invite!.id})`;
    }
    for (const user of [trainer!, ana!, ben!, outsider!]) await setUser(db, user, { optIn: true });
    return { group: g!.id, trainer: trainer!, ana: ana!, ben: ben!, outsider: outsider! };
  }

  it("a group's board is off until its owner turns it on; only the owner sets it up", async () => {
    await withDb(async (db) => {
      const { group, trainer, ana } = await coachingGroup(db);
      await db.as(ana);
      expect(await refused(db, (tx) => tx`select * from social.leaderboard('group', ${group})`)).toEqual([
        "42501",
        "leaderboard_disabled",
      ]);
      expect(await refused(db, (tx) => tx`select social.set_group_leaderboard(${group}, true)`)).toEqual([
        "42501",
        "not_group_owner",
      ]);
      await db.as(trainer);
      const [settings] = await db.q<{ enabled: boolean; metric: string; timezone: string }[]>`
        select enabled, metric::text, timezone from social.set_group_leaderboard(${group}, true, 'activities', ${W}, 'Europe/Lisbon')`;
      expect(settings).toEqual({ enabled: true, metric: "activities", timezone: "Europe/Lisbon" });
      await db.as(trainer);
      await db.q`select social.set_group_leaderboard(${group}, false)`;
      await db.as(ana);
      expect((await refused(db, (tx) => tx`select * from social.leaderboard('group', ${group})`))[1]).toBe(
        "leaderboard_disabled",
      );
      await db.as(trainer);
      const [on] = await db.q<{ metric: string; activity_kind: string; timezone: string }[]>`
        select metric::text, activity_kind, timezone from social.set_group_leaderboard(${group}, true)`;
      expect(on).toEqual({ metric: "activities", activity_kind: W, timezone: "Europe/Lisbon" }); // kept
    });
  });

  it("members read the board with the owner's metric; outsiders of a members-only group find no group; another metric is refused", async () => {
    await withDb(async (db) => {
      const { group, trainer, ana, ben, outsider } = await coachingGroup(db);
      await db.as(trainer);
      await db.q`select social.set_group_leaderboard(${group}, true, 'activities', ${W})`;
      for (const at of ["2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z"]) await recordAsService(db, ana, W, { at });
      await recordAsService(db, ben, W, { at: "2026-03-03T10:00:00Z" });
      await recordAsService(db, ben, "nutrition_logged", { at: "2026-03-03T10:00:00Z" });
      await recordAsService(db, outsider, W, { at: "2026-03-03T10:00:00Z" });
      for (const viewer of [trainer, ana, ben]) {
        const entries = await board(db, viewer, { scope: "group", id: group });
        expect(
          entries.map((e) => [e.user_id, e.score]),
          viewer,
        ).toEqual([
          [ana, 2],
          [ben, 1],
        ]);
      }
      expect(await myRank(db, ben, { scope: "group", id: group })).toMatchObject({ rank: 2, score: 1, ranked: 2 });
      await db.as(outsider);
      expect(await refused(db, (tx) => tx`select * from social.leaderboard('group', ${group})`)).toEqual([
        "PT404",
        "group_not_found",
      ]);
      await db.as(outsider);
      const [settings] = await db.q<
        { n: number }[]
      >`select count(*)::int as n from social.group_leaderboards where group_id = ${group}`;
      expect(settings!.n).toBe(0);
      await db.as(ana);
      expect(
        await refused(db, (tx) => tx`select * from social.leaderboard('group', ${group}, 'week', 'points')`),
      ).toEqual(["22023", "invalid_metric"]);
      await db.as(ana);
      const [read] = await db.q<
        { n: number }[]
      >`select count(*)::int as n from social.group_leaderboards where group_id = ${group}`;
      expect(read!.n).toBe(1);
    });
  });
});

describe("leaderboards: input and access", () => {
  it("bad input is refused with a code; anon reads no board", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await db.as(ana);
      const cases: [string, string][] = [
        ["select * from social.leaderboard('galaxy')", "invalid_scope"],
        ["select * from social.leaderboard('global', null, 'decade')", "invalid_period"],
        ["select * from social.leaderboard('global', null, 'week', 'likes')", "invalid_metric"],
        ["select * from social.leaderboard('global', null, 'week', null, 'Mars/Olympus')", "invalid_timezone"],
        [
          "select * from social.leaderboard('global', null, 'week', 'activities', null, 'teleported')",
          "invalid_activity_kind",
        ],
        ["select * from social.leaderboard('city')", "invalid_scope"],
        ["select * from social.leaderboard('group', 'not-a-uuid')", "group_not_found"],
        ["select * from social.my_leaderboard_rank('galaxy')", "invalid_scope"],
      ];
      for (const [statement, hint] of cases) {
        expect((await refused(db, (tx) => tx.unsafe(statement)))[1], statement).toBe(hint);
      }
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select * from social.leaderboard()`))[0]).toBe("42501");
    });
  });
});

describe("leaderboards: snapshots", () => {
  it("the job stores last week's final standings once; reading them leaves out users who opted out since", async () => {
    await withDb(async (db) => {
      const { city, users } = await cityUsers(db, 3);
      const [ana, ben, cleo] = users as [string, string, string];
      await points(db, ana, 30);
      await points(db, ben, 20);
      await points(db, cleo, 20);
      await db.asService();
      const [first] = await db.q<{ n: number }[]>`
        select social_private.snapshot_leaderboards('2026-03-10T01:00:00Z') as n`;
      expect(first!.n).toBeGreaterThanOrEqual(3);
      const [again] = await db.q<{ n: number }[]>`
        select social_private.snapshot_leaderboards('2026-03-10T02:00:00Z') as n`;
      expect(again!.n).toBe(0);
      // points added after the week ended do not change the stored week
      await points(db, cleo, 100, "2026-03-08T23:00:00Z");
      await db.as(ben);
      const stored = await db.q<{ rank: number; user_id: string; score: number }[]>`
        select rank, user_id, score::int from social.leaderboard_snapshot('city', ${city}, 'week', null, null, null, ${AT})`;
      expect(stored.map((s) => [s.rank, s.user_id, s.score])).toEqual([
        [1, ana, 30],
        ...[
          [2, ben, 20],
          [2, cleo, 20],
        ].sort(bySecond),
      ]);
      // cleo opts out: she leaves the stored board; ranks stay as they were
      await setUser(db, cleo, { optIn: false });
      await db.as(ben);
      const after = await db.q<{ rank: number; user_id: string }[]>`
        select rank, user_id from social.leaderboard_snapshot('city', ${city}, 'week', null, null, null, ${AT})`;
      expect(after.map((s) => [s.rank, s.user_id])).toEqual([
        [1, ana],
        [2, ben],
      ]);
      // each user reads their own stored rows directly, nobody else's
      await db.as(ana);
      const own = await db.q<{ user_id: string }[]>`
        select user_id from social.leaderboard_snapshots where scope = 'city' and scope_key = ${city.toLowerCase()}`;
      expect(own.map((r) => r.user_id)).toEqual([ana]);
      // paging a stored board
      await db.as(ben);
      const page1 = await db.q<{ user_id: string; next_cursor: string | null }[]>`
        select user_id, next_cursor from social.leaderboard_snapshot('city', ${city}, 'week', null, null, null, ${AT}, null, 1)`;
      expect(page1.map((r) => r.user_id)).toEqual([ana]);
      const page2 = await db.q<{ user_id: string; next_cursor: string | null }[]>`
        select user_id, next_cursor from social.leaderboard_snapshot('city', ${city}, 'week', null, null, null, ${AT},
                                                                    ${page1[0]!.next_cursor}, 1)`;
      expect(page2.map((r) => r.user_id)).toEqual([ben]);
    });
  });

  it("an enabled group board is stored with its own metric and time zone", async () => {
    await withDb(async (db) => {
      const [owner, member] = await db.createUsers(2);
      await db.as(owner);
      const [g] = await db.q<{ id: string }[]>`select id from social.create_group('Snap club', 'club')`;
      await db.as(member);
      await db.q`select social.join_group(${g!.id})`;
      await setUser(db, member, { optIn: true });
      await db.as(owner);
      await db.q`select social.set_group_leaderboard(${g!.id}, true, 'activities', null, 'Asia/Tokyo')`;
      await recordAsService(db, member, W, { at: "2026-03-01T23:30:00Z" }); // Monday in Tokyo
      await db.asService();
      await db.q`select social_private.snapshot_leaderboards('2026-03-09T16:00:00Z')`; // Tuesday 01:00 in Tokyo
      await db.as(member);
      const stored = await db.q<{ user_id: string; score: number; period_start: Date }[]>`
        select user_id, score::int, period_start from social.leaderboard_snapshot('group', ${g!.id}, 'week', null, null, null, ${AT})`;
      expect(stored.map((s) => [s.user_id, s.score, s.period_start.toISOString()])).toEqual([
        [member, 1, "2026-03-01T15:00:00.000Z"],
      ]);
    });
  });
});
