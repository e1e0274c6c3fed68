-- Trips: a trip (owner, title, destination, dates in a time zone, cover, description, visibility,
-- status), its members with roles, invitations, read-only share links and followers; who sees a
-- trip; the Realtime topic `trip:<id>`. Membership operations and links are in
-- 20261128005100_trip_members.sql, the itinerary in 005200_itinerary.sql, the cover, trip posts,
-- the map and the gamification hook in 005300_trip_social.sql. SDK: `@supasocial/client/trips`
-- (withTrips(client).trips); tests: tests/db/trips.test.ts, tests/sdk/trips.test.ts.
--
-- Roles: owner (one per trip; edits the trip, manages members, links and ownership), editor (plans:
-- days, items, moves, edits), viewer (reads, comments, votes). Every member reads the whole trip.
--
-- Who sees a trip (social_private.user_can_view_trip, the one rule; the policies of every trip
-- table and the map ask it):
--   * its members, always;
--   * nobody else across a block with the owner;
--   * public: everyone signed in (approved followers only when the owner's profile is private,
--     as for public posts); anon when the owner's profile is public;
--   * followers: the owner's approved followers;
--   * private: members only.
-- A share link's holder reads a trip through social.view_shared_trip(token) only (security definer,
-- checks the token's hash, expiry and revocation); the tables are never opened to anon for it.
--
-- Writes go through RPCs (security definer bodies in social_private that check the caller's role):
-- the tables grant clients select only, so a stale or unchecked write cannot bypass the version
-- check (see the itinerary migration).
--
-- Live: members (only) join the private Realtime topic `trip:<id>` (the `trip` rule in
-- social_private.realtime_topics, registered below, to which the realtime.messages policies
-- dispatch): presence (track/untrack) is theirs to send; broadcasts come only from the database
-- (realtime.send in triggers, as the changes commit): clients may not broadcast on the topic.

-- a trip's cover is media of its own target (bucket social-trips; see 005300_trip_social.sql).
-- Added here, used from the next migration on (a new enum value is usable once committed).
alter type social.media_target add value if not exists 'trip';

-- =====================================================================================
-- types
-- =====================================================================================

create type social.trip_visibility as enum ('public', 'followers', 'private');
comment on type social.trip_visibility is
  'public: everyone signed in (anon when the owner''s profile is public); followers: the owner''s '
  'approved followers; private: the trip''s members only. Members always see their trip.';

create type social.trip_status as enum ('planning', 'booked', 'ongoing', 'done');
comment on type social.trip_status is 'Where a trip stands: planning, booked, ongoing, done.';

create type social.trip_role as enum ('owner', 'editor', 'viewer');
comment on type social.trip_role is
  'owner: one per trip, edits the trip and manages members, links and ownership; editor: plans the '
  'itinerary; viewer: reads, comments and votes.';

-- =====================================================================================
-- tables
-- =====================================================================================

create table social.trips (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references social.profiles (id) on delete cascade,
  title text not null,
  description text,
  destination_name text,
  destination_lat double precision,
  destination_lng double precision,
  start_date date,
  end_date date,
  timezone text not null default 'UTC',
  cover_media_id uuid references social.media (id) on delete set null,
  cover jsonb,
  visibility social.trip_visibility not null default 'private',
  status social.trip_status not null default 'planning',
  member_count integer not null default 1,
  follower_count integer not null default 0,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint trips_title_length check (char_length(title) between 1 and 200 and social_private.is_visible_text(title)),
  constraint trips_description_length check (char_length(description) <= 5000),
  constraint trips_destination_name_length check (char_length(destination_name) between 1 and 200),
  constraint trips_destination_point check (
    (destination_lat is null) = (destination_lng is null)
    and destination_lat between -90 and 90 and destination_lng between -180 and 180
  ),
  constraint trips_dates check (end_date >= start_date and (start_date is null) = (end_date is null)),
  constraint trips_counts_not_negative check (member_count >= 0 and follower_count >= 0),
  constraint trips_version_positive check (version > 0)
);
comment on table social.trips is
  'Trips planned together: the owner and members with roles (trip_members), the itinerary '
  '(trip_days, trip_items). Read under RLS by whoever may see the trip (user_can_view_trip); '
  'written through RPCs only (create_trip, update_trip, delete_trip, ...).';
comment on column social.trips.id is 'The trip''s id; its Realtime topic is trip:<id>.';
comment on column social.trips.owner_id is
  'The owner (also a trip_members row with role owner); changes only by transfer_trip_ownership.';
comment on column social.trips.title is 'Title, 1-200 characters, not blank or invisible.';
comment on column social.trips.description is 'Free text, at most 5000 characters.';
comment on column social.trips.destination_name is 'Where to, e.g. "Lisbon, Portugal" (1-200 characters).';
comment on column social.trips.destination_lat is 'Latitude of the destination in degrees (-90..90); set with destination_lng.';
comment on column social.trips.destination_lng is 'Longitude of the destination in degrees (-180..180); set with destination_lat.';
comment on column social.trips.start_date is 'First day, in the trip''s time zone; set with end_date.';
comment on column social.trips.end_date is 'Last day (on or after start_date), in the trip''s time zone.';
comment on column social.trips.timezone is
  'IANA time zone of the dates and item times (e.g. Europe/Lisbon); checked against pg_timezone_names.';
comment on column social.trips.cover_media_id is
  'The cover image: media uploaded for target trip (bucket social-trips) by the owner; readable '
  'exactly by whoever sees the trip.';
comment on column social.trips.cover is
  'The cover completed from its media row (bucket, path, type, width, height, placeholder); set '
  'by the cover trigger, null without a cover.';
comment on column social.trips.visibility is 'Who besides members sees it (see type social.trip_visibility).';
comment on column social.trips.status is 'planning, booked, ongoing or done; done makes a trip post.';
comment on column social.trips.member_count is 'Members, the owner included; kept by triggers.';
comment on column social.trips.follower_count is 'Users following the trip; kept by triggers.';
comment on column social.trips.version is
  'Bumped by every change of the trip''s own fields; update_trip takes the version read and answers '
  'conflict when it is stale.';
comment on column social.trips.created_at is 'When the trip was created.';
comment on column social.trips.updated_at is 'Last change of the trip''s own fields.';
create index trips_owner_idx on social.trips (owner_id, created_at desc);
create index trips_cover_media_idx on social.trips (cover_media_id) where cover_media_id is not null;
-- the map: destinations by latitude (a range), longitude filtered
create index trips_destination_idx on social.trips (destination_lat, destination_lng)
  where destination_lat is not null;
alter table social.trips enable row level security;
revoke all on social.trips from public, anon, authenticated;
grant select on social.trips to anon, authenticated;
grant all on social.trips to service_role;

create table social.trip_members (
  trip_id uuid not null references social.trips (id) on delete cascade,
  user_id uuid not null references social.profiles (id) on delete cascade,
  role social.trip_role not null,
  invited_by uuid references social.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (trip_id, user_id)
);
comment on table social.trip_members is
  'Members of a trip with their role; rows are made by create_trip (the owner) and by accepting an '
  'invite, changed by set_trip_member_role and transfer_trip_ownership, removed by '
  'remove_trip_member, leave_trip, or a block between the member and the owner.';
comment on column social.trip_members.trip_id is 'The trip.';
comment on column social.trip_members.user_id is 'The member.';
comment on column social.trip_members.role is 'owner (exactly one per trip), editor or viewer.';
comment on column social.trip_members.invited_by is 'Who invited them (null for the creator).';
comment on column social.trip_members.created_at is 'When they joined.';
create unique index trip_members_one_owner_idx on social.trip_members (trip_id) where role = 'owner';
create index trip_members_user_idx on social.trip_members (user_id, created_at desc);
create index trip_members_invited_by_idx on social.trip_members (invited_by) where invited_by is not null;
alter table social.trip_members enable row level security;
revoke all on social.trip_members from public, anon, authenticated;
grant select on social.trip_members to authenticated;
grant all on social.trip_members to service_role;

create table social.trip_invites (
  id uuid primary key default gen_random_uuid(),
  trip_id uuid not null references social.trips (id) on delete cascade,
  inviter_id uuid not null references social.profiles (id) on delete cascade,
  invitee_id uuid not null references social.profiles (id) on delete cascade,
  role social.trip_role not null default 'viewer',
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '30 days',
  accepted_at timestamptz,
  declined_at timestamptz,
  revoked_at timestamptz,
  constraint trip_invites_role check (role in ('editor', 'viewer')),
  constraint trip_invites_one_answer check (num_nonnulls(accepted_at, declined_at, revoked_at) <= 1)
);
comment on table social.trip_invites is
  'Invitations to a trip, addressed to a user (who accepts or declines); the owner revokes them. '
  'One open invite per trip and user.';
comment on column social.trip_invites.id is 'The invite''s id (accept_trip_invite, decline_trip_invite, revoke_trip_invite).';
comment on column social.trip_invites.trip_id is 'The trip.';
comment on column social.trip_invites.inviter_id is 'Who invited (the owner).';
comment on column social.trip_invites.invitee_id is 'The invited user.';
comment on column social.trip_invites.role is 'The role accepting gives: editor or viewer.';
comment on column social.trip_invites.created_at is 'When it was sent.';
comment on column social.trip_invites.expires_at is 'After this the invite can no longer be accepted (default 30 days).';
comment on column social.trip_invites.accepted_at is 'When the invitee accepted.';
comment on column social.trip_invites.declined_at is 'When the invitee declined.';
comment on column social.trip_invites.revoked_at is 'When the owner revoked it (or a block or the invitee''s removal ended it).';
create unique index trip_invites_open_idx on social.trip_invites (trip_id, invitee_id)
  where accepted_at is null and declined_at is null and revoked_at is null;
create index trip_invites_invitee_idx on social.trip_invites (invitee_id, created_at desc);
create index trip_invites_inviter_idx on social.trip_invites (inviter_id);
alter table social.trip_invites enable row level security;
revoke all on social.trip_invites from public, anon, authenticated;
grant select on social.trip_invites to authenticated;
grant all on social.trip_invites to service_role;

create table social.trip_share_links (
  id uuid primary key default gen_random_uuid(),
  trip_id uuid not null references social.trips (id) on delete cascade,
  created_by uuid not null references social.profiles (id) on delete cascade,
  token_hash bytea not null,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  last_used_at timestamptz,
  use_count integer not null default 0,
  created_at timestamptz not null default now(),
  constraint trip_share_links_token_hash_key unique (token_hash),
  constraint trip_share_links_hash_length check (octet_length(token_hash) = 32),
  constraint trip_share_links_use_count check (use_count >= 0)
);
comment on table social.trip_share_links is
  'Read-only share links of a trip: whoever holds the token reads the trip through '
  'social.view_shared_trip, without an account, until the link expires or is revoked. Only a '
  'SHA-256 hash of the token is stored; the token itself is shown once, when the link is made.';
comment on column social.trip_share_links.id is 'The link''s id (revoke_trip_share_link).';
comment on column social.trip_share_links.trip_id is 'The trip it shares.';
comment on column social.trip_share_links.created_by is 'The owner who made it.';
comment on column social.trip_share_links.token_hash is 'SHA-256 of the token (32 bytes); the token is never stored.';
comment on column social.trip_share_links.expires_at is 'When the link stops working (at most a year ahead; default 7 days).';
comment on column social.trip_share_links.revoked_at is 'When the owner revoked it; null while it works.';
comment on column social.trip_share_links.last_used_at is 'When a holder last opened the trip with it.';
comment on column social.trip_share_links.use_count is 'How many times the trip was opened with it.';
comment on column social.trip_share_links.created_at is 'When it was made.';
create index trip_share_links_trip_idx on social.trip_share_links (trip_id, created_at desc);
create index trip_share_links_created_by_idx on social.trip_share_links (created_by);
alter table social.trip_share_links enable row level security;
revoke all on social.trip_share_links from public, anon, authenticated;
grant select (id, trip_id, created_by, expires_at, revoked_at, last_used_at, use_count, created_at)
  on social.trip_share_links to authenticated;
grant all on social.trip_share_links to service_role;

create table social.trip_follows (
  trip_id uuid not null references social.trips (id) on delete cascade,
  user_id uuid not null references social.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (trip_id, user_id)
);
comment on table social.trip_follows is
  'Users following a public trip (follow_trip, unfollow_trip); a follower sees the trip''s posts '
  'in my_followed_trips. Removed when the trip stops being public or a block separates them from '
  'the owner.';
comment on column social.trip_follows.trip_id is 'The followed trip.';
comment on column social.trip_follows.user_id is 'The follower.';
comment on column social.trip_follows.created_at is 'When they followed.';
create index trip_follows_user_idx on social.trip_follows (user_id, created_at desc);
alter table social.trip_follows enable row level security;
revoke all on social.trip_follows from public, anon, authenticated;
grant select on social.trip_follows to authenticated;
grant all on social.trip_follows to service_role;

insert into social_private.rate_limit_rules (action, per_minute) values
  ('trip', 10),
  ('trip_edit', 300),
  ('trip_invite', 30),
  ('trip_comment', 30),
  ('trip_vote', 120)
on conflict (action) do nothing;

-- =====================================================================================
-- who sees a trip (security definer: they read memberships, follows and blocks the caller may
-- not see)
-- =====================================================================================

-- p_user_id's role in trip p_trip_id, or null when not a member.
create function social_private.user_trip_role(p_user_id uuid, p_trip_id uuid)
returns social.trip_role
language sql
stable
security definer
set search_path = ''
as $$
  select m.role from social.trip_members m where m.trip_id = p_trip_id and m.user_id = p_user_id;
$$;
comment on function social_private.user_trip_role(uuid, uuid) is
  'p_user_id''s role in trip p_trip_id (owner, editor, viewer), or null when not a member.';
grant execute on function social_private.user_trip_role(uuid, uuid) to service_role;

-- The caller's role in trip p_trip_id, or null.
create function social_private.my_trip_role(p_trip_id uuid)
returns social.trip_role
language sql
stable
security definer
set search_path = ''
as $$
  select social_private.user_trip_role((select auth.uid()), p_trip_id);
$$;
comment on function social_private.my_trip_role(uuid) is
  'The caller''s role in trip p_trip_id (owner, editor, viewer), or null when not a member.';
grant execute on function social_private.my_trip_role(uuid) to anon, authenticated, service_role;

-- The trips the caller is a member of (read once per statement by policies).
create function social_private.my_trip_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return array(select m.trip_id from social.trip_members m where m.user_id = auth.uid());
end;
$$;
comment on function social_private.my_trip_ids() is
  'Ids of the trips the caller is a member of; read once per statement by the trip policies.';
grant execute on function social_private.my_trip_ids() to anon, authenticated, service_role;

-- May p_user_id (null: anon) see a trip with this owner and visibility? The rule itself, for a
-- trip the user is not a member of (members always see theirs): see the header.
create function social_private.user_can_view_trip(
  p_user_id uuid,
  p_trip_id uuid,
  p_owner uuid,
  p_visibility social.trip_visibility
)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_user_id is null then
    return p_visibility = 'public'
      and exists (select 1 from social.profiles a where a.id = p_owner and a.visibility = 'public');
  end if;
  if p_owner = p_user_id
     or exists (select 1 from social.trip_members m where m.trip_id = p_trip_id and m.user_id = p_user_id) then
    return true;
  end if;
  if p_visibility = 'private' or social_private.user_is_blocked_with(p_user_id, p_owner) then
    return false;
  end if;
  if p_visibility = 'public'
     and exists (select 1 from social.profiles a where a.id = p_owner and a.visibility <> 'private') then
    return true;
  end if;
  -- followers, and public trips of a private profile (as its public posts): approved followers
  -- (a follow never stands across a block)
  return exists (
    select 1 from social.follows f
    where f.follower_id = p_user_id and f.followee_id = p_owner and f.status = 'accepted'
  );
end;
$$;
comment on function social_private.user_can_view_trip(uuid, uuid, uuid, social.trip_visibility) is
  'May p_user_id (null: anon) see trip p_trip_id of p_owner with p_visibility? Members always; '
  'never across a block with the owner; public: everyone signed in (anon when the owner''s profile '
  'is public); followers: approved followers of the owner; private: members only.';
grant execute on function social_private.user_can_view_trip(uuid, uuid, uuid, social.trip_visibility) to service_role;

-- May p_user_id see trip p_trip_id?
create function social_private.user_can_view_trip(p_user_id uuid, p_trip_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((
    select social_private.user_can_view_trip(p_user_id, t.id, t.owner_id, t.visibility)
    from social.trips t where t.id = p_trip_id
  ), false);
$$;
comment on function social_private.user_can_view_trip(uuid, uuid) is
  'May p_user_id see trip p_trip_id? False when there is no such trip.';
grant execute on function social_private.user_can_view_trip(uuid, uuid) to service_role;

-- May the caller see a trip with these columns?
create function social_private.can_view_trip(p_trip_id uuid, p_owner uuid, p_visibility social.trip_visibility)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select social_private.user_can_view_trip((select auth.uid()), p_trip_id, p_owner, p_visibility);
$$;
comment on function social_private.can_view_trip(uuid, uuid, social.trip_visibility) is
  'May the caller (anon when signed out) see a trip with this id, owner and visibility?';
grant execute on function social_private.can_view_trip(uuid, uuid, social.trip_visibility)
  to anon, authenticated, service_role;

-- May the caller see trip p_trip_id?
create function social_private.can_view_trip(p_trip_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select social_private.user_can_view_trip((select auth.uid()), p_trip_id);
$$;
comment on function social_private.can_view_trip(uuid) is
  'May the caller (anon when signed out) see trip p_trip_id? False when there is no such trip.';
grant execute on function social_private.can_view_trip(uuid) to anon, authenticated, service_role;

-- The trip p_trip_id when the caller may see it, else trip_not_found (a trip one may not see
-- looks like none).
create function social_private.require_trip(p_trip_id uuid)
returns social.trips
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_trip social.trips;
begin
  select * into v_trip from social.trips t where t.id = p_trip_id;
  if v_trip.id is null
     or not social_private.user_can_view_trip(auth.uid(), v_trip.id, v_trip.owner_id, v_trip.visibility) then
    perform social_private.raise_error('not_found', 'trip_not_found', 'no such trip');
  end if;
  return v_trip;
end;
$$;
comment on function social_private.require_trip(uuid) is
  'The trip p_trip_id when the caller may see it; raises trip_not_found otherwise.';
grant execute on function social_private.require_trip(uuid) to authenticated, service_role;

-- The trip p_trip_id locked for a change when the caller holds at least p_role there (owner >
-- editor > viewer): trip_not_found when they may not see it, not_trip_owner / not_trip_editor /
-- not_trip_member when their role is too low.
create function social_private.require_trip_role(p_trip_id uuid, p_role social.trip_role)
returns social.trips
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_trip social.trips := social_private.require_trip(p_trip_id);
  v_role social.trip_role := social_private.my_trip_role(p_trip_id);
begin
  if p_role = 'owner' and v_role is distinct from 'owner' then
    perform social_private.raise_error('permission_denied', 'not_trip_owner', 'only the trip''s owner may do this');
  elsif p_role = 'editor' and (v_role is null or v_role = 'viewer') then
    perform social_private.raise_error('permission_denied', 'not_trip_editor',
      'only the trip''s owner and editors may change its plan');
  elsif v_role is null then
    perform social_private.raise_error('permission_denied', 'not_trip_member', 'only the trip''s members may do this');
  end if;
  return v_trip;
end;
$$;
comment on function social_private.require_trip_role(uuid, social.trip_role) is
  'The trip when the caller holds at least p_role in it (owner > editor > viewer); raises '
  'trip_not_found, not_trip_owner, not_trip_editor or not_trip_member.';
grant execute on function social_private.require_trip_role(uuid, social.trip_role) to authenticated, service_role;

-- Realtime check of trip:<p_id> for receiving (broadcast and presence): members only. Anything
-- that is not a well-formed id is false (never an error: Realtime asks it per join). Registered in
-- social_private.realtime_topics below; the realtime.messages policies of the core migration call it.
create function social_private.can_read_trip_topic(p_id text, p_extension text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_extension not in ('broadcast', 'presence')
     or p_id !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return false;
  end if;
  return exists (
    select 1 from social.trip_members m
    where m.trip_id = p_id::uuid and m.user_id = auth.uid()
  );
end;
$$;
comment on function social_private.can_read_trip_topic(text, text) is
  'Realtime check of trip:<p_id> (receive): the caller is a member of that trip (owner, editor or '
  'viewer); broadcast and presence.';
grant execute on function social_private.can_read_trip_topic(text, text) to authenticated, service_role;

-- Realtime check of trip:<p_id> for sending: members track presence (who is viewing, which day);
-- nobody broadcasts there but the database (realtime.send).
create function social_private.can_write_trip_topic(p_id text, p_extension text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select p_extension = 'presence' and social_private.can_read_trip_topic(p_id, p_extension);
$$;
comment on function social_private.can_write_trip_topic(text, text) is
  'Realtime check of trip:<p_id> (send): presence only, by members; broadcasts come from the database.';
grant execute on function social_private.can_write_trip_topic(text, text) to authenticated, service_role;

insert into social_private.realtime_topics (prefix, read_check, write_check)
values ('trip', 'social_private.can_read_trip_topic(text, text)', 'social_private.can_write_trip_topic(text, text)');

-- Broadcast p_payload as event p_event on the private topic trip:<p_trip_id> (delivered to the
-- members who joined it when the transaction commits). Security definer: clients may not
-- insert into realtime.messages on trip topics.
create function social_private.broadcast_trip(p_trip_id uuid, p_event text, p_payload jsonb)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform realtime.send(p_payload, p_event, 'trip:' || p_trip_id::text, true);
end;
$$;
comment on function social_private.broadcast_trip(uuid, text, jsonb) is
  'Sends p_payload as event p_event to the private Realtime topic trip:<p_trip_id> (on commit).';

-- =====================================================================================
-- policies
-- =====================================================================================

-- members always; others per the trip's visibility (user_can_view_trip)
create policy trips_select_visible on social.trips
  for select to authenticated
  using (
    id = any ((select social_private.my_trip_ids())::uuid[])
    or social_private.can_view_trip(id, owner_id, visibility)
  );
comment on policy trips_select_visible on social.trips is
  'Members see their trips; others see public ones and followers ones of owners they follow, never across a block.';

-- visitors: public trips of owners whose profile is public
create policy trips_select_anon on social.trips
  for select to anon
  using (visibility = 'public' and social_private.can_view_trip(id, owner_id, visibility));
comment on policy trips_select_anon on social.trips is 'Visitors see public trips of owners with a public profile.';

-- members see each other (and their own row)
create policy trip_members_select_member on social.trip_members
  for select to authenticated
  using (trip_id = any ((select social_private.my_trip_ids())::uuid[]));
comment on policy trip_members_select_member on social.trip_members is 'A trip''s members see its member list.';

-- the invitee sees an invite to them while it is open (an answered one names a trip they may
-- have lost since); the trip's owner sees the trip's invites
create policy trip_invites_select_party on social.trip_invites
  for select to authenticated
  using (
    (invitee_id = (select auth.uid()) and accepted_at is null and declined_at is null and revoked_at is null
     and expires_at > now())
    or (trip_id = any ((select social_private.my_trip_ids())::uuid[]) and social_private.my_trip_role(trip_id) = 'owner')
  );
comment on policy trip_invites_select_party on social.trip_invites is
  'The invitee sees an invite to them while it is open; the trip''s owner sees the trip''s invites.';

-- the owner sees the trip's links (never the token: only its hash is stored, and not granted)
create policy trip_share_links_select_owner on social.trip_share_links
  for select to authenticated
  using (trip_id = any ((select social_private.my_trip_ids())::uuid[]) and social_private.my_trip_role(trip_id) = 'owner');
comment on policy trip_share_links_select_owner on social.trip_share_links is 'The trip''s owner sees its share links.';

-- a follower sees their own follows
create policy trip_follows_select_own on social.trip_follows
  for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy trip_follows_select_own on social.trip_follows is 'Users see the trips they follow.';

-- =====================================================================================
-- triggers
-- =====================================================================================

-- Before a trip is written: updated_at.
create trigger on_trips_updated before update on social.trips
  for each row execute function social_private.handle_updated_at();

-- After a membership changes: the trip's member_count, and a live `member` event on trip:<id>
-- ({op: joined | role | removed, user_id, role}); a removed member's client leaves the topic when
-- it hears its own removal (the SDK does).
create function social_private.handle_trip_member_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    update social.trips t set member_count = t.member_count + 1 where t.id = new.trip_id and t.owner_id <> new.user_id;
    perform social_private.broadcast_trip(new.trip_id, 'member',
      jsonb_build_object('op', 'joined', 'user_id', new.user_id, 'role', new.role));
  elsif tg_op = 'UPDATE' then
    if new.role is distinct from old.role then
      perform social_private.broadcast_trip(new.trip_id, 'member',
        jsonb_build_object('op', 'role', 'user_id', new.user_id, 'role', new.role));
    end if;
  else
    update social.trips t set member_count = greatest(t.member_count - 1, 0) where t.id = old.trip_id;
    if exists (select 1 from social.trips t where t.id = old.trip_id) then
      perform social_private.broadcast_trip(old.trip_id, 'member',
        jsonb_build_object('op', 'removed', 'user_id', old.user_id, 'role', old.role));
    end if;
  end if;
  return null;
end;
$$;
comment on function social_private.handle_trip_member_change() is
  'Trigger function (after insert, update or delete on trip_members, on_trip_members_change): '
  'keeps trips.member_count and broadcasts a member event (joined, role, removed) on trip:<id>.';
create trigger on_trip_members_change after insert or update or delete on social.trip_members
  for each row execute function social_private.handle_trip_member_change();

-- After a follow of a trip is made or removed: trips.follower_count.
create function social_private.handle_trip_follow_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    update social.trips t set follower_count = t.follower_count + 1 where t.id = new.trip_id;
  else
    update social.trips t set follower_count = greatest(t.follower_count - 1, 0) where t.id = old.trip_id;
  end if;
  return null;
end;
$$;
comment on function social_private.handle_trip_follow_change() is
  'Trigger function (after insert or delete on trip_follows, on_trip_follows_change): keeps '
  'trips.follower_count.';
create trigger on_trip_follows_change after insert or delete on social.trip_follows
  for each row execute function social_private.handle_trip_follow_change();

-- A block ends what the trip domain had between the two users: a membership in the other's trips
-- (either direction: the blocked user leaves the blocker's trips and the blocker the blocked
-- user's), open invites between them, and follows of the other's trips.
create function social_private.handle_block_trips()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from social.trip_members m
  using social.trips t
  where t.id = m.trip_id and m.role <> 'owner'
    and ((t.owner_id = new.blocker_id and m.user_id = new.blocked_id)
      or (t.owner_id = new.blocked_id and m.user_id = new.blocker_id));
  update social.trip_invites i set revoked_at = now()
  from social.trips t
  where t.id = i.trip_id and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
    and ((t.owner_id = new.blocker_id and i.invitee_id = new.blocked_id)
      or (t.owner_id = new.blocked_id and i.invitee_id = new.blocker_id)
      or (i.inviter_id = new.blocker_id and i.invitee_id = new.blocked_id)
      or (i.inviter_id = new.blocked_id and i.invitee_id = new.blocker_id));
  delete from social.trip_follows f
  using social.trips t
  where t.id = f.trip_id
    and ((t.owner_id = new.blocker_id and f.user_id = new.blocked_id)
      or (t.owner_id = new.blocked_id and f.user_id = new.blocker_id));
  return null;
end;
$$;
comment on function social_private.handle_block_trips() is
  'Trigger function (after insert on blocks, on_blocks_trips): removes memberships of one user in '
  'the other''s trips, revokes open invites between them and drops follows of the other''s trips.';
create trigger on_blocks_trips after insert on social.blocks
  for each row execute function social_private.handle_block_trips();

revoke execute on all functions in schema social, social_private from public;
