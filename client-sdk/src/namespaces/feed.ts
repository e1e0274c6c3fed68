/**
 * `client.feed`: the home feed (people you follow, your groups, yourself), a group's feed and
 * a profile's feed, `latest` first or `top` (engagement with a time decay). Pages follow the one
 * page contract (`pagination.ts`): `nextCursor` is valid for the same feed, subject and order.
 */
import * as z from "zod/mini";
import { defineNamespace } from "../namespace.ts";
import { listMethod, scopedListMethod, toPage } from "../pagination.ts";
import { failFrom, ok } from "../result.ts";
import { CursorSchema, LimitSchema, parseInput, UuidSchema } from "../validation.ts";
import { toPost } from "./posts.ts";

/**
 * `latest` (newest first) or `top` (by engagement with a time decay; stable under paging).
 *
 * @example
 * ```ts
 * const order: FeedOrder = 'top'
 * ```
 */
export type FeedOrder = "latest" | "top";

/**
 * Options of every feed: `order` (default `latest`), `cursor` (a previous page's `nextCursor`,
 * same feed and order), `limit` (default 20, at most 50 per page).
 *
 * @example
 * ```ts
 * await client.feed.home(FeedOptionsSchema.parse({ order: 'top', limit: 10 }))
 * ```
 */
export const FeedOptionsSchema = z.strictObject({
  order: z.optional(z.enum(["latest", "top"], { error: "order is latest or top" })),
  cursor: z.nullish(CursorSchema),
  limit: z.optional(LimitSchema),
});
/**
 * Options of every feed.
 *
 * @example
 * ```ts
 * const options: FeedOptions = { order: 'latest', cursor: page.nextCursor }
 * ```
 */
export type FeedOptions = z.input<typeof FeedOptionsSchema>;

function parseFeedOptions(options: FeedOptions | undefined) {
  const parsed = parseInput(FeedOptionsSchema, options ?? {}, "options");
  if (parsed.error) return parsed;
  return ok({
    p_order: parsed.data.order ?? "latest",
    p_cursor: parsed.data.cursor ?? undefined,
    p_limit: parsed.data.limit,
  });
}

/**
 * `client.feed`: home, group, profile.
 *
 * @example
 * ```ts
 * const social = createSupasocialClient(supabase)
 * const { data: page } = await social.feed.home()
 * ```
 */
export const feedNamespace = defineNamespace("feed", (ctx) => ({
  /**
   * Your home feed: posts of the people you follow, posts in your groups and your own; never
   * blocked or muted users. Needs a signed-in user. `home.all()` iterates over every post.
   *
   * @example
   * ```ts
   * const { data: page, error } = await client.feed.home({ order: 'latest' })
   * const next = page?.nextCursor && (await client.feed.home({ order: 'latest', cursor: page.nextCursor }))
   * for await (const post of client.feed.home.all({ order: 'top' })) render(post)
   * ```
   */
  home: listMethod(async (options?: FeedOptions) => {
    const args = parseFeedOptions(options);
    if (args.error) return args;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const response = await ctx.social.rpc("home_feed", args.data);
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, toPost));
  }),

  /**
   * A group's posts, for whoever may read the group (members; everyone signed in for public
   * groups other than coaching groups). Errors: `group_not_found`, `group_forbidden` (join to
   * see the posts).
   *
   * @example
   * ```ts
   * const { data: page, error } = await client.feed.group(groupId, { order: 'top' })
   * if (error?.code === 'group_forbidden') showJoinButton()
   * ```
   */
  group: scopedListMethod(async (groupId: string, options?: FeedOptions) => {
    const id = parseInput(UuidSchema, groupId, "groupId");
    if (id.error) return id;
    const args = parseFeedOptions(options);
    if (args.error) return args;
    const response = await ctx.social.rpc("group_feed", { p_group_id: id.data, ...args.data });
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, toPost));
  }),

  /**
   * A user's posts outside groups that you may see (signed out: public posts of public
   * profiles); an empty page across a block or for a private profile you do not follow.
   *
   * @example
   * ```ts
   * const { data: page } = await client.feed.profile(userId)
   * ```
   */
  profile: scopedListMethod(async (userId: string, options?: FeedOptions) => {
    const id = parseInput(UuidSchema, userId, "userId");
    if (id.error) return id;
    const args = parseFeedOptions(options);
    if (args.error) return args;
    const response = await ctx.social.rpc("profile_feed", { p_user_id: id.data, ...args.data });
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, toPost));
  }),
}));
