/**
 * Premium benchmark, on the schema-only bench database with its own data:
 *  - webhook_p95: wall time of one Stripe event through the local stack's `stripe-webhook`
 *    function, from the request to its answer: signature check on the raw body, the event-id
 *    look-up, the subscription fetched from the fake Stripe API (scripts/lib/fake-stripe.ts, on
 *    127.0.0.1) and the apply transaction; 300 events (customer.subscription.updated of 100
 *    subscribers) after 30 warm-up ones (target <= 50 ms);
 *  - gated_feed_ratio: the server time (EXPLAIN ANALYZE, planning + execution) of the first page of
 *    20 of `social.group_feed` in a tier-gated club over the same page in an open club of the same
 *    shape (100 members, 2,000 posts), as a member holding the tier under RLS; p50 of 300 calls each,
 *    alternating (target <= 1.2);
 *  - ticket_race_oversold: 200 buyers start a purchase of the same event (25 seats) at once on 16
 *    connections, as themselves (social.start_ticket_purchase); then, for three rounds, every open
 *    hold's payment resolves (two in three succeed, one in three is cancelled, which promotes the
 *    next in line to a hold), each applied twice, all concurrently in random order through the
 *    webhook's write (social.apply_stripe_payment); seats held or sold over the capacity, at the
 *    worst moment checked (target 0).
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import Stripe from "stripe";
import { startFakeStripe } from "../lib/fake-stripe.ts";
import { startStack } from "../lib/stack.ts";
import { type BenchArea, type BenchRow, percentile, row, serverTime } from "./harness.ts";

const WEBHOOK_SECRET = "whsec_supasocial_bench";
const STRIPE_KEY = "sk_test_supasocial_bench";

function asUser<T>(sql: postgres.Sql, userId: string, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: userId, role: "authenticated" })}, true)`;
    await tx.unsafe("set local role authenticated");
    return fn(tx);
  }) as Promise<T>;
}

async function makeUsers(sql: postgres.Sql, n: number, tag: string): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await sql`
    insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, email_confirmed_at)
    select u, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', u || ${`@${tag}.bench`}, '{}', now()
    from unnest(${ids}::uuid[]) u`;
  return ids;
}

async function catalog(sql: postgres.Sql) {
  await sql`insert into social.premium_tiers (tier, rank, name) values ('plus', 1, 'Plus') on conflict do nothing`;
  await sql`
    insert into social.plans (id, tier, name, interval, stripe_price_id, amount_cents, currency)
    values ('plus-monthly', 'plus', 'Plus', 'month', 'price_plus_monthly', 500, 'EUR') on conflict do nothing`;
}

async function subscribe(sql: postgres.Sql, user: string, status = "active") {
  const customer = `cus_${user.replace(/-/g, "").slice(0, 20)}`;
  const sub = `sub_${user.replace(/-/g, "").slice(0, 20)}`;
  await sql`insert into social.billing_customers (user_id, stripe_customer_id) values (${user}, ${customer}) on conflict do nothing`;
  await sql`
    insert into social.subscriptions (stripe_subscription_id, user_id, stripe_customer_id, stripe_price_id, plan_id, tier, status,
                                      current_period_start, current_period_end)
    values (${sub}, ${user}, ${customer}, 'price_plus_monthly', 'plus-monthly', 'plus', ${status}, now() - interval '1 day', now() + interval '29 days')
    on conflict (stripe_subscription_id) do update set status = excluded.status`;
  return { customer, sub };
}

async function gatedFeed(sql: postgres.Sql): Promise<BenchRow[]> {
  const [owner, ...members] = await makeUsers(sql, 101, "feed");
  await catalog(sql);
  const reader = members[0]!;
  await subscribe(sql, owner!);
  await subscribe(sql, reader);
  const groups: string[] = [];
  for (const tier of [null, "plus"]) {
    const [g] = await sql<{ id: string }[]>`
      insert into social.groups (kind, name, visibility, join_policy, required_tier, owner_id)
      values ('club', ${tier ? "Gated club" : "Open club"}, 'public', 'open', ${tier}, ${owner!}) returning id`;
    const group = g!.id;
    groups.push(group);
    await sql`insert into social.group_members (group_id, user_id, role, status)
              select ${group}, u, 'member', 'active' from unnest(${members}::uuid[]) u on conflict do nothing`;
    await sql`
      insert into social.posts (author_id, body, visibility, group_id, created_at)
      select (${members}::uuid[])[1 + (i % ${members.length})], 'post ' || i, 'group', ${group}, now() - make_interval(mins => i)
      from generate_series(1, 2000) i`;
  }
  await sql`analyze`;
  const times: Record<string, number[]> = { open: [], gated: [] };
  const query = "select * from social.group_feed($1, 'latest', null, 20)";
  const sample = async (group: string) =>
    sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: reader, role: "authenticated" })}, true)`;
      await tx.unsafe("set local role authenticated");
      return serverTime(tx, query, [group]);
    }) as Promise<number>;
  for (let i = 0; i < 40; i++) {
    await sample(groups[0]!);
    await sample(groups[1]!);
  }
  for (let i = 0; i < 300; i++) {
    times.open!.push(await sample(groups[0]!));
    times.gated!.push(await sample(groups[1]!));
  }
  // the gate is real: without the tier the same call is refused
  await sql`update social.subscriptions set status = 'canceled' where user_id = ${reader}`;
  const refused = await sample(groups[1]!).then(
    () => false,
    (e: { hint?: string }) => e.hint === "group_forbidden",
  );
  if (!refused) throw new Error("the gated feed answered a member without the tier");
  const open50 = percentile(times.open!, 50);
  const gated50 = percentile(times.gated!, 50);
  return [
    row("gated_feed_ratio", gated50 / open50, "x", 1.2),
    row("gated_feed_p50", gated50, "ms"),
    row("open_feed_p50", open50, "ms"),
    row("gated_feed_p95", percentile(times.gated!, 95), "ms"),
    row("open_feed_p95", percentile(times.open!, 95), "ms"),
  ];
}

async function ticketRace(url: string, sql: postgres.Sql): Promise<BenchRow[]> {
  const pool = postgres(url, { max: 16, onnotice: () => {} });
  try {
    const [organizer, ...buyers] = await makeUsers(sql, 201, "race");
    await sql`update social_private.rate_limit_rules set per_minute = 100000 where action = 'ticket'`;
    const event = await asUser(pool, organizer!, async (tx) => {
      const [e] = await tx`select id from social.create_event(${tx.json({
        title: "Race",
        starts_at: new Date(Date.now() + 86400_000).toISOString(),
        ends_at: new Date(Date.now() + 90000_000).toISOString(),
        capacity: 25,
      })})`;
      await tx`select social.publish_event(${e!.id}, false)`;
      return e!.id as string;
    });
    await sql`update social.events set price_cents = 1500, currency = 'EUR' where id = ${event}`;
    let worst = 0;
    const check = async () => {
      const [r] = await sql`
        select e.capacity,
          (select coalesce(sum(1 + guests), 0)::int from social.event_rsvps r where r.event_id = e.id and r.status = 'going' and r.waitlist_seq is null) as seated,
          (select coalesce(sum(seats), 0)::int from social.payments p where p.event_id = e.id and p.seats_held) as held
        from social.events e where e.id = ${event}`;
      worst = Math.max(worst, r!.seated + r!.held - r!.capacity);
    };
    const t0 = performance.now();
    await Promise.all(
      buyers.map((b) =>
        asUser(pool, b, (tx) => tx`select * from social.start_ticket_purchase(${event}, 0, ${`race-${b}`})`),
      ),
    );
    const purchaseMs = performance.now() - t0;
    await check();
    for (let round = 0; round < 3; round++) {
      const open = await sql<
        { id: string }[]
      >`select id from social.payments where event_id = ${event} and status = 'open'`;
      const applies = open
        .flatMap((p, i) =>
          [i % 3 === 2 ? "canceled" : "succeeded", i % 3 === 2 ? "canceled" : "succeeded"].map((s) => ({
            id: p.id,
            s,
          })),
        )
        .sort(() => Math.random() - 0.5);
      await Promise.all(
        applies.map((a) =>
          pool.begin(async (tx) => {
            await tx.unsafe("set local role service_role");
            return tx`select social.apply_stripe_payment(${tx.json({ payment_id: a.id, state: a.s })})`;
          }),
        ),
      );
      await check();
    }
    const [sold] = await sql`
      select count(*)::int as n from social.event_rsvps where event_id = ${event} and status = 'going' and waitlist_seq is null`;
    return [
      row("ticket_race_oversold", Math.max(worst, 0), "seats", 0),
      row("ticket_race_sold", sold!.n, "seats"),
      row("ticket_race_purchase_ms", purchaseMs, "ms"),
    ];
  } finally {
    await sql`update social_private.rate_limit_rules set per_minute = 10 where action = 'ticket'`;
    await pool.end({ timeout: 5 });
  }
}

async function webhook(url: string, sql: postgres.Sql): Promise<BenchRow[]> {
  const fake = await startFakeStripe();
  const state = await mkdtemp(join(tmpdir(), "supasocial-bench-premium-"));
  const stack = await startStack({
    dbUrl: url,
    port: 0,
    stateDir: state,
    functionsEnv: { STRIPE_SECRET_KEY: STRIPE_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_BASE: fake.url },
  });
  try {
    await catalog(sql);
    const users = await makeUsers(sql, 100, "hook");
    const subs: Record<string, unknown>[] = [];
    for (const u of users) {
      const { customer, sub } = await subscribe(sql, u);
      const now = Math.floor(Date.now() / 1000);
      const obj = {
        id: sub,
        object: "subscription",
        customer,
        status: "active",
        items: {
          object: "list",
          data: [
            {
              price: { id: "price_plus_monthly" },
              current_period_start: now - 3600,
              current_period_end: now + 86400 * 29,
            },
          ],
        },
        cancel_at_period_end: false,
        cancel_at: null,
        canceled_at: null,
        ended_at: null,
        trial_start: null,
        trial_end: null,
        metadata: {},
      };
      fake.set(obj);
      subs.push(obj);
    }
    const stripe = new Stripe(STRIPE_KEY);
    const send = async (i: number) => {
      const object = subs[i % subs.length]!;
      const payload = JSON.stringify({
        id: `evt_bench_${randomUUID().replace(/-/g, "")}`,
        object: "event",
        type: "customer.subscription.updated",
        created: Math.floor(Date.now() / 1000),
        data: { object },
      });
      const header = stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
      const t0 = performance.now();
      const res = await fetch(`${stack.url}/functions/v1/stripe-webhook`, {
        method: "POST",
        headers: { "stripe-signature": header, "content-type": "application/json" },
        body: payload,
      });
      const body = (await res.json()) as { outcome?: string };
      const ms = performance.now() - t0;
      if (res.status !== 200 || body.outcome !== "applied")
        throw new Error(`webhook answered ${res.status} ${JSON.stringify(body)}`);
      return ms;
    };
    for (let i = 0; i < 30; i++) await send(i);
    const times: number[] = [];
    for (let i = 0; i < 300; i++) times.push(await send(i));
    return [row("webhook_p95", percentile(times, 95), "ms", 50), row("webhook_p50", percentile(times, 50), "ms")];
  } finally {
    await stack.stop();
    await fake.close();
    await rm(state, { recursive: true, force: true });
  }
}

export const premiumBench: BenchArea = {
  describe: "webhooks through the function, a gated club's feed, 200 concurrent ticket purchases",
  scale: null,
  async run(url) {
    const sql = postgres(url, { max: 4, onnotice: () => {} });
    try {
      const rows: BenchRow[] = [];
      rows.push(...(await webhook(url, sql)));
      rows.push(...(await gatedFeed(sql)));
      rows.push(...(await ticketRace(url, sql)));
      return rows;
    } finally {
      await sql.end({ timeout: 5 });
    }
  },
};
