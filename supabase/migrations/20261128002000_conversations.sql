-- Conversations: who chats with whom (the tables and who may read what). Opening conversations
-- and managing members are in 20261128002100_conversation_members.sql, messages in
-- 20261128002200_messages.sql; read state, the conversation list, Realtime delivery and
-- moderation in 20261128002300_chat_delivery.sql.
--   direct   exactly two people, one conversation per pair (direct_user_low < direct_user_high);
--            none between users a block separates (either way), and none with someone whose
--            chat_settings.allow_messages_from refuses the caller. A block later hides the
--            conversation from both (not listed, not readable, no sends, no Realtime) until it
--            is lifted; nothing is deleted.
--   group    a title, an avatar, admins who add and remove members, slow mode. Either ad hoc
--            (created by a user, at most chat_limits.group_members members) or tied to a context
--            through the typed reference (context_type, context_id): a conversation tied to a
--            group holds exactly the group's active members (the on_group_members_chat trigger
--            adds, removes and re-roles them as they join, leave, are removed or banned, change
--            role); its membership is managed by the context, never by hand. The events domain
--            adds 'event' to social.conversation_context and keeps its members with
--            social_private.set_context_member.
-- Members (social.conversation_members) have a role (admin, member), joined_at, muted_until and
-- a read position (last_read_seq, against conversations.last_seq; see the messages migration).
-- A member's row is theirs to read: who else is in a conversation comes through
-- social.list_conversation_members (blocked users left out), read positions of others only as
-- receipts in small conversations (social.message_receipts).
-- Losing access loses everything: a removed, banned or departed member's row is deleted, and
-- every policy of the chat tables reads social_private.my_conversation_ids().
-- Writes go through the RPCs below (security invoker wrappers in `social`, the rules in security
-- definer functions in social_private), rate limited as `conversation`.
-- SDK: social.chat; tests: tests/db/chat.test.ts, tests/db/chat-access.test.ts.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.conversation_kind as enum ('direct', 'group');
comment on type social.conversation_kind is
  'direct: exactly two people, one conversation per pair; group: a title, admins and members '
  '(ad hoc, or tied to a context such as a group).';

create type social.conversation_context as enum ('group');
comment on type social.conversation_context is
  'What a group conversation is tied to (conversations.context_type): group. Its members follow '
  'the context''s members. Later domains add values (event).';

create type social.conversation_role as enum ('admin', 'member');
comment on type social.conversation_role is
  'admin: edits the conversation, adds and removes members, sets slow mode, deletes any message; '
  'member: reads and sends. Tied to a group: the group''s owner, admins and moderators are admins.';

create type social.chat_audience as enum ('everyone', 'following', 'nobody');
comment on type social.chat_audience is
  'Who may start a direct conversation with a user or add them to a group conversation: '
  'everyone, following (only people the user follows), nobody.';

-- =====================================================================================
-- limits
-- =====================================================================================

create table social_private.chat_limits (
  name text primary key,
  value integer not null,
  constraint chat_limits_value_positive check (value > 0)
);
comment on table social_private.chat_limits is
  'Sizes the chat domain works with; change a row to tune one (Studio).';
comment on column social_private.chat_limits.name is
  'group_members: most members of an ad hoc group conversation; announce_members: conversations '
  'up to this size announce each new message on the members'' user:<id> topics; receipts_members: '
  'conversations up to this size have read receipts and broadcast delivery.read.';
comment on column social_private.chat_limits.value is 'The limit, a positive integer.';
revoke all on social_private.chat_limits from public, anon, authenticated;
grant all on social_private.chat_limits to service_role;
insert into social_private.chat_limits (name, value) values
  ('group_members', 500),
  ('announce_members', 50),
  ('receipts_members', 32);

create function social_private.chat_limit(p_name text)
returns integer
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (select l.value from social_private.chat_limits l where l.name = p_name);
end;
$$;
comment on function social_private.chat_limit(text) is
  'The value of chat limit p_name (social_private.chat_limits).';
grant execute on function social_private.chat_limit(text) to authenticated, service_role;

-- rate limits of the chat writes (core's check_rate_limit)
insert into social_private.rate_limit_rules (action, per_minute) values
  ('conversation', 20),
  ('message', 120),
  ('message_edit', 30);

-- =====================================================================================
-- tables
-- =====================================================================================

create table social.chat_settings (
  user_id uuid primary key references social.profiles (id) on delete cascade,
  allow_messages_from social.chat_audience not null default 'everyone',
  updated_at timestamptz not null default now()
);
comment on table social.chat_settings is
  'A user''s chat settings; a user without a row accepts messages from everyone. Only the user '
  'reads and changes it.';
comment on column social.chat_settings.user_id is 'Whose settings these are.';
comment on column social.chat_settings.allow_messages_from is
  'Who may start a direct conversation with the user or add them to a group conversation (see '
  'type social.chat_audience). Existing conversations stay.';
comment on column social.chat_settings.updated_at is 'Last change; set by a trigger.';
alter table social.chat_settings enable row level security;
grant select, delete on social.chat_settings to authenticated;
grant insert (user_id, allow_messages_from) on social.chat_settings to authenticated;
grant update (allow_messages_from) on social.chat_settings to authenticated;
grant all on social.chat_settings to service_role;
create trigger on_chat_settings_updated before update on social.chat_settings
  for each row execute function social_private.handle_updated_at();

-- chat settings are the user's own
create policy chat_settings_select_self on social.chat_settings
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy chat_settings_insert_self on social.chat_settings
  for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy chat_settings_update_self on social.chat_settings
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy chat_settings_delete_self on social.chat_settings
  for delete to authenticated
  using (user_id = (select auth.uid()));

create table social.conversations (
  id uuid primary key default gen_random_uuid(),
  kind social.conversation_kind not null,
  title text,
  avatar_path text,
  context_type social.conversation_context,
  context_id uuid,
  direct_user_low uuid references social.profiles (id) on delete cascade,
  direct_user_high uuid references social.profiles (id) on delete cascade,
  created_by uuid references social.profiles (id) on delete set null,
  slow_mode_seconds integer not null default 0,
  member_count integer not null default 0,
  last_seq bigint not null default 0,
  last_activity_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint conversations_direct_pair check (
    (kind = 'direct') = (direct_user_low is not null and direct_user_high is not null)
    and (direct_user_low is null) = (direct_user_high is null)
    and (kind <> 'direct' or direct_user_low < direct_user_high)
  ),
  constraint conversations_direct_plain check (
    kind <> 'direct' or (title is null and avatar_path is null and context_type is null and slow_mode_seconds = 0)
  ),
  constraint conversations_context_pair check ((context_type is null) = (context_id is null)),
  constraint conversations_title_length check (char_length(title) between 1 and 80),
  constraint conversations_avatar_path_length check (char_length(avatar_path) <= 1024),
  constraint conversations_slow_mode_range check (slow_mode_seconds between 0 and 3600),
  constraint conversations_counts check (member_count >= 0 and last_seq >= 0)
) with (fillfactor = 80);
-- fillfactor 80: every send updates last_seq and last_activity_at (no index reads them), and the
-- room left on each page keeps those updates HOT (no index writes); the same for the sender's
-- read position in conversation_members
comment on table social.conversations is
  'Chat conversations: direct (two people) and group (ad hoc, or tied to a group). Members read '
  'them; every change goes through the chat RPCs.';
comment on column social.conversations.id is
  'The conversation''s id; its Realtime topic is chat:<id>.';
comment on column social.conversations.kind is 'direct or group (see type social.conversation_kind); fixed.';
comment on column social.conversations.title is
  'A group conversation''s title, 1-80 characters (trimmed); null for direct ones. A conversation '
  'tied to a group starts with the group''s name.';
comment on column social.conversations.avatar_path is
  'Object path of a group conversation''s image in storage; null for direct ones.';
comment on column social.conversations.context_type is
  'What a group conversation is tied to (see type social.conversation_context); null for ad hoc '
  'ones. Its members are the context''s, kept by triggers.';
comment on column social.conversations.context_id is
  'The id of the context (the group''s id for context_type group); no foreign key, the context''s '
  'own trigger deletes the conversation with it.';
comment on column social.conversations.direct_user_low is
  'A direct conversation''s member with the smaller id (the pair is unique).';
comment on column social.conversations.direct_user_high is
  'A direct conversation''s member with the larger id.';
comment on column social.conversations.created_by is 'Who started the conversation; null once that user is gone.';
comment on column social.conversations.slow_mode_seconds is
  'Slow mode: seconds a member (not an admin) waits between two messages, 0-3600; 0 is off.';
comment on column social.conversations.member_count is 'Current members, kept by a trigger.';
comment on column social.conversations.last_seq is
  'The sequence number of the latest message (messages.seq); a member''s unread count is '
  'last_seq - last_read_seq. One update per send, whatever the number of members.';
comment on column social.conversations.last_activity_at is
  'When the latest message was sent (or the conversation made); the conversation list orders by it.';
comment on column social.conversations.created_at is 'When the conversation was made.';
comment on column social.conversations.updated_at is
  'Last change of title, avatar or slow mode; set by a trigger.';
create unique index conversations_direct_pair_idx on social.conversations (direct_user_low, direct_user_high)
  where kind = 'direct';
create index conversations_direct_high_idx on social.conversations (direct_user_high)
  where kind = 'direct';
create unique index conversations_context_idx on social.conversations (context_type, context_id)
  where context_type is not null;
create index conversations_created_by_idx on social.conversations (created_by);
alter table social.conversations enable row level security;
grant select on social.conversations to authenticated;
grant all on social.conversations to service_role;
create trigger on_conversations_updated before update of title, avatar_path, slow_mode_seconds
  on social.conversations
  for each row execute function social_private.handle_updated_at();

create table social.conversation_members (
  conversation_id uuid not null references social.conversations (id) on delete cascade,
  user_id uuid not null references social.profiles (id) on delete cascade,
  role social.conversation_role not null default 'member',
  joined_at timestamptz not null default now(),
  last_read_seq bigint not null default 0,
  last_read_at timestamptz,
  last_sent_at timestamptz,
  muted_until timestamptz,
  primary key (conversation_id, user_id),
  constraint conversation_members_read_seq check (last_read_seq >= 0)
) with (fillfactor = 80);
comment on table social.conversation_members is
  'Who is in a conversation, with their role and their own state (read position, mute). Each user '
  'reads their own rows; co-members through social.list_conversation_members.';
comment on column social.conversation_members.conversation_id is 'The conversation.';
comment on column social.conversation_members.user_id is 'The member; deleting the profile deletes the row.';
comment on column social.conversation_members.role is 'admin or member (see type social.conversation_role).';
comment on column social.conversation_members.joined_at is 'When the user became a member.';
comment on column social.conversation_members.last_read_seq is
  'Read position: the seq of the latest message the member has read (their own sends move it). '
  'Unread = conversations.last_seq - last_read_seq. Starts at last_seq when joining.';
comment on column social.conversation_members.last_read_at is 'When the read position last moved.';
comment on column social.conversation_members.last_sent_at is
  'When the member last sent a message (clock time; slow mode waits from it, and a send always '
  'changes it, which tells a send from a read).';
comment on column social.conversation_members.muted_until is
  'Muted until then (infinity: for good): new messages are not announced on user:<id> and the '
  'unread total leaves the conversation out. Null: not muted.';
create index conversation_members_user_idx on social.conversation_members (user_id, conversation_id);
-- the earliest members of a conversation (the list shows who it is with)
create index conversation_members_joined_idx on social.conversation_members (conversation_id, joined_at, user_id);
alter table social.conversation_members enable row level security;
grant select on social.conversation_members to authenticated;
grant all on social.conversation_members to service_role;

-- each user reads their own memberships
create policy conversation_members_select_self on social.conversation_members
  for select to authenticated
  using (user_id = (select auth.uid()));

-- =====================================================================================
-- who is in which conversation (security definer: they read memberships and blocks the caller
-- may not see)
-- =====================================================================================

-- Is there a block between the two people of a direct conversation? (The helpers on the hot paths
-- are plpgsql: a sql function called from another function is planned again on every call.)
create function social_private.is_direct_blocked(p_low uuid, p_high uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select 1 from social.blocks b
    where (b.blocker_id = p_low and b.blocked_id = p_high) or (b.blocker_id = p_high and b.blocked_id = p_low)
  );
end;
$$;
comment on function social_private.is_direct_blocked(uuid, uuid) is
  'True when a block stands between the two people of a direct conversation (either way).';
grant execute on function social_private.is_direct_blocked(uuid, uuid) to authenticated, service_role;

-- The conversations p_user_id may read: their memberships, less direct ones a block stands in.
-- The user's blocks are read once (usually none: then it is an index-only scan of their
-- memberships), never per conversation.
create function social_private.user_conversation_ids(p_user_id uuid)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_blocked uuid[] := social_private.user_blocked_ids(p_user_id);
begin
  return array(
    select m.conversation_id
    from social.conversation_members m
    join social.conversations c on c.id = m.conversation_id
    where m.user_id = p_user_id
      and (cardinality(v_blocked) = 0 or c.kind <> 'direct'
           or not (c.direct_user_low = any (v_blocked) or c.direct_user_high = any (v_blocked)))
      -- a tier-gated club's chat is closed, as its content is, to a member without the tier (the
      -- group's tier is read in the plan, so untiered groups' chats cost no function call)
      and (c.context_type is distinct from 'group'
           or (select g.required_tier from social.groups g where g.id = c.context_id) is null
           or social_private.user_holds_group_tier(p_user_id, c.context_id))
  );
end;
$$;
comment on function social_private.user_conversation_ids(uuid) is
  'Ids of the conversations p_user_id may read: theirs, less direct ones a block stands in and '
  'tier-gated groups'' chats without the tier.';

-- The conversations the caller may read (user_conversation_ids for auth.uid()); read once per
-- statement by the chat policies.
create function social_private.my_conversation_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return social_private.user_conversation_ids(auth.uid());
end;
$$;
comment on function social_private.my_conversation_ids() is
  'Ids of the conversations the caller may read; read once per statement by the chat policies.';
grant execute on function social_private.my_conversation_ids() to authenticated, service_role;

-- May p_user_id read conversation p_conversation_id? A member, and for a direct one no block.
create function social_private.user_can_read_conversation(p_user_id uuid, p_conversation_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select 1
    from social.conversation_members m
    join social.conversations c on c.id = m.conversation_id
    where m.conversation_id = p_conversation_id and m.user_id = p_user_id
      and (c.kind <> 'direct' or not social_private.is_direct_blocked(c.direct_user_low, c.direct_user_high))
      -- a tier-gated club's chat is closed, as its content is, to a member without the tier
      and (c.context_type is distinct from 'group' or social_private.user_holds_group_tier(p_user_id, c.context_id))
  );
end;
$$;
comment on function social_private.user_can_read_conversation(uuid, uuid) is
  'May p_user_id read p_conversation_id: a member, no block in a direct conversation, and in a '
  'tier-gated group''s chat the tier (or a staff role).';

-- May the caller read conversation p_conversation_id?
create function social_private.can_read_conversation(p_conversation_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return social_private.user_can_read_conversation(auth.uid(), p_conversation_id);
end;
$$;
comment on function social_private.can_read_conversation(uuid) is
  'May the caller read p_conversation_id? user_can_read_conversation for auth.uid().';
grant execute on function social_private.can_read_conversation(uuid) to authenticated, service_role;

-- The caller's membership of p_conversation_id for an operation, or conversation_not_found (404)
-- when they may not read it (not a member, or a block in a direct one). Locks nothing.
create function social_private.require_conversation_member(p_conversation_id uuid)
returns social.conversation_members
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_member social.conversation_members;
begin
  select m.* into v_member from social.conversation_members m
  where m.conversation_id = p_conversation_id and m.user_id = (select auth.uid());
  if v_member.user_id is null or not social_private.can_read_conversation(p_conversation_id) then
    perform social_private.raise_error('not_found', 'conversation_not_found', 'no such conversation');
  end if;
  return v_member;
end;
$$;
comment on function social_private.require_conversation_member(uuid) is
  'The caller''s membership of p_conversation_id; raises conversation_not_found (404) when they may '
  'not read it.';

-- The conversation p_conversation_id for an admin action by the caller: conversation_not_found,
-- direct_conversation (direct ones have no admins), managed_membership when p_members is true
-- and a context keeps its members, not_conversation_admin. The platform passes every check.
create function social_private.require_conversation_admin(p_conversation_id uuid, p_members boolean)
returns social.conversations
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_conv social.conversations;
begin
  select c.* into v_conv from social.conversations c where c.id = p_conversation_id;
  if v_conv.id is null then
    perform social_private.raise_error('not_found', 'conversation_not_found', 'no such conversation');
  end if;
  if not social_private.is_platform() then
    if (social_private.require_conversation_member(p_conversation_id)).role <> 'admin' then
      perform social_private.raise_error(
        'permission_denied', 'not_conversation_admin', 'only the conversation''s admins may do this');
    end if;
  end if;
  if v_conv.kind = 'direct' then
    perform social_private.raise_error(
      'invalid_input', 'direct_conversation', 'a direct conversation has two members and no admins');
  end if;
  if p_members and v_conv.context_type is not null then
    perform social_private.raise_error('permission_denied', 'managed_membership',
      format('the members of this conversation are the %s''s members', v_conv.context_type));
  end if;
  return v_conv;
end;
$$;
comment on function social_private.require_conversation_admin(uuid, boolean) is
  'The conversation for an admin action; raises conversation_not_found, not_conversation_admin, '
  'direct_conversation, and managed_membership (p_members) for a conversation tied to a context.';

-- May p_sender start a conversation with p_user_id or add them to one? Raises blocked when a
-- block stands between them, messaging_not_allowed when p_user_id's setting refuses p_sender,
-- profile_not_found when there is no such user.
create function social_private.check_may_message(p_sender uuid, p_user_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_audience social.chat_audience;
begin
  if not exists (select 1 from social.profiles p where p.id = p_user_id) then
    perform social_private.raise_error('not_found', 'profile_not_found', 'no such user');
  end if;
  if social_private.user_is_blocked_with(p_sender, p_user_id) then
    perform social_private.raise_error('permission_denied', 'blocked', 'a block stands between you and this user');
  end if;
  select s.allow_messages_from into v_audience from social.chat_settings s where s.user_id = p_user_id;
  if v_audience = 'nobody'
     or (v_audience = 'following' and not exists (
       select 1 from social.follows f
       where f.follower_id = p_user_id and f.followee_id = p_sender and f.status = 'accepted'
     )) then
    perform social_private.raise_error(
      'permission_denied', 'messaging_not_allowed', 'this user does not accept messages from you');
  end if;
end;
$$;
comment on function social_private.check_may_message(uuid, uuid) is
  'Raises profile_not_found, blocked or messaging_not_allowed unless p_sender may start a '
  'conversation with p_user_id (their chat_settings.allow_messages_from).';

-- conversations are read by their members (and never across a block in a direct one)
create policy conversations_select_member on social.conversations
  for select to authenticated
  using (id = any ((select social_private.my_conversation_ids())::uuid[]));

-- =====================================================================================
-- membership writes (security definer; callers check the rules first)
-- =====================================================================================

-- Add p_user_id to p_conversation_id as p_role (or change the role of a member), starting their
-- read position at the latest message. Idempotent.
create function social_private.add_conversation_member(
  p_conversation_id uuid,
  p_user_id uuid,
  p_role social.conversation_role
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  insert into social.conversation_members as m (conversation_id, user_id, role)
  values (p_conversation_id, p_user_id, p_role)
  on conflict (conversation_id, user_id) do update set role = excluded.role
  where m.role is distinct from excluded.role;
$$;
comment on function social_private.add_conversation_member(uuid, uuid, social.conversation_role) is
  'Adds p_user_id to p_conversation_id with p_role (or sets the role of a member), read position '
  'at the latest message. Idempotent.';

-- A new member starts with the conversation's latest message read.
create function social_private.handle_conversation_member_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.joined_at := now();
  new.last_read_seq := coalesce((select c.last_seq from social.conversations c where c.id = new.conversation_id), 0);
  new.last_read_at := now();
  new.last_sent_at := null;
  return new;
end;
$$;
comment on function social_private.handle_conversation_member_insert() is
  'Trigger function (before insert on conversation_members): joined_at now, read position at the '
  'conversation''s latest message.';
create trigger on_conversation_members_insert before insert on social.conversation_members
  for each row execute function social_private.handle_conversation_member_insert();

-- Keep conversations.member_count.
create function social_private.handle_conversation_member_counts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    update social.conversations c set member_count = c.member_count + d.n
    from (select n.conversation_id, count(*)::integer as n from new_rows n group by 1) d
    where c.id = d.conversation_id;
  else
    update social.conversations c set member_count = greatest(c.member_count - d.n, 0)
    from (select o.conversation_id, count(*)::integer as n from old_rows o group by 1) d
    where c.id = d.conversation_id;
  end if;
  return null;
end;
$$;
comment on function social_private.handle_conversation_member_counts() is
  'Statement trigger function (after insert or delete on conversation_members): keeps '
  'conversations.member_count.';
create trigger on_conversation_members_counted_insert after insert on social.conversation_members
  referencing new table as new_rows
  for each statement execute function social_private.handle_conversation_member_counts();
create trigger on_conversation_members_counted_delete after delete on social.conversation_members
  referencing old table as old_rows
  for each statement execute function social_private.handle_conversation_member_counts();

-- A context keeps the members of the conversation tied to it: make p_user_id a member with
-- p_role (p_active) or remove them (not p_active). Does nothing when no conversation is tied to
-- the context. For the context domains' triggers (groups here, events later).
create function social_private.set_context_member(
  p_context_type social.conversation_context,
  p_context_id uuid,
  p_user_id uuid,
  p_active boolean,
  p_role social.conversation_role default 'member'
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_conversation uuid;
begin
  select c.id into v_conversation from social.conversations c
  where c.context_type = p_context_type and c.context_id = p_context_id;
  if v_conversation is null then
    return;
  end if;
  if p_active then
    perform social_private.add_conversation_member(v_conversation, p_user_id, p_role);
  else
    delete from social.conversation_members m where m.conversation_id = v_conversation and m.user_id = p_user_id;
  end if;
end;
$$;
comment on function social_private.set_context_member(social.conversation_context, uuid, uuid, boolean, social.conversation_role) is
  'Keeps the conversation tied to a context in step with it: adds p_user_id with p_role when '
  'p_active, removes them otherwise; nothing when no conversation is tied to the context.';

-- The group's chat follows its active members: staff (owner, admin, moderator) are admins.
-- A group being deleted is left to on_groups_deleted_chat (the conversation goes with it).
create function social_private.handle_group_member_chat()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_group uuid := coalesce(new.group_id, old.group_id);
  v_user uuid := coalesce(new.user_id, old.user_id);
begin
  if not exists (select 1 from social.groups g where g.id = v_group) then
    return null;
  end if;
  perform social_private.set_context_member('group', v_group, v_user,
    tg_op <> 'DELETE' and new.status = 'active',
    case when tg_op <> 'DELETE' and new.role in ('owner', 'admin', 'moderator') then 'admin' else 'member' end
      ::social.conversation_role);
  return null;
end;
$$;
comment on function social_private.handle_group_member_chat() is
  'Trigger function (after insert, update of status or role, or delete on group_members): keeps '
  'the members of the group''s conversation equal to its active members, staff as admins.';
create trigger on_group_members_chat after insert or update of status, role or delete on social.group_members
  for each row execute function social_private.handle_group_member_chat();

-- A deleted group takes its conversation (and its messages) with it.
create function social_private.handle_group_deleted_chat()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from social.conversations c where c.context_type = 'group' and c.context_id = old.id;
  return null;
end;
$$;
comment on function social_private.handle_group_deleted_chat() is
  'Trigger function (after delete on groups): deletes the conversation tied to the group.';
create trigger on_groups_deleted_chat after delete on social.groups
  for each row execute function social_private.handle_group_deleted_chat();

revoke execute on all functions in schema social, social_private from public;
