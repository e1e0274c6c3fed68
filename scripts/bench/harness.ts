/** Shared benchmark plumbing: the bench database, identities, server-side timing, percentiles. */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type postgres from "postgres";
import { type SeedOptions, seed } from "../../seeds/seed.ts";
import { prepareDatabase, ROOT } from "../lib/db.ts";
import "../../seeds/domains.ts";
import "../../seeds/gamification.ts";
import "../../seeds/events.ts";

export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "<= 5 ms"; "" when informational. */
  target: string;
  /** null for informational rows. */
  pass: boolean | null;
}

export interface BenchArea {
  describe: string;
  /** The seed scale; null for an area that needs the schema only (its own, unseeded database). */
  scale: Omit<SeedOptions, "log" | "progress"> | null;
  /**
   * A seeded database of its own (`.supasocial/bench-<database>`, on the bench port + `portOffset`),
   * for an area whose scale differs from the others', so that running areas in turn does not
   * rebuild the shared one.
   */
  database?: { name: string; portOffset: number };
  /**
   * Further named scales (`npm run bench -- <area> --scale <name>`), each seeded into a database
   * of its own (`.supasocial/bench-<area>-<name>`, on the bench port + `portOffset`) so that it
   * never replaces the default one. Run on demand only.
   */
  scales?: Record<string, { scale: Omit<SeedOptions, "log" | "progress">; portOffset: number }>;
  /** `scale` is the name given with --scale, "default" without it. */
  run(url: string, scale: string): Promise<BenchRow[]>;
}

const BENCH_PORT = Number(process.env.SUPASOCIAL_BENCH_DB_PORT ?? 54350);

/** A fingerprint of everything that shapes the bench data: migrations, seed code, scale. */
async function fingerprint(scale: object): Promise<string> {
  const hash = createHash("sha256").update(JSON.stringify(scale));
  for (const dir of ["supabase/migrations", "seeds", "sql/platform"]) {
    for (const f of (await readdir(join(ROOT, dir))).sort()) {
      hash.update(f).update(await readFile(join(ROOT, dir, f)));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

/** The bench database at `scale`, built (reset + seed) when missing or out of date. */
export async function openBenchDatabase(
  scale: BenchArea["scale"],
  opts: { fresh: boolean; database?: BenchArea["database"] },
) {
  if (scale === null) return openSchemaOnlyDatabase(opts);
  const BENCH_DIR = join(ROOT, ".supasocial", opts.database ? `bench-${opts.database.name}` : "bench");
  const print = await fingerprint(scale);
  const marker = join(BENCH_DIR, "fingerprint");
  const current = existsSync(marker) ? (await readFile(marker, "utf8")).trim() : "";
  const rebuild = opts.fresh || current !== print || Boolean(process.env.DATABASE_URL);
  if (rebuild && !process.env.DATABASE_URL) await rm(BENCH_DIR, { recursive: true, force: true });
  const db = await prepareDatabase({
    dataDir: join(BENCH_DIR, "pgdata"),
    port: BENCH_PORT + (opts.database?.portOffset ?? 0),
    persistent: true,
    mode: rebuild ? "reset" : "push",
  });
  if (rebuild) {
    const t0 = Date.now();
    console.log(`seeding the bench database (${JSON.stringify(scale)}) ...`);
    await seed(db.url, { ...scale, log: console.log, progress: process.stderr.isTTY === true });
    console.log(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
    if (!process.env.DATABASE_URL) await writeFile(marker, `${print}\n`);
  } else {
    console.log("reusing the bench database (same migrations, seed code and scale)");
  }
  return db;
}

/**
 * A database with the platform layer and the migrations and no data, for areas that make their
 * own (kept in .supasocial/bench-schema, reset when the migrations change, so the seeded bench
 * database of other areas is left alone).
 */
async function openSchemaOnlyDatabase(opts: { fresh: boolean }) {
  const dir = join(ROOT, ".supasocial", "bench-schema");
  const print = await fingerprint({ schemaOnly: true });
  const marker = join(dir, "fingerprint");
  const current = existsSync(marker) ? (await readFile(marker, "utf8")).trim() : "";
  const rebuild = opts.fresh || current !== print || Boolean(process.env.DATABASE_URL);
  if (rebuild && !process.env.DATABASE_URL) await rm(dir, { recursive: true, force: true });
  const db = await prepareDatabase({
    dataDir: join(dir, "pgdata"),
    port: BENCH_PORT + 1,
    persistent: true,
    mode: rebuild ? "reset" : "push",
  });
  if (rebuild && !process.env.DATABASE_URL) await writeFile(marker, `${print}\n`);
  return db;
}

export type Identity = { role: "authenticated" | "service_role"; userId: string } | { role: "anon" };

/** Run `fn` in a read-only transaction as `who`, the way PostgREST sets a request up. */
export async function as<T>(
  sql: postgres.Sql,
  who: Identity,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return sql.begin("read only", async (tx) => {
    const claims = who.role === "anon" ? { role: "anon" } : { sub: who.userId, role: who.role, aud: "authenticated" };
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    await tx.unsafe(`set local role ${who.role}`);
    return fn(tx);
  }) as Promise<T>;
}

/** Planning + execution time of one statement, in ms, measured by the server (EXPLAIN ANALYZE). */
export async function serverTime(tx: postgres.TransactionSql, query: string, params: unknown[]): Promise<number> {
  const rows = await tx.unsafe(`explain (analyze, timing off, summary on, format json) ${query}`, params as never[]);
  const plan = (rows[0] as Record<string, [{ "Planning Time": number; "Execution Time": number }]>)["QUERY PLAN"][0];
  return plan["Planning Time"] + plan["Execution Time"];
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function row(metric: string, value: number, unit: string, max?: number): BenchRow {
  return {
    metric,
    value: Number(value.toFixed(3)),
    unit,
    target: max === undefined ? "" : `<= ${max} ${unit}`,
    pass: max === undefined ? null : value <= max,
  };
}
