-- Groups: clubs, coaching groups (a trainer and their trainees) and general groups. This migration
-- holds the tables of groups, members and invites, who sees and who runs a group, the member count
-- and single-owner triggers, and creating and listing groups. Joining, leaving and staff actions on
-- members are in 20261128000400_group_members.sql, invites in 20261128000500_group_invites.sql
-- (social.group_invites is created here because who sees a secret group depends on it).
-- SDK: social.groups; tests: tests/db/groups.test.ts.
--
-- How writes are allowed:
--   social.groups             insert (as owner) and update (owners/admins) directly under RLS and
--                             column grants, or through social.create_group; delete by the owner.
--   social.group_members      no direct writes: every change goes through an RPC in `social`
--                             (security invoker) that calls a security definer function in
--                             social_private holding the rule (join policies, invites, role ranks,
--                             bans, the single owner).
--   social.group_invites      no direct writes either (invite, link, accept, decline, revoke RPCs).
--
-- Rows other domains hook into (notifications):
--   join request  = insert into social.group_members with status 'pending';
--   invite        = insert into social.group_invites with invitee_id set (link invites have a
--                   token and no invitee); accepted / declined / revoked are updates of that row.
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
comment on type social.group_kind is
  'club: a community group; coaching: a trainer (the owner) and trainees, invite-only, content for '
  'members only; general: any other group.';

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
comment on type social.group_role is
  'owner > admin > moderator > member. Staff (owner, admin, moderator) act only on members of a '
  'lower rank; one owner per group, equal to groups.owner_id.';

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
  avatar_media_id uuid,
  visibility social.group_visibility not null default 'public',
  join_policy social.group_join_policy not null default 'open',
  required_tier text,
  owner_id uuid not null default auth.uid() references social.profiles (id),
  member_count integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint groups_name_length check (char_length(btrim(name)) between 2 and 80),
  constraint groups_name_visible check (social_private.is_visible_text(name)),
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
comment on column social.groups.id is
  'The group''s id (random uuid), what group_id columns elsewhere point at; deleting the group '
  'deletes its members, invites, posts and announcements.';
comment on column social.groups.name is
  'Display name, 2-80 characters with at least one that shows, trimmed by the on_groups_write '
  'trigger.';
comment on column social.groups.description is
  'Free text, at most 2000 characters; blank becomes null.';
comment on column social.groups.city is
  'Free-text city for discovery (list_groups matches it case-insensitively), at most 100 '
  'characters.';
comment on column social.groups.avatar_path is
  'Path of the group''s cover image in the public social-avatars storage bucket; kept in step '
  'with avatar_media_id by the media domain (not writable by clients).';
comment on column social.groups.avatar_media_id is
  'The cover image: a social.media row in the social-avatars bucket, uploaded by a group owner or '
  'admin (foreign key and checks added by the media migration); null for none.';
comment on column social.groups.visibility is
  'Who sees the group and reads its content (see type social.group_visibility); owners and admins '
  'may change it.';
comment on column social.groups.join_policy is
  'How users get in (see type social.group_join_policy); always invite for coaching groups.';
comment on column social.groups.created_at is
  'When the group was created (set by the on_groups_write trigger); list_groups orders by it.';
comment on column social.groups.updated_at is
  'Last change to the group''s row; set by the on_groups_updated trigger.';
create index groups_owner_idx on social.groups (owner_id);
create index groups_listing_idx on social.groups (visibility, created_at desc, id desc);
create index groups_city_idx on social.groups (lower(city));
create index groups_tags_idx on social.groups using gin (tags);
create index groups_name_trgm_idx on social.groups using gin (name extensions.gin_trgm_ops);
alter table social.groups enable row level security;
grant select on social.groups to anon, authenticated;
grant insert (kind, name, description, city, tags, avatar_media_id, visibility, join_policy, required_tier, owner_id)
  on social.groups to authenticated;
grant update (name, description, city, tags, avatar_media_id, visibility, join_policy, required_tier)
  on social.groups to authenticated;
grant delete on social.groups to authenticated;
grant all on social.groups to service_role;
create trigger on_groups_updated before update on social.groups
  for each row execute function social_private.handle_updated_at();

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
comment on column social.group_members.group_id is 'The group; deleting it deletes the membership.';
comment on column social.group_members.user_id is
  'The member, requester or banned user; deleting the profile deletes the row.';
comment on column social.group_members.role is
  'owner, admin, moderator or member; changed through set_group_member_role and '
  'transfer_group_ownership only.';
comment on column social.group_members.status is
  'active (a member), pending (asked to join, waiting for staff) or banned (removed and barred '
  'until unbanned).';
comment on column social.group_members.invited_by is
  'Who invited this member (the invite''s inviter), or null when they joined or asked on their '
  'own; null too once that user is deleted.';
comment on column social.group_members.created_at is
  'When the row was made: the join, request or ban that first placed the user in the group.';
comment on column social.group_members.updated_at is
  'Last change of role or status; set by the on_group_members_updated trigger.';
create index group_members_user_idx on social.group_members (user_id, status, group_id);
create index group_members_group_status_idx on social.group_members (group_id, status, role);
create index group_members_invited_by_idx on social.group_members (invited_by);
-- a group has at most one owner (the triggers below make it exactly one, equal to owner_id)
create unique index group_members_one_owner_idx on social.group_members (group_id)
  where role = 'owner';
alter table social.group_members enable row level security;
grant select on social.group_members to authenticated;
grant all on social.group_members to service_role;
create trigger on_group_members_updated before update on social.group_members
  for each row execute function social_private.handle_updated_at();

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
  'Staff of the group see its invites; the inviter sees theirs while a member; the invitee sees an '
  'invite while it is open (an accepted one while a member). An invite works only while its '
  'inviter may invite.';
comment on column social.group_invites.token is
  'Random link token (url-safe base64 of 18 random bytes); null for invites addressed to a user.';
comment on column social.group_invites.use_count is 'Users who joined through this link.';
comment on column social.group_invites.id is
  'The invite''s id (what accept_group_invite, decline_group_invite and revoke_group_invite take).';
comment on column social.group_invites.group_id is
  'The group the invite leads into; deleting the group deletes its invites.';
comment on column social.group_invites.inviter_id is
  'Who made the invite: staff of the group (only the owner in coaching groups).';
comment on column social.group_invites.invitee_id is
  'The invited user for an addressed invite; null for a link (token).';
comment on column social.group_invites.expires_at is
  'After this the invite no longer works; required for links, optional for addressed invites.';
comment on column social.group_invites.max_uses is
  'Most users a link may admit (1-100000), null for no limit; only for links.';
comment on column social.group_invites.revoked_at is
  'When staff or the inviter revoked the invite; it no longer works.';
comment on column social.group_invites.accepted_at is
  'When the invitee accepted (addressed invites only).';
comment on column social.group_invites.declined_at is
  'When the invitee declined (addressed invites only).';
comment on column social.group_invites.created_at is
  'When the invite was made; a group''s invites list newest first.';
create index group_invites_group_idx on social.group_invites (group_id, created_at desc);
create index group_invites_invitee_idx on social.group_invites (invitee_id, group_id);
create index group_invites_inviter_idx on social.group_invites (inviter_id);
-- one open invite per user and group
create unique index group_invites_open_user_idx on social.group_invites (group_id, invitee_id)
  where invitee_id is not null and accepted_at is null and declined_at is null and revoked_at is null;
alter table social.group_invites enable row level security;
grant select on social.group_invites to authenticated;
grant all on social.group_invites to service_role;

-- =====================================================================================
-- who sees and runs a group (security definer: they read memberships the caller may not see)
-- =====================================================================================

-- the current user's role in p_group_id when an active member, else null
create function social_private.my_group_role(p_group_id uuid)
returns social.group_role
language sql
stable
security definer
set search_path = ''
as $$
  select m.role from social.group_members m
  where m.group_id = p_group_id and m.user_id = (select auth.uid()) and m.status = 'active';
$$;
comment on function social_private.my_group_role(uuid) is
  'The caller''s role in p_group_id when an active member, else null.';
grant execute on function social_private.my_group_role(uuid) to anon, authenticated, service_role;

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
comment on function social_private.is_group_member(uuid) is
  'True when the caller is an active member of p_group_id.';
grant execute on function social_private.is_group_member(uuid) to anon, authenticated, service_role;

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
comment on function social_private.is_group_staff(uuid) is
  'True when the caller is an active owner, admin or moderator of p_group_id.';
grant execute on function social_private.is_group_staff(uuid) to anon, authenticated, service_role;

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
comment on function social_private.is_group_admin(uuid) is
  'True when the caller is an active owner or admin of p_group_id.';
grant execute on function social_private.is_group_admin(uuid) to anon, authenticated, service_role;

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
comment on function social_private.can_see_group(uuid) is
  'May the caller see that p_group_id exists? Public and private groups: yes; secret groups: '
  'members, requesters and holders of an open addressed invite, never banned users.';
grant execute on function social_private.can_see_group(uuid) to anon, authenticated, service_role;

-- Does p_user_id hold premium tier p_tier (true when p_tier is null)? The premium migration
-- (20261128006000_premium.sql) replaces this with the rule read from the subscriptions' state;
-- until it runs nobody holds a tier, so a tiered group's content is closed to its plain members
-- and joining it is refused with `tier_required` (never a silent pass). The rules below call it
-- only for a group with a required_tier.
create function social_private.user_has_tier(p_user_id uuid, p_tier text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select p_tier is null;
$$;
comment on function social_private.user_has_tier(uuid, text) is
  'Does p_user_id hold premium tier p_tier (true when p_tier is null)? Replaced by the premium '
  'migration with the rule read from subscriptions.';
grant execute on function social_private.user_has_tier(uuid, text) to service_role;

-- Does p_user_id hold what p_group_id's tier asks of its members' reading? True for a group
-- without a required_tier, for its staff (owner, admin, moderator: they run it) and for holders
-- of the tier; a missing group asks nothing. For content tied to a group that is not read
-- through user_can_read_group (the group's chat, whose members follow its active members).
create function social_private.user_holds_group_tier(p_user_id uuid, p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((
    select g.required_tier is null
        or exists (
             select 1 from social.group_members m
             where m.group_id = g.id and m.user_id = p_user_id and m.status = 'active' and m.role <> 'member'
           )
        or social_private.user_has_tier(p_user_id, g.required_tier)
    from social.groups g where g.id = p_group_id
  ), true);
$$;
comment on function social_private.user_holds_group_tier(uuid, uuid) is
  'True unless p_group_id has a required_tier that p_user_id neither holds nor is exempt from as '
  'staff; for content tied to a group but read by its own rule (the group''s chat).';
grant execute on function social_private.user_holds_group_tier(uuid, uuid) to service_role;

-- The same for the caller (user_holds_group_tier for auth.uid()).
create function social_private.holds_group_tier(p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select social_private.user_holds_group_tier(auth.uid(), p_group_id);
$$;
comment on function social_private.holds_group_tier(uuid) is
  'user_holds_group_tier for the caller: false only in a tier-gated group whose tier the caller '
  'neither holds nor is exempt from as staff.';
grant execute on function social_private.holds_group_tier(uuid) to authenticated, service_role;

-- may p_user_id read p_group_id's content (posts, comments, member list)? active members always;
-- everyone signed in for public groups, except coaching groups, which are members-only
create function social_private.user_can_read_group(p_user_id uuid, p_group_id uuid)
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
        (g.visibility = 'public' and g.kind <> 'coaching' and p_user_id is not null
         and not exists (
           select 1 from social.group_members m
           where m.group_id = g.id and m.user_id = p_user_id and m.status = 'banned'
         )
         and (g.required_tier is null or social_private.user_has_tier(p_user_id, g.required_tier)))
        or exists (
          select 1 from social.group_members m
          where m.group_id = g.id and m.user_id = p_user_id and m.status = 'active'
            and (g.required_tier is null or m.role <> 'member'
                 or social_private.user_has_tier(p_user_id, g.required_tier))
        )
      )
  );
$$;
comment on function social_private.user_can_read_group(uuid, uuid) is
  'May p_user_id read p_group_id''s content? The one rule; can_read_group applies it to the caller. '
  'A tiered group''s content needs the tier now (staff excepted).';
grant execute on function social_private.user_can_read_group(uuid, uuid) to service_role;

-- may the caller read p_group_id's content? (user_can_read_group for auth.uid())
create function social_private.can_read_group(p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select social_private.user_can_read_group((select auth.uid()), p_group_id);
$$;
comment on function social_private.can_read_group(uuid) is
  'May the caller read p_group_id''s content (posts, comments, member list)? user_can_read_group '
  'for auth.uid().';
grant execute on function social_private.can_read_group(uuid) to anon, authenticated, service_role;

-- rank of a role: owner 4 > admin 3 > moderator 2 > member 1 (staff act only on lower ranks)
create function social_private.group_role_rank(p_role social.group_role)
returns integer
language sql
immutable
set search_path = ''
as $$
  select case p_role when 'owner' then 4 when 'admin' then 3 when 'moderator' then 2 else 1 end;
$$;
comment on function social_private.group_role_rank(social.group_role) is
  'Rank of a role: owner 4, admin 3, moderator 2, member 1. Staff act only on lower ranks.';
grant execute on function social_private.group_role_rank(social.group_role) to authenticated, service_role;

-- rank of p_user_id in p_group_id: their role's rank while an active member, else 0 (someone who
-- left, was removed or banned has no rank: staff act on their content as on a member's)
create function social_private.user_group_rank(p_user_id uuid, p_group_id uuid)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((
    select social_private.group_role_rank(m.role) from social.group_members m
    where m.group_id = p_group_id and m.user_id = p_user_id and m.status = 'active'
  ), 0);
$$;
comment on function social_private.user_group_rank(uuid, uuid) is
  'Rank of p_user_id''s role in p_group_id (owner 4, admin 3, moderator 2, member 1) while an '
  'active member; 0 otherwise. Staff act only on lower ranks.';
grant execute on function social_private.user_group_rank(uuid, uuid) to authenticated, service_role;

-- the caller's rank in p_group_id (user_group_rank for auth.uid())
create function social_private.my_group_rank(p_group_id uuid)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select social_private.user_group_rank((select auth.uid()), p_group_id);
$$;
comment on function social_private.my_group_rank(uuid) is
  'The caller''s rank in p_group_id (user_group_rank for auth.uid()); 0 when not an active member.';
grant execute on function social_private.my_group_rank(uuid) to authenticated, service_role;

-- the group p_group_id for an operation by the caller; group_not_found when it does not exist or
-- the caller may not see it
create function social_private.require_group(p_group_id uuid)
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
    perform social_private.raise_error('not_found', 'group_not_found', 'no such group');
  end if;
  return v_group;
end;
$$;
comment on function social_private.require_group(uuid) is
  'The group p_group_id for an operation by the caller; raises group_not_found (404) when it does '
  'not exist or the caller may not see it.';

-- =====================================================================================
-- policies
-- =====================================================================================

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
    or social_private.can_see_group(id)
  );
-- anyone signed in creates a group as its owner (a trigger adds the owner membership)
create policy groups_insert_owner on social.groups
  for insert to authenticated
  with check (owner_id = (select auth.uid()));
-- owners and admins edit the group (columns limited by grants)
create policy groups_update_admin on social.groups
  for update to authenticated
  using (social_private.is_group_admin(id))
  with check (social_private.is_group_admin(id));
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
      and social_private.can_read_group(group_id)
      and not social_private.is_blocked_with(user_id)
    )
    or social_private.is_group_staff(group_id)
  );

-- the group's staff see its invites (links included: a token is redeemed only through
-- social.join_group_with_token); the inviter sees theirs while a member of the group; the invitee
-- sees an invite while it is open, and an accepted one while a member. Losing the membership
-- loses the invites with it.
create policy group_invites_select_party on social.group_invites
  for select to authenticated
  using (
    (invitee_id = (select auth.uid())
     and ((accepted_at is null and declined_at is null and revoked_at is null)
          or social_private.is_group_member(group_id)))
    or (inviter_id = (select auth.uid()) and social_private.is_group_member(group_id))
    or social_private.is_group_staff(group_id)
  );

-- =====================================================================================
-- triggers
-- =====================================================================================

-- Normalize a group's fields; creating one is rate limited (check_rate_limit('group')); coaching
-- groups are always invite-only (forced on create, refused on update); the kind is fixed; owner_id
-- changes only to an active member (a transfer).
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
      perform social_private.raise_error('invalid_input', 'invalid_tag', 'a tag has at most 40 characters');
    end if;
  end loop;

  if tg_op = 'INSERT' then
    perform social_private.check_rate_limit('group');
    new.member_count := 0;
    new.created_at := now();
    if new.kind = 'coaching' then
      new.join_policy := 'invite';
    end if;
    return new;
  end if;

  if new.kind <> old.kind then
    perform social_private.raise_error('invalid_input', 'immutable_field', 'a group''s kind cannot change');
  end if;
  if new.kind = 'coaching' and new.join_policy <> 'invite' then
    perform social_private.raise_error(
      'invalid_input', 'invalid_join_policy', 'coaching groups are joined by invite only');
  end if;
  if new.owner_id <> old.owner_id and not exists (
    select 1 from social.group_members m
    where m.group_id = new.id and m.user_id = new.owner_id and m.status = 'active'
  ) then
    perform social_private.raise_error('not_found', 'member_not_found', 'the new owner must be an active member');
  end if;
  return new;
end;
$$;
comment on function social_private.handle_group_write() is
  'Trigger function (before insert or update on groups, on_groups_write): rate limits new groups, '
  'trims and normalises fields and tags, keeps coaching groups invite-only and the kind fixed, and '
  'lets owner_id change only to an active member.';
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
comment on function social_private.handle_group_created() is
  'Trigger function (after insert on groups, on_groups_created): makes the creator the group''s '
  'owner, an active member.';
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
comment on function social_private.handle_group_owner_change() is
  'Trigger function (after update of owner_id on groups): the old owner becomes an admin and the '
  'new owner_id the owner.';
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
        'permission_denied', 'owner_must_transfer', 'the owner''s membership goes only with a transfer or the group');
    end if;
    return old;
  end if;

  if tg_op = 'UPDATE' then
    if new.group_id <> old.group_id or new.user_id <> old.user_id then
      perform social_private.raise_error(
        'invalid_input', 'immutable_field', 'a membership''s group and user cannot change');
    end if;
    if old.role = 'owner' and v_owner = old.user_id and (new.role <> 'owner' or new.status <> 'active') then
      perform social_private.raise_error(
        'permission_denied', 'owner_must_transfer', 'the owner stays an active owner until ownership is transferred');
    end if;
  end if;

  if new.role = 'owner' and (new.user_id is distinct from v_owner or new.status <> 'active') then
    perform social_private.raise_error(
      'invalid_input', 'invalid_role', 'only the group''s owner_id holds the owner role');
  end if;
  if new.status = 'active' and (tg_op = 'INSERT' or old.status <> 'active') then
    new.joined_at := now();
  elsif new.status <> 'active' then
    new.joined_at := null;
  end if;
  return new;
end;
$$;
comment on function social_private.handle_group_member_write() is
  'Trigger function (before insert, update or delete on group_members, on_group_members_write): '
  'keeps exactly one owner, equal to groups.owner_id, and sets joined_at when a membership becomes '
  'active.';
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
comment on function social_private.handle_group_member_counts() is
  'Trigger function (after insert, update of status or delete on group_members): keeps '
  'groups.member_count equal to active members and drops the announcement reads of someone who '
  'stops being one.';
create trigger on_group_members_counts after insert or update of status or delete on social.group_members
  for each row execute function social_private.handle_group_member_counts();

-- =====================================================================================
-- RPC (security invoker: RLS decides)
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
  p_avatar_media_id uuid default null,
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
    kind, name, description, city, tags, avatar_media_id, visibility, join_policy, required_tier, owner_id
  )
  values (
    coalesce(p_kind, 'general'), p_name, p_description, p_city, coalesce(p_tags, '{}'), p_avatar_media_id,
    coalesce(p_visibility, case when p_kind = 'coaching' then 'private' else 'public' end::social.group_visibility),
    coalesce(p_join_policy, 'open'), p_required_tier, v_me
  )
  returning id into v_id;
  select * into v_row from social.groups g where g.id = v_id;
  return v_row;
end;
$$;
comment on function social.create_group(text, social.group_kind, social.group_visibility, social.group_join_policy, text, text, text[], uuid, text) is
  'Create a group owned by the caller (an active member). Coaching groups are invite-only and '
  'private unless p_visibility says otherwise.';
grant execute on function social.create_group(text, social.group_kind, social.group_visibility, social.group_join_policy, text, text, text[], uuid, text)
  to authenticated, service_role;

-- =====================================================================================
-- lists (the page contract of 20261128000000_core.sql; security invoker: RLS decides)
-- =====================================================================================

-- Groups to discover, newest first: public and private groups (never secret ones), filtered by
-- city (case-insensitive), tag, kind and a name search. The filters are the list's scope: a
-- cursor goes on with the filters it was made with.
create function social.list_groups(
  p_city text default null,
  p_tag text default null,
  p_kind social.group_kind default null,
  p_query text default null,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  kind social.group_kind,
  name text,
  description text,
  city text,
  tags text[],
  avatar_path text,
  visibility social.group_visibility,
  join_policy social.group_join_policy,
  required_tier text,
  owner_id uuid,
  member_count integer,
  created_at timestamptz,
  updated_at timestamptz,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_city text := lower(nullif(btrim(p_city), ''));
  v_tag text := lower(nullif(btrim(p_tag), ''));
  v_query text := nullif(btrim(p_query), '');
  v_scope text := jsonb_build_array(v_city, v_tag, p_kind, v_query)::text;
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('list_groups', 'latest', v_scope, p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.created_at desc, x.id desc),
         array_agg(x.created_at order by x.created_at desc, x.id desc)
    into v_ids, v_created
  from (
    select g.id, g.created_at
    from social.groups g
    where g.visibility in ('public', 'private')
      and (v_city is null or lower(g.city) = v_city)
      and (v_tag is null or g.tags @> array[v_tag])
      and (p_kind is null or g.kind = p_kind)
      and (v_query is null
           or g.name ilike '%' || replace(replace(replace(v_query, '\', '\\'), '%', '\%'), '_', '\_') || '%')
      and (g.created_at, g.id) < (v_key.created_at, v_key.id)
    order by g.created_at desc, g.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_groups', 'latest', v_scope,
                                                v_created[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select g.id, g.kind, g.name, g.description, g.city, g.tags, g.avatar_path, g.visibility,
           g.join_policy, g.required_tier, g.owner_id, g.member_count, g.created_at, g.updated_at,
           v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(group_id, position)
    join social.groups g on g.id = k.group_id
    order by k.position;
end;
$$;
comment on function social.list_groups(text, text, social.group_kind, text, text, integer) is
  'Listed (public and private) groups, newest first, by city, tag, kind and name. p_cursor: the '
  'next_cursor of the previous page (same filters); p_limit 1-50.';
grant execute on function social.list_groups(text, text, social.group_kind, text, text, integer)
  to anon, authenticated, service_role;

-- The groups the caller is an active member of, most recently joined first, each with the
-- caller's membership row (membership).
create function social.my_groups(p_cursor text default null, p_limit integer default 20)
returns table (
  id uuid,
  kind social.group_kind,
  name text,
  description text,
  city text,
  tags text[],
  avatar_path text,
  visibility social.group_visibility,
  join_policy social.group_join_policy,
  required_tier text,
  owner_id uuid,
  member_count integer,
  created_at timestamptz,
  updated_at timestamptz,
  membership jsonb,
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
  v_key social_private.page_key := social_private.decode_page_cursor('my_groups', 'latest', v_me::text, p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  select array_agg(x.group_id order by x.created_at desc, x.group_id desc),
         array_agg(x.created_at order by x.created_at desc, x.group_id desc)
    into v_ids, v_created
  from (
    select m.group_id, m.created_at
    from social.group_members m
    join social.groups g on g.id = m.group_id
    where m.user_id = v_me and m.status = 'active'
      and (m.created_at, m.group_id) < (v_key.created_at, v_key.id)
    order by m.created_at desc, m.group_id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('my_groups', 'latest', v_me::text,
                                                v_created[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select g.id, g.kind, g.name, g.description, g.city, g.tags, g.avatar_path, g.visibility,
           g.join_policy, g.required_tier, g.owner_id, g.member_count, g.created_at, g.updated_at,
           to_jsonb(m), v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(group_id, position)
    join social.groups g on g.id = k.group_id
    join social.group_members m on m.group_id = k.group_id and m.user_id = v_me
    order by k.position;
end;
$$;
comment on function social.my_groups(text, integer) is
  'The caller''s groups (active memberships), most recently joined first, with the membership. '
  'p_cursor: the next_cursor of the previous page; p_limit 1-50.';
grant execute on function social.my_groups(text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
