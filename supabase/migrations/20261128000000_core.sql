-- Core: the `social` API schema, the private `social_private` schema, extensions, and the helpers
-- that several domains use:
--   raise_error          raise an error of a kind (invalid_input, not_found, ...) with a code
--                        from the closed list of error codes (in HINT)
--   require_user         the signed-in user, or not_authenticated
--   jsonb_arg            a jsonb RPC argument as sent (some servers pass objects as JSON strings)
--   handle_updated_at    the updated_at trigger function
--   is_visible_text      does a text show anything (not only spaces and invisible characters)?
--                        Check constraints on names and titles use it
--   check_rate_limit     writes per user and minute against social_private.rate_limit_rules
--                        (every write a user can repeat: posts, edits, comments, reactions,
--                        follows, blocks, groups, joins, invites, announcements, reports;
--                        editable in Studio); raises rate_limited (PT429, HTTP 429);
--                        service_role is not limited
--   page_limit, encode_cursor, decode_cursor, encode_page_cursor, decode_page_cursor,
--   require_order        the page contract of every list: one page size, signed opaque cursors
--   is_platform          is the session the platform (service_role, a backend without a user)?
--   realtime_topics, can_read_topic, can_write_topic
--                        who may receive and send on a Realtime topic: one select and one insert
--                        policy on realtime.messages dispatch on the topic's prefix to the rule
--                        each domain registers (user: in notifications, chat: in chat_delivery)
--
-- Naming of the social_private helpers that answer a question about a user, in every domain:
--   * for the caller: no user argument, auth.uid() inside (anon when null). Predicates are
--     can_<verb>_<noun> or is_<state> (can_view_post, can_read_group, is_group_staff,
--     is_blocked_with); the caller's own sets and values are my_<noun> (my_group_ids,
--     my_group_role); one that returns what an operation needs or raises is require_<noun>
--     (require_user, require_group, require_group_staff).
--   * for a given user: the caller form's name prefixed with user_ (user_ in place of my_), the
--     user first, as p_user_id (user_can_view_post, user_can_read_group, user_is_blocked_with,
--     user_blocked_ids, user_has_tier).
--   * no third form: a variant that takes a row's columns instead of its id is an overload of the
--     same name (can_view_post(p_post_id) and can_view_post(p_author, p_group_id, p_visibility)).
--
-- Policies wrap in (select ...) only what does not depend on the row: (select auth.uid()),
-- (select social_private.my_group_ids()); Postgres evaluates it once per statement (an init plan).
-- A call that takes a column, social_private.is_group_staff(group_id), is left unwrapped: it runs
-- per row either way. sql/lints/policy_call_unwrapped.sql and policy_row_call_wrapped.sql check it.
--
-- Migrations: one per domain, in dependency order, named like the SDK namespace and the test file
-- that cover it (README, "Migrations"). Each object's comments, indexes, grants and policies sit
-- directly below it; an RPC's security definer body in social_private, its wrapper in `social`
-- and their grants sit together. New functions are executable by PUBLIC unless revoked
-- (per-schema default privileges cannot take that away), so every migration ends with
--   revoke execute on all functions in schema social, social_private from public;
-- and grants execute explicitly.

-- =====================================================================================
-- schemas and extensions
-- =====================================================================================

create extension if not exists citext with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create schema if not exists social;
comment on schema social is
  'Supasocial: everything the Data API exposes (tables with RLS, security invoker views and RPCs).';
create schema if not exists social_private;
comment on schema social_private is
  'Supasocial internals: helpers, trigger functions and security definer functions. Never exposed.';
grant usage on schema social to anon, authenticated, service_role;
-- Policies call social_private helpers as the querying role, so the roles need usage on the
-- schema; execute is granted function by function.
revoke all on schema social_private from public;
grant usage on schema social_private to anon, authenticated, service_role;

-- =====================================================================================
-- errors, the caller, arguments, timestamps
-- =====================================================================================

-- Errors. Every error our SQL raises goes through raise_error(kind, code, message): the code is
-- one of the closed list in client-sdk/src/error-codes.ts (README, "Error codes"; a test fails on a
-- code that is not on it) and travels in HINT, which PostgREST, @supabase/lite and postgres.js all
-- return as `hint`. The kind says what sort of error it is and picks the SQLSTATE, and with it the
-- HTTP status that PostgREST and @supabase/lite both answer. Each kind is also the generic code
-- of that sort on the list, which the SDK falls back to for a code it does not know:
--   invalid_input      22023 (invalid_parameter_value)   400
--   not_authenticated  PT401 (PostgREST custom status)   401
--   permission_denied  42501 (insufficient_privilege)    403; 401 to a request without a user
--   not_found          PT404                             404
--   conflict           PT409                             409
--   rate_limited       PT429                             429
-- PostgREST would answer P0002 (no_data_found) with 500 and 54000 with 413, and @supabase/lite
-- answers P0001, P0002, 54000 and 23514 with `500 SUP` and drops the hint of 23505, hence the
-- PTnnn states; both answer 42501 with 403 to a caller that has a role but no user (a service
-- key), hence PT401 for not_authenticated. Errors that Postgres raises itself keep their own
-- SQLSTATE (23505 for a taken handle, 42501 for a row that RLS refuses) and have no hint; the SDK
-- maps those by SQLSTATE.
create type social_private.error_kind as enum (
  'invalid_input', 'not_authenticated', 'permission_denied', 'not_found', 'conflict', 'rate_limited'
);
comment on type social_private.error_kind is
  'What sort of error raise_error raises; picks the SQLSTATE and so the HTTP status (400, 401, 403, 404, 409, 429).';

create function social_private.raise_error(
  p_kind social_private.error_kind,
  p_code text,
  p_message text
)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  raise exception using
    message = p_message,
    hint = p_code,
    errcode = case p_kind
      when 'invalid_input' then '22023'
      when 'not_authenticated' then 'PT401'
      when 'permission_denied' then '42501'
      when 'not_found' then 'PT404'
      when 'conflict' then 'PT409'
      when 'rate_limited' then 'PT429'
    end;
end;
$$;
comment on function social_private.raise_error(social_private.error_kind, text, text) is
  'Raises p_message with the SQLSTATE of p_kind and the stable Supasocial error code p_code in HINT.';
grant execute on function social_private.raise_error(social_private.error_kind, text, text)
  to anon, authenticated, service_role;

-- The signed-in user, or an error when there is none (for RPCs that need a user).
create function social_private.require_user()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
begin
  if v_uid is null then
    perform social_private.raise_error('not_authenticated', 'not_authenticated', 'sign in first');
  end if;
  return v_uid;
end;
$$;
comment on function social_private.require_user() is
  'The signed-in user''s id (auth.uid()); raises not_authenticated (42501) when there is none.';
grant execute on function social_private.require_user() to anon, authenticated, service_role;

-- A jsonb argument as sent: some Data API servers (@supabase/lite 0.10) pass a JSON object or array
-- as a JSON string inside jsonb; unwrap that, leave everything else as it is.
create function social_private.jsonb_arg(p_value jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case
    when jsonb_typeof(p_value) = 'string' and left(btrim(p_value #>> '{}'), 1) in ('{', '[')
      then (p_value #>> '{}')::jsonb
    else p_value
  end;
$$;
comment on function social_private.jsonb_arg(jsonb) is
  'A jsonb RPC argument as the client sent it: a JSON object or array that arrived wrapped in a '
  'JSON string is unwrapped, anything else is returned as is.';
grant execute on function social_private.jsonb_arg(jsonb) to anon, authenticated, service_role;

-- Does p_text show anything? False for text made only of spaces and characters that render as
-- nothing: ASCII and Unicode spaces, control characters, zero-width spaces and joiners, direction
-- marks, embeddings and overrides (U+202A-202E, U+2066-2069), word joiners and invisible operators,
-- the soft hyphen, byte order marks, Hangul and Braille blanks, variation selectors and tag
-- characters. Null for null (a check constraint passes). Immutable: check constraints call it.
-- plpgsql, not sql: a sql function with its own search_path is never inlined, so each statement
-- that calls it (a send, a check constraint) would parse and plan its body again; plpgsql keeps
-- the plan for the session.
create function social_private.is_visible_text(p_text text)
returns boolean
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return p_text ~ ('[^\u0001-\u0020\u007f-\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5'
                   '\u180b-\u180f\u2000-\u200f\u2028-\u202f\u205f-\u206f\u2800\u3000\u3164'
                   '\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U0001d159\U0001d173-\U0001d17a'
                   '\U000e0000-\U000e007f\U000e0100-\U000e01ef]');
end;
$$;
comment on function social_private.is_visible_text(text) is
  'True when p_text has a character that shows (not only spaces or invisible characters).';
grant execute on function social_private.is_visible_text(text) to anon, authenticated, service_role;

-- Keep updated_at current on every update.
create function social_private.handle_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
comment on function social_private.handle_updated_at() is
  'Trigger function (before update, on_<table>_updated): sets updated_at to now().';

-- Scheduled jobs. The migrations record each job of Supasocial's here (social_private.schedule_job)
-- and schedule it with pg_cron where it is installed (Supabase: Database -> Extensions, enabled
-- before the migrations run; enabled later, social_private.schedule_jobs_with_pg_cron() schedules
-- them all). Without pg_cron, the list is what another scheduler runs: `npm start`'s stack runs it
-- (scripts/lib/jobs.ts), and any job can be called directly.
create table social_private.scheduled_jobs (
  name text primary key,
  schedule text not null,
  command text not null,
  created_at timestamptz not null default now()
);
comment on table social_private.scheduled_jobs is
  'Supasocial''s jobs: what pg_cron runs where installed (cron.job has the same names), and what '
  'another scheduler runs elsewhere (npm start: scripts/lib/jobs.ts). Written by the migrations.';
comment on column social_private.scheduled_jobs.name is 'The pg_cron job name (supasocial-...).';
comment on column social_private.scheduled_jobs.schedule is
  'pg_cron''s schedule: five cron fields in UTC, or ''N seconds'' (1-59).';
comment on column social_private.scheduled_jobs.command is 'The SQL the job runs, as the job''s owner.';
comment on column social_private.scheduled_jobs.created_at is 'When the job was first recorded.';
revoke all on social_private.scheduled_jobs from public, anon, authenticated;
grant select on social_private.scheduled_jobs to service_role;

-- Used by the migrations; true when pg_cron scheduled it.
create function social_private.schedule_job(p_name text, p_schedule text, p_command text)
returns boolean
language plpgsql
volatile
set search_path = ''
as $$
begin
  insert into social_private.scheduled_jobs (name, schedule, command)
  values (p_name, p_schedule, p_command)
  on conflict (name) do update set schedule = excluded.schedule, command = excluded.command;
  if not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_cron') then
    return false;
  end if;
  execute 'select cron.schedule($1, $2, $3)' using p_name, p_schedule, p_command;
  return true;
end;
$$;
comment on function social_private.schedule_job(text, text, text) is
  'Records p_command as the job p_name on p_schedule (social_private.scheduled_jobs) and schedules '
  'it with pg_cron where installed (true; false without pg_cron).';

-- For an operator who enables pg_cron after the migrations ran: schedules every recorded job
-- (cron.schedule replaces a job of the same name). Returns how many.
create function social_private.schedule_jobs_with_pg_cron()
returns integer
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_job social_private.scheduled_jobs;
  v_count integer := 0;
begin
  if not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_cron') then
    perform social_private.raise_error('invalid_input', 'invalid_input',
      'pg_cron is not installed: enable it (Supabase: Database -> Extensions), then call this again');
  end if;
  for v_job in select * from social_private.scheduled_jobs order by name loop
    execute 'select cron.schedule($1, $2, $3)' using v_job.name, v_job.schedule, v_job.command;
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function social_private.schedule_jobs_with_pg_cron() is
  'Schedules every job of social_private.scheduled_jobs with pg_cron (after enabling pg_cron '
  'later than the migrations); returns how many. Raises invalid_input without pg_cron.';

-- =====================================================================================
-- rate limits
-- =====================================================================================

-- Rate limits (not exposed): the allowed writes per user and minute per action, and the counters.
create table social_private.rate_limit_rules (
  action text primary key,
  per_minute integer not null,
  constraint rate_limit_rules_per_minute_positive check (per_minute > 0)
);
comment on table social_private.rate_limit_rules is
  'Writes a user may make per minute, per action. Change a row to tune a limit; an action without '
  'a row is not limited.';
comment on column social_private.rate_limit_rules.action is
  'The write being limited, as check_rate_limit is called with it: post, post_edit, comment, '
  'comment_edit, reaction, report, follow, block, group, join, invite, announcement, and (chat '
  'migrations) message, message_edit, conversation.';
comment on column social_private.rate_limit_rules.per_minute is
  'Writes of this action one user may make per minute (a positive integer); the next one is '
  'refused with rate_limited.';
revoke all on social_private.rate_limit_rules from public, anon, authenticated;
grant all on social_private.rate_limit_rules to service_role;
-- Every write a user can repeat has a rule; each action counts where the write happens:
--   post          a new post (posts)                   post_edit     a body or media edit (posts;
--   comment       a new comment (engagement)                          each stores a revision)
--   reaction      a new reaction (engagement)          comment_edit  a body edit (engagement)
--   report        a new report (reports)               follow        a follow or an unfollow (graph;
--   announcement  a new announcement (announcements)                 each may notify the followee)
--   join          joining or leaving a group, by any   invite        an invite or an invite link
--                 way (group_members, group_invites)                 (group_invites)
--   group         a new group (groups)                 block         a block or a mute, made or
--                                                                    lifted (graph)
-- Writes that only set the user's own state to a value (profile fields, notification
-- preferences, marking read) are not limited: repeating them changes nothing and tells nobody.
insert into social_private.rate_limit_rules (action, per_minute) values
  ('post', 10),
  ('post_edit', 20),
  ('comment', 30),
  ('comment_edit', 30),
  ('reaction', 120),
  ('report', 10),
  ('follow', 30),
  ('announcement', 10),
  ('join', 20),
  ('invite', 30),
  ('group', 10),
  ('block', 30);

-- unlogged: losing the counters on a crash only forgives one minute of writes
create unlogged table social_private.rate_limit_counters (
  user_id uuid not null,
  action text not null,
  window_start timestamptz not null,
  count integer not null default 0,
  primary key (user_id, action)
);
comment on table social_private.rate_limit_counters is
  'Writes per user and action in the current minute window: one row per user and action, '
  'restarted by the first write of a new minute.';
comment on column social_private.rate_limit_counters.user_id is
  'The user whose writes are counted (auth.users.id); no foreign key, a row is only its latest minute.';
comment on column social_private.rate_limit_counters.action is
  'The limited action (a rate_limit_rules.action).';
comment on column social_private.rate_limit_counters.window_start is
  'Start of the minute counted (date_trunc(''minute'', now())).';
comment on column social_private.rate_limit_counters.count is
  'Writes of this action by this user in that minute, including refused ones.';
revoke all on social_private.rate_limit_counters from public, anon, authenticated;
grant all on social_private.rate_limit_counters to service_role;

-- Count one `p_action` for the current user in this minute and refuse it (rate_limited, PT429)
-- beyond the rule's per_minute. service_role and sessions without a user are not limited.
-- Security definer: the counters are not the caller's to write. One statement on the user's row
-- for the action (every repeatable write pays for it): a write of a new minute restarts the count.
-- The chat's hot path (social_private.send_message) calls it too: keep it one statement.
create function social_private.check_rate_limit(p_action text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_count integer;
  v_limit integer;
begin
  if v_uid is null or coalesce(auth.role(), '') = 'service_role' then
    return;
  end if;
  insert into social_private.rate_limit_counters as c (user_id, action, window_start, count)
  select v_uid, r.action, date_trunc('minute', now()), 1
  from social_private.rate_limit_rules r
  where r.action = p_action
  on conflict (user_id, action) do update
    set count = case when excluded.window_start > c.window_start then 1 else c.count + 1 end,
        window_start = greatest(c.window_start, excluded.window_start)
  returning c.count, (select r.per_minute from social_private.rate_limit_rules r where r.action = p_action)
    into v_count, v_limit;
  if v_count > v_limit then
    perform social_private.raise_error(
      'rate_limited', 'rate_limited',
      format('too many %s writes: at most %s per minute, try again shortly', p_action, v_limit)
    );
  end if;
end;
$$;
comment on function social_private.check_rate_limit(text) is
  'Counts one p_action for the current user; raises rate_limited (HTTP 429) beyond '
  'rate_limit_rules.per_minute. service_role is not limited.';
grant execute on function social_private.check_rate_limit(text) to authenticated, service_role;

-- =====================================================================================
-- pages: the one contract of every list
-- =====================================================================================
--
-- Every list RPC takes p_cursor text (null: the first page) and p_limit integer, and returns the
-- page's rows in the list's order, each carrying next_cursor: the same text on every row of a
-- page, null on the last page (an empty page has no rows and is the end). Keyset, never OFFSET:
-- a page starts after the last key of the previous one, so rows that arrive meanwhile neither
-- shift nor repeat the pages after it.
--
-- Page size: social_private.page_limit(p_limit) -- null gives 20; above 50 gives 50 (capped, the
-- next page carries on); below 1 gives 1.
--
-- Cursors are made and read only here. A cursor is base64url of
--   <list>|<order>|<key>|<key>...   followed by 16 bytes of HMAC-SHA256
-- over that text and the list's scope, keyed by a random secret (social_private.cursor_secret).
-- The scope is every argument that selects the list other than p_cursor and p_limit: the group,
-- the user or the post it belongs to, its filters, and the caller for lists of their own (home
-- feed, inbox, my_* lists). A cursor of another list, another order or another scope, or one
-- changed in any byte, fails the check: invalid_cursor (22023, HTTP 400), never a 500. Keys are
-- timestamps as epoch microseconds, doubles in their shortest exact text, uuids and enum labels.
--
-- A new list copies this shape (social.list_followers is the short example):
--   v_limit integer := social_private.page_limit(p_limit);
--   v_key social_private.page_key := social_private.decode_page_cursor('<list>', '<order>', <scope>, p_cursor);
--   ... where (t.created_at, t.id) < (v_key.created_at, v_key.id) order by ... limit v_limit + 1
--   ... next_cursor := social_private.encode_page_cursor('<list>', '<order>', <scope>, <last row's keys>)
--       when more than v_limit rows came back.

-- pgcrypto (hmac) is installed in `extensions` on Supabase; on plain Postgres the platform layer
-- installs it.
create extension if not exists pgcrypto with schema extensions;

-- The key cursors are signed with (one row). No role reads it: only the security definer cursor
-- functions below. Rotating it (update ... set secret = extensions.gen_random_bytes(32)) makes
-- every cursor handed out so far invalid_cursor; clients start again from the first page.
create table social_private.cursor_secret (
  singleton boolean primary key default true,
  secret bytea not null default extensions.gen_random_bytes(32),
  created_at timestamptz not null default now(),
  constraint cursor_secret_singleton check (singleton),
  constraint cursor_secret_length check (octet_length(secret) >= 32)
);
comment on table social_private.cursor_secret is
  'The HMAC key of list cursors (one row). Replacing it invalidates every cursor handed out.';
comment on column social_private.cursor_secret.singleton is 'Always true: the table holds one row.';
comment on column social_private.cursor_secret.secret is
  'Random key (32 bytes or more) of the cursors'' HMAC-SHA256. Never leaves the database.';
comment on column social_private.cursor_secret.created_at is 'When the row was made (not when the key last changed).';
revoke all on social_private.cursor_secret from public, anon, authenticated, service_role;
insert into social_private.cursor_secret default values;

-- The position a page starts after, in a list ordered by (created_at | score, id): the keys of
-- the previous page's last row, or, on the first page, sentinels before every row.
create type social_private.page_key as (
  created_at timestamptz,
  score double precision,
  id uuid
);
comment on type social_private.page_key is
  'Keyset position of a list ordered by (created_at, id) or (score, id).';

-- The helpers below are plpgsql, not sql: a sql function called from another function is parsed
-- and planned again on every call (PostgreSQL 15), plpgsql keeps its plans per session.

-- The page size of every list: p_limit capped to 1..50, 20 when null.
create function social_private.page_limit(p_limit integer)
returns integer
language plpgsql
immutable
set search_path = ''
as $$
begin
  return least(greatest(coalesce(p_limit, 20), 1), 50);
end;
$$;
comment on function social_private.page_limit(integer) is
  'The page size of every list: p_limit capped to 1..50; 20 when null.';
grant execute on function social_private.page_limit(integer) to anon, authenticated, service_role;

-- p_order, when it is one of p_orders; else invalid_order (22023).
create function social_private.require_order(p_order text, variadic p_orders text[])
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_order is null or not (p_order = any (p_orders)) then
    perform social_private.raise_error('invalid_input', 'invalid_order',
      format('order must be %s', array_to_string(p_orders, ' or ')));
  end if;
  return p_order;
end;
$$;
comment on function social_private.require_order(text, text[]) is
  'p_order when it is one of p_orders, else invalid_order (22023): the order argument of a list.';
grant execute on function social_private.require_order(text, text[]) to anon, authenticated, service_role;

-- The cursor of the position after p_keys in list p_list, order p_order, scope p_scope.
-- Security definer: it reads the signing key, which no role may read.
create function social_private.encode_cursor(p_list text, p_order text, p_scope text, p_keys text[])
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  -- a null key is written as '' (keeping the keys' positions)
  v_body bytea := convert_to(array_to_string(array[p_list, p_order] || p_keys, '|', ''), 'UTF8');
  v_mac bytea;
begin
  select extensions.hmac(v_body || '\x0a'::bytea || convert_to(coalesce(p_scope, ''), 'UTF8'), s.secret, 'sha256')
    into v_mac
  from social_private.cursor_secret s;
  return translate(encode(v_body || substring(v_mac from 1 for 16), 'base64'), E'+/=\n', '-_');
end;
$$;
comment on function social_private.encode_cursor(text, text, text, text[]) is
  'A signed, opaque cursor for the position after p_keys in list p_list, order p_order, scope p_scope.';
grant execute on function social_private.encode_cursor(text, text, text, text[]) to anon, authenticated, service_role;

-- The p_count keys of cursor p_cursor, which must have been made by encode_cursor for the same
-- list, order and scope; null when p_cursor is null (the first page); invalid_cursor (22023)
-- otherwise. Security definer: it reads the signing key.
create function social_private.decode_cursor(
  p_list text,
  p_order text,
  p_scope text,
  p_cursor text,
  p_count integer
)
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_raw bytea;
  v_body bytea;
  v_mac bytea;
  v_parts text[];
begin
  if p_cursor is null then
    return null;
  end if;
  begin
    if char_length(p_cursor) > 512 or p_cursor !~ '^[A-Za-z0-9_-]+$' then
      raise exception 'not a cursor';
    end if;
    v_raw := decode(rpad(translate(p_cursor, '-_', '+/'), ((char_length(p_cursor) + 3) / 4) * 4, '='), 'base64');
    -- one text per cursor: base64 leaves the low bits of a last character unused, which would
    -- let a changed character through unnoticed
    if octet_length(v_raw) <= 16 or translate(encode(v_raw, 'base64'), E'+/=\n', '-_') <> p_cursor then
      raise exception 'not a cursor';
    end if;
    v_body := substring(v_raw from 1 for octet_length(v_raw) - 16);
    select extensions.hmac(v_body || '\x0a'::bytea || convert_to(coalesce(p_scope, ''), 'UTF8'), s.secret, 'sha256')
      into v_mac
    from social_private.cursor_secret s;
    if substring(v_raw from octet_length(v_raw) - 15) <> substring(v_mac from 1 for 16) then
      raise exception 'a cursor of another list, order or scope, or changed';
    end if;
    v_parts := string_to_array(convert_from(v_body, 'UTF8'), '|');
    if cardinality(v_parts) <> p_count + 2 or v_parts[1] <> p_list or v_parts[2] <> p_order then
      raise exception 'a cursor of another list or order';
    end if;
  exception when others then
    perform social_private.raise_error('invalid_input', 'invalid_cursor',
      'the cursor is not one of this list: pass the next_cursor of the previous page of the same list, order and arguments');
  end;
  return v_parts[3:];
end;
$$;
comment on function social_private.decode_cursor(text, text, text, text, integer) is
  'The keys in a cursor made by encode_cursor for the same list, order and scope; null for the '
  'first page; raises invalid_cursor otherwise.';
grant execute on function social_private.decode_cursor(text, text, text, text, integer)
  to anon, authenticated, service_role;

-- The cursor after (p_created_at | p_score, p_id): keys as encode_cursor's, the unused one empty.
-- extra_float_digits = 1 prints the shortest text that reads back as exactly the same double.
create function social_private.encode_page_cursor(
  p_list text,
  p_order text,
  p_scope text,
  p_created_at timestamptz,
  p_score double precision,
  p_id uuid
)
returns text
language plpgsql
stable
set search_path = ''
set extra_float_digits = 1
as $$
begin
  return social_private.encode_cursor(p_list, p_order, p_scope, array[
    coalesce((extract(epoch from p_created_at) * 1000000)::bigint::text, ''),
    coalesce(p_score::text, ''),
    p_id::text
  ]);
end;
$$;
comment on function social_private.encode_page_cursor(text, text, text, timestamptz, double precision, uuid) is
  'The cursor after the row keyed (p_created_at or p_score, p_id) in a list.';
grant execute on function social_private.encode_page_cursor(text, text, text, timestamptz, double precision, uuid)
  to anon, authenticated, service_role;

-- The page_key a cursor of encode_page_cursor holds; on the first page (p_cursor null) sentinels
-- past every row: +infinity and ffff... for a descending list, -infinity and 0000... for an
-- ascending one (p_ascending). invalid_cursor for a cursor of another list, order or scope.
create function social_private.decode_page_cursor(
  p_list text,
  p_order text,
  p_scope text,
  p_cursor text,
  p_ascending boolean default false
)
returns social_private.page_key
language plpgsql
stable
set search_path = ''
as $$
declare
  v_keys text[] := social_private.decode_cursor(p_list, p_order, p_scope, p_cursor, 3);
begin
  if v_keys is null then
    if p_ascending then
      return row('-infinity'::timestamptz, '-infinity'::double precision,
                 '00000000-0000-0000-0000-000000000000'::uuid)::social_private.page_key;
    end if;
    return row('infinity'::timestamptz, 'infinity'::double precision,
               'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)::social_private.page_key;
  end if;
  return row(
    timestamptz 'epoch' + nullif(v_keys[1], '')::bigint * interval '1 microsecond',
    nullif(v_keys[2], '')::double precision,
    v_keys[3]::uuid
  )::social_private.page_key;
end;
$$;
comment on function social_private.decode_page_cursor(text, text, text, text, boolean) is
  'The position a cursor of encode_page_cursor holds, or the start of the list when it is null.';
grant execute on function social_private.decode_page_cursor(text, text, text, text, boolean)
  to anon, authenticated, service_role;

-- =====================================================================================
-- the session
-- =====================================================================================

-- Is the current session the platform (service_role, or a backend without a user)?
create function social_private.is_platform()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select auth.role()), '') = 'service_role'
      or ((select auth.uid()) is null and current_user not in ('anon', 'authenticated'));
$$;
comment on function social_private.is_platform() is
  'True for service_role and for backend sessions without a user (not anon or authenticated): the '
  'platform acts, not a member.';
grant execute on function social_private.is_platform() to authenticated, service_role;


-- =====================================================================================
-- Realtime topics: who receives and who sends on `<prefix>:<id>`
-- =====================================================================================
--
-- Realtime Authorization is RLS on realtime.messages: Realtime inserts probe rows for the topic a
-- client joins and selects them back as the user (read), or inserts as the user (write: client
-- broadcasts and presence), with realtime.topic() set to the topic. Several domains have topics
-- (user:<id>, chat:<conversation_id>, later group:, event:, trip:), and the rule of one policy per
-- operation and role holds here too: ONE select policy (messages_select_topic_reader) and ONE
-- insert policy (messages_insert_topic_writer) dispatch on the topic's prefix to the rule its
-- domain registers in social_private.realtime_topics:
--   insert into social_private.realtime_topics (prefix, read_check, write_check) values
--     ('chat', 'social_private.can_read_chat_topic(text, text)', 'social_private.can_read_chat_topic(text, text)');
-- A check takes (p_id text: the topic after '<prefix>:', p_extension text: 'broadcast' or
-- 'presence') and answers for the caller (auth.uid()). A topic whose prefix has no row, or no
-- write_check, is refused. The database itself sends with realtime.send from security definer
-- functions, which RLS does not stop.

create table social_private.realtime_topics (
  prefix text primary key,
  read_check regprocedure not null,
  write_check regprocedure,
  constraint realtime_topics_prefix_format check (prefix ~ '^[a-z_]{1,32}$')
);
comment on table social_private.realtime_topics is
  'One row per Realtime topic prefix (user, chat, ...): the functions that decide who may receive '
  'on and send to <prefix>:<id>. Each domain registers its own; the realtime.messages policies '
  'dispatch to them.';
comment on column social_private.realtime_topics.prefix is
  'The topic prefix before the first colon (`chat` for chat:<conversation_id>).';
comment on column social_private.realtime_topics.read_check is
  'function(p_id text, p_extension text) returns boolean: may the caller receive broadcast or '
  'presence on <prefix>:<p_id>?';
comment on column social_private.realtime_topics.write_check is
  'function(p_id text, p_extension text) returns boolean: may the caller send broadcasts or '
  'track presence on it? Null: clients never send on this topic (only the database does).';
revoke all on social_private.realtime_topics from public, anon, authenticated, service_role;

-- The registered check of p_topic's prefix, called with the rest of the topic and the extension;
-- false for an unknown prefix or a topic without an id. Security definer: the registry is not the
-- caller's to read; the check itself answers for auth.uid(), which the definer does not change.
create function social_private.check_topic(p_topic text, p_extension text, p_write boolean)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_prefix text := split_part(p_topic, ':', 1);
  v_id text := substr(p_topic, char_length(split_part(p_topic, ':', 1)) + 2);
  v_check regprocedure;
  v_ok boolean;
begin
  if p_topic is null or position(':' in p_topic) = 0 or v_id = '' or p_extension is null then
    return false;
  end if;
  select case when p_write then t.write_check else t.read_check end into v_check
  from social_private.realtime_topics t where t.prefix = v_prefix;
  if v_check is null then
    return false;
  end if;
  execute format('select %s($1, $2)', v_check::regproc) into v_ok using v_id, p_extension;
  return coalesce(v_ok, false);
end;
$$;
comment on function social_private.check_topic(text, text, boolean) is
  'Runs the read (p_write false) or write check that the domain of p_topic''s prefix registered in '
  'realtime_topics, for the caller; false for an unknown prefix.';
grant execute on function social_private.check_topic(text, text, boolean) to authenticated;

-- May the caller receive p_extension (broadcast, presence) on p_topic?
create function social_private.can_read_topic(p_topic text, p_extension text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select social_private.check_topic(p_topic, p_extension, false);
$$;
comment on function social_private.can_read_topic(text, text) is
  'May the caller receive p_extension (broadcast or presence) on p_topic? The rule its domain '
  'registered in realtime_topics.';
grant execute on function social_private.can_read_topic(text, text) to authenticated;

-- May the caller send broadcasts (or track presence) on p_topic?
create function social_private.can_write_topic(p_topic text, p_extension text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select social_private.check_topic(p_topic, p_extension, true);
$$;
comment on function social_private.can_write_topic(text, text) is
  'May the caller send p_extension (broadcast or presence) on p_topic? The rule its domain '
  'registered in realtime_topics; false when it registered none.';
grant execute on function social_private.can_write_topic(text, text) to authenticated;

-- realtime.messages survives `supabase db reset` (the realtime schema is the platform's): drop
-- first. messages_select_own_user_topic was the notifications domain's own policy before the
-- dispatch.
drop policy if exists messages_select_own_user_topic on realtime.messages;
drop policy if exists messages_select_topic_reader on realtime.messages;
drop policy if exists messages_insert_topic_writer on realtime.messages;
-- a signed-in user receives on a topic when its domain's read check says so (Realtime evaluates
-- this on join, with realtime.topic() set to the channel's topic)
create policy messages_select_topic_reader on realtime.messages
  for select to authenticated
  using (
    topic = (select realtime.topic())
    and social_private.can_read_topic(topic, extension)
  );
-- a signed-in user sends broadcasts and tracks presence on a topic when its domain's write check
-- says so (client messages only; the database sends through realtime.send)
create policy messages_insert_topic_writer on realtime.messages
  for insert to authenticated
  with check (
    topic = (select realtime.topic())
    and social_private.can_write_topic(topic, extension)
  );

revoke execute on all functions in schema social, social_private from public;
