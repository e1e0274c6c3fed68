-- Supasocial platform layer for plain PostgreSQL 15: the `storage` schema
-- subset that database code relies on: storage.buckets, storage.objects (with
-- RLS on, so that our policies decide access), the path helpers used in
-- policies, and the operation helpers.
--
-- NEVER run this on a real Supabase project. Requires 00_roles.sql. Must be
-- applied by a superuser. Idempotent, and convergent with a storage schema that
-- another tool created first (missing columns are added).
--
-- Follows:
--   supabase/postgres migrations/db/init-scripts/00000000000002-storage-schema.sql
--     (schema owned by supabase_admin, supabase_storage_admin, grants, default privileges)
--   supabase/storage migrations/tenant/*.sql, the net result of:
--     0002-storage-schema (tables, bname, bucketid_objname, name_prefix_search, helpers),
--     0003-pathtoken-column, 0007-add-rls-to-buckets, 0008-add-public-to-buckets,
--     0011-add-trigger-to-auto-update-updated_at-column, 0012-add-automatic-avif-detection-flag,
--     0013/0014 (file_size_limit, allowed_mime_types), 0016-add-version,
--     0018-add_owner_id_column_deprecate_owner, 0019-alter-default-value-objects-id,
--     0020 (idx_objects_bucket_id_name), 0024-operation-function, 0025-custom-metadata,
--     0037-add-bucket-name-length-trigger, 0038/0044 (storage.buckettype, buckets.type),
--     0046/0049 (grants on buckets and objects), 0051 (idx_objects_bucket_id_name_lower),
--     0052 (objects.level dropped), 0055-prevent-direct-deletes, 0058-operation-ergonomics,
--     0060/0061 (immutable path helpers), 0062-object-versioning-core

create schema if not exists storage authorization supabase_admin;
alter schema storage owner to supabase_admin;

grant usage on schema storage to postgres, anon, authenticated, service_role;
grant all on schema storage to supabase_storage_admin with grant option;

alter default privileges for role supabase_storage_admin in schema storage
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on sequences to postgres, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Types
-- ---------------------------------------------------------------------------

do $types$
begin
  if not exists (
    select from pg_catalog.pg_type t
    join pg_catalog.pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'storage' and t.typname = 'buckettype'
  ) then
    create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');
  end if;
end
$types$;

alter type storage.buckettype owner to supabase_storage_admin;

-- ---------------------------------------------------------------------------
-- storage.buckets
-- ---------------------------------------------------------------------------

create table if not exists storage.buckets (
  id text not null,
  name text not null,
  constraint buckets_pkey primary key (id)
);

alter table storage.buckets
  add column if not exists owner uuid,
  add column if not exists created_at timestamptz default now(),
  add column if not exists updated_at timestamptz default now(),
  add column if not exists public boolean default false,
  add column if not exists avif_autodetection boolean default false,
  add column if not exists file_size_limit bigint default null,
  add column if not exists allowed_mime_types text[] default null,
  add column if not exists owner_id text default null,
  add column if not exists type storage.buckettype not null default 'STANDARD',
  add column if not exists versioning_status text not null default 'DISABLED';

comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';

create unique index if not exists bname on storage.buckets using btree (name);

do $bucket_checks$
begin
  if not exists (select from pg_catalog.pg_constraint
                 where conrelid = 'storage.buckets'::regclass and conname = 'buckets_versioning_status_check') then
    alter table storage.buckets add constraint buckets_versioning_status_check
      check (versioning_status in ('DISABLED', 'ENABLED', 'SUSPENDED'));
  end if;
  if not exists (select from pg_catalog.pg_constraint
                 where conrelid = 'storage.buckets'::regclass and conname = 'buckets_versioning_standard_only_check') then
    alter table storage.buckets add constraint buckets_versioning_standard_only_check
      check (type = 'STANDARD' or versioning_status = 'DISABLED');
  end if;
  -- Versioning is not switched on anywhere yet ("dark" schema upstream).
  if not exists (select from pg_catalog.pg_constraint
                 where conrelid = 'storage.buckets'::regclass and conname = 'buckets_versioning_dark_check') then
    alter table storage.buckets add constraint buckets_versioning_dark_check
      check (versioning_status = 'DISABLED');
  end if;
end
$bucket_checks$;

-- ---------------------------------------------------------------------------
-- storage.objects
-- ---------------------------------------------------------------------------

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid(),
  constraint objects_pkey primary key (id)
);

alter table storage.objects
  alter column id set default gen_random_uuid(),
  add column if not exists bucket_id text,
  add column if not exists name text,
  add column if not exists owner uuid,
  add column if not exists created_at timestamptz default now(),
  add column if not exists updated_at timestamptz default now(),
  add column if not exists last_accessed_at timestamptz default now(),
  add column if not exists metadata jsonb,
  add column if not exists path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  add column if not exists version text default null,
  add column if not exists owner_id text default null,
  add column if not exists user_metadata jsonb null,
  add column if not exists archived_at timestamptz,
  add column if not exists is_delete_marker boolean not null default false,
  add column if not exists is_versioned boolean not null default false;

comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';

do $objects_fk$
begin
  -- Any foreign key from objects.bucket_id to buckets.id will do; Storage names it "objects_bucketId_fkey".
  if not exists (
    select from pg_catalog.pg_constraint c
    where c.conrelid = 'storage.objects'::regclass
      and c.contype = 'f'
      and c.confrelid = 'storage.buckets'::regclass
  ) then
    alter table storage.objects
      add constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id);
  end if;
end
$objects_fk$;

create unique index if not exists bucketid_objname on storage.objects using btree (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);
create index if not exists idx_objects_bucket_id_name on storage.objects (bucket_id, (name collate "C"));
create index if not exists idx_objects_bucket_id_name_lower on storage.objects (bucket_id, (lower(name) collate "C"));

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;

grant all on table storage.buckets, storage.objects to anon, authenticated, service_role;
grant all on table storage.buckets, storage.objects to postgres with grant option;
grant all on table storage.buckets, storage.objects to supabase_storage_admin with grant option;

-- ---------------------------------------------------------------------------
-- Triggers
-- ---------------------------------------------------------------------------

create or replace function storage.update_updated_at_column()
returns trigger
language plpgsql
as $fn$
begin
  new.updated_at := now();
  return new;
end
$fn$;

create or replace trigger update_objects_updated_at
  before update on storage.objects
  for each row execute function storage.update_updated_at_column();

create or replace function storage.enforce_bucket_name_length()
returns trigger
language plpgsql
as $fn$
begin
  if length(new.name) > 100 then
    raise exception 'bucket name "%" is too long (% characters). Max is 100.', new.name, length(new.name);
  end if;
  return new;
end
$fn$;

create or replace trigger enforce_bucket_name_length_trigger
  before insert or update of name on storage.buckets
  for each row execute function storage.enforce_bucket_name_length();

-- Rows in storage tables are deleted through the Storage API, which sets
-- storage.allow_delete_query = 'true' for its own transaction. Plain DELETEs
-- from SQL (migrations, triggers, test clean-up) fail here exactly as they do
-- on Supabase; set that setting locally if you really mean it.
create or replace function storage.protect_delete()
returns trigger
language plpgsql
as $fn$
begin
  if coalesce(current_setting('storage.allow_delete_query', true), 'false') <> 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using hint = 'This prevents accidental data loss from orphaned objects.',
            errcode = '42501';
  end if;
  return null;
end
$fn$;

create or replace trigger protect_buckets_delete
  before delete on storage.buckets
  for each statement execute function storage.protect_delete();

create or replace trigger protect_objects_delete
  before delete on storage.objects
  for each statement execute function storage.protect_delete();

-- ---------------------------------------------------------------------------
-- Path helpers (used in policies: storage.foldername(name))[1] = auth.uid()::text)
-- For an object name 'a/b/c.png': foldername = {a,b}, filename = 'c.png',
-- extension = 'png'. A name without a dot yields the whole file name as its
-- "extension", as upstream does.
-- ---------------------------------------------------------------------------

create or replace function storage.foldername(name text)
returns text[]
language plpgsql
immutable
as $fn$
declare
  segments text[] := string_to_array(name, '/');
begin
  -- every segment but the last one
  return segments[1 : array_length(segments, 1) - 1];
end
$fn$;

create or replace function storage.filename(name text)
returns text
language plpgsql
immutable
as $fn$
declare
  segments text[] := string_to_array(name, '/');
begin
  return segments[array_length(segments, 1)];
end
$fn$;

create or replace function storage.extension(name text)
returns text
language plpgsql
immutable
as $fn$
declare
  segments text[] := string_to_array(name, '/');
  last_segment text := segments[array_length(segments, 1)];
begin
  -- the text after the last '.'
  return reverse(split_part(reverse(last_segment), '.', 1));
end
$fn$;

-- ---------------------------------------------------------------------------
-- Operation helpers: the Storage API sets storage.operation (e.g.
-- 'storage.object.upload') for the transaction in which it runs policies.
-- ---------------------------------------------------------------------------

create or replace function storage.operation()
returns text
language plpgsql
stable
as $fn$
begin
  return current_setting('storage.operation', true);
end
$fn$;

create or replace function storage.allow_only_operation(expected_operation text)
returns boolean
language sql
stable
as $fn$
  with op as (
    select
      case when raw like 'storage.%' then substr(raw, 9) else raw end as current_op,
      case when expected_operation like 'storage.%' then substr(expected_operation, 9)
           else expected_operation end as wanted_op
    from (select storage.operation() as raw) s
  )
  select case
    when wanted_op is null or wanted_op = '' then false
    else coalesce(current_op = wanted_op, false)
  end
  from op
$fn$;

create or replace function storage.allow_any_operation(expected_operations text[])
returns boolean
language sql
stable
as $fn$
  select exists (
    select
    from (
      select case when raw like 'storage.%' then substr(raw, 9) else raw end as current_op
      from (select storage.operation() as raw) s
    ) op
    cross join lateral unnest(expected_operations) as wanted(op_name)
    where wanted.op_name is not null
      and wanted.op_name <> ''
      and op.current_op = case when wanted.op_name like 'storage.%' then substr(wanted.op_name, 9)
                               else wanted.op_name end
  )
$fn$;

alter function storage.update_updated_at_column() owner to supabase_storage_admin;
alter function storage.enforce_bucket_name_length() owner to supabase_storage_admin;
alter function storage.protect_delete() owner to supabase_storage_admin;
alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;
alter function storage.operation() owner to supabase_storage_admin;
alter function storage.allow_only_operation(text) owner to supabase_storage_admin;
alter function storage.allow_any_operation(text[]) owner to supabase_storage_admin;

grant execute on function
  storage.foldername(text), storage.filename(text), storage.extension(text),
  storage.operation(), storage.allow_only_operation(text), storage.allow_any_operation(text[])
  to postgres, anon, authenticated, service_role;
