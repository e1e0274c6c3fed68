/**
 * `@supasocial/client/events` against the local API: the organizer's and the attendee's story
 * (create, publish, RSVP with guests, the waitlist and its promotion, nearby, mine), the
 * calendar feed through the `calendar` edge function parsed with ical.js (an update raises
 * SEQUENCE, a cancellation says STATUS:CANCELLED, a revoked feed is 404), bad input refused
 * before any request, and what strangers and anon get.
 */
import { randomUUID } from "node:crypto";
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { type EventDetails, withEvents } from "../../client-sdk/src/events.ts";
import { expectError, session, signUp, type TestUser, unwrap } from "../fixtures/sdk.ts";

// whole seconds: ICS times have no milliseconds
const hours = (n: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + n * 3600_000).toISOString();
// a point of its own per run, so nearby searches see only this file's events
const here = { latitude: 10 + Math.random() * 40, longitude: -60 + Math.random() * 40 };

async function organize(
  user: TestUser,
  extra: Partial<Parameters<ReturnType<typeof withEvents>["events"]["create"]>[0]> = {},
) {
  const social = withEvents(user.client);
  const created = unwrap(
    await social.events.create({
      title: "Sunday long run",
      startsAt: hours(30),
      endsAt: hours(32),
      timezone: "America/New_York",
      locationName: "Riverside",
      ...here,
      capacity: 2,
      tags: ["Running"],
      ...extra,
    }),
  );
  expect(created.status).toBe("draft");
  return unwrap(await social.events.publish(created.id));
}

function parseIcs(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  return cal.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
}

describe("events through the SDK", () => {
  it("create, publish, RSVP with guests, wait, get promoted, and read it all back", async () => {
    const [ana, ben, cleo] = await Promise.all([signUp("ana"), signUp("ben"), signUp("cleo")]);
    const event: EventDetails = await organize(ana);
    expect(event).toMatchObject({ status: "published", capacity: 2, tags: ["running"], isOrganizer: true });
    const benEvents = withEvents(ben.client).events;
    const cleoEvents = withEvents(cleo.client).events;
    expect(unwrap(await benEvents.rsvp(event.id, { status: "going", guests: 1 }))).toMatchObject({
      status: "going",
      guests: 1,
      waitlisted: false,
    });
    expect(unwrap(await cleoEvents.rsvp(event.id, { status: "going" }))).toMatchObject({
      waitlisted: true,
      waitlistPosition: 1,
    });
    expect(unwrap(await cleoEvents.waitlistPosition(event.id))).toBe(1);
    const waiting = unwrap(await withEvents(ana.client).events.waitlist(event.id));
    expect(waiting.items.map((w) => [w.id, w.position])).toEqual([[cleo.id, 1]]);
    expect(unwrap(await benEvents.waitlist(event.id)).items, "only organizers read the waitlist").toEqual([]);
    // ben's guest cannot come: the seat goes to cleo
    unwrap(await benEvents.rsvp(event.id, { status: "going", guests: 0 }));
    expect(unwrap(await cleoEvents.waitlistPosition(event.id))).toBeNull();
    const seen = unwrap(await cleoEvents.get(event.id));
    expect(seen).toMatchObject({ goingCount: 2, seatsTaken: 2, waitlistCount: 0, myRsvp: { status: "going" } });
    expect(seen.attendeePreview.map((a) => a.id).sort()).toEqual([ben.id, cleo.id].sort());
    const attendees = unwrap(await cleoEvents.attendees(event.id));
    expect(attendees.items.map((a) => a.id).sort()).toEqual([ben.id, cleo.id].sort());
    const mine = unwrap(await cleoEvents.mine());
    expect(mine.items.map((e) => [e.id, e.myStatus])).toContainEqual([event.id, "going"]);
    const near = unwrap(await cleoEvents.nearby({ ...here, radiusKm: 5, tag: "running" }));
    expect(near.items.map((e) => e.id)).toContain(event.id);
    expect(near.items.find((e) => e.id === event.id)?.distanceKm).toBeLessThan(0.01);
    const box = unwrap(
      await cleoEvents.nearby({
        box: {
          south: here.latitude - 0.1,
          west: here.longitude - 0.1,
          north: here.latitude + 0.1,
          east: here.longitude + 0.1,
        },
      }),
    );
    expect(box.items.map((e) => e.id)).toContain(event.id);
    const far = unwrap(
      await cleoEvents.nearby({ latitude: -here.latitude, longitude: here.longitude + 90, radiusKm: 50 }),
    );
    expect(far.items.map((e) => e.id)).not.toContain(event.id);
    // the event's chat: the organizer opens it with the people seated; they get it, others do not
    const chat = unwrap(await withEvents(ana.client).events.openChat(event.id));
    expect(chat).toMatchObject({ eventId: event.id, memberCount: 3 });
    expect(unwrap(await cleoEvents.openChat(event.id)).id).toBe(chat.id);
    const dan = await signUp("dan");
    expectError(await withEvents(dan.client).events.openChat(event.id), "conversation_not_found", 404);
    // retrying is harmless, and the event is full now
    expect(unwrap(await cleoEvents.rsvp(event.id, { status: "going" })).waitlisted).toBe(false);
    expectError(await benEvents.rsvp(event.id, { status: "going", guests: 1 }), "not_enough_seats", 409);
  });

  it("bad input is refused before any request; strangers and anon get stable codes", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const social = withEvents(ben.client);
    const calls = ben.restCalls.length;
    expectError(await social.events.create({ title: "", startsAt: hours(1), endsAt: hours(2) }), "invalid_input", 400);
    expectError(await social.events.rsvp(randomUUID(), { status: "going", guests: 11 }), "invalid_input", 400);
    expectError(await social.events.rsvp("not-a-uuid", { status: "going" }), "invalid_input", 400);
    expectError(await social.events.nearby({ latitude: 91, longitude: 0 }), "invalid_input", 400);
    expectError(await social.events.nearby({}), "invalid_input", 400);
    expect(ben.restCalls.length, "nothing was sent").toBe(calls);
    // the server's own checks, reached with the SDK's validation passed
    expectError(
      await social.events.create({ title: "Run", startsAt: hours(2), endsAt: hours(1) }),
      "invalid_event_time",
      400,
    );
    expectError(
      await social.events.create({ title: "Run", startsAt: hours(1), endsAt: hours(2), timezone: "Mars/Olympus" }),
      "invalid_timezone",
      400,
    );
    const draft = unwrap(
      await withEvents(ana.client).events.create({ title: "Secret", startsAt: hours(5), endsAt: hours(6) }),
    );
    expectError(await social.events.get(draft.id), "event_not_found", 404);
    expectError(await social.events.rsvp(draft.id, { status: "going" }), "event_not_found", 404);
    expectError(await social.events.update(draft.id, { title: "mine" }), "event_not_found", 404);
    const event = await organize(ana, { visibility: "public" });
    expectError(await social.events.update(event.id, { title: "mine" }), "not_event_organizer", 403);
    const anon = withEvents(session().client);
    expect(unwrap(await anon.events.get(event.id)).attendeePreview, "anon sees counts, not people").toEqual([]);
    expectError(await anon.events.rsvp(event.id, { status: "going" }), "not_authenticated", 401);
  });

  it("a calendar subscribes to the feed: going events appear, updates raise SEQUENCE, cancellations show, revoking ends it", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const organizer = withEvents(ana.client).events;
    const attendee = withEvents(ben.client).events;
    const first = await organize(ana, { capacity: null });
    const second = await organize(ana, { title: "Track session", capacity: null, timezone: "Europe/Lisbon" });
    const skipped = await organize(ana, { title: "Not going" });
    unwrap(await attendee.rsvp(first.id, { status: "going" }));
    unwrap(await attendee.rsvp(second.id, { status: "going" }));
    unwrap(await attendee.rsvp(skipped.id, { status: "interested" }));
    const feed = unwrap(await attendee.createCalendarFeed());
    expect(feed.url).toMatch(/\/functions\/v1\/calendar\/feed\/[A-Za-z0-9_-]{32}\.ics$/);
    expect(feed.webcalUrl.startsWith("webcal://")).toBe(true);

    const read = async () => {
      const res = await fetch(feed.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/calendar/);
      return parseIcs(await res.text());
    };
    const before = await read();
    expect(before.map((e) => e.uid).sort()).toEqual([`${first.id}@supasocial`, `${second.id}@supasocial`].sort());
    const one = before.find((e) => e.uid === `${first.id}@supasocial`)!;
    expect(one.startDate.toJSDate().toISOString()).toBe(new Date(first.startsAt).toISOString());
    expect(one.startDate.zone?.tzid).toBe("America/New_York");

    unwrap(await organizer.update(first.id, { startsAt: hours(31), endsAt: hours(33) }));
    unwrap(await organizer.cancel(second.id));
    const after = await read();
    const moved = after.find((e) => e.uid === `${first.id}@supasocial`)!;
    expect(moved.sequence).toBeGreaterThan(one.sequence);
    expect(moved.startDate.toJSDate().getTime()).toBeGreaterThan(one.startDate.toJSDate().getTime());
    const cancelled = after.find((e) => e.uid === `${second.id}@supasocial`)!;
    expect(cancelled.component.getFirstPropertyValue("status")).toBe("CANCELLED");

    // the one-off file of an event: with the attendee's session, and refused to someone who cannot see it
    const token = (await ben.supabase.auth.getSession()).data.session!.access_token;
    const single = await fetch(attendee.icsUrl(first.id), { headers: { authorization: `Bearer ${token}` } });
    expect(single.status).toBe(200);
    expect(parseIcs(await single.text()).map((e) => e.uid)).toEqual([`${first.id}@supasocial`]);
    const draft = unwrap(await organizer.create({ title: "Hidden", startsAt: hours(5), endsAt: hours(6) }));
    const hidden = await fetch(attendee.icsUrl(draft.id), { headers: { authorization: `Bearer ${token}` } });
    expect(hidden.status).toBe(404);
    expect((await hidden.json()).code).toBe("event_not_found");

    // a new feed replaces the old URL; revoking ends the new one
    const again = unwrap(await attendee.createCalendarFeed());
    expect((await fetch(feed.url)).status).toBe(404);
    expect((await fetch(again.url)).status).toBe(200);
    expect(unwrap(await attendee.revokeCalendarFeed())).toBe(true);
    const gone = await fetch(again.url);
    expect(gone.status).toBe(404);
    expect((await gone.json()).code).toBe("calendar_feed_not_found");
    expect(unwrap(await attendee.revokeCalendarFeed())).toBe(false);
  });
});
