-- Event search: events near a point (within a radius) or inside a bounding box, filtered by a
-- date range and a tag, ordered by start, and the caller's own events; every list by the one page
-- contract (core migration, "pages").
--
-- No PostGIS (the embedded PostgreSQL has none). Events carry geo_cell, the 0.1 x 0.1 degree grid
-- cell of their point (social_private.event_geo_cell), and a btree index on (geo_cell, starts_at,
-- id) of published events. A search (social_private.search_events_page, security definer) lists
-- the cells its box covers (a 10 km radius: 9-20, of which it keeps those the circle reaches) and
-- reads them nearest the centre first, each from the index in start order, stopping at a page's
-- worth, and only below the last start of the best page found so far: once the nearest cells have
-- filled a page, a cell the circle merely grazes costs a few index entries, not all of its
-- upcoming events. On each row it checks the exact box, the tag and the great-circle distance,
-- then who may see it: for an event outside a group the arms of
-- social_private.user_can_view_event, written out (the caller's blocks computed once per call,
-- follows and invites read in the same query), and for an event in a group the function itself;
-- tests/db/event-search.test.ts compares both with the function for every kind of viewer. (Under
-- RLS the policy would run before the distance on every row the index gives, calling
-- can_view_event for each non-public one.) A box of more than 400 cells (about 200 x 200 km) reads
-- the published events by start instead (events_published_start_idx) and filters the box on the
-- way. Measured by `npm run bench -- events` (nearby_p95).
-- SDK: events.nearby(), events.mine(); tests: tests/db/event-search.test.ts.

-- nearby search: the cells of a box, then start order
create index events_geo_start_idx on social.events (geo_cell, starts_at, id)
  include (latitude, longitude)
  where status = 'published' and geo_cell is not null;
-- wide boxes, and upcoming events anywhere
create index events_published_start_idx on social.events (starts_at, id)
  include (latitude, longitude)
  where status = 'published';

-- Great-circle distance in km between two points (haversine, mean Earth radius 6371.0088 km).
create function social_private.distance_km(
  p_lat1 double precision,
  p_lng1 double precision,
  p_lat2 double precision,
  p_lng2 double precision
)
returns double precision
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return 2 * 6371.0088 * asin(least(1, sqrt(
    power(sin(radians(p_lat2 - p_lat1) / 2), 2)
    + cos(radians(p_lat1)) * cos(radians(p_lat2)) * power(sin(radians(p_lng2 - p_lng1) / 2), 2)
  )));
end;
$$;
comment on function social_private.distance_km(double precision, double precision, double precision, double precision) is
  'Great-circle distance in km between (p_lat1, p_lng1) and (p_lat2, p_lng2), haversine on a sphere of 6371.0088 km.';
grant execute on function social_private.distance_km(double precision, double precision, double precision, double precision)
  to anon, authenticated, service_role;

-- The grid cells (event_geo_cell) of the box p_south..p_north, p_west..p_east (p_west > p_east:
-- the box crosses the antimeridian); null when there are more than 400.
create function social_private.event_box_cells(
  p_south double precision,
  p_west double precision,
  p_north double precision,
  p_east double precision
)
returns integer[]
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_row0 integer := floor((least(p_south, 89.999999) + 90) * 10)::integer;
  v_row1 integer := floor((least(p_north, 89.999999) + 90) * 10)::integer;
  v_col0 integer := floor((least(p_west, 179.999999) + 180) * 10)::integer;
  v_col1 integer := floor((least(p_east, 179.999999) + 180) * 10)::integer;
  v_cols integer[];
begin
  if v_col0 <= v_col1 then
    v_cols := array(select generate_series(v_col0, v_col1));
  else
    v_cols := array(select generate_series(v_col0, 3599)) || array(select generate_series(0, v_col1));
  end if;
  if (v_row1 - v_row0 + 1) * cardinality(v_cols) > 400 then
    return null;
  end if;
  return array(
    select r * 3600 + c
    from generate_series(v_row0, v_row1) r, unnest(v_cols) c
    order by 1
  );
end;
$$;
comment on function social_private.event_box_cells(double precision, double precision, double precision, double precision) is
  'The event_geo_cell values covering a box (p_west > p_east crosses the antimeridian); null when '
  'more than 400, and the search reads by start instead.';
grant execute on function social_private.event_box_cells(double precision, double precision, double precision, double precision)
  to anon, authenticated, service_role;

-- One page of published events the caller may see in a box, optionally within p_radius_km of a
-- center, starting in [p_from, p_to), with tag p_tag, by start. The body of nearby_events and
-- events_in_box; their arguments are checked by them.
-- Security definer, so that each row is checked cheaply, in this order: the index (cell, start,
-- the page's keyset), the exact box, the tag and the distance, then who may see it by the events'
-- rule (social_private.user_can_view_event): written out for events outside groups, the function
-- itself for events in groups. Keep the written-out arms in step with that function.
-- The cells are read nearest the centre first, each from the index in start order, and only
-- below the latest start of the best page found so far: once the first (covered) cells have
-- given a page, a cell the circle only grazes is read for the few events that could still get
-- on the page, not for all of its upcoming ones. plan_cache_mode: the per-cell statement runs
-- many times a call with other values; its generic plan (the index in start order) is the right
-- one, and planning it afresh for each of the first calls of a connection (custom plans) costs
-- more than the search itself.
create function social_private.search_events_page(
  p_list text,
  p_scope text,
  p_south double precision,
  p_west double precision,
  p_north double precision,
  p_east double precision,
  p_center_lat double precision,
  p_center_lng double precision,
  p_radius_km double precision,
  p_from timestamptz,
  p_to timestamptz,
  p_tag text,
  p_cursor text,
  p_limit integer
)
returns table (
  event social.events,
  distance_km double precision,
  next_cursor text
)
language plpgsql
stable
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  v_uid uuid := auth.uid();
  v_blocked uuid[] := case when v_uid is null then '{}'::uuid[] else social_private.user_blocked_ids(v_uid) end;
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor(p_list, 'start', p_scope, p_cursor, true);
  v_cells integer[] := social_private.event_box_cells(p_south, p_west, p_north, p_east);
  v_wrap boolean := p_west > p_east;
  -- the middle longitude of the box (across the antimeridian when it wraps)
  v_mid_lng double precision := case when p_west <= p_east then (p_west + p_east) / 2
                                     when (p_west + p_east + 360) / 2 > 180 then (p_west + p_east - 360) / 2
                                     else (p_west + p_east + 360) / 2 end;
  v_cell integer;
  -- the page so far (at most v_limit + 1 events, by start) and the key of its last event: a cell
  -- is read only below it once the page is full
  v_ids uuid[] := '{}';
  v_starts timestamptz[] := '{}';
  v_cell_ids uuid[];
  v_cell_starts timestamptz[];
  v_below_start timestamptz := p_to;
  v_below_id uuid := 'ffffffff-ffff-ffff-ffff-ffffffffffff';
  v_next text;
begin
  if v_cells is not null then
    -- the cells the circle reaches (the cell's point nearest the centre is within the radius),
    -- nearest first; a box's cells by their distance from its middle
    v_cells := array(
      select c.cell
      from unnest(v_cells) as c(cell)
      cross join lateral (
        select coalesce(p_center_lat, (p_south + p_north) / 2) as lat,
               coalesce(p_center_lng, v_mid_lng) as lng
      ) m
      cross join lateral (
        select (m.lng - ((c.cell % 3600) / 10.0 - 180))
               - 360 * floor((m.lng - ((c.cell % 3600) / 10.0 - 180)) / 360) as east_of_west
      ) d
      cross join lateral (
        select social_private.distance_km(
          m.lat, m.lng,
          greatest((c.cell / 3600) / 10.0 - 90, least(m.lat, (c.cell / 3600) / 10.0 - 90 + 0.1)),
          -- the cell's longitude nearest the centre, going round the antimeridian when shorter
          case
            when d.east_of_west <= 0.1 then m.lng
            when d.east_of_west - 0.1 < 360 - d.east_of_west then (c.cell % 3600) / 10.0 - 180 + 0.1
            else (c.cell % 3600) / 10.0 - 180
          end
        ) as km
      ) n
      where p_radius_km is null or n.km <= p_radius_km
      order by n.km, c.cell
    );
    foreach v_cell in array v_cells loop
      select array_agg(x.id order by x.starts_at, x.id), array_agg(x.starts_at order by x.starts_at, x.id)
        into v_cell_ids, v_cell_starts
      from (
        select e.id, e.starts_at
        from social.events e
        where e.status = 'published'
          and e.geo_cell = v_cell
          and e.starts_at >= p_from and e.starts_at < p_to
          and (e.starts_at, e.id) > (v_key.created_at, v_key.id)
          and (e.starts_at, e.id) < (v_below_start, v_below_id)
          and e.latitude between p_south and p_north
          and (case when v_wrap then e.longitude >= p_west or e.longitude <= p_east
                    else e.longitude between p_west and p_east end)
          and (p_tag is null or e.tags @> array[p_tag])
          and (p_radius_km is null
               or 2 * 6371.0088 * asin(least(1, sqrt(
                    power(sin(radians(e.latitude - p_center_lat) / 2), 2)
                    + cos(radians(p_center_lat)) * cos(radians(e.latitude))
                      * power(sin(radians(e.longitude - p_center_lng) / 2), 2)))) <= p_radius_km)
          and case
            -- user_can_view_event decided for an event outside a group, without calling it
            when e.group_id is null then
              case
                when v_uid is null then e.visibility = 'public'
                when e.organizer_id = v_uid then true
                when e.organizer_id = any (v_blocked) then false
                when e.visibility = 'public' then true
                when e.visibility = 'followers' then exists (
                  select 1 from social.follows f
                  where f.follower_id = v_uid and f.followee_id = e.organizer_id and f.status = 'accepted')
                else exists (
                  select 1 from social.event_invites i where i.event_id = e.id and i.user_id = v_uid)
              end
            else social_private.user_can_view_event(v_uid, e.id, e.organizer_id, e.group_id, e.visibility, e.status)
          end
        order by e.starts_at, e.id
        limit v_limit + 1
      ) x;
      continue when v_cell_ids is null;
      select array_agg(u.id order by u.starts_at, u.id), array_agg(u.starts_at order by u.starts_at, u.id)
        into v_ids, v_starts
      from (
        select a.id, a.starts_at
        from unnest(v_ids || v_cell_ids, v_starts || v_cell_starts) as a(id, starts_at)
        order by a.starts_at, a.id
        limit v_limit + 1
      ) u;
      if cardinality(v_ids) > v_limit then
        v_below_start := v_starts[v_limit + 1];
        v_below_id := v_ids[v_limit + 1];
      end if;
    end loop;
  else
    select array_agg(x.id order by x.starts_at, x.id), array_agg(x.starts_at order by x.starts_at, x.id)
      into v_ids, v_starts
    from (
      select e.id, e.starts_at
      from social.events e
      where e.status = 'published'
        and e.starts_at >= p_from and e.starts_at < p_to
        and (e.starts_at, e.id) > (v_key.created_at, v_key.id)
        and e.latitude between p_south and p_north
        and (case when v_wrap then e.longitude >= p_west or e.longitude <= p_east
                  else e.longitude between p_west and p_east end)
        and (p_tag is null or e.tags @> array[p_tag])
        and (p_radius_km is null
             or social_private.distance_km(p_center_lat, p_center_lng, e.latitude, e.longitude) <= p_radius_km)
        and case
          -- user_can_view_event decided for an event outside a group, without calling it
          when e.group_id is null then
            case
              when v_uid is null then e.visibility = 'public'
              when e.organizer_id = v_uid then true
              when e.organizer_id = any (v_blocked) then false
              when e.visibility = 'public' then true
              when e.visibility = 'followers' then exists (
                select 1 from social.follows f
                where f.follower_id = v_uid and f.followee_id = e.organizer_id and f.status = 'accepted')
              else exists (
                select 1 from social.event_invites i where i.event_id = e.id and i.user_id = v_uid)
            end
          else social_private.user_can_view_event(v_uid, e.id, e.organizer_id, e.group_id, e.visibility, e.status)
        end
      order by e.starts_at, e.id
      limit v_limit + 1
    ) x;
  end if;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor(p_list, 'start', p_scope, v_starts[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select e,
           case when p_center_lat is null then null
                else social_private.distance_km(p_center_lat, p_center_lng, e.latitude, e.longitude) end,
           v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(eid, position)
    join social.events e on e.id = k.eid
    order by k.position;
end;
$$;
comment on function social_private.search_events_page(text, text, double precision, double precision, double precision,
  double precision, double precision, double precision, double precision, timestamptz, timestamptz, text, text, integer) is
  'One page (the events, their distances, next_cursor) of published events the caller may see '
  '(user_can_view_event, the rule RLS uses) in a box, optionally within a radius, in a date range, '
  'with a tag, by start: the body of the nearby lists (security definer).';
grant execute on function social_private.search_events_page(text, text, double precision, double precision,
  double precision, double precision, double precision, double precision, double precision, timestamptz, timestamptz,
  text, text, integer) to anon, authenticated, service_role;

-- [p_from, p_to) of a search: from now when p_from is null, open-ended when p_to is null;
-- invalid_date_range when it is empty.
create function social_private.require_date_range(p_from timestamptz, p_to timestamptz)
returns timestamptz[]
language plpgsql
stable
set search_path = ''
as $$
declare
  v_from timestamptz := coalesce(p_from, now());
  v_to timestamptz := coalesce(p_to, 'infinity'::timestamptz);
begin
  if v_from >= v_to or v_from = '-infinity'::timestamptz then
    perform social_private.raise_error('invalid_input', 'invalid_date_range', 'from must be before to');
  end if;
  return array[v_from, v_to];
end;
$$;
comment on function social_private.require_date_range(timestamptz, timestamptz) is
  'The range [from, to) of a search (from now, open-ended by default); invalid_date_range when empty.';
grant execute on function social_private.require_date_range(timestamptz, timestamptz) to anon, authenticated, service_role;

-- Published events within p_radius_km (0.1-500) of a point, starting in [p_from (now), p_to),
-- with tag p_tag, by start, each with its distance. One page of list nearby_events; scope: every
-- argument as given (a null p_from stays "from now" on the next pages).
create function social.nearby_events(
  p_latitude double precision,
  p_longitude double precision,
  p_radius_km double precision default 10,
  p_from timestamptz default null,
  p_to timestamptz default null,
  p_tag text default null,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  organizer_id uuid,
  group_id uuid,
  title text,
  starts_at timestamptz,
  ends_at timestamptz,
  timezone text,
  location_name text,
  address text,
  latitude double precision,
  longitude double precision,
  capacity integer,
  tags text[],
  visibility social.event_visibility,
  status social.event_status,
  cover_path text,
  seats_taken integer,
  going_count integer,
  interested_count integer,
  waitlist_count integer,
  distance_km double precision,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_range timestamptz[];
  v_dlat double precision;
  v_dlng double precision;
  v_tag text := nullif(lower(btrim(p_tag)), '');
begin
  if p_latitude is null or p_longitude is null or p_latitude not between -90 and 90
     or p_longitude not between -180 and 180 or p_radius_km is null or p_radius_km not between 0.1 and 500
     or p_latitude = 'NaN' or p_longitude = 'NaN' or p_radius_km = 'NaN' then
    perform social_private.raise_error('invalid_input', 'invalid_area',
      'a point needs latitude -90..90, longitude -180..180 and a radius of 0.1-500 km');
  end if;
  v_range := social_private.require_date_range(p_from, p_to);
  v_dlat := p_radius_km / 111.195;
  v_dlng := case when abs(p_latitude) + v_dlat >= 89.9 then 180
                 else least(180, p_radius_km / (111.195 * cos(radians(abs(p_latitude) + v_dlat)))) end;
  return query
    select (s.event).id, (s.event).organizer_id, (s.event).group_id, (s.event).title, (s.event).starts_at,
           (s.event).ends_at, (s.event).timezone, (s.event).location_name, (s.event).address, (s.event).latitude,
           (s.event).longitude, (s.event).capacity, (s.event).tags, (s.event).visibility, (s.event).status,
           (s.event).cover_path, (s.event).seats_taken, (s.event).going_count, (s.event).interested_count,
           (s.event).waitlist_count, s.distance_km, s.next_cursor
    from social_private.search_events_page(
      'nearby_events',
      concat_ws('|', p_latitude, p_longitude, p_radius_km, coalesce(p_from::text, 'now'), coalesce(p_to::text, ''), coalesce(v_tag, '')),
      greatest(-90, p_latitude - v_dlat),
      case when v_dlng >= 180 then -180 when p_longitude - v_dlng < -180 then p_longitude - v_dlng + 360
           else p_longitude - v_dlng end,
      least(90, p_latitude + v_dlat),
      case when v_dlng >= 180 then 180 when p_longitude + v_dlng > 180 then p_longitude + v_dlng - 360
           else p_longitude + v_dlng end,
      p_latitude, p_longitude, p_radius_km, v_range[1], v_range[2], v_tag, p_cursor, p_limit
    ) s
    order by (s.event).starts_at, (s.event).id;
end;
$$;
comment on function social.nearby_events(double precision, double precision, double precision, timestamptz, timestamptz, text, text, integer) is
  'Published events the caller may see within p_radius_km (0.1-500, default 10) of a point, '
  'starting in [p_from, p_to) (from now, open-ended by default), with tag p_tag, soonest first, with '
  'distance_km. Paged: p_cursor, p_limit 1-50 (pass the same p_from with a cursor).';
grant execute on function social.nearby_events(double precision, double precision, double precision, timestamptz, timestamptz, text, text, integer)
  to anon, authenticated, service_role;

-- Published events inside a bounding box (p_west > p_east crosses the antimeridian), starting in
-- [p_from (now), p_to), with tag p_tag, by start. One page of list events_in_box.
create function social.events_in_box(
  p_south double precision,
  p_west double precision,
  p_north double precision,
  p_east double precision,
  p_from timestamptz default null,
  p_to timestamptz default null,
  p_tag text default null,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  organizer_id uuid,
  group_id uuid,
  title text,
  starts_at timestamptz,
  ends_at timestamptz,
  timezone text,
  location_name text,
  address text,
  latitude double precision,
  longitude double precision,
  capacity integer,
  tags text[],
  visibility social.event_visibility,
  status social.event_status,
  cover_path text,
  seats_taken integer,
  going_count integer,
  interested_count integer,
  waitlist_count integer,
  distance_km double precision,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_range timestamptz[];
  v_tag text := nullif(lower(btrim(p_tag)), '');
begin
  if p_south is null or p_north is null or p_west is null or p_east is null
     or p_south not between -90 and 90 or p_north not between -90 and 90 or p_south > p_north
     or p_west not between -180 and 180 or p_east not between -180 and 180
     or 'NaN' in (p_south, p_north, p_west, p_east) then
    perform social_private.raise_error('invalid_input', 'invalid_area',
      'a box needs south <= north within -90..90 and west, east within -180..180');
  end if;
  v_range := social_private.require_date_range(p_from, p_to);
  return query
    select (s.event).id, (s.event).organizer_id, (s.event).group_id, (s.event).title, (s.event).starts_at,
           (s.event).ends_at, (s.event).timezone, (s.event).location_name, (s.event).address, (s.event).latitude,
           (s.event).longitude, (s.event).capacity, (s.event).tags, (s.event).visibility, (s.event).status,
           (s.event).cover_path, (s.event).seats_taken, (s.event).going_count, (s.event).interested_count,
           (s.event).waitlist_count, null::double precision, s.next_cursor
    from social_private.search_events_page(
      'events_in_box',
      concat_ws('|', p_south, p_west, p_north, p_east, coalesce(p_from::text, 'now'), coalesce(p_to::text, ''), coalesce(v_tag, '')),
      p_south, p_west, p_north, p_east, null, null, null, v_range[1], v_range[2], v_tag, p_cursor, p_limit
    ) s
    order by (s.event).starts_at, (s.event).id;
end;
$$;
comment on function social.events_in_box(double precision, double precision, double precision, double precision, timestamptz, timestamptz, text, text, integer) is
  'Published events the caller may see inside a box (south, west, north, east; west > east crosses '
  'the antimeridian), starting in [p_from, p_to), with tag p_tag, soonest first. Paged: p_cursor, p_limit 1-50.';
grant execute on function social.events_in_box(double precision, double precision, double precision, double precision, timestamptz, timestamptz, text, text, integer)
  to anon, authenticated, service_role;

-- My events: those I organize (drafts included) or answered going (confirmed or waitlisted) or
-- interested, starting from p_from (default: 1 day ago), soonest first. One page of my_events;
-- scope: the caller and p_from.
create function social.my_events(
  p_from timestamptz default null,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  organizer_id uuid,
  group_id uuid,
  title text,
  starts_at timestamptz,
  ends_at timestamptz,
  timezone text,
  location_name text,
  address text,
  latitude double precision,
  longitude double precision,
  capacity integer,
  tags text[],
  visibility social.event_visibility,
  status social.event_status,
  cover_path text,
  seats_taken integer,
  going_count integer,
  interested_count integer,
  waitlist_count integer,
  is_organizer boolean,
  my_status social.rsvp_status,
  my_guests integer,
  my_waitlisted boolean,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_uid uuid := social_private.require_user();
  v_from timestamptz := coalesce(p_from, date_trunc('day', now()) - interval '1 day');
  v_scope text := v_uid::text || '|' || coalesce(p_from::text, 'default');
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('my_events', 'start', v_scope, p_cursor, true);
  v_ids uuid[];
  v_starts timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.starts_at, x.id), array_agg(x.starts_at order by x.starts_at, x.id)
    into v_ids, v_starts
  from (
    select e.id, e.starts_at
    from social.events e
    where e.starts_at >= v_from
      and (e.starts_at, e.id) > (v_key.created_at, v_key.id)
      and (
        e.organizer_id = v_uid
        or exists (select 1 from social.event_rsvps r
                   where r.event_id = e.id and r.user_id = v_uid and r.status in ('going', 'interested'))
      )
    order by e.starts_at, e.id
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('my_events', 'start', v_scope, v_starts[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select e.id, e.organizer_id, e.group_id, e.title, e.starts_at, e.ends_at, e.timezone, e.location_name,
           e.address, e.latitude, e.longitude, e.capacity, e.tags, e.visibility, e.status, e.cover_path,
           e.seats_taken, e.going_count, e.interested_count, e.waitlist_count,
           e.organizer_id = v_uid, r.status, r.guests, r.waitlist_seq is not null, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(eid, position)
    join social.events e on e.id = k.eid
    left join social.event_rsvps r on r.event_id = e.id and r.user_id = v_uid
    order by k.position;
end;
$$;
comment on function social.my_events(timestamptz, text, integer) is
  'Events I organize or answered going (confirmed or waitlisted) or interested, starting from '
  'p_from (default: yesterday), soonest first, with my RSVP. Paged: p_cursor, p_limit 1-50.';
grant execute on function social.my_events(timestamptz, text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
