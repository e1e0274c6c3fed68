-- Points: rules per activity kind (social.point_rules), an append-only ledger of every movement
-- (social.point_ledger), a balance per user (social.point_balances), a rewards catalog
-- (social.rewards, e.g. a streak freeze) and redemptions (social.redemptions).
--
--   * An activity of a kind with a rule earns the rule's points (at most daily_limit activities of
--     that kind per local day earn points, counted by activity_stats.day_count; the activity
--     trigger in the badges migration writes the entry); a badge earns its bonus points. Each
--     earning is one ledger row (reason activity or badge) and one balance update, by trigger.
--   * Redeeming is atomic (social.redeem_reward): the user's balance row is locked (concurrent
--     redemptions of one user queue on it) and checked before the charge, and a charge that would
--     take it below zero is refused anyway, so the balance never goes below zero; stock and per-user limits are checked under
--     the same lock; the redemption, its ledger row and its effect (a streak freeze) are written in
--     the same transaction. A retry with the same idempotency key returns the first redemption.
--   * The ledger is append-only: nobody updates or deletes an entry (a user's entries go with the
--     user). The leaderboards' points are the ledger's earnings (activity, badge, adjustment) in a
--     period, so spending points never lowers a rank.
-- SDK: social.gamification (points, ledger, rewards, redeem); tests:
-- tests/db/gamification-points.test.ts.

-- =====================================================================================
-- types
-- =====================================================================================

create type social.point_reason as enum ('activity', 'badge', 'redemption', 'refund', 'adjustment');
comment on type social.point_reason is
  'activity: earned by an activity (point_rules); badge: a badge''s bonus; redemption: spent on a '
  'reward; refund: a redemption given back; adjustment: granted or taken by an admin.';

create type social.reward_effect as enum ('streak_freeze', 'custom');
comment on type social.reward_effect is
  'streak_freeze: adds a freeze to the streak of the reward''s activity kind; custom: nothing in '
  'the database, the host app fulfils it (e.g. a discount code).';

-- =====================================================================================
-- rules
-- =====================================================================================

create table social.point_rules (
  activity_kind text primary key references social.activity_kinds (code) on update cascade on delete cascade,
  points integer not null,
  daily_limit integer,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint point_rules_points check (points between 1 and 100000),
  constraint point_rules_daily_limit check (daily_limit between 1 and 1000)
);
comment on table social.point_rules is
  'Points earned per activity kind. Admins edit them in Studio; a kind without a rule earns nothing.';
comment on column social.point_rules.activity_kind is 'The activity kind (social.activity_kinds.code).';
comment on column social.point_rules.points is 'Points per activity.';
comment on column social.point_rules.daily_limit is
  'At most this many activities of the kind earn points per local day (null: no limit).';
comment on column social.point_rules.created_at is 'When the rule was added.';
comment on column social.point_rules.updated_at is 'When the rule last changed (applies to later activities).';
alter table social.point_rules enable row level security;
grant select on social.point_rules to anon, authenticated;
grant all on social.point_rules to service_role;
create trigger on_point_rules_updated before update on social.point_rules
  for each row execute function social_private.handle_updated_at();

-- the rules are public reference data
create policy point_rules_select_anon on social.point_rules
  for select to anon
  using (true);
create policy point_rules_select_all on social.point_rules
  for select to authenticated
  using (true);

insert into social.point_rules (activity_kind, points, daily_limit) values
  ('workout_completed', 10, 3),
  ('nutrition_logged', 5, 3),
  ('weight_logged', 2, 1),
  ('check_in', 1, 1),
  ('event_attended', 20, null),
  ('post_created', 2, 10),
  ('comment_created', 1, 20),
  ('group_joined', 5, 5),
  ('post_popular', 10, null);

-- =====================================================================================
-- balances and the ledger
-- =====================================================================================

create table social.point_balances (
  user_id uuid primary key references social.profiles (id) on delete cascade,
  balance integer not null default 0,
  earned integer not null default 0,
  spent integer not null default 0,
  updated_at timestamptz not null default now(),
  -- one least() rather than three comparisons: checks are prepared again for every write
  constraint point_balances_not_negative check (least(balance, earned, spent) >= 0)
)
-- rewritten on every earning: room on each page keeps the update on the page (no index entry)
with (fillfactor = 80);
comment on table social.point_balances is
  'Each user''s points: what they hold, earned and spent. Kept with the ledger; the owner reads it.';
comment on column social.point_balances.user_id is 'The user.';
comment on column social.point_balances.balance is 'Points held now (never below zero).';
comment on column social.point_balances.earned is 'Points earned ever (activities, badges, positive adjustments).';
comment on column social.point_balances.spent is 'Points spent on rewards (net of refunds).';
comment on column social.point_balances.updated_at is 'When the balance last changed.';
alter table social.point_balances enable row level security;
grant select on social.point_balances to authenticated;
grant all on social.point_balances to service_role;

-- each user reads their own balance
create policy point_balances_select_self on social.point_balances
  for select to authenticated
  using (user_id = (select auth.uid()));

create table social.point_ledger (
  id bigint generated always as identity,
  user_id uuid not null references social.profiles (id) on delete cascade,
  delta integer not null,
  reason social.point_reason not null,
  activity_id uuid,
  badge_id uuid,
  redemption_id uuid,
  note text,
  occurred_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  -- a user's ledger in order (the one unique index: entries are written on every earning, and
  -- the key serves the user's pages and the foreign key too)
  primary key (user_id, id),
  constraint point_ledger_delta check (abs(delta) between 1 and 10000000),
  constraint point_ledger_note_length check (char_length(note) <= 500)
);
comment on table social.point_ledger is
  'Every movement of points, append-only: nobody updates or deletes an entry (a user''s entries go '
  'with the user). The owner reads theirs.';
comment on column social.point_ledger.id is 'Order of the entries.';
comment on column social.point_ledger.user_id is 'Whose points moved.';
comment on column social.point_ledger.delta is 'Points added (positive) or taken (negative).';
comment on column social.point_ledger.reason is 'Why (activity, badge, redemption, refund, adjustment).';
comment on column social.point_ledger.activity_id is 'The activity that earned them (reason activity).';
comment on column social.point_ledger.badge_id is 'The badge that earned them (reason badge).';
comment on column social.point_ledger.redemption_id is 'The redemption that spent them (redemption, refund).';
comment on column social.point_ledger.note is 'Free text, e.g. why an admin adjusted.';
comment on column social.point_ledger.occurred_at is
  'When the points count for leaderboards: the activity''s occurred_at, else when written.';
comment on column social.point_ledger.created_at is 'When the entry was written.';
-- points earned in a period, for leaderboards
create index point_ledger_earned_idx on social.point_ledger (user_id, occurred_at) include (delta)
  where delta > 0 and reason <> 'refund';
alter table social.point_ledger enable row level security;
revoke all on social.point_ledger from public, anon, authenticated, service_role;
grant select on social.point_ledger to authenticated;
grant select, insert on social.point_ledger to service_role;

-- each user reads their own ledger
create policy point_ledger_select_self on social.point_ledger
  for select to authenticated
  using (user_id = (select auth.uid()));

-- The ledger is append-only: entries are never changed or removed, except by the cascade that
-- removes a deleted user's rows.
create function social_private.refuse_ledger_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and pg_catalog.pg_trigger_depth() > 1 then
    return old; -- a user being deleted takes their ledger with them
  end if;
  perform social_private.raise_error('permission_denied', 'append_only',
    'the points ledger is append-only: entries are never changed or removed');
  return null;
end;
$$;
comment on function social_private.refuse_ledger_change() is
  'Trigger: refuse updates and deletes of the points ledger (a user''s cascade delete excepted).';
create trigger on_point_ledger_change before update or delete on social.point_ledger
  for each row execute function social_private.refuse_ledger_change();
create trigger on_point_ledger_truncate before truncate on social.point_ledger
  for each statement execute function social_private.refuse_ledger_change();

-- Keep point_balances with each new ledger entry (also entries the service role appends as
-- adjustments): a negative entry that would take the balance below zero is refused
-- (insufficient_points). One update in the common case (the user has a balance); the first
-- earning inserts the row.
create function social_private.handle_ledger_entry()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update social.point_balances b
  set balance = b.balance + new.delta,
      earned = b.earned + case when new.delta > 0 and new.reason <> 'refund' then new.delta else 0 end,
      spent = b.spent - case when new.delta < 0 and new.reason = 'redemption' or new.delta > 0 and new.reason = 'refund'
                             then new.delta else 0 end,
      updated_at = now()
  where b.user_id = new.user_id and b.balance + new.delta >= 0;
  if not found then
    if new.delta < 0 then
      perform social_private.raise_error('conflict', 'insufficient_points', 'not enough points');
    end if;
    insert into social.point_balances as b (user_id, balance, earned, spent)
    values (new.user_id, new.delta, case when new.reason <> 'refund' then new.delta else 0 end,
            case when new.reason = 'refund' then -new.delta else 0 end)
    on conflict (user_id) do update set
      balance = b.balance + excluded.balance,
      earned = b.earned + excluded.earned,
      spent = b.spent + excluded.spent,
      updated_at = now();
  end if;
  return null;
end;
$$;
comment on function social_private.handle_ledger_entry() is
  'Trigger: apply a ledger entry to the user''s balance (refused below zero).';
create trigger on_point_ledger_entry after insert on social.point_ledger
  for each row execute function social_private.handle_ledger_entry();

-- =====================================================================================
-- rewards and redemptions
-- =====================================================================================

create table social.rewards (
  id uuid primary key default gen_random_uuid(),
  code text not null,
  name text not null,
  description text,
  icon text,
  cost integer not null,
  effect social.reward_effect not null default 'custom',
  activity_kind text references social.activity_kinds (code) on update cascade,
  stock integer,
  per_user_limit integer,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint rewards_code_key unique (code),
  constraint rewards_code_format check (code ~ '^[a-z][a-z0-9_]{1,59}$'),
  constraint rewards_name_length check (char_length(name) between 1 and 80),
  constraint rewards_description_length check (char_length(description) <= 500),
  constraint rewards_icon_length check (char_length(icon) <= 1024),
  constraint rewards_cost check (cost between 1 and 10000000),
  constraint rewards_stock check (stock >= 0),
  constraint rewards_per_user_limit check (per_user_limit >= 1),
  constraint rewards_freeze_kind check (effect <> 'streak_freeze' or activity_kind is not null)
);
comment on table social.rewards is
  'What users redeem points for. Admins add rows in Studio; everyone signed in reads them.';
comment on column social.rewards.id is 'The reward.';
comment on column social.rewards.code is 'Stable identifier, e.g. workout_streak_freeze.';
comment on column social.rewards.name is 'Display name.';
comment on column social.rewards.description is 'What the user gets.';
comment on column social.rewards.icon is 'An icon name or a storage path.';
comment on column social.rewards.cost is 'Points it costs.';
comment on column social.rewards.effect is 'What redeeming does in the database (streak_freeze) or nothing (custom).';
comment on column social.rewards.activity_kind is 'For streak_freeze: the streak kind that gets the freeze.';
comment on column social.rewards.stock is 'How many are left (null: unlimited); taken one per redemption.';
comment on column social.rewards.per_user_limit is 'How many times one user may redeem it (null: no limit).';
comment on column social.rewards.active is 'false: not offered any more.';
comment on column social.rewards.created_at is 'When the reward was added.';
comment on column social.rewards.updated_at is 'When the reward last changed.';
create index rewards_activity_kind_idx on social.rewards (activity_kind) where activity_kind is not null;
alter table social.rewards enable row level security;
grant select on social.rewards to authenticated;
grant all on social.rewards to service_role;
create trigger on_rewards_updated before update on social.rewards
  for each row execute function social_private.handle_updated_at();

-- signed-in users see the catalog
create policy rewards_select_all on social.rewards
  for select to authenticated
  using (true);

insert into social.rewards (code, name, description, icon, cost, effect, activity_kind) values
  ('workout_streak_freeze', 'Workout streak freeze', 'Keeps your workout streak when you miss a day.',
   'snowflake', 100, 'streak_freeze', 'workout_completed'),
  ('nutrition_streak_freeze', 'Nutrition streak freeze', 'Keeps your nutrition streak when you miss a day.',
   'snowflake', 60, 'streak_freeze', 'nutrition_logged'),
  ('check_in_streak_freeze', 'Check-in streak freeze', 'Keeps your daily check-in streak when you miss a day.',
   'snowflake', 30, 'streak_freeze', 'check_in');

create table social.redemptions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references social.profiles (id) on delete cascade,
  reward_id uuid not null references social.rewards (id),
  cost integer not null,
  idempotency_key text,
  created_at timestamptz not null default now(),
  constraint redemptions_idempotency_key unique (user_id, idempotency_key),
  constraint redemptions_cost check (cost > 0),
  constraint redemptions_idempotency_key_length check (char_length(idempotency_key) between 1 and 200)
);
comment on table social.redemptions is
  'Rewards users redeemed, written by social.redeem_reward only. The owner reads theirs; the '
  'host app fulfils custom rewards from here (service role).';
comment on column social.redemptions.id is 'The redemption.';
comment on column social.redemptions.user_id is 'Who redeemed.';
comment on column social.redemptions.reward_id is 'What.';
comment on column social.redemptions.cost is 'Points charged (the reward''s cost at the time).';
comment on column social.redemptions.idempotency_key is 'Retry key, unique per user.';
comment on column social.redemptions.created_at is 'When.';
-- (user_id, idempotency_key) also serves the foreign key on user_id
create index redemptions_reward_idx on social.redemptions (reward_id, user_id);
alter table social.redemptions enable row level security;
grant select on social.redemptions to authenticated;
grant all on social.redemptions to service_role;

-- each user reads their own redemptions
create policy redemptions_select_self on social.redemptions
  for select to authenticated
  using (user_id = (select auth.uid()));

-- Redeem p_reward_id for the caller, atomically (security definer: balances, stock, the ledger
-- and streak freezes are not client-writable). Order: the redemption row first (a concurrent
-- retry with the same key waits on it and then returns it), then the user's balance row locked
-- (concurrent redemptions queue on it) and checked, then stock, per-user limit and the freeze cap
-- under that lock, then the ledger entry that takes the points; any refusal rolls all of it back. Errors: reward_not_found (404), insufficient_points, out_of_stock,
-- redemption_limit_reached, freeze_limit_reached (409).
create function social_private.redeem_reward(p_reward_id uuid, p_idempotency_key text default null)
returns social.redemptions
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_reward social.rewards;
  v_row social.redemptions;
  v_taken integer;
  v_freezes integer;
  v_max integer;
  v_balance integer;
begin
  if p_idempotency_key is not null and char_length(p_idempotency_key) not between 1 and 200 then
    perform social_private.raise_error('invalid_input', 'invalid_idempotency_key', 'the idempotency key must be 1-200 characters');
  end if;
  select * into v_reward from social.rewards r where r.id = p_reward_id and r.active;
  if v_reward.id is null then
    perform social_private.raise_error('not_found', 'reward_not_found', 'no such reward');
  end if;

  insert into social.redemptions as r (user_id, reward_id, cost, idempotency_key)
  values (v_me, v_reward.id, v_reward.cost, p_idempotency_key)
  on conflict (user_id, idempotency_key) do nothing
  returning r.* into v_row;
  if v_row.id is null then
    select * into v_row from social.redemptions r where r.user_id = v_me and r.idempotency_key = p_idempotency_key;
    return v_row; -- a retry: the first redemption, nothing charged again
  end if;

  -- lock the balance row: concurrent redemptions of this user queue here and see the balance
  -- the earlier ones left
  select b.balance into v_balance from social.point_balances b where b.user_id = v_me for update;
  if coalesce(v_balance, 0) < v_reward.cost then
    perform social_private.raise_error('conflict', 'insufficient_points',
      format('%s costs %s points; you have %s', v_reward.name, v_reward.cost, coalesce(v_balance, 0)));
  end if;

  if v_reward.per_user_limit is not null then
    select count(*)::integer into v_taken from social.redemptions r
    where r.user_id = v_me and r.reward_id = v_reward.id;
    if v_taken > v_reward.per_user_limit then
      perform social_private.raise_error('conflict', 'redemption_limit_reached',
        format('%s can be redeemed %s times', v_reward.name, v_reward.per_user_limit));
    end if;
  end if;
  if v_reward.stock is not null then
    update social.rewards r set stock = r.stock - 1 where r.id = v_reward.id and r.stock > 0;
    if not found then
      perform social_private.raise_error('conflict', 'out_of_stock', format('%s is out of stock', v_reward.name));
    end if;
  end if;
  if v_reward.effect = 'streak_freeze' then
    select k.max_freezes into v_max from social.activity_kinds k where k.code = v_reward.activity_kind;
    insert into social.activity_stats as s (user_id, kind, streak_freezes)
    values (v_me, v_reward.activity_kind, 1)
    on conflict (user_id, kind) do update set streak_freezes = s.streak_freezes + 1, updated_at = now()
    returning s.streak_freezes into v_freezes;
    if v_freezes > v_max then
      perform social_private.raise_error('conflict', 'freeze_limit_reached',
        format('you hold the most freezes allowed (%s)', v_max));
    end if;
  end if;

  insert into social.point_ledger (user_id, delta, reason, redemption_id)
  values (v_me, -v_reward.cost, 'redemption', v_row.id);
  return v_row;
end;
$$;
comment on function social_private.redeem_reward(uuid, text) is
  'Redeem a reward for the caller atomically; never below a zero balance. Idempotent by key.';
grant execute on function social_private.redeem_reward(uuid, text) to authenticated;

-- Redeem a reward with my points (idempotent with p_idempotency_key).
create function social.redeem_reward(p_reward_id uuid, p_idempotency_key text default null)
returns social.redemptions
language sql
volatile
security invoker
set search_path = ''
as $$
  select social_private.redeem_reward(p_reward_id, p_idempotency_key);
$$;
comment on function social.redeem_reward(uuid, text) is
  'Redeem a reward with my points, atomically: never below zero; a retry with the same key returns '
  'the first redemption.';
grant execute on function social.redeem_reward(uuid, text) to authenticated;

-- =====================================================================================
-- reading
-- =====================================================================================

-- The caller's points (zeros before the first earning).
create function social.my_points()
returns table (balance integer, earned integer, spent integer)
language sql
stable
security invoker
set search_path = ''
as $$
  select coalesce(b.balance, 0), coalesce(b.earned, 0), coalesce(b.spent, 0)
  from (select 1) one
  left join social.point_balances b on b.user_id = (select auth.uid());
$$;
comment on function social.my_points() is 'My points: balance, earned and spent.';
grant execute on function social.my_points() to authenticated, service_role;

-- One page of the caller's ledger, newest first, by the page contract (20261128000000_core.sql):
-- every row carries the page's next_cursor (null on the last page).
create function social.my_point_ledger(p_cursor text default null, p_limit integer default 20)
returns table (
  id bigint,
  delta integer,
  reason social.point_reason,
  activity_id uuid,
  badge_id uuid,
  redemption_id uuid,
  note text,
  occurred_at timestamptz,
  created_at timestamptz,
  next_cursor text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_me uuid := social_private.require_user();
  v_limit integer := social_private.page_limit(p_limit);
  v_before bigint := (social_private.decode_cursor('my_point_ledger', 'latest', v_me::text, p_cursor, 1))[1]::bigint;
  v_rows social.point_ledger[];
  v_next text;
begin
  select coalesce(array_agg(x order by x.id desc), '{}') into v_rows
  from (
    select l.* from social.point_ledger l
    where l.user_id = v_me and (v_before is null or l.id < v_before)
    order by l.id desc
    limit v_limit + 1
  ) x;
  if cardinality(v_rows) > v_limit then
    v_next := social_private.encode_cursor('my_point_ledger', 'latest', v_me::text, array[v_rows[v_limit].id::text]);
  end if;
  return query
    select r.id, r.delta, r.reason, r.activity_id, r.badge_id, r.redemption_id, r.note, r.occurred_at,
           r.created_at, v_next
    from unnest(v_rows[1:v_limit]) as r;
end;
$$;
comment on function social.my_point_ledger(text, integer) is
  'My points ledger, newest first; pass next_cursor for the next page; p_limit 1-50.';
grant execute on function social.my_point_ledger(text, integer) to authenticated, service_role;

revoke execute on all functions in schema social, social_private from public;
