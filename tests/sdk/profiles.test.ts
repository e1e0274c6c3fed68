/**
 * `client.profiles` against the live local API (@supabase/lite on the test database).
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { signUp, unwrap } from "../fixtures/sdk.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;

describe("profiles", () => {
  test("sign-up makes a profile with the requested handle and name; me() has card, details and settings", async () => {
    const ana = await signUp("ana");
    const me = unwrap(await ana.client.profiles.me());
    expect(me).toMatchObject({
      id: ana.id,
      handle: ana.handle,
      displayName: ana.displayName,
      avatarPath: null,
      visibility: "public",
      discoverable: true,
      leaderboardOptIn: false,
      followersCount: 0,
      followingCount: 0,
      details: { bio: null, city: null, interests: [], timezone: null },
      settings: {},
    });
    expect(me.createdAt).toMatch(ISO);
    expect(me.updatedAt).toMatch(ISO);
    expect(me.details.updatedAt).toMatch(ISO);
  });

  test("update splits the patch across card, details and settings and returns the merged profile", async () => {
    const ana = await signUp("ana");
    const newHandle = `ana_${randomUUID().slice(0, 8)}`;
    const updated = unwrap(
      await ana.client.profiles.update({
        handle: newHandle,
        displayName: "  Ana Silva  ",
        leaderboardOptIn: true,
        bio: "Runner and cook",
        city: "Lisbon",
        interests: ["running", "cooking"],
        timezone: "Europe/Lisbon",
        settings: { theme: "dark", notifications: { email: false } },
      }),
    );
    expect(updated).toMatchObject({
      id: ana.id,
      handle: newHandle,
      displayName: "Ana Silva",
      leaderboardOptIn: true,
      details: { bio: "Runner and cook", city: "Lisbon", interests: ["running", "cooking"], timezone: "Europe/Lisbon" },
      settings: { theme: "dark", notifications: { email: false } },
    });
    // the stored state, read back fresh
    expect(unwrap(await ana.client.profiles.me())).toEqual(updated);

    // a later patch touches only what it names; null clears; settings are replaced whole
    const cleared = unwrap(await ana.client.profiles.update({ city: null, settings: { theme: "light" } }));
    expect(cleared.details).toMatchObject({ bio: "Runner and cook", city: null, timezone: "Europe/Lisbon" });
    expect(cleared.settings).toEqual({ theme: "light" });
    expect(cleared.displayName).toBe("Ana Silva");
  });

  test("another user sees the card and public details, never the settings", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    unwrap(await ana.client.profiles.update({ bio: "hello", settings: { secret: true } }));
    const seen = unwrap(await ben.client.profiles.get(ana.id));
    expect(seen).toMatchObject({ id: ana.id, handle: ana.handle, details: { bio: "hello" } });
    expect(seen).not.toHaveProperty("settings");
    const { data: rows } = await ben.supabase
      .schema("social")
      .from("profile_settings")
      .select()
      .eq("profile_id", ana.id);
    expect(rows).toEqual([]);
  });

  test("get() finds a profile by handle, case-insensitively, or by id", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    expect(unwrap(await ben.client.profiles.get(ana.handle.toUpperCase())).id).toBe(ana.id);
    expect(unwrap(await ben.client.profiles.get(ana.id)).handle).toBe(ana.handle);
    const missing = await ben.client.profiles.get(`nobody_${randomUUID().slice(0, 8)}`);
    expect([missing.data, missing.error?.code, missing.error?.status]).toEqual([null, "profile_not_found", 404]);
  });

  test("a followers-only profile shows its card but hides its details until you follow", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    unwrap(await ana.client.profiles.update({ visibility: "followers", bio: "for followers" }));
    const before = unwrap(await ben.client.profiles.get(ana.handle));
    expect([before.displayName, before.visibility, before.details]).toEqual([ana.displayName, "followers", null]);

    unwrap(await ben.client.graph.follow(ana.id)); // followers-only: accepted at once
    expect(unwrap(await ben.client.profiles.get(ana.handle)).details?.bio).toBe("for followers");
  });

  test("a handle someone else has is a conflict, and nothing of that patch is written", async () => {
    const [ana, ben] = await Promise.all([signUp("ana"), signUp("ben")]);
    const { data, error } = await ben.client.profiles.update({ handle: ana.handle.toUpperCase(), bio: "never" });
    expect(data).toBeNull();
    expect([error?.code, error?.status, error?.rawCode]).toEqual(["conflict", 409, "23505"]);
    const me = unwrap(await ben.client.profiles.me());
    expect([me.handle, me.details.bio]).toEqual([ben.handle, null]);
  });

  test("an unknown time zone is refused by the server with invalid_timezone", async () => {
    const ana = await signUp("ana");
    const { error } = await ana.client.profiles.update({ timezone: "Mars/Olympus_Mons" });
    expect([error?.code, error?.status, error?.hint]).toEqual(["invalid_timezone", 400, "invalid_timezone"]);
    expect(unwrap(await ana.client.profiles.me()).details.timezone).toBeNull();
  });

  test("a bad handle is invalid_input and sends no request", async () => {
    const ana = await signUp("ana");
    const before = ana.restCalls.length;
    const { data, error } = await ana.client.profiles.update({ handle: "no spaces allowed" });
    expect(data).toBeNull();
    expect([error?.code, error?.status]).toEqual(["invalid_input", 400]);
    expect(error?.details).toEqual([expect.objectContaining({ path: ["patch", "handle"], code: "invalid_format" })]);
    expect(ana.restCalls.length).toBe(before);
    expect(unwrap(await ana.client.profiles.me()).handle).toBe(ana.handle);
  });

  test("search finds discoverable profiles by handle or name and leaves out the rest", async () => {
    const [ana, ben, hidden] = await Promise.all([signUp("srch"), signUp("srch"), signUp("srch")]);
    unwrap(await hidden.client.profiles.update({ discoverable: false }));
    const found = unwrap(await ben.client.profiles.search(ana.handle)).items;
    expect(found[0]?.id).toBe(ana.id);
    expect(found[0]?.createdAt).toMatch(ISO);
    expect(unwrap(await ben.client.profiles.search(hidden.handle)).items.map((p) => p.id)).not.toContain(hidden.id);
    const limited = unwrap(await ben.client.profiles.search("srch_", { limit: 1 }));
    expect(limited.items).toHaveLength(1);
    // the rest is on the next pages, for the same query
    expect(limited.nextCursor).not.toBeNull();
    const next = unwrap(await ben.client.profiles.search("srch_", { limit: 1, cursor: limited.nextCursor }));
    expect(next.items.map((p) => p.id)).not.toContain(limited.items[0]!.id);
  });

  test("search never returns someone across a block", async () => {
    const [ana, ben] = await Promise.all([signUp("blk"), signUp("blk")]);
    unwrap(await ana.client.graph.block(ben.id));
    expect(unwrap(await ben.client.profiles.search(ana.handle)).items.map((p) => p.id)).not.toContain(ana.id);
    expect(unwrap(await ana.client.profiles.search(ben.handle)).items.map((p) => p.id)).not.toContain(ben.id);
  });
});
