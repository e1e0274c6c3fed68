-- No security definer function in a schema the Data API exposes (they belong in social_private).
select p.oid::regprocedure::text as object, 'security definer in an exposed schema' as detail
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
where n.nspname in ('social', 'public')
  and p.prosecdef;
