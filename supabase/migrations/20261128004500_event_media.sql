-- Event media: an event's cover (events.cover_media_id, from which events.cover_path follows) and
-- its photos and videos (events.media, up to 10 references {id, alt?}) are media rows of target
-- `event` in the private social-events bucket, attached through the media domain's machinery
-- (20261128001600_media_attachments.sql: resolve_media_list in a before trigger, attach_media in
-- an after trigger). Who reads them: whoever sees the event, by the function the events' own RLS
-- uses (social_private.can_view_event, so drafts, private invites, followers, groups and blocks
-- apply as they do to the event row), registered as the `event` target of the media registry
-- (social_private.media_targets), from which social_private.can_view_media, the one rule of who
-- reads media, is generated. The columns are in 20261128004000_events.sql; the event RPCs take
-- cover_media_id and media. SDK: events.create/update ({ coverMediaId, media }); tests:
-- tests/db/events.test.ts, tests/sdk/media.test.ts.
--
-- Whose media: the organizer or co-organizer setting the cover or adding an item uploads it
-- (media_not_found otherwise); items already on the event stay when another organizer edits the
-- list. A cover is an image. A media item is on one event at a time (media_in_use); dropping it
-- from the list (or deleting the draft) detaches it, and the clean-up job removes it after a day.

-- =====================================================================================
-- who reads: the `event` target of the one rule
-- =====================================================================================

-- The `event` target of the media registry (20261128001500_media.sql): its uploads go to
-- social-events, and an event's cover and media are read by whoever sees the event
-- (can_view_event). The registration regenerates social_private.can_view_media with this arm.
insert into social_private.media_targets (target, bucket_id, read_check)
values ('event', 'social-events', 'social_private.can_view_event(uuid)');

-- =====================================================================================
-- attaching
-- =====================================================================================

-- Before an event's cover or media list is stored (after on_events_write checked the list's
-- shape): the cover must be an uploaded, not rejected image of social-events by the user setting
-- it, and cover_path follows it; each new item of the list is completed from its media row (items
-- already on the event keep theirs, whoever uploaded them, with the alt text given now).
-- Security definer: it reads media rows the caller may not see yet.
create function social_private.handle_event_media()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_owner uuid := coalesce(auth.uid(), new.organizer_id);
  v_item jsonb;
  v_kept jsonb;
  v_out jsonb := '[]';
begin
  if new.cover_media_id is null then
    new.cover_path := null;
  elsif tg_op = 'INSERT' or new.cover_media_id is distinct from old.cover_media_id then
    if exists (select 1 from social.media m where m.id = new.cover_media_id and m.kind <> 'image') then
      perform social_private.raise_error('invalid_input', 'invalid_media', 'an event cover is an image');
    end if;
    new.cover_path := social_private.resolve_media_list(
      jsonb_build_array(jsonb_build_object('id', new.cover_media_id)), 'event', new.id, v_owner) -> 0 ->> 'path';
  else
    new.cover_path := old.cover_path; -- follows the cover only
  end if;
  if tg_op = 'UPDATE' and new.media is not distinct from old.media then
    return new;
  end if;
  for v_item in select e.value from jsonb_array_elements(new.media) e loop
    v_kept := null;
    if tg_op = 'UPDATE' then
      select o.value into v_kept from jsonb_array_elements(old.media) o
      where lower(o.value ->> 'id') = lower(v_item ->> 'id');
    end if;
    if v_kept is not null then
      v_out := v_out || jsonb_build_array(jsonb_strip_nulls((v_kept - 'alt') || jsonb_build_object('alt', v_item -> 'alt')));
    else
      v_out := v_out || social_private.resolve_media_list(jsonb_build_array(v_item), 'event', new.id, v_owner);
    end if;
  end loop;
  new.media := v_out;
  return new;
end;
$$;
comment on function social_private.handle_event_media() is
  'Trigger function (before insert or update of cover_media_id, cover_path or media on events, '
  'on_events_write_media): checks the cover (an uploaded image of the user setting it: '
  'media_not_found, invalid_media, media_rejected, media_in_use, media_not_uploaded), sets '
  'cover_path from it, and completes each new {id, alt?} of the media list from its media row.';
create trigger on_events_write_media
  before insert or update of cover_media_id, cover_path, media on social.events
  for each row execute function social_private.handle_event_media();

-- After an event's cover or media list changed: attach what it names (in the event's group, whose
-- staff then moderate it), detach what it dropped.
create function social_private.handle_event_media_written()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and (new.cover_media_id, new.media) is not distinct from (old.cover_media_id, old.media) then
    return null;
  end if;
  perform social_private.attach_media('event', new.id, new.group_id,
    new.media || case when new.cover_media_id is null then '[]'::jsonb
                      else jsonb_build_array(jsonb_build_object('id', new.cover_media_id)) end);
  return null;
end;
$$;
comment on function social_private.handle_event_media_written() is
  'Trigger function (after insert or update of cover_media_id or media on events, '
  'on_events_written_media): attaches the cover and the listed media to the event and detaches '
  'what is no longer there.';
create trigger on_events_written_media
  after insert or update of cover_media_id, media on social.events
  for each row execute function social_private.handle_event_media_written();

-- A deleted event's (a draft's) media becomes unattached; the clean-up job removes it.
create function social_private.handle_event_deleted_media()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update social.media m set target_id = null, attached_at = null, group_id = null
  where m.target_type = 'event' and m.target_id = old.id;
  return null;
end;
$$;
comment on function social_private.handle_event_deleted_media() is
  'Trigger function (after delete on events, on_events_deleted_media): detaches the cover and the '
  'media of the deleted event.';
create trigger on_events_deleted_media after delete on social.events
  for each row when (old.cover_media_id is not null or old.media <> '[]'::jsonb)
  execute function social_private.handle_event_deleted_media();

revoke execute on all functions in schema social, social_private from public;
