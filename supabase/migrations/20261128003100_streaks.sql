-- Streaks: per user and activity kind, how many activities (in all, and on the day, in the week,
-- month and year of the latest one), the first, lowest, highest and latest value, and (for kinds
-- with tracks_streak) the daily streak: current, longest, last day, freezes. Kept by the activity
-- trigger (social_private.handle_activity_recorded in 20261128003300_badges.sql: one read and one
-- update of the row per activity); read by badges, points (daily limits), leaderboards and the SDK.
-- SDK: social.gamification.streaks; tests: tests/db/gamification-streaks.test.ts.
--
-- The streak rules (days are local days in the user's time zone, activities.local_day):
--   * a day counts when the user recorded at least one activity of the kind on it;
--   * current_streak counts the active days of the run that ends on last_day; a run is a sequence
--     of days without a gap, where a day bridged by a streak freeze is no gap (but adds nothing);
--   * missing a day spends a freeze, if the user holds one; a gap longer than the freezes held
--     breaks the streak (no freeze is spent on it) and the next active day starts again at 1;
--   * on read the streak is alive while last_day is today or yesterday, or the freezes held cover
--     the days missed since: the read does not depend on anything running at midnight
--     (social_private.streak_current). A freeze that the read counts as spent is written when the
--     next activity arrives;
--   * a back-dated activity counts on its day: it can fill a gap (a freeze spent on that day is
--     given back), join two runs, lengthen the current one or an old one (longest_streak);
--   * freezes are earned each time the streak reaches a multiple of the kind's freeze_every_days
--     (at most max_freezes held), and bought with points (rewards, 20261128003200_points.sql).
-- The reminder job (social_private.send_streak_reminders, run hourly by pg_cron where it exists)
-- notifies users, after 20:00 in their time zone, whose streak ends tonight: alive, nothing
-- recorded today and no freeze left to save it; once per user, kind and day, unless they turned
-- streak_reminder notifications off.

alter type social.notification_kind add value if not exists 'streak_reminder';

-- =====================================================================================
-- statistics per user and kind
-- =====================================================================================

create table social.activity_stats (
  user_id uuid not null references social.profiles (id) on delete cascade,
  kind text not null,
  activity_count integer not null default 0,
  first_at timestamptz,
  last_at timestamptz,
  first_value numeric,
  first_value_at timestamptz,
  min_value numeric,
  max_value numeric,
  latest_value numeric,
  latest_value_at timestamptz,
  current_streak integer not null default 0,
  longest_streak integer not null default 0,
  last_day date,
  streak_freezes integer not null default 0,
  freezes_used integer not null default 0,
  last_freezes_spent integer not null default 0,
  period_day date,
  day_count integer not null default 0,
  week_count integer not null default 0,
  month_count integer not null default 0,
  year_count integer not null default 0,
  reminded_on date,
  updated_at timestamptz not null default now(),
  primary key (user_id, kind),
  -- the counts, streaks and freezes at least zero, the longest streak at least the current one, in
  -- one expression: Postgres prepares a table's checks again for every write statement, and a
  -- single least() costs a fraction of six comparisons joined by and
  constraint activity_stats_counts check (
    least(activity_count, current_streak, longest_streak - current_streak, streak_freezes, freezes_used,
          last_freezes_spent) >= 0
  )
)
-- rewritten on every activity: room on each page keeps the update on the page (no index entry)
with (fillfactor = 80);
comment on table social.activity_stats is
  'Per user and activity kind: counts, values and the daily streak, kept by a trigger on '
  'social.activities. The owner reads it; current_streak is as of last_day: read the live value '
  'with social.my_streaks (it accounts for days missed since).';
comment on column social.activity_stats.user_id is 'The user.';
comment on column social.activity_stats.kind is 'The activity kind (social.activity_kinds.code).';
comment on column social.activity_stats.activity_count is 'Activities of this kind.';
comment on column social.activity_stats.first_at is 'When the earliest activity happened.';
comment on column social.activity_stats.last_at is 'When the latest activity happened.';
comment on column social.activity_stats.first_value is 'The value of the earliest activity that had one.';
comment on column social.activity_stats.first_value_at is 'When that earliest value was recorded (occurred_at).';
comment on column social.activity_stats.min_value is 'The lowest value recorded.';
comment on column social.activity_stats.max_value is 'The highest value recorded.';
comment on column social.activity_stats.latest_value is 'The value of the latest activity that had one.';
comment on column social.activity_stats.latest_value_at is 'When that latest value was recorded (occurred_at).';
comment on column social.activity_stats.current_streak is
  'Active days in the run that ends on last_day (as of last_day; see the table comment).';
comment on column social.activity_stats.longest_streak is 'The longest run ever, in active days.';
comment on column social.activity_stats.last_day is 'The latest local day of the streak (active or frozen).';
comment on column social.activity_stats.streak_freezes is 'Unspent streak freezes for this kind.';
comment on column social.activity_stats.freezes_used is 'Streak freezes spent so far.';
comment on column social.activity_stats.last_freezes_spent is
  'Freezes spent on the gap just before last_day (0: none), so an app can say "a freeze saved your streak".';
comment on column social.activity_stats.period_day is
  'The latest local day with an activity of this kind: the day, week, month and year the next four counts are of.';
comment on column social.activity_stats.day_count is 'Activities on period_day (points'' daily limits, day badges).';
comment on column social.activity_stats.week_count is 'Activities in the week (from Monday) of period_day.';
comment on column social.activity_stats.month_count is 'Activities in the month of period_day.';
comment on column social.activity_stats.year_count is 'Activities in the year of period_day.';
comment on column social.activity_stats.reminded_on is 'The local day the last streak reminder went out.';
comment on column social.activity_stats.updated_at is 'When the row last changed.';
alter table social.activity_stats enable row level security;
grant select on social.activity_stats to authenticated;
grant all on social.activity_stats to service_role;

-- each user reads their own statistics
create policy activity_stats_select_self on social.activity_stats
  for select to authenticated
  using (user_id = (select auth.uid()));

create table social.streak_frozen_days (
  user_id uuid not null references social.profiles (id) on delete cascade,
  kind text not null,
  day date not null,
  created_at timestamptz not null default now(),
  primary key (user_id, kind, day)
);
comment on table social.streak_frozen_days is
  'Days a streak freeze bridged: the streak went on over them without an activity. Written when '
  'the next activity spends the freezes; a back-dated activity on such a day gives its freeze back.';
comment on column social.streak_frozen_days.user_id is 'The user.';
comment on column social.streak_frozen_days.kind is 'The activity kind of the streak.';
comment on column social.streak_frozen_days.day is 'The local day the freeze covered.';
comment on column social.streak_frozen_days.created_at is 'When the freeze was spent.';
alter table social.streak_frozen_days enable row level security;
grant select on social.streak_frozen_days to authenticated;
grant all on social.streak_frozen_days to service_role;

-- each user reads their own frozen days
create policy streak_frozen_days_select_self on social.streak_frozen_days
  for select to authenticated
  using (user_id = (select auth.uid()));

-- =====================================================================================
-- keeping the statistics
-- =====================================================================================

-- Recompute the run (current_streak) and longest_streak of p_user_id's p_kind after a back-dated
-- activity on p_day: a freeze spent on p_day is given back; the run containing p_day may now
-- reach the current run or be the longest. Reads the user's days of that kind (a few hundred at
-- most), only on this rare path.
create function social_private.rebuild_streak(p_user_id uuid, p_kind text, p_day date)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_refund integer;
  v_last date;
  v_current integer;
  v_run integer;
begin
  with refunded as (
    delete from social.streak_frozen_days f
    where f.user_id = p_user_id and f.kind = p_kind and f.day = p_day
    returning 1
  )
  select count(*)::integer into v_refund from refunded;

  select s.last_day into v_last from social.activity_stats s
  where s.user_id = p_user_id and s.kind = p_kind;

  with days as (
    select a.local_day as day, false as frozen
    from social.activities a
    where a.user_id = p_user_id and a.kind = p_kind and a.local_day <= v_last
    union all
    select f.day, true
    from social.streak_frozen_days f
    where f.user_id = p_user_id and f.kind = p_kind and f.day <= v_last
  ),
  covered as (
    select d.day, bool_and(d.frozen) as frozen from days d group by d.day
  ),
  islands as (
    select c.day, c.frozen, c.day - (row_number() over (order by c.day))::integer as island
    from covered c
  )
  select
    count(*) filter (where not i.frozen and i.island = (select x.island from islands x where x.day = v_last))::integer,
    count(*) filter (where not i.frozen and i.island = (select x.island from islands x where x.day = p_day))::integer
    into v_current, v_run
  from islands i;

  update social.activity_stats s
  set current_streak = coalesce(v_current, s.current_streak),
      longest_streak = greatest(s.longest_streak, coalesce(v_current, 0), coalesce(v_run, 0)),
      streak_freezes = s.streak_freezes + v_refund,
      freezes_used = greatest(s.freezes_used - v_refund, 0),
      updated_at = now()
  where s.user_id = p_user_id and s.kind = p_kind;
end;
$$;
comment on function social_private.rebuild_streak(uuid, text, date) is
  'After a back-dated activity on p_day: give back a freeze spent on that day and recompute the '
  'current run and the longest streak of p_user_id''s p_kind.';

-- Recompute the statistics of p_user_id's p_kind from the activities (after activities were
-- deleted, or after a bulk load): counts, values, the runs and the longest streak; frozen days
-- outside the active days are dropped. Freezes held are kept.
create function social_private.recompute_activity_stats(p_user_id uuid, p_kind text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_tracks boolean;
  v_first date;
  v_last date;
  v_current integer := 0;
  v_longest integer := 0;
begin
  if not exists (select 1 from social.profiles p where p.id = p_user_id) then
    return; -- the user is being deleted
  end if;
  select k.tracks_streak into v_tracks from social.activity_kinds k where k.code = p_kind;
  if not exists (select 1 from social.activities a where a.user_id = p_user_id and a.kind = p_kind) then
    delete from social.streak_frozen_days f where f.user_id = p_user_id and f.kind = p_kind;
    update social.activity_stats s
    set activity_count = 0, first_at = null, last_at = null, first_value = null, first_value_at = null,
        min_value = null, max_value = null, latest_value = null, latest_value_at = null,
        current_streak = 0, longest_streak = 0, last_day = null, last_freezes_spent = 0, period_day = null,
        day_count = 0, week_count = 0, month_count = 0, year_count = 0, updated_at = now()
    where s.user_id = p_user_id and s.kind = p_kind;
    return;
  end if;
  if coalesce(v_tracks, false) then
    select min(a.local_day), max(a.local_day) into v_first, v_last
    from social.activities a where a.user_id = p_user_id and a.kind = p_kind;
    delete from social.streak_frozen_days f
    where f.user_id = p_user_id and f.kind = p_kind and (f.day < v_first or f.day > v_last);
    with days as (
      select a.local_day as day, false as frozen
      from social.activities a where a.user_id = p_user_id and a.kind = p_kind
      union all
      select f.day, true from social.streak_frozen_days f where f.user_id = p_user_id and f.kind = p_kind
    ),
    covered as (select d.day, bool_and(d.frozen) as frozen from days d group by d.day),
    islands as (
      select c.day, c.frozen, c.day - (row_number() over (order by c.day))::integer as island from covered c
    ),
    runs as (
      select i.island, count(*) filter (where not i.frozen)::integer as active, max(i.day) as last
      from islands i group by i.island
    )
    select coalesce((select r.active from runs r where r.last = v_last), 0), coalesce(max(r.active), 0)
      into v_current, v_longest
    from runs r;
  end if;
  insert into social.activity_stats as s (user_id, kind)
  values (p_user_id, p_kind)
  on conflict (user_id, kind) do nothing;
  update social.activity_stats s
  set (activity_count, first_at, last_at, min_value, max_value) = (
        select count(*)::integer, min(a.occurred_at), max(a.occurred_at), min(a.value), max(a.value)
        from social.activities a where a.user_id = p_user_id and a.kind = p_kind
      ),
      (period_day, day_count, week_count, month_count, year_count) = (
        select p.day,
               count(*) filter (where a.local_day = p.day)::integer,
               count(*) filter (where date_trunc('week', a.local_day::timestamp) = date_trunc('week', p.day::timestamp))::integer,
               count(*) filter (where date_trunc('month', a.local_day::timestamp) = date_trunc('month', p.day::timestamp))::integer,
               count(*) filter (where date_trunc('year', a.local_day::timestamp) = date_trunc('year', p.day::timestamp))::integer
        from (select max(a.local_day) as day from social.activities a where a.user_id = p_user_id and a.kind = p_kind) p
        join social.activities a
          on a.user_id = p_user_id and a.kind = p_kind
         and a.local_day >= least(date_trunc('year', p.day::timestamp), date_trunc('week', p.day::timestamp))::date
        group by p.day
      ),
      (first_value, first_value_at) = (
        select a.value, a.occurred_at from social.activities a
        where a.user_id = p_user_id and a.kind = p_kind and a.value is not null
        order by a.occurred_at, a.created_at limit 1
      ),
      (latest_value, latest_value_at) = (
        select a.value, a.occurred_at from social.activities a
        where a.user_id = p_user_id and a.kind = p_kind and a.value is not null
        order by a.occurred_at desc, a.created_at desc limit 1
      ),
      current_streak = v_current,
      longest_streak = greatest(v_longest, v_current),
      last_day = v_last,
      last_freezes_spent = 0,
      updated_at = now()
  where s.user_id = p_user_id and s.kind = p_kind;
end;
$$;
comment on function social_private.recompute_activity_stats(uuid, text) is
  'Recompute p_user_id''s statistics and streak of p_kind from the activities (after deletes).';

-- After activities are deleted (service role only), recompute each affected (user, kind).
create function social_private.handle_activities_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_pair record;
begin
  for v_pair in select distinct o.user_id, o.kind from old_rows o loop
    perform social_private.recompute_activity_stats(v_pair.user_id, v_pair.kind);
  end loop;
  return null;
end;
$$;
comment on function social_private.handle_activities_deleted() is
  'Trigger: recompute the statistics of every (user, kind) that lost activities.';
create trigger on_activities_deleted after delete on social.activities
  referencing old table as old_rows
  for each statement execute function social_private.handle_activities_deleted();

-- =====================================================================================
-- reading streaks
-- =====================================================================================

-- The streak as it stands on p_today, from the stored row: alive while last_day is today or
-- yesterday, or the freezes held cover the days missed since; else 0. Plain arithmetic, so
-- nothing needs to run at midnight.
create function social_private.streak_current(
  p_current integer,
  p_last_day date,
  p_freezes integer,
  p_today date
)
returns integer
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_last_day is null or p_current is null then
    return 0;
  end if;
  if p_today - p_last_day - 1 <= coalesce(p_freezes, 0) then
    return p_current;
  end if;
  return 0;
end;
$$;
comment on function social_private.streak_current(integer, date, integer, date) is
  'The current streak on p_today given the stored run, its last day and the freezes held.';
grant execute on function social_private.streak_current(integer, date, integer, date)
  to authenticated, service_role;

-- The local day now in p_user_id's time zone (UTC when unset).
create function social_private.user_today(p_user_id uuid, p_now timestamptz default now())
returns date
language sql
stable
security definer
set search_path = ''
as $$
  select (p_now at time zone coalesce(
    (select d.timezone from social.profile_details d where d.profile_id = p_user_id), 'UTC'))::date;
$$;
comment on function social_private.user_today(uuid, timestamptz) is
  'Today (at p_now) in p_user_id''s time zone; UTC when the user has none.';
grant execute on function social_private.user_today(uuid, timestamptz) to authenticated, service_role;

-- The caller's streaks as they stand now, one row per kind that tracks streaks and that the
-- caller has recorded: current (live), longest, last day, whether today is done, whether it ends
-- tonight (alive, today not done, no freeze left to save it), freezes held (after those the
-- missed days will take) and the freezes pending for days already missed.
create function social.my_streaks()
returns table (
  kind text,
  current_streak integer,
  longest_streak integer,
  last_day date,
  today date,
  done_today boolean,
  ends_tonight boolean,
  freezes integer,
  freezes_pending integer,
  last_freezes_spent integer
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_today date := social_private.user_today(v_me);
begin
  return query
    select s.kind,
           social_private.streak_current(s.current_streak, s.last_day, s.streak_freezes, v_today),
           s.longest_streak,
           s.last_day,
           v_today,
           s.last_day >= v_today,
           s.last_day < v_today
             and social_private.streak_current(s.current_streak, s.last_day, s.streak_freezes, v_today) > 0
             and v_today - s.last_day - 1 = s.streak_freezes,
           case when social_private.streak_current(s.current_streak, s.last_day, s.streak_freezes, v_today) > 0
                then s.streak_freezes - greatest(v_today - s.last_day - 1, 0)
                else s.streak_freezes end,
           case when social_private.streak_current(s.current_streak, s.last_day, s.streak_freezes, v_today) > 0
                then greatest(v_today - s.last_day - 1, 0) else 0 end,
           s.last_freezes_spent
    from social.activity_stats s
    join social.activity_kinds k on k.code = s.kind and k.tracks_streak
    where s.user_id = v_me and (s.last_day is not null or s.streak_freezes > 0)
    order by s.kind;
end;
$$;
comment on function social.my_streaks() is
  'My streaks as they stand now (in my time zone): current, longest, last day, done today, ends '
  'tonight, freezes held and pending.';
grant execute on function social.my_streaks() to authenticated, service_role;

-- =====================================================================================
-- the reminder job
-- =====================================================================================

-- Notify every user whose streak ends tonight: after p_after local time, nothing recorded today,
-- alive, and no freeze left to cover today. Once per user, kind and local day (reminded_on); users
-- who turned streak_reminder off are skipped by social_private.notify. Returns how many users were
-- notified. A plain function: pg_cron runs it hourly where it exists (below); call it directly
-- anywhere else. p_now lets tests and catch-up runs choose the moment.
create function social_private.send_streak_reminders(
  p_now timestamptz default now(),
  p_after time default '20:00'
)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user record;
  v_sent integer := 0;
begin
  for v_user in
    with due as (
      select s.user_id, s.kind, s.current_streak, t.today
      from social.activity_stats s
      join social.activity_kinds k on k.code = s.kind and k.tracks_streak
      left join social.profile_details d on d.profile_id = s.user_id
      cross join lateral (
        select (p_now at time zone coalesce(d.timezone, 'UTC')) as local_now,
               (p_now at time zone coalesce(d.timezone, 'UTC'))::date as today
      ) t
      where s.current_streak > 0
        and s.last_day = t.today - 1 - s.streak_freezes
        and t.local_now::time >= p_after
        and (s.reminded_on is null or s.reminded_on < t.today)
    ),
    marked as (
      update social.activity_stats s set reminded_on = due.today
      from due
      where s.user_id = due.user_id and s.kind = due.kind
      returning s.user_id, s.kind, s.current_streak
    )
    select m.user_id,
           jsonb_agg(jsonb_build_object('kind', m.kind, 'current_streak', m.current_streak) order by m.kind) as streaks
    from marked m
    group by m.user_id
  loop
    v_sent := v_sent + social_private.notify(array[v_user.user_id], 'streak_reminder', null, v_user.user_id,
      p_data => jsonb_build_object('streaks', v_user.streaks));
  end loop;
  return v_sent;
end;
$$;
comment on function social_private.send_streak_reminders(timestamptz, time) is
  'Job: notify users whose streak ends tonight (after p_after local time), once per day. '
  'pg_cron runs it hourly where installed; call it directly elsewhere.';
grant execute on function social_private.send_streak_reminders(timestamptz, time) to service_role;

-- Scheduled hourly where pg_cron is installed (social_private.schedule_job).
select social_private.schedule_job('supasocial-streak-reminders', '5 * * * *', 'select social_private.send_streak_reminders()');

revoke execute on all functions in schema social, social_private from public;
