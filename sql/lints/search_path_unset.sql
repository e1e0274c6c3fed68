-- Every function of ours pins its search_path (`set search_path = ''`).
select p.oid::regprocedure::text as object, 'search_path is not set' as detail
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
where n.nspname in ('social', 'social_private', 'public')
  and p.prokind in ('f', 'p')
  and not exists (
    select 1 from unnest(coalesce(p.proconfig, '{}')) as c(setting)
    where c.setting like 'search\_path=%'
  )
  -- functions that extensions installed are theirs to configure
  and not exists (
    select 1 from pg_depend d
    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
  );
