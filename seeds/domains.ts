/**
 * Registers each domain's seed extension with the generator (import this module before calling
 * `seed()`): groups (clubs in several cities, coaching groups with a trainer and trainees),
 * announcements, posts, reactions and comments. Scale follows the user count and the options:
 * the benchmark scale is `--users 10000 --follows 200 --posts 100` (1M posts, ~2M follow edges).
 */
import { faker } from "@faker-js/faker";
import { postMediaList, seedMedia } from "./media.ts";
import { copyRows, counterRecomputers, Progress, type SeededUser, seedExtensions } from "./seed.ts";
import { seedTrips } from "./trips.ts";

const REACTIONS = ["like", "love", "celebrate", "strong", "fire", "laugh"] as const;
const CLUB_TOPICS = ["Runners", "Cyclists", "Yoga", "Hikers", "Climbers", "Swimmers", "Lifters", "Travellers"];
const ACTIVITY_BODIES = [
  "Workout completed: 5 km easy run",
  "Workout completed: upper body strength",
  "Nutrition logged: 3 balanced meals",
  "Workout completed: 45 min yoga flow",
  "Weight milestone reached",
];

interface SeededGroup {
  id: string;
  kind: "club" | "coaching" | "general";
  ownerId: string;
  members: string[];
  visibility: "public" | "private" | "secret";
  createdAt: Date;
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(faker.number.float() * items.length)]!;
}

/** Clubs per city (members from that city), coaching groups (a trainer and 5-15 trainees). */
function generateGroups(users: SeededUser[]): SeededGroup[] {
  const groups: SeededGroup[] = [];
  const byCity = new Map<string, SeededUser[]>();
  for (const u of users) {
    const locals = byCity.get(u.city);
    if (locals) locals.push(u);
    else byCity.set(u.city, [u]);
  }
  const base = new Date("2026-02-01T00:00:00Z").getTime();
  // clubs: about one per 40 users, in the cities that have people
  for (const [, locals] of byCity) {
    const clubs = Math.max(1, Math.round(locals.length / 40));
    for (let c = 0; c < clubs; c++) {
      const owner = pick(locals);
      const size = Math.min(locals.length, faker.number.int({ min: 5, max: 60 }));
      const members = new Set<string>([owner.id]);
      while (members.size < size) members.add(pick(locals).id);
      groups.push({
        id: faker.string.uuid(),
        kind: faker.number.float() < 0.85 ? "club" : "general",
        ownerId: owner.id,
        members: [...members],
        visibility: faker.helpers.weightedArrayElement([
          { weight: 70, value: "public" as const },
          { weight: 20, value: "private" as const },
          { weight: 10, value: "secret" as const },
        ]),
        createdAt: new Date(base + groups.length * 3_600_000),
      });
    }
  }
  // coaching groups: one per 50 users; the demo trainer (users[0]) coaches the first one
  const coaching = Math.max(1, Math.round(users.length / 50));
  for (let c = 0; c < coaching; c++) {
    const trainer = c === 0 ? users[0]! : pick(users);
    const members = new Set<string>([trainer.id]);
    if (c === 0 && users[1]) members.add(users[1].id);
    const size = Math.min(users.length, faker.number.int({ min: 6, max: 16 }));
    while (members.size < size) members.add(pick(users).id);
    groups.push({
      id: faker.string.uuid(),
      kind: "coaching",
      ownerId: trainer.id,
      members: [...members],
      visibility: "private",
      createdAt: new Date(base + groups.length * 3_600_000),
    });
  }
  return groups;
}

interface PostRow {
  id: string;
  authorId: string;
  groupId: string | null;
  createdAt: Date;
  /** Seed of the post's own stream of reactions and comments (postReactions, postComments). */
  seed: number;
  visibility: string;
  /** Counters of the post's social.post_stats row, counted while the post is made. */
  reactionCounts: string;
  reactionCount: number;
  commentCount: number;
}

/** A small seeded generator (mulberry32), one per post and purpose. */
function randomStream(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A post's reactions (about one per post on average, never by its author, one per person and kind). */
function postReactions(p: PostRow, pool: readonly string[]): { who: string; kind: string; k: number }[] {
  const next = randomStream(p.seed);
  const n = Math.floor(next() ** 2 * 4);
  const seen = new Set<string>();
  const out: { who: string; kind: string; k: number }[] = [];
  for (let k = 0; k < n; k++) {
    const who = pool[Math.floor(next() * pool.length)]!;
    const kind = REACTIONS[Math.floor(next() * REACTIONS.length)]!;
    const key = `${who}:${kind}`;
    if (who === p.authorId || seen.has(key)) continue;
    seen.add(key);
    out.push({ who, kind, k });
  }
  return out;
}

/**
 * A post's comment thread: a fifth of posts get 1-3 comments, later ones half the time replying
 * to the last top-level one (`parent`: its index in the thread).
 */
function postComments(p: PostRow, pool: readonly string[]): { parent: number | null; author: string }[] {
  const next = randomStream(p.seed ^ 0x5bd1e995);
  if (next() >= 0.2) return [];
  const n = 1 + Math.floor(next() * 3);
  const out: { parent: number | null; author: string }[] = [];
  let parent: number | null = null;
  for (let k = 0; k < n; k++) {
    const reply: number | null = k > 0 && next() < 0.5 ? parent : null;
    out.push({ parent: reply, author: pool[Math.floor(next() * pool.length)]! });
    if (reply === null) parent = k;
  }
  return out;
}

/**
 * Ids that grow with the order rows are made in (a counter, then random digits), so the primary
 * key's index takes each new row at its end instead of at a random leaf: loading 10M posts stays
 * within memory.
 */
function sequentialUuid(counter: number): string {
  const head = counter.toString(16).padStart(12, "0");
  const tail = faker.string.hexadecimal({ length: 19, casing: "lower", prefix: "" });
  return `${head.slice(0, 8)}-${head.slice(8, 12)}-4${tail.slice(0, 3)}-${((Number.parseInt(tail[3]!, 16) & 3) | 8).toString(16)}${tail.slice(4, 7)}-${tail.slice(7, 19)}`;
}

seedExtensions.push(async (tx, users, options) => {
  const show = options.progress === true;
  const postsPerUser = options.postsPerUser ?? 5;
  const groups = generateGroups(users);
  const groupById = new Map(groups.map((g) => [g.id, g]));
  const memberships = new Map<string, SeededGroup[]>();
  for (const g of groups) {
    for (const m of g.members) {
      const mine = memberships.get(m);
      if (mine) mine.push(g);
      else memberships.set(m, [g]);
    }
  }
  const userById = new Map(users.map((u) => [u.id, u]));

  const counts: Record<string, number> = {};
  counts.groups = await copyRows(
    tx,
    "social.groups",
    [
      "id",
      "kind",
      "name",
      "description",
      "city",
      "tags",
      "visibility",
      "join_policy",
      "owner_id",
      "created_at",
      "updated_at",
    ],
    groups.map((g, i) => {
      const owner = userById.get(g.ownerId)!;
      const name =
        g.kind === "coaching"
          ? `${owner.handle.split("_")[0]}'s coaching ${i}`
          : `${owner.city} ${pick(CLUB_TOPICS)} ${i}`;
      return [
        g.id,
        g.kind,
        name.slice(0, 80),
        faker.lorem.sentence(),
        g.kind === "coaching" ? null : owner.city,
        g.kind === "coaching" ? ["coaching"] : [pick(CLUB_TOPICS).toLowerCase(), owner.city.toLowerCase()],
        g.visibility,
        g.kind === "coaching" || g.visibility === "secret" ? "invite" : pick(["open", "request"] as const),
        g.ownerId,
        g.createdAt,
        g.createdAt,
      ];
    }),
  );
  counts.group_members = await copyRows(
    tx,
    "social.group_members",
    ["group_id", "user_id", "role", "status", "joined_at", "created_at", "updated_at"],
    (function* () {
      for (const g of groups) {
        for (const m of g.members) {
          const role = m === g.ownerId ? "owner" : faker.number.float() < 0.05 ? "moderator" : "member";
          yield [g.id, m, role, "active", g.createdAt, g.createdAt, g.createdAt];
        }
      }
    })(),
  );

  // announcements: a few per group from the owner, read by some members (and the author)
  const announcementRows: (string | boolean | Date)[][] = [];
  const readRows: (string | Date)[][] = [];
  for (const g of groups) {
    const n = g.kind === "coaching" ? 3 : 1;
    for (let k = 0; k < n; k++) {
      const id = faker.string.uuid();
      const at = new Date(g.createdAt.getTime() + (k + 1) * 86_400_000);
      announcementRows.push([
        id,
        g.id,
        g.ownerId,
        faker.lorem.sentence({ min: 3, max: 7 }),
        faker.lorem.paragraph(),
        k === 0,
        at,
        at,
      ]);
      for (const m of g.members) {
        if (m === g.ownerId || faker.number.float() < 0.5) readRows.push([id, m, at]);
      }
    }
  }
  counts.announcements = await copyRows(
    tx,
    "social.announcements",
    ["id", "group_id", "author_id", "title", "body", "pinned", "created_at", "updated_at"],
    announcementRows,
  );
  await copyRows(tx, "social.announcement_reads", ["announcement_id", "user_id", "read_at"], readRows);

  // posts: most on profiles, some in the author's groups; spread over the 120 days before 2026-11-01.
  // Each post's reactions and comments come from a stream of their own (its `seed`), so this pass
  // counts them (for its social.post_stats row: reaction_counts, reaction_count, comment_count and
  // so hot_score) and the passes below yield the same rows: no counter is updated after the load;
  // its media list (seeds/media.ts) is loaded with the row too.
  const end = new Date("2026-11-01T00:00:00Z").getTime();
  const span = 120 * 86_400_000;
  const posts: PostRow[] = [];
  // texts drawn from a pool (faker's lorem costs more than the rest of a row at 10M posts)
  const POST_BODIES = Array.from({ length: 4096 }, () => faker.lorem.sentences({ min: 1, max: 3 }));
  const COMMENT_BODIES = Array.from({ length: 4096 }, () => faker.lorem.sentence());
  const userIds = users.map((u) => u.id);
  counts.posts = await copyRows(
    tx,
    "social.posts",
    ["id", "author_id", "group_id", "kind", "body", "visibility", "media", "created_at", "updated_at"],
    (function* () {
      for (const [i, u] of users.entries()) {
        const mine = memberships.get(u.id) ?? [];
        // 1% of users are prolific (20x), so some profiles have thousands of posts
        const prolific = i < Math.floor(users.length / 100) ? 20 : 1;
        const n = Math.max(1, Math.round(prolific * postsPerUser * (0.3 + faker.number.float() * 1.4)));
        for (let k = 0; k < n; k++) {
          const inGroup = mine.length > 0 && faker.number.float() < 0.3 ? pick(mine) : null;
          const activity = faker.number.float() < 0.2;
          const at = new Date(end - Math.floor(faker.number.float() * span));
          const id = sequentialUuid(posts.length + 1);
          const visibility = inGroup
            ? faker.number.float() < 0.9
              ? "group"
              : "private"
            : faker.helpers.weightedArrayElement([
                { weight: 75, value: "public" },
                { weight: 20, value: "followers" },
                { weight: 5, value: "private" },
              ]);
          const post: PostRow = {
            id,
            authorId: u.id,
            groupId: inGroup?.id ?? null,
            createdAt: at,
            seed: faker.number.int({ min: 0, max: 2 ** 32 - 1 }),
            visibility,
            reactionCounts: "{}",
            reactionCount: 0,
            commentCount: 0,
          };
          const pool = inGroup ? inGroup.members : userIds;
          const perKind: Record<string, number> = {};
          for (const r of postReactions(post, pool)) {
            perKind[r.kind] = (perKind[r.kind] ?? 0) + 1;
            post.reactionCount++;
          }
          if (post.reactionCount > 0) post.reactionCounts = JSON.stringify(perKind);
          post.commentCount = postComments(post, pool).length;
          posts.push(post);
          yield [
            id,
            u.id,
            inGroup?.id ?? null,
            activity ? "activity" : "text",
            activity ? pick(ACTIVITY_BODIES) : pick(POST_BODIES),
            visibility,
            postMediaList(id, u.id),
            at,
            at,
          ];
        }
      }
    })(),
    new Progress("posts", Math.round(users.length * postsPerUser * 1.19), show),
  );

  // reactions: about one per post on average, by other users (group members for group posts)
  counts.reactions = await copyRows(
    tx,
    "social.reactions",
    ["post_id", "user_id", "kind", "created_at"],
    (function* () {
      for (const p of posts) {
        for (const r of postReactions(p, p.groupId ? groupById.get(p.groupId)!.members : userIds)) {
          yield [p.id, r.who, r.kind, new Date(p.createdAt.getTime() + 60_000 * (r.k + 1))];
        }
      }
    })(),
    new Progress("reactions", posts.length, show),
  );

  // comments: a fifth of posts get a short thread with one level of replies (reply_count counted here)
  let comments = 0;
  counts.comments = await copyRows(
    tx,
    "social.comments",
    ["id", "post_id", "parent_id", "author_id", "body", "reply_count", "created_at", "updated_at"],
    (function* () {
      for (const p of posts) {
        const thread = postComments(p, p.groupId ? groupById.get(p.groupId)!.members : userIds);
        const threadIds = thread.map(() => sequentialUuid(++comments));
        for (const [k, c] of thread.entries()) {
          const at = new Date(p.createdAt.getTime() + 120_000 * (k + 1));
          const replies = thread.filter((r) => r.parent === k).length;
          yield [
            threadIds[k]!,
            p.id,
            c.parent === null ? null : threadIds[c.parent]!,
            c.author,
            pick(COMMENT_BODIES),
            replies,
            at,
            at,
          ];
        }
      }
    })(),
  );

  // the counters and top-feed score beside each post (social.post_stats), counted with the posts
  // above: the triggers that keep them are off during the load, and counted there they need no
  // update
  await copyRows(
    tx,
    "social.post_stats",
    [
      "post_id",
      "author_id",
      "group_id",
      "visibility",
      "created_at",
      "reaction_counts",
      "reaction_count",
      "comment_count",
    ],
    (function* () {
      for (const p of posts) {
        yield [
          p.id,
          p.authorId,
          p.groupId,
          p.visibility,
          p.createdAt,
          p.reactionCounts,
          p.reactionCount,
          p.commentCount,
        ];
      }
    })(),
    new Progress("post_stats", posts.length, show),
  );
  return counts;
});

// media on the users and posts above (seeds/media.ts)
seedExtensions.push(seedMedia);
seedExtensions.push(seedTrips);

counterRecomputers.push(async (tx) => {
  await tx`
    update social.groups g set member_count = m.n
    from (select group_id, count(*)::int as n from social.group_members where status = 'active' group by 1) m
    where m.group_id = g.id and g.member_count <> m.n`;
  await tx`
    insert into social.announcement_stats (announcement_id, group_id, author_id, read_count)
    select a.id, a.group_id, a.author_id,
           (select count(*)::int from social.announcement_reads r where r.announcement_id = a.id)
    from social.announcements a
    on conflict (announcement_id) do update set read_count = excluded.read_count`;
  // post counters (social.post_stats) and comments' reply_count are loaded with the rows
  // (postReactions, postComments above)
});

// chat comes after the groups it gives conversations to
await import("./chat.ts");
