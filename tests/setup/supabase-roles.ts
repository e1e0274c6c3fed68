/**
 * Global setup of the `supabase-roles` project: the DB suite on a database that looks to
 * `postgres` as one Supabase built (`supabase start`, a branch, a hosted project) does.
 *
 * As Supabase's image does, the cluster's bootstrap superuser is `supabase_admin`; it creates
 * `postgres`, applies the platform layer (standing in for Supabase's init scripts and services)
 * and demotes `postgres` to what Supabase gives it (sql/supabase-roles/demote_postgres.sql).
 * From there on everything runs as `postgres`, through the same code as any DATABASE_URL:
 * `migrateDatabase` must recognise the database as Supabase's, leave the platform layer out and
 * apply the migrations with the Supabase CLI. The tests connect as `postgres` too. No API stack:
 * @supabase/lite needs powers `postgres` does not have (see README, "Tests on a database Supabase
 * built").
 */
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { applyPlatform, freePort, migrateDatabase, ROOT, startDatabase } from "../../scripts/lib/db.ts";
import { platformFingerprint } from "../helpers/platform-fingerprint.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** `supabase-roles` only: the bootstrap superuser's connection. */
    supabaseAdminUrl: string;
    /** `supabase-roles` only: the platform schemas before the migrations ran. */
    platformBefore: string[];
  }
}

const POSTGRES_PASSWORD = "postgres";

export default async function setup(project: TestProject) {
  process.env.DO_NOT_TRACK = "1";
  const dir = await mkdtemp(join(tmpdir(), "supasocial-roles-"));
  await chmod(dir, 0o755);
  const logs: string[] = [];
  const cluster = await startDatabase({
    dataDir: join(dir, "pgdata"),
    port: await freePort(),
    persistent: false,
    superuser: "supabase_admin",
    useDatabaseUrl: false,
    log: (line) => logs.push(line),
  });
  try {
    const adminUrl = cluster.url;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create role postgres superuser login password '${POSTGRES_PASSWORD}'`);
    } finally {
      await admin.end();
    }
    await applyPlatform(adminUrl);
    const demote = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await demote.unsafe(await readFile(join(ROOT, "sql", "supabase-roles", "demote_postgres.sql"), "utf8"));
    } finally {
      await demote.end();
    }
    const platformBefore = await platformFingerprint(adminUrl);

    const url = new URL(adminUrl);
    url.username = "postgres";
    url.password = POSTGRES_PASSWORD;
    const { supabase } = await migrateDatabase(url.toString(), "reset");
    if (!supabase) throw new Error("migrateDatabase did not recognise the demoted database as Supabase's");

    project.provide("dbUrl", url.toString());
    project.provide("supabaseAdminUrl", adminUrl);
    project.provide("platformBefore", platformBefore);
  } catch (error) {
    console.error(logs.slice(-40).join("\n"));
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
