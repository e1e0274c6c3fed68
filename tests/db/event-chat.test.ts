/**
 * Event chat: a conversation tied to the event (the chat domain's context reference) whose members
 * are the organizer and the people going with a seat, kept in step as RSVPs change; who opens it
 * and who gets it.
 */
import { describe, expect, it } from "vitest";
import { createEvent, rsvp } from "../fixtures/events.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";

async function members(db: TestDb, conversation: string): Promise<string[]> {
  await db.asSuperuser();
  const rows = await db.q<{ user_id: string }[]>`
    select user_id from social.conversation_members where conversation_id = ${conversation} order by user_id`;
  return rows.map((r) => r.user_id);
}

describe("event chat", () => {
  it("the organizer opens it with the seated attendees; the members follow the RSVPs", async () => {
    await withDb(async (db) => {
      const [organizer, a, b, waiting, curious, stranger] = await db.createUsers(6);
      const e = await createEvent(db, organizer!, { capacity: 2 });
      await rsvp(db, a!, e.id);
      await rsvp(db, b!, e.id);
      await rsvp(db, waiting!, e.id);
      await rsvp(db, curious!, e.id, "interested");
      for (const who of [a!, stranger!]) {
        await db.as(who);
        expect(await refused(db, (q) => q`select social.open_event_chat(${e.id})`), "before it is open").toEqual([
          "42501",
          "not_event_organizer",
        ]);
      }
      await db.as(organizer!);
      const [chat] = await db.q`select id, kind, context_type, context_id, title from social.open_event_chat(${e.id})`;
      expect(chat).toMatchObject({
        kind: "group",
        context_type: "event",
        context_id: e.id,
        title: "Saturday long run",
      });
      expect(await members(db, chat!.id)).toEqual([organizer!, a!, b!].sort());
      await db.asSuperuser();
      const [role] =
        await db.q`select role from social.conversation_members where conversation_id = ${chat!.id} and user_id = ${organizer!}`;
      expect(role!.role).toBe("admin");
      // a seat freed: a leaves, the waiting one is promoted and joins
      await rsvp(db, a!, e.id, "not_going");
      expect(await members(db, chat!.id)).toEqual([organizer!, b!, waiting!].sort());
      // a member gets it back; someone not going does not
      await db.as(b!);
      expect((await db.q`select id from social.open_event_chat(${e.id})`)[0]!.id).toBe(chat!.id);
      for (const who of [curious!, a!, stranger!]) {
        await db.as(who);
        expect(await refused(db, (q) => q`select social.open_event_chat(${e.id})`)).toEqual([
          "PT404",
          "conversation_not_found",
        ]);
      }
      // membership is the event's: the chat RPCs do not let anyone add people by hand
      await db.as(organizer!);
      expect(
        (await db.attempt((q) => q`select social.add_conversation_members(${chat!.id}, ${[stranger!]}::uuid[])`)).ok,
      ).toBe(false);
      expect(await members(db, chat!.id)).not.toContain(stranger);
      // cancelling the event frees every seat: only the organizer stays
      await db.as(organizer!);
      await db.q`select social.cancel_event(${e.id})`;
      expect(await members(db, chat!.id)).toEqual([organizer!]);
    });
  });

  it("needs a published event, and goes with the event", async () => {
    await withDb(async (db) => {
      const [organizer] = await db.createUsers(1);
      const draft = await createEvent(db, organizer!, { draft: true });
      await db.as(organizer!);
      expect(await refused(db, (q) => q`select social.open_event_chat(${draft.id})`)).toEqual(["PT409", "rsvp_closed"]);
      const e = await createEvent(db, organizer!);
      await db.as(organizer!);
      const [chat] = await db.q`select id from social.open_event_chat(${e.id})`;
      await db.asSuperuser();
      await db.q`delete from social.events where id = ${e.id}`;
      expect(await db.q`select 1 from social.conversations where id = ${chat!.id}`).toHaveLength(0);
    });
  });
});
