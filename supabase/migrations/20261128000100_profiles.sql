-- Profiles and the social graph: a profile per auth user (made by a trigger on sign-up), follows
-- with requests for private profiles, blocks (hide both directions) and mutes (hide from the
-- muter's feed only). Counters are kept by triggers.
--
-- A profile is split by who may read it:
--   social.profiles          the card (handle, name, avatar, counts): every signed-in user who is
--                            not blocked, so a private profile can still be found and followed;
--   social.profile_details   bio, city, interests, timezone: the owner, and for `followers` and
--                            `private` profiles only approved followers;
--   social.profile_settings  app settings: the owner only.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.profile_visibility as enum ('public', 'followers', 'private');
comment on type social.profile_visibility is
  'public: details visible to everyone, follows accepted at once; followers: details visible to '
  'followers, follows accepted at once; private: details visible to approved followers, follows '
  'need the owner''s approval.';

create type social.follow_status as enum ('pending', 'accepted');

-- =====================================================================================
-- tables
-- =====================================================================================

create table social.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  handle extensions.citext not null,
  display_name text not null,
  avatar_path text,
  visibility social.profile_visibility not null default 'public',
  discoverable boolean not null default true,
  leaderboard_opt_in boolean not null default true,
  followers_count integer not null default 0,
  following_count integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint profiles_handle_key unique (handle),
  constraint profiles_handle_format check (handle operator(extensions.~) '^[A-Za-z0-9_]{3,30}$'),
  constraint profiles_display_name_length check (char_length(display_name) between 1 and 80),
  constraint profiles_avatar_path_length check (char_length(avatar_path) <= 1024)
);
comment on table social.profiles is
  'One per auth user, made on sign-up. The card every signed-in user may see unless blocked.';
comment on column social.profiles.handle is 'Unique, case-insensitive, 3-30 of [A-Za-z0-9_].';
comment on column social.profiles.discoverable is 'false: left out of search and recommendations.';
comment on column social.profiles.leaderboard_opt_in is 'false: never ranked on leaderboards.';
comment on column social.profiles.avatar_path is 'Object path in the avatars storage bucket.';

create table social.profile_details (
  profile_id uuid primary key references social.profiles (id) on delete cascade,
  bio text,
  city text,
  interests text[] not null default '{}',
  timezone text,
  updated_at timestamptz not null default now(),
  constraint profile_details_bio_length check (char_length(bio) <= 500),
  constraint profile_details_city_length check (char_length(city) <= 100),
  constraint profile_details_interests_count check (cardinality(interests) <= 30)
);
comment on table social.profile_details is
  'The part of a profile that follows its visibility: followers-only and private profiles show it '
  'only to approved followers.';
comment on column social.profile_details.timezone is 'IANA time zone name, e.g. Europe/Lisbon.';

create table social.profile_settings (
  profile_id uuid primary key references social.profiles (id) on delete cascade,
  settings jsonb not null default '{}',
  updated_at timestamptz not null default now(),
  constraint profile_settings_is_object check (jsonb_typeof(settings) = 'object'),
  constraint profile_settings_size check (pg_column_size(settings) <= 16384)
);
comment on table social.profile_settings is 'App settings of a profile; only its owner reads them.';

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

create table social.blocks (
  blocker_id uuid not null references social.profiles (id) on delete cascade,
  blocked_id uuid not null references social.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (blocker_id, blocked_id),
  constraint blocks_not_self check (blocker_id <> blocked_id)
);
comment on table social.blocks is
  'A block hides both users from each other everywhere and removes follows both ways. Only the '
  'blocker sees the row.';

create table social.mutes (
  muter_id uuid not null references social.profiles (id) on delete cascade,
  muted_id uuid not null references social.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (muter_id, muted_id),
  constraint mutes_not_self check (muter_id <> muted_id)
);
comment on table social.mutes is 'A mute hides the muted user from the muter''s home feed only.';

-- =====================================================================================
-- indexes
-- =====================================================================================

create index profiles_handle_trgm_idx on social.profiles
  using gin ((handle::text) extensions.gin_trgm_ops);
create index profiles_display_name_trgm_idx on social.profiles
  using gin (display_name extensions.gin_trgm_ops);
create index follows_followee_idx on social.follows (followee_id, status, created_at desc);
create index follows_follower_status_idx on social.follows (follower_id, status, created_at desc);
create index blocks_blocked_idx on social.blocks (blocked_id, blocker_id);
create index mutes_muted_idx on social.mutes (muted_id);

-- =====================================================================================
-- functions (helpers for policies; security definer because they read rows the caller may not)
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

-- true when a block stands between p_a and p_b, in either direction
create function social_private.is_blocked_between(p_a uuid, p_b uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from social.blocks b
    where (b.blocker_id = p_a and b.blocked_id = p_b)
       or (b.blocker_id = p_b and b.blocked_id = p_a)
  );
$$;

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

revoke all on function social_private.is_blocked_with(uuid) from public;
revoke all on function social_private.is_blocked_between(uuid, uuid) from public;
revoke all on function social_private.is_following(uuid) from public;
revoke all on function social_private.can_view_profile_details(uuid) from public;
grant execute on function social_private.is_blocked_with(uuid) to anon, authenticated, service_role;
grant execute on function social_private.is_blocked_between(uuid, uuid) to authenticated, service_role;
grant execute on function social_private.is_following(uuid) to anon, authenticated, service_role;
grant execute on function social_private.can_view_profile_details(uuid)
  to anon, authenticated, service_role;

-- A handle from a free-form seed: letters, digits and underscores, 3-30 long, unique.
create function social_private.unique_handle(p_seed text)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_base text := left(regexp_replace(lower(coalesce(p_seed, '')), '[^a-z0-9_]+', '', 'g'), 24);
  v_candidate text;
  v_try integer := 0;
begin
  if char_length(v_base) < 3 then
    v_base := 'user' || v_base;
  end if;
  v_candidate := v_base;
  while exists (select 1 from social.profiles p where p.handle operator(extensions.=) v_candidate::extensions.citext) loop
    v_try := v_try + 1;
    v_candidate := left(v_base, 24) || '_' || (floor(random() * power(10, least(2 + v_try / 3, 5))))::int;
  end loop;
  return v_candidate;
end;
$$;
revoke all on function social_private.unique_handle(text) from public;

-- =====================================================================================
-- triggers
-- =====================================================================================

-- A profile (with empty details and settings) for every new auth user. Display name and handle
-- come from the sign-up metadata (`handle`/`user_name`/`preferred_username`,
-- `display_name`/`full_name`/`name`), falling back to the e-mail's local part.
create function social_private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  v_handle text;
  v_name text;
begin
  -- some Auth servers keep the metadata as a JSON string inside jsonb
  if jsonb_typeof(v_meta) = 'string' then
    begin
      v_meta := (v_meta #>> '{}')::jsonb;
    exception when others then
      v_meta := '{}'::jsonb;
    end;
  end if;
  if jsonb_typeof(v_meta) <> 'object' then
    v_meta := '{}'::jsonb;
  end if;

  v_handle := coalesce(
    nullif(v_meta ->> 'handle', ''),
    nullif(v_meta ->> 'user_name', ''),
    nullif(v_meta ->> 'preferred_username', '')
  );
  v_name := left(btrim(coalesce(
    nullif(btrim(v_meta ->> 'display_name'), ''),
    nullif(btrim(v_meta ->> 'full_name'), ''),
    nullif(btrim(v_meta ->> 'name'), ''),
    nullif(split_part(coalesce(new.email, ''), '@', 1), ''),
    'New member'
  )), 80);

  -- keep a requested handle when it is valid and free, else make one
  if v_handle is null
     or v_handle !~ '^[A-Za-z0-9_]{3,30}$'
     or exists (select 1 from social.profiles p where p.handle operator(extensions.=) v_handle::extensions.citext) then
    v_handle := social_private.unique_handle(coalesce(v_handle, split_part(coalesce(new.email, ''), '@', 1), v_name));
  end if;

  insert into social.profiles (id, handle, display_name)
  values (new.id, v_handle, v_name)
  on conflict (id) do nothing;
  insert into social.profile_details (profile_id) values (new.id) on conflict do nothing;
  insert into social.profile_settings (profile_id) values (new.id) on conflict do nothing;
  return new;
end;
$$;
revoke all on function social_private.handle_new_user() from public;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function social_private.handle_new_user();

create trigger on_profiles_updated before update on social.profiles
  for each row execute function social_private.handle_updated_at();
create trigger on_profile_details_updated before update on social.profile_details
  for each row execute function social_private.handle_updated_at();
create trigger on_profile_settings_updated before update on social.profile_settings
  for each row execute function social_private.handle_updated_at();

-- Validate the time zone name against the server's zone list.
create function social_private.handle_profile_details_write()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.timezone is not null
     and not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = new.timezone) then
    perform social_private.raise_error('invalid_timezone', format('unknown time zone %L', new.timezone));
  end if;
  new.interests := coalesce(new.interests, '{}');
  return new;
end;
$$;
revoke all on function social_private.handle_profile_details_write() from public;

create trigger on_profile_details_write before insert or update on social.profile_details
  for each row execute function social_private.handle_profile_details_write();

-- Before a follow is stored: refuse blocked pairs; a private profile gets a pending request,
-- any other an accepted follow. Clients cannot choose the status.
create function social_private.handle_follow_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_visibility social.profile_visibility;
begin
  if social_private.is_blocked_between(new.follower_id, new.followee_id) then
    perform social_private.raise_error('blocked', 'you cannot follow this user', '42501');
  end if;
  select p.visibility into v_visibility from social.profiles p where p.id = new.followee_id;
  if v_visibility is null then
    perform social_private.raise_error('profile_not_found', 'no such profile', 'P0002');
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
revoke all on function social_private.handle_follow_insert() from public;

create trigger on_follows_insert before insert on social.follows
  for each row execute function social_private.handle_follow_insert();

-- A follow's only change is a request being accepted.
create function social_private.handle_follow_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.follower_id <> old.follower_id or new.followee_id <> old.followee_id
     or new.created_at <> old.created_at then
    perform social_private.raise_error('immutable_field', 'a follow''s users cannot change');
  end if;
  if old.status = 'accepted' and new.status = 'pending' then
    perform social_private.raise_error('invalid_transition', 'an accepted follow cannot become a request');
  end if;
  if old.status = 'pending' and new.status = 'accepted' then
    new.accepted_at := now();
  else
    new.accepted_at := old.accepted_at;
  end if;
  return new;
end;
$$;
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
revoke all on function social_private.handle_follow_counts() from public;

create trigger on_follows_counts after insert or update or delete on social.follows
  for each row execute function social_private.handle_follow_counts();

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
revoke all on function social_private.handle_profile_visibility_change() from public;

create trigger on_profiles_visibility_change after update of visibility on social.profiles
  for each row when (old.visibility is distinct from new.visibility)
  execute function social_private.handle_profile_visibility_change();

-- =====================================================================================
-- RLS
-- =====================================================================================

alter table social.profiles enable row level security;
alter table social.profile_details enable row level security;
alter table social.profile_settings enable row level security;
alter table social.follows enable row level security;
alter table social.blocks enable row level security;
alter table social.mutes enable row level security;

-- visitors who are not signed in see public profiles' cards
create policy profiles_select_anon on social.profiles
  for select to anon
  using (visibility = 'public');
-- signed-in users see every card except across a block
create policy profiles_select_visible on social.profiles
  for select to authenticated
  using (id = (select auth.uid()) or not (select social_private.is_blocked_with(id)));
-- users edit their own profile
create policy profiles_update_self on social.profiles
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- visitors see public profiles' details
create policy profile_details_select_anon on social.profile_details
  for select to anon
  using ((select social_private.can_view_profile_details(profile_id)));
-- the owner, and whoever the profile's visibility admits
create policy profile_details_select_visible on social.profile_details
  for select to authenticated
  using ((select social_private.can_view_profile_details(profile_id)));
-- users edit their own details
create policy profile_details_update_self on social.profile_details
  for update to authenticated
  using (profile_id = (select auth.uid()))
  with check (profile_id = (select auth.uid()));

-- settings are the owner's alone
create policy profile_settings_select_self on social.profile_settings
  for select to authenticated
  using (profile_id = (select auth.uid()));
create policy profile_settings_update_self on social.profile_settings
  for update to authenticated
  using (profile_id = (select auth.uid()))
  with check (profile_id = (select auth.uid()));

-- both ends see their own edges and requests; others see accepted edges between profiles whose
-- details they may see (so a private profile's follower list stays private)
create policy follows_select_visible on social.follows
  for select to authenticated
  using (
    follower_id = (select auth.uid())
    or followee_id = (select auth.uid())
    or (
      status = 'accepted'
      and (select social_private.can_view_profile_details(followee_id))
      and (select social_private.can_view_profile_details(follower_id))
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
    perform social_private.raise_error('invalid_target', 'you cannot follow yourself');
  end if;
  if social_private.is_blocked_with(p_user_id) then
    perform social_private.raise_error('blocked', 'you cannot follow this user', '42501');
  end if;
  if not exists (select 1 from social.profiles p where p.id = p_user_id) then
    perform social_private.raise_error('profile_not_found', 'no such profile', 'P0002');
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
    perform social_private.raise_error('follow_request_not_found', 'no pending request from this user', 'P0002');
  end if;
  return v_row;
end;
$$;
comment on function social.accept_follow_request(uuid) is 'Accept p_follower_id''s pending request.';

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
    perform social_private.raise_error('follow_request_not_found', 'no pending request from this user', 'P0002');
  end if;
end;
$$;
comment on function social.decline_follow_request(uuid) is 'Decline p_follower_id''s pending request.';

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
    perform social_private.raise_error('invalid_target', 'you cannot block yourself');
  end if;
  if not exists (select 1 from social.profiles p where p.id = p_user_id) then
    perform social_private.raise_error('profile_not_found', 'no such profile', 'P0002');
  end if;
  insert into social.blocks (blocker_id, blocked_id) values (v_me, p_user_id)
  on conflict do nothing;
end;
$$;
comment on function social.block(uuid) is 'Block p_user_id: hides both ways, removes follows. Idempotent.';

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
    perform social_private.raise_error('invalid_target', 'you cannot mute yourself');
  end if;
  insert into social.mutes (muter_id, muted_id) values (v_me, p_user_id)
  on conflict do nothing;
end;
$$;
comment on function social.mute(uuid) is 'Mute p_user_id: hidden from my home feed only. Idempotent.';

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

-- Change the signed-in user's card, details and settings in one statement group: all or nothing.
-- Keys present in p_patch are set (null clears a nullable field); unknown keys are refused.
create function social.update_my_profile(p_patch jsonb)
returns void
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_card text[] := array['handle', 'display_name', 'avatar_path', 'visibility', 'discoverable', 'leaderboard_opt_in'];
  v_details text[] := array['bio', 'city', 'interests', 'timezone'];
  v_unknown text;
begin
  p_patch := social_private.jsonb_arg(p_patch);
  if p_patch is null or jsonb_typeof(p_patch) <> 'object' then
    perform social_private.raise_error('invalid_input', 'the patch must be a JSON object');
  end if;
  select k into v_unknown from jsonb_object_keys(p_patch) k
  where k <> all (v_card || v_details || array['settings']) limit 1;
  if v_unknown is not null then
    perform social_private.raise_error('invalid_field', format('%s is not a profile field', v_unknown));
  end if;
  if p_patch ?| v_card then
    update social.profiles p set
      handle = case when p_patch ? 'handle' then (p_patch ->> 'handle')::extensions.citext else p.handle end,
      display_name = case when p_patch ? 'display_name' then p_patch ->> 'display_name' else p.display_name end,
      avatar_path = case when p_patch ? 'avatar_path' then p_patch ->> 'avatar_path' else p.avatar_path end,
      visibility = case when p_patch ? 'visibility'
                        then (p_patch ->> 'visibility')::social.profile_visibility else p.visibility end,
      discoverable = case when p_patch ? 'discoverable' then (p_patch ->> 'discoverable')::boolean else p.discoverable end,
      leaderboard_opt_in = case when p_patch ? 'leaderboard_opt_in'
                                then (p_patch ->> 'leaderboard_opt_in')::boolean else p.leaderboard_opt_in end
    where p.id = v_me;
  end if;
  if p_patch ?| v_details then
    update social.profile_details d set
      bio = case when p_patch ? 'bio' then p_patch ->> 'bio' else d.bio end,
      city = case when p_patch ? 'city' then p_patch ->> 'city' else d.city end,
      interests = case when p_patch ? 'interests'
                       then coalesce(array(select jsonb_array_elements_text(p_patch -> 'interests')), '{}')
                       else d.interests end,
      timezone = case when p_patch ? 'timezone' then p_patch ->> 'timezone' else d.timezone end
    where d.profile_id = v_me;
  end if;
  if p_patch ? 'settings' then
    update social.profile_settings st set settings = p_patch -> 'settings' where st.profile_id = v_me;
  end if;
end;
$$;
comment on function social.update_my_profile(jsonb) is
  'Set the given fields of my card, details and settings atomically; unknown fields are refused.';

-- Find profiles by handle or name (discoverable ones, never across a block).
create function social.search_profiles(p_query text, p_limit integer default 20)
returns setof social.profiles
language sql
stable
security invoker
set search_path = ''
as $$
  select p.*
  from social.profiles p
  where p.discoverable
    and char_length(btrim(p_query)) >= 2
    and (p.handle::text operator(extensions.%) p_query or p.display_name operator(extensions.%) p_query
         or p.handle::text ilike btrim(p_query) || '%')
  order by extensions.similarity(p.handle::text, p_query) + extensions.similarity(p.display_name, p_query) desc, p.id
  limit least(greatest(coalesce(p_limit, 20), 1), 50);
$$;
comment on function social.search_profiles(text, integer) is
  'Discoverable profiles whose handle or display name resembles p_query, best first.';

-- =====================================================================================
-- grants
-- =====================================================================================

grant select on social.profiles to anon, authenticated, service_role;
grant update (handle, display_name, avatar_path, visibility, discoverable, leaderboard_opt_in)
  on social.profiles to authenticated;
grant all on social.profiles to service_role;

grant select on social.profile_details to anon, authenticated;
grant update (bio, city, interests, timezone) on social.profile_details to authenticated;
grant all on social.profile_details to service_role;

grant select on social.profile_settings to authenticated;
grant update (settings) on social.profile_settings to authenticated;
grant all on social.profile_settings to service_role;

grant select, delete on social.follows to authenticated;
grant insert (follower_id, followee_id) on social.follows to authenticated;
grant update (status) on social.follows to authenticated;
grant all on social.follows to service_role;

grant select, delete on social.blocks to authenticated;
grant insert (blocker_id, blocked_id) on social.blocks to authenticated;
grant all on social.blocks to service_role;

grant select, delete on social.mutes to authenticated;
grant insert (muter_id, muted_id) on social.mutes to authenticated;
grant all on social.mutes to service_role;

grant execute on function social.follow(uuid) to authenticated, service_role;
grant execute on function social.unfollow(uuid) to authenticated, service_role;
grant execute on function social.accept_follow_request(uuid) to authenticated, service_role;
grant execute on function social.decline_follow_request(uuid) to authenticated, service_role;
grant execute on function social.remove_follower(uuid) to authenticated, service_role;
grant execute on function social.block(uuid) to authenticated, service_role;
grant execute on function social.unblock(uuid) to authenticated, service_role;
grant execute on function social.mute(uuid) to authenticated, service_role;
grant execute on function social.unmute(uuid) to authenticated, service_role;
grant execute on function social.search_profiles(text, integer) to authenticated, service_role;
grant execute on function social.update_my_profile(jsonb) to authenticated;

revoke execute on all functions in schema social, social_private from public;
