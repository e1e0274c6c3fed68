-- Supasocial foundation: the `social` API schema, the private `social_private` schema, and the
-- helpers every domain migration uses (stable errors, the current user, extensions).

-- =====================================================================================
-- schemas
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

-- New functions are executable by PUBLIC unless revoked (per-schema default privileges cannot
-- take that away), so every migration ends with
--   revoke execute on all functions in schema social, social_private from public;
-- and grants execute explicitly.

-- =====================================================================================
-- functions
-- =====================================================================================

-- Raise an error with a stable, machine-readable code. The code travels in `hint` (PostgREST and
-- postgres.js return it as `hint`); p_sqlstate says what kind of error it is:
--   22023 invalid input (HTTP 400), 42501 forbidden (403),
--   P0002 not found, 23505 conflict, 54000 rate limited.
-- The last three are raised as PostgREST's custom-status SQLSTATEs PT404, PT409 and PT429, so the
-- Data API answers 404, 409 and 429 and keeps the hint (PostgREST would answer P0002 with 400, and
-- @supabase/lite drops the hint of P0002, 23505 and 54000). Constraint violations that Postgres
-- raises itself keep their own SQLSTATE (e.g. 23505 for a taken handle).
create function social_private.raise_error(
  p_code text,
  p_message text,
  p_sqlstate text default '22023'
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
    errcode = case p_sqlstate
      when 'P0002' then 'PT404'
      when '23505' then 'PT409'
      when '54000' then 'PT429'
      else p_sqlstate
    end;
end;
$$;
comment on function social_private.raise_error(text, text, text) is
  'Raises p_message with SQLSTATE p_sqlstate and the stable Supasocial error code in HINT.';
grant execute on function social_private.raise_error(text, text, text)
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
    perform social_private.raise_error('not_authenticated', 'sign in first', '42501');
  end if;
  return v_uid;
end;
$$;
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

revoke execute on all functions in schema social, social_private from public;
