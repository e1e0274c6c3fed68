-- Event calendars: a private, revocable ICS feed per user that Google Calendar and Apple Calendar
-- subscribe to, listing the events the user is going to (and those cancelled while they were).
-- The feed itself is the `calendar` edge function (functions/calendar/): it reads
-- social.calendar_feed(token) with the service key and writes ICS with ical-generator (stable
-- UID <event id>@supasocial, SEQUENCE from events.sequence, STATUS:CANCELLED, the event's time
-- zone with its VTIMEZONE). The same function serves a one-off .ics of one event to whoever may
-- see it (social.get_event with the caller's own key).
--
-- The token is shown once (create_calendar_feed returns it) and stored only as its SHA-256, so a
-- database read never yields a working feed URL. Creating a feed again replaces the token (the old
-- URL stops working); revoke_calendar_feed removes it. Rate limited: `calendar_feed`, 10 a minute.
-- SDK: events.calendarFeed(), events.revokeCalendarFeed(), events.ics(); tests:
-- tests/db/event-calendars.test.ts, tests/functions/calendar.test.ts, functions/calendar/*.test.ts.

insert into social_private.rate_limit_rules (action, per_minute) values ('calendar_feed', 10);

create table social.calendar_feeds (
  user_id uuid primary key references social.profiles (id) on delete cascade,
  token_hash bytea not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
comment on table social.calendar_feeds is
  'Each user''s private calendar feed (at most one): the SHA-256 of its secret token. Made and '
  'revoked by the user through create_calendar_feed and revoke_calendar_feed.';
comment on column social.calendar_feeds.user_id is 'Whose feed it is: it lists the events they are going to.';
comment on column social.calendar_feeds.token_hash is
  'SHA-256 of the feed''s token (the token itself is shown once and never stored). No client reads it.';
comment on column social.calendar_feeds.created_at is 'When the current token was made (a new one replaces the old).';
comment on column social.calendar_feeds.last_used_at is 'When a calendar last fetched the feed (to the hour).';
alter table social.calendar_feeds enable row level security;
grant select (user_id, created_at, last_used_at) on social.calendar_feeds to authenticated;
grant all on social.calendar_feeds to service_role;

-- each user sees whether they have a feed (not its token)
create policy calendar_feeds_select_self on social.calendar_feeds
  for select to authenticated
  using (user_id = (select auth.uid()));

-- Security definer: the token hash is not client-writable. A new random token for the caller,
-- replacing any earlier one. Rate limited (calendar_feed).
create function social_private.create_calendar_feed()
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
  v_token text := translate(encode(extensions.gen_random_bytes(24), 'base64'), '+/=', '-_');
begin
  perform social_private.check_rate_limit('calendar_feed');
  insert into social.calendar_feeds as f (user_id, token_hash)
  values (v_uid, extensions.digest(v_token, 'sha256'))
  on conflict (user_id) do update set token_hash = excluded.token_hash, created_at = now(), last_used_at = null;
  return v_token;
end;
$$;
comment on function social_private.create_calendar_feed() is
  'Body of social.create_calendar_feed (security definer): a new 32-character token for the caller''s '
  'feed, replacing the old one; only its SHA-256 is stored.';
grant execute on function social_private.create_calendar_feed() to authenticated, service_role;

-- Make (or replace) my calendar feed; returns its secret token, shown this once. The feed URL is
-- <functions URL>/calendar/feed/<token>.ics.
create function social.create_calendar_feed()
returns text
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.create_calendar_feed();
$$;
comment on function social.create_calendar_feed() is
  'Make or replace my private calendar feed and return its token (shown once; the old URL stops '
  'working). Feed URL: <functions URL>/calendar/feed/<token>.ics.';
grant execute on function social.create_calendar_feed() to authenticated, service_role;

-- Security definer: remove the caller's feed.
create function social_private.revoke_calendar_feed()
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
begin
  delete from social.calendar_feeds f where f.user_id = v_uid;
  return found;
end;
$$;
comment on function social_private.revoke_calendar_feed() is
  'Body of social.revoke_calendar_feed (security definer): deletes the caller''s feed; true when there was one.';
grant execute on function social_private.revoke_calendar_feed() to authenticated, service_role;

-- Revoke my calendar feed: its URL stops working at once. False when I had none.
create function social.revoke_calendar_feed()
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.revoke_calendar_feed();
$$;
comment on function social.revoke_calendar_feed() is 'Revoke my calendar feed (its URL stops working); false when I had none.';
grant execute on function social.revoke_calendar_feed() to authenticated, service_role;

-- The events of the feed with token p_token: those its user is going to (confirmed) or was going
-- to when they were cancelled, that they may still see, ending at most 90 days ago, soonest
-- first, at most 500. calendar_feed_not_found for an unknown or revoked token. For the calendar
-- edge function (service_role). Security definer: it reads across users by the token.
create function social_private.calendar_feed(p_token text)
returns table (
  user_id uuid,
  event_id uuid,
  title text,
  description text,
  starts_at timestamptz,
  ends_at timestamptz,
  timezone text,
  location_name text,
  address text,
  latitude double precision,
  longitude double precision,
  status social.event_status,
  sequence integer,
  organizer_name text,
  created_at timestamptz,
  updated_at timestamptz
)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_feed social.calendar_feeds;
begin
  if p_token is null or p_token !~ '^[A-Za-z0-9_-]{16,64}$' then
    perform social_private.raise_error('not_found', 'calendar_feed_not_found', 'no such calendar feed');
  end if;
  select * into v_feed from social.calendar_feeds f where f.token_hash = extensions.digest(p_token, 'sha256');
  if v_feed.user_id is null then
    perform social_private.raise_error('not_found', 'calendar_feed_not_found', 'no such calendar feed');
  end if;
  if v_feed.last_used_at is null or v_feed.last_used_at < date_trunc('hour', now()) then
    update social.calendar_feeds f set last_used_at = date_trunc('hour', now()) where f.user_id = v_feed.user_id;
  end if;
  return query
    select v_feed.user_id, e.id, e.title, e.description, e.starts_at, e.ends_at, e.timezone, e.location_name,
           e.address, e.latitude, e.longitude, e.status, e.sequence, o.display_name, e.created_at, e.updated_at
    from social.event_rsvps r
    join social.events e on e.id = r.event_id
    join social.profiles o on o.id = e.organizer_id
    where r.user_id = v_feed.user_id
      and ((r.status = 'going' and r.waitlist_seq is null) or r.event_cancelled_at is not null)
      and e.status <> 'draft'
      and e.ends_at > now() - interval '90 days'
      and social_private.user_can_view_event(v_feed.user_id, e.id, e.organizer_id, e.group_id, e.visibility, e.status)
    order by e.starts_at, e.id
    limit 500;
end;
$$;
comment on function social_private.calendar_feed(text) is
  'The events of the calendar feed with token p_token (going, or cancelled while going; visible; '
  'ended at most 90 days ago; at most 500), stamping last_used_at to the hour; '
  'calendar_feed_not_found for an unknown token.';
grant execute on function social_private.calendar_feed(text) to service_role;

-- The calendar feed of token p_token (service_role: the calendar edge function).
create function social.calendar_feed(p_token text)
returns table (
  user_id uuid,
  event_id uuid,
  title text,
  description text,
  starts_at timestamptz,
  ends_at timestamptz,
  timezone text,
  location_name text,
  address text,
  latitude double precision,
  longitude double precision,
  status social.event_status,
  sequence integer,
  organizer_name text,
  created_at timestamptz,
  updated_at timestamptz
)
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.calendar_feed(p_token);
$$;
comment on function social.calendar_feed(text) is
  'The events of a calendar feed by its token, for the calendar edge function (service_role only).';
grant execute on function social.calendar_feed(text) to service_role;

revoke execute on all functions in schema social, social_private from public;
