/**
 * Chat attachments are media references: a message lists its sender's uploads made for chat
 * (`create_media` target `message`), and their objects are readable exactly by whoever may read
 * the message (`can_view_message_media`, the `message` target of the media registry): members
 * who may read the conversation; not people who left, were removed or banned, strangers, anon,
 * users a block separates from the sender, nor anyone once the message is deleted. Asked the way
 * Storage asks (a query on storage.objects as the caller). Through supabase-js and Storage:
 * tests/sdk/media.test.ts.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { groupChat, type MessageRow, openDirect, send } from "../fixtures/chat.ts";
import { block } from "../fixtures/graph.ts";
import { addMember, createGroup } from "../fixtures/groups.ts";
import { canRead, createMedia, refs, type TestMedia } from "../fixtures/media.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";

async function mediaRow(db: TestDb, media: TestMedia) {
  await db.asSuperuser();
  const [row] = await db.q<{ target_type: string; target_id: string | null; group_id: string | null }[]>`
    select target_type::text, target_id, group_id from social.media where id = ${media.id}`;
  return row!;
}

describe("who reads a message's attachments", () => {
  it("members of a group's conversation read them; those who left, were removed or banned, a blocker, strangers and anon do not", async () => {
    await withDb(async (db) => {
      const [owner, member, leaver, removed, banned, blocker, stranger] = await db.createUsers(7);
      const group = await createGroup(db, owner!, { kind: "club", visibility: "private", joinPolicy: "request" });
      for (const u of [member!, leaver!, removed!, banned!, blocker!]) await addMember(db, group, u);
      await db.as(owner!);
      const [chat] = await db.q<{ id: string }[]>`select id from social.open_group_chat(${group})`;
      const media = await createMedia(db, member!, { target: "message" });
      // before it is sent: its owner's only
      expect(await canRead(db, member!, media)).toBe(true);
      expect(await canRead(db, owner!, media)).toBe(false);
      const message = await send(db, member!, chat!.id, "the route", { attachments: refs(media) });
      expect(await mediaRow(db, media)).toEqual({ target_type: "message", target_id: message.id, group_id: group });
      const everyone = { owner, member, leaver, removed, banned, blocker, stranger };
      for (const [role, who] of Object.entries(everyone)) {
        expect(await canRead(db, who!, media), `as ${role} while all are members`).toBe(role !== "stranger");
      }
      await db.as(leaver!);
      await db.q`select social.leave_group(${group})`;
      await db.as(owner!);
      await db.q`select social.remove_group_member(${group}, ${removed!})`;
      await db.q`select social.ban_group_member(${group}, ${banned!})`;
      await block(db, blocker!, member!);
      const expected: Record<string, boolean> = {
        owner: true,
        member: true,
        leaver: false,
        removed: false,
        banned: false,
        blocker: false,
        stranger: false,
      };
      for (const [role, who] of Object.entries(everyone)) {
        expect(await canRead(db, who!, media), `as ${role}`).toBe(expected[role]);
      }
      expect(await canRead(db, null, media), "as anon").toBe(false);
      // the media row itself follows the same rule (social.media RLS)
      await db.as(owner!);
      expect(await db.q`select 1 from social.media where id = ${media.id}`).toHaveLength(1);
      await db.as(removed!);
      expect(await db.q`select 1 from social.media where id = ${media.id}`).toHaveLength(0);
    });
  });

  it("a block closes a direct conversation's attachments both ways, until it is lifted", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const id = await openDirect(db, ana!, ben!);
      const media = await createMedia(db, ana!, { target: "message" });
      await send(db, ana!, id, "", { attachments: refs(media) });
      expect(await canRead(db, ben!, media)).toBe(true);
      expect(await canRead(db, cy!, media)).toBe(false);
      await block(db, ben!, ana!);
      expect(await canRead(db, ben!, media)).toBe(false);
      // the sender too: a block closes the direct conversation for both sides
      expect(await canRead(db, ana!, media)).toBe(false);
      await db.as(ben!);
      await db.q`select social.unblock(${ana!})`;
      expect(await canRead(db, ben!, media)).toBe(true);
      expect(await canRead(db, ana!, media)).toBe(true);
    });
  });

  it("a deleted message's attachments are unreadable: detached, its sender's only until the clean-up", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const id = await groupChat(db, ana!, [ben!, cy!]);
      const [a, b] = [
        await createMedia(db, cy!, { target: "message" }),
        await createMedia(db, cy!, { target: "message" }),
      ];
      const message = await send(db, cy!, id, "two photos", { attachments: refs(a, b) });
      expect(await canRead(db, ben!, a)).toBe(true);
      expect(await canRead(db, ben!, b)).toBe(true);
      // an admin removes it (moderation)
      await db.as(ana!);
      await db.q`select social.delete_message(${message.id}, 'spam')`;
      for (const m of [a, b]) {
        expect(await canRead(db, ben!, m)).toBe(false);
        expect(await canRead(db, ana!, m)).toBe(false);
        expect(await mediaRow(db, m)).toMatchObject({ target_id: null });
      }
      // the tombstone keeps nothing
      await db.as(ben!);
      const [row] = await db.q<MessageRow[]>`select * from social.messages where id = ${message.id}`;
      expect(row).toMatchObject({ body: null, attachments: [] });
    });
  });

  it("a deleted conversation's attachments are detached", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await groupChat(db, ana!, [ben!]);
      const media = await createMedia(db, ana!, { target: "message" });
      await send(db, ana!, id, "bye", { attachments: refs(media) });
      await db.asSuperuser();
      await db.q`delete from social.conversations where id = ${id}`;
      expect(await mediaRow(db, media)).toMatchObject({ target_id: null });
      expect(await canRead(db, ben!, media)).toBe(false);
    });
  });
});

describe("attaching media to a message", () => {
  it("refuses another user's media, media made elsewhere, rejected, not uploaded, in use or listed twice, and changes nothing", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const id = await openDirect(db, ana!, ben!);
      const bens = await createMedia(db, ben!, { target: "message" });
      const forPost = await createMedia(db, ana!, { target: "post" });
      const notUploaded = await createMedia(db, ana!, { target: "message", notUploaded: true });
      const rejected = await createMedia(db, ana!, { target: "message" });
      await db.asSuperuser();
      await db.q`update social.media set status = 'rejected' where id = ${rejected.id}`;
      const used = await createMedia(db, ana!, { target: "message" });
      const other = await openDirect(db, ana!, cy!);
      await send(db, ana!, other, "first", { attachments: refs(used) });
      const fine = await createMedia(db, ana!, { target: "message" });
      const cases: [string, unknown, string][] = [
        ["someone else's", refs(bens), "media_not_found"],
        ["an unknown id", [{ id: randomUUID() }], "media_not_found"],
        ["made for a post", refs(forPost), "invalid_media"],
        ["rejected", refs(rejected), "media_rejected"],
        ["not uploaded", refs(notUploaded), "media_not_uploaded"],
        ["in another message", refs(used), "media_in_use"],
        ["listed twice", refs(fine, fine), "invalid_media"],
        ["a path instead of an id", [{ path: fine.path, type: "image" }], "invalid_media"],
        ["an unknown field", [{ id: fine.id, url: "x" }], "invalid_media"],
        ["eleven items", Array.from({ length: 11 }, () => ({ id: randomUUID() })), "invalid_media"],
      ];
      await db.as(ana!);
      for (const [name, attachments, code] of cases) {
        const [, hint] = await refused(
          db,
          (tx) => tx`select social.send_message(${id}, ${randomUUID()}, 'look', ${tx.json(attachments as never)})`,
        );
        expect(hint, name).toBe(code);
      }
      await db.asSuperuser();
      const [count] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.messages where conversation_id = ${id}`;
      expect(count!.n).toBe(0);
      expect(await mediaRow(db, fine)).toMatchObject({ target_id: null });
      expect(await mediaRow(db, bens)).toMatchObject({ target_id: null });
    });
  });

  it("a retry returns the stored message and attaches nothing twice; the key with other media is a conflict", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await openDirect(db, ana!, ben!);
      const [a, b] = [
        await createMedia(db, ana!, { target: "message" }),
        await createMedia(db, ana!, { target: "message" }),
      ];
      const key = randomUUID();
      const first = await send(db, ana!, id, "pics", { clientId: key, attachments: refs(a) });
      const again = await send(db, ana!, id, "pics", { clientId: key, attachments: refs(a) });
      expect(again.id).toBe(first.id);
      expect(again.attachments).toEqual(first.attachments);
      await db.as(ana!);
      expect(
        (
          await refused(db, (tx) => tx`select social.send_message(${id}, ${key}, 'pics', ${tx.json(refs(b) as never)})`)
        )[1],
      ).toBe("idempotency_conflict");
      expect((await refused(db, (tx) => tx`select social.send_message(${id}, ${key}, 'pics', '[]'::jsonb)`))[1]).toBe(
        "idempotency_conflict",
      );
      await db.asSuperuser();
      const [count] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.messages where conversation_id = ${id} and kind = 'text'`;
      expect(count!.n).toBe(1);
      expect(await mediaRow(db, a)).toMatchObject({ target_id: first.id });
      expect(await mediaRow(db, b)).toMatchObject({ target_id: null });
    });
  });
});
