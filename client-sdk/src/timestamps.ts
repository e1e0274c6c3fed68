const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * A Postgres timestamp as PostgREST prints it: ISO 8601 with a `T` and a `+hh:mm` offset
 * (`2026-11-28T02:00:00.123456+00:00`). Some servers (`@supabase/lite`) answer in Postgres' text
 * form (`2026-11-28 02:00:00.123456+00`); both become the same string. Fractional seconds are
 * kept as they are (microseconds matter for keyset cursors; `Date` would drop them).
 *
 * @example
 * ```ts
 * normalizeTimestamp('2026-11-28 02:00:00+00') // '2026-11-28T02:00:00+00:00'
 * new Date(normalizeTimestamp(profile.createdAt))
 * ```
 */
export function normalizeTimestamp(value: string): string;
export function normalizeTimestamp(value: string | null): string | null;
export function normalizeTimestamp(value: string | null): string | null {
  if (value === null) return null;
  const match = TIMESTAMP.exec(value);
  if (!match) return value;
  const [, date, time, zone] = match;
  let offset = zone ?? "";
  if (offset === "Z") offset = "+00:00";
  else if (offset.length === 3) offset = `${offset}:00`;
  else if (offset.length === 5) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  return `${date}T${time}${offset}`;
}
