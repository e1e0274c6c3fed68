-- Announcements: broadcasts of a group's owners and admins (title, body, pinned, optional expiry)
-- with per-member read state and a read_count kept by triggers.
--   social.announcements      insert/update/delete directly under RLS, or social.create_announcement.
--                             Edited and deleted by the author while a member, and by owners and
--                             admins of a higher rank than the author's (staff act only on lower
--                             ranks); creating one is rate limited (check_rate_limit('announcement')).
--   social.announcement_reads insert own rows (social.mark_announcement_read / _all_ ...).
--   social.announcement_stats the read_count, for the author (while a member) and the group's
--                             owners and admins only: in a small group a count would tell a member
--                             whether another member has read it.
-- social.list_announcements lists a group's; social.my_announcements is the home-screen list
-- across the caller's groups.
-- Rows other domains hook into: announcement = insert into social.announcements (notifications).
-- SDK: social.announcements; tests: tests/db/announcements.test.ts.

-- =====================================================================================
-- tables
-- =====================================================================================

create table social.announcements (
  id uuid primary key default gen_random_uuid(),
  group_id uuid not null references social.groups (id) on delete cascade,
  author_id uuid not null default auth.uid() references social.profiles (id) on delete cascade,
  title text not null,
  body text not null default '',
  pinned boolean not null default false,
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint announcements_title_length check (char_length(btrim(title)) between 1 and 200),
  constraint announcements_title_visible check (social_private.is_visible_text(title)),
  constraint announcements_body_length check (char_length(body) <= 5000)
);
comment on table social.announcements is
  'Broadcasts from a group''s owner and admins to its active members (e.g. a trainer''s notes on '
  'the trainees'' home screen). Expired ones leave the home screen but stay readable to members. '
  'The read count is in social.announcement_stats.';
comment on column social.announcements.id is
  'The announcement''s id (random uuid); deleting it deletes its reads and notifications.';
comment on column social.announcements.group_id is
  'The group whose active members receive it; fixed.';
comment on column social.announcements.author_id is
  'Who posted it (an owner or admin of the group when posting); fixed.';
comment on column social.announcements.title is
  'Headline, 1-200 characters that show something, trimmed by the on_announcements_write trigger.';
comment on column social.announcements.body is
  'Text below the title, at most 5000 characters; may be empty.';
comment on column social.announcements.pinned is
  'true: listed before unpinned ones on the home screen (my_announcements) and in the group.';
comment on column social.announcements.expires_at is
  'After this it leaves the home screen (my_announcements) but stays readable in the group; null: '
  'never. Must be in the future when created.';
comment on column social.announcements.created_at is
  'When it was posted; the order of the home screen and group lists after pinned ones.';
comment on column social.announcements.updated_at is
  'Last edit; set by the on_announcements_updated trigger.';
create index announcements_group_feed_idx on social.announcements
  (group_id, pinned desc, created_at desc, id desc);
create index announcements_author_idx on social.announcements (author_id);
alter table social.announcements enable row level security;
grant select, delete on social.announcements to authenticated;
grant insert (group_id, author_id, title, body, pinned, expires_at) on social.announcements to authenticated;
grant update (title, body, pinned, expires_at) on social.announcements to authenticated;
grant all on social.announcements to service_role;
create trigger on_announcements_updated before update on social.announcements
  for each row execute function social_private.handle_updated_at();

-- active members read their group's announcements, except an author a block separates them from
create policy announcements_select_member on social.announcements
  for select to authenticated
  using (
    social_private.is_group_member(group_id)
    and social_private.can_read_group(group_id)
    and not social_private.is_blocked_with(author_id)
  );
-- owners and admins post announcements as themselves
create policy announcements_insert_admin on social.announcements
  for insert to authenticated
  with check (author_id = (select auth.uid()) and social_private.is_group_admin(group_id));
-- the author (while a member) edits an announcement, and so do the group's owners and admins of a
-- higher rank than the author's (an admin never rewrites the owner's or another admin's)
create policy announcements_update_author on social.announcements
  for update to authenticated
  using (
    (author_id = (select auth.uid()) and social_private.is_group_member(group_id))
    or (social_private.is_group_admin(group_id)
        and social_private.my_group_rank(group_id) > social_private.user_group_rank(author_id, group_id))
  )
  with check (
    (author_id = (select auth.uid()) and social_private.is_group_member(group_id))
    or (social_private.is_group_admin(group_id)
        and social_private.my_group_rank(group_id) > social_private.user_group_rank(author_id, group_id))
  );
-- the same people delete an announcement
create policy announcements_delete_author on social.announcements
  for delete to authenticated
  using (
    (author_id = (select auth.uid()) and social_private.is_group_member(group_id))
    or (social_private.is_group_admin(group_id)
        and social_private.my_group_rank(group_id) > social_private.user_group_rank(author_id, group_id))
  );

create table social.announcement_stats (
  announcement_id uuid primary key references social.announcements (id) on delete cascade,
  group_id uuid not null references social.groups (id) on delete cascade,
  author_id uuid not null references social.profiles (id) on delete cascade,
  read_count integer not null default 0,
  updated_at timestamptz not null default now()
);
comment on table social.announcement_stats is
  'Counters of an announcement, for its author (while a member) and the group''s owners and '
  'admins only. A row per announcement, written by triggers.';
comment on column social.announcement_stats.announcement_id is
  'The announcement counted; the row goes with it.';
comment on column social.announcement_stats.group_id is
  'The announcement''s group (a copy, for the policy: its owners and admins read the counters).';
comment on column social.announcement_stats.author_id is
  'The announcement''s author (a copy, for the policy: the author reads the counters while a member).';
comment on column social.announcement_stats.read_count is
  'Active members who have read it (the author counts as read).';
comment on column social.announcement_stats.updated_at is 'When a read last changed the counters.';
create index announcement_stats_group_idx on social.announcement_stats (group_id);
create index announcement_stats_author_idx on social.announcement_stats (author_id);
alter table social.announcement_stats enable row level security;
grant select on social.announcement_stats to authenticated;
grant all on social.announcement_stats to service_role;

-- the author (while a member) and the group's owners and admins read the counters
create policy announcement_stats_select_author on social.announcement_stats
  for select to authenticated
  using (
    (author_id = (select auth.uid()) and social_private.is_group_member(group_id))
    or social_private.is_group_admin(group_id)
  );

create table social.announcement_reads (
  announcement_id uuid not null references social.announcements (id) on delete cascade,
  user_id uuid not null references social.profiles (id) on delete cascade,
  read_at timestamptz not null default now(),
  primary key (announcement_id, user_id)
);
comment on table social.announcement_reads is
  'Which member has read which announcement. Each user sees only their own rows; leaving or being '
  'banned from the group removes them.';
comment on column social.announcement_reads.announcement_id is
  'The announcement read; deleting it deletes its reads.';
comment on column social.announcement_reads.user_id is
  'The member who read it (the author counts as read from the start).';
comment on column social.announcement_reads.read_at is
  'When the member marked it read (mark_announcement_read or mark_all_announcements_read).';
create index announcement_reads_user_idx on social.announcement_reads (user_id, announcement_id);
alter table social.announcement_reads enable row level security;
grant select on social.announcement_reads to authenticated;
grant insert (announcement_id, user_id) on social.announcement_reads to authenticated;
grant all on social.announcement_reads to service_role;

-- users see only their own read marks (authors and admins see the read_count in announcement_stats)
create policy announcement_reads_select_self on social.announcement_reads
  for select to authenticated
  using (user_id = (select auth.uid()));
-- users mark announcements they can read as read
create policy announcement_reads_insert_self on social.announcement_reads
  for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select 1 from social.announcements a where a.id = announcement_id)
  );

-- =====================================================================================
-- triggers
-- =====================================================================================

-- Announcements: rate limited, trimmed title, an expiry in the future when created; group and
-- author fixed.
create function social_private.handle_announcement_write()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.title := btrim(new.title);
  if tg_op = 'INSERT' then
    perform social_private.check_rate_limit('announcement');
    new.created_at := now();
    if new.expires_at is not null and new.expires_at <= now() then
      perform social_private.raise_error('invalid_input', 'invalid_expiry', 'an announcement expires in the future');
    end if;
  elsif new.group_id <> old.group_id or new.author_id <> old.author_id then
    perform social_private.raise_error(
      'invalid_input', 'immutable_field', 'an announcement''s group and author cannot change');
  end if;
  return new;
end;
$$;
comment on function social_private.handle_announcement_write() is
  'Trigger function (before insert or update on announcements, on_announcements_write): rate '
  'limits new announcements, trims the title, requires a future expiry on create, keeps group and '
  'author fixed.';
create trigger on_announcements_write before insert or update on social.announcements
  for each row execute function social_private.handle_announcement_write();

-- Its counters row; the author has read their own announcement.
create function social_private.handle_announcement_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into social.announcement_stats (announcement_id, group_id, author_id)
  values (new.id, new.group_id, new.author_id);
  insert into social.announcement_reads (announcement_id, user_id)
  values (new.id, new.author_id)
  on conflict do nothing;
  return null;
end;
$$;
comment on function social_private.handle_announcement_created() is
  'Trigger function (after insert on announcements, on_announcements_created): makes its '
  'announcement_stats row and marks the announcement read by its author.';
create trigger on_announcements_created after insert on social.announcements
  for each row execute function social_private.handle_announcement_created();

-- Keep announcement_stats.read_count in step with the reads.
create function social_private.handle_announcement_read_counts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    update social.announcement_stats s set read_count = s.read_count + 1, updated_at = now()
    where s.announcement_id = new.announcement_id;
  else
    update social.announcement_stats s set read_count = greatest(s.read_count - 1, 0), updated_at = now()
    where s.announcement_id = old.announcement_id;
  end if;
  return null;
end;
$$;
comment on function social_private.handle_announcement_read_counts() is
  'Trigger function (after insert or delete on announcement_reads): keeps '
  'announcement_stats.read_count equal to its reads.';
create trigger on_announcement_reads_counts after insert or delete on social.announcement_reads
  for each row execute function social_private.handle_announcement_read_counts();

-- =====================================================================================
-- RPC (security invoker: RLS decides)
-- =====================================================================================

-- Post an announcement to a group (owners and admins).
create function social.create_announcement(
  p_group_id uuid,
  p_title text,
  p_body text default '',
  p_pinned boolean default false,
  p_expires_at timestamptz default null
)
returns social.announcements
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_id uuid;
  v_row social.announcements;
begin
  if not social_private.is_group_admin(p_group_id) then
    perform social_private.raise_error(
      'permission_denied', 'not_group_admin', 'only the group''s owner and admins post announcements');
  end if;
  insert into social.announcements (group_id, author_id, title, body, pinned, expires_at)
  values (p_group_id, v_me, p_title, coalesce(p_body, ''), coalesce(p_pinned, false), p_expires_at)
  returning id into v_id;
  select * into v_row from social.announcements a where a.id = v_id;
  return v_row;
end;
$$;
comment on function social.create_announcement(uuid, text, text, boolean, timestamptz) is
  'Post an announcement to a group''s members (owners and admins).';
grant execute on function social.create_announcement(uuid, text, text, boolean, timestamptz)
  to authenticated, service_role;

-- Announcement lists are ordered pinned first, then newest: keyed by (pinned, created_at, id),
-- pinned carried in the page_key's score (1 pinned, 0 not). On the first page the score is
-- +infinity, so every row (pinned or not) comes after it.

-- A group's announcements for its active members (expired ones included), pinned first, then
-- newest, with the caller's read state (and read_count when announcement_stats' policy allows).
create function social.list_announcements(
  p_group_id uuid,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  group_id uuid,
  author_id uuid,
  title text,
  body text,
  pinned boolean,
  expires_at timestamptz,
  read_count integer,
  created_at timestamptz,
  updated_at timestamptz,
  is_read boolean,
  read_at timestamptz,
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
  v_key social_private.page_key := social_private.decode_page_cursor('list_announcements', 'pinned', p_group_id::text, p_cursor);
  v_ids uuid[];
  v_pinned boolean[];
  v_created timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.pinned desc, x.created_at desc, x.id desc),
         array_agg(x.pinned order by x.pinned desc, x.created_at desc, x.id desc),
         array_agg(x.created_at order by x.pinned desc, x.created_at desc, x.id desc)
    into v_ids, v_pinned, v_created
  from (
    select a.id, a.pinned, a.created_at
    from social.announcements a
    where a.group_id = p_group_id
      and (a.pinned, a.created_at, a.id) < (v_key.score > 0, v_key.created_at, v_key.id)
    order by a.pinned desc, a.created_at desc, a.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_announcements', 'pinned', p_group_id::text,
      v_created[v_limit], case when v_pinned[v_limit] then 1 else 0 end, v_ids[v_limit]);
  end if;
  return query
    select a.id, a.group_id, a.author_id, a.title, a.body, a.pinned, a.expires_at, s.read_count,
           a.created_at, a.updated_at, r.read_at is not null, r.read_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(announcement_id, position)
    join social.announcements a on a.id = k.announcement_id
    left join social.announcement_reads r on r.announcement_id = a.id and r.user_id = v_me
    left join social.announcement_stats s on s.announcement_id = a.id
    order by k.position;
end;
$$;
comment on function social.list_announcements(uuid, text, integer) is
  'A group''s announcements (active members), pinned first then newest, with the caller''s read '
  'state; read_count only for the author and the group''s owners and admins (null otherwise). '
  'p_cursor: the next_cursor of the previous page (same group); p_limit 1-50.';
grant execute on function social.list_announcements(uuid, text, integer) to authenticated, service_role;

-- The caller's announcements across their groups for a home screen: not expired, pinned first,
-- then newest, with the group's name, avatar and member count and the caller's read state.
-- p_unread_only leaves out those read; it is part of the list's scope with the caller. read_count
-- is null unless the caller may read it (announcement_stats' policy).
create function social.my_announcements(
  p_unread_only boolean default false,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  group_id uuid,
  group_name text,
  group_avatar_path text,
  group_member_count integer,
  author_id uuid,
  title text,
  body text,
  pinned boolean,
  expires_at timestamptz,
  read_count integer,
  created_at timestamptz,
  updated_at timestamptz,
  is_read boolean,
  read_at timestamptz,
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
  v_unread_only boolean := coalesce(p_unread_only, false);
  v_scope text := jsonb_build_array(v_me, v_unread_only)::text;
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('my_announcements', 'pinned', v_scope, p_cursor);
  v_ids uuid[];
  v_pinned boolean[];
  v_created timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.pinned desc, x.created_at desc, x.id desc),
         array_agg(x.pinned order by x.pinned desc, x.created_at desc, x.id desc),
         array_agg(x.created_at order by x.pinned desc, x.created_at desc, x.id desc)
    into v_ids, v_pinned, v_created
  from (
    select a.id, a.pinned, a.created_at
    from social.group_members m
    join social.announcements a on a.group_id = m.group_id
    left join social.announcement_reads r on r.announcement_id = a.id and r.user_id = m.user_id
    where m.user_id = v_me and m.status = 'active'
      and (a.expires_at is null or a.expires_at > now())
      and (not v_unread_only or r.read_at is null)
      and (a.pinned, a.created_at, a.id) < (v_key.score > 0, v_key.created_at, v_key.id)
    order by a.pinned desc, a.created_at desc, a.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('my_announcements', 'pinned', v_scope,
      v_created[v_limit], case when v_pinned[v_limit] then 1 else 0 end, v_ids[v_limit]);
  end if;
  return query
    select a.id, a.group_id, g.name, g.avatar_path, g.member_count, a.author_id, a.title, a.body,
           a.pinned, a.expires_at, s.read_count, a.created_at, a.updated_at,
           r.read_at is not null, r.read_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(announcement_id, position)
    join social.announcements a on a.id = k.announcement_id
    join social.groups g on g.id = a.group_id
    left join social.announcement_reads r on r.announcement_id = a.id and r.user_id = v_me
    left join social.announcement_stats s on s.announcement_id = a.id
    order by k.position;
end;
$$;
comment on function social.my_announcements(boolean, text, integer) is
  'Unexpired announcements of the caller''s groups with group name and avatar and read state, '
  'pinned first then newest; read_count only for the author and the group''s owners and admins '
  '(null otherwise). p_cursor: the next_cursor of the previous page (same p_unread_only); p_limit '
  '1-50.';
grant execute on function social.my_announcements(boolean, text, integer) to authenticated, service_role;

create function social.mark_announcement_read(p_announcement_id uuid)
returns boolean
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
begin
  if not exists (select 1 from social.announcements a where a.id = p_announcement_id) then
    perform social_private.raise_error('not_found', 'announcement_not_found', 'no such announcement');
  end if;
  insert into social.announcement_reads (announcement_id, user_id)
  values (p_announcement_id, v_me)
  on conflict do nothing;
  return found;
end;
$$;
comment on function social.mark_announcement_read(uuid) is
  'Mark an announcement read; true when it was unread. Idempotent.';
grant execute on function social.mark_announcement_read(uuid) to authenticated, service_role;

create function social.mark_all_announcements_read(p_group_id uuid default null)
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_count integer;
begin
  with marked as (
    insert into social.announcement_reads (announcement_id, user_id)
    select a.id, v_me
    from social.group_members m
    join social.announcements a on a.group_id = m.group_id
    where m.user_id = v_me and m.status = 'active'
      and (p_group_id is null or m.group_id = p_group_id)
      and (a.expires_at is null or a.expires_at > now())
    on conflict do nothing
    returning 1
  )
  select count(*)::integer into v_count from marked;
  return v_count;
end;
$$;
comment on function social.mark_all_announcements_read(uuid) is
  'Mark every unexpired announcement of one group (or all the caller''s groups) read; returns how '
  'many were unread.';
grant execute on function social.mark_all_announcements_read(uuid) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
