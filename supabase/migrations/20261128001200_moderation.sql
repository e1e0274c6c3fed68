-- Moderation: the append-only moderation log and the staff actions with a reason. Reports are in
-- 20261128001100_reports.sql.
--
-- Every moderation action lands in social.moderation_log, written by triggers on the tables the
-- actions change, so every path (the RPCs of the groups, posts and engagement domains, the
-- wrappers below, direct writes by service_role) is recorded:
--   post_removed, comment_removed    soft-deleted by group staff or the platform, not the author
--                                    (a reply removed with its parent is part of that removal)
--   member_banned, member_unbanned   a ban made or lifted
--   member_removed                   an active member removed by someone else (leaving is not)
--   role_changed                     a member's role changed by someone else
--   report_resolved, report_dismissed
--   media_approved, media_rejected   a media item's status set by staff, the platform or the
--                                    outside moderation hook (20261128001500_media.sql)
-- actor_id is auth.uid(); null means the platform (service_role or a backend). Cascades (a group
-- or an account deleted) are not moderation actions and are not logged. The log has no foreign
-- keys (deleting a group or a user never needs to change it) and holds ids, never content.
-- Nobody updates, deletes or truncates it: no grants or policies for that, and triggers raise
-- `append_only` even for service_role and the table owner.
--
-- A reason for a removal or a ban travels in the transaction-local setting
-- `social.moderation_reason`, set by social.moderate_post / moderate_comment / moderate_member.
-- SDK: social.moderation (log, removePost, removeComment, removeMember, banMember, unbanMember);
-- tests: tests/db/moderation.test.ts.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.moderation_action as enum (
  'post_removed', 'comment_removed', 'member_banned', 'member_unbanned', 'member_removed',
  'role_changed', 'report_resolved', 'report_dismissed', 'message_removed', 'media_approved', 'media_rejected'
);
comment on type social.moderation_action is
  'What a moderation log entry records: post_removed, comment_removed, message_removed (by staff, '
  'a conversation admin or the platform, not the author), member_banned, member_unbanned, '
  'member_removed (from a group, or from a chat conversation by its admin), role_changed (by '
  'someone else), report_resolved, report_dismissed, media_approved, media_rejected (by staff, the '
  'platform or the outside moderation hook).';

create type social.moderation_target as enum ('post', 'comment', 'user', 'report', 'message', 'media');
comment on type social.moderation_target is
  'What a moderation log entry''s target_id names: a post, a comment, a user (a member acted on), '
  'a report, a chat message or a media item.';

-- =====================================================================================
-- tables
-- =====================================================================================

create table social.moderation_log (
  id uuid primary key default gen_random_uuid(),
  actor_id uuid,
  group_id uuid,
  action social.moderation_action not null,
  target_type social.moderation_target not null,
  target_id uuid not null,
  target_user_id uuid,
  reason text,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default clock_timestamp()
);
comment on table social.moderation_log is
  'Append-only audit trail of moderation actions, written by triggers. Staff read their group''s '
  'entries; platform entries (group_id null) are for service_role. Never updated or deleted; no '
  'foreign keys, so ids outlive the groups and users they name.';
comment on column social.moderation_log.created_at is
  'When the action happened (clock time: several actions of one transaction keep their order).';
comment on column social.moderation_log.actor_id is 'Who acted (auth.uid()); null = the platform.';
comment on column social.moderation_log.target_id is
  'The post, comment, report, or (target_type user) the member acted on.';
comment on column social.moderation_log.target_user_id is
  'The user affected: the author of removed content, the banned or removed member, the user a '
  'closed report was about.';
comment on column social.moderation_log.id is 'The entry''s id (random uuid).';
comment on column social.moderation_log.group_id is
  'The group the action was in; null for platform actions (profiles, groups themselves, content '
  'outside groups). No foreign key: the entry outlives the group.';
comment on column social.moderation_log.action is
  'What was done (see type social.moderation_action).';
comment on column social.moderation_log.target_type is
  'What target_id names: post, comment, user or report.';
comment on column social.moderation_log.reason is
  'Why, as given to moderate_post, moderate_comment or moderate_member (or a report''s resolution '
  'note); null when none was given.';
comment on column social.moderation_log.metadata is
  'Details of the action as a JSON object, e.g. {from, to} for role_changed, {resolution, '
  'report_reason, ...} for a closed report; ids and values, never content.';
create index moderation_log_group_idx on social.moderation_log (group_id, created_at desc, id desc);
create index moderation_log_platform_idx on social.moderation_log (created_at desc, id desc)
  where group_id is null;
create index moderation_log_target_user_idx on social.moderation_log (target_user_id, created_at desc)
  where target_user_id is not null;
alter table social.moderation_log enable row level security;
-- the log: read by staff (RLS) and service_role; service_role may append platform entries;
-- nobody updates, deletes or truncates (not even the owner; triggers back this up)
revoke all on social.moderation_log from public, anon, authenticated, service_role;
grant select on social.moderation_log to authenticated;
grant select, insert on social.moderation_log to service_role;
revoke update, delete, truncate on social.moderation_log from current_user;

-- a group's staff read the group's log (platform entries: service_role only)
create policy moderation_log_select_staff on social.moderation_log
  for select to authenticated
  using (group_id is not null and social_private.is_group_staff(group_id));

-- The log is append-only: nobody changes or removes an entry (the table owner included).
create function social_private.refuse_moderation_log_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform social_private.raise_error('permission_denied', 'append_only',
    'the moderation log is append-only: entries are never changed or removed');
  return null;
end;
$$;
comment on function social_private.refuse_moderation_log_change() is
  'Trigger function (before update, delete or truncate on moderation_log): raises append_only '
  '(403) for everyone, the table owner included.';
create trigger on_moderation_log_change before update or delete on social.moderation_log
  for each row execute function social_private.refuse_moderation_log_change();
create trigger on_moderation_log_truncate before truncate on social.moderation_log
  for each statement execute function social_private.refuse_moderation_log_change();

-- =====================================================================================
-- writing the log
-- =====================================================================================

-- The reason of the moderation action under way (set by the moderate_* wrappers), or null.
create function social_private.moderation_reason()
returns text
language sql
stable
set search_path = ''
as $$
  select nullif(current_setting('social.moderation_reason', true), '');
$$;
comment on function social_private.moderation_reason() is
  'The reason of the moderation action under way (the transaction-local setting '
  'social.moderation_reason), or null.';

-- Run a moderation step with a reason: the transaction-local setting the log triggers read.
create function social_private.set_moderation_reason(p_reason text)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  if char_length(p_reason) > 1000 then
    perform social_private.raise_error('invalid_input', 'invalid_reason', 'a reason has at most 1000 characters');
  end if;
  perform set_config('social.moderation_reason', coalesce(nullif(btrim(p_reason), ''), ''), true);
end;
$$;
comment on function social_private.set_moderation_reason(text) is
  'Sets the transaction-local reason (at most 1000 characters; null or blank clears it) that the '
  'moderation log triggers record.';
grant execute on function social_private.set_moderation_reason(text) to authenticated, service_role;

-- Append one entry to the moderation log as the current user (null = the platform).
-- Security definer: nobody but these triggers (and service_role) writes the log.
create function social_private.log_moderation(
  p_action social.moderation_action,
  p_group_id uuid,
  p_target_type social.moderation_target,
  p_target_id uuid,
  p_target_user_id uuid,
  p_reason text default null,
  p_metadata jsonb default '{}'
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  insert into social.moderation_log (actor_id, group_id, action, target_type, target_id, target_user_id, reason, metadata)
  values ((select auth.uid()), p_group_id, p_action, p_target_type, p_target_id, p_target_user_id,
          coalesce(p_reason, social_private.moderation_reason()), coalesce(p_metadata, '{}'));
$$;
comment on function social_private.log_moderation(social.moderation_action, uuid, social.moderation_target, uuid, uuid, text, jsonb) is
  'Appends one entry to social.moderation_log with auth.uid() as actor (null: the platform) and '
  'the reason given or the one under way.';

-- A post soft-deleted by someone other than its author (group staff, the platform): log it and
-- resolve the post's open reports.
create function social_private.handle_post_removed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor uuid := coalesce(new.deleted_by, (select auth.uid()));
begin
  if v_actor is not distinct from new.author_id then
    return null; -- the author deleting their own post is not moderation
  end if;
  perform social_private.log_moderation('post_removed', new.group_id, 'post', new.id, new.author_id, null,
    jsonb_build_object('kind', new.kind, 'visibility', new.visibility));
  perform social_private.resolve_reports_of('post', new.id, 'content_removed', social_private.moderation_reason());
  return null;
end;
$$;
comment on function social_private.handle_post_removed() is
  'Trigger function (after update of deleted_at on posts, on_posts_removed): a post deleted by '
  'someone other than its author is logged as post_removed and its open reports resolved '
  '(content_removed).';
create trigger on_posts_removed after update of deleted_at on social.posts
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function social_private.handle_post_removed();

-- A comment soft-deleted by group staff or the platform (not its author, and not the post's
-- author curating their own thread): log it and resolve its open reports. Replies removed with
-- their parent are part of the parent's removal.
create function social_private.handle_comment_removed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor uuid := coalesce(new.deleted_by, (select auth.uid()));
  v_group uuid;
  v_post_author uuid;
begin
  if v_actor is not distinct from new.author_id then
    return null;
  end if;
  if new.parent_id is not null and exists (
    select 1 from social.comments c
    where c.id = new.parent_id and c.deleted_at = new.deleted_at
      and c.deleted_by is not distinct from new.deleted_by
  ) then
    return null;
  end if;
  select p.group_id, p.author_id into v_group, v_post_author from social.posts p where p.id = new.post_id;
  if v_actor is not null
     and not (v_group is not null and social_private.is_group_staff(v_group))
     and v_actor is not distinct from v_post_author then
    return null;
  end if;
  perform social_private.log_moderation('comment_removed', v_group, 'comment', new.id, new.author_id, null,
    jsonb_build_object('post_id', new.post_id, 'parent_id', new.parent_id, 'reply_count', new.reply_count));
  perform social_private.resolve_reports_of('comment', new.id, 'content_removed', social_private.moderation_reason());
  return null;
end;
$$;
comment on function social_private.handle_comment_removed() is
  'Trigger function (after update of deleted_at on comments, on_comments_removed): a comment '
  'deleted by group staff or the platform is logged as comment_removed and its open reports '
  'resolved; replies going with their parent are not logged again.';
create trigger on_comments_removed after update of deleted_at on social.comments
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function social_private.handle_comment_removed();

-- Bans, unbans, removals and role changes made by someone other than the member themselves.
-- A membership that goes with its group or its user (cascade) is not logged.
create function social_private.handle_member_moderated()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor uuid := (select auth.uid());
begin
  if tg_op = 'INSERT' then
    if new.status = 'banned' and v_actor is distinct from new.user_id then
      perform social_private.log_moderation('member_banned', new.group_id, 'user', new.user_id, new.user_id, null,
        jsonb_build_object('previous_status', null));
    end if;
  elsif tg_op = 'UPDATE' then
    if v_actor is not distinct from new.user_id then
      return null;
    end if;
    if old.status <> 'banned' and new.status = 'banned' then
      perform social_private.log_moderation('member_banned', new.group_id, 'user', new.user_id, new.user_id, null,
        jsonb_build_object('previous_status', old.status, 'previous_role', old.role));
    elsif old.status = 'banned' and new.status <> 'banned' then
      perform social_private.log_moderation('member_unbanned', new.group_id, 'user', new.user_id, new.user_id, null,
        jsonb_build_object('status', new.status));
    elsif old.role <> new.role then
      perform social_private.log_moderation('role_changed', new.group_id, 'user', new.user_id, new.user_id, null,
        jsonb_build_object('from', old.role, 'to', new.role));
    end if;
  else
    if v_actor is not distinct from old.user_id or old.status = 'pending'
       or not exists (select 1 from social.groups g where g.id = old.group_id)
       or not exists (select 1 from social.profiles p where p.id = old.user_id) then
      return null;
    end if;
    perform social_private.log_moderation(
      case when old.status = 'banned' then 'member_unbanned' else 'member_removed' end::social.moderation_action,
      old.group_id, 'user', old.user_id, old.user_id, null,
      jsonb_build_object('role', old.role));
  end if;
  return null;
end;
$$;
comment on function social_private.handle_member_moderated() is
  'Trigger function (after insert, update of status, role or delete on group_members): logs bans, '
  'unbans, removals and role changes made by someone other than the member; cascades are not '
  'logged.';
create trigger on_group_members_moderated after insert or update of status, role or delete
  on social.group_members
  for each row execute function social_private.handle_member_moderated();

-- =====================================================================================
-- RPC (security invoker: RLS decides)
-- =====================================================================================

-- One page of the moderation log, newest first, with the actor's summary. p_group_id: that
-- group's log (its staff); null: the platform entries (service_role).
create function social.list_moderation_log(
  p_group_id uuid default null,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  actor_id uuid,
  group_id uuid,
  action social.moderation_action,
  target_type social.moderation_target,
  target_id uuid,
  target_user_id uuid,
  reason text,
  metadata jsonb,
  created_at timestamptz,
  actor jsonb,
  target_user jsonb,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor(
    'list_moderation_log', 'latest', coalesce(p_group_id::text, 'platform'), p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  if p_group_id is null then
    if not social_private.is_platform() then
      perform social_private.raise_error('permission_denied', 'not_allowed', 'the platform log is for service_role');
    end if;
  else
    perform social_private.require_user();
    if not social_private.is_group_staff(p_group_id) then
      perform social_private.raise_error(
        'permission_denied', 'not_group_staff', 'only the group''s staff read its log');
    end if;
  end if;

  select array_agg(x.id order by x.created_at desc, x.id desc),
         array_agg(x.created_at order by x.created_at desc, x.id desc)
    into v_ids, v_created
  from (
    select l.id, l.created_at from social.moderation_log l
    where l.group_id is not distinct from p_group_id
      and (l.created_at, l.id) < (v_key.created_at, v_key.id)
    order by l.created_at desc, l.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_moderation_log', 'latest',
      coalesce(p_group_id::text, 'platform'), v_created[v_limit], null, v_ids[v_limit]);
  end if;

  return query
    select l.id, l.actor_id, l.group_id, l.action, l.target_type, l.target_id, l.target_user_id,
           l.reason, l.metadata, l.created_at,
           social_private.profile_summary(l.actor_id),
           social_private.profile_summary(l.target_user_id),
           v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(entry_id, position)
    join social.moderation_log l on l.id = k.entry_id
    order by k.position;
end;
$$;
comment on function social.list_moderation_log(uuid, text, integer) is
  'The moderation log, newest first: a group''s (p_group_id, for its staff) or the platform''s '
  '(null, service_role). p_cursor: the next_cursor of the previous page (same group); p_limit 1-50.';
grant execute on function social.list_moderation_log(uuid, text, integer) to authenticated, service_role;

-- Remove a post as group staff with a reason (logged as post_removed, its reports resolved).
create function social.moderate_post(p_post_id uuid, p_reason text default null)
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  perform social_private.set_moderation_reason(p_reason);
  perform social.delete_post(p_post_id);
  perform social_private.set_moderation_reason(null);
end;
$$;
comment on function social.moderate_post(uuid, text) is
  'social.delete_post with a reason for the moderation log (group staff). Idempotent.';
grant execute on function social.moderate_post(uuid, text) to authenticated, service_role;

-- Remove a comment as group staff with a reason (logged as comment_removed, reports resolved).
create function social.moderate_comment(p_comment_id uuid, p_reason text default null)
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  perform social_private.set_moderation_reason(p_reason);
  perform social.delete_comment(p_comment_id);
  perform social_private.set_moderation_reason(null);
end;
$$;
comment on function social.moderate_comment(uuid, text) is
  'social.delete_comment with a reason for the moderation log (group staff). Idempotent.';
grant execute on function social.moderate_comment(uuid, text) to authenticated, service_role;

-- Remove, ban or unban a member with a reason: social.remove_group_member, ban_group_member or
-- unban_group_member, logged with the reason. Returns whether the user is now out of the group
-- (remove), banned (ban) or no longer banned (unban).
create function social.moderate_member(
  p_group_id uuid,
  p_user_id uuid,
  p_action text,
  p_reason text default null
)
returns boolean
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_done boolean;
begin
  if p_action is null or p_action not in ('remove', 'ban', 'unban') then
    perform social_private.raise_error('invalid_input', 'invalid_action', 'the action is remove, ban or unban');
  end if;
  perform social_private.set_moderation_reason(p_reason);
  if p_action = 'remove' then
    v_done := social.remove_group_member(p_group_id, p_user_id);
  elsif p_action = 'ban' then
    perform social.ban_group_member(p_group_id, p_user_id);
    v_done := true;
  else
    v_done := social.unban_group_member(p_group_id, p_user_id);
  end if;
  perform social_private.set_moderation_reason(null);
  return v_done;
end;
$$;
comment on function social.moderate_member(uuid, uuid, text, text) is
  'Remove, ban or unban a group member (p_action) with a reason for the moderation log (staff).';
grant execute on function social.moderate_member(uuid, uuid, text, text) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
