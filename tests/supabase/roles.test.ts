/**
 * The `supabase-roles` project (tests/setup/supabase-roles.ts): the DB suite runs as Supabase's
 * non-superuser `postgres` on a database built the way Supabase builds one. These tests check that
 * the database really is that, that the migrations needed nothing `postgres` lacks there, and that
 * our tooling recognises such a database and keeps the platform layer off it.
 */
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { applyPlatform, inspectDatabase } from "../../scripts/lib/db.ts";
import { fingerprint, platformFingerprint } from "../helpers/platform-fingerprint.ts";

const dbUrl = inject("dbUrl");
const adminUrl = inject("supabaseAdminUrl");
const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end();
  await admin.end();
});

describe("the database the DB suite ran on in this project", () => {
  it("is reached as postgres with Supabase's attributes: no superuser, createrole, createdb, replication, bypassrls", async () => {
    const [r] = await sql`
      select current_user as role, rolsuper as superuser, rolcreaterole as createrole, rolcreatedb as createdb,
             rolreplication as replication, rolbypassrls as bypassrls, rolcanlogin as login
      from pg_roles where rolname = current_user`;
    expect(r).toEqual({
      role: "postgres",
      superuser: false,
      createrole: true,
      createdb: true,
      replication: true,
      bypassrls: true,
      login: true,
    });
  });

  it("lets postgres switch to the API roles and write auth.users, with no CREATE of its own in the platform schemas", async () => {
    const [r] = await sql`
      select pg_has_role('postgres', 'anon', 'member') as anon,
             pg_has_role('postgres', 'authenticated', 'member') as authenticated,
             pg_has_role('postgres', 'service_role', 'member') as service_role,
             has_table_privilege('postgres', 'auth.users', 'INSERT') as insert_users,
             has_table_privilege('postgres', 'auth.users', 'TRIGGER') as trigger_users,
             -- granted to postgres itself (the memberships that stand in for supautils carry
             -- more; the fingerprint test below polices what the migrations did with them)
             (select count(*)::int from pg_namespace n, aclexplode(n.nspacl) a
               where n.nspname in ('auth', 'storage', 'realtime') and a.privilege_type = 'CREATE'
                 and a.grantee = 'postgres'::regrole) as own_create_grants`;
    expect(r).toEqual({
      anon: true,
      authenticated: true,
      service_role: true,
      insert_users: true,
      trigger_users: true,
      own_create_grants: 0,
    });
  });

  it("is recognised as built by Supabase, and the platform layer refuses to run on it", async () => {
    expect(await inspectDatabase(dbUrl)).toEqual({ role: "postgres", superuser: false, supabase: true });
    await expect(applyPlatform(dbUrl)).rejects.toThrow(/Supabase built/);
  });

  it("the migrations changed nothing in auth, storage and realtime but policies and triggers", async () => {
    expect(await platformFingerprint(dbUrl)).toEqual(inject("platformBefore"));
    // what they did add there, as postgres
    const [r] = await sql`
      select (select count(*) = 2 from pg_policies where schemaname = 'realtime' and tablename = 'messages'
                and policyname in ('messages_select_topic_reader', 'messages_insert_topic_writer')) as policy,
             exists (select 1 from pg_trigger where tgrelid = 'auth.users'::regclass
                       and tgname = 'on_auth_user_created') as trigger,
             (select count(*)::int from pg_policies where schemaname = 'storage' and tablename = 'objects'
                and policyname like 'social_media_%') as storage_policies,
             (select count(*)::int from pg_trigger where tgrelid = 'storage.objects'::regclass
                and tgname like 'on_social_media_object_%') as storage_triggers,
             (select count(*)::int from storage.buckets where id like 'social-%') as buckets`;
    expect(r).toEqual({ policy: true, trigger: true, storage_policies: 4, storage_triggers: 2, buckets: 5 });
  });

  it("the comparison sees a change to a platform table that a migration must not make", async () => {
    const before = await platformFingerprint(dbUrl);
    const ROLLBACK = new Error("rollback");
    await expect(
      sql.begin(async (tx) => {
        // postgres can (through the membership that stands in for supautils) but must not
        await tx`alter table realtime.messages add column probe int`;
        const during = await fingerprint(tx);
        expect(during).not.toEqual(before);
        expect(during.filter((line) => !before.includes(line))).toEqual([
          "column realtime.messages.probe integer notnull=f default= generated= acl=",
          "column realtime.messages_default.probe integer notnull=f default= generated= acl=",
        ]);
        throw ROLLBACK;
      }),
    ).rejects.toBe(ROLLBACK);
  });
});

describe("telling a database Supabase built from plain Postgres with our platform layer", () => {
  it("a superuser connection where only our platform layer ran is plain Postgres", async () => {
    expect(await inspectDatabase(adminUrl)).toEqual({ role: "supabase_admin", superuser: true, supabase: false });
  });

  it("a superuser connection is recognised by the migration tables Supabase's services leave", async () => {
    await admin`create table auth.schema_migrations (version varchar(255) primary key)`;
    try {
      expect(await inspectDatabase(adminUrl)).toEqual({ role: "supabase_admin", superuser: true, supabase: true });
      await expect(applyPlatform(adminUrl)).rejects.toThrow(/Supabase built/);
    } finally {
      await admin`drop table auth.schema_migrations`;
    }
  });
});
