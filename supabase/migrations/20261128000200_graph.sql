-- The social graph: follows (a request the followee accepts when the profile is private), blocks
-- (hide both users from each other everywhere, remove follows and requests both ways) and mutes
-- (hide the muted user from the muter's home feed only); followers_count / following_count are
-- kept by triggers. Also the helpers every domain asks about blocks and follows, and the select
-- policies of social.profiles and social.profile_details, which call them.
-- SDK: social.graph; tests: tests/db/graph.test.ts.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.follow_status as enum ('pending', 'accepted');
comment on type social.follow_status is
  'pending: a request to follow a private profile, waiting for the followee; accepted: a follow '
  'that counts and opens followers-only details.';

-- =====================================================================================
-- tables
-- =====================================================================================

create table social.follows (
  follower_id uuid not null references social.profiles (id) on delete cascade,
  followee_id uuid not null references social.profiles (id) on delete cascade,
  status social.follow_status not null default 'accepted',
  created_at timestamptz not null default now(),
  accepted_at timestamptz,
  primary key (follower_id, followee_id),
  constraint follows_not_self check (follower_id <> followee_id)
);
comment on table social.follows is
  'Follow edges. A follow of a private profile starts as a pending request the followee accepts '
  'or declines; the follower cancels by deleting it.';
comment on column social.follows.follower_id is
  'Who follows (or asks to follow); always the inserting user. Deleting the profile deletes the '
  'follow.';
comment on column social.follows.followee_id is
  'Who is followed; the only one who may accept a pending request. Deleting the profile deletes '
  'the follow.';
comment on column social.follows.status is
  'pending until the followee accepts (private profiles only), else accepted. Set by the '
  'on_follows_insert trigger; the followee may only change pending to accepted.';
comment on column social.follows.created_at is
  'When the follow or request was made (set by the on_follows_insert trigger).';
comment on column social.follows.accepted_at is
  'When the follow became accepted (at once for public and followers-only profiles); null while '
  'pending. Set by triggers.';
create index follows_followee_idx on social.follows (followee_id, status, created_at desc);
create index follows_follower_status_idx on social.follows (follower_id, status, created_at desc);
-- the home feed's followee list as an index-only scan
create index follows_feed_idx on social.follows (follower_id, followee_id) where status = 'accepted';
alter table social.follows enable row level security;
grant select, delete on social.follows to authenticated;
grant insert (follower_id, followee_id) on social.follows to authenticated;
grant update (status) on social.follows to authenticated;
grant all on social.follows to service_role;

create table social.blocks (
  blocker_id uuid not null references social.profiles (id) on delete cascade,
  blocked_id uuid not null references social.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (blocker_id, blocked_id),
  constraint blocks_not_self check (blocker_id <> blocked_id)
);
comment on table social.blocks is
  'A block hides both users from each other everywhere and removes follows and mentions both '
  'ways. Only the blocker sees the row.';
comment on column social.blocks.blocker_id is
  'Who blocked; the only user who sees, and may lift, the block.';
comment on column social.blocks.blocked_id is
  'Who is blocked. The block hides both users from each other.';
comment on column social.blocks.created_at is
  'When the block was made. Follows removed then are not restored by unblocking.';
create index blocks_blocked_idx on social.blocks (blocked_id, blocker_id);
alter table social.blocks enable row level security;
grant select, delete on social.blocks to authenticated;
grant insert (blocker_id, blocked_id) on social.blocks to authenticated;
grant all on social.blocks to service_role;

-- only the blocker sees, makes and lifts a block
create policy blocks_select_self on social.blocks
  for select to authenticated
  using (blocker_id = (select auth.uid()));
create policy blocks_insert_self on social.blocks
  for insert to authenticated
  with check (blocker_id = (select auth.uid()));
create policy blocks_delete_self on social.blocks
  for delete to authenticated
  using (blocker_id = (select auth.uid()));

create table social.mutes (
  muter_id uuid not null references social.profiles (id) on delete cascade,
  muted_id uuid not null references social.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (muter_id, muted_id),
  constraint mutes_not_self check (muter_id <> muted_id)
);
comment on table social.mutes is 'A mute hides the muted user from the muter''s home feed only.';
comment on column social.mutes.muter_id is
  'Who muted; the only user who sees, and may lift, the mute.';
comment on column social.mutes.muted_id is
  'Who is muted: their posts leave the muter''s home feed, nothing else changes.';
comment on column social.mutes.created_at is 'When the mute was made.';
create index mutes_muted_idx on social.mutes (muted_id);
alter table social.mutes enable row level security;
grant select, delete on social.mutes to authenticated;
grant insert (muter_id, muted_id) on social.mutes to authenticated;
grant all on social.mutes to service_role;

-- only the muter sees, makes and lifts a mute
create policy mutes_select_self on social.mutes
  for select to authenticated
  using (muter_id = (select auth.uid()));
create policy mutes_insert_self on social.mutes
  for insert to authenticated
  with check (muter_id = (select auth.uid()));
create policy mutes_delete_self on social.mutes
  for delete to authenticated
  using (muter_id = (select auth.uid()));

-- =====================================================================================
-- who sees whom (security definer: they read blocks and follows the caller may not see)
-- =====================================================================================

-- true when a block stands between the current user and p_other, in either direction
create function social_private.is_blocked_with(p_other uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from social.blocks b
    where (b.blocker_id = (select auth.uid()) and b.blocked_id = p_other)
       or (b.blocker_id = p_other and b.blocked_id = (select auth.uid()))
  );
$$;
comment on function social_private.is_blocked_with(uuid) is
  'True when the caller blocked p_other or p_other blocked the caller.';
revoke all on function social_private.is_blocked_with(uuid) from public;
grant execute on function social_private.is_blocked_with(uuid) to anon, authenticated, service_role;

-- true when a block stands between p_user_id and p_other, in either direction (is_blocked_with
-- for a given user)
create function social_private.user_is_blocked_with(p_user_id uuid, p_other uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from social.blocks b
    where (b.blocker_id = p_user_id and b.blocked_id = p_other)
       or (b.blocker_id = p_other and b.blocked_id = p_user_id)
  );
$$;
comment on function social_private.user_is_blocked_with(uuid, uuid) is
  'True when p_user_id blocked p_other or p_other blocked p_user_id.';
revoke all on function social_private.user_is_blocked_with(uuid, uuid) from public;
grant execute on function social_private.user_is_blocked_with(uuid, uuid) to authenticated, service_role;

-- true when the current user is an approved follower of p_user
create function social_private.is_following(p_user uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from social.follows f
    where f.follower_id = (select auth.uid()) and f.followee_id = p_user and f.status = 'accepted'
  );
$$;
comment on function social_private.is_following(uuid) is
  'True when the caller is an accepted follower of p_user.';
revoke all on function social_private.is_following(uuid) from public;
grant execute on function social_private.is_following(uuid) to anon, authenticated, service_role;

-- may the current user (or anon) read p_profile's details?
create function social_private.can_view_profile_details(p_profile uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when p_profile = (select auth.uid()) then true
    when (select auth.uid()) is null then
      exists (select 1 from social.profiles p where p.id = p_profile and p.visibility = 'public')
    when social_private.is_blocked_with(p_profile) then false
    else exists (
      select 1 from social.profiles p
      where p.id = p_profile
        and (p.visibility = 'public' or social_private.is_following(p_profile))
    )
  end;
$$;
comment on function social_private.can_view_profile_details(uuid) is
  'May the caller read p_profile''s details? The owner always; anon only public profiles; no one '
  'across a block; otherwise public profiles, and others to accepted followers.';
revoke all on function social_private.can_view_profile_details(uuid) from public;
grant execute on function social_private.can_view_profile_details(uuid)
  to anon, authenticated, service_role;

-- Users p_user_id must never see: blocked in either direction. Called only from security definer
-- functions (as their owner): no grants.
create function social_private.user_blocked_ids(p_user_id uuid)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return array(
    select b.blocked_id from social.blocks b where b.blocker_id = p_user_id
    union
    select b.blocker_id from social.blocks b where b.blocked_id = p_user_id
  );
end;
$$;
comment on function social_private.user_blocked_ids(uuid) is
  'Ids of the users p_user_id blocked or was blocked by: who p_user_id must never see.';

-- both ends see their own edges and requests; others see accepted edges between profiles whose
-- details they may see (so a private profile's follower list stays private)
create policy follows_select_visible on social.follows
  for select to authenticated
  using (
    follower_id = (select auth.uid())
    or followee_id = (select auth.uid())
    or (
      status = 'accepted'
      and social_private.can_view_profile_details(followee_id)
      and social_private.can_view_profile_details(follower_id)
    )
  );
-- users follow (or ask to follow) as themselves; the trigger sets the status
create policy follows_insert_self on social.follows
  for insert to authenticated
  with check (follower_id = (select auth.uid()));
-- the followee accepts a request
create policy follows_update_followee on social.follows
  for update to authenticated
  using (followee_id = (select auth.uid()))
  with check (followee_id = (select auth.uid()));
-- the follower unfollows or cancels; the followee declines or removes a follower
create policy follows_delete_party on social.follows
  for delete to authenticated
  using (follower_id = (select auth.uid()) or followee_id = (select auth.uid()));

-- signed-in users see every card except across a block
create policy profiles_select_visible on social.profiles
  for select to authenticated
  using (id = (select auth.uid()) or not social_private.is_blocked_with(id));

-- visitors see public profiles' details
create policy profile_details_select_anon on social.profile_details
  for select to anon
  using (social_private.can_view_profile_details(profile_id));

-- the owner, and whoever the profile's visibility admits
create policy profile_details_select_visible on social.profile_details
  for select to authenticated
  using (social_private.can_view_profile_details(profile_id));

-- =====================================================================================
-- triggers
-- =====================================================================================

-- Before a follow is stored: rate limit (follow and unfollow share check_rate_limit('follow'):
-- each follow may notify and broadcast to the followee), refuse blocked pairs; a private profile
-- gets a pending request, any other an accepted follow. Clients cannot choose the status.
create function social_private.handle_follow_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_visibility social.profile_visibility;
begin
  perform social_private.check_rate_limit('follow');
  if social_private.user_is_blocked_with(new.follower_id, new.followee_id) then
    perform social_private.raise_error('permission_denied', 'blocked', 'you cannot follow this user');
  end if;
  select p.visibility into v_visibility from social.profiles p where p.id = new.followee_id;
  if v_visibility is null then
    perform social_private.raise_error('not_found', 'profile_not_found', 'no such profile');
  end if;
  new.created_at := now();
  if v_visibility = 'private' then
    new.status := 'pending';
    new.accepted_at := null;
  else
    new.status := 'accepted';
    new.accepted_at := now();
  end if;
  return new;
end;
$$;
comment on function social_private.handle_follow_insert() is
  'Trigger function (before insert on follows, on_follows_insert): rate limits (follow), refuses '
  'blocked pairs and unknown profiles; sets status pending for a private profile, accepted '
  'otherwise.';
revoke all on function social_private.handle_follow_insert() from public;
create trigger on_follows_insert before insert on social.follows
  for each row execute function social_private.handle_follow_insert();

-- An unfollow (or a cancelled request) counts against the follower's follow budget, so a
-- follow/unfollow loop is limited. Deletes made by another trigger (a block removing follows) or
-- by the followee (declining, removing a follower) do not count.
create function social_private.handle_follow_delete()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if pg_trigger_depth() = 1 and old.follower_id = (select auth.uid()) then
    perform social_private.check_rate_limit('follow');
  end if;
  return old;
end;
$$;
comment on function social_private.handle_follow_delete() is
  'Trigger: an unfollow by the follower counts against their follow rate limit.';
revoke all on function social_private.handle_follow_delete() from public;
create trigger on_follows_delete before delete on social.follows
  for each row execute function social_private.handle_follow_delete();

-- A follow's only change is a request being accepted.
create function social_private.handle_follow_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.follower_id <> old.follower_id or new.followee_id <> old.followee_id
     or new.created_at <> old.created_at then
    perform social_private.raise_error('invalid_input', 'immutable_field', 'a follow''s users cannot change');
  end if;
  if old.status = 'accepted' and new.status = 'pending' then
    perform social_private.raise_error(
      'invalid_input', 'invalid_transition', 'an accepted follow cannot become a request');
  end if;
  if old.status = 'pending' and new.status = 'accepted' then
    new.accepted_at := now();
  else
    new.accepted_at := old.accepted_at;
  end if;
  return new;
end;
$$;
comment on function social_private.handle_follow_update() is
  'Trigger function (before update on follows, on_follows_update): the users cannot change and an '
  'accepted follow cannot go back to pending; sets accepted_at on acceptance.';
revoke all on function social_private.handle_follow_update() from public;
create trigger on_follows_update before update on social.follows
  for each row execute function social_private.handle_follow_update();

-- Keep followers_count / following_count in step with accepted follows.
create function social_private.handle_follow_counts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_delta integer;
  v_row record;
begin
  if tg_op = 'INSERT' then
    if new.status <> 'accepted' then return null; end if;
    v_delta := 1; v_row := new;
  elsif tg_op = 'DELETE' then
    if old.status <> 'accepted' then return null; end if;
    v_delta := -1; v_row := old;
  else
    if old.status = new.status then return null; end if;
    v_delta := case when new.status = 'accepted' then 1 else -1 end; v_row := new;
  end if;
  update social.profiles set followers_count = greatest(followers_count + v_delta, 0)
    where id = v_row.followee_id;
  update social.profiles set following_count = greatest(following_count + v_delta, 0)
    where id = v_row.follower_id;
  return null;
end;
$$;
comment on function social_private.handle_follow_counts() is
  'Trigger function (after insert, update or delete on follows, on_follows_counts): keeps '
  'profiles.followers_count and following_count equal to accepted follows.';
revoke all on function social_private.handle_follow_counts() from public;
create trigger on_follows_counts after insert or update or delete on social.follows
  for each row execute function social_private.handle_follow_counts();

-- Blocks and mutes, made or lifted, share check_rate_limit('block'). Deletes made by another
-- trigger do not count.
create function social_private.handle_block_or_mute_write()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or pg_trigger_depth() = 1 then
    perform social_private.check_rate_limit('block');
  end if;
  return coalesce(new, old);
end;
$$;
comment on function social_private.handle_block_or_mute_write() is
  'Trigger: a block or a mute, made or lifted, counts against the block rate limit.';
revoke all on function social_private.handle_block_or_mute_write() from public;
create trigger on_blocks_write before insert or delete on social.blocks
  for each row execute function social_private.handle_block_or_mute_write();
create trigger on_mutes_write before insert or delete on social.mutes
  for each row execute function social_private.handle_block_or_mute_write();

-- A block removes follows (and requests) both ways.
create function social_private.handle_block_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from social.follows f
  where (f.follower_id = new.blocker_id and f.followee_id = new.blocked_id)
     or (f.follower_id = new.blocked_id and f.followee_id = new.blocker_id);
  return null;
end;
$$;
comment on function social_private.handle_block_insert() is
  'Trigger function (after insert on blocks, on_blocks_insert): deletes follows and requests '
  'between the two users in both directions.';
revoke all on function social_private.handle_block_insert() from public;
create trigger on_blocks_insert after insert on social.blocks
  for each row execute function social_private.handle_block_insert();

-- When a profile stops being private, its pending requests are accepted.
create function social_private.handle_profile_visibility_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.visibility = 'private' and new.visibility <> 'private' then
    update social.follows set status = 'accepted'
    where followee_id = new.id and status = 'pending';
  end if;
  return null;
end;
$$;
comment on function social_private.handle_profile_visibility_change() is
  'Trigger function (after update of visibility on profiles): when a profile stops being private, '
  'its pending follow requests are accepted.';
revoke all on function social_private.handle_profile_visibility_change() from public;
create trigger on_profiles_visibility_change after update of visibility on social.profiles
  for each row when (old.visibility is distinct from new.visibility)
  execute function social_private.handle_profile_visibility_change();

-- =====================================================================================
-- RPC (security invoker: RLS decides)
-- =====================================================================================

-- Follow a user, or ask to when their profile is private. Following again returns the edge.
create function social.follow(p_user_id uuid)
returns social.follows
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_row social.follows;
begin
  if p_user_id is null or p_user_id = v_me then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'you cannot follow yourself');
  end if;
  if social_private.is_blocked_with(p_user_id) then
    perform social_private.raise_error('permission_denied', 'blocked', 'you cannot follow this user');
  end if;
  if not exists (select 1 from social.profiles p where p.id = p_user_id) then
    perform social_private.raise_error('not_found', 'profile_not_found', 'no such profile');
  end if;
  insert into social.follows (follower_id, followee_id) values (v_me, p_user_id)
  on conflict (follower_id, followee_id) do nothing
  returning * into v_row;
  if v_row is null then
    select * into v_row from social.follows f where f.follower_id = v_me and f.followee_id = p_user_id;
  end if;
  return v_row;
end;
$$;
comment on function social.follow(uuid) is
  'Follow p_user_id (a pending request when their profile is private). Idempotent.';
grant execute on function social.follow(uuid) to authenticated, service_role;

-- Unfollow, or cancel a pending request. Returns whether an edge was removed.
create function social.unfollow(p_user_id uuid)
returns boolean
language sql
security invoker
set search_path = ''
as $$
  with d as (
    delete from social.follows f
    where f.follower_id = (select auth.uid()) and f.followee_id = p_user_id
    returning 1
  )
  select exists (select 1 from d);
$$;
comment on function social.unfollow(uuid) is 'Unfollow p_user_id or cancel a pending request.';
grant execute on function social.unfollow(uuid) to authenticated, service_role;

create function social.accept_follow_request(p_follower_id uuid)
returns social.follows
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_row social.follows;
begin
  update social.follows f set status = 'accepted'
  where f.follower_id = p_follower_id and f.followee_id = v_me and f.status = 'pending'
  returning * into v_row;
  if v_row is null then
    perform social_private.raise_error('not_found', 'follow_request_not_found', 'no pending request from this user');
  end if;
  return v_row;
end;
$$;
comment on function social.accept_follow_request(uuid) is 'Accept p_follower_id''s pending request.';
grant execute on function social.accept_follow_request(uuid) to authenticated, service_role;

create function social.decline_follow_request(p_follower_id uuid)
returns void
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
begin
  delete from social.follows f
  where f.follower_id = p_follower_id and f.followee_id = v_me and f.status = 'pending';
  if not found then
    perform social_private.raise_error('not_found', 'follow_request_not_found', 'no pending request from this user');
  end if;
end;
$$;
comment on function social.decline_follow_request(uuid) is 'Decline p_follower_id''s pending request.';
grant execute on function social.decline_follow_request(uuid) to authenticated, service_role;

create function social.remove_follower(p_follower_id uuid)
returns boolean
language sql
security invoker
set search_path = ''
as $$
  with d as (
    delete from social.follows f
    where f.follower_id = p_follower_id and f.followee_id = (select auth.uid())
    returning 1
  )
  select exists (select 1 from d);
$$;
comment on function social.remove_follower(uuid) is 'Remove p_follower_id from my followers.';
grant execute on function social.remove_follower(uuid) to authenticated, service_role;

create function social.block(p_user_id uuid)
returns void
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
begin
  if p_user_id is null or p_user_id = v_me then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'you cannot block yourself');
  end if;
  if not exists (select 1 from social.profiles p where p.id = p_user_id) then
    perform social_private.raise_error('not_found', 'profile_not_found', 'no such profile');
  end if;
  insert into social.blocks (blocker_id, blocked_id) values (v_me, p_user_id)
  on conflict do nothing;
end;
$$;
comment on function social.block(uuid) is 'Block p_user_id: hides both ways, removes follows. Idempotent.';
grant execute on function social.block(uuid) to authenticated, service_role;

create function social.unblock(p_user_id uuid)
returns boolean
language sql
security invoker
set search_path = ''
as $$
  with d as (
    delete from social.blocks b
    where b.blocker_id = (select auth.uid()) and b.blocked_id = p_user_id
    returning 1
  )
  select exists (select 1 from d);
$$;
comment on function social.unblock(uuid) is
  'Lift my block of p_user_id; returns whether there was one. Removed follows are not restored.';
grant execute on function social.unblock(uuid) to authenticated, service_role;

create function social.mute(p_user_id uuid)
returns void
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
begin
  if p_user_id is null or p_user_id = v_me then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'you cannot mute yourself');
  end if;
  insert into social.mutes (muter_id, muted_id) values (v_me, p_user_id)
  on conflict do nothing;
end;
$$;
comment on function social.mute(uuid) is 'Mute p_user_id: hidden from my home feed only. Idempotent.';
grant execute on function social.mute(uuid) to authenticated, service_role;

create function social.unmute(p_user_id uuid)
returns boolean
language sql
security invoker
set search_path = ''
as $$
  with d as (
    delete from social.mutes m
    where m.muter_id = (select auth.uid()) and m.muted_id = p_user_id
    returning 1
  )
  select exists (select 1 from d);
$$;
comment on function social.unmute(uuid) is
  'Lift my mute of p_user_id; returns whether there was one.';
grant execute on function social.unmute(uuid) to authenticated, service_role;

-- =====================================================================================
-- lists (the page contract of 20261128000000_core.sql; security invoker: RLS on follows, blocks,
-- mutes and profiles decides what is listed)
-- =====================================================================================

-- One page of p_user_id's follow edges with status p_status, newest first, each with the other
-- user's card (an edge whose profile the caller may not see is left out): p_incoming, its
-- followers (or requests); else the users it follows. p_list names the list in the cursor; the
-- user is its scope.
create function social_private.follow_edges_page(
  p_list text,
  p_user_id uuid,
  p_incoming boolean,
  p_status social.follow_status,
  p_cursor text,
  p_limit integer
)
returns table (
  follower_id uuid,
  followee_id uuid,
  status social.follow_status,
  created_at timestamptz,
  accepted_at timestamptz,
  "user" jsonb,
  next_cursor text
)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor(p_list, 'latest', p_user_id::text, p_cursor);
  v_others uuid[];
  v_created timestamptz[];
  v_next text;
begin
  if p_incoming then
    select array_agg(x.other_id order by x.created_at desc, x.other_id desc),
           array_agg(x.created_at order by x.created_at desc, x.other_id desc)
      into v_others, v_created
    from (
      select f.follower_id as other_id, f.created_at
      from social.follows f
      join social.profiles p on p.id = f.follower_id
      where f.followee_id = p_user_id and f.status = p_status
        and (f.created_at, f.follower_id) < (v_key.created_at, v_key.id)
      order by f.created_at desc, f.follower_id desc
      limit v_limit + 1
    ) x;
  else
    select array_agg(x.other_id order by x.created_at desc, x.other_id desc),
           array_agg(x.created_at order by x.created_at desc, x.other_id desc)
      into v_others, v_created
    from (
      select f.followee_id as other_id, f.created_at
      from social.follows f
      join social.profiles p on p.id = f.followee_id
      where f.follower_id = p_user_id and f.status = p_status
        and (f.created_at, f.followee_id) < (v_key.created_at, v_key.id)
      order by f.created_at desc, f.followee_id desc
      limit v_limit + 1
    ) x;
  end if;
  if cardinality(v_others) > v_limit then
    v_next := social_private.encode_page_cursor(p_list, 'latest', p_user_id::text,
                                                v_created[v_limit], null, v_others[v_limit]);
  end if;

  if p_incoming then
    return query
      select f.follower_id, f.followee_id, f.status, f.created_at, f.accepted_at, to_jsonb(p), v_next
      from unnest(coalesce(v_others[1:v_limit], '{}')) with ordinality as k(other_id, position)
      join social.follows f on f.follower_id = k.other_id and f.followee_id = p_user_id
      join social.profiles p on p.id = k.other_id
      order by k.position;
  else
    return query
      select f.follower_id, f.followee_id, f.status, f.created_at, f.accepted_at, to_jsonb(p), v_next
      from unnest(coalesce(v_others[1:v_limit], '{}')) with ordinality as k(other_id, position)
      join social.follows f on f.follower_id = p_user_id and f.followee_id = k.other_id
      join social.profiles p on p.id = k.other_id
      order by k.position;
  end if;
end;
$$;
comment on function social_private.follow_edges_page(text, uuid, boolean, social.follow_status, text, integer) is
  'One page of a user''s follow edges (followers or requests when p_incoming, else followees) with '
  'the other user''s card; the body of list_followers, list_following and my_follow_requests.';
grant execute on function social_private.follow_edges_page(text, uuid, boolean, social.follow_status, text, integer)
  to authenticated, service_role;

-- A user's followers, newest first. A private or followers-only profile's list is visible to its
-- owner and approved followers only (others get an empty page).
create function social.list_followers(p_user_id uuid, p_cursor text default null, p_limit integer default 20)
returns table (
  follower_id uuid,
  followee_id uuid,
  status social.follow_status,
  created_at timestamptz,
  accepted_at timestamptz,
  "user" jsonb,
  next_cursor text
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.follow_edges_page('list_followers', p_user_id, true, 'accepted', p_cursor, p_limit);
$$;
comment on function social.list_followers(uuid, text, integer) is
  'p_user_id''s followers with their cards ("user"), newest first. p_cursor: the next_cursor of '
  'the previous page (same user); p_limit 1-50.';
grant execute on function social.list_followers(uuid, text, integer) to authenticated, service_role;

-- Who a user follows, newest first (same visibility as list_followers).
create function social.list_following(p_user_id uuid, p_cursor text default null, p_limit integer default 20)
returns table (
  follower_id uuid,
  followee_id uuid,
  status social.follow_status,
  created_at timestamptz,
  accepted_at timestamptz,
  "user" jsonb,
  next_cursor text
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.follow_edges_page('list_following', p_user_id, false, 'accepted', p_cursor, p_limit);
$$;
comment on function social.list_following(uuid, text, integer) is
  'The users p_user_id follows, with their cards ("user"), newest first. p_cursor: the '
  'next_cursor of the previous page (same user); p_limit 1-50.';
grant execute on function social.list_following(uuid, text, integer) to authenticated, service_role;

-- Follow requests waiting for the caller's answer, newest first.
create function social.my_follow_requests(p_cursor text default null, p_limit integer default 20)
returns table (
  follower_id uuid,
  followee_id uuid,
  status social.follow_status,
  created_at timestamptz,
  accepted_at timestamptz,
  "user" jsonb,
  next_cursor text
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.follow_edges_page('my_follow_requests', social_private.require_user(), true,
                                                 'pending', p_cursor, p_limit);
$$;
comment on function social.my_follow_requests(text, integer) is
  'Requests to follow the caller, with the requester''s card ("user"), newest first. p_cursor: the '
  'next_cursor of the previous page; p_limit 1-50.';
grant execute on function social.my_follow_requests(text, integer) to authenticated, service_role;

-- The users the caller blocks, newest first (ids only: a block hides their card).
create function social.my_blocks(p_cursor text default null, p_limit integer default 20)
returns table (
  blocked_id uuid,
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
  v_me uuid := social_private.require_user();
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('my_blocks', 'latest', v_me::text, p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  select array_agg(x.blocked_id order by x.created_at desc, x.blocked_id desc),
         array_agg(x.created_at order by x.created_at desc, x.blocked_id desc)
    into v_ids, v_created
  from (
    select b.blocked_id, b.created_at from social.blocks b
    where b.blocker_id = v_me and (b.created_at, b.blocked_id) < (v_key.created_at, v_key.id)
    order by b.created_at desc, b.blocked_id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('my_blocks', 'latest', v_me::text,
                                                v_created[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select k.blocked_id, k.created_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}'), coalesce(v_created[1:v_limit], '{}'))
           with ordinality as k(blocked_id, created_at, position)
    order by k.position;
end;
$$;
comment on function social.my_blocks(text, integer) is
  'The users the caller blocks, newest first. p_cursor: the next_cursor of the previous page; '
  'p_limit 1-50.';
grant execute on function social.my_blocks(text, integer) to authenticated, service_role;

-- The users the caller mutes, newest first, with their cards ("user": null when they have since
-- blocked the caller).
create function social.my_mutes(p_cursor text default null, p_limit integer default 20)
returns table (
  muted_id uuid,
  created_at timestamptz,
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
  v_me uuid := social_private.require_user();
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('my_mutes', 'latest', v_me::text, p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  select array_agg(x.muted_id order by x.created_at desc, x.muted_id desc),
         array_agg(x.created_at order by x.created_at desc, x.muted_id desc)
    into v_ids, v_created
  from (
    select m.muted_id, m.created_at from social.mutes m
    where m.muter_id = v_me and (m.created_at, m.muted_id) < (v_key.created_at, v_key.id)
    order by m.created_at desc, m.muted_id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('my_mutes', 'latest', v_me::text,
                                                v_created[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select k.muted_id, k.created_at, to_jsonb(p), v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}'), coalesce(v_created[1:v_limit], '{}'))
           with ordinality as k(muted_id, created_at, position)
    left join social.profiles p on p.id = k.muted_id
    order by k.position;
end;
$$;
comment on function social.my_mutes(text, integer) is
  'The users the caller mutes, newest first, with their cards ("user", null across a block). '
  'p_cursor: the next_cursor of the previous page; p_limit 1-50.';
grant execute on function social.my_mutes(text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
