/**
 * Events: who sees each visibility (from inside and outside its audience, by RLS and through
 * get_event), who creates and runs them, bad input, edits that notify and bump the ICS sequence,
 * cancellation, drafts, invites and the feed card.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createEvent, eventRow, rsvp } from "../fixtures/events.ts";
import { block, follow } from "../fixtures/graph.ts";
import { groupCast } from "../fixtures/groups.ts";
import { canRead, createMedia, refs } from "../fixtures/media.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";
import { asRole } from "../helpers/labels.ts";

/** Can `who` (a user id, or null for anon) read event `id` through the table and get_event? */
async function sees(db: TestDb, who: string | null, id: string): Promise<boolean> {
  if (who === null) await db.asAnon();
  else await db.as(who);
  const table = await db.q`select id from social.events where id = ${id}`;
  const read = await db.q`select id from social.get_event(${id})`;
  expect(read.length, "get_event agrees with the table").toBe(table.length);
  return table.length === 1;
}

const future = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

describe("who sees an event", () => {
  it("public events: everyone, anon included, but nobody across a block with the organizer", async () => {
    await withDb(async (db) => {
      const [organizer, stranger, blocked, blocker] = await db.createUsers(4);
      await block(db, organizer, blocked!);
      await block(db, blocker!, organizer!);
      const e = await createEvent(db, organizer!);
      const cast = { organizer, stranger, blocked, blocker };
      for (const who of [organizer!, stranger!]) expect(await sees(db, who, e.id), asRole(cast, who)).toBe(true);
      expect(await sees(db, null, e.id), "as anon").toBe(true);
      for (const who of [blocked!, blocker!]) expect(await sees(db, who, e.id), asRole(cast, who)).toBe(false);
    });
  });

  it("drafts: the organizer and the group's owners and admins only", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "public" });
      const e = await createEvent(db, c.admin, { groupId: c.group, draft: true });
      for (const who of [c.owner, c.admin]) expect(await sees(db, who, e.id), asRole(c, who)).toBe(true);
      for (const who of [c.moderator, c.member, c.stranger, c.banned]) {
        expect(await sees(db, who, e.id), asRole(c, who)).toBe(false);
      }
      expect(await sees(db, null, e.id), "as anon").toBe(false);
    });
  });

  it("followers events: approved followers only; a request is not enough", async () => {
    await withDb(async (db) => {
      const organizer = await db.createUser({ visibility: "private" });
      const [fan, requester, stranger] = await db.createUsers(3);
      await follow(db, fan!, organizer);
      await db.as(requester!);
      await db.q`select social.follow(${organizer})`;
      const e = await createEvent(db, organizer, { visibility: "followers" });
      const cast = { organizer, fan, requester, stranger };
      for (const who of [organizer, fan!]) expect(await sees(db, who, e.id), asRole(cast, who)).toBe(true);
      for (const who of [requester!, stranger!]) expect(await sees(db, who, e.id), asRole(cast, who)).toBe(false);
      expect(await sees(db, null, e.id), "as anon").toBe(false);
    });
  });

  it("group events in a private club: active members only, as group posts", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "private", joinPolicy: "request" });
      const e = await createEvent(db, c.owner, { groupId: c.group, visibility: "group" });
      for (const who of [c.owner, c.admin, c.moderator, c.member]) {
        expect(await sees(db, who, e.id), asRole(c, who)).toBe(true);
      }
      for (const who of [c.pending, c.banned, c.stranger, c.other]) {
        expect(await sees(db, who, e.id), asRole(c, who)).toBe(false);
      }
      expect(await sees(db, null, e.id), "as anon").toBe(false);
    });
  });

  it("public events of a secret group stay inside it; of a public group they reach anon too", async () => {
    await withDb(async (db) => {
      const secret = await groupCast(db, { visibility: "secret", joinPolicy: "invite" });
      const e = await createEvent(db, secret.owner, { groupId: secret.group, visibility: "public" });
      expect(await sees(db, secret.member, e.id), "as member").toBe(true);
      for (const who of [secret.stranger, secret.banned, secret.other]) {
        expect(await sees(db, who, e.id), asRole(secret, who)).toBe(false);
      }
      expect(await sees(db, null, e.id), "as anon").toBe(false);
      const open = await groupCast(db, { visibility: "public" });
      const f = await createEvent(db, open.owner, { groupId: open.group, visibility: "public" });
      expect(await sees(db, open.stranger, f.id), "as stranger").toBe(true);
      expect(await sees(db, null, f.id), "as anon").toBe(true);
      expect(await sees(db, open.banned, f.id), "as banned").toBe(false);
    });
  });

  it("private events: invited people only; uninviting takes the event, the RSVP and its notifications", async () => {
    await withDb(async (db) => {
      const [organizer, guest, stranger, follower] = await db.createUsers(4);
      await follow(db, follower!, organizer!);
      const e = await createEvent(db, organizer!, { visibility: "private", capacity: 1 });
      await db.as(organizer!);
      expect((await db.q`select social.invite_to_event(${e.id}, ${guest!}) as ok`)[0]!.ok).toBe(true);
      expect((await db.q`select social.invite_to_event(${e.id}, ${guest!}) as ok`)[0]!.ok, "idempotent").toBe(false);
      const cast = { organizer, guest, stranger, follower };
      for (const who of [organizer!, guest!]) expect(await sees(db, who, e.id), asRole(cast, who)).toBe(true);
      for (const who of [stranger!, follower!]) expect(await sees(db, who, e.id), asRole(cast, who)).toBe(false);
      expect(await sees(db, null, e.id), "as anon").toBe(false);
      // the invitee got a notification about it, and RSVPs
      await db.as(guest!);
      expect(
        await db.q`select 1 from social.notifications where kind = 'event_invite' and event_id = ${e.id}`,
      ).toHaveLength(1);
      expect((await rsvp(db, guest!, e.id)).waitlisted).toBe(false);
      // outsiders cannot RSVP to what they cannot see
      await db.as(stranger!);
      expect(await refused(db, (q) => q`select * from social.rsvp_event(${e.id}, 'going')`)).toEqual([
        "PT404",
        "event_not_found",
      ]);
      await db.as(organizer!);
      await db.q`select social.uninvite_from_event(${e.id}, ${guest!})`;
      expect(await sees(db, guest!, e.id), "uninvited").toBe(false);
      await db.asSuperuser();
      expect(await db.q`select 1 from social.event_rsvps where event_id = ${e.id}`, "RSVP gone").toHaveLength(0);
      expect(
        await db.q`select 1 from social.notifications where recipient_id = ${guest!} and event_id = ${e.id}`,
      ).toHaveLength(0);
      expect((await eventRow(db, e.id)).seats_taken).toBe(0);
    });
  });
});

describe("who runs an event", () => {
  it("a group's owners and admins create and edit its events; moderators, members and strangers may not", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "public" });
      for (const who of [c.moderator, c.member, c.stranger]) {
        await db.as(who);
        expect(
          await refused(
            db,
            (q) =>
              q`select social.create_event(${q.json({ title: "x", starts_at: future(5), ends_at: future(6), group_id: c.group })})`,
          ),
          asRole(c, who),
        ).toEqual(["42501", "not_group_admin"]);
      }
      const e = await createEvent(db, c.admin, { groupId: c.group });
      await db.as(c.owner);
      const [edited] =
        await db.q`select title from social.update_event(${e.id}, ${db.q.json({ title: "By the owner" })})`;
      expect(edited!.title).toBe("By the owner");
      for (const who of [c.moderator, c.member]) {
        await db.as(who);
        expect(
          await refused(db, (q) => q`select social.update_event(${e.id}, ${q.json({ title: "mine" })})`),
          asRole(c, who),
        ).toEqual(["42501", "not_event_organizer"]);
        expect(await refused(db, (q) => q`select social.cancel_event(${e.id})`), asRole(c, who)).toEqual([
          "42501",
          "not_event_organizer",
        ]);
      }
      // clients never write the table directly
      await db.as(c.admin);
      expect((await refused(db, (q) => q`update social.events set title = 'direct' where id = ${e.id}`))[0]).toBe(
        "42501",
      );
      expect(
        (
          await refused(
            db,
            (q) =>
              q`insert into social.events (organizer_id, title, starts_at, ends_at) values (${c.admin}, 'x', now(), now() + interval '1 hour')`,
          )
        )[0],
      ).toBe("42501");
    });
  });

  it("bad input is refused with a code and writes nothing", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      const base = { title: "Run", starts_at: future(5), ends_at: future(6) };
      const bad: [Record<string, unknown>, string][] = [
        [{ ...base, title: "   " }, "invalid_title"],
        [{ ...base, title: "x".repeat(201) }, "invalid_title"],
        [{ ...base, title: 5 }, "invalid_title"],
        [{ ...base, description: "x".repeat(10001) }, "invalid_description"],
        [{ ...base, ends_at: base.starts_at }, "invalid_event_time"],
        [{ ...base, ends_at: future(5 + 24 * 32) }, "invalid_event_time"],
        [{ ...base, starts_at: "next tuesday" }, "invalid_event_time"],
        [{ ...base, rsvp_deadline: future(7) }, "invalid_event_time"],
        [{ ...base, timezone: "Mars/Olympus" }, "invalid_timezone"],
        [{ ...base, latitude: 91, longitude: 0 }, "invalid_location"],
        [{ ...base, latitude: 10 }, "invalid_location"],
        [{ ...base, latitude: "north", longitude: 1 }, "invalid_location"],
        [{ ...base, capacity: 0 }, "invalid_capacity"],
        [{ ...base, capacity: 1.5 }, "invalid_capacity"],
        [{ ...base, tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, "invalid_tag"],
        [{ ...base, tags: ["x".repeat(41)] }, "invalid_tag"],
        [{ ...base, tags: "running" }, "invalid_tag"],
        [{ ...base, visibility: "group" }, "invalid_visibility"],
        [{ ...base, visibility: "friends" }, "invalid_visibility"],
        [{ ...base, cover_path: "me/cover.png" }, "invalid_field"],
        [{ ...base, cover_media_id: "not-a-uuid" }, "invalid_media"],
        [{ ...base, cover_media_id: { id: base.title } }, "invalid_media"],
        [{ ...base, media: "photo.png" }, "invalid_media"],
        [{ ...base, media: [{ path: "me/photo.png" }] }, "invalid_media"],
        [{ ...base, media: Array.from({ length: 11 }, () => ({ id: randomUUID() })) }, "invalid_media"],
        [{ ...base, organizer_id: me }, "invalid_field"],
      ];
      await db.as(me);
      for (const [input, code] of bad) {
        expect(
          await refused(db, (q) => q`select social.create_event(${q.json(input as never)})`),
          JSON.stringify(input).slice(0, 80),
        ).toEqual(["22023", code]);
      }
      await db.asSuperuser();
      expect(await db.q`select 1 from social.events where organizer_id = ${me}`).toHaveLength(0);
      await db.asAnon();
      expect((await refused(db, (q) => q`select social.create_event(${q.json(base)})`))[0]).toBe("42501");
    });
  });

  it("editing time or place of a published event bumps the sequence and notifies those going (seated or waiting), not the interested", async () => {
    await withDb(async (db) => {
      const [organizer, going, interested, waiting] = await db.createUsers(4);
      const e = await createEvent(db, organizer!, { capacity: 1 });
      await rsvp(db, going!, e.id);
      await rsvp(db, interested!, e.id, "interested");
      expect((await rsvp(db, waiting!, e.id)).waitlisted).toBe(true);
      await db.as(organizer!);
      const [same] = await db.q`select sequence from social.update_event(${e.id}, ${db.q.json({ tags: ["trail"] })})`;
      expect(same!.sequence, "a tag is not a calendar change").toBe(e.sequence);
      const [moved] =
        await db.q`select sequence from social.update_event(${e.id}, ${db.q.json({ location_name: "Beach", starts_at: future(50), ends_at: future(52) })})`;
      expect(moved!.sequence).toBe(e.sequence + 1);
      await db.asSuperuser();
      const told = await db.q<{ recipient_id: string }[]>`
        select recipient_id from social.notifications where kind = 'event_updated' and event_id = ${e.id} order by 1`;
      expect(told.map((r) => r.recipient_id)).toEqual([going!, waiting!].sort());
      // a retried identical edit changes nothing
      await db.as(organizer!);
      const [again] =
        await db.q`select sequence from social.update_event(${e.id}, ${db.q.json({ location_name: "Beach" })})`;
      expect(again!.sequence).toBe(e.sequence + 1);
    });
  });

  it("cancelling notifies every attendee, frees every seat, closes RSVPs and is final", async () => {
    await withDb(async (db) => {
      const [organizer, a, b, c, d] = await db.createUsers(5);
      const e = await createEvent(db, organizer!, { capacity: 2 });
      await rsvp(db, a!, e.id, "going", 1);
      await rsvp(db, b!, e.id);
      await rsvp(db, c!, e.id, "interested");
      await db.as(organizer!);
      const [cancelled] = await db.q`select status, sequence from social.cancel_event(${e.id})`;
      expect(cancelled).toMatchObject({ status: "cancelled", sequence: e.sequence + 1 });
      const row = await eventRow(db, e.id);
      expect(row).toMatchObject({ seats_taken: 0, going_count: 0, waitlist_count: 0 });
      const told = await db.q<{ recipient_id: string }[]>`
        select recipient_id from social.notifications where kind = 'event_cancelled' and event_id = ${e.id} order by 1`;
      expect(told.map((r) => r.recipient_id)).toEqual([a!, b!, c!].sort());
      const rsvps =
        await db.q`select user_id, status, event_cancelled_at is not null as freed from social.event_rsvps where event_id = ${e.id}`;
      expect(rsvps.find((r) => r.user_id === a)).toMatchObject({ status: "not_going", freed: true });
      expect(rsvps.find((r) => r.user_id === b)).toMatchObject({ status: "not_going", freed: false });
      await db.as(d!);
      expect(await refused(db, (q) => q`select social.rsvp_event(${e.id}, 'going')`)).toEqual(["PT409", "rsvp_closed"]);
      await db.as(organizer!);
      expect(await refused(db, (q) => q`select social.publish_event(${e.id})`)).toEqual([
        "22023",
        "invalid_transition",
      ]);
      expect(await refused(db, (q) => q`select social.update_event(${e.id}, ${q.json({ title: "back" })})`)).toEqual([
        "22023",
        "invalid_transition",
      ]);
      const [again] = await db.q`select status from social.cancel_event(${e.id})`;
      expect(again!.status, "cancelling again changes nothing").toBe("cancelled");
    });
  });

  it("publishing posts an event card that follows the event; private events get none; drafts are deleted, not cancelled", async () => {
    await withDb(async (db) => {
      const [organizer, stranger] = await db.createUsers(2);
      const e = await createEvent(db, organizer!);
      await db.as(stranger!);
      const [card] = await db.q`select kind, ref_type, data from social.posts where ref_id = ${e.id}`;
      expect(card).toMatchObject({ kind: "event", ref_type: "event", data: { title: "Saturday long run" } });
      await db.as(organizer!);
      await db.q`select social.update_event(${e.id}, ${db.q.json({ title: "Sunday long run" })})`;
      await db.as(stranger!);
      const [after] = await db.q`select data from social.posts where ref_id = ${e.id}`;
      expect(after!.data.title).toBe("Sunday long run");
      await db.as(organizer!);
      await db.q`select social.update_event(${e.id}, ${db.q.json({ visibility: "private" })})`;
      await db.as(stranger!);
      expect(await db.q`select 1 from social.posts where ref_id = ${e.id}`, "a private event's card goes").toHaveLength(
        0,
      );
      const p = await createEvent(db, organizer!, { visibility: "private" });
      await db.asSuperuser();
      expect(await db.q`select 1 from social.posts where ref_id = ${p.id}`).toHaveLength(0);
      const draft = await createEvent(db, organizer!, { draft: true });
      await db.as(organizer!);
      expect(await refused(db, (q) => q`select social.cancel_event(${draft.id})`)).toEqual([
        "22023",
        "invalid_transition",
      ]);
      await db.q`select social.delete_event(${draft.id})`;
      expect(await refused(db, (q) => q`select social.delete_event(${e.id})`)).toEqual(["22023", "invalid_transition"]);
      const open = await createEvent(db, organizer!);
      await db.as(stranger!);
      expect(await refused(db, (q) => q`select social.delete_event(${open.id})`)).toEqual([
        "42501",
        "not_event_organizer",
      ]);
      expect(await refused(db, (q) => q`select social.delete_event(${e.id})`), "a private event").toEqual([
        "PT404",
        "event_not_found",
      ]);
    });
  });

  it("creating events is rate limited", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      const input = { title: "Run", starts_at: future(5), ends_at: future(6) };
      for (let i = 0; i < 10; i++) await db.q`select social.create_event(${db.q.json(input)})`;
      expect(await refused(db, (q) => q`select social.create_event(${q.json(input)})`)).toEqual([
        "PT429",
        "rate_limited",
      ]);
    });
  });
});

describe("an event's cover and media", () => {
  it("are media of target event, read exactly by whoever sees the event (the events' own rule)", async () => {
    await withDb(async (db) => {
      const organizer = await db.createUser({ visibility: "private" });
      const [fan, going, stranger, blocked] = await db.createUsers(4);
      await follow(db, fan!, organizer);
      await follow(db, going!, organizer);
      await follow(db, blocked!, organizer);
      const cover = await createMedia(db, organizer, { target: "event" });
      const photo = await createMedia(db, organizer, { target: "event", mimeType: "video/mp4" });
      const e = await createEvent(db, organizer, { visibility: "followers", draft: true });
      await db.as(organizer);
      const [row] = await db.q<{ cover_path: string; media: { id: string; path: string; type: string }[] }[]>`
        select cover_path, media from social.update_event(${e.id}, ${db.q.json({
          cover_media_id: cover.id,
          media: [{ id: photo.id, alt: "the start" }],
        })})`;
      expect(row!.cover_path).toBe(cover.path);
      expect(row!.media).toEqual([
        expect.objectContaining({ id: photo.id, path: photo.path, type: "video", alt: "the start" }),
      ]);
      // a draft's media: the organizer only
      for (const m of [cover, photo]) {
        expect(await canRead(db, organizer, m), "organizer, draft").toBe(true);
        expect(await canRead(db, fan!, m), "follower, draft").toBe(false);
      }
      await db.as(organizer);
      await db.q`select social.publish_event(${e.id})`;
      await rsvp(db, going!, e.id);
      await block(db, organizer, blocked!);
      const cast: [string | null, string, boolean][] = [
        [organizer, "organizer", true],
        [fan!, "follower", true],
        [going!, "going follower", true],
        [stranger!, "stranger", false],
        [blocked!, "blocked follower", false],
        [null, "anon", false],
      ];
      for (const [who, label, may] of cast) {
        await db.asSuperuser();
        const [rule] = await db.q<{ v: boolean }[]>`
          select social_private.user_can_view_event(${who}::uuid, ${e.id}::uuid) as v`;
        expect(rule!.v, `${label}: the event's rule`).toBe(may);
        for (const m of [cover, photo]) expect(await canRead(db, who, m), `${label}: ${m.path}`).toBe(may);
      }
      // the media rows carry the event as their target
      await db.asSuperuser();
      const attached = await db.q`
        select id from social.media where target_type = 'event' and target_id = ${e.id} order by id`;
      expect(attached.map((r) => r.id)).toEqual([cover.id, photo.id].sort());
      // a public event's media reach anon and strangers; an unfollow takes a followers event's
      await db.as(organizer);
      await db.q`select social.update_event(${e.id}, ${db.q.json({ visibility: "public" })})`;
      expect(await canRead(db, null, cover), "anon, public").toBe(true);
      expect(await canRead(db, stranger!, photo), "stranger, public").toBe(true);
      expect(await canRead(db, blocked!, photo), "blocked, public").toBe(false);
    });
  });

  it("a group event's media: members while they are members, not strangers or anon", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "private", joinPolicy: "request" });
      const cover = await createMedia(db, c.admin, { target: "event" });
      const e = await createEvent(db, c.owner, { groupId: c.group, visibility: "group" });
      // a co-organizer (admin) sets a cover they uploaded; the owner's list edit keeps it
      await db.as(c.admin);
      await db.q`select social.update_event(${e.id}, ${db.q.json({ cover_media_id: cover.id })})`;
      const own = await createMedia(db, c.owner, { target: "event" });
      await db.as(c.owner);
      await db.q`select social.update_event(${e.id}, ${db.q.json({ media: refs(own) })})`;
      await db.as(c.admin);
      const adminsPhoto = await createMedia(db, c.admin, { target: "event" });
      await db.as(c.admin);
      const [row] = await db.q<{ media: { id: string; alt?: string }[] }[]>`
        select media from social.update_event(${e.id}, ${db.q.json({ media: [{ id: own.id, alt: "team" }, { id: adminsPhoto.id }] })})`;
      expect(row!.media.map((m) => [m.id, m.alt])).toEqual([
        [own.id, "team"],
        [adminsPhoto.id, undefined],
      ]);
      await db.asSuperuser();
      const [m] = await db.q`select group_id from social.media where id = ${cover.id}`;
      expect(m!.group_id, "the group's staff moderate it").toBe(c.group);
      for (const [who, label, may] of [
        [c.member, "member", true],
        [c.banned, "banned member", false],
        [c.pending, "pending member", false],
        [c.stranger, "stranger", false],
        [null, "anon", false],
      ] as const) {
        for (const x of [cover, own, adminsPhoto]) expect(await canRead(db, who, x), `${label}: ${x.path}`).toBe(may);
      }
      // removed from the group: the media go at once
      await db.as(c.owner);
      await db.q`select social.remove_group_member(${c.group}, ${c.member})`;
      for (const x of [cover, own]) expect(await canRead(db, c.member, x), "removed member").toBe(false);
      // dropping an item detaches it: its uploader reads it, the group no longer does
      await db.as(c.owner);
      await db.q`select social.update_event(${e.id}, ${db.q.json({ media: refs(own) })})`;
      expect(await canRead(db, c.admin, adminsPhoto), "its uploader").toBe(true);
      expect(await canRead(db, c.owner, adminsPhoto), "no longer the event's").toBe(false);
    });
  });

  it("refuses others' media, the wrong bucket, a video cover, media in use, and unuploaded media, changing nothing", async () => {
    await withDb(async (db) => {
      const [me, other] = await db.createUsers(2);
      const e = await createEvent(db, me!);
      const elsewhere = await createEvent(db, me!);
      const theirs = await createMedia(db, other!, { target: "event" });
      const postPhoto = await createMedia(db, me!, { target: "post" });
      const video = await createMedia(db, me!, { target: "event", mimeType: "video/mp4" });
      const used = await createMedia(db, me!, { target: "event" });
      const pending = await createMedia(db, me!, { target: "event", notUploaded: true });
      await db.as(me!);
      await db.q`select social.update_event(${elsewhere.id}, ${db.q.json({ media: refs(used) })})`;
      const cases: [Record<string, unknown>, string, string][] = [
        [{ cover_media_id: theirs.id }, "PT404", "media_not_found"],
        [{ media: refs(theirs) }, "PT404", "media_not_found"],
        [{ cover_media_id: postPhoto.id }, "22023", "invalid_media"],
        [{ media: refs(postPhoto) }, "22023", "invalid_media"],
        [{ cover_media_id: video.id }, "22023", "invalid_media"],
        [{ cover_media_id: used.id }, "PT409", "media_in_use"],
        [{ media: refs(pending) }, "PT409", "media_not_uploaded"],
        [{ media: [{ id: video.id }, { id: video.id }] }, "22023", "invalid_media"],
      ];
      for (const [patch, state, code] of cases) {
        await db.as(me!);
        expect(
          await refused(db, (q) => q`select social.update_event(${e.id}, ${q.json(patch as never)})`),
          JSON.stringify(patch),
        ).toEqual([state, code]);
      }
      const after = await eventRow(db, e.id);
      expect([after.cover_media_id, after.cover_path, after.media]).toEqual([null, null, []]);
      // the service key cannot point cover_path elsewhere: it follows the cover
      await db.asService();
      await db.q`update social.events set cover_path = 'someone/else.png' where id = ${e.id}`;
      expect((await eventRow(db, e.id)).cover_path).toBeNull();
    });
  });

  it("deleting a draft detaches its media", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      const cover = await createMedia(db, me, { target: "event" });
      const e = await createEvent(db, me, { draft: true });
      await db.as(me);
      await db.q`select social.update_event(${e.id}, ${db.q.json({ cover_media_id: cover.id })})`;
      await db.q`select social.delete_event(${e.id})`;
      await db.asSuperuser();
      const [m] = await db.q`select target_id, attached_at from social.media where id = ${cover.id}`;
      expect(m).toEqual({ target_id: null, attached_at: null });
    });
  });
});
