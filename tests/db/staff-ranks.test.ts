/**
 * Staff act only on lower ranks, for content too: removing posts and comments, editing and
 * deleting announcements, and closing reports about someone. Owner > admin > moderator > member;
 * content of someone who is no longer an active member has no rank. Every pair is tried, so each
 * rule is checked from both sides.
 */
import { describe, expect, it } from "vitest";
import { type ClubCast, clubCast, comment, post, refused } from "../fixtures/club-cast.ts";
import { type TestDb, withDb } from "../helpers/db.ts";

const staff = ["owner", "admin", "moderator"] as const;
const authors = ["owner", "admin", "moderator", "member"] as const;
const rank: Record<string, number> = { owner: 4, admin: 3, moderator: 2, member: 1 };

function who(c: ClubCast, role: string): string {
  return (c as unknown as Record<string, string>)[role]!;
}

async function deletedBy(db: TestDb, table: "posts" | "comments", id: string): Promise<string | null> {
  await db.asSuperuser();
  const rows = await db.q.unsafe<{ deleted_by: string | null }[]>(
    `select deleted_by from social.${table} where id = $1`,
    [id],
  );
  return rows[0]!.deleted_by;
}

describe("staff act only on lower ranks, for content too", () => {
  it("staff remove posts of lower ranks only; their own and higher ranks' stay", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      for (const actor of staff) {
        for (const author of authors) {
          if (actor === author) continue;
          const p = await post(db, who(c, author), `${author}'s post`, { group: c.group });
          await db.as(who(c, actor));
          const label = `${actor} removes ${author}'s post`;
          if (rank[actor]! > rank[author]!) {
            await db.q`select social.moderate_post(${p}, 'test')`;
            expect(await deletedBy(db, "posts", p), label).toBe(who(c, actor));
          } else {
            expect(await refused(db, (tx) => tx`select social.delete_post(${p})`), label).toEqual([
              "42501",
              "insufficient_role",
            ]);
            expect(await deletedBy(db, "posts", p), label).toBeNull();
          }
        }
      }
    });
  });

  it("staff remove comments of lower ranks only", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      const p = await post(db, c.member2, "a thread", { group: c.group });
      for (const actor of staff) {
        for (const author of authors) {
          if (actor === author) continue;
          const id = await comment(db, who(c, author), p, `${author} says`);
          await db.as(who(c, actor));
          const label = `${actor} removes ${author}'s comment`;
          if (rank[actor]! > rank[author]!) {
            await db.q`select social.moderate_comment(${id}, 'test')`;
            expect(await deletedBy(db, "comments", id), label).toBe(who(c, actor));
          } else {
            expect(await refused(db, (tx) => tx`select social.delete_comment(${id})`), label).toEqual([
              "42501",
              "insufficient_role",
            ]);
            expect(await deletedBy(db, "comments", id), label).toBeNull();
          }
        }
      }
    });
  });

  it("content of someone who left has no rank: staff remove it", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      const p = await post(db, c.admin, "an old admin post", { group: c.group });
      await db.as(c.admin);
      await db.q`select social.leave_group(${c.group})`;
      await db.as(c.moderator);
      await db.q`select social.delete_post(${p})`;
      expect(await deletedBy(db, "posts", p)).toBe(c.moderator);
    });
  });

  it("a post's author still deletes comments on their own post, whoever wrote them", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      const p = await post(db, c.member, "my thread", { group: c.group });
      const id = await comment(db, c.owner, p, "owner's comment");
      await db.as(c.member);
      await db.q`select social.delete_comment(${id})`;
      expect(await deletedBy(db, "comments", id)).toBe(c.member);
    });
  });

  it("an announcement is edited by its author or a higher rank, never by an equal or lower one", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      await db.asSuperuser();
      await db.q`insert into social.group_members (group_id, user_id, role) values (${c.group}, ${c.stranger}, 'admin')`;
      const byOwner = await announce(db, c.owner, c.group, "Owner's plan");
      const byAdmin = await announce(db, c.admin, c.group, "Admin's plan");
      const cases: [string, string, string, number][] = [
        ["admin", c.admin, byOwner, 0],
        ["another admin", c.stranger, byAdmin, 0],
        ["moderator", c.moderator, byAdmin, 0],
        ["the author", c.admin, byAdmin, 1],
        ["owner", c.owner, byAdmin, 1],
      ];
      for (const [label, actor, id, expected] of cases) {
        await db.as(actor);
        const edit = await db.q`update social.announcements set body = ${`rewritten by ${label}`} where id = ${id}`;
        expect(edit.count, `${label} edits`).toBe(expected);
      }
      await db.asSuperuser();
      const [owners] = await db.q<{ body: string }[]>`select body from social.announcements where id = ${byOwner}`;
      expect(owners!.body).toBe("body");
    });
  });

  it("an announcement is deleted by its author or a higher rank, never by an equal or lower one", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      await db.asSuperuser();
      await db.q`insert into social.group_members (group_id, user_id, role) values (${c.group}, ${c.stranger}, 'admin')`;
      const byOwner = await announce(db, c.owner, c.group, "Owner's plan");
      const byAdmin = await announce(db, c.admin, c.group, "Admin's plan");
      const byAdmin2 = await announce(db, c.admin, c.group, "Admin's second plan");
      const cases: [string, string, string, number][] = [
        ["admin", c.admin, byOwner, 0],
        ["another admin", c.stranger, byAdmin, 0],
        ["owner", c.owner, byAdmin, 1],
        ["the author", c.admin, byAdmin2, 1],
      ];
      for (const [label, actor, id, expected] of cases) {
        await db.as(actor);
        expect((await db.q`delete from social.announcements where id = ${id}`).count, `${label} deletes`).toBe(
          expected,
        );
      }
    });
  });

  it("staff close reports about lower ranks only; higher ranks' cases go to higher staff or the platform", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      const byAdmin = await post(db, c.admin, "admin's hot take", { group: c.group });
      await db.as(c.member);
      const [r] = await db.q<{ id: string }[]>`select id from social.report('post', ${byAdmin}, 'other')`;
      await db.as(c.moderator);
      expect(await refused(db, (tx) => tx`select social.resolve_report(${r!.id}, 'dismissed')`)).toEqual([
        "42501",
        "insufficient_role",
      ]);
      expect(await refused(db, (tx) => tx`update social.reports set status = 'dismissed' where id = ${r!.id}`)).toEqual(
        ["42501", "insufficient_role"],
      );
      await db.as(c.owner);
      const [closed] = await db.q<{ status: string }[]>`
        select status::text from social.resolve_report(${r!.id}, 'dismissed')`;
      expect(closed!.status).toBe("dismissed");
    });
  });
});

async function announce(db: TestDb, author: string, group: string, title: string): Promise<string> {
  await db.as(author);
  const [row] = await db.q<{ id: string }[]>`select id from social.create_announcement(${group}, ${title}, 'body')`;
  return row!.id;
}
