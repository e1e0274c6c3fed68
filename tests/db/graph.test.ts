import { describe, expect, it } from "vitest";
import { type TestDb, withDb } from "../helpers/db.ts";

async function counts(db: TestDb, id: string) {
  const [r] = await db.q`select followers_count, following_count from social.profiles where id = ${id}`;
  return r as { followers_count: number; following_count: number };
}

describe("follows", () => {
  it("following a public profile is accepted at once and counted on both sides", async () => {
    await withDb(async (db) => {
      const [a, b] = await db.createUsers(2);
      await db.as(a);
      const [f] = await db.q`select (social.follow(${b})).*`;
      expect(f!.status).toBe("accepted");
      expect(f!.accepted_at).not.toBeNull();
      expect(await counts(db, b)).toMatchObject({ followers_count: 1 });
      expect(await counts(db, a)).toMatchObject({ following_count: 1 });
    });
  });

  it("following again is idempotent", async () => {
    await withDb(async (db) => {
      const [a, b] = await db.createUsers(2);
      await db.as(a);
      await db.q`select social.follow(${b})`;
      await db.q`select social.follow(${b})`;
      expect(await counts(db, b)).toMatchObject({ followers_count: 1 });
    });
  });

  it("following a private profile makes a request that is not counted until accepted", async () => {
    await withDb(async (db) => {
      const a = await db.createUser();
      const b = await db.createUser({ visibility: "private" });
      await db.as(a);
      const [f] = await db.q`select (social.follow(${b})).status`;
      expect(f!.status).toBe("pending");
      expect(await counts(db, b)).toMatchObject({ followers_count: 0 });
      await db.as(b);
      const incoming =
        await db.q`select follower_id from social.follows where followee_id = ${b} and status = 'pending'`;
      expect(incoming.map((r) => r.follower_id)).toEqual([a]);
      await db.q`select social.accept_follow_request(${a})`;
      expect(await counts(db, b)).toMatchObject({ followers_count: 1 });
      expect(await counts(db, a)).toMatchObject({ following_count: 1 });
    });
  });

  it("a request can be declined by the followee or cancelled by the follower", async () => {
    await withDb(async (db) => {
      const [a, c] = await db.createUsers(2);
      const b = await db.createUser({ visibility: "private" });
      await db.as(a);
      await db.q`select social.follow(${b})`;
      await db.as(c);
      await db.q`select social.follow(${b})`;
      await db.as(b);
      await db.q`select social.decline_follow_request(${a})`;
      await db.as(c);
      expect((await db.q`select social.unfollow(${b}) as removed`)[0]!.removed).toBe(true);
      await db.asSuperuser();
      expect((await db.q`select 1 from social.follows where followee_id = ${b}`).length).toBe(0);
    });
  });

  it("accepting or declining a request that does not exist fails with follow_request_not_found", async () => {
    await withDb(async (db) => {
      const [a, b] = await db.createUsers(2);
      await db.as(b);
      const e1 = await db.error((tx) => tx`select social.accept_follow_request(${a})`);
      const e2 = await db.error((tx) => tx`select social.decline_follow_request(${a})`);
      expect([e1.hint, e2.hint]).toEqual(["follow_request_not_found", "follow_request_not_found"]);
      expect(e1.code).toBe("PT404");
    });
  });

  it("only the followee accepts a request; the requester cannot accept their own", async () => {
    await withDb(async (db) => {
      const a = await db.createUser();
      const b = await db.createUser({ visibility: "private" });
      await db.as(a);
      await db.q`select social.follow(${b})`;
      const r =
        await db.q`update social.follows set status = 'accepted' where follower_id = ${a} and followee_id = ${b}`;
      expect(r.count).toBe(0);
      await db.asSuperuser();
      expect((await db.q`select status from social.follows where follower_id = ${a}`)[0]!.status).toBe("pending");
    });
  });

  it("nobody can insert a follow on someone else's behalf or pick its status", async () => {
    await withDb(async (db) => {
      const [a, b, c] = await db.createUsers(3);
      await db.as(c);
      const e = await db.error((tx) => tx`insert into social.follows (follower_id, followee_id) values (${a}, ${b})`);
      expect(e.code).toBe("42501");
      const e2 = await db.error(
        (tx) => tx`insert into social.follows (follower_id, followee_id, status) values (${c}, ${b}, 'accepted')`,
      );
      expect(e2.code).toBe("42501");
      await db.asAnon();
      const e3 = await db.error((tx) => tx`select social.follow(${b})`);
      expect(e3.code).toBe("42501");
    });
  });

  it("a follower can be removed by the followee", async () => {
    await withDb(async (db) => {
      const [a, b] = await db.createUsers(2);
      await db.as(a);
      await db.q`select social.follow(${b})`;
      await db.as(b);
      expect((await db.q`select social.remove_follower(${a}) as removed`)[0]!.removed).toBe(true);
      expect(await counts(db, b)).toMatchObject({ followers_count: 0 });
      expect(await counts(db, a)).toMatchObject({ following_count: 0 });
    });
  });

  it("a user cannot follow themselves or a missing profile", async () => {
    await withDb(async (db) => {
      const a = await db.createUser();
      await db.as(a);
      expect((await db.error((tx) => tx`select social.follow(${a})`)).hint).toBe("invalid_target");
      const missing = await db.error((tx) => tx`select social.follow(gen_random_uuid())`);
      expect(missing.hint).toBe("profile_not_found");
    });
  });

  it("making a private profile public accepts its pending requests", async () => {
    await withDb(async (db) => {
      const a = await db.createUser();
      const b = await db.createUser({ visibility: "private" });
      await db.as(a);
      await db.q`select social.follow(${b})`;
      await db.as(b);
      await db.q`update social.profiles set visibility = 'public' where id = ${b}`;
      expect(await counts(db, b)).toMatchObject({ followers_count: 1 });
    });
  });

  it("follower lists of a private profile are hidden from strangers but not from its followers", async () => {
    await withDb(async (db) => {
      const [fan, stranger] = await db.createUsers(2);
      const star = await db.createUser({ visibility: "private" });
      await db.as(fan);
      await db.q`select social.follow(${star})`;
      await db.as(star);
      await db.q`select social.accept_follow_request(${fan})`;
      await db.as(stranger);
      expect((await db.q`select 1 from social.follows where followee_id = ${star}`).length).toBe(0);
      await db.as(fan);
      expect((await db.q`select 1 from social.follows where followee_id = ${star}`).length).toBe(1);
    });
  });
});

describe("blocks", () => {
  it("a block removes follows both ways and forbids new follows in either direction", async () => {
    await withDb(async (db) => {
      const [a, b] = await db.createUsers(2);
      await db.as(a);
      await db.q`select social.follow(${b})`;
      await db.as(b);
      await db.q`select social.follow(${a})`;
      await db.as(a);
      await db.q`select social.block(${b})`;
      await db.asSuperuser();
      expect(await counts(db, a)).toEqual({ followers_count: 0, following_count: 0 });
      expect(await counts(db, b)).toEqual({ followers_count: 0, following_count: 0 });
      await db.as(a);
      const e1 = await db.error((tx) => tx`select social.follow(${b})`);
      await db.as(b);
      const e2 = await db.error((tx) => tx`select social.follow(${a})`);
      expect([e1.hint, e2.hint]).toEqual(["blocked", "blocked"]);
      expect(e1.code).toBe("42501");
    });
  });

  it("only the blocker sees the block and can lift it", async () => {
    await withDb(async (db) => {
      const [a, b] = await db.createUsers(2);
      await db.as(a);
      await db.q`select social.block(${b})`;
      expect((await db.q`select blocked_id from social.blocks`).map((r) => r.blocked_id)).toEqual([b]);
      await db.as(b);
      expect((await db.q`select 1 from social.blocks where blocked_id = ${b}`).length).toBe(0);
      expect((await db.q`select social.unblock(${a}) as removed`)[0]!.removed).toBe(false);
      const del = await db.q`delete from social.blocks where blocker_id = ${a}`;
      expect(del.count).toBe(0);
      await db.as(a);
      expect((await db.q`select social.unblock(${b}) as removed`)[0]!.removed).toBe(true);
      await db.q`select social.follow(${b})`;
    });
  });

  it("a user cannot block on someone else's behalf", async () => {
    await withDb(async (db) => {
      const [a, b, c] = await db.createUsers(3);
      await db.as(c);
      const e = await db.error((tx) => tx`insert into social.blocks (blocker_id, blocked_id) values (${a}, ${b})`);
      expect(e.code).toBe("42501");
    });
  });
});

describe("mutes", () => {
  it("a mute is private to the muter and does not touch follows", async () => {
    await withDb(async (db) => {
      const [a, b] = await db.createUsers(2);
      await db.as(a);
      await db.q`select social.follow(${b})`;
      await db.q`select social.mute(${b})`;
      await db.q`select social.mute(${b})`;
      expect((await db.q`select muted_id from social.mutes`).map((r) => r.muted_id)).toEqual([b]);
      expect(await counts(db, a)).toMatchObject({ following_count: 1 });
      await db.as(b);
      expect((await db.q`select 1 from social.mutes where muted_id = ${b}`).length).toBe(0);
      // the muted user still sees the muter's profile: mutes hide from the muter's feed only
      expect((await db.q`select 1 from social.profiles where id = ${a}`).length).toBe(1);
      await db.as(a);
      expect((await db.q`select social.unmute(${b}) as removed`)[0]!.removed).toBe(true);
    });
  });

  it("a user cannot mute on someone else's behalf", async () => {
    await withDb(async (db) => {
      const [a, b, c] = await db.createUsers(3);
      await db.as(c);
      const e = await db.error((tx) => tx`insert into social.mutes (muter_id, muted_id) values (${a}, ${b})`);
      expect(e.code).toBe("42501");
    });
  });
});
