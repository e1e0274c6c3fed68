/**
 * The events domain's seed extension: events across the seed's cities over the past and coming
 * six months (most public, some for followers, some in a club by its owner), with a location near
 * the city centre, a time zone, tags, capacities, and RSVPs (going within the capacity, and
 * interested) by people of the same city. Scale: `events` in the seed options (default 2 per 3
 * users); the events benchmark seeds 100,000.
 */
import { faker } from "@faker-js/faker";
import { copyRows, counterRecomputers, Progress, type SeededUser, seedExtensions } from "./seed.ts";

/** Centre and time zone of each seed city. */
export const CITY_CENTRES: Record<string, { lat: number; lng: number; tz: string }> = {
  Lisbon: { lat: 38.7223, lng: -9.1393, tz: "Europe/Lisbon" },
  Berlin: { lat: 52.52, lng: 13.405, tz: "Europe/Berlin" },
  Madrid: { lat: 40.4168, lng: -3.7038, tz: "Europe/Madrid" },
  Paris: { lat: 48.8566, lng: 2.3522, tz: "Europe/Paris" },
  London: { lat: 51.5072, lng: -0.1276, tz: "Europe/London" },
  Amsterdam: { lat: 52.3676, lng: 4.9041, tz: "Europe/Amsterdam" },
  Warsaw: { lat: 52.2297, lng: 21.0122, tz: "Europe/Warsaw" },
  Prague: { lat: 50.0755, lng: 14.4378, tz: "Europe/Prague" },
  Vienna: { lat: 48.2082, lng: 16.3738, tz: "Europe/Vienna" },
  Barcelona: { lat: 41.3874, lng: 2.1686, tz: "Europe/Madrid" },
  Porto: { lat: 41.1579, lng: -8.6291, tz: "Europe/Lisbon" },
  Milan: { lat: 45.4642, lng: 9.19, tz: "Europe/Rome" },
  Rome: { lat: 41.9028, lng: 12.4964, tz: "Europe/Rome" },
  Copenhagen: { lat: 55.6761, lng: 12.5683, tz: "Europe/Copenhagen" },
  Stockholm: { lat: 59.3293, lng: 18.0686, tz: "Europe/Stockholm" },
  Dublin: { lat: 53.3498, lng: -6.2603, tz: "Europe/Dublin" },
};

const KINDS = [
  ["Morning run", "running"],
  ["Track intervals", "running"],
  ["Group ride", "cycling"],
  ["Sunset yoga", "yoga"],
  ["Strength class", "strength"],
  ["Day hike", "hiking"],
  ["Open water swim", "swimming"],
  ["Bouldering night", "climbing"],
  ["Photo walk", "photography"],
  ["Five-a-side", "football"],
] as const;

/** The seed's "now": events spread six months either side of it. */
export const EVENTS_EPOCH = new Date("2026-12-01T00:00:00Z").getTime();

seedExtensions.push(async (tx, users, options) => {
  if (options.feedOnly) return {};
  const total = options.events ?? Math.round((users.length * 2) / 3);
  if (total === 0 || users.length === 0) return { events: 0, event_rsvps: 0 };
  const byCity = new Map<string, SeededUser[]>();
  for (const u of users) byCity.set(u.city, [...(byCity.get(u.city) ?? []), u]);
  const clubs = await tx<{ id: string; owner_id: string; city: string | null }[]>`
    select id, owner_id, city from social.groups where kind = 'club'`;
  const rsvps: unknown[][] = [];
  const events: unknown[][] = [];
  const show = options.progress === true;
  const progress = new Progress("events", total, show);
  for (let i = 0; i < total; i++) {
    const organizer = users[Math.floor(faker.number.float() ** 1.5 * users.length)]!;
    const centre = CITY_CENTRES[organizer.city] ?? CITY_CENTRES.Lisbon!;
    // within about 15 km of the centre
    const lat = centre.lat + (faker.number.float() - 0.5) * 0.27;
    const lng = centre.lng + ((faker.number.float() - 0.5) * 0.27) / Math.cos((centre.lat * Math.PI) / 180);
    const start = new Date(
      EVENTS_EPOCH + Math.round((faker.number.float() - 0.5) * 365 * 86400) * 1000 - (EVENTS_EPOCH % 900_000),
    );
    start.setUTCMinutes(Math.floor(start.getUTCMinutes() / 15) * 15, 0, 0);
    const end = new Date(start.getTime() + faker.number.int({ min: 1, max: 4 }) * 3_600_000);
    const [title, tag] = KINDS[Math.floor(faker.number.float() * KINDS.length)]!;
    const club = faker.number.float() < 0.05 ? clubs.find((c) => c.owner_id === organizer.id) : undefined;
    const visibility = club
      ? faker.helpers.arrayElement(["group", "public"] as const)
      : faker.helpers.weightedArrayElement([
          { weight: 85, value: "public" as const },
          { weight: 10, value: "followers" as const },
          { weight: 5, value: "private" as const },
        ]);
    const capacity = faker.number.float() < 0.6 ? faker.number.int({ min: 8, max: 60 }) : null;
    const status = faker.number.float() < 0.03 ? "cancelled" : "published";
    const id = faker.string.uuid();
    events.push([
      id,
      organizer.id,
      club?.id ?? null,
      `${title} in ${organizer.city}`,
      faker.lorem.sentence(),
      start,
      end,
      centre.tz,
      faker.location.street(),
      null,
      Number(lat.toFixed(6)),
      Number(lng.toFixed(6)),
      capacity,
      [tag],
      visibility,
      status,
      new Date(start.getTime() - 14 * 86400_000),
      status === "cancelled" ? new Date(start.getTime() - 86400_000) : null,
      new Date(start.getTime() - 15 * 86400_000),
    ]);
    // RSVPs by people of the organizer's city: going within the capacity, some interested
    const locals = byCity.get(organizer.city) ?? users;
    const going = Math.min(capacity ?? 12, faker.number.int({ min: 0, max: 6 }));
    const picked = new Set<string>();
    for (let k = 0; k < going + 2 && picked.size < locals.length; k++) {
      const who = locals[Math.floor(faker.number.float() * locals.length)]!;
      if (who.id === organizer.id || picked.has(who.id)) continue;
      picked.add(who.id);
      const isGoing = picked.size <= going;
      rsvps.push([
        id,
        who.id,
        status === "cancelled" ? "not_going" : isGoing ? "going" : "interested",
        0,
        isGoing && status !== "cancelled" ? new Date(start.getTime() - 7 * 86400_000) : null,
        isGoing && status === "cancelled" ? new Date(start.getTime() - 86400_000) : null,
        new Date(start.getTime() - 7 * 86400_000),
      ]);
    }
    if (i % 5000 === 0) progress.tick(i);
  }
  progress.tick(total);
  const counts: Record<string, number> = {};
  counts.events = await copyRows(
    tx,
    "social.events",
    [
      "id",
      "organizer_id",
      "group_id",
      "title",
      "description",
      "starts_at",
      "ends_at",
      "timezone",
      "location_name",
      "address",
      "latitude",
      "longitude",
      "capacity",
      "tags",
      "visibility",
      "status",
      "published_at",
      "cancelled_at",
      "created_at",
    ],
    events as never,
  );
  counts.event_rsvps = await copyRows(
    tx,
    "social.event_rsvps",
    ["event_id", "user_id", "status", "guests", "confirmed_at", "event_cancelled_at", "created_at"],
    rsvps as never,
  );
  return counts;
});

// the event counters, set-wise, from the RSVPs
counterRecomputers.push(async (tx) => {
  await tx`
    with c as (
      select event_id,
             coalesce(sum(1 + guests) filter (where status = 'going' and waitlist_seq is null), 0)::int as seats,
             count(*) filter (where status = 'going' and waitlist_seq is null)::int as going,
             count(*) filter (where status = 'interested')::int as interested,
             count(*) filter (where waitlist_seq is not null)::int as waiting
      from social.event_rsvps group by event_id
    )
    update social.events e
    set seats_taken = c.seats, going_count = c.going, interested_count = c.interested, waitlist_count = c.waiting
    from c
    where e.id = c.event_id
      and (e.seats_taken, e.going_count, e.interested_count, e.waitlist_count)
          is distinct from (c.seats, c.going, c.interested, c.waiting)`;
});
