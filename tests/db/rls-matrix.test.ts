/**
 * RLS probe matrix: every table in `social`, read from the catalog (new tables are covered without
 * editing this file), probed as anon and as a signed-in stranger against the private world. See
 * tests/helpers/rls-probe.ts for the probes and tests/fixtures/private-world.ts for the world.
 */
import { describe, expect, it } from "vitest";
import { buildPrivateWorld } from "../fixtures/private-world.ts";
import { withDb } from "../helpers/db.ts";
import { probeRls, socialTables } from "../helpers/rls-probe.ts";

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

  it("catches a table whose policies let a stranger read and write private rows", async () => {
    await withDb(async (db) => {
      const world = await buildPrivateWorld(db);
      await db.q.unsafe(`
        create table social.leak_probe (id uuid primary key default gen_random_uuid(), owner_id uuid, note text);
        alter table social.leak_probe enable row level security;
        create policy leak_probe_select on social.leak_probe for select to authenticated using (true);
        create policy leak_probe_insert on social.leak_probe for insert to authenticated with check (true);
        create policy leak_probe_update on social.leak_probe for update to authenticated using (true);
        grant select, insert, update on social.leak_probe to authenticated;`);
      await db.q`insert into social.leak_probe (owner_id, note) values (${world.owner}, 'private')`;
      let stranger = "";
      await db.tx.savepoint(async () => {
        stranger = await db.createUser();
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
    });
  });
});
