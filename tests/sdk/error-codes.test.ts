/**
 * The closed list of error codes from the SDK's side: the list is well formed, every code the SDK
 * may produce is on it (and every SDK-only code is produced), the union type is closed, the README
 * tables are generated from it, and errors raised by the SQL reach supabase-js and the SDK with the
 * listed code and HTTP status from the test API (@supabase/lite on our stack, or PostgREST when the
 * suite runs against Supabase's own API; both map these SQLSTATEs alike, see the core migration).
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { AuthApiError, AuthRetryableFetchError, AuthSessionMissingError, createClient } from "@supabase/supabase-js";
import { describe, expect, test } from "vitest";
import WebSocket from "ws";
import { SUPASOCIAL_ERROR_CODES } from "../../client-sdk/src/error-codes.ts";
import {
  type Database,
  isSupasocialErrorCode,
  SUPASOCIAL_ERROR_KINDS,
  SUPASOCIAL_ERROR_STATUS,
  type SupasocialError,
  type SupasocialErrorCode,
  toSupasocialError,
} from "../../client-sdk/src/index.ts";
import {
  ERROR_STATUS_FILE,
  README_FILE,
  renderErrorStatusModule,
  renderErrorTables,
  withErrorTables,
} from "../../scripts/gen-error-table.ts";
import { session, signUp, uniqueName, unwrap } from "../fixtures/sdk.ts";
import { api } from "../helpers/api.ts";

const SDK_SRC = join(import.meta.dirname, "..", "..", "client-sdk", "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && name !== "error-codes.ts" && name !== "database.types.ts" ? [path] : [];
  });
}

/** The status a code has on the list, or 401 for a 403 code that a request without a user got. */
function statusFits(error: SupasocialError): boolean {
  const listed = SUPASOCIAL_ERROR_STATUS[error.code];
  return error.status === listed || (listed === 403 && error.status === 401);
}

// =============================================================================================
// the list
// =============================================================================================

describe("the list of error codes", () => {
  test("codes are unique snake_case words with a known status and a one-line meaning", () => {
    const codes = SUPASOCIAL_ERROR_CODES.map((e) => e.code);
    expect(new Set(codes).size, "duplicate codes").toBe(codes.length);
    for (const entry of SUPASOCIAL_ERROR_CODES) {
      expect(entry.code, entry.code).toMatch(/^[a-z]+(?:_[a-z]+)*$/);
      expect([0, 400, 401, 403, 404, 409, 429, 500, 503, 504], entry.code).toContain(entry.status);
      expect(entry.meaning, entry.code).toMatch(/^[A-Z`].{10,110}\.$/);
      expect(entry.meaning, entry.code).not.toContain("\n");
    }
  });

  test("generic codes come first, then the domain codes in alphabetical order", () => {
    const codes = SUPASOCIAL_ERROR_CODES.map((e) => e.code as string);
    const domain = codes.slice(codes.indexOf("unknown_error") + 1);
    expect(domain.length).toBeGreaterThan(50);
    expect(domain).toEqual([...domain].sort());
  });

  test("every kind the SQL raises is a generic code on the list, and its status is the SQLSTATE's", () => {
    const statusOfSqlstate: Record<string, number> = {
      "22023": 400,
      PT401: 401,
      "42501": 403,
      PT404: 404,
      PT409: 409,
      PT429: 429,
    };
    for (const [kind, sqlstate] of Object.entries(SUPASOCIAL_ERROR_KINDS)) {
      expect(isSupasocialErrorCode(kind), kind).toBe(true);
      expect(SUPASOCIAL_ERROR_STATUS[kind as SupasocialErrorCode], kind).toBe(statusOfSqlstate[sqlstate]);
    }
  });

  test("SUPASOCIAL_ERROR_STATUS and isSupasocialErrorCode agree with the list", () => {
    expect(Object.keys(SUPASOCIAL_ERROR_STATUS).sort()).toEqual(SUPASOCIAL_ERROR_CODES.map((e) => e.code).sort());
    expect(SUPASOCIAL_ERROR_STATUS.group_not_found).toBe(404);
    expect(SUPASOCIAL_ERROR_STATUS.network_error).toBe(0);
    expect(isSupasocialErrorCode("blocked")).toBe(true);
    for (const value of ["not_fonud", "", "toString", "__proto__", "BLOCKED", 404, null, undefined]) {
      expect(isSupasocialErrorCode(value), String(value)).toBe(false);
    }
  });

  test("every code marked sdk is produced somewhere in the SDK's source", () => {
    const source = sourceFiles(SDK_SRC)
      .map((file) => readFileSync(file, "utf8"))
      .join("\n");
    const unproduced = SUPASOCIAL_ERROR_CODES.filter((e) => e.source === "sdk")
      .map((e) => e.code)
      .filter((code) => !source.includes(`"${code}"`));
    expect(unproduced, "listed as produced by the SDK, produced nowhere: remove them").toEqual([]);
  });
});

// =============================================================================================
// the mapping produces listed codes only
// =============================================================================================

describe("toSupasocialError produces only codes on the list, with their status", () => {
  const rawCodes = [
    ...["42501", "23505", "23503", "23P01", "40001", "23514", "23502", "22023", "22P02", "22001", "22012"],
    ...["P0001", "P0002", "54000", "57014", "28000", "08006", "XX000", "42883", "42P01", "25006", "SUP"],
    ...["PT100", "PT400", "PT401", "PT402", "PT403", "PT404", "PT409", "PT418", "PT429", "PT500", "PT503"],
    ...["PGRST100", "PGRST116", "PGRST202", "PGRST205", "PGRST301", "PGRST303", "bad_jwt", ""],
  ];
  const hints = [null, "", "Check the input syntax.", "too_many_follows", "not_a_code_of_ours", "toString"];
  const statuses = [undefined, 0, 200, 400, 401, 403, 404, 405, 406, 409, 413, 416, 422, 429, 500, 502, 503, 504];

  test("for PostgREST errors of any SQLSTATE, hint and HTTP status", () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const code of rawCodes) {
      for (const hint of [...hints, ...SUPASOCIAL_ERROR_CODES.map((e) => e.code)]) {
        for (const status of statuses) {
          const error = toSupasocialError({ code, message: "boom", details: null, hint }, { status });
          if (!isSupasocialErrorCode(error.code) || !statusFits(error)) {
            wrong.push(`code ${code}, hint ${hint}, status ${status}: ${error.code} ${error.status}`);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50_000);
    expect(wrong).toEqual([]);
  });

  test("a code of ours in hint wins, with its listed status", () => {
    for (const { code, status } of SUPASOCIAL_ERROR_CODES) {
      const error = toSupasocialError({ code: "22023", message: "m", details: null, hint: code });
      expect([error.code, error.status], code).toEqual([code, status]);
    }
  });

  test("for Auth errors, thrown values, zod-like and network errors", () => {
    const errors = [
      ...[0, 400, 401, 403, 404, 409, 422, 429, 500, 503].flatMap((status) => [
        new AuthApiError("auth says no", status, "some_auth_code"),
        new AuthApiError("auth says no", status, "user_already_exists"),
        new AuthApiError("auth says no", status, "blocked"),
      ]),
      new AuthSessionMissingError(),
      new AuthRetryableFetchError("fetch failed", 0),
      new AuthRetryableFetchError("gateway", 502),
      new TypeError("Failed to fetch"),
      new RangeError("a bug"),
      { name: "ZodError", issues: [], message: "bad" },
      "a string",
      42,
      null,
      undefined,
      { code: 12, message: ["not a string"] },
    ];
    for (const thrown of errors) {
      const error = toSupasocialError(thrown);
      expect(isSupasocialErrorCode(error.code), String(thrown)).toBe(true);
      expect(statusFits(error), `${String(thrown)}: ${error.code} ${error.status}`).toBe(true);
    }
    // an Auth code that happens to look like one of ours is still the Auth server's: it stays in rawCode
    const auth = toSupasocialError(new AuthApiError("auth says no", 403, "blocked"));
    expect([auth.code, auth.rawCode]).toEqual(["permission_denied", "blocked"]);
  });
});

// =============================================================================================
// types: the union is closed
// =============================================================================================

/** An exhaustive switch: adding a code to the list without a case here is a compile error. */
function statusBySwitch(code: SupasocialErrorCode): number {
  switch (code) {
    case "network_error":
      return 0;
    case "immutable_field":
    case "direct_conversation":
    case "invalid_action":
    case "invalid_activity_kind":
    case "invalid_badge":
    case "invalid_body":
    case "invalid_cursor":
    case "invalid_data":
    case "invalid_expiry":
    case "invalid_field":
    case "invalid_idempotency_key":
    case "invalid_input":
    case "invalid_join_policy":
    case "invalid_max_uses":
    case "invalid_media":
    case "invalid_metric":
    case "invalid_note":
    case "invalid_occurred_at":
    case "invalid_order":
    case "invalid_parent":
    case "invalid_payload":
    case "invalid_period":
    case "invalid_preference":
    case "invalid_promo_code":
    case "invalid_reaction":
    case "invalid_reason":
    case "invalid_ref":
    case "invalid_role":
    case "invalid_scope":
    case "invalid_slow_mode":
    case "invalid_status":
    case "invalid_tag":
    case "invalid_target":
    case "invalid_timezone":
    case "invalid_title":
    case "invalid_transition":
    case "invalid_value":
    case "invalid_visibility":
    case "invite_closed":
    case "receipts_unavailable":
    case "media_too_large":
    case "media_type_not_allowed":
    case "resolution_required":
    case "invalid_bounds":
    case "invalid_text":
    case "invalid_category":
    case "invalid_coordinates":
    case "invalid_cost":
    case "invalid_dates":
    case "invalid_links":
    case "invalid_position":
    case "invalid_vote":
    case "invalid_area":
    case "invalid_capacity":
    case "invalid_date_range":
    case "invalid_description":
    case "invalid_event_time":
    case "invalid_guests":
    case "invalid_location":
    case "invalid_rsvp":
    case "too_many_members":
      return 400;
    case "not_authenticated":
      return 401;
    case "append_only":
    case "banned":
    case "blocked":
    case "group_forbidden":
    case "immutable_activity":
    case "insufficient_role":
    case "invite_exhausted":
    case "invite_expired":
    case "invite_required":
    case "invite_revoked":
    case "kind_not_reportable":
    case "leaderboard_disabled":
    case "managed_membership":
    case "messaging_not_allowed":
    case "media_rejected":
    case "not_allowed":
    case "not_allowed_to_invite":
    case "not_conversation_admin":
    case "not_group_admin":
    case "not_group_member":
    case "not_group_owner":
    case "not_group_staff":
    case "own_report":
    case "owner_must_transfer":
    case "owner_protected":
    case "permission_denied":
    case "tier_required":
    case "user_banned":
    case "not_trip_editor":
    case "not_trip_member":
    case "not_trip_owner":
    case "share_link_expired":
    case "share_link_revoked":
    case "not_event_organizer":
    case "ticket_required":
      return 403;
    case "announcement_not_found":
    case "badge_not_found":
    case "comment_not_found":
    case "conversation_not_found":
    case "follow_request_not_found":
    case "group_not_found":
    case "invite_not_found":
    case "join_request_not_found":
    case "media_not_found":
    case "member_not_found":
    case "message_not_found":
    case "not_found":
    case "notification_not_found":
    case "parent_not_found":
    case "post_not_found":
    case "preference_not_found":
    case "profile_not_found":
    case "report_not_found":
    case "reward_not_found":
    case "target_not_found":
    case "share_link_not_found":
    case "trip_item_not_found":
    case "trip_not_found":
    case "calendar_feed_not_found":
    case "payment_not_found":
    case "plan_not_found":
    case "event_not_found":
      return 404;
    case "already_member":
    case "conflict":
    case "freeze_limit_reached":
    case "insufficient_points":
    case "kind_in_use":
    case "out_of_stock":
    case "redemption_limit_reached":
    case "idempotency_conflict":
    case "media_in_use":
    case "media_not_uploaded":
    case "report_closed":
    case "not_enough_seats":
    case "rsvp_closed":
    case "already_attending":
    case "already_subscribed":
    case "ticket_not_needed":
      return 409;
    case "rate_limited":
    case "slow_mode":
      return 429;
    case "server_error":
    case "unknown_error":
      return 500;
    case "realtime_error":
    case "payment_unavailable":
      return 503;
    case "timeout":
      return 504;
    default: {
      const unhandled: never = code;
      return unhandled;
    }
  }
}

describe("SupasocialErrorCode is a closed union", () => {
  test("an exhaustive switch over error.code compiles and agrees with the list", () => {
    for (const { code, status } of SUPASOCIAL_ERROR_CODES) expect(statusBySwitch(code), code).toBe(status);
  });

  test("a typo, an unknown key or a plain string is a type error", () => {
    // @ts-expect-error: not a code
    const typo: SupasocialErrorCode = "not_fonud";
    const toasts = {
      blocked: "You cannot follow this user",
      network_error: "You are offline",
      // @ts-expect-error: not a code
      networkError: "typo",
    } satisfies Partial<Record<SupasocialErrorCode, string>>;
    const anyString: string = "blocked";
    // @ts-expect-error: a string is not a code until isSupasocialErrorCode says so
    const unchecked: SupasocialErrorCode = anyString;
    const checked: SupasocialErrorCode | null = isSupasocialErrorCode(anyString) ? anyString : null;
    type Closed = string extends SupasocialErrorCode ? false : true;
    const closed: Closed = true;
    expect([typo, toasts.blocked, unchecked, checked, closed]).toEqual([
      "not_fonud",
      "You cannot follow this user",
      "blocked",
      "blocked",
      true,
    ]);
  });
});

// =============================================================================================
// the README
// =============================================================================================

describe("the generated status map", () => {
  test("client-sdk/src/error-status.ts is generated from the list (run `npm run gen:docs` when this fails)", () => {
    expect(readFileSync(ERROR_STATUS_FILE, "utf8"), "error-status.ts is stale: run `npm run gen:docs`").toBe(
      renderErrorStatusModule(),
    );
  });
});

describe("the README's error tables", () => {
  test("are generated from the list (run `npm run gen:docs` when this fails)", () => {
    const readme = readFileSync(README_FILE, "utf8");
    expect(readme, "README.md is missing the error-codes markers").toContain(renderErrorTables().split("\n")[0]);
    expect(readme, "README.md's error tables are stale: run `npm run gen:docs`").toBe(withErrorTables(readme));
  });

  test("list every code with its status", () => {
    const block = renderErrorTables();
    for (const { code, status } of SUPASOCIAL_ERROR_CODES) {
      expect(block, code).toMatch(new RegExp(`^\\| \`${code}\`\\s+\\| ${status}\\s+\\|`, "m"));
    }
  });
});

// =============================================================================================
// against the stack: the SQL's codes reach supabase-js with their HTTP status
// =============================================================================================

/** A raw supabase-js error: what any client sees. */
interface Raw {
  status: number;
  error: { code: string; hint: string | null; message: string } | null;
}

/** Assert a raw response is our code with its listed status, and that the SDK maps it the same. */
function expectRaw(response: Raw, code: SupasocialErrorCode, sqlstate: string) {
  expect(response.error, `expected ${code}`).not.toBeNull();
  expect(
    { status: response.status, code: response.error?.code, hint: response.error?.hint },
    response.error?.message,
  ).toEqual({ status: SUPASOCIAL_ERROR_STATUS[code], code: sqlstate, hint: code });
  const mapped = toSupasocialError(response.error, { status: response.status });
  expect([mapped.code, mapped.status]).toEqual([code, SUPASOCIAL_ERROR_STATUS[code]]);
}

describe("errors raised by the SQL, through supabase-js against the stack", () => {
  test("invalid_input kind: following yourself is invalid_target, 400", async () => {
    const me = await signUp("self");
    const raw = await me.supabase.schema("social").rpc("follow", { p_user_id: me.id });
    expectRaw(raw, "invalid_target", "22023");
    const sdk = await me.client.graph.follow(me.id);
    expect([sdk.error?.code, sdk.error?.status]).toEqual(["invalid_target", 400]);
  });

  test("not_authenticated kind: a follow without a user is not_authenticated, 401", async () => {
    const target = await signUp("target");
    // a service key has a role but no user: social.follow reaches require_user, which raises
    const service = createClient<Database>(api().url, api().secretKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });
    expectRaw(await service.schema("social").rpc("follow", { p_user_id: target.id }), "not_authenticated", "PT401");
    // anon may not execute social.follow at all: Postgres' own 42501, which both servers answer with 401
    const anon = await session().supabase.schema("social").rpc("follow", { p_user_id: target.id });
    expect([anon.status, anon.error?.code]).toEqual([401, "42501"]);
    const mapped = toSupasocialError(anon.error, { status: anon.status });
    expect([mapped.code, mapped.status]).toEqual(["not_authenticated", 401]);
  });

  test("permission_denied kind: following someone who blocked you is blocked, 403", async () => {
    const blocker = await signUp("blocker");
    const blocked = await signUp("blocked");
    unwrap(await blocker.client.graph.block(blocked.id));
    const raw = await blocked.supabase.schema("social").rpc("follow", { p_user_id: blocker.id });
    expectRaw(raw, "blocked", "42501");
    const sdk = await blocked.client.graph.follow(blocker.id);
    expect([sdk.error?.code, sdk.error?.status]).toEqual(["blocked", 403]);
  });

  test("not_found kind: following a profile that does not exist is profile_not_found, 404", async () => {
    const me = await signUp("seeker");
    const raw = await me.supabase.schema("social").rpc("follow", { p_user_id: randomUUID() });
    expectRaw(raw, "profile_not_found", "PT404");
    const sdk = await me.client.graph.follow(randomUUID());
    expect([sdk.error?.code, sdk.error?.status]).toEqual(["profile_not_found", 404]);
  });

  test("conflict kind: inviting a member is already_member, 409", async () => {
    const owner = await signUp("owner");
    const member = await signUp("member");
    const group = unwrap(await owner.client.groups.create({ name: uniqueName("Club"), kind: "club" }));
    unwrap(await member.client.groups.join(group.id));
    const raw = await owner.supabase
      .schema("social")
      .rpc("invite_to_group", { p_group_id: group.id, p_user_id: member.id });
    expectRaw(raw, "already_member", "PT409");
  });

  test("rate_limited kind: the 11th post in a minute is rate_limited, 429, and is not written", async () => {
    const me = await signUp("poster");
    const posts = me.supabase.schema("social").from("posts");
    for (let i = 0; i < 10; i++) {
      const ok = await posts.insert({ author_id: me.id, body: `post ${i}` });
      expect(ok.error, `post ${i}`).toBeNull();
    }
    const raw = await posts.insert({ author_id: me.id, body: "one too many" });
    expectRaw(raw, "rate_limited", "PT429");
    const sdk = await me.client.posts.create({ body: "still too many" });
    expect([sdk.error?.code, sdk.error?.status]).toEqual(["rate_limited", 429]);
    const { count } = await posts.select("id", { count: "exact", head: true }).eq("author_id", me.id);
    expect(count).toBe(10);
  });

  test("a check in a trigger (invalid_input kind) is 400 with its code, not a 500", async () => {
    const me = await signUp("writer");
    const raw = await me.supabase.schema("social").from("posts").insert({ author_id: me.id, body: "   " });
    expectRaw(raw, "invalid_body", "22023");
  });
});
