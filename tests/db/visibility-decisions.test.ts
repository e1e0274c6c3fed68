/**
 * Two decisions about who sees what, each tested from both sides:
 *   - an announcement's read count is for its author and the group's owner and admins (the people
 *     who announce); other members, moderators included, never get it: in a small coaching group
 *     a count would tell a trainee whether another trainee has read the trainer's note;
 *   - `discoverable = false` hides a profile from search only: the card is still found by id and
 *     handle, listed among followers, and can be followed and mentioned.
 */
import { describe, expect, it } from "vitest";
import { clubCast, follow, post } from "../fixtures/club-cast.ts";
import { withDb } from "../helpers/db.ts";

describe("an announcement's read count", () => {
  it("is for the author and the group's owner and admins; other members, moderators included, get none", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db, { kind: "coaching", visibility: "secret" });
      await db.as(c.admin);
      const [a] = await db.q<{ id: string }[]>`
        select id from social.create_announcement(${c.group}, 'Leg day', 'Squats 5x5')`;
      for (const who of [c.member, c.member2]) {
        await db.as(who);
        await db.q`select social.mark_announcement_read(${a!.id})`;
      }
      const seen = async (who: string) => {
        await db.as(who);
        const [home] = await db.q<{ read_count: number | null }[]>`
          select read_count from social.my_announcements() where id = ${a!.id}`;
        const stats = await db.q<{ read_count: number }[]>`
          select read_count from social.announcement_stats where announcement_id = ${a!.id}`;
        const [row] = await db.q<Record<string, unknown>[]>`select * from social.announcements where id = ${a!.id}`;
        return { home: home?.read_count ?? null, stats: stats.map((s) => s.read_count), column: row?.read_count };
      };
      for (const [label, who] of [
        ["author (admin)", c.admin],
        ["owner", c.owner],
      ] as const) {
        expect(await seen(who), label).toEqual({ home: 3, stats: [3], column: undefined });
      }
      for (const [label, who] of [
        ["moderator", c.moderator],
        ["member who read it", c.member],
        ["member who did not", c.lost],
      ] as const) {
        expect(await seen(who), label).toEqual({ home: null, stats: [], column: undefined });
      }
      // an author who is no longer an admin still sees the count of their own announcement
      await db.as(c.owner);
      await db.q`select social.set_group_member_role(${c.group}, ${c.admin}, 'member')`;
      expect((await seen(c.admin)).stats, "author demoted to member").toEqual([3]);
    });
  });

  it("stays out of clients' reach for writing", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      await db.as(c.owner);
      const [a] = await db.q<{ id: string }[]>`select id from social.create_announcement(${c.group}, 'Rest', '')`;
      const e = await db.error(
        (tx) => tx`update social.announcement_stats set read_count = 99 where announcement_id = ${a!.id}`,
      );
      expect(e.code).toBe("42501");
      const i = await db.error(
        (tx) => tx`insert into social.announcement_stats (announcement_id, read_count) values (${a!.id}, 5)`,
      );
      expect(i.code).toBe("42501");
    });
  });
});

describe("discoverable = false", () => {
  it("hides a profile from search, and from nothing else", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      const hidden = c.member;
      const shown = c.member2;
      const hiddenHandle = c.handles[hidden]!;
      await db.as(hidden);
      await db.q`update social.profiles set discoverable = false where id = ${hidden}`;

      await db.as(c.stranger);
      const search = async (q: string) =>
        (await db.q<{ id: string }[]>`select id from social.search_profiles(${q})`).map((r) => r.id);
      expect(await search(hiddenHandle), "search by the hidden handle").not.toContain(hidden);
      expect(await search(c.handles[shown]!), "search by a discoverable handle").toContain(shown);
      // the card itself is there by id and by handle
      expect((await db.q`select id from social.profiles where id = ${hidden}`).length).toBe(1);
      expect((await db.q`select id from social.profiles where handle = ${hiddenHandle}`).length).toBe(1);
      // it can be followed, listed among followers and mentioned
      await follow(db, c.stranger, hidden);
      await db.as(c.outsider);
      const followers = await db.q<{ follower_id: string }[]>`
        select follower_id from social.follows where followee_id = ${hidden} and status = 'accepted'`;
      expect(followers.map((f) => f.follower_id)).toEqual([c.stranger]);
      const p = await post(db, c.stranger, `thanks @${hiddenHandle}`);
      await db.asSuperuser();
      expect((await db.q`select 1 from social.mentions where post_id = ${p} and mentioned_id = ${hidden}`).length).toBe(
        1,
      );
      // the owner finds themselves nowhere in search either, but sees their own card
      await db.as(hidden);
      expect(
        (await db.q<{ id: string }[]>`select id from social.search_profiles(${hiddenHandle})`).map((r) => r.id),
      ).not.toContain(hidden);
    });
  });
});
