-- Trip members: creating, editing and deleting a trip; inviting (the owner invites a user as
-- editor or viewer), accepting, declining, revoking; leaving, removing, changing roles,
-- transferring ownership; read-only share links (a random token shown once, only its SHA-256
-- stored, expiring and revocable, redeemed by social.view_shared_trip without an account);
-- following public trips; the lists my_trips, list_trip_members, my_trip_invites,
-- list_trip_share_links. Tables and the visibility rule: 20261128005000_trips.sql.
-- SDK: withTrips(client).trips; tests: tests/db/trips.test.ts.
--
-- Every write is an RPC whose body is security definer in social_private (the tables grant
-- clients select only) and checks the caller's role with require_trip_role. Rate limits:
-- trip (new trips), trip_edit (trip fields, also the itinerary), trip_invite (invites and links),
-- follow (following and unfollowing trips, shared with the graph's follows).

-- =====================================================================================
-- input checks (raise before anything is written; the check constraints are the backstop)
-- =====================================================================================

-- p_changes as a JSON object whose keys are all in p_allowed; else invalid_field.
create function social_private.require_changes(p_changes jsonb, p_allowed text[])
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_changes jsonb := social_private.jsonb_arg(p_changes);
  v_bad text;
begin
  if v_changes is null or jsonb_typeof(v_changes) <> 'object' then
    perform social_private.raise_error('invalid_input', 'invalid_field', 'changes must be a JSON object of fields');
  end if;
  select k into v_bad from jsonb_object_keys(v_changes) k where not (k = any (p_allowed)) limit 1;
  if v_bad is not null then
    perform social_private.raise_error('invalid_input', 'invalid_field',
      format('%s cannot be changed here (fields: %s)', v_bad, array_to_string(p_allowed, ', ')));
  end if;
  return v_changes;
end;
$$;
comment on function social_private.require_changes(jsonb, text[]) is
  'p_changes (unwrapped by jsonb_arg) when it is a JSON object whose keys are all in p_allowed; '
  'raises invalid_field otherwise.';
grant execute on function social_private.require_changes(jsonb, text[]) to authenticated, service_role;

-- Raise invalid_input with the field code p_code (one of the trip fields' codes; any other is
-- the generic invalid_input). One literal raise per code, so the closed list sees each.
create function social_private.raise_invalid_field(p_code text, p_message text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_code = 'invalid_title' then
    perform social_private.raise_error('invalid_input', 'invalid_title', p_message);
  elsif p_code = 'invalid_text' then
    perform social_private.raise_error('invalid_input', 'invalid_text', p_message);
  elsif p_code = 'invalid_dates' then
    perform social_private.raise_error('invalid_input', 'invalid_dates', p_message);
  elsif p_code = 'invalid_timezone' then
    perform social_private.raise_error('invalid_input', 'invalid_timezone', p_message);
  elsif p_code = 'invalid_visibility' then
    perform social_private.raise_error('invalid_input', 'invalid_visibility', p_message);
  elsif p_code = 'invalid_status' then
    perform social_private.raise_error('invalid_input', 'invalid_status', p_message);
  elsif p_code = 'invalid_media' then
    perform social_private.raise_error('invalid_input', 'invalid_media', p_message);
  elsif p_code = 'invalid_coordinates' then
    perform social_private.raise_error('invalid_input', 'invalid_coordinates', p_message);
  elsif p_code = 'invalid_category' then
    perform social_private.raise_error('invalid_input', 'invalid_category', p_message);
  elsif p_code = 'invalid_cost' then
    perform social_private.raise_error('invalid_input', 'invalid_cost', p_message);
  else
    perform social_private.raise_error('invalid_input', 'invalid_input', p_message);
  end if;
end;
$$;
comment on function social_private.raise_invalid_field(text, text) is
  'Raises invalid_input (22023) with the trip field code p_code (invalid_title, invalid_text, '
  'invalid_dates, ...); the generic invalid_input for any other.';
grant execute on function social_private.raise_invalid_field(text, text) to anon, authenticated, service_role;

-- The text of key p_key of p_obj (null for JSON null), or p_code when it is not a string or is
-- longer than p_max characters.
create function social_private.json_text(p_obj jsonb, p_key text, p_max integer, p_code text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_value jsonb := p_obj -> p_key;
begin
  if v_value is null or jsonb_typeof(v_value) = 'null' then
    return null;
  end if;
  if jsonb_typeof(v_value) <> 'string' or char_length(v_value #>> '{}') > p_max then
    perform social_private.raise_invalid_field(p_code,
      format('%s must be a text of at most %s characters', p_key, p_max));
  end if;
  return v_value #>> '{}';
end;
$$;
comment on function social_private.json_text(jsonb, text, integer, text) is
  'The string at p_key of p_obj (null for JSON null or absent); raises p_code when it is not a '
  'string of at most p_max characters.';
grant execute on function social_private.json_text(jsonb, text, integer, text) to anon, authenticated, service_role;

-- The number at p_key of p_obj (null for JSON null), or p_code when it is not a number between
-- p_min and p_max.
create function social_private.json_number(p_obj jsonb, p_key text, p_min numeric, p_max numeric, p_code text)
returns numeric
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_value jsonb := p_obj -> p_key;
begin
  if v_value is null or jsonb_typeof(v_value) = 'null' then
    return null;
  end if;
  if jsonb_typeof(v_value) <> 'number' or (v_value::text)::numeric not between p_min and p_max then
    perform social_private.raise_invalid_field(p_code,
      format('%s must be a number between %s and %s', p_key, p_min, p_max));
  end if;
  return (v_value::text)::numeric;
end;
$$;
comment on function social_private.json_number(jsonb, text, numeric, numeric, text) is
  'The number at p_key of p_obj (null for JSON null or absent); raises p_code when it is not a '
  'number between p_min and p_max.';
grant execute on function social_private.json_number(jsonb, text, numeric, numeric, text) to anon, authenticated, service_role;

-- The date at p_key of p_obj (YYYY-MM-DD), or invalid_dates.
create function social_private.json_date(p_obj jsonb, p_key text)
returns date
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_text text := social_private.json_text(p_obj, p_key, 10, 'invalid_dates');
begin
  if v_text is null then
    return null;
  end if;
  if v_text !~ '^\d{4}-\d{2}-\d{2}$' then
    perform social_private.raise_error('invalid_input', 'invalid_dates', format('%s must be a date YYYY-MM-DD', p_key));
  end if;
  begin
    return v_text::date;
  exception when others then
    perform social_private.raise_error('invalid_input', 'invalid_dates', format('%s is not a date', p_key));
  end;
  return null;
end;
$$;
comment on function social_private.json_date(jsonb, text) is
  'The date (YYYY-MM-DD) at p_key of p_obj, null when absent; raises invalid_dates otherwise.';
grant execute on function social_private.json_date(jsonb, text) to anon, authenticated, service_role;

-- A trip with p_changes applied, every field checked (invalid_title, invalid_text,
-- invalid_text, invalid_coordinates, invalid_dates, invalid_timezone, invalid_visibility,
-- invalid_status); the row is not written.
create function social_private.apply_trip_changes(p_trip social.trips, p_changes jsonb)
returns social.trips
language plpgsql
stable
set search_path = ''
as $$
declare
  v_trip social.trips := p_trip;
  v_text text;
begin
  if p_changes ? 'title' then
    v_trip.title := social_private.json_text(p_changes, 'title', 200, 'invalid_title');
    if v_trip.title is null or not social_private.is_visible_text(v_trip.title) then
      perform social_private.raise_error('invalid_input', 'invalid_title', 'a trip needs a title of 1-200 characters');
    end if;
  end if;
  if p_changes ? 'description' then
    v_trip.description := social_private.json_text(p_changes, 'description', 5000, 'invalid_text');
  end if;
  if p_changes ? 'destination_name' then
    v_trip.destination_name := nullif(social_private.json_text(p_changes, 'destination_name', 200, 'invalid_text'), '');
  end if;
  if p_changes ? 'destination_lat' then
    v_trip.destination_lat := social_private.json_number(p_changes, 'destination_lat', -90, 90, 'invalid_coordinates');
  end if;
  if p_changes ? 'destination_lng' then
    v_trip.destination_lng := social_private.json_number(p_changes, 'destination_lng', -180, 180, 'invalid_coordinates');
  end if;
  if (v_trip.destination_lat is null) <> (v_trip.destination_lng is null) then
    perform social_private.raise_error('invalid_input', 'invalid_coordinates', 'give both latitude and longitude, or neither');
  end if;
  if p_changes ? 'start_date' then
    v_trip.start_date := social_private.json_date(p_changes, 'start_date');
  end if;
  if p_changes ? 'end_date' then
    v_trip.end_date := social_private.json_date(p_changes, 'end_date');
  end if;
  if (v_trip.start_date is null) <> (v_trip.end_date is null) or v_trip.end_date < v_trip.start_date
     or v_trip.end_date - v_trip.start_date > 366 then
    perform social_private.raise_error('invalid_input', 'invalid_dates',
      'give a start and an end date (the end on or after the start, at most a year apart), or neither');
  end if;
  if p_changes ? 'timezone' then
    v_text := social_private.json_text(p_changes, 'timezone', 64, 'invalid_timezone');
    if v_text is null or not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = v_text) then
      perform social_private.raise_error('invalid_input', 'invalid_timezone', format('unknown time zone %L', v_text));
    end if;
    v_trip.timezone := v_text;
  end if;
  if p_changes ? 'visibility' then
    v_text := social_private.json_text(p_changes, 'visibility', 20, 'invalid_visibility');
    if v_text is null or v_text not in ('public', 'followers', 'private') then
      perform social_private.raise_error('invalid_input', 'invalid_visibility', 'visibility is public, followers or private');
    end if;
    v_trip.visibility := v_text::social.trip_visibility;
  end if;
  if p_changes ? 'status' then
    v_text := social_private.json_text(p_changes, 'status', 20, 'invalid_status');
    if v_text is null or v_text not in ('planning', 'booked', 'ongoing', 'done') then
      perform social_private.raise_error('invalid_input', 'invalid_status', 'status is planning, booked, ongoing or done');
    end if;
    v_trip.status := v_text::social.trip_status;
  end if;
  if p_changes ? 'cover_media_id' then
    v_text := social_private.json_text(p_changes, 'cover_media_id', 36, 'invalid_media');
    if v_text is not null and v_text !~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' then
      perform social_private.raise_error('invalid_input', 'invalid_media', 'cover_media_id is a media id');
    end if;
    v_trip.cover_media_id := v_text::uuid;
  end if;
  return v_trip;
end;
$$;
comment on function social_private.apply_trip_changes(social.trips, jsonb) is
  'p_trip with the fields of p_changes applied and checked (invalid_title, invalid_text, '
  'invalid_text, invalid_coordinates, invalid_dates, invalid_timezone, invalid_visibility, '
  'invalid_status, invalid_media); writes nothing.';
grant execute on function social_private.apply_trip_changes(social.trips, jsonb) to authenticated, service_role;

-- =====================================================================================
-- trips
-- =====================================================================================

create function social_private.create_trip(p_trip jsonb)
returns social.trips
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_changes jsonb := social_private.require_changes(p_trip, array[
    'title', 'description', 'destination_name', 'destination_lat', 'destination_lng', 'start_date',
    'end_date', 'timezone', 'visibility', 'status', 'cover_media_id']);
  v_trip social.trips;
begin
  if not (v_changes ? 'title') then
    perform social_private.raise_error('invalid_input', 'invalid_title', 'a trip needs a title');
  end if;
  v_trip.id := gen_random_uuid();
  v_trip.owner_id := v_me;
  v_trip.timezone := 'UTC';
  v_trip.visibility := 'private';
  v_trip.status := 'planning';
  v_trip := social_private.apply_trip_changes(v_trip, v_changes);
  perform social_private.check_rate_limit('trip');
  insert into social.trips (id, owner_id, title, description, destination_name, destination_lat,
                            destination_lng, start_date, end_date, timezone, visibility, status,
                            cover_media_id)
  values (v_trip.id, v_me, v_trip.title, v_trip.description, v_trip.destination_name, v_trip.destination_lat,
          v_trip.destination_lng, v_trip.start_date, v_trip.end_date, v_trip.timezone, v_trip.visibility,
          v_trip.status, v_trip.cover_media_id)
  returning * into v_trip;
  insert into social.trip_members (trip_id, user_id, role) values (v_trip.id, v_me, 'owner');
  select * into v_trip from social.trips t where t.id = v_trip.id;
  return v_trip;
end;
$$;
comment on function social_private.create_trip(jsonb) is
  'Body of social.create_trip (security definer): checks the fields, rate limits (trip), makes the '
  'trip and the owner''s membership.';
grant execute on function social_private.create_trip(jsonb) to authenticated, service_role;

create function social.create_trip(p_trip jsonb)
returns social.trips
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.create_trip(p_trip);
$$;
comment on function social.create_trip(jsonb) is
  'Create a trip: {title, description?, destination_name?, destination_lat?, destination_lng?, '
  'start_date?, end_date?, timezone? (UTC), visibility? (private), status? (planning), '
  'cover_media_id?}. The caller becomes its owner.';
grant execute on function social.create_trip(jsonb) to authenticated, service_role;

create function social_private.update_trip(p_trip_id uuid, p_version integer, p_changes jsonb)
returns social.trips
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_changes jsonb := social_private.require_changes(p_changes, array[
    'title', 'description', 'destination_name', 'destination_lat', 'destination_lng', 'start_date',
    'end_date', 'timezone', 'visibility', 'status', 'cover_media_id']);
  v_trip social.trips := social_private.require_trip_role(p_trip_id, 'editor');
  v_new social.trips;
begin
  if v_changes ? 'visibility' and social_private.my_trip_role(p_trip_id) <> 'owner' then
    perform social_private.raise_error('permission_denied', 'not_trip_owner', 'only the owner changes who sees the trip');
  end if;
  v_new := social_private.apply_trip_changes(v_trip, v_changes);
  perform social_private.check_rate_limit('trip_edit');
  update social.trips t
  set title = v_new.title, description = v_new.description, destination_name = v_new.destination_name,
      destination_lat = v_new.destination_lat, destination_lng = v_new.destination_lng,
      start_date = v_new.start_date, end_date = v_new.end_date, timezone = v_new.timezone,
      visibility = v_new.visibility, status = v_new.status, cover_media_id = v_new.cover_media_id,
      version = t.version + 1
  where t.id = p_trip_id and t.version = p_version
  returning * into v_new;
  if v_new.id is null then
    perform social_private.raise_error('conflict', 'conflict',
      'the trip changed since you read it: read it again and reapply your change');
  end if;
  return v_new;
end;
$$;
comment on function social_private.update_trip(uuid, integer, jsonb) is
  'Body of social.update_trip (security definer): owner or editor (visibility: owner only); checks '
  'the fields, rate limits (trip_edit), writes only when the version is still p_version (else '
  'conflict).';
grant execute on function social_private.update_trip(uuid, integer, jsonb) to authenticated, service_role;

create function social.update_trip(p_trip_id uuid, p_version integer, p_changes jsonb)
returns social.trips
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.update_trip(p_trip_id, p_version, p_changes);
$$;
comment on function social.update_trip(uuid, integer, jsonb) is
  'Change a trip''s fields (owner or editor; visibility: owner only). p_version is the version you '
  'read: a trip changed since answers conflict (HTTP 409) and nothing is written.';
grant execute on function social.update_trip(uuid, integer, jsonb) to authenticated, service_role;

create function social_private.delete_trip(p_trip_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform social_private.require_trip_role(p_trip_id, 'owner');
  -- the live topic hears it before the rows go
  perform social_private.broadcast_trip(p_trip_id, 'trip', jsonb_build_object('op', 'deleted', 'id', p_trip_id));
  delete from social.trips t where t.id = p_trip_id;
end;
$$;
comment on function social_private.delete_trip(uuid) is
  'Body of social.delete_trip (security definer): the owner deletes the trip and everything in it.';
grant execute on function social_private.delete_trip(uuid) to authenticated, service_role;

create function social.delete_trip(p_trip_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.delete_trip(p_trip_id);
$$;
comment on function social.delete_trip(uuid) is 'Delete a trip (owner only) with its itinerary, members, invites and links.';
grant execute on function social.delete_trip(uuid) to authenticated, service_role;

-- =====================================================================================
-- invites
-- =====================================================================================

create function social_private.invite_to_trip(p_trip_id uuid, p_user_id uuid, p_role social.trip_role)
returns social.trip_invites
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_invite social.trip_invites;
begin
  perform social_private.require_trip_role(p_trip_id, 'owner');
  if p_role is null or p_role not in ('editor', 'viewer') then
    perform social_private.raise_error('invalid_input', 'invalid_role', 'invite as editor or viewer');
  end if;
  if p_user_id is null or p_user_id = v_me or not exists (select 1 from social.profiles a where a.id = p_user_id) then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'invite another existing user');
  end if;
  if social_private.is_blocked_with(p_user_id) then
    perform social_private.raise_error('permission_denied', 'blocked', 'a block stands between you and this user');
  end if;
  if exists (select 1 from social.trip_members m where m.trip_id = p_trip_id and m.user_id = p_user_id) then
    perform social_private.raise_error('conflict', 'already_member', 'the user is already a member of this trip');
  end if;
  perform social_private.check_rate_limit('trip_invite');
  select * into v_invite from social.trip_invites i
  where i.trip_id = p_trip_id and i.invitee_id = p_user_id
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null;
  if v_invite.id is not null then
    update social.trip_invites i set role = p_role, expires_at = now() + interval '30 days'
    where i.id = v_invite.id returning * into v_invite;
    return v_invite;
  end if;
  insert into social.trip_invites (trip_id, inviter_id, invitee_id, role)
  values (p_trip_id, v_me, p_user_id, p_role)
  returning * into v_invite;
  return v_invite;
end;
$$;
comment on function social_private.invite_to_trip(uuid, uuid, social.trip_role) is
  'Body of social.invite_to_trip (security definer): the owner invites a user as editor or viewer; '
  'refuses across a block and members; keeps one open invite per user (renewing it).';
grant execute on function social_private.invite_to_trip(uuid, uuid, social.trip_role) to authenticated, service_role;

create function social.invite_to_trip(p_trip_id uuid, p_user_id uuid, p_role social.trip_role default 'viewer')
returns social.trip_invites
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.invite_to_trip(p_trip_id, p_user_id, p_role);
$$;
comment on function social.invite_to_trip(uuid, uuid, social.trip_role) is
  'Invite a user to a trip as editor or viewer (owner only); valid 30 days. Returns the open invite.';
grant execute on function social.invite_to_trip(uuid, uuid, social.trip_role) to authenticated, service_role;

-- The open invite p_invite_id addressed to the caller, locked; invite_not_found, invite_closed,
-- invite_revoked or invite_expired otherwise.
create function social_private.require_my_trip_invite(p_invite_id uuid)
returns social.trip_invites
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_invite social.trip_invites;
begin
  select * into v_invite from social.trip_invites i
  where i.id = p_invite_id and i.invitee_id = social_private.require_user()
  for update;
  if v_invite.id is null then
    perform social_private.raise_error('not_found', 'invite_not_found', 'no such invite to you');
  end if;
  if v_invite.revoked_at is not null then
    perform social_private.raise_error('permission_denied', 'invite_revoked', 'the invite was revoked');
  end if;
  if v_invite.accepted_at is not null or v_invite.declined_at is not null then
    perform social_private.raise_error('invalid_input', 'invite_closed', 'the invite was already answered');
  end if;
  if v_invite.expires_at <= now() then
    perform social_private.raise_error('permission_denied', 'invite_expired', 'the invite has expired');
  end if;
  return v_invite;
end;
$$;
comment on function social_private.require_my_trip_invite(uuid) is
  'The caller''s open trip invite p_invite_id (locked); raises invite_not_found, invite_revoked, '
  'invite_closed or invite_expired.';
grant execute on function social_private.require_my_trip_invite(uuid) to authenticated, service_role;

create function social_private.accept_trip_invite(p_invite_id uuid)
returns social.trip_members
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_invite social.trip_invites := social_private.require_my_trip_invite(p_invite_id);
  v_member social.trip_members;
begin
  update social.trip_invites i set accepted_at = now() where i.id = v_invite.id;
  insert into social.trip_members (trip_id, user_id, role, invited_by)
  values (v_invite.trip_id, v_invite.invitee_id, v_invite.role, v_invite.inviter_id)
  on conflict (trip_id, user_id) do nothing
  returning * into v_member;
  if v_member.trip_id is null then
    select * into v_member from social.trip_members m
    where m.trip_id = v_invite.trip_id and m.user_id = v_invite.invitee_id;
  end if;
  return v_member;
end;
$$;
comment on function social_private.accept_trip_invite(uuid) is
  'Body of social.accept_trip_invite (security definer): the invitee joins with the invite''s role.';
grant execute on function social_private.accept_trip_invite(uuid) to authenticated, service_role;

create function social.accept_trip_invite(p_invite_id uuid)
returns social.trip_members
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.accept_trip_invite(p_invite_id);
$$;
comment on function social.accept_trip_invite(uuid) is 'Accept an invite to a trip: you join it with the invite''s role.';
grant execute on function social.accept_trip_invite(uuid) to authenticated, service_role;

create function social_private.decline_trip_invite(p_invite_id uuid)
returns social.trip_invites
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_invite social.trip_invites := social_private.require_my_trip_invite(p_invite_id);
begin
  update social.trip_invites i set declined_at = now() where i.id = v_invite.id returning * into v_invite;
  return v_invite;
end;
$$;
comment on function social_private.decline_trip_invite(uuid) is
  'Body of social.decline_trip_invite (security definer): the invitee declines.';
grant execute on function social_private.decline_trip_invite(uuid) to authenticated, service_role;

create function social.decline_trip_invite(p_invite_id uuid)
returns social.trip_invites
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.decline_trip_invite(p_invite_id);
$$;
comment on function social.decline_trip_invite(uuid) is 'Decline an invite to a trip.';
grant execute on function social.decline_trip_invite(uuid) to authenticated, service_role;

create function social_private.revoke_trip_invite(p_invite_id uuid)
returns social.trip_invites
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_invite social.trip_invites;
begin
  select * into v_invite from social.trip_invites i where i.id = p_invite_id for update;
  if v_invite.id is null or not social_private.can_view_trip(v_invite.trip_id) then
    perform social_private.raise_error('not_found', 'invite_not_found', 'no such invite');
  end if;
  perform social_private.require_trip_role(v_invite.trip_id, 'owner');
  if v_invite.accepted_at is not null or v_invite.declined_at is not null then
    perform social_private.raise_error('invalid_input', 'invite_closed', 'the invite was already answered');
  end if;
  update social.trip_invites i set revoked_at = coalesce(i.revoked_at, now())
  where i.id = v_invite.id returning * into v_invite;
  return v_invite;
end;
$$;
comment on function social_private.revoke_trip_invite(uuid) is
  'Body of social.revoke_trip_invite (security definer): the owner revokes an open invite (idempotent).';
grant execute on function social_private.revoke_trip_invite(uuid) to authenticated, service_role;

create function social.revoke_trip_invite(p_invite_id uuid)
returns social.trip_invites
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.revoke_trip_invite(p_invite_id);
$$;
comment on function social.revoke_trip_invite(uuid) is 'Revoke an open invite to your trip (owner only).';
grant execute on function social.revoke_trip_invite(uuid) to authenticated, service_role;

-- =====================================================================================
-- members
-- =====================================================================================

create function social_private.leave_trip(p_trip_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_role social.trip_role;
begin
  perform social_private.require_trip(p_trip_id);
  v_role := social_private.my_trip_role(p_trip_id);
  if v_role is null then
    perform social_private.raise_error('not_found', 'member_not_found', 'you are not a member of this trip');
  end if;
  if v_role = 'owner' then
    perform social_private.raise_error('permission_denied', 'owner_must_transfer',
      'transfer the trip to another member (or delete it) before leaving');
  end if;
  delete from social.trip_members m where m.trip_id = p_trip_id and m.user_id = auth.uid();
end;
$$;
comment on function social_private.leave_trip(uuid) is
  'Body of social.leave_trip (security definer): an editor or viewer leaves; the owner must transfer first.';
grant execute on function social_private.leave_trip(uuid) to authenticated, service_role;

create function social.leave_trip(p_trip_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.leave_trip(p_trip_id);
$$;
comment on function social.leave_trip(uuid) is 'Leave a trip (editors and viewers; the owner transfers it first).';
grant execute on function social.leave_trip(uuid) to authenticated, service_role;

create function social_private.remove_trip_member(p_trip_id uuid, p_user_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_role social.trip_role;
begin
  perform social_private.require_trip_role(p_trip_id, 'owner');
  v_role := social_private.user_trip_role(p_user_id, p_trip_id);
  if v_role is null then
    perform social_private.raise_error('not_found', 'member_not_found', 'the user is not a member of this trip');
  end if;
  if v_role = 'owner' then
    perform social_private.raise_error('permission_denied', 'owner_protected', 'the owner cannot be removed');
  end if;
  delete from social.trip_members m where m.trip_id = p_trip_id and m.user_id = p_user_id;
end;
$$;
comment on function social_private.remove_trip_member(uuid, uuid) is
  'Body of social.remove_trip_member (security definer): the owner removes an editor or viewer.';
grant execute on function social_private.remove_trip_member(uuid, uuid) to authenticated, service_role;

create function social.remove_trip_member(p_trip_id uuid, p_user_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.remove_trip_member(p_trip_id, p_user_id);
$$;
comment on function social.remove_trip_member(uuid, uuid) is
  'Remove a member from your trip (owner only). They lose the trip at once, its live topic included.';
grant execute on function social.remove_trip_member(uuid, uuid) to authenticated, service_role;

create function social_private.set_trip_member_role(p_trip_id uuid, p_user_id uuid, p_role social.trip_role)
returns social.trip_members
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_member social.trip_members;
begin
  perform social_private.require_trip_role(p_trip_id, 'owner');
  if p_role is null or p_role not in ('editor', 'viewer') then
    perform social_private.raise_error('invalid_input', 'invalid_role',
      'members are editors or viewers; ownership moves by transfer_trip_ownership');
  end if;
  select * into v_member from social.trip_members m where m.trip_id = p_trip_id and m.user_id = p_user_id for update;
  if v_member.trip_id is null then
    perform social_private.raise_error('not_found', 'member_not_found', 'the user is not a member of this trip');
  end if;
  if v_member.role = 'owner' then
    perform social_private.raise_error('permission_denied', 'owner_must_transfer', 'the owner steps down only by transferring the trip');
  end if;
  update social.trip_members m set role = p_role
  where m.trip_id = p_trip_id and m.user_id = p_user_id returning * into v_member;
  return v_member;
end;
$$;
comment on function social_private.set_trip_member_role(uuid, uuid, social.trip_role) is
  'Body of social.set_trip_member_role (security definer): the owner makes a member editor or viewer.';
grant execute on function social_private.set_trip_member_role(uuid, uuid, social.trip_role) to authenticated, service_role;

create function social.set_trip_member_role(p_trip_id uuid, p_user_id uuid, p_role social.trip_role)
returns social.trip_members
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.set_trip_member_role(p_trip_id, p_user_id, p_role);
$$;
comment on function social.set_trip_member_role(uuid, uuid, social.trip_role) is
  'Make a member of your trip an editor or a viewer (owner only).';
grant execute on function social.set_trip_member_role(uuid, uuid, social.trip_role) to authenticated, service_role;

create function social_private.transfer_trip_ownership(p_trip_id uuid, p_user_id uuid)
returns social.trips
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_trip social.trips := social_private.require_trip_role(p_trip_id, 'owner');
begin
  if p_user_id is null or p_user_id = v_me
     or social_private.user_trip_role(p_user_id, p_trip_id) is null then
    perform social_private.raise_error('not_found', 'member_not_found', 'transfer the trip to another member');
  end if;
  update social.trip_members m set role = 'editor' where m.trip_id = p_trip_id and m.user_id = v_me;
  update social.trip_members m set role = 'owner' where m.trip_id = p_trip_id and m.user_id = p_user_id;
  update social.trips t set owner_id = p_user_id, version = t.version + 1
  where t.id = p_trip_id returning * into v_trip;
  -- links and invites were the old owner's to manage; they stay, under the new owner
  return v_trip;
end;
$$;
comment on function social_private.transfer_trip_ownership(uuid, uuid) is
  'Body of social.transfer_trip_ownership (security definer): the owner hands the trip to a member '
  'and stays on as an editor.';
grant execute on function social_private.transfer_trip_ownership(uuid, uuid) to authenticated, service_role;

create function social.transfer_trip_ownership(p_trip_id uuid, p_user_id uuid)
returns social.trips
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.transfer_trip_ownership(p_trip_id, p_user_id);
$$;
comment on function social.transfer_trip_ownership(uuid, uuid) is
  'Hand your trip to another member (owner only); you stay on as an editor.';
grant execute on function social.transfer_trip_ownership(uuid, uuid) to authenticated, service_role;

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
