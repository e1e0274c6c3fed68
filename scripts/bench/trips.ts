/**
 * Trips benchmark, on the schema-only bench database with its own data (one trip of 10 days,
 * 200 items and 20 members; 8 of them editors), and the Realtime development server in its own
 * process (as the realtime bench runs it):
 *  - concurrent_edits_lost: 8 editors on their own connections make 500 moves and edits at once
 *    on one itinerary. Edits append a unique token to an item's notes with the version read and,
 *    on `conflict`, read again and retry; moves put an editor's own items on random days and
 *    places. Afterwards every acknowledged edit's token must be in its item's notes, every item
 *    on the day of its last acknowledged move, and no item lost or doubled: anything else counts
 *    as lost (target 0);
 *  - trip_open_p95: `social.get_trip` (the trip, 200 items, 20 members) as a member under RLS,
 *    server time (planning + execution, EXPLAIN ANALYZE), as the feed bench measures (<= 10 ms);
 *  - change_broadcast_p95: from an editor's autocommitted edit to the callback of another member
 *    subscribed to trip:<id> through the Realtime server (<= 100 ms).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { type RealtimeChannel, RealtimeClient } from "@supabase/supabase-js";
import postgres from "postgres";
import WebSocket from "ws";
import { ROOT } from "../lib/db.ts";
import { signJwt } from "../realtime/jwt.ts";
import { as, type BenchArea, type BenchRow, percentile, row, serverTime } from "./harness.ts";

const EDITORS = 8;
const MEMBERS = 20;
const DAYS = 10;
const ITEMS = 200;
const OPERATIONS = 500;
const SAMPLES = 200;
const WARMUP = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Run one statement as a signed-in user on `sql` (a transaction, as PostgREST runs a request). */
function asUser<T>(sql: postgres.Sql, userId: string, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    const claims = { sub: userId, role: "authenticated", aud: "authenticated" };
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    await tx.unsafe("set local role authenticated");
    return fn(tx);
  }) as Promise<T>;
}

async function startServer(dbUrl: string, keys: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "scripts", "realtime", "serve.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      REALTIME_DB_URL: dbUrl,
      REALTIME_PORT: "0",
      REALTIME_PUBLISHABLE_KEY: keys.publishableKey,
      REALTIME_SECRET_KEY: keys.secretKey,
      REALTIME_JWT_SECRET: keys.jwtSecret,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /realtime listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the Realtime server exited with code ${code}`)));
  });
  return { url, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

interface World {
  tripId: string;
  owner: string;
  editors: string[];
  viewer: string;
  days: string[];
  items: string[];
}

/** The trip: made through the RPCs as the owner, members and items added set-wise. */
async function buildWorld(sql: postgres.Sql): Promise<World> {
  const users = Array.from({ length: MEMBERS + 1 }, () => randomUUID());
  for (const id of users) {
    await sql`
      insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, email_confirmed_at)
      values (${id}, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
              ${`${id}@bench.local`}, '{}', now())`;
  }
  const [owner, ...rest] = users as [string, ...string[]];
  const editors = rest.slice(0, EDITORS);
  const viewer = rest[EDITORS]!;
  const tripId = await asUser(sql, owner, async (tx) => {
    const [t] = await tx<{ id: string }[]>`
      select id from social.create_trip(${tx.json({ title: `Bench trip ${Date.now()}`, visibility: "private" })})`;
    return t!.id;
  });
  for (const [i, id] of rest.entries()) {
    await sql`insert into social.trip_members (trip_id, user_id, role, invited_by)
              values (${tripId}, ${id}, ${i < EDITORS ? "editor" : "viewer"}, ${owner})`;
  }
  const days: string[] = [];
  for (let d = 0; d < DAYS; d++) {
    const day = await asUser(sql, owner, async (tx) => {
      const [r] = await tx<{ id: string }[]>`
        select id from social.add_trip_day(${tripId}, ${tx.json({ day_date: `2027-06-${String(d + 1).padStart(2, "0")}` })})`;
      return r!.id;
    });
    days.push(day);
  }
  // 200 items, 20 a day, with keys from key_between (as the RPC makes them), in one statement
  await sql`
    with recursive k(n, pos) as (
      select 1, social_private.key_between(null, null)
      union all select n + 1, social_private.key_between(pos, null) from k where n < ${ITEMS / DAYS}
    )
    insert into social.trip_items (trip_id, day_id, position, title, notes, place_name, place_lat, place_lng, created_by, updated_by)
    select ${tripId}, d.id, k.pos, 'Item ' || d.ord || '.' || k.n, '', 'Somewhere', 38.7 + k.n / 1000.0, -9.1, ${owner}, ${owner}
    from unnest(${days}::uuid[]) with ordinality as d(id, ord)
    cross join k`;
  const items = (
    await sql<
      { id: string }[]
    >`select id from social.trip_items where trip_id = ${tripId} order by day_id, position, id`
  ).map((r) => r.id);
  return { tripId, owner, editors, viewer, days, items };
}

async function concurrentEdits(dbUrl: string, world: World): Promise<{ lost: number; conflicts: number; ops: number }> {
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  // each editor moves its own slice of items (so the last acknowledged move of an item is known)
  // and edits any of the first 40 items (shared: edits of one item collide and retry)
  const shared = world.items.slice(0, 40);
  const own = (e: number) => world.items.filter((_, i) => i % EDITORS === e);
  const tokens = new Map<string, string[]>();
  const lastDay = new Map<string, string>();
  let conflicts = 0;
  let ops = 0;
  const perEditor = Math.ceil(OPERATIONS / EDITORS);
  const conns = world.editors.map(() => postgres(dbUrl, { max: 1, onnotice: () => {} }));
  try {
    await Promise.all(
      world.editors.map(async (editor, e) => {
        const sql = conns[e]!;
        for (let n = 0; n < perEditor && ops < OPERATIONS; n++) {
          ops++;
          if (n % 2 === 0) {
            const item = pick(own(e));
            const day = pick(world.days);
            const after = Math.random() < 0.3 ? null : pick(world.items);
            const r = await asUser(sql, editor, async (tx) => {
              // after an item of that day (if the one picked is elsewhere, first)
              const [a] = await tx<{ id: string }[]>`
                select id from social.trip_items where id = ${after} and day_id = ${day} and id <> ${item}`;
              const [m] = await tx<{ day_id: string }[]>`
                select day_id from social.move_trip_item(${item}, ${day}, ${a?.id ?? null}, ${!a})`;
              return m!.day_id;
            });
            lastDay.set(item, r);
          } else {
            const item = pick(shared);
            const token = `t${e}x${n}`;
            for (let attempt = 0; ; attempt++) {
              const outcome = await asUser(sql, editor, async (tx) => {
                const [cur] = await tx<{ version: number; notes: string }[]>`
                  select version, notes from social.trip_items where id = ${item}`;
                try {
                  await tx.savepoint(
                    (sp) => sp`
                    select social.update_trip_item(${item}, ${cur!.version}, ${sp.json({ notes: `${cur!.notes} ${token}` })})`,
                  );
                  return "ok";
                } catch (error) {
                  if ((error as { hint?: string }).hint === "conflict") return "conflict";
                  throw error;
                }
              });
              if (outcome === "ok") break;
              conflicts++;
              if (attempt > 200) throw new Error("an edit kept conflicting");
            }
            tokens.set(item, [...(tokens.get(item) ?? []), token]);
          }
        }
      }),
    );
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
  const check = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await check<{ id: string; day_id: string; notes: string }[]>`
      select id, day_id, notes from social.trip_items where trip_id = ${world.tripId}`;
    let lost = Math.abs(rows.length - world.items.length);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [item, list] of tokens) {
      const words = new Set((byId.get(item)?.notes ?? "").split(" "));
      lost += list.filter((t) => !words.has(t)).length;
    }
    for (const [item, day] of lastDay) if (byId.get(item)?.day_id !== day) lost++;
    return { lost, conflicts, ops };
  } finally {
    await check.end();
  }
}

export const tripsBench: BenchArea = {
  describe: `one trip of ${ITEMS} items and ${MEMBERS} members; ${EDITORS} editors at once; the Realtime server in its own process`,
  scale: null,
  async run(dbUrl) {
    const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
    const rows: BenchRow[] = [];
    let server: { url: string; child: ChildProcess } | null = null;
    const clients: RealtimeClient[] = [];
    let saved: { action: string; per_minute: number }[] = [];
    try {
      // the bench makes more writes a minute than a person does: lift the trip limits meanwhile
      saved = await sql<{ action: string; per_minute: number }[]>`
        select action, per_minute from social_private.rate_limit_rules where action like 'trip%'`;
      await sql`update social_private.rate_limit_rules set per_minute = 1000000 where action like 'trip%'`;
      process.stderr.write("  building the trip ...\n");
      const world = await buildWorld(sql);

      process.stderr.write(`  ${EDITORS} editors, ${OPERATIONS} moves and edits at once ...\n`);
      const edits = await concurrentEdits(dbUrl, world);
      rows.push(row("concurrent_edits_lost", edits.lost, "changes", 0));
      rows.push(row("concurrent_edit_conflicts_retried", edits.conflicts, "retries"));

      process.stderr.write("  opening the trip ...\n");
      const open: number[] = [];
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        const member = i % 2 === 0 ? world.viewer : world.editors[i % EDITORS]!;
        const ms = await as(sql, { role: "authenticated", userId: member }, (tx) =>
          serverTime(tx, "select social.get_trip($1)", [world.tripId]),
        );
        if (i >= WARMUP) open.push(ms);
      }
      const [size] = await as(
        sql,
        { role: "authenticated", userId: world.viewer },
        (tx) =>
          tx<{ items: number; members: number }[]>`
          select json_array_length(t -> 'items') as items, json_array_length(t -> 'members') as members
          from social.get_trip(${world.tripId}) t`,
      );
      if (size!.items !== ITEMS || size!.members !== MEMBERS + 1) {
        throw new Error(`get_trip returned ${size!.items} items and ${size!.members} members`);
      }
      rows.push(row("trip_open_p50", percentile(open, 50), "ms"));
      rows.push(row("trip_open_p95", percentile(open, 95), "ms", 10));

      process.stderr.write("  change broadcasts through the Realtime server ...\n");
      const keys = {
        publishableKey: `sb_publishable_${randomBytes(18).toString("base64url")}`,
        secretKey: `sb_secret_${randomBytes(18).toString("base64url")}`,
        jwtSecret: randomBytes(48).toString("base64url"),
      };
      server = await startServer(dbUrl, keys);
      const now = Math.floor(Date.now() / 1000);
      const token = signJwt(
        { sub: world.viewer, role: "authenticated", aud: "authenticated", iat: now, exp: now + 3600 },
        keys.jwtSecret,
      );
      const client = new RealtimeClient(`${server.url.replace(/^http/, "ws")}/realtime/v1`, {
        params: { apikey: keys.publishableKey },
        transport: WebSocket as never,
      });
      clients.push(client);
      await client.setAuth(token);
      const waiting = new Map<string, (t: number) => void>();
      const channel: RealtimeChannel = client
        .channel(`trip:${world.tripId}`, { config: { private: true } })
        .on("broadcast", { event: "item" }, (message) => {
          const notes = (message.payload as { row?: { notes?: string } }).row?.notes ?? "";
          waiting.get(notes.slice(-12))?.(performance.now());
        });
      await new Promise<void>((resolve, reject) =>
        channel.subscribe((status, error) => {
          if (status === "SUBSCRIBED") resolve();
          else if (status !== "CLOSED") reject(new Error(`${status}: ${error?.message ?? ""}`));
        }, 30_000),
      );
      const editor = postgres(dbUrl, { max: 1, onnotice: () => {} });
      const latency: number[] = [];
      try {
        const item = world.items[world.items.length - 1]!;
        for (let i = 0; i < WARMUP + SAMPLES; i++) {
          const mark = `m${String(i).padStart(11, "0")}`;
          const arrived = new Promise<number>((resolve) => waiting.set(mark, resolve));
          const t0 = performance.now();
          await asUser(editor, world.editors[0]!, async (tx) => {
            const [cur] = await tx<{ version: number }[]>`select version from social.trip_items where id = ${item}`;
            await tx`select social.update_trip_item(${item}, ${cur!.version}, ${tx.json({ notes: mark })})`;
          });
          const t1 = await Promise.race([arrived, sleep(5000).then(() => Number.NaN)]);
          waiting.delete(mark);
          if (Number.isNaN(t1)) throw new Error("a change was not delivered within 5 s");
          if (i >= WARMUP) latency.push(t1 - t0);
          await sleep(5);
        }
      } finally {
        await editor.end();
      }
      rows.push(row("change_broadcast_p50", percentile(latency, 50), "ms"));
      rows.push(row("change_broadcast_p95", percentile(latency, 95), "ms", 100));
    } finally {
      for (const c of clients) await c.disconnect();
      if (server) await stopServer(server.child);
      for (const r of saved) {
        await sql`update social_private.rate_limit_rules set per_minute = ${r.per_minute} where action = ${r.action}`;
      }
      await sql.end();
    }
    return rows;
  },
};
