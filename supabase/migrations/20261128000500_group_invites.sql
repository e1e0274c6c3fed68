-- Group invites: invites addressed to a user (who accepts or declines) and invite links (a token,
-- an optional expiry and use limit), both revocable; previewing a link and joining with it. Who
-- may invite: staff in clubs and general groups, only the owner (the trainer) in coaching groups.
-- An invite lives only while its inviter may still invite: once they are demoted, banned, removed
-- or leave (or hand a coaching group over), their open invites and links are revoked, and an
-- invite is never redeemed or previewed for an inviter who lost the right.
-- social.group_invites itself is in the groups migration.
-- SDK: social.groups (invite, createInviteLink, revokeInvite, acceptInvite, declineInvite,
-- previewInvite, joinWithToken); tests: tests/db/groups.test.ts.

-- =====================================================================================
-- helpers
-- =====================================================================================

-- may p_user_id invite into p_group_id? staff in clubs and general groups; in a coaching group
-- only the owner (the trainer adds trainees; trainees and assistants do not invite)
create function social_private.user_can_invite_to_group(p_user_id uuid, p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from social.groups g
    join social.group_members m on m.group_id = g.id
    where g.id = p_group_id and m.user_id = p_user_id and m.status = 'active'
      and case when g.kind = 'coaching' then m.role = 'owner'
               else m.role in ('owner', 'admin', 'moderator') end
  );
$$;
comment on function social_private.user_can_invite_to_group(uuid, uuid) is
  'May p_user_id invite into p_group_id? Active staff in clubs and general groups; only the owner '
  '(the trainer) in coaching groups. An invite lives only while its inviter may.';
grant execute on function social_private.user_can_invite_to_group(uuid, uuid) to service_role;

-- may the caller invite into p_group_id? (user_can_invite_to_group for auth.uid())
create function social_private.can_invite_to_group(p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select social_private.user_can_invite_to_group((select auth.uid()), p_group_id);
$$;
comment on function social_private.can_invite_to_group(uuid) is
  'May the caller invite into p_group_id? Active staff in clubs and general groups; only the owner '
  '(the trainer) in coaching groups.';
grant execute on function social_private.can_invite_to_group(uuid) to authenticated, service_role;

-- an open invite: not answered, not revoked, not expired
create function social_private.invite_is_open(p_invite social.group_invites)
returns boolean
language sql
stable
set search_path = ''
as $$
  select p_invite.accepted_at is null and p_invite.declined_at is null and p_invite.revoked_at is null
    and (p_invite.expires_at is null or p_invite.expires_at > now());
$$;
comment on function social_private.invite_is_open(social.group_invites) is
  'True while an invite is unanswered, not revoked and not expired.';

-- validate an invite expiry: in the future and at most a year ahead
create function social_private.check_invite_expiry(p_expires_at timestamptz)
returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_expires_at <= now() or p_expires_at > now() + interval '366 days' then
    perform social_private.raise_error(
      'invalid_input', 'invalid_expiry', 'an invite expires in the future, within a year');
  end if;
  return p_expires_at;
end;
$$;
comment on function social_private.check_invite_expiry(timestamptz) is
  'p_expires_at when it is in the future and at most 366 days ahead; raises invalid_expiry (400) '
  'otherwise.';

-- Accept an invite row for p_user_id (already locked and checked to be addressed to them or a
-- link): the membership, and the invite marked accepted / its use counted. An invite whose
-- inviter may no longer invite is revoked (invite_revoked).
create function social_private.redeem_invite(p_invite social.group_invites, p_user_id uuid)
returns social.group_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row social.group_members;
begin
  if p_invite.revoked_at is not null
     or not social_private.user_can_invite_to_group(p_invite.inviter_id, p_invite.group_id) then
    perform social_private.raise_error('permission_denied', 'invite_revoked', 'this invite was revoked');
  end if;
  if p_invite.expires_at is not null and p_invite.expires_at <= now() then
    perform social_private.raise_error('permission_denied', 'invite_expired', 'this invite has expired');
  end if;
  if p_invite.token is not null then
    update social.group_invites i set use_count = i.use_count + 1
    where i.id = p_invite.id and (i.max_uses is null or i.use_count < i.max_uses);
    if not found then
      perform social_private.raise_error('permission_denied', 'invite_exhausted', 'this invite link has been used up');
    end if;
  else
    update social.group_invites i set accepted_at = now() where i.id = p_invite.id;
  end if;
  v_row := social_private.admit_member(p_invite.group_id, p_user_id, 'active', p_invite.inviter_id);
  return v_row;
end;
$$;
comment on function social_private.redeem_invite(social.group_invites, uuid) is
  'Uses a locked invite for p_user_id: refuses revoked, expired and used-up ones and those whose '
  'inviter may no longer invite, marks an addressed invite accepted or counts a link''s use, then '
  'admits the user as an active member.';

-- =====================================================================================
-- RPC: the operations (security definer: they hold the rules) and their security invoker
-- wrappers in `social`
-- =====================================================================================

create function social_private.invite_to_group(p_group_id uuid, p_user_id uuid, p_expires_at timestamptz)
returns social.group_invites
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_group social.groups := social_private.require_group(p_group_id);
  v_member social.group_members;
  v_expires timestamptz := social_private.check_invite_expiry(coalesce(p_expires_at, now() + interval '30 days'));
  v_invite social.group_invites;
begin
  if not social_private.can_invite_to_group(p_group_id) then
    perform social_private.raise_error(
      'permission_denied', 'not_allowed_to_invite', 'you cannot invite people to this group');
  end if;
  perform social_private.check_rate_limit('invite');
  if p_user_id is null or p_user_id = v_me then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'you cannot invite yourself');
  end if;
  if not exists (select 1 from social.profiles p where p.id = p_user_id) then
    perform social_private.raise_error('not_found', 'profile_not_found', 'no such profile');
  end if;
  if social_private.user_is_blocked_with(v_me, p_user_id)
     or social_private.user_is_blocked_with(v_group.owner_id, p_user_id) then
    perform social_private.raise_error('permission_denied', 'blocked', 'you cannot invite this user');
  end if;
  select * into v_member from social.group_members m where m.group_id = p_group_id and m.user_id = p_user_id;
  if v_member.status = 'active' then
    perform social_private.raise_error('conflict', 'already_member', 'this user is already a member');
  elsif v_member.status = 'banned' then
    perform social_private.raise_error(
      'permission_denied', 'user_banned', 'this user is banned from the group; unban them first');
  end if;

  -- one open invite per user: an unexpired one is returned as it is, an expired one replaced
  select * into v_invite from social.group_invites i
  where i.group_id = p_group_id and i.invitee_id = p_user_id
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
  for update;
  if v_invite.id is not null then
    if social_private.invite_is_open(v_invite) then
      return v_invite;
    end if;
    update social.group_invites i set revoked_at = now() where i.id = v_invite.id;
  end if;
  insert into social.group_invites (group_id, inviter_id, invitee_id, expires_at)
  values (p_group_id, v_me, p_user_id, v_expires)
  returning * into v_invite;
  return v_invite;
end;
$$;
comment on function social_private.invite_to_group(uuid, uuid, timestamptz) is
  'Body of social.invite_to_group (security definer): checks the inviter''s right, rate limits '
  '(invite), checks blocks, bans and membership; keeps one open invite per user.';
grant execute on function social_private.invite_to_group(uuid, uuid, timestamptz) to authenticated, service_role;

create function social.invite_to_group(p_group_id uuid, p_user_id uuid, p_expires_at timestamptz default null)
returns social.group_invites
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.invite_to_group(p_group_id, p_user_id, p_expires_at);
$$;
comment on function social.invite_to_group(uuid, uuid, timestamptz) is
  'Invite a user (staff; only the owner in coaching groups). Expires in 30 days unless '
  'p_expires_at says otherwise. Returns the open invite if there is one.';
grant execute on function social.invite_to_group(uuid, uuid, timestamptz) to authenticated, service_role;

create function social_private.create_group_invite_link(
  p_group_id uuid,
  p_expires_at timestamptz,
  p_max_uses integer
)
returns social.group_invites
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_expires timestamptz := social_private.check_invite_expiry(coalesce(p_expires_at, now() + interval '7 days'));
  v_invite social.group_invites;
begin
  perform social_private.require_group(p_group_id);
  if not social_private.can_invite_to_group(p_group_id) then
    perform social_private.raise_error(
      'permission_denied', 'not_allowed_to_invite', 'you cannot invite people to this group');
  end if;
  perform social_private.check_rate_limit('invite');
  if p_max_uses is not null and (p_max_uses < 1 or p_max_uses > 100000) then
    perform social_private.raise_error('invalid_input', 'invalid_max_uses', 'max uses is between 1 and 100000');
  end if;
  insert into social.group_invites (group_id, inviter_id, token, expires_at, max_uses)
  values (
    p_group_id, v_me,
    translate(encode(extensions.gen_random_bytes(18), 'base64'), '+/', '-_'),
    v_expires, p_max_uses
  )
  returning * into v_invite;
  return v_invite;
end;
$$;
comment on function social_private.create_group_invite_link(uuid, timestamptz, integer) is
  'Body of social.create_group_invite_link (security definer): rate limits (invite); a link invite '
  'with a random token, an expiry (default 7 days) and optional max uses.';
grant execute on function social_private.create_group_invite_link(uuid, timestamptz, integer)
  to authenticated, service_role;

create function social.create_group_invite_link(
  p_group_id uuid,
  p_expires_at timestamptz default null,
  p_max_uses integer default null
)
returns social.group_invites
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.create_group_invite_link(p_group_id, p_expires_at, p_max_uses);
$$;
comment on function social.create_group_invite_link(uuid, timestamptz, integer) is
  'A shareable invite link (token) that expires (default 7 days) and optionally has max uses.';
grant execute on function social.create_group_invite_link(uuid, timestamptz, integer) to authenticated, service_role;

create function social_private.revoke_group_invite(p_invite_id uuid)
returns social.group_invites
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_invite social.group_invites;
begin
  select * into v_invite from social.group_invites i where i.id = p_invite_id for update;
  if v_invite.id is null
     or not (v_invite.inviter_id = v_me or v_invite.invitee_id is not distinct from v_me
             or social_private.is_group_staff(v_invite.group_id)) then
    perform social_private.raise_error('not_found', 'invite_not_found', 'no such invite');
  end if;
  if not (v_invite.inviter_id = v_me or social_private.is_group_admin(v_invite.group_id)) then
    perform social_private.raise_error(
      'permission_denied', 'insufficient_role', 'only the inviter or the group''s owner and admins revoke an invite');
  end if;
  if v_invite.accepted_at is not null or v_invite.declined_at is not null then
    perform social_private.raise_error('invalid_input', 'invite_closed', 'this invite was already answered');
  end if;
  update social.group_invites i set revoked_at = coalesce(i.revoked_at, now())
  where i.id = p_invite_id
  returning * into v_invite;
  return v_invite;
end;
$$;
comment on function social_private.revoke_group_invite(uuid) is
  'Body of social.revoke_group_invite (security definer): the inviter, or owners and admins, set '
  'revoked_at on an unanswered invite.';
grant execute on function social_private.revoke_group_invite(uuid) to authenticated, service_role;

create function social.revoke_group_invite(p_invite_id uuid)
returns social.group_invites
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.revoke_group_invite(p_invite_id);
$$;
comment on function social.revoke_group_invite(uuid) is
  'Revoke an invite or link (its inviter, or the group''s owner and admins). Idempotent.';
grant execute on function social.revoke_group_invite(uuid) to authenticated, service_role;

create function social_private.accept_group_invite(p_invite_id uuid)
returns social.group_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_invite social.group_invites;
  v_row social.group_members;
begin
  select * into v_invite from social.group_invites i
  where i.id = p_invite_id and i.invitee_id = v_me
  for update;
  if v_invite.id is null then
    perform social_private.raise_error('not_found', 'invite_not_found', 'no such invite');
  end if;
  if v_invite.accepted_at is not null then
    -- a retried accept returns the membership it made
    select * into v_row from social.group_members m
    where m.group_id = v_invite.group_id and m.user_id = v_me and m.status = 'active';
    if v_row.group_id is not null then
      return v_row;
    end if;
  end if;
  if v_invite.accepted_at is not null or v_invite.declined_at is not null then
    perform social_private.raise_error('invalid_input', 'invite_closed', 'this invite was already answered');
  end if;
  return social_private.redeem_invite(v_invite, v_me);
end;
$$;
comment on function social_private.accept_group_invite(uuid) is
  'Body of social.accept_group_invite (security definer): the invitee redeems an invite addressed '
  'to them.';
grant execute on function social_private.accept_group_invite(uuid) to authenticated, service_role;

create function social.accept_group_invite(p_invite_id uuid)
returns social.group_members
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.accept_group_invite(p_invite_id);
$$;
comment on function social.accept_group_invite(uuid) is
  'Accept an invite addressed to the caller; returns the membership. Idempotent.';
grant execute on function social.accept_group_invite(uuid) to authenticated, service_role;

create function social_private.decline_group_invite(p_invite_id uuid)
returns social.group_invites
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_invite social.group_invites;
begin
  select * into v_invite from social.group_invites i
  where i.id = p_invite_id and i.invitee_id = v_me
  for update;
  if v_invite.id is null then
    perform social_private.raise_error('not_found', 'invite_not_found', 'no such invite');
  end if;
  if v_invite.accepted_at is not null then
    perform social_private.raise_error('invalid_input', 'invite_closed', 'this invite was already accepted');
  end if;
  update social.group_invites i set declined_at = coalesce(i.declined_at, now())
  where i.id = p_invite_id
  returning * into v_invite;
  return v_invite;
end;
$$;
comment on function social_private.decline_group_invite(uuid) is
  'Body of social.decline_group_invite (security definer): the invitee sets declined_at on an '
  'invite addressed to them.';
grant execute on function social_private.decline_group_invite(uuid) to authenticated, service_role;

create function social.decline_group_invite(p_invite_id uuid)
returns social.group_invites
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.decline_group_invite(p_invite_id);
$$;
comment on function social.decline_group_invite(uuid) is 'Decline an invite addressed to the caller.';
grant execute on function social.decline_group_invite(uuid) to authenticated, service_role;

create function social_private.preview_group_invite(p_token text)
returns table (
  group_id uuid,
  name text,
  description text,
  avatar_path text,
  kind social.group_kind,
  visibility social.group_visibility,
  member_count integer,
  expires_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform social_private.require_user();
  return query
    select g.id, g.name, g.description, g.avatar_path, g.kind, g.visibility, g.member_count, i.expires_at
    from social.group_invites i
    join social.groups g on g.id = i.group_id
    where i.token = p_token and p_token is not null
      and i.revoked_at is null and i.expires_at > now()
      and (i.max_uses is null or i.use_count < i.max_uses)
      and social_private.user_can_invite_to_group(i.inviter_id, i.group_id)
      -- a banned user learns nothing of the group through a link (they could not use it)
      and not exists (
        select 1 from social.group_members m
        where m.group_id = i.group_id and m.user_id = (select auth.uid()) and m.status = 'banned'
      );
  if not found then
    perform social_private.raise_error('not_found', 'invite_not_found', 'no such invite link');
  end if;
end;
$$;
comment on function social_private.preview_group_invite(text) is
  'Body of social.preview_group_invite (security definer): the group a usable link leads to, even '
  'a secret one, while its inviter may invite and the caller is not banned from the group; '
  'invite_not_found otherwise.';
grant execute on function social_private.preview_group_invite(text) to authenticated, service_role;

create function social.preview_group_invite(p_token text)
returns table (
  group_id uuid,
  name text,
  description text,
  avatar_path text,
  kind social.group_kind,
  visibility social.group_visibility,
  member_count integer,
  expires_at timestamptz
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.preview_group_invite(p_token);
$$;
comment on function social.preview_group_invite(text) is
  'The group an invite link leads to (for the landing screen), while the link is usable and the '
  'caller is not banned from the group.';
grant execute on function social.preview_group_invite(text) to authenticated, service_role;

create function social_private.join_group_with_token(p_token text)
returns social.group_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_invite social.group_invites;
  v_row social.group_members;
begin
  perform social_private.check_rate_limit('join');
  select * into v_invite from social.group_invites i
  where i.token = p_token and p_token is not null
  for update;
  if v_invite.id is null then
    perform social_private.raise_error('not_found', 'invite_not_found', 'no such invite link');
  end if;
  select * into v_row from social.group_members m
  where m.group_id = v_invite.group_id and m.user_id = v_me;
  if v_row.status = 'banned' then
    perform social_private.raise_error('permission_denied', 'banned', 'you are banned from this group');
  elsif v_row.status = 'active' then
    return v_row; -- already in: the link is not used up again
  end if;
  return social_private.redeem_invite(v_invite, v_me);
end;
$$;
comment on function social_private.join_group_with_token(text) is
  'Body of social.join_group_with_token (security definer): rate limits (join), redeems a link for '
  'the caller; a member already in uses no slot.';
grant execute on function social_private.join_group_with_token(text) to authenticated, service_role;

create function social.join_group_with_token(p_token text)
returns social.group_members
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.join_group_with_token(p_token);
$$;
comment on function social.join_group_with_token(text) is
  'Join through an invite link. Errors: invite_not_found, invite_expired, invite_revoked, '
  'invite_exhausted, banned, tier_required, blocked. A member redeeming again uses no slot.';
grant execute on function social.join_group_with_token(text) to authenticated, service_role;

-- =====================================================================================
-- lists (the page contract of 20261128000000_core.sql; security invoker: RLS decides)
-- =====================================================================================

-- A group's invites and links as the caller may see them (staff: all; an inviter: their own),
-- answered, revoked and expired ones included, newest first.
create function social.list_group_invites(
  p_group_id uuid,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  group_id uuid,
  inviter_id uuid,
  invitee_id uuid,
  token text,
  expires_at timestamptz,
  max_uses integer,
  use_count integer,
  revoked_at timestamptz,
  accepted_at timestamptz,
  declined_at timestamptz,
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
  v_key social_private.page_key := social_private.decode_page_cursor('list_group_invites', 'latest', p_group_id::text, p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.created_at desc, x.id desc),
         array_agg(x.created_at order by x.created_at desc, x.id desc)
    into v_ids, v_created
  from (
    select i.id, i.created_at
    from social.group_invites i
    where i.group_id = p_group_id
      and (i.created_at, i.id) < (v_key.created_at, v_key.id)
    order by i.created_at desc, i.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_group_invites', 'latest', p_group_id::text,
                                                v_created[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select i.id, i.group_id, i.inviter_id, i.invitee_id, i.token, i.expires_at, i.max_uses, i.use_count,
           i.revoked_at, i.accepted_at, i.declined_at, i.created_at,
           v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(invite_id, position)
    join social.group_invites i on i.id = k.invite_id
    order by k.position;
end;
$$;
comment on function social.list_group_invites(uuid, text, integer) is
  'A group''s invites and links (staff: all; an inviter: their own), newest first. p_cursor: the '
  'next_cursor of the previous page (same group); p_limit 1-50.';
grant execute on function social.list_group_invites(uuid, text, integer) to authenticated, service_role;

-- Open invites addressed to the caller (not answered, revoked or expired), newest first, with the
-- group ("group", null when the caller may not see it) and the inviter's card ("inviter", null
-- across a block).
create function social.my_group_invites(p_cursor text default null, p_limit integer default 20)
returns table (
  id uuid,
  group_id uuid,
  inviter_id uuid,
  invitee_id uuid,
  token text,
  expires_at timestamptz,
  max_uses integer,
  use_count integer,
  revoked_at timestamptz,
  accepted_at timestamptz,
  declined_at timestamptz,
  created_at timestamptz,
  "group" jsonb,
  inviter jsonb,
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
  v_key social_private.page_key := social_private.decode_page_cursor('my_group_invites', 'latest', v_me::text, p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.created_at desc, x.id desc),
         array_agg(x.created_at order by x.created_at desc, x.id desc)
    into v_ids, v_created
  from (
    select i.id, i.created_at
    from social.group_invites i
    where i.invitee_id = v_me
      and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
      and (i.expires_at is null or i.expires_at > now())
      and (i.created_at, i.id) < (v_key.created_at, v_key.id)
    order by i.created_at desc, i.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('my_group_invites', 'latest', v_me::text,
                                                v_created[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select i.id, i.group_id, i.inviter_id, i.invitee_id, i.token, i.expires_at, i.max_uses, i.use_count,
           i.revoked_at, i.accepted_at, i.declined_at, i.created_at,
           to_jsonb(g), to_jsonb(p), v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(invite_id, position)
    join social.group_invites i on i.id = k.invite_id
    left join social.groups g on g.id = i.group_id
    left join social.profiles p on p.id = i.inviter_id
    order by k.position;
end;
$$;
comment on function social.my_group_invites(text, integer) is
  'Open invites addressed to the caller with the group and the inviter''s card, newest first. '
  'p_cursor: the next_cursor of the previous page; p_limit 1-50.';
grant execute on function social.my_group_invites(text, integer) to authenticated, service_role;

-- =====================================================================================
-- triggers
-- =====================================================================================

-- When a member may no longer invite (demoted, banned, removed, left, or a coaching group's old
-- owner after a transfer), the open invites and links they made are revoked: nobody comes in on
-- a right that is gone, and the invitees' notifications go with them (notification triggers).
-- A membership that goes with its group (cascade) revokes nothing.
create function social_private.handle_inviter_lost_right()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from social.groups g where g.id = old.group_id)
     or social_private.user_can_invite_to_group(old.user_id, old.group_id) then
    return null;
  end if;
  update social.group_invites i set revoked_at = now()
  where i.group_id = old.group_id and i.inviter_id = old.user_id
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null;
  return null;
end;
$$;
comment on function social_private.handle_inviter_lost_right() is
  'Trigger: revokes the open invites and links of a member who can no longer invite into the group.';
create trigger on_group_members_inviter_lost_right after update of role, status or delete
  on social.group_members
  for each row execute function social_private.handle_inviter_lost_right();

revoke execute on all functions in schema social, social_private from public;
