/**
 * Gamification fed by the later domains: attending an event (recorded by the attendance job once
 * the event has ended, for those who held a seat, once) and trips (planned on creation, completed
 * when marked done, once per trip), with their points and badges.
 */
import { describe, expect, it } from "vitest";
import { createEvent, rsvp } from "../fixtures/events.ts";
import { badgeCodes, balance, onlyBadges, recordAsService, stats } from "../fixtures/gamification.ts";
import { buildTrip, tripCast } from "../fixtures/trips.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";

interface Attended {
  user_id: string;
  occurred_at: Date;
  group_id: string | null;
  payload: { event_id: string };
}

/** The event_attended activities keyed to `event`, as the table owner. */
async function attended(db: TestDb, event: string): Promise<Attended[]> {
  await db.asSuperuser();
  return db.q<Attended[]>`
    select user_id, occurred_at, group_id, payload from social.activities
    where kind = 'event_attended' and idempotency_key = ${`event:${event}`} order by user_id`;
}

/** Run the attendance job as the service role at `at`; the number of activities it recorded. */
async function runJob(db: TestDb, at: Date): Promise<number> {
  await db.asService();
  const [row] = await db.q<{ n: number }[]>`select social_private.record_event_attendance(${at}) as n`;
  return row!.n;
}

describe("event attendance", () => {
  it("once an event has ended, those who held a seat attended it, dated at its start, once", async () => {
    await withDb(async (db) => {
      const [organizer, going, partied, waiting, interested, cancelled] = await db.createUsers(6);
      const e = await createEvent(db, organizer!, { capacity: 3, startsInHours: 2, hours: 3 });
      await rsvp(db, going!, e.id);
      await rsvp(db, partied!, e.id, "going", 1); // the party fills the event
      await rsvp(db, waiting!, e.id); // waitlisted: never had a seat
      await rsvp(db, interested!, e.id, "interested");
      await rsvp(db, cancelled!, e.id, "going");
      await db.as(cancelled!);
      await db.q`select social.cancel_rsvp(${e.id})`;
      const ends = new Date(e.ends_at as string);
      // before the end nothing is recorded and the event stays due (the job's count covers other
      // suites' committed events too, so each check reads this event's rows)
      await runJob(db, new Date(ends.getTime() - 60_000));
      expect(await attended(db, e.id)).toEqual([]);
      await db.asSuperuser();
      const [due] = await db.q<
        { at: Date | null }[]
      >`select attendance_recorded_at as at from social.events where id = ${e.id}`;
      expect(due!.at).toBeNull();

      const after = new Date(ends.getTime() + 60_000);
      expect(await runJob(db, after)).toBeGreaterThanOrEqual(2);
      const rows = await attended(db, e.id);
      expect(rows.map((r) => r.user_id)).toEqual([going!, partied!].sort());
      for (const r of rows) {
        expect(r.occurred_at.toISOString()).toBe(new Date(e.starts_at as string).toISOString());
        expect(r.payload).toEqual({ event_id: e.id });
        expect(r.group_id).toBeNull();
      }
      expect((await stats(db, going!, "event_attended"))?.activity_count).toBe(1);
      expect((await balance(db, going!)).earned).toBe(20); // the event_attended point rule
      // a second run (and a later one) records nothing twice
      await runJob(db, after);
      await runJob(db, new Date(after.getTime() + 86_400_000));
      expect(await attended(db, e.id)).toHaveLength(2);
      // even an event processed again (its mark cleared by hand) counts nobody twice
      await db.asSuperuser();
      await db.q`update social.events set attendance_recorded_at = null where id = ${e.id}`;
      await runJob(db, after);
      expect(await attended(db, e.id)).toHaveLength(2);
      expect((await stats(db, going!, "event_attended"))?.activity_count).toBe(1);
      await db.asSuperuser();
      const [ev] = await db.q<
        { at: Date }[]
      >`select attendance_recorded_at as at from social.events where id = ${e.id}`;
      expect(ev!.at.toISOString()).toBe(after.toISOString());
    });
  });

  it("answering going and cancelling before the end earns nothing; a cancelled event records nobody", async () => {
    await withDb(async (db) => {
      const [organizer, a, b] = await db.createUsers(3);
      const e = await createEvent(db, organizer!, { startsInHours: 1 });
      const gone = await createEvent(db, organizer!, { startsInHours: 1, title: "Called off" });
      for (let i = 0; i < 3; i++) {
        await rsvp(db, a!, e.id);
        await db.as(a!);
        await db.q`select social.cancel_rsvp(${e.id})`;
      }
      await rsvp(db, b!, gone.id);
      await db.as(organizer!);
      await db.q`select social.cancel_event(${gone.id})`;
      await runJob(db, new Date(Date.now() + 30 * 86_400_000));
      expect(await attended(db, e.id)).toEqual([]);
      expect(await attended(db, gone.id)).toEqual([]);
      expect(await stats(db, a!, "event_attended")).toBeUndefined();
      expect((await balance(db, a!)).earned).toBe(0);
    });
  });

  it("a group event counts in the group for members still in it; the tenth earns Event Enthusiast", async () => {
    await withDb(async (db) => {
      const [organizer, fan] = await db.createUsers(2);
      await onlyBadges(db, ["event_enthusiast"]);
      for (let i = 0; i < 9; i++) await recordAsService(db, fan!, "event_attended", { key: `earlier:${i}` });
      expect(await badgeCodes(db, fan!)).toEqual([]);
      await db.as(organizer!);
      const [g] = await db.q<{ id: string }[]>`select id from social.create_group('Runners', 'club', 'public')`;
      await db.as(fan!);
      await db.q`select social.join_group(${g!.id})`;
      const e = await createEvent(db, organizer!, { groupId: g!.id, visibility: "group", startsInHours: 1 });
      await rsvp(db, fan!, e.id);
      await runJob(db, new Date(new Date(e.ends_at as string).getTime() + 1000));
      const [row] = await attended(db, e.id);
      expect(row!.group_id).toBe(g!.id);
      expect(await badgeCodes(db, fan!)).toEqual(["event_enthusiast"]);
    });
  });

  it("only the service role runs the job, and a bad limit is refused", async () => {
    await withDb(async (db) => {
      const [user] = await db.createUsers(1);
      await db.as(user!);
      expect(await refused(db, (tx) => tx`select social_private.record_event_attendance()`)).toEqual([
        "42501",
        undefined,
      ]);
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select social_private.record_event_attendance()`))[0]).toBe("42501");
      await db.asService();
      expect(await refused(db, (tx) => tx`select social_private.record_event_attendance(now(), 0)`)).toEqual([
        "22023",
        "invalid_input",
      ]);
    });
  });
});

describe("trips", () => {
  it("creating a trip is trip_planned for its owner (Trip planner); marking it done completes it for every member, once", async () => {
    await withDb(async (db) => {
      await onlyBadges(db, ["first_trip", "explorer"]);
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "public");
      expect((await stats(db, c.owner, "trip_planned"))?.activity_count).toBe(1);
      expect(await badgeCodes(db, c.owner)).toEqual(["first_trip"]);
      expect(await badgeCodes(db, c.editor)).toEqual([]);
      await db.asSuperuser();
      const members = (
        await db.q<
          { user_id: string }[]
        >`select user_id from social.trip_members where trip_id = ${trip.id} order by user_id`
      ).map((m) => m.user_id);
      const [places] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.trip_items where trip_id = ${trip.id} and place_lat is not null`;
      expect(places!.n).toBeGreaterThan(0);

      const markDone = async (status: "done" | "planning") => {
        await db.as(c.owner);
        const [t] = await db.q<{ version: number }[]>`select version from social.trips where id = ${trip.id}`;
        await db.q`select social.update_trip(${trip.id}, ${t!.version}, ${db.q.json({ status })})`;
      };
      await markDone("done");
      await markDone("planning");
      await markDone("done");
      await db.asSuperuser();
      const done = await db.q<{ user_id: string; value: string; payload: object }[]>`
        select user_id, value::text, payload from social.activities
        where kind = 'places_visited' and idempotency_key = ${`trip:${trip.id}`} order by user_id`;
      expect(done.map((r) => r.user_id)).toEqual(members);
      for (const r of done) {
        expect(Number(r.value)).toBe(places!.n);
        expect(r.payload).toEqual({ trip_id: trip.id });
      }
      expect((await stats(db, c.editor, "places_visited"))?.activity_count).toBe(1);
      expect((await stats(db, c.stranger, "places_visited"))?.activity_count).toBeUndefined();
    });
  });

  it("five completed trips earn Explorer; the kinds are not reportable by users", async () => {
    await withDb(async (db) => {
      await onlyBadges(db, ["explorer"]);
      const [traveller] = await db.createUsers(1);
      for (let i = 0; i < 4; i++) await recordAsService(db, traveller!, "places_visited", { key: `t${i}`, value: 2 });
      expect(await badgeCodes(db, traveller!)).toEqual([]);
      await recordAsService(db, traveller!, "places_visited", { key: "t4", value: 3 });
      expect(await badgeCodes(db, traveller!)).toEqual(["explorer"]);
      await db.as(traveller!);
      for (const kind of ["trip_planned", "places_visited"]) {
        expect(
          await refused(
            db,
            (tx) => tx`select social.record_activity(${kind}, null, null, null, null, ${`mine:${kind}`})`,
          ),
        ).toEqual(["42501", "kind_not_reportable"]);
      }
    });
  });
});
