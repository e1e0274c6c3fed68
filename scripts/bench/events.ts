/**
 * Events benchmark at 100,000 events (5,000 users in 16 cities, seeds/events.ts):
 *   rsvp_race_overbooked             seats over capacity after 200 concurrent RSVPs on an event of
 *                                    capacity 25 (count; must be 0)
 *   rsvp_race_waitlist_out_of_order  waitlist entries out of the order of arrival: arrival numbers
 *                                    not 1..175 without gaps or repeats, list positions not
 *                                    1..175 in that order, and, after 25 concurrent cancellations
 *                                    racing 175 retries, promoted parties that were not the head
 *                                    of the waitlist plus remaining ones out of order (must be 0)
 *   rsvp_throughput                  RSVPs per second across 1,000 events, 8 concurrent clients,
 *                                    each RSVP its own transaction as its user (as PostgREST runs it)
 *   nearby_p95                       ms (server time, EXPLAIN ANALYZE) of a page of 20 upcoming
 *                                    events within 10 km of a city point, as a signed-in user under
 *                                    RLS, on a warm connection (target <= 10 ms); and, informational,
 *                                    nearby_first_call_p50: the first search of a new connection
 *   ics_feed_p95                     ms, wall time of GET <functions>/calendar/feed/<token>.ics for a
 *                                    user going to 50 events, through the local stack (lite + the
 *                                    Deno functions server) (target <= 50 ms)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { CITY_CENTRES } from "../../seeds/events.ts";
import { startStack } from "../lib/stack.ts";
import { as, type BenchArea, type BenchRow, percentile, row, serverTime } from "./harness.ts";

type Sql = postgres.Sql;

/** One writing transaction as `user`, the way PostgREST runs an RPC. */
function asUser<T>(
  sql: Sql,
  user: string,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
  role: "authenticated" | "service_role" = "authenticated",
): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: user, role, aud: "authenticated" })}, true)`;
    await tx.unsafe(`set local role ${role}`);
    return fn(tx);
  }) as Promise<T>;
}

/**
 * An event organized by `organizer` starting in a week, published, without a feed card; made as
 * service_role for the organizer (the setup makes more events than the per-user rate limit allows).
 */
async function makeEvent(sql: Sql, organizer: string, title: string, capacity: number | null): Promise<string> {
  const run = (tx: postgres.TransactionSql) =>
    (async () => {
      const start = new Date(Date.now() + 7 * 86400_000);
      const [e] = await tx`select id from social.create_event(${tx.json({
        title,
        starts_at: start.toISOString(),
        ends_at: new Date(start.getTime() + 7200_000).toISOString(),
        timezone: "Europe/Lisbon",
        capacity,
      })})`;
      await tx`select social.publish_event(${e!.id}, false)`;
      return e!.id as string;
    })();
  return asUser(sql, organizer, run, "service_role");
}

async function race(sql: Sql, users: string[]): Promise<BenchRow[]> {
  const [organizer, ...people] = users as [string, ...string[]];
  const event = await makeEvent(sql, organizer, "Bench race", 25);
  const racers = people.slice(0, 200);
  await Promise.all(racers.map((u) => asUser(sql, u, (tx) => tx`select social.rsvp_event(${event}, 'going')`)));
  const [e] = await sql`select capacity, seats_taken, waitlist_count from social.events where id = ${event}`;
  const rows = await sql<{ user_id: string; waitlist_seq: string | null }[]>`
    select user_id, waitlist_seq from social.event_rsvps where event_id = ${event} and status = 'going'`;
  const confirmedSeats = rows.filter((r) => r.waitlist_seq === null).length;
  let overbooked = Math.max(0, Number(e!.seats_taken) - Number(e!.capacity)) + Math.max(0, confirmedSeats - 25);
  const queue = rows
    .filter((r) => r.waitlist_seq !== null)
    .sort((a, b) => Number(a.waitlist_seq) - Number(b.waitlist_seq));
  let outOfOrder = 0;
  // arrival numbers: 26..200 in some order of arrival, no gaps, no repeats (the first 25 got seats)
  const seqs = queue.map((r) => Number(r.waitlist_seq));
  outOfOrder += seqs.filter((s, i) => i > 0 && s <= seqs[i - 1]!).length;
  outOfOrder += Math.abs(new Set(seqs).size - 175) + Math.abs(Number(e!.waitlist_count) - 175);
  // the organizer's list: positions 1..n in arrival order
  const listed = await asUser(sql, organizer, async (tx) => {
    const out: { user_id: string; waitlist_position: number }[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page: { user_id: string; waitlist_position: number; next_cursor: string | null }[] =
        await tx`select user_id, waitlist_position, next_cursor from social.list_event_waitlist(${event}, ${cursor}, 50)`;
      out.push(...page);
      cursor = page[0]?.next_cursor ?? null;
      if (!cursor) return out;
    }
  });
  outOfOrder += listed.filter((r, i) => r.user_id !== queue[i]?.user_id || r.waitlist_position !== i + 1).length;
  // 25 seated people cancel at once while every waiting one retries: the head moves up, in order
  const seated = rows.filter((r) => r.waitlist_seq === null).map((r) => r.user_id);
  await Promise.all([
    ...seated.map((u) => asUser(sql, u, (tx) => tx`select social.cancel_rsvp(${event})`)),
    ...queue.map((r) => asUser(sql, r.user_id, (tx) => tx`select social.rsvp_event(${event}, 'going')`)),
  ]);
  const after = await sql<{ user_id: string; waitlist_seq: string | null }[]>`
    select user_id, waitlist_seq from social.event_rsvps where event_id = ${event} and status = 'going'`;
  const nowSeated = new Set(after.filter((r) => r.waitlist_seq === null).map((r) => r.user_id));
  const head = new Set(queue.slice(0, 25).map((r) => r.user_id));
  outOfOrder += [...nowSeated].filter((u) => !head.has(u)).length;
  const rest = after
    .filter((r) => r.waitlist_seq !== null)
    .sort((a, b) => Number(a.waitlist_seq) - Number(b.waitlist_seq))
    .map((r) => r.user_id);
  outOfOrder += rest.filter((u, i) => u !== queue[25 + i]?.user_id).length;
  const [e2] = await sql`select seats_taken from social.events where id = ${event}`;
  overbooked += Math.max(0, Number(e2!.seats_taken) - 25) + Math.max(0, nowSeated.size - 25);
  return [
    { metric: "rsvp_race_overbooked", value: overbooked, unit: "seats", target: "= 0", pass: overbooked === 0 },
    {
      metric: "rsvp_race_waitlist_out_of_order",
      value: outOfOrder,
      unit: "entries",
      target: "= 0",
      pass: outOfOrder === 0,
    },
  ];
}

async function throughput(sql: Sql, users: string[]): Promise<BenchRow[]> {
  const [organizer] = users as [string];
  const events: string[] = [];
  for (let i = 0; i < 1000; i++) events.push(await makeEvent(sql, organizer, `Bench throughput ${i}`, 50));
  // 4,000 RSVPs: user k answers event k % 1000 (one RSVP per user: under the per-user rate limit)
  const jobs = users.slice(1, 4001).map((u, k) => [u, events[k % events.length]!] as const);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < jobs.length) {
        const [user, event] = jobs[next++]!;
        await asUser(sql, user, (tx) => tx`select social.rsvp_event(${event}, 'going')`);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return [
    {
      metric: "rsvp_throughput",
      value: Number((jobs.length / seconds).toFixed(1)),
      unit: "RSVPs/s",
      target: "",
      pass: null,
    },
  ];
}

async function nearby(url: string, users: string[]): Promise<BenchRow[]> {
  const centres = Object.values(CITY_CENTRES);
  const query = "select * from social.nearby_events($1, $2, 10, null, null, null, null, 20)";
  const point = (i: number) => {
    const c = centres[i % centres.length]!;
    return [c.lat + ((i * 7919) % 100) / 1000 - 0.05, c.lng + ((i * 104729) % 100) / 1000 - 0.05];
  };
  // one connection, warmed up once per city, as an API server's pooled connections are (the feed
  // and chat benchmarks measure their reads the same way)
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const times: number[] = [];
  const counts: number[] = [];
  try {
    for (let i = 0; i < 256; i++) {
      const viewer = users[(i * 37) % users.length]!;
      await as(sql, { role: "authenticated", userId: viewer }, async (tx) => {
        const rows = await tx.unsafe(query, point(i));
        if (i < 16) return; // warm-up, one per city
        counts.push(rows.length);
        times.push(await serverTime(tx, query, point(i)));
      });
    }
  } finally {
    await sql.end();
  }
  // the first search of a new connection (PL/pgSQL compiles the functions and plans their
  // statements once per connection), on 8 new connections
  const first: number[] = [];
  for (let k = 0; k < 8; k++) {
    const fresh = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await as(fresh, { role: "authenticated", userId: users[(k * 613) % users.length]! }, async (tx) => {
        first.push(await serverTime(tx, query, point(k * 31)));
      });
    } finally {
      await fresh.end();
    }
  }
  return [
    row("nearby_p50", percentile(times, 50), "ms"),
    row("nearby_p95", percentile(times, 95), "ms", 10),
    row("nearby_rows_per_page_min", Math.min(...counts), "events"),
    row("nearby_first_call_p50", percentile(first, 50), "ms"),
  ];
}

async function icsFeed(url: string, sql: Sql, users: string[]): Promise<BenchRow[]> {
  const [organizer, fan] = [users[0]!, users[users.length - 1]!];
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) ids.push(await makeEvent(sql, organizer, `Bench feed ${i}`, null));
  // 50 going RSVPs for one user (written by the migration owner: the per-user rate limit is 30 a minute)
  await sql`
    insert into social.event_rsvps (event_id, user_id, status, confirmed_at)
    select unnest(${ids}::uuid[]), ${fan}, 'going', now()`;
  const token = await asUser(sql, fan, async (tx) => {
    const [r] = await tx`select social.create_calendar_feed() as token`;
    return r!.token as string;
  });
  const state = await mkdtemp(join(tmpdir(), "supasocial-bench-ics-"));
  const stack = await startStack({ dbUrl: url, port: 0, stateDir: state });
  try {
    const feed = `${stack.url}/functions/v1/calendar/feed/${token}.ics`;
    const times: number[] = [];
    let events = 0;
    for (let i = 0; i < 120; i++) {
      const t0 = performance.now();
      const res = await fetch(feed);
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`the feed answered ${res.status}: ${text.slice(0, 200)}`);
      if (i >= 20) times.push(ms); // the first requests warm Deno and lite up
      events = text.split("BEGIN:VEVENT").length - 1;
    }
    // the same read through the Data API alone (lite), to see where the time goes
    const rpc: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t0 = performance.now();
      const res = await fetch(`${stack.url}/rest/v1/rpc/calendar_feed`, {
        method: "POST",
        headers: {
          apikey: stack.keys.secretKey,
          authorization: `Bearer ${stack.keys.secretKey}`,
          "content-type": "application/json",
          "content-profile": "social",
        },
        body: JSON.stringify({ p_token: token }),
      });
      await res.text();
      if (i >= 10) rpc.push(performance.now() - t0);
    }
    const [server] = await sql.begin(async (tx) => {
      await tx.unsafe("set local role service_role");
      return [await serverTime(tx, "select * from social.calendar_feed($1)", [token])];
    });
    return [
      row("ics_feed_p50", percentile(times, 50), "ms"),
      row("ics_feed_p95", percentile(times, 95), "ms", 50),
      row("ics_feed_events", events, "events"),
      row("ics_feed_data_api_p95", percentile(rpc, 95), "ms"),
      row("ics_feed_sql_ms", server ?? Number.NaN, "ms"),
    ];
  } finally {
    await stack.stop();
    await rm(state, { recursive: true, force: true });
  }
}

export const eventsBench: BenchArea = {
  describe: "100k events across 16 cities, 5k users; RSVP race, throughput, nearby under RLS, ICS feed",
  scale: { users: 5000, followsPerUser: 20, postsPerUser: 1, events: 100_000 },
  async run(url) {
    const sql = postgres(url, { max: 40, onnotice: () => {} });
    try {
      const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from social.events`;
      console.log(`${n.toLocaleString()} events`);
      const users = (await sql<{ id: string }[]>`select id from social.profiles order by id`).map((r) => r.id);
      const out: BenchRow[] = [row("events", n, "events")];
      // each part uses its own users, so the per-user rate limits never interfere
      out.push(...(await race(sql, users.slice(0, 201))));
      out.push(...(await throughput(sql, users.slice(201, 4202))));
      out.push(...(await nearby(url, users)));
      out.push(...(await icsFeed(url, sql, users.slice(4300))));
      // leave the bench database as it was seeded: the rows made here go with their events
      await sql`delete from social.events where title like 'Bench %'`;
      return out;
    } finally {
      await sql.end();
    }
  },
};
