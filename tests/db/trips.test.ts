/**
 * Trips from every side: owner, editor, viewer, a follower of the owner, a stranger, a user the
 * owner blocked (a member before), a removed member, anon, and a share link's holder. Reads under
 * RLS (tables, get_trip, the map, trip posts), writes through the RPCs, ordering keys, version
 * conflicts, invitations, ownership, share links, comments and votes.
 */
import { describe, expect, it } from "vitest";
import { createMedia } from "../fixtures/media.ts";
import { buildTrip, type TripCast, tripCast } from "../fixtures/trips.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";
import { asRole } from "../helpers/labels.ts";

type Who = keyof TripCast | "anon";

async function become(db: TestDb, c: TripCast, who: Who) {
  if (who === "anon") await db.asAnon();
  else await db.as(c[who]);
}

/** What `who` reads of a trip: the trip row, its days, its items (counts) and get_trip. */
async function reads(db: TestDb, c: TripCast, who: Who, tripId: string) {
  await become(db, c, who);
  const [t] = await db.q<{ n: number }[]>`select count(*)::int as n from social.trips where id = ${tripId}`;
  const [d] = await db.q<{ n: number }[]>`select count(*)::int as n from social.trip_days where trip_id = ${tripId}`;
  const [i] = await db.q<{ n: number }[]>`select count(*)::int as n from social.trip_items where trip_id = ${tripId}`;
  const got = await db.attempt((tx) => tx`select social.get_trip(${tripId}) as t`);
  await db.asSuperuser();
  return { trips: t!.n, days: d!.n, items: i!.n, getTrip: got.ok ? "ok" : got.error.hint };
}

const everyone: Who[] = ["owner", "editor", "viewer", "follower", "stranger", "blocked", "removed", "anon"];

describe("who sees a trip", () => {
  const expected: Record<string, Who[]> = {
    // a removed member of a public trip is a visitor like any other
    public: ["owner", "editor", "viewer", "follower", "stranger", "removed", "anon"],
    followers: ["owner", "editor", "viewer", "follower"],
    private: ["owner", "editor", "viewer"],
  };
  for (const visibility of ["public", "followers", "private"] as const) {
    it(`a ${visibility} trip: members always, others per its visibility, never the blocked user; the removed member as any outsider`, async () => {
      await withDb(async (db) => {
        const c = await tripCast(db);
        const trip = await buildTrip(db, c, visibility);
        for (const who of everyone) {
          const sees = expected[visibility]!.includes(who);
          const r = await reads(db, c, who, trip.id);
          expect(r, asRole({ ...c, anon: "anon" }, who === "anon" ? "anon" : c[who])).toEqual(
            sees
              ? { trips: 1, days: 2, items: 3, getTrip: "ok" }
              : { trips: 0, days: 0, items: 0, getTrip: "trip_not_found" },
          );
        }
      });
    });
  }

  it("get_trip gives members the member list and their role, and visitors neither", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "public");
      await db.as(c.viewer);
      const [{ t: mine }] = (await db.q`select social.get_trip(${trip.id}) as t`) as unknown as [
        { t: { my_role: string; members: { user_id: string; role: string }[]; items: { title: string }[] } },
      ];
      expect(mine.my_role).toBe("viewer");
      expect(mine.members.map((m) => [m.user_id, m.role]).sort()).toEqual(
        [
          [c.owner, "owner"],
          [c.editor, "editor"],
          [c.viewer, "viewer"],
        ].sort(),
      );
      expect(mine.items.map((i) => i.title)).toEqual(["Castelo de São Jorge", "Lunch", "Pena Palace"]);
      await db.as(c.stranger);
      const [{ t: theirs }] = (await db.q`select social.get_trip(${trip.id}) as t`) as unknown as [
        { t: { my_role: string | null; members: unknown[]; items: { created_by: string | null }[] } },
      ];
      expect(theirs.my_role).toBeNull();
      expect(theirs.members).toEqual([]);
      expect(theirs.items.every((i) => i.created_by === null)).toBe(true);
    });
  });
});

describe("who changes a trip", () => {
  it("owner and editors plan; viewers, strangers, the blocked and removed, and anon cannot", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      for (const visibility of ["public", "private"] as const) {
        const trip = await buildTrip(db, c, visibility, `Trip ${visibility}`);
        for (const who of everyone) {
          await become(db, c, who);
          const r = await db.attempt(
            (tx) => tx`select id from social.add_trip_item(${trip.days[0]!}, ${tx.json({ title: `by ${who}` })})`,
          );
          // anon may not even call the RPC (no grant): 42501, which the API answers 401
          const outcome = r.ok ? "ok" : (r.error.hint ?? r.error.code);
          const allowed = who === "owner" || who === "editor";
          const denied =
            who === "anon"
              ? "42501"
              : who === "viewer" || (visibility === "public" && ["follower", "stranger", "removed"].includes(who))
                ? "not_trip_editor"
                : "trip_item_not_found";
          expect(outcome, `${visibility} trip ${asRole(c, c[who as keyof TripCast])}`).toBe(allowed ? "ok" : denied);
        }
        await db.asSuperuser();
        const [n] = await db.q<{ n: number }[]>`
          select count(*)::int as n from social.trip_items where trip_id = ${trip.id} and title like 'by %'`;
        expect(n!.n, "only the owner's and editor's items were written").toBe(2);
      }
    });
  });

  it("nobody writes the tables directly: every write is an RPC", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "private");
      await db.as(c.owner);
      expect(
        await refused(db, (tx) => tx`update social.trip_items set title = 'x' where id = ${trip.items[0]!}`),
      ).toEqual(["42501", undefined]);
      expect(await refused(db, (tx) => tx`delete from social.trips where id = ${trip.id}`)).toEqual([
        "42501",
        undefined,
      ]);
      expect(
        await refused(
          db,
          (tx) =>
            tx`insert into social.trip_members (trip_id, user_id, role) values (${trip.id}, ${c.stranger}, 'editor')`,
        ),
      ).toEqual(["42501", undefined]);
    });
  });

  it("only the owner changes visibility, manages members and deletes the trip", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "private");
      await db.as(c.editor);
      const [t] = await db.q<{ version: number }[]>`select version from social.trips where id = ${trip.id}`;
      expect(
        await refused(
          db,
          (tx) => tx`select social.update_trip(${trip.id}, ${t!.version}, ${tx.json({ visibility: "public" })})`,
        ),
      ).toEqual(["42501", "not_trip_owner"]);
      const [edited] = await db.q<{ title: string; version: number }[]>`
        select title, version from social.update_trip(${trip.id}, ${t!.version}, ${db.q.json({ title: "Lisbon & Porto", status: "booked" })})`;
      expect(edited).toEqual({ title: "Lisbon & Porto", version: t!.version + 1 });
      expect(await refused(db, (tx) => tx`select social.invite_to_trip(${trip.id}, ${c.stranger}, 'viewer')`)).toEqual([
        "42501",
        "not_trip_owner",
      ]);
      expect(await refused(db, (tx) => tx`select social.remove_trip_member(${trip.id}, ${c.viewer})`)).toEqual([
        "42501",
        "not_trip_owner",
      ]);
      expect(await refused(db, (tx) => tx`select social.delete_trip(${trip.id})`)).toEqual(["42501", "not_trip_owner"]);
      await db.as(c.owner);
      await db.q`select social.delete_trip(${trip.id})`;
      await db.asSuperuser();
      const [n] = await db.q<
        { n: number }[]
      >`select count(*)::int as n from social.trip_items where trip_id = ${trip.id}`;
      expect(n!.n).toBe(0);
    });
  });

  it("bad input is a 400 with a stable code and writes nothing", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "private");
      await db.as(c.owner);
      const cases: [Record<string, string | number>, string][] = [
        [{}, "invalid_title"],
        [{ title: "   " }, "invalid_title"],
        [{ title: "x".repeat(201) }, "invalid_title"],
        [{ title: "ok", start_date: "2027-05-02", end_date: "2027-05-01" }, "invalid_dates"],
        [{ title: "ok", start_date: "2027-02-30", end_date: "2027-03-01" }, "invalid_dates"],
        [{ title: "ok", start_date: "2027-05-01" }, "invalid_dates"],
        [{ title: "ok", destination_lat: 91, destination_lng: 0 }, "invalid_coordinates"],
        [{ title: "ok", destination_lat: 10 }, "invalid_coordinates"],
        [{ title: "ok", timezone: "Mars/Olympus" }, "invalid_timezone"],
        [{ title: "ok", visibility: "everyone" }, "invalid_visibility"],
        [{ title: "ok", status: "lost" }, "invalid_status"],
        [{ title: "ok", owner_id: c.stranger }, "invalid_field"],
        [{ title: 42 }, "invalid_title"],
      ];
      for (const [input, code] of cases) {
        expect(
          await refused(db, (tx) => tx`select social.create_trip(${tx.json(input)})`),
          JSON.stringify(input),
        ).toEqual(["22023", code]);
      }
      const items: [Record<string, string | number | string[]>, string][] = [
        [{ title: "x", start_time: "25:00" }, "invalid_dates"],
        [{ title: "x", links: ["javascript:alert(1)"] }, "invalid_links"],
        [{ title: "x", links: Array(11).fill("https://a.b") }, "invalid_links"],
        [{ title: "x", category: "party" }, "invalid_category"],
        [{ title: "x", cost_estimate: -1 }, "invalid_cost"],
        [{ title: "x", currency: "euro" }, "invalid_cost"],
        [{ title: "x", place_lat: 0, place_lng: 181 }, "invalid_coordinates"],
        [{ title: "x", notes: "n".repeat(5001) }, "invalid_text"],
        [{ title: "x", version: 9 }, "invalid_field"],
      ];
      for (const [input, code] of items) {
        expect(
          await refused(db, (tx) => tx`select social.add_trip_item(${trip.days[0]!}, ${tx.json(input)})`),
          JSON.stringify(input),
        ).toEqual(["22023", code]);
      }
      expect(
        await refused(
          db,
          (tx) => tx`select social.add_trip_item(${trip.days[1]!}, ${tx.json({ title: "x" })}, ${trip.items[0]!})`,
        ),
      ).toEqual(["22023", "invalid_position"]);
      expect(await refused(db, (tx) => tx`select social.vote_trip_item(${trip.items[0]!}, 2)`)).toEqual([
        "22023",
        "invalid_vote",
      ]);
      await db.asSuperuser();
      const [n] = await db.q<
        { n: number }[]
      >`select count(*)::int as n from social.trip_items where trip_id = ${trip.id}`;
      expect(n!.n).toBe(3);
    });
  });
});

describe("ordering and conflicts", () => {
  it("key_between always finds a key strictly between two neighbours", async () => {
    await withDb(async (db) => {
      const [r] = await db.q<{ keys: string[] }[]>`
        with recursive k(n, lo, hi, mid) as (
          select 0, null::text, null::text, social_private.key_between(null, null)
          union all
          select n + 1,
                 case when n % 3 = 0 then mid else lo end,
                 case when n % 3 = 0 then hi else mid end,
                 social_private.key_between(case when n % 3 = 0 then mid else lo end, case when n % 3 = 0 then hi else mid end)
          from k where n < 300
        )
        select array_agg(mid order by n) as keys from k`;
      const [check] = await db.q<{ bad: number }[]>`
        with recursive k(n, lo, hi, mid) as (
          select 0, null::text, null::text, social_private.key_between(null, null)
          union all
          select n + 1, case when n % 3 = 0 then mid else lo end, case when n % 3 = 0 then hi else mid end,
                 social_private.key_between(case when n % 3 = 0 then mid else lo end, case when n % 3 = 0 then hi else mid end)
          from k where n < 300
        )
        select count(*)::int as bad from k
        where (lo is not null and not (mid collate "C" > lo collate "C"))
           or (hi is not null and not (mid collate "C" < hi collate "C"))
           or mid ~ '0$' or mid !~ '^[0-9A-Za-z]+$'`;
      expect(r!.keys).toHaveLength(301);
      expect(check!.bad).toBe(0);
      expect(await refused(db, (tx) => tx`select social_private.key_between('b', 'a')`)).toEqual([
        "22023",
        "invalid_position",
      ]);
      expect(await refused(db, (tx) => tx`select social_private.key_between('a', 'a')`)).toEqual([
        "22023",
        "invalid_position",
      ]);
    });
  });

  it("moves and inserts put items where asked without rewriting their neighbours", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "private");
      const [castle, lunch, pena] = trip.items as [string, string, string];
      const order = async (day: string) => {
        await db.asSuperuser();
        return (
          await db.q<{ id: string }[]>`
          select id from social.trip_items where day_id = ${day} order by position, id`
        ).map((r) => r.id);
      };
      await db.as(c.editor);
      await db.q`select social.move_trip_item(${pena}, ${trip.days[0]!}, ${castle})`;
      expect(await order(trip.days[0]!)).toEqual([castle, pena, lunch]);
      await db.as(c.owner);
      await db.q`select social.move_trip_item(${lunch}, null, null, true)`;
      expect(await order(trip.days[0]!)).toEqual([lunch, castle, pena]);
      await db.as(c.owner);
      const [first] = await db.q<{ id: string }[]>`
        select id from social.add_trip_item(${trip.days[0]!}, ${db.q.json({ title: "Coffee" })}, null, true)`;
      const [between] = await db.q<{ id: string }[]>`
        select id from social.add_trip_item(${trip.days[0]!}, ${db.q.json({ title: "Tram 28" })}, ${castle})`;
      expect(await order(trip.days[0]!)).toEqual([first!.id, lunch, castle, between!.id, pena]);
      // two moves into the same gap at once (the same neighbours read): both land, tied keys by id
      await db.asSuperuser();
      const [gap] = await db.q<{ k: string }[]>`
        select social_private.key_between(
          (select position from social.trip_items where id = ${lunch}),
          (select position from social.trip_items where id = ${castle})) as k`;
      await db.q`update social.trip_items set position = ${gap!.k} where id in (${first!.id}, ${pena})`;
      const after = await order(trip.days[0]!);
      expect(after.slice(0, 1)).toEqual([lunch]);
      expect(after.slice(1, 3).sort()).toEqual([first!.id, pena].sort());
      // an insert after the first of the tied pair goes after both
      await db.as(c.editor);
      const [late] = await db.q<{ id: string }[]>`
        select id from social.add_trip_item(${trip.days[0]!}, ${db.q.json({ title: "Late" })}, ${after[1]!})`;
      const final = await order(trip.days[0]!);
      expect(final.indexOf(late!.id)).toBe(3);
      expect(final).toHaveLength(6);
    });
  });

  it("an edit with a stale version answers conflict and writes nothing; a move and an edit both land", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "private");
      const item = trip.items[1]!;
      await db.as(c.editor);
      const [read] = await db.q<{ version: number }[]>`select version from social.trip_items where id = ${item}`;
      await db.as(c.owner);
      await db.q`select social.update_trip_item(${item}, ${read!.version}, ${db.q.json({ notes: "owner's" })})`;
      await db.as(c.editor);
      expect(
        await refused(
          db,
          (tx) => tx`select social.update_trip_item(${item}, ${read!.version}, ${tx.json({ notes: "editor's" })})`,
        ),
      ).toEqual(["PT409", "conflict"]);
      expect(await refused(db, (tx) => tx`select social.delete_trip_item(${item}, ${read!.version})`)).toEqual([
        "PT409",
        "conflict",
      ]);
      // a move needs no version and keeps the owner's edit; the editor's edit on the fresh version lands too
      await db.q`select social.move_trip_item(${item}, ${trip.days[1]!})`;
      const [fresh] = await db.q<{ version: number }[]>`select version from social.trip_items where id = ${item}`;
      await db.q`select social.update_trip_item(${item}, ${fresh!.version}, ${db.q.json({ title: "Lunch at Time Out" })})`;
      await db.asSuperuser();
      const [row] = await db.q<{ notes: string; title: string; day_id: string; version: number }[]>`
        select notes, title, day_id, version from social.trip_items where id = ${item}`;
      expect(row).toEqual({
        notes: "owner's",
        title: "Lunch at Time Out",
        day_id: trip.days[1]!,
        version: read!.version + 2,
      });
      // the trip's own fields too
      await db.as(c.editor);
      const [t] = await db.q<{ version: number }[]>`select version from social.trips where id = ${trip.id}`;
      await db.q`select social.update_trip(${trip.id}, ${t!.version}, ${db.q.json({ description: "first" })})`;
      expect(
        await refused(
          db,
          (tx) => tx`select social.update_trip(${trip.id}, ${t!.version}, ${tx.json({ description: "second" })})`,
        ),
      ).toEqual(["PT409", "conflict"]);
    });
  });
});

describe("invitations, roles and ownership", () => {
  it("invite, decline, revoke, expiry; accepting gives the invite's role", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "private");
      await db.as(c.owner);
      const [inv] = await db.q<
        { id: string }[]
      >`select id from social.invite_to_trip(${trip.id}, ${c.stranger}, 'editor')`;
      // the invitee sees the invite (and the title of a trip they cannot see yet), others do not
      await db.as(c.stranger);
      const mine = await db.q<
        { trip_title: string; role: string }[]
      >`select trip_title, role from social.my_trip_invites()`;
      expect(mine).toEqual([{ trip_title: "Lisbon", role: "editor" }]);
      await db.as(c.follower);
      expect(await db.q`select * from social.trip_invites where id = ${inv!.id}`).toHaveLength(0);
      expect(await refused(db, (tx) => tx`select social.accept_trip_invite(${inv!.id})`)).toEqual([
        "PT404",
        "invite_not_found",
      ]);
      await db.as(c.stranger);
      await db.q`select social.decline_trip_invite(${inv!.id})`;
      expect(await refused(db, (tx) => tx`select social.accept_trip_invite(${inv!.id})`)).toEqual([
        "22023",
        "invite_closed",
      ]);
      await db.as(c.owner);
      const [again] = await db.q<
        { id: string }[]
      >`select id from social.invite_to_trip(${trip.id}, ${c.stranger}, 'viewer')`;
      await db.q`select social.revoke_trip_invite(${again!.id})`;
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.accept_trip_invite(${again!.id})`)).toEqual([
        "42501",
        "invite_revoked",
      ]);
      await db.as(c.owner);
      const [third] = await db.q<
        { id: string }[]
      >`select id from social.invite_to_trip(${trip.id}, ${c.stranger}, 'viewer')`;
      await db.asSuperuser();
      await db.q`update social.trip_invites set expires_at = now() - interval '1 second' where id = ${third!.id}`;
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.accept_trip_invite(${third!.id})`)).toEqual([
        "42501",
        "invite_expired",
      ]);
      await db.as(c.owner);
      const [fourth] = await db.q<
        { id: string }[]
      >`select id from social.invite_to_trip(${trip.id}, ${c.stranger}, 'viewer')`;
      await db.as(c.stranger);
      const [m] = await db.q<{ role: string }[]>`select role from social.accept_trip_invite(${fourth!.id})`;
      expect(m!.role).toBe("viewer");
      expect((await reads(db, c, "stranger", trip.id)).items).toBe(3);
      // not across a block, not twice, not as owner
      await db.as(c.owner);
      expect(await refused(db, (tx) => tx`select social.invite_to_trip(${trip.id}, ${c.blocked}, 'viewer')`)).toEqual([
        "42501",
        "blocked",
      ]);
      expect(await refused(db, (tx) => tx`select social.invite_to_trip(${trip.id}, ${c.viewer}, 'viewer')`)).toEqual([
        "PT409",
        "already_member",
      ]);
      expect(await refused(db, (tx) => tx`select social.invite_to_trip(${trip.id}, ${c.follower}, 'owner')`)).toEqual([
        "22023",
        "invalid_role",
      ]);
    });
  });

  it("leaving, removing and transferring: the owner transfers before leaving; a removed member loses the trip", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "private");
      await db.as(c.owner);
      expect(await refused(db, (tx) => tx`select social.leave_trip(${trip.id})`)).toEqual([
        "42501",
        "owner_must_transfer",
      ]);
      expect(await refused(db, (tx) => tx`select social.remove_trip_member(${trip.id}, ${c.owner})`)).toEqual([
        "42501",
        "owner_protected",
      ]);
      expect(await refused(db, (tx) => tx`select social.transfer_trip_ownership(${trip.id}, ${c.stranger})`)).toEqual([
        "PT404",
        "member_not_found",
      ]);
      await db.q`select social.transfer_trip_ownership(${trip.id}, ${c.editor})`;
      await db.asSuperuser();
      const roles = await db.q<{ user_id: string; role: string }[]>`
        select user_id, role::text from social.trip_members where trip_id = ${trip.id} order by role, user_id`;
      expect(roles.find((r) => r.user_id === c.editor)!.role).toBe("owner");
      expect(roles.find((r) => r.user_id === c.owner)!.role).toBe("editor");
      await db.as(c.owner);
      await db.q`select social.leave_trip(${trip.id})`;
      expect((await reads(db, c, "owner", trip.id)).trips).toBe(0);
      await db.as(c.editor);
      await db.q`select social.remove_trip_member(${trip.id}, ${c.viewer})`;
      expect(await reads(db, c, "viewer", trip.id)).toEqual({ trips: 0, days: 0, items: 0, getTrip: "trip_not_found" });
      await db.as(c.viewer);
      expect(
        await refused(db, (tx) => tx`select social.comment_on_trip_item(${trip.items[0]!}, 'still here?')`),
      ).toEqual(["PT404", "trip_item_not_found"]);
    });
  });

  it("a block between the owner and a member ends the membership", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "private");
      expect((await reads(db, c, "viewer", trip.id)).items).toBe(3);
      await db.as(c.viewer);
      await db.q`select social.block(${c.owner})`;
      expect((await reads(db, c, "viewer", trip.id)).trips).toBe(0);
      await db.asSuperuser();
      const [m] = await db.q<{ n: number }[]>`select member_count as n from social.trips where id = ${trip.id}`;
      expect(m!.n).toBe(2);
    });
  });
});

describe("share links", () => {
  it("a link's holder reads the trip without an account until it is revoked or expires; only a hash is stored", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "private");
      await db.as(c.editor);
      expect(await refused(db, (tx) => tx`select social.create_trip_share_link(${trip.id})`)).toEqual([
        "42501",
        "not_trip_owner",
      ]);
      await db.as(c.owner);
      const [link] = await db.q<
        { id: string; token: string }[]
      >`select id, token from social.create_trip_share_link(${trip.id})`;
      expect(link!.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      await db.asSuperuser();
      const [stored] = await db.q<
        { row: string }[]
      >`select to_jsonb(l)::text as row from social.trip_share_links l where id = ${link!.id}`;
      expect(stored!.row).not.toContain(link!.token);
      // anon: the tables stay closed, the RPC opens the trip read-only
      await db.asAnon();
      expect(await db.q`select * from social.trips where id = ${trip.id}`).toHaveLength(0);
      expect(await db.q`select * from social.trip_items where trip_id = ${trip.id}`).toHaveLength(0);
      const [{ t }] = (await db.q`select social.view_shared_trip(${link!.token}) as t`) as unknown as [
        { t: { title: string; items: { title: string; created_by: unknown }[]; members: unknown } },
      ];
      expect(t.title).toBe("Lisbon");
      expect(t.items.map((i) => i.title)).toEqual(["Castelo de São Jorge", "Lunch", "Pena Palace"]);
      expect(t.items.every((i) => i.created_by === null)).toBe(true);
      expect(t.members).toBeNull();
      expect(await refused(db, (tx) => tx`select social.view_shared_trip(${`${link!.token}x`})`)).toEqual([
        "PT404",
        "share_link_not_found",
      ]);
      // anon cannot read the links table nor revoke
      expect(await refused(db, (tx) => tx`select * from social.trip_share_links`)).toEqual(["42501", undefined]);
      // revoked
      await db.as(c.viewer);
      expect(await refused(db, (tx) => tx`select social.revoke_trip_share_link(${link!.id})`)).toEqual([
        "42501",
        "not_trip_owner",
      ]);
      expect(await db.q`select * from social.list_trip_share_links(${trip.id})`).toHaveLength(0);
      await db.as(c.owner);
      const listed = await db.q<
        { id: string; use_count: number }[]
      >`select id, use_count from social.list_trip_share_links(${trip.id})`;
      expect(listed).toEqual([{ id: link!.id, use_count: 1 }]);
      await db.q`select social.revoke_trip_share_link(${link!.id})`;
      await db.asAnon();
      expect(await refused(db, (tx) => tx`select social.view_shared_trip(${link!.token})`)).toEqual([
        "42501",
        "share_link_revoked",
      ]);
      // expired
      await db.as(c.owner);
      const [short] = await db.q<{ id: string; token: string }[]>`
        select id, token from social.create_trip_share_link(${trip.id}, now() + interval '1 hour')`;
      expect(
        await refused(db, (tx) => tx`select social.create_trip_share_link(${trip.id}, now() - interval '1 hour')`),
      ).toEqual(["22023", "invalid_expiry"]);
      await db.asSuperuser();
      await db.q`update social.trip_share_links set expires_at = now() - interval '1 second' where id = ${short!.id}`;
      await db.asAnon();
      expect(await refused(db, (tx) => tx`select social.view_shared_trip(${short!.token})`)).toEqual([
        "42501",
        "share_link_expired",
      ]);
    });
  });
});

describe("comments and votes", () => {
  it("every member comments and votes; visitors of a public trip and outsiders cannot; blocks hide comments", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "public");
      const item = trip.items[0]!;
      for (const who of ["owner", "editor", "viewer"] as const) {
        await db.as(c[who]);
        await db.q`select social.comment_on_trip_item(${item}, ${`from ${who}`})`;
        await db.q`select social.vote_trip_item(${item}, ${who === "viewer" ? -1 : 1})`;
      }
      for (const [who, refusal] of [
        ["follower", ["42501", "not_trip_member"]],
        ["stranger", ["42501", "not_trip_member"]],
        ["blocked", ["PT404", "trip_item_not_found"]],
        ["removed", ["42501", "not_trip_member"]],
      ] as const) {
        await db.as(c[who]);
        expect(await refused(db, (tx) => tx`select social.vote_trip_item(${item}, 1)`), who).toEqual(refusal);
        expect(await refused(db, (tx) => tx`select social.comment_on_trip_item(${item}, 'me too')`), who).toEqual(
          refusal,
        );
        expect(await db.q`select * from social.trip_item_comments where item_id = ${item}`, who).toHaveLength(0);
      }
      await db.asSuperuser();
      const [it] = await db.q<{ comment_count: number; vote_score: number }[]>`
        select comment_count, vote_score from social.trip_items where id = ${item}`;
      expect(it).toEqual({ comment_count: 3, vote_score: 1 });
      // a member blocked by another member no longer reads their comments
      await db.as(c.viewer);
      await db.q`select social.block(${c.editor})`;
      const seen = await db.q<{ body: string }[]>`select body from social.list_trip_item_comments(${item})`;
      expect(seen.map((r) => r.body).sort()).toEqual(["from owner", "from viewer"]);
    });
  });
});

describe("trip posts, covers and the map", () => {
  it("trip updates become trip posts visible as the trip is, and follow its visibility", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "followers");
      const posts = async (who: Who) => {
        await become(db, c, who);
        const rows = await db.q<{ event: string }[]>`
          select data ->> 'event' as event from social.posts where ref_type = 'trip' and ref_id = ${trip.id} order by created_at, id`;
        await db.asSuperuser();
        return rows.map((r) => r.event).sort();
      };
      expect(await posts("follower")).toEqual(["created", "day_planned", "day_planned"]);
      expect(await posts("stranger")).toEqual([]);
      await db.as(c.owner);
      const [t] = await db.q<{ version: number }[]>`select version from social.trips where id = ${trip.id}`;
      await db.q`select social.update_trip(${trip.id}, ${t!.version}, ${db.q.json({ visibility: "public", status: "done" })})`;
      expect(await posts("stranger")).toEqual(["created", "day_planned", "day_planned", "done"]);
      expect(await posts("anon")).toEqual(["created", "day_planned", "day_planned", "done"]);
      await db.as(c.owner);
      await db.q`select social.update_trip(${trip.id}, ${t!.version + 1}, ${db.q.json({ visibility: "private" })})`;
      expect(await posts("follower")).toEqual([]);
      expect(await posts("owner")).toHaveLength(4);
      // a private trip makes no posts
      const quiet = await buildTrip(db, c, "private", "Quiet");
      await db.asSuperuser();
      const [n] = await db.q<{ n: number }[]>`select count(*)::int as n from social.posts where ref_id = ${quiet.id}`;
      expect(n!.n).toBe(0);
    });
  });

  it("a cover is read exactly by those who see the trip", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "followers");
      const cover = await createMedia(db, c.owner, { target: "trip" });
      await db.as(c.owner);
      const [t] = await db.q<{ version: number }[]>`select version from social.trips where id = ${trip.id}`;
      const [updated] = await db.q<{ cover: { id: string; path: string } }[]>`
        select cover from social.update_trip(${trip.id}, ${t!.version}, ${db.q.json({ cover_media_id: cover.id })})`;
      expect(updated!.cover).toMatchObject({ id: cover.id, path: cover.path });
      for (const who of everyone) {
        await become(db, c, who);
        const rows =
          await db.q`select 1 from storage.objects where bucket_id = ${cover.bucket} and name = ${cover.path}`;
        const sees = ["owner", "editor", "viewer", "follower"].includes(who);
        expect(rows.length, `cover as ${who}`).toBe(sees ? 1 : 0);
      }
      // someone else's media is not a cover
      const other = await createMedia(db, c.editor, { target: "trip" });
      await db.as(c.owner);
      expect(
        await refused(
          db,
          (tx) =>
            tx`select social.update_trip(${trip.id}, ${t!.version + 1}, ${tx.json({ cover_media_id: other.id })})`,
        ),
      ).toEqual(["PT404", "media_not_found"]);
    });
  });

  it("the map shows trips and places in a box and a date range, never beyond their audience", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const pub = await buildTrip(db, c, "public", "Public");
      const priv = await buildTrip(db, c, "private", "Private");
      const box = async (
        who: Who,
        from: string | null = null,
        to: string | null = null,
        lng: [number, number] = [-10, -9],
      ) => {
        await become(db, c, who);
        const rows = await db.q<{ kind: string; trip_id: string }[]>`
          select kind, trip_id from social.trip_map(38, ${lng[0]}, 39, ${lng[1]}, ${from}::date, ${to}::date, null, 50)`;
        await db.asSuperuser();
        return rows
          .map((r) => `${r.trip_id === pub.id ? "pub" : r.trip_id === priv.id ? "priv" : "other"}:${r.kind}`)
          .sort();
      };
      expect(await box("owner")).toEqual(["priv:destination", "priv:place", "pub:destination", "pub:place"]);
      expect(await box("viewer")).toEqual(["priv:destination", "priv:place", "pub:destination", "pub:place"]);
      expect(await box("stranger")).toEqual(["pub:destination", "pub:place"]);
      expect(await box("anon")).toEqual(["pub:destination", "pub:place"]);
      expect(await box("blocked")).toEqual([]);
      expect(await box("removed")).toEqual(["pub:destination", "pub:place"]);
      expect(await box("stranger", "2027-06-01", "2027-06-30")).toEqual([]);
      expect(await box("stranger", "2027-05-01", "2027-05-01")).toEqual(["pub:destination", "pub:place"]);
      expect(await box("stranger", null, null, [0, 1])).toEqual([]);
      // a box across the antimeridian: 170 .. -8 covers -9.14
      expect(await box("stranger", null, null, [170, -8])).toEqual(["pub:destination", "pub:place"]);
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select * from social.trip_map(40, 0, 39, 1)`)).toEqual([
        "22023",
        "invalid_bounds",
      ]);
      expect(
        await refused(db, (tx) => tx`select * from social.trip_map(38, 0, 39, 1, '2027-05-02', '2027-05-01')`),
      ).toEqual(["22023", "invalid_dates"]);
    });
  });

  it("following: public trips only, counted, dropped when the trip stops being public", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const pub = await buildTrip(db, c, "public", "Public");
      const fol = await buildTrip(db, c, "followers", "Followers");
      await db.as(c.stranger);
      await db.q`select social.follow_trip(${pub.id})`;
      await db.q`select social.follow_trip(${pub.id})`;
      expect((await db.q<{ id: string }[]>`select id from social.my_trips('following')`).map((r) => r.id)).toEqual([
        pub.id,
      ]);
      await db.as(c.follower);
      expect(await refused(db, (tx) => tx`select social.follow_trip(${fol.id})`)).toEqual(["42501", "not_allowed"]);
      await db.asSuperuser();
      const [t] = await db.q<{ follower_count: number; version: number }[]>`
        select follower_count, version from social.trips where id = ${pub.id}`;
      expect(t!.follower_count).toBe(1);
      await db.as(c.owner);
      await db.q`select social.update_trip(${pub.id}, ${t!.version}, ${db.q.json({ visibility: "followers" })})`;
      await db.as(c.stranger);
      expect(await db.q`select id from social.my_trips('following')`).toHaveLength(0);
    });
  });
});

describe("live: the trip topic", () => {
  it("only members may join trip:<id>; changes are broadcast as they commit", async () => {
    await withDb(async (db) => {
      const c = await tripCast(db);
      const trip = await buildTrip(db, c, "public");
      const topic = `trip:${trip.id}`;
      for (const who of everyone) {
        if (who === "anon") continue;
        await become(db, c, who);
        const [r] = await db.q<{ read: boolean; presence: boolean; broadcast: boolean }[]>`
          select social_private.can_read_topic(${topic}, 'broadcast') as read,
                 social_private.can_write_topic(${topic}, 'presence') as presence,
                 social_private.can_write_topic(${topic}, 'broadcast') as broadcast`;
        const member = ["owner", "editor", "viewer"].includes(who);
        // members receive and track presence; nobody broadcasts there but the database
        expect(r, `join as ${who}`).toEqual({ read: member, presence: member, broadcast: false });
      }
      await db.as(c.owner);
      const [bad] = await db.q<
        { ok: boolean }[]
      >`select social_private.can_read_topic('trip:not-a-uuid', 'broadcast') as ok`;
      expect(bad!.ok).toBe(false);
      await db.asSuperuser();
      const before = await db.q<
        { n: number }[]
      >`select count(*)::int as n from realtime.messages where topic = ${topic}`;
      await db.as(c.editor);
      await db.q`select social.add_trip_item(${trip.days[0]!}, ${db.q.json({ title: "Live" })})`;
      await db.asSuperuser();
      const sent = await db.q<{ event: string; payload: { op: string; row: { title: string } }; private: boolean }[]>`
        select event, payload, private from realtime.messages where topic = ${topic} and event = 'item' and payload #>> '{row,title}' = 'Live'`;
      expect(sent[0]).toMatchObject({
        event: "item",
        private: true,
        payload: { op: "created", row: { title: "Live" } },
      });
      const after = await db.q<
        { n: number }[]
      >`select count(*)::int as n from realtime.messages where topic = ${topic}`;
      expect(after[0]!.n).toBeGreaterThan(before[0]!.n);
    });
  });
});

describe("rate limits", () => {
  it("creating trips is limited to 10 a minute", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      for (let i = 0; i < 10; i++) await db.q`select social.create_trip(${db.q.json({ title: `T${i}` })})`;
      expect(await refused(db, (tx) => tx`select social.create_trip(${tx.json({ title: "one more" })})`)).toEqual([
        "PT429",
        "rate_limited",
      ]);
      await db.asSuperuser();
      const [n] = await db.q<{ n: number }[]>`select count(*)::int as n from social.trips where owner_id = ${me}`;
      expect(n!.n).toBe(10);
    });
  });
});
