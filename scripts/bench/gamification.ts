/**
 * Gamification benchmark at about 1M activities for 10k users (months of workouts, meals,
 * check-ins and weigh-ins, plus the posts' and memberships' activities), with every trigger on.
 *
 *   activity_insert_ratio_10_badges, activity_insert_ratio_500_badges
 *       one activity insert as a signed-in user, as a Data API request runs it (PostgREST's
 *       shape: its transaction, one statement setting the JWT claims and role, `insert ...
 *       returning id`, the end of the transaction; timed at the client: round trips, planning,
 *       execution, every trigger; rolled back, so no commit), over the same request inserting
 *       into a bare copy of the table (same columns, defaults and indexes; no triggers, foreign
 *       keys or RLS),
 *       p50 over 400 users with months of history, each badge already awarded to whoever
 *       qualifies. With 10 active badges, all listening to the inserted kind, and with 500 (the
 *       same 10 plus 490 listening to other kinds): the second must stay within 10% of the first,
 *       since only the definitions that listen to the kind are evaluated. Target <= 2x each.
 *   activity_insert_server_*
 *       the same on the server alone (planning + execution from EXPLAIN ANALYZE, triggers
 *       included): what the triggers cost against a bare single-row insert (informational).
 *   activity_insert_throughput
 *       activities/s recorded by 8 concurrent writers, each insert its own request (transaction)
 *       as a different signed-in user, for 10 s (informational).
 *   leaderboard_group_week_p95, leaderboard_city_week_p95, my_rank_p95
 *       server time of a page of 50 of this week's board of the busiest groups and cities, and of
 *       the caller's rank on the city board, called as a real user under RLS exactly as PostgREST
 *       does. Target <= 20 ms.
 * The measurements that write run in transactions that are rolled back (the throughput run
 * commits its activities: a few thousand more on the 1M).
 */
import postgres from "postgres";
import { as, type BenchArea, type BenchRow, percentile, row, serverTime } from "./harness.ts";

const INSERT_USERS = 400;
const REPEATS = 5;
const THROUGHPUT_SECONDS = 10;
const WRITERS = 8;

type Tx = postgres.TransactionSql;

/** Act as a signed-in user inside an open transaction, as PostgREST sets a request up. */
async function become(tx: Tx, userId: string): Promise<void> {
  await tx.unsafe("reset role");
  await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: userId, role: "authenticated", aud: "authenticated" })}, true)`;
  await tx.unsafe("set local role authenticated");
}

/** Leave exactly `listening` badges on workouts active, plus `others` listening to other kinds. */
async function setUpBadges(tx: Tx, others: number): Promise<void> {
  await tx.unsafe("reset role");
  await tx`update social.badges set active = false`;
  await tx`
    insert into social.badges (code, name, criterion, activity_kind, threshold, period, direction)
    values ('bench_first', 'b', 'first', 'workout_completed', null, null, null),
           ('bench_count_10', 'b', 'count', 'workout_completed', 10, null, null),
           ('bench_count_100', 'b', 'count', 'workout_completed', 100, null, null),
           ('bench_count_1000', 'b', 'count', 'workout_completed', 1000, null, null),
           ('bench_week_5', 'b', 'count', 'workout_completed', 5, 'week', null),
           ('bench_month_40', 'b', 'count', 'workout_completed', 40, 'month', null),
           ('bench_streak_3', 'b', 'streak', 'workout_completed', 3, null, null),
           ('bench_streak_30', 'b', 'streak', 'workout_completed', 30, null, null),
           ('bench_streak_365', 'b', 'streak', 'workout_completed', 365, null, null),
           ('bench_reach_42', 'b', 'metric', 'workout_completed', 42, null, 'reach')`;
  if (others > 0) {
    const kinds = Math.ceil(others / 10);
    await tx`
      insert into social.activity_kinds (code, name, tracks_streak)
      select 'bench_kind_' || k, 'Bench kind ' || k, true from generate_series(1, ${kinds}) k`;
    await tx`
      insert into social.badges (code, name, criterion, activity_kind, threshold)
      select 'bench_other_' || n, 'b', case when n % 2 = 0 then 'count' else 'streak' end::social.badge_criterion,
             'bench_kind_' || (1 + (n - 1) / 10), 1 + n % 50
      from generate_series(1, ${others}) n`;
  }
  const [{ n }] = await tx<{ n: number }[]>`select count(*)::int as n from social.badges where active`;
  if (n !== 10 + others) throw new Error(`expected ${10 + others} active badges, found ${n}`);
}

interface InsertTimes {
  /** Client-side wall time of the insert statement (a request's round trip, no commit). */
  real: number[];
  bare: number[];
  /** Server time (planning + execution, triggers included) from EXPLAIN ANALYZE. */
  realServer: number[];
  bareServer: number[];
}

/** Times of an activity insert and of the same insert into the bare copy, per user. */
async function insertTimes(sql: postgres.Sql, users: string[], others: number): Promise<InsertTimes> {
  const times: InsertTimes = { real: [], bare: [], realServer: [], bareServer: [] };
  await sql
    .begin(async (tx) => {
      await setUpBadges(tx, others);
      // steady state: the badges exist already and were awarded to those who qualify
      await tx`select set_config('social.quiet_badges', 'on', true)`;
      await tx`select social_private.backfill_badge(id) from social.badges where active order by criterion = 'all_of'`;
      await tx`select set_config('social.quiet_badges', '', true)`;
      await tx`create table social_private.bench_bare_activities (like social.activities including all)`;
      await tx`grant select, insert on social_private.bench_bare_activities to authenticated`;
      const statement = (table: string) =>
        `insert into ${table} (kind, payload, idempotency_key) values ('workout_completed', '{"minutes": 40}', $1) returning id`;
      // one Data API request as PostgREST runs it: its transaction (a savepoint here, so the
      // outer transaction can be rolled back), the JWT claims and role in one statement, the
      // insert with returning, the end of the transaction (rolled back to the savepoint and
      // released, in one round trip: `rollback to` alone keeps the savepoint open, and each
      // request would nest one level deeper, hundreds deep by the end, which no request ever is);
      // timed at the client
      const wall = async (table: string, key: string, user: string) => {
        const claims = JSON.stringify({ sub: user, role: "authenticated", aud: "authenticated" });
        const t0 = process.hrtime.bigint();
        await tx.unsafe("savepoint request");
        await tx`select set_config('request.jwt.claims', ${claims}, true), set_config('role', 'authenticated', true)`;
        await tx.unsafe(statement(table), [key]);
        await tx.unsafe("rollback to savepoint request; release savepoint request");
        return Number(process.hrtime.bigint() - t0) / 1e6;
      };
      // warm-up: plans and caches
      for (const user of users.slice(0, 20)) {
        await become(tx, user);
        await wall("social_private.bench_bare_activities", `warm-bare-${user}`, user);
        await wall("social.activities", `warm-${user}`, user);
      }
      for (const [i, user] of users.entries()) {
        await become(tx, user);
        // alternate which goes first, so drift favours neither
        const key = `bench-${others}-${i}`;
        const bareFirst = i % 2 === 0;
        for (const table of bareFirst ? ["bare", "real"] : ["real", "bare"]) {
          if (table === "bare") {
            times.bare.push(await wall("social_private.bench_bare_activities", `${key}-w`, user));
            times.bareServer.push(
              await serverTime(tx, statement("social_private.bench_bare_activities"), [`${key}-s`]),
            );
          } else {
            times.real.push(await wall("social.activities", `${key}-w`, user));
            times.realServer.push(await serverTime(tx, statement("social.activities"), [`${key}-s`]));
          }
        }
      }
      throw new Rollback();
    })
    .catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
  return times;
}

class Rollback extends Error {}

/** Activities per second with `WRITERS` connections inserting as different users. */
async function throughput(url: string, users: string[]): Promise<number> {
  const pool = postgres(url, { max: WRITERS, onnotice: () => {} });
  try {
    const deadline = Date.now() + THROUGHPUT_SECONDS * 1000;
    let next = 0;
    const started = Date.now();
    const counts = await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        let n = 0;
        while (Date.now() < deadline) {
          const user = users[next++ % users.length]!;
          await pool.begin(async (tx) => {
            await become(tx, user);
            await tx`insert into social.activities (kind, payload) values ('check_in', '{"bench": true}')`;
          });
          n++;
        }
        return n;
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    return counts.reduce((a, b) => a + b, 0) / seconds;
  } finally {
    await pool.end();
  }
}

async function boardTimes(
  sql: postgres.Sql,
  targets: { viewer: string; query: string; params: unknown[] }[],
): Promise<number[]> {
  const times: number[] = [];
  for (const t of targets) {
    const who = { role: "authenticated" as const, userId: t.viewer };
    await as(sql, who, (tx) => serverTime(tx, t.query, t.params)); // warm-up
    for (let i = 0; i < REPEATS; i++) times.push(await as(sql, who, (tx) => serverTime(tx, t.query, t.params)));
  }
  return times;
}

export const gamificationBench: BenchArea = {
  describe: "activity inserts with every trigger, leaderboards and my rank over ~1M activities for 10k users",
  scale: {
    users: 10_000,
    followsPerUser: 20,
    postsPerUser: 5,
    activitiesPerUser: 95,
    messagesPerUser: 0,
    events: 0,
    seed: 20261128,
  },
  async run(url) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [scale] = await sql<{ users: number; activities: number; opted: number; latest: Date }[]>`
        select (select count(*) from social.profiles)::int as users,
               (select count(*) from social.activities)::int as activities,
               (select count(*) from social.profiles where leaderboard_opt_in)::int as opted,
               (select max(occurred_at) from social.activities) as latest`;
      console.log(
        `data: ${scale!.users} users (${scale!.opted} opted in), ${scale!.activities} activities, latest ${scale!.latest.toISOString()}`,
      );
      const rows: BenchRow[] = [row("activities", scale!.activities, "rows")];

      // inserts: users with months of history
      const users = (
        await sql<{ user_id: string }[]>`
          select user_id from social.activity_stats where kind = 'workout_completed' and activity_count >= 20
          order by hashtext(user_id::text) limit ${INSERT_USERS}`
      ).map((r) => r.user_id);
      process.stderr.write("  inserts with 10 badges ...\n");
      const ten = await insertTimes(sql, users, 0);
      process.stderr.write("  inserts with 500 badges ...\n");
      const five = await insertTimes(sql, users, 490);
      const p50 = (v: number[]) => percentile(v, 50);
      const ratio10 = p50(ten.real) / p50(ten.bare);
      const ratio500 = p50(five.real) / p50(five.bare);
      const server10 = p50(ten.realServer) / p50(ten.bareServer);
      const server500 = p50(five.realServer) / p50(five.bareServer);
      rows.push(
        row("activity_insert_ms_p50", p50(ten.real), "ms"),
        row("activity_insert_bare_ms_p50", p50(ten.bare), "ms"),
        row("activity_insert_ratio_10_badges", ratio10, "x", 2),
        row("activity_insert_ratio_500_badges", ratio500, "x", 2),
        {
          ...row("activity_insert_500_vs_10_badges", ratio500 / ratio10, "x", 1.1),
          target: "<= 1.1 x (within 10%)",
        },
        row("activity_insert_server_ms_p50", p50(ten.realServer), "ms"),
        row("activity_insert_bare_server_ms_p50", p50(ten.bareServer), "ms"),
        row("activity_insert_server_ratio_10_badges", server10, "x"),
        row("activity_insert_server_ratio_500_badges", server500, "x"),
        row("activity_insert_server_500_vs_10_badges", server500 / server10, "x"),
      );

      process.stderr.write(`  throughput, ${WRITERS} writers for ${THROUGHPUT_SECONDS}s ...\n`);
      const writers = (
        await sql<{ id: string }[]>`select id from social.profiles order by hashtext(id::text) desc limit 2000`
      ).map((r) => r.id);
      rows.push(row("activity_insert_throughput", await throughput(url, writers), "activities/s"));

      // boards: the last full week of data (the seed's history ends today)
      const at = new Date(scale!.latest.getTime() - 7 * 86_400_000);
      const groups = await sql<{ viewer: string; group_id: string; members: number }[]>`
        select (select m.user_id from social.group_members m
                 where m.group_id = g.group_id and m.status = 'active' and m.role = 'member'
                 order by m.user_id limit 1) as viewer,
               g.group_id, gr.member_count as members
        from social.group_leaderboards g join social.groups gr on gr.id = g.group_id
        where g.enabled
        order by gr.member_count desc limit 10`;
      const cities = await sql<{ viewer: string; city: string; users: number }[]>`
        select min(d.profile_id::text)::uuid as viewer, d.city, count(*)::int as users
        from social.profile_details d join social.profiles p on p.id = d.profile_id
        where d.city is not null and p.leaderboard_opt_in
        group by d.city order by count(*) desc limit 10`;
      console.log(
        `boards: groups of ${groups.map((g) => g.members).join(", ")} members; cities of ${cities.map((c) => c.users).join(", ")} opted-in users`,
      );
      const page = "select * from social.leaderboard($1, $2, 'week', null, null, null, $3, null, 50)";
      const rank = "select * from social.my_leaderboard_rank($1, $2, 'week', null, null, null, $3)";
      process.stderr.write("  leaderboards ...\n");
      const groupTimes = await boardTimes(
        sql,
        groups
          .filter((g) => g.viewer)
          .map((g) => ({ viewer: g.viewer, query: page, params: ["group", g.group_id, at] })),
      );
      const cityTimes = await boardTimes(
        sql,
        cities.map((c) => ({ viewer: c.viewer, query: page, params: ["city", c.city, at] })),
      );
      const rankTimes = await boardTimes(
        sql,
        cities.map((c) => ({ viewer: c.viewer, query: rank, params: ["city", c.city, at] })),
      );
      const globalTimes = await boardTimes(sql, [
        { viewer: cities[0]!.viewer, query: page, params: ["global", null, at] },
      ]);
      rows.push(
        row("leaderboard_group_week_p50", percentile(groupTimes, 50), "ms"),
        row("leaderboard_group_week_p95", percentile(groupTimes, 95), "ms", 20),
        row("leaderboard_city_week_p50", percentile(cityTimes, 50), "ms"),
        row("leaderboard_city_week_p95", percentile(cityTimes, 95), "ms", 20),
        row("my_rank_p50", percentile(rankTimes, 50), "ms"),
        row("my_rank_p95", percentile(rankTimes, 95), "ms", 20),
        row("leaderboard_global_week_p95", percentile(globalTimes, 95), "ms"),
      );
      return rows;
    } finally {
      await sql.end();
    }
  },
};
