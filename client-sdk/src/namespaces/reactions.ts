/**
 * `client.reactions`: react to posts (several kinds per user and post), take reactions back,
 * and list who reacted. A post's counts and your own reactions come with every post (`Post`).
 */
import * as z from "zod/mini";
import { Constants, type Database } from "../database.types.ts";
import { defineNamespace } from "../namespace.ts";
import { type Page, scopedListMethod, toPage } from "../pagination.ts";
import { failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { ListOptionsSchema, parseInput, UuidSchema } from "../validation.ts";
import { type ProfileCard, toProfileCard } from "./profiles.ts";
import { jsonRow } from "./shared.ts";

type Social = Database["social"];
type ProfileRow = Social["Tables"]["profiles"]["Row"];

/**
 * `like`, `love`, `celebrate`, `strong`, `fire` or `laugh`.
 *
 * @example
 * ```ts
 * const emoji: Record<ReactionKind, string> = { like: '👍', love: '❤️', celebrate: '🎉', strong: '💪', fire: '🔥', laugh: '😂' }
 * ```
 */
export type ReactionKind = Social["Enums"]["reaction_kind"];

/**
 * A reaction kind.
 *
 * @example
 * ```ts
 * ReactionKindSchema.options.map((kind) => <ReactionButton kind={kind} />)
 * ```
 */
export const ReactionKindSchema = z.enum(Constants.social.Enums.reaction_kind, {
  error: `A reaction is one of ${Constants.social.Enums.reaction_kind.join(", ")}`,
});

/**
 * One row of `reactions.list`: who reacted, how, and when.
 *
 * @example
 * ```ts
 * data.items.map((r) => `${r.user.displayName} ${r.kind}`)
 * ```
 */
export interface Reaction {
  postId: string;
  user: ProfileCard;
  kind: ReactionKind;
  createdAt: string;
}

/**
 * Options of `reactions.list`: one `kind` only (left out: all), `cursor`, `limit`.
 *
 * @example
 * ```ts
 * await client.reactions.list(postId, ReactionListOptionsSchema.parse({ kind: 'fire' }))
 * ```
 */
export const ReactionListOptionsSchema = z.extend(ListOptionsSchema, { kind: z.optional(ReactionKindSchema) });
/**
 * Options of `reactions.list`.
 *
 * @example
 * ```ts
 * const options: ReactionListOptions = { kind: 'love', limit: 50 }
 * ```
 */
export type ReactionListOptions = z.input<typeof ReactionListOptionsSchema>;

/** Validate a post id and a reaction kind. */
function parseTarget(postId: string, kind: ReactionKind) {
  const id = parseInput(UuidSchema, postId, "postId");
  if (id.error) return id;
  const k = parseInput(ReactionKindSchema, kind, "kind");
  if (k.error) return k;
  return ok({ postId: id.data, kind: k.data });
}

/**
 * `client.reactions`: add, remove, list.
 *
 * @example
 * ```ts
 * const social = createSupasocialClient(supabase)
 * await social.reactions.add(postId, 'fire')
 * ```
 */
export const reactionsNamespace = defineNamespace("reactions", (ctx) => ({
  /**
   * Add your reaction of `kind` to a post you see (in a group: as a member). `data` is whether
   * it was added now (false: it was already there). Errors: `post_not_found`, `not_allowed`
   * (not a member of the post's group), `rate_limited`.
   *
   * @example
   * ```ts
   * const { error } = await client.reactions.add(post.id, 'strong')
   * ```
   */
  add(postId: string, kind: ReactionKind): Promise<SupasocialResult<boolean>> {
    return settle(async () => {
      const target = parseTarget(postId, kind);
      if (target.error) return target;
      const response = await ctx.social.rpc("react", { p_post_id: target.data.postId, p_kind: target.data.kind });
      if (response.error) return failFrom(response);
      return ok(response.data === true);
    });
  },

  /**
   * Take back your reaction of `kind`. `data` is whether there was one.
   *
   * @example
   * ```ts
   * await client.reactions.remove(post.id, 'strong')
   * ```
   */
  remove(postId: string, kind: ReactionKind): Promise<SupasocialResult<boolean>> {
    return settle(async () => {
      const target = parseTarget(postId, kind);
      if (target.error) return target;
      const response = await ctx.social.rpc("unreact", { p_post_id: target.data.postId, p_kind: target.data.kind });
      if (response.error) return failFrom(response);
      return ok(response.data === true);
    });
  },

  /**
   * Who reacted to a post you see, newest first (never users a block separates you from).
   *
   * @example
   * ```ts
   * const { data } = await client.reactions.list(postId, { kind: 'fire' })
   * ```
   */
  list: scopedListMethod(
    async (postId: string, options?: ReactionListOptions): Promise<SupasocialResult<Page<Reaction>>> => {
      const id = parseInput(UuidSchema, postId, "postId");
      if (id.error) return id;
      const parsed = parseInput(ReactionListOptionsSchema, options ?? {}, "options");
      if (parsed.error) return parsed;
      const { cursor, limit, kind } = parsed.data;
      const response = await ctx.social.rpc("list_reactions", {
        p_post_id: id.data,
        p_kind: kind,
        p_cursor: cursor ?? undefined,
        p_limit: limit,
      });
      if (response.error) return failFrom(response);
      return ok(
        toPage(response.data, (row): Reaction => {
          const user = jsonRow<ProfileRow>(row.user);
          if (!user) throw new TypeError("reaction list row without a profile");
          return {
            postId: row.post_id,
            user: toProfileCard(user),
            kind: row.kind,
            createdAt: normalizeTimestamp(row.created_at),
          };
        }),
      );
    },
  ),
}));
