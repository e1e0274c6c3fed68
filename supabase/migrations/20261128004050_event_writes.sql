-- Writing events: create_event, update_event, publish_event, cancel_event, delete_event,
-- invite_to_event, uninvite_from_event (security invoker wrappers in `social`, the rules in
-- security definer functions in social_private; inputs checked before anything is written; rate
-- limits `event`, `event_edit`, `invite`). What an event is and who sees it:
-- 20261128004000_events.sql. SDK: @supasocial/client/events; tests: tests/db/events.test.ts.

-- =====================================================================================
-- writing events (RPCs: security invoker wrappers in `social`, the rules in security definer
-- functions here)
-- =====================================================================================

-- p_event with the fields of p_patch set (keys of the event input; null clears a nullable field).
-- Values of the wrong type are invalid_input with the field's code; unknown keys invalid_field.
create function social_private.apply_event_patch(p_event social.events, p_patch jsonb, p_create boolean)
returns social.events
language plpgsql
stable
set search_path = ''
as $$
declare
  v_keys text[] := array['title', 'description', 'starts_at', 'ends_at', 'timezone', 'location_name', 'address',
                         'latitude', 'longitude', 'capacity', 'rsvp_deadline', 'tags', 'visibility', 'cover_media_id',
                         'media'];
  v_key text;
  v_value jsonb;
  v_bad boolean;
  v_event social.events := p_event;
begin
  if p_patch is null or jsonb_typeof(p_patch) <> 'object' then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'the event input must be a JSON object');
  end if;
  for v_key, v_value in select k, v from jsonb_each(p_patch) as e(k, v) loop
    if not (v_key = any (v_keys)) and not (p_create and v_key = 'group_id') then
      perform social_private.raise_error('invalid_input', 'invalid_field', format('%s is not an event field', v_key));
    end if;
    -- a list only for tags and media, a scalar (or null) for everything else
    v_bad := case when v_key = 'tags' then jsonb_typeof(v_value) not in ('array', 'null')
                  when v_key = 'media' then jsonb_typeof(v_value) not in ('array', 'null')
                  else jsonb_typeof(v_value) in ('object', 'array') end;
    if not v_bad then
      begin
        case v_key
          when 'group_id' then v_event.group_id := (v_value #>> '{}')::uuid;
          when 'title' then v_event.title := case when jsonb_typeof(v_value) = 'string' then v_value #>> '{}' end;
          when 'description' then v_event.description := v_value #>> '{}';
          when 'starts_at' then v_event.starts_at := (v_value #>> '{}')::timestamptz;
          when 'ends_at' then v_event.ends_at := (v_value #>> '{}')::timestamptz;
          when 'timezone' then v_event.timezone := v_value #>> '{}';
          when 'location_name' then v_event.location_name := v_value #>> '{}';
          when 'address' then v_event.address := v_value #>> '{}';
          when 'latitude' then v_event.latitude := (v_value #>> '{}')::double precision;
          when 'longitude' then v_event.longitude := (v_value #>> '{}')::double precision;
          when 'capacity' then v_event.capacity := (v_value #>> '{}')::integer;
          when 'rsvp_deadline' then v_event.rsvp_deadline := (v_value #>> '{}')::timestamptz;
          when 'tags' then v_event.tags := coalesce(array(select jsonb_array_elements_text(v_value)), '{}');
          when 'visibility' then v_event.visibility := (v_value #>> '{}')::social.event_visibility;
          when 'cover_media_id' then v_event.cover_media_id := (v_value #>> '{}')::uuid;
          when 'media' then v_event.media := coalesce(v_value, '[]');
        end case;
      exception when others then
        v_bad := true;
      end;
    end if;
    if v_bad then
      case
        when v_key in ('starts_at', 'ends_at', 'rsvp_deadline') then
          perform social_private.raise_error('invalid_input', 'invalid_event_time', format('%s is not a timestamp', v_key));
        when v_key in ('latitude', 'longitude', 'location_name', 'address') then
          perform social_private.raise_error('invalid_input', 'invalid_location', format('%s has the wrong type', v_key));
        when v_key = 'capacity' then
          perform social_private.raise_error('invalid_input', 'invalid_capacity', 'capacity is a whole number or null');
        when v_key = 'tags' then
          perform social_private.raise_error('invalid_input', 'invalid_tag', 'tags is a list of texts');
        when v_key = 'visibility' then
          perform social_private.raise_error('invalid_input', 'invalid_visibility',
            'visibility is public, followers, group or private');
        when v_key = 'title' then
          perform social_private.raise_error('invalid_input', 'invalid_title', 'title is a text');
        when v_key in ('cover_media_id', 'media') then
          perform social_private.raise_error('invalid_input', 'invalid_media',
            format('%s is a media id (cover_media_id) or a list of {id, alt?} (media)', v_key));
        else
          perform social_private.raise_error('invalid_input', 'invalid_input', format('%s has the wrong type', v_key));
      end case;
    end if;
  end loop;
  return v_event;
end;
$$;
comment on function social_private.apply_event_patch(social.events, jsonb, boolean) is
  'p_event with the fields of p_patch set (group_id only when p_create); a value of the wrong type '
  'is refused with the field''s invalid_* code, an unknown key with invalid_field.';

-- Security definer: events are not client-writable. A draft by the caller; in a group only by its
-- active owners and admins. Rate limited (`event`).
create function social_private.create_event(p_input jsonb)
returns social.events
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
  v_event social.events;
begin
  v_event.organizer_id := v_uid;
  v_event.visibility := 'public';
  v_event.status := 'draft';
  v_event.timezone := 'UTC';
  v_event.tags := '{}';
  v_event := social_private.apply_event_patch(v_event, social_private.jsonb_arg(p_input), true);
  if v_event.group_id is not null then
    perform social_private.require_group(v_event.group_id);
    if not social_private.is_group_admin(v_event.group_id) then
      perform social_private.raise_error('permission_denied', 'not_group_admin',
        'only the group''s owner and admins create its events');
    end if;
  end if;
  perform social_private.check_rate_limit('event');
  insert into social.events (
    organizer_id, group_id, title, description, starts_at, ends_at, timezone, location_name, address,
    latitude, longitude, capacity, rsvp_deadline, tags, visibility, status, cover_media_id, media
  ) values (
    v_event.organizer_id, v_event.group_id, v_event.title, v_event.description, v_event.starts_at,
    v_event.ends_at, v_event.timezone, v_event.location_name, v_event.address, v_event.latitude,
    v_event.longitude, v_event.capacity, v_event.rsvp_deadline, v_event.tags, v_event.visibility,
    'draft', v_event.cover_media_id, coalesce(v_event.media, '[]')
  )
  returning * into v_event;
  return v_event;
end;
$$;
comment on function social_private.create_event(jsonb) is
  'Body of social.create_event (security definer): a draft event by the caller, in a group only by '
  'its owners and admins (not_group_admin); every field checked; rate limited (event).';
grant execute on function social_private.create_event(jsonb) to authenticated, service_role;

-- Create an event (a draft; publish_event makes it visible to its audience).
create function social.create_event(p_input jsonb)
returns social.events
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.create_event(p_input);
$$;
comment on function social.create_event(jsonb) is
  'Create a draft event. p_input keys: title (required), description, starts_at, ends_at (required), '
  'timezone (IANA, default UTC), location_name, address, latitude, longitude, capacity (null: no '
  'limit), rsvp_deadline, tags, visibility (public, followers, group, private), cover_media_id (an '
  'uploaded image, create_media target event), media ([{id, alt?}], up to 10), group_id.';
grant execute on function social.create_event(jsonb) to authenticated, service_role;

-- Security definer: edit an event (organizers only). A cancelled event is not edited
-- (invalid_transition). Raising the capacity promotes from the waitlist (RSVP migration trigger).
create function social_private.update_event(p_event_id uuid, p_patch jsonb)
returns social.events
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_old social.events := social_private.require_event(p_event_id, true);
  v_event social.events;
begin
  v_event := social_private.apply_event_patch(v_old, social_private.jsonb_arg(p_patch), false);
  if v_old.status = 'cancelled' then
    perform social_private.raise_error('invalid_input', 'invalid_transition', 'a cancelled event is not edited');
  end if;
  if v_event is not distinct from v_old then
    return v_old; -- nothing changes: a retried edit is free
  end if;
  perform social_private.check_rate_limit('event_edit');
  update social.events e set
    title = v_event.title, description = v_event.description, starts_at = v_event.starts_at,
    ends_at = v_event.ends_at, timezone = v_event.timezone, location_name = v_event.location_name,
    address = v_event.address, latitude = v_event.latitude, longitude = v_event.longitude,
    capacity = v_event.capacity, rsvp_deadline = v_event.rsvp_deadline, tags = v_event.tags,
    visibility = v_event.visibility, cover_media_id = v_event.cover_media_id, media = v_event.media
  where e.id = p_event_id
  returning * into v_event;
  return v_event;
end;
$$;
comment on function social_private.update_event(uuid, jsonb) is
  'Body of social.update_event (security definer): organizers edit the fields of p_patch; a '
  'cancelled event is not edited; rate limited (event_edit) when something changes.';
grant execute on function social_private.update_event(uuid, jsonb) to authenticated, service_role;

-- Edit an event (its organizer, or the group's owners and admins).
create function social.update_event(p_event_id uuid, p_patch jsonb)
returns social.events
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.update_event(p_event_id, p_patch);
$$;
comment on function social.update_event(uuid, jsonb) is
  'Edit an event (organizers). p_patch: the keys of create_event except group_id; null clears an '
  'optional field. A published event whose time or place moves notifies the people going.';
grant execute on function social.update_event(uuid, jsonb) to authenticated, service_role;

-- Security definer: publish a draft (organizers), posting its card unless it is private (or
-- p_post_card is false). Publishing a published event changes nothing; a cancelled one stays
-- cancelled (invalid_transition).
create function social_private.publish_event(p_event_id uuid, p_post_card boolean)
returns social.events
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event social.events := social_private.require_event(p_event_id, true);
  v_card social.post_visibility;
begin
  if v_event.status = 'published' then
    return v_event;
  end if;
  if v_event.status = 'cancelled' then
    perform social_private.raise_error('invalid_input', 'invalid_transition', 'a cancelled event stays cancelled');
  end if;
  if v_event.ends_at <= now() then
    perform social_private.raise_error('invalid_input', 'invalid_event_time', 'the event is over');
  end if;
  update social.events e set status = 'published', published_at = now()
  where e.id = p_event_id returning * into v_event;
  v_card := social_private.event_card_visibility(v_event.group_id, v_event.visibility);
  if coalesce(p_post_card, true) and v_card is not null then
    insert into social.posts (author_id, group_id, kind, ref_type, ref_id, data, visibility)
    values (auth.uid(), v_event.group_id, 'event', 'event', v_event.id, social_private.event_card_data(v_event), v_card);
  end if;
  return v_event;
end;
$$;
comment on function social_private.publish_event(uuid, boolean) is
  'Body of social.publish_event (security definer): a draft becomes published and, unless '
  'private or p_post_card is false, gets an event card in the feed. Idempotent.';
grant execute on function social_private.publish_event(uuid, boolean) to authenticated, service_role;

-- Publish an event (organizers): its audience sees it and may RSVP.
create function social.publish_event(p_event_id uuid, p_post_card boolean default true)
returns social.events
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.publish_event(p_event_id, p_post_card);
$$;
comment on function social.publish_event(uuid, boolean) is
  'Publish a draft event (organizers); posts an event card on the profile or in the group unless '
  'the event is private or p_post_card is false. Idempotent.';
grant execute on function social.publish_event(uuid, boolean) to authenticated, service_role;

-- Security definer: cancel an event (organizers). The RSVP migration's trigger frees every seat
-- and notifies every attendee. Cancelling a cancelled event changes nothing.
create function social_private.cancel_event(p_event_id uuid)
returns social.events
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event social.events := social_private.require_event(p_event_id, true);
begin
  if v_event.status = 'cancelled' then
    return v_event;
  end if;
  if v_event.status = 'draft' then
    perform social_private.raise_error('invalid_input', 'invalid_transition',
      'a draft is deleted, not cancelled (publish it first to cancel it)');
  end if;
  update social.events e set status = 'cancelled', cancelled_at = now()
  where e.id = p_event_id returning * into v_event;
  return v_event;
end;
$$;
comment on function social_private.cancel_event(uuid) is
  'Body of social.cancel_event (security definer): a published event becomes cancelled (seats '
  'freed and attendees notified by on_events_cancelled). Idempotent.';
grant execute on function social_private.cancel_event(uuid) to authenticated, service_role;

-- Cancel a published event (organizers).
create function social.cancel_event(p_event_id uuid)
returns social.events
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.cancel_event(p_event_id);
$$;
comment on function social.cancel_event(uuid) is
  'Cancel a published event (organizers): RSVPs close, every seat is freed, every attendee is '
  'notified, calendars show it cancelled. Idempotent.';
grant execute on function social.cancel_event(uuid) to authenticated, service_role;

-- Security definer: delete a draft (organizers); a published event is cancelled instead.
create function social_private.delete_event(p_event_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event social.events := social_private.require_event(p_event_id, true);
begin
  if v_event.status <> 'draft' then
    perform social_private.raise_error('invalid_input', 'invalid_transition',
      'a published event is cancelled, not deleted');
  end if;
  delete from social.events e where e.id = p_event_id;
end;
$$;
comment on function social_private.delete_event(uuid) is
  'Body of social.delete_event (security definer): organizers delete a draft; published events are '
  'cancelled instead (invalid_transition).';
grant execute on function social_private.delete_event(uuid) to authenticated, service_role;

-- Delete a draft event (organizers).
create function social.delete_event(p_event_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.delete_event(p_event_id);
$$;
comment on function social.delete_event(uuid) is 'Delete a draft event (organizers); published ones are cancelled.';
grant execute on function social.delete_event(uuid) to authenticated, service_role;

-- Security definer: invite a user (organizers): the audience of a private event, a nudge for the
-- others (event_invite notification once the event is published). Idempotent.
create function social_private.invite_to_event(p_event_id uuid, p_user_id uuid)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event social.events := social_private.require_event(p_event_id, true);
  v_uid uuid := auth.uid();
begin
  if p_user_id is null or p_user_id = v_uid then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'invite someone else');
  end if;
  if not exists (select 1 from social.profiles p where p.id = p_user_id) then
    perform social_private.raise_error('not_found', 'profile_not_found', 'no such profile');
  end if;
  if social_private.user_is_blocked_with(v_uid, p_user_id)
     or social_private.user_is_blocked_with(v_event.organizer_id, p_user_id) then
    perform social_private.raise_error('permission_denied', 'blocked', 'a block rules this invite out');
  end if;
  if exists (select 1 from social.event_invites i where i.event_id = p_event_id and i.user_id = p_user_id) then
    return false;
  end if;
  perform social_private.check_rate_limit('invite');
  insert into social.event_invites (event_id, user_id, invited_by) values (p_event_id, p_user_id, v_uid);
  if v_event.status = 'published' then
    perform social_private.notify_event(v_event, 'event_invite', array[p_user_id], v_uid);
  end if;
  return true;
end;
$$;
comment on function social_private.invite_to_event(uuid, uuid) is
  'Body of social.invite_to_event (security definer): organizers invite a user (not across a '
  'block); true when newly invited. Rate limited (invite).';
grant execute on function social_private.invite_to_event(uuid, uuid) to authenticated, service_role;

-- Invite a user to an event (organizers). Idempotent: false when already invited.
create function social.invite_to_event(p_event_id uuid, p_user_id uuid)
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.invite_to_event(p_event_id, p_user_id);
$$;
comment on function social.invite_to_event(uuid, uuid) is
  'Invite a user to an event (organizers); a private event''s audience is its invitees. True when '
  'newly invited.';
grant execute on function social.invite_to_event(uuid, uuid) to authenticated, service_role;

-- Security definer: take an invite back (organizers). The user of a private event loses it: their
-- RSVP and the notifications about it go (losing access loses everything).
create function social_private.uninvite_from_event(p_event_id uuid, p_user_id uuid)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event social.events := social_private.require_event(p_event_id, true);
begin
  delete from social.event_invites i where i.event_id = p_event_id and i.user_id = p_user_id;
  if not found then
    return false;
  end if;
  if not social_private.user_can_view_event(p_user_id, v_event.id, v_event.organizer_id, v_event.group_id,
                                            v_event.visibility, v_event.status) then
    perform social_private.lock_notification_counters(array[p_user_id]);
    delete from social.notifications n where n.recipient_id = p_user_id and n.event_id = p_event_id;
    perform social_private.remove_event_rsvp(p_event_id, p_user_id);
  end if;
  return true;
end;
$$;
comment on function social_private.uninvite_from_event(uuid, uuid) is
  'Body of social.uninvite_from_event (security definer): organizers take an invite back; a user '
  'who can no longer see the event loses their RSVP and its notifications.';
grant execute on function social_private.uninvite_from_event(uuid, uuid) to authenticated, service_role;

-- Take an invite back (organizers). False when there was none.
create function social.uninvite_from_event(p_event_id uuid, p_user_id uuid)
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.uninvite_from_event(p_event_id, p_user_id);
$$;
comment on function social.uninvite_from_event(uuid, uuid) is
  'Take back an invite (organizers); for a private event the user loses it with their RSVP.';
grant execute on function social.uninvite_from_event(uuid, uuid) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
