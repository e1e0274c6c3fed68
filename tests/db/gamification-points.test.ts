/**
 * Gamification, points: rules and daily limits, the append-only ledger and the balance, admin
 * adjustments, rewards and redemptions (costs, streak freezes, limits, stock, idempotent retries)
 * and, on committed data through separate connections, concurrency: redemptions never take a
 * balance below zero and a retried key records or redeems once.
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { balance, record, recordAsService, stats } from "../fixtures/gamification.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";

const W = "workout_completed";

async function ledger(db: TestDb, user: string): Promise<{ delta: number; reason: string }[]> {
  await db.asSuperuser();
  return db.q`select delta, reason::text from social.point_ledger where user_id = ${user} order by id`;
}

async function grant(db: TestDb, user: string, points: number): Promise<void> {
  await db.asService();
  await db.q`insert into social.point_ledger (user_id, delta, reason, note) values (${user}, ${points}, 'adjustment', 'test')`;
}

async function rewardId(db: TestDb, code: string): Promise<string> {
  await db.asSuperuser();
  const [row] = await db.q<{ id: string }[]>`select id from social.rewards where code = ${code}`;
  return row!.id;
}

describe("points: rules and the ledger", () => {
  it("each activity earns its kind's points, at most daily_limit activities a day; kinds without a rule earn nothing", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      await db.asSuperuser();
      await db.q`update social.badges set active = false`;
      for (let i = 0; i < 4; i++) await recordAsService(db, ana, W, { at: `2026-03-01T0${i + 6}:00:00Z` });
      expect(await balance(db, ana)).toEqual({ balance: 30, earned: 30, spent: 0 });
      await recordAsService(db, ana, W, { at: "2026-03-02T06:00:00Z" });
      await recordAsService(db, ana, W, { at: "2026-02-20T06:00:00Z" }); // back-dated: that day's own limit
      expect((await balance(db, ana)).earned).toBe(50);
      await db.as(ana);
      const [post] = await db.q<{ id: string }[]>`insert into social.posts (body) values ('hi') returning id`;
      await db.as(ben);
      await db.q`select social.react(${post!.id}, 'like')`;
      expect((await balance(db, ana)).earned).toBe(52); // post_created: 2
      expect(await balance(db, ben)).toEqual({ balance: 0, earned: 0, spent: 0 }); // reactions earn nothing
      expect((await ledger(db, ana)).every((e) => e.reason === "activity")).toBe(true);
    });
  });

  it("the ledger is append-only: no role changes or removes an entry, the table owner included", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await record(db, ana, W);
      for (const who of ["owner", "service_role", "user"] as const) {
        if (who === "owner") await db.asSuperuser();
        else if (who === "service_role") await db.asService();
        else await db.as(ana);
        for (const statement of [
          `update social.point_ledger set delta = 1000 where user_id = '${ana}'`,
          `delete from social.point_ledger where user_id = '${ana}'`,
          "truncate social.point_ledger",
        ]) {
          const [code, hint] = await refused(db, (tx) => tx.unsafe(statement));
          expect(code, `${who}: ${statement}`).toBe("42501");
          if (who === "owner") expect(hint, statement).toBe("append_only");
        }
      }
      expect((await ledger(db, ana)).length).toBe(2);
    });
  });

  it("a deleted user takes their ledger, balance and activities with them", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await record(db, ana, W);
      await db.asSuperuser();
      await db.q`delete from auth.users where id = ${ana}`;
      const [left] = await db.q<{ n: number }[]>`
        select (select count(*) from social.point_ledger where user_id = ${ana})
             + (select count(*) from social.point_balances where user_id = ${ana})
             + (select count(*) from social.activities where user_id = ${ana})
             + (select count(*) from social.activity_stats where user_id = ${ana})
             + (select count(*) from social.user_badges where user_id = ${ana}) as n`;
      expect(Number(left!.n)).toBe(0);
    });
  });

  it("the service role adjusts points; an adjustment below zero is refused and changes nothing", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await grant(db, ana, 50);
      expect(await balance(db, ana)).toEqual({ balance: 50, earned: 50, spent: 0 });
      await db.asService();
      expect(
        await refused(
          db,
          (tx) => tx`insert into social.point_ledger (user_id, delta, reason) values (${ana}, -60, 'adjustment')`,
        ),
      ).toEqual(["PT409", "insufficient_points"]);
      await db.q`insert into social.point_ledger (user_id, delta, reason) values (${ana}, -20, 'adjustment')`;
      expect(await balance(db, ana)).toEqual({ balance: 30, earned: 50, spent: 0 });
    });
  });

  it("my points and my ledger page newest first; strangers see neither", async () => {
    await withDb(async (db) => {
      const [ana, stranger] = await db.createUsers(2);
      for (let i = 0; i < 5; i++) await grant(db, ana, i + 1);
      await db.as(ana);
      const [mine] = await db.q<{ balance: number }[]>`select * from social.my_points()`;
      expect(mine).toEqual({ balance: 15, earned: 15, spent: 0 });
      const page1 = await db.q<
        { delta: number; next_cursor: string | null }[]
      >`select * from social.my_point_ledger(null, 3)`;
      expect(page1.map((r) => r.delta)).toEqual([5, 4, 3]);
      const page2 = await db.q<{ delta: number; next_cursor: string | null }[]>`
        select * from social.my_point_ledger(${page1[0]!.next_cursor}, 3)`;
      expect(page2.map((r) => r.delta)).toEqual([2, 1]);
      expect(page2[0]!.next_cursor).toBeNull();
      await db.as(stranger);
      const [theirs] = await db.q<{ balance: number }[]>`select * from social.my_points()`;
      expect(theirs).toEqual({ balance: 0, earned: 0, spent: 0 });
      const [seen] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.point_ledger where user_id = ${ana}`;
      expect(seen!.n).toBe(0);
    });
  });
});

describe("points: rewards and redemptions", () => {
  it("redeeming a freeze takes its cost and adds the freeze; without enough points nothing changes", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const freeze = await rewardId(db, "workout_streak_freeze");
      await grant(db, ana, 99);
      await db.as(ana);
      expect(await refused(db, (tx) => tx`select social.redeem_reward(${freeze})`)).toEqual([
        "PT409",
        "insufficient_points",
      ]);
      expect(await balance(db, ana)).toEqual({ balance: 99, earned: 99, spent: 0 });
      await grant(db, ana, 1);
      await db.as(ana);
      const [redemption] = await db.q<{ id: string; cost: number }[]>`select * from social.redeem_reward(${freeze})`;
      expect(redemption!.cost).toBe(100);
      expect(await balance(db, ana)).toEqual({ balance: 0, earned: 100, spent: 100 });
      expect((await stats(db, ana, W))?.streak_freezes).toBe(1);
      expect((await ledger(db, ana)).at(-1)).toEqual({ delta: -100, reason: "redemption" });
      await db.as(ana);
      const mine = await db.q<{ id: string }[]>`select id from social.redemptions`;
      expect(mine.map((r) => r.id)).toEqual([redemption!.id]);
    });
  });

  it("a retry with the same key returns the first redemption and charges once", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const freeze = await rewardId(db, "check_in_streak_freeze");
      await grant(db, ana, 100);
      await db.as(ana);
      const [a] = await db.q<{ id: string }[]>`select * from social.redeem_reward(${freeze}, 'tap-1')`;
      const [b] = await db.q<{ id: string }[]>`select * from social.redeem_reward(${freeze}, 'tap-1')`;
      expect(b!.id).toBe(a!.id);
      expect(await balance(db, ana)).toEqual({ balance: 70, earned: 100, spent: 30 });
      expect((await stats(db, ana, "check_in"))?.streak_freezes).toBe(1);
    });
  });

  it("the freeze cap, a per-user limit, stock and retired rewards are refused without charging", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const freeze = await rewardId(db, "check_in_streak_freeze");
      await db.asService();
      const [shirt] = await db.q<{ id: string }[]>`
        insert into social.rewards (code, name, cost, stock, per_user_limit) values ('shirt', 'Club shirt', 10, 2, 1)
        returning id`;
      const [old] = await db.q<{ id: string }[]>`
        insert into social.rewards (code, name, cost, active) values ('old', 'Old', 1, false) returning id`;
      for (const user of [ana, ben]) await grant(db, user, 500);
      await db.as(ana);
      await db.q`select social.redeem_reward(${freeze})`;
      await db.q`select social.redeem_reward(${freeze})`;
      expect(await refused(db, (tx) => tx`select social.redeem_reward(${freeze})`)).toEqual([
        "PT409",
        "freeze_limit_reached",
      ]);
      await db.q`select social.redeem_reward(${shirt!.id})`;
      expect(await refused(db, (tx) => tx`select social.redeem_reward(${shirt!.id})`)).toEqual([
        "PT409",
        "redemption_limit_reached",
      ]);
      expect(await refused(db, (tx) => tx`select social.redeem_reward(${old!.id})`)).toEqual([
        "PT404",
        "reward_not_found",
      ]);
      expect(await balance(db, ana)).toEqual({ balance: 500 - 60 - 10, earned: 500, spent: 70 });
      await db.as(ben);
      await db.q`select social.redeem_reward(${shirt!.id})`;
      await db.asService();
      await db.q`update social.rewards set per_user_limit = null where id = ${shirt!.id}`;
      await db.as(ben);
      expect(await refused(db, (tx) => tx`select social.redeem_reward(${shirt!.id})`)).toEqual([
        "PT409",
        "out_of_stock",
      ]);
      expect(await balance(db, ben)).toEqual({ balance: 490, earned: 500, spent: 10 });
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select social.redeem_reward(${freeze})`))[0]).toBe("42501");
    });
  });
});

describe("points and activities under concurrency (committed data, separate connections)", () => {
  const pool = postgres(inject("dbUrl"), { max: 10, onnotice: () => {} });
  afterAll(async () => {
    await pool.end({ timeout: 5 });
  });

  async function makeUser(): Promise<string> {
    const id = randomUUID();
    await pool`insert into auth.users (id, instance_id, aud, role, email)
               values (${id}, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', ${`${id}@test.local`})`;
    return id;
  }

  /** Run `statement` as `user` in its own transaction (a PostgREST request). */
  function asUser<T extends readonly object[]>(user: string, run: (tx: postgres.TransactionSql) => Promise<T>) {
    return pool.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: user, role: "authenticated" })}, true)`;
      await tx.unsafe("set local role authenticated");
      return run(tx);
    });
  }

  it("eight simultaneous redemptions with points for three: three succeed, the balance never goes below zero", async () => {
    const user = await makeUser();
    const code = `conc_${randomUUID().slice(0, 8)}`;
    const [reward] = await pool<{ id: string }[]>`
      insert into social.rewards (code, name, cost) values (${code}, 'Coffee', 100) returning id`;
    try {
      await pool`insert into social.point_ledger (user_id, delta, reason) values (${user}, 350, 'adjustment')`;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => asUser(user, (tx) => tx`select * from social.redeem_reward(${reward!.id})`)),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      const refusedHints = results.flatMap((r) =>
        r.status === "rejected" ? [(r.reason as postgres.PostgresError).hint] : [],
      );
      expect(ok).toHaveLength(3);
      expect(refusedHints).toEqual(Array(5).fill("insufficient_points"));
      const [b] = await pool<{ balance: number; spent: number }[]>`
        select balance, spent from social.point_balances where user_id = ${user}`;
      expect(b).toEqual({ balance: 50, spent: 300 });
      const [n] = await pool<{ redemptions: number; entries: number }[]>`
        select (select count(*)::int from social.redemptions where user_id = ${user}) as redemptions,
               (select count(*)::int from social.point_ledger where user_id = ${user} and reason = 'redemption') as entries`;
      expect(n).toEqual({ redemptions: 3, entries: 3 });
    } finally {
      await pool`delete from auth.users where id = ${user}`;
      await pool`delete from social.rewards where id = ${reward!.id}`;
    }
  });

  it("simultaneous retries of one redemption key charge once", async () => {
    const user = await makeUser();
    const code = `conc_${randomUUID().slice(0, 8)}`;
    const [reward] = await pool<{ id: string }[]>`
      insert into social.rewards (code, name, cost) values (${code}, 'Tea', 40) returning id`;
    try {
      await pool`insert into social.point_ledger (user_id, delta, reason) values (${user}, 100, 'adjustment')`;
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          asUser(user, (tx) => tx<{ id: string }[]>`select * from social.redeem_reward(${reward!.id}, 'same-tap')`),
        ),
      );
      expect(new Set(results.map((r) => r[0]!.id)).size).toBe(1);
      const [b] = await pool<{ balance: number }[]>`select balance from social.point_balances where user_id = ${user}`;
      expect(b!.balance).toBe(60);
    } finally {
      await pool`delete from auth.users where id = ${user}`;
      await pool`delete from social.rewards where id = ${reward!.id}`;
    }
  });

  it("simultaneous activities of one user and kind are all counted, and paid within the day's limit", async () => {
    const user = await makeUser();
    try {
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          asUser(
            user,
            (tx) =>
              tx`select id from social.record_activity('workout_completed', null, null, null, null, ${`burst-${i}`})`,
          ),
        ),
      );
      const [n] = await pool<
        { counted: number; today: number; streak: number; paid: number; badges: string[]; earned: number }[]
      >`
        select s.activity_count as counted, s.day_count as today, s.current_streak as streak,
               (select count(*)::int from social.point_ledger l where l.user_id = ${user} and l.reason = 'activity') as paid,
               (select array_agg(b.code order by b.code) from social.user_badges ub
                join social.badges b on b.id = ub.badge_id where ub.user_id = ${user}) as badges,
               (select b.earned from social.point_balances b where b.user_id = ${user}) as earned
        from social.activity_stats s where s.user_id = ${user} and s.kind = 'workout_completed'`;
      // workouts earn 10 points, at most 3 a day; the first and the fifth in a week earn
      // first_workout (5) and weekly_warrior (25), once each
      expect(n).toEqual({
        counted: 6,
        today: 6,
        streak: 1,
        paid: 3,
        badges: ["first_workout", "weekly_warrior"],
        earned: 30 + 5 + 25,
      });
    } finally {
      await pool`delete from auth.users where id = ${user}`;
    }
  });

  it("simultaneous retries of one activity key record one activity, count it once and pay once", async () => {
    const user = await makeUser();
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          asUser(
            user,
            (tx) =>
              tx<{ id: string; duplicate: boolean }[]>`
                select id, duplicate from social.record_activity('workout_completed', null, null, null, null, 'watch-sync-7')`,
          ),
        ),
      );
      expect(new Set(results.map((r) => r[0]!.id)).size).toBe(1);
      expect(results.filter((r) => !r[0]!.duplicate)).toHaveLength(1);
      const [n] = await pool<{ activities: number; counted: number; paid: number }[]>`
        select (select count(*)::int from social.activities where user_id = ${user}) as activities,
               (select activity_count from social.activity_stats where user_id = ${user} and kind = 'workout_completed') as counted,
               (select count(*)::int from social.point_ledger where user_id = ${user} and reason = 'activity') as paid`;
      expect(n).toEqual({ activities: 1, counted: 1, paid: 1 });
    } finally {
      await pool`delete from auth.users where id = ${user}`;
    }
  });
});
