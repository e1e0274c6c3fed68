/**
 * Chat in the database: opening direct conversations (once per pair, blocks, who may message
 * whom), group conversations (admins, members, leaving, limits), conversations tied to a group
 * (membership follows the group), sending (sequence, read position, validation, idempotency,
 * rate limit, slow mode), edits with history, tombstones, history pages before / after / around,
 * read state, unread counts, receipts and the conversation list. Access from the other side
 * (strangers, removed and banned members, blocked users, anon) and Realtime are in
 * chat-access.test.ts, concurrent retries in chat-concurrency.test.ts.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  broadcasts,
  conversationList,
  groupChat,
  history,
  type MessageRow,
  openDirect,
  send,
} from "../fixtures/chat.ts";
import { block, follow } from "../fixtures/graph.ts";
import { addMember, createGroup } from "../fixtures/groups.ts";
import { canRead, createMedia, refs } from "../fixtures/media.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";
import { asRole } from "../helpers/labels.ts";

async function members(db: TestDb, conversation: string): Promise<Record<string, string>> {
  await db.asSuperuser();
  const rows = await db.q<{ user_id: string; role: string }[]>`
    select user_id, role::text from social.conversation_members where conversation_id = ${conversation}`;
  return Object.fromEntries(rows.map((r) => [r.user_id, r.role]));
}

async function conversation(db: TestDb, id: string) {
  await db.asSuperuser();
  const [row] = await db.q<{ member_count: number; last_seq: string; slow_mode_seconds: number; title: string }[]>`
    select member_count, last_seq, slow_mode_seconds, title from social.conversations where id = ${id}`;
  return row;
}

async function unread(db: TestDb, who: string, conv: string): Promise<number> {
  const rows = await conversationList(db, who);
  return Number(rows.find((r) => r.id === conv)?.unread_count ?? Number.NaN);
}

describe("direct conversations", () => {
  it("are one per pair, whoever opens them, with the two people as members", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const first = await openDirect(db, ana!, ben!);
      expect(await openDirect(db, ben!, ana!)).toBe(first);
      expect(await openDirect(db, ana!, ben!)).toBe(first);
      expect(Object.keys(await members(db, first)).sort()).toEqual([ana, ben].sort());
      expect((await conversation(db, first))!.member_count).toBe(2);
      await db.asSuperuser();
      const [n] = await db.q<{ n: number }[]>`select count(*)::int as n from social.conversations where kind = 'direct'
        and ${ana!}::uuid in (direct_user_low, direct_user_high)`;
      expect(n!.n).toBe(1);
    });
  });

  it("are refused with yourself, nobody, a missing user and across a block either way", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select social.open_direct_conversation(${ana!})`)).toEqual([
        "22023",
        "invalid_target",
      ]);
      expect(await refused(db, (tx) => tx`select social.open_direct_conversation(null)`)).toEqual([
        "22023",
        "invalid_target",
      ]);
      expect(await refused(db, (tx) => tx`select social.open_direct_conversation(${randomUUID()})`)).toEqual([
        "PT404",
        "profile_not_found",
      ]);
      await block(db, ana!, ben!);
      await block(db, cy!, ana!);
      for (const [who, other] of [
        [ana!, ben!],
        [ben!, ana!],
        [ana!, cy!],
        [cy!, ana!],
      ] as const) {
        await db.as(who);
        expect(
          await refused(db, (tx) => tx`select social.open_direct_conversation(${other})`),
          asRole({ ana, ben, cy }, who),
        ).toEqual(["42501", "blocked"]);
      }
      await db.asSuperuser();
      const [n] = await db.q<{ n: number }[]>`select count(*)::int as n from social.conversations
        where ${ana!}::uuid in (direct_user_low, direct_user_high)`;
      expect(n!.n).toBe(0);
    });
  });

  it("follow the other person's setting: everyone, only people they follow, nobody", async () => {
    await withDb(async (db) => {
      const [ana, followed, stranger] = await db.createUsers(3);
      await db.as(ana!);
      await db.q`select social.set_chat_settings('following')`;
      await follow(db, ana!, followed!);
      expect(await openDirect(db, followed!, ana!)).toBeTruthy();
      await db.as(stranger!);
      expect(await refused(db, (tx) => tx`select social.open_direct_conversation(${ana!})`)).toEqual([
        "42501",
        "messaging_not_allowed",
      ]);
      await db.as(ana!);
      await db.q`select social.set_chat_settings('nobody')`;
      await db.as(stranger!);
      expect(await refused(db, (tx) => tx`select social.open_direct_conversation(${ana!})`)).toEqual([
        "42501",
        "messaging_not_allowed",
      ]);
      // the conversation that exists stays, and the other way round is the caller's own choice
      expect(await openDirect(db, followed!, ana!)).toBeTruthy();
      expect(await openDirect(db, ana!, stranger!)).toBeTruthy();
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select social.set_chat_settings(null)`)).toEqual([
        "22023",
        "invalid_preference",
      ]);
      const [mine] = await db.q<
        { allow_messages_from: string }[]
      >`select allow_messages_from from social.chat_settings`;
      expect(mine!.allow_messages_from).toBe("nobody");
    });
  });

  it("have no title, admins, slow mode or leaving", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await openDirect(db, ana!, ben!);
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select social.update_conversation(${id}, 'Title')`)).toEqual([
        "42501",
        "not_conversation_admin",
      ]);
      expect(await refused(db, (tx) => tx`select social.leave_conversation(${id})`)).toEqual([
        "22023",
        "direct_conversation",
      ]);
      await db.asService();
      expect(await refused(db, (tx) => tx`select social.update_conversation(${id}, 'Title')`)).toEqual([
        "22023",
        "direct_conversation",
      ]);
    });
  });
});

describe("group conversations", () => {
  it("start with the creator as admin, the members, and a system message", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const id = await groupChat(db, ana!, [ben!, cy!, ben!, ana!], "  Weekend ride  ");
      expect(await members(db, id)).toEqual({ [ana!]: "admin", [ben!]: "member", [cy!]: "member" });
      const c = await conversation(db, id);
      expect(c).toMatchObject({ member_count: 3, title: "Weekend ride", last_seq: "1" });
      const page = await history(db, ben!, id);
      expect(page.map((m) => [m.kind, m.data.event])).toEqual([["system", "conversation_created"]]);
      // everyone starts with nothing unread but what came after they joined
      expect(await unread(db, ana!, id)).toBe(0);
      expect(await unread(db, ben!, id)).toBe(0);
    });
  });

  it("refuse a bad title, too many members, blocked people and people who do not accept messages", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy, dee] = await db.createUsers(4);
      await db.as(ana!);
      for (const title of ["", "   ", "\u200b\u200d", "x".repeat(81)]) {
        expect(await refused(db, (tx) => tx`select social.create_group_conversation(${title}, '{}')`), title).toEqual([
          "22023",
          "invalid_title",
        ]);
      }
      await db.asSuperuser();
      await db.q`update social_private.chat_limits set value = 3 where name = 'group_members'`;
      await db.as(ana!);
      expect(
        await refused(db, (tx) => tx`select social.create_group_conversation('Big', ${[ben!, cy!, dee!]}::uuid[])`),
      ).toEqual(["22023", "too_many_members"]);
      await block(db, cy!, ana!);
      await db.as(ana!);
      expect(
        await refused(db, (tx) => tx`select social.create_group_conversation('T', ${[ben!, cy!]}::uuid[])`),
      ).toEqual(["42501", "blocked"]);
      await db.as(dee!);
      await db.q`select social.set_chat_settings('nobody')`;
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select social.create_group_conversation('T', ${[dee!]}::uuid[])`)).toEqual([
        "42501",
        "messaging_not_allowed",
      ]);
      await db.asSuperuser();
      const [n] = await db.q<
        { n: number }[]
      >`select count(*)::int as n from social.conversations where created_by = ${ana!}`;
      expect(n!.n).toBe(0);
    });
  });

  it("admins add, remove (logged) and re-role members; members may not", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy, dee] = await db.createUsers(4);
      const id = await groupChat(db, ana!, [ben!]);
      await db.as(ben!);
      expect(await refused(db, (tx) => tx`select social.add_conversation_members(${id}, ${[cy!]}::uuid[])`)).toEqual([
        "42501",
        "not_conversation_admin",
      ]);
      expect(await refused(db, (tx) => tx`select social.remove_conversation_member(${id}, ${ana!})`)).toEqual([
        "42501",
        "not_conversation_admin",
      ]);
      await db.as(ana!);
      const [added] = await db.q<
        { n: number }[]
      >`select social.add_conversation_members(${id}, ${[cy!, dee!, ben!]}::uuid[]) as n`;
      expect(added!.n).toBe(2);
      await db.q`select social.set_conversation_member_role(${id}, ${ben!}, 'admin')`;
      await db.q`select social.remove_conversation_member(${id}, ${cy!})`;
      expect(await refused(db, (tx) => tx`select social.remove_conversation_member(${id}, ${cy!})`)).toEqual([
        "PT404",
        "member_not_found",
      ]);
      expect(await refused(db, (tx) => tx`select social.remove_conversation_member(${id}, ${ana!})`)).toEqual([
        "22023",
        "invalid_target",
      ]);
      expect(await members(db, id)).toEqual({ [ana!]: "admin", [ben!]: "admin", [dee!]: "member" });
      await db.asSuperuser();
      const log = await db.q<{ action: string; actor_id: string; target_user_id: string; metadata: object }[]>`
        select action::text, actor_id, target_user_id, metadata from social.moderation_log where target_user_id = ${cy!}`;
      expect(log).toEqual([
        { action: "member_removed", actor_id: ana, target_user_id: cy, metadata: { conversation_id: id } },
      ]);
      const events = (await history(db, dee!, id)).map((m) => m.data.event).filter(Boolean);
      expect(events).toEqual(["conversation_created", "member_joined", "member_joined", "member_removed"]);
      // the last admin stays
      await db.as(ana!);
      await db.q`select social.set_conversation_member_role(${id}, ${ben!}, 'member')`;
      expect(
        await refused(db, (tx) => tx`select social.set_conversation_member_role(${id}, ${ana!}, 'member')`),
      ).toEqual(["22023", "invalid_role"]);
    });
  });

  it("leaving hands the admin role to the earliest member, and the last one out deletes it", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const id = await groupChat(db, ana!, [ben!, cy!]);
      await db.as(ana!);
      await db.q`select social.leave_conversation(${id})`;
      const roles = await members(db, id);
      expect(Object.keys(roles).sort()).toEqual([ben, cy].sort());
      expect(Object.values(roles).filter((r) => r === "admin")).toHaveLength(1);
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select social.leave_conversation(${id})`)).toEqual([
        "PT404",
        "conversation_not_found",
      ]);
      for (const who of [ben!, cy!]) {
        await db.as(who);
        await db.q`select social.leave_conversation(${id})`;
      }
      expect(await conversation(db, id)).toBeUndefined();
    });
  });

  it("admins set the title, avatar and slow mode; bad values are refused", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await groupChat(db, ana!, [ben!]);
      await db.as(ana!);
      await db.q`select social.update_conversation(${id}, 'Renamed', 'a/b.png', 10)`;
      expect(await conversation(db, id)).toMatchObject({ title: "Renamed", slow_mode_seconds: 10 });
      await db.as(ana!);
      await db.q`select social.update_conversation(${id}, p_avatar_path => '')`;
      expect(
        await refused(db, (tx) => tx`select social.update_conversation(${id}, p_slow_mode_seconds => 3601)`),
      ).toEqual(["22023", "invalid_slow_mode"]);
      expect(await refused(db, (tx) => tx`select social.update_conversation(${id}, ' ')`)).toEqual([
        "22023",
        "invalid_title",
      ]);
      await db.as(ben!);
      expect(await refused(db, (tx) => tx`select social.update_conversation(${id}, 'Mine')`)).toEqual([
        "42501",
        "not_conversation_admin",
      ]);
      await db.asSuperuser();
      const [c] = await db.q<{ title: string; avatar_path: string | null }[]>`
        select title, avatar_path from social.conversations where id = ${id}`;
      expect(c).toEqual({ title: "Renamed", avatar_path: null });
    });
  });
});

describe("conversations tied to a group", () => {
  it("hold the group's active members (staff as admins), and follow joins, leaves, bans and roles", async () => {
    await withDb(async (db) => {
      const [owner, admin, moderator, member, pending, banned, later] = await db.createUsers(7);
      const group = await createGroup(db, owner!, { kind: "club", joinPolicy: "open" });
      await addMember(db, group, admin!, "admin");
      await addMember(db, group, moderator!, "moderator");
      await addMember(db, group, member!);
      await addMember(db, group, pending!, "member", "pending");
      await addMember(db, group, banned!, "member", "banned");
      await db.as(member!);
      expect(await refused(db, (tx) => tx`select social.open_group_chat(${group})`)).toEqual([
        "42501",
        "not_group_admin",
      ]);
      await db.as(admin!);
      const [chat] = await db.q<
        { id: string; title: string }[]
      >`select id, title from social.open_group_chat(${group})`;
      expect(chat!.title).toBe("Test group");
      expect(await members(db, chat!.id)).toEqual({
        [owner!]: "admin",
        [admin!]: "admin",
        [moderator!]: "admin",
        [member!]: "member",
      });
      await db.as(member!);
      const [again] = await db.q<{ id: string }[]>`select id from social.open_group_chat(${group})`;
      expect(again!.id).toBe(chat!.id);

      await db.as(later!);
      await db.q`select social.join_group(${group})`;
      expect((await members(db, chat!.id))[later!]).toBe("member");
      await db.as(later!);
      await db.q`select social.leave_group(${group})`;
      expect((await members(db, chat!.id))[later!]).toBeUndefined();
      await db.as(owner!);
      await db.q`select social.ban_group_member(${group}, ${member!})`;
      await db.q`select social.set_group_member_role(${group}, ${moderator!}, 'member')`;
      expect(await members(db, chat!.id)).toEqual({ [owner!]: "admin", [admin!]: "admin", [moderator!]: "member" });
      await db.as(owner!);
      await db.q`select social.approve_join_request(${group}, ${pending!})`;
      expect((await members(db, chat!.id))[pending!]).toBe("member");
    });
  });

  it("keep their membership to the group: no adding, removing, leaving or roles by hand", async () => {
    await withDb(async (db) => {
      const [owner, member, outsider] = await db.createUsers(3);
      const group = await createGroup(db, owner!);
      await addMember(db, group, member!);
      await db.as(owner!);
      const [chat] = await db.q<{ id: string }[]>`select id from social.open_group_chat(${group})`;
      const id = chat!.id;
      expect(
        await refused(db, (tx) => tx`select social.add_conversation_members(${id}, ${[outsider!]}::uuid[])`),
      ).toEqual(["42501", "managed_membership"]);
      expect(await refused(db, (tx) => tx`select social.remove_conversation_member(${id}, ${member!})`)).toEqual([
        "42501",
        "managed_membership",
      ]);
      expect(
        await refused(db, (tx) => tx`select social.set_conversation_member_role(${id}, ${member!}, 'admin')`),
      ).toEqual(["42501", "managed_membership"]);
      await db.as(member!);
      expect(await refused(db, (tx) => tx`select social.leave_conversation(${id})`)).toEqual([
        "42501",
        "managed_membership",
      ]);
      // but the title and slow mode are the admins'
      await db.as(owner!);
      await db.q`select social.update_conversation(${id}, 'Club talk', p_slow_mode_seconds => 5)`;
      expect((await conversation(db, id))!.title).toBe("Club talk");
    });
  });

  it("are not opened by strangers, go with their group, and other groups' people are not let in", async () => {
    await withDb(async (db) => {
      const [owner, stranger] = await db.createUsers(2);
      const secret = await createGroup(db, owner!, { visibility: "secret", joinPolicy: "invite" });
      const open = await createGroup(db, owner!, { visibility: "public" });
      await db.as(owner!);
      const [chat] = await db.q<{ id: string }[]>`select id from social.open_group_chat(${open})`;
      await db.q`select social.open_group_chat(${secret})`;
      await db.as(stranger!);
      expect(await refused(db, (tx) => tx`select social.open_group_chat(${secret})`)).toEqual([
        "PT404",
        "group_not_found",
      ]);
      expect(await refused(db, (tx) => tx`select social.open_group_chat(${open})`)).toEqual([
        "42501",
        "group_forbidden",
      ]);
      await send(db, owner!, chat!.id, "bye");
      await db.as(owner!);
      await db.q`delete from social.groups where id = ${open}`;
      await db.asSuperuser();
      const [left] = await db.q<{ c: number; m: number }[]>`
        select (select count(*)::int from social.conversations where id = ${chat!.id}) as c,
               (select count(*)::int from social.messages where conversation_id = ${chat!.id}) as m`;
      expect(left).toEqual({ c: 0, m: 0 });
    });
  });
});

describe("sending", () => {
  it("numbers messages per conversation, moves the sender's read position and nobody else's", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const id = await groupChat(db, ana!, [ben!, cy!]);
      const m1 = await send(db, ana!, id, "one");
      const m2 = await send(db, ben!, id, "two");
      const m3 = await send(db, ana!, id, "three");
      expect([m1.seq, m2.seq, m3.seq]).toEqual(["2", "3", "4"]);
      // ids are version 7 uuids: their first 48 bits are the milliseconds of the send
      for (const m of [m1, m2, m3]) {
        expect(m.id[14]).toBe("7");
        expect(Math.abs(Number.parseInt(m.id.replace(/-/g, "").slice(0, 12), 16) - Date.now())).toBeLessThan(600_000);
      }
      expect((await conversation(db, id))!.last_seq).toBe("4");
      expect(await unread(db, ana!, id)).toBe(0);
      expect(await unread(db, ben!, id)).toBe(1);
      expect(await unread(db, cy!, id)).toBe(3);
      // one other conversation keeps its own numbers
      const other = await openDirect(db, ana!, ben!);
      expect((await send(db, ana!, other, "hi")).seq).toBe("1");
    });
  });

  it("refuses blank and too long text, bad attachments, a reply from elsewhere, and changes nothing", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await openDirect(db, ana!, ben!);
      const elsewhere = await send(db, ana!, await groupChat(db, ana!, [ben!]), "elsewhere");
      await db.as(ana!);
      const cases: [string | null, unknown, string | null, string][] = [
        [null, [], null, "invalid_body"],
        ["  \n ", [], null, "invalid_body"],
        ["\u200b\u200b\u2060", [], null, "invalid_body"],
        ["x".repeat(4001), [], null, "invalid_body"],
        ["hi", { path: "a.jpg" }, null, "invalid_media"],
        ["hi", [{ path: "a.jpg", type: "pdf" }], null, "invalid_media"],
        ["hi", Array.from({ length: 11 }, () => ({ path: "a.jpg", type: "image" })), null, "invalid_media"],
        ["hi", [], elsewhere.id, "message_not_found"],
      ];
      for (const [body, attachments, replyTo, code] of cases) {
        const [, hint] = await refused(
          db,
          (tx) =>
            tx`select social.send_message(${id}, ${randomUUID()}, ${body}, ${tx.json(attachments as never)}, ${replyTo})`,
        );
        expect(hint, `${JSON.stringify(body)?.slice(0, 20)} ${JSON.stringify(attachments).slice(0, 40)}`).toBe(code);
      }
      expect((await conversation(db, id))!.last_seq).toBe("0");
      // an attachment alone is a message, a reply in the same conversation is fine
      const media = await createMedia(db, ana!, { target: "message" });
      const photo = await send(db, ana!, id, "", { attachments: [{ id: media.id, alt: "a photo" }] });
      expect(photo.attachments).toEqual([
        {
          id: media.id,
          bucket: "social-chat",
          path: media.path,
          type: "image",
          mime_type: "image/png",
          width: 640,
          height: 480,
          alt: "a photo",
        },
      ]);
      const reply = await send(db, ben!, id, "nice", { replyTo: photo.id });
      expect(reply.reply_to_id).toBe(photo.id);
      const [page] = (await history(db, ana!, id)).slice(-1);
      expect(page!.reply_to).toMatchObject({ id: photo.id, is_deleted: false });
    });
  });

  it("returns the stored message for a retry, and refuses the key for another message", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await openDirect(db, ana!, ben!);
      const other = await groupChat(db, ana!, [ben!]);
      const key = randomUUID();
      const first = await send(db, ana!, id, "once", { clientId: key });
      const retry = await send(db, ana!, id, "once", { clientId: key });
      expect(retry).toEqual(first);
      // the same key belongs to ana only: ben may use it
      expect((await send(db, ben!, id, "mine", { clientId: key })).id).not.toBe(first.id);
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select social.send_message(${other}, ${key}, 'once')`)).toEqual([
        "PT409",
        "idempotency_conflict",
      ]);
      expect(await refused(db, (tx) => tx`select social.send_message(${id}, ${key}, 'twice')`)).toEqual([
        "PT409",
        "idempotency_conflict",
      ]);
      await db.asSuperuser();
      const [n] = await db.q<
        { n: number }[]
      >`select count(*)::int as n from social.messages where client_message_id = ${key}`;
      expect(n!.n).toBe(2);
      expect((await conversation(db, id))!.last_seq).toBe("2");
    });
  });

  it("is rate limited per user and minute, and a retry is not counted", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await openDirect(db, ana!, ben!);
      await db.asSuperuser();
      await db.q`update social_private.rate_limit_rules set per_minute = 3 where action = 'message'`;
      const key = randomUUID();
      await send(db, ana!, id, "1", { clientId: key });
      await send(db, ana!, id, "1", { clientId: key });
      await send(db, ana!, id, "2");
      await send(db, ana!, id, "3");
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select social.send_message(${id}, ${randomUUID()}, '4')`)).toEqual([
        "PT429",
        "rate_limited",
      ]);
      // ben has his own budget
      expect((await send(db, ben!, id, "hi")).seq).toBe("4");
    });
  });

  it("edits and conversation changes have their own per-minute budgets", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      await db.asSuperuser();
      await db.q`update social_private.rate_limit_rules set per_minute = 2 where action in ('message_edit', 'conversation')`;
      const id = await groupChat(db, ana!, [ben!]);
      const m = await send(db, ana!, id, "v0");
      await db.as(ana!);
      await db.q`select social.edit_message(${m.id}, 'v1')`;
      await db.q`select social.edit_message(${m.id}, 'v2')`;
      expect(await refused(db, (tx) => tx`select social.edit_message(${m.id}, 'v3')`)).toEqual([
        "PT429",
        "rate_limited",
      ]);
      // creating the conversation was one, this is two, the next is refused
      await db.q`select social.update_conversation(${id}, 'Renamed')`;
      expect(await refused(db, (tx) => tx`select social.add_conversation_members(${id}, ${[cy!]}::uuid[])`)).toEqual([
        "PT429",
        "rate_limited",
      ]);
      expect(await refused(db, (tx) => tx`select social.open_direct_conversation(${cy!})`)).toEqual([
        "PT429",
        "rate_limited",
      ]);
      await db.asSuperuser();
      const [row] = await db.q<{ edits: number; members: number }[]>`
        select (select count(*)::int from social.message_edits where message_id = ${m.id}) as edits,
               (select member_count from social.conversations where id = ${id}) as members`;
      expect(row).toEqual({ edits: 2, members: 2 });
      // ben has budgets of his own
      await db.as(ben!);
      expect(
        (await db.q<{ id: string }[]>`select id from social.open_direct_conversation(${cy!})`)[0]!.id,
      ).toBeTruthy();
    });
  });

  it("in slow mode makes members wait between messages; admins do not", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await groupChat(db, ana!, [ben!]);
      await db.as(ana!);
      await db.q`select social.update_conversation(${id}, p_slow_mode_seconds => 60)`;
      await send(db, ben!, id, "first");
      await db.as(ben!);
      expect(await refused(db, (tx) => tx`select social.send_message(${id}, ${randomUUID()}, 'second')`)).toEqual([
        "PT429",
        "slow_mode",
      ]);
      await send(db, ana!, id, "admin 1");
      await send(db, ana!, id, "admin 2");
      // once the wait is over
      await db.asSuperuser();
      await db.q`update social.conversation_members set last_sent_at = now() - interval '61 seconds'
        where conversation_id = ${id} and user_id = ${ben!}`;
      expect((await send(db, ben!, id, "second")).body).toBe("second");
    });
  });
});

describe("edits and deletions", () => {
  it("an edit keeps the earlier text; only the sender edits, never a deleted message", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await groupChat(db, ana!, [ben!]);
      const m = await send(db, ben!, id, "v1");
      await db.as(ben!);
      await db.q`select social.edit_message(${m.id}, 'v2')`;
      const [edited] = await db.q<MessageRow[]>`select * from social.edit_message(${m.id}, 'v3')`;
      expect(edited).toMatchObject({ body: "v3", edit_count: 2 });
      expect(edited!.edited_at).toBeInstanceOf(Date);
      await db.as(ana!);
      const versions = await db.q<{ body: string }[]>`select body from social.message_history(${m.id})`;
      expect(versions.map((v) => v.body)).toEqual(["v1", "v2"]);
      expect(await refused(db, (tx) => tx`select social.edit_message(${m.id}, 'mine now')`)).toEqual([
        "42501",
        "not_allowed",
      ]);
      await db.as(ben!);
      expect(await refused(db, (tx) => tx`select social.edit_message(${m.id}, ' ')`)).toEqual([
        "22023",
        "invalid_body",
      ]);
      await db.q`select social.delete_message(${m.id})`;
      expect(await refused(db, (tx) => tx`select social.edit_message(${m.id}, 'back')`)).toEqual([
        "22023",
        "invalid_transition",
      ]);
      expect(await refused(db, (tx) => tx`select social.edit_message(${randomUUID()}, 'x')`)).toEqual([
        "PT404",
        "message_not_found",
      ]);
    });
  });

  it("a deletion leaves a tombstone, drops the versions, and admins' deletions are logged", async () => {
    await withDb(async (db) => {
      const [owner, member, other] = await db.createUsers(3);
      const group = await createGroup(db, owner!);
      await addMember(db, group, member!);
      await addMember(db, group, other!);
      await db.as(owner!);
      const [chat] = await db.q<{ id: string }[]>`select id from social.open_group_chat(${group})`;
      const media = await createMedia(db, member!, { target: "message" });
      const mine = await send(db, member!, chat!.id, "oops", { attachments: refs(media) });
      expect(await canRead(db, other!, media)).toBe(true);
      const theirs = await send(db, other!, chat!.id, "spam spam");
      await db.as(member!);
      await db.q`select social.edit_message(${mine.id}, 'oops!')`;
      expect(await refused(db, (tx) => tx`select social.delete_message(${theirs.id})`)).toEqual([
        "42501",
        "not_allowed",
      ]);
      const [gone] = await db.q<MessageRow[]>`select * from social.delete_message(${mine.id})`;
      expect(gone).toMatchObject({ body: null, attachments: [], deleted_by: member });
      // the tombstone's photo is unreadable in the conversation (detached: its owner's until clean-up)
      expect(await canRead(db, other!, media)).toBe(false);
      expect(await canRead(db, owner!, media)).toBe(false);
      expect(await canRead(db, member!, media)).toBe(true);
      const [again] = await db.q<MessageRow[]>`select * from social.delete_message(${mine.id})`;
      expect(again!.deleted_at).toEqual(gone!.deleted_at);
      await db.as(owner!);
      await db.q`select social.delete_message(${theirs.id}, 'spam')`;
      const page = await history(db, other!, chat!.id);
      expect(page.filter((m) => m.kind === "text").map((m) => [m.body, m.deleted_at !== null])).toEqual([
        [null, true],
        [null, true],
      ]);
      await db.asSuperuser();
      const [edits] = await db.q<
        { n: number }[]
      >`select count(*)::int as n from social.message_edits where message_id = ${mine.id}`;
      expect(edits!.n).toBe(0);
      const log = await db.q<{ action: string; group_id: string; target_id: string; reason: string }[]>`
        select action::text, group_id, target_id, reason from social.moderation_log where target_type = 'message'`;
      expect(log).toEqual([{ action: "message_removed", group_id: group, target_id: theirs.id, reason: "spam" }]);
    });
  });

  it("the platform deletes any message", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await openDirect(db, ana!, ben!);
      const m = await send(db, ana!, id, "reported");
      await db.asService();
      const [gone] = await db.q<MessageRow[]>`select * from social.delete_message(${m.id}, 'terms')`;
      expect(gone).toMatchObject({ body: null, deleted_by: null });
    });
  });
});

describe("history", () => {
  async function longChat(db: TestDb, n: number) {
    const [ana, ben] = await db.createUsers(2);
    const id = await openDirect(db, ana!, ben!);
    await db.asSuperuser();
    await db.q`update social_private.rate_limit_rules set per_minute = 1000 where action = 'message'`;
    const sent: MessageRow[] = [];
    for (let i = 1; i <= n; i++) sent.push(await send(db, i % 2 ? ana! : ben!, id, `m${i}`));
    return { ana: ana!, ben: ben!, id, sent };
  }

  it("pages back from the latest in sending order, then forward again, without gaps or repeats", async () => {
    await withDb(async (db) => {
      const { ana, id } = await longChat(db, 23);
      const seen: string[] = [];
      let page = await history(db, ana, id, { limit: 10 });
      expect(page.map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `m${14 + i}`));
      expect(page[0]!.newer_cursor).toBeNull();
      seen.unshift(...page.map((m) => m.body!));
      while (page[0]?.older_cursor) {
        expect(page[0].next_cursor).toBe(page[0].older_cursor);
        page = await history(db, ana, id, { cursor: page[0].older_cursor, limit: 10 });
        seen.unshift(...page.map((m) => m.body!));
      }
      expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `m${i + 1}`));
      // and forward from the oldest page
      const forward: string[] = page.map((m) => m.body!);
      while (page[0]?.newer_cursor) {
        page = await history(db, ana, id, { cursor: page[0].newer_cursor, limit: 10 });
        forward.push(...page.map((m) => m.body!));
      }
      expect(forward).toEqual(seen);
    });
  });

  it("gives the messages before, after and around one (a reply's original)", async () => {
    await withDb(async (db) => {
      const { ben, id, sent } = await longChat(db, 30);
      const anchor = sent[14]!; // m15
      const before = await history(db, ben, id, { before: anchor.id, limit: 5 });
      expect(before.map((m) => m.body)).toEqual(["m10", "m11", "m12", "m13", "m14"]);
      expect(before[0]!.older_cursor).not.toBeNull();
      expect(before[0]!.newer_cursor).not.toBeNull();
      const after = await history(db, ben, id, { after: anchor.id, limit: 5 });
      expect(after.map((m) => m.body)).toEqual(["m16", "m17", "m18", "m19", "m20"]);
      expect(after[0]!.next_cursor).toBe(after[0]!.newer_cursor);
      const around = await history(db, ben, id, { around: anchor.id, limit: 5 });
      expect(around.map((m) => m.body)).toEqual(["m13", "m14", "m15", "m16", "m17"]);
      const older = await history(db, ben, id, { cursor: around[0]!.older_cursor, limit: 2 });
      expect(older.map((m) => m.body)).toEqual(["m11", "m12"]);
      const newer = await history(db, ben, id, { cursor: around[0]!.newer_cursor, limit: 2 });
      expect(newer.map((m) => m.body)).toEqual(["m18", "m19"]);
      // the first and last messages have nothing beyond them
      const start = await history(db, ben, id, { around: sent[0]!.id, limit: 5 });
      expect(start.map((m) => m.body)).toEqual(["m1", "m2", "m3"]);
      expect(start[0]!.older_cursor).toBeNull();
      const end = await history(db, ben, id, { after: sent[29]!.id });
      expect(end).toEqual([]);
    });
  });

  it("refuses cursors of another conversation or list, made-up cursors, a cursor with an anchor, and anchors elsewhere", async () => {
    await withDb(async (db) => {
      const { ana, ben, id, sent } = await longChat(db, 12);
      const other = await groupChat(db, ana, [ben]);
      const page = await history(db, ana, id, { limit: 5 });
      const cursor = page[0]!.older_cursor!;
      await db.as(ana);
      // a cut, a made-up and a foreign cursor, one of another list, junk
      const [feedCursor] = await db.q<{ c: string }[]>`
        select social_private.encode_page_cursor('list_conversations', 'activity', ${ana}::text, now(), null, ${id}::uuid) as c`;
      for (const bad of [cursor.slice(0, -2), "bm90IGEgY3Vyc29y", "!!!", "x".repeat(600), feedCursor!.c]) {
        expect(
          await refused(db, (tx) => tx`select * from social.list_messages(${id}, p_cursor => ${bad})`),
          bad.slice(0, 20),
        ).toEqual(["22023", "invalid_cursor"]);
      }
      expect(
        await refused(db, (tx) => tx`select * from social.list_messages(${other}, p_cursor => ${cursor})`),
      ).toEqual(["22023", "invalid_cursor"]);
      expect(
        await refused(db, (tx) => tx`select * from social.list_messages(${id}, ${sent[1]!.id}, 'around', ${cursor})`),
      ).toEqual(["22023", "invalid_input"]);
      expect(
        await refused(db, (tx) => tx`select * from social.list_messages(${id}, ${sent[1]!.id}, 'beside')`),
      ).toEqual(["22023", "invalid_input"]);
      expect(await refused(db, (tx) => tx`select * from social.list_messages(${other}, ${sent[1]!.id})`)).toEqual([
        "PT404",
        "message_not_found",
      ]);
    });
  });

  it("caps pages at 50", async () => {
    await withDb(async (db) => {
      const { ana, id } = await longChat(db, 55);
      expect(await history(db, ana, id, { limit: 500 })).toHaveLength(50);
      expect(await history(db, ana, id, { limit: 0 })).toHaveLength(1);
    });
  });
});

describe("read state", () => {
  it("unread counts are the sequence minus the read position; marking read never moves back", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await openDirect(db, ana!, ben!);
      const sent: MessageRow[] = [];
      for (let i = 0; i < 5; i++) sent.push(await send(db, ana!, id, `m${i}`));
      expect(await unread(db, ben!, id)).toBe(5);
      await db.as(ben!);
      const [r1] = await db.q<{ last_read_seq: string; unread_count: string }[]>`
        select * from social.mark_conversation_read(${id}, ${sent[2]!.id})`;
      expect(r1).toMatchObject({ last_read_seq: "3", unread_count: "2" });
      const [r2] = await db.q<{ last_read_seq: string; unread_count: string }[]>`
        select * from social.mark_conversation_read(${id}, ${sent[0]!.id})`;
      expect(r2).toMatchObject({ last_read_seq: "3", unread_count: "2" });
      const [r3] = await db.q<{ last_read_seq: string; unread_count: string }[]>`
        select * from social.mark_conversation_read(${id})`;
      expect(r3).toMatchObject({ last_read_seq: "5", unread_count: "0" });
      expect(
        await refused(db, (tx) => tx`select * from social.mark_conversation_read(${id}, ${randomUUID()})`),
      ).toEqual(["PT404", "message_not_found"]);
    });
  });

  it("a send writes one conversation row and the sender's own row, whatever the number of members", async () => {
    await withDb(async (db) => {
      const users = await db.createUsers(12);
      const [admin, ...rest] = users as [string, ...string[]];
      const id = await groupChat(db, admin, rest);
      await db.asSuperuser();
      const before = await db.q<{ user_id: string; last_read_seq: string; last_read_at: Date }[]>`
        select user_id, last_read_seq, last_read_at from social.conversation_members where conversation_id = ${id}
        order by user_id`;
      await send(db, rest[0]!, id, "hello all");
      await db.asSuperuser();
      const after = await db.q<{ user_id: string; last_read_seq: string; last_read_at: Date }[]>`
        select user_id, last_read_seq, last_read_at from social.conversation_members where conversation_id = ${id}
        order by user_id`;
      const changed = after.filter((row, i) => row.last_read_seq !== before[i]!.last_read_seq);
      expect(changed.map((r) => r.user_id)).toEqual([rest[0]]);
      for (const who of rest.slice(1)) expect(await unread(db, who, id), asRole({ admin }, who)).toBe(1);
    });
  });

  it("the unread total leaves muted conversations out", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const direct = await openDirect(db, ben!, ana!);
      const group = await groupChat(db, cy!, [ana!]);
      await send(db, ben!, direct, "1");
      await send(db, ben!, direct, "2");
      await send(db, cy!, group, "3");
      await db.as(ana!);
      const total = async () =>
        (
          await db.q<
            { unread_messages: string; unread_conversations: number }[]
          >`select * from social.unread_chat_count()`
        )[0];
      expect(await total()).toEqual({ unread_messages: "3", unread_conversations: 2 });
      await db.q`select social.mute_conversation(${group})`;
      expect(await total()).toEqual({ unread_messages: "2", unread_conversations: 1 });
      await db.q`select social.mute_conversation(${group}, now() - interval '1 minute')`;
      expect(await total()).toEqual({ unread_messages: "3", unread_conversations: 2 });
    });
  });

  it("receipts say who read a message, in small conversations only", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const id = await groupChat(db, ana!, [ben!, cy!]);
      const m = await send(db, ana!, id, "did you read this?");
      await db.as(ben!);
      await db.q`select social.mark_conversation_read(${id})`;
      await db.as(ana!);
      const receipts = await db.q<{ user_id: string; read: boolean; read_at: Date | null }[]>`
        select user_id, read, read_at from social.message_receipts(${m.id})`;
      expect(Object.fromEntries(receipts.map((r) => [r.user_id, r.read]))).toEqual({ [ben!]: true, [cy!]: false });
      expect(receipts.find((r) => r.user_id === cy)!.read_at).toBeNull();
      await db.asSuperuser();
      await db.q`update social_private.chat_limits set value = 2 where name = 'receipts_members'`;
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select * from social.message_receipts(${m.id})`)).toEqual([
        "22023",
        "receipts_unavailable",
      ]);
    });
  });

  it("reading broadcasts delivery.read in small conversations; sending does not", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await openDirect(db, ana!, ben!);
      await send(db, ana!, id, "1");
      await send(db, ana!, id, "2");
      await db.as(ben!);
      await db.q`select social.mark_conversation_read(${id})`;
      await db.q`select social.mark_conversation_read(${id})`;
      const reads = await broadcasts(db, `chat:${id}`, "delivery.read");
      expect(reads.map((r) => [r.payload.user_id, r.payload.last_read_seq])).toEqual([[ben, 2]]);
    });
  });
});

describe("the conversation list", () => {
  it("orders by activity, pages with the server's cursor, and shows the latest message and who", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = await groupChat(db, ben!, [ana!, cy!], `g${i}`);
        ids.push(id);
        await db.asSuperuser();
        await db.q`update social.conversations set last_activity_at = now() - ${`${10 - i} minutes`}::interval where id = ${id}`;
      }
      await send(db, cy!, ids[1]!, "bump");
      const page1 = await conversationList(db, ana!, 2);
      expect(page1.map((r) => r.title)).toEqual(["g1", "g4"]);
      expect(page1[0]!.last_message).toMatchObject({ body: "bump" });
      expect(page1[0]!.members.map((m) => m.id).sort()).toEqual([ben, cy].sort());
      expect(page1[0]!.members.find((m) => m.id === ben)!.role).toBe("admin");
      const page2 = await conversationList(db, ana!, 2, page1[0]!.next_cursor);
      const page3 = await conversationList(db, ana!, 2, page2[0]!.next_cursor);
      expect([...page2, ...page3].map((r) => r.title)).toEqual(["g3", "g2", "g0"]);
      expect(page3[0]!.next_cursor).toBeNull();
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select * from social.list_conversations('garbage!')`)).toEqual([
        "22023",
        "invalid_cursor",
      ]);
      const [one] = await db.q<
        { id: string; unread_count: string }[]
      >`select * from social.get_conversation(${ids[1]!})`;
      expect(one).toMatchObject({ id: ids[1], unread_count: "1" });
    });
  });

  it("a cursor is good for its own list, conversation and reader only", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const a = await groupChat(db, ana!, [ben!, cy!], "a");
      const b = await groupChat(db, ana!, [ben!, cy!], "b");
      await groupChat(db, ana!, [ben!, cy!], "c");
      const [list] = await conversationList(db, ana!, 1);
      await db.as(ana!);
      const [members] = await db.q<
        { next_cursor: string }[]
      >`select * from social.list_conversation_members(${a}, null, 1)`;
      // another reader's list, another conversation's members, the members cursor as a list cursor
      await db.as(ben!);
      expect(await refused(db, (tx) => tx`select * from social.list_conversations(${list!.next_cursor})`)).toEqual([
        "22023",
        "invalid_cursor",
      ]);
      expect(
        await refused(db, (tx) => tx`select * from social.list_conversation_members(${b}, ${members!.next_cursor})`),
      ).toEqual(["22023", "invalid_cursor"]);
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select * from social.list_conversations(${members!.next_cursor})`)).toEqual([
        "22023",
        "invalid_cursor",
      ]);
      // the reader's own cursors go on
      expect(await conversationList(db, ana!, 1, list!.next_cursor)).toHaveLength(1);
    });
  });

  it("lists members page by page, without the people a block separates the reader from", async () => {
    await withDb(async (db) => {
      const users = await db.createUsers(6);
      const [ana, ...rest] = users as [string, ...string[]];
      const id = await groupChat(db, ana, rest);
      await block(db, rest[0]!, ana);
      await db.as(ana);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { user_id: string; next_cursor: string | null }[] = await db.q`
          select * from social.list_conversation_members(${id}, ${cursor}, 2)`;
        seen.push(...page.map((r) => r.user_id));
        cursor = page[0]?.next_cursor ?? null;
      } while (cursor);
      expect(seen.sort()).toEqual([ana, ...rest.slice(1)].sort());
    });
  });
});
