/**
 * The media seed: avatars for about 70% of users and 1-3 photos on about 20% of posts, as media
 * rows (approved, attached) and storage.objects rows, set-wise in SQL (deterministic: picked and
 * named by md5 of the owner or post id), so it is as cheap at benchmark scale as at demo scale.
 * `npm start` then sends the bytes of the demo's objects through the Storage API
 * (`uploadSeedMedia`): small gradient PNGs in each item's placeholder colour.
 */
import { createHash } from "node:crypto";
import type postgres from "postgres";
import { gradientPng } from "./png.ts";
import type { SeedExtension, SeededUser } from "./seed.ts";

/** md5 in hex, as Postgres' md5(text). */
function md5(text: string): string {
  return createHash("md5").update(text).digest("hex");
}

/** A uuid from 32 hex digits, as Postgres' md5(...)::uuid. */
function hexUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The `media` list of a seeded post (JSON), loaded with the post's row: exactly the photos that
 * seedMedia inserts for it below (1-3 for about a fifth of posts, picked and named by md5 of the
 * post id), in the shape the media domain writes, so no post is updated after the load.
 */
export function postMediaList(postId: string, authorId: string): string {
  const digest = md5(postId);
  if (Number.parseInt(digest.slice(0, 2), 16) >= 51) return "[]";
  const n = 1 + (Number.parseInt(digest.slice(2, 4), 16) % 3);
  const ids = Array.from({ length: n }, (_, k) => hexUuid(md5(`${postId}:${k + 1}`))).sort();
  return JSON.stringify(
    ids.map((id) => ({
      id,
      bucket: "social-posts",
      path: `${authorId}/${id}.png`,
      type: "image",
      mime_type: "image/png",
      width: 96,
      height: 72,
      placeholder: `#${md5(id).slice(0, 6)}`,
    })),
  );
}

/** Objects the seed made whose bytes are not stored yet carry this `version`. */
export const SEED_VERSION = "supasocial-seed";

/** The seed extension (registered by domains.ts after the posts it decorates). */
export const seedMedia: SeedExtension = async (tx: postgres.TransactionSql, users: SeededUser[]) => {
  const ids = users.map((u) => u.id);
  const avatars = await tx`
    insert into social.media (id, owner_id, bucket_id, path, kind, mime_type, size_bytes, width, height,
                              placeholder, status, target_type, target_id, uploaded_at, attached_at,
                              created_at, updated_at)
    select x.id, x.owner, 'social-avatars', x.owner || '/' || x.id || '.png', 'image', 'image/png', 700,
           64, 64, '#' || substr(md5(x.id::text), 1, 6), 'approved', 'profile', x.owner, x.at, x.at, x.at, x.at
    from (
      select md5('avatar:' || p.id)::uuid as id, p.id as owner, p.created_at as at
      from social.profiles p
      where p.id = any (${ids}::uuid[]) and get_byte(decode(md5(p.id::text), 'hex'), 0) < 179
    ) x`;
  await tx`
    update social.profiles p set avatar_media_id = m.id, avatar_path = m.path
    from social.media m
    where m.target_type = 'profile' and m.target_id = p.id and m.owner_id = any (${ids}::uuid[])`;
  const photos = await tx`
    insert into social.media (id, owner_id, bucket_id, path, kind, mime_type, size_bytes, width, height,
                              placeholder, status, target_type, target_id, group_id, uploaded_at,
                              attached_at, created_at, updated_at)
    select i.id, i.owner, 'social-posts', i.owner || '/' || i.id || '.png', 'image', 'image/png', 1500,
           96, 72, '#' || substr(md5(i.id::text), 1, 6), 'approved', 'post', i.post, i.grp, i.at, i.at, i.at, i.at
    from (
      select md5(p.id::text || ':' || k)::uuid as id, p.author_id as owner, p.id as post, p.group_id as grp,
             p.created_at as at
      from social.posts p
      cross join lateral generate_series(1, 1 + get_byte(decode(md5(p.id::text), 'hex'), 1) % 3) k
      where p.author_id = any (${ids}::uuid[]) and get_byte(decode(md5(p.id::text), 'hex'), 0) < 51
    ) i`;
  // the posts' media lists were loaded with the posts (postMediaList)
  await tx`
    insert into storage.objects (bucket_id, name, owner, owner_id, metadata, version, created_at, updated_at,
                                 last_accessed_at)
    select m.bucket_id, m.path, m.owner_id, m.owner_id::text,
           jsonb_build_object('size', m.size_bytes, 'contentLength', m.size_bytes, 'mimetype', m.mime_type,
                              'cacheControl', 'max-age=3600'),
           ${SEED_VERSION}, m.created_at, m.created_at, m.created_at
    from social.media m
    where m.owner_id = any (${ids}::uuid[])
    on conflict (bucket_id, name) do update set version = excluded.version, metadata = excluded.metadata`;
  // objects left by an earlier seed run's rows are in use again
  await tx`
    delete from social_private.media_trash t using social.media m
    where m.bucket_id = t.bucket_id and m.path = t.path and m.owner_id = any (${ids}::uuid[])`;
  return { media: avatars.count + photos.count };
};

/** The RGB of a `#rrggbb` placeholder. */
function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * Store the bytes of the seed's objects that have none yet with `upload` (`npm start`: the Storage
 * API as the service role, with upsert, after loading the demo data). Returns how many were sent.
 */
export async function uploadSeedMedia(
  sql: postgres.Sql,
  upload: (bucket: string, path: string, bytes: Uint8Array<ArrayBuffer>) => Promise<void>,
): Promise<number> {
  const rows = await sql<{ bucket_id: string; path: string; width: number; height: number; placeholder: string }[]>`
    select m.bucket_id, m.path, m.width, m.height, m.placeholder
    from storage.objects o join social.media m on m.bucket_id = o.bucket_id and m.path = o.name
    where o.version = ${SEED_VERSION}`;
  let sent = 0;
  const queue = [...rows];
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      const top = rgb(row.placeholder);
      const bytes = gradientPng(row.width, row.height, top, [top[0] >> 1, top[1] >> 1, top[2] >> 1]);
      await upload(row.bucket_id, row.path, bytes);
      sent++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  // the sizes Storage measured
  await sql`
    update social.media m set size_bytes = (social_private.jsonb_arg(o.metadata) ->> 'size')::bigint
    from storage.objects o
    where o.bucket_id = m.bucket_id and o.name = m.path and o.version <> ${SEED_VERSION}
      and social_private.jsonb_arg(o.metadata) ->> 'size' ~ '^[0-9]+$'
      and m.size_bytes <> (social_private.jsonb_arg(o.metadata) ->> 'size')::bigint`;
  return sent;
}
