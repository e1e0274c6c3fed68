-- Every foreign key in `social` is covered by an index whose leading columns are the key's columns.
select format('%I.%I (%s)', n.nspname, c.relname,
              (select string_agg(a.attname, ', ' order by k.ord)
                 from unnest(con.conkey) with ordinality as k(attnum, ord)
                 join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum)) as object,
       format('foreign key %I has no index', con.conname) as detail
from pg_constraint con
join pg_class c on c.oid = con.conrelid
join pg_namespace n on n.oid = c.relnamespace
where con.contype = 'f'
  and n.nspname = 'social'
  and not exists (
    select 1 from pg_index i
    where i.indrelid = con.conrelid
      and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] operator(pg_catalog.@>) con.conkey
      and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] operator(pg_catalog.<@) con.conkey
  );
