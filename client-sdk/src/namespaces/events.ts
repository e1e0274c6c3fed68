/**
 * `client.events` (from `@supasocial/client/events`, added with `withEvents`): events with RSVPs
 * against a capacity, an ordered waitlist, nearby search and calendar feeds. Lists follow the one
 * page contract (`pagination.ts`); times are ISO strings.
 */
import * as z from "zod/mini";
import type { Database, Json } from "../database.types.ts";
import { defineNamespace, type NamespaceContext } from "../namespace.ts";
import { listMethod, type Page, scopedListMethod, toPage } from "../pagination.ts";
import { failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { DateTimeSchema, ListOptionsSchema, parseInput, textSchema, UuidSchema } from "../validation.ts";
import { type MediaItem, MediaRefSchema, toMediaItems, toMediaRefs } from "./media.ts";
import { firstRow, notFound, type ProfileSummary, toProfileSummary, ts } from "./shared.ts";

type Social = Database["social"];
type EventTableRow = Social["Tables"]["events"]["Row"];
type GetEventRow = Social["Functions"]["get_event"]["Returns"][number];
type SearchRow = Social["Functions"]["nearby_events"]["Returns"][number];
type MyEventRow = Social["Functions"]["my_events"]["Returns"][number];
type RsvpRow = Social["Functions"]["rsvp_event"]["Returns"][number];
type AttendeeRow = Social["Functions"]["list_event_attendees"]["Returns"][number];
type WaitlistRow = Social["Functions"]["list_event_waitlist"]["Returns"][number];
type ConversationRow = Social["Tables"]["conversations"]["Row"];

/**
 * An event's chat: a conversation tied to the event.
 *
 * @example
 * ```ts
 * const { data: chat } = await social.events.openChat(eventId)
 * chat?.memberCount
 * ```
 */
export interface EventChat {
  /** The conversation's id (its Realtime topic is chat:<id>). */
  id: string;
  title: string | null;
  memberCount: number;
  eventId: string;
}

/** Who sees an event: `public`, `followers` (outside groups), `group` (in a group), `private` (invited). */
export type EventVisibility = Social["Enums"]["event_visibility"];
/** `draft`, `published` or `cancelled`. */
export type EventStatus = Social["Enums"]["event_status"];
/** `going`, `interested` or `not_going`. */
export type RsvpStatus = Social["Enums"]["rsvp_status"];

// =============================================================================================
// types
// =============================================================================================

/**
 * An event as lists return it.
 *
 * @example
 * ```ts
 * const { data } = await social.events.nearby({ latitude: 38.72, longitude: -9.14 })
 * data?.items.map((e) => `${e.title} at ${e.locationName} (${e.seatsTaken}/${e.capacity ?? '∞'})`)
 * ```
 */
export interface EventSummary {
  id: string;
  organizerId: string;
  groupId: string | null;
  title: string;
  startsAt: string;
  endsAt: string;
  /** The IANA time zone the event happens in. */
  timezone: string;
  locationName: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  /** Seats (people plus guests); null: no limit. */
  capacity: number | null;
  tags: string[];
  visibility: EventVisibility;
  status: EventStatus;
  /**
   * The cover image's path in the private `social-events` bucket (null: no cover); sign it with
   * `media.urls([{ bucket: 'social-events', path }])` or `storage.from('social-events')`. Whoever
   * sees the event may read it.
   */
  coverPath: string | null;
  /** Seats held by confirmed RSVPs (people plus guests). */
  seatsTaken: number;
  goingCount: number;
  interestedCount: number;
  waitlistCount: number;
}

/**
 * One event with the signed-in user's RSVP and a preview of who is going (people you follow first).
 *
 * @example
 * ```ts
 * const { data: e } = await social.events.get(eventId)
 * e?.myRsvp?.waitlistPosition // 3: two parties ahead of you
 * ```
 */
export interface EventDetails extends EventSummary {
  description: string | null;
  /** The cover's media id (`media.upload(file, { target: 'event' })`); null: no cover. */
  coverMediaId: string | null;
  /** Photos and videos of the event (bucket `social-events`), readable by whoever sees the event. */
  media: MediaItem[];
  rsvpDeadline: string | null;
  /** The ICS SEQUENCE: raised by every change of time, place, text or status. */
  sequence: number;
  priceCents: number | null;
  currency: string | null;
  requiredTier: string | null;
  publishedAt: string | null;
  cancelledAt: string | null;
  createdAt: string;
  updatedAt: string;
  organizer: ProfileSummary | null;
  /** You organize it (or own or administer its group). */
  isOrganizer: boolean;
  myRsvp: { status: RsvpStatus; guests: number; waitlistPosition: number | null } | null;
  attendeePreview: EventAttendee[];
}

/**
 * The signed-in user's RSVP after `rsvp` or `cancelRsvp`.
 *
 * @example
 * ```ts
 * const { data: r } = await social.events.rsvp(eventId, { status: 'going', guests: 1 })
 * if (r?.waitlisted) toast(`You are number ${r.waitlistPosition} on the waitlist`)
 * ```
 */
export interface Rsvp {
  eventId: string;
  userId: string;
  status: RsvpStatus;
  guests: number;
  /** Going, but waiting for seats. */
  waitlisted: boolean;
  /** 1 = next to be promoted; null when holding seats or not going. */
  waitlistPosition: number | null;
  confirmedAt: string | null;
  promotedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Someone going to (or interested in) an event.
 *
 * @example
 * ```ts
 * const { data } = await social.events.attendees(eventId)
 * data?.items.filter((a) => a.isFriend)
 * ```
 */
export interface EventAttendee {
  id: string;
  handle: string;
  displayName: string;
  avatarPath: string | null;
  guests: number;
  /** You follow them. */
  isFriend: boolean;
}

/**
 * A party on the waitlist (organizers only).
 *
 * @example
 * ```ts
 * const { data } = await social.events.waitlist(eventId)
 * data?.items[0]?.position // 1
 * ```
 */
export interface WaitlistEntry {
  id: string;
  handle: string;
  displayName: string;
  avatarPath: string | null;
  guests: number;
  position: number;
  createdAt: string;
}

/**
 * An event of yours (`mine`), with your RSVP.
 *
 * @example
 * ```ts
 * const { data } = await social.events.mine()
 * data?.items.filter((e) => e.myStatus === 'going')
 * ```
 */
export interface MyEvent extends EventSummary {
  isOrganizer: boolean;
  myStatus: RsvpStatus | null;
  myGuests: number | null;
  myWaitlisted: boolean;
}

/**
 * A calendar feed: subscribe Google Calendar (`url`, "From URL") or Apple Calendar (`webcalUrl`).
 *
 * @example
 * ```ts
 * const { data: feed } = await social.events.createCalendarFeed()
 * Linking.openURL(feed!.webcalUrl)
 * ```
 */
export interface CalendarFeed {
  /** The secret token (shown once; creating a feed again replaces it). */
  token: string;
  /** `https://…/functions/v1/calendar/feed/<token>.ics` */
  url: string;
  /** The same as `webcal://…`, which opens the calendar app's subscribe dialog. */
  webcalUrl: string;
}

// =============================================================================================
// schemas
// =============================================================================================

const Latitude = z.number().check(z.gte(-90), z.lte(90));
const Longitude = z.number().check(z.gte(-180), z.lte(180));
const Tag = textSchema({ min: 1, max: 40, label: "Tag", trim: true });

const eventFields = {
  title: textSchema({ min: 1, max: 200, label: "Title", trim: true }),
  description: z.optional(z.nullable(textSchema({ max: 10000, label: "Description" }))),
  startsAt: DateTimeSchema,
  endsAt: DateTimeSchema,
  timezone: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  locationName: z.optional(z.nullable(textSchema({ max: 200, label: "Location name" }))),
  address: z.optional(z.nullable(textSchema({ max: 500, label: "Address" }))),
  latitude: z.optional(z.nullable(Latitude)),
  longitude: z.optional(z.nullable(Longitude)),
  capacity: z.optional(z.nullable(z.int().check(z.gte(1), z.lte(100000)))),
  rsvpDeadline: z.optional(z.nullable(DateTimeSchema)),
  tags: z.optional(z.array(Tag).check(z.maxLength(10))),
  visibility: z.optional(z.enum(["public", "followers", "group", "private"])),
  coverMediaId: z.optional(z.nullable(UuidSchema)),
  media: z.optional(z.array(MediaRefSchema).check(z.maxLength(10, "At most 10 media items"))),
};

/**
 * A new event (a draft until `publish`). `groupId`: an event of a group you own or administer.
 * `coverMediaId` (an image) and `media` (up to 10 `{ id, alt? }`): uploads of yours made with
 * `media.upload(file, { target: 'event' })`; whoever sees the event may read them.
 *
 * @example
 * ```ts
 * const input = EventCreateSchema.parse({ title: 'Long run', startsAt, endsAt, timezone: 'Europe/Lisbon', capacity: 25 })
 * ```
 */
export const EventCreateSchema = z.strictObject({ ...eventFields, groupId: z.optional(UuidSchema) });
/**
 * Input of `events.create`.
 *
 * @example
 * ```ts
 * const input: EventCreate = { title: 'Long run', startsAt: '2026-12-05T08:00:00Z', endsAt: '2026-12-05T10:00:00Z' }
 * ```
 */
export type EventCreate = z.input<typeof EventCreateSchema>;

/**
 * A change to an event (organizers); `null` clears an optional field.
 *
 * @example
 * ```ts
 * await social.events.update(id, EventUpdateSchema.parse({ capacity: 30 }))
 * ```
 */
export const EventUpdateSchema = z
  .strictObject({
    title: z.optional(eventFields.title),
    description: eventFields.description,
    startsAt: z.optional(DateTimeSchema),
    endsAt: z.optional(DateTimeSchema),
    timezone: eventFields.timezone,
    locationName: eventFields.locationName,
    address: eventFields.address,
    latitude: eventFields.latitude,
    longitude: eventFields.longitude,
    capacity: eventFields.capacity,
    rsvpDeadline: eventFields.rsvpDeadline,
    tags: eventFields.tags,
    visibility: eventFields.visibility,
    coverMediaId: eventFields.coverMediaId,
    media: eventFields.media,
  })
  .check(z.refine((patch) => Object.values(patch).some((v) => v !== undefined), { message: "Nothing to change" }));
/**
 * Input of `events.update`.
 *
 * @example
 * ```ts
 * const patch: EventUpdate = { locationName: 'Riverside', capacity: null }
 * ```
 */
export type EventUpdate = z.input<typeof EventUpdateSchema>;

/**
 * An RSVP: `going` (with 0-10 guests), `interested` or `not_going`.
 *
 * @example
 * ```ts
 * RsvpInputSchema.parse({ status: 'going', guests: 2 })
 * ```
 */
export const RsvpInputSchema = z.strictObject({
  status: z.enum(["going", "interested", "not_going"]),
  guests: z.optional(z.int().check(z.gte(0), z.lte(10))),
});
/**
 * Input of `events.rsvp`.
 *
 * @example
 * ```ts
 * const input: RsvpInput = { status: 'interested' }
 * ```
 */
export type RsvpInput = z.input<typeof RsvpInputSchema>;

/**
 * Options of `events.nearby`: a point and a radius (km, 0.1-500, default 10) or a `box`, a date
 * range (`from` defaults to now), a `tag`, `cursor` and `limit`.
 *
 * @example
 * ```ts
 * NearbyOptionsSchema.parse({ latitude: 38.72, longitude: -9.14, radiusKm: 5, tag: 'running' })
 * ```
 */
export const NearbyOptionsSchema = z.extend(ListOptionsSchema, {
  latitude: z.optional(Latitude),
  longitude: z.optional(Longitude),
  radiusKm: z.optional(z.number().check(z.gte(0.1), z.lte(500))),
  box: z.optional(z.strictObject({ south: Latitude, west: Longitude, north: Latitude, east: Longitude })),
  from: z.optional(DateTimeSchema),
  to: z.optional(DateTimeSchema),
  tag: z.optional(Tag),
});
/**
 * Options of `events.nearby`.
 *
 * @example
 * ```ts
 * const options: NearbyOptions = { box: { south: 38.6, west: -9.3, north: 38.8, east: -9.0 } }
 * ```
 */
export type NearbyOptions = z.input<typeof NearbyOptionsSchema>;

/**
 * Options of `events.mine`: `from` (default: yesterday), `cursor`, `limit`.
 *
 * @example
 * ```ts
 * await social.events.mine(MyEventsOptionsSchema.parse({ limit: 10 }))
 * ```
 */
export const MyEventsOptionsSchema = z.extend(ListOptionsSchema, { from: z.optional(DateTimeSchema) });
/**
 * Options of `events.mine`.
 *
 * @example
 * ```ts
 * const options: MyEventsOptions = { from: new Date() }
 * ```
 */
export type MyEventsOptions = z.input<typeof MyEventsOptionsSchema>;

/**
 * Options of `events.attendees`: `status` (`going`, default, or `interested`), `cursor`, `limit`.
 *
 * @example
 * ```ts
 * await social.events.attendees(eventId, AttendeeListOptionsSchema.parse({ status: 'interested' }))
 * ```
 */
export const AttendeeListOptionsSchema = z.extend(ListOptionsSchema, {
  status: z.optional(z.enum(["going", "interested"])),
});
/**
 * Options of `events.attendees`.
 *
 * @example
 * ```ts
 * const options: AttendeeListOptions = { status: 'going', limit: 50 }
 * ```
 */
export type AttendeeListOptions = z.input<typeof AttendeeListOptionsSchema>;

// =============================================================================================
// mapping
// =============================================================================================

type Patch = Record<string, Json | undefined>;

function toPatch(input: Record<string, unknown>): Patch {
  const names: Record<string, string> = {
    groupId: "group_id",
    startsAt: "starts_at",
    endsAt: "ends_at",
    locationName: "location_name",
    rsvpDeadline: "rsvp_deadline",
    coverMediaId: "cover_media_id",
  };
  const patch: Patch = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    patch[names[key] ?? key] =
      key === "media" ? (toMediaRefs(value as { id: string; alt?: string }[]) as unknown as Json) : (value as Json);
  }
  return patch;
}

function toSummary(row: EventTableRow | SearchRow | MyEventRow | GetEventRow): EventSummary {
  return {
    id: row.id,
    organizerId: row.organizer_id,
    groupId: row.group_id ?? null,
    title: row.title,
    startsAt: normalizeTimestamp(row.starts_at),
    endsAt: normalizeTimestamp(row.ends_at),
    timezone: row.timezone,
    locationName: row.location_name ?? null,
    address: row.address ?? null,
    latitude: row.latitude ?? null,
    longitude: row.longitude ?? null,
    capacity: row.capacity ?? null,
    tags: row.tags ?? [],
    visibility: row.visibility,
    status: row.status,
    coverPath: row.cover_path ?? null,
    seatsTaken: row.seats_taken,
    goingCount: row.going_count,
    interestedCount: row.interested_count,
    waitlistCount: row.waitlist_count,
  };
}

function toAttendeePreview(value: Json): EventAttendee[] {
  return (Array.isArray(value) ? value : []).map((item) => {
    const a = item as {
      id: string;
      handle: string;
      display_name: string;
      avatar_path: string | null;
      guests: number;
      is_friend: boolean;
    };
    return {
      id: a.id,
      handle: a.handle,
      displayName: a.display_name,
      avatarPath: a.avatar_path ?? null,
      guests: a.guests ?? 0,
      isFriend: a.is_friend === true,
    };
  });
}

function toDetails(row: GetEventRow): EventDetails {
  return {
    ...toSummary(row),
    description: row.description ?? null,
    coverMediaId: row.cover_media_id ?? null,
    media: toMediaItems(row.media),
    rsvpDeadline: ts(row.rsvp_deadline),
    sequence: row.sequence,
    priceCents: row.price_cents ?? null,
    currency: row.currency ?? null,
    requiredTier: row.required_tier ?? null,
    publishedAt: ts(row.published_at),
    cancelledAt: ts(row.cancelled_at),
    createdAt: normalizeTimestamp(row.created_at),
    updatedAt: normalizeTimestamp(row.updated_at),
    organizer: toProfileSummary(row.organizer),
    isOrganizer: row.is_organizer === true,
    myRsvp: row.my_status
      ? { status: row.my_status, guests: row.my_guests ?? 0, waitlistPosition: row.my_waitlist_position ?? null }
      : null,
    attendeePreview: toAttendeePreview(row.attendee_preview),
  };
}

function toRsvp(row: RsvpRow): Rsvp {
  return {
    eventId: row.event_id,
    userId: row.user_id,
    status: row.status,
    guests: row.guests,
    waitlisted: row.waitlisted === true,
    waitlistPosition: row.waitlist_position ?? null,
    confirmedAt: ts(row.confirmed_at),
    promotedAt: ts(row.promoted_at),
    createdAt: normalizeTimestamp(row.created_at),
    updatedAt: normalizeTimestamp(row.updated_at),
  };
}

function toMyEvent(row: MyEventRow): MyEvent {
  return {
    ...toSummary(row),
    isOrganizer: row.is_organizer === true,
    myStatus: row.my_status ?? null,
    myGuests: row.my_guests ?? null,
    myWaitlisted: row.my_waitlisted === true,
  };
}

async function loadEvent(ctx: NamespaceContext, id: string): Promise<SupasocialResult<EventDetails>> {
  const response = await ctx.social.rpc("get_event", { p_event_id: id });
  if (response.error) return failFrom(response);
  const row = firstRow(response.data as GetEventRow[] | null);
  return row ? ok(toDetails(row)) : notFound("event_not_found", "No such event");
}

async function afterWrite(
  ctx: NamespaceContext,
  response: { data: unknown; error: unknown; status?: number },
): Promise<SupasocialResult<EventDetails>> {
  if (response.error) return failFrom(response as { error: unknown; status?: number });
  const row = firstRow(response.data as EventTableRow | EventTableRow[] | null);
  return row ? loadEvent(ctx, row.id) : notFound("event_not_found", "No such event");
}

/** The functions URL of the client's project (`<supabase url>/functions/v1`). */
function functionsUrl(ctx: NamespaceContext): string {
  const base = (ctx.supabase as unknown as { supabaseUrl?: string }).supabaseUrl ?? "";
  return `${base.replace(/\/+$/, "")}/functions/v1`;
}

// =============================================================================================
// the namespace
// =============================================================================================

/**
 * `client.events`: create and run events, RSVP, search nearby, subscribe calendars.
 *
 * @example
 * ```ts
 * const social = withEvents(createSupasocialClient(supabase))
 * const { data } = await social.events.nearby({ latitude: 38.72, longitude: -9.14 })
 * ```
 */
export const eventsNamespace = defineNamespace("events", (ctx) => ({
  /**
   * Create an event (a draft: only you and co-organizers see it until `publish`). Errors:
   * `invalid_title`, `invalid_event_time`, `invalid_timezone`, `invalid_location`, `not_group_admin` …
   *
   * @example
   * ```ts
   * const { data: event } = await social.events.create({
   *   title: 'Saturday long run', startsAt: '2026-12-05T08:00:00Z', endsAt: '2026-12-05T10:00:00Z',
   *   timezone: 'Europe/Lisbon', latitude: 38.72, longitude: -9.14, locationName: 'Parque', capacity: 25,
   * })
   * ```
   */
  create(input: EventCreate): Promise<SupasocialResult<EventDetails>> {
    return settle(async () => {
      const parsed = parseInput(EventCreateSchema, input, "input");
      if (parsed.error) return parsed;
      return afterWrite(ctx, await ctx.social.rpc("create_event", { p_input: toPatch(parsed.data) }));
    });
  },

  /**
   * Edit an event (organizers). Moving a published event's time or place notifies the people going
   * and updates their calendars; raising the capacity promotes from the waitlist.
   *
   * @example
   * ```ts
   * await social.events.update(eventId, { capacity: 40, locationName: 'Riverside' })
   * ```
   */
  update(eventId: string, patch: EventUpdate): Promise<SupasocialResult<EventDetails>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const parsed = parseInput(EventUpdateSchema, patch, "patch");
      if (parsed.error) return parsed;
      return afterWrite(
        ctx,
        await ctx.social.rpc("update_event", { p_event_id: id.data, p_patch: toPatch(parsed.data) }),
      );
    });
  },

  /**
   * Publish a draft (organizers): its audience sees it and may RSVP; an `event` card is posted to
   * your profile or the group unless the event is private or `postCard` is false; `openChat` also
   * opens the event's chat (`openChat`). Idempotent.
   *
   * @example
   * ```ts
   * await social.events.publish(eventId)
   * ```
   */
  publish(
    eventId: string,
    options: { postCard?: boolean; openChat?: boolean } = {},
  ): Promise<SupasocialResult<EventDetails>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const published = await afterWrite(
        ctx,
        await ctx.social.rpc("publish_event", { p_event_id: id.data, p_post_card: options.postCard !== false }),
      );
      if (published.error || !options.openChat) return published;
      const chat = await ctx.social.rpc("open_event_chat", { p_event_id: id.data });
      return chat.error ? failFrom(chat) : published;
    });
  },

  /**
   * Cancel a published event (organizers): every seat is freed, every attendee notified, and
   * calendars show it cancelled. Idempotent.
   *
   * @example
   * ```ts
   * await social.events.cancel(eventId)
   * ```
   */
  cancel(eventId: string): Promise<SupasocialResult<EventDetails>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      return afterWrite(ctx, await ctx.social.rpc("cancel_event", { p_event_id: id.data }));
    });
  },

  /**
   * Delete a draft (organizers); a published event is cancelled instead (`invalid_transition`).
   *
   * @example
   * ```ts
   * await social.events.delete(draftId)
   * ```
   */
  delete(eventId: string): Promise<SupasocialResult<null>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const response = await ctx.social.rpc("delete_event", { p_event_id: id.data });
      return response.error ? failFrom(response) : ok(null);
    });
  },

  /**
   * One event with its counts, your RSVP and the people going (those you follow first).
   * `event_not_found` when it does not exist or you may not see it.
   *
   * @example
   * ```ts
   * const { data: e } = await social.events.get(eventId)
   * e && `${e.goingCount} going, ${e.waitlistCount} waiting`
   * ```
   */
  get(eventId: string): Promise<SupasocialResult<EventDetails>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      return loadEvent(ctx, id.data);
    });
  },

  /**
   * Your events: those you organize or answered going (seated or waiting) or interested,
   * soonest first, from `from` (default: yesterday).
   *
   * @example
   * ```ts
   * const { data } = await social.events.mine({ limit: 10 })
   * ```
   */
  mine: listMethod(async (options?: MyEventsOptions): Promise<SupasocialResult<Page<MyEvent>>> => {
    const parsed = parseInput(MyEventsOptionsSchema, options ?? {}, "options");
    if (parsed.error) return parsed;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("my_events", {
      p_from: parsed.data.from,
      p_cursor: parsed.data.cursor ?? undefined,
      p_limit: parsed.data.limit,
    });
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, toMyEvent));
  }),

  /**
   * Published events near a point (`latitude`, `longitude`, `radiusKm`, default 10) or inside a
   * `box`, starting from `from` (default now) until `to`, with `tag`, soonest first.
   *
   * @example
   * ```ts
   * const { data } = await social.events.nearby({ latitude: 38.72, longitude: -9.14, radiusKm: 10, tag: 'running' })
   * const next = await social.events.nearby({ latitude: 38.72, longitude: -9.14, radiusKm: 10, tag: 'running', cursor: data?.nextCursor })
   * ```
   */
  nearby: listMethod(
    async (options?: NearbyOptions): Promise<SupasocialResult<Page<EventSummary & { distanceKm: number | null }>>> => {
      const parsed = parseInput(
        NearbyOptionsSchema.check(
          z.refine((o) => (o.box === undefined) !== (o.latitude === undefined || o.longitude === undefined), {
            message: "Give latitude and longitude, or a box",
          }),
        ),
        options ?? {},
        "options",
      );
      if (parsed.error) return parsed;
      const o = parsed.data;
      const toItem = (row: SearchRow) => ({ ...toSummary(row), distanceKm: row.distance_km ?? null });
      const response = o.box
        ? await ctx.social.rpc("events_in_box", {
            p_south: o.box.south,
            p_west: o.box.west,
            p_north: o.box.north,
            p_east: o.box.east,
            p_from: o.from,
            p_to: o.to,
            p_tag: o.tag,
            p_cursor: o.cursor ?? undefined,
            p_limit: o.limit,
          })
        : await ctx.social.rpc("nearby_events", {
            p_latitude: o.latitude as number,
            p_longitude: o.longitude as number,
            p_radius_km: o.radiusKm ?? 10,
            p_from: o.from,
            p_to: o.to,
            p_tag: o.tag,
            p_cursor: o.cursor ?? undefined,
            p_limit: o.limit,
          });
      if (response.error) return failFrom(response);
      return ok(toPage(response.data as SearchRow[], toItem));
    },
  ),

  /**
   * RSVP: `going` (with up to 10 guests), `interested` or `not_going`. When the event is full,
   * going waits on the waitlist (`waitlisted`, `waitlistPosition`) and is promoted in order of
   * arrival. Retrying changes nothing. Errors: `rsvp_closed`, `not_enough_seats`, `invalid_guests`.
   *
   * @example
   * ```ts
   * const { data } = await social.events.rsvp(eventId, { status: 'going', guests: 1 })
   * ```
   */
  rsvp(eventId: string, input: RsvpInput): Promise<SupasocialResult<Rsvp>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const parsed = parseInput(RsvpInputSchema, input, "input");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("rsvp_event", {
        p_event_id: id.data,
        p_status: parsed.data.status,
        p_guests: parsed.data.guests ?? 0,
      });
      if (response.error) return failFrom(response);
      const row = firstRow(response.data as RsvpRow[] | null);
      return row ? ok(toRsvp(row)) : notFound("event_not_found", "No such event");
    });
  },

  /**
   * Cancel your RSVP (becomes `not_going`): your seats go to the next party on the waitlist.
   *
   * @example
   * ```ts
   * await social.events.cancelRsvp(eventId)
   * ```
   */
  cancelRsvp(eventId: string): Promise<SupasocialResult<Rsvp>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const response = await ctx.social.rpc("cancel_rsvp", { p_event_id: id.data });
      if (response.error) return failFrom(response);
      const row = firstRow(response.data as RsvpRow[] | null);
      return row ? ok(toRsvp(row)) : notFound("event_not_found", "No such event");
    });
  },

  /**
   * Your place on an event's waitlist (1 = next), or null when you are not waiting.
   *
   * @example
   * ```ts
   * const { data: position } = await social.events.waitlistPosition(eventId)
   * ```
   */
  waitlistPosition(eventId: string): Promise<SupasocialResult<number | null>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const response = await ctx.social.rpc("event_waitlist_position", { p_event_id: id.data });
      if (response.error) return failFrom(response);
      return ok(typeof response.data === "number" ? response.data : null);
    });
  },

  /**
   * People going (default) or interested, newest first; blocked users left out.
   *
   * @example
   * ```ts
   * const { data } = await social.events.attendees(eventId, { status: 'going' })
   * ```
   */
  attendees: scopedListMethod(
    async (eventId: string, options?: AttendeeListOptions): Promise<SupasocialResult<Page<EventAttendee>>> => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const parsed = parseInput(AttendeeListOptionsSchema, options ?? {}, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("list_event_attendees", {
        p_event_id: id.data,
        p_status: parsed.data.status ?? "going",
        p_cursor: parsed.data.cursor ?? undefined,
        p_limit: parsed.data.limit,
      });
      if (response.error) return failFrom(response);
      return ok(
        toPage(response.data, (row: AttendeeRow) => ({
          id: row.user_id,
          handle: row.handle,
          displayName: row.display_name,
          avatarPath: row.avatar_path ?? null,
          guests: row.guests,
          isFriend: row.is_friend === true,
        })),
      );
    },
  ),

  /**
   * The waitlist in order of arrival (organizers; an empty page for anyone else).
   *
   * @example
   * ```ts
   * const { data } = await social.events.waitlist(eventId)
   * ```
   */
  waitlist: scopedListMethod(
    async (
      eventId: string,
      options?: z.input<typeof ListOptionsSchema>,
    ): Promise<SupasocialResult<Page<WaitlistEntry>>> => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("list_event_waitlist", {
        p_event_id: id.data,
        p_cursor: parsed.data.cursor ?? undefined,
        p_limit: parsed.data.limit,
      });
      if (response.error) return failFrom(response);
      return ok(
        toPage(response.data, (row: WaitlistRow) => ({
          id: row.user_id,
          handle: row.handle,
          displayName: row.display_name,
          avatarPath: row.avatar_path ?? null,
          guests: row.guests,
          position: row.waitlist_position,
          createdAt: normalizeTimestamp(row.created_at),
        })),
      );
    },
  ),

  /**
   * Invite someone (organizers): the audience of a private event. `data`: newly invited.
   *
   * @example
   * ```ts
   * await social.events.invite(eventId, benId)
   * ```
   */
  invite(eventId: string, userId: string): Promise<SupasocialResult<boolean>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const user = parseInput(UuidSchema, userId, "userId");
      if (user.error) return user;
      const response = await ctx.social.rpc("invite_to_event", { p_event_id: id.data, p_user_id: user.data });
      return response.error ? failFrom(response) : ok(response.data === true);
    });
  },

  /**
   * Take an invite back (organizers); for a private event the person loses it with their RSVP.
   *
   * @example
   * ```ts
   * await social.events.uninvite(eventId, benId)
   * ```
   */
  uninvite(eventId: string, userId: string): Promise<SupasocialResult<boolean>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const user = parseInput(UuidSchema, userId, "userId");
      if (user.error) return user;
      const response = await ctx.social.rpc("uninvite_from_event", { p_event_id: id.data, p_user_id: user.data });
      return response.error ? failFrom(response) : ok(response.data === true);
    });
  },

  /**
   * The event's chat (a conversation tied to the event: the organizer and the people going with a
   * seat, kept in step as RSVPs change). Organizers open it; members get it back; others get
   * `conversation_not_found`. Read and send in it with `@supasocial/client/chat`.
   *
   * @example
   * ```ts
   * const { data: chat } = await social.events.openChat(eventId)
   * chat && (await withChat(social).chat.send(chat.id, { body: 'See you at 8!' }))
   * ```
   */
  openChat(eventId: string): Promise<SupasocialResult<EventChat>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const response = await ctx.social.rpc("open_event_chat", { p_event_id: id.data });
      if (response.error) return failFrom(response);
      const row = firstRow(response.data as ConversationRow | ConversationRow[] | null);
      return row
        ? ok({ id: row.id, title: row.title ?? null, memberCount: row.member_count, eventId: id.data })
        : notFound("event_not_found", "No such event");
    });
  },

  /**
   * Make (or replace) your private calendar feed: the URLs to subscribe Google Calendar and Apple
   * Calendar to. The token is shown once; a new feed stops the old URL.
   *
   * @example
   * ```ts
   * const { data: feed } = await social.events.createCalendarFeed()
   * copyToClipboard(feed!.url) // Google Calendar: Other calendars → From URL
   * ```
   */
  createCalendarFeed(): Promise<SupasocialResult<CalendarFeed>> {
    return settle(async () => {
      const response = await ctx.social.rpc("create_calendar_feed");
      if (response.error) return failFrom(response);
      const token = String(response.data);
      const url = `${functionsUrl(ctx)}/calendar/feed/${token}.ics`;
      return ok({ token, url, webcalUrl: url.replace(/^https?:/, "webcal:") });
    });
  },

  /**
   * Revoke your calendar feed: its URL stops working at once. `data`: whether you had one.
   *
   * @example
   * ```ts
   * await social.events.revokeCalendarFeed()
   * ```
   */
  revokeCalendarFeed(): Promise<SupasocialResult<boolean>> {
    return settle(async () => {
      const response = await ctx.social.rpc("revoke_calendar_feed");
      return response.error ? failFrom(response) : ok(response.data === true);
    });
  },

  /**
   * The URL of one event's `.ics` file (fetch it with your session, or open it for a public event).
   *
   * @example
   * ```ts
   * const url = social.events.icsUrl(eventId)
   * ```
   */
  icsUrl(eventId: string): string {
    return `${functionsUrl(ctx)}/calendar/events/${encodeURIComponent(eventId)}.ics`;
  },
}));
