/**
 * The rules that a hostile user broke (issue 6, part 7), replayed through the SDK and supabase-js
 * against the live local API, each from the side that may and the side that may not: a trainee
 * removed from a coaching group, a link made by a moderator who was banned, a moderator acting on
 * the owner's post, a report of a profile that blocked the reporter, a member reading a read count,
 * a follow/unfollow loop, a removed comment's text, and discoverable = false.
 */
import { describe, expect, test } from "vitest";
import { expectError, signUp, uniqueName, unwrap } from "../fixtures/sdk.ts";
import { settle } from "../helpers/effects.ts";

describe("hostile users through the SDK", () => {
  test("a trainee removed from a coaching group stops seeing their old posts, what hangs on them and the renamed group", async () => {
    const [trainer, ana, ben] = await Promise.all([signUp("trainer"), signUp("ana"), signUp("ben")]);
    const group = unwrap(
      await trainer.client.groups.create({ name: uniqueName("Coaching"), kind: "coaching", visibility: "secret" }),
    );
    for (const t of [ana, ben]) {
      const invite = unwrap(await trainer.client.groups.invite(group.id, t.id));
      unwrap(await t.client.groups.acceptInvite(invite.id));
    }
    const mine = unwrap(await ana.client.posts.create({ groupId: group.id, body: "week 1 done" }));
    unwrap(await ben.client.comments.create(mine.id, { body: "well done" }));
    unwrap(await trainer.client.groups.removeMember(group.id, ana.id));
    unwrap(await ben.client.comments.create(mine.id, { body: "where did you go?" }));
    unwrap(await ben.client.reactions.add(mine.id, "fire"));
    const renamed = uniqueName("Renamed");
    unwrap(await trainer.client.groups.update(group.id, { name: renamed }));

    expectError(await ana.client.posts.get(mine.id), "post_not_found", 404);
    expect(unwrap(await ana.client.comments.list(mine.id)).items).toEqual([]);
    const { data: rows } = await ana.supabase
      .schema("social")
      .from("reactions")
      .select("post_id")
      .eq("post_id", mine.id);
    expect(rows).toEqual([]);
    const inbox = JSON.stringify(unwrap(await ana.client.notifications.list()).items);
    expect(inbox).not.toContain("where did you go");
    expect(inbox).not.toContain(group.id);
    expect(JSON.stringify(await ana.supabase.schema("social").rpc("get_post", { p_post_id: mine.id }))).not.toContain(
      renamed,
    );
    // the trainee who stays
    expect(unwrap(await ben.client.posts.get(mine.id)).group?.name).toBe(renamed);
    expect(unwrap(await ben.client.comments.list(mine.id)).items).toHaveLength(2);
  });

  test("a link made by a moderator who is then banned lets nobody in; the owner's link does", async () => {
    const [owner, mod, newcomer, other] = await Promise.all([
      signUp("owner"),
      signUp("mod"),
      signUp("newcomer"),
      signUp("other"),
    ]);
    const group = unwrap(await owner.client.groups.create({ name: uniqueName("Club"), kind: "club" }));
    unwrap(await mod.client.groups.join(group.id));
    unwrap(await owner.client.groups.setRole(group.id, mod.id, "moderator"));
    const dead = unwrap(await mod.client.groups.createInviteLink(group.id));
    const live = unwrap(await owner.client.groups.createInviteLink(group.id));
    unwrap(await owner.client.groups.ban(group.id, mod.id));
    expectError(await newcomer.client.groups.joinWithToken(dead.token!), "invite_revoked", 403);
    expectError(await newcomer.client.groups.previewInvite(dead.token!), "invite_not_found", 404);
    expect(unwrap(await other.client.groups.joinWithToken(live.token!)).status).toBe("active");
  });

  test("a moderator cannot remove the owner's post; the owner removes the moderator's", async () => {
    const [owner, mod] = await Promise.all([signUp("owner"), signUp("mod")]);
    const group = unwrap(await owner.client.groups.create({ name: uniqueName("Club"), kind: "club" }));
    unwrap(await mod.client.groups.join(group.id));
    unwrap(await owner.client.groups.setRole(group.id, mod.id, "moderator"));
    const ownersPost = unwrap(await owner.client.posts.create({ groupId: group.id, body: "club rules" }));
    const modsPost = unwrap(await mod.client.posts.create({ groupId: group.id, body: "my take" }));
    expectError(await mod.client.moderation.removePost(ownersPost.id, { reason: "coup" }), "insufficient_role", 403);
    expect(unwrap(await mod.client.posts.get(ownersPost.id)).body).toBe("club rules");
    unwrap(await owner.client.moderation.removePost(modsPost.id, { reason: "off topic" }));
    expectError(await owner.client.posts.get(modsPost.id), "post_not_found", 404);
  });

  test("a report of a profile that blocked the reporter keeps no card; a member gets no read count; the author does", async () => {
    const [ana, bo, coach] = await Promise.all([signUp("ana"), signUp("bo"), signUp("coach")]);
    unwrap(await bo.client.graph.block(ana.id));
    const report = unwrap(
      await ana.client.moderation.report({ targetType: "profile", targetId: bo.id, reason: "spam" }),
    );
    expect(JSON.stringify(report)).not.toContain(bo.handle);
    expect(JSON.stringify(unwrap(await ana.client.moderation.myReports()).items)).not.toContain(bo.handle);

    const group = unwrap(await coach.client.groups.create({ name: uniqueName("Coaching"), kind: "coaching" }));
    const invite = unwrap(await coach.client.groups.invite(group.id, ana.id));
    unwrap(await ana.client.groups.acceptInvite(invite.id));
    const a = unwrap(await coach.client.announcements.create(group.id, { title: "Rest day" }));
    unwrap(await ana.client.announcements.markRead(a.id));
    expect(unwrap(await ana.client.announcements.get(a.id)).readCount).toBeNull();
    expect(unwrap(await ana.client.announcements.mine()).items[0]?.readCount).toBeNull();
    expect(unwrap(await coach.client.announcements.get(a.id)).readCount).toBe(2);
  });

  test("a follow/unfollow loop is rate limited (429) and a removed comment leaves no text in the author's inbox", async () => {
    const [fan, star, troll] = await Promise.all([signUp("fan"), signUp("star"), signUp("troll")]);
    let limited = false;
    for (let i = 0; i < 80 && !limited; i++) {
      const result = i % 2 === 0 ? await fan.client.graph.follow(star.id) : await fan.client.graph.unfollow(star.id);
      if (result.error) {
        expect(result.error.code).toBe("rate_limited");
        expect(result.error.status).toBe(429);
        limited = true;
      }
    }
    expect(limited, "the loop hit the limit").toBe(true);

    const post = unwrap(await star.client.posts.create({ body: "first race" }));
    const bad = unwrap(await troll.client.comments.create(post.id, { body: "nasty words" }));
    await settle(); // its notification, sent by the deferred-effects job
    expect(JSON.stringify(unwrap(await star.client.notifications.list()).items)).toContain("nasty words");
    unwrap(await star.client.comments.delete(bad.id));
    expect(JSON.stringify(unwrap(await star.client.notifications.list()).items)).not.toContain("nasty words");
    // a comment its writer deletes at once leaves nothing either, before or after the job's turn
    const quick = unwrap(await troll.client.comments.create(post.id, { body: "quick insult" }));
    unwrap(await troll.client.comments.delete(quick.id));
    await settle();
    expect(JSON.stringify(unwrap(await star.client.notifications.list()).items)).not.toContain("quick insult");
  });

  test("discoverable = false hides a profile from search only", async () => {
    const [shy, seeker] = await Promise.all([signUp("shy"), signUp("seeker")]);
    unwrap(await shy.client.profiles.update({ discoverable: false }));
    expect(unwrap(await seeker.client.profiles.search(shy.handle)).items.map((p) => p.id)).not.toContain(shy.id);
    expect(unwrap(await seeker.client.profiles.get(shy.handle)).id).toBe(shy.id);
    expect(unwrap(await seeker.client.profiles.get(shy.id)).id).toBe(shy.id);
    unwrap(await seeker.client.graph.follow(shy.id));
    expect(unwrap(await seeker.client.graph.followers(shy.id)).items.map((f) => f.user.id)).toEqual([seeker.id]);
  });
});
