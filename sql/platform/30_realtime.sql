-- Supasocial platform layer for plain PostgreSQL 15: the `realtime` schema
-- subset that database code relies on for Broadcast: realtime.messages (RLS
-- on, so that our policies decide who may send and receive), realtime.topic(),
-- realtime.send() and realtime.broadcast_changes(), plus the (empty)
-- supabase_realtime publication that Postgres Changes migrations add tables to.
--
-- Nothing here delivers messages: on Supabase the Realtime server reads
-- realtime.messages by logical replication; the local stack's Realtime
-- development server (scripts/realtime) does the same, creating the
-- publication supabase_realtime_messages_publication itself as Supabase's
-- server does. The rows stay in the table, which lets tests assert what was
-- broadcast.
--
-- NEVER run this on a real Supabase project. Requires 00_roles.sql. Must be
-- applied by a superuser. Idempotent.
--
-- Follows:
--   supabase/postgres migrations/db/init-scripts/00000000000000-initial-schema.sql (publication)
--   supabase/postgres migrations/db/init-scripts/00000000000003-realtime-schema.sql
--   supabase/postgres migrations/db/migrations/20260506172403_grant_realtime_schema_to_postgres_with_grant_option.sql
--   supabase/realtime priv/repo/tenant_db_dump_15.sql (current tenant schema: messages,
--     topic(), send(), broadcast_changes(), grants, owners), built from
--   supabase/realtime lib/realtime/tenants/repo/migrations/*.ex, in particular
--     20241030150047_messages_partitioning, 20241108114728_messages_using_uuid,
--     20241220123912_realtime_send_handle_exceptions_remove_partition_creation,
--     20250128220012_realtime_send_sets_topic_config, 20250905041441_create_messages_replay_index,
--     20251103001201_broadcast_send_include_payload_id, 20260514120000_add_binary_payload_to_messages,
--     20260605120000_rename_broadcast_send_warning, 20260707120000_restrict_realtime_schema

create schema if not exists realtime authorization supabase_admin;
alter schema realtime owner to supabase_admin;

grant usage on schema realtime to anon, authenticated, service_role;
grant usage on schema realtime to postgres with grant option;
grant all on schema realtime to supabase_realtime_admin with grant option;

alter default privileges for role supabase_admin in schema realtime grant all on tables to postgres;
alter default privileges for role supabase_admin in schema realtime grant all on sequences to postgres;
alter default privileges for role supabase_admin in schema realtime grant all on functions to postgres;

-- ---------------------------------------------------------------------------
-- Publication for Postgres Changes (created empty, as on Supabase)
-- ---------------------------------------------------------------------------

do $publication$
begin
  if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$publication$;

alter publication supabase_realtime owner to supabase_admin;

-- ---------------------------------------------------------------------------
-- realtime.messages
-- ---------------------------------------------------------------------------

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone not null default now(),
  inserted_at timestamp without time zone not null default now(),
  id uuid not null default gen_random_uuid(),
  binary_payload bytea,
  constraint messages_pkey primary key (id, inserted_at)
) partition by range (inserted_at);

alter table realtime.messages add column if not exists binary_payload bytea;

do $messages_check$
begin
  if not exists (select from pg_catalog.pg_constraint
                 where conrelid = 'realtime.messages'::regclass and conname = 'messages_payload_exclusive') then
    alter table realtime.messages add constraint messages_payload_exclusive
      check (payload is null or binary_payload is null);
  end if;
end
$messages_check$;

-- Supabase's Realtime server creates one partition per day (messages_YYYY_MM_DD)
-- and drops old ones. Nothing does that here, so a default partition catches
-- every row and inserts never fail for want of a partition.
create table if not exists realtime.messages_default
  partition of realtime.messages default;

create index if not exists messages_inserted_at_topic_index
  on realtime.messages using btree (inserted_at desc, topic)
  where extension = 'broadcast' and private is true;

alter table realtime.messages enable row level security;
-- Not done upstream (its daily partitions have neither RLS nor grants); here it
-- keeps the partition closed even if something grants on it directly.
alter table realtime.messages_default enable row level security;

alter table realtime.messages owner to supabase_realtime_admin;
alter table realtime.messages_default owner to supabase_realtime_admin;

-- Table privileges let the API roles reach the table; RLS policies decide rows.
-- The revokes restore exactly Supabase's set if something (e.g. @supabase/lite)
-- granted more.
grant all on table realtime.messages to postgres;
revoke all on table realtime.messages, realtime.messages_default from anon, authenticated, service_role;
grant select, insert, update on table realtime.messages to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------
-- realtime.topic(): the topic being authorized / sent to, for use in policies.
-- ---------------------------------------------------------------------------

create or replace function realtime.topic()
returns text
language sql
stable
as $fn$
  select nullif(current_setting('realtime.topic', true), '')::text
$fn$;

-- ---------------------------------------------------------------------------
-- realtime.send(): queue one Broadcast message.
-- Runs with the caller's privileges, so RLS on realtime.messages applies (call
-- it from a security definer function to bypass that). It never raises: any
-- failure (RLS denial, null topic, ...) becomes a WARNING
-- "WarnSendingBroadcastMessage: <error>" and nothing is inserted. The payload
-- gets an "id" key (the message id) unless it already has one, and
-- realtime.topic is set to the topic for the rest of the transaction.
-- ---------------------------------------------------------------------------

create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $fn$
declare
  message_id uuid;
  message_payload jsonb;
begin
  begin
    message_id := gen_random_uuid();

    message_payload := case
      when payload ? 'id' then payload
      else jsonb_set(payload, '{id}', to_jsonb(message_id))
    end;

    execute format('set local realtime.topic to %L', topic);

    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (message_id, message_payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end
$fn$;

-- ---------------------------------------------------------------------------
-- realtime.broadcast_changes(): for row-level triggers, e.g.
--   perform realtime.broadcast_changes('room:' || new.room_id, tg_op, tg_op,
--     tg_table_name, tg_table_schema, new, old);
-- Sends {old_record, record, operation, table, schema} through realtime.send
-- (private). Raises for statement-level use or an unknown operation.
-- ---------------------------------------------------------------------------

create or replace function realtime.broadcast_changes(
  topic_name text,
  event_name text,
  operation text,
  table_name text,
  table_schema text,
  new record,
  old record,
  level text default 'ROW'
)
returns void
language plpgsql
as $fn$
declare
  change jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;

  if operation in ('INSERT', 'UPDATE', 'DELETE') then
    change := jsonb_build_object(
      'old_record', old,
      'record', new,
      'operation', operation,
      'table', table_name,
      'schema', table_schema
    );
    perform realtime.send(change, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
exception
  when others then
    raise exception 'Failed to process the row: %', sqlerrm;
end
$fn$;

alter function realtime.topic() owner to supabase_realtime_admin;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text) owner to supabase_realtime_admin;

-- EXECUTE stays granted to PUBLIC, as on Supabase (so anon / authenticated /
-- service_role can call these); postgres is named as upstream does.
grant all on function realtime.topic() to postgres;
grant all on function realtime.send(jsonb, text, text, boolean) to postgres;
grant all on function realtime.broadcast_changes(text, text, text, text, text, record, record, text) to postgres;

-- Realtime evaluates policies that call auth.* helpers.
do $auth_grants$
begin
  if exists (select from pg_catalog.pg_namespace where nspname = 'auth') then
    grant usage on schema auth to supabase_realtime_admin;
    grant execute on all functions in schema auth to supabase_realtime_admin;
  end if;
end
$auth_grants$;
