/**
 * Every write a user can repeat is rate limited in the database: announced uploads (media), post edits (each stores a
 * revision), comment edits (each re-parses mentions), follow and unfollow toggles (each notifies
 * and broadcasts on the target's topic), announcements (one notification per member), join and
 * leave toggles (join requests notify the staff), invites, new groups, and blocks and mutes. For each: the writes within the
 * budget succeed, the next one is refused with rate_limited (PT429) and writes nothing, another
 * user keeps their own budget, and service_role is not limited. The budgets are rows of
 * social_private.rate_limit_rules; the tests lower them to 2 inside their transaction.
 */
import { describe, expect, it } from "vitest";
import { type ClubCast, clubCast, post, refused } from "../fixtures/club-cast.ts";
import { type TestDb, withDb } from "../helpers/db.ts";

interface Case {
  action: string;
  /** one repeatable write by `actor` (the n-th time) */
  write: (db: TestDb, c: ClubCast, actor: string, n: number) => Promise<void>;
  /** what the writes left behind, counted as the table owner */
  footprint: (db: TestDb, c: ClubCast, actor: string) => Promise<number>;
  /** the two users who each have a budget */
  actors: (c: ClubCast) => [string, string];
}

const cases: Case[] = [
  {
    action: "media",
    actors: (c) => [c.member, c.member2],
    write: async (db, _c, actor) => {
      await db.as(actor);
      await db.q`select social.create_media('post', 'image/png', 100)`;
    },
    footprint: async (db, _c, actor) => {
      await db.asSuperuser();
      const [row] = await db.q<{ n: number }[]>`select count(*)::int as n from social.media where owner_id = ${actor}`;
      return row!.n;
    },
  },
  {
    action: "post_edit",
    actors: (c) => [c.member, c.member2],
    write: async (db, c, actor, n) => {
      const [p] = await db.q<{ id: string }[]>`
        select id from social.posts where author_id = ${actor} and group_id = ${c.group}`;
      await db.as(actor);
      await db.q`update social.posts set body = ${`edit ${n}`} where id = ${p!.id}`;
    },
    footprint: async (db, _c, actor) => {
      await db.asSuperuser();
      const [row] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.post_revisions r join social.posts p on p.id = r.post_id
        where p.author_id = ${actor}`;
      return row!.n;
    },
  },
  {
    action: "comment_edit",
    actors: (c) => [c.member, c.member2],
    write: async (db, _c, actor, n) => {
      await db.asSuperuser();
      const [cm] = await db.q<{ id: string }[]>`select id from social.comments where author_id = ${actor}`;
      await db.as(actor);
      await db.q`update social.comments set body = ${`comment edit ${n}`} where id = ${cm!.id}`;
    },
    footprint: async (db, _c, actor) => {
      await db.asSuperuser();
      const [row] = await db.q<{ body: string }[]>`select body from social.comments where author_id = ${actor}`;
      // the number of the last edit that went through (0: none)
      return Number(/^comment edit (\d+)$/.exec(row!.body)?.[1] ?? 0);
    },
  },
  {
    action: "follow",
    actors: (c) => [c.member, c.member2],
    write: async (db, c, actor, n) => {
      await db.as(actor);
      if (n % 2 === 1) await db.q`select social.follow(${c.stranger})`;
      else await db.q`select social.unfollow(${c.stranger})`;
    },
    footprint: async (db, c, actor) => {
      await db.asSuperuser();
      const [row] = await db.q<{ n: number }[]>`
        select count(*)::int as n from realtime.messages
        where topic = ${`user:${c.stranger}`} and payload -> 'actor' ->> 'id' = ${actor}`;
      return row!.n;
    },
  },
  {
    action: "announcement",
    actors: (c) => [c.owner, c.admin],
    write: async (db, c, actor, n) => {
      await db.as(actor);
      await db.q`select social.create_announcement(${c.group}, ${`note ${n}`}, 'body')`;
    },
    footprint: async (db, c, actor) => {
      await db.asSuperuser();
      const [row] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.announcements where group_id = ${c.group} and author_id = ${actor}`;
      return row!.n;
    },
  },
  {
    action: "join",
    actors: (c) => [c.stranger, c.outsider],
    write: async (db, c, actor, n) => {
      await db.as(actor);
      if (n % 2 === 1) await db.q`select social.join_group(${c.group})`;
      else await db.q`select social.leave_group(${c.group})`;
    },
    footprint: async (db, c, actor) => {
      await db.asSuperuser();
      const [row] = await db.q<{ n: number }[]>`
        select count(*)::int as n from realtime.messages
        where topic = ${`user:${c.owner}`} and payload #>> '{notification,kind}' = 'join_request'
          and payload -> 'actor' ->> 'id' = ${actor}`;
      return row!.n;
    },
  },
  {
    action: "invite",
    actors: (c) => [c.owner, c.admin],
    write: async (db, c, actor, _n) => {
      await db.as(actor);
      await db.q`select social.create_group_invite_link(${c.group})`;
    },
    footprint: async (db, c, actor) => {
      await db.asSuperuser();
      const [row] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.group_invites where group_id = ${c.group} and inviter_id = ${actor}`;
      return row!.n;
    },
  },
  {
    action: "group",
    actors: (c) => [c.stranger, c.outsider],
    write: async (db, _c, actor, n) => {
      await db.as(actor);
      await db.q`select social.create_group(${`Spam club ${n}`})`;
    },
    footprint: async (db, _c, actor) => {
      await db.asSuperuser();
      const [row] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.groups where owner_id = ${actor} and name like 'Spam club %'`;
      return row!.n;
    },
  },
  {
    action: "block",
    actors: (c) => [c.member, c.member2],
    // a mute, a block, then lifting the block: the third is refused, so the block stays
    write: async (db, c, actor, n) => {
      await db.as(actor);
      if (n === 1) await db.q`select social.mute(${c.stranger})`;
      else if (n === 2) await db.q`select social.block(${c.outsider})`;
      else await db.q`select social.unblock(${c.outsider})`;
    },
    footprint: async (db, _c, actor) => {
      await db.asSuperuser();
      const [row] = await db.q<{ n: number }[]>`
        select (select count(*)::int from social.mutes where muter_id = ${actor})
             + (select count(*)::int from social.blocks where blocker_id = ${actor}) as n`;
      return row!.n;
    },
  },
];

async function setUp(db: TestDb): Promise<ClubCast> {
  const c = await clubCast(db, { kind: "club", visibility: "private" });
  for (const who of [c.member, c.member2]) {
    const p = await post(db, who, "to be edited", { group: c.group });
    await db.as(who);
    await db.q`insert into social.comments (post_id, body) values (${p}, 'to be edited too')`;
  }
  await db.asSuperuser();
  await db.q`delete from realtime.messages`;
  return c;
}

describe("every write a user can repeat is rate limited", () => {
  it("each action has a rule in social_private.rate_limit_rules", async () => {
    await withDb(async (db) => {
      const rules = await db.q<{ action: string }[]>`select action from social_private.rate_limit_rules`;
      const actions = rules.map((r) => r.action);
      for (const c of cases) expect(actions, c.action).toContain(c.action);
    });
  });

  for (const k of cases) {
    it(`${k.action}: the budget passes, the next write is rate_limited and leaves nothing; others keep their budget`, async () => {
      await withDb(async (db) => {
        const c = await setUp(db);
        await db.asSuperuser();
        await db.q`update social_private.rate_limit_rules set per_minute = 2 where action = ${k.action}`;
        const [actor, other] = k.actors(c);
        await k.write(db, c, actor, 1);
        await k.write(db, c, actor, 2);
        const before = await k.footprint(db, c, actor);
        expect(before, `${k.action}: the writes within the budget left their mark`).toBeGreaterThan(0);
        const [code, hint] = await refused(db, (tx) => {
          void tx;
          return k.write(db, c, actor, 3);
        });
        expect([code, hint], `${k.action}: the third write`).toEqual(["PT429", "rate_limited"]);
        expect(await k.footprint(db, c, actor), `${k.action}: nothing written`).toBe(before);
        // another user has a budget of their own
        await k.write(db, c, other, 1);
        expect(await k.footprint(db, c, other), `${k.action}: another user`).toBeGreaterThan(0);
      });
    });
  }

  it("service_role is not limited for the new actions", async () => {
    await withDb(async (db) => {
      const c = await setUp(db);
      await db.asSuperuser();
      await db.q`update social_private.rate_limit_rules set per_minute = 1
                 where action in ('post_edit', 'comment_edit', 'follow', 'announcement', 'join', 'invite',
                                  'group', 'block')`;
      const [p] = await db.q<{ id: string }[]>`select id from social.posts where author_id = ${c.member}`;
      await db.asService();
      for (let i = 0; i < 3; i++) {
        await db.q`update social.posts set body = ${`service edit ${i}`} where id = ${p!.id}`;
        await db.q`insert into social.follows (follower_id, followee_id) values (${c.member}, ${c.stranger})
                   on conflict do nothing`;
        await db.q`delete from social.follows where follower_id = ${c.member} and followee_id = ${c.stranger}`;
      }
      const [row] = await db.q<
        { n: number }[]
      >`select count(*)::int as n from social.post_revisions where post_id = ${p!.id}`;
      expect(row!.n).toBe(3);
    });
  });
});
