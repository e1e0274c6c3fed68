-- Views in `social` run with the caller's rights (security_invoker), so RLS applies.
select format('%I.%I', n.nspname, c.relname) as object, 'view without security_invoker' as detail
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'social'
  and c.relkind = 'v'
  and not coalesce(c.reloptions @> array['security_invoker=true'], false)
  and not coalesce(c.reloptions @> array['security_invoker=on'], false);
