/**
 * The coaching story, end to end through the SDK against the live local API: a trainer builds a
 * coaching group, brings trainees in by invite and by link, announces, and moderates; trainees
 * read, post, react and comment; an outsider sees none of it; notifications follow along.
 */
import { expect, test } from "vitest";
import type { Page, Post } from "../../client-sdk/src/index.ts";
import { expectError, signUp as signUpUser, uniqueName, unwrap } from "../fixtures/sdk.ts";
import { settle } from "../helpers/effects.ts";

/**
 * A fresh signed-in user with badge_earned notifications off: the default badges (first post,
 * joining a group ...) would add their own notifications to the inboxes asserted here
 * (tests/sdk/gamification.test.ts covers them).
 */
async function signUp(label: string) {
  const user = await signUpUser(label);
  unwrap(await user.client.notifications.setPreference("badge_earned", false));
  return user;
}

function find(page: Page<Post>, id: string) {
  return page.items.find((p) => p.id === id);
}

test("a trainer coaches trainees in a private group: invites, announcements, posts, reactions, moderation and notifications", async () => {
  const [trainer, ana, ben, outsider] = await Promise.all([
    signUp("trainer"),
    signUp("ana"),
    signUp("ben"),
    signUp("outsider"),
  ]);

  // --- the trainer creates a coaching group: invite-only and private --------------------------
  const group = unwrap(
    await trainer.client.groups.create({ name: uniqueName("Marathon prep"), kind: "coaching", description: "Spring" }),
  );
  expect(group).toMatchObject({ kind: "coaching", visibility: "private", joinPolicy: "invite", memberCount: 1 });
  expectError(await outsider.client.groups.join(group.id), "invite_required", 403);

  // --- Ana is invited by name: she is notified, sees the invite and accepts ---------------------
  const invite = unwrap(await trainer.client.groups.invite(group.id, ana.id));
  expect(unwrap(await ana.client.notifications.unreadCount())).toBe(1);
  const [inviteNote] = unwrap(await ana.client.notifications.list()).items;
  expect(inviteNote).toMatchObject({ kind: "group_invite", groupId: group.id, actorIds: [trainer.id] });
  expect(unwrap(await ana.client.groups.myInvites()).items.map((i) => [i.id, i.group?.name])).toEqual([
    [invite.id, group.name],
  ]);
  expect(unwrap(await ana.client.groups.acceptInvite(invite.id))).toMatchObject({ status: "active", role: "member" });
  // answering the invite takes its notification away
  expect(unwrap(await ana.client.notifications.unreadCount())).toBe(0);

  // --- Ben comes in through a link -------------------------------------------------------------
  const link = unwrap(await trainer.client.groups.createInviteLink(group.id, { maxUses: 5 }));
  expect(unwrap(await ben.client.groups.previewInvite(link.token!))).toMatchObject({
    groupId: group.id,
    memberCount: 2,
  });
  expect(unwrap(await ben.client.groups.joinWithToken(link.token!)).status).toBe("active");
  expect(unwrap(await trainer.client.groups.get(group.id)).memberCount).toBe(3);
  expect(
    unwrap(await trainer.client.groups.members(group.id))
      .items.map((m) => m.user.id)
      .sort(),
  ).toEqual([trainer.id, ana.id, ben.id].sort());

  // --- the trainer announces; Ana finds it unread, reads it; the trainer sees the read count -----
  const announcement = unwrap(
    await trainer.client.announcements.create(group.id, {
      title: "Long run Saturday",
      body: "18 km easy, meet at 8:00",
      pinned: true,
    }),
  );
  const unread = unwrap(await ana.client.announcements.mine({ unreadOnly: true }));
  expect(unread.items.map((a) => [a.id, a.title, a.group.id, a.isRead])).toEqual([
    [announcement.id, "Long run Saturday", group.id, false],
  ]);
  const [announcementNote] = unwrap(await ana.client.notifications.list({ unreadOnly: true })).items;
  expect(announcementNote).toMatchObject({
    kind: "announcement",
    announcementId: announcement.id,
    actorIds: [trainer.id],
  });
  expect(unwrap(await ana.client.announcements.markRead(announcement.id))).toBe(true);
  expect(unwrap(await ana.client.announcements.mine({ unreadOnly: true })).items).toEqual([]);
  expect(unwrap(await ben.client.announcements.mine({ unreadOnly: true })).items).toHaveLength(1);
  const trainerView = unwrap(await trainer.client.announcements.list(group.id));
  expect(trainerView.items.map((a) => [a.id, a.readCount])).toEqual([[announcement.id, 2]]); // trainer + Ana

  // --- Ana posts in the group; Ben reacts and comments -----------------------------------------
  const post = unwrap(
    await ana.client.posts.create({ groupId: group.id, kind: "activity", body: "Intervals: 6×800m" }),
  );
  expect(post).toMatchObject({ groupId: group.id, visibility: "group", group: { id: group.id, kind: "coaching" } });
  expect(unwrap(await ben.client.reactions.add(post.id, "fire"))).toBe(true);
  const comment = unwrap(await ben.client.comments.create(post.id, { body: "Strong finish!" }));

  // --- feeds show the post with counts and each reader's own reactions --------------------------
  const anaHome = find(unwrap(await ana.client.feed.home()), post.id);
  expect(anaHome).toMatchObject({ reactionCount: 1, reactionCounts: { fire: 1 }, commentCount: 1, myReactions: [] });
  const benHome = find(unwrap(await ben.client.feed.home()), post.id);
  expect(benHome).toMatchObject({ reactionCount: 1, commentCount: 1, myReactions: ["fire"] });
  const groupFeed = unwrap(await trainer.client.feed.group(group.id));
  expect(groupFeed.items.map((p) => [p.id, p.author.id, p.reactionCount, p.commentCount])).toEqual([
    [post.id, ana.id, 1, 1],
  ]);
  expect(unwrap(await trainer.client.comments.list(post.id)).items.map((c) => [c.id, c.author?.id])).toEqual([
    [comment.id, ben.id],
  ]);

  // --- an outsider sees nothing of it ------------------------------------------------------------
  expectError(await outsider.client.posts.get(post.id), "post_not_found", 404);
  expectError(await outsider.client.feed.group(group.id), "group_forbidden", 403);
  expect(find(unwrap(await outsider.client.feed.home()), post.id)).toBeUndefined();
  expect(unwrap(await outsider.client.feed.profile(ana.id)).items).toEqual([]);
  expect(unwrap(await outsider.client.comments.list(post.id)).items).toEqual([]);
  expect(unwrap(await outsider.client.reactions.list(post.id)).items).toEqual([]);
  expect(unwrap(await outsider.client.announcements.list(group.id)).items).toEqual([]);
  expectError(await outsider.client.announcements.get(announcement.id), "announcement_not_found", 404);
  expect(unwrap(await outsider.client.groups.members(group.id)).items).toEqual([]);
  // (the exact code, post_not_found, is asserted in posts.test.ts)
  expect((await outsider.client.reactions.add(post.id, "like")).error).not.toBeNull();
  expect(find(unwrap(await ana.client.feed.home()), post.id)?.reactionCount).toBe(1);
  await settle(); // the reaction's and the comment's notifications, sent by the deferred-effects job
  expect(unwrap(await outsider.client.notifications.list()).items).toEqual([]);

  // --- Ana was notified of the reaction and the comment; mark-read works -------------------------
  const anaInbox = unwrap(await ana.client.notifications.list());
  const byKind = Object.fromEntries(anaInbox.items.map((n) => [n.kind, n]));
  expect(byKind.reaction).toMatchObject({
    postId: post.id,
    actorIds: [ben.id],
    isRead: false,
    data: { reaction: "fire" },
  });
  expect(byKind.comment).toMatchObject({ postId: post.id, actorIds: [ben.id], isRead: false });
  expect(byKind.announcement).toMatchObject({ announcementId: announcement.id });
  expect(unwrap(await ana.client.notifications.unreadCount())).toBe(3); // announcement, reaction, comment
  unwrap(await ana.client.notifications.markRead(byKind.reaction!.id));
  expect(unwrap(await ana.client.notifications.unreadCount())).toBe(2);
  expect(
    unwrap(await ana.client.notifications.list({ unreadOnly: true }))
      .items.map((n) => n.kind)
      .sort(),
  ).toEqual(["announcement", "comment"]);
  // Ben's inbox: the announcement only (his own reaction and comment notify nobody but Ana)
  expect(unwrap(await ben.client.notifications.list()).items.map((n) => n.kind)).toEqual(["announcement"]);

  // --- the trainer removes the post as moderator: it leaves every feed ---------------------------
  expectError(await ben.client.moderation.removePost(post.id), "not_allowed", 403);
  expect(
    unwrap(await trainer.client.moderation.removePost(post.id, { reason: "Posted in the wrong group" })),
  ).toBeNull();
  expect(unwrap(await trainer.client.feed.group(group.id)).items).toEqual([]);
  expect(find(unwrap(await ana.client.feed.home()), post.id)).toBeUndefined();
  expect(find(unwrap(await ben.client.feed.home()), post.id)).toBeUndefined();
  expectError(await ana.client.posts.get(post.id), "post_not_found", 404);
  const log = unwrap(await trainer.client.moderation.log(group.id));
  expect(log.items.map((e) => [e.action, e.targetId, e.reason])).toContainEqual([
    "post_removed",
    post.id,
    "Posted in the wrong group",
  ]);
  // the removed post takes its notifications with it; the announcement's stays
  expect(unwrap(await ana.client.notifications.list()).items.map((n) => n.kind)).toEqual(["announcement"]);
  expect(unwrap(await ana.client.notifications.unreadCount())).toBe(1);

  // --- mark everything read ------------------------------------------------------------------------
  expect(unwrap(await ana.client.notifications.markAllRead())).toBe(1);
  expect(unwrap(await ana.client.notifications.unreadCount())).toBe(0);
  expect(unwrap(await ben.client.announcements.markAllRead({ groupId: group.id }))).toBe(1);
  expect(unwrap(await trainer.client.announcements.get(announcement.id)).readCount).toBe(3);
}, 90_000);
