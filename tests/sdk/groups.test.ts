/**
 * `client.groups` against the live local API (@supabase/lite on the test database): creating,
 * finding, joining by every way in, invites and links, member lists and staff actions, each from
 * the side that may and the side that may not.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  GroupCreateSchema,
  GroupListOptionsSchema,
  GroupUpdateSchema,
  InviteTokenSchema,
} from "../../client-sdk/src/index.ts";
import { expectError, session, signUp, type TestUser, uniqueName, unwrap } from "../fixtures/sdk.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;

async function club(owner: TestUser, joinPolicy: "open" | "request" | "invite" = "open", extra = {}) {
  return unwrap(await owner.client.groups.create({ name: uniqueName("Club"), kind: "club", joinPolicy, ...extra }));
}

describe("groups: schemas", () => {
  test("GroupCreateSchema trims the name, refuses unknown fields and non-invite coaching groups", () => {
    expect(GroupCreateSchema.parse({ name: "  Runners  ", description: "  " })).toEqual({
      name: "Runners",
      description: null,
    });
    expect(GroupCreateSchema.safeParse({ name: "x" }).success).toBe(false);
    expect(GroupCreateSchema.safeParse({ name: "Runners", memberCount: 5 }).success).toBe(false);
    expect(GroupCreateSchema.safeParse({ name: "Coached", kind: "coaching", joinPolicy: "open" }).success).toBe(false);
    expect(GroupCreateSchema.safeParse({ name: "Coached", kind: "coaching", joinPolicy: "invite" }).success).toBe(true);
    expect(
      GroupCreateSchema.safeParse({ name: "Tags", tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }).success,
    ).toBe(false);
  });

  test("GroupUpdateSchema needs at least one change and never takes the kind", () => {
    expect(GroupUpdateSchema.safeParse({}).success).toBe(false);
    expect(GroupUpdateSchema.safeParse({ kind: "club" }).success).toBe(false);
    expect(GroupUpdateSchema.safeParse({ city: null }).success).toBe(true);
  });

  test("list options are strict and invite tokens are URL-safe", () => {
    expect(GroupListOptionsSchema.safeParse({ city: "Lisbon", limit: 5 }).success).toBe(true);
    expect(GroupListOptionsSchema.safeParse({ town: "Lisbon" }).success).toBe(false);
    expect(InviteTokenSchema.safeParse("CBJcWmH-6sTumq790z4rT0YB").success).toBe(true);
    expect(InviteTokenSchema.safeParse("short").success).toBe(false);
    expect(InviteTokenSchema.safeParse("has spaces in it, sixteen+").success).toBe(false);
  });

  test("invalid input is invalid_input and sends no request", async () => {
    const { client, restCalls } = session();
    const results = [
      await client.groups.get("nope"),
      await client.groups.create({ name: "" }),
      await client.groups.join("1"),
      await client.groups.joinWithToken("x"),
      await client.groups.members(randomUUID(), { status: "gone" as never }),
      await client.groups.invite(randomUUID(), randomUUID(), { expiresAt: "tomorrow" }),
      await client.groups.createInviteLink(randomUUID(), { maxUses: 0 }),
      await client.groups.setRole(randomUUID(), randomUUID(), "owner" as never),
      await client.groups.list({ cursor: "junk" }),
    ];
    for (const result of results) expectError(result, "invalid_input", 400);
    expect(restCalls).toEqual([]);
  });
});

describe("groups: creating and finding", () => {
  test("a coaching group is invite-only and private, and its creator is the owner", async () => {
    const trainer = await signUp("trainer");
    const group = unwrap(await trainer.client.groups.create({ name: uniqueName("Coaching"), kind: "coaching" }));
    expect(group).toMatchObject({
      kind: "coaching",
      visibility: "private",
      joinPolicy: "invite",
      ownerId: trainer.id,
      memberCount: 1,
    });
    expect(group.createdAt).toMatch(ISO);
    const fetched = unwrap(await trainer.client.groups.get(group.id));
    expect(fetched.membership).toMatchObject({ userId: trainer.id, role: "owner", status: "active" });
    expect(fetched.membership?.joinedAt).toMatch(ISO);
    expect(unwrap(await trainer.client.groups.mine()).items.map((g) => [g.id, g.membership?.role])).toEqual([
      [group.id, "owner"],
    ]);
  });

  test("tags are stored lower-case and distinct", async () => {
    const owner = await signUp("owner");
    const group = unwrap(
      await owner.client.groups.create({
        name: uniqueName("Tagged"),
        tags: ["Trail", "trail ", "Run"],
        city: " Porto ",
      }),
    );
    expect(group.tags).toEqual(["run", "trail"]);
    expect(group.city).toBe("Porto");
  });

  test("list pages newest first with the server's cursors and filters by tag; secret groups are never listed", async () => {
    const owner = await signUp("lister");
    const tag = `t${randomUUID().slice(0, 8)}`;
    const made: string[] = [];
    for (let i = 0; i < 3; i++)
      made.push(unwrap(await owner.client.groups.create({ name: uniqueName("G"), tags: [tag] })).id);
    unwrap(await owner.client.groups.create({ name: uniqueName("Hidden"), tags: [tag], visibility: "secret" }));
    const stranger = await signUp("stranger");
    const page1 = unwrap(await stranger.client.groups.list({ tag, limit: 2 }));
    expect(page1.items.map((g) => g.id)).toEqual([made[2], made[1]]);
    expect(page1.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const page2 = unwrap(await stranger.client.groups.list({ tag, limit: 2, cursor: page1.nextCursor }));
    expect(page2.items.map((g) => g.id)).toEqual([made[0]]);
    expect(page2.nextCursor).toBeNull();
    // signed out: the same listing (public groups)
    expect(unwrap(await session().client.groups.list({ tag })).items).toHaveLength(3);
  });

  test("a secret group is group_not_found to a stranger and visible to its owner", async () => {
    const owner = await signUp("owner");
    const secret = unwrap(await owner.client.groups.create({ name: uniqueName("Secret"), visibility: "secret" }));
    const stranger = await signUp("stranger");
    expectError(await stranger.client.groups.get(secret.id), "group_not_found", 404);
    expectError(await stranger.client.groups.get(randomUUID()), "group_not_found", 404);
    expect(unwrap(await owner.client.groups.get(secret.id)).id).toBe(secret.id);
  });

  test("owners and admins edit a group; members may not; only the owner deletes it", async () => {
    const owner = await signUp("owner");
    const member = await signUp("member");
    const group = await club(owner);
    unwrap(await member.client.groups.join(group.id));

    expectError(await member.client.groups.update(group.id, { description: "hijacked" }), "not_group_admin", 403);
    const edited = unwrap(await owner.client.groups.update(group.id, { description: "Sundays 8am", city: null }));
    expect(edited).toMatchObject({ description: "Sundays 8am", city: null });
    expect(unwrap(await member.client.groups.get(group.id)).description).toBe("Sundays 8am");
    expectError(await owner.client.groups.update(group.id, { joinPolicy: "bogus" as never }), "invalid_input");

    expectError(await member.client.groups.delete(group.id), "not_group_owner", 403);
    expect(unwrap(await owner.client.groups.delete(group.id))).toBeNull();
    expectError(await owner.client.groups.get(group.id), "group_not_found", 404);
  });
});

describe("groups: joining", () => {
  test("an open group is joined at once, idempotently, and left; the owner cannot leave", async () => {
    const owner = await signUp("owner");
    const runner = await signUp("runner");
    const group = await club(owner);
    const membership = unwrap(await runner.client.groups.join(group.id));
    expect(membership).toMatchObject({ groupId: group.id, userId: runner.id, role: "member", status: "active" });
    expect(unwrap(await runner.client.groups.join(group.id)).status).toBe("active");
    expect(unwrap(await runner.client.groups.get(group.id)).memberCount).toBe(2);
    expect(
      unwrap(await runner.client.groups.members(group.id))
        .items.map((m) => m.user.id)
        .sort(),
    ).toEqual([owner.id, runner.id].sort());

    expect(unwrap(await runner.client.groups.leave(group.id))).toBe(true);
    expect(unwrap(await runner.client.groups.leave(group.id))).toBe(false);
    expect(unwrap(await runner.client.groups.get(group.id))).toMatchObject({ memberCount: 1, membership: null });
    expectError(await owner.client.groups.leave(group.id), "owner_must_transfer", 403);
  });

  test("a request group makes a pending request that staff approve or decline", async () => {
    const owner = await signUp("owner");
    const [asker, other] = await Promise.all([signUp("asker"), signUp("other")]);
    const group = await club(owner, "request");
    expect(unwrap(await asker.client.groups.join(group.id)).status).toBe("pending");
    expect(unwrap(await other.client.groups.join(group.id)).status).toBe("pending");

    // staff see requests; a requester sees only their own row, never others' requests
    const pending = unwrap(await owner.client.groups.members(group.id, { status: "pending" }));
    expect(pending.items.map((m) => m.user.id).sort()).toEqual([asker.id, other.id].sort());
    expect(
      unwrap(await asker.client.groups.members(group.id, { status: "pending" })).items.map((m) => m.user.id),
    ).toEqual([asker.id]);
    expectError(await asker.client.groups.approveRequest(group.id, other.id), "not_group_staff", 403);

    expect(unwrap(await owner.client.groups.approveRequest(group.id, asker.id)).status).toBe("active");
    expect(unwrap(await owner.client.groups.declineRequest(group.id, other.id))).toBe(true);
    expect(unwrap(await owner.client.groups.declineRequest(group.id, other.id))).toBe(false);
    expect(unwrap(await other.client.groups.get(group.id)).membership).toBeNull();
    expect(unwrap(await owner.client.groups.get(group.id)).memberCount).toBe(2);
  });

  test("an invite-only group refuses a plain join with invite_required", async () => {
    const owner = await signUp("owner");
    const stranger = await signUp("stranger");
    const group = await club(owner, "invite");
    expectError(await stranger.client.groups.join(group.id), "invite_required", 403);
  });

  test("joining a group that does not exist is group_not_found", async () => {
    const stranger = await signUp("stranger");
    expectError(await stranger.client.groups.join(randomUUID()), "group_not_found", 404);
  });
});

describe("groups: invites", () => {
  test("an invitee sees the invite with group and inviter, accepts it (idempotently) and becomes a member", async () => {
    const trainer = await signUp("trainer");
    const trainee = await signUp("trainee");
    const group = unwrap(await trainer.client.groups.create({ name: uniqueName("Coaching"), kind: "coaching" }));
    const invite = unwrap(await trainer.client.groups.invite(group.id, trainee.id));
    expect(invite).toMatchObject({ groupId: group.id, inviterId: trainer.id, inviteeId: trainee.id, token: null });
    expect(invite.expiresAt).toMatch(ISO);
    // inviting again returns the same open invite
    expect(unwrap(await trainer.client.groups.invite(group.id, trainee.id)).id).toBe(invite.id);

    const received = unwrap(await trainee.client.groups.myInvites());
    expect(received.items.map((i) => [i.id, i.group?.name, i.inviter?.id])).toEqual([
      [invite.id, group.name, trainer.id],
    ]);

    const membership = unwrap(await trainee.client.groups.acceptInvite(invite.id));
    expect(membership).toMatchObject({ status: "active", role: "member", invitedBy: trainer.id });
    expect(unwrap(await trainee.client.groups.acceptInvite(invite.id)).status).toBe("active");
    expect(unwrap(await trainee.client.groups.myInvites()).items).toEqual([]);
  });

  test("in a coaching group only the trainer invites; a stranger cannot answer someone else's invite", async () => {
    const trainer = await signUp("trainer");
    const [trainee, friend] = await Promise.all([signUp("trainee"), signUp("friend")]);
    const group = unwrap(await trainer.client.groups.create({ name: uniqueName("Coaching"), kind: "coaching" }));
    unwrap(
      await trainee.client.groups.acceptInvite(unwrap(await trainer.client.groups.invite(group.id, trainee.id)).id),
    );
    expectError(await trainee.client.groups.invite(group.id, friend.id), "not_allowed_to_invite", 403);
    expectError(await trainee.client.groups.createInviteLink(group.id), "not_allowed_to_invite", 403);
    expectError(await trainer.client.groups.invite(group.id, trainer.id), "invalid_target", 400);

    const invite = unwrap(await trainer.client.groups.invite(group.id, friend.id));
    expect(unwrap(await friend.client.groups.declineInvite(invite.id)).declinedAt).toMatch(ISO);
    expect(unwrap(await friend.client.groups.get(group.id)).membership).toBeNull();
  });

  test("a link previews the group, admits up to maxUses users, and stops working once revoked", async () => {
    const owner = await signUp("owner");
    const [first, second, third] = await Promise.all([signUp("first"), signUp("second"), signUp("third")]);
    const group = await club(owner, "invite", { visibility: "private" });
    const link = unwrap(await owner.client.groups.createInviteLink(group.id, { maxUses: 1 }));
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(link).toMatchObject({ inviteeId: null, maxUses: 1, useCount: 0 });

    const preview = unwrap(await first.client.groups.previewInvite(link.token!));
    expect(preview).toMatchObject({ groupId: group.id, name: group.name, memberCount: 1 });
    expect(unwrap(await first.client.groups.joinWithToken(link.token!)).status).toBe("active");
    // a member redeeming again uses no slot
    expect(unwrap(await first.client.groups.joinWithToken(link.token!)).status).toBe("active");
    expectError(await second.client.groups.joinWithToken(link.token!), "invite_exhausted", 403);

    const open = unwrap(await owner.client.groups.createInviteLink(group.id));
    unwrap(await owner.client.groups.revokeInvite(open.id));
    expectError(await third.client.groups.joinWithToken(open.token!), "invite_revoked", 403);
    const invites = unwrap(await owner.client.groups.invites(group.id));
    expect(invites.items.map((i) => i.id)).toEqual([open.id, link.id]);
    expect(invites.items[1]?.useCount).toBe(1);
  });

  test("inviting someone who is already a member is already_member (409)", async () => {
    const owner = await signUp("owner");
    const member = await signUp("member");
    const group = await club(owner);
    unwrap(await member.client.groups.join(group.id));
    expectError(await owner.client.groups.invite(group.id, member.id), "already_member", 409);
  });

  test("accepting an invite addressed to someone else is invite_not_found", async () => {
    const owner = await signUp("owner");
    const [invitee, other] = await Promise.all([signUp("invitee"), signUp("other")]);
    const group = await club(owner, "invite");
    const invite = unwrap(await owner.client.groups.invite(group.id, invitee.id));
    expectError(await other.client.groups.acceptInvite(invite.id), "invite_not_found", 404);
    expect(unwrap(await other.client.groups.get(group.id)).membership).toBeNull();
  });

  test("an unknown link token is invite_not_found", async () => {
    const user = await signUp("user");
    expectError(await user.client.groups.previewInvite("A".repeat(24)), "invite_not_found", 404);
    expectError(await user.client.groups.joinWithToken("A".repeat(24)), "invite_not_found", 404);
  });
});

describe("groups: staff actions", () => {
  test("roles by rank: the owner makes admins, an admin makes moderators, a moderator cannot change roles", async () => {
    const owner = await signUp("owner");
    const [admin, moderator, member] = await Promise.all([signUp("admin"), signUp("mod"), signUp("member")]);
    const group = await club(owner);
    for (const u of [admin, moderator, member]) unwrap(await u.client.groups.join(group.id));

    expect(unwrap(await owner.client.groups.setRole(group.id, admin.id, "admin")).role).toBe("admin");
    expect(unwrap(await admin.client.groups.setRole(group.id, moderator.id, "moderator")).role).toBe("moderator");
    expectError(await admin.client.groups.setRole(group.id, member.id, "admin"), "insufficient_role", 403);
    expectError(await moderator.client.groups.setRole(group.id, member.id, "moderator"), "not_group_admin", 403);
    const staff = unwrap(await member.client.groups.members(group.id));
    expect(Object.fromEntries(staff.items.map((m) => [m.user.id, m.role]))).toEqual({
      [owner.id]: "owner",
      [admin.id]: "admin",
      [moderator.id]: "moderator",
      [member.id]: "member",
    });
  });

  test("a moderator removes and bans members, the banned cannot rejoin until unbanned, and nobody touches the owner", async () => {
    const owner = await signUp("owner");
    const [moderator, member, troll] = await Promise.all([signUp("mod"), signUp("member"), signUp("troll")]);
    const group = await club(owner);
    for (const u of [moderator, member, troll]) unwrap(await u.client.groups.join(group.id));
    unwrap(await owner.client.groups.setRole(group.id, moderator.id, "moderator"));

    expect(unwrap(await moderator.client.groups.removeMember(group.id, member.id))).toBe(true);
    expect(unwrap(await moderator.client.groups.ban(group.id, troll.id)).status).toBe("banned");
    expectError(await troll.client.groups.join(group.id), "banned", 403);
    expect(
      unwrap(await owner.client.groups.members(group.id, { status: "banned" })).items.map((m) => m.user.id),
    ).toEqual([troll.id]);
    expectError(await moderator.client.groups.ban(group.id, owner.id), "owner_protected", 403);
    expectError(await member.client.groups.removeMember(group.id, troll.id), "not_group_staff", 403);

    expect(unwrap(await moderator.client.groups.unban(group.id, troll.id))).toBe(true);
    expect(unwrap(await troll.client.groups.join(group.id)).status).toBe("active");
  });

  test("ownership goes only to an active member (member_not_found otherwise)", async () => {
    const owner = await signUp("owner");
    const outsider = await signUp("outsider");
    const group = await club(owner);
    expectError(await owner.client.groups.transferOwnership(group.id, outsider.id), "member_not_found", 404);
    expect(unwrap(await owner.client.groups.get(group.id)).ownerId).toBe(owner.id);
  });

  test("the owner hands the group over and becomes an admin", async () => {
    const owner = await signUp("owner");
    const heir = await signUp("heir");
    const group = await club(owner);
    unwrap(await heir.client.groups.join(group.id));
    expectError(await heir.client.groups.transferOwnership(group.id, owner.id), "not_group_owner", 403);
    expect(unwrap(await owner.client.groups.transferOwnership(group.id, heir.id)).ownerId).toBe(heir.id);
    expect(unwrap(await owner.client.groups.get(group.id)).membership?.role).toBe("admin");
    expect(unwrap(await owner.client.groups.leave(group.id))).toBe(true);
  });
});
