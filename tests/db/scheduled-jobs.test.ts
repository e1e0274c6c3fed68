/**
 * Scheduled jobs (supabase/migrations/20261128000000_core.sql, scheduled_jobs and schedule_job):
 * the migrations record every job with its pg_cron schedule; where pg_cron is missing, the local
 * stack's scheduler (scripts/lib/jobs.ts, scripts/lib/cron.ts) runs them on those schedules.
 * Proven here: the recorded list, pg_cron's schedule syntax (both sides), the scheduler running
 * each job at its minute and not between, a failing job and a bad schedule logged without stopping
 * the others, clients kept out of the list and of the scheduling functions, and
 * schedule_jobs_with_pg_cron refusing without pg_cron.
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { parseSchedule, runsAt, type Schedule } from "../../scripts/lib/cron.ts";
import { startJobs } from "../../scripts/lib/jobs.ts";
import { refused, withDb } from "../helpers/db.ts";
import { eventually, sleep } from "../helpers/eventually.ts";

const cron = (text: string) => parseSchedule(text) as Extract<Schedule, { kind: "cron" }>;
const at = (iso: string) => new Date(iso);

describe("pg_cron schedules", () => {
  it("runs a cron schedule in the minutes it names (UTC) and in no other", () => {
    const quarterly = cron("*/15 * * * *");
    expect(runsAt(quarterly, at("2026-12-02T10:00:00Z"))).toBe(true);
    expect(runsAt(quarterly, at("2026-12-02T10:45:59Z"))).toBe(true);
    expect(runsAt(quarterly, at("2026-12-02T10:10:00Z"))).toBe(false);
    const daily = cron("15 0 * * *");
    expect(runsAt(daily, at("2026-12-02T00:15:00Z"))).toBe(true);
    expect(runsAt(daily, at("2026-12-02T01:15:00Z"))).toBe(false);
    expect(runsAt(daily, at("2026-12-02T00:16:00Z"))).toBe(false);
    const list = cron("5,20-22,40-50/5 * * * *");
    const minutes = Array.from({ length: 60 }, (_, m) => m).filter((m) =>
      runsAt(list, new Date(Date.UTC(2026, 11, 2, 3, m))),
    );
    expect(minutes).toEqual([5, 20, 21, 22, 40, 45, 50]);
    // day of month and day of week both set: either (Vixie cron, pg_cron); one set: that one
    const either = cron("0 9 1 * 1");
    expect(runsAt(either, at("2026-12-01T09:00:00Z"))).toBe(true); // the 1st, a Tuesday
    expect(runsAt(either, at("2026-12-07T09:00:00Z"))).toBe(true); // a Monday
    expect(runsAt(either, at("2026-12-08T09:00:00Z"))).toBe(false);
    const sundays = cron("0 0 * * 7");
    expect(runsAt(sundays, at("2026-12-06T00:00:00Z"))).toBe(true);
    expect(runsAt(sundays, at("2026-12-07T00:00:00Z"))).toBe(false);
    expect(parseSchedule("10 seconds")).toEqual({ kind: "interval", seconds: 10 });
  });

  it("refuses what pg_cron would not take, naming the field", () => {
    for (const [text, message] of [
      ["61 * * * *", "minute"],
      ["* 24 * * *", "hour"],
      ["* * 0 * *", "day of month"],
      ["* * * 13 *", "month"],
      ["* * * * 8", "day of week"],
      ["5-1 * * * *", "minute"],
      ["*/0 * * * *", "minute"],
      ["a * * * *", "minute"],
      ["* * * *", "five cron fields"],
      ["0 seconds", "1 to 59"],
      ["60 seconds", "1 to 59"],
      ["", "five cron fields"],
    ] as const) {
      expect(() => parseSchedule(text), text).toThrow(message);
    }
  });
});

describe("scheduled jobs", () => {
  it("the migrations record every job with its schedule, and each schedule parses", async () => {
    await withDb(async (db) => {
      await db.asSuperuser();
      const jobs = await db.q<{ name: string; schedule: string; command: string }[]>`
        select name, schedule, command from social_private.scheduled_jobs
        where name like 'supasocial-%' order by name`;
      expect(jobs.map((j) => [j.name, j.schedule])).toEqual([
        ["supasocial-deferred-effects", "1 seconds"],
        ["supasocial-event-attendance", "*/15 * * * *"],
        ["supasocial-expire-ticket-holds", "* * * * *"],
        ["supasocial-leaderboard-snapshots", "15 0 * * *"],
        ["supasocial-streak-reminders", "5 * * * *"],
      ]);
      for (const job of jobs) expect(() => parseSchedule(job.schedule)).not.toThrow();
      // recording a job again replaces its schedule and command
      const name = `test-${randomUUID()}`;
      const [{ scheduled }] = await db.q<{ scheduled: boolean }[]>`
        select social_private.schedule_job(${name}, '* * * * *', 'select 1') as scheduled`;
      expect(scheduled).toBe(false); // no pg_cron here: recorded only
      await db.q`select social_private.schedule_job(${name}, '*/5 * * * *', 'select 2')`;
      expect(await db.q`select schedule, command from social_private.scheduled_jobs where name = ${name}`).toEqual([
        { schedule: "*/5 * * * *", command: "select 2" },
      ]);
    });
  });

  it("clients cannot read or change the list or schedule anything; the service role reads it", async () => {
    await withDb(async (db) => {
      const [ana] = await db.createUsers(1);
      for (const as of [() => db.as(ana!), () => db.asAnon()]) {
        await as();
        expect((await db.error((tx) => tx`select * from social_private.scheduled_jobs`)).code).toBe("42501");
        expect(
          (
            await db.error(
              (tx) => tx`insert into social_private.scheduled_jobs (name, schedule, command)
                         values ('mine', '* * * * *', 'select 1')`,
            )
          ).code,
        ).toBe("42501");
        expect(
          (await db.error((tx) => tx`select social_private.schedule_job('mine', '* * * * *', 'select 1')`)).code,
        ).toBe("42501");
        expect((await db.error((tx) => tx`select social_private.schedule_jobs_with_pg_cron()`)).code).toBe("42501");
      }
      await db.asService();
      const rows =
        await db.q`select name from social_private.scheduled_jobs where name = 'supasocial-streak-reminders'`;
      expect(rows).toHaveLength(1);
      expect((await db.error((tx) => tx`delete from social_private.scheduled_jobs`)).code).toBe("42501");
      expect(
        (await db.error((tx) => tx`select social_private.schedule_job('mine', '* * * * *', 'select 1')`)).code,
      ).toBe("42501");
    });
  });

  it("schedule_jobs_with_pg_cron without pg_cron is invalid_input and schedules nothing", async () => {
    await withDb(async (db) => {
      await db.asSuperuser();
      expect(await refused(db, (tx) => tx`select social_private.schedule_jobs_with_pg_cron()`)).toEqual([
        "22023",
        "invalid_input",
      ]);
    });
  });
});

describe("the local stack's scheduler", () => {
  it("runs each recorded job at its minute and not between; a failing job and a bad schedule are logged and the rest run", async () => {
    const sql = postgres(inject("dbUrl"), { max: 2, onnotice: () => {} });
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const table = `public.scheduler_probe_${prefix.slice(5)}`;
    const lines: string[] = [];
    let clock = Date.parse("2026-12-02T00:13:30Z");
    const runs = async () => {
      const rows = await sql<{ job: string; n: number }[]>`
        select job, count(*)::int as n from ${sql.unsafe(table)} group by job order by job`;
      return Object.fromEntries(rows.map((r) => [r.job, r.n]));
    };
    await sql.unsafe(`create table ${table} (job text not null, at timestamptz not null default now())`);
    const record = (suffix: string, schedule: string, command: string) =>
      sql`select social_private.schedule_job(${`${prefix}-${suffix}`}, ${schedule}, ${command})`;
    await record("minutely", "* * * * *", `insert into ${table} (job) values ('minutely')`);
    await record("daily", "15 0 * * *", `insert into ${table} (job) values ('daily')`);
    await record("interval", "2 seconds", `insert into ${table} (job) values ('interval')`);
    await record("failing", "* * * * *", "select 1 / 0");
    await sql`insert into social_private.scheduled_jobs (name, schedule, command)
              values (${`${prefix}-bad`}, '99 * * * *', 'select 1')`;
    const jobs = startJobs({
      dbUrl: inject("dbUrl"),
      log: (line) => lines.push(line),
      scheduled: (name) => name.startsWith(prefix),
      now: () => clock,
      tickMs: 10,
    });
    try {
      const logged = (what: string) => lines.filter((l) => l.includes(what));
      await eventually(() => expect(logged("-bad skipped")[0]).toContain("bad minute field"), 10_000);
      await sleep(200);
      expect(await runs()).toEqual({}); // nothing runs at the start, in the minute it started
      clock = Date.parse("2026-12-02T00:13:31Z");
      await sleep(200);
      expect(await runs()).toEqual({}); // 1 s later: the 2-second interval is not up
      clock = Date.parse("2026-12-02T00:14:00Z");
      await eventually(async () => expect(await runs()).toMatchObject({ minutely: 1, interval: 1 }), 10_000);
      await eventually(() => expect(logged("-failing failed")).toHaveLength(1), 10_000);
      expect(logged("-failing failed")[0]).toContain("division by zero");
      await sleep(200);
      expect(await runs()).toEqual({ minutely: 1, interval: 1 }); // once per minute, however often it looks
      clock = Date.parse("2026-12-02T00:15:00Z");
      await eventually(async () => expect((await runs()).daily).toBe(1), 10_000);
      await eventually(() => expect(logged("-failing failed")).toHaveLength(2), 10_000);
      await sleep(200);
      expect(await runs()).toEqual({ minutely: 2, interval: 2, daily: 1 });
      expect(logged("-bad skipped")).toHaveLength(1); // logged once
    } finally {
      await jobs.stop();
      await sql`delete from social_private.scheduled_jobs where name like ${`${prefix}-%`}`;
      await sql.unsafe(`drop table ${table}`);
    }
    try {
      // stopped: its connection is gone
      const [{ n }] = await sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where application_name = 'supasocial-scheduler' and datname = current_database()`;
      expect(n).toBe(0);
    } finally {
      await sql.end({ timeout: 5 });
    }
  }, 30_000);
});
