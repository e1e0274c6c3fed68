/**
 * `client.posts`: posts on your profile or in a group (text, activities, milestones, shared
 * events and trips) with media; edits keep revisions; deletion is soft. A post comes back in
 * the shape feeds use (`Post`): counts, author, group and your own reactions.
 */
import * as z from "zod/mini";
import { Constants, type Database, type Json } from "../database.types.ts";
import { defineNamespace, type NamespaceContext } from "../namespace.ts";
import { type Page, scopedListMethod, toPage } from "../pagination.ts";
import { failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { type ListOptions, ListOptionsSchema, parseInput, textSchema, UuidSchema } from "../validation.ts";
import { type MediaItem, MediaRefSchema, toMediaItems, toMediaRefs } from "./media.ts";
import type { ReactionKind } from "./reactions.ts";
import {
  defined,
  firstRow,
  forbidden,
  notFound,
  type ProfileSummary,
  toObject,
  toProfileSummary,
  ts,
} from "./shared.ts";

type Social = Database["social"];
type FeedRow = Social["Functions"]["home_feed"]["Returns"][number];

// =============================================================================================
// types
// =============================================================================================

/**
 * `text`, `activity` (e.g. a workout, payload in `data`), `milestone`, `event` or `trip`
 * (sharing one: `refType`/`refId` point at it).
 *
 * @example
 * ```ts
 * const kind: PostKind = 'activity'
 * ```
 */
export type PostKind = Social["Enums"]["post_kind"];

/**
 * Outside a group: `public`, `followers` or `private` (you only). In a group: `group` (its
 * readers) or `private` (you, and the trainer of a coaching group).
 *
 * @example
 * ```ts
 * const visibility: PostVisibility = 'followers'
 * ```
 */
export type PostVisibility = Social["Enums"]["post_visibility"];

/**
 * One image or video of a post, ready to render (`media.urls` turns a page of them into URLs).
 *
 * @example
 * ```ts
 * const photo: PostMedia = post.media[0]!
 * ```
 */
export type PostMedia = MediaItem;

/**
 * The group a post is in, as feeds show it.
 *
 * @example
 * ```ts
 * post.group && `in ${post.group.name}`
 * ```
 */
export interface GroupSummary {
  id: string;
  name: string;
  avatarPath: string | null;
  kind: Social["Enums"]["group_kind"];
}

/**
 * A post as feeds and `posts.get` return it.
 *
 * @example
 * ```ts
 * const { data: post } = await client.posts.get(postId)
 * post && `${post.author.displayName}: ${post.body} · ${post.reactionCount} reactions, ${post.commentCount} comments`
 * ```
 */
export interface Post {
  id: string;
  authorId: string;
  /** The group it is in; null for a post on the author's profile. */
  groupId: string | null;
  kind: PostKind;
  body: string | null;
  /** Structured payload (a JSON object), e.g. a workout. */
  data: { [key: string]: Json | undefined } | null;
  refType: string | null;
  refId: string | null;
  media: PostMedia[];
  visibility: PostVisibility;
  /** Reactions per kind; kinds without any are absent. */
  reactionCounts: Partial<Record<ReactionKind, number>>;
  reactionCount: number;
  commentCount: number;
  /** The `top` order's score. */
  hotScore: number;
  /** When the body or media last changed; null if never. */
  editedAt: string | null;
  createdAt: string;
  author: ProfileSummary;
  group: GroupSummary | null;
  /** Your own reactions to it. */
  myReactions: ReactionKind[];
}

/**
 * An earlier version of a post: the body and media it had until `createdAt`.
 *
 * @example
 * ```ts
 * const { data } = await client.posts.revisions(postId)
 * ```
 */
export interface PostRevision {
  id: string;
  postId: string;
  body: string | null;
  media: PostMedia[];
  editedBy: string | null;
  createdAt: string;
}

// =============================================================================================
// schemas
// =============================================================================================

/**
 * A post kind.
 *
 * @example
 * ```ts
 * PostKindSchema.parse('milestone')
 * ```
 */
export const PostKindSchema = z.enum(Constants.social.Enums.post_kind);

/**
 * A post visibility.
 *
 * @example
 * ```ts
 * PostVisibilitySchema.options // ['public', 'followers', 'group', 'private']
 * ```
 */
export const PostVisibilitySchema = z.enum(Constants.social.Enums.post_visibility);

/**
 * A post's text: 1-5000 characters, not only blanks.
 *
 * @example
 * ```ts
 * PostBodySchema.safeParse('   ').success // false
 * ```
 */
export const PostBodySchema = textSchema({ min: 1, max: 5000, label: "Post text" }).check(
  z.refine((v: string) => /\S/.test(v), { message: "Post text must not be blank" }),
);

/**
 * Up to 10 media references `{ id, alt? }` (uploaded with `media.upload`); the items of a post
 * read back are accepted as they are.
 *
 * @example
 * ```ts
 * PostMediaListSchema.parse([{ id: photo.id, alt: 'Sunrise run' }])
 * ```
 */
export const PostMediaListSchema = z.array(MediaRefSchema).check(z.maxLength(10, "At most 10 media items"));

/** The database refuses a `data` object larger than this (jsonb size); JSON text is a close proxy. */
const MAX_DATA_JSON = 16 * 1024;

/**
 * A post's structured payload: a JSON object up to 16 KB.
 *
 * @example
 * ```ts
 * PostDataSchema.parse({ workout: 'run', km: 10.2, minutes: 52 })
 * ```
 */
export const PostDataSchema = z
  .record(z.string(), z.json())
  .check(
    z.refine((data) => JSON.stringify(data).length <= MAX_DATA_JSON, { message: "data must be at most 16 KB of JSON" }),
  );

/**
 * A new post. Outside a group `visibility` is `public` (default), `followers` or `private`; in
 * a group (`groupId`) it is `group` (default) or `private`. A `text` post needs a body or media;
 * `event` and `trip` posts refer to theirs (`refType` equal to the kind, `refId`). Pass your own
 * `id` to make retries idempotent (a repeat is `conflict`).
 *
 * @example
 * ```ts
 * const form = PostCreateSchema.safeParse({ body: 'Ran 10k!', groupId })
 * if (form.success) await client.posts.create(form.data)
 * ```
 */
export const PostCreateSchema = z
  .strictObject({
    id: z.optional(UuidSchema),
    body: z.optional(PostBodySchema),
    groupId: z.optional(UuidSchema),
    kind: z.optional(PostKindSchema),
    visibility: z.optional(PostVisibilitySchema),
    data: z.optional(PostDataSchema),
    refType: z.optional(
      z
        .string()
        .check(
          z.regex(/^[a-z][a-z0-9_]{0,39}$/, "refType is a lowercase word (letters, digits, _), up to 40 characters"),
        ),
    ),
    refId: z.optional(UuidSchema),
    media: z.optional(PostMediaListSchema),
  })
  .check(
    z.superRefine((post, ctx) => {
      const kind = post.kind ?? "text";
      if (kind === "text" && post.body === undefined && (post.media ?? []).length === 0) {
        ctx.addIssue({ code: "custom", message: "A text post needs a text or media", path: ["body"] });
      }
      if ((post.refType === undefined) !== (post.refId === undefined)) {
        ctx.addIssue({ code: "custom", message: "refType and refId go together", path: ["refId"] });
      }
      if ((kind === "event" || kind === "trip") && post.refType !== kind) {
        ctx.addIssue({
          code: "custom",
          message: `A ${kind} post refers to its ${kind}: refType '${kind}' and refId`,
          path: ["refType"],
        });
      }
      if (post.groupId === undefined && post.visibility === "group") {
        ctx.addIssue({ code: "custom", message: "group visibility is for posts in a group", path: ["visibility"] });
      }
      if (post.groupId !== undefined && post.visibility === "followers") {
        ctx.addIssue({
          code: "custom",
          message: "Posts in a group are visible to the group or private",
          path: ["visibility"],
        });
      }
    }),
  );
/**
 * Input of `posts.create`.
 *
 * @example
 * ```ts
 * const input: PostCreate = { kind: 'activity', body: 'Morning run', data: { km: 8 } }
 * ```
 */
export type PostCreate = z.input<typeof PostCreateSchema>;

/**
 * A change to your post: `body` (`null` removes it when there is media), `media` (replaces the
 * list) and `visibility`.
 *
 * @example
 * ```ts
 * await client.posts.update(postId, PostUpdateSchema.parse({ body: 'Ran 10.5k actually' }))
 * ```
 */
export const PostUpdateSchema = z
  .strictObject({
    body: z.optional(z.nullable(PostBodySchema)),
    media: z.optional(PostMediaListSchema),
    visibility: z.optional(PostVisibilitySchema),
  })
  .check(z.refine((patch) => Object.values(patch).some((v) => v !== undefined), { message: "Nothing to change" }));
/**
 * Input of `posts.update`.
 *
 * @example
 * ```ts
 * const patch: PostUpdate = { visibility: 'private' }
 * ```
 */
export type PostUpdate = z.input<typeof PostUpdateSchema>;

// =============================================================================================
// mapping
// =============================================================================================

const REACTION_KINDS = new Set<string>(Constants.social.Enums.reaction_kind);

function toReactionCounts(value: unknown): Partial<Record<ReactionKind, number>> {
  const counts: Partial<Record<ReactionKind, number>> = {};
  for (const [kind, count] of Object.entries(toObject(value))) {
    if (REACTION_KINDS.has(kind) && typeof count === "number" && count > 0) counts[kind as ReactionKind] = count;
  }
  return counts;
}

function toMyReactions(value: unknown): ReactionKind[] {
  let list: unknown = value;
  // a Postgres array literal (`{like,fire}`) from servers that do not turn arrays into JSON
  if (typeof value === "string")
    list = value
      .replace(/^\{|\}$/g, "")
      .split(",")
      .filter(Boolean);
  return Array.isArray(list)
    ? (list.filter((k) => typeof k === "string" && REACTION_KINDS.has(k)) as ReactionKind[])
    : [];
}

function toGroupSummary(value: unknown): GroupSummary | null {
  const g = toObject(value);
  if (typeof g.id !== "string") return null;
  return {
    id: g.id,
    name: typeof g.name === "string" ? g.name : "",
    avatarPath: typeof g.avatar_path === "string" ? g.avatar_path : null,
    kind: (typeof g.kind === "string" ? g.kind : "general") as GroupSummary["kind"],
  };
}

/**
 * A row of the feed RPCs (`home_feed`, `group_feed`, `profile_feed`, `get_post`) as a `Post`.
 * Exported for apps that call those RPCs themselves.
 *
 * @example
 * ```ts
 * const { data: rows } = await supabase.schema('social').rpc('home_feed', { p_limit: 10 })
 * const posts = (rows ?? []).map(toPost)
 * ```
 */
export function toPost(row: FeedRow): Post {
  const data = row.data === null || row.data === undefined ? null : toObject(row.data);
  return {
    id: row.id,
    authorId: row.author_id,
    groupId: row.group_id ?? null,
    kind: row.kind,
    body: row.body ?? null,
    data,
    refType: row.ref_type ?? null,
    refId: row.ref_id ?? null,
    media: toMediaItems(row.media),
    visibility: row.visibility,
    reactionCounts: toReactionCounts(row.reaction_counts),
    reactionCount: row.reaction_count,
    commentCount: row.comment_count,
    hotScore: row.hot_score,
    editedAt: ts(row.edited_at),
    createdAt: normalizeTimestamp(row.created_at),
    author: toProfileSummary(row.author) ?? { id: row.author_id, handle: "", displayName: "", avatarPath: null },
    group: toGroupSummary(row.group),
    myReactions: toMyReactions(row.my_reactions),
  };
}

function postNotFound() {
  return notFound("post_not_found", "No such post");
}

/** One post in the feed shape, or `post_not_found` when you may not see it. */
async function loadPost(ctx: NamespaceContext, postId: string): Promise<SupasocialResult<Post>> {
  const response = await ctx.social.rpc("get_post", { p_post_id: postId });
  if (response.error) return failFrom(response);
  const row = firstRow(response.data);
  return row ? ok(toPost(row)) : postNotFound();
}

// =============================================================================================
// the namespace
// =============================================================================================

/**
 * `client.posts`: create, get, edit, delete posts and read their revisions.
 *
 * @example
 * ```ts
 * const social = createSupasocialClient(supabase)
 * const { data: post } = await social.posts.create({ body: 'First 10k!' })
 * ```
 */
export const postsNamespace = defineNamespace("posts", (ctx) => ({
  /**
   * Post on your profile, or in a group you are an active member of, and return it as feeds
   * show it. `@handle` mentions notify those users. Errors: `permission_denied` (not a member
   * of the group), `rate_limited`, `invalid_body`, `invalid_media`, `invalid_visibility`.
   *
   * @example
   * ```ts
   * const { data: post, error } = await client.posts.create({
   *   groupId,
   *   body: 'Intervals done: 6×800m',
   *   media: [{ path: `${me}/track.jpg`, type: 'image' }],
   * })
   * ```
   */
  create(input: PostCreate): Promise<SupasocialResult<Post>> {
    return settle(async () => {
      const parsed = parseInput(PostCreateSchema, input, "input");
      if (parsed.error) return parsed;
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const p = parsed.data;
      const response = await ctx.social
        .from("posts")
        .insert(
          defined({
            id: p.id,
            author_id: me.data,
            group_id: p.groupId,
            kind: p.kind,
            body: p.body,
            data: p.data as Json | undefined,
            ref_type: p.refType,
            ref_id: p.refId,
            media: p.media ? (toMediaRefs(p.media) as unknown as Json[]) : undefined,
            visibility: p.visibility,
          }),
        )
        .select("id");
      if (response.error) return failFrom(response);
      const row = firstRow(response.data);
      if (!row) return postNotFound();
      return loadPost(ctx, row.id);
    });
  },

  /**
   * A post you may see, with counts, author, group and your reactions; `post_not_found` when it
   * is not there, deleted or hidden from you.
   *
   * @example
   * ```ts
   * const { data: post, error } = await client.posts.get(postId)
   * if (error?.code === 'post_not_found') return notFound()
   * ```
   */
  get(postId: string): Promise<SupasocialResult<Post>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, postId, "postId");
      if (id.error) return id;
      return loadPost(ctx, id.data);
    });
  },

  /**
   * Edit your post (body, media, visibility) and return it; the earlier version becomes a
   * revision. Errors: `post_not_found`, `not_allowed` (someone else's post).
   *
   * @example
   * ```ts
   * const { data: post } = await client.posts.update(postId, { body: 'Ran 10.5k actually' })
   * post?.editedAt // set
   * ```
   */
  update(postId: string, patch: PostUpdate): Promise<SupasocialResult<Post>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, postId, "postId");
      if (id.error) return id;
      const parsed = parseInput(PostUpdateSchema, patch, "patch");
      if (parsed.error) return parsed;
      const { body, media, visibility } = parsed.data;
      const response = await ctx.social
        .from("posts")
        .update(defined({ body, media: media ? (toMediaRefs(media) as unknown as Json[]) : undefined, visibility }))
        .eq("id", id.data)
        .select("id");
      if (response.error) return failFrom(response);
      const post = await loadPost(ctx, id.data);
      if (post.error || firstRow(response.data)) return post;
      return forbidden("not_allowed", "Only the author edits a post");
    });
  },

  /**
   * Delete a post (soft): yours, or as staff of its group (then it is logged as a moderation
   * action; `moderation.removePost` adds a reason). It disappears from every feed. Idempotent.
   * Errors: `post_not_found`, `not_allowed`.
   *
   * @example
   * ```ts
   * const { error } = await client.posts.delete(postId)
   * ```
   */
  delete(postId: string): Promise<SupasocialResult<null>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, postId, "postId");
      if (id.error) return id;
      const response = await ctx.social.rpc("delete_post", { p_post_id: id.data });
      if (response.error) return failFrom(response);
      return ok(null);
    });
  },

  /**
   * Earlier versions of a post you see, newest first.
   *
   * @example
   * ```ts
   * const { data } = await client.posts.revisions(postId)
   * data?.items[0]?.body // the text before the last edit
   * ```
   */
  revisions: scopedListMethod(
    async (postId: string, options?: ListOptions): Promise<SupasocialResult<Page<PostRevision>>> => {
      const id = parseInput(UuidSchema, postId, "postId");
      if (id.error) return id;
      const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
      if (parsed.error) return parsed;
      const response = await ctx.social.rpc("list_post_revisions", {
        p_post_id: id.data,
        p_cursor: parsed.data.cursor ?? undefined,
        p_limit: parsed.data.limit,
      });
      if (response.error) return failFrom(response);
      return ok(
        toPage(
          response.data,
          (row): PostRevision => ({
            id: row.id,
            postId: row.post_id,
            body: row.body,
            media: toMediaItems(row.media),
            editedBy: row.edited_by,
            createdAt: normalizeTimestamp(row.created_at),
          }),
        ),
      );
    },
  ),
}));
