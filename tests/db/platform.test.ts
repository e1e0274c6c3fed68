/**
 * The platform layer as the rest of the code relies on it, checked after the API stack has
 * started (the global setup starts @supabase/lite, which rewrites auth functions and grants on its
 * first request; scripts/lib/stack.ts puts Supabase's semantics back).
 */
import { describe, expect, it } from "vitest";
import { sql, withDb } from "../helpers/db.ts";

describe("platform layer", () => {
  it("jobs are scheduled with pg_cron only where it is installed; no API role may schedule one", async () => {
    await withDb(async (db) => {
      await db.asSuperuser();
      const [cron] = await db.q`select exists (select 1 from pg_extension where extname = 'pg_cron') as installed`;
      expect(cron!.installed).toBe(false); // embedded Postgres has no pg_cron: the jobs are called directly
      const [r] =
        await db.q`select social_private.schedule_job('supasocial-test', '* * * * *', 'select 1') as scheduled`;
      expect(r!.scheduled).toBe(false);
      for (const role of ["anon", "authenticated", "service_role"]) {
        const [p] = await db.q`
          select has_function_privilege(${role}, 'social_private.schedule_job(text, text, text)', 'EXECUTE') as may`;
        expect([role, p!.may]).toEqual([role, false]);
      }
    });
  });

  it("auth.uid(), auth.role(), auth.email() and auth.jwt() read request.jwt.claims as on Supabase", async () => {
    await withDb(async (db) => {
      const id = await db.createUser({ email: "claims@example.com" });
      await db.as(id, { email: "claims@example.com" });
      const [r] = await db.q`select auth.uid() as uid, auth.role() as role, auth.email() as email,
        auth.jwt() ->> 'aud' as aud`;
      expect(r).toEqual({ uid: id, role: "authenticated", email: "claims@example.com", aud: "authenticated" });
      await db.asAnon();
      const [a] = await db.q`select auth.uid() as uid, auth.role() as role`;
      expect(a).toEqual({ uid: null, role: "anon" });
    });
  });

  it("the API roles keep exactly the grants our migrations give after the Data API has run", async () => {
    const [r] = await sql`
      select has_column_privilege('authenticated', 'social.profiles', 'followers_count', 'UPDATE') as counters,
             has_column_privilege('authenticated', 'social.profiles', 'display_name', 'UPDATE') as name,
             has_table_privilege('anon', 'social.follows', 'INSERT') as anon_follow,
             has_table_privilege('authenticated', 'social.profiles', 'DELETE') as delete_profile,
             has_table_privilege('authenticated', 'auth.users', 'SELECT') as auth_users`;
    expect(r).toEqual({ counters: false, name: true, anon_follow: false, delete_profile: false, auth_users: false });
  });

  it("realtime.send stores a private broadcast on the topic", async () => {
    await withDb(async (db) => {
      await db.q`select realtime.send('{"hello":"world"}'::jsonb, 'greeting', 'user:probe', true)`;
      const [m] = await db.q`select topic, event, private, extension, payload ->> 'hello' as hello
        from realtime.messages where topic = 'user:probe'`;
      expect(m).toEqual({
        topic: "user:probe",
        event: "greeting",
        private: true,
        extension: "broadcast",
        hello: "world",
      });
    });
  });

  it("storage path helpers split object names as Storage does", async () => {
    const [r] = await sql`select storage.foldername('avatars/u1/me.png') as folders,
      storage.filename('avatars/u1/me.png') as file, storage.extension('avatars/u1/me.png') as ext`;
    expect(r).toEqual({ folders: ["avatars", "u1"], file: "me.png", ext: "png" });
  });
});
