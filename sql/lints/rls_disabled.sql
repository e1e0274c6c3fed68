-- Every table in `social` has row level security enabled.
select format('%I.%I', n.nspname, c.relname) as object, 'row level security is off' as detail
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'social'
  and c.relkind in ('r', 'p')
  and not c.relrowsecurity;
