-- Profiles: a profile per auth user, made by a trigger on sign-up (handle and display name from the
-- sign-up metadata), split by who may read it:
--   social.profiles          the card (handle, name, avatar, counts): every signed-in user who is
--                            not blocked, so a private profile can still be found and followed;
--   social.profile_details   bio, city, interests, timezone: the owner, and for `followers` and
--                            `private` profiles only approved followers;
--   social.profile_settings  app settings: the owner only.
-- Who sees a card and details depends on blocks and follows, so those select policies are in the
-- graph migration (20261128000200_graph.sql), below the helpers they call.
-- SDK: social.profiles; tests: tests/db/profiles.test.ts.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.profile_visibility as enum ('public', 'followers', 'private');
comment on type social.profile_visibility is
  'public: details visible to everyone, follows accepted at once; followers: details visible to '
  'followers, follows accepted at once; private: details visible to approved followers, follows '
  'need the owner''s approval.';

-- =====================================================================================
-- tables
-- =====================================================================================

create table social.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  handle extensions.citext not null,
  display_name text not null,
  avatar_path text,
  avatar_media_id uuid,
  visibility social.profile_visibility not null default 'public',
  discoverable boolean not null default true,
  leaderboard_opt_in boolean not null default false,
  followers_count integer not null default 0,
  following_count integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint profiles_handle_key unique (handle),
  constraint profiles_handle_format check (handle operator(extensions.~) '^[A-Za-z0-9_]{3,30}$'),
  constraint profiles_display_name_length check (char_length(display_name) between 1 and 80),
  constraint profiles_display_name_visible check (social_private.is_visible_text(display_name)),
  constraint profiles_avatar_path_length check (char_length(avatar_path) <= 1024)
);
comment on table social.profiles is
  'One per auth user, made on sign-up. The card every signed-in user may see unless blocked.';
comment on column social.profiles.handle is 'Unique, case-insensitive, 3-30 of [A-Za-z0-9_].';
comment on column social.profiles.discoverable is
  'false: left out of search (search_profiles) and recommendations, and nothing else: the card is '
  'still read by id or handle, listed among followers, followed and mentioned.';
comment on column social.profiles.leaderboard_opt_in is
  'true: the user opted in to appear on leaderboards (off until they do; see the leaderboards migration).';
comment on column social.profiles.avatar_path is
  'Path of the avatar''s object in the public social-avatars storage bucket; kept in step with '
  'avatar_media_id by the media domain (not writable by clients).';
comment on column social.profiles.avatar_media_id is
  'The avatar: a social.media row of this user in the social-avatars bucket (foreign key and '
  'checks added by the media migration); null for none.';
comment on column social.profiles.id is
  'The user''s id (auth.users.id); deleting the auth user deletes the profile and everything it '
  'owns.';
comment on column social.profiles.display_name is
  'Name shown on the card, 1-80 characters with at least one that shows (not only spaces or '
  'invisible characters); from the sign-up metadata or the e-mail''s local part.';
comment on column social.profiles.visibility is
  'Who sees the details and whether follows need approval (see type social.profile_visibility). '
  'The card itself is always visible to signed-in users.';
comment on column social.profiles.followers_count is
  'Accepted followers; kept by the on_follows_counts trigger, not writable by clients.';
comment on column social.profiles.following_count is
  'Accepted follows this user made; kept by the on_follows_counts trigger, not writable by '
  'clients.';
comment on column social.profiles.created_at is
  'When the profile was made: at sign-up, by the on_auth_user_created trigger.';
comment on column social.profiles.updated_at is
  'Last change to the card; set by the on_profiles_updated trigger.';
create index profiles_handle_trgm_idx on social.profiles
  using gin ((handle::text) extensions.gin_trgm_ops);
create index profiles_display_name_trgm_idx on social.profiles
  using gin (display_name extensions.gin_trgm_ops);
alter table social.profiles enable row level security;
grant select on social.profiles to anon, authenticated, service_role;
grant update (handle, display_name, avatar_media_id, visibility, discoverable, leaderboard_opt_in)
  on social.profiles to authenticated;
grant all on social.profiles to service_role;
create trigger on_profiles_updated before update on social.profiles
  for each row execute function social_private.handle_updated_at();

-- visitors who are not signed in see public profiles' cards
create policy profiles_select_anon on social.profiles
  for select to anon
  using (visibility = 'public');

-- users edit their own profile
create policy profiles_update_self on social.profiles
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

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
comment on column social.profile_details.profile_id is
  'The profile these details belong to (social.profiles.id).';
comment on column social.profile_details.bio is 'Free text about the user, at most 500 characters.';
comment on column social.profile_details.city is
  'Free-text city the user entered, at most 100 characters; shown with the details, not used for '
  'search.';
comment on column social.profile_details.interests is
  'Free-form interest labels chosen by the user, at most 30.';
comment on column social.profile_details.updated_at is
  'Last change; set by the on_profile_details_updated trigger.';
alter table social.profile_details enable row level security;
grant select on social.profile_details to anon, authenticated;
grant update (bio, city, interests, timezone) on social.profile_details to authenticated;
grant all on social.profile_details to service_role;
create trigger on_profile_details_updated before update on social.profile_details
  for each row execute function social_private.handle_updated_at();

-- users edit their own details
create policy profile_details_update_self on social.profile_details
  for update to authenticated
  using (profile_id = (select auth.uid()))
  with check (profile_id = (select auth.uid()));

create table social.profile_settings (
  profile_id uuid primary key references social.profiles (id) on delete cascade,
  settings jsonb not null default '{}',
  updated_at timestamptz not null default now(),
  constraint profile_settings_is_object check (jsonb_typeof(settings) = 'object'),
  constraint profile_settings_size check (pg_column_size(settings) <= 16384)
);
comment on table social.profile_settings is 'App settings of a profile; only its owner reads them.';
comment on column social.profile_settings.profile_id is
  'The profile these settings belong to (social.profiles.id).';
comment on column social.profile_settings.settings is
  'A JSON object the app stores for the user (preferences, flags), at most 16 KB; Supasocial does '
  'not read it.';
comment on column social.profile_settings.updated_at is
  'Last change; set by the on_profile_settings_updated trigger.';
alter table social.profile_settings enable row level security;
grant select on social.profile_settings to authenticated;
grant update (settings) on social.profile_settings to authenticated;
grant all on social.profile_settings to service_role;
create trigger on_profile_settings_updated before update on social.profile_settings
  for each row execute function social_private.handle_updated_at();

-- settings are the owner's alone
create policy profile_settings_select_self on social.profile_settings
  for select to authenticated
  using (profile_id = (select auth.uid()));
create policy profile_settings_update_self on social.profile_settings
  for update to authenticated
  using (profile_id = (select auth.uid()))
  with check (profile_id = (select auth.uid()));

-- =====================================================================================
-- triggers
-- =====================================================================================

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
comment on function social_private.unique_handle(text) is
  'A free handle made from p_seed: its letters, digits and underscores (prefixed user when shorter '
  'than 3), with a random number appended while taken.';
revoke all on function social_private.unique_handle(text) from public;

-- A profile (with empty details and settings) for every new auth user. Display name and handle
-- come from the sign-up metadata (`handle`/`user_name`/`preferred_username`, the first of
-- `display_name`/`full_name`/`name` that shows something), falling back to the e-mail's local
-- part: an invisible name in the metadata never fails a sign-up.
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
  select left(btrim(c.name), 80) into v_name
  from unnest(array[v_meta ->> 'display_name', v_meta ->> 'full_name', v_meta ->> 'name',
                    split_part(coalesce(new.email, ''), '@', 1)]) with ordinality as c(name, position)
  where social_private.is_visible_text(left(btrim(c.name), 80))
  order by c.position
  limit 1;
  v_name := coalesce(v_name, 'New member');

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
comment on function social_private.handle_new_user() is
  'Trigger function (after insert on auth.users, on_auth_user_created): makes the profile, empty '
  'details and settings of a new user; handle and display name from the sign-up metadata (an '
  'invisible name falls back to the e-mail''s local part).';
revoke all on function social_private.handle_new_user() from public;
create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function social_private.handle_new_user();

-- Validate the time zone name against the server's zone list.
create function social_private.handle_profile_details_write()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.timezone is not null
     and not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = new.timezone) then
    perform social_private.raise_error(
      'invalid_input', 'invalid_timezone', format('unknown time zone %L', new.timezone));
  end if;
  new.interests := coalesce(new.interests, '{}');
  return new;
end;
$$;
comment on function social_private.handle_profile_details_write() is
  'Trigger function (before insert or update on profile_details): refuses an unknown time zone '
  '(invalid_timezone) and turns null interests into an empty list.';
revoke all on function social_private.handle_profile_details_write() from public;
create trigger on_profile_details_write before insert or update on social.profile_details
  for each row execute function social_private.handle_profile_details_write();

-- =====================================================================================
-- helpers for other domains
-- =====================================================================================

-- {id, handle, display_name, avatar_path} of a profile the caller may see (RLS), else null.
create function social_private.profile_summary(p_profile_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object('id', p.id, 'handle', p.handle, 'display_name', p.display_name,
                            'avatar_path', p.avatar_path)
  from social.profiles p
  where p.id = p_profile_id;
$$;
comment on function social_private.profile_summary(uuid) is
  '{id, handle, display_name, avatar_path} of a profile the caller may see (RLS applies), null '
  'otherwise; embedded in reports and notifications.';
grant execute on function social_private.profile_summary(uuid) to authenticated, service_role;

-- =====================================================================================
-- RPC (security invoker: RLS decides)
-- =====================================================================================

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
  v_card text[] := array['handle', 'display_name', 'avatar_media_id', 'visibility', 'discoverable', 'leaderboard_opt_in'];
  v_details text[] := array['bio', 'city', 'interests', 'timezone'];
  v_unknown text;
begin
  p_patch := social_private.jsonb_arg(p_patch);
  if p_patch is null or jsonb_typeof(p_patch) <> 'object' then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'the patch must be a JSON object');
  end if;
  select k into v_unknown from jsonb_object_keys(p_patch) k
  where k <> all (v_card || v_details || array['settings']) limit 1;
  if v_unknown is not null then
    perform social_private.raise_error(
      'invalid_input', 'invalid_field', format('%s is not a profile field', v_unknown));
  end if;
  if jsonb_typeof(p_patch -> 'avatar_media_id') not in ('string', 'null')
     or (p_patch ->> 'avatar_media_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'avatar_media_id must be a media id or null');
  end if;
  if p_patch ?| v_card then
    update social.profiles p set
      handle = case when p_patch ? 'handle' then (p_patch ->> 'handle')::extensions.citext else p.handle end,
      display_name = case when p_patch ? 'display_name' then p_patch ->> 'display_name' else p.display_name end,
      avatar_media_id = case when p_patch ? 'avatar_media_id' then (p_patch ->> 'avatar_media_id')::uuid
                             else p.avatar_media_id end,
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
grant execute on function social.update_my_profile(jsonb) to authenticated;

-- Find profiles by handle or name (discoverable ones, never across a block), best match first:
-- one page of the list `search_profiles`, order `best`, keyed by (score, id); the query is its
-- scope. Queries shorter than 2 characters find nothing.
create function social.search_profiles(
  p_query text,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  handle extensions.citext,
  display_name text,
  avatar_path text,
  visibility social.profile_visibility,
  discoverable boolean,
  leaderboard_opt_in boolean,
  followers_count integer,
  following_count integer,
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
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('search_profiles', 'best', p_query, p_cursor);
  v_ids uuid[];
  v_scores double precision[];
  v_next text;
begin
  if char_length(btrim(p_query)) < 2 then
    return;
  end if;
  select array_agg(x.id order by x.score desc, x.id desc),
         array_agg(x.score order by x.score desc, x.id desc)
    into v_ids, v_scores
  from (
    select s.id, s.score
    from (
      select p.id,
             (extensions.similarity(p.handle::text, p_query)
              + extensions.similarity(p.display_name, p_query))::double precision as score
      from social.profiles p
      where p.discoverable
        and (p.handle::text operator(extensions.%) p_query or p.display_name operator(extensions.%) p_query
             or p.handle::text ilike btrim(p_query) || '%')
    ) s
    where (s.score, s.id) < (v_key.score, v_key.id)
    order by s.score desc, s.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('search_profiles', 'best', p_query, null,
                                                v_scores[v_limit], v_ids[v_limit]);
  end if;

  return query
    select p.id, p.handle, p.display_name, p.avatar_path, p.visibility, p.discoverable,
           p.leaderboard_opt_in, p.followers_count, p.following_count, p.created_at, p.updated_at,
           v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(profile_id, position)
    join social.profiles p on p.id = k.profile_id
    order by k.position;
end;
$$;
comment on function social.search_profiles(text, text, integer) is
  'Discoverable profiles whose handle or display name resembles p_query, best first. p_cursor: '
  'the next_cursor of the previous page (same query); p_limit 1-50.';
grant execute on function social.search_profiles(text, text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
