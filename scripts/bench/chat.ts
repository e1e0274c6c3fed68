/**
 * Chat benchmark on its own seeded database (.supasocial/bench-chat: 10,000 users, about 36,000
 * conversations, 5M messages; the demo conversations have 50,000 messages each):
 *  - send_throughput, send_p99: 8 connections send for 10 s (after 2 s of warm-up) into 100
 *    conversations (50 direct, 50 groups of 6), each send a request as PostgREST makes it
 *    (one round trip: begin, the user's claims, `set local role authenticated`,
 *    social.send_message, commit) with every trigger on: message.new on chat:<id> and chat.message
 *    on each other member's user:<id>. The `message` rate limit is lifted for the run (its counter
 *    is still written); p99 is the client's round trip;
 *  - history_page_p95: server time (planning + execution, EXPLAIN ANALYZE) of social.list_messages
 *    pages of 50 under RLS as a member: the latest page, a page half the history deep (25,000
 *    messages in the largest), and around a message, in the 4 largest conversations and 20
 *    long-tail ones; each page read once before the measured repeats;
 *  - conversation_list_p95: server time of social.list_conversations' first page (20, unread
 *    counts, latest message, members) for a user in 200 conversations;
 *  - delivery_latency_p50/p95: the local stack (@supabase/lite and the Realtime development
 *    server, in this process) on the bench database: ana sends through the SDK, ben's
 *    chat.subscribe onMessage fires (200 samples after 20 warm-up).
 * What the run adds (its conversations, users, broadcasts) is removed at the end.
 * SUPASOCIAL_BENCH_CHAT_USERS=1000 makes a smaller database (500,000 messages) for a quick run.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createClient } from "@supabase/supabase-js";
import postgres from "postgres";
import WebSocket from "ws";
import { withChat } from "../../client-sdk/src/chat.ts";
import { createSupasocialClient, type Database } from "../../client-sdk/src/index.ts";
import { DEMO_PASSWORD } from "../../seeds/seed.ts";
import { ROOT } from "../lib/db.ts";
import { startStack } from "../lib/stack.ts";
import { as, type BenchArea, type BenchRow, percentile, row, serverTime } from "./harness.ts";

const SENDERS = 8;
const CONVERSATIONS = 100;
const WARMUP_MS = 2_000;
const RUN_MS = 10_000;
const REPEATS = 5;
const LIST_REPEATS = 40;
const DELIVERY_WARMUP = 20;
const DELIVERY_SAMPLES = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

interface BenchConversation {
  id: string;
  members: string[];
}

/** Run `query` as `userId` the way PostgREST does, in one transaction. */
async function asUser<T>(sql: postgres.Sql, userId: string, query: (tx: postgres.TransactionSql) => Promise<T>) {
  return sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: userId, role: "authenticated" })}, true)`;
    await tx.unsafe("set local role authenticated");
    return query(tx);
  }) as Promise<T>;
}

async function makeSendConversations(sql: postgres.Sql): Promise<BenchConversation[]> {
  const users = (
    await sql<{ id: string }[]>`
    select id from social.profiles order by id offset 100 limit ${CONVERSATIONS * 6}`
  ).map((r) => r.id);
  const out: BenchConversation[] = [];
  for (let i = 0; i < CONVERSATIONS / 2; i++) {
    const [a, b] = [users[2 * i]!, users[2 * i + 1]!];
    const [c] = await asUser(
      sql,
      a,
      (tx) => tx<{ id: string }[]>`select id from social.open_direct_conversation(${b})`,
    );
    out.push({ id: c!.id, members: [a, b] });
  }
  for (let i = 0; i < CONVERSATIONS / 2; i++) {
    const people = users.slice(CONVERSATIONS + 6 * i, CONVERSATIONS + 6 * i + 6);
    const [c] = await asUser(
      sql,
      people[0]!,
      (tx) => tx<{ id: string }[]>`
        select id from social.create_group_conversation(${`bench ${i}`}, ${people.slice(1)}::uuid[])`,
    );
    out.push({ id: c!.id, members: people });
  }
  return out;
}

async function sendBench(url: string, conversations: BenchConversation[]): Promise<BenchRow[]> {
  const connections = Array.from({ length: SENDERS }, () => postgres(url, { max: 1, onnotice: () => {} }));
  const latencies: number[] = [];
  let sent = 0;
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const stopAt = measureFrom + RUN_MS;
  await Promise.all(
    connections.map(async (sql, worker) => {
      for (let i = 0; ; i++) {
        const conv = conversations[(worker + i * SENDERS) % conversations.length]!;
        const sender = conv.members[i % conv.members.length]!;
        const claims = JSON.stringify({ sub: sender, role: "authenticated" });
        const t0 = performance.now();
        if (t0 >= stopAt) break;
        await sql.unsafe(
          `begin;
           select set_config('request.jwt.claims', ${quote(claims)}, true);
           set local role authenticated;
           select id from social.send_message(${quote(conv.id)}, ${quote(randomUUID())}, 'bench message ${i}');
           commit;`,
        );
        const t1 = performance.now();
        if (t0 >= measureFrom) {
          latencies.push(t1 - t0);
          sent++;
        }
      }
    }),
  );
  await Promise.all(connections.map((c) => c.end()));
  return [
    {
      ...row("send_throughput", sent / (RUN_MS / 1000), "msg/s"),
      target: ">= 2000 msg/s",
      pass: sent / (RUN_MS / 1000) >= 2000,
    },
    row("send_p50", percentile(latencies, 50), "ms"),
    row("send_p99", percentile(latencies, 99), "ms", 10),
  ];
}

async function historyBench(sql: postgres.Sql): Promise<BenchRow[]> {
  const targets = await sql<{ id: string; member: string; last_seq: string }[]>`
    (select c.id, (select m.user_id from social.conversation_members m where m.conversation_id = c.id
                   order by m.user_id limit 1) as member, c.last_seq
     from social.conversations c order by c.last_seq desc limit 4)
    union all
    (select c.id, (select m.user_id from social.conversation_members m where m.conversation_id = c.id
                   order by m.user_id limit 1), c.last_seq
     from social.conversations c where c.last_seq between 200 and 5000 order by c.id limit 20)`;
  const times: number[] = [];
  const deep: number[] = [];
  const latest: number[] = [];
  const query = "select * from social.list_messages($1, $3, 'around', $2, 50)";
  for (const t of targets) {
    const who = { role: "authenticated" as const, userId: t.member };
    const half = Math.floor(Number(t.last_seq) / 2);
    const [cursor] = await sql<{ c: string }[]>`
      select social_private.encode_message_cursor('older', ${t.id}, ${half}) as c`;
    const [middle] = await sql<{ id: string }[]>`
      select id from social.messages where conversation_id = ${t.id} and seq = ${half}`;
    // warm-up: each page once (as the feed benchmark does), then the measured repeats
    await as(sql, who, (tx) => serverTime(tx, query, [t.id, null, null]));
    await as(sql, who, (tx) => serverTime(tx, query, [t.id, cursor!.c, null]));
    await as(sql, who, (tx) => serverTime(tx, query, [t.id, null, middle!.id]));
    for (let i = 0; i < REPEATS; i++) {
      const a = await as(sql, who, (tx) => serverTime(tx, query, [t.id, null, null]));
      const b = await as(sql, who, (tx) => serverTime(tx, query, [t.id, cursor!.c, null]));
      const c = await as(sql, who, (tx) => serverTime(tx, query, [t.id, null, middle!.id]));
      times.push(a, b, c);
      latest.push(a);
      deep.push(b);
    }
  }
  return [
    row("history_page_p50", percentile(times, 50), "ms"),
    row("history_page_p95", percentile(times, 95), "ms", 5),
    row("history_deep_vs_latest", percentile(deep, 50) / percentile(latest, 50), "x", 1.5),
  ];
}

async function listBench(sql: postgres.Sql, bencher: string): Promise<BenchRow[]> {
  // 150 direct conversations (a third with 1-3 new messages) and 50 group ones
  const others = (
    await sql<{ id: string }[]>`
    select id from social.profiles where id <> ${bencher} order by id desc limit 150`
  ).map((r) => r.id);
  for (const [i, other] of others.entries()) {
    const [c] = await asUser(
      sql,
      bencher,
      (tx) => tx<{ id: string }[]>`select id from social.open_direct_conversation(${other})`,
    );
    for (let k = 0; k < (i % 3 === 0 ? 1 + (i % 4) : 0); k++) {
      await asUser(sql, other, (tx) => tx`select social.send_message(${c!.id}, ${randomUUID()}, 'hey')`);
    }
  }
  await sql`
    select social_private.add_conversation_member(c.id, ${bencher}, 'member')
    from (select id from social.conversations where kind = 'group' and context_type is null
          order by last_activity_at desc limit 50) c`;
  const [n] = await sql<
    { n: number }[]
  >`select count(*)::int as n from social.conversation_members where user_id = ${bencher}`;
  const who = { role: "authenticated" as const, userId: bencher };
  const query = "select * from social.list_conversations(null, 20)";
  await as(sql, who, (tx) => serverTime(tx, query, []));
  const times: number[] = [];
  for (let i = 0; i < LIST_REPEATS; i++) times.push(await as(sql, who, (tx) => serverTime(tx, query, [])));
  return [
    { metric: "conversation_list_conversations", value: n!.n, unit: "conversations", target: "", pass: null },
    row("conversation_list_p50", percentile(times, 50), "ms"),
    row("conversation_list_p95", percentile(times, 95), "ms", 10),
  ];
}

async function deliveryBench(url: string, sql: postgres.Sql): Promise<BenchRow[]> {
  const stack = await startStack({ dbUrl: url, port: 0, stateDir: join(ROOT, ".supasocial", "bench-chat", "stack") });
  const clients: ReturnType<typeof createClient<Database>>[] = [];
  try {
    const signIn = async (email: string) => {
      const supabase = createClient<Database>(stack.url, stack.keys.publishableKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: WebSocket as never },
      });
      const { error } = await supabase.auth.signInWithPassword({ email, password: DEMO_PASSWORD });
      if (error) throw error;
      clients.push(supabase);
      return withChat(createSupasocialClient(supabase));
    };
    const ana = await signIn("ana@demo.supasocial.dev");
    const ben = await signIn("ben@demo.supasocial.dev");
    const [benProfile] = await sql<{ id: string }[]>`select id from social.profiles where handle = 'ben'`;
    const chat = await ana.chat.openDirect(benProfile!.id);
    if (chat.error) throw chat.error;
    const arrived = new Map<string, (t: number) => void>();
    const sub = await ben.chat.subscribe(chat.data.id, {
      onMessage: (m) => arrived.get(m.body ?? "")?.(performance.now()),
    });
    if (sub.error) throw sub.error;
    const samples: number[] = [];
    for (let i = 0; i < DELIVERY_WARMUP + DELIVERY_SAMPLES; i++) {
      const body = `delivery ${i} ${randomUUID()}`;
      const got = new Promise<number>((resolve) => arrived.set(body, resolve));
      const t0 = performance.now();
      const sent = await ana.chat.send(chat.data.id, { body });
      if (sent.error) throw sent.error;
      const t1 = await Promise.race([got, sleep(5_000).then(() => Number.NaN)]);
      arrived.delete(body);
      if (i >= DELIVERY_WARMUP) samples.push(t1 - t0);
      await sleep(10);
    }
    await sub.data.unsubscribe();
    const lost = samples.filter(Number.isNaN).length;
    const delivered = samples.filter((s) => !Number.isNaN(s));
    return [
      row("delivery_latency_p50", percentile(delivered, 50), "ms"),
      row("delivery_latency_p95", lost ? Number.POSITIVE_INFINITY : percentile(delivered, 95), "ms", 200),
      { metric: "delivery_lost", value: lost, unit: "messages", target: "0", pass: lost === 0 },
    ];
  } finally {
    await Promise.all(clients.map((c) => c.removeAllChannels()));
    await stack.stop();
  }
}

export const chatBench: BenchArea = {
  describe: "10k users, ~36k conversations, 5M messages: sends, history pages, the list, delivery",
  // SUPASOCIAL_BENCH_CHAT_USERS scales it down for a quick run (500 messages per user stay)
  scale: {
    users: Number(process.env.SUPASOCIAL_BENCH_CHAT_USERS ?? 10_000),
    followsPerUser: 20,
    postsPerUser: 2,
    messagesPerUser: 500,
  },
  database: { name: "chat", portOffset: 2 },
  async run(url) {
    // one connection: the reads are measured on a warm session, as an API server's pooled
    // connections are in steady state (a session's first call compiles the plpgsql functions)
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const rows: BenchRow[] = [];
    const [limits] = await sql<{ message: number; conversation: number }[]>`
      select (select per_minute from social_private.rate_limit_rules where action = 'message') as message,
             (select per_minute from social_private.rate_limit_rules where action = 'conversation') as conversation`;
    const bencher = randomUUID();
    let conversations: BenchConversation[] = [];
    const [delivery] = await sql<{ id: string; lastSeq: string }[]>`
      select c.id, c.last_seq as "lastSeq" from social.conversations c
      join social.profiles a on a.handle = 'ana' join social.profiles b on b.handle = 'ben'
      where c.kind = 'direct' and c.direct_user_low = least(a.id, b.id) and c.direct_user_high = greatest(a.id, b.id)`;
    try {
      await sql`update social_private.rate_limit_rules set per_minute = 100000000 where action in ('message', 'conversation')`;
      process.stderr.write("  sends ...\n");
      conversations = await makeSendConversations(sql);
      rows.push(...(await sendBench(url, conversations)));
      process.stderr.write("  history pages ...\n");
      rows.push(...(await historyBench(sql)));
      process.stderr.write("  conversation list ...\n");
      await sql`
        insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data)
        values (${bencher}, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
                ${`${bencher}@bench.supasocial.dev`}, '{}')`;
      rows.push(...(await listBench(sql, bencher)));
      process.stderr.write("  delivery through the stack ...\n");
      rows.push(...(await deliveryBench(url, sql)));
    } finally {
      // leave the seeded data as it was
      await sql.begin(async (tx) => {
        // the bencher's group memberships go without triggers (no member_left system messages)
        await tx`set local session_replication_role = replica`;
        await tx`delete from social.conversation_members m using social.conversations c
                 where m.user_id = ${bencher} and c.id = m.conversation_id and c.kind = 'group'`;
        await tx`set local session_replication_role = origin`;
        await tx`
          update social.conversations c set member_count = m.n
          from (select conversation_id, count(*)::int as n from social.conversation_members group by 1) m
          where m.conversation_id = c.id and c.member_count <> m.n`;
        // the run's own conversations and user (their messages and members go with them)
        await tx`delete from social.conversations where id = any(${conversations.map((c) => c.id)}::uuid[])`;
        await tx`delete from auth.users where id = ${bencher}`;
        // the delivery run's messages in ana and ben's conversation
        if (delivery) {
          await tx`delete from social.messages where conversation_id = ${delivery.id} and seq > ${delivery.lastSeq}`;
          await tx`update social.conversations set last_seq = ${delivery.lastSeq} where id = ${delivery.id}`;
          await tx`update social.conversation_members set last_read_seq = least(last_read_seq, ${delivery.lastSeq})
                   where conversation_id = ${delivery.id}`;
        }
        await tx`delete from realtime.messages`;
        await tx`update social_private.rate_limit_rules set per_minute = ${limits!.message} where action = 'message'`;
        await tx`update social_private.rate_limit_rules set per_minute = ${limits!.conversation} where action = 'conversation'`;
      });
      await sql.end();
    }
    return rows;
  },
};
