-- Media attachments: content refers to media by id, and attaching is what makes a media item
-- readable by the content's audience (20261128001500_media.sql). Posts (up to 10) and comments
-- (up to 4) carry a `media` list of {id, alt?} references, which the triggers here complete from
-- each media row (bucket, path, type, mime_type, width, height, duration_ms, placeholder), so feed
-- rows are ready to render without a join; profiles and groups carry avatar_media_id, from which
-- avatar_path follows. SDK: social.media, posts/comments/profiles/groups inputs; tests:
-- tests/db/media.test.ts.
--
-- Events (20261128004500_event_media.sql), trips (20261128005300_trip_social.sql) and chat
-- messages (20261128002200_messages.sql) do the same from their own code: a domain with media
-- calls
--   new.media := social_private.resolve_media_list(new.media, '<target>', new.id, new.<author>);
-- before storing the list, and social_private.attach_media('<target>', new.id, <group or null>,
-- new.media) after it, detaches on delete like on_posts_deleted_media, and registers its target
-- with its bucket and the content's own read function in social_private.media_targets (one row;
-- social_private.can_view_media is regenerated with that arm). Until it registers, such media has
-- no bucket and is readable by its owner only.
--
-- A media item is attached to one thing at a time: listing it elsewhere is media_in_use. Taking it
-- out of a list (or deleting the content row) detaches it; the clean-up job removes unattached
-- uploads after a day. Deleting media that a post still lists leaves the item in the list with an
-- object nobody can read (URLs come back null) until the author edits the post.

-- =====================================================================================
-- the machinery (security definer: media rows are not the caller's to change)
-- =====================================================================================

-- A content's media list with every {id, alt?} completed from its media row, for p_target
-- (post, comment, event, message) p_target_id of author p_owner. Raises media_not_found (not a
-- media item of the author's), invalid_media (made for another bucket), media_in_use (attached
-- elsewhere), media_rejected, media_not_uploaded.
create function social_private.resolve_media_list(
  p_media jsonb,
  p_target social.media_target,
  p_target_id uuid,
  p_owner uuid
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_item jsonb;
  v_out jsonb := '[]';
  v_media social.media;
begin
  for v_item in select e.value from jsonb_array_elements(p_media) e loop
    select * into v_media from social.media m where m.id = (v_item ->> 'id')::uuid;
    if v_media.id is null or v_media.owner_id is distinct from p_owner then
      perform social_private.raise_error('not_found', 'media_not_found',
        format('no media %s of the author''s', v_item ->> 'id'));
    end if;
    if v_media.bucket_id <> social_private.media_bucket(p_target) then
      perform social_private.raise_error('invalid_input', 'invalid_media',
        format('media made for a %s cannot go on a %s', v_media.target_type, p_target));
    end if;
    if v_media.status = 'rejected' then
      perform social_private.raise_error('permission_denied', 'media_rejected', 'this media was rejected by moderation');
    end if;
    if v_media.target_id is not null and not (v_media.target_type = p_target and v_media.target_id = p_target_id) then
      perform social_private.raise_error('conflict', 'media_in_use', 'this media is attached to something else');
    end if;
    if v_media.uploaded_at is null then
      perform social_private.raise_error('conflict', 'media_not_uploaded', 'upload the file before attaching it');
    end if;
    v_out := v_out || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
      'id', v_media.id, 'bucket', v_media.bucket_id, 'path', v_media.path, 'type', v_media.kind,
      'mime_type', v_media.mime_type, 'width', v_media.width, 'height', v_media.height,
      'duration_ms', v_media.duration_ms, 'placeholder', v_media.placeholder, 'alt', v_item -> 'alt')));
  end loop;
  return v_out;
end;
$$;
comment on function social_private.resolve_media_list(jsonb, social.media_target, uuid, uuid) is
  'A content''s media list with each {id, alt?} completed from its media row (bucket, path, type, '
  'mime_type, width, height, duration_ms, placeholder). Raises media_not_found, invalid_media, '
  'media_in_use, media_rejected, media_not_uploaded.';
grant execute on function social_private.resolve_media_list(jsonb, social.media_target, uuid, uuid)
  to authenticated, service_role;

-- Make p_target p_target_id's attachments exactly the media listed in p_media (a list of {id});
-- p_group_id is the group the content is in (null outside groups).
create function social_private.attach_media(
  p_target social.media_target,
  p_target_id uuid,
  p_group_id uuid,
  p_media jsonb
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_ids uuid[] := array(select (e.value ->> 'id')::uuid from jsonb_array_elements(coalesce(p_media, '[]')) e);
begin
  update social.media m
  set target_type = p_target, target_id = p_target_id, group_id = p_group_id, attached_at = now()
  where m.id = any (v_ids) and m.target_id is null;
  update social.media m
  set target_id = null, attached_at = null, group_id = null
  where m.target_type = p_target and m.target_id = p_target_id and m.id <> all (v_ids);
end;
$$;
comment on function social_private.attach_media(social.media_target, uuid, uuid, jsonb) is
  'Makes the media listed in p_media ({id} items) the attachments of p_target p_target_id (in '
  'group p_group_id) and detaches the ones no longer listed.';
grant execute on function social_private.attach_media(social.media_target, uuid, uuid, jsonb)
  to authenticated, service_role;

-- =====================================================================================
-- posts and comments
-- =====================================================================================

-- Before a post or comment's media list is stored (after on_*_write checked its shape): complete
-- each reference from its media row.
create function social_private.handle_content_media()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.media = '[]'::jsonb or (tg_op = 'UPDATE' and new.media is not distinct from old.media) then
    return new;
  end if;
  new.media := social_private.resolve_media_list(
    new.media, case tg_table_name when 'posts' then 'post' else 'comment' end::social.media_target,
    new.id, new.author_id);
  return new;
end;
$$;
comment on function social_private.handle_content_media() is
  'Trigger function (before insert or update of media on posts and comments, on_posts_write_media*, '
  'on_comments_write_media*): completes each {id, alt?} of the media list from its media row.';
-- only when there is a list to complete (most posts and comments carry none: no call at all)
create trigger on_posts_write_media before insert on social.posts
  for each row when (new.media <> '[]'::jsonb)
  execute function social_private.handle_content_media();
create trigger on_posts_write_media_update before update of media on social.posts
  for each row when (new.media <> '[]'::jsonb and new.media is distinct from old.media)
  execute function social_private.handle_content_media();
create trigger on_comments_write_media before insert on social.comments
  for each row when (new.media <> '[]'::jsonb)
  execute function social_private.handle_content_media();
create trigger on_comments_write_media_update before update of media on social.comments
  for each row when (new.media <> '[]'::jsonb and new.media is distinct from old.media)
  execute function social_private.handle_content_media();

-- After a post or comment's media list changed: attach what it lists, detach what it dropped.
create function social_private.handle_content_media_written()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_group uuid;
begin
  if (tg_op = 'INSERT' and new.media = '[]'::jsonb)
     or (tg_op = 'UPDATE' and new.media is not distinct from old.media) then
    return null;
  end if;
  if tg_table_name = 'posts' then
    perform social_private.attach_media('post', new.id, new.group_id, new.media);
  else
    select p.group_id into v_group from social.posts p where p.id = new.post_id;
    perform social_private.attach_media('comment', new.id, v_group, new.media);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_content_media_written() is
  'Trigger function (after insert or update of media on posts and comments, '
  'on_posts_written_media*, on_comments_written_media*): attaches the listed media to the content '
  'and detaches what is no longer listed.';
-- only when something is to attach or detach
create trigger on_posts_written_media after insert on social.posts
  for each row when (new.media <> '[]'::jsonb)
  execute function social_private.handle_content_media_written();
create trigger on_posts_written_media_update after update of media on social.posts
  for each row when (new.media is distinct from old.media)
  execute function social_private.handle_content_media_written();
create trigger on_comments_written_media after insert on social.comments
  for each row when (new.media <> '[]'::jsonb)
  execute function social_private.handle_content_media_written();
create trigger on_comments_written_media_update after update of media on social.comments
  for each row when (new.media is distinct from old.media)
  execute function social_private.handle_content_media_written();

-- A post or comment row deleted (not soft-deleted): its media becomes unattached.
create function social_private.handle_content_media_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update social.media m
  set target_id = null, attached_at = null, group_id = null
  where m.target_type = case tg_table_name when 'posts' then 'post' else 'comment' end::social.media_target
    and m.target_id = old.id;
  return null;
end;
$$;
comment on function social_private.handle_content_media_deleted() is
  'Trigger function (after delete on posts and comments, on_posts_deleted_media, '
  'on_comments_deleted_media): detaches the deleted row''s media (the clean-up job removes it).';
create trigger on_posts_deleted_media after delete on social.posts
  for each row when (old.media <> '[]'::jsonb)
  execute function social_private.handle_content_media_deleted();
create trigger on_comments_deleted_media after delete on social.comments
  for each row when (old.media <> '[]'::jsonb)
  execute function social_private.handle_content_media_deleted();

-- =====================================================================================
-- avatars and group covers
-- =====================================================================================

-- Before a profile's or group's avatar_media_id changes: it must be an uploaded, not rejected
-- image in social-avatars, of the profile's user (for a group: of the user setting it, an owner
-- or admin by the groups policy), not attached elsewhere; avatar_path follows it.
create function social_private.handle_avatar_media()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_target social.media_target := case tg_table_name when 'profiles' then 'profile' else 'group_cover' end;
  v_owner uuid;
  v_media social.media;
begin
  -- separate statements: a profile row has no owner_id (plpgsql prepares each when it runs)
  if tg_table_name = 'profiles' then
    v_owner := new.id;
  else
    v_owner := coalesce(auth.uid(), new.owner_id);
  end if;
  if new.avatar_media_id is null then
    new.avatar_path := null;
    return new;
  end if;
  if tg_op = 'UPDATE' and new.avatar_media_id is not distinct from old.avatar_media_id then
    return new;
  end if;
  select * into v_media from social.media m where m.id = new.avatar_media_id;
  if v_media.id is null or v_media.owner_id is distinct from v_owner then
    perform social_private.raise_error('not_found', 'media_not_found', 'no such media of yours');
  end if;
  if v_media.bucket_id <> 'social-avatars' or v_media.kind <> 'image' then
    perform social_private.raise_error('invalid_input', 'invalid_media',
      'an avatar or cover is an image uploaded for one (target profile or group_cover)');
  end if;
  if v_media.status = 'rejected' then
    perform social_private.raise_error('permission_denied', 'media_rejected', 'this media was rejected by moderation');
  end if;
  if v_media.target_id is not null and not (v_media.target_type = v_target and v_media.target_id = new.id) then
    perform social_private.raise_error('conflict', 'media_in_use', 'this media is attached to something else');
  end if;
  if v_media.uploaded_at is null then
    perform social_private.raise_error('conflict', 'media_not_uploaded', 'upload the file before using it');
  end if;
  new.avatar_path := v_media.path;
  return new;
end;
$$;
comment on function social_private.handle_avatar_media() is
  'Trigger function (before insert or update of avatar_media_id on profiles and groups, '
  'on_profiles_avatar, on_groups_avatar): checks the media (an uploaded image of social-avatars '
  'by the profile''s user or the group''s admin) and sets avatar_path from it.';
create trigger on_profiles_avatar before insert or update of avatar_media_id on social.profiles
  for each row execute function social_private.handle_avatar_media();
create trigger on_groups_avatar before insert or update of avatar_media_id on social.groups
  for each row execute function social_private.handle_avatar_media();

-- After avatar_media_id changed: attach the new avatar or cover, detach the previous one.
create function social_private.handle_avatar_media_written()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (tg_op = 'INSERT' and new.avatar_media_id is null)
     or (tg_op = 'UPDATE' and new.avatar_media_id is not distinct from old.avatar_media_id) then
    return null;
  end if;
  perform social_private.attach_media(
    case tg_table_name when 'profiles' then 'profile' else 'group_cover' end::social.media_target,
    new.id,
    case when tg_table_name = 'groups' then new.id end,
    case when new.avatar_media_id is null then '[]'::jsonb
         else jsonb_build_array(jsonb_build_object('id', new.avatar_media_id)) end);
  return null;
end;
$$;
comment on function social_private.handle_avatar_media_written() is
  'Trigger function (after insert or update of avatar_media_id on profiles and groups, '
  'on_profiles_avatar_written, on_groups_avatar_written): attaches the new avatar or cover and '
  'detaches the previous one.';
create trigger on_profiles_avatar_written after insert or update of avatar_media_id on social.profiles
  for each row execute function social_private.handle_avatar_media_written();
create trigger on_groups_avatar_written after insert or update of avatar_media_id on social.groups
  for each row execute function social_private.handle_avatar_media_written();

revoke execute on all functions in schema social, social_private from public;
