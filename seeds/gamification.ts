/**
 * Gamification seed (registered by seeds/domains.ts): activity histories over the four months that
 * end on the day the seed runs (so streaks are alive on the demo), for every user:
 *
 *   * workouts, nutrition logs and check-ins, day by day, with a persona per user (regulars keep
 *     long streaks, casual users come and go, some lapse), about `activitiesPerUser` per user
 *     (default 30; the benchmark uses 95: about 1M activities for 10k users); weekly weigh-ins
 *     with a trend; a trainee's workouts partly in their coaching group;
 *   * post_created for every seeded post and group_joined for every membership (as the triggers
 *     would have recorded them);
 *   * the demo trainer and trainee (ana, ben) keep a workout streak that ends today.
 *
 * Like the rest of the seed it is loaded with triggers off, then everything the triggers derive is
 * computed set-wise, with the same rules: per-kind statistics and streaks (islands of consecutive
 * local days), points within the daily limits, badges (social_private.backfill_badge, quietly),
 * badge bonuses, balances. 80% of users opt in to leaderboards (the demo users do), coaching
 * groups rank workouts and a third of the clubs rank points, and last week's and last month's
 * boards are stored as snapshots.
 */
import { faker } from "@faker-js/faker";
import { copyRows, DEMO_USERS, Progress, seedExtensions } from "./seed.ts";

const DAY = 86_400_000;
const SPAN_DAYS = 120;

type Persona = "regular" | "casual" | "lapsed";

interface Plan {
  persona: Persona;
  /** Chance an active day is followed by another. */
  stay: number;
  /** Chance an inactive day is followed by an active one. */
  start: number;
  /** Last day index (0 = the first day of the span) the user is active. */
  until: number;
  nutrition: number;
  checkIn: number;
  weigh: boolean;
  weight: number;
  trend: number;
}

/** A user's habits, sized so that they record about `target` activities over the span. */
function plan(target: number, index: number): Plan {
  const demo = index < 2; // ana and ben: regulars
  const persona: Persona = demo
    ? "regular"
    : faker.helpers.weightedArrayElement([
        { weight: 30, value: "regular" as const },
        { weight: 50, value: "casual" as const },
        { weight: 20, value: "lapsed" as const },
      ]);
  const until = persona === "lapsed" ? Math.floor(SPAN_DAYS * (0.3 + faker.number.float() * 0.5)) : SPAN_DAYS - 1;
  const nutrition = persona === "regular" ? 0.6 : 0.2;
  const checkIn = persona === "casual" ? 0.5 : 0.3;
  const weigh = faker.number.float() < 0.5;
  // activities per active day: a workout, maybe a meal log and a check-in, a weekly weigh-in
  const perDay = 1 + nutrition + checkIn + (weigh ? 1 / 7 : 0);
  const activeDays = Math.min(until + 1, Math.max(1, target / perDay));
  const fraction = Math.min(0.97, activeDays / (until + 1));
  const stay = persona === "regular" ? Math.max(0.85, fraction) : persona === "casual" ? 0.5 : 0.7;
  const start = Math.min(1, (fraction * (1 - stay)) / Math.max(0.03, 1 - fraction));
  return {
    persona,
    stay,
    start,
    until,
    nutrition,
    checkIn,
    weigh,
    weight: 60 + faker.number.float() * 50,
    trend: -0.05 + faker.number.float() * 0.07,
  };
}

type Row = [string, string, Date, number | null, string | null];

seedExtensions.push(async (tx, users, options) => {
  if (options.feedOnly) return {};
  const show = options.progress === true;
  const perUser = options.activitiesPerUser ?? 30;
  const now = Date.now();
  const today = new Date(new Date(now).toISOString().slice(0, 10)).getTime();
  const first = today - (SPAN_DAYS - 1) * DAY;

  // coaching trainees record part of their workouts in their coaching group
  const coaching = await tx<{ user_id: string; group_id: string }[]>`
    select m.user_id, m.group_id from social.group_members m
    join social.groups g on g.id = m.group_id
    where g.kind = 'coaching' and m.status = 'active' and m.role <> 'owner'`;
  const coachGroup = new Map(coaching.map((c) => [c.user_id, c.group_id]));

  await tx`create temp table seed_activities (
    user_id uuid, kind text, occurred_at timestamptz, value numeric, group_id uuid) on commit drop`;
  const counts: Record<string, number> = {};
  await copyRows(
    tx,
    "seed_activities",
    ["user_id", "kind", "occurred_at", "value", "group_id"],
    (function* (): Generator<Row> {
      for (const [i, u] of users.entries()) {
        const p = plan(Math.max(1, Math.round(perUser * (0.3 + faker.number.float() * 1.4))), i);
        const demoStreak = i < 2 && DEMO_USERS[i] !== undefined;
        let active = faker.number.float() < 0.5;
        let weight = p.weight;
        for (let d = 0; d <= p.until; d++) {
          active = demoStreak && d >= SPAN_DAYS - 12 ? true : faker.number.float() < (active ? p.stay : p.start);
          if (d % 7 === 0) weight += p.trend * 7 + (faker.number.float() - 0.5) * 0.6;
          if (!active) continue;
          const day = first + d * DAY;
          // never later than now (today's activities happen before the seed runs)
          const at = (hour: number) =>
            new Date(Math.min(now, day + hour * 3_600_000 + Math.floor(faker.number.float() * 3_000_000)));
          const group = coachGroup.get(u.id);
          yield [
            u.id,
            "workout_completed",
            at(7 + Math.floor(faker.number.float() * 12)),
            null,
            group && faker.number.float() < 0.3 ? group : null,
          ];
          if (faker.number.float() < p.nutrition) yield [u.id, "nutrition_logged", at(20), null, null];
          if (faker.number.float() < p.checkIn) yield [u.id, "check_in", at(6), null, null];
          if (p.weigh && d % 7 === 3) yield [u.id, "weight_logged", at(6), Math.round(weight * 10) / 10, null];
        }
      }
    })(),
    new Progress("activities", users.length * perUser, show),
  );

  // the activities: local days in each user's time zone; keys as record_activity users would send
  const [{ n: loaded }] = await tx<{ n: number }[]>`
    with ins as (
      insert into social.activities (user_id, kind, occurred_at, local_day, value, group_id, idempotency_key, created_at)
      select s.user_id, s.kind, s.occurred_at, (s.occurred_at at time zone coalesce(d.timezone, 'UTC'))::date,
             s.value, s.group_id, 'seed-' || row_number() over (), s.occurred_at
      from seed_activities s
      left join social.profile_details d on d.profile_id = s.user_id
      returning 1
    )
    select count(*)::int as n from ins`;
  // what the triggers record for posts and memberships
  const [{ n: system }] = await tx<{ n: number }[]>`
    with ins as (
      insert into social.activities (user_id, kind, occurred_at, local_day, group_id, idempotency_key, created_at)
      select p.author_id, 'post_created', p.created_at, (p.created_at at time zone coalesce(d.timezone, 'UTC'))::date,
             p.group_id, 'post:' || p.id, p.created_at
      from social.posts p left join social.profile_details d on d.profile_id = p.author_id
      where p.kind not in ('activity', 'milestone')
      union all
      select m.user_id, 'group_joined', coalesce(m.joined_at, m.created_at),
             (coalesce(m.joined_at, m.created_at) at time zone coalesce(d.timezone, 'UTC'))::date,
             m.group_id, 'group:' || m.group_id, coalesce(m.joined_at, m.created_at)
      from social.group_members m left join social.profile_details d on d.profile_id = m.user_id
      where m.status = 'active'
      returning 1
    )
    select count(*)::int as n from ins`;
  counts.activities = loaded + system;

  await recomputeGamification(tx);

  // leaderboards: most users opt in (the demo users do); coaching groups rank workouts, a third of
  // the clubs rank points
  const optIn = users.filter((_u, i) => i < DEMO_USERS.length || faker.number.float() < 0.8).map((u) => u.id);
  await tx`update social.profiles set leaderboard_opt_in = true where id = any (${optIn}::uuid[])`;
  await tx`
    insert into social.group_leaderboards (group_id, enabled, metric, activity_kind, timezone)
    select g.id, true,
           case when g.kind = 'coaching' then 'activities' else 'points' end::social.leaderboard_metric,
           case when g.kind = 'coaching' then 'workout_completed' end,
           'Europe/Lisbon'
    from social.groups g
    where g.kind = 'coaching' or (g.kind = 'club' and abs(hashtext(g.id::text)) % 3 = 0)`;
  const [{ n: snapshots }] = await tx<{ n: number }[]>`select social_private.snapshot_leaderboards() as n`;
  counts.leaderboard_snapshots = snapshots;
  return counts;
});

/**
 * Derive, set-wise and with the triggers' rules, everything the gamification triggers keep:
 * statistics, period counts and streaks per (user, kind), points within daily limits, badges (and
 * the badges each (user, kind) holds, and its watch), bonuses, balances.
 * For a database loaded with triggers off (the seed).
 */
async function recomputeGamification(tx: Parameters<(typeof seedExtensions)[number]>[0]): Promise<void> {
  await tx`delete from social.activity_stats`;
  await tx`
    insert into social.activity_stats (
      user_id, kind, activity_count, first_at, last_at, first_value, first_value_at, min_value, max_value,
      latest_value, latest_value_at)
    select a.user_id, a.kind, count(*)::int, min(a.occurred_at), max(a.occurred_at),
           (array_agg(a.value order by a.occurred_at) filter (where a.value is not null))[1],
           min(a.occurred_at) filter (where a.value is not null),
           min(a.value), max(a.value),
           (array_agg(a.value order by a.occurred_at desc) filter (where a.value is not null))[1],
           max(a.occurred_at) filter (where a.value is not null)
    from social.activities a
    group by a.user_id, a.kind`;
  // the counts of the day, week, month and year of each (user, kind)'s latest local day
  await tx`
    update social.activity_stats s
    set period_day = x.day, day_count = x.days, week_count = x.weeks, month_count = x.months, year_count = x.years
    from (
      select a.user_id, a.kind, l.day,
             count(*) filter (where a.local_day = l.day)::int as days,
             count(*) filter (where date_trunc('week', a.local_day::timestamp) = date_trunc('week', l.day::timestamp))::int as weeks,
             count(*) filter (where date_trunc('month', a.local_day::timestamp) = date_trunc('month', l.day::timestamp))::int as months,
             count(*) filter (where date_trunc('year', a.local_day::timestamp) = date_trunc('year', l.day::timestamp))::int as years
      from social.activities a
      join (select user_id, kind, max(local_day) as day from social.activities group by user_id, kind) l
        on l.user_id = a.user_id and l.kind = a.kind
      group by a.user_id, a.kind, l.day
    ) x
    where s.user_id = x.user_id and s.kind = x.kind`;
  // streaks: islands of consecutive local days per (user, kind); freezes as the rule earns them
  await tx`
    with days as (
      select distinct a.user_id, a.kind, a.local_day
      from social.activities a
      join social.activity_kinds k on k.code = a.kind and k.tracks_streak
    ),
    islands as (
      select d.user_id, d.kind, d.local_day,
             d.local_day - (row_number() over (partition by d.user_id, d.kind order by d.local_day))::int as island
      from days d
    ),
    runs as (
      select i.user_id, i.kind, i.island, count(*)::int as length, max(i.local_day) as last_day
      from islands i group by i.user_id, i.kind, i.island
    ),
    per_kind as (
      select r.user_id, r.kind, max(r.length) as longest, max(r.last_day) as last_day,
             (array_agg(r.length order by r.last_day desc))[1] as current
      from runs r group by r.user_id, r.kind
    )
    update social.activity_stats s
    set current_streak = p.current, longest_streak = p.longest, last_day = p.last_day,
        streak_freezes = least(k.max_freezes, case when k.freeze_every_days is null then 0
                                                   else p.current / k.freeze_every_days end)
    from per_kind p
    join social.activity_kinds k on k.code = p.kind
    where s.user_id = p.user_id and s.kind = p.kind`;
  // points: each activity of a kind with a rule, within the day's limit
  await tx`
    insert into social.point_ledger (user_id, delta, reason, activity_id, occurred_at, created_at)
    select x.user_id, x.points, 'activity', x.id, x.occurred_at, x.occurred_at
    from (
      select a.user_id, a.id, a.occurred_at, r.points, r.daily_limit,
             row_number() over (partition by a.user_id, a.kind, a.local_day order by a.occurred_at, a.id) as nth
      from social.activities a
      join social.point_rules r on r.activity_kind = a.kind
    ) x
    where x.daily_limit is null or x.nth <= x.daily_limit
    order by x.occurred_at`;
  // badges, as backfill awards them (all_of last), with their bonuses
  await tx`
    select social_private.backfill_badge(b.id)
    from social.badges b where b.active
    order by b.criterion = 'all_of', b.code`;
  await tx`
    insert into social.point_ledger (user_id, delta, reason, badge_id, occurred_at, created_at)
    select ub.user_id, b.points, 'badge', b.id, ub.earned_at, ub.earned_at
    from social.user_badges ub join social.badges b on b.id = ub.badge_id
    where b.points > 0`;
  // the badges each (user, kind) holds, as the award trigger notes them
  await tx`
    update social.activity_stats s
    set badge_ids = x.ids
    from (
      select ub.user_id, b.activity_kind as kind, array_agg(ub.badge_id order by ub.badge_id) as ids
      from social.user_badges ub join social.badges b on b.id = ub.badge_id
      where b.activity_kind is not null
      group by ub.user_id, b.activity_kind
    ) x
    where s.user_id = x.user_id and s.kind = x.kind`;
  // and the lowest threshold per measure among the badges each (user, kind) does not hold
  await tx`
    update social.activity_stats s
    set badge_watch = social_private.badge_watch(s.kind, s.badge_ids),
        badge_watch_version = coalesce((select v.version from social_private.kind_badge_versions v where v.kind = s.kind), 0)`;
  await tx`delete from social.point_balances`;
  await tx`
    insert into social.point_balances (user_id, balance, earned, spent)
    select l.user_id, sum(l.delta)::int,
           coalesce(sum(l.delta) filter (where l.delta > 0 and l.reason <> 'refund'), 0)::int,
           coalesce(-sum(l.delta) filter (where l.reason in ('redemption', 'refund')), 0)::int
    from social.point_ledger l group by l.user_id`;
}
