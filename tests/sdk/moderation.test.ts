/**
 * `client.moderation` against the live local API: reports and their routing, the group's queue
 * and log for its staff, staff actions with reasons, each from the side that may and may not.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { ReportInputSchema, ResolveReportSchema } from "../../client-sdk/src/index.ts";
import { expectError, session, signUp, type TestUser, uniqueName, unwrap } from "../fixtures/sdk.ts";

/** A private club: owner (staff), a moderator, and two members; a post by `author`. */
async function world() {
  const [owner, moderator, author, reporter] = await Promise.all([
    signUp("owner"),
    signUp("mod"),
    signUp("author"),
    signUp("reporter"),
  ]);
  const group = unwrap(
    await owner.client.groups.create({ name: uniqueName("Club"), kind: "club", visibility: "private" }),
  );
  for (const u of [moderator, author, reporter]) unwrap(await u.client.groups.join(group.id));
  unwrap(await owner.client.groups.setRole(group.id, moderator.id, "moderator"));
  const post = unwrap(await author.client.posts.create({ groupId: group.id, body: "Buy cheap watches" }));
  return { owner, moderator, author, reporter, group, post };
}

describe("moderation: schemas", () => {
  test("a resolution needs the action taken; a dismissal has none; notes are at most 1000 characters", () => {
    expect(ResolveReportSchema.safeParse({ status: "resolved" }).success).toBe(false);
    expect(ResolveReportSchema.safeParse({ status: "resolved", resolution: "none" }).success).toBe(false);
    expect(ResolveReportSchema.safeParse({ status: "resolved", resolution: "warned" }).success).toBe(true);
    expect(ResolveReportSchema.safeParse({ status: "dismissed", resolution: "warned" }).success).toBe(false);
    expect(ResolveReportSchema.safeParse({ status: "open" }).success).toBe(false);
    expect(ReportInputSchema.safeParse({ targetType: "post", targetId: randomUUID(), reason: "rude" }).success).toBe(
      false,
    );
    expect(
      ReportInputSchema.safeParse({
        targetType: "post",
        targetId: randomUUID(),
        reason: "spam",
        note: "x".repeat(1001),
      }).success,
    ).toBe(false);
  });

  test("invalid input sends no request", async () => {
    const { client, restCalls } = session();
    expectError(await client.moderation.report({ targetType: "post", targetId: "x", reason: "spam" }), "invalid_input");
    expectError(await client.moderation.resolve(randomUUID(), { status: "resolved" }), "invalid_input");
    expectError(await client.moderation.reports("nope"), "invalid_input");
    expectError(await client.moderation.banMember(randomUUID(), "x"), "invalid_input");
    expect(restCalls).toEqual([]);
  });
});

describe("moderation", () => {
  test("a report on a group post goes to the group's staff with a snapshot; reporting again returns it", async () => {
    const { owner, author, reporter, group, post } = await world();
    const report = unwrap(
      await reporter.client.moderation.report({ targetType: "post", targetId: post.id, reason: "spam", note: " ads " }),
    );
    expect(report).toMatchObject({
      reporterId: reporter.id,
      targetType: "post",
      targetId: post.id,
      groupId: group.id,
      targetUserId: author.id,
      reason: "spam",
      note: "ads",
      status: "open",
      resolution: null,
    });
    expect(report.targetSnapshot).toMatchObject({ body: "Buy cheap watches" });
    expect(
      unwrap(await reporter.client.moderation.report({ targetType: "post", targetId: post.id, reason: "spam" })).id,
    ).toBe(report.id);

    const queue = unwrap(await owner.client.moderation.reports(group.id));
    expect(queue.items.map((r) => [r.id, r.reporter?.id, r.targetUser?.id])).toEqual([
      [report.id, reporter.id, author.id],
    ]);
    expectError(await reporter.client.moderation.reports(group.id), "not_group_staff", 403);
    expectError(await reporter.client.moderation.reports(null), "not_allowed", 403);
    expect(unwrap(await reporter.client.moderation.myReports()).items.map((r) => [r.id, r.status])).toEqual([
      [report.id, "open"],
    ]);
  });

  test("staff remove a reported post with a reason: it leaves the feed, the report resolves, the log records it", async () => {
    const { owner, moderator, author, reporter, group, post } = await world();
    const report = unwrap(
      await reporter.client.moderation.report({ targetType: "post", targetId: post.id, reason: "spam" }),
    );
    expectError(await reporter.client.moderation.removePost(post.id, { reason: "I dislike it" }), "not_allowed", 403);

    expect(unwrap(await moderator.client.moderation.removePost(post.id, { reason: "Advertising" }))).toBeNull();
    expect(unwrap(await author.client.feed.group(group.id)).items).toEqual([]);
    expectError(await author.client.posts.get(post.id), "post_not_found", 404);

    const mine = unwrap(await reporter.client.moderation.myReports()).items;
    expect(mine.map((r) => [r.id, r.status, r.resolution])).toEqual([[report.id, "resolved", "content_removed"]]);
    const log = unwrap(await owner.client.moderation.log(group.id));
    const removal = log.items.find((e) => e.action === "post_removed");
    expect(removal).toMatchObject({
      actorId: moderator.id,
      targetId: post.id,
      targetUserId: author.id,
      reason: "Advertising",
      actor: { id: moderator.id },
      targetUser: { id: author.id },
    });
    expectError(await author.client.moderation.log(group.id), "not_group_staff", 403);
  });

  test("staff dismiss a report with a note; members may not close reports; nobody closes one about themselves", async () => {
    const { owner, moderator, reporter, group } = await world();
    const ownPost = unwrap(await moderator.client.posts.create({ groupId: group.id, body: "Mod's own post" }));
    const aboutMod = unwrap(
      await reporter.client.moderation.report({ targetType: "post", targetId: ownPost.id, reason: "other" }),
    );
    expectError(await reporter.client.moderation.resolve(aboutMod.id, { status: "dismissed" }), "not_allowed", 403);
    expectError(await moderator.client.moderation.resolve(aboutMod.id, { status: "dismissed" }), "own_report", 403);
    const closed = unwrap(
      await owner.client.moderation.resolve(aboutMod.id, { status: "dismissed", note: "Not against the rules" }),
    );
    expect(closed).toMatchObject({
      status: "dismissed",
      resolution: "none",
      resolutionNote: "Not against the rules",
      resolvedBy: owner.id,
    });
    expect(unwrap(await owner.client.moderation.reports(group.id)).items).toEqual([]);
    expect(unwrap(await owner.client.moderation.reports(group.id, { status: "all" })).items.map((r) => r.id)).toEqual([
      aboutMod.id,
    ]);
    expect(unwrap(await owner.client.moderation.log(group.id)).items[0]).toMatchObject({
      action: "report_dismissed",
      targetId: aboutMod.id,
    });
  });

  test("reporting your own content is invalid_target", async () => {
    const { author, post } = await world();
    expectError(
      await author.client.moderation.report({ targetType: "post", targetId: post.id, reason: "spam" }),
      "invalid_target",
      400,
    );
  });

  test("staff ban and unban a member with reasons, and the log keeps both", async () => {
    const { owner, moderator, author, group } = await world();
    expect(
      unwrap(await moderator.client.moderation.banMember(group.id, author.id, { reason: "Spam after warnings" })),
    ).toBe(true);
    expectError(await author.client.groups.join(group.id), "banned", 403);
    expect(unwrap(await owner.client.moderation.unbanMember(group.id, author.id, { reason: "Appeal accepted" }))).toBe(
      true,
    );
    const log = unwrap(await owner.client.moderation.log(group.id, { limit: 10 }));
    const entries = log.items.filter((e) => e.targetUserId === author.id).map((e) => [e.action, e.reason]);
    expect(entries).toEqual([
      ["member_unbanned", "Appeal accepted"],
      ["member_banned", "Spam after warnings"],
    ]);
  });

  test("the log pages newest first with the server's cursor", async () => {
    const { owner, group } = await world();
    const members: TestUser[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await signUp(`m${i}`);
      unwrap(await m.client.groups.join(group.id));
      members.push(m);
    }
    for (const m of members)
      unwrap(await owner.client.moderation.removeMember(group.id, m.id, { reason: `r-${m.handle}` }));
    const page1 = unwrap(await owner.client.moderation.log(group.id, { limit: 2 }));
    const page2 = unwrap(await owner.client.moderation.log(group.id, { limit: 2, cursor: page1.nextCursor }));
    const reasons = [...page1.items, ...page2.items].filter((e) => e.action === "member_removed").map((e) => e.reason);
    expect(reasons).toEqual(members.map((m) => `r-${m.handle}`).reverse());
  });

  test("reporting something that does not exist is target_not_found", async () => {
    const user = await signUp("user");
    expectError(
      await user.client.moderation.report({ targetType: "post", targetId: randomUUID(), reason: "spam" }),
      "target_not_found",
      404,
    );
  });
});
