/**
 * Posts, revisions, reactions, comments, mentions and rate limits: who may read and write each,
 * tested from both sides (author, follower, non-follower, pending requester, blocked either way,
 * group member / non-member / banned, coaching trainer and trainees, anon), plus counters kept by
 * triggers, edit history, soft delete and input validation.
 */
import { describe, expect, it } from "vitest";
import { block, follow } from "../fixtures/graph.ts";
import { addMember, insertGroup } from "../fixtures/groups.ts";
import { createMedia, refs } from "../fixtures/media.ts";
import { type TestDb, withDb } from "../helpers/db.ts";
import { asRole } from "../helpers/labels.ts";

type PostVisibility = "public" | "followers" | "group" | "private";

interface PostFields {
  body?: string | null;
  visibility?: PostVisibility;
  groupId?: string | null;
  kind?: "text" | "activity" | "milestone" | "event" | "trip";
  media?: unknown[];
  data?: Record<string, unknown> | null;
  refType?: string | null;
  refId?: string | null;
}

/** Insert a post as `author` (through RLS and the triggers); returns its id. */
async function post(db: TestDb, author: string, f: PostFields = {}): Promise<string> {
  await db.as(author);
  const [row] = await db.q<{ id: string }[]>`
    insert into social.posts (body, visibility, group_id, kind, media, data, ref_type, ref_id)
    values (${f.body === undefined ? "hello" : f.body}, ${f.visibility ?? "public"}, ${f.groupId ?? null},
            ${f.kind ?? "text"}, ${db.q.json((f.media ?? []) as never)},
            ${f.data ? db.q.json(f.data as never) : null}, ${f.refType ?? null}, ${f.refId ?? null})
    returning id`;
  return row!.id;
}

/** Which of `ids` `viewer` (null: anon) reads from social.posts. */
async function visiblePosts(db: TestDb, viewer: string | null, ids: string[]): Promise<string[]> {
  if (viewer) await db.as(viewer);
  else await db.asAnon();
  const rows = await db.q<{ id: string }[]>`select id from social.posts where id = any(${ids}::uuid[])`;
  return rows.map((r) => r.id).sort();
}

async function canSee(db: TestDb, viewer: string | null, id: string): Promise<boolean> {
  return (await visiblePosts(db, viewer, [id])).length === 1;
}

async function counts(db: TestDb, postId: string) {
  await db.asSuperuser();
  const [row] = await db.q<
    { reaction_count: number; reaction_counts: Record<string, number>; comment_count: number; hot_score: number }[]
  >`select reaction_count, reaction_counts, comment_count, hot_score from social.post_stats where post_id = ${postId}`;
  return row!;
}

describe("post visibility", () => {
  it("a public post of a public profile is seen by everyone, anon included", async () => {
    await withDb(async (db) => {
      const [author, stranger] = await db.createUsers(2);
      const id = await post(db, author!, { visibility: "public" });
      expect(await canSee(db, author!, id)).toBe(true);
      expect(await canSee(db, stranger!, id)).toBe(true);
      expect(await canSee(db, null, id)).toBe(true);
    });
  });

  it("anon sees no public post of a followers-only or private profile", async () => {
    await withDb(async (db) => {
      const a = await db.createUser({ visibility: "followers" });
      const b = await db.createUser({ visibility: "private" });
      const stranger = await db.createUser();
      const pa = await post(db, a, { visibility: "public" });
      const pb = await post(db, b, { visibility: "public" });
      expect(await visiblePosts(db, null, [pa, pb])).toEqual([]);
      // signed in: a followers-only profile's public posts are public, a private profile's are not
      expect(await visiblePosts(db, stranger, [pa, pb])).toEqual([pa]);
    });
  });

  it("a private profile's public posts reach approved followers only, not pending requesters", async () => {
    await withDb(async (db) => {
      const author = await db.createUser({ visibility: "private" });
      const [follower, requester, stranger] = await db.createUsers(3);
      await follow(db, follower!, author);
      await db.as(requester!);
      await db.q`select social.follow(${author})`;
      const id = await post(db, author, { visibility: "public" });
      expect(await canSee(db, follower!, id)).toBe(true);
      expect(await canSee(db, requester!, id)).toBe(false);
      expect(await canSee(db, stranger!, id)).toBe(false);
      expect(await canSee(db, author, id)).toBe(true);
    });
  });

  it("a followers post is seen by the author and approved followers only", async () => {
    await withDb(async (db) => {
      const author = await db.createUser({ visibility: "private" });
      const [follower, requester, stranger, followee] = await db.createUsers(4);
      await follow(db, follower!, author);
      await db.as(requester!);
      await db.q`select social.follow(${author})`;
      // the author following someone does not show them the author's followers posts
      await follow(db, author, followee!);
      const id = await post(db, author, { visibility: "followers" });
      expect(await canSee(db, author, id)).toBe(true);
      expect(await canSee(db, follower!, id)).toBe(true);
      expect(await canSee(db, requester!, id)).toBe(false);
      expect(await canSee(db, stranger!, id)).toBe(false);
      expect(await canSee(db, followee!, id)).toBe(false);
      expect(await canSee(db, null, id)).toBe(false);
    });
  });

  it("a private post outside groups is seen by its author only", async () => {
    await withDb(async (db) => {
      const [author, follower] = await db.createUsers(2);
      await follow(db, follower!, author!);
      const id = await post(db, author!, { visibility: "private" });
      expect(await canSee(db, author!, id)).toBe(true);
      expect(await canSee(db, follower!, id)).toBe(false);
      expect(await canSee(db, null, id)).toBe(false);
    });
  });

  it("a block hides posts both ways, even public ones", async () => {
    await withDb(async (db) => {
      const [blocker, blocked, other] = await db.createUsers(3);
      const p1 = await post(db, blocker!, { visibility: "public" });
      const p2 = await post(db, blocked!, { visibility: "public" });
      await block(db, blocker!, blocked!);
      expect(await visiblePosts(db, blocked!, [p1, p2])).toEqual([p2]);
      expect(await visiblePosts(db, blocker!, [p1, p2])).toEqual([p1]);
      expect(await visiblePosts(db, other!, [p1, p2])).toEqual([p1, p2].sort());
    });
  });

  it("group posts are read by the group's readers: members; signed-in users in a public club", async () => {
    await withDb(async (db) => {
      const [owner, mem, stranger, banned] = await db.createUsers(4);
      const priv = await insertGroup(db, owner!, { visibility: "private" });
      const pub = await insertGroup(db, owner!, { visibility: "public" });
      for (const g of [priv, pub]) {
        await addMember(db, g, mem!);
        await addMember(db, g, banned!, "member", "banned");
      }
      const inPriv = await post(db, mem!, { groupId: priv });
      const inPub = await post(db, mem!, { groupId: pub });
      const both = [inPriv, inPub].sort();
      expect(await visiblePosts(db, owner!, both)).toEqual(both);
      expect(await visiblePosts(db, mem!, both)).toEqual(both);
      expect(await visiblePosts(db, stranger!, both)).toEqual([inPub]);
      expect(await visiblePosts(db, banned!, both)).toEqual([]);
      expect(await visiblePosts(db, null, both)).toEqual([]);
    });
  });

  it("a member's group post is hidden from a member who blocked them", async () => {
    await withDb(async (db) => {
      const [owner, a, b] = await db.createUsers(3);
      const g = await insertGroup(db, owner!, { visibility: "private" });
      await addMember(db, g, a!);
      await addMember(db, g, b!);
      const id = await post(db, a!, { groupId: g });
      expect(await canSee(db, b!, id)).toBe(true);
      await block(db, b!, a!);
      expect(await canSee(db, b!, id)).toBe(false);
      expect(await canSee(db, owner!, id)).toBe(true);
    });
  });

  it("in a coaching group the trainer sees a trainee's private posts, other trainees do not", async () => {
    await withDb(async (db) => {
      const [trainer, trainee, other, outsider] = await db.createUsers(4);
      const g = await insertGroup(db, trainer!, { kind: "coaching", visibility: "public" });
      await addMember(db, g, trainee!);
      await addMember(db, g, other!);
      const priv = await post(db, trainee!, { groupId: g, visibility: "private", body: "my weight today" });
      const shared = await post(db, trainee!, { groupId: g, visibility: "group", body: "hi team" });
      expect(await visiblePosts(db, trainee!, [priv, shared])).toEqual([priv, shared].sort());
      expect(await visiblePosts(db, trainer!, [priv, shared])).toEqual([priv, shared].sort());
      expect(await visiblePosts(db, other!, [priv, shared])).toEqual([shared]);
      // coaching groups are members-only even when listed publicly
      expect(await visiblePosts(db, outsider!, [priv, shared])).toEqual([]);
    });
  });

  it("a private post in a club is its author's only; club staff do not see it", async () => {
    await withDb(async (db) => {
      const [owner, mod, author] = await db.createUsers(3);
      const g = await insertGroup(db, owner!, { kind: "club" });
      await addMember(db, g, mod!, "moderator");
      await addMember(db, g, author!);
      const id = await post(db, author!, { groupId: g, visibility: "private" });
      expect(await canSee(db, author!, id)).toBe(true);
      expect(await canSee(db, owner!, id)).toBe(false);
      expect(await canSee(db, mod!, id)).toBe(false);
    });
  });
});

describe("writing posts", () => {
  it("users post as themselves only", async () => {
    await withDb(async (db) => {
      const [me, other] = await db.createUsers(2);
      await db.as(me!);
      const [row] = await db.q<{ author_id: string }[]>`
        insert into social.posts (body) values ('mine') returning author_id`;
      expect(row!.author_id).toBe(me);
      const err = await db.error((tx) => tx`insert into social.posts (author_id, body) values (${other!}, 'forged')`);
      expect(err.code).toBe("42501");
    });
  });

  it("anon cannot post", async () => {
    await withDb(async (db) => {
      const author = await db.createUser();
      await db.asAnon();
      const err = await db.error((tx) => tx`insert into social.posts (author_id, body) values (${author}, 'x')`);
      expect(err.code).toBe("42501");
    });
  });

  it("only active members post in a group", async () => {
    await withDb(async (db) => {
      const [owner, mem, stranger, banned, pending] = await db.createUsers(5);
      const g = await insertGroup(db, owner!);
      await addMember(db, g, mem!);
      await addMember(db, g, banned!, "member", "banned");
      await addMember(db, g, pending!, "member", "pending");
      expect(await post(db, mem!, { groupId: g })).toBeTruthy();
      for (const u of [stranger!, banned!, pending!]) {
        await db.as(u);
        const err = await db.error((tx) => tx`insert into social.posts (group_id, body) values (${g}, 'let me in')`);
        expect(err.code, asRole({ stranger, banned, pending }, u)).toBe("42501");
      }
    });
  });

  it("public given in a group is stored as group; followers in a group and group outside one are refused", async () => {
    await withDb(async (db) => {
      const owner = await db.createUser();
      const g = await insertGroup(db, owner);
      const id = await post(db, owner, { groupId: g, visibility: "public" });
      await db.asSuperuser();
      const [row] = await db.q`select visibility::text from social.posts where id = ${id}`;
      expect(row!.visibility).toBe("group");
      await db.as(owner);
      let err = await db.error(
        (tx) => tx`insert into social.posts (group_id, body, visibility) values (${g}, 'x', 'followers')`,
      );
      expect([err.code, err.hint]).toEqual(["22023", "invalid_visibility"]);
      err = await db.error((tx) => tx`insert into social.posts (body, visibility) values ('x', 'group')`);
      expect([err.code, err.hint]).toEqual(["22023", "invalid_visibility"]);
    });
  });

  it("bodies are 1-5000 characters and not blank; a text post needs text or media", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      expect(await post(db, me, { body: "x".repeat(5000) })).toBeTruthy();
      expect(await post(db, me, { body: null, media: refs(await createMedia(db, me)) })).toBeTruthy();
      await db.as(me);
      for (const body of ["", "   \n ", "x".repeat(5001)]) {
        const err = await db.error((tx) => tx`insert into social.posts (body) values (${body})`);
        expect([err.code, err.hint]).toEqual(["22023", "invalid_body"]);
      }
      const err = await db.error((tx) => tx`insert into social.posts (body) values (null)`);
      expect([err.code, err.hint]).toEqual(["22023", "invalid_body"]);
    });
  });

  it("activity posts carry a data object; event and trip posts refer to their event or trip", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      const ref = "11111111-1111-4111-8111-111111111111";
      const id = await post(db, me, { kind: "activity", body: null, data: { type: "run", km: 10.5 } });
      await db.asSuperuser();
      const [row] = await db.q`select data from social.posts where id = ${id}`;
      expect(row!.data).toEqual({ type: "run", km: 10.5 });
      expect(await post(db, me, { kind: "event", body: null, refType: "event", refId: ref })).toBeTruthy();
      await db.as(me);
      let err = await db.error((tx) => tx`insert into social.posts (kind, data) values ('activity', '[1, 2]')`);
      expect([err.code, err.hint]).toEqual(["22023", "invalid_data"]);
      err = await db.error((tx) => tx`insert into social.posts (kind, body) values ('trip', 'no trip')`);
      expect([err.code, err.hint]).toEqual(["22023", "invalid_ref"]);
      err = await db.error(
        (tx) => tx`insert into social.posts (kind, body, ref_type) values ('milestone', 'half', 'goal')`,
      );
      expect([err.code, err.hint]).toEqual(["22023", "invalid_ref"]);
    });
  });

  it("media is a list of at most 10 {id, alt} references to the author's uploads", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      const [photo, clip] = [await createMedia(db, me), await createMedia(db, me, { mimeType: "video/mp4" })];
      const ok = { id: photo.id, alt: "a run" };
      expect(await post(db, me, { media: [ok, { id: clip.id }] })).toBeTruthy();
      const other = await createMedia(db, me);
      const bad: unknown[] = [
        { media: { id: other.id } },
        { media: Array.from({ length: 11 }, () => ({ id: other.id })) },
        { media: [{ id: other.id, extra: 1 }] },
        { media: [{ alt: "no id" }] },
        { media: [{ id: "me/a.jpg" }] },
        { media: [{ id: other.id }, { id: other.id }] },
        { media: [{ id: other.id, alt: 5 }] },
        { media: [{ id: other.id, alt: "x".repeat(1001) }] },
        { media: [other.id] },
      ];
      await db.as(me);
      for (const b of bad) {
        const media = (b as { media: unknown }).media;
        const err = await db.error(
          (tx) => tx`insert into social.posts (body, media) values ('x', ${tx.json(media as never)})`,
        );
        expect([err.code, err.hint]).toEqual(["22023", "invalid_media"]);
      }
    });
  });

  it("clients cannot set counters, timestamps or deletion on insert", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      for (const col of ["deleted_at", "created_at"]) {
        const err = await db.error((tx) =>
          tx.unsafe(`insert into social.posts (body, ${col}) values ('x', '2020-01-01')`),
        );
        expect(err.code).toBe("42501");
      }
      // the counters live in social.post_stats, made with the post: clients write none of it
      const id = await post(db, me);
      await db.as(me);
      for (const col of ["reaction_count", "comment_count"]) {
        const err = await db.error((tx) =>
          tx.unsafe(
            `insert into social.post_stats (post_id, author_id, visibility, created_at, ${col})
             values (gen_random_uuid(), '${me}', 'public', now(), 99)`,
          ),
        );
        expect(err.code).toBe("42501");
      }
      expect(await counts(db, id)).toMatchObject({ reaction_count: 0, comment_count: 0, reaction_counts: {} });
    });
  });
});

describe("editing posts", () => {
  it("the author edits body, media and visibility; the earlier body is kept as a revision", async () => {
    await withDb(async (db) => {
      const [author, follower] = await db.createUsers(2);
      await follow(db, follower!, author!);
      const id = await post(db, author!, { body: "first", visibility: "followers" });
      await db.as(author!);
      await db.q`update social.posts set body = 'second' where id = ${id}`;
      const photo = await createMedia(db, author!);
      await db.as(author!);
      await db.q`update social.posts set body = 'third', media = ${db.q.json(refs(photo))} where id = ${id}`;
      await db.q`update social.posts set visibility = 'public' where id = ${id}`;
      const [p] = await db.q`select body, visibility::text, edited_at from social.posts where id = ${id}`;
      expect(p!.body).toBe("third");
      expect(p!.visibility).toBe("public");
      expect(p!.edited_at).not.toBeNull();
      await db.as(follower!);
      const revs = await db.q`select body, edited_by from social.post_revisions where post_id = ${id} order by body`;
      expect(revs.map((r) => r.body)).toEqual(["first", "second"]);
      expect(revs.every((r) => r.edited_by === author)).toBe(true);
    });
  });

  it("revisions are visible only to those who see the post", async () => {
    await withDb(async (db) => {
      const [author, follower, stranger] = await db.createUsers(3);
      await follow(db, follower!, author!);
      const id = await post(db, author!, { body: "v1", visibility: "followers" });
      await db.as(author!);
      await db.q`update social.posts set body = 'v2' where id = ${id}`;
      for (const [who, n] of [
        [author!, 1],
        [follower!, 1],
        [stranger!, 0],
        [null, 0],
      ] as const) {
        if (who) await db.as(who);
        else await db.asAnon();
        const rows = await db.q`select 1 from social.post_revisions where post_id = ${id}`;
        expect(rows.length).toBe(n);
      }
      await db.as(author!);
      await db.q`select social.delete_post(${id})`;
      await db.as(follower!);
      expect((await db.q`select 1 from social.post_revisions where post_id = ${id}`).length).toBe(0);
    });
  });

  it("a visibility change without a body change writes no revision", async () => {
    await withDb(async (db) => {
      const author = await db.createUser();
      const id = await post(db, author, { body: "same" });
      await db.as(author);
      await db.q`update social.posts set visibility = 'private' where id = ${id}`;
      const [p] = await db.q`select edited_at from social.posts where id = ${id}`;
      expect(p!.edited_at).toBeNull();
      expect((await db.q`select 1 from social.post_revisions where post_id = ${id}`).length).toBe(0);
    });
  });

  it("nobody else edits a post, and nobody edits counters, group or deletion", async () => {
    await withDb(async (db) => {
      const [author, follower] = await db.createUsers(2);
      await follow(db, follower!, author!);
      const id = await post(db, author!, { body: "original" });
      await db.as(follower!);
      const res = await db.q`update social.posts set body = 'hacked' where id = ${id}`;
      expect(res.count).toBe(0);
      await db.as(author!);
      for (const set of ["deleted_at = now()", "author_id = author_id", "group_id = null"]) {
        const err = await db.error((tx) => tx.unsafe(`update social.posts set ${set} where id = '${id}'`));
        expect(err.code).toBe("42501");
      }
      for (const set of ["reaction_count = 100", "comment_count = 100", "reaction_counts = '{}'"]) {
        const err = await db.error((tx) => tx.unsafe(`update social.post_stats set ${set} where post_id = '${id}'`));
        expect(err.code, set).toBe("42501");
      }
      expect((await counts(db, id)).reaction_count).toBe(0);
      await db.as(author!);
      await db.as(follower!);
      const err = await db.error((tx) => tx`delete from social.posts where id = ${id}`);
      expect(err.code).toBe("42501");
      await db.asSuperuser();
      const [p] = await db.q`select body from social.posts where id = ${id}`;
      expect(p!.body).toBe("original");
    });
  });

  it("a banned member no longer edits their posts in the group", async () => {
    await withDb(async (db) => {
      const [owner, mem] = await db.createUsers(2);
      const g = await insertGroup(db, owner!);
      await addMember(db, g, mem!);
      const id = await post(db, mem!, { groupId: g, body: "before" });
      await addMember(db, g, mem!, "member", "banned");
      await db.as(mem!);
      const res = await db.q`update social.posts set body = 'after' where id = ${id}`;
      expect(res.count).toBe(0);
    });
  });
});

describe("deleting posts", () => {
  it("the author soft-deletes a post: hidden from everyone, kept for service_role, idempotent", async () => {
    await withDb(async (db) => {
      const [author, follower] = await db.createUsers(2);
      await follow(db, follower!, author!);
      const id = await post(db, author!);
      await db.as(author!);
      await db.q`select social.delete_post(${id})`;
      await db.q`select social.delete_post(${id})`;
      expect(await canSee(db, author!, id)).toBe(false);
      expect(await canSee(db, follower!, id)).toBe(false);
      expect(await canSee(db, null, id)).toBe(false);
      await db.asService();
      const [row] = await db.q`select deleted_at, deleted_by from social.posts where id = ${id}`;
      expect(row!.deleted_at).not.toBeNull();
      expect(row!.deleted_by).toBe(author);
      await db.as(author!);
      const res = await db.q`update social.posts set body = 'zombie' where id = ${id}`;
      expect(res.count).toBe(0);
    });
  });

  it("others cannot delete a post: not_allowed when they see it, post_not_found when they do not", async () => {
    await withDb(async (db) => {
      const [author, reader] = await db.createUsers(2);
      const shown = await post(db, author!, { visibility: "public" });
      const hidden = await post(db, author!, { visibility: "private" });
      await db.as(reader!);
      let err = await db.error((tx) => tx`select social.delete_post(${shown})`);
      expect([err.code, err.hint]).toEqual(["42501", "not_allowed"]);
      err = await db.error((tx) => tx`select social.delete_post(${hidden})`);
      expect([err.code, err.hint]).toEqual(["PT404", "post_not_found"]);
      err = await db.error((tx) => tx`select social.delete_post(gen_random_uuid())`);
      expect([err.code, err.hint]).toEqual(["PT404", "post_not_found"]);
      await db.asAnon();
      err = await db.error((tx) => tx`select social.delete_post(${shown})`);
      expect(err.code).toBe("42501");
      expect(await canSee(db, reader!, shown)).toBe(true);
    });
  });

  it("group staff soft-delete posts in their group; plain members do not", async () => {
    await withDb(async (db) => {
      const [owner, mod, a, b] = await db.createUsers(4);
      const g = await insertGroup(db, owner!);
      await addMember(db, g, mod!, "moderator");
      await addMember(db, g, a!);
      await addMember(db, g, b!);
      const p1 = await post(db, a!, { groupId: g });
      const p2 = await post(db, a!, { groupId: g, visibility: "private" });
      await db.as(b!);
      const err = await db.error((tx) => tx`select social.delete_post(${p1})`);
      expect([err.code, err.hint]).toEqual(["42501", "not_allowed"]);
      await db.as(mod!);
      await db.q`select social.delete_post(${p1})`;
      // staff remove even private posts they cannot read
      await db.q`select social.delete_post(${p2})`;
      await db.asService();
      const rows = await db.q`select deleted_by from social.posts where id in (${p1}, ${p2})`;
      expect(rows.map((r) => r.deleted_by)).toEqual([mod, mod]);
    });
  });

  it("staff of another group cannot delete", async () => {
    await withDb(async (db) => {
      const [owner, otherOwner, a] = await db.createUsers(3);
      const g = await insertGroup(db, owner!);
      await insertGroup(db, otherOwner!);
      await addMember(db, g, a!);
      const id = await post(db, a!, { groupId: g });
      await db.as(otherOwner!);
      const err = await db.error((tx) => tx`select social.delete_post(${id})`);
      expect([err.code, err.hint]).toEqual(["42501", "not_allowed"]);
    });
  });
});

describe("reactions", () => {
  it("adding is idempotent per kind; counts per kind follow adds and removes", async () => {
    await withDb(async (db) => {
      const [author, a, b] = await db.createUsers(3);
      const id = await post(db, author!);
      const before = await counts(db, id);
      await db.as(a!);
      expect((await db.q`select social.react(${id}, 'like') as r`)[0]!.r).toBe(true);
      expect((await db.q`select social.react(${id}, 'like') as r`)[0]!.r).toBe(false);
      await db.q`select social.react(${id}, 'fire')`;
      await db.as(b!);
      await db.q`insert into social.reactions (post_id, kind) values (${id}, 'like') on conflict do nothing`;
      await db.q`insert into social.reactions (post_id, kind) values (${id}, 'like') on conflict do nothing`;
      let c = await counts(db, id);
      expect(c.reaction_count).toBe(3);
      expect(c.reaction_counts).toEqual({ like: 2, fire: 1 });
      expect(c.hot_score).toBeGreaterThan(before.hot_score);
      await db.as(a!);
      expect((await db.q`select social.unreact(${id}, 'fire') as r`)[0]!.r).toBe(true);
      expect((await db.q`select social.unreact(${id}, 'fire') as r`)[0]!.r).toBe(false);
      await db.as(b!);
      await db.q`delete from social.reactions where post_id = ${id} and kind = 'like'`;
      c = await counts(db, id);
      expect(c.reaction_count).toBe(1);
      expect(c.reaction_counts).toEqual({ like: 1 });
      await db.as(a!);
      await db.q`select social.unreact(${id}, 'like')`;
      c = await counts(db, id);
      expect(c.reaction_count).toBe(0);
      expect(c.reaction_counts).toEqual({});
      expect(c.hot_score).toBeCloseTo(before.hot_score, 9);
    });
  });

  it("only the fixed kinds exist", async () => {
    await withDb(async (db) => {
      const [author, a] = await db.createUsers(2);
      const id = await post(db, author!);
      await db.as(a!);
      const err = await db.error((tx) => tx`select social.react(${id}, 'angry')`);
      expect(err.code).toBe("22P02");
    });
  });

  it("users react as themselves, to posts they see, and remove only their own", async () => {
    await withDb(async (db) => {
      const [author, a, stranger] = await db.createUsers(3);
      const shown = await post(db, author!);
      const hidden = await post(db, author!, { visibility: "followers" });
      await db.as(a!);
      await db.q`select social.react(${shown}, 'love')`;
      let err = await db.error(
        (tx) => tx`insert into social.reactions (post_id, user_id, kind) values (${shown}, ${stranger!}, 'like')`,
      );
      expect(err.code).toBe("42501");
      err = await db.error((tx) => tx`select social.react(${hidden}, 'like')`);
      expect([err.code, err.hint]).toEqual(["PT404", "post_not_found"]);
      err = await db.error((tx) => tx`insert into social.reactions (post_id, kind) values (${hidden}, 'like')`);
      expect(err.code).toBe("42501");
      await db.as(stranger!);
      const res = await db.q`delete from social.reactions where post_id = ${shown}`;
      expect(res.count).toBe(0);
      expect((await counts(db, shown)).reaction_count).toBe(1);
    });
  });

  it("in a group only active members react (a public club's posts are readable by all)", async () => {
    await withDb(async (db) => {
      const [owner, mem, stranger] = await db.createUsers(3);
      const g = await insertGroup(db, owner!, { visibility: "public" });
      await addMember(db, g, mem!);
      const id = await post(db, mem!, { groupId: g });
      await db.as(stranger!);
      const err = await db.error((tx) => tx`select social.react(${id}, 'like')`);
      expect([err.code, err.hint]).toEqual(["42501", "not_allowed"]);
      await db.as(owner!);
      expect((await db.q`select social.react(${id}, 'like') as r`)[0]!.r).toBe(true);
    });
  });

  it("reactions are seen by who sees the post, never across a block, never by anon", async () => {
    await withDb(async (db) => {
      const [author, fan, blocker, stranger] = await db.createUsers(4);
      await follow(db, fan!, author!);
      await follow(db, blocker!, author!);
      const id = await post(db, author!, { visibility: "followers" });
      await db.as(fan!);
      await db.q`select social.react(${id}, 'like')`;
      await db.as(blocker!);
      await db.q`select social.react(${id}, 'fire')`;
      await block(db, blocker!, fan!);
      const seen = async (who: string | null) => {
        if (who) await db.as(who);
        else await db.asAnon();
        return (await db.q`select kind::text from social.reactions where post_id = ${id}`).map((r) => r.kind).sort();
      };
      expect(await seen(author!)).toEqual(["fire", "like"]);
      expect(await seen(fan!)).toEqual(["like"]);
      expect(await seen(blocker!)).toEqual(["fire"]);
      expect(await seen(stranger!)).toEqual([]);
      expect(await seen(null)).toEqual([]);
    });
  });

  it("a deleted post takes no reactions", async () => {
    await withDb(async (db) => {
      const [author, a] = await db.createUsers(2);
      const id = await post(db, author!);
      await db.as(author!);
      await db.q`select social.delete_post(${id})`;
      await db.as(a!);
      const err = await db.error((tx) => tx`select social.react(${id}, 'like')`);
      expect(err.hint).toBe("post_not_found");
    });
  });
});

describe("comments", () => {
  it("comments and replies keep comment_count and reply_count; one level of replies only", async () => {
    await withDb(async (db) => {
      const [author, a, b] = await db.createUsers(3);
      const id = await post(db, author!);
      const other = await post(db, author!);
      await db.as(a!);
      const [top] = await db.q<{ id: string }[]>`
        insert into social.comments (post_id, body) values (${id}, 'first!') returning id`;
      await db.as(b!);
      const [reply] = await db.q<{ id: string }[]>`
        insert into social.comments (post_id, parent_id, body) values (${id}, ${top!.id}, 'agreed') returning id`;
      let err = await db.error(
        (tx) => tx`insert into social.comments (post_id, parent_id, body) values (${id}, ${reply!.id}, 'deeper')`,
      );
      expect([err.code, err.hint]).toEqual(["22023", "invalid_parent"]);
      err = await db.error(
        (tx) => tx`insert into social.comments (post_id, parent_id, body) values (${other}, ${top!.id}, 'elsewhere')`,
      );
      expect([err.code, err.hint]).toEqual(["22023", "invalid_parent"]);
      err = await db.error(
        (tx) => tx`insert into social.comments (post_id, parent_id, body) values (${id}, gen_random_uuid(), 'x')`,
      );
      expect([err.code, err.hint]).toEqual(["PT404", "parent_not_found"]);
      expect((await counts(db, id)).comment_count).toBe(2);
      await db.asSuperuser();
      const [t] = await db.q`select reply_count from social.comments where id = ${top!.id}`;
      expect(t!.reply_count).toBe(1);
    });
  });

  it("comment bodies are 1-2000 characters and not blank", async () => {
    await withDb(async (db) => {
      const [author, a] = await db.createUsers(2);
      const id = await post(db, author!);
      await db.as(a!);
      for (const body of [" ", "\t\n", "x".repeat(2001)]) {
        const err = await db.error((tx) => tx`insert into social.comments (post_id, body) values (${id}, ${body})`);
        expect([err.code, err.hint]).toEqual(["22023", "invalid_body"]);
      }
    });
  });

  it("users comment as themselves on posts they see; in a group only members", async () => {
    await withDb(async (db) => {
      const [author, a, stranger, owner] = await db.createUsers(4);
      const hidden = await post(db, author!, { visibility: "followers" });
      const shown = await post(db, author!);
      const g = await insertGroup(db, owner!, { visibility: "public" });
      const inGroup = await post(db, owner!, { groupId: g });
      await db.as(a!);
      let err = await db.error((tx) => tx`insert into social.comments (post_id, body) values (${hidden}, 'hi')`);
      expect(err.code).toBe("42501");
      err = await db.error((tx) => tx`insert into social.comments (post_id, body) values (${inGroup}, 'hi')`);
      expect(err.code).toBe("42501");
      err = await db.error(
        (tx) => tx`insert into social.comments (post_id, author_id, body) values (${shown}, ${stranger!}, 'forged')`,
      );
      expect(err.code).toBe("42501");
      await db.q`insert into social.comments (post_id, body) values (${shown}, 'hi')`;
      await db.asAnon();
      err = await db.error((tx) => tx`insert into social.comments (post_id, body) values (${shown}, 'anon')`);
      expect(err.code).toBe("42501");
    });
  });

  it("comments are visible to whoever sees the post and never across a block", async () => {
    await withDb(async (db) => {
      const [author, fan, critic, stranger] = await db.createUsers(4);
      await follow(db, fan!, author!);
      await follow(db, critic!, author!);
      const followersOnly = await post(db, author!, { visibility: "followers" });
      const open = await post(db, author!, { visibility: "public" });
      for (const p of [followersOnly, open]) {
        await db.as(fan!);
        await db.q`insert into social.comments (post_id, body) values (${p}, 'from fan')`;
        await db.as(critic!);
        await db.q`insert into social.comments (post_id, body) values (${p}, 'from critic')`;
      }
      await block(db, fan!, critic!);
      const seen = async (who: string | null, p: string) => {
        if (who) await db.as(who);
        else await db.asAnon();
        return (await db.q`select body from social.comments where post_id = ${p} order by body`).map((r) => r.body);
      };
      expect(await seen(author!, followersOnly)).toEqual(["from critic", "from fan"]);
      expect(await seen(fan!, followersOnly)).toEqual(["from fan"]);
      expect(await seen(critic!, followersOnly)).toEqual(["from critic"]);
      expect(await seen(stranger!, followersOnly)).toEqual([]);
      expect(await seen(null, followersOnly)).toEqual([]);
      expect(await seen(stranger!, open)).toEqual(["from critic", "from fan"]);
      expect(await seen(null, open)).toEqual(["from critic", "from fan"]);
    });
  });

  it("a blocked user cannot reply to the blocker's comment", async () => {
    await withDb(async (db) => {
      const [author, a, b] = await db.createUsers(3);
      const id = await post(db, author!);
      await db.as(a!);
      const [c] = await db.q<
        { id: string }[]
      >`insert into social.comments (post_id, body) values (${id}, 'mine') returning id`;
      await block(db, a!, b!);
      await db.as(b!);
      const err = await db.error(
        (tx) => tx`insert into social.comments (post_id, parent_id, body) values (${id}, ${c!.id}, 'hey')`,
      );
      expect([err.code, err.hint]).toEqual(["PT404", "parent_not_found"]);
    });
  });

  it("the author edits a comment (edited_at); nobody else does, and nobody edits counters", async () => {
    await withDb(async (db) => {
      const [author, a, b] = await db.createUsers(3);
      const id = await post(db, author!);
      await db.as(a!);
      const [c] = await db.q<
        { id: string }[]
      >`insert into social.comments (post_id, body) values (${id}, 'tpyo') returning id`;
      await db.q`update social.comments set body = 'typo' where id = ${c!.id}`;
      const [row] = await db.q`select body, edited_at from social.comments where id = ${c!.id}`;
      expect(row!.body).toBe("typo");
      expect(row!.edited_at).not.toBeNull();
      let err = await db.error((tx) => tx`update social.comments set reply_count = 9 where id = ${c!.id}`);
      expect(err.code).toBe("42501");
      await db.as(b!);
      expect((await db.q`update social.comments set body = 'hijack' where id = ${c!.id}`).count).toBe(0);
      err = await db.error((tx) => tx`delete from social.comments where id = ${c!.id}`);
      expect(err.code).toBe("42501");
    });
  });

  it("deleting a comment: its author, the post's author or group staff; replies go with it", async () => {
    await withDb(async (db) => {
      const [owner, mod, author, a, b] = await db.createUsers(5);
      const g = await insertGroup(db, owner!);
      await addMember(db, g, mod!, "moderator");
      for (const u of [author!, a!, b!]) await addMember(db, g, u);
      const id = await post(db, author!, { groupId: g });
      await db.as(a!);
      const [top] = await db.q<
        { id: string }[]
      >`insert into social.comments (post_id, body) values (${id}, 'top') returning id`;
      await db.as(b!);
      await db.q`insert into social.comments (post_id, parent_id, body) values (${id}, ${top!.id}, 'r1')`;
      const [own] = await db.q<
        { id: string }[]
      >`insert into social.comments (post_id, body) values (${id}, 'b says') returning id`;
      const [other] = await db.q<
        { id: string }[]
      >`insert into social.comments (post_id, body) values (${id}, 'b again') returning id`;
      expect((await counts(db, id)).comment_count).toBe(4);

      // a plain member cannot delete someone else's comment
      await db.as(a!);
      const err = await db.error((tx) => tx`select social.delete_comment(${own!.id})`);
      expect([err.code, err.hint]).toEqual(["42501", "not_allowed"]);
      // the comment's author
      await db.as(b!);
      await db.q`select social.delete_comment(${own!.id})`;
      await db.q`select social.delete_comment(${own!.id})`;
      expect((await counts(db, id)).comment_count).toBe(3);
      // the post's author
      await db.as(author!);
      await db.q`select social.delete_comment(${other!.id})`;
      expect((await counts(db, id)).comment_count).toBe(2);
      // group staff; the reply goes with its parent
      await db.as(mod!);
      await db.q`select social.delete_comment(${top!.id})`;
      expect((await counts(db, id)).comment_count).toBe(0);
      await db.as(owner!);
      expect((await db.q`select 1 from social.comments where post_id = ${id}`).length).toBe(0);
      await db.asService();
      const rows = await db.q`select body, deleted_by from social.comments where post_id = ${id} order by body`;
      expect(rows.map((r) => [r.body, r.deleted_by])).toEqual([
        ["b again", author],
        ["b says", b],
        ["r1", mod],
        ["top", mod],
      ]);
    });
  });

  it("deleting a reply lowers its parent's reply_count", async () => {
    await withDb(async (db) => {
      const [author, a] = await db.createUsers(2);
      const id = await post(db, author!);
      await db.as(a!);
      const [top] = await db.q<
        { id: string }[]
      >`insert into social.comments (post_id, body) values (${id}, 'q') returning id`;
      const [r] = await db.q<{ id: string }[]>`
        insert into social.comments (post_id, parent_id, body) values (${id}, ${top!.id}, 'a') returning id`;
      await db.q`select social.delete_comment(${r!.id})`;
      const [t] = await db.q`select reply_count from social.comments where id = ${top!.id}`;
      expect(t!.reply_count).toBe(0);
      expect((await counts(db, id)).comment_count).toBe(1);
    });
  });
});

describe("mentions", () => {
  it("@handles in posts and comments become mentions of existing users, case-insensitively", async () => {
    await withDb(async (db) => {
      const author = await db.createUser({ handle: "author_x" });
      const ana = await db.createUser({ handle: "ana_runs" });
      const bo = await db.createUser({ handle: "Bo_Lifts" });
      const id = await post(db, author, {
        body: "with @ANA_RUNS and @bo_lifts, not @nobody_here, not mail@ana_runs, me @author_x, @ana_runs again",
      });
      await db.asSuperuser();
      const rows = await db.q`
        select mentioned_id, author_id, comment_id from social.mentions where post_id = ${id} order by mentioned_id`;
      expect(rows.map((r) => r.mentioned_id).sort()).toEqual([ana, bo].sort());
      expect(rows.every((r) => r.author_id === author && r.comment_id === null)).toBe(true);
      await db.as(ana);
      const [c] = await db.q<{ id: string }[]>`
        insert into social.comments (post_id, body) values (${id}, 'thanks @author_x') returning id`;
      await db.asSuperuser();
      const cm = await db.q`select mentioned_id, author_id from social.mentions where comment_id = ${c!.id}`;
      expect(cm).toEqual([{ mentioned_id: author, author_id: ana }]);
    });
  });

  it("users blocked either way with the author are not mentioned", async () => {
    await withDb(async (db) => {
      const author = await db.createUser({ handle: "author_y" });
      const blockedByAuthor = await db.createUser({ handle: "blocked_one" });
      const blockerOfAuthor = await db.createUser({ handle: "blocker_one" });
      const fine = await db.createUser({ handle: "fine_one" });
      await block(db, author, blockedByAuthor);
      await block(db, blockerOfAuthor, author);
      const id = await post(db, author, { body: "@blocked_one @blocker_one @fine_one" });
      await db.asSuperuser();
      const rows = await db.q`select mentioned_id from social.mentions where post_id = ${id}`;
      expect(rows.map((r) => r.mentioned_id)).toEqual([fine]);
    });
  });

  it("editing a body adds new mentions and removes dropped ones", async () => {
    await withDb(async (db) => {
      const author = await db.createUser({ handle: "author_z" });
      const a = await db.createUser({ handle: "first_one" });
      const b = await db.createUser({ handle: "second_one" });
      const id = await post(db, author, { body: "hi @first_one" });
      await db.asSuperuser();
      const [before] = await db.q`select id from social.mentions where post_id = ${id} and mentioned_id = ${a}`;
      await db.as(author);
      await db.q`update social.posts set body = 'hi @second_one and @first_one' where id = ${id}`;
      await db.asSuperuser();
      let rows = await db.q`select id, mentioned_id from social.mentions where post_id = ${id}`;
      expect(rows.map((r) => r.mentioned_id).sort()).toEqual([a, b].sort());
      // the kept mention is the same row (no second notification)
      expect(rows.find((r) => r.mentioned_id === a)!.id).toBe(before!.id);
      await db.as(author);
      await db.q`update social.posts set body = 'just @second_one' where id = ${id}`;
      await db.asSuperuser();
      rows = await db.q`select mentioned_id from social.mentions where post_id = ${id}`;
      expect(rows.map((r) => r.mentioned_id)).toEqual([b]);
    });
  });

  it("at most 20 users are mentioned per text", async () => {
    await withDb(async (db) => {
      const author = await db.createUser();
      const names = Array.from({ length: 22 }, (_, i) => `many_${i}`);
      for (const h of names) await db.createUser({ handle: h });
      const id = await post(db, author, { body: names.map((h) => `@${h}`).join(" ") });
      await db.asSuperuser();
      const rows = await db.q`
        select p.handle::text from social.mentions m join social.profiles p on p.id = m.mentioned_id
        where m.post_id = ${id}`;
      expect(rows.length).toBe(20);
      expect(rows.map((r) => r.handle)).not.toContain("many_21");
    });
  });

  it("mentions are visible to those who see the post", async () => {
    await withDb(async (db) => {
      const author = await db.createUser();
      const [follower, stranger] = await db.createUsers(2);
      const pal = await db.createUser({ handle: "pal_one" });
      await follow(db, follower!, author);
      const id = await post(db, author, { body: "with @pal_one", visibility: "followers" });
      for (const [who, n] of [
        [author, 1],
        [follower!, 1],
        [stranger!, 0],
        // mentioned but not a follower: the post is not theirs to see
        [pal, 0],
      ] as const) {
        await db.as(who);
        expect((await db.q`select 1 from social.mentions where post_id = ${id}`).length).toBe(n);
      }
      await db.asAnon();
      const err = await db.error((tx) => tx`select 1 from social.mentions`);
      expect(err.code).toBe("42501");
      await db.as(follower!);
      const ins = await db.error(
        (tx) =>
          tx`insert into social.mentions (post_id, mentioned_id, author_id) values (${id}, ${stranger!}, ${follower!})`,
      );
      expect(ins.code).toBe("42501");
    });
  });

  it("a mention in a comment is hidden from those the comment is hidden from", async () => {
    await withDb(async (db) => {
      const author = await db.createUser();
      const [critic, reader] = await db.createUsers(2);
      await db.createUser({ handle: "someone_x" });
      const id = await post(db, author);
      await db.as(critic!);
      await db.q`insert into social.comments (post_id, body) values (${id}, 'ask @someone_x')`;
      await block(db, reader!, critic!);
      await db.as(reader!);
      expect((await db.q`select 1 from social.mentions where post_id = ${id}`).length).toBe(0);
      await db.as(author);
      expect((await db.q`select 1 from social.mentions where post_id = ${id}`).length).toBe(1);
    });
  });
});

describe("rate limits", () => {
  it("the 11th post in a minute is refused with rate_limited and nothing is written", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      for (let i = 0; i < 10; i++) await post(db, me, { body: `post ${i}` });
      await db.as(me);
      const err = await db.error((tx) => tx`insert into social.posts (body) values ('one too many')`);
      expect([err.code, err.hint]).toEqual(["PT429", "rate_limited"]);
      await db.asSuperuser();
      const [row] = await db.q`select count(*)::int as n from social.posts where author_id = ${me}`;
      expect(row!.n).toBe(10);
    });
  });

  it("limits are per user and per action", async () => {
    await withDb(async (db) => {
      const [me, other] = await db.createUsers(2);
      await db.asSuperuser();
      await db.q`update social_private.rate_limit_rules set per_minute = 2 where action in ('post', 'comment', 'reaction')`;
      const p1 = await post(db, me!);
      await post(db, me!);
      expect(await post(db, other!)).toBeTruthy();
      await db.as(me!);
      let err = await db.error((tx) => tx`insert into social.posts (body) values ('third')`);
      expect(err.hint).toBe("rate_limited");
      // comments and reactions have their own budgets
      await db.q`insert into social.comments (post_id, body) values (${p1}, 'c1')`;
      await db.q`insert into social.comments (post_id, body) values (${p1}, 'c2')`;
      err = await db.error((tx) => tx`insert into social.comments (post_id, body) values (${p1}, 'c3')`);
      expect([err.code, err.hint]).toEqual(["PT429", "rate_limited"]);
      await db.q`select social.react(${p1}, 'like')`;
      await db.q`select social.react(${p1}, 'fire')`;
      // an existing reaction again costs nothing
      await db.q`select social.react(${p1}, 'fire')`;
      err = await db.error((tx) => tx`select social.react(${p1}, 'love')`);
      expect([err.code, err.hint]).toEqual(["PT429", "rate_limited"]);
      expect((await counts(db, p1)).reaction_count).toBe(2);
      expect((await counts(db, p1)).comment_count).toBe(2);
    });
  });

  it("service_role is not limited", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.asService();
      for (let i = 0; i < 15; i++) {
        await db.q`insert into social.posts (author_id, body) values (${me}, ${`auto ${i}`})`;
      }
      const [row] = await db.q`select count(*)::int as n from social.posts where author_id = ${me}`;
      expect(row!.n).toBe(15);
    });
  });

  it("check_rate_limit is generic: report has its budget, an action without a rule is free", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      for (let i = 0; i < 10; i++) await db.q`select social_private.check_rate_limit('report')`;
      const err = await db.error((tx) => tx`select social_private.check_rate_limit('report')`);
      expect([err.code, err.hint]).toEqual(["PT429", "rate_limited"]);
      for (let i = 0; i < 50; i++) await db.q`select social_private.check_rate_limit('no_such_action')`;
    });
  });

  it("clients cannot read or change the rules and counters", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      for (const q of [
        "select * from social_private.rate_limit_rules",
        "update social_private.rate_limit_rules set per_minute = 1000",
        "delete from social_private.rate_limit_counters",
      ]) {
        const err = await db.error((tx) => tx.unsafe(q));
        expect(err.code).toBe("42501");
      }
    });
  });
});
