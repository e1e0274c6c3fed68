/**
 * The media edge functions on the local stack: the outside moderation hook's endpoint and the
 * clean-up job, called as a moderation service and a scheduler would (a bearer secret), against
 * real uploads.
 */
import { describe, expect, it } from "vitest";
import { gradientPng } from "../../seeds/png.ts";
import { signUp, unwrap } from "../fixtures/sdk.ts";
import { api } from "../helpers/api.ts";
import { sql } from "../helpers/db.ts";

function call(name: string, body: unknown, secret = api().secretKey) {
  return fetch(`${api().url}/functions/v1/${name}`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("media-moderation (the moderation hook's endpoint)", () => {
  it("a rejection takes an avatar off the profile and its public object out of Storage at once", async () => {
    const ana = await signUp("ana");
    const avatar = unwrap(
      await ana.client.media.upload(gradientPng(4, 4, [200, 10, 10]), { target: "profile", mimeType: "image/png" }),
    );
    unwrap(await ana.client.profiles.update({ avatarMediaId: avatar.id }));
    const publicUrl = ana.client.media.publicUrl(avatar.path);
    expect((await fetch(publicUrl)).status).toBe(200);

    const refused = await call("media-moderation", { mediaId: avatar.id, status: "rejected" }, "not-the-secret");
    expect(refused.status).toBe(401);
    await refused.body?.cancel();
    const bad = await call("media-moderation", { mediaId: avatar.id, status: "maybe" });
    expect([bad.status, (await bad.json()).code]).toEqual([400, "invalid_input"]);

    const res = await call("media-moderation", { mediaId: avatar.id, status: "rejected", reason: "not a face" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ mediaId: avatar.id, status: "rejected", removed: 1 });
    expect((await fetch(publicUrl)).ok).toBe(false);
    expect(unwrap(await ana.client.profiles.me()).avatarPath).toBeNull();
    const [log] = await sql`
      select actor_id, action::text, reason from social.moderation_log where target_id = ${avatar.id}`;
    expect(log).toEqual({ actor_id: null, action: "media_rejected", reason: "not a face" });
  });

  it("an unknown media id comes back as the database's code", async () => {
    const res = await call("media-moderation", { mediaId: "0b2f5a8e-2c7d-4e61-9a53-3f1f0c6b9d21", status: "approved" });
    expect([res.status, (await res.json()).code]).toEqual([404, "media_not_found"]);
  });
});

describe("media-cleanup (the clean-up job)", () => {
  it("removes uploads left unattached for a day, object and row; keeps attached ones", async () => {
    const ana = await signUp("ana");
    const upload = async () =>
      unwrap(await ana.client.media.upload(gradientPng(3, 3, [1, 2, 3]), { target: "post", mimeType: "image/png" }));
    const [stale, fresh, kept] = [await upload(), await upload(), await upload()];
    unwrap(await ana.client.posts.create({ body: "kept", media: [{ id: kept.id }] }));
    await sql`update social.media set created_at = now() - interval '25 hours' where id in (${stale.id}, ${kept.id})`;

    const denied = await call("media-cleanup", {}, api().publishableKey);
    expect(denied.status).toBe(401);
    await denied.body?.cancel();
    const res = await call("media-cleanup", {});
    expect(res.status).toBe(200);
    expect((await res.json()).removed).toBeGreaterThanOrEqual(1);

    const objects = await sql<{ name: string }[]>`
      select name from storage.objects where name in (${stale.path}, ${fresh.path}, ${kept.path})`;
    expect(objects.map((o) => o.name).sort()).toEqual([fresh.path, kept.path].sort());
    const rows = await sql<
      { id: string }[]
    >`select id from social.media where id in (${stale.id}, ${fresh.id}, ${kept.id})`;
    expect(rows.map((r) => r.id).sort()).toEqual([fresh.id, kept.id].sort());
    expect((await ana.supabase.storage.from(stale.bucket).download(stale.path)).error).not.toBeNull();
  });
});
