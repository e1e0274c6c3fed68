-- Premium gating: tier-gated groups are "listed but closed".
--
-- The rule (README, "Premium"): a group with a required_tier stays listed and findable exactly as
-- its visibility says (its row, name, member count), but its content (posts, comments, reactions,
-- media, the member list, the group feed and its posts in the home feed) is readable only by those
-- who hold the tier now, plus the group's staff (owner, admins, moderators), who run it. Joining
-- needs the tier already (groups migrations). Holding the tier is read from the subscriptions'
-- state at every read (social_private.user_has_tier), so a cancelled subscription, or one past due
-- beyond the grace, closes the group's content at once; renewing opens it again, with the
-- membership kept.
--
-- This migration replaces, with the tier condition added and nothing else changed:
--   * social_private.user_can_read_group (groups migration): the one rule of group reading;
--   * social_private.user_can_view_post (posts migration): its member fast path;
--   * social_private.my_group_ids (posts migration): the groups whose posts policies read as a
--     member's;
--   * social_private.group_feed_page (feeds migration): its member fast path;
--   * social_private.home_feed_page (home feed migration): the member groups it reads;
--   * the policy announcements_select_member (announcements migration): a member reads the
--     group's announcements while they may read the group.
-- Not covered: a club's group chat (the chat domain decides its members) keeps a lapsed member.
-- Tiered events are listed as their visibility says; `going` and buying a ticket need the tier
-- (tier_required); a seat already taken is kept.

-- May p_user_id read p_group_id's content? Active members always (in a tiered group: with the tier,
-- or as staff); everyone signed in for public groups except coaching groups (in a tiered group:
-- with the tier).
create or replace function social_private.user_can_read_group(p_user_id uuid, p_group_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from social.groups g
    where g.id = p_group_id
      and (
        (g.visibility = 'public' and g.kind <> 'coaching' and p_user_id is not null
         and not exists (
           select 1 from social.group_members m
           where m.group_id = g.id and m.user_id = p_user_id and m.status = 'banned'
         )
         and (g.required_tier is null or social_private.user_has_tier(p_user_id, g.required_tier)))
        or exists (
          select 1 from social.group_members m
          where m.group_id = g.id and m.user_id = p_user_id and m.status = 'active'
            and (g.required_tier is null or m.role <> 'member'
                 or social_private.user_has_tier(p_user_id, g.required_tier))
        )
      )
  );
$$;
comment on function social_private.user_can_read_group(uuid, uuid) is
  'May p_user_id read p_group_id''s content? The one rule; can_read_group applies it to the caller. '
  'A tiered group''s content needs the tier now (staff excepted).';

-- Ids of the groups the caller reads as an active member: in a tiered group, with the tier or as
-- staff (the posts migration's set, read once per statement by policies).
create or replace function social_private.my_group_ids()
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

-- the announcements migration's read policy, with the tier condition: can_read_group holds for an
-- active member exactly when the group has no tier, or they hold it, or they are staff
drop policy announcements_select_member on social.announcements;
-- active members read their group's announcements (in a tiered group: with the tier, or as staff),
-- never across a block with the author
create policy announcements_select_member on social.announcements
  for select to authenticated
  using (
    social_private.is_group_member(group_id)
    and social_private.can_read_group(group_id)
    and not social_private.is_blocked_with(author_id)
  );

-- the posts migration's rule, the member fast path needing the tier in a tiered group
create or replace function social_private.user_can_view_post(
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

-- the feeds migration's group page, the member fast path needing the tier in a tiered group
create or replace function social_private.group_feed_page(
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
    select array_agg(p.id order by p.hot_score desc, p.id desc),
           array_agg(p.hot_score order by p.hot_score desc, p.id desc)
      into v_ids, v_scores
    from (
      select p.id, p.hot_score from social.posts p
      where p.group_id = p_group_id and p.deleted_at is null
        and (p.hot_score, p.id) < (v_key.score, v_key.id)
        and p.author_id <> all (v_hidden)
        and (p.visibility = 'group' or p.author_id = v_uid or v_all_private)
      order by p.hot_score desc, p.id desc
      limit v_limit + 1
    ) p;
  end if;

  return social_private.make_feed_page('group_feed', p_order, p_group_id::text, v_limit,
                                       coalesce(v_ids, '{}'), v_created, v_scores);
end;
$$;

-- the home feed migration's page, reading only the member groups whose tier the caller holds
create or replace function social_private.home_feed_page(p_order text, p_cursor text, p_limit integer)
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
  v_limit integer := social_private.page_limit(p_limit);
  -- the home feed is the caller's own list: their id is its scope
  v_key social_private.page_key := social_private.decode_page_cursor(
    'home_feed', social_private.require_order(p_order, 'latest', 'top'), v_uid::text, p_cursor);
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
        and (p.hot_score, p.id) < (v_key.score, v_key.id)
      order by p.hot_score desc, p.id desc
      limit 1
    ) p;
    v_ref_score := coalesce(v_ref_score,
      least(v_key.score, extract(epoch from now())::double precision / 45000));
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
          and (g.required_tier is null or m.role <> 'member' or social_private.user_has_tier(v_uid, g.required_tier))
      ),
      bound as (
        select coalesce(
          -- the (limit + 1)-th best first post: the last of the best limit + 1 (no OFFSET)
          (select (array_agg(row(t.created_at, null, t.id)::social_private.page_key
                             order by t.created_at desc, t.id desc))[v_limit + 1]
           from (select x.created_at, x.id from firsts x
                 order by x.created_at desc, x.id desc limit v_limit + 1) t),
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
            and (p.hot_score, p.id) < (v_key.score, v_key.id)
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
            and (p.hot_score, p.id) < (v_key.score, v_key.id)
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
            and (p.hot_score, p.id) < (v_key.score, v_key.id)
            and p.hot_score >= v_low_score
            and p.author_id <> all (v_hidden)
            and (p.visibility = 'group' or p.author_id = v_uid
                 or (g.kind = 'coaching' and g.owner_id = v_uid))
          order by p.hot_score desc, p.id desc
          limit 1
        ) p
        where m.user_id = v_uid and m.status = 'active'
          and (g.required_tier is null or m.role <> 'member' or social_private.user_has_tier(v_uid, g.required_tier))
      ),
      bound as (
        select coalesce(
          (select (array_agg(row(null, t.hot_score, t.id)::social_private.page_key
                             order by t.hot_score desc, t.id desc))[v_limit + 1]
           from (select x.hot_score, x.id from firsts x
                 order by x.hot_score desc, x.id desc limit v_limit + 1) t),
          row(null, '-infinity'::double precision, '00000000-0000-0000-0000-000000000000'::uuid)::social_private.page_key
        ) as k
      ),
      live as (
        select s.* from firsts s, bound b
        where (s.hot_score, s.id) >= ((b.k).score, (b.k).id)
      ),
      candidates as (
        select p.id, p.hot_score
        from live s, bound b
        cross join lateral (
          select p.id, p.hot_score from social.posts p
          where p.author_id = s.sid and p.deleted_at is null and p.group_id is null
            and p.visibility in ('public', 'followers')
            and (p.hot_score, p.id) < (v_key.score, v_key.id)
            and (p.hot_score, p.id) >= ((b.k).score, (b.k).id)
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
            and (p.hot_score, p.id) < (v_key.score, v_key.id)
            and (p.hot_score, p.id) >= ((b.k).score, (b.k).id)
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
            and (p.hot_score, p.id) < (v_key.score, v_key.id)
            and (p.hot_score, p.id) >= ((b.k).score, (b.k).id)
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

  return social_private.make_feed_page('home_feed', p_order, v_uid::text, v_limit,
                                       coalesce(v_ids, '{}'), v_created, v_scores);
end;
$$;
