/**
 * A description of the platform schemas (`auth`, `storage`, `realtime`) as sorted lines: schemas,
 * relations, columns, constraints, functions, types and default privileges, with owners and
 * privileges, but not policies and triggers. Supabase lets `postgres` add policies to, and drop
 * triggers from, platform tables (supautils) and add triggers (TRIGGER privilege), nothing else:
 * the lines must be the same before and after our migrations run as `postgres`.
 */
import postgres from "postgres";

export const PLATFORM_SCHEMAS = ["auth", "storage", "realtime"];

export async function platformFingerprint(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fingerprint(sql);
  } finally {
    await sql.end();
  }
}

/** The same, through a connection or transaction of the caller's. */
export async function fingerprint(sql: postgres.Sql | postgres.TransactionSql): Promise<string[]> {
  // names are spelled out with their schema: ::regclass and friends print them per search_path
  const rows = await sql<{ line: string }[]>`
      with s as (select oid, nspname from pg_catalog.pg_namespace where nspname = any(${PLATFORM_SCHEMAS}))
      select format('schema %s owner=%s acl=%s', n.nspname, n.nspowner::regrole, n.nspacl) as line
        from pg_catalog.pg_namespace n join s on s.oid = n.oid
      union all
      select format('relation %s.%s kind=%s owner=%s acl=%s rls=%s', s.nspname, c.relname, c.relkind,
                    c.relowner::regrole, c.relacl, c.relrowsecurity)
        from pg_catalog.pg_class c join s on s.oid = c.relnamespace
      union all
      select format('column %s.%s.%s %s notnull=%s default=%s generated=%s acl=%s', s.nspname, c.relname,
                    a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                    pg_get_expr(d.adbin, d.adrelid), a.attgenerated, a.attacl)
        from pg_catalog.pg_attribute a
        join pg_catalog.pg_class c on c.oid = a.attrelid
        join s on s.oid = c.relnamespace
        left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       where a.attnum > 0 and not a.attisdropped
      union all
      select format('constraint %s on %s.%s: %s', co.conname, s.nspname, c.relname, pg_get_constraintdef(co.oid))
        from pg_catalog.pg_constraint co join s on s.oid = co.connamespace
        left join pg_catalog.pg_class c on c.oid = co.conrelid
      union all
      select format('function %s.%s(%s) returns %s owner=%s acl=%s definer=%s config=%s body=%s', s.nspname,
                    p.proname, pg_get_function_identity_arguments(p.oid), pg_get_function_result(p.oid),
                    p.proowner::regrole, p.proacl, p.prosecdef, p.proconfig, md5(p.prosrc))
        from pg_catalog.pg_proc p join s on s.oid = p.pronamespace
      union all
      select format('type %s.%s kind=%s owner=%s', s.nspname, t.typname, t.typtype, t.typowner::regrole)
        from pg_catalog.pg_type t join s on s.oid = t.typnamespace
       where t.typtype in ('e', 'd', 'c', 'r') and t.typrelid = 0
      union all
      select format('default privileges for %s in %s on %s: %s', da.defaclrole::regrole, s.nspname,
                    da.defaclobjtype, da.defaclacl)
        from pg_catalog.pg_default_acl da join s on s.oid = da.defaclnamespace
      order by 1`;
  return rows.map((r) => r.line);
}
