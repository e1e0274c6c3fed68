/**
 * RSVPs: capacity with guests, the ordered waitlist and its promotion (first fit in order of
 * arrival), retries, deadlines, losing sight of an event, the event read (counts, the viewer's
 * friends first), attendee and waitlist lists, and the race: many concurrent RSVPs and
 * cancellations on committed data never exceed the capacity and keep the waitlist order.
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { confirmed, createEvent, eventRow, rsvp, waitlist } from "../fixtures/events.ts";
import { block, follow } from "../fixtures/graph.ts";
import { groupCast } from "../fixtures/groups.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";

/** The stored counters against the rows they count. */
async function countersMatch(db: TestDb, event: string): Promise<void> {
  await db.asSuperuser();
  const [row] = await db.q`
    select e.seats_taken, e.going_count, e.interested_count, e.waitlist_count,
      (select coalesce(sum(1 + guests), 0)::int from social.event_rsvps r where r.event_id = e.id and r.status = 'going' and r.waitlist_seq is null) as seats,
      (select count(*)::int from social.event_rsvps r where r.event_id = e.id and r.status = 'going' and r.waitlist_seq is null) as going,
      (select count(*)::int from social.event_rsvps r where r.event_id = e.id and r.status = 'interested') as interested,
      (select count(*)::int from social.event_rsvps r where r.event_id = e.id and r.waitlist_seq is not null) as waiting
    from social.events e where e.id = ${event}`;
  expect([row!.seats_taken, row!.going_count, row!.interested_count, row!.waitlist_count]).toEqual([
    row!.seats,
    row!.going,
    row!.interested,
    row!.waiting,
  ]);
}

describe("capacity and the waitlist", () => {
  it("parties take 1 + guests seats; when full, going waits in order of arrival with its position", async () => {
    await withDb(async (db) => {
      const [organizer, a, b, c, d] = await db.createUsers(5);
      const e = await createEvent(db, organizer!, { capacity: 4 });
      expect(await rsvp(db, a!, e.id, "going", 2)).toMatchObject({ status: "going", guests: 2, waitlisted: false });
      expect(await rsvp(db, b!, e.id, "going", 1)).toMatchObject({ waitlisted: true, waitlist_position: 1 });
      expect(await rsvp(db, c!, e.id)).toMatchObject({ waitlisted: false }); // the last seat: a party of 1 fits
      expect(await rsvp(db, d!, e.id)).toMatchObject({ waitlisted: true, waitlist_position: 2 });
      expect((await eventRow(db, e.id)).seats_taken).toBe(4);
      expect(await waitlist(db, e.id)).toEqual([b, d]);
      await db.as(d!);
      expect((await db.q`select social.event_waitlist_position(${e.id}) as p`)[0]!.p).toBe(2);
      await countersMatch(db, e.id);
    });
  });

  it("a cancellation promotes the earliest waiting party that fits, notifies it, and the rest move up", async () => {
    await withDb(async (db) => {
      const [organizer, a, b, c, d] = await db.createUsers(5);
      const e = await createEvent(db, organizer!, { capacity: 2 });
      await rsvp(db, a!, e.id);
      await rsvp(db, b!, e.id);
      await rsvp(db, c!, e.id);
      await rsvp(db, d!, e.id);
      expect(await waitlist(db, e.id)).toEqual([c, d]);
      await db.as(a!);
      const [mine] = await db.q`select * from social.cancel_rsvp(${e.id})`;
      expect(mine).toMatchObject({ status: "not_going", waitlisted: false });
      expect(await confirmed(db, e.id)).toEqual([b!, c!].sort());
      expect(await waitlist(db, e.id)).toEqual([d]);
      await db.as(c!);
      expect(
        await db.q`select 1 from social.notifications where kind = 'event_promoted' and event_id = ${e.id}`,
      ).toHaveLength(1);
      await db.as(d!);
      expect(await db.q`select 1 from social.notifications where kind = 'event_promoted'`).toHaveLength(0);
      expect((await db.q`select social.event_waitlist_position(${e.id}) as p`)[0]!.p).toBe(1);
      await countersMatch(db, e.id);
    });
  });

  it("a party that does not fit keeps its place and first claim, but does not hold back a smaller party behind it", async () => {
    await withDb(async (db) => {
      const [organizer, a, b, big, small, late] = await db.createUsers(6);
      const e = await createEvent(db, organizer!, { capacity: 3 });
      await rsvp(db, a!, e.id);
      await rsvp(db, b!, e.id, "going", 1);
      await rsvp(db, big!, e.id, "going", 2); // 3 seats: waits
      await rsvp(db, small!, e.id); // 1 seat: waits behind big
      expect(await waitlist(db, e.id)).toEqual([big, small]);
      await rsvp(db, a!, e.id, "not_going"); // frees 1 seat: big does not fit, small does
      expect(await confirmed(db, e.id)).toEqual([b!, small!].sort());
      expect(await waitlist(db, e.id)).toEqual([big]);
      await rsvp(db, late!, e.id); // arrives after big: waits behind it
      expect(await waitlist(db, e.id)).toEqual([big, late]);
      await rsvp(db, b!, e.id, "not_going"); // frees 2 (2 free now): big (3) still does not fit, late does
      expect(await confirmed(db, e.id)).toEqual([late!, small!].sort());
      await rsvp(db, small!, e.id, "not_going"); // 2 free: big needs 3
      expect(await waitlist(db, e.id)).toEqual([big]);
      await rsvp(db, late!, e.id, "not_going"); // 3 free: big goes in
      expect(await confirmed(db, e.id)).toEqual([big]);
      expect(await waitlist(db, e.id)).toEqual([]);
      await countersMatch(db, e.id);
    });
  });

  it("a raised or removed capacity promotes in order; a lowered one bumps nobody", async () => {
    await withDb(async (db) => {
      const [organizer, a, b, c, d] = await db.createUsers(5);
      const e = await createEvent(db, organizer!, { capacity: 2 });
      for (const u of [a, b, c, d]) await rsvp(db, u!, e.id);
      await db.as(organizer!);
      await db.q`select social.update_event(${e.id}, ${db.q.json({ capacity: 3 })})`;
      expect(await waitlist(db, e.id)).toEqual([d]);
      await db.as(organizer!);
      await db.q`select social.update_event(${e.id}, ${db.q.json({ capacity: 1 })})`;
      expect(await confirmed(db, e.id)).toHaveLength(3);
      expect((await rsvp(db, organizer!, e.id)).waitlisted, "new parties wait").toBe(true);
      await db.as(organizer!);
      await db.q`select social.update_event(${e.id}, ${db.q.json({ capacity: null })})`;
      expect(await waitlist(db, e.id)).toEqual([]);
      expect(await confirmed(db, e.id)).toHaveLength(5);
      await countersMatch(db, e.id);
    });
  });

  it("a confirmed party grows only into free seats (not_enough_seats, unchanged), shrinks freely (promoting); a waiting one changes size in place", async () => {
    await withDb(async (db) => {
      const [organizer, a, b, c] = await db.createUsers(4);
      const e = await createEvent(db, organizer!, { capacity: 3 });
      await rsvp(db, a!, e.id, "going", 1);
      await rsvp(db, b!, e.id);
      await rsvp(db, c!, e.id, "going", 2);
      await db.as(a!);
      expect(await refused(db, (q) => q`select social.rsvp_event(${e.id}, 'going', 2)`)).toEqual([
        "PT409",
        "not_enough_seats",
      ]);
      expect((await eventRow(db, e.id)).seats_taken).toBe(3);
      expect(await rsvp(db, c!, e.id, "going", 0), "shrunk while waiting, still waits").toMatchObject({
        waitlisted: true,
        waitlist_position: 1,
      });
      expect(await rsvp(db, a!, e.id, "going", 0)).toMatchObject({ guests: 0, waitlisted: false });
      expect(await confirmed(db, e.id), "the freed seat went to c").toEqual([a!, b!, c!].sort());
      await countersMatch(db, e.id);
    });
  });

  it("retrying an RSVP changes nothing: no new arrival, no notification, not rate counted", async () => {
    await withDb(async (db) => {
      const [organizer, a, b] = await db.createUsers(3);
      const e = await createEvent(db, organizer!, { capacity: 1 });
      await rsvp(db, a!, e.id);
      await rsvp(db, b!, e.id);
      await db.asSuperuser();
      const [before] =
        await db.q`select waitlist_seq, updated_at from social.event_rsvps where event_id = ${e.id} and user_id = ${b!}`;
      for (let i = 0; i < 40; i++)
        expect(await rsvp(db, b!, e.id)).toMatchObject({ waitlisted: true, waitlist_position: 1 });
      await db.asSuperuser();
      const [after] =
        await db.q`select waitlist_seq, updated_at from social.event_rsvps where event_id = ${e.id} and user_id = ${b!}`;
      expect(after).toEqual(before);
      expect(Number((await eventRow(db, e.id)).next_arrival)).toBe(2);
    });
  });

  it("RSVPs close at the deadline, for drafts, cancelled and past events; declining stays possible; bad input is refused", async () => {
    await withDb(async (db) => {
      const [organizer, a, b] = await db.createUsers(3);
      const e = await createEvent(db, organizer!);
      await rsvp(db, a!, e.id);
      await db.asSuperuser();
      await db.q`update social.events set rsvp_deadline = now() - interval '1 minute' where id = ${e.id}`;
      await db.as(b!);
      expect(await refused(db, (q) => q`select social.rsvp_event(${e.id}, 'going')`)).toEqual(["PT409", "rsvp_closed"]);
      expect(await refused(db, (q) => q`select social.rsvp_event(${e.id}, 'interested')`)).toEqual([
        "PT409",
        "rsvp_closed",
      ]);
      expect((await rsvp(db, a!, e.id, "not_going")).status, "cancelling after the deadline").toBe("not_going");
      const draft = await createEvent(db, organizer!, { draft: true });
      await db.as(organizer!);
      expect(await refused(db, (q) => q`select social.rsvp_event(${draft.id}, 'going')`)).toEqual([
        "PT409",
        "rsvp_closed",
      ]);
      const open = await createEvent(db, organizer!);
      await db.as(b!);
      for (const [args, code] of [
        [[11, "going"], "invalid_guests"],
        [[-1, "going"], "invalid_guests"],
        [[1, "interested"], "invalid_guests"],
      ] as const) {
        expect(
          await refused(db, (q) => q`select social.rsvp_event(${open.id}, ${args[1]}::social.rsvp_status, ${args[0]})`),
        ).toEqual(["22023", code]);
      }
      expect(await refused(db, (q) => q`select social.rsvp_event(${open.id}, null, 0)`)).toEqual([
        "22023",
        "invalid_rsvp",
      ]);
      expect(await refused(db, (q) => q`select social.rsvp_event(${randomUUID()}, 'going')`)).toEqual([
        "PT404",
        "event_not_found",
      ]);
      await db.asAnon();
      expect((await refused(db, (q) => q`select social.rsvp_event(${open.id}, 'going')`))[0]).toBe("42501");
    });
  });

  it("going needs the event's tier and, for a priced event, a ticket", async () => {
    await withDb(async (db) => {
      const [organizer, a] = await db.createUsers(2);
      const e = await createEvent(db, organizer!);
      await db.asSuperuser();
      await db.q`update social.events set required_tier = 'gold' where id = ${e.id}`;
      await db.as(a!);
      expect(await refused(db, (q) => q`select social.rsvp_event(${e.id}, 'going')`)).toEqual([
        "42501",
        "tier_required",
      ]);
      expect((await rsvp(db, a!, e.id, "interested")).status, "interest needs no tier").toBe("interested");
      await db.asSuperuser();
      await db.q`update social.events set required_tier = null, price_cents = 1500, currency = 'EUR' where id = ${e.id}`;
      await db.as(a!);
      expect(await refused(db, (q) => q`select social.rsvp_event(${e.id}, 'going')`)).toEqual([
        "42501",
        "ticket_required",
      ]);
    });
  });

  it("losing sight of an event takes the RSVP (and promotes), for removed members, blocks and unfollows", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "private", joinPolicy: "request" });
      const e = await createEvent(db, c.owner, { groupId: c.group, visibility: "group", capacity: 1 });
      await rsvp(db, c.member, e.id);
      expect((await rsvp(db, c.moderator, e.id)).waitlisted).toBe(true);
      await db.as(c.owner);
      await db.q`select social.remove_group_member(${c.group}, ${c.member})`;
      expect(await confirmed(db, e.id)).toEqual([c.moderator]);
      await db.as(c.member);
      expect(await db.q`select 1 from social.event_rsvps where event_id = ${e.id}`).toHaveLength(0);

      const organizer = await db.createUser({ visibility: "private" });
      const [fan, other] = await db.createUsers(2);
      await follow(db, fan!, organizer);
      await follow(db, other!, organizer);
      const f = await createEvent(db, organizer, { visibility: "followers" });
      await rsvp(db, fan!, f.id);
      await rsvp(db, other!, f.id);
      await db.as(fan!);
      await db.q`select social.unfollow(${organizer})`;
      await block(db, organizer, other!);
      expect(await confirmed(db, f.id)).toEqual([]);
      await countersMatch(db, f.id);
    });
  });
});

describe("reading an event and its people", () => {
  it("get_event has counts, my RSVP and the attendees I follow first; attendee lists leave blocked users out", async () => {
    await withDb(async (db) => {
      const [organizer, viewer, friend, x, y, blocked] = await db.createUsers(6);
      const e = await createEvent(db, organizer!, { capacity: 5 });
      await rsvp(db, friend!, e.id);
      for (const u of [x, y, blocked]) await rsvp(db, u!, e.id, "going", 0);
      await db.asSuperuser();
      await db.q`update social.event_rsvps set created_at = now() - interval '1 hour' where user_id = ${friend!}`;
      await follow(db, viewer!, friend!);
      await block(db, viewer!, blocked!);
      await rsvp(db, viewer!, e.id, "interested");
      await db.as(viewer!);
      const [row] = await db.q`select * from social.get_event(${e.id})`;
      expect(row).toMatchObject({
        going_count: 4,
        interested_count: 1,
        seats_taken: 4,
        my_status: "interested",
        is_organizer: false,
      });
      const preview = row!.attendee_preview as { id: string; is_friend: boolean }[];
      expect(preview[0]).toMatchObject({ id: friend, is_friend: true });
      expect(preview.map((p) => p.id)).not.toContain(blocked);
      expect(preview).toHaveLength(3);
      const list = await db.q`select user_id from social.list_event_attendees(${e.id}, 'going')`;
      expect(list.map((r) => r.user_id).sort()).toEqual([friend!, x!, y!].sort());
      const interested = await db.q`select user_id from social.list_event_attendees(${e.id}, 'interested')`;
      expect(interested.map((r) => r.user_id)).toEqual([viewer]);
    });
  });

  it("only organizers read the waitlist, in order of arrival with positions", async () => {
    await withDb(async (db) => {
      const [organizer, a, b, c, d] = await db.createUsers(5);
      const e = await createEvent(db, organizer!, { capacity: 1 });
      for (const u of [a, b, c, d]) await rsvp(db, u!, e.id);
      await db.as(organizer!);
      const page1 =
        await db.q`select user_id, waitlist_position, next_cursor from social.list_event_waitlist(${e.id}, null, 2)`;
      expect(page1.map((r) => [r.user_id, r.waitlist_position])).toEqual([
        [b, 1],
        [c, 2],
      ]);
      const page2 =
        await db.q`select user_id, waitlist_position from social.list_event_waitlist(${e.id}, ${page1[0]!.next_cursor}, 2)`;
      expect(page2.map((r) => [r.user_id, r.waitlist_position])).toEqual([[d, 3]]);
      for (const who of [a!, c!]) {
        await db.as(who);
        expect(await db.q`select 1 from social.list_event_waitlist(${e.id})`).toHaveLength(0);
        // a waiting user sees their own row, not the others'
        expect(
          (
            await db.q`select user_id from social.event_rsvps where event_id = ${e.id} and waitlist_seq is not null`
          ).map((r) => r.user_id),
        ).toEqual(who === c ? [c] : []);
      }
    });
  });
});

describe("the race", () => {
  it("60 concurrent RSVPs and then concurrent cancellations never exceed the capacity and promote in order of arrival", async () => {
    const url = inject("dbUrl");
    const pool = postgres(url, { max: 12, onnotice: () => {} });
    const ids = Array.from({ length: 61 }, () => randomUUID());
    const [organizer, ...people] = ids as [string, ...string[]];
    try {
      await pool`
        insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, email_confirmed_at)
        select u, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', u || '@race.test', '{}', now()
        from unnest(${ids}::uuid[]) u`;
      const as = <T>(user: string, fn: (tx: postgres.TransactionSql) => Promise<T>) =>
        pool.begin(async (tx) => {
          await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: user, role: "authenticated" })}, true)`;
          await tx.unsafe("set local role authenticated");
          return fn(tx);
        }) as Promise<T>;
      const event = await as(organizer, async (tx) => {
        const [row] = await tx`select id from social.create_event(${tx.json({
          title: "Race",
          starts_at: new Date(Date.now() + 86400_000).toISOString(),
          ends_at: new Date(Date.now() + 90000_000).toISOString(),
          capacity: 10,
        })})`;
        await tx`select social.publish_event(${row!.id}, false)`;
        return row!.id as string;
      });
      const results = await Promise.all(
        people.map((p) =>
          as(p, async (tx) => {
            const [r] = await tx`select waitlisted from social.rsvp_event(${event}, 'going')`;
            return r!.waitlisted as boolean;
          }),
        ),
      );
      expect(results.filter((w) => !w)).toHaveLength(10);
      const state = async () => {
        const [e] = await pool`select seats_taken, capacity, waitlist_count from social.events where id = ${event}`;
        const rows = await pool`
          select user_id, waitlist_seq from social.event_rsvps where event_id = ${event} and status = 'going'`;
        return { e: e!, rows };
      };
      const s1 = await state();
      expect(s1.e.seats_taken).toBe(10);
      const seqs = s1.rows.filter((r) => r.waitlist_seq !== null).map((r) => Number(r.waitlist_seq));
      expect(seqs).toHaveLength(50);
      expect(new Set(seqs).size, "one arrival number each").toBe(50);
      const queue = s1.rows
        .filter((r) => r.waitlist_seq !== null)
        .sort((a, b) => Number(a.waitlist_seq) - Number(b.waitlist_seq))
        .map((r) => r.user_id as string);
      // 8 seated people cancel at once, and 8 newcomers' retries arrive with them
      const seated = s1.rows.filter((r) => r.waitlist_seq === null).map((r) => r.user_id as string);
      await Promise.all([
        ...seated.slice(0, 8).map((p) => as(p, (tx) => tx`select social.cancel_rsvp(${event})`)),
        ...queue.map((p) => as(p, (tx) => tx`select social.rsvp_event(${event}, 'going')`)),
      ]);
      const s2 = await state();
      expect(s2.e.seats_taken, "capacity holds").toBe(10);
      const nowSeated = new Set(s2.rows.filter((r) => r.waitlist_seq === null).map((r) => r.user_id));
      expect([...nowSeated].sort(), "the first 8 of the queue moved up").toEqual(
        [...seated.slice(8), ...queue.slice(0, 8)].sort(),
      );
      const rest = s2.rows
        .filter((r) => r.waitlist_seq !== null)
        .sort((a, b) => Number(a.waitlist_seq) - Number(b.waitlist_seq))
        .map((r) => r.user_id);
      expect(rest, "the rest keep their order").toEqual(queue.slice(8));
    } finally {
      await pool`delete from auth.users where id = any(${ids}::uuid[])`;
      await pool.end({ timeout: 5 });
    }
  });
});
