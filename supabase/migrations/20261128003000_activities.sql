-- Activities: the one way into gamification. An activity is something a user did, of a kind from
-- the catalog (social.activity_kinds), at a time (occurred_at), with an optional numeric value (a
-- weight, a distance) and a payload. Everything else (streaks, badges, points, leaderboards) is
-- derived from activities by the triggers of the later migrations:
--   20261128003100_streaks.sql       per user and kind: counts, values, streaks, freezes, reminders
--   20261128003200_points.sql        point rules, the ledger, balances, rewards and redemptions
--   20261128003300_badges.sql        badge definitions, evaluation, awards
--   20261128003350_badge_catalog.sql backfill, badge reads and progress, the default catalog
--   20261128003400_leaderboards.sql  leaderboards, group settings, snapshots
--
-- Who writes activities:
--   * a signed-in user, for themselves, of a kind with user_reportable (through the SDK, the
--     social.record_activity RPC or a plain insert), back-dated at most 30 days, rate limited
--     (rate_limit_rules 'activity'), in a group only as an active member;
--   * the host app's backend with the service role, for any user and any kind, at any date;
--   * Supasocial itself, by trigger: post_created, group_joined, post_popular; comment_created
--     and reaction_given a moment later, by the deferred-effects queue (20261128003050); events (event_attended, 20261128004100) and trips (trip_planned, places_visited,
--     20261128005300) add theirs. Chat records none: a message is not an achievement.
-- Nobody updates an activity; only the service role deletes one (the per-user statistics are
-- recomputed; points and badges already earned stay).
--
-- Idempotency: (user_id, kind, idempotency_key) is unique. A retry with the same key changes
-- nothing: social.record_activity returns the activity recorded the first time (duplicate =
-- true); a plain insert can say `on conflict (user_id, kind, idempotency_key) do nothing`
-- (supabase-js: upsert with ignoreDuplicates). Concurrent retries wait for the first and then
-- find it.
--
-- Days: local_day is the day in the user's time zone (profile_details.timezone, UTC when unset)
-- at the moment the activity is recorded; a back-dated activity counts on the day it happened.
-- SDK: social.gamification (record, activities, kinds); tests: tests/db/gamification.test.ts.

-- =====================================================================================
-- the catalog of activity kinds
-- =====================================================================================

create table social.activity_kinds (
  code text primary key,
  name text not null,
  description text,
  unit text,
  user_reportable boolean not null default true,
  tracks_streak boolean not null default false,
  freeze_every_days integer,
  max_freezes integer not null default 2,
  auto_post boolean not null default false,
  post_text text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint activity_kinds_code_format check (code ~ '^[a-z][a-z0-9_]{1,39}$'),
  constraint activity_kinds_name_length check (char_length(name) between 1 and 80),
  constraint activity_kinds_description_length check (char_length(description) <= 500),
  constraint activity_kinds_unit_length check (char_length(unit) between 1 and 20),
  constraint activity_kinds_freeze_every_days check (freeze_every_days between 1 and 365),
  constraint activity_kinds_max_freezes check (max_freezes between 0 and 10),
  constraint activity_kinds_post_text_length check (char_length(post_text) between 1 and 200)
);
comment on table social.activity_kinds is
  'The catalog of activity kinds (workout_completed, nutrition_logged, post_created ...). '
  'Admins add kinds here (Studio); everyone reads it.';
comment on column social.activity_kinds.code is 'Stable identifier used by activities, badges and point rules.';
comment on column social.activity_kinds.name is 'Display name, e.g. "Workout".';
comment on column social.activity_kinds.description is 'What the kind means, for admins and apps.';
comment on column social.activity_kinds.unit is 'Unit of activities.value, e.g. kg or km; null when values are unitless.';
comment on column social.activity_kinds.user_reportable is
  'true: users record this kind themselves (SDK); false: only the service role (the host app''s '
  'backend) or Supasocial''s own triggers record it.';
comment on column social.activity_kinds.tracks_streak is 'true: keep a daily streak of this kind per user.';
comment on column social.activity_kinds.freeze_every_days is
  'A streak of this kind earns one streak freeze each time it reaches a multiple of this many '
  'days (null: freezes are only redeemed with points).';
comment on column social.activity_kinds.max_freezes is 'The most unspent streak freezes a user holds for this kind.';
comment on column social.activity_kinds.auto_post is
  'true: an activity of this kind becomes an "activity" post on the user''s profile (or in the '
  'activity''s group) when the user''s settings allow (gamification.activity_posts).';
comment on column social.activity_kinds.post_text is 'The text of that automatic post, e.g. "Workout completed".';
comment on column social.activity_kinds.created_at is 'When the kind was added.';
comment on column social.activity_kinds.updated_at is 'When the kind was last changed.';
alter table social.activity_kinds enable row level security;
grant select on social.activity_kinds to anon, authenticated;
grant all on social.activity_kinds to service_role;
create trigger on_activity_kinds_updated before update on social.activity_kinds
  for each row execute function social_private.handle_updated_at();

-- the catalog is public reference data
create policy activity_kinds_select_anon on social.activity_kinds
  for select to anon
  using (true);
create policy activity_kinds_select_all on social.activity_kinds
  for select to authenticated
  using (true);

insert into social.activity_kinds
  (code, name, description, unit, user_reportable, tracks_streak, freeze_every_days, auto_post, post_text)
values
  ('workout_completed', 'Workout', 'A workout the user completed.', null, true, true, 7, true, 'Workout completed'),
  ('nutrition_logged', 'Nutrition log', 'The user logged a meal or a day of nutrition.', null, true, true, 7, false, null),
  ('weight_logged', 'Weight', 'A weigh-in; value is the weight.', 'kg', true, false, null, false, null),
  ('check_in', 'Daily check-in', 'The user opened the app and checked in.', null, true, true, 7, false, null),
  ('event_attended', 'Event attended', 'The user attended an event (recorded by the events domain or the backend).',
   null, false, false, null, false, null),
  ('post_created', 'Post', 'The user wrote a post (recorded by Supasocial).', null, false, false, null, false, null),
  ('comment_created', 'Comment', 'The user commented (recorded by Supasocial).', null, false, false, null, false, null),
  ('reaction_given', 'Reaction', 'The user reacted to a post (recorded by Supasocial).', null, false, false, null, false, null),
  ('group_joined', 'Group joined', 'The user joined a group or club (recorded by Supasocial).', null, false, false, null, false, null),
  ('post_popular', 'Popular post', 'A post of the user reached 10 reactions (recorded by Supasocial).',
   null, false, false, null, false, null);

-- =====================================================================================
-- activities
-- =====================================================================================

create table social.activities (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references social.profiles (id) on delete cascade,
  kind text not null,
  occurred_at timestamptz not null default now(),
  local_day date not null default current_date,
  value numeric,
  payload jsonb not null default '{}',
  group_id uuid references social.groups (id) on delete set null,
  idempotency_key text,
  created_at timestamptz not null default now(),
  constraint activities_idempotency_key unique (user_id, kind, idempotency_key),
  constraint activities_payload_is_object check (jsonb_typeof(payload) = 'object'),
  constraint activities_payload_size check (pg_column_size(payload) <= 8192),
  constraint activities_idempotency_key_length check (char_length(idempotency_key) between 1 and 200),
  constraint activities_value_finite check (value between -1e12 and 1e12)
);
comment on table social.activities is
  'What users did: the input of streaks, badges, points and leaderboards. Users record their own '
  '(user_reportable kinds), the service role records any, Supasocial''s triggers record posts and '
  'joins, and its deferred-effects job comments and reactions. Never updated; only the service '
  'role deletes.';
comment on column social.activities.id is 'The activity.';
comment on column social.activities.user_id is 'Who did it (defaults to the signed-in user).';
comment on column social.activities.kind is 'A code of social.activity_kinds.';
comment on column social.activities.occurred_at is
  'When it happened (defaults to now). Users may back-date up to 30 days; the service role any time.';
comment on column social.activities.local_day is
  'The day it happened in the user''s time zone (UTC when unset), always set by the insert trigger '
  '(whatever is given): streaks and period badges count by it.';
comment on column social.activities.value is 'An optional number, e.g. a weight in the kind''s unit.';
comment on column social.activities.payload is 'Free-form details (a JSON object, at most 8 kB), e.g. the workout.';
comment on column social.activities.group_id is
  'The group it happened in, if any (the user must be an active member); group badges count by it.';
comment on column social.activities.idempotency_key is
  'Retry key, unique per user and kind: recording again with the same key changes nothing.';
comment on column social.activities.created_at is 'When it was recorded.';
-- (user_id, kind, idempotency_key) also serves the foreign key on user_id
-- streaks, period and daily counts: a user's days of one kind
create index activities_user_kind_day_idx on social.activities (user_id, kind, local_day);
-- a user's history and leaderboard periods in any time zone
create index activities_user_time_idx on social.activities (user_id, occurred_at desc, id desc) include (kind);
-- group badges, and the foreign key
create index activities_group_idx on social.activities (group_id, user_id, kind, local_day)
  where group_id is not null;
alter table social.activities enable row level security;
grant select on social.activities to authenticated;
grant insert (user_id, kind, occurred_at, value, payload, group_id, idempotency_key)
  on social.activities to authenticated;
grant all on social.activities to service_role;

-- each user reads their own activities
create policy activities_select_self on social.activities
  for select to authenticated
  using (user_id = (select auth.uid()));
-- users record activities for themselves (which kinds, when and where: the trigger below)
create policy activities_insert_self on social.activities
  for insert to authenticated
  with check (user_id = (select auth.uid()));

insert into social_private.rate_limit_rules (action, per_minute) values ('activity', 60);

-- p_user_id's time zone (profile_details.timezone), UTC when unset. Security definer: a plain
-- lookup for the activity trigger, which runs as the writing user and would otherwise evaluate
-- the details' row level security for it.
create function social_private.user_timezone(p_user_id uuid)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_tz text;
begin
  select d.timezone into v_tz from social.profile_details d where d.profile_id = p_user_id;
  return coalesce(v_tz, 'UTC');
end;
$$;
comment on function social_private.user_timezone(uuid) is 'The user''s time zone name, UTC when unset.';
grant execute on function social_private.user_timezone(uuid) to authenticated, service_role;

-- Before an activity is written: check what a user may record (kind reportable, at most 30 days
-- back, no future, a group they belong to, rate limit), set local_day from the user's time zone.
-- Users (role authenticated) are checked; the service role and Supasocial's own triggers (which
-- run as the table owner) are trusted. Activities are never updated (but for group_id becoming
-- null when their group is deleted).
create function social_private.handle_activity_write()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_user_write boolean := current_user = 'authenticated';
  v_reportable boolean;
  v_tz text;
begin
  if tg_op = 'UPDATE' then
    if old.group_id is not null and new.group_id is null
       and (new.id, new.user_id, new.kind, new.occurred_at, new.local_day, new.value, new.payload,
            new.idempotency_key, new.created_at)
           is not distinct from (old.id, old.user_id, old.kind, old.occurred_at, old.local_day, old.value,
                                 old.payload, old.idempotency_key, old.created_at) then
      return new; -- the group was deleted (on delete set null)
    end if;
    perform social_private.raise_error('permission_denied', 'immutable_activity', 'activities are never changed');
  end if;
  select k.user_reportable into v_reportable from social.activity_kinds k where k.code = new.kind;
  if not found then
    perform social_private.raise_error('invalid_input', 'invalid_activity_kind', format('no activity kind %L', new.kind));
  end if;
  if new.occurred_at is null then
    new.occurred_at := now();
  end if;
  if v_user_write then
    if not v_reportable then
      perform social_private.raise_error('permission_denied', 'kind_not_reportable',
        format('%s activities are recorded by the app''s backend, not by users', new.kind));
    end if;
    if new.occurred_at > now() + interval '5 minutes' then
      perform social_private.raise_error('invalid_input', 'invalid_occurred_at', 'an activity cannot happen in the future');
    end if;
    if new.occurred_at < now() - interval '30 days' then
      perform social_private.raise_error('invalid_input', 'invalid_occurred_at', 'activities can be back-dated at most 30 days');
    end if;
    if new.group_id is not null and not social_private.is_group_member(new.group_id) then
      perform social_private.raise_error('permission_denied', 'not_group_member', 'only members record activities in a group');
    end if;
    perform social_private.check_rate_limit('activity');
  end if;
  if new.payload is null or jsonb_typeof(new.payload) <> 'object' or pg_column_size(new.payload) > 8192 then
    perform social_private.raise_error('invalid_input', 'invalid_payload', 'payload must be a JSON object of at most 8 kB');
  end if;
  if new.value is not null and (new.value = 'NaN'::numeric or abs(new.value) > 1e12) then
    perform social_private.raise_error('invalid_input', 'invalid_value', 'value must be a number between -1e12 and 1e12');
  end if;
  if new.idempotency_key is not null and char_length(new.idempotency_key) not between 1 and 200 then
    perform social_private.raise_error('invalid_input', 'invalid_idempotency_key', 'the idempotency key must be 1-200 characters');
  end if;
  v_tz := social_private.user_timezone(new.user_id);
  new.local_day := (new.occurred_at at time zone v_tz)::date;
  new.created_at := now();
  return new;
end;
$$;
comment on function social_private.handle_activity_write() is
  'Trigger: check what a user may record, set local_day from the user''s time zone; refuse updates.';
create trigger on_activities_write before insert or update on social.activities
  for each row execute function social_private.handle_activity_write();

-- A kind that activities use is not deleted (they would lose their meaning).
create function social_private.handle_activity_kind_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from social.activities a where a.kind = old.code) then
    perform social_private.raise_error('conflict', 'kind_in_use',
      format('activities of kind %s exist; set user_reportable = false instead of deleting it', old.code));
  end if;
  return old;
end;
$$;
comment on function social_private.handle_activity_kind_delete() is
  'Trigger: refuse deleting an activity kind that activities use (kind_in_use).';
create trigger on_activity_kinds_delete before delete on social.activity_kinds
  for each row execute function social_private.handle_activity_kind_delete();

-- =====================================================================================
-- activities recorded by Supasocial
-- =====================================================================================

-- Record an activity for p_user_id unless one with the same key exists (security definer: the
-- user did not write it themselves, so the user checks and the rate limit do not apply).
create function social_private.record_system_activity(
  p_user_id uuid,
  p_kind text,
  p_key text,
  p_occurred_at timestamptz default null,
  p_group_id uuid default null
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  insert into social.activities (user_id, kind, occurred_at, group_id, idempotency_key)
  values (p_user_id, p_kind, coalesce(p_occurred_at, now()), p_group_id, p_key)
  on conflict (user_id, kind, idempotency_key) do nothing;
end;
$$;
comment on function social_private.record_system_activity(uuid, text, text, timestamptz, uuid) is
  'Record an activity of p_kind for p_user_id once per p_key (Supasocial''s own triggers, later '
  'domains).';

-- post_created for a post a user wrote (automatic activity and milestone posts do not count),
-- post_popular for a post whose reactions reach 10.
create function social_private.handle_post_activity()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform social_private.record_system_activity(new.author_id, 'post_created', 'post:' || new.id::text,
      new.created_at, new.group_id);
  else
    -- an update of the post's post_stats row (on_post_stats_popular_activity)
    perform social_private.record_system_activity(new.author_id, 'post_popular', 'post:' || new.post_id::text,
      null, new.group_id);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_post_activity() is
  'Trigger: post_created when a user writes a post (on posts), post_popular when its reactions '
  'reach 10 (on post_stats).';
create trigger on_posts_activity after insert on social.posts
  for each row when (new.kind not in ('activity', 'milestone'))
  execute function social_private.handle_post_activity();
create trigger on_post_stats_popular_activity after update of reaction_count on social.post_stats
  for each row when (old.reaction_count < 10 and new.reaction_count >= 10 and new.deleted_at is null)
  execute function social_private.handle_post_activity();

-- comment_created for every comment and reaction_given once per post and reaction kind (taking a
-- reaction back and giving it again does not count twice) are recorded by the deferred-effects
-- queue after the write's transaction (20261128003050_deferred_effects.sql).

-- group_joined when a membership becomes active (once per group: leaving and joining again does
-- not count twice).
create function social_private.handle_member_activity()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform social_private.record_system_activity(new.user_id, 'group_joined', 'group:' || new.group_id::text,
    null, new.group_id);
  return null;
end;
$$;
comment on function social_private.handle_member_activity() is
  'Trigger: group_joined when a membership becomes active (once per user and group).';
create trigger on_group_members_activity after insert on social.group_members
  for each row when (new.status = 'active')
  execute function social_private.handle_member_activity();
create trigger on_group_members_activated_activity after update of status on social.group_members
  for each row when (old.status <> 'active' and new.status = 'active')
  execute function social_private.handle_member_activity();

-- =====================================================================================
-- RPC (security invoker: RLS and the trigger decide)
-- =====================================================================================

-- Record an activity and return it with the badges it earned; with a key already used (by this
-- user, for this kind) the first activity is returned with duplicate = true and nothing changes.
-- p_user_id: the service role records for any user; a signed-in user only for themselves.
create function social.record_activity(
  p_kind text,
  p_occurred_at timestamptz default null,
  p_value numeric default null,
  p_payload jsonb default null,
  p_group_id uuid default null,
  p_idempotency_key text default null,
  p_user_id uuid default null
)
returns table (
  id uuid,
  user_id uuid,
  kind text,
  occurred_at timestamptz,
  local_day date,
  value numeric,
  payload jsonb,
  group_id uuid,
  idempotency_key text,
  created_at timestamptz,
  duplicate boolean,
  badges jsonb
)
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user uuid := coalesce(p_user_id, (select auth.uid()));
  v_row social.activities;
  v_duplicate boolean := false;
begin
  if v_user is null then
    perform social_private.raise_error('not_authenticated', 'not_authenticated', 'sign in first');
  end if;
  if (select auth.uid()) is not null and v_user <> (select auth.uid()) and not social_private.is_platform() then
    perform social_private.raise_error('permission_denied', 'not_allowed', 'users record activities for themselves only');
  end if;
  if p_kind is null then
    perform social_private.raise_error('invalid_input', 'invalid_activity_kind', 'say which kind of activity');
  end if;
  if p_user_id is not null and not exists (select 1 from social.profiles p where p.id = p_user_id) then
    perform social_private.raise_error('not_found', 'profile_not_found', 'no such user');
  end if;
  p_payload := coalesce(social_private.jsonb_arg(p_payload), '{}'::jsonb);
  insert into social.activities as a (user_id, kind, occurred_at, value, payload, group_id, idempotency_key)
  values (v_user, p_kind, coalesce(p_occurred_at, now()), p_value, p_payload, p_group_id, p_idempotency_key)
  on conflict on constraint activities_idempotency_key do nothing
  returning a.* into v_row;
  if v_row.id is null then
    select a.* into v_row from social.activities a
    where a.user_id = v_user and a.kind = p_kind and a.idempotency_key = p_idempotency_key;
    v_duplicate := true;
  end if;
  return query select v_row.id, v_row.user_id, v_row.kind, v_row.occurred_at, v_row.local_day, v_row.value,
    v_row.payload, v_row.group_id, v_row.idempotency_key, v_row.created_at, v_duplicate,
    social_private.badges_of_activity(v_row.id);
end;
$$;
comment on function social.record_activity(text, timestamptz, numeric, jsonb, uuid, text, uuid) is
  'Record an activity (idempotent with p_idempotency_key) and return it with the badges it earned. '
  'p_user_id: the service role records for any user.';
grant execute on function social.record_activity(text, timestamptz, numeric, jsonb, uuid, text, uuid)
  to authenticated, service_role;

-- One page of the caller's activities, latest first (p_kind: of one kind), by the page contract
-- (20261128000000_core.sql): every row carries the page's next_cursor (null on the last page).
create function social.my_activities(
  p_kind text default null,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  kind text,
  occurred_at timestamptz,
  local_day date,
  value numeric,
  payload jsonb,
  group_id uuid,
  idempotency_key text,
  created_at timestamptz,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_limit integer := social_private.page_limit(p_limit);
  v_scope text := v_me::text || '|' || coalesce(p_kind, '');
  v_key social_private.page_key := social_private.decode_page_cursor('my_activities', 'latest', v_scope, p_cursor);
  v_rows social.activities[];
  v_next text;
begin
  select coalesce(array_agg(x order by x.occurred_at desc, x.id desc), '{}') into v_rows
  from (
    select a.* from social.activities a
    where a.user_id = v_me and (p_kind is null or a.kind = p_kind)
      and (a.occurred_at, a.id) < (v_key.created_at, v_key.id)
    order by a.occurred_at desc, a.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_rows) > v_limit then
    v_next := social_private.encode_page_cursor('my_activities', 'latest', v_scope, v_rows[v_limit].occurred_at, null,
                                                 v_rows[v_limit].id);
  end if;
  return query
    select r.id, r.kind, r.occurred_at, r.local_day, r.value, r.payload, r.group_id, r.idempotency_key,
           r.created_at, v_next
    from unnest(v_rows[1:v_limit]) as r;
end;
$$;
comment on function social.my_activities(text, text, integer) is
  'My activities, latest first (p_kind: one kind); pass next_cursor for the next page; p_limit 1-50.';
grant execute on function social.my_activities(text, text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
