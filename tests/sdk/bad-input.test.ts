/**
 * Bad input is a 4xx with a code on the list, never a 500, and changes nothing: through plain
 * supabase-js against the local API (@supabase/lite on the test database), for every check
 * constraint in `social` and every column a signed-in client may insert or update. The lists come
 * from the catalog: a new constraint or a new writable column fails this file until it has a case.
 *
 * Each case writes a violating value as a client (or, for columns only the server writes, with the
 * service key), expects 400 and an error the SDK maps to `invalid_input` or a more specific code,
 * and reads the row (or counts the rows) again with the service key to see that nothing changed.
 * A few constraints can never be violated because a trigger normalises the value first; their
 * cases check the stored row satisfies the constraint. Boolean columns get null: @supabase/lite
 * 0.10 turns any non-boolean string into false before it reaches the database (PostgREST answers
 * 22P02), which no rule in SQL can see.
 */
import { randomUUID } from "node:crypto";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { withChat } from "../../client-sdk/src/chat.ts";
import { withEvents } from "../../client-sdk/src/events.ts";
import { type Database, toSupasocialError } from "../../client-sdk/src/index.ts";
import { withTrips } from "../../client-sdk/src/trips.ts";
import { signUp, type TestUser, uniqueName, unwrap } from "../fixtures/sdk.ts";
import { api } from "../helpers/api.ts";
import { sql } from "../helpers/db.ts";

type Db = SupabaseClient<Database, "social">;
type Response = { error: unknown; status: number };
/** `from(table)` of any table, untyped (for the snapshot of whichever table a case keeps). */
type UntypedTables = {
  from(table: string): {
    select(columns: string): {
      eq(column: string, value: string): { order(column: string): PromiseLike<{ data: unknown; error: unknown }> };
    };
  };
};

interface Ctx {
  owner: TestUser;
  member: TestUser;
  moderator: TestUser;
  reporter: TestUser;
  svc: Db;
  as: (u: TestUser) => Db;
  group: string;
  /** a coaching group of the member's */
  coaching: string;
  post: string;
  memberPost: string;
  comment: string;
  announcement: string;
  notification: string;
  report: string;
  invite: string;
  link: string;
  /** the owner's direct conversation with the member, a group conversation of theirs, a message */
  direct: string;
  chat: string;
  message: string;
  /** a published event of the owner's the member is going to */
  event: string;
  /** an announced (not uploaded) media row of the member's */
  media: string;
  /** the owner's trip (the member invited to it), a day, an item, the invite and a share link */
  trip: string;
  day: string;
  item: string;
  tripInvite: string;
  shareLink: string;
}

interface Case {
  name: string;
  /** constraint names and `table.column:insert|update` write slots this case covers */
  covers: string[];
  run: (ctx: Ctx) => PromiseLike<Response>;
  /** the rows to compare before and after ([table, column, value] filter), or a count to keep */
  keep: (ctx: Ctx) => [keyof Database["social"]["Tables"], string, string];
  /** the status (400 unless said) */
  status?: number;
  /** the value is normalised by a trigger, never refused: check the stored row instead */
  normalised?: (ctx: Ctx) => Promise<void>;
}

const long = (n: number) => "x".repeat(n);
const NOT_UUID = "not-a-uuid";

/** Rows of the premium tables that break one check each (the rest of the row is valid). */
const plan = {
  id: "valid-plan",
  tier: "plus",
  name: "Plan",
  interval: "month",
  stripe_price_id: "price_valid",
  amount_cents: 100,
  currency: "EUR",
  trial_days: 0,
  benefits: [],
};
const subscription = { stripe_subscription_id: "sub_badinput1", stripe_customer_id: "cus_badinput1", status: "active" };
const payment = { kind: "ticket", status: "canceled", amount_cents: 100, currency: "EUR", guests: 0, seats: 1 };
const boost = { target_type: "profile", hours: 24 };
const premiumIds = { payment: randomUUID(), boost: randomUUID() };

const cases: Case[] = [
  // ---- profiles ------------------------------------------------------------------------------
  ...(
    [
      ["a two-letter handle", { handle: "ab" }, "profiles_handle_format"],
      ["an emoji handle", { handle: "🏃‍♀️🏃‍♀️🏃‍♀️" }, "profiles_handle_format"],
      ["an 81-character display name", { display_name: long(81) }, "profiles_display_name_length"],
      ["an empty display name", { display_name: "" }, "profiles_display_name_length"],
      ["a blank display name", { display_name: "    " }, "profiles_display_name_visible"],
      ["a zero-width display name", { display_name: "\u200b\u200b" }, "profiles_display_name_visible"],
      ["a direction-override display name", { display_name: "\u202e \u202e" }, "profiles_display_name_visible"],
      ["an avatar that is not a media id", { avatar_media_id: NOT_UUID }, "profiles.avatar_media_id:update"],
      ["an unknown visibility", { visibility: "friends" }, "profiles.visibility:update"],
      ["a null discoverable", { discoverable: null }, "profiles.discoverable:update"],
      ["a null leaderboard_opt_in", { leaderboard_opt_in: null }, "profiles.leaderboard_opt_in:update"],
    ] as const
  ).map(
    ([name, patch, covers]): Case => ({
      name: `profiles: ${name}`,
      covers: [covers, `profiles.${Object.keys(patch)[0]}:update`],
      run: (c) =>
        c
          .as(c.member)
          .from("profiles")
          .update(patch as never)
          .eq("id", c.member.id),
      keep: (c) => ["profiles", "id", c.member.id],
    }),
  ),
  {
    name: "profiles (service): a 1025-character avatar path",
    covers: ["profiles_avatar_path_length"],
    run: (c) =>
      c.svc
        .from("profiles")
        .update({ avatar_path: long(1025) })
        .eq("id", c.member.id),
    keep: (c) => ["profiles", "id", c.member.id],
  },
  {
    name: "groups (service): a 1025-character cover path",
    covers: ["groups_avatar_path_length"],
    run: (c) =>
      c.svc
        .from("groups")
        .update({ avatar_path: long(1025) })
        .eq("id", c.group),
    keep: (c) => ["groups", "id", c.group],
  },
  {
    name: "update_my_profile: an invisible display name",
    covers: ["profiles_display_name_visible"],
    run: (c) => c.as(c.member).rpc("update_my_profile", { p_patch: { display_name: "\u200b \u202e" } }),
    keep: (c) => ["profiles", "id", c.member.id],
  },
  ...(
    [
      ["a 501-character bio", { bio: long(501) }, "profile_details_bio_length"],
      ["a 101-character city", { city: long(101) }, "profile_details_city_length"],
      ["31 interests", { interests: Array.from({ length: 31 }, (_, i) => `i${i}`) }, "profile_details_interests_count"],
      ["an unknown time zone", { timezone: "Mars/Olympus" }, "profile_details.timezone:update"],
    ] as const
  ).map(
    ([name, patch, covers]): Case => ({
      name: `profile_details: ${name}`,
      covers: [covers, `profile_details.${Object.keys(patch)[0]}:update`],
      run: (c) =>
        c
          .as(c.member)
          .from("profile_details")
          .update(patch as never)
          .eq("profile_id", c.member.id),
      keep: (c) => ["profile_details", "profile_id", c.member.id],
    }),
  ),
  {
    name: "profile_settings: not an object",
    covers: ["profile_settings_is_object", "profile_settings.settings:update"],
    run: (c) =>
      c
        .as(c.member)
        .from("profile_settings")
        .update({ settings: ["a"] })
        .eq("profile_id", c.member.id),
    keep: (c) => ["profile_settings", "profile_id", c.member.id],
  },
  {
    name: "profile_settings: 20 kB",
    covers: ["profile_settings_size"],
    run: (c) =>
      c
        .as(c.member)
        .from("profile_settings")
        .update({ settings: { blob: Array.from({ length: 2000 }, (_, i) => `${i}-${randomUUID()}`) } })
        .eq("profile_id", c.member.id),
    keep: (c) => ["profile_settings", "profile_id", c.member.id],
  },
  // ---- the graph -----------------------------------------------------------------------------
  {
    name: "follows: a self-follow through the table",
    covers: ["follows_not_self", "follows.followee_id:insert", "follows.follower_id:insert"],
    run: (c) => c.as(c.member).from("follows").insert({ follower_id: c.member.id, followee_id: c.member.id }),
    keep: (c) => ["follows", "follower_id", c.member.id],
  },
  {
    name: "follows: an unknown status",
    covers: ["follows.status:update"],
    run: (c) =>
      c
        .as(c.owner)
        .from("follows")
        .update({ status: "blocked" } as never)
        .eq("followee_id", c.owner.id),
    keep: (c) => ["follows", "followee_id", c.owner.id],
  },
  {
    name: "blocks: blocking oneself through the table",
    covers: ["blocks_not_self", "blocks.blocked_id:insert", "blocks.blocker_id:insert"],
    run: (c) => c.as(c.member).from("blocks").insert({ blocker_id: c.member.id, blocked_id: c.member.id }),
    keep: (c) => ["blocks", "blocker_id", c.member.id],
  },
  {
    name: "mutes: muting oneself through the table",
    covers: ["mutes_not_self", "mutes.muted_id:insert", "mutes.muter_id:insert"],
    run: (c) => c.as(c.member).from("mutes").insert({ muter_id: c.member.id, muted_id: c.member.id }),
    keep: (c) => ["mutes", "muter_id", c.member.id],
  },
  // ---- groups --------------------------------------------------------------------------------
  ...(
    [
      ["a one-letter name", { name: "x" }, "groups_name_length"],
      ["an invisible name", { name: "\u200b\u200b\u200b" }, "groups_name_visible"],
      ["a 100 kB description", { description: long(100_000) }, "groups_description_length"],
      ["a 101-character city", { city: long(101) }, "groups_city_length"],
      ["30 tags", { tags: Array.from({ length: 30 }, (_, i) => `tag${i}`) }, "groups_tags_count"],
      ["a cover that is not a media id", { avatar_media_id: NOT_UUID }, "groups.avatar_media_id:update"],
      ["a 65-character tier", { required_tier: long(65) }, "groups_required_tier_length"],
      ["an unknown visibility", { visibility: "hidden" }, "groups.visibility:update"],
      ["an unknown join policy", { join_policy: "maybe" }, "groups.join_policy:update"],
    ] as const
  ).flatMap(([name, patch, covers]): Case[] => [
    {
      name: `groups: update with ${name}`,
      covers: [covers, `groups.${Object.keys(patch)[0]}:update`],
      run: (c) =>
        c
          .as(c.owner)
          .from("groups")
          .update(patch as never)
          .eq("id", c.group),
      keep: (c) => ["groups", "id", c.group],
    },
    {
      name: `groups: insert with ${name}`,
      covers: [covers, `groups.${Object.keys(patch)[0]}:insert`],
      run: (c) =>
        c
          .as(c.member)
          .from("groups")
          .insert({ name: uniqueName("Club"), owner_id: c.member.id, ...patch } as never),
      keep: (c) => ["groups", "owner_id", c.member.id],
    },
  ]),
  {
    name: "groups: an unknown kind",
    covers: ["groups.kind:insert", "groups.owner_id:insert", "groups.name:insert"],
    run: (c) =>
      c
        .as(c.member)
        .from("groups")
        .insert({ name: uniqueName("Club"), owner_id: c.member.id, kind: "gym" } as never),
    keep: (c) => ["groups", "owner_id", c.member.id],
  },
  {
    name: "groups: a coaching group opened to all",
    covers: ["groups_coaching_invite_only"],
    run: (c) => c.as(c.member).from("groups").update({ join_policy: "open" }).eq("id", c.coaching),
    keep: (c) => ["groups", "id", c.coaching],
  },
  {
    name: "create_group: a one-letter name and 30 tags",
    covers: ["groups_name_length", "groups_tags_count"],
    run: (c) =>
      c.as(c.member).rpc("create_group", {
        p_name: "x",
        p_tags: Array.from({ length: 30 }, (_, i) => `t${i}`),
      }),
    keep: (c) => ["groups", "owner_id", c.member.id],
  },
  // ---- group invites (no client writes: with the service key) ----------------------------------
  ...(
    [
      ["an invite to its own inviter", (c: Ctx) => ({ invitee_id: c.owner.id }), "group_invites_not_self"],
      [
        "both a user and a token",
        (c: Ctx) => ({ invitee_id: c.member.id, token: randomUUID() }),
        "group_invites_user_or_link",
      ],
      ["a 10-character token", () => ({ token: "0123456789", expires_at: future() }), "group_invites_token_length"],
      ["a link that never expires", () => ({ token: randomUUID() }), "group_invites_link_expires"],
      ["max uses on a user invite", (c: Ctx) => ({ invitee_id: c.reporter.id, max_uses: 5 }), "group_invites_max_uses"],
      [
        "more uses than allowed",
        () => ({ token: randomUUID(), expires_at: future(), max_uses: 1, use_count: 2 }),
        "group_invites_use_count",
      ],
      [
        "a link accepted like a user invite",
        () => ({ token: randomUUID(), expires_at: future(), accepted_at: future() }),
        "group_invites_answer_user",
      ],
    ] as const
  ).map(
    ([name, extra, covers]): Case => ({
      name: `group_invites (service): ${name}`,
      covers: [covers],
      run: (c) =>
        c.svc.from("group_invites").insert({ group_id: c.group, inviter_id: c.owner.id, ...extra(c) } as never),
      keep: (c) => ["group_invites", "group_id", c.group],
    }),
  ),
  // ---- announcements -------------------------------------------------------------------------
  {
    name: "announcements: a blank title",
    covers: ["announcements_title_length", "announcements.title:update"],
    run: (c) => c.as(c.owner).from("announcements").update({ title: "   " }).eq("id", c.announcement),
    keep: (c) => ["announcements", "id", c.announcement],
  },
  {
    name: "announcements: an invisible title",
    covers: ["announcements_title_visible"],
    run: (c) => c.as(c.owner).from("announcements").update({ title: "\u200b\u2060" }).eq("id", c.announcement),
    keep: (c) => ["announcements", "id", c.announcement],
  },
  {
    name: "announcements: a 5001-character body",
    covers: ["announcements_body_length", "announcements.body:update"],
    run: (c) =>
      c
        .as(c.owner)
        .from("announcements")
        .update({ body: long(5001) })
        .eq("id", c.announcement),
    keep: (c) => ["announcements", "id", c.announcement],
  },
  {
    name: "announcements: not a time, a null pin",
    covers: ["announcements.expires_at:update", "announcements.pinned:update"],
    run: (c) =>
      c
        .as(c.owner)
        .from("announcements")
        .update({ expires_at: "next week", pinned: null } as never)
        .eq("id", c.announcement),
    keep: (c) => ["announcements", "id", c.announcement],
  },
  {
    name: "announcements: insert with a blank title",
    covers: [
      "announcements_title_length",
      "announcements.title:insert",
      "announcements.group_id:insert",
      "announcements.author_id:insert",
      "announcements.body:insert",
      "announcements.pinned:insert",
      "announcements.expires_at:insert",
    ],
    run: (c) =>
      c.as(c.owner).from("announcements").insert({
        group_id: c.group,
        author_id: c.owner.id,
        title: " ",
        body: "b",
        pinned: false,
        expires_at: null,
      }),
    keep: (c) => ["announcements", "group_id", c.group],
  },
  {
    name: "create_announcement: a 201-character title",
    covers: ["announcements_title_length"],
    run: (c) => c.as(c.owner).rpc("create_announcement", { p_group_id: c.group, p_title: long(201) }),
    keep: (c) => ["announcements", "group_id", c.group],
  },
  {
    name: "announcement_reads: not an announcement id",
    covers: ["announcement_reads.announcement_id:insert", "announcement_reads.user_id:insert"],
    run: (c) => c.as(c.member).from("announcement_reads").insert({ announcement_id: NOT_UUID, user_id: c.member.id }),
    keep: (c) => ["announcement_reads", "user_id", c.member.id],
  },
  // ---- posts ---------------------------------------------------------------------------------
  ...(
    [
      ["a 5001-character body", { body: long(5001) }, "posts_body_length"],
      ["an empty body", { body: "" }, "posts_body_length"],
      ["media that is not a list", { media: { path: "a.jpg" } }, "posts_media_shape"],
      [
        "11 media items",
        { media: Array.from({ length: 11 }, () => ({ path: "a.jpg", type: "image" })) },
        "posts_media_shape",
      ],
      ["group visibility outside a group", { visibility: "group" }, "posts_visibility_place"],
    ] as const
  ).map(
    ([name, patch, covers]): Case => ({
      name: `posts: update with ${name}`,
      covers: [covers, `posts.${Object.keys(patch)[0]}:update`],
      run: (c) =>
        c
          .as(c.member)
          .from("posts")
          .update(patch as never)
          .eq("id", c.memberPost),
      keep: (c) => ["posts", "id", c.memberPost],
    }),
  ),
  ...(
    [
      ["data that is not an object", { body: "b", data: ["x"] }, "posts_data_is_object"],
      ["20 kB of data", { body: "b", data: { blob: long(20_000) } }, "posts_data_is_object"],
      ["a ref type without a ref id", { body: "b", ref_type: "event" }, "posts_ref_pair"],
      ["an upper-case ref type", { body: "b", ref_type: "Event", ref_id: randomUUID() }, "posts_ref_type_format"],
      ["a text post with nothing in it", { body: null, media: [] }, "posts_text_has_content"],
      [
        "followers visibility in a group",
        { body: "b", visibility: "followers", group: true },
        "posts_visibility_place",
      ],
      ["an unknown kind", { body: "b", kind: "poll" }, "posts.kind:insert"],
      ["not a post id", { body: "b", id: NOT_UUID }, "posts.id:insert"],
    ] as const
  ).map(
    ([name, fields, covers]): Case => ({
      name: `posts: insert with ${name}`,
      covers: [
        covers,
        ...Object.keys(fields)
          .filter((k) => k !== "group")
          .map((k) => `posts.${k}:insert`),
      ],
      run: (c) => {
        const { group, ...rest } = fields as Record<string, unknown>;
        return c
          .as(c.member)
          .from("posts")
          .insert({ author_id: c.member.id, group_id: group ? c.group : null, ...rest } as never);
      },
      keep: (c) => ["posts", "author_id", c.member.id],
    }),
  ),
  {
    name: "posts: not a group or ref id, not an author",
    covers: [
      "posts.group_id:insert",
      "posts.ref_id:insert",
      "posts.author_id:insert",
      "posts.visibility:insert",
      "posts.media:insert",
    ],
    run: (c) =>
      c
        .as(c.member)
        .from("posts")
        .insert({
          author_id: c.member.id,
          group_id: NOT_UUID,
          body: "b",
          ref_type: "event",
          ref_id: NOT_UUID,
          visibility: "group",
          media: [],
        } as never),
    keep: (c) => ["posts", "author_id", c.member.id],
  },
  {
    name: "post_stats (service): negative counters",
    covers: ["post_stats_counts_not_negative"],
    run: (c) => c.svc.from("post_stats").update({ reaction_count: -1 }).eq("post_id", c.post),
    keep: (c) => ["post_stats", "post_id", c.post],
  },
  // ---- reactions and comments ----------------------------------------------------------------
  {
    name: "reactions: an unknown kind",
    covers: ["reactions.kind:insert", "reactions.post_id:insert", "reactions.user_id:insert"],
    run: (c) =>
      c
        .as(c.member)
        .from("reactions")
        .insert({ post_id: c.post, user_id: c.member.id, kind: "meh" } as never),
    keep: (c) => ["reactions", "user_id", c.member.id],
  },
  {
    name: "comments: a 2001-character comment",
    covers: ["comments_body_length", "comments.body:insert", "comments.post_id:insert", "comments.author_id:insert"],
    run: (c) =>
      c
        .as(c.member)
        .from("comments")
        .insert({ post_id: c.post, author_id: c.member.id, body: long(2001) }),
    keep: (c) => ["comments", "author_id", c.member.id],
  },
  {
    name: "comments: five media items",
    covers: ["comments_media_shape", "comments.media:insert"],
    run: (c) =>
      c
        .as(c.member)
        .from("comments")
        .insert({ post_id: c.post, body: "look", media: Array.from({ length: 5 }, () => ({ id: randomUUID() })) }),
    keep: (c) => ["comments", "author_id", c.member.id],
  },
  {
    name: "comments: media that is not a list",
    covers: ["comments_media_shape", "comments.media:update"],
    run: (c) =>
      c
        .as(c.member)
        .from("comments")
        .update({ media: { id: randomUUID() } })
        .eq("id", c.comment),
    keep: (c) => ["comments", "id", c.comment],
  },
  // ---- media (announced through create_media; the rows are the server's to write) -------------
  ...(
    [
      ["an empty file", { p_size_bytes: 0 }, "media_size_positive"],
      ["a zero width", { p_width: 0 }, "media_dimensions"],
      ["a duration on an image", { p_duration_ms: 1000 }, "media_duration"],
      ["a 129-character placeholder", { p_placeholder: long(129) }, "media_placeholder_length"],
    ] as const
  ).map(
    ([name, args, covers]): Case => ({
      name: `create_media: ${name}`,
      covers: [covers],
      run: (c) =>
        c.as(c.member).rpc("create_media", { p_target: "post", p_mime_type: "image/png", p_size_bytes: 10, ...args }),
      keep: (c) => ["media", "owner_id", c.member.id],
    }),
  ),
  {
    name: "media (service): attached without a target",
    covers: ["media_attached_pair"],
    run: (c) => c.svc.from("media").update({ attached_at: new Date().toISOString() }).eq("id", c.media),
    keep: (c) => ["media", "id", c.media],
  },
  {
    name: "comments: an empty edit",
    covers: ["comments_body_length", "comments.body:update"],
    run: (c) => c.as(c.member).from("comments").update({ body: "" }).eq("id", c.comment),
    keep: (c) => ["comments", "id", c.comment],
  },
  {
    name: "comments: not ids",
    covers: ["comments.id:insert", "comments.parent_id:insert"],
    run: (c) =>
      c.as(c.member).from("comments").insert({ id: NOT_UUID, post_id: c.post, parent_id: NOT_UUID, body: "hi" }),
    keep: (c) => ["comments", "author_id", c.member.id],
  },
  {
    name: "comments (service): its own parent",
    covers: ["comments_not_own_parent"],
    run: (c) => c.svc.from("comments").update({ parent_id: c.comment }).eq("id", c.comment),
    keep: (c) => ["comments", "id", c.comment],
  },
  {
    name: "comments (service): a negative reply count",
    covers: ["comments_reply_count_not_negative"],
    run: (c) => c.svc.from("comments").update({ reply_count: -1 }).eq("id", c.comment),
    keep: (c) => ["comments", "id", c.comment],
  },
  // ---- moderation ----------------------------------------------------------------------------
  {
    name: "reports: a 1001-character note through the table",
    covers: [
      "reports_note_length",
      "reports.note:insert",
      "reports.reason:insert",
      "reports.reporter_id:insert",
      "reports.target_id:insert",
      "reports.target_type:insert",
    ],
    run: (c) =>
      c
        .as(c.reporter)
        .from("reports")
        .insert({
          reporter_id: c.reporter.id,
          target_type: "profile",
          target_id: c.owner.id,
          reason: "spam",
          note: long(1001),
        }),
    keep: (c) => ["reports", "reporter_id", c.reporter.id],
  },
  {
    name: "reports: an unknown reason",
    covers: ["reports.reason:insert"],
    run: (c) =>
      c
        .as(c.reporter)
        .from("reports")
        .insert({ reporter_id: c.reporter.id, target_type: "profile", target_id: c.owner.id, reason: "ugly" } as never),
    keep: (c) => ["reports", "reporter_id", c.reporter.id],
  },
  {
    name: "reports: a 1001-character resolution note",
    covers: [
      "reports_resolution_note_length",
      "reports.resolution_note:update",
      "reports.status:update",
      "reports.resolution:update",
    ],
    run: (c) =>
      c
        .as(c.owner)
        .from("reports")
        .update({ status: "resolved", resolution: "warned", resolution_note: long(1001) })
        .eq("id", c.report),
    keep: (c) => ["reports", "id", c.report],
  },
  {
    name: "reports: resolved without an action",
    covers: ["reports_closed_state"],
    run: (c) => c.as(c.owner).from("reports").update({ status: "resolved" }).eq("id", c.report),
    keep: (c) => ["reports", "id", c.report],
  },
  {
    name: "reports: dismissed with an action is stored as none",
    covers: ["reports_dismissed_without_action"],
    run: (c) => c.svc.from("reports").update({ status: "dismissed", resolution: "warned" }).eq("id", c.report),
    keep: (c) => ["reports", "id", c.report],
    normalised: async (c) => {
      const { data } = await c.svc.from("reports").select("status, resolution").eq("id", c.report).single();
      expect(data).toEqual({ status: "dismissed", resolution: "none" });
    },
  },
  // ---- notifications -------------------------------------------------------------------------
  {
    name: "notifications: not a time",
    covers: ["notifications.read_at:update"],
    run: (c) =>
      c
        .as(c.owner)
        .from("notifications")
        .update({ read_at: "soon" } as never)
        .eq("id", c.notification),
    keep: (c) => ["notifications", "id", c.notification],
  },
  ...(
    [
      [
        "six actors",
        { actor_ids: Array.from({ length: 6 }, () => randomUUID()), actor_count: 6 },
        "notifications_actor_ids_count",
      ],
      ["fewer actors counted than listed", { actor_count: 0 }, "notifications_actor_count"],
      ["data that is not an object", { data: [] }, "notifications_data_is_object"],
    ] as const
  ).map(
    ([name, patch, covers]): Case => ({
      name: `notifications (service): ${name}`,
      covers: [covers],
      run: (c) =>
        c.svc
          .from("notifications")
          .update(patch as never)
          .eq("id", c.notification),
      keep: (c) => ["notifications", "id", c.notification],
    }),
  ),
  {
    name: "notification_counters (service): a negative count",
    covers: ["notification_counters_not_negative"],
    run: (c) => c.svc.from("notification_counters").update({ unread_count: -1 }).eq("user_id", c.owner.id),
    keep: (c) => ["notification_counters", "user_id", c.owner.id],
  },
  {
    name: "notification_preferences: an unknown kind, a null switch",
    covers: [
      "notification_preferences.kind:insert",
      "notification_preferences.in_app:insert",
      "notification_preferences.user_id:insert",
    ],
    run: (c) =>
      c
        .as(c.member)
        .from("notification_preferences")
        .insert({ user_id: c.member.id, kind: "everything", in_app: null } as never),
    keep: (c) => ["notification_preferences", "user_id", c.member.id],
  },
  {
    name: "notification_preferences: a null switch",
    covers: ["notification_preferences.in_app:update"],
    run: (c) =>
      c
        .as(c.member)
        .from("notification_preferences")
        .update({ in_app: null } as never)
        .eq("user_id", c.member.id),
    keep: (c) => ["notification_preferences", "user_id", c.member.id],
  },
  // ---- gamification: activities (a client records its own) ---------------------------------------
  ...(
    [
      ["an array payload", { payload: ["a"] }, ["activities_payload_is_object", "activities.payload:insert"]],
      [
        "a 9 kB payload",
        { payload: { blob: Array.from({ length: 400 }, (_, i) => `${i}-${randomUUID()}`) } },
        ["activities_payload_size"],
      ],
      [
        "a 201-character key",
        { idempotency_key: long(201) },
        ["activities_idempotency_key_length", "activities.idempotency_key:insert"],
      ],
      ["a value of 1e13", { value: 1e13 }, ["activities_value_finite", "activities.value:insert"]],
      ["an unknown kind", { kind: "teleported" }, ["activities.kind:insert"]],
      ["a day in the future", { occurred_at: future() }, ["activities.occurred_at:insert"]],
      ["a group that is not a uuid", { group_id: NOT_UUID }, ["activities.group_id:insert"]],
      ["a user that is not a uuid", { user_id: NOT_UUID }, ["activities.user_id:insert"]],
    ] as const
  ).map(
    ([name, values, covers]): Case => ({
      name: `activities: ${name}`,
      covers: [...covers],
      run: (c) =>
        c
          .as(c.member)
          .from("activities")
          .insert({ kind: "check_in", ...values } as never),
      keep: (c) => ["activities", "user_id", c.member.id],
    }),
  ),
  // ---- gamification: the catalogs and derived rows (the service role writes them) ----------------
  ...(
    [
      ["activity_kinds", "a code with spaces", { code: "Bad Code", name: "x" }, "activity_kinds_code_format"],
      ["activity_kinds", "an 81-character name", { code: "bi_name", name: long(81) }, "activity_kinds_name_length"],
      [
        "activity_kinds",
        "a 501-character description",
        { code: "bi_desc", name: "x", description: long(501) },
        "activity_kinds_description_length",
      ],
      [
        "activity_kinds",
        "a 21-character unit",
        { code: "bi_unit", name: "x", unit: long(21) },
        "activity_kinds_unit_length",
      ],
      [
        "activity_kinds",
        "a freeze every 0 days",
        { code: "bi_every", name: "x", freeze_every_days: 0 },
        "activity_kinds_freeze_every_days",
      ],
      ["activity_kinds", "11 freezes", { code: "bi_max", name: "x", max_freezes: 11 }, "activity_kinds_max_freezes"],
      [
        "activity_kinds",
        "a 201-character post text",
        { code: "bi_post", name: "x", post_text: long(201) },
        "activity_kinds_post_text_length",
      ],
      [
        "badges",
        "a code with spaces",
        { code: "Bad Code", name: "x", criterion: "first", activity_kind: "check_in" },
        "badges_code_format",
      ],
      [
        "badges",
        "an 81-character name",
        { code: "bi_b_name", name: long(81), criterion: "first", activity_kind: "check_in" },
        "badges_name_length",
      ],
      [
        "badges",
        "a 501-character description",
        { code: "bi_b_desc", name: "x", description: long(501), criterion: "first", activity_kind: "check_in" },
        "badges_description_length",
      ],
      [
        "badges",
        "a 1025-character icon",
        { code: "bi_b_icon", name: "x", icon: long(1025), criterion: "first", activity_kind: "check_in" },
        "badges_icon_length",
      ],
      [
        "badges",
        "negative points",
        { code: "bi_b_pts", name: "x", points: -1, criterion: "first", activity_kind: "check_in" },
        "badges_points",
      ],
      [
        "badges",
        "a first badge without a kind",
        { code: "bi_b_kind", name: "x", criterion: "first" },
        "badges_kind_needed",
      ],
      [
        "badges",
        "a count without a threshold",
        { code: "bi_b_thr", name: "x", criterion: "count", activity_kind: "check_in" },
        "badges_threshold_needed",
      ],
      [
        "badges",
        "a streak within a week",
        { code: "bi_b_per", name: "x", criterion: "streak", activity_kind: "check_in", threshold: 3, period: "week" },
        "badges_scope_for_counts",
      ],
      [
        "badges",
        "any group and one group",
        {
          code: "bi_b_grp",
          name: "x",
          criterion: "count",
          activity_kind: "check_in",
          threshold: 3,
          per_group: true,
          group_id: "00000000-0000-0000-0000-000000000001",
        },
        "badges_one_group_scope",
      ],
      [
        "badges",
        "a metric without a direction",
        { code: "bi_b_dir", name: "x", criterion: "metric", activity_kind: "weight_logged", threshold: 2 },
        "badges_direction_for_metrics",
      ],
      ["badges", "all of nothing", { code: "bi_b_all", name: "x", criterion: "all_of" }, "badges_required_for_all_of"],
      ["rewards", "a code with spaces", { code: "Bad Code", name: "x", cost: 1 }, "rewards_code_format"],
      ["rewards", "an 81-character name", { code: "bi_r_name", name: long(81), cost: 1 }, "rewards_name_length"],
      [
        "rewards",
        "a 501-character description",
        { code: "bi_r_desc", name: "x", cost: 1, description: long(501) },
        "rewards_description_length",
      ],
      [
        "rewards",
        "a 1025-character icon",
        { code: "bi_r_icon", name: "x", cost: 1, icon: long(1025) },
        "rewards_icon_length",
      ],
      ["rewards", "a cost of 0", { code: "bi_r_cost", name: "x", cost: 0 }, "rewards_cost"],
      ["rewards", "a stock below 0", { code: "bi_r_stock", name: "x", cost: 1, stock: -1 }, "rewards_stock"],
      [
        "rewards",
        "a limit of 0 per user",
        { code: "bi_r_lim", name: "x", cost: 1, per_user_limit: 0 },
        "rewards_per_user_limit",
      ],
      [
        "rewards",
        "a freeze of no streak",
        { code: "bi_r_frz", name: "x", cost: 1, effect: "streak_freeze" },
        "rewards_freeze_kind",
      ],
    ] as const
  ).map(
    ([table, name, values, constraint]): Case => ({
      name: `${table}: ${name}`,
      covers: [constraint],
      run: (c) => c.svc.from(table).insert(values as never),
      keep: () => [table, "code", values.code],
    }),
  ),
  ...(
    [
      ["points of 0", { points: 0 }, "point_rules_points"],
      ["a daily limit of 0", { daily_limit: 0 }, "point_rules_daily_limit"],
    ] as const
  ).map(
    ([name, patch, constraint]): Case => ({
      name: `point_rules: ${name}`,
      covers: [constraint],
      run: (c) => c.svc.from("point_rules").update(patch).eq("activity_kind", "check_in"),
      keep: () => ["point_rules", "activity_kind", "check_in"],
    }),
  ),
  {
    name: "activity_stats: a negative count",
    covers: ["activity_stats_counts"],
    run: (c) => c.svc.from("activity_stats").update({ activity_count: -1 }).eq("user_id", c.member.id),
    keep: (c) => ["activity_stats", "user_id", c.member.id],
  },
  {
    name: "point_balances: below zero",
    covers: ["point_balances_not_negative"],
    run: (c) => c.svc.from("point_balances").update({ balance: -1 }).eq("user_id", c.member.id),
    keep: (c) => ["point_balances", "user_id", c.member.id],
  },
  ...(
    [
      ["a delta of 0", { delta: 0 }, "point_ledger_delta"],
      ["a 501-character note", { delta: 1, note: long(501) }, "point_ledger_note_length"],
    ] as const
  ).map(
    ([name, values, constraint]): Case => ({
      name: `point_ledger: ${name}`,
      covers: [constraint],
      run: (c) => c.svc.from("point_ledger").insert({ user_id: c.member.id, reason: "adjustment", ...values }),
      keep: (c) => ["point_ledger", "user_id", c.member.id],
    }),
  ),
  ...(
    [
      ["a cost of 0", { cost: 0 }, "redemptions_cost"],
      ["a 201-character key", { cost: 1, idempotency_key: long(201) }, "redemptions_idempotency_key_length"],
    ] as const
  ).map(
    ([name, values, constraint]): Case => ({
      name: `redemptions: ${name}`,
      covers: [constraint],
      run: async (c) => {
        const { data } = await c.svc.from("rewards").select("id").eq("code", "check_in_streak_freeze").single();
        return c.svc.from("redemptions").insert({ user_id: c.member.id, reward_id: data!.id, ...values });
      },
      keep: (c) => ["redemptions", "user_id", c.member.id],
    }),
  ),
  {
    name: "group_leaderboards: an empty time zone",
    covers: ["group_leaderboards_timezone_length"],
    run: (c) => c.svc.from("group_leaderboards").insert({ group_id: c.group, timezone: "" }),
    keep: (c) => ["group_leaderboards", "group_id", c.group],
  },
  ...(
    [
      ["an all-time period", { period: "all_time", rank: 1 }, "leaderboard_snapshots_period"],
      ["a rank of 0", { period: "week", rank: 0 }, "leaderboard_snapshots_rank"],
    ] as const
  ).map(
    ([name, values, constraint]): Case => ({
      name: `leaderboard_snapshots: ${name}`,
      covers: [constraint],
      run: (c) =>
        c.svc.from("leaderboard_snapshots").insert({
          scope: "global",
          scope_key: "",
          metric: "points",
          timezone: "UTC",
          period_start: "2026-03-02T00:00:00Z",
          period_end: "2026-03-09T00:00:00Z",
          user_id: c.member.id,
          score: 1,
          ...values,
        }),
      keep: (c) => ["leaderboard_snapshots", "user_id", c.member.id],
    }),
  ),
  // ---- trips (writes go through RPCs; the columns only the server writes, with the service key) ----
  ...(
    [
      ["a 201-character title", "trips_title_length", { title: "x".repeat(201) }],
      ["a 5001-character description", "trips_description_length", { description: "d".repeat(5001) }],
      ["a 201-character destination", "trips_destination_name_length", { destination_name: "n".repeat(201) }],
      ["a latitude of 91", "trips_destination_point", { destination_lat: 91, destination_lng: 0 }],
      ["an end before the start", "trips_dates", { start_date: "2027-05-02", end_date: "2027-05-01" }],
    ] as const
  ).map(
    ([what, constraint, changes]): Case => ({
      name: `trips: ${what}`,
      covers: [constraint],
      run: (c) => c.as(c.owner).rpc("update_trip", { p_trip_id: c.trip, p_version: 1, p_changes: changes }),
      keep: (c) => ["trips", "id", c.trip],
    }),
  ),
  ...(
    [
      ["a 201-character title", "trip_days_title_length", { title: "t".repeat(201) }],
      ["5001 characters of notes", "trip_days_notes_length", { notes: "n".repeat(5001) }],
    ] as const
  ).map(
    ([what, constraint, changes]): Case => ({
      name: `trip_days: ${what}`,
      covers: [constraint],
      run: (c) => c.as(c.owner).rpc("update_trip_day", { p_day_id: c.day, p_version: 1, p_changes: changes }),
      keep: (c) => ["trip_days", "id", c.day],
    }),
  ),
  ...(
    [
      ["an empty title", "trip_items_title_length", { title: "" }],
      ["a 201-character place", "trip_items_place_name_length", { place_name: "p".repeat(201) }],
      ["a latitude without a longitude", "trip_items_place_point", { place_lat: 10 }],
      ["5001 characters of notes", "trip_items_notes_length", { notes: "n".repeat(5001) }],
      ["11 links", "trip_items_links_shape", { links: Array(11).fill("https://example.com") }],
      ["a negative cost", "trip_items_cost", { cost_estimate: -1 }],
      ["a lowercase currency", "trip_items_currency", { currency: "eur" }],
    ] as const
  ).map(
    ([what, constraint, changes]): Case => ({
      name: `trip_items: ${what}`,
      covers: [constraint],
      run: (c) => c.as(c.owner).rpc("update_trip_item", { p_item_id: c.item, p_version: 1, p_changes: changes }),
      keep: (c) => ["trip_items", "id", c.item],
    }),
  ),
  {
    name: "trip_item_comments: a 2001-character comment",
    covers: ["trip_item_comments_body_length"],
    run: (c) => c.as(c.owner).rpc("comment_on_trip_item", { p_item_id: c.item, p_body: "c".repeat(2001) }),
    keep: (c) => ["trip_item_comments", "item_id", c.item],
  },
  {
    name: "trip_item_votes: a vote of 2",
    covers: ["trip_item_votes_value"],
    run: (c) => c.as(c.owner).rpc("vote_trip_item", { p_item_id: c.item, p_value: 2 }),
    keep: (c) => ["trip_item_votes", "item_id", c.item],
  },
  ...(
    [
      ["trips", "trips_counts_not_negative", { member_count: -1 }, "trip"],
      ["trips", "trips_version_positive", { version: 0 }, "trip"],
      ["trip_days", "trip_days_position_format", { position: "a0" }, "day"],
      ["trip_days", "trip_days_version_positive", { version: 0 }, "day"],
      ["trip_items", "trip_items_position_format", { position: "not a key" }, "item"],
      ["trip_items", "trip_items_version_positive", { version: 0 }, "item"],
      ["trip_items", "trip_items_counts_not_negative", { comment_count: -1 }, "item"],
      ["trip_invites", "trip_invites_role", { role: "owner" }, "tripInvite"],
      [
        "trip_invites",
        "trip_invites_one_answer",
        { accepted_at: "2027-01-01T00:00:00Z", declined_at: "2027-01-01T00:00:00Z" },
        "tripInvite",
      ],
      ["trip_share_links", "trip_share_links_hash_length", { token_hash: "\\x00" }, "shareLink"],
      ["trip_share_links", "trip_share_links_use_count", { use_count: -1 }, "shareLink"],
    ] as const
  ).map(
    ([table, constraint, values, key]): Case => ({
      name: `${table} (service): ${constraint}`,
      covers: [constraint],
      run: (c) =>
        c.svc
          .from(table)
          .update(values as never)
          .eq("id", c[key]),
      keep: (c) => [table, "id", c[key]],
    }),
  ),
  // ---- chat: settings are the user's; conversations and messages are written by the RPCs (which
  // check first), so their constraints are tried with the service key -----------------------------
  {
    name: "chat_settings: an unknown audience on insert",
    covers: ["chat_settings.user_id:insert", "chat_settings.allow_messages_from:insert"],
    run: (c) =>
      c
        .as(c.owner)
        .from("chat_settings")
        .insert({ user_id: c.owner.id, allow_messages_from: "friends" } as never),
    keep: (c) => ["chat_settings", "user_id", c.owner.id],
  },
  {
    name: "chat_settings: a null audience",
    covers: ["chat_settings.allow_messages_from:update"],
    run: (c) =>
      c
        .as(c.member)
        .from("chat_settings")
        .update({ allow_messages_from: null } as never)
        .eq("user_id", c.member.id),
    keep: (c) => ["chat_settings", "user_id", c.member.id],
  },
  ...(
    [
      ["a title on a direct conversation", "direct", { title: "Us" }, "conversations_direct_plain"],
      ["a direct kind without the pair", "chat", { kind: "direct" }, "conversations_direct_pair"],
      ["a context type without its id", "chat", { context_type: "group" }, "conversations_context_pair"],
      ["an 81-character title", "chat", { title: long(81) }, "conversations_title_length"],
      ["a 1025-character avatar path", "chat", { avatar_path: long(1025) }, "conversations_avatar_path_length"],
      ["a slow mode of two hours", "chat", { slow_mode_seconds: 7200 }, "conversations_slow_mode_range"],
      ["a negative member count", "chat", { member_count: -1 }, "conversations_counts"],
    ] as const
  ).map(
    ([name, which, patch, covers]): Case => ({
      name: `conversations (service): ${name}`,
      covers: [covers],
      run: (c) =>
        c.svc
          .from("conversations")
          .update(patch as never)
          .eq("id", which === "direct" ? c.direct : c.chat),
      keep: (c) => ["conversations", "id", which === "direct" ? c.direct : c.chat],
    }),
  ),
  {
    name: "conversation_members (service): a negative read position",
    covers: ["conversation_members_read_seq"],
    run: (c) => c.svc.from("conversation_members").update({ last_read_seq: -1 }).eq("conversation_id", c.chat),
    keep: (c) => ["conversation_members", "conversation_id", c.chat],
  },
  ...(
    [
      ["a seq of 0", { seq: 0 }, "messages_seq_positive"],
      ["a 4001-character body", { body: long(4001) }, "messages_body_length"],
      ["attachments that are not an array", { attachments: { path: "a.jpg" } }, "messages_attachments_array"],
      ["data that is not an object", { data: ["x"] }, "messages_data_object"],
      ["a deletion that keeps the text", { deleted_at: new Date().toISOString() }, "messages_tombstone"],
    ] as const
  ).map(
    ([name, patch, covers]): Case => ({
      name: `messages (service): ${name}`,
      covers: [covers],
      run: (c) =>
        c.svc
          .from("messages")
          .update(patch as never)
          .eq("id", c.message),
      keep: (c) => ["messages", "id", c.message],
    }),
  ),
  // ---- events (written only through the event RPCs; the service key writes the table) --------
  ...(
    [
      ["a 201-character title", { title: "x".repeat(201) }, "events_title_length"],
      ["a 10001-character description", { description: "x".repeat(10001) }, "events_description_length"],
      ["an end before the start", { ends_at: "2000-01-01T00:00:00Z" }, "events_time_order"],
      ["a latitude without a longitude", { latitude: 10 }, "events_location_pair"],
      ["a latitude of 91", { latitude: 91, longitude: 0 }, "events_location_range"],
      ["a 201-character place name", { location_name: "x".repeat(201) }, "events_location_text"],
      ["a capacity of 0", { capacity: 0 }, "events_capacity_range"],
      ["an RSVP deadline after the end", { rsvp_deadline: "2100-01-01T00:00:00Z" }, "events_rsvp_deadline_before_end"],
      ["11 tags", { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, "events_tags_count"],
      ["a media list that is not an array", { media: { id: NOT_UUID } }, "events_media_shape"],
      ["11 media items", { media: Array.from({ length: 11 }, () => ({ id: randomUUID() })) }, "events_media_shape"],
      ["a negative price", { price_cents: -1, currency: "EUR" }, "events_price"],
      ["a 65-character tier", { required_tier: "x".repeat(65) }, "events_required_tier_length"],
      ["a negative seat count", { seats_taken: -1 }, "events_counts"],
      ["group visibility outside a group", { visibility: "group" }, "events_visibility_place"],
    ] as const
  ).map(
    ([name, patch, covers]): Case => ({
      name: `events (service): ${name}`,
      covers: [covers],
      run: (c) =>
        c.svc
          .from("events")
          .update(patch as never)
          .eq("id", c.event),
      keep: (c) => ["events", "id", c.event],
    }),
  ),
  ...(
    [
      ["11 guests", { guests: 11 }, "event_rsvps_guests_range"],
      ["a waitlisted interest", { status: "interested", waitlist_seq: 5 }, "event_rsvps_waitlist_going"],
      ["guests without going", { status: "interested", guests: 2 }, "event_rsvps_guests_going"],
    ] as const
  ).map(
    ([name, patch, covers]): Case => ({
      name: `event_rsvps (service): ${name}`,
      covers: [covers],
      run: (c) =>
        c.svc
          .from("event_rsvps")
          .update(patch as never)
          .eq("event_id", c.event),
      keep: (c) => ["event_rsvps", "event_id", c.event],
    }),
  ),
  // ---- premium (service_role only: no client writes billing state) ------------------------------
  ...(
    [
      ["premium_tiers", "tier", { tier: "Bad Tier!", rank: 9001, name: "X" }, "premium_tiers_tier_format"],
      ["premium_tiers", "tier", { tier: "zero_rank", rank: 0, name: "X" }, "premium_tiers_rank_positive"],
      ["premium_tiers", "tier", { tier: "blank_name", rank: 9002, name: " " }, "premium_tiers_name_length"],
      ["plans", "id", { ...plan, id: "Bad Plan" }, "plans_id_format"],
      ["plans", "id", { ...plan, id: "blank-name", name: " " }, "plans_name_length"],
      ["plans", "id", { ...plan, id: "weekly", interval: "week" }, "plans_interval"],
      ["plans", "id", { ...plan, id: "bad-price", stripe_price_id: "prod_1" }, "plans_price_format"],
      ["plans", "id", { ...plan, id: "negative", amount_cents: -1 }, "plans_amount"],
      ["plans", "id", { ...plan, id: "lower-currency", currency: "eur" }, "plans_currency"],
      ["plans", "id", { ...plan, id: "long-trial", trial_days: 999 }, "plans_trial_days"],
      ["plans", "id", { ...plan, id: "bad-benefit", benefits: ["Visibility Boost!"] }, "plans_benefits"],
      ["billing_customers", "stripe_customer_id", { stripe_customer_id: "customer_1" }, "billing_customers_id_format"],
      [
        "subscriptions",
        "stripe_subscription_id",
        { ...subscription, stripe_subscription_id: "si_1" },
        "subscriptions_id_format",
      ],
      ["subscriptions", "stripe_subscription_id", { ...subscription, status: "lapsed" }, "subscriptions_status"],
      ["payments", "id", { ...payment, kind: "gift" }, "payments_kind"],
      ["payments", "id", { ...payment, status: "pending" }, "payments_status"],
      ["payments", "id", { ...payment, amount_cents: -5 }, "payments_amount"],
      ["payments", "id", { ...payment, currency: "euro" }, "payments_currency"],
      ["payments", "id", { ...payment, guests: 2, seats: 1 }, "payments_guests"],
      ["payments", "id", { ...payment, status: "open", event_id: null }, "payments_ticket_event"],
      ["payments", "id", { ...payment, status: "succeeded", seats_held: true }, "payments_held_open"],
      ["payments", "id", { ...payment, channel: "desktop" }, "payments_channel"],
      ["payments", "id", { ...payment, idempotency_key: "short" }, "payments_idempotency_key"],
      ["payments", "id", { ...payment, promo_code: "" }, "payments_promo_code"],
      ["boosts", "id", { ...boost, target_type: "group" }, "boosts_target"],
      ["boosts", "id", { ...boost, hours: 5 }, "boosts_hours"],
      [
        "boosts",
        "id",
        { ...boost, starts_at: "2026-01-02T00:00:00Z", ends_at: "2026-01-01T00:00:00Z" },
        "boosts_window",
      ],
    ] as const
  ).map(
    ([table, column, row, covers]): Case => ({
      name: `${table} (service): ${covers}`,
      covers: [covers],
      run: (c) => {
        const full: Record<string, unknown> = { ...row };
        if (table === "billing_customers" || table === "subscriptions" || table === "payments")
          full.user_id = c.member.id;
        if (table === "payments") full.id = premiumIds.payment;
        if (table === "boosts")
          Object.assign(full, { id: premiumIds.boost, profile_id: c.member.id, payment_id: premiumIds.payment });
        return c.svc.from(table).insert(full as never);
      },
      keep: () => [
        table,
        column,
        table === "payments"
          ? premiumIds.payment
          : table === "boosts"
            ? premiumIds.boost
            : String((row as Record<string, unknown>)[column]),
      ],
    }),
  ),
];

/** `invalid_input`, or a more specific code of bad input on the list */
const INPUT_CODES = /^(invalid_[a-z_]+|resolution_required)$/;

function future(): string {
  return new Date(Date.now() + 86_400_000).toISOString();
}

let ctx: Ctx;

beforeAll(async () => {
  const svc = createClient<Database>(api().url, api().secretKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  }).schema("social") as unknown as Db;
  const [owner, member, moderator, reporter] = await Promise.all([
    signUp("owner"),
    signUp("member"),
    signUp("mod"),
    signUp("reporter"),
  ]);
  const as = (u: TestUser) => u.supabase.schema("social") as unknown as Db;
  const group = unwrap(await owner.client.groups.create({ name: uniqueName("Club"), kind: "club" }));
  for (const u of [member, moderator, reporter]) unwrap(await u.client.groups.join(group.id));
  unwrap(await owner.client.groups.setRole(group.id, moderator.id, "moderator"));
  const coaching = unwrap(await member.client.groups.create({ name: uniqueName("Coaching"), kind: "coaching" }));
  const post = unwrap(await owner.client.posts.create({ groupId: group.id, body: "the owner's post" }));
  const memberPost = unwrap(await member.client.posts.create({ body: "the member's post" }));
  const comment = unwrap(await member.client.comments.create(post.id, { body: "the member's comment" }));
  unwrap(await member.client.reactions.add(post.id, "fire"));
  const announcement = unwrap(await owner.client.announcements.create(group.id, { title: "Plan", body: "Run" }));
  unwrap(await member.client.graph.follow(owner.id));
  unwrap(await member.client.notifications.setPreference("reaction", true));
  const reported = unwrap(await member.client.posts.create({ groupId: group.id, body: "cheap watches" }));
  const report = unwrap(
    await reporter.client.moderation.report({ targetType: "post", targetId: reported.id, reason: "spam" }),
  );
  const invite = unwrap(await owner.client.groups.invite(group.id, (await signUp("invitee")).id));
  const link = unwrap(await owner.client.groups.createInviteLink(group.id));
  const inbox = unwrap(await owner.client.notifications.list());
  const travel = withTrips(owner.client);
  const trip = unwrap(
    await travel.trips.create({ title: uniqueName("Trip"), start_date: "2027-05-01", end_date: "2027-05-03" }),
  );
  const day = unwrap(await travel.trips.addDay(trip.id, { day_date: "2027-05-01" }));
  const item = unwrap(await travel.trips.addItem(day.id, { title: "Castle" }));
  const tripInvite = unwrap(await travel.trips.invite(trip.id, member.id, "viewer"));
  const shareLink = unwrap(await travel.trips.createShareLink(trip.id));
  const ownerEvents = withEvents(owner.client).events;
  const event = unwrap(
    await ownerEvents.create({
      title: "Bad input run",
      startsAt: future(),
      endsAt: new Date(Date.now() + 90_000_000).toISOString(),
    }),
  );
  unwrap(await ownerEvents.publish(event.id, { postCard: false }));
  unwrap(await withEvents(member.client).events.rsvp(event.id, { status: "going" }));
  const direct = unwrap(await withChat(owner.client).chat.openDirect(member.id));
  const chat = unwrap(
    await withChat(owner.client).chat.createGroup({ title: uniqueName("Chat"), memberIds: [member.id] }),
  );
  const message = unwrap(await withChat(owner.client).chat.send(chat.id, { body: "hello" }));
  unwrap(await withChat(member.client).chat.setSettings({ allowMessagesFrom: "everyone" }));
  const media = await member.supabase
    .schema("social")
    .rpc("create_media", { p_target: "post", p_mime_type: "image/png", p_size_bytes: 10 });
  if (media.error) throw media.error;
  ctx = {
    owner,
    member,
    moderator,
    reporter,
    svc,
    as,
    group: group.id,
    coaching: coaching.id,
    post: post.id,
    memberPost: memberPost.id,
    comment: comment.id,
    announcement: announcement.id,
    notification: inbox.items[0]!.id,
    report: report.id,
    invite: invite.id,
    link: link.id,
    event: event.id,
    direct: direct.id,
    chat: chat.id,
    message: message.id,
    media: (media.data as unknown as { id: string }).id,
    trip: trip.id,
    day: day.id,
    item: item.id,
    tripInvite: tripInvite.id,
    shareLink: shareLink.id,
  };
});

describe("bad input through supabase-js", () => {
  test("every check constraint in social and every column a client may write has a case", async () => {
    const constraints = await sql<{ name: string }[]>`
      select conname::text as name from pg_constraint
      where contype = 'c' and connamespace = 'social'::regnamespace order by 1`;
    const slots = await sql<{ slot: string }[]>`
      select distinct table_name || '.' || column_name || ':' || lower(privilege_type) as slot
      from information_schema.column_privileges
      where grantee = 'authenticated' and table_schema = 'social' and privilege_type in ('INSERT', 'UPDATE')
      order by 1`;
    const covered = new Set(cases.flatMap((c) => c.covers));
    expect(
      constraints.map((c) => c.name).filter((n) => !covered.has(n)),
      "constraints without a case",
    ).toEqual([]);
    expect(
      slots.map((s) => s.slot).filter((s) => !covered.has(s)),
      "writable columns without a case",
    ).toEqual([]);
    // and no case names a constraint or a column that is not there
    const known = new Set([...constraints.map((c) => c.name), ...slots.map((s) => s.slot)]);
    expect(
      [...covered].filter((c) => !known.has(c)),
      "cases for nothing",
    ).toEqual([]);
    expect(constraints.length).toBeGreaterThanOrEqual(46);
  });

  for (const k of cases) {
    test(`${k.name}: 4xx with a stable code, nothing changed`, async () => {
      const [table, column, value] = k.keep(ctx);
      const snapshot = async () => {
        // a union of every table name is too deep for tsc to instantiate: the rows are compared as data
        const svc = ctx.svc as unknown as UntypedTables;
        const { data, error } = await svc.from(table).select("*").eq(column, value).order(column);
        expect(error).toBeNull();
        return data;
      };
      const before = await snapshot();
      const response = await k.run(ctx);
      if (k.normalised) {
        expect(response.status, `${k.name}: ${JSON.stringify(response.error)}`).toBeLessThan(300);
        await k.normalised(ctx);
        return;
      }
      expect(response.error, k.name).not.toBeNull();
      expect(response.status, `${k.name}: ${JSON.stringify(response.error)}`).toBe(k.status ?? 400);
      const error = toSupasocialError(response.error, { status: response.status });
      expect(INPUT_CODES.test(error.code), `${k.name}: ${error.code} ${JSON.stringify(response.error)}`).toBe(true);
      expect(await snapshot(), `${k.name}: nothing changed`).toEqual(before);
    });
  }
});
