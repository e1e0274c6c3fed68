/**
 * Gamification, streaks: days in the user's time zone, same-day and consecutive activities, gaps,
 * back-dated activities (filling gaps, joining runs, old runs), freezes (earned, bought, spent on
 * a missed day, given back), the live value on read whatever time it is (nothing runs at midnight)
 * and the reminder job.
 */
import { describe, expect, it } from "vitest";
import { record, recordAsService, setUser, stats } from "../fixtures/gamification.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";

const W = "workout_completed";

/** A workout for `user` at each UTC instant (the host app's backend). */
async function workouts(db: TestDb, user: string, instants: string[]): Promise<void> {
  for (const at of instants) await recordAsService(db, user, W, { at });
}

/** Workouts at 12:00 UTC on each day. */
async function workoutDays(db: TestDb, user: string, days: string[]): Promise<void> {
  await workouts(
    db,
    user,
    days.map((d) => `${d}T12:00:00Z`),
  );
}

interface LiveStreak {
  kind: string;
  current_streak: number;
  longest_streak: number;
  last_day: string;
  today: string;
  done_today: boolean;
  ends_tonight: boolean;
  freezes: number;
  freezes_pending: number;
}

async function myStreak(db: TestDb, user: string, kind = W): Promise<LiveStreak | undefined> {
  await db.as(user);
  const rows = await db.q<LiveStreak[]>`
    select kind, current_streak, longest_streak, last_day::text, today::text, done_today, ends_tonight, freezes,
           freezes_pending
    from social.my_streaks()`;
  return rows.find((r) => r.kind === kind);
}

/** The UTC instant that is `time` on the local day `daysAgo` before today in `tz`. */
async function localInstant(db: TestDb, tz: string, daysAgo: number, time: string): Promise<string> {
  const [row] = await db.q<{ at: Date }[]>`
    select (((now() at time zone ${tz})::date - ${daysAgo}::int) + ${time}::time) at time zone ${tz} as at`;
  return row!.at.toISOString();
}

describe("streaks: days", () => {
  it("consecutive days build the streak, a second activity the same day adds nothing, a gap starts again at 1", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await workoutDays(db, ana, ["2026-03-01", "2026-03-02", "2026-03-03"]);
      await workouts(db, ana, ["2026-03-03T18:00:00Z"]);
      expect(await stats(db, ana, W)).toMatchObject({
        activity_count: 4,
        current_streak: 3,
        longest_streak: 3,
        last_day: "2026-03-03",
      });
      await workoutDays(db, ana, ["2026-03-05"]);
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 1, longest_streak: 3, last_day: "2026-03-05" });
    });
  });

  it("the same instants fall on the days of each user's time zone", async () => {
    await withDb(async (db) => {
      const [utc, ny, tokyo] = await db.createUsers(3);
      await setUser(db, ny, { timezone: "America/New_York" });
      await setUser(db, tokyo, { timezone: "Asia/Tokyo" });
      // 23:30 and 00:30 UTC: two days in UTC; the same evening in New York; the same morning in Tokyo
      const instants = ["2026-03-01T23:30:00Z", "2026-03-02T00:30:00Z"];
      for (const user of [utc, ny, tokyo]) await workouts(db, user, instants);
      expect(await stats(db, utc, W)).toMatchObject({ current_streak: 2, last_day: "2026-03-02" });
      expect(await stats(db, ny, W)).toMatchObject({ current_streak: 1, last_day: "2026-03-01" });
      expect(await stats(db, tokyo, W)).toMatchObject({ current_streak: 1, last_day: "2026-03-02" });
      // the next evening in New York is the next day there
      await workouts(db, ny, ["2026-03-02T23:30:00Z"]);
      expect(await stats(db, ny, W)).toMatchObject({ current_streak: 2, last_day: "2026-03-02" });
    });
  });

  it("a retried activity (same key) does not extend the streak", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await recordAsService(db, ana, W, { at: "2026-03-01T10:00:00Z", key: "a" });
      await recordAsService(db, ana, W, { at: "2026-03-02T10:00:00Z", key: "b" });
      await recordAsService(db, ana, W, { at: "2026-03-03T10:00:00Z", key: "b" });
      expect(await stats(db, ana, W)).toMatchObject({ activity_count: 2, current_streak: 2, last_day: "2026-03-02" });
    });
  });

  it("kinds without streaks keep counts and values only", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await recordAsService(db, ana, "weight_logged", { at: "2026-03-01T08:00:00Z", value: 90 });
      await recordAsService(db, ana, "weight_logged", { at: "2026-03-05T08:00:00Z", value: 84.5 });
      await recordAsService(db, ana, "weight_logged", { at: "2026-02-20T08:00:00Z", value: 91 }); // back-dated: the first now
      await recordAsService(db, ana, "weight_logged", { at: "2026-03-04T08:00:00Z", value: 86 }); // not the latest
      expect(await stats(db, ana, "weight_logged")).toMatchObject({
        activity_count: 4,
        current_streak: 0,
        longest_streak: 0,
        last_day: null,
        first_value: "91",
        min_value: "84.5",
        max_value: "91",
        latest_value: "84.5",
      });
    });
  });
});

describe("statistics: the counts of the latest day's periods", () => {
  it("count the day, week, month and year of the latest day; an earlier activity counts in the periods it shares with it; deletes recount", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const periods = async () => {
        await db.asSuperuser();
        const [row] = await db.q<{ day: string; days: number; weeks: number; months: number; years: number }[]>`
          select period_day::text as day, day_count as days, week_count as weeks, month_count as months, year_count as years
          from social.activity_stats where user_id = ${ana} and kind = 'workout_completed'`;
        return row;
      };
      // 2026-03-30 is a Monday
      for (const at of ["2026-03-30", "2026-03-31", "2026-03-31"]) {
        await recordAsService(db, ana, "workout_completed", { at: `${at}T12:00:00Z` });
      }
      expect(await periods()).toEqual({ day: "2026-03-31", days: 2, weeks: 3, months: 3, years: 3 });
      // Sunday before: the same month and year, the week before
      await recordAsService(db, ana, "workout_completed", { at: "2026-03-29T12:00:00Z" });
      expect(await periods()).toEqual({ day: "2026-03-31", days: 2, weeks: 3, months: 4, years: 4 });
      // a new day and month in the same week
      const april = await recordAsService(db, ana, "workout_completed", { at: "2026-04-01T12:00:00Z" });
      expect(await periods()).toEqual({ day: "2026-04-01", days: 1, weeks: 4, months: 1, years: 5 });
      await db.asService();
      await db.q`delete from social.activities where id = ${april.id}`;
      expect(await periods()).toEqual({ day: "2026-03-31", days: 2, weeks: 3, months: 4, years: 4 });
    });
  });
});

describe("streaks: back-dated activities count on the day they happened", () => {
  it("filling a gap joins two runs into the current streak", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await workoutDays(db, ana, ["2026-03-01", "2026-03-02", "2026-03-04", "2026-03-05"]);
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 2, longest_streak: 2 });
      await workoutDays(db, ana, ["2026-03-03"]);
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 5, longest_streak: 5, last_day: "2026-03-05" });
    });
  });

  it("a day before the current run lengthens it; one in an old gap lengthens only the longest", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await workoutDays(db, ana, ["2026-01-01", "2026-01-02", "2026-01-04", "2026-01-05", "2026-03-02", "2026-03-03"]);
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 2, longest_streak: 2 });
      await workoutDays(db, ana, ["2026-03-01"]);
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 3, longest_streak: 3 });
      await workoutDays(db, ana, ["2026-01-03"]);
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 3, longest_streak: 5, last_day: "2026-03-03" });
      // a back-dated day already active changes nothing
      await workoutDays(db, ana, ["2026-01-04"]);
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 3, longest_streak: 5 });
    });
  });

  it("a user back-dates yesterday's forgotten workout and keeps the streak alive", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await setUser(db, ana, { timezone: "Europe/Lisbon" });
      await record(db, ana, W, { at: await localInstant(db, "Europe/Lisbon", 2, "09:00") });
      await record(db, ana, W, { at: await localInstant(db, "Europe/Lisbon", 0, "00:01") });
      expect((await myStreak(db, ana))?.current_streak).toBe(1);
      await record(db, ana, W, { at: await localInstant(db, "Europe/Lisbon", 1, "19:00") });
      expect(await myStreak(db, ana)).toMatchObject({ current_streak: 3, longest_streak: 3, done_today: true });
    });
  });
});

describe("streaks: freezes", () => {
  it("every 7th day earns a freeze; a missed day spends it and the streak goes on; a longer gap breaks it", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const week = Array.from({ length: 7 }, (_, i) => `2026-03-0${i + 1}`);
      await workoutDays(db, ana, week);
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 7, streak_freezes: 1 });
      await workoutDays(db, ana, ["2026-03-09"]); // the 8th is missed
      expect(await stats(db, ana, W)).toMatchObject({
        current_streak: 8,
        longest_streak: 8,
        last_day: "2026-03-09",
        streak_freezes: 0,
        freezes_used: 1,
        last_freezes_spent: 1,
      });
      await db.asSuperuser();
      const frozen = await db.q<{ day: string }[]>`
        select day::text from social.streak_frozen_days where user_id = ${ana} and kind = ${W}`;
      expect(frozen.map((f) => f.day)).toEqual(["2026-03-08"]);
      await workoutDays(db, ana, ["2026-03-12"]); // two days missed, no freeze left
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 1, longest_streak: 8, freezes_used: 1 });
    });
  });

  it("a gap longer than the freezes held breaks the streak without spending them", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await workoutDays(db, ana, [
        "2026-03-01",
        "2026-03-02",
        "2026-03-03",
        "2026-03-04",
        "2026-03-05",
        "2026-03-06",
        "2026-03-07",
      ]);
      await workoutDays(db, ana, ["2026-03-10"]);
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 1, streak_freezes: 1, freezes_used: 0 });
    });
  });

  it("a back-dated activity on a frozen day gives the freeze back and counts the day", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await workoutDays(db, ana, [
        "2026-03-01",
        "2026-03-02",
        "2026-03-03",
        "2026-03-04",
        "2026-03-05",
        "2026-03-06",
        "2026-03-07",
      ]);
      await workoutDays(db, ana, ["2026-03-09", "2026-03-10"]);
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 9, streak_freezes: 0, freezes_used: 1 });
      await workoutDays(db, ana, ["2026-03-08"]);
      expect(await stats(db, ana, W)).toMatchObject({
        current_streak: 10,
        longest_streak: 10,
        streak_freezes: 1,
        freezes_used: 0,
      });
      await db.asSuperuser();
      const [frozen] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.streak_frozen_days where user_id = ${ana}`;
      expect(frozen!.n).toBe(0);
    });
  });

  it("two freezes bridge two missed days; a bought freeze counts like an earned one", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await workoutDays(db, ana, [
        "2026-03-01",
        "2026-03-02",
        "2026-03-03",
        "2026-03-04",
        "2026-03-05",
        "2026-03-06",
        "2026-03-07",
      ]);
      // buy a second freeze with points earned by the workouts
      await db.as(ana);
      await db.q`select social.redeem_reward((select id from social.rewards where code = 'workout_streak_freeze'))`;
      expect((await stats(db, ana, W))?.streak_freezes).toBe(2);
      await workoutDays(db, ana, ["2026-03-10"]);
      expect(await stats(db, ana, W)).toMatchObject({ current_streak: 8, streak_freezes: 0, last_freezes_spent: 2 });
    });
  });
});

describe("streaks: read live, whatever time it is", () => {
  it("alive on read while the last day is today or yesterday in the user's time zone, broken after", async () => {
    await withDb(async (db) => {
      const [alive, broken] = await db.createUsers(2);
      for (const user of [alive, broken]) await setUser(db, user, { timezone: "Pacific/Kiritimati" });
      // three days ending yesterday (local), with the last one a minute before midnight
      for (const [daysAgo, time] of [
        [3, "10:00"],
        [2, "10:00"],
        [1, "23:59"],
      ] as const) {
        await recordAsService(db, alive, W, { at: await localInstant(db, "Pacific/Kiritimati", daysAgo, time) });
        await recordAsService(db, broken, W, { at: await localInstant(db, "Pacific/Kiritimati", daysAgo + 1, time) });
      }
      expect(await myStreak(db, alive)).toMatchObject({
        current_streak: 3,
        done_today: false,
        ends_tonight: true,
        freezes: 0,
        freezes_pending: 0,
      });
      // nothing ran at midnight: the stored row still says 3, the read says 0
      expect((await stats(db, broken, W))?.current_streak).toBe(3);
      expect(await myStreak(db, broken)).toMatchObject({ current_streak: 0, longest_streak: 3, ends_tonight: false });
      // a minute after local midnight counts for today
      await recordAsService(db, alive, W, { at: await localInstant(db, "Pacific/Kiritimati", 0, "00:01") });
      expect(await myStreak(db, alive)).toMatchObject({ current_streak: 4, done_today: true, ends_tonight: false });
    });
  });

  it("a freeze keeps a streak alive on read over a missed day, and is spent by the next activity", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await setUser(db, ana, { timezone: "America/Los_Angeles" });
      for (let daysAgo = 9; daysAgo >= 2; daysAgo--) {
        await recordAsService(db, ana, W, { at: await localInstant(db, "America/Los_Angeles", daysAgo, "08:00") });
      }
      // 8 days earned one freeze; yesterday was missed
      expect(await myStreak(db, ana)).toMatchObject({
        current_streak: 8,
        freezes: 0,
        freezes_pending: 1,
        ends_tonight: true,
      });
      await recordAsService(db, ana, W, { at: await localInstant(db, "America/Los_Angeles", 0, "07:00") });
      expect(await myStreak(db, ana)).toMatchObject({ current_streak: 9, freezes: 0, freezes_pending: 0 });
      expect(await stats(db, ana, W)).toMatchObject({ freezes_used: 1, last_freezes_spent: 1 });
    });
  });

  it("streak_current: the rule at the boundaries", async () => {
    await withDb(async (db) => {
      const rows = await db.q<{ v: number }[]>`
        select social_private.streak_current(5, d, f, '2026-03-10') as v
        from (values ('2026-03-10'::date, 0), ('2026-03-09', 0), ('2026-03-08', 0), ('2026-03-08', 1),
                     ('2026-03-07', 1), ('2026-03-07', 2), (null, 3)) as t(d, f)`;
      expect(rows.map((r) => r.v)).toEqual([5, 5, 0, 5, 0, 5, 0]);
    });
  });

  it("my streaks need a signed-in user and show only mine", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      await recordAsService(db, ana, W);
      expect(await myStreak(db, ben)).toBeUndefined();
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select * from social.my_streaks()`))[0]).toBe("42501");
    });
  });
});

describe("streaks: the reminder job", () => {
  async function reminders(db: TestDb, at: string): Promise<number> {
    await db.asService();
    const [row] = await db.q<{ n: number }[]>`select social_private.send_streak_reminders(${at}::timestamptz) as n`;
    return row!.n;
  }

  async function reminded(
    db: TestDb,
    user: string,
  ): Promise<{ data: { streaks: { kind: string; current_streak: number }[] } }[]> {
    await db.asSuperuser();
    return db.q`select data from social.notifications where recipient_id = ${user} and kind = 'streak_reminder'`;
  }

  it("reminds, after 20:00 in their own time zone, users whose streak ends tonight, once per day", async () => {
    await withDb(async (db) => {
      const [lisbon, tokyo] = await db.createUsers(2);
      await setUser(db, lisbon, { timezone: "Europe/Lisbon" });
      await setUser(db, tokyo, { timezone: "Asia/Tokyo" });
      await workoutDays(db, lisbon, ["2026-03-07", "2026-03-08", "2026-03-09"]);
      await workoutDays(db, tokyo, ["2026-03-07", "2026-03-08", "2026-03-09"]);
      // 12:00 UTC on the 10th: 21:00 in Tokyo, noon in Lisbon
      expect(await reminders(db, "2026-03-10T12:00:00Z")).toBe(1);
      expect(await reminded(db, tokyo)).toEqual([{ data: { streaks: [{ kind: W, current_streak: 3 }] } }]);
      expect(await reminded(db, lisbon)).toEqual([]);
      // 20:30 in Lisbon: Lisbon's turn; Tokyo already had today's
      expect(await reminders(db, "2026-03-10T20:30:00Z")).toBe(1);
      expect(await reminded(db, lisbon)).toHaveLength(1);
      expect(await reminders(db, "2026-03-10T22:00:00Z")).toBe(0);
      await db.asSuperuser();
      const [toast] = await db.q<{ n: number }[]>`
        select count(*)::int as n from realtime.messages
        where topic = ${`user:${lisbon}`} and event = 'notification'
          and payload #>> '{notification,kind}' = 'streak_reminder'`;
      expect(toast!.n).toBe(1);
    });
  });

  it("does not remind users who did it today, whose freeze covers tonight, whose streak is broken, or who turned reminders off", async () => {
    await withDb(async (db) => {
      const [done, frozen, broken, off, due] = await db.createUsers(5);
      await workoutDays(db, done, ["2026-03-08", "2026-03-09", "2026-03-10"]);
      await workoutDays(db, frozen, [
        "2026-03-02",
        "2026-03-03",
        "2026-03-04",
        "2026-03-05",
        "2026-03-06",
        "2026-03-07",
        "2026-03-08",
        "2026-03-09",
      ]);
      await workoutDays(db, broken, ["2026-03-07", "2026-03-08"]);
      await workoutDays(db, off, ["2026-03-08", "2026-03-09"]);
      await workoutDays(db, due, ["2026-03-08", "2026-03-09"]);
      await db.as(off);
      await db.q`select social.set_notification_preference('streak_reminder', false)`;
      expect(await reminders(db, "2026-03-10T21:00:00Z")).toBe(1);
      for (const [user, n] of [
        [done, 0],
        [frozen, 0],
        [broken, 0],
        [off, 0],
        [due, 1],
      ] as const) {
        expect(await reminded(db, user), user).toHaveLength(n);
      }
      // the frozen user holds a freeze for tonight: tomorrow evening, with none left, they are due
      expect(await reminders(db, "2026-03-11T21:00:00Z")).toBe(2);
      expect(await reminded(db, frozen)).toHaveLength(1);
    });
  });
});
