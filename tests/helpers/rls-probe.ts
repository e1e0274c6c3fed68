/**
 * The RLS probe used by tests/db/rls-matrix.test.ts: for every table in `social` (from the
 * catalog), as anon and as a signed-in stranger, tries to read, insert, update and delete the
 * private world's rows, and returns a line per leak.
 *
 * Private-world rows are told apart by `xmin`: the world is built at the transaction's top level,
 * the stranger inside a savepoint (a subtransaction with its own xid).
 */
import { referenceTables, visibleToStrangers } from "../fixtures/private-world.ts";
import type { TestDb } from "./db.ts";

export interface TableInfo {
  name: string;
  pk: string[];
  columns: string[];
  updatable: string;
}

export async function socialTables(db: TestDb): Promise<TableInfo[]> {
  const rows = await db.q<{ name: string; pk: string[] | null; columns: string[]; updatable: string }[]>`
    select c.relname as name,
           (select array_agg(a.attname::text order by k.ord)
              from pg_index i
              cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
              join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
             where i.indrelid = c.oid and i.indisprimary) as pk,
           array(select a.attname::text from pg_attribute a
                  where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
                  order by a.attnum) as columns,
           (select a.attname::text from pg_attribute a
             where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
               and a.attidentity = ''
             order by a.attnum desc limit 1) as updatable
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'social' and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname`;
  return rows.map((r) => ({ ...r, pk: r.pk ?? [] }));
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const mine = "xmin = pg_current_xact_id()::xid";

export interface ProbeResult {
  failures: string[];
  probes: number;
}

export async function probeRls(db: TestDb, stranger: string, only?: (table: string) => boolean): Promise<ProbeResult> {
  const tables = (await socialTables(db)).filter((t) => !only || only(t.name));
  const failures: string[] = [];
  let probes = 0;
  for (const table of tables) {
    const fq = `social.${ident(table.name)}`;
    if (table.pk.length === 0) {
      failures.push(`${table.name}: has no primary key`);
      continue;
    }
    await db.asSuperuser();
    const fixture = await db.q.unsafe(`select to_jsonb(t) as row from ${fq} t where ${mine} limit 50`);
    if (fixture.length === 0) {
      if (!referenceTables.has(table.name)) {
        failures.push(`${table.name}: the private world has no rows here; add them to tests/fixtures/private-world.ts`);
      }
      continue;
    }
    for (const role of ["anon", "authenticated"] as const) {
      const who = role === "anon" ? "anon" : "stranger";
      if (role === "anon") await db.asAnon();
      else await db.as(stranger);

      // select
      const allowed = visibleToStrangers[table.name]?.[role];
      const read = await db.attempt((tx) =>
        tx.unsafe(`select count(*)::int as n from ${fq} where ${mine}${allowed ? ` and not (${allowed})` : ""}`),
      );
      probes++;
      if (read.ok && read.value[0]!.n > 0) {
        failures.push(`${table.name}: ${who} reads ${read.value[0]!.n} private row(s)`);
      } else if (!read.ok && read.error.code !== "42501") {
        failures.push(`${table.name}: ${who} select failed oddly: ${read.error.code} ${read.error.message}`);
      }

      for (const { row } of fixture.slice(0, 5)) {
        // address the row by its primary key, compared as text
        const pkWhere = table.pk.map((k, i) => `${ident(k)}::text = $${i + 1}`).join(" and ");
        const params = table.pk.map((k) => (typeof row[k] === "string" ? row[k] : JSON.stringify(row[k])));

        // insert a copy of another user's row
        const ins = await db.attempt((tx) =>
          tx.unsafe(`insert into ${fq} select * from jsonb_populate_record(null::${fq}, $1::text::jsonb)`, [
            JSON.stringify(row),
          ]),
        );
        probes++;
        if (ins.ok) failures.push(`${table.name}: ${who} inserted a copy of a private row`);
        else if (ins.error.code?.startsWith("23")) {
          failures.push(`${table.name}: ${who} insert passed RLS and hit ${ins.error.code} (${ins.error.message})`);
        }

        // update
        const col = ident(table.updatable);
        const upd = await db.attempt((tx) => tx.unsafe(`update ${fq} set ${col} = ${col} where ${pkWhere}`, params));
        probes++;
        if (upd.ok && upd.value.count > 0) failures.push(`${table.name}: ${who} updated a private row`);
        else if (!upd.ok && upd.error.code !== "42501") {
          failures.push(`${table.name}: ${who} update failed oddly: ${upd.error.code} ${upd.error.message}`);
        }

        // delete
        const del = await db.attempt((tx) => tx.unsafe(`delete from ${fq} where ${pkWhere}`, params));
        probes++;
        if (del.ok && del.value.count > 0) failures.push(`${table.name}: ${who} deleted a private row`);
        else if (!del.ok && del.error.code !== "42501") {
          failures.push(`${table.name}: ${who} delete failed oddly: ${del.error.code} ${del.error.message}`);
        }
      }
    }
  }
  await db.asSuperuser();
  return { failures, probes };
}
