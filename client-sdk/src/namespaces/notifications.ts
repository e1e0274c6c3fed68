/**
 * `client.notifications`: the signed-in user's inbox (reactions, comments, replies, mentions,
 * follows, announcements, group invites, join requests ...), grouped per subject while unread
 * ("Ana and 3 others reacted"), with an unread counter, per-kind switches, and live updates over
 * Realtime Broadcast on the private topic `user:<id>`.
 */
import type { RealtimeChannel } from "@supabase/supabase-js";
import * as z from "zod/mini";
import { Constants, type Database, type Json } from "../database.types.ts";
import type { SupasocialError } from "../errors.ts";
import { defineNamespace } from "../namespace.ts";
import { listMethod, type Page, toPage } from "../pagination.ts";
import { joinTopic, type LiveSubscription, type PendingSubscription, pendingSubscription } from "../realtime.ts";
import { failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { CursorSchema, DateTimeSchema, LimitSchema, parseInput, UuidSchema } from "../validation.ts";
import { notFound, type ProfileSummary, single, toArray, toObject, toProfileSummary, ts } from "./shared.ts";

type Social = Database["social"];
type NotificationRow = Social["Tables"]["notifications"]["Row"];
type InboxRow = Social["Functions"]["list_notifications"]["Returns"][number];

// =============================================================================================
// types
// =============================================================================================

/**
 * `follow_request`, `follow_accepted`, `new_follower`, `reaction`, `comment`, `reply`,
 * `mention`, `announcement`, `group_invite`, `join_request`, `join_approved`.
 *
 * @example
 * ```ts
 * const icon: Record<NotificationKind, string> = { reaction: '🔥', comment: '💬', ... }
 * ```
 */
export type NotificationKind = Social["Enums"]["notification_kind"];

/**
 * A notification. While unread, further events of the same kind about the same subject merge
 * into it: `actors` (latest first, at most 5) and `actorCount` (distinct actors) grow.
 *
 * @example
 * ```ts
 * const { data } = await client.notifications.list()
 * data?.items.map((n) => `${n.actors[0]?.displayName}${n.actorCount > 1 ? ` and ${n.actorCount - 1} others` : ''} · ${n.kind}`)
 * ```
 */
export interface Notification {
  id: string;
  kind: NotificationKind;
  /** What it is about and groups by: a profile, post, comment, group or announcement id. */
  subjectId: string;
  actorIds: string[];
  actorCount: number;
  /** The latest actors you may see, newest first. */
  actors: ProfileSummary[];
  postId: string | null;
  commentId: string | null;
  groupId: string | null;
  announcementId: string | null;
  /** Render hints: reaction kind, excerpt, invite id, announcement title ... */
  data: { [key: string]: Json | undefined };
  isRead: boolean;
  readAt: string | null;
  /** When the latest event happened; lists are ordered by it. */
  occurredAt: string;
  createdAt: string;
}

/**
 * Whether notifications of one kind reach you (`inApp`; on unless turned off).
 *
 * @example
 * ```ts
 * const { data: prefs } = await client.notifications.preferences()
 * prefs?.filter((p) => !p.inApp).map((p) => p.kind)
 * ```
 */
export interface NotificationPreference {
  kind: NotificationKind;
  inApp: boolean;
}

/**
 * A live update from `notifications.subscribe`: a new notification, or an unread one that grew,
 * and your unread count after it.
 *
 * @example
 * ```ts
 * client.notifications.subscribe((event) => {
 *   setBadge(event.unreadCount)
 *   toast(event.notification.kind)
 * })
 * ```
 */
export interface NotificationEvent {
  notification: Notification;
  unreadCount: number;
}

/**
 * A live subscription; `unsubscribe()` ends it.
 *
 * @example
 * ```ts
 * const { data: sub } = await client.notifications.subscribe(onEvent)
 * onUnmount(() => sub?.unsubscribe())
 * ```
 */
export interface NotificationSubscription extends LiveSubscription {
  /** The Realtime channel (`user:<id>`, private). */
  channel: RealtimeChannel;
}

// =============================================================================================
// schemas
// =============================================================================================

/**
 * A notification kind.
 *
 * @example
 * ```ts
 * NotificationKindSchema.options.map((kind) => <Toggle key={kind} />)
 * ```
 */
export const NotificationKindSchema = z.enum(Constants.social.Enums.notification_kind);

/**
 * Options of `notifications.list`: `unreadOnly`, `cursor` (a previous page's `nextCursor`, same
 * `unreadOnly`), `limit` (default 20, at most 50 per page).
 *
 * @example
 * ```ts
 * await client.notifications.list(NotificationListOptionsSchema.parse({ unreadOnly: true }))
 * ```
 */
export const NotificationListOptionsSchema = z.strictObject({
  unreadOnly: z.optional(z.boolean()),
  cursor: z.nullish(CursorSchema),
  limit: z.optional(LimitSchema),
});
/**
 * Options of `notifications.list`.
 *
 * @example
 * ```ts
 * const options: NotificationListOptions = { unreadOnly: true, limit: 10 }
 * ```
 */
export type NotificationListOptions = z.input<typeof NotificationListOptionsSchema>;

/**
 * Options of `notifications.markAllRead`: `before` marks only those whose latest event is at
 * or before it (pass the newest `occurredAt` the user has seen, so nothing newer is swallowed).
 *
 * @example
 * ```ts
 * await client.notifications.markAllRead(MarkAllNotificationsReadOptionsSchema.parse({ before: newest.occurredAt }))
 * ```
 */
export const MarkAllNotificationsReadOptionsSchema = z.strictObject({ before: z.optional(DateTimeSchema) });
/**
 * Options of `notifications.markAllRead`.
 *
 * @example
 * ```ts
 * const options: MarkAllNotificationsReadOptions = { before: page.items[0]?.occurredAt }
 * ```
 */
export type MarkAllNotificationsReadOptions = z.input<typeof MarkAllNotificationsReadOptionsSchema>;

// =============================================================================================
// mapping
// =============================================================================================

function toNotification(row: NotificationRow | InboxRow, actors: unknown): Notification {
  const actorIds = toArray(row.actor_ids).filter((id): id is string => typeof id === "string");
  return {
    id: row.id,
    kind: row.kind,
    subjectId: row.subject_id,
    actorIds,
    actorCount: row.actor_count,
    actors: toArray(actors).flatMap((a) => {
      const summary = toProfileSummary(a);
      return summary ? [summary] : [];
    }),
    postId: row.post_id ?? null,
    commentId: row.comment_id ?? null,
    groupId: row.group_id ?? null,
    announcementId: row.announcement_id ?? null,
    data: toObject(row.data),
    isRead: row.read_at !== null && row.read_at !== undefined,
    readAt: ts(row.read_at),
    occurredAt: normalizeTimestamp(row.occurred_at),
    createdAt: normalizeTimestamp(row.created_at),
  };
}

/**
 * A Realtime Broadcast payload of the notifications domain
 * (`{ notification, actor, unread_count }`) as a `NotificationEvent`; null for anything else.
 * `subscribe` uses it; exported for apps that listen on the channel themselves.
 *
 * @example
 * ```ts
 * supabase.channel(`user:${me}`, { config: { private: true } })
 *   .on('broadcast', { event: 'notification' }, ({ payload }) => {
 *     const event = toNotificationEvent(payload)
 *     if (event) setBadge(event.unreadCount)
 *   })
 *   .subscribe()
 * ```
 */
export function toNotificationEvent(payload: unknown): NotificationEvent | null {
  const body = toObject(payload);
  const row = toObject(body.notification) as unknown as NotificationRow;
  if (
    typeof row.id !== "string" ||
    typeof row.kind !== "string" ||
    typeof row.subject_id !== "string" ||
    typeof row.occurred_at !== "string" ||
    typeof row.created_at !== "string"
  ) {
    return null;
  }
  const actor = toProfileSummary(body.actor);
  return {
    notification: toNotification(
      { ...row, actor_ids: row.actor_ids ?? [], actor_count: row.actor_count ?? 0, read_at: row.read_at ?? null },
      actor
        ? [{ id: actor.id, handle: actor.handle, display_name: actor.displayName, avatar_path: actor.avatarPath }]
        : [],
    ),
    unreadCount: typeof body.unread_count === "number" ? body.unread_count : 0,
  };
}

// =============================================================================================
// the namespace
// =============================================================================================

/**
 * `client.notifications`: inbox, unread count, read state, preferences, live updates.
 *
 * @example
 * ```ts
 * const social = createSupasocialClient(supabase)
 * const { data: unread } = await social.notifications.unreadCount()
 * ```
 */
export const notificationsNamespace = defineNamespace("notifications", (ctx) => ({
  /**
   * Your notifications, latest event first, with the actors' summaries.
   *
   * @example
   * ```ts
   * const { data: page } = await client.notifications.list({ unreadOnly: true })
   * ```
   */
  list: listMethod(async (options?: NotificationListOptions): Promise<SupasocialResult<Page<Notification>>> => {
    const parsed = parseInput(NotificationListOptionsSchema, options ?? {}, "options");
    if (parsed.error) return parsed;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("list_notifications", {
      p_cursor: parsed.data.cursor ?? undefined,
      p_limit: parsed.data.limit,
      p_unread_only: parsed.data.unreadOnly ?? false,
    });
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, (row) => toNotification(row, row.actors)));
  }),

  /**
   * How many of your notifications are unread (one lookup, whatever the inbox size).
   *
   * @example
   * ```ts
   * const { data: count } = await client.notifications.unreadCount()
   * setBadge(count ?? 0)
   * ```
   */
  unreadCount(): Promise<SupasocialResult<number>> {
    return settle(async () => {
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const response = await ctx.social.rpc("unread_notification_count");
      if (response.error) return failFrom(response);
      return ok(Number(response.data ?? 0));
    });
  },

  /**
   * Mark one of your notifications read; `data` is its id and read time. Idempotent. Error:
   * `notification_not_found`.
   *
   * @example
   * ```ts
   * await client.notifications.markRead(notification.id)
   * ```
   */
  markRead(notificationId: string): Promise<SupasocialResult<{ id: string; readAt: string }>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, notificationId, "notificationId");
      if (id.error) return id;
      const response = await ctx.social.rpc("mark_notification_read", { p_notification_id: id.data });
      return single(
        response,
        (row) => ({ id: row.id, readAt: normalizeTimestamp(row.read_at ?? "") }),
        () => notFound("notification_not_found", "No such notification"),
      );
    });
  },

  /**
   * Mark all your unread notifications read (only those up to `before` when given). `data` is
   * how many were marked.
   *
   * @example
   * ```ts
   * const { data: page } = await client.notifications.list()
   * await client.notifications.markAllRead({ before: page?.items[0]?.occurredAt })
   * ```
   */
  markAllRead(options: MarkAllNotificationsReadOptions = {}): Promise<SupasocialResult<number>> {
    return settle(async () => {
      const parsed = parseInput(MarkAllNotificationsReadOptionsSchema, options, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("mark_all_notifications_read", { p_before: parsed.data.before });
      if (response.error) return failFrom(response);
      return ok(typeof response.data === "number" ? response.data : 0);
    });
  },

  /**
   * Every notification kind with whether it reaches you (on unless turned off).
   *
   * @example
   * ```ts
   * const { data: prefs } = await client.notifications.preferences()
   * ```
   */
  preferences(): Promise<SupasocialResult<NotificationPreference[]>> {
    return settle(async () => {
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const response = await ctx.social.rpc("get_notification_preferences");
      if (response.error) return failFrom(response);
      return ok((response.data ?? []).map((row) => ({ kind: row.kind, inApp: row.in_app !== false })));
    });
  },

  /**
   * Turn one kind of notification on or off for yourself. Idempotent.
   *
   * @example
   * ```ts
   * await client.notifications.setPreference('reaction', false)
   * ```
   */
  setPreference(kind: NotificationKind, inApp: boolean): Promise<SupasocialResult<NotificationPreference>> {
    return settle(async () => {
      const k = parseInput(NotificationKindSchema, kind, "kind");
      if (k.error) return k;
      const on = parseInput(z.boolean(), inApp, "inApp");
      if (on.error) return on;
      const response = await ctx.social.rpc("set_notification_preference", { p_kind: k.data, p_in_app: on.data });
      return single(
        response,
        (row): NotificationPreference => ({ kind: row.kind, inApp: row.in_app }),
        () => notFound("preference_not_found", "The preference was not saved"),
      );
    });
  },

  /**
   * Receive your new (and grown) notifications live, with the unread count, over Realtime
   * Broadcast on your private topic `user:<id>` (Realtime checks, as you, that you may read it).
   * Resolves once the channel has joined, or with a `realtime_error` (`timeout` when the join timed
   * out) whose `rawCode` is Realtime's reason (`Unauthorized`, `InvalidJWTToken` ...). After that,
   * `onError` hears a dropped connection (`rawCode` `CHANNEL_ERROR`; the channel re-joins by itself
   * when the connection is back) and a channel the server closed (`CLOSED`: access lost; it does
   * not come back). `unsubscribe()` on the returned promise works before the join too, so it fits
   * a React `useEffect` cleanup as is.
   *
   * @example
   * ```ts
   * useEffect(() => {
   *   const subscription = social.notifications.subscribe((event) => {
   *     setBadge(event.unreadCount)
   *     prepend(event.notification)
   *   }, { onError: (error) => setLive(error.rawCode === 'CHANNEL_ERROR' ? 'reconnecting' : 'off') })
   *   return () => void subscription.unsubscribe()
   * }, [social])
   *
   * // or
   * const { data: sub, error } = await social.notifications.subscribe(onEvent)
   * await sub?.unsubscribe()
   * ```
   */
  subscribe(
    onEvent: (event: NotificationEvent) => void,
    options: { onError?: (error: SupasocialError) => void } = {},
  ): PendingSubscription<NotificationSubscription> {
    return pendingSubscription(async (control) => {
      if (typeof onEvent !== "function") {
        return parseInput(
          z.custom<never>(() => false, "onEvent must be a function"),
          onEvent,
          "onEvent",
        );
      }
      const me = await ctx.currentUserId();
      if (me.error) return me;
      return joinTopic(
        ctx.supabase,
        `user:${me.data}`,
        {
          event: "notification",
          onMessage(payload) {
            const event = toNotificationEvent(payload);
            if (event) onEvent(event);
          },
          onError: options.onError,
        },
        control,
      );
    });
  },
}));
