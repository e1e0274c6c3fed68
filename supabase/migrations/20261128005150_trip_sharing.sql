-- Trip sharing: read-only share links (a random token shown once, only its SHA-256 stored,
-- expiring and revocable, redeemed by social.view_shared_trip in the itinerary migrations without
-- an account); following public trips; the lists my_trips, list_trip_members, my_trip_invites,
-- list_trip_share_links. Trips, members and invites: 20261128005000_trips.sql and
-- 20261128005100_trip_members.sql. SDK: withTrips(client).trips; tests: tests/db/trips.test.ts.
--
-- Every write is an RPC whose body is security definer in social_private and checks the caller's
-- role with require_trip_role. Rate limits: trip_invite (links), follow (following trips).

-- =====================================================================================
-- share links
-- =====================================================================================

-- The SHA-256 of a share link token.
create function social_private.share_token_hash(p_token text)
returns bytea
language sql
immutable
set search_path = ''
as $$
  select extensions.digest(convert_to(p_token, 'UTF8'), 'sha256');
$$;
comment on function social_private.share_token_hash(text) is 'SHA-256 of a trip share link token (what trip_share_links stores).';

create type social.trip_share_link_created as (
  id uuid,
  trip_id uuid,
  token text,
  expires_at timestamptz,
  created_at timestamptz
);
comment on type social.trip_share_link_created is
  'A new share link with its token: the only time the token is shown (only its hash is stored).';

create function social_private.create_trip_share_link(p_trip_id uuid, p_expires_at timestamptz)
returns social.trip_share_link_created
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_expires timestamptz := coalesce(p_expires_at, now() + interval '7 days');
  v_token text := translate(encode(extensions.gen_random_bytes(24), 'base64'), '+/', '-_');
  v_link social.trip_share_links;
begin
  perform social_private.require_trip_role(p_trip_id, 'owner');
  if v_expires <= now() or v_expires > now() + interval '366 days' then
    perform social_private.raise_error('invalid_input', 'invalid_expiry', 'a link expires in the future, within a year');
  end if;
  perform social_private.check_rate_limit('trip_invite');
  insert into social.trip_share_links (trip_id, created_by, token_hash, expires_at)
  values (p_trip_id, v_me, social_private.share_token_hash(v_token), v_expires)
  returning * into v_link;
  return row(v_link.id, v_link.trip_id, v_token, v_link.expires_at, v_link.created_at)::social.trip_share_link_created;
end;
$$;
comment on function social_private.create_trip_share_link(uuid, timestamptz) is
  'Body of social.create_trip_share_link (security definer): the owner makes a read-only link with '
  'a random 24-byte token (stored hashed) and an expiry (default 7 days, at most a year).';
grant execute on function social_private.create_trip_share_link(uuid, timestamptz) to authenticated, service_role;

create function social.create_trip_share_link(p_trip_id uuid, p_expires_at timestamptz default null)
returns social.trip_share_link_created
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.create_trip_share_link(p_trip_id, p_expires_at);
$$;
comment on function social.create_trip_share_link(uuid, timestamptz) is
  'A read-only share link of your trip (owner only): returns the token once; whoever holds it reads '
  'the trip with view_shared_trip until it expires (default 7 days) or is revoked.';
grant execute on function social.create_trip_share_link(uuid, timestamptz) to authenticated, service_role;

create function social_private.revoke_trip_share_link(p_link_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_trip uuid;
begin
  select l.trip_id into v_trip from social.trip_share_links l where l.id = p_link_id;
  if v_trip is null or not social_private.can_view_trip(v_trip) then
    perform social_private.raise_error('not_found', 'share_link_not_found', 'no such share link');
  end if;
  perform social_private.require_trip_role(v_trip, 'owner');
  update social.trip_share_links l set revoked_at = coalesce(l.revoked_at, now()) where l.id = p_link_id;
end;
$$;
comment on function social_private.revoke_trip_share_link(uuid) is
  'Body of social.revoke_trip_share_link (security definer): the owner revokes a link (idempotent).';
grant execute on function social_private.revoke_trip_share_link(uuid) to authenticated, service_role;

create function social.revoke_trip_share_link(p_link_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.revoke_trip_share_link(p_link_id);
$$;
comment on function social.revoke_trip_share_link(uuid) is 'Revoke a share link of your trip (owner only); it stops working at once.';
grant execute on function social.revoke_trip_share_link(uuid) to authenticated, service_role;

-- =====================================================================================
-- following public trips
-- =====================================================================================

create function social_private.follow_trip(p_trip_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_trip social.trips := social_private.require_trip(p_trip_id);
begin
  if v_trip.visibility <> 'public' then
    perform social_private.raise_error('permission_denied', 'not_allowed', 'only public trips are followed');
  end if;
  perform social_private.check_rate_limit('follow');
  insert into social.trip_follows (trip_id, user_id) values (p_trip_id, v_me) on conflict do nothing;
end;
$$;
comment on function social_private.follow_trip(uuid) is
  'Body of social.follow_trip (security definer): follow a public trip you may see (idempotent; rate limit follow).';
grant execute on function social_private.follow_trip(uuid) to authenticated, service_role;

create function social.follow_trip(p_trip_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.follow_trip(p_trip_id);
$$;
comment on function social.follow_trip(uuid) is 'Follow a public trip (idempotent).';
grant execute on function social.follow_trip(uuid) to authenticated, service_role;

create function social_private.unfollow_trip(p_trip_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform social_private.check_rate_limit('follow');
  delete from social.trip_follows f where f.trip_id = p_trip_id and f.user_id = social_private.require_user();
end;
$$;
comment on function social_private.unfollow_trip(uuid) is
  'Body of social.unfollow_trip (security definer): stop following a trip (idempotent; rate limit follow).';
grant execute on function social_private.unfollow_trip(uuid) to authenticated, service_role;

create function social.unfollow_trip(p_trip_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.unfollow_trip(p_trip_id);
$$;
comment on function social.unfollow_trip(uuid) is 'Stop following a trip (idempotent).';
grant execute on function social.unfollow_trip(uuid) to authenticated, service_role;

-- A trip that stops being public loses its followers.
create function social_private.handle_trip_visibility_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from social.trip_follows f where f.trip_id = new.id;
  return null;
end;
$$;
comment on function social_private.handle_trip_visibility_change() is
  'Trigger function (after update of visibility on trips, on_trips_visibility_changed): a trip '
  'that is no longer public loses its followers.';
create trigger on_trips_visibility_changed after update of visibility on social.trips
  for each row when (old.visibility = 'public' and new.visibility <> 'public')
  execute function social_private.handle_trip_visibility_change();

-- =====================================================================================
-- lists (the page contract of 20261128000000_core.sql; security invoker: RLS decides)
-- =====================================================================================

-- The caller's trips, newest first: p_relation 'member' (trips they are a member of, with their
-- role) or 'following' (public trips they follow).
create function social.my_trips(
  p_relation text default 'member',
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  owner_id uuid,
  title text,
  destination_name text,
  start_date date,
  end_date date,
  timezone text,
  cover jsonb,
  visibility social.trip_visibility,
  status social.trip_status,
  member_count integer,
  my_role social.trip_role,
  since timestamptz,
  created_at timestamptz,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_me uuid := social_private.require_user();
  v_relation text := social_private.require_order(p_relation, 'member', 'following');
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('my_trips', v_relation, v_me::text, p_cursor);
  v_ids uuid[];
  v_since timestamptz[];
  v_next text;
begin
  if v_relation = 'member' then
    select array_agg(x.trip_id order by x.created_at desc, x.trip_id desc),
           array_agg(x.created_at order by x.created_at desc, x.trip_id desc)
      into v_ids, v_since
    from (
      select m.trip_id, m.created_at from social.trip_members m
      where m.user_id = v_me and (m.created_at, m.trip_id) < (v_key.created_at, v_key.id)
      order by m.created_at desc, m.trip_id desc
      limit v_limit + 1
    ) x;
  else
    select array_agg(x.trip_id order by x.created_at desc, x.trip_id desc),
           array_agg(x.created_at order by x.created_at desc, x.trip_id desc)
      into v_ids, v_since
    from (
      select f.trip_id, f.created_at from social.trip_follows f
      where f.user_id = v_me and (f.created_at, f.trip_id) < (v_key.created_at, v_key.id)
      order by f.created_at desc, f.trip_id desc
      limit v_limit + 1
    ) x;
  end if;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('my_trips', v_relation, v_me::text, v_since[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select t.id, t.owner_id, t.title, t.destination_name, t.start_date, t.end_date, t.timezone, t.cover,
           t.visibility, t.status, t.member_count, social_private.my_trip_role(t.id), k.since, t.created_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}'), coalesce(v_since[1:v_limit], '{}')) with ordinality as k(trip_id, since, position)
    join social.trips t on t.id = k.trip_id
    order by k.position;
end;
$$;
comment on function social.my_trips(text, text, integer) is
  'The caller''s trips, newest first: p_relation member (with my_role; since = joined) or following '
  '(since = followed). p_cursor: the next_cursor of the previous page (same relation); p_limit 1-50.';
grant execute on function social.my_trips(text, text, integer) to authenticated, service_role;

-- A trip's members (for its members), owner first, then by when they joined.
create function social.list_trip_members(p_trip_id uuid, p_cursor text default null, p_limit integer default 20)
returns table (
  user_id uuid,
  role social.trip_role,
  handle text,
  display_name text,
  avatar_path text,
  invited_by uuid,
  created_at timestamptz,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('list_trip_members', 'joined', p_trip_id::text, p_cursor, true);
  v_ids uuid[];
  v_at timestamptz[];
  v_next text;
begin
  select array_agg(x.user_id order by x.created_at, x.user_id), array_agg(x.created_at order by x.created_at, x.user_id)
    into v_ids, v_at
  from (
    select m.user_id, m.created_at from social.trip_members m
    where m.trip_id = p_trip_id and (m.created_at, m.user_id) > (v_key.created_at, v_key.id)
    order by m.created_at, m.user_id
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_trip_members', 'joined', p_trip_id::text, v_at[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select m.user_id, m.role, a.handle::text, a.display_name, a.avatar_path, m.invited_by, m.created_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(user_id, position)
    join social.trip_members m on m.trip_id = p_trip_id and m.user_id = k.user_id
    left join social.profiles a on a.id = m.user_id
    order by k.position;
end;
$$;
comment on function social.list_trip_members(uuid, text, integer) is
  'A trip''s members with their role and card (members only; others get no rows), in the order '
  'they joined (the owner who created it first). p_cursor: the next_cursor of the previous page.';
grant execute on function social.list_trip_members(uuid, text, integer) to authenticated, service_role;

-- The title of the trip of invite p_invite_id, for its invitee while the invite is open (they may
-- not see a private trip yet); null for anyone else.
create function social_private.trip_title_for_invite(p_invite_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select t.title
  from social.trip_invites i
  join social.trips t on t.id = i.trip_id
  where i.id = p_invite_id and i.invitee_id = (select auth.uid())
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null and i.expires_at > now();
$$;
comment on function social_private.trip_title_for_invite(uuid) is
  'The title of the trip of invite p_invite_id, for its invitee while the invite is open; null otherwise.';
grant execute on function social_private.trip_title_for_invite(uuid) to authenticated, service_role;

-- Open invites addressed to the caller, newest first, with the trip's title and the inviter.
create function social.my_trip_invites(p_cursor text default null, p_limit integer default 20)
returns table (
  id uuid,
  trip_id uuid,
  trip_title text,
  inviter_id uuid,
  inviter_handle text,
  role social.trip_role,
  expires_at timestamptz,
  created_at timestamptz,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_me uuid := social_private.require_user();
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('my_trip_invites', 'latest', v_me::text, p_cursor);
  v_ids uuid[];
  v_at timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.created_at desc, x.id desc), array_agg(x.created_at order by x.created_at desc, x.id desc)
    into v_ids, v_at
  from (
    select i.id, i.created_at from social.trip_invites i
    where i.invitee_id = v_me and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
      and i.expires_at > now() and (i.created_at, i.id) < (v_key.created_at, v_key.id)
    order by i.created_at desc, i.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('my_trip_invites', 'latest', v_me::text, v_at[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select i.id, i.trip_id, social_private.trip_title_for_invite(i.id), i.inviter_id, a.handle::text, i.role,
           i.expires_at, i.created_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(invite_id, position)
    join social.trip_invites i on i.id = k.invite_id
    left join social.profiles a on a.id = i.inviter_id
    order by k.position;
end;
$$;
comment on function social.my_trip_invites(text, integer) is
  'Open invites to the caller (not answered, revoked or expired), newest first, with the trip''s '
  'title and the inviter''s handle. p_cursor: the next_cursor of the previous page.';
grant execute on function social.my_trip_invites(text, integer) to authenticated, service_role;

-- A trip's share links (owner only), newest first; never the token.
create function social.list_trip_share_links(p_trip_id uuid, p_cursor text default null, p_limit integer default 20)
returns table (
  id uuid,
  trip_id uuid,
  created_by uuid,
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz,
  use_count integer,
  created_at timestamptz,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('list_trip_share_links', 'latest', p_trip_id::text, p_cursor);
  v_ids uuid[];
  v_at timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.created_at desc, x.id desc), array_agg(x.created_at order by x.created_at desc, x.id desc)
    into v_ids, v_at
  from (
    select l.id, l.created_at from social.trip_share_links l
    where l.trip_id = p_trip_id and (l.created_at, l.id) < (v_key.created_at, v_key.id)
    order by l.created_at desc, l.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_trip_share_links', 'latest', p_trip_id::text, v_at[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select l.id, l.trip_id, l.created_by, l.expires_at, l.revoked_at, l.last_used_at, l.use_count, l.created_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(link_id, position)
    join social.trip_share_links l on l.id = k.link_id
    order by k.position;
end;
$$;
comment on function social.list_trip_share_links(uuid, text, integer) is
  'A trip''s share links, expired and revoked ones included (the owner only; others get no rows), '
  'newest first; tokens are never shown again. p_cursor: the next_cursor of the previous page.';
grant execute on function social.list_trip_share_links(uuid, text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
