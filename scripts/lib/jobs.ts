/**
 * The local stack's stand-in for pg_cron.
 *
 *   - The deferred effects of reactions and comments (their notifications and activities;
 *     supabase/migrations/20261128003050_deferred_effects.sql): one connection calls
 *     social_private.run_deferred_effects again at once while it finds a full batch, and every
 *     POLL_MS while the queue is empty (pg_cron: every second).
 *   - With `scheduled`, every other job the migrations recorded in social_private.scheduled_jobs
 *     (streak reminders, leaderboard snapshots, event attendance, ticket holds), on its pg_cron
 *     schedule (scripts/lib/cron.ts), one at a time on a connection of its own, as the superuser
 *     the stack runs as (pg_cron runs a job as its owner). The list is read again every minute. A
 *     job that fails is logged and runs again at its next time; a bad schedule is logged and its
 *     job skipped. `npm start` turns this on; the tests and the benchmarks call jobs themselves.
 */
import postgres from "postgres";
import { parseSchedule, runsAt, type Schedule } from "./cron.ts";

const BATCH = 1000;
const POLL_MS = 100;
const RETRY_MS = 2000;
const DEFERRED_EFFECTS = "supasocial-deferred-effects";
const RELOAD_MS = 60_000;

export interface Jobs {
  stop(): Promise<void>;
}

export interface JobsOptions {
  dbUrl: string;
  log?: (line: string) => void;
  /** Run the recorded jobs on their schedules too: all, or those whose name passes. */
  scheduled?: boolean | ((name: string) => boolean);
  /** The scheduler's clock (ms since the epoch) and how often it looks (tests). */
  now?: () => number;
  tickMs?: number;
}

/** A loop's own connection, a pause that stopping cuts short, and the stop (the loop ends, then the connection). */
function worker(dbUrl: string, applicationName: string) {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {}, connection: { application_name: applicationName } });
  const state = { stopping: false };
  let wake: (() => void) | undefined;
  return {
    sql,
    state,
    pause: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    async stop(loop: Promise<void>) {
      state.stopping = true;
      wake?.();
      await loop;
      await sql.end({ timeout: 5 });
    },
  };
}

export function startJobs(options: JobsOptions): Jobs {
  const log = options.log ?? (() => {});
  const { sql, state, pause, stop } = worker(options.dbUrl, "supasocial-jobs");
  const loop = (async () => {
    while (!state.stopping) {
      try {
        const [{ n }] = await sql<{ n: number }[]>`select social_private.run_deferred_effects(${BATCH}) as n`;
        if (n < BATCH) await pause(POLL_MS);
      } catch (error) {
        if (state.stopping) break;
        log(`jobs: applying deferred effects failed: ${(error as Error).message}`);
        await pause(RETRY_MS);
      }
    }
  })();
  const scheduler = options.scheduled ? startScheduler(options, log) : undefined;
  return {
    async stop() {
      await Promise.all([stop(loop), scheduler?.stop()]);
    },
  };
}

interface ScheduledJob {
  name: string;
  command: string;
  schedule: Schedule;
}

function startScheduler(options: JobsOptions, log: (line: string) => void): Jobs {
  const wanted = typeof options.scheduled === "function" ? options.scheduled : () => true;
  const now = options.now ?? Date.now;
  const tickMs = options.tickMs ?? 1000;
  const { sql, state, pause, stop } = worker(options.dbUrl, "supasocial-scheduler");
  let jobs: ScheduledJob[] = [];
  let loadedAt = Number.NEGATIVE_INFINITY;
  const badSchedules = new Set<string>();
  /** interval jobs: when they last ran (ms); cron jobs: the last minute looked at */
  const last = new Map<string, number>();

  const load = async () => {
    const rows = await sql<{ name: string; schedule: string; command: string }[]>`
      select name, schedule, command from social_private.scheduled_jobs order by name`;
    jobs = [];
    for (const row of rows) {
      if (row.name === DEFERRED_EFFECTS || !wanted(row.name)) continue;
      try {
        jobs.push({ name: row.name, command: row.command, schedule: parseSchedule(row.schedule) });
      } catch (error) {
        const key = `${row.name} ${row.schedule}`;
        if (!badSchedules.has(key)) log(`jobs: ${row.name} skipped: ${(error as Error).message}`);
        badSchedules.add(key);
      }
    }
  };
  const due = (job: ScheduledJob, at: number): boolean => {
    if (job.schedule.kind === "interval") {
      const previous = last.get(job.name);
      if (previous === undefined) last.set(job.name, at);
      if (previous === undefined || at - previous < job.schedule.seconds * 1000) return false;
      last.set(job.name, at);
      return true;
    }
    const minute = Math.floor(at / 60_000);
    const previous = last.get(job.name) ?? minute;
    last.set(job.name, minute);
    return minute > previous && runsAt(job.schedule, new Date(minute * 60_000));
  };
  const loop = (async () => {
    while (!state.stopping) {
      try {
        const at = now();
        if (at - loadedAt >= RELOAD_MS) {
          await load();
          loadedAt = at;
        }
        for (const job of jobs) {
          if (state.stopping || !due(job, at)) continue;
          try {
            await sql.unsafe(job.command);
          } catch (error) {
            if (!state.stopping) log(`jobs: ${job.name} failed: ${(error as Error).message}`);
          }
        }
      } catch (error) {
        if (!state.stopping) log(`jobs: reading social_private.scheduled_jobs failed: ${(error as Error).message}`);
      }
      await pause(tickMs);
    }
  })();
  return { stop: () => stop(loop) };
}
