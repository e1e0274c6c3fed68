/**
 * Feeds: social.home_feed, social.group_feed, social.profile_feed and social.get_post. Who sees
 * what (follows, requests, blocks both ways, mutes in home only, groups, coaching privacy,
 * deletion), ordering (latest, top), keyset cursors (stable while new posts arrive), and the
 * shape of a row (counts, the viewer's own reactions, author and group summaries).
 */
import { describe, expect, it } from "vitest";
import { follow } from "../fixtures/graph.ts";
import { addMember, insertGroup } from "../fixtures/groups.ts";
import { type TestDb, withDb } from "../helpers/db.ts";

interface FeedRow {
  id: string;
  author_id: string;
  group_id: string | null;
  kind: string;
  body: string | null;
  visibility: string;
  reaction_counts: Record<string, number>;
  reaction_count: number;
  comment_count: number;
  hot_score: number;
  created_at: Date;
  author: { id: string; handle: string; display_name: string; avatar_path: string | null };
  group: { id: string; name: string; avatar_path: string | null; kind: string } | null;
  my_reactions: string[];
  next_cursor: string | null;
}

type Feed = { kind: "home" } | { kind: "group"; groupId: string } | { kind: "profile"; userId: string };
type Order = "latest" | "top";

async function page(db: TestDb, feed: Feed, order: Order, cursor: string | null, limit: number): Promise<FeedRow[]> {
  if (feed.kind === "home") {
    return db.q<FeedRow[]>`select * from social.home_feed(${order}, ${cursor}, ${limit})`;
  }
  if (feed.kind === "group") {
    return db.q<FeedRow[]>`select * from social.group_feed(${feed.groupId}, ${order}, ${cursor}, ${limit})`;
  }
  return db.q<FeedRow[]>`select * from social.profile_feed(${feed.userId}, ${order}, ${cursor}, ${limit})`;
}

/** Every page of a feed as the current identity; checks the cursor contract on the way. */
async function walk(db: TestDb, feed: Feed, order: Order = "latest", limit = 3): Promise<FeedRow[]> {
  const all: FeedRow[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const rows = await page(db, feed, order, cursor, limit);
    all.push(...rows);
    const next = rows[0]?.next_cursor ?? null;
    // every row of a page carries the same next_cursor; a short page is the last one
    expect(new Set(rows.map((r) => r.next_cursor)).size).toBeLessThanOrEqual(1);
    if (rows.length < limit) expect(next).toBeNull();
    if (!next) return all;
    cursor = next;
  }
  throw new Error("the feed did not end");
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

interface SeedOptions {
  body?: string;
  visibility?: "public" | "followers" | "group" | "private";
  groupId?: string | null;
  minutesAgo?: number;
  at?: string;
}

/** A post written straight into the table (superuser: no rate limit) at a chosen time. */
async function seed(db: TestDb, author: string, o: SeedOptions = {}): Promise<string> {
  await db.asSuperuser();
  const at = o.at ?? new Date(Date.now() - (o.minutesAgo ?? 0) * 60_000).toISOString();
  const [row] = await db.q<{ id: string }[]>`
    insert into social.posts (author_id, body, visibility, group_id, created_at)
    values (${author}, ${o.body ?? "post"}, ${o.visibility ?? (o.groupId ? "group" : "public")},
            ${o.groupId ?? null}, ${at})
    returning id`;
  return row!.id;
}

/** Expected order of the `latest` feed: created_at desc, id desc. */
async function latestOrder(db: TestDb, postIds: string[]): Promise<string[]> {
  await db.asSuperuser();
  const rows = await db.q<{ id: string }[]>`
    select id from social.posts where id = any(${postIds}::uuid[]) order by created_at desc, id desc`;
  return ids(rows);
}

async function topOrder(db: TestDb, postIds: string[]): Promise<string[]> {
  await db.asSuperuser();
  const rows = await db.q<{ id: string }[]>`
    select post_id as id from social.post_stats where post_id = any(${postIds}::uuid[])
    order by hot_score desc, post_id desc`;
  return ids(rows);
}

/**
 * A world around `me`: people I follow (public and private profiles), a pending request, a
 * stranger, a muted followee, a user who blocked me and one I blocked, groups I am in, am not in
 * and am banned from, and my own posts.
 */
async function homeWorld(db: TestDb) {
  const me = await db.createUser();
  const alice = await db.createUser(); // followed, public profile
  const bob = await db.createUser({ visibility: "private" }); // followed, approved
  const carol = await db.createUser(); // not followed
  const dave = await db.createUser({ visibility: "private" }); // requested, pending
  const erin = await db.createUser(); // followed and muted
  const frank = await db.createUser(); // followed me; then blocked me
  const gina = await db.createUser(); // in my group; I block her
  const heidi = await db.createUser(); // in my group
  await follow(db, me, alice);
  await follow(db, me, bob);
  await follow(db, me, erin);
  await follow(db, me, frank);
  await db.as(me);
  await db.q`select social.follow(${dave})`;
  await db.q`select social.mute(${erin})`;
  const mine = await insertGroup(db, heidi, { visibility: "private", name: "Mine" });
  const notMine = await insertGroup(db, carol, { visibility: "public", name: "Not mine" });
  const bannedFrom = await insertGroup(db, carol, { visibility: "public", name: "Banned" });
  for (const u of [me, gina, erin]) await addMember(db, mine, u);
  await addMember(db, bannedFrom, me, "member", "banned");

  let t = 0;
  const at = () => {
    t += 1;
    return { minutesAgo: 1000 - t * 7 };
  };
  const shown = [
    await seed(db, alice, { ...at(), visibility: "public" }),
    await seed(db, alice, { ...at(), visibility: "followers" }),
    await seed(db, bob, { ...at(), visibility: "public" }),
    await seed(db, bob, { ...at(), visibility: "followers" }),
    await seed(db, me, { ...at(), visibility: "public" }),
    await seed(db, me, { ...at(), visibility: "followers" }),
    await seed(db, me, { ...at(), visibility: "private" }),
    await seed(db, heidi, { ...at(), groupId: mine }),
    await seed(db, me, { ...at(), groupId: mine }),
    await seed(db, me, { ...at(), groupId: mine, visibility: "private" }),
  ];
  const hidden = {
    followeePrivate: await seed(db, alice, { ...at(), visibility: "private" }),
    followeeGroupElsewhere: await seed(db, carol, { ...at(), groupId: notMine }),
    stranger: await seed(db, carol, { ...at(), visibility: "public" }),
    pending: await seed(db, dave, { ...at(), visibility: "public" }),
    muted: await seed(db, erin, { ...at(), visibility: "public" }),
    mutedInGroup: await seed(db, erin, { ...at(), groupId: mine }),
    blockedMe: await seed(db, frank, { ...at(), visibility: "public" }),
    iBlocked: await seed(db, gina, { ...at(), groupId: mine }),
    othersPrivateInGroup: await seed(db, heidi, { ...at(), groupId: mine, visibility: "private" }),
    banned: await seed(db, carol, { ...at(), groupId: bannedFrom }),
    deleted: await seed(db, alice, { ...at(), visibility: "public" }),
  };
  await db.as(frank);
  await db.q`select social.block(${me})`;
  await db.as(me);
  await db.q`select social.block(${gina})`;
  await db.asSuperuser();
  await db.q`update social.posts set deleted_at = now() where id = ${hidden.deleted}`;
  return { me, alice, bob, carol, dave, erin, frank, gina, heidi, mine, notMine, bannedFrom, shown, hidden };
}

describe("home feed", () => {
  it("shows followed users', my own and my groups' posts, newest first, and nothing else", async () => {
    await withDb(async (db) => {
      const w = await homeWorld(db);
      const expected = await latestOrder(db, w.shown);
      await db.as(w.me);
      const rows = await walk(db, { kind: "home" }, "latest", 3);
      expect(ids(rows)).toEqual(expected);
      for (const [why, id] of Object.entries(w.hidden)) {
        expect(ids(rows), why).not.toContain(id);
      }
      // the top order shows the same posts
      const top = ids(await walk(db, { kind: "home" }, "top", 4));
      expect([...top].sort()).toEqual([...w.shown].sort());
    });
  });

  it("pages are exact however posts interleave across many followees", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      const followees = await db.createUsers(8);
      const posts: string[] = [];
      for (const [i, f] of followees.entries()) {
        await follow(db, me, f);
        // bursts and gaps: some followees post a lot recently, others long ago
        for (let j = 0; j < 4; j++)
          posts.push(await seed(db, f, { minutesAgo: ((i * 37 + j * (i + 1) * 11) % 97) + j }));
      }
      await db.as(me);
      await db.q`select social.react(${posts[5]!}, 'like')`;
      await db.q`select social.react(${posts[17]!}, 'fire')`;
      const latest = await latestOrder(db, posts);
      const top = await topOrder(db, posts);
      await db.as(me);
      for (const limit of [1, 2, 3, 5, 50]) {
        expect(ids(await walk(db, { kind: "home" }, "latest", limit))).toEqual(latest);
        expect(ids(await walk(db, { kind: "home" }, "top", limit))).toEqual(top);
      }
    });
  });

  it("every row of the feed is a row the viewer reads through RLS", async () => {
    await withDb(async (db) => {
      const w = await homeWorld(db);
      await db.as(w.me);
      const feed = ids(await walk(db, { kind: "home" }, "latest", 50));
      const readable = await db.q<{ id: string }[]>`select id from social.posts where id = any(${feed}::uuid[])`;
      expect(readable.length).toBe(feed.length);
      expect(feed.length).toBe(w.shown.length);
    });
  });

  it("a muted user's posts stay out of home but not out of their profile or my group's feed", async () => {
    await withDb(async (db) => {
      const w = await homeWorld(db);
      await db.as(w.me);
      expect(ids(await walk(db, { kind: "profile", userId: w.erin }))).toEqual([w.hidden.muted]);
      expect(ids(await walk(db, { kind: "group", groupId: w.mine }))).toContain(w.hidden.mutedInGroup);
      await db.q`select social.unmute(${w.erin})`;
      const home = ids(await walk(db, { kind: "home" }));
      expect(home).toContain(w.hidden.muted);
      expect(home).toContain(w.hidden.mutedInGroup);
    });
  });

  it("an accepted request brings a private profile's posts in", async () => {
    await withDb(async (db) => {
      const w = await homeWorld(db);
      await db.as(w.dave);
      await db.q`select social.accept_follow_request(${w.me})`;
      await db.as(w.me);
      expect(ids(await walk(db, { kind: "home" }))).toContain(w.hidden.pending);
    });
  });

  it("the followees' view of me: my followers see my public and followers posts, not private ones", async () => {
    await withDb(async (db) => {
      const [me, fan] = await db.createUsers(2);
      await follow(db, fan!, me!);
      const pub = await seed(db, me!, { visibility: "public", minutesAgo: 3 });
      const fol = await seed(db, me!, { visibility: "followers", minutesAgo: 2 });
      await seed(db, me!, { visibility: "private", minutesAgo: 1 });
      await db.as(fan!);
      expect(ids(await walk(db, { kind: "home" }))).toEqual([fol, pub]);
    });
  });

  it("pages are exact when followees post minutes, days or months apart", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      const followees = await db.createUsers(25);
      const posts: string[] = [];
      for (const [i, f] of followees.entries()) {
        await follow(db, me, f);
        // from minutes to half a year old: the first windows hold too few followees' posts
        for (const minutesAgo of [i * i * 7, 60 * 24 * (i * 3 + 0.5), 60 * 24 * (90 + i * 4)]) {
          posts.push(await seed(db, f, { minutesAgo }));
        }
      }
      await db.as(followees[3]!);
      await db.q`select social.react(${posts[40]!}, 'fire')`;
      const latest = await latestOrder(db, posts);
      const top = await topOrder(db, posts);
      await db.as(me);
      for (const limit of [1, 7, 20]) {
        expect(ids(await walk(db, { kind: "home" }, "latest", limit))).toEqual(latest);
        expect(ids(await walk(db, { kind: "home" }, "top", limit))).toEqual(top);
      }
    });
  });

  it("ties in created_at are ordered by id, and pages neither repeat nor skip", async () => {
    await withDb(async (db) => {
      const [me, a] = await db.createUsers(2);
      await follow(db, me!, a!);
      const at = "2026-01-01T10:00:00Z";
      const posts: string[] = [];
      for (let i = 0; i < 7; i++) posts.push(await seed(db, a!, { at }));
      posts.push(await seed(db, me!, { at }));
      await db.as(me!);
      for (const limit of [1, 2, 3, 8, 20]) {
        expect(ids(await walk(db, { kind: "home" }, "latest", limit))).toEqual([...posts].sort().reverse());
      }
    });
  });

  it("a cursor stays valid while new posts arrive between pages", async () => {
    await withDb(async (db) => {
      const [me, a, b] = await db.createUsers(3);
      await follow(db, me!, a!);
      await follow(db, me!, b!);
      const posts: string[] = [];
      for (let i = 0; i < 6; i++) posts.push(await seed(db, i % 2 ? a! : b!, { minutesAgo: 60 - i }));
      const expected = await latestOrder(db, posts);
      await db.as(me!);
      const first = await page(db, { kind: "home" }, "latest", null, 2);
      expect(ids(first)).toEqual(expected.slice(0, 2));
      const fresh = await seed(db, a!, { minutesAgo: 0 });
      await db.as(me!);
      const second = await page(db, { kind: "home" }, "latest", first[0]!.next_cursor, 2);
      expect(ids(second)).toEqual(expected.slice(2, 4));
      const third = await page(db, { kind: "home" }, "latest", second[0]!.next_cursor, 2);
      expect(ids(third)).toEqual(expected.slice(4, 6));
      expect(third[0]!.next_cursor).toBeNull();
      // the new post is on a fresh first page
      expect(ids(await page(db, { kind: "home" }, "latest", null, 1))).toEqual([fresh]);
    });
  });

  it("top orders by hot score: engagement lifts a post above newer ones; cursors page through", async () => {
    await withDb(async (db) => {
      const [me, a, fan1, fan2, fan3] = await db.createUsers(5);
      await follow(db, me!, a!);
      const old = await seed(db, a!, { minutesAgo: 120 });
      const posts = [old];
      for (let i = 0; i < 5; i++) posts.push(await seed(db, a!, { minutesAgo: 60 - i * 10 }));
      for (const fan of [fan1!, fan2!, fan3!]) {
        await db.as(fan);
        await db.q`select social.react(${old}, 'like')`;
        await db.q`insert into social.comments (post_id, body) values (${old}, 'great')`;
      }
      const expected = await topOrder(db, posts);
      await db.as(me!);
      const top = ids(await walk(db, { kind: "home" }, "top", 2));
      expect(top).toEqual(expected);
      expect(top[0]).toBe(old);
      const latest = ids(await walk(db, { kind: "home" }, "latest", 2));
      expect(latest.at(-1)).toBe(old);
    });
  });

  it("a top cursor stays valid while new posts arrive", async () => {
    await withDb(async (db) => {
      const [me, a] = await db.createUsers(2);
      await follow(db, me!, a!);
      const posts: string[] = [];
      for (let i = 0; i < 5; i++) posts.push(await seed(db, a!, { minutesAgo: 50 - i * 10 }));
      const expected = await topOrder(db, posts);
      await db.as(me!);
      const first = await page(db, { kind: "home" }, "top", null, 2);
      await seed(db, a!, { minutesAgo: 0 });
      await db.as(me!);
      const rest = [];
      let cursor = first[0]!.next_cursor;
      while (cursor) {
        const rows = await page(db, { kind: "home" }, "top", cursor, 2);
        rest.push(...ids(rows));
        cursor = rows[0]?.next_cursor ?? null;
      }
      expect([...ids(first), ...rest]).toEqual(expected);
    });
  });

  it("rows carry counts, my own reactions, the author and the group", async () => {
    await withDb(async (db) => {
      const me = await db.createUser({ handle: "me_reader", displayName: "Me Reader" });
      const a = await db.createUser({ handle: "a_writer", displayName: "A Writer" });
      const other = await db.createUser();
      await follow(db, me, a);
      const g = await insertGroup(db, a, { name: "Runners" });
      await addMember(db, g, me);
      await addMember(db, g, other);
      const profilePost = await seed(db, a, { minutesAgo: 2 });
      const groupPost = await seed(db, a, { groupId: g, minutesAgo: 1 });
      await db.as(me);
      await db.q`select social.react(${profilePost}, 'fire')`;
      await db.q`select social.react(${profilePost}, 'like')`;
      await db.q`insert into social.comments (post_id, body) values (${profilePost}, 'nice')`;
      await db.as(other);
      await db.q`select social.react(${profilePost}, 'like')`;
      await db.q`select social.react(${groupPost}, 'celebrate')`;

      await db.as(me);
      let rows = await page(db, { kind: "home" }, "latest", null, 10);
      expect(ids(rows)).toEqual([groupPost, profilePost]);
      const [gp, pp] = rows;
      expect(pp!.my_reactions).toEqual(["like", "fire"]);
      expect(pp!.reaction_counts).toEqual({ like: 2, fire: 1 });
      expect(pp!.reaction_count).toBe(3);
      expect(pp!.comment_count).toBe(1);
      expect(pp!.author).toEqual({ id: a, handle: "a_writer", display_name: "A Writer", avatar_path: null });
      expect(pp!.group).toBeNull();
      expect(gp!.my_reactions).toEqual([]);
      expect(gp!.reaction_counts).toEqual({ celebrate: 1 });
      expect(gp!.group).toEqual({ id: g, name: "Runners", avatar_path: null, kind: "club" });

      await db.q`select social.unreact(${profilePost}, 'fire')`;
      rows = await page(db, { kind: "home" }, "latest", null, 10);
      expect(rows[1]!.my_reactions).toEqual(["like"]);
      expect(rows[1]!.reaction_counts).toEqual({ like: 2 });
      expect(rows[1]!.reaction_count).toBe(2);
      // the same row from every feed and from get_post
      const strip = ({ next_cursor: _, ...r }: FeedRow) => r;
      const [fromProfile] = await page(db, { kind: "profile", userId: a }, "latest", null, 1);
      const [fromGroup] = await page(db, { kind: "group", groupId: g }, "latest", null, 1);
      const [single] = await db.q<FeedRow[]>`select * from social.get_post(${groupPost})`;
      expect(strip(fromProfile!)).toEqual(strip(rows[1]!));
      expect(strip(fromGroup!)).toEqual(strip(rows[0]!));
      expect(strip(single!)).toEqual(strip(rows[0]!));
      expect(Object.keys(rows[0]!).sort()).toEqual(
        [
          "author",
          "author_id",
          "body",
          "comment_count",
          "created_at",
          "data",
          "edited_at",
          "group",
          "group_id",
          "hot_score",
          "id",
          "kind",
          "media",
          "my_reactions",
          "next_cursor",
          "reaction_count",
          "reaction_counts",
          "ref_id",
          "ref_type",
          "visibility",
        ].sort(),
      );
      // someone else's view of the same post: their own reactions only
      await db.as(other);
      const theirs = await db.q<FeedRow[]>`select * from social.get_post(${profilePost})`;
      expect(theirs[0]!.my_reactions).toEqual(["like"]);
    });
  });

  it("deleted posts leave every feed", async () => {
    await withDb(async (db) => {
      const [me, a] = await db.createUsers(2);
      await follow(db, me!, a!);
      const g = await insertGroup(db, a!);
      await addMember(db, g, me!);
      const p1 = await seed(db, a!);
      const p2 = await seed(db, a!, { groupId: g });
      await db.as(a!);
      await db.q`select social.delete_post(${p1})`;
      await db.q`select social.delete_post(${p2})`;
      await db.as(me!);
      expect(await walk(db, { kind: "home" })).toEqual([]);
      expect(await walk(db, { kind: "group", groupId: g })).toEqual([]);
      expect(await walk(db, { kind: "profile", userId: a! })).toEqual([]);
      expect(await db.q`select * from social.get_post(${p1})`).toEqual([]);
    });
  });

  it("needs a signed-in user", async () => {
    await withDb(async (db) => {
      await db.asAnon();
      const err = await db.error((tx) => tx`select * from social.home_feed()`);
      expect(err.code).toBe("42501");
    });
  });
});

describe("group feed", () => {
  it("members read the group's posts; blocked authors are left out; private posts are their author's", async () => {
    await withDb(async (db) => {
      const [owner, me, a, b] = await db.createUsers(4);
      const g = await insertGroup(db, owner!, { visibility: "private" });
      for (const u of [me!, a!, b!]) await addMember(db, g, u);
      const pa = await seed(db, a!, { groupId: g, minutesAgo: 4 });
      const pb = await seed(db, b!, { groupId: g, minutesAgo: 3 });
      const privA = await seed(db, a!, { groupId: g, visibility: "private", minutesAgo: 2 });
      const mine = await seed(db, me!, { groupId: g, visibility: "private", minutesAgo: 1 });
      await seed(db, a!, { visibility: "public" }); // not in the group
      await db.as(me!);
      expect(ids(await walk(db, { kind: "group", groupId: g }))).toEqual([mine, pb, pa]);
      await db.q`select social.block(${b!})`;
      expect(ids(await walk(db, { kind: "group", groupId: g }))).toEqual([mine, pa]);
      // b, blocked by me, does not see my posts either
      await db.as(b!);
      expect(ids(await walk(db, { kind: "group", groupId: g }))).toEqual([pb, pa]);
      expect(ids(await walk(db, { kind: "group", groupId: g }))).not.toContain(privA);
      // a club's owner does not read private posts
      await db.as(owner!);
      expect(ids(await walk(db, { kind: "group", groupId: g }))).toEqual([pb, pa]);
    });
  });

  it("in a coaching group the trainer reads every private post; a trainee only their own", async () => {
    await withDb(async (db) => {
      const [trainer, t1, t2] = await db.createUsers(3);
      const g = await insertGroup(db, trainer!, { kind: "coaching", visibility: "private" });
      await addMember(db, g, t1!);
      await addMember(db, g, t2!);
      const p1 = await seed(db, t1!, { groupId: g, visibility: "private", body: "weight 80", minutesAgo: 3 });
      const p2 = await seed(db, t2!, { groupId: g, visibility: "private", body: "weight 70", minutesAgo: 2 });
      const shared = await seed(db, trainer!, { groupId: g, body: "plan for the week", minutesAgo: 1 });
      await db.as(trainer!);
      expect(ids(await walk(db, { kind: "group", groupId: g }))).toEqual([shared, p2, p1]);
      await db.as(t1!);
      expect(ids(await walk(db, { kind: "group", groupId: g }))).toEqual([shared, p1]);
      await db.as(trainer!);
      expect(ids(await walk(db, { kind: "home" }))).toEqual([shared, p2, p1]);
      await db.as(t2!);
      expect(ids(await walk(db, { kind: "home" }))).toEqual([shared, p2]);
    });
  });

  it("outsiders: a public club is readable, a private group is forbidden, a secret one not found", async () => {
    await withDb(async (db) => {
      const [owner, me, banned] = await db.createUsers(3);
      const pub = await insertGroup(db, owner!, { visibility: "public" });
      const priv = await insertGroup(db, owner!, { visibility: "private" });
      const secret = await insertGroup(db, owner!, { visibility: "secret" });
      const coaching = await insertGroup(db, owner!, { kind: "coaching", visibility: "public" });
      await addMember(db, pub, banned!, "member", "banned");
      const p = await seed(db, owner!, { groupId: pub });
      await db.as(me!);
      expect(ids(await walk(db, { kind: "group", groupId: pub }))).toEqual([p]);
      let err = await db.error((tx) => tx`select * from social.group_feed(${priv})`);
      expect([err.code, err.hint]).toEqual(["42501", "group_forbidden"]);
      err = await db.error((tx) => tx`select * from social.group_feed(${coaching})`);
      expect([err.code, err.hint]).toEqual(["42501", "group_forbidden"]);
      err = await db.error((tx) => tx`select * from social.group_feed(${secret})`);
      expect([err.code, err.hint]).toEqual(["PT404", "group_not_found"]);
      await db.as(banned!);
      err = await db.error((tx) => tx`select * from social.group_feed(${pub})`);
      expect([err.code, err.hint]).toEqual(["42501", "group_forbidden"]);
      await db.asAnon();
      err = await db.error((tx) => tx`select * from social.group_feed(${pub})`);
      expect(err.code).toBe("42501");
    });
  });

  it("top order works in a group", async () => {
    await withDb(async (db) => {
      const [owner, fan] = await db.createUsers(2);
      const g = await insertGroup(db, owner!);
      await addMember(db, g, fan!);
      const posts: string[] = [];
      for (let i = 0; i < 4; i++) posts.push(await seed(db, owner!, { groupId: g, minutesAgo: 40 - i * 10 }));
      await db.as(fan!);
      await db.q`select social.react(${posts[0]!}, 'strong')`;
      const expected = await topOrder(db, posts);
      await db.as(fan!);
      expect(ids(await walk(db, { kind: "group", groupId: g }, "top", 1))).toEqual(expected);
    });
  });
});

describe("profile feed", () => {
  it("shows a user's posts outside groups as far as the viewer may see them", async () => {
    await withDb(async (db) => {
      const author = await db.createUser();
      const [follower, stranger, blocked] = await db.createUsers(3);
      await follow(db, follower!, author);
      const g = await insertGroup(db, author);
      const pub = await seed(db, author, { visibility: "public", minutesAgo: 4 });
      const fol = await seed(db, author, { visibility: "followers", minutesAgo: 3 });
      const priv = await seed(db, author, { visibility: "private", minutesAgo: 2 });
      await seed(db, author, { groupId: g, minutesAgo: 1 });
      await db.as(author);
      await db.q`select social.block(${blocked!})`;
      const feed = { kind: "profile", userId: author } as const;
      await db.as(author);
      expect(ids(await walk(db, feed))).toEqual([priv, fol, pub]);
      await db.as(follower!);
      expect(ids(await walk(db, feed))).toEqual([fol, pub]);
      await db.as(stranger!);
      expect(ids(await walk(db, feed))).toEqual([pub]);
      await db.asAnon();
      expect(ids(await walk(db, feed))).toEqual([pub]);
      await db.as(blocked!);
      expect(await walk(db, feed)).toEqual([]);
      // the blocker does not see the blocked user's posts either
      const theirs = await seed(db, blocked!, { visibility: "public" });
      await db.as(author);
      expect(await walk(db, { kind: "profile", userId: blocked! })).toEqual([]);
      await db.as(stranger!);
      expect(ids(await walk(db, { kind: "profile", userId: blocked! }))).toEqual([theirs]);
    });
  });

  it("a private profile shows its posts to approved followers only", async () => {
    await withDb(async (db) => {
      const author = await db.createUser({ visibility: "private" });
      const [follower, requester] = await db.createUsers(2);
      await follow(db, follower!, author);
      await db.as(requester!);
      await db.q`select social.follow(${author})`;
      const pub = await seed(db, author, { visibility: "public", minutesAgo: 2 });
      const fol = await seed(db, author, { visibility: "followers", minutesAgo: 1 });
      const feed = { kind: "profile", userId: author } as const;
      const expected = await topOrder(db, [pub, fol]);
      await db.as(follower!);
      expect(ids(await walk(db, feed, "top"))).toEqual(expected);
      await db.as(requester!);
      expect(await walk(db, feed)).toEqual([]);
      await db.asAnon();
      expect(await walk(db, feed)).toEqual([]);
    });
  });
});

describe("feed arguments", () => {
  it("rejects a bad cursor, a cursor of another order and an unknown order", async () => {
    await withDb(async (db) => {
      const [me, a] = await db.createUsers(2);
      await follow(db, me!, a!);
      for (let i = 0; i < 3; i++) await seed(db, a!, { minutesAgo: i });
      await db.as(me!);
      const [row] = await page(db, { kind: "home" }, "latest", null, 1);
      const latestCursor = row!.next_cursor!;
      expect(latestCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      for (const cursor of ["garbage", "bm9wZQ", `${latestCursor}x`]) {
        const err = await db.error((tx) => tx`select * from social.home_feed('latest', ${cursor})`);
        expect([err.code, err.hint]).toEqual(["22023", "invalid_cursor"]);
      }
      let err = await db.error((tx) => tx`select * from social.home_feed('top', ${latestCursor})`);
      expect([err.code, err.hint]).toEqual(["22023", "invalid_cursor"]);
      err = await db.error((tx) => tx`select * from social.profile_feed(${a!}, 'best')`);
      expect([err.code, err.hint]).toEqual(["22023", "invalid_order"]);
    });
  });

  it("clamps the page size to 1..50", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      for (let i = 0; i < 55; i++) await seed(db, me, { minutesAgo: i });
      await db.as(me);
      expect((await page(db, { kind: "home" }, "latest", null, 0)).length).toBe(1);
      expect((await page(db, { kind: "home" }, "latest", null, 500)).length).toBe(50);
      expect((await db.q`select * from social.home_feed()`).length).toBe(20);
    });
  });

  it("get_post returns a post to those who may see it, and nothing to others", async () => {
    await withDb(async (db) => {
      const [author, follower, stranger] = await db.createUsers(3);
      await follow(db, follower!, author!);
      const fol = await seed(db, author!, { visibility: "followers" });
      const pub = await seed(db, author!, { visibility: "public" });
      await db.as(follower!);
      expect(ids(await db.q`select * from social.get_post(${fol})`)).toEqual([fol]);
      await db.as(stranger!);
      expect(await db.q`select * from social.get_post(${fol})`).toEqual([]);
      await db.asAnon();
      expect(ids(await db.q`select * from social.get_post(${pub})`)).toEqual([pub]);
      expect(await db.q`select * from social.get_post(${fol})`).toEqual([]);
    });
  });
});
