/**
 * `client.groups`: clubs, coaching groups (a trainer and their trainees) and general groups;
 * joining (open, by request, by invite, by link), invites, member lists, staff actions and
 * ownership. Lists are newest first and follow the one page contract (`pagination.ts`).
 */
import * as z from "zod/mini";
import { Constants, type Database } from "../database.types.ts";
import { defineNamespace, type NamespaceContext } from "../namespace.ts";
import { listMethod, type Page, type PageOptions, scopedListMethod, toPage } from "../pagination.ts";
import { failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { DateTimeSchema, ListOptionsSchema, parseInput, textSchema, UuidSchema } from "../validation.ts";
import { type ProfileCard, toProfileCard } from "./profiles.ts";
import { defined, firstRow, forbidden, jsonRow, notFound, single, ts } from "./shared.ts";

type Social = Database["social"];
type GroupRow = Social["Tables"]["groups"]["Row"];
type MemberRow = Social["Tables"]["group_members"]["Row"];
type InviteRow = Social["Tables"]["group_invites"]["Row"];
type ProfileRow = Social["Tables"]["profiles"]["Row"];

// =============================================================================================
// types
// =============================================================================================

/**
 * `club`, `coaching` (the owner is the trainer, members are trainees; always invite-only and
 * members-only) or `general`. Fixed at creation.
 *
 * @example
 * ```ts
 * const kind: GroupKind = 'coaching'
 * ```
 */
export type GroupKind = Social["Enums"]["group_kind"];

/**
 * `public` (listed; content readable by everyone signed in, except coaching groups),
 * `private` (listed; content for members) or `secret` (visible to members and invitees only).
 *
 * @example
 * ```ts
 * const visibility: GroupVisibility = 'private'
 * ```
 */
export type GroupVisibility = Social["Enums"]["group_visibility"];

/**
 * `open` (join at once), `request` (staff approve) or `invite` (invites and links only).
 *
 * @example
 * ```ts
 * const policy: GroupJoinPolicy = 'request'
 * ```
 */
export type GroupJoinPolicy = Social["Enums"]["group_join_policy"];

/**
 * `owner` > `admin` > `moderator` > `member`.
 *
 * @example
 * ```ts
 * const isStaff = (role: GroupRole) => role !== 'member'
 * ```
 */
export type GroupRole = Social["Enums"]["group_role"];

/**
 * `active` (a member), `pending` (asked to join) or `banned`.
 *
 * @example
 * ```ts
 * const status: MemberStatus = 'pending'
 * ```
 */
export type MemberStatus = Social["Enums"]["member_status"];

/**
 * A group.
 *
 * @example
 * ```ts
 * const { data: group } = await client.groups.create({ name: 'Morning runners', kind: 'club' })
 * group && `${group.name} · ${group.memberCount} members`
 * ```
 */
export interface Group {
  id: string;
  kind: GroupKind;
  name: string;
  description: string | null;
  city: string | null;
  /** Lower-case, distinct. */
  tags: string[];
  /** The cover's path in the public `social-avatars` bucket (`media.publicUrl`); null for none. */
  avatarPath: string | null;
  visibility: GroupVisibility;
  joinPolicy: GroupJoinPolicy;
  /** Premium tier a member needs, or null. */
  requiredTier: string | null;
  ownerId: string;
  /** Active members. */
  memberCount: number;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
}

/**
 * A user's membership of a group: active, a pending request, or a ban.
 *
 * @example
 * ```ts
 * const { data: m } = await client.groups.join(groupId)
 * m?.status === 'pending' ? showRequested() : openGroup()
 * ```
 */
export interface GroupMembership {
  groupId: string;
  userId: string;
  role: GroupRole;
  status: MemberStatus;
  /** Who invited them, when they came in by an invite. */
  invitedBy: string | null;
  /** When the membership became active; null while pending or banned. */
  joinedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * A group with the signed-in user's membership (null when they have none).
 *
 * @example
 * ```ts
 * const { data } = await client.groups.get(groupId)
 * if (data?.membership?.role === 'owner') showSettings()
 * ```
 */
export interface GroupWithMembership extends Group {
  membership: GroupMembership | null;
}

/**
 * One row of `groups.members`: the member's card and membership.
 *
 * @example
 * ```ts
 * data.items.map((m) => `${m.user.displayName} (${m.role})`)
 * ```
 */
export interface GroupMember {
  user: ProfileCard;
  role: GroupRole;
  status: MemberStatus;
  invitedBy: string | null;
  joinedAt: string | null;
  createdAt: string;
}

/**
 * An invite: addressed to a user (`inviteeId`), or a shareable link (`token`).
 *
 * @example
 * ```ts
 * const { data: link } = await client.groups.createInviteLink(groupId, { maxUses: 20 })
 * share(`https://app.example/join/${link?.token}`)
 * ```
 */
export interface GroupInvite {
  id: string;
  groupId: string;
  inviterId: string;
  /** The invited user; null for a link. */
  inviteeId: string | null;
  /** The link's token; null for an invite addressed to a user. */
  token: string | null;
  expiresAt: string | null;
  /** A link's maximum number of uses, or null for no limit. */
  maxUses: number | null;
  /** Users who joined through this link. */
  useCount: number;
  revokedAt: string | null;
  acceptedAt: string | null;
  declinedAt: string | null;
  createdAt: string;
}

/**
 * An open invite addressed to the signed-in user, with the group and the inviter.
 *
 * @example
 * ```ts
 * const { data } = await client.groups.myInvites()
 * data?.items.map((i) => `${i.inviter?.displayName} invited you to ${i.group?.name}`)
 * ```
 */
export interface ReceivedGroupInvite extends GroupInvite {
  group: Group | null;
  inviter: ProfileCard | null;
}

/**
 * What an invite link leads to, for a landing screen before joining.
 *
 * @example
 * ```ts
 * const { data: preview } = await client.groups.previewInvite(token)
 * preview && `Join ${preview.name} (${preview.memberCount} members)`
 * ```
 */
export interface GroupInvitePreview {
  groupId: string;
  name: string;
  description: string | null;
  avatarPath: string | null;
  kind: GroupKind;
  visibility: GroupVisibility;
  memberCount: number;
  expiresAt: string | null;
}

// =============================================================================================
// schemas
// =============================================================================================

/**
 * `club`, `coaching` or `general`.
 *
 * @example
 * ```ts
 * GroupKindSchema.options // ['club', 'coaching', 'general']
 * ```
 */
export const GroupKindSchema = z.enum(Constants.social.Enums.group_kind);

/**
 * `public`, `private` or `secret`.
 *
 * @example
 * ```ts
 * GroupVisibilitySchema.parse('secret')
 * ```
 */
export const GroupVisibilitySchema = z.enum(Constants.social.Enums.group_visibility);

/**
 * `open`, `request` or `invite`.
 *
 * @example
 * ```ts
 * GroupJoinPolicySchema.parse('request')
 * ```
 */
export const GroupJoinPolicySchema = z.enum(Constants.social.Enums.group_join_policy);

/**
 * `active`, `pending` or `banned`.
 *
 * @example
 * ```ts
 * MemberStatusSchema.parse('pending')
 * ```
 */
export const MemberStatusSchema = z.enum(Constants.social.Enums.member_status);

/**
 * A role `setRole` can give: `admin`, `moderator` or `member` (ownership moves with
 * `transferOwnership`).
 *
 * @example
 * ```ts
 * AssignableGroupRoleSchema.safeParse('owner').success // false
 * ```
 */
export const AssignableGroupRoleSchema = z.enum(["admin", "moderator", "member"], {
  error: "A role is admin, moderator or member (ownership moves with transferOwnership)",
});
/**
 * A role `setRole` can give.
 *
 * @example
 * ```ts
 * const role: AssignableGroupRole = 'moderator'
 * ```
 */
export type AssignableGroupRole = z.infer<typeof AssignableGroupRoleSchema>;

/**
 * A group name: 2-80 characters after trimming.
 *
 * @example
 * ```ts
 * GroupNameSchema.parse('  Morning runners ') // 'Morning runners'
 * ```
 */
export const GroupNameSchema = textSchema({ min: 2, max: 80, label: "Group name", trim: true });

/**
 * Up to 20 tags of 1-40 characters (stored lower-case and distinct).
 *
 * @example
 * ```ts
 * GroupTagsSchema.parse(['running', 'Lisbon'])
 * ```
 */
export const GroupTagsSchema = z
  .array(textSchema({ min: 1, max: 40, label: "A tag", trim: true }))
  .check(z.maxLength(20, "At most 20 tags"));

/** Empty text (after trimming) clears the field. */
const optionalText = (max: number, label: string) =>
  z.nullable(
    z.pipe(
      textSchema({ max, label, trim: true }),
      z.transform((value: string) => (value === "" ? null : value)),
    ),
  );

const groupFields = {
  description: z.optional(optionalText(2000, "Description")),
  city: z.optional(optionalText(100, "City")),
  tags: z.optional(GroupTagsSchema),
  avatarMediaId: z.optional(z.nullable(UuidSchema)),
  visibility: z.optional(GroupVisibilitySchema),
  joinPolicy: z.optional(GroupJoinPolicySchema),
  requiredTier: z.optional(z.nullable(textSchema({ min: 1, max: 64, label: "Required tier", trim: true }))),
};

/**
 * A new group. `kind` defaults to `general`; coaching groups are invite-only and, unless told
 * otherwise, private. Unknown fields are rejected.
 *
 * @example
 * ```ts
 * const form = GroupCreateSchema.safeParse({ name: 'Ana’s trainees', kind: 'coaching' })
 * if (form.success) await client.groups.create(form.data)
 * ```
 */
export const GroupCreateSchema = z
  .strictObject({ name: GroupNameSchema, kind: z.optional(GroupKindSchema), ...groupFields })
  .check(
    z.refine((group) => group.kind !== "coaching" || group.joinPolicy === undefined || group.joinPolicy === "invite", {
      message: "Coaching groups are joined by invite only",
      path: ["joinPolicy"],
    }),
  );
/**
 * Input of `groups.create`.
 *
 * @example
 * ```ts
 * const input: GroupCreate = { name: 'Trail club', kind: 'club', city: 'Porto', tags: ['trail'] }
 * ```
 */
export type GroupCreate = z.input<typeof GroupCreateSchema>;

/**
 * A change to a group (owners and admins). Every field is optional, `null` clears a nullable
 * one; the kind never changes.
 *
 * @example
 * ```ts
 * await client.groups.update(groupId, GroupUpdateSchema.parse({ description: 'Sundays 8am' }))
 * ```
 */
export const GroupUpdateSchema = z
  .strictObject({ name: z.optional(GroupNameSchema), ...groupFields })
  .check(z.refine((patch) => Object.values(patch).some((v) => v !== undefined), { message: "Nothing to change" }));
/**
 * Input of `groups.update`.
 *
 * @example
 * ```ts
 * const patch: GroupUpdate = { visibility: 'secret' }
 * ```
 */
export type GroupUpdate = z.input<typeof GroupUpdateSchema>;

/**
 * Options of `groups.list`: filters (`city`, `tag`, `kind`, `query` on the name) and paging.
 *
 * @example
 * ```ts
 * await client.groups.list(GroupListOptionsSchema.parse({ city: 'Lisbon', kind: 'club' }))
 * ```
 */
export const GroupListOptionsSchema = z.extend(ListOptionsSchema, {
  city: z.optional(z.string().check(z.maxLength(100))),
  tag: z.optional(z.string().check(z.maxLength(40))),
  kind: z.optional(GroupKindSchema),
  query: z.optional(z.string().check(z.maxLength(80))),
});
/**
 * Options of `groups.list`.
 *
 * @example
 * ```ts
 * const options: GroupListOptions = { tag: 'running', limit: 10 }
 * ```
 */
export type GroupListOptions = z.input<typeof GroupListOptionsSchema>;

/**
 * Options of `groups.members`: `status` (default `active`; staff also see `pending` and
 * `banned`) and paging.
 *
 * @example
 * ```ts
 * await client.groups.members(groupId, { status: 'pending' })
 * ```
 */
export const GroupMemberListOptionsSchema = z.extend(ListOptionsSchema, { status: z.optional(MemberStatusSchema) });
/**
 * Options of `groups.members`.
 *
 * @example
 * ```ts
 * const options: GroupMemberListOptions = { status: 'banned', limit: 50 }
 * ```
 */
export type GroupMemberListOptions = z.input<typeof GroupMemberListOptionsSchema>;

/**
 * An invite link's token: 16-128 URL-safe characters.
 *
 * @example
 * ```ts
 * InviteTokenSchema.safeParse(new URL(link).pathname.split('/').pop()).success
 * ```
 */
export const InviteTokenSchema = z
  .string({ error: "An invite token is a string" })
  .check(z.regex(/^[A-Za-z0-9_-]{16,128}$/, "An invite token is 16-128 URL-safe characters"));

/**
 * Options of `groups.invite`: `expiresAt` (default 30 days, at most a year ahead).
 *
 * @example
 * ```ts
 * await client.groups.invite(groupId, userId, { expiresAt: new Date(Date.now() + 7 * 86_400_000) })
 * ```
 */
export const GroupInviteOptionsSchema = z.strictObject({ expiresAt: z.optional(DateTimeSchema) });
/**
 * Options of `groups.invite`.
 *
 * @example
 * ```ts
 * const options: GroupInviteOptions = { expiresAt: '2026-12-31T23:59:59Z' }
 * ```
 */
export type GroupInviteOptions = z.input<typeof GroupInviteOptionsSchema>;

/**
 * Options of `groups.createInviteLink`: `expiresAt` (default 7 days, at most a year ahead) and
 * `maxUses` (1-100000; default unlimited).
 *
 * @example
 * ```ts
 * await client.groups.createInviteLink(groupId, { maxUses: 10 })
 * ```
 */
export const GroupInviteLinkOptionsSchema = z.strictObject({
  expiresAt: z.optional(DateTimeSchema),
  maxUses: z.optional(z.number().check(z.int("maxUses must be an integer"), z.minimum(1), z.maximum(100_000))),
});
/**
 * Options of `groups.createInviteLink`.
 *
 * @example
 * ```ts
 * const options: GroupInviteLinkOptions = { maxUses: 25 }
 * ```
 */
export type GroupInviteLinkOptions = z.input<typeof GroupInviteLinkOptionsSchema>;

// =============================================================================================
// mapping
// =============================================================================================

/**
 * A `social.groups` row as a `Group`. Exported for apps that query `social.groups` themselves.
 *
 * @example
 * ```ts
 * const { data: rows } = await supabase.schema('social').from('groups').select().limit(10)
 * const groups = (rows ?? []).map(toGroup)
 * ```
 */
export function toGroup(row: Omit<GroupRow, "avatar_media_id">): Group {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    description: row.description,
    city: row.city,
    tags: row.tags ?? [],
    avatarPath: row.avatar_path,
    visibility: row.visibility,
    joinPolicy: row.join_policy,
    requiredTier: row.required_tier,
    ownerId: row.owner_id,
    memberCount: row.member_count,
    createdAt: normalizeTimestamp(row.created_at),
    updatedAt: normalizeTimestamp(row.updated_at),
  };
}

function toMembership(row: MemberRow): GroupMembership {
  return {
    groupId: row.group_id,
    userId: row.user_id,
    role: row.role,
    status: row.status,
    invitedBy: row.invited_by,
    joinedAt: ts(row.joined_at),
    createdAt: normalizeTimestamp(row.created_at),
    updatedAt: normalizeTimestamp(row.updated_at),
  };
}

function toInvite(row: InviteRow): GroupInvite {
  return {
    id: row.id,
    groupId: row.group_id,
    inviterId: row.inviter_id,
    inviteeId: row.invitee_id,
    token: row.token,
    expiresAt: ts(row.expires_at),
    maxUses: row.max_uses,
    useCount: row.use_count,
    revokedAt: ts(row.revoked_at),
    acceptedAt: ts(row.accepted_at),
    declinedAt: ts(row.declined_at),
    createdAt: normalizeTimestamp(row.created_at),
  };
}

function groupNotFound(): SupasocialResult<never> {
  return notFound("group_not_found", "No such group");
}

function parseId(value: unknown, label: string) {
  return parseInput(UuidSchema, value, label);
}

/** Validate a group id and a user id, then run `call`. */
async function withGroupAndUser<T>(
  groupId: string,
  userId: string,
  call: (groupId: string, userId: string) => Promise<SupasocialResult<T>>,
): Promise<SupasocialResult<T>> {
  const group = parseId(groupId, "groupId");
  if (group.error) return group;
  const user = parseId(userId, "userId");
  if (user.error) return user;
  return call(group.data, user.data);
}

function toGroupPatch(patch: z.output<typeof GroupUpdateSchema>) {
  return defined({
    name: patch.name,
    description: patch.description,
    city: patch.city,
    tags: patch.tags,
    avatar_media_id: patch.avatarMediaId,
    visibility: patch.visibility,
    join_policy: patch.joinPolicy,
    required_tier: patch.requiredTier,
  });
}

async function loadGroup(ctx: NamespaceContext, groupId: string): Promise<SupasocialResult<GroupWithMembership>> {
  const session = await ctx.supabase.auth.getSession();
  const me = session.data.session?.user?.id ?? null;
  const [group, membership] = await Promise.all([
    ctx.social.from("groups").select("*").eq("id", groupId).maybeSingle(),
    me
      ? ctx.social.from("group_members").select("*").eq("group_id", groupId).eq("user_id", me).maybeSingle()
      : Promise.resolve(null),
  ]);
  if (group.error) return failFrom(group);
  if (membership?.error) return failFrom(membership);
  const row = firstRow(group.data);
  if (!row) return groupNotFound();
  const member = firstRow(membership?.data ?? null);
  return ok({ ...toGroup(row), membership: member ? toMembership(member) : null });
}

// =============================================================================================
// the namespace
// =============================================================================================

/**
 * `client.groups`: create, find, join and run groups.
 *
 * @example
 * ```ts
 * const social = createSupasocialClient(supabase)
 * const { data: group } = await social.groups.create({ name: 'My trainees', kind: 'coaching' })
 * ```
 */
export const groupsNamespace = defineNamespace("groups", (ctx) => ({
  /**
   * Create a group; you become its owner (an active member). Coaching groups are invite-only
   * and private unless `visibility` says otherwise.
   *
   * @example
   * ```ts
   * const { data: group, error } = await client.groups.create({
   *   name: 'Marathon prep',
   *   kind: 'coaching',
   *   description: 'Trainees of Coach Ana',
   * })
   * ```
   */
  create(input: GroupCreate): Promise<SupasocialResult<Group>> {
    return settle(async () => {
      const parsed = parseInput(GroupCreateSchema, input, "input");
      if (parsed.error) return parsed;
      const g = parsed.data;
      const response = await ctx.social.rpc("create_group", {
        p_name: g.name,
        p_kind: g.kind,
        p_visibility: g.visibility,
        p_join_policy: g.joinPolicy ?? (g.kind === "coaching" ? "invite" : undefined),
        p_description: g.description ?? undefined,
        p_city: g.city ?? undefined,
        p_tags: g.tags,
        p_avatar_media_id: g.avatarMediaId ?? undefined,
        p_required_tier: g.requiredTier ?? undefined,
      });
      return single(response, toGroup, groupNotFound);
    });
  },

  /**
   * A group you can see, with your membership (null when you have none, or are signed out).
   * A group you may not see (secret, or not there) is `group_not_found`.
   *
   * @example
   * ```ts
   * const { data, error } = await client.groups.get(groupId)
   * if (error?.code === 'group_not_found') return notFound()
   * ```
   */
  get(groupId: string): Promise<SupasocialResult<GroupWithMembership>> {
    return settle(async () => {
      const id = parseId(groupId, "groupId");
      if (id.error) return id;
      return loadGroup(ctx, id.data);
    });
  },

  /**
   * Groups to discover (public and private, never secret), newest first, filtered by city,
   * tag, kind and a name search.
   *
   * @example
   * ```ts
   * const { data } = await client.groups.list({ city: 'Lisbon', tag: 'running' })
   * const more = data?.nextCursor && (await client.groups.list({ city: 'Lisbon', tag: 'running', cursor: data.nextCursor }))
   * ```
   */
  list: listMethod(async (options?: GroupListOptions): Promise<SupasocialResult<Page<Group>>> => {
    const parsed = parseInput(GroupListOptionsSchema, options ?? {}, "options");
    if (parsed.error) return parsed;
    const { cursor, limit, city, tag, kind, query } = parsed.data;
    const response = await ctx.social.rpc("list_groups", {
      p_city: city,
      p_tag: tag,
      p_kind: kind,
      p_query: query,
      p_cursor: cursor ?? undefined,
      p_limit: limit,
    });
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, toGroup));
  }),

  /**
   * The groups you are an active member of, most recently joined first.
   *
   * @example
   * ```ts
   * const { data } = await client.groups.mine()
   * data?.items.map((g) => `${g.name} (${g.membership?.role})`)
   * ```
   */
  mine: listMethod(async (options?: PageOptions): Promise<SupasocialResult<Page<GroupWithMembership>>> => {
    const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
    if (parsed.error) return parsed;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("my_groups", {
      p_cursor: parsed.data.cursor ?? undefined,
      p_limit: parsed.data.limit,
    });
    if (response.error) return failFrom(response);
    return ok(
      toPage(response.data, ({ membership, next_cursor: _, ...group }): GroupWithMembership => {
        const member = jsonRow<MemberRow>(membership);
        return { ...toGroup(group), membership: member ? toMembership(member) : null };
      }),
    );
  }),

  /**
   * Change a group (owners and admins) and return it. Errors: `permission_denied` (not an
   * admin), `group_not_found`, `invalid_join_policy` (coaching groups stay invite-only).
   *
   * @example
   * ```ts
   * const { data, error } = await client.groups.update(groupId, { description: 'Sundays 8am', tags: ['trail'] })
   * ```
   */
  update(groupId: string, patch: GroupUpdate): Promise<SupasocialResult<Group>> {
    return settle(async () => {
      const id = parseId(groupId, "groupId");
      if (id.error) return id;
      const parsed = parseInput(GroupUpdateSchema, patch, "patch");
      if (parsed.error) return parsed;
      const response = await ctx.social.from("groups").update(toGroupPatch(parsed.data)).eq("id", id.data).select();
      if (response.error) return failFrom(response);
      const row = firstRow(response.data);
      if (row) return ok(toGroup(row));
      const existing = await loadGroup(ctx, id.data);
      if (existing.error) return existing;
      return forbidden("not_group_admin", "Only the group's owner and admins change it");
    });
  },

  /**
   * Delete a group and everything in it (the owner only). Errors: `not_group_owner`,
   * `group_not_found`.
   *
   * @example
   * ```ts
   * const { error } = await client.groups.delete(groupId)
   * ```
   */
  delete(groupId: string): Promise<SupasocialResult<null>> {
    return settle(async () => {
      const id = parseId(groupId, "groupId");
      if (id.error) return id;
      const response = await ctx.social.from("groups").delete().eq("id", id.data).select("id");
      if (response.error) return failFrom(response);
      if (firstRow(response.data)) return ok(null);
      const existing = await loadGroup(ctx, id.data);
      if (existing.error) return existing;
      return forbidden("not_group_owner", "Only the group's owner deletes it");
    });
  },

  /**
   * Join a group: active at once (`open`), a pending request (`request`), or with an open
   * invite addressed to you whatever the policy. Idempotent. Errors: `invite_required`,
   * `banned`, `tier_required`, `blocked`, `group_not_found`.
   *
   * @example
   * ```ts
   * const { data: membership, error } = await client.groups.join(groupId)
   * if (membership?.status === 'pending') toast('Request sent')
   * ```
   */
  join(groupId: string): Promise<SupasocialResult<GroupMembership>> {
    return settle(async () => {
      const id = parseId(groupId, "groupId");
      if (id.error) return id;
      return single(await ctx.social.rpc("join_group", { p_group_id: id.data }), toMembership, groupNotFound);
    });
  },

  /**
   * Join through an invite link's token. Errors: `invite_not_found`, `invite_expired`,
   * `invite_revoked`, `invite_exhausted`, `banned`, `tier_required`, `blocked`. A member
   * redeeming again uses no slot.
   *
   * @example
   * ```ts
   * const { data: membership } = await client.groups.joinWithToken(tokenFromDeepLink)
   * ```
   */
  joinWithToken(token: string): Promise<SupasocialResult<GroupMembership>> {
    return settle(async () => {
      const parsed = parseInput(InviteTokenSchema, token, "token");
      if (parsed.error) return parsed;
      return single(await ctx.social.rpc("join_group_with_token", { p_token: parsed.data }), toMembership, () =>
        notFound("invite_not_found", "No such invite link"),
      );
    });
  },

  /**
   * The group an invite link leads to, while the link is usable (else `invite_not_found`).
   *
   * @example
   * ```ts
   * const { data: preview } = await client.groups.previewInvite(token)
   * ```
   */
  previewInvite(token: string): Promise<SupasocialResult<GroupInvitePreview>> {
    return settle(async () => {
      const parsed = parseInput(InviteTokenSchema, token, "token");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("preview_group_invite", { p_token: parsed.data });
      return single(
        response,
        (row): GroupInvitePreview => ({
          groupId: row.group_id,
          name: row.name,
          description: row.description ?? null,
          avatarPath: row.avatar_path ?? null,
          kind: row.kind,
          visibility: row.visibility,
          memberCount: row.member_count,
          expiresAt: ts(row.expires_at),
        }),
        () => notFound("invite_not_found", "No such invite link"),
      );
    });
  },

  /**
   * Leave a group, or withdraw a join request. `data` is whether there was anything to leave.
   * The owner transfers ownership first (`owner_must_transfer`).
   *
   * @example
   * ```ts
   * await client.groups.leave(groupId)
   * ```
   */
  leave(groupId: string): Promise<SupasocialResult<boolean>> {
    return settle(async () => {
      const id = parseId(groupId, "groupId");
      if (id.error) return id;
      const response = await ctx.social.rpc("leave_group", { p_group_id: id.data });
      if (response.error) return failFrom(response);
      return ok(response.data === true);
    });
  },

  /**
   * A group's members, newest first: active members for whoever may read the group; `pending`
   * requests and `banned` users for its staff (others get an empty page).
   *
   * @example
   * ```ts
   * const { data: requests } = await client.groups.members(groupId, { status: 'pending' })
   * ```
   */
  members: scopedListMethod(
    async (groupId: string, options?: GroupMemberListOptions): Promise<SupasocialResult<Page<GroupMember>>> => {
      const id = parseId(groupId, "groupId");
      if (id.error) return id;
      const parsed = parseInput(GroupMemberListOptionsSchema, options ?? {}, "options");
      if (parsed.error) return parsed;
      const { cursor, limit, status = "active" } = parsed.data;
      const response = await ctx.social.rpc("list_group_members", {
        p_group_id: id.data,
        p_status: status,
        p_cursor: cursor ?? undefined,
        p_limit: limit,
      });
      if (response.error) return failFrom(response);
      return ok(
        toPage(response.data, (row): GroupMember => {
          const user = jsonRow<ProfileRow>(row.user);
          if (!user) throw new TypeError("member list row without a profile");
          return {
            user: toProfileCard(user),
            role: row.role,
            status: row.status,
            invitedBy: row.invited_by,
            joinedAt: ts(row.joined_at),
            createdAt: normalizeTimestamp(row.created_at),
          };
        }),
      );
    },
  ),

  /**
   * Approve a pending join request (staff). Error: `join_request_not_found`, `not_group_staff`.
   *
   * @example
   * ```ts
   * await client.groups.approveRequest(groupId, request.user.id)
   * ```
   */
  approveRequest(groupId: string, userId: string): Promise<SupasocialResult<GroupMembership>> {
    return settle(() =>
      withGroupAndUser(groupId, userId, async (g, u) =>
        single(await ctx.social.rpc("approve_join_request", { p_group_id: g, p_user_id: u }), toMembership, () =>
          notFound("join_request_not_found", "No pending request from this user"),
        ),
      ),
    );
  },

  /**
   * Decline a pending join request (staff). `data` is whether there was one.
   *
   * @example
   * ```ts
   * await client.groups.declineRequest(groupId, request.user.id)
   * ```
   */
  declineRequest(groupId: string, userId: string): Promise<SupasocialResult<boolean>> {
    return settle(() =>
      withGroupAndUser(groupId, userId, async (g, u) => {
        const response = await ctx.social.rpc("decline_join_request", { p_group_id: g, p_user_id: u });
        return response.error ? failFrom(response) : ok(response.data === true);
      }),
    );
  },

  /**
   * Invite a user (staff; in a coaching group only the owner, the trainer). Returns the open
   * invite when there already is one. Errors: `not_allowed_to_invite`, `already_member`,
   * `user_banned`, `blocked`, `invalid_target` (yourself), `profile_not_found`.
   *
   * @example
   * ```ts
   * const { data: invite } = await client.groups.invite(groupId, traineeId)
   * ```
   */
  invite(groupId: string, userId: string, options: GroupInviteOptions = {}): Promise<SupasocialResult<GroupInvite>> {
    return settle(async () => {
      const parsed = parseInput(GroupInviteOptionsSchema, options, "options");
      if (parsed.error) return parsed;
      return withGroupAndUser(groupId, userId, async (g, u) =>
        single(
          await ctx.social.rpc("invite_to_group", { p_group_id: g, p_user_id: u, p_expires_at: parsed.data.expiresAt }),
          toInvite,
          groupNotFound,
        ),
      );
    });
  },

  /**
   * Make a shareable invite link (same people as `invite`). Share its `token`; it expires
   * (default in 7 days) and may have `maxUses`.
   *
   * @example
   * ```ts
   * const { data: link } = await client.groups.createInviteLink(groupId, { maxUses: 10 })
   * const url = `https://app.example/join/${link?.token}`
   * ```
   */
  createInviteLink(groupId: string, options: GroupInviteLinkOptions = {}): Promise<SupasocialResult<GroupInvite>> {
    return settle(async () => {
      const id = parseId(groupId, "groupId");
      if (id.error) return id;
      const parsed = parseInput(GroupInviteLinkOptionsSchema, options, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("create_group_invite_link", {
        p_group_id: id.data,
        p_expires_at: parsed.data.expiresAt,
        p_max_uses: parsed.data.maxUses,
      });
      return single(response, toInvite, groupNotFound);
    });
  },

  /**
   * Revoke an invite or link (its inviter, or the group's owner and admins). Idempotent.
   * Errors: `invite_not_found`, `insufficient_role`, `invite_closed` (already answered).
   *
   * @example
   * ```ts
   * await client.groups.revokeInvite(link.id)
   * ```
   */
  revokeInvite(inviteId: string): Promise<SupasocialResult<GroupInvite>> {
    return settle(async () => {
      const id = parseId(inviteId, "inviteId");
      if (id.error) return id;
      return single(await ctx.social.rpc("revoke_group_invite", { p_invite_id: id.data }), toInvite, () =>
        notFound("invite_not_found", "No such invite"),
      );
    });
  },

  /**
   * Accept an invite addressed to you; returns your membership. Idempotent. Errors:
   * `invite_not_found`, `invite_expired`, `invite_revoked`, `invite_closed`, `banned`.
   *
   * @example
   * ```ts
   * const { data: membership } = await client.groups.acceptInvite(invite.id)
   * ```
   */
  acceptInvite(inviteId: string): Promise<SupasocialResult<GroupMembership>> {
    return settle(async () => {
      const id = parseId(inviteId, "inviteId");
      if (id.error) return id;
      return single(await ctx.social.rpc("accept_group_invite", { p_invite_id: id.data }), toMembership, () =>
        notFound("invite_not_found", "No such invite"),
      );
    });
  },

  /**
   * Decline an invite addressed to you.
   *
   * @example
   * ```ts
   * await client.groups.declineInvite(invite.id)
   * ```
   */
  declineInvite(inviteId: string): Promise<SupasocialResult<GroupInvite>> {
    return settle(async () => {
      const id = parseId(inviteId, "inviteId");
      if (id.error) return id;
      return single(await ctx.social.rpc("decline_group_invite", { p_invite_id: id.data }), toInvite, () =>
        notFound("invite_not_found", "No such invite"),
      );
    });
  },

  /**
   * Open invites addressed to you (not answered, revoked or expired), newest first, with the
   * group and the inviter.
   *
   * @example
   * ```ts
   * const { data } = await client.groups.myInvites()
   * for (const invite of data?.items ?? []) render(invite.group?.name, invite.inviter?.displayName)
   * ```
   */
  myInvites: listMethod(async (options?: PageOptions): Promise<SupasocialResult<Page<ReceivedGroupInvite>>> => {
    const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
    if (parsed.error) return parsed;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("my_group_invites", {
      p_cursor: parsed.data.cursor ?? undefined,
      p_limit: parsed.data.limit,
    });
    if (response.error) return failFrom(response);
    return ok(
      toPage(response.data, ({ group, inviter, next_cursor: _, ...invite }): ReceivedGroupInvite => {
        const g = jsonRow<GroupRow>(group);
        const p = jsonRow<ProfileRow>(inviter);
        return { ...toInvite(invite), group: g ? toGroup(g) : null, inviter: p ? toProfileCard(p) : null };
      }),
    );
  }),

  /**
   * A group's invites and links, newest first, as its staff see them (an inviter sees their
   * own); answered, revoked and expired ones included.
   *
   * @example
   * ```ts
   * const { data } = await client.groups.invites(groupId)
   * const links = data?.items.filter((i) => i.token !== null)
   * ```
   */
  invites: scopedListMethod(
    async (groupId: string, options?: PageOptions): Promise<SupasocialResult<Page<GroupInvite>>> => {
      const id = parseId(groupId, "groupId");
      if (id.error) return id;
      const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("list_group_invites", {
        p_group_id: id.data,
        p_cursor: parsed.data.cursor ?? undefined,
        p_limit: parsed.data.limit,
      });
      if (response.error) return failFrom(response);
      return ok(toPage(response.data, toInvite));
    },
  ),

  /**
   * Remove a member (or a pending request) of a lower rank (staff). `data` is whether there was
   * one. To record a reason in the moderation log, use `moderation.removeMember`.
   *
   * @example
   * ```ts
   * await client.groups.removeMember(groupId, userId)
   * ```
   */
  removeMember(groupId: string, userId: string): Promise<SupasocialResult<boolean>> {
    return settle(() =>
      withGroupAndUser(groupId, userId, async (g, u) => {
        const response = await ctx.social.rpc("remove_group_member", { p_group_id: g, p_user_id: u });
        return response.error ? failFrom(response) : ok(response.data === true);
      }),
    );
  },

  /**
   * Ban a user of a lower rank (member or not) from the group (staff); revokes their open
   * invites. Idempotent. Errors: `owner_protected`, `insufficient_role`, `not_group_staff`.
   *
   * @example
   * ```ts
   * const { data: ban } = await client.groups.ban(groupId, userId) // ban.status === 'banned'
   * ```
   */
  ban(groupId: string, userId: string): Promise<SupasocialResult<GroupMembership>> {
    return settle(() =>
      withGroupAndUser(groupId, userId, async (g, u) =>
        single(await ctx.social.rpc("ban_group_member", { p_group_id: g, p_user_id: u }), toMembership, () =>
          notFound("member_not_found", "This user is not in the group"),
        ),
      ),
    );
  },

  /**
   * Lift a ban (staff). `data` is whether there was one.
   *
   * @example
   * ```ts
   * await client.groups.unban(groupId, userId)
   * ```
   */
  unban(groupId: string, userId: string): Promise<SupasocialResult<boolean>> {
    return settle(() =>
      withGroupAndUser(groupId, userId, async (g, u) => {
        const response = await ctx.social.rpc("unban_group_member", { p_group_id: g, p_user_id: u });
        return response.error ? failFrom(response) : ok(response.data === true);
      }),
    );
  },

  /**
   * Change an active member's role (owners and admins, on lower ranks; only the owner makes
   * admins). Errors: `not_group_admin`, `insufficient_role`, `member_not_found`.
   *
   * @example
   * ```ts
   * await client.groups.setRole(groupId, userId, 'moderator')
   * ```
   */
  setRole(groupId: string, userId: string, role: AssignableGroupRole): Promise<SupasocialResult<GroupMembership>> {
    return settle(async () => {
      const parsed = parseInput(AssignableGroupRoleSchema, role, "role");
      if (parsed.error) return parsed;
      return withGroupAndUser(groupId, userId, async (g, u) =>
        single(
          await ctx.social.rpc("set_group_member_role", { p_group_id: g, p_user_id: u, p_role: parsed.data }),
          toMembership,
          () => notFound("member_not_found", "This user is not an active member"),
        ),
      );
    });
  },

  /**
   * Hand the group to another active member (the owner only); you become an admin. Errors:
   * `not_group_owner`, `member_not_found`, `invalid_target`.
   *
   * @example
   * ```ts
   * const { data: group } = await client.groups.transferOwnership(groupId, newOwnerId)
   * ```
   */
  transferOwnership(groupId: string, newOwnerId: string): Promise<SupasocialResult<Group>> {
    return settle(async () => {
      const group = parseId(groupId, "groupId");
      if (group.error) return group;
      const owner = parseId(newOwnerId, "newOwnerId");
      if (owner.error) return owner;
      return single(
        await ctx.social.rpc("transfer_group_ownership", { p_group_id: group.data, p_new_owner_id: owner.data }),
        toGroup,
        groupNotFound,
      );
    });
  },
}));
