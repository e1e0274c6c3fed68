/**
 * The home feed of someone who follows many accounts. Up to 255 followees home_feed_page probes
 * each followee; from 256 it walks everyone's feed posts from the cursor down
 * (posts_home_latest_idx / post_stats_home_top_idx) and keeps the followed ones, merging the caller's
 * own and their groups' posts. Both give exactly the same pages and keep every rule: the walk is
 * checked here against the posts table (the expected order) and against what the viewer must
 * never see, before and after each event that takes a post away (unfollow, block either way,
 * mute, deletion, a visibility change, leaving or being banned from a group). There is no
 * per-user inbox to clean up: every rule is applied at read time.
 */
import { describe, expect, it } from "vitest";
import { follow } from "../fixtures/graph.ts";
import { addMember, insertGroup } from "../fixtures/groups.ts";
import { type TestDb, withDb } from "../helpers/db.ts";

type Order = "latest" | "top";
interface Row {
  id: string;
  next_cursor: string | null;
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

/** Every page of the caller's home feed; checks the cursor contract on the way. */
async function walkHome(db: TestDb, order: Order, limit: number): Promise<string[]> {
  const all: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const rows: Row[] = await db.q<Row[]>`select id, next_cursor from social.home_feed(${order}, ${cursor}, ${limit})`;
    all.push(...ids(rows));
    expect(new Set(rows.map((r) => r.next_cursor)).size).toBeLessThanOrEqual(1);
    const next = rows[0]?.next_cursor ?? null;
    if (rows.length < limit) expect(next).toBeNull();
    if (!next) return all;
    cursor = next;
  }
  throw new Error("the feed did not end");
}

type Plan = "walk" | "probe";

/**
 * Every page of `me`'s home feed as one plan picks it, called directly as the migration owner
 * with what home_feed_page would pass (the hidden users: blocked either way and muted). The walk
 * must answer every page here (it never gives up in these small worlds).
 */
async function pagesBy(db: TestDb, plan: Plan, me: string, order: Order, limit: number): Promise<string[]> {
  await db.asSuperuser();
  const all: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const rows: { post_ids: string[] | null; next_cursor: string | null }[] = await db.q`
      with h as (
        select array(
          select b.blocked_id from social.blocks b where b.blocker_id = ${me}
          union all
          select b.blocker_id from social.blocks b where b.blocked_id = ${me}
          union all
          select m.muted_id from social.mutes m where m.muter_id = ${me}
        ) as hidden
      ), k as (
        select social_private.decode_page_cursor('home_feed', ${order}, ${me}::text, ${cursor}) as key
      )
      select (x.page).post_ids, (x.page).next_cursor
      from (
        select case when ${plan} = 'walk'
                 then social_private.home_feed_walk(${me}, ${order}, k.key, ${limit}, h.hidden,
                        (select pr.following_count from social.profiles pr where pr.id = ${me}))
                 else social_private.home_feed_probe(${me}, ${order}, k.key, ${limit}, h.hidden)
               end as page
        from h, k
      ) x`;
    const page = rows[0]!;
    expect(page.post_ids, `${plan} answers page ${i + 1}`).not.toBeNull();
    all.push(...page.post_ids!);
    if (page.post_ids!.length < limit) expect(page.next_cursor).toBeNull();
    if (!page.next_cursor) return all;
    cursor = page.next_cursor;
  }
  throw new Error("the feed did not end");
}

/** `me`'s whole home feed in both orders: through social.home_feed as `me`, and by the walk. */
async function homeOf(db: TestDb, me: string, limit = 4) {
  await db.as(me);
  const latest = await walkHome(db, "latest", limit);
  const top = await walkHome(db, "top", limit);
  return {
    latest,
    top,
    walk: { latest: await pagesBy(db, "walk", me, "latest", limit), top: await pagesBy(db, "walk", me, "top", limit) },
  };
}

/** A post written straight into the table (superuser: no rate limit) `minutesAgo`. */
async function post(
  db: TestDb,
  author: string,
  minutesAgo: number,
  o: { visibility?: string; groupId?: string } = {},
): Promise<string> {
  await db.asSuperuser();
  const [row] = await db.q<{ id: string }[]>`
    insert into social.posts (author_id, body, visibility, group_id, created_at)
    values (${author}, 'post', ${o.visibility ?? (o.groupId ? "group" : "public")}, ${o.groupId ?? null},
            now() - make_interval(mins => ${minutesAgo}))
    returning id`;
  return row!.id;
}

async function expectedOrder(db: TestDb, postIds: string[], order: Order): Promise<string[]> {
  await db.asSuperuser();
  const rows =
    order === "latest"
      ? await db.q<{ id: string }[]>`
          select id from social.posts where id = any(${postIds}::uuid[]) order by created_at desc, id desc`
      : await db.q<{ id: string }[]>`
          select post_id as id from social.post_stats where post_id = any(${postIds}::uuid[])
          order by hot_score desc, post_id desc`;
  return ids(rows);
}

/**
 * `me` follows `n` accounts (a crowd, a third of whom post) besides the cast: alice (followed),
 * bob (private profile, approved), carol (a stranger), dave (private, request pending), erin
 * (followed, muted), frank (followed, then blocks me), gina (in my group, I block her), heidi (in
 * my group); groups mine (private), notMine, and one I am banned from.
 */
async function crowdWorld(db: TestDb, n: number) {
  const me = await db.createUser();
  const [alice, carol, erin, frank, gina, heidi] = await db.createUsers(6);
  const bob = await db.createUser({ visibility: "private" });
  const dave = await db.createUser({ visibility: "private" });
  const crowd = await db.createUsers(n);
  // the crowd's follows in one statement (as the migration owner: no rate limit; the triggers run)
  await db.asSuperuser();
  await db.q`insert into social.follows (follower_id, followee_id) select ${me}, unnest(${crowd}::uuid[])`;
  for (const u of [alice!, bob, erin!, frank!]) await follow(db, me, u);
  await db.as(me);
  await db.q`select social.follow(${dave})`;
  await db.q`select social.mute(${erin!})`;
  const mine = await insertGroup(db, heidi!, { visibility: "private", name: "Mine" });
  const notMine = await insertGroup(db, carol!, { visibility: "public", name: "Not mine" });
  const bannedFrom = await insertGroup(db, carol!, { visibility: "public", name: "Banned" });
  for (const u of [me, gina!, erin!]) await addMember(db, mine, u);
  await addMember(db, bannedFrom, me, "member", "banned");

  // the crowd's posts: a third of them post, at times that interleave with the cast's
  const shown: string[] = [];
  for (const [i, c] of crowd.entries()) {
    if (i % 3 !== 0) continue;
    shown.push(await post(db, c, (i * 37) % 600));
    shown.push(await post(db, c, ((i * 53) % 900) + 5, { visibility: "followers" }));
  }
  const cast = {
    alicePublic: await post(db, alice!, 11),
    aliceFollowers: await post(db, alice!, 140, { visibility: "followers" }),
    bobPublic: await post(db, bob, 23),
    mine: await post(db, me, 31, { visibility: "private" }),
    heidiInGroup: await post(db, heidi!, 47, { groupId: mine }),
    meInGroupPrivate: await post(db, me, 300, { groupId: mine, visibility: "private" }),
  };
  const hidden = {
    followeePrivate: await post(db, alice!, 12, { visibility: "private" }),
    groupElsewhere: await post(db, carol!, 13, { groupId: notMine }),
    stranger: await post(db, carol!, 14),
    pending: await post(db, dave, 15),
    muted: await post(db, erin!, 16),
    mutedInGroup: await post(db, erin!, 17, { groupId: mine }),
    blockedMe: await post(db, frank!, 18),
    iBlocked: await post(db, gina!, 19, { groupId: mine }),
    othersPrivateInGroup: await post(db, heidi!, 20, { groupId: mine, visibility: "private" }),
    banned: await post(db, carol!, 21, { groupId: bannedFrom }),
    deleted: await post(db, alice!, 22),
  };
  await db.as(frank!);
  await db.q`select social.block(${me})`;
  await db.as(me);
  await db.q`select social.block(${gina!})`;
  await db.as(alice!);
  await db.q`select social.delete_post(${hidden.deleted})`;
  await db.as(me);
  // engagement, so the top order differs from the latest
  await db.q`select social.react(${shown[4]!}, 'like')`;
  await db.q`select social.react(${cast.aliceFollowers}, 'fire')`;
  return {
    me,
    alice: alice!,
    bob,
    erin: erin!,
    heidi: heidi!,
    crowd,
    mine,
    shown: [...shown, ...Object.values(cast)],
    cast,
    hidden,
  };
}

describe("home feed for many followees (the walk)", () => {
  it("the walk and the probes pick exactly the pages of the expected order", async () => {
    await withDb(async (db) => {
      const w = await crowdWorld(db, 300);
      const latest = await expectedOrder(db, w.shown, "latest");
      const top = await expectedOrder(db, w.shown, "top");
      expect(top).not.toEqual(latest);
      for (const limit of [1, 3, 7, 50]) {
        const feed = await homeOf(db, w.me, limit);
        expect(feed.latest, `home_feed latest, limit ${limit}`).toEqual(latest);
        expect(feed.top, `home_feed top, limit ${limit}`).toEqual(top);
        expect(feed.walk.latest, `walk latest, limit ${limit}`).toEqual(latest);
        expect(feed.walk.top, `walk top, limit ${limit}`).toEqual(top);
        expect(await pagesBy(db, "probe", w.me, "latest", limit), `probes latest, limit ${limit}`).toEqual(latest);
        expect(await pagesBy(db, "probe", w.me, "top", limit), `probes top, limit ${limit}`).toEqual(top);
      }
    });
    // about 2,700 feed pages (limit 1 alone is 6 x 110): 20 s by itself, over 30 s beside the suite
  }, 90_000);

  it("the walk shows nothing the viewer may not see", async () => {
    await withDb(async (db) => {
      const w = await crowdWorld(db, 300);
      const feed = await homeOf(db, w.me);
      for (const [why, id] of Object.entries(w.hidden)) {
        for (const [how, list] of Object.entries({ ...feed.walk, home_latest: feed.latest, home_top: feed.top })) {
          expect(list, `${why} (${how})`).not.toContain(id);
        }
      }
      // every row is one the viewer reads through RLS
      await db.as(w.me);
      const readable = await db.q<{ id: string }[]>`select id from social.posts where id = any(${feed.latest}::uuid[])`;
      expect(readable.length).toBe(feed.latest.length);
      expect(feed.latest.length).toBe(w.shown.length);
    });
  });

  it("with few followees the feed is the same, and the walk agrees", async () => {
    await withDb(async (db) => {
      const w = await crowdWorld(db, 40);
      const latest = await expectedOrder(db, w.shown, "latest");
      const top = await expectedOrder(db, w.shown, "top");
      const feed = await homeOf(db, w.me, 3);
      expect(feed.latest).toEqual(latest);
      expect(feed.top).toEqual(top);
      expect(feed.walk.latest).toEqual(latest);
      expect(feed.walk.top).toEqual(top);
    });
  });

  it("unfollowing, blocking either way and muting take a followee's posts out at once", async () => {
    await withDb(async (db) => {
      const w = await crowdWorld(db, 300);
      const [c0, c3, c6] = [w.crowd[0]!, w.crowd[3]!, w.crowd[6]!];
      await db.asSuperuser();
      const ofAuthor = async (author: string) =>
        ids(await db.q<{ id: string }[]>`select id from social.posts where author_id = ${author}`);
      const gone = {
        unfollowed: await ofAuthor(c0),
        blocked: await ofAuthor(c3),
        muted: await ofAuthor(c6),
        blockedMe: [w.cast.alicePublic, w.cast.aliceFollowers],
      };
      let feed = await homeOf(db, w.me);
      for (const id of Object.values(gone).flat()) {
        expect(feed.latest).toContain(id);
        expect(feed.walk.latest).toContain(id);
      }

      await db.as(w.me);
      await db.q`select social.unfollow(${c0})`;
      await db.q`select social.block(${c3})`;
      await db.q`select social.mute(${c6})`;
      await db.as(w.alice);
      await db.q`select social.block(${w.me})`;
      feed = await homeOf(db, w.me);
      for (const [why, posts] of Object.entries(gone)) {
        for (const id of posts) {
          for (const [how, list] of Object.entries({ ...feed.walk, home_latest: feed.latest, home_top: feed.top })) {
            expect(list, `${why} (${how})`).not.toContain(id);
          }
        }
      }
      const left = await expectedOrder(
        db,
        w.shown.filter((id) => !Object.values(gone).flat().includes(id)),
        "latest",
      );
      expect(feed.latest).toEqual(left);
      expect(feed.walk.latest).toEqual(left);
    });
  });

  it("a deleted post, a post made private and a group one is banned from leave the walk", async () => {
    await withDb(async (db) => {
      const w = await crowdWorld(db, 300);
      const crowdPost = w.shown[0]!;
      const author = w.crowd[0]!;
      let feed = await homeOf(db, w.me);
      for (const id of [crowdPost, w.cast.bobPublic, w.cast.heidiInGroup, w.cast.meInGroupPrivate]) {
        expect(feed.latest).toContain(id);
        expect(feed.walk.latest).toContain(id);
      }

      await db.as(author);
      await db.q`select social.delete_post(${crowdPost})`;
      await db.as(w.bob);
      await db.q`update social.posts set visibility = 'private' where id = ${w.cast.bobPublic}`;
      feed = await homeOf(db, w.me);
      for (const [how, list] of Object.entries({ ...feed.walk, home_latest: feed.latest, home_top: feed.top })) {
        expect(list, `deleted (${how})`).not.toContain(crowdPost);
        expect(list, `made private (${how})`).not.toContain(w.cast.bobPublic);
        expect(list, `group post (${how})`).toContain(w.cast.heidiInGroup);
      }

      // banned from the group: its posts go, my own private one there too
      await db.asSuperuser();
      await db.q`update social.group_members set status = 'banned' where group_id = ${w.mine} and user_id = ${w.me}`;
      feed = await homeOf(db, w.me);
      for (const [how, list] of Object.entries({ ...feed.walk, home_latest: feed.latest, home_top: feed.top })) {
        expect(list, `banned (${how})`).not.toContain(w.cast.heidiInGroup);
        expect(list, `banned, my own (${how})`).not.toContain(w.cast.meInGroupPrivate);
        expect(list, `still followed (${how})`).toContain(w.cast.alicePublic);
      }
    });
  });

  it("a followee with many followers is read like any other (nothing is copied on write)", async () => {
    await withDb(async (db) => {
      const w = await crowdWorld(db, 300);
      const star = w.crowd[9]!;
      // 120 more followers for the star
      await db.asSuperuser();
      await db.q`insert into social.follows (follower_id, followee_id)
                 select f, ${star} from unnest(${w.crowd.slice(10, 130)}::uuid[]) f`;
      // the star posts as themselves, through RLS and every trigger
      await db.as(star);
      const [row] = await db.q<{ id: string }[]>`insert into social.posts (body) values ('news') returning id`;
      for (const reader of [w.me, w.crowd[10]!, w.crowd[129]!]) {
        await db.as(reader);
        const first = ids(await db.q<Row[]>`select id, next_cursor from social.home_feed('latest', null, 5)`);
        expect(first, `as ${reader === w.me ? "me" : "a follower"}`).toContain(row!.id);
      }
      expect((await homeOf(db, w.me)).walk.latest).toContain(row!.id);
      // someone who does not follow the star does not get it
      await db.as(w.heidi);
      expect(ids(await db.q<Row[]>`select id, next_cursor from social.home_feed('latest', null, 50)`)).not.toContain(
        row!.id,
      );
    });
  });
});
