-- Premium payments: paid event tickets with seat holds, and the webhook's one entry point.
--
-- Ticket rules (README, "Premium"):
--   * An event with a price is bought, never RSVPed (`going` stays ticket_required). A purchase
--     (social.start_ticket_purchase, as the buyer, through the premium edge function) takes the
--     event's row lock, frees the event's expired holds, then either holds the party's seats for
--     premium_config.ticket_hold_minutes (at least 31 minutes for a web Checkout, which Stripe keeps
--     open 30 minutes at least) or, when they are not free, puts the party on the event's waitlist.
--   * A held seat counts in events.seats_taken (nobody else can take it) but the buyer is not going
--     until the payment succeeds: then, under the same lock, the hold becomes a confirmed `going`
--     RSVP. A hold that expires (social.expire_ticket_holds, a job; and every purchase of the event)
--     frees its seats and promotes the waitlist.
--   * Promotion in a paid event (promote_event_waitlist calls promote_paid_party, replaced here) gives the
--     next party that fits a hold and tells them (event_promoted): they pay to take the seat.
--   * A payment that succeeds after its hold expired takes a seat if one is free; otherwise it is
--     `refund_due` and the webhook refunds it through Stripe.
--   * A refund (or a cancelled payment) frees the seat and promotes the waitlist.
--   * The webhook applies a payment's state as Stripe holds it (fetched), so events in any order,
--     any number of times, end in the same rows.
-- Rate limited: `ticket`, 10 a minute.

insert into social_private.rate_limit_rules (action, per_minute) values ('ticket', 10);

create table social.payments (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references social.profiles (id) on delete cascade,
  kind text not null,
  status text not null default 'open',
  amount_cents integer not null,
  currency text not null,
  event_id uuid references social.events (id) on delete set null,
  guests integer not null default 0,
  seats integer not null default 1,
  seats_held boolean not null default false,
  hold_expires_at timestamptz,
  channel text not null default 'mobile',
  idempotency_key text,
  promo_code text,
  stripe_payment_intent_id text unique,
  stripe_checkout_session_id text unique,
  paid_at timestamptz,
  refunded_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint payments_kind check (kind in ('ticket', 'boost')),
  constraint payments_status check (status in ('open', 'succeeded', 'expired', 'canceled', 'refund_due', 'refunded')),
  constraint payments_amount check (amount_cents >= 0),
  constraint payments_currency check (currency ~ '^[A-Z]{3}$'),
  constraint payments_guests check (guests between 0 and 10 and seats = guests + 1),
  constraint payments_ticket_event check (kind <> 'ticket' or event_id is not null or status <> 'open'),
  constraint payments_held_open check (not seats_held or status = 'open'),
  constraint payments_channel check (channel in ('mobile', 'web')),
  constraint payments_idempotency_key check (idempotency_key ~ '^[A-Za-z0-9_:-]{8,100}$'),
  constraint payments_promo_code check (char_length(promo_code) between 1 and 64)
);
comment on table social.payments is
  'One-off payments through Stripe (event tickets): state mirrored from Stripe by the webhook. The '
  'buyer reads their own; only service_role (and the purchase function under the event lock) writes.';
comment on column social.payments.status is
  'open (waiting for payment; seats held while seats_held), succeeded, expired (the hold ran out '
  'unpaid), canceled, refund_due (paid after the seat was gone; being refunded), refunded.';
comment on column social.payments.seats_held is 'The party''s seats count in events.seats_taken as a hold.';
comment on column social.payments.hold_expires_at is 'When an open hold frees its seats.';
comment on column social.payments.idempotency_key is 'The client''s key: a retried purchase returns the same payment.';
comment on column social.payments.id is 'The payment (metadata.supasocial_payment_id at Stripe).';
comment on column social.payments.user_id is 'The buyer.';
comment on column social.payments.kind is 'What it pays for: ticket, or boost (its social.boosts row, premium_boosts migration).';
comment on column social.payments.amount_cents is 'Amount in the currency''s minor unit (price x seats).';
comment on column social.payments.currency is 'ISO 4217 code (EUR).';
comment on column social.payments.event_id is 'The event of a ticket.';
comment on column social.payments.guests is 'Guests of a ticket (0-10).';
comment on column social.payments.seats is 'Seats of a ticket: 1 + guests.';
comment on column social.payments.channel is 'mobile (PaymentSheet, a PaymentIntent) or web (a Checkout Session).';
comment on column social.payments.promo_code is 'The promo code the buyer gave (web checkouts).';
comment on column social.payments.stripe_payment_intent_id is 'The PaymentIntent (pi_...).';
comment on column social.payments.stripe_checkout_session_id is 'The Checkout Session of a web purchase (cs_...).';
comment on column social.payments.paid_at is 'When the payment succeeded.';
comment on column social.payments.refunded_at is 'When it was refunded.';
comment on column social.payments.created_at is 'When the purchase started.';
comment on column social.payments.updated_at is 'Last change.';
create unique index payments_idempotency_idx on social.payments (user_id, idempotency_key) where idempotency_key is not null;
create index payments_user_idx on social.payments (user_id, created_at desc);
create index payments_event_idx on social.payments (event_id, user_id);
create index payments_holds_idx on social.payments (hold_expires_at) where seats_held;
alter table social.payments enable row level security;
grant select on social.payments to authenticated;
grant all on social.payments to service_role;
create trigger on_payments_updated before update on social.payments
  for each row execute function social_private.handle_updated_at();
-- each user reads their own payments
create policy payments_select_own on social.payments
  for select to authenticated
  using (user_id = (select auth.uid()));

-- =====================================================================================
-- holds (every function here expects the event's row to be locked by its caller)
-- =====================================================================================

-- Give up a payment's hold: its seats leave events.seats_taken.
create function social_private.drop_payment_hold(p_payment social.payments, p_status text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if p_payment.seats_held then
    update social.events e set seats_taken = greatest(e.seats_taken - p_payment.seats, 0) where e.id = p_payment.event_id;
  end if;
  update social.payments p set seats_held = false, status = p_status where p.id = p_payment.id;
end;
$$;
comment on function social_private.drop_payment_hold(social.payments, text) is
  'Frees the seats an open payment holds and gives it status p_status. Caller holds the event lock.';
revoke execute on function social_private.drop_payment_hold(social.payments, text) from public;
grant execute on function social_private.drop_payment_hold(social.payments, text) to service_role;

-- Free the expired holds of p_event_id, then promote. Returns how many expired.
create function social_private.release_expired_holds(p_event_id uuid)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_payment social.payments;
  v_count integer := 0;
begin
  for v_payment in
    select * from social.payments p
    where p.event_id = p_event_id and p.seats_held
      and (p.hold_expires_at <= now()
           or exists (select 1 from social.events e where e.id = p_event_id and e.status <> 'published'))
  loop
    perform social_private.drop_payment_hold(v_payment, 'expired');
    v_count := v_count + 1;
  end loop;
  if v_count > 0 then
    perform social_private.promote_event_waitlist(p_event_id);
  end if;
  return v_count;
end;
$$;
comment on function social_private.release_expired_holds(uuid) is
  'Expires the held payments of p_event_id past hold_expires_at (or of an event no longer '
  'published), freeing their seats, then promotes the waitlist. Caller holds the event lock.';
revoke execute on function social_private.release_expired_holds(uuid) from public;
grant execute on function social_private.release_expired_holds(uuid) to service_role;

-- A hold for p_user_id at p_event_id (the caller checked the seats are free).
create function social_private.hold_ticket(
  p_event social.events, p_user_id uuid, p_guests integer, p_channel text, p_key text, p_promo text
)
returns social.payments
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_minutes integer := (select c.ticket_hold_minutes from social_private.premium_config c);
  v_payment social.payments;
begin
  if p_channel = 'web' then
    v_minutes := greatest(v_minutes, 31);
  end if;
  insert into social.payments (user_id, kind, status, amount_cents, currency, event_id, guests, seats, seats_held,
                               hold_expires_at, channel, idempotency_key, promo_code)
  values (p_user_id, 'ticket', 'open', p_event.price_cents * (1 + p_guests), p_event.currency, p_event.id, p_guests,
          1 + p_guests, true, now() + make_interval(mins => v_minutes), coalesce(p_channel, 'mobile'), p_key, p_promo)
  returning * into v_payment;
  update social.events e set seats_taken = e.seats_taken + 1 + p_guests where e.id = p_event.id;
  return v_payment;
end;
$$;
comment on function social_private.hold_ticket(social.events, uuid, integer, text, text, text) is
  'Inserts an open ticket payment holding 1 + p_guests seats of p_event. Caller holds the event lock.';
revoke execute on function social_private.hold_ticket(social.events, uuid, integer, text, text, text) from public;
grant execute on function social_private.hold_ticket(social.events, uuid, integer, text, text, text) to service_role;

-- A promoted party in a paid event (the event_rsvps migration's promote_event_waitlist calls
-- this): it leaves the waitlist with a seat hold to pay for, instead of a seat.
create or replace function social_private.promote_paid_party(p_event social.events, p_user_id uuid, p_guests integer)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  delete from social.event_rsvps r where r.event_id = p_event.id and r.user_id = p_user_id;
  perform social_private.hold_ticket(p_event, p_user_id, p_guests, 'mobile', null, null);
end;
$$;
comment on function social_private.promote_paid_party(social.events, uuid, integer) is
  'Promotes p_user_id''s waiting party in paid event p_event: the RSVP leaves the waitlist and an '
  'open ticket payment holds 1 + p_guests seats to pay for. The caller holds the event''s row lock.';
-- the webhook's apply functions (service_role, under the event lock) promote after freeing seats
grant execute on function social_private.promote_event_waitlist(uuid) to service_role;

-- =====================================================================================
-- buying a ticket
-- =====================================================================================

-- The request checks every one-off purchase shares (tickets, boosts): its idempotency key (the
-- format payments_idempotency_key holds) and its channel; raises invalid_idempotency_key or
-- invalid_input before anything is read or written.
create function social_private.check_payment_request(p_idempotency_key text, p_channel text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_idempotency_key is null or p_idempotency_key !~ '^[A-Za-z0-9_:-]{8,100}$' then
    perform social_private.raise_error('invalid_input', 'invalid_idempotency_key',
      'an idempotency key of 8-100 letters, digits, _, : or -');
  end if;
  if coalesce(p_channel, 'mobile') not in ('mobile', 'web') then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'channel is mobile or web');
  end if;
end;
$$;
comment on function social_private.check_payment_request(text, text) is
  'Raises invalid_idempotency_key (8-100 letters, digits, _, : or -) or invalid_input (channel '
  'mobile or web) for a one-off purchase''s request.';
revoke execute on function social_private.check_payment_request(text, text) from public;

create function social_private.start_ticket_purchase(
  p_event_id uuid, p_guests integer, p_idempotency_key text, p_channel text, p_promo_code text
)
returns social.payments
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
  v_guests integer := coalesce(p_guests, 0);
  v_event social.events;
  v_payment social.payments;
  v_rsvp social.event_rsvps;
begin
  if v_guests not between 0 and 10 then
    perform social_private.raise_error('invalid_input', 'invalid_guests', 'guests are 0-10');
  end if;
  perform social_private.check_payment_request(p_idempotency_key, p_channel);
  if p_promo_code is not null and p_promo_code !~ '^[A-Za-z0-9_-]{1,64}$' then
    perform social_private.raise_error('invalid_input', 'invalid_promo_code', 'a promo code has 1-64 letters, digits, _ or -');
  end if;
  -- a retry with the same key returns the same payment, whatever happened since
  select * into v_payment from social.payments p where p.user_id = v_uid and p.idempotency_key = p_idempotency_key;
  if v_payment.id is not null then
    if v_payment.event_id is distinct from p_event_id or v_payment.guests <> v_guests then
      perform social_private.raise_error('conflict', 'idempotency_conflict',
        'this idempotency key was used for another purchase');
    end if;
    return v_payment;
  end if;
  v_event := social_private.require_event(p_event_id);
  if coalesce(v_event.price_cents, 0) = 0 then
    perform social_private.raise_error('conflict', 'ticket_not_needed', 'the event is free: RSVP instead');
  end if;
  if v_event.status <> 'published' or v_event.ends_at <= now()
     or (v_event.rsvp_deadline is not null and v_event.rsvp_deadline < now()) then
    perform social_private.raise_error('conflict', 'rsvp_closed',
      'tickets are closed: the event is not published, is cancelled, is over or is past its deadline');
  end if;
  if v_event.required_tier is not null and not social_private.user_has_tier(v_uid, v_event.required_tier) then
    perform social_private.raise_error('permission_denied', 'tier_required', 'the event is for members of a premium tier');
  end if;
  perform social_private.check_rate_limit('ticket');

  select * into v_event from social.events e where e.id = p_event_id for update;
  perform social_private.release_expired_holds(p_event_id);
  select * into v_event from social.events e where e.id = p_event_id;
  select * into v_rsvp from social.event_rsvps r where r.event_id = p_event_id and r.user_id = v_uid;
  if v_rsvp.status = 'going' and v_rsvp.waitlist_seq is null then
    perform social_private.raise_error('conflict', 'already_attending', 'you have a seat at this event already');
  end if;
  -- an open hold (an earlier attempt, or a promotion from the waitlist) is what this purchase pays
  select * into v_payment from social.payments p
  where p.event_id = p_event_id and p.user_id = v_uid and p.seats_held
  order by p.created_at desc limit 1;
  if v_payment.id is not null then
    if v_payment.idempotency_key is null then
      update social.payments p set idempotency_key = p_idempotency_key, channel = coalesce(p_channel, 'mobile'),
        promo_code = p_promo_code,
        hold_expires_at = case when p_channel = 'web' then greatest(p.hold_expires_at, now() + interval '31 minutes')
                               else p.hold_expires_at end
      where p.id = v_payment.id returning * into v_payment;
    end if;
    return v_payment;
  end if;
  if v_rsvp.status = 'going' then
    return null; -- already waiting: the caller reports the position
  end if;
  if v_event.capacity is null or v_event.capacity - v_event.seats_taken >= 1 + v_guests then
    return social_private.hold_ticket(v_event, v_uid, v_guests, coalesce(p_channel, 'mobile'), p_idempotency_key, p_promo_code);
  end if;
  -- sold out: wait in line; a freed seat becomes a hold for the first party that fits
  update social.events e set next_arrival = e.next_arrival + 1 where e.id = p_event_id
  returning e.next_arrival into v_event.next_arrival;
  insert into social.event_rsvps as r (event_id, user_id, status, guests, waitlist_seq)
  values (p_event_id, v_uid, 'going', v_guests, v_event.next_arrival)
  on conflict (event_id, user_id) do update set
    status = 'going', guests = excluded.guests, waitlist_seq = excluded.waitlist_seq,
    confirmed_at = null, event_cancelled_at = null, updated_at = now();
  return null;
end;
$$;
comment on function social_private.start_ticket_purchase(uuid, integer, text, text, text) is
  'Body of social.start_ticket_purchase (security definer): the ticket rules of the header, under '
  'the event''s row lock. Null when the caller waits on the waitlist.';
revoke execute on function social_private.start_ticket_purchase(uuid, integer, text, text, text) from public;
grant execute on function social_private.start_ticket_purchase(uuid, integer, text, text, text) to authenticated, service_role;

-- Start buying a ticket (the premium edge function calls it as the buyer, then asks Stripe for
-- the payment): holds the party's seats, or puts it on the waitlist when sold out.
create function social.start_ticket_purchase(
  p_event_id uuid,
  p_guests integer default 0,
  p_idempotency_key text default null,
  p_channel text default 'mobile',
  p_promo_code text default null
)
returns table (
  payment_id uuid,
  event_id uuid,
  status text,
  amount_cents integer,
  currency text,
  seats integer,
  hold_expires_at timestamptz,
  waitlisted boolean,
  waitlist_position integer,
  stripe_payment_intent_id text,
  stripe_checkout_session_id text,
  event_title text
)
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_payment social.payments := social_private.start_ticket_purchase(
    p_event_id, p_guests, p_idempotency_key, p_channel, p_promo_code);
  v_position integer;
begin
  if v_payment.id is null then
    v_position := social_private.my_event_waitlist_position(p_event_id);
  end if;
  return query
    select v_payment.id, p_event_id, coalesce(v_payment.status, 'waitlisted'), v_payment.amount_cents,
           v_payment.currency, coalesce(v_payment.seats, 1 + coalesce(p_guests, 0)), v_payment.hold_expires_at,
           v_payment.id is null, v_position, v_payment.stripe_payment_intent_id,
           v_payment.stripe_checkout_session_id,
           (select e.title from social.events e where e.id = p_event_id);
end;
$$;
comment on function social.start_ticket_purchase(uuid, integer, text, text, text) is
  'Start buying a ticket for me and 0-10 guests: holds the seats while the payment is open (status '
  'open, hold_expires_at), or puts me on the waitlist when sold out (waitlisted). A retry with the '
  'same idempotency key returns the same payment.';
revoke execute on function social.start_ticket_purchase(uuid, integer, text, text, text) from public;
grant execute on function social.start_ticket_purchase(uuid, integer, text, text, text) to authenticated, service_role;

-- Record the Stripe objects made for payment p_payment_id (service role: the premium function).
create function social.attach_stripe_payment(p_payment_id uuid, p_payment_intent_id text, p_checkout_session_id text)
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  update social.payments p set
    stripe_payment_intent_id = coalesce(p.stripe_payment_intent_id, p_payment_intent_id),
    stripe_checkout_session_id = coalesce(p.stripe_checkout_session_id, p_checkout_session_id)
  where p.id = p_payment_id;
  if not found then
    perform social_private.raise_error('not_found', 'payment_not_found', 'no such payment');
  end if;
end;
$$;
comment on function social.attach_stripe_payment(uuid, text, text) is
  'Service role only (premium function): the PaymentIntent or Checkout Session made for a payment.';
revoke execute on function social.attach_stripe_payment(uuid, text, text) from public, anon, authenticated;
grant execute on function social.attach_stripe_payment(uuid, text, text) to service_role;

-- Give up an open payment at once (service role: Stripe refused to start it): frees its seats.
create function social.release_payment(p_payment_id uuid)
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_payment social.payments;
begin
  select * into v_payment from social.payments p where p.id = p_payment_id;
  if v_payment.id is null then
    perform social_private.raise_error('not_found', 'payment_not_found', 'no such payment');
  end if;
  if v_payment.status <> 'open' then
    return;
  end if;
  perform 1 from social.events e where e.id = v_payment.event_id for update;
  select * into v_payment from social.payments p where p.id = p_payment_id;
  if v_payment.status = 'open' then
    perform social_private.drop_payment_hold(v_payment, 'canceled');
    perform social_private.promote_event_waitlist(v_payment.event_id);
  end if;
end;
$$;
comment on function social.release_payment(uuid) is
  'Service role only (premium function): cancels an open payment Stripe did not start, freeing its seats.';
revoke execute on function social.release_payment(uuid) from public, anon, authenticated;
grant execute on function social.release_payment(uuid) to service_role;

-- The job: expire every hold past its time, freeing seats and promoting waitlists. Returns how
-- many holds expired. Scheduled with pg_cron where it is installed; callable by service_role.
create function social.expire_ticket_holds()
returns integer
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_event_id uuid;
  v_count integer := 0;
begin
  for v_event_id in
    select distinct p.event_id from social.payments p
    where p.seats_held and p.hold_expires_at <= now()
  loop
    perform 1 from social.events e where e.id = v_event_id for update;
    v_count := v_count + social_private.release_expired_holds(v_event_id);
  end loop;
  return v_count;
end;
$$;
comment on function social.expire_ticket_holds() is
  'Job (every minute; service role): expires ticket holds past hold_expires_at, frees their seats '
  'and promotes the waitlists. Purchases of an event also expire its holds first.';
revoke execute on function social.expire_ticket_holds() from public, anon, authenticated;
grant execute on function social.expire_ticket_holds() to service_role;

-- Scheduled every minute where pg_cron is installed (social_private.schedule_job).
select social_private.schedule_job('supasocial-expire-ticket-holds', '* * * * *', 'select social.expire_ticket_holds()');

-- =====================================================================================
-- the webhook's writes (service role only)
-- =====================================================================================

-- Apply a payment as Stripe holds it now. p_payment: { payment_id (metadata), payment_intent_id,
-- checkout_session_id, state: open | succeeded | canceled | refunded }. Returns { outcome,
-- payment_id, payment_intent_id }; outcome refund_due asks the caller to refund through Stripe.
create function social.apply_stripe_payment(p_payment jsonb)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_in jsonb := social_private.jsonb_arg(p_payment);
  v_state text := v_in ->> 'state';
  v_payment social.payments;
  v_event social.events;
  v_rsvp social.event_rsvps;
  v_outcome text;
begin
  if jsonb_typeof(v_in) <> 'object' or v_state is null or v_state not in ('open', 'succeeded', 'canceled', 'refunded') then
    perform social_private.raise_error('invalid_input', 'invalid_payload', 'not a payment state');
  end if;
  select * into v_payment from social.payments p
  where ((v_in ->> 'payment_id') ~ '^[0-9a-f-]{36}$' and p.id = (v_in ->> 'payment_id')::uuid)
     or p.stripe_payment_intent_id = v_in ->> 'payment_intent_id'
     or p.stripe_checkout_session_id = v_in ->> 'checkout_session_id'
  limit 1;
  if v_payment.id is null then
    return jsonb_build_object('outcome', 'ignored');
  end if;
  if v_payment.kind = 'boost' then
    -- a boost's window (social_private.apply_boost_payment, premium_boosts migration)
    return social_private.apply_boost_payment(v_payment.id, v_state, v_in ->> 'payment_intent_id',
                                              v_in ->> 'checkout_session_id');
  end if;
  if v_payment.event_id is not null then
    select * into v_event from social.events e where e.id = v_payment.event_id for update;
  end if;
  select * into v_payment from social.payments p where p.id = v_payment.id for update;
  update social.payments p set
    stripe_payment_intent_id = coalesce(p.stripe_payment_intent_id, v_in ->> 'payment_intent_id'),
    stripe_checkout_session_id = coalesce(p.stripe_checkout_session_id, v_in ->> 'checkout_session_id')
  where p.id = v_payment.id
  returning * into v_payment;
  v_outcome := v_payment.status;

  if v_state = 'succeeded' and v_payment.status in ('open', 'expired', 'canceled') then
    if v_payment.seats_held then
      update social.events e set seats_taken = greatest(e.seats_taken - v_payment.seats, 0) where e.id = v_event.id
      returning * into v_event;
    end if;
    if v_event.id is not null and v_event.status = 'published'
       and (v_event.capacity is null or v_event.capacity - v_event.seats_taken >= v_payment.seats) then
      insert into social.event_rsvps as r (event_id, user_id, status, guests, confirmed_at)
      values (v_event.id, v_payment.user_id, 'going', v_payment.guests, now())
      on conflict (event_id, user_id) do update set
        status = 'going', guests = excluded.guests, waitlist_seq = null, confirmed_at = now(),
        event_cancelled_at = null, updated_at = now();
      v_outcome := 'succeeded';
    else
      v_outcome := 'refund_due';
    end if;
    update social.payments p set status = v_outcome, seats_held = false, paid_at = coalesce(p.paid_at, now())
    where p.id = v_payment.id;
  elsif v_state = 'refunded' and v_payment.status <> 'refunded' then
    if v_payment.status = 'succeeded' and v_event.id is not null then
      update social.event_rsvps r set status = 'not_going', guests = 0, waitlist_seq = null, confirmed_at = null,
        updated_at = now()
      where r.event_id = v_event.id and r.user_id = v_payment.user_id and r.status = 'going' and r.waitlist_seq is null
      returning * into v_rsvp;
    end if;
    perform social_private.drop_payment_hold(v_payment, 'refunded');
    update social.payments p set refunded_at = coalesce(p.refunded_at, now()) where p.id = v_payment.id;
    if v_event.id is not null then
      perform social_private.promote_event_waitlist(v_event.id);
    end if;
    v_outcome := 'refunded';
  elsif v_state = 'canceled' and v_payment.status = 'open' then
    perform social_private.drop_payment_hold(v_payment, 'canceled');
    if v_event.id is not null then
      perform social_private.promote_event_waitlist(v_event.id);
    end if;
    v_outcome := 'canceled';
  end if;
  return jsonb_build_object('outcome', v_outcome, 'payment_id', v_payment.id,
                            'payment_intent_id', v_payment.stripe_payment_intent_id);
end;
$$;
comment on function social.apply_stripe_payment(jsonb) is
  'Service role only (webhook, reconciliation): moves a payment to the state Stripe holds (open, '
  'succeeded, canceled, refunded), seating or freeing seats under the event lock. Idempotent.';
revoke execute on function social.apply_stripe_payment(jsonb) from public, anon, authenticated;
grant execute on function social.apply_stripe_payment(jsonb) to service_role;

-- The webhook's one write: records Stripe event p_event_id once and applies the object it fetched
-- (p_kind subscription or payment; other kinds are recorded as ignored). A repeated id changes
-- nothing and answers 'duplicate'. Returns { outcome, ... }.
create function social.apply_stripe_event(p_event_id text, p_type text, p_kind text, p_object jsonb)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_object jsonb := social_private.jsonb_arg(p_object);
  v_result jsonb;
begin
  if p_event_id is null or p_event_id !~ '^evt_[A-Za-z0-9_]{1,200}$' or coalesce(p_type, '') = '' then
    perform social_private.raise_error('invalid_input', 'invalid_payload', 'not a Stripe event');
  end if;
  insert into social_private.stripe_events (id, type, object_id, outcome)
  values (p_event_id, p_type, v_object ->> 'id', 'pending')
  on conflict (id) do nothing;
  if not found then
    return jsonb_build_object('outcome', 'duplicate');
  end if;
  if p_kind = 'subscription' then
    v_result := jsonb_build_object('outcome', social.apply_stripe_subscription(v_object));
  elsif p_kind = 'payment' then
    v_result := social.apply_stripe_payment(v_object);
  else
    v_result := jsonb_build_object('outcome', 'ignored');
  end if;
  update social_private.stripe_events e set outcome = v_result ->> 'outcome' where e.id = p_event_id;
  return v_result;
end;
$$;
comment on function social.apply_stripe_event(text, text, text, jsonb) is
  'Service role only (stripe-webhook): records a Stripe event id once and applies the object''s '
  'current state in the same transaction; a repeated id answers duplicate and changes nothing.';
revoke execute on function social.apply_stripe_event(text, text, text, jsonb) from public, anon, authenticated;
grant execute on function social.apply_stripe_event(text, text, text, jsonb) to service_role;

-- For the reconciliation job: open or refund_due payments, oldest first.
create function social.payments_to_reconcile(p_limit integer default 100)
returns table (payment_id uuid, status text, stripe_payment_intent_id text, stripe_checkout_session_id text)
language sql
stable
security invoker
set search_path = ''
as $$
  select p.id, p.status, p.stripe_payment_intent_id, p.stripe_checkout_session_id
  from social.payments p
  where p.status in ('open', 'refund_due', 'expired')
    and (p.stripe_payment_intent_id is not null or p.stripe_checkout_session_id is not null)
    and p.created_at > now() - interval '30 days'
  order by p.created_at
  limit least(greatest(coalesce(p_limit, 100), 1), 1000);
$$;
comment on function social.payments_to_reconcile(integer) is
  'Service role only (reconciliation): payments whose Stripe state may have moved without a webhook.';
revoke execute on function social.payments_to_reconcile(integer) from public, anon, authenticated;
grant execute on function social.payments_to_reconcile(integer) to service_role;
