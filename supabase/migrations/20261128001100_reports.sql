-- Reports: anyone signed in reports a post, a comment, a profile, a group, a chat message or a
-- media item; the report queues of group staff and of the platform. The moderation log is in
-- 20261128001200_moderation.sql.
--   * On a post, a comment, a profile, a group, a message or a media item, with a reason category
--     and an optional note;
--     only on what the reporter can see (a profile also across a block), never on oneself or
--     one's own content. One open report per reporter and target: reporting again returns the
--     open report (social.report is idempotent). Rate limited: check_rate_limit('report').
--   * Routing (reports.group_id): reports on posts, comments and media in a group go to that
--     group's staff (owner, admin, moderator); reports on profiles, on groups themselves and on
--     content outside groups go to the platform queue (group_id null), which only service_role
--     reads and resolves. Chat messages go to the staff of the group a conversation is tied to,
--     others to the platform (the chat migrations own message_report_target, which this trigger
--     calls). Media is resolved by the media domain (social_private.media_report_target in
--     20261128001500_media.sql), which applies its own read rule. A group's staff never triage
--     complaints about their group itself, and
--     a staff member does not resolve a report about their own content or profile.
--   * The target is snapshotted at report time (target_snapshot), so staff judge what was
--     reported even after an edit or a removal. The snapshot holds only what the reporter may
--     see: a profile a block separates from the reporter (either way) is reported with no card.
--   * The reporter sees their reports while they may still see where they were made: a report
--     routed to a group while they may read the group, a report of a group while they may see
--     it. Losing access to a group loses one's reports there too.
--   * Staff act only on lower ranks: a report about someone of an equal or higher rank in the
--     group is closed by higher staff or the platform (insufficient_role).
--   * Staff resolve (`resolved`, with the action taken) or dismiss, with a note; a closed report
--     stays closed (and is logged). Removing a post or comment as staff resolves its open reports
--     (`content_removed`).
-- SDK: social.moderation (report, reports, myReports, resolve); tests: tests/db/moderation.test.ts.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.report_target as enum ('post', 'comment', 'profile', 'group', 'message', 'media');
comment on type social.report_target is
  'What a report is about: a post, a comment, a profile, a group, a chat message or a media item '
  '(social.media); reports.target_id is its id.';

create type social.report_reason as enum (
  'spam', 'harassment', 'hate', 'violence', 'nudity', 'misinformation', 'self_harm', 'other'
);
comment on type social.report_reason is
  'The reporter''s category: spam, harassment, hate, violence, nudity, misinformation, self_harm '
  'or other (say more in the note).';

create type social.report_status as enum ('open', 'resolved', 'dismissed');
comment on type social.report_status is
  'open: waiting for staff; resolved: acted on (see resolution); dismissed: no action needed.';

create type social.report_resolution as enum (
  'none', 'content_removed', 'member_removed', 'member_banned', 'warned', 'other'
);
comment on type social.report_resolution is
  'The action taken on a closed report; a dismissed report has none.';

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
  'null: the platform queue (service_role). The reporter sees their own reports and their status '
  'while they may still see where they were made.';
comment on column social.reports.reporter_id is 'Null once the reporter''s account is deleted.';
comment on column social.reports.group_id is
  'The group whose staff handle the report (posts and comments in a group); null = platform queue.';
comment on column social.reports.target_user_id is
  'Whom the report is about: the author of the post or comment, the profile, the group''s owner.';
comment on column social.reports.target_snapshot is
  'The reported content as the reporter saw it when reporting (text, handle, name ...); empty for '
  'a profile a block separates from the reporter.';
comment on column social.reports.resolution_note is 'Note of the staff who closed the report (the reporter sees it).';
comment on column social.reports.id is
  'The report''s id (random uuid); the moderation log names it when the report is closed.';
comment on column social.reports.target_type is
  'What is reported (post, comment, profile or group); fixed.';
comment on column social.reports.target_id is
  'Id of the reported post, comment, profile or group (no foreign key: the report outlives it); '
  'fixed.';
comment on column social.reports.reason is
  'The reporter''s category (see type social.report_reason); fixed.';
comment on column social.reports.note is
  'The reporter''s free-text note, at most 1000 characters; blank becomes null; fixed.';
comment on column social.reports.status is
  'open until staff close it; then resolved or dismissed, for good (see type '
  'social.report_status).';
comment on column social.reports.resolution is
  'The action taken, set when the report is closed (none when dismissed); null while open.';
comment on column social.reports.resolved_by is
  'Who closed the report (set by the on_reports_update trigger); null when the platform '
  '(service_role) closed it or the account is gone.';
comment on column social.reports.resolved_at is
  'When the report was closed; null while open. Set by the on_reports_update trigger.';
comment on column social.reports.created_at is
  'When the report was made; queues list newest first.';
comment on column social.reports.updated_at is
  'Last change (the close); set by the report triggers.';
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
alter table social.reports enable row level security;
grant select on social.reports to authenticated;
grant insert (reporter_id, target_type, target_id, reason, note) on social.reports to authenticated;
grant update (status, resolution, resolution_note) on social.reports to authenticated;
grant all on social.reports to service_role;

-- the reporter sees their own reports while they may still see where they were made (a group's
-- content while they may read the group, a group while they may see it); a group's staff see the
-- reports routed to the group
create policy reports_select_visible on social.reports
  for select to authenticated
  using (
    (
      reporter_id = (select auth.uid())
      and (group_id is null or social_private.can_read_group(group_id))
      and (target_type <> 'group' or social_private.can_see_group(target_id))
    )
    or (group_id is not null and social_private.is_group_staff(group_id))
  );
-- users report as themselves (the trigger checks the target and routes the report)
create policy reports_insert_self on social.reports
  for insert to authenticated
  with check (reporter_id = (select auth.uid()));
-- a group's staff close the reports routed to the group (columns limited by grants)
create policy reports_update_staff on social.reports
  for update to authenticated
  using (group_id is not null and social_private.is_group_staff(group_id))
  with check (group_id is not null and social_private.is_group_staff(group_id));

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
comment on function social_private.resolve_reports_of(social.report_target, uuid, social.report_resolution, text) is
  'Closes every open report of one target as resolved with p_resolution and note p_note (when '
  'staff remove the content); the report triggers stamp and log each close.';

-- =====================================================================================
-- triggers
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
  v_media jsonb;
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
    -- a profile can be reported across a block (block, then report), but its card is then not
    -- the reporter's to see: the snapshot stays empty (the platform reads the profile itself)
    select p.id, p.handle, p.display_name, p.avatar_path into r
    from social.profiles p where p.id = new.target_id;
    v_found := found;
    if v_found then
      new.group_id := null;
      new.target_user_id := r.id;
      if v_user and social_private.is_blocked_with(r.id) then
        new.target_snapshot := '{}'::jsonb;
      else
        new.target_snapshot := jsonb_build_object('handle', r.handle, 'display_name', r.display_name,
          'avatar_path', r.avatar_path);
      end if;
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
  elsif new.target_type = 'message' then
    -- chat messages: the chat domain (20261128002200_messages.sql) says whether the reporter may
    -- read the message, where the report goes (a group-tied conversation's group, else the
    -- platform), whom it is about and what to snapshot
    select t.group_id, t.sender_id, t.snapshot into r
    from social_private.message_report_target(new.target_id) t;
    v_found := found;
    if v_found then
      new.group_id := r.group_id;
      new.target_user_id := r.sender_id;
      new.target_snapshot := r.snapshot;
    end if;
  elsif new.target_type = 'media' then
    -- {group_id, target_user_id, snapshot} of media the reporter may see, else null
    v_media := social_private.media_report_target(new.target_id);
    v_found := v_media is not null;
    if v_found then
      new.group_id := (v_media ->> 'group_id')::uuid;
      new.target_user_id := (v_media ->> 'target_user_id')::uuid;
      new.target_snapshot := v_media -> 'snapshot';
    end if;
  end if;

  if not v_found then
    perform social_private.raise_error('not_found', 'target_not_found', format('no such %s', new.target_type));
  end if;
  if new.reporter_id is not null and new.target_user_id = new.reporter_id then
    perform social_private.raise_error(
      'invalid_input', 'invalid_target', 'you cannot report yourself or your own content');
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
comment on function social_private.handle_report_insert() is
  'Trigger function (before insert on reports, on_reports_insert): rate limits, finds the target '
  'as the reporter may see it (target_not_found otherwise), routes it (group_id), fills '
  'target_user_id and target_snapshot (no card across a block), starts it open.';
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
    perform social_private.raise_error(
      'invalid_input', 'immutable_field', 'a report''s target, reason and note cannot change');
  end if;

  if old.status <> 'open' then
    if new.status is distinct from old.status or new.resolution is distinct from old.resolution
       or new.resolution_note is distinct from old.resolution_note
       or new.resolved_by is distinct from old.resolved_by and new.resolved_by is not null
       or new.resolved_at is distinct from old.resolved_at then
      perform social_private.raise_error('conflict', 'report_closed', 'this report is already closed');
    end if;
    return new;
  end if;

  if new.status = 'open' then
    if new.resolution is not null or new.resolution_note is distinct from old.resolution_note then
      perform social_private.raise_error('invalid_input', 'invalid_status', 'close a report as resolved or dismissed');
    end if;
    new.resolved_by := null;
    new.resolved_at := null;
    return new;
  end if;

  -- nobody judges their own case: another staff member (or the platform) closes it; nor the case
  -- of someone of an equal or higher rank in the group (staff act only on lower ranks)
  if (select auth.uid()) is not null and (select auth.uid()) = old.target_user_id then
    perform social_private.raise_error(
      'permission_denied', 'own_report', 'another staff member closes reports about you');
  end if;
  if (select auth.uid()) is not null and old.group_id is not null and old.target_user_id is not null
     and social_private.my_group_rank(old.group_id)
         <= social_private.user_group_rank(old.target_user_id, old.group_id) then
    perform social_private.raise_error(
      'permission_denied', 'insufficient_role', 'reports about staff of your rank or above are for higher staff');
  end if;
  if new.status = 'dismissed' then
    new.resolution := 'none';
  elsif new.resolution is null or new.resolution = 'none' then
    perform social_private.raise_error(
      'invalid_input', 'resolution_required', 'say which action was taken to resolve the report');
  end if;
  new.resolution_note := nullif(btrim(new.resolution_note), '');
  new.resolved_by := (select auth.uid());
  new.resolved_at := now();
  new.updated_at := now();
  return new;
end;
$$;
comment on function social_private.handle_report_update() is
  'Trigger function (before update on reports, on_reports_update): only closing an open report, '
  'once, by someone it is not about and of a higher rank than whom it is about; stamps resolved_by '
  'and resolved_at. Raises report_closed, own_report, insufficient_role, resolution_required.';
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
comment on function social_private.handle_report_closed() is
  'Trigger function (after update of status on reports, on_reports_closed): writes the close to '
  'the moderation log (report_resolved or report_dismissed).';
create trigger on_reports_closed after update of status on social.reports
  for each row when (old.status = 'open' and new.status <> 'open')
  execute function social_private.handle_report_closed();

-- =====================================================================================
-- RPC (security invoker: RLS decides)
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
    perform social_private.raise_error('invalid_input', 'invalid_target', 'say what you are reporting');
  end if;
  if p_reason is null then
    perform social_private.raise_error('invalid_input', 'invalid_reason', 'choose a reason');
  end if;
  if char_length(p_note) > 1000 then
    perform social_private.raise_error('invalid_input', 'invalid_note', 'a note has at most 1000 characters');
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
grant execute on function social.report(social.report_target, uuid, social.report_reason, text)
  to authenticated, service_role;

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
    perform social_private.raise_error('invalid_input', 'invalid_status', 'close a report as resolved or dismissed');
  end if;
  if char_length(p_note) > 1000 then
    perform social_private.raise_error('invalid_input', 'invalid_note', 'a note has at most 1000 characters');
  end if;
  select * into v_row from social.reports r where r.id = p_report_id;
  if v_row.id is null then
    perform social_private.raise_error('not_found', 'report_not_found', 'no such report');
  end if;
  if not v_platform and not (v_row.group_id is not null and social_private.is_group_staff(v_row.group_id)) then
    perform social_private.raise_error('permission_denied', 'not_allowed', 'only the group''s staff close this report');
  end if;
  if v_row.status <> 'open' then
    if v_row.status = p_status
       and (p_status = 'dismissed' or p_resolution is null or v_row.resolution = p_resolution) then
      return v_row;
    end if;
    perform social_private.raise_error('conflict', 'report_closed', 'this report is already closed');
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
grant execute on function social.resolve_report(uuid, social.report_status, social.report_resolution, text)
  to authenticated, service_role;

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
  v_scope text := jsonb_build_array(p_group_id, p_status)::text;
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('list_reports', 'latest', v_scope, p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  if p_group_id is null then
    if not social_private.is_platform() then
      perform social_private.raise_error('permission_denied', 'not_allowed', 'the platform queue is for service_role');
    end if;
  else
    perform social_private.require_user();
    if not social_private.is_group_staff(p_group_id) then
      perform social_private.raise_error(
        'permission_denied', 'not_group_staff', 'only the group''s staff see its reports');
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
    v_next := social_private.encode_page_cursor('list_reports', 'latest', v_scope,
                                                v_created[v_limit], null, v_ids[v_limit]);
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
  'service_role). p_status null lists every status. p_cursor: the next_cursor of the previous '
  'page (same group and status); p_limit 1-50.';
grant execute on function social.list_reports(uuid, social.report_status, text, integer)
  to authenticated, service_role;

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
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('my_reports', 'latest', v_me::text, p_cursor);
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
    v_next := social_private.encode_page_cursor('my_reports', 'latest', v_me::text,
                                                v_created[v_limit], null, v_ids[v_limit]);
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
  'The caller''s reports with their status and resolution, newest first. p_cursor: the '
  'next_cursor of the previous page; p_limit 1-50.';
grant execute on function social.my_reports(text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
