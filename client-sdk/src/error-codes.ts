/**
 * The closed list of error codes: every `code` a `SupasocialError` can have, with the HTTP status
 * the Data API answers (PostgREST and @supabase/lite alike) and what it means.
 *
 * It is the one source of truth. Supasocial's SQL raises its codes with
 * `social_private.raise_error(kind, code, message)` (see `SUPASOCIAL_ERROR_KINDS`), and a test
 * fails when the migrated database raises a code that is not here, or when a `source: "sql"` code
 * is raised nowhere. A `source: "sdk"` code is one only the SDK produces (from input validation,
 * a SQLSTATE or PostgREST/Auth code without a code of ours, the HTTP status, a network or
 * Realtime failure). The README's table of error codes is generated from this list
 * (`npm run gen:docs`).
 *
 * Codes of HTTP status 403 reach a request without a signed-in user as 401: PostgREST and
 * @supabase/lite both answer SQLSTATE 42501 so, and `error.status` says the same.
 */

/**
 * One entry of the list.
 *
 * @example
 * ```ts
 * const entry: SupasocialErrorCodeInfo = { code: 'blocked', status: 403, source: 'sql', meaning: '...' }
 * ```
 */
export interface SupasocialErrorCodeInfo {
  /** The stable, machine-readable code (`error.code`). */
  readonly code: string;
  /** The HTTP status: 400, 401, 403, 404, 409, 429, 500, 503, 504, or 0 when no response arrived. */
  readonly status: number;
  /** `sql`: raised by Supasocial's SQL (the SDK may produce it too); `sdk`: produced by the SDK only. */
  readonly source: "sql" | "sdk";
  /** What it means, in one line. */
  readonly meaning: string;
}

/**
 * Every error code, generic ones first, then the domain codes in alphabetical order.
 *
 * @example
 * ```ts
 * for (const { code, status, meaning } of SUPASOCIAL_ERROR_CODES) console.log(code, status, meaning)
 * ```
 */
export const SUPASOCIAL_ERROR_CODES = [
  // generic: the kinds of error, and what the SDK makes of errors that carry no code of ours
  {
    code: "invalid_input",
    status: 400,
    source: "sql",
    meaning: "The input is malformed or out of range; `details` holds the zod issues when the SDK caught it.",
  },
  { code: "not_authenticated", status: 401, source: "sql", meaning: "No signed-in user: sign in first." },
  {
    code: "permission_denied",
    status: 403,
    source: "sdk",
    meaning: "The database refused the row or function (row level security, a missing grant).",
  },
  {
    code: "not_found",
    status: 404,
    source: "sdk",
    meaning: "No such row, or none the user may see (PostgREST `PGRST116`).",
  },
  {
    code: "conflict",
    status: 409,
    source: "sql",
    meaning: "A uniqueness rule refused the write, or what you edit changed since you read it.",
  },
  {
    code: "rate_limited",
    status: 429,
    source: "sql",
    meaning: "Too many writes of one kind in a minute; try again shortly.",
  },
  { code: "timeout", status: 504, source: "sdk", meaning: "The statement or the Realtime join took too long." },
  {
    code: "server_error",
    status: 500,
    source: "sdk",
    meaning: "The server failed: an unexpected SQLSTATE or a 5xx response.",
  },
  {
    code: "network_error",
    status: 0,
    source: "sdk",
    meaning: "No response arrived: offline, the host cannot be reached, or the connection dropped.",
  },
  { code: "realtime_error", status: 503, source: "sdk", meaning: "A Realtime channel could not be joined." },
  {
    code: "unknown_error",
    status: 500,
    source: "sdk",
    meaning: "Something that is not an API error went wrong (a thrown non-error value, a bug).",
  },
  // domain codes, raised by the SQL unless marked sdk
  { code: "already_attending", status: 409, source: "sql", meaning: "You hold a seat at this event already." },
  { code: "already_member", status: 409, source: "sql", meaning: "The user is already a member of the group or trip." },
  {
    code: "already_subscribed",
    status: 409,
    source: "sql",
    meaning: "You have a premium subscription already: change it in the customer portal.",
  },
  { code: "announcement_not_found", status: 404, source: "sql", meaning: "No such announcement, or none you may see." },
  {
    code: "append_only",
    status: 403,
    source: "sql",
    meaning: "The moderation log and the points ledger are append-only: entries are never changed or removed.",
  },
  { code: "badge_not_found", status: 404, source: "sql", meaning: "No such badge." },
  { code: "banned", status: 403, source: "sql", meaning: "You are banned from this group." },
  {
    code: "blocked",
    status: 403,
    source: "sql",
    meaning: "A block between you and the other user rules this out (follow, invite, join, message).",
  },
  {
    code: "calendar_feed_not_found",
    status: 404,
    source: "sql",
    meaning: "No calendar feed has this token (revoked or replaced).",
  },
  {
    code: "comment_not_found",
    status: 404,
    source: "sql",
    meaning: "No such comment (on a post or a trip item), or none you may see.",
  },
  {
    code: "conversation_not_found",
    status: 404,
    source: "sql",
    meaning: "No such conversation, or none you are a member of (or a block hides it).",
  },
  {
    code: "direct_conversation",
    status: 400,
    source: "sql",
    meaning: "A direct conversation has exactly two members: no title, admins, slow mode or leaving.",
  },
  {
    code: "event_not_found",
    status: 404,
    source: "sql",
    meaning: "No such event, or none you may see.",
  },
  {
    code: "follow_request_not_found",
    status: 404,
    source: "sql",
    meaning: "No pending follow request from this user.",
  },
  {
    code: "freeze_limit_reached",
    status: 409,
    source: "sql",
    meaning: "You already hold the most streak freezes allowed for that streak.",
  },
  {
    code: "group_forbidden",
    status: 403,
    source: "sql",
    meaning: "Join the group to see its posts or add to its media.",
  },
  { code: "group_not_found", status: 404, source: "sql", meaning: "No such group, or none you may see." },
  {
    code: "idempotency_conflict",
    status: 409,
    source: "sql",
    meaning: "A client_message_id was used before for another message (another conversation or text).",
  },
  { code: "immutable_activity", status: 403, source: "sql", meaning: "Activities are never changed once recorded." },
  {
    code: "immutable_field",
    status: 400,
    source: "sql",
    meaning: "A field that is fixed once created was changed (a follow's users, a group's kind, a report's target).",
  },
  {
    code: "insufficient_points",
    status: 409,
    source: "sql",
    meaning: "Not enough points for that reward (or an adjustment below zero).",
  },
  {
    code: "insufficient_role",
    status: 403,
    source: "sql",
    meaning: "Your role in the group is not high enough: staff act only on lower ranks.",
  },
  { code: "invalid_action", status: 400, source: "sql", meaning: "A moderation action is not remove, ban or unban." },
  { code: "invalid_activity_kind", status: 400, source: "sql", meaning: "No such activity kind in the catalog." },
  {
    code: "invalid_area",
    status: 400,
    source: "sql",
    meaning: "A search point, radius (0.1-500 km) or box is out of range.",
  },
  {
    code: "invalid_badge",
    status: 400,
    source: "sql",
    meaning: "A badge definition is incomplete: a streak of a kind without streaks, an all-of set of unknown badges.",
  },
  {
    code: "invalid_body",
    status: 400,
    source: "sql",
    meaning:
      "A post, comment or message text is blank or too long, or a text post or message has neither text nor media.",
  },
  {
    code: "invalid_bounds",
    status: 400,
    source: "sql",
    meaning: "A map box is out of range or min_lat > max_lat.",
  },
  {
    code: "invalid_capacity",
    status: 400,
    source: "sql",
    meaning: "A capacity is not from 1 to 100000.",
  },
  {
    code: "invalid_category",
    status: 400,
    source: "sql",
    meaning: "Not an item category.",
  },
  {
    code: "invalid_coordinates",
    status: 400,
    source: "sql",
    meaning: "A latitude or longitude is out of range, or given alone.",
  },
  {
    code: "invalid_cost",
    status: 400,
    source: "sql",
    meaning: "A cost is negative or its currency not an ISO code.",
  },
  {
    code: "invalid_cursor",
    status: 400,
    source: "sql",
    meaning: "The cursor is not the nextCursor of this list with these arguments and this order, or it was changed.",
  },
  { code: "invalid_data", status: 400, source: "sql", meaning: "A post's data is not a JSON object of at most 16 kB." },
  {
    code: "invalid_date_range",
    status: 400,
    source: "sql",
    meaning: "A date range is empty.",
  },
  {
    code: "invalid_dates",
    status: 400,
    source: "sql",
    meaning: "A date is not YYYY-MM-DD or a time not HH:MM, or a range ends before it starts.",
  },
  {
    code: "invalid_description",
    status: 400,
    source: "sql",
    meaning: "An event description is over 10000 characters.",
  },
  {
    code: "invalid_event_time",
    status: 400,
    source: "sql",
    meaning: "An event ends before it starts, lasts over 31 days, or its RSVP deadline is after its end.",
  },
  {
    code: "invalid_expiry",
    status: 400,
    source: "sql",
    meaning: "An expiry is not in the future (an invite's or a share link's, not within a year).",
  },
  {
    code: "invalid_field",
    status: 400,
    source: "sql",
    meaning: "An update names a field that cannot be changed there (a profile's, a trip's, a day's or an item's).",
  },
  {
    code: "invalid_guests",
    status: 400,
    source: "sql",
    meaning: "Guests are not 0-10, or come without going.",
  },
  {
    code: "invalid_idempotency_key",
    status: 400,
    source: "sql",
    meaning: "An idempotency key must be 1-200 characters.",
  },
  { code: "invalid_join_policy", status: 400, source: "sql", meaning: "Coaching groups are joined by invite only." },
  {
    code: "invalid_links",
    status: 400,
    source: "sql",
    meaning: "Links are not at most 10 http(s) URLs.",
  },
  {
    code: "invalid_location",
    status: 400,
    source: "sql",
    meaning: "A latitude or longitude is out of range or alone, or a place text is too long.",
  },
  {
    code: "invalid_max_uses",
    status: 400,
    source: "sql",
    meaning: "An invite link's maximum uses is not between 1 and 100000.",
  },
  {
    code: "invalid_media",
    status: 400,
    source: "sql",
    meaning: "A media list or attachments are malformed, too many or for another place; or a cover path is too long.",
  },
  {
    code: "invalid_metric",
    status: 400,
    source: "sql",
    meaning: "Not a leaderboard metric (points, activities, streak), or not the one this group's board uses.",
  },
  { code: "invalid_note", status: 400, source: "sql", meaning: "A report's note is longer than 1000 characters." },
  {
    code: "invalid_occurred_at",
    status: 400,
    source: "sql",
    meaning: "An activity cannot happen in the future, nor (for users) more than 30 days back.",
  },
  {
    code: "invalid_order",
    status: 400,
    source: "sql",
    meaning:
      "A list's order or relation is not one it has (a feed: `latest` or `top`; my trips: `member` or `following`).",
  },
  {
    code: "invalid_parent",
    status: 400,
    source: "sql",
    meaning: "A reply's parent is on another post, or is itself a reply.",
  },
  {
    code: "invalid_payload",
    status: 400,
    source: "sql",
    meaning: "An activity's payload must be a JSON object of at most 8 kB.",
  },
  {
    code: "invalid_period",
    status: 400,
    source: "sql",
    meaning: "Not a leaderboard period (week, month, all_time; snapshots: week or month).",
  },
  {
    code: "invalid_position",
    status: 400,
    source: "sql",
    meaning: "What to go after is not in the same trip or day.",
  },
  {
    code: "invalid_preference",
    status: 400,
    source: "sql",
    meaning: "A notification preference lacks its kind or its on/off value, or a chat setting its audience.",
  },
  {
    code: "invalid_promo_code",
    status: 400,
    source: "sql",
    meaning: "The promo code is malformed, unknown or no longer active.",
  },
  { code: "invalid_reaction", status: 400, source: "sql", meaning: "No reaction was chosen." },
  {
    code: "invalid_reason",
    status: 400,
    source: "sql",
    meaning: "A report or moderation reason is missing or longer than 1000 characters.",
  },
  {
    code: "invalid_ref",
    status: 400,
    source: "sql",
    meaning: "A post's refType and refId are not given together, or do not match its kind.",
  },
  {
    code: "invalid_role",
    status: 400,
    source: "sql",
    meaning: "Only the owner holds the owner role; trip members are editors or viewers; a chat keeps an admin.",
  },
  {
    code: "invalid_rsvp",
    status: 400,
    source: "sql",
    meaning: "An RSVP is not going, interested or not_going.",
  },
  {
    code: "invalid_scope",
    status: 400,
    source: "sql",
    meaning: "Not a leaderboard scope (global, group, city, interest), or the city or interest is missing.",
  },
  {
    code: "invalid_slow_mode",
    status: 400,
    source: "sql",
    meaning: "Slow mode is a number of seconds from 0 (off) to 3600.",
  },
  {
    code: "invalid_status",
    status: 400,
    source: "sql",
    meaning:
      "Not a status there (a report: resolved, dismissed; media: approved, rejected; a trip: planning ... done).",
  },
  {
    code: "invalid_tag",
    status: 400,
    source: "sql",
    meaning: "A group or event tag is longer than 40 characters, or an event has more than 10 tags.",
  },
  {
    code: "invalid_target",
    status: 400,
    source: "sql",
    meaning:
      "The target is missing or yourself (follow, block, invite, report, message), or media names a group it may not.",
  },
  {
    code: "invalid_text",
    status: 400,
    source: "sql",
    meaning: "A text is too long (a trip's description, a destination, a place, notes).",
  },
  { code: "invalid_timezone", status: 400, source: "sql", meaning: "Not a time zone name Postgres knows." },
  {
    code: "invalid_title",
    status: 400,
    source: "sql",
    meaning: "A title is missing, blank or over 200 characters (a conversation's: over 80).",
  },
  {
    code: "invalid_transition",
    status: 400,
    source: "sql",
    meaning:
      "A state cannot go back (an accepted follow to a request, a read notification to unread, an edit after deletion).",
  },
  {
    code: "invalid_value",
    status: 400,
    source: "sql",
    meaning: "An activity's value must be a number between -1e12 and 1e12.",
  },
  {
    code: "invalid_visibility",
    status: 400,
    source: "sql",
    meaning:
      "A post's or event's visibility does not fit where it is posted (`group` in a group only; no `followers` there).",
  },
  { code: "invalid_vote", status: 400, source: "sql", meaning: "A vote is 1, -1 or 0." },
  { code: "invite_closed", status: 400, source: "sql", meaning: "The invite was already accepted or declined." },
  { code: "invite_exhausted", status: 403, source: "sql", meaning: "The invite link has been used up." },
  { code: "invite_expired", status: 403, source: "sql", meaning: "The invite has expired." },
  {
    code: "invite_not_found",
    status: 404,
    source: "sql",
    meaning: "No such invite or invite link (to a group or a trip).",
  },
  { code: "invite_required", status: 403, source: "sql", meaning: "The group is joined by invite only." },
  { code: "invite_revoked", status: 403, source: "sql", meaning: "The invite was revoked." },
  { code: "join_request_not_found", status: 404, source: "sql", meaning: "No pending join request from this user." },
  {
    code: "kind_in_use",
    status: 409,
    source: "sql",
    meaning: "Activities of that kind exist: retire it (user_reportable = false) instead of deleting it.",
  },
  {
    code: "kind_not_reportable",
    status: 403,
    source: "sql",
    meaning: "That activity kind is recorded by the app's backend or by Supasocial, not by users.",
  },
  {
    code: "leaderboard_disabled",
    status: 403,
    source: "sql",
    meaning: "The group's owner has not turned its leaderboard on.",
  },
  {
    code: "managed_membership",
    status: 403,
    source: "sql",
    meaning: "The conversation's members are its group's members: join or leave the group instead.",
  },
  {
    code: "media_in_use",
    status: 409,
    source: "sql",
    meaning: "The media is already attached to other content; upload it again to use it twice.",
  },
  { code: "media_not_found", status: 404, source: "sql", meaning: "No such media, or none of yours / you may see." },
  {
    code: "media_not_uploaded",
    status: 409,
    source: "sql",
    meaning: "The media's file has not arrived in Storage yet: upload it before attaching it.",
  },
  { code: "media_rejected", status: 403, source: "sql", meaning: "Moderation rejected this media; it cannot be used." },
  {
    code: "media_too_large",
    status: 400,
    source: "sql",
    meaning: "The file is larger than its bucket allows (avatars 2 MiB, chat 25 MiB, other media 50 MiB).",
  },
  {
    code: "media_type_not_allowed",
    status: 400,
    source: "sql",
    meaning: "The file's type is not allowed where it goes (avatars take images; others images and mp4/mov/webm).",
  },
  {
    code: "member_not_found",
    status: 404,
    source: "sql",
    meaning: "The user is not an (active) member of the group, conversation or trip.",
  },
  { code: "message_not_found", status: 404, source: "sql", meaning: "No such message, or none you may read." },
  {
    code: "messaging_not_allowed",
    status: 403,
    source: "sql",
    meaning: "The user does not accept messages from you (their chat setting).",
  },
  {
    code: "not_allowed",
    status: 403,
    source: "sql",
    meaning:
      "Only the author, the staff, a conversation's admins or the platform may do this to this content, report or log.",
  },
  { code: "not_allowed_to_invite", status: 403, source: "sql", meaning: "You may not invite people to this group." },
  {
    code: "not_conversation_admin",
    status: 403,
    source: "sql",
    meaning: "Only the conversation's admins may do this.",
  },
  {
    code: "not_enough_seats",
    status: 409,
    source: "sql",
    meaning: "More guests do not fit the free seats.",
  },
  {
    code: "not_event_organizer",
    status: 403,
    source: "sql",
    meaning: "Only the event's organizers may do this.",
  },
  { code: "not_group_admin", status: 403, source: "sql", meaning: "Only the group's owner and admins may do this." },
  {
    code: "not_group_member",
    status: 403,
    source: "sql",
    meaning: "Only active members record activities in a group.",
  },
  { code: "not_group_owner", status: 403, source: "sql", meaning: "Only the group's owner may do this." },
  {
    code: "not_group_staff",
    status: 403,
    source: "sql",
    meaning: "Only the group's staff (owner, admins, moderators) may do this.",
  },
  {
    code: "not_trip_editor",
    status: 403,
    source: "sql",
    meaning: "Only the trip's owner and editors may change its plan.",
  },
  {
    code: "not_trip_member",
    status: 403,
    source: "sql",
    meaning: "Only the trip's members may do this.",
  },
  {
    code: "not_trip_owner",
    status: 403,
    source: "sql",
    meaning: "Only the trip's owner may do this.",
  },
  { code: "notification_not_found", status: 404, source: "sql", meaning: "No such notification of yours." },
  { code: "out_of_stock", status: 409, source: "sql", meaning: "That reward is out of stock." },
  { code: "own_report", status: 403, source: "sql", meaning: "Another staff member closes reports about you." },
  {
    code: "owner_must_transfer",
    status: 403,
    source: "sql",
    meaning: "The owner leaves or steps down only by transferring ownership (or deleting the group or trip).",
  },
  { code: "owner_protected", status: 403, source: "sql", meaning: "The group's or trip's owner cannot be the target." },
  { code: "parent_not_found", status: 404, source: "sql", meaning: "The comment replied to does not exist." },
  { code: "payment_not_found", status: 404, source: "sql", meaning: "No such payment." },
  {
    code: "payment_unavailable",
    status: 503,
    source: "sdk",
    meaning: "The payment provider (Stripe) could not be reached or refused the request; nothing was charged.",
  },
  { code: "plan_not_found", status: 404, source: "sql", meaning: "No such premium plan, or it is no longer offered." },
  { code: "post_not_found", status: 404, source: "sql", meaning: "No such post, or none you may see." },
  {
    code: "preference_not_found",
    status: 404,
    source: "sdk",
    meaning: "The notification preference was not saved (the server returned no row).",
  },
  { code: "profile_not_found", status: 404, source: "sql", meaning: "No such profile, or none you may see." },
  {
    code: "receipts_unavailable",
    status: 400,
    source: "sql",
    meaning: "Read receipts are kept for small conversations only (chat_limits.receipts_members).",
  },
  {
    code: "redemption_limit_reached",
    status: 409,
    source: "sql",
    meaning: "You redeemed that reward as many times as one user may.",
  },
  { code: "report_closed", status: 409, source: "sql", meaning: "The report is already closed." },
  { code: "report_not_found", status: 404, source: "sql", meaning: "No such report, or none you may see." },
  {
    code: "resolution_required",
    status: 400,
    source: "sql",
    meaning: "A resolved report needs the action that was taken.",
  },
  { code: "reward_not_found", status: 404, source: "sql", meaning: "No such reward, or it is no longer offered." },
  {
    code: "rsvp_closed",
    status: 409,
    source: "sql",
    meaning: "RSVPs are closed: a draft, cancelled, over or past its deadline.",
  },
  { code: "share_link_expired", status: 403, source: "sql", meaning: "The share link has expired." },
  { code: "share_link_not_found", status: 404, source: "sql", meaning: "No such share link." },
  { code: "share_link_revoked", status: 403, source: "sql", meaning: "The share link was revoked." },
  {
    code: "slow_mode",
    status: 429,
    source: "sql",
    meaning: "Slow mode: wait before sending another message in this conversation.",
  },
  {
    code: "target_not_found",
    status: 404,
    source: "sql",
    meaning: "The reported post, comment, profile, group or media does not exist.",
  },
  {
    code: "ticket_not_needed",
    status: 409,
    source: "sql",
    meaning: "The event is free: RSVP instead of buying a ticket.",
  },
  {
    code: "ticket_required",
    status: 403,
    source: "sql",
    meaning: "The event needs a ticket.",
  },
  {
    code: "tier_required",
    status: 403,
    source: "sql",
    meaning: "The group or event is for members of a premium tier.",
  },
  {
    code: "too_many_members",
    status: 400,
    source: "sql",
    meaning: "A group conversation holds at most chat_limits.group_members members.",
  },
  {
    code: "trip_item_not_found",
    status: 404,
    source: "sql",
    meaning: "No such day or item, or none of a trip you may see.",
  },
  { code: "trip_not_found", status: 404, source: "sql", meaning: "No such trip, or none you may see." },
  {
    code: "user_banned",
    status: 403,
    source: "sql",
    meaning: "The user is banned from the group; unban them first.",
  },
] as const satisfies readonly SupasocialErrorCodeInfo[];

/**
 * Every code a `SupasocialError` can have. The union is closed: a typo does not compile, and a
 * `switch` over it can be checked for exhaustiveness.
 *
 * @example
 * ```ts
 * const messages: Partial<Record<SupasocialErrorCode, string>> = {
 *   blocked: 'You cannot follow this user',
 *   network_error: 'You are offline',
 * }
 * ```
 */
export type SupasocialErrorCode = (typeof SUPASOCIAL_ERROR_CODES)[number]["code"];

/**
 * The kinds of error Supasocial's SQL raises, `social_private.raise_error(kind, code, message)`,
 * with the SQLSTATE each is raised with (the error's `rawCode`). Each kind is also the generic
 * code of that sort on the list, with its HTTP status; the SDK falls back to it for a code of
 * that kind it does not know (from a newer server).
 *
 * @example
 * ```ts
 * SUPASOCIAL_ERROR_KINDS.not_found // 'PT404': PostgREST's custom status, HTTP 404
 * ```
 */
export const SUPASOCIAL_ERROR_KINDS = {
  invalid_input: "22023",
  not_authenticated: "PT401",
  permission_denied: "42501",
  not_found: "PT404",
  conflict: "PT409",
  rate_limited: "PT429",
} as const satisfies Partial<Record<SupasocialErrorCode, string>>;

/**
 * A kind of error the SQL raises (`social_private.error_kind`).
 *
 * @example
 * ```ts
 * const kind: SupasocialErrorKind = 'not_found'
 * ```
 */
export type SupasocialErrorKind = keyof typeof SUPASOCIAL_ERROR_KINDS;

/**
 * The codes of one HTTP status, e.g. `SupasocialErrorCodeOfStatus<404>` for the not-found codes.
 *
 * @example
 * ```ts
 * function notFound(code: SupasocialErrorCodeOfStatus<404>) {}
 * ```
 */
export type SupasocialErrorCodeOfStatus<S extends number> = Extract<
  (typeof SUPASOCIAL_ERROR_CODES)[number],
  { status: S }
>["code"];
