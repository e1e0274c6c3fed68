/**
 * `client.announcements`: broadcasts from a group's owner and admins to its members (a
 * trainer's notes on the trainees' home screen), with per-user read state and a read count.
 * Lists are pinned first, then newest, and follow the one page contract (`pagination.ts`).
 */
import * as z from "zod/mini";
import type { Database } from "../database.types.ts";
import { defineNamespace, type NamespaceContext } from "../namespace.ts";
import { listMethod, type Page, scopedListMethod, toPage } from "../pagination.ts";
import { failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { DateTimeSchema, ListOptionsSchema, parseInput, textSchema, UuidSchema } from "../validation.ts";
import { defined, firstRow, forbidden, notFound, ts } from "./shared.ts";

type Social = Database["social"];
type AnnouncementRow = Social["Tables"]["announcements"]["Row"];
type ReadRow = Pick<Social["Tables"]["announcement_reads"]["Row"], "read_at">;
type StatsRow = Pick<Social["Tables"]["announcement_stats"]["Row"], "read_count">;
type MyAnnouncementRow = Social["Functions"]["my_announcements"]["Returns"][number];
type ListedAnnouncementRow = Social["Functions"]["list_announcements"]["Returns"][number];

// =============================================================================================
// types
// =============================================================================================

/**
 * An announcement with the signed-in user's read state.
 *
 * @example
 * ```ts
 * const { data: a } = await client.announcements.create(groupId, { title: 'Rest day', body: 'No run today' })
 * a && `${a.title}: read by ${a.readCount}`
 * ```
 */
export interface Announcement {
  id: string;
  groupId: string;
  authorId: string;
  title: string;
  body: string;
  /** Pinned announcements come first. */
  pinned: boolean;
  /** After this it leaves the home screen (`mine`), but stays in the group's list. */
  expiresAt: string | null;
  /**
   * Active members who have read it (the author counts). Only the author (while a member) and
   * the group's owners and admins get it; `null` for everyone else.
   */
  readCount: number | null;
  createdAt: string;
  updatedAt: string;
  /** Whether the signed-in user has read it. */
  isRead: boolean;
  readAt: string | null;
}

/**
 * An announcement on the home screen (`announcements.mine`): with its group.
 *
 * @example
 * ```ts
 * const { data } = await client.announcements.mine({ unreadOnly: true })
 * data?.items.map((a) => `${a.group.name}: ${a.title}`)
 * ```
 */
export interface HomeAnnouncement extends Announcement {
  group: { id: string; name: string; avatarPath: string | null; memberCount: number };
}

// =============================================================================================
// schemas
// =============================================================================================

/**
 * A title: 1-200 characters after trimming.
 *
 * @example
 * ```ts
 * AnnouncementTitleSchema.parse('  Rest day ') // 'Rest day'
 * ```
 */
export const AnnouncementTitleSchema = textSchema({ min: 1, max: 200, label: "Title", trim: true });

/**
 * A body: up to 5000 characters (may be empty).
 *
 * @example
 * ```ts
 * AnnouncementBodySchema.safeParse('x'.repeat(5001)).success // false
 * ```
 */
export const AnnouncementBodySchema = textSchema({ max: 5000, label: "Body" });

const FutureDateTimeSchema = DateTimeSchema.check(
  z.refine((value: string) => Date.parse(value) > Date.now(), { message: "expiresAt must be in the future" }),
);

/**
 * A new announcement. `expiresAt` (in the future) takes it off the home screen then.
 *
 * @example
 * ```ts
 * const input = AnnouncementCreateSchema.parse({ title: 'Race week', body: 'Taper!', pinned: true })
 * ```
 */
export const AnnouncementCreateSchema = z.strictObject({
  title: AnnouncementTitleSchema,
  body: z.optional(AnnouncementBodySchema),
  pinned: z.optional(z.boolean()),
  expiresAt: z.optional(FutureDateTimeSchema),
});
/**
 * Input of `announcements.create`.
 *
 * @example
 * ```ts
 * const input: AnnouncementCreate = { title: 'Rest day', expiresAt: tomorrow }
 * ```
 */
export type AnnouncementCreate = z.input<typeof AnnouncementCreateSchema>;

/**
 * A change to an announcement (its author, or the group's owner and admins). `expiresAt: null`
 * makes it never expire.
 *
 * @example
 * ```ts
 * await client.announcements.update(id, AnnouncementUpdateSchema.parse({ pinned: false }))
 * ```
 */
export const AnnouncementUpdateSchema = z
  .strictObject({
    title: z.optional(AnnouncementTitleSchema),
    body: z.optional(AnnouncementBodySchema),
    pinned: z.optional(z.boolean()),
    expiresAt: z.optional(z.nullable(DateTimeSchema)),
  })
  .check(z.refine((patch) => Object.values(patch).some((v) => v !== undefined), { message: "Nothing to change" }));
/**
 * Input of `announcements.update`.
 *
 * @example
 * ```ts
 * const patch: AnnouncementUpdate = { title: 'Rest day (moved to Friday)' }
 * ```
 */
export type AnnouncementUpdate = z.input<typeof AnnouncementUpdateSchema>;

/**
 * Options of `announcements.list`: `cursor` and `limit` (default 20, at most 50 per page).
 *
 * @example
 * ```ts
 * await client.announcements.list(groupId, AnnouncementListOptionsSchema.parse({ limit: 5 }))
 * ```
 */
export const AnnouncementListOptionsSchema = ListOptionsSchema;
/**
 * Options of `announcements.list`.
 *
 * @example
 * ```ts
 * const options: AnnouncementListOptions = { cursor: page.nextCursor }
 * ```
 */
export type AnnouncementListOptions = z.input<typeof AnnouncementListOptionsSchema>;

/**
 * Options of `announcements.mine`: `unreadOnly`, `cursor`, `limit`.
 *
 * @example
 * ```ts
 * await client.announcements.mine(MyAnnouncementsOptionsSchema.parse({ unreadOnly: true }))
 * ```
 */
export const MyAnnouncementsOptionsSchema = z.extend(AnnouncementListOptionsSchema, {
  unreadOnly: z.optional(z.boolean()),
});
/**
 * Options of `announcements.mine`.
 *
 * @example
 * ```ts
 * const options: MyAnnouncementsOptions = { unreadOnly: true, limit: 5 }
 * ```
 */
export type MyAnnouncementsOptions = z.input<typeof MyAnnouncementsOptionsSchema>;

/**
 * Options of `announcements.markAllRead`: one group's, or (left out) all your groups'.
 *
 * @example
 * ```ts
 * await client.announcements.markAllRead({ groupId })
 * ```
 */
export const MarkAllAnnouncementsReadOptionsSchema = z.strictObject({ groupId: z.optional(UuidSchema) });
/**
 * Options of `announcements.markAllRead`.
 *
 * @example
 * ```ts
 * const options: MarkAllAnnouncementsReadOptions = { groupId }
 * ```
 */
export type MarkAllAnnouncementsReadOptions = z.input<typeof MarkAllAnnouncementsReadOptionsSchema>;

// =============================================================================================
// mapping
// =============================================================================================

type AnnouncementWithReads = AnnouncementRow & {
  reads?: ReadRow[] | ReadRow | null;
  stats?: StatsRow[] | StatsRow | null;
};

function toAnnouncement(row: AnnouncementWithReads): Announcement {
  const read = firstRow(row.reads ?? null);
  return {
    id: row.id,
    groupId: row.group_id,
    authorId: row.author_id,
    title: row.title,
    body: row.body,
    pinned: row.pinned,
    expiresAt: ts(row.expires_at),
    readCount: firstRow(row.stats ?? null)?.read_count ?? null,
    createdAt: normalizeTimestamp(row.created_at),
    updatedAt: normalizeTimestamp(row.updated_at),
    isRead: read !== null,
    readAt: ts(read?.read_at),
  };
}

function toListedAnnouncement(row: ListedAnnouncementRow): Announcement {
  return {
    id: row.id,
    groupId: row.group_id,
    authorId: row.author_id,
    title: row.title,
    body: row.body,
    pinned: row.pinned,
    expiresAt: ts(row.expires_at),
    readCount: row.read_count ?? null,
    createdAt: normalizeTimestamp(row.created_at),
    updatedAt: normalizeTimestamp(row.updated_at),
    isRead: row.is_read === true,
    readAt: ts(row.read_at),
  };
}

function toHomeAnnouncement(row: MyAnnouncementRow): HomeAnnouncement {
  return {
    id: row.id,
    groupId: row.group_id,
    authorId: row.author_id,
    title: row.title,
    body: row.body,
    pinned: row.pinned,
    expiresAt: ts(row.expires_at),
    readCount: row.read_count ?? null,
    createdAt: normalizeTimestamp(row.created_at),
    updatedAt: normalizeTimestamp(row.updated_at),
    isRead: row.is_read === true,
    readAt: ts(row.read_at),
    group: {
      id: row.group_id,
      name: row.group_name,
      avatarPath: row.group_avatar_path ?? null,
      memberCount: row.group_member_count,
    },
  };
}

const SELECT = "*, reads:announcement_reads(read_at), stats:announcement_stats(read_count)";

function announcementNotFound() {
  return notFound("announcement_not_found", "No such announcement");
}

async function loadAnnouncement(ctx: NamespaceContext, id: string): Promise<SupasocialResult<Announcement>> {
  const response = await ctx.social.from("announcements").select(SELECT).eq("id", id).maybeSingle();
  if (response.error) return failFrom(response);
  const row = firstRow(response.data as unknown as AnnouncementWithReads | null);
  return row ? ok(toAnnouncement(row)) : announcementNotFound();
}

// =============================================================================================
// the namespace
// =============================================================================================

/**
 * `client.announcements`: post, read and track a group's announcements.
 *
 * @example
 * ```ts
 * const social = createSupasocialClient(supabase)
 * const { data } = await social.announcements.mine({ unreadOnly: true })
 * ```
 */
export const announcementsNamespace = defineNamespace("announcements", (ctx) => ({
  /**
   * Post an announcement to a group's members (owners and admins); every other active member
   * gets an `announcement` notification. Error: `not_group_admin`.
   *
   * @example
   * ```ts
   * const { data, error } = await client.announcements.create(groupId, {
   *   title: 'Long run Saturday',
   *   body: '18 km at easy pace, meet at 8:00',
   *   pinned: true,
   * })
   * ```
   */
  create(groupId: string, input: AnnouncementCreate): Promise<SupasocialResult<Announcement>> {
    return settle(async () => {
      const group = parseInput(UuidSchema, groupId, "groupId");
      if (group.error) return group;
      const parsed = parseInput(AnnouncementCreateSchema, input, "input");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("create_announcement", {
        p_group_id: group.data,
        p_title: parsed.data.title,
        p_body: parsed.data.body,
        p_pinned: parsed.data.pinned,
        p_expires_at: parsed.data.expiresAt,
      });
      if (response.error) return failFrom(response);
      // read back with the author's read (a trigger marks it) and the read count, which the
      // author sees
      const row = firstRow(response.data as AnnouncementRow | AnnouncementRow[] | null);
      return row ? loadAnnouncement(ctx, row.id) : notFound("group_not_found", "No such group");
    });
  },

  /**
   * One announcement of a group you are an active member of (else `announcement_not_found`).
   *
   * @example
   * ```ts
   * const { data } = await client.announcements.get(id)
   * if (data && !data.isRead) await client.announcements.markRead(id)
   * ```
   */
  get(announcementId: string): Promise<SupasocialResult<Announcement>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, announcementId, "announcementId");
      if (id.error) return id;
      return loadAnnouncement(ctx, id.data);
    });
  },

  /**
   * A group's announcements (members only; expired ones included), pinned first, then newest.
   * The `readCount` tells the trainer how many have read each.
   *
   * @example
   * ```ts
   * const { data } = await client.announcements.list(groupId)
   * data?.items.map((a) => `${a.title} — read by ${a.readCount}`)
   * ```
   */
  list: scopedListMethod(
    async (groupId: string, options?: AnnouncementListOptions): Promise<SupasocialResult<Page<Announcement>>> => {
      const group = parseInput(UuidSchema, groupId, "groupId");
      if (group.error) return group;
      const parsed = parseInput(AnnouncementListOptionsSchema, options ?? {}, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("list_announcements", {
        p_group_id: group.data,
        p_cursor: parsed.data.cursor ?? undefined,
        p_limit: parsed.data.limit,
      });
      if (response.error) return failFrom(response);
      return ok(toPage(response.data, toListedAnnouncement));
    },
  ),

  /**
   * The home screen: unexpired announcements of all your groups, with the group, pinned first,
   * then newest. `unreadOnly` leaves out those you have read.
   *
   * @example
   * ```ts
   * const { data } = await client.announcements.mine({ unreadOnly: true })
   * badge(data?.items.length ?? 0)
   * ```
   */
  mine: listMethod(async (options?: MyAnnouncementsOptions): Promise<SupasocialResult<Page<HomeAnnouncement>>> => {
    const parsed = parseInput(MyAnnouncementsOptionsSchema, options ?? {}, "options");
    if (parsed.error) return parsed;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("my_announcements", {
      p_unread_only: parsed.data.unreadOnly ?? false,
      p_cursor: parsed.data.cursor ?? undefined,
      p_limit: parsed.data.limit,
    });
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, toHomeAnnouncement));
  }),

  /**
   * Edit an announcement (its author while a member, or the group's owner and admins of a higher
   * rank than the author) and return it. Errors: `permission_denied` (`not_allowed`),
   * `announcement_not_found`.
   *
   * @example
   * ```ts
   * await client.announcements.update(id, { pinned: false })
   * ```
   */
  update(announcementId: string, patch: AnnouncementUpdate): Promise<SupasocialResult<Announcement>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, announcementId, "announcementId");
      if (id.error) return id;
      const parsed = parseInput(AnnouncementUpdateSchema, patch, "patch");
      if (parsed.error) return parsed;
      const { title, body, pinned, expiresAt } = parsed.data;
      const response = await ctx.social
        .from("announcements")
        .update(defined({ title, body, pinned, expires_at: expiresAt }))
        .eq("id", id.data)
        .select("id");
      if (response.error) return failFrom(response);
      const existing = await loadAnnouncement(ctx, id.data);
      if (existing.error || firstRow(response.data)) return existing;
      return forbidden(
        "not_allowed",
        "Only the author and the group's owner and admins of a higher rank edit an announcement",
      );
    });
  },

  /**
   * Delete an announcement (its author while a member, or the group's owner and admins of a higher
   * rank than the author).
   *
   * @example
   * ```ts
   * const { error } = await client.announcements.delete(id)
   * ```
   */
  delete(announcementId: string): Promise<SupasocialResult<null>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, announcementId, "announcementId");
      if (id.error) return id;
      const response = await ctx.social.from("announcements").delete().eq("id", id.data).select("id");
      if (response.error) return failFrom(response);
      if (firstRow(response.data)) return ok(null);
      const existing = await loadAnnouncement(ctx, id.data);
      if (existing.error) return existing;
      return forbidden(
        "not_allowed",
        "Only the author and the group's owner and admins of a higher rank delete an announcement",
      );
    });
  },

  /**
   * Mark an announcement read. `data` is whether it was unread. Idempotent.
   *
   * @example
   * ```ts
   * await client.announcements.markRead(announcement.id)
   * ```
   */
  markRead(announcementId: string): Promise<SupasocialResult<boolean>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, announcementId, "announcementId");
      if (id.error) return id;
      const response = await ctx.social.rpc("mark_announcement_read", { p_announcement_id: id.data });
      if (response.error) return failFrom(response);
      return ok(response.data === true);
    });
  },

  /**
   * Mark every unexpired announcement of one group (or of all your groups) read. `data` is
   * how many were unread.
   *
   * @example
   * ```ts
   * const { data: marked } = await client.announcements.markAllRead()
   * ```
   */
  markAllRead(options: MarkAllAnnouncementsReadOptions = {}): Promise<SupasocialResult<number>> {
    return settle(async () => {
      const parsed = parseInput(MarkAllAnnouncementsReadOptionsSchema, options, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("mark_all_announcements_read", { p_group_id: parsed.data.groupId });
      if (response.error) return failFrom(response);
      return ok(typeof response.data === "number" ? response.data : 0);
    });
  },
}));
