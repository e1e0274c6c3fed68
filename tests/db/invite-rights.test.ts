/**
 * Invites die with the inviter's right to invite: a link or an invite addressed to a user, made by
 * staff who are then demoted, banned, removed or leave (or by a trainer who hands the coaching
 * group over), lets nobody in, previews as not found, and its notification goes. Invites of staff
 * who still may invite keep working. A demoted moderator also loses the other staff powers at once.
 */
import { describe, expect, it } from "vitest";
import { type ClubCast, clubCast, inbox, refused } from "../fixtures/club-cast.ts";
import { type TestDb, withDb } from "../helpers/db.ts";

const losses = ["demoted", "banned", "removed", "left"] as const;

async function takeAway(db: TestDb, c: ClubCast, how: (typeof losses)[number]): Promise<void> {
  if (how === "left") {
    await db.as(c.moderator);
    await db.q`select social.leave_group(${c.group})`;
    return;
  }
  await db.as(c.owner);
  if (how === "demoted") await db.q`select social.set_group_member_role(${c.group}, ${c.moderator}, 'member')`;
  else if (how === "banned") await db.q`select social.ban_group_member(${c.group}, ${c.moderator})`;
  else await db.q`select social.remove_group_member(${c.group}, ${c.moderator})`;
}

async function link(db: TestDb, who: string, group: string): Promise<string> {
  await db.as(who);
  const [row] = await db.q<{ token: string }[]>`select token from social.create_group_invite_link(${group})`;
  return row!.token;
}

async function status(db: TestDb, group: string, user: string): Promise<string | null> {
  await db.asSuperuser();
  const [row] = await db.q<{ status: string }[]>`
    select status::text from social.group_members where group_id = ${group} and user_id = ${user}`;
  return row?.status ?? null;
}

describe("invites die with the inviter's right to invite", () => {
  it("a link made by a moderator who is then demoted, banned, removed or leaves lets nobody in; the owner's link does", async () => {
    for (const how of losses) {
      await withDb(async (db) => {
        const c = await clubCast(db, { kind: "club", visibility: "secret" });
        const dead = await link(db, c.moderator, c.group);
        const live = await link(db, c.owner, c.group);
        await takeAway(db, c, how);

        await db.as(c.stranger);
        expect(await refused(db, (tx) => tx`select social.preview_group_invite(${dead})`), `${how}: preview`).toEqual([
          "PT404",
          "invite_not_found",
        ]);
        const [code, hint] = await refused(db, (tx) => tx`select social.join_group_with_token(${dead})`);
        expect([code, hint], `${how}: join`).toEqual(["42501", "invite_revoked"]);
        expect(await status(db, c.group, c.stranger), `${how}: not let in`).toBeNull();

        await db.as(c.outsider);
        expect((await db.q`select * from social.preview_group_invite(${live})`).length).toBe(1);
        await db.q`select social.join_group_with_token(${live})`;
        expect(await status(db, c.group, c.outsider), `${how}: the owner's link`).toBe("active");
      });
    }
  });

  it("an invite addressed to a user by a moderator who loses the right cannot be accepted and its notification goes", async () => {
    for (const how of losses) {
      await withDb(async (db) => {
        const c = await clubCast(db, { kind: "club", visibility: "private" });
        await db.as(c.moderator);
        const [dead] = await db.q<{ id: string }[]>`select id from social.invite_to_group(${c.group}, ${c.stranger})`;
        await db.as(c.admin);
        const [live] = await db.q<{ id: string }[]>`select id from social.invite_to_group(${c.group}, ${c.outsider})`;
        expect((await inbox(db, c.stranger)).filter((n) => n.kind === "group_invite")).toHaveLength(1);
        await takeAway(db, c, how);

        expect(
          (await inbox(db, c.stranger)).filter((n) => n.kind === "group_invite"),
          `${how}: the invite's notification`,
        ).toEqual([]);
        await db.as(c.stranger);
        expect(await refused(db, (tx) => tx`select social.accept_group_invite(${dead!.id})`), how).toEqual([
          "42501",
          "invite_revoked",
        ]);
        // nor through join_group, which redeems an open invite addressed to the caller
        await db.q`select social.join_group(${c.group})`;
        expect(await status(db, c.group, c.stranger), `${how}: at most a pending request`).toBe("pending");

        await db.as(c.outsider);
        await db.q`select social.accept_group_invite(${live!.id})`;
        expect(await status(db, c.group, c.outsider), `${how}: the admin's invite`).toBe("active");
      });
    }
  });

  it("a trainer who hands over a coaching group leaves no working links; the new trainer's work", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db, { kind: "coaching", visibility: "secret" });
      const old = await link(db, c.owner, c.group);
      await db.as(c.owner);
      await db.q`select social.transfer_group_ownership(${c.group}, ${c.admin})`;
      const fresh = await link(db, c.admin, c.group);
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.join_group_with_token(${old})`)).toEqual([
        "42501",
        "invite_revoked",
      ]);
      await db.q`select social.join_group_with_token(${fresh})`;
      expect(await status(db, c.group, c.stranger)).toBe("active");
    });
  });

  it("staff see a dead link as revoked; the owner's stays open", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db, { kind: "club", visibility: "private" });
      await link(db, c.moderator, c.group);
      await link(db, c.owner, c.group);
      await takeAway(db, c, "demoted");
      await db.as(c.owner);
      const rows = await db.q<{ inviter_id: string; revoked: boolean }[]>`
        select inviter_id, revoked_at is not null as revoked from social.group_invites where group_id = ${c.group}`;
      expect(rows.find((r) => r.inviter_id === c.moderator)?.revoked).toBe(true);
      expect(rows.find((r) => r.inviter_id === c.owner)?.revoked).toBe(false);
    });
  });
});

describe("a demoted moderator loses the other staff powers at once", () => {
  it("cannot approve join requests, read the queue or the log; the remaining staff can", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db, { kind: "club", visibility: "private" });
      await db.as(c.stranger);
      await db.q`select social.join_group(${c.group})`;
      await db.as(c.owner);
      await db.q`select social.ban_group_member(${c.group}, ${c.lost})`;
      await db.q`select social.set_group_member_role(${c.group}, ${c.moderator}, 'member')`;

      await db.as(c.moderator);
      expect(await refused(db, (tx) => tx`select social.approve_join_request(${c.group}, ${c.stranger})`)).toEqual([
        "42501",
        "not_group_staff",
      ]);
      expect(await refused(db, (tx) => tx`select social.list_reports(${c.group})`)).toEqual([
        "42501",
        "not_group_staff",
      ]);
      expect(await refused(db, (tx) => tx`select social.list_moderation_log(${c.group})`)).toEqual([
        "42501",
        "not_group_staff",
      ]);
      expect(await db.q`select id from social.moderation_log where group_id = ${c.group}`).toEqual([]);
      expect(
        await db.q`select user_id from social.group_members where group_id = ${c.group} and status <> 'active'`,
      ).toEqual([]);

      await db.as(c.admin);
      expect((await db.q`select id from social.moderation_log where group_id = ${c.group}`).length).toBeGreaterThan(0);
      await db.q`select social.approve_join_request(${c.group}, ${c.stranger})`;
      expect(await status(db, c.group, c.stranger)).toBe("active");
    });
  });

  it("a user banned from a group previews none of its links; anyone else with the link does", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db, { kind: "club", visibility: "secret" });
      const token = await link(db, c.owner, c.group);
      await db.as(c.owner);
      await db.q`select social.ban_group_member(${c.group}, ${c.lost})`;
      await db.q`update social.groups set name = 'Renamed after the ban' where id = ${c.group}`;
      await db.as(c.lost);
      expect(await refused(db, (tx) => tx`select social.preview_group_invite(${token})`)).toEqual([
        "PT404",
        "invite_not_found",
      ]);
      expect(await refused(db, (tx) => tx`select social.join_group_with_token(${token})`)).toEqual(["42501", "banned"]);
      await db.as(c.stranger);
      const [seen] = await db.q<{ name: string }[]>`select name from social.preview_group_invite(${token})`;
      expect(seen!.name).toBe("Renamed after the ban");
    });
  });
});
