/**
 * `client.trips` (from `@supasocial/client/trips`): trips planned together. Create and edit trips,
 * invite members as editors or viewers, manage roles and ownership, share read-only links, plan
 * days and items with conflict-safe edits and moves, comment and vote, the map, and live changes
 * and presence on the private Realtime topic `trip:<id>`.
 */
import type { RealtimeChannel } from "@supabase/supabase-js";
import * as z from "zod/mini";
import type { Database, Json } from "../database.types.ts";
import { SupasocialError } from "../errors.ts";
import { defineNamespace, type NamespaceContext } from "../namespace.ts";
import { listMethod, type Page, scopedListMethod, toPage } from "../pagination.ts";
import { realtimeError } from "../realtime.ts";
import { fail, failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { CursorSchema, LimitSchema, parseInput, UuidSchema } from "../validation.ts";

type Social = Database["social"];

// =============================================================================================
// types
// =============================================================================================

/**
 * Who besides members sees a trip: `public`, `followers` (the owner's), `private`.
 *
 * @example
 * ```ts
 * const v: TripVisibility = 'followers'
 * ```
 */
export type TripVisibility = Social["Enums"]["trip_visibility"];

/**
 * `owner` (members, links, visibility), `editor` (plans), `viewer` (reads, comments, votes).
 *
 * @example
 * ```ts
 * const canPlan = (role: TripRole | null) => role === 'owner' || role === 'editor'
 * ```
 */
export type TripRole = Social["Enums"]["trip_role"];

/**
 * A trip row as the database returns it (snake_case, as in `social.trips`).
 *
 * @example
 * ```ts
 * const { data: trip } = await social.trips.create({ title: 'Lisbon' })
 * trip?.version // pass it back to update()
 * ```
 */
export type Trip = Social["Tables"]["trips"]["Row"];

/**
 * A day of the itinerary (`social.trip_days`).
 *
 * @example
 * ```ts
 * const { data: day } = await social.trips.addDay(tripId, { day_date: '2027-05-01' })
 * ```
 */
export type TripDay = Social["Tables"]["trip_days"]["Row"];

/**
 * An itinerary item (`social.trip_items`).
 *
 * @example
 * ```ts
 * const { data: item } = await social.trips.addItem(dayId, { title: 'Castle', start_time: '10:00' })
 * ```
 */
export type TripItem = Social["Tables"]["trip_items"]["Row"];

/**
 * A trip opened with `get` (or a share link with `viewShared`): the trip's fields, the owner's
 * card, your role, the members (members only), days and items in order.
 *
 * @example
 * ```ts
 * const { data: trip } = await social.trips.get(tripId)
 * trip?.items.filter((i) => i.day_id === trip.days[0]?.id)
 * ```
 */
export interface TripDetail extends Omit<Trip, "cover_media_id"> {
  owner: { id?: string; handle: string; display_name: string; avatar_path: string | null } | null;
  my_role: TripRole | null;
  following?: boolean;
  members?: { user_id: string; role: TripRole; handle: string; display_name: string; avatar_path: string | null }[];
  days: Pick<TripDay, "id" | "position" | "day_date" | "title" | "notes" | "version">[];
  items: (Omit<TripItem, "trip_id" | "created_at" | "created_by" | "updated_by"> & {
    created_by: string | null;
    updated_by: string | null;
    my_vote: number | null;
  })[];
  /** Set when opened with a share link: when the link stops working. */
  shared_until?: string;
}

/**
 * A live change on `trip:<id>`: `event` is `item`, `day`, `trip`, `comment`, `vote` or `member`;
 * `op` is `created`, `updated` or `deleted` (members: `joined`, `role`, `removed`).
 *
 * @example
 * ```ts
 * (change: TripChange) => change.event === 'item' && change.op === 'updated' && applyItem(change.row)
 * ```
 */
export interface TripChange {
  event: "item" | "day" | "trip" | "comment" | "vote" | "member";
  op: string;
  /** The row as committed (for deletions: as it was). */
  row: { [key: string]: Json | undefined } | null;
  /** Who made the change (null for the platform). */
  by: string | null;
  /** `member` events: the member and their role. */
  userId?: string;
  role?: TripRole;
}

/**
 * Someone viewing the trip, as presence shows them.
 *
 * @example
 * ```ts
 * presence.map((p) => `${p.userId} on ${p.dayId ?? 'the overview'}`)
 * ```
 */
export interface TripPresence {
  userId: string;
  dayId: string | null;
}

/**
 * A live trip: `setDay()` tells the others which day you look at; `unsubscribe()` leaves.
 *
 * @example
 * ```ts
 * const { data: live } = await social.trips.live(tripId, { onChange, onPresence })
 * await live?.setDay(dayId)
 * ```
 */
export interface TripLive {
  channel: RealtimeChannel;
  setDay(dayId: string | null): Promise<void>;
  unsubscribe(): Promise<void>;
}

// =============================================================================================
// inputs
// =============================================================================================

const text = (max: number) => z.nullable(z.string().check(z.maxLength(max)));
const date = z.nullable(z.iso.date({ error: "Expected a date YYYY-MM-DD" }));
const time = z.nullable(z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, "Expected HH:MM")));

/**
 * The fields of a trip (all optional on update; `title` required on create).
 *
 * @example
 * ```ts
 * TripFieldsSchema.parse({ title: 'Lisbon', start_date: '2027-05-01', end_date: '2027-05-04' })
 * ```
 */
export const TripFieldsSchema = z.strictObject({
  title: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  description: z.optional(text(5000)),
  destination_name: z.optional(text(200)),
  destination_lat: z.optional(z.nullable(z.number().check(z.gte(-90), z.lte(90)))),
  destination_lng: z.optional(z.nullable(z.number().check(z.gte(-180), z.lte(180)))),
  start_date: z.optional(date),
  end_date: z.optional(date),
  timezone: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  visibility: z.optional(z.enum(["public", "followers", "private"])),
  status: z.optional(z.enum(["planning", "booked", "ongoing", "done"])),
  cover_media_id: z.optional(z.nullable(UuidSchema)),
});

/**
 * A trip's fields, as `create` and `update` take them.
 *
 * @example
 * ```ts
 * const fields: TripFields = { title: 'Azores', visibility: 'followers' }
 * ```
 */
export type TripFields = z.input<typeof TripFieldsSchema>;

/**
 * The fields of an itinerary item (all optional on update; `title` required on add).
 *
 * @example
 * ```ts
 * TripItemFieldsSchema.parse({ title: 'Lunch', category: 'food', cost_estimate: 25, currency: 'EUR' })
 * ```
 */
export const TripItemFieldsSchema = z.strictObject({
  title: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  start_time: z.optional(time),
  end_time: z.optional(time),
  place_name: z.optional(text(200)),
  place_lat: z.optional(z.nullable(z.number().check(z.gte(-90), z.lte(90)))),
  place_lng: z.optional(z.nullable(z.number().check(z.gte(-180), z.lte(180)))),
  notes: z.optional(text(5000)),
  links: z.optional(z.array(z.url({ protocol: /^https?$/ })).check(z.maxLength(10))),
  category: z.optional(z.enum(["sight", "food", "lodging", "transport", "activity", "shopping", "other"])),
  cost_estimate: z.optional(z.nullable(z.number().check(z.gte(0)))),
  currency: z.optional(z.nullable(z.string().check(z.regex(/^[A-Z]{3}$/, "Expected an ISO 4217 code")))),
});

/**
 * An item's fields, as `addItem` and `updateItem` take them.
 *
 * @example
 * ```ts
 * const fields: TripItemFields = { title: 'Pena Palace', place_lat: 38.79, place_lng: -9.39 }
 * ```
 */
export type TripItemFields = z.input<typeof TripItemFieldsSchema>;

/**
 * A day's fields.
 *
 * @example
 * ```ts
 * TripDayFieldsSchema.parse({ day_date: '2027-05-02', title: 'Sintra' })
 * ```
 */
export const TripDayFieldsSchema = z.strictObject({
  day_date: z.optional(date),
  title: z.optional(text(200)),
  notes: z.optional(text(5000)),
});

/**
 * A day's fields, as `addDay` and `updateDay` take them.
 *
 * @example
 * ```ts
 * const fields: TripDayFields = { title: 'Beach day' }
 * ```
 */
export type TripDayFields = z.input<typeof TripDayFieldsSchema>;

/**
 * Where a day or item goes: right `after` one (its id), `first`, or last (neither).
 *
 * @example
 * ```ts
 * await social.trips.moveItem(itemId, { dayId, after: otherItemId })
 * ```
 */
export interface Placement {
  after?: string | null;
  first?: boolean;
}

const PlacementSchema = z.strictObject({
  after: z.optional(z.nullable(UuidSchema)),
  first: z.optional(z.boolean()),
  dayId: z.optional(z.nullable(UuidSchema)),
});
const VersionSchema = z.int().check(z.gte(1));
const ListSchema = z.strictObject({ cursor: z.optional(CursorSchema), limit: z.optional(LimitSchema) });

// =============================================================================================
// the namespace
// =============================================================================================

async function rpc<T>(ctx: NamespaceContext, fn: string, args: Record<string, unknown>): Promise<SupasocialResult<T>> {
  // the function names and arguments are checked by the typed wrappers below
  const response = await (
    ctx.social.rpc as unknown as (
      f: string,
      a: object,
    ) => PromiseLike<{ data: unknown; error: unknown; status: number }>
  )(fn, args);
  if (response.error) return failFrom(response);
  return ok(response.data as T);
}

function parsed<S extends z.ZodMiniType>(schema: S, input: unknown, label: string) {
  return parseInput(schema, input, label);
}

function toChange(event: string, payload: unknown): TripChange | null {
  if (typeof payload !== "object" || payload === null) return null;
  const p = payload as { op?: string; row?: TripChange["row"]; by?: string | null; user_id?: string; role?: TripRole };
  return {
    event: event as TripChange["event"],
    op: String(p.op ?? ""),
    row: p.row ?? null,
    by: p.by ?? null,
    ...(p.user_id ? { userId: p.user_id } : {}),
    ...(p.role ? { role: p.role } : {}),
  };
}

export const tripsNamespace = defineNamespace("trips", (ctx) => {
  const api = {
    /**
     * Create a trip; you are its owner. Private unless `visibility` says otherwise.
     *
     * @example
     * ```ts
     * const { data: trip } = await social.trips.create({ title: 'Lisbon', destination_name: 'Lisbon', visibility: 'followers' })
     * ```
     */
    create(fields: TripFields & { title: string }): Promise<SupasocialResult<Trip>> {
      return settle(async () => {
        const input = parsed(TripFieldsSchema, fields, "fields");
        if (input.error) return input;
        return rpc<Trip>(ctx, "create_trip", { p_trip: input.data });
      });
    },

    /**
     * Open a trip in one call: fields, owner, your role, members, days and items in order.
     *
     * @example
     * ```ts
     * const { data: trip, error } = await social.trips.get(tripId) // error.code 'trip_not_found'
     * ```
     */
    get(tripId: string): Promise<SupasocialResult<TripDetail>> {
      return settle(async () => {
        const id = parsed(UuidSchema, tripId, "tripId");
        if (id.error) return id;
        return rpc<TripDetail>(ctx, "get_trip", { p_trip_id: id.data });
      });
    },

    /**
     * Change a trip's fields, passing the `version` you read; `conflict` (409) when it changed since.
     *
     * @example
     * ```ts
     * const { error } = await social.trips.update(trip.id, trip.version, { status: 'booked' })
     * if (error?.code === 'conflict') reload()
     * ```
     */
    update(tripId: string, version: number, changes: TripFields): Promise<SupasocialResult<Trip>> {
      return settle(async () => {
        const id = parsed(UuidSchema, tripId, "tripId");
        if (id.error) return id;
        const v = parsed(VersionSchema, version, "version");
        if (v.error) return v;
        const input = parsed(TripFieldsSchema, changes, "changes");
        if (input.error) return input;
        return rpc<Trip>(ctx, "update_trip", { p_trip_id: id.data, p_version: v.data, p_changes: input.data });
      });
    },

    /**
     * Delete a trip (owner only) with everything in it.
     *
     * @example
     * ```ts
     * await social.trips.delete(tripId)
     * ```
     */
    delete(tripId: string): Promise<SupasocialResult<null>> {
      return settle(async () => {
        const id = parsed(UuidSchema, tripId, "tripId");
        if (id.error) return id;
        const r = await rpc(ctx, "delete_trip", { p_trip_id: id.data });
        return r.error ? r : ok(null);
      });
    },

    /**
     * Your trips (`relation: 'member'`, the default) or the public trips you follow (`'following'`).
     *
     * @example
     * ```ts
     * const { data: page } = await social.trips.mine({ limit: 20 })
     * ```
     */
    mine: listMethod(
      async (options?: {
        relation?: "member" | "following";
        cursor?: string | null;
        limit?: number;
      }): Promise<SupasocialResult<Page<Social["Functions"]["my_trips"]["Returns"][number]>>> => {
        const o = parsed(ListSchema, { cursor: options?.cursor, limit: options?.limit }, "options");
        if (o.error) return o;
        const rows = await rpc<Social["Functions"]["my_trips"]["Returns"]>(ctx, "my_trips", {
          p_relation: options?.relation ?? "member",
          p_cursor: o.data.cursor ?? null,
          p_limit: o.data.limit,
        });
        return rows.error ? rows : ok(toPage(rows.data, (r) => r));
      },
    ),

    /**
     * A trip's members with their roles (members only).
     *
     * @example
     * ```ts
     * for await (const m of social.trips.members.all(tripId)) console.log(m.handle, m.role)
     * ```
     */
    members: scopedListMethod(
      async (
        tripId: string,
        options?: { cursor?: string | null; limit?: number },
      ): Promise<SupasocialResult<Page<Social["Functions"]["list_trip_members"]["Returns"][number]>>> => {
        const id = parsed(UuidSchema, tripId, "tripId");
        if (id.error) return id;
        const o = parsed(ListSchema, options ?? {}, "options");
        if (o.error) return o;
        const rows = await rpc<Social["Functions"]["list_trip_members"]["Returns"]>(ctx, "list_trip_members", {
          p_trip_id: id.data,
          p_cursor: o.data.cursor ?? null,
          p_limit: o.data.limit,
        });
        return rows.error ? rows : ok(toPage(rows.data, (r) => r));
      },
    ),

    /**
     * Invite a user as `editor` or `viewer` (owner only).
     *
     * @example
     * ```ts
     * await social.trips.invite(tripId, benId, 'editor')
     * ```
     */
    invite(tripId: string, userId: string, role: "editor" | "viewer" = "viewer") {
      return call<Social["Tables"]["trip_invites"]["Row"]>("invite_to_trip", {
        p_trip_id: [UuidSchema, tripId],
        p_user_id: [UuidSchema, userId],
        p_role: [z.enum(["editor", "viewer"]), role],
      });
    },

    /**
     * Open invites to you, newest first, with the trip's title.
     *
     * @example
     * ```ts
     * const { data: page } = await social.trips.invites()
     * ```
     */
    invites: listMethod(
      async (options?: {
        cursor?: string | null;
        limit?: number;
      }): Promise<SupasocialResult<Page<Social["Functions"]["my_trip_invites"]["Returns"][number]>>> => {
        const o = parsed(ListSchema, options ?? {}, "options");
        if (o.error) return o;
        const rows = await rpc<Social["Functions"]["my_trip_invites"]["Returns"]>(ctx, "my_trip_invites", {
          p_cursor: o.data.cursor ?? null,
          p_limit: o.data.limit,
        });
        return rows.error ? rows : ok(toPage(rows.data, (r) => r));
      },
    ),

    /**
     * Accept an invite: you join with its role.
     *
     * @example
     * ```ts
     * await social.trips.acceptInvite(inviteId)
     * ```
     */
    acceptInvite(inviteId: string) {
      return call<Social["Tables"]["trip_members"]["Row"]>("accept_trip_invite", {
        p_invite_id: [UuidSchema, inviteId],
      });
    },

    /**
     * Decline an invite.
     *
     * @example
     * ```ts
     * await social.trips.declineInvite(inviteId)
     * ```
     */
    declineInvite(inviteId: string) {
      return call<Social["Tables"]["trip_invites"]["Row"]>("decline_trip_invite", {
        p_invite_id: [UuidSchema, inviteId],
      });
    },

    /**
     * Revoke an open invite (owner only).
     *
     * @example
     * ```ts
     * await social.trips.revokeInvite(inviteId)
     * ```
     */
    revokeInvite(inviteId: string) {
      return call<Social["Tables"]["trip_invites"]["Row"]>("revoke_trip_invite", {
        p_invite_id: [UuidSchema, inviteId],
      });
    },

    /**
     * Leave a trip (the owner transfers it first: `owner_must_transfer`).
     *
     * @example
     * ```ts
     * await social.trips.leave(tripId)
     * ```
     */
    leave(tripId: string) {
      return call<null>("leave_trip", { p_trip_id: [UuidSchema, tripId] });
    },

    /**
     * Remove a member (owner only); they lose the trip and its live topic at once.
     *
     * @example
     * ```ts
     * await social.trips.removeMember(tripId, userId)
     * ```
     */
    removeMember(tripId: string, userId: string) {
      return call<null>("remove_trip_member", { p_trip_id: [UuidSchema, tripId], p_user_id: [UuidSchema, userId] });
    },

    /**
     * Make a member an `editor` or a `viewer` (owner only).
     *
     * @example
     * ```ts
     * await social.trips.setRole(tripId, userId, 'editor')
     * ```
     */
    setRole(tripId: string, userId: string, role: "editor" | "viewer") {
      return call<Social["Tables"]["trip_members"]["Row"]>("set_trip_member_role", {
        p_trip_id: [UuidSchema, tripId],
        p_user_id: [UuidSchema, userId],
        p_role: [z.enum(["editor", "viewer"]), role],
      });
    },

    /**
     * Hand the trip to another member (owner only); you stay on as an editor.
     *
     * @example
     * ```ts
     * await social.trips.transferOwnership(tripId, benId)
     * ```
     */
    transferOwnership(tripId: string, userId: string) {
      return call<Trip>("transfer_trip_ownership", {
        p_trip_id: [UuidSchema, tripId],
        p_user_id: [UuidSchema, userId],
      });
    },

    /**
     * A read-only share link (owner only). The token comes back once: only its hash is stored.
     *
     * @example
     * ```ts
     * const { data: link } = await social.trips.createShareLink(tripId, { expiresAt: new Date(Date.now() + 86_400_000) })
     * const url = `https://app.example/t/${link?.token}`
     * ```
     */
    createShareLink(tripId: string, options: { expiresAt?: Date | string } = {}) {
      const at = options.expiresAt instanceof Date ? options.expiresAt.toISOString() : (options.expiresAt ?? null);
      return call<{ id: string; trip_id: string; token: string; expires_at: string; created_at: string }>(
        "create_trip_share_link",
        { p_trip_id: [UuidSchema, tripId], p_expires_at: [z.nullable(z.iso.datetime({ offset: true })), at] },
      );
    },

    /**
     * A trip's share links, newest first, expired and revoked ones included (owner only; never the token).
     *
     * @example
     * ```ts
     * const { data: page } = await social.trips.shareLinks(tripId)
     * ```
     */
    shareLinks: scopedListMethod(
      async (
        tripId: string,
        options?: { cursor?: string | null; limit?: number },
      ): Promise<SupasocialResult<Page<Social["Functions"]["list_trip_share_links"]["Returns"][number]>>> => {
        const id = parsed(UuidSchema, tripId, "tripId");
        if (id.error) return id;
        const o = parsed(ListSchema, options ?? {}, "options");
        if (o.error) return o;
        const rows = await rpc<Social["Functions"]["list_trip_share_links"]["Returns"]>(ctx, "list_trip_share_links", {
          p_trip_id: id.data,
          p_cursor: o.data.cursor ?? null,
          p_limit: o.data.limit,
        });
        return rows.error ? rows : ok(toPage(rows.data, (r) => r));
      },
    ),

    /**
     * Revoke a share link (owner only); it stops working at once.
     *
     * @example
     * ```ts
     * await social.trips.revokeShareLink(linkId)
     * ```
     */
    revokeShareLink(linkId: string) {
      return call<null>("revoke_trip_share_link", { p_link_id: [UuidSchema, linkId] });
    },

    /**
     * Open a trip with a share link's token, signed in or not (read-only).
     *
     * @example
     * ```ts
     * const { data: trip, error } = await social.trips.viewShared(token) // share_link_expired, share_link_revoked
     * ```
     */
    viewShared(token: string) {
      return call<TripDetail>("view_shared_trip", {
        p_token: [z.string().check(z.minLength(1), z.maxLength(200)), token],
      });
    },

    /**
     * Follow or stop following a public trip.
     *
     * @example
     * ```ts
     * await social.trips.follow(tripId)
     * ```
     */
    follow(tripId: string) {
      return call<null>("follow_trip", { p_trip_id: [UuidSchema, tripId] });
    },

    /**
     * Stop following a trip.
     *
     * @example
     * ```ts
     * await social.trips.unfollow(tripId)
     * ```
     */
    unfollow(tripId: string) {
      return call<null>("unfollow_trip", { p_trip_id: [UuidSchema, tripId] });
    },

    /**
     * Add a day (owner or editor), last unless `placement` says otherwise.
     *
     * @example
     * ```ts
     * const { data: day } = await social.trips.addDay(tripId, { day_date: '2027-05-01', title: 'Alfama' })
     * ```
     */
    addDay(tripId: string, fields: TripDayFields = {}, placement: Placement = {}) {
      return call<TripDay>("add_trip_day", {
        p_trip_id: [UuidSchema, tripId],
        p_day: [TripDayFieldsSchema, fields],
        p_previous_id: [z.nullable(UuidSchema), placement.after ?? null],
        p_first: [z.boolean(), placement.first ?? false],
      });
    },

    /**
     * Change a day with the `version` you read (`conflict` when stale).
     *
     * @example
     * ```ts
     * await social.trips.updateDay(day.id, day.version, { title: 'Sintra' })
     * ```
     */
    updateDay(dayId: string, version: number, changes: TripDayFields) {
      return call<TripDay>("update_trip_day", {
        p_day_id: [UuidSchema, dayId],
        p_version: [VersionSchema, version],
        p_changes: [TripDayFieldsSchema, changes],
      });
    },

    /**
     * Move a day: after another, first, or last.
     *
     * @example
     * ```ts
     * await social.trips.moveDay(dayId, { first: true })
     * ```
     */
    moveDay(dayId: string, placement: Placement = {}) {
      return call<TripDay>("move_trip_day", {
        p_day_id: [UuidSchema, dayId],
        p_previous_id: [z.nullable(UuidSchema), placement.after ?? null],
        p_first: [z.boolean(), placement.first ?? false],
      });
    },

    /**
     * Delete a day with its items, with the `version` you read.
     *
     * @example
     * ```ts
     * await social.trips.deleteDay(day.id, day.version)
     * ```
     */
    deleteDay(dayId: string, version: number) {
      return call<null>("delete_trip_day", { p_day_id: [UuidSchema, dayId], p_version: [VersionSchema, version] });
    },

    /**
     * Add an item to a day (owner or editor), last unless `placement` says otherwise.
     *
     * @example
     * ```ts
     * await social.trips.addItem(dayId, { title: 'Lunch', category: 'food' }, { after: castleId })
     * ```
     */
    addItem(dayId: string, fields: TripItemFields & { title: string }, placement: Placement = {}) {
      return call<TripItem>("add_trip_item", {
        p_day_id: [UuidSchema, dayId],
        p_item: [TripItemFieldsSchema, fields],
        p_previous_id: [z.nullable(UuidSchema), placement.after ?? null],
        p_first: [z.boolean(), placement.first ?? false],
      });
    },

    /**
     * Change an item with the `version` you read: `conflict` (409) when someone changed it since,
     * and nothing is written. `editItem` rereads and retries for you.
     *
     * @example
     * ```ts
     * const { error } = await social.trips.updateItem(item.id, item.version, { notes: 'Book ahead' })
     * ```
     */
    updateItem(itemId: string, version: number, changes: TripItemFields) {
      return call<TripItem>("update_trip_item", {
        p_item_id: [UuidSchema, itemId],
        p_version: [VersionSchema, version],
        p_changes: [TripItemFieldsSchema, changes],
      });
    },

    /**
     * Edit an item from its current state: reads it, applies `change(current)` with its version,
     * and on `conflict` reads it again and reapplies (up to `retries`, default 5), so an edit made
     * from fresh data is never lost and never overwrites one it did not see.
     *
     * @example
     * ```ts
     * await social.trips.editItem(itemId, (item) => ({ notes: `${item.notes ?? ''}\nBring cash` }))
     * ```
     */
    editItem(
      itemId: string,
      change: (current: TripItem) => TripItemFields,
      options: { retries?: number } = {},
    ): Promise<SupasocialResult<TripItem>> {
      return settle(async () => {
        const id = parsed(UuidSchema, itemId, "itemId");
        if (id.error) return id;
        let last: SupasocialResult<TripItem> | null = null;
        for (let attempt = 0; attempt <= (options.retries ?? 5); attempt++) {
          const current = await ctx.social.from("trip_items").select("*").eq("id", id.data).maybeSingle();
          if (current.error) return failFrom(current);
          if (!current.data) {
            return fail(new SupasocialError({ code: "trip_item_not_found", status: 404, message: "No such item" }));
          }
          last = await api.updateItem(id.data, current.data.version, change(current.data));
          if (last.error?.code !== "conflict") return last;
        }
        return last as SupasocialResult<TripItem>;
      });
    },

    /**
     * Move an item within its day or to another (`dayId`), after another item, first, or last.
     * Moves need no version: two editors moving at once both land.
     *
     * @example
     * ```ts
     * await social.trips.moveItem(itemId, { dayId: day2.id, first: true })
     * ```
     */
    moveItem(itemId: string, placement: Placement & { dayId?: string | null } = {}) {
      const p = parsed(PlacementSchema, placement, "placement");
      return call<TripItem>("move_trip_item", {
        p_item_id: [UuidSchema, itemId],
        p_day_id: [z.nullable(UuidSchema), p.data?.dayId ?? null],
        p_previous_id: [z.nullable(UuidSchema), p.data?.after ?? null],
        p_first: [z.boolean(), p.data?.first ?? false],
      });
    },

    /**
     * Delete an item with the `version` you read.
     *
     * @example
     * ```ts
     * await social.trips.deleteItem(item.id, item.version)
     * ```
     */
    deleteItem(itemId: string, version: number) {
      return call<null>("delete_trip_item", { p_item_id: [UuidSchema, itemId], p_version: [VersionSchema, version] });
    },

    /**
     * Comment on an item (any member).
     *
     * @example
     * ```ts
     * await social.trips.comment(itemId, 'Worth the queue?')
     * ```
     */
    comment(itemId: string, body: string) {
      return call<Social["Tables"]["trip_item_comments"]["Row"]>("comment_on_trip_item", {
        p_item_id: [UuidSchema, itemId],
        p_body: [z.string().check(z.minLength(1), z.maxLength(2000)), body],
      });
    },

    /**
     * Delete a comment (its author, or the trip's owner).
     *
     * @example
     * ```ts
     * await social.trips.deleteComment(commentId)
     * ```
     */
    deleteComment(commentId: string) {
      return call<null>("delete_trip_item_comment", { p_comment_id: [UuidSchema, commentId] });
    },

    /**
     * An item's comments, oldest first (members only).
     *
     * @example
     * ```ts
     * const { data: page } = await social.trips.comments(itemId)
     * ```
     */
    comments: scopedListMethod(
      async (
        itemId: string,
        options?: { cursor?: string | null; limit?: number },
      ): Promise<SupasocialResult<Page<Social["Functions"]["list_trip_item_comments"]["Returns"][number]>>> => {
        const id = parsed(UuidSchema, itemId, "itemId");
        if (id.error) return id;
        const o = parsed(ListSchema, options ?? {}, "options");
        if (o.error) return o;
        const rows = await rpc<Social["Functions"]["list_trip_item_comments"]["Returns"]>(
          ctx,
          "list_trip_item_comments",
          { p_item_id: id.data, p_cursor: o.data.cursor ?? null, p_limit: o.data.limit },
        );
        return rows.error ? rows : ok(toPage(rows.data, (r) => r));
      },
    ),

    /**
     * Vote on an item: 1 for, -1 against, 0 to take it back (any member).
     *
     * @example
     * ```ts
     * const { data: item } = await social.trips.vote(itemId, 1) // item.vote_score
     * ```
     */
    vote(itemId: string, value: -1 | 0 | 1) {
      return call<TripItem>("vote_trip_item", {
        p_item_id: [UuidSchema, itemId],
        p_value: [z.union([z.literal(-1), z.literal(0), z.literal(1)]), value],
      });
    },

    /**
     * Trips and their places in a box (degrees) and, optionally, a date range, as you may see them.
     *
     * @example
     * ```ts
     * const { data: page } = await social.trips.map({ minLat: 38, minLng: -10, maxLat: 39, maxLng: -9, from: '2027-05-01', to: '2027-05-31' })
     * ```
     */
    map: listMethod(
      async (options?: {
        minLat: number;
        minLng: number;
        maxLat: number;
        maxLng: number;
        from?: string | null;
        to?: string | null;
        cursor?: string | null;
        limit?: number;
      }): Promise<SupasocialResult<Page<Social["Functions"]["trip_map"]["Returns"][number]>>> => {
        const o = parsed(
          z.strictObject({
            minLat: z.number(),
            minLng: z.number(),
            maxLat: z.number(),
            maxLng: z.number(),
            from: z.optional(date),
            to: z.optional(date),
            cursor: z.optional(CursorSchema),
            limit: z.optional(LimitSchema),
          }),
          options,
          "options",
        );
        if (o.error) return o;
        const rows = await rpc<Social["Functions"]["trip_map"]["Returns"]>(ctx, "trip_map", {
          p_min_lat: o.data.minLat,
          p_min_lng: o.data.minLng,
          p_max_lat: o.data.maxLat,
          p_max_lng: o.data.maxLng,
          p_from: o.data.from ?? null,
          p_to: o.data.to ?? null,
          p_cursor: o.data.cursor ?? null,
          p_limit: o.data.limit,
        });
        return rows.error ? rows : ok(toPage(rows.data, (r) => r));
      },
    ),

    /**
     * Live changes and presence of a trip (members only), on the private topic `trip:<id>`:
     * `onChange` hears every committed change (items, days, the trip, comments, votes, members),
     * `onPresence` who is viewing and which day. Resolves once joined (a non-member gets a
     * `realtime_error` whose `rawCode` is `Unauthorized`). When you are removed from the trip the
     * subscription ends at once and `onRemoved` runs.
     *
     * @example
     * ```ts
     * const { data: live } = await social.trips.live(tripId, {
     *   onChange: (c) => c.event === 'item' && refresh(c.row),
     *   onPresence: (people) => setViewers(people),
     * })
     * await live?.setDay(dayId)
     * await live?.unsubscribe()
     * ```
     */
    live(
      tripId: string,
      handlers: {
        onChange?: (change: TripChange) => void;
        onPresence?: (people: TripPresence[]) => void;
        onRemoved?: () => void;
        onError?: (error: SupasocialError) => void;
        dayId?: string | null;
      } = {},
    ): Promise<SupasocialResult<TripLive>> {
      return settle(async () => {
        const id = parsed(UuidSchema, tripId, "tripId");
        if (id.error) return id;
        const me = await ctx.currentUserId();
        if (me.error) return me;
        await ctx.supabase.realtime.setAuth();
        const channel = ctx.supabase.channel(`trip:${id.data}`, {
          config: { private: true, presence: { key: me.data } },
        });
        let day: string | null = handlers.dayId ?? null;
        let ended = false;
        const end = async () => {
          if (ended) return;
          ended = true;
          await ctx.supabase.removeChannel(channel);
        };
        for (const event of ["item", "day", "trip", "comment", "vote", "member"]) {
          channel.on("broadcast", { event }, (message: { payload?: unknown }) => {
            if (ended) return;
            const change = toChange(event, message.payload);
            if (!change) return;
            handlers.onChange?.(change);
            if (event === "member" && change.op === "removed" && change.userId === me.data) {
              void end().then(() => handlers.onRemoved?.());
            }
            if (event === "trip" && change.op === "deleted") void end().then(() => handlers.onRemoved?.());
          });
        }
        channel.on("presence", { event: "sync" }, () => {
          if (ended) return;
          const state = channel.presenceState<{ user_id?: string; day_id?: string | null }>();
          const people = Object.entries(state).map(([key, metas]) => ({
            userId: metas[0]?.user_id ?? key,
            dayId: metas[0]?.day_id ?? null,
          }));
          handlers.onPresence?.(people);
        });
        const joined = await new Promise<SupasocialError | null>((resolve) => {
          let settled = false;
          channel.subscribe((status: string, err?: Error) => {
            if (status === "SUBSCRIBED") {
              if (!settled) {
                settled = true;
                resolve(null);
              }
              return;
            }
            const error = realtimeError(err?.message ?? `Realtime channel ${status.toLowerCase()}`, status, err);
            if (!settled) {
              settled = true;
              resolve(error);
            } else if (!ended) handlers.onError?.(error);
          });
        });
        if (joined) {
          await end();
          return fail(joined);
        }
        await channel.track({ user_id: me.data, day_id: day });
        return ok({
          channel,
          async setDay(dayId: string | null) {
            day = dayId;
            if (!ended) await channel.track({ user_id: me.data, day_id: day });
          },
          unsubscribe: end,
        });
      });
    },
  };

  /** Validate each argument with its schema, then call the RPC. */
  function call<T>(fn: string, args: Record<string, [z.ZodMiniType, unknown]>): Promise<SupasocialResult<T>> {
    return settle(async () => {
      const out: Record<string, unknown> = {};
      for (const [name, [schema, value]] of Object.entries(args)) {
        const r = parsed(schema, value, name.replace(/^p_/, ""));
        if (r.error) return r;
        out[name] = r.data;
      }
      return rpc<T>(ctx, fn, out);
    });
  }

  return api;
});
