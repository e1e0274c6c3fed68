/**
 * The one page contract through the SDK: every list method returns `{ items, nextCursor }` and
 * has `.all()`, an async iterator over every page; the cursors are the database's, so one of
 * another list, order or scope (or a changed one) comes back as `invalid_cursor` (400); a
 * `limit` above 50 gives pages of 50.
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { describe, expect, expectTypeOf, inject, test } from "vitest";
import {
  type FollowListItem,
  MAX_PAGE_SIZE,
  type Page,
  type PageOptions,
  type Post,
  SupasocialError,
  type SupasocialResult,
} from "../../client-sdk/src/index.ts";
import { listMethod, scopedListMethod } from "../../client-sdk/src/pagination.ts";
import { fail, ok } from "../../client-sdk/src/result.ts";
import { expectError, session, signUp, type TestUser, uniqueName, unwrap } from "../fixtures/sdk.ts";

// =============================================================================================
// .all() on a list of numbers 1..n served in pages (no server)
// =============================================================================================

/** A list of 1..n, paged by `limit`, whose cursor is the last number of the page. */
function numbers(n: number, failAt?: number) {
  const calls: { scope?: string; cursor: string | null; limit: number | undefined }[] = [];
  const page = (scope: string | undefined, options: PageOptions = {}): Promise<SupasocialResult<Page<number>>> => {
    calls.push({ scope, cursor: options.cursor ?? null, limit: options.limit });
    const from = options.cursor ? Number(options.cursor) + 1 : 1;
    if (failAt !== undefined && from > failAt) {
      return Promise.resolve(fail(new SupasocialError({ code: "invalid_cursor", status: 400, message: "no" })));
    }
    const size = options.limit ?? 20;
    const items = Array.from({ length: Math.max(0, Math.min(size, n - from + 1)) }, (_, i) => from + i);
    const last = items.at(-1);
    return Promise.resolve(ok({ items, nextCursor: last !== undefined && last < n ? String(last) : null }));
  };
  return { calls, page };
}

describe("pages: .all() walks a list page by page", () => {
  test("yields every item of every page in order, passing the options and each page's cursor", async () => {
    const { calls, page } = numbers(7);
    const list = listMethod((options?: PageOptions) => page(undefined, options));
    const seen: number[] = [];
    for await (const n of list.all({ limit: 3 })) seen.push(n);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(calls).toEqual([
      { scope: undefined, cursor: null, limit: 3 },
      { scope: undefined, cursor: "3", limit: 3 },
      { scope: undefined, cursor: "6", limit: 3 },
    ]);
    // the method itself is one page
    expect(unwrap(await list({ limit: 3 }))).toEqual({ items: [1, 2, 3], nextCursor: "3" });
  });

  test("a scoped list passes its scope to every page; a cursor option is where the walk starts", async () => {
    const { calls, page } = numbers(5);
    const list = scopedListMethod((scope: string, options?: PageOptions) => page(scope, options));
    const seen: number[] = [];
    for await (const n of list.all("group-1", { limit: 2, cursor: "2" })) seen.push(n);
    expect(seen).toEqual([3, 4, 5]);
    expect(calls.map((c) => [c.scope, c.cursor])).toEqual([
      ["group-1", "2"],
      ["group-1", "4"],
    ]);
  });

  test("fetches a page only when the loop needs it: break stops the walk", async () => {
    const { calls, page } = numbers(100);
    const list = listMethod((options?: PageOptions) => page(undefined, options));
    for await (const n of list.all({ limit: 10 })) if (n === 10) break;
    expect(calls).toHaveLength(1);
    const iterator = list.all({ limit: 10 });
    expect(calls).toHaveLength(1); // nothing is fetched before the first next()
    await iterator.next();
    expect(calls).toHaveLength(2);
  });

  test("throws the SupasocialError of a failed page, after the items before it", async () => {
    const { page } = numbers(10, 4);
    const list = listMethod((options?: PageOptions) => page(undefined, options));
    const seen: number[] = [];
    let thrown: unknown;
    try {
      for await (const n of list.all({ limit: 2 })) seen.push(n);
    } catch (error) {
      thrown = error;
    }
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(thrown).toBeInstanceOf(SupasocialError);
    expect((thrown as SupasocialError).code).toBe("invalid_cursor");
  });

  test("an empty list yields nothing after one request; a throwing page becomes { error }", async () => {
    const { calls, page } = numbers(0);
    const list = listMethod((options?: PageOptions) => page(undefined, options));
    for await (const _ of list.all()) throw new Error("nothing to yield");
    expect(calls).toHaveLength(1);
    const broken = listMethod((): Promise<SupasocialResult<Page<number>>> => {
      throw new TypeError("a bug");
    });
    const { data, error } = await broken();
    expect(data).toBeNull();
    expect(error).toBeInstanceOf(SupasocialError);
  });
});

describe("pages: every list method", () => {
  const { client } = session();
  const lists = {
    announcements: ["list", "mine"],
    comments: ["list", "replies"],
    feed: ["home", "group", "profile"],
    gamification: ["activities", "ledger", "leaderboard", "leaderboardSnapshot"],
    graph: ["followers", "following", "requests", "blocked", "muted"],
    groups: ["list", "mine", "members", "myInvites", "invites"],
    moderation: ["reports", "myReports", "log"],
    notifications: ["list"],
    posts: ["revisions"],
    profiles: ["search"],
    reactions: ["list"],
  } as const;

  test("is a function with .all()", () => {
    for (const [namespace, methods] of Object.entries(lists)) {
      for (const method of methods) {
        const fn = (client as unknown as Record<string, Record<string, { all?: unknown }>>)[namespace]![method];
        expect(typeof fn, `${namespace}.${method}`).toBe("function");
        expect(typeof fn?.all, `${namespace}.${method}.all`).toBe("function");
      }
    }
    expect(Object.values(lists).flat()).toHaveLength(28);
  });

  test("is typed: one page, or an async generator of the items with the same arguments", () => {
    expectTypeOf(client.feed.home).returns.resolves.toEqualTypeOf<SupasocialResult<Page<Post>>>();
    expectTypeOf(client.feed.home.all).returns.toEqualTypeOf<AsyncGenerator<Post, void, undefined>>();
    expectTypeOf(client.graph.followers.all).parameters.toEqualTypeOf<Parameters<typeof client.graph.followers>>();
    expectTypeOf(client.graph.followers.all).returns.toEqualTypeOf<AsyncGenerator<FollowListItem, void, undefined>>();
    // @ts-expect-error: the scope comes first
    client.graph.followers.all({ limit: 2 });
  });
});

// =============================================================================================
// against the live API
// =============================================================================================

async function starWithFans(n: number): Promise<{ star: TestUser; fans: TestUser[] }> {
  const star = await signUp("star");
  const fans: TestUser[] = [];
  for (let i = 0; i < n; i++) {
    const fan = await signUp(`fan${i}`);
    unwrap(await fan.client.graph.follow(star.id));
    fans.push(fan);
  }
  return { star, fans };
}

describe("pages: live", () => {
  test(".all() walks every page of a list, one request a page", async () => {
    const { star, fans } = await starWithFans(5);
    const whole = unwrap(await star.client.graph.followers(star.id, { limit: MAX_PAGE_SIZE }));
    expect(whole.items.map((f) => f.user.id)).toEqual(fans.map((f) => f.id).reverse());
    const before = star.restCalls.length;
    const walked: string[] = [];
    for await (const follower of star.client.graph.followers.all(star.id, { limit: 2 })) walked.push(follower.user.id);
    expect(walked).toEqual(whole.items.map((f) => f.user.id));
    expect(star.restCalls.length - before).toBe(3);

    for (const [i, fan] of fans.entries()) unwrap(await fan.client.posts.create({ body: `post ${i}` }));
    const posts: string[] = [];
    for await (const post of star.client.feed.profile.all(fans[0]!.id, { order: "top", limit: 1 })) posts.push(post.id);
    expect(posts).toHaveLength(1);
    const home: Post[] = [];
    for await (const post of fans[0]!.client.feed.home.all({ limit: 1 })) home.push(post);
    expect(home.map((p) => p.body)).toEqual(["post 0"]);
  });

  test("a cursor of another list, order or scope is refused by the database: invalid_cursor (400)", async () => {
    const { star, fans } = await starWithFans(3);
    const other = fans[0]!;
    unwrap(await other.client.graph.follow(fans[1]!.id));
    unwrap(await other.client.graph.follow(fans[2]!.id));
    for (const fan of fans) unwrap(await fan.client.posts.create({ body: "hello" }));
    unwrap(await star.client.posts.create({ body: "one" }));
    unwrap(await star.client.posts.create({ body: "two" }));

    const followers = unwrap(await star.client.graph.followers(star.id, { limit: 1 })).nextCursor!;
    const latest = unwrap(await other.client.feed.profile(star.id, { order: "latest", limit: 1 })).nextCursor!;
    expect(followers).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(latest).toMatch(/^[A-Za-z0-9_-]{22,}$/);

    const refusals: [string, { data: unknown; error: SupasocialError | null }][] = [
      ["followers -> following", await star.client.graph.following(star.id, { cursor: followers })],
      ["followers -> another user's followers", await star.client.graph.followers(fans[1]!.id, { cursor: followers })],
      ["followers -> home feed", await star.client.feed.home({ cursor: followers })],
      ["followers -> groups", await star.client.groups.list({ cursor: followers })],
      ["followers -> notifications", await star.client.notifications.list({ cursor: followers })],
      ["followers -> search", await star.client.profiles.search("fan", { cursor: followers })],
      ["profile feed latest -> top", await other.client.feed.profile(star.id, { order: "top", cursor: latest })],
      ["profile feed -> another profile", await other.client.feed.profile(fans[1]!.id, { cursor: latest })],
      ["profile feed -> home feed", await other.client.feed.home({ cursor: latest })],
    ];
    for (const [label, result] of refusals) {
      const error = expectError(result, "invalid_cursor", 400);
      expect(error.rawCode, label).toBe("22023");
    }
    // the cursors work where they belong
    expect(unwrap(await star.client.graph.followers(star.id, { cursor: followers })).items).toHaveLength(2);
    expect(unwrap(await other.client.feed.profile(star.id, { cursor: latest })).items).toHaveLength(1);
  });

  test("announcements: a group's list and the home screen do not take each other's cursors", async () => {
    const owner = await signUp("owner");
    const group = unwrap(await owner.client.groups.create({ name: uniqueName("Club"), kind: "club" }));
    for (const title of ["a", "b", "c"]) unwrap(await owner.client.announcements.create(group.id, { title }));
    const listed = unwrap(await owner.client.announcements.list(group.id, { limit: 1 })).nextCursor!;
    const mine = unwrap(await owner.client.announcements.mine({ limit: 1 })).nextCursor!;
    expectError(await owner.client.announcements.mine({ cursor: listed }), "invalid_cursor", 400);
    expectError(await owner.client.announcements.list(group.id, { cursor: mine }), "invalid_cursor", 400);
    expectError(await owner.client.announcements.mine({ unreadOnly: true, cursor: mine }), "invalid_cursor", 400);
    expect(unwrap(await owner.client.announcements.mine({ cursor: mine })).items).toHaveLength(2);
  });

  test("a changed cursor is invalid_cursor, and .all() throws it", async () => {
    const { star } = await starWithFans(2);
    const cursor = unwrap(await star.client.graph.followers(star.id, { limit: 1 })).nextCursor!;
    const i = cursor.length >> 1;
    const changed = cursor.slice(0, i) + (cursor[i] === "A" ? "B" : "A") + cursor.slice(i + 1);
    expectError(await star.client.graph.followers(star.id, { cursor: changed }), "invalid_cursor", 400);
    await expect(async () => {
      for await (const _ of star.client.graph.followers.all(star.id, { cursor: changed })) {
        // nothing arrives
      }
    }).rejects.toMatchObject({ code: "invalid_cursor", status: 400 });
  });

  test("a limit above 50 gives pages of 50 and a cursor for the rest", async () => {
    const owner = await signUp("many");
    const tag = `t${randomUUID().slice(0, 8)}`;
    // 51 groups written straight into the table: creating them through the API would meet the
    // per-minute limit on new groups
    const db = postgres(inject("dbUrl"), { max: 1, onnotice: () => {} });
    try {
      await db`
        insert into social.groups (kind, name, visibility, owner_id, tags)
        select 'club', 'Group ' || i, 'public', ${owner.id}, array[${tag}]
        from generate_series(1, ${MAX_PAGE_SIZE + 1}) i`;
    } finally {
      await db.end();
    }
    const first = unwrap(await owner.client.groups.list({ tag, limit: 500 }));
    expect(first.items).toHaveLength(MAX_PAGE_SIZE);
    expect(first.nextCursor).not.toBeNull();
    const rest = unwrap(await owner.client.groups.list({ tag, limit: 500, cursor: first.nextCursor }));
    expect(rest.items).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
    let count = 0;
    for await (const _ of owner.client.groups.list.all({ tag, limit: 500 })) count++;
    expect(count).toBe(MAX_PAGE_SIZE + 1);
  }, 120_000);
});
