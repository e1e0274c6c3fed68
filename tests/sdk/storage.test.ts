/**
 * The local Storage API (@supabase/lite's experimental Storage behind the front door's shim,
 * scripts/lib/storage-compat.ts) through plain supabase-js, method by method: what an app does with
 * `supabase.storage` behaves as on Supabase Storage, and the README's list of differences is
 * what these tests pin down. Every object here belongs to a media row (social.create_media), as our
 * policies require.
 */
import { describe, expect, test } from "vitest";
import { gradientPng } from "../../seeds/png.ts";
import { session, signUp, type TestUser } from "../fixtures/sdk.ts";
import { api } from "../helpers/api.ts";

interface Announced {
  id: string;
  bucket_id: string;
  path: string;
}

async function announce(user: TestUser, target: string, mime = "image/png", size = 100): Promise<Announced> {
  const { data, error } = await user.supabase
    .schema("social")
    .rpc("create_media", { p_target: target as never, p_mime_type: mime, p_size_bytes: size });
  if (error) throw error;
  return data as unknown as Announced;
}

const bytes = gradientPng(3, 3, [10, 200, 30]);

describe("supabase.storage against the local stack", () => {
  test("upload (bytes and Blob/multipart), download, info, exists, list: as on Supabase", async () => {
    const ana = await signUp("ana");
    const a = await announce(ana, "post");
    const up = await ana.supabase.storage.from(a.bucket_id).upload(a.path, bytes, { contentType: "image/png" });
    expect(up.error).toBeNull();
    expect(up.data).toMatchObject({ path: a.path, fullPath: `${a.bucket_id}/${a.path}` });
    const b = await announce(ana, "post");
    const blob = await ana.supabase.storage
      .from(b.bucket_id)
      .upload(b.path, new Blob([bytes], { type: "image/png" }), { cacheControl: "60" });
    expect(blob.error).toBeNull();
    for (const m of [a, b]) {
      const dl = await ana.supabase.storage.from(m.bucket_id).download(m.path);
      expect(new Uint8Array(await dl.data!.arrayBuffer())).toEqual(bytes);
    }
    const info = await ana.supabase.storage.from(a.bucket_id).info(a.path);
    expect(info.error).toBeNull();
    expect(await ana.supabase.storage.from(a.bucket_id).exists(a.path)).toMatchObject({ data: true });
    const listed = await ana.supabase.storage.from(a.bucket_id).list(ana.id);
    expect(listed.data?.map((o) => o.name).sort()).toEqual([a.path, b.path].map((p) => p.split("/")[1]).sort());
    // the size and type Storage recorded reach the media row
    const row = await ana.supabase
      .schema("social")
      .from("media")
      .select("size_bytes, mime_type, status")
      .eq("id", b.id);
    expect(row.data).toEqual([{ size_bytes: bytes.byteLength, mime_type: "image/png", status: "approved" }]);
  });

  test("createSignedUrl, createSignedUrls (one request) and getPublicUrl serve the bytes without a session", async () => {
    const ana = await signUp("ana");
    const a = await announce(ana, "post");
    await ana.supabase.storage.from(a.bucket_id).upload(a.path, bytes, { contentType: "image/png" });
    const one = await ana.supabase.storage.from(a.bucket_id).createSignedUrl(a.path, 60);
    expect(one.data?.signedUrl).toMatch(
      new RegExp(`^${api().url}/storage/v1/object/sign/${a.bucket_id}/${a.path}\\?token=`),
    );
    const many = await ana.supabase.storage.from(a.bucket_id).createSignedUrls([a.path, `${ana.id}/missing.png`], 60);
    expect(many.data?.map((d) => [d.path, d.error, typeof d.signedUrl])).toEqual([
      [a.path, null, "string"],
      [`${ana.id}/missing.png`, "Object not found", "object"],
    ]);
    for (const url of [one.data!.signedUrl, many.data![0]!.signedUrl!]) {
      const res = await fetch(url);
      expect(res.headers.get("content-type")).toBe("image/png");
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    }
    const forged = await fetch(one.data!.signedUrl.replace(/token=.{8}/, "token=xxxxxxxx"));
    expect(forged.ok).toBe(false);
    // the batch asks RLS as the caller: anon gets nothing; a bad token is refused outright
    const anon = await session().supabase.storage.from(a.bucket_id).createSignedUrls([a.path], 60);
    expect(anon.data).toEqual([{ path: a.path, signedURL: null, signedUrl: null, error: "Object not found" }]);
    const bad = await fetch(`${api().url}/storage/v1/object/sign/${a.bucket_id}`, {
      method: "POST",
      headers: { apikey: api().publishableKey, authorization: "Bearer a.b.c", "content-type": "application/json" },
      body: JSON.stringify({ expiresIn: 60, paths: [a.path] }),
    });
    expect([bad.status, (await bad.json()).statusCode]).toEqual([401, "401"]);
    const avatar = await announce(ana, "profile");
    await ana.supabase.storage.from(avatar.bucket_id).upload(avatar.path, bytes, { contentType: "image/png" });
    const pub = ana.supabase.storage.from(avatar.bucket_id).getPublicUrl(avatar.path).data.publicUrl;
    const res = await fetch(pub);
    expect(res.status).toBe(200);
    // a private bucket has no public URL
    expect((await fetch(ana.supabase.storage.from(a.bucket_id).getPublicUrl(a.path).data.publicUrl)).ok).toBe(false);
  });

  test("createSignedUploadUrl + uploadToSignedUrl, with a Blob too", async () => {
    const ana = await signUp("ana");
    const a = await announce(ana, "comment");
    const signed = await ana.supabase.storage.from(a.bucket_id).createSignedUploadUrl(a.path);
    expect(signed.error).toBeNull();
    const sent = await session()
      .supabase.storage.from(a.bucket_id)
      .uploadToSignedUrl(a.path, signed.data!.token, new Blob([bytes], { type: "image/png" }));
    expect(sent.error).toBeNull();
    const dl = await ana.supabase.storage.from(a.bucket_id).download(a.path);
    expect(new Uint8Array(await dl.data!.arrayBuffer())).toEqual(bytes);
  });

  test("RLS decides: no upsert, move or copy of media objects; remove by the owner only", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const a = await announce(ana, "post");
    await ana.supabase.storage.from(a.bucket_id).upload(a.path, bytes, { contentType: "image/png" });
    const upsert = await ana.supabase.storage.from(a.bucket_id).update(a.path, gradientPng(2, 2, [0, 0, 0]), {
      contentType: "image/png",
    });
    expect(upsert.error).not.toBeNull();
    expect((await ana.supabase.storage.from(a.bucket_id).move(a.path, `${ana.id}/moved.png`)).error).not.toBeNull();
    expect((await ana.supabase.storage.from(a.bucket_id).copy(a.path, `${ana.id}/copy.png`)).error).not.toBeNull();
    const theirs = await ben.supabase.storage.from(a.bucket_id).remove([a.path]);
    expect(theirs.data).toEqual([]);
    const mine = await ana.supabase.storage.from(a.bucket_id).remove([a.path]);
    expect(mine.data?.map((o) => o.name)).toEqual([a.path]);
    expect((await ana.supabase.storage.from(a.bucket_id).download(a.path)).error).not.toBeNull();
  });

  test("errors carry Storage's statusCode as on Supabase (HTTP 400 with the real status in the body)", async () => {
    const ana = await signUp("ana");
    const a = await announce(ana, "profile");
    const tooBig = await ana.supabase.storage
      .from(a.bucket_id)
      .upload(a.path, new Uint8Array(2 * 1024 * 1024 + 1), { contentType: "image/png" });
    expect(tooBig.error).toMatchObject({ status: 400, statusCode: "413" });
    const wrongType = await ana.supabase.storage.from(a.bucket_id).upload(a.path, bytes, { contentType: "image/tiff" });
    expect(wrongType.error).toMatchObject({ status: 400, statusCode: "415" });
    const denied = await ana.supabase.storage.from(a.bucket_id).upload(`${ana.id}/other.png`, bytes, {
      contentType: "image/png",
    });
    expect(denied.error).toMatchObject({ status: 400, statusCode: "403" });
    const missing = await ana.supabase.storage.from("no-such-bucket").download("x.png");
    expect(missing.error).toMatchObject({ status: 400, statusCode: "404" });
  });
});
