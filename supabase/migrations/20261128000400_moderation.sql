-- Moderation: reports from anyone signed in, the report queues of group staff and of the
-- platform, and the append-only moderation log.
--
-- Reports
--   * On a post, a comment, a profile or a group, with a reason category and an optional note;
--     only on what the reporter can see (a profile also across a block), never on oneself or
--     one's own content. One open report per reporter and target: reporting again returns the
--     open report (social.report is idempotent). Rate limited: check_rate_limit('report').
--   * Routing (reports.group_id): reports on posts and comments in a group go to that group's
--     staff (owner, admin, moderator); reports on profiles, on groups themselves and on posts and
--     comments outside groups go to the platform queue (group_id null), which only service_role
--     reads and resolves. A group's staff never triage complaints about their group itself, and
--     a staff member does not resolve a report about their own content or profile.
--   * The target is snapshotted at report time (target_snapshot), so staff judge what was
--     reported even after an edit or a removal.
--   * Staff resolve (`resolved`, with the action taken) or dismiss, with a note; a closed report
--     stays closed. Removing a post or comment as staff resolves its open reports
--     (`content_removed`).
--
-- Moderation log (social.moderation_log): every moderation action lands there, written by
-- triggers on the tables the actions change, so every path (the RPCs of the groups and posts
-- domains, the wrappers below, direct writes by service_role) is recorded:
--   post_removed, comment_removed    soft-deleted by group staff or the platform, not the author
--                                    (a reply removed with its parent is part of that removal)
--   member_banned, member_unbanned   a ban made or lifted
--   member_removed                   an active member removed by someone else (leaving is not)
--   role_changed                     a member's role changed by someone else
--   report_resolved, report_dismissed
-- actor_id is auth.uid(); null means the platform (service_role or a backend). Cascades (a group
-- or an account deleted) are not moderation actions and are not logged. The log has no foreign
-- keys (deleting a group or a user never needs to change it) and holds ids, never content.
-- Nobody updates, deletes or truncates it: no grants or policies for that, and triggers raise
-- `append_only` even for service_role and the table owner.
--
-- A reason for a removal or a ban travels in the transaction-local setting
-- `social.moderation_reason`, set by social.moderate_post / moderate_comment / moderate_member.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.report_target as enum ('post', 'comment', 'profile', 'group');

create type social.report_reason as enum (
  'spam', 'harassment', 'hate', 'violence', 'nudity', 'misinformation', 'self_harm', 'other'
);

create type social.report_status as enum ('open', 'resolved', 'dismissed');
comment on type social.report_status is
  'open: waiting for staff; resolved: acted on (see resolution); dismissed: no action needed.';

create type social.report_resolution as enum (
  'none', 'content_removed', 'member_removed', 'member_banned', 'warned', 'other'
);
comment on type social.report_resolution is
  'The action taken on a closed report; a dismissed report has none.';

create type social.moderation_action as enum (
  'post_removed', 'comment_removed', 'member_banned', 'member_unbanned', 'member_removed',
  'role_changed', 'report_resolved', 'report_dismissed'
);

create type social.moderation_target as enum ('post', 'comment', 'user', 'report');

-- =====================================================================================
-- tables
-- =====================================================================================

create table social.reports (
  id uuid primary key default gen_random_uuid(),
  reporter_id uuid default auth.uid() references social.profiles (id) on delete set null,
  target_type social.report_target not null,
  target_id uuid not null,
  group_id uuid references social.groups (id) on delete cascade,
  target_user_id uuid references social.profiles (id) on delete set null,
  target_snapshot jsonb not null default '{}',
  reason social.report_reason not null,
  note text,
  status social.report_status not null default 'open',
  resolution social.report_resolution,
  resolution_note text,
  resolved_by uuid references social.profiles (id) on delete set null,
  resolved_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint reports_note_length check (char_length(note) <= 1000),
  constraint reports_resolution_note_length check (char_length(resolution_note) <= 1000),
  constraint reports_closed_state check (
    (status = 'open') = (resolution is null) and (status = 'open') = (resolved_at is null)
  ),
  constraint reports_dismissed_without_action check (status <> 'dismissed' or resolution = 'none')
);
comment on table social.reports is
  'Reports of posts, comments, profiles and groups. group_id set: the group''s staff handle it; '
  'null: the platform queue (service_role). The reporter sees their own reports and their status.';
comment on column social.reports.reporter_id is 'Null once the reporter''s account is deleted.';
comment on column social.reports.group_id is
  'The group whose staff handle the report (posts and comments in a group); null = platform queue.';
comment on column social.reports.target_user_id is
  'Whom the report is about: the author of the post or comment, the profile, the group''s owner.';
comment on column social.reports.target_snapshot is
  'The reported content as the reporter saw it when reporting (text, handle, name ...).';
comment on column social.reports.resolution_note is 'Note of the staff who closed the report (the reporter sees it).';

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

-- =====================================================================================
-- indexes
-- =====================================================================================

-- one open report per reporter and target (the idempotency key of social.report)
create unique index reports_open_once_idx on social.reports (reporter_id, target_type, target_id)
  where status = 'open';
create index reports_reporter_idx on social.reports (reporter_id, created_at desc, id desc);
-- a group's queue (and the foreign key)
create index reports_group_queue_idx on social.reports (group_id, status, created_at desc, id desc);
-- the platform queue
create index reports_platform_queue_idx on social.reports (status, created_at desc, id desc)
  where group_id is null;
-- open reports of a target, closed when staff remove it
create index reports_open_target_idx on social.reports (target_type, target_id) where status = 'open';
create index reports_target_user_idx on social.reports (target_user_id);
create index reports_resolved_by_idx on social.reports (resolved_by) where resolved_by is not null;

create index moderation_log_group_idx on social.moderation_log (group_id, created_at desc, id desc);
create index moderation_log_platform_idx on social.moderation_log (created_at desc, id desc)
  where group_id is null;
create index moderation_log_target_user_idx on social.moderation_log (target_user_id, created_at desc)
  where target_user_id is not null;

-- =====================================================================================
-- functions
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

-- Is the current session the platform (service_role, or a backend without a user)?
create function social_private.is_platform()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select auth.role()), '') = 'service_role'
      or ((select auth.uid()) is null and current_user not in ('anon', 'authenticated'));
$$;

-- Close p_target's open reports as resolved by the current user (content removed by staff).
create function social_private.resolve_reports_of(
  p_target_type social.report_target,
  p_target_id uuid,
  p_resolution social.report_resolution,
  p_note text
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  update social.reports r
  set status = 'resolved', resolution = p_resolution, resolution_note = left(p_note, 1000)
  where r.target_type = p_target_type and r.target_id = p_target_id and r.status = 'open';
$$;

-- Run a moderation step with a reason: the transaction-local setting the log triggers read.
create function social_private.set_moderation_reason(p_reason text)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  if char_length(p_reason) > 1000 then
    perform social_private.raise_error('invalid_reason', 'a reason has at most 1000 characters');
  end if;
  perform set_config('social.moderation_reason', coalesce(nullif(btrim(p_reason), ''), ''), true);
end;
$$;

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

-- Cursor helpers: lists here page like the feeds, newest first, with the feeds' opaque cursors.
-- (created_at, id) of the position after which a page starts.
create function social_private.decode_list_cursor(p_cursor text)
returns social_private.feed_key
language sql
stable
set search_path = ''
as $$
  select social_private.decode_feed_cursor('latest', p_cursor);
$$;

-- =====================================================================================
-- triggers: reports
-- =====================================================================================

-- Before a report is stored: rate limit, resolve the target as the reporter may see it (not
-- found otherwise), route it (group_id), snapshot the content, start it open.
-- Security definer: the snapshot and the routing read rows beyond the reporter's view (e.g. a
-- group's owner); what the reporter may see is checked with the domains' own helpers, which
-- answer for auth.uid().
create function social_private.handle_report_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_user boolean := v_uid is not null;
  v_found boolean := false;
  r record;
begin
  perform social_private.check_rate_limit('report');

  if new.target_type = 'post' then
    select p.author_id, p.group_id, p.kind, p.body, p.media, p.visibility, p.created_at into r
    from social.posts p where p.id = new.target_id and p.deleted_at is null;
    v_found := found and (not v_user or social_private.can_view_post(new.target_id));
    if v_found then
      new.group_id := r.group_id;
      new.target_user_id := r.author_id;
      new.target_snapshot := jsonb_build_object('kind', r.kind, 'body', r.body, 'media', r.media,
        'visibility', r.visibility, 'created_at', r.created_at);
    end if;
  elsif new.target_type = 'comment' then
    select c.author_id, c.post_id, c.parent_id, c.body, c.created_at, p.group_id into r
    from social.comments c join social.posts p on p.id = c.post_id
    where c.id = new.target_id and c.deleted_at is null;
    v_found := found and (not v_user or social_private.can_view_comment(new.target_id));
    if v_found then
      new.group_id := r.group_id;
      new.target_user_id := r.author_id;
      new.target_snapshot := jsonb_build_object('body', r.body, 'post_id', r.post_id,
        'parent_id', r.parent_id, 'created_at', r.created_at);
    end if;
  elsif new.target_type = 'profile' then
    -- a profile can be reported across a block (block, then report)
    select p.id, p.handle, p.display_name, p.avatar_path into r
    from social.profiles p where p.id = new.target_id;
    v_found := found;
    if v_found then
      new.group_id := null;
      new.target_user_id := r.id;
      new.target_snapshot := jsonb_build_object('handle', r.handle, 'display_name', r.display_name,
        'avatar_path', r.avatar_path);
    end if;
  elsif new.target_type = 'group' then
    select g.owner_id, g.name, g.description, g.kind, g.visibility, g.avatar_path into r
    from social.groups g where g.id = new.target_id;
    v_found := found and (not v_user or social_private.can_see_group(new.target_id));
    if v_found then
      new.group_id := null; -- complaints about a group go to the platform, not its own staff
      new.target_user_id := r.owner_id;
      new.target_snapshot := jsonb_build_object('name', r.name, 'description', r.description,
        'kind', r.kind, 'visibility', r.visibility, 'avatar_path', r.avatar_path);
    end if;
  end if;

  if not v_found then
    perform social_private.raise_error('target_not_found', format('no such %s', new.target_type), 'P0002');
  end if;
  if new.reporter_id is not null and new.target_user_id = new.reporter_id then
    perform social_private.raise_error('invalid_target', 'you cannot report yourself or your own content');
  end if;

  new.note := nullif(btrim(new.note), '');
  new.status := 'open';
  new.resolution := null;
  new.resolution_note := null;
  new.resolved_by := null;
  new.resolved_at := null;
  new.created_at := now();
  new.updated_at := now();
  return new;
end;
$$;

create trigger on_reports_insert before insert on social.reports
  for each row execute function social_private.handle_report_insert();

-- Before a report changes: only closing an open report (resolved with an action, or dismissed),
-- once, by someone other than the user it is about; who closed it and when are stamped. The
-- reporter and the target's user may become null when their accounts go (foreign keys); nothing
-- else changes.
create function social_private.handle_report_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.id <> old.id or new.target_type <> old.target_type or new.target_id <> old.target_id
     or new.group_id is distinct from old.group_id or new.reason <> old.reason
     or new.note is distinct from old.note or new.target_snapshot <> old.target_snapshot
     or new.created_at <> old.created_at
     or (new.reporter_id is distinct from old.reporter_id and new.reporter_id is not null)
     or (new.target_user_id is distinct from old.target_user_id and new.target_user_id is not null) then
    perform social_private.raise_error('immutable_field', 'a report''s target, reason and note cannot change');
  end if;

  if old.status <> 'open' then
    if new.status is distinct from old.status or new.resolution is distinct from old.resolution
       or new.resolution_note is distinct from old.resolution_note
       or new.resolved_by is distinct from old.resolved_by and new.resolved_by is not null
       or new.resolved_at is distinct from old.resolved_at then
      perform social_private.raise_error('report_closed', 'this report is already closed', '23505');
    end if;
    return new;
  end if;

  if new.status = 'open' then
    if new.resolution is not null or new.resolution_note is distinct from old.resolution_note then
      perform social_private.raise_error('invalid_status', 'close a report as resolved or dismissed');
    end if;
    new.resolved_by := null;
    new.resolved_at := null;
    return new;
  end if;

  -- nobody judges their own case: another staff member (or the platform) closes it
  if (select auth.uid()) is not null and (select auth.uid()) = old.target_user_id then
    perform social_private.raise_error('own_report', 'another staff member closes reports about you', '42501');
  end if;
  if new.status = 'dismissed' then
    new.resolution := 'none';
  elsif new.resolution is null or new.resolution = 'none' then
    perform social_private.raise_error('resolution_required', 'say which action was taken to resolve the report');
  end if;
  new.resolution_note := nullif(btrim(new.resolution_note), '');
  new.resolved_by := (select auth.uid());
  new.resolved_at := now();
  new.updated_at := now();
  return new;
end;
$$;

create trigger on_reports_update before update on social.reports
  for each row execute function social_private.handle_report_update();

-- A closed report is a moderation action: log it.
create function social_private.handle_report_closed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform social_private.log_moderation(
    case when new.status = 'dismissed' then 'report_dismissed' else 'report_resolved' end::social.moderation_action,
    new.group_id, 'report', new.id, new.target_user_id, new.resolution_note,
    jsonb_build_object('resolution', new.resolution, 'report_target_type', new.target_type,
                       'report_target_id', new.target_id, 'report_reason', new.reason));
  return null;
end;
$$;

create trigger on_reports_closed after update of status on social.reports
  for each row when (old.status = 'open' and new.status <> 'open')
  execute function social_private.handle_report_closed();

-- =====================================================================================
-- triggers: the moderation log on the groups and posts domains' tables
-- =====================================================================================

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

create trigger on_group_members_moderated after insert or update of status, role or delete
  on social.group_members
  for each row execute function social_private.handle_member_moderated();

-- The log is append-only: nobody changes or removes an entry (the table owner included).
create function social_private.refuse_moderation_log_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform social_private.raise_error('append_only',
    'the moderation log is append-only: entries are never changed or removed', '42501');
  return null;
end;
$$;

create trigger on_moderation_log_change before update or delete on social.moderation_log
  for each row execute function social_private.refuse_moderation_log_change();
create trigger on_moderation_log_truncate before truncate on social.moderation_log
  for each statement execute function social_private.refuse_moderation_log_change();

-- =====================================================================================
-- RLS
-- =====================================================================================

alter table social.reports enable row level security;
alter table social.moderation_log enable row level security;

-- the reporter sees their own reports; a group's staff see the reports routed to the group
create policy reports_select_visible on social.reports
  for select to authenticated
  using (
    reporter_id = (select auth.uid())
    or (group_id is not null and (select social_private.is_group_staff(group_id)))
  );
-- users report as themselves (the trigger checks the target and routes the report)
create policy reports_insert_self on social.reports
  for insert to authenticated
  with check (reporter_id = (select auth.uid()));
-- a group's staff close the reports routed to the group (columns limited by grants)
create policy reports_update_staff on social.reports
  for update to authenticated
  using (group_id is not null and (select social_private.is_group_staff(group_id)))
  with check (group_id is not null and (select social_private.is_group_staff(group_id)));

-- a group's staff read the group's log (platform entries: service_role only)
create policy moderation_log_select_staff on social.moderation_log
  for select to authenticated
  using (group_id is not null and (select social_private.is_group_staff(group_id)));

-- =====================================================================================
-- RPC (security invoker)
-- =====================================================================================

-- Report a post, comment, profile or group. Idempotent per reporter and target while open.
create function social.report(
  p_target_type social.report_target,
  p_target_id uuid,
  p_reason social.report_reason,
  p_note text default null
)
returns social.reports
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_row social.reports;
begin
  if p_target_type is null or p_target_id is null then
    perform social_private.raise_error('invalid_target', 'say what you are reporting');
  end if;
  if p_reason is null then
    perform social_private.raise_error('invalid_reason', 'choose a reason');
  end if;
  if char_length(p_note) > 1000 then
    perform social_private.raise_error('invalid_note', 'a note has at most 1000 characters');
  end if;
  select * into v_row from social.reports r
  where r.reporter_id = v_me and r.target_type = p_target_type and r.target_id = p_target_id
    and r.status = 'open';
  if v_row.id is not null then
    return v_row;
  end if;
  insert into social.reports (reporter_id, target_type, target_id, reason, note)
  values (v_me, p_target_type, p_target_id, p_reason, p_note)
  on conflict (reporter_id, target_type, target_id) where status = 'open' do nothing
  returning * into v_row;
  if v_row.id is null then
    select * into v_row from social.reports r
    where r.reporter_id = v_me and r.target_type = p_target_type and r.target_id = p_target_id
      and r.status = 'open';
  end if;
  return v_row;
end;
$$;
comment on function social.report(social.report_target, uuid, social.report_reason, text) is
  'Report a post, comment, profile or group you can see. Returns the open report (the same one '
  'when reported again). Errors: target_not_found, invalid_target (yourself), rate_limited.';

-- Close a report: resolved (say the action taken) or dismissed, with an optional note. Staff of
-- the report's group; the platform (service_role) for every report. Retrying the same close
-- returns the report.
create function social.resolve_report(
  p_report_id uuid,
  p_status social.report_status,
  p_resolution social.report_resolution default null,
  p_note text default null
)
returns social.reports
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_row social.reports;
  v_platform boolean := social_private.is_platform();
begin
  if not v_platform then
    perform social_private.require_user();
  end if;
  if p_status is null or p_status = 'open' then
    perform social_private.raise_error('invalid_status', 'close a report as resolved or dismissed');
  end if;
  if char_length(p_note) > 1000 then
    perform social_private.raise_error('invalid_note', 'a note has at most 1000 characters');
  end if;
  select * into v_row from social.reports r where r.id = p_report_id;
  if v_row.id is null then
    perform social_private.raise_error('report_not_found', 'no such report', 'P0002');
  end if;
  if not v_platform and not (v_row.group_id is not null and social_private.is_group_staff(v_row.group_id)) then
    perform social_private.raise_error('not_allowed', 'only the group''s staff close this report', '42501');
  end if;
  if v_row.status <> 'open' then
    if v_row.status = p_status
       and (p_status = 'dismissed' or p_resolution is null or v_row.resolution = p_resolution) then
      return v_row;
    end if;
    perform social_private.raise_error('report_closed', 'this report is already closed', '23505');
  end if;
  update social.reports r
  set status = p_status, resolution = p_resolution, resolution_note = p_note
  where r.id = p_report_id
  returning * into v_row;
  return v_row;
end;
$$;
comment on function social.resolve_report(uuid, social.report_status, social.report_resolution, text) is
  'Close a report as resolved (p_resolution: the action taken) or dismissed, with a note. Group '
  'staff for their group''s reports (never about themselves); service_role for all.';

-- One page of reports, newest first, with reporter and target-user summaries. p_group_id: that
-- group's queue (its staff); null: the platform queue (service_role). p_status null: every status.
create function social.list_reports(
  p_group_id uuid default null,
  p_status social.report_status default 'open',
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  reporter_id uuid,
  target_type social.report_target,
  target_id uuid,
  group_id uuid,
  target_user_id uuid,
  target_snapshot jsonb,
  reason social.report_reason,
  note text,
  status social.report_status,
  resolution social.report_resolution,
  resolution_note text,
  resolved_by uuid,
  resolved_at timestamptz,
  created_at timestamptz,
  reporter jsonb,
  target_user jsonb,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_limit integer := social_private.feed_limit(p_limit);
  v_key social_private.feed_key := social_private.decode_list_cursor(p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  if p_group_id is null then
    if not social_private.is_platform() then
      perform social_private.raise_error('not_allowed', 'the platform queue is for service_role', '42501');
    end if;
  else
    perform social_private.require_user();
    if not social_private.is_group_staff(p_group_id) then
      perform social_private.raise_error('not_group_staff', 'only the group''s staff see its reports', '42501');
    end if;
  end if;

  select array_agg(x.id order by x.created_at desc, x.id desc),
         array_agg(x.created_at order by x.created_at desc, x.id desc)
    into v_ids, v_created
  from (
    select r.id, r.created_at from social.reports r
    where r.group_id is not distinct from p_group_id
      and (p_status is null or r.status = p_status)
      and (r.created_at, r.id) < (v_key.created_at, v_key.id)
    order by r.created_at desc, r.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_feed_cursor('latest', v_created[v_limit], null, v_ids[v_limit]);
  end if;

  return query
    select r.id, r.reporter_id, r.target_type, r.target_id, r.group_id, r.target_user_id,
           r.target_snapshot, r.reason, r.note, r.status, r.resolution, r.resolution_note,
           r.resolved_by, r.resolved_at, r.created_at,
           social_private.profile_summary(r.reporter_id),
           social_private.profile_summary(r.target_user_id),
           v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(report_id, position)
    join social.reports r on r.id = k.report_id
    order by k.position;
end;
$$;
comment on function social.list_reports(uuid, social.report_status, text, integer) is
  'A report queue, newest first: a group''s (p_group_id, for its staff) or the platform''s (null, '
  'service_role). p_status null lists every status. Pass next_cursor for the next page.';

-- The caller's own reports and their status, newest first.
create function social.my_reports(p_cursor text default null, p_limit integer default 20)
returns table (
  id uuid,
  target_type social.report_target,
  target_id uuid,
  target_snapshot jsonb,
  reason social.report_reason,
  note text,
  status social.report_status,
  resolution social.report_resolution,
  resolution_note text,
  resolved_at timestamptz,
  created_at timestamptz,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_limit integer := social_private.feed_limit(p_limit);
  v_key social_private.feed_key := social_private.decode_list_cursor(p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.created_at desc, x.id desc),
         array_agg(x.created_at order by x.created_at desc, x.id desc)
    into v_ids, v_created
  from (
    select r.id, r.created_at from social.reports r
    where r.reporter_id = v_me
      and (r.created_at, r.id) < (v_key.created_at, v_key.id)
    order by r.created_at desc, r.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_feed_cursor('latest', v_created[v_limit], null, v_ids[v_limit]);
  end if;

  return query
    select r.id, r.target_type, r.target_id, r.target_snapshot, r.reason, r.note, r.status,
           r.resolution, r.resolution_note, r.resolved_at, r.created_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(report_id, position)
    join social.reports r on r.id = k.report_id
    order by k.position;
end;
$$;
comment on function social.my_reports(text, integer) is
  'The caller''s reports with their status and resolution, newest first; next_cursor pages on.';

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
  v_limit integer := social_private.feed_limit(p_limit);
  v_key social_private.feed_key := social_private.decode_list_cursor(p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  if p_group_id is null then
    if not social_private.is_platform() then
      perform social_private.raise_error('not_allowed', 'the platform log is for service_role', '42501');
    end if;
  else
    perform social_private.require_user();
    if not social_private.is_group_staff(p_group_id) then
      perform social_private.raise_error('not_group_staff', 'only the group''s staff read its log', '42501');
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
    v_next := social_private.encode_feed_cursor('latest', v_created[v_limit], null, v_ids[v_limit]);
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
  '(null, service_role). Pass next_cursor for the next page.';

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
    perform social_private.raise_error('invalid_action', 'the action is remove, ban or unban');
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

-- =====================================================================================
-- grants
-- =====================================================================================

grant select on social.reports to authenticated;
grant insert (reporter_id, target_type, target_id, reason, note) on social.reports to authenticated;
grant update (status, resolution, resolution_note) on social.reports to authenticated;
grant all on social.reports to service_role;

-- the log: read by staff (RLS) and service_role; service_role may append platform entries;
-- nobody updates, deletes or truncates (not even the owner; triggers back this up)
revoke all on social.moderation_log from public, anon, authenticated, service_role;
grant select on social.moderation_log to authenticated;
grant select, insert on social.moderation_log to service_role;
revoke update, delete, truncate on social.moderation_log from current_user;

grant execute on function social_private.is_platform() to authenticated, service_role;
grant execute on function social_private.set_moderation_reason(text) to authenticated, service_role;
grant execute on function social_private.decode_list_cursor(text) to authenticated, service_role;
grant execute on function social_private.profile_summary(uuid) to authenticated, service_role;

grant execute on function social.report(social.report_target, uuid, social.report_reason, text)
  to authenticated, service_role;
grant execute on function social.resolve_report(uuid, social.report_status, social.report_resolution, text)
  to authenticated, service_role;
grant execute on function social.list_reports(uuid, social.report_status, text, integer)
  to authenticated, service_role;
grant execute on function social.my_reports(text, integer) to authenticated, service_role;
grant execute on function social.list_moderation_log(uuid, text, integer) to authenticated, service_role;
grant execute on function social.moderate_post(uuid, text) to authenticated, service_role;
grant execute on function social.moderate_comment(uuid, text) to authenticated, service_role;
grant execute on function social.moderate_member(uuid, uuid, text, text) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
