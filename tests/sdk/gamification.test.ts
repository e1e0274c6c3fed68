/**
 * `client.gamification` against the live local API, from both sides: a user records workouts and
 * reads streaks, badges with progress, points, rewards and leaderboards; the host app's backend
 * (service role, supabase-js with the secret key) records for a user; strangers, blocked users
 * and anon see and write nothing they should not; input is checked before any request; a badge
 * toast arrives live through the local Realtime server.
 */
import { randomUUID } from "node:crypto";
import { createClient } from "@supabase/supabase-js";
import { describe, expect, inject, test } from "vitest";
import WebSocket from "ws";
import {
  type BadgeEarnedEvent,
  type Database,
  LeaderboardQuerySchema,
  RecordActivityInputSchema,
  toBadgeEarnedEvent,
} from "../../client-sdk/src/index.ts";
import { eventually, sleep } from "../fixtures/realtime.ts";
import { expectError, session, signUp, type TestUser, unwrap } from "../fixtures/sdk.ts";

/** supabase-js as the host app's backend: the secret (service role) key. */
function backend() {
  return createClient<Database>(inject("apiUrl"), inject("secretKey"), {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
}

async function inCity(label: string, city: string, optIn = true): Promise<TestUser> {
  const user = await signUp(label);
  unwrap(await user.client.profiles.update({ city, leaderboardOptIn: optIn }));
  return user;
}

describe("gamification: input and payloads", () => {
  test("input is validated before any request; signed out there is nothing to record or read", async () => {
    expect(RecordActivityInputSchema.safeParse({ kind: "workout_completed", value: Number.NaN }).success).toBe(false);
    expect(LeaderboardQuerySchema.safeParse({ scope: "group", scopeId: "not-a-uuid" }).success).toBe(false);
    expect(LeaderboardQuerySchema.safeParse({ scope: "city" }).success).toBe(false);
    const { client, restCalls } = session();
    expectError(await client.gamification.record({ kind: "Workout!" }), "invalid_input", 400);
    expectError(await client.gamification.record({ kind: "check_in", payload: [] as never }), "invalid_input", 400);
    expectError(await client.gamification.record({ kind: "check_in", occurredAt: "yesterday" }), "invalid_input", 400);
    expectError(await client.gamification.activities({ limit: 0 }), "invalid_input", 400);
    expectError(await client.gamification.leaderboard({ scope: "city" }), "invalid_input", 400);
    expectError(await client.gamification.leaderboard({}, { cursor: "a b" }), "invalid_input", 400);
    expectError(await client.gamification.redeem("freeze"), "invalid_input", 400);
    expectError(
      await client.gamification.setGroupLeaderboard(randomUUID(), { enabled: "yes" } as never),
      "invalid_input",
      400,
    );
    expectError(await client.gamification.ledger({ cursor: "-1" }), "invalid_input", 400);
    expectError(await client.gamification.badgeSummary("x"), "invalid_input", 400);
    expect(restCalls).toEqual([]);
    expectError(await client.gamification.record({ kind: "check_in" }), "not_authenticated", 401);
    expectError(await client.gamification.streaks(), "not_authenticated", 401);
    expectError(await client.gamification.points(), "not_authenticated", 401);
    expectError(await client.gamification.leaderboard({}), "not_authenticated", 401);
    expectError(await client.gamification.onBadgeEarned(() => {}), "not_authenticated", 401);
    expect(restCalls).toEqual([]);
  });

  test("a badge_earned broadcast payload becomes a BadgeEarnedEvent; anything else is null", () => {
    const id = randomUUID();
    expect(
      toBadgeEarnedEvent({
        badge: {
          id,
          code: "streak_7",
          name: "7-day streak",
          description: null,
          icon: "flame",
          tier: "silver",
          points: 25,
        },
        earned_at: "2026-11-28 03:00:00.5+00",
        activity_id: null,
        group_id: null,
      }),
    ).toEqual({
      badge: {
        id,
        code: "streak_7",
        name: "7-day streak",
        description: null,
        icon: "flame",
        tier: "silver",
        points: 25,
      },
      earnedAt: "2026-11-28T03:00:00.5+00:00",
      activityId: null,
      groupId: null,
    });
    expect(toBadgeEarnedEvent({ badge: { id, code: "x", tier: "diamond" }, earned_at: "2026-01-01" })).toBeNull();
    expect(toBadgeEarnedEvent("junk")).toBeNull();
  });
});

describe("gamification: recording", () => {
  test("a workout recorded through the SDK earns its badge and points; a retry with the same key changes nothing", async () => {
    const ana = await signUp("ana");
    const key = randomUUID();
    const first = unwrap(
      await ana.client.gamification.record({
        kind: "workout_completed",
        payload: { minutes: 42 },
        idempotencyKey: key,
      }),
    );
    expect(first).toMatchObject({
      kind: "workout_completed",
      userId: ana.id,
      duplicate: false,
      payload: { minutes: 42 },
    });
    expect(first.badges.map((b) => b.code)).toEqual(["first_workout"]);
    const again = unwrap(await ana.client.gamification.record({ kind: "workout_completed", idempotencyKey: key }));
    expect(again).toMatchObject({ id: first.id, duplicate: true });
    expect(unwrap(await ana.client.gamification.points())).toEqual({ balance: 15, earned: 15, spent: 0 });
    const page = unwrap(await ana.client.gamification.activities({ kind: "workout_completed" }));
    expect(page.items.map((a) => a.id)).toEqual([first.id]);
    const streak = unwrap(await ana.client.gamification.streaks()).find((s) => s.kind === "workout_completed");
    expect(streak).toMatchObject({ currentStreak: 1, longestStreak: 1, doneToday: true, endsTonight: false });
    const progress = unwrap(await ana.client.gamification.progress());
    expect(progress.find((b) => b.code === "workouts_10")).toMatchObject({ progress: 1, target: 10, earnedAt: null });
    expect(progress.find((b) => b.code === "first_workout")?.earnedAt).toMatch(/^\d{4}-/);
    const ledger = unwrap(await ana.client.gamification.ledger({ limit: 1 }));
    expect(ledger.items).toHaveLength(1);
    const rest = unwrap(await ana.client.gamification.ledger({ cursor: ledger.nextCursor }));
    expect([...ledger.items, ...rest.items].map((e) => e.reason).sort()).toEqual(["activity", "badge"]);
  });

  test("kinds the backend records are refused to users; the backend (service role) records them for a user", async () => {
    const ana = await signUp("ana");
    // the catalog is a table everyone reads
    const kinds = await ana.supabase.schema("social").from("activity_kinds").select("code, user_reportable");
    expect(kinds.data?.find((k) => k.code === "event_attended")).toEqual({
      code: "event_attended",
      user_reportable: false,
    });
    expectError(await ana.client.gamification.record({ kind: "event_attended" }), "kind_not_reportable", 403);
    const { data, error } = await backend()
      .schema("social")
      .rpc("record_activity", { p_kind: "event_attended", p_user_id: ana.id, p_idempotency_key: "evt-42" });
    expect(error).toBeNull();
    expect(data?.[0]).toMatchObject({ user_id: ana.id, kind: "event_attended" });
    const page = unwrap(await ana.client.gamification.activities({ kind: "event_attended" }));
    expect(page.items.map((a) => a.idempotencyKey)).toEqual(["evt-42"]);
  });

  test("nobody writes another user's activities, points or badges; strangers and anon read none of them", async () => {
    const [ana, mallory] = await Promise.all([signUp("ana"), signUp("mallory")]);
    unwrap(await ana.client.gamification.record({ kind: "workout_completed" }));
    const m = mallory.supabase.schema("social");
    const writes = [
      await m.from("activities").insert({ user_id: ana.id, kind: "workout_completed" }),
      await m.from("point_ledger").insert({ user_id: ana.id, delta: 1000, reason: "adjustment" }),
      await m.from("user_badges").insert({ user_id: ana.id, badge_id: randomUUID() }),
      await m.from("activity_stats").insert({ user_id: ana.id, kind: "check_in" }),
    ];
    for (const w of writes) {
      expect(w.error, JSON.stringify(w.error)).not.toBeNull();
      expect([401, 403]).toContain(w.status);
    }
    expectError(
      await mallory.client.gamification.record({ kind: "check_in", groupId: randomUUID() }),
      "not_group_member",
      403,
    );
    for (const table of ["activities", "activity_stats", "point_ledger", "point_balances"] as const) {
      const read = await m.from(table).select("user_id").eq("user_id", ana.id);
      expect(read.data ?? [], `mallory reads ${table}`).toEqual([]);
    }
    const anon = session().supabase.schema("social");
    const anonRead = await anon.from("activities").select("id").eq("user_id", ana.id);
    expect(anonRead.data ?? []).toEqual([]);
    expect(unwrap(await ana.client.gamification.points()).earned).toBe(15);
  });
});

describe("gamification: badges from both sides", () => {
  test("a public profile's badges show to others; a private profile's and a blocker's do not", async () => {
    const [pub, priv, viewer, blocker] = await Promise.all([
      signUp("pub"),
      signUp("priv"),
      signUp("viewer"),
      signUp("blocker"),
    ]);
    unwrap(await priv.client.profiles.update({ visibility: "private" }));
    for (const user of [pub, priv, blocker])
      unwrap(await user.client.gamification.record({ kind: "workout_completed" }));
    unwrap(await blocker.client.graph.block(viewer.id));
    expect(unwrap(await viewer.client.gamification.badges(pub.id)).map((b) => b.code)).toEqual(["first_workout"]);
    expect(unwrap(await viewer.client.gamification.badgeSummary(pub.id))).toMatchObject({
      total: 1,
      byTier: { bronze: 1, silver: 0, gold: 0, platinum: 0 },
    });
    expect(unwrap(await viewer.client.gamification.badges(priv.id))).toEqual([]);
    expect(unwrap(await viewer.client.gamification.badges(blocker.id))).toEqual([]);
    expect(unwrap(await viewer.client.gamification.badgeSummary(priv.id)).total).toBe(0);
    expect(unwrap(await priv.client.gamification.badges()).map((b) => b.code)).toEqual(["first_workout"]);
    const anon = session();
    expect(unwrap(await anon.client.gamification.badges(pub.id)).map((b) => b.code)).toEqual(["first_workout"]);
    expect(unwrap(await anon.client.gamification.badges(priv.id))).toEqual([]);
  });

  test("onBadgeEarned: a workout's badge reaches my toast live, beside my notifications; nobody else hears it", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const toasts: BadgeEarnedEvent[] = [];
    const notified: string[] = [];
    const benToasts: BadgeEarnedEvent[] = [];
    const sub = unwrap(await ana.client.gamification.onBadgeEarned((e) => toasts.push(e)));
    expect(sub.channel.topic).toBe(`realtime:user:${ana.id}`);
    expect(sub.channel.state).toBe("joined");
    const inbox = unwrap(await ana.client.notifications.subscribe((e) => notified.push(e.notification.kind)));
    expect(inbox.channel).toBe(sub.channel); // one channel per topic
    const benSub = unwrap(await ben.client.gamification.onBadgeEarned((e) => benToasts.push(e)));

    const recorded = unwrap(await ana.client.gamification.record({ kind: "workout_completed" }));
    await eventually(() => expect(toasts.map((t) => t.badge.code)).toEqual(["first_workout"]));
    expect(toasts[0]).toMatchObject({ activityId: recorded.id, groupId: null, badge: { tier: "bronze", points: 5 } });
    await eventually(() => expect(notified).toEqual(["badge_earned"]));

    // the toast ends on its own; the inbox keeps listening on the shared channel
    await sub.unsubscribe();
    expect(ana.supabase.getChannels()).toHaveLength(1);
    unwrap(await ana.client.gamification.record({ kind: "weight_logged", value: 80 }));
    unwrap(await ana.client.gamification.record({ kind: "weight_logged", value: 78.5 }));
    await eventually(() => expect(notified).toEqual(["badge_earned", "badge_earned"]));
    expect(toasts).toHaveLength(1);
    await sleep(200);
    expect(benToasts).toEqual([]);
    await inbox.unsubscribe();
    await benSub.unsubscribe();
    expect(ana.supabase.getChannels()).toEqual([]);
  });
});

describe("gamification: points and rewards", () => {
  test("redeeming without enough points is refused; with them the freeze is added and a retry charges once", async () => {
    const ana = await signUp("ana");
    const freeze = unwrap(await ana.client.gamification.rewards()).find((r) => r.code === "check_in_streak_freeze")!;
    expect(freeze).toMatchObject({ cost: 30, effect: "streak_freeze", activityKind: "check_in" });
    expectError(await ana.client.gamification.redeem(freeze.id), "insufficient_points", 409);
    const { error } = await backend()
      .schema("social")
      .from("point_ledger")
      .insert({ user_id: ana.id, delta: 40, reason: "adjustment", note: "welcome bonus" });
    expect(error).toBeNull();
    const key = randomUUID();
    const a = unwrap(await ana.client.gamification.redeem(freeze.id, { idempotencyKey: key }));
    const b = unwrap(await ana.client.gamification.redeem(freeze.id, { idempotencyKey: key }));
    expect(b.id).toBe(a.id);
    expect(unwrap(await ana.client.gamification.points())).toEqual({ balance: 10, earned: 40, spent: 30 });
    expectError(await ana.client.gamification.redeem(randomUUID()), "reward_not_found", 404);
  });
});

describe("gamification: leaderboards", () => {
  test("a city board lists only users who opted in, ranked and paged, with my rank", async () => {
    const city = `Sdkville ${randomUUID().slice(0, 8)}`;
    const [ana, ben, shy] = await Promise.all([inCity("ana", city), inCity("ben", city), inCity("shy", city, false)]);
    for (let i = 0; i < 2; i++) unwrap(await ana.client.gamification.record({ kind: "workout_completed" }));
    unwrap(await ben.client.gamification.record({ kind: "workout_completed" }));
    unwrap(await shy.client.gamification.record({ kind: "workout_completed" }));
    unwrap(await shy.client.gamification.record({ kind: "workout_completed" }));
    unwrap(await shy.client.gamification.record({ kind: "workout_completed" }));
    const query = { scope: "city", scopeId: city, metric: "activities" } as const;
    const page1 = unwrap(await shy.client.gamification.leaderboard(query, { limit: 1 }));
    expect(page1.items.map((e) => [e.rank, e.user.handle, e.score])).toEqual([[1, ana.handle, 2]]);
    expect(page1.metric).toBe("activities");
    expect(page1.periodStart).toMatch(/^\d{4}-/);
    const page2 = unwrap(await shy.client.gamification.leaderboard(query, { cursor: page1.nextCursor, limit: 1 }));
    expect(page2.items.map((e) => [e.rank, e.user.handle, e.score])).toEqual([[2, ben.handle, 1]]);
    expect(page2.nextCursor).toBeNull();
    expect(unwrap(await ben.client.gamification.myRank(query))).toMatchObject({
      rank: 2,
      score: 1,
      ranked: 2,
      optedIn: true,
    });
    expect(unwrap(await shy.client.gamification.myRank(query))).toMatchObject({ rank: null, optedIn: false });
    unwrap(await shy.client.profiles.update({ leaderboardOptIn: true }));
    expect(unwrap(await shy.client.gamification.myRank(query))).toMatchObject({ rank: 1, score: 3, ranked: 3 });
  });

  test("a group's owner turns its board on and picks the metric; members read it; others may not set it", async () => {
    const [owner, member, outsider] = await Promise.all([signUp("owner"), signUp("member"), signUp("outsider")]);
    const group = unwrap(await owner.client.groups.create({ name: `Board ${randomUUID().slice(0, 6)}`, kind: "club" }));
    unwrap(await member.client.groups.join(group.id));
    unwrap(await member.client.profiles.update({ leaderboardOptIn: true }));
    unwrap(await member.client.gamification.record({ kind: "check_in" }));
    expectError(
      await member.client.gamification.leaderboard({ scope: "group", scopeId: group.id }),
      "leaderboard_disabled",
      403,
    );
    expectError(
      await member.client.gamification.setGroupLeaderboard(group.id, { enabled: true }),
      "not_group_owner",
      403,
    );
    expect(
      unwrap(
        await owner.client.gamification.setGroupLeaderboard(group.id, {
          enabled: true,
          metric: "activities",
          activityKind: "check_in",
        }),
      ),
    ).toMatchObject({
      groupId: group.id,
      enabled: true,
      metric: "activities",
      activityKind: "check_in",
      timezone: "UTC",
    });
    // members read the settings from the table (RLS: whoever may read the group)
    const settings = await member.supabase
      .schema("social")
      .from("group_leaderboards")
      .select("enabled")
      .eq("group_id", group.id);
    expect(settings.data).toEqual([{ enabled: true }]);
    const outsiderRead = await outsider.supabase
      .schema("social")
      .from("group_leaderboards")
      .select("enabled")
      .eq("group_id", group.id);
    expect(outsiderRead.data).toEqual([{ enabled: true }]); // a public club: everyone signed in reads it
    const board = unwrap(await member.client.gamification.leaderboard({ scope: "group", scopeId: group.id }));
    expect(board.items.map((e) => [e.user.id, e.score, e.isMe])).toEqual([[member.id, 1, true]]);
    expectError(
      await outsider.client.gamification.setGroupLeaderboard(group.id, { enabled: false }),
      "not_group_owner",
      403,
    );
  });
});
