-- Make `postgres` what it is on a database that Supabase built: not a superuser, with the
-- attributes, memberships and grants Supabase gives it. Used by the test suite to build, on plain
-- PostgreSQL 15, a database that looks to `postgres` as `supabase start`, a branch or a hosted
-- project does (tests/setup/supabase-roles.ts), then run the migrations and the DB suite as
-- `postgres` on it.
--
-- NEVER run this on a real database. Run it after sql/platform/, as a superuser other than
-- `postgres` (on Supabase that is `supabase_admin`, the cluster's bootstrap superuser).
--
-- Follows supabase/postgres:
--   migrations/db/migrations/10000000000000_demote-postgres.sql        (attributes, grants)
--   migrations/db/migrations/20230201083204_grant_auth_roles_to_postgres.sql
--   migrations/db/migrations/20250421084701_revoke_admin_roles_from_postgres.sql (no CREATE on
--     auth, storage, realtime; no membership in their admin roles)
--   migrations/db/migrations/20260506172403_grant_realtime_schema_to_postgres_with_grant_option.sql
--   ansible/files/postgresql_config/conf.d/supautils.conf              (what supautils lets
--     `postgres` do beyond its grants: see the end of this file)
-- The table and function grants on auth.users, storage.* and realtime.* are in sql/platform/.

alter role postgres nosuperuser createdb createrole login replication bypassrls inherit;

do $db$
begin
  execute format('grant all on database %I to postgres', current_database());
end
$db$;

grant all on schema extensions to postgres;
grant all on all tables in schema extensions to postgres;
grant all on all sequences in schema extensions to postgres;
grant all on all routines in schema extensions to postgres;

-- usage only: CREATE on the platform schemas was revoked in 20250421084701
grant usage on schema auth, storage to postgres;
revoke create on schema auth, storage, realtime from postgres;
grant usage on schema realtime to postgres with grant option;
grant all on all tables in schema auth to postgres;
grant all on all sequences in schema auth to postgres;
grant all on all routines in schema auth to postgres;
grant all on all tables in schema storage to postgres;
grant all on all sequences in schema storage to postgres;
grant all on all routines in schema storage to postgres;

-- `postgres` may switch to the API roles (the SQL editor's "run as", PostgREST-style tests)
grant anon, authenticated, service_role to postgres;

-- supautils.privileged_role_allowed_configs: settings `postgres` may change although they need a
-- superuser in plain Postgres (the ones that exist in core PostgreSQL 15; extension settings such
-- as auto_explain.* and pgrst.* are left out).
grant set on parameter
  log_lock_waits, log_min_duration_statement, log_min_messages, log_parameter_max_length,
  log_replication_commands, log_statement, log_temp_files, session_replication_role,
  track_io_timing, wal_compression
  to postgres;

-- supautils.privileged_extensions: pgcrypto, uuid-ossp, citext, pg_trgm, btree_gist and the other
-- contrib extensions we use are "trusted" in PostgreSQL 15, so CREATE on the database (above) is
-- enough; supautils would create them as supabase_admin instead.

-- supautils.policy_grants and supautils.drop_trigger_grants: `postgres` may create, alter and drop
-- policies on, and drop triggers from, the platform tables (auth.users, storage.objects,
-- realtime.messages, ...) that it does not own; supautils runs those commands as the table's owner.
-- Plain Postgres has no such hook, so membership in the owners' roles stands in for it. That lets
-- `postgres` do more than supautils would (alter the tables, replace auth.uid()); the suite checks
-- that the migrations changed nothing in auth, storage and realtime but policies and triggers
-- (tests/supabase/roles.test.ts).
grant supabase_auth_admin, supabase_storage_admin, supabase_realtime_admin to postgres;
