/**
 * Feed benchmark: home, group and profile feed pages of 20 at benchmark scale (10k users, ~1M
 * posts, ~2M follow edges; `--scale 10m`: 100k users, ~10M posts, ~20M follow edges), called as
 * real users under RLS exactly as PostgREST would (`set local role authenticated` +
 * `request.jwt.claims`). Reported per feed and order: p50/p95 server time (planning +
 * execution), the ratio to the same call as service_role (RLS bypassed, same viewer), and page 50
 * against page 1; and the home feed of the power user (the seed's account following 5,000):
 * pages 1 and 10 of both orders, `home_power_user_p95` over all of them.
 */
import postgres from "postgres";
import { as, type BenchArea, type BenchRow, type Identity, percentile, row, serverTime } from "./harness.ts";

const REPEATS = 5;
const PAGE = 20;

interface Target {
  viewer: string;
  subject: string | null;
}

interface FeedCase {
  name: string;
  order: "latest" | "top";
  query: string;
  params: (t: Target, cursor: string | null) => unknown[];
  targets: Target[];
}

async function timePage(sql: postgres.Sql, who: Identity, c: FeedCase, t: Target, cursor: string | null) {
  return as(sql, who, (tx) => serverTime(tx, c.query, c.params(t, cursor)));
}

/** The cursor of page `n` (1-based) for this viewer, walking the feed as the viewer. */
async function cursorOfPage(sql: postgres.Sql, c: FeedCase, t: Target, n: number): Promise<string | null> {
  let cursor: string | null = null;
  for (let page = 1; page < n; page++) {
    const rows = await as(sql, { role: "authenticated", userId: t.viewer }, (tx) =>
      tx.unsafe(c.query, c.params(t, cursor) as never[]),
    );
    const next = rows.at(-1)?.next_cursor as string | null | undefined;
    if (!next || rows.length < PAGE) return null;
    cursor = next;
  }
  return cursor;
}

async function runCase(sql: postgres.Sql, c: FeedCase): Promise<BenchRow[]> {
  const rls: number[] = [];
  const service: number[] = [];
  const first: number[] = [];
  const fiftieth: number[] = [];
  let deepTargets = 0;
  for (const [index, t] of c.targets.entries()) {
    const user: Identity = { role: "authenticated", userId: t.viewer };
    const server: Identity = { role: "service_role", userId: t.viewer };
    // each role's repeats in a row after their own warm-up: a plan made under RLS depends on the
    // role, so alternating the two on one connection would time a re-plan on every call (about
    // 0.2 ms), which a pooled connection serving users (all `authenticated`) does not pay. Which
    // role goes first alternates between viewers: the first few pages of a new viewer are slower
    // whoever reads them (at the 10m scale, where the data outgrows shared buffers, by ~15%), and
    // always timing RLS first charged that to RLS
    const phases: [Identity, number[]][] = [
      [user, rls],
      [server, service],
    ];
    if (index % 2) phases.reverse();
    for (const [who, times] of phases) {
      await timePage(sql, who, c, t, null);
      for (let i = 0; i < REPEATS; i++) times.push(await timePage(sql, who, c, t, null));
    }
    const cursor = await cursorOfPage(sql, c, t, 50);
    if (cursor === null) continue;
    deepTargets++;
    for (let i = 0; i < REPEATS; i++) {
      first.push(await timePage(sql, user, c, t, null));
      fiftieth.push(await timePage(sql, user, c, t, cursor));
    }
  }
  const name = `${c.name}_${c.order}`;
  const rows = [
    row(`${name}_p50`, percentile(rls, 50), "ms"),
    row(`${name}_p95`, percentile(rls, 95), "ms", 5),
    row(`${name}_rls_vs_service_role`, percentile(rls, 50) / percentile(service, 50), "x", 1.2),
  ];
  if (deepTargets > 0) {
    rows.push(row(`${name}_page50_vs_page1`, percentile(fiftieth, 50) / percentile(first, 50), "x", 1.5));
  } else {
    rows.push({ metric: `${name}_page50_vs_page1`, value: 0, unit: "x", target: "<= 1.5 x", pass: false });
  }
  return rows;
}

export const feedBench: BenchArea = {
  describe: "feed pages of 20 under RLS as real users",
  scale: {
    users: 10_000,
    followsPerUser: 200,
    postsPerUser: 84,
    powerUserFollows: 5_000,
    popularAuthorFollowers: 50_000,
    seed: 20261128,
  },
  scales: {
    // ten times the data: 100k users, ~10M posts, ~20M follow edges, the same shape; only the
    // tables the feeds read (gamification, events, chat and trips, which no feed query touches,
    // would take another 18 minutes to seed at this size)
    "10m": {
      scale: {
        users: 100_000,
        followsPerUser: 200,
        postsPerUser: 84,
        powerUserFollows: 5_000,
        popularAuthorFollowers: 50_000,
        feedOnly: true,
        seed: 20261128,
      },
      portOffset: 4,
    },
  },
  async run(url) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [scale] = await sql`select (select count(*) from social.profiles)::int as users,
        (select count(*) from social.posts)::int as posts, (select count(*) from social.follows)::int as follows`;
      console.log(`data: ${scale!.users} users, ${scale!.posts} posts, ${scale!.follows} follow edges`);
      // viewers with a typical number of followees and at least one group
      const viewers = await sql<{ id: string }[]>`
        select p.id from social.profiles p
        where p.following_count between 150 and 300
          and exists (select 1 from social.group_members m where m.user_id = p.id and m.status = 'active')
        order by p.id limit 20`;
      // the busiest groups, read by one of their plain members
      const groups = await sql<{ viewer: string; subject: string }[]>`
        select (select m.user_id from social.group_members m
                 where m.group_id = g.id and m.status = 'active' and m.role = 'member' order by m.user_id limit 1) as viewer,
               g.id as subject
        from social.groups g
        order by (select count(*) from social.posts p where p.group_id = g.id) desc limit 10`;
      // the most prolific authors, read by one of their accepted followers
      const authors = await sql<{ viewer: string; subject: string }[]>`
        select (select f.follower_id from social.follows f
                 where f.followee_id = a.author_id and f.status = 'accepted' order by f.follower_id limit 1) as viewer,
               a.author_id as subject
        from (select author_id, count(*) as n from social.posts where group_id is null
              group by 1 order by 2 desc limit 10) a`;
      const homeTargets = viewers.map((v) => ({ viewer: v.id, subject: null }));
      const cases: FeedCase[] = [];
      for (const order of ["latest", "top"] as const) {
        cases.push(
          {
            name: "home",
            order,
            query: "select * from social.home_feed($1, $2, 20)",
            params: (_t, cursor) => [order, cursor],
            targets: homeTargets,
          },
          {
            name: "group",
            order,
            query: "select * from social.group_feed($1, $2, $3, 20)",
            params: (t, cursor) => [t.subject, order, cursor],
            targets: groups.filter((g) => g.viewer),
          },
          {
            name: "profile",
            order,
            query: "select * from social.profile_feed($1, $2, $3, 20)",
            params: (t, cursor) => [t.subject, order, cursor],
            targets: authors.filter((a) => a.viewer),
          },
        );
      }
      const rows: BenchRow[] = [];
      for (const c of cases) {
        process.stderr.write(`  ${c.name} ${c.order} ...\n`);
        rows.push(...(await runCase(sql, c)));
      }
      // the power user: the account that follows the most (the seed's powerUserFollows, 5,000)
      const [power] = await sql<{ id: string; following: number }[]>`
        select id, following_count as following from social.profiles order by following_count desc, id limit 1`;
      process.stderr.write(`  home of the power user (${power!.following} followees) ...\n`);
      const powerTimes: number[] = [];
      for (const order of ["latest", "top"] as const) {
        const c: FeedCase = {
          name: "home_power_user",
          order,
          query: "select * from social.home_feed($1, $2, 20)",
          params: (_t, cursor) => [order, cursor],
          targets: [{ viewer: power!.id, subject: null }],
        };
        const t = c.targets[0]!;
        const user: Identity = { role: "authenticated", userId: t.viewer };
        const deep = await cursorOfPage(sql, c, t, 10);
        const times: number[] = [];
        await timePage(sql, user, c, t, null); // warm-up
        for (let i = 0; i < REPEATS * 4; i++) {
          times.push(await timePage(sql, user, c, t, null));
          if (deep) times.push(await timePage(sql, user, c, t, deep));
        }
        rows.push(row(`home_power_user_${order}_p95`, percentile(times, 95), "ms"));
        powerTimes.push(...times);
      }
      rows.push(row("home_power_user_followees", power!.following, "followees"));
      rows.push(row("home_power_user_p95", percentile(powerTimes, 95), "ms", 5));
      return rows;
    } finally {
      await sql.end();
    }
  },
};
