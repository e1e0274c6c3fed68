-- Itinerary: a trip's days and items (time, title, place with coordinates, notes, links,
-- category, cost estimate). Comments and votes on items, live changes on trip:<id>, opening a
-- trip in one call (get_trip) and through a share link (view_shared_trip), and the lists:
-- 20261128005250_itinerary_live.sql.
-- SDK: withTrips(client).trips (addDay, addItem, updateItem, moveItem, ...); tests:
-- tests/db/trips.test.ts; benchmark: npm run bench -- trips.
--
-- Ordering: days within a trip and items within a day carry a fractional key (`position`, text
-- in the C collation, base-62 digits 0-9A-Za-z): a new or moved row gets a key strictly between
-- its neighbours' (social_private.key_between), computed by the database from the neighbours as
-- they are when the write runs. Writing one row's key never rewrites another row, so two editors
-- who move or add items at the same moment never lose either change; two rows that land on the
-- same key (both put after the same item at once) are ordered by id, and the next insert between
-- them goes after both. Lists are ordered by (position, id).
--
-- Edits carry the version the editor read (p_version): the row is written only while its
-- version is still that one, and bumped; otherwise the answer is `conflict` (HTTP 409) and
-- nothing is written, so the editor rereads and reapplies. Moves need no version (they touch only
-- day and position, which an edit never changes), so a move and an edit of the same item both
-- land.
--
-- Live: every change of a day, item, comment or vote is broadcast by a trigger on the trip's
-- private topic trip:<id> (events `day`, `item`, `comment`, `vote`, with {op, ...row}) when the
-- transaction commits; the trip's own changes go out as `trip` and memberships as `member`.

-- =====================================================================================
-- fractional keys
-- =====================================================================================

-- The base-62 digits of fractional keys, in the C collation's order.
create function social_private.key_digits()
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'::text;
$$;
comment on function social_private.key_digits() is
  'The 62 digits of fractional ordering keys, 0-9A-Za-z, in ascending (C collation) order.';
grant execute on function social_private.key_digits() to authenticated, service_role;

-- A key strictly between p_lower and p_upper (null: no bound), with no trailing 0 so that a key
-- always fits between any two. Keys compare as text in the C collation. Raises invalid_position
-- when p_lower >= p_upper.
create function social_private.key_between(p_lower text, p_upper text)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  v_digits text := social_private.key_digits();
  v_lower text := coalesce(p_lower, '');
  v_upper text := p_upper;
  v_prefix text := '';
  v_lo integer;
  v_hi integer;
  v_a text;
begin
  if v_upper is not null and v_lower collate "C" >= v_upper collate "C" then
    perform social_private.raise_error('invalid_input', 'invalid_position', 'the neighbours are not in order');
  end if;
  loop
    if v_upper is not null then
      -- skip the common prefix (a shorter lower key reads as padded with 0)
      while char_length(v_upper) > 0
            and coalesce(nullif(substr(v_lower, 1, 1), ''), '0') = substr(v_upper, 1, 1) loop
        v_prefix := v_prefix || substr(v_upper, 1, 1);
        v_lower := substr(v_lower, 2);
        v_upper := substr(v_upper, 2);
      end loop;
    end if;
    v_a := nullif(substr(v_lower, 1, 1), '');
    v_lo := coalesce(strpos(v_digits, v_a) - 1, 0);
    v_hi := case when v_upper is null or v_upper = '' then 62 else strpos(v_digits, substr(v_upper, 1, 1)) - 1 end;
    if v_hi - v_lo > 1 then
      return v_prefix || substr(v_digits, (v_lo + v_hi) / 2 + 1, 1);
    end if;
    -- adjacent digits: the upper key's first digit alone fits when the upper key goes on
    if v_upper is not null and char_length(v_upper) > 1 then
      return v_prefix || substr(v_upper, 1, 1);
    end if;
    -- else keep the lower digit and look for a key above the rest of the lower key
    v_prefix := v_prefix || substr(v_digits, v_lo + 1, 1);
    v_lower := substr(v_lower, 2);
    v_upper := null;
  end loop;
end;
$$;
comment on function social_private.key_between(text, text) is
  'A fractional ordering key strictly between p_lower and p_upper (null: unbounded), base-62 '
  '(0-9A-Za-z, C collation), never ending in 0; raises invalid_position when they are not in order.';
grant execute on function social_private.key_between(text, text) to authenticated, service_role;

-- =====================================================================================
-- types and tables
-- =====================================================================================

create type social.trip_item_category as enum (
  'sight', 'food', 'lodging', 'transport', 'activity', 'shopping', 'other'
);
comment on type social.trip_item_category is
  'What an itinerary item is: sight, food, lodging, transport, activity, shopping or other.';

create table social.trip_days (
  id uuid primary key default gen_random_uuid(),
  trip_id uuid not null references social.trips (id) on delete cascade,
  position text collate "C" not null,
  day_date date,
  title text,
  notes text,
  version integer not null default 1,
  created_by uuid references social.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint trip_days_position_format check (position ~ '^[0-9A-Za-z]{1,200}$' and position !~ '0$'),
  constraint trip_days_title_length check (char_length(title) between 1 and 200),
  constraint trip_days_notes_length check (char_length(notes) <= 5000),
  constraint trip_days_version_positive check (version > 0)
);
comment on table social.trip_days is
  'The days of a trip''s itinerary, ordered by a fractional key; read by whoever sees the trip, '
  'written by its owner and editors through RPCs (add_trip_day, update_trip_day, move_trip_day, '
  'delete_trip_day).';
comment on column social.trip_days.id is 'The day''s id.';
comment on column social.trip_days.trip_id is 'The trip.';
comment on column social.trip_days.position is
  'Fractional ordering key (base-62, C collation): days are ordered by (position, id).';
comment on column social.trip_days.day_date is 'The calendar date in the trip''s time zone; null for an undated day (ideas).';
comment on column social.trip_days.title is 'An optional title, e.g. "Sintra", 1-200 characters.';
comment on column social.trip_days.notes is 'Notes, at most 5000 characters.';
comment on column social.trip_days.version is 'Bumped by each edit; update_trip_day takes the version read (conflict when stale).';
comment on column social.trip_days.created_by is 'The member who added it.';
comment on column social.trip_days.created_at is 'When it was added.';
comment on column social.trip_days.updated_at is 'Last edit or move.';
create index trip_days_trip_idx on social.trip_days (trip_id, position, id);
create index trip_days_created_by_idx on social.trip_days (created_by) where created_by is not null;
alter table social.trip_days enable row level security;
revoke all on social.trip_days from public, anon, authenticated;
grant select on social.trip_days to anon, authenticated;
grant all on social.trip_days to service_role;

create table social.trip_items (
  id uuid primary key default gen_random_uuid(),
  trip_id uuid not null references social.trips (id) on delete cascade,
  day_id uuid not null references social.trip_days (id) on delete cascade,
  position text collate "C" not null,
  title text not null,
  start_time time,
  end_time time,
  place_name text,
  place_lat double precision,
  place_lng double precision,
  notes text,
  links jsonb not null default '[]',
  category social.trip_item_category not null default 'other',
  cost_estimate numeric(12, 2),
  currency text,
  version integer not null default 1,
  comment_count integer not null default 0,
  vote_score integer not null default 0,
  created_by uuid references social.profiles (id) on delete set null,
  updated_by uuid references social.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint trip_items_position_format check (position ~ '^[0-9A-Za-z]{1,200}$' and position !~ '0$'),
  constraint trip_items_title_length check (char_length(title) between 1 and 200 and social_private.is_visible_text(title)),
  constraint trip_items_place_name_length check (char_length(place_name) between 1 and 200),
  constraint trip_items_place_point check (
    (place_lat is null) = (place_lng is null) and place_lat between -90 and 90 and place_lng between -180 and 180
  ),
  constraint trip_items_notes_length check (char_length(notes) <= 5000),
  constraint trip_items_links_shape check (
    case when jsonb_typeof(links) = 'array' then jsonb_array_length(links) <= 10 else false end
  ),
  constraint trip_items_cost check (cost_estimate >= 0),
  constraint trip_items_currency check (currency ~ '^[A-Z]{3}$'),
  constraint trip_items_version_positive check (version > 0),
  constraint trip_items_counts_not_negative check (comment_count >= 0)
);
comment on table social.trip_items is
  'Itinerary items of a trip''s day, ordered by a fractional key; read by whoever sees the trip, '
  'written by its owner and editors through RPCs (add_trip_item, update_trip_item with the version '
  'read, move_trip_item, delete_trip_item).';
comment on column social.trip_items.id is 'The item''s id.';
comment on column social.trip_items.trip_id is 'The trip (the day''s trip).';
comment on column social.trip_items.day_id is 'The day it is on; move_trip_item changes it.';
comment on column social.trip_items.position is
  'Fractional ordering key within the day (base-62, C collation): items are ordered by (position, id).';
comment on column social.trip_items.title is 'Title, 1-200 characters, not blank.';
comment on column social.trip_items.start_time is 'Local start time (the trip''s time zone), optional.';
comment on column social.trip_items.end_time is 'Local end time, optional.';
comment on column social.trip_items.place_name is 'The place, e.g. "Belém Tower" (1-200 characters).';
comment on column social.trip_items.place_lat is 'Latitude of the place (-90..90); set with place_lng. Shown on the map.';
comment on column social.trip_items.place_lng is 'Longitude of the place (-180..180); set with place_lat.';
comment on column social.trip_items.notes is 'Notes, at most 5000 characters.';
comment on column social.trip_items.links is 'Up to 10 links: a JSON array of http(s) URLs of at most 2000 characters.';
comment on column social.trip_items.category is 'What it is (see type social.trip_item_category).';
comment on column social.trip_items.cost_estimate is 'Estimated cost (>= 0, two decimals), in currency.';
comment on column social.trip_items.currency is 'ISO 4217 code of cost_estimate, e.g. EUR.';
comment on column social.trip_items.version is
  'Bumped by each edit; update_trip_item and delete_trip_item take the version read and answer conflict when stale.';
comment on column social.trip_items.comment_count is 'Comments on the item; kept by triggers.';
comment on column social.trip_items.vote_score is 'Sum of the members'' votes (+1 / -1); kept by triggers.';
comment on column social.trip_items.created_by is 'The member who added it.';
comment on column social.trip_items.updated_by is 'The member who last edited or moved it.';
comment on column social.trip_items.created_at is 'When it was added.';
comment on column social.trip_items.updated_at is 'Last edit or move.';
create index trip_items_day_idx on social.trip_items (day_id, position, id);
create index trip_items_trip_idx on social.trip_items (trip_id);
create index trip_items_created_by_idx on social.trip_items (created_by) where created_by is not null;
create index trip_items_updated_by_idx on social.trip_items (updated_by) where updated_by is not null;
-- the map: places by latitude (a range), longitude filtered
create index trip_items_place_idx on social.trip_items (place_lat, place_lng) where place_lat is not null;
alter table social.trip_items enable row level security;
revoke all on social.trip_items from public, anon, authenticated;
grant select on social.trip_items to anon, authenticated;
grant all on social.trip_items to service_role;

create table social.trip_item_comments (
  id uuid primary key default gen_random_uuid(),
  trip_id uuid not null references social.trips (id) on delete cascade,
  item_id uuid not null references social.trip_items (id) on delete cascade,
  author_id uuid not null references social.profiles (id) on delete cascade,
  body text not null,
  created_at timestamptz not null default now(),
  constraint trip_item_comments_body_length check (char_length(body) between 1 and 2000)
);
comment on table social.trip_item_comments is
  'Members'' comments on itinerary items, for the group to decide (comment_on_trip_item, '
  'delete_trip_item_comment). Read by the trip''s members, never across a block.';
comment on column social.trip_item_comments.id is 'The comment''s id.';
comment on column social.trip_item_comments.trip_id is 'The item''s trip.';
comment on column social.trip_item_comments.item_id is 'The item commented on.';
comment on column social.trip_item_comments.author_id is 'The member who wrote it.';
comment on column social.trip_item_comments.body is 'Text, 1-2000 characters, not blank.';
comment on column social.trip_item_comments.created_at is 'When it was written.';
create index trip_item_comments_item_idx on social.trip_item_comments (item_id, created_at, id);
create index trip_item_comments_trip_idx on social.trip_item_comments (trip_id);
create index trip_item_comments_author_idx on social.trip_item_comments (author_id);
alter table social.trip_item_comments enable row level security;
revoke all on social.trip_item_comments from public, anon, authenticated;
grant select on social.trip_item_comments to authenticated;
grant all on social.trip_item_comments to service_role;

create table social.trip_item_votes (
  item_id uuid not null references social.trip_items (id) on delete cascade,
  user_id uuid not null references social.profiles (id) on delete cascade,
  trip_id uuid not null references social.trips (id) on delete cascade,
  value smallint not null,
  created_at timestamptz not null default now(),
  primary key (item_id, user_id),
  constraint trip_item_votes_value check (value in (-1, 1))
);
comment on table social.trip_item_votes is
  'Members'' votes on itinerary items (+1 for, -1 against), one per member and item '
  '(vote_trip_item); trip_items.vote_score sums them.';
comment on column social.trip_item_votes.item_id is 'The item voted on.';
comment on column social.trip_item_votes.user_id is 'The member who voted.';
comment on column social.trip_item_votes.trip_id is 'The item''s trip.';
comment on column social.trip_item_votes.value is '+1 (for) or -1 (against).';
comment on column social.trip_item_votes.created_at is 'When the vote was cast or last changed.';
create index trip_item_votes_trip_idx on social.trip_item_votes (trip_id);
create index trip_item_votes_user_idx on social.trip_item_votes (user_id);
alter table social.trip_item_votes enable row level security;
revoke all on social.trip_item_votes from public, anon, authenticated;
grant select on social.trip_item_votes to authenticated;
grant all on social.trip_item_votes to service_role;

-- =====================================================================================
-- policies: whoever sees the trip reads its plan; members read comments and votes
-- =====================================================================================

create policy trip_days_select_visible on social.trip_days
  for select to authenticated
  using (trip_id = any ((select social_private.my_trip_ids())::uuid[]) or social_private.can_view_trip(trip_id));
comment on policy trip_days_select_visible on social.trip_days is 'Whoever sees the trip reads its days.';

create policy trip_days_select_anon on social.trip_days
  for select to anon
  using (social_private.can_view_trip(trip_id));
comment on policy trip_days_select_anon on social.trip_days is 'Visitors read the days of public trips of public profiles.';

create policy trip_items_select_visible on social.trip_items
  for select to authenticated
  using (trip_id = any ((select social_private.my_trip_ids())::uuid[]) or social_private.can_view_trip(trip_id));
comment on policy trip_items_select_visible on social.trip_items is 'Whoever sees the trip reads its items.';

create policy trip_items_select_anon on social.trip_items
  for select to anon
  using (social_private.can_view_trip(trip_id));
comment on policy trip_items_select_anon on social.trip_items is 'Visitors read the items of public trips of public profiles.';

create policy trip_item_comments_select_member on social.trip_item_comments
  for select to authenticated
  using (
    trip_id = any ((select social_private.my_trip_ids())::uuid[])
    and author_id <> all ((select social_private.my_blocked_ids())::uuid[])
  );
comment on policy trip_item_comments_select_member on social.trip_item_comments is
  'A trip''s members read its comments, except those of users a block separates them from.';

create policy trip_item_votes_select_member on social.trip_item_votes
  for select to authenticated
  using (
    trip_id = any ((select social_private.my_trip_ids())::uuid[])
    and user_id <> all ((select social_private.my_blocked_ids())::uuid[])
  );
comment on policy trip_item_votes_select_member on social.trip_item_votes is
  'A trip''s members see who voted how, except users a block separates them from.';

-- =====================================================================================
-- input checks
-- =====================================================================================

-- p_item with p_changes applied and checked (invalid_title, invalid_dates, invalid_text,
-- invalid_coordinates, invalid_text, invalid_links, invalid_category, invalid_cost); not written.
create function social_private.apply_trip_item_changes(p_item social.trip_items, p_changes jsonb)
returns social.trip_items
language plpgsql
stable
set search_path = ''
as $$
declare
  v_item social.trip_items := p_item;
  v_text text;
  v_link jsonb;
begin
  if p_changes ? 'title' then
    v_item.title := social_private.json_text(p_changes, 'title', 200, 'invalid_title');
    if v_item.title is null or not social_private.is_visible_text(v_item.title) then
      perform social_private.raise_error('invalid_input', 'invalid_title', 'an item needs a title of 1-200 characters');
    end if;
  end if;
  if p_changes ? 'start_time' then
    v_text := social_private.json_text(p_changes, 'start_time', 8, 'invalid_dates');
    if v_text is not null and v_text !~ '^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$' then
      perform social_private.raise_error('invalid_input', 'invalid_dates', 'start_time is HH:MM');
    end if;
    v_item.start_time := v_text::time;
  end if;
  if p_changes ? 'end_time' then
    v_text := social_private.json_text(p_changes, 'end_time', 8, 'invalid_dates');
    if v_text is not null and v_text !~ '^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$' then
      perform social_private.raise_error('invalid_input', 'invalid_dates', 'end_time is HH:MM');
    end if;
    v_item.end_time := v_text::time;
  end if;
  if p_changes ? 'place_name' then
    v_item.place_name := nullif(social_private.json_text(p_changes, 'place_name', 200, 'invalid_text'), '');
  end if;
  if p_changes ? 'place_lat' then
    v_item.place_lat := social_private.json_number(p_changes, 'place_lat', -90, 90, 'invalid_coordinates');
  end if;
  if p_changes ? 'place_lng' then
    v_item.place_lng := social_private.json_number(p_changes, 'place_lng', -180, 180, 'invalid_coordinates');
  end if;
  if (v_item.place_lat is null) <> (v_item.place_lng is null) then
    perform social_private.raise_error('invalid_input', 'invalid_coordinates', 'give both latitude and longitude, or neither');
  end if;
  if p_changes ? 'notes' then
    v_item.notes := social_private.json_text(p_changes, 'notes', 5000, 'invalid_text');
  end if;
  if p_changes ? 'links' then
    v_item.links := coalesce(social_private.jsonb_arg(p_changes -> 'links'), '[]');
    if jsonb_typeof(v_item.links) = 'null' then
      v_item.links := '[]';
    end if;
    if jsonb_typeof(v_item.links) <> 'array' or jsonb_array_length(v_item.links) > 10 then
      perform social_private.raise_error('invalid_input', 'invalid_links', 'links is a list of at most 10 URLs');
    end if;
    for v_link in select e.value from jsonb_array_elements(v_item.links) e loop
      if jsonb_typeof(v_link) <> 'string' or char_length(v_link #>> '{}') > 2000
         or (v_link #>> '{}') !~ '^https?://[^[:space:]]+$' then
        perform social_private.raise_error('invalid_input', 'invalid_links', 'each link is an http(s) URL of at most 2000 characters');
      end if;
    end loop;
  end if;
  if p_changes ? 'category' then
    v_text := social_private.json_text(p_changes, 'category', 20, 'invalid_category');
    if v_text is null or v_text not in ('sight', 'food', 'lodging', 'transport', 'activity', 'shopping', 'other') then
      perform social_private.raise_error('invalid_input', 'invalid_category',
        'category is sight, food, lodging, transport, activity, shopping or other');
    end if;
    v_item.category := v_text::social.trip_item_category;
  end if;
  if p_changes ? 'cost_estimate' then
    v_item.cost_estimate := round(social_private.json_number(p_changes, 'cost_estimate', 0, 9999999999.99, 'invalid_cost'), 2);
  end if;
  if p_changes ? 'currency' then
    v_item.currency := social_private.json_text(p_changes, 'currency', 3, 'invalid_cost');
    if v_item.currency is not null and v_item.currency !~ '^[A-Z]{3}$' then
      perform social_private.raise_error('invalid_input', 'invalid_cost', 'currency is an ISO 4217 code such as EUR');
    end if;
  end if;
  return v_item;
end;
$$;
comment on function social_private.apply_trip_item_changes(social.trip_items, jsonb) is
  'p_item with the fields of p_changes applied and checked (invalid_title, invalid_dates, '
  'invalid_text, invalid_coordinates, invalid_text, invalid_links, invalid_category, '
  'invalid_cost); writes nothing.';
grant execute on function social_private.apply_trip_item_changes(social.trip_items, jsonb) to authenticated, service_role;

-- The fields an item takes (create and update).
create function social_private.trip_item_fields()
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array['title', 'start_time', 'end_time', 'place_name', 'place_lat', 'place_lng', 'notes', 'links',
               'category', 'cost_estimate', 'currency'];
$$;
comment on function social_private.trip_item_fields() is 'The fields of an itinerary item that add_trip_item and update_trip_item take.';
grant execute on function social_private.trip_item_fields() to authenticated, service_role;

-- The day p_day_id (locked against deletion for the write) when the caller is an owner or editor
-- of its trip; trip_item_not_found when they may not see it.
create function social_private.require_trip_day(p_day_id uuid)
returns social.trip_days
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_day social.trip_days;
begin
  select * into v_day from social.trip_days d where d.id = p_day_id for key share;
  if v_day.id is null or not social_private.can_view_trip(v_day.trip_id) then
    perform social_private.raise_error('not_found', 'trip_item_not_found', 'no such day');
  end if;
  perform social_private.require_trip_role(v_day.trip_id, 'editor');
  return v_day;
end;
$$;
comment on function social_private.require_trip_day(uuid) is
  'The day p_day_id when the caller plans its trip (owner or editor); raises trip_item_not_found, '
  'not_trip_editor.';
grant execute on function social_private.require_trip_day(uuid) to authenticated, service_role;

-- The key for a row of p_scope ('day': days of trip p_parent; 'item': items of day p_parent),
-- excluding row p_self: after row p_previous_id (its position), first when p_first, else last.
create function social_private.next_position(
  p_scope text,
  p_parent uuid,
  p_self uuid,
  p_previous_id uuid,
  p_first boolean
)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_lower text;
  v_upper text;
begin
  if p_previous_id is not null and p_previous_id = p_self then
    perform social_private.raise_error('invalid_input', 'invalid_position', 'an item cannot go after itself');
  end if;
  if p_previous_id is not null then
    if p_scope = 'day' then
      select d.position into v_lower from social.trip_days d where d.id = p_previous_id and d.trip_id = p_parent;
    else
      select i.position into v_lower from social.trip_items i where i.id = p_previous_id and i.day_id = p_parent;
    end if;
    if v_lower is null then
      perform social_private.raise_error('invalid_input', 'invalid_position',
        format('the %s to go after is not in the same %s', p_scope, case p_scope when 'day' then 'trip' else 'day' end));
    end if;
  elsif not coalesce(p_first, false) then
    -- last
    if p_scope = 'day' then
      select max(d.position) into v_lower from social.trip_days d where d.trip_id = p_parent and d.id <> coalesce(p_self, gen_random_uuid());
    else
      select max(i.position) into v_lower from social.trip_items i where i.day_id = p_parent and i.id <> coalesce(p_self, gen_random_uuid());
    end if;
    return social_private.key_between(v_lower, null);
  end if;
  -- the next key above the lower bound (rows sharing the lower key stay before)
  if p_scope = 'day' then
    select min(d.position) into v_upper from social.trip_days d
    where d.trip_id = p_parent and d.id <> coalesce(p_self, gen_random_uuid())
      and (v_lower is null or d.position > v_lower);
  else
    select min(i.position) into v_upper from social.trip_items i
    where i.day_id = p_parent and i.id <> coalesce(p_self, gen_random_uuid())
      and (v_lower is null or i.position > v_lower);
  end if;
  return social_private.key_between(v_lower, v_upper);
end;
$$;
comment on function social_private.next_position(text, uuid, uuid, uuid, boolean) is
  'The fractional key for a day (p_scope day, in trip p_parent) or an item (item, in day p_parent), '
  'leaving row p_self out: right after p_previous_id, first (p_first) or last. Raises invalid_position.';
grant execute on function social_private.next_position(text, uuid, uuid, uuid, boolean) to authenticated, service_role;

-- =====================================================================================
-- days
-- =====================================================================================

-- the day fields (create and update)
create function social_private.apply_trip_day_changes(p_day social.trip_days, p_changes jsonb)
returns social.trip_days
language plpgsql
stable
set search_path = ''
as $$
declare
  v_day social.trip_days := p_day;
begin
  if p_changes ? 'day_date' then
    v_day.day_date := social_private.json_date(p_changes, 'day_date');
  end if;
  if p_changes ? 'title' then
    v_day.title := nullif(social_private.json_text(p_changes, 'title', 200, 'invalid_title'), '');
    if v_day.title is not null and not social_private.is_visible_text(v_day.title) then
      perform social_private.raise_error('invalid_input', 'invalid_title', 'a day title must show something');
    end if;
  end if;
  if p_changes ? 'notes' then
    v_day.notes := social_private.json_text(p_changes, 'notes', 5000, 'invalid_text');
  end if;
  return v_day;
end;
$$;
comment on function social_private.apply_trip_day_changes(social.trip_days, jsonb) is
  'p_day with day_date, title and notes of p_changes applied and checked (invalid_dates, '
  'invalid_title, invalid_text); writes nothing.';
grant execute on function social_private.apply_trip_day_changes(social.trip_days, jsonb) to authenticated, service_role;

create function social_private.add_trip_day(p_trip_id uuid, p_day jsonb, p_previous_id uuid, p_first boolean)
returns social.trip_days
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_changes jsonb := social_private.require_changes(coalesce(p_day, '{}'), array['day_date', 'title', 'notes']);
  v_day social.trip_days;
begin
  perform social_private.require_trip_role(p_trip_id, 'editor');
  v_day := social_private.apply_trip_day_changes(v_day, v_changes);
  perform social_private.check_rate_limit('trip_edit');
  insert into social.trip_days (trip_id, position, day_date, title, notes, created_by)
  values (p_trip_id, social_private.next_position('day', p_trip_id, null, p_previous_id, p_first),
          v_day.day_date, v_day.title, v_day.notes, auth.uid())
  returning * into v_day;
  return v_day;
end;
$$;
comment on function social_private.add_trip_day(uuid, jsonb, uuid, boolean) is
  'Body of social.add_trip_day (security definer): an owner or editor adds a day after '
  'p_previous_id (first when p_first, else last).';
grant execute on function social_private.add_trip_day(uuid, jsonb, uuid, boolean) to authenticated, service_role;

create function social.add_trip_day(
  p_trip_id uuid,
  p_day jsonb default '{}',
  p_previous_id uuid default null,
  p_first boolean default false
)
returns social.trip_days
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.add_trip_day(p_trip_id, p_day, p_previous_id, p_first);
$$;
comment on function social.add_trip_day(uuid, jsonb, uuid, boolean) is
  'Add a day {day_date?, title?, notes?} to a trip (owner or editor): after day p_previous_id, '
  'first when p_first, else last.';
grant execute on function social.add_trip_day(uuid, jsonb, uuid, boolean) to authenticated, service_role;

create function social_private.update_trip_day(p_day_id uuid, p_version integer, p_changes jsonb)
returns social.trip_days
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_changes jsonb := social_private.require_changes(p_changes, array['day_date', 'title', 'notes']);
  v_day social.trip_days := social_private.require_trip_day(p_day_id);
begin
  v_day := social_private.apply_trip_day_changes(v_day, v_changes);
  perform social_private.check_rate_limit('trip_edit');
  update social.trip_days d
  set day_date = v_day.day_date, title = v_day.title, notes = v_day.notes, version = d.version + 1, updated_at = now()
  where d.id = p_day_id and d.version = p_version
  returning * into v_day;
  if v_day.id is null then
    perform social_private.raise_error('conflict', 'conflict', 'the day changed since you read it: read it again');
  end if;
  return v_day;
end;
$$;
comment on function social_private.update_trip_day(uuid, integer, jsonb) is
  'Body of social.update_trip_day (security definer): writes only while the version is p_version (else conflict).';
grant execute on function social_private.update_trip_day(uuid, integer, jsonb) to authenticated, service_role;

create function social.update_trip_day(p_day_id uuid, p_version integer, p_changes jsonb)
returns social.trip_days
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.update_trip_day(p_day_id, p_version, p_changes);
$$;
comment on function social.update_trip_day(uuid, integer, jsonb) is
  'Change a day''s date, title or notes (owner or editor); p_version is the version you read: '
  'conflict (409) when it changed since.';
grant execute on function social.update_trip_day(uuid, integer, jsonb) to authenticated, service_role;

create function social_private.move_trip_day(p_day_id uuid, p_previous_id uuid, p_first boolean)
returns social.trip_days
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_day social.trip_days := social_private.require_trip_day(p_day_id);
begin
  perform social_private.check_rate_limit('trip_edit');
  update social.trip_days d
  set position = social_private.next_position('day', v_day.trip_id, v_day.id, p_previous_id, p_first), updated_at = now()
  where d.id = p_day_id
  returning * into v_day;
  return v_day;
end;
$$;
comment on function social_private.move_trip_day(uuid, uuid, boolean) is
  'Body of social.move_trip_day (security definer): a new key between the new neighbours.';
grant execute on function social_private.move_trip_day(uuid, uuid, boolean) to authenticated, service_role;

create function social.move_trip_day(p_day_id uuid, p_previous_id uuid default null, p_first boolean default false)
returns social.trip_days
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.move_trip_day(p_day_id, p_previous_id, p_first);
$$;
comment on function social.move_trip_day(uuid, uuid, boolean) is
  'Move a day after day p_previous_id (first when p_first, else last); owner or editor.';
grant execute on function social.move_trip_day(uuid, uuid, boolean) to authenticated, service_role;

create function social_private.delete_trip_day(p_day_id uuid, p_version integer)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_day social.trip_days := social_private.require_trip_day(p_day_id);
  v_count integer;
begin
  perform social_private.check_rate_limit('trip_edit');
  delete from social.trip_days d where d.id = p_day_id and d.version = p_version;
  get diagnostics v_count = row_count;
  if v_count = 0 then
    perform social_private.raise_error('conflict', 'conflict', 'the day changed since you read it: read it again');
  end if;
end;
$$;
comment on function social_private.delete_trip_day(uuid, integer) is
  'Body of social.delete_trip_day (security definer): deletes the day and its items while the version is p_version.';
grant execute on function social_private.delete_trip_day(uuid, integer) to authenticated, service_role;

create function social.delete_trip_day(p_day_id uuid, p_version integer)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.delete_trip_day(p_day_id, p_version);
$$;
comment on function social.delete_trip_day(uuid, integer) is
  'Delete a day with its items (owner or editor); conflict when it changed since you read version p_version.';
grant execute on function social.delete_trip_day(uuid, integer) to authenticated, service_role;

-- =====================================================================================
-- items
-- =====================================================================================

-- The item p_item_id when the caller plans its trip (owner or editor); trip_item_not_found when
-- they may not see it.
create function social_private.require_trip_item(p_item_id uuid)
returns social.trip_items
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_item social.trip_items;
begin
  select * into v_item from social.trip_items i where i.id = p_item_id;
  if v_item.id is null or not social_private.can_view_trip(v_item.trip_id) then
    perform social_private.raise_error('not_found', 'trip_item_not_found', 'no such item');
  end if;
  perform social_private.require_trip_role(v_item.trip_id, 'editor');
  return v_item;
end;
$$;
comment on function social_private.require_trip_item(uuid) is
  'The item p_item_id when the caller plans its trip; raises trip_item_not_found, not_trip_editor.';
grant execute on function social_private.require_trip_item(uuid) to authenticated, service_role;

create function social_private.add_trip_item(p_day_id uuid, p_item jsonb, p_previous_id uuid, p_first boolean)
returns social.trip_items
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_changes jsonb := social_private.require_changes(p_item, social_private.trip_item_fields());
  v_day social.trip_days;
  v_item social.trip_items;
begin
  if not (v_changes ? 'title') then
    perform social_private.raise_error('invalid_input', 'invalid_title', 'an item needs a title');
  end if;
  v_day := social_private.require_trip_day(p_day_id);
  v_item.links := '[]';
  v_item.category := 'other';
  v_item := social_private.apply_trip_item_changes(v_item, v_changes);
  perform social_private.check_rate_limit('trip_edit');
  insert into social.trip_items (trip_id, day_id, position, title, start_time, end_time, place_name, place_lat,
                                 place_lng, notes, links, category, cost_estimate, currency, created_by, updated_by)
  values (v_day.trip_id, v_day.id, social_private.next_position('item', v_day.id, null, p_previous_id, p_first),
          v_item.title, v_item.start_time, v_item.end_time, v_item.place_name, v_item.place_lat, v_item.place_lng,
          v_item.notes, v_item.links, v_item.category, v_item.cost_estimate, v_item.currency, auth.uid(), auth.uid())
  returning * into v_item;
  return v_item;
end;
$$;
comment on function social_private.add_trip_item(uuid, jsonb, uuid, boolean) is
  'Body of social.add_trip_item (security definer): an owner or editor adds an item to a day after '
  'p_previous_id (first when p_first, else last).';
grant execute on function social_private.add_trip_item(uuid, jsonb, uuid, boolean) to authenticated, service_role;

create function social.add_trip_item(
  p_day_id uuid,
  p_item jsonb,
  p_previous_id uuid default null,
  p_first boolean default false
)
returns social.trip_items
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.add_trip_item(p_day_id, p_item, p_previous_id, p_first);
$$;
comment on function social.add_trip_item(uuid, jsonb, uuid, boolean) is
  'Add an item {title, start_time?, end_time?, place_name?, place_lat?, place_lng?, notes?, links?, '
  'category?, cost_estimate?, currency?} to a day (owner or editor): after item p_previous_id, first '
  'when p_first, else last.';
grant execute on function social.add_trip_item(uuid, jsonb, uuid, boolean) to authenticated, service_role;

create function social_private.update_trip_item(p_item_id uuid, p_version integer, p_changes jsonb)
returns social.trip_items
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_changes jsonb := social_private.require_changes(p_changes, social_private.trip_item_fields());
  v_item social.trip_items := social_private.require_trip_item(p_item_id);
begin
  v_item := social_private.apply_trip_item_changes(v_item, v_changes);
  perform social_private.check_rate_limit('trip_edit');
  update social.trip_items i
  set title = v_item.title, start_time = v_item.start_time, end_time = v_item.end_time,
      place_name = v_item.place_name, place_lat = v_item.place_lat, place_lng = v_item.place_lng,
      notes = v_item.notes, links = v_item.links, category = v_item.category,
      cost_estimate = v_item.cost_estimate, currency = v_item.currency,
      version = i.version + 1, updated_by = auth.uid(), updated_at = now()
  where i.id = p_item_id and i.version = p_version
  returning * into v_item;
  if v_item.id is null then
    perform social_private.raise_error('conflict', 'conflict',
      'the item changed since you read it: read it again and reapply your change');
  end if;
  return v_item;
end;
$$;
comment on function social_private.update_trip_item(uuid, integer, jsonb) is
  'Body of social.update_trip_item (security definer): writes the changed fields only while the '
  'item''s version is p_version (else conflict), and bumps it.';
grant execute on function social_private.update_trip_item(uuid, integer, jsonb) to authenticated, service_role;

create function social.update_trip_item(p_item_id uuid, p_version integer, p_changes jsonb)
returns social.trip_items
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.update_trip_item(p_item_id, p_version, p_changes);
$$;
comment on function social.update_trip_item(uuid, integer, jsonb) is
  'Change an item''s fields (owner or editor). p_version is the version you read: an item changed '
  'since answers conflict (HTTP 409) and nothing is written; read it again and reapply.';
grant execute on function social.update_trip_item(uuid, integer, jsonb) to authenticated, service_role;

create function social_private.move_trip_item(p_item_id uuid, p_day_id uuid, p_previous_id uuid, p_first boolean)
returns social.trip_items
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_item social.trip_items := social_private.require_trip_item(p_item_id);
  v_day social.trip_days := social_private.require_trip_day(coalesce(p_day_id, v_item.day_id));
begin
  if v_day.trip_id <> v_item.trip_id then
    perform social_private.raise_error('invalid_input', 'invalid_position', 'items move between days of the same trip');
  end if;
  perform social_private.check_rate_limit('trip_edit');
  update social.trip_items i
  set day_id = v_day.id,
      position = social_private.next_position('item', v_day.id, v_item.id, p_previous_id, p_first),
      updated_by = auth.uid(), updated_at = now()
  where i.id = p_item_id
  returning * into v_item;
  if v_item.id is null then
    perform social_private.raise_error('not_found', 'trip_item_not_found', 'the item was deleted meanwhile');
  end if;
  return v_item;
end;
$$;
comment on function social_private.move_trip_item(uuid, uuid, uuid, boolean) is
  'Body of social.move_trip_item (security definer): moves the item to day p_day_id (its own when '
  'null) with a new key between its new neighbours; touches no other row and needs no version.';
grant execute on function social_private.move_trip_item(uuid, uuid, uuid, boolean) to authenticated, service_role;

create function social.move_trip_item(
  p_item_id uuid,
  p_day_id uuid default null,
  p_previous_id uuid default null,
  p_first boolean default false
)
returns social.trip_items
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.move_trip_item(p_item_id, p_day_id, p_previous_id, p_first);
$$;
comment on function social.move_trip_item(uuid, uuid, uuid, boolean) is
  'Move an item (owner or editor) to day p_day_id (null: its own), after item p_previous_id, first '
  'when p_first, else last. Concurrent moves never overwrite each other.';
grant execute on function social.move_trip_item(uuid, uuid, uuid, boolean) to authenticated, service_role;

create function social_private.delete_trip_item(p_item_id uuid, p_version integer)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  perform social_private.require_trip_item(p_item_id);
  perform social_private.check_rate_limit('trip_edit');
  delete from social.trip_items i where i.id = p_item_id and i.version = p_version;
  get diagnostics v_count = row_count;
  if v_count = 0 then
    perform social_private.raise_error('conflict', 'conflict', 'the item changed since you read it: read it again');
  end if;
end;
$$;
comment on function social_private.delete_trip_item(uuid, integer) is
  'Body of social.delete_trip_item (security definer): deletes the item while its version is p_version (else conflict).';
grant execute on function social_private.delete_trip_item(uuid, integer) to authenticated, service_role;

create function social.delete_trip_item(p_item_id uuid, p_version integer)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.delete_trip_item(p_item_id, p_version);
$$;
comment on function social.delete_trip_item(uuid, integer) is
  'Delete an item (owner or editor); conflict when it changed since you read version p_version.';
grant execute on function social.delete_trip_item(uuid, integer) to authenticated, service_role;
