/**
 * Database test helper. Every test runs inside a transaction that is rolled back, and switches
 * identity the way PostgREST does: `set local role` plus `request.jwt.claims`.
 *
 *   await withDb(async (db) => {
 *     const ana = await db.createUser({ handle: "ana" });
 *     await db.as(ana);            // authenticated as ana
 *     await db.asAnon();           // anon
 *     await db.asService();        // service_role (bypasses RLS)
 *     await db.asSuperuser();      // back to the migration owner
 *   });
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, inject } from "vitest";

export const sql = postgres(inject("dbUrl"), {
  max: 4,
  onnotice: () => {},
  idle_timeout: 5,
});
afterAll(async () => {
  await sql.end({ timeout: 5 });
});

export type Tx = postgres.TransactionSql;

export interface UserOptions {
  handle?: string;
  displayName?: string;
  email?: string;
  visibility?: "public" | "followers" | "private";
}

const ROLLBACK = Symbol("rollback");

export class TestDb {
  constructor(readonly tx: Tx) {}

  /** Run a query as the current identity. */
  get q(): Tx {
    return this.tx;
  }

  async asSuperuser(): Promise<void> {
    await this.tx.unsafe("reset role");
    await this.tx`select set_config('request.jwt.claims', '', true)`;
  }

  async as(userId: string, extraClaims: Record<string, unknown> = {}): Promise<void> {
    await this.switchTo("authenticated", { sub: userId, role: "authenticated", aud: "authenticated", ...extraClaims });
  }

  async asAnon(): Promise<void> {
    await this.switchTo("anon", { role: "anon" });
  }

  async asService(): Promise<void> {
    await this.switchTo("service_role", { role: "service_role" });
  }

  private async switchTo(role: string, claims: Record<string, unknown>): Promise<void> {
    await this.tx.unsafe("reset role");
    await this.tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    await this.tx.unsafe(`set local role ${role}`);
  }

  /** Insert an auth user (the sign-up trigger makes the profile); returns its id. */
  async createUser(options: UserOptions = {}): Promise<string> {
    const id = randomUUID();
    const meta: Record<string, string> = {};
    if (options.handle) meta.handle = options.handle;
    if (options.displayName) meta.display_name = options.displayName;
    const email = options.email ?? `${id}@test.local`;
    const role = await this.currentRole();
    await this.asSuperuser();
    await this.tx`
      insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, email_confirmed_at)
      values (${id}, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
              ${email}, ${this.tx.json(meta)}, now())`;
    if (options.visibility) {
      await this.tx`update social.profiles set visibility = ${options.visibility} where id = ${id}`;
    }
    await this.restore(role);
    return id;
  }

  /**
   * Apply the deferred effects this transaction queued (the notifications and activities of its
   * reactions and comments), as the queue's job does after a commit
   * (supabase/migrations/20261128003050_deferred_effects.sql). Effects other sessions committed
   * are left to the job. Fails the test if an effect fails.
   */
  async settle(): Promise<void> {
    const role = await this.currentRole();
    await this.asSuperuser();
    // rows this session sees whose inserting transaction is still in progress are its own
    const [row] = await this.tx<{ ids: string[] }[]>`
      select coalesce(array_agg(e.id order by e.id), '{}') as ids
      from social_private.deferred_effects e
      where e.run_after <= now() and pg_xact_status(e.xmin::text::xid8) = 'in progress'`;
    const ids = row?.ids ?? [];
    if (ids.length) {
      const [{ failed }] = await this.tx<{ failed: number }[]>`
        select social_private.apply_deferred_effects_singly(${ids}::bigint[]) as failed`;
      if (failed) {
        const errors = await this.tx<{ last_error: string }[]>`
          select last_error from social_private.deferred_effects where id = any (${ids}::bigint[]) and last_error is not null`;
        throw new Error(`deferred effects failed: ${errors.map((e) => e.last_error).join("; ")}`);
      }
    }
    await this.restore(role);
  }

  /** Several users at once. */
  async createUsers(n: number, options: UserOptions = {}): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await this.createUser(options));
    return ids;
  }

  private async currentRole(): Promise<{ role: string; claims: string }> {
    const [row] = await this.tx<{ role: string; claims: string }[]>`
      select current_user as role, coalesce(current_setting('request.jwt.claims', true), '') as claims`;
    return row ?? { role: "postgres", claims: "" };
  }

  private async restore(prev: { role: string; claims: string }): Promise<void> {
    if (prev.role === "anon" || prev.role === "authenticated" || prev.role === "service_role") {
      await this.tx`select set_config('request.jwt.claims', ${prev.claims}, true)`;
      await this.tx.unsafe(`set local role ${prev.role}`);
    }
  }

  /**
   * Run `fn` in a savepoint and return the Postgres error it raised (the savepoint is rolled
   * back, so the test's transaction goes on). Fails the test if nothing was raised.
   */
  async error(fn: (tx: Tx) => Promise<unknown>): Promise<postgres.PostgresError> {
    try {
      await this.tx.savepoint(async (sp) => {
        await fn(sp as unknown as Tx);
      });
    } catch (error) {
      if (error instanceof postgres.PostgresError) return error;
      throw error;
    }
    throw new Error("expected the statement to fail, but it succeeded");
  }

  /** Run `fn` in a savepoint; returns its result, or the error it raised, never throwing SQL errors. */
  async attempt<T>(
    fn: (tx: Tx) => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: postgres.PostgresError }> {
    try {
      const value = (await this.tx.savepoint(async (sp) => fn(sp as unknown as Tx))) as T;
      return { ok: true, value };
    } catch (error) {
      if (error instanceof postgres.PostgresError) return { ok: false, error };
      throw error;
    }
  }
}

/** The error a statement raises, as [SQLSTATE, stable code]; fails the test if it succeeds. */
export async function refused(db: TestDb, fn: (tx: Tx) => Promise<unknown>): Promise<[string, string | undefined]> {
  const e = await db.error(fn);
  return [e.code, e.hint];
}

/** Run `fn` in a transaction that is always rolled back. */
export async function withDb<T>(fn: (db: TestDb) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await sql.begin(async (tx) => {
      result = await fn(new TestDb(tx));
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  return result as T;
}
