/**
 * Event search: events within a radius or a box, by date range and tag, ordered by start, paged;
 * only what the caller may see (public, followers', group and private events from inside and
 * outside their audience); bad areas and ranges refused; my events.
 */
import { describe, expect, it } from "vitest";
import { createEvent, rsvp } from "../fixtures/events.ts";
import { block, follow, requestFollow } from "../fixtures/graph.ts";
import { groupCast } from "../fixtures/groups.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";

/** A point of this test's own, far from the seed cities and other tests. */
function spot() {
  return { latitude: -40 + Math.random() * 20, longitude: 100 + Math.random() * 40 };
}

async function nearbyIds(
  db: TestDb,
  who: string | null,
  p: { latitude: number; longitude: number },
  radius = 10,
  extra = "",
) {
  if (who) await db.as(who);
  else await db.asAnon();
  const rows = await db.q.unsafe<{ id: string }[]>(`select id from social.nearby_events($1, $2, $3${extra}) `, [
    p.latitude,
    p.longitude,
    radius,
  ] as never[]);
  return rows.map((r) => r.id);
}

describe("nearby events", () => {
  it("finds events within the radius, soonest first, not those outside it or over", async () => {
    await withDb(async (db) => {
      const [organizer, viewer] = await db.createUsers(2);
      const p = spot();
      const km = (dLat: number) => ({ latitude: p.latitude + dLat / 111.195, longitude: p.longitude });
      const later = await createEvent(db, organizer!, { ...km(2), startsInHours: 50 });
      const sooner = await createEvent(db, organizer!, { ...km(9), startsInHours: 10 });
      const far = await createEvent(db, organizer!, { ...km(11), startsInHours: 5 });
      const past = await createEvent(db, organizer!, { ...km(1), startsInHours: 3 });
      await db.asSuperuser();
      await db.q`update social.events set starts_at = now() - interval '2 days', ends_at = now() - interval '1 day' where id = ${past.id}`;
      expect(await nearbyIds(db, viewer!, p)).toEqual([sooner.id, later.id]);
      expect(await nearbyIds(db, viewer!, p, 12)).toEqual([far.id, sooner.id, later.id]);
      expect(await nearbyIds(db, null, p), "anon sees public events").toEqual([sooner.id, later.id]);
      // a date range from the past includes the past event; `to` cuts the later one
      await db.as(viewer!);
      const ranged = await db.q`
        select id from social.nearby_events(${p.latitude}, ${p.longitude}, 10, now() - interval '3 days', now() + interval '20 hours')`;
      expect(ranged.map((r) => r.id)).toEqual([past.id, sooner.id]);
      // cancelled events are not upcoming
      await db.as(organizer!);
      await db.q`select social.cancel_event(${sooner.id})`;
      expect(await nearbyIds(db, viewer!, p)).toEqual([later.id]);
    });
  });

  it("filters by tag, pages by the one contract, and the box search agrees", async () => {
    await withDb(async (db) => {
      const [organizer, viewer] = await db.createUsers(2);
      const p = spot();
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        made.push(
          (await createEvent(db, organizer!, { ...p, startsInHours: 10 + i, tags: [i % 2 ? "yoga" : "running"] })).id,
        );
      }
      await db.as(viewer!);
      const yoga =
        await db.q`select id from social.nearby_events(${p.latitude}, ${p.longitude}, 5, null, null, 'Yoga')`;
      expect(yoga.map((r) => r.id)).toEqual([made[1], made[3]]);
      const page1 =
        await db.q`select id, next_cursor from social.nearby_events(${p.latitude}, ${p.longitude}, 5, null, null, null, null, 2)`;
      const page2 =
        await db.q`select id, next_cursor from social.nearby_events(${p.latitude}, ${p.longitude}, 5, null, null, null, ${page1[0]!.next_cursor}, 2)`;
      const page3 =
        await db.q`select id, next_cursor from social.nearby_events(${p.latitude}, ${p.longitude}, 5, null, null, null, ${page2[0]!.next_cursor}, 2)`;
      expect([...page1, ...page2, ...page3].map((r) => r.id)).toEqual(made);
      expect(page3[0]!.next_cursor).toBeNull();
      expect(
        await refused(
          db,
          (q) =>
            q`select * from social.nearby_events(${p.latitude}, ${p.longitude}, 6, null, null, null, ${page1[0]!.next_cursor}, 2)`,
        ),
        "a cursor of another radius",
      ).toEqual(["22023", "invalid_cursor"]);
      const box = await db.q`
        select id from social.events_in_box(${p.latitude - 0.01}, ${p.longitude - 0.01}, ${p.latitude + 0.01}, ${p.longitude + 0.01})`;
      expect(box.map((r) => r.id)).toEqual(made);
      const wide = await db.q`select id from social.events_in_box(-89, -179, 89, 179, null, null, 'yoga', null, 50)`;
      expect(wide.map((r) => r.id)).toEqual(expect.arrayContaining([made[1], made[3]]));
    });
  });

  it("a box across the antimeridian finds events on both sides", async () => {
    await withDb(async (db) => {
      const [organizer, viewer] = await db.createUsers(2);
      const west = await createEvent(db, organizer!, { latitude: -17.5, longitude: 179.95, startsInHours: 5 });
      const east = await createEvent(db, organizer!, { latitude: -17.5, longitude: -179.95, startsInHours: 6 });
      await db.as(viewer!);
      const ids = (await db.q`select id from social.events_in_box(-17.6, 179.9, -17.4, -179.9)`).map((r) => r.id);
      expect(ids).toEqual([west.id, east.id]);
      const near = (await db.q`select id from social.nearby_events(-17.5, 180, 10)`).map((r) => r.id);
      expect(near).toEqual([west.id, east.id]);
    });
  });

  it("shows each visibility only inside its audience", async () => {
    await withDb(async (db) => {
      const organizer = await db.createUser({ visibility: "private" });
      const [fan, stranger, guest] = await db.createUsers(3);
      await follow(db, fan!, organizer);
      const c = await groupCast(db, { visibility: "private", joinPolicy: "request" });
      const p = spot();
      const pub = await createEvent(db, organizer, { ...p, startsInHours: 5 });
      const fol = await createEvent(db, organizer, { ...p, visibility: "followers", startsInHours: 6 });
      const priv = await createEvent(db, organizer, { ...p, visibility: "private", startsInHours: 7 });
      const grp = await createEvent(db, c.owner, { ...p, groupId: c.group, visibility: "group", startsInHours: 8 });
      const draft = await createEvent(db, organizer, { ...p, draft: true, startsInHours: 9 });
      await db.as(organizer);
      await db.q`select social.invite_to_event(${priv.id}, ${guest!})`;
      const expectations: [string | null, string, string[]][] = [
        [organizer, "organizer", [pub.id, fol.id, priv.id]],
        [fan!, "follower", [pub.id, fol.id]],
        [guest!, "invitee", [pub.id, priv.id]],
        [c.member, "group member", [pub.id, grp.id]],
        [c.banned, "banned member", [pub.id]],
        [stranger!, "stranger", [pub.id]],
        [null, "anon", [pub.id]],
      ];
      for (const [who, label, ids] of expectations) {
        expect(await nearbyIds(db, who, p), label).toEqual(ids);
      }
      expect(draft.status).toBe("draft");
    });
  });

  it("blocks hide events both ways; a pending follower and an uninvited user see no more than a stranger", async () => {
    await withDb(async (db) => {
      const organizer = await db.createUser({ visibility: "private" });
      const [blocked, blocker, requester, fan] = await db.createUsers(4);
      await follow(db, blocked!, organizer);
      await follow(db, blocker!, organizer);
      await follow(db, fan!, organizer);
      await requestFollow(db, requester!, organizer);
      const p = spot();
      const pub = await createEvent(db, organizer, { ...p, startsInHours: 5 });
      const fol = await createEvent(db, organizer, { ...p, visibility: "followers", startsInHours: 6 });
      const priv = await createEvent(db, organizer, { ...p, visibility: "private", startsInHours: 7 });
      await db.as(organizer);
      for (const u of [blocked!, blocker!, fan!]) await db.q`select social.invite_to_event(${priv.id}, ${u})`;
      // the blocks come after the follows and invites, which they do not remove
      await block(db, organizer, blocked!);
      await block(db, blocker!, organizer);
      expect(await nearbyIds(db, fan!, p), "follower and invitee").toEqual([pub.id, fol.id, priv.id]);
      expect(await nearbyIds(db, requester!, p), "pending follower").toEqual([pub.id]);
      expect(await nearbyIds(db, blocked!, p), "blocked by the organizer").toEqual([]);
      expect(await nearbyIds(db, blocker!, p), "blocking the organizer").toEqual([]);
      await db.as(blocked!);
      const box = await db.q`
        select id from social.events_in_box(${p.latitude - 0.01}, ${p.longitude - 0.01}, ${p.latitude + 0.01}, ${p.longitude + 0.01})`;
      expect(box, "the box search hides them too").toEqual([]);
    });
  });

  it("finds exactly the events the events' own rule (user_can_view_event) shows each viewer, by radius and by box", async () => {
    await withDb(async (db) => {
      const organizer = await db.createUser({ visibility: "private" });
      const [fan, requester, guest, stranger, blocked, blocker] = await db.createUsers(6);
      await follow(db, fan!, organizer);
      await requestFollow(db, requester!, organizer);
      const c = await groupCast(db, { visibility: "private", joinPolicy: "request" });
      const secret = await groupCast(db, { visibility: "secret", joinPolicy: "invite" });
      const p = spot();
      const made: string[] = [];
      let hour = 5;
      const add = async (who: string, o: Parameters<typeof createEvent>[2]) =>
        made.push((await createEvent(db, who, { ...p, startsInHours: hour++, ...o })).id);
      for (const visibility of ["public", "followers", "private"] as const) await add(organizer, { visibility });
      for (const visibility of ["public", "group", "private"] as const) {
        await add(c.owner, { groupId: c.group, visibility });
        await add(secret.owner, { groupId: secret.group, visibility });
      }
      await add(organizer, { draft: true });
      await add(c.owner, { groupId: c.group, visibility: "group", draft: true });
      await db.as(organizer);
      await db.q`select social.invite_to_event(${made[2]!}, ${guest!})`;
      await block(db, organizer, blocked!);
      await block(db, blocker!, c.owner);
      const viewers: [string | null, string][] = [
        [organizer, "organizer"],
        [fan!, "follower"],
        [requester!, "pending follower"],
        [guest!, "invitee"],
        [stranger!, "stranger"],
        [blocked!, "blocked by an organizer"],
        [blocker!, "blocking an organizer"],
        [c.owner, "group owner"],
        [c.admin, "group admin"],
        [c.member, "group member"],
        [c.pending, "pending member"],
        [c.banned, "banned member"],
        [secret.member, "secret group member"],
        [secret.stranger, "outside the secret group"],
        [null, "anon"],
      ];
      const seen = new Set<string>();
      for (const [who, label] of viewers) {
        await db.asSuperuser();
        const rule = await db.q<{ id: string }[]>`
          select id from social.events
          where id = any (${made}::uuid[]) and status = 'published'
            and social_private.user_can_view_event(${who}::uuid, id)
          order by starts_at, id`;
        const expected = rule.map((r) => r.id);
        seen.add(expected.join());
        expect(await nearbyIds(db, who, p), `${label}: nearby`).toEqual(expected);
        if (who) await db.as(who);
        else await db.asAnon();
        const box = await db.q<{ id: string }[]>`
          select id from social.events_in_box(${p.latitude - 0.01}, ${p.longitude - 0.01}, ${p.latitude + 0.01},
                                              ${p.longitude + 0.01}, null, null, null, null, 50)`;
        expect(
          box.map((r) => r.id),
          `${label}: box`,
        ).toEqual(expected);
        // a box of more than 400 cells reads by start instead of by cell
        const wide = await db.q<{ id: string }[]>`
          select id from social.events_in_box(${p.latitude - 10}, ${p.longitude - 30}, ${p.latitude + 10},
                                              ${p.longitude + 30}, now(), now() + interval '20 hours', null, null, 50)`;
        expect(
          wide.map((r) => r.id).filter((id) => made.includes(id)),
          `${label}: wide box`,
        ).toEqual(expected);
      }
      // the viewers do not all see the same: the comparison covers every arm of the rule
      expect(seen.size).toBeGreaterThanOrEqual(8);
    });
  });

  it("refuses bad points, radii, boxes and ranges with a code", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      for (const [args, code] of [
        ["91, 0, 10", "invalid_area"],
        ["0, 181, 10", "invalid_area"],
        ["0, 0, 0", "invalid_area"],
        ["0, 0, 501", "invalid_area"],
        ["null, 0, 10", "invalid_area"],
        ["'NaN', 0, 10", "invalid_area"],
        ["0, 0, 10, now(), now() - interval '1 day'", "invalid_date_range"],
      ] as const) {
        expect(await refused(db, (q) => q.unsafe(`select * from social.nearby_events(${args})`)), args).toEqual([
          "22023",
          code,
        ]);
      }
      for (const args of ["10, 0, 5, 1", "-91, 0, 5, 1", "0, -181, 1, 1", "0, 0, 1, null"]) {
        expect(await refused(db, (q) => q.unsafe(`select * from social.events_in_box(${args})`)), args).toEqual([
          "22023",
          "invalid_area",
        ]);
      }
    });
  });
});

describe("my events", () => {
  it("lists what I organize (drafts too) and answered going or interested, soonest first, not what I declined", async () => {
    await withDb(async (db) => {
      const [me, other] = await db.createUsers(2);
      const mineDraft = await createEvent(db, me!, { draft: true, startsInHours: 30 });
      const going = await createEvent(db, other!, { startsInHours: 10, capacity: 1 });
      const waiting = await createEvent(db, other!, { startsInHours: 20, capacity: 1 });
      const interested = await createEvent(db, other!, { startsInHours: 25 });
      const declined = await createEvent(db, other!, { startsInHours: 15 });
      await rsvp(db, other!, waiting.id);
      await rsvp(db, me!, going.id);
      await rsvp(db, me!, waiting.id);
      await rsvp(db, me!, interested.id, "interested");
      await rsvp(db, me!, declined.id, "not_going");
      await db.as(me!);
      const rows = await db.q`select id, is_organizer, my_status, my_waitlisted from social.my_events()`;
      expect(rows.map((r) => r.id)).toEqual([going.id, waiting.id, interested.id, mineDraft.id]);
      expect(rows.find((r) => r.id === waiting.id)).toMatchObject({ my_status: "going", my_waitlisted: true });
      expect(rows.find((r) => r.id === mineDraft.id)).toMatchObject({ is_organizer: true, my_status: null });
      await db.as(other!);
      expect((await db.q`select id from social.my_events()`).map((r) => r.id)).not.toContain(mineDraft.id);
      await db.asAnon();
      expect((await refused(db, (q) => q`select * from social.my_events()`))[0]).toBe("42501");
    });
  });
});
