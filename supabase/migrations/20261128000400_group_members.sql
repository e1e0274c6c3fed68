-- Group membership: joining (open groups at once, `request` groups as a pending request), leaving,
-- staff approving and declining requests, removing, banning and unbanning members, changing roles
-- and transferring ownership. Each RPC in `social` is a security invoker wrapper of a security
-- definer function in social_private that holds the rule (role ranks, bans, blocks, tiers, the
-- single owner); the tables are in the groups migration.
-- SDK: social.groups (join, leave, approveRequest, removeMember, ban, setRole, ...);
-- tests: tests/db/groups.test.ts.

-- =====================================================================================
-- helpers
-- =====================================================================================

-- Make p_user_id a member of p_group_id with p_status ('active' or 'pending'), refusing banned
-- users, users a block separates from the owner, and users without the group's required tier.
-- An existing active membership is returned as it is; a pending one can become active.
-- Internal: the callers have decided that p_user_id may come in this way.
create function social_private.admit_member(
  p_group_id uuid,
  p_user_id uuid,
  p_status social.member_status,
  p_invited_by uuid
)
returns social.group_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_group social.groups;
  v_row social.group_members;
begin
  select * into strict v_group from social.groups g where g.id = p_group_id;
  select * into v_row from social.group_members m
  where m.group_id = p_group_id and m.user_id = p_user_id
  for update;
  if v_row.status = 'banned' then
    perform social_private.raise_error('permission_denied', 'banned', 'you are banned from this group');
  end if;
  if v_row.status = 'active' or (v_row.status = 'pending' and p_status = 'pending') then
    return v_row;
  end if;
  if social_private.user_is_blocked_with(p_user_id, v_group.owner_id) then
    perform social_private.raise_error('permission_denied', 'blocked', 'you cannot join this group');
  end if;
  if v_group.required_tier is not null
     and not social_private.user_has_tier(p_user_id, v_group.required_tier) then
    perform social_private.raise_error(
      'permission_denied', 'tier_required', format('this group is for %s members', v_group.required_tier));
  end if;
  insert into social.group_members (group_id, user_id, role, status, invited_by)
  values (p_group_id, p_user_id, 'member', p_status, p_invited_by)
  on conflict (group_id, user_id) do update
    set status = excluded.status,
        invited_by = coalesce(excluded.invited_by, social.group_members.invited_by)
    where social.group_members.status = 'pending'
  returning * into v_row;
  if v_row.group_id is null then
    select * into v_row from social.group_members m
    where m.group_id = p_group_id and m.user_id = p_user_id;
  end if;
  return v_row;
end;
$$;
comment on function social_private.admit_member(uuid, uuid, social.member_status, uuid) is
  'Makes p_user_id an active member or a pending requester (p_status) of p_group_id, refusing '
  'banned users, users a block separates from the owner and users without the required tier. '
  'Callers decide the user may come in this way.';

-- the caller's active role in p_group_id, which must be staff
create function social_private.require_group_staff(p_group_id uuid)
returns social.group_role
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_role social.group_role;
begin
  perform social_private.require_user();
  perform social_private.require_group(p_group_id);
  v_role := social_private.my_group_role(p_group_id);
  if v_role is null or v_role = 'member' then
    perform social_private.raise_error('permission_denied', 'not_group_staff', 'only the group''s staff can do this');
  end if;
  return v_role;
end;
$$;
comment on function social_private.require_group_staff(uuid) is
  'The caller''s role in p_group_id; raises not_group_staff (403) unless it is owner, admin or '
  'moderator, group_not_found when the caller cannot see the group.';

-- the target's membership for a staff action, checked against the caller's rank: the owner is
-- never a target, and staff act only on members of a lower rank (admins on moderators and members,
-- moderators on members)
create function social_private.require_staff_target(
  p_group_id uuid,
  p_user_id uuid,
  p_actor_role social.group_role,
  p_required boolean
)
returns social.group_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row social.group_members;
begin
  if p_user_id is null or p_user_id = (select auth.uid()) then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'you cannot do this to yourself');
  end if;
  select * into v_row from social.group_members m
  where m.group_id = p_group_id and m.user_id = p_user_id
  for update;
  if v_row.group_id is null then
    if p_required then
      perform social_private.raise_error('not_found', 'member_not_found', 'this user is not in the group');
    end if;
    return v_row;
  end if;
  if v_row.role = 'owner' then
    perform social_private.raise_error('permission_denied', 'owner_protected', 'the group''s owner cannot be targeted');
  end if;
  if v_row.status <> 'banned'
     and social_private.group_role_rank(p_actor_role) <= social_private.group_role_rank(v_row.role) then
    perform social_private.raise_error(
      'permission_denied', 'insufficient_role', format('a %s cannot do this to a %s', p_actor_role, v_row.role));
  end if;
  return v_row;
end;
$$;
comment on function social_private.require_staff_target(uuid, uuid, social.group_role, boolean) is
  'The membership of p_user_id that a staff member of role p_actor_role acts on, locked; raises '
  'owner_protected for the owner and insufficient_role unless the target ranks lower (bans '
  'excepted); member_not_found when p_required and there is none.';

-- =====================================================================================
-- RPC: the operations (security definer: they hold the rules) and their security invoker
-- wrappers in `social`
-- =====================================================================================

create function social_private.join_group(p_group_id uuid)
returns social.group_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_group social.groups := social_private.require_group(p_group_id);
  v_row social.group_members;
  v_invite social.group_invites;
begin
  -- joining and leaving share one budget: a join request notifies the staff
  perform social_private.check_rate_limit('join');
  select * into v_row from social.group_members m where m.group_id = p_group_id and m.user_id = v_me;
  if v_row.status = 'banned' then
    perform social_private.raise_error('permission_denied', 'banned', 'you are banned from this group');
  elsif v_row.group_id is not null then
    return v_row;
  end if;

  -- an open invite addressed to me lets me in whatever the join policy
  select * into v_invite from social.group_invites i
  where i.group_id = p_group_id and i.invitee_id = v_me
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
    and (i.expires_at is null or i.expires_at > now())
  order by i.created_at desc
  limit 1
  for update;
  if v_invite.id is not null then
    return social_private.redeem_invite(v_invite, v_me);
  end if;

  if v_group.visibility = 'secret' or v_group.join_policy = 'invite' then
    perform social_private.raise_error('permission_denied', 'invite_required', 'this group is joined by invite only');
  end if;
  return social_private.admit_member(
    p_group_id, v_me, case v_group.join_policy when 'open' then 'active' else 'pending' end::social.member_status, null);
end;
$$;
comment on function social_private.join_group(uuid) is
  'Body of social.join_group (security definer): rate limits (join), redeems an open invite '
  'addressed to the caller, else joins an open group or asks to join a request group.';
grant execute on function social_private.join_group(uuid) to authenticated, service_role;

create function social.join_group(p_group_id uuid)
returns social.group_members
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.join_group(p_group_id);
$$;
comment on function social.join_group(uuid) is
  'Join a group: active at once (open), a pending join request (request), or with an open invite '
  'addressed to the caller. Errors: invite_required, banned, tier_required, blocked, '
  'group_not_found. Idempotent.';
grant execute on function social.join_group(uuid) to authenticated, service_role;

create function social_private.leave_group(p_group_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_row social.group_members;
begin
  perform social_private.check_rate_limit('join');
  select * into v_row from social.group_members m
  where m.group_id = p_group_id and m.user_id = v_me
  for update;
  if v_row.group_id is null or v_row.status = 'banned' then
    return false;
  end if;
  if v_row.role = 'owner' then
    perform social_private.raise_error(
      'permission_denied', 'owner_must_transfer', 'transfer ownership or delete the group before leaving it');
  end if;
  delete from social.group_members m where m.group_id = p_group_id and m.user_id = v_me;
  return true;
end;
$$;
comment on function social_private.leave_group(uuid) is
  'Body of social.leave_group (security definer): rate limits (join), deletes the caller''s '
  'membership or request; the owner must transfer first.';
grant execute on function social_private.leave_group(uuid) to authenticated, service_role;

create function social.leave_group(p_group_id uuid)
returns boolean
language sql
security invoker
set search_path = ''
as $$
  select social_private.leave_group(p_group_id);
$$;
comment on function social.leave_group(uuid) is
  'Leave a group or cancel a join request; false when there was nothing to leave. The owner '
  'transfers ownership first (owner_must_transfer).';
grant execute on function social.leave_group(uuid) to authenticated, service_role;

create function social_private.approve_join_request(p_group_id uuid, p_user_id uuid)
returns social.group_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row social.group_members;
begin
  perform social_private.require_group_staff(p_group_id);
  select * into v_row from social.group_members m
  where m.group_id = p_group_id and m.user_id = p_user_id;
  if v_row.status = 'active' then
    return v_row;
  elsif v_row.status is distinct from 'pending' then
    perform social_private.raise_error('not_found', 'join_request_not_found', 'no pending request from this user');
  end if;
  update social.group_members m set status = 'active'
  where m.group_id = p_group_id and m.user_id = p_user_id and m.status = 'pending'
  returning * into v_row;
  return v_row;
end;
$$;
comment on function social_private.approve_join_request(uuid, uuid) is
  'Body of social.approve_join_request (security definer): staff turn a pending request active.';
grant execute on function social_private.approve_join_request(uuid, uuid) to authenticated, service_role;

create function social.approve_join_request(p_group_id uuid, p_user_id uuid)
returns social.group_members
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.approve_join_request(p_group_id, p_user_id);
$$;
comment on function social.approve_join_request(uuid, uuid) is 'Staff approve a pending join request.';
grant execute on function social.approve_join_request(uuid, uuid) to authenticated, service_role;

create function social_private.decline_join_request(p_group_id uuid, p_user_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform social_private.require_group_staff(p_group_id);
  delete from social.group_members m
  where m.group_id = p_group_id and m.user_id = p_user_id and m.status = 'pending';
  return found;
end;
$$;
comment on function social_private.decline_join_request(uuid, uuid) is
  'Body of social.decline_join_request (security definer): staff delete a pending request.';
grant execute on function social_private.decline_join_request(uuid, uuid) to authenticated, service_role;

create function social.decline_join_request(p_group_id uuid, p_user_id uuid)
returns boolean
language sql
security invoker
set search_path = ''
as $$
  select social_private.decline_join_request(p_group_id, p_user_id);
$$;
comment on function social.decline_join_request(uuid, uuid) is
  'Staff decline a pending join request; false when there was none.';
grant execute on function social.decline_join_request(uuid, uuid) to authenticated, service_role;

create function social_private.remove_group_member(p_group_id uuid, p_user_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_role social.group_role := social_private.require_group_staff(p_group_id);
  v_row social.group_members;
begin
  v_row := social_private.require_staff_target(p_group_id, p_user_id, v_role, false);
  if v_row.group_id is null or v_row.status = 'banned' then
    return false;
  end if;
  delete from social.group_members m where m.group_id = p_group_id and m.user_id = p_user_id;
  return true;
end;
$$;
comment on function social_private.remove_group_member(uuid, uuid) is
  'Body of social.remove_group_member (security definer): staff delete the membership of a '
  'lower-ranked member.';
grant execute on function social_private.remove_group_member(uuid, uuid) to authenticated, service_role;

create function social.remove_group_member(p_group_id uuid, p_user_id uuid)
returns boolean
language sql
security invoker
set search_path = ''
as $$
  select social_private.remove_group_member(p_group_id, p_user_id);
$$;
comment on function social.remove_group_member(uuid, uuid) is
  'Staff remove a member (or a request) of a lower rank; false when there was none.';
grant execute on function social.remove_group_member(uuid, uuid) to authenticated, service_role;

create function social_private.ban_group_member(p_group_id uuid, p_user_id uuid)
returns social.group_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_role social.group_role := social_private.require_group_staff(p_group_id);
  v_row social.group_members;
begin
  v_row := social_private.require_staff_target(p_group_id, p_user_id, v_role, false);
  if v_row.status = 'banned' then
    return v_row;
  end if;
  if v_row.group_id is null and not exists (select 1 from social.profiles p where p.id = p_user_id) then
    perform social_private.raise_error('not_found', 'profile_not_found', 'no such profile');
  end if;
  insert into social.group_members (group_id, user_id, role, status)
  values (p_group_id, p_user_id, 'member', 'banned')
  on conflict (group_id, user_id) do update
    set status = 'banned', role = 'member', invited_by = null
  returning * into v_row;
  -- a banned user's open invites into the group go
  update social.group_invites i set revoked_at = now()
  where i.group_id = p_group_id and i.invitee_id = p_user_id
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null;
  return v_row;
end;
$$;
comment on function social_private.ban_group_member(uuid, uuid) is
  'Body of social.ban_group_member (security definer): staff mark a lower-ranked user banned and '
  'revoke their open invites.';
grant execute on function social_private.ban_group_member(uuid, uuid) to authenticated, service_role;

create function social.ban_group_member(p_group_id uuid, p_user_id uuid)
returns social.group_members
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.ban_group_member(p_group_id, p_user_id);
$$;
comment on function social.ban_group_member(uuid, uuid) is
  'Staff ban a user (member or not) of a lower rank: never the owner, admins not admins, '
  'moderators only members. Revokes their open invites. Idempotent.';
grant execute on function social.ban_group_member(uuid, uuid) to authenticated, service_role;

create function social_private.unban_group_member(p_group_id uuid, p_user_id uuid)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform social_private.require_group_staff(p_group_id);
  delete from social.group_members m
  where m.group_id = p_group_id and m.user_id = p_user_id and m.status = 'banned';
  return found;
end;
$$;
comment on function social_private.unban_group_member(uuid, uuid) is
  'Body of social.unban_group_member (security definer): staff delete a banned row, so the user '
  'may come back.';
grant execute on function social_private.unban_group_member(uuid, uuid) to authenticated, service_role;

create function social.unban_group_member(p_group_id uuid, p_user_id uuid)
returns boolean
language sql
security invoker
set search_path = ''
as $$
  select social_private.unban_group_member(p_group_id, p_user_id);
$$;
comment on function social.unban_group_member(uuid, uuid) is
  'Staff lift a ban (the user may then join again as the join policy allows).';
grant execute on function social.unban_group_member(uuid, uuid) to authenticated, service_role;

create function social_private.set_group_member_role(
  p_group_id uuid,
  p_user_id uuid,
  p_role social.group_role
)
returns social.group_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_role social.group_role;
  v_row social.group_members;
begin
  perform social_private.require_user();
  perform social_private.require_group(p_group_id);
  v_role := social_private.my_group_role(p_group_id);
  if v_role is null or v_role not in ('owner', 'admin') then
    perform social_private.raise_error(
      'permission_denied', 'not_group_admin', 'only the group''s owner and admins change roles');
  end if;
  if p_role is null or p_role = 'owner' then
    perform social_private.raise_error(
      'invalid_input', 'invalid_role', 'ownership moves with social.transfer_group_ownership');
  end if;
  if p_role = 'admin' and v_role <> 'owner' then
    perform social_private.raise_error('permission_denied', 'insufficient_role', 'only the owner makes admins');
  end if;
  v_row := social_private.require_staff_target(p_group_id, p_user_id, v_role, true);
  if v_row.status <> 'active' then
    perform social_private.raise_error('not_found', 'member_not_found', 'this user is not an active member');
  end if;
  update social.group_members m set role = p_role
  where m.group_id = p_group_id and m.user_id = p_user_id and m.role is distinct from p_role
  returning * into v_row;
  if v_row.group_id is null then
    select * into v_row from social.group_members m where m.group_id = p_group_id and m.user_id = p_user_id;
  end if;
  return v_row;
end;
$$;
comment on function social_private.set_group_member_role(uuid, uuid, social.group_role) is
  'Body of social.set_group_member_role (security definer): owners and admins change a '
  'lower-ranked member''s role; only the owner makes admins.';
grant execute on function social_private.set_group_member_role(uuid, uuid, social.group_role)
  to authenticated, service_role;

create function social.set_group_member_role(p_group_id uuid, p_user_id uuid, p_role social.group_role)
returns social.group_members
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.set_group_member_role(p_group_id, p_user_id, p_role);
$$;
comment on function social.set_group_member_role(uuid, uuid, social.group_role) is
  'Owners and admins change a lower-ranked active member''s role; only the owner makes admins.';
grant execute on function social.set_group_member_role(uuid, uuid, social.group_role) to authenticated, service_role;

create function social_private.transfer_group_ownership(p_group_id uuid, p_new_owner_id uuid)
returns social.groups
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_group social.groups := social_private.require_group(p_group_id);
begin
  if social_private.my_group_role(p_group_id) is distinct from 'owner' then
    perform social_private.raise_error('permission_denied', 'not_group_owner', 'only the owner transfers ownership');
  end if;
  if p_new_owner_id is null or p_new_owner_id = v_me then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'choose another member as the new owner');
  end if;
  -- the trigger on groups checks the new owner is an active member and swaps the roles
  update social.groups g set owner_id = p_new_owner_id where g.id = p_group_id
  returning * into v_group;
  return v_group;
end;
$$;
comment on function social_private.transfer_group_ownership(uuid, uuid) is
  'Body of social.transfer_group_ownership (security definer): the owner sets groups.owner_id to '
  'an active member; triggers swap the roles.';
grant execute on function social_private.transfer_group_ownership(uuid, uuid) to authenticated, service_role;

create function social.transfer_group_ownership(p_group_id uuid, p_new_owner_id uuid)
returns social.groups
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.transfer_group_ownership(p_group_id, p_new_owner_id);
$$;
comment on function social.transfer_group_ownership(uuid, uuid) is
  'The owner hands the group to an active member; the old owner becomes an admin.';
grant execute on function social.transfer_group_ownership(uuid, uuid) to authenticated, service_role;

-- =====================================================================================
-- lists (the page contract of 20261128000000_core.sql; security invoker: RLS decides)
-- =====================================================================================

-- A group's members with status p_status, newest first, each with the user's card ("user"):
-- active members for whoever may read the group; pending requests and bans for its staff (others
-- get an empty page). The group and the status are the list's scope.
create function social.list_group_members(
  p_group_id uuid,
  p_status social.member_status default 'active',
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  group_id uuid,
  user_id uuid,
  role social.group_role,
  status social.member_status,
  invited_by uuid,
  joined_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  "user" jsonb,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_status social.member_status := coalesce(p_status, 'active');
  v_scope text := jsonb_build_array(p_group_id, v_status)::text;
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('list_group_members', 'latest', v_scope, p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  select array_agg(x.user_id order by x.created_at desc, x.user_id desc),
         array_agg(x.created_at order by x.created_at desc, x.user_id desc)
    into v_ids, v_created
  from (
    select m.user_id, m.created_at
    from social.group_members m
    join social.profiles p on p.id = m.user_id
    where m.group_id = p_group_id and m.status = v_status
      and (m.created_at, m.user_id) < (v_key.created_at, v_key.id)
    order by m.created_at desc, m.user_id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_group_members', 'latest', v_scope,
                                                v_created[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select m.group_id, m.user_id, m.role, m.status, m.invited_by, m.joined_at, m.created_at,
           m.updated_at, to_jsonb(p), v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(user_id, position)
    join social.group_members m on m.group_id = p_group_id and m.user_id = k.user_id
    join social.profiles p on p.id = k.user_id
    order by k.position;
end;
$$;
comment on function social.list_group_members(uuid, social.member_status, text, integer) is
  'A group''s members with status p_status (pending and banned: staff only), newest first, with '
  'their cards ("user"). p_cursor: the next_cursor of the previous page (same group and status); '
  'p_limit 1-50.';
grant execute on function social.list_group_members(uuid, social.member_status, text, integer)
  to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
