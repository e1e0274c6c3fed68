-- Supasocial platform layer for plain PostgreSQL 15: roles, default privileges,
-- extensions schema.
--
-- NEVER run this on a real Supabase project: everything here already exists
-- there (created by supabase/postgres' init scripts and migrations). It exists
-- so that our migrations and tests can run against a bare Postgres server.
--
-- Must be applied by a superuser. Idempotent: re-applying it changes nothing.
--
-- Follows supabase/postgres:
--   migrations/db/init-scripts/00000000000000-initial-schema.sql  (API roles, authenticator,
--     supabase_admin, extensions schema, default privileges, statement timeouts)
--   migrations/db/init-scripts/00000000000001-auth-schema.sql     (supabase_auth_admin)
--   migrations/db/init-scripts/00000000000002-storage-schema.sql  (supabase_storage_admin)
--   migrations/db/init-scripts/00000000000003-realtime-schema.sql (supabase_realtime_admin)
--   migrations/db/init-scripts/00000000000003-post-setup.sql      (search_path of postgres)
--   migrations/db/migrations/20230529180330_alter_api_roles_for_inherit.sql
--   migrations/db/migrations/20221028101028_set_authenticator_timeout.sql
--   migrations/db/migrations/20231130133139_set_lock_timeout_to_authenticator_role.sql
--   migrations/db/migrations/20251121141100_supabase_auth_admin_db_grants.sql
--   migrations/db/migrations/20260821154147_revoke_createrole_from_auth_admin.sql

-- ---------------------------------------------------------------------------
-- Roles
-- ---------------------------------------------------------------------------

do $roles$
begin
  -- Platform superuser. On Supabase it owns the platform schemas (auth, storage,
  -- realtime, extensions); `supabase db reset` keeps schemas it owns.
  if not exists (select from pg_catalog.pg_roles where rolname = 'supabase_admin') then
    create role supabase_admin superuser createrole createdb replication bypassrls login;
  end if;

  -- API roles that PostgREST / Realtime / Storage switch to (`set role`).
  -- Created NOINHERIT as in the init script; supabase/postgres later flips them
  -- to INHERIT (20230529180330), which is what hosted projects have today.
  if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;

  -- The login role the API servers connect as before switching role.
  -- No password is set here (Supabase injects it); set one yourself if you need
  -- to log in as authenticator.
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;

  -- Service owners of the platform tables.
  if not exists (select from pg_catalog.pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login noinherit noreplication;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'supabase_storage_admin') then
    create role supabase_storage_admin login noinherit createrole noreplication;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'supabase_realtime_admin') then
    create role supabase_realtime_admin login noinherit createrole replication;
  end if;
end
$roles$;

-- Attributes as hosted Supabase has them today (no-ops when already so).
alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit;
alter role supabase_auth_admin nocreaterole;

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to supabase_realtime_admin;

-- Per-role settings, as set by supabase/postgres.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role supabase_admin set search_path = "$user", public, auth, extensions;
alter role supabase_auth_admin set search_path = auth;
alter role supabase_storage_admin set search_path = storage;
alter role supabase_realtime_admin set search_path = public, extensions, realtime;

do $settings$
begin
  if exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
    alter role postgres set search_path = "$user", public, extensions;
  end if;
end
$settings$;

-- realtime.list_changes lowers log_min_messages; Supabase lets its owner do so.
grant set on parameter log_min_messages to supabase_realtime_admin;

-- The service admins create their own objects in the database.
do $dbgrants$
begin
  execute format(
    'grant create on database %I to supabase_auth_admin, supabase_storage_admin, supabase_realtime_admin',
    current_database()
  );
end
$dbgrants$;

-- ---------------------------------------------------------------------------
-- Schema public: usage and default privileges for the API roles
-- ---------------------------------------------------------------------------

grant usage on schema public to anon, authenticated, service_role;
grant create, usage on schema public to supabase_realtime_admin;

-- Objects that postgres (the role migrations run as) and supabase_admin create
-- in public are granted to the API roles, so that RLS policies, not table
-- privileges, decide access. This matches a hosted project's defaults.
do $defaults$
declare
  owner_role text;
begin
  foreach owner_role in array array['postgres', 'supabase_admin'] loop
    if exists (select from pg_catalog.pg_roles where rolname = owner_role) then
      execute format('alter default privileges for role %I in schema public grant all on tables to postgres, anon, authenticated, service_role', owner_role);
      execute format('alter default privileges for role %I in schema public grant all on sequences to postgres, anon, authenticated, service_role', owner_role);
      execute format('alter default privileges for role %I in schema public grant all on functions to postgres, anon, authenticated, service_role', owner_role);
    end if;
  end loop;
end
$defaults$;

-- ---------------------------------------------------------------------------
-- Schema extensions
-- ---------------------------------------------------------------------------

-- Owned by supabase_admin so that `supabase db reset --db-url` keeps it.
create schema if not exists extensions authorization supabase_admin;
alter schema extensions owner to supabase_admin;

create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;

grant usage on schema extensions to postgres, anon, authenticated, service_role, supabase_realtime_admin;
grant all on schema extensions to postgres;
