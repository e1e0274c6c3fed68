-- Chat delivery: Realtime, read state, the conversation list, receipts and moderation hooks.
--
-- Realtime (Broadcast, private channels, from the triggers below):
--   chat:<conversation_id>   message.new {message}, message.update {message},
--                            message.delete {id, conversation_id, seq, deleted_at, deleted_by},
--                            delivery.read {conversation_id, user_id, last_read_seq, read_at}
--                            (conversations of up to chat_limits.receipts_members members),
--                            member.added / member.removed {conversation_id, user_id},
--                            conversation.closed {conversation_id} (a block closed a direct one).
--                            Members also send `typing` broadcasts and track presence on it.
--   user:<id>                conversation.added {conversation}, conversation.removed
--                            {conversation_id}, and chat.message {conversation_id, message (a
--                            preview: text cut to 140 characters), unread_count} for each new
--                            message in an unmuted conversation of up to
--                            chat_limits.announce_members members (a send costs one broadcast
--                            per such member; larger conversations announce nothing per message,
--                            their members follow chat:<id> or the list).
-- The message's broadcasts are written into realtime.messages in one insert by the send's
-- trigger (see handle_message_created); the other events go through realtime.send.
-- Who may receive and send on chat:<id>: its members (can_read_chat_topic, registered with the
-- core migration's topic dispatch for both read and write, broadcast and presence). Realtime
-- checks it when a channel joins and when its token is refreshed; a member who is removed,
-- banned from the group or separated by a block is refused from then on, and the member.removed
-- / conversation.closed broadcast ends the SDK's subscription at once. (Realtime keeps an open
-- channel's join-time grant until the token is refreshed: a client that ignores the event keeps
-- hearing broadcasts until then; the Data API refuses it at once.)
--
-- Read state: conversation_members.last_read_seq against conversations.last_seq; unread counts
-- are a subtraction, whatever the number of members (nothing per member is written on a send).
-- Receipts (who has read a message) come from the same read positions, for conversations of up
-- to chat_limits.receipts_members members.
-- SDK: social.chat (list, markRead, unread, receipts, subscribe); tests: tests/db/chat*.test.ts,
-- tests/sdk/chat.test.ts, tests/realtime/chat.test.ts.

-- =====================================================================================
-- Realtime: who may use chat:<id>
-- =====================================================================================

-- May the caller receive or send (broadcast, presence) on chat:<p_id>? Its members may.
create function social_private.can_read_chat_topic(p_id text, p_extension text)
returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_extension not in ('broadcast', 'presence')
     or p_id !~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' then
    return false;
  end if;
  return social_private.can_read_conversation(p_id::uuid);
end;
$$;
comment on function social_private.can_read_chat_topic(text, text) is
  'Realtime check of chat:<p_id> (read and write, broadcast and presence): the caller is a member '
  'of that conversation and may read it.';
insert into social_private.realtime_topics (prefix, read_check, write_check)
values ('chat', 'social_private.can_read_chat_topic(text, text)', 'social_private.can_read_chat_topic(text, text)');

-- =====================================================================================
-- Realtime: what the database sends
-- =====================================================================================

-- A new message: message.new on chat:<id>; chat.message on the user:<id> of each unmuted member
-- (not the sender, nobody a block separates from the sender) of a conversation of up to
-- chat_limits.announce_members members. The rows go into realtime.messages in one statement:
-- what realtime.send does for one row (payload id, private broadcast), without a subtransaction
-- per row; a failure (e.g. a missing partition on Supabase) is a warning, as realtime.send makes it,
-- and never stops the send.
-- Every send runs it, so it is that one statement and nothing more: the message's JSON is
-- social_private.message_json's (its columns, the sender's card, the reply's preview) and the
-- preview's body social_private.excerpt's, built in place (a helper call is a statement of its
-- own, a sql one is planned again each time); the ids are version 7 uuids like
-- social_private.uuid_v7's, the statement's milliseconds (as text, once) before the random part of
-- a gen_random_uuid() (its version digit replaced by 7); the sender's blocks are read once, not
-- per member.
create function social_private.handle_message_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  begin
    with m as (
      select x.message,
             jsonb_build_object('id', new.id, 'conversation_id', new.conversation_id, 'seq', new.seq,
               'sender_id', new.sender_id, 'sender', x.message -> 'sender', 'kind', new.kind,
               'body', case when char_length(new.body) > 140 then left(new.body, 139) || '…' else new.body end,
               'attachment_count', jsonb_array_length(new.attachments), 'data', new.data,
               'created_at', new.created_at) as preview,
             -- the first 13 characters of a version 7 uuid: the statement's Unix milliseconds
             overlay(lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0')
                     placing '-' from 9 for 0) || '-7' as v7
      from (
        select to_jsonb(new) || jsonb_build_object(
                 'sender', (select jsonb_build_object('id', p.id, 'handle', p.handle, 'display_name', p.display_name,
                                                     'avatar_path', p.avatar_path)
                            from social.profiles p where p.id = new.sender_id),
                 'reply_to', case when new.reply_to_id is not null then
                   (select jsonb_build_object('id', r.id, 'sender_id', r.sender_id, 'body', social_private.excerpt(r.body),
                                              'is_deleted', r.deleted_at is not null)
                    from social.messages r where r.id = new.reply_to_id) end) as message
        offset 0 -- built once, not once per use above
      ) x
    )
    insert into realtime.messages (id, topic, extension, event, private, payload)
    select r.id, r.topic, 'broadcast', r.event, true, r.payload
    from m, lateral (
      select x.id, 'chat:' || new.conversation_id as topic, 'message.new' as event,
             jsonb_build_object('message', m.message, 'id', x.id) as payload
      from (select (m.v7 || substr(gen_random_uuid()::text, 16))::uuid as id) x
      union all
      select x.id, 'user:' || x.user_id, 'chat.message',
             jsonb_build_object('conversation_id', new.conversation_id, 'message', m.preview,
                                'unread_count', x.unread, 'id', x.id)
      from (
        select (m.v7 || substr(gen_random_uuid()::text, 16))::uuid as id,
               cm.user_id, greatest(c.last_seq - cm.last_read_seq, 0) as unread
        from social.conversations c
        join social.conversation_members cm on cm.conversation_id = c.id
        where c.id = new.conversation_id
          and c.member_count <= (select l.value from social_private.chat_limits l where l.name = 'announce_members')
          and cm.user_id is distinct from new.sender_id
          and (cm.muted_until is null or cm.muted_until <= now())
          -- a tier-gated club's chat: only members holding the tier (the group's tier read once)
          and (c.context_type is distinct from 'group'
               or (select g.required_tier from social.groups g where g.id = c.context_id) is null
               or social_private.user_holds_group_tier(cm.user_id, c.context_id))
          and cm.user_id <> all (array(
            select case when b.blocker_id = new.sender_id then b.blocked_id else b.blocker_id end
            from social.blocks b where b.blocker_id = new.sender_id or b.blocked_id = new.sender_id))
      ) x
    ) r;
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
  return null;
end;
$$;
comment on function social_private.handle_message_created() is
  'Trigger function (after insert on messages): broadcasts message.new on chat:<id> and announces '
  'chat.message on the user:<id> of unmuted members of small conversations, in one insert into '
  'realtime.messages.';
create trigger on_messages_created after insert on social.messages
  for each row execute function social_private.handle_message_created();

-- An edit or a deletion: message.update or message.delete on chat:<id>.
create function social_private.handle_message_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.deleted_at is not null and old.deleted_at is null then
    perform realtime.send(
      jsonb_build_object('id', new.id, 'conversation_id', new.conversation_id, 'seq', new.seq,
                         'deleted_at', new.deleted_at, 'deleted_by', new.deleted_by),
      'message.delete', 'chat:' || new.conversation_id, true);
  elsif new.body is distinct from old.body then
    perform realtime.send(jsonb_build_object('message', social_private.message_json(new)),
      'message.update', 'chat:' || new.conversation_id, true);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_message_changed() is
  'Trigger function (after update of body or deleted_at on messages): broadcasts message.update '
  'or message.delete on chat:<id>.';
create trigger on_messages_changed after update of body, deleted_at on social.messages
  for each row execute function social_private.handle_message_changed();

-- A new group conversation starts with a system message.
create function social_private.handle_conversation_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.kind = 'group' then
    perform social_private.post_system_message(new.id,
      jsonb_build_object('event', 'conversation_created', 'by', new.created_by));
  end if;
  return null;
end;
$$;
comment on function social_private.handle_conversation_created() is
  'Trigger function (after insert on conversations): posts the conversation_created system '
  'message of a group conversation.';
create trigger on_conversations_created after insert on social.conversations
  for each row execute function social_private.handle_conversation_created();

-- A member joined: member.added on chat:<id>, conversation.added on their user:<id> (unless they
-- made it themselves), and a member_joined system message in a group conversation (not for the
-- members it was created with).
create function social_private.handle_conversation_member_added()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_conv social.conversations;
begin
  select c.* into v_conv from social.conversations c where c.id = new.conversation_id;
  perform realtime.send(jsonb_build_object('conversation_id', new.conversation_id, 'user_id', new.user_id,
                                           'role', new.role),
    'member.added', 'chat:' || new.conversation_id, true);
  if new.user_id is distinct from (select auth.uid()) then
    perform realtime.send(jsonb_build_object('conversation', to_jsonb(v_conv)),
      'conversation.added', 'user:' || new.user_id, true);
  end if;
  if v_conv.kind = 'group'
     and coalesce(current_setting('social.chat_creating', true), '') <> new.conversation_id::text then
    perform social_private.post_system_message(new.conversation_id, jsonb_build_object(
      'event', 'member_joined', 'user_id', new.user_id,
      'by', case when (select auth.uid()) is distinct from new.user_id then (select auth.uid()) end));
  end if;
  return null;
end;
$$;
comment on function social_private.handle_conversation_member_added() is
  'Trigger function (after insert on conversation_members): member.added on chat:<id>, '
  'conversation.added on the member''s user:<id>, a member_joined system message.';
create trigger on_conversation_members_added after insert on social.conversation_members
  for each row execute function social_private.handle_conversation_member_added();

-- A member left or was removed: member.removed on chat:<id> (their SDK subscription ends),
-- conversation.removed on their user:<id>, a system message (member_left, member_removed).
-- Nothing when the conversation itself is going.
create function social_private.handle_conversation_member_removed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_conv social.conversations;
begin
  select c.* into v_conv from social.conversations c where c.id = old.conversation_id;
  if v_conv.id is null then
    return null;
  end if;
  perform realtime.send(jsonb_build_object('conversation_id', old.conversation_id, 'user_id', old.user_id),
    'member.removed', 'chat:' || old.conversation_id, true);
  perform realtime.send(jsonb_build_object('conversation_id', old.conversation_id),
    'conversation.removed', 'user:' || old.user_id, true);
  if v_conv.kind = 'group' then
    perform social_private.post_system_message(old.conversation_id,
      case when (select auth.uid()) is null or (select auth.uid()) = old.user_id
             or v_conv.context_type is not null
           then jsonb_build_object('event', 'member_left', 'user_id', old.user_id)
           else jsonb_build_object('event', 'member_removed', 'user_id', old.user_id, 'by', (select auth.uid()))
      end);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_conversation_member_removed() is
  'Trigger function (after delete on conversation_members): member.removed on chat:<id>, '
  'conversation.removed on the member''s user:<id>, a member_left or member_removed system message.';
create trigger on_conversation_members_removed after delete on social.conversation_members
  for each row execute function social_private.handle_conversation_member_removed();

-- A member read further (not by sending): delivery.read on chat:<id> in a conversation of up to
-- chat_limits.receipts_members members.
create function social_private.handle_conversation_member_read()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (select c.member_count from social.conversations c where c.id = new.conversation_id)
     <= social_private.chat_limit('receipts_members') then
    perform realtime.send(jsonb_build_object('conversation_id', new.conversation_id, 'user_id', new.user_id,
                                             'last_read_seq', new.last_read_seq, 'read_at', new.last_read_at),
      'delivery.read', 'chat:' || new.conversation_id, true);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_conversation_member_read() is
  'Trigger function (after a member''s read position moves without a send): delivery.read on '
  'chat:<id> in small conversations.';
create trigger on_conversation_members_read after update of last_read_seq on social.conversation_members
  for each row
  when (new.last_read_seq > old.last_read_seq and new.last_sent_at is not distinct from old.last_sent_at)
  execute function social_private.handle_conversation_member_read();

-- A block closes the direct conversation of the pair: conversation.closed on chat:<id> (their
-- SDK subscriptions end) and conversation.removed on both user topics.
create function social_private.handle_block_chat()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_conversation uuid;
begin
  select c.id into v_conversation from social.conversations c
  where c.kind = 'direct' and c.direct_user_low = least(new.blocker_id, new.blocked_id)
    and c.direct_user_high = greatest(new.blocker_id, new.blocked_id);
  if v_conversation is not null then
    perform realtime.send(jsonb_build_object('conversation_id', v_conversation),
      'conversation.closed', 'chat:' || v_conversation, true);
    perform realtime.send(jsonb_build_object('conversation_id', v_conversation),
      'conversation.removed', 'user:' || u, true)
    from unnest(array[new.blocker_id, new.blocked_id]) u;
  end if;
  return null;
end;
$$;
comment on function social_private.handle_block_chat() is
  'Trigger function (after insert on blocks): closes the pair''s direct conversation on Realtime.';
create trigger on_blocks_chat after insert on social.blocks
  for each row execute function social_private.handle_block_chat();

-- =====================================================================================
-- read state
-- =====================================================================================

-- Move the caller's read position up to p_message_id (the latest message when null); it never
-- moves back. Returns the position and what is left unread.
create function social_private.mark_conversation_read(p_conversation_id uuid, p_message_id uuid)
returns table (conversation_id uuid, last_read_seq bigint, last_seq bigint, unread_count bigint)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_member social.conversation_members := social_private.require_conversation_member(p_conversation_id);
  v_last bigint;
  v_seq bigint;
begin
  select c.last_seq into v_last from social.conversations c where c.id = p_conversation_id;
  if p_message_id is null then
    v_seq := v_last;
  else
    select m.seq into v_seq from social.messages m where m.id = p_message_id and m.conversation_id = p_conversation_id;
    if v_seq is null then
      perform social_private.raise_error('not_found', 'message_not_found', 'no such message in this conversation');
    end if;
  end if;
  update social.conversation_members m set last_read_seq = v_seq, last_read_at = now()
  where m.conversation_id = p_conversation_id and m.user_id = v_member.user_id and m.last_read_seq < v_seq
  returning m.last_read_seq into v_seq;
  v_seq := greatest(coalesce(v_seq, 0), v_member.last_read_seq);
  return query select p_conversation_id, v_seq, v_last, greatest(v_last - v_seq, 0);
end;
$$;
comment on function social_private.mark_conversation_read(uuid, uuid) is
  'Moves the caller''s read position up to a message (or the latest); returns it and the unread '
  'count.';
grant execute on function social_private.mark_conversation_read(uuid, uuid) to authenticated, service_role;

create function social.mark_conversation_read(p_conversation_id uuid, p_message_id uuid default null)
returns table (conversation_id uuid, last_read_seq bigint, last_seq bigint, unread_count bigint)
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.mark_conversation_read(p_conversation_id, p_message_id);
$$;
comment on function social.mark_conversation_read(uuid, uuid) is
  'Mark a conversation read up to p_message_id (default: everything). Never moves back; members of '
  'small conversations get delivery.read. Errors: conversation_not_found, message_not_found.';
grant execute on function social.mark_conversation_read(uuid, uuid) to authenticated, service_role;

-- The caller's unread messages over their unmuted conversations, and in how many conversations.
create function social.unread_chat_count()
returns table (unread_messages bigint, unread_conversations integer)
language sql
stable
security invoker
set search_path = ''
as $$
  select coalesce(sum(c.last_seq - m.last_read_seq), 0)::bigint,
         count(*) filter (where c.last_seq > m.last_read_seq)::integer
  from social.conversation_members m
  join social.conversations c on c.id = m.conversation_id
  where m.user_id = (select auth.uid())
    and c.last_seq > m.last_read_seq
    and (m.muted_until is null or m.muted_until <= now())
    and (c.context_type is distinct from 'group' or social_private.holds_group_tier(c.context_id));
$$;
comment on function social.unread_chat_count() is
  'Unread messages over the caller''s unmuted conversations and the number of such conversations '
  '(one subtraction per conversation, no counting of messages).';
grant execute on function social.unread_chat_count() to authenticated, service_role;

-- Who has read p_message_id: every other member the caller may see, with whether their read
-- position reached it. Conversations of up to chat_limits.receipts_members members only.
create function social_private.message_receipts(p_message_id uuid)
returns table (user_id uuid, profile jsonb, read boolean, read_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_message social.messages;
  v_count integer;
begin
  perform social_private.require_user();
  select m.* into v_message from social.messages m where m.id = p_message_id;
  if v_message.id is null or not social_private.can_read_conversation(v_message.conversation_id)
     or social_private.is_blocked_with(v_message.sender_id) then
    perform social_private.raise_error('not_found', 'message_not_found', 'no such message');
  end if;
  select c.member_count into v_count from social.conversations c where c.id = v_message.conversation_id;
  if v_count > social_private.chat_limit('receipts_members') then
    perform social_private.raise_error('invalid_input', 'receipts_unavailable',
      format('read receipts are kept for conversations of up to %s members', social_private.chat_limit('receipts_members')));
  end if;
  return query
    select m.user_id,
           jsonb_build_object('id', p.id, 'handle', p.handle, 'display_name', p.display_name, 'avatar_path', p.avatar_path),
           m.last_read_seq >= v_message.seq,
           case when m.last_read_seq >= v_message.seq then m.last_read_at end
    from social.conversation_members m
    join social.profiles p on p.id = m.user_id
    where m.conversation_id = v_message.conversation_id
      and m.user_id is distinct from v_message.sender_id
      and not social_private.is_blocked_with(m.user_id)
    order by m.joined_at, m.user_id;
end;
$$;
comment on function social_private.message_receipts(uuid) is
  'Read receipts of a message from the members'' read positions (small conversations only).';
grant execute on function social_private.message_receipts(uuid) to authenticated, service_role;

create function social.message_receipts(p_message_id uuid)
returns table (user_id uuid, profile jsonb, read boolean, read_at timestamptz)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.message_receipts(p_message_id);
$$;
comment on function social.message_receipts(uuid) is
  'Who of the other members has read a message (read_at: when their read position last moved). '
  'Errors: message_not_found, receipts_unavailable (more than chat_limits.receipts_members members).';
grant execute on function social.message_receipts(uuid) to authenticated, service_role;

-- =====================================================================================
-- the conversation list
-- =====================================================================================

-- Up to p_limit members of p_conversation_id other than the caller and p_hidden (the users a
-- block separates them from), earliest first, as profile cards (the list shows who a
-- conversation is with). An index range scan on (conversation_id, joined_at).
create function social_private.conversation_member_preview(p_conversation_id uuid, p_limit integer, p_hidden uuid[])
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(jsonb_agg(jsonb_build_object('id', p.id, 'handle', p.handle, 'display_name', p.display_name,
                                                 'avatar_path', p.avatar_path, 'role', x.role)
                              order by x.joined_at, x.user_id), '[]'::jsonb)
    from (
      select m.user_id, m.joined_at, m.role
      from social.conversation_members m
      where m.conversation_id = p_conversation_id and m.user_id <> (select auth.uid())
        and m.user_id <> all (p_hidden)
      order by m.joined_at, m.user_id
      limit p_limit
    ) x
    join social.profiles p on p.id = x.user_id
  );
end;
$$;
comment on function social_private.conversation_member_preview(uuid, integer, uuid[]) is
  'Up to p_limit other members of a conversation (not the caller, none of p_hidden) as cards with '
  'their role.';
grant execute on function social_private.conversation_member_preview(uuid, integer, uuid[]) to authenticated, service_role;

-- The list rows of p_ids in that order, for the caller. Security definer: it applies the read
-- rule itself, in one pass (only the caller's memberships; no direct conversation a block stands
-- in; no message of a blocked sender as the latest one) rather than the chat tables' RLS per table.
create function social_private.conversation_items(p_ids uuid[])
returns table (
  id uuid, kind social.conversation_kind, title text, avatar_path text,
  context_type social.conversation_context, context_id uuid, member_count integer,
  slow_mode_seconds integer, role social.conversation_role, muted_until timestamptz,
  last_read_seq bigint, last_seq bigint, unread_count bigint, last_activity_at timestamptz,
  last_message jsonb, members jsonb, created_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_hidden uuid[] := coalesce(social_private.my_blocked_ids(), '{}');
begin
  return query
    select c.id, c.kind, c.title, c.avatar_path, c.context_type, c.context_id, c.member_count,
           c.slow_mode_seconds, m.role, m.muted_until, m.last_read_seq, c.last_seq,
           greatest(c.last_seq - m.last_read_seq, 0), c.last_activity_at,
           (select jsonb_build_object('id', lm.id, 'seq', lm.seq, 'sender_id', lm.sender_id, 'kind', lm.kind,
                                      'body', social_private.excerpt(lm.body),
                                      'attachment_count', jsonb_array_length(lm.attachments),
                                      'data', lm.data, 'is_deleted', lm.deleted_at is not null,
                                      'created_at', lm.created_at)
            from social.messages lm
            where lm.conversation_id = c.id and (lm.sender_id is null or lm.sender_id <> all (v_hidden))
            order by lm.seq desc limit 1),
           social_private.conversation_member_preview(c.id, 3, v_hidden),
           c.created_at
    from unnest(p_ids) with ordinality as k(conversation_id, n)
    join social.conversations c on c.id = k.conversation_id
    join social.conversation_members m on m.conversation_id = c.id and m.user_id = (select auth.uid())
    where (c.kind <> 'direct' or not (c.direct_user_low = any (v_hidden) or c.direct_user_high = any (v_hidden)))
      and (c.context_type is distinct from 'group'
           or (select g.required_tier from social.groups g where g.id = c.context_id) is null
           or social_private.holds_group_tier(c.context_id))
    order by k.n;
end;
$$;
comment on function social_private.conversation_items(uuid[]) is
  'The conversation list rows of p_ids the caller may read, in that order: the conversation, the '
  'caller''s role, mute and unread count, the latest message they may read, up to 3 other members.';
grant execute on function social_private.conversation_items(uuid[]) to authenticated, service_role;

-- The caller's conversations, latest activity first (the same rule as conversation_items).
create function social_private.list_conversations(p_cursor text, p_limit integer)
returns table (
  id uuid, kind social.conversation_kind, title text, avatar_path text,
  context_type social.conversation_context, context_id uuid, member_count integer,
  slow_mode_seconds integer, role social.conversation_role, muted_until timestamptz,
  last_read_seq bigint, last_seq bigint, unread_count bigint, last_activity_at timestamptz,
  last_message jsonb, members jsonb, created_at timestamptz, next_cursor text
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('list_conversations', 'activity', v_me::text, p_cursor);
  v_hidden uuid[] := coalesce(social_private.my_blocked_ids(), '{}');
  v_ids uuid[];
  v_at timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.last_activity_at desc, x.id desc),
         array_agg(x.last_activity_at order by x.last_activity_at desc, x.id desc)
    into v_ids, v_at
  from (
    select c.id, c.last_activity_at
    from social.conversation_members m
    join social.conversations c on c.id = m.conversation_id
    where m.user_id = v_me and (c.last_activity_at, c.id) < (v_key.created_at, v_key.id)
      and (c.kind <> 'direct' or not (c.direct_user_low = any (v_hidden) or c.direct_user_high = any (v_hidden)))
    order by c.last_activity_at desc, c.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_conversations', 'activity', v_me::text,
                                                v_at[v_limit], null, v_ids[v_limit]);
  end if;
  return query select i.*, v_next from social_private.conversation_items(coalesce(v_ids[1:v_limit], '{}')) i;
end;
$$;
comment on function social_private.list_conversations(text, integer) is
  'Body of social.list_conversations: a page of the caller''s readable conversations by activity.';
grant execute on function social_private.list_conversations(text, integer) to authenticated, service_role;

-- The caller's conversations, latest activity first, with unread counts, the latest message and
-- who they are with; next_cursor on every row (null on the last page). A conversation that moves
-- up while you page (a new message) is not shown again further down; the app hears of it live.
create function social.list_conversations(p_cursor text default null, p_limit integer default 20)
returns table (
  id uuid, kind social.conversation_kind, title text, avatar_path text,
  context_type social.conversation_context, context_id uuid, member_count integer,
  slow_mode_seconds integer, role social.conversation_role, muted_until timestamptz,
  last_read_seq bigint, last_seq bigint, unread_count bigint, last_activity_at timestamptz,
  last_message jsonb, members jsonb, created_at timestamptz, next_cursor text
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.list_conversations(p_cursor, p_limit);
$$;
comment on function social.list_conversations(text, integer) is
  'Your conversations, latest activity first, with unread counts, the latest message and up to 3 '
  'other members; pass next_cursor for the next page; p_limit 1-50.';
grant execute on function social.list_conversations(text, integer) to authenticated, service_role;

-- One of the caller's conversations as a list row.
create function social.get_conversation(p_conversation_id uuid)
returns table (
  id uuid, kind social.conversation_kind, title text, avatar_path text,
  context_type social.conversation_context, context_id uuid, member_count integer,
  slow_mode_seconds integer, role social.conversation_role, muted_until timestamptz,
  last_read_seq bigint, last_seq bigint, unread_count bigint, last_activity_at timestamptz,
  last_message jsonb, members jsonb, created_at timestamptz
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  perform social_private.require_user();
  return query select * from social_private.conversation_items(array[p_conversation_id]);
  if not found then
    perform social_private.raise_error('not_found', 'conversation_not_found', 'no such conversation');
  end if;
end;
$$;
comment on function social.get_conversation(uuid) is
  'One of your conversations as in the list. Errors: conversation_not_found.';
grant execute on function social.get_conversation(uuid) to authenticated, service_role;

-- The members of a conversation the caller is in, newest first, without anyone a block separates
-- them from; next_cursor on every row.
create function social_private.list_conversation_members(p_conversation_id uuid, p_cursor text, p_limit integer)
returns table (user_id uuid, role social.conversation_role, joined_at timestamptz, profile jsonb, next_cursor text)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('list_conversation_members', 'latest',
                                                                      p_conversation_id::text, p_cursor);
  v_ids uuid[];
  v_at timestamptz[];
  v_next text;
begin
  perform social_private.require_conversation_member(p_conversation_id);
  select array_agg(x.user_id order by x.joined_at desc, x.user_id desc),
         array_agg(x.joined_at order by x.joined_at desc, x.user_id desc)
    into v_ids, v_at
  from (
    select m.user_id, m.joined_at from social.conversation_members m
    where m.conversation_id = p_conversation_id and (m.joined_at, m.user_id) < (v_key.created_at, v_key.id)
      and not social_private.is_blocked_with(m.user_id)
    order by m.joined_at desc, m.user_id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_conversation_members', 'latest', p_conversation_id::text,
                                                v_at[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select m.user_id, m.role, m.joined_at,
           jsonb_build_object('id', p.id, 'handle', p.handle, 'display_name', p.display_name, 'avatar_path', p.avatar_path),
           v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(user_id, n)
    join social.conversation_members m on m.conversation_id = p_conversation_id and m.user_id = k.user_id
    join social.profiles p on p.id = m.user_id
    order by k.n;
end;
$$;
comment on function social_private.list_conversation_members(uuid, text, integer) is
  'A page of a conversation''s members for a member of it (blocked users left out).';
grant execute on function social_private.list_conversation_members(uuid, text, integer) to authenticated, service_role;

create function social.list_conversation_members(
  p_conversation_id uuid,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (user_id uuid, role social.conversation_role, joined_at timestamptz, profile jsonb, next_cursor text)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.list_conversation_members(p_conversation_id, p_cursor, p_limit);
$$;
comment on function social.list_conversation_members(uuid, text, integer) is
  'The members of one of your conversations, newest first, with their cards and roles (blocked '
  'users left out); pass next_cursor for more. Errors: conversation_not_found.';
grant execute on function social.list_conversation_members(uuid, text, integer) to authenticated, service_role;

-- The members of p_conversation_id a block separates the caller from (either way): the SDK drops
-- their live messages, typing and presence, which Realtime delivers to every member of the topic
-- (history, lists and announcements leave them out in the database already).
create function social_private.conversation_hidden_members(p_conversation_id uuid)
returns table (user_id uuid)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform social_private.require_conversation_member(p_conversation_id);
  return query
    select m.user_id from social.conversation_members m
    where m.conversation_id = p_conversation_id and m.user_id = any (social_private.my_blocked_ids());
end;
$$;
comment on function social_private.conversation_hidden_members(uuid) is
  'Members of a conversation of the caller''s that a block separates the caller from.';
grant execute on function social_private.conversation_hidden_members(uuid) to authenticated, service_role;

create function social.conversation_hidden_members(p_conversation_id uuid)
returns table (user_id uuid)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.conversation_hidden_members(p_conversation_id);
$$;
comment on function social.conversation_hidden_members(uuid) is
  'The members of one of your conversations a block separates you from (either way): a client '
  'leaves their live broadcasts out. Errors: conversation_not_found.';
grant execute on function social.conversation_hidden_members(uuid) to authenticated, service_role;

-- =====================================================================================
-- moderation: reports of messages
-- =====================================================================================

-- For the report trigger (reports migration): a message the reporter may read (text, not
-- deleted, not from someone a block separates them from), routed to the staff of the group its
-- conversation is tied to, else the platform (group_id null), with a snapshot. No row when the
-- reporter may not read it.
create function social_private.message_report_target(p_message_id uuid)
returns table (group_id uuid, sender_id uuid, snapshot jsonb)
language sql
stable
security definer
set search_path = ''
as $$
  select case when c.context_type = 'group' then c.context_id end, m.sender_id,
         jsonb_build_object('body', m.body, 'attachments', m.attachments, 'conversation_id', m.conversation_id,
                            'seq', m.seq, 'created_at', m.created_at, 'edit_count', m.edit_count)
  from social.messages m
  join social.conversations c on c.id = m.conversation_id
  where m.id = p_message_id and m.kind = 'text' and m.deleted_at is null
    and ((select auth.uid()) is null
         or (social_private.can_read_conversation(m.conversation_id)
             and not social_private.is_blocked_with(m.sender_id)));
$$;
comment on function social_private.message_report_target(uuid) is
  'Where a report of p_message_id goes and what it snapshots, when the reporter may read it.';

revoke execute on all functions in schema social, social_private from public;
