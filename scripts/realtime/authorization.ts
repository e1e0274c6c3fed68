/**
 * Realtime Authorization, as Supabase Realtime runs it (lib/realtime/tenants/authorization.ex):
 * the project's RLS policies on `realtime.messages` decide, per topic, who may receive
 * (`select`) and who may send (`insert`), for the extensions `broadcast` and `presence`.
 *
 * Read: in a transaction that is always rolled back, insert one probe row per extension for the
 * topic (as the server's own role), then become the user (`set_config('role', ...)`,
 * `request.jwt.claims`, `request.jwt.claim.sub/role`, `request.headers`, `realtime.topic`) and
 * select the probe rows back: the ones RLS lets the user see are the extensions they may read.
 * Write: in a rolled-back transaction, as the user, insert a row per extension (each in a
 * savepoint); `insufficient_privilege` means no. The server adds no rules of its own.
 */
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import type { Claims } from "./jwt.ts";

export interface AuthorizationContext {
  /** The channel's topic without the `realtime:` prefix, what `realtime.topic()` returns. */
  topic: string;
  claims: Claims;
  role: string;
  sub: string | null;
  headers: Record<string, string>;
}

export interface Grant {
  read: boolean | null;
  write: boolean | null;
}

/** null = not evaluated yet (Realtime checks write lazily, on the first send or track). */
export interface Policies {
  broadcast: Grant;
  presence: Grant;
}

export const emptyPolicies = (): Policies => ({
  broadcast: { read: null, write: null },
  presence: { read: null, write: null },
});

export type Extension = "broadcast" | "presence";

/** A policy that raised, a role that does not exist, or the database being unreachable. */
export class AuthorizationError extends Error {
  constructor(
    readonly kind: "rls_policy_error" | "database_unavailable",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function classify(error: unknown): AuthorizationError {
  const e = error as { code?: string; message?: string };
  // SQLSTATEs come from the server; anything else (a closed connection ...) means no database
  if (typeof e?.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) {
    return new AuthorizationError("rls_policy_error", e.message ?? String(error), { cause: error });
  }
  return new AuthorizationError("database_unavailable", e?.message ?? String(error), { cause: error });
}

export class Authorizer {
  constructor(private readonly sql: postgres.Sql) {}

  private configure(c: postgres.ReservedSql, ctx: AuthorizationContext) {
    return c`select
        set_config('role', ${ctx.role}, true),
        set_config('realtime.topic', ${ctx.topic}, true),
        set_config('request.jwt.claims', ${JSON.stringify(ctx.claims)}, true),
        set_config('request.jwt.claim.sub', ${ctx.sub ?? ""}, true),
        set_config('request.jwt.claim.role', ${ctx.role}, true),
        set_config('request.headers', ${JSON.stringify(ctx.headers)}, true)`;
  }

  /** Evaluate read access for `extensions`; the others keep their value in `policies`. */
  async read(policies: Policies, ctx: AuthorizationContext, extensions: Extension[]): Promise<Policies> {
    const ids = extensions.map(() => randomUUID());
    const c = await this.sql.reserve();
    try {
      // one round trip: the statements are pipelined on the reserved connection
      const steps = [
        c`begin`,
        c`insert into realtime.messages (id, topic, extension, inserted_at, updated_at)
          select x.id, ${ctx.topic}, x.extension, now() at time zone 'utc', now() at time zone 'utc'
          from unnest(${ids}::uuid[], ${extensions}::text[]) as x(id, extension)`,
        this.configure(c, ctx),
        c`select id::text as id from realtime.messages where id = any(${ids}::uuid[])`,
        c`rollback`,
      ];
      const results = await Promise.allSettled(steps);
      const failed = results.find((r) => r.status === "rejected");
      if (failed) {
        if (results[4]?.status === "rejected") await c`rollback`.catch(() => {});
        throw classify(failed.reason);
      }
      const rows = (results[3] as PromiseFulfilledResult<unknown>).value as { id: string }[];
      const visible = new Set(rows.map((row) => row.id));
      const next: Policies = structuredClone(policies);
      extensions.forEach((extension, i) => {
        next[extension].read = visible.has(ids[i]!);
      });
      return next;
    } catch (error) {
      throw error instanceof AuthorizationError ? error : classify(error);
    } finally {
      c.release();
    }
  }

  /** Evaluate write access for `extensions` (the others become false, as Realtime does). */
  async write(policies: Policies, ctx: AuthorizationContext, extensions: Extension[]): Promise<Policies> {
    const next: Policies = structuredClone(policies);
    const c = await this.sql.reserve();
    try {
      await Promise.all([c`begin`, this.configure(c, ctx)]);
      for (const extension of ["broadcast", "presence"] as const) {
        if (!extensions.includes(extension)) {
          next[extension].write = false;
          continue;
        }
        const results = await Promise.allSettled([
          c`savepoint realtime_write_check`,
          c`insert into realtime.messages (id, topic, extension, inserted_at, updated_at)
            values (${randomUUID()}::uuid, ${ctx.topic}, ${extension}, now() at time zone 'utc',
                    now() at time zone 'utc')`,
          c`rollback to savepoint realtime_write_check`,
        ]);
        const insert = results[1]!;
        if (insert.status === "fulfilled") next[extension].write = true;
        else if ((insert.reason as { code?: string }).code === "42501") next[extension].write = false;
        else throw classify(insert.reason);
      }
      return next;
    } catch (error) {
      throw error instanceof AuthorizationError ? error : classify(error);
    } finally {
      await c`rollback`.catch(() => {});
      c.release();
    }
  }

  /**
   * Up to `limit` (1..25) private Broadcast messages of `topic` inserted since `sinceMs` (Unix ms),
   * oldest first: what a private channel joined with `config.broadcast.replay` receives first.
   */
  async replay(topic: string, sinceMs: number, limit: number) {
    const rows = await this.sql<
      { id: string; event: string | null; payload: string | null; binary_payload: Buffer | null }[]
    >`select id::text as id, event, payload::text as payload, binary_payload
      from realtime.messages
      where topic = ${topic} and private is true and extension = 'broadcast'
        and inserted_at >= to_timestamp(${sinceMs}::double precision / 1000)::timestamp
        and inserted_at < (now() + interval '1 minute')::timestamp
      order by inserted_at desc
      limit ${Math.max(1, Math.min(limit, 25))}`;
    return rows.reverse();
  }
}
