/**
 * Removed content is gone everywhere: a comment or a reply removed by moderation (or deleted by
 * its author, or taken with its parent) leaves no text in anyone's notifications, read or unread,
 * alone or grouped with others; text taken out by an edit (a comment, a post, an announcement) is
 * gone from them too. Checked from both sides: the removed text, and the text that stays.
 */
import { describe, expect, it } from "vitest";
import { clubCast, comment, expectCounterTrue, inbox, post } from "../fixtures/club-cast.ts";
import { withDb } from "../helpers/db.ts";

const ways = ["moderator", "post author", "comment author"] as const;

describe("removed comments leave no trace in notifications", () => {
  it("a comment removed on its own takes its notification with it", async () => {
    for (const way of ways) {
      await withDb(async (db) => {
        const c = await clubCast(db);
        const p = await post(db, c.member, "hill repeats", { group: c.group });
        const bad = await comment(db, c.member2, p, "offensive words here");
        expect(JSON.stringify(await inbox(db, c.member))).toContain("offensive words");
        await db.as(way === "moderator" ? c.moderator : way === "post author" ? c.member : c.member2);
        await db.q`select social.delete_comment(${bad})`;
        expect(JSON.stringify(await inbox(db, c.member)), `removed by the ${way}`).not.toContain("offensive words");
        await expectCounterTrue(db, c.member);
      });
    }
  });

  it("a grouped comment notification loses the removed comment's excerpt and keeps the others' actors", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      const p = await post(db, c.member, "hill repeats", { group: c.group });
      await comment(db, c.admin, p, "kind words");
      const bad = await comment(db, c.member2, p, "offensive words here");
      // the author has already read it: read notifications keep no removed text either
      await db.as(c.member);
      await db.q`select social.mark_all_notifications_read()`;
      await db.as(c.moderator);
      await db.q`select social.moderate_comment(${bad}, 'insults')`;
      const notes = (await inbox(db, c.member)).filter((n) => n.kind === "comment");
      expect(notes).toHaveLength(1);
      expect(JSON.stringify(notes)).not.toContain("offensive words");
      expect(notes[0]!.actor_ids).toContain(c.admin);
    });
  });

  it("a removed reply leaves no text in the parent author's or the post author's notifications; a reply that stays does", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      const p = await post(db, c.member, "hill repeats", { group: c.group });
      const top = await comment(db, c.member2, p, "how many?");
      await comment(db, c.admin, p, "eight of them", top);
      const bad = await comment(db, c.lost, p, "offensive reply", top);
      // another thread, whose reply stays
      const q = await post(db, c.member, "tempo run", { group: c.group });
      const other = await comment(db, c.member2, q, "what pace?");
      await comment(db, c.admin, q, "four thirty", other);
      await db.as(c.moderator);
      await db.q`select social.moderate_comment(${bad}, 'insults')`;
      for (const who of [c.member, c.member2]) {
        const label = who === c.member ? "post author" : "parent author";
        const text = JSON.stringify(await inbox(db, who));
        expect(text, label).not.toContain("offensive reply");
        expect(text, label).toContain("four thirty");
        await expectCounterTrue(db, who);
      }
    });
  });

  it("replies removed with their parent leave no text behind", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      const p = await post(db, c.member, "hill repeats", { group: c.group });
      const top = await comment(db, c.member2, p, "offensive parent");
      await comment(db, c.lost, p, "offensive child", top);
      const q = await post(db, c.member, "tempo run", { group: c.group });
      await comment(db, c.admin, q, "unrelated and fine");
      await db.as(c.moderator);
      await db.q`select social.moderate_comment(${top}, 'thread of insults')`;
      for (const who of [c.member, c.member2]) {
        expect(JSON.stringify(await inbox(db, who))).not.toMatch(/offensive (parent|child)/);
      }
      expect(JSON.stringify(await inbox(db, c.member))).toContain("unrelated and fine");
    });
  });

  it("an edit takes the old text out of the notifications that quote it, and puts the new text in", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      const p = await post(db, c.member, `long run with @${c.handles[c.member2]} the slowpoke`, { group: c.group });
      const cm = await comment(db, c.member2, p, "you are all idiots");
      await db.as(c.owner);
      await db.q`select social.react(${p}, 'fire')`;
      await db.settle();
      const [a] = await db.q<{ id: string }[]>`
        select id from social.create_announcement(${c.group}, 'Secret plan', 'meet behind the gym')`;
      // one read and one unread: both quote the text
      await db.as(c.member);
      await db.q`select social.mark_all_notifications_read()`;

      await db.as(c.member2);
      await db.q`update social.comments set body = 'great run, everyone' where id = ${cm}`;
      await db.as(c.member);
      await db.q`update social.posts set body = ${`long run with @${c.handles[c.member2]}`} where id = ${p}`;
      await db.as(c.owner);
      await db.q`update social.announcements set title = 'Plan', body = 'meet at the park' where id = ${a!.id}`;

      const inboxes = JSON.stringify([
        await inbox(db, c.member),
        await inbox(db, c.member2),
        await inbox(db, c.moderator),
      ]);
      for (const gone of ["idiots", "slowpoke", "Secret plan", "behind the gym"]) {
        expect(inboxes, `${gone} is gone`).not.toContain(gone);
      }
      for (const kept of ["great run, everyone", "meet at the park"]) {
        expect(inboxes, `${kept} is there`).toContain(kept);
      }
    });
  });
});
