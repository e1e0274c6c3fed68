-- Media: photos and videos in Supabase Storage, with a social.media row per object that says what
-- it is attached to; who reads or writes an object is RLS on storage.objects, calling the same
-- functions as the content it belongs to. Moderation, reports on media and the clean-up job are in
-- 20261128001600_media_moderation.sql. SDK: social.media; tests: tests/db/media.test.ts,
-- tests/sdk/media.test.ts; benchmark: npm run bench -- media.
--
-- Buckets (rows in storage.buckets, created here: Supabase's `postgres` has every privilege on
-- storage.buckets and storage.objects and may add policies and triggers to them, but may not
-- create objects in the storage schema). Prefixed with `social-` so they never meet a host app's
-- own `avatars` bucket and its policies:
--   social-avatars  public read   2 MiB   images        profile avatars and group covers
--   social-posts    private      50 MiB   images, video posts and comments (on profiles and in groups)
--   social-groups   private      50 MiB   images, video a group's own media (its album)
--   social-events   private      50 MiB   images, video events' covers and media (20261128004500_event_media.sql)
--   social-chat     private      25 MiB   images, video chat messages' attachments (20261128002200_messages.sql)
-- Path convention: `<owner id>/<media id>.<ext>`; the media row is made first
-- (social.create_media), which fixes the path; the upload must go exactly there.
--
-- The life of a media item:
--   1. social.create_media(target, mime type, size, ...) checks the type and size against the
--      bucket's limits (media_type_not_allowed, media_too_large), rate limits ('media', 30 a
--      minute) and returns the row with bucket_id and path; status pending, not uploaded.
--   2. The client uploads the bytes to that path (supabase.storage.from(bucket).upload, or a signed
--      upload URL). The insert policy admits only the owner, under their own folder, into a row
--      of theirs that has no object yet. When Storage writes the object row, the trigger
--      on_social_media_object_created stamps uploaded_at, the size and type Storage measured, and
--      the status the moderation hook gives (default: approved).
--   3. Content attaches it: a post's or comment's `media` list of {id, alt?} (completed here from
--      the row), a profile's or group's avatar_media_id; a group's album media is attached to the
--      group at creation. Events (cover_media_id, media), trips (cover_media_id) and chat
--      messages (attachments, in send_message) attach through social_private.resolve_media_list
--      and social_private.attach_media.
--   4. Unattached uploads and the objects of deleted rows are removed by the clean-up job
--      (social.cleanup_media + the media-cleanup edge function).
--
-- Who reads an object (social_private.can_view_media, the one rule, used by the storage.objects
-- policies and the social.media policies alike): nobody when rejected; only its owner while pending
-- or unattached; once approved and attached, whoever may see what it is attached to, through the
-- content's own function, which its domain registers in social_private.media_targets (see "the
-- registry of media targets" below): a post -> can_view_post (deleted posts, blocks and group
-- membership included), a comment -> can_view_comment, a group's album -> can_read_group, a group
-- cover -> can_see_group, an avatar -> the profile card (not across a block), all registered here;
-- an event's cover and media -> can_view_event (20261128004500_event_media.sql), a trip's cover ->
-- can_view_trip (20261128005300_trip_social.sql), a message's attachments ->
-- can_view_message_media (20261128002200_messages.sql). Who deletes: the owner, and the staff of
-- the group the media is in (group_id). Objects are never overwritten (no update policy).

-- =====================================================================================
-- types
-- =====================================================================================

create type social.media_kind as enum ('image', 'video');
comment on type social.media_kind is 'image or video; derived from the MIME type.';

create type social.media_status as enum ('pending', 'approved', 'rejected');
comment on type social.media_status is
  'pending: waiting for its bytes or for moderation (only the owner reads it); approved: readable '
  'where its content is; rejected: readable by nobody.';

create type social.media_target as enum ('profile', 'group_cover', 'group', 'post', 'comment', 'event', 'message');
comment on type social.media_target is
  'What a media item is for: profile (an avatar) and group_cover (social-avatars, public), group '
  '(a group''s album, social-groups), post and comment (social-posts), event (social-events), '
  'message (social-chat).';

-- =====================================================================================
-- buckets
-- =====================================================================================

-- Idempotent: `supabase db reset` keeps the rows of storage.buckets.
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values
  ('social-avatars', 'social-avatars', true, 2097152,
   array['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'image/avif']),
  ('social-posts', 'social-posts', false, 52428800,
   array['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'image/avif',
         'video/mp4', 'video/quicktime', 'video/webm']),
  ('social-groups', 'social-groups', false, 52428800,
   array['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'image/avif',
         'video/mp4', 'video/quicktime', 'video/webm']),
  ('social-events', 'social-events', false, 52428800,
   array['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'image/avif',
         'video/mp4', 'video/quicktime', 'video/webm']),
  ('social-chat', 'social-chat', false, 26214400,
   array['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'image/avif',
         'video/mp4', 'video/quicktime', 'video/webm'])
on conflict (id) do update
  set name = excluded.name, public = excluded.public, file_size_limit = excluded.file_size_limit,
      allowed_mime_types = excluded.allowed_mime_types;

insert into social_private.rate_limit_rules (action, per_minute) values ('media', 30)
on conflict (action) do nothing;

-- =====================================================================================
-- the registry of media targets
-- =====================================================================================
--
-- Each domain whose content carries media registers its target with one row, in its own
-- migration (as Realtime topics register in social_private.realtime_topics):
--   insert into social_private.media_targets (target, bucket_id, read_check)
--   values ('event', 'social-events', 'social_private.can_view_event(uuid)');
-- read_check is the function the content's own RLS uses: (p_target_id uuid) returns boolean, for
-- the caller (auth.uid(); null for anon). A registration rewrites social_private.can_view_media
-- (the one rule of who reads media, below) and social_private.media_bucket as static code, a
-- CASE over the registered targets (on_media_targets_changed -> rebuild_media_target_functions):
-- can_view_media runs per row in the storage.objects policies and for every item of a feed page,
-- so it calls each check directly, with no dynamic SQL and no registry look-up per call. A target
-- of social.media_target without a row has no bucket (create_media refuses it) and its media is
-- readable by its owner only.

create table social_private.media_targets (
  target social.media_target primary key,
  bucket_id text not null,
  read_check regprocedure not null,
  constraint media_targets_bucket_format check (bucket_id ~ '^social-[a-z]{1,32}$')
);
comment on table social_private.media_targets is
  'One row per media target (post, comment, event, message, ...): its storage bucket and the '
  'function that decides who reads media attached to it. Each domain registers its own; '
  'can_view_media and media_bucket are regenerated from these rows.';
comment on column social_private.media_targets.target is 'The target (a value of social.media_target).';
comment on column social_private.media_targets.bucket_id is
  'The storage bucket (storage.buckets.id) the target''s uploads go to.';
comment on column social_private.media_targets.read_check is
  'function(p_target_id uuid) returns boolean: may the caller see the content p_target_id (the '
  'function its own RLS uses)? Media attached to it is readable exactly then.';
revoke all on social_private.media_targets from public, anon, authenticated, service_role;

-- Rewrite social_private.can_view_media(owner, status, target type, target id) and
-- social_private.media_bucket(target) from the registry: static code with one CASE arm per
-- registered target, each calling its check directly. Runs as the migration's role (the owner of
-- both functions); create or replace keeps their grants.
create function social_private.rebuild_media_target_functions()
returns void
language plpgsql
volatile
set search_path = ''
as $fn$
declare
  v_bad text;
  v_arms text;
  v_buckets text;
  v_checks text;
begin
  select string_agg(t.target::text, ', ') into v_bad
  from social_private.media_targets t
  join pg_catalog.pg_proc p on p.oid = t.read_check
  where p.pronargs <> 1 or p.proargtypes[0] <> 'uuid'::regtype or p.prorettype <> 'boolean'::regtype;
  if v_bad is not null then
    perform social_private.raise_error('invalid_input', 'invalid_input',
      format('a media target''s read check takes (uuid) and returns boolean: %s', v_bad));
  end if;
  select coalesce(string_agg(format('    when %L then%s      return %s(p_target_id);', t.target, chr(10),
                                    t.read_check::regproc), chr(10) order by t.target),
                  '    when null then' || chr(10) || '      return false;'),
         coalesce(string_agg(format('    when %L then %L', t.target, t.bucket_id), chr(10) order by t.target),
                  '    when null then null'),
         coalesce(string_agg(format('%s -> %s', t.target, t.read_check::regproc), ', ' order by t.target), 'none')
    into v_arms, v_buckets, v_checks
  from social_private.media_targets t;

  execute format($def$
create or replace function social_private.can_view_media(
  p_owner uuid,
  p_status social.media_status,
  p_target_type social.media_target,
  p_target_id uuid
)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $body$
-- generated by social_private.rebuild_media_target_functions() from social_private.media_targets
declare
  v_uid uuid := auth.uid();
begin
  if p_status = 'rejected' then
    return false;
  end if;
  if p_target_id is null or p_status = 'pending' then
    return v_uid is not null and p_owner = v_uid;
  end if;
  case p_target_type
%s
    else
      return false;
  end case;
end;
$body$;
$def$, v_arms);
  execute format('comment on function social_private.can_view_media(uuid, social.media_status, social.media_target, uuid) is %L',
    'May the caller read a media item with this owner, status and target? Never when rejected; the owner '
    || 'only while pending or unattached; then whoever may see the content, by the check its domain '
    || 'registered in media_targets (' || v_checks || '); false for a target without one. Generated.');

  execute format($def$
create or replace function social_private.media_bucket(p_target social.media_target)
returns text
language sql
immutable
set search_path = ''
as $body$
  -- generated by social_private.rebuild_media_target_functions() from social_private.media_targets
  select case p_target
%s
  end;
$body$;
$def$, v_buckets);
  execute format('comment on function social_private.media_bucket(social.media_target) is %L',
    'The storage bucket of a media target, as registered in media_targets; null for a target '
    || 'without a row. Generated.');
end;
$fn$;
comment on function social_private.rebuild_media_target_functions() is
  'Regenerates social_private.can_view_media(uuid, media_status, media_target, uuid) and '
  'social_private.media_bucket(media_target) from social_private.media_targets (a static CASE over '
  'the registered targets). Run by on_media_targets_changed.';

-- A registration changed: regenerate the functions that read the registry.
create function social_private.handle_media_targets_changed()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform social_private.rebuild_media_target_functions();
  return null;
end;
$$;
comment on function social_private.handle_media_targets_changed() is
  'Trigger function (after any change of media_targets, on_media_targets_changed): '
  'rebuild_media_target_functions().';
create trigger on_media_targets_changed after insert or update or delete or truncate on social_private.media_targets
  for each statement execute function social_private.handle_media_targets_changed();

-- The file extension of a MIME type media may have, or null for any other type.
create function social_private.media_extension(p_mime_type text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case p_mime_type
    when 'image/jpeg' then 'jpg' when 'image/png' then 'png' when 'image/webp' then 'webp'
    when 'image/gif' then 'gif' when 'image/heic' then 'heic' when 'image/heif' then 'heif'
    when 'image/avif' then 'avif' when 'video/mp4' then 'mp4' when 'video/quicktime' then 'mov'
    when 'video/webm' then 'webm'
  end;
$$;
comment on function social_private.media_extension(text) is
  'The file extension for a media MIME type (jpg, png, webp, gif, heic, heif, avif, mp4, mov, '
  'webm); null for types media may not have.';
grant execute on function social_private.media_extension(text) to authenticated, service_role;

-- =====================================================================================
-- the media table
-- =====================================================================================

create table social.media (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references social.profiles (id) on delete cascade,
  bucket_id text not null,
  path text not null,
  kind social.media_kind not null,
  mime_type text not null,
  size_bytes bigint not null,
  width integer,
  height integer,
  duration_ms integer,
  placeholder text,
  status social.media_status not null default 'pending',
  target_type social.media_target not null,
  target_id uuid,
  group_id uuid references social.groups (id) on delete cascade,
  uploaded_at timestamptz,
  attached_at timestamptz,
  moderated_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint media_object_key unique (bucket_id, path),
  constraint media_size_positive check (size_bytes > 0),
  constraint media_dimensions check (width between 1 and 20000 and height between 1 and 20000),
  constraint media_duration check (duration_ms is null or (duration_ms between 0 and 86400000 and kind = 'video')),
  constraint media_placeholder_length check (char_length(placeholder) between 1 and 128),
  constraint media_attached_pair check ((target_id is null) = (attached_at is null))
);
comment on table social.media is
  'One row per uploaded (or announced) photo or video in a social-* storage bucket: what it is and '
  'what it is attached to. Made by social.create_media; its object is readable where its content '
  'is (social_private.can_view_media). Clients read rows through RLS and write through RPCs.';
comment on column social.media.id is 'The media id; content lists it as {id} and its path ends in it.';
comment on column social.media.owner_id is
  'Who uploaded it; the object lives under <owner_id>/ and only they upload there. Deleting the '
  'user deletes the row and (by the clean-up job) the object.';
comment on column social.media.bucket_id is
  'The storage bucket (storage.buckets.id), fixed by target_type at creation.';
comment on column social.media.path is
  'The object''s name in the bucket: <owner_id>/<id>.<ext>. (bucket_id, path) names one '
  'storage.objects row.';
comment on column social.media.kind is 'image or video, from the MIME type.';
comment on column social.media.mime_type is
  'MIME type: announced at creation, then the one Storage recorded for the upload.';
comment on column social.media.size_bytes is
  'Size in bytes: announced at creation (checked against the bucket''s limit), then the size '
  'Storage measured.';
comment on column social.media.width is 'Width in pixels as the client sent it (1-20000), for layout.';
comment on column social.media.height is 'Height in pixels as the client sent it (1-20000), for layout.';
comment on column social.media.duration_ms is 'Length of a video in milliseconds (0-86400000); null for images.';
comment on column social.media.placeholder is
  'What to show while loading, as the client sent it: a blurhash or a #rrggbb colour (1-128 '
  'characters).';
comment on column social.media.status is
  'pending until the upload arrives and the moderation hook approves it; rejected by staff, the '
  'platform or the hook (see type social.media_status).';
comment on column social.media.target_type is
  'What it is for (see type social.media_target); a post''s media may go on a comment and back.';
comment on column social.media.target_id is
  'The profile, group, post, comment, event or message it is attached to; null while unattached '
  '(the clean-up job removes unattached uploads after a day).';
comment on column social.media.group_id is
  'The group its content is in (a post or comment in a group, a group''s album or cover): that '
  'group''s staff may delete or moderate it and get its reports. Null outside groups.';
comment on column social.media.uploaded_at is
  'When Storage stored the object (set by the on_social_media_object_created trigger); null '
  'before.';
comment on column social.media.attached_at is 'When it was attached to target_id; null while unattached.';
comment on column social.media.moderated_at is
  'When staff, the platform or the moderation hook last set the status; null when only the '
  'default hook approved it.';
comment on column social.media.created_at is 'When the row was made (social.create_media).';
comment on column social.media.updated_at is 'Last change of the row; set by on_media_updated.';
create index media_owner_idx on social.media (owner_id, created_at desc);
create index media_target_idx on social.media (target_type, target_id, created_at desc) where target_id is not null;
create index media_group_idx on social.media (group_id) where group_id is not null;
create index media_unattached_idx on social.media (created_at) where target_id is null;
create index media_pending_idx on social.media (created_at) where status = 'pending';
alter table social.media enable row level security;
grant select on social.media to anon, authenticated;
grant all on social.media to service_role;
create trigger on_media_updated before update on social.media
  for each row execute function social_private.handle_updated_at();

-- avatars and covers are media references (the columns are in the profiles and groups migrations)
alter table social.profiles
  add constraint profiles_avatar_media_id_fkey foreign key (avatar_media_id)
  references social.media (id) on delete set null;
create index profiles_avatar_media_idx on social.profiles (avatar_media_id) where avatar_media_id is not null;
alter table social.groups
  add constraint groups_avatar_media_id_fkey foreign key (avatar_media_id)
  references social.media (id) on delete set null;
create index groups_avatar_media_idx on social.groups (avatar_media_id) where avatar_media_id is not null;

-- =====================================================================================
-- who reads, uploads and deletes (security definer: they read media rows, posts, groups and
-- blocks the caller may not see)
-- =====================================================================================

-- May the caller (anon when auth.uid() is null) read a media item with these columns? The one
-- rule (see the header), generated from the registry above: social_private.can_view_media(owner,
-- status, target type, target id). The media domain registers its own targets here; each asks the
-- function its content's own RLS uses.

-- An avatar follows the profile card: everyone signed in except across a block
-- (profiles_select_visible); visitors: public profiles.
create function social_private.can_view_profile_media(p_profile_id uuid)
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
    return exists (select 1 from social.profiles a where a.id = p_profile_id and a.visibility = 'public');
  end if;
  return p_profile_id = v_uid or not social_private.is_blocked_with(p_profile_id);
end;
$$;
comment on function social_private.can_view_profile_media(uuid) is
  'May the caller see profile p_profile_id''s avatar? Its card: signed in and no block between '
  'them; visitors: public profiles. The `profile` media target''s check.';

-- A group's cover follows the group: can_see_group; visitors: public groups.
create function social_private.can_view_group_cover_media(p_group_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null then
    return exists (select 1 from social.groups g where g.id = p_group_id and g.visibility = 'public');
  end if;
  return social_private.can_see_group(p_group_id);
end;
$$;
comment on function social_private.can_view_group_cover_media(uuid) is
  'May the caller see group p_group_id''s cover? can_see_group; visitors: public groups. The '
  '`group_cover` media target''s check.';

insert into social_private.media_targets (target, bucket_id, read_check) values
  ('profile', 'social-avatars', 'social_private.can_view_profile_media(uuid)'),
  ('group_cover', 'social-avatars', 'social_private.can_view_group_cover_media(uuid)'),
  ('group', 'social-groups', 'social_private.can_read_group(uuid)'),
  ('post', 'social-posts', 'social_private.can_view_post(uuid)'),
  ('comment', 'social-posts', 'social_private.can_view_comment(uuid)');
-- (the insert made both functions)
grant execute on function social_private.media_bucket(social.media_target) to authenticated, service_role;
grant execute on function social_private.can_view_media(uuid, social.media_status, social.media_target, uuid)
  to anon, authenticated, service_role;

-- May the caller read the object p_name in bucket p_bucket_id? For the storage.objects policies:
-- an object without a media row is nobody's to read (service_role bypasses RLS).
create function social_private.can_view_media(p_bucket_id text, p_name text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_media record;
begin
  select m.owner_id, m.status, m.target_type, m.target_id into v_media
  from social.media m
  where m.bucket_id = p_bucket_id and m.path = p_name;
  if not found then
    return false;
  end if;
  return social_private.can_view_media(v_media.owner_id, v_media.status, v_media.target_type, v_media.target_id);
end;
$$;
comment on function social_private.can_view_media(text, text) is
  'May the caller read storage object p_name of bucket p_bucket_id? can_view_media of its media '
  'row; false when it has none.';
grant execute on function social_private.can_view_media(text, text) to anon, authenticated, service_role;

-- May the caller read media p_media_id?
create function social_private.can_view_media(p_media_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_media record;
begin
  select m.owner_id, m.status, m.target_type, m.target_id into v_media
  from social.media m where m.id = p_media_id;
  if not found then
    return false;
  end if;
  return social_private.can_view_media(v_media.owner_id, v_media.status, v_media.target_type, v_media.target_id);
end;
$$;
comment on function social_private.can_view_media(uuid) is
  'May the caller read media p_media_id? False when it does not exist.';
grant execute on function social_private.can_view_media(uuid) to anon, authenticated, service_role;

-- May the caller upload the object p_name of bucket p_bucket_id? Only into a media row of theirs
-- that has no object yet and is not rejected.
create function social_private.can_upload_media(p_bucket_id text, p_name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from social.media m
    where m.bucket_id = p_bucket_id and m.path = p_name and m.owner_id = (select auth.uid())
      and m.uploaded_at is null and m.status <> 'rejected'
  );
$$;
comment on function social_private.can_upload_media(text, text) is
  'May the caller upload object p_name to bucket p_bucket_id? Only into a media row of theirs not '
  'yet uploaded and not rejected.';
grant execute on function social_private.can_upload_media(text, text) to authenticated, service_role;

-- May the caller delete a media item of p_owner in group p_group_id? The owner, and the staff of
-- the group the media is in.
create function social_private.can_delete_media(p_owner uuid, p_group_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (auth.uid() is not null and p_owner = auth.uid())
    or (p_group_id is not null and social_private.is_group_staff(p_group_id));
end;
$$;
comment on function social_private.can_delete_media(uuid, uuid) is
  'May the caller delete a media item of p_owner in group p_group_id? Its owner, and the staff of '
  'that group.';
grant execute on function social_private.can_delete_media(uuid, uuid) to authenticated, service_role;

-- May the caller delete the object p_name of bucket p_bucket_id (through Storage)?
create function social_private.can_delete_media(p_bucket_id text, p_name text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_media record;
begin
  select m.owner_id, m.group_id into v_media
  from social.media m where m.bucket_id = p_bucket_id and m.path = p_name;
  return found and social_private.can_delete_media(v_media.owner_id, v_media.group_id);
end;
$$;
comment on function social_private.can_delete_media(text, text) is
  'May the caller delete storage object p_name of bucket p_bucket_id? can_delete_media of its '
  'media row; false when it has none.';
grant execute on function social_private.can_delete_media(text, text) to authenticated, service_role;

-- the owner sees their media rows (status included); others what can_view_media admits
create policy media_select_visible on social.media
  for select to authenticated
  using (owner_id = (select auth.uid()) or social_private.can_view_media(owner_id, status, target_type, target_id));
-- visitors see the media of content they may see (public posts of public profiles, ...)
create policy media_select_anon on social.media
  for select to anon
  using (social_private.can_view_media(owner_id, status, target_type, target_id));

-- =====================================================================================
-- policies on storage.objects (the Storage API runs them as the caller; service_role bypasses)
-- =====================================================================================

-- signed-in users read (download, sign, list) the objects whose media they may see
create policy social_media_select_visible on storage.objects
  for select to authenticated
  using (
    bucket_id in ('social-avatars', 'social-posts', 'social-groups', 'social-events', 'social-chat')
    and social_private.can_view_media(bucket_id, name)
  );
-- visitors read the objects of media on content they may see
create policy social_media_select_anon on storage.objects
  for select to anon
  using (
    bucket_id in ('social-avatars', 'social-posts', 'social-groups', 'social-events', 'social-chat')
    and social_private.can_view_media(bucket_id, name)
  );
-- the owner uploads under their own folder, into a media row of theirs that has no object yet
create policy social_media_insert_owner on storage.objects
  for insert to authenticated
  with check (
    bucket_id in ('social-avatars', 'social-posts', 'social-groups', 'social-events', 'social-chat')
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and social_private.can_upload_media(bucket_id, name)
  );
-- the owner, or the staff of the media's group, delete the object (its media row goes with it)
create policy social_media_delete_owner_or_staff on storage.objects
  for delete to authenticated
  using (
    bucket_id in ('social-avatars', 'social-posts', 'social-groups', 'social-events', 'social-chat')
    and social_private.can_delete_media(bucket_id, name)
  );

-- =====================================================================================
-- objects arriving and leaving (triggers on storage.objects; Storage writes the final row as
-- its own superuser role, so these are security definer and read the owner from the row)
-- =====================================================================================

-- Objects of deleted media rows, waiting for the clean-up job to remove them through Storage
-- (deleting storage.objects rows in SQL would leave the bytes behind).
create table social_private.media_trash (
  bucket_id text not null,
  path text not null,
  attempts integer not null default 0,
  created_at timestamptz not null default now(),
  primary key (bucket_id, path)
);
comment on table social_private.media_trash is
  'Storage objects whose media row is gone (deleted, its owner deleted, an unattached upload '
  'expired, a public avatar rejected); social.cleanup_media hands them to the media-cleanup edge '
  'function, and the row leaves when Storage deletes the object.';
comment on column social_private.media_trash.bucket_id is 'The object''s bucket (storage.objects.bucket_id).';
comment on column social_private.media_trash.path is 'The object''s name (storage.objects.name).';
comment on column social_private.media_trash.attempts is
  'How many times social.cleanup_media has handed it out without Storage deleting it.';
comment on column social_private.media_trash.created_at is 'When its media row went.';
revoke all on social_private.media_trash from public, anon, authenticated;
grant all on social_private.media_trash to service_role;

-- Storage stored an object in a social-* bucket: complete its media row (uploaded_at, the size
-- and type Storage measured) and give it the status the moderation hook decides.
-- (@supabase/lite stores the metadata as a JSON string inside jsonb: jsonb_arg unwraps it.)
create function social_private.handle_media_object_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_meta jsonb := social_private.jsonb_arg(new.metadata);
  v_size bigint;
  v_mime text;
  v_media social.media;
begin
  if jsonb_typeof(v_meta) = 'object' then
    v_size := case when v_meta ->> 'size' ~ '^[0-9]{1,15}$' then (v_meta ->> 'size')::bigint
                   when v_meta ->> 'contentLength' ~ '^[0-9]{1,15}$' then (v_meta ->> 'contentLength')::bigint end;
    v_mime := nullif(lower(btrim(split_part(v_meta ->> 'mimetype', ';', 1))), '');
  end if;
  update social.media m
  set uploaded_at = now(),
      size_bytes = case when v_size > 0 then v_size else m.size_bytes end,
      mime_type = case when social_private.media_extension(v_mime) is not null then v_mime else m.mime_type end,
      kind = case when v_mime like 'video/%' then 'video'
                  when v_mime like 'image/%' then 'image' else m.kind end::social.media_kind,
      duration_ms = case when v_mime like 'image/%' then null else m.duration_ms end
  where m.bucket_id = new.bucket_id and m.path = new.name and m.uploaded_at is null
  returning * into v_media;
  if v_media.id is not null then
    perform social_private.set_media_status(v_media.id, social_private.media_moderation_hook(v_media), null, 'hook');
  end if;
  return null;
end;
$$;
comment on function social_private.handle_media_object_created() is
  'Trigger function (after insert on storage.objects in social-* buckets, '
  'on_social_media_object_created): stamps the media row uploaded, with the size and type Storage '
  'recorded, and sets the status the moderation hook returns.';
create trigger on_social_media_object_created after insert on storage.objects
  for each row when (new.bucket_id in ('social-avatars', 'social-posts', 'social-groups', 'social-events', 'social-chat'))
  execute function social_private.handle_media_object_created();

-- Storage deleted an object: its media row goes too, and it is no longer trash.
create function social_private.handle_media_object_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from social_private.media_trash t where t.bucket_id = old.bucket_id and t.path = old.name;
  delete from social.media m where m.bucket_id = old.bucket_id and m.path = old.name;
  return null;
end;
$$;
comment on function social_private.handle_media_object_deleted() is
  'Trigger function (after delete on storage.objects in social-* buckets, '
  'on_social_media_object_deleted): deletes the object''s media row and its trash entry.';
create trigger on_social_media_object_deleted after delete on storage.objects
  for each row when (old.bucket_id in ('social-avatars', 'social-posts', 'social-groups', 'social-events', 'social-chat'))
  execute function social_private.handle_media_object_deleted();

-- A media row went while its object is still stored: queue the object for the clean-up job.
create function social_private.handle_media_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into social_private.media_trash (bucket_id, path)
  select old.bucket_id, old.path
  where exists (select 1 from storage.objects o where o.bucket_id = old.bucket_id and o.name = old.path)
  on conflict (bucket_id, path) do nothing;
  return null;
end;
$$;
comment on function social_private.handle_media_deleted() is
  'Trigger function (after delete on media, on_media_deleted): queues the object, if stored, in '
  'social_private.media_trash for the clean-up job.';
create trigger on_media_deleted after delete on social.media
  for each row execute function social_private.handle_media_deleted();

-- =====================================================================================
-- RPC (security invoker wrappers; the bodies are security definer: media rows are not
-- client-writable)
-- =====================================================================================

-- Announce an upload: check the type and size against the target's bucket, make the row and its
-- path. A group's album media (p_target 'group') is attached to p_group_id at once (members only).
create function social_private.create_media(
  p_target social.media_target,
  p_mime_type text,
  p_size_bytes bigint,
  p_width integer,
  p_height integer,
  p_duration_ms integer,
  p_placeholder text,
  p_group_id uuid
)
returns social.media
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_id uuid := gen_random_uuid();
  v_bucket text;
  v_limit bigint;
  v_allowed text[];
  v_mime text := lower(btrim(p_mime_type));
  v_ext text;
  v_row social.media;
begin
  perform social_private.check_rate_limit('media');
  if p_target is null then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'say what the media is for');
  end if;
  v_bucket := social_private.media_bucket(p_target);
  select b.file_size_limit, b.allowed_mime_types into v_limit, v_allowed
  from storage.buckets b where b.id = v_bucket;
  if not found then
    perform social_private.raise_error('invalid_input', 'invalid_target',
      format('media for %s is not set up (no bucket %s)', p_target, v_bucket));
  end if;
  v_ext := social_private.media_extension(v_mime);
  if v_ext is null or (cardinality(v_allowed) > 0 and not exists (
    select 1 from unnest(v_allowed) a
    where a = v_mime or (right(a, 2) = '/*' and split_part(a, '/', 1) = split_part(v_mime, '/', 1))
  )) then
    perform social_private.raise_error('invalid_input', 'media_type_not_allowed',
      format('%s media cannot be %s', p_target, coalesce(v_mime, 'of no type')));
  end if;
  if p_size_bytes is null or p_size_bytes < 1 then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'the size is a positive number of bytes');
  end if;
  if p_size_bytes > v_limit then
    perform social_private.raise_error('invalid_input', 'media_too_large',
      format('%s media is at most %s bytes', p_target, v_limit));
  end if;
  if p_width not between 1 and 20000 or p_height not between 1 and 20000 then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'width and height are 1-20000 pixels');
  end if;
  if p_duration_ms is not null and (v_mime not like 'video/%' or p_duration_ms not between 0 and 86400000) then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'only a video has a duration (0-86400000 ms)');
  end if;
  if char_length(p_placeholder) not between 1 and 128 then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'a placeholder is 1-128 characters');
  end if;
  if p_target = 'group' then
    if p_group_id is null or not social_private.can_see_group(p_group_id) then
      perform social_private.raise_error('not_found', 'group_not_found', 'no such group');
    end if;
    if not social_private.is_group_member(p_group_id) then
      perform social_private.raise_error('permission_denied', 'group_forbidden', 'join the group to add to its media');
    end if;
  elsif p_group_id is not null then
    perform social_private.raise_error('invalid_input', 'invalid_target',
      'only group media names a group; other media takes its group from its content');
  end if;

  insert into social.media (id, owner_id, bucket_id, path, kind, mime_type, size_bytes, width, height,
                            duration_ms, placeholder, target_type, target_id, group_id, attached_at)
  values (v_id, v_me, v_bucket, v_me::text || '/' || v_id::text || '.' || v_ext,
          case when v_mime like 'video/%' then 'video' else 'image' end::social.media_kind,
          v_mime, p_size_bytes, p_width, p_height, p_duration_ms, p_placeholder, p_target,
          case when p_target = 'group' then p_group_id end,
          case when p_target = 'group' then p_group_id end,
          case when p_target = 'group' then now() end)
  returning * into v_row;
  return v_row;
end;
$$;
comment on function social_private.create_media(social.media_target, text, bigint, integer, integer, integer, text, uuid) is
  'Body of social.create_media (security definer): checks and makes a pending media row of the '
  'caller with its bucket and path.';
grant execute on function social_private.create_media(social.media_target, text, bigint, integer, integer, integer, text, uuid)
  to authenticated, service_role;

create function social.create_media(
  p_target social.media_target,
  p_mime_type text,
  p_size_bytes bigint,
  p_width integer default null,
  p_height integer default null,
  p_duration_ms integer default null,
  p_placeholder text default null,
  p_group_id uuid default null
)
returns social.media
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.create_media(p_target, p_mime_type, p_size_bytes, p_width, p_height, p_duration_ms,
                                     p_placeholder, p_group_id);
$$;
comment on function social.create_media(social.media_target, text, bigint, integer, integer, integer, text, uuid) is
  'Announce an upload of p_size_bytes of p_mime_type for p_target; returns the media row with '
  'bucket_id and path to upload to. Errors: media_type_not_allowed, media_too_large, '
  'invalid_target, group_not_found, group_forbidden, rate_limited.';
grant execute on function social.create_media(social.media_target, text, bigint, integer, integer, integer, text, uuid)
  to authenticated, service_role;

-- Delete a media row: its owner, or the staff of its group. Its object (if stored) is removed by
-- the clean-up job. For an object that is stored and readable, deleting it through Storage
-- removes both at once.
create function social_private.delete_media(p_media_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_media record;
begin
  perform social_private.require_user();
  select m.id, m.owner_id, m.group_id into v_media from social.media m where m.id = p_media_id for update;
  if not found then
    return; -- already gone: a retried delete succeeds
  end if;
  if not social_private.can_delete_media(v_media.owner_id, v_media.group_id) then
    if social_private.can_view_media(p_media_id) then
      perform social_private.raise_error('permission_denied', 'not_allowed',
        'only the owner or the group''s staff may delete this media');
    end if;
    perform social_private.raise_error('not_found', 'media_not_found', 'no such media');
  end if;
  delete from social.media m where m.id = p_media_id;
end;
$$;
comment on function social_private.delete_media(uuid) is
  'Body of social.delete_media (security definer): the owner or the group''s staff delete the row; '
  'its object goes to the clean-up job.';
grant execute on function social_private.delete_media(uuid) to authenticated, service_role;

create function social.delete_media(p_media_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.delete_media(p_media_id);
$$;
comment on function social.delete_media(uuid) is
  'Delete a media item (its owner or the group''s staff); idempotent. Errors: media_not_found, '
  'not_allowed.';
grant execute on function social.delete_media(uuid) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
