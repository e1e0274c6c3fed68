/**
 * A block hides everywhere, both ways: in report snapshots, in grouped notifications (the actors
 * and the latest event's excerpt), and in mentions made before the block. Each rule is checked
 * from both sides: the pair a block separates, and a third user it does not concern.
 */
import { describe, expect, it } from "vitest";
import { comment, expectCounterTrue, inbox, post } from "../fixtures/club-cast.ts";
import { block } from "../fixtures/graph.ts";
import { type TestDb, withDb } from "../helpers/db.ts";

async function user(db: TestDb, name: string): Promise<{ id: string; handle: string }> {
  const handle = `${name}_${Math.random().toString(36).slice(2, 10)}`;
  return { id: await db.createUser({ handle, displayName: `${name} the runner` }), handle };
}

describe("a block hides everywhere", () => {
  it("a report of a profile a block separates from the reporter keeps no card in its snapshot, either way", async () => {
    await withDb(async (db) => {
      const ana = await user(db, "ana");
      const bo = await user(db, "bo");
      const cy = await user(db, "cy");
      await block(db, bo.id, ana.id); // bo blocked ana
      const snapshot = async (reporter: string, target: string) => {
        await db.as(reporter);
        const [row] = await db.q<{ id: string; target_snapshot: Record<string, unknown> }[]>`
          select id, target_snapshot from social.report('profile', ${target}, 'harassment')`;
        const [mine] = await db.q<{ target_snapshot: Record<string, unknown> }[]>`
          select target_snapshot from social.my_reports() where id = ${row!.id}`;
        return [JSON.stringify(row!.target_snapshot), JSON.stringify(mine!.target_snapshot)].join(" ");
      };
      // the blocked user reports the profile that blocked them
      const blockedSide = await snapshot(ana.id, bo.id);
      expect(blockedSide, "reporter blocked by the target").not.toContain(bo.handle);
      expect(blockedSide).not.toContain("bo the runner");
      // the blocker reports the profile they blocked
      const blockerSide = await snapshot(bo.id, ana.id);
      expect(blockerSide, "reporter who blocked the target").not.toContain(ana.handle);
      expect(blockerSide).not.toContain("ana the runner");
      // no block: the card is kept, as the reporter saw it
      const free = await snapshot(cy.id, bo.id);
      expect(free, "a reporter no block separates").toContain(bo.handle);
      expect(free).toContain("bo the runner");
      // the platform still knows whom each report is about
      await db.asService();
      const about = await db.q<{ target_user_id: string }[]>`
        select target_user_id from social.reports where reporter_id in (${ana.id}, ${bo.id}) order by created_at`;
      expect(about.map((r) => r.target_user_id).sort()).toEqual([ana.id, bo.id].sort());
    });
  });

  it("a grouped notification drops the excerpt of an actor a block then separates from its recipient; others keep theirs", async () => {
    for (const who of ["the actor blocks", "the recipient blocks"] as const) {
      await withDb(async (db) => {
        const author = await user(db, "author");
        const fan = await user(db, "fan");
        const troll = await user(db, "troll");
        const other = await user(db, "other");
        const p = await post(db, author.id, "long run today");
        const q = await post(db, other.id, "tempo run today");
        await comment(db, fan.id, p, "great pace");
        await comment(db, troll.id, p, "troll words on the author");
        await comment(db, troll.id, q, "troll words on the other");
        const [before] = (await inbox(db, author.id)).filter((n) => n.kind === "comment");
        expect(before!.actor_ids).toEqual([troll.id, fan.id]);
        expect(JSON.stringify(before!.data)).toContain("troll words");

        if (who === "the actor blocks") await block(db, troll.id, author.id);
        else await block(db, author.id, troll.id);

        const [after, ...rest] = (await inbox(db, author.id)).filter((n) => n.kind === "comment");
        expect(rest, who).toEqual([]);
        expect(after!.actor_ids, who).toEqual([fan.id]);
        expect(JSON.stringify(after), who).not.toContain("troll words");
        expect(JSON.stringify(after), who).not.toContain(troll.id);
        await expectCounterTrue(db, author.id);
        // a recipient no block separates from the troll keeps the excerpt
        const [kept] = (await inbox(db, other.id)).filter((n) => n.kind === "comment");
        expect(JSON.stringify(kept!.data), `${who}: the other recipient`).toContain("troll words on the other");
      });
    }
  });

  it("a block removes the mentions between the two users, both ways; mentions of others stay", async () => {
    await withDb(async (db) => {
      const ana = await user(db, "ana");
      const bo = await user(db, "bo");
      const cy = await user(db, "cy");
      const p = await post(db, ana.id, `run with @${bo.handle} and @${cy.handle}`);
      const q = await post(db, bo.id, `thanks @${ana.handle}`);
      await comment(db, bo.id, p, `anytime @${ana.handle}`);
      const pairs = async () => {
        await db.asSuperuser();
        const rows = await db.q<{ author_id: string; mentioned_id: string }[]>`
          select author_id, mentioned_id from social.mentions where post_id in (${p}, ${q})`;
        return rows
          .map(
            (r) =>
              `${r.author_id === ana.id ? "ana" : "bo"}->${r.mentioned_id === cy.id ? "cy" : r.mentioned_id === ana.id ? "ana" : "bo"}`,
          )
          .sort();
      };
      expect(await pairs()).toEqual(["ana->bo", "ana->cy", "bo->ana", "bo->ana"]);
      await block(db, ana.id, bo.id);
      expect(await pairs()).toEqual(["ana->cy"]);
      expect((await inbox(db, bo.id)).filter((n) => n.kind === "mention")).toEqual([]);
      expect((await inbox(db, cy.id)).filter((n) => n.kind === "mention")).toHaveLength(1);
    });
  });
});
