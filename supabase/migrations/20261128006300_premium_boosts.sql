-- Premium boosts: a paid, time-boxed prominence for an event or a profile.
--
-- Rules (README, "Premium", boosts):
--   * A user boosts their own profile, or an event they organize (published, not over), for 24, 72
--     or 168 hours, at premium_config.boost_cents_per_day. Buying goes through the premium edge
--     function like a ticket (social.start_boost_purchase, then Stripe); the boost starts when its
--     payment succeeds and ends by itself when its window closes (read at query time, no job). A
--     refund ends it at once. Replays of the payment's events start it once.
--   * Boosted items are listed by social.boosted_events and social.boosted_profiles, each with
--     boosted_until, for the app to show first and mark as promoted. A boost never shows anything to
--     anyone who may not see it: boosted events are filtered by the events' own rule
--     (social_private.can_view_event), boosted profiles by the profiles' RLS and blocks both ways.
-- Rate limited: `boost`, 10 a minute.

insert into social_private.rate_limit_rules (action, per_minute) values ('boost', 10);

alter table social_private.premium_config
  add column boost_cents_per_day integer not null default 500,
  add column boost_currency text not null default 'EUR',
  add constraint premium_config_boost_price check (boost_cents_per_day between 50 and 1000000),
  add constraint premium_config_boost_currency check (boost_currency ~ '^[A-Z]{3}$');
comment on column social_private.premium_config.boost_cents_per_day is 'Price of a boost per 24 hours, in boost_currency''s minor unit (500).';
comment on column social_private.premium_config.boost_currency is 'ISO 4217 currency of boosts (EUR).';

create table social.boosts (
  id uuid primary key default gen_random_uuid(),
  payment_id uuid not null unique references social.payments (id) on delete cascade,
  user_id uuid not null references social.profiles (id) on delete cascade,
  target_type text not null,
  event_id uuid references social.events (id) on delete cascade,
  profile_id uuid references social.profiles (id) on delete cascade,
  hours integer not null,
  starts_at timestamptz,
  ends_at timestamptz,
  created_at timestamptz not null default now(),
  constraint boosts_target check (
    (target_type = 'event' and event_id is not null and profile_id is null)
    or (target_type = 'profile' and profile_id is not null and event_id is null)),
  constraint boosts_hours check (hours in (24, 72, 168)),
  constraint boosts_window check ((starts_at is null) = (ends_at is null) and (ends_at is null or ends_at >= starts_at))
);
comment on table social.boosts is
  'Paid boosts of an event or a profile: active while starts_at <= now() < ends_at (set when the '
  'payment succeeds). The buyer reads their own; only service_role and the purchase function write.';
comment on column social.boosts.id is 'The boost.';
comment on column social.boosts.payment_id is 'Its payment (kind boost).';
comment on column social.boosts.user_id is 'Who bought it.';
comment on column social.boosts.target_type is 'event or profile.';
comment on column social.boosts.event_id is 'The boosted event (target_type event).';
comment on column social.boosts.profile_id is 'The boosted profile (target_type profile): the buyer''s own.';
comment on column social.boosts.hours is 'Length of the window: 24, 72 or 168 hours.';
comment on column social.boosts.starts_at is 'When the payment succeeded; null until then.';
comment on column social.boosts.ends_at is 'When it stops by itself (starts_at + hours), or when a refund ended it.';
comment on column social.boosts.created_at is 'When the purchase started.';
create index boosts_user_idx on social.boosts (user_id, created_at desc);
create index boosts_event_active_idx on social.boosts (ends_at desc, event_id) where event_id is not null;
create index boosts_profile_active_idx on social.boosts (ends_at desc, profile_id) where profile_id is not null;
create index boosts_event_idx on social.boosts (event_id);
create index boosts_profile_idx on social.boosts (profile_id);
alter table social.boosts enable row level security;
grant select on social.boosts to authenticated;
grant all on social.boosts to service_role;
-- each user reads their own boosts
create policy boosts_select_own on social.boosts
  for select to authenticated
  using (user_id = (select auth.uid()));

-- =====================================================================================
-- buying
-- =====================================================================================

create function social_private.start_boost_purchase(
  p_target_type text, p_target_id uuid, p_hours integer, p_idempotency_key text, p_channel text
)
returns social.payments
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
  v_config social_private.premium_config;
  v_event social.events;
  v_payment social.payments;
begin
  if p_target_type is null or p_target_type not in ('event', 'profile') or p_target_id is null then
    perform social_private.raise_error('invalid_input', 'invalid_target', 'boost an event or a profile');
  end if;
  if p_hours is null or p_hours not in (24, 72, 168) then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'a boost lasts 24, 72 or 168 hours');
  end if;
  perform social_private.check_payment_request(p_idempotency_key, p_channel);
  select * into v_payment from social.payments p where p.user_id = v_uid and p.idempotency_key = p_idempotency_key;
  if v_payment.id is not null then
    if v_payment.kind <> 'boost' or not exists (
      select 1 from social.boosts b where b.payment_id = v_payment.id and b.hours = p_hours
        and coalesce(b.event_id, b.profile_id) = p_target_id) then
      perform social_private.raise_error('conflict', 'idempotency_conflict', 'this idempotency key was used for another purchase');
    end if;
    return v_payment;
  end if;
  if p_target_type = 'profile' and p_target_id <> v_uid then
    perform social_private.raise_error('permission_denied', 'not_allowed', 'you boost only your own profile');
  end if;
  if p_target_type = 'event' then
    v_event := social_private.require_event(p_target_id);
    if not social_private.is_event_organizer(p_target_id) then
      perform social_private.raise_error('permission_denied', 'not_event_organizer', 'only its organizers boost an event');
    end if;
    if v_event.status <> 'published' or v_event.ends_at <= now() then
      perform social_private.raise_error('conflict', 'rsvp_closed', 'only a published event that is not over is boosted');
    end if;
  end if;
  perform social_private.check_rate_limit('boost');
  select * into v_config from social_private.premium_config;
  insert into social.payments (user_id, kind, status, amount_cents, currency, channel, idempotency_key, event_id)
  values (v_uid, 'boost', 'open', v_config.boost_cents_per_day * p_hours / 24, v_config.boost_currency,
          coalesce(p_channel, 'mobile'), p_idempotency_key, case when p_target_type = 'event' then p_target_id end)
  returning * into v_payment;
  insert into social.boosts (payment_id, user_id, target_type, event_id, profile_id, hours)
  values (v_payment.id, v_uid, p_target_type,
          case when p_target_type = 'event' then p_target_id end,
          case when p_target_type = 'profile' then p_target_id end, p_hours);
  return v_payment;
end;
$$;
comment on function social_private.start_boost_purchase(text, uuid, integer, text, text) is
  'Body of social.start_boost_purchase (security definer: payments and boosts are not client-writable).';
revoke execute on function social_private.start_boost_purchase(text, uuid, integer, text, text) from public;
grant execute on function social_private.start_boost_purchase(text, uuid, integer, text, text) to authenticated, service_role;

-- Start buying a boost of my profile or of an event I organize (the premium function calls it as
-- the buyer, then asks Stripe for the payment). A retry with the same key returns the same payment.
create function social.start_boost_purchase(
  p_target_type text,
  p_target_id uuid,
  p_hours integer default 24,
  p_idempotency_key text default null,
  p_channel text default 'mobile'
)
returns table (payment_id uuid, status text, amount_cents integer, currency text, hours integer, target_title text,
               stripe_payment_intent_id text, stripe_checkout_session_id text)
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_payment social.payments := social_private.start_boost_purchase(
    p_target_type, p_target_id, p_hours, p_idempotency_key, p_channel);
begin
  return query
    select v_payment.id, v_payment.status, v_payment.amount_cents, v_payment.currency, p_hours,
           case when p_target_type = 'event'
                then (select 'Boost: ' || e.title from social.events e where e.id = p_target_id)
                else 'Boost: your profile' end,
           v_payment.stripe_payment_intent_id, v_payment.stripe_checkout_session_id;
end;
$$;
comment on function social.start_boost_purchase(text, uuid, integer, text, text) is
  'Start buying a boost of my profile or of an event I organize, for 24, 72 or 168 hours; it starts '
  'when the payment succeeds. A retry with the same idempotency key returns the same payment.';
revoke execute on function social.start_boost_purchase(text, uuid, integer, text, text) from public;
grant execute on function social.start_boost_purchase(text, uuid, integer, text, text) to authenticated, service_role;

-- The webhook's write for a boost payment (from social.apply_stripe_payment): succeeded starts
-- the window once; refunded ends it now; canceled closes the payment.
create function social_private.apply_boost_payment(
  p_payment_id uuid, p_state text, p_payment_intent_id text, p_checkout_session_id text
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_payment social.payments;
begin
  select * into v_payment from social.payments p where p.id = p_payment_id for update;
  update social.payments p set
    stripe_payment_intent_id = coalesce(p.stripe_payment_intent_id, p_payment_intent_id),
    stripe_checkout_session_id = coalesce(p.stripe_checkout_session_id, p_checkout_session_id)
  where p.id = p_payment_id
  returning * into v_payment;
  if p_state = 'succeeded' and v_payment.status in ('open', 'canceled', 'expired') then
    update social.payments p set status = 'succeeded', paid_at = coalesce(p.paid_at, now()) where p.id = p_payment_id;
    update social.boosts b set starts_at = now(), ends_at = now() + make_interval(hours => b.hours)
    where b.payment_id = p_payment_id and b.starts_at is null;
    v_payment.status := 'succeeded';
  elsif p_state = 'refunded' and v_payment.status <> 'refunded' then
    update social.payments p set status = 'refunded', refunded_at = coalesce(p.refunded_at, now()) where p.id = p_payment_id;
    update social.boosts b set ends_at = least(b.ends_at, now())
    where b.payment_id = p_payment_id and b.starts_at is not null;
    v_payment.status := 'refunded';
  elsif p_state = 'canceled' and v_payment.status = 'open' then
    update social.payments p set status = 'canceled' where p.id = p_payment_id;
    v_payment.status := 'canceled';
  end if;
  return jsonb_build_object('outcome', v_payment.status, 'payment_id', v_payment.id,
                            'payment_intent_id', v_payment.stripe_payment_intent_id);
end;
$$;
comment on function social_private.apply_boost_payment(uuid, text, text, text) is
  'A boost payment moved to the state Stripe holds: succeeded starts its window once, refunded ends '
  'it now, canceled closes it. Called by social.apply_stripe_payment.';
revoke execute on function social_private.apply_boost_payment(uuid, text, text, text) from public;
grant execute on function social_private.apply_boost_payment(uuid, text, text, text) to service_role;

-- =====================================================================================
-- reading boosted items
-- =====================================================================================

-- Events boosted now that the caller may see (the events' own rule), the latest boost first.
create function social_private.boosted_event_ids(p_limit integer)
returns table (event_id uuid, boosted_until timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select b.event_id, max(b.ends_at)
  from social.boosts b
  join social.events e on e.id = b.event_id
  where b.event_id is not null and b.ends_at > now() and b.starts_at <= now()
    and e.status = 'published' and e.ends_at > now()
    and social_private.can_view_event(b.event_id)
  group by b.event_id
  order by max(b.starts_at) desc
  limit least(greatest(coalesce(p_limit, 10), 1), 50);
$$;
comment on function social_private.boosted_event_ids(integer) is
  'Events boosted now (published, not over) that the caller may see, latest boost first.';
revoke execute on function social_private.boosted_event_ids(integer) from public;
grant execute on function social_private.boosted_event_ids(integer) to anon, authenticated, service_role;

-- Boosted events to show first (marked promoted): what the caller may see, with boosted_until.
create function social.boosted_events(p_limit integer default 10)
returns table (id uuid, title text, starts_at timestamptz, ends_at timestamptz, timezone text, location_name text,
               cover_path text, group_id uuid, organizer_id uuid, boosted_until timestamptz)
language sql
stable
security invoker
set search_path = ''
as $$
  select e.id, e.title, e.starts_at, e.ends_at, e.timezone, e.location_name, e.cover_path, e.group_id,
         e.organizer_id, b.boosted_until
  from social_private.boosted_event_ids(p_limit) b
  join social.events e on e.id = b.event_id;
$$;
comment on function social.boosted_events(integer) is
  'Events boosted now that I may see (up to 50), for the app to show first and mark as promoted '
  '(boosted_until: when the boost stops).';
revoke execute on function social.boosted_events(integer) from public;
grant execute on function social.boosted_events(integer) to anon, authenticated, service_role;

-- Profiles boosted now, with boosted_until (a private definer read of the boosts).
create function social_private.boosted_profile_ids(p_limit integer)
returns table (profile_id uuid, boosted_until timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select b.profile_id, max(b.ends_at)
  from social.boosts b
  where b.profile_id is not null and b.ends_at > now() and b.starts_at <= now()
    and b.profile_id <> all (social_private.user_blocked_ids((select auth.uid())))
  group by b.profile_id
  order by max(b.starts_at) desc
  limit least(greatest(coalesce(p_limit, 10), 1), 50);
$$;
comment on function social_private.boosted_profile_ids(integer) is
  'Profiles boosted now, not across a block with the caller, latest boost first.';
revoke execute on function social_private.boosted_profile_ids(integer) from public;
grant execute on function social_private.boosted_profile_ids(integer) to anon, authenticated, service_role;

-- Boosted profiles to show first (marked promoted): the profiles' RLS decides who sees which.
create function social.boosted_profiles(p_limit integer default 10)
returns table (id uuid, handle text, display_name text, avatar_path text, boosted_until timestamptz)
language sql
stable
security invoker
set search_path = ''
as $$
  select p.id, p.handle::text, p.display_name, p.avatar_path, b.boosted_until
  from social_private.boosted_profile_ids(p_limit) b
  join social.profiles p on p.id = b.profile_id;
$$;
comment on function social.boosted_profiles(integer) is
  'Profiles boosted now that I may see (never across a block), for the app to show first and mark '
  'as promoted (boosted_until: when the boost stops).';
revoke execute on function social.boosted_profiles(integer) from public;
grant execute on function social.boosted_profiles(integer) to anon, authenticated, service_role;
