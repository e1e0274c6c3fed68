/**
 * The one page contract of every list. The database makes and reads the cursors (opaque, signed,
 * bound to the list, its order and its arguments); the SDK only carries them. Every list method
 * returns `{ items, nextCursor }` and has `.all()`, an async iterator over every item of every
 * page.
 */
import { type SupasocialResult, settle } from "./result.ts";

/**
 * One page of a list. `nextCursor` is null on the last page; pass it back as `cursor` to the same
 * list (same method, same arguments and order) for the next page. Any other use is
 * `invalid_cursor`.
 *
 * @example
 * ```ts
 * let cursor: string | null = null
 * do {
 *   const { data, error } = await client.graph.followers(userId, { cursor })
 *   if (error) break
 *   render(data.items)
 *   cursor = data.nextCursor
 * } while (cursor)
 * ```
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * What every list takes besides its own filters: `cursor` (a previous page's `nextCursor`) and
 * `limit` (default 20; above 50 the database gives 50).
 *
 * @example
 * ```ts
 * const options: PageOptions = { cursor: page.nextCursor, limit: 50 }
 * ```
 */
export interface PageOptions {
  cursor?: string | null;
  limit?: number;
}

/**
 * A list method: call it for one page, or iterate over the whole list with `.all()` (same
 * arguments; `limit` is the size of the pages it fetches, `cursor` where it starts).
 *
 * `all()` fetches a page only when the loop has used up the one before, so `break` stops it. It
 * yields items, so an error cannot come back as `{ error }`: it is thrown, as the same
 * `SupasocialError` the method would return.
 *
 * @example
 * ```ts
 * const { data: page } = await client.feed.home({ order: 'latest' })
 * for await (const post of client.feed.home.all({ order: 'latest', limit: 50 })) {
 *   if (seen(post)) break
 * }
 * ```
 */
export interface ListMethod<Args extends unknown[], T> {
  (...args: Args): Promise<SupasocialResult<Page<T>>>;
  /** Every item of every page, fetched page by page; throws the `SupasocialError` of a failed page. */
  all(...args: Args): AsyncGenerator<T, void, undefined>;
}

/** Every item from the page at `start` on; `fetch` gets the cursor of each page. */
async function* walk<T>(
  fetch: (cursor: string | null) => Promise<SupasocialResult<Page<T>>>,
  start: string | null,
): AsyncGenerator<T, void, undefined> {
  let cursor = start;
  do {
    const { data, error } = await fetch(cursor);
    if (error) throw error;
    yield* data.items;
    cursor = data.nextCursor;
  } while (cursor !== null);
}

/**
 * A list method whose only argument is its options.
 *
 * @example
 * ```ts
 * mine: listMethod((options: ListOptions = {}) => settle(async () => { ... })),
 * ```
 */
export function listMethod<O extends PageOptions, T>(
  page: (options?: O) => Promise<SupasocialResult<Page<T>>>,
): ListMethod<[options?: O], T> {
  const method = (options?: O) => settle(() => page(options));
  return Object.assign(method, {
    all: (options?: O) => walk((cursor) => method({ ...(options ?? {}), cursor } as O), options?.cursor ?? null),
  });
}

/**
 * A list method of one thing (a group, a user, a post): that argument first, then its options.
 *
 * @example
 * ```ts
 * members: scopedListMethod((groupId: string, options: GroupMemberListOptions = {}) => settle(async () => { ... })),
 * ```
 */
export function scopedListMethod<S, O extends PageOptions, T>(
  page: (scope: S, options?: O) => Promise<SupasocialResult<Page<T>>>,
): ListMethod<[scope: S, options?: O], T> {
  const method = (scope: S, options?: O) => settle(() => page(scope, options));
  return Object.assign(method, {
    all: (scope: S, options?: O) =>
      walk((cursor) => method(scope, { ...(options ?? {}), cursor } as O), options?.cursor ?? null),
  });
}

/**
 * A page from the rows of a list RPC: every row carries the page's `next_cursor` (null on the
 * last page; no rows, no next page).
 *
 * @example
 * ```ts
 * return ok(toPage(response.data, toPost))
 * ```
 */
export function toPage<Row extends { next_cursor: string | null }, Item>(
  rows: Row[] | null,
  toItem: (row: Row) => Item,
): Page<Item> {
  const list = rows ?? [];
  return { items: list.map(toItem), nextCursor: list[0]?.next_cursor ?? null };
}
