/**
 * `client.announcements` against the live local API: posting as staff, the home screen with
 * read state, read counts, paging pinned-first, edits and deletes, each from both sides.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  type Announcement,
  AnnouncementCreateSchema,
  AnnouncementUpdateSchema,
  type Page,
} from "../../client-sdk/src/index.ts";
import { expectError, session, signUp, type TestUser, uniqueName, unwrap } from "../fixtures/sdk.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;

/** A club with an owner, an admin and members, all active. */
async function clubWith(members: number) {
  const owner = await signUp("owner");
  const group = unwrap(await owner.client.groups.create({ name: uniqueName("Club"), kind: "club" }));
  const users: TestUser[] = [];
  for (let i = 0; i < members; i++) {
    const user = await signUp(`m${i}`);
    unwrap(await user.client.groups.join(group.id));
    users.push(user);
  }
  return { owner, group, users };
}

describe("announcements: schemas", () => {
  test("AnnouncementCreateSchema trims the title, limits the body and wants a future expiry", () => {
    expect(AnnouncementCreateSchema.parse({ title: "  Rest day " })).toEqual({ title: "Rest day" });
    expect(AnnouncementCreateSchema.safeParse({ title: "   " }).success).toBe(false);
    expect(AnnouncementCreateSchema.safeParse({ title: "t", body: "x".repeat(5001) }).success).toBe(false);
    expect(AnnouncementCreateSchema.safeParse({ title: "t", expiresAt: new Date(Date.now() - 1000) }).success).toBe(
      false,
    );
    const tomorrow = new Date(Date.now() + 86_400_000);
    expect(AnnouncementCreateSchema.parse({ title: "t", expiresAt: tomorrow }).expiresAt).toBe(tomorrow.toISOString());
  });

  test("AnnouncementUpdateSchema takes null to clear the expiry and refuses an empty patch", () => {
    expect(AnnouncementUpdateSchema.parse({ expiresAt: null })).toEqual({ expiresAt: null });
    expect(AnnouncementUpdateSchema.safeParse({}).success).toBe(false);
    expect(AnnouncementUpdateSchema.safeParse({ readCount: 5 }).success).toBe(false);
  });

  test("junk is refused before any request", async () => {
    const { client, restCalls } = session();
    expectError(await client.announcements.list(randomUUID(), { cursor: "not a cursor" }), "invalid_input", 400);
    expectError(await client.announcements.mine({ cursor: "short" }), "invalid_input", 400);
    expectError(await client.announcements.create("x", { title: "t" }), "invalid_input", 400);
    expect(restCalls).toEqual([]);
  });
});

describe("announcements", () => {
  test("staff post, members read on their home screen, marking read moves the read count", async () => {
    const { owner, group, users } = await clubWith(2);
    const [ana, ben] = users as [TestUser, TestUser];
    const created = unwrap(
      await owner.client.announcements.create(group.id, { title: "Long run Saturday", body: "18 km easy" }),
    );
    expect(created).toMatchObject({ groupId: group.id, authorId: owner.id, readCount: 1, isRead: true, pinned: false });
    expect(created.createdAt).toMatch(ISO);

    const unread = unwrap(await ana.client.announcements.mine({ unreadOnly: true }));
    expect(unread.items.map((a) => [a.id, a.isRead, a.group.name])).toEqual([[created.id, false, group.name]]);
    expect(unwrap(await ana.client.announcements.markRead(created.id))).toBe(true);
    expect(unwrap(await ana.client.announcements.markRead(created.id))).toBe(false);
    expect(unwrap(await ana.client.announcements.mine({ unreadOnly: true })).items).toEqual([]);
    const all = unwrap(await ana.client.announcements.mine());
    expect(all.items.map((a) => [a.id, a.isRead])).toEqual([[created.id, true]]);
    expect(all.items[0]?.readAt).toMatch(ISO);

    const seen = unwrap(await owner.client.announcements.get(created.id));
    expect(seen.readCount).toBe(2);
    // the read count is for the author and the group's owners and admins: a member gets null
    expect(unwrap(await ben.client.announcements.get(created.id))).toMatchObject({ isRead: false, readCount: null });
    expect(unwrap(await ben.client.announcements.markAllRead({ groupId: group.id }))).toBe(1);
    expect(unwrap(await owner.client.announcements.list(group.id)).items[0]?.readCount).toBe(3);
  });

  test("a member cannot announce and a stranger sees nothing of a group's announcements", async () => {
    const { owner, group, users } = await clubWith(1);
    const stranger = await signUp("stranger");
    expectError(await users[0]!.client.announcements.create(group.id, { title: "Me too" }), "not_group_admin", 403);
    const a = unwrap(await owner.client.announcements.create(group.id, { title: "Members only" }));
    expectError(await stranger.client.announcements.get(a.id), "announcement_not_found", 404);
    expect(unwrap(await stranger.client.announcements.list(group.id)).items).toEqual([]);
    expect(unwrap(await stranger.client.announcements.mine()).items).toEqual([]);
  });

  test("lists are pinned first, then newest, and page without gaps or repeats", async () => {
    const { owner, group, users } = await clubWith(1);
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      made.push(unwrap(await owner.client.announcements.create(group.id, { title: `#${i}`, pinned: i === 1 })).id);
    }
    const expected = [made[1], made[3], made[2], made[0]];
    for (const list of [
      (cursor: string | null) => users[0]!.client.announcements.list(group.id, { limit: 1, cursor }),
      (cursor: string | null) => users[0]!.client.announcements.mine({ limit: 1, cursor }),
    ]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<Announcement> = unwrap(await list(cursor));
        seen.push(...page.items.map((a) => a.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(expected);
    }
  });

  test("the author edits and deletes; another member may not", async () => {
    const { owner, group, users } = await clubWith(1);
    const a = unwrap(await owner.client.announcements.create(group.id, { title: "Draft" }));
    expectError(await users[0]!.client.announcements.update(a.id, { title: "Hacked" }), "not_allowed", 403);
    expectError(await users[0]!.client.announcements.delete(a.id), "not_allowed", 403);
    const edited = unwrap(await owner.client.announcements.update(a.id, { title: "Final", pinned: true }));
    expect(edited).toMatchObject({ title: "Final", pinned: true });
    expect(unwrap(await users[0]!.client.announcements.get(a.id)).title).toBe("Final");
    expect(unwrap(await owner.client.announcements.delete(a.id))).toBeNull();
    expectError(await users[0]!.client.announcements.get(a.id), "announcement_not_found", 404);
  });

  test("an expired announcement leaves the home screen but stays in the group's list", async () => {
    const { owner, group, users } = await clubWith(1);
    const a = unwrap(
      await owner.client.announcements.create(group.id, {
        title: "Soon gone",
        expiresAt: new Date(Date.now() + 2500),
      }),
    );
    expect(unwrap(await users[0]!.client.announcements.mine()).items.map((x) => x.id)).toEqual([a.id]);
    await new Promise((resolve) => setTimeout(resolve, 2600));
    expect(unwrap(await users[0]!.client.announcements.mine()).items).toEqual([]);
    expect(unwrap(await users[0]!.client.announcements.list(group.id)).items.map((x) => x.id)).toEqual([a.id]);
  });

  test("marking an announcement that does not exist is announcement_not_found", async () => {
    const user = await signUp("user");
    expectError(await user.client.announcements.markRead(randomUUID()), "announcement_not_found", 404);
  });
});
