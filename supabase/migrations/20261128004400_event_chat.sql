-- Event chat: a group conversation tied to an event through the chat domain's typed context
-- reference (conversations.context_type 'event', context_id the event's id). Its members are the
-- organizer (an admin) and the people going with a seat; they are kept in step as RSVPs change
-- (on_event_rsvps_chat: a confirmed RSVP joins, one that stops being confirmed leaves; a
-- promotion from the waitlist joins), and the conversation goes with the event. Membership is
-- the context's, never managed by hand (the chat RPCs refuse it for context conversations).
-- The organizers open it (open_event_chat; the SDK's publish(id, { openChat: true }) does it on
-- publishing); a member asking for it gets it. Rate limited with the chat's `conversation`.
-- SDK: events.openChat(); tests: tests/db/event-chat.test.ts.

alter type social.conversation_context add value if not exists 'event';
comment on type social.conversation_context is
  'What a group conversation is tied to (conversations.context_type): group (its active members) or '
  'event (its organizer and the people going with a seat). Its members follow the context.';

-- Security definer: the conversation tied to a published event, opened by an organizer with the
-- organizer (admin) and every seated attendee; later its members follow the RSVPs.
create function social_private.open_event_chat(p_event_id uuid)
returns social.conversations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_event social.events := social_private.require_event(p_event_id);
  v_conv social.conversations;
begin
  select c.* into v_conv from social.conversations c where c.context_type = 'event' and c.context_id = p_event_id;
  if v_conv.id is not null then
    if not exists (select 1 from social.conversation_members m where m.conversation_id = v_conv.id and m.user_id = v_me) then
      perform social_private.raise_error('not_found', 'conversation_not_found',
        'the event''s chat is for its organizer and the people going');
    end if;
    return v_conv;
  end if;
  if not social_private.user_is_event_organizer(v_me, v_event.organizer_id, v_event.group_id) then
    perform social_private.raise_error('permission_denied', 'not_event_organizer', 'the organizers open the event''s chat');
  end if;
  if v_event.status <> 'published' then
    perform social_private.raise_error('conflict', 'rsvp_closed', 'only a published event has a chat');
  end if;
  perform social_private.check_rate_limit('conversation');
  insert into social.conversations (kind, title, avatar_path, context_type, context_id, created_by)
  values ('group', left(v_event.title, 80), v_event.cover_path, 'event', p_event_id, v_me)
  on conflict (context_type, context_id) where context_type is not null do nothing
  returning * into v_conv;
  if v_conv.id is null then
    select c.* into v_conv from social.conversations c where c.context_type = 'event' and c.context_id = p_event_id;
    return v_conv;
  end if;
  perform set_config('social.chat_creating', v_conv.id::text, true);
  insert into social.conversation_members (conversation_id, user_id, role)
  select v_conv.id, v_event.organizer_id, 'admin'::social.conversation_role
  union
  select v_conv.id, r.user_id, 'member'::social.conversation_role
  from social.event_rsvps r
  where r.event_id = p_event_id and r.status = 'going' and r.waitlist_seq is null
    and r.user_id <> v_event.organizer_id;
  perform set_config('social.chat_creating', '', true);
  select c.* into v_conv from social.conversations c where c.id = v_conv.id;
  return v_conv;
end;
$$;
comment on function social_private.open_event_chat(uuid) is
  'Body of social.open_event_chat (security definer): the conversation tied to a published event, '
  'opened by an organizer with the organizer (admin) and the seated attendees; a member gets it back.';
grant execute on function social_private.open_event_chat(uuid) to authenticated, service_role;

-- The event's chat: organizers open it; its members (the organizer and the people going) get it.
create function social.open_event_chat(p_event_id uuid)
returns social.conversations
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.open_event_chat(p_event_id);
$$;
comment on function social.open_event_chat(uuid) is
  'The event''s conversation (the organizer and the people going with a seat); an organizer opens '
  'it. Errors: event_not_found, not_event_organizer, conversation_not_found, rsvp_closed, rate_limited.';
grant execute on function social.open_event_chat(uuid) to authenticated, service_role;

-- An RSVP that gets or loses its seat joins or leaves the event's chat (the organizer stays).
create function social_private.handle_event_rsvp_chat()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_event uuid := coalesce(new.event_id, old.event_id);
  v_user uuid := coalesce(new.user_id, old.user_id);
  v_seated boolean := tg_op <> 'DELETE' and new.status = 'going' and new.waitlist_seq is null;
begin
  if exists (select 1 from social.events e where e.id = v_event and e.organizer_id = v_user) then
    return null;
  end if;
  if tg_op = 'UPDATE' and v_seated = (old.status = 'going' and old.waitlist_seq is null) then
    return null;
  end if;
  perform social_private.set_context_member('event', v_event, v_user, v_seated, 'member');
  return null;
end;
$$;
comment on function social_private.handle_event_rsvp_chat() is
  'Trigger function (after insert, update of status, waitlist_seq or delete on event_rsvps, '
  'on_event_rsvps_chat): keeps the event chat''s members equal to the organizer and the seated attendees.';
create trigger on_event_rsvps_chat after insert or update of status, waitlist_seq or delete on social.event_rsvps
  for each row execute function social_private.handle_event_rsvp_chat();

-- A deleted event takes its conversation (and its messages) with it.
create function social_private.handle_event_deleted_chat()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from social.conversations c where c.context_type = 'event' and c.context_id = old.id;
  return null;
end;
$$;
comment on function social_private.handle_event_deleted_chat() is
  'Trigger function (after delete on events, on_events_deleted_chat): deletes the conversation tied to the event.';
create trigger on_events_deleted_chat after delete on social.events
  for each row execute function social_private.handle_event_deleted_chat();

revoke execute on all functions in schema social, social_private from public;
