/**
 * Media: buckets, announcing uploads, the storage.objects policies (read, upload, delete) asked the
 * way Supabase Storage asks them (a query on storage.objects as the caller), attachments, avatars,
 * moderation, reports and the clean-up job. Every read rule is checked from every side: the owner,
 * a follower, a stranger, a blocked user, a removed or banned group member, anon.
 */
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { block, follow } from "../fixtures/graph.ts";
import { addMember, createGroup, groupCast } from "../fixtures/groups.ts";
import { canRead, createMedia, refs, storeObject, type TestMedia } from "../fixtures/media.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";
import { asRole } from "../helpers/labels.ts";

type Visibility = "public" | "followers" | "group" | "private";

/** A post by `author` listing `media` (through RLS and the triggers); its id. */
async function postWith(
  db: TestDb,
  author: string,
  media: TestMedia[],
  o: { visibility?: Visibility; groupId?: string } = {},
): Promise<string> {
  await db.as(author);
  const [row] = await db.q<{ id: string }[]>`
    insert into social.posts (body, visibility, group_id, media)
    values ('photos', ${o.visibility ?? "public"}, ${o.groupId ?? null}, ${db.q.json(refs(...media))})
    returning id`;
  return row!.id;
}

/** Whether `viewer` (null: anon) reads post `id` through its own RLS. */
async function seesPost(db: TestDb, viewer: string | null, id: string): Promise<boolean> {
  if (viewer) await db.as(viewer);
  else await db.asAnon();
  return (await db.q`select 1 from social.posts where id = ${id}`).length === 1;
}

/** A Storage delete of `media`'s object as `user` (Storage sets storage.allow_delete_query). */
async function storageDelete(db: TestDb, user: string, media: TestMedia): Promise<number> {
  await db.as(user);
  await db.q`select set_config('storage.allow_delete_query', 'true', true)`;
  const rows = await db.q`
    delete from storage.objects where bucket_id = ${media.bucket} and name = ${media.path} returning id`;
  return rows.length;
}

async function mediaRow(db: TestDb, id: string) {
  await db.asSuperuser();
  const [row] = await db.q<
    {
      status: string;
      target_type: string;
      target_id: string | null;
      group_id: string | null;
      uploaded_at: Date | null;
      size_bytes: string;
      mime_type: string;
      kind: string;
    }[]
  >`select status::text, target_type::text, target_id, group_id, uploaded_at, size_bytes, mime_type, kind::text
    from social.media where id = ${id}`;
  return row;
}

describe("buckets", () => {
  it("the migration made the social-* buckets with their limits and types (avatars public, the rest private)", async () => {
    await withDb(async (db) => {
      const rows = await db.q<{ id: string; public: boolean; file_size_limit: string; types: string[] }[]>`
        select id, public, file_size_limit, allowed_mime_types as types from storage.buckets
        where id like 'social-%' order by id`;
      expect(rows.map((r) => [r.id, r.public, Number(r.file_size_limit)])).toEqual([
        ["social-avatars", true, 2 * 1024 * 1024],
        ["social-chat", false, 25 * 1024 * 1024],
        ["social-events", false, 50 * 1024 * 1024],
        ["social-groups", false, 50 * 1024 * 1024],
        ["social-posts", false, 50 * 1024 * 1024],
      ]);
      expect(rows[0]!.types.every((t) => t.startsWith("image/"))).toBe(true);
      expect(rows[4]!.types).toEqual(expect.arrayContaining(["image/jpeg", "image/png", "video/mp4"]));
    });
  });
});

describe("announcing an upload (social.create_media)", () => {
  it("fixes bucket and path <owner>/<id>.<ext> by target and type; the row starts pending and unattached", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      const cases: [string, string, string, string][] = [
        ["post", "image/jpeg", "social-posts", "jpg"],
        ["comment", "video/mp4", "social-posts", "mp4"],
        ["profile", "image/webp", "social-avatars", "webp"],
        ["group_cover", "image/png", "social-avatars", "png"],
        ["event", "video/quicktime", "social-events", "mov"],
        ["message", "image/gif", "social-chat", "gif"],
      ];
      for (const [target, mime, bucket, ext] of cases) {
        const [m] = await db.q<{ id: string; bucket_id: string; path: string; status: string; target_id: null }[]>`
          select id, bucket_id, path, status::text, target_id from social.create_media(${target}::social.media_target, ${mime}, 1000)`;
        expect([m!.bucket_id, m!.path, m!.status, m!.target_id], target).toEqual([
          bucket,
          `${me}/${m!.id}.${ext}`,
          "pending",
          null,
        ]);
      }
    });
  });

  it("refuses a type the bucket does not take, an oversize file and bad sizes, with codes on the list", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      const bad: [string, string, number, string, string][] = [
        ["profile", "video/mp4", 1000, "22023", "media_type_not_allowed"],
        ["post", "application/pdf", 1000, "22023", "media_type_not_allowed"],
        ["post", "text/html", 10, "22023", "media_type_not_allowed"],
        ["profile", "image/png", 2 * 1024 * 1024 + 1, "22023", "media_too_large"],
        ["post", "video/mp4", 50 * 1024 * 1024 + 1, "22023", "media_too_large"],
        ["message", "video/mp4", 25 * 1024 * 1024 + 1, "22023", "media_too_large"],
        ["post", "image/png", 0, "22023", "invalid_input"],
      ];
      for (const [target, mime, size, state, code] of bad) {
        expect(
          await refused(db, (tx) => tx`select social.create_media(${target}::social.media_target, ${mime}, ${size})`),
          `${target} ${mime} ${size}`,
        ).toEqual([state, code]);
      }
      expect(await refused(db, (tx) => tx`select social.create_media('post', 'image/png', 10, p_width => 0)`)).toEqual([
        "22023",
        "invalid_input",
      ]);
      expect(
        await refused(db, (tx) => tx`select social.create_media('post', 'image/png', 10, p_duration_ms => 5)`),
      ).toEqual(["22023", "invalid_input"]);
      await db.asSuperuser();
      expect(Number((await db.q`select count(*) from social.media where owner_id = ${me}`)[0]!.count)).toBe(0);
    });
  });

  it("anon cannot announce uploads; announcing is rate limited", async () => {
    await withDb(async (db) => {
      await db.asAnon();
      const [state] = await refused(db, (tx) => tx`select social.create_media('post', 'image/png', 10)`);
      expect(state).toBe("42501"); // no execute for anon
      const me = await db.createUser();
      await db.as(me);
      for (let i = 0; i < 30; i++) await db.q`select social.create_media('post', 'image/png', 10)`;
      expect(await refused(db, (tx) => tx`select social.create_media('post', 'image/png', 10)`)).toEqual([
        "PT429",
        "rate_limited",
      ]);
    });
  });

  it("a group's album media needs a group the user belongs to; other media names no group", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { kind: "club", visibility: "private" });
      const secret = await createGroup(db, c.other, { visibility: "secret" });
      const m = await createMedia(db, c.member, { target: "group", groupId: c.group });
      expect(await mediaRow(db, m.id)).toMatchObject({ target_type: "group", target_id: c.group, group_id: c.group });
      for (const [who, group, expected] of [
        [c.stranger, c.group, ["42501", "group_forbidden"]],
        [c.pending, c.group, ["42501", "group_forbidden"]],
        [c.stranger, secret, ["PT404", "group_not_found"]],
      ] as const) {
        await db.as(who);
        expect(
          await refused(db, (tx) => tx`select social.create_media('group', 'image/png', 10, p_group_id => ${group})`),
          asRole(c, who),
        ).toEqual(expected);
      }
      await db.as(c.member);
      expect(
        await refused(db, (tx) => tx`select social.create_media('post', 'image/png', 10, p_group_id => ${c.group})`),
      ).toEqual(["22023", "invalid_target"]);
    });
  });
});

describe("uploading (the insert policy on storage.objects)", () => {
  /**
   * Storage's permission probe: the insert as the caller, rolled back before any byte is stored.
   * `ok` when the policy let it through.
   */
  async function probe(db: TestDb, user: string | null, bucket: string, name: string) {
    if (user) await db.as(user);
    else await db.asAnon();
    const rollback = new Error("rollback");
    try {
      await db.tx.savepoint(async (sp) => {
        await sp`insert into storage.objects (bucket_id, name, owner_id, metadata) values (${bucket}, ${name}, ${user}, '{}')`;
        throw rollback;
      });
    } catch (error) {
      if (error === rollback) return { ok: true, message: "" };
      if (error instanceof postgres.PostgresError) return { ok: false, message: error.message };
      throw error;
    }
    throw new Error("unreachable");
  }

  it("only the owner uploads, only into their announced path, only once", async () => {
    await withDb(async (db) => {
      const [me, other] = await db.createUsers(2);
      const m = await createMedia(db, me!, { notUploaded: true });
      expect((await probe(db, other!, m.bucket, m.path)).ok, "someone else into my path").toBe(false);
      expect((await probe(db, null, m.bucket, m.path)).ok, "anon").toBe(false);
      expect((await probe(db, me!, m.bucket, `${me}/not-announced.png`)).ok, "a path never announced").toBe(false);
      expect((await probe(db, me!, "social-avatars", m.path)).ok, "another bucket").toBe(false);
      const mine = await probe(db, me!, m.bucket, m.path);
      expect(mine.ok, mine.message).toBe(true);
      await storeObject(db, m, me!, "image/png", 100);
      const again = await createMedia(db, me!, { notUploaded: true });
      await storeObject(db, again, me!, "image/png", 100);
      await db.asSuperuser();
      await db.q`select set_config('storage.allow_delete_query', 'true', true)`;
      await db.q`delete from storage.objects where bucket_id = ${again.bucket} and name = ${again.path}`;
      // the row went with the object: nothing announced at that path any more
      expect((await probe(db, me!, again.bucket, again.path)).ok, "after delete").toBe(false);
    });
  });

  it("a stored object completes its row: uploaded, with the size and type Storage measured, approved by the default hook", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      const m = await createMedia(db, me, { notUploaded: true, sizeBytes: 5000 });
      expect(await mediaRow(db, m.id)).toMatchObject({ status: "pending", uploaded_at: null });
      // @supabase/lite stores metadata as a JSON string inside jsonb: both shapes are read
      await db.q`
        insert into storage.objects (bucket_id, name, owner_id, metadata)
        values (${m.bucket}, ${m.path}, ${me}, to_jsonb(${JSON.stringify({ size: 4321, mimetype: "image/png" })}::text))`;
      const row = await mediaRow(db, m.id);
      expect(row).toMatchObject({ status: "approved", size_bytes: "4321", mime_type: "image/png" });
      expect(row!.uploaded_at).not.toBeNull();
      // no moderation happened: nothing logged
      expect(await db.q`select 1 from social.moderation_log where target_id = ${m.id}`).toHaveLength(0);
    });
  });
});

describe("reading: a post's media follows the post", () => {
  it("a followers post's photo: the author and approved followers; never a stranger, a blocked user or anon", async () => {
    await withDb(async (db) => {
      const [author, follower, stranger, blocked, blocker] = await db.createUsers(5);
      await follow(db, follower!, author!);
      await follow(db, blocked!, author!);
      await follow(db, blocker!, author!);
      await block(db, author!, blocked!);
      await block(db, blocker!, author!);
      const photo = await createMedia(db, author!);
      const post = await postWith(db, author!, [photo], { visibility: "followers" });
      const cast = { author, follower, stranger, blocked, blocker, anon: null };
      for (const [name, who] of Object.entries(cast)) {
        const expected = name === "author" || name === "follower";
        expect(await canRead(db, who, photo), `as ${name}`).toBe(expected);
        expect(await seesPost(db, who, post), `post as ${name}`).toBe(expected);
      }
    });
  });

  it("the media rule is the post's rule for every visibility and viewer", async () => {
    await withDb(async (db) => {
      const [author, follower, stranger, blocked] = await db.createUsers(4);
      const privateAuthor = await db.createUser({ visibility: "private" });
      const fan = await db.createUser();
      await follow(db, follower!, author!);
      await follow(db, fan, privateAuthor);
      await block(db, blocked!, author!);
      const viewers = { author, privateAuthor, follower, fan, stranger, blocked, anon: null };
      for (const [who, visibility] of [
        [author!, "public"],
        [author!, "followers"],
        [author!, "private"],
        [privateAuthor, "public"],
        [privateAuthor, "followers"],
      ] as const) {
        const photo = await createMedia(db, who);
        const post = await postWith(db, who, [photo], { visibility });
        for (const [name, viewer] of Object.entries(viewers)) {
          expect(await canRead(db, viewer, photo), `${visibility} post as ${name}`).toBe(
            await seesPost(db, viewer, post),
          );
        }
      }
    });
  });

  it("a deleted post takes its media's readability with it, the author's included", async () => {
    await withDb(async (db) => {
      const [author, stranger] = await db.createUsers(2);
      const photo = await createMedia(db, author!);
      const post = await postWith(db, author!, [photo]);
      expect(await canRead(db, stranger!, photo)).toBe(true);
      expect(await canRead(db, null, photo), "anon, public profile").toBe(true);
      await db.as(author!);
      await db.q`select social.delete_post(${post})`;
      for (const who of [author!, stranger!, null]) expect(await canRead(db, who, photo), String(who)).toBe(false);
    });
  });

  it("a block stops a public post's media from reaching the blocked user, both ways", async () => {
    await withDb(async (db) => {
      const [author, reader, other] = await db.createUsers(3);
      const photo = await createMedia(db, author!);
      await postWith(db, author!, [photo]);
      expect(await canRead(db, reader!, photo)).toBe(true);
      await block(db, reader!, author!);
      expect(await canRead(db, reader!, photo), "the blocker").toBe(false);
      await block(db, author!, other!);
      expect(await canRead(db, other!, photo), "the blocked").toBe(false);
    });
  });

  it("a group post's media: members read it; a removed or banned member, a pending one and strangers do not", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { kind: "club", visibility: "private" });
      const photo = await createMedia(db, c.member);
      await postWith(db, c.member, [photo], { visibility: "group", groupId: c.group });
      expect(await mediaRow(db, photo.id)).toMatchObject({ target_type: "post", group_id: c.group });
      for (const who of [c.owner, c.admin, c.moderator, c.member]) {
        expect(await canRead(db, who, photo), asRole(c, who)).toBe(true);
      }
      for (const who of [c.pending, c.banned, c.stranger, c.other, null]) {
        expect(await canRead(db, who, photo), asRole(c, who)).toBe(false);
      }
      await db.as(c.owner);
      await db.q`select social.remove_group_member(${c.group}, ${c.admin})`;
      expect(await canRead(db, c.admin, photo), "removed").toBe(false);
      await db.as(c.owner);
      await db.q`select social.ban_group_member(${c.group}, ${c.moderator})`;
      expect(await canRead(db, c.moderator, photo), "banned").toBe(false);
    });
  });

  it("a comment's media follows the comment: hidden across a block with the commenter", async () => {
    await withDb(async (db) => {
      const [author, commenter, reader] = await db.createUsers(3);
      const post = await postWith(db, author!, [await createMedia(db, author!)]);
      const photo = await createMedia(db, commenter!, { target: "comment" });
      await db.as(commenter!);
      await db.q`insert into social.comments (post_id, body, media) values (${post}, 'me too', ${db.q.json(refs(photo))})`;
      expect(await mediaRow(db, photo.id)).toMatchObject({ target_type: "comment" });
      expect(await canRead(db, reader!, photo)).toBe(true);
      await block(db, reader!, commenter!);
      expect(await canRead(db, reader!, photo)).toBe(false);
      expect(await canRead(db, author!, photo), "the post's author").toBe(true);
    });
  });

  it("unattached and pending media is its owner's alone; rejected media is nobody's", async () => {
    await withDb(async (db) => {
      const [owner, stranger] = await db.createUsers(2);
      const loose = await createMedia(db, owner!);
      expect([await canRead(db, owner!, loose), await canRead(db, stranger!, loose)]).toEqual([true, false]);
      const photo = await createMedia(db, owner!);
      await postWith(db, owner!, [photo]);
      await db.asService();
      await db.q`select social.moderate_media(${photo.id}, 'rejected', 'spam')`;
      for (const who of [owner!, stranger!, null]) expect(await canRead(db, who, photo), String(who)).toBe(false);
      // the owner still sees the row and why it is unreadable
      await db.as(owner!);
      expect((await db.q`select status::text from social.media where id = ${photo.id}`)[0]!.status).toBe("rejected");
    });
  });

  it("objects without a media row, and every object for service_role", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.asSuperuser();
      await db.q`insert into storage.objects (bucket_id, name, owner_id) values ('social-posts', ${`${me}/stray.png`}, ${me})`;
      const stray = { id: "", bucket: "social-posts", path: `${me}/stray.png` };
      expect(await canRead(db, me, stray), "no row: not even the uploader").toBe(false);
      await db.asService();
      expect((await db.q`select 1 from storage.objects where name = ${stray.path}`).length).toBe(1);
    });
  });
});

describe("attaching", () => {
  it("content lists only the author's own uploaded, unrejected media, once", async () => {
    await withDb(async (db) => {
      const [me, other] = await db.createUsers(2);
      const theirs = await createMedia(db, other!);
      const notYet = await createMedia(db, me!, { notUploaded: true });
      const avatar = await createMedia(db, me!, { target: "profile" });
      const used = await createMedia(db, me!);
      await postWith(db, me!, [used]);
      const rejected = await createMedia(db, me!);
      await db.asService();
      await db.q`select social.moderate_media(${rejected.id}, 'rejected', null)`;
      for (const [m, expected] of [
        [theirs, ["PT404", "media_not_found"]],
        [notYet, ["PT409", "media_not_uploaded"]],
        [avatar, ["22023", "invalid_media"]],
        [used, ["PT409", "media_in_use"]],
        [rejected, ["42501", "media_rejected"]],
      ] as const) {
        await db.as(me!);
        expect(
          await refused(db, (tx) => tx`insert into social.posts (body, media) values ('x', ${tx.json(refs(m))})`),
        ).toEqual(expected);
      }
    });
  });

  it("the stored list is completed from the rows; dropping an item detaches it", async () => {
    await withDb(async (db) => {
      const [me, follower] = await db.createUsers(2);
      await follow(db, follower!, me!);
      const [a, b] = [await createMedia(db, me!), await createMedia(db, me!, { mimeType: "video/mp4" })];
      const post = await postWith(db, me!, [a, b], { visibility: "followers" });
      await db.asSuperuser();
      const [row] = await db.q<
        { media: Record<string, unknown>[] }[]
      >`select media from social.posts where id = ${post}`;
      expect(row!.media).toEqual([
        {
          id: a.id,
          bucket: "social-posts",
          path: a.path,
          type: "image",
          mime_type: "image/png",
          width: 640,
          height: 480,
        },
        {
          id: b.id,
          bucket: "social-posts",
          path: b.path,
          type: "video",
          mime_type: "video/mp4",
          width: 640,
          height: 480,
        },
      ]);
      // the author sends back what they read (plus an alt): accepted as it is
      await db.as(me!);
      await db.q`update social.posts set media = ${db.q.json([{ ...row!.media[0]!, alt: "start" }])} where id = ${post}`;
      expect(await mediaRow(db, b.id)).toMatchObject({ target_id: null });
      expect([await canRead(db, follower!, a), await canRead(db, follower!, b)]).toEqual([true, false]);
      // detached media can be listed again elsewhere
      await postWith(db, me!, [b]);
      expect(await canRead(db, follower!, b)).toBe(true);
    });
  });

  it("avatars: the profile's own uploaded image; avatar_path follows; anyone who sees the card reads it", async () => {
    await withDb(async (db) => {
      const [me, other, blocked] = await db.createUsers(3);
      const avatar = await createMedia(db, me!, { target: "profile" });
      await db.as(me!);
      await db.q`select social.update_my_profile(${db.q.json({ avatar_media_id: avatar.id })})`;
      await db.asSuperuser();
      const [p] = await db.q`select avatar_path from social.profiles where id = ${me!}`;
      expect(p!.avatar_path).toBe(avatar.path);
      expect(await mediaRow(db, avatar.id)).toMatchObject({ target_type: "profile", target_id: me });
      await block(db, me!, blocked!);
      expect([await canRead(db, other!, avatar), await canRead(db, null, avatar)]).toEqual([true, true]);
      expect(await canRead(db, blocked!, avatar), "blocked").toBe(false);
      // someone else's media, a post photo, or a made-up id
      const theirs = await createMedia(db, other!, { target: "profile" });
      const photo = await createMedia(db, me!);
      for (const [id, code] of [
        [theirs.id, "media_not_found"],
        [photo.id, "invalid_media"],
      ]) {
        await db.as(me!);
        const [, hint] = await refused(
          db,
          (tx) => tx`select social.update_my_profile(${tx.json({ avatar_media_id: id })})`,
        );
        expect(hint).toBe(code);
      }
      expect(
        await refused(db, (tx) => tx`select social.update_my_profile(${tx.json({ avatar_media_id: "nope" })})`),
      ).toEqual(["22023", "invalid_input"]);
      // avatar_path is the database's to write
      expect((await refused(db, (tx) => tx`update social.profiles set avatar_path = 'x' where id = ${me!}`))[0]).toBe(
        "42501",
      );
      await db.q`select social.update_my_profile('{"avatar_media_id": null}')`;
      await db.asSuperuser();
      expect((await db.q`select avatar_path from social.profiles where id = ${me!}`)[0]!.avatar_path).toBeNull();
      expect(await mediaRow(db, avatar.id)).toMatchObject({ target_id: null });
    });
  });

  it("group covers: set by an owner or admin with their own upload; seen by whoever sees the group", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "secret" });
      const cover = await createMedia(db, c.admin, { target: "group_cover" });
      await db.as(c.admin);
      await db.q`update social.groups set avatar_media_id = ${cover.id} where id = ${c.group}`;
      await db.asSuperuser();
      expect((await db.q`select avatar_path from social.groups where id = ${c.group}`)[0]!.avatar_path).toBe(
        cover.path,
      );
      expect(await canRead(db, c.member, cover)).toBe(true);
      expect(await canRead(db, c.stranger, cover)).toBe(false);
      const mine = await createMedia(db, c.member, { target: "group_cover" });
      await db.as(c.member);
      const rows = await db.q`update social.groups set avatar_media_id = ${mine.id} where id = ${c.group} returning id`;
      expect(rows, "a member is not an admin").toHaveLength(0);
    });
  });

  it("a group's album: members read it, a removed member does not", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { kind: "club", visibility: "private" });
      const photo = await createMedia(db, c.member, { target: "group", groupId: c.group });
      for (const who of [c.owner, c.member, c.moderator])
        expect(await canRead(db, who, photo), asRole(c, who)).toBe(true);
      for (const who of [c.stranger, c.pending, c.banned, null]) {
        expect(await canRead(db, who, photo), asRole(c, who)).toBe(false);
      }
      await addMember(db, c.group, c.moderator, "member", "banned");
      expect(await canRead(db, c.moderator, photo), "banned").toBe(false);
    });
  });
});

describe("deleting", () => {
  it("the owner deletes through Storage and the row goes with the object; strangers cannot", async () => {
    await withDb(async (db) => {
      const [me, stranger] = await db.createUsers(2);
      const photo = await createMedia(db, me!);
      await postWith(db, me!, [photo]);
      expect(await storageDelete(db, stranger!, photo)).toBe(0);
      expect(await storageDelete(db, me!, photo)).toBe(1);
      await db.asSuperuser();
      expect(await db.q`select 1 from social.media where id = ${photo.id}`).toHaveLength(0);
    });
  });

  it("group staff delete a member's media in their group; staff of another group do not", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { kind: "club" });
      const photo = await createMedia(db, c.member);
      await postWith(db, c.member, [photo], { visibility: "group", groupId: c.group });
      expect(await storageDelete(db, c.other, photo), "other group's owner").toBe(0);
      expect(await storageDelete(db, c.stranger, photo), "stranger").toBe(0);
      expect(await storageDelete(db, c.moderator, photo), "moderator").toBe(1);
    });
  });

  it("social.delete_media: the owner or staff; the object waits for the clean-up job", async () => {
    await withDb(async (db) => {
      const [me, stranger] = await db.createUsers(2);
      const photo = await createMedia(db, me!);
      await postWith(db, me!, [photo]);
      await db.as(stranger!);
      expect(await refused(db, (tx) => tx`select social.delete_media(${photo.id})`)).toEqual(["42501", "not_allowed"]);
      const hidden = await createMedia(db, me!);
      await db.as(stranger!);
      expect(await refused(db, (tx) => tx`select social.delete_media(${hidden.id})`)).toEqual([
        "PT404",
        "media_not_found",
      ]);
      await db.as(me!);
      await db.q`select social.delete_media(${photo.id})`;
      await db.q`select social.delete_media(${photo.id})`; // idempotent
      await db.asSuperuser();
      expect(await db.q`select path from social_private.media_trash where path = ${photo.path}`).toHaveLength(1);
    });
  });
});

describe("moderation", () => {
  it("staff of the media's group reject it with a reason: logged, reports resolved, unreadable", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { kind: "club" });
      const photo = await createMedia(db, c.member);
      await postWith(db, c.member, [photo], { visibility: "group", groupId: c.group });
      await db.as(c.admin);
      const [report] = await db.q<{ id: string; group_id: string }[]>`
        select id, group_id from social.report('media', ${photo.id}, 'nudity')`;
      expect(report!.group_id).toBe(c.group);
      for (const who of [c.member, c.stranger, c.other]) {
        await db.as(who);
        expect(
          (await refused(db, (tx) => tx`select social.moderate_media(${photo.id}, 'rejected', 'no')`))[1],
          asRole(c, who),
        ).toMatch(/^(not_allowed|media_not_found)$/);
      }
      await db.as(c.moderator);
      await db.q`select social.moderate_media(${photo.id}, 'rejected', 'nudity')`;
      const [log] = await db.q`
        select actor_id, action::text, target_type::text, target_user_id, reason from social.moderation_log
        where target_id = ${photo.id}`;
      expect(log).toMatchObject({
        actor_id: c.moderator,
        action: "media_rejected",
        target_type: "media",
        target_user_id: c.member,
        reason: "nudity",
      });
      await db.asSuperuser();
      const [r] = await db.q`select status::text, resolution::text from social.reports where id = ${report!.id}`;
      expect(r).toMatchObject({ status: "resolved", resolution: "content_removed" });
      expect(await canRead(db, c.admin, photo)).toBe(false);
      await db.as(c.moderator);
      expect(await refused(db, (tx) => tx`select social.moderate_media(${photo.id}, 'pending')`)).toEqual([
        "22023",
        "invalid_status",
      ]);
    });
  });

  it("reports on media outside groups go to the platform; nobody reports media they cannot see", async () => {
    await withDb(async (db) => {
      const [owner, reader, stranger] = await db.createUsers(3);
      const photo = await createMedia(db, owner!);
      await postWith(db, owner!, [photo], { visibility: "private" });
      await db.as(stranger!);
      expect(await refused(db, (tx) => tx`select social.report('media', ${photo.id}, 'spam')`)).toEqual([
        "PT404",
        "target_not_found",
      ]);
      const open = await createMedia(db, owner!);
      await postWith(db, owner!, [open]);
      await db.as(reader!);
      const [report] = await db.q`select group_id, target_user_id from social.report('media', ${open.id}, 'spam')`;
      expect(report).toEqual({ group_id: null, target_user_id: owner });
    });
  });

  it("an outside moderation hook holds uploads pending; the platform decides, logged with a null actor", async () => {
    await withDb(async (db) => {
      const [owner, follower] = await db.createUsers(2);
      await follow(db, follower!, owner!);
      await db.asSuperuser();
      await db.q.unsafe(`
        create or replace function social_private.media_moderation_hook(p_media social.media)
        returns social.media_status language plpgsql volatile set search_path = ''
        as $$ begin return case when p_media.size_bytes > 9000 then 'rejected' else 'pending' end; end; $$`);
      const held = await createMedia(db, owner!);
      await postWith(db, owner!, [held], { visibility: "followers" });
      expect(await mediaRow(db, held.id)).toMatchObject({ status: "pending" });
      expect([await canRead(db, owner!, held), await canRead(db, follower!, held)]).toEqual([true, false]);
      await db.asService();
      await db.q`select social.moderate_media(${held.id}, 'approved', 'looks fine')`;
      expect(await canRead(db, follower!, held)).toBe(true);
      const big = await createMedia(db, owner!, { sizeBytes: 10_000 });
      expect(await mediaRow(db, big.id)).toMatchObject({ status: "rejected" });
      await db.asSuperuser();
      const logs = await db.q`
        select target_id, actor_id, action::text from social.moderation_log where target_id in (${held.id}, ${big.id})
        order by created_at`;
      expect(logs).toEqual([
        { target_id: held.id, actor_id: null, action: "media_approved" },
        { target_id: big.id, actor_id: null, action: "media_rejected" },
      ]);
    });
  });

  it("a rejected avatar leaves the profile and its public object is queued for removal", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      const avatar = await createMedia(db, me, { target: "profile" });
      await db.as(me);
      await db.q`select social.update_my_profile(${db.q.json({ avatar_media_id: avatar.id })})`;
      await db.asService();
      await db.q`select social.moderate_media(${avatar.id}, 'rejected', 'not a face')`;
      await db.asSuperuser();
      expect((await db.q`select avatar_path, avatar_media_id from social.profiles where id = ${me}`)[0]).toEqual({
        avatar_path: null,
        avatar_media_id: null,
      });
      expect(await db.q`select 1 from social_private.media_trash where path = ${avatar.path}`).toHaveLength(1);
    });
  });
});

describe("the clean-up job (social.cleanup_media)", () => {
  it("service_role only; removes old unattached and never-uploaded media and hands out their objects", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      expect((await refused(db, (tx) => tx`select * from social.cleanup_media()`))[0]).toBe("42501");
      const old = await createMedia(db, me);
      const fresh = await createMedia(db, me);
      const never = await createMedia(db, me, { notUploaded: true });
      const kept = await createMedia(db, me);
      await postWith(db, me, [kept]);
      await db.asSuperuser();
      await db.q`
        update social.media set created_at = now() - interval '25 hours'
        where id in (${old.id}, ${never.id}, ${kept.id})`;
      await db.asService();
      const out = await db.q`select bucket_id, path from social.cleanup_media(24, 100)`;
      expect(out).toEqual([{ bucket_id: old.bucket, path: old.path }]);
      await db.asSuperuser();
      const left = await db.q<{ id: string }[]>`select id from social.media where owner_id = ${me} order by id`;
      expect(left.map((r) => r.id).sort()).toEqual([fresh.id, kept.id].sort());
      // Storage deletes the object (what the media-cleanup function asks it to): the queue empties
      await db.q`select set_config('storage.allow_delete_query', 'true', true)`;
      await db.q`delete from storage.objects where bucket_id = ${old.bucket} and name = ${old.path}`;
      expect(await db.q`select 1 from social_private.media_trash where path = ${old.path}`).toHaveLength(0);
      // an entry whose object is already gone leaves the queue without being handed out
      await db.q`insert into social_private.media_trash (bucket_id, path) values ('social-posts', 'gone/x.png')`;
      await db.asService();
      expect(await db.q`select * from social.cleanup_media(24, 100)`).toEqual([]);
      await db.asSuperuser();
      expect(await db.q`select 1 from social_private.media_trash where path = 'gone/x.png'`).toHaveLength(0);
      await db.asService();
      expect((await refused(db, (tx) => tx`select * from social.cleanup_media(0)`))[1]).toBe("invalid_input");
    });
  });
});

describe("the registry of media targets (social_private.media_targets)", () => {
  it("can_view_media is generated from it: one static arm per registered target, no dynamic SQL", async () => {
    await withDb(async (db) => {
      await db.asSuperuser();
      const [fn] = await db.q<{ src: string }[]>`
        select prosrc as src from pg_proc
        where oid = 'social_private.can_view_media(uuid, social.media_status, social.media_target, uuid)'::regprocedure`;
      const targets = await db.q<{ target: string; check: string }[]>`
        select target::text, read_check::regproc::text as check from social_private.media_targets order by target`;
      expect(targets.map((t) => t.target).sort()).toEqual(
        ["comment", "event", "group", "group_cover", "message", "post", "profile", "trip"].sort(),
      );
      for (const t of targets)
        expect(fn!.src, t.target).toContain(`when '${t.target}' then\n      return ${t.check}(p_target_id);`);
      expect(fn!.src).not.toMatch(/\bexecute\b/i);
      expect(fn!.src).not.toContain("media_targets t");
    });
  });

  it("a target without a row has no bucket and its media is its owner's only; registering it again restores both", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const group = await createGroup(db, ana!, { visibility: "public" });
      await addMember(db, group, ben!);
      const media = await createMedia(db, ana!, { target: "group", groupId: group });
      expect(await canRead(db, ben!, media)).toBe(true);
      await db.asSuperuser();
      await db.q`delete from social_private.media_targets where target = 'group'`;
      expect(await canRead(db, ben!, media)).toBe(false);
      expect(await canRead(db, ana!, media)).toBe(false);
      await db.as(ana!);
      expect(
        await refused(db, (tx) => tx`select social.create_media('group', 'image/png', 1000, p_group_id => ${group})`),
      ).toEqual(["22023", "invalid_target"]);
      await db.asSuperuser();
      await db.q`insert into social_private.media_targets (target, bucket_id, read_check)
                 values ('group', 'social-groups', 'social_private.can_read_group(uuid)')`;
      expect(await canRead(db, ben!, media)).toBe(true);
    });
  });

  it("refuses a check that does not take (uuid) and return boolean, and changes nothing", async () => {
    await withDb(async (db) => {
      await db.asSuperuser();
      const [before] = await db.q<{ src: string }[]>`
        select prosrc as src from pg_proc where proname = 'can_view_media' and pronargs = 4`;
      for (const check of [
        "social_private.media_bucket(social.media_target)",
        "social_private.can_view_media(text, text)",
      ]) {
        expect(
          await refused(
            db,
            (tx) =>
              tx`update social_private.media_targets set read_check = ${check}::regprocedure where target = 'post'`,
          ),
          check,
        ).toEqual(["22023", "invalid_input"]);
      }
      const [after] = await db.q<{ src: string }[]>`
        select prosrc as src from pg_proc where proname = 'can_view_media' and pronargs = 4`;
      expect(after!.src).toBe(before!.src);
    });
  });
});
