-- Every policy names its roles (`to authenticated`, `to anon`, ...), never the implicit PUBLIC,
-- and covers one operation (no `for all`).
-- Checked: the policies of schema social and ours on storage.objects (named social_%).
select format('%I on %I.%I', pol.polname, n.nspname, c.relname) as object,
       case when 0 = any (pol.polroles) then 'applies to PUBLIC' else 'is a FOR ALL policy' end as detail
from pg_policy pol
join pg_class c on c.oid = pol.polrelid
join pg_namespace n on n.oid = c.relnamespace
where (n.nspname = 'social' or (n.nspname = 'storage' and pol.polname like 'social\_%'))
  and (0 = any (pol.polroles) or pol.polcmd = '*');
