-- Media moderation and clean-up: the outside moderation hook, staff and platform decisions, reports
-- on media, and the clean-up job. The media rows and the read rule are in
-- 20261128001500_media.sql. SDK: social.media (moderate, report through social.moderation);
-- edge functions: media-moderation (the hook's endpoint), media-cleanup; tests:
-- tests/db/media.test.ts, tests/functions/media.test.ts.
--
--   * When an upload's bytes arrive, social_private.media_moderation_hook(row) decides its status.
--     The default approves everything. To moderate uploads with an outside service, replace it
--     (create or replace, same signature) with one that hands the row to the service (e.g.
--     pg_net) and returns 'pending'; the service answers through the media-moderation edge
--     function, which calls social.moderate_media as service_role. Pending media is readable by
--     its owner only; rejected media by nobody.
--   * Staff of the media's group, and the platform (service_role), approve or reject media with a
--     reason (social.moderate_media). Every decision is in social.moderation_log (media_approved,
--     media_rejected; the hook's decisions with a null actor, the platform), except the default
--     hook's approval of an upload, which is no moderation. Rejecting resolves the media's open
--     reports (content_removed), takes a rejected avatar or cover off its profile or group, and
--     queues the object of a public bucket (social-avatars, where Storage serves objects without
--     asking RLS) for removal; the media-moderation function removes it at once.
--   * Media is reported like other content (social.report('media', id, ...)): reports on media in
--     a group go to its staff, the rest to the platform queue.
--   * The clean-up job (social.cleanup_media, service_role; run by the media-cleanup edge function
--     on a schedule) deletes uploads left unattached and announced uploads that never arrived
--     after p_unattached_hours, and hands out the objects of deleted media rows for removal
--     through the Storage API.

-- =====================================================================================
-- status changes
-- =====================================================================================

-- The status an upload gets when its bytes arrive. Replace this function to moderate uploads
-- with an outside service (return 'pending' and let the service answer through the
-- media-moderation edge function). Runs as the migration owner, inside Storage's write.
create function social_private.media_moderation_hook(p_media social.media)
returns social.media_status
language plpgsql
volatile
set search_path = ''
as $$
begin
  return 'approved';
end;
$$;
comment on function social_private.media_moderation_hook(social.media) is
  'The outside moderation hook: the status an upload gets when its bytes arrive. The default '
  'approves; replace it to return pending and let a moderation service answer through the '
  'media-moderation edge function.';

-- Set media p_media_id's status. p_by: 'hook' (at upload; an approval is not logged) or 'staff'
-- (staff, the platform or the hook's endpoint; logged). A rejection resolves the media's reports,
-- takes it off avatars and covers, and queues a public object for removal.
create function social_private.set_media_status(
  p_media_id uuid,
  p_status social.media_status,
  p_reason text,
  p_by text
)
returns social.media
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_before social.media;
  v_media social.media;
begin
  select * into v_before from social.media m where m.id = p_media_id for update;
  if v_before.id is null or v_before.status = p_status then
    return v_before;
  end if;
  update social.media m
  set status = p_status,
      moderated_at = case when p_by = 'hook' and p_status = 'approved' then m.moderated_at else now() end
  where m.id = p_media_id
  returning * into v_media;
  if p_by <> 'hook' or p_status = 'rejected' then
    perform social_private.log_moderation(
      case when p_status = 'rejected' then 'media_rejected' else 'media_approved' end::social.moderation_action,
      v_media.group_id, 'media', v_media.id, v_media.owner_id, p_reason,
      jsonb_build_object('previous_status', v_before.status, 'bucket', v_media.bucket_id,
                         'target_type', v_media.target_type, 'target_id', v_media.target_id,
                         'by', p_by));
  end if;
  if p_status = 'rejected' then
    perform social_private.resolve_reports_of('media', v_media.id, 'content_removed', p_reason);
    update social.profiles p set avatar_media_id = null where p.avatar_media_id = v_media.id;
    update social.groups g set avatar_media_id = null where g.avatar_media_id = v_media.id;
    if exists (select 1 from storage.buckets b where b.id = v_media.bucket_id and b.public) then
      insert into social_private.media_trash (bucket_id, path)
      select v_media.bucket_id, v_media.path
      where exists (select 1 from storage.objects o where o.bucket_id = v_media.bucket_id and o.name = v_media.path)
      on conflict (bucket_id, path) do nothing;
    end if;
  end if;
  return v_media;
end;
$$;
comment on function social_private.set_media_status(uuid, social.media_status, text, text) is
  'Sets a media item''s status (p_by hook or staff), logs the decision (not the default hook''s '
  'approval), and on rejection resolves its reports, clears avatars and covers and queues a '
  'public object for removal.';

-- =====================================================================================
-- RPC (security invoker wrappers)
-- =====================================================================================

-- Approve or reject media: the platform (service_role, and the moderation hook's endpoint) for all
-- media, the staff of the media's group for theirs. Setting the status it has changes nothing.
create function social_private.moderate_media(p_media_id uuid, p_status social.media_status, p_reason text)
returns social.media
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_media social.media;
  v_platform boolean := social_private.is_platform();
begin
  if not v_platform then
    perform social_private.require_user();
  end if;
  if p_status is null or p_status = 'pending' then
    perform social_private.raise_error('invalid_input', 'invalid_status', 'media is approved or rejected');
  end if;
  if char_length(p_reason) > 1000 then
    perform social_private.raise_error('invalid_input', 'invalid_reason', 'a reason has at most 1000 characters');
  end if;
  select * into v_media from social.media m where m.id = p_media_id;
  if v_media.id is null then
    perform social_private.raise_error('not_found', 'media_not_found', 'no such media');
  end if;
  if not v_platform and not (v_media.group_id is not null and social_private.is_group_staff(v_media.group_id)) then
    if social_private.can_view_media(p_media_id) then
      perform social_private.raise_error('permission_denied', 'not_allowed',
        'only the group''s staff or the platform moderate this media');
    end if;
    perform social_private.raise_error('not_found', 'media_not_found', 'no such media');
  end if;
  return social_private.set_media_status(p_media_id, p_status, nullif(btrim(p_reason), ''), 'staff');
end;
$$;
comment on function social_private.moderate_media(uuid, social.media_status, text) is
  'Body of social.moderate_media (security definer): the platform or the media''s group staff '
  'approve or reject it with a reason.';
grant execute on function social_private.moderate_media(uuid, social.media_status, text) to authenticated, service_role;

create function social.moderate_media(
  p_media_id uuid,
  p_status social.media_status,
  p_reason text default null
)
returns social.media
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.moderate_media(p_media_id, p_status, p_reason);
$$;
comment on function social.moderate_media(uuid, social.media_status, text) is
  'Approve or reject media with a reason (logged): the staff of its group, or the platform '
  '(service_role, the moderation hook''s endpoint). Errors: media_not_found, not_allowed, '
  'invalid_status, invalid_reason.';
grant execute on function social.moderate_media(uuid, social.media_status, text) to authenticated, service_role;

-- =====================================================================================
-- reports on media
-- =====================================================================================

-- What a report on media p_media_id records: {group_id, target_user_id, snapshot}, or null when
-- the reporter may not see it (the platform sees all). Called by the reports domain's trigger.
create function social_private.media_report_target(p_media_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_media social.media;
begin
  select * into v_media from social.media m where m.id = p_media_id;
  if v_media.id is null or ((select auth.uid()) is not null and not social_private.can_view_media(p_media_id)) then
    return null;
  end if;
  return jsonb_build_object(
    'group_id', v_media.group_id,
    'target_user_id', v_media.owner_id,
    'snapshot', jsonb_build_object('bucket', v_media.bucket_id, 'path', v_media.path, 'kind', v_media.kind,
                                   'target_type', v_media.target_type, 'target_id', v_media.target_id,
                                   'status', v_media.status));
end;
$$;
comment on function social_private.media_report_target(uuid) is
  'For a report on media p_media_id: {group_id (routing), target_user_id (the owner), snapshot}, '
  'or null when the reporter may not see it.';
grant execute on function social_private.media_report_target(uuid) to authenticated, service_role;

-- =====================================================================================
-- clean-up
-- =====================================================================================

-- The clean-up job's step in the database (service_role): delete unattached uploads and announced
-- uploads that never arrived, older than p_unattached_hours, then hand out up to p_limit objects
-- to remove through Storage (objects of deleted media rows). An object already gone leaves the
-- queue here; one Storage deletes leaves it by the on_social_media_object_deleted trigger.
create function social.cleanup_media(p_unattached_hours integer default 24, p_limit integer default 100)
returns table (bucket_id text, path text)
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  if not social_private.is_platform() then
    perform social_private.raise_error('permission_denied', 'not_allowed', 'the clean-up job is for service_role');
  end if;
  if p_unattached_hours is null or p_unattached_hours < 1 then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'p_unattached_hours is at least 1');
  end if;
  delete from social.media m
  where (m.target_id is null or m.uploaded_at is null)
    and m.created_at < now() - make_interval(hours => p_unattached_hours);
  delete from social_private.media_trash t
  where not exists (select 1 from storage.objects o where o.bucket_id = t.bucket_id and o.name = t.path);
  return query
    update social_private.media_trash t set attempts = t.attempts + 1
    from (
      select x.bucket_id, x.path from social_private.media_trash x
      order by x.attempts, x.created_at
      limit least(greatest(coalesce(p_limit, 100), 1), 1000)
    ) picked
    where t.bucket_id = picked.bucket_id and t.path = picked.path
    returning t.bucket_id, t.path;
end;
$$;
comment on function social.cleanup_media(integer, integer) is
  'The clean-up job''s database step (service_role): deletes media left unattached or never '
  'uploaded for p_unattached_hours, returns up to p_limit objects to remove through Storage.';
grant execute on function social.cleanup_media(integer, integer) to service_role;

revoke execute on all functions in schema social, social_private from public;
