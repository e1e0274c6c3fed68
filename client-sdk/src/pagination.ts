/** Keyset pagination: newest first on `(created_at, <id column>)`, never OFFSET. */
import { type CursorPosition, encodeCursor } from "./cursor.ts";

/**
 * One page of a list. `nextCursor` is null on the last page.
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
 * Slice `limit + 1` fetched rows into a page and the cursor of its last item.
 *
 * @example
 * ```ts
 * toPage(rows, limit, (r) => ({ createdAt: r.created_at, id: r.follower_id }), toItem)
 * ```
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  position: (row: Row) => CursorPosition,
  toItem: (row: Row) => Item,
): Page<Item> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(position(last)) : null,
  };
}

/**
 * The PostgREST `or` filter that continues a newest-first keyset after `position`:
 * `(created_at, key) < (position.createdAt, position.id)`. The timestamp is quoted: it holds
 * `.` and `:`, which PostgREST's logic trees reserve.
 *
 * @example
 * ```ts
 * if (cursor) query = query.or(keysetAfter('follower_id', cursor))
 * ```
 */
export function keysetAfter(keyColumn: string, position: CursorPosition, createdAtColumn = "created_at"): string {
  const at = `"${position.createdAt}"`;
  return `${createdAtColumn}.lt.${at},and(${createdAtColumn}.eq.${at},${keyColumn}.lt.${position.id})`;
}
