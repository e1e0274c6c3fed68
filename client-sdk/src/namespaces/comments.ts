/**
 * `client.comments`: comments on posts with one level of replies. Lists are oldest first (the
 * order of a conversation), and follow the one page contract (`pagination.ts`).
 */
import * as z from "zod/mini";
import type { Database, Json } from "../database.types.ts";
import { defineNamespace, type NamespaceContext } from "../namespace.ts";
import { type Page, scopedListMethod, toPage } from "../pagination.ts";
import { failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { type ListOptions, ListOptionsSchema, parseInput, textSchema, UuidSchema } from "../validation.ts";
import { type MediaItem, MediaRefSchema, toMediaItems, toMediaRefs } from "./media.ts";
import { defined, firstRow, forbidden, notFound, one, type ProfileSummary, toProfileSummary, ts } from "./shared.ts";

type Social = Database["social"];
type CommentRow = Social["Tables"]["comments"]["Row"];
type AuthorRow = Pick<Social["Tables"]["profiles"]["Row"], "id" | "handle" | "display_name" | "avatar_path">;

/**
 * A comment, or a reply (`parentId` set).
 *
 * @example
 * ```ts
 * const { data } = await client.comments.list(postId)
 * data?.items.map((c) => `${c.author?.displayName}: ${c.body} (${c.replyCount} replies)`)
 * ```
 */
export interface Comment {
  id: string;
  postId: string;
  /** The top-level comment this replies to; null for a top-level comment. */
  parentId: string | null;
  authorId: string;
  /** null when the author's profile is hidden from you. */
  author: ProfileSummary | null;
  body: string;
  /** Up to 4 images or videos (`media.urls` makes URLs of them). */
  media: MediaItem[];
  replyCount: number;
  editedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * A comment's text: 1-2000 characters, not only blanks.
 *
 * @example
 * ```ts
 * CommentBodySchema.safeParse('Great run!').success // true
 * ```
 */
export const CommentBodySchema = textSchema({ min: 1, max: 2000, label: "Comment" }).check(
  z.refine((v: string) => /\S/.test(v), { message: "Comment must not be blank" }),
);

/**
 * A new comment: `body`, up to 4 `media` references (`{ id }` of `media.upload`), and `parentId`
 * to reply to a top-level comment of the same post. Pass your own `id` to make retries idempotent.
 *
 * @example
 * ```ts
 * const input = CommentCreateSchema.parse({ body: 'Same here!', parentId: comment.id })
 * ```
 */
export const CommentCreateSchema = z.strictObject({
  id: z.optional(UuidSchema),
  body: CommentBodySchema,
  media: z.optional(z.array(MediaRefSchema).check(z.maxLength(4, "At most 4 media items"))),
  parentId: z.optional(UuidSchema),
});
/**
 * Input of `comments.create`.
 *
 * @example
 * ```ts
 * const input: CommentCreate = { body: 'Nice pace!' }
 * ```
 */
export type CommentCreate = z.input<typeof CommentCreateSchema>;

const SELECT = "*, author:profiles!comments_author_id_fkey(id, handle, display_name, avatar_path)";

type CommentWithAuthor = CommentRow & { author: AuthorRow | AuthorRow[] | null };
/** A comment as the table (with the author embedded) or a list RPC (author as JSON) gives it. */
type CommentLike = Pick<
  CommentRow,
  "id" | "post_id" | "parent_id" | "author_id" | "body" | "reply_count" | "edited_at" | "created_at" | "updated_at"
> & { author: unknown; media: unknown };

function toComment(row: CommentLike): Comment {
  return {
    id: row.id,
    postId: row.post_id,
    parentId: row.parent_id,
    authorId: row.author_id,
    author: toProfileSummary(Array.isArray(row.author) ? one(row.author) : row.author),
    body: row.body,
    media: toMediaItems(row.media),
    replyCount: row.reply_count,
    editedAt: ts(row.edited_at),
    createdAt: normalizeTimestamp(row.created_at),
    updatedAt: normalizeTimestamp(row.updated_at),
  };
}

function commentNotFound() {
  return notFound("comment_not_found", "No such comment");
}

async function loadComment(ctx: NamespaceContext, id: string): Promise<SupasocialResult<Comment>> {
  const response = await ctx.social.from("comments").select(SELECT).eq("id", id).maybeSingle();
  if (response.error) return failFrom(response);
  const row = firstRow(response.data as unknown as CommentWithAuthor | null);
  return row ? ok(toComment(row)) : commentNotFound();
}

/**
 * `client.comments`: create, list, reply, edit, delete.
 *
 * @example
 * ```ts
 * const social = createSupasocialClient(supabase)
 * await social.comments.create(postId, { body: 'Well done!' })
 * ```
 */
export const commentsNamespace = defineNamespace("comments", (ctx) => ({
  /**
   * Comment on a post you see (in a group: as a member), or reply to a top-level comment
   * (`parentId`). The post's author (and the parent's author) are notified; `@handle`s are
   * mentions. Errors: `permission_denied`, `parent_not_found`, `invalid_parent`, `rate_limited`.
   *
   * @example
   * ```ts
   * const { data: comment } = await client.comments.create(postId, { body: 'Great pace!' })
   * await client.comments.create(postId, { body: 'Thanks!', parentId: comment!.id })
   * ```
   */
  create(postId: string, input: CommentCreate): Promise<SupasocialResult<Comment>> {
    return settle(async () => {
      const post = parseInput(UuidSchema, postId, "postId");
      if (post.error) return post;
      const parsed = parseInput(CommentCreateSchema, input, "input");
      if (parsed.error) return parsed;
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const response = await ctx.social
        .from("comments")
        .insert(
          defined({
            id: parsed.data.id,
            post_id: post.data,
            parent_id: parsed.data.parentId,
            author_id: me.data,
            body: parsed.data.body,
            media: parsed.data.media ? (toMediaRefs(parsed.data.media) as unknown as Json[]) : undefined,
          }),
        )
        .select(SELECT);
      if (response.error) return failFrom(response);
      const row = firstRow(response.data as unknown as CommentWithAuthor[] | null);
      return row ? ok(toComment(row)) : commentNotFound();
    });
  },

  /**
   * One comment you see (else `comment_not_found`).
   *
   * @example
   * ```ts
   * const { data: comment } = await client.comments.get(commentId)
   * ```
   */
  get(commentId: string): Promise<SupasocialResult<Comment>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, commentId, "commentId");
      if (id.error) return id;
      return loadComment(ctx, id.data);
    });
  },

  /**
   * The top-level comments of a post you see, oldest first (replies: `comments.replies`).
   *
   * @example
   * ```ts
   * const { data } = await client.comments.list(postId, { limit: 50 })
   * ```
   */
  list: scopedListMethod(async (postId: string, options?: ListOptions): Promise<SupasocialResult<Page<Comment>>> => {
    const id = parseInput(UuidSchema, postId, "postId");
    if (id.error) return id;
    const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
    if (parsed.error) return parsed;
    const response = await ctx.social.rpc("list_comments", {
      p_post_id: id.data,
      p_cursor: parsed.data.cursor ?? undefined,
      p_limit: parsed.data.limit,
    });
    if (response.error) return failFrom(response);
    return ok(toPage(response.data, toComment));
  }),

  /**
   * The replies to a top-level comment, oldest first.
   *
   * @example
   * ```ts
   * const { data } = await client.comments.replies(comment.id)
   * ```
   */
  replies: scopedListMethod(
    async (commentId: string, options?: ListOptions): Promise<SupasocialResult<Page<Comment>>> => {
      const id = parseInput(UuidSchema, commentId, "commentId");
      if (id.error) return id;
      const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("list_replies", {
        p_comment_id: id.data,
        p_cursor: parsed.data.cursor ?? undefined,
        p_limit: parsed.data.limit,
      });
      if (response.error) return failFrom(response);
      return ok(toPage(response.data, toComment));
    },
  ),

  /**
   * Edit your comment and return it. Errors: `comment_not_found`, `not_allowed`.
   *
   * @example
   * ```ts
   * await client.comments.update(commentId, 'Great pace (and form)!')
   * ```
   */
  update(commentId: string, body: string): Promise<SupasocialResult<Comment>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, commentId, "commentId");
      if (id.error) return id;
      const text = parseInput(CommentBodySchema, body, "body");
      if (text.error) return text;
      const response = await ctx.social.from("comments").update({ body: text.data }).eq("id", id.data).select("id");
      if (response.error) return failFrom(response);
      const comment = await loadComment(ctx, id.data);
      if (comment.error || firstRow(response.data)) return comment;
      return forbidden("not_allowed", "Only the author edits a comment");
    });
  },

  /**
   * Delete a comment (soft; a top-level comment takes its replies): yours, one on your post, or
   * as staff of the post's group. Idempotent. Errors: `comment_not_found`, `not_allowed`.
   *
   * @example
   * ```ts
   * await client.comments.delete(commentId)
   * ```
   */
  delete(commentId: string): Promise<SupasocialResult<null>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, commentId, "commentId");
      if (id.error) return id;
      const response = await ctx.social.rpc("delete_comment", { p_comment_id: id.data });
      if (response.error) return failFrom(response);
      return ok(null);
    });
  },
}));
