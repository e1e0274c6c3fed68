-- The home feed: posts of the people the caller follows, of their active groups and their own,
-- pulled at read time (no per-user inbox: every visibility, block and mute rule is applied when
-- the page is read), by one of two plans so that a page costs about the same whatever the number
-- of followees: probing each followee in two index passes (home_feed_probe), or, for users who
-- follow many accounts, walking everyone's newest (best) posts and keeping the followed ones
-- (home_feed_walk). The README's "Home feed" section has the measurements behind the choice.
-- The page machinery and the row shape are in 20261128000900_feeds.sql. SDK: social.feed.home;
-- tests: tests/db/feed.test.ts (home feed), tests/db/home-feed-walk.test.ts; benchmark: npm run
-- bench -- feed [--scale 10m].

-- The home feed's walk for users who follow many accounts (home_feed_walk): the posts outside
-- groups that a follower may see, newest first (posts) and best first (post_stats, where the
-- score lives), with their author (index only).
create index posts_home_latest_idx on social.posts (created_at desc, id desc) include (author_id)
  where deleted_at is null and group_id is null and visibility in ('public', 'followers');
create index post_stats_home_top_idx on social.post_stats (hot_score desc, post_id desc)
  include (author_id) where deleted_at is null and group_id is null and visibility in ('public', 'followers');

-- The walk (home_feed_page, from 256 followees): everyone's feed posts from the cursor down
-- (posts_home_latest_idx / post_stats_home_top_idx, ~1.4 us an entry with the follow check), keeping
-- the followed ones; the first limit + 1 of them are the followees' part of the page, exactly.
-- It pays off when followed posts are common enough: a first walk of 256 entries measures how
-- common, the next one is sized from it (with a margin), and when that would cost more than
-- probing every followee (~6 us each: a budget of 4 entries a followee) it gives up (null) and
-- the probes answer; when it reaches the end of all posts with fewer, those are all the
-- followees have left. Then the caller's own posts and their groups' posts that rank at or above
-- the walk's last one are merged in, under the same rules as the probes. Called only by
-- home_feed_page (as its owner): no grants.
create function social_private.home_feed_walk(
  p_uid uuid,
  p_order text,
  p_key social_private.page_key,
  p_limit integer,
  p_hidden uuid[],
  p_following integer
)
returns social_private.feed_page
language plpgsql
stable
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  v_ids uuid[];
  v_created timestamptz[];
  v_scores double precision[];
  v_found integer;
  v_budget integer;
  v_scan_ids uuid[];
  v_scan_created timestamptz[];
  v_scan_scores double precision[];
  v_walked integer;
  v_complete boolean := false;
  v_bound_at timestamptz := '-infinity';
  v_bound_score double precision := '-infinity';
  v_bound_id uuid := '00000000-0000-0000-0000-000000000000';
begin
  v_budget := 256;
  loop
    if p_order = 'latest' then
      select array_agg(s.id order by s.created_at desc, s.id desc),
             array_agg(s.created_at order by s.created_at desc, s.id desc)
        into v_scan_ids, v_scan_created
      from (
        select s.id, s.created_at
        from (
          select p.id, p.created_at, p.author_id from social.posts p
          where p.deleted_at is null and p.group_id is null and p.visibility in ('public', 'followers')
            and (p.created_at, p.id) < (p_key.created_at, p_key.id)
          order by p.created_at desc, p.id desc
          limit v_budget
        ) s
        where s.author_id <> all (p_hidden)
          and exists (select 1 from social.follows f
                      where f.follower_id = p_uid and f.followee_id = s.author_id and f.status = 'accepted')
        order by s.created_at desc, s.id desc
        limit p_limit + 1
      ) s;
    else
      select array_agg(s.id order by s.hot_score desc, s.id desc),
             array_agg(s.hot_score order by s.hot_score desc, s.id desc)
        into v_scan_ids, v_scan_scores
      from (
        select s.id, s.hot_score
        from (
          select p.post_id as id, p.hot_score, p.author_id from social.post_stats p
          where p.deleted_at is null and p.group_id is null and p.visibility in ('public', 'followers')
            and (p.hot_score, p.post_id) < (p_key.score, p_key.id)
          order by p.hot_score desc, p.post_id desc
          limit v_budget
        ) s
        where s.author_id <> all (p_hidden)
          and exists (select 1 from social.follows f
                      where f.follower_id = p_uid and f.followee_id = s.author_id and f.status = 'accepted')
        order by s.hot_score desc, s.id desc
        limit p_limit + 1
      ) s;
    end if;
    v_found := coalesce(cardinality(v_scan_ids), 0);
    exit when v_found > p_limit;
    -- fewer: the walk read its whole budget, or all there is (then its part is complete)
    if p_order = 'latest' then
      select count(*) into v_walked from (
        select 1 from social.posts p
        where p.deleted_at is null and p.group_id is null and p.visibility in ('public', 'followers')
          and (p.created_at, p.id) < (p_key.created_at, p_key.id)
        order by p.created_at desc, p.id desc
        limit v_budget
      ) x;
    else
      select count(*) into v_walked from (
        select 1 from social.post_stats p
        where p.deleted_at is null and p.group_id is null and p.visibility in ('public', 'followers')
          and (p.hot_score, p.post_id) < (p_key.score, p_key.id)
        order by p.hot_score desc, p.post_id desc
        limit v_budget
      ) x;
    end if;
    v_complete := v_walked < v_budget;
    exit when v_complete
           or v_found = 0
           or v_budget >= 4 * p_following
           -- the walk that should find limit + 1, with a margin; too long: probe instead
           or (p_limit + 1) * v_budget * 3 / (2 * v_found) > 4 * p_following;
    v_budget := (p_limit + 1) * v_budget * 3 / (2 * v_found);
  end loop;

  if v_found > p_limit or v_complete then
    -- the followees' part is the walk's; my own posts and my groups' posts that rank at or above
    -- its last one (all of them when the walk reached the end), under the same rules as the
    -- probes, are merged with it
    if v_found > p_limit then
      v_bound_at := v_scan_created[p_limit + 1];
      v_bound_score := v_scan_scores[p_limit + 1];
      v_bound_id := v_scan_ids[p_limit + 1];
    end if;
    if p_order = 'latest' then
      select array_agg(c.id order by c.created_at desc, c.id desc),
             array_agg(c.created_at order by c.created_at desc, c.id desc)
        into v_ids, v_created
      from (
        select c.id, c.created_at from (
          select x.id, x.created_at from unnest(v_scan_ids, v_scan_created) as x(id, created_at)
          union all
          select p.id, p.created_at from (
            select p.id, p.created_at from social.posts p
            where p.author_id = p_uid and p.deleted_at is null and p.group_id is null
              and (p.created_at, p.id) < (p_key.created_at, p_key.id)
              and (p.created_at, p.id) >= (v_bound_at, v_bound_id)
            order by p.created_at desc, p.id desc
            limit p_limit + 1
          ) p
          union all
          select p.id, p.created_at
          from social.group_members m
          join social.groups g on g.id = m.group_id
          cross join lateral (
            select p.id, p.created_at from social.posts p
            where p.group_id = m.group_id and p.deleted_at is null
              and (p.created_at, p.id) < (p_key.created_at, p_key.id)
              and (p.created_at, p.id) >= (v_bound_at, v_bound_id)
              and p.author_id <> all (p_hidden)
              and (p.visibility = 'group' or p.author_id = p_uid
                   or (g.kind = 'coaching' and g.owner_id = p_uid))
            order by p.created_at desc, p.id desc
            limit p_limit + 1
          ) p
          where m.user_id = p_uid and m.status = 'active'
            and (g.required_tier is null or m.role <> 'member' or social_private.user_has_tier(p_uid, g.required_tier))
        ) c
        order by c.created_at desc, c.id desc
        limit p_limit + 1
      ) c;
    else
      select array_agg(c.id order by c.hot_score desc, c.id desc),
             array_agg(c.hot_score order by c.hot_score desc, c.id desc)
        into v_ids, v_scores
      from (
        select c.id, c.hot_score from (
          select x.id, x.hot_score from unnest(v_scan_ids, v_scan_scores) as x(id, hot_score)
          union all
          select p.post_id, p.hot_score from (
            select p.post_id, p.hot_score from social.post_stats p
            where p.author_id = p_uid and p.deleted_at is null and p.group_id is null
              and (p.hot_score, p.post_id) < (p_key.score, p_key.id)
              and (p.hot_score, p.post_id) >= (v_bound_score, v_bound_id)
            order by p.hot_score desc, p.post_id desc
            limit p_limit + 1
          ) p
          union all
          select p.post_id, p.hot_score
          from social.group_members m
          join social.groups g on g.id = m.group_id
          cross join lateral (
            select p.post_id, p.hot_score from social.post_stats p
            where p.group_id = m.group_id and p.deleted_at is null
              and (p.hot_score, p.post_id) < (p_key.score, p_key.id)
              and (p.hot_score, p.post_id) >= (v_bound_score, v_bound_id)
              and p.author_id <> all (p_hidden)
              and (p.visibility = 'group' or p.author_id = p_uid
                   or (g.kind = 'coaching' and g.owner_id = p_uid))
            order by p.hot_score desc, p.post_id desc
            limit p_limit + 1
          ) p
          where m.user_id = p_uid and m.status = 'active'
            and (g.required_tier is null or m.role <> 'member' or social_private.user_has_tier(p_uid, g.required_tier))
        ) c
        order by c.hot_score desc, c.id desc
        limit p_limit + 1
      ) c;
    end if;
    return social_private.make_feed_page('home_feed', p_order, p_uid::text, p_limit,
                                         coalesce(v_ids, '{}'), v_created, v_scores);
  end if;
  return null;
end;
$$;
comment on function social_private.home_feed_walk(uuid, text, social_private.page_key, integer, uuid[], integer) is
  'The home page of a user who follows many accounts (home_feed_page): walks everyone''s feed '
  'posts from the cursor down keeping the followed ones, then merges their own and their groups'' '
  'posts; null when the walk would cost more than probing each followee.';

-- The probes (home_feed_page, below 256 followees or when the walk gives up), in two index
-- passes, so the work does not grow with the number of followees times the page size:
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
-- Called only by home_feed_page (as its owner): no grants.
create function social_private.home_feed_probe(
  p_uid uuid,
  p_order text,
  p_key social_private.page_key,
  p_limit integer,
  p_hidden uuid[]
)
returns social_private.feed_page
language plpgsql
stable
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
set enable_memoize = off
as $$
declare
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
  -- the reference point of the windows: the best first post of 8 followees
  if p_order = 'latest' then
    select max(p.created_at) into v_ref_at
    from (
      select f.followee_id from social.follows f
      where f.follower_id = p_uid and f.status = 'accepted'
      limit 8
    ) f
    cross join lateral (
      select p.created_at from social.posts p
      where p.author_id = f.followee_id and p.deleted_at is null and p.group_id is null
        and p.visibility in ('public', 'followers')
        and (p.created_at, p.id) < (p_key.created_at, p_key.id)
      order by p.created_at desc, p.id desc
      limit 1
    ) p;
    v_ref_at := coalesce(v_ref_at, least(p_key.created_at, now()));
  else
    select max(s.hot_score) into v_ref_score
    from (
      select f.followee_id from social.follows f
      where f.follower_id = p_uid and f.status = 'accepted'
      limit 8
    ) f
    cross join lateral (
      select s.hot_score from social.post_stats s
      where s.author_id = f.followee_id and s.deleted_at is null and s.group_id is null
        and s.visibility in ('public', 'followers')
        and (s.hot_score, s.post_id) < (p_key.score, p_key.id)
      order by s.hot_score desc, s.post_id desc
      limit 1
    ) s;
    v_ref_score := coalesce(v_ref_score,
      least(p_key.score, extract(epoch from now())::double precision / 45000));
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
            and (p.created_at, p.id) < (p_key.created_at, p_key.id)
            and p.created_at >= v_low_at
          order by p.created_at desc, p.id desc
          limit 1
        ) p
        where f.follower_id = p_uid and f.status = 'accepted' and f.followee_id <> all (p_hidden)
        union all
        select 'm', p_uid, false, p.created_at, p.id
        from (
          select p.created_at, p.id from social.posts p
          where p.author_id = p_uid and p.deleted_at is null and p.group_id is null
            and (p.created_at, p.id) < (p_key.created_at, p_key.id)
            and p.created_at >= v_low_at
          order by p.created_at desc, p.id desc
          limit 1
        ) p
        union all
        select 'g', m.group_id, (g.kind = 'coaching' and g.owner_id = p_uid), p.created_at, p.id
        from social.group_members m
        join social.groups g on g.id = m.group_id
        cross join lateral (
          select p.created_at, p.id from social.posts p
          where p.group_id = m.group_id and p.deleted_at is null
            and (p.created_at, p.id) < (p_key.created_at, p_key.id)
            and p.created_at >= v_low_at
            and p.author_id <> all (p_hidden)
            and (p.visibility = 'group' or p.author_id = p_uid
                 or (g.kind = 'coaching' and g.owner_id = p_uid))
          order by p.created_at desc, p.id desc
          limit 1
        ) p
        where m.user_id = p_uid and m.status = 'active'
          and (g.required_tier is null or m.role <> 'member' or social_private.user_has_tier(p_uid, g.required_tier))
      ),
      bound as (
        select coalesce(
          -- the (limit + 1)-th best first post: the last of the best limit + 1 (no OFFSET)
          (select (array_agg(row(t.created_at, null, t.id)::social_private.page_key
                             order by t.created_at desc, t.id desc))[p_limit + 1]
           from (select x.created_at, x.id from firsts x
                 order by x.created_at desc, x.id desc limit p_limit + 1) t),
          row('-infinity'::timestamptz, null, '00000000-0000-0000-0000-000000000000'::uuid)::social_private.page_key
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
            and (p.created_at, p.id) < (p_key.created_at, p_key.id)
            and (p.created_at, p.id) >= ((b.k).created_at, (b.k).id)
          order by p.created_at desc, p.id desc
          limit p_limit + 1
        ) p
        where s.src = 'f'
        union all
        select p.id, p.created_at
        from live s, bound b
        cross join lateral (
          select p.id, p.created_at from social.posts p
          where p.author_id = s.sid and p.deleted_at is null and p.group_id is null
            and (p.created_at, p.id) < (p_key.created_at, p_key.id)
            and (p.created_at, p.id) >= ((b.k).created_at, (b.k).id)
          order by p.created_at desc, p.id desc
          limit p_limit + 1
        ) p
        where s.src = 'm'
        union all
        select p.id, p.created_at
        from live s, bound b
        cross join lateral (
          select p.id, p.created_at from social.posts p
          where p.group_id = s.sid and p.deleted_at is null
            and (p.created_at, p.id) < (p_key.created_at, p_key.id)
            and (p.created_at, p.id) >= ((b.k).created_at, (b.k).id)
            and p.author_id <> all (p_hidden)
            and (p.visibility = 'group' or p.author_id = p_uid or s.all_private)
          order by p.created_at desc, p.id desc
          limit p_limit + 1
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
        limit p_limit + 1
      ) c;
    else
      -- one hot score unit is 12.5 hours at equal engagement; `top` reads the top indexes of
      -- social.post_stats (copies of each post's author, group, visibility and deletion)
      v_low_score := case v_attempt
        when 1 then v_ref_score - 2
        when 2 then v_ref_score - 16
        when 3 then v_ref_score - 128
        else '-infinity'::double precision
      end;
      with firsts as materialized (
        select 'f'::text as src, f.followee_id as sid, false as all_private, p.hot_score, p.post_id as id
        from social.follows f
        cross join lateral (
          select p.hot_score, p.post_id from social.post_stats p
          where p.author_id = f.followee_id and p.deleted_at is null and p.group_id is null
            and p.visibility in ('public', 'followers')
            and (p.hot_score, p.post_id) < (p_key.score, p_key.id)
            and p.hot_score >= v_low_score
          order by p.hot_score desc, p.post_id desc
          limit 1
        ) p
        where f.follower_id = p_uid and f.status = 'accepted' and f.followee_id <> all (p_hidden)
        union all
        select 'm', p_uid, false, p.hot_score, p.post_id
        from (
          select p.hot_score, p.post_id from social.post_stats p
          where p.author_id = p_uid and p.deleted_at is null and p.group_id is null
            and (p.hot_score, p.post_id) < (p_key.score, p_key.id)
            and p.hot_score >= v_low_score
          order by p.hot_score desc, p.post_id desc
          limit 1
        ) p
        union all
        select 'g', m.group_id, (g.kind = 'coaching' and g.owner_id = p_uid), p.hot_score, p.post_id
        from social.group_members m
        join social.groups g on g.id = m.group_id
        cross join lateral (
          select p.hot_score, p.post_id from social.post_stats p
          where p.group_id = m.group_id and p.deleted_at is null
            and (p.hot_score, p.post_id) < (p_key.score, p_key.id)
            and p.hot_score >= v_low_score
            and p.author_id <> all (p_hidden)
            and (p.visibility = 'group' or p.author_id = p_uid
                 or (g.kind = 'coaching' and g.owner_id = p_uid))
          order by p.hot_score desc, p.post_id desc
          limit 1
        ) p
        where m.user_id = p_uid and m.status = 'active'
          and (g.required_tier is null or m.role <> 'member' or social_private.user_has_tier(p_uid, g.required_tier))
      ),
      bound as (
        select coalesce(
          (select (array_agg(row(null, t.hot_score, t.id)::social_private.page_key
                             order by t.hot_score desc, t.id desc))[p_limit + 1]
           from (select x.hot_score, x.id from firsts x
                 order by x.hot_score desc, x.id desc limit p_limit + 1) t),
          row(null, '-infinity'::double precision, '00000000-0000-0000-0000-000000000000'::uuid)::social_private.page_key
        ) as k
      ),
      live as (
        select s.* from firsts s, bound b
        where (s.hot_score, s.id) >= ((b.k).score, (b.k).id)
      ),
      candidates as (
        select p.post_id as id, p.hot_score
        from live s, bound b
        cross join lateral (
          select p.post_id, p.hot_score from social.post_stats p
          where p.author_id = s.sid and p.deleted_at is null and p.group_id is null
            and p.visibility in ('public', 'followers')
            and (p.hot_score, p.post_id) < (p_key.score, p_key.id)
            and (p.hot_score, p.post_id) >= ((b.k).score, (b.k).id)
          order by p.hot_score desc, p.post_id desc
          limit p_limit + 1
        ) p
        where s.src = 'f'
        union all
        select p.post_id as id, p.hot_score
        from live s, bound b
        cross join lateral (
          select p.post_id, p.hot_score from social.post_stats p
          where p.author_id = s.sid and p.deleted_at is null and p.group_id is null
            and (p.hot_score, p.post_id) < (p_key.score, p_key.id)
            and (p.hot_score, p.post_id) >= ((b.k).score, (b.k).id)
          order by p.hot_score desc, p.post_id desc
          limit p_limit + 1
        ) p
        where s.src = 'm'
        union all
        select p.post_id as id, p.hot_score
        from live s, bound b
        cross join lateral (
          select p.post_id, p.hot_score from social.post_stats p
          where p.group_id = s.sid and p.deleted_at is null
            and (p.hot_score, p.post_id) < (p_key.score, p_key.id)
            and (p.hot_score, p.post_id) >= ((b.k).score, (b.k).id)
            and p.author_id <> all (p_hidden)
            and (p.visibility = 'group' or p.author_id = p_uid or s.all_private)
          order by p.hot_score desc, p.post_id desc
          limit p_limit + 1
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
        limit p_limit + 1
      ) c;
    end if;
    exit when v_found > p_limit or v_attempt = 4;
  end loop;

  return social_private.make_feed_page('home_feed', p_order, p_uid::text, p_limit,
                                       coalesce(v_ids, '{}'), v_created, v_scores);
end;
$$;
comment on function social_private.home_feed_probe(uuid, text, social_private.page_key, integer, uuid[]) is
  'The home page of a user by probing each followee, group and themselves (home_feed_page): two '
  'index passes keep the work from growing with the number of followees times the page size.';

-- The current user's home page: posts of the people they follow (accepted; outside groups,
-- public and followers), posts in their active groups (group visibility; private ones they wrote,
-- or all of them as a coaching group's owner) and their own posts outside groups. Never blocked
-- or muted users. From 256 followees the walk tries first (home_feed_walk), else and when it gives
-- up the probes answer (home_feed_probe); both give the same pages (tests/db/home-feed-walk.test.ts).
create function social_private.home_feed_page(p_order text, p_cursor text, p_limit integer)
returns social_private.feed_page
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
  v_limit integer := social_private.page_limit(p_limit);
  -- the home feed is the caller's own list: their id is its scope
  v_key social_private.page_key := social_private.decode_page_cursor(
    'home_feed', social_private.require_order(p_order, 'latest', 'top'), v_uid::text, p_cursor);
  v_hidden uuid[];
  v_following integer;
  v_page social_private.feed_page;
begin
  -- blocked either way, and muted (home only)
  v_hidden := array(
    select b.blocked_id from social.blocks b where b.blocker_id = v_uid
    union all
    select b.blocker_id from social.blocks b where b.blocked_id = v_uid
    union all
    select m.muted_id from social.mutes m where m.muter_id = v_uid
  );

  select pr.following_count into v_following from social.profiles pr where pr.id = v_uid;
  if v_following >= 256 then
    v_page := social_private.home_feed_walk(v_uid, p_order, v_key, v_limit, v_hidden, v_following);
    if v_page is not null then
      return v_page;
    end if;
  end if;
  return social_private.home_feed_probe(v_uid, p_order, v_key, v_limit, v_hidden);
end;
$$;
comment on function social_private.home_feed_page(text, text, integer) is
  'Picks a page of the caller''s home feed for social.home_feed: followed users'' public and '
  'followers posts, posts in their active groups and their own, never blocked or muted users; the '
  'walk (home_feed_walk) for many followees, else the probes (home_feed_probe).';
grant execute on function social_private.home_feed_page(text, text, integer) to authenticated, service_role;

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
comment on function social.home_feed(text, text, integer) is
  'Home feed of the signed-in user: followed users'' posts, posts in their active groups and '
  'their own, newest first (p_order latest) or by hot_score (top). Pass the next_cursor of a page '
  'to get the next one (same caller and order); p_limit 1-50.';
grant execute on function social.home_feed(text, text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
