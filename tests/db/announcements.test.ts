/**
 * Announcements: owners and admins broadcast to a group's active members, who list them on a
 * home screen (pinned first, newest next, unexpired, keyset cursor) and mark them read; the
 * read_count follows the reads of current members.
 */
import { describe, expect, it } from "vitest";
import { groupCast } from "../fixtures/groups.ts";
import { createMedia } from "../fixtures/media.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";
import { asRole } from "../helpers/labels.ts";

interface HomeRow {
  id: string;
  group_id: string;
  group_name: string;
  group_avatar_path: string | null;
  group_member_count: number;
  author_id: string;
  title: string;
  body: string;
  pinned: boolean;
  expires_at: Date | null;
  read_count: number;
  created_at: Date;
  is_read: boolean;
  read_at: Date | null;
}

/** A coaching group with one user in each role and state (see `groupCast`), with a cover image. */
async function coachingCast(db: TestDb) {
  const c = await groupCast(db, { name: "Coached", kind: "coaching" });
  const cover = await createMedia(db, c.owner, { target: "group_cover" });
  await db.as(c.owner);
  await db.q`update social.groups set avatar_media_id = ${cover.id} where id = ${c.group}`;
  return { ...c, coverPath: cover.path };
}

async function announce(
  db: TestDb,
  as: string,
  group: string,
  title: string,
  opts: { pinned?: boolean; expiresAt?: string | null; ageMinutes?: number } = {},
): Promise<string> {
  await db.as(as);
  const [row] = await db.q<{ id: string }[]>`
    select id from social.create_announcement(${group}, ${title}, ${`body of ${title}`}, ${opts.pinned ?? false},
      ${opts.expiresAt ?? null})`;
  if (opts.ageMinutes !== undefined) {
    // one transaction has one now(): spread creation times explicitly
    await db.asSuperuser();
    await db.q`update social.announcements set created_at = now() - make_interval(mins => ${opts.ageMinutes})
               where id = ${row!.id}`;
  }
  return row!.id;
}

async function readCount(db: TestDb, id: string): Promise<{ stored: number; actual: number }> {
  await db.asSuperuser();
  const [row] = await db.q<{ stored: number; actual: number }[]>`
    select s.read_count as stored,
           (select count(*)::int from social.announcement_reads r where r.announcement_id = s.announcement_id) as actual
    from social.announcement_stats s where s.announcement_id = ${id}`;
  return row!;
}

async function home(db: TestDb, as: string, unreadOnly = false, limit = 20): Promise<HomeRow[]> {
  await db.as(as);
  return db.q<HomeRow[]>`select * from social.my_announcements(p_unread_only => ${unreadOnly}, p_limit => ${limit})`;
}

describe("posting announcements", () => {
  it("lets owners and admins post, with the author counted as a reader", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      for (const who of [c.owner, c.admin]) {
        await db.as(who);
        const [row] = await db.q`select * from social.create_announcement(${c.group}, '  Week plan ', 'Run 3x', true)`;
        expect(row, asRole(c, who)).toMatchObject({
          author_id: who,
          title: "Week plan",
          body: "Run 3x",
          pinned: true,
        });
        expect(await readCount(db, row!.id), asRole(c, who)).toEqual({ stored: 1, actual: 1 });
      }
      // a plain insert works too, under RLS
      await db.as(c.admin);
      const [direct] = await db.q<{ id: string }[]>`
        insert into social.announcements (group_id, title) values (${c.group}, 'Direct') returning id`;
      expect(await readCount(db, direct!.id)).toEqual({ stored: 1, actual: 1 });
    });
  });

  it("refuses moderators, members, requesters, banned users, strangers, other groups' owners and anon", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      for (const who of [c.moderator, c.member, c.pending, c.banned, c.stranger, c.other]) {
        await db.as(who);
        expect(
          await refused(db, (tx) => tx`select social.create_announcement(${c.group}, 'Hi')`),
          asRole(c, who),
        ).toEqual(["42501", "not_group_admin"]);
        expect(
          (
            await refused(db, (tx) => tx`insert into social.announcements (group_id, title) values (${c.group}, 'Hi')`)
          )[0],
          asRole(c, who),
        ).toBe("42501");
      }
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select social.create_announcement(${c.group}, 'Hi')`))[0]).toBe("42501");
      expect(
        (
          await refused(db, (tx) => tx`insert into social.announcements (group_id, title) values (${c.group}, 'Hi')`)
        )[0],
      ).toBe("42501");
      await db.asSuperuser();
      expect(await db.q`select id from social.announcements where group_id = ${c.group}`).toEqual([]);
    });
  });

  it("refuses posting in someone else's name", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      await db.as(c.admin);
      expect(
        (
          await refused(
            db,
            (tx) =>
              tx`insert into social.announcements (group_id, author_id, title) values (${c.group}, ${c.owner}, 'Fake')`,
          )
        )[0],
      ).toBe("42501");
    });
  });

  it("enforces title and body lengths and a future expiry", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      await db.as(c.owner);
      await db.q`select social.create_announcement(${c.group}, ${"t".repeat(200)}, ${"b".repeat(5000)})`;
      for (const [title, body] of [
        ["t".repeat(201), ""],
        ["   ", ""],
        ["ok", "b".repeat(5001)],
      ] as const) {
        expect(
          (await refused(db, (tx) => tx`select social.create_announcement(${c.group}, ${title}, ${body})`))[0],
        ).toBe("23514");
      }
      expect(
        await refused(
          db,
          (tx) => tx`select social.create_announcement(${c.group}, 'Old', '', false, now() - interval '1 hour')`,
        ),
      ).toEqual(["22023", "invalid_expiry"]);
    });
  });
});

describe("reading announcements", () => {
  it("shows a group's announcements to its active members only", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const id = await announce(db, c.owner, c.group, "Members only");
      const seen = async () => (await db.q`select id from social.announcements where id = ${id}`).length;
      for (const who of [c.owner, c.admin, c.moderator, c.member]) {
        await db.as(who);
        expect(await seen(), asRole(c, who)).toBe(1);
      }
      for (const who of [c.pending, c.banned, c.stranger, c.other]) {
        await db.as(who);
        expect(await seen(), asRole(c, who)).toBe(0);
      }
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select id from social.announcements`))[0]).toBe("42501");
    });
  });

  it("stops showing them to a member who leaves or is banned", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const id = await announce(db, c.owner, c.group, "Bye");
      await db.as(c.member);
      await db.q`select social.leave_group(${c.group})`;
      expect(await db.q`select id from social.announcements where id = ${id}`).toEqual([]);
      expect(await home(db, c.member)).toEqual([]);
      await db.as(c.admin);
      await db.q`select social.ban_group_member(${c.group}, ${c.moderator})`;
      await db.as(c.moderator);
      expect(await db.q`select id from social.announcements where id = ${id}`).toEqual([]);
    });
  });

  it("hides an author a block separates the reader from", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const id = await announce(db, c.admin, c.group, "From the admin");
      await db.as(c.member);
      await db.q`select social.block(${c.admin})`;
      expect(await db.q`select id from social.announcements where id = ${id}`).toEqual([]);
      expect((await home(db, c.member)).map((r) => r.id)).toEqual([]);
      await db.as(c.moderator);
      expect((await db.q`select id from social.announcements where id = ${id}`).length).toBe(1);
    });
  });
});

describe("the home screen list", () => {
  it("lists unexpired announcements of all my groups, pinned first then newest, with group summary", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      // the member also belongs to the other group
      await db.as(c.member);
      await db.q`select social.join_group(${c.otherGroup})`;
      const old = await announce(db, c.owner, c.group, "Old", { ageMinutes: 50 });
      const pinnedOld = await announce(db, c.admin, c.group, "Pinned old", { pinned: true, ageMinutes: 40 });
      const other = await announce(db, c.other, c.otherGroup, "Other news", { ageMinutes: 30 });
      const pinnedNew = await announce(db, c.owner, c.group, "Pinned new", { pinned: true, ageMinutes: 20 });
      const fresh = await announce(db, c.owner, c.group, "Fresh", {
        ageMinutes: 10,
        expiresAt: "2999-01-01T00:00:00Z",
      });
      const expired = await announce(db, c.owner, c.group, "Expired", { expiresAt: "2999-01-01T00:00:00Z" });
      await db.asSuperuser();
      await db.q`update social.announcements set expires_at = now() - interval '1 second' where id = ${expired}`;

      const rows = await home(db, c.member);
      expect(rows.map((r) => r.id)).toEqual([pinnedNew, pinnedOld, fresh, other, old]);
      expect(rows[0]).toMatchObject({
        group_id: c.group,
        group_name: "Coached",
        group_avatar_path: c.coverPath,
        group_member_count: 4,
        author_id: c.owner,
        title: "Pinned new",
        body: "body of Pinned new",
        is_read: false,
        read_at: null,
        // the read count is for the author and the group's owners and admins, not members
        read_count: null,
      });
      expect(rows.find((r) => r.id === other)).toMatchObject({ group_id: c.otherGroup, group_name: "Other group" });
      // the other group's owner sees only their group's
      expect((await home(db, c.other)).map((r) => r.id)).toEqual([other]);
      // strangers and requesters have an empty home screen
      for (const who of [c.stranger, c.pending, c.banned]) {
        expect(await home(db, who), asRole(c, who)).toEqual([]);
      }
    });
  });

  it("pages pinned first, then newest, with the server's cursor", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const expected: string[] = [];
      for (let i = 0; i < 3; i++)
        expected.push(await announce(db, c.owner, c.group, `Pinned ${i}`, { pinned: true, ageMinutes: 10 - i }));
      const plain: string[] = [];
      for (let i = 0; i < 4; i++)
        plain.push(await announce(db, c.owner, c.group, `Plain ${i}`, { ageMinutes: 100 - i }));
      expected.reverse();
      expected.push(...plain.reverse());

      await db.as(c.member);
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const rows: (HomeRow & { next_cursor: string | null })[] = await db.q<
          (HomeRow & { next_cursor: string | null })[]
        >`
          select * from social.my_announcements(p_limit => 2, p_cursor => ${cursor})`;
        seen.push(...rows.map((r) => r.id));
        // every row of a page carries the same next_cursor; null on the last page
        expect(new Set(rows.map((r) => r.next_cursor)).size).toBe(1);
        cursor = rows[0]!.next_cursor;
        if (cursor === null) break;
        expect(rows).toHaveLength(2);
      }
      expect(cursor).toBeNull();
      expect(seen).toEqual(expected);
    });
  });

  it("shows read state, and only unread ones on request", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const a = await announce(db, c.owner, c.group, "A", { ageMinutes: 2 });
      const b = await announce(db, c.owner, c.group, "B", { ageMinutes: 1 });
      await db.as(c.member);
      expect(await db.q`select social.mark_announcement_read(${a}) as marked`).toEqual([{ marked: true }]);
      const rows = await home(db, c.member);
      expect(rows.map((r) => [r.id, r.is_read])).toEqual([
        [b, false],
        [a, true],
      ]);
      expect(rows[1]!.read_at).not.toBeNull();
      expect((await home(db, c.member, true)).map((r) => r.id)).toEqual([b]);
      // the author has read their own
      expect((await home(db, c.owner, true)).map((r) => r.id)).toEqual([]);
    });
  });

  it("refuses anon", async () => {
    await withDb(async (db) => {
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select * from social.my_announcements()`))[0]).toBe("42501");
    });
  });
});

describe("marking announcements read", () => {
  it("counts each reader once, idempotently", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const id = await announce(db, c.owner, c.group, "Count me");
      for (const who of [c.admin, c.member, c.member]) {
        await db.as(who);
        await db.q`select social.mark_announcement_read(${id})`;
      }
      await db.as(c.member);
      expect(await db.q`select social.mark_announcement_read(${id}) as marked`).toEqual([{ marked: false }]);
      expect(await readCount(db, id)).toEqual({ stored: 3, actual: 3 });
    });
  });

  it("refuses marking what one cannot read", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const id = await announce(db, c.owner, c.group, "Private");
      for (const who of [c.pending, c.banned, c.stranger, c.other]) {
        await db.as(who);
        expect(await refused(db, (tx) => tx`select social.mark_announcement_read(${id})`), asRole(c, who)).toEqual([
          "PT404",
          "announcement_not_found",
        ]);
        expect(
          (
            await refused(
              db,
              (tx) => tx`insert into social.announcement_reads (announcement_id, user_id) values (${id}, ${who})`,
            )
          )[0],
          asRole(c, who),
        ).toBe("42501");
      }
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select social.mark_announcement_read(${id})`))[0]).toBe("42501");
      expect(await readCount(db, id)).toEqual({ stored: 1, actual: 1 });
    });
  });

  it("refuses marking for someone else", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const id = await announce(db, c.owner, c.group, "Mine");
      await db.as(c.admin);
      expect(
        (
          await refused(
            db,
            (tx) => tx`insert into social.announcement_reads (announcement_id, user_id) values (${id}, ${c.member})`,
          )
        )[0],
      ).toBe("42501");
    });
  });

  it("marks all unexpired announcements of one group or of all my groups", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      await db.as(c.member);
      await db.q`select social.join_group(${c.otherGroup})`;
      const a1 = await announce(db, c.owner, c.group, "A1");
      const a2 = await announce(db, c.admin, c.group, "A2");
      const o1 = await announce(db, c.other, c.otherGroup, "O1");
      const o2 = await announce(db, c.other, c.otherGroup, "O2");
      await db.as(c.other);
      // not the member's group: a third group they do not belong to
      const [third] = await db.q<{ id: string }[]>`select id from social.create_group('Third')`;
      const t1 = await announce(db, c.other, third!.id, "T1");

      await db.as(c.member);
      expect(await db.q`select social.mark_all_announcements_read(${c.group}) as n`).toEqual([{ n: 2 }]);
      expect(await db.q`select social.mark_all_announcements_read(${c.group}) as n`).toEqual([{ n: 0 }]);
      expect(await db.q`select social.mark_all_announcements_read() as n`).toEqual([{ n: 2 }]);
      expect(await db.q`select social.mark_all_announcements_read(${third!.id}) as n`).toEqual([{ n: 0 }]);
      for (const id of [a1, a2, o1, o2]) expect(await readCount(db, id)).toEqual({ stored: 2, actual: 2 });
      expect(await readCount(db, t1)).toEqual({ stored: 1, actual: 1 });
      expect(await home(db, c.member, true)).toEqual([]);
    });
  });

  it("shows each user only their own read marks", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const id = await announce(db, c.owner, c.group, "Seen");
      await db.as(c.member);
      await db.q`select social.mark_announcement_read(${id})`;
      expect(await db.q`select user_id from social.announcement_reads where announcement_id = ${id}`).toEqual([
        { user_id: c.member },
      ]);
      for (const who of [c.admin, c.stranger]) {
        await db.as(who);
        expect(
          await db.q`select user_id from social.announcement_reads where announcement_id = ${id}`,
          asRole(c, who),
        ).toEqual([]);
      }
      await db.as(c.owner);
      expect(await db.q`select user_id from social.announcement_reads where announcement_id = ${id}`).toEqual([
        { user_id: c.owner },
      ]);
      // read marks are not edited or deleted by clients
      await db.as(c.member);
      expect(
        (await refused(db, (tx) => tx`delete from social.announcement_reads where announcement_id = ${id}`))[0],
      ).toBe("42501");
      expect(
        (
          await refused(
            db,
            (tx) => tx`update social.announcement_reads set read_at = now() where announcement_id = ${id}`,
          )
        )[0],
      ).toBe("42501");
    });
  });

  it("drops a member's reads when they leave or are banned, so read_count counts current members", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const id = await announce(db, c.owner, c.group, "Who is here");
      for (const who of [c.admin, c.moderator, c.member]) {
        await db.as(who);
        await db.q`select social.mark_announcement_read(${id})`;
      }
      expect(await readCount(db, id)).toEqual({ stored: 4, actual: 4 });
      await db.as(c.member);
      await db.q`select social.leave_group(${c.group})`;
      expect(await readCount(db, id)).toEqual({ stored: 3, actual: 3 });
      await db.as(c.admin);
      await db.q`select social.ban_group_member(${c.group}, ${c.moderator})`;
      expect(await readCount(db, id)).toEqual({ stored: 2, actual: 2 });
      // the author/admins see read_count next to the member count
      await db.as(c.admin);
      const [row] = await db.q`
        select s.read_count, g.member_count from social.announcement_stats s
        join social.groups g on g.id = s.group_id where s.announcement_id = ${id}`;
      expect(row).toEqual({ read_count: 2, member_count: 2 });
    });
  });
});

describe("editing and deleting announcements", () => {
  it("lets the author and the group's owner and admins edit, and nobody else", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const id = await announce(db, c.admin, c.group, "Draft");
      for (const who of [c.admin, c.owner]) {
        await db.as(who);
        expect(
          (await db.q`update social.announcements set body = ${`edited by ${who}`} where id = ${id}`).count,
          asRole(c, who),
        ).toBe(1);
      }
      for (const who of [c.moderator, c.member, c.pending, c.banned, c.stranger, c.other]) {
        await db.as(who);
        expect(
          (await db.q`update social.announcements set title = 'Hijacked' where id = ${id}`).count,
          asRole(c, who),
        ).toBe(0);
      }
      await db.asAnon();
      expect((await refused(db, (tx) => tx`update social.announcements set title = 'x' where id = ${id}`))[0]).toBe(
        "42501",
      );
      await db.asSuperuser();
      expect(await db.q`select title, body from social.announcements where id = ${id}`).toEqual([
        { title: "Draft", body: `edited by ${c.owner}` },
      ]);
    });
  });

  it("lets the author edit after losing admin; an admin never edits the owner's announcement", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const id = await announce(db, c.owner, c.group, "By owner");
      await db.as(c.admin);
      // staff act only on lower ranks (issue 6): an admin does not rewrite the owner's
      expect((await db.q`update social.announcements set pinned = true where id = ${id}`).count).toBe(0);
      const mine = await announce(db, c.admin, c.group, "By admin");
      await db.as(c.owner);
      await db.q`select social.set_group_member_role(${c.group}, ${c.admin}, 'member')`;
      await db.as(c.admin);
      expect((await db.q`update social.announcements set title = 'Still mine' where id = ${mine}`).count).toBe(1);
      expect((await db.q`update social.announcements set title = 'Not mine' where id = ${id}`).count).toBe(0);
      // an author who left cannot
      await db.q`select social.leave_group(${c.group})`;
      expect((await db.q`update social.announcements set title = 'Gone' where id = ${mine}`).count).toBe(0);
    });
  });

  it("keeps group, author and read_count out of clients' reach", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const id = await announce(db, c.owner, c.group, "Fixed");
      await db.as(c.owner);
      for (const set of [`group_id = '${c.otherGroup}'`, `author_id = '${c.admin}'`, "created_at = now()"]) {
        expect(
          (await refused(db, (tx) => tx.unsafe(`update social.announcements set ${set} where id = $1`, [id])))[0],
        ).toBe("42501");
      }
      // the read count lives in social.announcement_stats, written by triggers only
      expect(
        (
          await refused(
            db,
            (tx) => tx`update social.announcement_stats set read_count = 99 where announcement_id = ${id}`,
          )
        )[0],
      ).toBe("42501");
    });
  });

  it("lets the author and the group's owner and admins of a higher rank delete, and nobody else", async () => {
    await withDb(async (db) => {
      const c = await coachingCast(db);
      const byOwner = await announce(db, c.owner, c.group, "Owner's");
      const byAdmin = await announce(db, c.admin, c.group, "Admin's");
      for (const who of [c.moderator, c.member, c.pending, c.banned, c.stranger, c.other]) {
        await db.as(who);
        expect(
          (await db.q`delete from social.announcements where id in (${byOwner}, ${byAdmin})`).count,
          asRole(c, who),
        ).toBe(0);
      }
      await db.asAnon();
      expect((await refused(db, (tx) => tx`delete from social.announcements where id = ${byOwner}`))[0]).toBe("42501");
      // staff act only on lower ranks (issue 6): an admin does not delete the owner's
      await db.as(c.admin);
      expect((await db.q`delete from social.announcements where id = ${byOwner}`).count).toBe(0);
      await db.as(c.owner);
      expect((await db.q`delete from social.announcements where id = ${byOwner}`).count).toBe(1);
      await db.as(c.admin);
      expect((await db.q`delete from social.announcements where id = ${byAdmin}`).count).toBe(1);
      await db.asSuperuser();
      expect(
        await db.q`select * from social.announcement_reads where announcement_id in (${byOwner}, ${byAdmin})`,
      ).toEqual([]);
    });
  });
});
