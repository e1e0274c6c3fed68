/**
 * `client.posts`, `client.reactions`, `client.comments` and `client.feed` against the live local
 * API: who sees and may touch a post, counts and own reactions, comment threads, and the feeds'
 * keyset paging.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  CommentCreateSchema,
  FeedOptionsSchema,
  type Page,
  type Post,
  PostCreateSchema,
  PostUpdateSchema,
  ReactionKindSchema,
} from "../../client-sdk/src/index.ts";
import { gradientPng } from "../../seeds/png.ts";
import { expectError, session, signUp, type TestUser, uniqueName, unwrap } from "../fixtures/sdk.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;

async function clubOf(owner: TestUser, ...members: TestUser[]) {
  const group = unwrap(
    await owner.client.groups.create({ name: uniqueName("Club"), kind: "club", visibility: "private" }),
  );
  for (const m of members) unwrap(await m.client.groups.join(group.id));
  return group;
}

describe("posts: schemas", () => {
  test("PostCreateSchema wants content, paired refs and a visibility that fits the place", () => {
    expect(PostCreateSchema.safeParse({ body: "Ran 10k" }).success).toBe(true);
    expect(PostCreateSchema.safeParse({}).success).toBe(false);
    expect(PostCreateSchema.safeParse({ body: "   " }).success).toBe(false);
    expect(PostCreateSchema.safeParse({ media: [{ id: randomUUID(), alt: "a run" }] }).success).toBe(true);
    expect(PostCreateSchema.safeParse({ media: [{ id: "u/a.gif" }] }).success).toBe(false);
    expect(PostCreateSchema.safeParse({ media: [{ id: randomUUID(), alt: "x".repeat(1001) }] }).success).toBe(false);
    expect(
      PostCreateSchema.safeParse({ media: Array.from({ length: 11 }, () => ({ id: randomUUID() })) }).success,
    ).toBe(false);
    expect(PostCreateSchema.safeParse({ body: "x", refType: "event" }).success).toBe(false);
    expect(
      PostCreateSchema.safeParse({ kind: "event", body: "Join!", refType: "trip", refId: randomUUID() }).success,
    ).toBe(false);
    expect(PostCreateSchema.safeParse({ kind: "event", refType: "event", refId: randomUUID() }).success).toBe(true);
    expect(PostCreateSchema.safeParse({ body: "x", visibility: "group" }).success).toBe(false);
    expect(PostCreateSchema.safeParse({ body: "x", groupId: randomUUID(), visibility: "followers" }).success).toBe(
      false,
    );
    expect(PostCreateSchema.safeParse({ body: "x", reactionCount: 100 }).success).toBe(false);
    expect(PostCreateSchema.safeParse({ body: "x", data: { big: "y".repeat(17_000) } }).success).toBe(false);
  });

  test("PostUpdateSchema, CommentCreateSchema, ReactionKindSchema and FeedOptionsSchema", () => {
    expect(PostUpdateSchema.safeParse({}).success).toBe(false);
    expect(PostUpdateSchema.safeParse({ body: null }).success).toBe(true);
    expect(CommentCreateSchema.safeParse({ body: "x".repeat(2001) }).success).toBe(false);
    expect(CommentCreateSchema.safeParse({ body: "ok", parentId: "nope" }).success).toBe(false);
    expect(ReactionKindSchema.safeParse("fire").success).toBe(true);
    expect(ReactionKindSchema.safeParse("angry").success).toBe(false);
    expect(FeedOptionsSchema.safeParse({ order: "hot" }).success).toBe(false);
    expect(FeedOptionsSchema.safeParse({ limit: 0 }).success).toBe(false);
    expect(FeedOptionsSchema.safeParse({ limit: 51 }).success).toBe(true); // capped to 50 by the server
    expect(FeedOptionsSchema.safeParse({ cursor: "not a cursor!" }).success).toBe(false);
  });

  test("invalid input is invalid_input and sends no request; signed out, writes are not_authenticated", async () => {
    const { client, restCalls } = session();
    for (const result of [
      await client.posts.create({ body: "" }),
      await client.posts.get("x"),
      await client.reactions.add(randomUUID(), "angry" as never),
      await client.comments.create(randomUUID(), { body: " " }),
      await client.feed.home({ limit: 0 }),
      await client.feed.group("x"),
    ]) {
      expectError(result, "invalid_input", 400);
    }
    expect(restCalls).toEqual([]);
    expectError(await client.posts.create({ body: "hi" }), "not_authenticated", 401);
    expectError(await client.feed.home(), "not_authenticated", 401);
  });
});

describe("posts", () => {
  test("a public post comes back in the feed shape and others see it; a private one only its author", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const photo = unwrap(
      await ana.client.media.upload(gradientPng(4, 5, [250, 120, 40]), {
        target: "post",
        mimeType: "image/png",
        width: 1080,
        height: 1350,
      }),
    );
    const post = unwrap(
      await ana.client.posts.create({
        kind: "activity",
        body: "Morning run",
        data: { km: 8.5, minutes: 44 },
        media: [{ id: photo.id, alt: "Sunrise" }],
      }),
    );
    expect(post).toMatchObject({
      authorId: ana.id,
      groupId: null,
      kind: "activity",
      body: "Morning run",
      data: { km: 8.5, minutes: 44 },
      media: [
        {
          id: photo.id,
          bucket: "social-posts",
          path: `${ana.id}/${photo.id}.png`,
          type: "image",
          mimeType: "image/png",
          width: 1080,
          height: 1350,
          alt: "Sunrise",
        },
      ],
      visibility: "public",
      reactionCounts: {},
      reactionCount: 0,
      commentCount: 0,
      editedAt: null,
      author: { id: ana.id, handle: ana.handle },
      group: null,
      myReactions: [],
    });
    expect(post.createdAt).toMatch(ISO);
    expect(unwrap(await ben.client.posts.get(post.id)).body).toBe("Morning run");

    const secret = unwrap(await ana.client.posts.create({ body: "Diary", visibility: "private" }));
    expect(unwrap(await ana.client.posts.get(secret.id)).visibility).toBe("private");
    expectError(await ben.client.posts.get(secret.id), "post_not_found", 404);
    expectError(await ben.client.posts.get(randomUUID()), "post_not_found", 404);
  });

  test("a client-chosen id makes a retried create a conflict instead of a duplicate", async () => {
    const ana = await signUp("ana");
    const id = randomUUID();
    expect(unwrap(await ana.client.posts.create({ id, body: "Once" })).id).toBe(id);
    expectError(await ana.client.posts.create({ id, body: "Once" }), "conflict", 409);
  });

  test("only members post in a group, and there a post is visible to the group", async () => {
    const owner = await signUp("owner");
    const [member, outsider] = await Promise.all([signUp("member"), signUp("outsider")]);
    const group = await clubOf(owner, member);
    const post = unwrap(await member.client.posts.create({ groupId: group.id, body: "Hello club" }));
    expect(post).toMatchObject({ groupId: group.id, visibility: "group", group: { id: group.id, name: group.name } });
    expect(unwrap(await owner.client.posts.get(post.id)).id).toBe(post.id);
    expectError(await outsider.client.posts.get(post.id), "post_not_found", 404);
    expectError(await outsider.client.posts.create({ groupId: group.id, body: "Let me in" }), "permission_denied", 403);
  });

  test("the author edits (keeping a revision) and deletes; others may do neither", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const post = unwrap(await ana.client.posts.create({ body: "Ran 10k" }));
    expectError(await ben.client.posts.update(post.id, { body: "Ran 1k" }), "not_allowed", 403);
    const edited = unwrap(await ana.client.posts.update(post.id, { body: "Ran 10.5k" }));
    expect(edited.body).toBe("Ran 10.5k");
    expect(edited.editedAt).toMatch(ISO);
    const revisions = unwrap(await ben.client.posts.revisions(post.id));
    expect(revisions.items.map((r) => [r.body, r.editedBy])).toEqual([["Ran 10k", ana.id]]);

    expectError(await ben.client.posts.delete(post.id), "not_allowed", 403);
    expect(unwrap(await ana.client.posts.delete(post.id))).toBeNull();
    expect(unwrap(await ana.client.posts.delete(post.id))).toBeNull();
    expectError(await ana.client.posts.get(post.id), "post_not_found", 404);
  });

  test("the eleventh post within a minute is rate_limited (429)", async () => {
    const ana = await signUp("ana");
    // the limit counts per minute window: start well inside one
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    for (let i = 0; i < 10; i++) unwrap(await ana.client.posts.create({ body: `post ${i}` }));
    expectError(await ana.client.posts.create({ body: "one too many" }), "rate_limited", 429);
  }, 30_000);

  test("deleting a post that does not exist is post_not_found", async () => {
    const ana = await signUp("ana");
    expectError(await ana.client.posts.delete(randomUUID()), "post_not_found", 404);
  });
});

describe("reactions", () => {
  test("reacting is idempotent per kind; counts, own reactions and the list follow", async () => {
    const [ana, ben, cleo] = await Promise.all([signUp("ana"), signUp("ben"), signUp("cleo")]);
    const post = unwrap(await ana.client.posts.create({ body: "PB!" }));
    expect(unwrap(await ben.client.reactions.add(post.id, "fire"))).toBe(true);
    expect(unwrap(await ben.client.reactions.add(post.id, "fire"))).toBe(false);
    expect(unwrap(await ben.client.reactions.add(post.id, "strong"))).toBe(true);
    expect(unwrap(await cleo.client.reactions.add(post.id, "fire"))).toBe(true);

    const seenByBen = unwrap(await ben.client.posts.get(post.id));
    expect(seenByBen).toMatchObject({ reactionCount: 3, reactionCounts: { fire: 2, strong: 1 } });
    expect(seenByBen.myReactions.sort()).toEqual(["fire", "strong"]);
    expect(unwrap(await ana.client.posts.get(post.id)).myReactions).toEqual([]);

    const fire = unwrap(await ana.client.reactions.list(post.id, { kind: "fire" }));
    expect(fire.items.map((r) => r.user.id)).toEqual([cleo.id, ben.id]);
    const page1 = unwrap(await ana.client.reactions.list(post.id, { limit: 2 }));
    const page2 = unwrap(await ana.client.reactions.list(post.id, { limit: 2, cursor: page1.nextCursor }));
    expect([...page1.items, ...page2.items].map((r) => `${r.user.id}:${r.kind}`).sort()).toEqual(
      [`${ben.id}:fire`, `${ben.id}:strong`, `${cleo.id}:fire`].sort(),
    );
    expect(page2.nextCursor).toBeNull();

    expect(unwrap(await ben.client.reactions.remove(post.id, "fire"))).toBe(true);
    expect(unwrap(await ben.client.reactions.remove(post.id, "fire"))).toBe(false);
    expect(unwrap(await ben.client.posts.get(post.id))).toMatchObject({
      reactionCount: 2,
      reactionCounts: { fire: 1, strong: 1 },
      myReactions: ["strong"],
    });
  });

  test("outsiders cannot react to a group's posts", async () => {
    const owner = await signUp("owner");
    const [member, outsider] = await Promise.all([signUp("member"), signUp("outsider")]);
    const group = unwrap(await owner.client.groups.create({ name: uniqueName("Public club"), kind: "club" }));
    unwrap(await member.client.groups.join(group.id));
    const post = unwrap(await member.client.posts.create({ groupId: group.id, body: "Public group post" }));
    // a public club's posts are readable by everyone signed in, but only members talk
    expect(unwrap(await outsider.client.posts.get(post.id)).id).toBe(post.id);
    expectError(await outsider.client.reactions.add(post.id, "like"), "not_allowed", 403);
    expectError(await outsider.client.comments.create(post.id, { body: "hi" }), "permission_denied", 403);
  });

  test("reacting to a post you cannot see is post_not_found", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const secret = unwrap(await ana.client.posts.create({ body: "Diary", visibility: "private" }));
    expectError(await ben.client.reactions.add(secret.id, "like"), "post_not_found", 404);
  });
});

describe("comments", () => {
  test("comments and replies thread oldest first, count, and page without repeats", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const post = unwrap(await ana.client.posts.create({ body: "Race report" }));
    const first = unwrap(await ben.client.comments.create(post.id, { body: "Congrats!" }));
    expect(first).toMatchObject({ postId: post.id, parentId: null, authorId: ben.id, replyCount: 0 });
    expect(first.author).toMatchObject({ id: ben.id, handle: ben.handle });
    expect(first.createdAt).toMatch(ISO);
    const second = unwrap(await ana.client.comments.create(post.id, { body: "Thanks all" }));
    const third = unwrap(await ben.client.comments.create(post.id, { body: "Next one?" }));
    const reply = unwrap(await ana.client.comments.create(post.id, { body: "Thank you!", parentId: first.id }));
    expect(reply.parentId).toBe(first.id);

    const page1 = unwrap(await ana.client.comments.list(post.id, { limit: 2 }));
    const page2 = unwrap(await ana.client.comments.list(post.id, { limit: 2, cursor: page1.nextCursor }));
    expect([...page1.items, ...page2.items].map((c) => c.id)).toEqual([first.id, second.id, third.id]);
    expect(page2.nextCursor).toBeNull();
    expect(page1.items[0]?.replyCount).toBe(1);
    expect(unwrap(await ben.client.comments.replies(first.id)).items.map((c) => c.id)).toEqual([reply.id]);
    expect(unwrap(await ben.client.posts.get(post.id)).commentCount).toBe(4);

    // replies go one level deep
    expectError(
      await ben.client.comments.create(post.id, { body: "deeper", parentId: reply.id }),
      "invalid_parent",
      400,
    );
  });

  test("the author edits a comment; the post's author may delete it, which takes its replies", async () => {
    const [ana, ben, cleo] = await Promise.all([signUp("ana"), signUp("ben"), signUp("cleo")]);
    const post = unwrap(await ana.client.posts.create({ body: "Thoughts?" }));
    const comment = unwrap(await ben.client.comments.create(post.id, { body: "Hmm" }));
    unwrap(await cleo.client.comments.create(post.id, { body: "Agree", parentId: comment.id }));
    expectError(await cleo.client.comments.update(comment.id, "Edited by cleo"), "not_allowed", 403);
    const edited = unwrap(await ben.client.comments.update(comment.id, "Hmm, nice"));
    expect(edited.body).toBe("Hmm, nice");
    expect(edited.editedAt).toMatch(ISO);

    expectError(await cleo.client.comments.delete(comment.id), "not_allowed", 403);
    expect(unwrap(await ana.client.comments.delete(comment.id))).toBeNull();
    expect(unwrap(await ben.client.comments.list(post.id)).items).toEqual([]);
    expect(unwrap(await ben.client.posts.get(post.id)).commentCount).toBe(0);
    expectError(await ben.client.comments.get(comment.id), "comment_not_found", 404);
  });
});

describe("feed", () => {
  test("home shows followed users' posts, my groups' posts and my own, newest first, never muted users", async () => {
    const [me, friend, muted, stranger] = await Promise.all([
      signUp("me"),
      signUp("friend"),
      signUp("muted"),
      signUp("stranger"),
    ]);
    const group = await clubOf(stranger, me);
    unwrap(await me.client.graph.follow(friend.id));
    unwrap(await me.client.graph.follow(muted.id));
    unwrap(await me.client.graph.mute(muted.id));
    const a = unwrap(await friend.client.posts.create({ body: "friend's run" }));
    unwrap(await muted.client.posts.create({ body: "muted run" }));
    unwrap(await stranger.client.posts.create({ body: "stranger outside groups" }));
    const b = unwrap(await stranger.client.posts.create({ groupId: group.id, body: "in my group" }));
    const c = unwrap(await me.client.posts.create({ body: "my own" }));

    const home = unwrap(await me.client.feed.home());
    expect(home.items.map((p) => p.id)).toEqual([c.id, b.id, a.id]);
    expect(home.nextCursor).toBeNull();
    expect(home.items[1]?.group).toMatchObject({ id: group.id, name: group.name, kind: "club" });
  });

  test("feeds page with the server's cursors, latest and top, without gaps or repeats", async () => {
    const [author, reader] = await Promise.all([signUp("author"), signUp("reader")]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(unwrap(await author.client.posts.create({ body: `post ${i}` })).id);
    unwrap(await reader.client.reactions.add(ids[1]!, "fire"));
    unwrap(await reader.client.comments.create(ids[1]!, { body: "wow" }));

    for (const order of ["latest", "top"] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<Post> = unwrap(await reader.client.feed.profile(author.id, { order, limit: 2, cursor }));
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((p) => p.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual([...ids].sort());
      if (order === "latest") {
        const latest = unwrap(await reader.client.feed.profile(author.id, { order, limit: 5 }));
        expect(latest.items.map((p) => p.id)).toEqual([...ids].reverse());
      } else {
        const top = unwrap(await reader.client.feed.profile(author.id, { order, limit: 1 }));
        expect(top.items[0]?.id).toBe(ids[1]);
      }
    }
    // a cursor of the other order is refused by the server
    const latestPage = unwrap(await reader.client.feed.profile(author.id, { order: "latest", limit: 1 }));
    expectError(
      await reader.client.feed.profile(author.id, { order: "top", cursor: latestPage.nextCursor }),
      "invalid_cursor",
      400,
    );
  });

  test("a group's feed is for its readers: members see it, others are told to join", async () => {
    const owner = await signUp("owner");
    const [member, outsider] = await Promise.all([signUp("member"), signUp("outsider")]);
    const group = await clubOf(owner, member);
    const post = unwrap(await member.client.posts.create({ groupId: group.id, body: "members only" }));
    unwrap(await owner.client.reactions.add(post.id, "love"));
    const feed = unwrap(await owner.client.feed.group(group.id));
    expect(feed.items.map((p) => [p.id, p.reactionCount, p.myReactions])).toEqual([[post.id, 1, ["love"]]]);
    expectError(await outsider.client.feed.group(group.id), "group_forbidden", 403);
  });

  test("a secret or missing group's feed is group_not_found", async () => {
    const owner = await signUp("owner");
    const outsider = await signUp("outsider");
    const secret = unwrap(await owner.client.groups.create({ name: uniqueName("Secret"), visibility: "secret" }));
    expectError(await outsider.client.feed.group(secret.id), "group_not_found", 404);
    expectError(await outsider.client.feed.group(randomUUID()), "group_not_found", 404);
  });

  test("signed out, a profile feed and posts.get show public posts of a public profile only", async () => {
    const author = await signUp("author");
    const open = unwrap(await author.client.posts.create({ body: "hello world" }));
    const closed = unwrap(await author.client.posts.create({ body: "for followers", visibility: "followers" }));
    const anon = session();
    expect(unwrap(await anon.client.feed.profile(author.id)).items.map((p) => p.id)).toEqual([open.id]);
    expect(unwrap(await anon.client.posts.get(open.id))).toMatchObject({ id: open.id, myReactions: [] });
    expectError(await anon.client.posts.get(closed.id), "post_not_found", 404);
  });
});
