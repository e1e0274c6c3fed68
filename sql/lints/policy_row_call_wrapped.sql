-- `(select ...)` in a policy wraps only what does not depend on the row. Around a call that takes
-- a column (`(select f(group_id))`) it makes no init plan, only a subquery per row: call it
-- unwrapped.
-- Read from the stored expression tree, so the result does not depend on the session's
-- search_path: a `(select ...)` without FROM whose select list reads a column of the policy's
-- row (a Var one query level up).
-- Checked: the policies of schema social and ours on storage.objects (named social_%).
with trees as (
  select format('%I on %I.%I', pol.polname, n.nspname, c.relname) as object, t.tree
  from pg_catalog.pg_policy pol
  join pg_catalog.pg_class c on c.oid = pol.polrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  cross join lateral (values (pol.polqual::text), (pol.polwithcheck::text)) as t(tree)
  where (n.nspname = 'social' or (n.nspname = 'storage' and pol.polname like 'social\_%')) and t.tree is not null
),
wrapped as (
  select t.object,
         pg_catalog.split_part(pg_catalog.split_part(s.piece, ':targetList ({TARGETENTRY :expr ', 2),
                               ' :resno ', 1) as target
  from trees t
  cross join lateral pg_catalog.regexp_split_to_table(t.tree, '\{FROMEXPR :fromlist <> :quals <>\}')
    with ordinality as s(piece, n)
  where s.n > 1
)
select distinct object, '(select ...) wraps a call that reads the row: call it unwrapped' as detail
from wrapped
where target ~ '\{VAR [^{}]* :varlevelsup 1 ';
