/**
 * Deterministic data for Supasocial: a fixed faker seed, bulk-loaded with COPY.
 *
 * Rows are generated in memory per table and streamed with `copy ... from stdin`; row triggers are
 * switched off for the load (session_replication_role = replica) and every trigger-maintained
 * value (counters) is recomputed set-wise afterwards, so a million rows load in seconds and the
 * result equals what the triggers would have produced.
 */
import { faker } from "@faker-js/faker";
import postgres from "postgres";

export const DEMO_PASSWORD = "supasocial-demo";
export const DEMO_USERS = [
  { email: "ana@demo.supasocial.dev", handle: "ana", displayName: "Ana Trainer" },
  { email: "ben@demo.supasocial.dev", handle: "ben", displayName: "Ben Runner" },
  { email: "cleo@demo.supasocial.dev", handle: "cleo", displayName: "Cleo Traveller" },
] as const;

export interface SeedOptions {
  users: number;
  /** Average follows per user. */
  followsPerUser?: number;
  /**
   * A power user (the fifth seeded user) who follows this many accounts (the bench: 5,000); 0 or
   * unset: none.
   */
  powerUserFollows?: number;
  /**
   * A popular author (the fourth seeded user) whom every other user also follows with a chance
   * that gives about this many followers (the bench: 50,000, or everyone when there are fewer
   * users); 0 or unset: none.
   */
  popularAuthorFollowers?: number;
  /** Average posts per user (domains.ts). */
  postsPerUser?: number;
  /**
   * Only what the feeds read: profiles, the graph, groups, posts, reactions, comments and their
   * media; gamification, events, chat and trips stay empty (the feed benchmark's 10m scale).
   */
  feedOnly?: boolean;
  /** Average activities (workouts, meals, check-ins, weigh-ins) per user (gamification.ts). */
  activitiesPerUser?: number;
  /** Events in all (seeds/events.ts); default 2 per 3 users. */
  events?: number;
  /** Average chat messages per user (chat.ts; default 40). */
  messagesPerUser?: number;
  seed?: number;
  log?: (message: string) => void;
  progress?: boolean;
}

export const CITIES = [
  "Lisbon",
  "Berlin",
  "Madrid",
  "Paris",
  "London",
  "Amsterdam",
  "Warsaw",
  "Prague",
  "Vienna",
  "Barcelona",
  "Porto",
  "Milan",
  "Rome",
  "Copenhagen",
  "Stockholm",
  "Dublin",
];
const INTERESTS = [
  "running",
  "cycling",
  "yoga",
  "strength",
  "hiking",
  "swimming",
  "nutrition",
  "climbing",
  "travel",
  "photography",
  "football",
  "tennis",
  "crossfit",
  "meditation",
  "boxing",
  "surf",
];
const TIMEZONES = ["Europe/Lisbon", "Europe/Berlin", "Europe/Madrid", "Europe/Paris", "Europe/London"];

/** A simple progress bar on stderr (only on a terminal, or when forced). */
export class Progress {
  private last = 0;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly enabled = process.stderr.isTTY === true,
  ) {}
  tick(done: number) {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const width = 30;
    const ratio = this.total ? Math.min(done / this.total, 1) : 1;
    const bar = "#".repeat(Math.round(ratio * width)).padEnd(width, ".");
    process.stderr.write(
      `\r  ${this.label.padEnd(18)} [${bar}] ${done.toLocaleString()}/${this.total.toLocaleString()}`,
    );
    if (done >= this.total) process.stderr.write("\n");
  }
}

type Cell = string | number | boolean | null | string[] | Date;

/** Encode one value for COPY's text format (arrays as array literals, then COPY-escaped). */
function copyValue(value: Cell): string {
  if (value === null || value === undefined) return "\\N";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "boolean") return value ? "t" : "f";
  const text = Array.isArray(value)
    ? `{${value.map((v) => `"${v.replace(/(["\\])/g, "\\$1")}"`).join(",")}}`
    : String(value);
  return text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

/** Stream rows into `table (columns)` with COPY. */
export async function copyRows(
  sql: postgres.Sql | postgres.TransactionSql,
  table: string,
  columns: string[],
  rows: Iterable<Cell[]>,
  progress?: Progress,
): Promise<number> {
  const writable = await sql.unsafe(`copy ${table} (${columns.join(", ")}) from stdin`).writable();
  let n = 0;
  let chunk: string[] = [];
  const flush = async () => {
    if (!chunk.length) return;
    const data = chunk.join("");
    chunk = [];
    if (!writable.write(data)) await new Promise((r) => writable.once("drain", r));
  };
  for (const row of rows) {
    chunk.push(`${row.map(copyValue).join("\t")}\n`);
    n++;
    if (chunk.length >= 5000) {
      await flush();
      progress?.tick(n);
    }
  }
  await flush();
  await new Promise<void>((resolveEnd, reject) => {
    writable.on("error", reject);
    writable.end(() => resolveEnd());
    writable.on("finish", () => resolveEnd());
  });
  progress?.tick(n);
  return n;
}

export interface SeededUser {
  id: string;
  email: string;
  handle: string;
  city: string;
  visibility: "public" | "followers" | "private";
  createdAt: Date;
}

/** Users with deterministic ids, handles and details; the first ones are the demo logins. */
export function generateUsers(count: number): SeededUser[] {
  const users: SeededUser[] = [];
  const base = new Date("2026-01-01T00:00:00Z").getTime();
  for (let i = 0; i < count; i++) {
    const demo = DEMO_USERS[i];
    const first = faker.person.firstName();
    const handle = demo?.handle ?? `${first.toLowerCase().replace(/[^a-z0-9]/g, "")}_${i}`;
    users.push({
      id: faker.string.uuid(),
      email: demo?.email ?? `user${i}@seed.supasocial.dev`,
      handle: handle.slice(0, 30),
      city: faker.helpers.arrayElement(CITIES),
      visibility: demo
        ? "public"
        : faker.helpers.weightedArrayElement([
            { weight: 80, value: "public" as const },
            { weight: 10, value: "followers" as const },
            { weight: 10, value: "private" as const },
          ]),
      createdAt: new Date(base + i * 60_000),
    });
  }
  return users;
}

/** The seed's database work, table by table. */
export async function seed(
  url: string,
  options: SeedOptions,
): Promise<{ users: SeededUser[]; counts: Record<string, number> }> {
  faker.seed(options.seed ?? 20261128);
  const log = options.log ?? (() => {});
  const show = options.progress ?? process.stderr.isTTY === true;
  // SUPASOCIAL_SEED_PROFILE=1: log how long each statement of the seed took (they run one after another)
  let previous: { at: number; query: string } | null = null;
  const profile = (query: string) => {
    const now = Date.now();
    if (previous && now - previous.at >= 1000) {
      log(`    ${((now - previous.at) / 1000).toFixed(1)} s  ${previous.query.replace(/\s+/g, " ").slice(0, 90)}`);
    }
    previous = { at: now, query };
  };
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    ...(process.env.SUPASOCIAL_SEED_PROFILE ? { debug: (_c: number, query: string) => profile(query) } : {}),
  });
  const counts: Record<string, number> = {};
  const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const result = await fn();
    log(`  ${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return result;
  };
  try {
    const users = generateUsers(options.users);
    const [{ hash }] = await sql<{ hash: string }[]>`
      select extensions.crypt(${DEMO_PASSWORD}, extensions.gen_salt('bf', 10)) as hash`;
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      counts.users = await copyRows(
        tx,
        "auth.users",
        [
          "id",
          "instance_id",
          "aud",
          "role",
          "email",
          "encrypted_password",
          "email_confirmed_at",
          "raw_app_meta_data",
          "raw_user_meta_data",
          "created_at",
          "updated_at",
        ],
        users.map((u) => [
          u.id,
          "00000000-0000-0000-0000-000000000000",
          "authenticated",
          "authenticated",
          u.email,
          hash,
          u.createdAt,
          '{"provider":"email","providers":["email"]}',
          JSON.stringify({ handle: u.handle, display_name: displayNameFor(u) }),
          u.createdAt,
          u.createdAt,
        ]),
        new Progress("users", users.length, show),
      );
      counts.profiles = await copyRows(
        tx,
        "social.profiles",
        ["id", "handle", "display_name", "visibility", "created_at", "updated_at"],
        users.map((u) => [u.id, u.handle, displayNameFor(u), u.visibility, u.createdAt, u.createdAt]),
      );
      await copyRows(
        tx,
        "social.profile_details",
        ["profile_id", "bio", "city", "interests", "timezone"],
        users.map((u) => [
          u.id,
          faker.person.bio(),
          u.city,
          faker.helpers.arrayElements(INTERESTS, { min: 1, max: 4 }),
          faker.helpers.arrayElement(TIMEZONES),
        ]),
      );
      await copyRows(
        tx,
        "social.profile_settings",
        ["profile_id"],
        users.map((u) => [u.id]),
      );
      // the big tables' secondary indexes are built once after the load (a sort each) instead of
      // taking millions of random inserts; unique ones, primary keys and those the seed's own
      // statements read stay
      const deferred = await tx<{ name: string; def: string }[]>`
        select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
        from pg_index i
        where i.indrelid = any (${DEFERRED_INDEX_TABLES}::regclass[])
          and not i.indisunique and not i.indisprimary
          and i.indexrelid::regclass::text <> all (${KEPT_INDEXES}::text[])
        order by 1`;
      for (const d of deferred) await tx.unsafe(`drop index ${d.name}`);
      counts.follows = await copyRows(
        tx,
        "social.follows",
        ["follower_id", "followee_id", "status", "created_at", "accepted_at"],
        generateFollows(
          users,
          options.followsPerUser ?? 10,
          options.powerUserFollows ?? 0,
          options.popularAuthorFollowers ?? 0,
        ),
        new Progress("follows", users.length * (options.followsPerUser ?? 10), show),
      );
      for (const extension of seedExtensions) {
        Object.assign(
          counts,
          await step(`extension ${extension.name || "?"}`, () => extension(tx, users, { ...options, progress: show })),
        );
      }
      await step("indexes", async () => {
        await tx`set local maintenance_work_mem = '1GB'`;
        for (const d of deferred) await tx.unsafe(d.def);
      });
      await step("analyze", () => tx`analyze`);
      await step("recompute counters", () => recomputeCounters(tx, step));
    });
    // the counter recompute leaves dead tuples: vacuum so reads see the steady state
    await step("vacuum", () => sql`vacuum (analyze)`);
    log(
      `seeded ${Object.entries(counts)
        .map(([k, v]) => `${v.toLocaleString()} ${k}`)
        .join(", ")}`,
    );
    return { users, counts };
  } finally {
    await sql.end();
  }
}

function displayNameFor(u: SeededUser): string {
  const demo = DEMO_USERS.find((d) => d.handle === u.handle);
  return demo?.displayName ?? u.handle.split("_")[0]!.replace(/^./, (c) => c.toUpperCase());
}

/** Index in the seeded users of the popular author and of the power user (SeedOptions). */
export const POPULAR_AUTHOR = 3;
export const POWER_USER = 4;

/**
 * Follow edges: preferential attachment (popular users get more followers), no self-follows; the
 * power user follows `powerFollows` accounts (their own picks, then uniformly random ones) and
 * everybody follows the popular author with the chance that gives it `popularFollowers`.
 */
function* generateFollows(
  users: SeededUser[],
  perUser: number,
  powerFollows: number,
  popularFollowers: number,
): Generator<Cell[]> {
  const n = users.length;
  if (n < 2) return;
  const popular = popularFollowers > 0 && n > POPULAR_AUTHOR ? POPULAR_AUTHOR : -1;
  const popularChance = Math.min(1, popularFollowers / (n - 1));
  for (let i = 0; i < n; i++) {
    const follower = users[i]!;
    const k = Math.min(n - 1, Math.max(1, Math.round(perUser * (0.5 + faker.number.float()))));
    const picked = new Set<number>();
    while (picked.size < k) {
      // skewed toward low indexes: a power-law-ish popularity
      const j = Math.floor(n * faker.number.float() ** 2.2);
      if (j !== i) picked.add(j);
    }
    if (popular >= 0 && i !== popular && faker.number.float() < popularChance) picked.add(popular);
    if (i === POWER_USER && powerFollows > 0) {
      const target = Math.min(n - 1, powerFollows);
      while (picked.size < target) {
        const j = Math.floor(n * faker.number.float());
        if (j !== i) picked.add(j);
      }
    }
    for (const j of picked) {
      const followee = users[j]!;
      const pending = followee.visibility === "private" && faker.number.float() < 0.2;
      const at = new Date(Math.max(follower.createdAt.getTime(), followee.createdAt.getTime()) + 3_600_000);
      yield [follower.id, followee.id, pending ? "pending" : "accepted", at, pending ? null : at];
    }
  }
}

/** Tables whose secondary indexes the seed builds after loading them (see seed()). */
const DEFERRED_INDEX_TABLES = [
  "social.follows",
  "social.posts",
  "social.post_stats",
  "social.reactions",
  "social.comments",
];
/** Indexes of those tables that the seed's statements read while loading (media.ts by author). */
const KEPT_INDEXES = ["social.posts_author_idx"];

/** Later domains add their tables here; each returns its row counts. */
export type SeedExtension = (
  tx: postgres.TransactionSql,
  users: SeededUser[],
  options: SeedOptions,
) => Promise<Record<string, number>>;
export const seedExtensions: SeedExtension[] = [];

/** Recompute every trigger-maintained counter from the rows (used after a bulk load). */
export async function recomputeCounters(
  tx: postgres.TransactionSql | postgres.Sql,
  step: <T>(label: string, fn: () => Promise<T>) => Promise<T> = (_l, fn) => fn(),
): Promise<void> {
  // set-based: one aggregate per side, hash-joined; correlated counts per row are far slower at scale
  await tx`
    with followers as (
      select followee_id as id, count(*)::int as n from social.follows where status = 'accepted' group by 1
    ), following as (
      select follower_id as id, count(*)::int as n from social.follows where status = 'accepted' group by 1
    )
    update social.profiles p
    set followers_count = coalesce(fr.n, 0), following_count = coalesce(fg.n, 0)
    from social.profiles p2
    left join followers fr on fr.id = p2.id
    left join following fg on fg.id = p2.id
    where p.id = p2.id
      and (p.followers_count, p.following_count) is distinct from (coalesce(fr.n, 0), coalesce(fg.n, 0))`;
  for (const [i, recompute] of counterRecomputers.entries()) await step(`recompute ${i}`, () => recompute(tx));
}
export const counterRecomputers: ((tx: postgres.TransactionSql | postgres.Sql) => Promise<void>)[] = [];

/** Load the demo data once: only when no profile exists yet. Returns whether it seeded. */
export async function seedIfEmpty(url: string, opts: { log?: (m: string) => void } = {}): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from social.profiles`;
    if (n > 0) return false;
  } finally {
    await sql.end();
  }
  await seed(url, { users: DEMO_SCALE_USERS, followsPerUser: 8, log: opts.log });
  return true;
}

export const DEMO_SCALE_USERS = 60;
