-- Posts, reactions, comments and mentions, the home / group / profile feeds, and per-user rate
-- limits for writes.
--
-- Who sees a post (social_private.can_view_post_row, and the feed functions say the same with
-- explicit predicates):
--   * its author, always (until it is deleted);
--   * nobody across a block, in either direction;
--   * outside a group: `public` -> everyone signed in (anon too when the author's profile is
--     public; when the author's profile is private, only approved followers), `followers` ->
--     approved followers, `private` -> the author only;
--   * in a group: `group` -> whoever may read the group (social_private.can_read_group),
--     `private` -> the author, plus the group's owner in a coaching group (the trainer);
--   * soft-deleted posts: nobody (service_role still reads them).
-- Comments, reactions, mentions and revisions are visible to whoever sees their post; comments,
-- reactions and mentions never across a block with their author.
--
-- Feeds are RPCs that return a page ready to render. The page is picked by security definer
-- functions in social_private with explicit visibility predicates (so the per-row RLS functions
-- are not paid on thousands of candidates), then read as the caller through
-- social_private.feed_posts (a security_invoker view over social.posts), so RLS holds for every
-- row returned. Author and group summaries and the caller's own reactions come with the picked
-- page (see make_feed_page for why that is safe).
--
-- Rate limits: social_private.check_rate_limit(action) counts writes per user and minute against
-- social_private.rate_limit_rules (post 10, comment 30, reaction 120, report 10) and raises
-- rate_limited (54000); BEFORE INSERT triggers call it for posts, comments and reactions.
-- service_role is not limited.

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

create type social.reaction_kind as enum ('like', 'love', 'celebrate', 'strong', 'fire', 'laugh');

-- Keys of a feed page (internal): one position in the `latest` or `top` order.
create type social_private.feed_key as (
  created_at timestamptz,
  hot_score double precision,
  id uuid
);

-- A feed page as picked by the social_private feed functions: post ids in display order and, in
-- the same order, the author's summary, the group's summary (null outside groups) and the caller's
-- own reaction kinds (comma-separated, '' for none); the cursor of the next page (null on the
-- last page).
create type social_private.feed_page as (
  post_ids uuid[],
  authors jsonb[],
  groups jsonb[],
  my_reactions text[],
  next_cursor text
);

-- =====================================================================================
-- functions the tables use
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

-- =====================================================================================
-- tables
-- =====================================================================================

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
  reaction_counts jsonb not null default '{}',
  reaction_count integer not null default 0,
  comment_count integer not null default 0,
  hot_score double precision generated always as (
    social_private.post_hot_score(reaction_count, comment_count, created_at)
  ) stored,
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
  ),
  constraint posts_counts_not_negative check (reaction_count >= 0 and comment_count >= 0)
);
comment on table social.posts is
  'Posts on a profile (group_id null) or in a group. Soft-deleted posts (deleted_at) are hidden '
  'from everyone but kept. Clients insert as themselves and edit body, media and visibility; '
  'counters are kept by triggers.';
comment on column social.posts.data is
  'Structured payload (a JSON object, at most 16 kB), e.g. the workout of an activity post.';
comment on column social.posts.ref_type is
  'What the post refers to (event, trip, activity, ...); set together with ref_id.';
comment on column social.posts.media is
  'Up to 10 items {path, type: image|video, width?, height?, alt?}; path is a storage object path.';
comment on column social.posts.visibility is
  'Outside a group: public, followers or private. In a group: group or private (public given in '
  'a group is stored as group).';
comment on column social.posts.reaction_counts is
  'Reactions per kind, e.g. {"like": 3, "fire": 1}; kinds with no reaction are absent.';
comment on column social.posts.hot_score is
  'Order of the `top` feed: ln(1 + reactions + 2 * comments) + epoch(created_at) / 45000. Depends '
  'on the counters only, never on the clock, so keyset cursors stay valid.';
comment on column social.posts.deleted_by is 'Who soft-deleted the post: its author or group staff.';

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

create table social.comments (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references social.posts (id) on delete cascade,
  parent_id uuid references social.comments (id) on delete cascade,
  author_id uuid not null default auth.uid() references social.profiles (id) on delete cascade,
  body text not null,
  reply_count integer not null default 0,
  edited_at timestamptz,
  deleted_at timestamptz,
  deleted_by uuid references social.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint comments_body_length check (char_length(body) between 1 and 2000),
  constraint comments_not_own_parent check (parent_id <> id),
  constraint comments_reply_count_not_negative check (reply_count >= 0)
);
comment on table social.comments is
  'Comments on posts with one level of replies (parent_id is a top-level comment of the same '
  'post). Soft-deleting a top-level comment deletes its replies too.';

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

-- Rate limits (not exposed): the allowed writes per user and minute per action, and the counters.
create table social_private.rate_limit_rules (
  action text primary key,
  per_minute integer not null,
  constraint rate_limit_rules_per_minute_positive check (per_minute > 0)
);
comment on table social_private.rate_limit_rules is
  'Writes a user may make per minute, per action (post, comment, reaction, report). Change a row '
  'to tune a limit; an action without a row is not limited.';

insert into social_private.rate_limit_rules (action, per_minute) values
  ('post', 10),
  ('comment', 30),
  ('reaction', 120),
  ('report', 10);

-- unlogged: losing the counters on a crash only forgives one minute of writes
create unlogged table social_private.rate_limit_counters (
  user_id uuid not null,
  action text not null,
  window_start timestamptz not null,
  count integer not null default 0,
  primary key (user_id, action, window_start)
);
comment on table social_private.rate_limit_counters is
  'Writes per user, action and minute window. A user''s older windows are removed when a new one '
  'starts.';

-- =====================================================================================
-- indexes
-- =====================================================================================

-- feeds: a profile's posts, newest first and by hot score (home: one scan per followee)
create index posts_author_feed_idx on social.posts (author_id, created_at desc, id desc)
  include (visibility) where deleted_at is null and group_id is null;
create index posts_author_top_idx on social.posts (author_id, hot_score desc, id desc)
  include (visibility) where deleted_at is null and group_id is null;
-- feeds: a group's posts; the first also serves the foreign key (deleted posts included)
create index posts_group_feed_idx on social.posts (group_id, created_at desc, id desc)
  include (author_id, visibility, deleted_at) where group_id is not null;
create index posts_group_top_idx on social.posts (group_id, hot_score desc, id desc)
  include (author_id, visibility) where deleted_at is null and group_id is not null;
-- foreign keys and policies
create index posts_author_idx on social.posts (author_id);
create index posts_deleted_by_idx on social.posts (deleted_by) where deleted_by is not null;
-- the home feed's followee list as an index-only scan (social.follows is the profiles domain's)
create index follows_feed_idx on social.follows (follower_id, followee_id) where status = 'accepted';
create index posts_ref_idx on social.posts (ref_type, ref_id) where ref_id is not null;

create index post_revisions_post_idx on social.post_revisions (post_id, created_at desc);
create index post_revisions_edited_by_idx on social.post_revisions (edited_by) where edited_by is not null;

create index reactions_user_idx on social.reactions (user_id, created_at desc);

create index comments_post_idx on social.comments (post_id, created_at, id);
create index comments_parent_idx on social.comments (parent_id, created_at, id) where parent_id is not null;
create index comments_author_idx on social.comments (author_id);
create index comments_deleted_by_idx on social.comments (deleted_by) where deleted_by is not null;

create index mentions_mentioned_idx on social.mentions (mentioned_id, created_at desc);
create index mentions_comment_idx on social.mentions (comment_id) where comment_id is not null;
create index mentions_author_idx on social.mentions (author_id);

-- =====================================================================================
-- functions: rate limits
-- =====================================================================================

-- Count one `p_action` for the current user in this minute and refuse it (rate_limited, 54000)
-- beyond the rule's per_minute. service_role and sessions without a user are not limited.
-- Security definer: the counters are not the caller's to write.
create function social_private.check_rate_limit(p_action text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_limit integer;
  v_window timestamptz := date_trunc('minute', now());
  v_count integer;
begin
  if v_uid is null or coalesce((select auth.role()), '') = 'service_role' then
    return;
  end if;
  select r.per_minute into v_limit from social_private.rate_limit_rules r where r.action = p_action;
  if v_limit is null then
    return;
  end if;
  insert into social_private.rate_limit_counters as c (user_id, action, window_start, count)
  values (v_uid, p_action, v_window, 1)
  on conflict (user_id, action, window_start) do update set count = c.count + 1
  returning c.count into v_count;
  if v_count = 1 then
    -- a new window: the user's earlier windows for this action are over
    delete from social_private.rate_limit_counters c
    where c.user_id = v_uid and c.action = p_action and c.window_start < v_window;
  end if;
  if v_count > v_limit then
    perform social_private.raise_error(
      'rate_limited',
      format('too many %s writes: at most %s per minute, try again shortly', p_action, v_limit),
      '54000'
    );
  end if;
end;
$$;
comment on function social_private.check_rate_limit(text) is
  'Counts one p_action for the current user; raises rate_limited (54000) beyond '
  'rate_limit_rules.per_minute. service_role is not limited.';

-- =====================================================================================
-- functions: validation
-- =====================================================================================

-- Why p_media is not a valid media list, or null when it is.
create function social_private.media_error(p_media jsonb)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_item jsonb;
  v_key text;
begin
  if p_media is null or jsonb_typeof(p_media) <> 'array' then
    return 'media must be an array';
  end if;
  if jsonb_array_length(p_media) > 10 then
    return 'at most 10 media items';
  end if;
  for v_item in select e.value from jsonb_array_elements(p_media) e loop
    if jsonb_typeof(v_item) <> 'object' then
      return 'each media item must be an object';
    end if;
    for v_key in select k from jsonb_object_keys(v_item) k loop
      if v_key not in ('path', 'type', 'width', 'height', 'alt') then
        return format('unknown media field %s', v_key);
      end if;
    end loop;
    if jsonb_typeof(v_item -> 'path') is distinct from 'string'
       or char_length(v_item ->> 'path') not between 1 and 1024 then
      return 'media path must be a string of 1-1024 characters';
    end if;
    if jsonb_typeof(v_item -> 'type') is distinct from 'string'
       or (v_item ->> 'type') not in ('image', 'video') then
      return 'media type must be image or video';
    end if;
    if (v_item ? 'width' and (jsonb_typeof(v_item -> 'width') <> 'number'
          or (v_item ->> 'width')::numeric not between 1 and 20000
          or (v_item ->> 'width')::numeric % 1 <> 0))
       or (v_item ? 'height' and (jsonb_typeof(v_item -> 'height') <> 'number'
          or (v_item ->> 'height')::numeric not between 1 and 20000
          or (v_item ->> 'height')::numeric % 1 <> 0)) then
      return 'media width and height must be whole numbers from 1 to 20000';
    end if;
    if v_item ? 'alt' and (jsonb_typeof(v_item -> 'alt') <> 'string'
        or char_length(v_item ->> 'alt') > 1000) then
      return 'media alt must be a string of at most 1000 characters';
    end if;
  end loop;
  return null;
end;
$$;

-- =====================================================================================
-- functions: visibility (security definer: they read follows, blocks, groups and profiles the
-- caller may not see)
--
-- These run once per row under RLS, so they are plpgsql (their query plans are cached for the
-- session) and check blocks and follows with their own queries rather than calling
-- is_blocked_with / is_following: a SQL function called from inside another function is planned
-- again on every call (PostgreSQL 15), which made each row cost ~0.8 ms. The rules are the same
-- as those helpers'.
-- =====================================================================================

-- May p_viewer (or anon) see a post with these columns? Deletion is checked by callers.
-- One query per call: it runs for every row a policy checks.
create function social_private.can_user_view_post_row(
  p_viewer uuid,
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
  v_uid uuid := p_viewer;
begin
  if v_uid is null then
    return p_group_id is null and p_visibility = 'public'
      and exists (select 1 from social.profiles a where a.id = p_author and a.visibility = 'public');
  elsif p_author = v_uid then
    return true;
  elsif p_group_id is null and p_visibility in ('public', 'followers') then
    -- an approved follower (social_private.is_following) sees both; a follow never stands across
    -- a block (the profiles domain deletes follows both ways on a block and refuses a follow
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
            where m.group_id = p_group_id and m.user_id = v_uid and m.status = 'active'
          )
          or social_private.can_user_read_group(v_uid, p_group_id)
        else exists (
          select 1 from social.groups g
          where g.id = p_group_id and g.kind = 'coaching' and g.owner_id = v_uid
        )
      end;
  end if;
  return false;
end;
$$;

-- The same rule for the caller (auth.uid(); anon when null).
create function social_private.can_view_post_row(
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
  return social_private.can_user_view_post_row(auth.uid(), p_author, p_group_id, p_visibility);
end;
$$;

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
  return social_private.can_view_post_row(v_post.author_id, v_post.group_id, v_post.visibility);
end;
$$;

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
  return social_private.can_view_post_row(v_post.author_id, v_post.group_id, v_post.visibility)
    and (v_post.group_id is null or exists (
      select 1 from social.group_members m
      where m.group_id = v_post.group_id and m.user_id = auth.uid() and m.status = 'active'
    ));
end;
$$;

-- May the current user (or anon) see a comment with these columns? Deletion is checked by callers.
create function social_private.can_view_comment_row(p_post_id uuid, p_author uuid)
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
  return social_private.can_view_comment_row(v_comment.post_id, v_comment.author_id);
end;
$$;

-- Sets about the current user that the posts policy reads once per statement (as init plans),
-- so the common rows need no function call each: the users they follow (accepted; a follow never
-- stands across a block, see can_view_post_row; at most 5000, beyond that the policy falls back
-- to can_view_post_row), their active groups, and the users a block separates them from.
create function social_private.viewer_followee_ids()
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

create function social_private.viewer_group_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return array(
    select m.group_id from social.group_members m
    where m.user_id = auth.uid() and m.status = 'active'
  );
end;
$$;

create function social_private.viewer_blocked_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return social_private.blocked_user_ids(auth.uid());
end;
$$;

-- =====================================================================================
-- functions: feeds
-- =====================================================================================

-- The small helpers below are plpgsql, not sql: a sql function called from another function is
-- parsed and planned again on every call (PostgreSQL 15), plpgsql keeps its plans per session.
-- The feed functions set plan_cache_mode = force_generic_plan: left to choose, PostgreSQL keeps
-- planning the page queries afresh for every call (custom plans, ~2.5 ms a page at benchmark
-- scale) although the generic plan is the same index-driven plan.

-- p_limit clamped to 1..50 (default 20)
create function social_private.feed_limit(p_limit integer)
returns integer
language plpgsql
immutable
set search_path = ''
as $$
begin
  return least(greatest(coalesce(p_limit, 20), 1), 50);
end;
$$;

-- The opaque cursor for the position after (created_at | hot_score, id) in order p_order:
-- base64url of `l|<epoch microseconds>|<id>` or `t|<hot score>|<id>`. extra_float_digits = 1
-- prints the shortest text that reads back as exactly the same double.
create function social_private.encode_feed_cursor(
  p_order text,
  p_created_at timestamptz,
  p_hot_score double precision,
  p_id uuid
)
returns text
language plpgsql
stable
set search_path = ''
set extra_float_digits = 1
as $$
begin
  return translate(
    encode(convert_to(
      case p_order
        when 'top' then 't|' || p_hot_score::text
        else 'l|' || (extract(epoch from p_created_at) * 1000000)::bigint::text
      end || '|' || p_id::text, 'UTF8'), 'base64'),
    E'+/=\n', '-_');
end;
$$;

-- The keys after which a page in order p_order starts; the top of the feed when p_cursor is null.
-- Raises invalid_order / invalid_cursor (22023).
create function social_private.decode_feed_cursor(p_order text, p_cursor text)
returns social_private.feed_key
language plpgsql
stable
set search_path = ''
as $$
declare
  v_text text;
  v_parts text[];
  v_key social_private.feed_key;
begin
  if p_order is null or p_order not in ('latest', 'top') then
    perform social_private.raise_error('invalid_order', 'order must be latest or top');
  end if;
  if p_cursor is null then
    return row('infinity'::timestamptz, 'infinity'::double precision,
               'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)::social_private.feed_key;
  end if;
  begin
    v_text := convert_from(decode(
      rpad(translate(p_cursor, '-_', '+/'), ((char_length(p_cursor) + 3) / 4) * 4, '='), 'base64'), 'UTF8');
    v_parts := string_to_array(v_text, '|');
    if cardinality(v_parts) <> 3 or v_parts[1] <> left(p_order, 1) then
      raise exception 'cursor of another order';
    end if;
    if p_order = 'latest' then
      v_key := row(timestamptz 'epoch' + v_parts[2]::bigint * interval '1 microsecond',
                   null, v_parts[3]::uuid)::social_private.feed_key;
    else
      v_key := row(null, v_parts[2]::double precision, v_parts[3]::uuid)::social_private.feed_key;
    end if;
  exception when others then
    perform social_private.raise_error('invalid_cursor', 'the cursor is not valid for this feed and order');
  end;
  return v_key;
end;
$$;

-- Users p_uid must never see: blocked in either direction.
create function social_private.blocked_user_ids(p_uid uuid)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return array(
    select b.blocked_id from social.blocks b where b.blocker_id = p_uid
    union
    select b.blocker_id from social.blocks b where b.blocked_id = p_uid
  );
end;
$$;

-- Turn up to p_limit + 1 ordered candidates into a page: the first p_limit ids with, per post,
-- the author's summary, the group's summary and the caller's own reactions, and a next cursor
-- when there was one more. Security definer: the candidates were picked as visible to the caller,
-- which makes their author's card and their group visible to them too (a post is never visible
-- across a block, nor to anon unless its author's profile is public; a group post is visible only
-- to readers of the group or, if private, to the coaching group's owner), and the reactions are
-- the caller's own. Reading them here keeps the caller-side query (and its planning, redone
-- whenever a pooled connection switches role) down to social.posts under RLS.
create function social_private.make_feed_page(
  p_order text,
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
  -- the four arrays come from one ordered set of rows, so they stay aligned
  select coalesce(array_agg(x.post_id), '{}'), coalesce(array_agg(x.author), '{}'),
         coalesce(array_agg(x.group_summary), '{}'), coalesce(array_agg(x.kinds), '{}')
    into v_page.post_ids, v_page.authors, v_page.groups, v_page.my_reactions
  from (
    select k.post_id,
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
    join social.profiles a on a.id = p.author_id
    left join social.groups g on g.id = p.group_id
    order by k.ord
  ) x;
  if cardinality(p_ids) > p_limit then
    v_page.next_cursor := social_private.encode_feed_cursor(
      p_order, p_created_at[p_limit], p_hot_score[p_limit], p_ids[p_limit]);
  end if;
  return v_page;
end;
$$;

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
    return row('{}'::uuid[], '{}'::jsonb[], '{}'::jsonb[], '{}'::text[], null)::social_private.feed_page;
  end if;
  return social_private.make_feed_page('latest', 1, array[p_post_id], null, null);
end;
$$;

-- The current user's home page: posts of the people they follow (accepted; outside groups,
-- public and followers), posts in their active groups (group visibility; private ones they wrote,
-- or all of them as a coaching group's owner) and their own posts outside groups. Never blocked
-- or muted users.
--
-- Two index passes, so the work does not grow with the number of followees times the page size:
--   1. for every source (each followee, each active group, myself) the first post after the
--      cursor: one index descent and one tuple each;
--   2. K = the (limit + 1)-th best of those first posts. At least limit + 1 posts rank at or
--      above K, so the page lies within [K, cursor); only sources whose first post ranks at or
--      above K (at most limit + 1 of them) are scanned again, within that window, and merged.
-- Pass 1 looks only at a window below a reference point (1 day, 8 days, 64 days, then everything;
-- about as long in hot score units for `top`): a btree scan reads every matching entry of the
-- leaf page it lands on, so an open-ended probe costs a page of the author's posts, a windowed one
-- a few entries. The reference is the best first post of a sample of 8 followees (cheap, and
-- close to where the page starts whatever the data's age). When fewer than limit + 1 sources
-- have a post in the window, the next window is tried; when enough do, a source with nothing in
-- the window ranks below K and cannot be on the page. The reference only affects speed.
-- enable_memoize = off: every followee is probed once, a memo of the probes only costs.
create function social_private.home_feed_page(p_order text, p_cursor text, p_limit integer)
returns social_private.feed_page
language plpgsql
stable
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
set enable_memoize = off
as $$
declare
  v_uid uuid := social_private.require_user();
  v_limit integer := social_private.feed_limit(p_limit);
  v_key social_private.feed_key := social_private.decode_feed_cursor(p_order, p_cursor);
  v_hidden uuid[];
  v_ids uuid[];
  v_created timestamptz[];
  v_scores double precision[];
  v_found integer;
  v_attempt integer;
  v_ref_at timestamptz;
  v_ref_score double precision;
  v_low_at timestamptz;
  v_low_score double precision;
begin
  -- blocked either way, and muted (home only)
  v_hidden := array(
    select b.blocked_id from social.blocks b where b.blocker_id = v_uid
    union all
    select b.blocker_id from social.blocks b where b.blocked_id = v_uid
    union all
    select m.muted_id from social.mutes m where m.muter_id = v_uid
  );

  -- the reference point of the windows: the best first post of 8 followees
  if p_order = 'latest' then
    select max(p.created_at) into v_ref_at
    from (
      select f.followee_id from social.follows f
      where f.follower_id = v_uid and f.status = 'accepted'
      limit 8
    ) f
    cross join lateral (
      select p.created_at from social.posts p
      where p.author_id = f.followee_id and p.deleted_at is null and p.group_id is null
        and p.visibility in ('public', 'followers')
        and (p.created_at, p.id) < (v_key.created_at, v_key.id)
      order by p.created_at desc, p.id desc
      limit 1
    ) p;
    v_ref_at := coalesce(v_ref_at, least(v_key.created_at, now()));
  else
    select max(p.hot_score) into v_ref_score
    from (
      select f.followee_id from social.follows f
      where f.follower_id = v_uid and f.status = 'accepted'
      limit 8
    ) f
    cross join lateral (
      select p.hot_score from social.posts p
      where p.author_id = f.followee_id and p.deleted_at is null and p.group_id is null
        and p.visibility in ('public', 'followers')
        and (p.hot_score, p.id) < (v_key.hot_score, v_key.id)
      order by p.hot_score desc, p.id desc
      limit 1
    ) p;
    v_ref_score := coalesce(v_ref_score,
      least(v_key.hot_score, extract(epoch from now())::double precision / 45000));
  end if;

  for v_attempt in 1..4 loop
    if p_order = 'latest' then
      v_low_at := case v_attempt
        when 1 then v_ref_at - interval '1 day'
        when 2 then v_ref_at - interval '8 days'
        when 3 then v_ref_at - interval '64 days'
        else '-infinity'::timestamptz
      end;
      with firsts as materialized (
        -- source kinds: f = a followee, m = me, g = a group (all_private: I own the coaching group)
        select 'f'::text as src, f.followee_id as sid, false as all_private, p.created_at, p.id
        from social.follows f
        cross join lateral (
          select p.created_at, p.id from social.posts p
          where p.author_id = f.followee_id and p.deleted_at is null and p.group_id is null
            and p.visibility in ('public', 'followers')
            and (p.created_at, p.id) < (v_key.created_at, v_key.id)
            and p.created_at >= v_low_at
          order by p.created_at desc, p.id desc
          limit 1
        ) p
        where f.follower_id = v_uid and f.status = 'accepted' and f.followee_id <> all (v_hidden)
        union all
        select 'm', v_uid, false, p.created_at, p.id
        from (
          select p.created_at, p.id from social.posts p
          where p.author_id = v_uid and p.deleted_at is null and p.group_id is null
            and (p.created_at, p.id) < (v_key.created_at, v_key.id)
            and p.created_at >= v_low_at
          order by p.created_at desc, p.id desc
          limit 1
        ) p
        union all
        select 'g', m.group_id, (g.kind = 'coaching' and g.owner_id = v_uid), p.created_at, p.id
        from social.group_members m
        join social.groups g on g.id = m.group_id
        cross join lateral (
          select p.created_at, p.id from social.posts p
          where p.group_id = m.group_id and p.deleted_at is null
            and (p.created_at, p.id) < (v_key.created_at, v_key.id)
            and p.created_at >= v_low_at
            and p.author_id <> all (v_hidden)
            and (p.visibility = 'group' or p.author_id = v_uid
                 or (g.kind = 'coaching' and g.owner_id = v_uid))
          order by p.created_at desc, p.id desc
          limit 1
        ) p
        where m.user_id = v_uid and m.status = 'active'
      ),
      bound as (
        select coalesce(
          (select row(x.created_at, null, x.id)::social_private.feed_key from firsts x
            order by x.created_at desc, x.id desc offset v_limit limit 1),
          row('-infinity'::timestamptz, null, '00000000-0000-0000-0000-000000000000'::uuid)::social_private.feed_key
        ) as k
      ),
      live as (
        select s.* from firsts s, bound b
        where (s.created_at, s.id) >= ((b.k).created_at, (b.k).id)
      ),
      candidates as (
        select p.id, p.created_at
        from live s, bound b
        cross join lateral (
          select p.id, p.created_at from social.posts p
          where p.author_id = s.sid and p.deleted_at is null and p.group_id is null
            and p.visibility in ('public', 'followers')
            and (p.created_at, p.id) < (v_key.created_at, v_key.id)
            and (p.created_at, p.id) >= ((b.k).created_at, (b.k).id)
          order by p.created_at desc, p.id desc
          limit v_limit + 1
        ) p
        where s.src = 'f'
        union all
        select p.id, p.created_at
        from live s, bound b
        cross join lateral (
          select p.id, p.created_at from social.posts p
          where p.author_id = s.sid and p.deleted_at is null and p.group_id is null
            and (p.created_at, p.id) < (v_key.created_at, v_key.id)
            and (p.created_at, p.id) >= ((b.k).created_at, (b.k).id)
          order by p.created_at desc, p.id desc
          limit v_limit + 1
        ) p
        where s.src = 'm'
        union all
        select p.id, p.created_at
        from live s, bound b
        cross join lateral (
          select p.id, p.created_at from social.posts p
          where p.group_id = s.sid and p.deleted_at is null
            and (p.created_at, p.id) < (v_key.created_at, v_key.id)
            and (p.created_at, p.id) >= ((b.k).created_at, (b.k).id)
            and p.author_id <> all (v_hidden)
            and (p.visibility = 'group' or p.author_id = v_uid or s.all_private)
          order by p.created_at desc, p.id desc
          limit v_limit + 1
        ) p
        where s.src = 'g'
      )
      select array_agg(c.id order by c.created_at desc, c.id desc),
             array_agg(c.created_at order by c.created_at desc, c.id desc),
             (select count(*) from firsts)
        into v_ids, v_created, v_found
      from (
        select c.id, c.created_at from candidates c
        order by c.created_at desc, c.id desc
        limit v_limit + 1
      ) c;
    else
      -- one hot score unit is 12.5 hours at equal engagement
      v_low_score := case v_attempt
        when 1 then v_ref_score - 2
        when 2 then v_ref_score - 16
        when 3 then v_ref_score - 128
        else '-infinity'::double precision
      end;
      with firsts as materialized (
        select 'f'::text as src, f.followee_id as sid, false as all_private, p.hot_score, p.id
        from social.follows f
        cross join lateral (
          select p.hot_score, p.id from social.posts p
          where p.author_id = f.followee_id and p.deleted_at is null and p.group_id is null
            and p.visibility in ('public', 'followers')
            and (p.hot_score, p.id) < (v_key.hot_score, v_key.id)
            and p.hot_score >= v_low_score
          order by p.hot_score desc, p.id desc
          limit 1
        ) p
        where f.follower_id = v_uid and f.status = 'accepted' and f.followee_id <> all (v_hidden)
        union all
        select 'm', v_uid, false, p.hot_score, p.id
        from (
          select p.hot_score, p.id from social.posts p
          where p.author_id = v_uid and p.deleted_at is null and p.group_id is null
            and (p.hot_score, p.id) < (v_key.hot_score, v_key.id)
            and p.hot_score >= v_low_score
          order by p.hot_score desc, p.id desc
          limit 1
        ) p
        union all
        select 'g', m.group_id, (g.kind = 'coaching' and g.owner_id = v_uid), p.hot_score, p.id
        from social.group_members m
        join social.groups g on g.id = m.group_id
        cross join lateral (
          select p.hot_score, p.id from social.posts p
          where p.group_id = m.group_id and p.deleted_at is null
            and (p.hot_score, p.id) < (v_key.hot_score, v_key.id)
            and p.hot_score >= v_low_score
            and p.author_id <> all (v_hidden)
            and (p.visibility = 'group' or p.author_id = v_uid
                 or (g.kind = 'coaching' and g.owner_id = v_uid))
          order by p.hot_score desc, p.id desc
          limit 1
        ) p
        where m.user_id = v_uid and m.status = 'active'
      ),
      bound as (
        select coalesce(
          (select row(null, x.hot_score, x.id)::social_private.feed_key from firsts x
            order by x.hot_score desc, x.id desc offset v_limit limit 1),
          row(null, '-infinity'::double precision, '00000000-0000-0000-0000-000000000000'::uuid)::social_private.feed_key
        ) as k
      ),
      live as (
        select s.* from firsts s, bound b
        where (s.hot_score, s.id) >= ((b.k).hot_score, (b.k).id)
      ),
      candidates as (
        select p.id, p.hot_score
        from live s, bound b
        cross join lateral (
          select p.id, p.hot_score from social.posts p
          where p.author_id = s.sid and p.deleted_at is null and p.group_id is null
            and p.visibility in ('public', 'followers')
            and (p.hot_score, p.id) < (v_key.hot_score, v_key.id)
            and (p.hot_score, p.id) >= ((b.k).hot_score, (b.k).id)
          order by p.hot_score desc, p.id desc
          limit v_limit + 1
        ) p
        where s.src = 'f'
        union all
        select p.id, p.hot_score
        from live s, bound b
        cross join lateral (
          select p.id, p.hot_score from social.posts p
          where p.author_id = s.sid and p.deleted_at is null and p.group_id is null
            and (p.hot_score, p.id) < (v_key.hot_score, v_key.id)
            and (p.hot_score, p.id) >= ((b.k).hot_score, (b.k).id)
          order by p.hot_score desc, p.id desc
          limit v_limit + 1
        ) p
        where s.src = 'm'
        union all
        select p.id, p.hot_score
        from live s, bound b
        cross join lateral (
          select p.id, p.hot_score from social.posts p
          where p.group_id = s.sid and p.deleted_at is null
            and (p.hot_score, p.id) < (v_key.hot_score, v_key.id)
            and (p.hot_score, p.id) >= ((b.k).hot_score, (b.k).id)
            and p.author_id <> all (v_hidden)
            and (p.visibility = 'group' or p.author_id = v_uid or s.all_private)
          order by p.hot_score desc, p.id desc
          limit v_limit + 1
        ) p
        where s.src = 'g'
      )
      select array_agg(c.id order by c.hot_score desc, c.id desc),
             array_agg(c.hot_score order by c.hot_score desc, c.id desc),
             (select count(*) from firsts)
        into v_ids, v_scores, v_found
      from (
        select c.id, c.hot_score from candidates c
        order by c.hot_score desc, c.id desc
        limit v_limit + 1
      ) c;
    end if;
    exit when v_found > v_limit or v_attempt = 4;
  end loop;

  return social_private.make_feed_page(p_order, v_limit, coalesce(v_ids, '{}'), v_created, v_scores);
end;
$$;

-- A group's page for the current user: group posts, the private ones only to their author and
-- (coaching groups) the owner; never blocked users. not found (P0002) for a group the user may
-- not see, forbidden (42501) for one whose content they may not read.
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
  v_limit integer := social_private.feed_limit(p_limit);
  v_key social_private.feed_key := social_private.decode_feed_cursor(p_order, p_cursor);
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
    where m.group_id = p_group_id and m.user_id = v_uid and m.status = 'active'
  ) then
    if not social_private.can_see_group(p_group_id) then
      perform social_private.raise_error('group_not_found', 'no such group', 'P0002');
    end if;
    if not social_private.can_read_group(p_group_id) then
      perform social_private.raise_error('group_forbidden', 'join the group to see its posts', '42501');
    end if;
  end if;
  v_hidden := social_private.blocked_user_ids(v_uid);

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
    select array_agg(p.id order by p.hot_score desc, p.id desc),
           array_agg(p.hot_score order by p.hot_score desc, p.id desc)
      into v_ids, v_scores
    from (
      select p.id, p.hot_score from social.posts p
      where p.group_id = p_group_id and p.deleted_at is null
        and (p.hot_score, p.id) < (v_key.hot_score, v_key.id)
        and p.author_id <> all (v_hidden)
        and (p.visibility = 'group' or p.author_id = v_uid or v_all_private)
      order by p.hot_score desc, p.id desc
      limit v_limit + 1
    ) p;
  end if;

  return social_private.make_feed_page(p_order, v_limit, coalesce(v_ids, '{}'), v_created, v_scores);
end;
$$;

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
  v_limit integer := social_private.feed_limit(p_limit);
  v_key social_private.feed_key := social_private.decode_feed_cursor(p_order, p_cursor);
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
    return row('{}'::uuid[], '{}'::jsonb[], '{}'::jsonb[], '{}'::text[], null)::social_private.feed_page;
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
    select array_agg(p.id order by p.hot_score desc, p.id desc),
           array_agg(p.hot_score order by p.hot_score desc, p.id desc)
      into v_ids, v_scores
    from (
      select p.id, p.hot_score from social.posts p
      where p.author_id = p_user_id and p.deleted_at is null and p.group_id is null
        and (p.hot_score, p.id) < (v_key.hot_score, v_key.id)
        and p.visibility = any (v_vis)
      order by p.hot_score desc, p.id desc
      limit v_limit + 1
    ) p;
  end if;

  return social_private.make_feed_page(p_order, v_limit, coalesce(v_ids, '{}'), v_created, v_scores);
end;
$$;

-- The post columns of a feed row (internal), read as the caller: security_invoker, so RLS on
-- posts holds for every row and a post the caller may not read is dropped. The feed RPCs join a
-- picked page to it; being a view, it is planned into their query (a function in between cost
-- ~0.4 ms a page).
create view social_private.feed_posts
with (security_invoker = true)
as
select p.id, p.author_id, p.group_id, p.kind, p.body, p.data, p.ref_type, p.ref_id, p.media,
       p.visibility, p.reaction_counts, p.reaction_count, p.comment_count, p.hot_score,
       p.edited_at, p.created_at
from social.posts p;
comment on view social_private.feed_posts is
  'The post columns of the feed RPCs'' rows; RLS on social.posts applies.';

-- =====================================================================================
-- functions: soft delete (security definer: group staff delete rows they do not own, and
-- deleted_at / deleted_by are not client-writable)
-- =====================================================================================

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
    perform social_private.raise_error('post_not_found', 'no such post', 'P0002');
  end if;
  if v_post.author_id <> v_uid
     and not (v_post.group_id is not null and social_private.is_group_staff(v_post.group_id)) then
    if v_post.deleted_at is null and social_private.can_view_post(p_post_id) then
      perform social_private.raise_error('not_allowed', 'only the author or group staff may delete this post', '42501');
    end if;
    perform social_private.raise_error('post_not_found', 'no such post', 'P0002');
  end if;
  if v_post.deleted_at is not null then
    return; -- already deleted: a retried delete succeeds
  end if;
  update social.posts set deleted_at = now(), deleted_by = v_uid where id = p_post_id;
end;
$$;

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
    perform social_private.raise_error('comment_not_found', 'no such comment', 'P0002');
  end if;
  if v_comment.author_id <> v_uid
     and v_comment.post_author_id <> v_uid
     and not (v_comment.group_id is not null and social_private.is_group_staff(v_comment.group_id)) then
    if v_comment.deleted_at is null and social_private.can_view_comment(p_comment_id) then
      perform social_private.raise_error('not_allowed',
        'only the comment''s author, the post''s author or group staff may delete this comment', '42501');
    end if;
    perform social_private.raise_error('comment_not_found', 'no such comment', 'P0002');
  end if;
  if v_comment.deleted_at is not null then
    return;
  end if;
  update social.comments set deleted_at = now(), deleted_by = v_uid where id = p_comment_id;
end;
$$;

-- =====================================================================================
-- functions: mentions
-- =====================================================================================

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
  v_targets uuid[];
begin
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
    and not social_private.is_blocked_between(p_author_id, pr.id);

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

-- =====================================================================================
-- triggers: posts
-- =====================================================================================

-- Before a post is written: rate limit (inserts), clear errors for bad input, `public` in a
-- group becomes `group`, edits stamp edited_at.
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
  end if;

  if new.group_id is not null and new.visibility = 'public' then
    new.visibility := 'group';
  end if;
  if new.group_id is null and new.visibility = 'group' then
    perform social_private.raise_error('invalid_visibility', 'group visibility is for posts in a group');
  end if;
  if new.group_id is not null and new.visibility = 'followers' then
    perform social_private.raise_error('invalid_visibility', 'posts in a group are visible to the group or private');
  end if;

  if new.body is not null and new.body !~ '[^[:space:]]' then
    perform social_private.raise_error('invalid_body', 'the text must not be blank');
  end if;
  if char_length(new.body) > 5000 then
    perform social_private.raise_error('invalid_body', 'the text is longer than 5000 characters');
  end if;
  v_error := social_private.media_error(new.media);
  if v_error is not null then
    perform social_private.raise_error('invalid_media', v_error);
  end if;
  if new.kind = 'text' and new.body is null and new.media = '[]'::jsonb then
    perform social_private.raise_error('invalid_body', 'a text post needs a text or media');
  end if;
  if new.data is not null and (jsonb_typeof(new.data) <> 'object' or pg_column_size(new.data) > 16384) then
    perform social_private.raise_error('invalid_data', 'data must be a JSON object of at most 16 kB');
  end if;
  if (new.ref_type is null) <> (new.ref_id is null)
     or (new.ref_type is not null and new.ref_type !~ '^[a-z][a-z0-9_]{0,39}$') then
    perform social_private.raise_error('invalid_ref', 'ref_type and ref_id go together; ref_type is a lowercase word');
  end if;
  if new.kind in ('event', 'trip') and new.ref_type is distinct from new.kind::text then
    perform social_private.raise_error('invalid_ref', format('a %s post refers to its %s (ref_type %s, ref_id)', new.kind, new.kind, new.kind));
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

create trigger on_posts_written
  after insert or update of body, media on social.posts
  for each row execute function social_private.handle_post_written();

-- =====================================================================================
-- triggers: reactions
-- =====================================================================================

create function social_private.handle_reaction_insert()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform social_private.check_rate_limit('reaction');
  return new;
end;
$$;

create trigger on_reactions_insert before insert on social.reactions
  for each row execute function social_private.handle_reaction_insert();

-- Keep reaction_counts / reaction_count (and so hot_score) on the post. Security definer: the
-- counters are not client-writable.
create function social_private.handle_reaction_counts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_kind text;
begin
  if tg_op = 'INSERT' then
    v_kind := new.kind::text;
    update social.posts p
    set reaction_count = p.reaction_count + 1,
        reaction_counts = jsonb_set(p.reaction_counts, array[v_kind],
                                    to_jsonb(coalesce((p.reaction_counts ->> v_kind)::integer, 0) + 1))
    where p.id = new.post_id;
  else
    v_kind := old.kind::text;
    update social.posts p
    set reaction_count = greatest(p.reaction_count - 1, 0),
        reaction_counts = case
          when coalesce((p.reaction_counts ->> v_kind)::integer, 0) <= 1 then p.reaction_counts - v_kind
          else jsonb_set(p.reaction_counts, array[v_kind], to_jsonb((p.reaction_counts ->> v_kind)::integer - 1))
        end
    where p.id = old.post_id;
  end if;
  return null;
end;
$$;

create trigger on_reactions_counts after insert or delete on social.reactions
  for each row execute function social_private.handle_reaction_counts();

-- =====================================================================================
-- triggers: comments
-- =====================================================================================

-- Before a comment is written: rate limit (inserts), a reply's parent must be a visible
-- top-level comment of the same post, edits stamp edited_at.
create function social_private.handle_comment_write()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_parent record;
begin
  if tg_op = 'INSERT' then
    perform social_private.check_rate_limit('comment');
    if new.parent_id is not null then
      -- read as the caller: a parent they may not see (deleted, blocked) is no parent
      select c.post_id, c.parent_id into v_parent
      from social.comments c
      where c.id = new.parent_id and c.deleted_at is null;
      if not found then
        perform social_private.raise_error('parent_not_found', 'the comment you reply to does not exist', 'P0002');
      end if;
      if v_parent.post_id <> new.post_id then
        perform social_private.raise_error('invalid_parent', 'a reply must be on the same post as its parent');
      end if;
      if v_parent.parent_id is not null then
        perform social_private.raise_error('invalid_parent', 'replies go to top-level comments only');
      end if;
    end if;
  end if;
  if new.body !~ '[^[:space:]]' then
    perform social_private.raise_error('invalid_body', 'the comment must not be blank');
  end if;
  if char_length(new.body) > 2000 then
    perform social_private.raise_error('invalid_body', 'the comment is longer than 2000 characters');
  end if;
  if tg_op = 'UPDATE' and new.body is distinct from old.body then
    new.edited_at := now();
    new.updated_at := now();
  end if;
  return new;
end;
$$;

create trigger on_comments_write before insert or update of body on social.comments
  for each row execute function social_private.handle_comment_write();

-- Keep comment_count (and so hot_score) on the post and reply_count on the parent; a
-- soft-deleted top-level comment takes its replies with it; sync mentions. Security definer:
-- counters and mentions are not client-writable.
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

  if v_delta <> 0 then
    update social.posts p set comment_count = greatest(p.comment_count + v_delta, 0)
    where p.id = v_row.post_id;
    if v_row.parent_id is not null then
      update social.comments c set reply_count = greatest(c.reply_count + v_delta, 0)
      where c.id = v_row.parent_id;
    end if;
  end if;

  if tg_op = 'INSERT' or (tg_op = 'UPDATE' and new.body is distinct from old.body) then
    perform social_private.sync_mentions(new.post_id, new.id, new.author_id, new.body);
  end if;
  return null;
end;
$$;

create trigger on_comments_written after insert or delete or update of body, deleted_at
  on social.comments
  for each row execute function social_private.handle_comment_written();

-- =====================================================================================
-- RLS
-- =====================================================================================

alter table social.posts enable row level security;
alter table social.post_revisions enable row level security;
alter table social.reactions enable row level security;
alter table social.comments enable row level security;
alter table social.mentions enable row level security;

-- visitors see public posts outside groups by authors with public profiles
create policy posts_select_anon on social.posts
  for select to anon
  using (deleted_at is null and (select social_private.can_view_post_row(author_id, group_id, visibility)));
-- signed-in users see what the post's visibility admits, never across a block. The first three
-- arms decide the common rows from sets computed once per statement (my own posts; public and
-- followers posts of people I follow; group posts of my groups by people no block separates me
-- from); every other row asks can_view_post_row.
create policy posts_select_visible on social.posts
  for select to authenticated
  using (
    deleted_at is null
    and (
      author_id = (select auth.uid())
      or (
        group_id is null
        and visibility in ('public', 'followers')
        and author_id = any ((select social_private.viewer_followee_ids())::uuid[])
      )
      or (
        visibility = 'group'
        and group_id = any ((select social_private.viewer_group_ids())::uuid[])
        and author_id <> all ((select social_private.viewer_blocked_ids())::uuid[])
      )
      or (select social_private.can_view_post_row(author_id, group_id, visibility))
    )
  );

-- users post as themselves; in a group only as an active member
create policy posts_insert_self on social.posts
  for insert to authenticated
  with check (
    author_id = (select auth.uid())
    and (group_id is null or (select social_private.is_group_member(group_id)))
  );
-- authors edit their posts (body, media, visibility) while not deleted and, in a group, while
-- still a member; deleting goes through social.delete_post
create policy posts_update_author on social.posts
  for update to authenticated
  using (
    author_id = (select auth.uid())
    and deleted_at is null
    and (group_id is null or (select social_private.is_group_member(group_id)))
  )
  with check (author_id = (select auth.uid()) and deleted_at is null);

-- earlier versions of a post are visible to whoever sees the post
create policy post_revisions_select_anon on social.post_revisions
  for select to anon
  using ((select social_private.can_view_post(post_id)));
create policy post_revisions_select_visible on social.post_revisions
  for select to authenticated
  using ((select social_private.can_view_post(post_id)));

-- a user's own reactions; others' on posts they see, never across a block (anon sees counts only)
create policy reactions_select_visible on social.reactions
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or ((select social_private.can_view_post(post_id)) and not (select social_private.is_blocked_with(user_id)))
  );
-- users react as themselves to posts they see (in a group: as a member)
create policy reactions_insert_self on social.reactions
  for insert to authenticated
  with check (user_id = (select auth.uid()) and (select social_private.can_interact_with_post(post_id)));
-- users take back their own reactions
create policy reactions_delete_self on social.reactions
  for delete to authenticated
  using (user_id = (select auth.uid()));

-- visitors see comments on posts they see
create policy comments_select_anon on social.comments
  for select to anon
  using (deleted_at is null and (select social_private.can_view_comment_row(post_id, author_id)));
-- signed-in users see comments on posts they see, never across a block
create policy comments_select_visible on social.comments
  for select to authenticated
  using (deleted_at is null and (select social_private.can_view_comment_row(post_id, author_id)));
-- users comment as themselves on posts they see (in a group: as a member)
create policy comments_insert_self on social.comments
  for insert to authenticated
  with check (author_id = (select auth.uid()) and (select social_private.can_interact_with_post(post_id)));
-- authors edit their comments while not deleted; deleting goes through social.delete_comment
create policy comments_update_author on social.comments
  for update to authenticated
  using (author_id = (select auth.uid()) and deleted_at is null)
  with check (author_id = (select auth.uid()) and deleted_at is null);

-- mentions are visible to whoever sees the post (and the comment) they are in
create policy mentions_select_visible on social.mentions
  for select to authenticated
  using (
    (select social_private.can_view_post(post_id))
    and (comment_id is null or (select social_private.can_view_comment(comment_id)))
  );

-- =====================================================================================
-- RPC (security invoker: RLS decides what is returned)
-- =====================================================================================

-- The feed RPCs return rows ready to render (PostgREST serves them as a JSON array of objects):
--   the post's fields (id, author_id, group_id, kind, body, data, ref_type, ref_id, media,
--   visibility, reaction_counts, reaction_count, comment_count, hot_score, edited_at, created_at),
--   "group"       {id, name, avatar_path, kind} for a post in a group, else null,
--   my_reactions  the caller's own reaction kinds on the post (empty array for none or anon),
--   author        {id, handle, display_name, avatar_path},
--   next_cursor   the same on every row of a page: pass it as p_cursor for the next page; null on
--                 the last page.
-- Each function picks the page (social_private.*_page) and joins it to social_private.feed_posts
-- as the caller; the four joins are the same and must stay so.

-- The signed-in user's home feed.
create function social.home_feed(
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
  v_page social_private.feed_page := social_private.home_feed_page(p_order, p_cursor, p_limit);
begin
  return query
  select v.*,
         k.group_summary,
         coalesce(string_to_array(nullif(k.reactions, ''), ',')::social.reaction_kind[], '{}'),
         k.author,
         v_page.next_cursor
  from unnest(v_page.post_ids, v_page.authors, v_page.groups, v_page.my_reactions)
         with ordinality as k(post_id, author, group_summary, reactions, ord)
  join social_private.feed_posts v on v.id = k.post_id
  order by k.ord;
end;
$$;
comment on function social.home_feed(text, text, integer) is
  'Home feed of the signed-in user: followed users'' posts, posts in their active groups and '
  'their own, newest first (p_order latest) or by hot_score (top). Pass the next_cursor of a page '
  'to get the next one; p_limit 1-50.';

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
  select v.*,
         k.group_summary,
         coalesce(string_to_array(nullif(k.reactions, ''), ',')::social.reaction_kind[], '{}'),
         k.author,
         v_page.next_cursor
  from unnest(v_page.post_ids, v_page.authors, v_page.groups, v_page.my_reactions)
         with ordinality as k(post_id, author, group_summary, reactions, ord)
  join social_private.feed_posts v on v.id = k.post_id
  order by k.ord;
end;
$$;
comment on function social.group_feed(uuid, text, text, integer) is
  'Posts in a group the signed-in user may read, latest or top, keyset-paged like home_feed.';

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
  select v.*,
         k.group_summary,
         coalesce(string_to_array(nullif(k.reactions, ''), ',')::social.reaction_kind[], '{}'),
         k.author,
         v_page.next_cursor
  from unnest(v_page.post_ids, v_page.authors, v_page.groups, v_page.my_reactions)
         with ordinality as k(post_id, author, group_summary, reactions, ord)
  join social_private.feed_posts v on v.id = k.post_id
  order by k.ord;
end;
$$;
comment on function social.profile_feed(uuid, text, text, integer) is
  'A user''s posts outside groups that the caller may see (anon: public posts of public '
  'profiles), latest or top, keyset-paged like home_feed.';

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
  select v.*,
         k.group_summary,
         coalesce(string_to_array(nullif(k.reactions, ''), ',')::social.reaction_kind[], '{}'),
         k.author,
         v_page.next_cursor
  from unnest(v_page.post_ids, v_page.authors, v_page.groups, v_page.my_reactions)
         with ordinality as k(post_id, author, group_summary, reactions, ord)
  join social_private.feed_posts v on v.id = k.post_id
  order by k.ord;
end;
$$;
comment on function social.get_post(uuid) is 'One post with author, group and my reactions, as in feeds.';

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
  'Soft-delete a post (author or group staff); it disappears for everyone. Idempotent.';

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
  'Soft-delete a comment and its replies (comment author, post author or group staff). Idempotent.';

-- Add my reaction p_kind to a post. Idempotent: true when added now, false when it was there.
create function social.react(p_post_id uuid, p_kind social.reaction_kind)
returns boolean
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
begin
  if p_kind is null then
    perform social_private.raise_error('invalid_reaction', 'choose a reaction');
  end if;
  if exists (
    select 1 from social.reactions r
    where r.post_id = p_post_id and r.user_id = v_uid and r.kind = p_kind
  ) then
    return false;
  end if;
  if not social_private.can_view_post(p_post_id) then
    perform social_private.raise_error('post_not_found', 'no such post', 'P0002');
  end if;
  if not social_private.can_interact_with_post(p_post_id) then
    perform social_private.raise_error('not_allowed', 'join the group to react to its posts', '42501');
  end if;
  insert into social.reactions (post_id, user_id, kind) values (p_post_id, v_uid, p_kind)
  on conflict do nothing;
  return found;
end;
$$;
comment on function social.react(uuid, social.reaction_kind) is
  'Add my reaction of kind p_kind to a post; true when added, false when already there.';

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

-- =====================================================================================
-- grants
-- =====================================================================================

grant select on social.posts to anon, authenticated;
grant insert (id, author_id, group_id, kind, body, data, ref_type, ref_id, media, visibility)
  on social.posts to authenticated;
grant update (body, media, visibility) on social.posts to authenticated;
grant all on social.posts to service_role;

grant select on social.post_revisions to anon, authenticated;
grant all on social.post_revisions to service_role;

-- anon holds select so feeds can look up "my reactions" (no anon policy: it reads none)
grant select on social.reactions to anon, authenticated;
grant insert (post_id, user_id, kind), delete on social.reactions to authenticated;
grant all on social.reactions to service_role;

grant select on social.comments to anon, authenticated;
grant insert (id, post_id, parent_id, author_id, body) on social.comments to authenticated;
grant update (body) on social.comments to authenticated;
grant all on social.comments to service_role;

grant select on social.mentions to authenticated;

grant select on social_private.feed_posts to anon, authenticated, service_role;
grant all on social.mentions to service_role;

revoke all on social_private.rate_limit_rules, social_private.rate_limit_counters
  from public, anon, authenticated;
grant all on social_private.rate_limit_rules, social_private.rate_limit_counters to service_role;

-- helpers that policies, triggers and invoker functions call as the client roles
grant execute on function social_private.check_rate_limit(text) to authenticated, service_role;
grant execute on function social_private.post_hot_score(integer, integer, timestamptz)
  to anon, authenticated, service_role;
grant execute on function social_private.media_error(jsonb) to authenticated, service_role;
grant execute on function social_private.can_view_post_row(uuid, uuid, social.post_visibility)
  to anon, authenticated, service_role;
grant execute on function social_private.can_user_view_post_row(uuid, uuid, uuid, social.post_visibility)
  to service_role;
grant execute on function social_private.can_view_post(uuid) to anon, authenticated, service_role;
grant execute on function social_private.can_interact_with_post(uuid) to authenticated, service_role;
grant execute on function social_private.can_view_comment_row(uuid, uuid) to anon, authenticated, service_role;
grant execute on function social_private.can_view_comment(uuid) to anon, authenticated, service_role;
grant execute on function social_private.viewer_followee_ids() to authenticated, service_role;
grant execute on function social_private.viewer_group_ids() to authenticated, service_role;
grant execute on function social_private.viewer_blocked_ids() to authenticated, service_role;
-- the keyset cursor helpers, shared with other domains' list RPCs
grant execute on function social_private.feed_limit(integer) to anon, authenticated, service_role;
grant execute on function social_private.encode_feed_cursor(text, timestamptz, double precision, uuid)
  to anon, authenticated, service_role;
grant execute on function social_private.decode_feed_cursor(text, text) to anon, authenticated, service_role;
-- blocked_user_ids and make_feed_page are called only from security definer functions (as their
-- owner): no grants
grant execute on function social_private.home_feed_page(text, text, integer) to authenticated, service_role;
grant execute on function social_private.group_feed_page(uuid, text, text, integer) to authenticated, service_role;
grant execute on function social_private.profile_feed_page(uuid, text, text, integer)
  to anon, authenticated, service_role;
grant execute on function social_private.post_page(uuid) to anon, authenticated, service_role;
grant execute on function social_private.soft_delete_post(uuid) to authenticated, service_role;
grant execute on function social_private.soft_delete_comment(uuid) to authenticated, service_role;

grant execute on function social.home_feed(text, text, integer) to authenticated, service_role;
grant execute on function social.group_feed(uuid, text, text, integer) to authenticated, service_role;
grant execute on function social.profile_feed(uuid, text, text, integer) to anon, authenticated, service_role;
grant execute on function social.get_post(uuid) to anon, authenticated, service_role;
grant execute on function social.delete_post(uuid) to authenticated, service_role;
grant execute on function social.delete_comment(uuid) to authenticated, service_role;
grant execute on function social.react(uuid, social.reaction_kind) to authenticated, service_role;
grant execute on function social.unreact(uuid, social.reaction_kind) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
