/**
 * Write-path benchmark: reactions, comments and posts through the API path with every trigger,
 * against the same rows inserted into bare copies of the tables.
 *
 *   - API path: what PostgREST does for a request, one transaction each: the claims and the role
 *     (`set_config('request.jwt.claims', ...)`, `set_config('role', 'authenticated', true)`, one
 *     statement), then the RPC or the insert, with RLS, rate limits, counters, notifications,
 *     activities and every other trigger.
 *   - Bare: the same row into `bench.bare_<table>`, made `like social.<table> including all` (same
 *     columns, defaults, checks and indexes; no triggers, no RLS, no foreign keys), one
 *     transaction each, as the superuser.
 *   - The API framing alone (`api_framing_*`): the API path's transaction and claims statement
 *     around a statement that writes nothing, against the same bare inserts: the floor under any
 *     write through the API on this machine.
 *
 * Reactions and comments run on 4 concurrent connections over the same rows for both paths, after
 * a warm-up; rounds alternate which path goes first and the median round is reported. Posts are
 * timed one by one (a single connection, begin to commit as the client sees it), by ordinary
 * authors and by an author with 50,000 followers that the benchmark makes (50,000 extra accounts
 * following one user). The rate limit rules of the bench database are raised so that the
 * benchmark's volume is not refused: every write still counts against them (same statement).
 */
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { type BenchArea, type BenchRow, percentile, row } from "./harness.ts";

const CLIENTS = 4;
const ROUNDS = 5;
const REACTIONS_PER_ROUND = 1600;
const COMMENTS_PER_ROUND = 800;
const WARMUP = 200;
const POSTS = 200;
const BIG_FOLLOWERS = 50_000;

type Sql = postgres.Sql;
interface ReactionRow {
  post_id: string;
  user_id: string;
  kind: string;
}
interface CommentRow {
  id: string;
  post_id: string;
  author_id: string;
  body: string;
}

const claims = (userId: string) => JSON.stringify({ sub: userId, role: "authenticated", aud: "authenticated" });

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU time (ms) a server process has used so far, from /proc (Linux); null elsewhere. */
function processCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
interface Timed {
  seconds: number;
  /** CPU per item: this process (the client) and the clients' backends (null off Linux). */
  clientMs: number;
  serverMs: number | null;
}

/** Run `op` over `items` split across `clients`, each working through its share in turn. */
async function concurrently<T>(
  clients: Sql[],
  items: T[],
  op: (sql: Sql, item: T) => Promise<void>,
  pids: number[] = [],
): Promise<Timed> {
  const server0 = pids.map(processCpuMs);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (sql, c) => {
      for (let i = c; i < items.length; i += clients.length) await op(sql, items[i]!);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(client0);
  const server1 = pids.map(processCpuMs);
  const server =
    server0.every((v) => v !== null) && server1.every((v) => v !== null) && pids.length
      ? server1.reduce((sum: number, v, i) => sum + v! - server0[i]!, 0)
      : null;
  return {
    seconds,
    clientMs: (client.user + client.system) / 1000 / items.length,
    serverMs: server === null ? null : server / items.length,
  };
}

async function apiReact(sql: Sql, r: ReactionRow) {
  await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${claims(r.user_id)}, true), set_config('role', 'authenticated', true)`;
    await tx`select social.react(${r.post_id}, ${r.kind}::social.reaction_kind)`;
  });
}

/** The API path's framing alone: the same transaction and claims, a statement that writes nothing. */
async function apiFraming(sql: Sql, r: ReactionRow) {
  await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${claims(r.user_id)}, true), set_config('role', 'authenticated', true)`;
    await tx`select ${r.post_id}::uuid as post_id, ${r.kind}::social.reaction_kind as kind`;
  });
}

async function bareReact(sql: Sql, r: ReactionRow) {
  await sql.begin(async (tx) => {
    await tx`insert into bench.bare_reactions (post_id, user_id, kind) values (${r.post_id}, ${r.user_id}, ${r.kind}::social.reaction_kind)`;
  });
}

async function apiComment(sql: Sql, c: CommentRow) {
  await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${claims(c.author_id)}, true), set_config('role', 'authenticated', true)`;
    await tx`insert into social.comments (id, post_id, body) values (${c.id}, ${c.post_id}, ${c.body})`;
  });
}

async function bareComment(sql: Sql, c: CommentRow) {
  await sql.begin(async (tx) => {
    await tx`insert into bench.bare_comments (id, post_id, author_id, body) values (${c.id}, ${c.post_id}, ${c.author_id}, ${c.body})`;
  });
}

/** Bare copies of the tables, the raised rate limits, and the author with 50,000 followers. */
async function prepare(sql: Sql): Promise<string> {
  await sql`create schema if not exists bench`;
  await sql`create table if not exists bench.bare_reactions (like social.reactions including all)`;
  await sql`create table if not exists bench.bare_comments (like social.comments including all)`;
  await sql`update social_private.rate_limit_rules set per_minute = 1000000 where action in ('reaction', 'comment', 'post')`;
  const [existing] = await sql<{ id: string }[]>`select id from social.profiles where handle = 'bench_big_author'`;
  if (existing) return existing.id;
  console.log(`making an author with ${BIG_FOLLOWERS.toLocaleString()} followers ...`);
  return sql.begin(async (tx) => {
    // loaded like the seeder: triggers off, counters written with the rows
    await tx`set local session_replication_role = replica`;
    const [big] = await tx<{ id: string }[]>`
      select p.id from social.profiles p where p.visibility = 'public' order by p.id limit 1`;
    await tx`
      with u as (select gen_random_uuid() as id, n from generate_series(1, ${BIG_FOLLOWERS}) n),
      a as (
        insert into auth.users (id, instance_id, aud, role, email, created_at, updated_at)
        select u.id, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
               'bench_fan_' || u.n || '@bench.supasocial.dev', now(), now()
        from u
      )
      insert into social.profiles (id, handle, display_name, visibility, following_count)
      select u.id, 'bench_fan_' || u.n, 'Fan', 'public', 1 from u`;
    await tx`insert into social.profile_settings (profile_id) select id from social.profiles where handle like 'bench\\_fan\\_%'`;
    await tx`
      insert into social.follows (follower_id, followee_id, status, created_at, accepted_at)
      select p.id, ${big!.id}, 'accepted', now(), now() from social.profiles p where p.handle like 'bench\\_fan\\_%'`;
    await tx`
      update social.profiles set handle = 'bench_big_author',
        followers_count = (select count(*) from social.follows f where f.followee_id = ${big!.id} and f.status = 'accepted')
      where id = ${big!.id}`;
    return big!.id;
  });
}

/** Rows a user may add: public posts of public profiles, no block either way, not there yet. */
async function reactionRows(sql: Sql, n: number, salt: number): Promise<ReactionRow[]> {
  return sql<ReactionRow[]>`
    with posts as (
      select p.id, p.author_id, row_number() over (order by md5(p.id::text || ${salt})) as i
      from social.posts p join social.profiles a on a.id = p.author_id and a.visibility = 'public'
      where p.group_id is null and p.visibility = 'public' and p.deleted_at is null
        and a.handle <> 'bench_big_author'
      order by md5(p.id::text || ${salt}) limit ${n * 2}
    ), users as (
      select u.id, row_number() over (order by md5(u.id::text || ${salt})) as i
      from social.profiles u where u.handle not like 'bench\\_%'
      order by md5(u.id::text || ${salt}) limit 1000
    )
    select p.id as post_id, u.id as user_id,
           (array['like','love','celebrate','strong','fire','laugh'])[1 + (p.i % 6)::int] as kind
    from posts p join users u on u.i = 1 + (p.i % 1000)
    where u.id <> p.author_id
      and not exists (select 1 from social.blocks b
                      where (b.blocker_id = u.id and b.blocked_id = p.author_id)
                         or (b.blocker_id = p.author_id and b.blocked_id = u.id))
      and not exists (select 1 from social.reactions r
                      where r.post_id = p.id and r.user_id = u.id and r.kind::text = (array['like','love','celebrate','strong','fire','laugh'])[1 + (p.i % 6)::int])
    limit ${n}`;
}

async function commentRows(sql: Sql, n: number, salt: number): Promise<CommentRow[]> {
  const rows = await reactionRows(sql, n, salt);
  return rows.map((r, i) => ({
    id: crypto.randomUUID(),
    post_id: r.post_id,
    author_id: r.user_id,
    body: `bench comment ${salt}-${i}: nice work, keep it up`,
  }));
}

/**
 * Median over rounds of (API time / bare time), API and bare rows per second, and the CPU per row
 * of the client and of the server (the clients' backends) on each path.
 */
async function compare<T>(
  clients: Sql[],
  make: (round: number) => Promise<T[]>,
  api: (sql: Sql, item: T) => Promise<void>,
  bare: (sql: Sql, item: T) => Promise<void>,
) {
  const pids: number[] = [];
  for (const sql of clients) pids.push((await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid);
  const warm = await make(0);
  await concurrently(clients, warm.slice(0, WARMUP), bare);
  await concurrently(clients, warm.slice(0, WARMUP), api);
  const ratios: number[] = [];
  const apiRates: number[] = [];
  const bareRates: number[] = [];
  const cpu = {
    apiClient: [] as number[],
    apiServer: [] as number[],
    bareClient: [] as number[],
    bareServer: [] as number[],
  };
  for (let r = 1; r <= ROUNDS; r++) {
    const items = await make(r);
    let a: Timed;
    let b: Timed;
    if (r % 2) {
      b = await concurrently(clients, items, bare, pids);
      a = await concurrently(clients, items, api, pids);
    } else {
      a = await concurrently(clients, items, api, pids);
      b = await concurrently(clients, items, bare, pids);
    }
    ratios.push(a.seconds / b.seconds);
    apiRates.push(items.length / a.seconds);
    bareRates.push(items.length / b.seconds);
    cpu.apiClient.push(a.clientMs);
    cpu.bareClient.push(b.clientMs);
    if (a.serverMs !== null && b.serverMs !== null) {
      cpu.apiServer.push(a.serverMs);
      cpu.bareServer.push(b.serverMs);
    }
    process.stderr.write(
      `  round ${r}: ${items.length} rows, api ${(items.length / a.seconds).toFixed(0)}/s, bare ${(items.length / b.seconds).toFixed(0)}/s\n`,
    );
  }
  const median = (values: number[]) => (values.length ? percentile(values, 50) : Number.NaN);
  return {
    ratio: percentile(ratios, 50),
    api: percentile(apiRates, 50),
    bare: percentile(bareRates, 50),
    cpu: {
      apiClient: median(cpu.apiClient),
      apiServer: median(cpu.apiServer),
      bareClient: median(cpu.bareClient),
      bareServer: median(cpu.bareServer),
    },
  };
}

/** Server time (EXPLAIN ANALYZE: planning + execution, triggers included) of one write, committed. */
async function serverWrite(sql: Sql, userId: string | null, query: string, params: unknown[]): Promise<number> {
  return sql.begin(async (tx) => {
    if (userId) {
      await tx`select set_config('request.jwt.claims', ${claims(userId)}, true), set_config('role', 'authenticated', true)`;
    }
    const rows = await tx.unsafe(`explain (analyze, timing off, summary on, format json) ${query}`, params as never[]);
    const plan = (rows[0] as Record<string, [{ "Planning Time": number; "Execution Time": number }]>)["QUERY PLAN"][0];
    return plan["Planning Time"] + plan["Execution Time"];
  }) as Promise<number>;
}

/** p50 server time of the same reactions through social.react and into the bare copy. */
async function serverReactions(sql: Sql, rows: ReactionRow[]) {
  const api: number[] = [];
  const bare: number[] = [];
  for (const [i, r] of rows.entries()) {
    const a = await serverWrite(sql, r.user_id, "select social.react($1, $2::social.reaction_kind)", [
      r.post_id,
      r.kind,
    ]);
    const b = await serverWrite(
      sql,
      null,
      "insert into bench.bare_reactions (post_id, user_id, kind) values ($1, $2, $3::social.reaction_kind)",
      [r.post_id, r.user_id, r.kind],
    );
    if (i < 20) continue; // warm-up
    api.push(a);
    bare.push(b);
  }
  return { api: percentile(api, 50), bare: percentile(bare, 50) };
}

async function timePosts(sql: Sql, authors: string[], big: string): Promise<{ all: number[]; big: number[] }> {
  const all: number[] = [];
  const bigTimes: number[] = [];
  for (let i = 0; i < POSTS + 20; i++) {
    // every fourth post is the 50,000-follower author's
    const author = i % 4 === 0 ? big : authors[i % authors.length]!;
    const t0 = performance.now();
    await sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${claims(author)}, true), set_config('role', 'authenticated', true)`;
      await tx`insert into social.posts (body, visibility) values (${`bench post ${i}: today's workout`}, 'public') returning id`;
    });
    const ms = performance.now() - t0;
    if (i < 20) continue; // warm-up
    all.push(ms);
    if (author === big) bigTimes.push(ms);
  }
  return { all, big: bigTimes };
}

/**
 * Apply the effects the benchmark's reactions and comments queued (their notifications and
 * activities), as the job does after the commits: one connection, batches of 1,000, until the
 * queue is empty. Effects per second and milliseconds per effect.
 */
async function drainEffects(sql: Sql): Promise<{ rate: number; ms: number }> {
  let done = 0;
  const t0 = performance.now();
  for (;;) {
    const [{ n }] = await sql<{ n: number }[]>`select social_private.run_deferred_effects(1000) as n`;
    if (!n) break;
    done += n;
  }
  const seconds = (performance.now() - t0) / 1000;
  const [{ failed }] = await sql<{ failed: number }[]>`
    select count(*)::int as failed from social_private.deferred_effects where last_error is not null`;
  if (failed) throw new Error(`${failed} deferred effects failed (social_private.deferred_effects.last_error)`);
  console.log(`deferred effects: ${done} applied in ${seconds.toFixed(1)} s`);
  return { rate: done / seconds, ms: (seconds * 1000) / Math.max(done, 1) };
}

export const writesBench: BenchArea = {
  describe: "reactions, comments and posts through the API path vs a bare insert",
  scale: { users: 10_000, followsPerUser: 200, postsPerUser: 84, seed: 20261128 },
  database: { name: "writes", portOffset: 3 },
  async run(url) {
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    const clients = Array.from({ length: CLIENTS }, () => postgres(url, { max: 1, onnotice: () => {} }));
    try {
      const big = await prepare(admin);
      const [scale] = await admin`select (select count(*) from social.posts)::int as posts,
        (select count(*) from social.reactions)::int as reactions,
        (select followers_count from social.profiles where id = ${big})::int as big_followers`;
      console.log(
        `data: ${scale!.posts} posts, ${scale!.reactions} reactions; the big author has ${scale!.big_followers} followers`,
      );
      let salt = Date.now() % 1_000_000;
      // new rows for each round (and each comparison) against the same bare inserts
      const againstBareReactions = (api: (sql: Sql, r: ReactionRow) => Promise<void>) => {
        const base = salt;
        salt += 100;
        return compare(
          clients,
          (r) => reactionRows(admin, r === 0 ? WARMUP : REACTIONS_PER_ROUND, base + r),
          api,
          bareReact,
        );
      };
      process.stderr.write("  reactions ...\n");
      const reactions = await againstBareReactions(apiReact);
      process.stderr.write("  the API framing alone ...\n");
      const framing = await againstBareReactions(apiFraming);
      process.stderr.write("  comments ...\n");
      const comments = await compare(
        clients,
        (r) => commentRows(admin, r === 0 ? WARMUP : COMMENTS_PER_ROUND, salt + r),
        apiComment,
        bareComment,
      );
      process.stderr.write("  reactions, server time ...\n");
      const server = await serverReactions(clients[0]!, await reactionRows(admin, 320, salt + 50));
      process.stderr.write("  posts ...\n");
      const authors = (
        await admin<{ id: string }[]>`
          select id from social.profiles where handle not like 'bench\\_%' order by md5(id::text || ${salt}) limit 100`
      ).map((a) => a.id);
      const posts = await timePosts(clients[0]!, authors, big);
      process.stderr.write("  deferred effects ...\n");
      const drain = await drainEffects(admin);
      const rows: BenchRow[] = [
        row("reaction_insert_ratio", reactions.ratio, "x", 3),
        row("reaction_throughput", reactions.api, "/s"),
        row("reaction_bare_throughput", reactions.bare, "/s"),
        row("reaction_cpu_client_ms", reactions.cpu.apiClient, "ms"),
        row("reaction_cpu_server_ms", reactions.cpu.apiServer, "ms"),
        row("reaction_bare_cpu_client_ms", reactions.cpu.bareClient, "ms"),
        row("reaction_bare_cpu_server_ms", reactions.cpu.bareServer, "ms"),
        row("reaction_server_ratio", server.api / server.bare, "x"),
        row("api_framing_ratio", framing.ratio, "x"),
        row("api_framing_throughput", framing.api, "/s"),
        row("api_framing_cpu_client_ms", framing.cpu.apiClient, "ms"),
        row("api_framing_cpu_server_ms", framing.cpu.apiServer, "ms"),
        row("reaction_server_ms", server.api, "ms"),
        row("reaction_bare_server_ms", server.bare, "ms"),
        row("comment_insert_ratio", comments.ratio, "x", 3),
        row("comment_throughput", comments.api, "/s"),
        row("comment_bare_throughput", comments.bare, "/s"),
        row("comment_cpu_client_ms", comments.cpu.apiClient, "ms"),
        row("comment_cpu_server_ms", comments.cpu.apiServer, "ms"),
        row("comment_bare_cpu_client_ms", comments.cpu.bareClient, "ms"),
        row("comment_bare_cpu_server_ms", comments.cpu.bareServer, "ms"),
        row("post_insert_p95", percentile(posts.all, 95), "ms", 20),
        row("post_insert_p50", percentile(posts.all, 50), "ms"),
        row("post_insert_big_author_p95", percentile(posts.big, 95), "ms"),
        row("deferred_effects_rate", drain.rate, "/s"),
        row("deferred_effect_ms", drain.ms, "ms"),
      ];
      return rows;
    } finally {
      await Promise.all([admin.end(), ...clients.map((c) => c.end())]);
    }
  },
};
