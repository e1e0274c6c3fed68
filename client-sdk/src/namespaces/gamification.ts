/**
 * `client.gamification`: record activities (workouts, meals, weigh-ins, check-ins ...) and read
 * what they earn: streaks, badges with progress, points, rewards, leaderboards, and a live
 * `onBadgeEarned` toast over Realtime Broadcast on the private topic `user:<id>`. Everything is
 * computed in the database by triggers, so the host app's backend (service role) gets the same
 * result when it records for a user.
 */
import type { RealtimeChannel } from "@supabase/supabase-js";
import * as z from "zod/mini";
import { Constants, type Database, type Json } from "../database.types.ts";
import type { SupasocialError } from "../errors.ts";
import { defineNamespace } from "../namespace.ts";
import { listMethod, type Page, scopedListMethod, toPage } from "../pagination.ts";
import { joinTopic, type LiveSubscription, type PendingSubscription, pendingSubscription } from "../realtime.ts";
import { failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { DateTimeSchema, ListOptionsSchema, parseInput, UuidSchema } from "../validation.ts";
import { firstRow, notFound, type ProfileSummary, single, toArray, toObject, ts } from "./shared.ts";

type Social = Database["social"];
type ActivityRow = Social["Functions"]["my_activities"]["Returns"][number];
type RecordedRow = Social["Functions"]["record_activity"]["Returns"][number];
type BoardRow = Social["Functions"]["leaderboard"]["Returns"][number];

// =============================================================================================
// types
// =============================================================================================

/**
 * `bronze`, `silver`, `gold` or `platinum`.
 *
 * @example
 * ```ts
 * const color: Record<BadgeTier, string> = { bronze: '#cd7f32', silver: '#c0c0c0', gold: '#ffd700', platinum: '#e5e4e2' }
 * ```
 */
export type BadgeTier = Social["Enums"]["badge_tier"];

/**
 * How a badge is earned: `count`, `streak`, `metric`, `first` or `all_of`.
 *
 * @example
 * ```ts
 * const label = criterion === 'streak' ? 'days in a row' : 'times'
 * ```
 */
export type BadgeCriterion = Social["Enums"]["badge_criterion"];

/**
 * What a leaderboard ranks by: `points`, `activities` or `streak`.
 *
 * @example
 * ```ts
 * const unit: Record<LeaderboardMetric, string> = { points: 'pts', activities: 'workouts', streak: 'days' }
 * ```
 */
export type LeaderboardMetric = Social["Enums"]["leaderboard_metric"];

/**
 * Who a leaderboard ranks: `global`, `group`, `city` or `interest`.
 *
 * @example
 * ```ts
 * const scope: LeaderboardScope = 'city'
 * ```
 */
export type LeaderboardScope = Social["Enums"]["leaderboard_scope"];

/**
 * The period a leaderboard covers: `week`, `month` or `all_time`.
 *
 * @example
 * ```ts
 * const period: LeaderboardPeriod = 'week'
 * ```
 */
export type LeaderboardPeriod = Social["Enums"]["leaderboard_period"];

/**
 * An activity you recorded (or that was recorded for you).
 *
 * @example
 * ```ts
 * const { data: page } = await client.gamification.activities({ kind: 'workout_completed' })
 * page?.items.map((a) => `${a.localDay}: ${a.payload.minutes ?? '?'} min`)
 * ```
 */
export interface Activity {
  id: string;
  kind: string;
  occurredAt: string;
  /** The day it counts on, in your time zone (`YYYY-MM-DD`). */
  localDay: string;
  value: number | null;
  payload: { [key: string]: Json | undefined };
  groupId: string | null;
  idempotencyKey: string | null;
  createdAt: string;
}

/**
 * A badge as apps show it.
 *
 * @example
 * ```ts
 * const badge: Badge = event.badge
 * showToast(`${badge.name} (${badge.tier})`)
 * ```
 */
export interface Badge {
  id: string;
  code: string;
  name: string;
  description: string | null;
  icon: string | null;
  tier: BadgeTier;
  /** Bonus points it gives. */
  points: number;
}

/**
 * A badge someone earned, and when.
 *
 * @example
 * ```ts
 * const { data: badges } = await client.gamification.badges(userId)
 * ```
 */
export interface EarnedBadge extends Badge {
  earnedAt: string;
}

/**
 * The result of `record`: the activity, whether it was a retry (`duplicate`: the first activity
 * with that key, nothing changed) and the badges it earned.
 *
 * @example
 * ```ts
 * const { data } = await client.gamification.record({ kind: 'workout_completed', idempotencyKey: workoutId })
 * data?.badges.forEach((b) => showToast(b.name))
 * ```
 */
export interface RecordedActivity extends Activity {
  userId: string;
  duplicate: boolean;
  badges: EarnedBadge[];
}

/**
 * One of your streaks as it stands now (computed on read in your time zone).
 *
 * @example
 * ```ts
 * const { data: streaks } = await client.gamification.streaks()
 * const workouts = streaks?.find((s) => s.kind === 'workout_completed')
 * if (workouts?.endsTonight) remind(`Keep your ${workouts.currentStreak}-day streak!`)
 * ```
 */
export interface Streak {
  kind: string;
  currentStreak: number;
  longestStreak: number;
  /** The last day of the streak (`YYYY-MM-DD`), or null. */
  lastDay: string | null;
  /** Today in your time zone. */
  today: string;
  doneToday: boolean;
  /** Alive, not done today, and no freeze left to save it. */
  endsTonight: boolean;
  /** Freezes you hold (after those the missed days will take). */
  freezes: number;
  /** Freezes the days already missed will take at your next activity. */
  freezesPending: number;
  /** Freezes spent on the gap before the last day ("a freeze saved your streak"). */
  lastFreezesSpent: number;
}

/**
 * A badge with your progress toward it ("7 of 10 workouts").
 *
 * @example
 * ```ts
 * const { data } = await client.gamification.progress()
 * data?.filter((b) => !b.earnedAt).map((b) => `${b.name}: ${b.progress}/${b.target}`)
 * ```
 */
export interface BadgeProgress extends Badge {
  criterion: BadgeCriterion;
  activityKind: string | null;
  progress: number;
  target: number;
  earnedAt: string | null;
}

/**
 * A profile's badges in brief, as a profile screen shows them.
 *
 * @example
 * ```ts
 * const { data: s } = await client.gamification.badgeSummary(userId)
 * `${s?.total} badges, ${s?.byTier.gold} gold`
 * ```
 */
export interface BadgeSummary {
  total: number;
  byTier: Record<BadgeTier, number>;
  /** The latest three. */
  latest: EarnedBadge[];
}

/**
 * Your points.
 *
 * @example
 * ```ts
 * const { data: points } = await client.gamification.points()
 * ```
 */
export interface Points {
  balance: number;
  earned: number;
  spent: number;
}

/**
 * A movement of your points.
 *
 * @example
 * ```ts
 * const { data: page } = await client.gamification.ledger()
 * page?.items.map((e) => `${e.delta > 0 ? '+' : ''}${e.delta} ${e.reason}`)
 * ```
 */
export interface LedgerEntry {
  id: number;
  delta: number;
  reason: Social["Enums"]["point_reason"];
  activityId: string | null;
  badgeId: string | null;
  redemptionId: string | null;
  note: string | null;
  occurredAt: string;
  createdAt: string;
}

/**
 * A reward you can redeem with points.
 *
 * @example
 * ```ts
 * const { data: rewards } = await client.gamification.rewards()
 * ```
 */
export interface Reward {
  id: string;
  code: string;
  name: string;
  description: string | null;
  icon: string | null;
  cost: number;
  effect: Social["Enums"]["reward_effect"];
  /** For streak freezes: the streak's kind. */
  activityKind: string | null;
  /** How many are left (null: unlimited). */
  stock: number | null;
  perUserLimit: number | null;
}

/**
 * A reward you redeemed.
 *
 * @example
 * ```ts
 * const { data: redemption } = await client.gamification.redeem(reward.id)
 * ```
 */
export interface Redemption {
  id: string;
  userId: string;
  rewardId: string;
  cost: number;
  idempotencyKey: string | null;
  createdAt: string;
}

/**
 * A line of a leaderboard: rank (equal scores share one), the user and the score.
 *
 * @example
 * ```ts
 * page.items.map((e) => `${e.rank}. ${e.user.displayName} ${e.score}${e.isMe ? ' (you)' : ''}`)
 * ```
 */
export interface LeaderboardEntry {
  rank: number;
  user: ProfileSummary;
  score: number;
  isMe: boolean;
}

/**
 * A page of a leaderboard, with what it ranks by and the period's bounds (null for all time).
 *
 * @example
 * ```ts
 * const { data: board } = await client.gamification.leaderboard({ scope: 'city', scopeId: 'Lisbon' })
 * ```
 */
export interface LeaderboardPage extends Page<LeaderboardEntry> {
  metric: LeaderboardMetric;
  periodStart: string | null;
  periodEnd: string | null;
}

/**
 * A leaderboard list method: one page (with the board's metric and period) per call, or every
 * entry with `.all()`.
 *
 * @example
 * ```ts
 * for await (const entry of client.gamification.leaderboard.all({ scope: 'group', scopeId: groupId })) {
 *   if (entry.isMe) break
 * }
 * ```
 */
export interface LeaderboardListMethod {
  (query: LeaderboardQuery, options?: LeaderboardPageOptions): Promise<SupasocialResult<LeaderboardPage>>;
  /** Every entry of every page, fetched page by page; throws the `SupasocialError` of a failed page. */
  all(query: LeaderboardQuery, options?: LeaderboardPageOptions): AsyncGenerator<LeaderboardEntry, void, undefined>;
}

/**
 * Your place on a leaderboard: `rank` is null when you are not on it (not opted in, or nothing
 * in the period).
 *
 * @example
 * ```ts
 * const { data: me } = await client.gamification.myRank({ scope: 'group', scopeId: groupId })
 * me?.rank ? `#${me.rank} of ${me.ranked}` : me?.optedIn ? 'Not ranked yet' : 'Opt in to appear'
 * ```
 */
export interface MyRank {
  rank: number | null;
  score: number;
  ranked: number;
  optedIn: boolean;
  metric: LeaderboardMetric;
  periodStart: string | null;
  periodEnd: string | null;
}

/**
 * A group's leaderboard settings (its owner sets them).
 *
 * @example
 * ```ts
 * const { data: settings } = await client.gamification.setGroupLeaderboard(groupId, { enabled: true })
 * ```
 */
export interface GroupLeaderboardSettings {
  groupId: string;
  enabled: boolean;
  metric: LeaderboardMetric;
  activityKind: string | null;
  timezone: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * What `onBadgeEarned` hears: the badge, when, and the activity and group that earned it.
 *
 * @example
 * ```ts
 * client.gamification.onBadgeEarned((e) => showToast(`New badge: ${e.badge.name}`))
 * ```
 */
export interface BadgeEarnedEvent {
  badge: Badge;
  earnedAt: string;
  activityId: string | null;
  groupId: string | null;
}

/**
 * A live subscription to your badges; `unsubscribe()` ends it.
 *
 * @example
 * ```ts
 * const { data: sub } = await client.gamification.onBadgeEarned(showToast)
 * onUnmount(() => sub?.unsubscribe())
 * ```
 */
export interface BadgeSubscription extends LiveSubscription {
  /** The Realtime channel (`user:<id>`, private; shared with `notifications.subscribe`). */
  channel: RealtimeChannel;
}

// =============================================================================================
// schemas
// =============================================================================================

/**
 * An activity kind's code: lower-case letters, digits and underscores.
 *
 * @example
 * ```ts
 * ActivityKindCodeSchema.parse('workout_completed')
 * ```
 */
export const ActivityKindCodeSchema = z
  .string({ error: "kind must be a string" })
  .check(z.regex(/^[a-z][a-z0-9_]{1,39}$/, "kind is an activity kind code"));

/**
 * Input of `record`: `kind`, and optionally `occurredAt` (back-dated at most 30 days), `value`,
 * `payload` (a JSON object, at most 8 kB), `groupId` (a group you belong to) and
 * `idempotencyKey` (a retry with the same key changes nothing).
 *
 * @example
 * ```ts
 * const input = RecordActivityInputSchema.parse({ kind: 'weight_logged', value: 81.4 })
 * ```
 */
export const RecordActivityInputSchema = z.strictObject({
  kind: ActivityKindCodeSchema,
  occurredAt: z.optional(DateTimeSchema),
  value: z.optional(z.number()),
  payload: z.optional(z.record(z.string(), z.json())),
  groupId: z.optional(UuidSchema),
  idempotencyKey: z.optional(z.string()),
});
/**
 * Input of `record`.
 *
 * @example
 * ```ts
 * const input: RecordActivityInput = { kind: 'workout_completed', payload: { minutes: 45 } }
 * ```
 */
export type RecordActivityInput = z.input<typeof RecordActivityInputSchema>;

/**
 * Options of `activities`: `kind`, `cursor`, `limit` (default 20, at most 50 a page).
 *
 * @example
 * ```ts
 * await client.gamification.activities(ActivityListOptionsSchema.parse({ kind: 'weight_logged' }))
 * ```
 */
export const ActivityListOptionsSchema = z.extend(ListOptionsSchema, { kind: z.optional(ActivityKindCodeSchema) });
/**
 * Options of `activities`.
 *
 * @example
 * ```ts
 * const options: ActivityListOptions = { kind: 'workout_completed', limit: 10 }
 * ```
 */
export type ActivityListOptions = z.input<typeof ActivityListOptionsSchema>;

/**
 * Options of `ledger`: `cursor` (a previous page's `nextCursor`) and `limit` (default 20, at most 50 a page).
 *
 * @example
 * ```ts
 * await client.gamification.ledger(LedgerListOptionsSchema.parse({ limit: 10 }))
 * ```
 */
export const LedgerListOptionsSchema = ListOptionsSchema;
/**
 * Options of `ledger`.
 *
 * @example
 * ```ts
 * const options: LedgerListOptions = { cursor: page.nextCursor }
 * ```
 */
export type LedgerListOptions = z.input<typeof LedgerListOptionsSchema>;

/**
 * Which leaderboard: `scope` (default `global`; `group`, `city` and `interest` need `scopeId`: a
 * group id, a city or an interest), `period` (default `week`), `metric` (default `points`; a
 * group's board uses its owner's), `timezone` (an IANA zone the period starts in; default UTC, a
 * group's board its owner's), `kind` (count or streak of one activity kind), `at` (a moment in
 * the period; default now).
 *
 * @example
 * ```ts
 * LeaderboardQuerySchema.parse({ scope: 'city', scopeId: 'Lisbon', timezone: 'Europe/Lisbon' })
 * ```
 */
export const LeaderboardQuerySchema = z
  .strictObject({
    scope: z.optional(z.enum(Constants.social.Enums.leaderboard_scope)),
    scopeId: z.optional(z.string()),
    period: z.optional(z.enum(Constants.social.Enums.leaderboard_period)),
    metric: z.optional(z.enum(Constants.social.Enums.leaderboard_metric)),
    timezone: z.optional(z.string()),
    kind: z.optional(ActivityKindCodeSchema),
    at: z.optional(DateTimeSchema),
  })
  .check(
    z.refine((q) => (q.scope ?? "global") === "global" || !!q.scopeId, {
      message: "scopeId is needed",
      path: ["scopeId"],
    }),
    z.refine((q) => q.scope !== "group" || z.safeParse(UuidSchema, q.scopeId).success, {
      message: "scopeId is the group's id",
      path: ["scopeId"],
    }),
  );
/**
 * Which leaderboard.
 *
 * @example
 * ```ts
 * const query: LeaderboardQuery = { scope: 'group', scopeId: groupId, period: 'month' }
 * ```
 */
export type LeaderboardQuery = z.input<typeof LeaderboardQuerySchema>;

/**
 * Options of a leaderboard page: `cursor` and `limit` (default 20, at most 50 a page).
 *
 * @example
 * ```ts
 * LeaderboardPageOptionsSchema.parse({ limit: 50 })
 * ```
 */
export const LeaderboardPageOptionsSchema = ListOptionsSchema;
/**
 * Options of a leaderboard page.
 *
 * @example
 * ```ts
 * const options: LeaderboardPageOptions = { cursor: page.nextCursor, limit: 50 }
 * ```
 */
export type LeaderboardPageOptions = z.input<typeof LeaderboardPageOptionsSchema>;

/**
 * Settings of `setGroupLeaderboard`: `enabled`, and optionally `metric`, `activityKind` and
 * `timezone` (left out: kept).
 *
 * @example
 * ```ts
 * GroupLeaderboardInputSchema.parse({ enabled: true, metric: 'activities', activityKind: 'workout_completed' })
 * ```
 */
export const GroupLeaderboardInputSchema = z.strictObject({
  enabled: z.boolean(),
  metric: z.optional(z.enum(Constants.social.Enums.leaderboard_metric)),
  activityKind: z.optional(ActivityKindCodeSchema),
  timezone: z.optional(z.string()),
});
/**
 * Settings of `setGroupLeaderboard`.
 *
 * @example
 * ```ts
 * const input: GroupLeaderboardInput = { enabled: true, metric: 'streak' }
 * ```
 */
export type GroupLeaderboardInput = z.input<typeof GroupLeaderboardInputSchema>;

// =============================================================================================
// mapping
// =============================================================================================

const num = (value: unknown): number => Number(value ?? 0) || 0;
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : num(value));

/** A row with its keys in camelCase (`next_cursor` left out) and its timestamps in ISO form. */
function camel<T>(row: unknown): T {
  return Object.fromEntries(
    Object.entries(toObject(row))
      .filter(([k]) => k !== "next_cursor")
      .map(([k, v]) => [
        k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
        /_at$/.test(k) && typeof v === "string" ? normalizeTimestamp(v) : v,
      ]),
  ) as T;
}

function toActivity(row: ActivityRow | RecordedRow): Activity {
  const a = camel<Activity>(row);
  return { ...a, value: numOrNull(row.value), payload: toObject(row.payload) };
}

/**
 * A badge JSON object as the database sends it (`{ id, code, name, description, icon, tier,
 * points, earned_at? }`) as a `Badge`; null for anything else.
 *
 * @example
 * ```ts
 * toBadge({ id, code: 'streak_7', name: '7-day streak', tier: 'silver', points: 25 })
 * ```
 */
export function toBadge(value: unknown): Badge | null {
  const b = camel<Badge>(value);
  return b.id && b.code && Constants.social.Enums.badge_tier.includes(b.tier) ? b : null;
}

const toEarned = (value: unknown): EarnedBadge[] => {
  const badge = toBadge(value) as EarnedBadge | null;
  return badge?.earnedAt ? [badge] : [];
};

/**
 * A Realtime Broadcast payload of a `badge_earned` event (`{ badge, earned_at, activity_id,
 * group_id }`) as a `BadgeEarnedEvent`; null for anything else. `onBadgeEarned` uses it; exported
 * for apps that listen on the channel themselves.
 *
 * @example
 * ```ts
 * channel.on('broadcast', { event: 'badge_earned' }, ({ payload }) => {
 *   const event = toBadgeEarnedEvent(payload)
 *   if (event) showToast(event.badge.name)
 * })
 * ```
 */
export function toBadgeEarnedEvent(payload: unknown): BadgeEarnedEvent | null {
  const event = camel<BadgeEarnedEvent>(payload);
  const badge = toBadge(event.badge);
  return badge && event.earnedAt ? { ...event, badge } : null;
}

function toBoardPage(rows: BoardRow[] | null, metric: LeaderboardMetric | null): LeaderboardPage {
  const first = rows?.[0];
  return {
    ...toPage(rows, (row) => ({
      rank: num(row.rank),
      user: { ...camel<ProfileSummary>(row), id: row.user_id },
      score: num(row.score),
      isMe: row.is_me === true,
    })),
    metric: first?.metric ?? metric ?? "points",
    periodStart: ts(first?.period_start),
    periodEnd: ts(first?.period_end),
  };
}

function boardArgs(q: z.output<typeof LeaderboardQuerySchema>) {
  return {
    p_scope: q.scope ?? "global",
    p_scope_id: q.scopeId,
    p_period: q.period ?? "week",
    p_metric: q.metric,
    p_timezone: q.timezone,
    p_kind: q.kind,
    p_at: q.at,
  };
}

// =============================================================================================
// the namespace
// =============================================================================================

/**
 * `client.gamification`: activities, streaks, badges, points, rewards and leaderboards.
 *
 * @example
 * ```ts
 * const social = createSupasocialClient(supabase)
 * await social.gamification.record({ kind: 'workout_completed', payload: { minutes: 45 } })
 * ```
 */
export const gamificationNamespace = defineNamespace("gamification", (ctx) => {
  /** Run `run` for the signed-in user (`not_authenticated` before any request otherwise). */
  /** Validate the input (`invalid_input` before anything else), then run for the signed-in user. */
  const mine = <T, S extends z.ZodMiniType = z.ZodMiniUnknown>(
    run: (data: z.output<S>) => Promise<SupasocialResult<T>>,
    schema?: S,
    input?: unknown,
    label = "options",
  ): Promise<SupasocialResult<T>> =>
    settle(async () => {
      const v = schema ? parseInput(schema, input ?? {}, label) : ok(undefined as z.output<S>);
      if (v.error) return v;
      const me = await ctx.currentUserId();
      return me.error ? me : run(v.data);
    });
  /** A leaderboard list method over the RPC `rpc` (`leaderboard`, `leaderboard_snapshot`). */
  const board = (rpc: "leaderboard" | "leaderboard_snapshot") =>
    scopedListMethod(
      async (query: LeaderboardQuery, options?: LeaderboardPageOptions): Promise<SupasocialResult<LeaderboardPage>> => {
        const q = parseInput(LeaderboardQuerySchema, query ?? {}, "query");
        if (q.error) return q;
        const o = parseInput(LeaderboardPageOptionsSchema, options ?? {}, "options");
        if (o.error) return o;
        return mine(async () => {
          const r = await ctx.social.rpc(rpc, {
            ...boardArgs(q.data),
            p_cursor: o.data.cursor ?? undefined,
            p_limit: o.data.limit,
          });
          return r.error ? failFrom(r) : ok(toBoardPage(r.data as BoardRow[], q.data.metric ?? null));
        });
      },
    ) as LeaderboardListMethod;
  return {
    /**
     * Record an activity for yourself and get the badges it earned. Pass `idempotencyKey` (e.g.
     * your workout's id) so a retry changes nothing (`duplicate: true`, the first activity back).
     * Errors: `kind_not_reportable` (403: the kind is recorded by the backend),
     * `invalid_occurred_at`, `not_group_member`, `invalid_activity_kind`, `rate_limited`.
     *
     * @example
     * ```ts
     * const { data, error } = await client.gamification.record({
     *   kind: 'workout_completed',
     *   payload: { type: 'run', minutes: 42 },
     *   idempotencyKey: workout.id,
     * })
     * data?.badges.forEach((badge) => showToast(`New badge: ${badge.name}`))
     * ```
     */
    record(input: RecordActivityInput): Promise<SupasocialResult<RecordedActivity>> {
      return mine(
        async (v) => {
          const r = await ctx.social.rpc("record_activity", {
            p_kind: v.kind,
            p_occurred_at: v.occurredAt,
            p_value: v.value,
            p_payload: v.payload as Json | undefined,
            p_group_id: v.groupId,
            p_idempotency_key: v.idempotencyKey,
          });
          return single(
            r,
            (row): RecordedActivity => ({
              ...toActivity(row),
              userId: row.user_id,
              duplicate: row.duplicate === true,
              badges: toArray(row.badges).flatMap(toEarned),
            }),
            () => notFound("not_found", "The activity was not recorded"),
          );
        },
        RecordActivityInputSchema,
        input,
        "input",
      );
    },

    /**
     * Your activities, latest first (optionally of one kind).
     *
     * @example
     * ```ts
     * const { data: page } = await client.gamification.activities({ kind: 'weight_logged', limit: 30 })
     * ```
     */
    activities: listMethod((options?: ActivityListOptions) =>
      mine(
        async (o) => {
          const r = await ctx.social.rpc("my_activities", {
            p_kind: o.kind,
            p_cursor: o.cursor ?? undefined,
            p_limit: o.limit,
          });
          return r.error ? failFrom(r) : ok(toPage(r.data, toActivity));
        },
        ActivityListOptionsSchema,
        options,
      ),
    ),

    /**
     * Your streaks as they stand now (in your time zone): current, longest, done today, ends
     * tonight, freezes.
     *
     * @example
     * ```ts
     * const { data: streaks } = await client.gamification.streaks()
     * ```
     */
    streaks(): Promise<SupasocialResult<Streak[]>> {
      return mine(async () => {
        const r = await ctx.social.rpc("my_streaks");
        return r.error ? failFrom(r) : ok((r.data ?? []).map((row) => camel<Streak>(row)));
      });
    },

    /**
     * The badges a user earned (default: yours), latest first: only what you may see (a private
     * profile's badges show to its approved followers).
     *
     * @example
     * ```ts
     * const { data: badges } = await client.gamification.badges(profile.id)
     * ```
     */
    badges(userId?: string): Promise<SupasocialResult<EarnedBadge[]>> {
      return settle(async () => {
        const me = userId === undefined ? await ctx.currentUserId() : ok(userId);
        if (me.error) return me;
        const id = parseInput(UuidSchema, me.data, "userId");
        if (id.error) return id;
        const r = await ctx.social.rpc("profile_badges", { p_profile_id: id.data });
        return r.error
          ? failFrom(r)
          : ok((r.data ?? []).map((row) => ({ ...camel<EarnedBadge>(row), id: row.badge_id })));
      });
    },

    /**
     * A profile's badges in brief (total, per tier, latest three), as a profile screen shows
     * them; empty when you may not see them.
     *
     * @example
     * ```ts
     * const { data: summary } = await client.gamification.badgeSummary(profile.id)
     * ```
     */
    badgeSummary(userId: string): Promise<SupasocialResult<BadgeSummary>> {
      return settle(async () => {
        const id = parseInput(UuidSchema, userId, "userId");
        if (id.error) return id;
        const r = await ctx.social.rpc("badge_summary", { p_profile_id: id.data });
        if (r.error) return failFrom(r);
        const body = camel<BadgeSummary>(r.data);
        return ok({ ...body, latest: toArray(body.latest).flatMap(toEarned) });
      });
    },

    /**
     * Every badge with your progress toward it ("7 of 10 workouts") and when you earned it.
     *
     * @example
     * ```ts
     * const { data } = await client.gamification.progress()
     * const next = data?.filter((b) => !b.earnedAt).sort((a, b) => b.progress / b.target - a.progress / a.target)[0]
     * ```
     */
    progress(): Promise<SupasocialResult<BadgeProgress[]>> {
      return mine(async () => {
        const r = await ctx.social.rpc("my_badge_progress");
        return r.error
          ? failFrom(r)
          : ok((r.data ?? []).map((row) => ({ ...camel<BadgeProgress>(row), id: row.badge_id })));
      });
    },

    /**
     * Your points: balance, earned, spent.
     *
     * @example
     * ```ts
     * const { data: points } = await client.gamification.points()
     * ```
     */
    points(): Promise<SupasocialResult<Points>> {
      return mine(async () => {
        const r = await ctx.social.rpc("my_points");
        const row = firstRow(r.data);
        return r.error
          ? failFrom(r)
          : ok({ balance: num(row?.balance), earned: num(row?.earned), spent: num(row?.spent) });
      });
    },

    /**
     * Your points ledger, newest first.
     *
     * @example
     * ```ts
     * const { data: page } = await client.gamification.ledger({ limit: 20 })
     * ```
     */
    ledger: listMethod((options?: LedgerListOptions) =>
      mine(
        async (o) => {
          const r = await ctx.social.rpc("my_point_ledger", {
            p_cursor: o.cursor ?? undefined,
            p_limit: o.limit,
          });
          return r.error ? failFrom(r) : ok(toPage(r.data, (row) => camel<LedgerEntry>(row)));
        },
        LedgerListOptionsSchema,
        options,
      ),
    ),

    /**
     * The rewards on offer.
     *
     * @example
     * ```ts
     * const { data: rewards } = await client.gamification.rewards()
     * ```
     */
    rewards(): Promise<SupasocialResult<Reward[]>> {
      return mine(async () => {
        const r = await ctx.social.from("rewards").select("*").eq("active", true).order("cost").order("code");
        return r.error ? failFrom(r) : ok((r.data ?? []).map((row) => camel<Reward>(row)));
      });
    },

    /**
     * Redeem a reward with your points, atomically: never below zero, even with several
     * redemptions at once. Pass `idempotencyKey` so a retry returns the first redemption. Errors:
     * `insufficient_points`, `out_of_stock`, `redemption_limit_reached`, `freeze_limit_reached`
     * (409), `reward_not_found` (404).
     *
     * @example
     * ```ts
     * const { data, error } = await client.gamification.redeem(freeze.id, { idempotencyKey: crypto.randomUUID() })
     * if (error?.code === 'insufficient_points') showToast('Not enough points yet')
     * ```
     */
    redeem(rewardId: string, options: { idempotencyKey?: string } = {}): Promise<SupasocialResult<Redemption>> {
      return settle(async () => {
        const id = parseInput(UuidSchema, rewardId, "rewardId");
        if (id.error) return id;
        const o = parseInput(z.strictObject({ idempotencyKey: z.optional(z.string()) }), options, "options");
        if (o.error) return o;
        const r = await ctx.social.rpc("redeem_reward", {
          p_reward_id: id.data,
          p_idempotency_key: o.data.idempotencyKey,
        });
        return single(
          r,
          (row) => camel<Redemption>(row),
          () => notFound("reward_not_found", "No such reward"),
        );
      });
    },

    /**
     * A page of a leaderboard: global, a group's (if its owner turned it on), a city's or an
     * interest's; this week, month or all time in a time zone; by points, activities or current
     * streak. Only users who opted in appear (`profiles.update({ leaderboardOptIn: true })`);
     * equal scores share a rank.
     *
     * @example
     * ```ts
     * const { data: page } = await client.gamification.leaderboard(
     *   { scope: 'city', scopeId: 'Lisbon', period: 'week', timezone: 'Europe/Lisbon' },
     *   { limit: 50 },
     * )
     * const next = await client.gamification.leaderboard({ scope: 'city', scopeId: 'Lisbon' }, { cursor: page?.nextCursor })
     * ```
     */
    leaderboard: board("leaderboard"),

    /**
     * Your place on a leaderboard (`rank` null when you are not on it).
     *
     * @example
     * ```ts
     * const { data: me } = await client.gamification.myRank({ scope: 'group', scopeId: groupId })
     * ```
     */
    myRank(query: LeaderboardQuery = {}): Promise<SupasocialResult<MyRank>> {
      return mine(
        async (q) =>
          single(
            await ctx.social.rpc("my_leaderboard_rank", boardArgs(q)),
            (row) => camel<MyRank>(row),
            () => notFound("not_found", "No such leaderboard"),
          ),
        LeaderboardQuerySchema,
        query,
        "query",
      );
    },

    /**
     * A finished week or month as it ended (stored by the snapshot job): the period containing
     * `at`, or the last one. Users who opted out since are left out.
     *
     * @example
     * ```ts
     * const { data: lastWeek } = await client.gamification.leaderboardSnapshot({ scope: 'group', scopeId: groupId })
     * ```
     */
    leaderboardSnapshot: board("leaderboard_snapshot"),

    /**
     * Turn your group's leaderboard on or off and pick what it ranks by (the group's owner only;
     * `not_group_owner` otherwise).
     *
     * @example
     * ```ts
     * await client.gamification.setGroupLeaderboard(groupId, { enabled: true, metric: 'activities', activityKind: 'workout_completed' })
     * ```
     */
    setGroupLeaderboard(
      groupId: string,
      input: GroupLeaderboardInput,
    ): Promise<SupasocialResult<GroupLeaderboardSettings>> {
      return settle(async () => {
        const id = parseInput(UuidSchema, groupId, "groupId");
        if (id.error) return id;
        const v = parseInput(GroupLeaderboardInputSchema, input, "input");
        if (v.error) return v;
        const r = await ctx.social.rpc("set_group_leaderboard", {
          p_group_id: id.data,
          p_enabled: v.data.enabled,
          p_metric: v.data.metric,
          p_activity_kind: v.data.activityKind,
          p_timezone: v.data.timezone,
        });
        return single(
          r,
          (row) => camel<GroupLeaderboardSettings>(row),
          () => notFound("group_not_found", "No such group"),
        );
      });
    },

    onBadgeEarned(
      onEvent: (event: BadgeEarnedEvent) => void,
      options: { onError?: (error: SupasocialError) => void } = {},
    ): PendingSubscription<BadgeSubscription> {
      return pendingSubscription(async (control) => {
        if (typeof onEvent !== "function") {
          return parseInput(
            z.custom<never>(() => false, "onEvent must be a function"),
            onEvent,
            "onEvent",
          );
        }
        const me = await ctx.currentUserId();
        if (me.error) return me;
        return joinTopic(
          ctx.supabase,
          `user:${me.data}`,
          {
            event: "badge_earned",
            onMessage(payload) {
              const event = toBadgeEarnedEvent(payload);
              if (event) onEvent(event);
            },
            onError: options.onError,
          },
          control,
        );
      });
    },
  };
});
