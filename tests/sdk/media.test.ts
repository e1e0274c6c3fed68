/**
 * `client.media` and plain `supabase.storage` against the live stack, with real bytes: upload,
 * read back, and who may read (owner, follower, stranger, blocked user, removed group member,
 * anon), an event's cover and photos (organizer, going attendee, follower, stranger, blocked
 * user, removed group member, anon), display URLs for a feed page, signed upload URLs, avatars,
 * removal, moderation, and
 * oversize or wrong-type files refused with codes on the list, by the database and by Storage.
 */
import { describe, expect, test } from "vitest";
import { withChat } from "../../client-sdk/src/chat.ts";
import { withEvents } from "../../client-sdk/src/events.ts";
import { type MediaItem, toSupasocialError } from "../../client-sdk/src/index.ts";
import { gradientPng } from "../../seeds/png.ts";
import { expectError, type Session, session, signUp, type TestUser, uniqueName, unwrap } from "../fixtures/sdk.ts";
import { api } from "../helpers/api.ts";

const png = (seed: number) => gradientPng(8, 6, [seed % 256, 90, 200], [20, (seed * 7) % 256, 60]);

/** Download `item` as `who` through supabase-js: the bytes, or the SDK's error code. */
async function read(who: Session, item: { bucket: string; path: string }): Promise<Uint8Array | string> {
  const { data, error } = await who.supabase.storage.from(item.bucket).download(item.path);
  if (error) return toSupasocialError(error).code;
  return new Uint8Array(await data.arrayBuffer());
}

async function uploadPhoto(
  user: TestUser,
  seed: number,
  target: "post" | "comment" | "profile" | "event" | "message" = "post",
) {
  const bytes = png(seed);
  const media = unwrap(await user.client.media.upload(bytes, { target, mimeType: "image/png", width: 8, height: 6 }));
  return { media, bytes };
}

describe("media: upload and read back", () => {
  test("an upload is stored as announced, approved, readable by its owner only until attached", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const { media, bytes } = await uploadPhoto(ana, 1);
    expect(media).toMatchObject({
      ownerId: ana.id,
      bucket: "social-posts",
      path: `${ana.id}/${media.id}.png`,
      kind: "image",
      mimeType: "image/png",
      sizeBytes: bytes.byteLength,
      status: "approved",
      target: "post",
      targetId: null,
    });
    expect(media.uploadedAt).not.toBeNull();
    expect(await read(ana, media)).toEqual(bytes);
    expect(await read(ben, media)).toBe("media_not_found");
    expectError(await ben.client.media.get(media.id), "media_not_found", 404);
  });

  test("a Blob upload (the web) works like bytes (React Native)", async () => {
    const ana = await signUp("ana");
    const bytes = png(2);
    const blob = new Blob([bytes], { type: "image/png" });
    const media = unwrap(await ana.client.media.upload(blob, { target: "post" }));
    expect(media.mimeType).toBe("image/png");
    expect(await read(ana, media)).toEqual(bytes);
  });
});

describe("media: who reads a post's photo", () => {
  test("owner and follower read it; stranger, blocked user and anon are refused", async () => {
    const [ana, follower, stranger, blocked] = await Promise.all([
      signUp("ana"),
      signUp("fol"),
      signUp("str"),
      signUp("blk"),
    ]);
    unwrap(await follower.client.graph.follow(ana.id));
    unwrap(await blocked.client.graph.follow(ana.id));
    const { media, bytes } = await uploadPhoto(ana, 3);
    const post = unwrap(
      await ana.client.posts.create({ body: "Track day", visibility: "followers", media: [{ id: media.id }] }),
    );
    unwrap(await ana.client.graph.block(blocked.id));
    const cast: Record<string, Session> = { ana, follower, stranger, blocked, anon: session() };
    const expected: Record<string, Uint8Array | string> = {
      ana: bytes,
      follower: bytes,
      stranger: "media_not_found",
      blocked: "media_not_found",
      anon: "media_not_found",
    };
    for (const [name, who] of Object.entries(cast))
      expect(await read(who, media), `as ${name}`).toEqual(expected[name]);
    // deleting the post takes the photo with it
    unwrap(await ana.client.posts.delete(post.id));
    expect(await read(follower, media)).toBe("media_not_found");
  });

  test("a removed group member loses the group's photos at once", async () => {
    const [owner, member] = await Promise.all([signUp("own"), signUp("mem")]);
    const group = unwrap(
      await owner.client.groups.create({ name: uniqueName("Club"), kind: "club", visibility: "private" }),
    );
    unwrap(await member.client.groups.join(group.id));
    const { media, bytes } = await uploadPhoto(owner, 4);
    unwrap(await owner.client.posts.create({ groupId: group.id, body: "Team photo", media: [{ id: media.id }] }));
    const album = unwrap(
      await owner.client.media.upload(png(5), { target: "group", groupId: group.id, mimeType: "image/png" }),
    );
    expect(await read(member, media)).toEqual(bytes);
    expect(await read(member, album)).toEqual(png(5));
    unwrap(await owner.client.groups.removeMember(group.id, member.id));
    expect(await read(member, media)).toBe("media_not_found");
    expect(await read(member, album)).toBe("media_not_found");
  });
});

/** A signed URL for `item` as `who` (supabase-js createSignedUrl) and what fetching it gives. */
async function signedRead(who: Session, item: { bucket: string; path: string }): Promise<Uint8Array | string> {
  const { data, error } = await who.supabase.storage.from(item.bucket).createSignedUrl(item.path, 60);
  if (error) return toSupasocialError(error).code;
  const res = await fetch(data.signedUrl);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

const inHours = (n: number) => new Date(Date.now() + n * 3600_000).toISOString();

describe("media: who reads an event's cover and photos", () => {
  test("a followers event: organizer, followers and the going attendee read them; stranger, blocked user and anon do not", async () => {
    const [ana, follower, attendee, stranger, blocked] = await Promise.all([
      signUp("ana"),
      signUp("fol"),
      signUp("att"),
      signUp("str"),
      signUp("blk"),
    ]);
    for (const u of [follower, attendee, blocked]) unwrap(await u.client.graph.follow(ana.id));
    const cover = await uploadPhoto(ana, 20, "event");
    const photo = await uploadPhoto(ana, 21, "event");
    expect(cover.media.bucket).toBe("social-events");
    const events = withEvents(ana.client).events;
    const draft = unwrap(
      await events.create({
        title: "Track night",
        startsAt: inHours(30),
        endsAt: inHours(32),
        visibility: "followers",
        coverMediaId: cover.media.id,
        media: [{ id: photo.media.id, alt: "the start line" }],
      }),
    );
    expect(draft.coverMediaId).toBe(cover.media.id);
    expect(draft.coverPath).toBe(cover.media.path);
    expect(draft.media).toEqual([
      expect.objectContaining({
        id: photo.media.id,
        bucket: "social-events",
        path: photo.media.path,
        alt: "the start line",
      }),
    ]);
    // a draft's media: the organizer only
    expect(await read(follower, cover.media)).toBe("media_not_found");
    const event = unwrap(await events.publish(draft.id));
    unwrap(await withEvents(attendee.client).events.rsvp(event.id, { status: "going" }));
    unwrap(await ana.client.graph.block(blocked.id));
    const cast: [string, Session, boolean][] = [
      ["organizer", ana, true],
      ["follower", follower, true],
      ["going attendee", attendee, true],
      ["stranger", stranger, false],
      ["blocked user", blocked, false],
      ["anon", session(), false],
    ];
    for (const [name, who, may] of cast) {
      for (const { media, bytes } of [cover, photo]) {
        expect(await read(who, media), `download as ${name}`).toEqual(may ? bytes : "media_not_found");
        expect(await signedRead(who, media), `signed URL as ${name}`).toEqual(may ? bytes : "media_not_found");
      }
    }
    // the follower reads the event, and its cover comes with it as a signed URL
    const seen = unwrap(await withEvents(follower.client).events.get(event.id));
    const [url] = unwrap(await follower.client.media.urls([{ bucket: "social-events", path: seen.coverPath! }]));
    expect(new Uint8Array(await (await fetch(url!)).arrayBuffer())).toEqual(cover.bytes);
    // made public, they reach anon and strangers too, never the blocked user
    unwrap(await events.update(event.id, { visibility: "public" }));
    expect(await read(session(), cover.media), "anon, public event").toEqual(cover.bytes);
    expect(await signedRead(stranger, photo.media), "stranger, public event").toEqual(photo.bytes);
    expect(await read(blocked, cover.media), "blocked, public event").toBe("media_not_found");
  });

  test("a group event: members read its media until they are removed; strangers and anon never", async () => {
    const [owner, member, stranger] = await Promise.all([signUp("own"), signUp("mem"), signUp("str")]);
    const group = unwrap(
      await owner.client.groups.create({ name: uniqueName("Club"), kind: "club", visibility: "private" }),
    );
    unwrap(await member.client.groups.join(group.id));
    const cover = await uploadPhoto(owner, 22, "event");
    const events = withEvents(owner.client).events;
    const draft = unwrap(
      await events.create({
        title: "Club ride",
        startsAt: inHours(40),
        endsAt: inHours(42),
        groupId: group.id,
        visibility: "group",
        coverMediaId: cover.media.id,
      }),
    );
    unwrap(await events.publish(draft.id));
    expect(await read(member, cover.media)).toEqual(cover.bytes);
    expect(await signedRead(member, cover.media)).toEqual(cover.bytes);
    for (const [name, who] of [
      ["stranger", stranger],
      ["anon", session()],
    ] as const) {
      expect(await read(who, cover.media), name).toBe("media_not_found");
      expect(await signedRead(who, cover.media), name).toBe("media_not_found");
    }
    unwrap(await owner.client.groups.removeMember(group.id, member.id));
    expect(await read(member, cover.media), "removed member").toBe("media_not_found");
    expect(await signedRead(member, cover.media), "removed member").toBe("media_not_found");
  });

  test("the events namespace refuses a cover that is not an event upload of yours, a post's photo, a malformed id and 11 items", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const bens = await uploadPhoto(ben, 23, "event");
    const postPhoto = await uploadPhoto(ana, 24, "post");
    const events = withEvents(ana.client).events;
    const base = { title: "Swim", startsAt: inHours(50), endsAt: inHours(51) };
    expectError(await events.create({ ...base, coverMediaId: bens.media.id }), "media_not_found", 404);
    expectError(await events.create({ ...base, media: [{ id: postPhoto.media.id }] }), "invalid_media", 400);
    expectError(await events.create({ ...base, coverMediaId: "not-a-uuid" }), "invalid_input", 400);
    expectError(
      await events.create({ ...base, media: Array.from({ length: 11 }, () => ({ id: postPhoto.media.id })) }),
      "invalid_input",
      400,
    );
  });
});

describe("media: who reads a chat message's photo", () => {
  test("members of a club's conversation read and sign it; removed, banned, strangers and anon cannot; deleting the message ends it", async () => {
    const [owner, ana, member, removed, banned, stranger] = await Promise.all([
      signUp("own"),
      signUp("ana"),
      signUp("mem"),
      signUp("rem"),
      signUp("ban"),
      signUp("str"),
    ]);
    const group = unwrap(
      await owner.client.groups.create({ name: uniqueName("Club"), kind: "club", visibility: "public" }),
    );
    for (const u of [ana, member, removed, banned]) unwrap(await u.client.groups.join(group.id));
    const conversation = unwrap(await withChat(owner.client).chat.openGroupChat(group.id));
    const { media, bytes } = await uploadPhoto(ana, 31, "message");
    expect(media).toMatchObject({ bucket: "social-chat", target: "message", targetId: null });
    const sent = unwrap(
      await withChat(ana.client).chat.send(conversation.id, { attachments: [{ id: media.id, alt: "the summit" }] }),
    );
    expect(sent.attachments).toEqual([
      {
        id: media.id,
        bucket: "social-chat",
        path: media.path,
        type: "image",
        mimeType: "image/png",
        width: 8,
        height: 6,
        alt: "the summit",
      },
    ]);
    // what a member's history shows is what they download
    const page = unwrap(await withChat(member.client).chat.history(conversation.id));
    const item = page.items.find((m) => m.id === sent.id)!.attachments[0]!;
    expect(await read(member, item)).toEqual(bytes);
    expect(unwrap(await member.client.media.urls([item]))[0]).toMatch(/^http/);
    unwrap(await owner.client.groups.removeMember(group.id, removed.id));
    unwrap(await owner.client.groups.ban(group.id, banned.id));
    const cast: Record<string, Session> = { ana, owner, member, removed, banned, stranger, anon: session() };
    for (const [name, who] of Object.entries(cast)) {
      const allowed = ["ana", "owner", "member"].includes(name);
      expect(await read(who, media), `download as ${name}`).toEqual(allowed ? bytes : "media_not_found");
      expect(await signedRead(who, media), `signed URL as ${name}`).toEqual(allowed ? bytes : "media_not_found");
    }
    // deleting the message (a tombstone) takes the photo from the conversation
    unwrap(await withChat(ana.client).chat.delete(sent.id));
    expect(await read(member, media)).toBe("media_not_found");
    expect(await signedRead(member, media)).toBe("media_not_found");
    expect(await signedRead(owner, media)).toBe("media_not_found");
  });

  test("in a direct chat a block cuts both off; nobody attaches someone else's upload or a post's photo", async () => {
    const [ana, ben, cy] = await Promise.all([signUp("ana"), signUp("ben"), signUp("cy")]);
    const direct = unwrap(await withChat(ana.client).chat.openDirect(ben.id));
    const { media, bytes } = await uploadPhoto(ana, 32, "message");
    // ben cannot send ana's upload, nor can cy in a chat of his own
    const withCy = unwrap(await withChat(cy.client).chat.openDirect(ben.id));
    expectError(
      await withChat(ben.client).chat.send(direct.id, { attachments: [{ id: media.id }] }),
      "media_not_found",
      404,
    );
    expectError(
      await withChat(cy.client).chat.send(withCy.id, { attachments: [{ id: media.id }] }),
      "media_not_found",
      404,
    );
    const postPhoto = await uploadPhoto(ana, 33, "post");
    expectError(
      await withChat(ana.client).chat.send(direct.id, { attachments: [{ id: postPhoto.media.id }] }),
      "invalid_media",
      400,
    );
    expect(await read(ben, media), "before it is sent").toBe("media_not_found");
    unwrap(await withChat(ana.client).chat.send(direct.id, { body: "look", attachments: [{ id: media.id }] }));
    // the same upload cannot go in a second message
    expectError(
      await withChat(ana.client).chat.send(direct.id, { attachments: [{ id: media.id }] }),
      "media_in_use",
      409,
    );
    expect(await read(ben, media)).toEqual(bytes);
    expect(await signedRead(ben, media)).toEqual(bytes);
    expect(await read(cy, media)).toBe("media_not_found");
    unwrap(await ben.client.graph.block(ana.id));
    for (const [name, who] of [
      ["blocker", ben],
      ["blocked sender", ana],
    ] as const) {
      expect(await read(who, media), name).toBe("media_not_found");
      expect(await signedRead(who, media), name).toBe("media_not_found");
    }
  });
});

describe("media: URLs for display", () => {
  test("urls() signs a feed page's media in one call per bucket; hidden items are null", async () => {
    const [ana, ben, cy] = await Promise.all([signUp("ana"), signUp("ben"), signUp("cy")]);
    unwrap(await ben.client.graph.follow(ana.id));
    const photos = [await uploadPhoto(ana, 6), await uploadPhoto(ana, 7)];
    unwrap(
      await ana.client.posts.create({
        body: "Two",
        visibility: "followers",
        media: photos.map((p) => ({ id: p.media.id })),
      }),
    );
    const { media: avatar, bytes: avatarBytes } = await uploadPhoto(ana, 8, "profile");
    unwrap(await ana.client.profiles.update({ avatarMediaId: avatar.id }));

    const page = unwrap(await ben.client.feed.home({ limit: 5 }));
    const post = page.items.find((p) => p.authorId === ana.id)!;
    const items: MediaItem[] = [...post.media, { ...post.media[0]!, path: `${ana.id}/nope.png` }];
    ben.storageCalls.length = 0;
    const urls = unwrap(await ben.client.media.urls([...items, { bucket: "social-avatars", path: avatar.path }]));
    expect(ben.storageCalls).toEqual([`POST ${api().url}/storage/v1/object/sign/social-posts`]);
    expect(urls[3]).toBe(ana.client.media.publicUrl(avatar.path));
    expect(urls.slice(0, 2).every((u) => typeof u === "string")).toBe(true);
    expect(urls[2]).toBeNull();
    for (const [i, url] of urls.slice(0, 2).entries()) {
      const res = await fetch(url!);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(photos[i]!.bytes);
    }
    // a stranger gets no URL for them
    expect(unwrap(await cy.client.media.urls(post.media))).toEqual([null, null]);
    // avatars are public: a URL with no request, served without a session
    const me = unwrap(await ana.client.profiles.me());
    const res = await fetch(ana.client.media.publicUrl(me.avatarPath!));
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(avatarBytes);
  });
});

describe("media: signed upload URLs", () => {
  test("createUploadUrl announces the file; the bytes go to the signed URL; then it attaches", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    unwrap(await ben.client.graph.follow(ana.id));
    const bytes = png(9);
    const upload = unwrap(
      await ana.client.media.createUploadUrl({ target: "post", mimeType: "image/png", sizeBytes: bytes.byteLength }),
    );
    expect(upload.signedUrl).toContain(`/storage/v1/object/upload/sign/social-posts/${upload.media.path}`);
    // from anywhere: the token is the permission (supabase-js here; a PUT to signedUrl works too)
    const anon = session();
    const sent = await anon.supabase.storage
      .from(upload.media.bucket)
      .uploadToSignedUrl(upload.media.path, upload.token, bytes, { contentType: "image/png" });
    expect(sent.error).toBeNull();
    expect(unwrap(await ana.client.media.get(upload.media.id)).status).toBe("approved");
    unwrap(
      await ana.client.posts.create({
        body: "Via signed URL",
        visibility: "followers",
        media: [{ id: upload.media.id }],
      }),
    );
    expect(await read(ben, upload.media)).toEqual(bytes);
    // another user cannot get an upload URL for it
    const theirs = await ben.supabase.storage.from(upload.media.bucket).createSignedUploadUrl(`${ana.id}/other.png`);
    expect(toSupasocialError(theirs.error).code).toBe("permission_denied");
  });
});

describe("media: refused files", () => {
  test("the database refuses oversize and wrong-type files before any byte is sent", async () => {
    const ana = await signUp("ana");
    expectError(
      await ana.client.media.upload(new Uint8Array(2 * 1024 * 1024 + 1), { target: "profile", mimeType: "image/png" }),
      "media_too_large",
      400,
    );
    expectError(
      await ana.client.media.upload(png(1), { target: "profile", mimeType: "video/mp4" }),
      "media_type_not_allowed",
      400,
    );
    expectError(
      await ana.client.media.upload(png(1), { target: "post", mimeType: "application/pdf" }),
      "media_type_not_allowed",
      400,
    );
    expectError(await ana.client.media.upload(png(1), { target: "post" }), "media_type_not_allowed", 400);
    expectError(
      await ana.client.media.upload(png(1), { target: "post", mimeType: "image/png", width: 0 }),
      "invalid_input",
      400,
    );
  });

  test("Storage itself refuses bytes that break the bucket's limits, with the same codes", async () => {
    const ana = await signUp("ana");
    const row = async (mimeType: string, size: number) => {
      const { data, error } = await ana.supabase
        .schema("social")
        .rpc("create_media", { p_target: "profile", p_mime_type: mimeType, p_size_bytes: size });
      expect(error).toBeNull();
      return data as unknown as { bucket_id: string; path: string };
    };
    // announced small, sent big
    const big = await row("image/png", 1000);
    const tooBig = await ana.supabase.storage
      .from(big.bucket_id)
      .upload(big.path, new Uint8Array(2 * 1024 * 1024 + 1), { contentType: "image/png" });
    expect(toSupasocialError(tooBig.error).code).toBe("media_too_large");
    // announced as an image, sent as a video
    const typed = await row("image/png", 1000);
    const wrongType = await ana.supabase.storage
      .from(typed.bucket_id)
      .upload(typed.path, png(1), { contentType: "video/mp4" });
    expect(toSupasocialError(wrongType.error).code).toBe("media_type_not_allowed");
    // a path nobody announced, even under one's own folder
    const stray = await ana.supabase.storage.from("social-posts").upload(`${ana.id}/stray.png`, png(1), {
      contentType: "image/png",
    });
    expect(toSupasocialError(stray.error).code).toBe("permission_denied");
    // no overwrite: the object is immutable once stored
    const { media } = await uploadPhoto(ana, 11);
    const again = await ana.supabase.storage.from(media.bucket).upload(media.path, png(12), {
      contentType: "image/png",
      upsert: true,
    });
    expect(again.error).not.toBeNull();
    expect(await read(ana, media)).toEqual(png(11));
  });
});

describe("media: removing and moderating", () => {
  test("the owner removes media (object and row); others cannot", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const { media } = await uploadPhoto(ana, 13);
    unwrap(await ana.client.posts.create({ body: "Soon gone", media: [{ id: media.id }] }));
    const err = expectError(await ben.client.media.remove(media.id), "not_allowed", 403);
    expect(err.message).toMatch(/owner|staff/);
    expect(await read(ana, media)).toEqual(png(13));
    unwrap(await ana.client.media.remove(media.id));
    expect(await read(ana, media)).toBe("media_not_found");
    expectError(await ana.client.media.get(media.id), "media_not_found", 404);
  });

  test("group staff reject a member's photo: unreadable for everyone, logged, the report resolved", async () => {
    const [owner, member, reporter] = await Promise.all([signUp("own"), signUp("mem"), signUp("rep")]);
    const group = unwrap(await owner.client.groups.create({ name: uniqueName("Club"), kind: "club" }));
    unwrap(await member.client.groups.join(group.id));
    unwrap(await reporter.client.groups.join(group.id));
    const { media } = await uploadPhoto(member, 14);
    unwrap(await member.client.posts.create({ groupId: group.id, body: "Look", media: [{ id: media.id }] }));
    const report = unwrap(
      await reporter.client.moderation.report({ targetType: "media", targetId: media.id, reason: "nudity" }),
    );
    expect(report.groupId).toBe(group.id);
    expectError(await reporter.client.media.moderate(media.id, "rejected"), "not_allowed", 403);
    const rejected = unwrap(await owner.client.media.moderate(media.id, "rejected", { reason: "nudity" }));
    expect(rejected.status).toBe("rejected");
    for (const who of [owner, member, reporter]) expect(await read(who, media)).toBe("media_not_found");
    const log = unwrap(await owner.client.moderation.log(group.id));
    expect(log.items.find((e) => e.action === "media_rejected")).toMatchObject({
      targetId: media.id,
      targetUserId: member.id,
      reason: "nudity",
    });
    expect(log.items.find((e) => e.action === "report_resolved")).toMatchObject({ targetId: report.id });
    const mine = unwrap(await reporter.client.moderation.myReports());
    expect(mine.items.find((r) => r.id === report.id)).toMatchObject({
      status: "resolved",
      resolution: "content_removed",
    });
    // rejected media cannot be used again
    expectError(await member.client.posts.create({ body: "Again", media: [{ id: media.id }] }), "media_rejected", 403);
  });
});
