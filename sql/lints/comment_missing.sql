-- Every object Studio shows an admin says what it means (`comment on ...`): the tables, views and
-- their columns, enum and composite types, and functions of `social` and `social_private`.
-- Objects an extension installed are the extension's to document.
-- Compares oids and schema names only, so the result does not depend on the search_path.
with own as (
  select n.oid, n.nspname
  from pg_catalog.pg_namespace n
  where n.nspname in ('social', 'social_private')
),
objects as (
  select format('%I.%I', s.nspname, c.relname) as object,
         case c.relkind when 'v' then 'view' when 'm' then 'materialized view'
                        when 'f' then 'foreign table' else 'table' end as kind,
         'pg_catalog.pg_class'::pg_catalog.regclass as classid, c.oid as objid, 0 as objsubid
  from pg_catalog.pg_class c
  join own s on s.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'f')
  union all
  select format('%I.%I.%I', s.nspname, c.relname, a.attname), 'column',
         'pg_catalog.pg_class'::pg_catalog.regclass, c.oid, a.attnum
  from pg_catalog.pg_class c
  join own s on s.oid = c.relnamespace
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where c.relkind in ('r', 'p', 'v', 'm', 'f')
  union all
  select format('%I.%I', s.nspname, t.typname),
         case t.typtype when 'e' then 'enum type' when 'd' then 'domain' else 'composite type' end,
         'pg_catalog.pg_type'::pg_catalog.regclass, t.oid, 0
  from pg_catalog.pg_type t
  join own s on s.oid = t.typnamespace
  where t.typtype in ('e', 'd')
     or (t.typtype = 'c'
         and (select c.relkind from pg_catalog.pg_class c where c.oid = t.typrelid) = 'c')
  union all
  select format('%I.%I(%s)', s.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),
         case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' else 'function' end,
         'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, 0
  from pg_catalog.pg_proc p
  join own s on s.oid = p.pronamespace
)
select o.object, o.kind || ' has no comment' as detail
from objects o
where not exists (
    select 1 from pg_catalog.pg_description d
    where d.classoid = o.classid and d.objoid = o.objid and d.objsubid = o.objsubid
      and pg_catalog.btrim(d.description) <> ''
  )
  and not exists (
    select 1 from pg_catalog.pg_depend e
    where e.classid = o.classid and e.objid = o.objid and e.deptype = 'e'
  )
order by 1;
