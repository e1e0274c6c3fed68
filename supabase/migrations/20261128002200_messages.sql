-- Messages: sending (idempotent by client_message_id), edits with history, tombstones, system
-- messages, slow mode and the per-user rate limit, history pages. Conversations and members are
-- in 20261128002000_conversations.sql; delivery, read state and moderation in
-- 20261128002300_chat_delivery.sql.
--
-- Sequence and unread counts: each conversation numbers its messages 1, 2, 3 ... (messages.seq,
-- unique per conversation); conversations.last_seq is the latest. A send updates that one row,
-- the sender's own member row (their read position moves to their message) and inserts the
-- message: the cost does not grow with the number of members. A member's unread count is
-- conversations.last_seq - conversation_members.last_read_seq (system messages count as messages).
--
-- Idempotency: a send carries the sender's client_message_id (a uuid the SDK makes once per
-- message and reuses on every retry), unique per sender. A retry of a stored send returns the
-- stored row. Retries running at the same time (on as many connections) queue on the
-- conversation's row, which taking the next number locks: the first stores the message; each
-- other finds the key taken when it inserts (on conflict do nothing), gives its number back and
-- returns the stored row. The same key reused for another conversation or another text is
-- refused (idempotency_conflict, 409).
--
-- Limits: the message rate limit per user and minute (the core social_private.check_rate_limit,
-- its rule in rate_limit_rules: the conversations migration; chat_limits there too); slow mode
-- per conversation (slow_mode_seconds between two messages of a member, admins exempt; slow_mode,
-- 429). Edits are rate limited as message_edit.
--
-- The cost of a send (the chat benchmark's target: 2,000 a second on two cores): every statement and
-- every helper call counts, so a plain text send runs two statements in send_message -- one
-- look-up (membership, conversation, block, a stored retry) and one write (next number, message,
-- sender's read position, as one statement) -- and one call of the core check_rate_limit (one
-- statement on the sender's counter row), plus the foreign key checks and the delivery trigger's
-- one insert (chat_delivery migration). sql helpers with their own search_path are planned again
-- on every call, so the path calls none (check_rate_limit is plpgsql: its plan is kept).
--
-- Attachments are media references (20261128001500_media.sql): a send lists up to 10 {id, alt?}
-- of the sender's uploads made for chat (create_media target `message`, bucket social-chat),
-- checked and completed by social_private.resolve_media_list and attached by attach_media (after
-- the stored-retry check, so a retry returns the stored message and attaches nothing twice).
-- Their objects are readable exactly by whoever may read the message
-- (can_view_message_media, the `message` target registered in social_private.media_targets).
--
-- Deleting leaves a tombstone: body and attachments are cleared (the media is detached, readable
-- by its owner only until the clean-up job removes it), deleted_at and deleted_by set,
-- the edit history removed; readers see the tombstone in place. The sender, the conversation's
-- admins (for a conversation tied to a group: its staff) and the platform delete; a deletion by
-- anyone but the sender is moderation (logged as message_removed, open reports resolved).
--
-- Who reads: members of the conversation (social_private.my_conversation_ids, so a removed or
-- banned member and both sides of a blocked direct conversation read nothing), never messages
-- of users a block separates them from.
-- SDK: social.chat (send, edit, delete, history); tests: tests/db/chat.test.ts.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.message_kind as enum ('text', 'system');
comment on type social.message_kind is
  'text: written by a member; system: made by the database (data.event: conversation_created, '
  'member_joined, member_left, member_removed).';

-- =====================================================================================
-- ids
-- =====================================================================================

-- A time-ordered uuid (version 7: 48 bits of Unix milliseconds, then random bits). Messages are
-- many and written all the time: ids that grow with time land at the right edge of the primary
-- key's index instead of on a random page of it.
create function social_private.uuid_v7()
returns uuid
language plpgsql
volatile
set search_path = ''
as $$
begin
  return encode(
    set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                            placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                            from 1 for 6), 52, 1), 53, 1),
    'hex')::uuid;
end;
$$;
comment on function social_private.uuid_v7() is
  'A new version 7 uuid: Unix milliseconds first, random after; ids of later rows sort later.';
grant execute on function social_private.uuid_v7() to authenticated, service_role;

-- =====================================================================================
-- tables
-- =====================================================================================

create table social.messages (
  id uuid primary key default social_private.uuid_v7(),
  conversation_id uuid not null references social.conversations (id) on delete cascade,
  seq bigint not null,
  sender_id uuid references social.profiles (id) on delete set null,
  client_message_id uuid not null default gen_random_uuid(),
  kind social.message_kind not null default 'text',
  body text,
  attachments jsonb not null default '[]',
  reply_to_id uuid references social.messages (id) on delete set null,
  data jsonb not null default '{}',
  edit_count integer not null default 0,
  edited_at timestamptz,
  deleted_at timestamptz,
  deleted_by uuid,
  created_at timestamptz not null default now(),
  constraint messages_seq_key unique (conversation_id, seq),
  constraint messages_seq_positive check (seq > 0),
  constraint messages_body_length check (char_length(body) <= 4000),
  constraint messages_attachments_array check (jsonb_typeof(attachments) = 'array'),
  constraint messages_data_object check (jsonb_typeof(data) = 'object' and pg_column_size(data) <= 4096),
  constraint messages_tombstone check (deleted_at is null or (body is null and attachments = '[]'))
);
comment on table social.messages is
  'Chat messages, numbered per conversation (seq). Members read them; sending, editing and '
  'deleting go through social.send_message, edit_message and delete_message.';
comment on column social.messages.id is
  'The message''s id: a version 7 uuid (time-ordered), so new ids append to the primary key''s index.';
comment on column social.messages.conversation_id is 'The conversation; deleting it deletes its messages.';
comment on column social.messages.seq is
  'Position in the conversation: 1, 2, 3 ... in sending order (conversations.last_seq is the '
  'latest). History pages and read positions use it.';
comment on column social.messages.sender_id is
  'Who sent it; null for system messages and once the sender''s account is gone.';
comment on column social.messages.client_message_id is
  'The sender''s idempotency key: a retry with the same key returns this message. Unique per sender.';
comment on column social.messages.kind is 'text or system (see type social.message_kind).';
comment on column social.messages.body is
  'The text, at most 4000 characters; null for a tombstone and for system messages.';
comment on column social.messages.attachments is
  'Media attached: at most 10 references to the sender''s social.media rows of target message '
  '(sent as {id, alt?}, stored completed from the row: id, bucket, path, type, mime_type, width, '
  'height, duration_ms, placeholder, alt), as posts.media. Readable by whoever may read the '
  'message (social_private.can_view_message_media); cleared (and detached) by a deletion.';
comment on column social.messages.reply_to_id is
  'The message this one replies to, in the same conversation; null when none or deleted for good.';
comment on column social.messages.data is
  'System messages: {event, user_id, by}; empty for text messages. At most 4 kB.';
comment on column social.messages.edit_count is 'How many times the sender edited it (message_edits keeps the versions).';
comment on column social.messages.edited_at is 'When it was last edited; null when never.';
comment on column social.messages.deleted_at is 'When it was deleted: a tombstone, body and attachments cleared.';
comment on column social.messages.deleted_by is
  'Who deleted it (the sender, an admin); null for the platform. No foreign key: it outlives the user.';
comment on column social.messages.created_at is 'When it was sent.';
-- the idempotency key, and the foreign key on sender_id
create unique index messages_client_message_idx on social.messages (sender_id, client_message_id);
create index messages_reply_to_idx on social.messages (reply_to_id) where reply_to_id is not null;
alter table social.messages enable row level security;
grant select on social.messages to authenticated;
grant all on social.messages to service_role;

-- members read their conversations' messages, except those of users a block separates them from
create policy messages_select_member on social.messages
  for select to authenticated
  using (
    conversation_id = any ((select social_private.my_conversation_ids())::uuid[])
    and (sender_id is null or sender_id <> all ((select social_private.my_blocked_ids())::uuid[]))
  );

create table social.message_edits (
  id uuid primary key default gen_random_uuid(),
  message_id uuid not null references social.messages (id) on delete cascade,
  conversation_id uuid not null references social.conversations (id) on delete cascade,
  sender_id uuid references social.profiles (id) on delete set null,
  body text,
  created_at timestamptz not null default clock_timestamp()
);
comment on table social.message_edits is
  'Earlier versions of edited messages, one row per edit (the text before it). Readable where the '
  'message is; removed when the message is deleted.';
comment on column social.message_edits.id is 'The version''s id.';
comment on column social.message_edits.message_id is 'The edited message.';
comment on column social.message_edits.conversation_id is 'The message''s conversation (for who may read it).';
comment on column social.message_edits.sender_id is 'The message''s sender (blocks hide their versions too).';
comment on column social.message_edits.body is 'The text before the edit.';
comment on column social.message_edits.created_at is
  'When the edit replaced this text (clock time: edits in one transaction keep their order).';
create index message_edits_message_idx on social.message_edits (message_id, created_at);
create index message_edits_conversation_idx on social.message_edits (conversation_id);
create index message_edits_sender_idx on social.message_edits (sender_id);
alter table social.message_edits enable row level security;
grant select on social.message_edits to authenticated;
grant all on social.message_edits to service_role;

-- versions are read where the message is
create policy message_edits_select_member on social.message_edits
  for select to authenticated
  using (
    conversation_id = any ((select social_private.my_conversation_ids())::uuid[])
    and (sender_id is null or sender_id <> all ((select social_private.my_blocked_ids())::uuid[]))
  );

-- =====================================================================================
-- helpers
-- =====================================================================================

-- History and the conversation list quote messages with notifications' excerpt, as the caller.
grant execute on function social_private.excerpt(text) to authenticated, service_role;

-- A message as JSON, as the Realtime broadcasts carry it (the columns of list_messages but the
-- cursors): the row, the sender's card and a preview of the message replied to. The message.new
-- broadcast (handle_message_created, on every send) builds the same JSON in its own statement:
-- change both together.
create function social_private.message_json(p_message social.messages)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return to_jsonb(p_message) || jsonb_build_object(
    'sender', (select jsonb_build_object('id', p.id, 'handle', p.handle, 'display_name', p.display_name,
                                         'avatar_path', p.avatar_path)
               from social.profiles p where p.id = p_message.sender_id),
    'reply_to', (select jsonb_build_object('id', r.id, 'sender_id', r.sender_id, 'body', social_private.excerpt(r.body),
                                           'is_deleted', r.deleted_at is not null)
                 from social.messages r where r.id = p_message.reply_to_id)
  );
end;
$$;
comment on function social_private.message_json(social.messages) is
  'A message as JSON: its columns, sender {id, handle, display_name, avatar_path} and reply_to '
  '{id, sender_id, body excerpt, is_deleted}.';

-- The cursor of a history page: the next page goes p_direction (older or newer) from p_seq in
-- conversation p_conversation_id (the core migration's signed cursors: list list_messages, order
-- history, scope the conversation, keys direction and seq).
create function social_private.encode_message_cursor(p_direction text, p_conversation_id uuid, p_seq bigint)
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  return social_private.encode_cursor('list_messages', 'history', p_conversation_id::text,
                                      array[p_direction, p_seq::text]);
end;
$$;
comment on function social_private.encode_message_cursor(text, uuid, bigint) is
  'The opaque cursor of the history page p_direction (older, newer) of p_seq in a conversation.';
grant execute on function social_private.encode_message_cursor(text, uuid, bigint) to authenticated, service_role;

-- The direction and position a history cursor holds; invalid_cursor (22023) for a cursor of
-- another list or conversation, or one changed in any byte.
create function social_private.decode_message_cursor(
  p_cursor text,
  p_conversation_id uuid,
  out o_direction text,
  out o_seq bigint
)
language plpgsql
stable
set search_path = ''
as $$
declare
  v_keys text[] := social_private.decode_cursor('list_messages', 'history', p_conversation_id::text, p_cursor, 2);
begin
  o_direction := v_keys[1];
  o_seq := v_keys[2]::bigint;
end;
$$;
comment on function social_private.decode_message_cursor(text, uuid) is
  'The direction (older, newer) and seq a history cursor of p_conversation_id holds; raises '
  'invalid_cursor otherwise.';
grant execute on function social_private.decode_message_cursor(text, uuid) to authenticated, service_role;

-- Insert a system message (kind system, no sender) into p_conversation_id, taking the next seq.
create function social_private.post_system_message(p_conversation_id uuid, p_data jsonb)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_seq bigint;
begin
  update social.conversations c set last_seq = c.last_seq + 1, last_activity_at = now()
  where c.id = p_conversation_id
  returning c.last_seq into v_seq;
  if v_seq is null then
    return;
  end if;
  insert into social.messages (conversation_id, seq, kind, data) values (p_conversation_id, v_seq, 'system', p_data);
end;
$$;
comment on function social_private.post_system_message(uuid, jsonb) is
  'Appends a system message (data: {event, user_id, by}) to a conversation.';

-- =====================================================================================
-- sending
-- =====================================================================================

-- The media ids of a media list ({id, ...} items), lower case, in list order ('{}' for none):
-- a retry of a send must name the same media as the stored message.
create function social_private.media_list_ids(p_media jsonb)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(lower(e.value ->> 'id') order by e.ordinality), '{}')
  from jsonb_array_elements(case when jsonb_typeof(p_media) = 'array' then p_media else '[]' end)
       with ordinality as e(value, ordinality);
$$;
comment on function social_private.media_list_ids(jsonb) is
  'The ids of a media list''s items, lower case, in order; empty for none.';

-- Send a message as the caller; see the header for idempotency, limits and the cost. The hot path
-- of the chat: two statements and one helper call on the way of a plain text send (one look-up,
-- check_rate_limit, one write), see "The cost of a send" in the header.
create function social_private.send_message(
  p_conversation_id uuid,
  p_client_message_id uuid,
  p_body text,
  p_attachments jsonb,
  p_reply_to_id uuid
)
returns social.messages
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := auth.uid();
  v_attachments jsonb := '[]';
  v_error text;
  v_conv record;
  v_message social.messages;
begin
  if v_me is null then
    perform social_private.raise_error('not_authenticated', 'not_authenticated', 'sign in first');
  end if;
  if p_attachments is distinct from '[]'::jsonb then
    v_attachments := coalesce(social_private.jsonb_arg(p_attachments), '[]'::jsonb);
    v_error := social_private.media_error(v_attachments, 10);
    if v_error is not null then
      perform social_private.raise_error('invalid_input', 'invalid_media', v_error);
    end if;
  end if;
  if char_length(p_body) > 4000 then
    perform social_private.raise_error('invalid_input', 'invalid_body', 'a message has at most 4000 characters');
  end if;
  if jsonb_array_length(v_attachments) = 0 and not coalesce(social_private.is_visible_text(p_body), false) then
    perform social_private.raise_error('invalid_input', 'invalid_body', 'a message needs text or an attachment');
  end if;
  -- one look-up: the sender's membership and the conversation, a block in a direct one, a stored
  -- message with this key (a retry)
  select c.kind, c.slow_mode_seconds, c.context_type, c.context_id, m.role, m.last_sent_at,
         c.kind = 'direct' and exists (
           select 1 from social.blocks b
           where (b.blocker_id = c.direct_user_low and b.blocked_id = c.direct_user_high)
              or (b.blocker_id = c.direct_user_high and b.blocked_id = c.direct_user_low)
         ) as blocked,
         (select s from social.messages s
          where p_client_message_id is not null and s.sender_id = v_me
            and s.client_message_id = p_client_message_id) as stored
    into v_conv
  from social.conversation_members m
  join social.conversations c on c.id = m.conversation_id
  where m.conversation_id = p_conversation_id and m.user_id = v_me;
  -- (a tier-gated club's chat is closed, as its content is, to a member without the tier; "is
  -- not distinct from": context_type is null for most chats, and null = 'group' is null, which
  -- would make the and call the tier check on every send)
  if not found or (v_conv.context_type is not distinct from 'group'
                   and not social_private.user_holds_group_tier(v_me, v_conv.context_id)) then
    perform social_private.raise_error('not_found', 'conversation_not_found', 'no such conversation');
  end if;
  if v_conv.blocked then
    perform social_private.raise_error('permission_denied', 'blocked', 'a block stands between you and this user');
  end if;
  -- a retry of a send that was stored: that message (the ack)
  if (v_conv.stored).id is not null then
    v_message := v_conv.stored;
    if v_message.conversation_id <> p_conversation_id
       or (v_message.deleted_at is null and v_message.edit_count = 0 and v_message.body is distinct from p_body)
       or (v_message.deleted_at is null and (v_message.attachments <> '[]' or v_attachments <> '[]')
           and social_private.media_list_ids(v_message.attachments) <> social_private.media_list_ids(v_attachments)) then
      perform social_private.raise_error('conflict', 'idempotency_conflict',
        'this client_message_id was used for another message');
    end if;
    return v_message;
  end if;
  -- the message rate limit: the core rule and counter (a retry of a stored send is not counted)
  perform social_private.check_rate_limit('message');
  if v_conv.slow_mode_seconds > 0 and v_conv.role <> 'admin'
     and v_conv.last_sent_at > now() - make_interval(secs => v_conv.slow_mode_seconds) then
    perform social_private.raise_error('rate_limited', 'slow_mode',
      format('slow mode: one message every %s seconds', v_conv.slow_mode_seconds));
  end if;
  if p_reply_to_id is not null then
    if not exists (select 1 from social.messages r where r.id = p_reply_to_id and r.conversation_id = p_conversation_id) then
      perform social_private.raise_error('not_found', 'message_not_found',
        'the message replied to is not in this conversation');
    end if;
  end if;
  if v_attachments <> '[]' then
    -- media references: the sender's own uploads, made for chat, not rejected, not attached
    -- elsewhere, uploaded (media_not_found, invalid_media, media_rejected, media_in_use,
    -- media_not_uploaded), completed from their rows
    v_attachments := social_private.resolve_media_list(v_attachments, 'message', null, v_me);
  end if;

  -- one write: the next number (the update locks the conversation's row until commit, so the
  -- senders of a conversation go one at a time and a retry running alongside waits here for the
  -- first), the message, and the sender's read position and last send (slow mode)
  with c as (
    update social.conversations c set last_seq = c.last_seq + 1, last_activity_at = now()
    where c.id = p_conversation_id
    returning c.last_seq
  ), i as (
    insert into social.messages (conversation_id, seq, sender_id, client_message_id, body, attachments, reply_to_id)
    select p_conversation_id, c.last_seq, v_me, coalesce(p_client_message_id, gen_random_uuid()),
           p_body, v_attachments, p_reply_to_id
    from c
    on conflict (sender_id, client_message_id) do nothing
    returning *
  ), r as (
    update social.conversation_members m
    set last_read_seq = i.seq, last_read_at = now(), last_sent_at = clock_timestamp()
    from i
    where m.conversation_id = p_conversation_id and m.user_id = v_me
  )
  select i.* into v_message from c left join i on true;
  if not found then
    -- the conversation went while this send ran
    perform social_private.raise_error('not_found', 'conversation_not_found', 'no such conversation');
  end if;
  if v_message.id is null then
    -- a retry of this send, running at the same time, stored it while this one waited for the
    -- row: give the number back and return that message (or refuse a key used elsewhere)
    update social.conversations c set last_seq = c.last_seq - 1 where c.id = p_conversation_id;
    select m.* into v_message from social.messages m
    where m.sender_id = v_me and m.client_message_id = p_client_message_id;
    if v_message.conversation_id is distinct from p_conversation_id
       or (v_message.deleted_at is null and v_message.edit_count = 0 and v_message.body is distinct from p_body)
       or (v_message.deleted_at is null
           and social_private.media_list_ids(v_message.attachments) <> social_private.media_list_ids(v_attachments)) then
      perform social_private.raise_error('conflict', 'idempotency_conflict',
        'this client_message_id was used for another message');
    end if;
  elsif v_attachments <> '[]' then
    -- attach the media to the message (in the conversation's group, whose staff moderate it); a
    -- send racing this one for the same media attached it first: media_in_use, nothing stays
    perform social_private.attach_media('message', v_message.id,
      case when v_conv.context_type = 'group' then v_conv.context_id end, v_attachments);
    if (select count(*) from social.media m
        where m.target_type = 'message' and m.target_id = v_message.id) <> jsonb_array_length(v_attachments) then
      perform social_private.raise_error('conflict', 'media_in_use', 'this media is attached to something else');
    end if;
  end if;
  return v_message;
end;
$$;
comment on function social_private.send_message(uuid, uuid, text, jsonb, uuid) is
  'Sends a message as the caller, idempotent by p_client_message_id (a retry returns the stored '
  'message); see the messages migration header.';
grant execute on function social_private.send_message(uuid, uuid, text, jsonb, uuid) to authenticated, service_role;

create function social.send_message(
  p_conversation_id uuid,
  p_client_message_id uuid,
  p_body text default null,
  p_attachments jsonb default '[]',
  p_reply_to_id uuid default null
)
returns social.messages
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  -- plpgsql: a sql wrapper (never inlined, it has its own search_path) would be parsed and
  -- planned again on every send
  return social_private.send_message(p_conversation_id, p_client_message_id, p_body, p_attachments, p_reply_to_id);
end;
$$;
comment on function social.send_message(uuid, uuid, text, jsonb, uuid) is
  'Send a message. p_client_message_id: your idempotency key (a retry with it returns the stored '
  'message, never a second one). p_attachments: up to 10 {id, alt?} of your uploads made for chat '
  '(create_media target message). Errors: conversation_not_found, blocked, invalid_body, '
  'invalid_media, media_not_found, media_rejected, media_in_use, media_not_uploaded, '
  'message_not_found (reply), idempotency_conflict, slow_mode, rate_limited.';
grant execute on function social.send_message(uuid, uuid, text, jsonb, uuid) to authenticated, service_role;

-- =====================================================================================
-- attachments: media of target `message`
-- =====================================================================================

-- May the caller see the media of message p_message_id? Exactly when they may read the message:
-- a member of its conversation who may read it (social_private.user_can_read_conversation: not
-- after leaving, removal or a ban from its group, not across a block in a direct conversation;
-- never anon), not from a sender a block separates them from (messages_select_member), and not
-- a tombstone. The `message` target's check in the media registry.
create function social_private.can_view_message_media(p_message_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
begin
  if v_uid is null then
    return false;
  end if;
  return exists (
    select 1 from social.messages m
    where m.id = p_message_id and m.deleted_at is null
      and social_private.user_can_read_conversation(v_uid, m.conversation_id)
      and (m.sender_id is null or not social_private.is_blocked_with(m.sender_id))
  );
end;
$$;
comment on function social_private.can_view_message_media(uuid) is
  'May the caller see the media attached to p_message_id? When they may read the message: a '
  'member of its conversation who may read it, no block with the sender, not deleted. The '
  '`message` media target''s check.';

-- The `message` target of the media registry (20261128001500_media.sql): uploads go to
-- social-chat; the registration regenerates social_private.can_view_media with this arm.
insert into social_private.media_targets (target, bucket_id, read_check)
values ('message', 'social-chat', 'social_private.can_view_message_media(uuid)');

-- A message's attachments changed (a deletion clears them) or the message row went (its
-- conversation was deleted): the media no longer listed is detached (readable by its owner only;
-- the clean-up job removes it after a day). Sends attach in send_message.
create function social_private.handle_message_media_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    perform social_private.attach_media('message', old.id, null, '[]');
  else
    perform social_private.attach_media('message', new.id,
      (select case when c.context_type = 'group' then c.context_id end
       from social.conversations c where c.id = new.conversation_id),
      new.attachments);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_message_media_changed() is
  'Trigger function (after update of attachments or delete on messages with attachments, '
  'on_messages_media_changed, on_messages_deleted_media): detaches the media a message no longer '
  'lists.';
create trigger on_messages_media_changed after update of attachments on social.messages
  for each row when (old.attachments is distinct from new.attachments)
  execute function social_private.handle_message_media_changed();
create trigger on_messages_deleted_media after delete on social.messages
  for each row when (old.attachments <> '[]'::jsonb)
  execute function social_private.handle_message_media_changed();

-- =====================================================================================
-- editing and deleting
-- =====================================================================================

-- Edit one of the caller's messages: the old text goes to message_edits.
create function social_private.edit_message(p_message_id uuid, p_body text)
returns social.messages
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_message social.messages;
begin
  select m.* into v_message from social.messages m where m.id = p_message_id for update;
  if v_message.id is null or not social_private.can_read_conversation(v_message.conversation_id) then
    perform social_private.raise_error('not_found', 'message_not_found', 'no such message');
  end if;
  if v_message.sender_id is distinct from v_me or v_message.kind <> 'text' then
    perform social_private.raise_error('permission_denied', 'not_allowed', 'only the sender edits a message');
  end if;
  if v_message.deleted_at is not null then
    perform social_private.raise_error('invalid_input', 'invalid_transition', 'a deleted message cannot be edited');
  end if;
  if char_length(p_body) > 4000
     or (not coalesce(social_private.is_visible_text(p_body), false) and v_message.attachments = '[]') then
    perform social_private.raise_error('invalid_input', 'invalid_body', 'a message has 1 to 4000 characters of text');
  end if;
  if p_body is not distinct from v_message.body then
    return v_message;
  end if;
  perform social_private.check_rate_limit('message_edit');
  insert into social.message_edits (message_id, conversation_id, sender_id, body)
  values (v_message.id, v_message.conversation_id, v_message.sender_id, v_message.body);
  update social.messages m set body = p_body, edit_count = m.edit_count + 1, edited_at = now()
  where m.id = v_message.id
  returning * into v_message;
  return v_message;
end;
$$;
comment on function social_private.edit_message(uuid, text) is
  'Replaces the text of one of the caller''s messages, keeping the old text in message_edits.';
grant execute on function social_private.edit_message(uuid, text) to authenticated, service_role;

create function social.edit_message(p_message_id uuid, p_body text)
returns social.messages
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.edit_message(p_message_id, p_body);
$$;
comment on function social.edit_message(uuid, text) is
  'Edit your message''s text (the earlier text is kept in message_edits). Errors: '
  'message_not_found, not_allowed, invalid_transition (deleted), invalid_body, rate_limited.';
grant execute on function social.edit_message(uuid, text) to authenticated, service_role;

-- Delete a message, leaving a tombstone: by its sender, an admin of the conversation or the
-- platform. Anyone but the sender: logged as message_removed (with p_reason), open reports of the
-- message resolved. Idempotent.
create function social_private.delete_message(p_message_id uuid, p_reason text)
returns social.messages
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := (select auth.uid());
  v_platform boolean := social_private.is_platform();
  v_message social.messages;
  v_conv social.conversations;
begin
  if not v_platform then
    perform social_private.require_user();
  end if;
  select m.* into v_message from social.messages m where m.id = p_message_id for update;
  if v_message.id is null or not (v_platform or social_private.can_read_conversation(v_message.conversation_id)) then
    perform social_private.raise_error('not_found', 'message_not_found', 'no such message');
  end if;
  if v_message.deleted_at is not null then
    return v_message;
  end if;
  select c.* into v_conv from social.conversations c where c.id = v_message.conversation_id;
  if not v_platform and v_message.sender_id is distinct from v_me and not exists (
    select 1 from social.conversation_members m
    where m.conversation_id = v_conv.id and m.user_id = v_me and m.role = 'admin' and v_conv.kind = 'group'
  ) then
    perform social_private.raise_error('permission_denied', 'not_allowed',
      'only the sender or the conversation''s admins delete a message');
  end if;
  perform social_private.set_moderation_reason(p_reason);
  delete from social.message_edits e where e.message_id = v_message.id;
  update social.messages m
  set body = null, attachments = '[]', deleted_at = now(), deleted_by = v_me
  where m.id = v_message.id
  returning * into v_message;
  if v_message.sender_id is distinct from v_me then
    perform social_private.log_moderation('message_removed',
      case when v_conv.context_type = 'group' then v_conv.context_id end,
      'message', v_message.id, v_message.sender_id, null,
      jsonb_build_object('conversation_id', v_conv.id, 'seq', v_message.seq));
    perform social_private.resolve_reports_of('message', v_message.id, 'content_removed',
      social_private.moderation_reason());
  end if;
  return v_message;
end;
$$;
comment on function social_private.delete_message(uuid, text) is
  'Leaves a tombstone of a message (sender, conversation admin or platform); others than the '
  'sender are logged as message_removed and resolve the message''s open reports.';
grant execute on function social_private.delete_message(uuid, text) to authenticated, service_role;

create function social.delete_message(p_message_id uuid, p_reason text default null)
returns social.messages
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.delete_message(p_message_id, p_reason);
$$;
comment on function social.delete_message(uuid, text) is
  'Delete a message (yours, or any as an admin of a group conversation): readers see a tombstone. '
  'p_reason goes to the moderation log. Errors: message_not_found, not_allowed, invalid_reason.';
grant execute on function social.delete_message(uuid, text) to authenticated, service_role;

-- The versions an edited message had, oldest first (where the caller may read the message).
create function social.message_history(p_message_id uuid)
returns setof social.message_edits
language sql
stable
security invoker
set search_path = ''
as $$
  select e.* from social.message_edits e where e.message_id = p_message_id order by e.created_at, e.id;
$$;
comment on function social.message_history(uuid) is
  'Earlier versions of an edited message, oldest first (empty when never edited or not yours to read).';
grant execute on function social.message_history(uuid) to authenticated, service_role;

-- =====================================================================================
-- history
-- =====================================================================================

-- The cards {id, handle, display_name, avatar_path} of p_ids (the senders on a history page the
-- caller already may read: blocked senders' messages are not on it).
create function social_private.sender_cards(p_ids uuid[])
returns table (id uuid, card jsonb)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
    select p.id, jsonb_build_object('id', p.id, 'handle', p.handle, 'display_name', p.display_name,
                                    'avatar_path', p.avatar_path)
    from social.profiles p where p.id = any (p_ids);
end;
$$;
comment on function social_private.sender_cards(uuid[]) is
  'Profile cards of the senders p_ids of a history page (the page already leaves out blocked users).';
grant execute on function social_private.sender_cards(uuid[]) to authenticated, service_role;

-- The latest seq of p_conversation_id when the caller may read it (a member, no block in a
-- direct one), else null: one look-up for the history's first check.
create function social_private.readable_last_seq(p_conversation_id uuid)
returns bigint
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not social_private.can_read_conversation(p_conversation_id) then
    return null;
  end if;
  return (select c.last_seq from social.conversations c where c.id = p_conversation_id);
end;
$$;
comment on function social_private.readable_last_seq(uuid) is
  'conversations.last_seq of p_conversation_id when the caller may read it, else null.';
grant execute on function social_private.readable_last_seq(uuid) to authenticated, service_role;

-- One page of a conversation's history, in sending order (seq ascending): the latest messages,
-- or those before, after or around p_message_id (p_position: before, after, around; around jumps
-- to a reply's original), or the page a cursor continues. Every row carries older_cursor and newer_cursor (null
-- when there is nothing further that way) and next_cursor: the way the page went (older for the
-- latest page, before and around; newer for after). One index range scan on (conversation_id,
-- seq) per direction, under RLS: the cost is the same at any history size.
create function social.list_messages(
  p_conversation_id uuid,
  p_message_id uuid default null,
  p_position text default 'around',
  p_cursor text default null,
  p_limit integer default 50
)
returns table (
  id uuid,
  conversation_id uuid,
  seq bigint,
  sender_id uuid,
  sender jsonb,
  client_message_id uuid,
  kind social.message_kind,
  body text,
  attachments jsonb,
  reply_to_id uuid,
  reply_to jsonb,
  data jsonb,
  edit_count integer,
  edited_at timestamptz,
  deleted_at timestamptz,
  created_at timestamptz,
  older_cursor text,
  newer_cursor text,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_limit integer := social_private.page_limit(coalesce(p_limit, 50));
  v_half integer := (social_private.page_limit(coalesce(p_limit, 50)) - 1) / 2;
  v_last bigint;
  v_direction text;
  v_seq bigint;
  v_down social.messages[];
  v_up social.messages[];
  v_page social.messages[];
  v_min bigint;
  v_max bigint;
  v_more_older boolean := false;
  v_more_newer boolean := false;
  v_older text;
  v_newer text;
begin
  perform social_private.require_user();
  if p_cursor is not null and p_message_id is not null then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'give a cursor or a message, not both');
  end if;
  if p_message_id is not null and p_position is distinct from 'before' and p_position is distinct from 'after'
     and p_position is distinct from 'around' then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'the position is before, after or around');
  end if;
  v_last := social_private.readable_last_seq(p_conversation_id);
  if v_last is null then
    perform social_private.raise_error('not_found', 'conversation_not_found', 'no such conversation');
  end if;
  if p_cursor is not null then
    select d.o_direction, d.o_seq into v_direction, v_seq
    from social_private.decode_message_cursor(p_cursor, p_conversation_id) d;
  elsif p_message_id is not null then
    select m.seq into v_seq from social.messages m where m.id = p_message_id and m.conversation_id = p_conversation_id;
    if v_seq is null then
      perform social_private.raise_error('not_found', 'message_not_found', 'no such message in this conversation');
    end if;
    v_direction := case p_position when 'before' then 'older' when 'after' then 'newer' else 'around' end;
  else
    v_direction := 'older';
    v_seq := v_last + 1;
  end if;

  -- older rows (newest first) below v_seq, newer rows (oldest first) from v_seq on; one row more
  -- than the page holds says there is more that way
  if v_direction in ('older', 'around') then
    select array_agg(x order by x.seq desc) into v_down
    from (
      select m.* from social.messages m
      where m.conversation_id = p_conversation_id and m.seq < v_seq
      order by m.seq desc
      limit case when v_direction = 'older' then v_limit else v_half end + 1
    ) x;
    v_more_older := coalesce(cardinality(v_down), 0) > case when v_direction = 'older' then v_limit else v_half end;
    if v_more_older then
      v_down := v_down[1:cardinality(v_down) - 1];
    end if;
  end if;
  if v_direction in ('newer', 'around') then
    select array_agg(x order by x.seq) into v_up
    from (
      select m.* from social.messages m
      where m.conversation_id = p_conversation_id
        and m.seq >= v_seq + case when v_direction = 'around' then 0 else 1 end
      order by m.seq
      limit case when v_direction = 'newer' then v_limit else v_limit - v_half end + 1
    ) x;
    v_more_newer := coalesce(cardinality(v_up), 0) > case when v_direction = 'newer' then v_limit else v_limit - v_half end;
    if v_more_newer then
      v_up := v_up[1:cardinality(v_up) - 1];
    end if;
  end if;
  v_page := array(select v_down[i] from generate_subscripts(v_down, 1) as i order by i desc) || coalesce(v_up, '{}');
  v_min := (v_page[1]).seq;
  v_max := (v_page[cardinality(v_page)]).seq;
  -- a page that went one way has more the other way when it does not reach the end
  if v_direction = 'older' then
    v_more_newer := v_max < v_last;
  elsif v_direction = 'newer' then
    v_more_older := v_min > 1;
  end if;
  if v_more_older and v_min is not null then
    v_older := social_private.encode_message_cursor('older', p_conversation_id, v_min);
  end if;
  if v_more_newer and v_max is not null then
    v_newer := social_private.encode_message_cursor('newer', p_conversation_id, v_max);
  end if;

  return query
    with page as (
      select * from unnest(v_page) with ordinality as k(id, conversation_id, seq, sender_id, client_message_id,
        kind, body, attachments, reply_to_id, data, edit_count, edited_at, deleted_at, deleted_by, created_at, n)
    ),
    senders as (
      select sc.id, sc.card
      from social_private.sender_cards(array(select distinct pg.sender_id from page pg where pg.sender_id is not null)) sc
    )
    select pg.id, pg.conversation_id, pg.seq, pg.sender_id, s.card, pg.client_message_id, pg.kind, pg.body,
           pg.attachments, pg.reply_to_id,
           case when pg.reply_to_id is not null then
             (select jsonb_build_object('id', r.id, 'sender_id', r.sender_id, 'body', social_private.excerpt(r.body),
                                        'is_deleted', r.deleted_at is not null)
              from social.messages r where r.id = pg.reply_to_id)
           end,
           pg.data, pg.edit_count, pg.edited_at, pg.deleted_at, pg.created_at,
           v_older, v_newer, case when v_direction = 'newer' then v_newer else v_older end
    from page pg
    left join senders s on s.id = pg.sender_id
    order by pg.n;
end;
$$;
comment on function social.list_messages(uuid, uuid, text, text, integer) is
  'A page of a conversation''s history in sending order: the latest, or before / after / around '
  'p_message_id (p_position), or where a cursor points; older_cursor and newer_cursor lead on. '
  'p_limit 1-50 (default 50). Errors: conversation_not_found, message_not_found, invalid_cursor.';
grant execute on function social.list_messages(uuid, uuid, text, text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
