-- auth.uid(), auth.jwt() and auth.role() inside policies are wrapped in `(select ...)`, so
-- Postgres evaluates them once per statement instead of once per row.
with exprs as (
  select format('%I on %I.%I', p.policyname, p.schemaname, p.tablename) as object, e.expr
  from pg_policies p
  cross join lateral (values (p.qual), (p.with_check)) as e(expr)
  where p.schemaname = 'social' and e.expr is not null
)
select object, 'auth.' || fn || '() is not wrapped in (select ...)' as detail
from exprs
cross join lateral (values ('uid'), ('jwt'), ('role'), ('email')) as f(fn)
where (select count(*) from regexp_matches(expr, 'auth\.' || fn || '\(\)', 'g'))
    > (select count(*) from regexp_matches(expr, 'SELECT auth\.' || fn || '\(\)', 'g'));
