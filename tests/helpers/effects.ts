/**
 * The deferred effects of reactions and comments (their notifications and activities) arrive a
 * moment after the write: the queue's job applies them (supabase/migrations/
 * 20261128003050_deferred_effects.sql; the local stack runs it continuously, pg_cron every second
 * on Supabase). Suites that look at those effects through the API call `settle()` first.
 */
import { sql } from "./db.ts";

/**
 * Apply every deferred effect committed so far, waiting for the ones another run holds, the way
 * the job does; fails if any effect in the queue has failed.
 */
export async function settle(): Promise<void> {
  for (;;) {
    const [{ n }] = await sql<{ n: number }[]>`select social_private.run_deferred_effects(10000, true) as n`;
    if (!n) break;
  }
  const failed = await sql<{ id: string; last_error: string }[]>`
    select id, last_error from social_private.deferred_effects where last_error is not null limit 5`;
  if (failed.length) {
    throw new Error(`deferred effects failed: ${failed.map((f) => `#${f.id} ${f.last_error}`).join("; ")}`);
  }
}
