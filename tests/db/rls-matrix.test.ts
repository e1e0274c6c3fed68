/**
 * RLS probe matrix. For every table in `social` (read from the catalog, so new tables are covered
 * without editing this file), as anon and as a signed-in stranger:
 *  - select: none of the private world's rows are visible (except `visibleToStrangers`);
 *  - insert: a copy of a private-world row (owned by its private user) is refused;
 *  - update / delete: a private-world row, addressed by its primary key, is not changed.
 *
 * Private-world rows are told apart by `xmin`: the world is built at the transaction's top
 * level, the stranger inside a savepoint (a subtransaction with its own xid).
 */
import { describe, expect, it } from "vitest";
import { buildPrivateWorld, referenceTables, visibleToStrangers } from "../fixtures/private-world.ts";
import { type TestDb, withDb } from "../helpers/db.ts";

interface TableInfo {
  name: string;
  pk: string[];
  columns: string[];
  updatable: string;
}

async function socialTables(db: TestDb): Promise<TableInfo[]> {
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

describe("RLS probe matrix", () => {
  it("no table in social exposes the private world to anon or a stranger", async () => {
    await withDb(async (db) => {
      const world = await buildPrivateWorld(db);
      const tables = await socialTables(db);
      expect(tables.length).toBeGreaterThan(0);
      let stranger = "";
      await db.tx.savepoint(async () => {
        stranger = await db.createUser();
      });
      expect(stranger).not.toBe("");

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
            failures.push(
              `${table.name}: the private world has no rows here; add them to tests/fixtures/private-world.ts`,
            );
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
              tx.unsafe(`insert into ${fq} select * from jsonb_populate_record(null::${fq}, $1::jsonb)`, [
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
            const upd = await db.attempt((tx) =>
              tx.unsafe(`update ${fq} set ${col} = ${col} where ${pkWhere}`, params),
            );
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
      expect(failures).toEqual([]);
      expect(probes).toBeGreaterThan(tables.length * 2);
      expect(world.owner).toBeTruthy();
    });
  });
});
