/**
 * Losing access loses everything: a member removed or banned from a group (a coaching group above
 * all) stops seeing the group's content at once, their own old posts there included, with the
 * comments, reactions, revisions and mentions on them, the notifications about them, the group's
 * name after a rename, the announcements, the invites they made and the reports they filed there.
 * "The author always sees their post" holds only while the author may read the group. Each rule is
 * checked from both sides: the member who lost access, and a member who still has it.
 */
import { describe, expect, it } from "vitest";
import {
  type ClubCast,
  clubCast,
  comment,
  expectCounterTrue,
  type GroupKind,
  type GroupVisibility,
  inbox,
  type Loss,
  loseAccess,
  post,
  react,
  readable,
  refused,
} from "../fixtures/club-cast.ts";
import { type TestDb, withDb } from "../helpers/db.ts";

const losses: Loss[] = ["remove", "ban"];
const places: { kind: GroupKind; visibility: GroupVisibility }[] = [
  { kind: "coaching", visibility: "secret" },
  { kind: "coaching", visibility: "private" },
  { kind: "club", visibility: "private" },
];

interface Thread {
  c: ClubCast;
  /** the lost member's group post, edited once, mentioning the member, with a comment, a reply
   *  and a reaction by the member */
  mine: string;
  /** the lost member's private post in the group */
  diary: string;
  comment: string;
  reply: string;
}

async function thread(db: TestDb, kind: GroupKind, visibility: GroupVisibility): Promise<Thread> {
  const c = await clubCast(db, { kind, visibility });
  const mine = await post(db, c.lost, `week one @${c.handles[c.member]}`, { group: c.group });
  await db.as(c.lost);
  await db.q`update social.posts set body = ${`week one, 30 km @${c.handles[c.member]}`} where id = ${mine}`;
  const diary = await post(db, c.lost, "how I really feel", { group: c.group, visibility: "private" });
  const top = await comment(db, c.member, mine, "well done");
  const reply = await comment(db, c.lost, mine, "thanks!", top);
  await react(db, c.member, mine, "fire");
  return { c, mine, diary, comment: top, reply };
}

/** What `who` reads of the thread, table by table and through get_post. */
async function sight(db: TestDb, who: string, t: Thread) {
  await db.as(who);
  const posts = await readable(db, "posts", "id", [t.mine, t.diary]);
  const comments = await readable(db, "comments", "post_id", [t.mine]);
  const reactions = await readable(db, "reactions", "post_id", [t.mine]);
  const revisions = await readable(db, "post_revisions", "post_id", [t.mine]);
  const mentions = await readable(db, "mentions", "post_id", [t.mine]);
  const viaRpc = await db.q<{ id: string }[]>`select id from social.get_post(${t.mine})`;
  return {
    posts: posts.length,
    comments: comments.length,
    reactions: reactions.length,
    revisions: revisions.length,
    mentions: mentions.length,
    getPost: viaRpc.length,
  };
}

describe("losing access to a group", () => {
  it("a removed or banned member no longer reads their own old posts there, nor what hangs on them; members still do", async () => {
    for (const { kind, visibility } of places) {
      for (const how of losses) {
        await withDb(async (db) => {
          const t = await thread(db, kind, visibility);
          const label = `${how} from a ${visibility} ${kind}`;
          expect(await sight(db, t.c.lost, t), `before the ${label}`).toEqual({
            posts: 2,
            comments: 2,
            reactions: 1,
            revisions: 1,
            mentions: 1,
            getPost: 1,
          });
          await loseAccess(db, t.c, how);
          expect(await sight(db, t.c.lost, t), `the member after the ${label}`).toEqual({
            posts: 0,
            comments: 0,
            reactions: 0,
            revisions: 0,
            mentions: 0,
            getPost: 0,
          });
          expect(await sight(db, t.c.member, t), `another member after the ${label}`).toEqual({
            posts: 1,
            comments: 2,
            reactions: 1,
            revisions: 1,
            mentions: 1,
            getPost: 1,
          });
          // the trainer of a coaching group still reads the trainee's private post
          await db.as(t.c.owner);
          expect(await readable(db, "posts", "id", [t.diary]), `the owner after the ${label}`).toEqual(
            kind === "coaching" ? [t.diary] : [],
          );
        });
      }
    }
  });

  it("new comments, replies and reactions on a lost member's old posts do not notify them; members are still notified", async () => {
    for (const how of losses) {
      await withDb(async (db) => {
        const t = await thread(db, "coaching", "secret");
        const stays = await post(db, t.c.member2, "my week", { group: t.c.group });
        const theirTop = await comment(db, t.c.lost, t.mine, "my own top comment");
        await loseAccess(db, t.c, how);
        const before = (await inbox(db, t.c.lost)).length;

        await comment(db, t.c.member, t.mine, "still here?");
        await comment(db, t.c.member, t.mine, "answer me", theirTop);
        await react(db, t.c.member2, t.mine, "strong");
        await comment(db, t.c.member, stays, "nice one");
        await react(db, t.c.member, stays, "fire");

        const after = await inbox(db, t.c.lost);
        expect(after.length, `${how}: no new notification for the lost member`).toBeLessThanOrEqual(before);
        expect(
          after.filter((n) => n.post_id === t.mine),
          `${how}: nothing about their old post`,
        ).toEqual([]);
        expect(JSON.stringify(after), `${how}: no excerpt of the new comments`).not.toMatch(/still here|answer me/);
        const kept = (await inbox(db, t.c.member2)).filter((n) => n.post_id === stays).map((n) => n.kind);
        expect(kept.sort(), `${how}: the member who stays`).toEqual(["comment", "reaction"]);
        await expectCounterTrue(db, t.c.lost);
      });
    }
  });

  it("losing membership takes the notifications about the group's content; those who stay keep theirs", async () => {
    for (const how of losses) {
      await withDb(async (db) => {
        const t = await thread(db, "club", "private");
        await db.as(t.c.owner);
        await db.q`select social.create_announcement(${t.c.group}, 'Race day', 'Meet at 7')`;
        const theirs = await post(db, t.c.member, `see you @${t.c.handles[t.c.lost]}`, { group: t.c.group });
        await react(db, t.c.lost, theirs, "like");

        const lostBefore = (await inbox(db, t.c.lost)).filter((n) => n.group_id === t.c.group);
        expect(lostBefore.map((n) => n.kind).sort(), `${how}: the lost member was notified while a member`).toEqual([
          "announcement",
          "comment",
          "mention",
          "reaction",
        ]);
        const memberBefore = (await inbox(db, t.c.member)).filter((n) => n.group_id === t.c.group);

        await loseAccess(db, t.c, how);
        expect(
          (await inbox(db, t.c.lost)).filter((n) => n.group_id === t.c.group),
          `${how}: the lost member's notifications about the group`,
        ).toEqual([]);
        await expectCounterTrue(db, t.c.lost);
        await db.as(t.c.lost);
        const listed = await db.q<{ group_id: string | null }[]>`select group_id from social.list_notifications()`;
        expect(listed.filter((n) => n.group_id === t.c.group)).toEqual([]);
        expect(
          (await inbox(db, t.c.member)).filter((n) => n.group_id === t.c.group).map((n) => n.id),
          `${how}: the member who stays`,
        ).toEqual(memberBefore.map((n) => n.id));
      });
    }
  });

  it("a renamed secret group's name reaches members only, never a removed or banned one", async () => {
    for (const how of losses) {
      await withDb(async (db) => {
        const t = await thread(db, "coaching", "secret");
        await loseAccess(db, t.c, how);
        const renamed = `Renamed ${t.c.group.slice(0, 8)}`;
        await db.as(t.c.owner);
        await db.q`update social.groups set name = ${renamed} where id = ${t.c.group}`;
        await comment(db, t.c.member, t.mine, "after the rename");

        const seen = async (who: string) => {
          await db.as(who);
          const parts = [
            await db.q`select * from social.get_post(${t.mine})`,
            await db.q`select * from social.home_feed()`,
            await db.q`select * from social.profile_feed(${t.c.lost})`,
            await db.q`select * from social.list_notifications()`,
            await db.q`select * from social.my_announcements()`,
            await db.q`select * from social.my_reports()`,
            await db.q`select * from social.groups where id = ${t.c.group}`,
          ];
          return JSON.stringify(parts);
        };
        expect(await seen(t.c.lost), `${how}: the lost member`).not.toContain(renamed);
        expect(await seen(t.c.member), `${how}: a member`).toContain(renamed);
      });
    }
  });

  it("a lost member no longer edits their comments nor takes back their reactions in the group; a member still does", async () => {
    for (const how of losses) {
      await withDb(async (db) => {
        const t = await thread(db, "club", "private");
        const theirs = await post(db, t.c.member2, "group run", { group: t.c.group });
        await react(db, t.c.lost, theirs, "love");
        await react(db, t.c.member, theirs, "love");
        const mine = await comment(db, t.c.member, theirs, "count me in");
        await loseAccess(db, t.c, how);

        await db.as(t.c.lost);
        expect(
          (await db.q`update social.comments set body = 'rewritten after I left' where id = ${t.reply}`).count,
          `${how}: edit an old comment`,
        ).toBe(0);
        expect(
          (await db.q`delete from social.reactions where post_id = ${theirs} and user_id = ${t.c.lost}`).count,
          `${how}: delete an old reaction`,
        ).toBe(0);
        await db.as(t.c.member);
        expect((await db.q`update social.comments set body = 'count me in twice' where id = ${mine}`).count).toBe(1);
        expect(
          (await db.q`delete from social.reactions where post_id = ${theirs} and user_id = ${t.c.member}`).count,
        ).toBe(1);
        await db.asSuperuser();
        const [row] = await db.q<{ body: string }[]>`select body from social.comments where id = ${t.reply}`;
        expect(row!.body).toBe("thanks!");
      });
    }
  });

  it("a lost member no longer sees the reports they filed about a secret group or its content; staff still do", async () => {
    for (const how of losses) {
      await withDb(async (db) => {
        const t = await thread(db, "club", "secret");
        const bad = await post(db, t.c.member2, "spam spam", { group: t.c.group });
        await db.as(t.c.lost);
        const [onPost] = await db.q<{ id: string }[]>`select id from social.report('post', ${bad}, 'spam')`;
        const [onGroup] = await db.q<{ id: string }[]>`select id from social.report('group', ${t.c.group}, 'other')`;
        const [elsewhere] = await db.q<
          { id: string }[]
        >`select id from social.report('profile', ${t.c.stranger}, 'spam')`;
        const ids = [onPost!.id, onGroup!.id, elsewhere!.id];
        expect(await readable(db, "reports", "id", ids)).toHaveLength(3);

        await loseAccess(db, t.c, how);
        await db.as(t.c.lost);
        expect(await readable(db, "reports", "id", ids), `${how}: the reporter`).toEqual([elsewhere!.id]);
        const mine = await db.q<{ id: string }[]>`select id from social.my_reports()`;
        expect(mine.map((r) => r.id)).toEqual([elsewhere!.id]);
        await db.as(t.c.moderator);
        expect(await readable(db, "reports", "id", ids), `${how}: the group's staff`).toEqual([onPost!.id]);
      });
    }
  });

  it("a banned or removed moderator no longer sees the invites and links they made; the owner still does", async () => {
    for (const how of losses) {
      await withDb(async (db) => {
        const c = await clubCast(db, { kind: "club", visibility: "secret" });
        await db.as(c.moderator);
        const [link] = await db.q<{ id: string }[]>`select id from social.create_group_invite_link(${c.group})`;
        const [invite] = await db.q<{ id: string }[]>`select id from social.invite_to_group(${c.group}, ${c.stranger})`;
        const ids = [link!.id, invite!.id];
        expect(await readable(db, "group_invites", "id", ids)).toHaveLength(2);
        await loseAccess(db, c, how, c.moderator);
        await db.as(c.moderator);
        expect(await readable(db, "group_invites", "id", ids), `${how}: the former moderator`).toEqual([]);
        await db.as(c.owner);
        expect(await readable(db, "group_invites", "id", ids), `${how}: the owner`).toHaveLength(2);
      });
    }
  });

  it("a lost member's announcements go: home screen, reads, notifications, marking read; members keep them", async () => {
    for (const how of losses) {
      await withDb(async (db) => {
        const c = await clubCast(db, { kind: "coaching", visibility: "secret" });
        await db.as(c.owner);
        const [a] = await db.q<{ id: string }[]>`
          select id from social.create_announcement(${c.group}, 'Week plan', 'Intervals on Tuesday')`;
        const [b] = await db.q<{ id: string }[]>`
          select id from social.create_announcement(${c.group}, 'Rest day', 'Sunday off')`;
        await db.as(c.lost);
        await db.q`select social.mark_announcement_read(${a!.id})`;
        await loseAccess(db, c, how);

        await db.as(c.lost);
        expect(await db.q`select id from social.my_announcements()`, `${how}: home screen`).toEqual([]);
        expect(await readable(db, "announcements", "id", [a!.id, b!.id]), `${how}: the table`).toEqual([]);
        expect(await readable(db, "announcement_reads", "announcement_id", [a!.id]), `${how}: reads`).toEqual([]);
        expect(
          await refused(db, (tx) => tx`select social.mark_announcement_read(${b!.id})`),
          `${how}: mark read`,
        ).toEqual(["PT404", "announcement_not_found"]);
        expect(
          (await inbox(db, c.lost)).filter((n) => n.kind === "announcement"),
          `${how}: notifications`,
        ).toEqual([]);

        await db.as(c.member);
        expect((await db.q`select id from social.my_announcements()`).length).toBe(2);
        expect((await inbox(db, c.member)).filter((n) => n.kind === "announcement")).toHaveLength(2);
      });
    }
  });

  it("someone banned from a public club stops reading it, their own posts included; someone who left reads it as anyone signed in does", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db, { kind: "club", visibility: "public" });
      const byLost = await post(db, c.lost, "public club post", { group: c.group });
      const byMember2 = await post(db, c.member2, "another one", { group: c.group });
      await db.as(c.member2);
      await db.q`select social.leave_group(${c.group})`;
      await loseAccess(db, c, "ban");
      await db.as(c.lost);
      expect(await readable(db, "posts", "id", [byLost, byMember2]), "banned").toEqual([]);
      await db.as(c.member2);
      expect(await readable(db, "posts", "id", [byLost, byMember2]), "left").toEqual([byLost, byMember2].sort());
    });
  });

  it("staff demoted to member lose the join-request notifications of the group; staff who remain keep them", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db, { kind: "club", visibility: "private" });
      await db.as(c.stranger);
      await db.q`select social.join_group(${c.group})`;
      const requests = async (who: string) =>
        (await inbox(db, who)).filter((n) => n.kind === "join_request" && n.group_id === c.group).length;
      expect(await requests(c.moderator)).toBe(1);
      await db.as(c.owner);
      await db.q`select social.set_group_member_role(${c.group}, ${c.moderator}, 'member')`;
      expect(await requests(c.moderator), "the demoted moderator").toBe(0);
      expect(await requests(c.admin), "the admin").toBe(1);
      await expectCounterTrue(db, c.moderator);
    });
  });
});
