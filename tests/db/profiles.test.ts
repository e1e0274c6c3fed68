import { describe, expect, it } from "vitest";
import { withDb } from "../helpers/db.ts";
import { asRole } from "../helpers/labels.ts";

describe("profile creation on sign-up", () => {
  it("a new auth user gets a profile, details and settings, named from the sign-up metadata", async () => {
    await withDb(async (db) => {
      const id = await db.createUser({ handle: "Maria_Lx", displayName: "Maria Silva" });
      const [p] = await db.q`select handle::text, display_name, visibility from social.profiles where id = ${id}`;
      expect(p).toEqual({ handle: "Maria_Lx", display_name: "Maria Silva", visibility: "public" });
      const [{ n }] = await db.q`
        select (select count(*) from social.profile_details where profile_id = ${id})
             + (select count(*) from social.profile_settings where profile_id = ${id}) as n`;
      expect(Number(n)).toBe(2);
    });
  });

  it("a taken or invalid handle is replaced by a unique one made from it", async () => {
    await withDb(async (db) => {
      const a = await db.createUser({ handle: "runner" });
      const b = await db.createUser({ handle: "runner" });
      const c = await db.createUser({ handle: "no spaces!" });
      const rows = await db.q`select id, handle::text from social.profiles where id in (${a}, ${b}, ${c})`;
      const byId = Object.fromEntries(rows.map((r) => [r.id, r.handle]));
      expect(byId[a]).toBe("runner");
      expect(byId[b]).toMatch(/^runner_\d+$/);
      expect(byId[c]).toMatch(/^[a-z0-9_]{3,30}$/);
    });
  });

  it("a handle taken in another case counts as taken: the new user gets a generated one", async () => {
    await withDb(async (db) => {
      const a = await db.createUser({ handle: "CaseRunner" });
      const b = await db.createUser({ handle: "caserunner" });
      const rows = await db.q`select id, handle::text from social.profiles where id in (${a}, ${b})`;
      const byId = Object.fromEntries(rows.map((r) => [r.id, r.handle]));
      expect(byId[a]).toBe("CaseRunner");
      expect(byId[b]).toMatch(/^caserunner_\d+$/);
    });
  });

  it("without metadata the handle and name come from the e-mail", async () => {
    await withDb(async (db) => {
      const id = await db.createUser({ email: `lisbon.walker.${Date.now()}@example.com` });
      const [p] = await db.q`select handle::text, display_name from social.profiles where id = ${id}`;
      expect(p!.display_name).toMatch(/^lisbon\.walker\./);
      expect(p!.handle).toMatch(/^lisbonwalker/);
    });
  });

  it("metadata stored as a JSON string inside jsonb (as @supabase/lite does) is understood", async () => {
    await withDb(async (db) => {
      const id = crypto.randomUUID();
      await db.q`
        insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data)
        values (${id}, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
                ${`${id}@test.local`}, to_jsonb(${JSON.stringify({ handle: "stringmeta", display_name: "S M" })}::text))`;
      const [p] = await db.q`select handle::text, display_name from social.profiles where id = ${id}`;
      expect(p).toEqual({ handle: "stringmeta", display_name: "S M" });
    });
  });

  it("deleting the auth user deletes the profile", async () => {
    await withDb(async (db) => {
      const id = await db.createUser();
      await db.q`delete from auth.users where id = ${id}`;
      const rows = await db.q`select 1 from social.profiles where id = ${id}`;
      expect(rows.length).toBe(0);
    });
  });
});

describe("editing a profile", () => {
  it("a user edits their own card, details and settings", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      const r1 =
        await db.q`update social.profiles set display_name = 'New Name', visibility = 'private' where id = ${me}`;
      const r2 = await db.q`update social.profile_details set bio = 'hello', city = 'Porto', interests = '{running}',
        timezone = 'Europe/Lisbon' where profile_id = ${me}`;
      const r3 =
        await db.q`update social.profile_settings set settings = '{"units":"metric"}' where profile_id = ${me}`;
      expect([r1.count, r2.count, r3.count]).toEqual([1, 1, 1]);
      const [d] =
        await db.q`select bio, city, interests, timezone from social.profile_details where profile_id = ${me}`;
      expect(d).toEqual({ bio: "hello", city: "Porto", interests: ["running"], timezone: "Europe/Lisbon" });
    });
  });

  it("update_my_profile changes card, details and settings together, or nothing on error", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      await db.q`select social.update_my_profile(${db.q.json({
        display_name: "Ana P",
        visibility: "followers",
        bio: "coach",
        interests: ["yoga", "run"],
        settings: { units: "metric" },
      })})`;
      const [r] = await db.q`select p.display_name, p.visibility, d.bio, d.interests, s.settings
        from social.profiles p join social.profile_details d on d.profile_id = p.id
        join social.profile_settings s on s.profile_id = p.id where p.id = ${me}`;
      expect(r).toEqual({
        display_name: "Ana P",
        visibility: "followers",
        bio: "coach",
        interests: ["yoga", "run"],
        settings: { units: "metric" },
      });
      // a bad time zone in the same patch leaves the new display name unwritten
      const e = await db.error(
        (tx) => tx`select social.update_my_profile(${tx.json({ display_name: "Changed", timezone: "Nowhere/Else" })})`,
      );
      expect(e.hint).toBe("invalid_timezone");
      const [after] = await db.q`select display_name from social.profiles where id = ${me}`;
      expect(after!.display_name).toBe("Ana P");
      const unknown = await db.error((tx) => tx`select social.update_my_profile(${tx.json({ followers_count: 5 })})`);
      expect(unknown.hint).toBe("invalid_field");
      await db.asAnon();
      const anon = await db.error((tx) => tx`select social.update_my_profile(${tx.json({ bio: "x" })})`);
      expect(anon.code).toBe("42501");
    });
  });

  it("nobody edits someone else's profile, details or settings", async () => {
    await withDb(async (db) => {
      const [owner, other] = await db.createUsers(2);
      await db.as(other);
      const r1 = await db.q`update social.profiles set display_name = 'hacked' where id = ${owner}`;
      const r2 = await db.q`update social.profile_details set bio = 'hacked' where profile_id = ${owner}`;
      const r3 = await db.q`update social.profile_settings set settings = '{}' where profile_id = ${owner}`;
      expect([r1.count, r2.count, r3.count]).toEqual([0, 0, 0]);
      await db.asAnon();
      const e = await db.error((tx) => tx`update social.profiles set display_name = 'hacked' where id = ${owner}`);
      expect(e.code).toBe("42501");
    });
  });

  it("counters and ids cannot be written by the user", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      const e = await db.error((tx) => tx`update social.profiles set followers_count = 1000000 where id = ${me}`);
      expect(e.code).toBe("42501");
      const e2 = await db.error(
        (tx) => tx`insert into social.profiles (id, handle, display_name) values
        (gen_random_uuid(), 'fakeuser', 'Fake')`,
      );
      expect(e2.code).toBe("42501");
    });
  });

  it("handles must be 3-30 letters, digits or underscores and unique regardless of case", async () => {
    await withDb(async (db) => {
      const [a, b] = await db.createUsers(2);
      await db.as(a);
      await db.q`update social.profiles set handle = 'TakenHandle' where id = ${a}`;
      await db.as(b);
      const dup = await db.error((tx) => tx`update social.profiles set handle = 'takenhandle' where id = ${b}`);
      expect(dup.code).toBe("23505");
      const bad = await db.error((tx) => tx`update social.profiles set handle = 'no' where id = ${b}`);
      expect(bad.code).toBe("23514");
      expect(bad.constraint_name).toBe("profiles_handle_format");
    });
  });

  it("an unknown time zone is refused with invalid_timezone", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      const e = await db.error(
        (tx) => tx`update social.profile_details set timezone = 'Mars/Olympus' where profile_id = ${me}`,
      );
      expect(e.hint).toBe("invalid_timezone");
      expect(e.code).toBe("22023");
    });
  });
});

describe("who sees a profile", () => {
  it("a public profile's card and details are visible to signed-in users and anon", async () => {
    await withDb(async (db) => {
      const [owner, viewer] = await db.createUsers(2);
      await db.q`update social.profile_details set bio = 'public bio' where profile_id = ${owner}`;
      await db.as(viewer);
      expect((await db.q`select bio from social.profile_details where profile_id = ${owner}`)[0]?.bio).toBe(
        "public bio",
      );
      await db.asAnon();
      expect((await db.q`select id from social.profiles where id = ${owner}`).length).toBe(1);
      expect((await db.q`select bio from social.profile_details where profile_id = ${owner}`)[0]?.bio).toBe(
        "public bio",
      );
    });
  });

  it("a private profile's details are visible only to its owner and approved followers", async () => {
    await withDb(async (db) => {
      const [owner, follower, requester, stranger] = await db.createUsers(4);
      await db.q`update social.profiles set visibility = 'private' where id = ${owner}`;
      await db.q`update social.profile_details set bio = 'secret' where profile_id = ${owner}`;
      await db.as(follower);
      await db.q`select social.follow(${owner})`;
      await db.as(requester);
      await db.q`select social.follow(${owner})`;
      await db.as(owner);
      await db.q`select social.accept_follow_request(${follower})`;
      expect((await db.q`select bio from social.profile_details where profile_id = ${owner}`).length).toBe(1);

      await db.as(follower);
      expect((await db.q`select bio from social.profile_details where profile_id = ${owner}`).length).toBe(1);
      for (const who of [requester, stranger]) {
        await db.as(who);
        expect(
          (await db.q`select bio from social.profile_details where profile_id = ${owner}`).length,
          asRole({ requester, stranger }, who),
        ).toBe(0);
        // the card stays visible so the profile can be found and followed
        expect(
          (await db.q`select id from social.profiles where id = ${owner}`).length,
          asRole({ requester, stranger }, who),
        ).toBe(1);
      }
      await db.asAnon();
      expect((await db.q`select id from social.profiles where id = ${owner}`).length).toBe(0);
      expect((await db.q`select bio from social.profile_details where profile_id = ${owner}`).length).toBe(0);
    });
  });

  it("a followers-only profile shows details to followers, whom it accepts at once", async () => {
    await withDb(async (db) => {
      const [owner, follower, stranger] = await db.createUsers(3);
      await db.q`update social.profiles set visibility = 'followers' where id = ${owner}`;
      await db.as(follower);
      const [f] = await db.q`select (social.follow(${owner})).status`;
      expect(f!.status).toBe("accepted");
      expect((await db.q`select 1 from social.profile_details where profile_id = ${owner}`).length).toBe(1);
      await db.as(stranger);
      expect((await db.q`select 1 from social.profile_details where profile_id = ${owner}`).length).toBe(0);
    });
  });

  it("settings are visible to their owner only", async () => {
    await withDb(async (db) => {
      const [owner, other] = await db.createUsers(2);
      await db.as(owner);
      expect((await db.q`select 1 from social.profile_settings where profile_id = ${owner}`).length).toBe(1);
      await db.as(other);
      expect((await db.q`select 1 from social.profile_settings where profile_id = ${owner}`).length).toBe(0);
      await db.asAnon();
      const e = await db.error((tx) => tx`select 1 from social.profile_settings`);
      expect(e.code).toBe("42501");
    });
  });

  it("blocked users see nothing of each other, in both directions", async () => {
    await withDb(async (db) => {
      const [blocker, blocked] = await db.createUsers(2);
      await db.as(blocker);
      await db.q`select social.block(${blocked})`;
      // the blocker still sees the blocked user's card (to unblock), the blocked user sees nothing
      await db.as(blocked);
      expect((await db.q`select 1 from social.profiles where id = ${blocker}`).length).toBe(0);
      expect((await db.q`select 1 from social.profile_details where profile_id = ${blocker}`).length).toBe(0);
      await db.as(blocker);
      expect((await db.q`select 1 from social.profiles where id = ${blocked}`).length).toBe(0);
      expect((await db.q`select 1 from social.profile_details where profile_id = ${blocked}`).length).toBe(0);
    });
  });

  it("search finds discoverable profiles by handle or name, never across a block", async () => {
    await withDb(async (db) => {
      const tag = `zq${Date.now().toString(36)}`;
      const [found, hidden, blocker, me] = await db.createUsers(4);
      await db.q`update social.profiles set handle = ${`${tag}_found`} where id = ${found}`;
      await db.q`update social.profiles set handle = ${`${tag}_hidden`}, discoverable = false where id = ${hidden}`;
      await db.q`update social.profiles set handle = ${`${tag}_blocker`} where id = ${blocker}`;
      await db.as(blocker);
      await db.q`select social.block(${me})`;
      await db.as(me);
      const rows = await db.q`select id from social.search_profiles(${tag}, p_limit => 10)`;
      expect(rows.map((r) => r.id)).toEqual([found]);
    });
  });
});
