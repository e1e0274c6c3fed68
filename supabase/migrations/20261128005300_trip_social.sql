-- Trips in the social layer: the cover (media of target `trip`, in the private social-posts
-- bucket, readable exactly by whoever sees the trip), trip posts (kind `trip`: created, a day
-- planned, done) with the trip card, visible per the trip's visibility; the map query (trips and
-- their places in a bounding box and a date range, never beyond their audience); the
-- gamification hook. Tables: 20261128005000_trips.sql. SDK: withTrips(client).trips; tests:
-- tests/db/trips.test.ts.
--
-- Gamification: social_private.trip_activity_hook(user, kind, trip, data) records an activity
-- when a trip is created (kind trip_planned, for the owner) and when it is marked done (kind
-- places_visited, for every member, value = the number of places), once per trip; the kinds,
-- their points and two badges (first_trip, explorer) are added here.

-- =====================================================================================
-- the cover: media of target `trip` (the media domain's hooks, 20261128001500_media.sql and
-- 001600_media_attachments.sql)
-- =====================================================================================

-- The `trip` target of the media registry (20261128001500_media.sql): covers go to social-posts,
-- a private bucket, and are read by whoever sees the trip (can_view_trip). The registration
-- regenerates social_private.can_view_media and social_private.media_bucket with this target.
insert into social_private.media_targets (target, bucket_id, read_check)
values ('trip', 'social-posts', 'social_private.can_view_trip(uuid)');

-- Before a trip's cover_media_id changes: an uploaded, not rejected image of social-posts
-- uploaded by the user setting it, not attached elsewhere; `cover` is completed from it.
create function social_private.handle_trip_cover()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.cover_media_id is null then
    new.cover := null;
    return new;
  end if;
  if tg_op = 'UPDATE' and new.cover_media_id is not distinct from old.cover_media_id then
    return new;
  end if;
  if exists (select 1 from social.media m where m.id = new.cover_media_id and m.kind <> 'image') then
    perform social_private.raise_error('invalid_input', 'invalid_media', 'a trip cover is an image');
  end if;
  new.cover := social_private.resolve_media_list(
    jsonb_build_array(jsonb_build_object('id', new.cover_media_id)), 'trip', new.id,
    coalesce(auth.uid(), new.owner_id)) -> 0;
  return new;
end;
$$;
comment on function social_private.handle_trip_cover() is
  'Trigger function (before insert or update of cover_media_id on trips, on_trips_cover): checks '
  'the cover (an uploaded image of the user setting it, in social-posts, not rejected or used '
  'elsewhere: media_not_found, invalid_media, media_rejected, media_in_use, media_not_uploaded) and '
  'completes trips.cover from it.';
create trigger on_trips_cover before insert or update of cover_media_id on social.trips
  for each row execute function social_private.handle_trip_cover();

-- After cover_media_id changed: attach the new cover to the trip, detach the previous one.
create function social_private.handle_trip_cover_written()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.cover_media_id is not distinct from old.cover_media_id then
    return null;
  end if;
  perform social_private.attach_media('trip', new.id, null,
    case when new.cover_media_id is null then '[]'::jsonb
         else jsonb_build_array(jsonb_build_object('id', new.cover_media_id)) end);
  return null;
end;
$$;
comment on function social_private.handle_trip_cover_written() is
  'Trigger function (after insert or update of cover_media_id on trips, on_trips_cover_written): '
  'attaches the new cover to the trip and detaches the previous one.';
create trigger on_trips_cover_written after insert or update of cover_media_id on social.trips
  for each row execute function social_private.handle_trip_cover_written();

-- A deleted trip's cover becomes unattached (the clean-up job removes it).
create function social_private.handle_trip_deleted_media()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update social.media m set target_id = null, attached_at = null, group_id = null
  where m.target_type = 'trip' and m.target_id = old.id;
  return null;
end;
$$;
comment on function social_private.handle_trip_deleted_media() is
  'Trigger function (after delete on trips, on_trips_deleted_media): detaches the cover.';
create trigger on_trips_deleted_media after delete on social.trips
  for each row when (old.cover_media_id is not null)
  execute function social_private.handle_trip_deleted_media();

-- =====================================================================================
-- gamification hook
-- =====================================================================================

-- Two activity kinds (20261128003000_activities.sql), recorded only by this hook, with their
-- points (daily capped, so creating and deleting trips earns little) and two badges.
insert into social.activity_kinds (code, name, description, unit, user_reportable)
values
  ('trip_planned', 'Trip planned', 'The user created a trip (recorded by Supasocial).', null, false),
  ('places_visited', 'Trip completed', 'A trip the user was on was marked done; value is the number of places on its itinerary (recorded by Supasocial).',
   'places', false);
insert into social.point_rules (activity_kind, points, daily_limit) values ('trip_planned', 5, 1), ('places_visited', 10, 2);
insert into social.badges
  (code, name, description, icon, tier, criterion, activity_kind, threshold, period, per_group, direction, points, sort_order)
values
  ('first_trip', 'Trip planner', 'Plan your first trip.', 'map', 'bronze', 'first', 'trip_planned', null, null, false, null, 5, 100),
  ('explorer', 'Explorer', 'Complete 5 trips.', 'globe', 'silver', 'count', 'places_visited', 5, null, false, null, 50, 100);

-- Called when a trip is created (p_kind trip_planned, for the owner) and marked done (p_kind
-- places_visited, for every member, p_data {places: n}): records the activity once per user,
-- kind and trip (key trip:<id>), so marking a trip done again records nothing new.
create function social_private.trip_activity_hook(p_user_id uuid, p_kind text, p_trip_id uuid, p_data jsonb)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  insert into social.activities (user_id, kind, value, payload, idempotency_key)
  values (p_user_id, p_kind, (p_data ->> 'places')::numeric, jsonb_build_object('trip_id', p_trip_id),
          'trip:' || p_trip_id::text)
  on conflict (user_id, kind, idempotency_key) do nothing;
end;
$$;
comment on function social_private.trip_activity_hook(uuid, text, uuid, jsonb) is
  'Gamification: records trip_planned (owner, on creation) and places_visited (each member, when the '
  'trip is done, value = p_data.places) once per user, kind and trip.';

-- =====================================================================================
-- trip posts
-- =====================================================================================

-- The post visibility of a trip's posts: public and followers as the trip; private trips' posts
-- are the owner's only.
create function social_private.trip_post_visibility(p_visibility social.trip_visibility)
returns social.post_visibility
language sql
immutable
set search_path = ''
as $$
  select case p_visibility when 'public' then 'public' when 'followers' then 'followers' else 'private' end::social.post_visibility;
$$;
comment on function social_private.trip_post_visibility(social.trip_visibility) is
  'The visibility of a trip''s posts: public -> public, followers -> followers, private -> private (the owner only).';
grant execute on function social_private.trip_post_visibility(social.trip_visibility) to authenticated, service_role;

-- Post a trip update (p_event created, day_planned, done) on the owner's profile, with the trip
-- card in data, when the trip is public or followers. A post the owner's post rate limit refuses
-- is skipped: the trip write itself must not fail for its feed post.
create function social_private.post_trip_update(p_trip social.trips, p_event text, p_extra jsonb)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if p_trip.visibility = 'private' then
    return;
  end if;
  begin
    insert into social.posts (author_id, kind, ref_type, ref_id, visibility, data)
    values (
      p_trip.owner_id, 'trip', 'trip', p_trip.id, social_private.trip_post_visibility(p_trip.visibility),
      jsonb_build_object(
        'event', p_event,
        'actor_id', coalesce(auth.uid(), p_trip.owner_id),
        'trip', jsonb_build_object('id', p_trip.id, 'title', p_trip.title, 'destination_name', p_trip.destination_name,
                                   'start_date', p_trip.start_date, 'end_date', p_trip.end_date,
                                   'status', p_trip.status, 'cover', p_trip.cover)
      ) || coalesce(p_extra, '{}')
    );
  exception when sqlstate 'PT429' then
    return;
  end;
end;
$$;
comment on function social_private.post_trip_update(social.trips, text, jsonb) is
  'Posts a trip update (created, day_planned, done) on the owner''s profile as a trip post with the '
  'trip card, visible as the trip (none for private trips); skipped when the post rate limit refuses it.';

-- After a trip is created or its status or visibility changes: posts and the gamification hook.
create function social_private.handle_trip_social()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_places integer;
begin
  if tg_op = 'INSERT' then
    perform social_private.post_trip_update(new, 'created', null);
    perform social_private.trip_activity_hook(new.owner_id, 'trip_planned', new.id, '{}');
    return null;
  end if;
  if new.visibility is distinct from old.visibility then
    update social.posts p set visibility = social_private.trip_post_visibility(new.visibility)
    where p.ref_type = 'trip' and p.ref_id = new.id and p.author_id = new.owner_id;
  end if;
  if new.status = 'done' and old.status is distinct from 'done' then
    perform social_private.post_trip_update(new, 'done', null);
    select count(*) into v_places from social.trip_items i where i.trip_id = new.id and i.place_lat is not null;
    perform social_private.trip_activity_hook(m.user_id, 'places_visited', new.id, jsonb_build_object('places', v_places))
    from social.trip_members m where m.trip_id = new.id;
  end if;
  return null;
end;
$$;
comment on function social_private.handle_trip_social() is
  'Trigger function (after insert or update of status, visibility on trips, on_trips_social): trip '
  'posts (created, done), their visibility following the trip''s, and the gamification hook.';
create trigger on_trips_social after insert or update of status, visibility on social.trips
  for each row execute function social_private.handle_trip_social();

-- After an item is added: the first item of a day posts "a day planned" (once per day).
create function social_private.handle_trip_day_planned()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_trip social.trips;
  v_day social.trip_days;
begin
  if exists (select 1 from social.trip_items i where i.day_id = new.day_id and i.id <> new.id) then
    return null;
  end if;
  select * into v_trip from social.trips t where t.id = new.trip_id;
  if v_trip.visibility = 'private'
     or exists (select 1 from social.posts p
                where p.ref_type = 'trip' and p.ref_id = new.trip_id and p.data ->> 'day_id' = new.day_id::text) then
    return null;
  end if;
  select * into v_day from social.trip_days d where d.id = new.day_id;
  perform social_private.post_trip_update(v_trip, 'day_planned',
    jsonb_build_object('day_id', v_day.id, 'day_date', v_day.day_date, 'day_title', v_day.title));
  return null;
end;
$$;
comment on function social_private.handle_trip_day_planned() is
  'Trigger function (after insert on trip_items, on_trip_items_day_planned): the first item of a '
  'day posts a day_planned trip post (once per day; not for private trips).';
create trigger on_trip_items_day_planned after insert on social.trip_items
  for each row execute function social_private.handle_trip_day_planned();

-- =====================================================================================
-- the map
-- =====================================================================================

-- Trips and their places in a bounding box (degrees; min_lng > max_lng crosses the antimeridian)
-- and, when given, overlapping a date range, as the caller may see them (security invoker: the
-- trips and items policies decide; anon sees public trips of public profiles). Each row is a
-- point: the trip's destination (kind destination) or an item's place (kind place). Newest trips
-- first.
create function social.trip_map(
  p_min_lat double precision,
  p_min_lng double precision,
  p_max_lat double precision,
  p_max_lng double precision,
  p_from date default null,
  p_to date default null,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  kind text,
  id uuid,
  trip_id uuid,
  title text,
  place_name text,
  lat double precision,
  lng double precision,
  category social.trip_item_category,
  day_date date,
  start_date date,
  end_date date,
  trip_created_at timestamptz,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_scope text := concat_ws('|', p_min_lat, p_min_lng, p_max_lat, p_max_lng, p_from, p_to);
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key;
  v_wraps boolean := p_min_lng > p_max_lng;
  v_next text;
  v_page jsonb;
begin
  if p_min_lat is null or p_max_lat is null or p_min_lng is null or p_max_lng is null
     or p_min_lat not between -90 and 90 or p_max_lat not between -90 and 90
     or p_min_lng not between -180 and 180 or p_max_lng not between -180 and 180 or p_min_lat > p_max_lat then
    perform social_private.raise_error('invalid_input', 'invalid_bounds',
      'a box is min_lat <= max_lat in -90..90 and min_lng, max_lng in -180..180');
  end if;
  if (p_from is null) <> (p_to is null) or p_to < p_from then
    perform social_private.raise_error('invalid_input', 'invalid_dates', 'give a date range from <= to, or none');
  end if;
  v_key := social_private.decode_page_cursor('trip_map', 'latest', v_scope, p_cursor);
  select coalesce(jsonb_agg(to_jsonb(x) order by x.trip_created_at desc, x.id desc), '[]') into v_page
  from (
    select y.* from (
      select 'destination'::text as kind, t.id, t.id as trip_id, t.title, t.destination_name as place_name,
             t.destination_lat as lat, t.destination_lng as lng, null::social.trip_item_category as category,
             null::date as day_date, t.start_date, t.end_date, t.created_at as trip_created_at
      from social.trips t
      where t.destination_lat between p_min_lat and p_max_lat
        and (case when v_wraps then t.destination_lng >= p_min_lng or t.destination_lng <= p_max_lng
                  else t.destination_lng between p_min_lng and p_max_lng end)
        and (p_from is null or (t.start_date <= p_to and t.end_date >= p_from))
      union all
      select 'place', i.id, t.id, i.title, i.place_name, i.place_lat, i.place_lng, i.category, d.day_date,
             t.start_date, t.end_date, t.created_at
      from social.trip_items i
      join social.trips t on t.id = i.trip_id
      join social.trip_days d on d.id = i.day_id
      where i.place_lat between p_min_lat and p_max_lat
        and (case when v_wraps then i.place_lng >= p_min_lng or i.place_lng <= p_max_lng
                  else i.place_lng between p_min_lng and p_max_lng end)
        and (p_from is null or coalesce(d.day_date between p_from and p_to, t.start_date <= p_to and t.end_date >= p_from))
    ) y
    where (y.trip_created_at, y.id) < (v_key.created_at, v_key.id)
    order by y.trip_created_at desc, y.id desc
    limit v_limit + 1
  ) x;
  if jsonb_array_length(v_page) > v_limit then
    v_next := social_private.encode_page_cursor('trip_map', 'latest', v_scope,
      (v_page -> (v_limit - 1) ->> 'trip_created_at')::timestamptz, null, (v_page -> (v_limit - 1) ->> 'id')::uuid);
  end if;
  return query
    select e.value ->> 'kind', (e.value ->> 'id')::uuid, (e.value ->> 'trip_id')::uuid, e.value ->> 'title',
           e.value ->> 'place_name', (e.value ->> 'lat')::double precision, (e.value ->> 'lng')::double precision,
           (e.value ->> 'category')::social.trip_item_category, (e.value ->> 'day_date')::date,
           (e.value ->> 'start_date')::date, (e.value ->> 'end_date')::date,
           (e.value ->> 'trip_created_at')::timestamptz, v_next
    from jsonb_array_elements(v_page) with ordinality as e(value, position)
    where e.position <= v_limit
    order by e.position;
end;
$$;
comment on function social.trip_map(double precision, double precision, double precision, double precision, date, date, text, integer) is
  'Trips (their destinations) and their places in a bounding box and, when given, a date range, as '
  'the caller may see them; newest trips first. p_cursor: the next_cursor of the previous page '
  '(same box and dates); p_limit 1-50.';
grant execute on function social.trip_map(double precision, double precision, double precision, double precision, date, date, text, integer)
  to anon, authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
