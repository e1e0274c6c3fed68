import { type SupasocialError, toSupasocialError } from "./errors.ts";

/**
 * What every SDK call resolves to, like supabase-js: either `data` or `error`, never both, and
 * never a rejected promise for an API error.
 *
 * @example
 * ```ts
 * const { data, error }: SupasocialResult<Profile> = await client.profiles.get('ana')
 * if (error) return showError(error.code)
 * render(data)
 * ```
 */
export type SupasocialResult<T> = { data: T; error: null } | { data: null; error: SupasocialError };

/**
 * The successful result.
 *
 * @example
 * ```ts
 * return ok(toProfileCard(row))
 * ```
 */
export function ok<T>(data: T): SupasocialResult<T> {
  return { data, error: null };
}

/**
 * The failed result.
 *
 * @example
 * ```ts
 * return fail(new SupasocialError({ code: 'profile_not_found', status: 404, message: 'No such profile' }))
 * ```
 */
export function fail<T = never>(error: SupasocialError): SupasocialResult<T> {
  return { data: null, error };
}

/**
 * Run an SDK operation so that nothing escapes as an exception: whatever it throws (a network
 * failure inside supabase-js, an Auth error, a bug) comes back as `{ data: null, error }`.
 *
 * @example
 * ```ts
 * mine() {
 *   return settle(async () => ok(await somethingThatMayThrow()))
 * }
 * ```
 */
export async function settle<T>(operation: () => Promise<SupasocialResult<T>>): Promise<SupasocialResult<T>> {
  try {
    return await operation();
  } catch (error) {
    return fail(toSupasocialError(error));
  }
}

/**
 * A `{ data, error, status }` response of supabase-js turned into a failed result.
 *
 * @example
 * ```ts
 * const response = await ctx.social.rpc('unfollow', { p_user_id: id })
 * if (response.error) return failFrom(response)
 * ```
 */
export function failFrom<T = never>(response: { error: unknown; status?: number }): SupasocialResult<T> {
  return fail(toSupasocialError(response.error, { status: response.status }));
}
