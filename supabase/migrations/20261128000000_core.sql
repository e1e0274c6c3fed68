-- Core: the `social` API schema, the private `social_private` schema, extensions, and the helpers
-- that several domains use:
--   raise_error          raise an error of a kind (invalid_input, not_found, ...) with a code
--                        from the closed list of error codes (in HINT)
--   require_user         the signed-in user, or not_authenticated
--   jsonb_arg            a jsonb RPC argument as sent (some servers pass objects as JSON strings)
--   handle_updated_at    the updated_at trigger function
--   check_rate_limit     writes per user and minute against social_private.rate_limit_rules
--                        (post 10, comment 30, reaction 120, report 10; editable in Studio);
--                        raises rate_limited (PT429, HTTP 429); service_role is not limited
--   feed_limit, encode_feed_cursor, decode_feed_cursor, decode_list_cursor
--                        page sizes and the opaque keyset cursors of every list
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
  'Writes a user may make per minute, per action (post, comment, reaction, report). Change a row '
  'to tune a limit; an action without a row is not limited.';
comment on column social_private.rate_limit_rules.action is
  'The write being limited, as check_rate_limit is called with it: post, comment, reaction or '
  'report.';
comment on column social_private.rate_limit_rules.per_minute is
  'Writes of this action one user may make per minute (a positive integer); the next one is '
  'refused with rate_limited.';
revoke all on social_private.rate_limit_rules from public, anon, authenticated;
grant all on social_private.rate_limit_rules to service_role;
insert into social_private.rate_limit_rules (action, per_minute) values
  ('post', 10),
  ('comment', 30),
  ('reaction', 120),
  ('report', 10);

-- unlogged: losing the counters on a crash only forgives one minute of writes
create unlogged table social_private.rate_limit_counters (
  user_id uuid not null,
  action text not null,
  window_start timestamptz not null,
  count integer not null default 0,
  primary key (user_id, action, window_start)
);
comment on table social_private.rate_limit_counters is
  'Writes per user, action and minute window. A user''s older windows are removed when a new one '
  'starts.';
comment on column social_private.rate_limit_counters.user_id is
  'The user whose writes are counted (auth.users.id); no foreign key, rows go with their window.';
comment on column social_private.rate_limit_counters.action is
  'The limited action (a rate_limit_rules.action).';
comment on column social_private.rate_limit_counters.window_start is
  'Start of the minute counted (date_trunc(''minute'', now())).';
comment on column social_private.rate_limit_counters.count is
  'Writes of this action by this user in this minute, including refused ones.';
revoke all on social_private.rate_limit_counters from public, anon, authenticated;
grant all on social_private.rate_limit_counters to service_role;

-- Count one `p_action` for the current user in this minute and refuse it (rate_limited, PT429)
-- beyond the rule's per_minute. service_role and sessions without a user are not limited.
-- Security definer: the counters are not the caller's to write.
create function social_private.check_rate_limit(p_action text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_limit integer;
  v_window timestamptz := date_trunc('minute', now());
  v_count integer;
begin
  if v_uid is null or coalesce((select auth.role()), '') = 'service_role' then
    return;
  end if;
  select r.per_minute into v_limit from social_private.rate_limit_rules r where r.action = p_action;
  if v_limit is null then
    return;
  end if;
  insert into social_private.rate_limit_counters as c (user_id, action, window_start, count)
  values (v_uid, p_action, v_window, 1)
  on conflict (user_id, action, window_start) do update set count = c.count + 1
  returning c.count into v_count;
  if v_count = 1 then
    -- a new window: the user's earlier windows for this action are over
    delete from social_private.rate_limit_counters c
    where c.user_id = v_uid and c.action = p_action and c.window_start < v_window;
  end if;
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
-- cursors and page sizes
-- =====================================================================================

-- Keys of a feed page (internal): one position in the `latest` or `top` order.
create type social_private.feed_key as (
  created_at timestamptz,
  hot_score double precision,
  id uuid
);
comment on type social_private.feed_key is
  'One position in a page order: created_at for latest, hot_score for top, and id as the '
  'tie-breaker. What a cursor decodes to.';

-- The helpers below are plpgsql, not sql: a sql function called from another function is parsed
-- and planned again on every call (PostgreSQL 15), plpgsql keeps its plans per session.

-- p_limit clamped to 1..50 (default 20)
create function social_private.feed_limit(p_limit integer)
returns integer
language plpgsql
immutable
set search_path = ''
as $$
begin
  return least(greatest(coalesce(p_limit, 20), 1), 50);
end;
$$;
comment on function social_private.feed_limit(integer) is
  'The page size to use: p_limit clamped to 1..50, 20 when null.';
grant execute on function social_private.feed_limit(integer) to anon, authenticated, service_role;

-- The opaque cursor for the position after (created_at | hot_score, id) in order p_order:
-- base64url of `l|<epoch microseconds>|<id>` or `t|<hot score>|<id>`. extra_float_digits = 1
-- prints the shortest text that reads back as exactly the same double.
create function social_private.encode_feed_cursor(
  p_order text,
  p_created_at timestamptz,
  p_hot_score double precision,
  p_id uuid
)
returns text
language plpgsql
stable
set search_path = ''
set extra_float_digits = 1
as $$
begin
  return translate(
    encode(convert_to(
      case p_order
        when 'top' then 't|' || p_hot_score::text
        else 'l|' || (extract(epoch from p_created_at) * 1000000)::bigint::text
      end || '|' || p_id::text, 'UTF8'), 'base64'),
    E'+/=\n', '-_');
end;
$$;
comment on function social_private.encode_feed_cursor(text, timestamptz, double precision, uuid) is
  'The opaque cursor (base64url text) for the position after a row in order p_order (latest or '
  'top). Clients pass it back unchanged.';
grant execute on function social_private.encode_feed_cursor(text, timestamptz, double precision, uuid)
  to anon, authenticated, service_role;

-- The keys after which a page in order p_order starts; the top of the feed when p_cursor is null.
-- Raises invalid_order / invalid_cursor (22023).
create function social_private.decode_feed_cursor(p_order text, p_cursor text)
returns social_private.feed_key
language plpgsql
stable
set search_path = ''
as $$
declare
  v_text text;
  v_parts text[];
  v_key social_private.feed_key;
begin
  if p_order is null or p_order not in ('latest', 'top') then
    perform social_private.raise_error('invalid_input', 'invalid_order', 'order must be latest or top');
  end if;
  if p_cursor is null then
    return row('infinity'::timestamptz, 'infinity'::double precision,
               'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)::social_private.feed_key;
  end if;
  begin
    v_text := convert_from(decode(
      rpad(translate(p_cursor, '-_', '+/'), ((char_length(p_cursor) + 3) / 4) * 4, '='), 'base64'), 'UTF8');
    v_parts := string_to_array(v_text, '|');
    if cardinality(v_parts) <> 3 or v_parts[1] <> left(p_order, 1) then
      raise exception 'cursor of another order';
    end if;
    if p_order = 'latest' then
      v_key := row(timestamptz 'epoch' + v_parts[2]::bigint * interval '1 microsecond',
                   null, v_parts[3]::uuid)::social_private.feed_key;
    else
      v_key := row(null, v_parts[2]::double precision, v_parts[3]::uuid)::social_private.feed_key;
    end if;
  exception when others then
    perform social_private.raise_error(
      'invalid_input', 'invalid_cursor', 'the cursor is not valid for this feed and order');
  end;
  return v_key;
end;
$$;
comment on function social_private.decode_feed_cursor(text, text) is
  'The position a page in order p_order (latest or top) starts after; the top of the list for a '
  'null cursor. Raises invalid_order or invalid_cursor (22023).';
grant execute on function social_private.decode_feed_cursor(text, text) to anon, authenticated, service_role;

-- Lists other than the feeds (reports, the moderation log, notifications) page like the latest
-- feed, newest first, with the same opaque cursors.
-- (created_at, id) of the position after which a page starts.
create function social_private.decode_list_cursor(p_cursor text)
returns social_private.feed_key
language sql
stable
set search_path = ''
as $$
  select social_private.decode_feed_cursor('latest', p_cursor);
$$;
comment on function social_private.decode_list_cursor(text) is
  'The position a page of a newest-first list (reports, moderation log, notifications) starts '
  'after; decode_feed_cursor in the latest order.';
grant execute on function social_private.decode_list_cursor(text) to authenticated, service_role;

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
