/**
 * `client.media`: photos and videos in Supabase Storage. An upload is announced first (the
 * database checks its type and size and fixes its path), then its bytes go to Storage; posts,
 * comments, avatars and group covers refer to it by id. Who may read a file is decided by the
 * database, exactly as for the content it is attached to.
 */
import * as z from "zod/mini";
import { Constants, type Database } from "../database.types.ts";
import { toSupasocialError } from "../errors.ts";
import { defineNamespace } from "../namespace.ts";
import { fail, failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { parseInput, textSchema, UuidSchema } from "../validation.ts";
import { notFound, toArray, toObject } from "./shared.ts";

type Social = Database["social"];
type MediaRow = Social["Tables"]["media"]["Row"];

/**
 * What media is for: `profile` (an avatar), `group_cover`, `group` (a group's album), `post`,
 * `comment`, `event`, `message`.
 *
 * @example
 * ```ts
 * const target: MediaTarget = 'post'
 * ```
 */
export type MediaTarget = Social["Enums"]["media_target"];

/** `pending` (only you see it), `approved`, `rejected` (nobody sees it). */
export type MediaStatus = Social["Enums"]["media_status"];

/** The public bucket of avatars and group covers. */
export const AVATARS_BUCKET = "social-avatars";

/**
 * A media item as posts, comments and feeds list it: ready to render.
 *
 * @example
 * ```ts
 * const urls = await client.media.urls(post.media) // one call for a whole feed page
 * ```
 */
export interface MediaItem {
  id: string;
  bucket: string;
  path: string;
  type: "image" | "video";
  mimeType?: string;
  width?: number;
  height?: number;
  durationMs?: number;
  /** A blurhash or `#rrggbb` to show while loading. */
  placeholder?: string;
  alt?: string;
}

/**
 * A media row (`media.get`, `media.upload`).
 *
 * @example
 * ```ts
 * if (media.status === 'pending') showSpinner()
 * ```
 */
export interface Media {
  id: string;
  ownerId: string;
  bucket: string;
  path: string;
  kind: "image" | "video";
  mimeType: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  placeholder: string | null;
  status: MediaStatus;
  target: MediaTarget;
  /** What it is attached to; null while unattached. */
  targetId: string | null;
  groupId: string | null;
  uploadedAt: string | null;
  createdAt: string;
}

/**
 * A reference to uploaded media in a post's or comment's `media` list: its id and an alt text.
 * Items read back from a post (`MediaItem`) are accepted as they are.
 *
 * @example
 * ```ts
 * MediaRefSchema.parse({ id: media.id, alt: 'Finish line' })
 * ```
 */
export const MediaRefSchema = z.object({
  id: UuidSchema,
  alt: z.optional(textSchema({ max: 1000, label: "Media alt text" })),
});

/** A reference to uploaded media: `{ id, alt? }`. */
export type MediaRef = z.input<typeof MediaRefSchema>;

const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));
const dimension = int(1, 20_000);

/**
 * Options of `media.upload` and `media.createUploadUrl`: what the file is for (`target`; a
 * group's album also needs `groupId`), its MIME type when the body does not carry one, and what
 * the client knows of it.
 *
 * @example
 * ```ts
 * MediaUploadOptionsSchema.parse({ target: 'post', width: 1080, height: 1350 })
 * ```
 */
export const MediaUploadOptionsSchema = z.strictObject({
  target: z.enum(Constants.social.Enums.media_target),
  mimeType: z.optional(z.string().check(z.minLength(3), z.maxLength(100))),
  groupId: z.optional(UuidSchema),
  width: z.optional(dimension),
  height: z.optional(dimension),
  durationMs: z.optional(int(0, 86_400_000)),
  placeholder: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

/** Options of `media.upload`. */
export type MediaUploadOptions = z.input<typeof MediaUploadOptionsSchema>;

/** What `media.upload` takes: a `Blob`/`File` (web), or bytes (`ArrayBuffer`, e.g. from base64 in React Native). */
export type MediaBody = Blob | ArrayBuffer | Uint8Array;

/** A signed upload URL for a large file (`media.createUploadUrl`). */
export interface MediaUploadUrl {
  media: Media;
  /** PUT the bytes here (or `supabase.storage.from(bucket).uploadToSignedUrl(path, token, file)`). */
  signedUrl: string;
  token: string;
}

/** Turn a media row into `Media`. */
export function toMedia(row: MediaRow): Media {
  return {
    id: row.id,
    ownerId: row.owner_id,
    bucket: row.bucket_id,
    path: row.path,
    kind: row.kind,
    mimeType: row.mime_type,
    sizeBytes: Number(row.size_bytes),
    width: row.width,
    height: row.height,
    durationMs: row.duration_ms,
    placeholder: row.placeholder,
    status: row.status,
    target: row.target_type,
    targetId: row.target_id,
    groupId: row.group_id,
    uploadedAt: row.uploaded_at ? normalizeTimestamp(row.uploaded_at) : null,
    createdAt: normalizeTimestamp(row.created_at),
  };
}

/** A post's or comment's `media` JSON as `MediaItem`s (items without a path are left out). */
export function toMediaItems(value: unknown): MediaItem[] {
  return toArray(value).flatMap((item): MediaItem[] => {
    const m = toObject(item);
    if (typeof m.id !== "string" || typeof m.bucket !== "string" || typeof m.path !== "string") return [];
    const out: MediaItem = { id: m.id, bucket: m.bucket, path: m.path, type: m.type === "video" ? "video" : "image" };
    if (typeof m.mime_type === "string") out.mimeType = m.mime_type;
    if (typeof m.width === "number") out.width = m.width;
    if (typeof m.height === "number") out.height = m.height;
    if (typeof m.duration_ms === "number") out.durationMs = m.duration_ms;
    if (typeof m.placeholder === "string") out.placeholder = m.placeholder;
    if (typeof m.alt === "string") out.alt = m.alt;
    return [out];
  });
}

/** A `media` list as the database takes it: `{ id, alt? }` items. */
export function toMediaRefs(list: readonly { id: string; alt?: string | undefined }[]): { id: string; alt?: string }[] {
  return list.map((m) => (m.alt === undefined ? { id: m.id } : { id: m.id, alt: m.alt }));
}

/**
 * `client.media`: upload, signed upload URLs, display URLs, get, remove, moderate.
 *
 * @example
 * ```ts
 * const { data: photo } = await social.media.upload(file, { target: 'post' })
 * await social.posts.create({ body: 'Done!', media: [{ id: photo!.id }] })
 * ```
 */
export const mediaNamespace = defineNamespace("media", (ctx) => {
  const storage = () => ctx.supabase.storage;

  async function announce(options: MediaUploadOptions, mimeType: string | undefined, size: number) {
    const parsed = parseInput(MediaUploadOptionsSchema, options, "options");
    if (parsed.error) return parsed;
    const o = parsed.data;
    const response = await ctx.social.rpc("create_media", {
      p_target: o.target,
      p_mime_type: o.mimeType ?? mimeType ?? "",
      p_size_bytes: size,
      p_width: o.width,
      p_height: o.height,
      p_duration_ms: o.durationMs,
      p_placeholder: o.placeholder,
      p_group_id: o.groupId,
    });
    if (response.error) return failFrom(response);
    return ok(response.data as unknown as MediaRow);
  }

  async function get(id: string): Promise<SupasocialResult<Media>> {
    const response = await ctx.social.from("media").select("*").eq("id", id).maybeSingle();
    if (response.error) return failFrom(response);
    return response.data ? ok(toMedia(response.data)) : notFound("media_not_found", "No such media");
  }

  return {
    /**
     * Upload a photo or video: announce it (`media_type_not_allowed`, `media_too_large`,
     * `rate_limited` come back before any byte is sent), send its bytes to Storage, and return the
     * stored media (`status` approved unless an outside moderation service holds it `pending`).
     * Attach it by id: `posts.create({ media: [{ id }] })`, `profiles.update({ avatarMediaId })`.
     *
     * @example
     * ```ts
     * // React Native: bytes from base64 (Blob uploads do not work there)
     * const { data, error } = await social.media.upload(decode(base64), { target: 'post', mimeType: 'image/jpeg' })
     * ```
     */
    upload(body: MediaBody, options: MediaUploadOptions): Promise<SupasocialResult<Media>> {
      return settle(async () => {
        const blobType = typeof Blob !== "undefined" && body instanceof Blob ? body.type : undefined;
        const bytes = blobType !== undefined ? await (body as Blob).arrayBuffer() : (body as ArrayBuffer | Uint8Array);
        const row = await announce(options, blobType || undefined, bytes.byteLength);
        if (row.error) return row;
        const { error } = await storage()
          .from(row.data.bucket_id)
          .upload(row.data.path, bytes, { contentType: row.data.mime_type, upsert: false });
        if (error) {
          await ctx.social.rpc("delete_media", { p_media_id: row.data.id });
          return fail(toSupasocialError(error));
        }
        return get(row.data.id);
      });
    },

    /**
     * Announce a large file and get a signed URL to PUT its bytes to (valid two hours), e.g. from a
     * background upload on a phone. `sizeBytes` is checked against the bucket's limit.
     *
     * @example
     * ```ts
     * const { data } = await social.media.createUploadUrl({ target: 'post', mimeType: 'video/mp4', sizeBytes: file.size })
     * await supabase.storage.from(data!.media.bucket).uploadToSignedUrl(data!.media.path, data!.token, file)
     * ```
     */
    createUploadUrl(options: MediaUploadOptions & { sizeBytes: number }): Promise<SupasocialResult<MediaUploadUrl>> {
      return settle(async () => {
        const { sizeBytes, ...rest } = options;
        const size = parseInput(int(1, Number.MAX_SAFE_INTEGER), sizeBytes, "sizeBytes");
        if (size.error) return size;
        const row = await announce(rest, undefined, size.data);
        if (row.error) return row;
        const { data, error } = await storage().from(row.data.bucket_id).createSignedUploadUrl(row.data.path);
        if (error) return fail(toSupasocialError(error));
        return ok({ media: toMedia(row.data), signedUrl: data.signedUrl, token: data.token });
      });
    },

    /**
     * URLs to show media (a whole feed page at once): public URLs for avatars and covers, signed
     * URLs (one Storage call per bucket) for the rest. `data[i]` is the URL of `items[i]`, or null
     * when you may not read it (rejected, deleted, hidden from you).
     *
     * @example
     * ```ts
     * const items = page.items.flatMap((p) => p.media)
     * const { data: urls } = await social.media.urls(items, { expiresIn: 3600 })
     * ```
     */
    urls(
      items: readonly { bucket: string; path: string }[],
      options: { expiresIn?: number } = {},
    ): Promise<SupasocialResult<(string | null)[]>> {
      return settle(async () => {
        const expiresIn = parseInput(int(1, 604_800), options.expiresIn ?? 3600, "expiresIn");
        if (expiresIn.error) return expiresIn;
        const out: (string | null)[] = items.map(() => null);
        const byBucket = new Map<string, number[]>();
        items.forEach((item, i) => {
          if (item.bucket === AVATARS_BUCKET) {
            out[i] = storage().from(item.bucket).getPublicUrl(item.path).data.publicUrl;
          } else {
            byBucket.set(item.bucket, [...(byBucket.get(item.bucket) ?? []), i]);
          }
        });
        for (const [bucket, indexes] of byBucket) {
          const paths = [...new Set(indexes.map((i) => items[i]?.path ?? ""))];
          const { data, error } = await storage().from(bucket).createSignedUrls(paths, expiresIn.data);
          if (error) return fail(toSupasocialError(error));
          const signed = new Map(data.map((d) => [d.path, d.error ? null : d.signedUrl]));
          for (const i of indexes) out[i] = signed.get(items[i]?.path ?? "") ?? null;
        }
        return ok(out);
      });
    },

    /**
     * The public URL of an avatar or group cover path (`profile.avatarPath`); no request.
     *
     * @example
     * ```ts
     * <Image source={{ uri: social.media.publicUrl(profile.avatarPath!) }} />
     * ```
     */
    publicUrl(path: string): string {
      return storage().from(AVATARS_BUCKET).getPublicUrl(path).data.publicUrl;
    },

    /**
     * One media row you may see (your own always, with its status). Error: `media_not_found`.
     *
     * @example
     * ```ts
     * const { data } = await social.media.get(id)
     * ```
     */
    get(id: string): Promise<SupasocialResult<Media>> {
      return settle(async () => {
        const parsed = parseInput(UuidSchema, id, "id");
        if (parsed.error) return parsed;
        return get(parsed.data);
      });
    },

    /**
     * Delete media: yours, or (staff) media in your group. The file goes through Storage at once
     * when it is readable, else with the next clean-up run. Errors: `media_not_found`, `not_allowed`.
     *
     * @example
     * ```ts
     * await social.media.remove(media.id)
     * ```
     */
    remove(id: string): Promise<SupasocialResult<null>> {
      return settle(async () => {
        const parsed = parseInput(UuidSchema, id, "id");
        if (parsed.error) return parsed;
        const row = await ctx.social.from("media").select("bucket_id, path").eq("id", parsed.data).maybeSingle();
        if (row.error) return failFrom(row);
        if (row.data) {
          const removed = await storage().from(row.data.bucket_id).remove([row.data.path]);
          if (removed.error) return fail(toSupasocialError(removed.error));
          if ((removed.data ?? []).length > 0) return ok(null);
        }
        const response = await ctx.social.rpc("delete_media", { p_media_id: parsed.data });
        return response.error ? failFrom(response) : ok(null);
      });
    },

    /**
     * Approve or reject media with a reason (the media's group staff; logged in the moderation
     * log). Rejected media is unreadable everywhere. Errors: `media_not_found`, `not_allowed`.
     *
     * @example
     * ```ts
     * await social.media.moderate(mediaId, 'rejected', { reason: 'nudity' })
     * ```
     */
    moderate(id: string, status: "approved" | "rejected", options: { reason?: string } = {}) {
      return settle(async (): Promise<SupasocialResult<Media>> => {
        const parsed = parseInput(UuidSchema, id, "id");
        if (parsed.error) return parsed;
        const response = await ctx.social.rpc("moderate_media", {
          p_media_id: parsed.data,
          p_status: status,
          p_reason: options.reason,
        });
        if (response.error) return failFrom(response);
        return ok(toMedia(response.data as unknown as MediaRow));
      });
    },
  };
});
