-- Posts: posts with their revisions (an edit keeps the earlier body and media), soft deletes, and
-- the one rule of who sees a post, used by RLS, the feeds and notifications alike. Writes are rate
-- limited (check_rate_limit('post')). SDK: social.posts (posts.get is social.get_post, in the feeds
-- migration: it returns the feed row); tests: tests/db/posts.test.ts.
--
-- Who sees a post (social_private.can_view_post, and the feed functions say the same with
-- explicit predicates):
--   * its author: outside a group always (until it is deleted); in a group only while they may
--     read the group (losing access to a group loses one's own posts there too);
--   * nobody across a block, in either direction;
--   * outside a group: `public` -> everyone signed in (anon too when the author's profile is
--     public; when the author's profile is private, only approved followers), `followers` ->
--     approved followers, `private` -> the author only;
--   * in a group: `group` -> whoever may read the group (social_private.can_read_group),
--     `private` -> the author, plus the group's owner in a coaching group (the trainer);
--   * soft-deleted posts: nobody (service_role still reads them).
-- Comments, reactions, mentions and revisions are visible to whoever sees their post; comments,
-- reactions and mentions never across a block with their author.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.post_kind as enum ('text', 'activity', 'milestone', 'event', 'trip');
comment on type social.post_kind is
  'text: written by a user; activity: e.g. an automatic "workout completed" post (data carries the '
  'payload); milestone: e.g. a weight goal reached; event / trip: shares an event or a trip '
  '(ref_type/ref_id point at it).';

create type social.post_visibility as enum ('public', 'followers', 'group', 'private');
comment on type social.post_visibility is
  'public: everyone signed in (anon when the author''s profile is public; approved followers only '
  'when it is private); followers: approved followers; group: readers of the post''s group; '
  'private: the author only, plus the owner (trainer) of a coaching group.';

-- =====================================================================================
-- tables
-- =====================================================================================

-- Engagement with a time decay that does not depend on the clock: a post needs e^(hours/12.5)
-- times the engagement to rank level with a newer one. Immutable: the epoch of a timestamptz
-- does not depend on the session's time zone.
create function social_private.post_hot_score(
  p_reactions integer,
  p_comments integer,
  p_created_at timestamptz
)
returns double precision
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return ln(1 + greatest(coalesce(p_reactions, 0), 0) + 2 * greatest(coalesce(p_comments, 0), 0))::double precision
       + extract(epoch from p_created_at)::double precision / 45000;
end;
$$;
comment on function social_private.post_hot_score(integer, integer, timestamptz) is
  'The top-feed score of a post: ln(1 + reactions + 2 * comments) + epoch(created_at) / 45000, so '
  'engagement decays by e every 12.5 hours of age. Stored in post_stats.hot_score.';
grant execute on function social_private.post_hot_score(integer, integer, timestamptz)
  to anon, authenticated, service_role;

create table social.posts (
  id uuid primary key default gen_random_uuid(),
  author_id uuid not null default auth.uid() references social.profiles (id) on delete cascade,
  group_id uuid references social.groups (id) on delete cascade,
  kind social.post_kind not null default 'text',
  body text,
  data jsonb,
  ref_type text,
  ref_id uuid,
  media jsonb not null default '[]',
  visibility social.post_visibility not null default 'public',
  edited_at timestamptz,
  deleted_at timestamptz,
  deleted_by uuid references social.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint posts_body_length check (char_length(body) between 1 and 5000),
  constraint posts_text_has_content check (kind <> 'text' or body is not null or media <> '[]'::jsonb),
  constraint posts_data_is_object check (jsonb_typeof(data) = 'object' and pg_column_size(data) <= 16384),
  constraint posts_ref_pair check ((ref_type is null) = (ref_id is null)),
  constraint posts_ref_type_format check (ref_type ~ '^[a-z][a-z0-9_]{0,39}$'),
  constraint posts_media_shape check (
    case when jsonb_typeof(media) = 'array' then jsonb_array_length(media) <= 10 else false end
  ),
  constraint posts_visibility_place check (
    case when group_id is null then visibility <> 'group' else visibility in ('group', 'private') end
  )
);
comment on table social.posts is
  'Posts on a profile (group_id null) or in a group. Soft-deleted posts (deleted_at) are hidden '
  'from everyone but kept. Clients insert as themselves and edit body, media and visibility; '
  'the counters and the top-feed score are beside the post, in social.post_stats.';
comment on column social.posts.data is
  'Structured payload (a JSON object, at most 16 kB), e.g. the workout of an activity post.';
comment on column social.posts.ref_type is
  'What the post refers to (event, trip, activity, ...); set together with ref_id.';
comment on column social.posts.media is
  'Up to 10 media references {id, alt?}, completed by the media domain from each social.media '
  'row (bucket, path, type, mime_type, width, height, duration_ms, placeholder); ready to render.';
comment on column social.posts.visibility is
  'Outside a group: public, followers or private. In a group: group or private (public given in '
  'a group is stored as group).';
comment on column social.posts.deleted_by is
  'Who soft-deleted the post: its author or group staff of a higher rank than the author''s.';
comment on column social.posts.id is
  'The post''s id (random uuid, or chosen by the client on insert); deleting the row (not '
  'soft-deleting) deletes comments, reactions, mentions and revisions.';
comment on column social.posts.author_id is
  'Who wrote the post; always the inserting user (auth.uid()).';
comment on column social.posts.group_id is
  'The group the post is in; null for a post on the author''s profile.';
comment on column social.posts.kind is
  'What the post is (see type social.post_kind); text posts need a body or media.';
comment on column social.posts.body is
  'Text, 1-5000 characters and not blank; null for posts without text (media or data only).';
comment on column social.posts.ref_id is
  'Id of the referred object (an event, trip, ...) in the app; set together with ref_type.';
comment on column social.posts.edited_at is
  'Last change of body or media (set by on_posts_write); null when never edited. Earlier versions '
  'are in post_revisions.';
comment on column social.posts.deleted_at is
  'When the post was soft-deleted (social.delete_post or moderation); it is then hidden from '
  'everyone but service_role.';
comment on column social.posts.created_at is
  'When the post was published; the order of the latest feed.';
comment on column social.posts.updated_at is
  'Last change of body, media or visibility; set by on_posts_write.';
-- feeds: a profile's posts, newest first (home: one scan per followee); by hot score: post_stats
create index posts_author_feed_idx on social.posts (author_id, created_at desc, id desc)
  include (visibility) where deleted_at is null and group_id is null;
-- feeds: a group's posts; also serves the foreign key (deleted posts included)
create index posts_group_feed_idx on social.posts (group_id, created_at desc, id desc)
  include (author_id, visibility, deleted_at) where group_id is not null;
-- foreign keys and policies
create index posts_author_idx on social.posts (author_id);
create index posts_deleted_by_idx on social.posts (deleted_by) where deleted_by is not null;
create index posts_ref_idx on social.posts (ref_type, ref_id) where ref_id is not null;
alter table social.posts enable row level security;
grant select on social.posts to anon, authenticated;
grant insert (id, author_id, group_id, kind, body, data, ref_type, ref_id, media, visibility)
  on social.posts to authenticated;
grant update (body, media, visibility) on social.posts to authenticated;
grant all on social.posts to service_role;

-- The counters and the top-feed score of a post, beside it rather than in its row: a reaction or
-- a comment updates this narrow row (its primary key and one top index) instead of rewriting the
-- wide posts row and its indexes. The post's author, group, visibility, deletion and creation
-- time are mirrored here (kept by on_posts_stats) so the `top` feeds read one index of this
-- table. One row per post, made with the post.
create table social.post_stats (
  -- deferred: a statement that deletes a post and, in the same cascade, its reactions or comments
  -- (an account going) may update the row twice first; the second update queues a foreign key
  -- re-check that could otherwise run after the post is gone and before the cascade removes this
  -- row. At commit the row is gone and the check has nothing to see.
  post_id uuid primary key references social.posts (id) on delete cascade deferrable initially deferred,
  author_id uuid not null,
  group_id uuid,
  visibility social.post_visibility not null,
  deleted_at timestamptz,
  created_at timestamptz not null,
  reaction_counts jsonb not null default '{}',
  reaction_count integer not null default 0,
  comment_count integer not null default 0,
  hot_score double precision generated always as (
    social_private.post_hot_score(reaction_count, comment_count, created_at)
  ) stored,
  constraint post_stats_counts_not_negative check (reaction_count >= 0 and comment_count >= 0)
);
comment on table social.post_stats is
  'Counters and top-feed score of each post (one row per post, made with it), kept by triggers: '
  'readers see them in the feed rows (social.get_post, the feeds). The post''s author, group, '
  'visibility, deletion and creation time are copies of the posts row for the top-feed indexes.';
comment on column social.post_stats.post_id is 'The post (social.posts.id).';
comment on column social.post_stats.author_id is 'Copy of posts.author_id (kept by on_posts_stats).';
comment on column social.post_stats.group_id is 'Copy of posts.group_id (kept by on_posts_stats).';
comment on column social.post_stats.visibility is 'Copy of posts.visibility (kept by on_posts_stats).';
comment on column social.post_stats.deleted_at is 'Copy of posts.deleted_at (kept by on_posts_stats).';
comment on column social.post_stats.created_at is 'Copy of posts.created_at (kept by on_posts_stats).';
comment on column social.post_stats.reaction_counts is
  'Reactions per kind, e.g. {"like": 3, "fire": 1}; kinds with no reaction are absent.';
comment on column social.post_stats.reaction_count is
  'Total reactions; kept by the on_reactions_counts trigger.';
comment on column social.post_stats.comment_count is
  'Comments and replies not deleted; kept by the comment triggers.';
comment on column social.post_stats.hot_score is
  'Order of the `top` feed: ln(1 + reactions + 2 * comments) + epoch(created_at) / 45000. Depends '
  'on the counters only, never on the clock, so keyset cursors stay valid.';
-- top feeds: a profile's posts and a group's posts by hot score
create index post_stats_author_top_idx on social.post_stats (author_id, hot_score desc, post_id desc)
  include (visibility) where deleted_at is null and group_id is null;
create index post_stats_group_top_idx on social.post_stats (group_id, hot_score desc, post_id desc)
  include (author_id, visibility) where deleted_at is null and group_id is not null;
alter table social.post_stats enable row level security;
grant select on social.post_stats to anon, authenticated;
grant all on social.post_stats to service_role;
-- the counters of a post are visible to whoever sees the post (the posts policies decide)
create policy post_stats_select_anon on social.post_stats
  for select to anon
  using (exists (select 1 from social.posts p where p.id = post_id));
create policy post_stats_select_visible on social.post_stats
  for select to authenticated
  using (exists (select 1 from social.posts p where p.id = post_id));

create table social.post_revisions (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references social.posts (id) on delete cascade,
  body text,
  media jsonb not null default '[]',
  edited_by uuid references social.profiles (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table social.post_revisions is
  'Earlier versions of a post: each row is the body and media a post had until created_at. '
  'Written by a trigger when the body or media changes; visible to whoever sees the post.';
comment on column social.post_revisions.id is 'The revision''s id (random uuid).';
comment on column social.post_revisions.post_id is
  'The post this was an earlier version of; post revisions list newest first.';
comment on column social.post_revisions.body is
  'The post''s body as it was before the edit (null when it had none).';
comment on column social.post_revisions.media is
  'The post''s media list as it was before the edit (same shape as posts.media).';
comment on column social.post_revisions.edited_by is
  'Who made the edit that replaced this version (the author); null once that user is deleted.';
comment on column social.post_revisions.created_at is
  'When this version was replaced: it was the post''s content until then.';
create index post_revisions_post_idx on social.post_revisions (post_id, created_at desc);
create index post_revisions_edited_by_idx on social.post_revisions (edited_by) where edited_by is not null;
alter table social.post_revisions enable row level security;
grant select on social.post_revisions to anon, authenticated;
grant all on social.post_revisions to service_role;

-- =====================================================================================
-- who sees a post (security definer: they read follows, blocks, groups and profiles the caller
-- may not see)
--
-- These run once per row under RLS, so they are plpgsql (their query plans are cached for the
-- session) and check blocks and follows with their own queries rather than calling
-- is_blocked_with / is_following: a SQL function called from inside another function is planned
-- again on every call (PostgreSQL 15), which made each row cost ~0.8 ms. The rules are the same
-- as those helpers'.
-- =====================================================================================

-- May p_user_id (null: anon) see a post with these columns? The rule itself: the other forms
-- below apply it. Deletion is checked by callers. One query per call: it runs for every row a
-- policy checks.
create function social_private.user_can_view_post(
  p_user_id uuid,
  p_author uuid,
  p_group_id uuid,
  p_visibility social.post_visibility
)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := p_user_id;
begin
  if v_uid is null then
    return p_group_id is null and p_visibility = 'public'
      and exists (select 1 from social.profiles a where a.id = p_author and a.visibility = 'public');
  elsif p_author = v_uid then
    return p_group_id is null or social_private.user_can_read_group(v_uid, p_group_id);
  elsif p_group_id is null and p_visibility in ('public', 'followers') then
    -- an approved follower (social_private.is_following) sees both; a follow never stands across
    -- a block (the graph domain deletes follows both ways on a block and refuses a follow
    -- between a blocked pair), so it needs no block check. Anyone else signed in sees a public
    -- post of a profile that is not private, unless a block stands either way.
    return exists (
        select 1 from social.follows f
        where f.follower_id = v_uid and f.followee_id = p_author and f.status = 'accepted'
      )
      or (
        p_visibility = 'public'
        and not exists (select 1 from social.blocks b where b.blocker_id = v_uid and b.blocked_id = p_author)
        and not exists (select 1 from social.blocks b where b.blocker_id = p_author and b.blocked_id = v_uid)
        and exists (select 1 from social.profiles a where a.id = p_author and a.visibility <> 'private')
      );
  elsif p_group_id is not null and p_visibility in ('group', 'private') then
    -- not blocked either way; group: an active member, or whoever the group's own rule admits
    -- (public groups); private: the owner of a coaching group (the trainer)
    return not exists (select 1 from social.blocks b where b.blocker_id = v_uid and b.blocked_id = p_author)
      and not exists (select 1 from social.blocks b where b.blocker_id = p_author and b.blocked_id = v_uid)
      and case p_visibility
        when 'group' then
          exists (
            select 1 from social.group_members m
            join social.groups g on g.id = m.group_id
            where m.group_id = p_group_id and m.user_id = v_uid and m.status = 'active'
              and (g.required_tier is null or m.role <> 'member' or social_private.user_has_tier(v_uid, g.required_tier))
          )
          or social_private.user_can_read_group(v_uid, p_group_id)
        else exists (
          select 1 from social.groups g
          where g.id = p_group_id and g.kind = 'coaching' and g.owner_id = v_uid
        )
      end;
  end if;
  return false;
end;
$$;
comment on function social_private.user_can_view_post(uuid, uuid, uuid, social.post_visibility) is
  'May p_user_id (null: anon) see a post with this author, group and visibility? The one rule of '
  'who sees a post (the author sees a group post only while they may read the group); deletion is '
  'checked by callers.';
grant execute on function social_private.user_can_view_post(uuid, uuid, uuid, social.post_visibility)
  to service_role;

-- May the caller (auth.uid(); anon when null) see a post with these columns? Deletion is checked
-- by callers.
create function social_private.can_view_post(
  p_author uuid,
  p_group_id uuid,
  p_visibility social.post_visibility
)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return social_private.user_can_view_post(auth.uid(), p_author, p_group_id, p_visibility);
end;
$$;
comment on function social_private.can_view_post(uuid, uuid, social.post_visibility) is
  'May the caller see a post with this author, group and visibility? user_can_view_post for '
  'auth.uid(); deletion is checked by callers.';
grant execute on function social_private.can_view_post(uuid, uuid, social.post_visibility)
  to anon, authenticated, service_role;

-- May the current user (or anon) see post p_post_id? Never when it is deleted.
create function social_private.can_view_post(p_post_id uuid)
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
  return social_private.can_view_post(v_post.author_id, v_post.group_id, v_post.visibility);
end;
$$;
comment on function social_private.can_view_post(uuid) is
  'May the caller see post p_post_id? False when it does not exist or is deleted.';
grant execute on function social_private.can_view_post(uuid) to anon, authenticated, service_role;

-- May p_user_id see post p_post_id? Never when it is deleted. For a user other than the caller
-- (the recipient of a mention or reply).
-- plpgsql: a sql function with its own search_path is never inlined and is parsed and planned
-- again on every call (each reaction's and comment's notification calls this one)
create function social_private.user_can_view_post(p_user_id uuid, p_post_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce((
    select social_private.user_can_view_post(p_user_id, p.author_id, p.group_id, p.visibility)
    from social.posts p
    where p.id = p_post_id and p.deleted_at is null
  ), false);
end;
$$;
comment on function social_private.user_can_view_post(uuid, uuid) is
  'May p_user_id see post p_post_id? False when it does not exist or is deleted. Used for the '
  'recipients of mentions and replies.';

-- Sets about the current user that the posts policy reads once per statement (as init plans),
-- so the common rows need no function call each: the users they follow (accepted; a follow never
-- stands across a block, see can_view_post; at most 5000, beyond that the policy falls back
-- to can_view_post), their active groups, and the users a block separates them from.
create function social_private.my_followee_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return array(
    select f.followee_id from social.follows f
    where f.follower_id = auth.uid() and f.status = 'accepted'
    limit 5000
  );
end;
$$;
comment on function social_private.my_followee_ids() is
  'Ids of the users the caller follows (accepted, at most 5000); read once per statement by the '
  'posts policy.';
grant execute on function social_private.my_followee_ids() to authenticated, service_role;

create function social_private.my_group_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
begin
  return array(
    select m.group_id from social.group_members m
    join social.groups g on g.id = m.group_id
    where m.user_id = v_uid and m.status = 'active'
      and (g.required_tier is null or m.role <> 'member' or social_private.user_has_tier(v_uid, g.required_tier))
  );
end;
$$;
comment on function social_private.my_group_ids() is
  'Ids of the groups the caller is an active member of and may read (a tiered group needs the tier '
  'or a staff role); read once per statement by policies.';
grant execute on function social_private.my_group_ids() to authenticated, service_role;

create function social_private.my_blocked_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return social_private.user_blocked_ids(auth.uid());
end;
$$;
comment on function social_private.my_blocked_ids() is
  'Ids of the users a block separates the caller from, either direction; read once per statement '
  'by policies.';
grant execute on function social_private.my_blocked_ids() to authenticated, service_role;

-- visitors see public posts outside groups by authors with public profiles
create policy posts_select_anon on social.posts
  for select to anon
  using (deleted_at is null and social_private.can_view_post(author_id, group_id, visibility));
-- signed-in users see what the post's visibility admits, never across a block. The first three
-- arms decide the common rows from sets computed once per statement (my own posts outside groups
-- and in my groups; public and followers posts of people I follow; group posts of my groups by
-- people no block separates me from); every other row asks can_view_post.
create policy posts_select_visible on social.posts
  for select to authenticated
  using (
    deleted_at is null
    and (
      (
        author_id = (select auth.uid())
        and (group_id is null or group_id = any ((select social_private.my_group_ids())::uuid[]))
      )
      or (
        group_id is null
        and visibility in ('public', 'followers')
        and author_id = any ((select social_private.my_followee_ids())::uuid[])
      )
      or (
        visibility = 'group'
        and group_id = any ((select social_private.my_group_ids())::uuid[])
        and author_id <> all ((select social_private.my_blocked_ids())::uuid[])
      )
      or social_private.can_view_post(author_id, group_id, visibility)
    )
  );
-- users post as themselves; in a group only as an active member
create policy posts_insert_self on social.posts
  for insert to authenticated
  with check (
    author_id = (select auth.uid())
    and (group_id is null or social_private.is_group_member(group_id))
  );
-- authors edit their posts (body, media, visibility) while not deleted and, in a group, while
-- still a member; deleting goes through social.delete_post
create policy posts_update_author on social.posts
  for update to authenticated
  using (
    author_id = (select auth.uid())
    and deleted_at is null
    and (group_id is null or social_private.is_group_member(group_id))
  )
  with check (author_id = (select auth.uid()) and deleted_at is null);

-- earlier versions of a post are visible to whoever sees the post
create policy post_revisions_select_anon on social.post_revisions
  for select to anon
  using (social_private.can_view_post(post_id));
create policy post_revisions_select_visible on social.post_revisions
  for select to authenticated
  using (social_private.can_view_post(post_id));

-- =====================================================================================
-- triggers
-- =====================================================================================

-- Why p_media is not a valid list of media references (for a post: at most 10; a comment: 4), or
-- null when it is. Each item names a social.media row by id, with an optional alt text; the other
-- keys of an item (bucket, path, type, mime_type, width, height, duration_ms, placeholder) are
-- written by the media domain from the media row (20261128001500_media.sql), so a list read back
-- from a post can be sent again as it is.
create function social_private.media_error(p_media jsonb, p_max integer)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_item jsonb;
  v_key text;
  v_ids text[] := '{}';
begin
  if p_media is null or jsonb_typeof(p_media) <> 'array' then
    return 'media must be an array';
  end if;
  if jsonb_array_length(p_media) > p_max then
    return format('at most %s media items', p_max);
  end if;
  for v_item in select e.value from jsonb_array_elements(p_media) e loop
    if jsonb_typeof(v_item) <> 'object' then
      return 'each media item must be an object {id, alt?}';
    end if;
    for v_key in select k from jsonb_object_keys(v_item) k loop
      if v_key not in ('id', 'alt', 'bucket', 'path', 'type', 'mime_type', 'width', 'height', 'duration_ms',
                       'placeholder') then
        return format('unknown media field %s', v_key);
      end if;
    end loop;
    if jsonb_typeof(v_item -> 'id') is distinct from 'string'
       or (v_item ->> 'id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      return 'each media item needs the id of an uploaded media (social.media)';
    end if;
    if lower(v_item ->> 'id') = any (v_ids) then
      return 'a media item is listed twice';
    end if;
    v_ids := v_ids || lower(v_item ->> 'id');
    if v_item ? 'alt' and (jsonb_typeof(v_item -> 'alt') <> 'string'
        or char_length(v_item ->> 'alt') > 1000) then
      return 'media alt must be a string of at most 1000 characters';
    end if;
  end loop;
  return null;
end;
$$;
comment on function social_private.media_error(jsonb, integer) is
  'Why p_media is not a valid list of at most p_max media references ({id, alt?}; the other '
  'keys are filled from the media row), or null when it is.';
grant execute on function social_private.media_error(jsonb, integer) to authenticated, service_role;

-- Before a post is written: rate limits (inserts: post; body or media edits, which each store a
-- revision: post_edit), clear errors for bad input, `public` in a group becomes `group`, edits
-- stamp edited_at.
create function social_private.handle_post_write()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_error text;
begin
  if tg_op = 'INSERT' then
    perform social_private.check_rate_limit('post');
  elsif new.body is distinct from old.body or new.media is distinct from old.media then
    perform social_private.check_rate_limit('post_edit');
  end if;

  if new.group_id is not null and new.visibility = 'public' then
    new.visibility := 'group';
  end if;
  if new.group_id is null and new.visibility = 'group' then
    perform social_private.raise_error(
      'invalid_input', 'invalid_visibility', 'group visibility is for posts in a group');
  end if;
  if new.group_id is not null and new.visibility = 'followers' then
    perform social_private.raise_error(
      'invalid_input', 'invalid_visibility', 'posts in a group are visible to the group or private');
  end if;

  if new.body is not null and new.body !~ '[^[:space:]]' then
    perform social_private.raise_error('invalid_input', 'invalid_body', 'the text must not be blank');
  end if;
  if char_length(new.body) > 5000 then
    perform social_private.raise_error('invalid_input', 'invalid_body', 'the text is longer than 5000 characters');
  end if;
  v_error := social_private.media_error(new.media, 10);
  if v_error is not null then
    perform social_private.raise_error('invalid_input', 'invalid_media', v_error);
  end if;
  if new.kind = 'text' and new.body is null and new.media = '[]'::jsonb then
    perform social_private.raise_error('invalid_input', 'invalid_body', 'a text post needs a text or media');
  end if;
  if new.data is not null and (jsonb_typeof(new.data) <> 'object' or pg_column_size(new.data) > 16384) then
    perform social_private.raise_error('invalid_input', 'invalid_data', 'data must be a JSON object of at most 16 kB');
  end if;
  if (new.ref_type is null) <> (new.ref_id is null)
     or (new.ref_type is not null and new.ref_type !~ '^[a-z][a-z0-9_]{0,39}$') then
    perform social_private.raise_error(
      'invalid_input', 'invalid_ref', 'ref_type and ref_id go together; ref_type is a lowercase word');
  end if;
  if new.kind in ('event', 'trip') and new.ref_type is distinct from new.kind::text then
    perform social_private.raise_error(
      'invalid_input', 'invalid_ref',
      format('a %s post refers to its %s (ref_type %s, ref_id)', new.kind, new.kind, new.kind));
  end if;

  if tg_op = 'UPDATE' and (new.body is distinct from old.body or new.media is distinct from old.media) then
    new.edited_at := now();
    new.updated_at := now();
  elsif tg_op = 'UPDATE' and new.visibility is distinct from old.visibility then
    new.updated_at := now();
  end if;
  return new;
end;
$$;
comment on function social_private.handle_post_write() is
  'Trigger function (before insert or update on posts, on_posts_write): rate limits new posts and '
  'body or media edits, '
  'validates body, media, data and ref with invalid_* codes, stores public in a group as group, '
  'stamps edited_at.';
create trigger on_posts_write
  before insert or update of body, media, visibility, data, kind, ref_type, ref_id, group_id
  on social.posts
  for each row execute function social_private.handle_post_write();

-- After a post is written: keep the earlier body and media as a revision, sync its mentions.
-- Security definer: revisions and mentions are not client-writable.
create function social_private.handle_post_written()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and (new.body is distinct from old.body or new.media is distinct from old.media) then
    insert into social.post_revisions (post_id, body, media, edited_by, created_at)
    values (old.id, old.body, old.media, (select auth.uid()), now());
  end if;
  if tg_op = 'INSERT' or new.body is distinct from old.body then
    perform social_private.sync_mentions(new.id, null, new.author_id, new.body);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_post_written() is
  'Trigger function (after insert or update of body, media on posts, on_posts_written): keeps the '
  'previous body and media as a post_revisions row and syncs mentions.';
create trigger on_posts_written
  after insert or update of body, media on social.posts
  for each row execute function social_private.handle_post_written();

-- A post's post_stats row: made with the post, its copies of author, group, visibility,
-- deletion and creation time kept in step. Security definer: post_stats is not client-writable.
create function social_private.handle_post_stats()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into social.post_stats (post_id, author_id, group_id, visibility, deleted_at, created_at)
    values (new.id, new.author_id, new.group_id, new.visibility, new.deleted_at, new.created_at);
  else
    update social.post_stats s
    set author_id = new.author_id, group_id = new.group_id, visibility = new.visibility,
        deleted_at = new.deleted_at, created_at = new.created_at
    where s.post_id = new.id;
  end if;
  return null;
end;
$$;
comment on function social_private.handle_post_stats() is
  'Trigger function (after insert, or update of author_id, group_id, visibility, deleted_at, '
  'created_at on posts, on_posts_stats): makes the post''s post_stats row and keeps its copies.';
create trigger on_posts_stats
  after insert or update of author_id, group_id, visibility, deleted_at, created_at on social.posts
  for each row execute function social_private.handle_post_stats();

-- =====================================================================================
-- RPC (security invoker: RLS decides)
-- =====================================================================================

-- Security definer: group staff delete rows they do not own, and deleted_at / deleted_by are
-- not client-writable. Staff act only on lower ranks: a moderator never removes an admin's or
-- the owner's post (insufficient_role); content of someone who is no longer an active member has
-- no rank. Wrapped by the RPC below.
create function social_private.soft_delete_post(p_post_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
  v_post record;
begin
  select p.id, p.author_id, p.group_id, p.deleted_at into v_post
  from social.posts p where p.id = p_post_id
  for update;
  if not found then
    perform social_private.raise_error('not_found', 'post_not_found', 'no such post');
  end if;
  if v_post.author_id <> v_uid and v_post.group_id is not null and v_post.deleted_at is null
     and social_private.is_group_staff(v_post.group_id)
     and social_private.my_group_rank(v_post.group_id)
         <= social_private.user_group_rank(v_post.author_id, v_post.group_id) then
    perform social_private.raise_error('permission_denied', 'insufficient_role', 'staff remove posts of lower ranks only');
  end if;
  if v_post.author_id <> v_uid
     and not (v_post.group_id is not null and social_private.is_group_staff(v_post.group_id)) then
    if v_post.deleted_at is null and social_private.can_view_post(p_post_id) then
      perform social_private.raise_error(
        'permission_denied', 'not_allowed', 'only the author or group staff may delete this post');
    end if;
    perform social_private.raise_error('not_found', 'post_not_found', 'no such post');
  end if;
  if v_post.deleted_at is not null then
    return; -- already deleted: a retried delete succeeds
  end if;
  update social.posts set deleted_at = now(), deleted_by = v_uid where id = p_post_id;
end;
$$;
comment on function social_private.soft_delete_post(uuid) is
  'Body of social.delete_post (security definer): the author, or group staff of a higher rank than '
  'the author''s (insufficient_role otherwise), set deleted_at and deleted_by.';
grant execute on function social_private.soft_delete_post(uuid) to authenticated, service_role;

-- Soft-delete a post: its author, or staff of its group. Idempotent.
create function social.delete_post(p_post_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.soft_delete_post(p_post_id);
$$;
comment on function social.delete_post(uuid) is
  'Soft-delete a post (author, or group staff of a higher rank); it disappears for everyone. '
  'Idempotent.';
grant execute on function social.delete_post(uuid) to authenticated, service_role;

-- =====================================================================================
-- lists (the page contract of 20261128000000_core.sql; security invoker: RLS decides)
-- =====================================================================================

-- Earlier versions of a post the caller sees, newest first (an empty page otherwise).
create function social.list_post_revisions(
  p_post_id uuid,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  post_id uuid,
  body text,
  media jsonb,
  edited_by uuid,
  created_at timestamptz,
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
  v_key social_private.page_key := social_private.decode_page_cursor('list_post_revisions', 'latest', p_post_id::text, p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.created_at desc, x.id desc),
         array_agg(x.created_at order by x.created_at desc, x.id desc)
    into v_ids, v_created
  from (
    select r.id, r.created_at
    from social.post_revisions r
    where r.post_id = p_post_id
      and (r.created_at, r.id) < (v_key.created_at, v_key.id)
    order by r.created_at desc, r.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_post_revisions', 'latest', p_post_id::text,
                                                v_created[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select r.id, r.post_id, r.body, r.media, r.edited_by, r.created_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(revision_id, position)
    join social.post_revisions r on r.id = k.revision_id
    order by k.position;
end;
$$;
comment on function social.list_post_revisions(uuid, text, integer) is
  'Earlier versions of a post the caller sees, newest first. p_cursor: the next_cursor of the '
  'previous page (same post); p_limit 1-50.';
grant execute on function social.list_post_revisions(uuid, text, integer) to anon, authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
