-- Itinerary, together and live: comments and votes on items (every member), the broadcasts of
-- every change on trip:<id> as it commits, opening a trip in one call (get_trip) and through a
-- share link (view_shared_trip), and the itinerary's lists. Days, items, fractional keys and
-- version conflicts: 20261128005200_itinerary.sql. SDK: withTrips(client).trips; tests:
-- tests/db/trips.test.ts; benchmark: npm run bench -- trips.

-- =====================================================================================
-- comments and votes (every member: owner, editor, viewer)
-- =====================================================================================

-- The item p_item_id when the caller is a member of its trip; trip_item_not_found when they may
-- not see it, not_trip_member when they only see it (a public trip).
create function social_private.require_member_trip_item(p_item_id uuid)
returns social.trip_items
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_item social.trip_items;
begin
  select * into v_item from social.trip_items i where i.id = p_item_id;
  if v_item.id is null or not social_private.can_view_trip(v_item.trip_id) then
    perform social_private.raise_error('not_found', 'trip_item_not_found', 'no such item');
  end if;
  perform social_private.require_trip_role(v_item.trip_id, 'viewer');
  return v_item;
end;
$$;
comment on function social_private.require_member_trip_item(uuid) is
  'The item p_item_id when the caller is a member of its trip; raises trip_item_not_found, not_trip_member.';
grant execute on function social_private.require_member_trip_item(uuid) to authenticated, service_role;

create function social_private.comment_on_trip_item(p_item_id uuid, p_body text)
returns social.trip_item_comments
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_item social.trip_items := social_private.require_member_trip_item(p_item_id);
  v_comment social.trip_item_comments;
begin
  if p_body is null or char_length(p_body) > 2000 or not social_private.is_visible_text(p_body) then
    perform social_private.raise_error('invalid_input', 'invalid_body', 'a comment is 1-2000 characters, not blank');
  end if;
  perform social_private.check_rate_limit('trip_comment');
  insert into social.trip_item_comments (trip_id, item_id, author_id, body)
  values (v_item.trip_id, v_item.id, auth.uid(), p_body)
  returning * into v_comment;
  return v_comment;
end;
$$;
comment on function social_private.comment_on_trip_item(uuid, text) is
  'Body of social.comment_on_trip_item (security definer): a member comments (rate limit trip_comment).';
grant execute on function social_private.comment_on_trip_item(uuid, text) to authenticated, service_role;

create function social.comment_on_trip_item(p_item_id uuid, p_body text)
returns social.trip_item_comments
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.comment_on_trip_item(p_item_id, p_body);
$$;
comment on function social.comment_on_trip_item(uuid, text) is 'Comment on an itinerary item (any member of the trip).';
grant execute on function social.comment_on_trip_item(uuid, text) to authenticated, service_role;

create function social_private.delete_trip_item_comment(p_comment_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_comment social.trip_item_comments;
  v_role social.trip_role;
begin
  select * into v_comment from social.trip_item_comments c where c.id = p_comment_id;
  v_role := social_private.my_trip_role(v_comment.trip_id);
  if v_comment.id is null or v_role is null then
    perform social_private.raise_error('not_found', 'comment_not_found', 'no such comment');
  end if;
  if v_comment.author_id <> auth.uid() and v_role <> 'owner' then
    perform social_private.raise_error('permission_denied', 'not_allowed', 'only its author or the trip''s owner deletes a comment');
  end if;
  delete from social.trip_item_comments c where c.id = p_comment_id;
end;
$$;
comment on function social_private.delete_trip_item_comment(uuid) is
  'Body of social.delete_trip_item_comment (security definer): its author or the trip''s owner deletes it.';
grant execute on function social_private.delete_trip_item_comment(uuid) to authenticated, service_role;

create function social.delete_trip_item_comment(p_comment_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.delete_trip_item_comment(p_comment_id);
$$;
comment on function social.delete_trip_item_comment(uuid) is 'Delete a comment on an item (its author, or the trip''s owner).';
grant execute on function social.delete_trip_item_comment(uuid) to authenticated, service_role;

create function social_private.vote_trip_item(p_item_id uuid, p_value integer)
returns social.trip_items
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_item social.trip_items := social_private.require_member_trip_item(p_item_id);
begin
  if p_value is null or p_value not in (-1, 0, 1) then
    perform social_private.raise_error('invalid_input', 'invalid_vote', 'a vote is 1 (for), -1 (against) or 0 (none)');
  end if;
  perform social_private.check_rate_limit('trip_vote');
  if p_value = 0 then
    delete from social.trip_item_votes v where v.item_id = p_item_id and v.user_id = auth.uid();
  else
    insert into social.trip_item_votes (item_id, user_id, trip_id, value)
    values (p_item_id, auth.uid(), v_item.trip_id, p_value)
    on conflict (item_id, user_id) do update set value = excluded.value, created_at = now()
      where social.trip_item_votes.value <> excluded.value;
  end if;
  select * into v_item from social.trip_items i where i.id = p_item_id;
  return v_item;
end;
$$;
comment on function social_private.vote_trip_item(uuid, integer) is
  'Body of social.vote_trip_item (security definer): a member votes 1, -1 or 0 (removes the vote).';
grant execute on function social_private.vote_trip_item(uuid, integer) to authenticated, service_role;

create function social.vote_trip_item(p_item_id uuid, p_value integer)
returns social.trip_items
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.vote_trip_item(p_item_id, p_value);
$$;
comment on function social.vote_trip_item(uuid, integer) is
  'Vote on an item (any member): 1 for, -1 against, 0 to take your vote back. Returns the item with its score.';
grant execute on function social.vote_trip_item(uuid, integer) to authenticated, service_role;

-- Comments and votes keep their item's counters.
create function social_private.handle_trip_item_engagement()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'trip_item_comments' then
    update social.trip_items i
    set comment_count = greatest(i.comment_count + case tg_op when 'INSERT' then 1 else -1 end, 0)
    where i.id = coalesce(new.item_id, old.item_id);
  else
    update social.trip_items i
    set vote_score = i.vote_score + coalesce(case when tg_op <> 'DELETE' then new.value end, 0)
                                   - coalesce(case when tg_op <> 'INSERT' then old.value end, 0)
    where i.id = coalesce(new.item_id, old.item_id);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_trip_item_engagement() is
  'Trigger function (after insert, update or delete on trip_item_comments and trip_item_votes, '
  'on_trip_item_comments_count / on_trip_item_votes_count): keeps comment_count and vote_score.';
create trigger on_trip_item_comments_count after insert or delete on social.trip_item_comments
  for each row execute function social_private.handle_trip_item_engagement();
create trigger on_trip_item_votes_count after insert or update or delete on social.trip_item_votes
  for each row execute function social_private.handle_trip_item_engagement();

-- =====================================================================================
-- live: every change goes out on trip:<id> as it commits
-- =====================================================================================

create function social_private.handle_trip_change_broadcast()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_event text := case tg_table_name
    when 'trips' then 'trip' when 'trip_days' then 'day' when 'trip_items' then 'item'
    when 'trip_item_comments' then 'comment' else 'vote' end;
  v_row jsonb;
  v_trip uuid;
begin
  if tg_op = 'DELETE' then
    v_row := to_jsonb(old);
    v_trip := (v_row ->> case when tg_table_name = 'trips' then 'id' else 'trip_id' end)::uuid;
    -- a row deleted with its trip (cascade) has no one left to tell
    if tg_table_name <> 'trips' and not exists (select 1 from social.trips t where t.id = v_trip) then
      return null;
    end if;
    perform social_private.broadcast_trip(v_trip, v_event, jsonb_build_object('op', 'deleted', 'row', v_row));
  else
    v_row := to_jsonb(new);
    v_trip := (v_row ->> case when tg_table_name = 'trips' then 'id' else 'trip_id' end)::uuid;
    perform social_private.broadcast_trip(v_trip, v_event,
      jsonb_build_object('op', case tg_op when 'INSERT' then 'created' else 'updated' end, 'row', v_row,
                         'by', auth.uid()));
  end if;
  return null;
end;
$$;
comment on function social_private.handle_trip_change_broadcast() is
  'Trigger function (after insert, update or delete on trips, trip_days, trip_items, '
  'trip_item_comments, trip_item_votes; on_<table>_broadcast): sends {op, row, by} as event trip, '
  'day, item, comment or vote on the private topic trip:<id> when the change commits.';
create trigger on_trips_broadcast after update on social.trips
  for each row execute function social_private.handle_trip_change_broadcast();
create trigger on_trip_days_broadcast after insert or update or delete on social.trip_days
  for each row execute function social_private.handle_trip_change_broadcast();
create trigger on_trip_items_broadcast after insert or update or delete on social.trip_items
  for each row execute function social_private.handle_trip_change_broadcast();
create trigger on_trip_item_comments_broadcast after insert or delete on social.trip_item_comments
  for each row execute function social_private.handle_trip_change_broadcast();
create trigger on_trip_item_votes_broadcast after insert or update or delete on social.trip_item_votes
  for each row execute function social_private.handle_trip_change_broadcast();

-- =====================================================================================
-- opening a trip
-- =====================================================================================

-- The days and items of trip p_trip_id as JSON, ordered, as the calling role may read them
-- (security invoker: under RLS for members and visitors; the share link reads through a security
-- definer caller). p_full: with the member-only fields (who added and edited, the caller's vote).
-- json, not jsonb: built once and sent, it needs no parsing or key sorting (half the time).
create function social_private.trip_plan_json(p_trip_id uuid, p_full boolean, out days json, out items json)
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  select coalesce(json_agg(x order by x.position, x.id), '[]') into days
  from (select d.id, d.position, d.day_date, d.title, d.notes, d.version
        from social.trip_days d where d.trip_id = p_trip_id) x;
  if p_full then
    -- members: who added and edited each item, and the caller's own vote
    select coalesce(json_agg(x order by x.day_position, x.day_id, x.position, x.id), '[]') into items
    from (select i.id, i.day_id, i.position, i.title, i.start_time, i.end_time, i.place_name, i.place_lat,
                 i.place_lng, i.notes, i.links, i.category, i.cost_estimate, i.currency, i.version,
                 i.comment_count, i.vote_score, i.created_by, i.updated_by, i.updated_at, v.value as my_vote,
                 d.position as day_position
          from social.trip_items i
          join social.trip_days d on d.id = i.day_id
          left join social.trip_item_votes v on v.item_id = i.id and v.user_id = (select auth.uid())
          where i.trip_id = p_trip_id) x;
  else
    -- who added and edited an item is for members only
    select coalesce(json_agg(x order by x.day_position, x.day_id, x.position, x.id), '[]') into items
    from (select i.id, i.day_id, i.position, i.title, i.start_time, i.end_time, i.place_name, i.place_lat,
                 i.place_lng, i.notes, i.links, i.category, i.cost_estimate, i.currency, i.version,
                 i.comment_count, i.vote_score, null::uuid as created_by, null::uuid as updated_by, i.updated_at,
                 null::smallint as my_vote, d.position as day_position
          from social.trip_items i
          join social.trip_days d on d.id = i.day_id
          where i.trip_id = p_trip_id) x;
  end if;
end;
$$;
comment on function social_private.trip_plan_json(uuid, boolean) is
  'The days and items of a trip as JSON arrays, in order, as the calling role may read them; '
  'p_full adds who added and edited each item and the caller''s vote.';
grant execute on function social_private.trip_plan_json(uuid, boolean) to anon, authenticated, service_role;

-- A trip as get_trip and view_shared_trip answer it: its own fields and the parts given.
create function social_private.trip_json(
  p_trip social.trips,
  p_owner json,
  p_my_role social.trip_role,
  p_following boolean,
  p_members json,
  p_days json,
  p_items json,
  p_shared_until timestamptz
)
returns json
language sql
immutable
set search_path = ''
as $$
  select json_build_object(
    'id', p_trip.id, 'owner_id', p_trip.owner_id, 'title', p_trip.title, 'description', p_trip.description,
    'destination_name', p_trip.destination_name, 'destination_lat', p_trip.destination_lat,
    'destination_lng', p_trip.destination_lng, 'start_date', p_trip.start_date, 'end_date', p_trip.end_date,
    'timezone', p_trip.timezone, 'cover', p_trip.cover, 'visibility', p_trip.visibility,
    'status', p_trip.status, 'member_count', p_trip.member_count, 'follower_count', p_trip.follower_count,
    'version', p_trip.version, 'created_at', p_trip.created_at, 'updated_at', p_trip.updated_at,
    'owner', p_owner, 'my_role', p_my_role, 'following', p_following, 'members', p_members,
    'shared_until', p_shared_until, 'days', p_days, 'items', p_items
  );
$$;
comment on function social_private.trip_json(social.trips, json, social.trip_role, boolean, json, json, json, timestamptz) is
  'A trip as JSON: its own fields (id, owner, title, destination, dates, time zone, cover, '
  'visibility, status, counts, version) with owner, my_role, following, members, shared_until, days and items.';
grant execute on function social_private.trip_json(social.trips, json, social.trip_role, boolean, json, json, json, timestamptz)
  to anon, authenticated, service_role;

-- Open a trip in one call: the trip, its owner's card, the caller's role and follow, the members
-- (for members), the days and items in order. Security invoker: RLS decides every part.
create function social.get_trip(p_trip_id uuid)
returns json
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_trip social.trips;
  v_role social.trip_role;
  v_members json := '[]';
  v_following boolean := false;
  v_plan record;
begin
  select * into v_trip from social.trips t where t.id = p_trip_id;
  if v_trip.id is null then
    perform social_private.raise_error('not_found', 'trip_not_found', 'no such trip');
  end if;
  v_role := social_private.my_trip_role(p_trip_id);
  if v_role is not null then
    -- members see each other (trip_members_select_member)
    select coalesce(json_agg(x order by x.role, x.created_at, x.user_id), '[]') into v_members
    from (select m.user_id, m.role, a.handle, a.display_name, a.avatar_path, m.created_at
          from (select * from social.trip_members m0 where m0.trip_id = p_trip_id order by m0.created_at limit 100) m
          left join social.profiles a on a.id = m.user_id) x;
  end if;
  if (select auth.uid()) is not null then
    v_following := exists (select 1 from social.trip_follows f where f.trip_id = p_trip_id and f.user_id = (select auth.uid()));
  end if;
  v_plan := social_private.trip_plan_json(p_trip_id, v_role is not null);
  return social_private.trip_json(
    v_trip,
    (select json_build_object('id', a.id, 'handle', a.handle, 'display_name', a.display_name, 'avatar_path', a.avatar_path)
     from social.profiles a where a.id = v_trip.owner_id),
    v_role, v_following, v_members, v_plan.days, v_plan.items, null);
end;
$$;
comment on function social.get_trip(uuid) is
  'A trip in one call, as the caller may see it: its fields, owner card, my_role, following, '
  'members (members only, up to 100), days and items in order. trip_not_found when the caller may '
  'not see it.';
grant execute on function social.get_trip(uuid) to anon, authenticated, service_role;

-- =====================================================================================
-- share links: reading a trip with a token
-- =====================================================================================

create function social_private.view_shared_trip(p_token text)
returns json
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_link social.trip_share_links;
  v_trip social.trips;
  v_plan record;
begin
  if p_token is null or char_length(p_token) > 200 then
    perform social_private.raise_error('not_found', 'share_link_not_found', 'no such share link');
  end if;
  select * into v_link from social.trip_share_links l where l.token_hash = social_private.share_token_hash(p_token);
  if v_link.id is null then
    perform social_private.raise_error('not_found', 'share_link_not_found', 'no such share link');
  end if;
  if v_link.revoked_at is not null then
    perform social_private.raise_error('permission_denied', 'share_link_revoked', 'this share link was revoked');
  end if;
  if v_link.expires_at <= now() then
    perform social_private.raise_error('permission_denied', 'share_link_expired', 'this share link has expired');
  end if;
  update social.trip_share_links l set use_count = l.use_count + 1, last_used_at = now() where l.id = v_link.id;
  select * into v_trip from social.trips t where t.id = v_link.trip_id;
  v_plan := social_private.trip_plan_json(v_trip.id, false);
  return social_private.trip_json(
    v_trip,
    (select json_build_object('handle', a.handle, 'display_name', a.display_name, 'avatar_path', a.avatar_path)
     from social.profiles a where a.id = v_trip.owner_id),
    null, null, null, v_plan.days, v_plan.items, v_link.expires_at);
end;
$$;
comment on function social_private.view_shared_trip(text) is
  'Body of social.view_shared_trip (security definer: link holders have no rights on the tables): '
  'checks the token''s hash, revocation and expiry, counts the use, returns the trip read-only.';
grant execute on function social_private.view_shared_trip(text) to anon, authenticated, service_role;

create function social.view_shared_trip(p_token text)
returns json
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.view_shared_trip(p_token);
$$;
comment on function social.view_shared_trip(text) is
  'Read a trip with a share link token, signed in or not: its fields, owner card, days and items '
  '(no members, comments or votes). share_link_not_found, share_link_revoked, share_link_expired.';
grant execute on function social.view_shared_trip(text) to anon, authenticated, service_role;

-- =====================================================================================
-- lists
-- =====================================================================================

-- An item's comments (for the trip's members), oldest first, with the author's card.
create function social.list_trip_item_comments(p_item_id uuid, p_cursor text default null, p_limit integer default 20)
returns table (
  id uuid,
  item_id uuid,
  author_id uuid,
  author_handle text,
  author_display_name text,
  author_avatar_path text,
  body text,
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
  v_key social_private.page_key := social_private.decode_page_cursor('list_trip_item_comments', 'oldest', p_item_id::text, p_cursor, true);
  v_ids uuid[];
  v_at timestamptz[];
  v_next text;
begin
  select array_agg(x.id order by x.created_at, x.id), array_agg(x.created_at order by x.created_at, x.id)
    into v_ids, v_at
  from (
    select c.id, c.created_at from social.trip_item_comments c
    where c.item_id = p_item_id and (c.created_at, c.id) > (v_key.created_at, v_key.id)
    order by c.created_at, c.id
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_trip_item_comments', 'oldest', p_item_id::text, v_at[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select c.id, c.item_id, c.author_id, a.handle::text, a.display_name, a.avatar_path, c.body, c.created_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(comment_id, position)
    join social.trip_item_comments c on c.id = k.comment_id
    left join social.profiles a on a.id = c.author_id
    order by k.position;
end;
$$;
comment on function social.list_trip_item_comments(uuid, text, integer) is
  'An item''s comments (members of its trip only), oldest first, with the author''s card. p_cursor: '
  'the next_cursor of the previous page (same item); p_limit 1-50.';
grant execute on function social.list_trip_item_comments(uuid, text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
