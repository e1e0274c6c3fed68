-- Trip members: creating, editing and deleting a trip; inviting (the owner invites a user as
-- editor or viewer), accepting, declining, revoking; leaving, removing, changing roles,
-- transferring ownership. Share links, following and the lists: 20261128005150_trip_sharing.sql.
-- Tables and the visibility rule: 20261128005000_trips.sql.
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
