/**
 * `@supasocial/client/trips` through supabase-js against the local stack: the namespace is opt-in
 * (withTrips), every call returns `{ data, error }` with stable codes, conflicts are answered and
 * retried by editItem, share links work for anon, and live changes and presence reach members
 * (not outsiders), with a removed member's subscription ended at once.
 */
import { describe, expect, it } from "vitest";
import { withTrips } from "../../client-sdk/src/trips.ts";
import { expectError, session, signUp, unwrap } from "../fixtures/sdk.ts";

const until = async (check: () => boolean, ms = 10_000) => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("trips namespace", () => {
  it("is added by withTrips only, once, on the same client", async () => {
    const ana = await signUp("ana");
    expect("trips" in ana.client).toBe(false);
    const social = withTrips(ana.client);
    expect(social).toBe(ana.client);
    expect(withTrips(social).trips).toBe(social.trips);
  });

  it("plans a trip: create, members, days and items, conflicts answered and retried", async () => {
    const ana = withTrips((await signUp("ana")).client);
    const benUser = await signUp("ben");
    const ben = withTrips(benUser.client);
    const trip = unwrap(await ana.trips.create({ title: "Porto", start_date: "2027-09-01", end_date: "2027-09-03" }));
    expect(trip.visibility).toBe("private");
    // ben is no member yet: the trip looks like none
    expectError(await ben.trips.get(trip.id), "trip_not_found", 404);
    const invite = unwrap(await ana.trips.invite(trip.id, benUser.id, "editor"));
    const mine = unwrap(await ben.trips.invites());
    expect(mine.items.map((i) => i.id)).toEqual([invite.id]);
    unwrap(await ben.trips.acceptInvite(invite.id));
    const day = unwrap(await ben.trips.addDay(trip.id, { day_date: "2027-09-01" }));
    const a = unwrap(await ana.trips.addItem(day.id, { title: "Ribeira", category: "sight" }));
    const b = unwrap(await ben.trips.addItem(day.id, { title: "Lello" }, { first: true }));
    const full = unwrap(await ana.trips.get(trip.id));
    expect(full.items.map((i) => i.title)).toEqual(["Lello", "Ribeira"]);
    expect(full.my_role).toBe("owner");
    // a stale version is a conflict; editItem rereads and lands both changes
    unwrap(await ana.trips.updateItem(a.id, a.version, { notes: "ana" }));
    expectError(await ben.trips.updateItem(a.id, a.version, { notes: "ben" }), "conflict", 409);
    const merged = unwrap(await ben.trips.editItem(a.id, (cur) => ({ notes: `${cur.notes} + ben` })));
    expect(merged.notes).toBe("ana + ben");
    // moves need no version
    unwrap(await ana.trips.moveItem(b.id, { after: a.id }));
    expect(unwrap(await ben.trips.get(trip.id)).items.map((i) => i.title)).toEqual(["Ribeira", "Lello"]);
    // bad input is refused before any request, or by the database with a stable code
    expectError(await ana.trips.addItem(day.id, { title: "x", start_time: "25:00" }), "invalid_input", 400);
    expectError(await ana.trips.update(trip.id, trip.version, { title: "   " }), "invalid_title", 400);
    expectError(await ben.trips.update(trip.id, 1, { visibility: "public" }), "not_trip_owner", 403);
    expectError(await ben.trips.createShareLink(trip.id), "not_trip_owner", 403);
  });

  it("share links open the trip for anon until revoked", async () => {
    const ana = withTrips((await signUp("ana")).client);
    const trip = unwrap(await ana.trips.create({ title: "Madeira" }));
    const link = unwrap(await ana.trips.createShareLink(trip.id));
    const visitor = withTrips(session().client);
    expect(unwrap(await visitor.trips.viewShared(link.token)).title).toBe("Madeira");
    expectError(await visitor.trips.get(trip.id), "trip_not_found", 404);
    const links = unwrap(await ana.trips.shareLinks(trip.id));
    expect(links.items.map((l) => [l.id, l.use_count])).toEqual([[link.id, 1]]);
    unwrap(await ana.trips.revokeShareLink(link.id));
    expectError(await visitor.trips.viewShared(link.token), "share_link_revoked", 401);
  });

  it("live: members see each other's changes and presence; outsiders are refused; a removed member is let go", async () => {
    const anaUser = await signUp("ana");
    const benUser = await signUp("ben");
    const cyUser = await signUp("cy");
    const ana = withTrips(anaUser.client);
    const ben = withTrips(benUser.client);
    const cy = withTrips(cyUser.client);
    const trip = unwrap(await ana.trips.create({ title: "Live trip" }));
    const invite = unwrap(await ana.trips.invite(trip.id, benUser.id, "editor"));
    unwrap(await ben.trips.acceptInvite(invite.id));
    const day = unwrap(await ana.trips.addDay(trip.id, {}));

    const anaSeen: string[] = [];
    const benSeen: string[] = [];
    let anaPresence: string[] = [];
    let removed = false;
    const anaLive = unwrap(
      await ana.trips.live(trip.id, {
        dayId: day.id,
        onChange: (c) => c.event === "item" && anaSeen.push(String(c.row?.title)),
        onPresence: (people) => {
          anaPresence = people.map((p) => `${p.userId}:${p.dayId}`).sort();
        },
      }),
    );
    unwrap(
      await ben.trips.live(trip.id, {
        onChange: (c) => c.event === "item" && benSeen.push(String(c.row?.title)),
        onRemoved: () => {
          removed = true;
        },
      }),
    );
    await until(() => anaPresence.length === 2);
    expect(anaPresence).toEqual([`${anaUser.id}:${day.id}`, `${benUser.id}:null`].sort());
    const refused = await cy.trips.live(trip.id);
    expect(refused.error?.code).toBe("realtime_error");
    expect(refused.error?.rawCode).toBe("Unauthorized");

    await Promise.all([
      ana.trips.addItem(day.id, { title: "from ana" }),
      ben.trips.addItem(day.id, { title: "from ben" }),
    ]);
    await until(() => anaSeen.length === 2 && benSeen.length === 2);
    expect(anaSeen.sort()).toEqual(["from ana", "from ben"]);
    expect(benSeen.sort()).toEqual(["from ana", "from ben"]);

    unwrap(await ana.trips.removeMember(trip.id, benUser.id));
    await until(() => removed);
    unwrap(await ana.trips.addItem(day.id, { title: "after" }));
    await until(() => anaSeen.includes("after"));
    expect(benSeen).not.toContain("after");
    await anaLive.unsubscribe();
  });
});
