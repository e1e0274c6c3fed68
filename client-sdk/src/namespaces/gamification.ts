/**
 * `client.gamification`: record activities (workouts, meals, weigh-ins, check-ins ...) and read
 * what they earn: streaks, badges with progress, points, rewards, leaderboards, and a live
 * `onBadgeEarned` toast over Realtime Broadcast on the private topic `user:<id>`. Everything is
 * computed in the database by triggers, so the host app's backend (service role) gets the same
 * result when it records for a user.
 */
import type { RealtimeChannel } from "@supabase/supabase-js";
import { z } from "zod";
import { Constants, type Database, type Json } from "../database.types.ts";
import type { SupasocialError } from "../errors.ts";
import { defineNamespace } from "../namespace.ts";
import { listMethod, type Page, scopedListMethod, toPage } from "../pagination.ts";
import { joinTopic, type LiveSubscription, type PendingSubscription, pendingSubscription } from "../realtime.ts";
import { failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { CursorSchema, DateTimeSchema, LimitSchema, parseInput, UuidSchema } from "../validation.ts";
import { notFound, type ProfileSummary, single, toArray, toObject, ts } from "./shared.ts";

type Social = Database["social"];
type ActivityRow = Social["Functions"]["my_activities"]["Returns"][number];
type RecordedRow = Social["Functions"]["record_activity"]["Returns"][number];
type StreakRow = Social["Functions"]["my_streaks"]["Returns"][number];
type ProgressRow = Social["Functions"]["my_badge_progress"]["Returns"][number];
type LedgerRow = Social["Functions"]["my_point_ledger"]["Returns"][number];
type RewardRow = Social["Tables"]["rewards"]["Row"];
type RedemptionRow = Social["Tables"]["redemptions"]["Row"];
type BoardRow = Social["Functions"]["leaderboard"]["Returns"][number];
type GroupBoardRow = Social["Tables"]["group_leaderboards"]["Row"];
type KindRow = Social["Tables"]["activity_kinds"]["Row"];

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
 * A kind of activity from the catalog (admins add kinds in Studio).
 *
 * @example
 * ```ts
 * const { data: kinds } = await client.gamification.kinds()
 * kinds?.filter((k) => k.userReportable).map((k) => k.name)
 * ```
 */
export interface ActivityKind {
  code: string;
  name: string;
  description: string | null;
  /** Unit of `value`, e.g. `kg`. */
  unit: string | null;
  /** Users record it themselves (else only the backend or Supasocial does). */
  userReportable: boolean;
  tracksStreak: boolean;
}

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
 * if (workouts?.endsTonight) remind('Keep your streak!')
 * ```
 */
export interface Streak {
  kind: string;
  current: number;
  longest: number;
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
 * const { data: settings } = await client.gamification.groupLeaderboard(groupId)
 * if (settings?.enabled) showBoard()
 * ```
 */
export interface GroupLeaderboardSettings {
  groupId: string;
  enabled: boolean;
  metric: LeaderboardMetric;
  activityKind: string | null;
  timezone: string;
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
  .regex(/^[a-z][a-z0-9_]{1,39}$/, "kind must be an activity kind code, e.g. workout_completed");

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
  occurredAt: DateTimeSchema.optional(),
  value: z.number().finite("value must be a finite number").min(-1e12).max(1e12).optional(),
  payload: z
    .record(z.string(), z.unknown())
    .refine((p) => JSON.stringify(p).length <= 8192, "payload must be at most 8 kB")
    .optional(),
  groupId: UuidSchema.optional(),
  idempotencyKey: z.string().min(1).max(200, "idempotencyKey must be at most 200 characters").optional(),
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
export const ActivityListOptionsSchema = z.strictObject({
  kind: ActivityKindCodeSchema.optional(),
  cursor: CursorSchema.nullish(),
  limit: LimitSchema.optional(),
});
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
export const LedgerListOptionsSchema = z.strictObject({
  cursor: CursorSchema.nullish(),
  limit: LimitSchema.optional(),
});
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
    scope: z.enum(Constants.social.Enums.leaderboard_scope).optional(),
    scopeId: z.string().trim().min(1).max(100).optional(),
    period: z.enum(Constants.social.Enums.leaderboard_period).optional(),
    metric: z.enum(Constants.social.Enums.leaderboard_metric).optional(),
    timezone: z.string().min(1).max(64).optional(),
    kind: ActivityKindCodeSchema.optional(),
    at: DateTimeSchema.optional(),
  })
  .refine((q) => (q.scope ?? "global") === "global" || q.scopeId !== undefined, {
    message: "scopeId is needed for group, city and interest boards",
    path: ["scopeId"],
  })
  .refine((q) => q.scope !== "group" || UuidSchema.safeParse(q.scopeId).success, {
    message: "scopeId of a group board is the group's id",
    path: ["scopeId"],
  });
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
export const LeaderboardPageOptionsSchema = z.strictObject({
  cursor: CursorSchema.nullish(),
  limit: LimitSchema.optional(),
});
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
  metric: z.enum(Constants.social.Enums.leaderboard_metric).optional(),
  activityKind: ActivityKindCodeSchema.optional(),
  timezone: z.string().min(1).max(64).optional(),
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

function num(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function toActivity(row: ActivityRow | RecordedRow): Activity {
  return {
    id: row.id,
    kind: row.kind,
    occurredAt: normalizeTimestamp(row.occurred_at),
    localDay: row.local_day,
    value: numOrNull(row.value),
    payload: toObject(row.payload),
    groupId: row.group_id ?? null,
    idempotencyKey: row.idempotency_key ?? null,
    createdAt: normalizeTimestamp(row.created_at),
  };
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
  const b = toObject(value);
  const id = str(b.id);
  const code = str(b.code);
  const tier = str(b.tier);
  if (!id || !code || !tier || !(Constants.social.Enums.badge_tier as readonly string[]).includes(tier)) return null;
  return {
    id,
    code,
    name: str(b.name) ?? code,
    description: str(b.description),
    icon: str(b.icon),
    tier: tier as BadgeTier,
    points: num(b.points),
  };
}

function toEarned(value: unknown): EarnedBadge | null {
  const badge = toBadge(value);
  const earnedAt = str(toObject(value).earned_at);
  return badge && earnedAt ? { ...badge, earnedAt: normalizeTimestamp(earnedAt) } : null;
}

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
  const body = toObject(payload);
  const badge = toBadge(body.badge);
  const earnedAt = str(body.earned_at);
  if (!badge || !earnedAt) return null;
  return {
    badge,
    earnedAt: normalizeTimestamp(earnedAt),
    activityId: str(body.activity_id),
    groupId: str(body.group_id),
  };
}

function toStreak(row: StreakRow): Streak {
  return {
    kind: row.kind,
    current: num(row.current_streak),
    longest: num(row.longest_streak),
    lastDay: row.last_day ?? null,
    today: row.today,
    doneToday: row.done_today === true,
    endsTonight: row.ends_tonight === true,
    freezes: num(row.freezes),
    freezesPending: num(row.freezes_pending),
    lastFreezesSpent: num(row.last_freezes_spent),
  };
}

function toProgress(row: ProgressRow): BadgeProgress {
  return {
    id: row.badge_id,
    code: row.code,
    name: row.name,
    description: row.description ?? null,
    icon: row.icon ?? null,
    tier: row.tier,
    points: num(row.points),
    criterion: row.criterion,
    activityKind: row.activity_kind ?? null,
    progress: num(row.progress),
    target: num(row.target),
    earnedAt: ts(row.earned_at),
  };
}

function toLedgerEntry(row: LedgerRow): LedgerEntry {
  return {
    id: num(row.id),
    delta: num(row.delta),
    reason: row.reason,
    activityId: row.activity_id ?? null,
    badgeId: row.badge_id ?? null,
    redemptionId: row.redemption_id ?? null,
    note: row.note ?? null,
    occurredAt: normalizeTimestamp(row.occurred_at),
    createdAt: normalizeTimestamp(row.created_at),
  };
}

function toReward(row: RewardRow): Reward {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    icon: row.icon,
    cost: num(row.cost),
    effect: row.effect,
    activityKind: row.activity_kind,
    stock: numOrNull(row.stock),
    perUserLimit: numOrNull(row.per_user_limit),
  };
}

function toRedemption(row: RedemptionRow): Redemption {
  return {
    id: row.id,
    rewardId: row.reward_id,
    cost: num(row.cost),
    idempotencyKey: row.idempotency_key ?? null,
    createdAt: normalizeTimestamp(row.created_at),
  };
}

function toBoardPage(rows: BoardRow[] | null, metric: LeaderboardMetric | null): LeaderboardPage {
  const list = rows ?? [];
  const first = list[0];
  return {
    items: list.map((row) => ({
      rank: num(row.rank),
      user: {
        id: row.user_id,
        handle: row.handle,
        displayName: row.display_name,
        avatarPath: row.avatar_path ?? null,
      },
      score: num(row.score),
      isMe: row.is_me === true,
    })),
    nextCursor: first?.next_cursor ?? null,
    metric: first?.metric ?? metric ?? "points",
    periodStart: ts(first?.period_start),
    periodEnd: ts(first?.period_end),
  };
}

function toGroupBoard(row: GroupBoardRow): GroupLeaderboardSettings {
  return {
    groupId: row.group_id,
    enabled: row.enabled,
    metric: row.metric,
    activityKind: row.activity_kind ?? null,
    timezone: row.timezone,
  };
}

type BoardArgs = {
  p_scope: string;
  p_scope_id?: string;
  p_period: string;
  p_metric?: string;
  p_timezone?: string;
  p_kind?: string;
  p_at?: string;
};

function boardArgs(q: z.output<typeof LeaderboardQuerySchema>): BoardArgs {
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
export const gamificationNamespace = defineNamespace("gamification", (ctx) => ({
  /**
   * The catalog of activity kinds.
   *
   * @example
   * ```ts
   * const { data: kinds } = await client.gamification.kinds()
   * ```
   */
  kinds(): Promise<SupasocialResult<ActivityKind[]>> {
    return settle(async () => {
      const response = await ctx.social.from("activity_kinds").select("*").order("code");
      if (response.error) return failFrom(response);
      return ok(
        ((response.data ?? []) as KindRow[]).map((k) => ({
          code: k.code,
          name: k.name,
          description: k.description,
          unit: k.unit,
          userReportable: k.user_reportable,
          tracksStreak: k.tracks_streak,
        })),
      );
    });
  },

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
    return settle(async () => {
      const parsed = parseInput(RecordActivityInputSchema, input, "input");
      if (parsed.error) return parsed;
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const v = parsed.data;
      const response = await ctx.social.rpc("record_activity", {
        p_kind: v.kind,
        p_occurred_at: v.occurredAt,
        p_value: v.value,
        p_payload: v.payload as Json | undefined,
        p_group_id: v.groupId,
        p_idempotency_key: v.idempotencyKey,
      });
      return single(
        response,
        (row): RecordedActivity => ({
          ...toActivity(row),
          userId: row.user_id,
          duplicate: row.duplicate === true,
          badges: toArray(row.badges).flatMap((b) => {
            const earned = toEarned(b);
            return earned ? [earned] : [];
          }),
        }),
        () => notFound("not_found", "The activity was not recorded"),
      );
    });
  },

  /**
   * Your activities, latest first (optionally of one kind).
   *
   * @example
   * ```ts
   * const { data: page } = await client.gamification.activities({ kind: 'weight_logged', limit: 30 })
   * ```
   */
  activities: listMethod(async (options?: ActivityListOptions): Promise<SupasocialResult<Page<Activity>>> => {
    const parsed = parseInput(ActivityListOptionsSchema, options ?? {}, "options");
    if (parsed.error) return parsed;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("my_activities", {
      p_kind: parsed.data.kind,
      p_cursor: parsed.data.cursor ?? undefined,
      p_limit: parsed.data.limit,
    });
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, toActivity));
  }),

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
    return settle(async () => {
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const response = await ctx.social.rpc("my_streaks");
      if (response.error) return failFrom(response);
      return ok((response.data ?? []).map(toStreak));
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
      let id = userId;
      if (id === undefined) {
        const me = await ctx.currentUserId();
        if (me.error) return me;
        id = me.data;
      }
      const parsed = parseInput(UuidSchema, id, "userId");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("profile_badges", { p_profile_id: parsed.data });
      if (response.error) return failFrom(response);
      return ok(
        (response.data ?? []).map((row) => ({
          id: row.badge_id,
          code: row.code,
          name: row.name,
          description: row.description ?? null,
          icon: row.icon ?? null,
          tier: row.tier,
          points: num(row.points),
          earnedAt: normalizeTimestamp(row.earned_at),
        })),
      );
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
      const parsed = parseInput(UuidSchema, userId, "userId");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("badge_summary", { p_profile_id: parsed.data });
      if (response.error) return failFrom(response);
      const body = toObject(response.data);
      const tiers = toObject(body.by_tier);
      return ok({
        total: num(body.total),
        byTier: {
          bronze: num(tiers.bronze),
          silver: num(tiers.silver),
          gold: num(tiers.gold),
          platinum: num(tiers.platinum),
        },
        latest: toArray(body.latest).flatMap((b) => {
          const earned = toEarned(b);
          return earned ? [earned] : [];
        }),
      });
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
    return settle(async () => {
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const response = await ctx.social.rpc("my_badge_progress");
      if (response.error) return failFrom(response);
      return ok((response.data ?? []).map(toProgress));
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
    return settle(async () => {
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const response = await ctx.social.rpc("my_points");
      if (response.error) return failFrom(response);
      const row = Array.isArray(response.data) ? response.data[0] : response.data;
      return ok({ balance: num(row?.balance), earned: num(row?.earned), spent: num(row?.spent) });
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
  ledger: listMethod(async (options?: LedgerListOptions): Promise<SupasocialResult<Page<LedgerEntry>>> => {
    const parsed = parseInput(LedgerListOptionsSchema, options ?? {}, "options");
    if (parsed.error) return parsed;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("my_point_ledger", {
      p_cursor: parsed.data.cursor ?? undefined,
      p_limit: parsed.data.limit,
    });
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, toLedgerEntry));
  }),

  /**
   * The rewards on offer.
   *
   * @example
   * ```ts
   * const { data: rewards } = await client.gamification.rewards()
   * ```
   */
  rewards(): Promise<SupasocialResult<Reward[]>> {
    return settle(async () => {
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const response = await ctx.social.from("rewards").select("*").eq("active", true).order("cost").order("code");
      if (response.error) return failFrom(response);
      return ok(((response.data ?? []) as RewardRow[]).map(toReward));
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
      const opts = parseInput(
        z.strictObject({ idempotencyKey: z.string().min(1).max(200).optional() }),
        options,
        "options",
      );
      if (opts.error) return opts;
      const response = await ctx.social.rpc("redeem_reward", {
        p_reward_id: id.data,
        p_idempotency_key: opts.data.idempotencyKey,
      });
      return single(response, toRedemption, () => notFound("reward_not_found", "No such reward"));
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
  leaderboard: scopedListMethod(
    async (query: LeaderboardQuery, options?: LeaderboardPageOptions): Promise<SupasocialResult<LeaderboardPage>> => {
      const q = parseInput(LeaderboardQuerySchema, query ?? {}, "query");
      if (q.error) return q;
      const o = parseInput(LeaderboardPageOptionsSchema, options ?? {}, "options");
      if (o.error) return o;
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const response = await ctx.social.rpc("leaderboard", {
        ...boardArgs(q.data),
        p_cursor: o.data.cursor ?? undefined,
        p_limit: o.data.limit,
      });
      if (response.error) return failFrom(response);
      return ok(toBoardPage(response.data as unknown as BoardRow[], q.data.metric ?? null));
    },
  ) as LeaderboardListMethod,

  /**
   * Your place on a leaderboard (`rank` null when you are not on it).
   *
   * @example
   * ```ts
   * const { data: me } = await client.gamification.myRank({ scope: 'group', scopeId: groupId })
   * ```
   */
  myRank(query: LeaderboardQuery = {}): Promise<SupasocialResult<MyRank>> {
    return settle(async () => {
      const q = parseInput(LeaderboardQuerySchema, query, "query");
      if (q.error) return q;
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const response = await ctx.social.rpc("my_leaderboard_rank", boardArgs(q.data));
      return single(
        response,
        (row): MyRank => ({
          rank: numOrNull(row.rank),
          score: num(row.score),
          ranked: num(row.ranked),
          optedIn: row.opted_in === true,
          metric: row.metric,
          periodStart: ts(row.period_start),
          periodEnd: ts(row.period_end),
        }),
        () => notFound("not_found", "No such leaderboard"),
      );
    });
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
  leaderboardSnapshot: scopedListMethod(
    async (query: LeaderboardQuery, options?: LeaderboardPageOptions): Promise<SupasocialResult<LeaderboardPage>> => {
      const q = parseInput(LeaderboardQuerySchema, query ?? {}, "query");
      if (q.error) return q;
      const o = parseInput(LeaderboardPageOptionsSchema, options ?? {}, "options");
      if (o.error) return o;
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const response = await ctx.social.rpc("leaderboard_snapshot", {
        ...boardArgs(q.data),
        p_cursor: o.data.cursor ?? undefined,
        p_limit: o.data.limit,
      });
      if (response.error) return failFrom(response);
      return ok(toBoardPage(response.data as unknown as BoardRow[], q.data.metric ?? null));
    },
  ) as LeaderboardListMethod,

  /**
   * A group's leaderboard settings (null when its owner never set them: the board is off).
   *
   * @example
   * ```ts
   * const { data: settings } = await client.gamification.groupLeaderboard(groupId)
   * ```
   */
  groupLeaderboard(groupId: string): Promise<SupasocialResult<GroupLeaderboardSettings | null>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, groupId, "groupId");
      if (id.error) return id;
      const response = await ctx.social.from("group_leaderboards").select("*").eq("group_id", id.data).maybeSingle();
      if (response.error) return failFrom(response);
      return ok(response.data ? toGroupBoard(response.data as GroupBoardRow) : null);
    });
  },

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
      const parsed = parseInput(GroupLeaderboardInputSchema, input, "input");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("set_group_leaderboard", {
        p_group_id: id.data,
        p_enabled: parsed.data.enabled,
        p_metric: parsed.data.metric,
        p_activity_kind: parsed.data.activityKind,
        p_timezone: parsed.data.timezone,
      });
      return single(response, toGroupBoard, () => notFound("group_not_found", "No such group"));
    });
  },

  /**
   * Hear your new badges live (for a toast), over Realtime Broadcast (`badge_earned`) on your
   * private topic `user:<id>`, the channel `notifications.subscribe` shares. Resolves once the
   * channel has joined, or with a `realtime_error` (`timeout` when the join timed out); `onError`
   * then hears a dropped connection or a closed channel. `unsubscribe()` on the returned promise
   * works before the join too (a React `useEffect` cleanup).
   *
   * @example
   * ```ts
   * useEffect(() => {
   *   const subscription = social.gamification.onBadgeEarned((event) => showToast(`${event.badge.name} unlocked!`))
   *   return () => void subscription.unsubscribe()
   * }, [social])
   * ```
   */
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
}));
