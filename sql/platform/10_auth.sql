-- Supasocial platform layer for plain PostgreSQL 15: the `auth` schema subset
-- that database code (RLS policies, triggers, foreign keys) relies on:
-- auth.users and auth.uid() / auth.role() / auth.email() / auth.jwt().
--
-- NEVER run this on a real Supabase project. Requires 00_roles.sql. Must be
-- applied by a superuser. Idempotent, and convergent: if an auth server
-- (e.g. @supabase/lite with driver = "postgres") created auth.users first,
-- the missing GoTrue columns are added instead of failing.
--
-- Follows:
--   supabase/postgres migrations/db/init-scripts/00000000000001-auth-schema.sql
--     (schema owned by supabase_admin, grants to API roles and supabase_auth_admin)
--   supabase/postgres migrations/db/migrations/10000000000000_demote-postgres.sql
--   supabase/postgres migrations/db/migrations/20211115181400_update-auth-permissions.sql
--   supabase/postgres migrations/db/migrations/20211124212715_update-auth-owner.sql
--   supabase/auth migrations/*.up.sql for auth.users and its indexes:
--     00_init_auth_schema, 20210710035447_alter_users, 20210722035447_adds_confirmed_at,
--     20210730183235_add_email_change_confirmed, 20220114185221_update_user_idx,
--     20220114185340_add_banned_until, 20220323170000_add_user_reauthentication,
--     20220429102000_add_unique_idx, 20221215195500_modify_users_email_unique_index,
--     20230116124310_alter_phone_type, 20230116124412_add_deleted_at,
--     20240214120130_add_is_anonymous_column, 20240612123726_enable_rls_update_grants
--   supabase/auth migrations for the helper functions:
--     20220224000811_update_auth_functions (uid, role, email), 20220531120530_add_auth_jwt_function

create schema if not exists auth authorization supabase_admin;
alter schema auth owner to supabase_admin;

grant usage on schema auth to anon, authenticated, service_role;
grant all on schema auth to supabase_auth_admin;
grant usage on schema auth to postgres, supabase_realtime_admin;

-- ---------------------------------------------------------------------------
-- auth.users (GoTrue's column set, types, defaults, constraints)
-- ---------------------------------------------------------------------------

create table if not exists auth.users (
  instance_id uuid null,
  id uuid not null,
  constraint users_pkey primary key (id)
);

-- Column by column so that a table created by someone else converges too.
alter table auth.users
  add column if not exists instance_id uuid null,
  add column if not exists aud varchar(255) null,
  add column if not exists role varchar(255) null,
  add column if not exists email varchar(255) null,
  add column if not exists encrypted_password varchar(255) null,
  add column if not exists email_confirmed_at timestamptz null,
  add column if not exists invited_at timestamptz null,
  add column if not exists confirmation_token varchar(255) null,
  add column if not exists confirmation_sent_at timestamptz null,
  add column if not exists recovery_token varchar(255) null,
  add column if not exists recovery_sent_at timestamptz null,
  add column if not exists email_change_token_new varchar(255) null,
  add column if not exists email_change varchar(255) null,
  add column if not exists email_change_sent_at timestamptz null,
  add column if not exists last_sign_in_at timestamptz null,
  add column if not exists raw_app_meta_data jsonb null,
  add column if not exists raw_user_meta_data jsonb null,
  add column if not exists is_super_admin boolean null,
  add column if not exists created_at timestamptz null,
  add column if not exists updated_at timestamptz null,
  add column if not exists phone text null default null unique,
  add column if not exists phone_confirmed_at timestamptz null default null,
  add column if not exists phone_change text null default '',
  add column if not exists phone_change_token varchar(255) null default '',
  add column if not exists phone_change_sent_at timestamptz null default null,
  add column if not exists confirmed_at timestamptz
    generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  add column if not exists email_change_token_current varchar(255) null default '',
  add column if not exists email_change_confirm_status smallint default 0
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  add column if not exists banned_until timestamptz null,
  add column if not exists reauthentication_token varchar(255) null default '',
  add column if not exists reauthentication_sent_at timestamptz null default null,
  add column if not exists is_sso_user boolean not null default false,
  add column if not exists deleted_at timestamptz null,
  add column if not exists is_anonymous boolean not null default false;

comment on table auth.users is 'Auth: Stores user login data within a secure schema.';
comment on column auth.users.is_sso_user is 'Auth: Set this column to true when the account comes from SSO. These accounts can have duplicate emails.';

create index if not exists users_instance_id_idx on auth.users using btree (instance_id);
create index if not exists users_instance_id_email_idx on auth.users using btree (instance_id, lower(email));
create unique index if not exists users_email_partial_key on auth.users (email) where (is_sso_user = false);
comment on index auth.users_email_partial_key is 'Auth: A partial unique index that applies only when is_sso_user is false';
create index if not exists users_is_anonymous_idx on auth.users using btree (is_anonymous);

-- One-time token columns are unique unless empty, blank or a purely numeric OTP.
create unique index if not exists confirmation_token_idx on auth.users using btree (confirmation_token)
  where confirmation_token !~ '^[0-9 ]*$';
create unique index if not exists recovery_token_idx on auth.users using btree (recovery_token)
  where recovery_token !~ '^[0-9 ]*$';
create unique index if not exists email_change_token_current_idx on auth.users using btree (email_change_token_current)
  where email_change_token_current !~ '^[0-9 ]*$';
create unique index if not exists email_change_token_new_idx on auth.users using btree (email_change_token_new)
  where email_change_token_new !~ '^[0-9 ]*$';
create unique index if not exists reauthentication_token_idx on auth.users using btree (reauthentication_token)
  where reauthentication_token !~ '^[0-9 ]*$';

alter table auth.users enable row level security;
alter table auth.users owner to supabase_auth_admin;

-- No table privileges for anon / authenticated / service_role anywhere in
-- auth, as on Supabase: reach user data through your own tables or security
-- definer code. (The revoke also undoes the blanket grants @supabase/lite makes
-- on every schema that has an RLS-enabled table; see README.md.)
revoke all on all tables in schema auth from anon, authenticated, service_role;
grant all on table auth.users to supabase_auth_admin;
grant all on table auth.users to postgres;
grant select on table auth.users to postgres with grant option;

-- ---------------------------------------------------------------------------
-- JWT helpers. PostgREST (and Realtime / Storage) put the verified JWT claims
-- in the transaction setting request.jwt.claims (JSON text); older PostgREST
-- versions set one setting per claim (request.jwt.claim.sub, ...), which is
-- still consulted first. An empty string counts as unset.
-- ---------------------------------------------------------------------------

create or replace function auth.uid()
returns uuid
language sql
stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
  )::uuid
$fn$;

create or replace function auth.role()
returns text
language sql
stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
  )::text
$fn$;

create or replace function auth.email()
returns text
language sql
stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'
  )::text
$fn$;

create or replace function auth.jwt()
returns jsonb
language sql
stable
as $fn$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$fn$;

comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;

-- EXECUTE stays granted to PUBLIC (the Postgres default, as on Supabase); the
-- API roles are also named explicitly.
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
  to anon, authenticated, service_role, postgres, supabase_realtime_admin;
