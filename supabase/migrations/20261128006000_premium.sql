-- Premium: tiers, plans, Stripe customers and subscriptions mirrored from Stripe, the entitlements
-- the app and RLS read, and the webhook's event log.
--
-- Rules (README, "Premium"):
--   * Clients never write billing state. Every table here is read-only for `authenticated` (each
--     user reads their own rows; plans and tiers are a public catalog) and has no insert, update or
--     delete grant or policy for anon or authenticated. Only service_role writes, through the
--     apply functions the `stripe-webhook` and `premium` edge functions call.
--   * A subscription row mirrors Stripe's subscription object as last fetched from Stripe (the
--     webhook reads the object's own state, never the order of events), so replaying events in any
--     order and any number of times gives the same rows.
--   * Entitlement is computed at read time from the mirrored state (no job flips it): a
--     subscription entitles to its plan's tier while it is `trialing` or `active` (and its period
--     has not ended more than the grace ago), and while `past_due` for the grace period after the
--     unpaid period began (premium_config.past_due_grace_hours, 72 by default). Tiers are ranked:
--     a higher tier includes the lower ones.
--   * The tier is shown on a profile only when its owner allows it (premium_preferences).
--   * Gating, "listed but closed": a group with a required_tier stays listed and findable exactly
--     as its visibility says (its row, name, member count), but its content (posts, comments,
--     reactions, media, the member list, announcements, the group feed and its posts in the home
--     feed) is readable only by those who hold the tier now, plus its staff (owner, admins,
--     moderators), who run it. The rules that say so live where they always were (groups'
--     user_can_read_group, posts' user_can_view_post and my_group_ids, the group and home feeds,
--     the announcements policy), each asking social_private.user_has_tier, which the groups
--     migration defines as "nobody" and this migration replaces with the subscriptions' state:
--     a cancelled subscription, or one past due beyond the grace, closes the content at once;
--     renewing opens it again, with the membership kept. Joining needs the tier already.
--     The club's chat closes the same way (social_private.user_holds_group_tier in the chat's
--     read rules, its send path, its list, unread counts and announcements; the lapsed member
--     stays a member and reads it again on renewing). Tiered events are listed as their
--     visibility says; `going` and buying a ticket need the tier (tier_required); a seat already
--     taken is kept.
-- SDK: @supasocial/client/premium; tests: tests/db/premium.test.ts, tests/functions/premium.test.ts.

-- =====================================================================================
-- configuration
-- =====================================================================================

create table social_private.premium_config (
  id boolean primary key default true,
  past_due_grace_hours integer not null default 72,
  ticket_hold_minutes integer not null default 15,
  constraint premium_config_one_row check (id),
  constraint premium_config_grace check (past_due_grace_hours between 0 and 2160),
  constraint premium_config_hold check (ticket_hold_minutes between 1 and 1440)
);
comment on table social_private.premium_config is
  'One row of premium settings, changed by the project''s admins (Studio or service_role): the '
  'grace a past_due subscription keeps its tier for, and how long a ticket''s seat is held while '
  'its payment is open.';
comment on column social_private.premium_config.past_due_grace_hours is
  'Hours after the unpaid period began that a past_due subscription keeps its tier (72).';
comment on column social_private.premium_config.ticket_hold_minutes is
  'Minutes a ticket purchase holds its seats while the payment is open (15).';
comment on column social_private.premium_config.id is 'Always true: the table has one row.';
insert into social_private.premium_config default values;
revoke all on social_private.premium_config from public, anon, authenticated;
grant select, update on social_private.premium_config to service_role;

-- =====================================================================================
-- catalog: tiers and plans
-- =====================================================================================

create table social.premium_tiers (
  tier text primary key,
  rank integer not null unique,
  name text not null,
  created_at timestamptz not null default now(),
  constraint premium_tiers_tier_format check (tier ~ '^[a-z][a-z0-9_]{0,63}$'),
  constraint premium_tiers_rank_positive check (rank > 0),
  constraint premium_tiers_name_length check (char_length(btrim(name)) between 1 and 80)
);
comment on table social.premium_tiers is
  'Premium tiers, ranked: a member of a higher rank has every lower tier too (groups.required_tier '
  'and events.required_tier name a tier). Written by service_role (Studio).';
comment on column social.premium_tiers.tier is 'Stable key (lower-case), what required_tier columns hold.';
comment on column social.premium_tiers.rank is 'Order of tiers: higher includes lower.';
comment on column social.premium_tiers.name is 'Display name.';
comment on column social.premium_tiers.created_at is 'When the tier was added.';
alter table social.premium_tiers enable row level security;
grant select on social.premium_tiers to anon, authenticated;
grant all on social.premium_tiers to service_role;
-- the catalog is public
create policy premium_tiers_select_all on social.premium_tiers
  for select to anon, authenticated
  using (true);

create table social.plans (
  id text primary key,
  tier text not null references social.premium_tiers (tier) on update cascade,
  name text not null,
  interval text not null,
  stripe_price_id text not null unique,
  amount_cents integer not null,
  currency text not null,
  trial_days integer not null default 0,
  benefits text[] not null default '{}',
  active boolean not null default true,
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  constraint plans_id_format check (id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  constraint plans_name_length check (char_length(btrim(name)) between 1 and 80),
  constraint plans_interval check (interval in ('month', 'year')),
  constraint plans_price_format check (stripe_price_id ~ '^price_[A-Za-z0-9_]{1,200}$'),
  constraint plans_amount check (amount_cents >= 0),
  constraint plans_currency check (currency ~ '^[A-Z]{3}$'),
  constraint plans_trial_days check (trial_days between 0 and 730),
  constraint plans_benefits check (cardinality(benefits) <= 32 and array_to_string(benefits, ',') ~ '^([a-z_]{1,40}(,[a-z_]{1,40})*)?$')
);
comment on table social.plans is
  'What a subscription buys: a tier for a Stripe price, billed monthly or yearly, with a free trial '
  'and a list of benefits (visibility_boost, exclusive_events, ...). Written by service_role.';
comment on column social.plans.id is 'Stable key the SDK passes to start a subscription (gold-monthly).';
comment on column social.plans.stripe_price_id is 'The recurring Stripe price (price_...).';
comment on column social.plans.amount_cents is 'Price per interval in the currency''s minor unit (for display; Stripe charges the price).';
comment on column social.plans.trial_days is 'Free trial days a new subscription starts with (0: none).';
comment on column social.plans.benefits is 'Benefit keys the app reads from my_entitlements (visibility_boost, exclusive_events, ...).';
comment on column social.plans.active is 'Inactive plans are not listed and cannot be started; subscriptions to them keep their tier.';
comment on column social.plans.tier is 'The tier a subscription to this plan grants (premium_tiers.tier).';
comment on column social.plans.name is 'Display name.';
comment on column social.plans."interval" is 'Billing interval of the Stripe price: month or year.';
comment on column social.plans.currency is 'ISO 4217 code of amount_cents (EUR).';
comment on column social.plans.sort_order is 'Order of the catalog (lower first; then by amount).';
comment on column social.plans.created_at is 'When the plan was added.';
create index plans_tier_idx on social.plans (tier);
alter table social.plans enable row level security;
grant select on social.plans to anon, authenticated;
grant all on social.plans to service_role;
-- active plans are a public catalog
create policy plans_select_active on social.plans
  for select to anon, authenticated
  using (active);

-- =====================================================================================
-- billing state mirrored from Stripe
-- =====================================================================================

create table social.billing_customers (
  user_id uuid primary key references social.profiles (id) on delete cascade,
  stripe_customer_id text not null unique,
  created_at timestamptz not null default now(),
  constraint billing_customers_id_format check (stripe_customer_id ~ '^cus_[A-Za-z0-9_]{1,200}$')
);
comment on table social.billing_customers is
  'The Stripe customer of each user who started a purchase (created by the premium function). '
  'The user reads their own row; only service_role writes.';
comment on column social.billing_customers.user_id is 'The user (profiles.id).';
comment on column social.billing_customers.stripe_customer_id is 'Their Stripe customer (cus_...), made with metadata.supasocial_user_id.';
comment on column social.billing_customers.created_at is 'When it was linked.';
alter table social.billing_customers enable row level security;
grant select on social.billing_customers to authenticated;
grant all on social.billing_customers to service_role;
-- each user reads their own customer row
create policy billing_customers_select_own on social.billing_customers
  for select to authenticated
  using (user_id = (select auth.uid()));

create table social.subscriptions (
  stripe_subscription_id text primary key,
  user_id uuid not null references social.profiles (id) on delete cascade,
  stripe_customer_id text not null,
  stripe_price_id text,
  plan_id text references social.plans (id) on update cascade,
  tier text references social.premium_tiers (tier) on update cascade,
  status text not null,
  current_period_start timestamptz,
  current_period_end timestamptz,
  cancel_at_period_end boolean not null default false,
  cancel_at timestamptz,
  canceled_at timestamptz,
  ended_at timestamptz,
  trial_start timestamptz,
  trial_end timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint subscriptions_id_format check (stripe_subscription_id ~ '^sub_[A-Za-z0-9_]{1,200}$'),
  constraint subscriptions_status check (status in (
    'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused'))
);
comment on table social.subscriptions is
  'Stripe subscriptions mirrored by the webhook (and the reconciliation job) from the object''s own '
  'state as fetched from Stripe. The user reads their own; only service_role writes.';
comment on column social.subscriptions.status is 'Stripe''s status: trialing, active, past_due, canceled, unpaid, paused, incomplete, incomplete_expired.';
comment on column social.subscriptions.tier is 'The plan''s tier (null when the price is not a plan of the catalog: no entitlement).';
comment on column social.subscriptions.current_period_start is 'Start of the current billing period; a past_due subscription''s grace counts from it.';
comment on column social.subscriptions.current_period_end is 'When the current period ends: the renewal date, or the end of access when cancel_at_period_end.';
comment on column social.subscriptions.cancel_at_period_end is 'Cancelled by the user, still entitled until current_period_end.';
comment on column social.subscriptions.stripe_subscription_id is 'Stripe''s id (sub_...).';
comment on column social.subscriptions.user_id is 'Whose subscription (the customer''s user, or the subscription''s metadata.supasocial_user_id).';
comment on column social.subscriptions.stripe_customer_id is 'The Stripe customer it bills.';
comment on column social.subscriptions.stripe_price_id is 'The price of its (first) item.';
comment on column social.subscriptions.plan_id is 'The catalog plan of that price (null: not a plan of the catalog).';
comment on column social.subscriptions.cancel_at is 'When Stripe will cancel it, if scheduled.';
comment on column social.subscriptions.canceled_at is 'When it was cancelled (or the cancellation requested).';
comment on column social.subscriptions.ended_at is 'When it ended.';
comment on column social.subscriptions.trial_start is 'Start of the free trial, if any.';
comment on column social.subscriptions.trial_end is 'End of the free trial, if any.';
comment on column social.subscriptions.created_at is 'When the webhook first mirrored it.';
comment on column social.subscriptions.updated_at is 'When the mirrored state last changed.';
create index subscriptions_user_idx on social.subscriptions (user_id, status);
create index subscriptions_customer_idx on social.subscriptions (stripe_customer_id);
create index subscriptions_plan_idx on social.subscriptions (plan_id);
create index subscriptions_tier_idx on social.subscriptions (tier);
alter table social.subscriptions enable row level security;
grant select on social.subscriptions to authenticated;
grant all on social.subscriptions to service_role;
create trigger on_subscriptions_updated before update on social.subscriptions
  for each row execute function social_private.handle_updated_at();
-- each user reads their own subscriptions
create policy subscriptions_select_own on social.subscriptions
  for select to authenticated
  using (user_id = (select auth.uid()));

create table social.premium_preferences (
  user_id uuid primary key references social.profiles (id) on delete cascade,
  show_tier boolean not null default false,
  updated_at timestamptz not null default now()
);
comment on table social.premium_preferences is
  'Whether a user''s premium tier shows on their profile (off unless they switch it on). Written '
  'through social.set_premium_preferences.';
comment on column social.premium_preferences.user_id is 'The user.';
comment on column social.premium_preferences.show_tier is 'Show my current tier on my profile (premium_badges).';
comment on column social.premium_preferences.updated_at is 'Last change.';
alter table social.premium_preferences enable row level security;
grant select on social.premium_preferences to authenticated;
grant all on social.premium_preferences to service_role;
-- each user reads their own preference
create policy premium_preferences_select_own on social.premium_preferences
  for select to authenticated
  using (user_id = (select auth.uid()));

-- Stripe events the webhook has applied, by id: each is applied once.
create table social_private.stripe_events (
  id text primary key,
  type text not null,
  object_id text,
  outcome text not null,
  received_at timestamptz not null default now()
);
comment on table social_private.stripe_events is
  'Each Stripe event id the webhook applied, with what it did; a repeated delivery finds its id '
  'here and changes nothing. Not exposed.';
comment on column social_private.stripe_events.id is 'Stripe''s event id (evt_...).';
comment on column social_private.stripe_events.type is 'The event type (customer.subscription.updated, ...).';
comment on column social_private.stripe_events.object_id is 'The id of the object applied (subscription, payment intent...).';
comment on column social_private.stripe_events.outcome is 'What applying it did: applied, ignored, succeeded, refund_due, refunded, canceled ...';
comment on column social_private.stripe_events.received_at is 'When it was applied.';
revoke all on social_private.stripe_events from public, anon, authenticated;
grant select, insert, update on social_private.stripe_events to service_role;

-- =====================================================================================
-- entitlements
-- =====================================================================================

-- Does subscription row p_sub entitle its user now? (the rule of the header)
create function social_private.subscription_entitles(p_status text, p_period_start timestamptz, p_period_end timestamptz)
returns boolean
language sql
stable
set search_path = ''
as $$
  select case
    when p_status in ('active', 'trialing') then
      p_period_end is null
      or p_period_end + make_interval(hours => (select c.past_due_grace_hours from social_private.premium_config c)) > now()
    when p_status = 'past_due' then
      coalesce(p_period_start, '-infinity'::timestamptz)
        + make_interval(hours => (select c.past_due_grace_hours from social_private.premium_config c)) > now()
    else false
  end;
$$;
comment on function social_private.subscription_entitles(text, timestamptz, timestamptz) is
  'Whether a subscription in p_status entitles now: trialing or active (until its period ended more '
  'than the grace ago), past_due for the grace after its period began.';
revoke execute on function social_private.subscription_entitles(text, timestamptz, timestamptz) from public;
grant execute on function social_private.subscription_entitles(text, timestamptz, timestamptz) to service_role;

-- The highest tier rank p_user_id holds now (0: none).
create function social_private.user_tier_rank(p_user_id uuid)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(max(t.rank), 0)
  from social.subscriptions s
  join social.premium_tiers t on t.tier = s.tier
  where s.user_id = p_user_id
    and s.status in ('active', 'trialing', 'past_due')
    and social_private.subscription_entitles(s.status, s.current_period_start, s.current_period_end);
$$;
comment on function social_private.user_tier_rank(uuid) is
  'Rank of the highest tier p_user_id holds now (0 when none), from their subscriptions'' state.';
revoke execute on function social_private.user_tier_rank(uuid) from public;
grant execute on function social_private.user_tier_rank(uuid) to service_role;

-- Replaces the groups migration's placeholder with the real rule: p_user_id holds p_tier or a
-- higher one now. Unknown tiers are held by nobody.
create or replace function social_private.user_has_tier(p_user_id uuid, p_tier text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_tier is null then
    return true;
  end if;
  if p_user_id is null then
    return false;
  end if;
  -- one statement (its plan cached for the session): RLS calls this for every row of a tiered group
  return exists (
    select 1
    from social.premium_tiers need
    cross join social_private.premium_config c
    join social.subscriptions s on s.user_id = p_user_id and s.status in ('active', 'trialing', 'past_due')
    join social.premium_tiers t on t.tier = s.tier
    where need.tier = p_tier
      and t.rank >= need.rank
      and case
            when s.status = 'past_due' then
              coalesce(s.current_period_start, '-infinity'::timestamptz) + make_interval(hours => c.past_due_grace_hours) > now()
            else s.current_period_end is null or s.current_period_end + make_interval(hours => c.past_due_grace_hours) > now()
          end
  );
end;
$$;
comment on function social_private.user_has_tier(uuid, text) is
  'Does p_user_id hold premium tier p_tier (or a higher one) now? Read from the mirrored '
  'subscriptions at call time: a cancelled or long past_due subscription stops at once. The rule '
  'of subscription_entitles, written out in one statement.';
revoke execute on function social_private.user_has_tier(uuid, text) from public;
grant execute on function social_private.user_has_tier(uuid, text) to service_role;

-- Does the caller hold p_tier (or a higher one)?
create function social_private.has_tier(p_tier text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select social_private.user_has_tier((select auth.uid()), p_tier);
$$;
comment on function social_private.has_tier(text) is 'user_has_tier for the caller.';
revoke execute on function social_private.has_tier(text) from public;
grant execute on function social_private.has_tier(text) to anon, authenticated, service_role;

-- Does the caller hold p_tier (or a higher one) now? False for anon and unknown tiers.
create function social.has_tier(p_tier text)
returns boolean
language sql
stable
security invoker
set search_path = ''
as $$
  select social_private.has_tier(p_tier);
$$;
comment on function social.has_tier(text) is
  'Whether I hold premium tier p_tier (or a higher one) now; false when signed out.';
revoke execute on function social.has_tier(text) from public;
grant execute on function social.has_tier(text) to anon, authenticated, service_role;

-- The caller's entitlement: their best entitling subscription (highest tier, latest renewal).
create function social_private.my_entitlement()
returns table (
  tier text,
  tier_rank integer,
  tier_name text,
  plan_id text,
  status text,
  benefits text[],
  renews_at timestamptz,
  cancel_at_period_end boolean,
  trial_ends_at timestamptz,
  in_grace boolean
)
language sql
stable
security definer
set search_path = ''
as $$
  select s.tier, t.rank, t.name, s.plan_id, s.status, coalesce(p.benefits, '{}'),
         case when s.cancel_at_period_end or s.status = 'past_due' then null else s.current_period_end end,
         s.cancel_at_period_end,
         case when s.status = 'trialing' then s.trial_end end,
         s.status = 'past_due'
  from social.subscriptions s
  join social.premium_tiers t on t.tier = s.tier
  left join social.plans p on p.id = s.plan_id
  where s.user_id = (select auth.uid())
    and s.status in ('active', 'trialing', 'past_due')
    and social_private.subscription_entitles(s.status, s.current_period_start, s.current_period_end)
  order by t.rank desc, s.current_period_end desc nulls last
  limit 1;
$$;
comment on function social_private.my_entitlement() is
  'The caller''s best entitling subscription with its plan''s benefits (none: no row).';
revoke execute on function social_private.my_entitlement() from public;
grant execute on function social_private.my_entitlement() to authenticated, service_role;

-- My entitlements: tier, benefits, renewal date (null when it will not renew), trial end, whether
-- a failed payment's grace is running. No row: no premium.
create function social.my_entitlements()
returns table (
  tier text,
  tier_rank integer,
  tier_name text,
  plan_id text,
  status text,
  benefits text[],
  renews_at timestamptz,
  cancel_at_period_end boolean,
  trial_ends_at timestamptz,
  in_grace boolean
)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.my_entitlement();
$$;
comment on function social.my_entitlements() is
  'My premium entitlement now: tier, benefits, renewal date (null when cancelled at period end or '
  'past due), trial end, in_grace (a failed payment''s grace is running). No row: none.';
revoke execute on function social.my_entitlements() from public;
grant execute on function social.my_entitlements() to authenticated, service_role;

-- The tier p_user_id shows on their profile: their current tier when they allow it, else null.
create function social_private.user_shown_tier(p_user_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select t.tier
  from social.premium_preferences pp
  join social.subscriptions s on s.user_id = pp.user_id
  join social.premium_tiers t on t.tier = s.tier
  where pp.user_id = p_user_id and pp.show_tier
    and s.status in ('active', 'trialing', 'past_due')
    and social_private.subscription_entitles(s.status, s.current_period_start, s.current_period_end)
  order by t.rank desc
  limit 1;
$$;
comment on function social_private.user_shown_tier(uuid) is
  'The premium tier p_user_id shows on their profile (null unless they hold one and allow it).';
revoke execute on function social_private.user_shown_tier(uuid) from public;
grant execute on function social_private.user_shown_tier(uuid) to anon, authenticated, service_role;

-- Premium tiers shown on the given profiles: one row per profile the caller may see (profiles'
-- RLS) whose owner holds a tier and shows it.
create function social.premium_badges(p_user_ids uuid[])
returns table (user_id uuid, tier text, tier_name text)
language sql
stable
security invoker
set search_path = ''
as $$
  select p.id, b.tier, t.name
  from social.profiles p
  cross join lateral (select social_private.user_shown_tier(p.id) as tier) b
  join social.premium_tiers t on t.tier = b.tier
  where p.id = any (p_user_ids[1:100]);
$$;
comment on function social.premium_badges(uuid[]) is
  'The premium tier shown on each of up to 100 profiles I may see, where its owner allows it.';
revoke execute on function social.premium_badges(uuid[]) from public;
grant execute on function social.premium_badges(uuid[]) to anon, authenticated, service_role;

create function social_private.set_premium_preferences(p_show_tier boolean)
returns social.premium_preferences
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
  v_row social.premium_preferences;
begin
  if p_show_tier is null then
    perform social_private.raise_error('invalid_input', 'invalid_preference', 'show_tier is true or false');
  end if;
  insert into social.premium_preferences as pp (user_id, show_tier)
  values (v_uid, p_show_tier)
  on conflict (user_id) do update set show_tier = excluded.show_tier, updated_at = now()
  returning * into v_row;
  return v_row;
end;
$$;
comment on function social_private.set_premium_preferences(boolean) is
  'Body of social.set_premium_preferences (security definer: the row is not client-writable).';
revoke execute on function social_private.set_premium_preferences(boolean) from public;
grant execute on function social_private.set_premium_preferences(boolean) to authenticated, service_role;

-- Show or hide my premium tier on my profile.
create function social.set_premium_preferences(p_show_tier boolean)
returns social.premium_preferences
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from social_private.set_premium_preferences(p_show_tier);
$$;
comment on function social.set_premium_preferences(boolean) is
  'Show (true) or hide (false) my premium tier on my profile.';
revoke execute on function social.set_premium_preferences(boolean) from public;
grant execute on function social.set_premium_preferences(boolean) to authenticated, service_role;

-- =====================================================================================
-- writes by the edge functions (service_role only)
-- =====================================================================================

-- Link p_user_id to Stripe customer p_customer_id (the premium function made it); returns the
-- customer id now linked (an earlier link wins: two racing requests end with one customer).
create function social.link_billing_customer(p_user_id uuid, p_customer_id text)
returns text
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_id text;
begin
  if p_user_id is null or p_customer_id is null or p_customer_id !~ '^cus_[A-Za-z0-9_]{1,200}$' then
    perform social_private.raise_error('invalid_input', 'invalid_input', 'a user id and a Stripe customer id (cus_...)');
  end if;
  insert into social.billing_customers (user_id, stripe_customer_id) values (p_user_id, p_customer_id)
  on conflict (user_id) do nothing;
  select c.stripe_customer_id into v_id from social.billing_customers c where c.user_id = p_user_id;
  return v_id;
end;
$$;
comment on function social.link_billing_customer(uuid, text) is
  'Service role only (the premium function): records the Stripe customer of a user; the first link wins.';
revoke execute on function social.link_billing_customer(uuid, text) from public, anon, authenticated;
grant execute on function social.link_billing_customer(uuid, text) to service_role;

create function social_private.epoch(p_value jsonb)
returns timestamptz
language sql
immutable
set search_path = ''
as $$
  select case when jsonb_typeof(p_value) = 'number' then to_timestamp((p_value #>> '{}')::double precision) end;
$$;
comment on function social_private.epoch(jsonb) is 'A Stripe timestamp (seconds since 1970, JSON number) as timestamptz; null otherwise.';
revoke execute on function social_private.epoch(jsonb) from public;
grant execute on function social_private.epoch(jsonb) to service_role;

-- Mirror one subscription as Stripe holds it now. p_sub: { id, customer, status, price_id,
-- user_id (metadata, when the customer is not linked), current_period_start/_end, cancel_at_period_end,
-- cancel_at, canceled_at, ended_at, trial_start, trial_end } (Stripe timestamps in seconds).
-- Returns 'applied', or 'ignored' when the customer belongs to no user.
create function social.apply_stripe_subscription(p_sub jsonb)
returns text
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_sub jsonb := social_private.jsonb_arg(p_sub);
  v_user uuid;
  v_plan social.plans;
begin
  if jsonb_typeof(v_sub) <> 'object' or coalesce(v_sub ->> 'id', '') !~ '^sub_[A-Za-z0-9_]{1,200}$'
     or coalesce(v_sub ->> 'customer', '') = ''
     or coalesce(v_sub ->> 'status', '') not in ('incomplete', 'incomplete_expired', 'trialing', 'active',
                                                  'past_due', 'canceled', 'unpaid', 'paused') then
    perform social_private.raise_error('invalid_input', 'invalid_payload', 'not a Stripe subscription');
  end if;
  select c.user_id into v_user from social.billing_customers c where c.stripe_customer_id = v_sub ->> 'customer';
  if v_user is null and (v_sub ->> 'user_id') ~ '^[0-9a-f-]{36}$' then
    select p.id into v_user from social.profiles p where p.id = (v_sub ->> 'user_id')::uuid;
  end if;
  if v_user is null then
    return 'ignored';
  end if;
  select * into v_plan from social.plans p where p.stripe_price_id = v_sub ->> 'price_id';
  insert into social.subscriptions as s (
    stripe_subscription_id, user_id, stripe_customer_id, stripe_price_id, plan_id, tier, status,
    current_period_start, current_period_end, cancel_at_period_end, cancel_at, canceled_at, ended_at,
    trial_start, trial_end
  ) values (
    v_sub ->> 'id', v_user, v_sub ->> 'customer', v_sub ->> 'price_id', v_plan.id, v_plan.tier, v_sub ->> 'status',
    social_private.epoch(v_sub -> 'current_period_start'), social_private.epoch(v_sub -> 'current_period_end'),
    coalesce((v_sub ->> 'cancel_at_period_end')::boolean, false),
    social_private.epoch(v_sub -> 'cancel_at'), social_private.epoch(v_sub -> 'canceled_at'),
    social_private.epoch(v_sub -> 'ended_at'),
    social_private.epoch(v_sub -> 'trial_start'), social_private.epoch(v_sub -> 'trial_end')
  )
  on conflict (stripe_subscription_id) do update set
    stripe_price_id = excluded.stripe_price_id, plan_id = excluded.plan_id, tier = excluded.tier,
    status = excluded.status, current_period_start = excluded.current_period_start,
    current_period_end = excluded.current_period_end, cancel_at_period_end = excluded.cancel_at_period_end,
    cancel_at = excluded.cancel_at, canceled_at = excluded.canceled_at, ended_at = excluded.ended_at,
    trial_start = excluded.trial_start, trial_end = excluded.trial_end
  where (s.stripe_price_id, s.plan_id, s.tier, s.status, s.current_period_start, s.current_period_end,
         s.cancel_at_period_end, s.cancel_at, s.canceled_at, s.ended_at, s.trial_start, s.trial_end)
        is distinct from
        (excluded.stripe_price_id, excluded.plan_id, excluded.tier, excluded.status, excluded.current_period_start,
         excluded.current_period_end, excluded.cancel_at_period_end, excluded.cancel_at, excluded.canceled_at,
         excluded.ended_at, excluded.trial_start, excluded.trial_end);
  return 'applied';
end;
$$;
comment on function social.apply_stripe_subscription(jsonb) is
  'Service role only (webhook, reconciliation): mirrors a subscription as Stripe holds it now. '
  'Applying the same state again changes nothing.';
revoke execute on function social.apply_stripe_subscription(jsonb) from public, anon, authenticated;
grant execute on function social.apply_stripe_subscription(jsonb) to service_role;

-- Has the webhook applied Stripe event p_event_id already?
create function social.stripe_event_seen(p_event_id text)
returns boolean
language sql
stable
security invoker
set search_path = ''
as $$
  select exists (select 1 from social_private.stripe_events e where e.id = p_event_id);
$$;
comment on function social.stripe_event_seen(text) is
  'Service role only (webhook): whether Stripe event p_event_id was applied already.';
revoke execute on function social.stripe_event_seen(text) from public, anon, authenticated;
grant execute on function social.stripe_event_seen(text) to service_role;

-- What starting a subscription to p_plan_id needs (the premium function calls it as the buyer):
-- the plan's Stripe price and trial. plan_not_found for an unknown or inactive plan;
-- already_subscribed while the caller has a subscription that is not over (they change it in the
-- customer portal); invalid_promo_code for a malformed code.
create function social_private.subscription_checkout(p_plan_id text, p_promo_code text)
returns table (plan_id text, tier text, stripe_price_id text, trial_days integer)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := social_private.require_user();
  v_plan social.plans;
begin
  select * into v_plan from social.plans p where p.id = p_plan_id and p.active;
  if v_plan.id is null then
    perform social_private.raise_error('not_found', 'plan_not_found', 'no such plan');
  end if;
  if p_promo_code is not null and p_promo_code !~ '^[A-Za-z0-9_-]{1,64}$' then
    perform social_private.raise_error('invalid_input', 'invalid_promo_code', 'a promo code has 1-64 letters, digits, _ or -');
  end if;
  if exists (select 1 from social.subscriptions s
             where s.user_id = v_uid and s.status in ('trialing', 'active', 'past_due', 'unpaid', 'paused')) then
    perform social_private.raise_error('conflict', 'already_subscribed',
      'you have a subscription already: change it in the customer portal');
  end if;
  return query select v_plan.id, v_plan.tier, v_plan.stripe_price_id, v_plan.trial_days;
end;
$$;
comment on function social_private.subscription_checkout(text, text) is
  'Body of social.subscription_checkout (security definer: reads the caller''s subscriptions).';
revoke execute on function social_private.subscription_checkout(text, text) from public;
grant execute on function social_private.subscription_checkout(text, text) to authenticated, service_role;

-- Check that I may start a subscription to p_plan_id; its Stripe price and trial.
create function social.subscription_checkout(p_plan_id text, p_promo_code text default null)
returns table (plan_id text, tier text, stripe_price_id text, trial_days integer)
language sql
stable
security invoker
set search_path = ''
as $$
  select * from social_private.subscription_checkout(p_plan_id, p_promo_code);
$$;
comment on function social.subscription_checkout(text, text) is
  'What starting a subscription to a plan needs (its Stripe price and trial); plan_not_found, '
  'already_subscribed, invalid_promo_code.';
revoke execute on function social.subscription_checkout(text, text) from public;
grant execute on function social.subscription_checkout(text, text) to authenticated, service_role;
