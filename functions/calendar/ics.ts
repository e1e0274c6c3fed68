/**
 * ICS for events, written with ical-generator: one calendar with one VEVENT per event, a stable
 * UID (`<event id>@supasocial`), SEQUENCE from the event's `sequence` (bumped on every change of
 * time, place, text or status), STATUS:CANCELLED for cancelled events, and times in the event's
 * own IANA time zone (TZID) with its VTIMEZONE from @touch4it/ical-timezones; a zone it does not
 * know (newer names such as Europe/Kyiv), UTC and Etc/* are written in UTC: the same instant.
 * The library reads its zone files from its package folder (Deno needs --allow-read there; on
 * Supabase the folder has to be deployed with the function, see the README).
 */
import { getVtimezoneComponent } from "@touch4it/ical-timezones";
import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";

/** An event as the ICS needs it (the calendar_feed and get_event rows, snake_case). */
export interface IcsEvent {
  id: string;
  title: string;
  description: string | null;
  starts_at: string;
  ends_at: string;
  timezone: string;
  location_name: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  status: "draft" | "published" | "cancelled";
  sequence: number;
  organizer_name?: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * The VTIMEZONE of a zone, or null when the library has none. `Etc/*` and `UTC` are written in
 * UTC: the library's `Etc/GMT+5` block has the POSIX sign turned around.
 */
export function vtimezone(zone: string): string | null {
  if (zone === "UTC" || zone.startsWith("Etc/")) return null;
  const cached = vtimezones.get(zone);
  if (cached !== undefined) return cached;
  let block: string | null = null;
  try {
    block = getVtimezoneComponent(zone);
  } catch {
    block = null;
  }
  vtimezones.set(zone, block);
  return block;
}
// zone files are read once per zone and process
const vtimezones = new Map<string, string | null>();
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall-clock time of `instant` in `zone`, as a Date whose UTC fields hold it: with an event
 * time zone set, ical-generator writes a Date's UTC fields after `TZID=<zone>:`.
 */
export function wallClock(instant: Date, zone: string): Date {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, format);
  }
  const parts = format.formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return new Date(Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second")));
}

/** An ICS calendar (`text/calendar`) of `events`, named `name`; `now` is DTSTAMP. */
export function eventsIcs(events: IcsEvent[], options: { name: string; url?: string; now?: Date }): string {
  const cal = ical({
    name: options.name,
    prodId: { company: "supasocial", product: "events", language: "EN" },
    method: ICalCalendarMethod.PUBLISH,
    ttl: 60 * 15,
    ...(options.url ? { url: options.url } : {}),
  });
  const known = new Map<string, boolean>();
  cal.timezone({
    name: null,
    generator: (zone: string) => vtimezone(zone),
  });
  for (const e of events) {
    if (!known.has(e.timezone)) known.set(e.timezone, vtimezone(e.timezone) !== null);
    const location = [e.location_name, e.address].filter((part): part is string => Boolean(part)).join(", ");
    const zoned = known.get(e.timezone) === true;
    const at = (iso: string) => (zoned ? wallClock(new Date(iso), e.timezone) : new Date(iso));
    const event = cal.createEvent({
      id: `${e.id}@supasocial`,
      start: at(e.starts_at),
      end: at(e.ends_at),
      ...(zoned ? { timezone: e.timezone } : {}),
      summary: e.title,
      description: e.description ?? undefined,
      sequence: e.sequence,
      status: e.status === "cancelled" ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      stamp: options.now ?? new Date(),
      created: new Date(e.created_at),
      lastModified: new Date(e.updated_at),
    });
    if (location || e.latitude !== null) {
      event.location({
        title: location || `${e.latitude}, ${e.longitude}`,
        ...(e.latitude !== null && e.longitude !== null ? { geo: { lat: e.latitude, lon: e.longitude } } : {}),
      });
    }
    if (e.organizer_name) event.organizer({ name: e.organizer_name, email: "events@supasocial.invalid" });
  }
  return cal.toString();
}
