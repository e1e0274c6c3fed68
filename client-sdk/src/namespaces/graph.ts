/**
 * `client.graph`: follows (with requests for private profiles), blocks and mutes, and the lists
 * around them. Lists are newest first and follow the one page contract (`pagination.ts`).
 */
import type { Database } from "../database.types.ts";
import { defineNamespace } from "../namespace.ts";
import { listMethod, type Page, scopedListMethod, toPage } from "../pagination.ts";
import { failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { type ListOptions, ListOptionsSchema, parseInput, UuidSchema } from "../validation.ts";
import { type ProfileCard, toProfileCard } from "./profiles.ts";
import { jsonRow } from "./shared.ts";

type Social = Database["social"];
type FollowRow = Social["Tables"]["follows"]["Row"];
type ProfileRow = Social["Tables"]["profiles"]["Row"];

// =============================================================================================
// types
// =============================================================================================

/**
 * `accepted`, or `pending` while a private profile's owner has not answered.
 *
 * @example
 * ```ts
 * const label: Record<FollowStatus, string> = { accepted: 'Following', pending: 'Requested' }
 * ```
 */
export type FollowStatus = Social["Enums"]["follow_status"];

/**
 * A follow edge, as `follow` and `acceptRequest` return it.
 *
 * @example
 * ```ts
 * const { data } = await client.graph.follow(userId)
 * data?.status === 'pending' ? showRequested() : showFollowing()
 * ```
 */
export interface Follow {
  followerId: string;
  followeeId: string;
  status: FollowStatus;
  /** When the follow (or request) was made; ISO 8601. */
  createdAt: string;
  /** When it was accepted; null while pending. */
  acceptedAt: string | null;
}

/**
 * One row of `followers`, `following` or `requests`: the other user's card and the edge.
 *
 * @example
 * ```ts
 * data.items.map((f) => `${f.user.displayName} since ${f.acceptedAt}`)
 * ```
 */
export interface FollowListItem {
  /** The other user: the follower (followers, requests) or the followee (following). */
  user: ProfileCard;
  status: FollowStatus;
  createdAt: string;
  acceptedAt: string | null;
}

/**
 * One row of `blocked`. A block hides the blocked user's card from you too, so there is only
 * the id.
 *
 * @example
 * ```ts
 * data.items.map((b) => client.graph.unblock(b.userId))
 * ```
 */
export interface BlockedUser {
  userId: string;
  createdAt: string;
}

/**
 * One row of `muted`: the muted user's card (null when they have since blocked you).
 *
 * @example
 * ```ts
 * data.items.map((m) => m.user?.displayName ?? 'Unavailable')
 * ```
 */
export interface MutedUser {
  userId: string;
  user: ProfileCard | null;
  createdAt: string;
}

/**
 * How the signed-in user relates to another user. (Whether they block you is not knowable, by
 * design.)
 *
 * @example
 * ```ts
 * const { data: rel } = await client.graph.relationship(userId)
 * const label = rel?.following ? 'Following' : rel?.requested ? 'Requested' : 'Follow'
 * ```
 */
export interface Relationship {
  /** You follow them (accepted). */
  following: boolean;
  /** They follow you (accepted). */
  followedBy: boolean;
  /** You asked to follow them and they have not answered. */
  requested: boolean;
  /** They asked to follow you and you have not answered. */
  requestedBy: boolean;
  /** You block them. */
  blocking: boolean;
  /** You mute them. */
  muting: boolean;
}

// =============================================================================================
// mapping
// =============================================================================================

function toFollow(row: FollowRow): Follow {
  return {
    followerId: row.follower_id,
    followeeId: row.followee_id,
    status: row.status,
    createdAt: normalizeTimestamp(row.created_at),
    acceptedAt: normalizeTimestamp(row.accepted_at),
  };
}

type EdgeRow = Pick<FollowRow, "created_at" | "accepted_at" | "status"> & { user: unknown };

function toFollowListItem(row: EdgeRow): FollowListItem {
  const user = jsonRow<ProfileRow>(row.user);
  if (!user) throw new TypeError("follow list row without a profile");
  return {
    user: toProfileCard(user),
    status: row.status,
    createdAt: normalizeTimestamp(row.created_at),
    acceptedAt: normalizeTimestamp(row.accepted_at),
  };
}

function parseList(options: ListOptions | undefined) {
  const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
  if (parsed.error) return parsed;
  return ok({ p_cursor: parsed.data.cursor ?? undefined, p_limit: parsed.data.limit });
}

function parseUserId(value: unknown, label: string) {
  return parseInput(UuidSchema, value, label);
}

/** A graph RPC that takes one user id: validate the id (no request when invalid), call, map. */
async function withUserId<R, T>(
  userId: string,
  label: string,
  call: (id: string) => PromiseLike<{ data: R | null; error: unknown; status: number }>,
  map: (data: R) => T,
): Promise<SupasocialResult<T>> {
  const id = parseUserId(userId, label);
  if (id.error) return id;
  const response = await call(id.data);
  if (response.error) return failFrom(response);
  return ok(map(response.data as R));
}

const toBoolean = (value: unknown): boolean => value === true;
const toNull = (): null => null;

// =============================================================================================
// the namespace
// =============================================================================================

/**
 * `client.graph`: follows, requests, blocks, mutes and their lists.
 *
 * @example
 * ```ts
 * const social = createSupasocialClient(supabase)
 * await social.graph.follow(userId)
 * ```
 */
export const graphNamespace = defineNamespace("graph", (ctx) => ({
  /**
   * Follow a user; for a private profile this sends a request (`status: 'pending'`). Following
   * again returns the existing edge. Errors: `invalid_target` (yourself), `blocked`,
   * `profile_not_found`.
   *
   * @example
   * ```ts
   * const { data, error } = await client.graph.follow(userId)
   * if (error?.code === 'blocked') hideFollowButton()
   * ```
   */
  follow(userId: string): Promise<SupasocialResult<Follow>> {
    return settle(() => withUserId(userId, "userId", (id) => ctx.social.rpc("follow", { p_user_id: id }), toFollow));
  },

  /**
   * Unfollow a user, or cancel a pending request. `data` is whether there was an edge to remove.
   *
   * @example
   * ```ts
   * await client.graph.unfollow(userId)
   * ```
   */
  unfollow(userId: string): Promise<SupasocialResult<boolean>> {
    return settle(() => withUserId(userId, "userId", (id) => ctx.social.rpc("unfollow", { p_user_id: id }), toBoolean));
  },

  /**
   * Accept a pending follow request made to you. Error: `follow_request_not_found`.
   *
   * @example
   * ```ts
   * const { data: follow } = await client.graph.acceptRequest(request.user.id)
   * ```
   */
  acceptRequest(followerId: string): Promise<SupasocialResult<Follow>> {
    return settle(() =>
      withUserId(
        followerId,
        "followerId",
        (id) => ctx.social.rpc("accept_follow_request", { p_follower_id: id }),
        toFollow,
      ),
    );
  },

  /**
   * Decline a pending follow request made to you. Error: `follow_request_not_found`.
   *
   * @example
   * ```ts
   * const { error } = await client.graph.declineRequest(request.user.id)
   * ```
   */
  declineRequest(followerId: string): Promise<SupasocialResult<null>> {
    return settle(() =>
      withUserId(
        followerId,
        "followerId",
        (id) => ctx.social.rpc("decline_follow_request", { p_follower_id: id }),
        toNull,
      ),
    );
  },

  /**
   * Remove someone from your followers. `data` is whether they were following you.
   *
   * @example
   * ```ts
   * await client.graph.removeFollower(followerId)
   * ```
   */
  removeFollower(followerId: string): Promise<SupasocialResult<boolean>> {
    return settle(() =>
      withUserId(followerId, "followerId", (id) => ctx.social.rpc("remove_follower", { p_follower_id: id }), toBoolean),
    );
  },

  /**
   * Block a user: you stop seeing each other everywhere, and follows both ways are removed.
   * Idempotent. Errors: `invalid_target` (yourself), `profile_not_found`.
   *
   * @example
   * ```ts
   * const { error } = await client.graph.block(userId)
   * ```
   */
  block(userId: string): Promise<SupasocialResult<null>> {
    return settle(() => withUserId(userId, "userId", (id) => ctx.social.rpc("block", { p_user_id: id }), toNull));
  },

  /**
   * Lift a block you made. `data` is whether there was one.
   *
   * @example
   * ```ts
   * await client.graph.unblock(userId)
   * ```
   */
  unblock(userId: string): Promise<SupasocialResult<boolean>> {
    return settle(() => withUserId(userId, "userId", (id) => ctx.social.rpc("unblock", { p_user_id: id }), toBoolean));
  },

  /**
   * Mute a user: their content leaves your home feed; nothing else changes. Idempotent.
   *
   * @example
   * ```ts
   * await client.graph.mute(userId)
   * ```
   */
  mute(userId: string): Promise<SupasocialResult<null>> {
    return settle(() => withUserId(userId, "userId", (id) => ctx.social.rpc("mute", { p_user_id: id }), toNull));
  },

  /**
   * Lift a mute. `data` is whether there was one.
   *
   * @example
   * ```ts
   * await client.graph.unmute(userId)
   * ```
   */
  unmute(userId: string): Promise<SupasocialResult<boolean>> {
    return settle(() => withUserId(userId, "userId", (id) => ctx.social.rpc("unmute", { p_user_id: id }), toBoolean));
  },

  /**
   * A user's followers, newest first. A private or followers-only profile's list is visible to
   * its owner and approved followers only (others get an empty page).
   *
   * @example
   * ```ts
   * const { data } = await client.graph.followers(userId, { limit: 50 })
   * const next = data?.nextCursor && (await client.graph.followers(userId, { cursor: data.nextCursor }))
   * for await (const follower of client.graph.followers.all(userId)) render(follower.user)
   * ```
   */
  followers: scopedListMethod(
    async (userId: string, options?: ListOptions): Promise<SupasocialResult<Page<FollowListItem>>> => {
      const id = parseUserId(userId, "userId");
      if (id.error) return id;
      const list = parseList(options);
      if (list.error) return list;
      const response = await ctx.social.rpc("list_followers", { p_user_id: id.data, ...list.data });
      if (response.error) return failFrom(response);
      return ok(toPage(response.data, toFollowListItem));
    },
  ),

  /**
   * Who a user follows, newest first (same visibility rules as `followers`).
   *
   * @example
   * ```ts
   * const { data } = await client.graph.following(userId)
   * ```
   */
  following: scopedListMethod(
    async (userId: string, options?: ListOptions): Promise<SupasocialResult<Page<FollowListItem>>> => {
      const id = parseUserId(userId, "userId");
      if (id.error) return id;
      const list = parseList(options);
      if (list.error) return list;
      const response = await ctx.social.rpc("list_following", { p_user_id: id.data, ...list.data });
      if (response.error) return failFrom(response);
      return ok(toPage(response.data, toFollowListItem));
    },
  ),

  /**
   * Follow requests waiting for your answer, newest first.
   *
   * @example
   * ```ts
   * for await (const r of client.graph.requests.all()) await client.graph.acceptRequest(r.user.id)
   * ```
   */
  requests: listMethod(async (options?: ListOptions): Promise<SupasocialResult<Page<FollowListItem>>> => {
    const list = parseList(options);
    if (list.error) return list;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("my_follow_requests", list.data);
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, toFollowListItem));
  }),

  /**
   * The users you block, newest first.
   *
   * @example
   * ```ts
   * const { data } = await client.graph.blocked()
   * ```
   */
  blocked: listMethod(async (options?: ListOptions): Promise<SupasocialResult<Page<BlockedUser>>> => {
    const list = parseList(options);
    if (list.error) return list;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("my_blocks", list.data);
    if (response.error) return failFrom(response);
    return ok(
      toPage(
        response.data,
        (row): BlockedUser => ({ userId: row.blocked_id, createdAt: normalizeTimestamp(row.created_at) }),
      ),
    );
  }),

  /**
   * The users you mute, newest first.
   *
   * @example
   * ```ts
   * const { data } = await client.graph.muted()
   * ```
   */
  muted: listMethod(async (options?: ListOptions): Promise<SupasocialResult<Page<MutedUser>>> => {
    const list = parseList(options);
    if (list.error) return list;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("my_mutes", list.data);
    if (response.error) return failFrom(response);
    return ok(
      toPage(response.data, (row): MutedUser => {
        const user = jsonRow<ProfileRow>(row.user);
        return {
          userId: row.muted_id,
          user: user ? toProfileCard(user) : null,
          createdAt: normalizeTimestamp(row.created_at),
        };
      }),
    );
  }),

  /**
   * How you relate to another user: following, followedBy, requested, requestedBy, blocking,
   * muting.
   *
   * @example
   * ```ts
   * const { data: rel } = await client.graph.relationship(userId)
   * if (rel?.followedBy) showBadge('Follows you')
   * ```
   */
  relationship(userId: string): Promise<SupasocialResult<Relationship>> {
    return settle(async () => {
      const id = parseUserId(userId, "userId");
      if (id.error) return id;
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const [mine, them] = [me.data, id.data];
      const [follows, blocks, mutes] = await Promise.all([
        ctx.social
          .from("follows")
          .select("follower_id, followee_id, status")
          .or(`and(follower_id.eq.${mine},followee_id.eq.${them}),and(follower_id.eq.${them},followee_id.eq.${mine})`),
        ctx.social.from("blocks").select("blocked_id").eq("blocker_id", mine).eq("blocked_id", them),
        ctx.social.from("mutes").select("muted_id").eq("muter_id", mine).eq("muted_id", them),
      ]);
      for (const response of [follows, blocks, mutes]) {
        if (response.error) return failFrom(response);
      }
      const edges = follows.data ?? [];
      const edge = (from: string, to: string) => edges.find((e) => e.follower_id === from && e.followee_id === to);
      return ok({
        following: edge(mine, them)?.status === "accepted",
        followedBy: edge(them, mine)?.status === "accepted",
        requested: edge(mine, them)?.status === "pending",
        requestedBy: edge(them, mine)?.status === "pending",
        blocking: (blocks.data ?? []).length > 0,
        muting: (mutes.data ?? []).length > 0,
      });
    });
  },
}));
