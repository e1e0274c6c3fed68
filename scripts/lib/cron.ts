/**
 * pg_cron's schedules, as the local stack's scheduler reads them (scripts/lib/jobs.ts): five cron
 * fields (minute, hour, day of month, month, day of week; `*`, `a`, `a-b`, `*\/n`, `a-b/n` and
 * lists of them; Sunday is 0 or 7) evaluated in UTC as pg_cron does by default, or an interval of
 * 1-59 seconds (`'10 seconds'`). As in cron, when both the day of month and the day of week are
 * restricted, a day matching either runs the job.
 */

export type Schedule =
  | { kind: "interval"; seconds: number }
  | {
      kind: "cron";
      minutes: Set<number>;
      hours: Set<number>;
      days: Set<number>;
      months: Set<number>;
      weekdays: Set<number>;
      /** day of month and day of week both restricted: either matches */
      eitherDay: boolean;
    };

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

function field(text: string, index: number): Set<number> {
  const { name, min, max } = FIELDS[index]!;
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw new Error(`bad ${name} field "${text}"`);
    const from = match[1] === "*" ? min : Number(match[2]);
    const to = match[1] === "*" ? max : match[3] !== undefined ? Number(match[3]) : match[4] ? max : from;
    const step = match[4] !== undefined ? Number(match[4]) : 1;
    if (from < min || to > max || from > to || step < 1) throw new Error(`bad ${name} field "${text}"`);
    for (let v = from; v <= to; v += step) values.add(index === 4 && v === 7 ? 0 : v);
  }
  return values;
}

/** Parses a pg_cron schedule; throws an Error naming what is wrong. */
export function parseSchedule(text: string): Schedule {
  const interval = /^\s*(\d+)\s+seconds?\s*$/i.exec(text);
  if (interval) {
    const seconds = Number(interval[1]);
    if (seconds < 1 || seconds > 59) throw new Error(`bad interval "${text}": 1 to 59 seconds`);
    return { kind: "interval", seconds };
  }
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`bad schedule "${text}": five cron fields or "N seconds"`);
  return {
    kind: "cron",
    minutes: field(parts[0]!, 0),
    hours: field(parts[1]!, 1),
    days: field(parts[2]!, 2),
    months: field(parts[3]!, 3),
    weekdays: field(parts[4]!, 4),
    eitherDay: !parts[2]!.startsWith("*") && !parts[4]!.startsWith("*"),
  };
}

/** Whether a cron schedule runs in the minute of `at` (UTC). */
export function runsAt(schedule: Extract<Schedule, { kind: "cron" }>, at: Date): boolean {
  if (!schedule.minutes.has(at.getUTCMinutes()) || !schedule.hours.has(at.getUTCHours())) return false;
  if (!schedule.months.has(at.getUTCMonth() + 1)) return false;
  const day = schedule.days.has(at.getUTCDate());
  const weekday = schedule.weekdays.has(at.getUTCDay());
  return schedule.eitherDay ? day || weekday : day && weekday;
}
