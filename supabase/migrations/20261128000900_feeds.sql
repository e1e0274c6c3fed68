-- Feeds: RPCs that return a page of posts ready to render. The page is picked by security definer
-- functions in social_private with explicit visibility predicates (so the per-row RLS functions
-- are not paid on thousands of candidates), then read as the caller through
-- social_private.feed_posts (a security_invoker view over social.posts), so RLS holds for every
-- row returned. Author and group summaries and the caller's own reactions come with the picked
-- page (see make_feed_page for why that is safe). The feed functions set plan_cache_mode =
-- force_generic_plan: left to choose, PostgreSQL keeps planning the page queries afresh for every
-- call (custom plans, ~2.5 ms a page at benchmark scale) although the generic plan is the same
-- index-driven plan.
--
-- The feed RPCs return rows ready to render (PostgREST serves them as a JSON array of objects):
--   the post's fields (id, author_id, group_id, kind, body, data, ref_type, ref_id, media,
--   visibility, reaction_counts, reaction_count, comment_count, hot_score, edited_at, created_at;
--   the counters and hot_score are read from social.post_stats),
--   "group"       {id, name, avatar_path, kind} for a post in a group, else null,
--   my_reactions  the caller's own reaction kinds on the post (empty array for none or anon),
--   author        {id, handle, display_name, avatar_path},
--   next_cursor   the same on every row of a page: pass it as p_cursor for the next page; null on
--                 the last page.
-- Each function picks the page (social_private.*_page) and joins it to social_private.feed_posts
-- as the caller; the four joins are the same and must stay so.
--
-- This migration: the page machinery, the group and profile feeds, and social.get_post (one post
-- in the same row shape; the SDK's posts.get). The home feed is in 20261128001000_home_feed.sql.
-- SDK: social.feed; tests: tests/db/feed.test.ts; benchmark: npm run bench -- feed.

-- =====================================================================================
-- types
-- =====================================================================================

-- A feed page as picked by the social_private feed functions: post ids in display order and, in
-- the same order, the author's summary, the group's summary (null outside groups) and the caller's
-- own reaction kinds (comma-separated, '' for none) and the post's counters and hot score (from
-- social.post_stats); the cursor of the next page (null on the last page).
create type social_private.feed_page as (
  post_ids uuid[],
  authors jsonb[],
  groups jsonb[],
  my_reactions text[],
  next_cursor text,
  reaction_counts jsonb[],
  reaction_count integer[],
  comment_count integer[],
  hot_score double precision[]
);
comment on type social_private.feed_page is
  'A feed page as picked by the feed functions: post ids in display order with, in the same order, '
  'author summaries, group summaries (null outside groups), the caller''s reaction kinds '
  '(comma-separated, '''' for none) and the post''s counters and score (social.post_stats); '
  'next_cursor is null on the last page.';

-- Turn up to p_limit + 1 ordered candidates into a page: the first p_limit ids with, per post,
-- the author's summary, the group's summary and the caller's own reactions, and a next cursor
-- (of list p_list, order p_order, scope p_scope) when there was one more. Security definer: the candidates were picked as visible to the caller,
-- which makes their author's card and their group visible to them too (a post is never visible
-- across a block, nor to anon unless its author's profile is public; a group post is visible only
-- to readers of the group or, if private, to the coaching group's owner), and the reactions are
-- the caller's own. Reading them here keeps the caller-side query (and its planning, redone
-- whenever a pooled connection switches role) down to social.posts under RLS. Called only from
-- security definer functions (as their owner): no grants.
create function social_private.make_feed_page(
  p_list text,
  p_order text,
  p_scope text,
  p_limit integer,
  p_ids uuid[],
  p_created_at timestamptz[],
  p_hot_score double precision[]
)
returns social_private.feed_page
language plpgsql
stable
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  v_uid uuid := auth.uid();
  v_page social_private.feed_page;
begin
  -- the arrays come from one ordered set of rows, so they stay aligned
  select coalesce(array_agg(x.post_id), '{}'), coalesce(array_agg(x.author), '{}'),
         coalesce(array_agg(x.group_summary), '{}'), coalesce(array_agg(x.kinds), '{}'),
         coalesce(array_agg(x.reaction_counts), '{}'), coalesce(array_agg(x.reaction_count), '{}'),
         coalesce(array_agg(x.comment_count), '{}'), coalesce(array_agg(x.hot_score), '{}')
    into v_page.post_ids, v_page.authors, v_page.groups, v_page.my_reactions,
         v_page.reaction_counts, v_page.reaction_count, v_page.comment_count, v_page.hot_score
  from (
    select k.post_id, s.reaction_counts, s.reaction_count, s.comment_count, s.hot_score,
           jsonb_build_object('id', a.id, 'handle', a.handle, 'display_name', a.display_name,
                              'avatar_path', a.avatar_path) as author,
           case when g.id is not null then
             jsonb_build_object('id', g.id, 'name', g.name, 'avatar_path', g.avatar_path, 'kind', g.kind)
           end as group_summary,
           coalesce((
             select string_agg(r.kind::text, ',' order by r.kind)
             from social.reactions r
             where r.post_id = k.post_id and r.user_id = v_uid
           ), '') as kinds
    from unnest(p_ids[1:p_limit]) with ordinality as k(post_id, ord)
    join social.posts p on p.id = k.post_id
    join social.post_stats s on s.post_id = k.post_id
    join social.profiles a on a.id = p.author_id
    left join social.groups g on g.id = p.group_id
    order by k.ord
  ) x;
  if cardinality(p_ids) > p_limit then
    v_page.next_cursor := social_private.encode_page_cursor(
      p_list, p_order, p_scope, p_created_at[p_limit], p_hot_score[p_limit], p_ids[p_limit]);
  end if;
  return v_page;
end;
$$;
comment on function social_private.make_feed_page(text, text, text, integer, uuid[], timestamptz[], double precision[]) is
  'Turns up to p_limit + 1 ordered candidates the caller may see into a feed_page: the first '
  'p_limit posts with author and group summaries, the caller''s reactions and the post''s counters '
  'and score (post_stats), and the next cursor '
  '(of list p_list, order p_order, scope p_scope) when there is one more.';

-- The post columns of a feed row (internal), read as the caller: security_invoker, so RLS on
-- posts holds for every row and a post the caller may not read is dropped. The counters and the
-- score come with the picked page (make_feed_page reads post_stats), so the caller-side query
-- reads social.posts only. The feed RPCs join a
-- picked page to it; being a view, it is planned into their query (a function in between cost
-- ~0.4 ms a page).
create view social_private.feed_posts
with (security_invoker = true)
as
select p.id, p.author_id, p.group_id, p.kind, p.body, p.data, p.ref_type, p.ref_id, p.media,
       p.visibility, p.edited_at, p.created_at
from social.posts p;
comment on view social_private.feed_posts is
  'The post columns of the feed RPCs'' rows; RLS on social.posts applies.';
comment on column social_private.feed_posts.id is 'The post''s id (social.posts.id).';
comment on column social_private.feed_posts.author_id is
  'Who wrote the post (social.posts.author_id).';
comment on column social_private.feed_posts.group_id is
  'The post''s group; null outside groups (social.posts.group_id).';
comment on column social_private.feed_posts.kind is 'What the post is (social.posts.kind).';
comment on column social_private.feed_posts.body is 'The post''s text (social.posts.body).';
comment on column social_private.feed_posts.data is
  'The post''s structured payload (social.posts.data).';
comment on column social_private.feed_posts.ref_type is
  'What the post refers to (social.posts.ref_type).';
comment on column social_private.feed_posts.ref_id is
  'Id of what the post refers to (social.posts.ref_id).';
comment on column social_private.feed_posts.media is 'The post''s media list (social.posts.media).';
comment on column social_private.feed_posts.visibility is
  'Who may see the post (social.posts.visibility).';
comment on column social_private.feed_posts.edited_at is
  'Last edit of body or media (social.posts.edited_at).';
comment on column social_private.feed_posts.created_at is
  'When the post was published (social.posts.created_at).';
grant select on social_private.feed_posts to anon, authenticated, service_role;

-- =====================================================================================
-- group and profile feeds
-- =====================================================================================

-- A group's page for the current user: group posts, the private ones only to their author and
-- (coaching groups) the owner; never blocked users. group_not_found for a group the user may
-- not see, group_forbidden for one whose content they may not read.
create function social_private.group_feed_page(
  p_group_id uuid,
  p_order text,
  p_cursor text,
  p_limit integer
)
returns social_private.feed_page
language plpgsql
stable
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  v_uid uuid := social_private.require_user();
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor(
    'group_feed', social_private.require_order(p_order, 'latest', 'top'), p_group_id::text, p_cursor);
  v_hidden uuid[];
  v_all_private boolean;
  v_ids uuid[];
  v_created timestamptz[];
  v_scores double precision[];
begin
  select g.kind = 'coaching' and g.owner_id = v_uid into v_all_private
  from social.groups g where g.id = p_group_id;
  -- active members read their group (the common case, one index probe); everyone else goes by
  -- the groups domain's rules (public groups are readable, listed ones visible)
  if v_all_private is null or not exists (
    select 1 from social.group_members m
    join social.groups g on g.id = m.group_id
    where m.group_id = p_group_id and m.user_id = v_uid and m.status = 'active'
      and (g.required_tier is null or m.role <> 'member' or social_private.user_has_tier(v_uid, g.required_tier))
  ) then
    if not social_private.can_see_group(p_group_id) then
      perform social_private.raise_error('not_found', 'group_not_found', 'no such group');
    end if;
    if not social_private.can_read_group(p_group_id) then
      perform social_private.raise_error('permission_denied', 'group_forbidden', 'join the group to see its posts');
    end if;
  end if;
  v_hidden := social_private.user_blocked_ids(v_uid);

  if p_order = 'latest' then
    select array_agg(p.id order by p.created_at desc, p.id desc),
           array_agg(p.created_at order by p.created_at desc, p.id desc)
      into v_ids, v_created
    from (
      select p.id, p.created_at from social.posts p
      where p.group_id = p_group_id and p.deleted_at is null
        and (p.created_at, p.id) < (v_key.created_at, v_key.id)
        and p.author_id <> all (v_hidden)
        and (p.visibility = 'group' or p.author_id = v_uid or v_all_private)
      order by p.created_at desc, p.id desc
      limit v_limit + 1
    ) p;
  else
    -- by hot score: the top index of post_stats (copies of the post's group, author, visibility)
    select array_agg(p.post_id order by p.hot_score desc, p.post_id desc),
           array_agg(p.hot_score order by p.hot_score desc, p.post_id desc)
      into v_ids, v_scores
    from (
      select s.post_id, s.hot_score from social.post_stats s
      where s.group_id = p_group_id and s.deleted_at is null
        and (s.hot_score, s.post_id) < (v_key.score, v_key.id)
        and s.author_id <> all (v_hidden)
        and (s.visibility = 'group' or s.author_id = v_uid or v_all_private)
      order by s.hot_score desc, s.post_id desc
      limit v_limit + 1
    ) p;
  end if;

  return social_private.make_feed_page('group_feed', p_order, p_group_id::text, v_limit,
                                       coalesce(v_ids, '{}'), v_created, v_scores);
end;
$$;
comment on function social_private.group_feed_page(uuid, text, text, integer) is
  'Picks a page of p_group_id''s posts for social.group_feed: group posts, private ones to their '
  'author and the coaching group''s owner, never blocked users. Raises group_not_found or '
  'group_forbidden.';
grant execute on function social_private.group_feed_page(uuid, text, text, integer) to authenticated, service_role;

create function social.group_feed(
  p_group_id uuid,
  p_order text default 'latest',
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  author_id uuid,
  group_id uuid,
  kind social.post_kind,
  body text,
  data jsonb,
  ref_type text,
  ref_id uuid,
  media jsonb,
  visibility social.post_visibility,
  reaction_counts jsonb,
  reaction_count integer,
  comment_count integer,
  hot_score double precision,
  edited_at timestamptz,
  created_at timestamptz,
  "group" jsonb,
  my_reactions social.reaction_kind[],
  author jsonb,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
  v_page social_private.feed_page := social_private.group_feed_page(p_group_id, p_order, p_cursor, p_limit);
begin
  return query
  select v.id, v.author_id, v.group_id, v.kind, v.body, v.data, v.ref_type, v.ref_id, v.media,
         v.visibility, k.reaction_counts, k.reaction_count, k.comment_count, k.hot_score,
         v.edited_at, v.created_at,
         k.group_summary,
         coalesce(string_to_array(nullif(k.reactions, ''), ',')::social.reaction_kind[], '{}'),
         k.author,
         v_page.next_cursor
  from unnest(v_page.post_ids, v_page.authors, v_page.groups, v_page.my_reactions,
              v_page.reaction_counts, v_page.reaction_count, v_page.comment_count, v_page.hot_score)
         with ordinality as k(post_id, author, group_summary, reactions, reaction_counts, reaction_count,
                              comment_count, hot_score, ord)
  join social_private.feed_posts v on v.id = k.post_id
  order by k.ord;
end;
$$;
comment on function social.group_feed(uuid, text, text, integer) is
  'Posts in a group the signed-in user may read, latest or top; p_cursor: the next_cursor of the '
  'previous page (same group and order); p_limit 1-50.';
grant execute on function social.group_feed(uuid, text, text, integer) to authenticated, service_role;

-- A user's posts outside groups that the current user (or anon) may see: all of them for the
-- author; public ones (when the profile is not private) and followers ones for approved
-- followers; public ones of public profiles for anon; nothing across a block.
create function social_private.profile_feed_page(
  p_user_id uuid,
  p_order text,
  p_cursor text,
  p_limit integer
)
returns social_private.feed_page
language plpgsql
stable
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  v_uid uuid := auth.uid();
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor(
    'profile_feed', social_private.require_order(p_order, 'latest', 'top'), p_user_id::text, p_cursor);
  v_profile_visibility social.profile_visibility;
  v_vis social.post_visibility[];
  v_ids uuid[];
  v_created timestamptz[];
  v_scores double precision[];
begin
  select a.visibility into v_profile_visibility from social.profiles a where a.id = p_user_id;
  if v_profile_visibility is null then
    v_vis := '{}';
  elsif v_uid = p_user_id then
    v_vis := '{public,followers,private}';
  elsif v_uid is null then
    v_vis := case when v_profile_visibility = 'public' then '{public}' else '{}' end;
  elsif exists (select 1 from social.blocks b where b.blocker_id = v_uid and b.blocked_id = p_user_id)
     or exists (select 1 from social.blocks b where b.blocker_id = p_user_id and b.blocked_id = v_uid) then
    v_vis := '{}';
  elsif exists (
    select 1 from social.follows f
    where f.follower_id = v_uid and f.followee_id = p_user_id and f.status = 'accepted'
  ) then
    v_vis := '{public,followers}';
  elsif v_profile_visibility <> 'private' then
    v_vis := '{public}';
  else
    v_vis := '{}';
  end if;
  if cardinality(v_vis) = 0 then
    return row('{}'::uuid[], '{}'::jsonb[], '{}'::jsonb[], '{}'::text[], null, '{}'::jsonb[], '{}'::integer[],
               '{}'::integer[], '{}'::double precision[])::social_private.feed_page;
  end if;

  if p_order = 'latest' then
    select array_agg(p.id order by p.created_at desc, p.id desc),
           array_agg(p.created_at order by p.created_at desc, p.id desc)
      into v_ids, v_created
    from (
      select p.id, p.created_at from social.posts p
      where p.author_id = p_user_id and p.deleted_at is null and p.group_id is null
        and (p.created_at, p.id) < (v_key.created_at, v_key.id)
        and p.visibility = any (v_vis)
      order by p.created_at desc, p.id desc
      limit v_limit + 1
    ) p;
  else
    -- by hot score: the top index of post_stats (copies of the post's author, group, visibility)
    select array_agg(p.post_id order by p.hot_score desc, p.post_id desc),
           array_agg(p.hot_score order by p.hot_score desc, p.post_id desc)
      into v_ids, v_scores
    from (
      select s.post_id, s.hot_score from social.post_stats s
      where s.author_id = p_user_id and s.deleted_at is null and s.group_id is null
        and (s.hot_score, s.post_id) < (v_key.score, v_key.id)
        and s.visibility = any (v_vis)
      order by s.hot_score desc, s.post_id desc
      limit v_limit + 1
    ) p;
  end if;

  return social_private.make_feed_page('profile_feed', p_order, p_user_id::text, v_limit,
                                       coalesce(v_ids, '{}'), v_created, v_scores);
end;
$$;
comment on function social_private.profile_feed_page(uuid, text, text, integer) is
  'Picks a page of p_user_id''s posts outside groups for social.profile_feed, by what the caller '
  'may see: all for the author, followers posts for accepted followers, public ones otherwise; '
  'nothing across a block.';
grant execute on function social_private.profile_feed_page(uuid, text, text, integer)
  to anon, authenticated, service_role;

create function social.profile_feed(
  p_user_id uuid,
  p_order text default 'latest',
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  id uuid,
  author_id uuid,
  group_id uuid,
  kind social.post_kind,
  body text,
  data jsonb,
  ref_type text,
  ref_id uuid,
  media jsonb,
  visibility social.post_visibility,
  reaction_counts jsonb,
  reaction_count integer,
  comment_count integer,
  hot_score double precision,
  edited_at timestamptz,
  created_at timestamptz,
  "group" jsonb,
  my_reactions social.reaction_kind[],
  author jsonb,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
  v_page social_private.feed_page := social_private.profile_feed_page(p_user_id, p_order, p_cursor, p_limit);
begin
  return query
  select v.id, v.author_id, v.group_id, v.kind, v.body, v.data, v.ref_type, v.ref_id, v.media,
         v.visibility, k.reaction_counts, k.reaction_count, k.comment_count, k.hot_score,
         v.edited_at, v.created_at,
         k.group_summary,
         coalesce(string_to_array(nullif(k.reactions, ''), ',')::social.reaction_kind[], '{}'),
         k.author,
         v_page.next_cursor
  from unnest(v_page.post_ids, v_page.authors, v_page.groups, v_page.my_reactions,
              v_page.reaction_counts, v_page.reaction_count, v_page.comment_count, v_page.hot_score)
         with ordinality as k(post_id, author, group_summary, reactions, reaction_counts, reaction_count,
                              comment_count, hot_score, ord)
  join social_private.feed_posts v on v.id = k.post_id
  order by k.ord;
end;
$$;
comment on function social.profile_feed(uuid, text, text, integer) is
  'A user''s posts outside groups that the caller may see (anon: public posts of public '
  'profiles), latest or top; p_cursor: the next_cursor of the previous page (same user and '
  'order); p_limit 1-50.';
grant execute on function social.profile_feed(uuid, text, text, integer) to anon, authenticated, service_role;

-- =====================================================================================
-- one post
-- =====================================================================================

-- The page of one post, for social.get_post: empty when the caller may not see it.
create function social_private.post_page(p_post_id uuid)
returns social_private.feed_page
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not social_private.can_view_post(p_post_id) then
    return row('{}'::uuid[], '{}'::jsonb[], '{}'::jsonb[], '{}'::text[], null, '{}'::jsonb[], '{}'::integer[],
               '{}'::integer[], '{}'::double precision[])::social_private.feed_page;
  end if;
  return social_private.make_feed_page('get_post', 'latest', p_post_id::text, 1, array[p_post_id], null, null);
end;
$$;
comment on function social_private.post_page(uuid) is
  'The feed_page of one post for social.get_post; empty when the caller may not see it.';
grant execute on function social_private.post_page(uuid) to anon, authenticated, service_role;

-- One post in the feed row shape (no row when the caller may not see it).
create function social.get_post(p_post_id uuid)
returns table (
  id uuid,
  author_id uuid,
  group_id uuid,
  kind social.post_kind,
  body text,
  data jsonb,
  ref_type text,
  ref_id uuid,
  media jsonb,
  visibility social.post_visibility,
  reaction_counts jsonb,
  reaction_count integer,
  comment_count integer,
  hot_score double precision,
  edited_at timestamptz,
  created_at timestamptz,
  "group" jsonb,
  my_reactions social.reaction_kind[],
  author jsonb,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
  v_page social_private.feed_page := social_private.post_page(p_post_id);
begin
  return query
  select v.id, v.author_id, v.group_id, v.kind, v.body, v.data, v.ref_type, v.ref_id, v.media,
         v.visibility, k.reaction_counts, k.reaction_count, k.comment_count, k.hot_score,
         v.edited_at, v.created_at,
         k.group_summary,
         coalesce(string_to_array(nullif(k.reactions, ''), ',')::social.reaction_kind[], '{}'),
         k.author,
         v_page.next_cursor
  from unnest(v_page.post_ids, v_page.authors, v_page.groups, v_page.my_reactions,
              v_page.reaction_counts, v_page.reaction_count, v_page.comment_count, v_page.hot_score)
         with ordinality as k(post_id, author, group_summary, reactions, reaction_counts, reaction_count,
                              comment_count, hot_score, ord)
  join social_private.feed_posts v on v.id = k.post_id
  order by k.ord;
end;
$$;
comment on function social.get_post(uuid) is 'One post with author, group and my reactions, as in feeds.';
grant execute on function social.get_post(uuid) to anon, authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
