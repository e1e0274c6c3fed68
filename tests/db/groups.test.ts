/**
 * Groups: creation, visibility, listing, joining (open / request / invite / secret / tiers),
 * invites by user and by link, leaving, removing, bans, roles, ownership transfer, member lists
 * and member counts. Every rule is exercised by who may and by who may not.
 */
import { describe, expect, it } from "vitest";
import { createGroup, type GroupCast, groupCast } from "../fixtures/groups.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";
import { asRole, nameOf } from "../helpers/labels.ts";

interface MemberRow {
  group_id: string;
  user_id: string;
  role: string;
  status: string;
  invited_by: string | null;
  joined_at: Date | null;
}

interface InviteRow {
  id: string;
  group_id: string;
  inviter_id: string;
  invitee_id: string | null;
  token: string | null;
  expires_at: Date | null;
  max_uses: number | null;
  use_count: number;
  revoked_at: Date | null;
  accepted_at: Date | null;
  declined_at: Date | null;
}

/** Read as the migration owner (leaves the session as superuser). */
async function membership(db: TestDb, group: string, user: string): Promise<MemberRow | undefined> {
  await db.asSuperuser();
  const [row] = await db.q<MemberRow[]>`
    select * from social.group_members where group_id = ${group} and user_id = ${user}`;
  return row;
}

async function memberCount(db: TestDb, group: string): Promise<{ stored: number; actual: number }> {
  await db.asSuperuser();
  const [row] = await db.q<{ stored: number; actual: number }[]>`
    select g.member_count as stored,
           (select count(*)::int from social.group_members m where m.group_id = g.id and m.status = 'active') as actual
    from social.groups g where g.id = ${group}`;
  return row!;
}

async function visibleGroups(db: TestDb, ids: string[]): Promise<string[]> {
  const rows = await db.q<{ id: string }[]>`select id from social.groups where id = any(${ids}::uuid[]) order by id`;
  return rows.map((r) => r.id);
}

async function invite(db: TestDb, as: string, group: string, user: string): Promise<InviteRow> {
  await db.as(as);
  const [row] = await db.q<InviteRow[]>`select * from social.invite_to_group(${group}, ${user})`;
  return row!;
}

async function link(db: TestDb, as: string, group: string, maxUses: number | null = null): Promise<InviteRow> {
  await db.as(as);
  const [row] = await db.q<InviteRow[]>`select * from social.create_group_invite_link(${group}, null, ${maxUses})`;
  return row!;
}

async function owners(db: TestDb, group: string): Promise<{ ownerId: string; ownerRows: string[] }> {
  await db.asSuperuser();
  const [g] = await db.q<{ owner_id: string }[]>`select owner_id from social.groups where id = ${group}`;
  const rows = await db.q<{ user_id: string }[]>`
    select user_id from social.group_members where group_id = ${group} and role = 'owner'`;
  return { ownerId: g!.owner_id, ownerRows: rows.map((r) => r.user_id) };
}

describe("creating a group", () => {
  it("makes the creator its owner, an active member, and counts them", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      const group = await createGroup(db, ana, {
        name: "  Morning runners ",
        city: " Lisbon ",
        tags: ["Run", " run ", "5K"],
      });
      expect(await membership(db, group, ana)).toMatchObject({ role: "owner", status: "active" });
      expect((await membership(db, group, ana))!.joined_at).not.toBeNull();
      expect(await memberCount(db, group)).toEqual({ stored: 1, actual: 1 });
      const [row] =
        await db.q`select name, city, tags, owner_id, visibility, join_policy from social.groups where id = ${group}`;
      expect(row).toEqual({
        name: "Morning runners",
        city: "Lisbon",
        tags: ["5k", "run"],
        owner_id: ana,
        visibility: "public",
        join_policy: "open",
      });
    });
  });

  it("returns the group with its member count from create_group", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await db.as(ana);
      const [row] = await db.q`select * from social.create_group('Readers')`;
      expect(row).toMatchObject({ name: "Readers", owner_id: ana, member_count: 1, kind: "general" });
    });
  });

  it("makes coaching groups invite-only and private by default, and keeps them invite-only", async () => {
    await withDb(async (db) => {
      const coach = await db.createUser();
      const group = await createGroup(db, coach, { kind: "coaching", joinPolicy: "open" });
      await db.as(coach);
      const [row] = await db.q`select visibility, join_policy from social.groups where id = ${group}`;
      expect(row).toEqual({ visibility: "private", join_policy: "invite" });
      expect(await refused(db, (tx) => tx`update social.groups set join_policy = 'open' where id = ${group}`)).toEqual([
        "22023",
        "invalid_join_policy",
      ]);
      // a public coaching group is possible (listed), still invite-only
      const listed = await createGroup(db, coach, { kind: "coaching", visibility: "public" });
      await db.as(coach);
      const [row2] = await db.q`select visibility, join_policy from social.groups where id = ${listed}`;
      expect(row2).toEqual({ visibility: "public", join_policy: "invite" });
    });
  });

  it("works as a plain insert under RLS, adding the owner membership", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await db.as(ana);
      const [row] = await db.q<{ id: string; owner_id: string }[]>`
        insert into social.groups (name, kind) values ('Direct', 'club') returning id, owner_id`;
      expect(row!.owner_id).toBe(ana);
      expect(await membership(db, row!.id, ana)).toMatchObject({ role: "owner", status: "active" });
      expect(await memberCount(db, row!.id)).toEqual({ stored: 1, actual: 1 });
    });
  });

  it("refuses creating a group owned by someone else, and anon creating any", async () => {
    await withDb(async (db) => {
      const [ana, bob] = [await db.createUser(), await db.createUser()];
      await db.as(ana);
      expect(
        (await refused(db, (tx) => tx`insert into social.groups (name, owner_id) values ('Fake', ${bob})`))[0],
      ).toBe("42501");
      expect(
        (await refused(db, (tx) => tx`insert into social.groups (name, member_count) values ('Inflated', 99)`))[0],
      ).toBe("42501");
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select social.create_group('Anon group')`))[0]).toBe("42501");
      expect((await refused(db, (tx) => tx`insert into social.groups (name) values ('Anon group')`))[0]).toBe("42501");
    });
  });

  it("rejects bad input with clear errors", async () => {
    await withDb(async (db) => {
      const ana = await db.createUser();
      await db.as(ana);
      expect((await refused(db, (tx) => tx`select social.create_group('x')`))[0]).toBe("23514");
      expect(
        await refused(db, (tx) => tx`select social.create_group(p_name => 'Tags', p_tags => ${["x".repeat(41)]})`),
      ).toEqual(["22023", "invalid_tag"]);
      const tooMany = Array.from({ length: 21 }, (_, i) => `t${i}`);
      expect(
        (await refused(db, (tx) => tx`select social.create_group(p_name => 'Tags', p_tags => ${tooMany})`))[0],
      ).toBe("23514");
    });
  });
});

describe("seeing groups", () => {
  it("shows public and private groups to everyone signed in, secret ones to nobody outside", async () => {
    await withDb(async (db) => {
      const [owner, stranger] = [await db.createUser(), await db.createUser()];
      const pub = await createGroup(db, owner, { visibility: "public" });
      const priv = await createGroup(db, owner, { visibility: "private" });
      const secret = await createGroup(db, owner, { visibility: "secret" });
      const all = [pub, priv, secret];
      await db.as(owner);
      expect(await visibleGroups(db, all)).toEqual([...all].sort());
      await db.as(stranger);
      expect(await visibleGroups(db, all)).toEqual([pub, priv].sort());
      await db.asAnon();
      expect(await visibleGroups(db, all)).toEqual([pub]);
    });
  });

  it("shows a secret group to its members, requesters and holders of an open invite only", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "secret", joinPolicy: "invite" });
      for (const who of [c.admin, c.moderator, c.member, c.pending]) {
        await db.as(who);
        expect(await visibleGroups(db, [c.group]), asRole(c, who)).toEqual([c.group]);
      }
      for (const who of [c.banned, c.stranger, c.other]) {
        await db.as(who);
        expect(await visibleGroups(db, [c.group]), asRole(c, who)).toEqual([]);
      }
      const inv = await invite(db, c.owner, c.group, c.stranger);
      await db.as(c.stranger);
      expect(await visibleGroups(db, [c.group])).toEqual([c.group]);
      await db.q`select social.decline_group_invite(${inv.id})`;
      expect(await visibleGroups(db, [c.group])).toEqual([]);
    });
  });

  it("hides a secret group again when the invite is revoked or expires", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "secret", joinPolicy: "invite" });
      const inv = await invite(db, c.owner, c.group, c.stranger);
      await db.as(c.owner);
      await db.q`select social.revoke_group_invite(${inv.id})`;
      await db.as(c.stranger);
      expect(await visibleGroups(db, [c.group])).toEqual([]);

      const inv2 = await invite(db, c.owner, c.group, c.other);
      await db.as(c.other);
      expect(await visibleGroups(db, [c.group])).toEqual([c.group]);
      await db.asSuperuser();
      await db.q`update social.group_invites set expires_at = now() - interval '1 second' where id = ${inv2.id}`;
      await db.as(c.other);
      expect(await visibleGroups(db, [c.group])).toEqual([]);
    });
  });
});

describe("listing groups", () => {
  it("lists public and private groups, never secret ones, not even to their members", async () => {
    await withDb(async (db) => {
      const owner = await db.createUser();
      const city = `City-${crypto.randomUUID()}`;
      const pub = await createGroup(db, owner, { visibility: "public", city });
      const priv = await createGroup(db, owner, { visibility: "private", city });
      await createGroup(db, owner, { visibility: "secret", city });
      await db.as(owner);
      const rows = await db.q<{ id: string }[]>`select id from social.list_groups(p_city => ${city})`;
      expect(rows.map((r) => r.id).sort()).toEqual([pub, priv].sort());
      await db.asAnon();
      const anon = await db.q<{ id: string }[]>`select id from social.list_groups(p_city => ${city})`;
      expect(anon.map((r) => r.id)).toEqual([pub]);
    });
  });

  it("filters by city (any case), tag, kind and name", async () => {
    await withDb(async (db) => {
      const owner = await db.createUser();
      const city = `Town-${crypto.randomUUID()}`;
      const runners = await createGroup(db, owner, { name: "Sunrise runners", city, tags: ["running"], kind: "club" });
      const lifters = await createGroup(db, owner, { name: "Iron lifters", city, tags: ["gym"], kind: "general" });
      const coach = await createGroup(db, owner, {
        name: "Coach Ana",
        city,
        tags: ["running"],
        kind: "coaching",
        visibility: "public",
      });
      await createGroup(db, owner, { name: "Elsewhere runners", city: `${city}-x`, tags: ["running"] });
      const stranger = await db.createUser();
      await db.as(stranger);
      const ids = async (q: Promise<{ id: string }[]>) => (await q).map((r) => r.id).sort();
      expect(await ids(db.q`select id from social.list_groups(p_city => ${city.toUpperCase()})`)).toEqual(
        [runners, lifters, coach].sort(),
      );
      expect(await ids(db.q`select id from social.list_groups(p_city => ${city}, p_tag => 'RUNNING')`)).toEqual(
        [runners, coach].sort(),
      );
      expect(await ids(db.q`select id from social.list_groups(p_city => ${city}, p_kind => 'coaching')`)).toEqual([
        coach,
      ]);
      expect(await ids(db.q`select id from social.list_groups(p_city => ${city}, p_query => 'iron')`)).toEqual([
        lifters,
      ]);
      // wildcards in the query are taken literally
      expect(await ids(db.q`select id from social.list_groups(p_city => ${city}, p_query => '%')`)).toEqual([]);
    });
  });

  it("pages newest first with the server's cursor", async () => {
    await withDb(async (db) => {
      const owner = await db.createUser();
      const city = `Paged-${crypto.randomUUID()}`;
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        made.push(await createGroup(db, owner, { name: `Group ${i}`, city }));
        await db.asSuperuser();
        // distinct creation times (one transaction has one now())
        await db.q`update social.groups set created_at = now() - make_interval(mins => ${10 - i}) where id = ${made[i]!}`;
      }
      await db.as(owner);
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 5; page++) {
        const rows: { id: string; next_cursor: string | null }[] = await db.q<
          { id: string; next_cursor: string | null }[]
        >`
          select id, next_cursor from social.list_groups(p_city => ${city}, p_cursor => ${cursor}, p_limit => 2)`;
        seen.push(...rows.map((r) => r.id));
        cursor = rows[0]?.next_cursor ?? null;
        if (cursor === null) break;
      }
      expect(cursor).toBeNull();
      expect(seen).toEqual([...made].reverse());
    });
  });
});

describe("updating and deleting a group", () => {
  it("lets the owner and admins edit it, and nobody else", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      for (const who of [c.owner, c.admin]) {
        await db.as(who);
        const res = await db.q`update social.groups set description = ${`by ${who}`} where id = ${c.group}`;
        expect(res.count, asRole(c, who)).toBe(1);
      }
      for (const who of [c.moderator, c.member, c.pending, c.banned, c.stranger, c.other]) {
        await db.as(who);
        const res = await db.q`update social.groups set name = 'Hijacked' where id = ${c.group}`;
        expect(res.count, asRole(c, who)).toBe(0);
      }
      await db.asAnon();
      expect((await refused(db, (tx) => tx`update social.groups set name = 'Hijacked' where id = ${c.group}`))[0]).toBe(
        "42501",
      );
      await db.asSuperuser();
      const [row] = await db.q`select name, description from social.groups where id = ${c.group}`;
      expect(row).toEqual({ name: "Test group", description: `by ${c.admin}` });
    });
  });

  it("keeps owner, counts and kind out of clients' reach", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      await db.as(c.owner);
      for (const set of ["owner_id = owner_id", "member_count = 1000", "kind = 'club'", "created_at = now()"]) {
        expect(
          (await refused(db, (tx) => tx.unsafe(`update social.groups set ${set} where id = $1`, [c.group])))[0],
        ).toBe("42501");
      }
    });
  });

  it("lets only the owner delete it, taking memberships, invites and announcements along", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      await invite(db, c.owner, c.group, c.stranger);
      await db.as(c.owner);
      await db.q`select social.create_announcement(${c.group}, 'Hello')`;
      for (const who of [c.admin, c.moderator, c.member, c.stranger, c.other]) {
        await db.as(who);
        expect((await db.q`delete from social.groups where id = ${c.group}`).count, asRole(c, who)).toBe(0);
      }
      await db.asAnon();
      expect((await refused(db, (tx) => tx`delete from social.groups where id = ${c.group}`))[0]).toBe("42501");
      await db.as(c.owner);
      expect((await db.q`delete from social.groups where id = ${c.group}`).count).toBe(1);
      await db.asSuperuser();
      const [left] = await db.q`
        select (select count(*)::int from social.group_members where group_id = ${c.group}) as members,
               (select count(*)::int from social.group_invites where group_id = ${c.group}) as invites,
               (select count(*)::int from social.announcements where group_id = ${c.group}) as announcements`;
      expect(left).toEqual({ members: 0, invites: 0, announcements: 0 });
    });
  });
});

describe("joining a group", () => {
  it("makes a user an active member of an open group at once, idempotently", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "open" });
      await db.as(c.stranger);
      const [row] = await db.q<MemberRow[]>`select * from social.join_group(${c.group})`;
      expect(row).toMatchObject({ role: "member", status: "active" });
      await db.q`select social.join_group(${c.group})`;
      expect(await memberCount(db, c.group)).toEqual({ stored: 5, actual: 5 });
    });
  });

  it("turns joining a request group into a pending join request row that staff approve", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "request" });
      await db.as(c.stranger);
      const [row] = await db.q<MemberRow[]>`select * from social.join_group(${c.group})`;
      expect(row).toMatchObject({ status: "pending", joined_at: null });
      expect(await memberCount(db, c.group)).toEqual({ stored: 4, actual: 4 });
      // a requester sees their request and the group, not its content
      await db.as(c.stranger);
      expect(
        await db.q`select status from social.group_members where group_id = ${c.group} and user_id = ${c.stranger}`,
      ).toEqual([{ status: "pending" }]);
      // members, a stranger and staff of another group cannot approve
      for (const who of [c.member, c.pending, c.other]) {
        await db.as(who);
        expect(
          await refused(db, (tx) => tx`select social.approve_join_request(${c.group}, ${c.stranger})`),
          asRole(c, who),
        ).toEqual(["42501", "not_group_staff"]);
      }
      await db.as(c.moderator);
      const [approved] = await db.q<MemberRow[]>`select * from social.approve_join_request(${c.group}, ${c.stranger})`;
      expect(approved).toMatchObject({ status: "active" });
      expect(approved!.joined_at).not.toBeNull();
      expect(await memberCount(db, c.group)).toEqual({ stored: 5, actual: 5 });
    });
  });

  it("lets staff decline a join request, and says when there is none", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "request" });
      await db.as(c.member);
      expect(await refused(db, (tx) => tx`select social.decline_join_request(${c.group}, ${c.pending})`)).toEqual([
        "42501",
        "not_group_staff",
      ]);
      await db.as(c.admin);
      expect(await db.q`select social.decline_join_request(${c.group}, ${c.pending}) as ok`).toEqual([{ ok: true }]);
      expect(await db.q`select social.decline_join_request(${c.group}, ${c.pending}) as ok`).toEqual([{ ok: false }]);
      expect(await refused(db, (tx) => tx`select social.approve_join_request(${c.group}, ${c.stranger})`)).toEqual([
        "PT404",
        "join_request_not_found",
      ]);
      expect(await membership(db, c.group, c.pending)).toBeUndefined();
    });
  });

  it("refuses joining an invite-only group without an invite, and admits with one", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.join_group(${c.group})`)).toEqual(["42501", "invite_required"]);
      await invite(db, c.admin, c.group, c.stranger);
      await db.as(c.stranger);
      const [row] = await db.q<MemberRow[]>`select * from social.join_group(${c.group})`;
      expect(row).toMatchObject({ status: "active", invited_by: c.admin });
    });
  });

  it("hides a secret group from joiners without an invite, whatever its join policy", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "secret", joinPolicy: "open" });
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.join_group(${c.group})`)).toEqual(["PT404", "group_not_found"]);
      // a requester left over from when it was listed still cannot just walk in
      await db.as(c.pending);
      expect(await db.q`select status from social.join_group(${c.group})`).toEqual([{ status: "pending" }]);
      await invite(db, c.owner, c.group, c.stranger);
      await db.as(c.stranger);
      expect(await db.q`select status from social.join_group(${c.group})`).toEqual([{ status: "active" }]);
    });
  });

  it("refuses banned users, users blocked with the owner, anon and unknown groups", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "open" });
      await db.as(c.banned);
      expect(await refused(db, (tx) => tx`select social.join_group(${c.group})`)).toEqual(["42501", "banned"]);
      await db.as(c.owner);
      await db.q`select social.block(${c.stranger})`;
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.join_group(${c.group})`)).toEqual(["42501", "blocked"]);
      await db.as(c.other);
      expect(await refused(db, (tx) => tx`select social.join_group(${crypto.randomUUID()})`)).toEqual([
        "PT404",
        "group_not_found",
      ]);
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select social.join_group(${c.group})`))[0]).toBe("42501");
      expect(await memberCount(db, c.group)).toEqual({ stored: 4, actual: 4 });
    });
  });

  it("refuses a tiered group to users without the tier", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "open", tier: "gold" });
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.join_group(${c.group})`)).toEqual(["42501", "tier_required"]);
      // invites do not bypass the tier either
      await invite(db, c.owner, c.group, c.other);
      await db.as(c.other);
      expect(await refused(db, (tx) => tx`select social.join_group(${c.group})`)).toEqual(["42501", "tier_required"]);
      const l = await link(db, c.owner, c.group);
      await db.as(c.other);
      expect(await refused(db, (tx) => tx`select social.join_group_with_token(${l.token})`)).toEqual([
        "42501",
        "tier_required",
      ]);
      await db.asSuperuser();
      expect(await db.q`select use_count from social.group_invites where id = ${l.id}`).toEqual([{ use_count: 0 }]);
    });
  });

  it("admits users whose subscription grants the tier; an ended one does not (premium entitlements)", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "open", tier: "gold" });
      await db.asService();
      await db.q`insert into social.premium_tiers (tier, rank, name) values ('gold', 50, 'Gold') on conflict do nothing`;
      await db.q`
        insert into social.plans (id, tier, name, interval, stripe_price_id, amount_cents, currency)
        values ('gold-monthly', 'gold', 'Gold', 'month', 'price_gold_monthly', 900, 'EUR') on conflict do nothing`;
      for (const [user, status, end] of [
        [c.stranger, "active", 30],
        [c.other, "active", -30],
      ] as const) {
        const customer = `cus_${user.replace(/-/g, "").slice(0, 16)}`;
        await db.q`select social.link_billing_customer(${user}, ${customer})`;
        await db.q`select social.apply_stripe_subscription(${db.q.json({
          id: `sub_${user.replace(/-/g, "").slice(0, 16)}`,
          customer,
          status,
          price_id: "price_gold_monthly",
          current_period_start: Math.floor(Date.now() / 1000) - 86400 * 60,
          current_period_end: Math.floor(Date.now() / 1000) + 86400 * end,
        })})`;
      }
      await db.as(c.stranger);
      expect(await db.q`select status from social.join_group(${c.group})`).toEqual([{ status: "active" }]);
      await db.as(c.other);
      expect(await refused(db, (tx) => tx`select social.join_group(${c.group})`)).toEqual(["42501", "tier_required"]);
    });
  });
});

describe("invites addressed to a user", () => {
  it("lets staff invite; the invitee sees the invite and accepts it into an active membership", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "private", joinPolicy: "invite" });
      const inv = await invite(db, c.moderator, c.group, c.stranger);
      expect(inv).toMatchObject({ invitee_id: c.stranger, inviter_id: c.moderator, token: null, accepted_at: null });
      expect(inv.expires_at!.getTime()).toBeGreaterThan(Date.now() + 29 * 86400_000);
      await db.as(c.stranger);
      expect(await db.q`select id from social.group_invites where group_id = ${c.group}`).toEqual([{ id: inv.id }]);
      const [row] = await db.q<MemberRow[]>`select * from social.accept_group_invite(${inv.id})`;
      expect(row).toMatchObject({ status: "active", role: "member", invited_by: c.moderator });
      // a retried accept returns the same membership
      expect(await db.q`select status from social.accept_group_invite(${inv.id})`).toEqual([{ status: "active" }]);
      await db.asSuperuser();
      const [after] = await db.q<InviteRow[]>`select * from social.group_invites where id = ${inv.id}`;
      expect(after!.accepted_at).not.toBeNull();
      expect(await memberCount(db, c.group)).toEqual({ stored: 5, actual: 5 });
    });
  });

  it("turns a pending request into membership when its requester accepts an invite", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "request" });
      const inv = await invite(db, c.owner, c.group, c.pending);
      await db.as(c.pending);
      expect(await db.q`select status from social.accept_group_invite(${inv.id})`).toEqual([{ status: "active" }]);
      expect(await memberCount(db, c.group)).toEqual({ stored: 5, actual: 5 });
    });
  });

  it("lets the invitee decline; a declined invite cannot be accepted and a new one can be sent", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      const inv = await invite(db, c.owner, c.group, c.stranger);
      await db.as(c.other);
      expect(await refused(db, (tx) => tx`select social.decline_group_invite(${inv.id})`)).toEqual([
        "PT404",
        "invite_not_found",
      ]);
      await db.as(c.stranger);
      const [declined] = await db.q<InviteRow[]>`select * from social.decline_group_invite(${inv.id})`;
      expect(declined!.declined_at).not.toBeNull();
      expect(await refused(db, (tx) => tx`select social.accept_group_invite(${inv.id})`)).toEqual([
        "22023",
        "invite_closed",
      ]);
      const again = await invite(db, c.owner, c.group, c.stranger);
      expect(again.id).not.toBe(inv.id);
    });
  });

  it("lets nobody but the invitee accept an invite", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      const inv = await invite(db, c.owner, c.group, c.stranger);
      for (const who of [c.other, c.member, c.owner]) {
        await db.as(who);
        expect(await refused(db, (tx) => tx`select social.accept_group_invite(${inv.id})`), asRole(c, who)).toEqual([
          "PT404",
          "invite_not_found",
        ]);
      }
      expect(await membership(db, c.group, c.stranger)).toBeUndefined();
    });
  });

  it("returns the open invite when inviting again, and replaces an expired one", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      const first = await invite(db, c.owner, c.group, c.stranger);
      const second = await invite(db, c.admin, c.group, c.stranger);
      expect(second.id).toBe(first.id);
      await db.asSuperuser();
      await db.q`update social.group_invites set expires_at = now() - interval '1 minute' where id = ${first.id}`;
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.accept_group_invite(${first.id})`)).toEqual([
        "42501",
        "invite_expired",
      ]);
      const third = await invite(db, c.owner, c.group, c.stranger);
      expect(third.id).not.toBe(first.id);
      await db.as(c.stranger);
      expect(await db.q`select status from social.accept_group_invite(${third.id})`).toEqual([{ status: "active" }]);
    });
  });

  it("refuses inviting members, banned users, oneself, blocked users, unknown users and bad expiries", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      await db.as(c.owner);
      const attempts: [string, [string, string]][] = [
        [c.member, ["PT409", "already_member"]],
        [c.banned, ["42501", "user_banned"]],
        [c.owner, ["22023", "invalid_target"]],
        [crypto.randomUUID(), ["PT404", "profile_not_found"]],
      ];
      for (const [user, expected] of attempts) {
        expect(
          await refused(db, (tx) => tx`select social.invite_to_group(${c.group}, ${user})`),
          `inviting ${nameOf(c, user)}`,
        ).toEqual(expected);
      }
      await db.as(c.stranger);
      await db.q`select social.block(${c.owner})`;
      await db.as(c.admin);
      expect(await refused(db, (tx) => tx`select social.invite_to_group(${c.group}, ${c.stranger})`)).toEqual([
        "42501",
        "blocked",
      ]);
      expect(
        await refused(db, (tx) => tx`select social.invite_to_group(${c.group}, ${c.other}, now() - interval '1 day')`),
      ).toEqual(["22023", "invalid_expiry"]);
    });
  });

  it("refuses invites from members, requesters, banned users, strangers and anon in a club", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { kind: "club", joinPolicy: "invite" });
      const target = await db.createUser();
      for (const who of [c.member, c.pending, c.banned, c.other]) {
        await db.as(who);
        expect(
          await refused(db, (tx) => tx`select social.invite_to_group(${c.group}, ${target})`),
          asRole(c, who),
        ).toEqual(["42501", "not_allowed_to_invite"]);
      }
      await db.as(c.stranger);
      expect((await refused(db, (tx) => tx`select social.invite_to_group(${c.group}, ${target})`))[0]).toBe("42501");
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select social.invite_to_group(${c.group}, ${target})`))[0]).toBe("42501");
      for (const who of [c.owner, c.admin, c.moderator]) {
        await db.as(who);
        await db.q`select social.invite_to_group(${c.group}, ${await db.createUser()})`;
      }
    });
  });

  it("in a coaching group lets only the trainer invite trainees", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { kind: "coaching" });
      const trainee = await db.createUser();
      for (const who of [c.admin, c.moderator, c.member]) {
        await db.as(who);
        expect(
          await refused(db, (tx) => tx`select social.invite_to_group(${c.group}, ${trainee})`),
          asRole(c, who),
        ).toEqual(["42501", "not_allowed_to_invite"]);
        expect(
          await refused(db, (tx) => tx`select social.create_group_invite_link(${c.group})`),
          asRole(c, who),
        ).toEqual(["42501", "not_allowed_to_invite"]);
      }
      const inv = await invite(db, c.owner, c.group, trainee);
      await db.as(trainee);
      expect(await refused(db, (tx) => tx`select social.join_group(${crypto.randomUUID()})`)).toEqual([
        "PT404",
        "group_not_found",
      ]);
      expect(await db.q`select status from social.accept_group_invite(${inv.id})`).toEqual([{ status: "active" }]);
      // trainees cannot bring others in
      expect(await refused(db, (tx) => tx`select social.invite_to_group(${c.group}, ${c.stranger})`)).toEqual([
        "42501",
        "not_allowed_to_invite",
      ]);
    });
  });

  it("lets the inviter and the group's owner and admins revoke an invite, and nobody else", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      const byMod = await invite(db, c.moderator, c.group, c.stranger);
      for (const who of [c.member, c.other]) {
        await db.as(who);
        expect(await refused(db, (tx) => tx`select social.revoke_group_invite(${byMod.id})`), asRole(c, who)).toEqual([
          "PT404",
          "invite_not_found",
        ]);
      }
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.revoke_group_invite(${byMod.id})`)).toEqual([
        "42501",
        "insufficient_role",
      ]);
      await db.as(c.moderator);
      const [revoked] = await db.q<InviteRow[]>`select * from social.revoke_group_invite(${byMod.id})`;
      expect(revoked!.revoked_at).not.toBeNull();
      // idempotent
      const [again] = await db.q<InviteRow[]>`select * from social.revoke_group_invite(${byMod.id})`;
      expect(again!.revoked_at).toEqual(revoked!.revoked_at);
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.accept_group_invite(${byMod.id})`)).toEqual([
        "42501",
        "invite_revoked",
      ]);

      const byOwner = await invite(db, c.owner, c.group, c.other);
      await db.as(c.moderator);
      expect(await refused(db, (tx) => tx`select social.revoke_group_invite(${byOwner.id})`)).toEqual([
        "42501",
        "insufficient_role",
      ]);
      await db.as(c.admin);
      await db.q`select social.revoke_group_invite(${byOwner.id})`;
    });
  });

  it("shows an invite to its invitee, its inviter and the group's staff only", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      const inv = await invite(db, c.moderator, c.group, c.stranger);
      const seen = async () => (await db.q`select id from social.group_invites where id = ${inv.id}`).length;
      for (const who of [c.owner, c.admin, c.moderator, c.stranger]) {
        await db.as(who);
        expect(await seen(), asRole(c, who)).toBe(1);
      }
      for (const who of [c.member, c.pending, c.banned, c.other]) {
        await db.as(who);
        expect(await seen(), asRole(c, who)).toBe(0);
      }
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select id from social.group_invites`))[0]).toBe("42501");
    });
  });

  it("allows no direct writes to invites", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      const inv = await invite(db, c.owner, c.group, c.stranger);
      await db.as(c.owner);
      expect(
        (
          await refused(
            db,
            (tx) =>
              tx`insert into social.group_invites (group_id, inviter_id, invitee_id) values (${c.group}, ${c.owner}, ${c.other})`,
          )
        )[0],
      ).toBe("42501");
      await db.as(c.stranger);
      expect(
        (await refused(db, (tx) => tx`update social.group_invites set accepted_at = now() where id = ${inv.id}`))[0],
      ).toBe("42501");
      expect((await refused(db, (tx) => tx`delete from social.group_invites where id = ${inv.id}`))[0]).toBe("42501");
    });
  });

  it("revokes a user's open invites when they are banned", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      const inv = await invite(db, c.owner, c.group, c.stranger);
      await db.as(c.moderator);
      await db.q`select social.ban_group_member(${c.group}, ${c.stranger})`;
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.accept_group_invite(${inv.id})`)).toEqual([
        "42501",
        "invite_revoked",
      ]);
    });
  });
});

describe("invite links", () => {
  it("admits anyone holding the token, counts uses, and keeps the token from members and strangers", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "secret", joinPolicy: "invite" });
      const l = await link(db, c.admin, c.group);
      expect(l.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(l.invitee_id).toBeNull();
      expect(l.expires_at!.getTime()).toBeGreaterThan(Date.now() + 6 * 86400_000);
      expect(l.expires_at!.getTime()).toBeLessThan(Date.now() + 8 * 86400_000);
      for (const who of [c.member, c.stranger, c.other]) {
        await db.as(who);
        expect(await db.q`select token from social.group_invites where group_id = ${c.group}`, asRole(c, who)).toEqual(
          [],
        );
      }
      await db.as(c.stranger);
      const [preview] = await db.q`select * from social.preview_group_invite(${l.token})`;
      expect(preview).toMatchObject({ group_id: c.group, name: "Test group", visibility: "secret", member_count: 4 });
      const [row] = await db.q<MemberRow[]>`select * from social.join_group_with_token(${l.token})`;
      expect(row).toMatchObject({ status: "active", invited_by: c.admin });
      // redeeming again as a member uses no slot
      await db.q`select social.join_group_with_token(${l.token})`;
      await db.as(c.other);
      await db.q`select social.join_group_with_token(${l.token})`;
      await db.asSuperuser();
      expect(await db.q`select use_count from social.group_invites where id = ${l.id}`).toEqual([{ use_count: 2 }]);
      expect(await memberCount(db, c.group)).toEqual({ stored: 6, actual: 6 });
    });
  });

  it("stops admitting when used up", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      const l = await link(db, c.owner, c.group, 1);
      await db.as(c.stranger);
      await db.q`select social.join_group_with_token(${l.token})`;
      await db.as(c.other);
      expect(await refused(db, (tx) => tx`select social.join_group_with_token(${l.token})`)).toEqual([
        "42501",
        "invite_exhausted",
      ]);
      expect(await refused(db, (tx) => tx`select social.preview_group_invite(${l.token})`)).toEqual([
        "PT404",
        "invite_not_found",
      ]);
      expect(await membership(db, c.group, c.other)).toBeUndefined();
    });
  });

  it("stops admitting once expired or revoked, and never for an unknown token", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      const expired = await link(db, c.owner, c.group);
      const revoked = await link(db, c.owner, c.group);
      await db.asSuperuser();
      await db.q`update social.group_invites set expires_at = now() - interval '1 second' where id = ${expired.id}`;
      await db.as(c.admin);
      await db.q`select social.revoke_group_invite(${revoked.id})`;
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.join_group_with_token(${expired.token})`)).toEqual([
        "42501",
        "invite_expired",
      ]);
      expect(await refused(db, (tx) => tx`select social.join_group_with_token(${revoked.token})`)).toEqual([
        "42501",
        "invite_revoked",
      ]);
      expect(await refused(db, (tx) => tx`select social.join_group_with_token('not-a-real-token-at-all')`)).toEqual([
        "PT404",
        "invite_not_found",
      ]);
      for (const token of [expired.token, revoked.token]) {
        expect(await refused(db, (tx) => tx`select social.preview_group_invite(${token})`)).toEqual([
          "PT404",
          "invite_not_found",
        ]);
      }
      expect(await membership(db, c.group, c.stranger)).toBeUndefined();
    });
  });

  it("refuses banned users, anon, and links from non-staff or with bad limits", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "invite" });
      const l = await link(db, c.moderator, c.group);
      await db.as(c.banned);
      expect(await refused(db, (tx) => tx`select social.join_group_with_token(${l.token})`)).toEqual([
        "42501",
        "banned",
      ]);
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select social.join_group_with_token(${l.token})`))[0]).toBe("42501");
      expect((await refused(db, (tx) => tx`select social.preview_group_invite(${l.token})`))[0]).toBe("42501");
      await db.as(c.member);
      expect(await refused(db, (tx) => tx`select social.create_group_invite_link(${c.group})`)).toEqual([
        "42501",
        "not_allowed_to_invite",
      ]);
      await db.as(c.owner);
      expect(await refused(db, (tx) => tx`select social.create_group_invite_link(${c.group}, null, 0)`)).toEqual([
        "22023",
        "invalid_max_uses",
      ]);
      expect(
        await refused(db, (tx) => tx`select social.create_group_invite_link(${c.group}, now() + interval '2 years')`),
      ).toEqual(["22023", "invalid_expiry"]);
    });
  });
});

describe("leaving a group", () => {
  it("lets members leave and requesters cancel, and counts it", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      for (const who of [c.member, c.moderator, c.admin, c.pending]) {
        await db.as(who);
        expect(await db.q`select social.leave_group(${c.group}) as left`, asRole(c, who)).toEqual([{ left: true }]);
        expect(await membership(db, c.group, who), asRole(c, who)).toBeUndefined();
      }
      expect(await memberCount(db, c.group)).toEqual({ stored: 1, actual: 1 });
    });
  });

  it("keeps a ban when the banned user tries to leave, and does nothing for non-members", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      for (const who of [c.banned, c.stranger]) {
        await db.as(who);
        expect(await db.q`select social.leave_group(${c.group}) as left`, asRole(c, who)).toEqual([{ left: false }]);
      }
      expect(await membership(db, c.group, c.banned)).toMatchObject({ status: "banned" });
    });
  });

  it("does not let the owner leave without transferring ownership", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      await db.as(c.owner);
      expect(await refused(db, (tx) => tx`select social.leave_group(${c.group})`)).toEqual([
        "42501",
        "owner_must_transfer",
      ]);
      await db.q`select social.transfer_group_ownership(${c.group}, ${c.member})`;
      expect(await db.q`select social.leave_group(${c.group}) as left`).toEqual([{ left: true }]);
      expect(await owners(db, c.group)).toEqual({ ownerId: c.member, ownerRows: [c.member] });
    });
  });
});

describe("removing members", () => {
  it("lets staff remove members of a lower rank only", async () => {
    await withDb(async (db) => {
      const allowed: [keyof GroupCast, keyof GroupCast][] = [
        ["moderator", "member"],
        ["moderator", "pending"],
        ["admin", "moderator"],
        ["owner", "admin"],
      ];
      for (const [actor, target] of allowed) {
        await db.tx.savepoint(async () => {
          const c = await groupCast(db);
          await db.as(c[actor]);
          expect(
            await db.q`select social.remove_group_member(${c.group}, ${c[target]}) as removed`,
            `as ${actor} removing ${target}`,
          ).toEqual([{ removed: true }]);
          expect(await membership(db, c.group, c[target]), `as ${actor} removing ${target}`).toBeUndefined();
        });
      }
    });
  });

  it("refuses removing equal or higher ranks, the owner, and removals by non-staff", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      const denied: [keyof GroupCast, keyof GroupCast, [string, string]][] = [
        ["moderator", "moderator", ["22023", "invalid_target"]],
        ["moderator", "admin", ["42501", "insufficient_role"]],
        ["admin", "admin", ["22023", "invalid_target"]],
        ["admin", "owner", ["42501", "owner_protected"]],
        ["moderator", "owner", ["42501", "owner_protected"]],
        ["member", "pending", ["42501", "not_group_staff"]],
        ["pending", "member", ["42501", "not_group_staff"]],
        ["banned", "member", ["42501", "not_group_staff"]],
        ["stranger", "member", ["42501", "not_group_staff"]],
        ["other", "member", ["42501", "not_group_staff"]],
      ];
      for (const [actor, target, expected] of denied) {
        await db.as(c[actor]);
        expect(
          await refused(db, (tx) => tx`select social.remove_group_member(${c.group}, ${c[target]})`),
          `as ${actor} removing ${target}`,
        ).toEqual(expected);
      }
      const second = await db.createUser();
      await db.asSuperuser();
      await db.q`insert into social.group_members (group_id, user_id, role) values (${c.group}, ${second}, 'admin')`;
      await db.as(c.admin);
      expect(await refused(db, (tx) => tx`select social.remove_group_member(${c.group}, ${second})`)).toEqual([
        "42501",
        "insufficient_role",
      ]);
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select social.remove_group_member(${c.group}, ${c.member})`))[0]).toBe(
        "42501",
      );
      expect(await memberCount(db, c.group)).toEqual({ stored: 5, actual: 5 });
    });
  });

  it("allows no direct writes to memberships", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      await db.as(c.owner);
      expect(
        (
          await refused(
            db,
            (tx) => tx`insert into social.group_members (group_id, user_id) values (${c.group}, ${c.stranger})`,
          )
        )[0],
      ).toBe("42501");
      expect(
        (await refused(db, (tx) => tx`update social.group_members set role = 'admin' where user_id = ${c.member}`))[0],
      ).toBe("42501");
      await db.as(c.banned);
      expect((await refused(db, (tx) => tx`delete from social.group_members where user_id = ${c.banned}`))[0]).toBe(
        "42501",
      );
      await db.as(c.stranger);
      expect(
        (
          await refused(
            db,
            (tx) => tx`insert into social.group_members (group_id, user_id) values (${c.group}, ${c.stranger})`,
          )
        )[0],
      ).toBe("42501");
    });
  });
});

describe("bans", () => {
  it("bars a banned member: out of the count, cannot rejoin or read, sees their own ban", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "open" });
      await db.as(c.moderator);
      const [row] = await db.q<MemberRow[]>`select * from social.ban_group_member(${c.group}, ${c.member})`;
      expect(row).toMatchObject({ status: "banned", role: "member", joined_at: null });
      expect(await memberCount(db, c.group)).toEqual({ stored: 3, actual: 3 });
      await db.as(c.member);
      expect(await refused(db, (tx) => tx`select social.join_group(${c.group})`)).toEqual(["42501", "banned"]);
      expect(await db.q`select status from social.group_members where group_id = ${c.group}`).toEqual([
        { status: "banned" },
      ]);
      expect(await db.q`select social_private.can_read_group(${c.group}) as ok`).toEqual([{ ok: false }]);
      // idempotent
      await db.as(c.moderator);
      await db.q`select social.ban_group_member(${c.group}, ${c.member})`;
    });
  });

  it("follows the ranks: never the owner, admins not admins, moderators only members", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      const second = await db.createUser();
      await db.asSuperuser();
      await db.q`insert into social.group_members (group_id, user_id, role) values (${c.group}, ${second}, 'admin')`;
      const denied: [string, string, [string, string]][] = [
        [c.admin, c.owner, ["42501", "owner_protected"]],
        [c.moderator, c.owner, ["42501", "owner_protected"]],
        [c.admin, second, ["42501", "insufficient_role"]],
        [c.moderator, c.admin, ["42501", "insufficient_role"]],
        [c.member, c.pending, ["42501", "not_group_staff"]],
        [c.other, c.member, ["42501", "not_group_staff"]],
        [c.owner, c.owner, ["22023", "invalid_target"]],
      ];
      for (const [actor, target, expected] of denied) {
        await db.as(actor);
        expect(
          await refused(db, (tx) => tx`select social.ban_group_member(${c.group}, ${target})`),
          `${asRole({ ...c, second }, actor)} banning ${nameOf({ ...c, second }, target)}`,
        ).toEqual(expected);
      }
      const [mod] = [await db.createUser()];
      await db.asSuperuser();
      await db.q`insert into social.group_members (group_id, user_id, role) values (${c.group}, ${mod}, 'moderator')`;
      await db.as(c.moderator);
      expect(await refused(db, (tx) => tx`select social.ban_group_member(${c.group}, ${mod})`)).toEqual([
        "42501",
        "insufficient_role",
      ]);
      await db.as(c.admin);
      await db.q`select social.ban_group_member(${c.group}, ${c.moderator})`;
      await db.as(c.owner);
      await db.q`select social.ban_group_member(${c.group}, ${c.admin})`;
      expect(await membership(db, c.group, c.admin)).toMatchObject({ status: "banned", role: "member" });
      expect(await owners(db, c.group)).toEqual({ ownerId: c.owner, ownerRows: [c.owner] });
    });
  });

  it("bans a non-member ahead of time, and unbanning lets them join again", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "open" });
      await db.as(c.moderator);
      await db.q`select social.ban_group_member(${c.group}, ${c.stranger})`;
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.join_group(${c.group})`)).toEqual(["42501", "banned"]);
      for (const who of [c.member, c.stranger, c.other]) {
        await db.as(who);
        expect(
          (await refused(db, (tx) => tx`select social.unban_group_member(${c.group}, ${c.stranger})`))[1],
          asRole(c, who),
        ).toBe("not_group_staff");
      }
      await db.as(c.moderator);
      expect(await db.q`select social.unban_group_member(${c.group}, ${c.stranger}) as ok`).toEqual([{ ok: true }]);
      expect(await db.q`select social.unban_group_member(${c.group}, ${c.stranger}) as ok`).toEqual([{ ok: false }]);
      // unban never removes a real member
      expect(await db.q`select social.unban_group_member(${c.group}, ${c.member}) as ok`).toEqual([{ ok: false }]);
      await db.as(c.stranger);
      expect(await db.q`select status from social.join_group(${c.group})`).toEqual([{ status: "active" }]);
    });
  });

  it("refuses banning an unknown user", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      await db.as(c.owner);
      expect(await refused(db, (tx) => tx`select social.ban_group_member(${c.group}, ${crypto.randomUUID()})`)).toEqual(
        ["PT404", "profile_not_found"],
      );
    });
  });
});

describe("roles", () => {
  it("lets the owner make admins and moderators, and demote them", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      await db.as(c.owner);
      expect(await db.q`select role from social.set_group_member_role(${c.group}, ${c.member}, 'admin')`).toEqual([
        { role: "admin" },
      ]);
      expect(await db.q`select role from social.set_group_member_role(${c.group}, ${c.admin}, 'member')`).toEqual([
        { role: "member" },
      ]);
      // idempotent
      expect(await db.q`select role from social.set_group_member_role(${c.group}, ${c.admin}, 'member')`).toEqual([
        { role: "member" },
      ]);
    });
  });

  it("lets admins manage moderators and members but not make or touch admins", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      await db.as(c.admin);
      expect(await db.q`select role from social.set_group_member_role(${c.group}, ${c.member}, 'moderator')`).toEqual([
        { role: "moderator" },
      ]);
      expect(await db.q`select role from social.set_group_member_role(${c.group}, ${c.moderator}, 'member')`).toEqual([
        { role: "member" },
      ]);
      expect(
        await refused(db, (tx) => tx`select social.set_group_member_role(${c.group}, ${c.member}, 'admin')`),
      ).toEqual(["42501", "insufficient_role"]);
      const second = await db.createUser();
      await db.asSuperuser();
      await db.q`insert into social.group_members (group_id, user_id, role) values (${c.group}, ${second}, 'admin')`;
      await db.as(c.admin);
      expect(
        await refused(db, (tx) => tx`select social.set_group_member_role(${c.group}, ${second}, 'member')`),
      ).toEqual(["42501", "insufficient_role"]);
      expect(
        await refused(db, (tx) => tx`select social.set_group_member_role(${c.group}, ${c.owner}, 'member')`),
      ).toEqual(["42501", "owner_protected"]);
    });
  });

  it("refuses role changes by moderators, members and outsiders, to owner, and of non-members", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      for (const who of [c.moderator, c.member, c.pending, c.banned, c.stranger, c.other]) {
        await db.as(who);
        expect(
          await refused(db, (tx) => tx`select social.set_group_member_role(${c.group}, ${c.member}, 'moderator')`),
          asRole(c, who),
        ).toEqual(["42501", "not_group_admin"]);
      }
      await db.as(c.owner);
      expect(
        await refused(db, (tx) => tx`select social.set_group_member_role(${c.group}, ${c.member}, 'owner')`),
      ).toEqual(["22023", "invalid_role"]);
      for (const target of [c.pending, c.banned, c.stranger]) {
        expect(
          await refused(db, (tx) => tx`select social.set_group_member_role(${c.group}, ${target}, 'moderator')`),
          asRole(c, target),
        ).toEqual(["PT404", "member_not_found"]);
      }
      expect(await membership(db, c.group, c.member)).toMatchObject({ role: "member" });
    });
  });

  it("gives moderators their powers on promotion and takes them on demotion", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "request" });
      await db.as(c.member);
      expect((await refused(db, (tx) => tx`select social.approve_join_request(${c.group}, ${c.pending})`))[1]).toBe(
        "not_group_staff",
      );
      await db.as(c.owner);
      await db.q`select social.set_group_member_role(${c.group}, ${c.member}, 'moderator')`;
      await db.as(c.member);
      await db.q`select social.approve_join_request(${c.group}, ${c.pending})`;
      await db.as(c.owner);
      await db.q`select social.set_group_member_role(${c.group}, ${c.member}, 'member')`;
      await db.as(c.member);
      expect((await refused(db, (tx) => tx`select social.ban_group_member(${c.group}, ${c.pending})`))[1]).toBe(
        "not_group_staff",
      );
    });
  });
});

describe("ownership", () => {
  it("transfers to an active member: owner_id and roles move together, one owner remains", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      await db.as(c.owner);
      const [g] = await db.q`select owner_id from social.transfer_group_ownership(${c.group}, ${c.member})`;
      expect(g).toEqual({ owner_id: c.member });
      expect(await owners(db, c.group)).toEqual({ ownerId: c.member, ownerRows: [c.member] });
      expect(await membership(db, c.group, c.owner)).toMatchObject({ role: "admin", status: "active" });
      // the new owner has the owner's powers, the old one an admin's
      await db.as(c.owner);
      expect((await db.q`delete from social.groups where id = ${c.group}`).count).toBe(0);
      await db.as(c.member);
      await db.q`select social.set_group_member_role(${c.group}, ${c.owner}, 'member')`;
      expect(await memberCount(db, c.group)).toEqual({ stored: 4, actual: 4 });
    });
  });

  it("lets only the owner transfer, and only to another active member", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      for (const who of [c.admin, c.moderator, c.member, c.stranger]) {
        await db.as(who);
        expect(
          await refused(db, (tx) => tx`select social.transfer_group_ownership(${c.group}, ${who})`),
          asRole(c, who),
        ).toEqual(["42501", "not_group_owner"]);
      }
      await db.as(c.owner);
      for (const target of [c.pending, c.banned, c.stranger]) {
        expect(
          await refused(db, (tx) => tx`select social.transfer_group_ownership(${c.group}, ${target})`),
          asRole(c, target),
        ).toEqual(["PT404", "member_not_found"]);
      }
      expect(await refused(db, (tx) => tx`select social.transfer_group_ownership(${c.group}, ${c.owner})`)).toEqual([
        "22023",
        "invalid_target",
      ]);
      expect(await owners(db, c.group)).toEqual({ ownerId: c.owner, ownerRows: [c.owner] });
    });
  });

  it("keeps exactly one owner even against direct writes by the service role", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      await db.asService();
      expect(
        await refused(
          db,
          (tx) =>
            tx`update social.group_members set role = 'admin' where group_id = ${c.group} and user_id = ${c.owner}`,
        ),
      ).toEqual(["42501", "owner_must_transfer"]);
      expect(
        await refused(
          db,
          (tx) =>
            tx`update social.group_members set status = 'banned' where group_id = ${c.group} and user_id = ${c.owner}`,
        ),
      ).toEqual(["42501", "owner_must_transfer"]);
      expect(
        await refused(
          db,
          (tx) => tx`delete from social.group_members where group_id = ${c.group} and user_id = ${c.owner}`,
        ),
      ).toEqual(["42501", "owner_must_transfer"]);
      expect(
        await refused(
          db,
          (tx) =>
            tx`update social.group_members set role = 'owner' where group_id = ${c.group} and user_id = ${c.admin}`,
        ),
      ).toEqual(["22023", "invalid_role"]);
      expect(
        await refused(
          db,
          (tx) =>
            tx`insert into social.group_members (group_id, user_id, role) values (${c.group}, ${c.stranger}, 'owner')`,
        ),
      ).toEqual(["22023", "invalid_role"]);
      expect(
        await refused(db, (tx) => tx`update social.groups set owner_id = ${c.stranger} where id = ${c.group}`),
      ).toEqual(["PT404", "member_not_found"]);
      // the service role may transfer by moving owner_id to a member; the roles follow
      await db.q`update social.groups set owner_id = ${c.admin} where id = ${c.group}`;
      expect(await owners(db, c.group)).toEqual({ ownerId: c.admin, ownerRows: [c.admin] });
    });
  });

  it("has a unique index that refuses a second owner row even with triggers off", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db);
      await db.asSuperuser();
      await db.q`set local session_replication_role = replica`;
      const e = await db.error(
        (tx) => tx`update social.group_members set role = 'owner' where group_id = ${c.group} and user_id = ${c.admin}`,
      );
      expect(e.code).toBe("23505");
      await db.q`set local session_replication_role = origin`;
    });
  });
});

describe("member lists", () => {
  it("show a private group's active members to members only; staff also see requests and bans", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "private", joinPolicy: "request" });
      const list = async () =>
        (await db.q<{ user_id: string }[]>`select user_id from social.group_members where group_id = ${c.group}`)
          .map((r) => r.user_id)
          .sort();
      const active = [c.owner, c.admin, c.moderator, c.member].sort();
      const everyone = [...active, c.pending, c.banned].sort();
      for (const who of [c.owner, c.admin, c.moderator]) {
        await db.as(who);
        expect(await list(), asRole(c, who)).toEqual(everyone);
      }
      await db.as(c.member);
      expect(await list()).toEqual(active);
      // requesters and banned users see only their own row
      await db.as(c.pending);
      expect(await list()).toEqual([c.pending]);
      await db.as(c.banned);
      expect(await list()).toEqual([c.banned]);
      for (const who of [c.stranger, c.other]) {
        await db.as(who);
        expect(await list(), asRole(c, who)).toEqual([]);
      }
      await db.asAnon();
      expect((await refused(db, (tx) => tx`select * from social.group_members`))[0]).toBe("42501");
    });
  });

  it("show a public club's members to everyone signed in, but a public coaching group's to members only", async () => {
    await withDb(async (db) => {
      const club = await groupCast(db, { visibility: "public" });
      const coaching = await groupCast(db, { visibility: "public", kind: "coaching" });
      await db.as(club.stranger);
      const clubRows = await db.q`select user_id from social.group_members where group_id = ${club.group}`;
      expect(clubRows.length).toBe(4);
      const coachRows = await db.q`select user_id from social.group_members where group_id = ${coaching.group}`;
      expect(coachRows).toEqual([]);
      await db.as(coaching.member);
      expect((await db.q`select user_id from social.group_members where group_id = ${coaching.group}`).length).toBe(4);
    });
  });

  it("hide members a block separates from the reader", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { visibility: "private" });
      await db.as(c.member);
      await db.q`select social.block(${c.admin})`;
      const rows = await db.q<
        { user_id: string }[]
      >`select user_id from social.group_members where group_id = ${c.group}`;
      expect(rows.map((r) => r.user_id).sort()).toEqual([c.owner, c.moderator, c.member].sort());
      await db.as(c.admin);
      // staff still see every row of their group
      expect((await db.q`select user_id from social.group_members where group_id = ${c.group}`).length).toBe(6);
    });
  });
});

describe("member counts", () => {
  it("count active members only, through joins, approvals, bans, removals and leaves", async () => {
    await withDb(async (db) => {
      const c = await groupCast(db, { joinPolicy: "request" });
      const steps: [string, () => Promise<unknown>][] = [
        [
          "request",
          async () => {
            await db.as(c.stranger);
            await db.q`select social.join_group(${c.group})`;
          },
        ],
        [
          "approve",
          async () => {
            await db.as(c.admin);
            await db.q`select social.approve_join_request(${c.group}, ${c.stranger})`;
          },
        ],
        [
          "ban",
          async () => {
            await db.as(c.admin);
            await db.q`select social.ban_group_member(${c.group}, ${c.member})`;
          },
        ],
        [
          "remove",
          async () => {
            await db.as(c.admin);
            await db.q`select social.remove_group_member(${c.group}, ${c.moderator})`;
          },
        ],
        [
          "leave",
          async () => {
            await db.as(c.stranger);
            await db.q`select social.leave_group(${c.group})`;
          },
        ],
        [
          "unban",
          async () => {
            await db.as(c.owner);
            await db.q`select social.unban_group_member(${c.group}, ${c.member})`;
          },
        ],
      ];
      const expected = [4, 5, 4, 3, 2, 2];
      for (const [i, [, step]] of steps.entries()) {
        await step();
        expect(await memberCount(db, c.group)).toEqual({ stored: expected[i], actual: expected[i] });
      }
    });
  });
});
