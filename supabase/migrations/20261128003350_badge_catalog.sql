-- Badges, continued: the callable backfill (a definition added later is awarded to those who
-- already qualify), the reads (a profile's badges and summary, the caller's progress toward each
-- badge) and the default catalog. Definitions, evaluation and awards: 20261128003300_badges.sql.
-- SDK: social.gamification (badges, progress, badgeSummary); tests:
-- tests/db/gamification-badges.test.ts.

-- =====================================================================================
-- backfill
-- =====================================================================================

-- Award p_badge_id to every user who already meets it; returns how many awards were made.
-- p_notify: also notify, toast and post as for a live award (off by default: a new badge given
-- to thousands at once would flood inboxes). Bonus points and all_of badges follow either way.
create function social_private.backfill_badge(p_badge_id uuid, p_notify boolean default false)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_badge social.badges;
  v_quiet text := current_setting('social.quiet_badges', true);
  v_count integer;
begin
  select * into v_badge from social.badges b where b.id = p_badge_id;
  if v_badge.id is null then
    perform social_private.raise_error('not_found', 'badge_not_found', 'no such badge');
  end if;
  if not v_badge.active then
    return 0;
  end if;
  perform set_config('social.quiet_badges', case when coalesce(p_notify, false) then 'off' else 'on' end, true);
  insert into social.user_badges (user_id, badge_id)
  select q.user_id, v_badge.id
  from (
    select s.user_id from social.activity_stats s
    where v_badge.criterion in ('first', 'count', 'streak', 'metric')
      and s.kind = v_badge.activity_kind
      and (v_badge.criterion <> 'count' or (v_badge.period is null and not v_badge.per_group and v_badge.group_id is null))
      and case v_badge.criterion
        when 'first' then s.activity_count >= 1
        when 'count' then s.activity_count >= v_badge.threshold
        when 'streak' then s.longest_streak >= v_badge.threshold
        else case v_badge.direction
          when 'decrease' then s.first_value - s.min_value >= v_badge.threshold
          when 'increase' then s.max_value - s.first_value >= v_badge.threshold
          else s.max_value >= v_badge.threshold
        end
      end
    union
    select a.user_id from social.activities a
    where v_badge.criterion = 'count'
      and (v_badge.period is not null or v_badge.per_group or v_badge.group_id is not null)
      and a.kind = v_badge.activity_kind
      and (not (v_badge.per_group or v_badge.group_id is not null) or a.group_id is not null)
      and (v_badge.group_id is null or a.group_id = v_badge.group_id)
    group by a.user_id,
             case when v_badge.per_group or v_badge.group_id is not null then a.group_id end,
             case when v_badge.period is not null then date_trunc(v_badge.period::text, a.local_day::timestamp) end
    having count(*) >= v_badge.threshold
    union
    select ub.user_id from social.user_badges ub
    join social.badges rb on rb.id = ub.badge_id
    where v_badge.criterion = 'all_of' and rb.code = any (v_badge.required_badges)
    group by ub.user_id
    having count(distinct rb.code) = (select count(distinct c) from unnest(v_badge.required_badges) c)
  ) q
  on conflict do nothing;
  get diagnostics v_count = row_count;
  perform set_config('social.quiet_badges', coalesce(v_quiet, ''), true);
  -- the watch of everyone with statistics of the kind, as of now (rows whose watch is right
  -- already are left alone)
  if v_badge.activity_kind is not null then
    update social.activity_stats s
    set badge_watch = w.watch, badge_watch_version = w.version
    from (
      select x.user_id, social_private.badge_watch(x.kind, x.badge_ids) as watch,
             (select coalesce(max(bv.version), 0) from social_private.kind_badge_versions bv
              where bv.kind = x.kind) as version
      from social.activity_stats x
      where x.kind = v_badge.activity_kind
    ) w
    where s.user_id = w.user_id and s.kind = v_badge.activity_kind
      and (s.badge_watch is distinct from w.watch or s.badge_watch_version is distinct from w.version);
  end if;
  return v_count;
end;
$$;
comment on function social_private.backfill_badge(uuid, boolean) is
  'Award a badge to everyone who already meets it (e.g. after adding it); p_notify: notify them too.';
grant execute on function social_private.backfill_badge(uuid, boolean) to service_role;

-- Award the badge with code p_code to everyone who already meets it (the service role: the
-- host app's backend, or Studio). Returns how many awards were made.
create function social.backfill_badge(p_code text, p_notify boolean default false)
returns integer
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_id uuid;
begin
  select b.id into v_id from social.badges b where b.code = p_code;
  if v_id is null then
    perform social_private.raise_error('not_found', 'badge_not_found', format('no badge %L', p_code));
  end if;
  return social_private.backfill_badge(v_id, p_notify);
end;
$$;
comment on function social.backfill_badge(text, boolean) is
  'Service role: award badge p_code to everyone who already meets it; p_notify to notify them.';
grant execute on function social.backfill_badge(text, boolean) to service_role;

-- =====================================================================================
-- reading
-- =====================================================================================

-- The badges the activity p_activity_id earned (as the caller may see them), as a JSON array.
create function social_private.badges_of_activity(p_activity_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_agg(social_private.badge_json(b) || jsonb_build_object('earned_at', ub.earned_at)
                            order by ub.earned_at, b.sort_order, b.code), '[]'::jsonb)
  from social.user_badges ub
  join social.badges b on b.id = ub.badge_id
  where ub.activity_id = p_activity_id;
$$;
comment on function social_private.badges_of_activity(uuid) is 'The badges an activity earned, as a JSON array.';
grant execute on function social_private.badges_of_activity(uuid) to authenticated, service_role;

-- The badges of p_profile_id the caller may see (RLS), latest first.
create function social.profile_badges(p_profile_id uuid)
returns table (
  badge_id uuid,
  code text,
  name text,
  description text,
  icon text,
  tier social.badge_tier,
  points integer,
  earned_at timestamptz,
  group_id uuid
)
language sql
stable
security invoker
set search_path = ''
as $$
  select b.id, b.code, b.name, b.description, b.icon, b.tier, b.points, ub.earned_at, ub.group_id
  from social.user_badges ub
  join social.badges b on b.id = ub.badge_id
  where ub.user_id = p_profile_id
  order by ub.earned_at desc, b.code;
$$;
comment on function social.profile_badges(uuid) is
  'The badges a profile earned that the caller may see (the owner; viewers of its details), latest first.';
grant execute on function social.profile_badges(uuid) to anon, authenticated, service_role;

-- A profile's badges in brief, as a profile screen shows them: how many, how many per tier and
-- the latest three (empty when the caller may not see them).
create function social.badge_summary(p_profile_id uuid)
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select jsonb_build_object(
    'total', count(*),
    'by_tier', jsonb_build_object(
      'bronze', count(*) filter (where b.tier = 'bronze'),
      'silver', count(*) filter (where b.tier = 'silver'),
      'gold', count(*) filter (where b.tier = 'gold'),
      'platinum', count(*) filter (where b.tier = 'platinum')
    ),
    'latest', coalesce((
      select jsonb_agg(x.badge order by x.earned_at desc)
      from (
        select social_private.badge_json(lb) || jsonb_build_object('earned_at', lub.earned_at) as badge, lub.earned_at
        from social.user_badges lub
        join social.badges lb on lb.id = lub.badge_id
        where lub.user_id = p_profile_id
        order by lub.earned_at desc, lb.code
        limit 3
      ) x
    ), '[]'::jsonb)
  )
  from social.user_badges ub
  join social.badges b on b.id = ub.badge_id
  where ub.user_id = p_profile_id;
$$;
comment on function social.badge_summary(uuid) is
  'A profile''s badges in brief: total, per tier and the latest three (what the caller may see).';
grant execute on function social.badge_summary(uuid) to anon, authenticated, service_role;

-- Every badge with the caller's progress toward it ("7 of 10 workouts"): progress and target,
-- earned_at when earned. Period counts are counted in today's period, per-group counts in the
-- caller's best group, streaks by the live current streak (the longest once earned).
create function social.my_badge_progress()
returns table (
  badge_id uuid,
  code text,
  name text,
  description text,
  icon text,
  tier social.badge_tier,
  criterion social.badge_criterion,
  activity_kind text,
  points integer,
  progress numeric,
  target numeric,
  earned_at timestamptz
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
    select b.id, b.code, b.name, b.description, b.icon, b.tier, b.criterion, b.activity_kind, b.points,
           least(
             case b.criterion
               when 'first' then least(coalesce(s.activity_count, 0), 1)::numeric
               when 'count' then
                 case
                   when b.period is null and not b.per_group and b.group_id is null then coalesce(s.activity_count, 0)
                   when b.group_id is not null then
                     social_private.scoped_activity_count(v_me, b.activity_kind, b.period, v_today, b.group_id, b.threshold::integer)
                   when b.per_group then coalesce((
                     select max(social_private.scoped_activity_count(v_me, b.activity_kind, b.period, v_today, g.group_id,
                                                                     b.threshold::integer))
                     from (select distinct a.group_id from social.activities a
                           where a.group_id is not null and a.user_id = v_me and a.kind = b.activity_kind) g
                   ), 0)
                   else social_private.scoped_activity_count(v_me, b.activity_kind, b.period, v_today, null, b.threshold::integer)
                 end::numeric
               when 'streak' then
                 case when ub.earned_at is not null then coalesce(s.longest_streak, 0)
                      else social_private.streak_current(s.current_streak, s.last_day, s.streak_freezes, v_today) end::numeric
               when 'metric' then
                 greatest(case b.direction
                   when 'decrease' then s.first_value - s.min_value
                   when 'increase' then s.max_value - s.first_value
                   else s.max_value
                 end, 0)
               else (
                 select count(distinct rb.code)::numeric from social.user_badges rub
                 join social.badges rb on rb.id = rub.badge_id
                 where rub.user_id = v_me and rb.code = any (b.required_badges)
               )
             end,
             case b.criterion when 'first' then 1::numeric
                              when 'all_of' then (select count(distinct c) from unnest(b.required_badges) c)::numeric
                              else b.threshold end
           ),
           case b.criterion when 'first' then 1::numeric
                            when 'all_of' then (select count(distinct c) from unnest(b.required_badges) c)::numeric
                            else b.threshold end,
           ub.earned_at
    from social.badges b
    left join social.activity_stats s on s.user_id = v_me and s.kind = b.activity_kind
    left join social.user_badges ub on ub.user_id = v_me and ub.badge_id = b.id
    where b.active or ub.earned_at is not null
    order by b.sort_order, b.activity_kind nulls last, b.tier, b.threshold nulls first, b.code;
end;
$$;
comment on function social.my_badge_progress() is
  'Every badge with my progress toward it (progress of target) and when I earned it.';
grant execute on function social.my_badge_progress() to authenticated, service_role;

-- =====================================================================================
-- the default catalog
-- =====================================================================================

insert into social.badges
  (code, name, description, icon, tier, criterion, activity_kind, threshold, period, per_group, direction, points, sort_order)
values
  ('streak_3', '3-day streak', 'Work out 3 days in a row.', 'flame', 'bronze', 'streak', 'workout_completed', 3, null, false, null, 10, 10),
  ('streak_7', '7-day streak', 'Work out 7 days in a row.', 'flame', 'silver', 'streak', 'workout_completed', 7, null, false, null, 25, 10),
  ('streak_30', '30-day streak', 'Work out 30 days in a row.', 'flame', 'gold', 'streak', 'workout_completed', 30, null, false, null, 100, 10),
  ('streak_100', '100-day streak', 'Work out 100 days in a row.', 'flame', 'platinum', 'streak', 'workout_completed', 100, null, false, null, 500, 10),
  ('first_workout', 'First workout', 'Complete your first workout.', 'dumbbell', 'bronze', 'first', 'workout_completed', null, null, false, null, 5, 20),
  ('workouts_10', '10 workouts', 'Complete 10 workouts.', 'dumbbell', 'bronze', 'count', 'workout_completed', 10, null, false, null, 20, 20),
  ('workouts_50', '50 workouts', 'Complete 50 workouts.', 'dumbbell', 'silver', 'count', 'workout_completed', 50, null, false, null, 50, 20),
  ('workouts_100', '100 workouts', 'Complete 100 workouts.', 'dumbbell', 'gold', 'count', 'workout_completed', 100, null, false, null, 100, 20),
  ('weekly_warrior', 'Weekly warrior', 'Complete 5 workouts in one week.', 'calendar', 'silver', 'count', 'workout_completed', 5, 'week', false, null, 25, 20),
  ('weight_down_1', 'First kilo', 'Lose 1 kg from your first weigh-in.', 'scale', 'bronze', 'metric', 'weight_logged', 1, null, false, 'decrease', 10, 30),
  ('weight_down_5', '5 kg down', 'Lose 5 kg from your first weigh-in.', 'scale', 'silver', 'metric', 'weight_logged', 5, null, false, 'decrease', 50, 30),
  ('weight_down_10', '10 kg down', 'Lose 10 kg from your first weigh-in.', 'scale', 'gold', 'metric', 'weight_logged', 10, null, false, 'decrease', 100, 30),
  ('nutrition_streak_7', 'Mindful week', 'Log your nutrition 7 days in a row.', 'apple', 'silver', 'streak', 'nutrition_logged', 7, null, false, null, 25, 40),
  ('nutrition_streak_30', 'Mindful month', 'Log your nutrition 30 days in a row.', 'apple', 'gold', 'streak', 'nutrition_logged', 30, null, false, null, 100, 40),
  ('event_enthusiast', 'Event Enthusiast', 'Attend 10 events.', 'ticket', 'silver', 'count', 'event_attended', 10, null, false, null, 50, 50),
  ('club_joined', 'Joiner', 'Join your first club or group.', 'users', 'bronze', 'first', 'group_joined', null, null, false, null, 5, 60),
  ('clubs_5', 'Club hopper', 'Join 5 clubs or groups.', 'users', 'silver', 'count', 'group_joined', 5, null, false, null, 25, 60),
  ('first_post', 'First post', 'Write your first post.', 'pencil', 'bronze', 'first', 'post_created', null, null, false, null, 5, 70),
  ('group_regular', 'Regular', 'Write 10 posts in one group.', 'message', 'silver', 'count', 'post_created', 10, null, true, null, 25, 70),
  ('popular_post', 'Popular post', 'Get 10 reactions on a post.', 'star', 'silver', 'first', 'post_popular', null, null, false, null, 25, 70),
  ('check_in_streak_7', 'Daily regular', 'Check in 7 days in a row.', 'check', 'bronze', 'streak', 'check_in', 7, null, false, null, 10, 80);

insert into social.badges (code, name, description, icon, tier, criterion, required_badges, points, sort_order)
values ('trailblazer', 'Trailblazer', 'Write a post, complete a workout and join a club.', 'compass', 'gold',
        'all_of', array['first_post', 'first_workout', 'club_joined'], 50, 90);

revoke execute on all functions in schema social, social_private from public;
