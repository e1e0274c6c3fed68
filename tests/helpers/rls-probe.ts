/**
 * The RLS probes used by tests/db/rls-matrix.test.ts, all driven by the catalog:
 *   - probeRls: for every table in `social`, as anon and as a signed-in stranger (or any user
 *     with no part in the private world, e.g. a member of another group), tries to read, insert,
 *     update and delete the private world's rows, and returns a line per leak;
 *   - probePersona: for every table, as a user who had a part in the world and lost it (a removed
 *     or banned member, a user the owner blocked), reads every row and fails on any that names
 *     something the persona must no longer see (ids) or shows text they must not read (markers),
 *     and tries to insert, update and delete the world's rows that name those ids;
 *   - probeRpcs: every stable function in `social` (the read paths), called as the persona with
 *     the forbidden ids and texts as arguments, must return none of the forbidden texts.
 *
 * Private-world rows are told apart by `xmin`: the world is built at the transaction's top level,
 * the stranger inside a savepoint (a subtransaction with its own xid).
 */
import { type Persona, referenceTables, visibleToStrangers } from "../fixtures/private-world.ts";
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

export async function probeRls(
  db: TestDb,
  stranger: string,
  only?: (table: string) => boolean,
  label = "stranger",
): Promise<ProbeResult> {
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
      const who = role === "anon" ? "anon" : label;
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

/** `to_jsonb(t)::text` of a row names one of `ids` or shows one of `texts` (SQL, over alias t). */
function mentions(ids: string[], texts: string[]): string {
  const needles = [...ids, ...texts].map((n) => `%${n.replace(/[%_\\]/g, "\\$&")}%`);
  return `to_jsonb(t)::text ilike any (array[${needles.map((n) => `'${n.replace(/'/g, "''")}'`).join(", ")}]::text[])`;
}

/**
 * Probe every table as `persona`: no row it reads may name a forbidden id (unless the persona's
 * allowance says the row is theirs by design) or show a forbidden text (allowed rows included);
 * the world's rows that name a forbidden id may not be copied, updated or deleted.
 */
export async function probePersona(
  db: TestDb,
  persona: Persona,
  only?: (table: string) => boolean,
): Promise<ProbeResult> {
  const tables = (await socialTables(db)).filter((t) => !only || only(t.name));
  const failures: string[] = [];
  let probes = 0;
  const named = mentions(persona.ids, []);
  const shown = mentions([], persona.texts);
  for (const table of tables) {
    const fq = `social.${ident(table.name)}`;
    if (table.pk.length === 0) continue; // probeRls reports it
    const allowed = persona.allow[table.name];

    await db.as(persona.id);
    const read = await db.attempt((tx) =>
      tx.unsafe(`select to_jsonb(t) as row, (${allowed ?? "false"}) as allowed from ${fq} t
                 where (${named} and not (${allowed ?? "false"})) or ${shown} limit 3`),
    );
    probes++;
    if (read.ok && read.value.length > 0) {
      failures.push(`${table.name}: ${persona.name} reads ${JSON.stringify(read.value.map((r) => r.row))}`);
    } else if (!read.ok && read.error.code !== "42501") {
      failures.push(`${table.name}: ${persona.name} select failed oddly: ${read.error.code} ${read.error.message}`);
    }

    await db.asSuperuser();
    const fixture = await db.q.unsafe(`select to_jsonb(t) as row from ${fq} t where ${mine} and ${named} limit 5`);
    await db.as(persona.id);
    for (const { row } of fixture) {
      const pkWhere = table.pk.map((k, i) => `${ident(k)}::text = $${i + 1}`).join(" and ");
      const params = table.pk.map((k) => (typeof row[k] === "string" ? row[k] : JSON.stringify(row[k])));
      const ins = await db.attempt((tx) =>
        tx.unsafe(`insert into ${fq} select * from jsonb_populate_record(null::${fq}, $1::text::jsonb)`, [
          JSON.stringify(row),
        ]),
      );
      probes++;
      if (ins.ok) failures.push(`${table.name}: ${persona.name} inserted a copy of a row they lost`);
      else if (ins.error.code?.startsWith("23")) {
        failures.push(
          `${table.name}: ${persona.name} insert passed RLS and hit ${ins.error.code} (${ins.error.message})`,
        );
      }
      const col = ident(table.updatable);
      const upd = await db.attempt((tx) => tx.unsafe(`update ${fq} set ${col} = ${col} where ${pkWhere}`, params));
      probes++;
      if (upd.ok && upd.value.count > 0) failures.push(`${table.name}: ${persona.name} updated a row they lost`);
      else if (!upd.ok && upd.error.code !== "42501") {
        failures.push(`${table.name}: ${persona.name} update failed oddly: ${upd.error.code} ${upd.error.message}`);
      }
      const del = await db.attempt((tx) => tx.unsafe(`delete from ${fq} where ${pkWhere}`, params));
      probes++;
      if (del.ok && del.value.count > 0) failures.push(`${table.name}: ${persona.name} deleted a row they lost`);
      else if (!del.ok && del.error.code !== "42501") {
        failures.push(`${table.name}: ${persona.name} delete failed oddly: ${del.error.code} ${del.error.message}`);
      }
    }
  }
  await db.asSuperuser();
  return { failures, probes };
}

interface FunctionInfo {
  name: string;
  args: { name: string; type: string; required: boolean }[];
}

/** The read paths: stable functions in `social` with their arguments. */
export async function socialReadFunctions(db: TestDb): Promise<FunctionInfo[]> {
  const rows = await db.q<{ name: string; names: string[] | null; types: string[]; required: number }[]>`
    select p.proname::text as name, p.proargnames::text[] as names,
           array(select format_type(t, null) from unnest(p.proargtypes) with ordinality as a(t, i) order by i) as types,
           p.pronargs - p.pronargdefaults as required
    from pg_proc p
    where p.pronamespace = 'social'::regnamespace and p.prokind = 'f' and p.provolatile in ('s', 'i')
    order by 1`;
  return rows.map((r) => ({
    name: r.name,
    args: r.types.map((type, i) => ({ name: r.names?.[i] ?? `$${i + 1}`, type, required: i < r.required })),
  }));
}

/**
 * Call every read path as `persona`, once per forbidden id in each uuid argument and once per
 * candidate text in each text argument (the others null when required, else their defaults):
 * no answer may show a forbidden text. Errors are fine (they answer nothing).
 */
export async function probeRpcs(db: TestDb, persona: Persona, only?: (fn: string) => boolean): Promise<ProbeResult> {
  const functions = (await socialReadFunctions(db)).filter((f) => !only || only(f.name));
  const failures: string[] = [];
  let probes = 0;
  const texts = [...persona.texts, ...persona.tokens];
  for (const fn of functions) {
    const calls: { arg: string | null; type: string; value: string }[] = [];
    for (const arg of fn.args) {
      if (arg.type === "uuid") for (const id of persona.ids) calls.push({ arg: arg.name, type: "uuid", value: id });
      if (arg.type === "text") for (const t of texts) calls.push({ arg: arg.name, type: "text", value: t });
    }
    if (fn.args.every((a) => !a.required)) calls.push({ arg: null, type: "", value: "" });
    for (const call of calls) {
      const given = fn.args
        .filter((a) => a.name === call.arg || (a.required && a.name !== call.arg))
        .map((a) => (a.name === call.arg ? `${ident(a.name)} => $1::${call.type}` : `${ident(a.name)} => null`));
      const query = `select coalesce(jsonb_agg(to_jsonb(t)), '[]')::text as out from social.${ident(fn.name)}(${given.join(", ")}) t`;
      await db.as(persona.id);
      const res = await db.attempt((tx) => tx.unsafe(query, call.arg ? [call.value] : []));
      probes++;
      if (!res.ok) continue;
      const out = String(res.value[0]!.out).toLowerCase();
      const leak = persona.texts.find((t) => out.includes(t.toLowerCase()));
      if (leak) {
        failures.push(
          `${fn.name}(${call.arg ?? ""}${call.arg ? ` => ${call.value}` : ""}): ${persona.name} reads "${leak}"`,
        );
      }
    }
  }
  await db.asSuperuser();
  return { failures, probes };
}
