-- Groups: clubs, coaching groups (a trainer and their trainees) and general groups, with members,
-- roles, join requests, invites, bans and ownership transfer; announcements with read state.
--
-- How writes are allowed:
--   social.groups             insert (as owner) and update (owners/admins) directly under RLS and
--                             column grants, or through social.create_group; delete by the owner.
--   social.group_members      no direct writes: every change goes through an RPC in `social`
--                             (security invoker) that calls a security definer function in
--                             social_private holding the rule (join policies, invites, role ranks,
--                             bans, the single owner).
--   social.group_invites      no direct writes either (invite, link, accept, decline, revoke RPCs).
--   social.announcements      insert/update/delete directly under RLS, or social.create_announcement.
--   social.announcement_reads insert own rows (social.mark_announcement_read / _all_ ...).
--
-- Rows other domains hook into (notifications, 20261128000500):
--   join request  = insert into social.group_members with status 'pending';
--   invite        = insert into social.group_invites with invitee_id set (link invites have a
--                   token and no invitee); accepted / declined / revoked are updates of that row;
--   announcement  = insert into social.announcements.
--
-- Role ranks: owner > admin > moderator > member. Staff (owner, admin, moderator) approve and
-- decline join requests, remove and ban members of a lower rank and unban; owners and admins
-- change roles (only the owner makes admins) and edit the group; only the owner deletes it and
-- transfers ownership. Inviting: staff in clubs and general groups, only the owner (the trainer)
-- in coaching groups.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.group_kind as enum ('club', 'coaching', 'general');
create type social.group_visibility as enum ('public', 'private', 'secret');
comment on type social.group_visibility is
  'public: listed, content readable by signed-in users (not for coaching groups); private: listed, '
  'content for members; secret: neither listed nor findable, visible to members and invitees only.';
create type social.group_join_policy as enum ('open', 'request', 'invite');
comment on type social.group_join_policy is
  'open: anyone who can see the group joins at once; request: joining makes a pending request that '
  'staff approve; invite: only with an invite. Secret groups always need an invite; coaching groups '
  'are always invite.';
create type social.group_role as enum ('owner', 'admin', 'moderator', 'member');
create type social.member_status as enum ('active', 'pending', 'banned');
comment on type social.member_status is
  'active: a member; pending: asked to join, waiting for approval; banned: removed and barred.';

-- =====================================================================================
-- tables
-- =====================================================================================

create table social.groups (
  id uuid primary key default gen_random_uuid(),
  kind social.group_kind not null default 'general',
  name text not null,
  description text,
  city text,
  tags text[] not null default '{}',
  avatar_path text,
  visibility social.group_visibility not null default 'public',
  join_policy social.group_join_policy not null default 'open',
  required_tier text,
  owner_id uuid not null default auth.uid() references social.profiles (id),
  member_count integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint groups_name_length check (char_length(btrim(name)) between 2 and 80),
  constraint groups_description_length check (char_length(description) <= 2000),
  constraint groups_city_length check (char_length(city) <= 100),
  constraint groups_tags_count check (cardinality(tags) <= 20),
  constraint groups_avatar_path_length check (char_length(avatar_path) <= 1024),
  constraint groups_required_tier_length check (char_length(required_tier) between 1 and 64),
  constraint groups_coaching_invite_only check (kind <> 'coaching' or join_policy = 'invite')
);
comment on table social.groups is
  'Clubs, coaching groups (owner = trainer, members = trainees) and general groups.';
comment on column social.groups.kind is 'Fixed at creation.';
comment on column social.groups.tags is 'Lower-case, trimmed, distinct; at most 20 of up to 40 characters.';
comment on column social.groups.required_tier is
  'Premium tier a member needs to join (premium-only clubs); null for none. Checked by '
  'social_private.user_has_tier on every way in (join, request, invite, link).';
comment on column social.groups.owner_id is
  'The one owner; equals the group_members row with role owner. Changed only by a transfer.';
comment on column social.groups.member_count is 'Active members, kept by triggers.';

create table social.group_members (
  group_id uuid not null references social.groups (id) on delete cascade,
  user_id uuid not null references social.profiles (id) on delete cascade,
  role social.group_role not null default 'member',
  status social.member_status not null default 'active',
  invited_by uuid references social.profiles (id) on delete set null,
  joined_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (group_id, user_id)
);
comment on table social.group_members is
  'Membership of a user in a group: active members, pending join requests and bans. Written only '
  'through the group RPCs.';
comment on column social.group_members.joined_at is 'When the membership became active.';

create table social.group_invites (
  id uuid primary key default gen_random_uuid(),
  group_id uuid not null references social.groups (id) on delete cascade,
  inviter_id uuid not null references social.profiles (id) on delete cascade,
  invitee_id uuid references social.profiles (id) on delete cascade,
  token text,
  expires_at timestamptz,
  max_uses integer,
  use_count integer not null default 0,
  revoked_at timestamptz,
  accepted_at timestamptz,
  declined_at timestamptz,
  created_at timestamptz not null default now(),
  constraint group_invites_token_key unique (token),
  constraint group_invites_user_or_link check ((invitee_id is null) <> (token is null)),
  constraint group_invites_not_self check (invitee_id <> inviter_id),
  constraint group_invites_token_length check (char_length(token) between 16 and 128),
  constraint group_invites_link_expires check (token is null or expires_at is not null),
  constraint group_invites_max_uses check (max_uses is null or (token is not null and max_uses between 1 and 100000)),
  constraint group_invites_use_count check (use_count >= 0 and use_count <= coalesce(max_uses, use_count)),
  constraint group_invites_answer_user check (
    (accepted_at is null and declined_at is null) or (invitee_id is not null and (accepted_at is null or declined_at is null))
  )
);
comment on table social.group_invites is
  'Invites into a group: addressed to a user (invitee_id; they accept or decline) or a shareable '
  'link (token; redeemed with social.join_group_with_token, expiring, revocable, optional max_uses). '
  'Staff of the group, the inviter and the invitee see an invite.';
comment on column social.group_invites.token is
  'Random link token (url-safe base64 of 18 random bytes); null for invites addressed to a user.';
comment on column social.group_invites.use_count is 'Users who joined through this link.';

create table social.announcements (
  id uuid primary key default gen_random_uuid(),
  group_id uuid not null references social.groups (id) on delete cascade,
  author_id uuid not null default auth.uid() references social.profiles (id) on delete cascade,
  title text not null,
  body text not null default '',
  pinned boolean not null default false,
  expires_at timestamptz,
  read_count integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint announcements_title_length check (char_length(btrim(title)) between 1 and 200),
  constraint announcements_body_length check (char_length(body) <= 5000)
);
comment on table social.announcements is
  'Broadcasts from a group''s owner and admins to its active members (e.g. a trainer''s notes on '
  'the trainees'' home screen). Expired ones leave the home screen but stay readable to members.';
comment on column social.announcements.read_count is
  'Active members who have read it (the author counts as read), kept by triggers.';

create table social.announcement_reads (
  announcement_id uuid not null references social.announcements (id) on delete cascade,
  user_id uuid not null references social.profiles (id) on delete cascade,
  read_at timestamptz not null default now(),
  primary key (announcement_id, user_id)
);
comment on table social.announcement_reads is
  'Which member has read which announcement. Each user sees only their own rows; leaving or being '
  'banned from the group removes them.';

-- =====================================================================================
-- indexes
-- =====================================================================================

create index groups_owner_idx on social.groups (owner_id);
create index groups_listing_idx on social.groups (visibility, created_at desc, id desc);
create index groups_city_idx on social.groups (lower(city));
create index groups_tags_idx on social.groups using gin (tags);
create index groups_name_trgm_idx on social.groups using gin (name extensions.gin_trgm_ops);
create index group_members_user_idx on social.group_members (user_id, status, group_id);
create index group_members_group_status_idx on social.group_members (group_id, status, role);
create index group_members_invited_by_idx on social.group_members (invited_by);
-- a group has at most one owner (the triggers below make it exactly one, equal to owner_id)
create unique index group_members_one_owner_idx on social.group_members (group_id)
  where role = 'owner';

create index group_invites_group_idx on social.group_invites (group_id, created_at desc);
create index group_invites_invitee_idx on social.group_invites (invitee_id, group_id);
create index group_invites_inviter_idx on social.group_invites (inviter_id);
-- one open invite per user and group
create unique index group_invites_open_user_idx on social.group_invites (group_id, invitee_id)
  where invitee_id is not null and accepted_at is null and declined_at is null and revoked_at is null;

create index announcements_group_feed_idx on social.announcements
  (group_id, pinned desc, created_at desc, id desc);
create index announcements_author_idx on social.announcements (author_id);
create index announcement_reads_user_idx on social.announcement_reads (user_id, announcement_id);

-- =====================================================================================
-- functions (helpers for policies and other domains; security definer: they read memberships
-- the caller may not see)
-- =====================================================================================

-- the current user's role in p_group_id when an active member, else null
create function social_private.group_role(p_group_id uuid)
returns social.group_role
language sql
stable
security definer
set search_path = ''
as $$
  select m.role from social.group_members m
  where m.group_id = p_group_id and m.user_id = (select auth.uid()) and m.status = 'active';
$$;

-- is the current user an active member of p_group_id?
create function social_private.is_group_member(p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from social.group_members m
    where m.group_id = p_group_id and m.user_id = (select auth.uid()) and m.status = 'active'
  );
$$;

-- is the current user an active owner, admin or moderator of p_group_id?
create function social_private.is_group_staff(p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from social.group_members m
    where m.group_id = p_group_id and m.user_id = (select auth.uid()) and m.status = 'active'
      and m.role in ('owner', 'admin', 'moderator')
  );
$$;

-- is the current user an active owner or admin of p_group_id?
create function social_private.is_group_admin(p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from social.group_members m
    where m.group_id = p_group_id and m.user_id = (select auth.uid()) and m.status = 'active'
      and m.role in ('owner', 'admin')
  );
$$;

-- may the current user see that p_group_id exists (its row)? public and private groups are
-- listed; secret ones only to members, requesters and holders of an open invite addressed to
-- them; banned users never see secret ones
create function social_private.can_see_group(p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from social.groups g
    where g.id = p_group_id
      and (
        g.visibility in ('public', 'private')
        or exists (
          select 1 from social.group_members m
          where m.group_id = g.id and m.user_id = (select auth.uid()) and m.status <> 'banned'
        )
        or (
          exists (
            select 1 from social.group_invites i
            where i.group_id = g.id and i.invitee_id = (select auth.uid())
              and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
              and (i.expires_at is null or i.expires_at > now())
          )
          and not exists (
            select 1 from social.group_members m
            where m.group_id = g.id and m.user_id = (select auth.uid()) and m.status = 'banned'
          )
        )
      )
  );
$$;

-- may the current user read p_group_id's content (posts, comments, member list)? active members
-- always; everyone signed in for public groups, except coaching groups, which are members-only
create function social_private.can_user_read_group(p_user uuid, p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from social.groups g
    where g.id = p_group_id
      and (
        (g.visibility = 'public' and g.kind <> 'coaching' and p_user is not null
         and not exists (
           select 1 from social.group_members m
           where m.group_id = g.id and m.user_id = p_user and m.status = 'banned'
         ))
        or exists (
          select 1 from social.group_members m
          where m.group_id = g.id and m.user_id = p_user and m.status = 'active'
        )
      )
  );
$$;
comment on function social_private.can_user_read_group(uuid, uuid) is
  'May p_user read p_group_id''s content? The one rule; can_read_group applies it to the caller.';

create function social_private.can_read_group(p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select social_private.can_user_read_group((select auth.uid()), p_group_id);
$$;

-- may the current user invite into p_group_id? staff in clubs and general groups; in a coaching
-- group only the owner (the trainer adds trainees; trainees and assistants do not invite)
create function social_private.can_invite(p_group_id uuid)
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
    where g.id = p_group_id and m.user_id = (select auth.uid()) and m.status = 'active'
      and case when g.kind = 'coaching' then m.role = 'owner'
               else m.role in ('owner', 'admin', 'moderator') end
  );
$$;

-- rank of a role: owner 4 > admin 3 > moderator 2 > member 1 (staff act only on lower ranks)
create function social_private.group_role_rank(p_role social.group_role)
returns integer
language sql
immutable
set search_path = ''
as $$
  select case p_role when 'owner' then 4 when 'admin' then 3 when 'moderator' then 2 else 1 end;
$$;

-- Does p_user hold premium tier p_tier? The premium domain owns entitlements. Until it exists
-- this answers false, so tiered groups refuse joining with `tier_required` (never a silent pass).
-- Contract for the premium migration: either create `social.entitlements (user_id uuid,
-- tier text, expires_at timestamptz)` (read here as it is: a row with the tier that has not
-- expired), or `create or replace` this function with the real rule.
create function social_private.user_has_tier(p_user uuid, p_tier text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_ok boolean;
begin
  if p_tier is null then
    return true;
  end if;
  if p_user is null or to_regclass('social.entitlements') is null then
    return false;
  end if;
  execute 'select exists (select 1 from social.entitlements e
                          where e.user_id = $1 and e.tier = $2
                            and (e.expires_at is null or e.expires_at > now()))'
    into v_ok using p_user, p_tier;
  return coalesce(v_ok, false);
end;
$$;

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

-- validate an invite expiry: in the future and at most a year ahead
create function social_private.check_invite_expiry(p_expires_at timestamptz)
returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_expires_at <= now() or p_expires_at > now() + interval '366 days' then
    perform social_private.raise_error('invalid_expiry', 'an invite expires in the future, within a year');
  end if;
  return p_expires_at;
end;
$$;

-- the group, for an operation: not found (also when the caller may not see it) raises
create function social_private.visible_group(p_group_id uuid)
returns social.groups
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_group social.groups;
begin
  select * into v_group from social.groups g where g.id = p_group_id;
  if v_group.id is null or not social_private.can_see_group(p_group_id) then
    perform social_private.raise_error('group_not_found', 'no such group', 'P0002');
  end if;
  return v_group;
end;
$$;

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
    perform social_private.raise_error('banned', 'you are banned from this group', '42501');
  end if;
  if v_row.status = 'active' or (v_row.status = 'pending' and p_status = 'pending') then
    return v_row;
  end if;
  if social_private.is_blocked_between(p_user_id, v_group.owner_id) then
    perform social_private.raise_error('blocked', 'you cannot join this group', '42501');
  end if;
  if v_group.required_tier is not null
     and not social_private.user_has_tier(p_user_id, v_group.required_tier) then
    perform social_private.raise_error(
      'tier_required', format('this group is for %s members', v_group.required_tier), '42501');
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

-- Accept an invite row for p_user_id (already locked and checked to be addressed to them or a
-- link): the membership, and the invite marked accepted / its use counted.
create function social_private.redeem_invite(p_invite social.group_invites, p_user_id uuid)
returns social.group_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row social.group_members;
begin
  if p_invite.revoked_at is not null then
    perform social_private.raise_error('invite_revoked', 'this invite was revoked', '42501');
  end if;
  if p_invite.expires_at is not null and p_invite.expires_at <= now() then
    perform social_private.raise_error('invite_expired', 'this invite has expired', '42501');
  end if;
  if p_invite.token is not null then
    update social.group_invites i set use_count = i.use_count + 1
    where i.id = p_invite.id and (i.max_uses is null or i.use_count < i.max_uses);
    if not found then
      perform social_private.raise_error('invite_exhausted', 'this invite link has been used up', '42501');
    end if;
  else
    update social.group_invites i set accepted_at = now() where i.id = p_invite.id;
  end if;
  v_row := social_private.admit_member(p_invite.group_id, p_user_id, 'active', p_invite.inviter_id);
  return v_row;
end;
$$;

-- ---- operations (security definer: they hold the membership rules; wrapped by RPCs below) ----

create function social_private.join_group(p_group_id uuid)
returns social.group_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_group social.groups := social_private.visible_group(p_group_id);
  v_row social.group_members;
  v_invite social.group_invites;
begin
  select * into v_row from social.group_members m where m.group_id = p_group_id and m.user_id = v_me;
  if v_row.status = 'banned' then
    perform social_private.raise_error('banned', 'you are banned from this group', '42501');
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
    perform social_private.raise_error('invite_required', 'this group is joined by invite only', '42501');
  end if;
  return social_private.admit_member(
    p_group_id, v_me, case v_group.join_policy when 'open' then 'active' else 'pending' end::social.member_status, null);
end;
$$;

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
  select * into v_invite from social.group_invites i
  where i.token = p_token and p_token is not null
  for update;
  if v_invite.id is null then
    perform social_private.raise_error('invite_not_found', 'no such invite link', 'P0002');
  end if;
  select * into v_row from social.group_members m
  where m.group_id = v_invite.group_id and m.user_id = v_me;
  if v_row.status = 'banned' then
    perform social_private.raise_error('banned', 'you are banned from this group', '42501');
  elsif v_row.status = 'active' then
    return v_row; -- already in: the link is not used up again
  end if;
  return social_private.redeem_invite(v_invite, v_me);
end;
$$;

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
      and (i.max_uses is null or i.use_count < i.max_uses);
  if not found then
    perform social_private.raise_error('invite_not_found', 'no such invite link', 'P0002');
  end if;
end;
$$;

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
  select * into v_row from social.group_members m
  where m.group_id = p_group_id and m.user_id = v_me
  for update;
  if v_row.group_id is null or v_row.status = 'banned' then
    return false;
  end if;
  if v_row.role = 'owner' then
    perform social_private.raise_error(
      'owner_must_transfer', 'transfer ownership or delete the group before leaving it', '42501');
  end if;
  delete from social.group_members m where m.group_id = p_group_id and m.user_id = v_me;
  return true;
end;
$$;

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
  perform social_private.visible_group(p_group_id);
  v_role := social_private.group_role(p_group_id);
  if v_role is null or v_role = 'member' then
    perform social_private.raise_error('not_group_staff', 'only the group''s staff can do this', '42501');
  end if;
  return v_role;
end;
$$;

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
    perform social_private.raise_error('join_request_not_found', 'no pending request from this user', 'P0002');
  end if;
  update social.group_members m set status = 'active'
  where m.group_id = p_group_id and m.user_id = p_user_id and m.status = 'pending'
  returning * into v_row;
  return v_row;
end;
$$;

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

create function social_private.invite_to_group(p_group_id uuid, p_user_id uuid, p_expires_at timestamptz)
returns social.group_invites
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_group social.groups := social_private.visible_group(p_group_id);
  v_member social.group_members;
  v_expires timestamptz := social_private.check_invite_expiry(coalesce(p_expires_at, now() + interval '30 days'));
  v_invite social.group_invites;
begin
  if not social_private.can_invite(p_group_id) then
    perform social_private.raise_error('not_allowed_to_invite', 'you cannot invite people to this group', '42501');
  end if;
  if p_user_id is null or p_user_id = v_me then
    perform social_private.raise_error('invalid_target', 'you cannot invite yourself');
  end if;
  if not exists (select 1 from social.profiles p where p.id = p_user_id) then
    perform social_private.raise_error('profile_not_found', 'no such profile', 'P0002');
  end if;
  if social_private.is_blocked_between(v_me, p_user_id)
     or social_private.is_blocked_between(v_group.owner_id, p_user_id) then
    perform social_private.raise_error('blocked', 'you cannot invite this user', '42501');
  end if;
  select * into v_member from social.group_members m where m.group_id = p_group_id and m.user_id = p_user_id;
  if v_member.status = 'active' then
    perform social_private.raise_error('already_member', 'this user is already a member', '23505');
  elsif v_member.status = 'banned' then
    perform social_private.raise_error('user_banned', 'this user is banned from the group; unban them first', '42501');
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
  perform social_private.visible_group(p_group_id);
  if not social_private.can_invite(p_group_id) then
    perform social_private.raise_error('not_allowed_to_invite', 'you cannot invite people to this group', '42501');
  end if;
  if p_max_uses is not null and (p_max_uses < 1 or p_max_uses > 100000) then
    perform social_private.raise_error('invalid_max_uses', 'max uses is between 1 and 100000');
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
    perform social_private.raise_error('invite_not_found', 'no such invite', 'P0002');
  end if;
  if not (v_invite.inviter_id = v_me or social_private.is_group_admin(v_invite.group_id)) then
    perform social_private.raise_error(
      'insufficient_role', 'only the inviter or the group''s owner and admins revoke an invite', '42501');
  end if;
  if v_invite.accepted_at is not null or v_invite.declined_at is not null then
    perform social_private.raise_error('invite_closed', 'this invite was already answered');
  end if;
  update social.group_invites i set revoked_at = coalesce(i.revoked_at, now())
  where i.id = p_invite_id
  returning * into v_invite;
  return v_invite;
end;
$$;

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
    perform social_private.raise_error('invite_not_found', 'no such invite', 'P0002');
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
    perform social_private.raise_error('invite_closed', 'this invite was already answered');
  end if;
  return social_private.redeem_invite(v_invite, v_me);
end;
$$;

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
    perform social_private.raise_error('invite_not_found', 'no such invite', 'P0002');
  end if;
  if v_invite.accepted_at is not null then
    perform social_private.raise_error('invite_closed', 'this invite was already accepted');
  end if;
  update social.group_invites i set declined_at = coalesce(i.declined_at, now())
  where i.id = p_invite_id
  returning * into v_invite;
  return v_invite;
end;
$$;

-- the target's membership for a staff action, checked against the caller's rank: the owner is
-- never a target, and staff act only on members of a lower rank (admins on moderators and members,
-- moderators on members)
create function social_private.staff_target(
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
    perform social_private.raise_error('invalid_target', 'you cannot do this to yourself');
  end if;
  select * into v_row from social.group_members m
  where m.group_id = p_group_id and m.user_id = p_user_id
  for update;
  if v_row.group_id is null then
    if p_required then
      perform social_private.raise_error('member_not_found', 'this user is not in the group', 'P0002');
    end if;
    return v_row;
  end if;
  if v_row.role = 'owner' then
    perform social_private.raise_error('owner_protected', 'the group''s owner cannot be targeted', '42501');
  end if;
  if v_row.status <> 'banned'
     and social_private.group_role_rank(p_actor_role) <= social_private.group_role_rank(v_row.role) then
    perform social_private.raise_error(
      'insufficient_role', format('a %s cannot do this to a %s', p_actor_role, v_row.role), '42501');
  end if;
  return v_row;
end;
$$;

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
  v_row := social_private.staff_target(p_group_id, p_user_id, v_role, false);
  if v_row.group_id is null or v_row.status = 'banned' then
    return false;
  end if;
  delete from social.group_members m where m.group_id = p_group_id and m.user_id = p_user_id;
  return true;
end;
$$;

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
  v_row := social_private.staff_target(p_group_id, p_user_id, v_role, false);
  if v_row.status = 'banned' then
    return v_row;
  end if;
  if v_row.group_id is null and not exists (select 1 from social.profiles p where p.id = p_user_id) then
    perform social_private.raise_error('profile_not_found', 'no such profile', 'P0002');
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
  perform social_private.visible_group(p_group_id);
  v_role := social_private.group_role(p_group_id);
  if v_role is null or v_role not in ('owner', 'admin') then
    perform social_private.raise_error('not_group_admin', 'only the group''s owner and admins change roles', '42501');
  end if;
  if p_role is null or p_role = 'owner' then
    perform social_private.raise_error('invalid_role', 'ownership moves with social.transfer_group_ownership');
  end if;
  if p_role = 'admin' and v_role <> 'owner' then
    perform social_private.raise_error('insufficient_role', 'only the owner makes admins', '42501');
  end if;
  v_row := social_private.staff_target(p_group_id, p_user_id, v_role, true);
  if v_row.status <> 'active' then
    perform social_private.raise_error('member_not_found', 'this user is not an active member', 'P0002');
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

create function social_private.transfer_group_ownership(p_group_id uuid, p_new_owner_id uuid)
returns social.groups
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_group social.groups := social_private.visible_group(p_group_id);
begin
  if social_private.group_role(p_group_id) is distinct from 'owner' then
    perform social_private.raise_error('not_group_owner', 'only the owner transfers ownership', '42501');
  end if;
  if p_new_owner_id is null or p_new_owner_id = v_me then
    perform social_private.raise_error('invalid_target', 'choose another member as the new owner');
  end if;
  -- the trigger on groups checks the new owner is an active member and swaps the roles
  update social.groups g set owner_id = p_new_owner_id where g.id = p_group_id
  returning * into v_group;
  return v_group;
end;
$$;

-- =====================================================================================
-- triggers
-- =====================================================================================

create trigger on_groups_updated before update on social.groups
  for each row execute function social_private.handle_updated_at();
create trigger on_group_members_updated before update on social.group_members
  for each row execute function social_private.handle_updated_at();
create trigger on_announcements_updated before update on social.announcements
  for each row execute function social_private.handle_updated_at();

-- Normalize a group's fields; coaching groups are always invite-only (forced on create, refused on
-- update); the kind is fixed; owner_id changes only to an active member (a transfer).
create function social_private.handle_group_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tag text;
begin
  new.name := btrim(new.name);
  new.description := nullif(btrim(new.description), '');
  new.city := nullif(btrim(new.city), '');
  new.required_tier := nullif(btrim(new.required_tier), '');
  new.tags := coalesce(
    array(
      select distinct lower(btrim(t)) from unnest(coalesce(new.tags, '{}')) as t
      where btrim(t) <> ''
      order by 1
    ),
    '{}'
  );
  foreach v_tag in array new.tags loop
    if char_length(v_tag) > 40 then
      perform social_private.raise_error('invalid_tag', 'a tag has at most 40 characters');
    end if;
  end loop;

  if tg_op = 'INSERT' then
    new.member_count := 0;
    new.created_at := now();
    if new.kind = 'coaching' then
      new.join_policy := 'invite';
    end if;
    return new;
  end if;

  if new.kind <> old.kind then
    perform social_private.raise_error('immutable_field', 'a group''s kind cannot change');
  end if;
  if new.kind = 'coaching' and new.join_policy <> 'invite' then
    perform social_private.raise_error('invalid_join_policy', 'coaching groups are joined by invite only');
  end if;
  if new.owner_id <> old.owner_id and not exists (
    select 1 from social.group_members m
    where m.group_id = new.id and m.user_id = new.owner_id and m.status = 'active'
  ) then
    perform social_private.raise_error('member_not_found', 'the new owner must be an active member', 'P0002');
  end if;
  return new;
end;
$$;

create trigger on_groups_write before insert or update on social.groups
  for each row execute function social_private.handle_group_write();

-- The creator becomes the owner, an active member.
create function social_private.handle_group_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into social.group_members (group_id, user_id, role, status)
  values (new.id, new.owner_id, 'owner', 'active');
  return null;
end;
$$;

create trigger on_groups_created after insert on social.groups
  for each row execute function social_private.handle_group_created();

-- Keep the owner's membership in step with groups.owner_id: the old owner becomes an admin,
-- the new one the owner (in that order, for the one-owner index).
create function social_private.handle_group_owner_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update social.group_members m set role = 'admin'
  where m.group_id = new.id and m.user_id = old.owner_id and m.role = 'owner';
  update social.group_members m set role = 'owner'
  where m.group_id = new.id and m.user_id = new.owner_id;
  return null;
end;
$$;

create trigger on_groups_owner_change after update of owner_id on social.groups
  for each row when (old.owner_id is distinct from new.owner_id)
  execute function social_private.handle_group_owner_change();

-- Guard the single owner: the owner row exists exactly for groups.owner_id, stays active, and
-- is neither demoted nor deleted while the group stands (only a transfer moves it). Also keep
-- joined_at: set when a membership becomes active.
create function social_private.handle_group_member_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_owner uuid;
begin
  select g.owner_id into v_owner from social.groups g where g.id = coalesce(new.group_id, old.group_id);

  if tg_op = 'DELETE' then
    if old.role = 'owner' and v_owner = old.user_id then
      perform social_private.raise_error(
        'owner_must_transfer', 'the owner''s membership goes only with a transfer or the group', '42501');
    end if;
    return old;
  end if;

  if tg_op = 'UPDATE' then
    if new.group_id <> old.group_id or new.user_id <> old.user_id then
      perform social_private.raise_error('immutable_field', 'a membership''s group and user cannot change');
    end if;
    if old.role = 'owner' and v_owner = old.user_id and (new.role <> 'owner' or new.status <> 'active') then
      perform social_private.raise_error(
        'owner_must_transfer', 'the owner stays an active owner until ownership is transferred', '42501');
    end if;
  end if;

  if new.role = 'owner' and (new.user_id is distinct from v_owner or new.status <> 'active') then
    perform social_private.raise_error('invalid_role', 'only the group''s owner_id holds the owner role');
  end if;
  if new.status = 'active' and (tg_op = 'INSERT' or old.status <> 'active') then
    new.joined_at := now();
  elsif new.status <> 'active' then
    new.joined_at := null;
  end if;
  return new;
end;
$$;

create trigger on_group_members_write before insert or update or delete on social.group_members
  for each row execute function social_private.handle_group_member_write();

-- Keep groups.member_count equal to the active members; when a membership stops being active,
-- its announcement reads in the group go (read_count counts current members).
create function social_private.handle_group_member_counts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_delta integer;
  v_group uuid := coalesce(new.group_id, old.group_id);
  v_user uuid := coalesce(new.user_id, old.user_id);
begin
  v_delta := (case when tg_op <> 'DELETE' and new.status = 'active' then 1 else 0 end)
           - (case when tg_op <> 'INSERT' and old.status = 'active' then 1 else 0 end);
  if v_delta <> 0 then
    update social.groups g set member_count = greatest(g.member_count + v_delta, 0) where g.id = v_group;
  end if;
  if v_delta < 0 then
    delete from social.announcement_reads r
    using social.announcements a
    where a.id = r.announcement_id and a.group_id = v_group and r.user_id = v_user;
  end if;
  return null;
end;
$$;

create trigger on_group_members_counts after insert or update of status or delete on social.group_members
  for each row execute function social_private.handle_group_member_counts();

-- Announcements: trimmed title, an expiry in the future when created; group and author fixed.
create function social_private.handle_announcement_write()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.title := btrim(new.title);
  if tg_op = 'INSERT' then
    new.read_count := 0;
    new.created_at := now();
    if new.expires_at is not null and new.expires_at <= now() then
      perform social_private.raise_error('invalid_expiry', 'an announcement expires in the future');
    end if;
  elsif new.group_id <> old.group_id or new.author_id <> old.author_id then
    perform social_private.raise_error('immutable_field', 'an announcement''s group and author cannot change');
  end if;
  return new;
end;
$$;

create trigger on_announcements_write before insert or update on social.announcements
  for each row execute function social_private.handle_announcement_write();

-- The author has read their own announcement.
create function social_private.handle_announcement_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into social.announcement_reads (announcement_id, user_id)
  values (new.id, new.author_id)
  on conflict do nothing;
  return null;
end;
$$;

create trigger on_announcements_created after insert on social.announcements
  for each row execute function social_private.handle_announcement_created();

-- Keep announcements.read_count in step with its reads.
create function social_private.handle_announcement_read_counts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    update social.announcements a set read_count = a.read_count + 1 where a.id = new.announcement_id;
  else
    update social.announcements a set read_count = greatest(a.read_count - 1, 0) where a.id = old.announcement_id;
  end if;
  return null;
end;
$$;

create trigger on_announcement_reads_counts after insert or delete on social.announcement_reads
  for each row execute function social_private.handle_announcement_read_counts();

-- =====================================================================================
-- RLS
-- =====================================================================================

alter table social.groups enable row level security;
alter table social.group_members enable row level security;
alter table social.group_invites enable row level security;
alter table social.announcements enable row level security;
alter table social.announcement_reads enable row level security;

-- visitors who are not signed in see public groups
create policy groups_select_anon on social.groups
  for select to anon
  using (visibility = 'public');
-- signed-in users see listed groups, and secret ones they belong to, asked to join or are invited
-- to (owner_id: a group just created is visible to its creator within the same statement)
create policy groups_select_visible on social.groups
  for select to authenticated
  using (
    visibility in ('public', 'private')
    or owner_id = (select auth.uid())
    or (select social_private.can_see_group(id))
  );
-- anyone signed in creates a group as its owner (a trigger adds the owner membership)
create policy groups_insert_owner on social.groups
  for insert to authenticated
  with check (owner_id = (select auth.uid()));
-- owners and admins edit the group (columns limited by grants)
create policy groups_update_admin on social.groups
  for update to authenticated
  using ((select social_private.is_group_admin(id)))
  with check ((select social_private.is_group_admin(id)));
-- only the owner deletes the group
create policy groups_delete_owner on social.groups
  for delete to authenticated
  using (owner_id = (select auth.uid()));

-- each user sees their own membership (active, pending or banned); whoever may read the group
-- sees its active members, except across a block; staff see every row of their group
create policy group_members_select_visible on social.group_members
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or (
      status = 'active'
      and (select social_private.can_read_group(group_id))
      and not (select social_private.is_blocked_with(user_id))
    )
    or (select social_private.is_group_staff(group_id))
  );

-- the invitee, the inviter and the group's staff see an invite (links included: a token is
-- redeemed only through social.join_group_with_token)
create policy group_invites_select_party on social.group_invites
  for select to authenticated
  using (
    invitee_id = (select auth.uid())
    or inviter_id = (select auth.uid())
    or (select social_private.is_group_staff(group_id))
  );

-- active members read their group's announcements, except an author a block separates them from
create policy announcements_select_member on social.announcements
  for select to authenticated
  using (
    (select social_private.is_group_member(group_id))
    and not (select social_private.is_blocked_with(author_id))
  );
-- owners and admins post announcements as themselves
create policy announcements_insert_admin on social.announcements
  for insert to authenticated
  with check (author_id = (select auth.uid()) and (select social_private.is_group_admin(group_id)));
-- the author (while a member) and the group's owners and admins edit an announcement
create policy announcements_update_author on social.announcements
  for update to authenticated
  using (
    (author_id = (select auth.uid()) and (select social_private.is_group_member(group_id)))
    or (select social_private.is_group_admin(group_id))
  )
  with check (
    (author_id = (select auth.uid()) and (select social_private.is_group_member(group_id)))
    or (select social_private.is_group_admin(group_id))
  );
-- the author (while a member) and the group's owners and admins delete an announcement
create policy announcements_delete_author on social.announcements
  for delete to authenticated
  using (
    (author_id = (select auth.uid()) and (select social_private.is_group_member(group_id)))
    or (select social_private.is_group_admin(group_id))
  );

-- users see only their own read marks (authors and admins see the read_count)
create policy announcement_reads_select_self on social.announcement_reads
  for select to authenticated
  using (user_id = (select auth.uid()));
-- users mark announcements they can read as read
create policy announcement_reads_insert_self on social.announcement_reads
  for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select 1 from social.announcements a where a.id = announcement_id)
  );

-- =====================================================================================
-- RPC (security invoker; membership changes call the social_private functions above)
-- =====================================================================================

-- Create a group; the caller becomes its owner. Coaching groups are invite-only and, unless told
-- otherwise, private.
create function social.create_group(
  p_name text,
  p_kind social.group_kind default 'general',
  p_visibility social.group_visibility default null,
  p_join_policy social.group_join_policy default 'open',
  p_description text default null,
  p_city text default null,
  p_tags text[] default '{}',
  p_avatar_path text default null,
  p_required_tier text default null
)
returns social.groups
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_id uuid;
  v_row social.groups;
begin
  insert into social.groups (
    kind, name, description, city, tags, avatar_path, visibility, join_policy, required_tier, owner_id
  )
  values (
    coalesce(p_kind, 'general'), p_name, p_description, p_city, coalesce(p_tags, '{}'), p_avatar_path,
    coalesce(p_visibility, case when p_kind = 'coaching' then 'private' else 'public' end::social.group_visibility),
    coalesce(p_join_policy, 'open'), p_required_tier, v_me
  )
  returning id into v_id;
  select * into v_row from social.groups g where g.id = v_id;
  return v_row;
end;
$$;
comment on function social.create_group(text, social.group_kind, social.group_visibility, social.group_join_policy, text, text, text[], text, text) is
  'Create a group owned by the caller (an active member). Coaching groups are invite-only and '
  'private unless p_visibility says otherwise.';

-- Groups to discover, newest first: public and private groups (never secret ones), filtered by
-- city (case-insensitive), tag, kind and a name search; keyset cursor = the last row's
-- (created_at, id).
create function social.list_groups(
  p_city text default null,
  p_tag text default null,
  p_kind social.group_kind default null,
  p_query text default null,
  p_limit integer default 20,
  p_before_created_at timestamptz default null,
  p_before_id uuid default null
)
returns setof social.groups
language sql
stable
security invoker
set search_path = ''
as $$
  select g.*
  from social.groups g
  where g.visibility in ('public', 'private')
    and (nullif(btrim(p_city), '') is null or lower(g.city) = lower(btrim(p_city)))
    and (nullif(btrim(p_tag), '') is null or g.tags @> array[lower(btrim(p_tag))])
    and (p_kind is null or g.kind = p_kind)
    and (nullif(btrim(p_query), '') is null
         or g.name ilike '%' || replace(replace(replace(btrim(p_query), '\', '\\'), '%', '\%'), '_', '\_') || '%')
    and (p_before_created_at is null
         or (g.created_at, g.id) < (p_before_created_at, coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)))
  order by g.created_at desc, g.id desc
  limit least(greatest(coalesce(p_limit, 20), 1), 100);
$$;
comment on function social.list_groups(text, text, social.group_kind, text, integer, timestamptz, uuid) is
  'Listed (public and private) groups, newest first, by city, tag, kind and name; pass the last '
  'row''s created_at and id for the next page.';

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
  'The group an invite link leads to (for the landing screen), while the link is usable.';

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

create function social.approve_join_request(p_group_id uuid, p_user_id uuid)
returns social.group_members
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.approve_join_request(p_group_id, p_user_id);
$$;
comment on function social.approve_join_request(uuid, uuid) is 'Staff approve a pending join request.';

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

create function social.decline_group_invite(p_invite_id uuid)
returns social.group_invites
language sql
security invoker
set search_path = ''
as $$
  select * from social_private.decline_group_invite(p_invite_id);
$$;
comment on function social.decline_group_invite(uuid) is 'Decline an invite addressed to the caller.';

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

-- Post an announcement to a group (owners and admins).
create function social.create_announcement(
  p_group_id uuid,
  p_title text,
  p_body text default '',
  p_pinned boolean default false,
  p_expires_at timestamptz default null
)
returns social.announcements
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_id uuid;
  v_row social.announcements;
begin
  if not social_private.is_group_admin(p_group_id) then
    perform social_private.raise_error('not_group_admin', 'only the group''s owner and admins post announcements', '42501');
  end if;
  insert into social.announcements (group_id, author_id, title, body, pinned, expires_at)
  values (p_group_id, v_me, p_title, coalesce(p_body, ''), coalesce(p_pinned, false), p_expires_at)
  returning id into v_id;
  select * into v_row from social.announcements a where a.id = v_id;
  return v_row;
end;
$$;
comment on function social.create_announcement(uuid, text, text, boolean, timestamptz) is
  'Post an announcement to a group''s members (owners and admins).';

-- The caller's announcements across their groups for a home screen: not expired, pinned first,
-- then newest; keyset cursor = the last row's (pinned, created_at, id).
create function social.my_announcements(
  p_unread_only boolean default false,
  p_limit integer default 20,
  p_before_pinned boolean default null,
  p_before_created_at timestamptz default null,
  p_before_id uuid default null
)
returns table (
  id uuid,
  group_id uuid,
  group_name text,
  group_avatar_path text,
  group_member_count integer,
  author_id uuid,
  title text,
  body text,
  pinned boolean,
  expires_at timestamptz,
  read_count integer,
  created_at timestamptz,
  updated_at timestamptz,
  is_read boolean,
  read_at timestamptz
)
language sql
stable
security invoker
set search_path = ''
as $$
  select a.id, a.group_id, g.name, g.avatar_path, g.member_count, a.author_id, a.title, a.body,
         a.pinned, a.expires_at, a.read_count, a.created_at, a.updated_at,
         r.read_at is not null, r.read_at
  from social.group_members m
  join social.announcements a on a.group_id = m.group_id
  join social.groups g on g.id = a.group_id
  left join social.announcement_reads r on r.announcement_id = a.id and r.user_id = m.user_id
  where m.user_id = (select auth.uid()) and m.status = 'active'
    and (a.expires_at is null or a.expires_at > now())
    and (not coalesce(p_unread_only, false) or r.read_at is null)
    and (p_before_created_at is null
         or (a.pinned, a.created_at, a.id)
            < (coalesce(p_before_pinned, false), p_before_created_at,
               coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)))
  order by a.pinned desc, a.created_at desc, a.id desc
  limit least(greatest(coalesce(p_limit, 20), 1), 100);
$$;
comment on function social.my_announcements(boolean, integer, boolean, timestamptz, uuid) is
  'Unexpired announcements of the caller''s groups with group name and avatar and read state, '
  'pinned first then newest. Next page: pass the last row''s pinned, created_at and id.';

create function social.mark_announcement_read(p_announcement_id uuid)
returns boolean
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
begin
  if not exists (select 1 from social.announcements a where a.id = p_announcement_id) then
    perform social_private.raise_error('announcement_not_found', 'no such announcement', 'P0002');
  end if;
  insert into social.announcement_reads (announcement_id, user_id)
  values (p_announcement_id, v_me)
  on conflict do nothing;
  return found;
end;
$$;
comment on function social.mark_announcement_read(uuid) is
  'Mark an announcement read; true when it was unread. Idempotent.';

create function social.mark_all_announcements_read(p_group_id uuid default null)
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_count integer;
begin
  with marked as (
    insert into social.announcement_reads (announcement_id, user_id)
    select a.id, v_me
    from social.group_members m
    join social.announcements a on a.group_id = m.group_id
    where m.user_id = v_me and m.status = 'active'
      and (p_group_id is null or m.group_id = p_group_id)
      and (a.expires_at is null or a.expires_at > now())
    on conflict do nothing
    returning 1
  )
  select count(*)::integer into v_count from marked;
  return v_count;
end;
$$;
comment on function social.mark_all_announcements_read(uuid) is
  'Mark every unexpired announcement of one group (or all the caller''s groups) read; returns how '
  'many were unread.';

-- =====================================================================================
-- grants
-- =====================================================================================

grant select on social.groups to anon, authenticated;
grant insert (kind, name, description, city, tags, avatar_path, visibility, join_policy, required_tier, owner_id)
  on social.groups to authenticated;
grant update (name, description, city, tags, avatar_path, visibility, join_policy, required_tier)
  on social.groups to authenticated;
grant delete on social.groups to authenticated;
grant all on social.groups to service_role;

grant select on social.group_members to authenticated;
grant all on social.group_members to service_role;

grant select on social.group_invites to authenticated;
grant all on social.group_invites to service_role;

grant select, delete on social.announcements to authenticated;
grant insert (group_id, author_id, title, body, pinned, expires_at) on social.announcements to authenticated;
grant update (title, body, pinned, expires_at) on social.announcements to authenticated;
grant all on social.announcements to service_role;

grant select on social.announcement_reads to authenticated;
grant insert (announcement_id, user_id) on social.announcement_reads to authenticated;
grant all on social.announcement_reads to service_role;

-- helpers that policies (and other domains' policies) call as the querying role
grant execute on function social_private.group_role(uuid) to anon, authenticated, service_role;
grant execute on function social_private.is_group_member(uuid) to anon, authenticated, service_role;
grant execute on function social_private.is_group_staff(uuid) to anon, authenticated, service_role;
grant execute on function social_private.is_group_admin(uuid) to anon, authenticated, service_role;
grant execute on function social_private.can_see_group(uuid) to anon, authenticated, service_role;
grant execute on function social_private.can_read_group(uuid) to anon, authenticated, service_role;
grant execute on function social_private.can_user_read_group(uuid, uuid) to service_role;
grant execute on function social_private.can_invite(uuid) to authenticated, service_role;
grant execute on function social_private.group_role_rank(social.group_role) to authenticated, service_role;
grant execute on function social_private.user_has_tier(uuid, text) to service_role;

-- the operations the RPC wrappers call (as the signed-in caller)
grant execute on function social_private.join_group(uuid) to authenticated, service_role;
grant execute on function social_private.join_group_with_token(text) to authenticated, service_role;
grant execute on function social_private.preview_group_invite(text) to authenticated, service_role;
grant execute on function social_private.leave_group(uuid) to authenticated, service_role;
grant execute on function social_private.approve_join_request(uuid, uuid) to authenticated, service_role;
grant execute on function social_private.decline_join_request(uuid, uuid) to authenticated, service_role;
grant execute on function social_private.invite_to_group(uuid, uuid, timestamptz) to authenticated, service_role;
grant execute on function social_private.create_group_invite_link(uuid, timestamptz, integer)
  to authenticated, service_role;
grant execute on function social_private.revoke_group_invite(uuid) to authenticated, service_role;
grant execute on function social_private.accept_group_invite(uuid) to authenticated, service_role;
grant execute on function social_private.decline_group_invite(uuid) to authenticated, service_role;
grant execute on function social_private.remove_group_member(uuid, uuid) to authenticated, service_role;
grant execute on function social_private.ban_group_member(uuid, uuid) to authenticated, service_role;
grant execute on function social_private.unban_group_member(uuid, uuid) to authenticated, service_role;
grant execute on function social_private.set_group_member_role(uuid, uuid, social.group_role)
  to authenticated, service_role;
grant execute on function social_private.transfer_group_ownership(uuid, uuid) to authenticated, service_role;

grant execute on function social.create_group(text, social.group_kind, social.group_visibility, social.group_join_policy, text, text, text[], text, text)
  to authenticated, service_role;
grant execute on function social.list_groups(text, text, social.group_kind, text, integer, timestamptz, uuid)
  to anon, authenticated, service_role;
grant execute on function social.join_group(uuid) to authenticated, service_role;
grant execute on function social.join_group_with_token(text) to authenticated, service_role;
grant execute on function social.preview_group_invite(text) to authenticated, service_role;
grant execute on function social.leave_group(uuid) to authenticated, service_role;
grant execute on function social.approve_join_request(uuid, uuid) to authenticated, service_role;
grant execute on function social.decline_join_request(uuid, uuid) to authenticated, service_role;
grant execute on function social.invite_to_group(uuid, uuid, timestamptz) to authenticated, service_role;
grant execute on function social.create_group_invite_link(uuid, timestamptz, integer) to authenticated, service_role;
grant execute on function social.revoke_group_invite(uuid) to authenticated, service_role;
grant execute on function social.accept_group_invite(uuid) to authenticated, service_role;
grant execute on function social.decline_group_invite(uuid) to authenticated, service_role;
grant execute on function social.remove_group_member(uuid, uuid) to authenticated, service_role;
grant execute on function social.ban_group_member(uuid, uuid) to authenticated, service_role;
grant execute on function social.unban_group_member(uuid, uuid) to authenticated, service_role;
grant execute on function social.set_group_member_role(uuid, uuid, social.group_role) to authenticated, service_role;
grant execute on function social.transfer_group_ownership(uuid, uuid) to authenticated, service_role;
grant execute on function social.create_announcement(uuid, text, text, boolean, timestamptz)
  to authenticated, service_role;
grant execute on function social.my_announcements(boolean, integer, boolean, timestamptz, uuid)
  to authenticated, service_role;
grant execute on function social.mark_announcement_read(uuid) to authenticated, service_role;
grant execute on function social.mark_all_announcements_read(uuid) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
