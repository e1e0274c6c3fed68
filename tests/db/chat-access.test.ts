/**
 * Chat from the other side: who may read, send, list and subscribe, and who may not — strangers,
 * anon, removed members, members banned from the group, users a block separates, people who left
 * — over the tables, the RPCs and Realtime Authorization on realtime.messages (chat:<id> and
 * user:<id> topics); what the database broadcasts and to whom; and reports of messages into the
 * existing queues.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  broadcasts,
  conversationList,
  groupChat,
  history,
  mayRead,
  mayWrite,
  openDirect,
  send,
} from "../fixtures/chat.ts";
import { block } from "../fixtures/graph.ts";
import { addMember, createGroup } from "../fixtures/groups.ts";
import { createMedia, refs } from "../fixtures/media.ts";
import { refused, type TestDb, type Tx, withDb } from "../helpers/db.ts";
import { asRole } from "../helpers/labels.ts";

/** What `who` reads of a conversation straight from the tables (RLS). */
async function tableView(db: TestDb, who: string | null, id: string) {
  if (who) await db.as(who);
  else await db.asAnon();
  const attempt = async (query: Promise<{ n: number }[]>) => {
    const result = await db.attempt(() => query);
    return result.ok ? result.value[0]!.n : `error ${result.error.code}`;
  };
  const view = {
    conversations: await attempt(db.q`select count(*)::int as n from social.conversations where id = ${id}`),
    messages: await attempt(db.q`select count(*)::int as n from social.messages where conversation_id = ${id}`),
    edits: await attempt(db.q`select count(*)::int as n from social.message_edits where conversation_id = ${id}`),
  };
  await db.asSuperuser();
  return view;
}

/** A club with a chat, and one user in every position towards it. */
async function clubChat(db: TestDb) {
  const [owner, member, leaver, removed, banned, blocker, stranger] = await db.createUsers(7);
  const group = await createGroup(db, owner!, { kind: "club", visibility: "private", joinPolicy: "request" });
  for (const u of [member!, leaver!, removed!, banned!, blocker!]) await addMember(db, group, u);
  await db.as(owner!);
  const [chat] = await db.q<{ id: string }[]>`select id from social.open_group_chat(${group})`;
  const id = chat!.id;
  const first = await send(db, member!, id, "before");
  await db.as(member!);
  await db.q`select social.edit_message(${first.id}, 'before, edited')`;
  await db.as(leaver!);
  await db.q`select social.leave_group(${group})`;
  await db.as(owner!);
  await db.q`select social.remove_group_member(${group}, ${removed!})`;
  await db.q`select social.ban_group_member(${group}, ${banned!})`;
  await block(db, blocker!, member!);
  const cast = {
    owner: owner!,
    member: member!,
    leaver: leaver!,
    removed: removed!,
    banned: banned!,
    blocker: blocker!,
    stranger: stranger!,
  };
  return { group, id, first, cast };
}

describe("who reads a conversation", () => {
  it("members read it; people who left, were removed or banned, strangers and anon read nothing", async () => {
    await withDb(async (db) => {
      const { id, cast } = await clubChat(db);
      const expected = {
        // created, the member's message, three people gone (system messages)
        owner: { conversations: 1, messages: 5, edits: 1 },
        member: { conversations: 1, messages: 5, edits: 1 },
        // the member's message and its versions are hidden from the user who blocked them
        blocker: { conversations: 1, messages: 4, edits: 0 },
        leaver: { conversations: 0, messages: 0, edits: 0 },
        removed: { conversations: 0, messages: 0, edits: 0 },
        banned: { conversations: 0, messages: 0, edits: 0 },
        stranger: { conversations: 0, messages: 0, edits: 0 },
      };
      for (const [role, who] of Object.entries(cast)) {
        expect(await tableView(db, who, id), `as ${role}`).toEqual(expected[role as keyof typeof expected]);
      }
      // anon has no grant on the chat tables at all
      expect(await tableView(db, null, id)).toEqual({
        conversations: "error 42501",
        messages: "error 42501",
        edits: "error 42501",
      });
    });
  });

  it("outsiders get conversation_not_found from every RPC and change nothing", async () => {
    await withDb(async (db) => {
      const { id, first, cast } = await clubChat(db);
      for (const role of ["leaver", "removed", "banned", "stranger"] as const) {
        const who = cast[role];
        await db.as(who);
        const calls: [string, string, (tx: Tx) => Promise<unknown>][] = [
          ["send", "conversation_not_found", (tx) => tx`select social.send_message(${id}, ${randomUUID()}, 'hi')`],
          ["history", "conversation_not_found", (tx) => tx`select * from social.list_messages(${id})`],
          ["read", "conversation_not_found", (tx) => tx`select * from social.mark_conversation_read(${id})`],
          ["mute", "conversation_not_found", (tx) => tx`select social.mute_conversation(${id})`],
          ["members", "conversation_not_found", (tx) => tx`select * from social.list_conversation_members(${id})`],
          ["get", "conversation_not_found", (tx) => tx`select * from social.get_conversation(${id})`],
          ["edit", "message_not_found", (tx) => tx`select social.edit_message(${first.id}, 'x')`],
          ["delete", "message_not_found", (tx) => tx`select social.delete_message(${first.id})`],
          ["receipts", "message_not_found", (tx) => tx`select * from social.message_receipts(${first.id})`],
        ];
        for (const [name, code, call] of calls) {
          expect((await refused(db, call))[1], `${name} as ${role}`).toBe(code);
        }
        expect(
          (await conversationList(db, who)).map((r) => r.id),
          `list as ${role}`,
        ).not.toContain(id);
      }
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select social.send_message(${id}, ${randomUUID()}, 'hi')`))[0]).toBe(
        "42501",
      );
      expect((await refused(db, (tx) => tx`select * from social.list_conversations()`))[0]).toBe("42501");
      await db.asSuperuser();
      const [n] = await db.q<
        { n: number }[]
      >`select count(*)::int as n from social.messages where conversation_id = ${id}
        and kind = 'text'`;
      expect(n!.n).toBe(1);
    });
  });

  it("a block hides a direct conversation from both, stops sends, and lifting it brings it back", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await openDirect(db, ana!, ben!);
      await send(db, ben!, id, "hello");
      await block(db, ana!, ben!);
      for (const who of [ana!, ben!]) {
        expect(await tableView(db, who, id), asRole({ ana, ben }, who)).toEqual({
          conversations: 0,
          messages: 0,
          edits: 0,
        });
        expect(
          (await conversationList(db, who)).map((r) => r.id),
          asRole({ ana, ben }, who),
        ).not.toContain(id);
        await db.as(who);
        expect(
          await refused(db, (tx) => tx`select social.send_message(${id}, ${randomUUID()}, 'still there?')`),
        ).toEqual(["42501", "blocked"]);
        expect(await refused(db, (tx) => tx`select * from social.list_messages(${id})`)).toEqual([
          "PT404",
          "conversation_not_found",
        ]);
      }
      await db.as(ana!);
      await db.q`select social.unblock(${ben!})`;
      expect(await tableView(db, ben!, id)).toEqual({ conversations: 1, messages: 1, edits: 0 });
    });
  });

  it("in a group conversation a block hides only the blocked person's messages, both ways", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const id = await groupChat(db, ana!, [ben!, cy!]);
      await send(db, ben!, id, "from ben");
      await send(db, cy!, id, "from cy");
      await block(db, ben!, cy!);
      const bodies = async (who: string) =>
        (await history(db, who, id)).filter((m) => m.kind === "text").map((m) => m.body);
      expect(await bodies(ana!)).toEqual(["from ben", "from cy"]);
      expect(await bodies(ben!)).toEqual(["from ben"]);
      expect(await bodies(cy!)).toEqual(["from cy"]);
      // and the member list leaves them out
      await db.as(cy!);
      const listed = await db.q<{ user_id: string }[]>`select user_id from social.list_conversation_members(${id})`;
      expect(listed.map((r) => r.user_id).sort()).toEqual([ana, cy].sort());
    });
  });
});

describe("the members a block hides", () => {
  it("are listed for the member who should not hear them, either way; outsiders get nothing", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy, stranger] = await db.createUsers(4);
      const id = await groupChat(db, ana!, [ben!, cy!]);
      await block(db, ben!, cy!);
      const hidden = async (who: string) => {
        await db.as(who);
        return (await db.q<{ user_id: string }[]>`select user_id from social.conversation_hidden_members(${id})`).map(
          (r) => r.user_id,
        );
      };
      expect(await hidden(ana!)).toEqual([]);
      expect(await hidden(ben!)).toEqual([cy]);
      expect(await hidden(cy!)).toEqual([ben]);
      await db.as(stranger!);
      expect(await refused(db, (tx) => tx`select * from social.conversation_hidden_members(${id})`)).toEqual([
        "PT404",
        "conversation_not_found",
      ]);
    });
  });
});

describe("Realtime Authorization on chat:<id>", () => {
  it("members receive and send broadcast and presence; everyone else is refused", async () => {
    await withDb(async (db) => {
      const { id, cast } = await clubChat(db);
      const topic = `chat:${id}`;
      const allowed: Record<string, boolean> = {
        owner: true,
        member: true,
        blocker: true,
        leaver: false,
        removed: false,
        banned: false,
        stranger: false,
      };
      for (const [role, who] of Object.entries(cast)) {
        for (const extension of ["broadcast", "presence"] as const) {
          expect(await mayRead(db, who, topic, extension), `read ${extension} as ${role}`).toBe(allowed[role]);
          expect(await mayWrite(db, who, topic, extension), `write ${extension} as ${role}`).toBe(allowed[role]);
        }
      }
      expect(await mayRead(db, null, topic)).toBe(false);
      expect(await mayWrite(db, null, topic)).toBe(false);
    });
  });

  it("a removed member is refused from the moment they are removed; the sides of a block too", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const group = await groupChat(db, ana!, [ben!]);
      const direct = await openDirect(db, ben!, cy!);
      expect(await mayRead(db, ben!, `chat:${group}`)).toBe(true);
      expect(await mayRead(db, cy!, `chat:${direct}`)).toBe(true);
      await db.as(ana!);
      await db.q`select social.remove_conversation_member(${group}, ${ben!})`;
      expect(await mayRead(db, ben!, `chat:${group}`)).toBe(false);
      expect(await mayWrite(db, ben!, `chat:${group}`)).toBe(false);
      await block(db, cy!, ben!);
      for (const who of [ben!, cy!]) {
        expect(await mayRead(db, who, `chat:${direct}`), asRole({ ben, cy }, who)).toBe(false);
        expect(await mayWrite(db, who, `chat:${direct}`, "presence"), asRole({ ben, cy }, who)).toBe(false);
      }
    });
  });

  it("malformed and unknown topics are refused; user:<id> stays its owner's, receive only", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await openDirect(db, ana!, ben!);
      for (const topic of ["chat:", "chat:not-a-uuid", `chat:${id}:x`, `CHAT:${id}`, `nochat:${id}`, "chat"]) {
        expect(await mayRead(db, ana!, topic), topic).toBe(false);
        expect(await mayWrite(db, ana!, topic), topic).toBe(false);
      }
      expect(await mayRead(db, ana!, `user:${ana!}`)).toBe(true);
      expect(await mayRead(db, ana!, `user:${ana!}`, "presence")).toBe(false);
      expect(await mayRead(db, ben!, `user:${ana!}`)).toBe(false);
      expect(await mayWrite(db, ana!, `user:${ana!}`)).toBe(false);
    });
  });
});

describe("what the database broadcasts", () => {
  it("a message goes to chat:<id> once, and to the user topics of unmuted members but the sender", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy, dee] = await db.createUsers(4);
      const id = await groupChat(db, ana!, [ben!, cy!, dee!]);
      await db.as(cy!);
      await db.q`select social.mute_conversation(${id})`;
      await block(db, dee!, ana!);
      const m = await send(db, ana!, id, "hello");
      const onChat = (await broadcasts(db, `chat:${id}`, "message.new")).filter(
        (b) => (b.payload.message as { id: string }).id === m.id,
      );
      expect(onChat).toHaveLength(1);
      expect(onChat[0]!.private).toBe(true);
      expect(onChat[0]!.payload.message).toMatchObject({ id: m.id, body: "hello", seq: 2, sender: { id: ana } });
      const announced: Record<string, number> = {};
      for (const [role, who] of Object.entries({ ana, ben, cy, dee })) {
        announced[role] = (await broadcasts(db, `user:${who}`, "chat.message")).filter(
          (b) => (b.payload.message as { id: string }).id === m.id,
        ).length;
      }
      // ana sent it, cy muted the conversation, dee blocked ana
      expect(announced).toEqual({ ana: 0, ben: 1, cy: 0, dee: 0 });
      const [toBen] = (await broadcasts(db, `user:${ben!}`, "chat.message")).slice(-1);
      expect(toBen!.payload).toMatchObject({ conversation_id: id, unread_count: 1 });
    });
  });

  it("message.new carries the message as message_json makes it, chat.message its preview", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await groupChat(db, ana!, [ben!]);
      const long = `${"a".repeat(150)} end`;
      const photo = refs(await createMedia(db, ana!, { target: "message" }));
      const first = await send(db, ana!, id, long, { attachments: photo });
      const reply = await send(db, ben!, id, "nice", { replyTo: first.id });
      await db.asSuperuser();
      // the send's trigger builds the JSON in place; it must stay message_json's, for a reply, a
      // message with an attachment and the group's system message (no sender)
      const expected = await db.q<{ id: string; json: Record<string, unknown> }[]>`
        select m.id, social_private.message_json(m) as json from social.messages m
        where m.conversation_id = ${id} order by m.seq`;
      expect(expected.map((e) => e.id)).toContain(reply.id);
      const onChat = await broadcasts(db, `chat:${id}`, "message.new");
      expect(onChat.map((b) => b.payload.message)).toEqual(expected.map((e) => e.json));
      for (const b of onChat) {
        expect(Object.keys(b.payload).sort()).toEqual(["id", "message"]);
        // the broadcast's own id, time-ordered (uuid v7) like the message ids
        expect(String(b.payload.id)[14]).toBe("7");
      }
      const [toAna] = (await broadcasts(db, `user:${ana!}`, "chat.message")).filter(
        (b) => (b.payload.message as { id: string }).id === reply.id,
      );
      const [toBen] = (await broadcasts(db, `user:${ben!}`, "chat.message")).filter(
        (b) => (b.payload.message as { id: string }).id === first.id,
      );
      const firstJson = expected.find((e) => e.id === first.id)!.json;
      expect(toBen!.payload).toEqual({
        id: toBen!.payload.id,
        conversation_id: id,
        unread_count: 1,
        message: {
          id: first.id,
          conversation_id: id,
          seq: Number(first.seq),
          sender_id: ana,
          sender: firstJson.sender,
          kind: "text",
          body: `${"a".repeat(139)}…`,
          attachment_count: 1,
          data: {},
          created_at: firstJson.created_at,
        },
      });
      expect(toAna!.payload).toMatchObject({ conversation_id: id, unread_count: 1 });
      expect(toAna!.payload.message).toMatchObject({ body: "nice", attachment_count: 0, sender: { id: ben } });
    });
  });

  it("conversations larger than announce_members announce nothing per message on user topics", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      await db.asSuperuser();
      await db.q`update social_private.chat_limits set value = 2 where name = 'announce_members'`;
      const id = await groupChat(db, ana!, [ben!, cy!]);
      await send(db, ana!, id, "to everyone");
      expect(await broadcasts(db, `user:${ben!}`, "chat.message")).toEqual([]);
      expect((await broadcasts(db, `chat:${id}`, "message.new")).length).toBeGreaterThan(0);
    });
  });

  it("edits and deletions go out as message.update and message.delete, without the deleted text", async () => {
    await withDb(async (db) => {
      const [ana, ben] = await db.createUsers(2);
      const id = await openDirect(db, ana!, ben!);
      // one step at a time: rows of one transaction share inserted_at, and their physical order
      // need not be the order they were written in
      const latest = async () => {
        const events = (await broadcasts(db, `chat:${id}`)).filter((e) => e.event.startsWith("message."));
        return events;
      };
      const m = await send(db, ana!, id, "first");
      const sent = await latest();
      await db.as(ana!);
      await db.q`select social.edit_message(${m.id}, 'second')`;
      const edited = await latest();
      await db.as(ana!);
      await db.q`select social.delete_message(${m.id})`;
      const deleted = await latest();
      const added = (after: typeof sent, before: typeof sent) =>
        after.filter((e) => !before.some((b) => JSON.stringify(b) === JSON.stringify(e)));
      const mine = [...sent, ...added(edited, sent), ...added(deleted, edited)];
      expect([sent.length, edited.length, deleted.length]).toEqual([1, 2, 3]);
      expect(mine.map((e) => e.event)).toEqual(["message.new", "message.update", "message.delete"]);
      expect((mine[1]!.payload.message as { body: string }).body).toBe("second");
      expect(mine[2]!.payload).toMatchObject({ id: m.id, conversation_id: id, deleted_by: ana });
      expect(JSON.stringify(mine[2]!.payload)).not.toContain("second");
    });
  });

  it("joining, being removed and a block are announced on the chat and the people's own topics", async () => {
    await withDb(async (db) => {
      const [ana, ben, cy] = await db.createUsers(3);
      const id = await groupChat(db, ana!, [ben!]);
      expect(
        (await broadcasts(db, `user:${ben!}`, "conversation.added")).map(
          (b) => (b.payload.conversation as { id: string }).id,
        ),
      ).toEqual([id]);
      // the creator is not told of their own conversation
      expect(await broadcasts(db, `user:${ana!}`, "conversation.added")).toEqual([]);
      await db.as(ana!);
      await db.q`select social.remove_conversation_member(${id}, ${ben!})`;
      expect((await broadcasts(db, `chat:${id}`, "member.removed")).map((b) => b.payload.user_id)).toEqual([ben]);
      expect(
        (await broadcasts(db, `user:${ben!}`, "conversation.removed")).map((b) => b.payload.conversation_id),
      ).toEqual([id]);
      const direct = await openDirect(db, ana!, cy!);
      await block(db, cy!, ana!);
      expect(
        (await broadcasts(db, `chat:${direct}`, "conversation.closed")).map((b) => b.payload.conversation_id),
      ).toEqual([direct]);
      for (const who of [ana!, cy!]) {
        expect(
          (await broadcasts(db, `user:${who}`, "conversation.removed")).map((b) => b.payload.conversation_id),
        ).toContain(direct);
      }
    });
  });
});

describe("reports of messages", () => {
  it("a message in a group's conversation goes to the group's queue; others to the platform", async () => {
    await withDb(async (db) => {
      const { group, id, cast } = await clubChat(db);
      const m = await send(db, cast.owner, id, "rude words");
      await db.as(cast.member);
      const [inGroup] = await db.q<
        { group_id: string | null; target_user_id: string; target_snapshot: { body: string } }[]
      >`
        select group_id, target_user_id, target_snapshot from social.report('message', ${m.id}, 'harassment')`;
      expect(inGroup).toMatchObject({
        group_id: group,
        target_user_id: cast.owner,
        target_snapshot: { body: "rude words" },
      });
      const [x, y] = await db.createUsers(2);
      const direct = await openDirect(db, x!, y!);
      const dm = await send(db, x!, direct, "buy now");
      await db.as(y!);
      const [platform] = await db.q<
        { group_id: string | null }[]
      >`select group_id from social.report('message', ${dm.id}, 'spam')`;
      expect(platform!.group_id).toBeNull();
    });
  });

  it("only readers report a message, never their own; deleting it as staff resolves the report", async () => {
    await withDb(async (db) => {
      const { id, first, cast } = await clubChat(db);
      for (const role of ["stranger", "removed", "banned", "blocker"] as const) {
        await db.as(cast[role]);
        expect(
          await refused(db, (tx) => tx`select social.report('message', ${first.id}, 'spam')`),
          `as ${role}`,
        ).toEqual(["PT404", "target_not_found"]);
      }
      await db.as(cast.member);
      expect(await refused(db, (tx) => tx`select social.report('message', ${first.id}, 'spam')`)).toEqual([
        "22023",
        "invalid_target",
      ]);
      await db.as(cast.owner);
      const [report] = await db.q<{ id: string }[]>`select id from social.report('message', ${first.id}, 'spam')`;
      await db.as(cast.owner);
      // the owner is a conversation admin through the group (staff)
      await db.q`select social.delete_message(${first.id}, 'spam')`;
      await db.asSuperuser();
      const [closed] = await db.q<{ status: string; resolution: string }[]>`
        select status::text, resolution::text from social.reports where id = ${report!.id}`;
      expect(closed).toEqual({ status: "resolved", resolution: "content_removed" });
      const [n] = await db.q<
        { n: number }[]
      >`select count(*)::int as n from social.messages where conversation_id = ${id}
        and body is not null and kind = 'text'`;
      expect(n!.n).toBe(0);
    });
  });
});
