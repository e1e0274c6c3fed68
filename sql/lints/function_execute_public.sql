-- No function of ours is executable by PUBLIC: every grant is explicit.
select p.oid::regprocedure::text as object, 'PUBLIC may execute it' as detail
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
where n.nspname in ('social', 'social_private')
  and exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a where a.grantee = 0);
