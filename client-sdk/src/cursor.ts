/**
 * Opaque keyset cursors: the `(created_at, id)` of the last item of a page, as base64url JSON.
 * Only `btoa`/`atob` (React Native, browsers, Node ≥ 16, Deno); the payload is ASCII by
 * construction, so no TextEncoder is needed.
 */

/**
 * Where a page ended: the sort key of its last item.
 *
 * @example
 * ```ts
 * const position: CursorPosition | null = decodeCursor(page.nextCursor ?? '')
 * ```
 */
export interface CursorPosition {
  /** The item's `created_at`, normalized ISO 8601 with full precision. */
  createdAt: string;
  /** The tie-breaker: the id column the list is ordered by after `created_at`. */
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[+-]\d{2}:\d{2})?$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Encode a position as an opaque cursor string.
 *
 * @example
 * ```ts
 * const cursor = encodeCursor({ createdAt: '2026-11-28T02:00:00.123456+00:00', id })
 * ```
 */
export function encodeCursor(position: CursorPosition): string {
  if (!isPosition(position)) throw new TypeError("encodeCursor: not a cursor position");
  const json = JSON.stringify([position.createdAt, position.id]);
  return btoa(json).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decode a cursor made by `encodeCursor`; `null` for anything else (tampered, truncated, junk).
 *
 * @example
 * ```ts
 * decodeCursor(page.nextCursor) // { createdAt: '2026-…', id: '…' }
 * decodeCursor('nonsense')      // null
 * ```
 */
export function decodeCursor(cursor: string): CursorPosition | null {
  if (typeof cursor !== "string" || cursor.length === 0 || cursor.length > 256 || !BASE64URL.test(cursor)) {
    return null;
  }
  try {
    const base64 = cursor.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const value: unknown = JSON.parse(atob(padded));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [createdAt, id] = value as unknown[];
    const position = { createdAt, id };
    return isPosition(position) ? position : null;
  } catch {
    return null;
  }
}

function isPosition(value: { createdAt: unknown; id: unknown }): value is CursorPosition {
  return (
    typeof value.createdAt === "string" &&
    ISO_TIMESTAMP.test(value.createdAt) &&
    typeof value.id === "string" &&
    UUID.test(value.id)
  );
}
