-- Conversation members: opening a direct conversation, creating a group conversation, the
-- conversation of a group, editing, adding and removing members, leaving, roles, muting, and who
-- may message whom (social.set_chat_settings). The tables and the rules they read are in
-- 20261128002000_conversations.sql. Each RPC is a security invoker wrapper in `social` over a
-- security definer body in social_private (memberships are not the caller's to write directly).
-- Opening, creating, adding, removing, re-roling and editing are rate limited as `conversation`
-- (mute and chat settings only set the caller's own state); removals by an admin are logged in the
-- moderation log (member_removed, metadata.conversation_id). Members of a conversation tied to a
-- context are the context's: adding, removing, leaving and roles are refused
-- (managed_membership).
-- SDK: social.chat; tests: tests/db/chat.test.ts.

-- =====================================================================================
-- RPC: the social_private body (security definer: it writes memberships the caller may not
-- see) next to its `social` wrapper (security invoker)
-- =====================================================================================

-- Open the direct conversation with p_user_id: the existing one, or a new one when the caller
-- may message them (check_may_message; rate limited as `conversation`).
create function social_private.open_direct_conversation(p_user_id uuid)
returns social.conversations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_low uuid := least(v_me, p_user_id);
  v_high uuid := greatest(v_me, p_user_id);
  v_conv social.conversations;
begin
  if p_user_id is null or p_user_id = v_me then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'say whom to message (not yourself)');
  end if;
  select c.* into v_conv from social.conversations c
  where c.kind = 'direct' and c.direct_user_low = v_low and c.direct_user_high = v_high;
  if v_conv.id is not null then
    if social_private.user_is_blocked_with(v_me, p_user_id) then
      perform social_private.raise_error('permission_denied', 'blocked', 'a block stands between you and this user');
    end if;
    return v_conv;
  end if;
  perform social_private.check_may_message(v_me, p_user_id);
  perform social_private.check_rate_limit('conversation');
  insert into social.conversations (kind, direct_user_low, direct_user_high, created_by)
  values ('direct', v_low, v_high, v_me)
  on conflict (direct_user_low, direct_user_high) where kind = 'direct' do nothing
  returning * into v_conv;
  if v_conv.id is null then
    -- opened by the other person at the same moment
    select c.* into v_conv from social.conversations c
    where c.kind = 'direct' and c.direct_user_low = v_low and c.direct_user_high = v_high;
    return v_conv;
  end if;
  insert into social.conversation_members (conversation_id, user_id) values (v_conv.id, v_me), (v_conv.id, p_user_id);
  select c.* into v_conv from social.conversations c where c.id = v_conv.id;
  return v_conv;
end;
$$;
comment on function social_private.open_direct_conversation(uuid) is
  'The caller''s direct conversation with p_user_id, made when missing (blocked, '
  'messaging_not_allowed, profile_not_found, invalid_target, rate_limited).';
grant execute on function social_private.open_direct_conversation(uuid) to authenticated, service_role;

create function social.open_direct_conversation(p_user_id uuid)
returns social.conversations
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.open_direct_conversation(p_user_id);
$$;
comment on function social.open_direct_conversation(uuid) is
  'Open (find or start) the direct conversation with p_user_id. Errors: invalid_target, '
  'profile_not_found, blocked, messaging_not_allowed, rate_limited.';
grant execute on function social.open_direct_conversation(uuid) to authenticated, service_role;

-- A trimmed title of 1-80 characters that shows something (is_visible_text), or invalid_title.
create function social_private.conversation_title(p_title text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_title is null or char_length(btrim(p_title)) not between 1 and 80 or not social_private.is_visible_text(p_title) then
    perform social_private.raise_error('invalid_input', 'invalid_title', 'a title has 1 to 80 characters');
  end if;
  return btrim(p_title);
end;
$$;
comment on function social_private.conversation_title(text) is
  'p_title trimmed; raises invalid_title unless it has 1-80 characters.';

-- Add p_user_ids to ad hoc group conversation p_conversation_id on behalf of p_actor: each must
-- accept messages from the actor; at most chat_limits.group_members members in all. Returns how
-- many joined.
create function social_private.add_group_members(p_conversation_id uuid, p_actor uuid, p_user_ids uuid[])
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid;
  v_added integer := 0;
begin
  if p_user_ids is null or cardinality(p_user_ids) = 0 then
    return 0;
  end if;
  if cardinality(p_user_ids) > social_private.chat_limit('group_members') or (
    select count(*) from social.conversation_members m where m.conversation_id = p_conversation_id
  ) + (
    select count(distinct u) from unnest(p_user_ids) u
    where not exists (select 1 from social.conversation_members m
                      where m.conversation_id = p_conversation_id and m.user_id = u)
  ) > social_private.chat_limit('group_members') then
    perform social_private.raise_error('invalid_input', 'too_many_members',
      format('a group conversation has at most %s members', social_private.chat_limit('group_members')));
  end if;
  for v_user in select distinct u from unnest(p_user_ids) u where u is not null loop
    if v_user = p_actor or exists (
      select 1 from social.conversation_members m where m.conversation_id = p_conversation_id and m.user_id = v_user
    ) then
      continue;
    end if;
    if p_actor is not null then
      perform social_private.check_may_message(p_actor, v_user);
    end if;
    insert into social.conversation_members (conversation_id, user_id) values (p_conversation_id, v_user);
    v_added := v_added + 1;
  end loop;
  return v_added;
end;
$$;
comment on function social_private.add_group_members(uuid, uuid, uuid[]) is
  'Adds p_user_ids to a group conversation for p_actor (each checked with check_may_message; '
  'too_many_members beyond chat_limits.group_members). Returns how many joined.';

-- Create an ad hoc group conversation titled p_title with the caller (admin) and p_member_ids.
create function social_private.create_group_conversation(p_title text, p_member_ids uuid[], p_avatar_path text)
returns social.conversations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_title text := social_private.conversation_title(p_title);
  v_conv social.conversations;
begin
  if char_length(p_avatar_path) > 1024 then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'an avatar path has at most 1024 characters');
  end if;
  perform social_private.check_rate_limit('conversation');
  insert into social.conversations (kind, title, avatar_path, created_by)
  values ('group', v_title, nullif(btrim(p_avatar_path), ''), v_me)
  returning * into v_conv;
  perform set_config('social.chat_creating', v_conv.id::text, true);
  insert into social.conversation_members (conversation_id, user_id, role) values (v_conv.id, v_me, 'admin');
  perform social_private.add_group_members(v_conv.id, v_me, p_member_ids);
  perform set_config('social.chat_creating', '', true);
  select c.* into v_conv from social.conversations c where c.id = v_conv.id;
  return v_conv;
end;
$$;
comment on function social_private.create_group_conversation(text, uuid[], text) is
  'Creates a group conversation with the caller as admin and p_member_ids as members.';
grant execute on function social_private.create_group_conversation(text, uuid[], text) to authenticated, service_role;

create function social.create_group_conversation(
  p_title text,
  p_member_ids uuid[] default '{}',
  p_avatar_path text default null
)
returns social.conversations
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.create_group_conversation(p_title, p_member_ids, p_avatar_path);
$$;
comment on function social.create_group_conversation(text, uuid[], text) is
  'Create a group conversation (the caller is its admin) with p_member_ids. Errors: invalid_title, '
  'too_many_members, blocked, messaging_not_allowed, profile_not_found, rate_limited.';
grant execute on function social.create_group_conversation(text, uuid[], text) to authenticated, service_role;

-- The conversation of group p_group_id: the existing one for its active members, or a new one
-- (the group's owner and admins start it) holding every active member.
create function social_private.open_group_chat(p_group_id uuid)
returns social.conversations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_group social.groups := social_private.require_group(p_group_id);
  v_conv social.conversations;
begin
  select c.* into v_conv from social.conversations c where c.context_type = 'group' and c.context_id = p_group_id;
  if v_conv.id is not null then
    if not social_private.is_group_member(p_group_id) then
      perform social_private.raise_error('permission_denied', 'group_forbidden', 'join the group to see its chat');
    end if;
    if not social_private.holds_group_tier(p_group_id) then
      perform social_private.raise_error('permission_denied', 'tier_required',
        format('this group''s chat is for %s members', v_group.required_tier));
    end if;
    return v_conv;
  end if;
  if not social_private.is_group_admin(p_group_id) then
    perform social_private.raise_error('permission_denied', 'not_group_admin', 'the group''s owner and admins start its chat');
  end if;
  perform social_private.check_rate_limit('conversation');
  insert into social.conversations (kind, title, avatar_path, context_type, context_id, created_by)
  values ('group', left(v_group.name, 80), v_group.avatar_path, 'group', p_group_id, v_me)
  on conflict (context_type, context_id) where context_type is not null do nothing
  returning * into v_conv;
  if v_conv.id is null then
    select c.* into v_conv from social.conversations c where c.context_type = 'group' and c.context_id = p_group_id;
    return v_conv;
  end if;
  perform set_config('social.chat_creating', v_conv.id::text, true);
  insert into social.conversation_members (conversation_id, user_id, role)
  select v_conv.id, m.user_id,
         case when m.role in ('owner', 'admin', 'moderator') then 'admin' else 'member' end::social.conversation_role
  from social.group_members m where m.group_id = p_group_id and m.status = 'active';
  perform set_config('social.chat_creating', '', true);
  select c.* into v_conv from social.conversations c where c.id = v_conv.id;
  return v_conv;
end;
$$;
comment on function social_private.open_group_chat(uuid) is
  'The conversation tied to group p_group_id, started by its owner or an admin with every active '
  'member (staff as admins); later its members follow the group.';
grant execute on function social_private.open_group_chat(uuid) to authenticated, service_role;

create function social.open_group_chat(p_group_id uuid)
returns social.conversations
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.open_group_chat(p_group_id);
$$;
comment on function social.open_group_chat(uuid) is
  'The group''s conversation (its active members); the owner or an admin starts it. Errors: '
  'group_not_found, group_forbidden, not_group_admin, rate_limited.';
grant execute on function social.open_group_chat(uuid) to authenticated, service_role;

-- Change a group conversation's title, avatar ('' removes it) or slow mode; null leaves a field.
create function social_private.update_conversation(
  p_conversation_id uuid,
  p_title text,
  p_avatar_path text,
  p_slow_mode_seconds integer
)
returns social.conversations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_conv social.conversations := social_private.require_conversation_admin(p_conversation_id, false);
begin
  perform social_private.check_rate_limit('conversation');
  if p_slow_mode_seconds is not null and p_slow_mode_seconds not between 0 and 3600 then
    perform social_private.raise_error('invalid_input', 'invalid_slow_mode', 'slow mode is 0 to 3600 seconds');
  end if;
  if char_length(p_avatar_path) > 1024 then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'an avatar path has at most 1024 characters');
  end if;
  update social.conversations c set
    title = case when p_title is null then c.title else social_private.conversation_title(p_title) end,
    avatar_path = case when p_avatar_path is null then c.avatar_path else nullif(btrim(p_avatar_path), '') end,
    slow_mode_seconds = coalesce(p_slow_mode_seconds, c.slow_mode_seconds)
  where c.id = v_conv.id
  returning * into v_conv;
  return v_conv;
end;
$$;
comment on function social_private.update_conversation(uuid, text, text, integer) is
  'Sets a group conversation''s title, avatar or slow mode (admins).';
grant execute on function social_private.update_conversation(uuid, text, text, integer) to authenticated, service_role;

create function social.update_conversation(
  p_conversation_id uuid,
  p_title text default null,
  p_avatar_path text default null,
  p_slow_mode_seconds integer default null
)
returns social.conversations
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.update_conversation(p_conversation_id, p_title, p_avatar_path, p_slow_mode_seconds);
$$;
comment on function social.update_conversation(uuid, text, text, integer) is
  'Change a group conversation''s title, avatar ('''' removes it) or slow mode (seconds, 0 off); '
  'null leaves a field. Admins only. Errors: not_conversation_admin, direct_conversation, '
  'invalid_title, invalid_slow_mode.';
grant execute on function social.update_conversation(uuid, text, text, integer) to authenticated, service_role;

-- Add members to an ad hoc group conversation (admins); returns how many joined.
create function social_private.add_conversation_members(p_conversation_id uuid, p_user_ids uuid[])
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_conv social.conversations := social_private.require_conversation_admin(p_conversation_id, true);
begin
  perform social_private.check_rate_limit('conversation');
  return social_private.add_group_members(v_conv.id, (select auth.uid()), p_user_ids);
end;
$$;
comment on function social_private.add_conversation_members(uuid, uuid[]) is
  'Adds p_user_ids to a group conversation (admins; each must accept messages from the caller).';
grant execute on function social_private.add_conversation_members(uuid, uuid[]) to authenticated, service_role;

create function social.add_conversation_members(p_conversation_id uuid, p_user_ids uuid[])
returns integer
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.add_conversation_members(p_conversation_id, p_user_ids);
$$;
comment on function social.add_conversation_members(uuid, uuid[]) is
  'Add people to a group conversation (admins); returns how many joined. Errors: '
  'not_conversation_admin, managed_membership, too_many_members, blocked, messaging_not_allowed.';
grant execute on function social.add_conversation_members(uuid, uuid[]) to authenticated, service_role;

-- Remove p_user_id from a group conversation (admins; logged as member_removed).
create function social_private.remove_conversation_member(p_conversation_id uuid, p_user_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_conv social.conversations := social_private.require_conversation_admin(p_conversation_id, true);
begin
  if p_user_id is null or p_user_id = (select auth.uid()) then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'remove someone else (leave to go yourself)');
  end if;
  perform social_private.check_rate_limit('conversation');
  delete from social.conversation_members m where m.conversation_id = v_conv.id and m.user_id = p_user_id;
  if not found then
    perform social_private.raise_error('not_found', 'member_not_found', 'not a member of this conversation');
  end if;
  perform social_private.log_moderation('member_removed', null, 'user', p_user_id, p_user_id, null,
    jsonb_build_object('conversation_id', v_conv.id));
end;
$$;
comment on function social_private.remove_conversation_member(uuid, uuid) is
  'Removes p_user_id from a group conversation (admins), logged as member_removed.';
grant execute on function social_private.remove_conversation_member(uuid, uuid) to authenticated, service_role;

create function social.remove_conversation_member(p_conversation_id uuid, p_user_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.remove_conversation_member(p_conversation_id, p_user_id);
$$;
comment on function social.remove_conversation_member(uuid, uuid) is
  'Remove someone from a group conversation (admins). They lose it at once. Errors: '
  'not_conversation_admin, managed_membership, member_not_found, invalid_target.';
grant execute on function social.remove_conversation_member(uuid, uuid) to authenticated, service_role;

-- Leave an ad hoc group conversation; the earliest member becomes admin when the last admin
-- leaves, and the conversation goes when nobody is left.
create function social_private.leave_conversation(p_conversation_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_member social.conversation_members := social_private.require_conversation_member(p_conversation_id);
  v_conv social.conversations;
begin
  select c.* into v_conv from social.conversations c where c.id = p_conversation_id for no key update;
  if v_conv.kind = 'direct' then
    perform social_private.raise_error('invalid_input', 'direct_conversation', 'a direct conversation cannot be left');
  end if;
  if v_conv.context_type is not null then
    perform social_private.raise_error('permission_denied', 'managed_membership',
      format('leave the %s to leave its conversation', v_conv.context_type));
  end if;
  delete from social.conversation_members m where m.conversation_id = v_conv.id and m.user_id = v_member.user_id;
  if not exists (select 1 from social.conversation_members m where m.conversation_id = v_conv.id) then
    delete from social.conversations c where c.id = v_conv.id;
  elsif not exists (select 1 from social.conversation_members m where m.conversation_id = v_conv.id and m.role = 'admin') then
    update social.conversation_members m set role = 'admin'
    where m.conversation_id = v_conv.id
      and m.user_id = (select m2.user_id from social.conversation_members m2 where m2.conversation_id = v_conv.id
                       order by m2.joined_at, m2.user_id limit 1);
  end if;
end;
$$;
comment on function social_private.leave_conversation(uuid) is
  'The caller leaves a group conversation; the earliest member is made admin when no admin is '
  'left; the conversation is deleted when nobody is.';
grant execute on function social_private.leave_conversation(uuid) to authenticated, service_role;

create function social.leave_conversation(p_conversation_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.leave_conversation(p_conversation_id);
$$;
comment on function social.leave_conversation(uuid) is
  'Leave a group conversation. Errors: conversation_not_found, direct_conversation, managed_membership.';
grant execute on function social.leave_conversation(uuid) to authenticated, service_role;

-- Make a member admin or member (admins; not in conversations a context keeps).
create function social_private.set_conversation_member_role(
  p_conversation_id uuid,
  p_user_id uuid,
  p_role social.conversation_role
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_conv social.conversations := social_private.require_conversation_admin(p_conversation_id, true);
begin
  if p_role is null then
    perform social_private.raise_error('invalid_input', 'invalid_role', 'the role is admin or member');
  end if;
  perform social_private.check_rate_limit('conversation');
  update social.conversation_members m set role = p_role
  where m.conversation_id = v_conv.id and m.user_id = p_user_id;
  if not found then
    perform social_private.raise_error('not_found', 'member_not_found', 'not a member of this conversation');
  end if;
  if not exists (select 1 from social.conversation_members m where m.conversation_id = v_conv.id and m.role = 'admin') then
    perform social_private.raise_error('invalid_input', 'invalid_role', 'a group conversation keeps at least one admin');
  end if;
end;
$$;
comment on function social_private.set_conversation_member_role(uuid, uuid, social.conversation_role) is
  'Sets a member''s role in a group conversation (admins); one admin at least stays.';
grant execute on function social_private.set_conversation_member_role(uuid, uuid, social.conversation_role) to authenticated, service_role;

create function social.set_conversation_member_role(
  p_conversation_id uuid,
  p_user_id uuid,
  p_role social.conversation_role
)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.set_conversation_member_role(p_conversation_id, p_user_id, p_role);
$$;
comment on function social.set_conversation_member_role(uuid, uuid, social.conversation_role) is
  'Make a member admin or member (admins). Errors: not_conversation_admin, managed_membership, '
  'member_not_found, invalid_role.';
grant execute on function social.set_conversation_member_role(uuid, uuid, social.conversation_role)
  to authenticated, service_role;

-- Mute a conversation until p_until (infinity: for good), or unmute it (null).
create function social_private.mute_conversation(p_conversation_id uuid, p_until timestamptz)
returns social.conversation_members
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_member social.conversation_members := social_private.require_conversation_member(p_conversation_id);
begin
  update social.conversation_members m set muted_until = p_until
  where m.conversation_id = p_conversation_id and m.user_id = v_member.user_id
  returning * into v_member;
  return v_member;
end;
$$;
comment on function social_private.mute_conversation(uuid, timestamptz) is
  'Sets the caller''s muted_until in a conversation (null unmutes).';
grant execute on function social_private.mute_conversation(uuid, timestamptz) to authenticated, service_role;

create function social.mute_conversation(p_conversation_id uuid, p_until timestamptz default 'infinity')
returns social.conversation_members
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.mute_conversation(p_conversation_id, p_until);
$$;
comment on function social.mute_conversation(uuid, timestamptz) is
  'Mute a conversation until p_until (default for good; null unmutes). Muted conversations are '
  'not announced on user:<id> and not counted in the unread total.';
grant execute on function social.mute_conversation(uuid, timestamptz) to authenticated, service_role;

-- Who may start a conversation with the caller.
create function social.set_chat_settings(p_allow_messages_from social.chat_audience)
returns social.chat_settings
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_row social.chat_settings;
begin
  if p_allow_messages_from is null then
    perform social_private.raise_error('invalid_input', 'invalid_preference', 'say who may message you');
  end if;
  insert into social.chat_settings as s (user_id, allow_messages_from) values (v_me, p_allow_messages_from)
  on conflict (user_id) do update set allow_messages_from = excluded.allow_messages_from
  returning * into v_row;
  return v_row;
end;
$$;
comment on function social.set_chat_settings(social.chat_audience) is
  'Set who may start a conversation with you: everyone, following (people you follow) or nobody.';
grant execute on function social.set_chat_settings(social.chat_audience) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
