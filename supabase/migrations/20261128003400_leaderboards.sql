-- Leaderboards: rank users by scope, period and metric, computed from activities, the points
-- ledger and streaks when asked (so any time zone's week works), with keyset paging and "my rank";
-- group owners switch their group's board on or off; past periods are kept as snapshots by a job.
--
--   scope    global (everyone), group (active members of a group: the caller must be able to read
--            the group and its owner must have turned the board on), city (profile_details.city,
--            case-insensitive), interest (profile_details.interests)
--   period   week (from Monday), month, all_time, in a stated time zone (p_timezone; a group's
--            board uses the owner's choice; otherwise UTC), containing p_at (default now)
--   metric   points (earned in the period: activities, badges, adjustments; spending does not
--            lower it), activities (how many in the period, optionally of one kind), streak (the
--            current streak now, of one kind or the best of all; the period does not apply)
-- Who appears: users with profiles.leaderboard_opt_in (false by default: users opt in) and a
-- score above zero, never across a block with the caller. A group's board ranks its members with
-- the owner's metric and kind; the owner (the trainer) turns it on and off
-- (social.set_group_leaderboard).
-- Ties are fair: equal scores share a rank (1, 2, 2, 4); within a score users are ordered by id,
-- and pages continue after (score, user id) by the page contract (20261128000000_core.sql: a
-- signed cursor bound to the board and its period; p_limit 1-50).
-- Snapshots: social_private.snapshot_leaderboards (pg_cron runs it daily where installed; call it
-- directly anywhere) stores the top 100 of the last finished week and month of every enabled group
-- board, and of the global, city and interest boards by points (UTC), once per period.
-- social.leaderboard_snapshot reads them back with the same filters.
-- SDK: social.gamification (leaderboard, myRank, setGroupLeaderboard, leaderboardSnapshot); tests:
-- tests/db/gamification-leaderboards.test.ts; benchmark: npm run bench -- gamification.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.leaderboard_scope as enum ('global', 'group', 'city', 'interest');
comment on type social.leaderboard_scope is
  'global: every opted-in user; group: a group''s active members; city: users of a city; interest: '
  'users with an interest.';

create type social.leaderboard_period as enum ('week', 'month', 'all_time');
comment on type social.leaderboard_period is 'week (from Monday), month or all_time, in a stated time zone.';

create type social.leaderboard_metric as enum ('points', 'activities', 'streak');
comment on type social.leaderboard_metric is
  'points earned in the period; activities recorded in the period; the current streak.';

-- indexes the city and interest scopes read
create index profile_details_city_idx on social.profile_details (lower(city), profile_id) where city is not null;
create index profile_details_interests_idx on social.profile_details using gin (interests);

-- =====================================================================================
-- group boards
-- =====================================================================================

create table social.group_leaderboards (
  group_id uuid primary key references social.groups (id) on delete cascade,
  enabled boolean not null default false,
  metric social.leaderboard_metric not null default 'points',
  activity_kind text references social.activity_kinds (code) on update cascade,
  timezone text not null default 'UTC',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint group_leaderboards_timezone_length check (char_length(timezone) between 1 and 64)
);
comment on table social.group_leaderboards is
  'A group''s leaderboard settings, set by its owner through social.set_group_leaderboard; whoever '
  'may read the group reads them. No row: the board is off.';
comment on column social.group_leaderboards.group_id is 'The group.';
comment on column social.group_leaderboards.enabled is 'Whether members see the board.';
comment on column social.group_leaderboards.metric is 'What it ranks by: points, activities or streak.';
comment on column social.group_leaderboards.activity_kind is
  'For activities and streak: only this kind (e.g. workout_completed); null: all kinds / the best streak.';
comment on column social.group_leaderboards.timezone is 'The time zone its weeks and months start in.';
comment on column social.group_leaderboards.created_at is 'When the board was first set up.';
comment on column social.group_leaderboards.updated_at is 'When the settings last changed.';
create index group_leaderboards_activity_kind_idx on social.group_leaderboards (activity_kind)
  where activity_kind is not null;
alter table social.group_leaderboards enable row level security;
grant select on social.group_leaderboards to authenticated;
grant all on social.group_leaderboards to service_role;
create trigger on_group_leaderboards_updated before update on social.group_leaderboards
  for each row execute function social_private.handle_updated_at();

-- whoever may read the group reads its board settings
create policy group_leaderboards_select_readers on social.group_leaderboards
  for select to authenticated
  using (social_private.can_read_group(group_id));

-- Raise invalid_timezone unless p_timezone is a time zone the server knows.
create function social_private.require_timezone(p_timezone text)
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_timezone is null or char_length(p_timezone) > 64 then
    perform social_private.raise_error('invalid_input', 'invalid_timezone', 'give an IANA time zone, e.g. Europe/Lisbon');
  end if;
  begin
    perform now() at time zone p_timezone;
  exception when others then
    perform social_private.raise_error('invalid_input', 'invalid_timezone', format('unknown time zone %L', p_timezone));
  end;
  return p_timezone;
end;
$$;
comment on function social_private.require_timezone(text) is 'p_timezone when the server knows it, else invalid_timezone.';
grant execute on function social_private.require_timezone(text) to authenticated, service_role;

-- Security definer: only the owner writes the settings, and the table has no client grants.
create function social_private.set_group_leaderboard(
  p_group_id uuid,
  p_enabled boolean,
  p_metric text default null,
  p_activity_kind text default null,
  p_timezone text default null
)
returns social.group_leaderboards
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_group social.groups := social_private.require_group(p_group_id);
  v_row social.group_leaderboards;
begin
  if v_group.owner_id <> v_me then
    perform social_private.raise_error('permission_denied', 'not_group_owner', 'only the group''s owner sets up its leaderboard');
  end if;
  if p_enabled is null then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'say whether the leaderboard is on');
  end if;
  if p_metric is not null and p_metric not in ('points', 'activities', 'streak') then
    perform social_private.raise_error('invalid_input', 'invalid_metric', 'metric must be points, activities or streak');
  end if;
  if p_activity_kind is not null and not exists (select 1 from social.activity_kinds k where k.code = p_activity_kind) then
    perform social_private.raise_error('invalid_input', 'invalid_activity_kind', format('no activity kind %L', p_activity_kind));
  end if;
  if p_timezone is not null then
    perform social_private.require_timezone(p_timezone);
  end if;
  insert into social.group_leaderboards as g (group_id, enabled, metric, activity_kind, timezone)
  values (p_group_id, p_enabled, coalesce(p_metric, 'points')::social.leaderboard_metric, p_activity_kind,
          coalesce(p_timezone, 'UTC'))
  on conflict (group_id) do update set
    enabled = excluded.enabled,
    metric = coalesce(p_metric::social.leaderboard_metric, g.metric),
    activity_kind = case when p_metric is not null or p_activity_kind is not null then p_activity_kind
                         else g.activity_kind end,
    timezone = coalesce(p_timezone, g.timezone)
  returning g.* into v_row;
  return v_row;
end;
$$;
comment on function social_private.set_group_leaderboard(uuid, boolean, text, text, text) is
  'The group owner turns the group''s leaderboard on or off and picks its metric, kind and time zone.';
grant execute on function social_private.set_group_leaderboard(uuid, boolean, text, text, text) to authenticated;

-- Turn a group's leaderboard on or off (its owner only) and pick what it ranks by; returns the
-- settings. Metric, kind and time zone left null keep their values (points, all kinds, UTC at first);
-- a new metric without a kind clears the kind.
create function social.set_group_leaderboard(
  p_group_id uuid,
  p_enabled boolean,
  p_metric text default null,
  p_activity_kind text default null,
  p_timezone text default null
)
returns social.group_leaderboards
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.set_group_leaderboard(p_group_id, p_enabled, p_metric, p_activity_kind, p_timezone);
$$;
comment on function social.set_group_leaderboard(uuid, boolean, text, text, text) is
  'Group owner: turn the group''s leaderboard on or off, pick metric (points, activities, streak), kind and time zone.';
grant execute on function social.set_group_leaderboard(uuid, boolean, text, text, text) to authenticated;

-- =====================================================================================
-- computing a board
-- =====================================================================================

-- What a request for a board resolves to: the scope's key, the metric, the kind, the time zone and
-- the period's bounds (null for all_time).
create type social_private.leaderboard_query as (
  scope social.leaderboard_scope,
  scope_key text,
  metric social.leaderboard_metric,
  period social.leaderboard_period,
  activity_kind text,
  timezone text,
  period_start timestamptz,
  period_end timestamptz
);
comment on type social_private.leaderboard_query is
  'A leaderboard request after validation: scope and key, metric, period, kind, time zone, bounds.';

-- Validate a board request for the caller and resolve it (group boards: the caller must be able to
-- read the group, the board must be on, its metric and kind apply). Errors: invalid_scope,
-- invalid_period, invalid_metric, invalid_timezone, invalid_activity_kind (400), group_not_found
-- (404), leaderboard_disabled (403).
create function social_private.resolve_leaderboard(
  p_scope text,
  p_scope_id text,
  p_period text,
  p_metric text,
  p_timezone text,
  p_kind text,
  p_at timestamptz
)
returns social_private.leaderboard_query
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_q social_private.leaderboard_query;
  v_board social.group_leaderboards;
  v_group uuid;
  v_at timestamptz := coalesce(p_at, now());
  v_local timestamp;
begin
  if coalesce(p_scope, 'global') not in ('global', 'group', 'city', 'interest') then
    perform social_private.raise_error('invalid_input', 'invalid_scope', 'scope must be global, group, city or interest');
  end if;
  if coalesce(p_period, 'week') not in ('week', 'month', 'all_time') then
    perform social_private.raise_error('invalid_input', 'invalid_period', 'period must be week, month or all_time');
  end if;
  if p_metric is not null and p_metric not in ('points', 'activities', 'streak') then
    perform social_private.raise_error('invalid_input', 'invalid_metric', 'metric must be points, activities or streak');
  end if;
  if p_kind is not null and not exists (select 1 from social.activity_kinds k where k.code = p_kind) then
    perform social_private.raise_error('invalid_input', 'invalid_activity_kind', format('no activity kind %L', p_kind));
  end if;
  v_q.scope := coalesce(p_scope, 'global')::social.leaderboard_scope;
  v_q.period := coalesce(p_period, 'week')::social.leaderboard_period;
  v_q.metric := coalesce(p_metric, 'points')::social.leaderboard_metric;
  v_q.activity_kind := p_kind;
  v_q.timezone := 'UTC';

  if v_q.scope = 'group' then
    begin
      v_group := p_scope_id::uuid;
    exception when others then
      perform social_private.raise_error('not_found', 'group_not_found', 'no such group');
    end;
    -- members read it (the common case, from a cached set), and whoever the group's rule admits
    if v_group is null
       or not (v_group = any (social_private.my_group_ids()) or social_private.can_read_group(v_group)) then
      perform social_private.raise_error('not_found', 'group_not_found', 'no such group');
    end if;
    select * into v_board from social.group_leaderboards g where g.group_id = v_group;
    if v_board.group_id is null or not v_board.enabled then
      perform social_private.raise_error('permission_denied', 'leaderboard_disabled', 'this group''s leaderboard is off');
    end if;
    if p_metric is not null and p_metric <> v_board.metric::text then
      perform social_private.raise_error('invalid_input', 'invalid_metric', format('this group''s leaderboard ranks by %s', v_board.metric));
    end if;
    if p_kind is not null and p_kind is distinct from v_board.activity_kind then
      perform social_private.raise_error('invalid_input', 'invalid_metric',
        format('this group''s leaderboard counts %s', coalesce(v_board.activity_kind, 'every kind')));
    end if;
    v_q.scope_key := v_group::text;
    v_q.metric := v_board.metric;
    v_q.activity_kind := v_board.activity_kind;
    v_q.timezone := v_board.timezone;
  elsif v_q.scope in ('city', 'interest') then
    if p_scope_id is null or char_length(btrim(p_scope_id)) not between 1 and 100 then
      perform social_private.raise_error('invalid_input', 'invalid_scope', format('say which %s', v_q.scope));
    end if;
    v_q.scope_key := lower(btrim(p_scope_id));
  else
    v_q.scope_key := '';
  end if;
  if p_timezone is not null then
    v_q.timezone := social_private.require_timezone(p_timezone);
  end if;

  if v_q.period <> 'all_time' then
    v_local := date_trunc(v_q.period::text, v_at at time zone v_q.timezone);
    v_q.period_start := v_local at time zone v_q.timezone;
    v_q.period_end := (v_local + ('1 ' || v_q.period::text)::interval) at time zone v_q.timezone;
  end if;
  return v_q;
end;
$$;
comment on function social_private.resolve_leaderboard(text, text, text, text, text, text, timestamptz) is
  'Validate a leaderboard request for the caller and resolve scope, metric, kind, time zone and period.';
grant execute on function social_private.resolve_leaderboard(text, text, text, text, text, text, timestamptz)
  to authenticated, service_role;

-- The scores of everyone a board ranks: opted-in users of the scope with a score above zero, not
-- blocked either way with p_viewer (null: nobody is hidden, for snapshots). Scores are computed
-- per user from indexes: the points ledger's earnings or the activities in the period, all-time
-- totals, or the live current streak. Security definer: it reads other users' private rows and
-- returns only scores.
create function social_private.leaderboard_scores(p_q social_private.leaderboard_query, p_viewer uuid)
returns table (user_id uuid, score bigint)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_blocked uuid[] := case when p_viewer is null then '{}'::uuid[] else social_private.user_blocked_ids(p_viewer) end;
  v_users uuid[];
begin
  if p_q.scope = 'group' then
    v_users := array(
      select m.user_id from social.group_members m
      join social.profiles p on p.id = m.user_id
      where m.group_id = p_q.scope_key::uuid and m.status = 'active' and p.leaderboard_opt_in
        and m.user_id <> all (v_blocked));
  elsif p_q.scope = 'city' then
    v_users := array(
      select d.profile_id from social.profile_details d
      join social.profiles p on p.id = d.profile_id
      where lower(d.city) = p_q.scope_key and d.city is not null and p.leaderboard_opt_in
        and d.profile_id <> all (v_blocked));
  elsif p_q.scope = 'interest' then
    v_users := array(
      select d.profile_id from social.profile_details d
      join social.profiles p on p.id = d.profile_id
      where d.interests @> array[p_q.scope_key] and p.leaderboard_opt_in
        and d.profile_id <> all (v_blocked));
  else
    v_users := array(
      select p.id from social.profiles p
      where p.leaderboard_opt_in and p.id <> all (v_blocked));
  end if;

  if p_q.metric = 'points' and p_q.period = 'all_time' then
    return query
      select b.user_id, b.earned::bigint from social.point_balances b
      where b.user_id = any (v_users) and b.earned > 0;
  elsif p_q.metric = 'points' then
    -- one index-only range scan per user (lateral: computed once, then filtered)
    return query
      select u.id, s.score
      from unnest(v_users) as u(id)
      cross join lateral (
        select sum(l.delta)::bigint as score from social.point_ledger l
        where l.user_id = u.id and l.occurred_at >= p_q.period_start and l.occurred_at < p_q.period_end
          and l.delta > 0 and l.reason <> 'refund'
      ) s
      where s.score > 0;
  elsif p_q.metric = 'activities' and p_q.period = 'all_time' then
    return query
      select s.user_id, sum(s.activity_count)::bigint from social.activity_stats s
      where s.user_id = any (v_users) and (p_q.activity_kind is null or s.kind = p_q.activity_kind)
      group by s.user_id
      having sum(s.activity_count) > 0;
  elsif p_q.metric = 'activities' then
    return query
      select u.id, s.score
      from unnest(v_users) as u(id)
      cross join lateral (
        select count(*)::bigint as score from social.activities a
        where a.user_id = u.id and a.occurred_at >= p_q.period_start and a.occurred_at < p_q.period_end
          and (p_q.activity_kind is null or a.kind = p_q.activity_kind)
      ) s
      where s.score > 0;
  else
    return query
      select s.user_id, max(social_private.streak_current(s.current_streak, s.last_day, s.streak_freezes,
                                                          (now() at time zone coalesce(d.timezone, 'UTC'))::date))::bigint
      from social.activity_stats s
      join social.activity_kinds k on k.code = s.kind and k.tracks_streak
      left join social.profile_details d on d.profile_id = s.user_id
      where s.user_id = any (v_users) and (p_q.activity_kind is null or s.kind = p_q.activity_kind)
      group by s.user_id
      having max(social_private.streak_current(s.current_streak, s.last_day, s.streak_freezes,
                                               (now() at time zone coalesce(d.timezone, 'UTC'))::date)) > 0;
  end if;
end;
$$;
comment on function social_private.leaderboard_scores(social_private.leaderboard_query, uuid) is
  'Scores of the opted-in users a board ranks (score > 0), hiding users blocked with p_viewer.';
grant execute on function social_private.leaderboard_scores(social_private.leaderboard_query, uuid)
  to authenticated, service_role;

-- The scope of a board's cursors (the page contract): everything that selects the board, so a
-- cursor of another board or period is invalid_cursor.
create function social_private.leaderboard_scope_text(p_q social_private.leaderboard_query)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  return concat_ws('|', p_q.scope, p_q.scope_key, p_q.metric, p_q.period, coalesce(p_q.activity_kind, ''),
                   p_q.timezone, coalesce((extract(epoch from p_q.period_start) * 1000000)::bigint::text, ''));
end;
$$;
comment on function social_private.leaderboard_scope_text(social_private.leaderboard_query) is
  'The text that binds a leaderboard''s cursors to its scope, metric, kind, time zone and period.';
grant execute on function social_private.leaderboard_scope_text(social_private.leaderboard_query)
  to authenticated, service_role;

-- =====================================================================================
-- RPC
-- =====================================================================================

-- One page of a leaderboard: rank (ties share it), the user's card, score; is_me marks the
-- caller. Pass next_cursor for the next page; p_limit 1-50. See the migration header for scopes,
-- periods and metrics.
create function social.leaderboard(
  p_scope text default 'global',
  p_scope_id text default null,
  p_period text default 'week',
  p_metric text default null,
  p_timezone text default null,
  p_kind text default null,
  p_at timestamptz default null,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  rank bigint,
  user_id uuid,
  handle text,
  display_name text,
  avatar_path text,
  score bigint,
  is_me boolean,
  metric social.leaderboard_metric,
  period_start timestamptz,
  period_end timestamptz,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_q social_private.leaderboard_query :=
    social_private.resolve_leaderboard(p_scope, p_scope_id, p_period, p_metric, p_timezone, p_kind, p_at);
  v_limit integer := social_private.page_limit(p_limit);
  v_scope text := social_private.leaderboard_scope_text(v_q);
  v_key social_private.page_key := social_private.decode_page_cursor('leaderboard', 'score', v_scope, p_cursor);
  v_users uuid[];
  v_scores bigint[];
  v_ranks bigint[];
  v_next text;
begin
  select coalesce(array_agg(x.user_id order by x.score desc, x.user_id), '{}'),
         coalesce(array_agg(x.score order by x.score desc, x.user_id), '{}'),
         coalesce(array_agg(x.rank order by x.score desc, x.user_id), '{}')
    into v_users, v_scores, v_ranks
  from (
    select r.user_id, r.score, r.rank
    from (
      select s.user_id, s.score, rank() over (order by s.score desc) as rank
      from social_private.leaderboard_scores(v_q, v_me) s
    ) r
    where r.score < v_key.score or (r.score = v_key.score and r.user_id > v_key.id)
    order by r.score desc, r.user_id
    limit v_limit + 1
  ) x;
  if cardinality(v_users) > v_limit then
    v_next := social_private.encode_page_cursor('leaderboard', 'score', v_scope, null, v_scores[v_limit]::double precision,
                                                 v_users[v_limit]);
  end if;
  return query
    select v_ranks[u.position], u.id, p.handle::text, p.display_name, p.avatar_path, v_scores[u.position],
           u.id = v_me, v_q.metric, v_q.period_start, v_q.period_end, v_next
    from unnest(v_users[1:v_limit]) with ordinality as u(id, position)
    join social.profiles p on p.id = u.id
    order by u.position;
end;
$$;
comment on function social.leaderboard(text, text, text, text, text, text, timestamptz, text, integer) is
  'A page of a leaderboard (scope global|group|city|interest, period week|month|all_time, metric '
  'points|activities|streak, in p_timezone); ties share a rank; pass next_cursor for the next page.';
grant execute on function social.leaderboard(text, text, text, text, text, text, timestamptz, text, integer)
  to authenticated, service_role;

-- The caller's place on a board: rank (1 + the users with a higher score; null when the caller
-- is not ranked: not opted in, or no score in the period), score, and how many users are ranked.
create function social.my_leaderboard_rank(
  p_scope text default 'global',
  p_scope_id text default null,
  p_period text default 'week',
  p_metric text default null,
  p_timezone text default null,
  p_kind text default null,
  p_at timestamptz default null
)
returns table (
  rank bigint,
  score bigint,
  ranked integer,
  opted_in boolean,
  metric social.leaderboard_metric,
  period_start timestamptz,
  period_end timestamptz
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_q social_private.leaderboard_query :=
    social_private.resolve_leaderboard(p_scope, p_scope_id, p_period, p_metric, p_timezone, p_kind, p_at);
  v_opted boolean;
begin
  select p.leaderboard_opt_in into v_opted from social.profiles p where p.id = v_me;
  return query
    with scores as (select s.user_id, s.score from social_private.leaderboard_scores(v_q, v_me) s),
    mine as (select s.score from scores s where s.user_id = v_me)
    select case when (select m.score from mine m) is null then null::bigint
                else 1 + (select count(*) from scores s where s.score > (select m.score from mine m)) end,
           coalesce((select m.score from mine m), 0::bigint),
           (select count(*)::integer from scores),
           coalesce(v_opted, false),
           v_q.metric, v_q.period_start, v_q.period_end;
end;
$$;
comment on function social.my_leaderboard_rank(text, text, text, text, text, text, timestamptz) is
  'My rank, score and the number ranked on a leaderboard (rank null when I am not on it).';
grant execute on function social.my_leaderboard_rank(text, text, text, text, text, text, timestamptz)
  to authenticated, service_role;

-- =====================================================================================
-- snapshots
-- =====================================================================================

create table social.leaderboard_snapshots (
  id bigint generated always as identity primary key,
  scope social.leaderboard_scope not null,
  scope_key text not null,
  metric social.leaderboard_metric not null,
  period social.leaderboard_period not null,
  activity_kind text not null default '',
  timezone text not null,
  period_start timestamptz not null,
  period_end timestamptz not null,
  user_id uuid not null references social.profiles (id) on delete cascade,
  rank integer not null,
  score bigint not null,
  created_at timestamptz not null default now(),
  constraint leaderboard_snapshots_entry_key
    unique (scope, scope_key, metric, period, activity_kind, timezone, period_start, user_id),
  constraint leaderboard_snapshots_period check (period <> 'all_time' and period_end > period_start),
  constraint leaderboard_snapshots_rank check (rank >= 1)
);
comment on table social.leaderboard_snapshots is
  'Final standings of finished periods (top 100), written by social_private.snapshot_leaderboards. '
  'Users read their own rows; social.leaderboard_snapshot reads a whole board.';
comment on column social.leaderboard_snapshots.id is 'The entry.';
comment on column social.leaderboard_snapshots.scope is 'global, group, city or interest.';
comment on column social.leaderboard_snapshots.scope_key is 'The group id, the lower-case city or interest; empty for global.';
comment on column social.leaderboard_snapshots.metric is 'What it ranked by.';
comment on column social.leaderboard_snapshots.period is 'week or month.';
comment on column social.leaderboard_snapshots.activity_kind is 'The kind counted, or empty for all kinds.';
comment on column social.leaderboard_snapshots.timezone is 'The time zone of the period.';
comment on column social.leaderboard_snapshots.period_start is 'When the period began.';
comment on column social.leaderboard_snapshots.period_end is 'When it ended (exclusive).';
comment on column social.leaderboard_snapshots.user_id is 'Who.';
comment on column social.leaderboard_snapshots.rank is 'Their rank (ties share one).';
comment on column social.leaderboard_snapshots.score is 'Their score.';
comment on column social.leaderboard_snapshots.created_at is 'When the snapshot was taken.';
create index leaderboard_snapshots_board_idx on social.leaderboard_snapshots
  (scope, scope_key, metric, period, timezone, period_start, rank, user_id);
create index leaderboard_snapshots_user_idx on social.leaderboard_snapshots (user_id, period_start desc);
alter table social.leaderboard_snapshots enable row level security;
grant select on social.leaderboard_snapshots to authenticated;
grant all on social.leaderboard_snapshots to service_role;

-- each user reads their own past standings
create policy leaderboard_snapshots_select_self on social.leaderboard_snapshots
  for select to authenticated
  using (user_id = (select auth.uid()));

-- Store the top p_top of one board for the period p_q describes, unless it is stored already.
create function social_private.snapshot_board(p_q social_private.leaderboard_query, p_top integer)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  if exists (
    select 1 from social.leaderboard_snapshots s
    where s.scope = p_q.scope and s.scope_key = p_q.scope_key and s.metric = p_q.metric and s.period = p_q.period
      and s.activity_kind = coalesce(p_q.activity_kind, '') and s.timezone = p_q.timezone
      and s.period_start = p_q.period_start
  ) then
    return 0;
  end if;
  insert into social.leaderboard_snapshots
    (scope, scope_key, metric, period, activity_kind, timezone, period_start, period_end, user_id, rank, score)
  select p_q.scope, p_q.scope_key, p_q.metric, p_q.period, coalesce(p_q.activity_kind, ''), p_q.timezone,
         p_q.period_start, p_q.period_end, r.user_id, r.rank, r.score
  from (
    select s.user_id, s.score, rank() over (order by s.score desc) as rank
    from social_private.leaderboard_scores(p_q, null) s
  ) r
  where r.rank <= p_top
  on conflict do nothing;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function social_private.snapshot_board(social_private.leaderboard_query, integer) is
  'Store the top p_top of one board for one finished period (once).';

-- The job: for the week and the month that ended before p_now, snapshot every enabled group board
-- (its metric, kind and time zone) and the global, city and interest boards by points (UTC).
-- Idempotent (a stored period is skipped). Returns the entries written. A plain function: pg_cron
-- runs it daily where installed (below); call it directly anywhere else.
create function social_private.snapshot_leaderboards(p_now timestamptz default now(), p_top integer default 100)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_period social.leaderboard_period;
  v_board record;
  v_q social_private.leaderboard_query;
  v_local timestamp;
  v_total integer := 0;
begin
  foreach v_period in array array['week', 'month']::social.leaderboard_period[] loop
    for v_board in
      select 'group'::social.leaderboard_scope as scope, g.group_id::text as scope_key, g.metric,
             g.activity_kind, g.timezone
      from social.group_leaderboards g where g.enabled
      union all
      select 'global', '', 'points', null, 'UTC'
      union all
      select distinct 'city'::social.leaderboard_scope, lower(d.city), 'points'::social.leaderboard_metric, null::text, 'UTC'
      from social.profile_details d join social.profiles p on p.id = d.profile_id
      where p.leaderboard_opt_in and d.city is not null and char_length(btrim(d.city)) between 1 and 100
      union all
      select distinct 'interest'::social.leaderboard_scope, i.interest, 'points'::social.leaderboard_metric, null::text, 'UTC'
      from social.profile_details d join social.profiles p on p.id = d.profile_id
      cross join lateral unnest(d.interests) as i(interest)
      where p.leaderboard_opt_in
    loop
      -- the period before the one p_now is in, in the board's time zone
      v_local := date_trunc(v_period::text, p_now at time zone v_board.timezone) - ('1 ' || v_period::text)::interval;
      v_q := row(v_board.scope, v_board.scope_key, v_board.metric, v_period, v_board.activity_kind, v_board.timezone,
                 v_local at time zone v_board.timezone,
                 (v_local + ('1 ' || v_period::text)::interval) at time zone v_board.timezone)::social_private.leaderboard_query;
      v_total := v_total + social_private.snapshot_board(v_q, p_top);
    end loop;
  end loop;
  return v_total;
end;
$$;
comment on function social_private.snapshot_leaderboards(timestamptz, integer) is
  'Job: store the final top p_top of last week and last month for every group board and the '
  'global, city and interest boards (once). pg_cron runs it daily where installed.';
grant execute on function social_private.snapshot_leaderboards(timestamptz, integer) to service_role;

-- Scheduled daily where pg_cron is installed (social_private.schedule_job).
select social_private.schedule_job('supasocial-leaderboard-snapshots', '15 0 * * *', 'select social_private.snapshot_leaderboards()');

-- The stored entries of one board and period that the caller may see: still opted in, no block
-- either way. Security definer: the entries of other users are not readable directly.
create function social_private.snapshot_entries(p_q social_private.leaderboard_query, p_viewer uuid)
returns table (rank integer, user_id uuid, handle text, display_name text, avatar_path text, score bigint)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_blocked uuid[] := social_private.user_blocked_ids(p_viewer);
begin
  return query
    select s.rank, s.user_id, p.handle::text, p.display_name, p.avatar_path, s.score
    from social.leaderboard_snapshots s
    join social.profiles p on p.id = s.user_id
    where s.scope = p_q.scope and s.scope_key = p_q.scope_key and s.metric = p_q.metric
      and s.period = p_q.period and s.timezone = p_q.timezone and s.period_start = p_q.period_start
      and s.activity_kind = coalesce(p_q.activity_kind, '')
      and p.leaderboard_opt_in and s.user_id <> all (v_blocked);
end;
$$;
comment on function social_private.snapshot_entries(social_private.leaderboard_query, uuid) is
  'The stored entries of one board and period, without users who opted out or are blocked with p_viewer.';
grant execute on function social_private.snapshot_entries(social_private.leaderboard_query, uuid)
  to authenticated, service_role;

-- A stored board of a finished period (the one containing p_at; by default the last one), ranked
-- as it ended; users who
-- opted out since, or a block with the caller, are left out (ranks stay as stored). Same access
-- rules as social.leaderboard. Pages by rank; pass next_cursor.
create function social.leaderboard_snapshot(
  p_scope text default 'global',
  p_scope_id text default null,
  p_period text default 'week',
  p_metric text default null,
  p_timezone text default null,
  p_kind text default null,
  p_at timestamptz default null,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  rank integer,
  user_id uuid,
  handle text,
  display_name text,
  avatar_path text,
  score bigint,
  is_me boolean,
  metric social.leaderboard_metric,
  period_start timestamptz,
  period_end timestamptz,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_q social_private.leaderboard_query :=
    social_private.resolve_leaderboard(p_scope, p_scope_id, p_period, p_metric, p_timezone, p_kind, p_at);
  v_limit integer := social_private.page_limit(p_limit);
  v_scope text;
  v_key social_private.page_key;
begin
  if v_q.period = 'all_time' then
    perform social_private.raise_error('invalid_input', 'invalid_period', 'snapshots are kept for weeks and months');
  end if;
  if p_at is null then
    -- the last finished period
    v_q := social_private.resolve_leaderboard(p_scope, p_scope_id, p_period, p_metric, p_timezone, p_kind,
                                              v_q.period_start - interval '1 microsecond');
  end if;
  v_scope := social_private.leaderboard_scope_text(v_q);
  v_key := social_private.decode_page_cursor('leaderboard_snapshot', 'rank', v_scope, p_cursor, true);
  return query
    with page as (
      select x.rank, x.user_id, x.handle, x.display_name, x.avatar_path, x.score,
             row_number() over (order by x.rank, x.user_id) as position
      from social_private.snapshot_entries(v_q, v_me) x
      where x.rank::double precision > v_key.score
         or (x.rank::double precision = v_key.score and x.user_id > v_key.id)
      order by x.rank, x.user_id
      limit v_limit + 1
    ),
    next as (
      select social_private.encode_page_cursor('leaderboard_snapshot', 'rank', v_scope, null,
                                               p.rank::double precision, p.user_id) as cursor
      from page p
      where p.position = v_limit and exists (select 1 from page m where m.position = v_limit + 1)
    )
    select p.rank, p.user_id, p.handle, p.display_name, p.avatar_path, p.score, p.user_id = v_me, v_q.metric,
           v_q.period_start, v_q.period_end, (select n.cursor from next n)
    from page p
    where p.position <= v_limit
    order by p.position;
end;
$$;
comment on function social.leaderboard_snapshot(text, text, text, text, text, text, timestamptz, text, integer) is
  'A stored leaderboard of a finished week or month (the one containing p_at; default the last one).';
grant execute on function social.leaderboard_snapshot(text, text, text, text, text, text, timestamptz, text, integer)
  to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
