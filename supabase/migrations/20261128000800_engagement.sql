-- Engagement: reactions (each kind at most once per user and post), comments with one level of
-- replies, and @handle mentions parsed from post and comment bodies. The counters of posts (in
-- social.post_stats: reaction_counts, reaction_count, comment_count and so hot_score) and of
-- comments (reply_count) are kept by triggers. Reacting and commenting need to see the post and, in a group, active membership;
-- both are rate limited (check_rate_limit('reaction' / 'comment'), comment edits too:
-- 'comment_edit'). What hangs on a post goes with the sight of it: someone who no longer sees the
-- post (removed from its group, blocked) no longer reads, edits or takes back their own
-- reactions and comments there either. A block removes the mentions between the two users.
-- SDK: social.reactions, social.comments; tests: tests/db/posts.test.ts (reactions, comments,
-- mentions).

-- =====================================================================================
-- types
-- =====================================================================================

create type social.reaction_kind as enum ('like', 'love', 'celebrate', 'strong', 'fire', 'laugh');
comment on type social.reaction_kind is
  'The reactions a user can give a post (like, love, celebrate, strong, fire, laugh), each at most '
  'once per user and post; the app chooses how to draw them.';

-- =====================================================================================
-- the queue of deferred effects
-- =====================================================================================

-- What a reaction or a comment causes beyond its row and its counters (the notification, the
-- activity) is queued here by the counter triggers below, in the write's own statement, and
-- applied after the commit by social_private.run_deferred_effects
-- (20261128003050_deferred_effects.sql, which says who runs it and under which rules).
create table social_private.deferred_effects (
  id bigint generated always as identity primary key,
  source text not null,
  post_id uuid not null,
  actor_id uuid not null,
  reaction social.reaction_kind,
  comment_id uuid,
  occurred_at timestamptz not null,
  run_after timestamptz not null default '-infinity',
  attempts integer not null default 0,
  last_error text
);
comment on table social_private.deferred_effects is
  'Queue of the effects of reactions and comments (notification, activity) still to apply, '
  'oldest first; social_private.run_deferred_effects applies and removes them. Rows with '
  'last_error failed; run_after = infinity: given up after 8 attempts (set run_after = now() to '
  're-queue).';
comment on column social_private.deferred_effects.id is 'Queue order.';
comment on column social_private.deferred_effects.source is
  'What was written: reaction (post_id, actor_id, reaction) or comment (comment_id).';
comment on column social_private.deferred_effects.post_id is 'The post reacted to or commented on.';
comment on column social_private.deferred_effects.actor_id is 'Who reacted or commented.';
comment on column social_private.deferred_effects.reaction is 'The reaction kind (source reaction).';
comment on column social_private.deferred_effects.comment_id is 'The comment (source comment).';
comment on column social_private.deferred_effects.occurred_at is
  'When the reaction or comment was written: the activity''s occurred_at.';
comment on column social_private.deferred_effects.run_after is
  'Not applied before this moment: -infinity for a new effect, later after a failure, infinity '
  'once given up.';
comment on column social_private.deferred_effects.attempts is 'Failed attempts so far.';
comment on column social_private.deferred_effects.last_error is
  'SQLSTATE and message of the last failed attempt; null while none failed.';
alter table social_private.deferred_effects enable row level security;
-- Written by the counter triggers only (one insert each, with the fields of its source: no check
-- constraint, whose expression Postgres would rebuild on every insert); operators read it and
-- re-queue or drop what failed.
revoke all on social_private.deferred_effects from public, anon, authenticated;
grant select, delete on social_private.deferred_effects to service_role;
grant update (run_after) on social_private.deferred_effects to service_role;

-- =====================================================================================
-- reactions
-- =====================================================================================

-- May the current user react to or comment on p_post_id? Whoever sees it; in a group, active
-- members only (a public group's posts are readable by everyone signed in, but only members talk).
create function social_private.can_interact_with_post(p_post_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_post record;
begin
  select p.author_id, p.group_id, p.visibility into v_post
  from social.posts p
  where p.id = p_post_id and p.deleted_at is null;
  if not found then
    return false;
  end if;
  return social_private.can_view_post(v_post.author_id, v_post.group_id, v_post.visibility)
    and (v_post.group_id is null or exists (
      select 1 from social.group_members m
      where m.group_id = v_post.group_id and m.user_id = auth.uid() and m.status = 'active'
    ));
end;
$$;
comment on function social_private.can_interact_with_post(uuid) is
  'May the caller react to or comment on p_post_id? Whoever may see it; in a group, active members '
  'only. False for a deleted post.';
grant execute on function social_private.can_interact_with_post(uuid) to authenticated, service_role;

create table social.reactions (
  post_id uuid not null references social.posts (id) on delete cascade,
  user_id uuid not null default auth.uid() references social.profiles (id) on delete cascade,
  kind social.reaction_kind not null,
  created_at timestamptz not null default now(),
  primary key (post_id, user_id, kind)
);
comment on table social.reactions is
  'One row per user, post and reaction kind. Adding is idempotent; counts on the post are kept '
  'by triggers.';
comment on column social.reactions.post_id is
  'The post reacted to; deleting the post deletes its reactions.';
comment on column social.reactions.user_id is
  'Who reacted; always the inserting user. Seen by whoever sees the post (the user included), '
  'never across a block.';
comment on column social.reactions.kind is 'Which reaction (see type social.reaction_kind).';
comment on column social.reactions.created_at is
  'When the reaction was added; a user''s reactions list newest first.';
create index reactions_user_idx on social.reactions (user_id, created_at desc);
alter table social.reactions enable row level security;
-- anon holds select so feeds can look up "my reactions" (no anon policy: it reads none)
grant select on social.reactions to anon, authenticated;
grant insert (post_id, user_id, kind), delete on social.reactions to authenticated;
grant all on social.reactions to service_role;

-- reactions on posts the user sees: their own, and others' never across a block (anon sees
-- counts only). "Sees the post" is a semi-join on posts, so the posts policy decides it with its
-- per-statement sets (init plans) and falls back to can_view_post only for the rows they do not
-- settle; calling can_view_post(post_id) here instead would cost a function call per reaction.
create policy reactions_select_visible on social.reactions
  for select to authenticated
  using (
    exists (select 1 from social.posts p where p.id = post_id)
    and (
      user_id = (select auth.uid())
      or user_id <> all ((select social_private.my_blocked_ids())::uuid[])
    )
  );
-- users react as themselves to posts they see (in a group: as a member)
create policy reactions_insert_self on social.reactions
  for insert to authenticated
  with check (user_id = (select auth.uid()) and social_private.can_interact_with_post(post_id));
-- users take back their own reactions on posts they still see
create policy reactions_delete_self on social.reactions
  for delete to authenticated
  using (user_id = (select auth.uid()) and social_private.can_view_post(post_id));

-- A new reaction counts against the reaction rate limit (after the insert, so that an existing
-- reaction added again, which inserts nothing, costs nothing; over the limit the statement fails
-- and its row goes with it). Keep reaction_counts / reaction_count (and so hot_score) in the
-- post's post_stats row: one narrow row, never the posts row. Queue a new reaction's notification
-- and activity. One trigger for all three: a trigger call costs about as much as the statement.
-- Security definer: the counters and the queue are not client-writable.
create function social_private.handle_reaction_written()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_kind text;
begin
  if tg_op = 'INSERT' then
    perform social_private.check_rate_limit('reaction');
    v_kind := new.kind::text;
    update social.post_stats p
    set reaction_count = p.reaction_count + 1,
        reaction_counts = jsonb_set(p.reaction_counts, array[v_kind],
                                    to_jsonb(coalesce((p.reaction_counts ->> v_kind)::integer, 0) + 1))
    where p.post_id = new.post_id;
    insert into social_private.deferred_effects (source, post_id, actor_id, reaction, occurred_at)
    values ('reaction', new.post_id, new.user_id, new.kind, new.created_at);
  else
    v_kind := old.kind::text;
    update social.post_stats p
    set reaction_count = greatest(p.reaction_count - 1, 0),
        reaction_counts = case
          when coalesce((p.reaction_counts ->> v_kind)::integer, 0) <= 1 then p.reaction_counts - v_kind
          else jsonb_set(p.reaction_counts, array[v_kind], to_jsonb((p.reaction_counts ->> v_kind)::integer - 1))
        end
    where p.post_id = old.post_id;
  end if;
  return null;
end;
$$;
comment on function social_private.handle_reaction_written() is
  'Trigger function (after insert or delete on reactions, on_reactions_counts): counts a new '
  'reaction against the reaction rate limit, keeps post_stats.reaction_count and reaction_counts '
  '(and so hot_score) in step, queues a new reaction''s notification and activity '
  '(social_private.deferred_effects).';
create trigger on_reactions_counts after insert or delete on social.reactions
  for each row execute function social_private.handle_reaction_written();

-- Add the caller's reaction p_kind to a post, deciding who may once: a post the caller does not
-- see (post_not_found), a group post of a group they are not an active member of (not_allowed),
-- else the insert: true when added, false when it was there (an attempt all the same: it counts
-- against the rate limit). The same rule as the insert policy (reactions_insert_self: the
-- caller, can_interact_with_post), evaluated once from one read of the post rather than three
-- times (the RPC's checks, then the policy's). Security definer: it inserts as the owner, so the
-- policy is not evaluated again; the triggers (rate limit, counters, the queued notification and
-- activity) run as for any insert. Wrapped by social.react.
create function social_private.add_reaction(p_post_id uuid, p_kind social.reaction_kind)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
  v_post record;
begin
  if p_kind is null then
    perform social_private.raise_error('invalid_input', 'invalid_reaction', 'choose a reaction');
  end if;
  select p.author_id, p.group_id, p.visibility into v_post
  from social.posts p
  where p.id = p_post_id and p.deleted_at is null;
  if not found or not social_private.user_can_view_post(v_uid, v_post.author_id, v_post.group_id, v_post.visibility) then
    perform social_private.raise_error('not_found', 'post_not_found', 'no such post');
  end if;
  if v_post.group_id is not null and not exists (
    select 1 from social.group_members m
    where m.group_id = v_post.group_id and m.user_id = v_uid and m.status = 'active'
  ) then
    perform social_private.raise_error('permission_denied', 'not_allowed', 'join the group to react to its posts');
  end if;
  insert into social.reactions (post_id, user_id, kind) values (p_post_id, v_uid, p_kind)
  on conflict do nothing;
  return found;
end;
$$;
comment on function social_private.add_reaction(uuid, social.reaction_kind) is
  'Body of social.react (security definer): the caller''s reaction p_kind on a post they see (in a '
  'group: as an active member), checked once; true when added, false when already there.';
grant execute on function social_private.add_reaction(uuid, social.reaction_kind) to authenticated, service_role;

-- Add my reaction p_kind to a post. Idempotent: true when added now, false when it was there.
-- plpgsql, not sql: a SQL function with its own search_path is planned again on every call.
create function social.react(p_post_id uuid, p_kind social.reaction_kind)
returns boolean
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  return social_private.add_reaction(p_post_id, p_kind);
end;
$$;
comment on function social.react(uuid, social.reaction_kind) is
  'Add my reaction of kind p_kind to a post; true when added, false when already there.';
grant execute on function social.react(uuid, social.reaction_kind) to authenticated, service_role;

-- Remove my reaction p_kind from a post; true when there was one.
create function social.unreact(p_post_id uuid, p_kind social.reaction_kind)
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  with d as (
    delete from social.reactions r
    where r.post_id = p_post_id and r.user_id = (select auth.uid()) and r.kind = p_kind
    returning 1
  )
  select exists (select 1 from d);
$$;
comment on function social.unreact(uuid, social.reaction_kind) is
  'Remove my reaction of kind p_kind from a post; true when there was one.';
grant execute on function social.unreact(uuid, social.reaction_kind) to authenticated, service_role;

-- =====================================================================================
-- comments
-- =====================================================================================

create table social.comments (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references social.posts (id) on delete cascade,
  parent_id uuid references social.comments (id) on delete cascade,
  author_id uuid not null default auth.uid() references social.profiles (id) on delete cascade,
  body text not null,
  media jsonb not null default '[]',
  reply_count integer not null default 0,
  edited_at timestamptz,
  deleted_at timestamptz,
  deleted_by uuid references social.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint comments_body_length check (char_length(body) between 1 and 2000),
  constraint comments_media_shape check (
    case when jsonb_typeof(media) = 'array' then jsonb_array_length(media) <= 4 else false end
  ),
  constraint comments_not_own_parent check (parent_id <> id),
  constraint comments_reply_count_not_negative check (reply_count >= 0)
);
comment on table social.comments is
  'Comments on posts with one level of replies (parent_id is a top-level comment of the same '
  'post). Soft-deleting a top-level comment deletes its replies too.';
comment on column social.comments.id is
  'The comment''s id (random uuid, or chosen by the client on insert).';
comment on column social.comments.post_id is
  'The post commented on; comments list oldest first per post. Deleting the post deletes them.';
comment on column social.comments.parent_id is
  'The top-level comment this replies to (same post); null for a top-level comment. Replies have '
  'no replies.';
comment on column social.comments.author_id is 'Who wrote the comment; always the inserting user.';
comment on column social.comments.body is
  'Text, 1-2000 characters and not blank; the author may edit it.';
comment on column social.comments.media is
  'Up to 4 media references {id, alt?}, completed from each social.media row like posts.media.';
comment on column social.comments.reply_count is
  'Replies not deleted (top-level comments only); kept by the on_comments_counts trigger.';
comment on column social.comments.edited_at is
  'Last edit of the body (set by on_comments_write); null when never edited.';
comment on column social.comments.deleted_at is
  'When the comment was soft-deleted (social.delete_comment or moderation); hidden from everyone '
  'but service_role. A top-level comment takes its replies with it.';
comment on column social.comments.deleted_by is
  'Who soft-deleted it: the comment''s author, the post''s author or group staff.';
comment on column social.comments.created_at is
  'When the comment was posted; comments list oldest first.';
comment on column social.comments.updated_at is
  'Last change of the body; set by the on_comments_write trigger.';
create index comments_post_idx on social.comments (post_id, created_at, id);
create index comments_parent_idx on social.comments (parent_id, created_at, id) where parent_id is not null;
create index comments_author_idx on social.comments (author_id);
create index comments_deleted_by_idx on social.comments (deleted_by) where deleted_by is not null;
alter table social.comments enable row level security;
grant select on social.comments to anon, authenticated;
grant insert (id, post_id, parent_id, author_id, body, media) on social.comments to authenticated;
grant update (body, media) on social.comments to authenticated;
grant all on social.comments to service_role;

-- May the current user (or anon) see a comment with these columns? Deletion is checked by callers.
create function social_private.can_view_comment(p_post_id uuid, p_author uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
begin
  if v_uid is not null and p_author <> v_uid and (
    exists (select 1 from social.blocks b where b.blocker_id = v_uid and b.blocked_id = p_author)
    or exists (select 1 from social.blocks b where b.blocker_id = p_author and b.blocked_id = v_uid)
  ) then
    return false;
  end if;
  return social_private.can_view_post(p_post_id);
end;
$$;
comment on function social_private.can_view_comment(uuid, uuid) is
  'May the caller see a comment by p_author on p_post_id? Whoever sees the post, never across a '
  'block with the comment''s author. Deletion is checked by callers.';
grant execute on function social_private.can_view_comment(uuid, uuid) to anon, authenticated, service_role;

-- May the current user see comment p_comment_id? Never when it is deleted.
create function social_private.can_view_comment(p_comment_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_comment record;
begin
  select c.post_id, c.author_id into v_comment
  from social.comments c
  where c.id = p_comment_id and c.deleted_at is null;
  if not found then
    return false;
  end if;
  return social_private.can_view_comment(v_comment.post_id, v_comment.author_id);
end;
$$;
comment on function social_private.can_view_comment(uuid) is
  'May the caller see comment p_comment_id? False when it does not exist or is deleted.';
grant execute on function social_private.can_view_comment(uuid) to anon, authenticated, service_role;

-- visitors see comments on posts they see
create policy comments_select_anon on social.comments
  for select to anon
  using (deleted_at is null and social_private.can_view_comment(post_id, author_id));
-- signed-in users see comments on posts they see, never across a block
create policy comments_select_visible on social.comments
  for select to authenticated
  using (deleted_at is null and social_private.can_view_comment(post_id, author_id));
-- users comment as themselves on posts they see (in a group: as a member)
create policy comments_insert_self on social.comments
  for insert to authenticated
  with check (author_id = (select auth.uid()) and social_private.can_interact_with_post(post_id));
-- authors edit their comments while not deleted and while they may still comment on the post
-- (in a group: as an active member); deleting goes through social.delete_comment
create policy comments_update_author on social.comments
  for update to authenticated
  using (
    author_id = (select auth.uid()) and deleted_at is null
    and social_private.can_interact_with_post(post_id)
  )
  with check (author_id = (select auth.uid()) and deleted_at is null);

-- Before a comment is written: rate limits (inserts: comment; body edits: comment_edit), a
-- reply's parent must be a visible top-level comment of the same post, a well-formed media list,
-- edits stamp edited_at.
create function social_private.handle_comment_write()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_parent record;
  v_error text;
begin
  if tg_op = 'INSERT' then
    perform social_private.check_rate_limit('comment');
    if new.parent_id is not null then
      -- read as the caller: a parent they may not see (deleted, blocked) is no parent
      select c.post_id, c.parent_id into v_parent
      from social.comments c
      where c.id = new.parent_id and c.deleted_at is null;
      if not found then
        perform social_private.raise_error('not_found', 'parent_not_found', 'the comment you reply to does not exist');
      end if;
      if v_parent.post_id <> new.post_id then
        perform social_private.raise_error(
          'invalid_input', 'invalid_parent', 'a reply must be on the same post as its parent');
      end if;
      if v_parent.parent_id is not null then
        perform social_private.raise_error('invalid_input', 'invalid_parent', 'replies go to top-level comments only');
      end if;
    end if;
  end if;
  if new.body !~ '[^[:space:]]' then
    perform social_private.raise_error('invalid_input', 'invalid_body', 'the comment must not be blank');
  end if;
  if char_length(new.body) > 2000 then
    perform social_private.raise_error('invalid_input', 'invalid_body', 'the comment is longer than 2000 characters');
  end if;
  if new.media is distinct from '[]'::jsonb then
    v_error := social_private.media_error(new.media, 4);
  end if;
  if v_error is not null then
    perform social_private.raise_error('invalid_input', 'invalid_media', v_error);
  end if;
  if tg_op = 'UPDATE' and (new.body is distinct from old.body or new.media is distinct from old.media) then
    perform social_private.check_rate_limit('comment_edit');
    new.edited_at := now();
    new.updated_at := now();
  end if;
  return new;
end;
$$;
comment on function social_private.handle_comment_write() is
  'Trigger function (before insert or update of body or media on comments, on_comments_write): '
  'rate limits new comments and edits, checks a reply''s parent (visible, same post, top level), '
  'refuses blank or long bodies and malformed media lists, stamps edited_at.';
create trigger on_comments_write before insert or update of body, media on social.comments
  for each row execute function social_private.handle_comment_write();

-- Keep comment_count (and so hot_score) in post_stats and reply_count on the parent; a
-- soft-deleted top-level comment takes its replies with it; sync mentions; queue a new comment's
-- notifications and activity. Security definer: counters, mentions and the queue are not
-- client-writable.
create function social_private.handle_comment_written()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_delta integer := 0;
  v_row record;
begin
  if tg_op = 'INSERT' then
    v_delta := 1;
    v_row := new;
  elsif tg_op = 'DELETE' then
    if old.deleted_at is null then v_delta := -1; end if;
    v_row := old;
  else
    v_row := new;
    if old.deleted_at is null and new.deleted_at is not null then
      v_delta := -1;
      if new.parent_id is null then
        update social.comments c
        set deleted_at = new.deleted_at, deleted_by = new.deleted_by
        where c.parent_id = new.id and c.deleted_at is null;
      end if;
    elsif old.deleted_at is not null and new.deleted_at is null then
      v_delta := 1;
    end if;
  end if;

  -- nothing to count when the post itself is going (its comments go by cascade, post_stats with
  -- it): a parent comment updated twice in that cascade would re-check its own foreign key to the
  -- post after the post is gone (post_stats' key is deferred to commit, comments' is not)
  if v_delta <> 0 and (tg_op <> 'DELETE' or exists (select 1 from social.posts x where x.id = v_row.post_id)) then
    update social.post_stats p set comment_count = greatest(p.comment_count + v_delta, 0)
    where p.post_id = v_row.post_id;
    if v_row.parent_id is not null then
      update social.comments c set reply_count = greatest(c.reply_count + v_delta, 0)
      where c.id = v_row.parent_id;
    end if;
  end if;

  -- a new comment without an '@' mentions nobody and has no mentions to take back: no call
  if (tg_op = 'INSERT' and strpos(new.body, '@') > 0) or (tg_op = 'UPDATE' and new.body is distinct from old.body) then
    perform social_private.sync_mentions(new.post_id, new.id, new.author_id, new.body);
  end if;
  if tg_op = 'INSERT' then
    insert into social_private.deferred_effects (source, post_id, actor_id, comment_id, occurred_at)
    values ('comment', new.post_id, new.author_id, new.id, new.created_at);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_comment_written() is
  'Trigger function (after insert, delete or update of body, deleted_at on comments): keeps '
  'post_stats.comment_count and comments.reply_count, soft-deletes replies with their parent, syncs '
  'mentions, queues a new comment''s notifications and activity (social_private.deferred_effects).';
-- Named to fire (triggers of one event fire in name order) before the notification triggers of a
-- comment's deletion and edits (on_comments_deleted_notifications, on_comments_edited_notifications):
-- every write to a post takes its post_stats row before any notification counter, so a comment,
-- its deletion and a reaction on one post running at the same time wait for each other instead of
-- deadlocking.
create trigger on_comments_counts after insert or delete or update of body, deleted_at
  on social.comments
  for each row execute function social_private.handle_comment_written();

-- Security definer: group staff delete rows they do not own, and deleted_at / deleted_by are
-- not client-writable. Staff act only on lower ranks (insufficient_role for an equal or higher
-- rank's comment); the post's author curates their own thread whoever wrote the comment.
-- Wrapped by the RPC below.
create function social_private.soft_delete_comment(p_comment_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
  v_comment record;
begin
  select c.id, c.author_id, c.deleted_at, p.author_id as post_author_id, p.group_id into v_comment
  from social.comments c
  join social.posts p on p.id = c.post_id
  where c.id = p_comment_id
  for update of c;
  if not found then
    perform social_private.raise_error('not_found', 'comment_not_found', 'no such comment');
  end if;
  if v_comment.author_id <> v_uid and v_comment.post_author_id <> v_uid
     and v_comment.group_id is not null and v_comment.deleted_at is null
     and social_private.is_group_staff(v_comment.group_id)
     and social_private.my_group_rank(v_comment.group_id)
         <= social_private.user_group_rank(v_comment.author_id, v_comment.group_id) then
    perform social_private.raise_error('permission_denied', 'insufficient_role', 'staff remove comments of lower ranks only');
  end if;
  if v_comment.author_id <> v_uid
     and v_comment.post_author_id <> v_uid
     and not (v_comment.group_id is not null and social_private.is_group_staff(v_comment.group_id)) then
    if v_comment.deleted_at is null and social_private.can_view_comment(p_comment_id) then
      perform social_private.raise_error('permission_denied', 'not_allowed',
        'only the comment''s author, the post''s author or group staff may delete this comment');
    end if;
    perform social_private.raise_error('not_found', 'comment_not_found', 'no such comment');
  end if;
  if v_comment.deleted_at is not null then
    return;
  end if;
  update social.comments set deleted_at = now(), deleted_by = v_uid where id = p_comment_id;
end;
$$;
comment on function social_private.soft_delete_comment(uuid) is
  'Body of social.delete_comment (security definer): the comment''s author, the post''s author or '
  'group staff of a higher rank than the comment''s author set deleted_at and deleted_by.';
grant execute on function social_private.soft_delete_comment(uuid) to authenticated, service_role;

-- Soft-delete a comment (and a top-level comment's replies): its author, the post's author, or
-- staff of the post's group. Idempotent.
create function social.delete_comment(p_comment_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.soft_delete_comment(p_comment_id);
$$;
comment on function social.delete_comment(uuid) is
  'Soft-delete a comment and its replies (comment author, post author or group staff of a higher '
  'rank). Idempotent.';
grant execute on function social.delete_comment(uuid) to authenticated, service_role;

-- =====================================================================================
-- mentions
-- =====================================================================================

create table social.mentions (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references social.posts (id) on delete cascade,
  comment_id uuid references social.comments (id) on delete cascade,
  mentioned_id uuid not null references social.profiles (id) on delete cascade,
  author_id uuid not null references social.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  constraint mentions_once unique nulls not distinct (post_id, comment_id, mentioned_id)
);
comment on table social.mentions is
  '@handle mentions, parsed from post and comment bodies by triggers: who (mentioned_id) was '
  'mentioned by whom (author_id) where (post_id, and comment_id for a comment). Only existing '
  'users not blocked with the author either way; at most 20 per text.';
comment on column social.mentions.id is 'The mention''s id (random uuid).';
comment on column social.mentions.post_id is
  'The post the mention is in (or the post of the comment it is in).';
comment on column social.mentions.comment_id is
  'The comment the mention is in; null for a mention in the post''s body.';
comment on column social.mentions.mentioned_id is
  'Who was mentioned by @handle: an existing user other than the author, not blocked with them.';
comment on column social.mentions.author_id is
  'Who wrote the text with the mention (the post''s or comment''s author).';
comment on column social.mentions.created_at is
  'When the mention first appeared in the text; editing the text keeps mentions that remain.';
create index mentions_mentioned_idx on social.mentions (mentioned_id, created_at desc);
create index mentions_comment_idx on social.mentions (comment_id) where comment_id is not null;
create index mentions_author_idx on social.mentions (author_id);
alter table social.mentions enable row level security;
grant select on social.mentions to authenticated;
grant all on social.mentions to service_role;

-- mentions are visible to whoever sees the post (and the comment) they are in
create policy mentions_select_visible on social.mentions
  for select to authenticated
  using (
    social_private.can_view_post(post_id)
    and (comment_id is null or social_private.can_view_comment(comment_id))
  );

-- Replace the mentions of one text (a post body, or a comment body when p_comment_id is set)
-- with the @handles it contains now: existing users other than the author, not blocked with the
-- author either way, at most 20 (the first ones).
create function social_private.sync_mentions(
  p_post_id uuid,
  p_comment_id uuid,
  p_author_id uuid,
  p_body text
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_targets uuid[] := '{}';
begin
  -- most texts mention nobody: no '@', no handle lookup
  if strpos(coalesce(p_body, ''), '@') > 0 then
    select coalesce(array_agg(distinct pr.id), '{}') into v_targets
    from (
      select lower(m.match[1]) as handle, min(m.n) as first_at
      from regexp_matches(coalesce(p_body, ''),
                          '(?<![A-Za-z0-9_@])@([A-Za-z0-9_]{3,30})(?![A-Za-z0-9_])', 'g')
           with ordinality as m(match, n)
      group by 1
      order by 2
      limit 20
    ) h
    join social.profiles pr on pr.handle operator(extensions.=) h.handle::extensions.citext
    where pr.id <> p_author_id
      and not social_private.user_is_blocked_with(p_author_id, pr.id);
  end if;

  delete from social.mentions m
  where m.post_id = p_post_id
    and m.comment_id is not distinct from p_comment_id
    and m.mentioned_id <> all (v_targets);

  insert into social.mentions (post_id, comment_id, mentioned_id, author_id)
  select p_post_id, p_comment_id, t.id, p_author_id
  from unnest(v_targets) as t(id)
  on conflict on constraint mentions_once do nothing;
end;
$$;
comment on function social_private.sync_mentions(uuid, uuid, uuid, text) is
  'Replaces the mentions of one text (a post body, or a comment body when p_comment_id is set) '
  'with the @handles it contains: existing users other than the author, not blocked with them, the '
  'first 20.';

-- A block removes the mentions between the two users, both ways (new ones are never made, see
-- sync_mentions); their notifications go with them (notification triggers).
create function social_private.handle_block_mentions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from social.mentions m
  where (m.author_id = new.blocker_id and m.mentioned_id = new.blocked_id)
     or (m.author_id = new.blocked_id and m.mentioned_id = new.blocker_id);
  return null;
end;
$$;
comment on function social_private.handle_block_mentions() is
  'Trigger: a block removes the mentions between the two users, both ways.';
create trigger on_blocks_mentions after insert on social.blocks
  for each row execute function social_private.handle_block_mentions();

-- =====================================================================================
-- lists (the page contract of 20261128000000_core.sql; security invoker: RLS decides)
-- =====================================================================================

-- One page of comments, oldest first, with the author's summary: the top-level comments of post
-- p_post_id, or (p_post_id null) the replies to comment p_parent_id. p_list names the list in the
-- cursor; the post or the parent comment is its scope.
create function social_private.comments_page(
  p_list text,
  p_post_id uuid,
  p_parent_id uuid,
  p_cursor text,
  p_limit integer
)
returns table (
  id uuid,
  post_id uuid,
  parent_id uuid,
  author_id uuid,
  body text,
  media jsonb,
  reply_count integer,
  edited_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  author jsonb,
  next_cursor text
)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_scope text := coalesce(p_post_id, p_parent_id)::text;
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor(p_list, 'oldest', v_scope, p_cursor, true);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  if p_post_id is not null then
    select array_agg(x.id order by x.created_at, x.id), array_agg(x.created_at order by x.created_at, x.id)
      into v_ids, v_created
    from (
      select c.id, c.created_at from social.comments c
      where c.post_id = p_post_id and c.parent_id is null
        and (c.created_at, c.id) > (v_key.created_at, v_key.id)
      order by c.created_at, c.id
      limit v_limit + 1
    ) x;
  else
    select array_agg(x.id order by x.created_at, x.id), array_agg(x.created_at order by x.created_at, x.id)
      into v_ids, v_created
    from (
      select c.id, c.created_at from social.comments c
      where c.parent_id = p_parent_id
        and (c.created_at, c.id) > (v_key.created_at, v_key.id)
      order by c.created_at, c.id
      limit v_limit + 1
    ) x;
  end if;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor(p_list, 'oldest', v_scope, v_created[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select c.id, c.post_id, c.parent_id, c.author_id, c.body, c.media, c.reply_count, c.edited_at, c.created_at,
           c.updated_at,
           case when a.id is not null then
             jsonb_build_object('id', a.id, 'handle', a.handle, 'display_name', a.display_name,
                                'avatar_path', a.avatar_path)
           end,
           v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(comment_id, position)
    join social.comments c on c.id = k.comment_id
    left join social.profiles a on a.id = c.author_id
    order by k.position;
end;
$$;
comment on function social_private.comments_page(text, uuid, uuid, text, integer) is
  'One page of comments, oldest first, with author summaries: a post''s top-level comments or a '
  'comment''s replies; the body of list_comments and list_replies.';
grant execute on function social_private.comments_page(text, uuid, uuid, text, integer)
  to anon, authenticated, service_role;

-- The top-level comments of a post the caller sees, oldest first (replies: list_replies).
create function social.list_comments(p_post_id uuid, p_cursor text default null, p_limit integer default 20)
returns table (
  id uuid,
  post_id uuid,
  parent_id uuid,
  author_id uuid,
  body text,
  media jsonb,
  reply_count integer,
  edited_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  author jsonb,
  next_cursor text
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.comments_page('list_comments', p_post_id, null, p_cursor, p_limit);
$$;
comment on function social.list_comments(uuid, text, integer) is
  'Top-level comments of a post, oldest first, with the author''s summary. p_cursor: the '
  'next_cursor of the previous page (same post); p_limit 1-50.';
grant execute on function social.list_comments(uuid, text, integer) to anon, authenticated, service_role;

-- The replies to a top-level comment, oldest first.
create function social.list_replies(p_comment_id uuid, p_cursor text default null, p_limit integer default 20)
returns table (
  id uuid,
  post_id uuid,
  parent_id uuid,
  author_id uuid,
  body text,
  media jsonb,
  reply_count integer,
  edited_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  author jsonb,
  next_cursor text
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.comments_page('list_replies', null, p_comment_id, p_cursor, p_limit);
$$;
comment on function social.list_replies(uuid, text, integer) is
  'Replies to a comment, oldest first, with the author''s summary. p_cursor: the next_cursor of '
  'the previous page (same comment); p_limit 1-50.';
grant execute on function social.list_replies(uuid, text, integer) to anon, authenticated, service_role;

-- Who reacted to a post the caller sees, newest first, with the user's card ("user"; never users
-- a block separates the caller from); p_kind: one kind only. Keyed by (created_at, user_id,
-- kind): a user may hold several kinds on one post.
create function social.list_reactions(
  p_post_id uuid,
  p_kind social.reaction_kind default null,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  post_id uuid,
  user_id uuid,
  kind social.reaction_kind,
  created_at timestamptz,
  "user" jsonb,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_scope text := jsonb_build_array(p_post_id, p_kind)::text;
  v_limit integer := social_private.page_limit(p_limit);
  v_keys text[] := social_private.decode_cursor('list_reactions', 'latest', v_scope, p_cursor, 3);
  -- the first page starts after +infinity: the user and kind there are never compared
  v_at timestamptz := coalesce(timestamptz 'epoch' + v_keys[1]::bigint * interval '1 microsecond', 'infinity');
  v_user uuid := coalesce(v_keys[2], 'ffffffff-ffff-ffff-ffff-ffffffffffff')::uuid;
  v_kind social.reaction_kind := coalesce(v_keys[3], 'like')::social.reaction_kind;
  v_rows social.reactions[];
  v_next text;
begin
  select array_agg(x.r order by (x.r).created_at desc, (x.r).user_id desc, (x.r).kind desc)
    into v_rows
  from (
    select r
    from social.reactions r
    join social.profiles p on p.id = r.user_id
    where r.post_id = p_post_id and (p_kind is null or r.kind = p_kind)
      and (r.created_at, r.user_id, r.kind) < (v_at, v_user, v_kind)
    order by r.created_at desc, r.user_id desc, r.kind desc
    limit v_limit + 1
  ) x;
  if cardinality(v_rows) > v_limit then
    v_next := social_private.encode_cursor('list_reactions', 'latest', v_scope, array[
      (extract(epoch from v_rows[v_limit].created_at) * 1000000)::bigint::text,
      v_rows[v_limit].user_id::text,
      v_rows[v_limit].kind::text
    ]);
  end if;
  return query
    select r.post_id, r.user_id, r.kind, r.created_at, to_jsonb(p), v_next
    from unnest(coalesce(v_rows[1:v_limit], '{}')) with ordinality as r
    join social.profiles p on p.id = r.user_id
    order by r.ordinality;
end;
$$;
comment on function social.list_reactions(uuid, social.reaction_kind, text, integer) is
  'Who reacted to a post and how, newest first, with their cards ("user"); p_kind: one kind. '
  'p_cursor: the next_cursor of the previous page (same post and kind); p_limit 1-50.';
grant execute on function social.list_reactions(uuid, social.reaction_kind, text, integer)
  to anon, authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
