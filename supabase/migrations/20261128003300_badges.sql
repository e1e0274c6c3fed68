-- Badges: definitions are rows (social.badges) with a declarative criterion, so admins add badges
-- in Studio without code; awards (social.user_badges) are made by triggers, idempotently.
--
-- Criteria (columns of social.badges; check constraints say which go together):
--   count    activities of activity_kind reaching threshold; optionally within one calendar
--            period (period: day, week, month, year, in the user's time zone), within one group
--            (per_group) or within a given group (group_id)
--   streak   a streak of activity_kind reaching threshold days (social.activity_stats)
--   metric   a value of activity_kind moving by threshold from the first recorded value
--            (direction decrease, e.g. weight lost; increase) or reaching it (reach)
--   first    the first activity of activity_kind
--   all_of   every badge in required_badges (codes) earned
-- Evaluation: after an activity is inserted, only the active definitions that listen to its kind
-- (badges.activity_kind, indexed) and that the user does not hold (activity_stats.badge_ids) are
-- checked, against the user's statistics row for that kind (counts in all and in the day, week,
-- month and year of the latest activity, streaks, values) and, for group counts or an activity
-- dated in an earlier period, an index range of the user's activities; the cost depends on the
-- badges of that kind, not on how many badges exist. The statistics row also keeps, per measure,
-- the lowest threshold among those badges (activity_stats.badge_watch): while no value reaches it
-- there is nothing to check and the definitions are not read at all; any change to a kind's
-- definitions invalidates it (social_private.kind_badge_versions). all_of badges are checked when
-- one of their badges is earned. Awarding is `on conflict do nothing` on (user_id, badge_id).
-- A definition added later is awarded to those who already qualify by social.backfill_badge
-- (service role, or `select social_private.backfill_badge(id)` in Studio); until then, anyone who
-- qualifies gets it with their next activity of that kind.
--
-- When a badge is earned (also by backfill with p_notify, or a row an admin inserts): its bonus
-- points (badges.points), an in-app notification (kind badge_earned), a Realtime Broadcast
-- `badge_earned` on the private topic user:<id> (the SDK's onBadgeEarned toast), and, when the
-- user's settings say gamification.milestone_posts = true, a milestone post on their profile (or
-- in the group of the activity that earned it). Likewise an activity of a kind with auto_post
-- becomes an "activity" post when gamification.activity_posts = true. Those posts are skipped, not
-- failed, when the user is over the post rate limit.
--
-- Who sees awards: the owner, and whoever may see the owner's profile details (public profiles:
-- everyone; followers-only and private ones: approved followers), never across a block.
-- The backfill, the reads and the default catalog: 20261128003350_badge_catalog.sql.
-- SDK: social.gamification (badges, progress, badgeSummary, onBadgeEarned); tests:
-- tests/db/gamification-badges.test.ts.

alter type social.notification_kind add value if not exists 'badge_earned';

-- =====================================================================================
-- types
-- =====================================================================================

create type social.badge_tier as enum ('bronze', 'silver', 'gold', 'platinum');
comment on type social.badge_tier is 'How hard a badge is to earn, for display.';

create type social.badge_criterion as enum ('count', 'streak', 'metric', 'first', 'all_of');
comment on type social.badge_criterion is
  'count: activities of a kind reaching threshold (optionally per period or group); streak: a '
  'streak of a kind reaching threshold days; metric: a value moving by threshold from the first '
  'one (or reaching it); first: the first activity of a kind; all_of: every badge in required_badges.';

create type social.badge_period as enum ('day', 'week', 'month', 'year');
comment on type social.badge_period is
  'A calendar period in the user''s time zone (weeks start on Monday) within which a count badge counts.';

create type social.metric_direction as enum ('decrease', 'increase', 'reach');
comment on type social.metric_direction is
  'decrease: the first value minus the lowest reaches threshold (weight lost); increase: the highest '
  'minus the first reaches threshold; reach: a value reaches threshold.';

-- =====================================================================================
-- definitions
-- =====================================================================================

create table social.badges (
  id uuid primary key default gen_random_uuid(),
  code text not null,
  name text not null,
  description text,
  icon text,
  tier social.badge_tier not null default 'bronze',
  criterion social.badge_criterion not null,
  activity_kind text references social.activity_kinds (code) on update cascade,
  threshold numeric,
  period social.badge_period,
  per_group boolean not null default false,
  group_id uuid references social.groups (id) on delete cascade,
  direction social.metric_direction,
  required_badges text[],
  points integer not null default 0,
  milestone_post boolean not null default true,
  active boolean not null default true,
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint badges_code_key unique (code),
  constraint badges_code_format check (code ~ '^[a-z][a-z0-9_]{1,59}$'),
  constraint badges_name_length check (char_length(name) between 1 and 80),
  constraint badges_description_length check (char_length(description) <= 500),
  constraint badges_icon_length check (char_length(icon) <= 1024),
  constraint badges_points check (points between 0 and 100000),
  constraint badges_kind_needed check ((criterion = 'all_of') = (activity_kind is null)),
  constraint badges_threshold_needed check (
    coalesce(case criterion
      when 'count' then threshold >= 1 and threshold = trunc(threshold)
      when 'streak' then threshold >= 1 and threshold = trunc(threshold)
      when 'metric' then threshold > 0 or (direction = 'reach' and threshold is not null)
      else threshold is null
    end, false)
  ),
  constraint badges_scope_for_counts check (
    criterion = 'count' or (period is null and not per_group and group_id is null)
  ),
  constraint badges_one_group_scope check (not (per_group and group_id is not null)),
  constraint badges_direction_for_metrics check ((criterion = 'metric') = (direction is not null)),
  constraint badges_required_for_all_of check (
    (criterion = 'all_of') = (required_badges is not null)
    and (required_badges is null or cardinality(required_badges) between 1 and 20)
  )
);
comment on table social.badges is
  'Badge definitions: add a row (Studio) to add a badge; set active = false to retire one. The '
  'criterion columns are declarative (see the migration header); run social.backfill_badge(code) '
  'to award a new badge to users who already qualify.';
comment on column social.badges.id is 'The badge.';
comment on column social.badges.code is 'Stable identifier, e.g. workouts_10; all_of badges list codes.';
comment on column social.badges.name is 'Display name, e.g. "10 workouts".';
comment on column social.badges.description is 'How to earn it, for display.';
comment on column social.badges.icon is 'An icon name or a storage path.';
comment on column social.badges.tier is 'bronze, silver, gold or platinum.';
comment on column social.badges.criterion is 'count, streak, metric, first or all_of.';
comment on column social.badges.activity_kind is 'The kind it listens to (every criterion but all_of).';
comment on column social.badges.threshold is
  'count: activities; streak: days; metric: the change (or, for reach, the value); null for first and all_of.';
comment on column social.badges.period is 'count only: count within one calendar period (day, week, month, year).';
comment on column social.badges.per_group is 'count only: count within one group (any group).';
comment on column social.badges.group_id is 'count only: count within this group (a group''s own badge).';
comment on column social.badges.direction is 'metric only: decrease, increase or reach.';
comment on column social.badges.required_badges is 'all_of only: the codes of the badges that earn it.';
comment on column social.badges.points is 'Bonus points when earned.';
comment on column social.badges.milestone_post is
  'true: earning it makes a milestone post when the user''s settings allow (gamification.milestone_posts).';
comment on column social.badges.active is 'false: no longer awarded (awards already made stay).';
comment on column social.badges.sort_order is 'Display order within lists (then tier and threshold).';
comment on column social.badges.created_at is 'When the badge was added.';
comment on column social.badges.updated_at is 'When the badge last changed.';
-- the definitions that listen to a kind (and the foreign key)
create index badges_activity_kind_idx on social.badges (activity_kind, active);
create index badges_group_idx on social.badges (group_id) where group_id is not null;
create index badges_required_idx on social.badges using gin (required_badges) where criterion = 'all_of';
alter table social.badges enable row level security;
grant select on social.badges to anon, authenticated;
grant all on social.badges to service_role;
create trigger on_badges_updated before update on social.badges
  for each row execute function social_private.handle_updated_at();

-- the catalog is public
create policy badges_select_anon on social.badges
  for select to anon
  using (true);
create policy badges_select_all on social.badges
  for select to authenticated
  using (true);

-- Which statistic of a (user, kind) a badge's threshold applies to: 1 the count, 2-5 the count of
-- the day, week, month, year, 6 the longest streak, 7-9 the value's decrease, increase, maximum
-- (reach), 10 a count within a group (counted from the activities); null for all_of.
create function social_private.badge_measure(
  p_criterion social.badge_criterion,
  p_period social.badge_period,
  p_direction social.metric_direction,
  p_per_group boolean,
  p_group_id uuid
)
returns smallint
language plpgsql
immutable
set search_path = ''
as $$
begin
  return case p_criterion
    when 'first' then 1
    when 'count' then
      case when p_per_group or p_group_id is not null then 10
           when p_period is null then 1
           else 1 + array_position('{day,week,month,year}'::text[], p_period::text) end
    when 'streak' then 6
    when 'metric' then 6 + array_position('{decrease,increase,reach}'::text[], p_direction::text)
  end;
end;
$$;
comment on function social_private.badge_measure(social.badge_criterion, social.badge_period, social.metric_direction, boolean, uuid) is
  'The statistic a badge''s threshold applies to (1 count, 2-5 period counts, 6 streak, 7-9 values, 10 group count).';

-- A version per activity kind of the badge definitions listening to it, moved on by every change
-- to them: a statistics row whose badge_watch was computed at another version checks the badges
-- again on its next activity.
create table social_private.kind_badge_versions (
  kind text primary key,
  version integer not null default 1
);
comment on table social_private.kind_badge_versions is
  'The version of each kind''s badge definitions (activity_stats.badge_watch is valid for one version).';
comment on column social_private.kind_badge_versions.kind is 'The activity kind.';
comment on column social_private.kind_badge_versions.version is 'Moved on by every change to a badge listening to the kind.';
revoke all on social_private.kind_badge_versions from public, anon, authenticated;
grant select on social_private.kind_badge_versions to service_role;

create function social_private.handle_badge_definition_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_kinds text[];
begin
  if tg_op = 'INSERT' then
    v_kinds := array[new.activity_kind];
  elsif tg_op = 'DELETE' then
    v_kinds := array[old.activity_kind];
  else
    v_kinds := array[old.activity_kind, new.activity_kind];
  end if;
  insert into social_private.kind_badge_versions as v (kind)
  select distinct k from unnest(v_kinds) as k where k is not null
  on conflict (kind) do update set version = v.version + 1;
  return null;
end;
$$;
comment on function social_private.handle_badge_definition_change() is
  'Trigger: move on the badge version of the kinds a changed badge listens (or listened) to.';
create trigger on_badges_definition_changed after insert or delete on social.badges
  for each row execute function social_private.handle_badge_definition_change();
create trigger on_badges_definition_updated after update on social.badges
  for each row
  when ((old.activity_kind, old.active, old.criterion, old.threshold, old.period, old.per_group, old.group_id,
         old.direction) is distinct from
        (new.activity_kind, new.active, new.criterion, new.threshold, new.period, new.per_group, new.group_id,
         new.direction))
  execute function social_private.handle_badge_definition_change();

-- What a check constraint cannot say: a streak badge needs a kind that tracks streaks, an all_of
-- badge lists existing badges other than itself.
create function social_private.handle_badge_write()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_missing text;
begin
  if new.criterion = 'streak'
     and not exists (select 1 from social.activity_kinds k where k.code = new.activity_kind and k.tracks_streak) then
    perform social_private.raise_error('invalid_input', 'invalid_badge',
      format('%s does not track streaks (activity_kinds.tracks_streak)', new.activity_kind));
  end if;
  if new.criterion = 'all_of' then
    select c into v_missing from unnest(new.required_badges) c
    where c = new.code or not exists (select 1 from social.badges b where b.code = c) limit 1;
    if v_missing is not null then
      perform social_private.raise_error('invalid_input', 'invalid_badge', format('all_of lists %s, which is not another badge', v_missing));
    end if;
  end if;
  return new;
end;
$$;
comment on function social_private.handle_badge_write() is
  'Trigger: refuse streak badges of kinds without streaks and all_of badges of unknown codes.';
create trigger on_badges_write before insert or update on social.badges
  for each row execute function social_private.handle_badge_write();

-- =====================================================================================
-- awards
-- =====================================================================================

create table social.user_badges (
  user_id uuid not null references social.profiles (id) on delete cascade,
  badge_id uuid not null references social.badges (id) on delete cascade,
  earned_at timestamptz not null default now(),
  activity_id uuid,
  group_id uuid references social.groups (id) on delete set null,
  primary key (user_id, badge_id)
);
comment on table social.user_badges is
  'Badges users earned, written by triggers (admins may insert one to grant it). Visible to the '
  'owner and to whoever may see the owner''s profile details.';
comment on column social.user_badges.user_id is 'Who earned it.';
comment on column social.user_badges.badge_id is 'The badge.';
comment on column social.user_badges.earned_at is 'When.';
comment on column social.user_badges.activity_id is 'The activity that earned it (null for backfills and grants).';
comment on column social.user_badges.group_id is 'The group of that activity, if any (where a milestone post goes).';
create index user_badges_user_recent_idx on social.user_badges (user_id, earned_at desc);
create index user_badges_badge_idx on social.user_badges (badge_id, earned_at desc);
create index user_badges_activity_idx on social.user_badges (activity_id) where activity_id is not null;
create index user_badges_group_idx on social.user_badges (group_id) where group_id is not null;
alter table social.user_badges enable row level security;
grant select on social.user_badges to anon, authenticated;
grant all on social.user_badges to service_role;

-- visitors see the badges of public profiles
create policy user_badges_select_anon on social.user_badges
  for select to anon
  using (social_private.can_view_profile_details(user_id));
-- signed-in users see their own badges and those of profiles whose details they may see
create policy user_badges_select_visible on social.user_badges
  for select to authenticated
  using (user_id = (select auth.uid()) or social_private.can_view_profile_details(user_id));

-- The badges of each kind a user holds, next to their statistics of that kind, so that an
-- activity skips them without reading the awards. Kept by the award triggers below; refreshed
-- from user_badges when an award turns out to exist already (a grant before the first activity
-- of the kind, a badge moved to another kind).
alter table social.activity_stats
  add column badge_ids uuid[] not null default '{}',
  add column badge_watch numeric[],
  add column badge_watch_version integer;
comment on column social.activity_stats.badge_ids is
  'The badges listening to this kind that the user holds (kept by the award triggers; the activity '
  'trigger checks only the others).';
comment on column social.activity_stats.badge_watch is
  'Per measure (social_private.badge_measure, 1-10), the lowest threshold of the active badges of '
  'this kind the user does not hold (10: 1 when one counts within a group); null: check them all.';
comment on column social.activity_stats.badge_watch_version is
  'The kind''s badge version badge_watch was computed at (social_private.kind_badge_versions).';

-- The watch of a (user, kind) holding p_held: per measure the lowest threshold among the active
-- badges of p_kind not held (see activity_stats.badge_watch).
create function social_private.badge_watch(p_kind text, p_held uuid[])
returns numeric[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_watch numeric[];
begin
  select array[min(b.threshold) filter (where b.measure = 1), min(b.threshold) filter (where b.measure = 2),
               min(b.threshold) filter (where b.measure = 3), min(b.threshold) filter (where b.measure = 4),
               min(b.threshold) filter (where b.measure = 5), min(b.threshold) filter (where b.measure = 6),
               min(b.threshold) filter (where b.measure = 7), min(b.threshold) filter (where b.measure = 8),
               min(b.threshold) filter (where b.measure = 9), min(1) filter (where b.measure = 10)]
    into v_watch
  from (
    select coalesce(b.threshold, 1) as threshold,
           social_private.badge_measure(b.criterion, b.period, b.direction, b.per_group, b.group_id) as measure
    from social.badges b
    where b.activity_kind = p_kind and b.active and b.id <> all (coalesce(p_held, '{}'))
  ) b;
  return v_watch;
end;
$$;
comment on function social_private.badge_watch(text, uuid[]) is
  'Per measure, the lowest threshold of p_kind''s active badges not in p_held.';

-- =====================================================================================
-- automatic posts
-- =====================================================================================

-- A milestone or activity post by p_user_id (security definer: the user did not write it): in
-- p_group_id when they are an active member, else on their profile with the visibility of
-- gamification.post_visibility (public, followers or private; followers by default). Returns the
-- post, or null when the user is over the post rate limit (the activity or award goes on).
create function social_private.create_gamification_post(
  p_user_id uuid,
  p_kind social.post_kind,
  p_body text,
  p_data jsonb,
  p_group_id uuid,
  p_ref_type text,
  p_ref_id uuid
)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_settings jsonb;
  v_group uuid := p_group_id;
  v_id uuid;
begin
  select st.settings -> 'gamification' into v_settings
  from social.profile_settings st where st.profile_id = p_user_id;
  if v_group is not null and not exists (
    select 1 from social.group_members m where m.group_id = v_group and m.user_id = p_user_id and m.status = 'active'
  ) then
    v_group := null;
  end if;
  begin
    insert into social.posts (author_id, group_id, kind, body, data, ref_type, ref_id, visibility)
    values (
      p_user_id, v_group, p_kind, p_body, p_data, p_ref_type, p_ref_id,
      case when v_group is not null then 'group'::social.post_visibility
           when v_settings ->> 'post_visibility' = 'public' then 'public'::social.post_visibility
           when v_settings ->> 'post_visibility' = 'private' then 'private'::social.post_visibility
           else 'followers'::social.post_visibility end
    )
    returning id into v_id;
  exception when sqlstate 'PT429' then
    return null; -- over the post rate limit: no post this time
  end;
  return v_id;
end;
$$;
comment on function social_private.create_gamification_post(uuid, social.post_kind, text, jsonb, uuid, text, uuid) is
  'Make a milestone or activity post for p_user_id (in the group when a member, else on the '
  'profile); null when over the post rate limit.';

-- =====================================================================================
-- evaluating
-- =====================================================================================

-- Count p_user_id's activities of p_kind on p_day's period (null: ever) and in p_group_id (null:
-- any), stopping at p_enough. Security invoker: the badge trigger (as the table owner) counts
-- anyone's, a user (progress) only their own.
create function social_private.scoped_activity_count(
  p_user_id uuid,
  p_kind text,
  p_period social.badge_period,
  p_day date,
  p_group_id uuid,
  p_enough integer
)
returns integer
language plpgsql
stable
set search_path = ''
as $$
declare
  v_from date := case when p_period is null then '-infinity'::date
                      else date_trunc(p_period::text, p_day::timestamp)::date end;
  v_to date := case when p_period is null then 'infinity'::date
                    else (date_trunc(p_period::text, p_day::timestamp) + ('1 ' || p_period::text)::interval)::date end;
  v_count integer;
begin
  if p_group_id is null then
    select count(*)::integer into v_count from (
      select 1 from social.activities a
      where a.user_id = p_user_id and a.kind = p_kind and a.local_day >= v_from and a.local_day < v_to
      limit p_enough
    ) x;
  else
    select count(*)::integer into v_count from (
      select 1 from social.activities a
      where a.group_id = p_group_id and a.user_id = p_user_id and a.kind = p_kind
        and a.local_day >= v_from and a.local_day < v_to
      limit p_enough
    ) x;
  end if;
  return v_count;
end;
$$;
comment on function social_private.scoped_activity_count(uuid, text, social.badge_period, date, uuid, integer) is
  'Activities of a user and kind in p_day''s period and p_group_id (nulls: any), counted up to p_enough '
  '(as the caller may see them: the badge trigger sees all, a user their own).';
grant execute on function social_private.scoped_activity_count(uuid, text, social.badge_period, date, uuid, integer)
  to authenticated, service_role;

-- The active badges listening to p_new's kind, not in p_held, that the user meets after p_new:
-- p_values holds the statistics each measure compares (social_private.badge_measure; 2-5 null for
-- an activity dated in an earlier period, counted from the activities then), group counts are
-- counted from the activities. Called by the activity trigger when the watch says so.
create function social_private.badges_met(
  p_new social.activities,
  p_held uuid[],
  p_count integer,
  p_values numeric[]
)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return array(
    select b.id
    from social.badges b
    cross join lateral (
      select social_private.badge_measure(b.criterion, b.period, b.direction, b.per_group, b.group_id) as measure
    ) m
    where b.activity_kind = p_new.kind and b.active and b.id <> all (p_held)
      and case
        when m.measure = 10 then
          coalesce(b.group_id = p_new.group_id, p_new.group_id is not null) and p_count >= b.threshold
          and social_private.scoped_activity_count(p_new.user_id, p_new.kind, b.period, p_new.local_day,
                                                   p_new.group_id, b.threshold::integer) >= b.threshold
        else coalesce(
          p_values[m.measure] >= coalesce(b.threshold, 1),
          b.period is not null and p_count >= b.threshold
          and social_private.scoped_activity_count(p_new.user_id, p_new.kind, b.period, p_new.local_day, null,
                                                   b.threshold::integer) >= b.threshold)
      end
  );
end;
$$;
comment on function social_private.badges_met(social.activities, uuid[], integer, numeric[]) is
  'The active badges of an activity''s kind, not held, that the user now meets.';

-- Everything an activity sets off, in one trigger function: count it into the user's statistics
-- and streak, award every active badge listening to its kind that the user now meets and does not
-- hold, post it when its kind auto-posts and the user's settings allow, credit its points. The
-- statements are few and small on purpose (the insert benchmark, `npm run bench -- gamification`,
-- holds the whole trigger chain within 2x a bare insert): one read of the kind with its point
-- rule, one read and one update of the statistics row, one query of the kind's badges, one ledger
-- entry; the arithmetic runs in PL/pgSQL between them. Security definer: none of that is
-- client-writable.
--
-- Statistics rules (the streak rules are in 20261128003100_streaks.sql): counts and values, the
-- day/week/month/year counts of the latest local day (period_day; an activity dated earlier in the
-- same period counts in it, one in an earlier period only in the total), and for streak kinds: a
-- later day extends the run (a gap bridged by the freezes held spends them), a longer gap starts a
-- new run, every freeze_every_days-th day of a run earns a freeze (up to max_freezes); a
-- back-dated day rebuilds the runs (social_private.rebuild_streak). The row is read without a
-- lock and written back only if no one changed it meanwhile (its ctid is unchanged); a
-- concurrent activity of the same user and kind makes the loop read it again.
create function social_private.handle_activity_recorded()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_kind record;
  v record;
  v_run integer;
  v_spent integer;
  v_week boolean;
  v_month boolean;
  v_year boolean;
  v_rebuild boolean;
  v_values numeric[];
  v_award uuid[];
  v_awarded integer;
begin
  select k.tracks_streak, k.freeze_every_days, k.max_freezes, k.post_text, r.points, r.daily_limit,
         coalesce(bv.version, 0) as badge_version,
         k.auto_post and exists (
           select 1 from social.profile_settings st
           where st.profile_id = new.user_id and st.settings -> 'gamification' ->> 'activity_posts' = 'true'
         ) as posts
    into v_kind
  from social.activity_kinds k
  left join social.point_rules r on r.activity_kind = k.code
  left join social_private.kind_badge_versions bv on bv.kind = k.code
  where k.code = new.kind;

  loop
    v_award := '{}';
    select s.ctid as row_id, s.* into v
    from social.activity_stats s
    where s.user_id = new.user_id and s.kind = new.kind;
    if not found then
      -- the first activity of this kind: the row starts empty, with the badges of the kind held
      insert into social.activity_stats (user_id, kind, badge_ids)
      values (new.user_id, new.kind, array(
        select ub.badge_id from social.user_badges ub join social.badges b on b.id = ub.badge_id
        where ub.user_id = new.user_id and b.activity_kind = new.kind))
      on conflict (user_id, kind) do nothing;
      continue;
    end if;

    v.activity_count := v.activity_count + 1;
    v.first_at := least(v.first_at, new.occurred_at);
    v.last_at := greatest(v.last_at, new.occurred_at);
    if new.value is not null then
      if v.first_value_at is null or new.occurred_at < v.first_value_at then
        v.first_value := new.value;
        v.first_value_at := new.occurred_at;
      end if;
      if v.latest_value_at is null or new.occurred_at >= v.latest_value_at then
        v.latest_value := new.value;
        v.latest_value_at := new.occurred_at;
      end if;
      v.min_value := least(v.min_value, new.value);
      v.max_value := greatest(v.max_value, new.value);
    end if;

    -- is the activity in the week, month and year of period_day (null: no period_day yet)
    v_week := date_trunc('week', new.local_day::timestamp) = date_trunc('week', v.period_day::timestamp);
    v_month := date_trunc('month', new.local_day::timestamp) = date_trunc('month', v.period_day::timestamp);
    v_year := date_trunc('year', new.local_day::timestamp) = date_trunc('year', v.period_day::timestamp);
    if v.period_day is null or new.local_day > v.period_day then
      v.day_count := 1;
      v.week_count := case when v_week then v.week_count + 1 else 1 end;
      v.month_count := case when v_month then v.month_count + 1 else 1 end;
      v.year_count := case when v_year then v.year_count + 1 else 1 end;
      v.period_day := new.local_day;
      v_week := true;
      v_month := true;
      v_year := true;
    else
      if new.local_day = v.period_day then
        v.day_count := v.day_count + 1;
      end if;
      if v_week then
        v.week_count := v.week_count + 1;
      end if;
      if v_month then
        v.month_count := v.month_count + 1;
      end if;
      if v_year then
        v.year_count := v.year_count + 1;
      end if;
    end if;

    v_spent := 0;
    if v_kind.tracks_streak and (v.last_day is null or new.local_day > v.last_day) then
      if v.last_day is null then
        v_run := 1;
      elsif new.local_day - v.last_day - 1 <= v.streak_freezes then
        v_run := v.current_streak + 1;
        v_spent := new.local_day - v.last_day - 1;
      else
        v_run := 1;
      end if;
      v.streak_freezes := v.streak_freezes - v_spent;
      if v_run > v.current_streak and v_run % v_kind.freeze_every_days = 0
         and v.streak_freezes < v_kind.max_freezes then
        v.streak_freezes := v.streak_freezes + 1;
      end if;
      v.freezes_used := v.freezes_used + v_spent;
      v.last_freezes_spent := v_spent;
      v.current_streak := v_run;
      v.longest_streak := greatest(v.longest_streak, v_run);
      v.last_day := new.local_day;
    end if;

    -- badges: the value each measure (social_private.badge_measure) compares with its
    -- threshold (2-5 null when the activity is dated in an earlier period than period_day: those
    -- are counted from the activities); checked when the watch says a threshold may be reached
    -- (or it is out of date), else nothing to award. A back-dated streak day is checked after the
    -- runs are rebuilt, below.
    v_rebuild := v_kind.tracks_streak and new.local_day < v.last_day;
    v_values := array[v.activity_count,
                      case when new.local_day = v.period_day then v.day_count end,
                      case when v_week then v.week_count end,
                      case when v_month then v.month_count end,
                      case when v_year then v.year_count end,
                      v.longest_streak, v.first_value - v.min_value, v.max_value - v.first_value, v.max_value];
    if not v_rebuild and (
      v.badge_watch is null or v.badge_watch_version is distinct from v_kind.badge_version
      or v_values[1] >= v.badge_watch[1] or v_values[2] >= v.badge_watch[2] or v_values[3] >= v.badge_watch[3]
      or v_values[4] >= v.badge_watch[4] or v_values[5] >= v.badge_watch[5] or v_values[6] >= v.badge_watch[6]
      or v_values[7] >= v.badge_watch[7] or v_values[8] >= v.badge_watch[8] or v_values[9] >= v.badge_watch[9]
      or v.badge_watch[10] is not null and new.group_id is not null
      or v_values[2] is null and v.badge_watch[2] is not null or v_values[3] is null and v.badge_watch[3] is not null
      or v_values[4] is null and v.badge_watch[4] is not null or v_values[5] is null and v.badge_watch[5] is not null
    ) then
      v_award := social_private.badges_met(new, v.badge_ids, v.activity_count, v_values);
      v.badge_watch := social_private.badge_watch(new.kind, v.badge_ids || v_award);
      v.badge_watch_version := v_kind.badge_version;
    end if;

    update social.activity_stats s
    set activity_count = v.activity_count, first_at = v.first_at, last_at = v.last_at,
        first_value = v.first_value, first_value_at = v.first_value_at, min_value = v.min_value,
        max_value = v.max_value, latest_value = v.latest_value, latest_value_at = v.latest_value_at,
        current_streak = v.current_streak, longest_streak = v.longest_streak, last_day = v.last_day,
        streak_freezes = v.streak_freezes, freezes_used = v.freezes_used,
        last_freezes_spent = v.last_freezes_spent, period_day = v.period_day, day_count = v.day_count,
        week_count = v.week_count, month_count = v.month_count, year_count = v.year_count,
        badge_watch = v.badge_watch, badge_watch_version = v.badge_watch_version, updated_at = now()
    where s.ctid = v.row_id;
    exit when found;
  end loop;

  if v_spent > 0 then
    -- the freezes just spent bridged the days before this one
    insert into social.streak_frozen_days (user_id, kind, day)
    select new.user_id, new.kind, g.day::date
    from generate_series(new.local_day - v_spent, new.local_day - 1, interval '1 day') as g(day)
    on conflict do nothing;
  elsif v_rebuild then
    perform social_private.rebuild_streak(new.user_id, new.kind, new.local_day);
    select s.longest_streak into v.longest_streak
    from social.activity_stats s where s.user_id = new.user_id and s.kind = new.kind;
    v_values[6] := v.longest_streak;
    v_award := social_private.badges_met(new, v.badge_ids, v.activity_count, v_values);
    update social.activity_stats s
    set badge_watch = social_private.badge_watch(new.kind, v.badge_ids || v_award),
        badge_watch_version = v_kind.badge_version
    where s.user_id = new.user_id and s.kind = new.kind;
  end if;

  if cardinality(v_award) > 0 then
    insert into social.user_badges (user_id, badge_id, activity_id, group_id)
    select new.user_id, a.id, new.id, new.group_id from unnest(v_award) as a(id)
    on conflict do nothing;
    get diagnostics v_awarded = row_count;
    if v_awarded < cardinality(v_award) then
      -- some were held already although badge_ids did not say so: read them again
      update social.activity_stats s
      set badge_ids = array(
        select ub.badge_id from social.user_badges ub join social.badges b on b.id = ub.badge_id
        where ub.user_id = new.user_id and b.activity_kind = new.kind)
      where s.user_id = new.user_id and s.kind = new.kind;
    end if;
  end if;

  if v_kind.posts then
    perform social_private.create_gamification_post(new.user_id, 'activity', coalesce(v_kind.post_text, new.kind),
      jsonb_build_object('activity', jsonb_build_object('id', new.id, 'kind', new.kind, 'value', new.value,
                                                        'payload', new.payload, 'occurred_at', new.occurred_at)),
      new.group_id, 'activity', new.id);
  end if;

  -- points, within the rule's daily limit (the day's count, or for a day before period_day the
  -- activities of that day)
  if v_kind.points is not null and (
    v_kind.daily_limit is null
    or case when new.local_day = v.period_day then v.day_count
            else social_private.scoped_activity_count(new.user_id, new.kind, 'day', new.local_day, null,
                                                      v_kind.daily_limit + 1) end <= v_kind.daily_limit
  ) then
    insert into social.point_ledger (user_id, delta, reason, activity_id, occurred_at)
    values (new.user_id, v_kind.points, 'activity', new.id, new.occurred_at);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_activity_recorded() is
  'Trigger: count the activity (statistics, streak), award the badges listening to its kind that are '
  'now met, auto-post it, credit its points.';
create trigger on_activities_recorded after insert on social.activities
  for each row execute function social_private.handle_activity_recorded();

-- The badge as the apps show it.
create function social_private.badge_json(p_badge social.badges)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object('id', p_badge.id, 'code', p_badge.code, 'name', p_badge.name,
                            'description', p_badge.description, 'icon', p_badge.icon,
                            'tier', p_badge.tier, 'points', p_badge.points);
$$;
comment on function social_private.badge_json(social.badges) is 'A badge as apps show it (id, code, name, description, icon, tier, points).';
grant execute on function social_private.badge_json(social.badges) to anon, authenticated, service_role;

-- After a badge is earned: noted in the statistics of its kind (activity_stats.badge_ids), bonus
-- points, then (unless a quiet backfill runs) the notification, the Realtime toast and the
-- milestone post, then the all_of badges it completes.
create function social_private.handle_badge_earned()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_badge social.badges;
  v_json jsonb;
begin
  select * into v_badge from social.badges b where b.id = new.badge_id;
  if v_badge.activity_kind is not null then
    update social.activity_stats s
    set badge_ids = array_append(s.badge_ids, new.badge_id)
    where s.user_id = new.user_id and s.kind = v_badge.activity_kind and new.badge_id <> all (s.badge_ids);
  end if;
  v_json := social_private.badge_json(v_badge);
  if v_badge.points > 0 then
    insert into social.point_ledger (user_id, delta, reason, badge_id)
    values (new.user_id, v_badge.points, 'badge', v_badge.id);
  end if;

  if coalesce(current_setting('social.quiet_badges', true), '') <> 'on' then
    -- the user's own achievement, about the badge only (not the group it was earned in): it stays
    -- theirs when they leave the group
    perform social_private.notify(array[new.user_id], 'badge_earned', null, new.badge_id,
      p_data => jsonb_build_object('badge', v_json));
    perform realtime.send(
      jsonb_build_object('badge', v_json, 'earned_at', new.earned_at, 'activity_id', new.activity_id,
                         'group_id', new.group_id),
      'badge_earned', 'user:' || new.user_id::text, true);
    if v_badge.milestone_post and exists (
      select 1 from social.profile_settings st
      where st.profile_id = new.user_id and st.settings -> 'gamification' ->> 'milestone_posts' = 'true'
    ) then
      perform social_private.create_gamification_post(new.user_id, 'milestone',
        format('Earned the %s badge', v_badge.name), jsonb_build_object('badge', v_json),
        new.group_id, 'badge', v_badge.id);
    end if;
  end if;

  -- all_of badges that this one completes
  insert into social.user_badges (user_id, badge_id, activity_id, group_id)
  select new.user_id, a.id, new.activity_id, new.group_id
  from social.badges a
  where a.criterion = 'all_of' and a.active and a.required_badges @> array[v_badge.code]
    and not exists (select 1 from social.user_badges ub where ub.user_id = new.user_id and ub.badge_id = a.id)
    and (
      select count(distinct rb.code) from social.user_badges ub
      join social.badges rb on rb.id = ub.badge_id
      where ub.user_id = new.user_id and rb.code = any (a.required_badges)
    ) = (select count(distinct c) from unnest(a.required_badges) c)
  on conflict do nothing;
  return null;
end;
$$;
comment on function social_private.handle_badge_earned() is
  'Trigger: bonus points, notification, Realtime toast, milestone post and all_of badges of a new award.';
create trigger on_user_badges_earned after insert on social.user_badges
  for each row execute function social_private.handle_badge_earned();

-- An award removed (an admin takes it back, its badge is deleted): no longer held in the
-- statistics, and their watch out of date, so the next qualifying activity earns it again.
create function social_private.handle_badge_revoked()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update social.activity_stats s
  set badge_ids = array_remove(s.badge_ids, old.badge_id), badge_watch = null
  where s.user_id = old.user_id and old.badge_id = any (s.badge_ids);
  return null;
end;
$$;
comment on function social_private.handle_badge_revoked() is
  'Trigger: drop a removed award from the statistics'' badge_ids.';
create trigger on_user_badges_revoked after delete on social.user_badges
  for each row execute function social_private.handle_badge_revoked();

revoke execute on all functions in schema social, social_private from public;
