/**
 * `client.moderation`: reports from anyone signed in, a group's report queue and moderation log
 * for its staff, and staff actions with a reason (remove a post or comment, remove, ban or unban
 * a member), each recorded in the append-only log. The platform queue (reports on profiles,
 * groups and posts outside groups) is for `service_role`: a client made with the secret key on
 * a server uses the same calls without a `groupId`.
 */
import * as z from "zod/mini";
import { Constants, type Database, type Json } from "../database.types.ts";
import { defineNamespace, type NamespaceContext } from "../namespace.ts";
import { listMethod, type Page, scopedListMethod, toPage } from "../pagination.ts";
import { failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import {
  CursorSchema,
  LimitSchema,
  type ListOptions,
  ListOptionsSchema,
  parseInput,
  textSchema,
  UuidSchema,
} from "../validation.ts";
import { notFound, type ProfileSummary, single, toObject, toProfileSummary, ts } from "./shared.ts";

type Social = Database["social"];
type ReportRow = Social["Tables"]["reports"]["Row"];
type QueueRow = Social["Functions"]["list_reports"]["Returns"][number];
type MyReportRow = Social["Functions"]["my_reports"]["Returns"][number];
type LogRow = Social["Functions"]["list_moderation_log"]["Returns"][number];

// =============================================================================================
// types
// =============================================================================================

/**
 * What a report is about: `post`, `comment`, `profile` or `group`.
 *
 * @example
 * ```ts
 * const target: ReportTarget = 'comment'
 * ```
 */
export type ReportTarget = Social["Enums"]["report_target"];

/**
 * Why: `spam`, `harassment`, `hate`, `violence`, `nudity`, `misinformation`, `self_harm`, `other`.
 *
 * @example
 * ```ts
 * const reason: ReportReason = 'spam'
 * ```
 */
export type ReportReason = Social["Enums"]["report_reason"];

/**
 * `open`, `resolved` or `dismissed`.
 *
 * @example
 * ```ts
 * const status: ReportStatus = 'open'
 * ```
 */
export type ReportStatus = Social["Enums"]["report_status"];

/**
 * The action taken on a closed report: `none` (dismissed), `content_removed`,
 * `member_removed`, `member_banned`, `warned`, `other`.
 *
 * @example
 * ```ts
 * const resolution: ReportResolution = 'content_removed'
 * ```
 */
export type ReportResolution = Social["Enums"]["report_resolution"];

/**
 * What the moderation log records: `post_removed`, `comment_removed`, `member_banned`,
 * `member_unbanned`, `member_removed`, `role_changed`, `report_resolved`, `report_dismissed`.
 *
 * @example
 * ```ts
 * const action: ModerationAction = 'post_removed'
 * ```
 */
export type ModerationAction = Social["Enums"]["moderation_action"];

/**
 * A report. `targetSnapshot` is the content as it was when reported.
 *
 * @example
 * ```ts
 * const { data: report } = await client.moderation.report({ targetType: 'post', targetId, reason: 'spam' })
 * report?.status // 'open'
 * ```
 */
export interface Report {
  id: string;
  reporterId: string | null;
  targetType: ReportTarget;
  targetId: string;
  /** The group whose staff handle it; null for the platform queue. */
  groupId: string | null;
  /** Whom it is about: the author, the profile, the group's owner. */
  targetUserId: string | null;
  targetSnapshot: { [key: string]: Json | undefined };
  reason: ReportReason;
  note: string | null;
  status: ReportStatus;
  resolution: ReportResolution | null;
  resolutionNote: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  createdAt: string;
}

/**
 * A report in a queue (`moderation.reports`), with who reported it and whom it is about.
 *
 * @example
 * ```ts
 * const { data } = await client.moderation.reports(groupId)
 * data?.items.map((r) => `${r.reporter?.handle} reported ${r.targetUser?.handle}: ${r.reason}`)
 * ```
 */
export interface QueuedReport extends Report {
  reporter: ProfileSummary | null;
  targetUser: ProfileSummary | null;
}

/**
 * One of your own reports (`moderation.myReports`) and what became of it.
 *
 * @example
 * ```ts
 * const { data } = await client.moderation.myReports()
 * data?.items.map((r) => `${r.targetType}: ${r.status}`)
 * ```
 */
export interface MyReport {
  id: string;
  targetType: ReportTarget;
  targetId: string;
  targetSnapshot: { [key: string]: Json | undefined };
  reason: ReportReason;
  note: string | null;
  status: ReportStatus;
  resolution: ReportResolution | null;
  resolutionNote: string | null;
  resolvedAt: string | null;
  createdAt: string;
}

/**
 * One entry of the moderation log.
 *
 * @example
 * ```ts
 * const { data } = await client.moderation.log(groupId)
 * data?.items.map((e) => `${e.actor?.handle} ${e.action} ${e.targetUser?.handle}: ${e.reason ?? ''}`)
 * ```
 */
export interface ModerationLogEntry {
  id: string;
  /** Who acted; null = the platform. */
  actorId: string | null;
  groupId: string | null;
  action: ModerationAction;
  targetType: Social["Enums"]["moderation_target"];
  targetId: string;
  targetUserId: string | null;
  reason: string | null;
  metadata: { [key: string]: Json | undefined };
  createdAt: string;
  actor: ProfileSummary | null;
  targetUser: ProfileSummary | null;
}

// =============================================================================================
// schemas
// =============================================================================================

/**
 * A report target type.
 *
 * @example
 * ```ts
 * ReportTargetSchema.parse('profile')
 * ```
 */
export const ReportTargetSchema = z.enum(Constants.social.Enums.report_target);

/**
 * A report reason.
 *
 * @example
 * ```ts
 * ReportReasonSchema.options.map((reason) => <option key={reason}>{reason}</option>)
 * ```
 */
export const ReportReasonSchema = z.enum(Constants.social.Enums.report_reason);

/**
 * A report status.
 *
 * @example
 * ```ts
 * ReportStatusSchema.parse('dismissed')
 * ```
 */
export const ReportStatusSchema = z.enum(Constants.social.Enums.report_status);

/**
 * A report resolution.
 *
 * @example
 * ```ts
 * ReportResolutionSchema.parse('warned')
 * ```
 */
export const ReportResolutionSchema = z.enum(Constants.social.Enums.report_resolution);

/** A note or a reason: up to 1000 characters, trimmed; empty becomes none. */
const NoteSchema = z.pipe(
  textSchema({ max: 1000, label: "Note", trim: true }),
  z.transform((v: string) => (v === "" ? undefined : v)),
);

/**
 * A report: what (`targetType`, `targetId`), why (`reason`) and an optional `note`.
 *
 * @example
 * ```ts
 * const form = ReportInputSchema.safeParse({ targetType: 'comment', targetId, reason: 'harassment', note })
 * if (form.success) await client.moderation.report(form.data)
 * ```
 */
export const ReportInputSchema = z.strictObject({
  targetType: ReportTargetSchema,
  targetId: UuidSchema,
  reason: ReportReasonSchema,
  note: z.optional(NoteSchema),
});
/**
 * Input of `moderation.report`.
 *
 * @example
 * ```ts
 * const input: ReportInput = { targetType: 'post', targetId: post.id, reason: 'spam' }
 * ```
 */
export type ReportInput = z.input<typeof ReportInputSchema>;

/**
 * How to close a report: `resolved` with the `resolution` (the action taken, not `none`), or
 * `dismissed`; an optional `note` the reporter sees.
 *
 * @example
 * ```ts
 * ResolveReportSchema.parse({ status: 'resolved', resolution: 'content_removed', note: 'Removed' })
 * ```
 */
export const ResolveReportSchema = z
  .strictObject({
    status: z.enum(["resolved", "dismissed"], { error: "Close a report as resolved or dismissed" }),
    resolution: z.optional(ReportResolutionSchema),
    note: z.optional(NoteSchema),
  })
  .check(
    z.superRefine((input, ctx) => {
      if (input.status === "resolved" && (input.resolution === undefined || input.resolution === "none")) {
        ctx.addIssue({ code: "custom", message: "Say which action was taken", path: ["resolution"] });
      }
      if (input.status === "dismissed" && input.resolution !== undefined && input.resolution !== "none") {
        ctx.addIssue({ code: "custom", message: "A dismissed report has no action", path: ["resolution"] });
      }
    }),
  );
/**
 * Input of `moderation.resolve`.
 *
 * @example
 * ```ts
 * const input: ResolveReport = { status: 'dismissed', note: 'Not against the rules' }
 * ```
 */
export type ResolveReport = z.input<typeof ResolveReportSchema>;

/**
 * Options of `moderation.reports`: `status` (default `open`; `all` for every status), `cursor`,
 * `limit` (default 20, at most 50 per page).
 *
 * @example
 * ```ts
 * await client.moderation.reports(groupId, ReportQueueOptionsSchema.parse({ status: 'all' }))
 * ```
 */
export const ReportQueueOptionsSchema = z.strictObject({
  status: z.optional(z.union([ReportStatusSchema, z.literal("all")])),
  cursor: z.nullish(CursorSchema),
  limit: z.optional(LimitSchema),
});
/**
 * Options of `moderation.reports`.
 *
 * @example
 * ```ts
 * const options: ReportQueueOptions = { status: 'resolved', limit: 50 }
 * ```
 */
export type ReportQueueOptions = z.input<typeof ReportQueueOptionsSchema>;

/**
 * Options of a staff action: an optional `reason` (up to 1000 characters) for the log.
 *
 * @example
 * ```ts
 * await client.moderation.removePost(postId, ModerationReasonSchema.parse({ reason: 'Spam link' }))
 * ```
 */
export const ModerationReasonSchema = z.strictObject({ reason: z.optional(NoteSchema) });
/**
 * Options of a staff action.
 *
 * @example
 * ```ts
 * const options: ModerationReason = { reason: 'Harassment in comments' }
 * ```
 */
export type ModerationReason = z.input<typeof ModerationReasonSchema>;

// =============================================================================================
// mapping
// =============================================================================================

function toReport(row: ReportRow): Report {
  return {
    id: row.id,
    reporterId: row.reporter_id,
    targetType: row.target_type,
    targetId: row.target_id,
    groupId: row.group_id,
    targetUserId: row.target_user_id,
    targetSnapshot: toObject(row.target_snapshot),
    reason: row.reason,
    note: row.note,
    status: row.status,
    resolution: row.resolution,
    resolutionNote: row.resolution_note,
    resolvedBy: row.resolved_by,
    resolvedAt: ts(row.resolved_at),
    createdAt: normalizeTimestamp(row.created_at),
  };
}

function toQueuedReport(row: QueueRow): QueuedReport {
  return {
    id: row.id,
    reporterId: row.reporter_id ?? null,
    targetType: row.target_type,
    targetId: row.target_id,
    groupId: row.group_id ?? null,
    targetUserId: row.target_user_id ?? null,
    targetSnapshot: toObject(row.target_snapshot),
    reason: row.reason,
    note: row.note ?? null,
    status: row.status,
    resolution: row.resolution ?? null,
    resolutionNote: row.resolution_note ?? null,
    resolvedBy: row.resolved_by ?? null,
    resolvedAt: ts(row.resolved_at),
    createdAt: normalizeTimestamp(row.created_at),
    reporter: toProfileSummary(row.reporter),
    targetUser: toProfileSummary(row.target_user),
  };
}

function toMyReport(row: MyReportRow): MyReport {
  return {
    id: row.id,
    targetType: row.target_type,
    targetId: row.target_id,
    targetSnapshot: toObject(row.target_snapshot),
    reason: row.reason,
    note: row.note ?? null,
    status: row.status,
    resolution: row.resolution ?? null,
    resolutionNote: row.resolution_note ?? null,
    resolvedAt: ts(row.resolved_at),
    createdAt: normalizeTimestamp(row.created_at),
  };
}

function toLogEntry(row: LogRow): ModerationLogEntry {
  return {
    id: row.id,
    actorId: row.actor_id ?? null,
    groupId: row.group_id ?? null,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    targetUserId: row.target_user_id ?? null,
    reason: row.reason ?? null,
    metadata: toObject(row.metadata),
    createdAt: normalizeTimestamp(row.created_at),
    actor: toProfileSummary(row.actor),
    targetUser: toProfileSummary(row.target_user),
  };
}

/** A staff action on a member with a reason (`moderate_member`). */
async function moderateMember(
  ctx: NamespaceContext,
  groupId: string,
  userId: string,
  action: "remove" | "ban" | "unban",
  options: ModerationReason,
): Promise<SupasocialResult<boolean>> {
  const group = parseInput(UuidSchema, groupId, "groupId");
  if (group.error) return group;
  const user = parseInput(UuidSchema, userId, "userId");
  if (user.error) return user;
  const parsed = parseInput(ModerationReasonSchema, options, "options");
  if (parsed.error) return parsed;
  const response = await ctx.social.rpc("moderate_member", {
    p_group_id: group.data,
    p_user_id: user.data,
    p_action: action,
    p_reason: parsed.data.reason,
  });
  return response.error ? failFrom(response) : ok(response.data === true);
}

/** `undefined` for the platform queue (service_role), else a validated group id. */
function parseGroup(groupId: string | null | undefined) {
  if (groupId === null || groupId === undefined) return ok(undefined);
  return parseInput(UuidSchema, groupId, "groupId");
}

// =============================================================================================
// the namespace
// =============================================================================================

/**
 * `client.moderation`: report, triage, act, audit.
 *
 * @example
 * ```ts
 * const social = createSupasocialClient(supabase)
 * await social.moderation.report({ targetType: 'post', targetId: postId, reason: 'spam' })
 * ```
 */
export const moderationNamespace = defineNamespace("moderation", (ctx) => ({
  /**
   * Report a post, comment, profile or group you can see. Reporting the same target again
   * while your report is open returns that report. Reports on posts and comments in a group go
   * to its staff; the rest to the platform. Errors: `target_not_found`, `invalid_target`
   * (yourself or your own content), `rate_limited`.
   *
   * @example
   * ```ts
   * const { data: report, error } = await client.moderation.report({
   *   targetType: 'comment',
   *   targetId: comment.id,
   *   reason: 'harassment',
   *   note: 'Insults in every reply',
   * })
   * ```
   */
  report(input: ReportInput): Promise<SupasocialResult<Report>> {
    return settle(async () => {
      const parsed = parseInput(ReportInputSchema, input, "input");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("report", {
        p_target_type: parsed.data.targetType,
        p_target_id: parsed.data.targetId,
        p_reason: parsed.data.reason,
        p_note: parsed.data.note,
      });
      return single(response, toReport, () => notFound("target_not_found", "Nothing to report there"));
    });
  },

  /**
   * Close a report: `resolved` with the action taken, or `dismissed` (staff of the report's
   * group; never a report about yourself). Retrying the same close returns the report. Errors:
   * `report_not_found`, `not_allowed`, `own_report`, `report_closed`.
   *
   * @example
   * ```ts
   * await client.moderation.resolve(report.id, { status: 'resolved', resolution: 'warned', note: 'Talked to them' })
   * ```
   */
  resolve(reportId: string, input: ResolveReport): Promise<SupasocialResult<Report>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, reportId, "reportId");
      if (id.error) return id;
      const parsed = parseInput(ResolveReportSchema, input, "input");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("resolve_report", {
        p_report_id: id.data,
        p_status: parsed.data.status,
        p_resolution: parsed.data.resolution,
        p_note: parsed.data.note,
      });
      return single(response, toReport, () => notFound("report_not_found", "No such report"));
    });
  },

  /**
   * A group's report queue for its staff, newest first (`groupId` null: the platform queue,
   * `service_role` only). Errors: `not_group_staff`, `not_allowed`.
   *
   * @example
   * ```ts
   * const { data } = await client.moderation.reports(groupId, { status: 'open' })
   * ```
   */
  reports: scopedListMethod(
    async (groupId: string | null, options?: ReportQueueOptions): Promise<SupasocialResult<Page<QueuedReport>>> => {
      const group = parseGroup(groupId);
      if (group.error) return group;
      const parsed = parseInput(ReportQueueOptionsSchema, options ?? {}, "options");
      if (parsed.error) return parsed;
      const status = parsed.data.status ?? "open";
      const response = await ctx.social.rpc("list_reports", {
        p_group_id: group.data,
        // null lists every status: sent explicitly, since leaving it out means `open`
        p_status: (status === "all" ? null : status) as ReportStatus,
        p_cursor: parsed.data.cursor ?? undefined,
        p_limit: parsed.data.limit,
      });
      if (response.error) return failFrom(response);
      return ok(toPage(response.data, toQueuedReport));
    },
  ),

  /**
   * Your own reports and what became of them, newest first.
   *
   * @example
   * ```ts
   * const { data } = await client.moderation.myReports()
   * ```
   */
  myReports: listMethod(async (options?: ListOptions): Promise<SupasocialResult<Page<MyReport>>> => {
    const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
    if (parsed.error) return parsed;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("my_reports", {
      p_cursor: parsed.data.cursor ?? undefined,
      p_limit: parsed.data.limit,
    });
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, toMyReport));
  }),

  /**
   * A group's moderation log for its staff, newest first (`groupId` null: the platform's,
   * `service_role` only). Error: `not_group_staff`.
   *
   * @example
   * ```ts
   * const { data } = await client.moderation.log(groupId)
   * ```
   */
  log: scopedListMethod(
    async (groupId: string | null, options?: ListOptions): Promise<SupasocialResult<Page<ModerationLogEntry>>> => {
      const group = parseGroup(groupId);
      if (group.error) return group;
      const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("list_moderation_log", {
        p_group_id: group.data,
        p_cursor: parsed.data.cursor ?? undefined,
        p_limit: parsed.data.limit,
      });
      if (response.error) return failFrom(response);
      return ok(toPage(response.data, toLogEntry));
    },
  ),

  /**
   * Remove a post as staff of its group, with a reason for the log; its open reports are
   * resolved (`content_removed`). It disappears from every feed. Idempotent.
   *
   * @example
   * ```ts
   * await client.moderation.removePost(post.id, { reason: 'Off-topic advertising' })
   * ```
   */
  removePost(postId: string, options: ModerationReason = {}): Promise<SupasocialResult<null>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, postId, "postId");
      if (id.error) return id;
      const parsed = parseInput(ModerationReasonSchema, options, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("moderate_post", { p_post_id: id.data, p_reason: parsed.data.reason });
      return response.error ? failFrom(response) : ok(null);
    });
  },

  /**
   * Remove a comment (and a top-level comment's replies) as staff of the post's group, with a
   * reason. Idempotent.
   *
   * @example
   * ```ts
   * await client.moderation.removeComment(comment.id, { reason: 'Harassment' })
   * ```
   */
  removeComment(commentId: string, options: ModerationReason = {}): Promise<SupasocialResult<null>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, commentId, "commentId");
      if (id.error) return id;
      const parsed = parseInput(ModerationReasonSchema, options, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("moderate_comment", {
        p_comment_id: id.data,
        p_reason: parsed.data.reason,
      });
      return response.error ? failFrom(response) : ok(null);
    });
  },

  /**
   * Remove a member of a lower rank from the group, with a reason. `data` is whether they were
   * in it.
   *
   * @example
   * ```ts
   * await client.moderation.removeMember(groupId, userId, { reason: 'Inactive for a year' })
   * ```
   */
  removeMember(groupId: string, userId: string, options: ModerationReason = {}): Promise<SupasocialResult<boolean>> {
    return settle(() => moderateMember(ctx, groupId, userId, "remove", options));
  },

  /**
   * Ban a user of a lower rank from the group, with a reason. `data` is true.
   *
   * @example
   * ```ts
   * await client.moderation.banMember(groupId, userId, { reason: 'Spam after warnings' })
   * ```
   */
  banMember(groupId: string, userId: string, options: ModerationReason = {}): Promise<SupasocialResult<boolean>> {
    return settle(() => moderateMember(ctx, groupId, userId, "ban", options));
  },

  /**
   * Lift a ban, with a reason. `data` is whether there was one.
   *
   * @example
   * ```ts
   * await client.moderation.unbanMember(groupId, userId, { reason: 'Appeal accepted' })
   * ```
   */
  unbanMember(groupId: string, userId: string, options: ModerationReason = {}): Promise<SupasocialResult<boolean>> {
    return settle(() => moderateMember(ctx, groupId, userId, "unban", options));
  },
}));
