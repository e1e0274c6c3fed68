-- A call in a policy that does not depend on the row (auth.uid(), auth.jwt(), auth.role(),
-- auth.email(), and any other function of ours called without arguments, such as
-- social_private.my_group_ids()) is wrapped in `(select ...)`, so Postgres evaluates it once per
-- statement (an init plan) instead of once per row.
-- Read from the stored expression tree (function oids, not names), so the result does not depend
-- on the session's search_path: a call counts as wrapped when it is the whole select list of a
-- `(select ...)` without FROM.
-- Checked: the policies of schema social and ours on storage.objects (named social_%).
with trees as (
  select format('%I on %I.%I', pol.polname, n.nspname, c.relname) as object, t.tree
  from pg_catalog.pg_policy pol
  join pg_catalog.pg_class c on c.oid = pol.polrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  cross join lateral (values (pol.polqual::text), (pol.polwithcheck::text)) as t(tree)
  where (n.nspname = 'social' or (n.nspname = 'storage' and pol.polname like 'social\_%')) and t.tree is not null
),
calls as (
  select p.oid, format('%I.%I()', fn.nspname, p.proname) as name
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace fn on fn.oid = p.pronamespace
  where fn.nspname in ('auth', 'realtime', 'social', 'social_private')
    and p.pronargs = 0
    and p.prokind = 'f'
    and p.provolatile <> 'i'
)
select distinct t.object, f.name || ' is not wrapped in (select ...)' as detail
from trees t
cross join calls f
where pg_catalog.strpos(t.tree, '{FUNCEXPR :funcid ' || f.oid || ' ') > 0
  and (select count(*) from pg_catalog.regexp_matches(t.tree, '\{FUNCEXPR :funcid ' || f.oid || ' ', 'g'))
    > (select count(*) from pg_catalog.regexp_matches(t.tree,
         '\{FROMEXPR :fromlist <> :quals <>\}[^{]*:targetList \(\{TARGETENTRY :expr \{FUNCEXPR :funcid '
         || f.oid || ' [^{}]*\} :resno ', 'g'));
