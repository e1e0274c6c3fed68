-- Event RSVPs: going / interested / not_going with guests against a capacity, an ordered waitlist
-- with automatic promotion, the event read (counts and an attendee preview, the viewer's friends
-- first), attendee and waitlist lists.
--
-- The RSVP rules (README, "Events"):
--   * A party is the person plus their guests (0-10); it takes 1 + guests seats. Capacity null:
--     no limit.
--   * Every RSVP write takes the event's row lock first (select ... for update), so RSVPs of one
--     event happen one at a time, in the order they reach the lock: capacity can never be
--     exceeded, and each `going` that waits gets the next arrival number (waitlist_seq, from
--     events.next_arrival) under that lock. The waitlist is ordered by it: the order of arrival.
--   * `going` joins the end of the waitlist, then the waitlist is promoted (below): a party that
--     fits the free seats and has nobody waiting ahead of it who fits goes straight in.
--   * Promotion runs after every change that frees seats (a cancellation, a smaller party, a
--     raised or removed capacity, a waitlisted party that shrank) in the same transaction:
--     first fit in order of arrival. The earliest waitlisted party that fits the free seats is
--     confirmed, then the next, until no waiting party fits. A party that does not fit (3 people
--     for 1 free seat) keeps its place and its claim: it is confirmed as soon as enough seats are
--     free, but it does not hold back a smaller party behind it that fits now. Each promoted
--     person is notified (event_promoted).
--   * A confirmed party that grows keeps its seats only when the extra seats are free
--     (not_enough_seats otherwise; nothing changes); a waitlisted party changes size in place,
--     keeping its place.
--   * Lowering the capacity below the seats taken bumps nobody; new parties wait until seats free.
--   * Retrying an RSVP (same status, same guests) changes nothing: no new arrival number, no
--     notification, no rate limit count.
--   * RSVPs need a published event the caller may see, before its end and its rsvp_deadline
--     (rsvp_closed otherwise); cancelling one's RSVP (not_going) is always possible. `going` needs
--     the event's required_tier (tier_required) and, for an event with a price, a ticket
--     (ticket_required, until the premium issue sells them).
--   * Cancelling the event frees every seat: confirmed RSVPs become not_going with
--     event_cancelled_at set (the calendar feed shows the event as cancelled), the waitlist is
--     emptied, and every attendee (going, waitlisted, interested) is notified (event_cancelled).
--   * Losing sight of an event (removed from its group, a block with the organizer, unfollowing a
--     followers-only organizer, uninvited from a private event) removes one's RSVP (promoting
--     others) and the notifications about it.
-- Rate limited: `rsvp`, 30 a minute.
-- Attendance: social_private.record_event_attendance (a job, below) records an event_attended
-- activity for everyone who held a seat once the event has ended.
-- SDK: @supasocial/client/events; tests: tests/db/event-rsvps.test.ts.

-- =====================================================================================
-- types and tables
-- =====================================================================================

create type social.rsvp_status as enum ('going', 'interested', 'not_going');
comment on type social.rsvp_status is
  'going: a seat (confirmed, or waiting on the waitlist when full); interested: follows the event '
  'without a seat; not_going: declined (or freed by a cancellation).';

create table social.event_rsvps (
  event_id uuid not null references social.events (id) on delete cascade,
  user_id uuid not null references social.profiles (id) on delete cascade,
  status social.rsvp_status not null,
  guests integer not null default 0,
  waitlist_seq bigint,
  confirmed_at timestamptz,
  promoted_at timestamptz,
  event_cancelled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (event_id, user_id),
  constraint event_rsvps_guests_range check (guests between 0 and 10),
  constraint event_rsvps_waitlist_going check (waitlist_seq is null or status = 'going'),
  constraint event_rsvps_guests_going check (guests = 0 or status = 'going')
);
comment on table social.event_rsvps is
  'One RSVP per user and event. Written only by the RSVP functions under the event''s row lock; '
  'the user, the organizers and (confirmed and interested ones) the event''s audience read it.';
comment on column social.event_rsvps.event_id is 'The event.';
comment on column social.event_rsvps.user_id is 'Who answered.';
comment on column social.event_rsvps.status is 'going, interested or not_going (see type social.rsvp_status).';
comment on column social.event_rsvps.guests is 'Guests coming along (0-10, going only); the party takes 1 + guests seats.';
comment on column social.event_rsvps.waitlist_seq is
  'Arrival number on the waitlist (from events.next_arrival, under the event''s lock); null when '
  'the RSVP holds its seats or is not going. The waitlist is ordered by it.';
comment on column social.event_rsvps.confirmed_at is 'When the party last got its seats; null while waiting or not going.';
comment on column social.event_rsvps.promoted_at is 'When it last left the waitlist for seats; null when it never waited.';
comment on column social.event_rsvps.event_cancelled_at is
  'When the event was cancelled while this RSVP held seats (it became not_going); the calendar '
  'feed shows the event cancelled.';
comment on column social.event_rsvps.created_at is 'When the user first answered; attendee lists order by it.';
comment on column social.event_rsvps.updated_at is 'Last change of status or guests.';
create index event_rsvps_user_idx on social.event_rsvps (user_id, event_id);
-- the waitlist in order of arrival
create index event_rsvps_waitlist_idx on social.event_rsvps (event_id, waitlist_seq) where waitlist_seq is not null;
-- attendee lists, newest first
create index event_rsvps_attendees_idx on social.event_rsvps (event_id, status, created_at desc, user_id desc)
  where waitlist_seq is null;
alter table social.event_rsvps enable row level security;
-- anon reads none (no policy); the grant lets get_event's join run for visitors
grant select on social.event_rsvps to anon, authenticated;
grant all on social.event_rsvps to service_role;

-- each user reads their own RSVPs; organizers read their events'; the audience of an event reads
-- its confirmed and interested RSVPs, never across a block
create policy event_rsvps_select_visible on social.event_rsvps
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or social_private.is_event_organizer(event_id)
    or (
      waitlist_seq is null
      and status in ('going', 'interested')
      and user_id <> all ((select social_private.my_blocked_ids())::uuid[])
      and social_private.can_view_event(event_id)
    )
  );

-- =====================================================================================
-- counters
-- =====================================================================================

-- Keep the event's counters in step with its RSVPs (seats_taken, going_count, interested_count,
-- waitlist_count), by the difference each row makes. Security definer: the counters are not the
-- caller's to write.
create function social_private.handle_event_rsvp_counts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_seats integer := 0;
  v_going integer := 0;
  v_interested integer := 0;
  v_waiting integer := 0;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    if old.status = 'going' and old.waitlist_seq is null then
      v_seats := v_seats - 1 - old.guests;
      v_going := v_going - 1;
    elsif old.status = 'going' then
      v_waiting := v_waiting - 1;
    elsif old.status = 'interested' then
      v_interested := v_interested - 1;
    end if;
  end if;
  if tg_op in ('UPDATE', 'INSERT') then
    if new.status = 'going' and new.waitlist_seq is null then
      v_seats := v_seats + 1 + new.guests;
      v_going := v_going + 1;
    elsif new.status = 'going' then
      v_waiting := v_waiting + 1;
    elsif new.status = 'interested' then
      v_interested := v_interested + 1;
    end if;
  end if;
  if (v_seats, v_going, v_interested, v_waiting) <> (0, 0, 0, 0) then
    update social.events e set
      seats_taken = e.seats_taken + v_seats,
      going_count = e.going_count + v_going,
      interested_count = e.interested_count + v_interested,
      waitlist_count = e.waitlist_count + v_waiting
    where e.id = coalesce(new.event_id, old.event_id);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_event_rsvp_counts() is
  'Trigger function (after insert, update or delete on event_rsvps, on_event_rsvps_counts): keeps '
  'events.seats_taken, going_count, interested_count and waitlist_count.';
create trigger on_event_rsvps_counts after insert or update or delete on social.event_rsvps
  for each row execute function social_private.handle_event_rsvp_counts();

-- Attendance (gamification). Once a published event has ended, everyone who held a seat at its
-- end (going and not waitlisted) attended it: each gets an event_attended activity (streaks, the
-- Event Enthusiast badge, points), dated when the event started, with the key event:<id>, so a
-- second run or a retry records nothing twice. Recording it at the end, not at the RSVP, means
-- that answering going and cancelling again earns nothing. A plain job function: pg_cron runs it
-- every 15 minutes where installed (below); call it directly elsewhere. Events that ended more
-- than 31 days before it first ran are only marked, not counted (a streak is long broken by then).
create function social_private.record_event_attendance(p_now timestamptz default now(), p_limit integer default 200)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event record;
  v_total integer := 0;
  v_count integer;
begin
  if p_limit is null or p_limit < 1 or p_limit > 10000 then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'p_limit must be between 1 and 10000');
  end if;
  for v_event in
    select e.id, e.starts_at, e.ends_at, e.group_id
    from social.events e
    where e.attendance_recorded_at is null and e.status = 'published' and e.ends_at <= p_now
    order by e.ends_at
    limit p_limit
    for update skip locked
  loop
    if v_event.ends_at > p_now - interval '31 days' then
      insert into social.activities (user_id, kind, occurred_at, group_id, idempotency_key, payload)
      select r.user_id, 'event_attended', v_event.starts_at,
             -- a group activity only while the attendee is still an active member of the group
             case when v_event.group_id is not null and exists (
               select 1 from social.group_members m
               where m.group_id = v_event.group_id and m.user_id = r.user_id and m.status = 'active'
             ) then v_event.group_id end,
             'event:' || v_event.id::text, jsonb_build_object('event_id', v_event.id)
      from social.event_rsvps r
      where r.event_id = v_event.id and r.status = 'going' and r.waitlist_seq is null
      on conflict (user_id, kind, idempotency_key) do nothing;
      get diagnostics v_count = row_count;
      v_total := v_total + v_count;
    end if;
    update social.events set attendance_recorded_at = p_now where id = v_event.id;
  end loop;
  return v_total;
end;
$$;
comment on function social_private.record_event_attendance(timestamptz, integer) is
  'Job: for up to p_limit published events that ended by p_now, an event_attended activity for '
  'each attendee who held a seat (key event:<id>, dated at the start), once. Returns the '
  'activities recorded. pg_cron runs it every 15 minutes where installed; call it directly elsewhere.';
grant execute on function social_private.record_event_attendance(timestamptz, integer) to service_role;

select social_private.schedule_job('supasocial-event-attendance', '*/15 * * * *', 'select social_private.record_event_attendance()');

-- =====================================================================================
-- promotion and the RSVP itself (security definer: RSVPs and counters are not client-writable;
-- every function here expects the event's row to be locked by its caller)
-- =====================================================================================

-- A promoted party in a paid event. The premium migration replaces this with a seat hold to pay
-- for (the party leaves the waitlist); until then a paid event takes no `going` RSVP
-- (ticket_required), so nobody waits for one, and the seat is confirmed as in a free event.
create function social_private.promote_paid_party(p_event social.events, p_user_id uuid, p_guests integer)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  update social.event_rsvps r set waitlist_seq = null, confirmed_at = now(), promoted_at = now()
  where r.event_id = p_event.id and r.user_id = p_user_id;
end;
$$;
comment on function social_private.promote_paid_party(social.events, uuid, integer) is
  'Promotes p_user_id''s waiting party (1 + p_guests) in paid event p_event; replaced by the premium '
  'migration with a seat hold to pay for. The caller holds the event''s row lock.';

-- Promote from the waitlist of p_event_id: first fit in order of arrival (see the header); in a
-- paid event through promote_paid_party. Returns how many parties were promoted. The caller
-- holds the event's row lock.
create function social_private.promote_event_waitlist(p_event_id uuid)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event social.events;
  v_free integer;
  v_next record;
  v_promoted uuid[] := '{}';
begin
  loop
    select * into v_event from social.events e where e.id = p_event_id;
    if v_event.status <> 'published' or v_event.waitlist_count = 0 then
      exit;
    end if;
    v_free := case when v_event.capacity is null then 2147483647
                   else v_event.capacity - v_event.seats_taken end;
    if v_free <= 0 then
      exit;
    end if;
    select r.user_id, r.guests into v_next
    from social.event_rsvps r
    where r.event_id = p_event_id and r.waitlist_seq is not null and r.guests + 1 <= v_free
    order by r.waitlist_seq
    limit 1;
    if not found then
      exit;
    end if;
    if coalesce(v_event.price_cents, 0) > 0 then
      perform social_private.promote_paid_party(v_event, v_next.user_id, v_next.guests);
    else
      update social.event_rsvps r set waitlist_seq = null, confirmed_at = now(), promoted_at = now()
      where r.event_id = p_event_id and r.user_id = v_next.user_id;
    end if;
    v_promoted := v_promoted || v_next.user_id;
  end loop;
  if cardinality(v_promoted) > 0 then
    perform social_private.notify_event(v_event, 'event_promoted', v_promoted);
  end if;
  return cardinality(v_promoted);
end;
$$;
comment on function social_private.promote_event_waitlist(uuid) is
  'Confirms waitlisted parties of p_event_id, first fit in order of arrival, while seats are free, '
  'and notifies them (event_promoted); in a paid event each promoted party gets what '
  'promote_paid_party gives (with premium: a seat hold to pay for). The caller holds the event''s row lock.';

-- The waitlist position (1 = next) of p_user_id at p_event_id, null when not waiting.
create function social_private.user_event_waitlist_position(p_user_id uuid, p_event_id uuid)
returns integer
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_seq bigint;
begin
  select r.waitlist_seq into v_seq from social.event_rsvps r
  where r.event_id = p_event_id and r.user_id = p_user_id;
  if v_seq is null then
    return null;
  end if;
  return (select count(*)::integer from social.event_rsvps r
          where r.event_id = p_event_id and r.waitlist_seq is not null and r.waitlist_seq <= v_seq);
end;
$$;
comment on function social_private.user_event_waitlist_position(uuid, uuid) is
  'Place of p_user_id on the waitlist of p_event_id (1 = next to be promoted); null when not waiting.';
grant execute on function social_private.user_event_waitlist_position(uuid, uuid) to service_role;

-- Remove p_user_id's RSVP of p_event_id (they lost sight of the event): locks the event, deletes
-- the RSVP, promotes when it held seats.
create function social_private.remove_event_rsvp(p_event_id uuid, p_user_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_held boolean;
begin
  perform 1 from social.events e where e.id = p_event_id for update;
  delete from social.event_rsvps r where r.event_id = p_event_id and r.user_id = p_user_id
  returning r.status = 'going' and r.waitlist_seq is null into v_held;
  if v_held then
    perform social_private.promote_event_waitlist(p_event_id);
  end if;
end;
$$;
comment on function social_private.remove_event_rsvp(uuid, uuid) is
  'Deletes p_user_id''s RSVP of p_event_id under the event''s lock, promoting when it held seats.';

-- Remove the RSVPs (and event notifications) of p_user_id for every event they can no longer see.
create function social_private.user_drop_unseen_event_rsvps(p_user_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event_id uuid;
begin
  for v_event_id in
    select r.event_id from social.event_rsvps r
    join social.events e on e.id = r.event_id
    where r.user_id = p_user_id
      and not social_private.user_can_view_event(p_user_id, e.id, e.organizer_id, e.group_id, e.visibility, e.status)
    order by r.event_id
  loop
    perform social_private.remove_event_rsvp(v_event_id, p_user_id);
  end loop;
  if exists (select 1 from social.notifications n where n.recipient_id = p_user_id and n.event_id is not null) then
    perform social_private.lock_notification_counters(array[p_user_id]);
  end if;
  delete from social.notifications n
  using social.events e
  where n.recipient_id = p_user_id and n.event_id = e.id
    and not social_private.user_can_view_event(p_user_id, e.id, e.organizer_id, e.group_id, e.visibility, e.status);
end;
$$;
comment on function social_private.user_drop_unseen_event_rsvps(uuid) is
  'Removes p_user_id''s RSVPs (promoting others) and event notifications of every event they may '
  'no longer see (losing access loses everything).';

-- Losing sight of events: a membership that stops being active, a block, an unfollow.
create function social_private.handle_event_access_lost()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'group_members' then
    if old.status = 'active' and (tg_op = 'DELETE' or new.status <> 'active') then
      perform social_private.user_drop_unseen_event_rsvps(old.user_id);
    end if;
  elsif tg_table_name = 'blocks' then
    perform social_private.user_drop_unseen_event_rsvps(new.blocker_id);
    perform social_private.user_drop_unseen_event_rsvps(new.blocked_id);
  elsif tg_table_name = 'follows' then
    perform social_private.user_drop_unseen_event_rsvps(old.follower_id);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_event_access_lost() is
  'Trigger function (on group_members, blocks and follows): a user who may no longer see an event '
  'loses their RSVP of it and its notifications.';
create trigger on_group_members_event_access after update of status or delete on social.group_members
  for each row execute function social_private.handle_event_access_lost();
create trigger on_blocks_event_access after insert on social.blocks
  for each row execute function social_private.handle_event_access_lost();
create trigger on_follows_event_access after delete on social.follows
  for each row execute function social_private.handle_event_access_lost();

-- The caller's waitlist position at p_event_id.
create function social_private.my_event_waitlist_position(p_event_id uuid)
returns integer
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return social_private.user_event_waitlist_position(auth.uid(), p_event_id);
end;
$$;
comment on function social_private.my_event_waitlist_position(uuid) is
  'The caller''s place on the waitlist of p_event_id (1 = next); null when not waiting.';
grant execute on function social_private.my_event_waitlist_position(uuid) to anon, authenticated, service_role;

-- The RSVP rules (header). Security definer: RSVPs are written only here, under the event's lock.
create function social_private.rsvp_event(p_event_id uuid, p_status social.rsvp_status, p_guests integer)
returns social.event_rsvps
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
  v_event social.events;
  v_rsvp social.event_rsvps;
  v_guests integer := coalesce(p_guests, 0);
  v_held boolean;
begin
  if p_status is null then
    perform social_private.raise_error('invalid_input', 'invalid_rsvp', 'an RSVP is going, interested or not_going');
  end if;
  if v_guests not between 0 and 10 or (v_guests > 0 and p_status <> 'going') then
    perform social_private.raise_error('invalid_input', 'invalid_guests',
      'guests are 0-10, and come only with going');
  end if;
  v_event := social_private.require_event(p_event_id);
  select * into v_rsvp from social.event_rsvps r where r.event_id = p_event_id and r.user_id = v_uid;
  if v_rsvp.user_id is not null and v_rsvp.status = p_status and v_rsvp.guests = v_guests then
    return v_rsvp; -- a retry: nothing changes
  end if;
  if p_status <> 'not_going' then
    if v_event.status <> 'published' or v_event.ends_at <= now()
       or (v_event.rsvp_deadline is not null and v_event.rsvp_deadline < now()) then
      perform social_private.raise_error('conflict', 'rsvp_closed',
        'RSVPs are closed: the event is not published, is cancelled, is over or is past its RSVP deadline');
    end if;
  elsif v_rsvp.user_id is null then
    -- declining an event one never answered: record it (a visible "no"), when RSVPs are open
    if v_event.status <> 'published' or v_event.ends_at <= now() then
      perform social_private.raise_error('conflict', 'rsvp_closed', 'RSVPs are closed for this event');
    end if;
  end if;
  if p_status = 'going' then
    if v_event.required_tier is not null and not social_private.user_has_tier(v_uid, v_event.required_tier) then
      perform social_private.raise_error('permission_denied', 'tier_required', 'the event is for members of a premium tier');
    end if;
    if coalesce(v_event.price_cents, 0) > 0 then
      perform social_private.raise_error('permission_denied', 'ticket_required', 'the event needs a ticket');
    end if;
  end if;
  perform social_private.check_rate_limit('rsvp');

  v_held := v_rsvp.user_id is not null and v_rsvp.status = 'going' and v_rsvp.waitlist_seq is null;
  if p_status = 'going' and v_held then
    -- a confirmed party changes size: growing needs the extra seats free
    if v_guests > v_rsvp.guests and v_event.capacity is not null
       and v_event.seats_taken + (v_guests - v_rsvp.guests) > v_event.capacity then
      perform social_private.raise_error('conflict', 'not_enough_seats',
        format('only %s seats are free; the RSVP keeps its %s guests', greatest(v_event.capacity - v_event.seats_taken, 0), v_rsvp.guests));
    end if;
    update social.event_rsvps r set guests = v_guests, updated_at = now()
    where r.event_id = p_event_id and r.user_id = v_uid returning * into v_rsvp;
  elsif p_status = 'going' and v_rsvp.status = 'going' then
    -- a waiting party changes size in place
    update social.event_rsvps r set guests = v_guests, updated_at = now()
    where r.event_id = p_event_id and r.user_id = v_uid;
  elsif p_status = 'going' then
    -- a new party joins the end of the waitlist; promotion seats it when it fits
    update social.events e set next_arrival = e.next_arrival + 1 where e.id = p_event_id
    returning e.next_arrival into v_event.next_arrival;
    insert into social.event_rsvps as r (event_id, user_id, status, guests, waitlist_seq)
    values (p_event_id, v_uid, 'going', v_guests, v_event.next_arrival)
    on conflict (event_id, user_id) do update set
      status = 'going', guests = excluded.guests, waitlist_seq = excluded.waitlist_seq,
      confirmed_at = null, event_cancelled_at = null, updated_at = now();
  else
    insert into social.event_rsvps as r (event_id, user_id, status, guests)
    values (p_event_id, v_uid, p_status, 0)
    on conflict (event_id, user_id) do update set
      status = excluded.status, guests = 0, waitlist_seq = null, confirmed_at = null, updated_at = now();
  end if;
  perform social_private.promote_event_waitlist(p_event_id);
  select * into v_rsvp from social.event_rsvps r where r.event_id = p_event_id and r.user_id = v_uid;
  if v_rsvp.status = 'going' and v_rsvp.waitlist_seq is null and v_rsvp.confirmed_at is null then
    update social.event_rsvps r set confirmed_at = now()
    where r.event_id = p_event_id and r.user_id = v_uid returning * into v_rsvp;
  end if;
  return v_rsvp;
end;
$$;
comment on function social_private.rsvp_event(uuid, social.rsvp_status, integer) is
  'Body of social.rsvp_event (security definer): the RSVP rules of the migration header, under '
  'the event''s row lock; a retry changes nothing.';
grant execute on function social_private.rsvp_event(uuid, social.rsvp_status, integer) to authenticated, service_role;

-- RSVP to an event: going (with guests), interested or not_going. Returns the caller's RSVP with
-- its waitlist position (null when holding seats or not going).
create function social.rsvp_event(p_event_id uuid, p_status social.rsvp_status, p_guests integer default 0)
returns table (
  event_id uuid,
  user_id uuid,
  status social.rsvp_status,
  guests integer,
  waitlisted boolean,
  waitlist_position integer,
  confirmed_at timestamptz,
  promoted_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz
)
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_rsvp social.event_rsvps := social_private.rsvp_event(p_event_id, p_status, p_guests);
begin
  -- a statement of its own: the position counts the waitlist as the RSVP left it
  return query
    select v_rsvp.event_id, v_rsvp.user_id, v_rsvp.status, v_rsvp.guests, v_rsvp.waitlist_seq is not null,
           social_private.my_event_waitlist_position(v_rsvp.event_id), v_rsvp.confirmed_at, v_rsvp.promoted_at,
           v_rsvp.created_at, v_rsvp.updated_at;
end;
$$;
comment on function social.rsvp_event(uuid, social.rsvp_status, integer) is
  'RSVP to an event (going with 0-10 guests, interested, not_going). When full, going waits on the '
  'waitlist (waitlisted, waitlist_position). Retrying changes nothing.';
grant execute on function social.rsvp_event(uuid, social.rsvp_status, integer) to authenticated, service_role;

-- Cancel one's RSVP: not_going (frees the seats, promotes from the waitlist).
create function social.cancel_rsvp(p_event_id uuid)
returns table (
  event_id uuid,
  user_id uuid,
  status social.rsvp_status,
  guests integer,
  waitlisted boolean,
  waitlist_position integer,
  confirmed_at timestamptz,
  promoted_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz
)
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social.rsvp_event(p_event_id, 'not_going', 0);
$$;
comment on function social.cancel_rsvp(uuid) is
  'Cancel my RSVP (becomes not_going): frees my seats or my place on the waitlist; promotes the next party that fits.';
grant execute on function social.cancel_rsvp(uuid) to authenticated, service_role;

-- My place on an event's waitlist (1 = next), null when not waiting (or the event is not visible).
create function social.event_waitlist_position(p_event_id uuid)
returns integer
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  if not social_private.can_view_event(p_event_id) then
    perform social_private.raise_error('not_found', 'event_not_found', 'no such event');
  end if;
  return social_private.my_event_waitlist_position(p_event_id);
end;
$$;
comment on function social.event_waitlist_position(uuid) is
  'My place on the waitlist of an event (1 = next to be promoted); null when I am not waiting.';
grant execute on function social.event_waitlist_position(uuid) to authenticated, service_role;

-- =====================================================================================
-- the event's own changes that move seats
-- =====================================================================================

-- A raised or removed capacity promotes; a cancellation frees every seat and notifies every
-- attendee. Security definer: RSVPs and notifications are not the caller's to write.
create function social_private.handle_event_seats()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_attendees uuid[];
begin
  if new.status = 'cancelled' and old.status <> 'cancelled' then
    v_attendees := array(
      select r.user_id from social.event_rsvps r
      where r.event_id = new.id and r.status in ('going', 'interested')
    );
    update social.event_rsvps r set
      status = 'not_going', guests = 0, waitlist_seq = null, confirmed_at = null,
      event_cancelled_at = case when r.waitlist_seq is null then now() end, updated_at = now()
    where r.event_id = new.id and r.status = 'going';
    perform social_private.notify_event(new, 'event_cancelled', v_attendees);
  elsif new.status = 'published'
     and (new.capacity is null and old.capacity is not null or new.capacity > old.capacity) then
    perform social_private.promote_event_waitlist(new.id);
  end if;
  return null;
end;
$$;
comment on function social_private.handle_event_seats() is
  'Trigger function (after update of capacity, status on events, on_events_seats): a raised or '
  'removed capacity promotes from the waitlist; a cancellation frees every seat (going RSVPs '
  'become not_going with event_cancelled_at) and notifies every attendee (event_cancelled).';
create trigger on_events_seats after update of capacity, status on social.events
  for each row execute function social_private.handle_event_seats();

-- =====================================================================================
-- reads (security invoker: RLS decides)
-- =====================================================================================

-- Up to p_count confirmed attendees of p_event_id the caller may see, the people the caller
-- follows first, then the latest; summaries as notifications carry them.
create function social_private.event_attendee_preview(p_event_id uuid, p_count integer)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    return '[]'::jsonb; -- visitors see counts, not attendees
  end if;
  return coalesce((
    select jsonb_agg(jsonb_build_object('id', x.id, 'handle', x.handle, 'display_name', x.display_name,
                                        'avatar_path', x.avatar_path, 'guests', x.guests,
                                        'is_friend', x.is_friend)
                     order by x.is_friend desc, x.created_at desc, x.id desc)
    from (
      select p.id, p.handle, p.display_name, p.avatar_path, r.guests, r.created_at,
             exists (select 1 from social.follows f
                     where f.follower_id = (select auth.uid()) and f.followee_id = r.user_id
                       and f.status = 'accepted') as is_friend
      from social.event_rsvps r
      join social.profiles p on p.id = r.user_id
      where r.event_id = p_event_id and r.status = 'going' and r.waitlist_seq is null
      order by 7 desc, r.created_at desc, r.user_id desc
      limit p_count
    ) x
  ), '[]'::jsonb);
end;
$$;
comment on function social_private.event_attendee_preview(uuid, integer) is
  'Up to p_count confirmed attendees of an event that the caller may see (RLS), people the caller '
  'follows first: [{id, handle, display_name, avatar_path, guests, is_friend}].';
grant execute on function social_private.event_attendee_preview(uuid, integer) to anon, authenticated, service_role;

-- One event with its counts, the caller's RSVP and a preview of who is going (friends first).
-- No row when it does not exist or the caller may not see it.
create function social.get_event(p_event_id uuid)
returns table (
  id uuid,
  organizer_id uuid,
  group_id uuid,
  title text,
  description text,
  starts_at timestamptz,
  ends_at timestamptz,
  timezone text,
  location_name text,
  address text,
  latitude double precision,
  longitude double precision,
  capacity integer,
  rsvp_deadline timestamptz,
  tags text[],
  visibility social.event_visibility,
  status social.event_status,
  cover_media_id uuid,
  cover_path text,
  media jsonb,
  price_cents integer,
  currency text,
  required_tier text,
  sequence integer,
  seats_taken integer,
  going_count integer,
  interested_count integer,
  waitlist_count integer,
  published_at timestamptz,
  cancelled_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  organizer jsonb,
  my_status social.rsvp_status,
  my_guests integer,
  my_waitlist_position integer,
  is_organizer boolean,
  attendee_preview jsonb
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
begin
  return query
    select e.id, e.organizer_id, e.group_id, e.title, e.description, e.starts_at, e.ends_at, e.timezone,
           e.location_name, e.address, e.latitude, e.longitude, e.capacity, e.rsvp_deadline, e.tags,
           e.visibility, e.status, e.cover_media_id, e.cover_path, e.media, e.price_cents, e.currency,
           e.required_tier, e.sequence,
           e.seats_taken, e.going_count, e.interested_count, e.waitlist_count, e.published_at,
           e.cancelled_at, e.created_at, e.updated_at,
           (select jsonb_build_object('id', p.id, 'handle', p.handle, 'display_name', p.display_name,
                                      'avatar_path', p.avatar_path)
            from social.profiles p where p.id = e.organizer_id),
           r.status, r.guests, social_private.my_event_waitlist_position(e.id),
           social_private.user_is_event_organizer_for_caller(e.organizer_id, e.group_id),
           social_private.event_attendee_preview(e.id, 6)
    from social.events e
    left join social.event_rsvps r on r.event_id = e.id and r.user_id = (select auth.uid())
    where e.id = p_event_id;
end;
$$;
comment on function social.get_event(uuid) is
  'One event the caller may see, with counts, the organizer''s card, the caller''s RSVP (status, '
  'guests, waitlist position), whether the caller organizes it, and up to 6 confirmed attendees, '
  'people the caller follows first. No row otherwise.';
grant execute on function social.get_event(uuid) to anon, authenticated, service_role;

-- Does the caller organize an event with this organizer and group?
create function social_private.user_is_event_organizer_for_caller(p_organizer uuid, p_group_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return social_private.user_is_event_organizer(auth.uid(), p_organizer, p_group_id);
end;
$$;
comment on function social_private.user_is_event_organizer_for_caller(uuid, uuid) is
  'Is the caller the organizer, or an owner or admin of the group, of an event with these columns?';
grant execute on function social_private.user_is_event_organizer_for_caller(uuid, uuid) to anon, authenticated, service_role;

-- The confirmed (p_status going) or interested attendees of an event the caller sees, newest
-- first; blocked users left out (RLS). One page of list_event_attendees, scope event + status.
create function social.list_event_attendees(
  p_event_id uuid,
  p_status social.rsvp_status default 'going',
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  user_id uuid,
  handle extensions.citext,
  display_name text,
  avatar_path text,
  status social.rsvp_status,
  guests integer,
  is_friend boolean,
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
  v_status social.rsvp_status := coalesce(p_status, 'going');
  v_scope text := p_event_id::text || '|' || v_status::text;
  v_limit integer := social_private.page_limit(p_limit);
  v_key social_private.page_key := social_private.decode_page_cursor('list_event_attendees', 'latest', v_scope, p_cursor);
  v_ids uuid[];
  v_created timestamptz[];
  v_next text;
begin
  if v_status = 'not_going' then
    perform social_private.raise_error('invalid_input', 'invalid_rsvp', 'attendees are going or interested');
  end if;
  select array_agg(x.user_id order by x.created_at desc, x.user_id desc),
         array_agg(x.created_at order by x.created_at desc, x.user_id desc)
    into v_ids, v_created
  from (
    select r.user_id, r.created_at
    from social.event_rsvps r
    where r.event_id = p_event_id and r.status = v_status and r.waitlist_seq is null
      and social_private.can_view_event(p_event_id)
      and (r.created_at, r.user_id) < (v_key.created_at, v_key.id)
    order by r.created_at desc, r.user_id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_event_attendees', 'latest', v_scope,
                                                v_created[v_limit], null, v_ids[v_limit]);
  end if;
  return query
    select r.user_id, p.handle, p.display_name, p.avatar_path, r.status, r.guests,
           exists (select 1 from social.follows f
                   where f.follower_id = (select auth.uid()) and f.followee_id = r.user_id and f.status = 'accepted'),
           r.created_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(uid, position)
    join social.event_rsvps r on r.event_id = p_event_id and r.user_id = k.uid
    join social.profiles p on p.id = r.user_id
    order by k.position;
end;
$$;
comment on function social.list_event_attendees(uuid, social.rsvp_status, text, integer) is
  'Confirmed (going) or interested attendees of an event the caller sees, newest first, with '
  'is_friend (the caller follows them). p_cursor: the previous page''s next_cursor; p_limit 1-50.';
grant execute on function social.list_event_attendees(uuid, social.rsvp_status, text, integer)
  to authenticated, service_role;

-- The waitlist of an event, in order of arrival (organizers; others get an empty page). One page
-- of list_event_waitlist, scope event, keyed by the arrival number.
create function social.list_event_waitlist(
  p_event_id uuid,
  p_cursor text default null,
  p_limit integer default 20
)
returns table (
  user_id uuid,
  handle extensions.citext,
  display_name text,
  avatar_path text,
  guests integer,
  waitlist_position integer,
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
  v_key social_private.page_key := social_private.decode_page_cursor('list_event_waitlist', 'arrival',
                                                                      p_event_id::text, p_cursor, true);
  v_ids uuid[];
  v_seqs bigint[];
  v_next text;
  v_before integer;
begin
  if not social_private.is_event_organizer(p_event_id) then
    return;
  end if;
  select array_agg(x.user_id order by x.waitlist_seq), array_agg(x.waitlist_seq order by x.waitlist_seq)
    into v_ids, v_seqs
  from (
    select r.user_id, r.waitlist_seq
    from social.event_rsvps r
    where r.event_id = p_event_id and r.waitlist_seq is not null and r.waitlist_seq > v_key.score
    order by r.waitlist_seq
    limit v_limit + 1
  ) x;
  if cardinality(v_ids) > v_limit then
    v_next := social_private.encode_page_cursor('list_event_waitlist', 'arrival', p_event_id::text,
                                                null, v_seqs[v_limit]::double precision, v_ids[v_limit]);
  end if;
  select count(*)::integer into v_before from social.event_rsvps r
  where r.event_id = p_event_id and r.waitlist_seq is not null and r.waitlist_seq <= v_key.score;
  return query
    select r.user_id, p.handle, p.display_name, p.avatar_path, r.guests, v_before + k.position::integer,
           r.created_at, v_next
    from unnest(coalesce(v_ids[1:v_limit], '{}')) with ordinality as k(uid, position)
    join social.event_rsvps r on r.event_id = p_event_id and r.user_id = k.uid
    join social.profiles p on p.id = r.user_id
    order by k.position;
end;
$$;
comment on function social.list_event_waitlist(uuid, text, integer) is
  'An event''s waitlist in order of arrival with each party''s position and guests (organizers '
  'only; an empty page for anyone else). p_cursor: the previous page''s next_cursor; p_limit 1-50.';
grant execute on function social.list_event_waitlist(uuid, text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
