/**
 * RLS probe matrix: every table in `social`, read from the catalog (new tables are covered without
 * editing this file), probed against the private world by
 *   - anon and a signed-in stranger,
 *   - a member of another group (a user with memberships of their own, none in the world),
 *   - the personas who found the holes of issue 6: a member removed from the secret club, a
 *     moderator banned from it, and a user the owner blocked. They had a part in the world, so
 *     they are probed by what they must no longer see (ids and marker texts), on every table and,
 *     for reads, on every stable function in `social` (the read paths) too.
 * See tests/helpers/rls-probe.ts for the probes and tests/fixtures/private-world.ts for the world.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildPrivateWorld, personas } from "../fixtures/private-world.ts";
import { withDb } from "../helpers/db.ts";
import { probePersona, probeRls, probeRpcs, socialReadFunctions, socialTables } from "../helpers/rls-probe.ts";

describe("RLS probe matrix", () => {
  it("no table in social exposes the private world to anon or a stranger", async () => {
    await withDb(async (db) => {
      await buildPrivateWorld(db);
      let stranger = "";
      await db.tx.savepoint(async () => {
        stranger = await db.createUser();
      });
      const tables = await socialTables(db);
      const { failures, probes } = await probeRls(db, stranger);
      expect(failures).toEqual([]);
      // every table was read by both roles, and rows were written at
      expect(probes).toBeGreaterThanOrEqual(tables.length * 2 * 4);
    });
  });

  it("no table exposes the private world to a member of another group", async () => {
    await withDb(async (db) => {
      await buildPrivateWorld(db);
      let outsider = "";
      await db.tx.savepoint(async () => {
        outsider = await db.createUser();
        await db.as(outsider);
        const [g] = await db.q<{ id: string }[]>`select id from social.create_group('Elsewhere', 'club', 'secret')`;
        await db.q`insert into social.posts (group_id, body) values (${g!.id}, 'our own business')`;
        await db.q`select social.create_announcement(${g!.id}, 'Ours', 'only ours')`;
        await db.asSuperuser();
      });
      const { failures } = await probeRls(db, outsider, undefined, "member of another group");
      expect(failures).toEqual([]);
    });
  });

  it("the removed member, the banned moderator and the blocked user read and touch nothing they lost", async () => {
    await withDb(async (db) => {
      const world = await buildPrivateWorld(db);
      const tables = await socialTables(db);
      const functions = await socialReadFunctions(db);
      const failures: string[] = [];
      for (const persona of await personas(db, world)) {
        expect(persona.ids.length, persona.name).toBeGreaterThan(0);
        const onTables = await probePersona(db, persona);
        failures.push(...onTables.failures);
        expect(onTables.probes, `${persona.name}: every table read`).toBeGreaterThanOrEqual(tables.length);
        const onRpcs = await probeRpcs(db, persona);
        failures.push(...onRpcs.failures);
        expect(onRpcs.probes, `${persona.name}: every read path called`).toBeGreaterThanOrEqual(functions.length);
      }
      expect(failures).toEqual([]);
    });
  });

  it("catches a table whose policies let a stranger or a member of another group read and write private rows", async () => {
    await withDb(async (db) => {
      const world = await buildPrivateWorld(db);
      // one leaky table per probe: a probe that updates a row moves it out of the world (xmin)
      for (const t of ["leak_probe", "leak_probe_b"]) {
        await db.q.unsafe(`
          create table social.${t} (id uuid primary key default gen_random_uuid(), owner_id uuid, note text);
          alter table social.${t} enable row level security;
          create policy ${t}_select on social.${t} for select to authenticated using (true);
          create policy ${t}_insert on social.${t} for insert to authenticated with check (true);
          create policy ${t}_update on social.${t} for update to authenticated using (true);
          grant select, insert, update on social.${t} to authenticated;
          insert into social.${t} (owner_id, note) values ('${world.owner}', 'private');`);
      }
      let stranger = "";
      let outsider = "";
      await db.tx.savepoint(async () => {
        stranger = await db.createUser();
        outsider = await db.createUser();
        await db.as(outsider);
        await db.q`select social.create_group('Elsewhere', 'club', 'secret')`;
        await db.asSuperuser();
      });
      const { failures } = await probeRls(db, stranger, (t) => t === "leak_probe");
      expect(failures).toEqual(
        expect.arrayContaining([
          "leak_probe: stranger reads 1 private row(s)",
          expect.stringMatching(/^leak_probe: stranger insert passed RLS/),
          "leak_probe: stranger updated a private row",
        ]),
      );
      expect(failures.some((f) => f.startsWith("leak_probe: anon"))).toBe(false);
      const other = await probeRls(db, outsider, (t) => t === "leak_probe_b", "member of another group");
      expect(other.failures).toEqual(
        expect.arrayContaining([
          "leak_probe_b: member of another group reads 1 private row(s)",
          "leak_probe_b: member of another group updated a private row",
        ]),
      );
    });
  });

  it("catches a table and a read path that show the personas what they lost", async () => {
    await withDb(async (db) => {
      const world = await buildPrivateWorld(db);
      await db.q.unsafe(`
        create table social.leak_probe (id uuid primary key default gen_random_uuid(), about uuid, note text);
        alter table social.leak_probe enable row level security;
        create policy leak_probe_select on social.leak_probe for select to authenticated using (true);
        create policy leak_probe_update on social.leak_probe for update to authenticated using (true);
        grant select, update on social.leak_probe to authenticated;
        create function social.leak_probe_read(p_about uuid) returns setof social.leak_probe
          language sql stable security definer set search_path = ''
          as 'select * from social.leak_probe l where l.about = p_about';
        grant execute on function social.leak_probe_read(uuid) to authenticated;`);
      // each persona as the world has it, but with an id and a marker of its own, so one persona's
      // probe (whose updates move rows out of the world) leaves the next one's rows alone; the
      // rows: one naming what the persona lost, one showing its marker without the id, one both
      const all = (await personas(db, world)).map((p, i) => ({ ...p, ids: [randomUUID()], texts: [`LEAKMARK${i}`] }));
      for (const p of all) {
        await db.q`insert into social.leak_probe (about, note) values (${p.ids[0]!}, 'a plain note')`;
        await db.q`insert into social.leak_probe (about, note) values (null, ${`text: ${p.texts[0]!}`})`;
        await db.q`insert into social.leak_probe (about, note) values (${p.ids[0]!}, ${p.texts[0]!})`;
      }
      for (const persona of all) {
        const tables = await probePersona(db, persona, (t) => t === "leak_probe");
        const reads = tables.failures.find((f) => f.startsWith(`leak_probe: ${persona.name} reads`));
        expect(reads, persona.name).toBeDefined();
        // all three rows, and no other persona's
        expect(reads!.split('"id"').length - 1, persona.name).toBe(3);
        expect(tables.failures, persona.name).toContain(`leak_probe: ${persona.name} updated a row they lost`);
        const rpcs = await probeRpcs(db, persona, (f) => f === "leak_probe_read");
        expect(rpcs.failures, persona.name).toEqual([
          `leak_probe_read(p_about => ${persona.ids[0]}): ${persona.name} reads "${persona.texts[0]}"`,
        ]);
      }
    });
  });
});
