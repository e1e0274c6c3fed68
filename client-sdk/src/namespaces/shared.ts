/**
 * Helpers shared by the namespaces of the groups, posts, moderation and notifications domains.
 * Not a namespace (it is not in the registry); the package exports only `ProfileSummary`.
 */
import type { Json } from "../database.types.ts";
import type { SupasocialErrorCodeOfStatus } from "../error-codes.ts";
import { SupasocialError } from "../errors.ts";
import { fail, failFrom, ok, type SupasocialResult } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";

/**
 * A user as lists, feeds and notifications show them: id, handle, display name and avatar.
 *
 * @example
 * ```ts
 * const line = `${post.author.displayName} (@${post.author.handle})`
 * ```
 */
export interface ProfileSummary {
  id: string;
  handle: string;
  displayName: string;
  /** Object path in the `avatars` storage bucket. */
  avatarPath: string | null;
}

function record(value: unknown): Record<string, unknown> | null {
  if (typeof value === "string") {
    // some servers hand back jsonb as its text
    try {
      return record(JSON.parse(value));
    } catch {
      return null;
    }
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/**
 * A `{ id, handle, display_name, avatar_path }` JSON object (as the feed and inbox RPCs embed
 * users) as a `ProfileSummary`; null for anything else.
 *
 * @example
 * ```ts
 * toProfileSummary(row.author) // { id, handle, displayName, avatarPath }
 * ```
 */
export function toProfileSummary(value: unknown): ProfileSummary | null {
  const row = record(value);
  const id = text(row?.id);
  if (!row || !id) return null;
  return {
    id,
    handle: text(row.handle) ?? "",
    displayName: text(row.display_name) ?? text(row.handle) ?? "",
    avatarPath: text(row.avatar_path),
  };
}

/**
 * A JSON object (a jsonb column) as a plain object; `{}` for anything else.
 *
 * @example
 * ```ts
 * toObject(row.data).reaction // 'fire'
 * ```
 */
export function toObject(value: Json | unknown): { [key: string]: Json | undefined } {
  return (record(value) ?? {}) as { [key: string]: Json | undefined };
}

/**
 * A row embedded as JSON in a list RPC's row (`user`, `group`, `membership`): the object, or
 * null when there is none (a profile hidden by a block, a group the caller may not see).
 *
 * @example
 * ```ts
 * const user = jsonRow<ProfileRow>(row.user)
 * ```
 */
export function jsonRow<T>(value: unknown): T | null {
  return record(value) as T | null;
}

/**
 * A JSON array (a jsonb column) as an array; `[]` for anything else.
 *
 * @example
 * ```ts
 * toArray(row.media).length
 * ```
 */
export function toArray(value: Json | unknown): Json[] {
  if (typeof value === "string") {
    try {
      return toArray(JSON.parse(value));
    } catch {
      return [];
    }
  }
  return Array.isArray(value) ? (value as Json[]) : [];
}

/**
 * A nullable timestamp, normalized to ISO 8601 (see `normalizeTimestamp`).
 *
 * @example
 * ```ts
 * ts('2026-11-28 02:00:00+00') // '2026-11-28T02:00:00+00:00'
 * ts(null)                     // null
 * ```
 */
export function ts(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : normalizeTimestamp(value);
}

/**
 * The one row of a write or single-row RPC. PostgREST answers an object for `.single()`; some
 * servers (`@supabase/lite`) answer an array for writes whatever was asked, or `[]` for no row.
 *
 * @example
 * ```ts
 * const row = firstRow((await ctx.social.from('posts').insert(values).select('id')).data)
 * ```
 */
export function firstRow<T>(data: T | T[] | null | undefined): T | null {
  if (Array.isArray(data)) return data[0] ?? null;
  return data ?? null;
}

/**
 * An embedded to-one relation (an object, or an array from servers that miss one-to-one).
 *
 * @example
 * ```ts
 * const group = one(row.group)
 * ```
 */
export function one<T>(value: T | T[] | null | undefined): T | null {
  return firstRow(value);
}

/**
 * A failed result for a row that is not there or not visible: `code` (`post_not_found`, ...),
 * status 404.
 *
 * @example
 * ```ts
 * return row ? ok(toPost(row)) : notFound('post_not_found', 'No such post')
 * ```
 */
export function notFound<T = never>(code: SupasocialErrorCodeOfStatus<404>, message: string): SupasocialResult<T> {
  return fail(new SupasocialError({ code, status: 404, message }));
}

/**
 * A failed result for an action the signed-in user may not take: `code`, status 403.
 *
 * @example
 * ```ts
 * return forbidden('not_group_owner', "Only the group's owner deletes it")
 * ```
 */
export function forbidden<T = never>(code: SupasocialErrorCodeOfStatus<403>, message: string): SupasocialResult<T> {
  return fail(new SupasocialError({ code, status: 403, message }));
}

/**
 * The object without its `undefined` values (a column left out of a write keeps its value or
 * default).
 *
 * @example
 * ```ts
 * defined({ body: 'x', media: undefined }) // { body: 'x' }
 * ```
 */
export function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

type RpcResponse<R> = { data: R | null; error: unknown; status: number };

/**
 * A single-row RPC's response (an object, or a one-row array from some servers) mapped, or its
 * error; `missing()` when no row came back.
 *
 * @example
 * ```ts
 * return single(await ctx.social.rpc('join_group', { p_group_id }), toMembership, groupNotFound)
 * ```
 */
export function single<R, T>(
  response: RpcResponse<R | R[]>,
  map: (row: R) => T,
  missing: () => SupasocialResult<never>,
): SupasocialResult<T> {
  if (response.error) return failFrom<T>(response);
  const row = firstRow(response.data);
  return row ? ok(map(row)) : missing();
}
