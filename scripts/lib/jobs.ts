/**
 * The local stack's stand-in for the pg_cron job that applies the deferred effects of reactions
 * and comments (their notifications and activities; supabase/migrations/
 * 20261128003050_deferred_effects.sql): one connection calls social_private.run_deferred_effects
 * again at once while it finds a full batch, and every POLL_MS while the queue is empty.
 */
import postgres from "postgres";

const BATCH = 1000;
const POLL_MS = 100;
const RETRY_MS = 2000;

export interface Jobs {
  stop(): Promise<void>;
}

export function startJobs(options: { dbUrl: string; log?: (line: string) => void }): Jobs {
  const log = options.log ?? (() => {});
  const sql = postgres(options.dbUrl, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: "supasocial-jobs" },
  });
  let stopping = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    while (!stopping) {
      try {
        const [{ n }] = await sql<{ n: number }[]>`select social_private.run_deferred_effects(${BATCH}) as n`;
        if (n < BATCH) await pause(POLL_MS);
      } catch (error) {
        if (stopping) break;
        log(`jobs: applying deferred effects failed: ${(error as Error).message}`);
        await pause(RETRY_MS);
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      await sql.end({ timeout: 5 });
    },
  };
}
