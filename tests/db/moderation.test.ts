/**
 * Moderation: reports (targets, reasons, idempotency, rate limit, routing to a group's staff or
 * the platform, who sees them, resolving and dismissing), removals, bans, unbans, removals and
 * role changes by staff recorded in the append-only moderation log, and who reads the log.
 * Every rule is exercised by who may and by who may not: the reporter, the group's staff, staff
 * of another group, the reported member, a stranger, anon, service_role and the table owner.
 */
import { describe, expect, it } from "vitest";
import { refused, type TestDb, type Tx, withDb } from "../helpers/db.ts";
import { asRole } from "../helpers/labels.ts";

interface Cast {
  group: string;
  owner: string;
  admin: string;
  moderator: string;
  /** an ordinary member, author of the post and the comment */
  member: string;
  /** an ordinary member who reports */
  reporter: string;
  /** owner of another group (staff there, a stranger here) */
  other: string;
  otherGroup: string;
  stranger: string;
  post: string;
  comment: string;
}

interface ReportRow {
  id: string;
  reporter_id: string | null;
  target_type: string;
  target_id: string;
  group_id: string | null;
  target_user_id: string | null;
  target_snapshot: Record<string, unknown>;
  reason: string;
  note: string | null;
  status: string;
  resolution: string | null;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
}

interface LogRow {
  id: string;
  actor_id: string | null;
  group_id: string | null;
  action: string;
  target_type: string;
  target_id: string;
  target_user_id: string | null;
  reason: string | null;
  metadata: Record<string, unknown>;
}

async function cast(db: TestDb): Promise<Cast> {
  const [owner, admin, moderator, member, reporter, other, stranger] = (await db.createUsers(7)) as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  await db.as(owner);
  const [g] = await db.q<{ id: string }[]>`
    select id from social.create_group('Trail runners', 'club', 'private', 'invite')`;
  await db.as(other);
  const [o] = await db.q<{ id: string }[]>`select id from social.create_group('Other club')`;
  await db.asSuperuser();
  await db.q`
    insert into social.group_members (group_id, user_id, role, status) values
      (${g!.id}, ${admin}, 'admin', 'active'),
      (${g!.id}, ${moderator}, 'moderator', 'active'),
      (${g!.id}, ${member}, 'member', 'active'),
      (${g!.id}, ${reporter}, 'member', 'active')`;
  await db.as(member);
  const [post] = await db.q<{ id: string }[]>`
    insert into social.posts (group_id, body, visibility) values (${g!.id}, 'buy cheap shoes here', 'group')
    returning id`;
  const [comment] = await db.q<{ id: string }[]>`
    insert into social.comments (post_id, body) values (${post!.id}, 'and here') returning id`;
  await db.asSuperuser();
  return {
    group: g!.id,
    owner,
    admin,
    moderator,
    member,
    reporter,
    other,
    otherGroup: o!.id,
    stranger,
    post: post!.id,
    comment: comment!.id,
  };
}

async function report(
  db: TestDb,
  as: string,
  type: string,
  id: string,
  reason = "spam",
  note: string | null = null,
): Promise<ReportRow> {
  await db.as(as);
  const [row] = await db.q<ReportRow[]>`select * from social.report(${type}, ${id}, ${reason}, ${note})`;
  return row!;
}

/** Report ids the current identity can select. */
async function visibleReports(db: TestDb): Promise<string[]> {
  const rows = await db.q<{ id: string }[]>`select id from social.reports`;
  return rows.map((r) => r.id);
}

/** The log of a group (or the platform, null), oldest first, as the owner of the table. */
async function logOf(db: TestDb, group: string | null): Promise<LogRow[]> {
  await db.asSuperuser();
  return db.q<LogRow[]>`
    select * from social.moderation_log where group_id is not distinct from ${group}::uuid
    order by created_at, action`;
}

async function reportRow(db: TestDb, id: string): Promise<ReportRow> {
  await db.asSuperuser();
  const [row] = await db.q<ReportRow[]>`select * from social.reports where id = ${id}`;
  return row!;
}

describe("reports", () => {
  it("a member reports a post in their group: it goes to the group's queue with a snapshot of the post", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "post", c.post, "spam", "  selling shoes  ");
      expect(r).toMatchObject({
        reporter_id: c.reporter,
        target_type: "post",
        target_id: c.post,
        group_id: c.group,
        target_user_id: c.member,
        reason: "spam",
        note: "selling shoes",
        status: "open",
        resolution: null,
      });
      expect(r.target_snapshot).toMatchObject({ body: "buy cheap shoes here", kind: "text" });
    });
  });

  it("a comment in a group goes to the group's queue", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "comment", c.comment, "harassment");
      expect(r).toMatchObject({ group_id: c.group, target_user_id: c.member, status: "open" });
      expect(r.target_snapshot).toMatchObject({ body: "and here", post_id: c.post });
    });
  });

  it("reports on profiles, on groups themselves and on posts outside groups go to the platform queue", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.as(c.stranger);
      const [outside] = await db.q<{ id: string }[]>`
        insert into social.posts (body) values ('public rant') returning id`;
      const profile = await report(db, c.reporter, "profile", c.stranger, "harassment");
      const group = await report(db, c.reporter, "group", c.group, "hate");
      const post = await report(db, c.reporter, "post", outside!.id, "misinformation");
      expect(profile).toMatchObject({ group_id: null, target_user_id: c.stranger });
      expect(profile.target_snapshot).toHaveProperty("handle");
      // complaints about a group never go to its own staff
      expect(group).toMatchObject({ group_id: null, target_user_id: c.owner });
      expect(post).toMatchObject({ group_id: null, target_user_id: c.stranger });
      await db.as(c.owner);
      expect(await visibleReports(db)).toEqual([]);
    });
  });

  it("reporting the same target again returns the open report; once closed, a new report opens", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const first = await report(db, c.reporter, "post", c.post, "spam");
      const again = await report(db, c.reporter, "post", c.post, "hate", "other words");
      expect(again.id).toBe(first.id);
      expect(again.reason).toBe("spam");
      // another reporter gets their own report
      const other = await report(db, c.moderator, "post", c.post, "spam");
      expect(other.id).not.toBe(first.id);

      await db.as(c.owner);
      await db.q`select social.resolve_report(${first.id}, 'dismissed')`;
      const fresh = await report(db, c.reporter, "post", c.post, "spam");
      expect(fresh.id).not.toBe(first.id);
      expect(fresh.status).toBe("open");
      await db.asSuperuser();
      const [n] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.reports where reporter_id = ${c.reporter} and target_id = ${c.post}`;
      expect(n!.n).toBe(2);
    });
  });

  it("a direct duplicate insert of an open report conflicts", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await report(db, c.reporter, "post", c.post);
      await db.as(c.reporter);
      const [code] = await refused(
        db,
        (tx) => tx`insert into social.reports (reporter_id, target_type, target_id, reason)
                   values (${c.reporter}, 'post', ${c.post}, 'spam')`,
      );
      expect(code).toBe("23505");
    });
  });

  it("reports are rate limited per user and minute (check_rate_limit('report'))", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const targets = await db.createUsers(11);
      for (const t of targets.slice(0, 10)) await report(db, c.reporter, "profile", t);
      await db.as(c.reporter);
      expect(await refused(db, (tx) => tx`select social.report('profile', ${targets[10]!}, 'spam')`)).toEqual([
        "PT429",
        "rate_limited",
      ]);
      // re-reporting an open target returns it without counting
      const again = await report(db, c.reporter, "profile", targets[0]!);
      expect(again.status).toBe("open");
      // another user has their own budget
      expect((await report(db, c.moderator, "profile", targets[10]!)).status).toBe("open");
    });
  });

  it("a target the reporter cannot see cannot be reported: strangers, other groups' staff, anon", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      for (const who of [c.stranger, c.other]) {
        await db.as(who);
        expect(await refused(db, (tx) => tx`select social.report('post', ${c.post}, 'spam')`), asRole(c, who)).toEqual([
          "PT404",
          "target_not_found",
        ]);
        expect(
          await refused(db, (tx) => tx`select social.report('comment', ${c.comment}, 'spam')`),
          asRole(c, who),
        ).toEqual(["PT404", "target_not_found"]);
      }
      // an unknown id of any kind
      await db.as(c.reporter);
      for (const type of ["post", "comment", "profile", "group"]) {
        expect(await refused(db, (tx) => tx`select social.report(${type}, gen_random_uuid(), 'spam')`)).toEqual([
          "PT404",
          "target_not_found",
        ]);
      }
      await db.asAnon();
      const [code] = await refused(db, (tx) => tx`select social.report('post', ${c.post}, 'spam')`);
      expect(code).toBe("42501");
    });
  });

  it("a deleted post cannot be reported", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.as(c.member);
      await db.q`select social.delete_post(${c.post})`;
      await db.as(c.reporter);
      expect(await refused(db, (tx) => tx`select social.report('post', ${c.post}, 'spam')`)).toEqual([
        "PT404",
        "target_not_found",
      ]);
    });
  });

  it("nobody reports themselves or their own content", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.as(c.member);
      for (const [type, id] of [
        ["profile", c.member],
        ["post", c.post],
        ["comment", c.comment],
      ] as const) {
        expect(await refused(db, (tx) => tx`select social.report(${type}, ${id}, 'spam')`)).toEqual([
          "22023",
          "invalid_target",
        ]);
      }
      await db.as(c.owner);
      expect(await refused(db, (tx) => tx`select social.report('group', ${c.group}, 'spam')`)).toEqual([
        "22023",
        "invalid_target",
      ]);
    });
  });

  it("a profile can be reported across a block, in both directions", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.as(c.reporter);
      await db.q`select social.block(${c.stranger})`;
      expect((await report(db, c.reporter, "profile", c.stranger)).status).toBe("open");
      expect((await report(db, c.stranger, "profile", c.reporter)).status).toBe("open");
    });
  });

  it("bad input is refused with a stable code", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.as(c.reporter);
      expect(await refused(db, (tx) => tx`select social.report('post', ${c.post}, null)`)).toEqual([
        "22023",
        "invalid_reason",
      ]);
      expect(await refused(db, (tx) => tx`select social.report('post', null, 'spam')`)).toEqual([
        "22023",
        "invalid_target",
      ]);
      expect(
        await refused(db, (tx) => tx`select social.report('post', ${c.post}, 'spam', ${"x".repeat(1001)})`),
      ).toEqual(["22023", "invalid_note"]);
      const [code] = await refused(db, (tx) => tx`select social.report('post', ${c.post}, 'rude')`);
      expect(code).toBe("22P02");
    });
  });

  it("the reporter and the group's staff see a report; other groups' staff, the reported author, strangers and anon do not", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "post", c.post);
      for (const who of [c.reporter, c.owner, c.admin, c.moderator]) {
        await db.as(who);
        expect(await visibleReports(db), asRole(c, who)).toEqual([r.id]);
      }
      for (const who of [c.member, c.other, c.stranger]) {
        await db.as(who);
        expect(await visibleReports(db), asRole(c, who)).toEqual([]);
      }
      await db.asAnon();
      const [code] = await refused(db, (tx) => tx`select id from social.reports`);
      expect(code).toBe("42501");
      // a staff member who is demoted loses the queue
      await db.as(c.owner);
      await db.q`select social.set_group_member_role(${c.group}, ${c.moderator}, 'member')`;
      await db.as(c.moderator);
      expect(await visibleReports(db)).toEqual([]);
    });
  });

  it("a platform report is visible to its reporter and service_role only", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "profile", c.stranger);
      await db.as(c.reporter);
      expect(await visibleReports(db)).toEqual([r.id]);
      for (const who of [c.owner, c.stranger, c.other]) {
        await db.as(who);
        expect(await visibleReports(db), asRole(c, who)).toEqual([]);
      }
      await db.asService();
      expect(await visibleReports(db)).toContain(r.id);
    });
  });

  it("nobody but service_role deletes a report, and the target and reason cannot be rewritten", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "post", c.post);
      for (const who of [c.reporter, c.owner]) {
        await db.as(who);
        const [code] = await refused(db, (tx) => tx`delete from social.reports where id = ${r.id}`);
        expect(code, asRole(c, who)).toBe("42501");
        const [code2] = await refused(db, (tx) => tx`update social.reports set reason = 'hate' where id = ${r.id}`);
        expect(code2, asRole(c, who)).toBe("42501");
      }
      await db.asService();
      expect(
        await refused(db, (tx) => tx`update social.reports set target_id = gen_random_uuid() where id = ${r.id}`),
      ).toEqual(["22023", "immutable_field"]);
      const deleted = await db.q`delete from social.reports where id = ${r.id}`;
      expect(deleted.count).toBe(1);
    });
  });
});

describe("accounts that go", () => {
  it("a deleted account leaves the reports it filed or was named in, and the log, in place", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const open = await report(db, c.reporter, "comment", c.comment);
      const closed = await report(db, c.reporter, "post", c.post);
      await db.as(c.owner);
      await db.q`select social.resolve_report(${closed.id}, 'resolved', 'warned')`;
      await db.q`select social.ban_group_member(${c.group}, ${c.member})`;
      const before = await logOf(db, c.group);
      await db.q`delete from auth.users where id in (${c.reporter}, ${c.member})`;
      expect(await reportRow(db, open.id)).toMatchObject({ reporter_id: null, target_user_id: null, status: "open" });
      expect(await reportRow(db, closed.id)).toMatchObject({
        reporter_id: null,
        target_user_id: null,
        status: "resolved",
        resolved_by: c.owner,
      });
      // the ids stay in the log (no foreign keys), nothing is added for the cascade
      expect(await logOf(db, c.group)).toEqual(before);
    });
  });
});

describe("report queues", () => {
  it("staff list their group's queue, newest first, keyset-paged, with reporter and author summaries", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const ids = [
        (await report(db, c.reporter, "post", c.post)).id,
        (await report(db, c.reporter, "comment", c.comment)).id,
        (await report(db, c.admin, "post", c.post)).id,
      ];
      await report(db, c.reporter, "profile", c.stranger); // platform: not in the group's queue
      await db.as(c.moderator);
      const page1 = await db.q<
        (ReportRow & { reporter: { id: string }; target_user: { id: string }; next_cursor: string | null })[]
      >`
        select * from social.list_reports(${c.group}, 'open', null, 2)`;
      expect(page1).toHaveLength(2);
      expect(page1[0]!.next_cursor).toBeTruthy();
      expect(page1[0]!.target_user.id).toBe(c.member);
      const page2 = await db.q<{ id: string; next_cursor: string | null }[]>`
        select * from social.list_reports(${c.group}, 'open', ${page1[0]!.next_cursor}, 2)`;
      expect(page2).toHaveLength(1);
      expect(page2[0]!.next_cursor).toBeNull();
      expect([...page1.map((r) => r.id), page2[0]!.id].sort()).toEqual([...ids].sort());
      expect(
        page1.every((r) => ids.includes(r.reporter.id) || r.reporter.id === c.reporter || r.reporter.id === c.admin),
      ).toBe(true);
      // closed reports leave the open queue but are listed by status
      await db.q`select social.resolve_report(${ids[0]!}, 'dismissed')`;
      const open = await db.q`select id from social.list_reports(${c.group})`;
      expect(open.map((r) => r.id)).not.toContain(ids[0]);
      const all = await db.q`select id from social.list_reports(${c.group}, null)`;
      expect(all).toHaveLength(3);
      const dismissed = await db.q`select id from social.list_reports(${c.group}, 'dismissed')`;
      expect(dismissed.map((r) => r.id)).toEqual([ids[0]]);
    });
  });

  it("members who are not staff, other groups' staff, strangers and anon get no group queue", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await report(db, c.reporter, "post", c.post);
      for (const who of [c.reporter, c.member, c.other, c.stranger]) {
        await db.as(who);
        expect(await refused(db, (tx) => tx`select * from social.list_reports(${c.group})`), asRole(c, who)).toEqual([
          "42501",
          "not_group_staff",
        ]);
      }
      await db.asAnon();
      const [code] = await refused(db, (tx) => tx`select * from social.list_reports(${c.group})`);
      expect(code).toBe("42501");
    });
  });

  it("the platform queue is for service_role only", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "profile", c.stranger);
      await report(db, c.reporter, "post", c.post); // a group report: not on the platform queue
      await db.asService();
      const rows = await db.q<{ id: string; group_id: string | null }[]>`select * from social.list_reports()`;
      expect(rows.map((x) => x.id)).toContain(r.id);
      expect(rows.every((x) => x.group_id === null)).toBe(true);
      for (const who of [c.reporter, c.owner]) {
        await db.as(who);
        expect(await refused(db, (tx) => tx`select * from social.list_reports()`), asRole(c, who)).toEqual([
          "42501",
          "not_allowed",
        ]);
      }
    });
  });

  it("a reporter lists their own reports with status and resolution", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const a = await report(db, c.reporter, "post", c.post);
      const b = await report(db, c.reporter, "profile", c.stranger);
      await report(db, c.admin, "comment", c.comment); // someone else's
      await db.as(c.owner);
      await db.q`select social.resolve_report(${a.id}, 'resolved', 'warned', 'we talked to them')`;
      await db.as(c.reporter);
      const mine = await db.q<
        { id: string; status: string; resolution: string | null; resolution_note: string | null }[]
      >`
        select * from social.my_reports()`;
      expect(mine.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
      expect(mine.find((r) => r.id === a.id)).toMatchObject({
        status: "resolved",
        resolution: "warned",
        resolution_note: "we talked to them",
      });
      expect(mine.find((r) => r.id === b.id)).toMatchObject({ status: "open", resolution: null });
      await db.as(c.stranger);
      expect(await db.q`select * from social.my_reports()`).toEqual([]);
    });
  });
});

describe("resolving reports", () => {
  it("staff resolve with the action taken or dismiss; who and when are stamped, and both are logged", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const a = await report(db, c.reporter, "post", c.post);
      const b = await report(db, c.reporter, "comment", c.comment);
      await db.as(c.moderator);
      const [resolved] = await db.q<ReportRow[]>`
        select * from social.resolve_report(${a.id}, 'resolved', 'warned', 'first warning')`;
      expect(resolved).toMatchObject({
        status: "resolved",
        resolution: "warned",
        resolution_note: "first warning",
        resolved_by: c.moderator,
      });
      expect(resolved!.resolved_at).toBeInstanceOf(Date);
      await db.as(c.admin);
      const [dismissed] = await db.q<ReportRow[]>`select * from social.resolve_report(${b.id}, 'dismissed')`;
      expect(dismissed).toMatchObject({ status: "dismissed", resolution: "none", resolved_by: c.admin });

      const log = await logOf(db, c.group);
      expect(log.map((l) => [l.action, l.actor_id, l.target_type, l.target_id, l.target_user_id])).toEqual(
        expect.arrayContaining([
          ["report_resolved", c.moderator, "report", a.id, c.member],
          ["report_dismissed", c.admin, "report", b.id, c.member],
        ]),
      );
      expect(log.find((l) => l.target_id === a.id)).toMatchObject({
        reason: "first warning",
        metadata: { resolution: "warned", report_target_type: "post", report_target_id: c.post, report_reason: "spam" },
      });
    });
  });

  it("a closed report stays closed: the same close again returns it, a different one conflicts", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "post", c.post);
      await db.as(c.owner);
      await db.q`select social.resolve_report(${r.id}, 'resolved', 'content_removed')`;
      const [again] = await db.q<ReportRow[]>`select * from social.resolve_report(${r.id}, 'resolved')`;
      expect(again!.resolution).toBe("content_removed");
      expect(await refused(db, (tx) => tx`select social.resolve_report(${r.id}, 'dismissed')`)).toEqual([
        "PT409",
        "report_closed",
      ]);
      // nor through the table, not even reopening
      expect(
        await refused(db, (tx) => tx`update social.reports set status = 'open', resolution = null where id = ${r.id}`),
      ).toEqual(["PT409", "report_closed"]);
      expect(await logOf(db, c.group)).toHaveLength(1);
    });
  });

  it("resolving needs an action; a dismissal records none", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "post", c.post);
      await db.as(c.owner);
      expect(await refused(db, (tx) => tx`select social.resolve_report(${r.id}, 'resolved')`)).toEqual([
        "22023",
        "resolution_required",
      ]);
      expect(await refused(db, (tx) => tx`select social.resolve_report(${r.id}, 'open')`)).toEqual([
        "22023",
        "invalid_status",
      ]);
      const [d] = await db.q<ReportRow[]>`select * from social.resolve_report(${r.id}, 'dismissed', 'warned')`;
      expect(d!.resolution).toBe("none");
    });
  });

  it("the reporter, members, other groups' staff and strangers cannot close a group's report", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "post", c.post);
      await db.as(c.reporter);
      expect(await refused(db, (tx) => tx`select social.resolve_report(${r.id}, 'dismissed')`)).toEqual([
        "42501",
        "not_allowed",
      ]);
      // RLS: the reporter's direct update changes nothing
      const upd = await db.q`update social.reports set status = 'dismissed' where id = ${r.id}`;
      expect(upd.count).toBe(0);
      for (const who of [c.member, c.other, c.stranger]) {
        await db.as(who);
        expect(
          await refused(db, (tx) => tx`select social.resolve_report(${r.id}, 'dismissed')`),
          asRole(c, who),
        ).toEqual(["PT404", "report_not_found"]);
        const u = await db.q`update social.reports set status = 'dismissed' where id = ${r.id}`;
        expect(u.count, asRole(c, who)).toBe(0);
      }
      expect((await reportRow(db, r.id)).status).toBe("open");
    });
  });

  it("a staff member does not close a report about themselves; another staff member does", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.as(c.moderator);
      const [post] = await db.q<{ id: string }[]>`
        insert into social.posts (group_id, body) values (${c.group}, 'moderator speaking') returning id`;
      const r = await report(db, c.reporter, "post", post!.id);
      await db.as(c.moderator);
      expect(await refused(db, (tx) => tx`select social.resolve_report(${r.id}, 'dismissed')`)).toEqual([
        "42501",
        "own_report",
      ]);
      // nor through the table
      expect(await refused(db, (tx) => tx`update social.reports set status = 'dismissed' where id = ${r.id}`)).toEqual([
        "42501",
        "own_report",
      ]);
      await db.as(c.admin);
      const [d] = await db.q<ReportRow[]>`select * from social.resolve_report(${r.id}, 'dismissed')`;
      expect(d!.status).toBe("dismissed");
    });
  });

  it("service_role closes platform reports (logged with no actor and no group); users cannot", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "profile", c.stranger);
      await db.as(c.owner);
      expect(await refused(db, (tx) => tx`select social.resolve_report(${r.id}, 'dismissed')`)).toEqual([
        "PT404",
        "report_not_found",
      ]);
      await db.as(c.reporter);
      expect(await refused(db, (tx) => tx`select social.resolve_report(${r.id}, 'dismissed')`)).toEqual([
        "42501",
        "not_allowed",
      ]);
      await db.asService();
      const [done] = await db.q<ReportRow[]>`
        select * from social.resolve_report(${r.id}, 'resolved', 'warned', 'account warned')`;
      expect(done).toMatchObject({ status: "resolved", resolved_by: null });
      const log = await logOf(db, null);
      expect(log.filter((l) => l.target_id === r.id).map((l) => [l.action, l.actor_id])).toEqual([
        ["report_resolved", null],
      ]);
    });
  });

  it("service_role may also close a group's report", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "post", c.post);
      await db.asService();
      const [d] = await db.q<ReportRow[]>`select * from social.resolve_report(${r.id}, 'dismissed')`;
      expect(d!.status).toBe("dismissed");
      expect((await logOf(db, c.group)).map((l) => [l.action, l.actor_id])).toEqual([["report_dismissed", null]]);
    });
  });
});

describe("moderation log: removals", () => {
  it("staff remove a post with a reason: logged, and its open reports resolved as content_removed", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const a = await report(db, c.reporter, "post", c.post);
      const b = await report(db, c.admin, "post", c.post);
      const other = await report(db, c.reporter, "comment", c.comment);
      await db.as(c.moderator);
      await db.q`select social.moderate_post(${c.post}, 'spam link')`;
      const log = await logOf(db, c.group);
      const removal = log.find((l) => l.action === "post_removed");
      expect(removal).toMatchObject({
        actor_id: c.moderator,
        target_type: "post",
        target_id: c.post,
        target_user_id: c.member,
        reason: "spam link",
      });
      expect(
        log
          .filter((l) => l.action === "report_resolved")
          .map((l) => l.target_id)
          .sort(),
      ).toEqual([a.id, b.id].sort());
      for (const id of [a.id, b.id]) {
        expect(await reportRow(db, id)).toMatchObject({
          status: "resolved",
          resolution: "content_removed",
          resolved_by: c.moderator,
          resolution_note: "spam link",
        });
      }
      // the comment's report is about something else (its removal comes with the post's, unlogged)
      expect((await reportRow(db, other.id)).status).toBe("open");
      // the reason does not leak into later statements of the transaction
      const [setting] = await db.q<{ v: string | null }[]>`
        select nullif(current_setting('social.moderation_reason', true), '') as v`;
      expect(setting!.v).toBeNull();
    });
  });

  it("social.delete_post by staff is logged too (without a reason)", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.as(c.owner);
      await db.q`select social.delete_post(${c.post})`;
      const log = await logOf(db, c.group);
      expect(log.map((l) => [l.action, l.actor_id, l.reason])).toEqual([["post_removed", c.owner, null]]);
      // a retried delete adds nothing
      await db.as(c.owner);
      await db.q`select social.delete_post(${c.post})`;
      expect(await logOf(db, c.group)).toHaveLength(1);
    });
  });

  it("an author deleting their own post or comment is not moderation: nothing is logged, reports stay open", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "post", c.post);
      await db.as(c.member);
      await db.q`select social.delete_comment(${c.comment})`;
      await db.q`select social.delete_post(${c.post})`;
      expect(await logOf(db, c.group)).toEqual([]);
      expect((await reportRow(db, r.id)).status).toBe("open");
    });
  });

  it("staff remove a comment: logged once, its replies go with it unlogged, its reports resolved", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.as(c.reporter);
      const [reply] = await db.q<{ id: string }[]>`
        insert into social.comments (post_id, parent_id, body) values (${c.post}, ${c.comment}, 'agreed') returning id`;
      const r = await report(db, c.admin, "comment", c.comment, "spam");
      await db.as(c.admin);
      await db.q`select social.moderate_comment(${c.comment}, 'advertising')`;
      const log = await logOf(db, c.group);
      expect(log.filter((l) => l.action === "comment_removed")).toEqual([
        expect.objectContaining({
          actor_id: c.admin,
          target_id: c.comment,
          target_user_id: c.member,
          reason: "advertising",
          metadata: expect.objectContaining({ post_id: c.post, reply_count: 1 }),
        }),
      ]);
      expect(log.some((l) => l.target_id === reply!.id)).toBe(false);
      expect(await reportRow(db, r.id)).toMatchObject({ status: "resolved", resolution: "content_removed" });
    });
  });

  it("a post's author removing a comment on their own post outside groups is not logged", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.as(c.stranger);
      const [post] = await db.q<{ id: string }[]>`insert into social.posts (body) values ('my wall') returning id`;
      await db.as(c.reporter);
      const [comment] = await db.q<{ id: string }[]>`
        insert into social.comments (post_id, body) values (${post!.id}, 'hi') returning id`;
      await db.as(c.stranger);
      await db.q`select social.delete_comment(${comment!.id})`;
      await db.asSuperuser();
      const [n] = await db.q<{ n: number }[]>`
        select count(*)::int as n from social.moderation_log where target_id = ${comment!.id}`;
      expect(n!.n).toBe(0);
    });
  });

  it("a post removed by the platform (service_role) is logged with no actor", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.asService();
      await db.q`update social.posts set deleted_at = now() where id = ${c.post}`;
      expect((await logOf(db, c.group)).map((l) => [l.action, l.actor_id])).toEqual([["post_removed", null]]);
    });
  });
});

describe("moderation log: members", () => {
  it("bans, unbans, removals and role changes by staff are logged with actor, target and reason", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const outsider = await db.createUser();
      await db.as(c.owner);
      await db.q`select social.set_group_member_role(${c.group}, ${c.member}, 'moderator')`;
      await db.as(c.moderator);
      await db.q`select social.moderate_member(${c.group}, ${c.reporter}, 'ban', 'repeated spam')`;
      await db.q`select social.ban_group_member(${c.group}, ${outsider})`;
      await db.as(c.admin);
      await db.q`select social.moderate_member(${c.group}, ${c.reporter}, 'unban', 'appeal accepted')`;
      await db.q`select social.remove_group_member(${c.group}, ${c.member})`;
      const log = await logOf(db, c.group);
      expect(log.map((l) => [l.action, l.actor_id, l.target_type, l.target_id, l.reason])).toEqual([
        ["role_changed", c.owner, "user", c.member, null],
        ["member_banned", c.moderator, "user", c.reporter, "repeated spam"],
        ["member_banned", c.moderator, "user", outsider, null],
        ["member_unbanned", c.admin, "user", c.reporter, "appeal accepted"],
        ["member_removed", c.admin, "user", c.member, null],
      ]);
      expect(log[0]!.metadata).toEqual({ from: "member", to: "moderator" });
      expect(log[1]!.metadata).toMatchObject({ previous_status: "active", previous_role: "member" });
      expect(log[4]!.metadata).toEqual({ role: "moderator" });
    });
  });

  it("moderate_member refuses an unknown action and keeps the groups domain's rules", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.as(c.moderator);
      expect(await refused(db, (tx) => tx`select social.moderate_member(${c.group}, ${c.member}, 'mute')`)).toEqual([
        "22023",
        "invalid_action",
      ]);
      expect(
        await refused(db, (tx) => tx`select social.moderate_member(${c.group}, ${c.admin}, 'ban', 'coup')`),
      ).toEqual(["42501", "insufficient_role"]);
      await db.as(c.member);
      expect(await refused(db, (tx) => tx`select social.moderate_member(${c.group}, ${c.reporter}, 'remove')`)).toEqual(
        ["42501", "not_group_staff"],
      );
      expect(await logOf(db, c.group)).toEqual([]);
    });
  });

  it("leaving, joining, declined requests, ownership hand-over by the owner and deleting a group log nothing about the members themselves", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const asker = await db.createUser();
      await db.as(c.reporter);
      await db.q`select social.leave_group(${c.group})`;
      await db.as(c.owner);
      await db.q`update social.groups set join_policy = 'request' where id = ${c.group}`;
      await db.as(asker);
      await db.q`select social.join_group(${c.group})`;
      await db.as(c.moderator);
      await db.q`select social.decline_join_request(${c.group}, ${asker})`;
      expect(await logOf(db, c.group)).toEqual([]);

      // a transfer: the new owner's role change is logged (by the old owner), the old owner's own is not
      await db.as(c.owner);
      await db.q`select social.transfer_group_ownership(${c.group}, ${c.admin})`;
      expect((await logOf(db, c.group)).map((l) => [l.action, l.actor_id, l.target_id, l.metadata])).toEqual([
        ["role_changed", c.owner, c.admin, { from: "admin", to: "owner" }],
      ]);

      await db.as(c.admin);
      await db.q`delete from social.groups where id = ${c.group}`;
      expect(await logOf(db, c.group)).toHaveLength(1);
    });
  });
});

describe("reading the moderation log", () => {
  it("the group's staff read its log; members, other groups' staff, strangers and anon do not", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.as(c.owner);
      await db.q`select social.ban_group_member(${c.group}, ${c.reporter})`;
      await db.as(c.other);
      await db.q`select social.ban_group_member(${c.otherGroup}, ${c.stranger})`;
      for (const who of [c.owner, c.admin, c.moderator]) {
        await db.as(who);
        const rows = await db.q<LogRow[]>`select * from social.moderation_log`;
        expect(
          rows.map((r) => [r.group_id, r.action, r.target_id]),
          asRole(c, who),
        ).toEqual([[c.group, "member_banned", c.reporter]]);
        const listed = await db.q<(LogRow & { actor: { id: string } | null; next_cursor: string | null })[]>`
          select * from social.list_moderation_log(${c.group})`;
        expect(listed, asRole(c, who)).toHaveLength(1);
        expect(listed[0]!.actor!.id, asRole(c, who)).toBe(c.owner);
      }
      for (const who of [c.member, c.reporter, c.stranger]) {
        await db.as(who);
        expect(await db.q`select * from social.moderation_log`, asRole(c, who)).toEqual([]);
        expect(
          await refused(db, (tx) => tx`select * from social.list_moderation_log(${c.group})`),
          asRole(c, who),
        ).toEqual(["42501", "not_group_staff"]);
      }
      // staff of another group see their own group's entries only
      await db.as(c.other);
      const others = await db.q<LogRow[]>`select * from social.moderation_log`;
      expect(others.map((r) => r.group_id)).toEqual([c.otherGroup]);
      await db.asAnon();
      const [code] = await refused(db, (tx) => tx`select * from social.moderation_log`);
      expect(code).toBe("42501");
    });
  });

  it("the log pages newest first with a cursor", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const targets = await db.createUsers(3);
      await db.as(c.owner);
      for (const t of targets) await db.q`select social.ban_group_member(${c.group}, ${t})`;
      const page1 = await db.q<{ id: string; next_cursor: string | null }[]>`
        select * from social.list_moderation_log(${c.group}, null, 2)`;
      expect(page1).toHaveLength(2);
      const page2 = await db.q<{ id: string; next_cursor: string | null }[]>`
        select * from social.list_moderation_log(${c.group}, ${page1[0]!.next_cursor}, 2)`;
      expect(page2).toHaveLength(1);
      expect(page2[0]!.next_cursor).toBeNull();
      expect(new Set([...page1, ...page2].map((r) => r.id)).size).toBe(3);
      expect(await refused(db, (tx) => tx`select * from social.list_moderation_log(${c.group}, 'garbage')`)).toEqual([
        "22023",
        "invalid_cursor",
      ]);
    });
  });

  it("platform entries are for service_role", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      const r = await report(db, c.reporter, "profile", c.stranger);
      await db.asService();
      await db.q`select social.resolve_report(${r.id}, 'dismissed')`;
      const rows = await db.q<LogRow[]>`select * from social.list_moderation_log()`;
      expect(rows.map((x) => x.target_id)).toContain(r.id);
      await db.as(c.owner);
      expect(await refused(db, (tx) => tx`select * from social.list_moderation_log()`)).toEqual([
        "42501",
        "not_allowed",
      ]);
      expect(await db.q`select * from social.moderation_log where group_id is null`).toEqual([]);
    });
  });
});

describe("the moderation log is append-only", () => {
  async function seeded(db: TestDb): Promise<{ c: Cast; entry: string }> {
    const c = await cast(db);
    await db.as(c.owner);
    await db.q`select social.ban_group_member(${c.group}, ${c.reporter})`;
    const [entry] = await logOf(db, c.group);
    return { c, entry: entry!.id };
  }

  it("staff (the group's owner included) cannot change, remove or add entries", async () => {
    await withDb(async (db) => {
      const { c, entry } = await seeded(db);
      for (const who of [c.owner, c.admin]) {
        await db.as(who);
        for (const stmt of [
          (tx: Tx) => tx`update social.moderation_log set reason = 'edited' where id = ${entry}`,
          (tx: Tx) => tx`delete from social.moderation_log where id = ${entry}`,
          (tx: Tx) => tx`insert into social.moderation_log (group_id, action, target_type, target_id)
                         values (${c.group}, 'member_removed', 'user', ${c.member})`,
          (tx: Tx) => tx`truncate social.moderation_log`,
        ]) {
          const [code] = await refused(db, stmt);
          expect(code, asRole(c, who)).toBe("42501");
        }
      }
      expect(await logOf(db, c.group)).toHaveLength(1);
    });
  });

  it("service_role cannot change, remove or truncate entries", async () => {
    await withDb(async (db) => {
      const { c, entry } = await seeded(db);
      await db.asService();
      for (const stmt of [
        (tx: Tx) => tx`update social.moderation_log set reason = 'edited' where id = ${entry}`,
        (tx: Tx) => tx`delete from social.moderation_log where id = ${entry}`,
        (tx: Tx) => tx`truncate social.moderation_log`,
      ]) {
        const [code] = await refused(db, stmt);
        expect(code).toBe("42501");
      }
      const [row] = await logOf(db, c.group);
      expect(row!.reason).toBeNull();
    });
  });

  it("even the table owner (and a superuser) hits append_only on update, delete and truncate", async () => {
    await withDb(async (db) => {
      const { c, entry } = await seeded(db);
      await db.asSuperuser();
      // On Supabase the owner (`postgres`) is no superuser, and the missing privilege would stop it
      // first; it may grant itself the privileges back, and the trigger still refuses.
      await db.q`grant update, delete, truncate on social.moderation_log to current_user`;
      expect(
        await refused(db, (tx) => tx`update social.moderation_log set reason = 'edited' where id = ${entry}`),
      ).toEqual(["42501", "append_only"]);
      expect(await refused(db, (tx) => tx`delete from social.moderation_log where id = ${entry}`)).toEqual([
        "42501",
        "append_only",
      ]);
      expect(await refused(db, (tx) => tx`truncate social.moderation_log`)).toEqual(["42501", "append_only"]);
      expect(await refused(db, (tx) => tx`delete from social.moderation_log`)).toEqual(["42501", "append_only"]);
      expect(await logOf(db, c.group)).toHaveLength(1);
      // a cascade cannot take entries either: the log has no foreign keys
      await db.as(c.owner);
      await db.q`delete from social.groups where id = ${c.group}`;
      expect(await logOf(db, c.group)).toHaveLength(1);
    });
  });

  it("nobody holds update, delete or truncate on the log, and it has no write policies", async () => {
    await withDb(async (db) => {
      await db.asSuperuser();
      const privileges = await db.q<{ role: string; privilege: string }[]>`
        select r.rolname as role, p.privilege
        from pg_roles r
        cross join unnest(array['UPDATE', 'DELETE', 'TRUNCATE']) as p(privilege)
        where r.rolname in ('anon', 'authenticated', 'service_role', 'postgres')
          and exists (
            select 1 from aclexplode((select relacl from pg_class where oid = 'social.moderation_log'::regclass)) a
            where a.grantee = r.oid and a.privilege_type = p.privilege
          )`;
      expect(privileges).toEqual([]);
      const policies = await db.q<{ cmd: string }[]>`
        select cmd from pg_policies where schemaname = 'social' and tablename = 'moderation_log'`;
      expect(policies.map((p) => p.cmd)).toEqual(["SELECT"]);
    });
  });

  it("service_role may append a platform entry", async () => {
    await withDb(async (db) => {
      const c = await cast(db);
      await db.asService();
      await db.q`insert into social.moderation_log (action, target_type, target_id, target_user_id, reason)
                 values ('member_banned', 'user', ${c.stranger}, ${c.stranger}, 'platform suspension')`;
      expect((await logOf(db, null)).map((l) => l.reason)).toContain("platform suspension");
    });
  });
});
