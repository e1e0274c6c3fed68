-- Notifications: one inbox per user, with grouping, per-kind preferences, an O(1) unread counter,
-- and a Realtime Broadcast to `user:<recipient_id>` for every new or grouped notification. The
-- triggers that send each kind are in 20261128001400_notification_triggers.sql.
--
-- actor_ids holds the latest (at most 5) actors, newest first, and actor_count the distinct
-- actors of the notification ("Ana and 3 others reacted"). An actor who acts again moves to the
-- front and is not counted twice while among the latest 5.
--
-- Unread count: a counter row per user (social.notification_counters) kept by statement-level
-- triggers on social.notifications, so reading it is one primary-key lookup whatever the inbox
-- size.
--
-- Realtime: realtime.send({notification, actor, unread_count}, 'notification',
-- 'user:<recipient_id>', private) for each new or updated notification; the `user` topic rule
-- below (can_read_user_topic) lets a signed-in user receive only their own `user:` topic.
-- SDK: social.notifications; tests: tests/db/notifications.test.ts.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.notification_kind as enum (
  'follow_request', 'follow_accepted', 'new_follower', 'reaction', 'comment', 'reply', 'mention',
  'announcement', 'group_invite', 'join_request', 'join_approved'
);
comment on type social.notification_kind is
  'What happened: follow_request, follow_accepted, new_follower, reaction, comment, reply, '
  'mention, announcement, group_invite, join_request, join_approved. Who gets each and what groups '
  'them is in the notification_triggers migration header.';

-- =====================================================================================
-- tables
-- =====================================================================================

create table social.notifications (
  id uuid primary key default gen_random_uuid(),
  recipient_id uuid not null references social.profiles (id) on delete cascade,
  kind social.notification_kind not null,
  subject_id uuid not null,
  actor_ids uuid[] not null default '{}',
  actor_count integer not null default 0,
  post_id uuid references social.posts (id) on delete cascade,
  comment_id uuid references social.comments (id) on delete cascade,
  group_id uuid references social.groups (id) on delete cascade,
  announcement_id uuid references social.announcements (id) on delete cascade,
  data jsonb not null default '{}',
  read_at timestamptz,
  occurred_at timestamptz not null default clock_timestamp(),
  created_at timestamptz not null default now(),
  constraint notifications_actor_ids_count check (cardinality(actor_ids) <= 5),
  constraint notifications_actor_count check (actor_count >= cardinality(actor_ids)),
  constraint notifications_data_is_object check (jsonb_typeof(data) = 'object')
);
comment on table social.notifications is
  'Each user''s inbox, written by triggers. Grouped per (recipient, kind, subject) while unread. '
  'The recipient reads and marks read; nothing else is client-writable.';
comment on column social.notifications.subject_id is
  'What the notification is about and groups by: a profile, post, comment, group or announcement '
  'id depending on kind (see the migration header).';
comment on column social.notifications.actor_ids is 'The latest actors, newest first, at most 5.';
comment on column social.notifications.actor_count is 'Distinct actors in this notification.';
comment on column social.notifications.data is
  'Render hints: reaction kind, comment id, excerpt, invite id, announcement title ...';
comment on column social.notifications.occurred_at is
  'When the latest event happened (clock time, so events of one transaction keep their order); '
  'lists order by it.';
comment on column social.notifications.id is
  'The notification''s id (random uuid); the Realtime broadcast carries the row.';
comment on column social.notifications.recipient_id is
  'Whose inbox it is in: only they read it and mark it read.';
comment on column social.notifications.kind is 'What happened (see type social.notification_kind).';
comment on column social.notifications.post_id is
  'The post it is about (reactions, comments, replies, mentions), for the app to open; deleting '
  'the post deletes the notification.';
comment on column social.notifications.comment_id is
  'The comment it is about (the parent comment of a reply, the comment of a mention); deleting the '
  'comment deletes the notification.';
comment on column social.notifications.group_id is
  'The group it is about or happened in; deleting the group deletes the notification.';
comment on column social.notifications.announcement_id is
  'The announcement it is about (kind announcement); deleting it deletes the notification.';
comment on column social.notifications.read_at is
  'When the recipient marked it read (stamped now() by the on_notifications_update trigger); null '
  'while unread. Read is final; the next event on the subject starts a new notification.';
comment on column social.notifications.created_at is
  'When the notification was first created (occurred_at moves on with later events).';
-- the grouping key: one unread notification per recipient, kind and subject
create unique index notifications_unread_subject_idx on social.notifications (recipient_id, kind, subject_id)
  where read_at is null;
-- the inbox (and the foreign key), and its unread part
create index notifications_inbox_idx on social.notifications (recipient_id, occurred_at desc, id desc);
create index notifications_inbox_unread_idx on social.notifications (recipient_id, occurred_at desc, id desc)
  where read_at is null;
-- clean-up when a post, comment, group or announcement goes
create index notifications_post_idx on social.notifications (post_id) where post_id is not null;
create index notifications_comment_idx on social.notifications (comment_id) where comment_id is not null;
create index notifications_group_idx on social.notifications (group_id) where group_id is not null;
create index notifications_announcement_idx on social.notifications (announcement_id)
  where announcement_id is not null;
alter table social.notifications enable row level security;
grant select on social.notifications to authenticated;
grant update (read_at) on social.notifications to authenticated;
grant all on social.notifications to service_role;

-- each user reads their own inbox
create policy notifications_select_self on social.notifications
  for select to authenticated
  using (recipient_id = (select auth.uid()));
-- each user marks their own notifications read (read_at only, by grants)
create policy notifications_update_self on social.notifications
  for update to authenticated
  using (recipient_id = (select auth.uid()))
  with check (recipient_id = (select auth.uid()));

-- Marking read stamps now() (clients cannot backdate); read is final (no marking unread, which
-- could collide with a newer unread notification of the same subject).
create function social_private.handle_notification_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.read_at is distinct from old.read_at then
    if old.read_at is not null then
      perform social_private.raise_error('invalid_input', 'invalid_transition', 'a read notification stays read');
    end if;
    new.read_at := now();
  end if;
  return new;
end;
$$;
comment on function social_private.handle_notification_update() is
  'Trigger function (before update on notifications, on_notifications_update): marking read stamps '
  'now(); a read notification cannot become unread.';
create trigger on_notifications_update before update on social.notifications
  for each row execute function social_private.handle_notification_update();

create table social.notification_counters (
  user_id uuid primary key references social.profiles (id) on delete cascade,
  unread_count integer not null default 0,
  updated_at timestamptz not null default now(),
  constraint notification_counters_not_negative check (unread_count >= 0)
);
comment on table social.notification_counters is
  'Unread notifications per user, kept by triggers on social.notifications; the owner reads it.';
comment on column social.notification_counters.user_id is
  'Whose unread count this is; the row is made on their first notification.';
comment on column social.notification_counters.unread_count is
  'Unread notifications of the user; kept by the on_notifications_counted_* triggers, so reading '
  'it is one lookup.';
comment on column social.notification_counters.updated_at is 'When the count last changed.';
alter table social.notification_counters enable row level security;
grant select on social.notification_counters to authenticated;
grant all on social.notification_counters to service_role;

-- each user reads their own unread counter
create policy notification_counters_select_self on social.notification_counters
  for select to authenticated
  using (user_id = (select auth.uid()));

-- Lock order. Whoever writes a user's notifications takes that user's counter row first: notify
-- (before its upsert), the deferred-effects job (every recipient of a batch at once, in user
-- order, before any notification), and a user marking their own read (a statement trigger below).
-- Without it the job, holding a counter while it notifies the same user again, and the user
-- marking all read, holding a notification while their counter waits, deadlock (measured with two
-- job runs, eight writers and two readers: 8 in 20 s). The rows are made here when missing, so
-- there is a row to lock.
create function social_private.lock_notification_counters(p_users uuid[])
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  insert into social.notification_counters (user_id)
  select distinct u.id from unnest(p_users) as u(id)
  where u.id is not null and exists (select 1 from social.profiles pr where pr.id = u.id)
  order by u.id
  on conflict (user_id) do nothing;
  perform 1 from social.notification_counters c
  where c.user_id = any (p_users)
  order by c.user_id
  for update;
end;
$$;
comment on function social_private.lock_notification_counters(uuid[]) is
  'Locks the notification counter rows of p_users (made when missing) in user order: what every '
  'writer of a user''s notifications takes first, so that they never deadlock.';

-- A user marking their own notifications read (mark_notification_read, mark_all_notifications_read
-- or a plain update of read_at) takes their counter first, as the writers of their notifications
-- do. Security invoker, to see who runs the statement: only a user's own update locks (notify's
-- upserts run as the owner and have locked already).
create function social_private.handle_notifications_update_lock()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user = 'authenticated' then
    perform social_private.lock_my_notification_counter();
  end if;
  return null;
end;
$$;
comment on function social_private.handle_notifications_update_lock() is
  'Statement trigger function (before update on notifications, on_notifications_update_lock): a '
  'user''s own update takes their notification counter first (lock_notification_counters).';

create function social_private.lock_my_notification_counter()
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform social_private.lock_notification_counters(array[auth.uid()]);
end;
$$;
comment on function social_private.lock_my_notification_counter() is
  'Locks the caller''s notification counter row (see lock_notification_counters).';
grant execute on function social_private.lock_my_notification_counter() to authenticated;

-- Keep notification_counters.unread_count. A new or newly read notification is one row: row
-- triggers with a WHEN, so the grouping upsert of notify (an update that leaves read_at alone)
-- fires none, and a new notification costs one counter upsert (no transition tables to capture
-- on every notification write). Deletes (a post or group going takes many at once) are one
-- statement-level trigger with the transition table: one counter write per user, not per row.
create function social_private.handle_notification_counted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into social.notification_counters as c (user_id, unread_count)
    values (new.recipient_id, 1)
    on conflict (user_id) do update set unread_count = c.unread_count + 1, updated_at = now();
  else
    update social.notification_counters c
    set unread_count = greatest(c.unread_count + (new.read_at is null)::integer - (old.read_at is null)::integer, 0),
        updated_at = now()
    where c.user_id = new.recipient_id;
  end if;
  return null;
end;
$$;
comment on function social_private.handle_notification_counted() is
  'Row trigger function (after insert of an unread notification, or update of read_at that '
  'changes it): keeps notification_counters.unread_count of the recipient.';
create trigger on_notifications_counted_insert after insert on social.notifications
  for each row when (new.read_at is null)
  execute function social_private.handle_notification_counted();
create trigger on_notifications_counted_update after update of read_at on social.notifications
  for each row when ((old.read_at is null) <> (new.read_at is null))
  execute function social_private.handle_notification_counted();
create trigger on_notifications_update_lock before update on social.notifications
  for each statement execute function social_private.handle_notifications_update_lock();

create function social_private.handle_notification_counts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update social.notification_counters c
  set unread_count = greatest(c.unread_count - d.n, 0), updated_at = now()
  from (
    select o.recipient_id, count(*)::integer as n
    from old_rows o
    where o.read_at is null
    group by o.recipient_id
  ) d
  where c.user_id = d.recipient_id;
  return null;
end;
$$;
comment on function social_private.handle_notification_counts() is
  'Statement trigger function (after delete on notifications): lowers '
  'notification_counters.unread_count per recipient by the unread rows deleted, from the '
  'transition table.';
create trigger on_notifications_counted_delete after delete on social.notifications
  referencing old table as old_rows
  for each statement execute function social_private.handle_notification_counts();

-- A hard delete of what notifications are about (a post, a comment, a group, an announcement, an
-- event: social_private.handle_notified_deleted is added to events with them) or of a recipient
-- cascades to the notifications; the cascade would lock those rows before their counters, so a
-- row trigger takes the recipients' counters first (lock_notification_counters). Soft deletes and
-- the other deleting triggers lock before their deletes themselves.
create function social_private.handle_notified_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'profiles' then
    perform 1 from social.notification_counters c where c.user_id = old.id for update;
    return old;
  end if;
  perform social_private.lock_notification_counters(case tg_table_name
    when 'posts' then array(select n.recipient_id from social.notifications n where n.post_id = old.id)
    when 'comments' then array(select n.recipient_id from social.notifications n where n.comment_id = old.id)
    when 'groups' then array(select n.recipient_id from social.notifications n where n.group_id = old.id)
    when 'announcements' then
      array(select n.recipient_id from social.notifications n where n.announcement_id = old.id)
    when 'events' then array(select n.recipient_id from social.notifications n where n.event_id = old.id)
  end);
  return old;
end;
$$;
comment on function social_private.handle_notified_deleted() is
  'Row trigger function (before delete on posts, comments, groups, announcements, events and '
  'profiles): locks the notification counters of the recipients whose notifications the delete '
  'cascades to, before the cascade locks the notifications (lock_notification_counters).';
create trigger on_posts_notified_deleted before delete on social.posts
  for each row execute function social_private.handle_notified_deleted();
create trigger on_comments_notified_deleted before delete on social.comments
  for each row execute function social_private.handle_notified_deleted();
create trigger on_groups_notified_deleted before delete on social.groups
  for each row execute function social_private.handle_notified_deleted();
create trigger on_announcements_notified_deleted before delete on social.announcements
  for each row execute function social_private.handle_notified_deleted();
create trigger on_profiles_notified_deleted before delete on social.profiles
  for each row execute function social_private.handle_notified_deleted();

create table social.notification_preferences (
  user_id uuid not null references social.profiles (id) on delete cascade,
  kind social.notification_kind not null,
  in_app boolean not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, kind)
);
comment on table social.notification_preferences is
  'Per-kind notification switches of a user; a kind without a row is on. in_app = false: no '
  'notifications of that kind at all.';
comment on column social.notification_preferences.user_id is
  'The user whose switch this is; only they read and change it.';
comment on column social.notification_preferences.kind is
  'The notification kind switched on or off (see type social.notification_kind).';
comment on column social.notification_preferences.in_app is
  'false: the user gets no notifications of this kind at all; true: they do (as without a row).';
comment on column social.notification_preferences.updated_at is
  'Last change; set by the on_notification_preferences_updated trigger.';
alter table social.notification_preferences enable row level security;
grant select, delete on social.notification_preferences to authenticated;
grant insert (user_id, kind, in_app) on social.notification_preferences to authenticated;
grant update (in_app) on social.notification_preferences to authenticated;
grant all on social.notification_preferences to service_role;
create trigger on_notification_preferences_updated before update on social.notification_preferences
  for each row execute function social_private.handle_updated_at();

-- preferences are the user's own
create policy notification_preferences_select_self on social.notification_preferences
  for select to authenticated
  using (user_id = (select auth.uid()));
create policy notification_preferences_insert_self on social.notification_preferences
  for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy notification_preferences_update_self on social.notification_preferences
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy notification_preferences_delete_self on social.notification_preferences
  for delete to authenticated
  using (user_id = (select auth.uid()));

-- =====================================================================================
-- sending
-- =====================================================================================

-- Notify p_recipients of one event by p_actor (null: the platform): skips the actor, blocked
-- pairs, recipients who turned p_kind off, (reactions) muted actors, and recipients who may not
-- see p_post_id (an author removed from the group of their own post hears nothing more about it);
-- groups into the unread notification of the same (recipient, kind, subject); broadcasts each new
-- or updated row to `user:<recipient>`. Returns how many recipients were notified. Index lookups
-- only.
create function social_private.notify(
  p_recipients uuid[],
  p_kind social.notification_kind,
  p_actor uuid,
  p_subject_id uuid,
  p_post_id uuid default null,
  p_comment_id uuid default null,
  p_group_id uuid default null,
  p_announcement_id uuid default null,
  p_data jsonb default '{}'
)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_rows social.notifications[];
  v_row social.notifications;
  v_actor jsonb;
  v_to uuid;
begin
  if p_subject_id is null or p_recipients is null or cardinality(p_recipients) = 0 then
    return 0;
  end if;

  -- one recipient (a reaction, a comment, a reply, a follow: most notifications): the same rules
  -- and the same upsert as the set-based statement below, as plain statements whose plans the
  -- session keeps (the set-based form costs about twice as much for one row)
  if cardinality(p_recipients) = 1 then
    v_to := p_recipients[1];
    if v_to is null or v_to is not distinct from p_actor
       or exists (
         select 1 from social.notification_preferences np
         where np.user_id = v_to and np.kind = p_kind and not np.in_app
       )
       or (p_actor is not null and exists (
         select 1 from social.blocks b
         where (b.blocker_id = v_to and b.blocked_id = p_actor) or (b.blocker_id = p_actor and b.blocked_id = v_to)
       ))
       or (p_kind = 'reaction' and p_actor is not null and exists (
         select 1 from social.mutes m where m.muter_id = v_to and m.muted_id = p_actor
       ))
       or (p_post_id is not null and not social_private.user_can_view_post(v_to, p_post_id)) then
      return 0;
    end if;
    perform social_private.lock_notification_counters(array[v_to]);
    insert into social.notifications as n (
      recipient_id, kind, subject_id, actor_ids, actor_count, post_id, comment_id, group_id,
      announcement_id, data
    )
    values (
      v_to, p_kind, p_subject_id,
      case when p_actor is null then '{}'::uuid[] else array[p_actor] end,
      case when p_actor is null then 0 else 1 end,
      p_post_id, p_comment_id, p_group_id, p_announcement_id, coalesce(p_data, '{}')
    )
    on conflict (recipient_id, kind, subject_id) where read_at is null
    do update set
      actor_ids = case when p_actor is null then n.actor_ids
                       else (array[p_actor] || array_remove(n.actor_ids, p_actor))[1:5] end,
      actor_count = n.actor_count
                    + case when p_actor is null or p_actor = any (n.actor_ids) then 0 else 1 end,
      post_id = excluded.post_id,
      comment_id = excluded.comment_id,
      group_id = excluded.group_id,
      announcement_id = excluded.announcement_id,
      data = excluded.data,
      occurred_at = clock_timestamp()
    returning n.* into v_row;
    select jsonb_build_object('id', a.id, 'handle', a.handle, 'display_name', a.display_name,
                              'avatar_path', a.avatar_path)
      into v_actor
    from social.profiles a where a.id = p_actor;
    perform realtime.send(
      jsonb_build_object(
        'notification', to_jsonb(v_row),
        'actor', v_actor,
        'unread_count', coalesce((
          select c.unread_count from social.notification_counters c where c.user_id = v_to
        ), 0)
      ),
      'notification',
      'user:' || v_to::text,
      true
    );
    return 1;
  end if;

  perform social_private.lock_notification_counters(p_recipients);
  with candidates as (
    select distinct r.id
    from unnest(p_recipients) as r(id)
    where r.id is not null
      and r.id is distinct from p_actor
      and not exists (
        select 1 from social.notification_preferences np
        where np.user_id = r.id and np.kind = p_kind and not np.in_app
      )
      and (p_actor is null or not exists (
        select 1 from social.blocks b
        where (b.blocker_id = r.id and b.blocked_id = p_actor)
           or (b.blocker_id = p_actor and b.blocked_id = r.id)
      ))
      and (p_kind <> 'reaction' or p_actor is null or not exists (
        select 1 from social.mutes m where m.muter_id = r.id and m.muted_id = p_actor
      ))
      and (p_post_id is null or social_private.user_can_view_post(r.id, p_post_id))
  ),
  upserted as (
    insert into social.notifications as n (
      recipient_id, kind, subject_id, actor_ids, actor_count, post_id, comment_id, group_id,
      announcement_id, data
    )
    select c.id, p_kind, p_subject_id,
           case when p_actor is null then '{}'::uuid[] else array[p_actor] end,
           case when p_actor is null then 0 else 1 end,
           p_post_id, p_comment_id, p_group_id, p_announcement_id, coalesce(p_data, '{}')
    from candidates c
    on conflict (recipient_id, kind, subject_id) where read_at is null
    do update set
      actor_ids = case when p_actor is null then n.actor_ids
                       else (array[p_actor] || array_remove(n.actor_ids, p_actor))[1:5] end,
      actor_count = n.actor_count
                    + case when p_actor is null or p_actor = any (n.actor_ids) then 0 else 1 end,
      post_id = excluded.post_id,
      comment_id = excluded.comment_id,
      group_id = excluded.group_id,
      announcement_id = excluded.announcement_id,
      data = excluded.data,
      occurred_at = clock_timestamp()
    returning n.*
  )
  select coalesce(array_agg(u), '{}') into v_rows from upserted u;

  if cardinality(v_rows) = 0 then
    return 0;
  end if;

  -- after the insert statement, so the counters include it
  select jsonb_build_object('id', a.id, 'handle', a.handle, 'display_name', a.display_name,
                            'avatar_path', a.avatar_path)
    into v_actor
  from social.profiles a where a.id = p_actor;

  perform realtime.send(
    jsonb_build_object(
      'notification', to_jsonb(x),
      'actor', v_actor,
      'unread_count', coalesce(c.unread_count, 0)
    ),
    'notification',
    'user:' || x.recipient_id::text,
    true
  )
  from unnest(v_rows) as x
  left join social.notification_counters c on c.user_id = x.recipient_id;

  return cardinality(v_rows);
end;
$$;
comment on function social_private.notify(uuid[], social.notification_kind, uuid, uuid, uuid, uuid, uuid, uuid, jsonb) is
  'Notifies p_recipients of one event by p_actor (null: the platform), skipping the actor, blocked '
  'pairs, kinds turned off, reactions of muted users and recipients who may not see p_post_id; groups into the unread notification of '
  'the same kind and subject; broadcasts to user:<id>. Returns how many were notified.';

-- Remove the unread notification of (recipient, kind, subject), e.g. a withdrawn request.
create function social_private.withdraw_notification(
  p_recipient uuid,
  p_kind social.notification_kind,
  p_subject_id uuid
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  select social_private.lock_notification_counters(array[p_recipient]);
  delete from social.notifications n
  where n.recipient_id = p_recipient and n.kind = p_kind and n.subject_id = p_subject_id
    and n.read_at is null;
$$;
comment on function social_private.withdraw_notification(uuid, social.notification_kind, uuid) is
  'Deletes p_recipient''s unread notification of p_kind about p_subject_id (a withdrawn request, a '
  'removed mention).';

-- A short text excerpt for a notification.
-- plpgsql for the same reason as user_can_view_post(uuid, uuid): called on every reaction's and
-- comment's notification, where a sql function would be planned again each time
create function social_private.excerpt(p_text text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  return case when char_length(p_text) > 140 then left(p_text, 139) || '…' else p_text end;
end;
$$;
comment on function social_private.excerpt(text) is
  'The first 140 characters of p_text (139 and an ellipsis when longer), for notification data.';

-- Realtime Authorization: a signed-in user receives Broadcast messages on their own `user:<id>`
-- topic only (Realtime evaluates this when the client joins the private channel, with
-- realtime.topic() set to the channel's topic). No write check: clients never send on it; the
-- database sends through realtime.send from security definer functions. Registered with the
-- topic dispatch of the core migration (realtime_topics, messages_select_topic_reader), which
-- calls it as its owner: no grants.
create function social_private.can_read_user_topic(p_id text, p_extension text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select p_extension = 'broadcast' and p_id = (select auth.uid())::text;
$$;
comment on function social_private.can_read_user_topic(text, text) is
  'Realtime read check of user:<p_id>: broadcast only, and only for that user.';
insert into social_private.realtime_topics (prefix, read_check, write_check)
values ('user', 'social_private.can_read_user_topic(text, text)', null);

-- =====================================================================================
-- RPC (security invoker: RLS decides)
-- =====================================================================================

-- One page of the caller's notifications, latest event first, with actor summaries (the actors
-- the caller may see, in actor_ids order). p_unread_only: unread ones only. Every row carries the
-- page's next_cursor (null on the last page).
create function social.list_notifications(
  p_cursor text default null,
  p_limit integer default 20,
  p_unread_only boolean default false
)
returns table (
  id uuid,
  kind social.notification_kind,
  subject_id uuid,
  actor_ids uuid[],
  actor_count integer,
  actors jsonb,
  post_id uuid,
  comment_id uuid,
  group_id uuid,
  announcement_id uuid,
  data jsonb,
  read_at timestamptz,
  occurred_at timestamptz,
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
  v_scope text := jsonb_build_array(v_me, coalesce(p_unread_only, false))::text;
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('list_notifications', 'latest', v_scope, p_cursor);
  v_ids uuid[];
  v_at timestamptz[];
  v_next text;
begin
  if coalesce(p_unread_only, false) then
    select array_agg(x.id order by x.occurred_at desc, x.id desc),
           array_agg(x.occurred_at order by x.occurred_at desc, x.id desc)
      into v_ids, v_at
    from (
      select n.id, n.occurred_at from social.notifications n
      where n.recipient_id = v_me and n.read_at is null
        and (n.occurred_at, n.id) < (v_key.created_at, v_key.id)
      order by n.occurred_at desc, n.id desc
      limit v_limit + 1
    ) x;
  else
    select array_agg(x.id order by x.occurred_at desc, x.id desc),
           array_agg(x.occurred_at order by x.occurred_at desc, x.id desc)
      into v_ids, v_at
    from (
      select n.id, n.occurred_at from social.notifications n
      where n.recipient_id = v_me
        and (n.occurred_at, n.id) < (v_key.created_at, v_key.id)
      order by n.occurred_at desc, n.id desc
      limit v_limit + 1
    ) x;
  end if;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_notifications', 'latest', v_scope,
                                                v_at[v_limit], null, v_ids[v_limit]);
  end if;

  return query
    select n.id, n.kind, n.subject_id, n.actor_ids, n.actor_count,
           coalesce((
             select jsonb_agg(jsonb_build_object('id', a.id, 'handle', a.handle,
                                                 'display_name', a.display_name,
                                                 'avatar_path', a.avatar_path) order by u.position)
             from unnest(n.actor_ids) with ordinality as u(actor_id, position)
             join social.profiles a on a.id = u.actor_id
           ), '[]'::jsonb),
           n.post_id, n.comment_id, n.group_id, n.announcement_id, n.data, n.read_at,
           n.occurred_at, n.created_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(notification_id, position)
    join social.notifications n on n.id = k.notification_id
    order by k.position;
end;
$$;
comment on function social.list_notifications(text, integer, boolean) is
  'The caller''s notifications, latest first, with actor summaries; p_unread_only for unread '
  'ones. p_cursor: the next_cursor of the previous page (same p_unread_only); p_limit 1-50.';
grant execute on function social.list_notifications(text, integer, boolean) to authenticated, service_role;

-- The caller's unread notifications (one counter row; 0 when signed out or none yet).
create function social.unread_notification_count()
returns integer
language sql
stable
security invoker
set search_path = ''
as $$
  select coalesce((
    select c.unread_count from social.notification_counters c where c.user_id = (select auth.uid())
  ), 0);
$$;
comment on function social.unread_notification_count() is 'How many of the caller''s notifications are unread.';
grant execute on function social.unread_notification_count() to authenticated, service_role;

-- Mark one notification read; returns it. Idempotent.
create function social.mark_notification_read(p_notification_id uuid)
returns social.notifications
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_row social.notifications;
begin
  update social.notifications n set read_at = now()
  where n.id = p_notification_id and n.recipient_id = v_me and n.read_at is null
  returning * into v_row;
  if v_row.id is null then
    select * into v_row from social.notifications n
    where n.id = p_notification_id and n.recipient_id = v_me;
    if v_row.id is null then
      perform social_private.raise_error('not_found', 'notification_not_found', 'no such notification');
    end if;
  end if;
  return v_row;
end;
$$;
comment on function social.mark_notification_read(uuid) is 'Mark one of my notifications read. Idempotent.';
grant execute on function social.mark_notification_read(uuid) to authenticated, service_role;

-- Mark every unread notification read, or only those whose latest event is at or before
-- p_before (pass the newest occurred_at the user has seen, so nothing newer is swallowed).
-- Returns how many were marked.
create function social.mark_all_notifications_read(p_before timestamptz default null)
returns integer
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_count integer;
begin
  with marked as (
    update social.notifications n set read_at = now()
    where n.recipient_id = v_me and n.read_at is null
      and (p_before is null or n.occurred_at <= p_before)
    returning 1
  )
  select count(*)::integer into v_count from marked;
  return v_count;
end;
$$;
comment on function social.mark_all_notifications_read(timestamptz) is
  'Mark all my unread notifications read (those up to p_before when given); returns how many.';
grant execute on function social.mark_all_notifications_read(timestamptz) to authenticated, service_role;

-- Turn one kind of notification on or off for the caller; returns the preference.
create function social.set_notification_preference(p_kind social.notification_kind, p_in_app boolean)
returns social.notification_preferences
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_row social.notification_preferences;
begin
  if p_kind is null or p_in_app is null then
    perform social_private.raise_error('invalid_input', 'invalid_preference', 'say which kind and whether it is on');
  end if;
  insert into social.notification_preferences as np (user_id, kind, in_app)
  values (v_me, p_kind, p_in_app)
  on conflict (user_id, kind) do update set in_app = excluded.in_app
  returning * into v_row;
  return v_row;
end;
$$;
comment on function social.set_notification_preference(social.notification_kind, boolean) is
  'Turn notifications of one kind on or off for the caller. Idempotent.';
grant execute on function social.set_notification_preference(social.notification_kind, boolean)
  to authenticated, service_role;

-- Every kind with the caller's setting (on unless turned off).
create function social.get_notification_preferences()
returns table (kind social.notification_kind, in_app boolean)
language sql
stable
security invoker
set search_path = ''
as $$
  select k.kind, coalesce(np.in_app, true)
  from unnest(enum_range(null::social.notification_kind)) with ordinality as k(kind, position)
  left join social.notification_preferences np
    on np.user_id = (select auth.uid()) and np.kind = k.kind
  order by k.position;
$$;
comment on function social.get_notification_preferences() is
  'Every notification kind with whether the caller receives it (default on).';
grant execute on function social.get_notification_preferences() to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
