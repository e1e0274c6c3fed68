-- Events: what an event is, who sees it and who runs it; the RPCs that write events are in
-- 20261128004050_event_writes.sql. RSVPs, capacity and the waitlist are in
-- 20261128004100_event_rsvps.sql, calendar feeds in 20261128004200_event_calendars.sql, nearby and
-- upcoming search in 20261128004300_event_search.sql.
--
-- An event has an organizer, an optional group (whose owners and admins co-organize it), a title,
-- a description, a start and an end with the event's IANA time zone, a location (name, address,
-- latitude, longitude), a capacity (null: no limit), tags, a visibility, a status, a cover image
-- and a list of photos and videos (media references, wired in 20261128004500_event_media.sql). Room for the premium issue: price_cents/currency (an event with a price refuses `going`
-- with ticket_required until paid tickets exist) and required_tier (`going` needs the tier,
-- tier_required).
--
-- Who sees an event (social_private.user_can_view_event, used by RLS, the lists and the
-- notifications alike):
--   * nobody across a block with the organizer, in either direction;
--   * the organizer and the co-organizers (the group's active owners and admins) always, drafts
--     included; nobody else sees a draft;
--   * public     everyone, anon included; in a group, whoever may see that the group exists
--                (social_private.can_see_group: a secret group's public event stays in it);
--   * followers  the organizer's approved followers (events outside groups only);
--   * group      whoever may read the group (social_private.user_can_read_group), as group posts;
--   * private    invite-only: the people on social.event_invites.
-- Writes go through RPCs (create_event, update_event, publish_event, cancel_event,
-- invite_to_event, uninvite_from_event): the rules sit in security definer functions, inputs are
-- checked before anything is written. Creating (`event`, 10 a minute), editing (`event_edit`, 30)
-- and inviting (`invite`) are rate limited.
-- Editing a published event's time or place bumps its `sequence` (the ICS SEQUENCE) and notifies
-- the people going (event_updated); cancelling notifies every attendee (event_cancelled) and frees
-- every seat (the RSVP migration's on_events_cancelled trigger).
-- Publishing posts an `event` card (a posts row of kind event, ref_type event) on the organizer's
-- profile or in the group, unless the event is private.
-- Gamification: once an event has ended, everyone who held a seat attended it (an event_attended
-- activity each); see the RSVP migration (social_private.record_event_attendance).
-- SDK: @supasocial/client/events (withEvents(client).events); tests: tests/db/events.test.ts.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.event_visibility as enum ('public', 'followers', 'group', 'private');
comment on type social.event_visibility is
  'public: everyone (in a group: whoever may see the group); followers: the organizer''s approved '
  'followers (outside groups); group: whoever may read the group; private: invited people only.';

create type social.event_status as enum ('draft', 'published', 'cancelled');
comment on type social.event_status is
  'draft: seen by the organizers only, no RSVPs; published: seen by its audience, open for RSVPs; '
  'cancelled: still seen, RSVPs closed, every seat freed. A cancelled event stays cancelled.';

-- event notifications (sent by this migration and the RSVP migration)
alter type social.notification_kind add value if not exists 'event_invite';
alter type social.notification_kind add value if not exists 'event_updated';
alter type social.notification_kind add value if not exists 'event_cancelled';
alter type social.notification_kind add value if not exists 'event_promoted';

-- rate limits of the event writes (core's check_rate_limit)
insert into social_private.rate_limit_rules (action, per_minute) values
  ('event', 10),
  ('event_edit', 30),
  ('rsvp', 30);

-- =====================================================================================
-- tables
-- =====================================================================================

-- The grid cell of a point for the nearby search: 0.1 degree of latitude by 0.1 degree of
-- longitude (about 11 km by 11 km or less). Null without a point. Immutable: a generated column
-- and the search compute it.
create function social_private.event_geo_cell(p_latitude double precision, p_longitude double precision)
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case when p_latitude is null or p_longitude is null then null
    else (floor((least(p_latitude, 89.999999) + 90) * 10)::integer * 3600)
         + floor((least(p_longitude, 179.999999) + 180) * 10)::integer
  end;
$$;
comment on function social_private.event_geo_cell(double precision, double precision) is
  'The 0.1 x 0.1 degree grid cell of a point (row * 3600 + column), null without one; '
  'events.geo_cell and the nearby search use it.';
grant execute on function social_private.event_geo_cell(double precision, double precision)
  to anon, authenticated, service_role;

create table social.events (
  id uuid primary key default gen_random_uuid(),
  organizer_id uuid not null references social.profiles (id) on delete cascade,
  group_id uuid references social.groups (id) on delete cascade,
  title text not null,
  description text,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  timezone text not null default 'UTC',
  location_name text,
  address text,
  latitude double precision,
  longitude double precision,
  geo_cell integer generated always as (social_private.event_geo_cell(latitude, longitude)) stored,
  capacity integer,
  rsvp_deadline timestamptz,
  tags text[] not null default '{}',
  visibility social.event_visibility not null default 'public',
  status social.event_status not null default 'draft',
  cover_media_id uuid references social.media (id) on delete set null,
  cover_path text,
  media jsonb not null default '[]',
  price_cents integer,
  currency text,
  required_tier text,
  sequence integer not null default 0,
  seats_taken integer not null default 0,
  going_count integer not null default 0,
  interested_count integer not null default 0,
  waitlist_count integer not null default 0,
  next_arrival bigint not null default 0,
  published_at timestamptz,
  cancelled_at timestamptz,
  attendance_recorded_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint events_title_length check (char_length(title) between 1 and 200 and social_private.is_visible_text(title)),
  constraint events_description_length check (char_length(description) <= 10000),
  constraint events_time_order check (ends_at > starts_at and ends_at <= starts_at + interval '31 days'),
  constraint events_location_pair check ((latitude is null) = (longitude is null)),
  constraint events_location_range check (latitude between -90 and 90 and longitude between -180 and 180),
  constraint events_location_text check (char_length(location_name) <= 200 and char_length(address) <= 500),
  constraint events_capacity_range check (capacity between 1 and 100000),
  constraint events_rsvp_deadline_before_end check (rsvp_deadline <= ends_at),
  constraint events_tags_count check (cardinality(tags) <= 10),
  constraint events_media_shape check (
    case when jsonb_typeof(media) = 'array' then jsonb_array_length(media) <= 10 else false end
  ),
  constraint events_price check (price_cents >= 0 and currency ~ '^[A-Z]{3}$'),
  constraint events_required_tier_length check (char_length(required_tier) between 1 and 64),
  constraint events_counts check (
    seats_taken >= 0 and going_count >= 0 and interested_count >= 0 and waitlist_count >= 0 and sequence >= 0
  ),
  constraint events_visibility_place check (
    case when group_id is null then visibility <> 'group' else visibility <> 'followers' end
  )
);
comment on table social.events is
  'Events: organizer, optional group (its owners and admins co-organize), time, place, capacity, '
  'visibility and status. Written through the event RPCs; counters are kept by the RSVP functions.';
comment on column social.events.id is 'The event''s id; its ICS UID is <id>@supasocial.';
comment on column social.events.organizer_id is 'Who created the event (auth.uid() at create_event).';
comment on column social.events.group_id is
  'The group the event belongs to; its active owners and admins co-organize. Null for a personal event.';
comment on column social.events.title is 'Title, 1-200 characters, trimmed, not blank.';
comment on column social.events.description is 'Description, at most 10000 characters; null for none.';
comment on column social.events.starts_at is 'When the event starts (an instant; shown in the event''s time zone).';
comment on column social.events.ends_at is 'When it ends: after starts_at, at most 31 days later.';
comment on column social.events.timezone is
  'The IANA time zone the event happens in (Europe/Lisbon); calendars show the times in it.';
comment on column social.events.location_name is 'Name of the place (a park, a gym), at most 200 characters.';
comment on column social.events.address is 'Street address, at most 500 characters.';
comment on column social.events.latitude is 'Latitude in degrees (-90..90), with longitude or neither.';
comment on column social.events.longitude is 'Longitude in degrees (-180..180), with latitude or neither.';
comment on column social.events.geo_cell is
  'The 0.1 degree grid cell of the location (social_private.event_geo_cell); the nearby search''s index key.';
comment on column social.events.capacity is
  'Seats (people going plus their guests), 1-100000; null: no limit. Raising it promotes from the waitlist.';
comment on column social.events.rsvp_deadline is 'After this no RSVP is taken (cancelling one still is); at most ends_at.';
comment on column social.events.tags is 'Lower-case, trimmed, distinct; at most 10 of up to 40 characters.';
comment on column social.events.visibility is 'Who sees the event (see type social.event_visibility).';
comment on column social.events.status is 'draft, published or cancelled (see type social.event_status).';
comment on column social.events.cover_media_id is
  'The cover image: an uploaded image (social.media, target event, bucket social-events) of the '
  'organizer or co-organizer setting it; readable by whoever sees the event. Null: no cover.';
comment on column social.events.cover_path is
  'The cover''s object path in the social-events bucket, set from cover_media_id (null without a '
  'cover); sign it with storage.from(''social-events'').createSignedUrl.';
comment on column social.events.media is
  'Up to 10 photos and videos {id, alt?} (social.media, target event), each completed from its '
  'media row (bucket, path, type, mime_type, width, height, ...); readable by whoever sees the event.';
comment on column social.events.price_cents is
  'Ticket price in the currency''s minor unit (premium issue). While paid tickets do not exist, '
  'an event with a price refuses going with ticket_required. Written by service_role only.';
comment on column social.events.currency is 'ISO 4217 code of price_cents (EUR); with a price.';
comment on column social.events.required_tier is
  'A premium tier needed to go (social_private.user_has_tier); null: none. Written by service_role only.';
comment on column social.events.sequence is
  'The ICS SEQUENCE: incremented when the title, description, time, place or status changes, so '
  'calendars replace their copy.';
comment on column social.events.seats_taken is 'Seats held by confirmed RSVPs (people + guests); kept by the RSVP functions.';
comment on column social.events.going_count is 'Confirmed RSVPs going (people, without guests).';
comment on column social.events.interested_count is 'RSVPs interested.';
comment on column social.events.waitlist_count is 'RSVPs going on the waitlist.';
comment on column social.events.next_arrival is
  'The last arrival number given to a waitlisted RSVP (event_rsvps.waitlist_seq); taken under the event''s row lock.';
comment on column social.events.published_at is 'When the event was published; null for a draft.';
comment on column social.events.cancelled_at is 'When it was cancelled; null otherwise.';
comment on column social.events.attendance_recorded_at is
  'When attendance was recorded for gamification (social_private.record_event_attendance, after '
  'the event ended); null before.';
comment on column social.events.created_at is 'When the event was created.';
comment on column social.events.updated_at is 'Last change of a field the organizer edits.';
-- foreign keys and policies
create index events_organizer_idx on social.events (organizer_id, starts_at);
create index events_group_idx on social.events (group_id, starts_at) where group_id is not null;
create index events_tags_idx on social.events using gin (tags);
-- events that ended and wait for their attendance to be recorded
create index events_attendance_due_idx on social.events (ends_at)
  where attendance_recorded_at is null and status = 'published';
create index events_cover_media_idx on social.events (cover_media_id) where cover_media_id is not null;
alter table social.events enable row level security;
grant select on social.events to anon, authenticated;
grant all on social.events to service_role;

create table social.event_invites (
  event_id uuid not null references social.events (id) on delete cascade,
  user_id uuid not null references social.profiles (id) on delete cascade,
  invited_by uuid references social.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (event_id, user_id)
);
comment on table social.event_invites is
  'Who is invited to an event: the audience of a private event (and a nudge for the others). '
  'Organizers add and remove people through invite_to_event and uninvite_from_event.';
comment on column social.event_invites.event_id is 'The event.';
comment on column social.event_invites.user_id is 'The invited user.';
comment on column social.event_invites.invited_by is 'The organizer or co-organizer who invited them; null once gone.';
comment on column social.event_invites.created_at is 'When they were invited.';
create index event_invites_user_idx on social.event_invites (user_id);
create index event_invites_invited_by_idx on social.event_invites (invited_by) where invited_by is not null;
alter table social.event_invites enable row level security;
grant select on social.event_invites to authenticated;
grant all on social.event_invites to service_role;

-- notifications about an event go with it
alter table social.notifications add column event_id uuid references social.events (id) on delete cascade;
comment on column social.notifications.event_id is
  'The event it is about (event_invite, event_updated, event_cancelled, event_promoted); deleting '
  'the event deletes the notification.';
create index notifications_event_idx on social.notifications (event_id) where event_id is not null;
-- a hard-deleted event's cascade takes its recipients' counters first (see 20261128001300)
create trigger on_events_notified_deleted before delete on social.events
  for each row execute function social_private.handle_notified_deleted();

-- =====================================================================================
-- who sees and runs an event (security definer: they read follows, blocks, groups and invites
-- the caller may not see)
-- =====================================================================================

-- Is p_user_id an organizer of an event with this organizer and group: the organizer, or an
-- active owner or admin of the group?
create function social_private.user_is_event_organizer(p_user_id uuid, p_organizer uuid, p_group_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_user_id is null then
    return false;
  end if;
  return p_user_id = p_organizer
    or (p_group_id is not null and exists (
      select 1 from social.group_members m
      where m.group_id = p_group_id and m.user_id = p_user_id and m.status = 'active'
        and m.role in ('owner', 'admin')
    ));
end;
$$;
comment on function social_private.user_is_event_organizer(uuid, uuid, uuid) is
  'Is p_user_id the organizer, or an active owner or admin of the event''s group (a co-organizer)?';
grant execute on function social_private.user_is_event_organizer(uuid, uuid, uuid) to service_role;

-- Is the caller an organizer of event p_event_id?
create function social_private.is_event_organizer(p_event_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce((
    select social_private.user_is_event_organizer(auth.uid(), e.organizer_id, e.group_id)
    from social.events e where e.id = p_event_id
  ), false);
end;
$$;
comment on function social_private.is_event_organizer(uuid) is
  'Is the caller the organizer or a co-organizer (group owner or admin) of event p_event_id?';
grant execute on function social_private.is_event_organizer(uuid) to anon, authenticated, service_role;

-- May p_user_id (null: anon) see an event with these columns? The one rule (see the header).
-- The nearby search (social_private.search_events_page) writes its arms for events outside groups
-- out inline, for speed: change both together (tests/db/event-search.test.ts compares them).
create function social_private.user_can_view_event(
  p_user_id uuid,
  p_event_id uuid,
  p_organizer uuid,
  p_group_id uuid,
  p_visibility social.event_visibility,
  p_status social.event_status
)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_user_id is null then
    return p_status <> 'draft' and p_visibility = 'public'
      and (p_group_id is null or exists (
        select 1 from social.groups g where g.id = p_group_id and g.visibility = 'public'
      ));
  end if;
  if p_user_id = p_organizer then
    return true;
  end if;
  if exists (select 1 from social.blocks b where b.blocker_id = p_user_id and b.blocked_id = p_organizer)
     or exists (select 1 from social.blocks b where b.blocker_id = p_organizer and b.blocked_id = p_user_id) then
    return false;
  end if;
  if social_private.user_is_event_organizer(p_user_id, p_organizer, p_group_id) then
    return true;
  end if;
  if p_status = 'draft' then
    return false;
  end if;
  return case p_visibility
    when 'public' then
      p_group_id is null
      or exists (
        select 1 from social.groups g
        where g.id = p_group_id and g.visibility in ('public', 'private')
          and not exists (
            select 1 from social.group_members m
            where m.group_id = g.id and m.user_id = p_user_id and m.status = 'banned'
          )
      )
      or exists (
        select 1 from social.group_members m
        where m.group_id = p_group_id and m.user_id = p_user_id and m.status = 'active'
      )
    when 'followers' then
      exists (
        select 1 from social.follows f
        where f.follower_id = p_user_id and f.followee_id = p_organizer and f.status = 'accepted'
      )
    when 'group' then
      social_private.user_can_read_group(p_user_id, p_group_id)
    else
      exists (select 1 from social.event_invites i where i.event_id = p_event_id and i.user_id = p_user_id)
  end;
end;
$$;
comment on function social_private.user_can_view_event(uuid, uuid, uuid, uuid, social.event_visibility, social.event_status) is
  'May p_user_id (null: anon) see an event with these columns? The one rule of who sees an event '
  '(migration header): never across a block with the organizer; organizers always; drafts only them.';
grant execute on function social_private.user_can_view_event(uuid, uuid, uuid, uuid, social.event_visibility, social.event_status)
  to service_role;

-- May the caller see an event with these columns?
create function social_private.can_view_event(
  p_event_id uuid,
  p_organizer uuid,
  p_group_id uuid,
  p_visibility social.event_visibility,
  p_status social.event_status
)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return social_private.user_can_view_event(auth.uid(), p_event_id, p_organizer, p_group_id, p_visibility, p_status);
end;
$$;
comment on function social_private.can_view_event(uuid, uuid, uuid, social.event_visibility, social.event_status) is
  'May the caller see an event with these columns? user_can_view_event for auth.uid().';
grant execute on function social_private.can_view_event(uuid, uuid, uuid, social.event_visibility, social.event_status)
  to anon, authenticated, service_role;

-- May p_user_id see event p_event_id? False when it does not exist.
create function social_private.user_can_view_event(p_user_id uuid, p_event_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce((
    select social_private.user_can_view_event(p_user_id, e.id, e.organizer_id, e.group_id, e.visibility, e.status)
    from social.events e where e.id = p_event_id
  ), false);
end;
$$;
comment on function social_private.user_can_view_event(uuid, uuid) is
  'May p_user_id see event p_event_id? False when it does not exist.';
grant execute on function social_private.user_can_view_event(uuid, uuid) to service_role;

-- May the caller see event p_event_id?
create function social_private.can_view_event(p_event_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return social_private.user_can_view_event(auth.uid(), p_event_id);
end;
$$;
comment on function social_private.can_view_event(uuid) is
  'May the caller see event p_event_id? False when it does not exist.';
grant execute on function social_private.can_view_event(uuid) to anon, authenticated, service_role;

-- The event p_event_id locked for an operation by the caller: event_not_found when it does not
-- exist or the caller may not see it; with p_organizer, not_event_organizer when the caller sees
-- it but does not run it.
create function social_private.require_event(p_event_id uuid, p_organizer boolean default false)
returns social.events
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event social.events;
begin
  select * into v_event from social.events e where e.id = p_event_id for update;
  if v_event.id is null or not social_private.can_view_event(
      v_event.id, v_event.organizer_id, v_event.group_id, v_event.visibility, v_event.status) then
    perform social_private.raise_error('not_found', 'event_not_found', 'no such event');
  end if;
  if p_organizer and not social_private.user_is_event_organizer(auth.uid(), v_event.organizer_id, v_event.group_id) then
    perform social_private.raise_error('permission_denied', 'not_event_organizer',
      'only the event''s organizer and its group''s owners and admins may do this');
  end if;
  return v_event;
end;
$$;
comment on function social_private.require_event(uuid, boolean) is
  'The event p_event_id, locked (for update), for an operation by the caller; event_not_found '
  '(404) when it does not exist or is not visible; with p_organizer, not_event_organizer (403) '
  'unless the caller organizes it.';
grant execute on function social_private.require_event(uuid, boolean) to authenticated, service_role;

-- =====================================================================================
-- policies
-- =====================================================================================

-- visitors see published and cancelled public events outside groups and in public groups
create policy events_select_anon on social.events
  for select to anon
  using (social_private.can_view_event(id, organizer_id, group_id, visibility, status));
-- signed-in users see what the event's visibility admits (see the header). The first arm decides
-- the common row, a public event outside a group by someone no block separates the caller from,
-- from a set computed once per statement; every other row asks can_view_event.
create policy events_select_visible on social.events
  for select to authenticated
  using (
    (
      status <> 'draft'
      and visibility = 'public'
      and group_id is null
      and organizer_id <> all ((select social_private.my_blocked_ids())::uuid[])
    )
    or social_private.can_view_event(id, organizer_id, group_id, visibility, status)
  );

-- invitees see their own invite; organizers see their event's invites
create policy event_invites_select_party on social.event_invites
  for select to authenticated
  using (user_id = (select auth.uid()) or social_private.is_event_organizer(event_id));

-- =====================================================================================
-- triggers
-- =====================================================================================

-- Before an event is written (by the RPCs or service_role): clear errors for bad input, trimmed
-- text, normalised tags; a change of title, description, time, place or status bumps sequence.
create function social_private.handle_event_write()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_tag text;
  v_error text;
begin
  new.title := btrim(new.title);
  new.description := nullif(btrim(new.description), '');
  new.location_name := nullif(btrim(new.location_name), '');
  new.address := nullif(btrim(new.address), '');
  new.required_tier := nullif(btrim(new.required_tier), '');
  new.tags := coalesce(
    array(
      select distinct lower(btrim(t)) from unnest(coalesce(new.tags, '{}')) as t
      where btrim(t) <> ''
      order by 1
    ),
    '{}'
  );
  if new.title is null or char_length(new.title) > 200 or not social_private.is_visible_text(new.title) then
    perform social_private.raise_error('invalid_input', 'invalid_title', 'a title has 1-200 characters and is not blank');
  end if;
  if char_length(new.description) > 10000 then
    perform social_private.raise_error('invalid_input', 'invalid_description', 'a description has at most 10000 characters');
  end if;
  if new.starts_at is null or new.ends_at is null or new.ends_at <= new.starts_at
     or new.ends_at > new.starts_at + interval '31 days'
     or new.rsvp_deadline > new.ends_at then
    perform social_private.raise_error('invalid_input', 'invalid_event_time',
      'an event ends after it starts, lasts at most 31 days, and takes RSVPs until it ends at the latest');
  end if;
  if (tg_op = 'INSERT' or new.timezone is distinct from old.timezone)
     and (new.timezone is null
          or not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = new.timezone)) then
    perform social_private.raise_error('invalid_input', 'invalid_timezone', format('unknown time zone %L', new.timezone));
  end if;
  if (new.latitude is null) <> (new.longitude is null)
     or new.latitude not between -90 and 90 or new.longitude not between -180 and 180
     or new.latitude = 'NaN' or new.longitude = 'NaN'
     or char_length(new.location_name) > 200 or char_length(new.address) > 500 then
    perform social_private.raise_error('invalid_input', 'invalid_location',
      'latitude (-90..90) and longitude (-180..180) go together; a place name has at most 200 characters, an address 500');
  end if;
  if new.capacity not between 1 and 100000 then
    perform social_private.raise_error('invalid_input', 'invalid_capacity', 'a capacity is from 1 to 100000 (or none)');
  end if;
  if cardinality(new.tags) > 10 then
    perform social_private.raise_error('invalid_input', 'invalid_tag', 'an event has at most 10 tags');
  end if;
  foreach v_tag in array new.tags loop
    if char_length(v_tag) > 40 then
      perform social_private.raise_error('invalid_input', 'invalid_tag', 'a tag has at most 40 characters');
    end if;
  end loop;
  v_error := social_private.media_error(new.media, 10);
  if v_error is not null then
    perform social_private.raise_error('invalid_input', 'invalid_media', v_error);
  end if;
  if new.group_id is null and new.visibility = 'group' then
    perform social_private.raise_error('invalid_input', 'invalid_visibility', 'group visibility is for events in a group');
  end if;
  if new.group_id is not null and new.visibility = 'followers' then
    perform social_private.raise_error('invalid_input', 'invalid_visibility',
      'an event in a group is public, for the group or private');
  end if;

  if tg_op = 'INSERT' then
    new.sequence := 0;
    new.seats_taken := 0;
    new.going_count := 0;
    new.interested_count := 0;
    new.waitlist_count := 0;
    new.next_arrival := 0;
    new.created_at := now();
    new.updated_at := now();
    return new;
  end if;
  if new.organizer_id <> old.organizer_id or new.group_id is distinct from old.group_id then
    perform social_private.raise_error('invalid_input', 'immutable_field', 'an event''s organizer and group are fixed');
  end if;
  if (new.title, new.description, new.starts_at, new.ends_at, new.timezone, new.location_name, new.address,
      new.latitude, new.longitude, new.status)
     is distinct from
     (old.title, old.description, old.starts_at, old.ends_at, old.timezone, old.location_name, old.address,
      old.latitude, old.longitude, old.status) then
    new.sequence := old.sequence + 1;
  end if;
  if (new.title, new.description, new.starts_at, new.ends_at, new.timezone, new.location_name, new.address,
      new.latitude, new.longitude, new.capacity, new.rsvp_deadline, new.tags, new.visibility, new.cover_media_id,
      new.media)
     is distinct from
     (old.title, old.description, old.starts_at, old.ends_at, old.timezone, old.location_name, old.address,
      old.latitude, old.longitude, old.capacity, old.rsvp_deadline, old.tags, old.visibility, old.cover_media_id,
      old.media) then
    new.updated_at := now();
  end if;
  return new;
end;
$$;
comment on function social_private.handle_event_write() is
  'Trigger function (before insert or update on events, on_events_write): checks every field with '
  'an invalid_* code, trims text and normalises tags, keeps organizer and group fixed, bumps '
  'sequence when the title, description, time, place or status changes.';
create trigger on_events_write
  before insert or update of title, description, starts_at, ends_at, timezone, location_name, address,
    latitude, longitude, capacity, rsvp_deadline, tags, visibility, status, cover_media_id, media, organizer_id,
    group_id, required_tier
  on social.events
  for each row execute function social_private.handle_event_write();

-- The event card's post visibility for an event's visibility; null: no card (private events).
create function social_private.event_card_visibility(p_group_id uuid, p_visibility social.event_visibility)
returns social.post_visibility
language sql
immutable
set search_path = ''
as $$
  select case
    when p_visibility = 'private' then null
    when p_group_id is not null then 'group'::social.post_visibility
    when p_visibility = 'followers' then 'followers'::social.post_visibility
    else 'public'::social.post_visibility
  end;
$$;
comment on function social_private.event_card_visibility(uuid, social.event_visibility) is
  'The visibility of an event''s feed card: group in a group, followers or public on a profile; '
  'null (no card) for private events.';

-- The render data of an event's card.
create function social_private.event_card_data(p_event social.events)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'title', p_event.title,
    'starts_at', p_event.starts_at,
    'ends_at', p_event.ends_at,
    'timezone', p_event.timezone,
    'location_name', p_event.location_name,
    'cover_path', p_event.cover_path,
    'status', p_event.status
  );
$$;
comment on function social_private.event_card_data(social.events) is
  'posts.data of an event card: title, start, end, time zone, place, cover and status.';

-- After an event changes: its card follows (data, visibility; a card of an event made private
-- goes); a published event whose time or place moved notifies the people going, seated or
-- waiting (event_updated).
-- Security definer: cards and notifications are not the caller's to write.
create function social_private.handle_event_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_card social.post_visibility := social_private.event_card_visibility(new.group_id, new.visibility);
begin
  if v_card is null then
    update social.posts p set deleted_at = now(), deleted_by = new.organizer_id
    where p.ref_type = 'event' and p.ref_id = new.id and p.deleted_at is null;
  else
    update social.posts p set data = social_private.event_card_data(new), visibility = v_card
    where p.ref_type = 'event' and p.ref_id = new.id and p.deleted_at is null
      and (p.data, p.visibility) is distinct from (social_private.event_card_data(new), v_card);
  end if;
  if new.status = 'published' and old.status = 'published'
     and (new.starts_at, new.ends_at, new.timezone, new.location_name, new.address, new.latitude, new.longitude)
         is distinct from
         (old.starts_at, old.ends_at, old.timezone, old.location_name, old.address, old.latitude, old.longitude) then
    perform social_private.notify_event(new, 'event_updated', array(
      select r.user_id from social.event_rsvps r
      where r.event_id = new.id and r.status = 'going'
    ));
  end if;
  return null;
end;
$$;
comment on function social_private.handle_event_changed() is
  'Trigger function (after update on events, on_events_changed): keeps the event''s feed card in '
  'step and notifies the people going when a published event''s time or place changes.';
create trigger on_events_changed
  after update of title, starts_at, ends_at, timezone, location_name, address, latitude, longitude,
    visibility, status, cover_media_id, cover_path
  on social.events
  for each row execute function social_private.handle_event_changed();

-- Notify p_recipients about p_event (kind event_*), each only while they may see it; the group's
-- id goes with it so losing the group takes the notification.
create function social_private.notify_event(
  p_event social.events,
  p_kind social.notification_kind,
  p_recipients uuid[],
  p_actor uuid default null
)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_recipients uuid[];
  v_sent integer;
begin
  v_recipients := array(
    select distinct r.id from unnest(p_recipients) r(id)
    where social_private.user_can_view_event(r.id, p_event.id, p_event.organizer_id, p_event.group_id,
                                             p_event.visibility, p_event.status)
  );
  v_sent := social_private.notify(v_recipients, p_kind, coalesce(p_actor, p_event.organizer_id), p_event.id,
    p_group_id => p_event.group_id,
    p_data => jsonb_build_object('event_id', p_event.id, 'title', p_event.title,
                                 'starts_at', p_event.starts_at, 'timezone', p_event.timezone));
  update social.notifications n set event_id = p_event.id
  where n.subject_id = p_event.id and n.kind = p_kind and n.recipient_id = any (v_recipients)
    and n.event_id is null;
  return v_sent;
end;
$$;
comment on function social_private.notify_event(social.events, social.notification_kind, uuid[], uuid) is
  'Notifies p_recipients who may see p_event of it (event_invite, event_updated, event_cancelled, '
  'event_promoted), with its title and start; the notification names the event and its group.';
