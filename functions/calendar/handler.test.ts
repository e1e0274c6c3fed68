import ICAL from "ical.js";
import { assert, assertEquals, assertMatch } from "../_test/assert.ts";
import { createCalendarHandler } from "./handler.ts";
import { eventsIcs, type IcsEvent, wallClock } from "./ics.ts";

const base: IcsEvent = {
  id: "7d0c3c1e-2b4a-4c59-9a3e-3f1f0f6d2a10",
  title: "Sunrise run, 10 km",
  description: "Meet at the fountain; bring water",
  starts_at: "2026-07-05T14:00:00Z",
  ends_at: "2026-07-05T15:30:00Z",
  timezone: "America/New_York",
  location_name: "Central Park",
  address: "5th Ave, New York",
  latitude: 40.78,
  longitude: -73.96,
  status: "published",
  sequence: 0,
  organizer_name: "Ana",
  created_at: "2026-06-01T10:00:00Z",
  updated_at: "2026-06-01T10:00:00Z",
};

/**
 * The VEVENTs of an ICS text, parsed by ical.js. ical.js has no time zone database of its own: an
 * event resolves its TZID through the calendar's VTIMEZONE components, so a right instant below
 * also proves the VTIMEZONE is there and right.
 */
function parse(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  return { cal, events: cal.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v)) };
}

Deno.test("an event's ICS parses, with a stable UID, its sequence and its times in its own zone", () => {
  const { cal, events } = parse(eventsIcs([base], { name: "Test", now: new Date("2026-06-02T00:00:00Z") }));
  assertEquals(cal.getFirstPropertyValue("version"), "2.0");
  assertEquals(
    cal.getAllSubcomponents("vtimezone").map((z) => z.getFirstPropertyValue("tzid")),
    ["America/New_York"],
  );
  assertEquals(events.length, 1);
  const e = events[0]!;
  assertEquals(e.uid, `${base.id}@supasocial`);
  assertEquals(e.sequence, 0);
  assertEquals(e.summary, base.title);
  assertEquals(e.description, base.description);
  assertEquals(e.location, "Central Park, 5th Ave, New York");
  assertEquals(e.component.getFirstPropertyValue("status"), "CONFIRMED");
  // written as New York wall-clock time with its zone, read back as the same instant
  assertEquals(e.startDate.zone?.tzid, "America/New_York");
  assertEquals(e.startDate.hour, 10);
  assertEquals(e.startDate.toJSDate().toISOString(), "2026-07-05T14:00:00.000Z");
  assertEquals(e.endDate.toJSDate().toISOString(), "2026-07-05T15:30:00.000Z");
});

Deno.test("winter and summer times, and zones on both sides of UTC, read back as the same instants", () => {
  const cases: [string, string, number][] = [
    ["Europe/Lisbon", "2026-01-10T09:00:00Z", 9],
    ["Europe/Lisbon", "2026-07-10T09:00:00Z", 10],
    ["Australia/Sydney", "2026-01-10T09:00:00Z", 20],
    ["Asia/Kolkata", "2026-01-10T09:00:00Z", 14],
  ];
  for (const [zone, start, hour] of cases) {
    const ends = new Date(Date.parse(start) + 3600_000).toISOString();
    const { events } = parse(eventsIcs([{ ...base, timezone: zone, starts_at: start, ends_at: ends }], { name: "t" }));
    assertEquals(events[0]!.startDate.zone?.tzid, zone);
    assertEquals(events[0]!.startDate.hour, hour, `${zone} ${start}`);
    assertEquals(events[0]!.startDate.toJSDate().toISOString(), new Date(start).toISOString(), zone);
  }
});

Deno.test("an update keeps the UID and raises SEQUENCE; a cancellation says STATUS:CANCELLED", () => {
  const before = parse(eventsIcs([base], { name: "t" })).events[0]!;
  const moved = { ...base, sequence: 1, starts_at: "2026-07-05T15:00:00Z", ends_at: "2026-07-05T16:30:00Z" };
  const after = parse(eventsIcs([moved], { name: "t" })).events[0]!;
  assertEquals(after.uid, before.uid);
  assert(after.sequence > before.sequence);
  assertEquals(after.startDate.toJSDate().toISOString(), "2026-07-05T15:00:00.000Z");
  const cancelled = parse(eventsIcs([{ ...moved, sequence: 2, status: "cancelled" }], { name: "t" })).events[0]!;
  assertEquals(cancelled.uid, before.uid);
  assertEquals(cancelled.sequence, 2);
  assertEquals(cancelled.component.getFirstPropertyValue("status"), "CANCELLED");
});

Deno.test("a zone the VTIMEZONE library does not know, UTC and Etc/* are written in UTC, the same instant", () => {
  for (const zone of ["Europe/Kyiv", "Etc/GMT+5", "UTC"]) {
    const text = eventsIcs([{ ...base, timezone: zone }], { name: "t" });
    assertMatch(text, /DTSTART:20260705T140000Z/);
    const { events } = parse(text);
    assertEquals(events[0]!.startDate.toJSDate().toISOString(), "2026-07-05T14:00:00.000Z", zone);
  }
});

Deno.test("wallClock gives the zone's local time", () => {
  assertEquals(wallClock(new Date("2026-03-29T00:30:00Z"), "Europe/Lisbon").toISOString(), "2026-03-29T00:30:00.000Z");
  assertEquals(wallClock(new Date("2026-03-29T01:30:00Z"), "Europe/Lisbon").toISOString(), "2026-03-29T02:30:00.000Z");
});

function fakeApi(answers: Record<string, { status: number; body: unknown }>) {
  const calls: { url: string; headers: Headers; body: unknown }[] = [];
  const fetcher = ((input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, headers: new Headers(init?.headers), body: JSON.parse(String(init?.body ?? "null")) });
    const name = url.split("/rpc/")[1]!;
    const answer = answers[name] ?? { status: 404, body: {} };
    return Promise.resolve(new Response(JSON.stringify(answer.body), { status: answer.status }));
  }) as typeof fetch;
  return { calls, fetcher };
}

const deps = { url: "http://api", serviceKey: "service", anonKey: "anon" };

Deno.test("the feed route reads calendar_feed with the service key and answers text/calendar", async () => {
  const api = fakeApi({ calendar_feed: { status: 200, body: [{ ...base, event_id: base.id }] } });
  const handler = createCalendarHandler({ ...deps, fetch: api.fetcher });
  const res = await handler(new Request("http://x/calendar/feed/abcdefghijklmnopqrstuvwxyz012345.ics"));
  assertEquals(res.status, 200);
  assertMatch(res.headers.get("content-type")!, /^text\/calendar/);
  const { events } = parse(await res.text());
  assertEquals(events[0]!.uid, `${base.id}@supasocial`);
  assertEquals(api.calls[0]!.headers.get("apikey"), "service");
  assertEquals(api.calls[0]!.body, { p_token: "abcdefghijklmnopqrstuvwxyz012345" });
});

Deno.test("an unknown feed token is 404 calendar_feed_not_found; a malformed path is 404", async () => {
  const api = fakeApi({ calendar_feed: { status: 404, body: { hint: "calendar_feed_not_found" } } });
  const handler = createCalendarHandler({ ...deps, fetch: api.fetcher });
  const res = await handler(new Request("http://x/calendar/feed/abcdefghijklmnopqrstuvwxyz012345.ics"));
  assertEquals(res.status, 404);
  assertEquals((await res.json()).code, "calendar_feed_not_found");
  const bad = await handler(new Request("http://x/calendar/feed/short"));
  assertEquals(bad.status, 404);
  await bad.body?.cancel();
  assertEquals(api.calls.length, 1);
});

Deno.test("the event route passes the caller's key and token on; an event it cannot see is 404", async () => {
  const api = fakeApi({ get_event: { status: 200, body: [] } });
  const handler = createCalendarHandler({ ...deps, fetch: api.fetcher });
  const res = await handler(
    new Request(`http://x/functions/v1/calendar/events/${base.id}.ics`, {
      headers: { apikey: "anon", authorization: "Bearer user-jwt" },
    }),
  );
  assertEquals(res.status, 404);
  assertEquals((await res.json()).code, "event_not_found");
  assertEquals(api.calls[0]!.headers.get("authorization"), "Bearer user-jwt");
  assertEquals(api.calls[0]!.body, { p_event_id: base.id });
});
