/**
 * @supasocial/client: the error factory, the input schemas, timestamps (unit), and the client and
 * its `graph` namespace against the live local API (@supabase/lite on the test database).
 */
import { randomUUID } from "node:crypto";
import { AuthApiError, AuthRetryableFetchError, AuthSessionMissingError } from "@supabase/supabase-js";
import { describe, expect, expectTypeOf, test } from "vitest";
import type { z } from "zod";
import {
  CursorSchema,
  HandleSchema,
  isSupasocialError,
  LimitSchema,
  type MyProfile,
  normalizeTimestamp,
  ProfileUpdateSchema,
  SupasocialError,
  type SupasocialResult,
  toSupasocialError,
  UuidSchema,
} from "../../client-sdk/src/index.ts";
import { freePort } from "../../scripts/lib/db.ts";
import { session, signUp, type TestUser, unwrap } from "../fixtures/sdk.ts";

// =============================================================================================
// helpers
// =============================================================================================

async function makePrivate(user: TestUser) {
  unwrap(await user.client.profiles.update({ visibility: "private" }));
}

async function counts(viewer: TestUser, id: string) {
  const profile = unwrap(await viewer.client.profiles.get(id));
  return { followers: profile.followersCount, following: profile.followingCount };
}

// =============================================================================================
// unit: the error factory
// =============================================================================================

describe("toSupasocialError", () => {
  const postgrest = (code: string, hint: string | null = null, message = "boom") => ({
    code,
    message,
    details: null,
    hint,
  });

  test.each([
    ["42501", "permission_denied", 403],
    ["23505", "conflict", 409],
    ["23514", "invalid_input", 400],
    ["22023", "invalid_input", 400],
    ["22P02", "invalid_input", 400],
    ["23502", "invalid_input", 400],
    ["PGRST116", "not_found", 404],
    ["PT404", "not_found", 404],
    ["PT429", "rate_limited", 429],
    ["PGRST301", "not_authenticated", 401],
  ])("maps %s to %s (%i)", (raw, code, status) => {
    const error = toSupasocialError(postgrest(raw));
    expect(error).toBeInstanceOf(SupasocialError);
    expect({ code: error.code, status: error.status, rawCode: error.rawCode }).toEqual({ code, status, rawCode: raw });
  });

  test("prefers the stable code our SQL puts in hint, keeping the SQLSTATE's status", () => {
    const blocked = toSupasocialError(postgrest("42501", "blocked", "you cannot follow this user"));
    expect([blocked.code, blocked.status, blocked.hint, blocked.rawCode]).toEqual(["blocked", 403, "blocked", "42501"]);
    const missing = toSupasocialError(postgrest("PT404", "follow_request_not_found"));
    expect([missing.code, missing.status]).toEqual(["follow_request_not_found", 404]);
    const anonymous = toSupasocialError(postgrest("42501", "not_authenticated"));
    expect([anonymous.code, anonymous.status]).toEqual(["not_authenticated", 401]);
  });

  test("does not mistake a Postgres sentence hint for a code", () => {
    const error = toSupasocialError(postgrest("22P02", "Check the input syntax."));
    expect([error.code, error.hint]).toEqual(["invalid_input", "Check the input syntax."]);
  });

  test("a permission error PostgREST answered with 401 means not signed in", () => {
    const error = toSupasocialError(postgrest("42501", null, "permission denied for function follow"), { status: 401 });
    expect([error.code, error.status]).toEqual(["not_authenticated", 401]);
  });

  test("PostgREST custom statuses (PTnnn) map by their status", () => {
    expect(toSupasocialError(postgrest("PT404")).code).toBe("not_found");
    expect(toSupasocialError(postgrest("PT429")).status).toBe(429);
  });

  test("a code of ours that the list does not know gives the generic code of its kind and stays in hint", () => {
    // a newer server may raise a code this SDK predates: `code` stays on the closed list
    const newer = toSupasocialError(postgrest("PT429", "too_many_follows"));
    expect([newer.code, newer.status, newer.hint, newer.rawCode]).toEqual([
      "rate_limited",
      429,
      "too_many_follows",
      "PT429",
    ]);
    const invalid = toSupasocialError(postgrest("22023", "invalid_colour"));
    expect([invalid.code, invalid.status, invalid.hint]).toEqual(["invalid_input", 400, "invalid_colour"]);
    const forbidden = toSupasocialError(postgrest("42501", "not_a_friend"), { status: 403 });
    expect([forbidden.code, forbidden.status]).toEqual(["permission_denied", 403]);
  });

  test("a 403 code of ours answered with 401 (no signed-in user) keeps the code and says 401", () => {
    const anonymous = toSupasocialError(postgrest("42501", "group_forbidden"), { status: 401 });
    expect([anonymous.code, anonymous.status]).toEqual(["group_forbidden", 401]);
    const signedIn = toSupasocialError(postgrest("42501", "group_forbidden"), { status: 403 });
    expect([signedIn.code, signedIn.status]).toEqual(["group_forbidden", 403]);
  });

  test("unknown server errors fall back on the HTTP status", () => {
    const error = toSupasocialError(
      { code: "SUP", message: "PostgresError: x", details: null, hint: null },
      { status: 500 },
    );
    expect([error.code, error.status]).toEqual(["server_error", 500]);
  });

  test("fetch failures are network_error with status 0", () => {
    const fromPostgrest = toSupasocialError(
      { message: "TypeError: fetch failed", details: "Caused by: ECONNREFUSED", hint: "", code: "" },
      { status: 0 },
    );
    expect([fromPostgrest.code, fromPostgrest.status]).toEqual(["network_error", 0]);
    expect(toSupasocialError(new TypeError("Network request failed")).code).toBe("network_error");
    expect(toSupasocialError(new TypeError("Failed to fetch")).code).toBe("network_error");
  });

  test("maps supabase-js Auth errors", () => {
    expect(toSupasocialError(new AuthSessionMissingError()).code).toBe("not_authenticated");
    // Auth's own codes are not on our list: the code comes from the status, the Auth code stays in rawCode
    const taken = toSupasocialError(new AuthApiError("User already registered", 422, "user_already_exists"));
    expect([taken.code, taken.status, taken.rawCode]).toEqual(["invalid_input", 400, "user_already_exists"]);
    const limited = toSupasocialError(new AuthApiError("Too many requests", 429, "over_request_rate_limit"));
    expect([limited.code, limited.status, limited.rawCode]).toEqual(["rate_limited", 429, "over_request_rate_limit"]);
    expect(toSupasocialError(new AuthApiError("bad jwt", 403, "bad_jwt")).code).toBe("not_authenticated");
    expect(toSupasocialError(new AuthRetryableFetchError("fetch failed", 0)).code).toBe("network_error");
  });

  test("a zod error is invalid_input with its issues in details", () => {
    const parsed = HandleSchema.safeParse("no spaces");
    expect(parsed.success).toBe(false);
    const error = toSupasocialError(parsed.error);
    expect(error.code).toBe("invalid_input");
    expect(error.details).toEqual(parsed.error?.issues);
  });

  test("anything else is unknown_error, and a SupasocialError passes through unchanged", () => {
    expect(toSupasocialError("weird").code).toBe("unknown_error");
    expect(toSupasocialError(null).status).toBe(500);
    const original = new SupasocialError({ code: "blocked", status: 403, message: "no" });
    expect(toSupasocialError(original)).toBe(original);
  });
});

describe("SupasocialError", () => {
  test("is an Error whose toJSON keeps the code, status, hint, details and raw code", () => {
    const error = toSupasocialError({
      code: "42501",
      message: "you cannot follow this user",
      details: "d",
      hint: "blocked",
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("SupasocialError");
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "SupasocialError",
      code: "blocked",
      status: 403,
      message: "you cannot follow this user",
      hint: "blocked",
      details: "d",
      rawCode: "42501",
      cause: { code: "42501", message: "you cannot follow this user", details: "d", hint: "blocked" },
    });
    const wrapped = new SupasocialError({
      code: "server_error",
      status: 500,
      message: "m",
      cause: new RangeError("inner"),
    });
    expect(wrapped.toJSON().cause).toEqual({ name: "RangeError", message: "inner" });
  });

  test("isSupasocialError accepts ours (also from another copy of the package) and nothing else", () => {
    expect(isSupasocialError(new SupasocialError({ code: "conflict", status: 409, message: "m" }))).toBe(true);
    const fromOtherCopy = { [Symbol.for("supasocial.error")]: true, code: "conflict" };
    expect(isSupasocialError(fromOtherCopy)).toBe(true);
    expect(isSupasocialError(new Error("x"))).toBe(false);
    expect(isSupasocialError({ code: "conflict", status: 409, message: "lookalike" })).toBe(false);
    expect(isSupasocialError(undefined)).toBe(false);
  });
});

// =============================================================================================
// unit: schemas, cursors, timestamps
// =============================================================================================

describe("input schemas", () => {
  test("HandleSchema takes 3-30 letters, digits and underscores only", () => {
    for (const ok of ["ana", "Ana_Silva_99", "x".repeat(30)]) expect(HandleSchema.safeParse(ok).success).toBe(true);
    for (const bad of ["an", "x".repeat(31), "ana silva", "ana-silva", "ána", "", 42]) {
      expect(HandleSchema.safeParse(bad).success).toBe(false);
    }
  });

  test("UuidSchema takes canonical UUIDs only", () => {
    expect(UuidSchema.safeParse(randomUUID()).success).toBe(true);
    expect(UuidSchema.safeParse("00000000-0000-0000-0000-000000000001").success).toBe(true);
    expect(UuidSchema.safeParse("not-a-uuid").success).toBe(false);
    expect(UuidSchema.safeParse(`${randomUUID()}0`).success).toBe(false);
  });

  test("LimitSchema takes whole numbers from 1 (the database caps a page at 50)", () => {
    expect(LimitSchema.safeParse(1).success).toBe(true);
    expect(LimitSchema.safeParse(100).success).toBe(true);
    for (const bad of [0, -1, 2.5, "10", null]) expect(LimitSchema.safeParse(bad).success).toBe(false);
  });

  test("ProfileUpdateSchema rejects fields a client may not change", () => {
    const result = ProfileUpdateSchema.safeParse({ displayName: "Ana", followersCount: 1000 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe("unrecognized_keys");
  });

  test("ProfileUpdateSchema trims names, turns empty text into null, and counts characters like Postgres", () => {
    const parsed = ProfileUpdateSchema.parse({ displayName: "  Ana  ", bio: "   ", city: " Lisbon " });
    expect(parsed).toEqual({ displayName: "Ana", bio: null, city: "Lisbon" });
    expect(ProfileUpdateSchema.safeParse({ displayName: "🏃".repeat(80) }).success).toBe(true);
    expect(ProfileUpdateSchema.safeParse({ displayName: "🏃".repeat(81) }).success).toBe(false);
    expect(ProfileUpdateSchema.safeParse({ displayName: "   " }).success).toBe(false);
    expect(ProfileUpdateSchema.safeParse({ bio: "x".repeat(501) }).success).toBe(false);
  });

  test("ProfileUpdateSchema checks interests, time zone shape, visibility and settings", () => {
    expect(ProfileUpdateSchema.safeParse({ interests: Array.from({ length: 31 }, (_, i) => `i${i}`) }).success).toBe(
      false,
    );
    expect(ProfileUpdateSchema.safeParse({ interests: ["running", ""] }).success).toBe(false);
    expect(ProfileUpdateSchema.safeParse({ timezone: "America/Argentina/Buenos_Aires" }).success).toBe(true);
    expect(ProfileUpdateSchema.safeParse({ timezone: "Etc/GMT+5" }).success).toBe(true);
    expect(ProfileUpdateSchema.safeParse({ timezone: "not a zone" }).success).toBe(false);
    expect(ProfileUpdateSchema.safeParse({ visibility: "secret" }).success).toBe(false);
    expect(ProfileUpdateSchema.safeParse({ settings: { theme: "dark", n: [1, { a: null }] } }).success).toBe(true);
    expect(ProfileUpdateSchema.safeParse({ settings: ["not", "an", "object"] }).success).toBe(false);
    expect(ProfileUpdateSchema.safeParse({ settings: { big: "x".repeat(17_000) } }).success).toBe(false);
  });
});

describe("cursors and timestamps", () => {
  test("a cursor is the server's opaque text: what cannot be one is refused before any request", () => {
    // the shortest text a cursor could be: its 16-byte signature alone, base64url
    const plausible = Buffer.alloc(16, 7).toString("base64url");
    expect(CursorSchema.parse(plausible)).toBe(plausible);
    expect(CursorSchema.parse(`${plausible}-_x`)).toBe(`${plausible}-_x`);
    for (const bad of ["", "junk", "nonsense!", `${plausible}=`, `${plausible} `, "a".repeat(513), 42, null]) {
      expect(CursorSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  test("normalizeTimestamp turns Postgres' text form into PostgREST's ISO form", () => {
    expect(normalizeTimestamp("2026-11-28 02:00:00+00")).toBe("2026-11-28T02:00:00+00:00");
    expect(normalizeTimestamp("2026-11-28 02:00:00.5+05:30")).toBe("2026-11-28T02:00:00.5+05:30");
    expect(normalizeTimestamp("2026-11-28T02:00:00.123456Z")).toBe("2026-11-28T02:00:00.123456+00:00");
    expect(normalizeTimestamp("2026-11-28T02:00:00.123456+00:00")).toBe("2026-11-28T02:00:00.123456+00:00");
    expect(normalizeTimestamp(null)).toBeNull();
    expect(Number.isNaN(Date.parse(normalizeTimestamp("2026-11-28 02:00:00+00")))).toBe(false);
  });
});

// =============================================================================================
// the client
// =============================================================================================

describe("the client", () => {
  test("has one property per registered namespace, typed from the generated Database", () => {
    const { client } = session();
    expect(Object.keys(client).sort()).toEqual([
      "announcements",
      "comments",
      "feed",
      "gamification",
      "graph",
      "groups",
      "media",
      "moderation",
      "notifications",
      "posts",
      "profiles",
      "reactions",
      "supabase",
    ]);
    expectTypeOf(client.profiles.me).returns.resolves.toEqualTypeOf<SupasocialResult<MyProfile>>();
    expectTypeOf(client.graph.unfollow).returns.resolves.toEqualTypeOf<SupasocialResult<boolean>>();
  });

  test("invalid input returns invalid_input with zod issues and sends no request", async () => {
    const { client, restCalls } = session();
    const someone = randomUUID();
    const results = [
      await client.profiles.get("not a handle!"),
      await client.graph.follow("not-a-uuid"),
      await client.graph.followers(someone, { limit: 0 }),
      await client.graph.followers(someone, { cursor: "junk" }),
      await client.graph.relationship(""),
      await client.profiles.search("a"),
      // @ts-expect-error: not a field of the patch
      await client.profiles.update({ followers_count: 5 }),
    ];
    for (const { data, error } of results) {
      expect(data).toBeNull();
      expect(error?.code).toBe("invalid_input");
      expect(error?.status).toBe(400);
      expect(Array.isArray(error?.details) && (error.details as z.core.$ZodIssue[]).length).toBeGreaterThan(0);
    }
    const first = results[1]?.error?.details as z.core.$ZodIssue[];
    expect(first[0]?.path).toEqual(["userId"]);
    expect(restCalls).toEqual([]);
  });

  test("without a session, calls that need one are not_authenticated and send nothing", async () => {
    const { client, restCalls } = session();
    const me = await client.profiles.me();
    expect([me.data, me.error?.code, me.error?.status]).toEqual([null, "not_authenticated", 401]);
    expect((await client.graph.requests()).error?.code).toBe("not_authenticated");
    expect(restCalls).toEqual([]);
  });

  test("an anonymous call to a signed-in-only RPC is not_authenticated", async () => {
    const { client } = session();
    const { error } = await client.graph.follow(randomUUID());
    expect([error?.code, error?.status]).toEqual(["not_authenticated", 401]);
  });

  test("a server that cannot be reached gives network_error instead of a rejected promise", async () => {
    const { client } = session(`http://127.0.0.1:${await freePort()}`);
    const result = await client.graph.follow(randomUUID());
    expect(result.data).toBeNull();
    expect([result.error?.code, result.error?.status]).toEqual(["network_error", 0]);
  });
});

// =============================================================================================
// graph, against the live API
// =============================================================================================

describe("graph", () => {
  test("following a public profile is accepted at once and both counters change", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const follow = unwrap(await ben.client.graph.follow(ana.id));
    expect(follow).toMatchObject({ followerId: ben.id, followeeId: ana.id, status: "accepted" });
    expect(follow.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await counts(ben, ana.id)).toEqual({ followers: 1, following: 0 });
    expect(await counts(ben, ben.id)).toEqual({ followers: 0, following: 1 });
    expect(unwrap(await ana.client.graph.relationship(ben.id))).toMatchObject({ followedBy: true, following: false });

    // following again is idempotent
    expect(unwrap(await ben.client.graph.follow(ana.id)).status).toBe("accepted");
    expect(await counts(ben, ana.id)).toEqual({ followers: 1, following: 0 });

    expect(unwrap(await ben.client.graph.unfollow(ana.id))).toBe(true);
    expect(unwrap(await ben.client.graph.unfollow(ana.id))).toBe(false);
    expect(await counts(ben, ana.id)).toEqual({ followers: 0, following: 0 });
  });

  test("a follow of a private profile is a request until the owner accepts it", async () => {
    const [priv, fan] = await Promise.all([signUp("priv"), signUp("fan")]);
    await makePrivate(priv);

    const request = unwrap(await fan.client.graph.follow(priv.id));
    expect([request.status, request.acceptedAt]).toEqual(["pending", null]);
    expect(unwrap(await fan.client.graph.relationship(priv.id))).toEqual({
      following: false,
      followedBy: false,
      requested: true,
      requestedBy: false,
      blocking: false,
      muting: false,
    });
    expect(await counts(fan, priv.id)).toEqual({ followers: 0, following: 0 });
    expect(unwrap(await fan.client.profiles.get(priv.id)).details).toBeNull();

    const pending = unwrap(await priv.client.graph.requests());
    expect(pending.items.map((r) => [r.user.id, r.status])).toEqual([[fan.id, "pending"]]);

    const accepted = unwrap(await priv.client.graph.acceptRequest(fan.id));
    expect(accepted.status).toBe("accepted");
    expect(accepted.acceptedAt).not.toBeNull();
    expect(unwrap(await priv.client.graph.requests()).items).toEqual([]);
    expect(await counts(fan, priv.id)).toEqual({ followers: 1, following: 0 });
    expect(unwrap(await fan.client.graph.relationship(priv.id))).toMatchObject({ following: true, requested: false });
    expect(unwrap(await fan.client.profiles.get(priv.id)).details).not.toBeNull();
    expect(unwrap(await fan.client.graph.followers(priv.id)).items.map((f) => f.user.id)).toEqual([fan.id]);
  });

  test("a declined request leaves no follow; answering a request that does not exist is an error", async () => {
    const [priv, fan] = await Promise.all([signUp("priv"), signUp("fan")]);
    await makePrivate(priv);
    unwrap(await fan.client.graph.follow(priv.id));
    expect(unwrap(await priv.client.graph.declineRequest(fan.id))).toBeNull();
    expect(unwrap(await priv.client.graph.requests()).items).toEqual([]);
    expect(unwrap(await fan.client.graph.relationship(priv.id)).requested).toBe(false);

    const again = await priv.client.graph.acceptRequest(fan.id);
    expect(again.data).toBeNull();
    expect(again.error).toBeInstanceOf(SupasocialError);
    expect(await counts(fan, priv.id)).toEqual({ followers: 0, following: 0 });
  });

  test("removeFollower drops someone from my followers", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    unwrap(await ben.client.graph.follow(ana.id));
    expect(unwrap(await ana.client.graph.removeFollower(ben.id))).toBe(true);
    expect(unwrap(await ana.client.graph.followers(ana.id)).items).toEqual([]);
    expect(await counts(ana, ana.id)).toEqual({ followers: 0, following: 0 });
  });

  test("following yourself returns the stable code invalid_target", async () => {
    const ana = await signUp("ana");
    const { data, error } = await ana.client.graph.follow(ana.id);
    expect(data).toBeNull();
    expect([error?.code, error?.status, error?.rawCode]).toEqual(["invalid_target", 400, "22023"]);
    expect((await ana.client.graph.block(ana.id)).error?.code).toBe("invalid_target");
  });

  test("a block hides the blocker's profile from the blocked user and removes follows both ways", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    unwrap(await ana.client.graph.follow(ben.id));
    unwrap(await ben.client.graph.follow(ana.id));
    expect(await counts(ana, ana.id)).toEqual({ followers: 1, following: 1 });

    expect(unwrap(await ana.client.graph.block(ben.id))).toBeNull();

    const hidden = await ben.client.profiles.get(ana.id);
    expect([hidden.data, hidden.error?.code, hidden.error?.status]).toEqual([null, "profile_not_found", 404]);
    expect((await ben.client.profiles.get(ana.handle)).error?.code).toBe("profile_not_found");
    expect(await counts(ana, ana.id)).toEqual({ followers: 0, following: 0 });
    expect(await counts(ben, ben.id)).toEqual({ followers: 0, following: 0 });

    const refollow = await ben.client.graph.follow(ana.id);
    expect([refollow.error?.code, refollow.error?.status]).toEqual(["blocked", 403]);

    expect(unwrap(await ana.client.graph.relationship(ben.id))).toMatchObject({
      blocking: true,
      following: false,
      followedBy: false,
    });
    // the blocked user cannot tell
    expect(unwrap(await ben.client.graph.relationship(ana.id)).blocking).toBe(false);
    expect(unwrap(await ana.client.graph.blocked()).items.map((b) => b.userId)).toEqual([ben.id]);

    expect(unwrap(await ana.client.graph.unblock(ben.id))).toBe(true);
    expect(unwrap(await ben.client.profiles.get(ana.id)).id).toBe(ana.id);
    expect(unwrap(await ana.client.graph.blocked()).items).toEqual([]);
  });

  test("a mute shows in muted() and relationship() and changes no follow", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    unwrap(await ana.client.graph.follow(ben.id));
    expect(unwrap(await ana.client.graph.mute(ben.id))).toBeNull();
    const muted = unwrap(await ana.client.graph.muted());
    expect(muted.items.map((m) => [m.userId, m.user?.handle])).toEqual([[ben.id, ben.handle]]);
    expect(unwrap(await ana.client.graph.relationship(ben.id))).toMatchObject({ muting: true, following: true });
    expect(unwrap(await ana.client.graph.unmute(ben.id))).toBe(true);
    expect(unwrap(await ana.client.graph.muted()).items).toEqual([]);
  });

  test("followers are paged newest first with keyset cursors: no gaps, no repeats, stable under new follows", async () => {
    const star = await signUp("star");
    const fans: TestUser[] = [];
    for (let i = 0; i < 5; i++) {
      const fan = await signUp(`fan${i}`);
      unwrap(await fan.client.graph.follow(star.id));
      fans.push(fan);
    }
    const newestFirst = fans.map((f) => f.id).reverse();

    const page1 = unwrap(await star.client.graph.followers(star.id, { limit: 2 }));
    expect(page1.items.map((i) => i.user.id)).toEqual(newestFirst.slice(0, 2));
    expect(page1.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);

    // a follow that arrives between pages lands before page 1 and does not shift the next pages
    const late = await signUp("late");
    unwrap(await late.client.graph.follow(star.id));

    const page2 = unwrap(await star.client.graph.followers(star.id, { limit: 2, cursor: page1.nextCursor }));
    expect(page2.items.map((i) => i.user.id)).toEqual(newestFirst.slice(2, 4));
    const page3 = unwrap(await star.client.graph.followers(star.id, { limit: 2, cursor: page2.nextCursor }));
    expect(page3.items.map((i) => i.user.id)).toEqual(newestFirst.slice(4));
    expect(page3.nextCursor).toBeNull();

    const all = unwrap(await star.client.graph.followers(star.id, { limit: 100 }));
    expect(all.items.map((i) => i.user.id)).toEqual([late.id, ...newestFirst]);
    expect(all.nextCursor).toBeNull();
    const times = all.items.map((i) => i.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    // following() is the mirror image
    const following = unwrap(await fans[0]!.client.graph.following(fans[0]!.id));
    expect(following.items.map((i) => i.user.id)).toEqual([star.id]);
  }, 60_000);
});
