/**
 * Suites whose data must be committed for real (concurrent connections; the other suites roll
 * back): a connection pool, users made on it and deleted after the file, and statements run as a
 * user in their own transaction, as PostgREST runs them.
 *
 *   const db = committed({ connections: 12, tag: "write-path" });
 *   const ana = await db.user();
 *   const [p] = await db.asUser(ana, (tx) => tx`insert into social.posts (body) values ('x') returning id`);
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, inject } from "vitest";

export interface Committed {
  pool: postgres.Sql;
  /** A new user (the sign-up trigger makes the profile), deleted when the file is done. */
  user(): Promise<string>;
  /**
   * `query` as `who` in its own transaction. With `gate`, the transaction first waits at the
   * shared advisory lock `gate`, so that callers held there all run at once when it opens.
   */
  asUser<T extends readonly postgres.MaybeRow[]>(
    who: string,
    query: (tx: postgres.TransactionSql) => postgres.PendingQuery<T>,
    gate?: number,
  ): Promise<T>;
}

export function committed(options: { connections: number; tag: string }): Committed {
  const pool = postgres(inject("dbUrl"), { max: options.connections, onnotice: () => {}, idle_timeout: 5 });
  const made: string[] = [];
  afterAll(async () => {
    if (made.length) await pool`delete from auth.users where id = any(${made}::uuid[])`;
    await pool.end({ timeout: 5 });
  });
  return {
    pool,
    async user() {
      const id = randomUUID();
      made.push(id);
      await pool`
        insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data)
        values (${id}, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
                ${`${id}@${options.tag}.test`}, '{}')`;
      return id;
    },
    asUser(who, query, gate) {
      return pool.begin(async (tx) => {
        if (gate !== undefined) await tx`select pg_advisory_xact_lock_shared(${gate})`;
        await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: who, role: "authenticated" })}, true)`;
        await tx.unsafe("set local role authenticated");
        return query(tx);
      }) as never;
    },
  };
}
