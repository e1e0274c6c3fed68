/**
 * One error type for everything the SDK returns: validation failures, Postgres and PostgREST
 * errors, Auth errors and network failures all become a `SupasocialError` whose `code` is on the
 * closed list in `error-codes.ts`.
 */

import type { SupasocialErrorCode } from "./error-codes.ts";
import { isSupasocialErrorCode, SUPASOCIAL_ERROR_STATUS } from "./error-status.ts";

export type { SupasocialErrorCode } from "./error-codes.ts";

/**
 * What `toJSON()` returns: safe to log and to send over the wire.
 *
 * @example
 * ```ts
 * const json: SupasocialErrorJSON = error.toJSON()
 * logger.warn(json)
 * ```
 */
export interface SupasocialErrorJSON {
  name: "SupasocialError";
  code: SupasocialErrorCode;
  status: number;
  message: string;
  hint: string | null;
  details: unknown;
  rawCode: string | null;
  cause?: { name: string; message: string } | unknown;
}

/**
 * Options of the `SupasocialError` constructor.
 *
 * @example
 * ```ts
 * new SupasocialError({ code: 'rate_limited', status: 429, message: 'Slow down' })
 * ```
 */
export interface SupasocialErrorOptions {
  code: SupasocialErrorCode;
  /** The code's HTTP status on the list (`SUPASOCIAL_ERROR_STATUS`); 0 when no response arrived. */
  status: number;
  message: string;
  hint?: string | null;
  details?: unknown;
  /** The underlying error's own code: a SQLSTATE (`42501`), a PostgREST code (`PGRST116`) or an Auth code. */
  rawCode?: string | null;
  cause?: unknown;
}

const BRAND = Symbol.for("supasocial.error");

/**
 * The error every SDK call returns in `error` (calls never throw for API errors).
 *
 * @example
 * ```ts
 * const { data, error } = await client.graph.follow(userId)
 * if (error) {
 *   if (error.code === 'blocked') showToast('You cannot follow this user')
 *   else if (error.status === 401) router.push('/sign-in')
 *   else console.error(error.toJSON())
 * }
 * ```
 */
export class SupasocialError extends Error {
  override readonly name = "SupasocialError";
  /** Stable, machine-readable code from the closed list: branch on this, never on `message`. */
  readonly code: SupasocialErrorCode;
  /**
   * The code's HTTP status on the list (`SUPASOCIAL_ERROR_STATUS`), 0 when the request never got
   * a response; a 403 code that the server answered with 401 (no signed-in user) keeps 401.
   */
  readonly status: number;
  /** PostgREST's `hint`; for Supasocial's own SQL errors it holds the stable code. */
  readonly hint: string | null;
  /** PostgREST's `details`, or the zod issues of an input that failed validation. */
  readonly details: unknown;
  /**
   * The underlying error's code: SQLSTATE, PostgREST (`PGRST…`), Auth or Realtime code. When the
   * server sends a code of ours that this SDK does not know (a newer server), `code` is the generic
   * code of its kind and that code stays in `hint`.
   */
  readonly rawCode: string | null;
  /** The original error, when there was one. */
  override readonly cause: unknown;
  constructor(options: SupasocialErrorOptions) {
    super(options.message);
    this.code = options.code;
    this.status = options.status;
    this.hint = options.hint ?? null;
    this.details = options.details ?? null;
    this.rawCode = options.rawCode ?? null;
    this.cause = options.cause;
    // a brand instead of `instanceof` alone: two copies of the package in one bundle still agree
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * A plain object for logs and error reporters (`JSON.stringify(error)` uses it).
   *
   * @example
   * ```ts
   * if (error) Sentry.captureException(error, { extra: error.toJSON() })
   * ```
   */
  toJSON(): SupasocialErrorJSON {
    const json: SupasocialErrorJSON = {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      hint: this.hint,
      details: this.details,
      rawCode: this.rawCode,
    };
    if (this.cause !== undefined) {
      json.cause = this.cause instanceof Error ? { name: this.cause.name, message: this.cause.message } : this.cause;
    }
    return json;
  }
}

/**
 * True for a `SupasocialError`, also one made by another copy of this package.
 *
 * @example
 * ```ts
 * try {
 *   await somethingThatMayThrow()
 * } catch (e) {
 *   if (isSupasocialError(e) && e.code === 'rate_limited') retryLater()
 * }
 * ```
 */
export function isSupasocialError(value: unknown): value is SupasocialError {
  return (
    value instanceof SupasocialError ||
    (typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true)
  );
}

// ---------------------------------------------------------------------------------------------
// mapping
// ---------------------------------------------------------------------------------------------

interface Mapping {
  code: SupasocialErrorCode;
  status: number;
}

/** A mapping for a code on the list, with the list's status. */
function listed(code: SupasocialErrorCode): Mapping {
  return { code, status: SUPASOCIAL_ERROR_STATUS[code] };
}

const INVALID = listed("invalid_input");
const CONFLICT = listed("conflict");
const UNAUTHENTICATED = listed("not_authenticated");
const NOT_FOUND = listed("not_found");

/** SQLSTATEs and PostgREST codes with a fixed meaning. */
const BY_CODE: Record<string, Mapping> = {
  "42501": listed("permission_denied"),
  "23505": CONFLICT,
  "23503": CONFLICT,
  "23P01": CONFLICT,
  "40001": CONFLICT,
  "40P01": CONFLICT,
  "23514": INVALID,
  "23502": INVALID,
  "22023": INVALID,
  "22P02": INVALID,
  "22001": INVALID,
  P0001: INVALID,
  P0002: NOT_FOUND,
  PGRST116: NOT_FOUND,
  "54000": listed("rate_limited"),
  "57014": listed("timeout"),
  "28000": UNAUTHENTICATED,
  "28P01": UNAUTHENTICATED,
  PGRST301: UNAUTHENTICATED,
  PGRST302: UNAUTHENTICATED,
  PGRST303: UNAUTHENTICATED,
};

/** Generic codes by HTTP status, when the error's own code says nothing. */
const BY_STATUS: Record<number, SupasocialErrorCode> = {
  400: "invalid_input",
  401: "not_authenticated",
  403: "permission_denied",
  404: "not_found",
  406: "not_found",
  409: "conflict",
  422: "invalid_input",
  429: "rate_limited",
  504: "timeout",
};

function byStatus(status: number): Mapping {
  return listed(BY_STATUS[status] ?? (status >= 500 ? "server_error" : "unknown_error"));
}

/** Auth (GoTrue) codes that mean "no valid session". */
const AUTH_SESSION_CODES = new Set([
  "bad_jwt",
  "no_authorization",
  "session_not_found",
  "session_expired",
  "refresh_token_not_found",
  "refresh_token_already_used",
  "not_authenticated",
]);

const NETWORK_MESSAGE =
  /fetch failed|failed to fetch|network request failed|networkerror|load failed|econnrefused|econnreset|enotfound|etimedout|socket hang up/i;

function mappingFor(rawCode: string | null, httpStatus: number | undefined): Mapping | null {
  if (rawCode) {
    const known = BY_CODE[rawCode];
    if (known) {
      // PostgREST and lite answer 401 for a permission error of a request without a user
      if (known.code === "permission_denied" && httpStatus === 401) return UNAUTHENTICATED;
      return known;
    }
    // PostgREST's custom status SQLSTATEs: `raise ... using errcode = 'PT404'` answers 404
    const custom = /^PT([1-5]\d\d)$/.exec(rawCode);
    if (custom) return byStatus(Number(custom[1]));
    if (rawCode.startsWith("22")) return INVALID; // data exceptions
    if (rawCode.startsWith("23")) return CONFLICT; // integrity constraint violations
    if (rawCode.startsWith("PGRST1")) return INVALID;
    if (rawCode.startsWith("PGRST3")) return UNAUTHENTICATED;
  }
  if (httpStatus !== undefined && httpStatus >= 400) return byStatus(httpStatus);
  if (rawCode) return listed("server_error");
  return null;
}

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function statusOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Extra facts about the failed call that the error object itself may lack.
 *
 * @example
 * ```ts
 * const { error, status } = await query
 * if (error) toSupasocialError(error, { status })
 * ```
 */
export interface ToSupasocialErrorContext {
  /** The HTTP status of the response (`0` when no response arrived). */
  status?: number;
}

/**
 * Turn anything that went wrong into a `SupasocialError` whose `code` is on the closed list: a
 * PostgREST error (`{ code, message, details, hint }`), a supabase-js Auth error, a zod error, a
 * fetch failure, or any thrown value. Supasocial's code in `hint` wins over the generic code when
 * it is on the list; a code the list does not know (from a newer server) gives the generic code
 * of its SQLSTATE and stays in `hint`.
 *
 * | source | code | status |
 * |---|---|---|
 * | a code of ours in `hint` | that code | its status on the list (401 for a 403 code answered with 401) |
 * | `42501` | `permission_denied` (`not_authenticated` when the server answered 401) | 403 |
 * | `23505`, `23503` | `conflict` | 409 |
 * | `23514`, `23502`, `22023`, `22P02`, other `22…` | `invalid_input` | 400 |
 * | `P0002`, `PGRST116` | `not_found` | 404 |
 * | `54000` | `rate_limited` | 429 |
 * | `PGRST301`–`PGRST303`, Auth session errors | `not_authenticated` | 401 |
 * | `PT404`, `PT429`, … (PostgREST custom status) | by status: `not_found`, `rate_limited`, … | 404, 429, … |
 * | other Auth errors | by status, the Auth code in `rawCode` | the code's status |
 * | fetch failures | `network_error` | 0 |
 *
 * @example
 * ```ts
 * const { data, error, status } = await supabase.schema('social').from('profiles').select()
 * if (error) return { data: null, error: toSupasocialError(error, { status }) }
 * ```
 */
export function toSupasocialError(error: unknown, context: ToSupasocialErrorContext = {}): SupasocialError {
  if (isSupasocialError(error)) return error;

  if (typeof error !== "object" || error === null) {
    return new SupasocialError({
      ...listed("unknown_error"),
      message: typeof error === "string" && error ? error : "Unknown error",
      cause: error,
    });
  }

  const e = error as Record<string, unknown>;
  const message = str(e.message) ?? "Unknown error";
  const name = str(e.name) ?? "";

  // zod (or anything shaped like it)
  if (Array.isArray(e.issues) && (name === "ZodError" || name === "$ZodError")) {
    return new SupasocialError({ ...INVALID, message, details: e.issues, cause: error });
  }

  // supabase-js Auth errors carry `__isAuthError` (auth-js' own `isAuthError` checks the same)
  if (e.__isAuthError === true || name.startsWith("Auth")) {
    const authCode = str(e.code);
    const authStatus = statusOf(e.status);
    if (name === "AuthRetryableFetchError" && (!authStatus || authStatus === 0 || NETWORK_MESSAGE.test(message))) {
      return new SupasocialError({ ...listed("network_error"), message, rawCode: authCode, cause: error });
    }
    if (
      name === "AuthSessionMissingError" ||
      authStatus === 401 ||
      (authCode !== null && AUTH_SESSION_CODES.has(authCode))
    ) {
      return new SupasocialError({ ...UNAUTHENTICATED, message, rawCode: authCode, cause: error });
    }
    const mapped = mappingFor(null, authStatus) ?? listed("unknown_error");
    return new SupasocialError({ ...mapped, message, rawCode: authCode, cause: error });
  }

  // supabase-js Storage errors carry `__isStorageError`; Storage puts the real status in `statusCode`
  if (e.__isStorageError === true) return fromStorageError(e, message, error);

  const rawCode = str(e.code);
  const hint = str(e.hint);
  const details = e.details ?? null;
  const httpStatus = context.status ?? statusOf(e.status);

  // no response: postgrest-js reports fetch failures with status 0 and an empty code
  if (!rawCode && (httpStatus === 0 || NETWORK_MESSAGE.test(message) || NETWORK_MESSAGE.test(String(details)))) {
    return new SupasocialError({ ...listed("network_error"), message, hint, details, cause: error });
  }

  // JWT problems surface with various codes depending on the server
  if (/\bjwt\b/i.test(message) && (httpStatus === 401 || !rawCode || rawCode.startsWith("PGRST3"))) {
    return new SupasocialError({ ...UNAUTHENTICATED, message, hint, details, rawCode, cause: error });
  }

  if (isSupasocialErrorCode(hint)) {
    const listedStatus = SUPASOCIAL_ERROR_STATUS[hint];
    // a forbidden code raised for a request without a user: both servers answer 42501 with 401
    const status = listedStatus === 403 && httpStatus === 401 ? 401 : listedStatus;
    return new SupasocialError({ code: hint, status, message, hint, details, rawCode, cause: error });
  }
  const mapped = mappingFor(rawCode, httpStatus) ?? listed("unknown_error");
  return new SupasocialError({ ...mapped, message, hint, details, rawCode, cause: error });
}

/** Storage's `statusCode` (a string in its JSON body) to a code on the list. */
const STORAGE_CODES: Record<string, SupasocialErrorCode> = {
  "400": "invalid_input",
  "401": "not_authenticated",
  "403": "permission_denied",
  "404": "media_not_found",
  "409": "conflict",
  "413": "media_too_large",
  "415": "media_type_not_allowed",
  "422": "media_type_not_allowed",
  "429": "rate_limited",
};

function fromStorageError(e: Record<string, unknown>, message: string, cause: unknown): SupasocialError {
  const statusCode = str(e.statusCode) ?? (statusOf(e.status) !== undefined ? String(e.status) : null);
  const rawCode = str(e.error) ?? str(e.code) ?? statusCode;
  if (!statusCode || (e.name === "StorageUnknownError" && NETWORK_MESSAGE.test(message))) {
    return new SupasocialError({ ...listed("network_error"), message, rawCode, cause });
  }
  const code = STORAGE_CODES[statusCode];
  const mapped = code ? listed(code) : byStatus(Number(statusCode));
  return new SupasocialError({ ...mapped, message, rawCode, cause });
}
